//! Benchmarks of the queries over the real shipped data (`data/` imported into SQLite and loaded
//! back), each beside a brute-force reference in the same run so results read as ratios: coverage
//! gaps and E2SFCA for the three towns at 250 m, and a snapshot build from SQLite.

#![allow(clippy::unwrap_used, missing_docs, reason = "benchmark setup")]

use std::hint::black_box;
use std::path::PathBuf;

use care_atlas_core::{
    AccessibilityQuery, Atlas, CatchmentMethod, FacilityKind, GapQuery, GapResolution, MeshLevel,
    PopulationGroup, Scenario, SupplyWeight,
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
    group.bench_function("site_suggestions_3", |b| {
        b.iter(|| {
            black_box(atlas.suggest_sites(
                KIND[0],
                2000.0,
                3,
                PopulationGroup::Aged75Plus,
                &Scenario::default(),
            ))
        });
    });
    group.finish();
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
