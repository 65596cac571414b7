//! The limits and accepted values of the questions that are not stated beside their own type, so
//! that the API's checks, its OpenAPI schema and its error messages all read them from core.
//!
//! The others live with what they limit: [`crate::MAX_NEAREST`], [`crate::MAX_DISTANCE_RANGE_M`],
//! [`crate::RADIUS_RANGE_M`], [`crate::MAX_SITES`], [`crate::MAX_PAGE_SIZE`],
//! [`crate::MAX_SCENARIO_ADDITIONS`], [`crate::MAX_ADDED_CAPACITY`], [`crate::Position::LAT_RANGE`],
//! [`crate::FacilityKind::ALL`].

use crate::{CatchmentMethod, MeshLevel};

/// The mesh levels at which gaps and accessibility are answered (1 km, 500 m, 250 m), finest
/// last; each has a grid in the snapshot.
pub const GRID_LEVELS: [MeshLevel; 3] = [MeshLevel::Third, MeshLevel::Half, MeshLevel::Quarter];

impl CatchmentMethod {
    /// Every method.
    pub const ALL: [CatchmentMethod; 2] = [CatchmentMethod::TwoStep, CatchmentMethod::Enhanced];

    /// The method's id: `2sfca` or `e2sfca`.
    ///
    /// ```
    /// use care_atlas_core::CatchmentMethod;
    /// assert_eq!(CatchmentMethod::ALL.map(CatchmentMethod::id), ["2sfca", "e2sfca"]);
    /// ```
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            CatchmentMethod::TwoStep => "2sfca",
            CatchmentMethod::Enhanced => "e2sfca",
        }
    }
}
