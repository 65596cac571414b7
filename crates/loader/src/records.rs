//! What parsing a file yields: domain values ready to store and facility drafts awaiting placement.

use care_atlas_core::{
    CensusMeshCell, FacilityId, FacilityKind, HomeCareClass, KindCompleteness, MunicipalPopulation,
    Municipality, MunicipalityCode, PositionNote, PositionPrecision, SmallArea, TownPoint,
};

use crate::{RowError, RowLocation};

/// A value with the source data set it comes from and where in its file it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    /// Source data set id.
    pub source: String,
    /// Where in its file.
    pub location: RowLocation,
    /// The value.
    pub value: T,
}

pub use care_atlas_core::SourceInfo;

/// A value with where in its file it was, for records that carry no source id of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// Where in its file.
    pub location: RowLocation,
    /// The value.
    pub value: T,
}

/// The municipality a record claims to be in, from a structured field or its address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeclaredMunicipality {
    /// A municipality code field.
    pub code: Option<MunicipalityCode>,
    /// A municipality name field (`杉戸町`, `さいたま市岩槻区`).
    pub name: Option<String>,
    /// The prefecture the record is in, for a source whose addresses omit it (the 厚生局's
    /// register is published per prefecture).
    pub prefecture: Option<String>,
}

/// A facility record as read, before its position is checked against its address.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityDraft {
    /// Where in its file.
    pub location: RowLocation,
    /// Source data set id.
    pub source: String,
    /// The record's id in the source.
    pub record_id: String,
    /// Date the source describes.
    pub as_of: Option<String>,
    /// For canonical files, the source of the telephone and web site when it is not `source`.
    pub contact_source: Option<String>,
    /// Kind.
    pub kind: FacilityKind,
    /// Name as published.
    pub name: String,
    /// Kana reading.
    pub name_kana: Option<String>,
    /// Address as published.
    pub address: String,
    /// The municipality the record names, if any.
    pub declared: DeclaredMunicipality,
    /// Latitude and longitude as published (unchecked: may be 0/0 or far away).
    pub coordinates: Option<(f64, f64)>,
    /// For canonical files, which already carry a checked precision.
    pub precision: Option<PositionPrecision>,
    /// For canonical files, the note explaining the position, as written.
    pub position_note: Option<PositionNote>,
    /// Telephone.
    pub phone: Option<String>,
    /// Web site.
    pub url: Option<String>,
    /// Places.
    pub capacity: Option<u32>,
    /// Days open, `|`-separated.
    pub open_days: Option<String>,
    /// The class of a 在宅療養支援診療所・病院・歯科診療所.
    pub home_care_class: Option<HomeCareClass>,
    /// Home-care filings (受理記号) as published.
    pub filings: Vec<String>,
    /// The facility of another source that is the same institution, once linked.
    pub linked_record: Option<FacilityId>,
}

impl FacilityDraft {
    /// A draft with the fields every layout has, and every optional one empty.
    #[must_use]
    pub fn new(
        location: RowLocation,
        source: String,
        record_id: String,
        kind: FacilityKind,
        name: String,
        address: String,
    ) -> Self {
        FacilityDraft {
            location,
            source,
            record_id,
            as_of: None,
            contact_source: None,
            kind,
            name,
            name_kana: None,
            address,
            declared: DeclaredMunicipality::default(),
            coordinates: None,
            precision: None,
            position_note: None,
            phone: None,
            url: None,
            capacity: None,
            open_days: None,
            home_care_class: None,
            filings: Vec::new(),
            linked_record: None,
        }
    }
}

/// Everything read from one or more files.
#[derive(Debug, Default)]
pub struct Batch {
    /// Facility drafts.
    pub facilities: Vec<FacilityDraft>,
    /// Municipal boundaries.
    pub municipalities: Vec<Sourced<Municipality>>,
    /// Municipal population.
    pub populations: Vec<Sourced<MunicipalPopulation>>,
    /// Census small areas.
    pub small_areas: Vec<Sourced<SmallArea>>,
    /// Census 500 m mesh cells.
    pub census_mesh: Vec<Sourced<CensusMeshCell>>,
    /// Gazetteer town points.
    pub towns: Vec<Sourced<TownPoint>>,
    /// Source descriptions.
    pub sources: Vec<Located<SourceInfo>>,
    /// Kind coverage statements.
    pub completeness: Vec<Located<KindCompleteness>>,
    /// Rejected rows.
    pub row_errors: Vec<RowError>,
    /// Data rows read (including rejected ones); for a layout with several rows per record (the
    /// 厚生局's register), the records read.
    pub rows_read: usize,
    /// Records read that are none of the kinds carried: a register's institutions without a
    /// 在宅療養支援 filing. Counted so that the build can account for every record.
    pub not_carried: usize,
}

impl Batch {
    /// Moves everything of `other` into `self`.
    pub fn append(&mut self, mut other: Batch) {
        self.facilities.append(&mut other.facilities);
        self.municipalities.append(&mut other.municipalities);
        self.populations.append(&mut other.populations);
        self.small_areas.append(&mut other.small_areas);
        self.census_mesh.append(&mut other.census_mesh);
        self.towns.append(&mut other.towns);
        self.sources.append(&mut other.sources);
        self.completeness.append(&mut other.completeness);
        self.row_errors.append(&mut other.row_errors);
        self.rows_read += other.rows_read;
        self.not_carried += other.not_carried;
    }
}
