//! The planner's workbench: `/planner` (a page for a municipal planner who is not a developer:
//! gaps by town, kind, reach and population group, the underserved places, what-if facilities, site
//! suggestions, the three-town comparison and exports) and `/planner/report` (the same question as
//! an A4 report to print or save as PDF). Both pages are our own HTML, CSS and JS in
//! `crates/api/widget/` (`planner.*`, `report.html`), compiled in; they call the public API only,
//! so every figure they show is the API's. Their options are checked like `/embed`'s: a bad one
//! is a problem document (a short HTML page naming it for a browser, see `page_error`), never a
//! broken page.

use actix_web::{HttpResponse, get, web};
use care_atlas_core::{Atlas, GapResolution, PopulationGroup};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::accepts::{self, Accepts, schemas};
use crate::params::{self, Lang};
use crate::query::Params;
use crate::widget::{self, KindOption, Tiles};
use crate::{ApiError, AppState, Problem, ServeOptions};

const PLANNER_HTML: &str = include_str!("../widget/planner.html");
const REPORT_HTML: &str = include_str!("../widget/report.html");
const PLANNER_JS: &str = include_str!("../widget/planner.js");
const PLANNER_CSS: &str = include_str!("../widget/planner.css");

/// The reach when none is given: the 2 km a visiting nurse is commonly expected to cover.
const DEFAULT_RADIUS_M: f64 = 2000.0;

/// Parameters of `/planner` and `/planner/report`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlannerParams {
    /// `ja` (default) or `en`.
    #[param(value_type = Option<schemas::Lang>, inline)]
    lang: Option<String>,
    /// A study-area municipality code (all the study area when absent); a town outside the
    /// study area is refused.
    #[param(value_type = Option<schemas::MunicipalityCode>, inline)]
    area: Option<String>,
    /// One kind id (default `visiting_nursing_station`).
    #[param(value_type = Option<schemas::OneKind>, inline)]
    kind: Option<String>,
    /// The reach in metres (default 2000).
    #[param(value_type = Option<schemas::Radius>, inline)]
    radius_m: Option<String>,
    /// The population group counted (default `total`).
    #[param(value_type = Option<schemas::PopulationGroup>, inline)]
    population: Option<String>,
    /// How gaps are drawn: `polygon` (default), `mesh500` or `mesh250` (`mesh1000` too).
    #[param(value_type = Option<schemas::GapResolution>, inline)]
    resolution: Option<String>,
    /// Basemap of `/planner`: `gsi` (default), `osm` or `none`; the report prints without tiles.
    #[param(value_type = Option<schemas::Basemap>, inline)]
    tiles: Option<String>,
    /// What-if facilities carried to the report: `lat,lon;lat,lon` (at most the scenario limit).
    #[param(value_type = Option<schemas::WhatIfAdditions>, inline)]
    add: Option<String>,
    /// Facility ids left out in the what-if, comma-separated; an id no facility has is refused.
    remove: Option<String>,
}

#[derive(Serialize)]
struct Town {
    code: String,
    name: String,
}

#[derive(Serialize)]
struct Group {
    id: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct PlannerConfig {
    page: &'static str,
    lang: &'static str,
    kinds: Vec<KindOption>,
    kind: &'static str,
    area: Option<String>,
    towns: Vec<Town>,
    radius_m: f64,
    population: &'static str,
    groups: Vec<Group>,
    resolution: String,
    add: Vec<[f64; 2]>,
    remove: Vec<String>,
    lat: f64,
    lon: f64,
    tiles: Option<Tiles>,
    data_attribution: String,
}

/// The page's question, checked: every option is named in the problem when it is refused.
fn config(
    state: &AppState,
    options: &ServeOptions,
    q: &PlannerParams,
    page: &'static str,
) -> Result<PlannerConfig, ApiError> {
    let atlas = &state.atlas;
    // The page is Japanese unless asked otherwise: the browser's language does not choose it.
    let lang = Lang::choose(q.lang.as_deref(), None)?;
    let area = params::study_area_code(atlas, "area", q.area.as_deref())?;
    let kind = params::one_kind(Some(q.kind.as_deref().unwrap_or("visiting_nursing_station")))?;
    let radius_m = accepts::radius().check("radius_m", q.radius_m.as_deref())?;
    let group = params::population_group(atlas, "population", q.population.as_deref())?;
    let resolution = match params::gap_resolution("resolution", q.resolution.as_deref())? {
        GapResolution::Polygon => "polygon".to_owned(),
        GapResolution::Mesh(level) => accepts::resolution_id(level),
    };
    let add = what_if_additions(q.add.as_deref())?;
    let remove: Vec<String> = match q.remove.as_deref() {
        None | Some("") => Vec::new(),
        Some(text) => text.split(',').map(|id| id.trim().to_owned()).collect(),
    };
    if let Some((i, id)) = remove
        .iter()
        .enumerate()
        .find(|(_, id)| atlas.facility(&care_atlas_core::FacilityId::new((*id).clone())).is_none())
    {
        return Err(ApiError::invalid(
            "remove",
            format!("item {i}: no facility has the id `{id}`"),
            "ids of existing facilities, comma-separated",
        ));
    }
    let (lat, lon) = widget::study_area_centre(atlas);
    Ok(PlannerConfig {
        page,
        lang: lang.id(),
        kinds: widget::kind_options(atlas, lang),
        kind: kind.id(),
        area: area.map(|code| code.to_string()),
        towns: atlas
            .study_area()
            .map(|m| Town { code: m.code.to_string(), name: m.name.clone() })
            .collect(),
        radius_m: radius_m.unwrap_or(DEFAULT_RADIUS_M),
        population: group.id(),
        groups: PopulationGroup::ALL
            .into_iter()
            .filter(|g| atlas.population_model().knows(*g))
            .map(|g| Group {
                id: g.id(),
                label: match lang {
                    Lang::Ja => g.label_ja(),
                    Lang::En => g.label_en(),
                },
            })
            .collect(),
        resolution,
        add,
        remove,
        lat,
        lon,
        // The report is printed: a boundary-only map prints reliably and needs no network. A
        // `tiles` not offered is still refused there, as the document says.
        tiles: widget::tiles(options, q.tiles.as_deref())?.filter(|_| page != "report"),
        data_attribution: widget::data_attribution(&care_atlas_core::SourceInfo::attributions(
            &state.sources,
        )),
    })
}

/// The what-if facilities of `add=lat,lon;lat,lon`, each a valid position.
fn what_if_additions(text: Option<&str>) -> Result<Vec<[f64; 2]>, ApiError> {
    let accepted = accepts::what_if_additions().accepted();
    let Some(text) = text.filter(|t| !t.is_empty()) else { return Ok(Vec::new()) };
    let points: Vec<&str> = text.split(';').collect();
    if points.len() > care_atlas_core::MAX_SCENARIO_ADDITIONS {
        return Err(ApiError::invalid("add", format!("{} points", points.len()), accepted));
    }
    points
        .into_iter()
        .map(|point| {
            let (lat, lon) = point
                .split_once(',')
                .ok_or_else(|| ApiError::invalid("add", format!("`{point}`"), &accepted))?;
            match params::position(Some(lat.trim()), Some(lon.trim())) {
                Ok(Some(p)) => Ok([p.lat(), p.lon()]),
                _ => Err(ApiError::invalid("add", format!("`{point}`"), &accepted)),
            }
        })
        .collect()
}

/// The page for `config`, its title in the page's language.
fn page(template: &str, atlas: &Atlas, config: &PlannerConfig) -> Result<HttpResponse, ApiError> {
    // `<` is escaped so that no value can close the script element it is embedded in.
    let config_json =
        serde_json::to_string(config).map_err(|_| ApiError::Internal)?.replace('<', "\\u003c");
    let towns = params::study_area_names(atlas, "・");
    let title = match (config.lang, config.page) {
        ("en", "report") => format!("Home-care resources report: {towns}"),
        ("en", _) => format!("Planner's workbench: home-care resources of {towns}"),
        (_, "report") => format!("在宅医療・介護資源 分析レポート（{towns}）"),
        _ => format!("在宅医療・介護資源 計画支援ツール（{towns}）"),
    };
    let body = template
        .replace("{{lang}}", config.lang)
        .replace("{{title}}", &widget::html_text(&title))
        .replace("{{config}}", &config_json);
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body))
}

/// The planner's page: choose town, kind, reach and population group; see the gaps, the
/// underserved places, what-if facilities, site suggestions, the three-town comparison and
/// exports.
#[utoipa::path(
    tag = "widget",
    params(PlannerParams),
    responses(
        (status = 200, content_type = "text/html", body = String, description = "The planner's page"),
        (status = 400, description = "A refused option: a problem document, or a short page naming it when `Accept` prefers text/html", content((Problem = "application/problem+json"), (String = "text/html"))),
    )
)]
#[get("/planner", wrap = "actix_web::middleware::from_fn(crate::page_error::planner_page)")]
pub async fn planner(
    state: web::Data<AppState>,
    options: web::Data<ServeOptions>,
    query: Params<PlannerParams>,
) -> Result<HttpResponse, ApiError> {
    let config = config(&state, &options, &query, "planner")?;
    page(PLANNER_HTML, &state.atlas, &config)
}

/// The printable report (A4 portrait) of the planner's question: conditions, the map, the tables,
/// the data's as-of dates and sources, and the method in plain words.
#[utoipa::path(
    tag = "widget",
    params(PlannerParams),
    responses(
        (status = 200, content_type = "text/html", body = String, description = "The report page"),
        (status = 400, description = "A refused option: a problem document, or a short page naming it when `Accept` prefers text/html", content((Problem = "application/problem+json"), (String = "text/html"))),
    )
)]
#[get("/planner/report", wrap = "actix_web::middleware::from_fn(crate::page_error::planner_page)")]
pub async fn report(
    state: web::Data<AppState>,
    options: web::Data<ServeOptions>,
    query: Params<PlannerParams>,
) -> Result<HttpResponse, ApiError> {
    let config = config(&state, &options, &query, "report")?;
    page(REPORT_HTML, &state.atlas, &config)
}

/// The names of the planner's script and style sheet.
const ASSETS: [&str; 2] = ["planner.js", "planner.css"];

/// An asset of the planner.
#[must_use]
pub fn asset_name() -> accepts::OneOf {
    accepts::OneOf(ASSETS.map(str::to_owned).to_vec())
}

/// The planner's script and style sheet.
#[utoipa::path(
    tag = "widget",
    params(("name" = inline(schemas::PlannerAsset), Path, description = "planner.js or planner.css")),
    responses(
        (status = 200, description = "A script or style sheet", content((String = "text/javascript"), (String = "text/css"))),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/assets/planner/{name}")]
pub async fn asset(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (content_type, body) = match name.as_str() {
        "planner.js" => ("text/javascript; charset=utf-8", PLANNER_JS),
        "planner.css" => ("text/css; charset=utf-8", PLANNER_CSS),
        other => {
            return Err(ApiError::NotFound {
                parameter: "name".into(),
                detail: format!("no asset `{other}`"),
            });
        }
    };
    Ok(HttpResponse::Ok().content_type(content_type).body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_if_additions_are_lat_lon_pairs() {
        assert_eq!(what_if_additions(None), Ok(Vec::new()));
        assert_eq!(
            what_if_additions(Some("36.01,139.7;36.02,139.71")),
            Ok(vec![[36.01, 139.7], [36.02, 139.71]])
        );
        assert!(what_if_additions(Some("36.01")).is_err());
        assert!(what_if_additions(Some("96,139.7")).is_err());
    }
}
