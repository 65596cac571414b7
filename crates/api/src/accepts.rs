//! What each query parameter accepts, stated once from core's constants: the check, the problem
//! document's `accepted` text and the OpenAPI schema all come from the same [`Accepts`], so that
//! a limit changed in core changes all three.
//!
//! The parameter structs point at a schema type of [`schemas`] (`#[param(value_type = …,
//! inline)]`, since utoipa's attributes take literals only); each one renders an [`Accepts`]
//! built here.

use std::ops::RangeInclusive;

use care_atlas_core::{
    CatchmentMethod, FacilityKind, GRID_LEVELS, MAX_DISTANCE_RANGE_M, MAX_NEAREST, MAX_PAGE_SIZE,
    MAX_SITES, MeshLevel, PopulationGroup, Position, RADIUS_RANGE_M,
};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};

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

    fn schema(&self) -> Schema {
        let end = *self.0.end();
        Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .minimum(Some(*self.0.start()))
                .maximum((end != usize::MAX).then_some(end))
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

    fn schema(&self) -> Schema {
        let one = format!("({})", self.0.join("|"));
        Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(format!("^{one}(,{one})*$")))
                .description(Some(self.accepted()))
                .build(),
        )
    }
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
        assert!(json(&page_offset()).get("maximum").is_none());
        let kinds = json(&kind_list());
        let pattern = kinds["pattern"].as_str().unwrap_or_default();
        assert!(
            pattern.starts_with("^(visiting_nursing_station|") && pattern.ends_with(")*$"),
            "{pattern}"
        );
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
