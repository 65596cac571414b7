//! The study area on a JIS mesh: every cell that touches the study area with the population of
//! its study-area part, and the cells of the 10 km ring around it with their population, both
//! from the atlas's [`PopulationModel`](crate::PopulationModel). Built once per level and kept in
//! the snapshot.

use geo::{BooleanOps, BoundingRect, GeodesicArea, MultiPolygon};

use crate::{Atlas, MeshCode, MeshLevel, MunicipalityCode, PopulationGroup, Position};

/// The share of one study-area municipality in a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellPart {
    /// The municipality.
    pub municipality_code: MunicipalityCode,
    /// Geodesic area of the part in km².
    pub area_km2: f64,
    /// Estimated residents of the part (from the population model; 0 where it does not know
    /// them).
    pub population: f64,
}

/// A mesh cell touching the study area.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyCell {
    /// The cell.
    pub code: MeshCode,
    /// Its centre.
    pub center: Position,
    /// Geodesic area of the whole cell in km².
    pub area_km2: f64,
    /// Its parts in each study-area municipality it touches.
    pub parts: Vec<CellPart>,
}

impl StudyCell {
    /// Residents of the study-area part.
    #[must_use]
    pub fn population(&self) -> f64 {
        self.parts.iter().map(|p| p.population).sum()
    }

    /// Area of the study-area part in km².
    #[must_use]
    pub fn study_area_km2(&self) -> f64 {
        self.parts.iter().map(|p| p.area_km2).sum()
    }
}

/// A mesh cell of the ring around the study area with the residents the population model gives
/// it (see [`PopulationModel::ring_method`](crate::PopulationModel::ring_method)).
#[derive(Debug, Clone, PartialEq)]
pub struct RingCell {
    /// The cell.
    pub code: MeshCode,
    /// Its centre.
    pub center: Position,
    /// Estimated residents (more than 0: cells without known residents are left out).
    pub population: f64,
}

/// The study area and its ring at one mesh level.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Cells touching the study area, sorted by code.
    pub study: Vec<StudyCell>,
    /// Cells of the 10 km ring (outside the study area), sorted by code.
    pub ring: Vec<RingCell>,
}

/// Degrees of latitude and longitude spanning at least 10 km around 36°N.
const RING_LAT_DEG: f64 = 0.1;
const RING_LON_DEG: f64 = 0.125;

impl Atlas {
    /// The study area on the mesh of `level`, built on first use.
    pub fn grid(&self, level: MeshLevel) -> &Grid {
        self.grid_cache(level).get_or_init(|| self.build_grid(level))
    }

    fn build_grid(&self, level: MeshLevel) -> Grid {
        let study: Vec<&crate::Municipality> = self.study_area().collect();
        let Some(bounds) =
            study.iter().filter_map(|m| m.boundary.bounding_rect()).reduce(|a, b| {
                geo::Rect::new(
                    geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                    geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
                )
            })
        else {
            return Grid { study: Vec::new(), ring: Vec::new() };
        };
        let mut study_cells = Vec::new();
        for code in MeshCode::covering(
            bounds.min().y,
            bounds.min().x,
            bounds.max().y,
            bounds.max().x,
            level,
        ) {
            let cell = MultiPolygon(vec![code.polygon()]);
            let parts: Vec<CellPart> = study
                .iter()
                .filter_map(|m| {
                    let part = m.boundary.intersection(&cell);
                    let area_km2 = part.geodesic_area_unsigned() / 1e6;
                    (area_km2 > 0.0).then(|| CellPart {
                        municipality_code: m.code,
                        area_km2,
                        population: self
                            .population_model()
                            .within(PopulationGroup::Total, m.code, &part)
                            .unwrap_or(0.0),
                    })
                })
                .collect();
            if !parts.is_empty() {
                study_cells.push(StudyCell {
                    code,
                    center: code.center(),
                    area_km2: cell.geodesic_area_unsigned() / 1e6,
                    parts,
                });
            }
        }
        let touching: std::collections::BTreeSet<MeshCode> =
            study_cells.iter().map(|c| c.code).collect();
        let mut ring = Vec::new();
        for code in MeshCode::covering(
            bounds.min().y - RING_LAT_DEG,
            bounds.min().x - RING_LON_DEG,
            bounds.max().y + RING_LAT_DEG,
            bounds.max().x + RING_LON_DEG,
            level,
        ) {
            if touching.contains(&code) {
                continue;
            }
            let population = self.population_model().ring_cell(PopulationGroup::Total, code);
            if let Some(population) = population.filter(|p| *p > 0.0) {
                ring.push(RingCell { code, center: code.center(), population });
            }
        }
        Grid { study: study_cells, ring }
    }
}
