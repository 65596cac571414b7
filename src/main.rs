//! The `care-atlas` command: builds the canonical data set, imports data files into SQLite, serves
//! the database over HTTP, and prints the OpenAPI document.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use care_atlas_core::MunicipalityCode;
use care_atlas_loader::{Format, ImportOptions, build, import_files};
use clap::{Parser, Subcommand};

/// Maps home-care and medical resources of the municipalities its data names as the study area,
/// and finds where people are underserved.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Import data files (or every data file of a folder) into a SQLite database, in one
    /// transaction: a fatal error leaves the database as it was.
    Import {
        /// The database file (created if missing).
        #[arg(long, default_value = "atlas.db")]
        db: PathBuf,
        /// The layout of every file, instead of detecting it from the header.
        #[arg(long, value_parser = parse_format)]
        format: Option<Format>,
        /// Source id to record for the imported records, instead of the layout's default.
        #[arg(long)]
        source: Option<String>,
        /// The date the data describes (YYYY-MM-DD), for layouts that do not carry one.
        #[arg(long)]
        as_of: Option<String>,
        /// Make any bad row fatal: nothing is imported unless every row is good.
        #[arg(long)]
        strict: bool,
        /// Codes of the study-area municipalities, for boundary files that state no roles (N03):
        /// every other municipality in them is a neighbour. Without it they keep the roles already
        /// in the database, and a municipality with none there is refused.
        #[arg(long, value_name = "CODE,…", value_delimiter = ',', value_parser = parse_code)]
        study_area: Vec<MunicipalityCode>,
        /// Files or folders to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Serve a database over HTTP: the API, its OpenAPI document at /openapi.json and /docs.
    /// `kill -HUP <pid>` reloads the database (after an `import` into it) without stopping: requests
    /// are answered from the old snapshot until the new one is built, then from the new one.
    Serve {
        /// The database file, opened read-only.
        #[arg(long, default_value = "atlas.db")]
        db: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Origins allowed to read the API from a browser (CORS, GET only); `*` for any.
        #[arg(long, default_value = "*", value_delimiter = ',')]
        cors_origin: Vec<String>,
        /// Seconds browsers and proxies may cache a response.
        #[arg(long, default_value_t = 300)]
        max_age: u32,
        /// Who may show /embed in a frame (CSP frame-ancestors): `*` or space-separated origins.
        #[arg(long, default_value = "*")]
        frame_ancestors: String,
        /// Tile URL template for the map's default basemap instead of 地理院タイル (…/{z}/{x}/{y}.png).
        #[arg(long)]
        tile_url: Option<String>,
        /// Attribution (HTML) of --tile-url, as its terms require.
        #[arg(long, requires = "tile_url")]
        tile_attribution: Option<String>,
        /// The address of a reverse proxy whose forwarded headers (`Forwarded`,
        /// `X-Forwarded-Host`/`-Proto`) make the API's links; repeat for several. Without it
        /// they are ignored.
        #[arg(long, value_name = "IP", value_parser = care_atlas_api::parse_proxy)]
        trusted_proxy: Vec<std::net::IpAddr>,
        /// Seconds one request's computation may take before it is answered 503 (Retry-After).
        #[arg(long, default_value_t = care_atlas_api::MAX_WORK_TIME.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
        request_timeout: u64,
        /// Milliseconds a request waits for a place among the computations running (a few per
        /// core) before it is answered 503 (Retry-After) instead of queueing without end.
        #[arg(long, default_value_t = care_atlas_api::MAX_QUEUE_WAIT.as_millis() as u64)]
        queue_wait_ms: u64,
    },
    /// Print the OpenAPI document of the API.
    Openapi,
    /// Build the canonical files in data/ from the raw government files.
    Data {
        /// Folder of the raw files (see its SOURCES.md).
        #[arg(long, default_value = "../shared/data/raw")]
        raw: PathBuf,
        /// Folder to write the canonical files to; its README.md must exist.
        #[arg(long, default_value = "data")]
        out: PathBuf,
    },
}

fn parse_code(text: &str) -> Result<MunicipalityCode, String> {
    text.trim().parse().map_err(|e: care_atlas_core::MunicipalityCodeError| e.to_string())
}

/// Reads the database into a snapshot ready to serve (its mesh grids built).
fn load_state(db: &std::path::Path) -> anyhow::Result<care_atlas_api::AppState> {
    // One read-only read transaction: refuses a database without a completed import, and cannot
    // mix two datasets when an import commits meanwhile.
    let dataset = care_atlas_loader::store::load_dataset(db).with_context(|| {
        format!(
            "cannot serve {}: run `care-atlas import --db {} data/` first",
            db.display(),
            db.display()
        )
    })?;
    let (dataset_version, snapshot) = (dataset.version, dataset.snapshot);
    let sources = snapshot.sources.clone();
    let state = care_atlas_api::AppState {
        atlas: std::sync::Arc::new(snapshot.into_atlas()),
        dataset_version,
        sources,
        cache: care_atlas_api::SnapshotCache::default(),
    };
    state.prepare();
    Ok(state)
}

/// On `SIGHUP`, reads the database again and serves the new snapshot once it is built; until then,
/// and if it cannot be read, the old one goes on being served. Signals that arrive during a reload
/// are folded into one more reload after it.
#[cfg(unix)]
fn reload_on_hangup(db: PathBuf, live: actix_web::web::Data<care_atlas_api::LiveState>) {
    use actix_web::rt::signal::unix::{SignalKind, signal};
    let mut hangups = match signal(SignalKind::hangup()) {
        Ok(hangups) => hangups,
        Err(error) => {
            tracing::warn!("SIGHUP cannot reload the database: {error}");
            return;
        }
    };
    actix_web::rt::spawn(async move {
        while hangups.recv().await.is_some() {
            let path = db.clone();
            let before = live.current().dataset_version.clone();
            match actix_web::rt::task::spawn_blocking(move || load_state(&path)).await {
                Ok(Ok(state)) => {
                    let (version, count) =
                        (state.dataset_version.clone(), state.atlas.facilities().len());
                    live.replace(state);
                    tracing::info!(
                        "reloaded {}: dataset {before} -> {version} ({count} facilities)",
                        db.display()
                    );
                }
                Ok(Err(error)) => tracing::error!(
                    "reload of {} failed, still serving dataset {before}: {error:#}",
                    db.display()
                ),
                Err(error) => tracing::error!(
                    "reload of {} failed, still serving dataset {before}: {error}",
                    db.display()
                ),
            }
        }
    });
}

/// Without Unix signals there is no reload: restart the server to serve a new import.
#[cfg(not(unix))]
fn reload_on_hangup(_db: PathBuf, _live: actix_web::web::Data<care_atlas_api::LiveState>) {}

fn parse_format(id: &str) -> Result<Format, String> {
    Format::from_id(id)
        .ok_or_else(|| format!("unknown format `{id}`; one of: {}", Format::all_ids()))
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal who has not set NO_COLOR: in a log file or
        // journald they are noise.
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()),
        )
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Import { db, format, source, as_of, strict, study_area, files } => {
            let study_area = (!study_area.is_empty()).then(|| study_area.into_iter().collect());
            let options = ImportOptions { format, source, as_of, strict, study_area };
            let summary = import_files(&db, &files, &options).with_context(|| {
                format!("import into {} failed; the database is unchanged", db.display())
            })?;
            for error in &summary.errors {
                eprintln!("rejected: {error}");
            }
            for value in &summary.left_out {
                eprintln!("left out: {value}");
            }
            write!(out, "{summary}")?;
        }
        Command::Serve {
            db,
            bind,
            cors_origin,
            max_age,
            frame_ancestors,
            tile_url,
            tile_attribution,
            trusted_proxy,
            request_timeout,
            queue_wait_ms,
        } => {
            let state = load_state(&db)?;
            writeln!(
                out,
                "serving {} ({} facilities, dataset {}) on http://{bind}",
                db.display(),
                state.atlas.facilities().len(),
                state.dataset_version
            )?;
            drop(out);
            let options = care_atlas_api::ServeOptions {
                bind,
                cors_origins: cors_origin,
                max_age_s: max_age,
                frame_ancestors,
                tile_url,
                tile_attribution,
                trusted_proxies: trusted_proxy,
                max_work_time: std::time::Duration::from_secs(request_timeout),
                max_queue_wait: std::time::Duration::from_millis(queue_wait_ms),
            };
            let live = actix_web::web::Data::new(care_atlas_api::LiveState::new(state));
            actix_web::rt::System::new().block_on(async move {
                reload_on_hangup(db, live.clone());
                care_atlas_api::serve(live, options).await
            })?;
        }
        Command::Openapi => {
            writeln!(out, "{}", serde_json::to_string_pretty(&care_atlas_api::openapi())?)?;
        }
        Command::Data { raw, out: out_dir } => {
            let report = build::build_canonical(&raw, &out_dir)?;
            write_build_summary(&mut out, &report, &out_dir)?;
        }
    }
    Ok(())
}

/// What `care-atlas data` did: counts, rejections, contacts, register entries set aside or not
/// carried, and repaired positions.
fn write_build_summary(
    out: &mut impl std::io::Write,
    report: &build::BuildReport,
    out_dir: &std::path::Path,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "wrote {} facilities and {} municipalities to {}",
        report.facilities.len(),
        report.municipalities.len(),
        out_dir.display()
    )?;
    writeln!(
        out,
        "{} records rejected (see {}):",
        report.rejected.len(),
        out_dir.join("audit/rejected_records.csv").display()
    )?;
    for error in &report.rejected {
        writeln!(out, "  {error}")?;
    }
    for c in &report.contacts {
        writeln!(
            out,
            "contacts from {}: {} of {} facilities matched, {} phones and {} web sites filled, {} disagreements with official values (kept), {} of {} rows matched no facility",
            c.source,
            c.matched,
            c.facilities,
            c.phones_filled,
            c.urls_filled,
            c.disagreements.len(),
            c.unmatched,
            c.rows
        )?;
    }
    for c in &report.register_contacts {
        writeln!(
            out,
            "phones from {} ({}): of {} institutions in the mapped area, {} matched a hospital, clinic or dental clinic: {} phones filled, {} already had one ({} disagreements, kept); {} ambiguous (no phone filled), {} matched no facility",
            c.file,
            c.source,
            c.institutions,
            c.matched,
            c.phones_filled,
            c.had_phone,
            c.disagreements.len(),
            c.ambiguous,
            c.unmatched
        )?;
        for d in &c.disagreements {
            writeln!(
                out,
                "  {} {}: `{}` kept, the register has `{}`",
                d.facility, d.field, d.official, d.contact
            )?;
        }
    }
    for (file, count) in &report.register.outside_mapped_area {
        writeln!(
            out,
            "{}: {count} institutions outside the mapped municipalities, set aside",
            file.display()
        )?;
    }
    for (file, count) in &report.not_carried {
        writeln!(
            out,
            "{}: {count} institutions without a 在宅療養支援 filing, not carried",
            file.display()
        )?;
    }
    writeln!(
        out,
        "register entries in the mapped area: {} linked to a 医療情報ネット record, {} unlinked, {} matching several records (left unlinked)",
        report.register.linked, report.register.unlinked, report.register.ambiguous
    )?;
    writeln!(out, "{} positions geocoded or repaired", report.positions_changed().count())?;
    for f in report.repaired_positions() {
        let note = f.position_note.as_ref().map(ToString::to_string).unwrap_or_default();
        writeln!(out, "  repaired {} {}: {note}", f.id, f.name)?;
    }
    Ok(())
}
