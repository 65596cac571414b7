//! Site suggestions: where new facilities of a kind would bring the most uncovered residents within
//! reach — a greedy maximal-covering answer over candidate quarter-mesh cell centres (Church &
//! ReVelle 1974), the question a planner asks before opening a nursing station.

use crate::{
    Atlas, FacilityKind, MeshCode, MeshLevel, PopulationGroup, Position, PositionIndex, Scenario,
    SupplyWeight,
};

/// The most sites one query suggests.
pub const MAX_SITES: usize = 20;

/// One suggested site.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteSuggestion {
    /// 1 for the first pick.
    pub rank: usize,
    /// The candidate cell.
    pub cell: MeshCode,
    /// Its centre, where the facility is imagined.
    pub position: Position,
    /// Residents of the group asked for brought within reach by this site, beyond the earlier
    /// picks and existing facilities.
    pub newly_covered_population: f64,
}

impl Atlas {
    /// Up to `n` sites for new facilities of `kind`, each covering `radius_m`, picked greedily:
    /// each pick covers the most residents of `group` not yet within reach of an existing
    /// facility or an earlier pick. Demand and candidates are the quarter-mesh cells of the study
    /// area; a cell is covered when its centre is within reach. Picks that would cover nobody are
    /// not made. A cell whose residents of the group the model does not know counts for no one
    /// (callers refuse a group the model does not know at all).
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, FacilityKind, Scenario};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// use care_atlas_core::PopulationGroup;
    /// assert!(atlas.suggest_sites(FacilityKind::VisitingNursingStation, 2000.0, 3, PopulationGroup::Total, &Scenario::default()).is_empty());
    /// ```
    #[must_use]
    pub fn suggest_sites(
        &self,
        kind: FacilityKind,
        radius_m: f64,
        n: usize,
        group: PopulationGroup,
        scenario: &Scenario,
    ) -> Vec<SiteSuggestion> {
        let cells = &self.grid(MeshLevel::Quarter).study;
        let supply = self.supply(&[kind], scenario, SupplyWeight::Count);
        let supply = PositionIndex::new(supply.iter().map(|s| (s.position, ())), *self.frame());
        let mut uncovered: Vec<f64> = cells
            .iter()
            .map(|c| {
                if supply.nearest_distance_m(c.center).is_some_and(|d| d <= radius_m) {
                    0.0
                } else {
                    c.population(group).unwrap_or_default()
                }
            })
            .collect();
        // Which demand cells each candidate reaches, once.
        let centres =
            PositionIndex::new(cells.iter().enumerate().map(|(i, c)| (c.center, i)), *self.frame());
        let reach: Vec<Vec<usize>> = cells
            .iter()
            .map(|candidate| centres.within(candidate.center, radius_m).map(|n| *n.value).collect())
            .collect();
        let mut picks = Vec::new();
        for rank in 1..=n.min(MAX_SITES) {
            let gain = |c: usize| reach[c].iter().map(|&i| uncovered[i]).sum::<f64>();
            let Some((best, newly)) = (0..cells.len())
                .map(|c| (c, gain(c)))
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            else {
                break;
            };
            if newly <= 0.0 {
                break;
            }
            for &i in &reach[best] {
                uncovered[i] = 0.0;
            }
            picks.push(SiteSuggestion {
                rank,
                cell: cells[best].code,
                position: cells[best].center,
                newly_covered_population: newly,
            });
        }
        picks
    }
}
