//! Writing the canonical files: one row function per file, each returning exactly as many fields
//! as its column list has, so that a column added on one side and not the other does not compile.

use std::path::Path;

use care_atlas_core::{
    CensusMeshCell, Facility, KindCompleteness, MunicipalPopulation, Municipality, SmallArea,
    TownPoint,
};
use serde_json::{Map, Value};

use super::{
    FACILITY_COLUMNS, KIND_COVERAGE_COLUMNS, MESH_POPULATION_COLUMNS, MUNICIPALITY_PROPERTIES,
    POPULATION_COLUMNS, REJECTED_COLUMNS, SMALL_AREA_COLUMNS, SOURCE_COLUMNS, TOWN_COLUMNS,
};
use crate::error::io_error;
use crate::records::{SourceInfo, Sourced};
use crate::{LoadError, RowError};

/// Everything a canonical data set holds, borrowed for writing.
#[derive(Debug, Clone, Copy)]
pub struct CanonicalSet<'a> {
    /// `facilities.csv`, in the order given.
    pub facilities: &'a [Facility],
    /// `municipalities.geojson`, written in code order.
    pub municipalities: &'a [Sourced<Municipality>],
    /// `municipal_population.csv`.
    pub populations: &'a [Sourced<MunicipalPopulation>],
    /// `small_areas.csv`.
    pub small_areas: &'a [Sourced<SmallArea>],
    /// `mesh_population.csv`, written in mesh-code order.
    pub census_mesh: &'a [Sourced<CensusMeshCell>],
    /// `towns.csv`.
    pub towns: &'a [Sourced<TownPoint>],
    /// `sources.csv`.
    pub sources: &'a [SourceInfo],
    /// `kind_coverage.csv`.
    pub completeness: &'a [KindCompleteness],
    /// `audit/rejected_records.csv`.
    pub rejected: &'a [RowError],
}

/// Writes every canonical file of `set` into `out_dir` (and its `audit/` folder).
pub fn write_all(out_dir: &Path, set: &CanonicalSet<'_>) -> Result<(), LoadError> {
    std::fs::create_dir_all(out_dir.join("audit")).map_err(io_error(out_dir))?;
    let file = |name: &str| out_dir.join(name);
    write_csv(&file("facilities.csv"), &FACILITY_COLUMNS, set.facilities.iter().map(facility_row))?;
    write_municipalities(&file("municipalities.geojson"), set.municipalities)?;
    let populations = set.populations.iter().map(population_row);
    write_csv(&file("municipal_population.csv"), &POPULATION_COLUMNS, populations)?;
    let small_areas = set.small_areas.iter().map(small_area_row);
    write_csv(&file("small_areas.csv"), &SMALL_AREA_COLUMNS, small_areas)?;
    let mut census_mesh: Vec<&Sourced<CensusMeshCell>> = set.census_mesh.iter().collect();
    census_mesh.sort_by_key(|c| c.value.code);
    let census_mesh = census_mesh.into_iter().map(mesh_population_row);
    write_csv(&file("mesh_population.csv"), &MESH_POPULATION_COLUMNS, census_mesh)?;
    write_csv(&file("towns.csv"), &TOWN_COLUMNS, set.towns.iter().map(town_row))?;
    write_csv(&file("sources.csv"), &SOURCE_COLUMNS, set.sources.iter().map(source_row))?;
    let completeness = set.completeness.iter().map(completeness_row);
    write_csv(&file("kind_coverage.csv"), &KIND_COVERAGE_COLUMNS, completeness)?;
    let rejected = set.rejected.iter().map(rejected_row);
    write_csv(&file("audit/rejected_records.csv"), &REJECTED_COLUMNS, rejected)
}

/// An optional value as a field: empty when absent.
fn or_empty(value: Option<impl ToString>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn facility_row(f: &Facility) -> [String; FACILITY_COLUMNS.len()] {
    [
        f.id.to_string(),
        f.kind.id().to_owned(),
        f.name.clone(),
        or_empty(f.name_kana.as_ref()),
        f.address.clone(),
        f.municipality_code.to_string(),
        f.position.lat().to_string(),
        f.position.lon().to_string(),
        f.position_precision.id().to_owned(),
        or_empty(f.position_note.as_ref()),
        or_empty(f.phone.as_ref()),
        or_empty(f.url.as_ref()),
        or_empty(f.capacity),
        or_empty(f.open_days.as_ref()),
        f.provenance.source.clone(),
        f.provenance.record_id.clone(),
        or_empty(f.provenance.as_of.as_ref()),
        or_empty(f.provenance.contact_source.as_ref()),
        or_empty(f.home_care_class),
        f.filings.join("|"),
        or_empty(f.linked_record.as_ref()),
    ]
}

fn population_row(p: &Sourced<MunicipalPopulation>) -> [String; POPULATION_COLUMNS.len()] {
    let v = &p.value;
    [
        v.code.to_string(),
        v.name.clone(),
        v.census_year.to_string(),
        v.total.to_string(),
        or_empty(v.aged_65_plus),
        or_empty(v.aged_75_plus),
        or_empty(v.households),
        or_empty(v.area_km2),
        p.source.clone(),
    ]
}

fn small_area_row(a: &Sourced<SmallArea>) -> [String; SMALL_AREA_COLUMNS.len()] {
    let v = &a.value;
    [
        v.key_code.clone(),
        or_empty(v.piece.as_ref()),
        v.municipality_code.to_string(),
        v.name.clone(),
        v.population.to_string(),
        v.households.to_string(),
        v.area_m2.to_string(),
        v.representative_point.lat().to_string(),
        v.representative_point.lon().to_string(),
        a.source.clone(),
    ]
}

fn mesh_population_row(c: &Sourced<CensusMeshCell>) -> [String; MESH_POPULATION_COLUMNS.len()] {
    let v = &c.value;
    [
        v.code.to_string(),
        v.suppression.id().to_owned(),
        or_empty(v.suppression.merged_into()),
        or_empty(v.population_total),
        or_empty(v.aged_65_plus),
        or_empty(v.aged_75_plus),
        or_empty(v.aged_85_plus),
        or_empty(v.elderly_living_alone),
        or_empty(v.households),
        c.source.clone(),
    ]
}

fn town_row(t: &Sourced<TownPoint>) -> [String; TOWN_COLUMNS.len()] {
    let v = &t.value;
    [
        v.municipality_code.to_string(),
        v.town.clone(),
        v.position.lat().to_string(),
        v.position.lon().to_string(),
        or_empty(v.postal_code.as_ref()),
        t.source.clone(),
    ]
}

fn source_row(s: &SourceInfo) -> [String; SOURCE_COLUMNS.len()] {
    [
        s.id.clone(),
        s.title.clone(),
        s.publisher.clone(),
        s.licence.clone(),
        s.attribution.clone(),
        or_empty(s.as_of.as_ref()),
        s.as_of_basis.clone(),
        s.origin.clone(),
    ]
}

fn completeness_row(c: &KindCompleteness) -> [String; KIND_COVERAGE_COLUMNS.len()] {
    [
        c.kind.id().to_owned(),
        c.scope.id().to_owned(),
        c.completeness.id().to_owned(),
        c.note.clone(),
    ]
}

fn rejected_row(e: &RowError) -> [String; REJECTED_COLUMNS.len()] {
    [
        e.path.display().to_string(),
        e.location.to_string(),
        or_empty(e.record_id.as_ref()),
        or_empty(e.name.as_ref()),
        e.reason.clone(),
    ]
}

fn write_csv<const N: usize>(
    path: &Path,
    header: &[&str; N],
    rows: impl Iterator<Item = [String; N]>,
) -> Result<(), LoadError> {
    let csv_error =
        |e: csv::Error| LoadError::Io { path: path.to_owned(), source: std::io::Error::other(e) };
    let mut writer = csv::Writer::from_path(path).map_err(csv_error)?;
    writer.write_record(header).map_err(csv_error)?;
    for row in rows {
        writer.write_record(&row).map_err(csv_error)?;
    }
    writer.flush().map_err(io_error(path))
}

/// Writes the boundaries as a FeatureCollection in code order, one feature per line so that diffs
/// stay readable.
fn write_municipalities(
    path: &Path,
    municipalities: &[Sourced<Municipality>],
) -> Result<(), LoadError> {
    let [code, name, prefecture, county, role, source] = MUNICIPALITY_PROPERTIES;
    let mut sorted: Vec<&Sourced<Municipality>> = municipalities.iter().collect();
    sorted.sort_by_key(|m| m.value.code);
    let features: Vec<String> = sorted
        .iter()
        .map(|m| {
            let v = &m.value;
            let geometry: Value =
                serde_json::from_str(&crate::store::boundary_geojson(&v.boundary))
                    .unwrap_or(Value::Null);
            let mut properties = Map::new();
            properties.insert(code.into(), v.code.to_string().into());
            properties.insert(name.into(), v.name.clone().into());
            properties.insert(prefecture.into(), v.prefecture.clone().into());
            properties.insert(county.into(), v.county.clone().into());
            properties.insert(role.into(), v.role.id().into());
            properties.insert(source.into(), m.source.clone().into());
            let mut feature = Map::new();
            feature.insert("type".into(), "Feature".into());
            feature.insert("properties".into(), properties.into());
            feature.insert("geometry".into(), geometry);
            Value::Object(feature).to_string()
        })
        .collect();
    let text =
        format!("{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n", features.join(",\n"));
    std::fs::write(path, text).map_err(io_error(path))
}
