//! The JSON the API speaks: RFC 7946 GeoJSON features (lon/lat, right-hand polygons, no `crs`,
//! coordinates rounded to 7 decimals, about 1 cm) and plain documents, each with its OpenAPI schema.
//! Core types never derive `Serialize`; conversions from them live here.

use std::collections::BTreeMap;

use care_atlas_core::{
    AreaStatistics, Atlas, CatchmentMethod, CellAccessibility, Facility, Gaps, HOME_CARE_FILINGS,
    HomeCareClass, KindStatistics, MeshCode, Municipality, NearestFacility, PopulationGroup,
    PopulationModel, Position, ResolvedOrigin, ScenarioMetrics, SiteQuery, SiteSuggestion,
    detail_url, home_care_filing, label_point,
};
use geo::{MultiPolygon, Polygon};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::params::Lang;
pub use crate::supply::Completeness;

/// How completely the supply behind an answer is known, and the sentence saying so when partial.
pub type SupplyNote = (Completeness, Option<String>);

/// Whose residents an answer counts, and which population model counted them: on every answer
/// with population figures. The fields are flattened into each answer, hence their common prefix.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[allow(clippy::struct_field_names, reason = "flattened into answers that have other fields")]
pub struct PopulationBasis {
    /// The population group (`population` parameter; `total` by default).
    #[schema(value_type = crate::accepts::schemas::PopulationGroup, inline)]
    pub population_group: String,
    /// The group in Japanese (総人口, 75歳以上人口, …).
    pub population_group_label: String,
    /// The group in English.
    pub population_group_label_en: String,
    /// The population model that produced the figures: `census_mesh_500m` (2020 census 500 m
    /// mesh, every group) or `voronoi_small_areas` (census small areas, total only; used when the
    /// database has no census mesh).
    pub population_model: String,
    /// How the model places residents in the study area, in one sentence.
    pub population_method: String,
}

impl PopulationBasis {
    /// The basis of figures of `group` from `model`.
    #[must_use]
    pub fn of(group: PopulationGroup, model: &dyn PopulationModel) -> Self {
        PopulationBasis {
            population_group: group.id().to_owned(),
            population_group_label: group.label_ja().to_owned(),
            population_group_label_en: group.label_en().to_owned(),
            population_model: model.name().to_owned(),
            population_method: model.method().to_owned(),
        }
    }
}

/// GeoJSON object type `Feature`.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub enum FeatureType {
    /// A feature.
    Feature,
}

/// GeoJSON object type `FeatureCollection`.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub enum FeatureCollectionType {
    /// A feature collection.
    FeatureCollection,
}

/// GeoJSON geometry type `Point`.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub enum PointType {
    /// A point.
    Point,
}

/// GeoJSON geometry type `MultiPolygon`.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub enum MultiPolygonType {
    /// A multipolygon.
    MultiPolygon,
}

fn round7(value: f64) -> f64 {
    (value * 1e7).round() / 1e7
}

/// A GeoJSON Point, `[lon, lat]`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PointGeometry {
    /// `Point`.
    #[serde(rename = "type")]
    pub geometry_type: PointType,
    /// Longitude and latitude, WGS84 degrees.
    pub coordinates: [f64; 2],
}

impl From<Position> for PointGeometry {
    fn from(p: Position) -> Self {
        PointGeometry {
            geometry_type: PointType::Point,
            coordinates: [round7(p.lon()), round7(p.lat())],
        }
    }
}

/// A GeoJSON MultiPolygon: exteriors counter-clockwise, holes clockwise.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MultiPolygonGeometry {
    /// `MultiPolygon`.
    #[serde(rename = "type")]
    pub geometry_type: MultiPolygonType,
    /// Polygons of rings of `[lon, lat]` positions.
    pub coordinates: Vec<Vec<Vec<[f64; 2]>>>,
}

fn ring(line: &geo::LineString<f64>) -> Vec<[f64; 2]> {
    line.coords().map(|c| [round7(c.x), round7(c.y)]).collect()
}

fn polygon_rings(polygon: &Polygon<f64>) -> Vec<Vec<[f64; 2]>> {
    std::iter::once(ring(polygon.exterior())).chain(polygon.interiors().iter().map(ring)).collect()
}

impl From<&MultiPolygon<f64>> for MultiPolygonGeometry {
    fn from(shape: &MultiPolygon<f64>) -> Self {
        MultiPolygonGeometry {
            geometry_type: MultiPolygonType::MultiPolygon,
            coordinates: shape.0.iter().map(polygon_rings).collect(),
        }
    }
}

impl From<&Polygon<f64>> for MultiPolygonGeometry {
    fn from(polygon: &Polygon<f64>) -> Self {
        MultiPolygonGeometry {
            geometry_type: MultiPolygonType::MultiPolygon,
            coordinates: vec![polygon_rings(polygon)],
        }
    }
}

/// What a facility feature says about the facility.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacilityProperties {
    /// Name, exactly as published.
    pub name: String,
    /// Reading in katakana, where published.
    pub name_kana: Option<String>,
    /// Kind id.
    #[schema(example = "visiting_nursing_station")]
    pub kind: String,
    /// Kind label in the language asked for.
    pub kind_label: String,
    /// Address, exactly as published.
    pub address: String,
    /// Municipality code.
    pub municipality_code: String,
    /// `source` (as published) or `geocoded_town` (approximate: the town's point).
    #[schema(example = "source")]
    pub position_precision: String,
    /// What was done to the position and why.
    pub position_note: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
    /// Web site.
    pub url: Option<String>,
    /// The facility's detail page on the MHLW 介護サービス情報公表システム, for the care offices
    /// of its sources (`mhlw-kaigo-*`): built from the office number and service code; branch
    /// office number -00 assumed. `null` for the medical facilities (`mhlw-iryo-*`,
    /// `kouseikyoku-*`): 医療情報ネット has no stable per-facility URL that can be built from
    /// their ids.
    #[schema(
        example = "https://www.kaigokensaku.mhlw.go.jp/11/index.php?action_kouhyou_detail_overview_index=true&JigyosyoCd=1175700952-00&ServiceCd=510"
    )]
    pub detail_url: Option<String>,
    /// Places (定員), where the source gives them.
    pub capacity: Option<u32>,
    /// Days open, `|`-separated, as published.
    pub open_days: Option<String>,
    /// Source data set id (see `data/sources.csv`).
    pub source: String,
    /// The record's id in its source.
    pub source_record_id: String,
    /// The date the source describes.
    pub as_of: Option<String>,
    /// Source data set id of `phone` and `url` when they come from another source than `source`
    /// (see `data/sources.csv`); absent when `source` gave them or there are none.
    pub contact_source: Option<String>,
    /// The class a 在宅療養支援診療所・病院・歯科診療所 is registered under (厚生局's register);
    /// absent for every other kind.
    pub home_care_class: Option<HomeCareClassLabel>,
    /// The home-care filings (受理記号) of the institution, as the 厚生局's register publishes them;
    /// empty for every kind but the register's.
    pub filings: Vec<FilingLabel>,
    /// The id of the facility of another source that is the same institution (a register entry
    /// linked to its 医療情報ネット record), whose position this one takes.
    pub linked_record: Option<String>,
}

/// A 在宅療養支援 class with its labels.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HomeCareClassLabel {
    /// Class id.
    #[schema(value_type = HomeCareClassId, inline)]
    pub id: String,
    /// Japanese label.
    pub label_ja: String,
    /// English label.
    pub label_en: String,
}

impl From<HomeCareClass> for HomeCareClassLabel {
    fn from(class: HomeCareClass) -> Self {
        HomeCareClassLabel {
            id: class.id().to_owned(),
            label_ja: class.label_ja().to_owned(),
            label_en: class.label_en().to_owned(),
        }
    }
}

/// A home-care filing (受理記号) with its labels.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FilingLabel {
    /// The 受理記号 exactly as published.
    #[schema(value_type = FilingSymbol, inline)]
    pub symbol: String,
    /// Japanese label.
    pub label_ja: String,
    /// English label.
    pub label_en: String,
}

impl FilingLabel {
    /// The filing `symbol` with its labels (empty when the symbol is not a known home-care one).
    #[must_use]
    pub fn of(symbol: &str) -> Self {
        let labels = home_care_filing(symbol);
        FilingLabel {
            symbol: symbol.to_owned(),
            label_ja: labels.map(|f| f.label_ja.to_owned()).unwrap_or_default(),
            label_en: labels.map(|f| f.label_en.to_owned()).unwrap_or_default(),
        }
    }
}

/// The schema of a class id: its values and their labels, from core's list.
pub struct HomeCareClassId;

impl utoipa::PartialSchema for HomeCareClassId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let labels: Vec<String> = HomeCareClass::ALL
            .iter()
            .map(|c| format!("`{}` {} ({})", c.id(), c.label_ja(), c.label_en()))
            .collect();
        labelled_enum(
            HomeCareClass::ALL.iter().map(|c| c.id().to_owned()).collect(),
            format!("在宅療養支援 class: {}", labels.join(", ")),
        )
    }
}

impl ToSchema for HomeCareClassId {}

/// The schema of a filing symbol: the home-care 受理記号 and their labels, from core's list.
pub struct FilingSymbol;

impl utoipa::PartialSchema for FilingSymbol {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let labels: Vec<String> = HOME_CARE_FILINGS
            .iter()
            .map(|f| format!("`{}` {} ({})", f.symbol, f.label_ja, f.label_en))
            .collect();
        labelled_enum(
            HOME_CARE_FILINGS.iter().map(|f| f.symbol.to_owned()).collect(),
            format!("home-care filing (受理記号): {}", labels.join(", ")),
        )
    }
}

impl ToSchema for FilingSymbol {}

fn labelled_enum(
    values: Vec<String>,
    description: String,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values))
        .description(Some(description))
        .build()
        .into()
}

impl FacilityProperties {
    /// The properties of `f` with labels in `lang`.
    #[must_use]
    pub fn of(f: &Facility, lang: Lang) -> Self {
        FacilityProperties {
            name: f.name.clone(),
            name_kana: f.name_kana.clone(),
            kind: f.kind.id().to_owned(),
            kind_label: lang.kind_label(f.kind).to_owned(),
            address: f.address.clone(),
            municipality_code: f.municipality_code.to_string(),
            position_precision: f.position_precision.id().to_owned(),
            position_note: f.position_note.as_ref().map(ToString::to_string),
            phone: f.phone.clone(),
            url: f.url.clone(),
            detail_url: detail_url(f),
            capacity: f.capacity,
            open_days: f.open_days.clone(),
            source: f.provenance.source.clone(),
            source_record_id: f.provenance.record_id.clone(),
            as_of: f.provenance.as_of.clone(),
            contact_source: f.provenance.contact_source.clone(),
            home_care_class: f.home_care_class.map(HomeCareClassLabel::from),
            filings: f.filings.iter().map(|s| FilingLabel::of(s)).collect(),
            linked_record: f.linked_record.as_ref().map(ToString::to_string),
        }
    }
}

/// A facility and its distance from the origin.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NearestProperties {
    /// The facility.
    #[serde(flatten)]
    pub facility: FacilityProperties,
    /// Geodesic distance from the origin in metres (WGS84).
    pub distance_m: f64,
    /// 1 for the nearest.
    pub rank: usize,
}

/// A facility as a GeoJSON feature, ranked by distance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NearestFeature {
    /// `Feature`.
    #[serde(rename = "type")]
    pub feature_type: FeatureType,
    /// Facility id.
    pub id: String,
    /// Its position.
    pub geometry: PointGeometry,
    /// What it is and how far.
    pub properties: NearestProperties,
}

/// Where a nearest-services search started and how precisely that is known.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Origin {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// `exact` (coordinates given), `facility` (a facility's position), `town` (an address placed at its
    /// 大字・町丁目 point) or `town_mean_of_chome` (an address naming a town without its 丁目).
    #[schema(example = "exact")]
    pub precision: String,
    /// The facility or town the origin stands for.
    pub described_as: Option<String>,
}

/// Nearest services in rank order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NearestCollection {
    /// `FeatureCollection`.
    #[serde(rename = "type")]
    pub collection_type: FeatureCollectionType,
    /// The facilities, nearest first.
    pub features: Vec<NearestFeature>,
    /// The origin.
    pub origin: Origin,
    /// How many features are returned.
    pub number_returned: usize,
}

impl NearestCollection {
    /// The facilities found from `origin`, with kind labels in `lang`: the reference
    /// [`write_nearest`] is tested against (it documents the shape; the handler writes bytes).
    #[must_use]
    #[cfg_attr(not(test), allow(dead_code, reason = "the reference of write_nearest's test"))]
    pub fn of(origin: &ResolvedOrigin, found: &[NearestFacility<'_>], lang: Lang) -> Self {
        let features: Vec<NearestFeature> = found
            .iter()
            .map(|n| NearestFeature {
                feature_type: FeatureType::Feature,
                id: n.facility.id.to_string(),
                geometry: n.facility.position.into(),
                properties: NearestProperties {
                    facility: FacilityProperties::of(n.facility, lang),
                    distance_m: round_cm(n.distance_m),
                    rank: n.rank,
                },
            })
            .collect();
        NearestCollection {
            collection_type: FeatureCollectionType::FeatureCollection,
            number_returned: features.len(),
            features,
            origin: Origin {
                lat: origin.position.lat(),
                lon: origin.position.lon(),
                precision: origin.precision.id().into(),
                described_as: origin.described_as.clone(),
            },
        }
    }
}

/// The start of a facility's feature in a `/nearest` answer, the same for every answer of a
/// snapshot: `{"type":"Feature","id":…,"geometry":…,"properties":{…` up to, not including, the
/// distance and rank that close its properties.
///
/// # Errors
/// When serialisation fails (it does not for these types).
pub fn nearest_feature_head(facility: &Facility, lang: Lang) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(br#"{"type":"Feature","id":"#);
    serde_json::to_writer(&mut out, &facility.id.to_string())?;
    out.extend_from_slice(br#","geometry":"#);
    serde_json::to_writer(&mut out, &PointGeometry::from(facility.position))?;
    out.extend_from_slice(br#","properties":"#);
    let properties = serde_json::to_string(&FacilityProperties::of(facility, lang))?;
    // The facility's object without its closing brace: the flattened distance and rank follow.
    out.extend_from_slice(properties.strip_suffix('}').unwrap_or(&properties).as_bytes());
    // serde_json writes UTF-8 only.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// The JSON of [`NearestCollection::of`], byte for byte, written with each facility's feature
/// already serialised up to its properties' distance (`feature_head` gives
/// [`nearest_feature_head`] of a facility, made once per snapshot): building and serialising the
/// facilities was most of `/nearest`'s time.
///
/// # Errors
/// When serialisation fails (it does not for these types).
pub fn write_nearest<'a>(
    origin: &ResolvedOrigin,
    found: &[NearestFacility<'_>],
    mut feature_head: impl FnMut(&NearestFacility<'_>) -> Result<&'a str, serde_json::Error>,
) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(256 + 1024 * found.len());
    out.extend_from_slice(br#"{"type":"FeatureCollection","features":["#);
    for (i, n) in found.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(feature_head(n)?.as_bytes());
        out.extend_from_slice(br#","distance_m":"#);
        serde_json::to_writer(&mut out, &round_cm(n.distance_m))?;
        out.extend_from_slice(br#","rank":"#);
        serde_json::to_writer(&mut out, &n.rank)?;
        out.extend_from_slice(b"}}");
    }
    out.extend_from_slice(br#"],"origin":"#);
    serde_json::to_writer(
        &mut out,
        &Origin {
            lat: origin.position.lat(),
            lon: origin.position.lon(),
            precision: origin.precision.id().into(),
            described_as: origin.described_as.clone(),
        },
    )?;
    out.extend_from_slice(br#","number_returned":"#);
    serde_json::to_writer(&mut out, &found.len())?;
    out.push(b'}');
    Ok(out)
}

/// One kind's statistics in an area; `null` counts mean no source, never zero.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindStatisticsDto {
    /// `complete`, `partial` (counts are lower bounds) or `no_source`.
    pub coverage: String,
    /// Facilities in the area.
    pub count: Option<usize>,
    /// Per 10,000 residents.
    pub per_10k_residents: Option<f64>,
    /// Per 1,000 residents aged 75+.
    pub per_1k_aged_75_plus: Option<f64>,
    /// Per 1,000 residents of the population group asked for (`model_total`).
    pub per_1k_population_group: Option<f64>,
    /// Per km².
    pub per_km2: Option<f64>,
    /// `true` when the source is partial: the count and every ratio are lower bounds (there are
    /// at least this many); `false` when complete, and for `no_source`, whose figures are `null`.
    pub lower_bound: bool,
    /// People out of reach of the kind within `radius_m` (asked with `radius_m`; absent
    /// otherwise and outside the study area).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_reach: Option<KindOutOfReach>,
}

/// People of a town out of reach of one kind, by the one rule (`out_of_reach_definition`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindOutOfReach {
    /// The reach asked, in metres.
    pub radius_m: f64,
    /// Residents of every group out of reach; all `null` for a kind with no source.
    pub population_uncovered: GroupFiguresDto,
    /// `true` when the kind is partly known: facilities we do not know may reach some of these
    /// people, so the figures are upper bounds.
    pub upper_bound: bool,
}

impl From<&KindStatistics> for KindStatisticsDto {
    fn from(s: &KindStatistics) -> Self {
        KindStatisticsDto {
            lower_bound: s.completeness == care_atlas_core::SourceCompleteness::Partial
                && s.count.is_some(),
            coverage: s.completeness.id().to_owned(),
            count: s.count,
            per_10k_residents: s.per_10k_residents,
            per_1k_aged_75_plus: s.per_1k_aged_75_plus,
            per_1k_population_group: s.per_1k_group,
            per_km2: s.per_km2,
            out_of_reach: None,
        }
    }
}

/// An area's population, size and facilities per kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaProperties {
    /// Municipality or mesh code.
    pub code: String,
    /// Name (municipalities).
    pub name: Option<String>,
    /// `municipality` or `mesh`.
    pub area_type: String,
    /// Whether the area is in the study area.
    pub in_study_area: bool,
    /// `study_area`, `partly_outside_study_area` or `neighbour` (facilities known only within 10 km;
    /// no per-kind statistics).
    pub completeness: String,
    /// Residents (census 2020; estimated for mesh cells).
    pub population: Option<f64>,
    /// Residents aged 65+ (municipalities only).
    pub aged_65_plus: Option<u32>,
    /// Residents aged 75+ (municipalities only).
    pub aged_75_plus: Option<u32>,
    /// Residents of the population group asked for, by the population model: for a municipality
    /// the sum of the model's parts (what gaps add up to), for a mesh cell its study-area part;
    /// `null` where the model does not know them.
    pub model_total: Option<f64>,
    /// The official census figure of the group for a municipality (2020 census via SSDSE-A:
    /// total, 65+ and 75+); `null` for mesh cells and for groups without an official town figure
    /// (85+, 65+ living alone).
    pub census_total_official: Option<f64>,
    /// `model_total − census_total_official`: how far the model's town sum is from the official
    /// figure (not hidden by scaling); `null` when either is unknown.
    pub model_minus_official: Option<f64>,
    /// Whose residents `model_total` counts and how.
    #[serde(flatten)]
    pub population_basis: PopulationBasis,
    /// Geodesic area in km².
    pub area_km2: f64,
    /// `[lon, lat]`: where a map prints the area's name, a point inside the largest polygon of
    /// the area (geo's `InteriorPoint`), which a centroid of a concave town need not be; `null`
    /// only for an empty boundary.
    #[schema(example = json!([139.6541, 35.9812]))]
    pub label_point: Option<[f64; 2]>,
    /// Per-kind statistics by kind id; absent outside the study area.
    pub statistics: Option<BTreeMap<String, KindStatisticsDto>>,
}

impl AreaProperties {
    /// From core statistics, with the area's label point.
    #[must_use]
    pub fn of(
        stats: &AreaStatistics,
        model: &dyn PopulationModel,
        code: String,
        name: Option<String>,
        area_type: &str,
        label_point: Option<Position>,
    ) -> Self {
        let complete = stats.scope == care_atlas_core::StatisticsScope::StudyArea;
        AreaProperties {
            code,
            name,
            area_type: area_type.to_owned(),
            in_study_area: stats.scope != care_atlas_core::StatisticsScope::Neighbour,
            completeness: stats.scope.id().to_owned(),
            population: stats.population,
            aged_65_plus: stats.aged_65_plus,
            aged_75_plus: stats.aged_75_plus,
            model_total: stats.model_population,
            census_total_official: stats.official_population,
            model_minus_official: stats
                .model_population
                .zip(stats.official_population)
                .map(|(m, o)| m - o),
            population_basis: PopulationBasis::of(stats.group, model),
            area_km2: stats.area_km2,
            label_point: label_point.map(|p| [round7(p.lon()), round7(p.lat())]),
            statistics: complete.then(|| {
                stats
                    .kinds
                    .iter()
                    .map(|k| (k.kind.id().to_owned(), KindStatisticsDto::from(k)))
                    .collect()
            }),
        }
    }
}

/// An area as a GeoJSON feature.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaFeature {
    /// `Feature`.
    #[serde(rename = "type")]
    pub feature_type: FeatureType,
    /// Municipality or mesh code.
    pub id: String,
    /// Boundary or cell.
    pub geometry: MultiPolygonGeometry,
    /// Statistics.
    pub properties: AreaProperties,
}

impl AreaFeature {
    /// A municipality with its statistics.
    #[must_use]
    pub fn municipality(
        m: &Municipality,
        statistics: &AreaStatistics,
        model: &dyn PopulationModel,
    ) -> Self {
        AreaFeature {
            feature_type: FeatureType::Feature,
            id: m.code.to_string(),
            geometry: MultiPolygonGeometry::from(&m.boundary),
            properties: AreaProperties::of(
                statistics,
                model,
                m.code.to_string(),
                Some(m.name.clone()),
                "municipality",
                m.label_point(),
            ),
        }
    }

    /// A mesh cell with its statistics.
    #[must_use]
    pub fn mesh(cell: MeshCode, statistics: &AreaStatistics, model: &dyn PopulationModel) -> Self {
        let shape = MultiPolygon::new(vec![cell.polygon()]);
        AreaFeature {
            feature_type: FeatureType::Feature,
            id: cell.to_string(),
            geometry: MultiPolygonGeometry::from(&shape),
            properties: AreaProperties::of(
                statistics,
                model,
                cell.to_string(),
                None,
                "mesh",
                label_point(&shape),
            ),
        }
    }
}

/// Areas.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AreaCollection {
    /// `FeatureCollection`.
    #[serde(rename = "type")]
    pub collection_type: FeatureCollectionType,
    /// The areas.
    pub features: Vec<AreaFeature>,
}

/// A gap polygon or mesh cell.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GapProperties {
    /// The municipality (gap polygons).
    pub municipality_code: Option<String>,
    /// The mesh code (mesh cells).
    pub mesh_code: Option<String>,
    /// Residents of the population group (of the gap, or of the cell's study-area part); `null`
    /// where the model does not know them.
    pub population: Option<f64>,
    /// Of them, those out of reach by the one rule (`out_of_reach_definition`): for a gap
    /// polygon its town's people out of reach, for a cell those of its 250 m cells out of reach;
    /// `null` where unknown.
    pub population_uncovered: Option<f64>,
    /// Area in km².
    pub area_km2: f64,
    /// Area out of reach in km² (for a gap polygon, its own area).
    pub area_uncovered_km2: f64,
    /// Geodesic distance from the cell centre to the nearest facility (mesh cells; `null` if none).
    pub nearest_distance_m: Option<f64>,
    /// Whether every 250 m cell of the cell is within reach (mesh cells).
    pub covered: Option<bool>,
}

/// The one rule behind every figure of people out of reach, on every answer that has one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutOfReachDefinition {
    /// The mesh whose cells decide: `mesh250`.
    pub resolution: &'static str,
    /// The rule in Japanese.
    pub ja: &'static str,
    /// The rule in English.
    pub en: &'static str,
}

impl OutOfReachDefinition {
    /// The rule of [`care_atlas_core::Atlas::quarter_reach`].
    #[must_use]
    pub fn rule() -> Self {
        OutOfReachDefinition {
            resolution: "mesh250",
            ja: care_atlas_core::OUT_OF_REACH_DEFINITION_JA,
            en: care_atlas_core::OUT_OF_REACH_DEFINITION_EN,
        }
    }
}

/// A figure for every population group (`null` where the population model does not know it).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct GroupFiguresDto {
    /// Every resident.
    pub total: Option<f64>,
    /// Aged 65 and over.
    pub aged_65_plus: Option<f64>,
    /// Aged 75 and over.
    pub aged_75_plus: Option<f64>,
    /// Aged 85 and over.
    pub aged_85_plus: Option<f64>,
    /// Aged 65 and over living alone.
    pub elderly_living_alone: Option<f64>,
}

impl GroupFiguresDto {
    /// The figure of the group with id `group` (`None` for an unknown id or figure).
    #[must_use]
    pub fn get(&self, group: &str) -> Option<f64> {
        match group {
            "total" => self.total,
            "aged_65_plus" => self.aged_65_plus,
            "aged_75_plus" => self.aged_75_plus,
            "aged_85_plus" => self.aged_85_plus,
            "elderly_living_alone" => self.elderly_living_alone,
            _ => None,
        }
    }
}

impl From<&care_atlas_core::GroupFigures> for GroupFiguresDto {
    fn from(figures: &care_atlas_core::GroupFigures) -> Self {
        let [total, aged_65_plus, aged_75_plus, aged_85_plus, elderly_living_alone] = *figures;
        GroupFiguresDto { total, aged_65_plus, aged_75_plus, aged_85_plus, elderly_living_alone }
    }
}

/// A gap polygon or mesh cell as a GeoJSON feature.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GapFeature {
    /// `Feature`.
    #[serde(rename = "type")]
    pub feature_type: FeatureType,
    /// Municipality code or mesh code.
    pub id: String,
    /// The shape.
    pub geometry: MultiPolygonGeometry,
    /// Figures.
    pub properties: GapProperties,
}

/// Population and area out of reach in one municipality.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GapSummaryDto {
    /// Municipality code.
    pub municipality_code: String,
    /// Residents of the population group (`null` where unknown).
    pub population_total: Option<f64>,
    /// Residents of the population group out of reach (`null` where unknown).
    pub population_uncovered: Option<f64>,
    /// Area in km².
    pub area_km2: f64,
    /// Area out of reach in km².
    pub area_uncovered_km2: f64,
}

impl From<&care_atlas_core::GapSummary> for GapSummaryDto {
    fn from(s: &care_atlas_core::GapSummary) -> Self {
        GapSummaryDto {
            municipality_code: s.municipality_code.to_string(),
            population_total: s.population_total,
            population_uncovered: s.population_uncovered,
            area_km2: s.area_km2,
            area_uncovered_km2: s.area_uncovered_km2,
        }
    }
}

/// Coverage gaps.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GapCollection {
    /// `FeatureCollection`.
    #[serde(rename = "type")]
    pub collection_type: FeatureCollectionType,
    /// Gap polygons (one per municipality) or every mesh cell.
    pub features: Vec<GapFeature>,
    /// Per municipality: the same figures at every resolution.
    pub summary: Vec<GapSummaryDto>,
    /// The rule that counts people out of reach.
    pub out_of_reach_definition: OutOfReachDefinition,
    /// Whose residents are counted and how.
    #[serde(flatten)]
    pub population_basis: PopulationBasis,
    /// `complete`, or `partial` when some facilities of the kinds are not in our sources.
    pub completeness: Completeness,
    /// For a `partial` answer, which kinds are not fully known and what that means for the
    /// figures; `null` when complete.
    pub completeness_note: Option<String>,
}

impl GapCollection {
    /// The gaps, with the method of the population model that counted their residents.
    #[must_use]
    pub fn of(
        gaps: &Gaps,
        group: PopulationGroup,
        population: &dyn PopulationModel,
        supply: SupplyNote,
    ) -> Self {
        let polygons = gaps.polygons.iter().map(|g| GapFeature {
            feature_type: FeatureType::Feature,
            id: g.municipality_code.to_string(),
            geometry: MultiPolygonGeometry::from(&g.gap),
            properties: GapProperties {
                municipality_code: Some(g.municipality_code.to_string()),
                mesh_code: None,
                population: g.population_uncovered,
                population_uncovered: g.population_uncovered,
                area_km2: g.gap_area_km2,
                area_uncovered_km2: g.gap_area_km2,
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
                population_uncovered: c.population_uncovered,
                area_km2: c.area_km2,
                area_uncovered_km2: c.area_uncovered_km2,
                nearest_distance_m: c.nearest_distance_m.map(round_cm),
                covered: Some(c.covered),
            },
        });
        GapCollection {
            collection_type: FeatureCollectionType::FeatureCollection,
            features: polygons.chain(cells).collect(),
            summary: gaps.summary.iter().map(GapSummaryDto::from).collect(),
            out_of_reach_definition: OutOfReachDefinition::rule(),
            population_basis: PopulationBasis::of(group, population),
            completeness: supply.0,
            completeness_note: supply.1,
        }
    }
}

/// A census small area (町丁・字) with people out of reach.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnderservedPlaceDto {
    /// 1 for the place with the most people of the group out of reach.
    pub rank: usize,
    /// Its municipality's code.
    pub municipality_code: String,
    /// Its municipality's name (宮代町).
    pub municipality_name: String,
    /// The census small area's KEY_CODE.
    pub small_area_key: String,
    /// The place's name as the census has it (大字・町丁目, e.g. 東粂原).
    pub name: String,
    /// The census's representative point of the place.
    pub center: LatLon,
    /// Residents of the population group asked for out of reach (`null` where unknown).
    pub population_uncovered: Option<f64>,
    /// Residents of every group out of reach.
    pub population_uncovered_by_group: GroupFiguresDto,
    /// Area out of reach in km².
    pub area_uncovered_km2: f64,
}

/// A latitude and longitude, WGS84.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct LatLon {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// The places of the study area (or one town) with people out of reach, most first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnderservedPlaces {
    /// Places, most people of the group out of reach first.
    pub places: Vec<UnderservedPlaceDto>,
    /// How a 250 m cell is given to a place.
    pub place_method: &'static str,
    /// The rule that counts people out of reach.
    pub out_of_reach_definition: OutOfReachDefinition,
    /// Whose residents are counted and how.
    #[serde(flatten)]
    pub population_basis: PopulationBasis,
    /// `complete`, or `partial` when some facilities of the kinds are not in our sources.
    pub completeness: Completeness,
    /// For a `partial` answer, which kinds are not fully known and what that means for the
    /// figures; `null` when complete.
    pub completeness_note: Option<String>,
}

impl UnderservedPlaces {
    /// How places are named, for the answer.
    pub const PLACE_METHOD: &str = "Each 250 m cell part out of reach counts for the census small \
        area (町丁・字等, 2020) of its town whose representative point is nearest its centre: \
        small-area boundaries are not among our sources, so a place's edge is approximate; the \
        places of a town add up to its people out of reach.";

    /// The places, ranked by `group`, the first `limit` (all when `None`).
    #[must_use]
    pub fn of(
        atlas: &care_atlas_core::Atlas,
        places: &[care_atlas_core::UnderservedPlace<'_>],
        group: PopulationGroup,
        limit: Option<usize>,
        supply: SupplyNote,
    ) -> Self {
        let name = |code| atlas.municipality(code).map(|m| m.name.clone()).unwrap_or_default();
        UnderservedPlaces {
            places: places
                .iter()
                .take(limit.unwrap_or(usize::MAX))
                .enumerate()
                .map(|(i, p)| UnderservedPlaceDto {
                    rank: i + 1,
                    municipality_code: p.small_area.municipality_code.to_string(),
                    municipality_name: name(p.small_area.municipality_code),
                    small_area_key: p.small_area.key_code.clone(),
                    name: p.small_area.name.clone(),
                    center: LatLon {
                        lat: p.small_area.representative_point.lat(),
                        lon: p.small_area.representative_point.lon(),
                    },
                    population_uncovered: p.population_uncovered(group),
                    population_uncovered_by_group: GroupFiguresDto::from(&p.population_uncovered),
                    area_uncovered_km2: p.area_uncovered_km2,
                })
                .collect(),
            place_method: Self::PLACE_METHOD,
            out_of_reach_definition: OutOfReachDefinition::rule(),
            population_basis: PopulationBasis::of(group, atlas.population_model()),
            completeness: supply.0,
            completeness_note: supply.1,
        }
    }
}

/// A distance in metres rounded to the centimetre.
#[must_use]
pub fn round_cm(distance_m: f64) -> f64 {
    (distance_m * 100.0).round() / 100.0
}

/// A mesh cell's accessibility.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessibilityProperties {
    /// Mesh code.
    pub mesh_code: String,
    /// Residents of the population group in the cell's study-area part.
    pub population: f64,
    /// Supply per resident within reach.
    pub score_raw: f64,
    /// `score_raw` divided by the population-weighted mean.
    pub score_normalised: f64,
}

/// A mesh cell's accessibility as a GeoJSON feature.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessibilityFeature {
    /// `Feature`.
    #[serde(rename = "type")]
    pub feature_type: FeatureType,
    /// Mesh code.
    pub id: String,
    /// The cell.
    pub geometry: MultiPolygonGeometry,
    /// Scores.
    pub properties: AccessibilityProperties,
}

/// Accessibility scores per mesh cell.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccessibilityCollection {
    /// `FeatureCollection`.
    #[serde(rename = "type")]
    pub collection_type: FeatureCollectionType,
    /// The study-area cells.
    pub features: Vec<AccessibilityFeature>,
    /// `2sfca` or `e2sfca`.
    pub method: String,
    /// How the method and its demand are defined.
    pub method_notes: Vec<String>,
    /// Whose residents are the demand and how they are counted.
    #[serde(flatten)]
    pub population_basis: PopulationBasis,
    /// `complete`, or `partial` when some facilities of the kinds are not in our sources.
    pub completeness: Completeness,
    /// For a `partial` answer, which kinds are not fully known and what that means for the
    /// figures; `null` when complete.
    pub completeness_note: Option<String>,
}

impl AccessibilityCollection {
    /// The scores of `method`, with how they and the population they divide by are defined.
    #[must_use]
    pub fn of(
        scores: &[CellAccessibility],
        method: CatchmentMethod,
        group: PopulationGroup,
        population: &dyn PopulationModel,
        supply: SupplyNote,
    ) -> Self {
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
        AccessibilityCollection {
            collection_type: FeatureCollectionType::FeatureCollection,
            features,
            method: method.id().into(),
            method_notes: vec![
                format!("supply: 1 per facility; demand: {} per mesh cell; distances geodesic (WGS84)", group.label_en()),
                format!("study-area population: {}", population.method()),
                format!("border demand: {}", population.ring_method()),
                "normalised: raw score divided by the population-weighted mean over all demand cells, as PySAL access does".into(),
            ],
            population_basis: PopulationBasis::of(group, population),
            completeness: supply.0,
            completeness_note: supply.1,
        }
    }
}

/// A suggested site.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteProperties {
    /// 1 for the first pick.
    pub rank: usize,
    /// The candidate quarter-mesh cell.
    pub mesh_code: String,
    /// The census small area (町丁・字) at the cell centre, by name as the census writes it
    /// (`null` where none is known, e.g. a centre outside the study area).
    pub place_name: Option<String>,
    /// Its e-Stat KEY_CODE.
    pub small_area_key: Option<String>,
    /// The municipality containing the cell centre.
    pub municipality_code: Option<String>,
    /// Its name.
    pub municipality_name: Option<String>,
    /// Residents of the population group brought within reach, beyond existing facilities and
    /// earlier picks.
    pub newly_covered_population: f64,
}

/// A suggested site as a GeoJSON feature.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteFeature {
    /// `Feature`.
    #[serde(rename = "type")]
    pub feature_type: FeatureType,
    /// Mesh code.
    pub id: String,
    /// The cell centre.
    pub geometry: PointGeometry,
    /// Figures.
    pub properties: SiteProperties,
}

/// Site suggestions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SiteCollection {
    /// `FeatureCollection`.
    #[serde(rename = "type")]
    pub collection_type: FeatureCollectionType,
    /// Picks, best first.
    pub features: Vec<SiteFeature>,
    /// The town the picks stand in and whose residents count (`area`); `null`: the whole study
    /// area.
    pub area: Option<String>,
    /// The rule that counts people out of reach, and so those brought within reach.
    pub out_of_reach_definition: OutOfReachDefinition,
    /// Whose residents the picks bring within reach and how they are counted.
    #[serde(flatten)]
    pub population_basis: PopulationBasis,
    /// `complete`, or `partial` when some facilities of the kinds are not in our sources.
    pub completeness: Completeness,
    /// For a `partial` answer, which kinds are not fully known and what that means for the
    /// figures; `null` when complete.
    pub completeness_note: Option<String>,
}

impl SiteCollection {
    /// The picks of `query`, each named by its place, with how completely the existing
    /// facilities they add to are known.
    #[must_use]
    pub fn of(
        atlas: &Atlas,
        sites: &[SiteSuggestion],
        query: &SiteQuery,
        supply: SupplyNote,
    ) -> Self {
        let features = sites
            .iter()
            .map(|s| SiteFeature {
                feature_type: FeatureType::Feature,
                id: s.cell.to_string(),
                geometry: s.position.into(),
                properties: SiteProperties {
                    rank: s.rank,
                    mesh_code: s.cell.to_string(),
                    place_name: s.small_area.as_ref().map(|a| a.name.clone()),
                    small_area_key: s.small_area.as_ref().map(|a| a.key_code.clone()),
                    municipality_code: s.municipality_code.map(|c| c.to_string()),
                    municipality_name: s
                        .municipality_code
                        .and_then(|c| atlas.municipality(c))
                        .map(|m| m.name.clone()),
                    newly_covered_population: s.newly_covered_population,
                },
            })
            .collect();
        SiteCollection {
            collection_type: FeatureCollectionType::FeatureCollection,
            features,
            area: query.area.map(|c| c.to_string()),
            out_of_reach_definition: OutOfReachDefinition::rule(),
            population_basis: PopulationBasis::of(query.group, atlas.population_model()),
            completeness: supply.0,
            completeness_note: supply.1,
        }
    }
}

/// A hypothetical facility.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddedFacilityDto {
    /// Latitude, WGS84.
    #[schema(value_type = crate::accepts::schemas::Latitude, inline)]
    pub lat: f64,
    /// Longitude, WGS84.
    #[schema(value_type = crate::accepts::schemas::Longitude, inline)]
    pub lon: f64,
    /// Capacity (default 1).
    #[schema(value_type = Option<crate::accepts::schemas::Capacity>, inline)]
    pub capacity: Option<f64>,
}

/// The schema of a scenario's `add`: what-if facilities, at most core's limit.
pub struct Additions;

impl utoipa::PartialSchema for Additions {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(<AddedFacilityDto as utoipa::PartialSchema>::schema())
            .max_items(Some(care_atlas_core::MAX_SCENARIO_ADDITIONS))
            .into()
    }
}

impl ToSchema for Additions {}

/// A what-if scenario.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRequest {
    /// The kind whose facilities change.
    #[schema(value_type = crate::accepts::schemas::OneKind, inline, example = "visiting_nursing_station")]
    pub kind: String,
    /// Reach of a facility for the gaps, metres.
    #[schema(value_type = crate::accepts::schemas::Radius, inline)]
    pub radius_m: f64,
    /// Catchment for accessibility, metres (default: `radius_m`).
    #[schema(value_type = Option<crate::accepts::schemas::Radius>, inline)]
    pub catchment_m: Option<f64>,
    /// The mesh of the accessibility's demand cells (default `mesh500`); people out of reach are
    /// always counted on 250 m cells (`out_of_reach_definition`).
    #[schema(value_type = Option<crate::accepts::schemas::GridResolution>, inline)]
    pub resolution: Option<String>,
    /// Facilities to add (at most 100), each within 30 km of the study area's bounds.
    #[serde(default)]
    #[schema(value_type = Additions, inline)]
    pub add: Vec<AddedFacilityDto>,
    /// Ids of existing facilities to remove (at most 1000): an id no facility has is refused.
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub remove: Vec<String>,
    /// Whose residents are counted (default `total`).
    #[schema(value_type = Option<crate::accepts::schemas::PopulationGroup>, inline, example = "aged_75_plus")]
    pub population: Option<String>,
}

/// Gaps and accessibility of one state of the world.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScenarioState {
    /// Per municipality, people of the population group out of reach.
    pub gaps: Vec<GapSummaryDto>,
    /// Residents of the population group in the study area out of reach (`null` where unknown).
    pub population_uncovered: Option<f64>,
    /// Residents of every group in the study area out of reach.
    pub out_of_reach_by_group: GroupFiguresDto,
    /// Residents of every group out of reach, per study-area town.
    pub out_of_reach_by_town: Vec<TownGroupFigures>,
    /// Population-weighted mean E2SFCA score of the study area (facilities per resident,
    /// distance-weighted).
    pub mean_accessibility: f64,
    /// The same per 10,000 residents: how many facilities' worth of service 10,000 residents of
    /// the group can reach on average (E2SFCA: each facility shared among the residents within
    /// its catchment, nearer ones weighing more).
    pub accessibility_per_10000: f64,
}

/// One town's residents of every group out of reach.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TownGroupFigures {
    /// The town's code.
    pub municipality_code: String,
    /// Its residents of every group out of reach.
    pub population_uncovered: GroupFiguresDto,
}

/// A 250 m cell whose reach a scenario changes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangedCellProperties {
    /// Mesh code.
    pub mesh_code: String,
    /// Within reach before.
    pub covered_before: bool,
    /// Within reach after.
    pub covered_after: bool,
    /// Residents of every group in its study-area part.
    pub population: GroupFiguresDto,
}

/// A changed cell as a GeoJSON feature.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangedCellFeature {
    /// `Feature`.
    #[serde(rename = "type")]
    pub feature_type: FeatureType,
    /// Mesh code.
    pub id: String,
    /// The cell.
    pub geometry: MultiPolygonGeometry,
    /// What changed.
    pub properties: ChangedCellProperties,
}

/// The cells a scenario changes, for the map.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangedCells {
    /// `FeatureCollection`.
    #[serde(rename = "type")]
    pub collection_type: FeatureCollectionType,
    /// Cells newly within reach or newly out of reach.
    pub features: Vec<ChangedCellFeature>,
}

impl From<&[care_atlas_core::ChangedCell]> for ChangedCells {
    fn from(cells: &[care_atlas_core::ChangedCell]) -> Self {
        ChangedCells {
            collection_type: FeatureCollectionType::FeatureCollection,
            features: cells
                .iter()
                .map(|c| ChangedCellFeature {
                    feature_type: FeatureType::Feature,
                    id: c.code.to_string(),
                    geometry: MultiPolygonGeometry::from(&c.code.polygon()),
                    properties: ChangedCellProperties {
                        mesh_code: c.code.to_string(),
                        covered_before: c.covered_before,
                        covered_after: c.covered_after,
                        population: GroupFiguresDto::from(&c.populations),
                    },
                })
                .collect(),
        }
    }
}

/// Before, after and the difference.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScenarioResponse {
    /// Now.
    pub before: ScenarioState,
    /// With the scenario.
    pub after: ScenarioState,
    /// After minus before.
    pub difference: ScenarioState,
    /// The 250 m cells whose reach changes.
    pub changed_cells: ChangedCells,
    /// The rule that counts people out of reach.
    pub out_of_reach_definition: OutOfReachDefinition,
    /// Whose residents are counted and how.
    #[serde(flatten)]
    pub population_basis: PopulationBasis,
    /// `complete`, or `partial` when some facilities of the kinds are not in our sources.
    pub completeness: Completeness,
    /// For a `partial` answer, which kinds are not fully known and what that means for the
    /// figures; `null` when complete.
    pub completeness_note: Option<String>,
}

impl From<&ScenarioMetrics> for ScenarioState {
    fn from(metrics: &ScenarioMetrics) -> Self {
        ScenarioState {
            gaps: metrics.gaps.iter().map(GapSummaryDto::from).collect(),
            population_uncovered: metrics.population_uncovered,
            out_of_reach_by_group: GroupFiguresDto::from(&metrics.out_of_reach_by_group),
            out_of_reach_by_town: metrics
                .out_of_reach_by_town
                .iter()
                .map(|(code, figures)| TownGroupFigures {
                    municipality_code: code.to_string(),
                    population_uncovered: GroupFiguresDto::from(figures),
                })
                .collect(),
            mean_accessibility: metrics.mean_accessibility,
            accessibility_per_10000: metrics.mean_accessibility * 10_000.0,
        }
    }
}

/// Liveness.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// Facilities in the snapshot.
    pub facilities: usize,
}

/// Build and data versions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionInfo {
    /// The program's version.
    pub version: String,
    /// The dataset's version (last import time and record counts).
    pub dataset_version: String,
}

/// The sources of the data and how completely they know each kind of facility.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourcesDocument {
    /// Every source data set, in catalogue order: credit each with its `attribution` when you
    /// show or redistribute the data.
    pub sources: Vec<SourceEntry>,
    /// For each kind and scope (the study area, the neighbouring municipalities within 10 km), how
    /// completely the sources know the facilities: a `no_source` kind is unknown, never zero, and
    /// a `partial` one gives lower bounds.
    pub coverage: Vec<KindCoverageEntry>,
}

/// One source data set.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceEntry {
    /// Stable id, as facilities name it in `source` and `contact_source`.
    pub id: String,
    /// Title.
    pub title: String,
    /// Publisher.
    pub publisher: String,
    /// Licence or terms of use.
    pub licence: String,
    /// The attribution exactly as the terms ask for it.
    pub attribution: String,
    /// The date the data describes (`YYYY-MM-DD`), where known.
    pub as_of: Option<String>,
    /// What `as_of` is (census day, publication date, date of the copy).
    pub as_of_basis: String,
    /// Where our copy was found.
    pub origin: String,
}

impl From<&care_atlas_core::SourceInfo> for SourceEntry {
    fn from(s: &care_atlas_core::SourceInfo) -> Self {
        SourceEntry {
            id: s.id.clone(),
            title: s.title.clone(),
            publisher: s.publisher.clone(),
            licence: s.licence.clone(),
            attribution: s.attribution.clone(),
            as_of: s.as_of.clone(),
            as_of_basis: s.as_of_basis.clone(),
            origin: s.origin.clone(),
        }
    }
}

/// How completely one kind is known in one scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindCoverageEntry {
    /// Kind id.
    pub kind: &'static str,
    /// Kind, in Japanese.
    pub kind_label_ja: &'static str,
    /// Kind, in English.
    pub kind_label_en: &'static str,
    /// `study_area` or `neighbours_10km`.
    #[schema(example = "study_area")]
    pub scope: &'static str,
    /// `complete`, `partial` or `no_source`.
    #[schema(example = "complete")]
    pub coverage: &'static str,
    /// Why: the source, and what it misses.
    pub note: String,
}

impl From<&care_atlas_core::KindCompleteness> for KindCoverageEntry {
    fn from(c: &care_atlas_core::KindCompleteness) -> Self {
        KindCoverageEntry {
            kind: c.kind.id(),
            kind_label_ja: c.kind.label_ja(),
            kind_label_en: c.kind.label_en(),
            scope: c.scope.id(),
            coverage: c.completeness.id(),
            note: c.note.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use care_atlas_core::testing::{SplitMix, synthetic_facility};
    use care_atlas_core::{OriginPrecision, Position};

    use super::*;

    #[test]
    fn the_nearest_answer_written_from_serialised_properties_is_the_serialised_collection() {
        let mut random = SplitMix(14);
        let facilities: Vec<Facility> =
            (0..7).map(|n| synthetic_facility(n, &mut random)).collect();
        let found: Vec<NearestFacility<'_>> = facilities
            .iter()
            .enumerate()
            .map(|(i, facility)| NearestFacility {
                facility,
                index: i,
                distance_m: 123.456_789 * (i as f64 + 1.0),
                rank: i + 1,
            })
            .collect();
        for (described_as, precision) in [
            (None, OriginPrecision::Exact),
            (Some("蓮田市\"東\"".to_owned()), OriginPrecision::Town),
        ] {
            let origin = ResolvedOrigin {
                position: Position::new(35.996_631, 139.676_669).unwrap(),
                precision,
                described_as,
                leave_out: None,
            };
            for lang in [Lang::Ja, Lang::En] {
                for k in [0, 1, found.len()] {
                    let expected =
                        serde_json::to_vec(&NearestCollection::of(&origin, &found[..k], lang))
                            .unwrap();
                    let heads: Vec<String> = found
                        .iter()
                        .map(|n| nearest_feature_head(n.facility, lang).unwrap())
                        .collect();
                    let written =
                        write_nearest(&origin, &found[..k], |n| Ok(heads[n.index].as_str()))
                            .unwrap();
                    assert_eq!(
                        String::from_utf8(written).unwrap(),
                        String::from_utf8(expected).unwrap()
                    );
                }
            }
        }
    }
}
