//! Turning query and path parameters into the typed, checked values core takes, with an error
//! naming the parameter and what it accepts for anything else.

use care_atlas_core::{
    Atlas, CatchmentMethod, ComparisonQuery, FacilityId, FacilityKind, GRID_LEVELS, GapResolution,
    MAX_SCENARIO_ADDITIONS, MeshCode, MeshLevel, MunicipalityCode, OriginError, PopulationGroup,
    Position, Scenario, Supply,
};

use crate::ApiError;
use crate::accepts::{self, Accepts, OneOf};
use crate::dto::ScenarioRequest;
use crate::error::AddressChoice;

/// A position from `lat` and `lon`, both or neither.
pub fn position(lat: Option<&str>, lon: Option<&str>) -> Result<Option<Position>, ApiError> {
    let (lat_accepts, lon_accepts) = (accepts::latitude(), accepts::longitude());
    let lat_value = lat_accepts.check("lat", lat)?;
    let lon_value = lon_accepts.check("lon", lon)?;
    match (lat_value, lon_value) {
        (None, None) => Ok(None),
        (Some(_), None) => {
            Err(ApiError::missing("lon", format!("{}, with lat", lon_accepts.accepted())))
        }
        (None, Some(_)) => {
            Err(ApiError::missing("lat", format!("{}, with lon", lat_accepts.accepted())))
        }
        (Some(lat), Some(lon)) => Position::new(lat, lon).map(Some).map_err(|e| match e {
            care_atlas_core::PositionError::Latitude(_) => {
                ApiError::invalid("lat", e.to_string(), lat_accepts.accepted())
            }
            care_atlas_core::PositionError::Longitude(_) => {
                ApiError::invalid("lon", e.to_string(), lon_accepts.accepted())
            }
        }),
    }
}

/// Kinds from a comma-separated list of kind ids; empty when absent.
pub fn kinds(value: Option<&str>) -> Result<Vec<FacilityKind>, ApiError> {
    let Some(text) = value else { return Ok(Vec::new()) };
    text.split(',')
        .map(str::trim)
        .map(|id| {
            id.parse::<FacilityKind>().map_err(|e| {
                ApiError::invalid("kind", e.to_string(), accepts::kind_list().accepted())
            })
        })
        .collect()
}

/// Exactly one kind.
pub fn one_kind(value: Option<&str>) -> Result<FacilityKind, ApiError> {
    let accepted = || accepts::one_kind().accepted();
    let text = value.ok_or_else(|| ApiError::missing("kind", accepted()))?;
    text.trim()
        .parse::<FacilityKind>()
        .map_err(|e| ApiError::invalid("kind", e.to_string(), accepted()))
}

/// A radius or catchment in metres within [`care_atlas_core::RADIUS_RANGE_M`].
pub fn radius(name: &str, value: Option<&str>) -> Result<f64, ApiError> {
    let accepts = accepts::radius();
    accepts.check(name, value)?.ok_or_else(|| ApiError::missing(name, accepts.accepted()))
}

/// A municipality code.
pub fn municipality_code(name: &str, text: &str) -> Result<MunicipalityCode, ApiError> {
    text.parse().map_err(|e: care_atlas_core::MunicipalityCodeError| {
        ApiError::invalid(name, e.to_string(), accepts::municipality_code().accepted())
    })
}

/// The code of a study-area municipality, or `None` when absent.
pub fn study_area_code(
    atlas: &Atlas,
    name: &str,
    text: Option<&str>,
) -> Result<Option<MunicipalityCode>, ApiError> {
    let Some(text) = text else { return Ok(None) };
    let code = municipality_code(name, text)?;
    if atlas.study_area().any(|m| m.code == code) {
        return Ok(Some(code));
    }
    let codes: Vec<String> =
        atlas.study_area().map(|m| format!("{} ({})", m.code, m.name)).collect();
    Err(ApiError::invalid(
        name,
        format!("{code} is not in the study area"),
        accepts::or_list(&codes),
    ))
}

/// The code of a municipality on the map (the study area and its neighbours).
pub fn mapped_code(atlas: &Atlas, name: &str, text: &str) -> Result<MunicipalityCode, ApiError> {
    let code = municipality_code(name, text)?;
    match atlas.municipality(code) {
        Some(_) => Ok(code),
        None => Err(ApiError::invalid(
            name,
            format!("{code} is not mapped"),
            "the code of a municipality on the map (see /areas)",
        )),
    }
}

/// The study-area municipalities' names, as data gives them, joined by `separator`.
#[must_use]
pub fn study_area_names(atlas: &Atlas, separator: &str) -> String {
    atlas.study_area().map(|m| m.name.as_str()).collect::<Vec<_>>().join(separator)
}

/// An origin core could not place, against the parameter that named it: an unknown facility is
/// a 404 naming `from`; an address the gazetteer cannot place, or that may stand for towns of
/// several municipalities, a 400 naming `address`, saying where addresses can be placed or
/// asking which place was meant (in Japanese, the resident's language, then in English) and
/// listing the places with an address for each, for a page to offer as choices.
#[must_use]
pub fn origin_error(atlas: &Atlas, error: &OriginError) -> ApiError {
    let names: Vec<String> = atlas.address_municipalities().map(|m| m.name.clone()).collect();
    let accepted = format!(
        "an address in {}, written as residents write it; a town name found in more than one of them needs its municipality",
        names.join(", ")
    );
    match error {
        OriginError::UnknownFacility(_) => {
            ApiError::NotFound { parameter: "from".into(), detail: error.to_string() }
        }
        OriginError::UnknownAddress(_) => ApiError::invalid(
            "address",
            format!("{error}: addresses are placed in the towns of {} only", and_list(&names)),
            accepted,
        ),
        OriginError::AmbiguousAddress { address, candidates } => {
            let which = if candidates.len() == 2 { "どちら" } else { "いずれ" };
            let towns: Vec<&str> = candidates.iter().map(|c| c.town.as_str()).collect();
            ApiError::AmbiguousAddress {
                detail: format!(
                    "「{address}」は{}の{which}ですか ({error}; write the municipality to say which)",
                    towns.join("、")
                ),
                accepted,
                candidates: candidates
                    .iter()
                    .map(|c| AddressChoice {
                        town: c.town.clone(),
                        municipality_code: c.municipality_code.to_string(),
                        address: c.address.clone(),
                    })
                    .collect(),
            }
        }
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(values: &[String]) -> String {
    match values.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// A JIS mesh code.
pub fn mesh_code(name: &str, text: &str) -> Result<MeshCode, ApiError> {
    text.parse().map_err(|e: care_atlas_core::MeshCodeError| {
        ApiError::invalid(name, e.to_string(), accepts::mesh_code().accepted())
    })
}

/// A grid resolution (`mesh1000`, `mesh500`, `mesh250`), or `default` when absent.
pub fn grid_resolution(
    name: &str,
    text: Option<&str>,
    default: MeshLevel,
) -> Result<MeshLevel, ApiError> {
    let choice = accepts::grid_resolution().check(name, text, "a resolution")?;
    Ok(choice.map_or(default, |i| GRID_LEVELS[i]))
}

/// A coverage-gap resolution: `polygon` (the default) or a grid resolution.
pub fn gap_resolution(name: &str, text: Option<&str>) -> Result<GapResolution, ApiError> {
    // The first choice is the polygon; the others are the grid levels in order.
    let choice = accepts::gap_resolution().check(name, text, "a resolution")?;
    Ok(match choice {
        None | Some(0) => GapResolution::Polygon,
        Some(i) => GapResolution::Mesh(GRID_LEVELS[i - 1]),
    })
}

/// A floating catchment method, or `default` when absent.
pub fn method(
    name: &str,
    text: Option<&str>,
    default: CatchmentMethod,
) -> Result<CatchmentMethod, ApiError> {
    let choice = accepts::method().check(name, text, "a method")?;
    Ok(choice.map_or(default, |i| CatchmentMethod::ALL[i]))
}

/// A population group, `total` when absent. A group the population model in use does not know
/// (an age group without the census mesh) is refused naming the parameter: unknown is never
/// answered as zero.
pub fn population_group(
    atlas: &Atlas,
    name: &str,
    text: Option<&str>,
) -> Result<PopulationGroup, ApiError> {
    let choice = accepts::population_group().check(name, text, "a population group")?;
    let group = choice.map_or(PopulationGroup::Total, |i| PopulationGroup::ALL[i]);
    let model = atlas.population_model();
    if model.knows(group) {
        Ok(group)
    } else {
        let known: Vec<String> = PopulationGroup::ALL
            .into_iter()
            .filter(|g| model.knows(*g))
            .map(|g| g.id().to_owned())
            .collect();
        Err(ApiError::invalid(
            name,
            format!(
                "the population model in use ({}) does not know `{}`: the database has no census mesh with age groups",
                model.name(),
                group.id()
            ),
            accepts::or_list(&known),
        ))
    }
}

/// The `f` (format) parameter: JSON (GeoJSON for features) is the only format offered, as `json`
/// or, for OGC clients, `geojson`.
pub fn json_format(f: Option<&str>) -> Result<(), ApiError> {
    accepts::format().check("f", f, "a format offered").map(|_| ())
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
    /// Every language offered, the default first.
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    /// The language's tag: `ja` or `en`.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// What the `lang` parameter accepts.
    #[must_use]
    pub fn accepts() -> OneOf {
        OneOf(Lang::ALL.map(|l| l.id().to_owned()).to_vec())
    }

    /// From `lang=ja|en`, else the first of `ja`/`en` in Accept-Language, else Japanese.
    pub fn choose(lang: Option<&str>, accept_language: Option<&str>) -> Result<Lang, ApiError> {
        match Lang::accepts().check("lang", lang, "a language offered")? {
            Some(i) => Ok(Lang::ALL[i]),
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

/// The question and the scenario of a `POST /scenarios` body, each value checked and named by its
/// place in the body (`add[2].capacity`, `remove[0]`).
pub fn scenario(
    atlas: &Atlas,
    request: &ScenarioRequest,
) -> Result<(ComparisonQuery, Scenario), ApiError> {
    let kind = one_kind(Some(&request.kind))?;
    let group = population_group(atlas, "population", request.population.as_deref())?;
    let radius_m = accepts::radius().check_value("radius_m", request.radius_m)?;
    let catchment_m =
        accepts::radius().check_value("catchment_m", request.catchment_m.unwrap_or(radius_m))?;
    if request.add.len() > MAX_SCENARIO_ADDITIONS {
        return Err(ApiError::invalid(
            "add",
            format!("{} facilities", request.add.len()),
            format!("at most {MAX_SCENARIO_ADDITIONS} facilities"),
        ));
    }
    if request.remove.len() > accepts::MAX_REMOVED {
        return Err(ApiError::invalid(
            "remove",
            format!("{} facilities", request.remove.len()),
            format!("at most {} facilities", accepts::MAX_REMOVED),
        ));
    }
    let study_area = study_area_bounds(atlas);
    let mut add = Vec::with_capacity(request.add.len());
    for (i, a) in request.add.iter().enumerate() {
        let name = format!("add[{i}]");
        let position = Position::new(a.lat, a.lon)
            .map_err(|e| ApiError::invalid(&name, e.to_string(), accepts::added_position()))?;
        if let Some(bounds) = study_area {
            let distance_m = distance_to_rect_m(bounds, position);
            if distance_m > accepts::MAX_ADDED_DISTANCE_M {
                return Err(ApiError::invalid(
                    &name,
                    format!("{:.0} km from the study area", distance_m / 1000.0),
                    accepts::added_position(),
                ));
            }
        }
        let capacity = accepts::Capacity
            .check_value(&format!("{name}.capacity"), a.capacity.unwrap_or(1.0))?;
        add.push(Supply { position, capacity });
    }
    let mut remove = Vec::with_capacity(request.remove.len());
    for (i, id) in request.remove.iter().enumerate() {
        let id = FacilityId::new(id.clone());
        if atlas.facility(&id).is_none() {
            return Err(ApiError::invalid(
                &format!("remove[{i}]"),
                format!("no facility has the id `{id}`"),
                "ids of existing facilities",
            ));
        }
        remove.push(id);
    }
    let accessibility_level =
        grid_resolution("resolution", request.resolution.as_deref(), MeshLevel::Half)?;
    Ok((
        ComparisonQuery { kind, radius_m, catchment_m, group, accessibility_level },
        Scenario { add, remove },
    ))
}

/// The bounding rectangle of the study area's boundaries, if it has any.
fn study_area_bounds(atlas: &Atlas) -> Option<geo::Rect<f64>> {
    use geo::BoundingRect as _;
    atlas.study_area().filter_map(|m| m.boundary.bounding_rect()).reduce(|a, b| {
        geo::Rect::new(
            geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        )
    })
}

/// The distance in metres from `position` to the nearest point of `rect` (0 inside it).
fn distance_to_rect_m(rect: geo::Rect<f64>, position: Position) -> f64 {
    use geo::{Distance as _, Haversine};
    let point = position.to_point();
    let nearest = geo::Point::new(
        point.x().clamp(rect.min().x, rect.max().x),
        point.y().clamp(rect.min().y, rect.max().y),
    );
    Haversine.distance(point, nearest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_distance_to_the_study_area_is_zero_inside_and_grows_outside() {
        let rect =
            geo::Rect::new(geo::coord! { x: 139.6, y: 35.9 }, geo::coord! { x: 139.8, y: 36.1 });
        let at = |lat, lon| distance_to_rect_m(rect, Position::new(lat, lon).unwrap());
        assert!(at(36.0, 139.7).abs() < f64::EPSILON);
        // 0.1° of latitude north of the rectangle is about 11.1 km.
        assert!((at(36.2, 139.7) - 11_120.0).abs() < 50.0, "{}", at(36.2, 139.7));
        assert!(at(0.0, 139.7) > 3_900_000.0);
    }

    #[test]
    fn resolutions_map_to_the_grid_levels() {
        assert_eq!(grid_resolution("resolution", None, MeshLevel::Half), Ok(MeshLevel::Half));
        assert_eq!(
            grid_resolution("resolution", Some("mesh250"), MeshLevel::Half),
            Ok(MeshLevel::Quarter)
        );
        assert_eq!(gap_resolution("resolution", Some("polygon")), Ok(GapResolution::Polygon));
        assert_eq!(
            gap_resolution("resolution", Some("mesh1000")),
            Ok(GapResolution::Mesh(MeshLevel::Third))
        );
        assert!(gap_resolution("resolution", Some("mesh100")).is_err());
        assert_eq!(
            method("method", None, CatchmentMethod::Enhanced),
            Ok(CatchmentMethod::Enhanced)
        );
        assert_eq!(
            method("method", Some("2sfca"), CatchmentMethod::Enhanced),
            Ok(CatchmentMethod::TwoStep)
        );
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
