//! Domain types and spatial logic of care-atlas.
//!
//! This crate is pure: no file, database or network I/O and no HTTP or JSON. The loader turns files
//! into these types (validating at the edge) and the API turns them into responses.

mod area;
mod facility;
mod frame;
mod gazetteer;
mod kind;
mod position;

pub use area::{
    AreaRole, MunicipalPopulation, Municipality, MunicipalityCode, MunicipalityCodeError,
    Placement, STUDY_AREA_CODES, SmallArea,
};
pub use facility::{Facility, FacilityId, PositionPrecision, Provenance};
pub use frame::LocalFrame;
pub use gazetteer::{Gazetteer, TownMatch, TownPoint, normalise_address, split_prefecture};
pub use kind::{Coverage, CoverageScope, FacilityKind, KindCoverage, UnknownKind};
pub use position::{Position, PositionError};
