//! Accessibility on the mesh: 2SFCA and E2SFCA scores per study-area cell for some kinds under a
//! what-if scenario.
//!
//! Demand is every cell touching the study area (its residents from the population surface) and
//! every cell of the 10 km ring around it, whose residents are known only as municipal totals and
//! are spread uniformly (see [`crate::PopulationModel`]): a facility near the border also
//! serves people across it, so it must not look better than it is. Supply is every facility of the
//! kinds in the snapshot (in or out of the study area). Scores are reported for the study-area
//! cells; the normalisation divides by the population-weighted mean over all demand cells, as
//! PySAL `access` does over its demand table.

use crate::{
    AccessibilityScores, Atlas, CatchmentMethod, Demand, FacilityKind, MeshCode, MeshLevel,
    Scenario, SupplyWeight, floating_catchment,
};

/// A checked accessibility query.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessibilityQuery {
    /// Kinds that supply (all when empty).
    pub kinds: Vec<FacilityKind>,
    /// 2SFCA or E2SFCA.
    pub method: CatchmentMethod,
    /// Catchment in metres, within [`crate::RADIUS_RANGE_M`].
    pub catchment_m: f64,
    /// Mesh level of the demand cells.
    pub level: MeshLevel,
    /// How facilities count.
    pub weight: SupplyWeight,
}

/// The score of one study-area cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellAccessibility {
    /// The cell.
    pub code: MeshCode,
    /// Residents of its study-area part.
    pub population: f64,
    /// Supply per resident reachable (capacity per person).
    pub raw: f64,
    /// `raw` divided by the population-weighted mean.
    pub normalised: f64,
}

impl Atlas {
    /// Accessibility scores of the study-area cells.
    ///
    /// ```
    /// use care_atlas_core::{AccessibilityQuery, Atlas, AtlasParts, CatchmentMethod, MeshLevel, Scenario, SupplyWeight};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// let query = AccessibilityQuery { kinds: vec![], method: CatchmentMethod::Enhanced, catchment_m: 3000.0, level: MeshLevel::Third, weight: SupplyWeight::Count };
    /// assert!(atlas.accessibility(&query, &Scenario::default()).is_empty());
    /// ```
    #[must_use]
    pub fn accessibility(
        &self,
        query: &AccessibilityQuery,
        scenario: &Scenario,
    ) -> Vec<CellAccessibility> {
        let grid = self.grid(query.level);
        let supply = self.supply(&query.kinds, scenario, query.weight);
        let demand: Vec<Demand> = grid
            .study
            .iter()
            .map(|c| Demand { position: c.center, population: c.population() })
            .chain(
                grid.ring.iter().map(|c| Demand { position: c.center, population: c.population }),
            )
            .collect();
        let AccessibilityScores { raw, normalised } =
            floating_catchment(&demand, &supply, query.catchment_m, query.method);
        grid.study
            .iter()
            .zip(raw.iter().zip(&normalised))
            .map(|(cell, (&raw, &normalised))| CellAccessibility {
                code: cell.code,
                population: cell.population(),
                raw,
                normalised,
            })
            .collect()
    }
}
