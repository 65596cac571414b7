//! `care-atlas import`: files in, one SQLite transaction out, with a per-kind summary.
//!
//! Every file is read, every record checked against the [`limits`] and placed before the database
//! is opened for writing, so that a fatal error (an unreadable file, a record past a limit,
//! `--strict` with a bad row, a database failure) leaves an existing database byte-identical,
//! unmigrated, and creates no new one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use care_atlas_core::{Gazetteer, Municipality, MunicipalityCode};

use crate::formats::{Format, ParseOptions, RoleAssignment, parse_file};
use crate::limits;
use crate::place::Rejection;
use crate::records::{Batch, Located, Sourced};
use crate::store::{self, DatasetMark, Snapshot, Store, WriteOutcome};
use crate::{
    LinkTargets, LoadError, Placer, RegisterReport, RowError, RowLocation, TextEncoding,
    prepare_register_entries,
};

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The layout of every file, instead of detecting it.
    pub format: Option<Format>,
    /// Source id for the records, instead of the layout's default.
    pub source: Option<String>,
    /// The date the data describes, for layouts that do not carry one.
    pub as_of: Option<String>,
    /// Make any bad row fatal.
    pub strict: bool,
    /// The study-area municipalities, for boundary files that state no roles (N03): every other
    /// municipality in them is a neighbour. Without it such files take the roles already stored.
    pub study_area: Option<BTreeSet<MunicipalityCode>>,
}

/// Counts for one kind or table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindCounts {
    /// Records read.
    pub read: usize,
    /// New rows.
    pub inserted: usize,
    /// Changed rows.
    pub updated: usize,
    /// Rows already present with the same values.
    pub unchanged: usize,
    /// Records rejected.
    pub rejected: usize,
}

impl KindCounts {
    fn count(&mut self, outcome: WriteOutcome) {
        self.read += 1;
        match outcome {
            WriteOutcome::Inserted => self.inserted += 1,
            WriteOutcome::Updated => self.updated += 1,
            WriteOutcome::Unchanged => self.unchanged += 1,
        }
    }

    fn reject(&mut self) {
        self.read += 1;
        self.rejected += 1;
    }
}

/// One file of an import.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// The layout it was read as.
    pub format: Format,
    /// Its encoding.
    pub encoding: TextEncoding,
    /// Data rows (or features) in it.
    pub rows: usize,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// The database.
    pub database: PathBuf,
    /// The files read.
    pub files: Vec<FileReport>,
    /// Facility counts by kind id.
    pub facilities: BTreeMap<&'static str, KindCounts>,
    /// Counts of the other tables by table name.
    pub tables: BTreeMap<&'static str, KindCounts>,
    /// Rows rejected before their kind was known (unreadable fields, malformed rows).
    pub unparsed_rows: usize,
    /// Records read that are none of the kinds carried (a register's institutions without a
    /// 在宅療養支援 filing).
    pub not_carried: usize,
    /// What preparing the register entries did: those outside the mapped municipalities, set
    /// aside, and those linked to another source's record.
    pub register: RegisterReport,
    /// Every rejected row, in file and line order.
    pub errors: Vec<RowError>,
    /// Values left out of records that were imported (a web address that cannot be a link), in
    /// file and line order.
    pub left_out: Vec<RowError>,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "imported into {}", self.database.display())?;
        for file in &self.files {
            let encoding = match file.encoding {
                TextEncoding::Utf8 => "UTF-8",
                TextEncoding::ShiftJis => "CP932",
                TextEncoding::Workbook => "xlsx",
            };
            writeln!(
                f,
                "  {} ({}, {encoding}, {} rows)",
                file.path.display(),
                file.format.id(),
                file.rows
            )?;
        }
        writeln!(
            f,
            "{:<28} {:>6} {:>9} {:>8} {:>10} {:>9}",
            "kind / table", "read", "inserted", "updated", "unchanged", "rejected"
        )?;
        for (name, c) in self.facilities.iter().chain(&self.tables) {
            writeln!(
                f,
                "{name:<28} {:>6} {:>9} {:>8} {:>10} {:>9}",
                c.read, c.inserted, c.updated, c.unchanged, c.rejected
            )?;
        }
        if self.not_carried > 0 {
            writeln!(
                f,
                "{} institutions of the register without a 在宅療養支援 filing, not carried",
                self.not_carried
            )?;
        }
        for (path, count) in &self.register.outside_mapped_area {
            writeln!(
                f,
                "{}: {count} institutions outside the mapped municipalities, set aside",
                path.display()
            )?;
        }
        if self.register.linked + self.register.unlinked + self.register.ambiguous > 0 {
            writeln!(
                f,
                "register entries: {} linked to the record of the same institution, {} unlinked, {} matching several records (left unlinked)",
                self.register.linked, self.register.unlinked, self.register.ambiguous
            )?;
        }
        if !self.left_out.is_empty() {
            writeln!(
                f,
                "{} web addresses left out: not http:// or https:// links",
                self.left_out.len()
            )?;
        }
        if self.unparsed_rows > 0 {
            writeln!(
                f,
                "{:<28} {:>6} {:>9} {:>8} {:>10} {:>9}",
                "(unreadable rows)", self.unparsed_rows, 0, 0, 0, self.unparsed_rows
            )?;
        }
        Ok(())
    }
}

/// The data files of a folder (`*.csv`, `*.geojson`, `*.json`, `*.xlsx`, not recursing), in name
/// order.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let entries = std::fs::read_dir(input)
                .map_err(|source| LoadError::Io { path: input.clone(), source })?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension().is_some_and(|e| {
                            e == "csv" || e == "geojson" || e == "json" || e == "xlsx"
                        })
                })
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

/// A record read from one file, with that file.
struct FromFile<T> {
    path: PathBuf,
    value: T,
}

/// Keeps the first of each key and rejects the later ones, naming where the first was and counting
/// them in `counts`.
fn first_of_each<T, K: std::hash::Hash + Eq>(
    items: Vec<FromFile<T>>,
    key: impl Fn(&T) -> K,
    location: impl Fn(&T) -> RowLocation,
    describe: impl Fn(&T) -> (Option<String>, Option<String>),
    (errors, counts): (&mut Vec<RowError>, &mut KindCounts),
) -> Vec<FromFile<T>> {
    let mut seen: HashMap<K, (PathBuf, RowLocation)> = HashMap::new();
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        let here = location(&item.value);
        if let Some((path, first)) = seen.get(&key(&item.value)) {
            let (record_id, name) = describe(&item.value);
            let duplicate = Rejection::Duplicate { path: path.clone(), location: *first };
            errors.push(RowError {
                path: item.path.clone(),
                location: here,
                record_id,
                name,
                reason: duplicate.to_string(),
            });
            counts.reject();
        } else {
            seen.insert(key(&item.value), (item.path.clone(), here));
            kept.push(item);
        }
    }
    kept
}

fn tag<T>(path: &Path, values: Vec<T>) -> Vec<FromFile<T>> {
    values.into_iter().map(|value| FromFile { path: path.to_owned(), value }).collect()
}

/// Everything read from the files, each record with its file.
#[derive(Default)]
struct Collected {
    facilities: Vec<FromFile<crate::FacilityDraft>>,
    municipalities: Vec<FromFile<Sourced<Municipality>>>,
    populations: Vec<FromFile<Sourced<care_atlas_core::MunicipalPopulation>>>,
    small_areas: Vec<FromFile<Sourced<care_atlas_core::SmallArea>>>,
    census_mesh: Vec<FromFile<Sourced<care_atlas_core::CensusMeshCell>>>,
    towns: Vec<FromFile<Sourced<care_atlas_core::TownPoint>>>,
    sources: Vec<FromFile<Located<crate::SourceInfo>>>,
    completeness: Vec<FromFile<Located<care_atlas_core::KindCompleteness>>>,
}

impl Collected {
    fn add(&mut self, path: &Path, batch: Batch) {
        self.facilities.extend(tag(path, batch.facilities));
        self.municipalities.extend(tag(path, batch.municipalities));
        self.populations.extend(tag(path, batch.populations));
        self.small_areas.extend(tag(path, batch.small_areas));
        self.census_mesh.extend(tag(path, batch.census_mesh));
        self.towns.extend(tag(path, batch.towns));
        self.sources.extend(tag(path, batch.sources));
        self.completeness.extend(tag(path, batch.completeness));
    }
}

impl Collected {
    /// The records the limits apply to, each with its file.
    fn for_limits(&self) -> limits::Imported<'_> {
        fn view<T>(items: &[FromFile<T>]) -> Vec<(&Path, &T)> {
            items.iter().map(|i| (i.path.as_path(), &i.value)).collect()
        }
        limits::Imported {
            facilities: view(&self.facilities),
            municipalities: view(&self.municipalities),
            populations: view(&self.populations),
            small_areas: view(&self.small_areas),
            census_mesh: view(&self.census_mesh),
            towns: view(&self.towns),
            sources: view(&self.sources),
            completeness: view(&self.completeness),
        }
    }
}

/// Imports files (a folder stands for its data files) into the database at `database`.
///
/// Every file is read, every record checked against the [`limits`] and placed before the
/// database is opened for writing; then the schema migrations, the records and the row of
/// `imports` that marks the import complete are written in one transaction.
pub fn import_files(
    database: &Path,
    inputs: &[PathBuf],
    options: &ImportOptions,
) -> Result<ImportSummary, LoadError> {
    let files = expand_inputs(inputs)?;
    // What the records are placed against: the database as it is now, read without writing.
    let (existing, mark) = store::read_for_import(database)?;
    // Boundary files that state no roles take them from --study-area, or else from the database.
    let roles = match &options.study_area {
        Some(codes) => RoleAssignment::StudyArea(codes.clone()),
        None => RoleAssignment::Known(
            existing.parts.municipalities.iter().map(|m| (m.code, m.role)).collect(),
        ),
    };
    let parse_options = ParseOptions {
        format: options.format,
        source: options.source.clone(),
        as_of: options.as_of.clone(),
        roles: Some(roles),
    };
    let mut summary = ImportSummary { database: database.to_owned(), ..ImportSummary::default() };
    let mut collected = Collected::default();
    let mut errors = Vec::new();
    for path in &files {
        let parsed = parse_file(path, &parse_options)?;
        summary.files.push(FileReport {
            path: path.clone(),
            format: parsed.format,
            encoding: parsed.encoding,
            rows: parsed.batch.rows_read,
        });
        summary.unparsed_rows += parsed.batch.row_errors.len();
        summary.not_carried += parsed.batch.not_carried;
        errors.extend(parsed.batch.row_errors.iter().cloned());
        collected.add(path, parsed.batch);
    }

    // A later record with the key of an earlier one is a duplicate: reject it, naming the first.
    let tables = &mut summary.tables;
    collected.municipalities = first_of_each(
        std::mem::take(&mut collected.municipalities),
        |m| m.value.code,
        |m| m.location,
        |m| (Some(m.value.code.to_string()), Some(m.value.name.clone())),
        (&mut errors, tables.entry("municipalities").or_default()),
    );
    collected.populations = first_of_each(
        std::mem::take(&mut collected.populations),
        |p| p.value.code,
        |p| p.location,
        |p| (Some(p.value.code.to_string()), Some(p.value.name.clone())),
        (&mut errors, tables.entry("municipal_population").or_default()),
    );
    collected.small_areas = first_of_each(
        std::mem::take(&mut collected.small_areas),
        |a| a.value.id(),
        |a| a.location,
        |a| (Some(a.value.id()), Some(a.value.name.clone())),
        (&mut errors, tables.entry("small_areas").or_default()),
    );
    collected.census_mesh = first_of_each(
        std::mem::take(&mut collected.census_mesh),
        |c| c.value.code,
        |c| c.location,
        |c| (Some(c.value.code.to_string()), None),
        (&mut errors, tables.entry("mesh_population").or_default()),
    );
    collected.towns = first_of_each(
        std::mem::take(&mut collected.towns),
        |t| (t.value.municipality_code, t.value.town.clone()),
        |t| t.location,
        |t| (None, Some(t.value.town.clone())),
        (&mut errors, tables.entry("towns").or_default()),
    );

    summary.left_out = leave_out_links(&mut collected);
    let refusals = limits::refusals(&collected.for_limits());
    if !refusals.is_empty() {
        return Err(LoadError::Refused { refusals });
    }
    let accepted = place_all(existing, &mut summary, &mut errors, options, &collected)?;

    let existed = database.exists();
    let result = Store::open_for_writing(database).and_then(|mut store| {
        write_all(&mut store, mark, &mut summary, &collected, &accepted)?;
        store.leave_in_rollback_mode();
        Ok(())
    });
    // This import made the file and committed nothing: leave no empty database behind. Another
    // import may have created and filled it meanwhile, so only an empty file is removed.
    if result.is_err() && !existed && std::fs::metadata(database).is_ok_and(|m| m.len() == 0) {
        let _ = std::fs::remove_file(database);
    }
    result?;
    errors.sort();
    summary.errors = errors;
    Ok(summary)
}

/// Leaves out of its record each web address that cannot be a link, reporting where.
fn leave_out_links(collected: &mut Collected) -> Vec<RowError> {
    let mut left_out = Vec::new();
    for draft in &mut collected.facilities {
        let FromFile { path, value: d } = draft;
        if let Some(reason) = d.url.as_deref().and_then(limits::not_a_web_link) {
            left_out.push(RowError {
                path: path.clone(),
                location: d.location,
                record_id: Some(limits::preview(&d.record_id)),
                name: Some(limits::preview(&d.name)),
                reason,
            });
            d.url = None;
        }
    }
    left_out.sort();
    left_out
}

/// Places every facility draft against the boundaries and towns already stored, overridden by
/// those in this import; rejects duplicates and what cannot be placed.
fn place_all(
    existing: Snapshot,
    summary: &mut ImportSummary,
    errors: &mut Vec<RowError>,
    options: &ImportOptions,
    written: &Collected,
) -> Result<Vec<care_atlas_core::Facility>, LoadError> {
    let mut boundaries: BTreeMap<MunicipalityCode, Municipality> =
        existing.parts.municipalities.into_iter().map(|m| (m.code, m)).collect();
    boundaries
        .extend(written.municipalities.iter().map(|m| (m.value.value.code, m.value.value.clone())));
    let mut towns: BTreeMap<(MunicipalityCode, String), care_atlas_core::TownPoint> = existing
        .parts
        .towns
        .into_iter()
        .map(|t| ((t.municipality_code, t.town.clone()), t))
        .collect();
    towns.extend(written.towns.iter().map(|t| {
        ((t.value.value.municipality_code, t.value.value.town.clone()), t.value.value.clone())
    }));
    let placer = Placer::new(
        boundaries.into_values().collect(),
        Vec::new(),
        Gazetteer::new(towns.into_values().collect()),
    );

    // Register entries outside the mapped area are set aside; the others are linked to the
    // record of the same institution, read now or stored by an earlier import.
    let mut drafts: Vec<(&Path, crate::FacilityDraft)> =
        written.facilities.iter().map(|d| (d.path.as_path(), d.value.clone())).collect();
    let mut targets = LinkTargets::default();
    for facility in &existing.parts.facilities {
        targets.add_facility(&placer, facility);
    }
    for (_, draft) in &drafts {
        targets.add_draft(&placer, draft);
    }
    summary.register = prepare_register_entries(&placer, &targets, &mut drafts);
    let mut accepted = Vec::with_capacity(drafts.len());
    let mut refusals = Vec::new();
    for (placed, (path, _)) in
        placer.place_all(drafts.iter().map(|(path, draft)| (*path, draft))).into_iter().zip(&drafts)
    {
        let counts = summary.facilities.entry(placed.draft.kind.id()).or_default();
        match placed.outcome {
            Ok(facility) => {
                // Placement checks a position against its municipality's boundary, which the
                // limits keep in Japan; a canonical file's checked position is taken as it is,
                // so it is checked here.
                if let Some(reason) = limits::position_outside_japan(facility.position) {
                    refusals.push(RowError {
                        path: (*path).to_owned(),
                        location: placed.draft.location,
                        record_id: Some(limits::preview(&placed.draft.record_id)),
                        name: Some(limits::preview(&placed.draft.name)),
                        reason,
                    });
                }
                accepted.push(facility);
            }
            Err(error) => {
                counts.reject();
                errors.push(error);
            }
        }
    }
    if !refusals.is_empty() {
        refusals.sort();
        return Err(LoadError::Refused { refusals });
    }
    if options.strict && !errors.is_empty() {
        return Err(LoadError::StrictRows { count: errors.len() });
    }
    Ok(accepted)
}

/// Writes everything in one transaction, which also migrates the schema and records the import.
fn write_all(
    store: &mut Store,
    mark: DatasetMark,
    summary: &mut ImportSummary,
    written: &Collected,
    accepted: &[care_atlas_core::Facility],
) -> Result<(), LoadError> {
    let path = store.path().to_owned();
    let db = |source| LoadError::Database { path: path.clone(), source };
    let total = accepted.len()
        + written.sources.len()
        + written.completeness.len()
        + written.municipalities.len()
        + written.populations.len()
        + written.small_areas.len()
        + written.census_mesh.len()
        + written.towns.len();
    let progress = indicatif::ProgressBar::new(total as u64).with_message("writing");
    let tx = store.begin_import(mark)?;
    let mut write =
        |table: &'static str, outcome: rusqlite::Result<WriteOutcome>| -> Result<(), LoadError> {
            summary.tables.entry(table).or_default().count(outcome.map_err(db)?);
            progress.inc(1);
            Ok(())
        };
    for m in &written.municipalities {
        write("municipalities", store::write_municipality(&tx, &m.value))?;
    }
    for p in &written.populations {
        write("municipal_population", store::write_population(&tx, &p.value))?;
    }
    for a in &written.small_areas {
        write("small_areas", store::write_small_area(&tx, &a.value))?;
    }
    for c in &written.census_mesh {
        write("mesh_population", store::write_mesh_cell(&tx, &c.value))?;
    }
    for t in &written.towns {
        write("towns", store::write_town(&tx, &t.value))?;
    }
    for s in &written.sources {
        write("sources", store::write_source(&tx, &s.value.value))?;
    }
    for c in &written.completeness {
        write("kind_coverage", store::write_coverage(&tx, &c.value.value))?;
    }
    for f in accepted {
        summary
            .facilities
            .entry(f.kind.id())
            .or_default()
            .count(store::write_facility(&tx, f).map_err(db)?);
        progress.inc(1);
    }
    progress.finish_and_clear();
    let files =
        summary.files.iter().map(|f| f.path.display().to_string()).collect::<Vec<_>>().join("\n");
    store::record_import(&tx, &files, &summary.to_string()).map_err(db)?;
    tx.commit().map_err(db)?;
    Ok(())
}
