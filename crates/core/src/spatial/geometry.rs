//! Geometry shared by the analyses: geodesic circles, geodesic areas of shapes whatever their
//! winding, bounding boxes that exist for empty shapes too, clipping a polygon to a box, and the
//! point a map labels a shape at.

use geo::{
    BoundingRect, Coord, Destination, Geodesic, GeodesicArea, InteriorPoint, LineString,
    MultiPolygon, Polygon, Rect,
};

use crate::Position;

/// Geodesic area in m² of a multipolygon, whatever the winding of its rings.
pub(crate) fn geodesic_area_m2(shape: &MultiPolygon<f64>) -> f64 {
    // The signed area of one polygon is (exterior − holes) with the sign of the exterior's
    // winding, so its absolute value is right for either winding; the unsigned variant would
    // read a clockwise ring as the rest of the earth.
    // Folded from +0.0: an empty sum of floats is −0.0, which would print as "-0".
    shape.iter().map(|p| p.geodesic_area_signed().abs()).fold(0.0, |sum, a| sum + a)
}

/// The bounding box of a shape, or an empty box at the origin for an empty shape.
pub(crate) fn bounds_of(shape: &MultiPolygon<f64>) -> Rect<f64> {
    shape.bounding_rect().unwrap_or_else(|| Rect::new(Coord::zero(), Coord::zero()))
}

/// Where a map prints the name of `shape`: a point inside its largest polygon (by geodesic area),
/// found by geo's [`InteriorPoint`], or `None` for an empty shape.
///
/// A centroid can fall outside a concave town or into the sea between islands; an interior point
/// cannot. The largest polygon is taken, not geo's own choice among a multipolygon's parts, so
/// that a town's name is printed on its main part rather than on an enclave (飛び地) that happens
/// to be cut by a longer bisecting line.
///
/// ```
/// use care_atlas_core::label_point;
/// use geo::{Contains, MultiPolygon, polygon};
///
/// // An L-shaped town, whose centroid (about 0.83, 0.83) lies outside it.
/// let town = polygon![
///     (x: 0.0, y: 0.0), (x: 3.0, y: 0.0), (x: 3.0, y: 1.0),
///     (x: 1.0, y: 1.0), (x: 1.0, y: 3.0), (x: 0.0, y: 3.0),
/// ];
/// let point = label_point(&MultiPolygon::new(vec![town.clone()])).unwrap();
/// assert!(town.contains(&point.to_point()));
/// assert_eq!(label_point(&MultiPolygon::new(vec![])), None);
/// ```
#[must_use]
pub fn label_point(shape: &MultiPolygon<f64>) -> Option<Position> {
    let largest = shape
        .iter()
        .max_by(|a, b| a.geodesic_area_signed().abs().total_cmp(&b.geodesic_area_signed().abs()))?;
    let point = largest.interior_point()?;
    Position::new(point.y(), point.x()).ok()
}

/// Vertices of the circles that [`crate::coverage_gap_polygons`] draws around facilities.
pub const CIRCLE_VERTICES: usize = 64;

/// A geodesic circle as a polygon: `vertices` points (at least 3) at geodesic distance `radius_m`
/// from `center` on the WGS84 ellipsoid, at equally spaced azimuths starting due north and
/// turning counter-clockwise (azimuths 0°, 360° − 360°/n, 360° − 2·360°/n, …), so that the
/// exterior ring is counter-clockwise as RFC 7946 asks.
///
/// The edges between vertices are straight in lon/lat, so the polygon lies just inside the true
/// circle: with 64 vertices its area is about 0.16% smaller. Meant for radii up to a few hundred
/// kilometres, away from the poles and the antimeridian.
///
/// ```
/// use care_atlas_core::{Position, geodesic_circle};
/// use geo::{Distance, Geodesic, Winding};
///
/// let center = Position::new(35.996631, 139.676669).unwrap();
/// let circle = geodesic_circle(center, 2000.0, 64);
/// assert_eq!(circle.exterior().0.len(), 65); // closed ring
/// assert!(circle.exterior().is_ccw());
/// for vertex in circle.exterior().points() {
///     assert!((Geodesic.distance(center.to_point(), vertex) - 2000.0).abs() < 1e-6);
/// }
/// ```
#[must_use]
pub fn geodesic_circle(center: Position, radius_m: f64, vertices: usize) -> Polygon<f64> {
    let n = vertices.max(3);
    let origin = center.to_point();
    let mut ring = vec![Coord::zero(); n];
    // The ellipsoid is symmetric about the centre's meridian, so the vertex at azimuth −θ is the
    // mirror image of the one at +θ (same latitude, longitude reflected): half the geodesic
    // problems are solved, the other half mirrored. Vertex i lies at azimuth −360°·i/n
    // (clockwise from north, so stepping backwards turns counter-clockwise) and mirrors vertex
    // n − i, which lies at +360°·i/n.
    for i in 0..=n / 2 {
        let east = Geodesic.destination(origin, 360.0 * i as f64 / n as f64, radius_m);
        if i == 0 || 2 * i == n {
            ring[i] = east.0;
        } else {
            ring[n - i] = east.0;
            ring[i] = Coord { x: 2.0 * origin.x() - east.x(), y: east.y() };
        }
    }
    Polygon::new(LineString::new(ring), Vec::new())
}

pub(crate) fn grow(rect: Rect<f64>, margin: f64) -> Rect<f64> {
    Rect::new(
        Coord { x: rect.min().x - margin, y: rect.min().y - margin },
        Coord { x: rect.max().x + margin, y: rect.max().y + margin },
    )
}

/// The part of `shape` inside `rect`, polygon by polygon ([`clip_polygon_to_rect`]): cheap, linear
/// in the vertices, with zero-width seams where a concave ring leaves and re-enters the box. A
/// shape cut to a row of cells once lets each cell of the row be cut from a few vertices instead
/// of the whole boundary.
pub(crate) fn clip_to_rect(shape: &MultiPolygon<f64>, rect: Rect<f64>) -> MultiPolygon<f64> {
    MultiPolygon(
        shape
            .iter()
            .filter(|p| p.bounding_rect().is_some_and(|b| geo::Intersects::intersects(&b, &rect)))
            .filter_map(|p| clip_polygon_to_rect(p, rect))
            .collect(),
    )
}

/// The part of `shape` in the mesh cell `cell` (an axis-aligned rectangle with its box
/// `cell_bounds`): the same region as `shape.intersection(cell)`, but the shape is first cut to a
/// window a hair larger than the cell, so the overlay handles a few vertices, and a cell wholly
/// inside the shape is the cell itself with no overlay at all.
pub(crate) fn part_in_cell(
    shape: &MultiPolygon<f64>,
    cell: &Polygon<f64>,
    cell_bounds: Rect<f64>,
) -> MultiPolygon<f64> {
    use geo::{Area, BooleanOps};
    let window = grow(cell_bounds, 1e-6);
    let near = clip_to_rect(shape, window);
    if near.0.is_empty() {
        return MultiPolygon(Vec::new());
    }
    let window_area = window.width() * window.height();
    if near.iter().any(|p| {
        p.interiors().is_empty() && (p.unsigned_area() - window_area).abs() <= 1e-9 * window_area
    }) {
        return MultiPolygon(vec![cell.clone()]);
    }
    near.intersection(&MultiPolygon(vec![cell.clone()]))
}

/// The part of `polygon` inside `rect`, ring by ring (Sutherland–Hodgman against the four
/// sides), or `None` when nothing of the exterior is left. Where a concave ring leaves and
/// re-enters the box, the result runs along the box's edge and back: a zero-width seam that adds
/// no area and that the overlay engine discards.
pub(crate) fn clip_polygon_to_rect(
    polygon: &Polygon<f64>,
    rect: Rect<f64>,
) -> Option<Polygon<f64>> {
    let clip = |ring: &LineString<f64>| {
        let open = ring.0.split_last().map_or(&[][..], |(_, open)| open);
        let mut out: Vec<[f64; 2]> = open.iter().map(|c| [c.x, c.y]).collect();
        for (normal, offset) in [
            ([-1.0, 0.0], -rect.min().x),
            ([1.0, 0.0], rect.max().x),
            ([0.0, -1.0], -rect.min().y),
            ([0.0, 1.0], rect.max().y),
        ] {
            if out.is_empty() {
                break;
            }
            out = clip_half_plane(&out, normal, offset);
        }
        (!out.is_empty()).then(|| LineString::new(out.into_iter().map(Coord::from).collect()))
    };
    let exterior = clip(polygon.exterior())?;
    Some(Polygon::new(exterior, polygon.interiors().iter().filter_map(clip).collect()))
}

/// Sutherland–Hodgman: the part of the polygon `ring` (open) where `normal·x ≤ offset`. A
/// concave ring that crosses the line several times comes back with zero-width seams along it.
fn clip_half_plane(ring: &[[f64; 2]], normal: [f64; 2], offset: f64) -> Vec<[f64; 2]> {
    let side = |x: &[f64; 2]| normal[0] * x[0] + normal[1] * x[1] - offset;
    let mut out = Vec::with_capacity(ring.len() + 1);
    for (k, current) in ring.iter().enumerate() {
        let next = &ring[(k + 1) % ring.len()];
        let (a, b) = (side(current), side(next));
        if a <= 0.0 {
            out.push(*current);
        }
        if (a < 0.0 && b > 0.0) || (a > 0.0 && b < 0.0) {
            let t = a / (a - b);
            out.push([
                current[0] + t * (next[0] - current[0]),
                current[1] + t * (next[1] - current[1]),
            ]);
        }
    }
    if out.len() < 3 { Vec::new() } else { out }
}

#[cfg(test)]
mod tests {
    use geo::{Distance, Winding};

    use super::*;

    fn at(lat: f64, lon: f64) -> Position {
        Position::new(lat, lon).unwrap()
    }

    #[test]
    fn half_plane_clipping() {
        let unit = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        assert_eq!(
            clip_half_plane(&unit, [1.0, 0.0], 0.5),
            [[0.0, 0.0], [0.5, 0.0], [0.5, 1.0], [0.0, 1.0]]
        );
        assert!(clip_half_plane(&unit, [1.0, 0.0], -1.0).is_empty());
        assert_eq!(clip_half_plane(&unit, [1.0, 0.0], 2.0), unit);
    }

    #[test]
    fn circle_vertices_lie_on_the_geodesic_circle_counter_clockwise() {
        let center = at(36.0, 139.65);
        for (radius_m, n) in [(100.0, 64), (2000.0, 64), (30_000.0, 128)] {
            let circle = geodesic_circle(center, radius_m, n);
            assert!(circle.exterior().is_ccw());
            assert_eq!(circle.exterior().0.len(), n + 1);
            for p in circle.exterior().points() {
                assert!((Geodesic.distance(center.to_point(), p) - radius_m).abs() < 1e-6);
            }
            // First vertex due north, second turned towards the west.
            let ring = &circle.exterior().0;
            assert!((ring[0].x - 139.65).abs() < 1e-12 && ring[0].y > 36.0);
            assert!(ring[1].x < 139.65);
        }
    }
}
