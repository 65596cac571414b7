//! Property tests (proptest) of the engine's invariants that need no data: the spatial index's
//! nearest answers equal a brute-force geodesic sort from any origin on Earth, over uniform and
//! tightly clustered entries with exact ties; and every mesh level's code round trip.
//!
//! Failing cases are kept in `tests/properties.proptest-regressions` and replayed first.

#![allow(clippy::unwrap_used, reason = "strategies only make valid values")]

use care_atlas_core::{
    LocalFrame, MeshCode, MeshLevel, Neighbour, Position, PositionIndex, k_nearest_in,
};
use geo::{Distance, Geodesic};
use proptest::prelude::*;

/// Every entry with its geodesic distance from `origin`, nearest first, ties by value.
fn brute_force(entries: &[(Position, u32)], origin: Position) -> Vec<(u32, f64)> {
    let mut all: Vec<(u32, f64)> = entries
        .iter()
        .map(|(p, v)| (*v, Geodesic.distance(origin.to_point(), p.to_point())))
        .collect();
    all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    all
}

fn values(found: &[Neighbour<'_, u32>]) -> Vec<(u32, f64)> {
    found.iter().map(|n| (*n.value, n.distance_m)).collect()
}

fn position(lat: f64, lon: f64) -> Position {
    Position::new(lat, lon).unwrap()
}

/// Entries over the study area and its ring (35.85–36.15°N, 139.47–139.87°E): uniform, or a few
/// clusters 20 m across, with every fifth entry an exact duplicate of the one before (a tie).
fn entries() -> impl Strategy<Value = Vec<(Position, u32)>> {
    let uniform = prop::collection::vec((35.85..36.15_f64, 139.47..139.87_f64), 1..120);
    let clustered = (
        prop::collection::vec((35.85..36.15_f64, 139.47..139.87_f64), 1..4),
        prop::collection::vec((0_usize..4, -0.0001..0.0001_f64, -0.0001..0.0001_f64), 1..120),
    )
        .prop_map(|(centres, offsets)| {
            offsets
                .into_iter()
                .map(|(c, dlat, dlon)| {
                    let (lat, lon) = centres[c % centres.len()];
                    (lat + dlat, lon + dlon)
                })
                .collect()
        });
    prop_oneof![uniform, clustered].prop_map(|points: Vec<(f64, f64)>| {
        let mut entries: Vec<(Position, u32)> = Vec::with_capacity(points.len());
        for (value, (lat, lon)) in points.into_iter().enumerate() {
            let at = match entries.last() {
                Some((previous, _)) if value % 5 == 4 => *previous,
                _ => position(lat, lon),
            };
            entries.push((at, u32::try_from(value).unwrap()));
        }
        entries
    })
}

/// Where a question may come from: inside the data, exactly on an entry, on the corners of its
/// extent, across Japan, or anywhere on Earth (poles and the antimeridian included).
#[derive(Debug, Clone)]
enum Origin {
    Inside(f64, f64),
    OnEntry(usize),
    Corner(u8),
    Japan(f64, f64),
    Anywhere(f64, f64),
}

fn origins() -> impl Strategy<Value = Origin> {
    prop_oneof![
        (35.85..36.15_f64, 139.47..139.87_f64).prop_map(|(a, o)| Origin::Inside(a, o)),
        any::<usize>().prop_map(Origin::OnEntry),
        (0_u8..4).prop_map(Origin::Corner),
        (24.0..45.6_f64, 122.9..154.0_f64).prop_map(|(a, o)| Origin::Japan(a, o)),
        (-90.0..=90.0_f64, -180.0..=180.0_f64).prop_map(|(a, o)| Origin::Anywhere(a, o)),
        Just(Origin::Anywhere(-90.0, 0.0)),
        Just(Origin::Anywhere(90.0, 180.0)),
        Just(Origin::Anywhere(-36.0, -40.33)),
    ]
}

fn resolve(origin: &Origin, entries: &[(Position, u32)]) -> Position {
    match *origin {
        Origin::Inside(lat, lon) | Origin::Japan(lat, lon) | Origin::Anywhere(lat, lon) => {
            position(lat, lon)
        }
        Origin::OnEntry(i) => entries[i % entries.len()].0,
        Origin::Corner(corner) => {
            let lats = entries.iter().map(|(p, _)| p.lat());
            let lons = entries.iter().map(|(p, _)| p.lon());
            let lat = if corner % 2 == 0 {
                lats.fold(f64::INFINITY, f64::min)
            } else {
                lats.fold(f64::NEG_INFINITY, f64::max)
            };
            let lon = if corner / 2 == 0 {
                lons.fold(f64::INFINITY, f64::min)
            } else {
                lons.fold(f64::NEG_INFINITY, f64::max)
            };
            position(lat, lon)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn nearest_equals_a_brute_force_geodesic_sort_from_anywhere(
        entries in entries(),
        origin in origins(),
        k in 1_usize..30,
        max_distance_m in prop::option::of(0.0..20_000_000.0_f64),
    ) {
        let origin = resolve(&origin, &entries);
        let frame = LocalFrame::for_positions(entries.iter().map(|(p, _)| p));
        let index = PositionIndex::new(entries.iter().copied(), frame);
        let expected = brute_force(&entries, origin);

        let lazily: Vec<Neighbour<'_, u32>> = index.nearest_iter(origin).collect();
        prop_assert_eq!(values(&lazily), expected.clone());
        prop_assert_eq!(index.nearest_distance_m(origin), Some(expected[0].1));

        let want: Vec<(u32, f64)> = expected
            .iter()
            .copied()
            .filter(|(_, d)| max_distance_m.is_none_or(|m| *d <= m))
            .take(k)
            .collect();
        prop_assert_eq!(values(&index.k_nearest(origin, k, max_distance_m, None)), want.clone());
        // The same entries split over two indexes, merged as the atlas merges kinds.
        let parts: Vec<PositionIndex<u32>> = (0..2)
            .map(|part| {
                PositionIndex::new(entries.iter().copied().filter(|(_, v)| v % 2 == part), frame)
            })
            .collect();
        let parts: Vec<&PositionIndex<u32>> = parts.iter().collect();
        prop_assert_eq!(values(&k_nearest_in(&parts, origin, k, max_distance_m, None)), want);
    }
}

fn levels() -> impl Strategy<Value = MeshLevel> {
    prop::sample::select(MeshLevel::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Mesh codes cover 0°–66°40′N and 100°E–180°; a position there has a cell at every level
    /// that contains it, and the cell's code reads back as itself.
    #[test]
    fn a_mesh_code_contains_its_point_and_reads_back_as_itself(
        lat in 0.0..66.66_f64,
        lon in 100.0..180.0_f64,
        level in levels(),
    ) {
        let at = position(lat, lon);
        let code = MeshCode::of(at, level).unwrap();
        prop_assert_eq!(code.level(), level);
        // Corners are rounded to f64, so containment allows a nanodegree (0.1 mm).
        let (south_west, north_east) = (code.south_west(), code.north_east());
        prop_assert!(south_west.lat() <= lat + 1e-9 && lat < north_east.lat() + 1e-9);
        prop_assert!(south_west.lon() <= lon + 1e-9 && lon < north_east.lon() + 1e-9);
        prop_assert_eq!(MeshCode::of(code.center(), level), Some(code));
        prop_assert_eq!(MeshCode::covering(lat, lon, lat, lon, level), vec![code]);
        let text = code.to_string();
        prop_assert_eq!(text.len(), level.code_len());
        prop_assert_eq!(text.parse::<MeshCode>(), Ok(code));
        // Each coarser cell holds the point too: the parent chain is the chain of cells.
        let mut cell = code;
        while let Some(parent) = cell.parent() {
            prop_assert_eq!(MeshCode::of(at, parent.level()), Some(parent));
            prop_assert!(text.starts_with(&parent.to_string()));
            cell = parent;
        }
    }

    /// Outside the covered area there is no code, at any level.
    #[test]
    fn no_mesh_code_outside_the_area_codes_cover(
        lat in -90.0..=90.0_f64,
        lon in -180.0..=180.0_f64,
        level in levels(),
    ) {
        let covered = (0.0..66.0 + 40.0 / 60.0).contains(&lat) && (100.0..180.0).contains(&lon);
        prop_assume!(!covered);
        prop_assert_eq!(MeshCode::of(position(lat, lon), level), None);
    }
}
