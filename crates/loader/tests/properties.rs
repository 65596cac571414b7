//! Property tests (proptest) of the engine's invariants over the real shipped data, imported once
//! into a real SQLite file and loaded back under each population model (the census mesh, and the
//! Voronoi model it falls back to without one): gaps and covered parts partition each town at
//! every resolution, and every model and group conserves residents.
//!
//! Case counts keep each property to a few seconds in a debug build; failing cases are kept in
//! `tests/properties.proptest-regressions` and replayed first.

#![allow(clippy::unwrap_used, reason = "test setup fails the test")]

use std::path::PathBuf;
use std::sync::OnceLock;

use care_atlas_core::{
    Atlas, FacilityKind, GapQuery, GapResolution, MeshLevel, PopulationGroup, Position,
    RADIUS_RANGE_M, Scenario, Supply,
};
use care_atlas_loader::store::Store;
use care_atlas_loader::{ImportOptions, import_files};
use geo::{BoundingRect, MultiPolygon, Rect};
use proptest::prelude::*;

/// The shipped data under the census mesh model, and under the Voronoi model (the same snapshot
/// without its mesh cells).
fn atlases() -> &'static [Atlas; 2] {
    static ATLASES: OnceLock<[Atlas; 2]> = OnceLock::new();
    ATLASES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("atlas.db");
        let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
        import_files(&db, &[data], &ImportOptions::default()).unwrap();
        let snapshot = Store::open_read_only(&db).unwrap().snapshot().unwrap();
        let mut without_mesh = snapshot.parts.clone();
        without_mesh.census_mesh.clear();
        [snapshot.into_atlas(), Atlas::new(without_mesh)]
    })
}

/// Equal up to rounding in sums of a few thousand terms.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// `part` is at most `whole`, up to rounding: a cell's residents and area out of reach are summed
/// from its 250 m parts, each clipped and measured on its own, its whole from the cell clipped at
/// once; the two differ by up to a few parts in a million of the whole (2.4 m² of a 1 km cell
/// cut by a town border).
fn at_most(part: f64, whole: f64) -> bool {
    part <= whole + 1e-5 * whole.abs().max(1.0)
}

fn resolutions() -> [GapResolution; 4] {
    [
        GapResolution::Polygon,
        GapResolution::Mesh(MeshLevel::Third),
        GapResolution::Mesh(MeshLevel::Half),
        GapResolution::Mesh(MeshLevel::Quarter),
    ]
}

/// Up to three added facilities anywhere over the study area and its ring.
fn scenarios() -> impl Strategy<Value = Scenario> {
    prop::collection::vec((35.85..36.15_f64, 139.47..139.87_f64), 0..3).prop_map(|points| {
        Scenario {
            add: points
                .into_iter()
                .map(|(lat, lon)| Supply {
                    position: Position::new(lat, lon).unwrap(),
                    capacity: 1.0,
                })
                .collect(),
            ..Scenario::default()
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4))]

    /// For any reach, kinds, group and added facilities, each town's residents and area are
    /// split into out of reach and covered (neither negative, out of reach never more than the
    /// town), the mesh cells add up to the towns, and every resolution gives the same figures.
    #[test]
    fn gaps_and_covered_parts_partition_each_town_at_every_resolution(
        model in 0_usize..2,
        radius_m in RADIUS_RANGE_M,
        kinds in prop::sample::subsequence(FacilityKind::ALL.to_vec(), 0..3),
        group in prop::sample::select(PopulationGroup::ALL.to_vec()),
        scenario in scenarios(),
    ) {
        let atlas = &atlases()[model];
        let group = if atlas.population_model().knows(group) { group } else { PopulationGroup::Total };
        let mut first: Option<Vec<care_atlas_core::GapSummary>> = None;
        for resolution in resolutions() {
            let query = GapQuery { kinds: kinds.clone(), radius_m, area: None, resolution, group };
            let gaps = atlas.coverage_gaps(&query, &scenario);
            prop_assert_eq!(gaps.summary.len(), atlas.study_area().count());
            for town in &gaps.summary {
                let total = town.population_total.unwrap();
                let out = town.population_uncovered.unwrap();
                let whole = atlas.population_model().total(group, town.municipality_code).unwrap();
                // The parts add up to the model's total within one person (the Voronoi model's
                // cells are clipped polygons, whose areas round).
                prop_assert!((total - whole).abs() <= 1.0, "{town:?}: model says {whole}");
                prop_assert!(out >= 0.0 && at_most(out, total), "{resolution:?} {town:?}");
                prop_assert!(town.area_uncovered_km2 >= 0.0, "{resolution:?} {town:?}");
                prop_assert!(at_most(town.area_uncovered_km2, town.area_km2), "{town:?}");
            }
            if let GapResolution::Mesh(_) = resolution {
                let sum = |f: &dyn Fn(&care_atlas_core::GapCell) -> f64| -> f64 {
                    gaps.cells.iter().map(f).sum()
                };
                let towns = |f: &dyn Fn(&care_atlas_core::GapSummary) -> f64| -> f64 {
                    gaps.summary.iter().map(f).sum()
                };
                prop_assert!(close(sum(&|c| c.population.unwrap()), towns(&|t| t.population_total.unwrap())));
                prop_assert!(close(
                    sum(&|c| c.population_uncovered.unwrap()),
                    towns(&|t| t.population_uncovered.unwrap())
                ));
                prop_assert!(close(sum(&|c| c.area_km2), towns(&|t| t.area_km2)));
                prop_assert!(close(sum(&|c| c.area_uncovered_km2), towns(&|t| t.area_uncovered_km2)));
                for cell in &gaps.cells {
                    // A 1 km or 500 m cell cut by a town border: its parts out of reach, clipped one by one,
                    // measure up to 13 m² of 0.7 km² (2·10⁻⁵) more than the cell: reported in issue 13.
                    prop_assert!(cell.population_uncovered.unwrap() <= cell.population.unwrap() * (1.0 + 1e-4) + 1e-6, "{cell:?}");
                    prop_assert!(cell.area_uncovered_km2 <= cell.area_km2 * (1.0 + 1e-4), "{cell:?}");
                    // A covered cell has nobody out of reach.
                    prop_assert!(!cell.covered || cell.population_uncovered == Some(0.0), "{cell:?}");
                }
            }
            match &first {
                None => first = Some(gaps.summary.clone()),
                Some(first) => {
                    for (a, b) in first.iter().zip(&gaps.summary) {
                        prop_assert_eq!(a.municipality_code, b.municipality_code);
                        prop_assert!(close(a.population_total.unwrap(), b.population_total.unwrap()));
                        prop_assert!(
                            close(a.population_uncovered.unwrap(), b.population_uncovered.unwrap()),
                            "{resolution:?}: {a:?} vs {b:?}"
                        );
                    }
                }
            }
        }
    }

    /// Any line of longitude splits a town's residents in two parts that add up to the town's
    /// total, under every model and for every group it knows; and no group outnumbers everyone.
    #[test]
    fn every_model_and_group_conserves_residents(
        model in 0_usize..2,
        split in 0.0..1.0_f64,
        level in prop::sample::select(vec![MeshLevel::Third, MeshLevel::Half, MeshLevel::Quarter]),
    ) {
        let atlas = &atlases()[model];
        let population = atlas.population_model();
        for town in atlas.study_area() {
            let bounds = town.boundary.bounding_rect().unwrap();
            let (min, max) = (bounds.min(), bounds.max());
            let cut = min.x + split * (max.x - min.x);
            let side = |west: f64, east: f64| -> MultiPolygon<f64> {
                Rect::new((west, min.y - 0.01), (east, max.y + 0.01)).to_polygon().into()
            };
            let (west, east) = (side(min.x - 0.01, cut), side(cut, max.x + 0.01));
            let everyone_west = population.within(PopulationGroup::Total, town.code, &west).unwrap();
            let everyone_east = population.within(PopulationGroup::Total, town.code, &east).unwrap();
            for group in PopulationGroup::ALL.into_iter().filter(|g| population.knows(*g)) {
                let total = population.total(group, town.code).unwrap();
                let in_west = population.within(group, town.code, &west).unwrap();
                let in_east = population.within(group, town.code, &east).unwrap();
                prop_assert!(in_west >= 0.0 && in_east >= 0.0);
                prop_assert!(
                    (in_west + in_east - total).abs() <= 1e-6 * total.max(1.0),
                    "{} {group:?} at {cut}: {in_west} + {in_east} != {total}", town.code
                );
                prop_assert!(in_west <= everyone_west + 1e-6 && in_east <= everyone_east + 1e-6);
                let cells: f64 = atlas
                    .grid(level)
                    .study
                    .iter()
                    .flat_map(|c| &c.parts)
                    .filter(|p| p.municipality_code == town.code)
                    .map(|p| p.population(group).unwrap())
                    .sum();
                prop_assert!((cells - total).abs() <= 1.0, "{level:?} {group:?}: {cells} vs {total}");
            }
        }
    }
}
