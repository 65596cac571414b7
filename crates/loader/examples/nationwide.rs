//! A nationwide scale run over SYNTHETIC Japan-sized data (issue 14): snapshot build time and peak
//! memory, grid build per mesh level, coverage gaps and E2SFCA at 1 km, for one "prefecture" and
//! for the whole "country".
//!
//! There is no nationwide census in `data/`, so the country is made of copies of the real one: the
//! 2020 census 500 m mesh of the three towns and their ring (4,263 cells, with ages), their 32
//! municipal boundaries, small areas and municipal figures, repeated as tiles on a lattice of
//! first-level mesh units (40′ of latitude × 1° of longitude, so every mesh code stays a valid
//! code of the cell it names) in a band from about 31°N 129°E to 45°N 146°E. 100 tiles give
//! 426,300 populated 500 m cells and 3,200 municipalities (codes renumbered `01000`…). Facilities
//! are `synthetic-…`, drawn with [`ClusteredSampler`] where the tiled census puts people: 200,000
//! of all kinds, of which 18,000 visiting nursing stations. The "prefecture" is two neighbouring
//! tiles (64 municipalities, 8,526 cells of 500 m, about Saitama's 3,800 km² of land); the
//! country is every tile. In each scope the study area is the scope's municipalities and every
//! other municipality is a neighbour.
//!
//! Each scope runs in its own child process (so its peak resident memory is its own, read from
//! `/proc/self/status` after `clear_refs` reset it), with a time budget: a stage that has not
//! finished when the budget runs out is reported as such, and the child is killed. Answers are
//! checked against brute force in the run: the nearest-station distance of sampled 250 m cells
//! against a scan of every station, and sampled E2SFCA scores against a sum over every pair.
//!
//! `cargo run --release --locked -p care-atlas-loader --example nationwide` (`make
//! bench-nationwide`); `-- --tiles N` for fewer tiles, `-- --budget S` for the seconds per scope.
//! For profiling one stage, `NATIONWIDE_SKIP_CHECKS=1` skips the checks and
//! `NATIONWIDE_BUILD_ONLY=1` stops a scope after the snapshot build (one scope alone:
//! `target/release/examples/nationwide --tiles 100 --child 100` is the country's child).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::too_many_lines,
    clippy::print_stdout,
    clippy::print_stderr,
    missing_docs,
    reason = "a benchmark program: setup failures should stop it loudly"
)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use care_atlas_core::testing::{ClusteredSampler, SplitMix};
use care_atlas_core::{
    AccessibilityQuery, Atlas, AtlasParts, CatchmentMethod, Demand, FacilityKind, GapQuery,
    GapResolution, MeshCode, MeshLevel, MeshSuppression, MunicipalityCode, PopulationGroup,
    Position, Scenario, SupplyWeight,
};
use care_atlas_loader::{ImportOptions, import_files, store::load_dataset};
use geo::{Distance, Geodesic, MapCoords};

const FACILITIES: usize = 200_000;
const STATIONS: usize = 18_000;
const TILES: usize = 100;
const RADIUS_M: f64 = 2_000.0;
const CATCHMENT_M: f64 = 3_000.0;
const KIND: FacilityKind = FacilityKind::VisitingNursingStation;

/// The tile slots, in first-level mesh units (rows of 40′, columns of 1°) from the real data's
/// place: five columns per row, the rows stepping east as they go north, like Japan's main islands.
fn slots(tiles: usize) -> Vec<(i32, i32)> {
    let mut slots = Vec::new();
    for row in -6..=13 {
        let first = -10 + ((f64::from(row) + 6.0) * 0.6).round() as i32;
        for column in first..first + 5 {
            slots.push((row, column));
        }
    }
    // The prefecture's two tiles first (the row of the real data), then the rest.
    slots.sort_by_key(|&(row, column)| (row != 0, row, column));
    slots.truncate(tiles);
    slots
}

fn shift_code(code: MeshCode, (row, column): (i32, i32)) -> MeshCode {
    let text = code.to_string();
    let lat: i32 = text[0..2].parse().unwrap();
    let lon: i32 = text[2..4].parse().unwrap();
    format!("{:02}{:02}{}", lat + row, lon + column, &text[4..]).parse().unwrap()
}

fn shift_position(p: Position, (row, column): (i32, i32)) -> Position {
    Position::new(p.lat() + f64::from(row) * 2.0 / 3.0, p.lon() + f64::from(column)).unwrap()
}

/// Tile `t`'s code for the `j`-th real municipality: `01000 + 32·t + j`.
fn tile_code(t: usize, j: usize) -> MunicipalityCode {
    format!("{:05}", 1000 + 32 * t + j).parse().unwrap()
}

/// The synthetic country of `tiles` tiles; the first `study_tiles` tiles' municipalities are the
/// study area. Facilities drawn with the seed, the same for every scope.
fn synthetic_country(real: &AtlasParts, tiles: usize, study_tiles: usize) -> AtlasParts {
    let slots = slots(tiles);
    let mut real_municipalities = real.municipalities.clone();
    real_municipalities.sort_by_key(|m| m.code);
    // Figures of municipalities without a boundary in the data are left out of the tiles.
    let index_of = |code: MunicipalityCode| real_municipalities.iter().position(|m| m.code == code);
    let mut parts = AtlasParts::default();
    for (t, &slot) in slots.iter().enumerate() {
        for (j, m) in real_municipalities.iter().enumerate() {
            let mut m = m.clone();
            m.code = tile_code(t, j);
            m.name = format!("synthetic-{t}-{}", m.name);
            m.role = if t < study_tiles {
                care_atlas_core::AreaRole::StudyArea
            } else {
                care_atlas_core::AreaRole::Neighbour
            };
            m.boundary = m.boundary.map_coords(|c| {
                geo::coord! {
                    x: c.x + f64::from(slot.1),
                    y: c.y + f64::from(slot.0) * 2.0 / 3.0,
                }
            });
            parts.municipalities.push(m);
        }
        for p in &real.populations {
            let Some(j) = index_of(p.code) else { continue };
            let mut p = p.clone();
            p.code = tile_code(t, j);
            parts.populations.push(p);
        }
        for a in &real.small_areas {
            let Some(j) = index_of(a.municipality_code) else { continue };
            let mut a = a.clone();
            a.municipality_code = tile_code(t, j);
            a.representative_point = shift_position(a.representative_point, slot);
            parts.small_areas.push(a);
        }
        for c in &real.census_mesh {
            let mut c = *c;
            c.code = shift_code(c.code, slot);
            if let MeshSuppression::MergedInto(into) = c.suppression {
                c.suppression = MeshSuppression::MergedInto(shift_code(into, slot));
            }
            parts.census_mesh.push(c);
        }
    }
    parts.completeness.clone_from(&real.completeness);
    let sampler = ClusteredSampler::new(
        parts.census_mesh.iter().map(|c| (c.code, c.population_total.map_or(0.0, f64::from))),
    )
    .unwrap();
    let mut random = SplitMix(14);
    let others: Vec<FacilityKind> =
        FacilityKind::ALL.iter().copied().filter(|k| *k != KIND).collect();
    parts.facilities = (0..FACILITIES)
        .map(|n| {
            let mut f = sampler.facility(n, &mut random);
            f.kind = if n < STATIONS { KIND } else { others[n % others.len()] };
            f
        })
        .collect();
    parts
}

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn real_parts() -> AtlasParts {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("atlas.db");
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
    import_files(&db, &[data], &ImportOptions::default()).unwrap();
    load_dataset(&db).unwrap().snapshot.parts
}

/// A row of the summary: figure, value, note.
type Row = (String, String, String);

/// One line of a child's report: `figure<TAB>value<TAB>note`.
fn report(figure: &str, value: impl std::fmt::Display, note: &str) {
    println!("{figure}\t{value}\t{note}");
    std::io::stdout().flush().unwrap();
}

fn timed<T>(figure: &str, note: &str, work: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = work();
    report(figure, format!("{:.3} s", start.elapsed().as_secs_f64()), note);
    out
}

/// The run of one scope, in this (child) process.
fn run_scope(tiles: usize, study_tiles: usize) {
    let real = real_parts();
    let parts = synthetic_country(&real, tiles, study_tiles);
    drop(real);
    let stations: Vec<Position> =
        parts.facilities.iter().filter(|f| f.kind == KIND).map(|f| f.position).collect();
    let cells = parts.census_mesh.len();
    report("synthetic populated 500 m cells", cells, "all tiles");
    report(
        "synthetic study-area municipalities",
        parts
            .municipalities
            .iter()
            .filter(|m| m.role == care_atlas_core::AreaRole::StudyArea)
            .count(),
        &format!("of {}", parts.municipalities.len()),
    );
    report("synthetic facilities", parts.facilities.len(), &format!("{STATIONS} visiting nursing"));
    let before_kib = status_kib("VmRSS:");
    // Reset the peak to the current resident size, so the peak below is the build's.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let atlas = timed("snapshot build (Atlas::new)", "", || Atlas::new(parts));
    let peak_kib = status_kib("VmHWM:");
    report(
        "peak RSS during build",
        format!("{} MiB", peak_kib / 1024),
        &format!(
            "inputs resident before: {} MiB; build added {} MiB",
            before_kib / 1024,
            peak_kib.saturating_sub(before_kib) / 1024
        ),
    );
    if std::env::var_os("NATIONWIDE_BUILD_ONLY").is_some() {
        // For profiling the build alone, as `perf record` of the whole child would mix in the
        // grids; `make bench-nationwide` always runs every stage.
        report("stopped after the build", "", "NATIONWIDE_BUILD_ONLY is set");
        report("done", "", "");
        return;
    }
    for (level, name) in [(MeshLevel::Third, "1 km"), (MeshLevel::Quarter, "250 m")] {
        let grid = timed(&format!("grid build {name}"), "", || atlas.grid(level));
        report(
            &format!("grid {name} cells"),
            grid.study.len() + grid.ring.len(),
            &format!("study {} + ring {}", grid.study.len(), grid.ring.len()),
        );
    }
    report("peak RSS after grids", format!("{} MiB", status_kib("VmHWM:") / 1024), "");
    let scenario = Scenario::default();
    let gap_query = GapQuery {
        kinds: vec![KIND],
        radius_m: RADIUS_M,
        area: None,
        resolution: GapResolution::Mesh(MeshLevel::Third),
        group: PopulationGroup::Aged75Plus,
    };
    let start = Instant::now();
    let reach = timed("gaps: 250 m reach (quarter_reach)", "2 km", || {
        atlas.quarter_reach(&gap_query.kinds, RADIUS_M, &scenario)
    });
    let gaps = timed("gaps: 1 km cells + summaries", "", || {
        atlas.coverage_gaps_with(&gap_query, &scenario, &reach)
    });
    let gaps_s = start.elapsed().as_secs_f64();
    report("gap cells at 1 km", gaps.cells.len(), "");
    let access_query = AccessibilityQuery {
        kinds: vec![KIND],
        method: CatchmentMethod::Enhanced,
        catchment_m: CATCHMENT_M,
        level: MeshLevel::Third,
        weight: SupplyWeight::Count,
        group: PopulationGroup::Aged75Plus,
    };
    let start = Instant::now();
    let scores = timed("E2SFCA 1 km (Atlas::accessibility)", "3 km", || {
        atlas.accessibility(&access_query, &scenario)
    });
    let access_s = start.elapsed().as_secs_f64();
    report("gaps + E2SFCA at 1 km", format!("{:.3} s", gaps_s + access_s), "target < 2 s");

    if std::env::var_os("NATIONWIDE_SKIP_CHECKS").is_some() {
        // For profiling the timed stages only; `make bench-nationwide` always checks.
        report("checks skipped", "", "NATIONWIDE_SKIP_CHECKS is set");
        report("done", "", "");
        return;
    }
    // Brute force, by a scan of every station: the reach of sampled 250 m cells, and the nearest
    // station of sampled 1 km gap cells.
    let brute_nearest_m = |centre: Position| {
        stations
            .iter()
            .map(|s| Geodesic.distance(centre.to_point(), s.to_point()))
            .fold(f64::INFINITY, f64::min)
    };
    let quarter = &atlas.grid(MeshLevel::Quarter).study;
    let step = (quarter.len() / 100).max(1);
    let mut checked = 0;
    for i in (0..quarter.len()).step_by(step).take(100) {
        let brute = brute_nearest_m(quarter[i].center);
        assert_eq!(
            reach.covered[i],
            brute <= RADIUS_M,
            "reach of 250 m cell {}: brute-force nearest station {brute} m",
            quarter[i].code
        );
        checked += 1;
    }
    report("checked: 250 m reach = brute force", checked, "250 m cells, scan of every station");
    let step = (gaps.cells.len() / 100).max(1);
    let mut checked = 0;
    for cell in gaps.cells.iter().step_by(step).take(100) {
        let brute = brute_nearest_m(cell.center);
        let fast = cell.nearest_distance_m.unwrap();
        assert!(
            (fast - brute).abs() <= 1e-6,
            "nearest station of 1 km cell {}: engine {fast} m, brute force {brute} m",
            cell.code
        );
        checked += 1;
    }
    report(
        "checked: nearest distance = brute force",
        checked,
        "1 km gap cells, scan of every station",
    );

    // Brute force: E2SFCA scores of sampled cells, summed over every pair (pairs whose latitudes
    // differ by more than 0.1° are skipped: they are over 11 km apart, beyond any catchment).
    let grid = atlas.grid(MeshLevel::Third);
    let demand: Vec<Demand> = grid
        .study
        .iter()
        .filter_map(|c| {
            Some(Demand { position: c.center, population: c.population(access_query.group)? })
        })
        .chain(grid.ring.iter().filter_map(|c| {
            Some(Demand { position: c.center, population: c.population(access_query.group)? })
        }))
        .collect();
    let method = CatchmentMethod::Enhanced;
    let near = |a: Position, b: Position| (a.lat() - b.lat()).abs() <= 0.1;
    let ratio = |s: Position| {
        let weighted: f64 = demand
            .iter()
            .filter(|d| near(d.position, s))
            .map(|d| {
                method.weight(Geodesic.distance(d.position.to_point(), s.to_point()), CATCHMENT_M)
                    * d.population
            })
            .sum();
        if weighted > 0.0 { 1.0 / weighted } else { 0.0 }
    };
    let mut checked = 0;
    let step = (scores.len() / 5).max(1);
    for score in scores.iter().step_by(step).take(5) {
        let centre = atlas
            .grid(MeshLevel::Third)
            .study
            .iter()
            .find(|c| c.code == score.code)
            .unwrap()
            .center;
        let brute: f64 = stations
            .iter()
            .filter(|s| near(centre, **s))
            .map(|s| {
                let w =
                    method.weight(Geodesic.distance(centre.to_point(), s.to_point()), CATCHMENT_M);
                if w > 0.0 { w * ratio(*s) } else { 0.0 }
            })
            .sum();
        assert!(
            (score.raw - brute).abs() <= 1e-9 * brute.abs().max(1e-12),
            "E2SFCA of 1 km cell {}: engine {}, brute force {brute}",
            score.code,
            score.raw
        );
        checked += 1;
    }
    report("checked: E2SFCA raw = brute force", checked, "1 km cells, every pair");
    report("done", "", "");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
    };
    let tiles: usize = value("--tiles").map_or(TILES, |v| v.parse().unwrap());
    if let Some(study_tiles) = value("--child") {
        run_scope(tiles, study_tiles.parse().unwrap());
        return;
    }
    let budget = Duration::from_secs(value("--budget").map_or(200, |v| v.parse().unwrap()));
    let scopes = [("prefecture (2 tiles)", 2.min(tiles)), ("country (all tiles)", tiles)];
    let mut table: Vec<(String, Vec<Row>)> = Vec::new();
    for (name, study_tiles) in scopes {
        eprintln!("nationwide: {name}, budget {} s", budget.as_secs());
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--tiles", &tiles.to_string(), "--child", &study_tiles.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + budget;
        let mut rows = Vec::new();
        let mut finished = false;
        let mut timed_out = false;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    eprintln!("  {line}");
                    let mut fields = line.splitn(3, '\t').map(str::to_owned);
                    let figure = fields.next().unwrap_or_default();
                    if figure == "done" {
                        finished = true;
                        break;
                    }
                    rows.push((
                        figure,
                        fields.next().unwrap_or_default(),
                        fields.next().unwrap_or_default(),
                    ));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    timed_out = true;
                    break;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        if !finished {
            // Stopped by the budget or failed: say so in the table, and stop the child we started.
            let _ = child.kill();
            rows.push(if timed_out {
                (
                    "NOT FINISHED".into(),
                    format!("budget {:.0} s", budget.as_secs_f64()),
                    "the next stage did not complete within the budget".into(),
                )
            } else {
                ("FAILED".into(), String::new(), "the run stopped early: see its stderr".into())
            });
        }
        let status = child.wait().unwrap();
        if finished && !status.success() {
            rows.push(("child exit".into(), status.to_string(), String::new()));
        }
        table.push((name.to_owned(), rows));
    }
    println!(
        "\n## Nationwide scale run (SYNTHETIC data: tiled real census mesh, synthetic facilities)\n"
    );
    println!("measured under load from other sessions unless run in a quiet window\n");
    for (name, rows) in table {
        println!("### {name}\n\n| figure | value | note |\n|---|---|---|");
        for (figure, value, note) in rows {
            println!("| {figure} | {value} | {note} |");
        }
        println!();
    }
}
