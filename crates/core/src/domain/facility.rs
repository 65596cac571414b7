//! Facility records: one per service office, as the government data has it.

use std::fmt;

use crate::{FacilityKind, HomeCareClass, MunicipalityCode, Position, PositionError};

/// A stable facility id, derived from the source data set and the source's own record id so that
/// re-importing the same record yields the same id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FacilityId(String);

impl FacilityId {
    /// The id of the record `record_id` of the source `source`.
    ///
    /// ```
    /// use care_atlas_core::FacilityId;
    /// let id = FacilityId::from_source_record("mhlw-kaigo-130", "1165790043");
    /// assert_eq!(id.as_str(), "mhlw-kaigo-130-1165790043");
    /// ```
    #[must_use]
    pub fn from_source_record(source: &str, record_id: &str) -> Self {
        FacilityId(format!("{source}-{record_id}"))
    }

    /// Wraps an id read back from storage.
    #[must_use]
    pub fn new(id: String) -> Self {
        FacilityId(id)
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FacilityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How precise a facility's position is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PositionPrecision {
    /// The coordinates as the source published them.
    Source,
    /// Placed at the representative point of its 大字・町丁目 from the gazetteer, because the source
    /// had no coordinates or coordinates that contradict its address: typically a few hundred
    /// metres off, up to about a kilometre in large rural 大字.
    GeocodedTown,
}

impl PositionPrecision {
    /// Stable id.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            PositionPrecision::Source => "source",
            PositionPrecision::GeocodedTown => "geocoded_town",
        }
    }

    /// English label.
    #[must_use]
    pub const fn label_en(self) -> &'static str {
        match self {
            PositionPrecision::Source => "as published by the source",
            PositionPrecision::GeocodedTown => "approximate: town (大字・町丁目) point",
        }
    }

    /// Parses a stable id.
    #[must_use]
    pub fn from_id(id: &str) -> Option<Self> {
        [PositionPrecision::Source, PositionPrecision::GeocodedTown]
            .into_iter()
            .find(|p| p.id() == id)
    }
}

/// Why the position a source published for a record could not be used as it stands.
///
/// The `Display` text is stored in `data/` and in the database, so it must not change wording.
#[derive(Debug, Clone, PartialEq)]
pub enum SourcePositionFault {
    /// The record has no coordinates.
    Missing,
    /// The coordinates are out of range.
    Impossible(PositionError),
    /// The coordinates are 0/0, which government data uses for "unknown".
    NullIsland,
    /// The coordinates lie farther outside the municipality the address names than a position on
    /// its boundary roads could.
    OutsideNamedMunicipality {
        /// The published position.
        position: Position,
        /// Geodesic distance from the municipality's boundary in metres.
        distance_m: f64,
        /// The municipality the address names.
        municipality: String,
        /// The mapped municipality the position falls in, if any.
        found_in: Option<String>,
    },
}

impl fmt::Display for SourcePositionFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourcePositionFault::Missing => f.write_str("the source gives no coordinates"),
            SourcePositionFault::Impossible(e) => {
                write!(f, "the source coordinates are impossible ({e})")
            }
            SourcePositionFault::NullIsland => {
                f.write_str("the source coordinates are 0/0 (unknown)")
            }
            SourcePositionFault::OutsideNamedMunicipality {
                position,
                distance_m,
                municipality,
                found_in,
            } => {
                write!(
                    f,
                    "the source coordinates ({position}) lie {:.1} km outside {municipality}, which the address names",
                    distance_m / 1000.0
                )?;
                match found_in {
                    Some(other) => write!(f, " (they fall in {other})"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// Which gazetteer point a geocoded record was placed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TownPlacement {
    /// The point of the 大字・町丁目 the address names.
    TownPoint {
        /// The municipality.
        municipality: String,
        /// The 大字・町丁目.
        town: String,
    },
    /// The mean of the points of a town's 丁目, the address naming the town without its 丁目.
    MeanOfChome {
        /// The town as the address names it.
        town: String,
        /// How many 丁目 were averaged.
        chome: usize,
    },
}

impl fmt::Display for TownPlacement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TownPlacement::TownPoint { municipality, town } => {
                write!(f, "placed at the gazetteer point of {municipality}{town}")
            }
            TownPlacement::MeanOfChome { town, chome } => write!(
                f,
                "the address names {town} without its 丁目: placed at the mean of the gazetteer points of its {chome} 丁目"
            ),
        }
    }
}

/// What was done to a facility's position and why.
///
/// The `Display` text is what `data/facilities.csv` and the database store, so it must not change
/// wording; counts are taken by variant, never from the text.
#[derive(Debug, Clone, PartialEq)]
pub enum PositionNote {
    /// The published position lies just outside the boundary of the municipality the address names,
    /// within the tolerance for offices on boundary roads, and was kept.
    KeptNearBoundary {
        /// Geodesic distance from the boundary in metres.
        distance_m: f64,
        /// The municipality the address names.
        municipality: String,
    },
    /// The address names no municipality: the one containing the published position was taken.
    MunicipalityFromPosition,
    /// The record was placed at a gazetteer point because its published position was unusable.
    Geocoded {
        /// Why the published position was not used.
        fault: SourcePositionFault,
        /// Where the record was placed instead.
        placement: TownPlacement,
    },
    /// A note read back from a canonical file or the database, kept as written: rebuilding the
    /// variant would mean parsing our own sentences, and nothing counts these notes.
    Recorded(String),
}

impl PositionNote {
    /// Why the published position was not used, for a geocoded record.
    #[must_use]
    pub fn fault(&self) -> Option<&SourcePositionFault> {
        match self {
            PositionNote::Geocoded { fault, .. } => Some(fault),
            _ => None,
        }
    }
}

impl fmt::Display for PositionNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PositionNote::KeptNearBoundary { distance_m, municipality } => write!(
                f,
                "the source position lies {distance_m:.0} m outside the N03 boundary of {municipality}; kept as published"
            ),
            PositionNote::MunicipalityFromPosition => f.write_str(
                "the address names no municipality: municipality taken from the source position",
            ),
            PositionNote::Geocoded { fault, placement } => write!(f, "{fault}; {placement}"),
            PositionNote::Recorded(text) => f.write_str(text),
        }
    }
}

/// Where a record comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// Id of the source data set (see `data/sources.csv`).
    pub source: String,
    /// The record's id in that data set (事業所番号, 医療機関コード, ...).
    pub record_id: String,
    /// The date the source data describes, ISO 8601 (`2025-06-01`), or as precise as known.
    pub as_of: Option<String>,
    /// Id of the source that gave the telephone number and web site when it is not `source`: a
    /// contact is filled from another source only where `source` publishes none, and the credit
    /// goes to the source that gave it.
    pub contact_source: Option<String>,
}

/// One service office, clinic, hospital or pharmacy.
#[derive(Debug, Clone, PartialEq)]
pub struct Facility {
    /// Stable id.
    pub id: FacilityId,
    /// What it is.
    pub kind: FacilityKind,
    /// Name, exactly as published.
    pub name: String,
    /// Reading of the name in katakana, where the source gives it.
    pub name_kana: Option<String>,
    /// Address, exactly as published.
    pub address: String,
    /// The municipality it lies in.
    pub municipality_code: MunicipalityCode,
    /// WGS84 position.
    pub position: Position,
    /// How precise the position is.
    pub position_precision: PositionPrecision,
    /// What was done to the position and why (geocoded, repaired), if anything.
    pub position_note: Option<PositionNote>,
    /// Telephone number as published.
    pub phone: Option<String>,
    /// Web site.
    pub url: Option<String>,
    /// Places (定員), where the source gives a positive number.
    pub capacity: Option<u32>,
    /// Days open, as published (`平日|土曜日`).
    pub open_days: Option<String>,
    /// The class of a 在宅療養支援診療所・病院・歯科診療所, as the 厚生局's register lists it.
    pub home_care_class: Option<HomeCareClass>,
    /// The home-care filings (受理記号, exactly as the register publishes them, in its order), for
    /// the kinds the register lists; empty for every other record.
    pub filings: Vec<String>,
    /// The facility of another source that is the same institution (a register entry linked to
    /// its 医療情報ネット record), whose position this one takes.
    pub linked_record: Option<FacilityId>,
    /// Where the record comes from.
    pub provenance: Provenance,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(note: &PositionNote, expected: &str) {
        assert_eq!(note.to_string(), expected);
    }

    fn geocoded(fault: SourcePositionFault) -> PositionNote {
        let placement = TownPlacement::TownPoint {
            municipality: "蓮田市".into(),
            town: "大字上平野".into(),
        };
        PositionNote::Geocoded { fault, placement }
    }

    #[test]
    fn position_notes_read_as_the_shipped_data_writes_them() {
        let kasukabe = Position::new(31.5985655, 131.3816612).unwrap();
        check(
            &PositionNote::KeptNearBoundary { distance_m: 123.4, municipality: "白岡市".into() },
            "the source position lies 123 m outside the N03 boundary of 白岡市; kept as published",
        );
        check(
            &PositionNote::MunicipalityFromPosition,
            "the address names no municipality: municipality taken from the source position",
        );
        check(
            &geocoded(SourcePositionFault::Missing),
            "the source gives no coordinates; placed at the gazetteer point of 蓮田市大字上平野",
        );
        check(
            &geocoded(SourcePositionFault::NullIsland),
            "the source coordinates are 0/0 (unknown); placed at the gazetteer point of 蓮田市大字上平野",
        );
        check(
            &geocoded(SourcePositionFault::Impossible(PositionError::Latitude(95.0))),
            "the source coordinates are impossible (latitude 95 is outside -90..=90); placed at the gazetteer point of 蓮田市大字上平野",
        );
        check(
            &geocoded(SourcePositionFault::OutsideNamedMunicipality {
                position: kasukabe,
                distance_m: 812_345.0,
                municipality: "蓮田市".into(),
                found_in: None,
            }),
            "the source coordinates (31.5985655, 131.3816612) lie 812.3 km outside 蓮田市, which the address names; placed at the gazetteer point of 蓮田市大字上平野",
        );
        check(
            &PositionNote::Geocoded {
                fault: SourcePositionFault::OutsideNamedMunicipality {
                    position: kasukabe,
                    distance_m: 2_140.0,
                    municipality: "宮代町".into(),
                    found_in: Some("春日部市".into()),
                },
                placement: TownPlacement::MeanOfChome { town: "中央".into(), chome: 3 },
            },
            "the source coordinates (31.5985655, 131.3816612) lie 2.1 km outside 宮代町, which the address names (they fall in 春日部市); the address names 中央 without its 丁目: placed at the mean of the gazetteer points of its 3 丁目",
        );
        check(&PositionNote::Recorded("as written".into()), "as written");
    }

    #[test]
    fn only_geocoded_notes_have_a_fault() {
        assert_eq!(
            geocoded(SourcePositionFault::Missing).fault(),
            Some(&SourcePositionFault::Missing)
        );
        assert_eq!(PositionNote::MunicipalityFromPosition.fault(), None);
        assert_eq!(PositionNote::Recorded("x".into()).fault(), None);
    }
}
