//! What each query parameter accepts, stated once from core's constants: the check, the problem
//! document's `accepted` text and the OpenAPI schema all come from the same [`Accepts`], so that
//! a limit changed in core changes all three.
//!
//! The parameter structs point at a schema type of [`schemas`] (`#[param(value_type = …,
//! inline)]`, since utoipa's attributes take literals only); each one renders an [`Accepts`]
//! built here.

use std::ops::RangeInclusive;

use care_atlas_core::{
    CatchmentMethod, FacilityKind, GRID_LEVELS, MAX_ADDED_CAPACITY, MAX_DISTANCE_RANGE_M,
    MAX_NEAREST, MAX_PAGE_SIZE, MAX_SCENARIO_ADDITIONS, MAX_SITES, MeshLevel, PopulationGroup,
    Position, RADIUS_RANGE_M,
};
use utoipa::openapi::schema::{
    ArrayBuilder, ArrayItems, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};

use crate::ApiError;
use crate::ogc::CRS84;

/// What a parameter accepts: its `accepted` text and its OpenAPI schema. Each kind of value also
/// has its check, which reports a bad value with the same text.
pub trait Accepts {
    /// The problem document's `accepted` text.
    fn accepted(&self) -> String;

    /// The OpenAPI schema of the parameter.
    fn schema(&self) -> Schema;
}

/// A finite number within a range.
#[derive(Debug, Clone, PartialEq)]
pub struct Numbers {
    /// The numbers accepted.
    pub range: RangeInclusive<f64>,
    /// Their unit, with its leading space (` metres`, ` degrees`).
    pub unit: &'static str,
}

impl Accepts for Numbers {
    fn accepted(&self) -> String {
        format!("a number from {} to {}{}", self.range.start(), self.range.end(), self.unit)
    }

    fn schema(&self) -> Schema {
        Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
                .minimum(Some(number(*self.range.start())))
                .maximum(Some(number(*self.range.end())))
                .build(),
        )
    }
}

impl Numbers {
    /// The value of `name` as a number in range, or `None` when absent.
    pub fn check(&self, name: &str, value: Option<&str>) -> Result<Option<f64>, ApiError> {
        parse_in(self, name, value, "a number", |n: &f64| n.is_finite() && self.range.contains(n))
    }

    /// A number already read (from a JSON body), kept if in range.
    pub fn check_value(&self, name: &str, value: f64) -> Result<f64, ApiError> {
        if value.is_finite() && self.range.contains(&value) {
            Ok(value)
        } else {
            Err(ApiError::invalid(name, format!("{value} is out of range"), self.accepted()))
        }
    }
}

/// A whole number within a range; a range up to `usize::MAX` has no upper limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WholeNumbers(pub RangeInclusive<usize>);

impl Accepts for WholeNumbers {
    fn accepted(&self) -> String {
        format!("a whole number from {} to {}", self.0.start(), self.0.end())
    }

    /// The maximum is always stated, `usize::MAX` too: the server reads any `usize`, so a larger
    /// number is refused and the document must say so. The format is the smallest that holds it.
    fn schema(&self) -> Schema {
        let end = *self.0.end();
        let format = if i32::try_from(end).is_ok() {
            Some(SchemaFormat::KnownFormat(KnownFormat::Int32))
        } else if i64::try_from(end).is_ok() {
            Some(SchemaFormat::KnownFormat(KnownFormat::Int64))
        } else {
            None
        };
        Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(format)
                .minimum(Some(*self.0.start()))
                .maximum(Some(end))
                .build(),
        )
    }
}

impl WholeNumbers {
    /// The value of `name` as a whole number in range, or `None` when absent.
    pub fn check(&self, name: &str, value: Option<&str>) -> Result<Option<usize>, ApiError> {
        parse_in(self, name, value, "a whole number", |n| self.0.contains(n))
    }
}

/// The value of `name` parsed (`what` names the type in the error) and kept if `in_range`, or
/// `None` when absent.
fn parse_in<T: std::str::FromStr>(
    accepts: &impl Accepts,
    name: &str,
    value: Option<&str>,
    what: &str,
    in_range: impl Fn(&T) -> bool,
) -> Result<Option<T>, ApiError> {
    let Some(text) = value else { return Ok(None) };
    let parsed: T = text.trim().parse().map_err(|_| {
        ApiError::invalid(name, format!("`{text}` is not {what}"), accepts.accepted())
    })?;
    if !in_range(&parsed) {
        return Err(ApiError::invalid(name, format!("{text} is out of range"), accepts.accepted()));
    }
    Ok(Some(parsed))
}

/// Exactly one of some values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOf(pub Vec<String>);

impl Accepts for OneOf {
    fn accepted(&self) -> String {
        or_list(&self.0)
    }

    fn schema(&self) -> Schema {
        Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(self.0.clone()))
                .build(),
        )
    }
}

impl OneOf {
    /// The position among the values of the value of `name`, or `None` when absent; `what`
    /// names the value in the error (`a method`, `a format offered`).
    pub fn check(
        &self,
        name: &str,
        value: Option<&str>,
        what: &str,
    ) -> Result<Option<usize>, ApiError> {
        let Some(text) = value else { return Ok(None) };
        self.0.iter().position(|v| v == text).map(Some).ok_or_else(|| {
            ApiError::invalid(name, format!("`{text}` is not {what}"), self.accepted())
        })
    }
}

/// One or more of some values, comma-separated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOf(pub Vec<String>);

impl Accepts for ListOf {
    fn accepted(&self) -> String {
        format!("one or more of {}, comma-separated", self.0.join(", "))
    }

    /// Each id may have white space around it, which the server trims.
    fn schema(&self) -> Schema {
        let one = format!("{TRIMMED}({}){TRIMMED}", self.0.join("|"));
        Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(format!("^{one}(,{one})*$")))
                .description(Some(self.accepted()))
                .build(),
        )
    }
}

/// Text the server reads with a pattern: municipality and mesh codes, lists of points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The ECMA-262 pattern of the text accepted, anchored.
    pub pattern: String,
    /// The problem document's `accepted` text.
    pub accepted: String,
}

impl Accepts for Text {
    fn accepted(&self) -> String {
        self.accepted.clone()
    }

    fn schema(&self) -> Schema {
        Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(self.pattern.clone()))
                .description(Some(self.accepted.clone()))
                .build(),
        )
    }
}

/// White space as Rust's `str::trim` removes it (`char::is_whitespace`), for patterns of values
/// the server trims: written out, since `\s` means other characters in ECMA-262 and in Python.
pub(crate) const TRIMMED: &str =
    "[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*";

/// A finite decimal number as Rust's `f64::from_str` reads it (`+1`, `.5`, `1.`, `1e5`), without
/// `inf` and `NaN`, which the checks refuse.
pub(crate) const DECIMAL: &str = "[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?";

/// A municipality code: five digits, the first two a prefecture (01 to 47), as core reads it.
#[must_use]
pub fn municipality_code() -> Text {
    Text {
        pattern: "^(0[1-9]|[1-3][0-9]|4[0-7])[0-9]{3}$".into(),
        accepted: "a five-digit municipality code (全国地方公共団体コード)".into(),
    }
}

/// A JIS X 0410 mesh code as core reads it: 4, 6, 8, 9 or 10 digits; the longitude code at most
/// 79, the second-mesh digits 0 to 7, the half and quarter digits 1 to 4.
#[must_use]
pub fn mesh_code() -> Text {
    let lengths: Vec<String> = MeshLevel::ALL.map(|l| l.code_len().to_string()).to_vec();
    Text {
        pattern: "^[0-9]{2}[0-7][0-9]([0-7]{2}([0-9]{2}([1-4][1-4]?)?)?)?$".into(),
        accepted: format!("a JIS X 0410 mesh code of {} digits", or_list(&lengths)),
    }
}

/// The what-if facilities of the planner's `add`: at most the scenario limit of `lat,lon` points
/// separated by `;`. The pattern states their form; their ranges (as [`latitude`] and
/// [`longitude`]) are beyond a pattern and stated in the text.
#[must_use]
pub fn what_if_additions() -> Text {
    let number = format!("{TRIMMED}{DECIMAL}{TRIMMED}");
    let point = format!("{number},{number}");
    Text {
        pattern: format!("^({point}(;{point}){{0,{}}})?$", MAX_SCENARIO_ADDITIONS - 1),
        accepted: format!(
            "at most {MAX_SCENARIO_ADDITIONS} points as `lat,lon` (latitude from {} to {}, longitude from {} to {} degrees), separated by `;`",
            Position::LAT_RANGE.start(),
            Position::LAT_RANGE.end(),
            Position::LON_RANGE.start(),
            Position::LON_RANGE.end()
        ),
    }
}

/// The capacity of a what-if facility: above 0, up to core's limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capacity;

impl Accepts for Capacity {
    fn accepted(&self) -> String {
        format!("a number above 0 and up to {MAX_ADDED_CAPACITY}")
    }

    fn schema(&self) -> Schema {
        Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
                .exclusive_minimum(Some(0))
                .maximum(Some(number(MAX_ADDED_CAPACITY)))
                .build(),
        )
    }
}

impl Capacity {
    /// A capacity already read (from a JSON body), kept if in range.
    pub fn check_value(&self, name: &str, value: f64) -> Result<f64, ApiError> {
        if value.is_finite() && value > 0.0 && value <= MAX_ADDED_CAPACITY {
            Ok(value)
        } else {
            Err(ApiError::invalid(name, format!("{value}"), self.accepted()))
        }
    }
}

/// An OGC `bbox`: four numbers, comma-separated, west, south, east, north in CRS84 degrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bbox;

impl Accepts for Bbox {
    fn accepted(&self) -> String {
        "west,south,east,north in CRS84 degrees, west ≤ east and south ≤ north".into()
    }

    /// An array of exactly four numbers (sent `style: form, explode: false`, as OGC API -
    /// Features does), each in its range; that west ≤ east and south ≤ north is beyond a schema
    /// and stated in the description.
    fn schema(&self) -> Schema {
        let (lon, lat) = (longitude().schema(), latitude().schema());
        Schema::Array(
            ArrayBuilder::new()
                .prefix_items([lon.clone(), lat.clone(), lon, lat])
                .items(ArrayItems::False)
                .min_items(Some(4))
                .max_items(Some(4))
                .description(Some(self.accepted()))
                .build(),
        )
    }
}

/// A `bbox`.
#[must_use]
pub fn bbox() -> Bbox {
    Bbox
}

/// `a`, `a or b`, `a, b or c`.
pub(crate) fn or_list(values: &[String]) -> String {
    match values.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// A whole limit as an integer, so that the document says `100000` rather than `100000.0`.
fn number(value: f64) -> utoipa::Number {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        utoipa::Number::Int(value as isize)
    } else {
        utoipa::Number::Float(value)
    }
}

fn strings(values: impl IntoIterator<Item = impl Into<String>>) -> Vec<String> {
    values.into_iter().map(Into::into).collect()
}

/// WGS84 latitudes.
#[must_use]
pub fn latitude() -> Numbers {
    Numbers { range: Position::LAT_RANGE, unit: " degrees" }
}

/// WGS84 longitudes.
#[must_use]
pub fn longitude() -> Numbers {
    Numbers { range: Position::LON_RANGE, unit: " degrees" }
}

/// How many nearest facilities.
#[must_use]
pub fn nearest_count() -> WholeNumbers {
    WholeNumbers(1..=MAX_NEAREST)
}

/// The farthest distance of a nearest-services search.
#[must_use]
pub fn nearest_distance() -> Numbers {
    Numbers { range: MAX_DISTANCE_RANGE_M, unit: " metres" }
}

/// A facility's reach or a catchment.
#[must_use]
pub fn radius() -> Numbers {
    Numbers { range: RADIUS_RANGE_M, unit: " metres" }
}

/// How many sites to suggest.
#[must_use]
pub fn site_count() -> WholeNumbers {
    WholeNumbers(1..=MAX_SITES)
}

/// How far from the study area's bounds a scenario may add a facility, in metres: the largest
/// reach or catchment ([`RADIUS_RANGE_M`]'s end), beyond which an added facility changes no
/// figure of the study area. Farther points were not only useless but slow: one at latitude 0
/// took 2.6 s, 100 of them 9.4 s.
pub const MAX_ADDED_DISTANCE_M: f64 = *RADIUS_RANGE_M.end();

/// The most facilities one scenario removes (the study area and its ring hold about a thousand).
pub const MAX_REMOVED: usize = 1000;

/// What a scenario's added facility's position accepts.
#[must_use]
pub fn added_position() -> String {
    format!(
        "lat -90..90 and lon -180..180, within {} km of the study area",
        MAX_ADDED_DISTANCE_M / 1000.0
    )
}

/// The most places one `/underserved-places` answer lists (the study area has fewer than 200).
pub const MAX_PLACES: usize = 1000;

/// How many underserved places to list.
#[must_use]
pub fn place_count() -> WholeNumbers {
    WholeNumbers(1..=MAX_PLACES)
}

fn kind_ids() -> Vec<String> {
    strings(FacilityKind::ALL.map(FacilityKind::id))
}

/// One or more kind ids.
#[must_use]
pub fn kind_list() -> ListOf {
    ListOf(kind_ids())
}

/// Exactly one kind id.
#[must_use]
pub fn one_kind() -> OneOf {
    OneOf(kind_ids())
}

/// A floating catchment method.
#[must_use]
pub fn method() -> OneOf {
    OneOf(strings(CatchmentMethod::ALL.map(CatchmentMethod::id)))
}

/// A population group: whose residents an analysis counts.
#[must_use]
pub fn population_group() -> OneOf {
    OneOf(strings(PopulationGroup::ALL.map(PopulationGroup::id)))
}

/// The id of a grid resolution: `mesh` and the nominal cell size in metres.
#[must_use]
pub fn resolution_id(level: MeshLevel) -> String {
    format!("mesh{}", level.resolution_m())
}

/// A grid resolution.
#[must_use]
pub fn grid_resolution() -> OneOf {
    OneOf(GRID_LEVELS.map(resolution_id).to_vec())
}

/// What a coverage-gap answer reports when it is not a grid: one polygon per municipality.
pub const POLYGON: &str = "polygon";

/// A coverage-gap resolution: polygons or a grid.
#[must_use]
pub fn gap_resolution() -> OneOf {
    OneOf(std::iter::once(POLYGON.to_owned()).chain(GRID_LEVELS.map(resolution_id)).collect())
}

/// The formats offered: JSON (GeoJSON for features), as `json` or, for OGC clients, `geojson`.
#[must_use]
pub fn format() -> OneOf {
    OneOf(strings(["json", "geojson"]))
}

/// The formats of an analysis that can be exported: JSON as [`format`], or a table as `csv` or
/// an Excel workbook `xlsx`.
#[must_use]
pub fn export_format() -> OneOf {
    OneOf(strings(["json", "geojson", "csv", "xlsx"]))
}

/// Items per OGC page.
#[must_use]
pub fn page_size() -> WholeNumbers {
    WholeNumbers(1..=MAX_PAGE_SIZE)
}

/// Items an OGC page skips.
#[must_use]
pub fn page_offset() -> WholeNumbers {
    WholeNumbers(0..=usize::MAX)
}

/// A CRS: CRS84 only.
#[must_use]
pub fn crs() -> OneOf {
    OneOf(strings([CRS84]))
}

/// The OpenAPI schema types of the parameters, one per [`Accepts`] above, for
/// `#[param(value_type = Option<schemas::…>, inline)]`.
pub mod schemas {
    /// A unit struct whose OpenAPI schema is that of an [`super::Accepts`].
    macro_rules! schema_of {
        ($($(#[$doc:meta])* $name:ident => $accepts:expr;)*) => {$(
            $(#[$doc])*
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                    super::Accepts::schema(&$accepts).into()
                }
            }

            impl utoipa::ToSchema for $name {}
        )*};
    }

    schema_of! {
        /// [`super::latitude`].
        Latitude => super::latitude();
        /// [`super::longitude`].
        Longitude => super::longitude();
        /// [`super::nearest_count`].
        NearestCount => super::nearest_count();
        /// [`super::nearest_distance`].
        NearestDistance => super::nearest_distance();
        /// [`super::radius`].
        Radius => super::radius();
        /// [`super::site_count`].
        SiteCount => super::site_count();
        /// [`super::place_count`].
        PlaceCount => super::place_count();
        /// [`super::kind_list`].
        KindList => super::kind_list();
        /// [`super::one_kind`].
        OneKind => super::one_kind();
        /// [`super::method`].
        Method => super::method();
        /// [`super::grid_resolution`].
        GridResolution => super::grid_resolution();
        /// [`super::population_group`].
        PopulationGroup => super::population_group();
        /// [`super::gap_resolution`].
        GapResolution => super::gap_resolution();
        /// [`super::format`].
        Format => super::format();
        /// [`super::export_format`].
        ExportFormat => super::export_format();
        /// [`super::page_size`].
        PageSize => super::page_size();
        /// [`super::page_offset`].
        PageOffset => super::page_offset();
        /// [`super::crs`].
        Crs => super::crs();
        /// [`super::municipality_code`].
        MunicipalityCode => super::municipality_code();
        /// [`super::mesh_code`].
        MeshCode => super::mesh_code();
        /// [`super::what_if_additions`].
        WhatIfAdditions => super::what_if_additions();
        /// [`super::bbox`].
        Bbox => super::bbox();
        /// [`super::Capacity`].
        Capacity => super::Capacity;
        /// [`crate::params::Lang`].
        Lang => crate::params::Lang::accepts();
        /// [`crate::widget::zoom`].
        Zoom => crate::widget::zoom();
        /// [`crate::widget::basemap`].
        Basemap => crate::widget::basemap();
        /// [`crate::widget::centre_latitude`].
        CentreLatitude => crate::widget::centre_latitude();
        /// [`crate::widget::centre_longitude`].
        CentreLongitude => crate::widget::centre_longitude();
        /// [`crate::widget::asset_name`].
        MapAsset => crate::widget::asset_name();
        /// [`crate::planner::asset_name`].
        PlannerAsset => crate::planner::asset_name();
        /// [`crate::ogc::collection_id`].
        CollectionId => crate::ogc::collection_id();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(accepts: &impl Accepts) -> serde_json::Value {
        serde_json::to_value(accepts.schema()).unwrap_or_default()
    }

    #[test]
    fn accepted_texts_state_the_limits_and_values() {
        assert_eq!(nearest_count().accepted(), "a whole number from 1 to 100");
        assert_eq!(radius().accepted(), "a number from 100 to 30000 metres");
        assert_eq!(grid_resolution().accepted(), "mesh1000, mesh500 or mesh250");
        assert_eq!(crs().accepted(), CRS84);
        assert!(kind_list().accepted().starts_with("one or more of visiting_nursing_station, "));
    }

    #[test]
    fn schemas_carry_the_same_limits_and_values() {
        let k = json(&nearest_count());
        assert_eq!((&k["minimum"], &k["maximum"]), (&1.into(), &100.into()));
        assert_eq!(json(&radius())["maximum"], 30000);
        assert_eq!(json(&method())["enum"], serde_json::json!(["2sfca", "e2sfca"]));
        let kinds = json(&kind_list());
        let pattern = kinds["pattern"].as_str().unwrap_or_default();
        assert!(
            pattern.starts_with('^')
                && pattern.contains("(visiting_nursing_station|")
                && pattern.ends_with(")*$"),
            "{pattern}"
        );
    }

    /// The pattern of a schema, compiled (the patterns use only syntax ECMA-262 and the regex
    /// crate read alike).
    fn pattern(accepts: &impl Accepts) -> regex::Regex {
        let schema = json(accepts);
        regex::Regex::new(schema["pattern"].as_str().unwrap_or_default()).unwrap()
    }

    /// Every text of `alphabet` up to `max_len` characters long.
    fn texts(alphabet: &[&str], max_len: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..max_len {
            last =
                last.iter().flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}"))).collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    #[test]
    fn the_municipality_code_pattern_is_what_core_reads() {
        let re = pattern(&municipality_code());
        for n in 0..100_000 {
            let text = format!("{n:05}");
            assert_eq!(
                re.is_match(&text),
                text.parse::<care_atlas_core::MunicipalityCode>().is_ok(),
                "{text}"
            );
        }
        for text in ["1123", "112380", "1123a", " 11238", ""] {
            assert!(
                !re.is_match(text) && text.parse::<care_atlas_core::MunicipalityCode>().is_err()
            );
        }
    }

    #[test]
    fn the_mesh_code_pattern_is_what_core_reads() {
        let re = pattern(&mesh_code());
        // Every length from 0 to 11 over digits that reach every rule's edge (7 and 8 for the
        // second mesh, 0 and 5 for the quadrants, 79 and 80 for the longitude code).
        let mut checked = 0;
        for text in texts(&["0", "1", "4", "5", "7", "8", "9"], 6) {
            for tail in ["", "1", "5", "14", "41", "50", "0000", "1111"] {
                let text = format!("{text}{tail}");
                let read = text.parse::<care_atlas_core::MeshCode>().is_ok();
                assert_eq!(re.is_match(&text), read, "{text}");
                checked += usize::from(read);
            }
        }
        assert!(checked > 1000, "{checked}");
        assert!(!re.is_match("5339a611"));
    }

    #[test]
    fn kind_lists_may_have_the_white_space_the_server_trims() {
        let re = pattern(&kind_list());
        for text in [
            "hospital",
            "hospital,clinic",
            " hospital ,\tclinic",
            "hospital,\u{3000}clinic\u{85}",
            "",
            "hospital,",
            "hospice",
            "hospital;clinic",
            "\u{feff}hospital",
            "\u{1f}hospital",
        ] {
            assert_eq!(re.is_match(text), crate::params::kinds(Some(text)).is_ok(), "{text:?}");
        }
    }

    #[test]
    fn what_if_additions_pattern_states_form_and_count() {
        let re = pattern(&what_if_additions());
        for text in ["", "36.01,139.7", "36.01,139.7;36.02,139.71", " +36 , 1e2 ", ".5,1."] {
            assert!(re.is_match(text), "{text:?}");
        }
        for text in ["36.01", "36.01,139.7;", "a,b", "1,2,3", "inf,1", "NaN,1"] {
            assert!(!re.is_match(text), "{text:?}");
        }
        let most = vec!["36,139"; MAX_SCENARIO_ADDITIONS];
        assert!(re.is_match(&most.join(";")));
        assert!(!re.is_match(&[most, vec!["36,139"]].concat().join(";")));
    }

    #[test]
    fn whole_numbers_state_their_maximum_and_the_format_that_holds_it() {
        let offset = json(&page_offset());
        assert_eq!(offset["maximum"], serde_json::json!(usize::MAX));
        assert!(offset.get("format").is_none());
        assert_eq!(json(&nearest_count())["format"], "int32");
    }

    #[test]
    fn checks_name_the_parameter_and_what_it_accepts() {
        let err = latitude().check("lat", Some("north")).unwrap_err();
        assert_eq!(err.to_string(), "parameter `lat`: `north` is not a number");
        assert!(latitude().check("lat", Some("91")).is_err());
        assert!(latitude().check("lat", Some("NaN")).is_err());
        assert_eq!(latitude().check("lat", None), Ok(None));
        let too_many = nearest_count().check("k", Some("101")).unwrap_err().problem();
        assert_eq!(too_many.accepted.as_deref(), Some("a whole number from 1 to 100"));
        assert_eq!(method().check("method", Some("e2sfca"), "a method"), Ok(Some(1)));
        assert!(method().check("method", Some("3sfca"), "a method").is_err());
    }
}
