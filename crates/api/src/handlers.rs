//! The handlers: extract, check into a core query, call core, convert to a DTO. Each is documented
//! for OpenAPI where it is defined.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use care_atlas_core::{
    AccessibilityQuery, AreaRef, CatchmentMethod, ComparisonQuery, FacilityId, GapQuery,
    GapResolution, MAX_ADDED_CAPACITY, MAX_DISTANCE_RANGE_M, MAX_NEAREST, MAX_SCENARIO_ADDITIONS,
    MAX_SITES, MeshLevel, NearestQuery, NearestQueryError, OriginError, OriginQuery, Scenario,
    ScenarioMetrics, Supply, SupplyWeight,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::dto::{
    AccessibilityCollection, AccessibilityFeature, AccessibilityProperties, AreaCollection,
    AreaFeature, AreaProperties, FacilityProperties, FeatureCollectionType, FeatureType,
    GapCollection, GapFeature, GapProperties, GapSummaryDto, Health, MultiPolygonGeometry,
    NearestCollection, NearestFeature, NearestProperties, Origin, ScenarioRequest,
    ScenarioResponse, ScenarioState, SiteCollection, SiteFeature, SiteProperties, VersionInfo,
};
use crate::params::{self, Lang};
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
    #[param(value_type = Option<f64>, minimum = -90, maximum = 90)]
    lat: Option<String>,
    /// Longitude of the origin, WGS84 degrees (with `lat`).
    #[param(value_type = Option<f64>, minimum = -180, maximum = 180)]
    lon: Option<String>,
    /// A facility id: search from that facility (which is left out of the answer).
    from: Option<String>,
    /// An address in the study area: search from its 大字・町丁目 point.
    address: Option<String>,
    /// Kind ids, comma-separated (all kinds when absent).
    #[param(example = "visiting_nursing_station")]
    kind: Option<String>,
    /// How many facilities, 1 to 100 (default 5).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    k: Option<String>,
    /// Farthest distance in metres, 0 to 100000.
    #[param(value_type = Option<f64>, minimum = 0, maximum = 100000)]
    max_distance_m: Option<String>,
    /// Language of kind labels: `ja` (default) or `en`; else Accept-Language.
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
    query: web::Query<NearestParams>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let q = query;
    let lang = Lang::choose(q.lang.as_deref(), accept_language(&req))?;
    let kinds = params::kinds(q.kind.as_deref())?;
    let k = params::whole("k", q.k.as_deref(), 1..=MAX_NEAREST)?.unwrap_or(5);
    let max = params::number(
        "max_distance_m",
        q.max_distance_m.as_deref(),
        MAX_DISTANCE_RANGE_M,
        " metres",
    )?;
    let query = NearestQuery::new(kinds, k, max).map_err(|e| match e {
        NearestQueryError::K(_) => {
            ApiError::invalid("k", e.to_string(), format!("1 to {MAX_NEAREST}"))
        }
        NearestQueryError::MaxDistance(_) => ApiError::invalid(
            "max_distance_m",
            e.to_string(),
            format!(
                "a number from {} to {} metres",
                MAX_DISTANCE_RANGE_M.start(),
                MAX_DISTANCE_RANGE_M.end()
            ),
        ),
    })?;
    let point = params::position(q.lat.as_deref(), q.lon.as_deref())?;
    let origin = match (point, &q.from, &q.address) {
        (Some(p), None, None) => OriginQuery::Point(p),
        (None, Some(id), None) => OriginQuery::Facility(FacilityId::new(id.clone())),
        (None, None, Some(address)) => OriginQuery::Address(address.clone()),
        _ => {
            return Err(ApiError::Conflict {
                parameter: "lat".into(),
                detail: "give exactly one origin: lat and lon, or from, or address".into(),
            });
        }
    };
    let atlas = &state.atlas;
    let origin = atlas.resolve_origin(&origin).map_err(|e| match e {
        OriginError::UnknownFacility(_) => {
            ApiError::NotFound { parameter: "from".into(), detail: e.to_string() }
        }
        OriginError::UnknownAddress(_) => {
            ApiError::invalid("address", e.to_string(), "an address in 蓮田市, 白岡市 or 宮代町")
        }
    })?;
    let found = atlas.nearest_to(&origin, &query);
    let origin = Origin {
        lat: origin.position.lat(),
        lon: origin.position.lon(),
        precision: origin.precision.id().into(),
        described_as: origin.described_as,
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
    f: Option<String>,
}

fn area_feature(state: &AppState, code: care_atlas_core::MunicipalityCode) -> Option<AreaFeature> {
    let m = state.atlas.municipality(code)?;
    let statistics = state.atlas.area_statistics(AreaRef::Municipality(code))?;
    Some(AreaFeature {
        feature_type: FeatureType::Feature,
        id: code.to_string(),
        geometry: MultiPolygonGeometry::from(&m.boundary),
        properties: AreaProperties::of(
            &statistics,
            code.to_string(),
            Some(m.name.clone()),
            "municipality",
        ),
    })
}

/// Every municipality: the study area's three towns with statistics per kind, and the neighbours
/// within 10 km, marked as such and without per-kind statistics.
#[utoipa::path(tag = "areas", params(AreaParams), responses((status = 200, body = AreaCollection, content_type = "application/geo+json"), (status = 400, body = Problem, content_type = "application/problem+json")))]
#[get("/areas")]
pub async fn areas(
    state: web::Data<AppState>,
    query: web::Query<AreaParams>,
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
    params(("code" = String, Path, description = "Municipality code, e.g. 11238"), AreaParams),
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
    query: web::Query<AreaParams>,
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
    query: web::Query<AreaParams>,
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
    geojson(&AreaFeature {
        feature_type: FeatureType::Feature,
        id: cell.to_string(),
        geometry: MultiPolygonGeometry::from(&cell.polygon()),
        properties: AreaProperties::of(&statistics, cell.to_string(), None, "mesh"),
    })
}

/// Parameters of `/coverage-gaps`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GapParams {
    /// Kind ids, comma-separated (all kinds when absent).
    kind: Option<String>,
    /// Reach of a facility in metres, 100 to 30000.
    #[param(value_type = f64, minimum = 100, maximum = 30000)]
    radius_m: Option<String>,
    /// A study-area municipality code (all three when absent).
    area: Option<String>,
    /// `polygon` (default), `mesh1000`, `mesh500` or `mesh250`.
    resolution: Option<String>,
}

fn study_area_code(
    state: &AppState,
    text: Option<&str>,
) -> Result<Option<care_atlas_core::MunicipalityCode>, ApiError> {
    let Some(text) = text else { return Ok(None) };
    let code = params::municipality_code("area", text)?;
    if state.atlas.study_area().any(|m| m.code == code) {
        Ok(Some(code))
    } else {
        Err(ApiError::invalid(
            "area",
            format!("{code} is not in the study area"),
            "11238, 11246 or 11442",
        ))
    }
}

/// Where people in the study area live farther than a radius from every facility of the kinds,
/// counting facilities in neighbouring municipalities too.
#[utoipa::path(tag = "analysis", params(GapParams), responses((status = 200, body = GapCollection, content_type = "application/geo+json"), (status = 400, body = Problem, content_type = "application/problem+json")))]
#[get("/coverage-gaps")]
pub async fn coverage_gaps(
    state: web::Data<AppState>,
    query: web::Query<GapParams>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let query = query.into_inner();
    blocking(move || coverage_gaps_now(&state, query)).await
}

fn coverage_gaps_now(state: &AppState, query: GapParams) -> Result<Reply, ApiError> {
    let q = query;
    let kinds = params::kinds(q.kind.as_deref())?;
    let radius_m = params::radius("radius_m", q.radius_m.as_deref())?;
    let municipality = study_area_code(state, q.area.as_deref())?;
    let resolution = match q.resolution.as_deref() {
        None | Some("polygon") => GapResolution::Polygon,
        Some(other) => {
            GapResolution::Mesh(params::mesh_resolution("resolution", other).map_err(|_| {
                ApiError::invalid(
                    "resolution",
                    format!("`{other}` is not a resolution"),
                    "polygon, mesh1000, mesh500 or mesh250",
                )
            })?)
        }
    };
    let gaps = state.atlas.coverage_gaps(
        &GapQuery { kinds, radius_m, area: municipality, resolution },
        &Scenario::default(),
    );
    let polygons = gaps.polygons.iter().map(|g| GapFeature {
        feature_type: FeatureType::Feature,
        id: g.municipality_code.to_string(),
        geometry: MultiPolygonGeometry::from(&g.gap),
        properties: GapProperties {
            municipality_code: Some(g.municipality_code.to_string()),
            mesh_code: None,
            population: g.population_uncovered,
            area_km2: g.gap_area_km2,
            nearest_distance_m: None,
            covered: None,
        },
    });
    let cells = gaps.cells.iter().map(|c| GapFeature {
        feature_type: FeatureType::Feature,
        id: c.code.to_string(),
        geometry: MultiPolygonGeometry::from(&c.code.polygon()),
        properties: GapProperties {
            municipality_code: None,
            mesh_code: Some(c.code.to_string()),
            population: c.population,
            area_km2: c.area_km2,
            nearest_distance_m: c.nearest_distance_m.map(|d| (d * 100.0).round() / 100.0),
            covered: Some(c.covered),
        },
    });
    geojson(&GapCollection {
        collection_type: FeatureCollectionType::FeatureCollection,
        features: polygons.chain(cells).collect(),
        summary: gaps.summary.iter().map(GapSummaryDto::from).collect(),
        population_method: state.atlas.population_model().method().into(),
    })
}

/// Parameters of `/accessibility`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccessibilityParams {
    /// Kind ids, comma-separated (all kinds when absent).
    kind: Option<String>,
    /// `2sfca` or `e2sfca` (default).
    method: Option<String>,
    /// Catchment in metres, 100 to 30000.
    #[param(value_type = f64, minimum = 100, maximum = 30000)]
    catchment_m: Option<String>,
    /// `mesh1000`, `mesh500` (default) or `mesh250`.
    resolution: Option<String>,
}

fn method(text: Option<&str>) -> Result<CatchmentMethod, ApiError> {
    match text {
        None | Some("e2sfca") => Ok(CatchmentMethod::Enhanced),
        Some("2sfca") => Ok(CatchmentMethod::TwoStep),
        Some(other) => Err(ApiError::invalid(
            "method",
            format!("`{other}` is not a method"),
            "2sfca or e2sfca",
        )),
    }
}

/// Two-step floating catchment accessibility (2SFCA or E2SFCA) per study-area mesh cell.
#[utoipa::path(tag = "analysis", params(AccessibilityParams), responses((status = 200, body = AccessibilityCollection, content_type = "application/geo+json"), (status = 400, body = Problem, content_type = "application/problem+json")))]
#[get("/accessibility")]
pub async fn accessibility(
    state: web::Data<AppState>,
    query: web::Query<AccessibilityParams>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let query = query.into_inner();
    blocking(move || accessibility_now(&state, query)).await
}

fn accessibility_now(state: &AppState, query: AccessibilityParams) -> Result<Reply, ApiError> {
    let q = query;
    let kinds = params::kinds(q.kind.as_deref())?;
    let method = method(q.method.as_deref())?;
    let catchment_m = params::radius("catchment_m", q.catchment_m.as_deref())?;
    let level = q
        .resolution
        .as_deref()
        .map_or(Ok(MeshLevel::Half), |r| params::mesh_resolution("resolution", r))?;
    let scores = state.atlas.accessibility(
        &AccessibilityQuery { kinds, method, catchment_m, level, weight: SupplyWeight::Count },
        &Scenario::default(),
    );
    let features = scores
        .iter()
        .map(|s| AccessibilityFeature {
            feature_type: FeatureType::Feature,
            id: s.code.to_string(),
            geometry: MultiPolygonGeometry::from(&s.code.polygon()),
            properties: AccessibilityProperties {
                mesh_code: s.code.to_string(),
                population: s.population,
                score_raw: s.raw,
                score_normalised: s.normalised,
            },
        })
        .collect();
    geojson(&AccessibilityCollection {
        collection_type: FeatureCollectionType::FeatureCollection,
        features,
        method: if method == CatchmentMethod::Enhanced { "e2sfca" } else { "2sfca" }.into(),
        method_notes: vec![
            "supply: 1 per facility; demand: residents per mesh cell; distances geodesic (WGS84)".into(),
            format!("study-area population: {}", state.atlas.population_model().method()),
            format!("border demand: {}", state.atlas.population_model().ring_method()),
            "normalised: raw score divided by the population-weighted mean over all demand cells, as PySAL access does".into(),
        ],
    })
}

/// Parameters of `/site-suggestions`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SiteParams {
    /// One kind id.
    kind: Option<String>,
    /// Reach of a new facility in metres, 100 to 30000.
    #[param(value_type = f64, minimum = 100, maximum = 30000)]
    radius_m: Option<String>,
    /// How many sites, 1 to 20 (default 3).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 20)]
    n: Option<String>,
}

/// Where new facilities of a kind would bring the most residents within reach (greedy maximal
/// covering over quarter-mesh cell centres).
#[utoipa::path(tag = "analysis", params(SiteParams), responses((status = 200, body = SiteCollection, content_type = "application/geo+json"), (status = 400, body = Problem, content_type = "application/problem+json")))]
#[get("/site-suggestions")]
pub async fn site_suggestions(
    state: web::Data<AppState>,
    query: web::Query<SiteParams>,
) -> Result<HttpResponse, ApiError> {
    let state = state.into_inner();
    let query = query.into_inner();
    blocking(move || site_suggestions_now(&state, query)).await
}

fn site_suggestions_now(state: &AppState, query: SiteParams) -> Result<Reply, ApiError> {
    let q = query;
    let kind = params::one_kind(q.kind.as_deref())?;
    let radius_m = params::radius("radius_m", q.radius_m.as_deref())?;
    let n = params::whole("n", q.n.as_deref(), 1..=MAX_SITES)?.unwrap_or(3);
    let sites = state.atlas.suggest_sites(kind, radius_m, n, &Scenario::default());
    let features = sites
        .iter()
        .map(|s| SiteFeature {
            feature_type: FeatureType::Feature,
            id: s.cell.to_string(),
            geometry: s.position.into(),
            properties: SiteProperties {
                rank: s.rank,
                mesh_code: s.cell.to_string(),
                newly_covered_population: s.newly_covered_population,
            },
        })
        .collect();
    geojson(&SiteCollection { collection_type: FeatureCollectionType::FeatureCollection, features })
}

fn scenario_state(metrics: &ScenarioMetrics) -> ScenarioState {
    ScenarioState {
        gaps: metrics.gaps.iter().map(GapSummaryDto::from).collect(),
        population_uncovered: metrics.population_uncovered,
        mean_accessibility: metrics.mean_accessibility,
        population_without_access: metrics.population_without_access,
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
    if request.add.len() > MAX_SCENARIO_ADDITIONS {
        return Err(ApiError::invalid(
            "add",
            format!("{} facilities", request.add.len()),
            format!("at most {MAX_SCENARIO_ADDITIONS} facilities"),
        ));
    }
    let mut add = Vec::with_capacity(request.add.len());
    for (i, a) in request.add.iter().enumerate() {
        let name = format!("add[{i}]");
        let position = care_atlas_core::Position::new(a.lat, a.lon)
            .map_err(|e| ApiError::invalid(&name, e.to_string(), "lat -90..90, lon -180..180"))?;
        let capacity = a.capacity.unwrap_or(1.0);
        if !(capacity.is_finite() && capacity > 0.0 && capacity <= MAX_ADDED_CAPACITY) {
            return Err(ApiError::invalid(
                &format!("{name}.capacity"),
                format!("{capacity}"),
                format!("a number above 0 and up to {MAX_ADDED_CAPACITY}"),
            ));
        }
        add.push(Supply { position, capacity });
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
    let comparison = state.atlas.compare_scenario(
        &ComparisonQuery { kind, radius_m, catchment_m },
        &Scenario { add, remove },
    );
    Reply::json(
        "application/json",
        &ScenarioResponse {
            before: scenario_state(&comparison.before),
            after: scenario_state(&comparison.after),
            difference: scenario_state(&comparison.difference),
        },
    )
}
