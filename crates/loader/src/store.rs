//! The SQLite store: schema migrations, keyed upserts inside one transaction, and reading a
//! snapshot back.
//!
//! Invariant: the database only ever holds records that passed parsing and placement; every write
//! goes through [`crate::import_files`], in one transaction.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use care_atlas_core::{
    AreaRole, Atlas, AtlasParts, CensusMeshCell, Facility, FacilityId, FacilityKind, HomeCareClass,
    KindCompleteness, MeshSuppression, MunicipalPopulation, Municipality, MunicipalityCode,
    Position, PositionNote, PositionPrecision, Provenance, SmallArea, SourceCompleteness,
    SourceScope, TownPoint,
};
use geo::MultiPolygon;
use rusqlite::types::Value;
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params_from_iter,
};

use crate::LoadError;
use crate::formats::{
    FACILITY_COLUMNS, KIND_COVERAGE_COLUMNS, MESH_POPULATION_COLUMNS, SMALL_AREA_COLUMNS,
    SOURCE_COLUMNS, TOWN_COLUMNS,
};
use crate::records::{SourceInfo, Sourced};

/// Schema migrations, applied in order; `PRAGMA user_version` records how many have run. Append
/// new ones, never edit old ones. They run inside an import's one transaction, so a failed
/// import leaves an older database unmigrated.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    publisher TEXT NOT NULL,
    licence TEXT NOT NULL,
    attribution TEXT NOT NULL,
    as_of TEXT,
    as_of_basis TEXT NOT NULL,
    origin TEXT NOT NULL
) STRICT;
CREATE TABLE municipalities (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    prefecture TEXT NOT NULL,
    county TEXT,
    role TEXT NOT NULL CHECK (role IN ('study_area', 'neighbour')),
    boundary_geojson TEXT NOT NULL,
    source TEXT NOT NULL
) STRICT;
CREATE TABLE municipal_population (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    census_year INTEGER NOT NULL,
    population_total INTEGER NOT NULL,
    aged_65_plus INTEGER,
    aged_75_plus INTEGER,
    households INTEGER,
    source TEXT NOT NULL
) STRICT;
CREATE TABLE small_areas (
    id TEXT PRIMARY KEY,
    key_code TEXT NOT NULL,
    piece TEXT,
    municipality_code TEXT NOT NULL,
    name TEXT NOT NULL,
    population INTEGER NOT NULL,
    households INTEGER NOT NULL,
    area_m2 REAL NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    source TEXT NOT NULL
) STRICT;
CREATE TABLE towns (
    municipality_code TEXT NOT NULL,
    town TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    postal_code TEXT,
    source TEXT NOT NULL,
    PRIMARY KEY (municipality_code, town)
) STRICT;
CREATE TABLE kind_coverage (
    kind TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('study_area', 'neighbours_10km')),
    coverage TEXT NOT NULL CHECK (coverage IN ('complete', 'partial', 'no_source')),
    note TEXT NOT NULL,
    PRIMARY KEY (kind, scope)
) STRICT;
CREATE TABLE facilities (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_record_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    name_kana TEXT,
    address TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    position_precision TEXT NOT NULL CHECK (position_precision IN ('source', 'geocoded_town')),
    position_note TEXT,
    phone TEXT,
    url TEXT,
    capacity INTEGER,
    open_days TEXT,
    as_of TEXT,
    UNIQUE (source, source_record_id)
) STRICT;
CREATE INDEX facilities_by_kind ON facilities (kind);
CREATE INDEX facilities_by_municipality ON facilities (municipality_code);
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    imported_at TEXT NOT NULL,
    files TEXT NOT NULL,
    summary TEXT NOT NULL
) STRICT;
",
    r"
ALTER TABLE municipal_population ADD COLUMN area_km2 REAL;
",
    r"
ALTER TABLE facilities ADD COLUMN contact_source TEXT;
",
    // The 厚生局 register: a 在宅療養支援 class, the home-care filings (`|`-separated, as in
    // `facilities.csv`) and the id of the same institution's record in another source.
    r"
ALTER TABLE facilities ADD COLUMN home_care_class TEXT;
ALTER TABLE facilities ADD COLUMN filings TEXT;
ALTER TABLE facilities ADD COLUMN linked_record TEXT;
",
    r"
CREATE TABLE mesh_population (
    mesh_code TEXT PRIMARY KEY,
    suppression TEXT NOT NULL CHECK (suppression IN ('none', 'receives_merged', 'merged_into')),
    merged_into TEXT,
    population_total INTEGER,
    aged_65_plus INTEGER,
    aged_75_plus INTEGER,
    aged_85_plus INTEGER,
    elderly_living_alone INTEGER,
    households INTEGER,
    source TEXT NOT NULL,
    CHECK ((suppression = 'merged_into') = (merged_into IS NOT NULL))
) STRICT;
",
];

/// What a keyed write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// A new row.
    Inserted,
    /// An existing row with different values.
    Updated,
    /// An existing row with the same values.
    Unchanged,
}

/// An open care-atlas database.
pub struct Store {
    path: PathBuf,
    connection: Connection,
}

/// How long a connection waits for another one's lock (an import committing, another import
/// writing) before giving up with a clear message instead of "database is locked".
pub const BUSY_TIMEOUT: Duration = Duration::from_mins(1);

/// Which dataset a database holds: its schema version and the number of its last completed
/// import (0: none). An import reads it before placing, and writes only if it is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DatasetMark {
    /// `PRAGMA user_version`: how many migrations have run.
    pub schema: i64,
    /// The id of the last row of `imports`, written in the same transaction as the data.
    pub last_import: i64,
}

impl DatasetMark {
    fn read(c: &Connection) -> rusqlite::Result<Self> {
        let schema: i64 = c.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let has_imports: bool = c.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'imports'",
            [],
            |row| row.get(0),
        )?;
        let last_import = if has_imports {
            c.query_row("SELECT coalesce(max(id), 0) FROM imports", [], |row| row.get(0))?
        } else {
            0
        };
        Ok(DatasetMark { schema, last_import })
    }
}

fn database_error(path: &Path) -> impl Fn(rusqlite::Error) -> LoadError + '_ {
    move |source| LoadError::Database { path: path.to_owned(), source }
}

fn current_schema() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// Runs the migrations `mark.schema..` on `c`, inside the caller's transaction so that they
/// commit with the data or not at all.
fn migrate(c: &Connection, from: i64) -> rusqlite::Result<()> {
    for sql in MIGRATIONS.iter().skip(usize::try_from(from).unwrap_or(usize::MAX)) {
        c.execute_batch(sql)?;
    }
    c.pragma_update(None, "user_version", current_schema())
}

/// The first bytes of a database file say whether it is in WAL mode (bytes 18 and 19 are 2),
/// which a reader in a read-only folder cannot open: it needs to create the `-shm` file.
fn is_wal(path: &Path) -> bool {
    let mut header = [0_u8; 20];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
        .is_ok_and(|()| header[18] == 2 && header[19] == 2)
}

impl Store {
    /// Opens (creating if needed) a database for an import's writing. Nothing is written until
    /// [`Store::begin_import`].
    pub fn open_for_writing(path: &Path) -> Result<Self, LoadError> {
        let connection = Connection::open(path).map_err(database_error(path))?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(database_error(path))?;
        Ok(Store { path: path.to_owned(), connection })
    }

    /// Takes the write lock (waiting up to [`BUSY_TIMEOUT`] for another import), checks that the
    /// database still holds the dataset `expected` that the import was placed against, and brings
    /// the schema up to date in the same transaction as the data that follows.
    pub(crate) fn begin_import(
        &mut self,
        expected: DatasetMark,
    ) -> Result<Transaction<'_>, LoadError> {
        let path = self.path.clone();
        let tx = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|source| busy_or(&path, source))?;
        let found = DatasetMark::read(&tx).map_err(|source| busy_or(&path, source))?;
        if found != expected {
            return Err(LoadError::Concurrent { path });
        }
        if found.schema < current_schema() {
            migrate(&tx, found.schema).map_err(database_error(&path))?;
        }
        Ok(tx)
    }

    /// After a committed import: leaves the database in rollback-journal mode, so that `serve`
    /// can read it from a read-only folder (a WAL database needs its `-shm` file created).
    /// Databases made by older versions were in WAL mode; the switch needs no other connection
    /// open, and is tried again by the next import when one was.
    pub(crate) fn leave_in_rollback_mode(&self) {
        let _ = self
            .connection
            .pragma_update_and_check(None, "journal_mode", "DELETE", |row| row.get::<_, String>(0));
    }

    /// Opens an existing database read-only, refusing one whose schema is older or newer than this
    /// program's, and one that holds no completed import (empty, or left by an import that never
    /// committed).
    pub fn open_read_only(path: &Path) -> Result<Self, LoadError> {
        if !path.is_file() {
            return Err(LoadError::NotImported {
                path: path.to_owned(),
                detail: "no such database file".to_owned(),
            });
        }
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(database_error(path))?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(database_error(path))?;
        let store = Store { path: path.to_owned(), connection };
        let mark =
            DatasetMark::read(&store.connection).map_err(|source| store.open_error(source))?;
        store.check_complete(mark)?;
        Ok(store)
    }

    fn check_complete(&self, mark: DatasetMark) -> Result<(), LoadError> {
        let path = self.path.clone();
        if mark.schema == 0 || mark.last_import == 0 {
            return Err(LoadError::NotImported {
                path,
                detail:
                    "it holds no completed import (empty, or left by an import that was stopped)"
                        .to_owned(),
            });
        }
        if mark.schema != current_schema() {
            return Err(LoadError::Corrupt {
                path,
                detail: format!(
                    "schema version {}, this program reads version {}: re-run `care-atlas import`",
                    mark.schema,
                    current_schema()
                ),
            });
        }
        Ok(())
    }

    /// An error met while opening read-only, with what the operator can do about it.
    fn open_error(&self, source: rusqlite::Error) -> LoadError {
        let path = self.path.clone();
        let code = source.sqlite_error().map(|e| e.extended_code);
        if code == Some(rusqlite::ffi::SQLITE_READONLY_ROLLBACK) {
            return LoadError::NotImported {
                path,
                detail: "an import was stopped while committing and its journal must be rolled back first: run `care-atlas import` again (it rolls the stopped one back)".to_owned(),
            };
        }
        if is_wal(&path) {
            return LoadError::NotImported {
                path,
                detail: format!(
                    "{source}; the database is in WAL mode (made by an older care-atlas), which cannot be read without write access to its folder: run `care-atlas import` once to convert it"
                ),
            };
        }
        busy_or(&path, source)
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The dataset's version: the last import's number and time, and the facility count, which
    /// change whenever the data served can change.
    pub fn dataset_version(&self) -> Result<String, LoadError> {
        self.connection
            .query_row(
                "SELECT coalesce(max(id), 0), coalesce(max(imported_at), 'never'), (SELECT count(*) FROM facilities) FROM imports",
                [],
                |row| Ok(format!("import-{}-{}-{}", row.get::<_, i64>(0)?, row.get::<_, String>(1)?.replace([':', '-'], ""), row.get::<_, i64>(2)?)),
            )
            .map_err(|source| LoadError::Database { path: self.path.clone(), source })
    }

    /// Reads everything back.
    pub fn snapshot(&self) -> Result<Snapshot, LoadError> {
        read_snapshot(&self.connection).map_err(|e| match e {
            ReadError::Sql(source) => LoadError::Database { path: self.path.clone(), source },
            ReadError::Invalid(detail) => LoadError::Corrupt { path: self.path.clone(), detail },
        })
    }

    /// The dataset version and everything in the database, read in one read transaction so
    /// that an import committing meanwhile cannot mix two datasets.
    pub fn dataset(&self) -> Result<Dataset, LoadError> {
        let tx = self.connection.unchecked_transaction().map_err(|s| busy_or(&self.path, s))?;
        let version = self.dataset_version()?;
        let snapshot = self.snapshot()?;
        tx.finish().map_err(database_error(&self.path))?;
        Ok(Dataset { version, snapshot })
    }
}

/// A database error, or, when it is a lock held too long, one that says so.
fn busy_or(path: &Path, source: rusqlite::Error) -> LoadError {
    match source.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            LoadError::Busy { path: path.to_owned(), waited_s: BUSY_TIMEOUT.as_secs() }
        }
        _ => LoadError::Database { path: path.to_owned(), source },
    }
}

/// A dataset as read from a database: what `serve` answers from, and what a reload re-reads.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// [`Store::dataset_version`] of the same read.
    pub version: String,
    /// Everything in the database.
    pub snapshot: Snapshot,
}

/// Opens the database at `path` read-only and reads its dataset whole; refuses a database that is
/// missing, empty, half made or of another schema. `serve` calls it at start-up (and a reload may
/// call it again): it only reads, and holds nothing open afterwards.
pub fn load_dataset(path: &Path) -> Result<Dataset, LoadError> {
    Store::open_read_only(path)?.dataset()
}

/// What an import places its records against: the dataset of the database at `path` (empty when
/// there is none yet) and its mark. Read without writing anything: a database of an older schema
/// is copied into memory and migrated there.
pub(crate) fn read_for_import(path: &Path) -> Result<(Snapshot, DatasetMark), LoadError> {
    let empty = std::fs::metadata(path).map_or(true, |m| m.len() == 0);
    if empty && !path.with_file_name(journal_name(path)).exists() {
        return Ok((Snapshot::default(), DatasetMark::default()));
    }
    let source = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(database_error(path))?;
    source.busy_timeout(BUSY_TIMEOUT).map_err(database_error(path))?;
    let store = Store { path: path.to_owned(), connection: source };
    let tx = store.connection.unchecked_transaction().map_err(|s| store.open_error(s))?;
    let mark = DatasetMark::read(&store.connection).map_err(|s| store.open_error(s))?;
    if mark.schema > current_schema() {
        return Err(LoadError::Corrupt {
            path: path.to_owned(),
            detail: format!(
                "schema version {}, newer than this program's {}: import with a newer care-atlas",
                mark.schema,
                current_schema()
            ),
        });
    }
    let snapshot = if mark.schema == current_schema() {
        store.snapshot()?
    } else {
        let mut copy = Connection::open_in_memory().map_err(database_error(path))?;
        rusqlite::backup::Backup::new(&store.connection, &mut copy)
            .and_then(|b| b.run_to_completion(256, Duration::ZERO, None))
            .map_err(database_error(path))?;
        migrate(&copy, mark.schema).map_err(database_error(path))?;
        Store { path: path.to_owned(), connection: copy }.snapshot()?
    };
    tx.finish().map_err(database_error(path))?;
    Ok((snapshot, mark))
}

fn journal_name(path: &Path) -> std::ffi::OsString {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push("-journal");
    name
}

/// The role of every municipality stored in the database at `path`; none when there is no
/// database yet, or no municipality in it.
pub fn stored_roles(path: &Path) -> Result<BTreeMap<MunicipalityCode, AreaRole>, LoadError> {
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(database_error(path))?;
    let has_table: bool = connection
        .query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'municipalities'",
            [],
            |row| row.get(0),
        )
        .map_err(database_error(path))?;
    if !has_table {
        return Ok(BTreeMap::new());
    }
    let corrupt = |detail: String| LoadError::Corrupt { path: path.to_owned(), detail };
    let mut statement = connection
        .prepare("SELECT code, role FROM municipalities")
        .map_err(database_error(path))?;
    let mut rows = statement.query([]).map_err(database_error(path))?;
    let mut roles = BTreeMap::new();
    while let Some(row) = rows.next().map_err(database_error(path))? {
        let (code, role): (String, String) =
            (row.get(0).map_err(database_error(path))?, row.get(1).map_err(database_error(path))?);
        let code = code.parse().map_err(|e| corrupt(format!("municipality code: {e}")))?;
        let role = AreaRole::from_id(&role).ok_or_else(|| corrupt(format!("role {role}")))?;
        roles.insert(code, role);
    }
    Ok(roles)
}

/// Opens a database read-only and builds the in-memory [`Atlas`] the service answers from.
pub fn load_atlas(path: &Path) -> Result<Atlas, LoadError> {
    Ok(load_dataset(path)?.snapshot.into_atlas())
}

/// Everything in a database, as domain values: what an [`Atlas`] is built from, and the sources.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Facilities, municipalities, population, small areas, towns and kind coverage.
    pub parts: AtlasParts,
    /// Sources.
    pub sources: Vec<SourceInfo>,
}

impl Snapshot {
    /// The snapshot with its indexes built.
    #[must_use]
    pub fn into_atlas(self) -> Atlas {
        Atlas::new(self.parts)
    }
}

fn text(value: Option<&str>) -> Value {
    value.map_or(Value::Null, |v| Value::Text(v.to_owned()))
}

fn integer(value: Option<u32>) -> Value {
    value.map_or(Value::Null, |v| Value::Integer(i64::from(v)))
}

/// Inserts or updates one row by its key, reporting which it did.
fn upsert(
    tx: &Transaction<'_>,
    table: &str,
    key: &[&str],
    columns: &[&str],
    values: Vec<Value>,
) -> rusqlite::Result<WriteOutcome> {
    let key_values: Vec<&Value> =
        key.iter().map(|k| &values[columns.iter().position(|c| c == k).unwrap_or(0)]).collect();
    let where_key = key.iter().map(|k| format!("{k} = ?")).collect::<Vec<_>>().join(" AND ");
    let exists = tx
        .prepare_cached(&format!("SELECT 1 FROM {table} WHERE {where_key}"))?
        .query_row(params_from_iter(key_values), |_| Ok(()))
        .optional()?
        .is_some();
    let placeholders = vec!["?"; columns.len()].join(", ");
    let set = columns.iter().map(|c| format!("{c} = excluded.{c}")).collect::<Vec<_>>().join(", ");
    let old = columns.iter().map(|c| format!("{table}.{c}")).collect::<Vec<_>>().join(", ");
    let new = columns.iter().map(|c| format!("excluded.{c}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({placeholders}) ON CONFLICT ({}) DO UPDATE SET {set} WHERE ({old}) IS NOT ({new})",
        columns.join(", "),
        key.join(", ")
    );
    let changed = tx.prepare_cached(&sql)?.execute(params_from_iter(values))?;
    Ok(match (exists, changed) {
        (false, _) => WriteOutcome::Inserted,
        (true, 0) => WriteOutcome::Unchanged,
        (true, _) => WriteOutcome::Updated,
    })
}

pub(crate) fn write_facility(tx: &Transaction<'_>, f: &Facility) -> rusqlite::Result<WriteOutcome> {
    // The table's columns are those of the canonical `facilities.csv`.
    upsert(
        tx,
        "facilities",
        &["source", "source_record_id"],
        &FACILITY_COLUMNS,
        vec![
            Value::Text(f.id.to_string()),
            Value::Text(f.kind.id().to_owned()),
            Value::Text(f.name.clone()),
            text(f.name_kana.as_deref()),
            Value::Text(f.address.clone()),
            Value::Text(f.municipality_code.to_string()),
            Value::Real(f.position.lat()),
            Value::Real(f.position.lon()),
            Value::Text(f.position_precision.id().to_owned()),
            text(f.position_note.as_ref().map(ToString::to_string).as_deref()),
            text(f.phone.as_deref()),
            text(f.url.as_deref()),
            integer(f.capacity),
            text(f.open_days.as_deref()),
            Value::Text(f.provenance.source.clone()),
            Value::Text(f.provenance.record_id.clone()),
            text(f.provenance.as_of.as_deref()),
            text(f.provenance.contact_source.as_deref()),
            text(f.home_care_class.map(HomeCareClass::id)),
            text(Some(f.filings.join("|")).filter(|f| !f.is_empty()).as_deref()),
            text(f.linked_record.as_ref().map(FacilityId::as_str)),
        ],
    )
}

/// The boundary as a GeoJSON geometry object.
#[must_use]
pub fn boundary_geojson(boundary: &MultiPolygon<f64>) -> String {
    geojson::Geometry::new(geojson::GeometryValue::from(boundary)).to_string()
}

pub(crate) fn write_municipality(
    tx: &Transaction<'_>,
    m: &Sourced<Municipality>,
) -> rusqlite::Result<WriteOutcome> {
    let v = &m.value;
    upsert(
        tx,
        "municipalities",
        &["code"],
        &["code", "name", "prefecture", "county", "role", "boundary_geojson", "source"],
        vec![
            Value::Text(v.code.to_string()),
            Value::Text(v.name.clone()),
            Value::Text(v.prefecture.clone()),
            text(v.county.as_deref()),
            Value::Text(v.role.id().to_owned()),
            Value::Text(boundary_geojson(&v.boundary)),
            Value::Text(m.source.clone()),
        ],
    )
}

pub(crate) fn write_population(
    tx: &Transaction<'_>,
    p: &Sourced<MunicipalPopulation>,
) -> rusqlite::Result<WriteOutcome> {
    let v = &p.value;
    upsert(
        tx,
        "municipal_population",
        &["code"],
        &[
            "code",
            "name",
            "census_year",
            "population_total",
            "aged_65_plus",
            "aged_75_plus",
            "households",
            "area_km2",
            "source",
        ],
        vec![
            Value::Text(v.code.to_string()),
            Value::Text(v.name.clone()),
            Value::Integer(i64::from(v.census_year)),
            Value::Integer(i64::from(v.total)),
            integer(v.aged_65_plus),
            integer(v.aged_75_plus),
            integer(v.households),
            v.area_km2.map_or(Value::Null, Value::Real),
            Value::Text(p.source.clone()),
        ],
    )
}

pub(crate) fn write_mesh_cell(
    tx: &Transaction<'_>,
    c: &Sourced<CensusMeshCell>,
) -> rusqlite::Result<WriteOutcome> {
    let v = &c.value;
    // The table's columns are those of the canonical `mesh_population.csv`.
    upsert(
        tx,
        "mesh_population",
        &["mesh_code"],
        &MESH_POPULATION_COLUMNS,
        vec![
            Value::Text(v.code.to_string()),
            Value::Text(v.suppression.id().to_owned()),
            v.suppression.merged_into().map_or(Value::Null, |m| Value::Text(m.to_string())),
            integer(v.population_total),
            integer(v.aged_65_plus),
            integer(v.aged_75_plus),
            integer(v.aged_85_plus),
            integer(v.elderly_living_alone),
            integer(v.households),
            Value::Text(c.source.clone()),
        ],
    )
}

pub(crate) fn write_small_area(
    tx: &Transaction<'_>,
    a: &Sourced<SmallArea>,
) -> rusqlite::Result<WriteOutcome> {
    let v = &a.value;
    // The table's columns are its id and those of the canonical `small_areas.csv`.
    let columns: Vec<&str> = std::iter::once("id").chain(SMALL_AREA_COLUMNS).collect();
    upsert(
        tx,
        "small_areas",
        &["id"],
        &columns,
        vec![
            Value::Text(v.id()),
            Value::Text(v.key_code.clone()),
            text(v.piece.as_deref()),
            Value::Text(v.municipality_code.to_string()),
            Value::Text(v.name.clone()),
            Value::Integer(i64::from(v.population)),
            Value::Integer(i64::from(v.households)),
            Value::Real(v.area_m2),
            Value::Real(v.representative_point.lat()),
            Value::Real(v.representative_point.lon()),
            Value::Text(a.source.clone()),
        ],
    )
}

pub(crate) fn write_town(
    tx: &Transaction<'_>,
    t: &Sourced<TownPoint>,
) -> rusqlite::Result<WriteOutcome> {
    let v = &t.value;
    upsert(
        tx,
        "towns",
        &["municipality_code", "town"],
        &TOWN_COLUMNS,
        vec![
            Value::Text(v.municipality_code.to_string()),
            Value::Text(v.town.clone()),
            Value::Real(v.position.lat()),
            Value::Real(v.position.lon()),
            text(v.postal_code.as_deref()),
            Value::Text(t.source.clone()),
        ],
    )
}

pub(crate) fn write_source(tx: &Transaction<'_>, s: &SourceInfo) -> rusqlite::Result<WriteOutcome> {
    upsert(
        tx,
        "sources",
        &["id"],
        &SOURCE_COLUMNS,
        vec![
            Value::Text(s.id.clone()),
            Value::Text(s.title.clone()),
            Value::Text(s.publisher.clone()),
            Value::Text(s.licence.clone()),
            Value::Text(s.attribution.clone()),
            text(s.as_of.as_deref()),
            Value::Text(s.as_of_basis.clone()),
            Value::Text(s.origin.clone()),
        ],
    )
}

pub(crate) fn write_coverage(
    tx: &Transaction<'_>,
    c: &KindCompleteness,
) -> rusqlite::Result<WriteOutcome> {
    upsert(
        tx,
        "kind_coverage",
        &["kind", "scope"],
        &KIND_COVERAGE_COLUMNS,
        vec![
            Value::Text(c.kind.id().to_owned()),
            Value::Text(c.scope.id().to_owned()),
            Value::Text(c.completeness.id().to_owned()),
            Value::Text(c.note.clone()),
        ],
    )
}

pub(crate) fn record_import(
    tx: &Transaction<'_>,
    files: &str,
    summary: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO imports (imported_at, files, summary) VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?1, ?2)",
        [files, summary],
    )?;
    Ok(())
}

enum ReadError {
    Sql(rusqlite::Error),
    Invalid(String),
}

impl From<rusqlite::Error> for ReadError {
    fn from(e: rusqlite::Error) -> Self {
        ReadError::Sql(e)
    }
}

fn invalid<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> ReadError + '_ {
    move |e| ReadError::Invalid(format!("{what}: {e}"))
}

#[allow(clippy::too_many_lines, reason = "one straight reader per table")]
fn read_snapshot(c: &Connection) -> Result<Snapshot, ReadError> {
    let mut snapshot = Snapshot::default();
    let code =
        |text: String| text.parse::<MunicipalityCode>().map_err(invalid("municipality code"));
    let position = |lat: f64, lon: f64| Position::new(lat, lon).map_err(invalid("position"));

    let mut statement = c.prepare(
        "SELECT id, kind, name, name_kana, address, municipality_code, lat, lon, position_precision, position_note, phone, url, capacity, open_days, source, source_record_id, as_of, contact_source, home_care_class, filings, linked_record FROM facilities ORDER BY id",
    )?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let kind: String = row.get(1)?;
        let precision: String = row.get(8)?;
        snapshot.parts.facilities.push(Facility {
            id: FacilityId::new(row.get(0)?),
            kind: kind.parse::<FacilityKind>().map_err(invalid("facility kind"))?,
            name: row.get(2)?,
            name_kana: row.get(3)?,
            address: row.get(4)?,
            municipality_code: code(row.get(5)?)?,
            position: position(row.get(6)?, row.get(7)?)?,
            position_precision: PositionPrecision::from_id(&precision)
                .ok_or_else(|| ReadError::Invalid(format!("position precision {precision}")))?,
            position_note: row.get::<_, Option<String>>(9)?.map(PositionNote::Recorded),
            phone: row.get(10)?,
            url: row.get(11)?,
            capacity: row.get(12)?,
            open_days: row.get(13)?,
            home_care_class: match row.get::<_, Option<String>>(18)? {
                None => None,
                Some(id) => Some(
                    HomeCareClass::from_id(&id)
                        .ok_or_else(|| ReadError::Invalid(format!("home-care class {id}")))?,
                ),
            },
            filings: row
                .get::<_, Option<String>>(19)?
                .map(|f| f.split('|').map(str::to_owned).collect())
                .unwrap_or_default(),
            linked_record: row.get::<_, Option<String>>(20)?.map(FacilityId::new),
            provenance: Provenance {
                source: row.get(14)?,
                record_id: row.get(15)?,
                as_of: row.get(16)?,
                contact_source: row.get(17)?,
            },
        });
    }

    let mut statement = c.prepare("SELECT code, name, prefecture, county, role, boundary_geojson FROM municipalities ORDER BY code")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let role: String = row.get(4)?;
        let geometry: String = row.get(5)?;
        let geometry: geojson::Geometry = geometry.parse().map_err(invalid("boundary"))?;
        snapshot.parts.municipalities.push(Municipality {
            code: code(row.get(0)?)?,
            name: row.get(1)?,
            prefecture: row.get(2)?,
            county: row.get(3)?,
            role: AreaRole::from_id(&role)
                .ok_or_else(|| ReadError::Invalid(format!("role {role}")))?,
            boundary: MultiPolygon::try_from(geometry.value).map_err(invalid("boundary"))?,
        });
    }

    let mut statement = c.prepare(
        "SELECT code, name, census_year, population_total, aged_65_plus, aged_75_plus, households, area_km2 FROM municipal_population ORDER BY code",
    )?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        snapshot.parts.populations.push(MunicipalPopulation {
            code: code(row.get(0)?)?,
            name: row.get(1)?,
            census_year: row.get(2)?,
            total: row.get(3)?,
            aged_65_plus: row.get(4)?,
            aged_75_plus: row.get(5)?,
            households: row.get(6)?,
            area_km2: row.get(7)?,
        });
    }

    let mut statement =
        c.prepare("SELECT key_code, piece, municipality_code, name, population, households, area_m2, lat, lon FROM small_areas ORDER BY id")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        snapshot.parts.small_areas.push(SmallArea {
            key_code: row.get(0)?,
            piece: row.get(1)?,
            municipality_code: code(row.get(2)?)?,
            name: row.get(3)?,
            population: row.get(4)?,
            households: row.get(5)?,
            area_m2: row.get(6)?,
            representative_point: position(row.get(7)?, row.get(8)?)?,
        });
    }

    let mut statement = c.prepare("SELECT mesh_code, suppression, merged_into, population_total, aged_65_plus, aged_75_plus, aged_85_plus, elderly_living_alone, households FROM mesh_population ORDER BY mesh_code")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let mesh = |text: String| {
            text.parse().map_err(|_| ReadError::Invalid(format!("mesh code {text}")))
        };
        let suppression: String = row.get(1)?;
        let merged_into: Option<String> = row.get(2)?;
        let suppression = match (suppression.as_str(), merged_into) {
            ("none", None) => MeshSuppression::None,
            ("receives_merged", None) => MeshSuppression::Receives,
            ("merged_into", Some(into)) => MeshSuppression::MergedInto(mesh(into)?),
            (other, _) => return Err(ReadError::Invalid(format!("mesh suppression {other}"))),
        };
        snapshot.parts.census_mesh.push(CensusMeshCell {
            code: mesh(row.get(0)?)?,
            suppression,
            population_total: row.get(3)?,
            aged_65_plus: row.get(4)?,
            aged_75_plus: row.get(5)?,
            aged_85_plus: row.get(6)?,
            elderly_living_alone: row.get(7)?,
            households: row.get(8)?,
        });
    }

    let mut statement = c.prepare("SELECT municipality_code, town, lat, lon, postal_code FROM towns ORDER BY municipality_code, town")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        snapshot.parts.towns.push(TownPoint {
            municipality_code: code(row.get(0)?)?,
            town: row.get(1)?,
            position: position(row.get(2)?, row.get(3)?)?,
            postal_code: row.get(4)?,
        });
    }

    let mut statement =
        c.prepare("SELECT kind, scope, coverage, note FROM kind_coverage ORDER BY kind, scope")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        let (kind, scope, coverage): (String, String, String) =
            (row.get(0)?, row.get(1)?, row.get(2)?);
        snapshot.parts.completeness.push(KindCompleteness {
            kind: kind.parse().map_err(invalid("coverage kind"))?,
            scope: SourceScope::from_id(&scope)
                .ok_or_else(|| ReadError::Invalid(format!("coverage scope {scope}")))?,
            completeness: SourceCompleteness::from_id(&coverage)
                .ok_or_else(|| ReadError::Invalid(format!("coverage {coverage}")))?,
            note: row.get(3)?,
        });
    }

    let mut statement = c.prepare("SELECT id, title, publisher, licence, attribution, as_of, as_of_basis, origin FROM sources ORDER BY id")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        snapshot.sources.push(SourceInfo {
            id: row.get(0)?,
            title: row.get(1)?,
            publisher: row.get(2)?,
            licence: row.get(3)?,
            attribution: row.get(4)?,
            as_of: row.get(5)?,
            as_of_basis: row.get(6)?,
            origin: row.get(7)?,
        });
    }
    Ok(snapshot)
}
