//! In-process tests of the HTTP contract: the same [`care_atlas_api::app`] that `serve` runs (routes,
//! middleware, problem documents) over a snapshot of the shipped `data/`, imported once per test
//! binary into a temporary SQLite file, with insta snapshots of representative responses. The
//! end-to-end tests of the real binary live in the root package's `tests/api.rs`.

#![allow(clippy::unwrap_used, reason = "test helpers fail the test on setup errors")]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use actix_web::http::{Method, StatusCode, header};
use actix_web::{test, web};
use care_atlas_api::{AppState, LiveState, ServeOptions};
use care_atlas_core::{Atlas, SourceInfo};
use serde_json::Value;

/// The snapshot of the shipped data, built once.
fn atlas() -> Arc<Atlas> {
    shipped().0.clone()
}

/// The sources of the shipped data, as the catalogue states them.
fn sources() -> Vec<SourceInfo> {
    shipped().1.clone()
}

/// The attribution of each source of the shipped data, each text once.
fn attributions() -> Vec<String> {
    SourceInfo::attributions(&shipped().1)
}

fn shipped() -> &'static (Arc<Atlas>, Vec<SourceInfo>) {
    static SHIPPED: OnceLock<(Arc<Atlas>, Vec<SourceInfo>)> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("atlas.db");
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        care_atlas_loader::import_files(&db, &[data], &care_atlas_loader::ImportOptions::default())
            .unwrap();
        let store = care_atlas_loader::store::Store::open_read_only(&db).unwrap();
        let snapshot = store.snapshot().unwrap();
        let sources = snapshot.sources.clone();
        (Arc::new(snapshot.into_atlas()), sources)
    })
}

/// One response: status, headers and body.
struct Answer {
    status: StatusCode,
    headers: actix_web::http::header::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The shipped data without the census mesh: the Voronoi model, which knows the total only.
fn voronoi_only() -> Arc<Atlas> {
    static ATLAS: OnceLock<Arc<Atlas>> = OnceLock::new();
    ATLAS
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("atlas.db");
            let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
            let options = care_atlas_loader::ImportOptions::default();
            care_atlas_loader::import_files(&db, &[data], &options).unwrap();
            let store = care_atlas_loader::store::Store::open_read_only(&db).unwrap();
            let mut snapshot = store.snapshot().unwrap();
            snapshot.parts.census_mesh.clear();
            Arc::new(snapshot.into_atlas())
        })
        .clone()
}

/// Sends `request` through the application `serve` runs.
async fn send(request: test::TestRequest) -> Answer {
    send_to(atlas(), request).await
}

/// Sends `request` through the application `serve` runs over `atlas`.
async fn send_to(atlas: Arc<Atlas>, request: test::TestRequest) -> Answer {
    send_with(atlas, options(), request).await
}

/// The options `serve` runs with by default.
fn options() -> ServeOptions {
    ServeOptions {
        bind: "127.0.0.1:0".into(),
        cors_origins: vec!["*".into()],
        max_age_s: 300,
        frame_ancestors: "*".into(),
        tile_url: None,
        tile_attribution: None,
        trusted_proxies: Vec::new(),
        // Debug builds on a busy machine are slow; shedding is tested in guard.rs.
        max_work_time: std::time::Duration::from_mins(10),
        max_queue_wait: std::time::Duration::from_mins(10),
    }
}

/// Sends `request` through the application `serve` runs over `atlas` with `options`.
async fn send_with(atlas: Arc<Atlas>, options: ServeOptions, request: test::TestRequest) -> Answer {
    let state = web::Data::new(LiveState::new(AppState {
        atlas,
        dataset_version: "test".into(),
        sources: sources(),
        cache: care_atlas_api::SnapshotCache::default(),
    }));
    let options = web::Data::new(options);
    let service =
        test::init_service(care_atlas_api::app(state, options, care_atlas_api::openapi())).await;
    let response = test::call_service(&service, request.to_request()).await;
    let status = response.status();
    let headers = response.headers().clone();
    let body = test::read_body(response).await.to_vec();
    Answer { status, headers, body }
}

async fn get(uri: &str) -> Answer {
    send(test::TestRequest::get().uri(uri)).await
}

/// Checks that `uri` is refused with `status` by a problem document naming `parameter`.
async fn check_problem(uri: &str, status: u16, parameter: &str) -> Value {
    let answer = get(uri).await;
    assert_eq!(answer.status.as_u16(), status, "{uri}: {}", String::from_utf8_lossy(&answer.body));
    assert_eq!(answer.header(header::CONTENT_TYPE), Some("application/problem+json"), "{uri}");
    let problem = answer.json();
    assert_eq!(problem["parameter"], parameter, "{uri}: {problem}");
    assert_eq!(problem["status"], status, "{uri}");
    problem
}

#[actix_web::test]
async fn nearest_answers_ranked_geojson() {
    let answer =
        get("/nearest?lat=35.996631&lon=139.676669&kind=visiting_nursing_station&k=3").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header(header::CONTENT_TYPE), Some("application/geo+json"));
    insta::assert_json_snapshot!("nearest", answer.json());
}

/// `text` percent-encoded as a query value, as a browser sends a typed address.
fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The nurse's question of issue 12: the nearest five visiting nursing stations from an address,
/// typed three ways.
#[actix_web::test]
async fn an_address_typed_as_residents_write_it_gives_one_origin_and_the_same_stations() {
    let mut answers = Vec::new();
    for address in ["白岡市新白岡4-14", "新白岡４－１４", "埼玉県白岡市新白岡四丁目14番地"]
    {
        let uri =
            format!("/nearest?address={}&kind=visiting_nursing_station&k=5", query_value(address));
        let answer = get(&uri).await;
        let body = String::from_utf8_lossy(&answer.body).into_owned();
        assert_eq!(answer.status, StatusCode::OK, "{address}: {body}");
        answers.push((address, answer.json()));
    }
    let (_, first) = &answers[0];
    let town_point = atlas()
        .gazetteer()
        .points()
        .iter()
        .find(|p| p.town == "新白岡四丁目")
        .map(|p| p.position)
        .unwrap();
    let origin = &first["origin"];
    assert_eq!(origin["described_as"], "白岡市新白岡四丁目");
    assert_eq!(origin["precision"], "town");
    assert_eq!(
        (origin["lat"].as_f64(), origin["lon"].as_f64()),
        (Some(town_point.lat()), Some(town_point.lon()))
    );
    let stations = first["features"].as_array().unwrap();
    assert_eq!(stations.len(), 5);
    for station in stations {
        let properties = &station["properties"];
        assert_eq!(properties["kind"], "visiting_nursing_station", "{station}");
        assert!(properties["phone"].as_str().is_some_and(|p| !p.is_empty()), "no phone: {station}");
    }
    for (address, body) in &answers[1..] {
        assert_eq!(body["origin"], first["origin"], "{address}");
        assert_eq!(body["features"], first["features"], "{address}");
    }
}

/// 東 is a town of 蓮田市 (東一丁目 to 六丁目) and of 宮代町 (字東): without its municipality the
/// address is not guessed.
#[actix_web::test]
async fn a_town_name_of_two_municipalities_without_its_municipality_asks_which() {
    let uri = format!("/nearest?address={}&kind=visiting_nursing_station", query_value("東1-2"));
    let problem = check_problem(&uri, 400, "address").await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("「東1-2」は蓮田市東一丁目、宮代町字東のどちらですか"), "{detail}");
    assert!(detail.contains("names a town in more than one municipality"), "{detail}");
    assert_eq!(problem["type"], "urn:care-atlas:problem:ambiguous-address");
    // The places, each with the address that asks for it alone: what a page offers as choices.
    assert_eq!(
        problem["candidates"],
        serde_json::json!([
            {"town": "蓮田市東一丁目", "municipality_code": "11238", "address": "蓮田市東1-2"},
            {"town": "宮代町字東", "municipality_code": "11442", "address": "宮代町東1-2"},
        ])
    );
    for candidate in problem["candidates"].as_array().unwrap() {
        let address = candidate["address"].as_str().unwrap();
        let uri =
            format!("/nearest?address={}&kind=visiting_nursing_station", query_value(address));
        let answer = get(&uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{address}");
        assert_eq!(answer.json()["origin"]["described_as"], candidate["town"], "{address}");
    }
}

/// An address the gazetteer cannot place is refused naming `address`, saying where addresses
/// can be placed.
#[actix_web::test]
async fn an_unknown_address_says_which_towns_are_covered() {
    for address in ["東京都千代田区永田町1-7-1", "蓮田市新白岡4-14", "白岡市新白岡12-1"]
    {
        let uri = format!("/nearest?address={}", query_value(address));
        let problem = check_problem(&uri, 400, "address").await;
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(address), "{detail}");
        for m in atlas().study_area() {
            assert!(detail.contains(&m.name), "{detail}");
            assert!(problem["accepted"].as_str().unwrap().contains(&m.name), "{problem}");
        }
    }
}

#[actix_web::test]
async fn a_registered_home_care_clinic_carries_its_class_filings_and_linked_record() {
    let answer = get("/nearest?lat=35.996631&lon=139.676669&kind=home_care_clinic&k=2").await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    let first = &body["features"][0]["properties"];
    assert_eq!(first["source"], "kouseikyoku-ika");
    assert!(first["home_care_class"]["label_ja"].as_str().is_some_and(|l| !l.is_empty()));
    assert!(first["filings"][0]["label_ja"].as_str().is_some_and(|l| !l.is_empty()));
    insta::assert_json_snapshot!("nearest_home_care_clinic", body);
}

#[actix_web::test]
async fn a_municipality_with_its_statistics() {
    let answer = get("/areas/11442").await;
    assert_eq!(answer.status, StatusCode::OK);
    // Figures are rounded so that the last bits of floating-point arithmetic do not count.
    insta::assert_json_snapshot!("area_11442", answer.json(), {
        ".geometry.coordinates" => "[boundary]",
        ".properties.area_km2" => insta::rounded_redaction(6),
        ".properties.model_total" => insta::rounded_redaction(3),
        ".properties.model_minus_official" => insta::rounded_redaction(3),
        ".properties.statistics.*.*" => insta::rounded_redaction(6),
    });
}

#[actix_web::test]
async fn a_municipality_sets_the_model_sum_of_a_group_beside_the_official_figure() {
    let answer = get("/areas/11442?population=aged_75_plus").await;
    assert_eq!(answer.status, StatusCode::OK);
    let properties = &answer.json()["properties"];
    assert_eq!(properties["population_group"], "aged_75_plus");
    assert_eq!(properties["population_model"], "census_mesh_500m");
    assert_eq!(properties["census_total_official"], 5706.0);
    let model = properties["model_total"].as_f64().unwrap();
    let difference = properties["model_minus_official"].as_f64().unwrap();
    assert!((model - 5706.0 - difference).abs() < 1e-6 && (model / 5706.0 - 1.0).abs() < 0.04);
    // 85+ has no official town figure: null, never 0.
    let answer = get("/areas/11442?population=aged_85_plus").await;
    let properties = &answer.json()["properties"];
    assert!(properties["census_total_official"].is_null() && properties["model_total"].is_number());
}

#[actix_web::test]
async fn every_analysis_counts_the_population_group_asked_for_and_says_so() {
    let gaps = "/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&area=11442";
    let all = get(gaps).await.json();
    let aged = get(&format!("{gaps}&population=aged_75_plus")).await.json();
    insta::assert_json_snapshot!("coverage_gaps_aged_75_plus_summary", aged["summary"], {
        "[].*" => insta::rounded_redaction(3),
    });
    assert_eq!(
        (&aged["population_group"], &aged["population_group_label"]),
        (&"aged_75_plus".into(), &"75歳以上人口".into())
    );
    let uncovered = |body: &Value| body["summary"][0]["population_uncovered"].as_f64().unwrap();
    assert!(uncovered(&aged) > 0.0 && uncovered(&aged) < uncovered(&all));
    for uri in [
        "/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&resolution=mesh500&population=aged_85_plus",
        "/accessibility?kind=visiting_nursing_station&catchment_m=3000&population=elderly_living_alone",
        "/site-suggestions?kind=visiting_nursing_station&radius_m=1500&n=1&population=aged_65_plus",
        "/areas?population=aged_65_plus",
        "/mesh/53397594?population=aged_75_plus",
    ] {
        let answer = get(uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        let body = answer.json();
        let basis = if body["properties"].is_object() { &body["properties"] } else { &body };
        let basis = if body["features"].is_array() && basis["population_group"].is_null() {
            &body["features"][0]["properties"]
        } else {
            basis
        };
        assert!(basis["population_group"].is_string(), "{uri}: {body}");
        assert_eq!(basis["population_model"], "census_mesh_500m", "{uri}");
    }
    let body = serde_json::json!({
        "kind": "visiting_nursing_station", "radius_m": 2000, "population": "aged_75_plus",
        "add": [{"lat": 36.03, "lon": 139.72}]
    });
    let answer = send(test::TestRequest::post().uri("/scenarios").set_json(body)).await;
    assert_eq!(answer.status, StatusCode::OK);
    let answer = answer.json();
    assert_eq!(answer["population_group"], "aged_75_plus");
    assert!(answer["difference"]["population_uncovered"].as_f64().unwrap() <= 0.0);
}

#[actix_web::test]
async fn a_group_the_model_does_not_know_is_refused_naming_population() {
    let bad =
        check_problem("/coverage-gaps?radius_m=2000&population=aged_70_plus", 400, "population")
            .await;
    let accepted = bad["accepted"].as_str().unwrap();
    assert!(
        accepted.contains("aged_75_plus") && accepted.contains("elderly_living_alone"),
        "{accepted}"
    );
    // Without the census mesh the Voronoi model knows the total only: ages are refused, not 0.
    for uri in [
        "/coverage-gaps?radius_m=2000&population=aged_75_plus",
        "/areas/11442?population=aged_65_plus",
        "/accessibility?catchment_m=3000&population=aged_85_plus",
    ] {
        let answer = send_to(voronoi_only(), test::TestRequest::get().uri(uri)).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        let problem = answer.json();
        assert_eq!(problem["parameter"], "population", "{uri}");
        assert_eq!(problem["accepted"], "total", "{uri}: {problem}");
    }
    let answer =
        send_to(voronoi_only(), test::TestRequest::get().uri("/coverage-gaps?radius_m=2000")).await;
    assert_eq!(answer.json()["population_model"], "voronoi_small_areas");
}

#[actix_web::test]
async fn coverage_gaps_summarise_each_study_area_municipality() {
    let answer = get("/coverage-gaps?kind=visiting_nursing_station&radius_m=2000").await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    assert_eq!(body["features"].as_array().unwrap().len(), atlas().study_area().count());
    insta::assert_json_snapshot!("coverage_gaps_summary", body, {
        ".features[].geometry.coordinates" => "[gap]",
        ".features[].properties.*" => insta::rounded_redaction(6),
        ".summary[].*" => insta::rounded_redaction(6),
    });
}

#[actix_web::test]
async fn the_ogc_landing_page_links_the_api() {
    let answer = get("/").await;
    assert_eq!(answer.status, StatusCode::OK);
    insta::assert_json_snapshot!("ogc_landing", answer.json());
}

#[actix_web::test]
async fn an_unknown_parameter_is_named_with_those_accepted() {
    let problem = check_problem("/nearest?lat=36&lon=139.6&radius=3", 400, "radius").await;
    insta::assert_json_snapshot!("problem_unknown_parameter", problem);
}

#[actix_web::test]
async fn every_error_names_the_parameter_at_fault() {
    for (uri, status, parameter) in [
        ("/nearest?lat=36&lon=139.6&k=1&k=2", 400, "k"),
        ("/nearest?lat=36&lon=139.6&k=101", 400, "k"),
        ("/nearest?lat=36&lon=139.6&lang=fr", 400, "lang"),
        ("/coverage-gaps?radius_m=2000&resolution=mesh100", 400, "resolution"),
        ("/coverage-gaps?radius_m=2000&area=11214", 400, "area"),
        ("/coverage-gaps?kind=hospice&radius_m=2000", 400, "kind"),
        ("/accessibility?catchment_m=3000&method=3sfca", 400, "method"),
        ("/accessibility?catchment_m=3000&resolution=polygon", 400, "resolution"),
        ("/accessibility", 400, "catchment_m"),
        ("/site-suggestions?kind=hospital&radius_m=1500&n=21", 400, "n"),
        ("/site-suggestions?kind=hospital,clinic&radius_m=1500", 400, "kind"),
        ("/site-suggestions?kind=hospital&radius_m=1500&area=11214", 400, "area"),
        ("/site-suggestions?kind=hospital&radius_m=1500&area=town", 400, "area"),
        ("/areas/99999?f=json", 400, "code"),
        ("/areas/13101", 404, "code"),
        ("/areas?f=xml", 400, "f"),
        ("/mesh/53397594311", 400, "meshcode"),
        ("/collections/facilities/items?limit=10001", 400, "limit"),
        ("/collections/facilities/items?crs=EPSG:4326", 400, "crs"),
        ("/collections/facilities/items?bbox-crs=EPSG:4326", 400, "bbox-crs"),
        ("/collections/facilities/items?sortby=name", 400, "sortby"),
        ("/embed?zoom=19", 400, "zoom"),
        ("/embed?tiles=satellite", 400, "tiles"),
        ("/embed?area=13101", 400, "area"),
        ("/embed?lat=50", 400, "lat"),
        ("/planner?radius_m=5", 400, "radius_m"),
        ("/planner?area=11214", 400, "area"),
        ("/planner?population=children", 400, "population"),
        ("/planner/report?resolution=mesh100", 400, "resolution"),
        ("/planner/report?add=36.0", 400, "add"),
        ("/planner/report?remove=nobody", 400, "remove"),
        ("/planner?zoom=3", 400, "zoom"),
        ("/nowhere", 404, "path"),
    ] {
        check_problem(uri, status, parameter).await;
    }
}

#[actix_web::test]
async fn accepted_texts_state_the_limits_and_the_study_area() {
    let k = check_problem("/nearest?lat=36&lon=139.6&k=0", 400, "k").await;
    assert_eq!(k["accepted"], "a whole number from 1 to 100");
    let area = check_problem("/coverage-gaps?radius_m=2000&area=11214", 400, "area").await;
    let accepted = area["accepted"].as_str().unwrap();
    for m in atlas().study_area() {
        assert!(accepted.contains(&m.code.to_string()) && accepted.contains(&m.name), "{accepted}");
    }
}

#[actix_web::test]
async fn a_wrong_method_is_refused_with_the_allowed_ones() {
    let answer = send(test::TestRequest::default().method(Method::DELETE).uri("/areas")).await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.header(header::ALLOW), Some("GET"));
    assert_eq!(answer.json()["parameter"], "method");
}

#[actix_web::test]
async fn head_is_answered_as_get_without_a_body() {
    let answer = send(test::TestRequest::default().method(Method::HEAD).uri("/healthz")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.is_empty());
}

#[actix_web::test]
async fn a_matching_etag_gets_not_modified() {
    let first = get("/version").await;
    let tag = first.header(header::ETAG).unwrap().to_owned();
    assert!(first.header(header::CACHE_CONTROL).unwrap().contains("max-age=300"));
    let again =
        send(test::TestRequest::get().uri("/version").insert_header((header::IF_NONE_MATCH, tag)))
            .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
}

#[actix_web::test]
async fn the_map_page_is_titled_with_the_study_area_towns_from_the_data() {
    let towns: Vec<String> = atlas().study_area().map(|m| m.name.clone()).collect();
    let page = get("/embed?tiles=none").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = String::from_utf8(page.body).unwrap();
    let title = format!("<title>在宅医療・介護資源マップ（{}）</title>", towns.join("・"));
    assert!(html.contains(&title), "{title} not in the page");
    assert_eq!(towns, ["蓮田市", "白岡市", "宮代町"], "the shipped data's study area");
}

#[actix_web::test]
async fn the_planner_and_its_report_are_pages_of_the_asked_question() {
    let towns: Vec<String> = atlas().study_area().map(|m| m.name.clone()).collect();
    let page = get("/planner?area=11442&kind=visiting_nursing_station&radius_m=2000&population=aged_75_plus&tiles=none").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = String::from_utf8(page.body).unwrap();
    assert!(html.contains(&format!("計画支援ツール（{}）", towns.join("・"))), "titled");
    // The question is embedded as the page's configuration, checked.
    for part in [r#""area":"11442""#, r#""radius_m":2000.0"#, r#""population":"aged_75_plus""#] {
        assert!(html.contains(part), "{part} in the page's configuration");
    }
    let report = get("/planner/report?lang=en&add=36.01,139.7").await;
    assert_eq!(report.status, StatusCode::OK);
    let html = String::from_utf8(report.body).unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains(r#""add":[[36.01,139.7]]"#));
    // The report is printed without tiles, whatever the page used.
    assert!(html.contains(r#""tiles":null"#));
    for asset in ["planner.js", "planner.css"] {
        assert_eq!(get(&format!("/assets/planner/{asset}")).await.status, StatusCode::OK);
    }
}

#[actix_web::test]
async fn a_kind_without_a_source_is_refused_by_every_analysis_naming_kind() {
    for uri in [
        "/coverage-gaps?kind=community_support_center&radius_m=2000",
        "/coverage-gaps?kind=visiting_nursing_station,community_support_center&radius_m=2000",
        "/accessibility?kind=community_support_center&catchment_m=3000",
        "/site-suggestions?kind=community_support_center&radius_m=1500",
    ] {
        let problem = check_problem(uri, 400, "kind").await;
        assert_eq!(problem["type"], "urn:care-atlas:problem:no-source", "{uri}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains("地域包括支援センター") && detail.contains("no source"),
            "{detail}"
        );
    }
    let answer = send(test::TestRequest::post().uri("/scenarios").set_json(serde_json::json!({
        "kind": "community_support_center",
        "radius_m": 2000.0,
    })))
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["parameter"], "kind");
}

#[actix_web::test]
async fn an_answer_on_a_partly_known_kind_says_partial_in_a_sentence() {
    for (uri, bound) in [
        ("/coverage-gaps?kind=home_care_clinic&radius_m=2000&area=11442", "upper bounds"),
        ("/accessibility?kind=home_care_clinic&catchment_m=3000", "lower bounds"),
        ("/site-suggestions?kind=home_care_clinic&radius_m=1500&n=1", "upper bounds"),
        ("/coverage-gaps?radius_m=2000&area=11442", "upper bounds"),
    ] {
        let answer = get(uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        let body = answer.json();
        assert_eq!(body["completeness"], "partial", "{uri}");
        let note = body["completeness_note"].as_str().unwrap();
        assert!(note.contains(bound), "{uri}: {note}");
    }
    let answer = send(test::TestRequest::post().uri("/scenarios").set_json(serde_json::json!({
        "kind": "home_care_clinic",
        "radius_m": 2000.0,
    })))
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["completeness"], "partial");
    // Complete in the study area but missing a few stations across the border: still partial,
    // and the sentence says what is missing there.
    let across = get("/accessibility?kind=visiting_nursing_station&catchment_m=3000").await;
    assert_eq!(across.json()["completeness"], "partial");
    let note = across.json()["completeness_note"].as_str().unwrap().to_owned();
    assert!(
        note.contains("only some in the neighbouring municipalities are known")
            && note.contains("4 stations with unusable coordinates"),
        "{note}"
    );
}

#[actix_web::test]
async fn the_map_credits_every_source_as_the_catalogue_states_it_geolonia_and_the_contact_portal_included()
 {
    let page = get("/embed?tiles=none").await;
    let html = String::from_utf8(page.body).unwrap();
    let credits = attributions();
    for credit in &credits {
        // The page embeds its configuration as JSON, so the text is looked for as JSON writes it.
        let json = serde_json::to_string(credit).unwrap();
        assert!(html.contains(json.trim_matches('"')), "{credit} not credited on the map page");
    }
    assert!(credits.iter().any(|c| c.contains("Geolonia")), "Geolonia placed facilities");
    assert!(credits.iter().any(|c| c.contains("houmonkango-navi")), "the portal gave contacts");
}

#[actix_web::test]
async fn sources_list_every_catalogued_source_with_its_credit_and_every_kinds_coverage() {
    let answer = get("/sources").await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    let listed: Vec<&str> =
        body["sources"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    let catalogued: Vec<String> = sources().into_iter().map(|s| s.id).collect();
    assert_eq!(listed, catalogued);
    assert!(
        body["sources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| !s["attribution"].as_str().unwrap().is_empty())
    );
    let coverage = body["coverage"].as_array().unwrap();
    let of = |kind: &str, scope: &str| {
        coverage
            .iter()
            .find(|c| c["kind"] == kind && c["scope"] == scope)
            .map(|c| c["coverage"].as_str().unwrap().to_owned())
    };
    assert_eq!(of("community_support_center", "study_area").as_deref(), Some("no_source"));
    assert_eq!(of("visiting_nursing_station", "study_area").as_deref(), Some("complete"));
    assert_eq!(of("visiting_nursing_station", "neighbours_10km").as_deref(), Some("partial"));
}

/// The condition rows and the table (header first) of an exported CSV, after checking its BOM.
fn csv_parts(body: &[u8]) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let text = body.strip_prefix("\u{feff}".as_bytes()).expect("the CSV starts with a BOM");
    assert!(text.windows(2).any(|w| w == b"\r\n"), "CRLF line ends");
    let records: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let split = records.iter().position(|r| r[0] != "条件/condition").unwrap();
    (records[..split].to_vec(), records[split..].to_vec())
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {header:?}"))
}

const GAPS_75: &str =
    "/coverage-gaps?kind=visiting_nursing_station&radius_m=2000&area=11442&population=aged_75_plus";

#[actix_web::test]
#[allow(clippy::float_cmp, reason = "the CSV must carry the very figure the JSON answer holds")]
async fn coverage_gaps_as_csv_hold_the_json_figures_and_the_conditions() {
    let json = get(GAPS_75).await.json();
    let answer = get(&format!("{GAPS_75}&f=csv")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header(header::CONTENT_TYPE), Some("text/csv; charset=utf-8"));
    assert_eq!(
        answer.header(header::CONTENT_DISPOSITION),
        Some("attachment; filename=\"coverage-gaps-11442-visiting_nursing_station-2000m.csv\"")
    );
    let (conditions, table) = csv_parts(&answer.body);
    let condition = |key: &str| {
        conditions.iter().find(|c| c[1] == key).map(|c| c[2].clone()).unwrap_or_default()
    };
    assert_eq!(condition("kind"), "visiting_nursing_station");
    assert_eq!(condition("radius_m"), "2000");
    assert_eq!(condition("population_group"), "aged_75_plus");
    assert_eq!(condition("population_model"), "census_mesh_500m");
    assert!(condition("data_as_of").contains(':'));
    let header = &table[0];
    let (kind, town, uncovered) = (
        column(header, "行/row"),
        column(header, "市町村名/municipality_name"),
        column(header, "人口(圏外)/population_uncovered"),
    );
    let summary = table.iter().find(|r| r[kind] == "summary").unwrap();
    let gap = table.iter().find(|r| r[kind] == "gap").unwrap();
    assert_eq!(summary[town], "宮代町");
    let figure = |row: &[String]| row[uncovered].parse::<f64>().unwrap();
    assert_eq!(figure(summary), json["summary"][0]["population_uncovered"].as_f64().unwrap());
    assert_eq!(figure(gap), json["features"][0]["properties"]["population"].as_f64().unwrap());
    assert!(figure(summary) > 0.0);
}

#[actix_web::test]
async fn coverage_gaps_of_mesh_cells_as_csv_count_the_uncovered_cells() {
    let uri = format!("{GAPS_75}&resolution=mesh500");
    let json = get(&uri).await.json();
    let expected = json["summary"][0]["population_uncovered"].as_f64().unwrap();
    let (_, table) = csv_parts(&get(&format!("{uri}&f=csv")).await.body);
    let header = &table[0];
    let (kind, uncovered) =
        (column(header, "行/row"), column(header, "人口(圏外)/population_uncovered"));
    let cells: f64 = table
        .iter()
        .filter(|r| r[kind] == "cell")
        .filter_map(|r| r[uncovered].parse::<f64>().ok())
        .sum();
    assert!((cells - expected).abs() < 1e-6, "{cells} vs {expected}");
    assert!(
        table
            .iter()
            .filter(|r| r[kind] == "cell")
            .all(|r| r[column(header, "メッシュコード/mesh_code")].len() == 9)
    );
}

/// 宮代町's people aged 75+ out of reach of a visiting nursing station at 2 km, from `uri`'s
/// answer (a `/coverage-gaps` summary).
fn miyashiro_figure(answer: &Value) -> f64 {
    answer["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["municipality_code"] == "11442")
        .and_then(|s| s["population_uncovered"].as_f64())
        .unwrap()
}

#[actix_web::test]
async fn one_question_gives_one_number_at_every_resolution_and_endpoint() {
    let figure = miyashiro_figure(&get(GAPS_75).await.json());
    assert!(figure > 100.0, "{figure}");
    for resolution in ["mesh1000", "mesh500", "mesh250"] {
        let answer = get(&format!("{GAPS_75}&resolution={resolution}")).await.json();
        assert!((miyashiro_figure(&answer) - figure).abs() < 1e-6, "{resolution}");
        let drawn: f64 = answer["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["properties"]["population_uncovered"].as_f64())
            .sum();
        assert!((drawn - figure).abs() < 1e-6, "{resolution}: cells add up, {drawn}");
        assert_eq!(answer["out_of_reach_definition"]["resolution"], "mesh250");
    }
    let places = get(
        "/underserved-places?kind=visiting_nursing_station&radius_m=2000&area=11442&population=aged_75_plus",
    )
    .await
    .json();
    let listed: f64 = places["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["population_uncovered"].as_f64().unwrap())
        .sum();
    assert!((listed - figure).abs() < 1e-6, "places add up: {listed} vs {figure}");
    let scenario = send(test::TestRequest::post().uri("/scenarios").set_json(serde_json::json!({
        "kind": "visiting_nursing_station", "radius_m": 2000, "population": "aged_75_plus"
    })))
    .await
    .json();
    assert!(
        (miyashiro_figure(&serde_json::json!({"summary": scenario["before"]["gaps"]})) - figure)
            .abs()
            < 1e-6
    );
    let by_town = scenario["before"]["out_of_reach_by_town"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["municipality_code"] == "11442")
        .and_then(|t| t["population_uncovered"]["aged_75_plus"].as_f64())
        .unwrap();
    assert!((by_town - figure).abs() < 1e-6, "by town: {by_town} vs {figure}");
    // The best site for 宮代町 brings within reach exactly what the scenario adding it removes.
    let sites = get(
        "/site-suggestions?kind=visiting_nursing_station&radius_m=2000&area=11442&population=aged_75_plus&n=1",
    )
    .await
    .json();
    let best = &sites["features"][0];
    let (lon, lat) = (&best["geometry"]["coordinates"][0], &best["geometry"]["coordinates"][1]);
    let with_it = send(test::TestRequest::post().uri("/scenarios").set_json(serde_json::json!({
        "kind": "visiting_nursing_station", "radius_m": 2000, "population": "aged_75_plus",
        "add": [{"lat": lat, "lon": lon}]
    })))
    .await
    .json();
    let after = miyashiro_figure(&serde_json::json!({"summary": with_it["after"]["gaps"]}));
    let brought = best["properties"]["newly_covered_population"].as_f64().unwrap();
    assert!((figure - after - brought).abs() < 1e-6, "{figure} − {after} vs {brought}");
}

#[actix_web::test]
async fn underserved_places_are_named_ranked_and_exported_with_the_same_figures() {
    let uri = "/underserved-places?kind=visiting_nursing_station&radius_m=2000&area=11442&population=aged_75_plus";
    let json = get(uri).await.json();
    let places = json["places"].as_array().unwrap();
    assert!(places.len() >= 3, "{json}");
    assert!(places.iter().all(|p| p["municipality_name"] == "宮代町"));
    assert!(places.windows(2).all(|w| {
        w[0]["population_uncovered"].as_f64() >= w[1]["population_uncovered"].as_f64()
    }));
    let first = &places[0];
    assert_eq!(first["rank"], 1);
    assert!(!first["name"].as_str().unwrap().is_empty());
    assert_eq!(
        first["population_uncovered"],
        first["population_uncovered_by_group"]["aged_75_plus"]
    );
    assert!(
        first["population_uncovered_by_group"]["total"].as_f64()
            > first["population_uncovered"].as_f64()
    );
    assert_eq!(get(&format!("{uri}&n=2")).await.json()["places"].as_array().unwrap().len(), 2);
    check_problem(&format!("{uri}&n=0"), 400, "n").await;
    check_problem("/underserved-places?radius_m=2000&area=11111", 400, "area").await;

    let answer = get(&format!("{uri}&f=csv")).await;
    assert_eq!(answer.header(header::CONTENT_TYPE), Some("text/csv; charset=utf-8"));
    let (conditions, table) = csv_parts(&answer.body);
    assert!(conditions.iter().any(|c| c[1] == "out_of_reach_definition" && c[2].contains("250 m")));
    let header = &table[0];
    let row = &table[1];
    assert_eq!(row[column(header, "町丁・字/place")], first["name"].as_str().unwrap());
    let figure: f64 =
        row[column(header, "圏外人口(75歳以上)/uncovered_aged_75_plus")].parse().unwrap();
    assert!((figure - first["population_uncovered"].as_f64().unwrap()).abs() < 1e-9);
}

#[actix_web::test]
async fn coverage_gaps_as_a_workbook_hold_the_same_figures() {
    use calamine::{Data, Reader as _};
    let json = get(GAPS_75).await.json();
    let request = test::TestRequest::get().uri(GAPS_75).insert_header((
        header::ACCEPT,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ));
    let answer = send(request).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.header(header::CONTENT_DISPOSITION).unwrap().ends_with("2000m.xlsx\""));
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(answer.body)).unwrap();
    let data = workbook.worksheet_range("data").unwrap();
    let rows: Vec<&[Data]> = data.rows().collect();
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    let (kind, uncovered) =
        (column(&header, "行/row"), column(&header, "人口(圏外)/population_uncovered"));
    let summary =
        rows.iter().find(|r| matches!(&r[kind], Data::String(s) if s == "summary")).unwrap();
    assert_eq!(
        summary[uncovered],
        Data::Float(json["summary"][0]["population_uncovered"].as_f64().unwrap())
    );
    let conditions = workbook.worksheet_range("conditions").unwrap();
    let texts: Vec<String> = conditions.rows().map(|r| r[1].to_string()).collect();
    assert!(texts.contains(&"aged_75_plus".to_owned()));
    assert!(attributions().iter().all(|a| texts.contains(a)));
}

#[actix_web::test]
async fn an_export_format_not_offered_is_refused_naming_f() {
    let problem = check_problem(&format!("{GAPS_75}&f=pdf"), 400, "f").await;
    assert_eq!(problem["accepted"], "json, geojson, csv or xlsx");
    let json = get(&format!("{GAPS_75}&f=geojson")).await;
    assert_eq!(json.header(header::CONTENT_TYPE), Some("application/geo+json"));
}

#[actix_web::test]
#[allow(clippy::float_cmp, reason = "the CSV must carry the very figure the JSON answer holds")]
async fn areas_as_csv_compare_towns_per_kind_and_leave_unknown_empty() {
    let json = get("/areas?population=aged_75_plus").await.json();
    let answer = get("/areas?population=aged_75_plus&f=csv").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.header(header::CONTENT_DISPOSITION),
        Some("attachment; filename=\"areas-aged_75_plus.csv\"")
    );
    let (_, table) = csv_parts(&answer.body);
    let header = &table[0];
    let (code, kind, count, per_10k, coverage) = (
        column(header, "市町村コード/municipality_code"),
        column(header, "種別/kind"),
        column(header, "施設数/count"),
        column(header, "人口1万人あたり/per_10k_residents"),
        column(header, "把握状況/coverage"),
    );
    let row = |town: &str, k: &str| {
        table
            .iter()
            .find(|r| r[code] == town && r[kind] == k)
            .unwrap_or_else(|| panic!("{town} {k}"))
    };
    let unknown = row("11442", "community_support_center");
    assert_eq!(unknown[coverage], "no_source");
    assert_eq!((unknown[count].as_str(), unknown[per_10k].as_str()), ("", ""));
    let town = json["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["code"] == "11442")
        .unwrap();
    let nursing = &town["properties"]["statistics"]["visiting_nursing_station"];
    let known = row("11442", "visiting_nursing_station");
    assert_eq!(known[count].parse::<f64>().unwrap(), nursing["count"].as_f64().unwrap());
    assert_eq!(
        known[per_10k].parse::<f64>().unwrap(),
        nursing["per_10k_residents"].as_f64().unwrap()
    );
    let towns = json["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["statistics"].as_object().map(serde_json::Map::len))
        .sum::<usize>();
    assert_eq!(table.len() - 1, towns, "one row per study-area town and kind");
}

#[actix_web::test]
async fn areas_as_a_workbook_leave_unknown_cells_blank() {
    use calamine::{Data, Reader as _};
    let answer = get("/areas?f=xlsx").await;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(answer.body)).unwrap();
    let data = workbook.worksheet_range("data").unwrap();
    let rows: Vec<&[Data]> = data.rows().collect();
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    let (code, kind, count) = (
        column(&header, "市町村コード/municipality_code"),
        column(&header, "種別/kind"),
        column(&header, "施設数/count"),
    );
    let unknown = rows
        .iter()
        .find(|r| {
            matches!(&r[code], Data::String(s) if s == "11442")
                && matches!(&r[kind], Data::String(s) if s == "community_support_center")
        })
        .unwrap();
    assert_eq!(unknown[count], Data::Empty);
}

#[actix_web::test]
async fn facilities_as_csv_hold_every_property_of_every_facility_matched() {
    let uri = "/collections/facilities/items?kind=visiting_nursing_station";
    let json = get(&format!("{uri}&limit=10000")).await.json();
    let answer = get(&format!("{uri}&f=csv")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.header(header::CONTENT_DISPOSITION),
        Some("attachment; filename=\"facilities.csv\"")
    );
    let (conditions, table) = csv_parts(&answer.body);
    assert!(conditions.iter().any(|c| c[1] == "kind" && c[2] == "visiting_nursing_station"));
    let header = &table[0];
    let features = json["features"].as_array().unwrap();
    assert_eq!(table.len() - 1, json["numberMatched"].as_u64().unwrap() as usize);
    assert_eq!(table.len() - 1, features.len(), "a file holds every facility matched");
    let english: Vec<&str> = header.iter().filter_map(|h| h.split('/').nth(1)).collect();
    for key in features[0]["properties"].as_object().unwrap().keys() {
        assert!(english.contains(&key.as_str()), "no column for the property {key}");
    }
    let (id, name, lon) =
        (column(header, "ID/id"), column(header, "名称/name"), column(header, "経度/lon"));
    let first = &table[1];
    assert_eq!(first[id], features[0]["id"].as_str().unwrap());
    assert_eq!(first[name], features[0]["properties"]["name"].as_str().unwrap());
    let detail = column(header, "介護サービス情報公表システムのページ/detail_url");
    assert_eq!(first[detail], features[0]["properties"]["detail_url"].as_str().unwrap());
    let lon_json = features[0]["geometry"]["coordinates"][0].as_f64().unwrap();
    assert!((first[lon].parse::<f64>().unwrap() - lon_json).abs() < 1e-9);
    check_problem("/collections/municipalities/items?f=csv", 400, "f").await;
    check_problem("/collections/facilities/items?f=pdf", 400, "f").await;
}

#[actix_web::test]
#[allow(clippy::float_cmp, reason = "the CSV must carry the very figure the JSON answer holds")]
async fn site_suggestions_as_csv_rank_the_same_sites_with_the_same_figures() {
    let uri =
        "/site-suggestions?kind=visiting_nursing_station&radius_m=2000&n=3&population=aged_75_plus";
    let json = get(uri).await.json();
    let answer = get(&format!("{uri}&f=csv")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.header(header::CONTENT_DISPOSITION),
        Some("attachment; filename=\"site-suggestions-visiting_nursing_station-2000m.csv\"")
    );
    let (conditions, table) = csv_parts(&answer.body);
    assert!(conditions.iter().any(|c| c[1] == "n" && c[2] == "3"));
    let condition = |key: &str| conditions.iter().find(|c| c[1] == key).map(|c| c[2].clone());
    assert!(
        condition("out_of_reach_definition")
            .unwrap()
            .contains(json["out_of_reach_definition"]["en"].as_str().unwrap())
    );
    assert_eq!(condition("area").as_deref(), Some(""));
    let header = &table[0];
    let (mesh, newly, town) = (
        column(header, "メッシュコード/mesh_code"),
        column(header, "新たに圏内となる人口/newly_covered_population"),
        column(header, "市町村名/municipality_name"),
    );
    let texts = [
        ("町丁・字/place_name", "place_name"),
        ("町丁・字コード/small_area_key", "small_area_key"),
        ("市町村コード/municipality_code", "municipality_code"),
    ];
    let features = json["features"].as_array().unwrap();
    assert_eq!(table.len() - 1, features.len());
    for (row, feature) in table[1..].iter().zip(features) {
        let properties = &feature["properties"];
        assert_eq!(row[mesh], properties["mesh_code"].as_str().unwrap());
        assert_eq!(
            row[newly].parse::<f64>().unwrap(),
            properties["newly_covered_population"].as_f64().unwrap()
        );
        assert_eq!(row[town], properties["municipality_name"].as_str().unwrap());
        for (csv, property) in texts {
            assert_eq!(row[column(header, csv)], properties[property].as_str().unwrap_or(""));
        }
    }
}

#[actix_web::test]
async fn site_suggestions_for_one_town_stand_in_it_and_name_its_places() {
    for population in ["total", "aged_75_plus"] {
        let uri = format!(
            "/site-suggestions?kind=visiting_nursing_station&radius_m=2000&n=3&area=11442&population={population}"
        );
        let json = get(&uri).await.json();
        assert_eq!(json["area"], "11442");
        assert_eq!(json["out_of_reach_definition"]["resolution"], "mesh250");
        let features = json["features"].as_array().unwrap();
        assert!(!features.is_empty(), "{json}");
        for feature in features {
            let properties = &feature["properties"];
            assert_eq!(properties["municipality_code"], "11442", "{properties}");
            assert_eq!(properties["municipality_name"], "宮代町", "{properties}");
            assert!(properties["small_area_key"].as_str().unwrap().starts_with("11442"));
            assert!(!properties["place_name"].as_str().unwrap().is_empty());
        }
        // The same question over the whole study area counts more residents in its first pick
        // or the same: one town's residents are a part of the three towns'.
        let everywhere = get(&uri.replace("&area=11442", "")).await.json();
        let first = |body: &Value| {
            body["features"][0]["properties"]["newly_covered_population"].as_f64().unwrap()
        };
        assert!(first(&everywhere) >= first(&json));
        let csv = get(&format!("{uri}&f=csv")).await;
        let (conditions, _) = csv_parts(&csv.body);
        assert!(conditions.iter().any(|c| c[1] == "area" && c[2] == "11442"));
    }
}

#[actix_web::test]
async fn the_town_comparison_gives_people_out_of_reach_per_kind_and_never_zero_for_no_data() {
    let figure = miyashiro_figure(&get(GAPS_75).await.json());
    let answer = get("/areas?population=aged_75_plus&radius_m=2000").await.json();
    let miyashiro = answer["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["code"] == "11442")
        .unwrap();
    let statistics = &miyashiro["properties"]["statistics"];
    let nursing = &statistics["visiting_nursing_station"]["out_of_reach"];
    assert_eq!(nursing["radius_m"], 2000.0);
    let same = nursing["population_uncovered"]["aged_75_plus"].as_f64().unwrap();
    assert!((same - figure).abs() < 1e-6, "{same} vs {figure}");
    let unknown = &statistics["community_support_center"];
    assert_eq!(unknown["coverage"], "no_source");
    assert!(unknown["out_of_reach"]["population_uncovered"]["total"].is_null());
    // Without radius_m, no out-of-reach figures at all.
    let plain = get("/areas").await.json();
    assert!(
        plain["features"][0]["properties"]["statistics"]["visiting_nursing_station"]
            .get("out_of_reach")
            .is_none_or(Value::is_null)
    );
    check_problem("/areas?radius_m=5", 400, "radius_m").await;

    let (conditions, table) =
        csv_parts(&get("/areas?population=aged_75_plus&radius_m=2000&f=csv").await.body);
    assert!(conditions.iter().any(|c| c[1] == "radius_m" && c[2] == "2000"));
    let header = &table[0];
    let row = table
        .iter()
        .find(|r| r[0] == "11442" && r[column(header, "種別/kind")] == "visiting_nursing_station")
        .unwrap();
    let csv_figure: f64 =
        row[column(header, "圏外人口(75歳以上)/uncovered_aged_75_plus")].parse().unwrap();
    assert!((csv_figure - figure).abs() < 1e-6);
    let none = table
        .iter()
        .find(|r| r[0] == "11442" && r[column(header, "種別/kind")] == "community_support_center")
        .unwrap();
    assert_eq!(none[column(header, "圏外人口(総数)/uncovered_total")], "");
}

#[actix_web::test]
async fn a_scenario_as_csv_and_workbook_holds_before_after_and_difference() {
    use calamine::Reader as _;
    let body = serde_json::json!({
        "kind": "visiting_nursing_station", "radius_m": 2000, "population": "aged_75_plus",
        "add": [{"lat": 36.0135417, "lon": 139.7078125}]
    });
    let json =
        send(test::TestRequest::post().uri("/scenarios").set_json(body.clone())).await.json();
    let answer =
        send(test::TestRequest::post().uri("/scenarios?f=csv").set_json(body.clone())).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.header(header::CONTENT_DISPOSITION),
        Some("attachment; filename=\"scenario-visiting_nursing_station-2000m.csv\"")
    );
    let (conditions, table) = csv_parts(&answer.body);
    assert!(
        conditions
            .iter()
            .any(|c| c[1] == "added (lat lon ×capacity)" && c[2].contains("36.0135417"))
    );
    let header = &table[0];
    let (scope, group, before, after, difference) = (
        column(header, "範囲/scope"),
        column(header, "対象/population_group"),
        column(header, "現状/before"),
        column(header, "変更後/after"),
        column(header, "差/difference"),
    );
    let miyashiro =
        table.iter().find(|r| r[scope] == "11442" && r[group] == "aged_75_plus").unwrap();
    let gaps = |state: &str| {
        json[state]["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["municipality_code"] == "11442")
            .unwrap()["population_uncovered"]
            .as_f64()
            .unwrap()
    };
    let number = |text: &str| text.parse::<f64>().unwrap();
    assert!((number(&miyashiro[before]) - gaps("before")).abs() < 1e-9);
    assert!((number(&miyashiro[after]) - gaps("after")).abs() < 1e-9);
    let all_ages = table.iter().find(|r| r[scope] == "study_area" && r[group] == "total").unwrap();
    let total = json["difference"]["out_of_reach_by_group"]["total"].as_f64().unwrap();
    assert!(total < 0.0);
    assert!((number(&all_ages[difference]) - total).abs() < 1e-9);

    let workbook = send(
        test::TestRequest::post()
            .uri("/scenarios")
            .insert_header((
                header::ACCEPT,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ))
            .set_json(body),
    )
    .await;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(workbook.body)).unwrap();
    assert!(book.worksheet_range("data").unwrap().rows().count() > 5);
    check_problem_post("/scenarios?f=pdf", 400, "f").await;
}

async fn check_problem_post(uri: &str, status: u16, parameter: &str) {
    let body = serde_json::json!({"kind": "visiting_nursing_station", "radius_m": 2000});
    let answer = send(test::TestRequest::post().uri(uri).set_json(body)).await;
    assert_eq!(answer.status.as_u16(), status);
    assert_eq!(answer.json()["parameter"], parameter);
}

/// A condition's value in an exported CSV's condition rows (empty when absent).
fn condition(conditions: &[Vec<String>], key: &str) -> String {
    conditions.iter().find(|c| c[1] == key).map(|c| c[2].clone()).unwrap_or_default()
}

/// The rows of a workbook's `data` sheet (header first) and its `conditions` sheet's values,
/// after checking that it opens.
fn workbook_parts(body: Vec<u8>) -> (Vec<Vec<calamine::Data>>, Vec<String>) {
    use calamine::Reader as _;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(body)).unwrap();
    let data = workbook.worksheet_range("data").unwrap();
    let conditions = workbook.worksheet_range("conditions").unwrap();
    (
        data.rows().map(<[calamine::Data]>::to_vec).collect(),
        conditions.rows().map(|r| r[1].to_string()).collect(),
    )
}

/// `uri` asked for with an `Accept` header.
async fn get_accepting(uri: &str, accept: &str) -> Answer {
    send(test::TestRequest::get().uri(uri).insert_header((header::ACCEPT, accept.to_owned()))).await
}

const CSV: &str = "text/csv; charset=utf-8";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `uri` as a file, after checking the status, the content type and the name it is saved under.
async fn get_file(uri: &str, content_type: &str, file_name: &str) -> Answer {
    let answer = get(uri).await;
    assert_eq!(answer.status, StatusCode::OK, "{uri}");
    assert_eq!(answer.header(header::CONTENT_TYPE), Some(content_type), "{uri}");
    let disposition = format!("attachment; filename=\"{file_name}\"");
    assert_eq!(answer.header(header::CONTENT_DISPOSITION), Some(disposition.as_str()), "{uri}");
    answer
}

const ACCESSIBILITY_75: &str = "/accessibility?kind=visiting_nursing_station&catchment_m=3000&resolution=mesh500&population=aged_75_plus";

#[actix_web::test]
#[allow(clippy::float_cmp, reason = "the CSV must carry the very figure the JSON answer holds")]
async fn accessibility_as_csv_hold_each_cells_json_scores_and_the_conditions() {
    let json = get(ACCESSIBILITY_75).await.json();
    let name = "accessibility-visiting_nursing_station-e2sfca-3000m-mesh500.csv";
    let answer = get_file(&format!("{ACCESSIBILITY_75}&f=csv"), CSV, name).await;
    let (conditions, table) = csv_parts(&answer.body);
    assert_eq!(condition(&conditions, "kind"), "visiting_nursing_station");
    assert_eq!(condition(&conditions, "method"), "e2sfca");
    assert_eq!(condition(&conditions, "catchment_m"), "3000");
    assert_eq!(condition(&conditions, "resolution"), "mesh500");
    assert!(condition(&conditions, "weight").starts_with("count"));
    assert_eq!(condition(&conditions, "population_group"), "aged_75_plus");
    assert_eq!(condition(&conditions, "population_model"), "census_mesh_500m");
    assert_eq!(condition(&conditions, "completeness"), json["completeness"].as_str().unwrap());
    assert!(condition(&conditions, "data_as_of").contains(':'));
    let header = &table[0];
    let at = |name| column(header, name);
    let features = json["features"].as_array().unwrap();
    assert_eq!(table.len() - 1, features.len(), "one row per cell");
    for (row, feature) in table[1..].iter().zip(features) {
        let p = &feature["properties"];
        assert_eq!(row[at("メッシュコード/mesh_code")], p["mesh_code"].as_str().unwrap());
        for (name, key) in [
            ("対象人口/population", "population"),
            ("スコア/score_raw", "score_raw"),
            ("正規化スコア/score_normalised", "score_normalised"),
        ] {
            assert_eq!(row[at(name)].parse::<f64>().unwrap(), p[key].as_f64().unwrap(), "{key}");
        }
        // The centre lies inside the cell the JSON draws.
        let ring = feature["geometry"]["coordinates"][0][0].as_array().unwrap();
        let (lons, lats): (Vec<f64>, Vec<f64>) =
            ring.iter().map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())).unzip();
        let inside = |v: f64, vs: &[f64]| vs.iter().any(|&x| x < v) && vs.iter().any(|&x| x > v);
        let lon = row[at("経度(中心)/center_lon")].parse::<f64>().unwrap();
        let lat = row[at("緯度(中心)/center_lat")].parse::<f64>().unwrap();
        assert!(inside(lon, &lons) && inside(lat, &lats), "{lon},{lat} in {ring:?}");
        // Each cell is named by its study-area town, even one cut by the edge whose centre is
        // in a neighbour.
        let town = row[at("市町村コード/municipality_code")].as_str();
        assert!(["11238", "11246", "11442"].contains(&town), "{town}");
    }
    let towns: Vec<&str> =
        table[1..].iter().map(|r| r[at("市町村名/municipality_name")].as_str()).collect();
    assert!(towns.contains(&"宮代町") && towns.contains(&"蓮田市") && towns.contains(&"白岡市"));
}

#[actix_web::test]
async fn accessibility_as_a_workbook_opens_with_the_same_scores() {
    use calamine::Data;
    let json = get(ACCESSIBILITY_75).await.json();
    let answer = get_accepting(ACCESSIBILITY_75, XLSX).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header(header::CONTENT_TYPE), Some(XLSX));
    let (rows, conditions) = workbook_parts(answer.body);
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    let raw = column(&header, "スコア/score_raw");
    let first = &json["features"][0]["properties"];
    assert_eq!(rows[1][raw], Data::Float(first["score_raw"].as_f64().unwrap()));
    assert_eq!(rows.len() - 1, json["features"].as_array().unwrap().len());
    assert!(conditions.contains(&"e2sfca".to_owned()));
    assert!(attributions().iter().all(|a| conditions.contains(a)));
    // `f` wins over Accept.
    let json = get_accepting(&format!("{ACCESSIBILITY_75}&f=json"), "text/csv").await;
    assert_eq!(json.header(header::CONTENT_TYPE), Some("application/geo+json"));
    check_problem(&format!("{ACCESSIBILITY_75}&f=pdf"), 400, "f").await;
}

#[actix_web::test]
#[allow(clippy::float_cmp, reason = "the CSV must carry the very figure the JSON answer holds")]
async fn one_town_as_csv_has_a_row_per_kind_with_the_json_figures_and_unknown_empty() {
    // 85+ has no official town figure: `census_total_official` is null, so an empty field.
    let uri = "/areas/11442?population=aged_85_plus";
    let json = get(uri).await.json();
    let name = "municipality-11442-aged_85_plus.csv";
    let answer = get_file(&format!("{uri}&f=csv"), CSV, name).await;
    let (conditions, table) = csv_parts(&answer.body);
    assert_eq!(condition(&conditions, "code"), "11442");
    assert_eq!(condition(&conditions, "population_group"), "aged_85_plus");
    assert!(condition(&conditions, "data_as_of").contains(':'));
    let header = &table[0];
    let at = |name| column(header, name);
    let p = &json["properties"];
    let statistics = p["statistics"].as_object().unwrap();
    assert_eq!(table.len() - 1, statistics.len(), "one row per kind");
    for row in &table[1..] {
        assert_eq!(row[at("名称/name")], "宮代町");
        let s = &statistics[&row[at("種別/kind")]];
        for (name, key) in [
            ("施設数/count", "count"),
            ("人口1万人あたり/per_10k_residents", "per_10k_residents"),
            ("対象人口千人あたり/per_1k_population_group", "per_1k_population_group"),
            ("km2あたり/per_km2", "per_km2"),
        ] {
            match s[key].as_f64() {
                Some(figure) => assert_eq!(row[at(name)].parse::<f64>().unwrap(), figure),
                None => assert_eq!(row[at(name)], "", "{key} unknown is empty, never 0"),
            }
        }
        assert_eq!(row[at("把握状況/coverage")], s["coverage"].as_str().unwrap());
        assert_eq!(
            row[at("対象人口(モデル)/model_total")].parse::<f64>().unwrap(),
            p["model_total"].as_f64().unwrap()
        );
        assert_eq!(
            row[at("65歳以上人口/aged_65_plus")].parse::<f64>().unwrap(),
            p["aged_65_plus"].as_f64().unwrap()
        );
        assert!(p["census_total_official"].is_null());
        assert_eq!(row[at("対象人口(国勢調査)/census_total_official")], "");
    }
    let unknown = table.iter().find(|r| r[at("種別/kind")] == "community_support_center").unwrap();
    assert_eq!(unknown[at("施設数/count")], "");
}

#[actix_web::test]
async fn a_neighbour_town_as_csv_has_one_row_without_per_kind_figures() {
    let json = get("/areas").await.json();
    let neighbour = json["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["statistics"].is_null())
        .unwrap();
    let code = neighbour["id"].as_str().unwrap();
    let (conditions, table) = csv_parts(&get(&format!("/areas/{code}?f=csv")).await.body);
    assert_eq!(condition(&conditions, "area_completeness"), "neighbour");
    assert_eq!(table.len(), 2, "one row");
    let header = &table[0];
    assert_eq!(table[1][column(header, "種別/kind")], "");
    assert_eq!(table[1][column(header, "施設数/count")], "");
    assert!(!table[1][column(header, "人口/population")].is_empty());
    check_problem("/areas/11442?f=pdf", 400, "f").await;
}

#[actix_web::test]
async fn a_mesh_cell_as_a_workbook_opens_with_the_json_figures_and_blank_unknowns() {
    use calamine::Data;
    // A 500 m cell inside 宮代町.
    let uri = "/mesh/543905272?population=aged_75_plus";
    let json = get(uri).await.json();
    let p = &json["properties"];
    let statistics = p["statistics"].as_object().expect("a cell wholly in the study area");
    let answer = get_file(&format!("{uri}&f=xlsx"), XLSX, "mesh-543905272-aged_75_plus.xlsx").await;
    let (rows, conditions) = workbook_parts(answer.body);
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    let at = |name| column(&header, name);
    assert_eq!(rows.len() - 1, statistics.len(), "one row per kind");
    for row in &rows[1..] {
        assert_eq!(row[at("コード/code")], Data::String("543905272".into()));
        assert_eq!(row[at("区域の種類/area_type")], Data::String("mesh".into()));
        assert_eq!(
            row[at("対象人口(モデル)/model_total")],
            Data::Float(p["model_total"].as_f64().unwrap())
        );
        // Mesh cells have no 65+ figure and no name: blank, never 0.
        assert!(p["aged_65_plus"].is_null());
        assert_eq!(row[at("65歳以上人口/aged_65_plus")], Data::Empty);
        assert_eq!(row[at("名称/name")], Data::Empty);
        let kind = row[at("種別/kind")].to_string();
        match statistics[&kind]["count"].as_f64() {
            Some(n) => assert_eq!(row[at("施設数/count")], Data::Float(n)),
            None => assert_eq!(row[at("施設数/count")], Data::Empty),
        }
    }
    assert!(conditions.contains(&"543905272".to_owned()));
    assert!(conditions.contains(&"aged_75_plus".to_owned()));
    // The CSV of the same cell, asked for by Accept, is the same table.
    let (_, table) = csv_parts(&get_accepting(uri, "text/csv").await.body);
    assert_eq!(table.len(), rows.len());
}

#[actix_web::test]
async fn the_facilities_link_their_files_as_alternates_keeping_the_query() {
    let alternates = |links: &Value| -> Vec<(String, String)> {
        links
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["rel"] == "alternate")
            .map(|l| {
                (l["type"].as_str().unwrap().to_owned(), l["href"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    let page =
        get("/collections/facilities/items?kind=visiting_nursing_station&limit=5").await.json();
    let files = alternates(&page["links"]);
    let types: Vec<&str> = files.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(types, [CSV, XLSX]);
    let (_, csv_href) = &files[0];
    assert!(csv_href.starts_with("http://"), "{csv_href}");
    assert!(
        csv_href
            .ends_with("/collections/facilities/items?kind=visiting_nursing_station&limit=5&f=csv"),
        "{csv_href}"
    );
    // Followed, the link gives the page's facilities as CSV.
    let path = &csv_href[csv_href.find("/collections").unwrap()..];
    let answer = get_file(path, CSV, "facilities.csv").await;
    let (_, table) = csv_parts(&answer.body);
    assert_eq!(table.len() - 1, page["numberReturned"].as_u64().unwrap() as usize);
    let xlsx_path = files[1].1[files[1].1.find("/collections").unwrap()..].to_owned();
    let (rows, _) = workbook_parts(get(&xlsx_path).await.body);
    assert_eq!(rows.len(), table.len());
    // `f` is not repeated when the page was asked for with one.
    let page = get("/collections/facilities/items?f=geojson&limit=1").await.json();
    assert!(alternates(&page["links"])[0].1.ends_with("?limit=1&f=csv"));
    let collection = get("/collections/facilities").await.json();
    let files = alternates(&collection["links"]);
    assert!(files[0].1.ends_with("/collections/facilities/items?f=csv"), "{files:?}");
    assert!(files[1].1.ends_with("/collections/facilities/items?f=xlsx"), "{files:?}");
    // Other collections are JSON only.
    for other in ["/collections/municipalities", "/collections/small-areas/items"] {
        assert!(alternates(&get(other).await.json()["links"]).is_empty(), "{other}");
    }
}

#[actix_web::test]
async fn care_offices_link_their_official_page_and_medical_facilities_do_not() {
    let uri = "/nearest?lat=35.996631&lon=139.676669&kind=visiting_nursing_station,hospital&k=20";
    let body = get(uri).await.json();
    let features = body["features"].as_array().unwrap();
    let property = |f: &Value, key: &str| f["properties"][key].clone();
    let station =
        features.iter().find(|f| property(f, "source") == "mhlw-kaigo-130").expect("a station");
    let number = property(station, "source_record_id");
    let expected = format!(
        "https://www.kaigokensaku.mhlw.go.jp/{}/index.php?action_kouhyou_detail_overview_index=true&JigyosyoCd={}-00&ServiceCd=130",
        &number.as_str().unwrap()[..2],
        number.as_str().unwrap()
    );
    assert_eq!(property(station, "detail_url"), expected);
    let hospital = features.iter().find(|f| property(f, "kind") == "hospital").expect("a hospital");
    assert!(hospital["properties"].as_object().unwrap().contains_key("detail_url"));
    assert_eq!(property(hospital, "detail_url"), Value::Null);
}

#[actix_web::test]
async fn every_area_has_a_label_point_inside_it() {
    use geo::Contains;
    let atlas = atlas();
    for uri in ["/areas", "/collections/municipalities/items?limit=1000"] {
        let body = get(uri).await.json();
        let features = body["features"].as_array().unwrap();
        assert_eq!(features.len(), atlas.municipalities().len(), "{uri}");
        for feature in features {
            let code = feature["id"].as_str().unwrap();
            let [lon, lat] =
                [0, 1].map(|i| feature["properties"]["label_point"][i].as_f64().unwrap());
            let town = atlas.municipality(code.parse().unwrap()).unwrap();
            assert!(town.boundary.contains(&geo::point!(x: lon, y: lat)), "{uri} {code}");
        }
    }
    let one = get("/areas/11442").await.json();
    assert!(one["properties"]["label_point"].is_array());
    let cell = get("/mesh/543905272").await.json();
    assert!(cell["properties"]["label_point"].is_array());
}

/// What a browser sends when it navigates a frame to a page.
const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

#[actix_web::test]
async fn a_refused_page_option_is_an_html_page_for_a_browser_and_a_problem_otherwise() {
    for (uri, parameter, framed) in [
        ("/embed?area=99999", "area", true),
        ("/embed?kind=nope", "kind", true),
        ("/embed?zoom=99", "zoom", true),
        ("/embed?colour=red", "colour", true),
        ("/planner?area=99999", "area", false),
        ("/planner/report?radius_m=5", "radius_m", false),
    ] {
        let answer = get_accepting(uri, BROWSER_ACCEPT).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(answer.header(header::CONTENT_TYPE), Some("text/html; charset=utf-8"), "{uri}");
        let html = String::from_utf8(answer.body.clone()).unwrap();
        assert!(html.contains(r#"<html lang="ja">"#), "{uri}: Japanese unless asked");
        assert!(html.contains("<title>"), "{uri}");
        assert!(html.contains(&format!("<code>{parameter}</code>")), "{uri}: names {parameter}");
        let policy = answer.header(header::CONTENT_SECURITY_POLICY).unwrap_or_default();
        let ancestors = if framed { "frame-ancestors *" } else { "frame-ancestors 'self'" };
        assert!(policy.ends_with(ancestors), "{uri}: framable as the page: {policy}");
        // Without a preference for HTML, the problem document as before.
        check_problem(uri, 400, parameter).await;
        let json = get_accepting(uri, "application/json").await;
        assert_eq!(json.header(header::CONTENT_TYPE), Some("application/problem+json"), "{uri}");
        assert_eq!(json.json()["parameter"], parameter, "{uri}");
    }
}

#[actix_web::test]
async fn the_html_error_page_speaks_the_asked_language_and_escapes_the_request() {
    let answer =
        get_accepting("/embed?lang=en&kind=%3Cscript%3Ealert(1)%3C/script%3E", BROWSER_ACCEPT)
            .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let html = String::from_utf8(answer.body).unwrap();
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains("The option <code>kind</code> cannot be used."));
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"), "{html}");
    // A refused `lang` cannot choose the language: Japanese.
    let bad_lang = get_accepting("/planner?lang=fr", BROWSER_ACCEPT).await;
    let html = String::from_utf8(bad_lang.body).unwrap();
    assert!(html.contains(r#"<html lang="ja">"#) && html.contains("<code>lang</code>"));
    // An answer that is not an error stays the page.
    let page = get_accepting("/embed?tiles=none", BROWSER_ACCEPT).await;
    assert_eq!(page.status, StatusCode::OK);
}

#[actix_web::test]
async fn an_unknown_parameter_is_refused_on_every_route_even_one_that_takes_none() {
    for uri in ["/healthz?x=1", "/version?debug=1", "/conformance?x=1", "/collections?x=1"] {
        let problem =
            check_problem(uri, 400, if uri.contains("debug") { "debug" } else { "x" }).await;
        assert_eq!(problem["type"], "urn:care-atlas:problem:unknown-parameter", "{uri}");
    }
    let problem = check_problem("/healthz?x=1", 400, "x").await;
    assert_eq!(problem["accepted"], "no query parameters");
}

#[actix_web::test]
async fn a_query_string_over_the_limit_is_refused_naming_query() {
    let long =
        format!("/nearest?lat=36&lon=139.6&kind={}", "a".repeat(care_atlas_api::MAX_QUERY_BYTES));
    let problem = check_problem(&long, 414, "query").await;
    assert_eq!(problem["type"], "urn:care-atlas:problem:query-too-long");
}

#[actix_web::test]
async fn a_repeated_parameter_is_named() {
    check_problem("/nearest?lat=36&lon=139.6&lat=35", 400, "lat").await;
}

#[actix_web::test]
async fn a_scenario_facility_far_from_the_study_area_is_refused_naming_it() {
    let body = serde_json::json!({
        "kind": "visiting_nursing_station",
        "radius_m": 2000,
        "add": [{"lat": 36.03, "lon": 139.66}, {"lat": 0.0, "lon": 139.66}],
    });
    let answer = send(test::TestRequest::post().uri("/scenarios").set_json(body)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let problem = answer.json();
    assert_eq!(problem["parameter"], "add[1]", "{problem}");
    assert!(problem["accepted"].as_str().unwrap().contains("within 30 km of the study area"));
}

#[actix_web::test]
async fn too_many_removed_facilities_are_refused_naming_remove() {
    let ids: Vec<String> = (0..1001).map(|i| format!("x{i}")).collect();
    let body =
        serde_json::json!({"kind": "visiting_nursing_station", "radius_m": 2000, "remove": ids});
    let answer = send(test::TestRequest::post().uri("/scenarios").set_json(body)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["parameter"], "remove");
}

/// A request as a client behind no proxy sends it, with forged forwarded headers.
fn forged(peer: &str) -> test::TestRequest {
    test::TestRequest::get()
        .uri("/")
        .peer_addr(peer.parse().unwrap())
        .insert_header((header::HOST, "atlas.example"))
        .insert_header(("X-Forwarded-Host", "evil.example"))
        .insert_header(("X-Forwarded-Proto", "javascript"))
        .insert_header(("Forwarded", "host=evil.example;proto=javascript"))
}

#[actix_web::test]
async fn forwarded_headers_are_ignored_unless_their_proxy_is_trusted() {
    let answer = send(forged("203.0.113.9:5000")).await;
    let body = String::from_utf8(answer.body).unwrap();
    assert!(!body.contains("evil.example") && !body.contains("javascript"), "{body}");
    assert!(body.contains("http://atlas.example/"), "{body}");
    assert!(
        answer.headers.get(header::VARY).is_none_or(|v| !v.to_str().unwrap().contains("Forwarded"))
    );

    let proxy = ServeOptions { trusted_proxies: vec!["203.0.113.9".parse().unwrap()], ..options() };
    let trusted = test::TestRequest::get()
        .uri("/")
        .peer_addr("203.0.113.9:5000".parse().unwrap())
        .insert_header(("X-Forwarded-Host", "atlas.city.example"))
        .insert_header(("X-Forwarded-Proto", "https"));
    let answer = send_with(atlas(), proxy.clone(), trusted).await;
    assert!(String::from_utf8(answer.body).unwrap().contains("https://atlas.city.example/"));
    let vary: Vec<_> = answer.headers.get_all(header::VARY).map(|v| v.to_str().unwrap()).collect();
    assert!(vary.iter().any(|v| v.contains("X-Forwarded-Host")), "{vary:?}");
    // Even a trusted proxy cannot make a link run script: a scheme other than https is http.
    let answer = send_with(atlas(), proxy, forged("203.0.113.9:5000")).await;
    let body = String::from_utf8(answer.body).unwrap();
    assert!(!body.contains("javascript"), "{body}");
}

#[actix_web::test]
async fn html_pages_carry_a_script_policy_and_every_answer_nosniff() {
    for uri in ["/embed", "/planner", "/planner/report"] {
        let answer = get(uri).await;
        assert_eq!(answer.status, StatusCode::OK, "{uri}");
        let policy = answer.header(header::CONTENT_SECURITY_POLICY).unwrap_or_default();
        assert!(policy.contains("script-src 'self';"), "{uri}: {policy}");
        assert!(policy.contains("object-src 'none'"), "{uri}: {policy}");
        assert_eq!(answer.header(header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"), "{uri}");
    }
    // /embed keeps the operator's frame-ancestors; the planner is not framed by others.
    assert!(
        get("/embed")
            .await
            .header(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .ends_with("frame-ancestors *")
    );
    assert!(
        get("/planner")
            .await
            .header(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .ends_with("frame-ancestors 'self'")
    );
    for uri in ["/healthz", "/nearest?lat=1", "/no-such-path", "/healthz?x=1"] {
        assert_eq!(get(uri).await.header(header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"), "{uri}");
    }
}

/// With every place on the computation pool taken, exactly the operations whose documents list a
/// 503 shed a request that computes, and every other operation answers without the pool. The
/// documents' 503s come from a hand-kept list of pooled routes: this keeps it true to the handlers.
#[actix_web::test]
async fn with_every_pool_place_taken_exactly_the_operations_documented_with_503_shed() {
    let area = "area=11442";
    let question = "kind=visiting_nursing_station&radius_m=2000";
    let whatif = r#"{"kind":"visiting_nursing_station","radius_m":2000,"add":[{"lat":36.0135,"lon":139.7078}]}"#;
    // One request per documented operation, in a form that computes rather than one a cache
    // answers (a town's JSON is cached; its CSV is computed).
    let examples: Vec<(&str, &str, String)> = vec![
        ("get", "/", "/".into()),
        (
            "get",
            "/accessibility",
            "/accessibility?kind=visiting_nursing_station&catchment_m=3000".into(),
        ),
        ("get", "/areas", "/areas?f=csv".into()),
        ("get", "/areas/{code}", "/areas/11442?f=csv".into()),
        ("get", "/assets/planner/{name}", "/assets/planner/planner.js".into()),
        ("get", "/assets/{name}", "/assets/map.js".into()),
        ("get", "/collections", "/collections".into()),
        ("get", "/collections/{collectionId}", "/collections/facilities".into()),
        (
            "get",
            "/collections/{collectionId}/items",
            "/collections/facilities/items?limit=2".into(),
        ),
        (
            "get",
            "/collections/{collectionId}/items/{featureId}",
            "/collections/facilities/items/mhlw-iryo-hospitals-1111108985700".into(),
        ),
        ("get", "/conformance", "/conformance".into()),
        ("get", "/coverage-gaps", format!("/coverage-gaps?{question}&{area}")),
        ("get", "/embed", format!("/embed?kind=visiting_nursing_station&{area}")),
        ("get", "/healthz", "/healthz".into()),
        ("get", "/mesh/{meshcode}", "/mesh/5339759431".into()),
        ("get", "/nearest", "/nearest?lat=36.0&lon=139.7&k=5".into()),
        ("get", "/planner", format!("/planner?{area}")),
        ("get", "/planner/report", format!("/planner/report?{area}&{question}")),
        ("post", "/scenarios", "/scenarios".into()),
        ("get", "/site-suggestions", format!("/site-suggestions?{question}&n=1&{area}")),
        ("get", "/sources", "/sources".into()),
        ("get", "/underserved-places", format!("/underserved-places?{question}&{area}")),
        ("get", "/version", "/version".into()),
        ("get", "/widget.js", "/widget.js".into()),
    ];
    let document = serde_json::to_value(care_atlas_api::openapi()).unwrap();
    let mut documented = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            documented.push((
                method.clone(),
                path.clone(),
                operation["responses"].get("503").is_some(),
            ));
        }
    }
    let mut listed: Vec<(&str, &str)> = examples.iter().map(|(m, p, _)| (*m, *p)).collect();
    let mut operations: Vec<(&str, &str)> =
        documented.iter().map(|(m, p, _)| (m.as_str(), p.as_str())).collect();
    listed.sort_unstable();
    operations.sort_unstable();
    assert_eq!(listed, operations, "every documented operation needs one example here");

    // Other tests of this binary wait for a place (their queue wait is minutes), so none fails.
    let mut held = Vec::new();
    for _ in 0..care_atlas_api::Workload::capacity() {
        held.push(
            care_atlas_api::Workload::admit(std::time::Duration::from_mins(10)).await.unwrap(),
        );
    }
    let impatient =
        ServeOptions { max_queue_wait: std::time::Duration::from_millis(20), ..options() };
    let mut wrong = Vec::new();
    for (method, path, pooled) in &documented {
        let (_, _, uri) = examples.iter().find(|(m, p, _)| m == method && p == path).unwrap();
        let request = if method == "post" {
            test::TestRequest::post()
                .uri(uri)
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .set_payload(whatif)
        } else {
            test::TestRequest::get().uri(uri)
        };
        let status = send_with(atlas(), impatient.clone(), request).await.status;
        let expected_ok =
            if *pooled { status == StatusCode::SERVICE_UNAVAILABLE } else { status.is_success() };
        if !expected_ok {
            wrong.push(format!("{method} {uri}: {status} (documented 503: {pooled})"));
        }
    }
    drop(held);
    assert!(wrong.is_empty(), "{wrong:#?}");
}
