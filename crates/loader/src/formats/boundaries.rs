//! GeoJSON boundary files (N03 and our canonical `municipalities.geojson`): the feature
//! collection read, each feature parsed by its layout, and the features of one municipality merged.

use std::collections::BTreeMap;
use std::path::Path;

use care_atlas_core::{Municipality, MunicipalityCode};
use geo::orient::Direction;
use geo::{MultiPolygon, Orient, Polygon};
use serde_json::Value;

use super::{Format, ParseOptions, canonical, official};
use crate::records::{Batch, Sourced};
use crate::{LoadError, RowError, RowLocation};

/// Why a GeoJSON feature was not read: a bad feature is a row error, while a municipality whose
/// role nobody states stops the import, since the study area cannot be guessed.
pub(super) enum FeatureError {
    Row(String),
    RoleUnstated(String),
}

impl From<String> for FeatureError {
    fn from(reason: String) -> Self {
        FeatureError::Row(reason)
    }
}

impl From<&str> for FeatureError {
    fn from(reason: &str) -> Self {
        FeatureError::Row(reason.to_owned())
    }
}

/// A (Multi)Polygon geometry as a MultiPolygon wound as RFC 7946 asks (exteriors
/// counter-clockwise, holes clockwise), whatever the source's winding: geodesic areas depend on it.
pub(super) fn multi_polygon(
    geometry: Option<&geojson::Geometry>,
) -> Result<MultiPolygon<f64>, String> {
    let geometry = geometry.ok_or("feature has no geometry")?;
    positions_are_pairs(&geometry.value)?;
    let shape = match &geometry.value {
        geojson::GeometryValue::Polygon { .. } => Polygon::try_from(&geometry.value)
            .map(|p| MultiPolygon(vec![p]))
            .map_err(|e| e.to_string()),
        geojson::GeometryValue::MultiPolygon { .. } => {
            MultiPolygon::try_from(&geometry.value).map_err(|e| e.to_string())
        }
        other => Err(format!("geometry is a {}, not a (Multi)Polygon", other.type_name())),
    }?;
    Ok(shape.orient(Direction::Default))
}

/// Refuses a position of fewer than two numbers (or more than three) before geojson's conversion,
/// which indexes the second number unchecked and panics on `[139.0]`.
fn positions_are_pairs(value: &geojson::GeometryValue) -> Result<(), String> {
    let rings: Vec<&Vec<geojson::Position>> = match value {
        geojson::GeometryValue::Polygon { coordinates } => coordinates.iter().collect(),
        geojson::GeometryValue::MultiPolygon { coordinates } => {
            coordinates.iter().flatten().collect()
        }
        _ => Vec::new(),
    };
    match rings.into_iter().flatten().find(|position| !(2..=3).contains(&position.len())) {
        Some(position) => Err(format!(
            "a position has {} numbers ({:?}); each needs longitude and latitude",
            position.len(),
            position.as_slice()
        )),
        None => Ok(()),
    }
}

pub(super) fn text_property<'a>(
    properties: &'a serde_json::Map<String, Value>,
    key: &str,
) -> Option<&'a str> {
    properties.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// Parses an N03 or canonical municipalities GeoJSON file. Features of the same municipality
/// (N03 splits islands and enclaves into features in some editions) are merged.
pub fn parse_geojson(
    path: &Path,
    text: &str,
    forced: Option<Format>,
    options: &ParseOptions,
) -> Result<(Batch, Format), LoadError> {
    let collection: geojson::FeatureCollection =
        serde_json::from_str(text).map_err(|e| LoadError::Syntax {
            path: path.to_owned(),
            line: e.line() as u64,
            message: format!("not a GeoJSON FeatureCollection: {e}"),
        })?;
    let first_properties = collection.features.first().and_then(|f| f.properties.as_ref());
    let format = match forced {
        Some(format) => format,
        None if first_properties.is_some_and(|p| p.contains_key("N03_007")) => Format::N03,
        None if first_properties
            .is_some_and(|p| p.contains_key("code") && p.contains_key("role")) =>
        {
            Format::Municipalities
        }
        None => {
            return Err(LoadError::UnknownFormat {
                path: path.to_owned(),
                detail: "GeoJSON features have neither N03 properties (N03_007) nor our own (code, role)".into(),
                formats: Format::all_ids(),
            });
        }
    };
    let default_source =
        options.source.clone().unwrap_or_else(|| format.default_source().to_owned());
    let mut merged: BTreeMap<MunicipalityCode, Sourced<Municipality>> = BTreeMap::new();
    let mut row_errors = Vec::new();
    for (index, feature) in collection.features.iter().enumerate() {
        let location = RowLocation::Feature(index + 1);
        let empty = serde_json::Map::new();
        let properties = feature.properties.as_ref().unwrap_or(&empty);
        let parsed = if format == Format::N03 {
            official::n03_feature(
                properties,
                feature.geometry.as_ref(),
                &default_source,
                options.roles.as_ref(),
            )
        } else {
            canonical::municipality_feature(properties, feature.geometry.as_ref())
                .map_err(FeatureError::Row)
        };
        match parsed {
            Ok((source, municipality)) => match merged.get_mut(&municipality.code) {
                Some(existing) => existing.value.boundary.0.extend(municipality.boundary.0),
                None => {
                    merged.insert(
                        municipality.code,
                        Sourced { source, location, value: municipality },
                    );
                }
            },
            Err(FeatureError::RoleUnstated(municipality)) => {
                return Err(LoadError::RoleUnstated { path: path.to_owned(), municipality });
            }
            Err(FeatureError::Row(reason)) => row_errors.push(RowError {
                path: path.to_owned(),
                location,
                record_id: text_property(properties, "N03_007")
                    .or(text_property(properties, "code"))
                    .map(str::to_owned),
                name: text_property(properties, "N03_004")
                    .or(text_property(properties, "name"))
                    .map(str::to_owned),
                reason,
            }),
        }
    }
    let batch = Batch {
        municipalities: merged.into_values().collect(),
        rows_read: collection.features.len(),
        row_errors,
        ..Batch::default()
    };
    Ok((batch, format))
}
