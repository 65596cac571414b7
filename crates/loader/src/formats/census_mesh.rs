//! e-Stat 地域メッシュ統計, table T001141 「人口及び世帯」 (2020 census), in its official layout:
//! CP932, CRLF, two header lines (item codes, then item names), then one row per mesh cell with
//! KEY_CODE (the mesh code), HTKSYORI, HTKSAKI, GASSAN and the items T001141001…T001141050.
//!
//! The item codes, not the column positions, pick the fields, and the item-name line is checked
//! for each: 001 人口（総数）, 019 65歳以上人口 総数, 022 75歳以上人口 総数, 025 85歳以上人口 総数,
//! 034 世帯総数, 049 高齢単身世帯数. A `*` (suppressed) is unknown, never 0.
//!
//! The secrecy columns, as the census defines them and as the data shows: HTKSYORI 0 is a cell
//! published as counted; 2 is a cell with few residents that publishes only its total population
//! and households, its other figures being added to the cell named in HTKSAKI; 1 is such a
//! receiving cell, whose GASSAN lists the cells merged into it and whose figures other than the
//! total cover them all (in a receiving cell, 0–14 plus 15+ equals its own total plus the merged
//! cells' totals, less residents of unknown age). Cells are kept exactly so
//! ([`MeshSuppression`]); the population model shares the joint figures out.

use care_atlas_core::{CensusMeshCell, MeshCode, MeshLevel, MeshSuppression};

use super::fields::Context;
use super::rows::{RowRejection, each_row, sourced};
use crate::LoadError;
use crate::records::Batch;
use crate::table::{Row, Table};

/// The table's id in the item codes (`T001141001`).
const TABLE: &str = "T001141";

/// The items read: code suffix and what the item-name line must say (full-width digits as the
/// census writes them, spaces ignored).
const ITEMS: [(&str, &str); 6] = [
    ("001", "人口（総数）"),
    ("019", "６５歳以上人口総数"),
    ("022", "７５歳以上人口総数"),
    ("025", "８５歳以上人口総数"),
    ("049", "高齢単身世帯数一般世帯数"),
    ("034", "世帯総数"),
];

/// Whether `headers` are those of an e-Stat mesh table of T001141.
pub(super) fn matches(table: &Table) -> bool {
    table.has_all(&["KEY_CODE", "HTKSYORI", "HTKSAKI", "GASSAN"])
        && table.headers.iter().any(|h| h.starts_with(TABLE))
}

/// Parses the table.
pub(super) fn census_mesh(table: &Table, context: &Context) -> Result<Batch, LoadError> {
    let [key, status, into] =
        table.require_names("estat-census-mesh", ["KEY_CODE", "HTKSYORI", "HTKSAKI"])?;
    let codes = ITEMS.map(|(suffix, _)| format!("{TABLE}{suffix}"));
    let names: Vec<&str> = codes.iter().map(String::as_str).collect();
    let mut items = [0; ITEMS.len()];
    for (slot, name) in items.iter_mut().zip(&names) {
        *slot = table.column(&[name]).ok_or_else(|| LoadError::Header {
            path: table.path.clone(),
            format: "estat-census-mesh",
            missing: (*name).to_owned(),
        })?;
    }
    // The second header line, the item names, is the first row read.
    let is_name_line = |row: &Row| row.get(key).is_empty() && row.get(status).is_empty();
    if let Some(line) = table.rows.first().filter(|r| is_name_line(r)) {
        for ((code, (_, expected)), column) in codes.iter().zip(ITEMS).zip(items) {
            let name: String = line.get(column).chars().filter(|c| !c.is_whitespace()).collect();
            if name != expected {
                return Err(LoadError::Syntax {
                    path: table.path.clone(),
                    line: line.line,
                    message: format!(
                        "item {code} is named `{name}` where the census table names it `{expected}`"
                    ),
                });
            }
        }
    }
    let (values, mut row_errors) = each_row(table, |row| {
        if is_name_line(row) {
            return Ok(None);
        }
        let reject = |reason: String| RowRejection::of(row.get(key), "", reason);
        let code = half_mesh(row.get(key), "KEY_CODE").map_err(reject)?;
        let suppression = match row.get(status) {
            "0" => MeshSuppression::None,
            "1" => MeshSuppression::Receives,
            "2" => {
                MeshSuppression::MergedInto(half_mesh(row.get(into), "HTKSAKI").map_err(reject)?)
            }
            other => return Err(reject(format!("HTKSYORI `{other}` is not 0, 1 or 2"))),
        };
        let [total, aged_65, aged_75, aged_85, alone, households] =
            items.map(|column| count(row.get(column)));
        let figure = |value: Result<Option<u32>, String>, what: usize| {
            value.map_err(|e| reject(format!("{}{}: {e}", TABLE, ITEMS[what].0)))
        };
        Ok(Some(CensusMeshCell {
            code,
            suppression,
            population_total: figure(total, 0)?,
            aged_65_plus: figure(aged_65, 1)?,
            aged_75_plus: figure(aged_75, 2)?,
            aged_85_plus: figure(aged_85, 3)?,
            elderly_living_alone: figure(alone, 4)?,
            households: figure(households, 5)?,
        }))
    });
    let mut census_mesh: Vec<_> = values
        .into_iter()
        .filter_map(|(line, cell)| cell.map(|c| sourced(&context.source, line, c)))
        .collect();
    // A cell listed twice is an error on the second line; the first is kept.
    census_mesh.sort_by_key(|c| c.value.code);
    let mut kept: Vec<crate::records::Sourced<CensusMeshCell>> = Vec::new();
    for cell in census_mesh {
        if kept.last().is_some_and(|k| k.value.code == cell.value.code) {
            row_errors.push(crate::RowError {
                path: table.path.clone(),
                location: cell.location,
                record_id: Some(cell.value.code.to_string()),
                name: None,
                reason: "mesh cell listed twice".into(),
            });
        } else {
            kept.push(cell);
        }
    }
    Ok(Batch { census_mesh: kept, row_errors, ..Batch::default() })
}

/// A 9-digit 500 m mesh code.
pub(crate) fn half_mesh(text: &str, what: &str) -> Result<MeshCode, String> {
    let code: MeshCode = text.parse().map_err(|e| format!("{what} `{text}`: {e}"))?;
    if code.level() == MeshLevel::Half {
        Ok(code)
    } else {
        Err(format!("{what} `{text}` is not a 9-digit 500 m mesh code"))
    }
}

/// A count: `*` (suppressed) is unknown.
pub(super) fn count(text: &str) -> Result<Option<u32>, String> {
    match text {
        "*" => Ok(None),
        "" => Err("empty (a suppressed count is `*`)".into()),
        _ => text.parse().map(Some).map_err(|_| format!("`{text}` is not a count")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const HEADER: &str = "KEY_CODE,HTKSYORI,HTKSAKI,GASSAN,T001141001,T001141019,T001141022,T001141025,T001141034,T001141049\r\n,,,,　人口（総数）,　６５歳以上人口　総数,　７５歳以上人口　総数,　８５歳以上人口　総数,　世帯総数,　高齢単身世帯数　一般世帯数\r\n";

    fn parse(rows: &str) -> Result<Batch, LoadError> {
        let table = crate::table::parse_csv(Path::new("mesh.txt"), &format!("{HEADER}{rows}"))?;
        let context = Context { source: "estat-mesh-2020".into(), as_of: None };
        census_mesh(&table, &context)
    }

    #[test]
    fn cells_keep_their_figures_and_suppression_with_stars_unknown() {
        let batch = parse(
            "533966852,2,533966854,,217,*,*,*,7,*\r\n533966854,1,,533966852,215,266,223,136,76,5\r\n533965561,0,,,1278,397,210,44,528,69\r\n",
        )
        .unwrap();
        assert!(batch.row_errors.is_empty(), "{:?}", batch.row_errors);
        let cells: Vec<&CensusMeshCell> = batch.census_mesh.iter().map(|c| &c.value).collect();
        assert_eq!(cells.len(), 3);
        let merged = cells.iter().find(|c| c.code.to_string() == "533966852").unwrap();
        assert_eq!(merged.suppression, MeshSuppression::MergedInto("533966854".parse().unwrap()));
        assert_eq!((merged.population_total, merged.aged_75_plus), (Some(217), None));
        let receiver = cells.iter().find(|c| c.code.to_string() == "533966854").unwrap();
        assert_eq!(receiver.suppression, MeshSuppression::Receives);
        assert_eq!(receiver.elderly_living_alone, Some(5));
        assert_eq!(receiver.households, Some(76));
    }

    #[test]
    fn bad_rows_are_rejected_with_file_and_line() {
        let batch = parse("53396685,0,,,1,1,1,1,1,1\r\n533966852,2,,,1,*,*,*,1,*\r\n533966853,0,,,x,1,1,1,1,1\r\n533966854,0,,,1,,1,1,1,1\r\n").unwrap();
        let errors: Vec<String> = batch.row_errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("mesh.txt:3:"), "{errors:?}");
        assert!(errors[0].contains("not a 9-digit 500 m mesh code"), "{errors:?}");
        assert!(errors[1].contains("HTKSAKI"), "{errors:?}");
        assert!(errors[2].contains("`x` is not a count"), "{errors:?}");
        assert!(errors[3].starts_with("mesh.txt:6:") && errors[3].contains("empty"), "{errors:?}");
    }

    #[test]
    fn an_item_named_otherwise_stops_the_parse() {
        let wrong = HEADER.replace("７５歳以上人口", "７０歳以上人口");
        let table = crate::table::parse_csv(Path::new("mesh.txt"), &wrong).unwrap();
        let context = Context { source: "s".into(), as_of: None };
        let error = census_mesh(&table, &context).unwrap_err().to_string();
        assert!(error.contains("T001141022") && error.starts_with("mesh.txt:2:"), "{error}");
    }
}
