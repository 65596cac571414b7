//! The study area on a JIS mesh: every cell that touches the study area with the residents of its
//! study-area part, and the cells of the 10 km ring around it with their residents, each for every
//! [`PopulationGroup`] from the atlas's [`PopulationModel`](crate::PopulationModel) (`None` where
//! the model does not know a group). Built once per level and kept in the snapshot.

use std::collections::{BTreeMap, BTreeSet};

use geo::{BoundingRect, GeodesicArea, Intersects, Rect};
use rayon::prelude::*;

use crate::spatial::geometry::{BandedShape, grow};

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
        let study: Vec<(&crate::Municipality, Rect<f64>)> =
            self.study_area().filter_map(|m| Some((m, m.boundary.bounding_rect()?))).collect();
        // Towns are cut on every core, and their parts put together in town order, so the
        // sums over a cell's parts add in the same order whatever the threads did.
        let town_parts: Vec<Vec<(MeshCode, CellPart)>> =
            study.par_iter().map(|(m, bounds)| self.town_cell_parts(m, *bounds, level)).collect();
        let mut parts: BTreeMap<MeshCode, Vec<CellPart>> = BTreeMap::new();
        for (code, part) in town_parts.into_iter().flatten() {
            parts.entry(code).or_default().push(part);
        }
        // Every cell of a row of the lattice has the same area: one geodesic polygon per row.
        let mut row_areas_km2: BTreeMap<u32, f64> = BTreeMap::new();
        let study_cells: Vec<StudyCell> = parts
            .into_iter()
            .map(|(code, parts)| {
                let area_km2 = *row_areas_km2
                    .entry(code.lattice().0)
                    .or_insert_with(|| code.polygon().geodesic_area_unsigned() / 1e6);
                StudyCell { code, center: code.center(), area_km2, parts }
            })
            .collect();
        let touching: BTreeSet<MeshCode> = study_cells.iter().map(|c| c.code).collect();
        let mut seen = BTreeSet::new();
        let mut ring = Vec::new();
        for region in ring_regions(study.iter().map(|(_, bounds)| *bounds)) {
            for code in MeshCode::covering(
                region.min().y,
                region.min().x,
                region.max().y,
                region.max().x,
                level,
            ) {
                if touching.contains(&code) || !seen.insert(code) {
                    continue;
                }
                // The total first: most cells of a ring around separate towns are empty.
                let total = self.population_model().ring_cell(PopulationGroup::Total, code);
                if !total.is_some_and(|p| p > 0.0) {
                    continue;
                }
                let populations = PopulationGroup::ALL.map(|group| {
                    if group == PopulationGroup::Total {
                        total
                    } else {
                        self.population_model().ring_cell(group, code)
                    }
                });
                ring.push(RingCell { code, center: code.center(), populations });
            }
        }
        ring.sort_by_key(|c| c.code);
        Grid { study: study_cells, ring }
    }

    /// The parts of town `m` (its box `bounds`) in the cells of `level`, in row order. The town
    /// is cut into the cells covering its own box, a row of cells at a time: a country's study
    /// area is not one box, and cutting a row's strip of the boundary first leaves each cell a
    /// few vertices to clip (a cell wholly inside needs no overlay).
    fn town_cell_parts(
        &self,
        m: &crate::Municipality,
        bounds: Rect<f64>,
        level: MeshLevel,
    ) -> Vec<(MeshCode, CellPart)> {
        let mut rows: BTreeMap<u32, Vec<MeshCode>> = BTreeMap::new();
        for code in MeshCode::covering(
            bounds.min().y,
            bounds.min().x,
            bounds.max().y,
            bounds.max().x,
            level,
        ) {
            rows.entry(code.lattice().0).or_default().push(code);
        }
        let mut parts = Vec::new();
        let mut bands = BandedShape::new(&m.boundary);
        for (&row_index, row) in &rows {
            let (south, north) = (row[0].south_west().lat(), row[0].north_east().lat());
            let mut strip = bands.row(
                row_index,
                north - south,
                grow(
                    Rect::new(
                        geo::coord! { x: bounds.min().x, y: south },
                        geo::coord! { x: bounds.max().x, y: north },
                    ),
                    1e-6,
                ),
            );
            if strip.is_empty() {
                continue;
            }
            // The cells of a row all have the same area: one geodesic polygon per row.
            let mut cell_area_km2 = None;
            for &code in row {
                let square = code.polygon();
                let Some(cell_bounds) = square.bounding_rect() else { continue };
                let part = strip.part_in_cell(&square, cell_bounds);
                let area_km2 = if matches!(&part.0[..], [p] if *p == square) {
                    *cell_area_km2.get_or_insert_with(|| square.geodesic_area_unsigned() / 1e6)
                } else {
                    part.geodesic_area_unsigned() / 1e6
                };
                if area_km2 > 0.0 {
                    parts.push((
                        code,
                        CellPart {
                            municipality_code: m.code,
                            area_km2,
                            populations: self.population_model().within_cell_groups(
                                m.code,
                                code,
                                &part,
                                area_km2 * 1e6,
                            ),
                        },
                    ));
                }
            }
        }
        parts
    }
}

/// The boxes the ring is drawn in: the study towns' boxes grown by the ring, merged while any two
/// overlap. One connected study area gives one box, its whole box grown by the ring; towns far
/// apart (a country) give a box each, not one box over the sea between them.
fn ring_regions(boxes: impl Iterator<Item = Rect<f64>>) -> Vec<Rect<f64>> {
    let union = |a: Rect<f64>, b: Rect<f64>| {
        Rect::new(
            geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        )
    };
    let mut regions: Vec<Rect<f64>> = boxes
        .map(|b| {
            Rect::new(
                geo::coord! { x: b.min().x - RING_LON_DEG, y: b.min().y - RING_LAT_DEG },
                geo::coord! { x: b.max().x + RING_LON_DEG, y: b.max().y + RING_LAT_DEG },
            )
        })
        .collect();
    loop {
        let mut merged = false;
        let mut out: Vec<Rect<f64>> = Vec::new();
        for region in regions {
            if let Some(into) = out.iter_mut().find(|o| o.intersects(&region)) {
                *into = union(*into, region);
                merged = true;
            } else {
                out.push(region);
            }
        }
        regions = out;
        if !merged {
            return regions;
        }
    }
}
