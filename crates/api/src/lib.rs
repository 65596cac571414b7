//! The care-atlas HTTP API (actix-web): parses requests, calls `care-atlas-core`, serialises
//! GeoJSON and RFC 9457 problem documents, and owns the OpenAPI document.
//!
//! [`configure`] registers every route once (and, through utoipa-actix-web, documents it);
//! [`app`] wraps them in the middleware a public service needs (CORS for GET, ETag and
//! Cache-Control, compression, request logs) and is what [`serve`] runs and the tests call;
//! [`openapi`] is the document `care-atlas openapi` prints. [`LiveState`] holds the snapshot served,
//! which a reload replaces whole while requests keep being answered.

mod accepts;
mod cache;
mod dto;
mod error;
mod export;
mod guard;
mod handlers;
mod ogc;
mod page_error;
mod params;
mod planner;
mod query;
mod supply;
mod widget;

use std::rc::Rc;
use std::sync::Arc;

use arc_swap::ArcSwap;

use actix_web::body::MessageBody;
use actix_web::dev::Extensions;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::{Compress, ErrorHandlerResponse, ErrorHandlers, Next, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use care_atlas_core::{Atlas, GRID_LEVELS, SourceInfo};
use utoipa::OpenApi as _;
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_swagger_ui::SwaggerUi;

pub use cache::SnapshotCache;
pub use error::{ApiError, Problem};
pub use guard::{MAX_QUERY_BYTES, MAX_QUEUE_WAIT, MAX_WORK_TIME, Workload, parse_proxy};

/// The largest request body read, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What every handler shares: the immutable snapshot and its version.
#[derive(Debug)]
pub struct AppState {
    /// The snapshot served.
    pub atlas: Arc<Atlas>,
    /// The dataset's version, for `/version` and ETags.
    pub dataset_version: String,
    /// The sources of the data, as the source catalogue states them: `/sources` lists them and the
    /// map's credit line is made of their attributions.
    pub sources: Vec<SourceInfo>,
    /// Answers made from this snapshot alone, kept with it (and dropped with it on a reload).
    pub cache: SnapshotCache,
}

impl AppState {
    /// Builds what the first requests would otherwise build (the mesh grids), so that a snapshot is
    /// complete before it is served.
    pub fn prepare(&self) {
        for level in GRID_LEVELS {
            let _ = self.atlas.grid(level);
        }
    }
}

/// The snapshot being served. A reload (`SIGHUP`, see the binary) replaces it whole: each request
/// takes the snapshot current when it arrives and answers from it alone, so no answer mixes two
/// datasets, and its ETag names the dataset it came from.
pub struct LiveState {
    current: ArcSwap<AppState>,
}

impl LiveState {
    /// Serves `state` first.
    #[must_use]
    pub fn new(state: AppState) -> Self {
        LiveState { current: ArcSwap::from_pointee(state) }
    }

    /// The snapshot current now.
    #[must_use]
    pub fn current(&self) -> Arc<AppState> {
        self.current.load_full()
    }

    /// Serves `state` from the next request on; requests under way finish with the snapshot they
    /// took. Returns the snapshot replaced.
    pub fn replace(&self, state: AppState) -> Arc<AppState> {
        self.current.swap(Arc::new(state))
    }
}

/// Puts the current snapshot where every handler and middleware finds it (`web::Data<AppState>`),
/// for this request only: the handlers need not know that it can change.
async fn current_snapshot(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Some(live) = req.app_data::<web::Data<LiveState>>() {
        let mut container = Extensions::new();
        container.insert(web::Data::from(live.current()));
        req.add_data_container(Rc::new(container));
    }
    next.call(req).await
}

/// Server settings read once in `main`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on.
    pub bind: String,
    /// Origins allowed by CORS for GET (`*` for any).
    pub cors_origins: Vec<String>,
    /// `Cache-Control: max-age` for GET responses, seconds.
    pub max_age_s: u32,
    /// Who may frame `/embed` (CSP `frame-ancestors`): `*` or space-separated origins.
    pub frame_ancestors: String,
    /// A tile URL template replacing 地理院タイル as the default basemap.
    pub tile_url: Option<String>,
    /// Its attribution (HTML).
    pub tile_attribution: Option<String>,
    /// Proxies whose forwarded headers (`Forwarded`, `X-Forwarded-Host`/`-Proto`) are believed
    /// for the links the API makes; none by default.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How long one request's computation may take before it is answered 503.
    pub max_work_time: std::time::Duration,
    /// How long a request waits for a place on the blocking pool before it is shed with 503.
    pub max_queue_wait: std::time::Duration,
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "care-atlas",
        description = "Home-care and medical resources of a study area and its surroundings, nearest services, coverage gaps and per-area statistics as GeoJSON. Statistics are complete for the study area only; neighbouring municipalities hold the facilities within 10 km.",
        license(name = "MIT OR Apache-2.0")
    ),
    tags(
        (name = "analysis", description = "Nearest services, coverage gaps, accessibility, scenarios"),
        (name = "areas", description = "Municipalities and mesh cells with statistics"),
        (name = "service", description = "Health and versions"),
        (name = "widget", description = "The embeddable map for municipal websites"),
        (name = "features", description = "OGC API - Features Part 1: facilities, municipalities and census small areas for QGIS, GDAL and other clients"),
    ),
    components(schemas(Problem, error::AddressChoice))
)]
struct BaseDoc;

/// Registers every route (each documented for OpenAPI by its own attributes).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(handlers::healthz)
        .service(handlers::version)
        .service(handlers::sources)
        .service(handlers::nearest)
        .service(handlers::areas)
        .service(handlers::area)
        .service(handlers::mesh)
        .service(handlers::coverage_gaps)
        .service(handlers::underserved_places)
        .service(handlers::accessibility)
        .service(handlers::site_suggestions)
        .service(handlers::scenarios)
        .service(ogc::landing)
        .service(ogc::conformance)
        .service(ogc::collections)
        .service(ogc::one_collection)
        .service(ogc::items)
        .service(ogc::item)
        .service(widget::embed)
        .service(widget::widget_js)
        .service(widget::asset)
        .service(planner::planner)
        .service(planner::report)
        .service(planner::asset);
}

/// The OpenAPI 3.1 document of every route.
#[must_use]
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = App::new()
        .into_utoipa_app()
        .openapi(BaseDoc::openapi())
        .configure(configure)
        .split_for_parts()
        .1;
    document_guard_answers(&mut doc);
    doc
}

/// The routes whose computation runs on the shared pool ([`guard::Workload`]), which answer 503
/// when it is full: the handlers that call `handlers::blocking`. Kept by hand; the contract test
/// `with_every_pool_place_taken_exactly_the_operations_documented_with_503_shed` fails when it
/// and the handlers disagree.
const POOLED_ROUTES: [(&str, &str); 8] = [
    ("/areas", "get"),
    ("/areas/{code}", "get"),
    ("/mesh/{meshcode}", "get"),
    ("/coverage-gaps", "get"),
    ("/underserved-places", "get"),
    ("/accessibility", "get"),
    ("/site-suggestions", "get"),
    ("/scenarios", "post"),
];

/// Adds to every operation the answers the guard in front of all routes can give: 414 for a query
/// string over [`guard::MAX_QUERY_BYTES`], and, on the pooled routes, 503 when the server sheds load.
fn document_guard_answers(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = || ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    let too_long = ResponseBuilder::new()
        .description(format!(
            "The query string is longer than {} bytes (a problem document naming `query`)",
            guard::MAX_QUERY_BYTES
        ))
        .content("application/problem+json", problem())
        .build();
    let busy = ResponseBuilder::new()
        .description("The server is busy: the request was shed; retry after `Retry-After` seconds")
        .header(
            "Retry-After",
            utoipa::openapi::HeaderBuilder::new()
                .schema(
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::Type::Integer),
                )
                .build(),
        )
        .content("application/problem+json", problem())
        .build();
    for (path, item) in &mut doc.paths.paths {
        for (method, operation) in [("get", item.get.as_mut()), ("post", item.post.as_mut())] {
            let Some(operation) = operation else { continue };
            let responses = &mut operation.responses.responses;
            responses.entry("414".into()).or_insert_with(|| too_long.clone().into());
            if POOLED_ROUTES.contains(&(path.as_str(), method)) {
                responses.entry("503".into()).or_insert_with(|| busy.clone().into());
            }
        }
    }
}

#[allow(clippy::needless_pass_by_value, reason = "actix's error-handler signature")]
fn json_error(error: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    match error {
        actix_web::error::JsonPayloadError::Overflow { limit }
        | actix_web::error::JsonPayloadError::OverflowKnownLength { limit, .. } => {
            ApiError::BodyTooLarge { limit_bytes: limit }.into()
        }
        actix_web::error::JsonPayloadError::ContentType => ApiError::InvalidBody {
            detail: "the body must be sent as Content-Type: application/json".into(),
        }
        .into(),
        other => ApiError::InvalidBody { detail: other.to_string() }.into(),
    }
}

/// The documented path templates and their methods, to tell a wrong method (405) from a wrong
/// path (404).
#[derive(Debug, Clone)]
struct Routes(Vec<(Vec<String>, Vec<String>)>);

impl Routes {
    fn of(doc: &utoipa::openapi::OpenApi) -> Self {
        Routes(
            doc.paths
                .paths
                .iter()
                .map(|(template, item)| {
                    let segments = template.split('/').map(str::to_owned).collect();
                    let methods = serde_json::to_value(item)
                        .ok()
                        .and_then(|v| {
                            v.as_object().map(|o| {
                                o.keys()
                                    .filter(|k| {
                                        ["get", "post", "put", "delete", "patch"]
                                            .contains(&k.as_str())
                                    })
                                    .map(|k| k.to_uppercase())
                                    .collect()
                            })
                        })
                        .unwrap_or_default();
                    (segments, methods)
                })
                .collect(),
        )
    }

    fn methods_of(&self, path: &str) -> Option<&[String]> {
        let segments: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .find(|(template, _)| {
                template.len() == segments.len()
                    && template
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()))
            })
            .map(|(_, methods)| methods.as_slice())
    }
}

async fn not_found(req: HttpRequest, routes: web::Data<Routes>) -> HttpResponse {
    if let Some(methods) = routes.methods_of(req.path()) {
        let allowed = methods.join(", ");
        let error = ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            allowed: allowed.clone(),
        };
        let mut response = actix_web::ResponseError::error_response(&error);
        if let Ok(value) = header::HeaderValue::from_str(&allowed) {
            response.headers_mut().insert(header::ALLOW, value);
        }
        return response;
    }
    actix_web::ResponseError::error_response(&no_resource_at(req.path()))
}

fn no_resource_at(path: &str) -> ApiError {
    ApiError::NotFound { parameter: "path".into(), detail: format!("no resource at {path}") }
}

/// A 404 without a body of ours (the documentation's file server answers an unknown file with an
/// empty one) becomes the same problem document as any unknown path.
#[expect(clippy::unnecessary_wraps, reason = "the signature `ErrorHandlers` calls")]
fn bare_not_found_as_problem<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    if response.headers().contains_key(header::CONTENT_TYPE) {
        return Ok(ErrorHandlerResponse::Response(response.map_into_left_body()));
    }
    let (request, _) = response.into_parts();
    let problem = actix_web::ResponseError::error_response(&no_resource_at(request.path()));
    Ok(ErrorHandlerResponse::Response(ServiceResponse::new(request, problem).map_into_right_body()))
}

/// ETag from the dataset version, 304 on a matching If-None-Match, and Cache-Control, for GET.
async fn caching(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let is_get = req.method() == Method::GET;
    let tag = req
        .app_data::<web::Data<AppState>>()
        .map(|s| format!("W/\"{}-{}\"", s.dataset_version, env!("CARGO_PKG_VERSION")));
    let max_age = req.app_data::<web::Data<ServeOptions>>().map_or(300, |o| o.max_age_s);
    let matches = tag.as_ref().is_some_and(|tag| {
        req.headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"))
    });
    let response = next.call(req).await?;
    if !is_get || !response.status().is_success() {
        return Ok(response.map_into_left_body());
    }
    if matches {
        let (request, _) = response.into_parts();
        let mut not_modified = HttpResponse::build(StatusCode::NOT_MODIFIED);
        if let Some(tag) = &tag {
            not_modified.insert_header((header::ETAG, tag.clone()));
        }
        return Ok(ServiceResponse::new(request, not_modified.finish()).map_into_right_body());
    }
    let mut response = response;
    if let Some(value) = tag.and_then(|tag| header::HeaderValue::from_str(&tag).ok()) {
        response.headers_mut().insert(header::ETAG, value);
    }
    if let Ok(value) = header::HeaderValue::from_str(&format!("public, max-age={max_age}")) {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    Ok(response.map_into_left_body())
}

/// HEAD is answered as GET without the body (RFC 9110 requires HEAD wherever GET is served; the
/// routes are registered for GET).
async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let is_head = req.method() == Method::HEAD;
    if is_head {
        req.head_mut().method = Method::GET;
    }
    let response = next.call(req).await?;
    if is_head {
        Ok(response.map_body(|_, _| ()).map_into_right_body())
    } else {
        Ok(response.map_into_left_body())
    }
}

fn cors(options: &ServeOptions) -> actix_cors::Cors {
    let cors = actix_cors::Cors::default()
        .allowed_methods(["GET"])
        .allowed_headers([header::ACCEPT, header::ACCEPT_LANGUAGE, header::IF_NONE_MATCH])
        .expose_headers([header::ETAG])
        .max_age(3600);
    if options.cors_origins.iter().any(|o| o == "*") {
        cors.allow_any_origin()
    } else {
        options.cors_origins.iter().fold(cors, |c, origin| c.allowed_origin(origin))
    }
}

/// The application: every route of [`configure`], `/docs` and `/openapi.json`, the problem
/// documents for unknown paths and methods, and the middleware, over one snapshot. [`serve`]
/// runs it on each worker; tests run it in-process with `actix_web::test::init_service`.
pub fn app(
    live: web::Data<LiveState>,
    options: web::Data<ServeOptions>,
    api: utoipa::openapi::OpenApi,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = cors(&options);
    let (app, _) = App::new()
        .into_utoipa_app()
        .openapi(BaseDoc::openapi())
        .app_data(live)
        .app_data(options)
        .app_data(web::Data::new(Routes::of(&api)))
        .app_data(web::Data::new(guard::QueryParameters::of(&api)))
        .app_data(web::JsonConfig::default().limit(MAX_BODY_BYTES).error_handler(json_error))
        .configure(configure)
        .split_for_parts();
    app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .route("/docs", web::get().to(docs_without_slash))
        .default_service(web::to(not_found))
        .wrap(ErrorHandlers::new().handler(StatusCode::NOT_FOUND, bare_not_found_as_problem))
        .wrap(from_fn(guard::check_query))
        .wrap(from_fn(caching))
        .wrap(from_fn(guard::security_headers))
        .wrap(Compress::default())
        .wrap(cors)
        .wrap(tracing_actix_web::TracingLogger::<guard::RequestLog>::new())
        .wrap(from_fn(head_as_get))
        .wrap(from_fn(current_snapshot))
}

/// `/docs` as the README and people type it: the documentation lives at `/docs/`, whose relative
/// asset links need the slash.
async fn docs_without_slash() -> HttpResponse {
    HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/docs/")).finish()
}

/// Serves the API until the process is stopped, from whatever snapshot `live` holds at each request.
pub async fn serve(live: web::Data<LiveState>, options: ServeOptions) -> std::io::Result<()> {
    // The mesh grids are part of the snapshot: build them before the first request needs them.
    live.current().prepare();
    let bind = options.bind.clone();
    let options = web::Data::new(options);
    let api = openapi();
    HttpServer::new(move || app(live.clone(), options.clone(), api.clone()))
        .bind(&bind)?
        .run()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_limit_on_scenario_removals_is_the_servers() {
        let doc = serde_json::to_value(openapi()).unwrap_or_default();
        let remove = &doc["components"]["schemas"]["ScenarioRequest"]["properties"]["remove"];
        assert_eq!(remove["maxItems"], accepts::MAX_REMOVED, "{remove}");
    }

    #[test]
    fn guard_answers_are_documented_on_every_operation_and_503_on_the_pooled_routes() {
        let doc = serde_json::to_value(openapi()).unwrap_or_default();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let responses = &operation["responses"];
                assert!(responses.get("414").is_some(), "{method} {path}");
                let pooled = POOLED_ROUTES.contains(&(path.as_str(), method.as_str()));
                assert_eq!(responses.get("503").is_some(), pooled, "{method} {path}");
            }
        }
    }

    #[test]
    fn the_document_lists_every_route() {
        let doc = openapi();
        for path in [
            "/healthz",
            "/version",
            "/nearest",
            "/areas",
            "/areas/{code}",
            "/mesh/{meshcode}",
            "/coverage-gaps",
            "/accessibility",
            "/site-suggestions",
            "/scenarios",
            "/planner",
            "/planner/report",
            "/assets/planner/{name}",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }
}
