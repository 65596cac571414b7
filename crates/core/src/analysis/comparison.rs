//! Scenario comparison: the coverage gaps and E2SFCA accessibility of one kind now and under a
//! what-if scenario, and their difference, for a planner weighing a change. People out of reach
//! are counted by the one rule of [`Atlas::quarter_reach`], for every population group at once,
//! and the 250 m cells whose reach changes are listed for the map.

use crate::{
    AccessibilityQuery, Atlas, CatchmentMethod, FacilityKind, GapQuery, GapResolution, GapSummary,
    GroupFigures, MeshCode, MeshLevel, OUT_OF_REACH_LEVEL, PopulationGroup, Position, QuarterReach,
    Scenario, SupplyWeight,
};

/// A checked scenario comparison query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ComparisonQuery {
    /// The kind whose supply changes.
    pub kind: FacilityKind,
    /// Reach of a facility for the gaps, in metres, within [`crate::RADIUS_RANGE_M`].
    pub radius_m: f64,
    /// Catchment of the E2SFCA, in metres, within [`crate::RADIUS_RANGE_M`].
    pub catchment_m: f64,
    /// Whose residents are counted.
    pub group: PopulationGroup,
    /// The mesh of the E2SFCA demand (people out of reach are always counted on 250 m cells).
    pub accessibility_level: MeshLevel,
}

/// Gaps and accessibility of the study area in one state of the world (or the difference of two).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioMetrics {
    /// Per study-area municipality, on the quarter mesh (250 m).
    pub gaps: Vec<GapSummary>,
    /// Residents of the group in the study area out of reach (`None` where unknown).
    pub population_uncovered: Option<f64>,
    /// Residents of each group in the study area out of reach, in [`PopulationGroup::ALL`] order
    /// (`None` where the model does not know the group).
    pub out_of_reach_by_group: GroupFigures,
    /// The same per study-area town, in code order.
    pub out_of_reach_by_town: Vec<(crate::MunicipalityCode, GroupFigures)>,
    /// Population-weighted mean raw E2SFCA score of the study-area cells (supply per resident; 0
    /// when nobody lives there).
    pub mean_accessibility: f64,
}

/// A 250 m cell whose reach the scenario changes.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedCell {
    /// The cell.
    pub code: MeshCode,
    /// Its centre.
    pub center: Position,
    /// Within reach before the scenario.
    pub covered_before: bool,
    /// Within reach after it.
    pub covered_after: bool,
    /// Residents of each group in its study-area part, in [`PopulationGroup::ALL`] order.
    pub populations: GroupFigures,
}

/// Before, after and after minus before.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioComparison {
    /// The snapshot as it is.
    pub before: ScenarioMetrics,
    /// With the scenario applied (to a copy of the supply).
    pub after: ScenarioMetrics,
    /// `after − before`, field by field and municipality by municipality.
    pub difference: ScenarioMetrics,
    /// The 250 m cells whose reach changes, in code order.
    pub changed_cells: Vec<ChangedCell>,
}

impl Atlas {
    /// Gaps and accessibility of `query.kind` before and after `scenario`, and the difference.
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, ComparisonQuery, FacilityKind, Scenario};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// use care_atlas_core::PopulationGroup;
    /// let query = ComparisonQuery { kind: FacilityKind::VisitingNursingStation, radius_m: 2000.0, catchment_m: 2000.0, group: PopulationGroup::Total, accessibility_level: care_atlas_core::MeshLevel::Half };
    /// let comparison = atlas.compare_scenario(&query, &Scenario::default());
    /// assert_eq!(comparison.difference.population_uncovered, Some(0.0));
    /// ```
    #[must_use]
    pub fn compare_scenario(
        &self,
        query: &ComparisonQuery,
        scenario: &Scenario,
    ) -> ScenarioComparison {
        let kinds = [query.kind];
        let reach_before = self.quarter_reach(&kinds, query.radius_m, &Scenario::default());
        let reach_after = self.quarter_reach(&kinds, query.radius_m, scenario);
        let before = self.scenario_metrics(query, &Scenario::default(), &reach_before);
        let after = self.scenario_metrics(query, scenario, &reach_after);
        let minus = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a - b);
        let difference = ScenarioMetrics {
            gaps: after
                .gaps
                .iter()
                .zip(&before.gaps)
                .map(|(a, b)| GapSummary {
                    municipality_code: a.municipality_code,
                    population_total: minus(a.population_total, b.population_total),
                    population_uncovered: minus(a.population_uncovered, b.population_uncovered),
                    area_km2: a.area_km2 - b.area_km2,
                    area_uncovered_km2: a.area_uncovered_km2 - b.area_uncovered_km2,
                })
                .collect(),
            population_uncovered: minus(after.population_uncovered, before.population_uncovered),
            out_of_reach_by_group: std::array::from_fn(|i| {
                minus(after.out_of_reach_by_group[i], before.out_of_reach_by_group[i])
            }),
            out_of_reach_by_town: after
                .out_of_reach_by_town
                .iter()
                .zip(&before.out_of_reach_by_town)
                .map(|((code, a), (_, b))| (*code, std::array::from_fn(|i| minus(a[i], b[i]))))
                .collect(),
            mean_accessibility: after.mean_accessibility - before.mean_accessibility,
        };
        let changed_cells = self
            .grid(OUT_OF_REACH_LEVEL)
            .study
            .iter()
            .zip(reach_before.covered.iter().zip(&reach_after.covered))
            .filter(|(_, (b, a))| b != a)
            .map(|(cell, (&covered_before, &covered_after))| ChangedCell {
                code: cell.code,
                center: cell.center,
                covered_before,
                covered_after,
                populations: PopulationGroup::ALL.map(|g| cell.population(g)),
            })
            .collect();
        ScenarioComparison { before, after, difference, changed_cells }
    }

    fn scenario_metrics(
        &self,
        query: &ComparisonQuery,
        scenario: &Scenario,
        reach: &QuarterReach,
    ) -> ScenarioMetrics {
        let gaps = self.coverage_gaps_with(
            &GapQuery {
                kinds: vec![query.kind],
                radius_m: query.radius_m,
                area: None,
                resolution: GapResolution::Mesh(OUT_OF_REACH_LEVEL),
                group: query.group,
            },
            scenario,
            reach,
        );
        let cells = &self.grid(OUT_OF_REACH_LEVEL).study;
        let out_of_reach_by_group = PopulationGroup::ALL.map(|group| {
            cells
                .iter()
                .zip(&reach.covered)
                .filter(|(_, covered)| !**covered)
                .map(|(cell, _)| cell.population(group))
                .try_fold(0.0, |sum, people| people.map(|p| sum + p))
        });
        let scores = self.accessibility(
            &AccessibilityQuery {
                kinds: vec![query.kind],
                method: CatchmentMethod::Enhanced,
                catchment_m: query.catchment_m,
                level: query.accessibility_level,
                weight: SupplyWeight::Count,
                group: query.group,
            },
            scenario,
        );
        let population: f64 = scores.iter().map(|s| s.population).sum();
        let weighted: f64 = scores.iter().map(|s| s.population * s.raw).sum();
        ScenarioMetrics {
            population_uncovered: gaps.summary.iter().map(|s| s.population_uncovered).sum(),
            gaps: gaps.summary,
            out_of_reach_by_group,
            out_of_reach_by_town: self.out_of_reach_by_town(reach),
            mean_accessibility: if population > 0.0 { weighted / population } else { 0.0 },
        }
    }
}
