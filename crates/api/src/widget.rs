//! The embeddable map: `/embed` (a complete page made for an `<iframe>`), `/widget.js` (the
//! `<care-atlas-map>` custom element) and the assets they load. Our own HTML, CSS and JS live in
//! `crates/api/widget/`; Leaflet comes from the locked npm package in `node_modules/` (see
//! `build.rs`). Everything is compiled into the binary: nothing is fetched from a CDN.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use care_atlas_core::FacilityKind;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::params::{self, Lang};
use crate::{ApiError, AppState, Problem, ServeOptions};

const EMBED_HTML: &str = include_str!("../widget/embed.html");
const MAP_JS: &str = include_str!("../widget/map.js");
const MAP_CSS: &str = include_str!("../widget/map.css");
const WIDGET_JS: &str = include_str!("../widget/widget.js");
const LEAFLET_JS: &[u8] = include_bytes!(concat!(env!("CARE_ATLAS_LEAFLET_DIST"), "/leaflet.js"));
const LEAFLET_CSS: &[u8] = include_bytes!(concat!(env!("CARE_ATLAS_LEAFLET_DIST"), "/leaflet.css"));

/// 国土地理院 地理院タイル (淡色地図), with the attribution its terms require.
const GSI_PALE: (&str, &str) = (
    "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png",
    "<a href=\"https://maps.gsi.go.jp/development/ichiran.html\" target=\"_blank\" rel=\"noopener\">地理院タイル</a>",
);
/// OpenStreetMap, with the attribution its licence requires.
const OSM: (&str, &str) = (
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "&copy; <a href=\"https://www.openstreetmap.org/copyright\" target=\"_blank\" rel=\"noopener\">OpenStreetMap</a> contributors",
);
/// Credit for the data shown, as the sources' terms ask (see data/README.md).
const DATA_ATTRIBUTION: &str = "出典: 「介護サービス情報公表システム」（厚生労働省）、厚生労働省「医療情報ネット」、「国土数値情報（行政区域データ）」（国土交通省）、「令和２年国勢調査」（総務省統計局）を加工して作成";

/// Parameters of `/embed`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EmbedParams {
    /// Kind ids to show, comma-separated (all when absent).
    kind: Option<String>,
    /// A municipality code: show its facilities only.
    area: Option<String>,
    /// `ja` (default) or `en`.
    lang: Option<String>,
    /// Latitude of the initial centre.
    #[param(value_type = Option<f64>)]
    lat: Option<String>,
    /// Longitude of the initial centre.
    #[param(value_type = Option<f64>)]
    lon: Option<String>,
    /// Initial zoom, 5 to 18 (default 12).
    #[param(value_type = Option<u32>)]
    zoom: Option<String>,
    /// Basemap: `gsi` (地理院タイル 淡色地図, default), `osm` or `none`.
    tiles: Option<String>,
}

#[derive(Serialize)]
struct KindOption {
    id: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct Tiles {
    url: String,
    attribution: String,
}

#[derive(Serialize)]
struct EmbedConfig {
    lang: &'static str,
    kinds: Vec<KindOption>,
    kind: Vec<&'static str>,
    area: Option<String>,
    lat: f64,
    lon: f64,
    zoom: usize,
    tiles: Option<Tiles>,
    data_attribution: &'static str,
}

/// A complete map page made for an `<iframe>`: facilities by kind with a legend and filter,
/// municipal boundaries, a coverage-gap overlay, the nearest services to a clicked point, and a
/// list view.
#[utoipa::path(
    tag = "widget",
    params(EmbedParams),
    responses(
        (status = 200, content_type = "text/html", body = String, description = "The map page"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/embed")]
pub async fn embed(
    state: web::Data<AppState>,
    options: web::Data<ServeOptions>,
    query: web::Query<EmbedParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let lang = match q.lang.as_deref() {
        None => Lang::Ja,
        Some(_) => Lang::choose(q.lang.as_deref(), None)?,
    };
    let selected = params::kinds(q.kind.as_deref())?;
    let area = match q.area.as_deref() {
        None => None,
        Some(text) => {
            let code = params::municipality_code("area", text)?;
            state.atlas.municipality(code).ok_or_else(|| {
                ApiError::invalid(
                    "area",
                    format!("{code} is not mapped"),
                    "a mapped municipality code such as 11238",
                )
            })?;
            Some(code.to_string())
        }
    };
    let lat = params::number("lat", q.lat.as_deref(), 20.0..=46.0, " degrees")?.unwrap_or(36.0);
    let lon = params::number("lon", q.lon.as_deref(), 122.0..=154.0, " degrees")?.unwrap_or(139.67);
    let zoom = params::whole("zoom", q.zoom.as_deref(), 5..=18)?.unwrap_or(12);
    let tiles = match q.tiles.as_deref() {
        None | Some("gsi") => Some(options.tile_url.clone().map_or_else(
            || Tiles { url: GSI_PALE.0.into(), attribution: GSI_PALE.1.into() },
            |url| Tiles { url, attribution: options.tile_attribution.clone().unwrap_or_default() },
        )),
        Some("osm") => Some(Tiles { url: OSM.0.into(), attribution: OSM.1.into() }),
        Some("none") => None,
        Some(other) => {
            return Err(ApiError::invalid(
                "tiles",
                format!("`{other}` is not a basemap offered"),
                "gsi, osm or none",
            ));
        }
    };
    let config = EmbedConfig {
        lang: if lang == Lang::En { "en" } else { "ja" },
        kinds: FacilityKind::ALL
            .iter()
            .map(|&k| KindOption { id: k.id(), label: lang.kind_label(k) })
            .collect(),
        kind: selected.iter().map(|k| k.id()).collect(),
        area,
        lat,
        lon,
        zoom,
        tiles,
        data_attribution: DATA_ATTRIBUTION,
    };
    // `<` is escaped so that no value can close the script element it is embedded in.
    let config_json =
        serde_json::to_string(&config).map_err(|_| ApiError::Internal)?.replace('<', "\\u003c");
    let title = if lang == Lang::En {
        "Home-care resource map: Hasuda, Shiraoka, Miyashiro"
    } else {
        "在宅医療・介護資源マップ（蓮田市・白岡市・宮代町）"
    };
    let page = EMBED_HTML
        .replace("{{lang}}", config.lang)
        .replace("{{title}}", title)
        .replace("{{config}}", &config_json);
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!("frame-ancestors {}", options.frame_ancestors),
        ))
        .body(page))
}

/// The `<care-atlas-map>` custom element.
#[utoipa::path(tag = "widget", responses((status = 200, content_type = "text/javascript", body = String, description = "The script")))]
#[get("/widget.js")]
pub async fn widget_js() -> HttpResponse {
    HttpResponse::Ok().content_type("text/javascript; charset=utf-8").body(WIDGET_JS)
}

/// The map page's scripts and styles (ours and Leaflet's).
#[utoipa::path(
    tag = "widget",
    params(("name" = String, Path, description = "map.js, map.css, leaflet.js or leaflet.css")),
    responses(
        (status = 200, content_type = "text/javascript", body = String, description = "A script or style sheet"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/assets/{name}")]
pub async fn asset(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (content_type, body): (&str, &[u8]) = match name.as_str() {
        "map.js" => ("text/javascript; charset=utf-8", MAP_JS.as_bytes()),
        "map.css" => ("text/css; charset=utf-8", MAP_CSS.as_bytes()),
        "leaflet.js" => ("text/javascript; charset=utf-8", LEAFLET_JS),
        "leaflet.css" => ("text/css; charset=utf-8", LEAFLET_CSS),
        other => {
            return Err(ApiError::NotFound {
                parameter: "name".into(),
                detail: format!("no asset `{other}`"),
            });
        }
    };
    Ok(HttpResponse::Ok().content_type(content_type).body(body))
}
