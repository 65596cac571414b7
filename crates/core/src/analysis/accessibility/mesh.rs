//! Accessibility on the mesh: 2SFCA and E2SFCA scores per study-area cell for some kinds under a
//! what-if scenario.
//!
//! Demand is the residents of one [`PopulationGroup`] in every cell touching the study area and
//! in every cell of the 10 km ring around it, from the population model (see
//! [`crate::PopulationModel`]): a facility near the border also serves people across it, so it
//! must not look better than it is. A cell whose residents of the group the model does not know
//! adds no demand and gets no score (it is left out of the answer, never scored as empty). Supply is every facility of the
//! kinds in the snapshot (in or out of the study area). Scores are reported for the study-area
//! cells; the normalisation divides by the population-weighted mean over all demand cells, as
//! PySAL `access` does over its demand table.

use crate::{
    AccessibilityScores, Atlas, CatchmentMethod, Demand, FacilityKind, MeshCode, MeshLevel,
    PopulationGroup, Scenario, SupplyWeight, floating_catchment,
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
    /// Whose residents are the demand.
    pub group: PopulationGroup,
}

/// The score of one study-area cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellAccessibility {
    /// The cell.
    pub code: MeshCode,
    /// Residents of the group in its study-area part.
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
    /// use care_atlas_core::{AccessibilityQuery, Atlas, AtlasParts, CatchmentMethod, MeshLevel, PopulationGroup, Scenario, SupplyWeight};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// let query = AccessibilityQuery { kinds: vec![], method: CatchmentMethod::Enhanced, catchment_m: 3000.0, level: MeshLevel::Third, weight: SupplyWeight::Count, group: PopulationGroup::Total };
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
        let study: Vec<(MeshCode, Demand)> = grid
            .study
            .iter()
            .filter_map(|c| {
                let population = c.population(query.group)?;
                Some((c.code, Demand { position: c.center, population }))
            })
            .collect();
        let demand: Vec<Demand> = study
            .iter()
            .map(|(_, d)| *d)
            .chain(grid.ring.iter().filter_map(|c| {
                Some(Demand { position: c.center, population: c.population(query.group)? })
            }))
            .collect();
        let AccessibilityScores { raw, normalised } =
            floating_catchment(&demand, &supply, query.catchment_m, query.method);
        study
            .iter()
            .zip(raw.iter().zip(&normalised))
            .map(|((code, demand), (&raw, &normalised))| CellAccessibility {
                code: *code,
                population: demand.population,
                raw,
                normalised,
            })
            .collect()
    }
}
