//! The population surface on the real census small areas of the study area: population is
//! conserved per town, the cells partition each town, and the population within a town's
//! boundary is its census total.

mod common;

use care_atlas_core::{PopulationSurface, Position, geodesic_circle};
use common::{STUDY_AREA, code, municipalities, small_areas, study_town};
use geo::{BooleanOps, Contains, GeodesicArea, MultiPolygon, Validation, Winding, unary_union};

fn surface() -> PopulationSurface {
    PopulationSurface::build(&municipalities(), &small_areas())
}

#[test]
fn population_is_conserved_per_town() {
    let surface = surface();
    for (value, name, census) in STUDY_AREA {
        let cells: f64 = surface
            .cells()
            .iter()
            .filter(|c| c.municipality_code == code(value))
            .map(|c| c.population)
            .sum();
        assert!((cells - census).abs() <= 1.0, "{name}: {cells} != {census}");
        assert!((surface.total(code(value)) - census).abs() <= 1.0, "{name}");
    }
    // Only the study area has small areas: neighbours get no cells.
    assert!(
        surface.cells().iter().all(|c| STUDY_AREA.iter().any(|t| code(t.0) == c.municipality_code))
    );
    assert!(surface.total(code(11214)).abs() < 1e-9);
}

#[test]
fn every_small_area_has_one_valid_cell_holding_its_points() {
    let areas = small_areas();
    let surface = surface();
    let mut keys: Vec<&str> = areas.iter().map(|a| a.key_code.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(surface.cells().len(), keys.len());
    for cell in surface.cells() {
        assert!(
            cell.polygon.is_valid(),
            "{}: {:?}",
            cell.key_code,
            cell.polygon.validation_errors()
        );
        for polygon in &cell.polygon {
            assert!(polygon.exterior().is_ccw(), "{}", cell.key_code);
            assert!(polygon.interiors().iter().all(Winding::is_cw), "{}", cell.key_code);
        }
        // Every representative point lies inside its town, so inside its own cell.
        for area in areas.iter().filter(|a| a.key_code == cell.key_code) {
            assert!(cell.polygon.contains(&area.representative_point.to_point()), "{}", area.id());
        }
    }
}

#[test]
fn cells_partition_each_town() {
    let municipalities = municipalities();
    let surface = surface();
    for (value, name, _) in STUDY_AREA {
        let town = study_town(&municipalities, value);
        let town_m2 = town.boundary.geodesic_area_signed().abs();
        let cells_m2: f64 = surface
            .cells()
            .iter()
            .filter(|c| c.municipality_code == town.code)
            .map(|c| c.area_m2)
            .sum();
        assert!((cells_m2 / town_m2 - 1.0).abs() < 1e-3, "{name}: {cells_m2} m² != {town_m2} m²");
    }
}

#[test]
fn population_within_a_town_is_its_total() {
    let municipalities = municipalities();
    let surface = surface();
    for (value, name, census) in STUDY_AREA {
        let town = study_town(&municipalities, value);
        let within = surface.population_within(&town.boundary);
        assert!((within - census).abs() <= 1.0, "{name}: {within} != {census}");
    }
}

#[test]
fn population_within_a_ragged_region_is_the_area_weighted_sum() {
    // A town with holes punched by circles and cut by a half: what coverage gaps look like.
    // The surface cuts the region to a window around each cell before intersecting; the plain
    // sum over whole-region intersections must agree.
    let municipalities = municipalities();
    let surface = surface();
    let town = study_town(&municipalities, 11238);
    let circles: Vec<_> = (0..12)
        .map(|i| {
            let centre = Position::new(35.96 + 0.005 * f64::from(i), 139.63 + 0.003 * f64::from(i))
                .expect("a position");
            geodesic_circle(centre, 700.0, 64)
        })
        .collect();
    let region = town.boundary.difference(&unary_union(&circles));
    let area = |shape: &MultiPolygon<f64>| -> f64 {
        shape.iter().map(|p| p.geodesic_area_signed().abs()).sum()
    };
    let expected: f64 = surface
        .cells()
        .iter()
        .map(|cell| cell.population * area(&cell.polygon.intersection(&region)) / cell.area_m2)
        .sum();
    let got = surface.population_within(&region);
    assert!((got - expected).abs() < 1e-6 * expected, "{got} != {expected}");
    assert!(got > 10_000.0 && got < 61_499.0, "{got}");
}
