//! The handlers: extract, check into a core query, call core, convert to a DTO. Each is documented
//! for OpenAPI where it is defined.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use care_atlas_core::{
    AccessibilityQuery, AddedFacility, AreaRef, CatchmentMethod, FacilityId, GapQuery,
    GapResolution, MAX_NEAREST, MeshLevel, NearestQuery, Scenario, SupplyWeight,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::accepts::{self, schemas};
use crate::dto::{
    AccessibilityCollection, AreaCollection, AreaFeature, FacilityProperties,
    FeatureCollectionType, FeatureType, GapCollection, GapSummaryDto, Health, NearestCollection,
    NearestFeature, NearestProperties, Origin, ScenarioRequest, ScenarioResponse, ScenarioState,
    SiteCollection, VersionInfo,
};
use crate::params::{self, Lang};
use crate::query::Params;
use crate::{ApiError, AppState, Problem};

const GEO_JSON: &str = "application/geo+json";

/// Runs CPU-bound work on the blocking pool, so that the workers keep accepting requests.
async fn blocking(
    work: impl FnOnce() -> Result<Reply, ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    web::block(work).await.map_err(|_| ApiError::Internal)?.map(Reply::into_response)
}

/// A response body made off the workers: its content type and JSON bytes.
pub struct Reply {
    content_type: &'static str,
    body: Vec<u8>,
}

impl Reply {
    fn json<T: serde::Serialize>(content_type: &'static str, body: &T) -> Result<Self, ApiError> {
        Ok(Reply { content_type, body: serde_json::to_vec(body).map_err(|_| ApiError::Internal)? })
    }

    fn into_response(self) -> HttpResponse {
        HttpResponse::Ok().content_type(self.content_type).body(self.body)
    }
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

/// Parameters of `/nearest`: an origin (`lat` and `lon`, or `from`, or `address`) and what to find.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NearestParams {
    /// Latitude of the origin, WGS84 degrees (with `lon`).
    #[param(value_type = Option<schemas::Latitude>, inline)]
    lat: Option<String>,
    /// Longitude of the origin, WGS84 degrees (with `lat`).
    #[param(value_type = Option<schemas::Longitude>, inline)]
    lon: Option<String>,
    /// A facility id: search from that facility (which is left out of the answer).
    from: Option<String>,
    /// An address in the study area: search from its 大字・町丁目 point.
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
        (status = 400, body = Problem, content_type = "application/problem+json"),
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
    let k = params::whole("k", q.k.as_deref(), 1..=MAX_NEAREST)?.unwrap_or(5);
    let max =
        params::number("max_distance_m", q.max_distance_m.as_deref(), 0.0..=100_000.0, " metres")?;
    let query = NearestQuery::new(kinds, k, max)
        .map_err(|e| ApiError::invalid("k", e.to_string(), "1 to 100"))?;
    let point = params::position(q.lat.as_deref(), q.lon.as_deref())?;
    let atlas = &state.atlas;
    let given =
        [point.is_some(), q.from.is_some(), q.address.is_some()].iter().filter(|g| **g).count();
    if given != 1 {
        return Err(ApiError::Conflict {
            parameter: "lat".into(),
            detail: "give exactly one origin: lat and lon, or from, or address".into(),
        });
    }
    let (origin, found) = if let Some(p) = point {
        (
            Origin { lat: p.lat(), lon: p.lon(), precision: "exact".into(), described_as: None },
            atlas.nearest_services(p, &query),
        )
    } else if let Some(id) = &q.from {
        let id = FacilityId::new(id.clone());
        let facility = atlas.facility(&id).ok_or_else(|| ApiError::NotFound {
            parameter: "from".into(),
            detail: format!("no facility has the id `{id}`"),
        })?;
        let p = facility.position;
        let found = atlas.nearest_services_from(&id, &query).unwrap_or_default();
        (
            Origin {
                lat: p.lat(),
                lon: p.lon(),
                precision: "facility".into(),
                described_as: Some(facility.name.clone()),
            },
            found,
        )
    } else {
        let address = q.address.as_deref().unwrap_or_default();
        let located = atlas.locate_address(address).ok_or_else(|| {
            ApiError::invalid(
                "address",
                format!("`{address}` names no 大字・町丁目 the gazetteer knows"),
                format!("an address in {}", params::study_area_names(atlas, ", ")),
            )
        })?;
        let precision = if located.mean_of_chome.is_some() { "town_mean_of_chome" } else { "town" };
        let p = located.position;
        (
            Origin {
                lat: p.lat(),
                lon: p.lon(),
                precision: precision.into(),
                described_as: Some(located.town),
            },
            atlas.nearest_services(p, &query),
        )
    };
    let features: Vec<NearestFeature> = found
        .iter()
        .map(|n| NearestFeature {
            feature_type: FeatureType::Feature,
            id: n.facility.id.to_string(),
            geometry: n.facility.position.into(),
            properties: NearestProperties {
                facility: FacilityProperties::of(n.facility, lang),
                distance_m: (n.distance_m * 100.0).round() / 100.0,
                rank: n.rank,
            },
        })
        .collect();
    geojson(&NearestCollection {
        collection_type: FeatureCollectionType::FeatureCollection,
        number_returned: features.len(),
        features,
        origin,
    })
    .map(Reply::into_response)
}

/// Parameters of the area endpoints.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AreaParams {
    /// `json` (the only format offered).
    #[param(value_type = Option<schemas::Format>, inline)]
    f: Option<String>,
}

fn area_feature(state: &AppState, code: care_atlas_core::MunicipalityCode) -> Option<AreaFeature> {
    let m = state.atlas.municipality(code)?;
    let statistics = state.atlas.area_statistics(AreaRef::Municipality(code))?;
    Some(AreaFeature::municipality(m, &statistics))
}

/// Every municipality: those of the study area with statistics per kind, and the neighbours within
/// 10 km, marked as such and without per-kind statistics.
#[utoipa::path(tag = "areas", params(AreaParams), responses((status = 200, body = AreaCollection, content_type = "application/geo+json"), (status = 400, body = Problem, content_type = "application/problem+json")))]
#[get("/areas")]
pub async fn areas(
    state: web::Data<AppState>,
    query: Params<AreaParams>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let query = query.into_inner();
    blocking(move || areas_now(&state, &query)).await
}

fn areas_now(state: &AppState, query: &AreaParams) -> Result<Reply, ApiError> {
    params::json_format(query.f.as_deref())?;
    let features =
        state.atlas.municipalities().iter().filter_map(|m| area_feature(state, m.code)).collect();
    geojson(&AreaCollection { collection_type: FeatureCollectionType::FeatureCollection, features })
}

/// One municipality.
#[utoipa::path(
    tag = "areas",
    params(("code" = String, Path, description = "A five-digit municipality code (全国地方公共団体コード)"), AreaParams),
    responses(
        (status = 200, body = AreaFeature, content_type = "application/geo+json"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/areas/{code}")]
pub async fn area(
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: Params<AreaParams>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let code = code.into_inner();
    let query = query.into_inner();
    blocking(move || area_now(&state, &code, &query)).await
}

fn area_now(state: &AppState, code: &str, query: &AreaParams) -> Result<Reply, ApiError> {
    params::json_format(query.f.as_deref())?;
    let code = params::municipality_code("code", code)?;
    let feature = area_feature(state, code).ok_or_else(|| ApiError::NotFound {
        parameter: "code".into(),
        detail: format!("no municipality {code} is mapped"),
    })?;
    geojson(&feature)
}

/// One JIS mesh cell that touches the study area, with its estimated population and statistics.
#[utoipa::path(
    tag = "areas",
    params(("meshcode" = String, Path, description = "JIS X 0410 mesh code, 4 to 10 digits"), AreaParams),
    responses(
        (status = 200, body = AreaFeature, content_type = "application/geo+json"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/mesh/{meshcode}")]
pub async fn mesh(
    state: web::Data<AppState>,
    code: web::Path<String>,
    query: Params<AreaParams>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let code = code.into_inner();
    let query = query.into_inner();
    blocking(move || mesh_now(&state, &code, &query)).await
}

fn mesh_now(state: &AppState, code: &str, query: &AreaParams) -> Result<Reply, ApiError> {
    params::json_format(query.f.as_deref())?;
    let cell = params::mesh_code("meshcode", code)?;
    let statistics =
        state.atlas.area_statistics(AreaRef::Mesh(cell)).ok_or_else(|| ApiError::NotFound {
            parameter: "meshcode".into(),
            detail: format!("mesh cell {cell} does not touch the study area"),
        })?;
    geojson(&AreaFeature::mesh(cell, &statistics))
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
    /// A study-area municipality code (every study-area municipality when absent).
    area: Option<String>,
    /// `polygon` (default) or a mesh resolution.
    #[param(value_type = Option<schemas::GapResolution>, inline)]
    resolution: Option<String>,
}

/// Where people in the study area live farther than a radius from every facility of the kinds,
/// counting facilities in neighbouring municipalities too.
#[utoipa::path(tag = "analysis", params(GapParams), responses((status = 200, body = GapCollection, content_type = "application/geo+json"), (status = 400, body = Problem, content_type = "application/problem+json")))]
#[get("/coverage-gaps")]
pub async fn coverage_gaps(
    state: web::Data<AppState>,
    query: Params<GapParams>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let query = query.into_inner();
    blocking(move || coverage_gaps_now(&state, query)).await
}

fn coverage_gaps_now(state: &AppState, query: GapParams) -> Result<Reply, ApiError> {
    let q = query;
    let gap_query = GapQuery {
        kinds: params::kinds(q.kind.as_deref())?,
        radius_m: params::radius("radius_m", q.radius_m.as_deref())?,
        area: params::study_area_code(&state.atlas, "area", q.area.as_deref())?,
        resolution: params::gap_resolution("resolution", q.resolution.as_deref())?,
    };
    let gaps = state.atlas.coverage_gaps(&gap_query, &Scenario::default());
    geojson(&GapCollection::from(&gaps))
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
}

/// Two-step floating catchment accessibility (2SFCA or E2SFCA) per study-area mesh cell.
#[utoipa::path(tag = "analysis", params(AccessibilityParams), responses((status = 200, body = AccessibilityCollection, content_type = "application/geo+json"), (status = 400, body = Problem, content_type = "application/problem+json")))]
#[get("/accessibility")]
pub async fn accessibility(
    state: web::Data<AppState>,
    query: Params<AccessibilityParams>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let query = query.into_inner();
    blocking(move || accessibility_now(&state, query)).await
}

fn accessibility_now(state: &AppState, query: AccessibilityParams) -> Result<Reply, ApiError> {
    let q = query;
    let accessibility_query = AccessibilityQuery {
        kinds: params::kinds(q.kind.as_deref())?,
        method: params::method("method", q.method.as_deref(), CatchmentMethod::Enhanced)?,
        catchment_m: params::radius("catchment_m", q.catchment_m.as_deref())?,
        level: params::grid_resolution("resolution", q.resolution.as_deref(), MeshLevel::Half)?,
        weight: SupplyWeight::Count,
    };
    let scores = state.atlas.accessibility(&accessibility_query, &Scenario::default());
    geojson(&AccessibilityCollection::of(&scores, accessibility_query.method))
}

/// Parameters of `/site-suggestions`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SiteParams {
    /// One kind id.
    #[param(value_type = Option<schemas::OneKind>, inline)]
    kind: Option<String>,
    /// Reach of a new facility in metres.
    #[param(value_type = schemas::Radius, inline)]
    radius_m: Option<String>,
    /// How many sites (default 3).
    #[param(value_type = Option<schemas::SiteCount>, inline)]
    n: Option<String>,
}

/// Where new facilities of a kind would bring the most residents within reach (greedy maximal
/// covering over quarter-mesh cell centres).
#[utoipa::path(tag = "analysis", params(SiteParams), responses((status = 200, body = SiteCollection, content_type = "application/geo+json"), (status = 400, body = Problem, content_type = "application/problem+json")))]
#[get("/site-suggestions")]
pub async fn site_suggestions(
    state: web::Data<AppState>,
    query: Params<SiteParams>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let query = query.into_inner();
    blocking(move || site_suggestions_now(&state, query)).await
}

fn site_suggestions_now(state: &AppState, query: SiteParams) -> Result<Reply, ApiError> {
    let q = query;
    let kind = params::one_kind(q.kind.as_deref())?;
    let radius_m = params::radius("radius_m", q.radius_m.as_deref())?;
    let n = accepts::site_count().check("n", q.n.as_deref())?.unwrap_or(3);
    let sites = state.atlas.suggest_sites(kind, radius_m, n, &Scenario::default());
    geojson(&SiteCollection::from(sites.as_slice()))
}

fn scenario_state(
    state: &AppState,
    kind: care_atlas_core::FacilityKind,
    radius_m: f64,
    catchment_m: f64,
    scenario: &Scenario,
) -> ScenarioState {
    let gaps = state.atlas.coverage_gaps(
        &GapQuery {
            kinds: vec![kind],
            radius_m,
            area: None,
            resolution: GapResolution::Mesh(MeshLevel::Quarter),
        },
        scenario,
    );
    let scores = state.atlas.accessibility(
        &AccessibilityQuery {
            kinds: vec![kind],
            method: CatchmentMethod::Enhanced,
            catchment_m,
            level: MeshLevel::Quarter,
            weight: SupplyWeight::Count,
        },
        scenario,
    );
    let population: f64 = scores.iter().map(|s| s.population).sum();
    let weighted: f64 = scores.iter().map(|s| s.population * s.raw).sum();
    ScenarioState {
        population_uncovered: gaps.summary.iter().map(|s| s.population_uncovered).sum(),
        gaps: gaps.summary.iter().map(GapSummaryDto::from).collect(),
        mean_accessibility: if population > 0.0 { weighted / population } else { 0.0 },
        population_without_access: scores
            .iter()
            .filter(|s| s.raw == 0.0)
            .map(|s| s.population)
            .sum(),
    }
}

/// Gaps (at 250 m) and E2SFCA accessibility before and after adding or removing facilities of a
/// kind, and the difference; the served snapshot is never changed.
#[utoipa::path(
    tag = "analysis",
    request_body = ScenarioRequest,
    responses(
        (status = 200, body = ScenarioResponse),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/scenarios")]
pub async fn scenarios(
    state: web::Data<AppState>,
    body: web::Json<ScenarioRequest>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let body = body.into_inner();
    blocking(move || scenarios_now(&state, body)).await
}

fn scenarios_now(state: &AppState, body: ScenarioRequest) -> Result<Reply, ApiError> {
    let request = body;
    let kind = params::one_kind(Some(&request.kind))?;
    let radius_m = params::radius("radius_m", Some(&request.radius_m.to_string()))?;
    let catchment_m =
        params::radius("catchment_m", Some(&request.catchment_m.unwrap_or(radius_m).to_string()))?;
    if request.add.len() > 100 {
        return Err(ApiError::invalid(
            "add",
            format!("{} facilities", request.add.len()),
            "at most 100 facilities",
        ));
    }
    let mut add = Vec::with_capacity(request.add.len());
    for (i, a) in request.add.iter().enumerate() {
        let name = format!("add[{i}]");
        let position = care_atlas_core::Position::new(a.lat, a.lon)
            .map_err(|e| ApiError::invalid(&name, e.to_string(), "lat -90..90, lon -180..180"))?;
        let capacity = a.capacity.unwrap_or(1.0);
        if !(capacity.is_finite() && capacity > 0.0 && capacity <= 10_000.0) {
            return Err(ApiError::invalid(
                &format!("{name}.capacity"),
                format!("{capacity}"),
                "a number above 0 and up to 10000",
            ));
        }
        add.push(AddedFacility { position, capacity });
    }
    let mut remove = Vec::with_capacity(request.remove.len());
    for (i, id) in request.remove.iter().enumerate() {
        let id = FacilityId::new(id.clone());
        if state.atlas.facility(&id).is_none() {
            return Err(ApiError::invalid(
                &format!("remove[{i}]"),
                format!("no facility has the id `{id}`"),
                "ids of existing facilities",
            ));
        }
        remove.push(id);
    }
    let before = scenario_state(state, kind, radius_m, catchment_m, &Scenario::default());
    let after = scenario_state(state, kind, radius_m, catchment_m, &Scenario { add, remove });
    let difference = ScenarioState {
        gaps: after
            .gaps
            .iter()
            .zip(&before.gaps)
            .map(|(a, b)| GapSummaryDto {
                municipality_code: a.municipality_code.clone(),
                population_total: a.population_total - b.population_total,
                population_uncovered: a.population_uncovered - b.population_uncovered,
                area_km2: a.area_km2 - b.area_km2,
                area_uncovered_km2: a.area_uncovered_km2 - b.area_uncovered_km2,
            })
            .collect(),
        population_uncovered: after.population_uncovered - before.population_uncovered,
        mean_accessibility: after.mean_accessibility - before.mean_accessibility,
        population_without_access: after.population_without_access
            - before.population_without_access,
    };
    Reply::json("application/json", &ScenarioResponse { before, after, difference })
}
