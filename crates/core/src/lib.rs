//! Domain types and spatial logic of care-atlas.
//!
//! This crate is pure: no file, database or network I/O and no HTTP or JSON. The loader turns files
//! into these types (validating at the edge) and the API turns them into responses.

mod analysis;
mod atlas;
mod domain;
mod population;
mod spatial;
#[doc(hidden)]
pub mod testing;

pub use analysis::accessibility::fca::{
    AccessibilityScores, CatchmentMethod, Demand, Supply, floating_catchment,
};
pub use analysis::accessibility::mesh::{AccessibilityQuery, CellAccessibility};
pub use analysis::comparison::{ChangedCell, ComparisonQuery, ScenarioComparison, ScenarioMetrics};
pub use analysis::completeness::{SupplyCompleteness, SupplyKnowledge};
pub use analysis::gaps::polygons::{GapPolygon, coverage_gap_polygons};
pub use analysis::gaps::{
    GapCell, GapQuery, GapResolution, GapSummary, Gaps, OUT_OF_REACH_DEFINITION_EN,
    OUT_OF_REACH_DEFINITION_JA, OUT_OF_REACH_LEVEL, QuarterReach,
};
pub use analysis::grid::{CellPart, Grid, RingCell, StudyCell};
pub use analysis::limits::GRID_LEVELS;
pub use analysis::nearest::{
    MAX_DISTANCE_RANGE_M, MAX_NEAREST, NearestFacility, NearestQuery, NearestQueryError,
};
pub use analysis::origin::{
    AddressCandidate, AddressOrigin, OriginError, OriginPrecision, OriginQuery, ResolvedOrigin,
};
pub use analysis::places::UnderservedPlace;
pub use analysis::scenario::{
    MAX_ADDED_CAPACITY, MAX_SCENARIO_ADDITIONS, RADIUS_RANGE_M, Scenario, SupplyWeight,
};
pub use analysis::selection::{FacilityFilter, FacilityIndexPage, FacilityPage, MAX_PAGE_SIZE};
pub use analysis::sites::{MAX_SITES, SiteQuery, SiteSuggestion};
pub use analysis::statistics::{
    AreaRef, AreaStatistics, KindStatistics, Location, StatisticsScope,
};
pub use atlas::{Atlas, AtlasParts};
pub use domain::area::{
    AreaRole, MunicipalPopulation, Municipality, MunicipalityCode, MunicipalityCodeError,
    Placement, SmallArea,
};
pub use domain::census_mesh::{CensusMeshCell, MeshSuppression};
pub use domain::detail_page::{KAIGO_SOURCE_PREFIX, detail_url};
pub use domain::facility::{
    Facility, FacilityId, PositionNote, PositionPrecision, Provenance, SourcePositionFault,
    TownPlacement,
};
pub use domain::gazetteer::{
    Gazetteer, TownMatch, TownPoint, municipality_in_address, normalise_address, split_prefecture,
    town_name_part,
};
pub use domain::home_care::{HOME_CARE_FILINGS, HomeCareClass, HomeCareFiling, home_care_filing};
pub use domain::kind::{
    FacilityKind, KindCompleteness, SourceCompleteness, SourceScope, UnknownKind,
};
pub use domain::position::{Position, PositionError};
pub use domain::source::SourceInfo;
pub use population::surface::{PopulationCell, PopulationSurface};
pub use population::{
    CensusMeshPopulation, GroupFigures, PopulationGroup, PopulationModel, VoronoiPopulation,
};
pub use spatial::frame::{
    LocalFrame, SHORT_DISTANCE_MAX_M, SHORT_DISTANCE_RELATIVE_ERROR, short_distance_m,
};
pub use spatial::geometry::{CIRCLE_VERTICES, geodesic_circle, label_point};
pub use spatial::index::{
    Bands, Candidate, Candidates, Neighbour, PositionIndex, SubtreeSums, k_nearest_in,
};
pub use spatial::mesh::{MeshCode, MeshCodeError, MeshLevel};
