//! Benchmarks of the queries over the real shipped data (`data/` imported into SQLite and loaded
//! back), each beside a reference in the same run so results read as ratios: coverage gaps (250 m
//! cells and polygons) and E2SFCA for the three towns at 250 m, each beside a brute-force
//! computation of the whole answer; site suggestions beside the algorithm they replaced; the
//! snapshot from SQLite beside a bare SELECT, and the import beside a bare INSERT transaction.
//!
//! Every setup first asserts that the engine's answer equals its reference (the polygons within
//! a stated tolerance) and panics with both answers otherwise.

#![allow(clippy::unwrap_used, missing_docs, reason = "benchmark setup")]

use std::hint::black_box;
use std::path::PathBuf;

use care_atlas_core::{
    AccessibilityQuery, Atlas, CatchmentMethod, Demand, FacilityKind, GapQuery, GapResolution,
    MeshCode, MeshLevel, MunicipalityCode, PopulationGroup, PositionIndex, Scenario, Supply,
    SupplyWeight,
};
use care_atlas_loader::{ImportOptions, import_files, store::load_atlas};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use geo::{Distance, Geodesic};

fn shipped_atlas() -> (tempfile::TempDir, PathBuf, Atlas) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("atlas.db");
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
    import_files(&db, &[data], &ImportOptions::default()).unwrap();
    let atlas = load_atlas(&db).unwrap();
    (dir, db, atlas)
}

/// A benchmark group bounded in time (20 samples over 3 s after 1 s of warm-up, unless a
/// benchmark asks for fewer), so that `make bench` stays within minutes.
fn bounded_group<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group.sample_size(20);
    group.warm_up_time(std::time::Duration::from_secs(1));
    group.measurement_time(std::time::Duration::from_secs(3));
    group
}

const KIND: [FacilityKind; 1] = [FacilityKind::VisitingNursingStation];

/// The positions of every facility of `KIND`, for the brute-force references.
fn stations(atlas: &Atlas) -> Vec<geo::Point<f64>> {
    atlas.facilities().iter().filter(|f| f.kind == KIND[0]).map(|f| f.position.to_point()).collect()
}

/// What the reference computes for a 250 m gap answer: per cell (code, covered, nearest
/// distance, residents, residents out of reach), and per town (code, residents out of reach).
type MeshGapAnswer = (
    Vec<(MeshCode, bool, Option<f64>, Option<f64>, Option<f64>)>,
    Vec<(MunicipalityCode, Option<f64>)>,
);

/// The reference gap answer on 250 m cells, computed whole by brute force: every cell centre's
/// geodesic distance to every station, the cell out of reach when all exceed the radius, and the
/// residents of each town's part of the cells out of reach summed per town.
fn reference_mesh_gaps(
    atlas: &Atlas,
    stations: &[geo::Point<f64>],
    radius_m: f64,
) -> MeshGapAnswer {
    let towns: Vec<MunicipalityCode> = atlas.study_area().map(|m| m.code).collect();
    let mut by_town: Vec<(MunicipalityCode, Option<f64>)> =
        towns.iter().map(|code| (*code, Some(0.0))).collect();
    let mut cells = Vec::new();
    for cell in &atlas.grid(MeshLevel::Quarter).study {
        let nearest = stations
            .iter()
            .map(|s| Geodesic.distance(cell.center.to_point(), *s))
            .fold(None, |best: Option<f64>, d| Some(best.map_or(d, |b| b.min(d))));
        let covered = nearest.is_some_and(|d| d <= radius_m);
        let parts: Vec<_> =
            cell.parts.iter().filter(|p| towns.contains(&p.municipality_code)).collect();
        if parts.iter().map(|p| p.area_km2).sum::<f64>() <= 0.0 {
            continue;
        }
        let mut population = Some(0.0);
        for part in &parts {
            let people = part.population(GROUP);
            population = population.zip(people).map(|(a, b)| a + b);
            if !covered {
                let town =
                    by_town.iter_mut().find(|(code, _)| *code == part.municipality_code).unwrap();
                town.1 = town.1.zip(people).map(|(a, b)| a + b);
            }
        }
        let uncovered = if covered { Some(0.0) } else { population };
        cells.push((cell.code, covered, nearest, population, uncovered));
    }
    (cells, by_town)
}

/// Runs a reference too slow for criterion's ten samples once, records its wall time in
/// `target/criterion/one-run-references.tsv` (read by `scripts/bench-summary.py`, marked as one
/// run) and prints it.
fn timed_once<R>(full_id: &str, run: impl FnOnce() -> R) -> R {
    use std::io::Write;
    let start = std::time::Instant::now();
    let result = run();
    let nanos = start.elapsed().as_nanos();
    eprintln!("{full_id}: {:.3} s (one run, in setup)", nanos as f64 / 1e9);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/criterion");
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("one-run-references.tsv"))
    {
        let _ = writeln!(file, "{full_id}\t{nanos}");
    }
    result
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// The share of each study-area town out of reach, by brute force on a lattice of points about
/// 50 m apart (0.00045° of latitude, 0.00055° of longitude): the points inside the town whose
/// geodesic distance to every station exceeds the radius, over the points inside the town.
fn reference_gap_shares(
    atlas: &Atlas,
    stations: &[geo::Point<f64>],
    radius_m: f64,
) -> Vec<(MunicipalityCode, f64, usize)> {
    use geo::{BoundingRect, Contains};
    atlas
        .study_area()
        .map(|town| {
            let rect = town.boundary.bounding_rect().unwrap();
            let (mut inside, mut out_of_reach) = (0_usize, 0_usize);
            let mut lat = rect.min().y;
            while lat <= rect.max().y {
                let mut lon = rect.min().x;
                while lon <= rect.max().x {
                    let p = geo::Point::new(lon, lat);
                    if town.boundary.contains(&p) {
                        inside += 1;
                        if stations.iter().all(|s| Geodesic.distance(p, *s) > radius_m) {
                            out_of_reach += 1;
                        }
                    }
                    lon += 0.00055;
                }
                lat += 0.00045;
            }
            (town.code, out_of_reach as f64 / inside as f64, inside)
        })
        .collect()
}

/// How far the polygon gap's share of a town may be from the lattice's, in points of the town's
/// area: the 64-gon circles lack 0.16% of a circle's area, and a 50 m lattice miscounts a band
/// along every gap edge.
const POLYGON_SHARE_TOLERANCE: f64 = 0.01;

const GROUP: PopulationGroup = PopulationGroup::Aged75Plus;
const RADIUS_M: f64 = 2000.0;

fn gaps(c: &mut Criterion) {
    let (_dir, _db, atlas) = shipped_atlas();
    let scenario = Scenario::default();
    let query = |resolution| GapQuery {
        kinds: KIND.to_vec(),
        radius_m: RADIUS_M,
        area: None,
        resolution,
        group: GROUP,
    };
    // The grid is part of the snapshot, built once: build it before timing the queries.
    let _ = atlas.grid(MeshLevel::Quarter);
    let stations = stations(&atlas);

    // The whole 250 m answer against the brute-force reference.
    let mesh = atlas.coverage_gaps(&query(GapResolution::Mesh(MeshLevel::Quarter)), &scenario);
    let (cells, by_town) = reference_mesh_gaps(&atlas, &stations, RADIUS_M);
    assert_eq!(
        mesh.cells.len(),
        cells.len(),
        "gaps: the engine reports {} cells, the reference {}",
        mesh.cells.len(),
        cells.len()
    );
    for (got, expected) in mesh.cells.iter().zip(&cells) {
        let ok = got.code == expected.0
            && got.covered == expected.1
            && got.nearest_distance_m == expected.2
            && same(got.population, expected.3)
            && same(got.population_uncovered, expected.4);
        assert!(ok, "gaps: cell {got:?} differs from the brute-force reference {expected:?}");
    }
    assert_eq!(mesh.summary.len(), by_town.len());
    for (got, expected) in mesh.summary.iter().zip(&by_town) {
        assert!(
            got.municipality_code == expected.0 && same(got.population_uncovered, expected.1),
            "gaps: town {got:?} differs from the brute-force reference {expected:?}"
        );
    }

    // The polygons: each town's share out of reach against the lattice, and their people by the
    // one rule, the same as the mesh reference's.
    let polygons = atlas.coverage_gaps(&query(GapResolution::Polygon), &scenario);
    let shares = timed_once(
        "coverage_gaps_three_towns_2km_visiting_nursing/polygons_reference_50m_lattice",
        || reference_gap_shares(&atlas, &stations, RADIUS_M),
    );
    assert_eq!(polygons.polygons.len(), shares.len());
    for (polygon, (code, share, points)) in polygons.polygons.iter().zip(&shares) {
        let area = polygon.gap_area_km2 + polygon.covered_area_km2;
        let engine_share = polygon.gap_area_km2 / area;
        eprintln!(
            "gap polygons {code}: {:.3} km² of {area:.3} km² out of reach ({:.2}%); lattice of {points} points: {:.2}%",
            polygon.gap_area_km2,
            engine_share * 100.0,
            share * 100.0
        );
        assert!(
            polygon.municipality_code == *code
                && (engine_share - share).abs() <= POLYGON_SHARE_TOLERANCE,
            "gap polygons {code}: {engine_share:.4} of the town out of reach, the lattice says \
             {share:.4}"
        );
        let town = by_town.iter().find(|(c, _)| c == code).unwrap();
        assert!(
            same(polygon.population_uncovered, town.1),
            "gap polygons {code}: people out of reach {:?}, the reference {:?}",
            polygon.population_uncovered,
            town.1
        );
    }

    let mut group = bounded_group(c, "coverage_gaps_three_towns_2km_visiting_nursing");
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
    group.sample_size(10);
    group.bench_function("mesh250_reference_brute_force", |b| {
        b.iter(|| black_box(reference_mesh_gaps(&atlas, &stations, RADIUS_M)));
    });
    group.finish();
}

/// E2SFCA by brute force, as PySAL `access` computes it from a full cost table: the geodesic
/// distance of every demand–supply pair, weighted 1, 0.68 or 0.22 by the third of the catchment
/// it falls in (each band including its far edge), R_j = S_j / Σ W·P_i, A_i = Σ W·R_j, and A
/// divided by its population-weighted mean. Returns (raw, normalised) per demand point.
fn reference_e2sfca(
    demand: &[Demand],
    supply: &[Supply],
    catchment_m: f64,
) -> (Vec<f64>, Vec<f64>) {
    let weight = |d: f64| {
        if d <= catchment_m / 3.0 {
            1.0
        } else if d <= 2.0 * catchment_m / 3.0 {
            0.68
        } else if d <= catchment_m {
            0.22
        } else {
            0.0
        }
    };
    let weights: Vec<Vec<f64>> = demand
        .iter()
        .map(|d| {
            supply
                .iter()
                .map(|s| weight(Geodesic.distance(d.position.to_point(), s.position.to_point())))
                .collect()
        })
        .collect();
    let mut reached = vec![0.0; supply.len()];
    for (d, row) in demand.iter().zip(&weights) {
        for (r, w) in reached.iter_mut().zip(row) {
            *r += w * d.population;
        }
    }
    let ratio: Vec<f64> = supply
        .iter()
        .zip(&reached)
        .map(|(s, p)| if *p > 0.0 { s.capacity / p } else { 0.0 })
        .collect();
    let raw: Vec<f64> =
        weights.iter().map(|row| row.iter().zip(&ratio).map(|(w, r)| w * r).sum::<f64>()).collect();
    let people: f64 = demand.iter().map(|d| d.population).sum();
    let mean = demand.iter().zip(&raw).map(|(d, a)| d.population * a).sum::<f64>() / people;
    let normalised = raw.iter().map(|a| if mean > 0.0 { a / mean } else { 0.0 }).collect();
    (raw, normalised)
}

fn accessibility(c: &mut Criterion) {
    let (_dir, _db, atlas) = shipped_atlas();
    let scenario = Scenario::default();
    let grid = atlas.grid(MeshLevel::Quarter);
    let catchment_m = 3000.0;
    let query = AccessibilityQuery {
        kinds: KIND.to_vec(),
        method: CatchmentMethod::Enhanced,
        catchment_m,
        level: MeshLevel::Quarter,
        weight: SupplyWeight::Count,
        group: GROUP,
    };
    // The demand and supply the engine uses: every study-area cell and ring cell whose residents
    // are known, every visiting nursing station.
    let study: Vec<_> = grid
        .study
        .iter()
        .filter_map(|c| {
            Some((c.code, Demand { position: c.center, population: c.population(GROUP)? }))
        })
        .collect();
    let demand: Vec<Demand> =
        study
            .iter()
            .map(|(_, d)| *d)
            .chain(grid.ring.iter().filter_map(|c| {
                Some(Demand { position: c.center, population: c.population(GROUP)? })
            }))
            .collect();
    let supply = atlas.supply(&KIND, &scenario, SupplyWeight::Count);
    let engine = atlas.accessibility(&query, &scenario);
    let (raw, normalised) = timed_once(
        "e2sfca_three_towns_250m_3km_visiting_nursing/reference_all_pairs_brute_force",
        || reference_e2sfca(&demand, &supply, catchment_m),
    );
    assert_eq!(
        engine.len(),
        study.len(),
        "E2SFCA: {} cells scored, {} expected",
        engine.len(),
        study.len()
    );
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
    for (i, cell) in engine.iter().enumerate() {
        assert!(
            cell.code == study[i].0
                && close(cell.raw, raw[i])
                && close(cell.normalised, normalised[i]),
            "E2SFCA: cell {cell:?} differs from the all-pairs reference (raw {}, normalised {})",
            raw[i],
            normalised[i]
        );
    }
    eprintln!(
        "E2SFCA: {} study cells checked against all {} × {} pairs",
        engine.len(),
        demand.len(),
        supply.len()
    );

    let mut group = bounded_group(c, "e2sfca_three_towns_250m_3km_visiting_nursing");
    group.bench_function("indexed", |b| {
        b.iter(|| black_box(atlas.accessibility(&query, &scenario)));
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
    let mut group = bounded_group(c, "what_if_2km_visiting_nursing");
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

/// The facility rows as a bare SELECT reads them: id, kind, name, latitude, longitude.
#[derive(Default)]
struct FacilityRows {
    ids: Vec<String>,
    kinds: Vec<String>,
    names: Vec<String>,
    lats: Vec<f64>,
    lons: Vec<f64>,
}

/// The reference load: the facility rows read with one bare SELECT into vectors, without
/// building anything.
fn reference_select(db: &std::path::Path) -> FacilityRows {
    let connection =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut statement =
        connection.prepare("SELECT id, kind, name, lat, lon FROM facilities ORDER BY id").unwrap();
    let mut rows = statement.query([]).unwrap();
    let mut read = FacilityRows::default();
    while let Some(row) = rows.next().unwrap() {
        read.ids.push(row.get(0).unwrap());
        read.kinds.push(row.get(1).unwrap());
        read.names.push(row.get(2).unwrap());
        read.lats.push(row.get(3).unwrap());
        read.lons.push(row.get(4).unwrap());
    }
    read
}

/// The reference import: the same facility rows written by one bare rusqlite transaction into a
/// fresh table of the same columns (no parsing, placement, checks or other tables).
fn reference_insert(db: &std::path::Path, atlas: &Atlas) -> usize {
    let _ = std::fs::remove_file(db);
    let mut connection = rusqlite::Connection::open(db).unwrap();
    connection
        .execute_batch(
            "CREATE TABLE facilities (id TEXT PRIMARY KEY, source TEXT NOT NULL, \
             source_record_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, \
             address TEXT NOT NULL, municipality_code TEXT NOT NULL, lat REAL NOT NULL, \
             lon REAL NOT NULL, UNIQUE (source, source_record_id)) STRICT;",
        )
        .unwrap();
    let transaction = connection.transaction().unwrap();
    {
        let mut insert = transaction
            .prepare("INSERT INTO facilities VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
            .unwrap();
        for f in atlas.facilities() {
            insert
                .execute(rusqlite::params![
                    f.id.as_str(),
                    f.provenance.source,
                    f.provenance.record_id,
                    f.kind.id(),
                    f.name,
                    f.address,
                    f.municipality_code.to_string(),
                    f.position.lat(),
                    f.position.lon(),
                ])
                .unwrap();
        }
    }
    transaction.commit().unwrap();
    let count: i64 =
        connection.query_row("SELECT count(*) FROM facilities", [], |row| row.get(0)).unwrap();
    usize::try_from(count).unwrap()
}

fn snapshot(c: &mut Criterion) {
    let (dir, db, atlas) = shipped_atlas();
    let ids: Vec<&str> = atlas.facilities().iter().map(|f| f.id.as_str()).collect();
    let loaded = load_atlas(&db).unwrap();
    let selected = reference_select(&db);
    assert!(
        loaded
            .facilities()
            .iter()
            .map(|f| f.id.as_str())
            .eq(selected.ids.iter().map(String::as_str)),
        "load: the snapshot's {} facilities differ from the {} rows selected",
        loaded.facilities().len(),
        selected.ids.len()
    );
    let mut group = bounded_group(c, "snapshot_from_sqlite_shipped_data");
    group.sample_size(10);
    group.bench_function("load_atlas", |b| b.iter(|| black_box(load_atlas(&db).unwrap())));
    group.bench_function("reference_bare_select_facilities", |b| {
        b.iter(|| black_box(reference_select(&db)));
    });
    group.finish();

    // Import: data/ into a fresh database, beside writing the same facility rows bare.
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let fresh = dir.path().join("fresh.db");
    let bare = dir.path().join("bare.db");
    let remove = |db: &std::path::Path| {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
    };
    remove(&fresh);
    import_files(&fresh, std::slice::from_ref(&data), &ImportOptions::default()).unwrap();
    let imported = load_atlas(&fresh).unwrap();
    assert!(
        imported.facilities().iter().map(|f| f.id.as_str()).eq(ids.iter().copied()),
        "import: the imported facilities differ from the shipped snapshot's"
    );
    assert_eq!(reference_insert(&bare, &atlas), ids.len(), "import: the bare insert lost rows");
    let mut group = bounded_group(c, "import_shipped_data");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("import_files", |b| {
        b.iter(|| {
            remove(&fresh);
            black_box(
                import_files(&fresh, std::slice::from_ref(&data), &ImportOptions::default())
                    .unwrap(),
            )
        });
    });
    group.bench_function("reference_bare_insert_facilities", |b| {
        b.iter(|| {
            remove(&bare);
            black_box(reference_insert(&bare, &atlas))
        });
    });
    group.finish();
}

criterion_group!(benches, gaps, accessibility, what_if, snapshot);
criterion_main!(benches);
