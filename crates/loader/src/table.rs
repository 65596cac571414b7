//! A CSV file read into memory with the line number of every row, so that every row error can
//! name its line.

use std::path::{Path, PathBuf};

use crate::{LoadError, RowError, RowLocation};

/// A CSV file: header and rows.
#[derive(Debug)]
pub struct Table {
    pub path: PathBuf,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// Rows whose field count differs from the header's (a truncated file, a stray comma).
    pub malformed: Vec<RowError>,
}

/// One data row.
#[derive(Debug)]
pub struct Row {
    pub line: u64,
    fields: Vec<String>,
}

impl Row {
    /// The trimmed field at `index` ("" when absent).
    pub fn get(&self, index: usize) -> &str {
        self.fields.get(index).map_or("", |f| f.trim())
    }

    /// The trimmed field at `index` if the column exists and the field is not empty.
    pub fn opt(&self, index: Option<usize>) -> Option<&str> {
        index.map(|i| self.get(i)).filter(|f| !f.is_empty())
    }
}

/// Parses CSV text. Header names are trimmed.
pub fn parse_csv(path: &Path, text: &str) -> Result<Table, LoadError> {
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(text.as_bytes());
    let syntax = |e: &csv::Error| LoadError::Syntax {
        path: path.to_owned(),
        line: e.position().map_or(0, csv::Position::line),
        message: e.to_string(),
    };
    let headers: Vec<String> =
        reader.headers().map_err(|e| syntax(&e))?.iter().map(|h| h.trim().to_owned()).collect();
    if headers.iter().all(String::is_empty) {
        return Err(LoadError::Syntax {
            path: path.to_owned(),
            line: 1,
            message: "empty file or empty header".into(),
        });
    }
    let mut rows = Vec::new();
    let mut malformed = Vec::new();
    // Line numbers are counted from the byte offset of each record: the csv crate's own count
    // lags one line behind after CRLF line ends, which official files use, and after such an end
    // a record's offset is that of the `\n` ending the line before.
    let mut counted = (0_usize, 1_u64);
    let mut line_at = |byte: usize| {
        let byte = if text.as_bytes().get(byte) == Some(&b'\n') { byte + 1 } else { byte };
        let (from, line) = counted;
        let byte = byte.clamp(from, text.len());
        let newlines = text.get(from..byte).map_or(0, |part| part.matches('\n').count());
        let line = line + u64::try_from(newlines).unwrap_or(u64::MAX);
        counted = (byte, line);
        line
    };
    for record in reader.records() {
        let record = record.map_err(|e| syntax(&e))?;
        let line =
            record.position().and_then(|p| usize::try_from(p.byte()).ok()).map_or(0, &mut line_at);
        if record.len() == 1 && record.get(0).is_some_and(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            malformed.push(RowError {
                path: path.to_owned(),
                location: RowLocation::Line(line),
                record_id: None,
                name: None,
                reason: format!(
                    "row has {} field(s) where the header has {} (truncated or shifted row)",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        rows.push(Row { line, fields: record.iter().map(str::to_owned).collect() });
    }
    Ok(Table { path: path.to_owned(), headers, rows, malformed })
}

impl Table {
    /// Index of the first column named any of `names`.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|name| self.headers.iter().position(|h| h == name))
    }

    /// Whether every one of `names` is a column.
    pub fn has_all(&self, names: &[&str]) -> bool {
        names.iter().all(|name| self.headers.iter().any(|h| h == name))
    }

    /// Indexes of required columns, each given as alternatives; a fatal header error naming the
    /// missing ones otherwise.
    pub fn require<const N: usize>(
        &self,
        format: &'static str,
        columns: [&[&str]; N],
    ) -> Result<[usize; N], LoadError> {
        let found = columns.map(|names| self.column(names));
        let missing: Vec<&str> = columns
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(names, _)| names[0])
            .collect();
        if !missing.is_empty() {
            return Err(LoadError::Header {
                path: self.path.clone(),
                format,
                missing: missing.join(", "),
            });
        }
        Ok(found.map(Option::unwrap_or_default))
    }

    /// Indexes of required columns, each with exactly one name.
    pub fn require_names<const N: usize>(
        &self,
        format: &'static str,
        names: [&str; N],
    ) -> Result<[usize; N], LoadError> {
        let singles: [[&str; 1]; N] = names.map(|name| [name]);
        self.require(format, singles.each_ref().map(<[&str; 1]>::as_slice))
    }

    /// A row error at `row`.
    pub fn row_error(
        &self,
        row: &Row,
        record_id: Option<&str>,
        name: Option<&str>,
        reason: impl Into<String>,
    ) -> RowError {
        RowError {
            path: self.path.clone(),
            location: RowLocation::Line(row.line),
            record_id: record_id.map(str::to_owned),
            name: name.map(str::to_owned),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_carry_their_line_numbers_and_short_rows_are_reported() {
        let table = parse_csv(Path::new("f.csv"), "a,b\n1,2\n\"x\ny\",3\n4\n").unwrap();
        assert_eq!(table.rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(table.rows[1].get(0), "x\ny");
        assert_eq!(table.malformed.len(), 1);
        assert_eq!(
            table.malformed[0].to_string(),
            "f.csv:5: row has 1 field(s) where the header has 2 (truncated or shifted row)"
        );
    }

    #[test]
    fn line_numbers_are_right_after_crlf_line_ends() {
        let table =
            parse_csv(Path::new("f.csv"), "a,b\r\nx,y\r\n1,2\r\n\"p\r\nq\",3\r\n4,5\r\n").unwrap();
        assert_eq!(table.rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 3, 4, 6]);
    }

    #[test]
    fn require_names_every_missing_column() {
        let table = parse_csv(Path::new("f.csv"), "a,b\n").unwrap();
        let err = table.require("test", [&["a"], &["c"], &["d", "e"]]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.csv:1: header lacks the column(s) c, d required by the test layout"
        );
    }

    #[test]
    fn an_empty_file_is_a_syntax_error() {
        assert!(parse_csv(Path::new("f.csv"), "").is_err());
    }
}
