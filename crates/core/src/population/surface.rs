//! A population surface from the census small areas (町丁・字), whose polygons we do not have.
//!
//! The 2020 census publishes each small area's population with a representative point only. To
//! ask "how many people live inside this shape" we give every area the region of the municipality
//! nearer to its point than to any other area's point (its Voronoi cell, clipped to the
//! municipality) and spread its population uniformly over that region. The cells are computed in
//! a local metric frame ([`LocalFrame`]), where perpendicular bisectors are true bisectors rather
//! than lon/lat ones stretched by the cosine of the latitude; the frame is an affine map of
//! lon/lat, so the straight cell edges map back to straight edges in lon/lat exactly. The cells
//! are geo's ([`Voronoi::voronoi_cells_with_params`], over a Delaunay triangulation by spade),
//! cut to the municipality by geo's boolean operations.
//!
//! The cells are an approximation: a real 町丁 boundary follows roads and rivers, not bisectors,
//! and people are not spread uniformly. Totals per municipality are exact (the census counts);
//! anything smaller is an estimate whose error is of the order of one cell.

use std::collections::HashMap;

use geo::orient::Direction;
use geo::{
    Area, BooleanOps, BoundingRect, Contains, Coord, Intersects, LineString, MultiPoint,
    MultiPolygon, Orient, Point, Polygon, Rect, Voronoi, VoronoiClip, VoronoiParams,
};
use rayon::prelude::*;

use crate::spatial::geometry::{
    CellPartAreas, bounds_of, clip_polygon_to_convex, clip_polygon_to_rect, geodesic_area_m2, grow,
    with_bounds,
};
use crate::{LocalFrame, Municipality, MunicipalityCode, Position, SmallArea};

/// The population of one census small area, spread over its Voronoi cell.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationCell {
    /// e-Stat KEY_CODE of the small area (all its pieces share the cell).
    pub key_code: String,
    /// The municipality the area belongs to.
    pub municipality_code: MunicipalityCode,
    /// The union of the clipped Voronoi cells of the area's pieces, WGS84 lon/lat, exteriors
    /// counter-clockwise and holes clockwise.
    pub polygon: MultiPolygon<f64>,
    /// 2020 census population of the area (including any area folded into it, see
    /// [`PopulationSurface::build`]).
    pub population: f64,
    /// Geodesic area of `polygon` in m² (WGS84 ellipsoid).
    pub area_m2: f64,
}

/// Census population as a surface: small-area populations spread uniformly over Voronoi cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PopulationSurface {
    cells: Vec<PopulationCell>,
    /// Bounding box of each cell, for cheap rejection in queries.
    bounds: Vec<Rect<f64>>,
    /// The cells of each municipality, in order: a country's surface has hundreds of thousands
    /// of cells, and a query about one town scanned them all.
    of_municipality: std::collections::BTreeMap<MunicipalityCode, Vec<usize>>,
    /// The Voronoi cells (convex, lon/lat, before the cut to the municipality) each cell was
    /// cut from: see [`PopulationSurface::population_within_part_of`].
    voronoi: Vec<Vec<Polygon<f64>>>,
}

impl PopulationSurface {
    /// How the surface is made, in one sentence, for API metadata.
    pub const METHOD: &str = "Voronoi cells of the 2020 census small-area (町丁・字) representative \
        points, computed in a local metric frame and clipped to the municipality boundary (N03), \
        with each area's population spread uniformly over the cells of all its pieces; totals per \
        municipality are exact, smaller regions are estimates.";

    /// Builds the surface for every municipality that has small areas.
    ///
    /// Per municipality, each small-area representative point gets the part of the municipality
    /// nearer to it (in a local metric frame) than to any other point of that municipality; a
    /// point outside the boundary still gets the clipped part of its region of influence. The
    /// cells of an area's pieces (same `key_code`) are merged and carry the area's population.
    /// Municipalities without small areas, and small areas of municipalities not given, get no
    /// cells. An area left with no region at all (its point coincides with another area's point,
    /// or lies outside the boundary so far that no part of the municipality is nearest to it)
    /// folds its population into the cell of the nearest point that has a region, so that the
    /// census total of the municipality is kept.
    #[must_use]
    pub fn build<'a>(
        municipalities: impl IntoIterator<Item = &'a Municipality>,
        small_areas: &[SmallArea],
    ) -> PopulationSurface {
        let mut areas_of: std::collections::BTreeMap<MunicipalityCode, Vec<&SmallArea>> =
            std::collections::BTreeMap::new();
        for area in small_areas {
            areas_of.entry(area.municipality_code).or_default().push(area);
        }
        // Municipalities are independent: their cells are made on every core and kept in the
        // order given.
        let municipalities: Vec<&Municipality> = municipalities.into_iter().collect();
        let (cells, voronoi): (Vec<PopulationCell>, Vec<Vec<Polygon<f64>>>) = municipalities
            .par_iter()
            .map(|municipality| {
                let areas = areas_of.get(&municipality.code).map_or(&[][..], Vec::as_slice);
                municipality_cells(municipality, areas)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .unzip();
        let bounds = cells.iter().map(|c| bounds_of(&c.polygon)).collect();
        let mut of_municipality: std::collections::BTreeMap<MunicipalityCode, Vec<usize>> =
            std::collections::BTreeMap::new();
        for (i, cell) in cells.iter().enumerate() {
            of_municipality.entry(cell.municipality_code).or_default().push(i);
        }
        PopulationSurface { cells, bounds, of_municipality, voronoi }
    }

    /// Every cell, municipality by municipality in the order given to [`PopulationSurface::build`].
    #[must_use]
    pub fn cells(&self) -> &[PopulationCell] {
        &self.cells
    }

    /// Estimated population inside `region` (WGS84 lon/lat): for every cell, its population times
    /// the share of its geodesic area that lies in `region`.
    ///
    /// ```
    /// use care_atlas_core::{AreaRole, Municipality, PopulationSurface, Position, SmallArea};
    /// use geo::{MultiPolygon, polygon};
    ///
    /// let square = |w: f64, s: f64, e: f64, n: f64| {
    ///     MultiPolygon(vec![polygon![(x: w, y: s), (x: e, y: s), (x: e, y: n), (x: w, y: n)]])
    /// };
    /// let town = Municipality {
    ///     code: "11238".parse().unwrap(),
    ///     name: "蓮田市".into(),
    ///     prefecture: "埼玉県".into(),
    ///     county: None,
    ///     role: AreaRole::StudyArea,
    ///     boundary: square(139.60, 35.96, 139.70, 36.04),
    /// };
    /// let area = |key: &str, lon: f64, population: u32| SmallArea {
    ///     key_code: key.into(),
    ///     piece: None,
    ///     municipality_code: town.code,
    ///     name: key.into(),
    ///     population,
    ///     households: 0,
    ///     area_m2: 0.0,
    ///     representative_point: Position::new(36.0, lon).unwrap(),
    /// };
    /// // Two areas, west and east: the bisector is the meridian 139.65.
    /// let surface = PopulationSurface::build(
    ///     &[town.clone()],
    ///     &[area("west", 139.62, 1000), area("east", 139.68, 3000)],
    /// );
    /// let east_half = square(139.65, 35.96, 139.70, 36.04);
    /// assert!((surface.population_within(&east_half) - 3000.0).abs() < 0.01);
    /// assert!((surface.population_within(&town.boundary) - 4000.0).abs() < 0.01);
    /// ```
    #[must_use]
    pub fn population_within(&self, region: &MultiPolygon<f64>) -> f64 {
        self.population_within_cells(region, 0..self.cells.len())
    }

    /// Estimated population inside `region`, counting only the cells of `municipality`.
    pub(crate) fn population_within_municipality(
        &self,
        municipality: MunicipalityCode,
        region: &MultiPolygon<f64>,
    ) -> f64 {
        let of_municipality =
            self.of_municipality.get(&municipality).map_or(&[][..], Vec::as_slice);
        self.population_within_cells(region, of_municipality.iter().copied())
    }

    /// Estimated population inside `part`, which must lie inside `municipality`'s boundary (as a
    /// mesh cell's part in the town does), counting only the cells of `municipality`: what
    /// [`PopulationSurface::population_within_municipality`] answers for such a region.
    ///
    /// As `part` lies in the municipality, its part in a cell (a Voronoi cell ∩ the boundary)
    /// is its part in the convex Voronoi cell alone: a Sutherland–Hodgman clip against the
    /// cell's few edges instead of an overlay, which was a tenth of a country's snapshot build.
    /// Areas are measured by `areas`, which may already know the part's edges.
    pub(crate) fn population_within_part_of(
        &self,
        municipality: MunicipalityCode,
        part: &MultiPolygon<f64>,
        areas: &mut CellPartAreas,
    ) -> f64 {
        let of_municipality =
            self.of_municipality.get(&municipality).map_or(&[][..], Vec::as_slice);
        let parts = with_bounds(part);
        let mut total = 0.0;
        for &i in of_municipality {
            let cell = &self.cells[i];
            if cell.area_m2 <= 0.0
                || !parts.iter().any(|(rect, _)| rect.intersects(&self.bounds[i]))
            {
                continue;
            }
            let inside: MultiPolygon<f64> = with_bounds(&self.voronoi[i])
                .into_iter()
                .flat_map(|(convex_bounds, convex)| {
                    parts
                        .iter()
                        .filter(move |(rect, _)| rect.intersects(&convex_bounds))
                        .filter_map(|(_, p)| clip_polygon_to_convex(p, convex))
                })
                .collect();
            if inside.0.is_empty() {
                continue;
            }
            total += cell.population * (areas.area_m2(&inside) / cell.area_m2).min(1.0);
        }
        total
    }

    fn population_within_cells(
        &self,
        region: &MultiPolygon<f64>,
        cells: impl Iterator<Item = usize>,
    ) -> f64 {
        let parts = with_bounds(region);
        let mut total = 0.0;
        for (cell, bounds) in cells.map(|i| (&self.cells[i], &self.bounds[i])) {
            if cell.area_m2 <= 0.0 {
                continue;
            }
            // Only the part of the region around the cell matters: cutting it to a box a little
            // larger than the cell first keeps each overlay small when the region is large (a
            // town-sized gap against a cell of a few hectares). The cut is Sutherland–Hodgman,
            // linear in the region's vertices: geo 0.33 has no polygon-by-rectangle clip, and
            // its general overlay, which costs about as much whatever the window, made the
            // 1 km visiting-nursing gap of the three towns 3× slower (7 ms → 24 ms).
            let window = grow(*bounds, WINDOW_MARGIN_DEG);
            let near: Vec<Polygon<f64>> = parts
                .iter()
                .filter(|(rect, _)| rect.intersects(bounds))
                .filter_map(|(_, p)| clip_polygon_to_rect(p, window))
                .collect();
            if near.is_empty() {
                continue;
            }
            // A region covering the whole window covers the whole cell: no overlay needed. The
            // clipped parts lie within the window, so a hole-free part with the window's area
            // is the window (seams have no area).
            let window_area = window.width() * window.height();
            if near.iter().any(|p| {
                p.interiors().is_empty()
                    && (p.unsigned_area() - window_area).abs() <= 1e-9 * window_area
            }) {
                total += cell.population;
                continue;
            }
            let inside = geodesic_area_m2(&cell.polygon.intersection(&MultiPolygon(near)));
            total += cell.population * (inside / cell.area_m2).min(1.0);
        }
        total
    }

    /// Whether the surface has cells in `municipality` (it knows nothing of the others).
    pub(crate) fn covers(&self, municipality: MunicipalityCode) -> bool {
        self.of_municipality.contains_key(&municipality)
    }

    /// The population of `municipality`: the sum of its cells, which is its census total (0 for
    /// a municipality without small areas, whose population is unknown here rather than zero).
    ///
    /// ```
    /// use care_atlas_core::{PopulationSurface, MunicipalityCode};
    /// let surface = PopulationSurface::build(&[], &[]);
    /// assert_eq!(surface.total("11238".parse::<MunicipalityCode>().unwrap()), 0.0);
    /// ```
    #[must_use]
    pub fn total(&self, municipality: MunicipalityCode) -> f64 {
        self.of_municipality
            .get(&municipality)
            .map_or(0.0, |cells| cells.iter().map(|&i| self.cells[i].population).sum())
    }
}

/// How much larger than a cell's bounding box the window is that a query region is cut to
/// (about 0.1 m): the window's edges, along which clipping leaves zero-width seams, then lie
/// outside the cell and never touch it.
const WINDOW_MARGIN_DEG: f64 = 1e-6;

/// A small area's merged cell while it is being built.
struct Group<'a> {
    key_code: &'a str,
    sites: Vec<[f64; 2]>,
    voronoi: Vec<Polygon<f64>>,
    polygon: MultiPolygon<f64>,
    population: f64,
    area_m2: f64,
}

/// The cells of `municipality`, each with the Voronoi cells (lon/lat) it was cut from.
fn municipality_cells(
    municipality: &Municipality,
    areas: &[&SmallArea],
) -> Vec<(PopulationCell, Vec<Polygon<f64>>)> {
    let Some(extent) = municipality.boundary.bounding_rect() else {
        return Vec::new();
    };
    if areas.is_empty() {
        return Vec::new();
    }
    let corners = [
        Position::new(extent.min().y, extent.min().x),
        Position::new(extent.max().y, extent.max().x),
    ];
    let anchors: Vec<Position> = corners
        .into_iter()
        .filter_map(Result::ok)
        .chain(areas.iter().map(|a| a.representative_point))
        .collect();
    let frame = LocalFrame::for_positions(&anchors);
    let sites: Vec<[f64; 2]> =
        areas.iter().map(|a| frame.project(a.representative_point)).collect();
    let projected: Vec<[f64; 2]> = anchors.iter().map(|p| frame.project(*p)).collect();
    let cells = voronoi_cells(&sites, &projected);
    let boundary = municipality.boundary.orient(Direction::Default);
    let boundary_parts = with_bounds(&boundary);

    // One group per key_code, in order of first appearance.
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    for (i, area) in areas.iter().enumerate() {
        let voronoi = cells[i].as_ref().and_then(|cell| to_lon_lat(&frame, cell));
        let clipped = match &voronoi {
            Some(polygon) => clip_cell_to_boundary(polygon, &boundary_parts),
            None => MultiPolygon(Vec::new()),
        };
        let index = *group_of.entry(area.key_code.as_str()).or_insert_with(|| {
            groups.push(Group {
                key_code: &area.key_code,
                sites: Vec::new(),
                voronoi: Vec::new(),
                polygon: MultiPolygon(Vec::new()),
                population: 0.0,
                area_m2: 0.0,
            });
            groups.len() - 1
        });
        let group = &mut groups[index];
        group.sites.push(sites[i]);
        group.voronoi.extend(voronoi);
        group.population += f64::from(area.population);
        if group.polygon.0.is_empty() {
            group.polygon = clipped;
        } else if !clipped.0.is_empty() {
            group.polygon = group.polygon.union(&clipped).orient(Direction::Default);
        }
    }
    for group in &mut groups {
        group.area_m2 = geodesic_area_m2(&group.polygon);
    }
    fold_empty_groups(&mut groups);
    groups
        .into_iter()
        .filter(|g| g.area_m2 > 0.0)
        .map(|g| {
            let cell = PopulationCell {
                key_code: g.key_code.to_owned(),
                municipality_code: municipality.code,
                polygon: g.polygon,
                population: g.population,
                area_m2: g.area_m2,
            };
            (cell, g.voronoi)
        })
        .collect()
}

/// The part of a (convex) Voronoi cell inside the municipality whose polygons are `parts` (each
/// with its box). Only the boundary around the cell matters: cut to a box a little larger than
/// the cell first (Sutherland–Hodgman, linear), a town of thousands of vertices gives the overlay
/// the few dozen near the cell, where overlaying the whole boundary for every one of a town's
/// cells cost a fifth of a country's snapshot build. The cut's seams run along the box's edges,
/// outside the cell, so the part is the cell ∩ the whole boundary.
fn clip_cell_to_boundary(
    cell: &Polygon<f64>,
    parts: &[(Rect<f64>, &Polygon<f64>)],
) -> MultiPolygon<f64> {
    let Some(bounds) = cell.bounding_rect() else {
        return MultiPolygon(Vec::new());
    };
    let window = grow(bounds, WINDOW_MARGIN_DEG);
    let near: Vec<Polygon<f64>> = parts
        .iter()
        .filter(|(rect, _)| rect.intersects(&window))
        .filter_map(|(_, p)| clip_polygon_to_rect(p, window))
        .collect();
    if near.is_empty() {
        return MultiPolygon(Vec::new());
    }
    cell.intersection(&MultiPolygon(near)).orient(Direction::Default)
}

/// Moves the population of every group without area to the group with area whose site is
/// nearest in the frame, so that nothing is lost.
fn fold_empty_groups(groups: &mut [Group]) {
    let with_area: Vec<usize> = (0..groups.len()).filter(|&i| groups[i].area_m2 > 0.0).collect();
    for i in 0..groups.len() {
        if groups[i].area_m2 > 0.0 || groups[i].population == 0.0 {
            continue;
        }
        let distance = |j: usize| {
            groups[i]
                .sites
                .iter()
                .flat_map(|a| groups[j].sites.iter().map(move |b| (a[0] - b[0]).hypot(a[1] - b[1])))
                .fold(f64::INFINITY, f64::min)
        };
        let nearest =
            with_area.iter().copied().min_by(|&a, &b| distance(a).total_cmp(&distance(b)));
        if let Some(j) = nearest {
            groups[j].population += groups[i].population;
            groups[i].population = 0.0;
        }
    }
}

/// The Voronoi cell of every site in the frame (geo's, over spade's Delaunay triangulation),
/// clipped to a box around `anchors` (which hold every site and the whole municipality) with a
/// margin; `None` for a site that coincides with an earlier one (the first of coincident sites
/// takes the whole cell).
///
/// Four guard sites far outside the box surround the real ones, so that geo always gets at least
/// three points that are not collinear: one area alone, or areas along a line, are no special
/// case. A guard lies farther from any point of the box than the box's diagonal, which bounds the
/// distance from that point to any site, so no guard's cell reaches into the box and the cells
/// there are exactly those of the real sites.
fn voronoi_cells(sites: &[[f64; 2]], anchors: &[[f64; 2]]) -> Vec<Option<Polygon<f64>>> {
    let mut cells = vec![None; sites.len()];
    let fold = |f: fn(f64, f64) -> f64, axis: usize, init: f64| {
        anchors.iter().map(|p| p[axis]).fold(init, f)
    };
    let (west, east) = (fold(f64::min, 0, f64::INFINITY), fold(f64::max, 0, f64::NEG_INFINITY));
    let (south, north) = (fold(f64::min, 1, f64::INFINITY), fold(f64::max, 1, f64::NEG_INFINITY));
    let margin = 1000.0 + 0.1 * (east - west).max(north - south);
    let (west, east, south, north) = (west - margin, east + margin, south - margin, north + margin);
    let clip = Rect::new(Coord { x: west, y: south }, Coord { x: east, y: north }).to_polygon();
    // Per axis a guard is (4 − ½) × span from the box, so 3.5 √2 × span from its nearest point,
    // while the box's diagonal is at most √2 × span.
    let span = (east - west).max(north - south);
    let (x, y) = (f64::midpoint(west, east), f64::midpoint(south, north));
    let guards = [(-4.0, -4.0), (4.0, -4.0), (4.0, 4.0), (-4.0, 4.0)]
        .map(|(dx, dy)| Point::new(x + dx * span, y + dy * span));
    let points: MultiPoint<f64> =
        sites.iter().map(|&[x, y]| Point::new(x, y)).chain(guards).collect();
    let Ok(polygons) =
        points.voronoi_cells_with_params(VoronoiParams::new().clip(VoronoiClip::Polygon(&clip)))
    else {
        // Unreachable with the guards: geo refuses only fewer than two distinct points, or
        // collinear ones.
        return cells;
    };
    // geo returns the cells in the triangulation's order, which skips coincident points, and
    // drops cells the clip empties (the guards'): a cell is matched to its site by containment
    // instead (a site lies strictly inside its own cell, and the box holds it with a margin).
    for polygon in polygons {
        let Some(bounds) = polygon.bounding_rect() else { continue };
        let owner = sites.iter().position(|&[x, y]| {
            let site = Point::new(x, y);
            bounds.intersects(&site) && polygon.contains(&site)
        });
        if let Some(i) = owner {
            cells[i] = Some(polygon);
        }
    }
    cells
}

/// The cell as a lon/lat polygon (the frame is affine, so edges stay straight), or `None` when
/// it leaves the range of valid positions.
fn to_lon_lat(frame: &LocalFrame, cell: &Polygon<f64>) -> Option<Polygon<f64>> {
    let coords = cell
        .exterior()
        .coords()
        .map(|c| frame.unproject([c.x, c.y]).map(|p| Coord { x: p.lon(), y: p.lat() }))
        .collect::<Option<Vec<_>>>()?;
    Some(Polygon::new(LineString::new(coords), Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn town(boundary: MultiPolygon<f64>) -> Municipality {
        crate::testing::town_with_boundary(boundary)
    }

    fn square(w: f64, s: f64, e: f64, n: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![(x: w, y: s), (x: e, y: s), (x: e, y: n), (x: w, y: n)]])
    }

    fn area(key: &str, piece: Option<&str>, lat: f64, lon: f64, population: u32) -> SmallArea {
        SmallArea {
            key_code: key.into(),
            piece: piece.map(Into::into),
            municipality_code: "11238".parse().unwrap(),
            name: key.into(),
            population,
            households: 0,
            area_m2: 0.0,
            representative_point: Position::new(lat, lon).unwrap(),
        }
    }

    /// Builds a surface on the square town and checks the population within `region`.
    fn check(areas: &[SmallArea], region: &MultiPolygon<f64>, expected: f64) {
        let town = town(square(139.60, 35.96, 139.70, 36.04));
        let surface = PopulationSurface::build(&[town], areas);
        let got = surface.population_within(region);
        assert!((got - expected).abs() < 1e-4 * expected.max(1.0), "{got} != {expected}");
    }

    #[test]
    fn population_within_regions_of_a_square_town() {
        let two = [area("w", None, 36.0, 139.62, 1000), area("e", None, 36.0, 139.68, 3000)];
        check(&two, &square(139.60, 35.96, 139.70, 36.04), 4000.0);
        check(&two, &square(139.65, 35.96, 139.70, 36.04), 3000.0);
        check(&two, &square(139.60, 35.96, 139.65, 36.04), 1000.0);
        // The west half of the east cell (halves of equal longitude span are equal in area,
        // up to the bulge of the geodesic edges: about 1e-5 relative here).
        check(&two, &square(139.65, 35.96, 139.675, 36.04), 1500.0);
        check(&two, &square(139.80, 35.96, 139.90, 36.04), 0.0);
        // A single area fills the town.
        check(&[area("a", None, 36.0, 139.61, 500)], &square(139.60, 35.96, 139.65, 36.04), 250.0);
    }

    #[test]
    fn population_within_a_part_of_the_town_by_convex_clips_equals_the_overlay() {
        // A concave town (a U open to the north, with a hole), small areas inside, outside and
        // in two pieces, cut into cells of 500 m as the census mesh cuts it.
        let u = crate::testing::concave_town_with_hole();
        let town = town(MultiPolygon(vec![u]));
        let areas = [
            area("a", Some("1"), 35.96, 139.61, 700),
            area("a", Some("2"), 35.95, 139.69, 300),
            area("b", None, 35.915, 139.65, 1200),
            area("c", None, 35.903, 139.62, 400),
            area("d", None, 35.93, 139.675, 900),
            area("e", None, 35.975, 139.62, 250),
            area("f", None, 35.94, 139.655, 60),
            area("g", None, 35.90, 139.71, 80),
        ];
        let surface = PopulationSurface::build(std::slice::from_ref(&town), &areas);
        let total = surface.total(town.code);
        let mut parts = 0;
        for cell in crate::testing::cell_lattice((139.598, 35.898), (0.006_25, 0.005), (17, 17)) {
            let part = crate::spatial::geometry::clip_to_rect(&town.boundary, cell);
            if part.0.is_empty() {
                continue;
            }
            parts += 1;
            let ours =
                surface.population_within_part_of(town.code, &part, &mut CellPartAreas::new());
            let overlay = surface.population_within_municipality(town.code, &part);
            // Two things part the answers, neither a mistake: the overlay rounds its
            // vertices to an integer grid over its inputs' box (parts in a billion), and where
            // the hole reaches a cell's side the overlay's part splits that side at the hole's
            // corners, a geodesic edge bulging unlike the one clipping leaves (1e-5 of the
            // part here). 1e-6 of the town's 3,890 residents is 0.004; a wrong clip (a hole
            // lost, an edge's wrong side) is off by whole residents.
            assert!((ours - overlay).abs() <= 1e-6 * total, "{cell:?}: {ours} != {overlay}");
        }
        assert!(parts > 150, "{parts}");
    }

    #[test]
    fn bisectors_are_metric_not_lon_lat() {
        // A degree of longitude is about 90 km here and one of latitude 111 km. The probe is
        // nearer to `a` in metres (3.35 km against 3.59 km) but nearer to `b` in raw degrees, so
        // it tells a metric Voronoi from a lon/lat one.
        let areas = [area("a", None, 36.0, 139.64, 100), area("b", None, 36.02, 139.66, 100)];
        let surface =
            PopulationSurface::build(&[town(square(139.60, 35.96, 139.70, 36.04))], &areas);
        let probe = geo::Point::new(139.675, 35.99);
        assert!(geo::Contains::contains(&surface.cells()[0].polygon, &probe));
        assert!(!geo::Contains::contains(&surface.cells()[1].polygon, &probe));
    }

    #[test]
    fn pieces_share_one_cell_and_the_population() {
        let areas = [
            area("a", Some("E1"), 36.0, 139.61, 900),
            area("b", None, 36.0, 139.65, 100),
            area("a", Some("E2"), 36.0, 139.69, 0),
        ];
        let surface =
            PopulationSurface::build(&[town(square(139.60, 35.96, 139.70, 36.04))], &areas);
        assert_eq!(surface.cells().len(), 2);
        let a = &surface.cells()[0];
        assert_eq!((a.key_code.as_str(), a.population, a.polygon.0.len()), ("a", 900.0, 2));
        // The middle third of the town belongs to b.
        check(&areas, &square(139.63, 35.96, 139.67, 36.04), 100.0);
        check(&areas, &square(139.60, 35.96, 139.63, 36.04), 450.0);
    }

    #[test]
    fn coincident_and_outside_points_keep_the_total() {
        let areas = [
            area("a", None, 36.0, 139.62, 100),
            area("b", None, 36.0, 139.62, 200),
            area("c", None, 36.0, 139.68, 300),
            // Far outside the town to the east: nothing of the town is nearest to it.
            area("d", None, 36.0, 139.95, 400),
        ];
        let town = town(square(139.60, 35.96, 139.70, 36.04));
        let code = town.code;
        let surface = PopulationSurface::build(&[town], &areas);
        assert!((surface.total(code) - 1000.0).abs() < 1e-9);
        assert_eq!(surface.cells().len(), 2);
        check(&areas, &square(139.60, 35.96, 139.70, 36.04), 1000.0);
    }

    #[test]
    fn every_point_of_the_box_lies_in_the_cell_of_its_nearest_site() {
        // Collinear sites (which geo alone refuses), a coincident pair and an isolated one, in
        // metres: each probe of the box must fall in the cell of the site nearest to it.
        let sites = [[0.0, 0.0], [400.0, 0.0], [900.0, 0.0], [400.0, 0.0], [2500.0, 1800.0]];
        let anchors = [[-1000.0, -1000.0], [3000.0, 2000.0]];
        let cells = voronoi_cells(&sites, &anchors);
        assert!(cells[3].is_none(), "the later of two coincident sites gets no cell");
        for i in 0..=40 {
            for j in 0..=30 {
                let probe = [-1000.0 + 100.0 * f64::from(i) + 1.0, -1000.0 + 100.0 * f64::from(j)];
                let distance = |s: &[f64; 2]| (s[0] - probe[0]).hypot(s[1] - probe[1]);
                let nearest = (0..sites.len())
                    .filter(|&k| cells[k].is_some())
                    .min_by(|&a, &b| distance(&sites[a]).total_cmp(&distance(&sites[b])))
                    .unwrap();
                let point = Point::new(probe[0], probe[1]);
                let owners: Vec<usize> = (0..sites.len())
                    .filter(|&k| cells[k].as_ref().is_some_and(|c| c.contains(&point)))
                    .collect();
                assert_eq!(owners, [nearest], "{probe:?}");
            }
        }
        // One site alone owns everything.
        let alone = voronoi_cells(&[[10.0, 10.0]], &anchors);
        assert!(alone[0].as_ref().unwrap().contains(&Point::new(-1399.0, 2399.0)));
    }

    #[test]
    fn municipalities_without_small_areas_get_no_cells() {
        let surface = PopulationSurface::build(&[town(square(139.60, 35.96, 139.70, 36.04))], &[]);
        assert!(surface.cells().is_empty());
        assert!(surface.population_within(&square(139.60, 35.96, 139.70, 36.04)).abs() < 1e-9);
    }
}
