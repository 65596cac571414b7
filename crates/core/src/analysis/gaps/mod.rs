//! Coverage gaps: where in the study area people live farther than a radius from every facility of
//! some kinds, as polygons or as mesh cells, under a what-if scenario. Facilities anywhere in the
//! snapshot cover the study area, including those in neighbouring municipalities.

pub(crate) mod polygons;

use crate::{
    Atlas, FacilityKind, GapPolygon, MeshCode, MeshLevel, MunicipalityCode, PopulationGroup,
    Position, PositionIndex, Scenario, SupplyWeight, coverage_gap_polygons,
};

/// How gaps are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapResolution {
    /// Each municipality minus the union of the facilities' circles.
    Polygon,
    /// Mesh cells of a level (1 km, 500 m or 250 m), each covered or not by its centre.
    Mesh(MeshLevel),
}

/// A checked coverage-gap query.
#[derive(Debug, Clone, PartialEq)]
pub struct GapQuery {
    /// Kinds whose facilities cover (all when empty).
    pub kinds: Vec<FacilityKind>,
    /// Reach of a facility in metres, within [`crate::RADIUS_RANGE_M`].
    pub radius_m: f64,
    /// Study-area municipality to report (all three when `None`).
    pub area: Option<MunicipalityCode>,
    /// Polygons or mesh.
    pub resolution: GapResolution,
    /// Whose residents are counted.
    pub group: PopulationGroup,
}

/// A mesh cell of a gap answer.
#[derive(Debug, Clone, PartialEq)]
pub struct GapCell {
    /// The cell.
    pub code: MeshCode,
    /// Its centre.
    pub center: Position,
    /// Geodesic distance from the centre to the nearest facility in metres (`None`: none at all).
    pub nearest_distance_m: Option<f64>,
    /// Whether the centre is within the radius.
    pub covered: bool,
    /// Residents of the group in the cell's study-area part (of the reported municipalities);
    /// `None` where the model does not know them.
    pub population: Option<f64>,
    /// Area of that part in km².
    pub area_km2: f64,
}

/// Population and area out of reach in one municipality.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GapSummary {
    /// The municipality.
    pub municipality_code: MunicipalityCode,
    /// Residents of the group (from the population model; `None` where it does not know them).
    pub population_total: Option<f64>,
    /// Residents of the group out of reach (`None` where unknown).
    pub population_uncovered: Option<f64>,
    /// Area in km².
    pub area_km2: f64,
    /// Area out of reach in km².
    pub area_uncovered_km2: f64,
}

/// A coverage-gap answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Gaps {
    /// Gap polygons (polygon resolution).
    pub polygons: Vec<GapPolygon>,
    /// Cells (mesh resolution).
    pub cells: Vec<GapCell>,
    /// Per municipality.
    pub summary: Vec<GapSummary>,
}

impl Atlas {
    /// Coverage gaps of the study area under `scenario`.
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, GapQuery, GapResolution, Scenario};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// use care_atlas_core::PopulationGroup;
    /// let query = GapQuery { kinds: vec![], radius_m: 2000.0, area: None, resolution: GapResolution::Polygon, group: PopulationGroup::Total };
    /// assert!(atlas.coverage_gaps(&query, &Scenario::default()).summary.is_empty());
    /// ```
    #[must_use]
    pub fn coverage_gaps(&self, query: &GapQuery, scenario: &Scenario) -> Gaps {
        let supply = self.supply(&query.kinds, scenario, SupplyWeight::Count);
        let towns: Vec<&crate::Municipality> =
            self.study_area().filter(|m| query.area.is_none_or(|a| a == m.code)).collect();
        match query.resolution {
            GapResolution::Polygon => {
                let positions: Vec<Position> = supply.iter().map(|s| s.position).collect();
                let polygons = coverage_gap_polygons(
                    &towns,
                    &positions,
                    query.radius_m,
                    self.population_model(),
                    query.group,
                );
                let summary = polygons
                    .iter()
                    .map(|g| GapSummary {
                        municipality_code: g.municipality_code,
                        population_total: g.population_total,
                        population_uncovered: g.population_uncovered,
                        area_km2: g.gap_area_km2 + g.covered_area_km2,
                        area_uncovered_km2: g.gap_area_km2,
                    })
                    .collect();
                Gaps { polygons, cells: Vec::new(), summary }
            }
            GapResolution::Mesh(level) => {
                let supply =
                    PositionIndex::new(supply.iter().map(|s| (s.position, ())), *self.frame());
                let wanted = |code: MunicipalityCode| towns.iter().any(|t| t.code == code);
                let mut summary: Vec<GapSummary> = towns
                    .iter()
                    .map(|t| GapSummary {
                        municipality_code: t.code,
                        population_total: Some(0.0),
                        population_uncovered: Some(0.0),
                        area_km2: 0.0,
                        area_uncovered_km2: 0.0,
                    })
                    .collect();
                let mut cells = Vec::new();
                for cell in &self.grid(level).study {
                    let parts: Vec<&crate::CellPart> =
                        cell.parts.iter().filter(|p| wanted(p.municipality_code)).collect();
                    if parts.is_empty() {
                        continue;
                    }
                    let nearest_distance_m = supply.nearest_distance_m(cell.center);
                    let covered = nearest_distance_m.is_some_and(|d| d <= query.radius_m);
                    let add = |sum: &mut Option<f64>, part: Option<f64>| {
                        *sum = sum.zip(part).map(|(a, b)| a + b);
                    };
                    for part in &parts {
                        if let Some(s) = summary
                            .iter_mut()
                            .find(|s| s.municipality_code == part.municipality_code)
                        {
                            let people = part.population(query.group);
                            add(&mut s.population_total, people);
                            s.area_km2 += part.area_km2;
                            if !covered {
                                add(&mut s.population_uncovered, people);
                                s.area_uncovered_km2 += part.area_km2;
                            }
                        }
                    }
                    cells.push(GapCell {
                        code: cell.code,
                        center: cell.center,
                        nearest_distance_m,
                        covered,
                        population: parts.iter().map(|p| p.population(query.group)).sum(),
                        area_km2: parts.iter().map(|p| p.area_km2).sum(),
                    });
                }
                Gaps { polygons: Vec::new(), cells, summary }
            }
        }
    }
}
