//! End-to-end tests of the HTTP API: the real binary serving a real SQLite file built from `data/`
//! on a free port, every response checked against `openapi/openapi.json` with a JSON Schema
//! validator, every error checked to be an RFC 9457 problem naming the parameter.

#![allow(clippy::unwrap_used, reason = "test helpers fail the test on setup errors")]

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A server of the shipped data, started once for all tests and stopped, its database removed,
/// when the test process exits.
struct Server {
    port: u16,
    /// The shell that runs the server; its standard input is the pipe whose closing stops it.
    _shell: Child,
    _dir: tempfile::TempDir,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("atlas.db");
        let binary = env!("CARGO_BIN_EXE_care-atlas");
        let import = Command::new(binary)
            .args(["import", "--db", db.to_str().unwrap(), "data"])
            .current_dir(repo())
            .output()
            .unwrap();
        assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // A debug build on a busy machine computes slowly: the limits on time and queueing are
        // tested in-process (crates/api), not here.
        // The server lives in a static, which is never dropped: it runs under a shell that
        // stops it and removes its database when this process exits, however it exits (its end,
        // a panic, SIGKILL), which closes the shell's standard input. The shell runs in a process
        // group of its own and ignores hang-up, interrupt and terminate, so that it lives to clean
        // up (it used to die with the test's group on Ctrl-C and leave both), and
        // stops the server with SIGKILL, which a server still building its snapshot (and
        // ignoring SIGTERM, inherited) cannot miss.
        let child = Command::new("sh")
            .args([
                "-c",
                r#"trap '' HUP INT TERM
                   "$0" serve --db "$1" --bind "$2" --request-timeout 600 --queue-wait-ms 600000 \
                     >/dev/null 2>&1 & server=$!
                   cat >/dev/null; kill -KILL "$server"; wait "$server" 2>/dev/null; rm -rf "$3""#,
                binary,
                db.to_str().unwrap(),
                &format!("127.0.0.1:{port}"),
                dir.path().to_str().unwrap(),
            ])
            .stdin(Stdio::piped())
            // Its own process group: a signal to the test's whole group, even SIGKILL, misses it.
            .process_group(0)
            .spawn()
            .unwrap();
        let server = Server { port, _shell: child, _dir: dir };
        let started = Instant::now();
        while request_on(port, "GET", "/healthz", &[], None).is_err() {
            // A debug build on a busy machine takes a while to build its snapshot.
            assert!(started.elapsed() < Duration::from_mins(2), "the server did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    })
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// A minimal HTTP/1.1 client: one request per connection, no chunked bodies (the server sends
/// Content-Length for the uncompressed responses asked for here).
fn request_on(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_mins(1)))?;
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        let _ = write!(request, "{name}: {value}\r\n");
    }
    if let Some(body) = body {
        let _ =
            write!(request, "Content-Type: application/json\r\nContent-Length: {}\r\n", body.len());
    }
    request.push_str("\r\n");
    request.push_str(body.unwrap_or_default());
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Ok(Response { status, headers, body: raw[split + 4..].to_vec() })
}

fn get(path: &str) -> Response {
    request_on(server().port, "GET", path, &[], None).unwrap()
}

fn openapi() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        serde_json::from_str(&std::fs::read_to_string(repo().join("openapi/openapi.json")).unwrap())
            .unwrap()
    })
}

/// Checks a response against the schema the OpenAPI document gives for its path, method, status and
/// content type.
fn assert_documented(template: &str, method: &str, response: &Response) {
    let content_type = response
        .header("content-type")
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let operation = &openapi()["paths"][template][method];
    assert!(operation.is_object(), "{method} {template} is not documented");
    let documented =
        &operation["responses"][response.status.to_string()]["content"][&content_type]["schema"];
    assert!(
        documented.is_object(),
        "{method} {template} {} {content_type} is not documented",
        response.status
    );
    if !content_type.ends_with("json") {
        // A CSV or a workbook: documented as such; its contents are checked in the api crate's
        // contract tests.
        return;
    }
    let mut schema = documented.clone();
    schema["components"] = openapi()["components"].clone();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let instance = response.json();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{method} {template}: {errors:?}");
}

fn assert_problem(template: &str, response: &Response, status: u16, parameter: &str) {
    assert_eq!(response.status, status, "{}", String::from_utf8_lossy(&response.body));
    assert_eq!(response.header("content-type"), Some("application/problem+json"));
    let problem = response.json();
    assert_eq!(problem["status"], status);
    assert_eq!(problem["parameter"], parameter, "{problem}");
    assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
    assert_documented(template, "get", response);
}

#[test]
fn the_committed_openapi_document_is_what_the_binary_prints() {
    let printed = Command::new(env!("CARGO_BIN_EXE_care-atlas")).arg("openapi").output().unwrap();
    assert!(printed.status.success());
    let committed = std::fs::read_to_string(repo().join("openapi/openapi.json")).unwrap();
    assert!(
        String::from_utf8_lossy(&printed.stdout) == committed,
        "openapi/openapi.json is stale: run `make openapi`"
    );
}

#[test]
fn the_nearest_nursing_station_to_the_national_hospital_is_its_own_then_two_in_shiraoka() {
    let response = get("/nearest?lat=35.996631&lon=139.676669&kind=visiting_nursing_station&k=3");
    assert_eq!(
        response.status,
        200,
        "{:?} {}",
        response.headers,
        String::from_utf8_lossy(&response.body)
    );
    assert_eq!(response.header("content-type"), Some("application/geo+json"));
    assert_documented("/nearest", "get", &response);
    let body = response.json();
    let features = body["features"].as_array().unwrap();
    assert_eq!(features.len(), 3);
    assert!(features[0]["properties"]["name"].as_str().unwrap().contains("雅楽谷の森"));
    assert!(features[0]["properties"]["distance_m"].as_f64().unwrap() < 100.0);
    for f in &features[1..] {
        assert_eq!(f["properties"]["municipality_code"], "11246");
        let d = f["properties"]["distance_m"].as_f64().unwrap();
        assert!((2000.0..2300.0).contains(&d), "{d}");
    }
    assert_eq!(
        features.iter().map(|f| f["properties"]["rank"].as_u64().unwrap()).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(body["origin"]["precision"], "exact");
    assert_eq!(features[0]["properties"]["kind_label"], "訪問看護ステーション");
}

#[test]
fn nearest_from_a_facility_or_an_address_and_in_english() {
    let from = get(
        "/nearest?from=mhlw-iryo-hospitals-1111108985700&kind=visiting_nursing_station&k=1&lang=en",
    );
    assert_documented("/nearest", "get", &from);
    let body = from.json();
    assert_eq!(body["origin"]["precision"], "facility");
    assert_eq!(body["features"][0]["properties"]["kind_label"], "Visiting nursing station");
    let address = get(
        "/nearest?address=%E5%9F%BC%E7%8E%89%E7%9C%8C%E8%93%AE%E7%94%B0%E5%B8%82%E5%A4%A7%E5%AD%97%E9%BB%92%E6%B5%9C4147&k=2",
    );
    assert_documented("/nearest", "get", &address);
    assert_eq!(address.json()["origin"]["precision"], "town");
    assert_eq!(address.json()["origin"]["described_as"], "蓮田市大字黒浜");
}

#[test]
fn nearest_rejects_bad_input_with_problems() {
    assert_problem("/nearest", &get("/nearest?lat=95&lon=139"), 400, "lat");
    assert_problem("/nearest", &get("/nearest?lat=abc&lon=139"), 400, "lat");
    assert_problem("/nearest", &get("/nearest?lat=36"), 400, "lon");
    assert_problem("/nearest", &get("/nearest?lat=36&lon=139.6&kind=hospice"), 400, "kind");
    assert_problem("/nearest", &get("/nearest?lat=36&lon=139.6&k=0"), 400, "k");
    assert_problem("/nearest", &get("/nearest?lat=36&lon=139.6&k=101"), 400, "k");
    assert_problem("/nearest", &get("/nearest?lat=36&lon=139.6&radius=3"), 400, "radius");
    assert_problem("/nearest", &get("/nearest?lat=36&lon=139.6&lang=fr"), 400, "lang");
    // Two origins: the parameter that brought the second one is named, never one not given.
    assert_problem("/nearest", &get("/nearest?lat=36&lon=139.6&from=x"), 400, "from");
    assert_problem("/nearest", &get("/nearest?from=x&address=y"), 400, "address");
    assert_problem("/nearest", &get("/nearest?lon=139.6&from=x"), 400, "from");
    let both = get("/nearest?from=x&address=y").json();
    assert!(both["detail"].as_str().is_some_and(|d| d.ends_with("gives `from` and `address`")));
    assert_problem("/nearest", &get("/nearest?kind=hospital"), 400, "lat");
    assert_problem("/nearest", &get("/nearest?from=no-such-facility"), 404, "from");
    assert_problem(
        "/nearest",
        &get("/nearest?address=%E6%9D%B1%E4%BA%AC%E9%83%BD"),
        400,
        "address",
    );
}

#[test]
fn areas_carry_statistics_only_where_complete() {
    let all = get("/areas");
    assert_documented("/areas", "get", &all);
    let body = all.json();
    let features = body["features"].as_array().unwrap();
    assert_eq!(features.len(), 32);
    let hasuda = features.iter().find(|f| f["id"] == "11238").unwrap();
    assert_eq!(hasuda["properties"]["population"], 61499.0);
    assert_eq!(hasuda["properties"]["aged_75_plus"], 10290);
    assert_eq!(hasuda["properties"]["statistics"]["visiting_nursing_station"]["count"], 6);
    assert_eq!(
        hasuda["properties"]["statistics"]["community_support_center"]["count"],
        Value::Null
    );
    assert_eq!(
        hasuda["properties"]["statistics"]["community_support_center"]["coverage"],
        "no_source"
    );
    let kasukabe = features.iter().find(|f| f["id"] == "11214").unwrap();
    assert_eq!(kasukabe["properties"]["completeness"], "neighbour");
    assert_eq!(kasukabe["properties"]["in_study_area"], false);
    assert_eq!(kasukabe["properties"]["statistics"], Value::Null);

    let one = get("/areas/11442");
    assert_documented("/areas/{code}", "get", &one);
    assert_eq!(one.json()["properties"]["name"], "宮代町");
    assert_problem("/areas/{code}", &get("/areas/99999"), 400, "code");
    assert_problem("/areas/{code}", &get("/areas/13101"), 404, "code");
}

#[test]
fn mesh_cells_report_their_estimated_population() {
    let cell = get("/mesh/5339759431");
    assert_documented("/mesh/{meshcode}", "get", &cell);
    assert!(cell.json()["properties"]["population"].as_f64().unwrap() > 0.0);
    assert_problem("/mesh/{meshcode}", &get("/mesh/53397594311"), 400, "meshcode");
    assert_problem("/mesh/{meshcode}", &get("/mesh/6441"), 404, "meshcode");
}

#[test]
fn coverage_gaps_as_polygons_and_mesh() {
    let polygons = get("/coverage-gaps?kind=visiting_nursing_station&radius_m=2000");
    assert_documented("/coverage-gaps", "get", &polygons);
    let body = polygons.json();
    assert_eq!(body["features"].as_array().unwrap().len(), 3);
    assert_eq!(body["summary"].as_array().unwrap().len(), 3);
    let mesh = get(
        "/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&resolution=mesh500&area=11442",
    );
    assert_documented("/coverage-gaps", "get", &mesh);
    let body = mesh.json();
    assert!(
        body["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["covered"].is_boolean())
    );
    assert_eq!(body["summary"].as_array().unwrap().len(), 1);
    assert_problem("/coverage-gaps", &get("/coverage-gaps?radius_m=50"), 400, "radius_m");
    assert_problem("/coverage-gaps", &get("/coverage-gaps"), 400, "radius_m");
    assert_problem(
        "/coverage-gaps",
        &get("/coverage-gaps?radius_m=2000&resolution=mesh100"),
        400,
        "resolution",
    );
    assert_problem("/coverage-gaps", &get("/coverage-gaps?radius_m=2000&area=11214"), 400, "area");
}

#[test]
fn coverage_gaps_of_residents_aged_75_and_over_say_whose_and_how() {
    let uri = "/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&area=11442";
    let all = get(uri).json();
    let aged = get(&format!("{uri}&population=aged_75_plus"));
    assert_documented("/coverage-gaps", "get", &aged);
    let aged = aged.json();
    assert_eq!(aged["population_group"], "aged_75_plus");
    assert_eq!(aged["population_group_label"], "75歳以上人口");
    assert_eq!(aged["population_model"], "census_mesh_500m");
    assert!(aged["population_method"].as_str().unwrap().contains("500 m mesh"));
    let uncovered = |body: &Value| body["summary"][0]["population_uncovered"].as_f64().unwrap();
    assert!(uncovered(&aged) > 0.0 && uncovered(&aged) < uncovered(&all));
    assert_problem(
        "/coverage-gaps",
        &get("/coverage-gaps?radius_m=2000&population=aged_75"),
        400,
        "population",
    );
}

#[test]
fn coverage_gaps_as_csv_and_workbook_files() {
    let uri = "/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&area=11442";
    let csv = get(&format!("{uri}&f=csv"));
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        csv.header("content-disposition"),
        Some("attachment; filename=\"coverage-gaps-11442-visiting_nursing_station-2000m.csv\"")
    );
    assert!(csv.body.starts_with("\u{feff}".as_bytes()));
    assert_documented("/coverage-gaps", "get", &csv);
    let workbook = request_on(
        server().port,
        "GET",
        uri,
        &[("Accept", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
        None,
    )
    .unwrap();
    assert_eq!(workbook.status, 200);
    assert!(workbook.body.starts_with(b"PK"));
    assert_documented("/coverage-gaps", "get", &workbook);
    assert_problem("/coverage-gaps", &get(&format!("{uri}&f=pdf")), 400, "f");
    let areas = get("/areas?f=csv");
    assert_eq!(areas.status, 200);
    assert_documented("/areas", "get", &areas);
    assert_documented("/areas", "get", &get("/areas?f=xlsx"));
    let items = "/collections/{collectionId}/items";
    assert_documented(items, "get", &get("/collections/facilities/items?f=csv"));
    assert_documented(items, "get", &get("/collections/facilities/items?f=xlsx"));
    let sites = "/site-suggestions?kind=visiting_nursing_station&radius_m=2000";
    assert_documented("/site-suggestions", "get", &get(&format!("{sites}&f=csv")));
}

#[test]
fn accessibility_scores_per_cell() {
    let scores = get(
        "/accessibility?kind=visiting_nursing_station&method=2sfca&catchment_m=3000&resolution=mesh1000",
    );
    assert_documented("/accessibility", "get", &scores);
    let body = scores.json();
    assert_eq!(body["method"], "2sfca");
    assert!(
        body["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["properties"]["score_raw"].as_f64().unwrap() > 0.0)
    );
    assert_problem(
        "/accessibility",
        &get("/accessibility?catchment_m=3000&method=3sfca"),
        400,
        "method",
    );
    assert_problem("/accessibility", &get("/accessibility?catchment_m=abc"), 400, "catchment_m");
}

#[test]
fn site_suggestions_and_scenarios() {
    let sites = get("/site-suggestions?kind=visiting_nursing_station&radius_m=1500&n=2");
    assert_documented("/site-suggestions", "get", &sites);
    let body = sites.json();
    let first = &body["features"][0];
    assert_eq!(first["properties"]["rank"], 1);
    assert_problem("/site-suggestions", &get("/site-suggestions?radius_m=1500"), 400, "kind");
    assert_problem(
        "/site-suggestions",
        &get("/site-suggestions?kind=hospital&radius_m=1500&n=21"),
        400,
        "n",
    );

    let lon = first["geometry"]["coordinates"][0].as_f64().unwrap();
    let lat = first["geometry"]["coordinates"][1].as_f64().unwrap();
    let request = format!(
        r#"{{"kind":"visiting_nursing_station","radius_m":1500,"add":[{{"lat":{lat},"lon":{lon}}}]}}"#
    );
    let response = request_on(server().port, "POST", "/scenarios", &[], Some(&request)).unwrap();
    assert_eq!(response.status, 200, "{}", String::from_utf8_lossy(&response.body));
    let body = response.json();
    let gain = -body["difference"]["population_uncovered"].as_f64().unwrap();
    let claimed = first["properties"]["newly_covered_population"].as_f64().unwrap();
    assert!((gain - claimed).abs() < 1e-6, "{gain} vs {claimed}");
    let document = &openapi()["paths"]["/scenarios"]["post"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    let mut schema = document.clone();
    schema["components"] = openapi()["components"].clone();
    assert!(jsonschema::validator_for(&schema).unwrap().is_valid(&body));

    let bad = request_on(
        server().port,
        "POST",
        "/scenarios",
        &[],
        Some(r#"{"kind":"visiting_nursing_station","radius_m":1500,"remove":["nope"]}"#),
    )
    .unwrap();
    assert_eq!((bad.status, bad.json()["parameter"].as_str()), (400, Some("remove[0]")));
    let unknown = request_on(
        server().port,
        "POST",
        "/scenarios",
        &[],
        Some(r#"{"kind":"x","radius_m":1500,"extra":1}"#),
    )
    .unwrap();
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.header("content-type"), Some("application/problem+json"));
    let huge =
        format!(r#"{{"kind":"hospital","radius_m":1500,"remove":["{}"]}}"#, "x".repeat(70_000));
    let too_large = request_on(server().port, "POST", "/scenarios", &[], Some(&huge)).unwrap();
    assert_eq!(too_large.status, 413);
}

#[test]
fn service_endpoints_caching_and_cors() {
    let health = get("/healthz");
    assert_documented("/healthz", "get", &health);
    assert_eq!(health.json()["facilities"], 2235);
    let version = get("/version");
    assert_documented("/version", "get", &version);
    let tag = version.header("etag").unwrap().to_owned();
    assert!(version.header("cache-control").unwrap().contains("max-age"));
    let again =
        request_on(server().port, "GET", "/version", &[("If-None-Match", &tag)], None).unwrap();
    assert_eq!(again.status, 304);
    let cors = request_on(
        server().port,
        "GET",
        "/areas/11238",
        &[("Origin", "https://www.city.hasuda.saitama.jp")],
        None,
    )
    .unwrap();
    assert_eq!(
        cors.header("access-control-allow-origin"),
        Some("https://www.city.hasuda.saitama.jp")
    );
    let docs = get("/docs/");
    assert_eq!(docs.status, 200);
    // The README says /docs: it leads to the documentation, not to a 404.
    let without_slash = get("/docs");
    assert_eq!((without_slash.status, without_slash.header("location")), (308, Some("/docs/")));
    let document = get("/openapi.json");
    assert_eq!(document.json()["openapi"], "3.1.0");
    for path in ["/nowhere", "/docs/nowhere.js"] {
        let missing = get(path);
        assert_eq!(
            (missing.status, missing.header("content-type")),
            (404, Some("application/problem+json")),
            "{path}"
        );
        assert_eq!(missing.json()["detail"], format!("no resource at {path}"));
    }
}

fn path_of(href: &str) -> String {
    let without_scheme = href.split_once("://").map_or(href, |(_, rest)| rest);
    without_scheme.find('/').map_or_else(|| "/".to_owned(), |i| without_scheme[i..].to_owned())
}

#[test]
fn ogc_api_features_landing_conformance_and_collections() {
    let landing = get("/");
    assert_documented("/", "get", &landing);
    let rels: Vec<String> = landing.json()["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap().to_owned())
        .collect();
    for rel in ["self", "service-desc", "service-doc", "conformance", "data"] {
        assert!(rels.iter().any(|r| r == rel), "{rel} in {rels:?}");
    }
    let conformance = get("/conformance?f=json");
    assert_documented("/conformance", "get", &conformance);
    assert!(
        conformance.json()["conformsTo"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core")
    );
    let collections = get("/collections");
    assert_documented("/collections", "get", &collections);
    let ids: Vec<String> = collections.json()["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["facilities", "municipalities", "small-areas"]);
    let one = get("/collections/facilities");
    assert_documented("/collections/{collectionId}", "get", &one);
    assert_problem("/collections/{collectionId}", &get("/collections/roads"), 404, "collectionId");
    assert_problem("/conformance", &get("/conformance?f=xml"), 400, "f");
}

#[test]
fn ogc_items_page_with_exact_counts_and_links() {
    let first = get("/collections/facilities/items?limit=5");
    assert_documented("/collections/{collectionId}/items", "get", &first);
    let body = first.json();
    assert_eq!(
        (body["numberMatched"].as_u64(), body["numberReturned"].as_u64()),
        (Some(2235), Some(5))
    );
    let next =
        body["links"].as_array().unwrap().iter().find(|l| l["rel"] == "next").unwrap()["href"]
            .as_str()
            .unwrap()
            .to_owned();
    let second = get(&path_of(&next));
    assert_documented("/collections/{collectionId}/items", "get", &second);
    let second = second.json();
    assert_ne!(second["features"][0]["id"], body["features"][0]["id"]);
    assert!(second["links"].as_array().unwrap().iter().any(|l| l["rel"] == "prev"));

    let filtered = get(
        "/collections/facilities/items?kind=visiting_nursing_station&municipality=11238&limit=100",
    )
    .json();
    assert_eq!(filtered["numberMatched"], 6);
    let default_page = get("/collections/municipalities/items").json();
    assert_eq!(
        (default_page["numberMatched"].as_u64(), default_page["numberReturned"].as_u64()),
        (Some(32), Some(10))
    );

    // Around Hasuda station: every item returned lies in the box, and the count is exact.
    let (west, south, east, north) = (139.64, 35.97, 139.67, 35.99);
    let boxed = get(&format!(
        "/collections/facilities/items?bbox={west},{south},{east},{north}&limit=10000"
    ));
    assert_documented("/collections/{collectionId}/items", "get", &boxed);
    let boxed = boxed.json();
    let features = boxed["features"].as_array().unwrap();
    assert_eq!(boxed["numberMatched"].as_u64().unwrap() as usize, features.len());
    assert!(!features.is_empty());
    for f in features {
        let coordinates = &f["geometry"]["coordinates"];
        let (lon, lat) = (coordinates[0].as_f64().unwrap(), coordinates[1].as_f64().unwrap());
        assert!((west..=east).contains(&lon) && (south..=north).contains(&lat), "{f}");
    }

    let areas = get("/collections/small-areas/items?municipality=11442&limit=100");
    assert_documented("/collections/{collectionId}/items", "get", &areas);
    let population: u64 = areas.json()["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["population"].as_u64().unwrap())
        .sum();
    assert_eq!(population, 34_147, "宮代町's census total");
}

#[test]
fn ogc_single_items_and_errors() {
    let item = get("/collections/facilities/items/mhlw-iryo-hospitals-1111108985700");
    assert_documented("/collections/{collectionId}/items/{featureId}", "get", &item);
    assert_eq!(item.json()["properties"]["name"], "独立行政法人　国立病院機構　東埼玉病院");
    let town = get("/collections/municipalities/items/11246");
    assert_documented("/collections/{collectionId}/items/{featureId}", "get", &town);
    assert_problem(
        "/collections/{collectionId}/items/{featureId}",
        &get("/collections/facilities/items/nope"),
        404,
        "featureId",
    );
    let items = "/collections/{collectionId}/items";
    assert_problem(
        items,
        &get("/collections/facilities/items?bbox=139.7,35.9,139.6,36.0"),
        400,
        "bbox",
    );
    assert_problem(items, &get("/collections/facilities/items?bbox=139.6,35.9"), 400, "bbox");
    assert_problem(items, &get("/collections/facilities/items?bbox=a,b,c,d"), 400, "bbox");
    assert_problem(items, &get("/collections/facilities/items?limit=0"), 400, "limit");
    assert_problem(items, &get("/collections/facilities/items?limit=10001"), 400, "limit");
    assert_problem(items, &get("/collections/facilities/items?offset=-1"), 400, "offset");
    assert_problem(items, &get("/collections/municipalities/items?kind=hospital"), 400, "kind");
    assert_problem(items, &get("/collections/facilities/items?crs=EPSG:4326"), 400, "crs");
    assert_problem(items, &get("/collections/facilities/items?sortby=name"), 400, "sortby");
    assert_problem(items, &get("/collections/roads/items"), 404, "collectionId");
}

/// The README's `curl` examples, each joined across its `\` line breaks, as a reader would paste them.
fn readme_curl_examples() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let mut examples = Vec::new();
    let mut in_shell_block = false;
    let mut pending: Option<String> = None;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_shell_block = line.trim_start_matches('`').trim() == "sh";
            continue;
        }
        if !in_shell_block {
            continue;
        }
        let text = line.trim();
        let command = match pending.take() {
            Some(start) => format!("{start} {text}"),
            None if text.starts_with("curl ") => text.to_owned(),
            None => continue,
        };
        match command.strip_suffix('\\') {
            Some(open) => pending = Some(open.trim_end().to_owned()),
            None => examples.push(command),
        }
    }
    examples
}

#[test]
fn every_curl_example_of_the_readme_works_when_pasted_into_a_shell() {
    let examples = readme_curl_examples();
    assert!(examples.len() >= 15, "found {} examples", examples.len());
    let port = server().port;
    let home = tempfile::tempdir().unwrap();
    // curl reads ~/.curlrc: fail on an HTTP error status, quietly, saying why, so that each
    // example runs exactly as printed.
    std::fs::write(home.path().join(".curlrc"), "fail\nsilent\nshow-error\n").unwrap();
    for example in examples {
        let command = example.replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
        let run = Command::new("sh")
            .args(["-c", &command])
            .env("HOME", home.path())
            .current_dir(home.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run a shell for `{example}`: {e}"));
        assert!(
            run.status.success(),
            "`{example}` failed: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        // `-OJ` saves the answer to a file named by the server; the others print it.
        let saved = example.contains(" -OJ ");
        assert!(saved || !run.stdout.is_empty(), "`{example}` printed nothing");
    }
}

/// The raw head and body of `request` sent as is (the helper above builds a well-formed one).
fn raw_request(request: &[u8]) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", server().port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_mins(1))).unwrap();
    stream.write_all(request).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(raw.len());
    let body = raw.get(split + 4..).unwrap_or_default().to_vec();
    (String::from_utf8_lossy(&raw[..split]).into_owned(), body)
}

#[test]
fn answers_are_compressed_for_a_client_that_accepts_it() {
    for encoding in ["gzip", "br"] {
        let answer =
            request_on(server().port, "GET", "/areas", &[("Accept-Encoding", encoding)], None)
                .unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("Content-Encoding"), Some(encoding));
        assert!(answer.header("Vary").is_some_and(|v| v.contains("accept-encoding")), "{encoding}");
    }
    let plain = get("/areas");
    assert_eq!(plain.header("Content-Encoding"), None);
    let gzip =
        request_on(server().port, "GET", "/areas", &[("Accept-Encoding", "gzip")], None).unwrap();
    // Over chunked transfer the compressed body is framed; the plain one is the whole JSON.
    assert!(gzip.body.len() * 2 < plain.body.len(), "{} vs {}", gzip.body.len(), plain.body.len());
}

#[test]
fn head_wrong_methods_and_etags_hold_on_the_real_server() {
    for path in ["/healthz", "/areas", "/collections", "/embed", "/planner", "/openapi.json"] {
        let head = request_on(server().port, "HEAD", path, &[], None).unwrap();
        assert_eq!(head.status, 200, "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} has no body");
    }
    let wrong = request_on(server().port, "DELETE", "/areas", &[], None).unwrap();
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.header("Allow"), Some("GET"));
    assert_eq!(wrong.header("Content-Type"), Some("application/problem+json"));
    let post_only = request_on(server().port, "GET", "/scenarios", &[], None).unwrap();
    assert_eq!((post_only.status, post_only.header("Allow")), (405, Some("POST")));
    let tag = get("/areas").header("ETag").unwrap().to_owned();
    let again =
        request_on(server().port, "GET", "/areas", &[("If-None-Match", &tag)], None).unwrap();
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
}

#[test]
fn what_actix_refuses_before_the_app_is_a_bare_400_and_the_connection_survives_for_others() {
    // Raw UTF-8 and control bytes in the target, and a request line over actix's buffer, are
    // refused by actix-http's parser, which writes its own bare 400 (see README): the server
    // goes on answering.
    for request in [
        "GET /nearest?address=蓮田市黒浜 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            .to_owned(),
        "GET /healthz?\x01 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_owned(),
        format!(
            "GET /healthz?{} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "a".repeat(70_000)
        ),
    ] {
        let (head, _) = raw_request(request.as_bytes());
        assert!(head.starts_with("HTTP/1.1 400"), "{head}");
    }
    assert_eq!(get("/healthz").status, 200);
}
