//! Coverage gaps: the parts of a municipality farther than a radius from every facility, with
//! their area and the population living there.
//!
//! Reach is a geodesic circle (a 64-gon whose vertices lie exactly at the radius on the WGS84
//! ellipsoid) around each facility, facilities across the boundary included; the gap is the
//! municipality minus the union of those circles. Straight-line reach is a first look, not travel
//! time: rivers, railways and the road network are ignored.

use geo::orient::Direction;
use geo::{BooleanOps, Coord, Intersects, MultiPolygon, Orient, Polygon, Rect, unary_union};

use crate::spatial::geometry::{bounds_of, geodesic_area_m2, with_bounds};
use crate::{
    CIRCLE_VERTICES, Municipality, MunicipalityCode, PopulationGroup, PopulationModel, Position,
    geodesic_circle,
};

/// The part of a municipality beyond reach of every facility.
#[derive(Debug, Clone, PartialEq)]
pub struct GapPolygon {
    /// The municipality.
    pub municipality_code: MunicipalityCode,
    /// The gap, WGS84 lon/lat: valid polygons, exteriors counter-clockwise and holes clockwise
    /// (RFC 7946); empty when everything is within reach.
    pub gap: MultiPolygon<f64>,
    /// Geodesic area of the gap in km².
    pub gap_area_km2: f64,
    /// Geodesic area of the rest of the municipality, within reach, in km².
    pub covered_area_km2: f64,
    /// Residents of the group asked for in the municipality, from the population model (`None`
    /// where the model does not know them, as for an age group under the Voronoi model).
    pub population_total: Option<f64>,
    /// Estimated residents of the group in the gap (see [`PopulationModel::within`]; `None`
    /// where unknown).
    pub population_uncovered: Option<f64>,
}

/// For each municipality, the area farther than `radius_m` (geodesic) from every facility, with
/// its area and the population living there.
///
/// Reach is a [`geodesic_circle`] of [`CIRCLE_VERTICES`] vertices around every facility whose
/// circle can touch the municipality's bounding box, wherever the facility is (a cheap
/// rectangle test picks them). The circles are unioned once for all municipalities, in small
/// groups of neighbours first (fast even where hundreds overlap), and each municipality then
/// takes one difference. `radius_m` is meant to be validated at the edge (up to a few hundred
/// kilometres); a radius that is not a positive finite number reaches nothing, leaving each
/// whole municipality as gap. The results are in the order of `municipalities`. The uncovered
/// population counts only the residents of the municipality itself.
///
/// ```
/// use care_atlas_core::{
///     AreaRole, Municipality, PopulationGroup, Position, SmallArea, VoronoiPopulation,
///     coverage_gap_polygons,
/// };
/// use geo::{MultiPolygon, polygon};
///
/// let town = Municipality {
///     code: "11238".parse().unwrap(),
///     name: "蓮田市".into(),
///     prefecture: "埼玉県".into(),
///     county: None,
///     role: AreaRole::StudyArea,
///     boundary: MultiPolygon(vec![polygon![
///         (x: 139.60, y: 35.96), (x: 139.70, y: 35.96), (x: 139.70, y: 36.04), (x: 139.60, y: 36.04)
///     ]]),
/// };
/// let people = SmallArea {
///     key_code: "112380010".into(),
///     piece: None,
///     municipality_code: town.code,
///     name: "本町".into(),
///     population: 1000,
///     households: 400,
///     area_m2: 0.0,
///     representative_point: Position::new(36.0, 139.65).unwrap(),
/// };
/// let population = VoronoiPopulation::build(&[town.clone()], &[], &[people]);
/// let clinic = Position::new(36.0, 139.65).unwrap();
///
/// let all = PopulationGroup::Total;
/// let gaps = coverage_gap_polygons(&[&town], &[clinic], 2000.0, &population, all);
/// let gap = &gaps[0];
/// // The town is about 9.0 km × 8.9 km; a 2 km circle covers about 12.5 km² of it.
/// assert!((gap.covered_area_km2 - 12.5).abs() < 0.1);
/// assert!((gap.gap_area_km2 + gap.covered_area_km2 - 80.1).abs() < 0.2);
/// assert!(gap.population_uncovered < gap.population_total);
///
/// let nothing = coverage_gap_polygons(&[&town], &[clinic], 0.0, &population, all);
/// assert_eq!(nothing[0].population_uncovered, Some(1000.0));
/// // The Voronoi model knows no ages: unknown, not zero.
/// let aged = coverage_gap_polygons(&[&town], &[clinic], 0.0, &population, PopulationGroup::Aged75Plus);
/// assert_eq!(aged[0].population_uncovered, None);
/// ```
#[must_use]
pub fn coverage_gap_polygons(
    municipalities: &[&Municipality],
    facilities: &[Position],
    radius_m: f64,
    population: &dyn PopulationModel,
    group: PopulationGroup,
) -> Vec<GapPolygon> {
    let mut gaps = gap_shapes(municipalities, facilities, radius_m);
    for gap in &mut gaps {
        let code = gap.municipality_code;
        let total = population.total(group, code);
        gap.population_total = total;
        gap.population_uncovered = if gap.covered_area_km2 <= 0.0 {
            // Nothing reaches: everyone in the municipality.
            total
        } else if gap.gap.0.is_empty() {
            total.map(|_| 0.0)
        } else {
            population.within(group, code, &gap.gap).zip(total).map(|(within, t)| within.min(t))
        };
    }
    gaps
}

/// The gap polygons of [`coverage_gap_polygons`] and their areas, without counting anyone
/// (`population_total` and `population_uncovered` are `None`): for callers that count people by
/// another rule.
pub(crate) fn gap_shapes(
    municipalities: &[&Municipality],
    facilities: &[Position],
    radius_m: f64,
) -> Vec<GapPolygon> {
    let towns: Vec<(Rect<f64>, MultiPolygon<f64>)> = municipalities
        .iter()
        .map(|m| {
            let boundary = m.boundary.orient(Direction::Default);
            (bounds_of(&boundary), boundary)
        })
        .collect();
    let reach = if radius_m.is_finite() && radius_m > 0.0 {
        let reaches: Vec<Rect<f64>> =
            towns.iter().map(|(rect, _)| within_reach(*rect, radius_m)).collect();
        let mut centres: Vec<Position> = facilities
            .iter()
            .filter(|f| reaches.iter().any(|reach| reach.intersects(&f.to_point())))
            .copied()
            .collect();
        union_of_circles(&mut centres, radius_m)
    } else {
        MultiPolygon(Vec::new())
    };
    let reach_parts = with_bounds(&reach);
    municipalities
        .iter()
        .zip(&towns)
        .map(|(municipality, (rect, boundary))| {
            let near: Vec<Polygon<f64>> = reach_parts
                .iter()
                .filter(|(bounds, _)| bounds.intersects(rect))
                .map(|(_, p)| (*p).clone())
                .collect();
            let town_m2 = geodesic_area_m2(boundary);
            let (gap, gap_m2) = if near.is_empty() {
                (boundary.clone(), town_m2)
            } else {
                let gap = boundary.difference(&MultiPolygon(near)).orient(Direction::Default);
                let gap_m2 = geodesic_area_m2(&gap);
                (gap, gap_m2)
            };
            GapPolygon {
                municipality_code: municipality.code,
                gap_area_km2: gap_m2 / 1e6,
                covered_area_km2: if gap_m2 >= town_m2 { 0.0 } else { (town_m2 - gap_m2) / 1e6 },
                gap,
                population_total: None,
                population_uncovered: None,
            }
        })
        .collect()
}

/// Circles per overlay in [`union_of_circles`].
const UNION_GROUP: usize = 8;

/// The union of the [`geodesic_circle`]s around `centres` (reordered in place).
///
/// Dense coverage makes every circle cross dozens of others, and one overlay of all of them
/// spends its time on crossings deep inside the covered area. Unioning small groups of
/// neighbouring circles first, then the groups' unions, drops those inner edges early: several
/// times faster than a single [`unary_union`] at a few hundred overlapping circles.
fn union_of_circles(centres: &mut [Position], radius_m: f64) -> MultiPolygon<f64> {
    // Stripes west to east, each ordered south to north, so that consecutive circles are
    // neighbours and each group of them is compact.
    centres.sort_by(|a, b| a.lon().total_cmp(&b.lon()));
    let stripe_len = ((centres.len() * UNION_GROUP) as f64).sqrt().ceil() as usize;
    for stripe in centres.chunks_mut(stripe_len.max(1)) {
        stripe.sort_by(|a, b| a.lat().total_cmp(&b.lat()));
    }
    let mut level: Vec<MultiPolygon<f64>> = centres
        .chunks(UNION_GROUP)
        .map(|group| {
            let circles: Vec<Polygon<f64>> =
                group.iter().map(|c| geodesic_circle(*c, radius_m, CIRCLE_VERTICES)).collect();
            unary_union(&circles)
        })
        .collect();
    // Every union comes out with counter-clockwise exteriors and clockwise holes, as
    // `unary_union` needs its inputs wound.
    while level.len() > 1 {
        level = level.chunks(UNION_GROUP).map(unary_union).collect();
    }
    level.pop().unwrap_or_else(|| MultiPolygon(Vec::new()))
}

/// `rect` grown by at least `radius_m` on every side (a cheap, conservative bound: a degree of
/// latitude is at least 110.5 km and a degree of longitude at least 111.3 km × cos φ).
fn within_reach(rect: Rect<f64>, radius_m: f64) -> Rect<f64> {
    let dlat = radius_m / 110_000.0;
    let widest = (rect.min().y.abs().max(rect.max().y.abs()) + dlat).min(89.0);
    let dlon = (radius_m / (110_000.0 * widest.to_radians().cos())).min(360.0);
    Rect::new(
        Coord { x: rect.min().x - dlon, y: rect.min().y - dlat },
        Coord { x: rect.max().x + dlon, y: rect.max().y + dlat },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SmallArea, VoronoiPopulation};
    use geo::{GeodesicArea, Validation, Winding, polygon};

    /// A square town wound clockwise, as some sources wind their rings.
    fn square_town() -> Municipality {
        crate::testing::town_with_boundary(MultiPolygon(vec![polygon![
            (x: 139.60, y: 35.96), (x: 139.60, y: 36.04), (x: 139.70, y: 36.04), (x: 139.70, y: 35.96)
        ]]))
    }

    fn at(lat: f64, lon: f64) -> Position {
        Position::new(lat, lon).unwrap()
    }

    fn population(town: &Municipality) -> VoronoiPopulation {
        let area = |key: &str, lat: f64, lon: f64| SmallArea {
            key_code: key.into(),
            piece: None,
            municipality_code: town.code,
            name: key.into(),
            population: 1000,
            households: 0,
            area_m2: 0.0,
            representative_point: at(lat, lon),
        };
        VoronoiPopulation::build(
            std::slice::from_ref(town),
            &[],
            &[area("a", 35.98, 139.62), area("b", 36.02, 139.68), area("c", 36.0, 139.65)],
        )
    }

    /// The gap of the square town for facilities and a radius: checks validity and winding, and
    /// that gap and covered area add up to the town; returns (gap km², uncovered population).
    fn check(facilities: &[Position], radius_m: f64) -> (f64, f64) {
        let town = square_town();
        let population = population(&town);
        let result = coverage_gap_polygons(
            &[&town],
            facilities,
            radius_m,
            &population,
            PopulationGroup::Total,
        );
        assert_eq!(result.len(), 1);
        let gap = &result[0];
        assert!(gap.gap.is_valid(), "{:?}", gap.gap.validation_errors());
        for polygon in &gap.gap {
            assert!(polygon.exterior().is_ccw());
            assert!(polygon.interiors().iter().all(Winding::is_cw));
        }
        let town_km2 = town.boundary.geodesic_area_signed().abs() / 1e6;
        assert!(((gap.gap_area_km2 + gap.covered_area_km2) / town_km2 - 1.0).abs() < 1e-3);
        let (uncovered, total) = (gap.population_uncovered.unwrap(), gap.population_total.unwrap());
        assert!(uncovered <= total);
        assert!((total - 3000.0).abs() < 1e-9);
        (gap.gap_area_km2, uncovered)
    }

    #[test]
    fn gaps_for_radii_and_facilities() {
        let town_km2 = square_town().boundary.geodesic_area_signed().abs() / 1e6;
        let centre = [at(36.0, 139.65)];
        // Nothing reaches: the whole town is a gap.
        let (gap, people) = check(&centre, 0.0);
        assert!((gap / town_km2 - 1.0).abs() < 1e-9);
        assert!((people - 3000.0).abs() < 1e-9, "{people}");
        assert_eq!(check(&[], 2000.0), check(&centre, f64::NAN));
        // Everything reaches.
        assert_eq!(check(&centre, 50_000.0), (0.0, 0.0));
        // A 2 km circle in the middle: a hole in the gap; its 64-gon area is π r² × 0.99839.
        let (gap, _) = check(&centre, 2000.0);
        let circle_km2 = std::f64::consts::PI * 4.0 * 0.998394;
        assert!((town_km2 - gap - circle_km2).abs() < 0.01, "{}", town_km2 - gap);
        // A facility 0.9 km outside the town reaches 1.1 km into it: a circular segment of
        // r² acos(d/r) − d √(r² − d²) = 2.81 km².
        let (gap, _) = check(&[at(36.0, 139.71)], 2000.0);
        assert!((town_km2 - gap - 2.81).abs() < 0.03, "{}", town_km2 - gap);
        // Far away: nothing reaches.
        let (gap, _) = check(&[at(36.5, 139.65)], 2000.0);
        assert!((gap / town_km2 - 1.0).abs() < 1e-9);
        // Overlapping circles and circles merging into the boundary.
        let many: Vec<Position> = (0..30)
            .map(|i| at(35.965 + 0.0025 * f64::from(i), 139.60 + 0.003 * f64::from(i)))
            .collect();
        let (gap, people) = check(&many, 1500.0);
        assert!(gap > 0.0 && gap < town_km2 && people > 0.0 && people < 3000.0);
    }

    #[test]
    fn grouped_union_equals_a_single_union() {
        // 200 circles of 1.5 km in a 10 km square: about twenty deep, crossing each other.
        let mut random = crate::testing::SplitMix(11);
        let mut centres: Vec<Position> = (0..200)
            .map(|_| at(35.95 + 0.09 * random.next_f64(), 139.60 + 0.11 * random.next_f64()))
            .collect();
        let circles: Vec<Polygon<f64>> =
            centres.iter().map(|c| geodesic_circle(*c, 1500.0, CIRCLE_VERTICES)).collect();
        let single = unary_union(&circles);
        let grouped = union_of_circles(&mut centres, 1500.0);
        assert!(grouped.is_valid(), "{:?}", grouped.validation_errors());
        let (a, b) = (geodesic_area_m2(&single), geodesic_area_m2(&grouped));
        assert!((a / b - 1.0).abs() < 1e-9, "{a} {b}");
        assert!(geodesic_area_m2(&single.xor(&grouped)) < 1e-6 * a);
        assert!(union_of_circles(&mut [], 1500.0).0.is_empty());
    }

    #[test]
    fn reach_rectangles_hold_the_circles() {
        for (lat, radius_m) in [(36.0, 2000.0), (-60.0, 50_000.0), (80.0, 100_000.0)] {
            let center = at(lat, 10.0);
            let reach = within_reach(Rect::new(center.to_point().0, center.to_point().0), radius_m);
            let circle = geodesic_circle(center, radius_m, 64);
            assert!(circle.exterior().points().all(|p| reach.intersects(&p)), "{lat} {radius_m}");
        }
    }
}
