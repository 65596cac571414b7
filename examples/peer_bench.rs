//! The Rust side of `make bench-peers` (scripts/bench-peers.sh): writes the inputs the peers
//! (PostGIS, pygeoapi, PySAL `access`) are given, times the engine on exactly those inputs in the
//! same run, and checks the peers' nearest-facility answers against the engine's.
//!
//! `peer_bench prepare DIR` imports `data/` into `DIR/atlas.db` (the database the release server
//! serves in the same run) and writes into `DIR`:
//! - `real_facilities.csv` (`id,kind,lat,lon`) and `facilities.geojson`: the shipped facilities;
//! - `synthetic_1m.csv` (`id,lat,lon`): 1,000,000 SYNTHETIC facilities (`synthetic-…`) drawn by
//!   [`ClusteredSampler`] from the census mesh `data/mesh_population.csv` (seed 2026);
//! - `origins.csv` (`i,lat,lon`): 1,000 query origins, even `i` drawn where people live (seed 7),
//!   odd `i` uniform around the study area (± 0.2°), so both inside and outside the clusters;
//! - `engine_knn_real.csv`, `engine_knn_1m.csv` (`origin,rank,id,distance_m`): the engine's k = 5
//!   nearest of all kinds at every origin;
//! - `e2sfca_demand.csv`, `e2sfca_supply.csv`, `e2sfca_engine.csv`: the E2SFCA inputs of the engine
//!   benchmark (250 m grid of the study area and its ring, 75+ residents, visiting nursing
//!   stations, 3 km catchment) and the engine's scores for the study cells;
//! - `engine_figures.txt`: `name value` lines (mean µs of a k = 5 query at 1M, mean ms of E2SFCA).
//!
//! `peer_bench check-knn ENGINE PEER POSITIONS` compares two answer files: an origin whose five
//! ids differ is accepted only when every id the peer returned instead is, by the engine's own
//! geodesic distance, within [`SPHERE_TOLERANCE`] of the engine's fifth distance (PostGIS's `<->`
//! on geography measures on a sphere, the engine on the WGS84 ellipsoid, so near-ties may swap).
//! Anything else is a real disagreement and the command fails.

#![allow(clippy::print_stdout, reason = "a command-line benchmark tool prints its figures")]

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use care_atlas_core::testing::{ClusteredSampler, SplitMix, origin_around_study_area};
use care_atlas_core::{
    AccessibilityQuery, Atlas, AtlasParts, CatchmentMethod, Demand, FacilityKind, MeshCode,
    MeshLevel, NearestQuery, PopulationGroup, Position, Scenario, SupplyWeight,
};
use care_atlas_loader::{ImportOptions, import_files, store::load_atlas};
use geo::{Distance, Geodesic};

/// Synthetic facilities at the large size, and the seeds of facilities and origins.
const MILLION: usize = 1_000_000;
const FACILITY_SEED: u64 = 2026;
const ORIGIN_SEED: u64 = 7;
const ORIGINS: usize = 1000;
/// Nearest facilities per query, as in the targets.
const K: usize = 5;
/// Rounds over all origins when timing the engine's k-nearest at 1M.
const KNN_ROUNDS: usize = 20;
/// Runs of the engine's E2SFCA when timing it.
const E2SFCA_RUNS: usize = 50;
/// Relative difference between sphere and ellipsoid distances under which two facilities may swap
/// ranks (the sphere's error against WGS84 stays under 0.6% in any direction).
const SPHERE_TOLERANCE: f64 = 0.006;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["prepare", dir] => prepare(Path::new(dir)),
        ["check-knn", engine, peer, positions] => {
            check_knn(Path::new(engine), Path::new(peer), Path::new(positions))
        }
        _ => bail!("usage: peer_bench prepare DIR | peer_bench check-knn ENGINE PEER POSITIONS"),
    }
}

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn prepare(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let db = dir.join("atlas.db");
    for stale in ["atlas.db", "atlas.db-wal", "atlas.db-shm", "atlas.db-journal"] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    import_files(&db, &[repository().join("data")], &ImportOptions::default())?;
    let atlas = load_atlas(&db)?;
    let mut figures = String::new();

    write_real_facilities(&atlas, dir)?;
    let origins = origins()?;
    let mut text = String::from("i,lat,lon\n");
    for (i, o) in origins.iter().enumerate() {
        writeln!(text, "{i},{},{}", o.lat(), o.lon())?;
    }
    write(&dir.join("origins.csv"), &text)?;

    let query = NearestQuery::new(vec![], K, None)?;
    write_answers(&atlas, &origins, &query, &dir.join("engine_knn_real.csv"))?;

    // 1,000,000 synthetic facilities where people live.
    let sampler = sampler()?;
    let mut random = SplitMix(FACILITY_SEED);
    let facilities: Vec<_> = (0..MILLION).map(|n| sampler.facility(n, &mut random)).collect();
    let mut text = String::with_capacity(40 * MILLION);
    text.push_str("id,lat,lon\n");
    for f in &facilities {
        writeln!(text, "{},{},{}", f.id, f.position.lat(), f.position.lon())?;
    }
    write(&dir.join("synthetic_1m.csv"), &text)?;
    let synthetic = Atlas::new(AtlasParts { facilities, ..AtlasParts::default() });
    write_answers(&synthetic, &origins, &query, &dir.join("engine_knn_1m.csv"))?;
    let start = Instant::now();
    let mut found = 0;
    for _ in 0..KNN_ROUNDS {
        for origin in &origins {
            found += std::hint::black_box(synthetic.nearest_services(*origin, &query)).len();
        }
    }
    let mean_us = start.elapsed().as_secs_f64() * 1e6 / (KNN_ROUNDS * origins.len()) as f64;
    assert_eq!(found, KNN_ROUNDS * origins.len() * K, "every query finds {K} facilities");
    writeln!(figures, "engine_knn_1m_mean_us {mean_us}")?;
    drop(synthetic);

    let e2sfca_ms = e2sfca(&atlas, dir)?;
    writeln!(figures, "engine_e2sfca_mean_ms {e2sfca_ms}")?;
    write(&dir.join("engine_figures.txt"), &figures)?;
    print!("{figures}");
    Ok(())
}

/// The shipped facilities as CSV (for PostGIS) and GeoJSON (for pygeoapi's GeoJSON provider).
fn write_real_facilities(atlas: &Atlas, dir: &Path) -> Result<()> {
    let mut text = String::from("id,kind,lat,lon\n");
    let mut features = Vec::new();
    for f in atlas.facilities() {
        if f.id.as_str().contains(',') {
            bail!("facility id {} holds a comma", f.id);
        }
        writeln!(text, "{},{},{},{}", f.id, f.kind.id(), f.position.lat(), f.position.lon())?;
        features.push(serde_json::json!({
            "type": "Feature",
            "id": f.id.as_str(),
            "geometry": {"type": "Point", "coordinates": [f.position.lon(), f.position.lat()]},
            "properties": {"id": f.id.as_str(), "kind": f.kind.id(), "name": f.name},
        }));
    }
    write(&dir.join("real_facilities.csv"), &text)?;
    let collection = serde_json::json!({"type": "FeatureCollection", "features": features});
    write(&dir.join("facilities.geojson"), &serde_json::to_string(&collection)?)
}

/// The census mesh's populated cells as a sampler (total residents per 500 m cell).
fn sampler() -> Result<ClusteredSampler> {
    let text = std::fs::read_to_string(repository().join("data/mesh_population.csv"))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().context("empty mesh_population.csv")?.split(',').collect();
    let column = |name| header.iter().position(|h| *h == name).context(name);
    let (code_at, total_at) = (column("mesh_code")?, column("population_total")?);
    let mut cells = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        let code: MeshCode = fields[code_at].parse().map_err(|e| anyhow::anyhow!("{e:?}"))?;
        // A suppressed cell has no figure: it is never drawn.
        if let Ok(total) = fields[total_at].parse::<f64>() {
            cells.push((code, total));
        }
    }
    ClusteredSampler::new(cells).context("no populated cell")
}

/// Query origins, alternately where people live and anywhere around the study area.
fn origins() -> Result<Vec<Position>> {
    let sampler = sampler()?;
    let mut random = SplitMix(ORIGIN_SEED);
    Ok((0..ORIGINS)
        .map(|i| {
            if i % 2 == 0 {
                sampler.position(&mut random)
            } else {
                origin_around_study_area(&mut random, 0.4)
            }
        })
        .collect())
}

fn write_answers(
    atlas: &Atlas,
    origins: &[Position],
    query: &NearestQuery,
    path: &Path,
) -> Result<()> {
    let mut text = String::from("origin,rank,id,distance_m\n");
    for (i, origin) in origins.iter().enumerate() {
        for n in atlas.nearest_services(*origin, query) {
            writeln!(text, "{i},{},{},{}", n.rank, n.facility.id, n.distance_m)?;
        }
    }
    write(path, &text)
}

/// The E2SFCA inputs of the engine benchmark written out, the engine's scores, and its mean time
/// in milliseconds (`Atlas::accessibility`: supply, demand, pairs and distances, both steps).
fn e2sfca(atlas: &Atlas, dir: &Path) -> Result<f64> {
    let kinds = vec![FacilityKind::VisitingNursingStation];
    let query = AccessibilityQuery {
        kinds: kinds.clone(),
        method: CatchmentMethod::Enhanced,
        catchment_m: 3000.0,
        level: MeshLevel::Quarter,
        weight: SupplyWeight::Count,
        group: PopulationGroup::Aged75Plus,
    };
    let scenario = Scenario::default();
    // The same demand `Atlas::accessibility` builds: study cells with a figure, then ring cells.
    let grid = atlas.grid(MeshLevel::Quarter);
    let study: Vec<(MeshCode, Demand)> = grid
        .study
        .iter()
        .filter_map(|c| {
            Some((c.code, Demand { position: c.center, population: c.population(query.group)? }))
        })
        .collect();
    let ring: Vec<(MeshCode, Demand)> = grid
        .ring
        .iter()
        .filter_map(|c| {
            Some((c.code, Demand { position: c.center, population: c.population(query.group)? }))
        })
        .collect();
    let mut text = String::from("id,lat,lon,population,study\n");
    for (part, cells) in [(1, &study), (0, &ring)] {
        for (code, d) in cells {
            let (lat, lon) = (d.position.lat(), d.position.lon());
            writeln!(text, "{code}-{part},{lat},{lon},{},{part}", d.population)?;
        }
    }
    write(&dir.join("e2sfca_demand.csv"), &text)?;
    let mut text = String::from("id,lat,lon,capacity\n");
    for (j, s) in atlas.supply(&kinds, &scenario, query.weight).iter().enumerate() {
        writeln!(text, "s{j},{},{},{}", s.position.lat(), s.position.lon(), s.capacity)?;
    }
    write(&dir.join("e2sfca_supply.csv"), &text)?;

    let scores = atlas.accessibility(&query, &scenario);
    if scores.len() != study.len() {
        bail!("{} scores for {} study cells", scores.len(), study.len());
    }
    let mut text = String::from("id,raw,normalised\n");
    for s in &scores {
        writeln!(text, "{}-1,{},{}", s.code, s.raw, s.normalised)?;
    }
    write(&dir.join("e2sfca_engine.csv"), &text)?;
    let start = Instant::now();
    for _ in 0..E2SFCA_RUNS {
        std::hint::black_box(atlas.accessibility(&query, &scenario));
    }
    Ok(start.elapsed().as_secs_f64() * 1e3 / E2SFCA_RUNS as f64)
}

/// `origin,rank,id[,…]` rows grouped by origin, ids in rank order.
fn answers(path: &Path) -> Result<BTreeMap<usize, Vec<String>>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let mut by_origin: BTreeMap<usize, Vec<(usize, String)>> = BTreeMap::new();
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        let (origin, rank, id) = (fields[0].parse()?, fields[1].parse()?, fields[2].to_owned());
        by_origin.entry(origin).or_default().push((rank, id));
    }
    Ok(by_origin
        .into_iter()
        .map(|(origin, mut ranked)| {
            ranked.sort();
            (origin, ranked.into_iter().map(|(_, id)| id).collect())
        })
        .collect())
}

/// `i,lat,lon` or `id,…,lat,lon` rows: the position of every id (first column) and origin.
fn positions(path: &Path) -> Result<HashMap<String, Position>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let mut out = HashMap::new();
    for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        let n = fields.len();
        let position = Position::new(fields[n - 2].parse()?, fields[n - 1].parse()?)?;
        out.insert(fields[0].to_owned(), position);
    }
    Ok(out)
}

fn check_knn(engine: &Path, peer: &Path, positions_path: &Path) -> Result<()> {
    let (ours, theirs) = (answers(engine)?, answers(peer)?);
    let origins = positions(&engine.with_file_name("origins.csv"))?;
    let facilities = positions(positions_path)?;
    if ours.len() != theirs.len() {
        bail!("the engine answered {} origins, the peer {}", ours.len(), theirs.len());
    }
    let (mut same_order, mut same_set, mut near_tie) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for (origin, ids) in &ours {
        let Some(peer_ids) = theirs.get(origin) else {
            bail!("the peer has no answer at origin {origin}")
        };
        if ids == peer_ids {
            same_order += 1;
            continue;
        }
        let mut a = ids.clone();
        let mut b = peer_ids.clone();
        a.sort();
        b.sort();
        if a == b {
            same_set += 1;
            continue;
        }
        let at = origins[&origin.to_string()].to_point();
        let distance = |id: &String| -> Result<f64> {
            let p = facilities.get(id).with_context(|| format!("unknown id {id}"))?;
            Ok(Geodesic.distance(at, p.to_point()))
        };
        let fifth = ids.iter().map(&distance).collect::<Result<Vec<_>>>()?;
        let fifth = fifth.iter().copied().fold(0.0, f64::max);
        let mut explained = true;
        for id in peer_ids.iter().filter(|id| !ids.contains(id)) {
            let d = distance(id)?;
            if d > fifth * (1.0 + SPHERE_TOLERANCE) {
                explained = false;
                disagreements.push(format!(
                    "origin {origin}: peer's {id} at {d:.2} m, engine's fifth at {fifth:.2} m"
                ));
            }
        }
        if explained {
            near_tie += 1;
        }
    }
    println!(
        "knn check {}: {} origins; same ids in the same order {same_order}, same ids in another \
         order {same_set}, a near-tie swap (within {:.1}% of the fifth distance) {near_tie}, \
         disagreements {}",
        peer.display(),
        ours.len(),
        SPHERE_TOLERANCE * 100.0,
        disagreements.len()
    );
    if !disagreements.is_empty() {
        for d in disagreements.iter().take(10) {
            println!("  {d}");
        }
        bail!("{} origins where the peer's nearest facilities disagree", disagreements.len());
    }
    Ok(())
}
