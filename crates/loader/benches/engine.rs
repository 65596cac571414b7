//! Benchmarks of the queries over the real shipped data (`data/` imported into SQLite and loaded
//! back), each beside a brute-force reference in the same run so results read as ratios: coverage
//! gaps and E2SFCA for the three towns at 250 m, site suggestions (beside the algorithm they
//! replaced), and a snapshot build from SQLite.

#![allow(clippy::unwrap_used, missing_docs, reason = "benchmark setup")]

use std::hint::black_box;
use std::path::PathBuf;

use care_atlas_core::{
    AccessibilityQuery, Atlas, CatchmentMethod, FacilityKind, GapQuery, GapResolution, MeshLevel,
    PopulationGroup, PositionIndex, Scenario, SupplyWeight,
};
use care_atlas_loader::{ImportOptions, import_files, store::load_atlas};
use criterion::{Criterion, criterion_group, criterion_main};
use geo::{Distance, Geodesic};

fn shipped_atlas() -> (tempfile::TempDir, PathBuf, Atlas) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("atlas.db");
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
    import_files(&db, &[data], &ImportOptions::default()).unwrap();
    let atlas = load_atlas(&db).unwrap();
    (dir, db, atlas)
}

const KIND: [FacilityKind; 1] = [FacilityKind::VisitingNursingStation];

/// The positions of every facility of `KIND`, for the brute-force references.
fn stations(atlas: &Atlas) -> Vec<geo::Point<f64>> {
    atlas.facilities().iter().filter(|f| f.kind == KIND[0]).map(|f| f.position.to_point()).collect()
}

fn gaps(c: &mut Criterion) {
    let (_dir, _db, atlas) = shipped_atlas();
    let scenario = Scenario::default();
    let query = |resolution| GapQuery {
        kinds: KIND.to_vec(),
        radius_m: 2000.0,
        area: None,
        resolution,
        group: PopulationGroup::Aged75Plus,
    };
    // The grid is part of the snapshot, built once: build it before timing the queries.
    let _ = atlas.grid(MeshLevel::Quarter);
    let mut group = c.benchmark_group("coverage_gaps_three_towns_2km_visiting_nursing");
    group.bench_function("mesh250", |b| {
        b.iter(|| {
            black_box(
                atlas.coverage_gaps(&query(GapResolution::Mesh(MeshLevel::Quarter)), &scenario),
            )
        });
    });
    group.bench_function("polygons", |b| {
        b.iter(|| black_box(atlas.coverage_gaps(&query(GapResolution::Polygon), &scenario)));
    });
    let stations = stations(&atlas);
    group.bench_function("mesh250_brute_force_reference", |b| {
        b.iter(|| {
            let nearest: Vec<f64> = atlas
                .grid(MeshLevel::Quarter)
                .study
                .iter()
                .map(|cell| {
                    stations
                        .iter()
                        .map(|s| Geodesic.distance(cell.center.to_point(), *s))
                        .fold(f64::INFINITY, f64::min)
                })
                .collect();
            black_box(nearest)
        });
    });
    group.finish();
}

fn accessibility(c: &mut Criterion) {
    let (_dir, _db, atlas) = shipped_atlas();
    let scenario = Scenario::default();
    let _ = atlas.grid(MeshLevel::Quarter);
    let query = AccessibilityQuery {
        kinds: KIND.to_vec(),
        method: CatchmentMethod::Enhanced,
        catchment_m: 3000.0,
        level: MeshLevel::Quarter,
        weight: SupplyWeight::Count,
        group: PopulationGroup::Aged75Plus,
    };
    let mut group = c.benchmark_group("e2sfca_three_towns_250m_3km_visiting_nursing");
    group.bench_function("indexed", |b| {
        b.iter(|| black_box(atlas.accessibility(&query, &scenario)));
    });
    // Reference: every demand–supply pair's geodesic distance, the work the index avoids.
    let grid = atlas.grid(MeshLevel::Quarter);
    let demand: Vec<_> = grid
        .study
        .iter()
        .map(|c| c.center.to_point())
        .chain(grid.ring.iter().map(|c| c.center.to_point()))
        .collect();
    let stations = stations(&atlas);
    group.sample_size(10);
    group.bench_function("all_pairs_distance_reference", |b| {
        b.iter(|| {
            black_box(
                demand
                    .iter()
                    .map(|d| {
                        stations.iter().filter(|s| Geodesic.distance(*d, **s) <= 3000.0).count()
                    })
                    .sum::<usize>(),
            )
        });
    });
    group.finish();
}

/// The planner's what-if round trip in the engine: 宮代町's visiting nursing at 2 km with one
/// station added in its gap, before and after, and the site suggestions for the same question.
fn what_if(c: &mut Criterion) {
    let (_dir, _db, atlas) = shipped_atlas();
    let _ = atlas.grid(MeshLevel::Quarter);
    let _ = atlas.grid(MeshLevel::Half);
    let added = care_atlas_core::Supply {
        position: care_atlas_core::Position::new(36.0135417, 139.7078125).unwrap(),
        capacity: 1.0,
    };
    let scenario = Scenario { add: vec![added], remove: vec![] };
    let query = care_atlas_core::ComparisonQuery {
        kind: KIND[0],
        radius_m: 2000.0,
        catchment_m: 2000.0,
        group: PopulationGroup::Aged75Plus,
        accessibility_level: MeshLevel::Half,
    };
    let mut group = c.benchmark_group("what_if_2km_visiting_nursing");
    group.bench_function("compare_scenario_one_added", |b| {
        b.iter(|| black_box(atlas.compare_scenario(&query, &scenario)));
    });
    let sites = |area| care_atlas_core::SiteQuery {
        kind: KIND[0],
        radius_m: 2000.0,
        n: 3,
        group: PopulationGroup::Aged75Plus,
        area,
    };
    let miyashiro = Some("11442".parse().unwrap());
    for area in [None, miyashiro] {
        let picks: Vec<_> = atlas
            .suggest_sites(&sites(area), &Scenario::default())
            .iter()
            .map(|s| (s.cell, s.newly_covered_population))
            .collect();
        let reference = reference_site_picks(&atlas, &sites(area));
        assert_eq!(picks.len(), reference.len());
        for (pick, expected) in picks.iter().zip(&reference) {
            assert_eq!(pick.0, expected.0, "{area:?}: {picks:?} vs the reference {reference:?}");
            // The two sum the same residents in another order.
            assert!((pick.1 - expected.1).abs() < 1e-6, "{area:?}: {picks:?} vs {reference:?}");
        }
    }
    group.bench_function("site_suggestions_3", |b| {
        b.iter(|| black_box(atlas.suggest_sites(&sites(None), &Scenario::default())));
    });
    group.bench_function("site_suggestions_3_reference", |b| {
        b.iter(|| black_box(reference_site_picks(&atlas, &sites(None))));
    });
    group.bench_function("site_suggestions_3_area_11442", |b| {
        b.iter(|| black_box(atlas.suggest_sites(&sites(miyashiro), &Scenario::default())));
    });
    group.bench_function("site_suggestions_3_area_11442_reference", |b| {
        b.iter(|| black_box(reference_site_picks(&atlas, &sites(miyashiro))));
    });
    group.finish();
}

/// The site suggestions as first written (before issue 11's rework), the reference the fast one
/// must agree with: a `PositionIndex::within` query per candidate cell for what it reaches, and
/// every candidate's gain in every round; with `area`, candidates are the cells whose centre is
/// in the town and demand is the town's part of each cell. Picks as (cell, newly covered).
fn reference_site_picks(
    atlas: &Atlas,
    query: &care_atlas_core::SiteQuery,
) -> Vec<(care_atlas_core::MeshCode, f64)> {
    use geo::Contains;
    let cells = &atlas.grid(MeshLevel::Quarter).study;
    let town = query.area.and_then(|code| atlas.municipality(code));
    let supply = atlas.supply(&[query.kind], &Scenario::default(), SupplyWeight::Count);
    let supply = PositionIndex::new(supply.iter().map(|s| (s.position, ())), *atlas.frame());
    let mut uncovered: Vec<f64> = cells
        .iter()
        .map(|c| {
            if supply.nearest_distance_m(c.center).is_some_and(|d| d <= query.radius_m) {
                0.0
            } else {
                c.parts
                    .iter()
                    .filter(|p| town.is_none_or(|t| t.code == p.municipality_code))
                    .map(|p| p.population(query.group))
                    .sum::<Option<f64>>()
                    .unwrap_or_default()
            }
        })
        .collect();
    let candidate = |c: usize| match town {
        Some(t) => t.boundary.contains(&cells[c].center.to_point()),
        None => atlas.study_area().any(|t| t.boundary.contains(&cells[c].center.to_point())),
    };
    let centres =
        PositionIndex::new(cells.iter().enumerate().map(|(i, c)| (c.center, i)), *atlas.frame());
    let reach: Vec<Vec<usize>> = cells
        .iter()
        .map(|c| centres.within(c.center, query.radius_m).map(|n| *n.value).collect())
        .collect();
    let mut picks = Vec::new();
    for _ in 0..query.n {
        let gain = |c: usize| reach[c].iter().map(|&i| uncovered[i]).sum::<f64>();
        let Some((best, newly)) = (0..cells.len())
            .filter(|&c| candidate(c))
            .map(|c| (c, gain(c)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        else {
            break;
        };
        if newly <= 0.0 {
            break;
        }
        for &i in &reach[best] {
            uncovered[i] = 0.0;
        }
        picks.push((cells[best].code, newly));
    }
    picks
}

fn snapshot(c: &mut Criterion) {
    let (_dir, db, _atlas) = shipped_atlas();
    let mut group = c.benchmark_group("snapshot_from_sqlite_shipped_data");
    group.sample_size(10);
    group.bench_function("load_atlas", |b| b.iter(|| black_box(load_atlas(&db).unwrap())));
    group.finish();
}

criterion_group!(benches, gaps, accessibility, what_if, snapshot);
criterion_main!(benches);
