//! A local metric frame: lon/lat projected to metres around the data's centre, for spatial
//! indexing only.
//!
//! At 36°N a degree of longitude is 0.81 of a degree of latitude, so ranking by raw degrees is
//! wrong. The frame is an equirectangular projection centred on the extent: `x = N(φ0)·cos φ0·Δλ`,
//! `y = M(φ0)·Δφ` with the WGS84 prime-vertical and meridional radii of curvature at the centre
//! latitude φ0. Distances in the frame differ from geodesic distances by a relative error bounded
//! by [`LocalFrame::max_relative_error`], computed from the extent: for the study area and its
//! 10 km ring (35.85°–36.15°N) it is under 0.4% (the true worst case is about half of that). Final distances are always geodesic; the bound is
//! what lets a nearest-neighbour search stop early and still rank exactly by geodesic distance.

use crate::Position;

const WGS84_A: f64 = 6_378_137.0;
const WGS84_F: f64 = 1.0 / 298.257_223_563;

/// An equirectangular metric frame around a centre latitude and longitude.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalFrame {
    origin_lat: f64,
    origin_lon: f64,
    metres_per_degree_lon: f64,
    metres_per_degree_lat: f64,
    south: f64,
    north: f64,
    west: f64,
    east: f64,
    max_relative_error: f64,
}

/// How far beyond the extent, in degrees, an origin may lie for [`error_bound`] to hold for its
/// distances: the latitude term widens with the origin, but an equirectangular frame also
/// stretches long east-west distances and cannot see the antimeridian, which no bound of this
/// form covers. Origins within half a degree are what the brute-force tests check.
const TRUSTED_MARGIN_DEG: f64 = 0.5;

/// The "bound" for an origin farther than [`TRUSTED_MARGIN_DEG`] from the extent: the frame then
/// proves nothing, and every lower bound it gives is essentially zero, so searches examine every
/// entry by geodesic distance. Kept short of 1 so that `d / (1 − e)` stays finite (at most about
/// 4·10¹⁹ m for the longest frame distance) and `d·(1 − e)` stays below 0.1 mm, closer than any
/// far origin can be to an entry.
const NO_BOUND: f64 = 1.0 - 1e-12;

/// The bound on the relative distance error of an equirectangular frame centred at latitude
/// `origin_lat` for positions between latitudes `south` and `north`.
fn error_bound(origin_lat: f64, south: f64, north: f64) -> f64 {
    let e2 = WGS84_F * (2.0 - WGS84_F);
    let phi = origin_lat.to_radians();
    // The east-west scale is exact at φ0 and off by cos φ / cos φ0 elsewhere; the north-south
    // scale drifts with the meridional radius by well under 0.1% per degree here. Both are taken
    // at the extent's edges, doubled for the terms neglected (the curvature of parallels, the
    // drift of the radius) and never below 0.1%.
    let scale = |lat: f64| lat.to_radians().cos() / phi.cos();
    let east_west = (1.0 - scale(north)).abs().max((scale(south) - 1.0).abs());
    let half_height = (north - south).abs().to_radians() / 2.0;
    let north_south = 3.0 * e2 * phi.sin() * phi.cos() * half_height;
    (2.0 * (east_west + north_south.abs())).max(1e-3)
}

impl LocalFrame {
    /// A frame for positions within the latitude range `south..=north` (degrees) and longitude
    /// range `west..=east`.
    #[must_use]
    pub fn for_extent(south: f64, west: f64, north: f64, east: f64) -> Self {
        let origin_lat = f64::midpoint(south, north);
        let origin_lon = f64::midpoint(west, east);
        let e2 = WGS84_F * (2.0 - WGS84_F);
        let phi = origin_lat.to_radians();
        let w = (1.0 - e2 * phi.sin().powi(2)).sqrt();
        let prime_vertical = WGS84_A / w;
        let meridional = WGS84_A * (1.0 - e2) / w.powi(3);
        LocalFrame {
            origin_lat,
            origin_lon,
            metres_per_degree_lon: prime_vertical * phi.cos() * std::f64::consts::PI / 180.0,
            metres_per_degree_lat: meridional * std::f64::consts::PI / 180.0,
            south: south.min(north),
            north: north.max(south),
            west: west.min(east),
            east: east.max(west),
            max_relative_error: error_bound(origin_lat, south.min(north), north.max(south)),
        }
    }

    /// A frame for every position given (or the study area's neighbourhood when there is none).
    #[must_use]
    pub fn for_positions<'a>(positions: impl IntoIterator<Item = &'a Position>) -> Self {
        let (mut south, mut west, mut north, mut east) =
            (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for p in positions {
            south = south.min(p.lat());
            north = north.max(p.lat());
            west = west.min(p.lon());
            east = east.max(p.lon());
        }
        if south > north {
            return LocalFrame::for_extent(35.85, 139.47, 36.15, 139.87);
        }
        LocalFrame::for_extent(south, west, north, east)
    }

    /// Metres east and north of the frame's centre.
    #[must_use]
    pub fn project(&self, p: Position) -> [f64; 2] {
        [
            (p.lon() - self.origin_lon) * self.metres_per_degree_lon,
            (p.lat() - self.origin_lat) * self.metres_per_degree_lat,
        ]
    }

    /// The position at metres east and north of the frame's centre, if it is a valid position.
    #[must_use]
    pub fn unproject(&self, xy: [f64; 2]) -> Option<Position> {
        Position::new(
            self.origin_lat + xy[1] / self.metres_per_degree_lat,
            self.origin_lon + xy[0] / self.metres_per_degree_lon,
        )
        .ok()
    }

    /// The largest relative difference between a distance in the frame and the geodesic distance,
    /// for two positions within the frame's extent: `geodesic ∈ [d·(1−e), d·(1+e)]`.
    #[must_use]
    pub fn max_relative_error(&self) -> f64 {
        self.max_relative_error
    }

    /// The error bound for distances from `p` to positions within the extent, when `p` may lie
    /// outside it (a query origin far from every facility): nearly 1 (no bound) for an origin
    /// more than half a degree beyond the extent, whose searches then rank every entry by
    /// geodesic distance.
    #[must_use]
    pub fn max_relative_error_from(&self, p: Position) -> f64 {
        let near = |value: f64, low: f64, high: f64| {
            (low - TRUSTED_MARGIN_DEG..=high + TRUSTED_MARGIN_DEG).contains(&value)
        };
        if !near(p.lat(), self.south, self.north) || !near(p.lon(), self.west, self.east) {
            NO_BOUND
        } else if (self.south..=self.north).contains(&p.lat()) {
            self.max_relative_error
        } else {
            error_bound(self.origin_lat, self.south.min(p.lat()), self.north.max(p.lat()))
        }
    }
}

/// The longest distance, in metres, [`short_distance_m`] answers for.
pub const SHORT_DISTANCE_MAX_M: f64 = 50_000.0;

/// The highest latitude, in degrees north or south, [`short_distance_m`] answers for.
const SHORT_DISTANCE_MAX_LAT: f64 = 60.0;

/// The bound on [`short_distance_m`]'s relative error against the geodesic distance. Over random
/// pairs within its domain the largest error is 8.9·10⁻⁶ (at 60°, 50 km; the test checks it stays
/// under a tenth of this bound); it grows with the square of the distance and of the tangent of
/// the latitude, the parallels' curvature that the formula ignores.
pub const SHORT_DISTANCE_RELATIVE_ERROR: f64 = 1e-4;

/// The distance in metres between two close positions on the WGS84 ellipsoid, from the radii of
/// curvature at their middle latitude (`√((M·Δφ)² + (N·cos φ·Δλ)²)`), within
/// [`SHORT_DISTANCE_RELATIVE_ERROR`] of the geodesic distance: a few multiplications and one
/// sine and cosine, where Karney's algorithm iterates. `None` when the pair lies outside the
/// domain where that bound holds: either position poleward of 60°, more than a degree of
/// longitude apart, or farther than [`SHORT_DISTANCE_MAX_M`].
///
/// ```
/// use care_atlas_core::{Position, SHORT_DISTANCE_RELATIVE_ERROR, short_distance_m};
/// use geo::{Distance, Geodesic};
/// let a = Position::new(35.9947, 139.6624).unwrap();
/// let b = Position::new(36.0500, 139.7300).unwrap();
/// let geodesic = Geodesic.distance(a.to_point(), b.to_point());
/// let short = short_distance_m(a, b).unwrap();
/// assert!((short - geodesic).abs() <= SHORT_DISTANCE_RELATIVE_ERROR * geodesic);
/// ```
#[must_use]
pub fn short_distance_m(a: Position, b: Position) -> Option<f64> {
    let within = |lat: f64| lat.abs() <= SHORT_DISTANCE_MAX_LAT;
    let d_lon = b.lon() - a.lon();
    if !within(a.lat()) || !within(b.lat()) || d_lon.abs() > 1.0 {
        return None;
    }
    let e2 = WGS84_F * (2.0 - WGS84_F);
    let phi = f64::midpoint(a.lat(), b.lat()).to_radians();
    let (sin, cos) = phi.sin_cos();
    let w = (1.0 - e2 * sin * sin).sqrt();
    let north = WGS84_A * (1.0 - e2) / (w * w * w) * (b.lat() - a.lat()).to_radians();
    let east = WGS84_A / w * cos * d_lon.to_radians();
    let distance = (north * north + east * east).sqrt();
    (distance <= SHORT_DISTANCE_MAX_M).then_some(distance)
}

#[cfg(test)]
mod tests {
    use geo::{Distance, Geodesic};

    use super::*;
    use crate::testing::SplitMix;

    #[test]
    fn frame_distances_stay_within_the_stated_bound_of_geodesic_distances() {
        let (south, west, north, east) = (35.85, 139.47, 36.15, 139.87);
        let frame = LocalFrame::for_extent(south, west, north, east);
        assert!(frame.max_relative_error() < 0.004, "{}", frame.max_relative_error());
        let mut random = SplitMix(7);
        let mut point = || {
            Position::new(
                south + random.next_f64() * (north - south),
                west + random.next_f64() * (east - west),
            )
            .unwrap()
        };
        let mut worst: f64 = 0.0;
        for _ in 0..20_000 {
            let (a, b) = (point(), point());
            let (pa, pb) = (frame.project(a), frame.project(b));
            let planar = (pa[0] - pb[0]).hypot(pa[1] - pb[1]);
            let geodesic = Geodesic.distance(a.to_point(), b.to_point());
            if geodesic > 1.0 {
                worst = worst.max((planar - geodesic).abs() / geodesic);
            }
        }
        assert!(
            worst <= frame.max_relative_error(),
            "worst {worst} > bound {}",
            frame.max_relative_error()
        );
    }

    #[test]
    fn projection_round_trips() {
        let frame = LocalFrame::for_extent(35.85, 139.47, 36.15, 139.87);
        let p = Position::new(35.996631, 139.676669).unwrap();
        let back = frame.unproject(frame.project(p)).unwrap();
        assert!((back.lat() - p.lat()).abs() < 1e-12 && (back.lon() - p.lon()).abs() < 1e-12);
    }

    #[test]
    fn short_distances_stay_within_a_tenth_of_their_bound_of_geodesic_distances() {
        use geo::Destination;
        let mut random = SplitMix(3);
        let mut worst: f64 = 0.0;
        let mut answered = 0;
        for _ in 0..100_000 {
            let (lat, lon) = (random.uniform(-60.5, 60.5), random.uniform(-180.0, 180.0));
            let a = Position::new(lat, lon).unwrap();
            let to = Geodesic.destination(
                a.to_point(),
                random.uniform(0.0, 360.0),
                random.uniform(0.1, 51_000.0),
            );
            let Ok(b) = Position::new(to.y(), to.x()) else { continue };
            let Some(short) = short_distance_m(a, b) else { continue };
            answered += 1;
            let geodesic = Geodesic.distance(a.to_point(), b.to_point());
            worst = worst.max((short - geodesic).abs() / geodesic);
        }
        assert!(answered > 90_000, "{answered}");
        assert!(worst <= SHORT_DISTANCE_RELATIVE_ERROR / 10.0, "worst {worst:e}");
        // Outside the domain there is no answer.
        let at = |lat, lon| Position::new(lat, lon).unwrap();
        assert_eq!(short_distance_m(at(60.1, 10.0), at(60.0, 10.0)), None);
        assert_eq!(short_distance_m(at(0.0, 179.9), at(0.0, -179.9)), None);
        assert_eq!(short_distance_m(at(35.0, 139.0), at(35.5, 139.0)), None);
    }
}
