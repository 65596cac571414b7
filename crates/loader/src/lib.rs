//! The care-atlas loader: data files in, SQLite out; SQLite in, a snapshot out.
//!
//! Parsing ([`formats`]) turns each supported file layout into a [`Batch`] of validated domain
//! values and facility drafts; placement ([`Placer`]) checks each draft's position against its
//! address and geocodes or repairs it with the gazetteer; the [`store`] writes a batch to SQLite in
//! one transaction and reads a [`Snapshot`] back. [`build`] turns the raw government files into the
//! canonical files shipped in `data/`.

pub mod build;
mod error;
pub mod formats;
mod import;
pub mod limits;
mod link;
mod place;
mod records;
pub mod store;
mod table;
mod text;

pub use error::{LoadError, RowError, RowLocation};
pub use formats::Format;
pub use import::{ImportOptions, ImportSummary, KindCounts, import_files};
pub use link::{
    LinkTargets, RegisterReport, institution_name_key, is_register_entry, prepare_register_entries,
};
pub use place::{KnownMunicipality, PlacedDraft, Placer, Rejection};
pub use records::{Batch, DeclaredMunicipality, FacilityDraft, Located, SourceInfo, Sourced};
pub use store::Snapshot;
pub use text::{TextEncoding, decode as decode_text};
