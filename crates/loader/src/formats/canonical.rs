//! Our own canonical files, as `care-atlas data` writes them into `data/`.

use care_atlas_core::{
    AreaRole, FacilityId, FacilityKind, KindCompleteness, MunicipalPopulation, MunicipalityCode,
    Position, PositionPrecision, SmallArea, SourceCompleteness, SourceScope, TownPoint,
};

use super::fields::{capacity, coordinates, non_empty, open_days};
use crate::records::{Batch, DeclaredMunicipality, FacilityDraft, SourceInfo, Sourced};
use crate::table::{Row, Table};
use crate::{LoadError, RowError, RowLocation};

/// Columns of `facilities.csv`, in order.
pub const FACILITY_COLUMNS: [&str; 17] = [
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
/// Columns of `towns.csv`.
pub const TOWN_COLUMNS: [&str; 6] =
    ["municipality_code", "town", "lat", "lon", "postal_code", "source"];
/// Columns of `sources.csv`.
pub const SOURCE_COLUMNS: [&str; 8] =
    ["id", "title", "publisher", "licence", "attribution", "as_of", "as_of_basis", "origin"];
/// Columns of `kind_coverage.csv`.
pub const KIND_COVERAGE_COLUMNS: [&str; 4] = ["kind", "scope", "coverage", "note"];

/// Why a row was rejected: its id and name where readable, and the reason.
pub(super) struct Rejection {
    pub id: Option<String>,
    pub name: Option<String>,
    pub reason: String,
}

impl From<String> for Rejection {
    fn from(reason: String) -> Self {
        Rejection { id: None, name: None, reason }
    }
}

impl Rejection {
    pub fn of(id: &str, name: &str, reason: impl Into<String>) -> Self {
        Rejection { id: non_empty(id), name: non_empty(name), reason: reason.into() }
    }
}

/// Runs `parse` on every row, collecting the values and the rejections.
pub(super) fn each_row<T>(
    table: &Table,
    mut parse: impl FnMut(&Row) -> Result<T, Rejection>,
) -> (Vec<(u64, T)>, Vec<RowError>) {
    let mut values = Vec::with_capacity(table.rows.len());
    let mut errors = Vec::new();
    for row in &table.rows {
        match parse(row) {
            Ok(value) => values.push((row.line, value)),
            Err(r) => {
                errors.push(table.row_error(row, r.id.as_deref(), r.name.as_deref(), r.reason));
            }
        }
    }
    (values, errors)
}

pub(super) fn sourced<T>(source: &str, line: u64, value: T) -> Sourced<T> {
    Sourced { source: source.to_owned(), location: RowLocation::Line(line), value }
}

pub(super) fn parse_number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    text.trim().parse().map_err(|_| format!("{what} `{text}` is not a valid number"))
}

pub(super) fn parse_optional_number<T: std::str::FromStr>(
    text: &str,
    what: &str,
) -> Result<Option<T>, String> {
    if text.trim().is_empty() { Ok(None) } else { parse_number(text, what).map(Some) }
}

pub(super) fn code(text: &str) -> Result<MunicipalityCode, String> {
    text.parse().map_err(|e: care_atlas_core::MunicipalityCodeError| e.to_string())
}

pub(super) fn position(lat: &str, lon: &str) -> Result<Position, String> {
    let (lat, lon) = coordinates(lat, lon)?.ok_or("no coordinates")?;
    Position::new(lat, lon).map_err(|e| e.to_string())
}

pub fn facilities(table: &Table) -> Result<Batch, LoadError> {
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
    ] = table.require_names("facilities", FACILITY_COLUMNS)?;
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| Rejection::of(row.get(record), row.get(name), reason);
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
        Ok(FacilityDraft {
            location: RowLocation::Line(row.line),
            source: row.get(source).to_owned(),
            record_id: row.get(record).to_owned(),
            as_of: non_empty(row.get(as_of)),
            kind,
            name: non_empty(row.get(name)).ok_or_else(|| reject("name is empty".into()))?,
            name_kana: non_empty(row.get(kana)),
            address: row.get(address).to_owned(),
            declared: DeclaredMunicipality { code: Some(municipality), name: None },
            coordinates: Some(
                coordinates(row.get(lat), row.get(lon))
                    .map_err(reject)?
                    .ok_or_else(|| reject("no coordinates".into()))?,
            ),
            precision: Some(precision),
            position_note: non_empty(row.get(note)),
            phone: non_empty(row.get(phone)),
            url: non_empty(row.get(url)),
            capacity: capacity(row.get(cap)).map_err(reject)?,
            open_days: open_days(row.get(days)),
        })
    });
    Ok(Batch {
        facilities: values.into_iter().map(|(_, v)| v).collect(),
        row_errors,
        ..Batch::default()
    })
}

pub fn population(table: &Table) -> Result<Batch, LoadError> {
    let [muni, name, year, total, aged_65, aged_75, households, area_km2, source] =
        table.require_names("population", POPULATION_COLUMNS)?;
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| Rejection::of(row.get(muni), row.get(name), reason);
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

pub fn small_areas(table: &Table) -> Result<Batch, LoadError> {
    let [key, piece, muni, name, population, households, area, lat, lon, source] =
        table.require_names("small-areas", SMALL_AREA_COLUMNS)?;
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| Rejection::of(row.get(key), row.get(name), reason);
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

pub fn towns(table: &Table) -> Result<Batch, LoadError> {
    let [muni, town, lat, lon, postal, source] = table.require_names("towns", TOWN_COLUMNS)?;
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| Rejection::of("", row.get(town), reason);
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

pub fn sources(table: &Table) -> Result<Batch, LoadError> {
    let [id, title, publisher, licence, attribution, as_of, basis, origin] =
        table.require_names("sources", SOURCE_COLUMNS)?;
    let (values, row_errors) = each_row(table, |row| {
        let id = non_empty(row.get(id)).ok_or_else(|| Rejection::from("id is empty".to_owned()))?;
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
        sources: values.into_iter().map(|(_, v)| v).collect(),
        row_errors,
        ..Batch::default()
    })
}

pub fn kind_coverage(table: &Table) -> Result<Batch, LoadError> {
    let [kind, scope, coverage, note] =
        table.require_names("kind-coverage", KIND_COVERAGE_COLUMNS)?;
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| Rejection::of(row.get(kind), "", reason);
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
        completeness: values.into_iter().map(|(_, v)| v).collect(),
        row_errors,
        ..Batch::default()
    })
}

/// The role of a municipality as the canonical GeoJSON writes it.
pub fn role(text: &str) -> Result<AreaRole, String> {
    AreaRole::from_id(text).ok_or_else(|| format!("role `{text}` is not study_area or neighbour"))
}
