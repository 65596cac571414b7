//! Domain types and spatial logic of care-atlas.
//!
//! This crate is pure: no file, database or network I/O and no HTTP or JSON. The loader turns files
//! into these types (validating at the edge) and the API turns them into responses.

mod accessibility;
mod area;
mod atlas;
mod catchment;
mod coverage;
mod facility;
mod frame;
mod gaps;
mod gazetteer;
mod grid;
mod index;
mod kind;
mod mesh;
mod nearest;
mod population;
mod position;
mod scenario;
mod sites;
mod statistics;
#[doc(hidden)]
pub mod testing;

pub use accessibility::{AccessibilityScores, CatchmentMethod, Demand, Supply, floating_catchment};
pub use area::{
    AreaRole, MunicipalPopulation, Municipality, MunicipalityCode, MunicipalityCodeError,
    Placement, STUDY_AREA_CODES, SmallArea,
};
pub use atlas::{AddressOrigin, Atlas, AtlasParts};
pub use catchment::{AccessibilityQuery, CellAccessibility};
pub use coverage::{CIRCLE_VERTICES, GapPolygon, coverage_gap_polygons, geodesic_circle};
pub use facility::{Facility, FacilityId, PositionPrecision, Provenance};
pub use frame::LocalFrame;
pub use gaps::{GapCell, GapQuery, GapResolution, GapSummary, Gaps};
pub use gazetteer::{
    Gazetteer, TownMatch, TownPoint, municipality_in_address, normalise_address, split_prefecture,
};
pub use grid::{CellPart, Grid, RING_POPULATION_METHOD, RingCell, StudyCell};
pub use index::PositionIndex;
pub use kind::{Coverage, CoverageScope, FacilityKind, KindCoverage, UnknownKind};
pub use mesh::{MeshCode, MeshCodeError, MeshLevel};
pub use nearest::{MAX_NEAREST, NearestFacility, NearestQuery, NearestQueryError};
pub use population::{PopulationCell, PopulationSurface};
pub use position::{Position, PositionError};
pub use scenario::{
    AddedFacility, RADIUS_RANGE_M, Scenario, SupplyIndex, SupplyPoint, SupplyWeight,
};
pub use sites::{MAX_SITES, SiteSuggestion};
pub use statistics::{AreaRef, AreaStatistics, Completeness, KindStatistics, Location};
