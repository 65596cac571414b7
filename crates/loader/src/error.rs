//! Errors of the loader: fatal ones ([`LoadError`]) abort an import and change nothing; row errors
//! ([`RowError`]) reject one record and are reported with file and line.

use std::fmt;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A fatal error: the import stops and the database is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The bytes are neither UTF-8 nor Shift_JIS/CP932.
    #[error("{path}: not valid UTF-8 or Shift_JIS/CP932 text (first bad byte at offset {offset})")]
    Encoding {
        /// The file.
        path: PathBuf,
        /// Byte offset of the first undecodable sequence.
        offset: usize,
    },
    /// A spreadsheet that cannot be read as one (a broken zip, no worksheet), or that lacks what
    /// its layout needs besides the header.
    #[error("{path}: {detail}")]
    Workbook {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// No supported layout matches the file.
    #[error("{path}: unrecognised layout: {detail}; name one with --format (one of: {formats})")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// What was seen.
        detail: String,
        /// The accepted format ids.
        formats: String,
    },
    /// The header lacks columns the layout needs.
    #[error("{path}:1: header lacks the column(s) {missing} required by the {format} layout")]
    Header {
        /// The file.
        path: PathBuf,
        /// Format id.
        format: &'static str,
        /// Missing column names, comma-separated.
        missing: String,
    },
    /// The file is structurally broken (bad JSON, a CSV that cannot be tokenised).
    #[error("{path}:{line}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Line where the problem was found.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// `--strict` was given and some rows were bad.
    #[error("{count} bad row(s) and --strict was given: nothing was imported")]
    StrictRows {
        /// How many rows were rejected.
        count: usize,
    },
    /// The database could not be opened, migrated or written.
    #[error("database {path}: {source}")]
    Database {
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// Records past the limits of what the loader accepts ([`crate::limits`]): the whole import
    /// is refused.
    #[error("{}", refused_list(refusals))]
    Refused {
        /// Each refused record, with file, line and every limit it breaks.
        refusals: Vec<RowError>,
    },
    /// The database holds no completed import, or cannot be read as one.
    #[error("database {path}: {detail}")]
    NotImported {
        /// The database file.
        path: PathBuf,
        /// What is wrong, and what to do.
        detail: String,
    },
    /// Another import committed to the database after this one read it.
    #[error(
        "database {path}: another import committed while this one was being prepared, so its records were placed against a dataset that is gone: run it again"
    )]
    Concurrent {
        /// The database file.
        path: PathBuf,
    },
    /// Another connection held the database locked for longer than the busy timeout.
    #[error(
        "database {path}: another process (an import) held it locked for more than {waited_s} s"
    )]
    Busy {
        /// The database file.
        path: PathBuf,
        /// How long was waited.
        waited_s: u64,
    },
    /// Stored data is not what the loader wrote (edited by hand, or corrupt).
    #[error("database {path}: {detail}")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A boundary file states no role (study area or neighbour) for a municipality, and none was
    /// given.
    #[error(
        "{path}: the file states no role (study area or neighbour) for {municipality}, and none was given: name the study-area municipalities with --study-area CODE,CODE,… or import a municipalities file that states the roles first"
    )]
    RoleUnstated {
        /// The boundary file.
        path: PathBuf,
        /// The municipality without a role, name and code.
        municipality: String,
    },
    /// The raw files for `care-atlas data` are incomplete or inconsistent.
    #[error("{path}: {detail}")]
    Raw {
        /// The file or folder.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

/// How many refusals are listed in the message; all of them are in [`LoadError::Refused`].
const REFUSALS_LISTED: usize = 100;

fn refused_list(refusals: &[RowError]) -> String {
    let mut text = format!(
        "{} record(s) past the limits of what care-atlas imports (see data/README.md, \"Limits on imported data\"): nothing was imported",
        refusals.len()
    );
    for refusal in refusals.iter().take(REFUSALS_LISTED) {
        text.push_str("\n  refused: ");
        text.push_str(&refusal.to_string());
    }
    if refusals.len() > REFUSALS_LISTED {
        let _ = write!(text, "\n  … and {} more", refusals.len() - REFUSALS_LISTED);
    }
    text
}

/// Turns an I/O error on `path` into a [`LoadError::Io`] naming it.
pub(crate) fn io_error(path: &Path) -> impl Fn(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io { path: path.to_owned(), source }
}

/// Where in a file a row error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowLocation {
    /// A line of a CSV file (1-based, the header is line 1), or a row of a spreadsheet (1-based, as
    /// the spreadsheet numbers it).
    Line(u64),
    /// A feature of a GeoJSON file (1-based).
    Feature(usize),
}

impl fmt::Display for RowLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowLocation::Line(line) => write!(f, "{line}"),
            RowLocation::Feature(n) => write!(f, "feature {n}"),
        }
    }
}

/// One rejected record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RowError {
    /// The file.
    pub path: PathBuf,
    /// Where in the file.
    pub location: RowLocation,
    /// The record's id in its source, when it could be read.
    pub record_id: Option<String>,
    /// The record's name, when it could be read, so a reader recognises it.
    pub name: Option<String>,
    /// Why it was rejected.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.path.display(), self.location)?;
        if let Some(id) = &self.record_id {
            write!(f, "record {id}")?;
            if let Some(name) = &self.name {
                write!(f, " ({name})")?;
            }
            write!(f, ": ")?;
        }
        f.write_str(&self.reason)
    }
}
