//! End-to-end tests of `care-atlas import`: the real binary over real SQLite files, importing the
//! shipped `data/` and small files made of real records.

#![allow(clippy::unwrap_used, reason = "test helpers fail the test on setup errors")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn care_atlas(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_care-atlas")).args(args).current_dir(repo()).output().unwrap()
}

fn import(db: &Path, files: &[&Path], extra: &[&str]) -> Output {
    let mut args = vec!["import", "--db", db.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    care_atlas(&args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn import_shipped_data(dir: &Path) -> PathBuf {
    let db = dir.join("atlas.db");
    let out = import(&db, &[&repo().join("data")], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    db
}

/// The counts table of `data/README.md`: (kind id, column) -> cell text.
fn readme_counts() -> (Vec<String>, BTreeMap<(String, usize), String>) {
    let readme = std::fs::read_to_string(repo().join("data/README.md")).unwrap();
    let section = readme
        .split("<!-- BEGIN generated:counts -->")
        .nth(1)
        .unwrap()
        .split("<!-- END generated:counts -->")
        .next()
        .unwrap();
    let mut lines = section.lines().filter(|l| l.starts_with('|'));
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split('|')
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    let mut cells = BTreeMap::new();
    for line in lines.skip(1) {
        let row: Vec<&str> = line.split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
        let kind = row[0].split('`').nth(1).unwrap().to_owned();
        for (column, cell) in row.iter().enumerate().skip(1) {
            cells.insert((kind.clone(), column), (*cell).to_owned());
        }
    }
    (header, cells)
}

#[test]
fn importing_the_shipped_data_gives_the_counts_in_the_data_readme() {
    let dir = tempfile::tempdir().unwrap();
    let db = import_shipped_data(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let count = |kind: &str, filter: &str| -> i64 {
        conn.query_row(
            &format!("SELECT count(*) FROM facilities WHERE kind = ?1 AND {filter}"),
            [kind],
            |r| r.get(0),
        )
        .unwrap()
    };
    let coverage = |kind: &str, scope: &str| -> String {
        conn.query_row(
            "SELECT coverage FROM kind_coverage WHERE kind = ?1 AND scope = ?2",
            [kind, scope],
            |r| r.get(0),
        )
        .unwrap()
    };
    let (header, cells) = readme_counts();
    assert_eq!(header[1..4], ["蓮田市 11238", "白岡市 11246", "宮代町 11442"]);
    let study = "municipality_code IN ('11238', '11246', '11442')";
    let expected_cell = |n: i64, coverage: &str| match coverage {
        "no_source" => "no source".to_owned(),
        "partial" => format!("{n} (partial)"),
        _ => n.to_string(),
    };
    let kinds: Vec<String> = cells
        .keys()
        .map(|(k, _)| k.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(kinds.len(), 17);
    for kind in &kinds {
        let study_coverage = coverage(kind, "study_area");
        for (column, code) in [(1, "11238"), (2, "11246"), (3, "11442")] {
            let n = count(kind, &format!("municipality_code = '{code}'"));
            assert_eq!(
                cells[&(kind.clone(), column)],
                expected_cell(n, &study_coverage),
                "{kind} in {code}"
            );
        }
        assert_eq!(
            cells[&(kind.clone(), 4)],
            expected_cell(count(kind, study), &study_coverage),
            "{kind} in the study area"
        );
        let neighbours = count(kind, &format!("NOT {study}"));
        assert_eq!(
            cells[&(kind.clone(), 5)],
            expected_cell(neighbours, &coverage(kind, "neighbours_10km")),
            "{kind} in neighbours"
        );
    }
    // The figures the issue names, checked directly as well.
    for (kind, n) in [
        ("visiting_nursing_station", 13),
        ("hospital", 7),
        ("clinic", 55),
        ("dental_clinic", 52),
        ("pharmacy", 59),
        ("care_management_office", 36),
    ] {
        assert_eq!(count(kind, study), n, "{kind}");
    }
    // The 厚生局's register (SOURCES.md §22, §24): 在宅療養支援診療所・病院 6/7/0 and 在宅療養支援歯科診療所
    // 4/6/1 in 蓮田市/白岡市/宮代町, each town's count complete as of the sheet's date.
    let home_care = "kind IN ('home_care_clinic', 'home_care_hospital')";
    for (code, medical, dental) in [("11238", 6, 4), ("11246", 7, 6), ("11442", 0, 1)] {
        let town = format!("municipality_code = '{code}'");
        let n: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM facilities WHERE {home_care} AND {town}"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, medical, "在支診/在支病 in {code}");
        assert_eq!(count("home_care_dental_clinic", &town), dental, "歯援診 in {code}");
    }
    for kind in ["home_care_clinic", "home_care_hospital", "home_care_dental_clinic"] {
        assert_eq!(coverage(kind, "study_area"), "complete", "{kind}");
        assert_eq!(coverage(kind, "neighbours_10km"), "partial", "{kind}");
    }
    // 地域包括支援センター has no source: no rows, and a statement saying so.
    assert_eq!(count("community_support_center", "1"), 0);
    assert_eq!(coverage("community_support_center", "study_area"), "no_source");
}

#[test]
fn the_shipped_data_keeps_japanese_text_and_flags_approximate_positions() {
    let dir = tempfile::tempdir().unwrap();
    let db = import_shipped_data(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (name, precision): (String, String) = conn
        .query_row("SELECT name, position_precision FROM facilities WHERE source = 'mhlw-kaigo-130' AND name LIKE '%雅楽谷の森%'", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(
        name, "独立行政法人国立病院機構東埼玉病院\u{3000}訪問看護ステーション\u{3000}雅楽谷の森",
        "full-width spaces kept as published"
    );
    assert_eq!(precision, "source");
    // The 居宅介護支援 office published with coordinates in Kyushu is repaired to its town.
    let (lat, note): (f64, String) = conn
        .query_row(
            "SELECT lat, position_note FROM facilities WHERE id = 'mhlw-kaigo-430-1175700804'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!((36.0..36.1).contains(&lat), "{lat}");
    assert!(note.contains("大字上平野"), "{note}");
    let geocoded: i64 = conn.query_row("SELECT count(*) FROM facilities WHERE position_precision = 'geocoded_town' AND position_note IS NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(geocoded, 0, "every approximate position says why");
}

#[test]
fn reimporting_the_same_files_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = import_shipped_data(dir.path());
    let dump = |db: &Path| -> Vec<String> {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut statement = conn.prepare("SELECT id || '|' || name || '|' || lat || '|' || lon || '|' || coalesce(position_note, '') FROM facilities ORDER BY id").unwrap();
        statement.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let before = dump(&db);
    let out = import(&db, &[&repo().join("data")], &[]);
    assert!(out.status.success());
    let summary = text(&out.stdout);
    let visiting = summary.lines().find(|l| l.starts_with("visiting_nursing_station")).unwrap();
    assert_eq!(
        visiting.split_whitespace().collect::<Vec<_>>(),
        ["visiting_nursing_station", "224", "0", "0", "224", "0"]
    );
    assert_eq!(dump(&db), before);
}

const NURSING_HEADER: &str = "jigyosho_no,name,address,lat,lng\n";

#[test]
fn row_errors_name_file_and_line_and_good_rows_still_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = import_shipped_data(dir.path());
    let file = dir.path().join("nursing.csv");
    let rows = [
        // Line 2: as published, inside 蓮田市.
        "1165790043,コスモ訪問看護リハビリステーション蓮田,埼玉県蓮田市東５－８－２８,35.97836,139.6559",
        // Line 3: no coordinates: placed at the town point of 蓮田一丁目.
        "1165790100,えふ訪問看護,埼玉県蓮田市蓮田１丁目８４－２,,",
        // Line 4: the same record again.
        "1165790043,コスモ訪問看護リハビリステーション蓮田,埼玉県蓮田市東５－８－２８,35.97836,139.6559",
        // Line 5: coordinates far away for an address the gazetteer cannot place.
        "0661590034,訪問看護ステーション和来おいたま,山形県長井市,35.97416,139.77032",
        // Line 6: cut short.
        "1161190099,幸せの羽",
    ];
    std::fs::write(&file, format!("{NURSING_HEADER}{}\n", rows.join("\n"))).unwrap();
    let out = import(&db, &[&file], &["--source", "test-nursing"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let path = file.display();
    assert!(stderr.contains(&format!("{path}:4: record 1165790043 (コスモ訪問看護リハビリステーション蓮田): duplicate of the record at {path}:2")), "{stderr}");
    assert!(
        stderr.contains(&format!("{path}:5: record 0661590034"))
            && stderr.contains("the address is in 山形県"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{path}:6: row has 2 field(s) where the header has 5")),
        "{stderr}"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut statement = conn.prepare("SELECT source_record_id, position_precision FROM facilities WHERE source = 'test-nursing' ORDER BY 1").unwrap();
    let imported: Vec<(String, String)> = statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        imported,
        [
            ("1165790043".to_owned(), "source".to_owned()),
            ("1165790100".to_owned(), "geocoded_town".to_owned())
        ]
    );
}

fn digest(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_failing_import_leaves_the_database_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let db = import_shipped_data(dir.path());
    let before = digest(&db);

    // A file of no known layout, named after a good one: fatal before anything is written.
    let unknown = dir.path().join("unknown.csv");
    std::fs::write(&unknown, "名前,場所\nA,B\n").unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(&good, format!("{NURSING_HEADER}1165790043,コスモ訪問看護リハビリステーション蓮田,埼玉県蓮田市東５－８－２８,35.97836,139.6559\n")).unwrap();
    let out = import(&db, &[&good, &unknown], &["--source", "test-fatal"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("unrecognised layout")
            && text(&out.stderr).contains("the database is unchanged"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(digest(&db), before);

    // --strict with one bad row among good ones.
    let mixed = dir.path().join("mixed.csv");
    std::fs::write(&mixed, format!("{NURSING_HEADER}1165790043,コスモ訪問看護リハビリステーション蓮田,埼玉県蓮田市東５－８－２８,35.97836,139.6559\n1165790100,えふ訪問看護,埼玉県蓮田市,北緯35,139.6\n")).unwrap();
    let out = import(&db, &[&mixed], &["--strict", "--source", "test-strict"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("1 bad row(s) and --strict was given"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(digest(&db), before);
    assert!(!db.with_extension("db-wal").exists());

    // A failing import into a new database creates none.
    let fresh = dir.path().join("fresh.db");
    let out = import(&fresh, &[&mixed], &["--strict"]);
    assert!(!out.status.success());
    assert!(!fresh.exists());
}

#[test]
fn an_unknown_format_name_is_refused_with_the_list() {
    let out = care_atlas(&["import", "--format", "xlsx", "data"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("unknown format `xlsx`; one of: facilities"),
        "{}",
        text(&out.stderr)
    );
}

/// 宮代町 as an N03 file states it: no study-area role.
const N03_MIYASHIRO: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"N03_001":"埼玉県","N03_002":null,"N03_003":"南埼玉郡","N03_004":"宮代町","N03_007":"11442"},"geometry":{"type":"Polygon","coordinates":[[[139.70,36.00],[139.75,36.00],[139.75,36.05],[139.70,36.05],[139.70,36.00]]]}},
{"type":"Feature","properties":{"N03_001":"埼玉県","N03_002":null,"N03_003":null,"N03_004":"春日部市","N03_007":"11214"},"geometry":{"type":"Polygon","coordinates":[[[139.75,36.00],[139.80,36.00],[139.80,36.05],[139.75,36.05],[139.75,36.00]]]}}
]}"#;

fn roles(db: &Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut statement =
        conn.prepare("SELECT code, role FROM municipalities ORDER BY code").unwrap();
    statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_boundary_file_without_roles_takes_the_study_area_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let n03 = dir.path().join("n03.geojson");
    std::fs::write(&n03, N03_MIYASHIRO).unwrap();
    let db = dir.path().join("atlas.db");

    let out = import(&db, &[&n03], &[]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}: the file states no role (study area or neighbour) for 宮代町 (11442)",
            n03.display()
        )) && stderr.contains("--study-area"),
        "{stderr}"
    );
    assert!(!db.exists(), "a refused import creates no database");

    let out = import(&db, &[&n03], &["--study-area", "11442"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        roles(&db),
        [
            ("11214".to_owned(), "neighbour".to_owned()),
            ("11442".to_owned(), "study_area".to_owned())
        ]
    );

    let out = import(&db, &[&n03], &["--study-area", "11442,1144"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("`1144` is not a municipality code"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_boundary_file_without_roles_keeps_the_roles_already_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let n03 = dir.path().join("n03.geojson");
    std::fs::write(&n03, N03_MIYASHIRO).unwrap();
    let db = import_shipped_data(dir.path());
    let shipped = roles(&db);
    assert!(shipped.contains(&("11442".to_owned(), "study_area".to_owned())));
    assert!(import(&db, &[&n03], &[]).status.success());
    assert_eq!(roles(&db), shipped);
}
