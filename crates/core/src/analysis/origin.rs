//! Where a search starts: a point, a facility or an address, resolved against the snapshot into a
//! position with the precision it has, what it stands for, and the facility to leave out of the
//! answer. Addresses are placed at their town's point (大字・町丁目), never at the door.

use crate::{
    Atlas, FacilityId, Municipality, MunicipalityCode, NearestFacility, NearestQuery, Position,
    TownMatch, municipality_in_address, normalise_address, split_prefecture,
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
    /// The address does not name its municipality, and towns of that name are in several.
    #[error(
        "`{address}` names a town in more than one municipality: {}",
        candidates.iter().map(|c| c.town.as_str()).collect::<Vec<_>>().join(", ")
    )]
    AmbiguousAddress {
        /// The address as asked.
        address: String,
        /// Every place it may stand for, in the order of the municipalities.
        candidates: Vec<AddressCandidate>,
    },
}

/// One place an address without its municipality may stand for, and how to ask for it alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressCandidate {
    /// The municipality and town (`蓮田市東一丁目`).
    pub town: String,
    /// The municipality.
    pub municipality_code: MunicipalityCode,
    /// The address asked with this municipality written in (`蓮田市東1-2`, in the normalised
    /// form addresses are matched in): asked again, it is placed in `town` and nowhere else.
    pub address: String,
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
    /// The prefecture, the county and the municipality may be left out. When the municipality
    /// is written, only its towns are searched; when it is not, every municipality the gazetteer
    /// covers is, and the address is placed only if exactly one of them has a town of that name
    /// (`新白岡4-14` is in 白岡市 only; `東1-2` may be 蓮田市東一丁目 or 宮代町字東).
    ///
    /// # Errors
    /// [`OriginError::UnknownAddress`] when no town matches, [`OriginError::AmbiguousAddress`]
    /// when towns of several municipalities do.
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, OriginError};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// assert_eq!(
    ///     atlas.locate_address("埼玉県蓮田市東5-8-28"),
    ///     Err(OriginError::UnknownAddress("埼玉県蓮田市東5-8-28".into()))
    /// );
    /// ```
    pub fn locate_address(&self, address: &str) -> Result<AddressOrigin, OriginError> {
        let unknown = || OriginError::UnknownAddress(address.to_owned());
        let normalised = normalise_address(address);
        let (prefecture, rest) = split_prefecture(&normalised);
        let in_prefecture = |m: &&Municipality| prefecture.is_none_or(|p| p == m.prefecture);
        let origin = |municipality: &Municipality, found: TownMatch| AddressOrigin {
            position: found.position,
            municipality_code: municipality.code,
            town: format!("{}{}", municipality.name, found.town),
            mean_of_chome: found.mean_of_chome,
        };
        let written =
            municipality_in_address(rest, self.municipalities().iter().filter(in_prefecture));
        if let Some((municipality, after)) = written {
            // A municipality written is the resident's word: its towns only, never a town of the
            // same name elsewhere.
            let found = self.gazetteer().locate(municipality.code, after).ok_or_else(unknown)?;
            return Ok(origin(municipality, found));
        }
        // A county may be written without its municipality (`南埼玉郡宮代3-2-3`).
        let county = self
            .municipalities()
            .iter()
            .filter_map(|m| m.county.as_deref())
            .find(|county| rest.starts_with(county));
        let rest = county.and_then(|c| rest.strip_prefix(c)).unwrap_or(rest);
        let mut found: Vec<(&Municipality, AddressOrigin)> = self
            .municipalities()
            .iter()
            .filter(in_prefecture)
            .filter(|m| county.is_none_or(|c| m.county.as_deref() == Some(c)))
            .filter_map(|m| self.gazetteer().locate_named(m.code, rest).map(|t| (m, origin(m, t))))
            .collect();
        match found.len() {
            0 => Err(unknown()),
            1 => Ok(found.remove(0).1),
            _ => Err(OriginError::AmbiguousAddress {
                address: address.to_owned(),
                candidates: found
                    .into_iter()
                    .map(|(municipality, o)| AddressCandidate {
                        town: o.town,
                        municipality_code: municipality.code,
                        address: format!("{}{rest}", municipality.name),
                    })
                    .collect(),
            }),
        }
    }

    /// The municipalities whose towns the gazetteer knows: where an address can be placed.
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts};
    /// assert_eq!(Atlas::new(AtlasParts::default()).address_municipalities().count(), 0);
    /// ```
    pub fn address_municipalities(&self) -> impl Iterator<Item = &Municipality> {
        self.municipalities().iter().filter(|m| self.gazetteer().covers(m.code))
    }

    /// Places `origin`: coordinates as given, a facility at its position (to be left out), an
    /// address at its town's point.
    ///
    /// # Errors
    /// [`OriginError::UnknownFacility`], or the error of [`Atlas::locate_address`].
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
                let located = self.locate_address(address)?;
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

    /// 蓮田市, 白岡市 and 宮代町 (南埼玉郡) with a few of their towns, and 久喜市, mapped but
    /// not in the gazetteer.
    fn three_towns() -> Atlas {
        let municipality = |code: &str, name: &str, county: Option<&str>| Municipality {
            code: code.parse().unwrap(),
            name: name.into(),
            county: county.map(Into::into),
            ..crate::testing::rectangular_town(139.6, 35.95, 139.7, 36.05)
        };
        let point = |code: &str, town: &str, lat, lon| TownPoint {
            municipality_code: code.parse().unwrap(),
            town: town.into(),
            position: Position::new(lat, lon).unwrap(),
            postal_code: None,
        };
        Atlas::new(AtlasParts {
            municipalities: vec![
                municipality("11238", "蓮田市", None),
                municipality("11246", "白岡市", None),
                municipality("11442", "宮代町", Some("南埼玉郡")),
                municipality("11232", "久喜市", None),
            ],
            towns: vec![
                point("11238", "東一丁目", 35.98, 139.66),
                point("11238", "東二丁目", 35.99, 139.66),
                point("11238", "大字黒浜", 36.0, 139.65),
                point("11246", "新白岡三丁目", 36.02, 139.67),
                point("11246", "新白岡四丁目", 36.021, 139.672),
                point("11246", "白岡", 36.03, 139.68),
                point("11246", "実ヶ谷", 36.04, 139.69),
                point("11442", "字東", 36.03, 139.70),
                point("11442", "東姫宮一丁目", 36.01, 139.72),
            ],
            ..AtlasParts::default()
        })
    }

    fn check_address(address: &str, expected: Result<&str, OriginError>) {
        let located = three_towns().locate_address(address).map(|o| o.town);
        assert_eq!(located, expected.map(str::to_owned), "{address}");
    }

    #[test]
    fn an_address_is_placed_in_every_form_residents_type_it() {
        for address in [
            "白岡市新白岡4-14",
            "新白岡4-14",
            "新白岡４－１４",
            "埼玉県白岡市新白岡四丁目14番地",
            "埼玉県新白岡4-14",
            "新白岡 4 - 14",
            "　新白岡４ー１４　",
            "新白岡4−14",
            "新白岡4‐14",
            "新白岡4―14",
            "新白岡4–14",
            "新白岡4—14",
            "新白岡4丁目14番地",
            "新白岡4丁目14番3号",
            "新白岡四丁目十四番地",
            "新白岡四ー14",
            "〒349-0217 白岡市新白岡4-14",
            "349-0217 新白岡4-14",
            "〒３４９－０２１７新白岡４－１４",
            "新白岡4-14 メゾン白岡101号室",
            "白岡市新白岡4丁目14-3 グランシティ",
        ] {
            check_address(address, Ok("白岡市新白岡四丁目"));
        }
    }

    #[test]
    fn without_its_municipality_an_address_is_placed_where_only_one_has_the_town() {
        check_address("黒浜4147", Ok("蓮田市大字黒浜"));
        check_address("大字黒浜４１４７", Ok("蓮田市大字黒浜"));
        check_address("白岡1234", Ok("白岡市白岡"));
        check_address("実ケ谷 123", Ok("白岡市実ヶ谷"));
        // 東姫宮 is not the town 東 of 蓮田市 followed by something.
        check_address("東姫宮1-2", Ok("宮代町東姫宮一丁目"));
        // A county narrows the search to its municipalities.
        check_address("南埼玉郡東1-2", Ok("宮代町字東"));
        check_address("新白岡", Ok("白岡市新白岡"));
    }

    #[test]
    fn a_town_of_several_municipalities_without_its_municipality_is_ambiguous() {
        let ambiguous =
            |address: &str, candidates: &[(&str, &str, &str)]| OriginError::AmbiguousAddress {
                address: address.into(),
                candidates: candidates
                    .iter()
                    .map(|&(town, code, address)| AddressCandidate {
                        town: town.into(),
                        municipality_code: code.parse().unwrap(),
                        address: address.into(),
                    })
                    .collect(),
            };
        check_address(
            "東1-2",
            Err(ambiguous(
                "東1-2",
                &[
                    ("蓮田市東一丁目", "11238", "蓮田市東1-2"),
                    ("宮代町字東", "11442", "宮代町東1-2"),
                ],
            )),
        );
        check_address(
            "埼玉県東",
            Err(ambiguous(
                "埼玉県東",
                &[("蓮田市東", "11238", "蓮田市東"), ("宮代町字東", "11442", "宮代町東")],
            )),
        );
        // Each candidate's own address, asked again, is placed in that town alone.
        for asked in ["東1-2", "埼玉県東", "東１－２"] {
            let Err(OriginError::AmbiguousAddress { candidates, .. }) =
                three_towns().locate_address(asked)
            else {
                panic!("{asked} is not ambiguous");
            };
            for candidate in candidates {
                check_address(&candidate.address, Ok(&candidate.town));
            }
        }
        let error = three_towns().locate_address("東1-2").unwrap_err();
        assert_eq!(
            error.to_string(),
            "`東1-2` names a town in more than one municipality: 蓮田市東一丁目, 宮代町字東"
        );
    }

    #[test]
    fn a_municipality_written_is_searched_alone() {
        check_address("蓮田市東1-2", Ok("蓮田市東一丁目"));
        check_address("宮代町東1-2", Ok("宮代町字東"));
        check_address("埼玉県南埼玉郡宮代町東１－２", Ok("宮代町字東"));
        let unknown = |address: &str| Err(OriginError::UnknownAddress(address.into()));
        // The resident's municipality is not overruled by a town of that name elsewhere.
        check_address("蓮田市新白岡4-14", unknown("蓮田市新白岡4-14"));
        // 久喜市 is mapped but its towns are not in the gazetteer.
        check_address("久喜市新白岡4-14", unknown("久喜市新白岡4-14"));
    }

    #[test]
    fn an_address_the_gazetteer_cannot_place_is_unknown() {
        for address in ["東京都新白岡4-14", "白岡新白岡4-14", "新白岡7-1", "", "どこか"]
        {
            check_address(address, Err(OriginError::UnknownAddress(address.into())));
        }
        let atlas = three_towns();
        let covered: Vec<&str> = atlas.address_municipalities().map(|m| m.name.as_str()).collect();
        assert_eq!(covered, ["蓮田市", "白岡市", "宮代町"]);
    }

    #[test]
    fn precision_ids_are_stable() {
        let ids: Vec<&str> = OriginPrecision::ALL.iter().map(|p| p.id()).collect();
        assert_eq!(ids, ["exact", "facility", "town", "town_mean_of_chome"]);
    }
}
