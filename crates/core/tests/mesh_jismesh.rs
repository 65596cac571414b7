//! JIS X 0410 mesh codes against the Python `jismesh` package (2.1.0) on 302 points in and around
//! the study area: 220 seeded random points and 82 hand-picked ones on and around 36°N and on cell
//! edges. The fixture and the script that made it are in `tests/fixtures/jismesh/`.
//!
//! For every point and level (80 km to 250 m) our code equals jismesh's, except at the edges listed
//! in [`JISMESH_DIFFERS`], and for every code jismesh gives, our south-west corner is within 1e-12°
//! of jismesh's. Independently of both, every code of ours is checked to contain its point exactly,
//! with error-free products (`mul_add`) instead of our integer arithmetic.
//!
//! jismesh computes in floating point: `lon % 0.0125` and `remainder / 0.00625`, where `0.0125`
//! stands for 1/80° but is a little more. Exact arithmetic and jismesh then differ in two ways,
//! both only on edges, and where they do the point lies outside the cell jismesh names:
//!
//! - A point exactly on a longitude edge (139.609375 = 139° + 195/320°, an `f64` value) gets a
//!   remainder a hair short of the edge from jismesh, which puts it in the cell to the west. On
//!   three third-mesh edges (139.5625, 139.6875, 139.8125) jismesh's quotient rounds up while its
//!   remainder does not, and the cell it names starts a half mesh east of the point. Code digits
//!   are integer parts (floors) of scaled degrees, which give an edge to the cell north or east of
//!   it, as we do.
//! - An edge that is not an `f64` value (36° + 1/120°) is given as its nearest `f64`, which may lie
//!   1e-15° south of the edge; exactly, that point is in the southern cell, and jismesh's rounding
//!   puts it in the northern one. Neither answer is wrong in practice, but ours is exact for the
//!   number given.
//!
//! None of the random points is affected.

use care_atlas_core::{MeshCode, MeshLevel, Position};
use std::cmp::Ordering;

const FIXTURE: &str = include_str!("fixtures/jismesh/mesh_codes.csv");

/// Fixture rows (by `id`) and jismesh levels (1 = 80 km ... 5 = 250 m) where jismesh's code is not
/// the exact one, with the reason (see the module documentation).
const JISMESH_DIFFERS: &[(u32, &[u8], &str)] = &[
    // The nearest f64 lies just south of a latitude edge that is not an f64 value.
    (11, &[5], "35.985416666666666 < 36° - 7/480°"),
    (15, &[5], "35.99375 < 36° - 3/480°"),
    (19, &[5], "36.00208333333333 < 36° + 1/480°"),
    (22, &[3, 4, 5], "36.00833333333333 < 36° + 1/120°"),
    (26, &[3, 4, 5], "36.016666666666666 < 36° + 2/120°"),
    // Exactly on a longitude edge; jismesh puts the point in the cell to the west.
    (40, &[5], "139.609375 = 139° + 195/320°"),
    (50, &[5], "139.640625 = 139° + 205/320°"),
    (55, &[4, 5], "139.65625 = 139° + 210/320°"),
    (58, &[5], "139.484375 = 139° + 155/320°"),
    (60, &[5], "139.515625 = 139° + 165/320°"),
    (61, &[4, 5], "139.53125 = 139° + 170/320°"),
    (62, &[5], "139.546875 = 139° + 175/320°"),
    (64, &[5], "139.578125 = 139° + 185/320°"),
    (65, &[4, 5], "139.59375 = 139° + 190/320°"),
    (66, &[5], "139.671875 = 139° + 215/320°"),
    (68, &[5], "139.703125 = 139° + 225/320°"),
    (69, &[4, 5], "139.71875 = 139° + 230/320°"),
    (70, &[5], "139.734375 = 139° + 235/320°"),
    (72, &[5], "139.765625 = 139° + 245/320°"),
    (73, &[4, 5], "139.78125 = 139° + 250/320°"),
    (74, &[5], "139.796875 = 139° + 255/320°"),
    (76, &[5], "139.828125 = 139° + 265/320°"),
    (77, &[4, 5], "139.84375 = 139° + 270/320°"),
    (78, &[5], "139.859375 = 139° + 275/320°"),
    (81, &[5], "139.609375 = 139° + 195/320°, at a corner"),
    // Exactly on a third-mesh longitude edge; jismesh's quotient rounds up and its remainder does
    // not, so it names the eastern half of the cell east of the edge, a half mesh from the point.
    (63, &[4, 5], "139.5625 = 139° + 45/80°"),
    (67, &[4, 5], "139.6875 = 139° + 55/80°"),
    (75, &[4, 5], "139.8125 = 139° + 65/80°"),
];

/// Quarter arc-seconds per degree, the unit in which mesh corners are integers.
const UNITS_PER_DEGREE: f64 = 14_400.0;

struct Row<'a> {
    id: u32,
    note: &'a str,
    lat: f64,
    lon: f64,
    /// jismesh's code and south-west corner (lat, lon) per level, 80 km first.
    cells: Vec<(&'a str, f64, f64)>,
}

fn rows() -> Vec<Row<'static>> {
    let mut lines = FIXTURE.lines();
    let header = lines.next().expect("a header");
    assert!(header.starts_with("id,note,lat,lon,code1,sw_lat1,sw_lon1,"), "{header}");
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 4 + 3 * 5, "{line}");
            let number = |i: usize| fields[i].parse::<f64>().expect(line);
            Row {
                id: fields[0].parse().expect(line),
                note: fields[1],
                lat: number(2),
                lon: number(3),
                cells: (0..5)
                    .map(|l| (fields[4 + 3 * l], number(5 + 3 * l), number(6 + 3 * l)))
                    .collect(),
            }
        })
        .collect()
}

/// How `degrees × 14400` compares with the integer `units`, exactly: the product is
/// `high + low` with `low = mul_add(degrees, 14400, -high)` computed without rounding.
fn compare_scaled(degrees: f64, units: i64) -> Ordering {
    let high = degrees * UNITS_PER_DEGREE;
    let low = degrees.mul_add(UNITS_PER_DEGREE, -high);
    let order = |a: f64, b: f64| a.partial_cmp(&b).expect("finite values");
    order(high, units as f64).then(order(low, 0.0))
}

/// The cell a code names, read straight from JIS X 0410 (not with our parser): south, west,
/// north and east edges in quarter arc-seconds from 0°N and 0°E.
fn cell_units(code: &str) -> [i64; 4] {
    let d: Vec<i64> = code.bytes().map(|b| i64::from(b - b'0')).collect();
    let mut south = (d[0] * 10 + d[1]) * 9_600;
    let mut west = (100 + d[2] * 10 + d[3]) * 14_400;
    let (mut height, mut width) = (9_600, 14_400);
    if d.len() >= 6 {
        (south, west, height, width) = (south + d[4] * 1_200, west + d[5] * 1_800, 1_200, 1_800);
    }
    if d.len() >= 8 {
        (south, west, height, width) = (south + d[6] * 120, west + d[7] * 180, 120, 180);
    }
    for &quadrant in d.iter().skip(8) {
        (height, width) = (height / 2, width / 2);
        south += (quadrant - 1) / 2 * height;
        west += (quadrant - 1) % 2 * width;
    }
    [south, west, south + height, west + width]
}

/// Whether `(lat, lon)` is in the cell of `code` (its south and west edges included), exactly.
fn contains(code: &str, lat: f64, lon: f64) -> bool {
    let [south, west, north, east] = cell_units(code);
    compare_scaled(lat, south).is_ge()
        && compare_scaled(lat, north).is_lt()
        && compare_scaled(lon, west).is_ge()
        && compare_scaled(lon, east).is_lt()
}

#[test]
fn fixture_covers_the_study_area_and_36_degrees_north() {
    let rows = rows();
    assert_eq!(rows.len(), 302);
    assert_eq!(rows.iter().filter(|r| r.note == "random").count(), 220);
    assert!(rows.iter().any(|r| r.lat.to_bits() == 36.0_f64.to_bits()));
    for row in &rows {
        assert!(
            (35.85..=36.15).contains(&row.lat) && (139.47..=139.87).contains(&row.lon),
            "{}",
            row.id
        );
    }
}

#[test]
fn codes_agree_with_jismesh_except_where_it_rounds_an_edge() {
    let mut differences = Vec::new();
    for row in rows() {
        let position = Position::new(row.lat, row.lon).unwrap();
        for (level, &(theirs, _, _)) in MeshLevel::ALL.into_iter().zip(&row.cells) {
            let ours = MeshCode::of(position, level).unwrap().to_string();
            assert!(
                contains(&ours, row.lat, row.lon),
                "row {}: {ours} does not contain the point",
                row.id
            );
            if ours != theirs {
                // Where jismesh differs, its cell does not contain the point: ours is the right one.
                assert!(
                    !contains(theirs, row.lat, row.lon),
                    "row {}: both {ours} and {theirs}",
                    row.id
                );
                assert!(row.note.contains("edge") || row.note.contains("corner"), "row {}", row.id);
                differences.push((row.id, level.code_len()));
            }
        }
    }
    let level_len = |level: u8| MeshLevel::ALL[usize::from(level) - 1].code_len();
    let mut expected: Vec<(u32, usize)> = JISMESH_DIFFERS
        .iter()
        .flat_map(|&(id, levels, _)| levels.iter().map(move |&level| (id, level_len(level))))
        .collect();
    expected.sort_unstable();
    differences.sort_unstable();
    assert_eq!(differences, expected);
}

#[test]
fn corners_agree_with_jismesh_to_1e_12_degrees() {
    for row in rows() {
        for (level, &(code, sw_lat, sw_lon)) in MeshLevel::ALL.into_iter().zip(&row.cells) {
            let cell: MeshCode = code.parse().unwrap();
            assert_eq!((cell.level(), cell.to_string().as_str()), (level, code));
            let corner = cell.south_west();
            assert!(
                (corner.lat() - sw_lat).abs() <= 1e-12 && (corner.lon() - sw_lon).abs() <= 1e-12,
                "row {}: {code} south-west {corner} vs jismesh {sw_lat}, {sw_lon}",
                row.id
            );
        }
    }
}

#[test]
fn the_exact_check_itself_is_exact() {
    // 36.025 = 36° + 3/120° is not an f64; the nearest one is just below the edge.
    assert_eq!(compare_scaled(36.025, 518_760), Ordering::Less);
    assert_eq!(compare_scaled(36.0, 518_400), Ordering::Equal);
    assert_eq!(compare_scaled(139.609375, 2_010_375), Ordering::Equal);
    assert_eq!(cell_units("5339461134"), [513_810, 2_012_625, 513_840, 2_012_670]);
}
