//! Our own canonical files, as `care-atlas data` writes them into `data/` and `care-atlas import`
//! reads them back: the column lists are defined here once, for both directions.

mod read;
mod write;

pub(super) use read::{
    facilities, kind_coverage, mesh_population, municipality_feature, population, small_areas,
    sources, towns,
};
pub use write::{CanonicalSet, write_all};

/// Columns of `facilities.csv`, in order.
pub const FACILITY_COLUMNS: [&str; 21] = [
    "id",
    "kind",
    "name",
    "name_kana",
    "address",
    "municipality_code",
    "lat",
    "lon",
    "position_precision",
    "position_note",
    "phone",
    "url",
    "capacity",
    "open_days",
    "source",
    "source_record_id",
    "as_of",
    "contact_source",
    "home_care_class",
    "filings",
    "linked_record",
];
/// Columns of `municipal_population.csv`.
pub const POPULATION_COLUMNS: [&str; 9] = [
    "municipality_code",
    "name",
    "census_year",
    "population_total",
    "aged_65_plus",
    "aged_75_plus",
    "households",
    "area_km2",
    "source",
];
/// Columns of `small_areas.csv`.
pub const SMALL_AREA_COLUMNS: [&str; 10] = [
    "key_code",
    "piece",
    "municipality_code",
    "name",
    "population",
    "households",
    "area_m2",
    "lat",
    "lon",
    "source",
];
/// Columns of `mesh_population.csv`: one row per census 500 m cell, counts as published (empty:
/// suppressed, `*` in the census table).
pub const MESH_POPULATION_COLUMNS: [&str; 10] = [
    "mesh_code",
    "suppression",
    "merged_into",
    "population_total",
    "aged_65_plus",
    "aged_75_plus",
    "aged_85_plus",
    "elderly_living_alone",
    "households",
    "source",
];
/// Columns of `towns.csv`.
pub const TOWN_COLUMNS: [&str; 6] =
    ["municipality_code", "town", "lat", "lon", "postal_code", "source"];
/// Columns of `sources.csv`.
pub const SOURCE_COLUMNS: [&str; 8] =
    ["id", "title", "publisher", "licence", "attribution", "as_of", "as_of_basis", "origin"];
/// Columns of `kind_coverage.csv`.
pub const KIND_COVERAGE_COLUMNS: [&str; 4] = ["kind", "scope", "coverage", "note"];

/// Columns of `audit/rejected_records.csv`.
pub const REJECTED_COLUMNS: [&str; 5] = ["file", "line", "record_id", "name", "reason"];
/// Feature properties of `municipalities.geojson`.
pub const MUNICIPALITY_PROPERTIES: [&str; 6] =
    ["code", "name", "prefecture", "county", "role", "source"];
