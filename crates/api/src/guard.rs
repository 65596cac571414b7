//! What the server checks and adds around every handler: the size of the query string and the
//! parameters each route documents, the share of the blocking pool a request may take (excess load
//! is shed with 503 rather than queued without end), which proxy's forwarded headers are believed,
//! the security headers of HTML pages, and a request log that says briefly what was refused.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, web};
use tokio::sync::{Semaphore, SemaphorePermit};
use tracing::Span;

use crate::{ApiError, ServeOptions};

/// The longest query string read, in bytes: the longest one a page of ours makes is well under
/// 1 KiB; actix itself refuses request lines over about 64 KiB, without a problem document.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;

/// How long a request's computation may take by default before the client is told to retry
/// later (`--request-timeout`). The work itself cannot be cancelled; it keeps its place on the pool
/// until it ends (see [`Workload`]).
pub const MAX_WORK_TIME: Duration = Duration::from_secs(30);

/// How long a request waits for a place on the pool before it is shed with 503: a short wait
/// smooths bursts; queueing without end only made every answer late (p99 9.6 s at 512
/// connections on `POST /scenarios`).
pub const MAX_QUEUE_WAIT: Duration = Duration::from_secs(1);

/// Seconds a client shed with 503 is asked to wait.
pub const RETRY_AFTER_S: u32 = 2;

/// Computations allowed at once per core: a little more than one, so that a core never idles
/// while another request's answer is serialised.
const WORK_PER_CORE: usize = 2;

/// The places on the blocking pool, process-wide (one server per process).
fn places() -> &'static Semaphore {
    static PLACES: OnceLock<Semaphore> = OnceLock::new();
    PLACES.get_or_init(|| Semaphore::new(Workload::capacity()))
}

/// One computation's place on the blocking pool, given back when dropped: when the work ends,
/// even after its client was answered 503 for taking too long.
#[derive(Debug)]
pub struct Workload(#[allow(dead_code, reason = "held for its drop")] SemaphorePermit<'static>);

impl Workload {
    /// The most computations at once: a few per core.
    #[must_use]
    pub fn capacity() -> usize {
        std::thread::available_parallelism().map_or(2, usize::from) * WORK_PER_CORE
    }

    /// A place for one more computation, waiting at most `wait` for one, or `Busy`.
    pub async fn admit(wait: Duration) -> Result<Self, ApiError> {
        let busy = ApiError::Busy { retry_after_s: RETRY_AFTER_S };
        match tokio::time::timeout(wait, places().acquire()).await {
            Ok(Ok(permit)) => Ok(Workload(permit)),
            // The semaphore is never closed; a timeout means every place stayed taken.
            Ok(Err(_)) | Err(_) => Err(busy),
        }
    }
}

/// The documented query parameters of each path template and method, to refuse an unknown one
/// on every route, including those that take none.
#[derive(Debug, Clone, Default)]
pub struct QueryParameters(Vec<(Vec<String>, String, Vec<String>)>);

impl QueryParameters {
    /// The query parameters the document declares for each operation.
    #[must_use]
    pub fn of(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut operations = Vec::new();
        for (template, item) in &doc.paths.paths {
            let segments: Vec<String> = template.split('/').map(str::to_owned).collect();
            let Ok(serde_json::Value::Object(item)) = serde_json::to_value(item) else { continue };
            for (method, operation) in item {
                let names = operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "query")
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect();
                operations.push((segments.clone(), method.to_uppercase(), names));
            }
        }
        QueryParameters(operations)
    }

    /// The parameters of `method` on `path`, or `None` for an undocumented route.
    fn of_route(&self, method: &str, path: &str) -> Option<&[String]> {
        let segments: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .find(|(template, m, _)| {
                m == method
                    && template.len() == segments.len()
                    && template
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()))
            })
            .map(|(_, _, names)| names.as_slice())
    }
}

/// Refuses a query string over [`MAX_QUERY_BYTES`] (414) and any parameter on a documented route
/// that takes none (400 naming it), before any handler runs.
pub async fn check_query(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    match refused_query(&req) {
        // A response, not an error, so that the outer middleware (headers, log) sees it.
        Some(error) => Ok(req.error_response(error).map_into_right_body()),
        None => Ok(next.call(req).await?.map_into_left_body()),
    }
}

/// Why the query of `req` is refused, if it is.
fn refused_query(req: &ServiceRequest) -> Option<ApiError> {
    let query = req.query_string();
    if query.len() > MAX_QUERY_BYTES {
        return Some(ApiError::QueryTooLong { limit_bytes: MAX_QUERY_BYTES });
    }
    // Routes that take parameters refuse unknown ones themselves (`query::Params`, whose
    // structs deny unknown fields, and whose pages answer a browser in HTML); this is for the
    // routes that take none, which read no query at all.
    let takes_none = req
        .app_data::<web::Data<QueryParameters>>()
        .and_then(|routes| routes.of_route(req.method().as_str(), req.path()))
        .is_some_and(<[String]>::is_empty);
    if takes_none && !query.is_empty() {
        let given = web::Query::<Vec<(String, String)>>::from_query(query)
            .map(web::Query::into_inner)
            .unwrap_or_default();
        let parameter = given.into_iter().next().map_or_else(|| "query".to_owned(), |(n, _)| n);
        let accepted = "no query parameters".to_owned();
        return Some(ApiError::UnknownParameter { parameter, accepted });
    }
    None
}

/// The scheme and host links are made of: the request's own, or those a trusted proxy forwarded
/// (`Forwarded`, `X-Forwarded-Proto`/`-Host`) when the connection comes from one the operator
/// named with `--trusted-proxy`. Anyone else could make the links of a cached page point anywhere.
pub fn base_url(req: &HttpRequest) -> String {
    let trusted = req.app_data::<web::Data<ServeOptions>>().is_some_and(|o| {
        req.peer_addr().is_some_and(|peer| o.trusted_proxies.contains(&peer.ip()))
    });
    let (scheme, host) = if trusted {
        let info = req.connection_info();
        (info.scheme().to_owned(), info.host().to_owned())
    } else {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
            .or_else(|| req.uri().authority().map(ToString::to_string))
            .unwrap_or_else(|| req.app_config().host().to_owned());
        // The server speaks plain HTTP; TLS ends at a proxy, which must then be trusted.
        ("http".to_owned(), host)
    };
    let scheme = if scheme == "https" { "https" } else { "http" };
    let host = if is_authority(&host) { host } else { req.app_config().host().to_owned() };
    format!("{scheme}://{host}")
}

/// A host and optional port: letters, digits, `.-:[]` only, so that no header can smuggle a
/// path, a user or markup into a link.
fn is_authority(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

/// Parses `--trusted-proxy`.
pub fn parse_proxy(text: &str) -> Result<IpAddr, String> {
    text.trim().parse().map_err(|e| format!("`{text}` is not an IP address: {e}"))
}

/// The Content-Security-Policy of our HTML pages: their scripts and styles are our own files
/// (the configuration is a JSON data block, never run), tiles come over HTTPS (or from the
/// operator's `--tile-url`), and only the API itself is fetched. `frame_ancestors` is kept from
/// the page's own header (`/embed` may be framed by the sites the operator names).
fn html_policy(options: Option<&ServeOptions>, frame_ancestors: &str) -> String {
    let tile_origin = options
        .and_then(|o| o.tile_url.as_deref())
        .and_then(|url| url.split_once("://"))
        .filter(|(scheme, _)| matches!(*scheme, "http" | "https"))
        .map(|(scheme, rest)| {
            let host: String = rest.chars().take_while(|c| *c != '/' && *c != '{').collect();
            format!(" {scheme}://{host}")
        })
        .filter(|origin| is_authority(origin.split_once("://").map_or("", |(_, h)| h)))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob: https:{tile_origin}; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// Security headers: `nosniff` on every answer, a CSP on every HTML page but the API
/// documentation (Swagger UI's own page), and `Vary` on forwarded headers when a proxy is trusted.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let is_docs = req.path().starts_with("/docs");
    let mut response = next.call(req).await?;
    let options = response.request().app_data::<web::Data<ServeOptions>>().cloned();
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html && !is_docs {
        let ancestors = headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("frame-ancestors "))
            .unwrap_or("'self'")
            .to_owned();
        let policy = html_policy(options.as_ref().map(web::Data::get_ref), &ancestors);
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin"));
    }
    if options.is_some_and(|o| !o.trusted_proxies.is_empty()) {
        headers.append(
            header::VARY,
            HeaderValue::from_static("Forwarded, X-Forwarded-Host, X-Forwarded-Proto"),
        );
    }
    Ok(response)
}

/// The request log: a span per request with its method and path (at most [`LOGGED_PATH_CHARS`]
/// characters, never the query, which can be 64 KiB), a 5xx logged as an error, a 4xx briefly
/// at debug (the client's mistake, not the operator's).
pub struct RequestLog;

/// The characters of a path a log line keeps.
const LOGGED_PATH_CHARS: usize = 120;

impl tracing_actix_web::RootSpanBuilder for RequestLog {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let path: String = request.path().chars().take(LOGGED_PATH_CHARS).collect();
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %path,
            status = tracing::field::Empty
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        let (status, error) = match outcome {
            Ok(response) => (response.status(), response.response().error()),
            Err(error) => (error.as_response_error().status_code(), Some(error)),
        };
        span.record("status", status.as_u16());
        let _entered = span.enter();
        let brief = |e: &actix_web::Error| e.to_string().chars().take(200).collect::<String>();
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), error = error.map(brief), "request failed");
        } else if status.is_client_error() {
            tracing::debug!(status = status.as_u16(), error = error.map(brief), "request refused");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_host_and_port_make_a_link() {
        assert!(is_authority("example.org:8080"));
        assert!(is_authority("[::1]:8080"));
        assert!(!is_authority("evil.example/path"));
        assert!(!is_authority("a@b"));
        assert!(!is_authority("x\"><script>"));
        assert!(!is_authority(""));
    }

    #[actix_web::test]
    async fn the_pool_admits_up_to_its_capacity_then_sheds_and_frees_a_place_when_work_ends() {
        let mut held = Vec::new();
        for _ in 0..Workload::capacity() {
            held.push(Workload::admit(Duration::ZERO).await.unwrap());
        }
        let shed = Workload::admit(Duration::from_millis(10)).await.unwrap_err();
        assert_eq!(shed, ApiError::Busy { retry_after_s: RETRY_AFTER_S });
        held.pop();
        assert!(Workload::admit(Duration::ZERO).await.is_ok());
    }

    #[test]
    fn the_html_policy_runs_only_our_scripts_and_keeps_the_pages_ancestors() {
        let policy = html_policy(None, "https://city.example");
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(policy.ends_with("frame-ancestors https://city.example"), "{policy}");
        assert!(!policy.contains("unsafe-eval"));
    }
}
