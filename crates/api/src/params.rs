//! Turning query and path parameters into the typed, checked values core takes, with an error
//! naming the parameter and what it accepts for anything else.

use care_atlas_core::{
    FacilityKind, MeshCode, MeshLevel, MunicipalityCode, Position, RADIUS_RANGE_M,
};

use crate::ApiError;

/// What the kind parameter accepts.
fn kind_ids() -> String {
    FacilityKind::ALL.map(FacilityKind::id).join(", ")
}

/// A finite number within `range`, or `None` when absent.
pub fn number(
    name: &str,
    value: Option<&str>,
    range: std::ops::RangeInclusive<f64>,
    unit: &str,
) -> Result<Option<f64>, ApiError> {
    let accepted = || format!("a number from {} to {}{unit}", range.start(), range.end());
    let Some(text) = value else { return Ok(None) };
    let parsed: f64 = text
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid(name, format!("`{text}` is not a number"), accepted()))?;
    if !parsed.is_finite() || !range.contains(&parsed) {
        return Err(ApiError::invalid(name, format!("{text} is out of range"), accepted()));
    }
    Ok(Some(parsed))
}

/// A whole number within `range`, or `None` when absent.
pub fn whole(
    name: &str,
    value: Option<&str>,
    range: std::ops::RangeInclusive<usize>,
) -> Result<Option<usize>, ApiError> {
    let accepted = || format!("a whole number from {} to {}", range.start(), range.end());
    let Some(text) = value else { return Ok(None) };
    let parsed: usize = text.trim().parse().map_err(|_| {
        ApiError::invalid(name, format!("`{text}` is not a whole number"), accepted())
    })?;
    if !range.contains(&parsed) {
        return Err(ApiError::invalid(name, format!("{parsed} is out of range"), accepted()));
    }
    Ok(Some(parsed))
}

/// A position from `lat` and `lon`, both or neither.
pub fn position(lat: Option<&str>, lon: Option<&str>) -> Result<Option<Position>, ApiError> {
    let lat_value = number("lat", lat, -90.0..=90.0, " degrees")?;
    let lon_value = number("lon", lon, -180.0..=180.0, " degrees")?;
    match (lat_value, lon_value) {
        (None, None) => Ok(None),
        (Some(_), None) => {
            Err(ApiError::missing("lon", "a number from -180 to 180 degrees, with lat"))
        }
        (None, Some(_)) => {
            Err(ApiError::missing("lat", "a number from -90 to 90 degrees, with lon"))
        }
        (Some(lat), Some(lon)) => Position::new(lat, lon)
            .map(Some)
            .map_err(|e| ApiError::invalid("lat", e.to_string(), "WGS84 degrees")),
    }
}

/// Kinds from a comma-separated list of kind ids; empty when absent.
pub fn kinds(value: Option<&str>) -> Result<Vec<FacilityKind>, ApiError> {
    let Some(text) = value else { return Ok(Vec::new()) };
    text.split(',')
        .map(str::trim)
        .map(|id| {
            id.parse::<FacilityKind>().map_err(|e| {
                ApiError::invalid(
                    "kind",
                    e.to_string(),
                    format!("one or more of {}, comma-separated", kind_ids()),
                )
            })
        })
        .collect()
}

/// Exactly one kind.
pub fn one_kind(value: Option<&str>) -> Result<FacilityKind, ApiError> {
    let accepted = || format!("one of {}", kind_ids());
    let text = value.ok_or_else(|| ApiError::missing("kind", accepted()))?;
    text.trim()
        .parse::<FacilityKind>()
        .map_err(|e| ApiError::invalid("kind", e.to_string(), accepted()))
}

/// A radius or catchment in metres within [`RADIUS_RANGE_M`].
pub fn radius(name: &str, value: Option<&str>) -> Result<f64, ApiError> {
    let range = RADIUS_RANGE_M;
    number(name, value, range.clone(), " metres")?.ok_or_else(|| {
        ApiError::missing(
            name,
            format!("a number from {} to {} metres", range.start(), range.end()),
        )
    })
}

/// A municipality code.
pub fn municipality_code(name: &str, text: &str) -> Result<MunicipalityCode, ApiError> {
    text.parse().map_err(|e: care_atlas_core::MunicipalityCodeError| {
        ApiError::invalid(name, e.to_string(), "a five-digit municipality code such as 11238")
    })
}

/// A JIS mesh code.
pub fn mesh_code(name: &str, text: &str) -> Result<MeshCode, ApiError> {
    text.parse().map_err(|e: care_atlas_core::MeshCodeError| {
        ApiError::invalid(
            name,
            e.to_string(),
            "a JIS X 0410 mesh code of 4, 6, 8, 9 or 10 digits, such as 5339759431",
        )
    })
}

/// A gap or accessibility grid resolution (`mesh1000`, `mesh500`, `mesh250`).
pub fn mesh_resolution(name: &str, text: &str) -> Result<MeshLevel, ApiError> {
    match text {
        "mesh1000" => Ok(MeshLevel::Third),
        "mesh500" => Ok(MeshLevel::Half),
        "mesh250" => Ok(MeshLevel::Quarter),
        other => Err(ApiError::invalid(
            name,
            format!("`{other}` is not a resolution"),
            "mesh1000, mesh500 or mesh250",
        )),
    }
}

/// The `f` (format) parameter: JSON (GeoJSON for features) is the only format offered, as `json`
/// or, for OGC clients, `geojson`.
pub fn json_format(f: Option<&str>) -> Result<(), ApiError> {
    match f {
        None | Some("json" | "geojson") => Ok(()),
        Some(other) => {
            Err(ApiError::invalid("f", format!("`{other}` is not a format offered"), "json"))
        }
    }
}

/// The language of labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Japanese (the default).
    #[default]
    Ja,
    /// English.
    En,
}

impl Lang {
    /// From `lang=ja|en`, else the first of `ja`/`en` in Accept-Language, else Japanese.
    pub fn choose(lang: Option<&str>, accept_language: Option<&str>) -> Result<Lang, ApiError> {
        match lang {
            Some("ja") => Ok(Lang::Ja),
            Some("en") => Ok(Lang::En),
            Some(other) => Err(ApiError::invalid(
                "lang",
                format!("`{other}` is not a language offered"),
                "ja or en",
            )),
            None => Ok(accept_language
                .and_then(|header| {
                    header
                        .split(',')
                        .map(|part| {
                            part.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
                        })
                        .find_map(|tag| {
                            if tag.starts_with("ja") {
                                Some(Lang::Ja)
                            } else if tag.starts_with("en") {
                                Some(Lang::En)
                            } else {
                                None
                            }
                        })
                })
                .unwrap_or_default()),
        }
    }

    /// The label of a kind in this language.
    #[must_use]
    pub fn kind_label(self, kind: FacilityKind) -> &'static str {
        match self {
            Lang::Ja => kind.label_ja(),
            Lang::En => kind.label_en(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_name_the_parameter_and_range() {
        let err = number("lat", Some("north"), -90.0..=90.0, " degrees").unwrap_err();
        assert_eq!(err.to_string(), "parameter `lat`: `north` is not a number");
        assert!(number("lat", Some("91"), -90.0..=90.0, " degrees").is_err());
        assert!(number("lat", Some("NaN"), -90.0..=90.0, " degrees").is_err());
        assert_eq!(number("lat", None, -90.0..=90.0, "").unwrap(), None);
    }

    #[test]
    fn positions_need_both_coordinates() {
        assert!(position(Some("36"), None).is_err());
        assert_eq!(
            position(Some("36"), Some("139.6")).unwrap().map(|p| (p.lat(), p.lon())),
            Some((36.0, 139.6))
        );
    }

    #[test]
    fn kinds_are_a_comma_list_of_ids() {
        assert_eq!(
            kinds(Some("hospital,clinic")).unwrap(),
            vec![FacilityKind::Hospital, FacilityKind::Clinic]
        );
        assert!(kinds(Some("hospital,hospice")).unwrap_err().to_string().contains("hospice"));
    }

    #[test]
    fn language_from_parameter_or_header() {
        assert_eq!(Lang::choose(None, Some("en-GB,en;q=0.8")).unwrap(), Lang::En);
        assert_eq!(Lang::choose(None, Some("fr, ja;q=0.5")).unwrap(), Lang::Ja);
        assert_eq!(Lang::choose(Some("en"), Some("ja")).unwrap(), Lang::En);
        assert!(Lang::choose(Some("de"), None).is_err());
    }
}
