//! The handlers: extract, check into a core query, call core, convert to a DTO. Each is documented
//! for OpenAPI where it is defined.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use care_atlas_core::{
    AccessibilityQuery, AreaRef, CatchmentMethod, FacilityId, GapQuery, MeshLevel, NearestQuery,
    OriginQuery, PopulationGroup, Scenario, SiteQuery, SupplyWeight,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::accepts::{self, schemas};
use crate::cache::TownAnswer;
use crate::dto::{
    AccessibilityCollection, AreaCollection, AreaFeature, ChangedCells, FeatureCollectionType,
    GapCollection, Health, NearestCollection, OutOfReachDefinition, PopulationBasis,
    ScenarioRequest, ScenarioResponse, ScenarioState, SiteCollection, SourcesDocument,
    UnderservedPlaces, VersionInfo,
};
use crate::export::{self, Format, Table};
use crate::guard::{MAX_QUEUE_WAIT, MAX_WORK_TIME, RETRY_AFTER_S, Workload};
use crate::params::{self, Lang};
use crate::query::Params;
use crate::supply::{self, Figures};
use crate::{ApiError, AppState, Problem, ServeOptions};

const GEO_JSON: &str = "application/geo+json";

/// Runs CPU-bound work on the snapshot on the blocking pool, so that the workers keep accepting
/// requests: `work` gets the state and the request's extracted `input`.
async fn blocking<I: Send + 'static>(
    req: &HttpRequest,
    state: web::Data<AppState>,
    input: I,
    work: fn(&AppState, I) -> Result<Reply, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let options = req.app_data::<web::Data<ServeOptions>>();
    let place = Workload::admit(options.map_or(MAX_QUEUE_WAIT, |o| o.max_queue_wait)).await?;
    let limit = options.map_or(MAX_WORK_TIME, |o| o.max_work_time);
    let state = state.into_inner();
    let work = web::block(move || {
        // Held until the work ends, even when its client was answered for taking too long.
        let _place = place;
        work(&state, input)
    });
    actix_web::rt::time::timeout(limit, work)
        .await
        .map_err(|_| ApiError::TimedOut { limit_s: limit.as_secs(), retry_after_s: RETRY_AFTER_S })?
        .map_err(|_| ApiError::Internal)?
        .map(Reply::into_response)
}

/// A response body made off the workers: its content type, its bytes and, for a file to save
/// (CSV, a workbook), its ASCII file name.
pub struct Reply {
    content_type: &'static str,
    body: Vec<u8>,
    file_name: Option<String>,
}

impl Reply {
    fn json<T: serde::Serialize>(content_type: &'static str, body: &T) -> Result<Self, ApiError> {
        let body = serde_json::to_vec(body).map_err(|_| ApiError::Internal)?;
        Ok(Reply { content_type, body, file_name: None })
    }

    /// A table as a CSV or a workbook to save.
    fn table(table: &Table, format: Format) -> Result<Self, ApiError> {
        let (content_type, file_name, body) = export::write(table, format)?;
        Ok(Reply { content_type, body, file_name: Some(file_name) })
    }

    fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::Ok();
        response.content_type(self.content_type);
        if let Some(name) = self.file_name {
            response.insert_header((
                actix_web::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ));
        }
        response.body(self.body)
    }
}

/// The format asked for by `f` or the `Accept` header.
fn export_format(req: &HttpRequest, f: Option<&str>) -> Result<Format, ApiError> {
    let accept = req.headers().get(actix_web::http::header::ACCEPT).and_then(|v| v.to_str().ok());
    Format::negotiate(f, accept)
}

fn geojson<T: serde::Serialize>(body: &T) -> Result<Reply, ApiError> {
    Reply::json(GEO_JSON, body)
}

fn accept_language(req: &HttpRequest) -> Option<&str> {
    req.headers().get(actix_web::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())
}

/// Liveness and the size of the snapshot served.
#[utoipa::path(tag = "service", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .json(Health { status: "ok".into(), facilities: state.atlas.facilities().len() })
}

/// The program's and the dataset's versions.
#[utoipa::path(tag = "service", responses((status = 200, body = VersionInfo)))]
#[get("/version")]
pub async fn version(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(VersionInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        dataset_version: state.dataset_version.clone(),
    })
}

/// The sources of the data (title, publisher, licence, the attribution they ask for, as-of date)
/// and how completely they know each kind in the study area and in the neighbouring municipalities.
#[utoipa::path(tag = "service", responses((status = 200, body = SourcesDocument)))]
#[get("/sources")]
pub async fn sources(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(SourcesDocument {
        sources: state.sources.iter().map(Into::into).collect(),
        coverage: state.atlas.completeness_statements().iter().map(Into::into).collect(),
    })
}

/// Parameters of `/nearest`: an origin (`lat` and `lon`, or `from`, or `address`) and what to find.
/// Exactly one origin must be given, which OpenAPI parameters cannot state: each origin's
/// description says so.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NearestParams {
    /// Latitude of the origin, WGS84 degrees, with `lon` and without `from` or `address`.
    #[param(value_type = Option<schemas::Latitude>, inline)]
    lat: Option<String>,
    /// Longitude of the origin, WGS84 degrees, with `lat` and without `from` or `address`.
    #[param(value_type = Option<schemas::Longitude>, inline)]
    lon: Option<String>,
    /// A facility id: search from that facility (which is left out of the answer); without
    /// `lat`, `lon` or `address`.
    from: Option<String>,
    /// An address in the study area, as residents write it: search from its 大字・町丁目 point;
    /// without `lat`, `lon` or `from`.
    /// The prefecture, county and municipality may be left out (`新白岡4-14`); full-width
    /// digits, spaces, any hyphen, 丁目/番地/番/号 (kanji numbers for the 丁目), a postal code in
    /// front and a building name behind are all read. A town name found in more than one
    /// municipality needs its municipality: without it the answer is a 400
    /// (`urn:care-atlas:problem:ambiguous-address`) whose `candidates` list the places, each with
    /// the address to ask for it.
    address: Option<String>,
    /// Kind ids, comma-separated (all kinds when absent).
    #[param(value_type = Option<schemas::KindList>, inline, example = "visiting_nursing_station")]
    kind: Option<String>,
    /// How many facilities (default 5).
    #[param(value_type = Option<schemas::NearestCount>, inline)]
    k: Option<String>,
    /// Farthest distance in metres.
    #[param(value_type = Option<schemas::NearestDistance>, inline)]
    max_distance_m: Option<String>,
    /// Language of kind labels: `ja` (default) or `en`; else Accept-Language.
    #[param(value_type = Option<schemas::Lang>, inline)]
    lang: Option<String>,
}

/// The k nearest facilities of some kinds, by geodesic distance, across municipal borders.
#[utoipa::path(
    tag = "analysis",
    params(NearestParams),
    responses(
        (status = 200, body = NearestCollection, content_type = "application/geo+json"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "A parameter is invalid; an `address` naming a town that several municipalities have is answered with `urn:care-atlas:problem:ambiguous-address` and its `candidates`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`from` names no facility"),
    )
)]
#[get("/nearest")]
pub async fn nearest(
    state: web::Data<AppState>,
    query: Params<NearestParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let q = query;
    let lang = Lang::choose(q.lang.as_deref(), accept_language(&req))?;
    let kinds = params::kinds(q.kind.as_deref())?;
    let k = accepts::nearest_count().check("k", q.k.as_deref())?.unwrap_or(5);
    let max = accepts::nearest_distance().check("max_distance_m", q.max_distance_m.as_deref())?;
    let query = NearestQuery::new(kinds, k, max)?;
    let origin = nearest_origin(&q)?;
    let atlas = &state.atlas;
    let origin = atlas.resolve_origin(&origin).map_err(|e| params::origin_error(atlas, &e))?;
    let found = atlas.nearest_to(&origin, &query);
    let body = crate::dto::write_nearest(&origin, &found, |n| {
        state.cache.nearest_head(atlas.facilities(), n.index, lang)
    })
    .map_err(|_| ApiError::Internal)?;
    Ok(Reply { content_type: GEO_JSON, body, file_name: None }.into_response())
}

/// The one origin of a `/nearest` query. Two origins are refused naming the parameter that
/// brought the second (in the order `lat`/`lon`, `from`, `address`), and the detail names every
/// origin given; none is refused as a missing `lat`.
fn nearest_origin(q: &NearestParams) -> Result<OriginQuery, ApiError> {
    let coordinates = q.lat.as_ref().map(|_| "lat").or(q.lon.as_ref().map(|_| "lon"));
    let given: Vec<&str> =
        [coordinates, q.from.as_ref().map(|_| "from"), q.address.as_ref().map(|_| "address")]
            .into_iter()
            .flatten()
            .collect();
    if let [_, second, ..] = given[..] {
        let named: Vec<String> = given.iter().map(|name| format!("`{name}`")).collect();
        return Err(ApiError::Conflict {
            parameter: second.into(),
            detail: format!(
                "give exactly one origin: lat and lon, or from, or address; this request gives {}",
                named.join(" and ")
            ),
        });
    }
    if let Some(id) = &q.from {
        return Ok(OriginQuery::Facility(FacilityId::new(id.clone())));
    }
    if let Some(address) = &q.address {
        return Ok(OriginQuery::Address(address.clone()));
    }
    params::position(q.lat.as_deref(), q.lon.as_deref())?.map(OriginQuery::Point).ok_or_else(|| {
        ApiError::missing("lat", "a number from -90 to 90 degrees with lon; or from, or address")
    })
}

/// Parameters of one area (`/areas/{code}`, `/mesh/{meshcode}`).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AreaParams {
    /// `json` or `geojson` (default, GeoJSON), `csv` (UTF-8 with BOM: condition rows
    /// `条件/condition,<key>,<value>`, a blank row, then the table) or `xlsx` (sheets `data` and
    /// `conditions`). Wins over the `Accept` header (`text/csv`, the workbook's media type).
    #[param(value_type = Option<schemas::ExportFormat>, inline)]
    f: Option<String>,
    /// Whose residents are counted: `total` (default), `aged_65_plus`, `aged_75_plus`,
    /// `aged_85_plus` or `elderly_living_alone` (65+ living alone). A group the population model
    /// in use does not know is refused.
    #[param(value_type = Option<schemas::PopulationGroup>, inline, example = "aged_75_plus")]
    population: Option<String>,
}

/// A municipality's answer for `group`, made once per snapshot (see [`crate::cache`]).
pub(crate) fn town_answer(
    state: &AppState,
    code: care_atlas_core::MunicipalityCode,
    group: PopulationGroup,
) -> Result<Option<Arc<TownAnswer>>, ApiError> {
    state.cache.town_or_make(code, group, || {
        let m = state.atlas.municipality(code)?;
        let statistics = state.atlas.area_statistics(AreaRef::Municipality(code), group)?;
        Some(AreaFeature::municipality(m, &statistics, state.atlas.population_model()))
    })
}

/// Every municipality: those of the study area with statistics per kind, and the neighbours within
/// 10 km, marked as such and without per-kind statistics.
#[utoipa::path(tag = "areas", params(AreaExportParams), responses((status = 200, description = "GeoJSON, or the per-town comparison (one row per study-area town and kind; unknown left empty, never 0) as CSV or a workbook", content((AreaCollection = "application/geo+json"), (String = "text/csv"), (export::FileBody = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = "For CSV and xlsx: `attachment; filename=\"areas-<population>.<ext>\"`"))), (status = 400, body = Problem, content_type = "application/problem+json")))]
#[get("/areas")]
pub async fn areas(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Params<AreaExportParams>,
) -> Result<HttpResponse, ApiError> {
    let format = export_format(&req, query.f.as_deref())?;
    blocking(&req, state, (query.into_inner(), format), areas_now).await
}

/// Parameters of `/areas`: those of every area endpoint, and a table format.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AreaExportParams {
    /// `json` or `geojson` (default, GeoJSON), `csv` (UTF-8 with BOM: condition rows
    /// `条件/condition,<key>,<value>`, a blank row, then the table) or `xlsx` (sheets `data` and
    /// `conditions`). Wins over the `Accept` header (`text/csv`, the workbook's media type).
    #[param(value_type = Option<schemas::ExportFormat>, inline)]
    f: Option<String>,
    /// Whose residents are counted: `total` (default), `aged_65_plus`, `aged_75_plus`,
    /// `aged_85_plus` or `elderly_living_alone` (65+ living alone). A group the population model
    /// in use does not know is refused.
    #[param(value_type = Option<schemas::PopulationGroup>, inline, example = "aged_75_plus")]
    population: Option<String>,
    /// A reach in metres: each study-area town's statistics per kind then also give the people
    /// of every group out of reach of that kind (`out_of_reach`), by the one rule of
    /// `/coverage-gaps`.
    #[param(value_type = Option<schemas::Radius>, inline)]
    radius_m: Option<String>,
}

fn areas_now(
    state: &AppState,
    (query, format): (AreaExportParams, Format),
) -> Result<Reply, ApiError> {
    let group = params::population_group(&state.atlas, "population", query.population.as_deref())?;
    let mut features = Vec::new();
    for m in state.atlas.municipalities() {
        if let Some(town) = town_answer(state, m.code, group)? {
            features.push(town.feature.clone());
        }
    }
    let mut collection =
        AreaCollection { collection_type: FeatureCollectionType::FeatureCollection, features };
    if query.radius_m.is_some() {
        let radius_m = params::radius("radius_m", query.radius_m.as_deref())?;
        add_out_of_reach(&state.atlas, &mut collection, radius_m);
    }
    if format == Format::Json {
        return geojson(&collection);
    }
    Reply::table(&export::area_table(state, &collection), format)
}

/// Each study-area town's people out of reach of each kind with a source, within `radius_m`.
fn add_out_of_reach(
    atlas: &care_atlas_core::Atlas,
    collection: &mut AreaCollection,
    radius_m: f64,
) {
    for kind in care_atlas_core::FacilityKind::ALL {
        let knowledge = atlas.kind_supply(kind);
        let towns = (knowledge != care_atlas_core::SupplyKnowledge::Unknown).then(|| {
            atlas.out_of_reach_by_town(&atlas.quarter_reach(
                &[kind],
                radius_m,
                &Scenario::default(),
            ))
        });
        for feature in &mut collection.features {
            let code = feature.properties.code.clone();
            let Some(statistics) = feature.properties.statistics.as_mut() else { continue };
            let Some(entry) = statistics.get_mut(kind.id()) else { continue };
            let figures = towns
                .as_ref()
                .and_then(|t| t.iter().find(|(c, _)| c.to_string() == code))
                .map_or([None; care_atlas_core::PopulationGroup::ALL.len()], |(_, f)| *f);
            entry.out_of_reach = Some(crate::dto::KindOutOfReach {
                radius_m,
                population_uncovered: crate::dto::GroupFiguresDto::from(&figures),
                upper_bound: knowledge != care_atlas_core::SupplyKnowledge::Complete,
            });
        }
    }
}

/// One municipality.
#[utoipa::path(
    tag = "areas",
    params(("code" = inline(schemas::MunicipalityCode), Path, description = "A five-digit municipality code (全国地方公共団体コード)", example = "11442"), AreaParams),
    responses(
        (status = 200, description = "GeoJSON, or the town's statistics (one row per kind; a neighbour, without per-kind statistics, one row; unknown left empty, never 0) as CSV or a workbook", content((AreaFeature = "application/geo+json"), (String = "text/csv"), (export::FileBody = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = "For CSV and xlsx: `attachment; filename=\"municipality-<code>-<population>.<ext>\"`"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/areas/{code}")]
pub async fn area(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: Params<AreaParams>,
) -> Result<HttpResponse, ApiError> {
    let format = export_format(&req, query.f.as_deref())?;
    // A town's GeoJSON, once made, is bytes kept with the snapshot: served on the worker, it needs
    // no place on the pool. Anything else (the first request, a file, an error) takes the pool.
    if format == Format::Json
        && let Ok(code) = params::municipality_code("code", &code)
        && let Ok(group) =
            params::population_group(&state.atlas, "population", query.population.as_deref())
        && let Some(town) = state.cache.town(code, group)
    {
        return Ok(HttpResponse::Ok().content_type(GEO_JSON).body(town.geojson.clone()));
    }
    blocking(&req, state, (code.into_inner(), query.into_inner(), format), area_now).await
}

fn area_now(
    state: &AppState,
    (code, query, format): (String, AreaParams, Format),
) -> Result<Reply, ApiError> {
    let code = params::municipality_code("code", &code)?;
    let group = params::population_group(&state.atlas, "population", query.population.as_deref())?;
    let town = town_answer(state, code, group)?.ok_or_else(|| ApiError::NotFound {
        parameter: "code".into(),
        detail: format!("no municipality {code} is mapped"),
    })?;
    if format == Format::Json {
        return Ok(Reply { content_type: GEO_JSON, body: town.geojson.to_vec(), file_name: None });
    }
    area_reply(state, &town.feature, format)
}

/// An area's answer: its feature, or its statistics as a table.
fn area_reply(state: &AppState, feature: &AreaFeature, format: Format) -> Result<Reply, ApiError> {
    if format == Format::Json {
        return geojson(feature);
    }
    Reply::table(&export::area_detail_table(state, feature), format)
}

/// One JIS mesh cell that touches the study area, with its estimated population and statistics.
#[utoipa::path(
    tag = "areas",
    params(("meshcode" = inline(schemas::MeshCode), Path, description = "JIS X 0410 mesh code, 4 to 10 digits", example = "5339759431"), AreaParams),
    responses(
        (status = 200, description = "GeoJSON, or the cell's statistics (one row per kind; a cell partly outside the study area, without per-kind statistics, one row; unknown left empty, never 0) as CSV or a workbook", content((AreaFeature = "application/geo+json"), (String = "text/csv"), (export::FileBody = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = "For CSV and xlsx: `attachment; filename=\"mesh-<meshcode>-<population>.<ext>\"`"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/mesh/{meshcode}")]
pub async fn mesh(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: Params<AreaParams>,
) -> Result<HttpResponse, ApiError> {
    let format = export_format(&req, query.f.as_deref())?;
    blocking(&req, state, (code.into_inner(), query.into_inner(), format), mesh_now).await
}

fn mesh_now(
    state: &AppState,
    (code, query, format): (String, AreaParams, Format),
) -> Result<Reply, ApiError> {
    let cell = params::mesh_code("meshcode", &code)?;
    let group = params::population_group(&state.atlas, "population", query.population.as_deref())?;
    let statistics = state.atlas.area_statistics(AreaRef::Mesh(cell), group).ok_or_else(|| {
        ApiError::NotFound {
            parameter: "meshcode".into(),
            detail: format!("mesh cell {cell} does not touch the study area"),
        }
    })?;
    area_reply(state, &AreaFeature::mesh(cell, &statistics, state.atlas.population_model()), format)
}

/// Parameters of `/coverage-gaps`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GapParams {
    /// Kind ids, comma-separated (all kinds when absent).
    #[param(value_type = Option<schemas::KindList>, inline)]
    kind: Option<String>,
    /// Reach of a facility in metres.
    #[param(value_type = schemas::Radius, inline)]
    radius_m: Option<String>,
    /// A study-area municipality code (every study-area municipality when absent); a town
    /// outside the study area is refused.
    #[param(value_type = Option<schemas::MunicipalityCode>, inline)]
    area: Option<String>,
    /// `polygon` (default) or a mesh resolution.
    #[param(value_type = Option<schemas::GapResolution>, inline)]
    resolution: Option<String>,
    /// Whose residents are counted: `total` (default), `aged_65_plus`, `aged_75_plus`,
    /// `aged_85_plus` or `elderly_living_alone` (65+ living alone). A group the population model
    /// in use does not know is refused.
    #[param(value_type = Option<schemas::PopulationGroup>, inline, example = "aged_75_plus")]
    population: Option<String>,
    /// `json` or `geojson` (default, GeoJSON), `csv` (UTF-8 with BOM: condition rows
    /// `条件/condition,<key>,<value>`, a blank row, then the table) or `xlsx` (sheets `data` and
    /// `conditions`). Wins over the `Accept` header (`text/csv`, the workbook's media type).
    #[param(value_type = Option<schemas::ExportFormat>, inline)]
    f: Option<String>,
}

/// Where people in the study area live farther than a radius from every facility of the kinds,
/// counting facilities in neighbouring municipalities too.
#[utoipa::path(tag = "analysis", params(GapParams), responses((status = 200, description = "GeoJSON, or the rows (one per gap polygon or mesh cell, then one per municipality) as CSV or a workbook", content((GapCollection = "application/geo+json"), (String = "text/csv"), (export::FileBody = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = "For CSV and xlsx: `attachment; filename=\"coverage-gaps-<area>-<kinds>-<radius>m.<ext>\"`"))), (status = 400, body = Problem, content_type = "application/problem+json", description = "A parameter is invalid, or `kind` names a kind with no source in the study area (`urn:care-atlas:problem:no-source`): unknown is never answered as zero")))]
#[get("/coverage-gaps")]
pub async fn coverage_gaps(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Params<GapParams>,
) -> Result<HttpResponse, ApiError> {
    let format = export_format(&req, query.f.as_deref())?;
    blocking(&req, state, (query.into_inner(), format), coverage_gaps_now).await
}

fn coverage_gaps_now(
    state: &AppState,
    (q, format): (GapParams, Format),
) -> Result<Reply, ApiError> {
    let resolution = params::gap_resolution("resolution", q.resolution.as_deref())?;
    let question =
        GapQuestion { kind: q.kind, radius_m: q.radius_m, area: q.area, population: q.population };
    let (gap_query, supply) = question.check(state, resolution)?;
    let gaps = state.atlas.coverage_gaps(&gap_query, &Scenario::default());
    let collection = GapCollection::of(
        &gaps,
        gap_query.group,
        state.atlas.population_model(),
        supply::note(&state.atlas, &supply, Figures::OutOfReach),
    );
    if format == Format::Json {
        return geojson(&collection);
    }
    Reply::table(&export::gap_table(state, &gap_query, &gaps, &collection), format)
}

/// The parameters a gap question shares (`/coverage-gaps`, `/underserved-places`), as sent.
struct GapQuestion {
    kind: Option<String>,
    radius_m: Option<String>,
    area: Option<String>,
    population: Option<String>,
}

impl GapQuestion {
    /// The checked query drawn at `resolution`, and what is known of its kinds' supply.
    fn check(
        self,
        state: &AppState,
        resolution: care_atlas_core::GapResolution,
    ) -> Result<(GapQuery, care_atlas_core::SupplyCompleteness), ApiError> {
        let kinds = params::kinds(self.kind.as_deref())?;
        let supply = supply::check(&state.atlas, "kind", &kinds)?;
        let query = GapQuery {
            kinds,
            radius_m: params::radius("radius_m", self.radius_m.as_deref())?,
            area: params::study_area_code(&state.atlas, "area", self.area.as_deref())?,
            resolution,
            group: params::population_group(
                &state.atlas,
                "population",
                self.population.as_deref(),
            )?,
        };
        Ok((query, supply))
    }
}

/// Parameters of `/underserved-places`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlaceParams {
    /// Kind ids, comma-separated (all kinds when absent).
    #[param(value_type = Option<schemas::KindList>, inline)]
    kind: Option<String>,
    /// Reach of a facility in metres.
    #[param(value_type = schemas::Radius, inline)]
    radius_m: Option<String>,
    /// A study-area municipality code (every study-area municipality when absent); a town
    /// outside the study area is refused.
    #[param(value_type = Option<schemas::MunicipalityCode>, inline)]
    area: Option<String>,
    /// Whose residents rank the places: `total` (default), `aged_65_plus`, `aged_75_plus`,
    /// `aged_85_plus` or `elderly_living_alone`. Every group's figure is answered.
    #[param(value_type = Option<schemas::PopulationGroup>, inline, example = "aged_75_plus")]
    population: Option<String>,
    /// How many places, most first (every place with people out of reach when absent).
    #[param(value_type = Option<schemas::PlaceCount>, inline)]
    n: Option<String>,
    /// `json` (default), `csv` (UTF-8 with BOM: condition rows, a blank row, then the table) or
    /// `xlsx` (sheets `data` and `conditions`). Wins over the `Accept` header.
    #[param(value_type = Option<schemas::ExportFormat>, inline)]
    f: Option<String>,
}

/// The census small areas (大字・町丁目) where people live out of reach of every facility of the
/// kinds, most people of the group first, each with every group's figure; a town's places add up
/// to its `/coverage-gaps` summary.
#[utoipa::path(tag = "analysis", params(PlaceParams), responses((status = 200, description = "JSON, or the places as CSV or a workbook", content((UnderservedPlaces = "application/json"), (String = "text/csv"), (export::FileBody = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = "For CSV and xlsx: `attachment; filename=\"underserved-places-<area>-<kinds>-<radius>m.<ext>\"`"))), (status = 400, body = Problem, content_type = "application/problem+json", description = "A parameter is invalid, or `kind` names a kind with no source in the study area (`urn:care-atlas:problem:no-source`): unknown is never answered as zero")))]
#[get("/underserved-places")]
pub async fn underserved_places(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Params<PlaceParams>,
) -> Result<HttpResponse, ApiError> {
    let format = export_format(&req, query.f.as_deref())?;
    blocking(&req, state, (query.into_inner(), format), underserved_places_now).await
}

fn underserved_places_now(
    state: &AppState,
    (q, format): (PlaceParams, Format),
) -> Result<Reply, ApiError> {
    let question =
        GapQuestion { kind: q.kind, radius_m: q.radius_m, area: q.area, population: q.population };
    let (gap_query, supply) = question
        .check(state, care_atlas_core::GapResolution::Mesh(care_atlas_core::OUT_OF_REACH_LEVEL))?;
    let n = accepts::place_count().check("n", q.n.as_deref())?;
    let places = state.atlas.underserved_places(&gap_query, &Scenario::default());
    let answer = UnderservedPlaces::of(
        &state.atlas,
        &places,
        gap_query.group,
        n,
        supply::note(&state.atlas, &supply, Figures::OutOfReach),
    );
    if format == Format::Json {
        return Reply::json("application/json", &answer);
    }
    Reply::table(&export::place_table(state, &gap_query, &answer), format)
}

/// Parameters of `/accessibility`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccessibilityParams {
    /// Kind ids, comma-separated (all kinds when absent).
    #[param(value_type = Option<schemas::KindList>, inline)]
    kind: Option<String>,
    /// The floating catchment method (default `e2sfca`).
    #[param(value_type = Option<schemas::Method>, inline)]
    method: Option<String>,
    /// Catchment in metres.
    #[param(value_type = schemas::Radius, inline)]
    catchment_m: Option<String>,
    /// Mesh resolution (default `mesh500`).
    #[param(value_type = Option<schemas::GridResolution>, inline)]
    resolution: Option<String>,
    /// Whose residents are counted: `total` (default), `aged_65_plus`, `aged_75_plus`,
    /// `aged_85_plus` or `elderly_living_alone` (65+ living alone). A group the population model
    /// in use does not know is refused.
    #[param(value_type = Option<schemas::PopulationGroup>, inline, example = "aged_75_plus")]
    population: Option<String>,
    /// `json` or `geojson` (default, GeoJSON), `csv` (UTF-8 with BOM: condition rows
    /// `条件/condition,<key>,<value>`, a blank row, then the table) or `xlsx` (sheets `data` and
    /// `conditions`). Wins over the `Accept` header (`text/csv`, the workbook's media type).
    #[param(value_type = Option<schemas::ExportFormat>, inline)]
    f: Option<String>,
}

/// Two-step floating catchment accessibility (2SFCA or E2SFCA) per study-area mesh cell.
#[utoipa::path(tag = "analysis", params(AccessibilityParams), responses((status = 200, description = "GeoJSON, or the scores (one row per mesh cell with its centre and municipality) as CSV or a workbook", content((AccessibilityCollection = "application/geo+json"), (String = "text/csv"), (export::FileBody = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = "For CSV and xlsx: `attachment; filename=\"accessibility-<kinds>-<method>-<catchment>m-<resolution>.<ext>\"`"))), (status = 400, body = Problem, content_type = "application/problem+json", description = "A parameter is invalid, or `kind` names a kind with no source in the study area (`urn:care-atlas:problem:no-source`): unknown is never answered as zero")))]
#[get("/accessibility")]
pub async fn accessibility(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Params<AccessibilityParams>,
) -> Result<HttpResponse, ApiError> {
    let format = export_format(&req, query.f.as_deref())?;
    blocking(&req, state, (query.into_inner(), format), accessibility_now).await
}

fn accessibility_now(
    state: &AppState,
    (q, format): (AccessibilityParams, Format),
) -> Result<Reply, ApiError> {
    let kinds = params::kinds(q.kind.as_deref())?;
    let supply = supply::check(&state.atlas, "kind", &kinds)?;
    let accessibility_query = AccessibilityQuery {
        kinds,
        method: params::method("method", q.method.as_deref(), CatchmentMethod::Enhanced)?,
        catchment_m: params::radius("catchment_m", q.catchment_m.as_deref())?,
        level: params::grid_resolution("resolution", q.resolution.as_deref(), MeshLevel::Half)?,
        weight: SupplyWeight::Count,
        group: params::population_group(&state.atlas, "population", q.population.as_deref())?,
    };
    let scores = state.atlas.accessibility(&accessibility_query, &Scenario::default());
    let collection = AccessibilityCollection::of(
        &scores,
        accessibility_query.method,
        accessibility_query.group,
        state.atlas.population_model(),
        supply::note(&state.atlas, &supply, Figures::Scores),
    );
    if format == Format::Json {
        return geojson(&collection);
    }
    Reply::table(&export::accessibility_table(state, &accessibility_query, &collection), format)
}

/// Parameters of `/site-suggestions`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SiteParams {
    /// One kind id.
    #[param(value_type = schemas::OneKind, inline)]
    kind: Option<String>,
    /// Reach of a new facility in metres.
    #[param(value_type = schemas::Radius, inline)]
    radius_m: Option<String>,
    /// How many sites (default 3).
    #[param(value_type = Option<schemas::SiteCount>, inline)]
    n: Option<String>,
    /// A study-area municipality code: candidates are the cells whose centre lies in that town,
    /// and only its residents count (a cell cut by the border counts its part in the town).
    /// The whole study area when absent; a town outside the study area is refused.
    #[param(value_type = Option<schemas::MunicipalityCode>, inline)]
    area: Option<String>,
    /// Whose residents are counted: `total` (default), `aged_65_plus`, `aged_75_plus`,
    /// `aged_85_plus` or `elderly_living_alone` (65+ living alone). A group the population model
    /// in use does not know is refused.
    #[param(value_type = Option<schemas::PopulationGroup>, inline, example = "aged_75_plus")]
    population: Option<String>,
    /// `json` or `geojson` (default, GeoJSON), `csv` (UTF-8 with BOM: condition rows
    /// `条件/condition,<key>,<value>`, a blank row, then the table) or `xlsx` (sheets `data` and
    /// `conditions`). Wins over the `Accept` header (`text/csv`, the workbook's media type).
    #[param(value_type = Option<schemas::ExportFormat>, inline)]
    f: Option<String>,
}

/// Where new facilities of a kind would bring the most residents within reach (greedy maximal
/// covering over quarter-mesh cell centres), in the study area or one town, each site named by
/// its census small area (町丁・字) and town.
#[utoipa::path(tag = "analysis", params(SiteParams), responses((status = 200, description = "GeoJSON, or the sites (one row each, best first) as CSV or a workbook", content((SiteCollection = "application/geo+json"), (String = "text/csv"), (export::FileBody = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = "For CSV and xlsx: `attachment; filename=\"site-suggestions-<kind>-<radius>m.<ext>\"`"))), (status = 400, body = Problem, content_type = "application/problem+json", description = "A parameter is invalid, or `kind` names a kind with no source in the study area (`urn:care-atlas:problem:no-source`): unknown is never answered as zero")))]
#[get("/site-suggestions")]
pub async fn site_suggestions(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Params<SiteParams>,
) -> Result<HttpResponse, ApiError> {
    let format = export_format(&req, query.f.as_deref())?;
    blocking(&req, state, (query.into_inner(), format), site_suggestions_now).await
}

fn site_suggestions_now(
    state: &AppState,
    (q, format): (SiteParams, Format),
) -> Result<Reply, ApiError> {
    let kind = params::one_kind(q.kind.as_deref())?;
    let supply = supply::check(&state.atlas, "kind", &[kind])?;
    let radius_m = params::radius("radius_m", q.radius_m.as_deref())?;
    let n = accepts::site_count().check("n", q.n.as_deref())?.unwrap_or(3);
    let group = params::population_group(&state.atlas, "population", q.population.as_deref())?;
    let town = params::study_area_code(&state.atlas, "area", q.area.as_deref())?;
    let query = SiteQuery { kind, radius_m, n, group, area: town };
    let sites = state.atlas.suggest_sites(&query, &Scenario::default());
    let collection = SiteCollection::of(
        &state.atlas,
        &sites,
        &query,
        supply::note(&state.atlas, &supply, Figures::NewlyCovered),
    );
    if format == Format::Json {
        return geojson(&collection);
    }
    let question = export::SiteQuestion { kind, radius_m, n };
    Reply::table(&export::site_table(state, question, &collection), format)
}

/// Gaps (at 250 m) and E2SFCA accessibility before and after adding or removing facilities of a
/// kind, and the difference; the served snapshot is never changed.
#[utoipa::path(
    tag = "analysis",
    request_body = ScenarioRequest,
    responses(
        (status = 200, description = "JSON, or before, after and difference as CSV or a workbook", content((ScenarioResponse = "application/json"), (String = "text/csv"), (export::FileBody = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = "For CSV and xlsx: `attachment; filename=\"scenario-<kind>-<radius>m.<ext>\"`"))),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "A parameter is invalid, or `kind` names a kind with no source in the study area (`urn:care-atlas:problem:no-source`): unknown is never answered as zero"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
    ),
    params(ScenarioFileParams)
)]
#[post("/scenarios")]
pub async fn scenarios(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Params<ScenarioFileParams>,
    body: web::Json<ScenarioRequest>,
) -> Result<HttpResponse, ApiError> {
    let format = export_format(&req, query.f.as_deref())?;
    blocking(&req, state, (body.into_inner(), format), |state, (body, format)| {
        scenarios_now(state, &body, format)
    })
    .await
}

/// Query parameters of `POST /scenarios`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScenarioFileParams {
    /// `json` (default), `csv` (UTF-8 with BOM: condition rows, a blank row, then one row per
    /// figure with before, after and difference) or `xlsx` (sheets `data` and `conditions`). Wins
    /// over the `Accept` header.
    #[param(value_type = Option<schemas::ExportFormat>, inline)]
    f: Option<String>,
}

fn scenarios_now(
    state: &AppState,
    body: &ScenarioRequest,
    format: Format,
) -> Result<Reply, ApiError> {
    let (query, scenario) = params::scenario(&state.atlas, body)?;
    // The body field `kind` names the kind, as the refusal says.
    let supply = supply::check(&state.atlas, "kind", &[query.kind])?;
    let (completeness, completeness_note) = supply::note(&state.atlas, &supply, Figures::Scenario);
    let comparison = state.atlas.compare_scenario(&query, &scenario);
    let response = ScenarioResponse {
        before: ScenarioState::from(&comparison.before),
        after: ScenarioState::from(&comparison.after),
        difference: ScenarioState::from(&comparison.difference),
        changed_cells: ChangedCells::from(comparison.changed_cells.as_slice()),
        out_of_reach_definition: OutOfReachDefinition::rule(),
        population_basis: PopulationBasis::of(query.group, state.atlas.population_model()),
        completeness,
        completeness_note,
    };
    if format == Format::Json {
        return Reply::json("application/json", &response);
    }
    Reply::table(&export::scenario_table(state, &query, &scenario, &response), format)
}
