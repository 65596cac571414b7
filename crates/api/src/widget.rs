//! The embeddable map: `/embed` (a complete page made for an `<iframe>`), `/widget.js` (the
//! `<care-atlas-map>` custom element) and the assets they load. Our own HTML, CSS and JS live in
//! `crates/api/widget/`; Leaflet comes from the locked npm package in `node_modules/` (see
//! `build.rs`). Everything is compiled into the binary: nothing is fetched from a CDN.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use care_atlas_core::{
    Atlas, FacilityKind, SourceCompleteness, SourceInfo, SourceScope, SupplyKnowledge,
};
use geo::{BoundingRect, Rect};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::accepts::{Numbers, OneOf, WholeNumbers, schemas};
use crate::params::{self, Lang};
use crate::query::Params;
use crate::{ApiError, AppState, Problem, ServeOptions};

const EMBED_HTML: &str = include_str!("../widget/embed.html");
const MAP_JS: &str = include_str!("../widget/map.js");
const MAP_CSS: &str = include_str!("../widget/map.css");
const WIDGET_JS: &str = include_str!("../widget/widget.js");
const SHARED_JS: &str = include_str!("../widget/shared.js");
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
/// Credit for the data shown, as the sources' terms ask: every source's attribution exactly as the
/// source catalogue states it (`data/sources.csv`), as HTML for Leaflet's attribution control.
pub(crate) fn data_attribution(attributions: &[String]) -> String {
    let escape = |text: &str| {
        text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
    };
    let credits: Vec<String> = attributions.iter().map(|a| escape(a)).collect();
    format!("出典: {}", credits.join("／"))
}

/// The initial zoom levels offered: from all of Japan down to a street.
#[must_use]
pub fn zoom() -> WholeNumbers {
    WholeNumbers(5..=18)
}

/// The latitudes of an initial centre: Japan's.
#[must_use]
pub fn centre_latitude() -> Numbers {
    Numbers { range: 20.0..=46.0, unit: " degrees" }
}

/// The longitudes of an initial centre: Japan's.
#[must_use]
pub fn centre_longitude() -> Numbers {
    Numbers { range: 122.0..=154.0, unit: " degrees" }
}

/// The basemaps offered, the default first.
const BASEMAPS: [&str; 3] = ["gsi", "osm", "none"];

/// A basemap.
#[must_use]
pub fn basemap() -> OneOf {
    OneOf(BASEMAPS.map(str::to_owned).to_vec())
}

/// Parameters of `/embed`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EmbedParams {
    /// Kind ids to show, comma-separated (all when absent).
    #[param(value_type = Option<schemas::KindList>, inline)]
    kind: Option<String>,
    /// A municipality code: the map opens on that town and names it; its facilities are listed,
    /// and those across its border stay on the map, dimmed. A town not on the map is refused.
    #[param(value_type = Option<schemas::MunicipalityCode>, inline)]
    area: Option<String>,
    /// `ja` (default) or `en`.
    #[param(value_type = Option<schemas::Lang>, inline)]
    lang: Option<String>,
    /// Latitude of the initial centre, with `lon`: one without the other is refused (default: the map fits `area`, or the study
    /// area).
    #[param(value_type = Option<schemas::CentreLatitude>, inline)]
    lat: Option<String>,
    /// Longitude of the initial centre, with `lat`: one without the other is refused.
    #[param(value_type = Option<schemas::CentreLongitude>, inline)]
    lon: Option<String>,
    /// Initial zoom (default: as `area` or the study area fits, or 14 around `lat`/`lon`).
    #[param(value_type = Option<schemas::Zoom>, inline)]
    zoom: Option<String>,
    /// Basemap: `gsi` (地理院タイル 淡色地図, default), `osm` or `none`.
    #[param(value_type = Option<schemas::Basemap>, inline)]
    tiles: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct KindOption {
    id: &'static str,
    label: &'static str,
    /// One to three characters printed inside the kind's map marker, so that kinds differ by more
    /// than colour (`看` for 訪問看護ステーション, `VN` in English).
    symbol: &'static str,
    /// How completely the study area's facilities of this kind are known: `complete`, `partial`
    /// or `unknown` (no source). The map marks an unknown kind "no data" and never draws its
    /// gaps, and a partial one "partial" beside its name and its count. A kind known in part only
    /// across the border is `complete` here: its gap answers say so themselves.
    supply: &'static str,
}

#[derive(Serialize)]
pub(crate) struct Tiles {
    url: String,
    attribution: String,
}

#[derive(Serialize)]
struct EmbedConfig {
    lang: &'static str,
    kinds: Vec<KindOption>,
    kind: Vec<&'static str>,
    area: Option<String>,
    /// The name of the `area` town, for the page's words.
    area_name: Option<String>,
    /// The initial centre when the page asked for one; otherwise the map fits `area` or the study
    /// area.
    lat: Option<f64>,
    lon: Option<f64>,
    zoom: Option<usize>,
    /// The study area's centre, for a page whose boundaries could not be loaded.
    home: (f64, f64),
    tiles: Option<Tiles>,
    data_attribution: String,
}

/// A complete map page made for an `<iframe>`: facilities by kind with a legend and filter,
/// municipal boundaries, a coverage-gap overlay, the nearest services to a clicked point, and a
/// list view.
#[utoipa::path(
    tag = "widget",
    params(EmbedParams),
    responses(
        (status = 200, content_type = "text/html", body = String, description = "The map page"),
        (status = 400, description = "A refused option: a problem document, or a short page naming it (framable as the map) when `Accept` prefers text/html", content((Problem = "application/problem+json"), (String = "text/html"))),
    )
)]
#[get("/embed", wrap = "actix_web::middleware::from_fn(crate::page_error::map_page)")]
pub async fn embed(
    state: web::Data<AppState>,
    options: web::Data<ServeOptions>,
    query: Params<EmbedParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    // The page is Japanese unless asked otherwise: the browser's language does not choose it.
    let lang = Lang::choose(q.lang.as_deref(), None)?;
    let selected = params::kinds(q.kind.as_deref())?;
    let area = q
        .area
        .as_deref()
        .map(|text| params::mapped_code(&state.atlas, "area", text))
        .transpose()?;
    let area_name = area.and_then(|code| state.atlas.municipality(code)).map(|m| m.name.clone());
    let lat = centre_latitude().check("lat", q.lat.as_deref())?;
    let lon = centre_longitude().check("lon", q.lon.as_deref())?;
    if lat.is_some() != lon.is_some() {
        let (given, missing) = if lat.is_some() { ("lat", "lon") } else { ("lon", "lat") };
        return Err(ApiError::invalid(
            missing,
            format!("`{given}` was given without `{missing}`"),
            "a centre given as both lat and lon",
        ));
    }
    let zoom = zoom().check("zoom", q.zoom.as_deref())?;
    let tiles = tiles(&options, q.tiles.as_deref())?;
    let config = EmbedConfig {
        lang: lang.id(),
        kinds: kind_options(&state.atlas, lang),
        kind: selected.iter().map(|k| k.id()).collect(),
        area: area.map(|code| code.to_string()),
        area_name: area_name.clone(),
        lat,
        lon,
        zoom,
        home: study_area_centre(&state.atlas),
        tiles,
        data_attribution: data_attribution(&SourceInfo::attributions(&state.sources)),
    };
    // `<` is escaped so that no value can close the script element it is embedded in.
    let config_json =
        serde_json::to_string(&config).map_err(|_| ApiError::Internal)?.replace('<', "\\u003c");
    let title = embed_title(&state.atlas, lang, area_name.as_deref());
    let page = EMBED_HTML
        .replace("{{lang}}", config.lang)
        .replace("{{title}}", &html_text(&title))
        .replace("{{config}}", &config_json);
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!("frame-ancestors {}", options.frame_ancestors),
        ))
        .body(page))
}

/// The page's title (and the frame's default): the `area` town's name, or the study area's.
pub(crate) fn embed_title(atlas: &Atlas, lang: Lang, area_name: Option<&str>) -> String {
    let towns = params::study_area_names(atlas, "・");
    match (lang, area_name) {
        (Lang::Ja, Some(town)) => format!("{town}の在宅医療・介護資源マップ"),
        (Lang::En, Some(town)) => format!("Home-care resource map of {town}"),
        (Lang::Ja, None) => format!("在宅医療・介護資源マップ（{towns}）"),
        (Lang::En, None) => format!("Home-care resource map: {towns}"),
    }
}

/// The basemap the `tiles` parameter (`name`) chooses: the configured or 地理院 tiles by default,
/// OpenStreetMap, or none.
pub(crate) fn tiles(options: &ServeOptions, text: Option<&str>) -> Result<Option<Tiles>, ApiError> {
    Ok(match basemap().check("tiles", text, "a basemap offered")? {
        None | Some(0) => Some(options.tile_url.clone().map_or_else(
            || Tiles { url: GSI_PALE.0.into(), attribution: GSI_PALE.1.into() },
            |url| Tiles { url, attribution: options.tile_attribution.clone().unwrap_or_default() },
        )),
        Some(1) => Some(Tiles { url: OSM.0.into(), attribution: OSM.1.into() }),
        Some(_) => None,
    })
}

/// Every kind with its label in `lang` and how completely the study area knows it.
pub(crate) fn kind_options(atlas: &Atlas, lang: Lang) -> Vec<KindOption> {
    FacilityKind::ALL
        .iter()
        .map(|&k| KindOption {
            id: k.id(),
            label: lang.kind_label(k),
            symbol: kind_symbol(k, lang),
            supply: SupplyKnowledge::of_kind(
                atlas.source_completeness(k, SourceScope::StudyArea),
                SourceCompleteness::Complete,
            )
            .id(),
        })
        .collect()
}

/// The characters inside a kind's map marker: the abbreviation residents see on Japanese maps and
/// signs (看 for 訪問看護, 薬 for 薬局), or two letters in English.
const fn kind_symbol(kind: FacilityKind, lang: Lang) -> &'static str {
    use FacilityKind as K;
    let (ja, en) = match kind {
        K::VisitingNursingStation => ("看", "VN"),
        K::HomeCareClinic => ("在診", "HC"),
        K::HomeCareHospital => ("在病", "HH"),
        K::HomeCareDentalClinic => ("在歯", "HD"),
        K::CommunitySupportCenter => ("包", "RC"),
        K::Hospital => ("病", "H"),
        K::Clinic => ("診", "C"),
        K::DentalClinic => ("歯", "D"),
        K::Pharmacy => ("薬", "P"),
        K::CareManagementOffice => ("居", "CM"),
        K::HomeHelp => ("介", "HP"),
        K::DayService => ("通", "DS"),
        K::NursingHome => ("特", "NH"),
        K::GeriatricHealthFacility => ("健", "GH"),
        K::IntegratedCareHospital => ("医", "IC"),
        K::PeriodicVisitService => ("巡", "PV"),
        K::NightHomeHelp => ("夜", "NT"),
    };
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

/// The centre (latitude, longitude) of the study area's bounding box, where the map opens.
pub(crate) fn study_area_centre(atlas: &Atlas) -> (f64, f64) {
    let bounds = atlas.study_area().filter_map(|m| m.boundary.bounding_rect()).reduce(|a, b| {
        Rect::new(
            geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        )
    });
    // A snapshot without a study area still opens on Japan.
    bounds.map_or((36.0, 138.0), |r| (r.center().y, r.center().x))
}

/// `text` with the characters HTML gives a meaning escaped, since town names come from data.
pub(crate) fn html_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The `<care-atlas-map>` custom element.
#[utoipa::path(tag = "widget", responses((status = 200, content_type = "text/javascript", body = String, description = "The script")))]
#[get("/widget.js")]
pub async fn widget_js() -> HttpResponse {
    HttpResponse::Ok().content_type("text/javascript; charset=utf-8").body(WIDGET_JS)
}

/// The names of the map page's scripts and styles.
const ASSETS: [&str; 5] = ["map.js", "map.css", "shared.js", "leaflet.js", "leaflet.css"];

/// An asset of the map page.
#[must_use]
pub fn asset_name() -> OneOf {
    OneOf(ASSETS.map(str::to_owned).to_vec())
}

/// The map page's scripts and styles (ours and Leaflet's).
#[utoipa::path(
    tag = "widget",
    params(("name" = inline(schemas::MapAsset), Path, description = "map.js, map.css, shared.js (what the map and the planner share), leaflet.js or leaflet.css")),
    responses(
        (status = 200, description = "A script or style sheet", content((String = "text/javascript"), (String = "text/css"))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/assets/{name}")]
pub async fn asset(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (content_type, body): (&str, &[u8]) = match name.as_str() {
        "map.js" => ("text/javascript; charset=utf-8", MAP_JS.as_bytes()),
        "map.css" => ("text/css; charset=utf-8", MAP_CSS.as_bytes()),
        "shared.js" => ("text/javascript; charset=utf-8", SHARED_JS.as_bytes()),
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
