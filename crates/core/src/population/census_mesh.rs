//! The census-mesh population model: the 2020 census counted per 500 m cell (e-Stat 地域メッシュ
//! 統計, [`CensusMeshCell`]), by age group, cut to the towns.
//!
//! How each figure is made, in order:
//! - **Published figures.** A cell's count of a group is the census's own. A `*` stays unknown
//!   (`None`), never 0. Cells the census does not list have no residents (the table lists
//!   inhabited cells only) inside the extent of the table; outside that extent nothing is known.
//! - **Merged cells, as the census defines them.** A cell merged into another (HTKSYORI 2)
//!   publishes its own total population; its age and household figures are counted in the
//!   receiving cell (HTKSYORI 1), whose figures other than the total cover itself and every cell
//!   merged into it. Such a joint figure is shared among the receiving cell and its merged cells
//!   in proportion to their published totals, so their sum is exactly the published figure. A
//!   merged cell whose receiving cell is not in the table keeps its total and has unknown ages.
//! - **Cells cut by a town border** are split in two steps. The part inside the study area gets
//!   its share of the cell's area: outside the study area there are no small areas to say more
//!   (the neighbours are known only as municipal totals). That part is then shared among the
//!   study-area towns it spans dasymetrically, by the residents the census small-area Voronoi
//!   surface ([`PopulationSurface`](crate::PopulationSurface)) puts in each town's part (by area
//!   where the surface puts nobody there). The same share applies to every group. A cell wholly
//!   inside one town keeps its census figures, unscaled. (Weighting the outside part by the
//!   neighbour's uniform density instead, or trusting the surface's absolute counts, put the town
//!   sums 8% and 11% off the census; this split keeps them within about 3%.)
//! - **Within a cell** residents are spread uniformly by area: a region (a gap polygon, a 250 m
//!   cell) gets each cell-part's figure times the share of the part's area it covers.
//! - **The ring** is read from the census cells directly: a 500 m cell as published (merged
//!   cells resolved as above), a 1 km cell the sum of its four 500 m cells, a 250 m cell a
//!   quarter of its 500 m cell.
//!
//! Town sums are the sums of their parts and are not scaled to the official town totals: the
//! difference is reported beside them (API and `data/README.md`). Municipalities outside the
//! study area are answered by the fallback ([`VoronoiPopulation`]): total population only.

use std::collections::BTreeMap;

use geo::{Area, BooleanOps, BoundingRect, Intersects, MultiPolygon, Polygon, Rect};

use rayon::prelude::*;

use crate::spatial::geometry::{
    BandedShape, CellPartAreas, ROWS_PER_BAND, RowCut, bounds_of, clip_polygon_to_rect,
    clip_to_rect, geodesic_area_m2, graticule_area_m2, grow, with_bounds,
};
use crate::{
    AreaRole, CensusMeshCell, MeshCode, MeshLevel, MeshSuppression, Municipality, MunicipalityCode,
    PopulationGroup, PopulationModel, VoronoiPopulation,
};

/// The figure of every [`PopulationGroup`] in one place, in the order of
/// [`PopulationGroup::ALL`]; `None` where unknown.
pub type GroupFigures = [Option<f64>; PopulationGroup::ALL.len()];

/// The part of one census cell in one study-area municipality.
#[derive(Debug, Clone)]
struct CellPart {
    municipality: MunicipalityCode,
    /// The census cell (500 m).
    code: MeshCode,
    /// The part, when it is not `whole` (empty when it is: the part is then `bounds`).
    polygon: MultiPolygon<f64>,
    bounds: Rect<f64>,
    area_m2: f64,
    /// Whether the part is its whole cell, a rectangle: a region's share of it is then the
    /// region cut to the rectangle, with no overlay.
    whole: bool,
    /// The part's share of every group of the cell's figures.
    figures: GroupFigures,
}

/// The 2020 census 500 m mesh as a [`PopulationModel`] (see the module documentation).
#[derive(Debug, Clone)]
pub struct CensusMeshPopulation {
    /// Each cell's resolved figures (merged cells shared out), by code.
    cells: BTreeMap<MeshCode, GroupFigures>,
    /// The extent of the table (south, west, north, east), inside which an unlisted cell is
    /// uninhabited.
    extent: Option<Rect<f64>>,
    /// The cells' parts in the study-area municipalities, grouped by municipality (each group in
    /// cell-code order).
    parts: Vec<CellPart>,
    /// Where each municipality's parts lie in `parts`: a region's residents are asked per
    /// municipality, and scanning every part of a country for each cell was quadratic.
    parts_of: BTreeMap<MunicipalityCode, std::ops::Range<usize>>,
    /// Study-area municipalities, sorted.
    study_area: Vec<MunicipalityCode>,
    /// Outside the study area, and the weights that split cut cells.
    fallback: VoronoiPopulation,
}

impl CensusMeshPopulation {
    /// Short name of the model, for API metadata.
    pub const NAME: &str = "census_mesh_500m";

    /// How the model places residents in the study area, for API metadata.
    pub const METHOD: &str = "census-mesh model: the 2020 census 500 m mesh (e-Stat 地域メッシュ統計 \
        T001141) gives each group per 500 m cell as published; a cell wholly inside one town keeps \
        its figures unscaled; a cell cut by the study-area edge keeps the area share of its part \
        inside, shared between the study-area towns it spans by the residents the census \
        small-area Voronoi surface puts in each town's part (by area where it puts none); the \
        age and household figures the census merged into a neighbouring cell (秘匿) are shared \
        among the merged cells by their published totals; within a cell residents are spread \
        uniformly by area (gap polygons and 250 m cells take the share of the cell's area they \
        cover); town sums are not scaled to the official census totals.";

    /// How the model counts the ring, for API metadata.
    pub const RING_METHOD: &str = "census-mesh model: outside the study area, the 2020 census 500 m \
        mesh cells as published (merged cells shared out by their totals): a 500 m cell is its \
        census cell, a 1 km cell the sum of its four 500 m cells, a 250 m cell a quarter of its \
        500 m cell; cells beyond the census table's extent are unknown.";

    /// Builds the model from the census cells, over `fallback` (whose surface weights the cut
    /// cells and which answers outside the study area).
    #[must_use]
    pub fn build(
        municipalities: &[Municipality],
        cells: &[CensusMeshCell],
        fallback: VoronoiPopulation,
    ) -> CensusMeshPopulation {
        Self::build_beside(municipalities, cells, || fallback)
    }

    /// [`CensusMeshPopulation::build`], with the fallback made by `make_fallback` while the
    /// merged cells are shared out, each on a core of its own (a country's 400,000 cells take a
    /// few tenths of a second to resolve, on one thread).
    #[must_use]
    pub fn build_beside(
        municipalities: &[Municipality],
        cells: &[CensusMeshCell],
        make_fallback: impl FnOnce() -> VoronoiPopulation + Send,
    ) -> CensusMeshPopulation {
        let (resolved, fallback) = rayon::join(|| resolve_merged(cells), make_fallback);
        let extent =
            cells.iter().filter_map(|c| c.code.polygon().bounding_rect()).reduce(|a, b| {
                Rect::new(
                    geo::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
                    geo::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
                )
            });
        let study: Vec<(&Municipality, Rect<f64>)> = municipalities
            .iter()
            .filter(|m| m.role == AreaRole::StudyArea)
            .filter_map(|m| Some((m, m.boundary.bounding_rect()?)))
            .collect();
        let mut study_area: Vec<MunicipalityCode> = study.iter().map(|(m, _)| m.code).collect();
        study_area.sort_unstable();
        // The cells row by row of the lattice: each town's boundary is cut to a row's strip once,
        // so each cell is cut from a few vertices (a cell wholly inside a town needs no overlay),
        // and only the towns whose box meets the row are looked at.
        let mut rows: BTreeMap<u32, Vec<(MeshCode, &GroupFigures)>> = BTreeMap::new();
        for (code, figures) in &resolved {
            rows.entry(code.lattice().0).or_default().push((*code, figures));
        }
        // Runs of rows are cut on every core, each with bands of its own; every cell lies in one
        // row, so the cells' parts are the same whatever the threads did.
        let rows: Vec<LatticeRow> = rows.into_iter().collect();
        let runs: Vec<&[LatticeRow]> =
            rows.chunk_by(|a, b| a.0 / ROWS_PER_RUN == b.0 / ROWS_PER_RUN).collect();
        let mut by_cell: Vec<(MeshCode, Vec<CellPart>)> =
            runs.par_iter().flat_map_iter(|run| cut_rows(run, &study, &fallback)).collect();
        // In cell order, then grouped by town: each town's parts in cell order. A cell lies in
        // one row, so its code is a unique key.
        by_cell.par_sort_unstable_by_key(|(code, _)| *code);
        let mut parts: Vec<CellPart> = by_cell.into_iter().flat_map(|(_, parts)| parts).collect();
        group_by_municipality(&mut parts);
        let mut parts_of = BTreeMap::new();
        let mut start = 0;
        for end in 1..=parts.len() {
            if end == parts.len() || parts[end].municipality != parts[start].municipality {
                parts_of.insert(parts[start].municipality, start..end);
                start = end;
            }
        }
        CensusMeshPopulation { cells: resolved, extent, parts, parts_of, study_area, fallback }
    }

    /// The parts of `municipality`, in cell order.
    fn parts_in(&self, municipality: MunicipalityCode) -> &[CellPart] {
        self.parts_of.get(&municipality).map_or(&[], |range| &self.parts[range.clone()])
    }

    fn in_study_area(&self, municipality: MunicipalityCode) -> bool {
        self.study_area.binary_search(&municipality).is_ok()
    }

    /// The resolved figures of a 500 m cell: `Some([0; 5])` for an unlisted cell inside the
    /// table's extent, `None` outside it.
    fn half_cell(&self, code: MeshCode) -> Option<GroupFigures> {
        if let Some(figures) = self.cells.get(&code) {
            return Some(*figures);
        }
        let centre = code.center().to_point();
        self.extent
            .is_some_and(|e| geo::Contains::contains(&e, &centre))
            .then_some([Some(0.0); PopulationGroup::ALL.len()])
    }
}

/// A row of the lattice: its index, and its cells with their figures.
type LatticeRow<'a> = (u32, Vec<(MeshCode, &'a GroupFigures)>);

/// Rows of the lattice cut together on one thread by [`CensusMeshPopulation::build`]: whole
/// bands of rows, so that no band is cut twice, and few enough that a study area of a few towns
/// still keeps both cores busy.
const ROWS_PER_RUN: u32 = 2 * ROWS_PER_BAND;

/// Puts `parts` (in cell order) in municipality order, each municipality's parts still in cell
/// order, so that sums over them add in the same order as before they were grouped. A stable
/// sort of a country's half a million parts moved each about twenty times, and sorting into a
/// second vector would double their memory: the order is found on indices, then applied in
/// place, cycle by cycle, one swap per part.
fn group_by_municipality(parts: &mut [CellPart]) {
    let mut order: Vec<usize> = (0..parts.len()).collect();
    // Stable, so each town keeps its parts' order; on every core.
    order.par_sort_by_key(|&i| parts[i].municipality);
    // Position `k` is to hold the part now at `order[k]`; a done position is marked by `MAX`.
    for first in 0..order.len() {
        let mut at = first;
        while order[at] != usize::MAX {
            let from = order[at];
            order[at] = usize::MAX;
            if from == first {
                break;
            }
            parts.swap(at, from);
            at = from;
        }
    }
}

/// The area between the parallels and meridians of `shape` when every polygon of it is an
/// axis-aligned rectangle, else `None`.
fn rectangles_area_m2(shape: &MultiPolygon<f64>) -> Option<f64> {
    shape.iter().try_fold(0.0, |sum, polygon| {
        let bounds = polygon.bounding_rect()?;
        let box_area = bounds.width() * bounds.height();
        (polygon.interiors().is_empty()
            && (polygon.unsigned_area() - box_area).abs() <= 1e-12 * box_area)
            .then(|| sum + graticule_area_m2(bounds))
    })
}

/// The parts in the study-area towns `study` (each with its box) of the cells of `rows` (each
/// row's index and its cells with their figures), in row order: each town's boundary is cut to a
/// row's strip once, so each cell is cut from a few vertices (a cell wholly inside a town needs no
/// overlay), and only the towns whose box meets the row are looked at. A cell split between towns
/// is shared out by `fallback`'s small-area surface (see [`split_shares`]).
fn cut_rows(
    rows: &[LatticeRow],
    study: &[(&Municipality, Rect<f64>)],
    fallback: &VoronoiPopulation,
) -> Vec<(MeshCode, Vec<CellPart>)> {
    let mut by_cell: Vec<(MeshCode, Vec<CellPart>)> = Vec::new();
    let mut bands: Vec<BandedShape> =
        study.iter().map(|(m, _)| BandedShape::new(&m.boundary)).collect();
    let mut part_areas = CellPartAreas::new();
    for (row_index, row) in rows {
        let row_index = *row_index;
        let (south, north) = (row[0].0.south_west().lat(), row[0].0.north_east().lat());
        let mut strips: Vec<(&Municipality, Rect<f64>, RowCut)> = study
            .iter()
            .zip(&mut bands)
            .filter(|((_, b), _)| b.min().y <= north && b.max().y >= south)
            .map(|((m, b), bands)| {
                let strip = Rect::new(
                    geo::coord! { x: b.min().x, y: south },
                    geo::coord! { x: b.max().x, y: north },
                );
                (*m, *b, bands.row(row_index, north - south, grow(strip, 1e-6)))
            })
            .filter(|(_, _, strip)| !strip.is_empty())
            .collect();
        // Every cell of a row has the same area: one geodesic polygon per row and level.
        let mut cell_areas: Vec<(MeshLevel, f64)> = Vec::new();
        for (code, figures) in row {
            let square = code.polygon();
            let Some(cell_bounds) = square.bounding_rect() else { continue };
            let cell_area_m2 = if let Some((_, area_m2)) =
                cell_areas.iter().find(|(level, _)| *level == code.level())
            {
                *area_m2
            } else {
                let area_m2 = geodesic_area_m2(&MultiPolygon(vec![square.clone()]));
                cell_areas.push((code.level(), area_m2));
                area_m2
            };
            part_areas.next_cell();
            let in_study: Vec<(&Municipality, MultiPolygon<f64>, f64)> = strips
                .iter_mut()
                .filter(|(_, b, _)| b.intersects(&cell_bounds))
                .filter_map(|(m, _, strip)| {
                    let part = strip.part_in_cell(&square, cell_bounds);
                    let area_m2 = if matches!(&part.0[..], [p] if *p == square) {
                        cell_area_m2
                    } else {
                        part_areas.area_m2(&part)
                    };
                    (area_m2 > 0.0).then_some((*m, part, area_m2))
                })
                .collect();
            if in_study.is_empty() {
                continue;
            }
            let shares = split_shares(&in_study, cell_area_m2, |part| {
                // Residents the small-area surface puts in the part.
                // Its pieces keep the part's vertices, so the edges the part's area met are
                // not computed again.
                fallback.surface().population_within_part_of(part.0.code, &part.1, &mut part_areas)
            });
            let mut cell_parts = Vec::new();
            for ((municipality, polygon, area_m2), share) in in_study.into_iter().zip(shares) {
                let bounds = bounds_of(&polygon);
                let whole = matches!(&polygon.0[..], [p] if p.interiors().is_empty()
                    && (p.unsigned_area() - bounds.width() * bounds.height()).abs()
                        <= 1e-9 * bounds.width() * bounds.height());
                cell_parts.push(CellPart {
                    municipality: municipality.code,
                    code: *code,
                    bounds,
                    whole,
                    // A whole cell is its bounds: most parts of a country are, and their squares
                    // were a tenth of the snapshot's memory.
                    polygon: if whole { MultiPolygon(Vec::new()) } else { polygon },
                    area_m2,
                    figures: figures.map(|f| f.map(|f| f * share)),
                });
            }
            by_cell.push((*code, cell_parts));
        }
    }
    by_cell
}

/// The index of `group` in [`GroupFigures`].
fn slot(group: PopulationGroup) -> usize {
    PopulationGroup::ALL.iter().position(|g| *g == group).unwrap_or_default()
}

/// Each cell's figures with the merged cells' joint figures shared out (see the module docs).
fn resolve_merged(cells: &[CensusMeshCell]) -> BTreeMap<MeshCode, GroupFigures> {
    let by_code: BTreeMap<MeshCode, &CensusMeshCell> = cells.iter().map(|c| (c.code, c)).collect();
    // Each receiving cell's members: itself and the cells merged into it.
    let mut members: BTreeMap<MeshCode, Vec<&CensusMeshCell>> = BTreeMap::new();
    for cell in cells {
        match cell.suppression {
            MeshSuppression::Receives => members.entry(cell.code).or_default().push(cell),
            MeshSuppression::MergedInto(receiver)
                if by_code
                    .get(&receiver)
                    .is_some_and(|r| r.suppression == MeshSuppression::Receives) =>
            {
                members.entry(receiver).or_default().push(cell);
            }
            MeshSuppression::MergedInto(_) | MeshSuppression::None => {}
        }
    }
    let own_total = |cell: &CensusMeshCell| cell.population_total.map(f64::from);
    cells
        .iter()
        .map(|cell| {
            let receiver = match cell.suppression {
                MeshSuppression::None => None,
                MeshSuppression::Receives => Some(cell.code),
                MeshSuppression::MergedInto(receiver) => Some(receiver),
            };
            let figures = PopulationGroup::ALL.map(|group| {
                if group == PopulationGroup::Total {
                    return own_total(cell);
                }
                let Some(receiver) = receiver else {
                    return cell.published(group).map(f64::from);
                };
                let group_members = members.get(&receiver)?;
                let joint = f64::from(by_code.get(&receiver)?.published(group)?);
                let totals: Option<Vec<f64>> = group_members.iter().map(|m| own_total(m)).collect();
                let totals = totals?;
                let sum: f64 = totals.iter().sum();
                let own = own_total(cell)?;
                #[allow(clippy::cast_precision_loss)] // a handful of cells
                let share = if sum > 0.0 { own / sum } else { 1.0 / group_members.len() as f64 };
                Some(joint * share)
            });
            (cell.code, figures)
        })
        .collect()
}

/// How much of a cell each of its study-area parts gets (see the module documentation): 1 for a
/// cell wholly inside one town; otherwise the cell's area share inside the study area, shared
/// among the parts by the residents the small-area surface (`surface`) puts in each, or by area
/// where it puts nobody there.
fn split_shares(
    in_study: &[(&Municipality, MultiPolygon<f64>, f64)],
    cell_area_m2: f64,
    surface: impl FnMut(&(&Municipality, MultiPolygon<f64>, f64)) -> f64,
) -> Vec<f64> {
    let study_m2: f64 = in_study.iter().map(|(_, _, area_m2)| area_m2).sum();
    let whole = study_m2 >= cell_area_m2 * (1.0 - 1e-9);
    if let [_] = in_study
        && whole
    {
        return vec![1.0];
    }
    let by_area = || in_study.iter().map(|(_, _, area_m2)| (area_m2 / cell_area_m2).min(1.0));
    let placed: Vec<f64> = in_study.iter().map(surface).collect();
    let placed_total: f64 = placed.iter().sum();
    if placed_total <= 0.0 {
        return by_area().collect();
    }
    let study_share = (study_m2 / cell_area_m2).min(1.0);
    placed.iter().map(|p| study_share * p / placed_total).collect()
}

impl PopulationModel for CensusMeshPopulation {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn method(&self) -> &str {
        Self::METHOD
    }

    fn ring_method(&self) -> &str {
        Self::RING_METHOD
    }

    fn knows(&self, _group: PopulationGroup) -> bool {
        true
    }

    fn total(&self, group: PopulationGroup, municipality: MunicipalityCode) -> Option<f64> {
        if !self.in_study_area(municipality) {
            return self.fallback.total(group, municipality);
        }
        let slot = slot(group);
        self.parts_in(municipality).iter().map(|p| p.figures[slot]).sum::<Option<f64>>()
    }

    fn within(
        &self,
        group: PopulationGroup,
        municipality: MunicipalityCode,
        region: &MultiPolygon<f64>,
    ) -> Option<f64> {
        if !self.in_study_area(municipality) {
            return self.fallback.within(group, municipality, region);
        }
        self.within_groups(municipality, region)[slot(group)]
    }

    fn within_groups(
        &self,
        municipality: MunicipalityCode,
        region: &MultiPolygon<f64>,
    ) -> GroupFigures {
        if !self.in_study_area(municipality) {
            return PopulationGroup::ALL
                .map(|group| self.fallback.within(group, municipality, region));
        }
        let pieces = with_bounds(region);
        // Each group's sum; a group stays unknown once a part it needs is unknown. The share of
        // each part is the same for every group, so it is computed once.
        let mut totals: GroupFigures = [Some(0.0); PopulationGroup::ALL.len()];
        for part in self.parts_in(municipality) {
            // Cut the region to a window around the part first, as the surface does: the
            // overlay then stays small however large the region is.
            let window = grow(part.bounds, 1e-6);
            let near: Vec<Polygon<f64>> = pieces
                .iter()
                .filter(|(rect, _)| rect.intersects(&part.bounds))
                .filter_map(|(_, p)| clip_polygon_to_rect(p, window))
                .collect();
            if near.is_empty() {
                continue;
            }
            let window_area = window.width() * window.height();
            let share = if near.iter().any(|p| {
                p.interiors().is_empty()
                    && (p.unsigned_area() - window_area).abs() <= 1e-9 * window_area
            }) {
                1.0
            } else {
                let near = MultiPolygon(near);
                if part.whole {
                    let inside = clip_to_rect(&near, part.bounds);
                    // A rectangle in a whole cell (a mesh cell of the grid): the ratio of the
                    // areas between their parallels and meridians, with no geodesic polygon.
                    match rectangles_area_m2(&inside) {
                        Some(inside_m2) => (inside_m2 / graticule_area_m2(part.bounds)).min(1.0),
                        None => (geodesic_area_m2(&inside) / part.area_m2).min(1.0),
                    }
                } else {
                    (geodesic_area_m2(&part.polygon.intersection(&near)) / part.area_m2).min(1.0)
                }
            };
            for (total, figure) in totals.iter_mut().zip(&part.figures) {
                *total = total.zip(*figure).map(|(t, f)| t + f * share);
            }
        }
        totals
    }

    fn within_cell_groups(
        &self,
        municipality: MunicipalityCode,
        cell: MeshCode,
        part: &MultiPolygon<f64>,
        part_area_m2: f64,
    ) -> GroupFigures {
        if !self.in_study_area(municipality) {
            return self.within_groups(municipality, part);
        }
        let parts = self.parts_in(municipality);
        let part_of =
            |code: MeshCode| parts.binary_search_by_key(&code, |p| p.code).ok().map(|i| &parts[i]);
        let mut totals: GroupFigures = [Some(0.0); PopulationGroup::ALL.len()];
        let mut add = |census: &CellPart, share: f64| {
            for (total, figure) in totals.iter_mut().zip(&census.figures) {
                *total = total.zip(*figure).map(|(t, f)| t + f * share);
            }
        };
        match cell.level() {
            // A 500 m or 250 m cell lies in one census cell, and its part in the town lies in
            // that cell's part in the town: the share is the ratio of their areas.
            MeshLevel::Half | MeshLevel::Quarter => {
                let census =
                    if cell.level() == MeshLevel::Half { Some(cell) } else { cell.parent() };
                if let Some(census) = census.and_then(part_of) {
                    // A whole cell in a whole census cell: the ratio of the areas between their
                    // parallels and meridians, as `within_groups` takes it (exactly 1 for the
                    // census cell itself).
                    let share = match (census.whole, rectangles_area_m2(part)) {
                        (true, Some(inside_m2)) => inside_m2 / graticule_area_m2(census.bounds),
                        _ => part_area_m2 / census.area_m2,
                    };
                    add(census, share.min(1.0));
                }
            }
            // A 1 km cell holds four census cells, and its part in the town holds their parts
            // in the town whole.
            MeshLevel::Third => {
                let (south_west, north_east) = (cell.south_west(), cell.north_east());
                for code in MeshCode::covering(
                    south_west.lat(),
                    south_west.lon(),
                    north_east.lat(),
                    north_east.lon(),
                    MeshLevel::Half,
                ) {
                    if code.parent() == Some(cell)
                        && let Some(census) = part_of(code)
                    {
                        add(census, 1.0);
                    }
                }
            }
            MeshLevel::First | MeshLevel::Second => return self.within_groups(municipality, part),
        }
        totals
    }

    fn ring_cell(&self, group: PopulationGroup, cell: MeshCode) -> Option<f64> {
        let slot = slot(group);
        match cell.level() {
            MeshLevel::Half => self.half_cell(cell)?[slot],
            MeshLevel::Quarter => self.half_cell(cell.parent()?)?[slot].map(|f| f / 4.0),
            MeshLevel::Third => {
                let children = MeshCode::covering(
                    cell.south_west().lat(),
                    cell.south_west().lon(),
                    cell.north_east().lat(),
                    cell.north_east().lon(),
                    MeshLevel::Half,
                );
                children
                    .into_iter()
                    .filter(|c| c.parent() == Some(cell))
                    .map(|c| self.half_cell(c).and_then(|f| f[slot]))
                    .sum()
            }
            MeshLevel::First | MeshLevel::Second => None,
        }
    }
}

/// The geodesic area of a mesh cell in m², for tests.
#[cfg(test)]
fn cell_area_m2(code: MeshCode) -> f64 {
    use geo::GeodesicArea;
    code.polygon().geodesic_area_unsigned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MunicipalPopulation, Position, SmallArea};
    use geo::polygon;

    fn square(w: f64, s: f64, e: f64, n: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![(x: w, y: s), (x: e, y: s), (x: e, y: n), (x: w, y: n)]])
    }

    fn half(lat: f64, lon: f64) -> MeshCode {
        MeshCode::of(Position::new(lat, lon).unwrap(), MeshLevel::Half).unwrap()
    }

    fn cell(code: MeshCode, figures: [Option<u32>; 5]) -> CensusMeshCell {
        CensusMeshCell {
            code,
            suppression: MeshSuppression::None,
            population_total: figures[0],
            aged_65_plus: figures[1],
            aged_75_plus: figures[2],
            aged_85_plus: figures[3],
            elderly_living_alone: figures[4],
            households: None,
        }
    }

    /// Two study towns meeting on the meridian through the middle of cell `b` (West: small area of
    /// 9,000 residents in the west, East: 1,000), so that `b` is cut in two.
    struct World {
        model: CensusMeshPopulation,
        inside: MeshCode,
        cut: MeshCode,
        merged: MeshCode,
        receiver: MeshCode,
        secret: MeshCode,
        west: MunicipalityCode,
        east: MunicipalityCode,
    }

    fn world() -> World {
        // Half cells are 22.5″ wide (0.00625°) and 15″ tall; the towns span 139.600–139.650 and
        // 139.650–139.700 at 36.000–36.047: whole cells each, except that the border is moved to
        // the middle of the cell holding 139.646 and the northern edge cuts the top row.
        let inside = half(36.01, 139.61);
        let cut = half(36.01, 139.646);
        let cut_mid = f64::midpoint(cut.south_west().lon(), cut.north_east().lon());
        let west_town = crate::testing::town_with_boundary(square(139.600, 36.0, cut_mid, 36.047));
        let mut east_town = west_town.clone();
        east_town.code = "11246".parse().unwrap();
        east_town.boundary = square(cut_mid, 36.0, 139.700, 36.047);
        let area =
            |key: &str, municipality: MunicipalityCode, lon: f64, population: u32| SmallArea {
                key_code: key.into(),
                piece: None,
                municipality_code: municipality,
                name: key.into(),
                population,
                households: 0,
                area_m2: 0.0,
                representative_point: Position::new(36.02, lon).unwrap(),
            };
        let small_areas =
            [area("w", west_town.code, 139.62, 9000), area("e", east_town.code, 139.68, 1000)];
        let municipalities = [west_town.clone(), east_town.clone()];
        let no_census: [MunicipalPopulation; 0] = [];
        let fallback = VoronoiPopulation::build(&municipalities, &no_census, &small_areas);
        let receiver = half(36.03, 139.61);
        let merged = half(36.03, 139.616);
        let secret = half(36.04, 139.69);
        let mut merged_cell = cell(merged, [Some(10), None, None, None, None]);
        merged_cell.suppression = MeshSuppression::MergedInto(receiver);
        let mut receiver_cell = cell(receiver, [Some(90), Some(50), Some(20), Some(10), Some(5)]);
        receiver_cell.suppression = MeshSuppression::Receives;
        let cells = [
            cell(inside, [Some(400), Some(120), Some(60), Some(20), Some(15)]),
            cell(cut, [Some(100), Some(40), Some(20), Some(8), Some(4)]),
            receiver_cell,
            merged_cell,
            cell(secret, [Some(30), None, None, None, None]),
            cell(half(36.046, 139.62), [Some(200), Some(80), Some(40), Some(10), Some(8)]),
        ];
        World {
            model: CensusMeshPopulation::build(&municipalities, &cells, fallback),
            inside,
            cut,
            merged,
            receiver,
            secret,
            west: west_town.code,
            east: east_town.code,
        }
    }

    fn close(got: Option<f64>, want: f64) {
        let got = got.unwrap_or(f64::NAN);
        assert!((got - want).abs() < 1e-6 * want.max(1.0), "{got} != {want}");
    }

    #[test]
    fn a_mesh_cell_gets_what_the_overlay_gives_it_without_the_overlay() {
        let w = world();
        let cut_mid = f64::midpoint(w.cut.south_west().lon(), w.cut.north_east().lon());
        let towns = [
            (w.west, square(139.600, 36.0, cut_mid, 36.047)),
            (w.east, square(cut_mid, 36.0, 139.700, 36.047)),
        ];
        let mut compared = 0;
        for level in [MeshLevel::Third, MeshLevel::Half, MeshLevel::Quarter] {
            for code in MeshCode::covering(35.995, 139.595, 36.05, 139.705, level) {
                let square_cell = MultiPolygon(vec![code.polygon()]);
                for (town, boundary) in &towns {
                    let part = boundary.intersection(&square_cell);
                    let area_m2 = geodesic_area_m2(&part);
                    if area_m2 <= 0.0 {
                        continue;
                    }
                    let fast = w.model.within_cell_groups(*town, code, &part, area_m2);
                    let overlay = w.model.within_groups(*town, &part);
                    for (got, want) in fast.iter().zip(&overlay) {
                        match (got, want) {
                            // The overlay leaves a millionth of a resident where a region
                            // only touches a neighbouring cell (the hair-wide window).
                            (Some(got), Some(want)) => assert!(
                                (got - want).abs() <= 1e-9 * want.abs() + 1e-5,
                                "{code} in {town}: {got} against {want}"
                            ),
                            // The overlay also reads the unknown ages of the cell with secret
                            // figures into the cells that only touch it.
                            (Some(_), None) => {
                                let secret = w.secret.center();
                                let (sw, ne) = (code.south_west(), code.north_east());
                                assert!(
                                    !(sw.lat() < secret.lat()
                                        && secret.lat() < ne.lat()
                                        && sw.lon() < secret.lon()
                                        && secret.lon() < ne.lon()),
                                    "{code} in {town} holds the secret cell"
                                );
                            }
                            _ => assert_eq!(got, want, "{code} in {town}"),
                        }
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared > 500, "{compared}");
    }

    #[test]
    fn a_cell_wholly_inside_a_town_keeps_its_census_figures() {
        let w = world();
        let whole = MultiPolygon(vec![w.inside.polygon()]);
        close(w.model.within(PopulationGroup::Total, w.west, &whole), 400.0);
        close(w.model.within(PopulationGroup::Aged75Plus, w.west, &whole), 60.0);
        close(w.model.within(PopulationGroup::ElderlyLivingAlone, w.west, &whole), 15.0);
        // Uniform within the cell: its western half holds half of it.
        let (sw, ne) = (w.inside.south_west(), w.inside.north_east());
        let west_half = square(sw.lon(), sw.lat(), f64::midpoint(sw.lon(), ne.lon()), ne.lat());
        let share = geodesic_area_m2(&west_half) / cell_area_m2(w.inside);
        close(w.model.within(PopulationGroup::Aged65Plus, w.west, &west_half), 120.0 * share);
    }

    #[test]
    fn a_cut_cell_is_split_by_the_surface_and_the_parts_add_up() {
        let w = world();
        let whole = MultiPolygon(vec![w.cut.polygon()]);
        let west = w.model.within(PopulationGroup::Total, w.west, &whole).unwrap();
        let east = w.model.within(PopulationGroup::Total, w.east, &whole).unwrap();
        close(Some(west + east), 100.0);
        // Equal halves by area, but the west town's surface is nine times as dense.
        assert!(west > 85.0 && east < 15.0, "{west} / {east}");
        let west_75 = w.model.within(PopulationGroup::Aged75Plus, w.west, &whole).unwrap();
        close(Some(west_75), 20.0 * west / 100.0);
    }

    #[test]
    fn a_cell_cut_by_the_study_area_edge_keeps_the_area_share_inside() {
        let w = world();
        let edge = half(36.046, 139.62);
        let square_cell = MultiPolygon(vec![edge.polygon()]);
        let inside = square(
            edge.south_west().lon(),
            edge.south_west().lat(),
            edge.north_east().lon(),
            36.047,
        );
        let share = geodesic_area_m2(&inside) / cell_area_m2(edge);
        assert!(share > 0.1 && share < 0.5, "{share}");
        close(w.model.within(PopulationGroup::Total, w.west, &square_cell), 200.0 * share);
        close(w.model.within(PopulationGroup::Aged85Plus, w.west, &square_cell), 10.0 * share);
        assert_eq!(w.model.within(PopulationGroup::Total, w.east, &square_cell), Some(0.0));
    }

    #[test]
    fn merged_cells_share_the_receivers_joint_figures_by_their_totals() {
        let w = world();
        let at = |code: MeshCode, group| {
            w.model.within(group, w.west, &MultiPolygon(vec![code.polygon()]))
        };
        close(at(w.merged, PopulationGroup::Total), 10.0);
        close(at(w.receiver, PopulationGroup::Total), 90.0);
        // 50 aged 65+ in the two cells together, shared 10 : 90.
        close(at(w.merged, PopulationGroup::Aged65Plus), 5.0);
        close(at(w.receiver, PopulationGroup::Aged65Plus), 45.0);
        close(w.model.ring_cell(PopulationGroup::Aged85Plus, w.merged), 1.0);
    }

    #[test]
    fn suppressed_figures_are_unknown_never_zero() {
        let w = world();
        let whole = MultiPolygon(vec![w.secret.polygon()]);
        close(w.model.within(PopulationGroup::Total, w.east, &whole), 30.0);
        assert_eq!(w.model.within(PopulationGroup::Aged75Plus, w.east, &whole), None);
        assert_eq!(w.model.total(PopulationGroup::Aged75Plus, w.east), None);
        assert_eq!(w.model.ring_cell(PopulationGroup::Aged65Plus, w.secret), None);
        // Beyond the table's extent: unknown; an unlisted cell inside it: nobody lives there.
        assert_eq!(w.model.ring_cell(PopulationGroup::Total, half(36.5, 139.65)), None);
        let empty = half(36.02, 139.63);
        close(w.model.ring_cell(PopulationGroup::Total, empty), 0.0);
    }

    #[test]
    fn town_totals_are_the_sums_of_their_parts() {
        let w = world();
        let west = w.model.total(PopulationGroup::Total, w.west).unwrap();
        let east = w.model.total(PopulationGroup::Total, w.east).unwrap();
        let edge = half(36.046, 139.62);
        let edge_inside =
            w.model.within(PopulationGroup::Total, w.west, &MultiPolygon(vec![edge.polygon()]));
        close(Some(west + east), 400.0 + 100.0 + 90.0 + 10.0 + 30.0 + edge_inside.unwrap());
        close(w.model.total(PopulationGroup::Aged65Plus, w.west), {
            let cut_west = w
                .model
                .within(PopulationGroup::Aged65Plus, w.west, &MultiPolygon(vec![w.cut.polygon()]))
                .unwrap();
            let edge_inside = w
                .model
                .within(PopulationGroup::Aged65Plus, w.west, &MultiPolygon(vec![edge.polygon()]))
                .unwrap();
            120.0 + cut_west + 50.0 + edge_inside
        });
    }

    #[test]
    fn ring_cells_come_from_the_census_cells() {
        let w = world();
        close(w.model.ring_cell(PopulationGroup::Total, w.inside), 400.0);
        let quarter = MeshCode::of(w.inside.center(), MeshLevel::Quarter).unwrap();
        close(w.model.ring_cell(PopulationGroup::Aged75Plus, quarter), 15.0);
        // A 1 km cell inside the table's extent: its unlisted 500 m cells are uninhabited.
        let km = w.cut.parent().unwrap();
        let listed: f64 = [w.receiver, w.merged, w.inside, w.cut]
            .iter()
            .filter(|c| c.parent() == Some(km))
            .map(|c| w.model.ring_cell(PopulationGroup::Total, *c).unwrap())
            .sum();
        close(w.model.ring_cell(PopulationGroup::Total, km), listed);
        close(Some(listed), 100.0);
        // One reaching beyond the extent is unknown.
        assert_eq!(w.model.ring_cell(PopulationGroup::Total, w.inside.parent().unwrap()), None);
    }

    #[test]
    fn grouping_by_municipality_keeps_cell_order_within_each() {
        let towns: Vec<MunicipalityCode> =
            ["11238", "11246", "11442"].iter().map(|c| c.parse().unwrap()).collect();
        let mut random = crate::testing::SplitMix(7);
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        let mut parts: Vec<CellPart> = (0..500)
            .map(|n| CellPart {
                municipality: towns[(random.next_f64() * 3.0) as usize % 3],
                code: half(36.0, 139.6),
                polygon: MultiPolygon(Vec::new()),
                bounds: Rect::new(geo::coord! { x: 0.0, y: 0.0 }, geo::coord! { x: 1.0, y: 1.0 }),
                // The part's place in cell order.
                area_m2: f64::from(n),
                whole: true,
                figures: [None; PopulationGroup::ALL.len()],
            })
            .collect();
        let mut expected: Vec<(MunicipalityCode, f64)> =
            parts.iter().map(|p| (p.municipality, p.area_m2)).collect();
        expected.sort_by_key(|(town, _)| *town);
        group_by_municipality(&mut parts);
        let got: Vec<(MunicipalityCode, f64)> =
            parts.iter().map(|p| (p.municipality, p.area_m2)).collect();
        assert_eq!(got, expected);
    }
}
