//! Facility records: one per service office, as the government data has it.

use std::fmt;

use crate::{FacilityKind, MunicipalityCode, Position};

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

/// Where a record comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// Id of the source data set (see `data/sources.csv`).
    pub source: String,
    /// The record's id in that data set (事業所番号, 医療機関コード, ...).
    pub record_id: String,
    /// The date the source data describes, ISO 8601 (`2025-06-01`), or as precise as known.
    pub as_of: Option<String>,
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
    pub position_note: Option<String>,
    /// Telephone number as published.
    pub phone: Option<String>,
    /// Web site.
    pub url: Option<String>,
    /// Places (定員), where the source gives a positive number.
    pub capacity: Option<u32>,
    /// Days open, as published (`平日|土曜日`).
    pub open_days: Option<String>,
    /// Where the record comes from.
    pub provenance: Provenance,
}
