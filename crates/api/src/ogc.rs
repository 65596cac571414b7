//! OGC API - Features Part 1 (Core, GeoJSON, OpenAPI 3.0 conformance classes), so that QGIS and
//! GDAL's OAPIF driver read care-atlas as a feature server: a landing page, conformance, three
//! collections (facilities, municipalities, small areas) and their items with `bbox`, `limit`,
//! `offset` behind `next`/`prev` links, exact `numberMatched`, and the `kind` and `municipality`
//! filters.

use actix_web::{HttpRequest, HttpResponse, get, web};
use care_atlas_core::{Atlas, FacilityFilter, MAX_PAGE_SIZE, PopulationGroup, Position};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accepts::{self, Accepts, schemas};
use crate::dto::{
    AreaProperties, FacilityProperties, FeatureCollectionType, FeatureType, MultiPolygonGeometry,
    PointGeometry,
};
use crate::export::{self, Format};
use crate::params::{self, Lang};
use crate::query::Params;
use crate::{ApiError, AppState, Problem};

/// The one CRS offered, OGC's CRS84 (WGS84 longitude, latitude).
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// A link.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Link {
    /// Target.
    pub href: String,
    /// Relation (`self`, `next`, `items`, …).
    pub rel: String,
    /// Media type of the target.
    #[serde(rename = "type")]
    pub media_type: String,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

fn link(href: impl Into<String>, rel: &str, media_type: &str, title: Option<&str>) -> Link {
    Link {
        href: href.into(),
        rel: rel.into(),
        media_type: media_type.into(),
        title: title.map(Into::into),
    }
}

/// The landing page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LandingPage {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Links to the API definition, conformance and collections.
    pub links: Vec<Link>,
}

/// The conformance classes implemented.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Conformance {
    /// Conformance class URIs.
    #[serde(rename = "conformsTo")]
    pub conforms_to: Vec<String>,
}

/// A spatial extent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpatialExtent {
    /// `[[west, south, east, north]]`.
    pub bbox: Vec<[f64; 4]>,
    /// CRS84.
    pub crs: String,
}

/// An extent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Extent {
    /// The spatial extent.
    pub spatial: SpatialExtent,
}

/// A collection.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Collection {
    /// Id (`facilities`, `municipalities`, `small-areas`).
    pub id: String,
    /// Title.
    pub title: String,
    /// What it holds and how complete it is.
    pub description: String,
    /// Its extent.
    pub extent: Extent,
    /// `feature`.
    #[serde(rename = "itemType")]
    pub item_type: String,
    /// CRS of the items.
    pub crs: Vec<String>,
    /// Links to itself and its items.
    pub links: Vec<Link>,
}

/// The collections.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Collections {
    /// Links.
    pub links: Vec<Link>,
    /// The collections.
    pub collections: Vec<Collection>,
}

/// A census small area as an item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SmallAreaProperties {
    /// e-Stat KEY_CODE.
    pub key_code: String,
    /// Piece of a split area (`E1`, `E2`, …), if split.
    pub piece: Option<String>,
    /// Name.
    pub name: String,
    /// Municipality code.
    pub municipality_code: String,
    /// 2020 census population (on the first piece only).
    pub population: u32,
    /// 2020 census households.
    pub households: u32,
    /// Area in m² (e-Stat).
    pub area_m2: f64,
}

/// An item's geometry: a point (facilities, small areas' representative points) or a
/// multipolygon (municipalities).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ItemGeometry {
    /// A point.
    Point(PointGeometry),
    /// A multipolygon.
    MultiPolygon(MultiPolygonGeometry),
}

/// An item's properties.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ItemProperties {
    /// A facility.
    Facility(Box<FacilityProperties>),
    /// A municipality.
    Municipality(Box<AreaProperties>),
    /// A census small area.
    SmallArea(SmallAreaProperties),
}

/// An item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Item {
    /// `Feature`.
    #[serde(rename = "type")]
    pub feature_type: FeatureType,
    /// Id within the collection.
    pub id: String,
    /// Geometry.
    pub geometry: ItemGeometry,
    /// Properties.
    pub properties: ItemProperties,
    /// Links (on single items).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<Link>>,
}

/// A page of items.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Items {
    /// `FeatureCollection`.
    #[serde(rename = "type")]
    pub collection_type: FeatureCollectionType,
    /// The items of this page.
    pub features: Vec<Item>,
    /// Items matching the query in all pages.
    #[serde(rename = "numberMatched")]
    pub number_matched: usize,
    /// Items on this page.
    #[serde(rename = "numberReturned")]
    pub number_returned: usize,
    /// `self`, `next`, `prev` and, for facilities, `alternate` links to the same selection as a
    /// CSV and as a workbook.
    pub links: Vec<Link>,
}

/// A format parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// `json` (the only format offered).
    #[param(value_type = Option<schemas::Format>, inline)]
    f: Option<String>,
}

/// Parameters of an items page.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ItemsParams {
    /// `west,south,east,north` in CRS84 degrees.
    #[param(value_type = Option<schemas::Bbox>, inline, style = Form, explode = false)]
    bbox: Option<String>,
    /// CRS of `bbox`: CRS84 only.
    #[serde(rename = "bbox-crs")]
    #[param(rename = "bbox-crs", value_type = Option<schemas::Crs>, inline)]
    bbox_crs: Option<String>,
    /// CRS of the response: CRS84 only.
    #[param(value_type = Option<schemas::Crs>, inline)]
    crs: Option<String>,
    /// Items per page (default 10).
    #[param(value_type = Option<schemas::PageSize>, inline)]
    limit: Option<String>,
    /// Items to skip (follow the `next` link rather than writing it).
    #[param(value_type = Option<schemas::PageOffset>, inline)]
    offset: Option<String>,
    /// Facilities of these kinds, comma-separated (facilities only).
    #[param(value_type = Option<schemas::KindList>, inline)]
    kind: Option<String>,
    /// Items in this municipality (code).
    #[param(value_type = Option<schemas::MunicipalityCode>, inline)]
    municipality: Option<String>,
    /// `json` or `geojson` (default), or for facilities `csv` (UTF-8 with BOM: condition rows
    /// `条件/condition,<key>,<value>`, a blank row, then one row per facility with every property)
    /// or `xlsx` (sheets `data` and `conditions`); a file holds every facility matched unless
    /// `limit` is given. Wins over the `Accept` header (`text/csv`, the workbook's media type).
    #[param(value_type = Option<schemas::ExportFormat>, inline)]
    f: Option<String>,
    /// Language of kind labels: `ja` or `en`.
    #[param(value_type = Option<schemas::Lang>, inline)]
    lang: Option<String>,
}

fn base_url(req: &HttpRequest) -> String {
    crate::guard::base_url(req)
}

fn json<T: Serialize>(content_type: &str, body: &T) -> HttpResponse {
    HttpResponse::Ok().content_type(content_type.to_owned()).json(body)
}

/// The landing page.
#[utoipa::path(tag = "features", params(FormatParams), responses((status = 200, body = LandingPage), (status = 400, body = Problem, content_type = "application/problem+json")))]
#[get("/")]
pub async fn landing(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: Params<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    params::json_format(query.f.as_deref())?;
    let base = base_url(&req);
    let towns = params::study_area_names(&state.atlas, "・");
    Ok(json(
        "application/json",
        &LandingPage {
            title: "care-atlas".into(),
            description: format!(
                "Home-care and medical resources around {towns} as OGC API - Features"
            ),
            links: vec![
                link(format!("{base}/"), "self", "application/json", Some("this document")),
                link(
                    format!("{base}/openapi.json"),
                    "service-desc",
                    "application/vnd.oai.openapi+json;version=3.1",
                    Some("the API definition"),
                ),
                link(
                    format!("{base}/docs/"),
                    "service-doc",
                    "text/html",
                    Some("the API documentation"),
                ),
                link(
                    format!("{base}/conformance"),
                    "conformance",
                    "application/json",
                    Some("conformance classes"),
                ),
                link(
                    format!("{base}/collections"),
                    "data",
                    "application/json",
                    Some("the collections"),
                ),
            ],
        },
    ))
}

/// The conformance classes implemented.
#[utoipa::path(tag = "features", params(FormatParams), responses((status = 200, body = Conformance), (status = 400, body = Problem, content_type = "application/problem+json")))]
#[get("/conformance")]
pub async fn conformance(query: Params<FormatParams>) -> Result<HttpResponse, ApiError> {
    params::json_format(query.f.as_deref())?;
    Ok(json(
        "application/json",
        &Conformance {
            conforms_to: vec![
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core".into(),
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson".into(),
                "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30".into(),
            ],
        },
    ))
}

const COLLECTIONS: [(&str, &str, &str); 3] = [
    (
        "facilities",
        "Facilities",
        "Home-care and medical facilities of the study area and those within 10 km of it; see data/README.md for what each kind covers",
    ),
    (
        "municipalities",
        "Municipalities",
        "The study area's municipalities and those within 10 km, with population and, for the study area, statistics per kind",
    ),
    (
        "small-areas",
        "Census small areas",
        "2020 census 町丁・字 of the study area as representative points with population",
    ),
];

fn extent(atlas: &Atlas) -> Extent {
    let (mut w, mut s, mut e, mut n) =
        (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for m in atlas.municipalities() {
        for polygon in &m.boundary.0 {
            for c in polygon.exterior().coords() {
                w = w.min(c.x);
                e = e.max(c.x);
                s = s.min(c.y);
                n = n.max(c.y);
            }
        }
    }
    let bbox = if w.is_finite() { vec![[w, s, e, n]] } else { Vec::new() };
    Extent { spatial: SpatialExtent { bbox, crs: CRS84.into() } }
}

fn collection(
    base: &str,
    atlas: &Atlas,
    (id, title, description): (&str, &str, &str),
) -> Collection {
    Collection {
        id: id.into(),
        title: title.into(),
        description: description.into(),
        extent: extent(atlas),
        item_type: "feature".into(),
        crs: vec![CRS84.into()],
        links: {
            let mut links = vec![
                link(format!("{base}/collections/{id}"), "self", "application/json", Some(title)),
                link(
                    format!("{base}/collections/{id}/items"),
                    "items",
                    "application/geo+json",
                    Some("the items"),
                ),
            ];
            if id == "facilities" {
                links.extend(file_links(&format!("{base}/collections/{id}/items"), &[]));
            }
            links
        },
    }
}

/// The `alternate` links of the facilities as files (CSV, a workbook) at `items_url`, with the
/// query `pairs` kept: what a GIS or a browser user follows to save the same selection.
fn file_links(items_url: &str, pairs: &[(String, String)]) -> Vec<Link> {
    [(Format::Csv, export::CSV, "as CSV"), (Format::Xlsx, export::XLSX, "as an Excel workbook")]
        .into_iter()
        .map(|(format, media_type, title)| {
            let query = pairs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .chain(std::iter::once(format!("f={}", format.extension())))
                .collect::<Vec<_>>()
                .join("&");
            link(format!("{items_url}?{query}"), "alternate", media_type, Some(title))
        })
        .collect()
}

/// The request's query as its raw (still percent-encoded) pairs, without those named `drop`.
fn query_pairs(req: &HttpRequest, drop: &[&str]) -> Vec<(String, String)> {
    req.query_string()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .filter(|(k, _)| !drop.contains(&k.as_str()))
        .collect()
}

/// The ids of the collections.
#[must_use]
pub fn collection_id() -> crate::accepts::OneOf {
    crate::accepts::OneOf(COLLECTIONS.map(|c| c.0.to_owned()).to_vec())
}

fn known_collection(id: &str) -> Result<(&'static str, &'static str, &'static str), ApiError> {
    COLLECTIONS.into_iter().find(|c| c.0 == id).ok_or_else(|| ApiError::NotFound {
        parameter: "collectionId".into(),
        detail: format!(
            "no collection `{id}`; there are facilities, municipalities and small-areas"
        ),
    })
}

/// The collections.
#[utoipa::path(tag = "features", params(FormatParams), responses((status = 200, body = Collections), (status = 400, body = Problem, content_type = "application/problem+json")))]
#[get("/collections")]
pub async fn collections(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: Params<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    params::json_format(query.f.as_deref())?;
    let base = base_url(&req);
    Ok(json(
        "application/json",
        &Collections {
            links: vec![link(format!("{base}/collections"), "self", "application/json", None)],
            collections: COLLECTIONS
                .into_iter()
                .map(|c| collection(&base, &state.atlas, c))
                .collect(),
        },
    ))
}

/// One collection.
#[utoipa::path(
    tag = "features",
    params(("collectionId" = inline(schemas::CollectionId), Path, description = "facilities, municipalities or small-areas"), FormatParams),
    responses((status = 200, body = Collection), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/collections/{collectionId}")]
pub async fn one_collection(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    query: Params<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    params::json_format(query.f.as_deref())?;
    let known = known_collection(&id)?;
    Ok(json("application/json", &collection(&base_url(&req), &state.atlas, known)))
}

/// A checked bounding box.
fn bbox(text: Option<&str>) -> Result<Option<[f64; 4]>, ApiError> {
    let accepted = crate::accepts::bbox().accepted();
    let accepted = accepted.as_str();
    let Some(text) = text else { return Ok(None) };
    let numbers: Result<Vec<f64>, _> = text.split(',').map(|n| n.trim().parse::<f64>()).collect();
    let Ok(numbers) = numbers else {
        return Err(ApiError::invalid("bbox", format!("`{text}` is not four numbers"), accepted));
    };
    let [w, s, e, n] = numbers.as_slice() else {
        return Err(ApiError::invalid(
            "bbox",
            format!("`{text}` has {} numbers, not 4", numbers.len()),
            accepted,
        ));
    };
    let valid_lon = |x: f64| (-180.0..=180.0).contains(&x);
    let valid_lat = |y: f64| (-90.0..=90.0).contains(&y);
    if !(valid_lon(*w) && valid_lon(*e) && valid_lat(*s) && valid_lat(*n)) {
        return Err(ApiError::invalid("bbox", format!("`{text}` is out of range"), accepted));
    }
    if w > e || s > n {
        return Err(ApiError::invalid("bbox", format!("`{text}` is inverted"), accepted));
    }
    Ok(Some([*w, *s, *e, *n]))
}

fn in_bbox(bbox: Option<[f64; 4]>, p: Position) -> bool {
    bbox.is_none_or(|[w, s, e, n]| (w..=e).contains(&p.lon()) && (s..=n).contains(&p.lat()))
}

fn boundary_in_bbox(bbox: Option<[f64; 4]>, boundary: &geo::MultiPolygon<f64>) -> bool {
    use geo::{BoundingRect, Intersects};
    let Some([w, s, e, n]) = bbox else { return true };
    let query = geo::Rect::new(geo::coord! { x: w, y: s }, geo::coord! { x: e, y: n });
    boundary.bounding_rect().is_some_and(|r| r.intersects(&query)) && boundary.intersects(&query)
}

/// A facility as an item (kept serialised per snapshot by [`crate::cache::SnapshotCache`]).
pub(crate) fn facility_item(f: &care_atlas_core::Facility, lang: Lang) -> Item {
    Item {
        feature_type: FeatureType::Feature,
        id: f.id.to_string(),
        geometry: ItemGeometry::Point(f.position.into()),
        properties: ItemProperties::Facility(Box::new(FacilityProperties::of(f, lang))),
        links: None,
    }
}

/// A municipality as an item: the feature of `/areas/{code}`, taken from the snapshot's cache
/// (made per request, its statistics and boundary took about a second a page on the worker).
fn municipality_item(state: &AppState, m: &care_atlas_core::Municipality) -> Option<Item> {
    let town = crate::handlers::town_answer(state, m.code, PopulationGroup::Total).ok()??;
    let area = town.feature.clone();
    Some(Item {
        feature_type: FeatureType::Feature,
        id: area.id,
        geometry: ItemGeometry::MultiPolygon(area.geometry),
        properties: ItemProperties::Municipality(Box::new(area.properties)),
        links: None,
    })
}

fn small_area_item(a: &care_atlas_core::SmallArea) -> Item {
    Item {
        feature_type: FeatureType::Feature,
        id: a.id(),
        geometry: ItemGeometry::Point(a.representative_point.into()),
        properties: ItemProperties::SmallArea(SmallAreaProperties {
            key_code: a.key_code.clone(),
            piece: a.piece.clone(),
            name: a.name.clone(),
            municipality_code: a.municipality_code.to_string(),
            population: a.population,
            households: a.households,
            area_m2: a.area_m2,
        }),
        links: None,
    }
}

fn check_crs(name: &str, value: Option<&str>) -> Result<(), ApiError> {
    crate::accepts::crs().check(name, value, "a CRS offered").map(|_| ())
}

/// A page of a collection's items.
#[utoipa::path(
    tag = "features",
    params(("collectionId" = inline(schemas::CollectionId), Path, description = "facilities, municipalities or small-areas"), ItemsParams),
    responses(
        (status = 200, description = "A page of items as GeoJSON or, for facilities, the facilities as CSV or a workbook", content((Items = "application/geo+json"), (String = "text/csv"), (crate::export::FileBody = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), headers(("Content-Disposition" = String, description = "For CSV and xlsx: `attachment; filename=\"facilities.<ext>\"`"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/collections/{collectionId}/items")]
pub async fn items(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    query: Params<ItemsParams>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let accept = req.headers().get(actix_web::http::header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = Format::negotiate(q.f.as_deref(), accept)?;
    check_crs("bbox-crs", q.bbox_crs.as_deref())?;
    check_crs("crs", q.crs.as_deref())?;
    let (collection_id, ..) = known_collection(&id)?;
    if format != Format::Json && collection_id != "facilities" {
        return Err(ApiError::invalid(
            "f",
            format!("`{}` is offered for facilities only", format.extension()),
            "json or geojson outside the facilities collection",
        ));
    }
    let lang = Lang::choose(
        q.lang.as_deref(),
        req.headers().get("accept-language").and_then(|v| v.to_str().ok()),
    )?;
    let bbox = bbox(q.bbox.as_deref())?;
    // A file holds every facility matched unless a limit is given; a page, 10 by default.
    let default_limit = if format == Format::Json { 10 } else { MAX_PAGE_SIZE };
    let limit = accepts::page_size().check("limit", q.limit.as_deref())?.unwrap_or(default_limit);
    let offset = accepts::page_offset().check("offset", q.offset.as_deref())?.unwrap_or(0);
    let municipality = q
        .municipality
        .as_deref()
        .map(|m| params::municipality_code("municipality", m))
        .transpose()?;
    let kinds = params::kinds(q.kind.as_deref())?;
    if !kinds.is_empty() && collection_id != "facilities" {
        return Err(ApiError::invalid(
            "kind",
            "only facilities have a kind",
            "no kind outside the facilities collection",
        ));
    }
    let selection = ItemSelection { bbox, kinds, municipality, offset, limit };
    if format != Format::Json {
        return facility_file(&state, &q, &selection, lang, format);
    }
    if collection_id == "facilities" {
        return facility_items(&state, &req, &selection, lang);
    }
    let (features, number_matched) = select_items(&state, collection_id, &selection);
    let links = page_links(&req, &selection, features.len(), number_matched);
    Ok(json(
        "application/geo+json",
        &Items {
            collection_type: FeatureCollectionType::FeatureCollection,
            number_returned: features.len(),
            features,
            number_matched,
            links,
        },
    ))
}

/// A page of facilities as GeoJSON, written from each facility's item serialised once per
/// snapshot: the bytes [`Items`] would serialise to.
fn facility_items(
    state: &AppState,
    req: &HttpRequest,
    selection: &ItemSelection,
    lang: Lang,
) -> Result<HttpResponse, ApiError> {
    let page = state.atlas.select_facility_indexes(
        &facility_filter(selection),
        selection.offset,
        selection.limit,
    );
    let mut links = page_links(req, selection, page.indexes.len(), page.number_matched);
    let items_url = format!("{}{}", base_url(req), req.path());
    links.extend(file_links(&items_url, &query_pairs(req, &["f"])));
    let facilities = state.atlas.facilities();
    let features = page
        .indexes
        .iter()
        .map(|&i| state.cache.facility_item(facilities, i, lang))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ApiError::Internal)?;
    let body =
        write_items(&features, page.number_matched, &links).map_err(|_| ApiError::Internal)?;
    Ok(HttpResponse::Ok().content_type("application/geo+json").body(body))
}

/// The JSON of an [`Items`] page, byte for byte, from its features already serialised.
fn write_items(
    features: &[&str],
    number_matched: usize,
    links: &[Link],
) -> Result<Vec<u8>, serde_json::Error> {
    let size = features.iter().map(|f| f.len() + 1).sum::<usize>() + 256 * (links.len() + 1);
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(br#"{"type":"FeatureCollection","features":["#);
    for (i, feature) in features.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(feature.as_bytes());
    }
    out.extend_from_slice(br#"],"numberMatched":"#);
    serde_json::to_writer(&mut out, &number_matched)?;
    out.extend_from_slice(br#","numberReturned":"#);
    serde_json::to_writer(&mut out, &features.len())?;
    out.extend_from_slice(br#","links":"#);
    serde_json::to_writer(&mut out, links)?;
    out.push(b'}');
    Ok(out)
}

/// The facility filter of a selection.
fn facility_filter(selection: &ItemSelection) -> FacilityFilter {
    FacilityFilter {
        bbox: selection.bbox.map(|[w, s, e, n]| {
            geo::Rect::new(geo::coord! { x: w, y: s }, geo::coord! { x: e, y: n })
        }),
        kinds: selection.kinds.clone(),
        municipality: selection.municipality,
    }
}

/// The facilities of a selection as a CSV or a workbook, with the selection as conditions.
fn facility_file(
    state: &AppState,
    q: &ItemsParams,
    selection: &ItemSelection,
    lang: Lang,
    format: Format,
) -> Result<HttpResponse, ApiError> {
    let page = state.atlas.select_facilities(
        &facility_filter(selection),
        selection.offset,
        selection.limit,
    );
    let condition =
        |key: &str, value: Option<&str>| (key.to_owned(), value.unwrap_or("all").to_owned());
    let conditions = vec![
        condition("kind", q.kind.as_deref()),
        condition("municipality", q.municipality.as_deref()),
        condition("bbox", q.bbox.as_deref()),
        ("offset".to_owned(), selection.offset.to_string()),
        ("limit".to_owned(), selection.limit.to_string()),
        ("number_matched".to_owned(), page.number_matched.to_string()),
    ];
    let rows = page
        .facilities
        .iter()
        .map(|f| {
            (f.id.to_string(), f.position.lon(), f.position.lat(), FacilityProperties::of(f, lang))
        })
        .collect();
    export::response(&export::facility_table(state, conditions, rows), format)
}

/// What an items request asks for, once checked.
struct ItemSelection {
    bbox: Option<[f64; 4]>,
    kinds: Vec<care_atlas_core::FacilityKind>,
    municipality: Option<care_atlas_core::MunicipalityCode>,
    offset: usize,
    limit: usize,
}

/// One page of the municipalities' or the small areas' items and how many match in all, by a
/// scan of the few there are (facilities are written by [`facility_items`]).
fn select_items(
    state: &AppState,
    collection_id: &str,
    selection: &ItemSelection,
) -> (Vec<Item>, usize) {
    let ItemSelection { bbox, municipality, offset, limit, .. } = *selection;
    let atlas = &state.atlas;
    let page = |matched: Vec<Item>| {
        let number_matched = matched.len();
        (matched.into_iter().skip(offset).take(limit).collect(), number_matched)
    };
    if collection_id == "municipalities" {
        page(
            atlas
                .municipalities()
                .iter()
                .filter(|m| municipality.is_none_or(|c| c == m.code))
                .filter(|m| boundary_in_bbox(bbox, &m.boundary))
                .filter_map(|m| municipality_item(state, m))
                .collect(),
        )
    } else {
        page(
            atlas
                .small_areas()
                .iter()
                .filter(|a| municipality.is_none_or(|m| m == a.municipality_code))
                .filter(|a| in_bbox(bbox, a.representative_point))
                .map(small_area_item)
                .collect(),
        )
    }
}

/// The `self`, `next` and `prev` links of a page: the request's own query with its paging
/// replaced.
fn page_links(
    req: &HttpRequest,
    selection: &ItemSelection,
    returned: usize,
    number_matched: usize,
) -> Vec<Link> {
    let ItemSelection { offset, limit, .. } = *selection;
    let page_link = |rel: &str, page_offset: usize| {
        let mut pairs = query_pairs(req, &["offset", "limit"]);
        pairs.push(("limit".into(), limit.to_string()));
        pairs.push(("offset".into(), page_offset.to_string()));
        let query = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        link(format!("{}{}?{query}", base_url(req), req.path()), rel, "application/geo+json", None)
    };
    let mut links = vec![page_link("self", offset)];
    if offset + returned < number_matched {
        links.push(page_link("next", offset + returned));
    }
    if offset > 0 {
        links.push(page_link("prev", offset.saturating_sub(limit)));
    }
    links
}

/// One item.
#[utoipa::path(
    tag = "features",
    params(
        ("collectionId" = inline(schemas::CollectionId), Path, description = "facilities, municipalities or small-areas", example = "municipalities"),
        ("featureId" = String, Path, description = "The item's id, as its collection's items give it (for municipalities, the code)", example = "11442"),
        FormatParams,
    ),
    responses(
        (status = 200, body = Item, content_type = "application/geo+json"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/collections/{collectionId}/items/{featureId}")]
pub async fn item(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    query: Params<FormatParams>,
) -> Result<HttpResponse, ApiError> {
    params::json_format(query.f.as_deref())?;
    let (collection_id, feature_id) = path.into_inner();
    let (collection_id, ..) = known_collection(&collection_id)?;
    let lang =
        Lang::choose(None, req.headers().get("accept-language").and_then(|v| v.to_str().ok()))?;
    let atlas = &state.atlas;
    let found = match collection_id {
        "facilities" => atlas
            .facility(&care_atlas_core::FacilityId::new(feature_id.clone()))
            .map(|f| facility_item(f, lang)),
        "municipalities" => feature_id
            .parse()
            .ok()
            .and_then(|code| atlas.municipality(code))
            .and_then(|m| municipality_item(&state, m)),
        _ => atlas.small_areas().iter().find(|a| a.id() == feature_id).map(small_area_item),
    };
    let mut item = found.ok_or_else(|| ApiError::NotFound {
        parameter: "featureId".into(),
        detail: format!("no item `{feature_id}` in {collection_id}"),
    })?;
    let base = base_url(&req);
    item.links = Some(vec![
        link(format!("{base}{}", req.path()), "self", "application/geo+json", None),
        link(format!("{base}/collections/{collection_id}"), "collection", "application/json", None),
    ]);
    Ok(json("application/geo+json", &item))
}

#[cfg(test)]
mod tests {
    use care_atlas_core::testing::{SplitMix, synthetic_facility};

    use super::*;

    #[test]
    fn an_items_page_written_from_serialised_items_is_the_serialised_page() {
        let mut random = SplitMix(1014);
        let mut facilities: Vec<care_atlas_core::Facility> =
            (0..9).map(|n| synthetic_facility(n, &mut random)).collect();
        // Text that JSON escapes, non-ASCII text and the optional fields filled in.
        facilities[1].name = "訪問看護\"ステーション\" \\ 蓮田\n".into();
        facilities[1].name_kana = Some("ホウモンカンゴ".into());
        facilities[2].phone = Some("048-000-0000".into());
        facilities[2].url = Some("https://example.invalid/?a=1&b=<2>".into());
        facilities[2].capacity = Some(29);
        facilities[2].open_days = Some("月〜金".into());
        facilities[3].filings = vec!["在宅療養支援診療所1".into(), "?".into()];
        facilities[3].linked_record = Some(facilities[4].id.clone());
        let links = [
            link(
                "http://127.0.0.1/collections/facilities/items?bbox=1,2,3,4&limit=10&offset=0",
                "self",
                "application/geo+json",
                None,
            ),
            link(
                "http://127.0.0.1/collections/facilities/items?f=csv",
                "alternate",
                export::CSV,
                Some("as \"CSV\""),
            ),
        ];
        for lang in [Lang::Ja, Lang::En] {
            for (returned, number_matched, links) in
                [(0, 0, &links[..0]), (1, 1, &links[..1]), (facilities.len(), 414, &links[..])]
            {
                let page = &facilities[..returned];
                let expected = serde_json::to_vec(&Items {
                    collection_type: FeatureCollectionType::FeatureCollection,
                    features: page.iter().map(|f| facility_item(f, lang)).collect(),
                    number_matched,
                    number_returned: returned,
                    links: links.to_vec(),
                })
                .unwrap();
                let features: Vec<String> = page
                    .iter()
                    .map(|f| serde_json::to_string(&facility_item(f, lang)).unwrap())
                    .collect();
                let features: Vec<&str> = features.iter().map(String::as_str).collect();
                let written = write_items(&features, number_matched, links).unwrap();
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    String::from_utf8(expected).unwrap()
                );
            }
        }
    }
}
