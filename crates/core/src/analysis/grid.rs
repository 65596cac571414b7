//! The study area on a JIS mesh: every cell that touches the study area with the residents of its
//! study-area part, and the cells of the 10 km ring around it with their residents, each for every
//! [`PopulationGroup`] from the atlas's [`PopulationModel`](crate::PopulationModel) (`None` where
//! the model does not know a group). Built once per level and kept in the snapshot.

use geo::{BooleanOps, BoundingRect, GeodesicArea, MultiPolygon};

use crate::{
    Atlas, GroupFigures, MeshCode, MeshLevel, MunicipalityCode, PopulationGroup, Position,
};

/// The share of one study-area municipality in a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellPart {
    /// The municipality.
    pub municipality_code: MunicipalityCode,
    /// Geodesic area of the part in km².
    pub area_km2: f64,
    /// Estimated residents of the part per group, in [`PopulationGroup::ALL`] order (from the
    /// population model; `None` where it does not know them).
    pub populations: GroupFigures,
}

impl CellPart {
    /// Estimated residents of `group` in the part; `None` where the model does not know them.
    #[must_use]
    pub fn population(&self, group: PopulationGroup) -> Option<f64> {
        figure(&self.populations, group)
    }
}

/// The figure of `group` in `figures`.
fn figure(figures: &GroupFigures, group: PopulationGroup) -> Option<f64> {
    PopulationGroup::ALL.iter().position(|g| *g == group).and_then(|i| figures[i])
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
    /// Residents of `group` in the study-area part; `None` where the model does not know them.
    #[must_use]
    pub fn population(&self, group: PopulationGroup) -> Option<f64> {
        self.parts.iter().map(|p| p.population(group)).sum()
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
    /// Estimated residents per group, in [`PopulationGroup::ALL`] order (the total is more than
    /// 0: cells without known residents are left out).
    pub populations: GroupFigures,
}

impl RingCell {
    /// Estimated residents of `group`; `None` where the model does not know them.
    #[must_use]
    pub fn population(&self, group: PopulationGroup) -> Option<f64> {
        figure(&self.populations, group)
    }
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
                        populations: PopulationGroup::ALL
                            .map(|group| self.population_model().within(group, m.code, &part)),
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
            let populations =
                PopulationGroup::ALL.map(|group| self.population_model().ring_cell(group, code));
            if figure(&populations, PopulationGroup::Total).is_some_and(|p| p > 0.0) {
                ring.push(RingCell { code, center: code.center(), populations });
            }
        }
        Grid { study: study_cells, ring }
    }
}
