//! End-to-end test of the live reload: the real binary serving a real SQLite file, a new import into
//! that file, then `SIGHUP`, while clients keep asking. No request may fail, every answer must come
//! whole from one dataset (its ETag names the dataset its body reports), the new dataset must be
//! served after the reload, and a reload that cannot read the database must leave the old one served.

#![cfg(unix)]
#![allow(clippy::unwrap_used, reason = "test helpers fail the test on setup errors")]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const BINARY: &str = env!("CARGO_BIN_EXE_care-atlas");

/// A server process, stopped when dropped (also when the test fails).
struct Server {
    child: Child,
    port: u16,
    /// The server's log (stderr).
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(db: &Path) -> Server {
        let log = db.with_extension("log");
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(BINARY)
            .args(["serve", "--db", db.to_str().unwrap(), "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let server = Server { child, port, log };
        let started = Instant::now();
        while get(port, "/healthz").is_err() {
            assert!(started.elapsed() < Duration::from_mins(1), "the server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    fn hang_up(&self) {
        let status =
            Command::new("kill").args(["-HUP", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }

    /// Waits until the server's log has a line containing `words`.
    fn wait_for_log(&self, words: &str) {
        let started = Instant::now();
        while !std::fs::read_to_string(&self.log).unwrap_or_default().contains(words) {
            assert!(started.elapsed() < Duration::from_mins(2), "the log never said `{words}`");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn version(&self) -> String {
        let answer = get(self.port, "/version").unwrap();
        let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        body["dataset_version"].as_str().unwrap().to_owned()
    }

    /// Waits until the server reports a dataset other than `old`, and returns it.
    fn wait_for_version_other_than(&self, old: &str) -> String {
        let started = Instant::now();
        loop {
            let now = self.version();
            if now != old {
                return now;
            }
            assert!(started.elapsed() < Duration::from_mins(2), "still serving {old}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

struct Answer {
    status: u16,
    etag: Option<String>,
    body: String,
}

/// One GET over a fresh connection (HTTP/1.1, `Connection: close`, no compression asked for).
fn get(port: u16, path: &str) -> std::io::Result<Answer> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_mins(1)))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let (head, body) =
        raw.split_once("\r\n\r\n").ok_or_else(|| std::io::Error::other("no head"))?;
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let etag = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("etag"))
        .map(|(_, value)| value.trim().to_owned());
    Ok(Answer { status, etag, body: body.to_owned() })
}

fn import(db: &Path) {
    let output = Command::new(BINARY)
        .args(["import", "--db", db.to_str().unwrap(), "data"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn sighup_serves_a_new_import_without_a_failed_request_or_a_mixed_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("atlas.db");
    import(&db);
    let server = Server::start(&db);
    let first = server.version();

    // Clients ask all through the reloads; each answer is kept to be checked.
    let stop = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = ["/version", "/nearest?lat=36.0387&lon=139.6734&k=5", "/areas/11246"]
        .into_iter()
        .map(|path| {
            let (stop, answers, port) = (Arc::clone(&stop), Arc::clone(&answers), server.port);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let answer = get(port, path).map_err(|e| e.to_string());
                    answers.lock().unwrap().push((path, answer));
                }
            })
        })
        .collect();

    let mut versions = vec![first];
    for _ in 0..2 {
        import(&db);
        server.hang_up();
        let next = server.wait_for_version_other_than(versions.last().unwrap());
        versions.push(next);
    }
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().unwrap();
    }

    let answers = answers.lock().unwrap();
    assert!(answers.len() > 30, "only {} answers", answers.len());
    let mut seen = std::collections::BTreeSet::new();
    for (path, answer) in answers.iter() {
        let answer = answer.as_ref().unwrap_or_else(|e| panic!("{path} failed: {e}"));
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        let etag = answer.etag.as_deref().unwrap_or_else(|| panic!("{path} has no ETag"));
        let version = versions
            .iter()
            .find(|v| etag.contains(v.as_str()))
            .unwrap_or_else(|| panic!("{path}: ETag {etag} names none of {versions:?}"));
        if *path == "/version" {
            // The body and the ETag come from the same snapshot.
            assert!(answer.body.contains(version.as_str()), "{etag} with {}", answer.body);
        }
        seen.insert(version.clone());
    }
    assert!(seen.len() >= 2, "answers came from {seen:?} only");
    assert_eq!(versions.iter().collect::<std::collections::BTreeSet<_>>().len(), 3);

    // A reload that cannot read the database leaves the last dataset served.
    let last = versions.last().unwrap().clone();
    std::fs::write(&db, b"not a database").unwrap();
    server.hang_up();
    // Only once the reload has been tried and has failed does the version say anything.
    server.wait_for_log("failed, still serving dataset");
    assert_eq!(server.version(), last);
    assert_eq!(get(server.port, "/healthz").unwrap().status, 200);
    // A log written to a file is plain text, without a terminal's colour codes among its words.
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(!log.contains('\u{1b}'), "{log}");
}
