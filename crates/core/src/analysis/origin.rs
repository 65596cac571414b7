//! Where a search starts: a point, a facility or an address, resolved against the snapshot into a
//! position with the precision it has, what it stands for, and the facility to leave out of the
//! answer. Addresses are placed at their town's point (大字・町丁目), never at the door.

use crate::{
    Atlas, FacilityId, MunicipalityCode, NearestFacility, NearestQuery, Position,
    municipality_in_address, normalise_address, split_prefecture,
};

/// A search origin as asked.
#[derive(Debug, Clone, PartialEq)]
pub enum OriginQuery {
    /// Coordinates.
    Point(Position),
    /// A facility's position (the facility itself is left out of the answer).
    Facility(FacilityId),
    /// An address, placed at its town's point.
    Address(String),
}

/// How precisely a resolved origin stands for what was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OriginPrecision {
    /// Coordinates were given.
    Exact,
    /// A facility's position.
    Facility,
    /// An address placed at its 大字・町丁目 point.
    Town,
    /// An address naming a town of several 丁目 without saying which: the mean of their points.
    TownMeanOfChome,
}

impl OriginPrecision {
    /// Every precision, most precise first.
    pub const ALL: [OriginPrecision; 4] = [
        OriginPrecision::Exact,
        OriginPrecision::Facility,
        OriginPrecision::Town,
        OriginPrecision::TownMeanOfChome,
    ];

    /// The stable id (`exact`, `facility`, `town`, `town_mean_of_chome`).
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            OriginPrecision::Exact => "exact",
            OriginPrecision::Facility => "facility",
            OriginPrecision::Town => "town",
            OriginPrecision::TownMeanOfChome => "town_mean_of_chome",
        }
    }
}

/// An origin placed on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedOrigin {
    /// Where the search starts.
    pub position: Position,
    /// How precisely `position` stands for what was asked.
    pub precision: OriginPrecision,
    /// The facility's name or the town matched; `None` for coordinates.
    pub described_as: Option<String>,
    /// The facility searched from, left out of the answer.
    pub leave_out: Option<FacilityId>,
}

/// Why an origin cannot be placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    /// No facility has the id.
    #[error("no facility has the id `{0}`")]
    UnknownFacility(FacilityId),
    /// The gazetteer knows no town the address names.
    #[error("`{0}` names no 大字・町丁目 the gazetteer knows")]
    UnknownAddress(String),
}

/// Where an address was placed: always a town's point, never the door.
#[derive(Debug, Clone, PartialEq)]
pub struct AddressOrigin {
    /// The town's representative point.
    pub position: Position,
    /// The municipality the address names.
    pub municipality_code: MunicipalityCode,
    /// The municipality and town matched (`蓮田市東五丁目`).
    pub town: String,
    /// Set when the address named a town of several 丁目 without saying which: the point is the
    /// mean of that many 丁目 points.
    pub mean_of_chome: Option<usize>,
}

impl Atlas {
    /// Places an address at its town's point with the gazetteer (town-level precision at best).
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts};
    /// assert!(Atlas::new(AtlasParts::default()).locate_address("埼玉県蓮田市東5-8-28").is_none());
    /// ```
    #[must_use]
    pub fn locate_address(&self, address: &str) -> Option<AddressOrigin> {
        let normalised = normalise_address(address);
        let (prefecture, rest) = split_prefecture(&normalised);
        let candidates =
            self.municipalities().iter().filter(|m| prefecture.is_none_or(|p| p == m.prefecture));
        let (municipality, rest) = municipality_in_address(rest, candidates)?;
        let found = self.gazetteer().locate(municipality.code, rest)?;
        Some(AddressOrigin {
            position: found.position,
            municipality_code: municipality.code,
            town: format!("{}{}", municipality.name, found.town),
            mean_of_chome: found.mean_of_chome,
        })
    }

    /// Places `origin`: coordinates as given, a facility at its position (to be left out), an
    /// address at its town's point.
    ///
    /// # Errors
    /// [`OriginError::UnknownFacility`] or [`OriginError::UnknownAddress`].
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, FacilityId, OriginError, OriginPrecision, OriginQuery, Position};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// let here = Position::new(36.0, 139.65).unwrap();
    /// let origin = atlas.resolve_origin(&OriginQuery::Point(here)).unwrap();
    /// assert_eq!((origin.position, origin.precision), (here, OriginPrecision::Exact));
    /// let missing = FacilityId::new("nope".into());
    /// assert_eq!(atlas.resolve_origin(&OriginQuery::Facility(missing.clone())), Err(OriginError::UnknownFacility(missing)));
    /// ```
    pub fn resolve_origin(&self, origin: &OriginQuery) -> Result<ResolvedOrigin, OriginError> {
        match origin {
            OriginQuery::Point(position) => Ok(ResolvedOrigin {
                position: *position,
                precision: OriginPrecision::Exact,
                described_as: None,
                leave_out: None,
            }),
            OriginQuery::Facility(id) => {
                let facility =
                    self.facility(id).ok_or_else(|| OriginError::UnknownFacility(id.clone()))?;
                Ok(ResolvedOrigin {
                    position: facility.position,
                    precision: OriginPrecision::Facility,
                    described_as: Some(facility.name.clone()),
                    leave_out: Some(facility.id.clone()),
                })
            }
            OriginQuery::Address(address) => {
                let located = self
                    .locate_address(address)
                    .ok_or_else(|| OriginError::UnknownAddress(address.clone()))?;
                Ok(ResolvedOrigin {
                    position: located.position,
                    precision: if located.mean_of_chome.is_some() {
                        OriginPrecision::TownMeanOfChome
                    } else {
                        OriginPrecision::Town
                    },
                    described_as: Some(located.town),
                    leave_out: None,
                })
            }
        }
    }

    /// The nearest facilities to a resolved origin, leaving out the facility it was resolved
    /// from.
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, NearestQuery, OriginQuery, Position};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// let origin = atlas.resolve_origin(&OriginQuery::Point(Position::new(36.0, 139.65).unwrap())).unwrap();
    /// assert!(atlas.nearest_to(&origin, &NearestQuery::new(vec![], 5, None).unwrap()).is_empty());
    /// ```
    #[must_use]
    pub fn nearest_to(
        &self,
        origin: &ResolvedOrigin,
        query: &NearestQuery,
    ) -> Vec<NearestFacility<'_>> {
        let leave_out = origin.leave_out.as_ref().and_then(|id| self.facility_index(id));
        self.nearest_excluding(origin.position, query, leave_out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SplitMix, synthetic_facility};
    use crate::{AtlasParts, TownPoint};

    #[test]
    fn a_facility_origin_is_its_position_named_and_left_out() {
        let mut random = SplitMix(9);
        let facilities = (0..40).map(|i| synthetic_facility(i, &mut random)).collect();
        let atlas = Atlas::new(AtlasParts { facilities, ..AtlasParts::default() });
        let from = &atlas.facilities()[11];
        let origin = atlas.resolve_origin(&OriginQuery::Facility(from.id.clone())).unwrap();
        assert_eq!(
            origin,
            ResolvedOrigin {
                position: from.position,
                precision: OriginPrecision::Facility,
                described_as: Some(from.name.clone()),
                leave_out: Some(from.id.clone()),
            }
        );
        let query = NearestQuery::new(vec![], 5, None).unwrap();
        assert_eq!(
            atlas.nearest_to(&origin, &query),
            atlas.nearest_services_from(&from.id, &query).unwrap()
        );
    }

    #[test]
    fn an_address_origin_is_its_towns_point_with_the_precision_it_has() {
        let town = crate::testing::rectangular_town(139.6, 35.95, 139.7, 36.05);
        let code = town.code;
        let point = |town: &str, lat, lon| TownPoint {
            municipality_code: code,
            town: town.into(),
            position: Position::new(lat, lon).unwrap(),
            postal_code: None,
        };
        let atlas = Atlas::new(AtlasParts {
            municipalities: vec![town],
            towns: vec![
                point("大字黒浜", 36.0, 139.65),
                point("東一丁目", 35.98, 139.66),
                point("東二丁目", 35.99, 139.66),
            ],
            ..AtlasParts::default()
        });
        let resolve = |address: &str| {
            let origin = atlas.resolve_origin(&OriginQuery::Address(address.into())).unwrap();
            (origin.precision, origin.described_as.unwrap(), origin.leave_out)
        };
        assert_eq!(
            resolve("埼玉県蓮田市大字黒浜4147"),
            (OriginPrecision::Town, "蓮田市大字黒浜".into(), None)
        );
        assert_eq!(
            resolve("蓮田市東"),
            (OriginPrecision::TownMeanOfChome, "蓮田市東".into(), None)
        );
    }

    #[test]
    fn an_unknown_address_is_an_error_naming_it() {
        let atlas = Atlas::new(AtlasParts::default());
        let error = atlas.resolve_origin(&OriginQuery::Address("どこか".into())).unwrap_err();
        assert_eq!(error, OriginError::UnknownAddress("どこか".into()));
        assert_eq!(error.to_string(), "`どこか` names no 大字・町丁目 the gazetteer knows");
    }

    #[test]
    fn precision_ids_are_stable() {
        let ids: Vec<&str> = OriginPrecision::ALL.iter().map(|p| p.id()).collect();
        assert_eq!(ids, ["exact", "facility", "town", "town_mean_of_chome"]);
    }
}
