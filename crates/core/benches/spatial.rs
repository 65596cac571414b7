//! Benchmarks of the spatial engine, each beside a brute-force or reference run in the same
//! process so results read as ratios. Facilities here are synthetic (`synthetic-…` ids, uniformly
//! random over the study area and its 10 km ring), never real data.

#![allow(clippy::unwrap_used, missing_docs, reason = "benchmark setup")]

use std::hint::black_box;

use care_atlas_core::testing::{SplitMix, synthetic_facility};
use care_atlas_core::{Atlas, AtlasParts, Facility, FacilityKind, NearestQuery, Position};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use geo::{Distance, Geodesic};

const MILLION: usize = 1_000_000;

fn synthetic_facilities(n: usize) -> Vec<Facility> {
    let mut random = SplitMix(2026);
    (0..n).map(|i| synthetic_facility(i, &mut random)).collect()
}

fn origins(n: usize) -> Vec<Position> {
    let mut random = SplitMix(7);
    (0..n)
        .map(|_| {
            Position::new(35.9 + random.next_f64() * 0.2, 139.55 + random.next_f64() * 0.25)
                .unwrap()
        })
        .collect()
}

fn snapshot_build(c: &mut Criterion) {
    let facilities = synthetic_facilities(MILLION);
    let mut group = c.benchmark_group("snapshot_build_1m_synthetic");
    group.sample_size(10);
    group.bench_function("atlas_new", |b| {
        b.iter_batched(
            || AtlasParts { facilities: facilities.clone(), ..AtlasParts::default() },
            |parts| black_box(Atlas::new(parts)),
            BatchSize::LargeInput,
        );
    });
    // Reference: only cloning the input, to show what the build itself costs.
    group.bench_function("clone_input_only", |b| {
        b.iter_batched(|| (), |()| black_box(facilities.clone()), BatchSize::LargeInput);
    });
    group.finish();
}

fn nearest(c: &mut Criterion) {
    let facilities = synthetic_facilities(MILLION);
    let atlas = Atlas::new(AtlasParts { facilities: facilities.clone(), ..AtlasParts::default() });
    let points = origins(1024);
    let all_kinds = NearestQuery::new(vec![], 5, None).unwrap();
    let one_kind = NearestQuery::new(vec![FacilityKind::VisitingNursingStation], 5, None).unwrap();
    let mut group = c.benchmark_group("nearest_k5_1m_synthetic");
    let mut i = 0;
    group.bench_function("rtree_all_kinds", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            black_box(atlas.nearest_services(points[i], &all_kinds))
        });
    });
    group.bench_function("rtree_one_kind", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            black_box(atlas.nearest_services(points[i], &one_kind))
        });
    });
    // Reference: one geodesic distance, the floor of any exact answer (k of them are needed).
    group.bench_function("one_geodesic_distance", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            black_box(Geodesic.distance(points[i].to_point(), facilities[i].position.to_point()))
        });
    });
    group.sample_size(10);
    group.bench_function("brute_force_geodesic_scan", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            let origin = points[i].to_point();
            let mut best: Vec<(f64, usize)> = Vec::with_capacity(6);
            for (n, f) in facilities.iter().enumerate() {
                let d = Geodesic.distance(origin, f.position.to_point());
                if best.len() < 5 || d < best[4].0 {
                    best.push((d, n));
                    best.sort_by(|a, b| a.0.total_cmp(&b.0));
                    best.truncate(5);
                }
            }
            black_box(best)
        });
    });
    group.finish();
}

criterion_group!(benches, snapshot_build, nearest);
criterion_main!(benches);
