//! 2SFCA and E2SFCA against PySAL `access` on real inputs: the study area's census small areas
//! (population > 0) as demand and every visiting nursing station of the data set as supply, with
//! catchments of 2 km and 5 km. The fixture and the script that made it are in
//! `tests/fixtures/pysal_access/`.
//!
//! Scores agree to a relative 1e-9: `|ours − pysal| ≤ 1e-9 · |pysal|`. Where PySAL leaves a
//! demand point that reaches no station as NaN, ours is exactly 0 (see the `accessibility` module
//! documentation).

use care_atlas_core::{CatchmentMethod, Demand, Position, Supply, floating_catchment};
use geo::{Distance, Geodesic};

const DEMAND: &str = include_str!("fixtures/pysal_access/demand.csv");
const SUPPLY: &str = include_str!("fixtures/pysal_access/supply.csv");
const DISTANCES: &str = include_str!("fixtures/pysal_access/distances.csv");
const SCORES: &str = include_str!("fixtures/pysal_access/scores.csv");

/// The largest catchment of the fixture: `distances.csv` holds the pairs within it.
const LARGEST_CATCHMENT_M: f64 = 5000.0;

/// The header and the rows of a fixture CSV (no quoting: the fixture has no commas in fields).
fn table(text: &str) -> (Vec<&str>, Vec<Vec<&str>>) {
    let mut lines = text.lines();
    let header = lines.next().expect("a header").split(',').collect();
    (header, lines.map(|l| l.split(',').collect()).collect())
}

fn number(field: &str) -> f64 {
    if field == "nan" {
        f64::NAN
    } else {
        field.parse().unwrap_or_else(|e| panic!("{field:?}: {e}"))
    }
}

fn position(row: &[&str]) -> Position {
    Position::new(number(row[1]), number(row[2])).expect("a valid position")
}

fn demand() -> (Vec<String>, Vec<Demand>) {
    let (header, rows) = table(DEMAND);
    assert_eq!(header, ["id", "lat", "lon", "population"]);
    let ids = rows.iter().map(|r| r[0].to_owned()).collect();
    (ids, rows.iter().map(|r| Demand { position: position(r), population: number(r[3]) }).collect())
}

fn supply() -> Vec<Supply> {
    let (header, rows) = table(SUPPLY);
    assert_eq!(header, ["id", "lat", "lon", "capacity"]);
    rows.iter().map(|r| Supply { position: position(r), capacity: number(r[3]) }).collect()
}

/// PySAL's scores in `column` (e.g. `e2sfca_5000_normalised`), by demand id.
fn pysal(column: &str) -> Vec<(String, f64)> {
    let (header, rows) = table(SCORES);
    let at =
        header.iter().position(|h| *h == column).unwrap_or_else(|| panic!("no column {column}"));
    rows.iter().map(|r| (r[0].to_owned(), number(r[at]))).collect()
}

fn assert_agrees(ids: &[String], ours: &[f64], column: &str) {
    let reference = pysal(column);
    assert_eq!(ours.len(), reference.len(), "{column}");
    for ((id, ours), (reference_id, theirs)) in ids.iter().zip(ours).zip(&reference) {
        assert_eq!(id, reference_id, "{column}: demand order");
        if theirs.is_nan() {
            assert_eq!(
                ours.to_bits(),
                0f64.to_bits(),
                "{column} {id}: PySAL has NaN (no station in reach), we have {ours}"
            );
        } else {
            assert!(
                (ours - theirs).abs() <= 1e-9 * theirs.abs(),
                "{column} {id}: ours {ours}, PySAL {theirs}"
            );
        }
    }
}

fn check(catchment_m: f64, method: CatchmentMethod, name: &str) {
    let (ids, demand) = demand();
    let scores = floating_catchment(&demand, &supply(), catchment_m, method);
    let column = format!("{name}_{catchment_m}");
    assert_agrees(&ids, &scores.raw, &format!("{column}_raw"));
    assert_agrees(&ids, &scores.normalised, &format!("{column}_normalised"));
}

#[test]
fn two_step_matches_pysal_at_2_km() {
    check(2000.0, CatchmentMethod::TwoStep, "2sfca");
}

#[test]
fn two_step_matches_pysal_at_5_km() {
    check(5000.0, CatchmentMethod::TwoStep, "2sfca");
}

#[test]
fn enhanced_matches_pysal_at_2_km() {
    check(2000.0, CatchmentMethod::Enhanced, "e2sfca");
}

#[test]
fn enhanced_matches_pysal_at_5_km() {
    check(5000.0, CatchmentMethod::Enhanced, "e2sfca");
}

#[test]
fn the_fixture_exercises_unreached_demand_and_unused_supply() {
    assert!(pysal("2sfca_2000_raw").iter().any(|(_, a)| a.is_nan()));
    let (_, demand) = demand();
    let supply = supply();
    assert!(
        demand.len() > 100 && supply.len() > 100,
        "{} demand, {} supply",
        demand.len(),
        supply.len()
    );
}

#[test]
fn our_geodesic_distances_are_the_ones_pysal_was_given() {
    let (_, demand) = demand();
    let supply = supply();
    let (header, rows) = table(DISTANCES);
    assert_eq!(header, ["demand", "supply", "distance_m"]);
    let mut listed = std::collections::BTreeSet::new();
    for r in &rows {
        let (i, j): (usize, usize) =
            (r[0].parse().expect("an index"), r[1].parse().expect("an index"));
        let ours = Geodesic.distance(demand[i].position.to_point(), supply[j].position.to_point());
        assert!(
            (ours - number(r[2])).abs() < 1e-6,
            "pair {i}-{j}: ours {ours} m, geographiclib {}",
            r[2]
        );
        listed.insert((i, j));
    }
    // Every pair within the largest catchment is listed, and no other.
    for (i, d) in demand.iter().enumerate() {
        for (j, s) in supply.iter().enumerate() {
            let within = Geodesic.distance(d.position.to_point(), s.position.to_point())
                <= LARGEST_CATCHMENT_M;
            assert_eq!(within, listed.contains(&(i, j)), "pair {i}-{j}");
        }
    }
}
