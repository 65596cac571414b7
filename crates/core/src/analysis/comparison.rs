//! Scenario comparison: the coverage gaps (quarter mesh) and E2SFCA accessibility of one kind
//! now and under a what-if scenario, and their difference, for a planner weighing a change.

use crate::{
    AccessibilityQuery, Atlas, CatchmentMethod, FacilityKind, GapQuery, GapResolution, GapSummary,
    MeshLevel, PopulationGroup, Scenario, SupplyWeight,
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
}

/// Gaps and accessibility of the study area in one state of the world (or the difference of two).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioMetrics {
    /// Per study-area municipality, on the quarter mesh (250 m).
    pub gaps: Vec<GapSummary>,
    /// Residents of the group in the study area out of reach (`None` where unknown).
    pub population_uncovered: Option<f64>,
    /// Population-weighted mean raw E2SFCA score of the study-area cells (supply per resident; 0
    /// when nobody lives there).
    pub mean_accessibility: f64,
    /// Residents of cells that reach no facility.
    pub population_without_access: f64,
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
}

impl Atlas {
    /// Gaps and accessibility of `query.kind` before and after `scenario`, and the difference.
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, ComparisonQuery, FacilityKind, Scenario};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// use care_atlas_core::PopulationGroup;
    /// let query = ComparisonQuery { kind: FacilityKind::VisitingNursingStation, radius_m: 2000.0, catchment_m: 2000.0, group: PopulationGroup::Total };
    /// let comparison = atlas.compare_scenario(&query, &Scenario::default());
    /// assert_eq!(comparison.difference.population_uncovered, Some(0.0));
    /// ```
    #[must_use]
    pub fn compare_scenario(
        &self,
        query: &ComparisonQuery,
        scenario: &Scenario,
    ) -> ScenarioComparison {
        let before = self.scenario_metrics(query, &Scenario::default());
        let after = self.scenario_metrics(query, scenario);
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
            mean_accessibility: after.mean_accessibility - before.mean_accessibility,
            population_without_access: after.population_without_access
                - before.population_without_access,
        };
        ScenarioComparison { before, after, difference }
    }

    fn scenario_metrics(&self, query: &ComparisonQuery, scenario: &Scenario) -> ScenarioMetrics {
        let gaps = self.coverage_gaps(
            &GapQuery {
                kinds: vec![query.kind],
                radius_m: query.radius_m,
                area: None,
                resolution: GapResolution::Mesh(MeshLevel::Quarter),
                group: query.group,
            },
            scenario,
        );
        let scores = self.accessibility(
            &AccessibilityQuery {
                kinds: vec![query.kind],
                method: CatchmentMethod::Enhanced,
                catchment_m: query.catchment_m,
                level: MeshLevel::Quarter,
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
            mean_accessibility: if population > 0.0 { weighted / population } else { 0.0 },
            population_without_access: scores
                .iter()
                .filter(|s| s.raw == 0.0)
                .map(|s| s.population)
                .sum(),
        }
    }
}
