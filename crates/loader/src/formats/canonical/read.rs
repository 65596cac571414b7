//! Reading the canonical files back: every column checked into a typed value or a row error.

use care_atlas_core::{
    AreaRole, CensusMeshCell, FacilityId, FacilityKind, HomeCareClass, KindCompleteness,
    MeshSuppression, MunicipalPopulation, Municipality, PositionNote, PositionPrecision, SmallArea,
    SourceCompleteness, SourceScope, TownPoint,
};
use serde_json::Value;

use super::{
    FACILITY_COLUMNS, KIND_COVERAGE_COLUMNS, MESH_POPULATION_COLUMNS, MUNICIPALITY_PROPERTIES,
    POPULATION_COLUMNS, SMALL_AREA_COLUMNS, SOURCE_COLUMNS, TOWN_COLUMNS,
};
use crate::formats::boundaries::{multi_polygon, text_property};
use crate::formats::census_mesh::half_mesh;
use crate::formats::fields::{capacity, coordinates, non_empty, open_days};
use crate::formats::rows::{
    RowRejection, code, each_row, located, parse_number, parse_optional_number, position, sourced,
};
use crate::records::{Batch, DeclaredMunicipality, FacilityDraft, SourceInfo};
use crate::table::Table;
use crate::{LoadError, RowLocation};

/// The columns of `facilities.csv` added after its first release, which a file written before
/// them lacks: `contact_source`, then the register's `home_care_class`, `filings` and
/// `linked_record`.
const LATER_FACILITY_COLUMNS: usize = 4;

/// Reads `facilities.csv`: facility drafts carrying their checked precision and note. The last
/// columns (`contact_source`, `home_care_class`, `filings`, `linked_record`) are optional: a file
/// written before they existed has no contact from a second source and no register entries.
pub fn facilities(table: &Table) -> Result<Batch, LoadError> {
    let required: [&str; FACILITY_COLUMNS.len() - LATER_FACILITY_COLUMNS] =
        std::array::from_fn(|i| FACILITY_COLUMNS[i]);
    let later = FACILITY_COLUMNS.len() - LATER_FACILITY_COLUMNS;
    let contact = table.column(&[FACILITY_COLUMNS[later]]);
    let class = table.column(&[FACILITY_COLUMNS[later + 1]]);
    let filings = table.column(&[FACILITY_COLUMNS[later + 2]]);
    let linked = table.column(&[FACILITY_COLUMNS[later + 3]]);
    let [
        id,
        kind,
        name,
        kana,
        address,
        muni,
        lat,
        lon,
        precision,
        note,
        phone,
        url,
        cap,
        days,
        source,
        record,
        as_of,
    ] = table.require_names("facilities", required)?;
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(record), row.get(name), reason);
        let expected_id = FacilityId::from_source_record(row.get(source), row.get(record));
        if row.get(source).is_empty() || row.get(record).is_empty() {
            return Err(reject("source and source_record_id are required".into()));
        }
        if row.get(id) != expected_id.as_str() {
            return Err(reject(format!(
                "id `{}` is not `{expected_id}` (source-source_record_id)",
                row.get(id)
            )));
        }
        let kind: FacilityKind = row
            .get(kind)
            .parse()
            .map_err(|e: care_atlas_core::UnknownKind| reject(e.to_string()))?;
        let precision = PositionPrecision::from_id(row.get(precision)).ok_or_else(|| {
            reject(format!(
                "position_precision `{}` is not source or geocoded_town",
                row.get(precision)
            ))
        })?;
        let municipality = code(row.get(muni)).map_err(reject)?;
        let home_care_class = match row.opt(class).unwrap_or_default() {
            "" => None,
            id => Some(HomeCareClass::from_id(id).ok_or_else(|| {
                reject(format!("home_care_class `{id}` is not one of {}", class_ids()))
            })?),
        };
        Ok(FacilityDraft {
            location: RowLocation::Line(row.line),
            source: row.get(source).to_owned(),
            record_id: row.get(record).to_owned(),
            as_of: non_empty(row.get(as_of)),
            contact_source: row.opt(contact).map(str::to_owned),
            kind,
            name: non_empty(row.get(name)).ok_or_else(|| reject("name is empty".into()))?,
            name_kana: non_empty(row.get(kana)),
            address: row.get(address).to_owned(),
            declared: DeclaredMunicipality {
                code: Some(municipality),
                name: None,
                prefecture: None,
            },
            coordinates: Some(
                coordinates(row.get(lat), row.get(lon))
                    .map_err(reject)?
                    .ok_or_else(|| reject("no coordinates".into()))?,
            ),
            precision: Some(precision),
            position_note: non_empty(row.get(note)).map(PositionNote::Recorded),
            phone: non_empty(row.get(phone)),
            url: non_empty(row.get(url)),
            capacity: capacity(row.get(cap)).map_err(reject)?,
            open_days: open_days(row.get(days)),
            home_care_class,
            filings: row
                .opt(filings)
                .unwrap_or_default()
                .split('|')
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
            linked_record: row.opt(linked).and_then(non_empty).map(FacilityId::new),
        })
    });
    Ok(Batch {
        facilities: values.into_iter().map(|(_, v)| v).collect(),
        row_errors,
        ..Batch::default()
    })
}

fn class_ids() -> String {
    HomeCareClass::ALL.map(HomeCareClass::id).join(", ")
}

/// Reads `municipal_population.csv`.
pub fn population(table: &Table) -> Result<Batch, LoadError> {
    let [muni, name, year, total, aged_65, aged_75, households, area_km2, source] =
        table.require_names("population", POPULATION_COLUMNS)?;
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(muni), row.get(name), reason);
        let value = MunicipalPopulation {
            code: code(row.get(muni)).map_err(reject)?,
            name: row.get(name).to_owned(),
            census_year: parse_number(row.get(year), "census_year").map_err(reject)?,
            total: parse_number(row.get(total), "population_total").map_err(reject)?,
            aged_65_plus: parse_optional_number(row.get(aged_65), "aged_65_plus")
                .map_err(reject)?,
            aged_75_plus: parse_optional_number(row.get(aged_75), "aged_75_plus")
                .map_err(reject)?,
            area_km2: parse_optional_number(row.get(area_km2), "area_km2").map_err(reject)?,
            households: parse_optional_number(row.get(households), "households").map_err(reject)?,
        };
        Ok((row.get(source).to_owned(), value))
    });
    let populations =
        values.into_iter().map(|(line, (source, v))| sourced(&source, line, v)).collect();
    Ok(Batch { populations, row_errors, ..Batch::default() })
}

/// Reads `small_areas.csv`.
pub fn small_areas(table: &Table) -> Result<Batch, LoadError> {
    let [key, piece, muni, name, population, households, area, lat, lon, source] =
        table.require_names("small-areas", SMALL_AREA_COLUMNS)?;
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(key), row.get(name), reason);
        let value = SmallArea {
            key_code: non_empty(row.get(key)).ok_or_else(|| reject("key_code is empty".into()))?,
            piece: non_empty(row.get(piece)),
            municipality_code: code(row.get(muni)).map_err(reject)?,
            name: row.get(name).to_owned(),
            population: parse_number(row.get(population), "population").map_err(reject)?,
            households: parse_number(row.get(households), "households").map_err(reject)?,
            area_m2: parse_number(row.get(area), "area_m2").map_err(reject)?,
            representative_point: position(row.get(lat), row.get(lon)).map_err(reject)?,
        };
        Ok((row.get(source).to_owned(), value))
    });
    let small_areas =
        values.into_iter().map(|(line, (source, v))| sourced(&source, line, v)).collect();
    Ok(Batch { small_areas, row_errors, ..Batch::default() })
}

/// Reads `mesh_population.csv`: the census 500 m cells as published, an empty count unknown.
pub fn mesh_population(table: &Table) -> Result<Batch, LoadError> {
    let [key, suppression, into, total, aged_65, aged_75, aged_85, alone, households, source] =
        table.require_names("mesh-population", MESH_POPULATION_COLUMNS)?;
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(key), "", reason);
        let count = |column: usize, what: &str| {
            parse_optional_number::<u32>(row.get(column), what).map_err(reject)
        };
        let suppression = match row.get(suppression) {
            "none" => MeshSuppression::None,
            "receives_merged" => MeshSuppression::Receives,
            "merged_into" => MeshSuppression::MergedInto(
                half_mesh(row.get(into), "merged_into").map_err(reject)?,
            ),
            other => {
                return Err(reject(format!(
                    "suppression `{other}` is not none, receives_merged or merged_into"
                )));
            }
        };
        let value = CensusMeshCell {
            code: half_mesh(row.get(key), "mesh_code").map_err(reject)?,
            suppression,
            population_total: count(total, "population_total")?,
            aged_65_plus: count(aged_65, "aged_65_plus")?,
            aged_75_plus: count(aged_75, "aged_75_plus")?,
            aged_85_plus: count(aged_85, "aged_85_plus")?,
            elderly_living_alone: count(alone, "elderly_living_alone")?,
            households: count(households, "households")?,
        };
        Ok((row.get(source).to_owned(), value))
    });
    let census_mesh =
        values.into_iter().map(|(line, (source, v))| sourced(&source, line, v)).collect();
    Ok(Batch { census_mesh, row_errors, ..Batch::default() })
}

/// Reads `towns.csv`, the gazetteer.
pub fn towns(table: &Table) -> Result<Batch, LoadError> {
    let [muni, town, lat, lon, postal, source] = table.require_names("towns", TOWN_COLUMNS)?;
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of("", row.get(town), reason);
        let value = TownPoint {
            municipality_code: code(row.get(muni)).map_err(reject)?,
            town: non_empty(row.get(town)).ok_or_else(|| reject("town is empty".into()))?,
            position: position(row.get(lat), row.get(lon)).map_err(reject)?,
            postal_code: non_empty(row.get(postal)),
        };
        Ok((row.get(source).to_owned(), value))
    });
    let towns = values.into_iter().map(|(line, (source, v))| sourced(&source, line, v)).collect();
    Ok(Batch { towns, row_errors, ..Batch::default() })
}

/// Reads `sources.csv`.
pub fn sources(table: &Table) -> Result<Batch, LoadError> {
    let [id, title, publisher, licence, attribution, as_of, basis, origin] =
        table.require_names("sources", SOURCE_COLUMNS)?;
    let (values, row_errors) = each_row(table, |row| {
        let id =
            non_empty(row.get(id)).ok_or_else(|| RowRejection::from("id is empty".to_owned()))?;
        Ok(SourceInfo {
            id,
            title: row.get(title).to_owned(),
            publisher: row.get(publisher).to_owned(),
            licence: row.get(licence).to_owned(),
            attribution: row.get(attribution).to_owned(),
            as_of: non_empty(row.get(as_of)),
            as_of_basis: row.get(basis).to_owned(),
            origin: row.get(origin).to_owned(),
        })
    });
    Ok(Batch {
        sources: values.into_iter().map(|(line, v)| located(line, v)).collect(),
        row_errors,
        ..Batch::default()
    })
}

/// Reads `kind_coverage.csv`.
pub fn kind_coverage(table: &Table) -> Result<Batch, LoadError> {
    let [kind, scope, coverage, note] =
        table.require_names("kind-coverage", KIND_COVERAGE_COLUMNS)?;
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(kind), "", reason);
        Ok(KindCompleteness {
            kind: row
                .get(kind)
                .parse()
                .map_err(|e: care_atlas_core::UnknownKind| reject(e.to_string()))?,
            scope: SourceScope::from_id(row.get(scope)).ok_or_else(|| {
                reject(format!("scope `{}` is not study_area or neighbours_10km", row.get(scope)))
            })?,
            completeness: SourceCompleteness::from_id(row.get(coverage)).ok_or_else(|| {
                reject(format!(
                    "coverage `{}` is not complete, partial or no_source",
                    row.get(coverage)
                ))
            })?,
            note: row.get(note).to_owned(),
        })
    });
    Ok(Batch {
        completeness: values.into_iter().map(|(line, v)| located(line, v)).collect(),
        row_errors,
        ..Batch::default()
    })
}

/// One feature of `municipalities.geojson` as a municipality with its stated role, and its source.
pub fn municipality_feature(
    properties: &serde_json::Map<String, Value>,
    geometry: Option<&geojson::Geometry>,
) -> Result<(String, Municipality), String> {
    let required = |key: &str| {
        text_property(properties, key).ok_or_else(|| format!("property `{key}` is missing"))
    };
    let [code_key, name, prefecture, county, role, source] = MUNICIPALITY_PROPERTIES;
    let municipality = Municipality {
        code: code(required(code_key)?)?,
        name: required(name)?.to_owned(),
        prefecture: required(prefecture)?.to_owned(),
        county: text_property(properties, county).map(str::to_owned),
        role: required(role).and_then(|role| {
            AreaRole::from_id(role)
                .ok_or_else(|| format!("role `{role}` is not study_area or neighbour"))
        })?,
        boundary: multi_polygon(geometry)?,
    };
    Ok((required(source)?.to_owned(), municipality))
}
