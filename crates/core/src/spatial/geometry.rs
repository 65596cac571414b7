//! Geometry shared by the analyses: geodesic circles, geodesic areas of shapes whatever their
//! winding, bounding boxes that exist for empty shapes too, clipping a polygon to a box, and the
//! point a map labels a shape at.

use geo::{
    BoundingRect, Coord, Destination, Geodesic, GeodesicArea, InteriorPoint, LineString,
    MultiPolygon, Polygon, Rect,
};

use crate::Position;

/// Geodesic area in m² of a multipolygon, whatever the winding of its rings.
pub(crate) fn geodesic_area_m2(shape: &MultiPolygon<f64>) -> f64 {
    // The signed area of one polygon is (exterior − holes) with the sign of the exterior's
    // winding, so its absolute value is right for either winding; the unsigned variant would
    // read a clockwise ring as the rest of the earth.
    // Folded from +0.0: an empty sum of floats is −0.0, which would print as "-0".
    shape.iter().map(|p| p.geodesic_area_signed().abs()).fold(0.0, |sum, a| sum + a)
}

/// Geodesic areas of the parts one mesh cell is cut into, equal to [`geodesic_area_m2`]'s (the
/// same Karney S12 per edge, summed as geographiclib's `PolygonArea` sums them) at a fraction of
/// the cost: each edge's S12 is computed once for all the parts, so the boundary between two
/// towns, which both towns' parts run along (in opposite directions), costs one inverse problem
/// instead of two; and only S12 is asked of geographiclib, not the perimeter `PolygonArea` also
/// computes. These areas were a quarter of a country's snapshot build.
///
/// Only for shapes far smaller than a hemisphere that neither enclose a pole nor cross the
/// antimeridian (a mesh cell's parts; see [`CellPartAreas::area_m2`], which checks), where the
/// sum of S12 around a ring needs none of `PolygonArea`'s wrapping corrections.
pub(crate) struct CellPartAreas {
    geodesic: geographiclib_rs::Geodesic,
    /// S12 of each edge met since the last [`CellPartAreas::next_cell`], keyed by the bits of
    /// its endpoints in their direction. Hashed by foldhash: std's SipHash, made to resist
    /// chosen keys that these (our own cells' vertices) are not, was a sixth of the inverse
    /// problems' cost.
    edges: foldhash::HashMap<[u64; 4], f64>,
}

impl CellPartAreas {
    /// How far a shape may extend, in degrees, to be measured here rather than by
    /// [`geodesic_area_m2`]: far beyond a mesh cell (0.0125° of longitude at 250 m), far below
    /// where wrapping could matter.
    const MAX_EXTENT_DEG: f64 = 1.0;

    pub(crate) fn new() -> Self {
        CellPartAreas {
            geodesic: geographiclib_rs::Geodesic::wgs84(),
            edges: foldhash::HashMap::default(),
        }
    }

    /// Forgets the edges of the cell before: edges are shared within a cell only.
    pub(crate) fn next_cell(&mut self) {
        self.edges.clear();
    }

    /// S12 of the geodesic from `a` to `b` (m², geographiclib's sign), once per edge.
    fn edge_s12(&mut self, a: Coord<f64>, b: Coord<f64>) -> f64 {
        // Along a meridian the azimuth is 0° or 180° throughout and S12 is 0: geographiclib's
        // own answer (a unit test checks it), asked of it for every cell's west and east sides.
        #[allow(clippy::float_cmp)] // a meridian's vertices share their longitude exactly
        if a.x == b.x {
            return 0.0;
        }
        let key = |p: Coord<f64>, q: Coord<f64>| {
            [p.x.to_bits(), p.y.to_bits(), q.x.to_bits(), q.y.to_bits()]
        };
        if let Some(s12) = self.edges.get(&key(a, b)) {
            return *s12;
        }
        if let Some(s12) = self.edges.get(&key(b, a)) {
            return -*s12;
        }
        // `_gen_inverse` is geographiclib-rs's general inverse problem (what `PolygonArea` calls),
        // public and asked here for S12 alone: its other entry points compute the distance too.
        let s12 =
            self.geodesic._gen_inverse(a.y, a.x, b.y, b.x, geographiclib_rs::capability::AREA).9;
        self.edges.insert(key(a, b), s12);
        s12
    }

    /// Σ S12 around a closed ring: positive when clockwise.
    fn ring_s12(&mut self, ring: &LineString<f64>) -> f64 {
        ring.lines().map(|line| self.edge_s12(line.start, line.end)).sum()
    }

    /// Geodesic area in m² of `shape` (whatever the winding of its rings), as
    /// [`geodesic_area_m2`] computes it; a shape beyond a mesh cell's size is handed to it.
    pub(crate) fn area_m2(&mut self, shape: &MultiPolygon<f64>) -> f64 {
        let small = shape.bounding_rect().is_some_and(|b| {
            b.width() <= Self::MAX_EXTENT_DEG
                && b.height() <= Self::MAX_EXTENT_DEG
                && b.min().x > -180.0
                && b.max().x < 180.0
                && b.min().y > -89.0
                && b.max().y < 89.0
        });
        if !small {
            return geodesic_area_m2(shape);
        }
        shape
            .iter()
            .map(|polygon| {
                let exterior = self.ring_s12(polygon.exterior()).abs();
                let holes: f64 = polygon.interiors().iter().map(|h| self.ring_s12(h).abs()).sum();
                (exterior - holes).abs()
            })
            .fold(0.0, |sum, a| sum + a)
    }
}

/// Each polygon with its bounding box (empty ones left out), for cheap box tests before overlays.
pub(crate) fn with_bounds<'a>(
    polygons: impl IntoIterator<Item = &'a Polygon<f64>>,
) -> Vec<(Rect<f64>, &'a Polygon<f64>)> {
    polygons.into_iter().filter_map(|p| Some((p.bounding_rect()?, p))).collect()
}

/// The bounding box of a shape, or an empty box at the origin for an empty shape.
pub(crate) fn bounds_of(shape: &MultiPolygon<f64>) -> Rect<f64> {
    shape.bounding_rect().unwrap_or_else(|| Rect::new(Coord::zero(), Coord::zero()))
}

/// Where a map prints the name of `shape`: a point inside its largest polygon (by geodesic area),
/// found by geo's [`InteriorPoint`], or `None` for an empty shape.
///
/// A centroid can fall outside a concave town or into the sea between islands; an interior point
/// cannot. The largest polygon is taken, not geo's own choice among a multipolygon's parts, so
/// that a town's name is printed on its main part rather than on an enclave (飛び地) that happens
/// to be cut by a longer bisecting line.
///
/// ```
/// use care_atlas_core::label_point;
/// use geo::{Contains, MultiPolygon, polygon};
///
/// // An L-shaped town, whose centroid (about 0.83, 0.83) lies outside it.
/// let town = polygon![
///     (x: 0.0, y: 0.0), (x: 3.0, y: 0.0), (x: 3.0, y: 1.0),
///     (x: 1.0, y: 1.0), (x: 1.0, y: 3.0), (x: 0.0, y: 3.0),
/// ];
/// let point = label_point(&MultiPolygon::new(vec![town.clone()])).unwrap();
/// assert!(town.contains(&point.to_point()));
/// assert_eq!(label_point(&MultiPolygon::new(vec![])), None);
/// ```
#[must_use]
pub fn label_point(shape: &MultiPolygon<f64>) -> Option<Position> {
    let largest = shape
        .iter()
        .max_by(|a, b| a.geodesic_area_signed().abs().total_cmp(&b.geodesic_area_signed().abs()))?;
    let point = largest.interior_point()?;
    Position::new(point.y(), point.x()).ok()
}

/// Vertices of the circles that [`crate::coverage_gap_polygons`] draws around facilities.
pub const CIRCLE_VERTICES: usize = 64;

/// A geodesic circle as a polygon: `vertices` points (at least 3) at geodesic distance `radius_m`
/// from `center` on the WGS84 ellipsoid, at equally spaced azimuths starting due north and
/// turning counter-clockwise (azimuths 0°, 360° − 360°/n, 360° − 2·360°/n, …), so that the
/// exterior ring is counter-clockwise as RFC 7946 asks.
///
/// The edges between vertices are straight in lon/lat, so the polygon lies just inside the true
/// circle: with 64 vertices its area is about 0.16% smaller. Meant for radii up to a few hundred
/// kilometres, away from the poles and the antimeridian.
///
/// ```
/// use care_atlas_core::{Position, geodesic_circle};
/// use geo::{Distance, Geodesic, Winding};
///
/// let center = Position::new(35.996631, 139.676669).unwrap();
/// let circle = geodesic_circle(center, 2000.0, 64);
/// assert_eq!(circle.exterior().0.len(), 65); // closed ring
/// assert!(circle.exterior().is_ccw());
/// for vertex in circle.exterior().points() {
///     assert!((Geodesic.distance(center.to_point(), vertex) - 2000.0).abs() < 1e-6);
/// }
/// ```
#[must_use]
pub fn geodesic_circle(center: Position, radius_m: f64, vertices: usize) -> Polygon<f64> {
    let n = vertices.max(3);
    let origin = center.to_point();
    let mut ring = vec![Coord::zero(); n];
    // The ellipsoid is symmetric about the centre's meridian, so the vertex at azimuth −θ is the
    // mirror image of the one at +θ (same latitude, longitude reflected): half the geodesic
    // problems are solved, the other half mirrored. Vertex i lies at azimuth −360°·i/n
    // (clockwise from north, so stepping backwards turns counter-clockwise) and mirrors vertex
    // n − i, which lies at +360°·i/n.
    for i in 0..=n / 2 {
        let east = Geodesic.destination(origin, 360.0 * i as f64 / n as f64, radius_m);
        if i == 0 || 2 * i == n {
            ring[i] = east.0;
        } else {
            ring[n - i] = east.0;
            ring[i] = Coord { x: 2.0 * origin.x() - east.x(), y: east.y() };
        }
    }
    Polygon::new(LineString::new(ring), Vec::new())
}

/// The WGS84 ellipsoid's equal-area (authalic) cylindrical projection: longitude in radians and
/// the area from the equator to the latitude per radian of longitude, in m². A rectangle of
/// parallels and meridians keeps its exact area there. (Other shapes do not: a straight diagonal
/// in the projection is not a geodesic, and a triangle half a 250 m cell differs from its
/// geodesic area by 1e-5, so geodesic areas stay the rule for cut shapes.)
fn equal_area_coord(c: Coord<f64>) -> (f64, f64) {
    const A: f64 = 6_378_137.0;
    const F: f64 = 1.0 / 298.257_223_563;
    let e2 = F * (2.0 - F);
    let e = e2.sqrt();
    let sin = c.y.to_radians().sin();
    let strip = sin / (1.0 - e2 * sin * sin) + ((1.0 + e * sin) / (1.0 - e * sin)).ln() / (2.0 * e);
    (c.x.to_radians(), A * A * (1.0 - e2) / 2.0 * strip)
}

/// The area in m² between the parallels and meridians of `rect` (x = longitude, y = latitude):
/// exact on the ellipsoid (see [`equal_area_coord`]).
pub(crate) fn graticule_area_m2(rect: Rect<f64>) -> f64 {
    let (west, south) = equal_area_coord(rect.min());
    let (east, north) = equal_area_coord(rect.max());
    (east - west) * (north - south)
}

pub(crate) fn grow(rect: Rect<f64>, margin: f64) -> Rect<f64> {
    Rect::new(
        Coord { x: rect.min().x - margin, y: rect.min().y - margin },
        Coord { x: rect.max().x + margin, y: rect.max().y + margin },
    )
}

/// The part of `shape` inside `rect`, polygon by polygon ([`clip_polygon_to_rect`]): cheap, linear
/// in the vertices, with zero-width seams where a concave ring leaves and re-enters the box. A
/// shape cut to a row of cells once lets each cell of the row be cut from a few vertices instead
/// of the whole boundary.
pub(crate) fn clip_to_rect(shape: &MultiPolygon<f64>, rect: Rect<f64>) -> MultiPolygon<f64> {
    MultiPolygon(
        shape
            .iter()
            .filter(|p| p.bounding_rect().is_some_and(|b| geo::Intersects::intersects(&b, &rect)))
            .filter_map(|p| clip_polygon_to_rect(p, rect))
            .collect(),
    )
}

/// The part of `shape` in the mesh cell `cell` (an axis-aligned rectangle with its box
/// `cell_bounds`): the same region as `shape.intersection(cell)`, with no overlay. The shape is
/// cut to a window a hair larger than the cell first, so that a cell wholly inside the shape is
/// recognised and answered by the cell itself; the rest is cut to the cell by
/// [`clip_polygon_to_rect`], whose result is the intersection up to zero-width seams along the
/// cell's edges, which add no area and which every overlay the part may meet later discards.
/// (geo's overlay here was a quarter of the time of cutting a country's towns into cells.)
pub(crate) fn part_in_cell(
    shape: &MultiPolygon<f64>,
    cell: &Polygon<f64>,
    cell_bounds: Rect<f64>,
) -> MultiPolygon<f64> {
    use geo::Area;
    let window = grow(cell_bounds, 1e-6);
    let near = clip_to_rect(shape, window);
    if near.0.is_empty() {
        return MultiPolygon(Vec::new());
    }
    let window_area = window.width() * window.height();
    if near.iter().any(|p| {
        p.interiors().is_empty() && (p.unsigned_area() - window_area).abs() <= 1e-9 * window_area
    }) {
        return MultiPolygon(vec![cell.clone()]);
    }
    // Pieces that only touch the cell (within the window's hair) keep no area in it.
    MultiPolygon(
        clip_to_rect(&near, cell_bounds)
            .0
            .into_iter()
            .filter(|p| p.unsigned_area() > 0.0)
            .collect(),
    )
}

/// A shape cut to one row of mesh cells (a strip a hair taller than the row), ready to be cut
/// cell by cell. Most cells of a row lie wholly inside or wholly outside the shape; a cell whose
/// column of the strip no edge of the shape enters is one of those, and is answered without
/// clipping, by one point-in-polygon test per run of such cells. That made cutting a country's
/// towns into cells linear in cells plus vertices instead of cells times vertices.
pub(crate) struct RowCut {
    strip: MultiPolygon<f64>,
    /// The longitude ranges of the strip's edges, other than the strip's own top and bottom
    /// lines, merged and sorted.
    edges: Vec<(f64, f64)>,
    /// Whether the cells between `edges[i - 1]` and `edges[i]` are inside, once asked.
    runs: Vec<Option<bool>>,
}

impl RowCut {
    /// `shape` cut to `strip` (the row's box grown by a hair, as the cell windows are).
    pub(crate) fn new(shape: &MultiPolygon<f64>, strip: Rect<f64>) -> RowCut {
        let strip_shape = clip_to_rect(shape, strip);
        let (bottom, top) = (strip.min().y, strip.max().y);
        let mut ranges: Vec<(f64, f64)> = strip_shape
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(LineString::lines)
            .filter(|line| {
                // The strip's own top and bottom (and seams along them) lie on every cell
                // window's edge and bound no cell.
                // Exact: clipping puts these vertices on the line itself.
                #[allow(clippy::float_cmp)]
                let on = |y: f64| line.start.y == y && line.end.y == y;
                !(on(bottom) || on(top))
            })
            .map(|line| (line.start.x.min(line.end.x), line.start.x.max(line.end.x)))
            .collect();
        ranges.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut edges: Vec<(f64, f64)> = Vec::new();
        for (lo, hi) in ranges {
            match edges.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => edges.push((lo, hi)),
            }
        }
        let runs = vec![None; edges.len() + 1];
        RowCut { strip: strip_shape, edges, runs }
    }

    /// Whether nothing of the shape is in the row.
    pub(crate) fn is_empty(&self) -> bool {
        self.strip.0.is_empty()
    }

    /// The part of the shape in the mesh cell `cell` of the row (its box `cell_bounds`): the
    /// same as [`part_in_cell`] on the strip.
    pub(crate) fn part_in_cell(
        &mut self,
        cell: &Polygon<f64>,
        cell_bounds: Rect<f64>,
    ) -> MultiPolygon<f64> {
        let window = grow(cell_bounds, 1e-6);
        let run = self.edges.partition_point(|(_, hi)| *hi < window.min().x);
        if self.edges.get(run).is_some_and(|(lo, _)| *lo <= window.max().x) {
            return part_in_cell(&self.strip, cell, cell_bounds);
        }
        // No edge enters the cell's column: the cell is wholly inside or wholly outside, as are
        // the other cells of its run.
        let strip = &self.strip;
        let inside = *self.runs[run].get_or_insert_with(|| {
            geo::Contains::contains(strip, &geo::Point::from(cell_bounds.center()))
        });
        if inside { MultiPolygon(vec![cell.clone()]) } else { MultiPolygon(Vec::new()) }
    }
}

/// A shape cut to bands of rows, one band of each size in [`BAND_ROWS`] kept at a time, each cut
/// from the band of the size before it, and each row's [`RowCut`] from the smallest: cutting
/// every row from the whole shape cost rows × vertices, a country's towns' most expensive step;
/// from nested bands each vertex is cut a few times per size instead.
pub(crate) struct BandedShape<'a> {
    shape: &'a MultiPolygon<f64>,
    /// For each size of [`BAND_ROWS`], the band in use: its number and the shape cut to it.
    bands: [Option<(u32, MultiPolygon<f64>)>; BAND_ROWS.len()],
}

/// Rows of cells per band of a [`BandedShape`], largest first, each a multiple of the next.
pub(crate) const BAND_ROWS: [u32; 2] = [16, 4];

/// Rows of cells per band of the largest size: callers that split rows between threads split
/// them at multiples of it, so that no band is cut twice.
pub(crate) const ROWS_PER_BAND: u32 = BAND_ROWS[0];

impl<'a> BandedShape<'a> {
    pub(crate) fn new(shape: &'a MultiPolygon<f64>) -> BandedShape<'a> {
        BandedShape { shape, bands: [const { None }; BAND_ROWS.len()] }
    }

    /// The [`RowCut`] of lattice row `row` (rows `row_height` degrees tall), whose strip is
    /// `strip`. Rows are best asked in order: a band is cut once, when its first row is asked.
    pub(crate) fn row(&mut self, row: u32, row_height: f64, strip: Rect<f64>) -> RowCut {
        for (size, rows) in BAND_ROWS.iter().enumerate() {
            let band = row / rows;
            if self.bands[size].as_ref().is_some_and(|(seen, _)| *seen == band) {
                continue;
            }
            // The band holds the strip of every row in it, with a row to spare on each side,
            // which keeps it inside the band it is cut from whatever the rounding.
            let below = f64::from(row % rows + 1) * row_height;
            let above = f64::from(rows - row % rows + 1) * row_height;
            let rect = Rect::new(
                Coord { x: strip.min().x, y: strip.min().y - below },
                Coord { x: strip.max().x, y: strip.min().y + above },
            );
            let cut = match size.checked_sub(1).and_then(|larger| self.bands[larger].as_ref()) {
                Some((_, larger)) => clip_to_rect(larger, rect),
                None => clip_to_rect(self.shape, rect),
            };
            self.bands[size] = Some((band, cut));
            for smaller in &mut self.bands[size + 1..] {
                *smaller = None;
            }
        }
        match &self.bands[BAND_ROWS.len() - 1] {
            Some((_, band)) => RowCut::new(band, strip),
            None => RowCut::new(self.shape, strip),
        }
    }
}

/// The part of `polygon` inside `rect`, ring by ring (Sutherland–Hodgman against the four
/// sides), or `None` when nothing of the exterior is left. Where a concave ring leaves and
/// re-enters the box, the result runs along the box's edge and back: a zero-width seam that adds
/// no area and that the overlay engine discards.
pub(crate) fn clip_polygon_to_rect(
    polygon: &Polygon<f64>,
    rect: Rect<f64>,
) -> Option<Polygon<f64>> {
    let clip = |ring: &LineString<f64>| {
        let open = ring.0.split_last().map_or(&[][..], |(_, open)| open);
        let mut out: Vec<[f64; 2]> = open.iter().map(|c| [c.x, c.y]).collect();
        // A side the whole ring lies within needs no pass (it would keep every vertex, and
        // later passes only add vertices between earlier ones): the strips and bands a town is
        // cut to span its width, and a cell's window the strip's height, so half the passes of
        // cutting a country went.
        let (mut low, mut high) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in &out {
            for axis in 0..2 {
                low[axis] = low[axis].min(p[axis]);
                high[axis] = high[axis].max(p[axis]);
            }
        }
        for (normal, offset, within) in [
            ([-1.0, 0.0], -rect.min().x, low[0] >= rect.min().x),
            ([1.0, 0.0], rect.max().x, high[0] <= rect.max().x),
            ([0.0, -1.0], -rect.min().y, low[1] >= rect.min().y),
            ([0.0, 1.0], rect.max().y, high[1] <= rect.max().y),
        ] {
            if out.is_empty() {
                break;
            }
            // A pass also drops a ring left with fewer than three vertices.
            if within && out.len() >= 3 {
                continue;
            }
            out = clip_half_plane(&out, normal, offset);
        }
        (!out.is_empty()).then_some(out)
    };
    let exterior = clip(polygon.exterior())?;
    let interiors: Vec<Vec<[f64; 2]>> = polygon.interiors().iter().filter_map(clip).collect();
    let stops = side_stops(&std::iter::once(&exterior).chain(&interiors), rect);
    let ring = |ring: Vec<[f64; 2]>| {
        LineString::new(split_along_sides(ring, &stops).into_iter().map(Coord::from).collect())
    };
    Some(Polygon::new(ring(exterior), interiors.into_iter().map(ring).collect()))
}

/// The sides of a rectangle, each with the vertices of some clipped rings on it: the axis along
/// the side, the fixed coordinate of the other axis, and the coordinates along it, sorted.
type SideStops = Vec<(usize, f64, Vec<f64>)>;

/// The vertices of `rings` (clipped to `rect`) on each side of `rect`.
fn side_stops<'r>(
    rings: &(impl Iterator<Item = &'r Vec<[f64; 2]>> + Clone),
    rect: Rect<f64>,
) -> SideStops {
    [(1, rect.min().x), (1, rect.max().x), (0, rect.min().y), (0, rect.max().y)]
        .into_iter()
        .map(|(along, fixed)| {
            let fixed_axis = 1 - along;
            #[allow(clippy::float_cmp)] // the clip puts these vertices exactly on the lines
            let mut stops: Vec<f64> = rings
                .clone()
                .flatten()
                .filter(|p| p[fixed_axis] == fixed)
                .map(|p| p[along])
                .collect();
            stops.sort_by(f64::total_cmp);
            stops.dedup();
            (along, fixed, stops)
        })
        .collect()
}

/// `ring` (open, clipped to a rectangle) with each of its edges along a side split at every
/// vertex on that side (`sides`, from every ring of the polygon) between its ends. A seam, or a
/// hole's edge along a side against the exterior's, runs along the side both ways, but not
/// always between the same vertices (out along one long edge, back in pieces); geodesic edges
/// between different vertices bow differently, so it would add a sliver of area on the
/// ellipsoid. Split at the same vertices both ways, it adds none, and the pieces are those of
/// the overlay's intersection.
fn split_along_sides(ring: Vec<[f64; 2]>, sides: &SideStops) -> Vec<[f64; 2]> {
    if sides.iter().all(|(_, _, stops)| stops.len() <= 2) {
        return ring;
    }
    let mut out = Vec::with_capacity(ring.len() + 8);
    for (k, a) in ring.iter().enumerate() {
        let b = ring[(k + 1) % ring.len()];
        out.push(*a);
        for (along, fixed, stops) in sides {
            let fixed_axis = 1 - along;
            #[allow(clippy::float_cmp)] // as above
            if a[fixed_axis] != *fixed || b[fixed_axis] != *fixed || stops.len() <= 2 {
                continue;
            }
            let (from, to) = (a[*along], b[*along]);
            let between = stops.iter().filter(|v| (from.min(to) < **v) && (**v < from.max(to)));
            let point = |v: f64| {
                let mut p = [0.0; 2];
                p[*along] = v;
                p[fixed_axis] = *fixed;
                p
            };
            if from < to {
                out.extend(between.map(|v| point(*v)));
            } else {
                let mut back: Vec<[f64; 2]> = between.map(|v| point(*v)).collect();
                back.reverse();
                out.extend(back);
            }
        }
    }
    out
}

/// Sutherland–Hodgman: the part of the polygon `ring` (open) where `normal·x ≤ offset`. A
/// concave ring that crosses the line several times comes back with zero-width seams along it.
fn clip_half_plane(ring: &[[f64; 2]], normal: [f64; 2], offset: f64) -> Vec<[f64; 2]> {
    let axis = usize::from(normal[0] == 0.0);
    clip_ring(
        ring,
        |x| normal[0] * x[0] + normal[1] * x[1] - offset,
        // Exactly on the line (the normal is a unit axis), which rounding alone may miss: the
        // seams along it are then recognised by equality.
        |crossing| crossing[axis] = offset * normal[axis],
    )
}

/// Sutherland–Hodgman against one half-plane: keeps the points where `side` is ≤ 0, and puts
/// each crossing where `side` changes sign, adjusted by `snap`.
fn clip_ring(
    ring: &[[f64; 2]],
    side: impl Fn(&[f64; 2]) -> f64,
    snap: impl Fn(&mut [f64; 2]),
) -> Vec<[f64; 2]> {
    let mut out = Vec::with_capacity(ring.len() + 1);
    for (k, current) in ring.iter().enumerate() {
        let next = &ring[(k + 1) % ring.len()];
        let (a, b) = (side(current), side(next));
        if a <= 0.0 {
            out.push(*current);
        }
        if (a < 0.0 && b > 0.0) || (a > 0.0 && b < 0.0) {
            let t = a / (a - b);
            let mut crossing =
                [current[0] + t * (next[0] - current[0]), current[1] + t * (next[1] - current[1])];
            snap(&mut crossing);
            out.push(crossing);
        }
    }
    if out.len() < 3 { Vec::new() } else { out }
}

/// The part of `polygon` inside the convex polygon `convex` (either winding), ring by ring
/// (Sutherland–Hodgman against the half-plane of each of its edges), or `None` when nothing of
/// the exterior is left. Where a concave ring leaves and re-enters, the result runs along the
/// convex edge and back: a zero-width seam. For areas, which seams do not change; the rings keep
/// their winding, so holes still subtract.
pub(crate) fn clip_polygon_to_convex(
    polygon: &Polygon<f64>,
    convex: &Polygon<f64>,
) -> Option<Polygon<f64>> {
    use geo::Area;
    let turn = convex.signed_area().signum();
    let edges: Vec<(Coord<f64>, Coord<f64>)> =
        convex.exterior().lines().map(|line| (line.start, line.end)).collect();
    let clip = |ring: &LineString<f64>| {
        let open = ring.0.split_last().map_or(&[][..], |(_, open)| open);
        let mut out: Vec<[f64; 2]> = open.iter().map(|c| [c.x, c.y]).collect();
        for (from, to) in &edges {
            if out.is_empty() {
                break;
            }
            // Inside is left of a counter-clockwise edge (right of a clockwise one).
            let side = |x: &[f64; 2]| {
                -turn * ((to.x - from.x) * (x[1] - from.y) - (to.y - from.y) * (x[0] - from.x))
            };
            out = clip_ring(&out, side, |_| {});
        }
        (!out.is_empty())
            .then(|| LineString::new(out.into_iter().map(Coord::from).collect::<Vec<_>>()))
    };
    let exterior = clip(polygon.exterior())?;
    Some(Polygon::new(exterior, polygon.interiors().iter().filter_map(clip).collect()))
}

#[cfg(test)]
mod tests {
    use geo::{Distance, Winding};

    use super::*;

    #[test]
    fn cell_part_areas_equal_geodesic_areas_with_shared_edges_computed_once() {
        // The U town, and its neighbour: a box around it with the town's outline
        // as a hole (its exterior reversed), so the two share every boundary vertex.
        let town = crate::testing::concave_town_with_hole();
        let mut outline = town.exterior().clone();
        outline.0.reverse();
        let neighbour = Polygon::new(
            LineString::from(vec![
                (139.590, 35.890),
                (139.590, 35.990),
                (139.710, 35.990),
                (139.710, 35.890),
                (139.590, 35.890),
            ]),
            vec![outline],
        );
        let (town, neighbour) = (MultiPolygon(vec![town]), MultiPolygon(vec![neighbour]));
        let mut part_areas = CellPartAreas::new();
        let (mut cut_cells, mut shared_cells) = (0, 0);
        for cell in crate::testing::cell_lattice((139.590, 35.890), (0.003_125, 0.002_5), (38, 40))
        {
            part_areas.next_cell();
            let parts = [clip_to_rect(&town, cell), clip_to_rect(&neighbour, cell)];
            for part in &parts {
                let (ours, reference) = (part_areas.area_m2(part), geodesic_area_m2(part));
                assert!(
                    (ours - reference).abs() <= 1e-9 * reference.max(1.0),
                    "{cell:?}: {ours} != {reference}"
                );
            }
            // The inverse problems solved: one per edge that is not a meridian, whichever
            // way and in however many parts it runs.
            let directed: Vec<[u64; 4]> = parts
                .iter()
                .flatten()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(LineString::lines)
                .filter(|line| line.start.x.to_bits() != line.end.x.to_bits())
                .map(|line| {
                    let (a, b) = (line.start, line.end);
                    [a.x.to_bits(), a.y.to_bits(), b.x.to_bits(), b.y.to_bits()]
                })
                .collect();
            let distinct: std::collections::HashSet<[u64; 4]> = directed
                .iter()
                .map(|&[ax, ay, bx, by]| [ax, ay, bx, by].min([bx, by, ax, ay]))
                .collect();
            assert_eq!(part_areas.edges.len(), distinct.len(), "{cell:?}");
            if parts.iter().all(|p| !p.0.is_empty()) {
                cut_cells += 1;
                if distinct.len() < directed.len() {
                    shared_cells += 1;
                }
            }
        }
        assert!(cut_cells > 100, "{cut_cells}");
        // Most cells the border crosses have edges both parts run along.
        assert!(shared_cells * 10 >= cut_cells * 9, "{shared_cells} of {cut_cells}");
        // A clockwise ring and a shape far larger than a cell give the same areas too.
        let mut clockwise = town.clone();
        clockwise.0[0].exterior_mut(|ring| ring.0.reverse());
        let (ours, reference) = (part_areas.area_m2(&clockwise), geodesic_area_m2(&town));
        assert!((ours - reference).abs() <= 1e-12 * reference, "{ours} != {reference}");
        let large = grow(bounds_of(&town), 2.0).to_polygon();
        let large = MultiPolygon(vec![large]);
        // Handed to geo's area, bit for bit.
        assert_eq!(part_areas.area_m2(&large).to_bits(), geodesic_area_m2(&large).to_bits());
    }

    #[test]
    fn geographiclib_puts_no_area_under_a_meridian() {
        let geodesic = geographiclib_rs::Geodesic::wgs84();
        let mut random = crate::testing::SplitMix(14);
        for _ in 0..10_000 {
            let lon = random.uniform(-179.0, 179.0);
            let (lat1, lat2) = (random.uniform(-80.0, 80.0), random.uniform(-80.0, 80.0));
            let s12 =
                geodesic._gen_inverse(lat1, lon, lat2, lon, geographiclib_rs::capability::AREA).9;
            // ±0 exactly.
            assert_eq!(s12.abs().to_bits(), 0, "{lat1} {lat2} {lon}: {s12}");
        }
        let mut areas = CellPartAreas::new();
        let (a, b) = (Coord { x: 139.6, y: 35.9 }, Coord { x: 139.6, y: 36.0 });
        assert_eq!((areas.edge_s12(a, b).to_bits(), areas.edge_s12(b, a).to_bits()), (0, 0));
    }

    #[test]
    fn clipping_to_a_convex_polygon_keeps_the_area_of_the_intersection() {
        use geo::{Area, BooleanOps};
        let town = MultiPolygon(vec![crate::testing::concave_town_with_hole()]);
        // A hexagon over the U's arms, its gap and its hole, in both windings.
        let hexagon = Polygon::new(
            LineString::from(vec![
                (139.615, 35.895),
                (139.672, 35.899),
                (139.690, 35.940),
                (139.660, 35.992),
                (139.620, 35.985),
                (139.605, 35.930),
                (139.615, 35.895),
            ]),
            vec![],
        );
        let mut clockwise = hexagon.clone();
        clockwise.exterior_mut(|ring| ring.0.reverse());
        let expected = town.intersection(&MultiPolygon(vec![hexagon.clone()])).unsigned_area();
        for convex in [hexagon, clockwise] {
            let clipped = clip_polygon_to_convex(&town.0[0], &convex).expect("overlaps");
            let area = clipped.unsigned_area();
            // geo's overlay rounds its vertices to an integer grid over the inputs' box: a few
            // parts in a billion.
            assert!((area - expected).abs() <= 1e-8 * expected, "{area} != {expected}");
        }
        let far = grow(Rect::new(Coord { x: 140.0, y: 35.0 }, Coord { x: 140.0, y: 35.0 }), 0.01);
        assert!(clip_polygon_to_convex(&town.0[0], &far.to_polygon()).is_none());
    }

    #[test]
    fn a_row_cut_gives_every_cell_the_part_that_clipping_the_strip_gives() {
        // The U town over 250 m cells.
        let u = crate::testing::concave_town_with_hole();
        let town = MultiPolygon(vec![u]);
        let bounds = town.bounding_rect().unwrap();
        let cells = crate::MeshCode::covering(
            bounds.min().y,
            bounds.min().x,
            bounds.max().y,
            bounds.max().x,
            crate::MeshLevel::Quarter,
        );
        let mut rows = std::collections::BTreeMap::<u32, Vec<crate::MeshCode>>::new();
        for code in cells {
            rows.entry(code.lattice().0).or_default().push(code);
        }
        let (mut whole, mut cut, mut outside) = (0, 0, 0);
        let mut banded = BandedShape::new(&town);
        for (&row_index, row) in &rows {
            let (south, north) = (row[0].south_west().lat(), row[0].north_east().lat());
            let strip = grow(
                Rect::new(
                    Coord { x: bounds.min().x, y: south },
                    Coord { x: bounds.max().x, y: north },
                ),
                1e-6,
            );
            let mut fast = RowCut::new(&town, strip);
            let mut from_band = banded.row(row_index, north - south, strip);
            let slow = clip_to_rect(&town, strip);
            for code in row {
                let square = code.polygon();
                let cell_bounds = square.bounding_rect().unwrap();
                let expected = part_in_cell(&slow, &square, cell_bounds);
                let got = fast.part_in_cell(&square, cell_bounds);
                let area = |m: &MultiPolygon<f64>| geo::Area::unsigned_area(m);
                // The part is the overlay's intersection, in area, geodesic and planar (to 1e-7:
                // the overlay rounds coordinates to a grid of its own; the clip does not).
                let overlay =
                    geo::BooleanOps::intersection(&town, &MultiPolygon(vec![square.clone()]));
                assert!(
                    (area(&expected) - area(&overlay)).abs()
                        <= 1e-7 * geo::Area::unsigned_area(&square),
                    "cell {code} against the overlay: {} against {}",
                    area(&expected),
                    area(&overlay)
                );
                let (geodesic, overlay_geodesic) =
                    (geodesic_area_m2(&expected), geodesic_area_m2(&overlay));
                assert!(
                    (geodesic - overlay_geodesic).abs()
                        <= 1e-7 * geodesic_area_m2(&MultiPolygon(vec![square.clone()])),
                    "cell {code} against the overlay: {geodesic} m² against {overlay_geodesic} m²"
                );
                let banded_part = from_band.part_in_cell(&square, cell_bounds);
                assert!(
                    (area(&banded_part) - area(&expected)).abs() <= 1e-15,
                    "cell {code} from its band: {} against {}",
                    area(&banded_part),
                    area(&expected)
                );
                assert!(
                    (area(&got) - area(&expected)).abs() <= 1e-15,
                    "cell {code}: {} against {}",
                    area(&got),
                    area(&expected)
                );
                if matches!(&expected.0[..], [p] if *p == square) {
                    assert_eq!(got, expected, "cell {code} is whole");
                    whole += 1;
                } else if area(&expected) > 0.0 {
                    cut += 1;
                } else {
                    outside += 1;
                }
            }
        }
        // Every kind of cell occurs: inside, cut by the boundary, in the U's gap and the hole.
        assert!(whole > 50 && cut > 50 && outside > 50, "{whole} {cut} {outside}");
    }

    #[test]
    fn graticule_area_of_mesh_cells_agrees_with_the_geodesic_area_and_adds_up() {
        for code in ["5339461134", "543905021", "53394611", "453900"] {
            let cell: crate::MeshCode = code.parse().unwrap();
            let square = cell.polygon();
            let bounds = square.bounding_rect().unwrap();
            let geodesic = geodesic_area_m2(&MultiPolygon(vec![square]));
            let graticule = graticule_area_m2(bounds);
            // Parallels and geodesics between the same corners enclose almost the same area.
            assert!(
                (graticule - geodesic).abs() <= 1e-6 * geodesic,
                "{code}: graticule {graticule} m², geodesic {geodesic} m²"
            );
            // Two halves of a cell, split along a parallel, add up to the cell.
            let middle = f64::midpoint(bounds.min().y, bounds.max().y);
            let south = Rect::new(bounds.min(), Coord { x: bounds.max().x, y: middle });
            let north = Rect::new(Coord { x: bounds.min().x, y: middle }, bounds.max());
            let halves = graticule_area_m2(south) + graticule_area_m2(north);
            assert!((halves - graticule).abs() <= 1e-9 * graticule);
        }
    }

    fn at(lat: f64, lon: f64) -> Position {
        Position::new(lat, lon).unwrap()
    }

    #[test]
    fn half_plane_clipping() {
        let unit = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        assert_eq!(
            clip_half_plane(&unit, [1.0, 0.0], 0.5),
            [[0.0, 0.0], [0.5, 0.0], [0.5, 1.0], [0.0, 1.0]]
        );
        assert!(clip_half_plane(&unit, [1.0, 0.0], -1.0).is_empty());
        assert_eq!(clip_half_plane(&unit, [1.0, 0.0], 2.0), unit);
    }

    #[test]
    fn circle_vertices_lie_on_the_geodesic_circle_counter_clockwise() {
        let center = at(36.0, 139.65);
        for (radius_m, n) in [(100.0, 64), (2000.0, 64), (30_000.0, 128)] {
            let circle = geodesic_circle(center, radius_m, n);
            assert!(circle.exterior().is_ccw());
            assert_eq!(circle.exterior().0.len(), n + 1);
            for p in circle.exterior().points() {
                assert!((Geodesic.distance(center.to_point(), p) - radius_m).abs() < 1e-6);
            }
            // First vertex due north, second turned towards the west.
            let ring = &circle.exterior().0;
            assert!((ring[0].x - 139.65).abs() < 1e-12 && ring[0].y > 36.0);
            assert!(ring[1].x < 139.65);
        }
    }
}
