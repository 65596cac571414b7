//! End-to-end tests of what `care-atlas import` refuses and of the database `serve` reads: hostile
//! records refused with file and line, a failed import changing nothing (not even the schema), an
//! empty or half-made database refused by `serve`, `serve` in a read-only folder, two imports at
//! once, and `kill -9` of an import at random points (`CARE_ATLAS_CRASH_RUNS`, 5 by default;
//! `make crash-test` runs 40).

#![allow(clippy::unwrap_used, reason = "test helpers fail the test on setup errors")]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use care_atlas_loader::LoadError;
use care_atlas_loader::store::load_dataset;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_care-atlas")
}

fn import_command(db: &Path, files: &[&Path], extra: &[&str]) -> Command {
    let mut command = Command::new(binary());
    command.arg("import").arg("--db").arg(db).args(extra).args(files).current_dir(repo());
    command
}

fn import(db: &Path, files: &[&Path], extra: &[&str]) -> Output {
    import_command(db, files, extra).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn import_shipped_data(db: &Path) {
    let out = import(db, &[&repo().join("data")], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Every file of a folder with its bytes, to show that nothing in it changed.
fn folder_state(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let bytes = if path.is_file() { std::fs::read(&path).unwrap() } else { Vec::new() };
            (path.file_name().unwrap().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

fn query_i64(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The first feature of the shipped boundaries with its outer ring replaced by `ring`.
fn boundary_file(dir: &Path, name: &str, ring: &[(f64, f64)]) -> PathBuf {
    let shipped = std::fs::read_to_string(repo().join("data/municipalities.geojson")).unwrap();
    let mut collection: serde_json::Value = serde_json::from_str(&shipped).unwrap();
    let features = collection["features"].as_array_mut().unwrap();
    features.truncate(1);
    let ring: Vec<serde_json::Value> =
        ring.iter().map(|(x, y)| serde_json::json!([x, y])).collect();
    features[0]["geometry"] = serde_json::json!({"type": "MultiPolygon", "coordinates": [[ring]]});
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string(&collection).unwrap()).unwrap();
    path
}

/// A closed ring of `n` vertices round a point of 杉戸町.
fn circle(n: usize) -> Vec<(f64, f64)> {
    let mut ring: Vec<(f64, f64)> = (0..n - 1)
        .map(|i| {
            #[allow(clippy::cast_precision_loss, reason = "small counts")]
            let a = std::f64::consts::TAU * i as f64 / (n - 1) as f64;
            (139.75 + 0.01 * a.cos(), 36.03 + 0.01 * a.sin())
        })
        .collect();
    ring.push(ring[0]);
    ring
}

/// The header and the first row of the shipped facilities, with the row's fields changed by
/// `edit`.
fn facility_file(dir: &Path, name: &str, edit: impl Fn(&mut Vec<String>)) -> PathBuf {
    let shipped = std::fs::read_to_string(repo().join("data/facilities.csv")).unwrap();
    let mut lines = shipped.lines();
    let header = lines.next().unwrap();
    // The first row quotes nothing, so its fields are its comma-separated parts.
    let mut row: Vec<String> = lines.next().unwrap().split(',').map(str::to_owned).collect();
    assert_eq!(row.len(), header.split(',').count());
    edit(&mut row);
    let path = dir.join(name);
    std::fs::write(&path, format!("{header}\n{}\n", row.join(","))).unwrap();
    path
}

#[test]
fn hostile_records_are_refused_with_file_and_line_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("atlas.db");
    import_shipped_data(&db);
    let before = std::fs::read(&db).unwrap();

    let mut far = circle(5);
    far[2].0 = 1000.0;
    let far = boundary_file(dir.path(), "far.geojson", &far);
    let huge = boundary_file(dir.path(), "huge.geojson", &circle(100_001));
    let long_name = facility_file(dir.path(), "long.csv", |row| row[2] = "名".repeat(201));
    let control = facility_file(dir.path(), "control.csv", |row| row[4].push('\u{7}'));
    let script = facility_file(dir.path(), "script.csv", |row| {
        row[11] = "javascript:alert(1)".to_owned();
    });

    for (file, expected) in [
        (
            &far,
            "far.geojson:feature 1: record 08204 (古河市): boundary vertex 3 36.03, 1000 is outside Japan",
        ),
        (
            &huge,
            "huge.geojson:feature 1: record 08204 (古河市): the boundary has 100001 vertices, more than the 100000 allowed",
        ),
        (&long_name, "long.csv:2: record 11-0301101 (名名名"),
        (&long_name, "name is 201 characters long, more than the 200 allowed"),
        (
            &control,
            "control.csv:2: record 11-0301101 (医療法人社団　双愛会　大宮双愛病院): address holds the control character U+0007 at character 18",
        ),
    ] {
        let out = import(&db, &[file], &[]);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(stderr.contains("the database is unchanged"), "{stderr}");
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
        assert_eq!(std::fs::read(&db).unwrap(), before);
    }

    // A link that is not http(s) is left out of an otherwise good record, and said so.
    let out = import(&db, &[&script], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("left out: ")
            && text(&out.stderr).contains("script.csv:2: record 11-0301101"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(query_i64(&db, "SELECT count(*) FROM facilities WHERE url LIKE 'javascript%'"), 0);
}

#[test]
fn a_failing_import_does_not_migrate_an_older_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("atlas.db");
    import_shipped_data(&db);
    // The state the fifth migration (census mesh) starts from.
    let connection = rusqlite::Connection::open(&db).unwrap();
    connection.execute_batch("DROP TABLE mesh_population; PRAGMA user_version = 4;").unwrap();
    drop(connection);
    let before = std::fs::read(&db).unwrap();

    let mut far = circle(5);
    far[2].1 = -95.0;
    let far = boundary_file(dir.path(), "far.geojson", &far);
    let out = import(&db, &[&far], &[]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("nothing was imported"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(query_i64(&db, "PRAGMA user_version"), 4);

    // A good import migrates and writes together.
    let out = import(&db, &[&repo().join("data/mesh_population.csv")], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(query_i64(&db, "PRAGMA user_version"), 5);
    assert_eq!(query_i64(&db, "SELECT count(*) FROM mesh_population"), 4263);
    assert_eq!(query_i64(&db, "SELECT count(*) FROM imports"), 2);
}

fn serve_refusal(db: &Path) -> String {
    let out = Command::new(binary())
        .args(["serve", "--bind", "127.0.0.1:0", "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert!(!out.status.success());
    text(&out.stderr)
}

#[test]
fn serve_refuses_an_empty_or_half_made_database() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert!(serve_refusal(&empty).contains("holds no completed import"));

    // Tables made but no import committed, as an older version left a first import killed early.
    let half = dir.path().join("half.db");
    import_shipped_data(&half);
    rusqlite::Connection::open(&half).unwrap().execute_batch("DELETE FROM imports").unwrap();
    let refusal = serve_refusal(&half);
    assert!(
        refusal.contains("holds no completed import") && refusal.contains("care-atlas import"),
        "{refusal}"
    );

    assert!(serve_refusal(&dir.path().join("missing.db")).contains("no such database file"));
}

/// Kills a child process when dropped, so that no server outlives its test.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(unix)]
#[test]
fn serve_reads_from_a_read_only_folder_and_writes_nothing() {
    use std::os::unix::fs::PermissionsExt as _;

    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("ro");
    std::fs::create_dir(&folder).unwrap();
    let db = folder.join("atlas.db");
    import_shipped_data(&db);
    let before = folder_state(&folder);
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();

    // Permissions do not stop root: run the server as `nobody` when the tests run as root, so
    // that the folder is read-only for it in fact.
    let mut command = if is_root() && Path::new("/usr/bin/setpriv").exists() {
        let mut c = Command::new("/usr/bin/setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary()]);
        c
    } else {
        Command::new(binary())
    };
    let mut server = Killed(
        command
            .args(["serve", "--bind", "127.0.0.1:0", "--db"])
            .arg(&db)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut first_line = String::new();
    BufReader::new(server.0.stdout.take().unwrap()).read_line(&mut first_line).unwrap();
    let mut stderr = String::new();
    if first_line.is_empty() {
        std::io::Read::read_to_string(&mut server.0.stderr.take().unwrap(), &mut stderr).unwrap();
    }
    assert!(first_line.contains("(2235 facilities, dataset import-1-"), "{first_line}{stderr}");
    drop(server);
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(folder_state(&folder), before, "serve wrote into its folder");
}

#[cfg(unix)]
fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| text(&o.stdout).trim() == "0")
}

#[test]
fn two_imports_at_once_both_import_or_one_says_another_came_first() {
    let dir = tempfile::tempdir().unwrap();
    let data = repo().join("data");
    for existing in [true, false] {
        let db = dir.path().join(format!("atlas-{existing}.db"));
        if existing {
            import_shipped_data(&db);
        }
        let imports: Vec<Child> = (0..2)
            .map(|_| {
                import_command(&db, &[&data], &[])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut succeeded = 0;
        for child in imports {
            let out = child.wait_with_output().unwrap();
            let stderr = text(&out.stderr);
            assert!(!stderr.contains("database is locked"), "{stderr}");
            if out.status.success() {
                succeeded += 1;
            } else {
                assert!(
                    stderr.contains("another import committed while this one was being prepared"),
                    "{stderr}"
                );
            }
        }
        assert!(succeeded >= 1, "existing database: {existing}");
        assert_eq!(query_i64(&db, "SELECT count(*) FROM imports"), i64::from(existing) + succeeded);
        assert_eq!(query_i64(&db, "SELECT count(*) FROM facilities"), 2235);
    }
}

/// What a database holds, table by table, and its last import.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Counts(Vec<i64>);

fn counts(db: &Path) -> Counts {
    let connection = rusqlite::Connection::open(db).unwrap();
    let tables = ["facilities", "municipalities", "towns", "mesh_population", "sources"];
    let mut values: Vec<i64> = tables
        .iter()
        .map(|t| {
            connection.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap()
        })
        .collect();
    values.push(connection.query_row("SELECT max(id) FROM imports", [], |r| r.get(0)).unwrap());
    Counts(values)
}

/// A seeded xorshift, so that a failing run can be repeated with `CARE_ATLAS_CRASH_SEED`.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The old dataset: the shipped data with the first 1,000 facilities only.
fn old_dataset_folder(dir: &Path) -> PathBuf {
    let old_data = dir.join("old-data");
    std::fs::create_dir(&old_data).unwrap();
    for entry in std::fs::read_dir(repo().join("data")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        if name == "facilities.csv" {
            let text = std::fs::read_to_string(&path).unwrap();
            let kept: Vec<&str> = text.lines().take(1001).collect();
            std::fs::write(old_data.join(name), kept.join("\n") + "\n").unwrap();
        } else if path.is_file() {
            std::fs::copy(&path, old_data.join(name)).unwrap();
        }
    }
    old_data
}

#[test]
fn an_import_killed_at_any_point_leaves_the_old_or_the_new_dataset_whole() {
    let runs = env_number("CARE_ATLAS_CRASH_RUNS", 5);
    let seed = env_number("CARE_ATLAS_CRASH_SEED", 0x5EED_CA7E);
    let dir = tempfile::tempdir().unwrap();

    let old_data = old_dataset_folder(dir.path());
    let old_db = dir.path().join("old.db");
    let out = import(&old_db, &[&old_data], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let old = counts(&old_db);

    // The new dataset, imported fresh and over the old one, timed, so that kills fall anywhere
    // from start-up to after the commit.
    let new_db = dir.path().join("new.db");
    let started = Instant::now();
    import_shipped_data(&new_db);
    let fresh_time = started.elapsed();
    let new_fresh = counts(&new_db);
    let over_db = dir.path().join("over.db");
    std::fs::copy(&old_db, &over_db).unwrap();
    let started = Instant::now();
    import_shipped_data(&over_db);
    let over_time = started.elapsed();
    let new_over_old = counts(&over_db);
    assert_ne!(old, new_over_old);

    let mut random = Random(seed);
    let (mut kept_old, mut whole_new, mut none, mut refused_until_rolled_back, mut mid_commit) =
        (0, 0, 0, 0, 0);
    let window_ms = |time: Duration| u64::try_from(time.as_millis()).unwrap() * 13 / 10;
    for run in 0..runs {
        let over_old = run % 2 == 0;
        let db = dir.path().join(format!("run-{run}.db"));
        if over_old {
            std::fs::copy(&old_db, &db).unwrap();
        }
        let mut child = import_command(&db, &[&repo().join("data")], &[])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let window = window_ms(if over_old { over_time } else { fresh_time });
        let kill_after = Duration::from_millis(random.below(window));
        std::thread::sleep(kill_after);
        let _ = child.kill();
        child.wait().unwrap();
        let mut journal = db.as_os_str().to_owned();
        journal.push("-journal");
        if Path::new(&journal).exists() {
            mid_commit += 1;
        }

        // What serve would do now, before anything rolls an interrupted commit back.
        let context = format!("run {run} (kill after {kill_after:?}, over old: {over_old})");
        match load_dataset(&db) {
            Ok(dataset) => {
                let facilities = dataset.snapshot.parts.facilities.len();
                let expected =
                    if over_old { [old.0[0], new_fresh.0[0]] } else { [new_fresh.0[0]; 2] };
                assert!(
                    expected.contains(&i64::try_from(facilities).unwrap()),
                    "{context}: serve read {facilities} facilities"
                );
            }
            Err(LoadError::NotImported { detail, .. }) => {
                if over_old {
                    assert!(detail.contains("rolled back"), "{context}: {detail}");
                    refused_until_rolled_back += 1;
                }
            }
            Err(other) => panic!("{context}: serve met {other}"),
        }

        if !db.exists() {
            assert!(!over_old, "{context}: the old database is gone");
            none += 1;
            continue;
        }
        // A writer (as the next import would) rolls back an interrupted commit; then the
        // database must be whole.
        let connection = rusqlite::Connection::open(&db).unwrap();
        let check: String =
            connection.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok", "{context}");
        let tables: i64 = connection
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0))
            .unwrap();
        drop(connection);
        if tables == 0 {
            assert!(!over_old, "{context}: the old dataset is gone");
            assert!(matches!(load_dataset(&db), Err(LoadError::NotImported { .. })), "{context}");
            none += 1;
            continue;
        }
        let found = counts(&db);
        assert!(load_dataset(&db).is_ok(), "{context}: serve refuses a whole database");
        if over_old && found == old {
            kept_old += 1;
        } else if found == if over_old { new_over_old.clone() } else { new_fresh.clone() } {
            whole_new += 1;
        } else {
            panic!("{context}: neither the old nor the new dataset: {found:?}");
        }
        let _ = std::fs::remove_file(&db);
    }
    eprintln!(
        "{runs} imports killed at random points within 1.3 times their duration ({fresh_time:?} fresh, {over_time:?} over the old dataset; seed {seed:#x}): {mid_commit} left a journal (killed while writing), {kept_old} left the old dataset, {whole_new} the new one whole, {none} no database or an empty one (first imports), {refused_until_rolled_back} refused by serve until the interrupted commit was rolled back; every database passed integrity_check"
    );
}
