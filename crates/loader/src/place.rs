//! Placement: checks each facility draft's position against the municipality its address names,
//! geocodes records without coordinates to their town, repairs contradicting coordinates where the
//! gazetteer covers the address, and rejects what cannot be placed with the reason.

use care_atlas_core::{
    Facility, FacilityId, Gazetteer, Municipality, MunicipalityCode, Placement, Position,
    PositionPrecision, Provenance, municipality_in_address, normalise_address, split_prefecture,
};

use crate::FacilityDraft;

/// How far outside its municipality's N03 boundary a published position may lie and still be
/// believed: offices on boundary roads are geocoded by the source a few hundred metres off, while
/// wrong coordinates (another prefecture, a swapped digit) are kilometres off.
pub const BOUNDARY_TOLERANCE_M: f64 = 500.0;

/// A municipality known to exist but with no boundary here, so that an address in it is
/// recognised as lying elsewhere rather than as naming no municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownMunicipality {
    /// Prefecture.
    pub prefecture: String,
    /// 郡, for towns and villages.
    pub county: Option<String>,
    /// Name as addresses write it.
    pub name: String,
}

/// Places facility drafts using municipal boundaries and the gazetteer.
#[derive(Debug, Clone)]
pub struct Placer {
    municipalities: Vec<Municipality>,
    elsewhere: Vec<KnownMunicipality>,
    gazetteer: Gazetteer,
}

/// The municipality a record claims, from a structured field or its address.
enum Claimed<'a> {
    Known(&'a Municipality),
    Elsewhere(String),
    Unnamed,
}

fn km(distance_m: f64) -> String {
    format!("{:.1} km", distance_m / 1000.0)
}

fn starts_with_municipality<'a>(
    rest: &'a str,
    name: &str,
    county: Option<&str>,
) -> Option<&'a str> {
    county
        .and_then(|c| rest.strip_prefix(c))
        .and_then(|r| r.strip_prefix(name))
        .or_else(|| rest.strip_prefix(name))
}

impl Placer {
    /// A placer over these boundaries, municipalities known to lie elsewhere, and gazetteer.
    #[must_use]
    pub fn new(
        mut municipalities: Vec<Municipality>,
        mut elsewhere: Vec<KnownMunicipality>,
        gazetteer: Gazetteer,
    ) -> Self {
        municipalities.sort_by_key(|m| m.code);
        elsewhere.sort_by(|a, b| b.name.len().cmp(&a.name.len()).then(a.name.cmp(&b.name)));
        Placer { municipalities, elsewhere, gazetteer }
    }

    /// The municipality whose boundary contains `position`.
    #[must_use]
    pub fn municipality_at(&self, position: Position) -> Option<&Municipality> {
        self.municipalities.iter().find(|m| m.placement(position) == Placement::Inside)
    }

    /// The municipality named at the start of an address, and the rest of the address after it.
    fn address_municipality(&self, address: &str) -> (Claimed<'_>, String) {
        let normalised = normalise_address(address);
        let (prefecture, rest) = split_prefecture(&normalised);
        let candidates =
            self.municipalities.iter().filter(|m| prefecture.is_none_or(|p| p == m.prefecture));
        if let Some((m, after)) = municipality_in_address(rest, candidates) {
            return (Claimed::Known(m), after.to_owned());
        }
        for m in &self.elsewhere {
            if prefecture.is_some_and(|p| p != m.prefecture) {
                continue;
            }
            if starts_with_municipality(rest, &m.name, m.county.as_deref()).is_some() {
                return (Claimed::Elsewhere(format!("{}{}", m.prefecture, m.name)), String::new());
            }
        }
        match prefecture {
            Some(p) if !self.municipalities.iter().any(|m| m.prefecture == p) => {
                (Claimed::Elsewhere(p.to_owned()), String::new())
            }
            _ => (Claimed::Unnamed, rest.to_owned()),
        }
    }

    fn claimed<'a>(&'a self, draft: &FacilityDraft) -> (Claimed<'a>, String) {
        let (from_address, rest) = self.address_municipality(&draft.address);
        let structured = if let Some(code) = draft.declared.code {
            Some(match self.municipalities.iter().find(|m| m.code == code) {
                Some(m) => Claimed::Known(m),
                None => Claimed::Elsewhere(
                    draft.declared.name.clone().unwrap_or_else(|| format!("municipality {code}")),
                ),
            })
        } else {
            draft.declared.name.as_deref().map(|name| {
                match self.municipalities.iter().find(|m| {
                    m.name == name
                        || m.county.as_ref().is_some_and(|c| format!("{c}{}", m.name) == name)
                }) {
                    Some(m) => Claimed::Known(m),
                    None => Claimed::Elsewhere(name.to_owned()),
                }
            })
        };
        match structured {
            Some(Claimed::Known(m)) => {
                // Use the part of the address after the municipality when the address names the
                // same one; addresses that omit the municipality are geocoded as written.
                let rest = match from_address {
                    Claimed::Known(a) if a.code == m.code => rest,
                    _ => rest_without_prefecture(&draft.address),
                };
                (Claimed::Known(m), rest)
            }
            Some(other) => (other, rest),
            None => (from_address, rest),
        }
    }

    /// Places one draft: a facility, or the reason it cannot be placed.
    pub fn place(&self, draft: &FacilityDraft) -> Result<Facility, String> {
        let published = match draft.coordinates {
            None => Err("the source gives no coordinates".to_owned()),
            Some((lat, lon)) => match Position::new(lat, lon) {
                Err(e) => Err(format!("the source coordinates are impossible ({e})")),
                Ok(p) if p.is_null_island() => {
                    Err("the source coordinates are 0/0 (unknown)".to_owned())
                }
                Ok(p) => Ok(p),
            },
        };
        if let Some(precision) = draft.precision {
            return self.check_canonical(draft, published?, precision);
        }
        let (claimed, rest) = self.claimed(draft);
        match claimed {
            Claimed::Elsewhere(place) => Err(match published {
                Ok(p) => format!(
                    "the address is in {place}, outside the mapped area, but the source coordinates ({p}) lie {}: the coordinates contradict the address",
                    self.municipality_at(p).map_or_else(
                        || "in no mapped municipality".to_owned(),
                        |m| format!("in {}", m.name)
                    )
                ),
                Err(why) => {
                    format!("the address is in {place}, outside the mapped area, and {why}")
                }
            }),
            Claimed::Unnamed => {
                let p = published
                    .map_err(|why| format!("the address names no municipality and {why}"))?;
                let m = self.municipality_at(p).ok_or_else(|| {
                    format!("the address names no municipality and the source coordinates ({p}) lie in none of the {} mapped municipalities", self.municipalities.len())
                })?;
                Ok(build_facility(draft, m.code, p, PositionPrecision::Source, Some("the address names no municipality: municipality taken from the source position".into())))
            }
            Claimed::Known(m) => match published {
                Ok(p) => match m.placement(p) {
                    Placement::Inside => {
                        Ok(build_facility(draft, m.code, p, PositionPrecision::Source, None))
                    }
                    Placement::Outside { distance_m } if distance_m <= BOUNDARY_TOLERANCE_M => {
                        let note = format!(
                            "the source position lies {distance_m:.0} m outside the N03 boundary of {}; kept as published",
                            m.name
                        );
                        Ok(build_facility(draft, m.code, p, PositionPrecision::Source, Some(note)))
                    }
                    Placement::Outside { distance_m } => {
                        let found_in = self.municipality_at(p).map_or_else(String::new, |other| {
                            format!(" (they fall in {})", other.name)
                        });
                        let why = format!(
                            "the source coordinates ({p}) lie {} outside {}, which the address names{found_in}",
                            km(distance_m),
                            m.name
                        );
                        self.geocode(draft, m, &rest, &why)
                    }
                },
                Err(why) => self.geocode(draft, m, &rest, &why),
            },
        }
    }

    fn geocode(
        &self,
        draft: &FacilityDraft,
        m: &Municipality,
        rest: &str,
        why: &str,
    ) -> Result<Facility, String> {
        if !self.gazetteer.covers(m.code) {
            return Err(format!(
                "{why}, and the gazetteer does not cover {} to place it by address",
                m.name
            ));
        }
        let found = self.gazetteer.locate(m.code, rest).ok_or_else(|| {
            format!("{why}, and no town of {} in the gazetteer starts `{rest}`", m.name)
        })?;
        let how = match found.mean_of_chome {
            None => format!("placed at the gazetteer point of {}{}", m.name, found.town),
            Some(n) => format!(
                "the address names {} without its 丁目: placed at the mean of the gazetteer points of its {n} 丁目",
                found.town
            ),
        };
        Ok(build_facility(
            draft,
            m.code,
            found.position,
            PositionPrecision::GeocodedTown,
            Some(format!("{why}; {how}")),
        ))
    }

    fn check_canonical(
        &self,
        draft: &FacilityDraft,
        p: Position,
        precision: PositionPrecision,
    ) -> Result<Facility, String> {
        let Some(code) = draft.declared.code else {
            return Err("municipality_code is required".to_owned());
        };
        match self.municipalities.iter().find(|m| m.code == code) {
            Some(m) => match m.placement(p) {
                Placement::Outside { distance_m } if distance_m > BOUNDARY_TOLERANCE_M => Err(
                    format!("position ({p}) lies {} outside {} ({code})", km(distance_m), m.name),
                ),
                _ => Ok(build_facility(draft, m.code, p, precision, draft.position_note.clone())),
            },
            // Without the boundary the position cannot be checked beyond its range; the municipality
            // code stands as written.
            None => Ok(build_facility(draft, code, p, precision, draft.position_note.clone())),
        }
    }
}

fn build_facility(
    draft: &FacilityDraft,
    municipality_code: MunicipalityCode,
    position: Position,
    precision: PositionPrecision,
    note: Option<String>,
) -> Facility {
    Facility {
        id: FacilityId::from_source_record(&draft.source, &draft.record_id),
        kind: draft.kind,
        name: draft.name.clone(),
        name_kana: draft.name_kana.clone(),
        address: draft.address.clone(),
        municipality_code,
        position,
        position_precision: precision,
        position_note: note,
        phone: draft.phone.clone(),
        url: draft.url.clone(),
        capacity: draft.capacity,
        open_days: draft.open_days.clone(),
        provenance: Provenance {
            source: draft.source.clone(),
            record_id: draft.record_id.clone(),
            as_of: draft.as_of.clone(),
        },
    }
}

fn rest_without_prefecture(address: &str) -> String {
    let normalised = normalise_address(address);
    split_prefecture(&normalised).1.to_owned()
}

#[cfg(test)]
mod tests {
    use care_atlas_core::{AreaRole, FacilityKind, TownPoint};
    use geo::{MultiPolygon, polygon};

    use super::*;
    use crate::{DeclaredMunicipality, RowLocation};

    /// Two square towns side by side: 蓮田市 (with a gazetteer) west of 春日部市 (without).
    fn placer() -> Placer {
        let square = |code: &str, name: &str, west: f64| Municipality {
            code: code.parse().unwrap(),
            name: name.into(),
            prefecture: "埼玉県".into(),
            county: None,
            role: AreaRole::StudyArea,
            boundary: MultiPolygon(vec![polygon![
                (x: west, y: 35.96), (x: west + 0.1, y: 35.96), (x: west + 0.1, y: 36.04), (x: west, y: 36.04)
            ]]),
        };
        let hasuda = square("11238", "蓮田市", 139.60);
        let kasukabe = square("11214", "春日部市", 139.70);
        let town = TownPoint {
            municipality_code: hasuda.code,
            town: "大字上平野".into(),
            position: Position::new(36.02, 139.62).unwrap(),
            postal_code: None,
        };
        let elsewhere = vec![KnownMunicipality {
            prefecture: "埼玉県".into(),
            county: None,
            name: "所沢市".into(),
        }];
        Placer::new(vec![hasuda, kasukabe], elsewhere, Gazetteer::new(vec![town]))
    }

    fn draft(address: &str, coordinates: Option<(f64, f64)>) -> FacilityDraft {
        let base = FacilityDraft::new(
            RowLocation::Line(2),
            "test".into(),
            "1".into(),
            FacilityKind::VisitingNursingStation,
            "テスト訪問看護".into(),
            address.into(),
        );
        FacilityDraft { coordinates, ..base }
    }

    fn placed(
        address: &str,
        coordinates: Option<(f64, f64)>,
    ) -> Result<(String, PositionPrecision, (f64, f64)), String> {
        placer().place(&draft(address, coordinates)).map(|f| {
            (
                f.municipality_code.to_string(),
                f.position_precision,
                (f.position.lat(), f.position.lon()),
            )
        })
    }

    #[test]
    fn keeps_a_position_inside_the_municipality_its_address_names() {
        assert_eq!(
            placed("埼玉県蓮田市大字上平野１", Some((36.0, 139.65))),
            Ok(("11238".into(), PositionPrecision::Source, (36.0, 139.65)))
        );
    }

    #[test]
    fn keeps_a_position_just_outside_its_boundary_and_says_so() {
        let f = placer().place(&draft("埼玉県蓮田市大字上平野１", Some((36.0, 139.5995)))).unwrap();
        assert_eq!(f.position_precision, PositionPrecision::Source);
        assert!(f.position_note.unwrap().contains("m outside the N03 boundary of 蓮田市"));
    }

    #[test]
    fn repairs_coordinates_in_another_prefecture_from_the_gazetteer() {
        let f = placer()
            .place(&draft("埼玉県蓮田市大字上平野616番地1", Some((31.5985655, 131.3816612))))
            .unwrap();
        assert_eq!(f.position_precision, PositionPrecision::GeocodedTown);
        assert_eq!((f.position.lat(), f.position.lon()), (36.02, 139.62));
        let note = f.position_note.unwrap();
        assert!(
            note.contains("outside 蓮田市, which the address names") && note.contains("大字上平野"),
            "{note}"
        );
    }

    #[test]
    fn geocodes_a_record_without_coordinates_to_its_town() {
        let (code, precision, position) = placed("〒349-0111 蓮田市上平野１２３", None).unwrap();
        assert_eq!(
            (code.as_str(), precision, position),
            ("11238", PositionPrecision::GeocodedTown, (36.02, 139.62))
        );
    }

    #[test]
    fn treats_null_island_as_no_coordinates() {
        assert_eq!(
            placed("埼玉県蓮田市上平野1", Some((0.0, 0.0))).unwrap().1,
            PositionPrecision::GeocodedTown
        );
    }

    #[test]
    fn rejects_what_it_cannot_place_with_the_reason() {
        let reason = placed("埼玉県春日部市中央1", Some((35.0, 139.75))).unwrap_err();
        assert!(
            reason.contains("outside 春日部市")
                && reason.contains("gazetteer does not cover 春日部市"),
            "{reason}"
        );
        let reason = placed("埼玉県蓮田市閏戸87", None).unwrap_err();
        assert!(reason.contains("no town of 蓮田市 in the gazetteer starts `閏戸87`"), "{reason}");
        let reason = placed("埼玉県蓮田市閏戸87", Some((95.0, 139.6))).unwrap_err();
        assert!(reason.contains("impossible"), "{reason}");
    }

    #[test]
    fn rejects_coordinates_near_the_area_for_an_address_far_away() {
        let reason = placed("山形県長井市本町1", Some((35.97, 139.77))).unwrap_err();
        assert!(
            reason.contains("the address is in 山形県") && reason.contains("in 春日部市"),
            "{reason}"
        );
        let reason = placed("所沢市北原町1", Some((35.98, 139.74))).unwrap_err();
        assert!(reason.contains("the address is in 埼玉県所沢市"), "{reason}");
    }

    #[test]
    fn takes_the_municipality_from_the_position_when_the_address_names_none() {
        let f = placer().place(&draft("原市中3丁目6", Some((36.0, 139.75)))).unwrap();
        assert_eq!(f.municipality_code.to_string(), "11214");
        assert!(f.position_note.unwrap().contains("municipality taken from the source position"));
        assert!(placed("原市中3丁目6", Some((35.5, 139.75))).is_err());
    }

    #[test]
    fn a_structured_municipality_field_outranks_the_address() {
        let mut d = draft("中央1", Some((36.0, 139.65)));
        d.declared = DeclaredMunicipality { code: None, name: Some("所沢市".into()) };
        assert!(placer().place(&d).unwrap_err().contains("所沢市"));
        d.declared = DeclaredMunicipality { code: Some("11238".parse().unwrap()), name: None };
        assert_eq!(placer().place(&d).unwrap().municipality_code.to_string(), "11238");
    }
}
