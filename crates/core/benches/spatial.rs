//! Benchmarks of the spatial engine on synthetic facilities, each beside a reference that
//! computes the same answer another way, in the same process so results read as ratios.
//!
//! Facilities here are synthetic (`synthetic-…` ids, every group name says `synthetic`), never
//! real data. They are drawn by [`ClusteredSampler`] from the real 2020 census 500 m mesh
//! (`data/mesh_population.csv`): a cell in proportion to its residents, a uniform point inside
//! it, so they cluster in towns as real facilities do. Query origins are either **inside** the
//! clusters (drawn by the same sampler) or **outside** (uniform over a 1.5° square around the
//! study area: farms, empty cells and neighbouring towns, most of it beyond the data).
//!
//! Every benchmark's setup first **asserts** that the engine's answer equals the reference's,
//! and panics with the origin and both answers otherwise: a figure is only reported for a right
//! answer.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, reason = "benchmark setup")]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use care_atlas_core::testing::{
    ClusteredSampler, SplitMix, origin_around_study_area, synthetic_facility,
};
use care_atlas_core::{
    Atlas, AtlasParts, Facility, FacilityKind, MeshCode, NearestQuery, Position,
};
use criterion::{
    BatchSize, BenchmarkGroup, Criterion, SamplingMode, criterion_group, criterion_main,
};
use geo::{Distance, Geodesic};

const K: usize = 5;
/// Facility counts benchmarked, with their labels.
const SIZES: [(usize, &str); 3] = [(10_000, "10k"), (100_000, "100k"), (1_000_000, "1m")];
/// Origins per set; the engine cycles through them while timed.
const ORIGINS: usize = 1024;
/// Origins per set whose answer is checked against the reference at every size (all of them at
/// 10k, where the full geodesic scan is cheap enough).
const CHECKED: usize = 256;

/// The sampler over the real census mesh (residents per 500 m cell).
fn census_sampler() -> ClusteredSampler {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/mesh_population.csv");
    let mut reader = csv::Reader::from_path(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| {
        headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
    };
    let (code, total) = (column("mesh_code"), column("population_total"));
    let cells: Vec<(MeshCode, f64)> = reader
        .records()
        .map(|row| {
            let row = row.unwrap();
            let residents = row[total].parse::<f64>().unwrap_or(0.0);
            (row[code].parse().unwrap(), residents)
        })
        .collect();
    assert!(cells.len() > 4000, "expected the 4,263 cells of the census mesh, got {}", cells.len());
    ClusteredSampler::new(cells).expect("populated cells in data/mesh_population.csv")
}

fn clustered_facilities(sampler: &ClusteredSampler, n: usize) -> Vec<Facility> {
    let mut random = SplitMix(2026);
    (0..n).map(|i| sampler.facility(i, &mut random)).collect()
}

fn uniform_facilities(n: usize) -> Vec<Facility> {
    let mut random = SplitMix(2026);
    (0..n).map(|i| synthetic_facility(i, &mut random)).collect()
}

/// Origins inside the clusters (where people live) and outside them.
fn origin_sets(sampler: &ClusteredSampler) -> [(&'static str, Vec<Position>); 2] {
    let mut random = SplitMix(7);
    let inside = (0..ORIGINS).map(|_| sampler.position(&mut random)).collect();
    let mut random = SplitMix(11);
    let outside = (0..ORIGINS).map(|_| origin_around_study_area(&mut random, 1.5)).collect();
    [("inside", inside), ("outside", outside)]
}

/// A point on the unit sphere for a latitude/longitude taken as spherical coordinates.
fn unit_vector(p: Position) -> [f64; 3] {
    let (lat, lon) = (p.lat().to_radians(), p.lon().to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

/// An answer: (id, geodesic distance in metres), nearest first, ties by id.
type Answer = Vec<(String, f64)>;

fn ranked(mut all: Vec<(&Facility, f64)>, k: usize) -> Answer {
    all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.id.cmp(&b.0.id)));
    all.into_iter().take(k).map(|(f, d)| (f.id.to_string(), d)).collect()
}

/// The reference at 10k: the geodesic distance to every facility, sorted.
fn geodesic_scan(facilities: &[Facility], origin: Position, k: usize) -> Answer {
    let all = facilities
        .iter()
        .map(|f| (f, Geodesic.distance(origin.to_point(), f.position.to_point())))
        .collect();
    ranked(all, k)
}

/// The reference at every size: a full scan of every facility by its angle on the sphere, then
/// the geodesic distance of those that can rank. Independent of the engine's frame and R-tree.
///
/// Why it is exact: latitude/longitude taken as spherical coordinates distort WGS84 distances by
/// the ratio of the ellipsoid's radii of curvature (6,335–6,400 km) to 6,371 km, so a geodesic
/// distance lies within [0.9943, 1.0046] × 6,371 km × the spherical angle. Every facility whose
/// angle is within 1.02 × the k-th smallest angle (plus 1e-6 rad for the rounding of `acos` near
/// 0) is therefore kept, a superset of those that can rank; those are ranked by geodesic distance.
fn sphere_filtered_scan(
    facilities: &[Facility],
    units: &[[f64; 3]],
    origin: Position,
    k: usize,
) -> Answer {
    let o = unit_vector(origin);
    let mut cosines: Vec<f64> =
        units.iter().map(|u| (u[0] * o[0] + u[1] * o[1] + u[2] * o[2]).clamp(-1.0, 1.0)).collect();
    let all = cosines.clone();
    let kth = k.min(cosines.len()) - 1;
    cosines.select_nth_unstable_by(kth, |a, b| b.total_cmp(a));
    let widest = (cosines[kth].acos() * 1.02 + 1e-6).min(std::f64::consts::PI);
    let keep_from = widest.cos();
    let candidates = facilities
        .iter()
        .zip(&all)
        .filter(|(_, c)| **c >= keep_from)
        .map(|(f, _)| (f, Geodesic.distance(origin.to_point(), f.position.to_point())))
        .collect();
    ranked(candidates, k)
}

fn engine_answer(atlas: &Atlas, origin: Position, query: &NearestQuery) -> Answer {
    atlas
        .nearest_services(origin, query)
        .iter()
        .map(|n| (n.facility.id.to_string(), n.distance_m))
        .collect()
}

/// Panics unless the engine answers `checked` origins exactly as the references do.
fn assert_nearest_matches(atlas: &Atlas, label: &str, origins: &[Position], checked: usize) {
    let query = NearestQuery::new(vec![], K, None).unwrap();
    let facilities = atlas.facilities();
    let units: Vec<[f64; 3]> = facilities.iter().map(|f| unit_vector(f.position)).collect();
    let full_scan = facilities.len() <= 10_000;
    for (i, &origin) in origins.iter().take(checked).enumerate() {
        let got = engine_answer(atlas, origin, &query);
        let expected = sphere_filtered_scan(facilities, &units, origin, K);
        assert_eq!(
            got, expected,
            "{label}: origin {i} {origin:?}: the engine's k={K} nearest differ from the full scan"
        );
        if full_scan {
            assert_eq!(
                expected,
                geodesic_scan(facilities, origin, K),
                "{label}: origin {i} {origin:?}: the sphere-filtered scan differs from the \
                 geodesic scan of every facility"
            );
        }
    }
}

fn quick(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    group.sample_size(30);
}

fn nearest(c: &mut Criterion) {
    let sampler = census_sampler();
    let origin_sets = origin_sets(&sampler);
    let all_kinds = NearestQuery::new(vec![], K, None).unwrap();
    let one_kind = NearestQuery::new(vec![FacilityKind::VisitingNursingStation], K, None).unwrap();
    let mut group = c.benchmark_group("nearest_k5_clustered_synthetic");
    quick(&mut group);
    for (n, size) in SIZES {
        let atlas = Atlas::new(AtlasParts {
            facilities: clustered_facilities(&sampler, n),
            ..AtlasParts::default()
        });
        for (place, origins) in &origin_sets {
            let label = format!("{size}/{place}");
            let checked = if n <= 10_000 { ORIGINS } else { CHECKED };
            assert_nearest_matches(&atlas, &label, origins, checked);
            let mut i = 0;
            group.bench_function(&label, |b| {
                b.iter(|| {
                    i = (i + 1) % origins.len();
                    black_box(atlas.nearest_services(origins[i], &all_kinds))
                });
            });
        }
        if n == 1_000_000 {
            let origins = &origin_sets[0].1;
            let mut i = 0;
            group.bench_function("1m/inside_one_kind_visiting_nursing", |b| {
                b.iter(|| {
                    i = (i + 1) % origins.len();
                    black_box(atlas.nearest_services(origins[i], &one_kind))
                });
            });
        }
        // The references, timed at two sizes only (they are checked above at every size).
        let facilities = atlas.facilities();
        let units: Vec<[f64; 3]> = facilities.iter().map(|f| unit_vector(f.position)).collect();
        let origins = &origin_sets[0].1;
        let mut i = 0;
        if n == 10_000 {
            group.sample_size(10);
            group.bench_function("10k/inside_reference_geodesic_scan", |b| {
                b.iter(|| {
                    i = (i + 1) % origins.len();
                    black_box(geodesic_scan(facilities, origins[i], K))
                });
            });
            quick(&mut group);
        }
        if n == 1_000_000 {
            group.sample_size(10);
            group.bench_function("1m/inside_reference_sphere_filtered_scan", |b| {
                b.iter(|| {
                    i = (i + 1) % origins.len();
                    black_box(sphere_filtered_scan(facilities, &units, origins[i], K))
                });
            });
            quick(&mut group);
        }
    }
    group.finish();

    // The layout of earlier figures (issue 9): 1,000,000 uniform over the study area's box, every
    // origin inside it: the best case for the search window. Checked like the others.
    let atlas = Atlas::new(AtlasParts {
        facilities: uniform_facilities(1_000_000),
        ..AtlasParts::default()
    });
    let mut random = SplitMix(7);
    let origins: Vec<Position> =
        (0..ORIGINS).map(|_| origin_around_study_area(&mut random, 0.2)).collect();
    assert_nearest_matches(&atlas, "uniform 1m", &origins, CHECKED);
    let mut group = c.benchmark_group("nearest_k5_uniform_synthetic");
    quick(&mut group);
    let mut i = 0;
    group.bench_function("1m/inside", |b| {
        b.iter(|| {
            i = (i + 1) % origins.len();
            black_box(atlas.nearest_services(origins[i], &all_kinds))
        });
    });
    group.finish();
}

/// The reference build: what a snapshot without spatial indexes would do (sort by id, drop
/// repeated ids, group the facilities by kind), which any query then answers by a full scan.
fn naive_build(mut facilities: Vec<Facility>) -> (Vec<Facility>, Vec<Vec<usize>>) {
    facilities.sort_by(|a, b| a.id.cmp(&b.id));
    facilities.dedup_by(|a, b| a.id == b.id);
    let mut by_kind = vec![Vec::new(); FacilityKind::ALL.len()];
    for (i, f) in facilities.iter().enumerate() {
        let kind = FacilityKind::ALL.iter().position(|k| *k == f.kind).unwrap();
        by_kind[kind].push(i);
    }
    (facilities, by_kind)
}

fn snapshot_build(c: &mut Criterion) {
    let sampler = census_sampler();
    let facilities = clustered_facilities(&sampler, 1_000_000);
    // The built snapshot must answer like a full scan, and hold what the naive build holds.
    let atlas = Atlas::new(AtlasParts { facilities: facilities.clone(), ..AtlasParts::default() });
    let (naive, _) = naive_build(facilities.clone());
    assert!(
        atlas.facilities().iter().map(|f| &f.id).eq(naive.iter().map(|f| &f.id)),
        "the snapshot's facilities differ from the naive build's"
    );
    let [(_, inside), (_, outside)] = origin_sets(&sampler);
    assert_nearest_matches(&atlas, "snapshot 1m inside", &inside, 100);
    assert_nearest_matches(&atlas, "snapshot 1m outside", &outside, 100);
    drop(atlas);

    let mut group = c.benchmark_group("snapshot_build_1m_clustered_synthetic");
    // One build per sample: ten builds each.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("atlas_new", |b| {
        b.iter_batched(
            || AtlasParts { facilities: facilities.clone(), ..AtlasParts::default() },
            |parts| black_box(Atlas::new(parts)),
            BatchSize::LargeInput,
        );
    });
    group.bench_function("reference_sort_and_group_without_index", |b| {
        b.iter_batched(
            || facilities.clone(),
            |facilities| black_box(naive_build(facilities)),
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, nearest, snapshot_build);
criterion_main!(benches);
