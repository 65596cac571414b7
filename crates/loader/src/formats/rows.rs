//! Row-level parsing shared by every CSV layout: a parser run over each row, its rejections
//! collected with file and line, and the field parsers whose errors become those rejections.

use care_atlas_core::{MunicipalityCode, Position};

use super::fields::{coordinates, non_empty};
use crate::records::{Located, Sourced};
use crate::table::{Row, Table};
use crate::{RowError, RowLocation};

/// Why a row was rejected: its id and name where readable, and the reason.
pub(super) struct RowRejection {
    pub id: Option<String>,
    pub name: Option<String>,
    pub reason: String,
}

impl From<String> for RowRejection {
    fn from(reason: String) -> Self {
        RowRejection { id: None, name: None, reason }
    }
}

impl RowRejection {
    /// A rejection naming the record's id and name where they are not empty.
    pub fn of(id: &str, name: &str, reason: impl Into<String>) -> Self {
        RowRejection { id: non_empty(id), name: non_empty(name), reason: reason.into() }
    }
}

/// Runs `parse` on every row, collecting the values and the rejections.
pub(super) fn each_row<T>(
    table: &Table,
    mut parse: impl FnMut(&Row) -> Result<T, RowRejection>,
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

pub(super) fn located<T>(line: u64, value: T) -> Located<T> {
    Located { location: RowLocation::Line(line), value }
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
