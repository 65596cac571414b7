//! Placement: checks each facility draft's position against the municipality its address names,
//! geocodes records without coordinates to their town, repairs contradicting coordinates where the
//! gazetteer covers the address, and rejects what cannot be placed with the reason.
//!
//! [`Placer::place_all`] is the one placement routine: `care-atlas data` and `care-atlas import`
//! both dedupe, place and collect rejections through it.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use care_atlas_core::{
    Facility, FacilityId, Gazetteer, Municipality, MunicipalityCode, Placement, Position,
    PositionNote, PositionPrecision, Provenance, SourcePositionFault, TownPlacement,
    municipality_in_address, normalise_address, split_prefecture,
};

use crate::{FacilityDraft, RowError, RowLocation};

/// How far outside its municipality's N03 boundary a published position may lie and still be
/// believed: offices on boundary roads are geocoded by the source a few hundred metres off, while
/// wrong coordinates (another prefecture, a swapped digit) are kilometres off.
pub const BOUNDARY_TOLERANCE_M: f64 = 500.0;

/// Why a record was not placed. The `Display` text is the reason `data/audit/rejected_records.csv`
/// and the import report give, so it must not change wording.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// An earlier record had the same source and record id; the first one is kept.
    Duplicate {
        /// The file of the first record.
        path: PathBuf,
        /// Where the first record is in its file.
        location: RowLocation,
    },
    /// A canonical record's position is unusable.
    UnusablePosition(SourcePositionFault),
    /// A canonical record names no municipality code.
    NoMunicipalityCode,
    /// A canonical record's position lies farther outside its municipality than the tolerance.
    OutsideStatedMunicipality {
        /// The stated position.
        position: Position,
        /// Geodesic distance from the municipality's boundary in metres.
        distance_m: f64,
        /// The municipality's name.
        municipality: String,
        /// The municipality's code.
        code: MunicipalityCode,
    },
    /// The address lies outside the mapped area but the coordinates do not.
    ElsewhereContradicted {
        /// The prefecture or municipality the address names.
        place: String,
        /// The published position.
        position: Position,
        /// The mapped municipality the position falls in, if any.
        found_in: Option<String>,
    },
    /// The address lies outside the mapped area and the coordinates are unusable.
    ElsewhereUnusable {
        /// The prefecture or municipality the address names.
        place: String,
        /// Why the coordinates are unusable.
        fault: SourcePositionFault,
    },
    /// The address names no municipality and the coordinates are unusable.
    UnnamedUnusable(SourcePositionFault),
    /// The address names no municipality and the coordinates lie in none of the mapped ones.
    UnnamedOutside {
        /// The published position.
        position: Position,
        /// How many municipalities are mapped.
        mapped: usize,
    },
    /// The published position is unusable and the gazetteer does not cover the municipality.
    NotInGazetteer {
        /// Why the published position is unusable.
        fault: SourcePositionFault,
        /// The municipality the address names.
        municipality: String,
    },
    /// A register entry (which never has coordinates) is linked to no record of another source
    /// that gives a position, and the gazetteer does not cover its municipality.
    UnlinkedNotInGazetteer {
        /// The municipality the address names.
        municipality: String,
    },
    /// The published position is unusable and no town of the gazetteer starts the address.
    NoTown {
        /// Why the published position is unusable.
        fault: SourcePositionFault,
        /// The municipality the address names.
        municipality: String,
        /// The address after the municipality.
        rest: String,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Duplicate { path, location } => {
                write!(f, "duplicate of the record at {}:{location}", path.display())
            }
            Rejection::UnusablePosition(fault) => write!(f, "{fault}"),
            Rejection::NoMunicipalityCode => f.write_str("municipality_code is required"),
            Rejection::OutsideStatedMunicipality { position, distance_m, municipality, code } => {
                write!(
                    f,
                    "position ({position}) lies {} outside {municipality} ({code})",
                    km(*distance_m)
                )
            }
            Rejection::ElsewhereContradicted { place, position, found_in } => {
                write!(
                    f,
                    "the address is in {place}, outside the mapped area, but the source coordinates ({position}) lie "
                )?;
                match found_in {
                    Some(name) => write!(f, "in {name}")?,
                    None => f.write_str("in no mapped municipality")?,
                }
                f.write_str(": the coordinates contradict the address")
            }
            Rejection::ElsewhereUnusable { place, fault } => {
                write!(f, "the address is in {place}, outside the mapped area, and {fault}")
            }
            Rejection::UnnamedUnusable(fault) => {
                write!(f, "the address names no municipality and {fault}")
            }
            Rejection::UnnamedOutside { position, mapped } => write!(
                f,
                "the address names no municipality and the source coordinates ({position}) lie in none of the {mapped} mapped municipalities"
            ),
            Rejection::NotInGazetteer { fault, municipality } => write!(
                f,
                "{fault}, and the gazetteer does not cover {municipality} to place it by address"
            ),
            Rejection::UnlinkedNotInGazetteer { municipality } => write!(
                f,
                "the register gives no coordinates and no 医療情報ネット record of the same institution gives a position, and the gazetteer does not cover {municipality} to place it by address"
            ),
            Rejection::NoTown { fault, municipality, rest } => {
                write!(f, "{fault}, and no town of {municipality} in the gazetteer starts `{rest}`")
            }
        }
    }
}

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

/// What placing one draft of [`Placer::place_all`] gave.
#[derive(Debug)]
pub struct PlacedDraft<'a> {
    /// The draft.
    pub draft: &'a FacilityDraft,
    /// The facility, or the rejected row naming file, line and reason.
    pub outcome: Result<Facility, RowError>,
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

    /// Places every draft (each with its file), in order: a later record with the source and
    /// record id of an earlier one is rejected as its duplicate, every other one is placed or
    /// rejected with the reason.
    pub fn place_all<'a>(
        &self,
        drafts: impl IntoIterator<Item = (&'a Path, &'a FacilityDraft)>,
    ) -> Vec<PlacedDraft<'a>> {
        let mut first_seen: HashMap<(&str, &str), (&Path, RowLocation)> = HashMap::new();
        drafts
            .into_iter()
            .map(|(path, draft)| {
                let key = (draft.source.as_str(), draft.record_id.as_str());
                let outcome = if let Some((first_path, first)) = first_seen.get(&key) {
                    Err(Rejection::Duplicate { path: first_path.to_path_buf(), location: *first })
                } else {
                    first_seen.insert(key, (path, draft.location));
                    self.place(draft)
                };
                let outcome = outcome.map_err(|rejection| RowError {
                    path: path.to_owned(),
                    location: draft.location,
                    record_id: Some(draft.record_id.clone()),
                    name: Some(draft.name.clone()),
                    reason: rejection.to_string(),
                });
                PlacedDraft { draft, outcome }
            })
            .collect()
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

    /// The mapped municipality a draft's address (or structured field) names, and the normalised
    /// address after it; `None` for a record that names a place outside the mapped area or none.
    #[must_use]
    pub fn mapped_municipality(&self, draft: &FacilityDraft) -> Option<(&Municipality, String)> {
        match self.claimed(draft) {
            (Claimed::Known(m), rest) => Some((m, rest)),
            _ => None,
        }
    }

    fn claimed<'a>(&'a self, draft: &FacilityDraft) -> (Claimed<'a>, String) {
        // A source published per prefecture (the 厚生局's register) leaves the prefecture out of
        // its addresses; it is put back so that the address is read in the right prefecture.
        let address = match &draft.declared.prefecture {
            Some(prefecture)
                if split_prefecture(&normalise_address(&draft.address)).0.is_none() =>
            {
                format!("{prefecture}{}", draft.address)
            }
            _ => draft.address.clone(),
        };
        let (from_address, rest) = self.address_municipality(&address);
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
    pub fn place(&self, draft: &FacilityDraft) -> Result<Facility, Rejection> {
        let published = match draft.coordinates {
            None => Err(SourcePositionFault::Missing),
            Some((lat, lon)) => match Position::new(lat, lon) {
                Err(e) => Err(SourcePositionFault::Impossible(e)),
                Ok(p) if p.is_null_island() => Err(SourcePositionFault::NullIsland),
                Ok(p) => Ok(p),
            },
        };
        if let Some(precision) = draft.precision {
            return self.check_canonical(
                draft,
                published.map_err(Rejection::UnusablePosition)?,
                precision,
            );
        }
        let (claimed, rest) = self.claimed(draft);
        match claimed {
            Claimed::Elsewhere(place) => Err(match published {
                Ok(position) => Rejection::ElsewhereContradicted {
                    place,
                    position,
                    found_in: self.municipality_at(position).map(|m| m.name.clone()),
                },
                Err(fault) => Rejection::ElsewhereUnusable { place, fault },
            }),
            Claimed::Unnamed => {
                let p = published.map_err(Rejection::UnnamedUnusable)?;
                let m = self.municipality_at(p).ok_or(Rejection::UnnamedOutside {
                    position: p,
                    mapped: self.municipalities.len(),
                })?;
                Ok(build_facility(
                    draft,
                    m.code,
                    p,
                    PositionPrecision::Source,
                    Some(PositionNote::MunicipalityFromPosition),
                ))
            }
            Claimed::Known(m) => match published {
                Ok(p) => match m.placement(p) {
                    Placement::Inside => {
                        Ok(build_facility(draft, m.code, p, PositionPrecision::Source, None))
                    }
                    Placement::Outside { distance_m } if distance_m <= BOUNDARY_TOLERANCE_M => {
                        let note = PositionNote::KeptNearBoundary {
                            distance_m,
                            municipality: m.name.clone(),
                        };
                        Ok(build_facility(draft, m.code, p, PositionPrecision::Source, Some(note)))
                    }
                    Placement::Outside { distance_m } => {
                        let fault = SourcePositionFault::OutsideNamedMunicipality {
                            position: p,
                            distance_m,
                            municipality: m.name.clone(),
                            found_in: self.municipality_at(p).map(|other| other.name.clone()),
                        };
                        self.geocode(draft, m, &rest, fault)
                    }
                },
                Err(fault) => self.geocode(draft, m, &rest, fault),
            },
        }
    }

    fn geocode(
        &self,
        draft: &FacilityDraft,
        m: &Municipality,
        rest: &str,
        fault: SourcePositionFault,
    ) -> Result<Facility, Rejection> {
        if !self.gazetteer.covers(m.code) {
            if crate::is_register_entry(draft) && draft.coordinates.is_none() {
                return Err(Rejection::UnlinkedNotInGazetteer { municipality: m.name.clone() });
            }
            return Err(Rejection::NotInGazetteer { fault, municipality: m.name.clone() });
        }
        let Some(found) = self.gazetteer.locate(m.code, rest) else {
            return Err(Rejection::NoTown {
                fault,
                municipality: m.name.clone(),
                rest: rest.to_owned(),
            });
        };
        let placement = match found.mean_of_chome {
            None => TownPlacement::TownPoint { municipality: m.name.clone(), town: found.town },
            Some(chome) => TownPlacement::MeanOfChome { town: found.town, chome },
        };
        Ok(build_facility(
            draft,
            m.code,
            found.position,
            PositionPrecision::GeocodedTown,
            Some(PositionNote::Geocoded { fault, placement }),
        ))
    }

    fn check_canonical(
        &self,
        draft: &FacilityDraft,
        p: Position,
        precision: PositionPrecision,
    ) -> Result<Facility, Rejection> {
        let Some(code) = draft.declared.code else {
            return Err(Rejection::NoMunicipalityCode);
        };
        match self.municipalities.iter().find(|m| m.code == code) {
            Some(m) => match m.placement(p) {
                Placement::Outside { distance_m } if distance_m > BOUNDARY_TOLERANCE_M => {
                    Err(Rejection::OutsideStatedMunicipality {
                        position: p,
                        distance_m,
                        municipality: m.name.clone(),
                        code,
                    })
                }
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
    note: Option<PositionNote>,
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
        home_care_class: draft.home_care_class,
        filings: draft.filings.clone(),
        linked_record: draft.linked_record.clone(),
        provenance: Provenance {
            source: draft.source.clone(),
            record_id: draft.record_id.clone(),
            as_of: draft.as_of.clone(),
            contact_source: draft.contact_source.clone(),
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
        placer()
            .place(&draft(address, coordinates))
            .map(|f| {
                (
                    f.municipality_code.to_string(),
                    f.position_precision,
                    (f.position.lat(), f.position.lon()),
                )
            })
            .map_err(|rejection| rejection.to_string())
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
        assert!(
            f.position_note.unwrap().to_string().contains("m outside the N03 boundary of 蓮田市")
        );
    }

    #[test]
    fn repairs_coordinates_in_another_prefecture_from_the_gazetteer() {
        let f = placer()
            .place(&draft("埼玉県蓮田市大字上平野616番地1", Some((31.5985655, 131.3816612))))
            .unwrap();
        assert_eq!(f.position_precision, PositionPrecision::GeocodedTown);
        assert_eq!((f.position.lat(), f.position.lon()), (36.02, 139.62));
        let note = f.position_note.unwrap().to_string();
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
        assert!(
            f.position_note
                .unwrap()
                .to_string()
                .contains("municipality taken from the source position")
        );
        assert!(placed("原市中3丁目6", Some((35.5, 139.75))).is_err());
    }

    #[test]
    fn a_structured_municipality_field_outranks_the_address() {
        let mut d = draft("中央1", Some((36.0, 139.65)));
        d.declared =
            DeclaredMunicipality { code: None, name: Some("所沢市".into()), prefecture: None };
        assert!(placer().place(&d).unwrap_err().to_string().contains("所沢市"));
        d.declared = DeclaredMunicipality {
            code: Some("11238".parse().unwrap()),
            name: None,
            prefecture: None,
        };
        assert_eq!(placer().place(&d).unwrap().municipality_code.to_string(), "11238");
    }

    fn check(rejection: &Rejection, expected: &str) {
        assert_eq!(rejection.to_string(), expected);
    }

    #[test]
    fn rejections_read_as_the_audit_file_writes_them() {
        let p = Position::new(35.97, 139.77).unwrap();
        let hasuda = || "蓮田市".to_owned();
        check(
            &Rejection::Duplicate { path: "a/b.csv".into(), location: RowLocation::Line(4) },
            "duplicate of the record at a/b.csv:4",
        );
        check(
            &Rejection::Duplicate { path: "n03.geojson".into(), location: RowLocation::Feature(2) },
            "duplicate of the record at n03.geojson:feature 2",
        );
        check(
            &Rejection::UnusablePosition(SourcePositionFault::Missing),
            "the source gives no coordinates",
        );
        check(&Rejection::NoMunicipalityCode, "municipality_code is required");
        check(
            &Rejection::OutsideStatedMunicipality {
                position: p,
                distance_m: 1_260.0,
                municipality: hasuda(),
                code: "11238".parse().unwrap(),
            },
            "position (35.97, 139.77) lies 1.3 km outside 蓮田市 (11238)",
        );
        check(
            &Rejection::ElsewhereContradicted {
                place: "山形県".into(),
                position: p,
                found_in: Some("春日部市".into()),
            },
            "the address is in 山形県, outside the mapped area, but the source coordinates (35.97, 139.77) lie in 春日部市: the coordinates contradict the address",
        );
        check(
            &Rejection::ElsewhereContradicted {
                place: "山形県".into(),
                position: p,
                found_in: None,
            },
            "the address is in 山形県, outside the mapped area, but the source coordinates (35.97, 139.77) lie in no mapped municipality: the coordinates contradict the address",
        );
        check(
            &Rejection::ElsewhereUnusable {
                place: "山形県".into(),
                fault: SourcePositionFault::NullIsland,
            },
            "the address is in 山形県, outside the mapped area, and the source coordinates are 0/0 (unknown)",
        );
        check(
            &Rejection::UnnamedUnusable(SourcePositionFault::Missing),
            "the address names no municipality and the source gives no coordinates",
        );
        check(
            &Rejection::UnnamedOutside { position: p, mapped: 2 },
            "the address names no municipality and the source coordinates (35.97, 139.77) lie in none of the 2 mapped municipalities",
        );
        check(
            &Rejection::NotInGazetteer {
                fault: SourcePositionFault::Missing,
                municipality: hasuda(),
            },
            "the source gives no coordinates, and the gazetteer does not cover 蓮田市 to place it by address",
        );
        check(
            &Rejection::NoTown {
                fault: SourcePositionFault::Missing,
                municipality: hasuda(),
                rest: "閏戸87".into(),
            },
            "the source gives no coordinates, and no town of 蓮田市 in the gazetteer starts `閏戸87`",
        );
    }

    #[test]
    fn placing_all_rejects_a_repeated_record_id_of_the_same_source_as_a_duplicate() {
        let first = draft("埼玉県蓮田市大字上平野１", Some((36.0, 139.65)));
        let again = FacilityDraft { location: RowLocation::Line(7), ..first.clone() };
        let other_source = FacilityDraft { source: "other".into(), ..first.clone() };
        let (a, b) = (Path::new("a.csv"), Path::new("b.csv"));
        let placed = placer().place_all([(a, &first), (b, &again), (b, &other_source)]);
        let outcomes: Vec<Result<String, String>> = placed
            .iter()
            .map(|p| p.outcome.as_ref().map(|f| f.id.to_string()).map_err(ToString::to_string))
            .collect();
        assert_eq!(
            outcomes,
            [
                Ok("test-1".to_owned()),
                Err("b.csv:7: record 1 (テスト訪問看護): duplicate of the record at a.csv:2"
                    .to_owned()),
                Ok("other-1".to_owned()),
            ]
        );
    }
}
