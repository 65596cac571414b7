//! The one spatial index of care-atlas: entries `(Position, T)` in an R-tree over a
//! [`LocalFrame`], answering exact geodesic questions: the entries in order of distance from a
//! point, the k nearest, the nearest distance, those within a radius or a lon/lat rectangle.
//!
//! The technique lives here and nowhere else: **the local frame proposes candidates, the
//! geodesic distance decides.** A frame distance `d` bounds the geodesic distance to
//! `[d·(1 − e), d/(1 − e)]` (`e` the frame's relative error bound from the origin, a little wider
//! than the frame's stated `[d·(1 − e), d·(1 + e)]` so that it holds whether `e` is relative to
//! the frame or to the geodesic distance), so a search in frame order can stop as soon as the
//! lower bound passes the answer, and a radius search widened by `1/(1 − e)` misses nothing. Every
//! distance returned is geodesic (WGS84, Karney's algorithm through geo's [`Geodesic`]); ties are
//! broken by the entries' values, so answers are stable.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::iter::Peekable;

use geo::{Distance, Geodesic};
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};

use crate::spatial::frame::{SHORT_DISTANCE_RELATIVE_ERROR, short_distance_m};
use crate::{LocalFrame, Position};

/// Absolute slack, in metres, added to the frame's distance bounds to absorb rounding.
const SLACK_M: f64 = 1e-6;

/// An R-tree entry: the position in the frame, and the position itself with its value, so that a
/// query computes geodesic distances without touching the caller's records (a cache miss each in
/// a million).
type Entry<T> = GeomWithData<[f64; 2], (Position, T)>;

/// Entries `(Position, T)` in an R-tree over a local frame, bulk-loaded once.
#[derive(Debug)]
pub struct PositionIndex<T> {
    frame: LocalFrame,
    tree: RTree<Entry<T>>,
}

/// An entry found from an origin, with its geodesic distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour<'a, T> {
    /// The entry's position.
    pub position: Position,
    /// The entry's value.
    pub value: &'a T,
    /// Geodesic distance from the origin in metres.
    pub distance_m: f64,
}

/// An entry the frame proposes for a radius, with bounds on its geodesic distance from the
/// origin: `min_distance_m ≤ geodesic ≤ max_distance_m`. Where the answer is the same at both
/// bounds, the geodesic distance need not be computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate<'a, T> {
    /// The entry's position.
    pub position: Position,
    /// The entry's value.
    pub value: &'a T,
    /// A lower bound on the geodesic distance in metres (≥ 0).
    pub min_distance_m: f64,
    /// An upper bound on the geodesic distance in metres.
    pub max_distance_m: f64,
}

/// The iterator of [`PositionIndex::candidates_within`].
pub struct Candidates<'a, T> {
    entries: rstar::iterators::LocateWithinDistanceIterator<'a, Entry<T>>,
    here: [f64; 2],
    error: f64,
}

impl<'a, T> Iterator for Candidates<'a, T> {
    type Item = Candidate<'a, T>;

    // Not inlined, on purpose: inlined into a caller's loop (E2SFCA's pairs), the R-tree
    // traversal compiled to about 1.8 times the instructions (callgrind), and E2SFCA on the
    // 250 m grid went from 6.2 to 9.6 ms; as a call of its own it compiles as before.
    #[inline(never)]
    fn next(&mut self) -> Option<Self::Item> {
        let entry = self.entries.next()?;
        let [east, north] = *entry.geom();
        let (dx, dy) = (east - self.here[0], north - self.here[1]);
        // Not `hypot`: its care for overflow cost a quarter of E2SFCA's time, and at these
        // magnitudes the square root's rounding is far inside `SLACK_M`.
        let planar = (dx * dx + dy * dy).sqrt();
        Some(Candidate {
            position: entry.data.0,
            value: &entry.data.1,
            min_distance_m: (planar * (1.0 - self.error) - SLACK_M).max(0.0),
            max_distance_m: planar / (1.0 - self.error) + SLACK_M,
        })
    }
}

/// One value per entry summed over every subtree of a [`PositionIndex`]'s R-tree, in the
/// tree's preorder, for [`PositionIndex::banded_sum`]: made once per set of values (a catchment's
/// populations, its supply ratios), then asked from many origins.
#[derive(Debug, Clone)]
pub struct SubtreeSums {
    /// The sum over each inner node's entries, nodes in preorder.
    sums: Vec<f64>,
    /// The preorder position just past each inner node's subtree, to skip it whole.
    ends: Vec<usize>,
}

/// A step function of distance for [`PositionIndex::banded_sum`]: `band(d)` is non-decreasing
/// in `d` (NaN falls in the last band), and `weights[band(d)]` is the weight at distance `d`,
/// never negative (a band of weight 0 is skipped).
#[derive(Clone, Copy)]
pub struct Bands<'a, B: Fn(f64) -> usize> {
    /// The band a geodesic distance in metres falls in.
    pub band: B,
    /// The weight of each band.
    pub weights: &'a [f64],
}

impl<T> PositionIndex<T> {
    /// The sums of `value` over every subtree, for [`PositionIndex::banded_sum`].
    #[must_use]
    pub fn subtree_sums(&self, value: impl Fn(&T) -> f64) -> SubtreeSums {
        fn visit<T>(
            node: &rstar::ParentNode<Entry<T>>,
            value: &impl Fn(&T) -> f64,
            sums: &mut SubtreeSums,
        ) -> f64 {
            let here = sums.sums.len();
            sums.sums.push(0.0);
            sums.ends.push(here);
            let mut total = 0.0;
            for child in node.children() {
                total += match child {
                    rstar::RTreeNode::Leaf(entry) => value(&entry.data.1),
                    rstar::RTreeNode::Parent(parent) => visit(parent, value, sums),
                };
            }
            sums.sums[here] = total;
            sums.ends[here] = sums.sums.len();
            total
        }
        let mut sums = SubtreeSums { sums: Vec::new(), ends: Vec::new() };
        visit(self.tree.root(), &value, &mut sums);
        sums
    }

    /// `Σ weights[band(d)] · value(entry)` over every entry, `d` its geodesic distance from
    /// `origin`: a distance-weighted sum such as a floating catchment's. A whole subtree whose
    /// frame box lies, by the frame's bounds, in one band is taken at once from `sums` (made by
    /// [`PositionIndex::subtree_sums`] with the same `value`), so only entries near a band's edge
    /// are looked at one by one; of those, the ones the frame cannot place are placed by
    /// [`crate::short_distance_m`]'s tighter bound, and only the few within a hundredth of a
    /// percent of an edge get a geodesic distance. Every entry gets the weight of its geodesic
    /// distance; the sum differs from adding entry by entry only in the order of the additions.
    ///
    /// ```
    /// use care_atlas_core::{Bands, LocalFrame, Position, PositionIndex};
    /// let at = |lat, lon| Position::new(lat, lon).unwrap();
    /// let frame = LocalFrame::for_extent(35.9, 139.6, 36.1, 139.7);
    /// // 100 people 1.1 km north, 50 people 2.2 km north, 7 people 5.5 km north.
    /// let index = PositionIndex::new(
    ///     [(at(36.01, 139.65), 100.0), (at(36.02, 139.65), 50.0), (at(36.05, 139.65), 7.0)],
    ///     frame,
    /// );
    /// let sums = index.subtree_sums(|people| *people);
    /// // Weight 1 within 2 km, 0.5 within 3 km, 0 beyond.
    /// let bands = Bands { band: |d: f64| if d <= 2000.0 { 0 } else if d <= 3000.0 { 1 } else { 2 }, weights: &[1.0, 0.5, 0.0] };
    /// assert_eq!(index.banded_sum(at(36.0, 139.65), &sums, |people| *people, &bands), 125.0);
    /// ```
    pub fn banded_sum<B: Fn(f64) -> usize>(
        &self,
        origin: Position,
        sums: &SubtreeSums,
        value: impl Fn(&T) -> f64,
        bands: &Bands<'_, B>,
    ) -> f64 {
        let here = self.frame.project(origin);
        let error = self.frame.max_relative_error_from(origin);
        // The geodesic bounds of a frame distance range, as in `candidates_within`.
        let settled = |planar_min_m: f64, planar_max_m: f64| {
            let band = (bands.band)((planar_min_m * (1.0 - error) - SLACK_M).max(0.0));
            (band == (bands.band)(planar_max_m / (1.0 - error) + SLACK_M)).then_some(band)
        };
        let mut total = 0.0;
        let mut stack = vec![(self.tree.root(), 0usize)];
        while let Some((node, at)) = stack.pop() {
            let mut child_at = at + 1;
            for child in node.children() {
                match child {
                    rstar::RTreeNode::Leaf(entry) => {
                        let [east, north] = *entry.geom();
                        let (dx, dy) = (east - here[0], north - here[1]);
                        let planar = (dx * dx + dy * dy).sqrt();
                        let position = entry.data.0;
                        let band = settled(planar, planar)
                            .or_else(|| {
                                // Near an edge: a tighter bound first, then the geodesic.
                                let short = short_distance_m(origin, position)?;
                                let low = short * (1.0 - SHORT_DISTANCE_RELATIVE_ERROR) - SLACK_M;
                                let band = (bands.band)(low.max(0.0));
                                // Widened as the frame's bound is, so that it holds whether
                                // the error is relative to this distance or to the geodesic.
                                let high = short / (1.0 - SHORT_DISTANCE_RELATIVE_ERROR) + SLACK_M;
                                (band == (bands.band)(high)).then_some(band)
                            })
                            .unwrap_or_else(|| {
                                (bands.band)(
                                    Geodesic.distance(origin.to_point(), position.to_point()),
                                )
                            });
                        let weight = bands.weights[band];
                        if weight > 0.0 {
                            total += weight * value(&entry.data.1);
                        }
                    }
                    rstar::RTreeNode::Parent(parent) => {
                        let envelope = parent.envelope();
                        let (low, high) = (envelope.lower(), envelope.upper());
                        let far_x = (here[0] - low[0]).max(high[0] - here[0]);
                        let far_y = (here[1] - low[1]).max(high[1] - here[1]);
                        let nearest = envelope.distance_2(&here).sqrt();
                        let farthest = (far_x * far_x + far_y * far_y).sqrt();
                        match settled(nearest, farthest) {
                            Some(band) => {
                                let weight = bands.weights[band];
                                if weight > 0.0 {
                                    total += weight * sums.sums[child_at];
                                }
                            }
                            None => stack.push((parent, child_at)),
                        }
                        child_at = sums.ends[child_at];
                    }
                }
            }
        }
        total
    }
}

impl<T> PositionIndex<T> {
    /// Indexes `entries` in `frame`.
    #[must_use]
    pub fn new(entries: impl IntoIterator<Item = (Position, T)>, frame: LocalFrame) -> Self {
        let tree = RTree::bulk_load(
            entries
                .into_iter()
                .map(|(position, value)| {
                    GeomWithData::new(frame.project(position), (position, value))
                })
                .collect(),
        );
        PositionIndex { frame, tree }
    }

    /// How many entries there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// Whether there is no entry.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// The frame the entries are indexed in.
    #[must_use]
    pub fn frame(&self) -> &LocalFrame {
        &self.frame
    }

    /// Every entry within `radius_m` (geodesic, inclusive) of `origin`, in no particular order.
    ///
    /// ```
    /// use care_atlas_core::{LocalFrame, Position, PositionIndex};
    /// let at = |lat, lon| Position::new(lat, lon).unwrap();
    /// let frame = LocalFrame::for_extent(35.9, 139.6, 36.1, 139.7);
    /// let index = PositionIndex::new([(at(36.0, 139.65), 'a'), (at(36.01, 139.65), 'b')], frame);
    /// let found: Vec<char> = index.within(at(36.0, 139.65), 500.0).map(|n| *n.value).collect();
    /// assert_eq!(found, ['a']);
    /// ```
    pub fn within(
        &self,
        origin: Position,
        radius_m: f64,
    ) -> impl Iterator<Item = Neighbour<'_, T>> {
        self.candidates_within(origin, radius_m).filter_map(move |c| {
            let distance_m = Geodesic.distance(origin.to_point(), c.position.to_point());
            (distance_m <= radius_m).then_some(Neighbour {
                position: c.position,
                value: c.value,
                distance_m,
            })
        })
    }

    /// Every entry that may lie within `radius_m` (geodesic) of `origin`, each with bounds on its
    /// geodesic distance from the frame: a superset of [`PositionIndex::within`], for callers
    /// that can often decide from the bounds alone (a catchment's distance bands). Nothing for a
    /// negative or NaN radius.
    ///
    /// ```
    /// use care_atlas_core::{LocalFrame, Position, PositionIndex};
    /// let at = |lat, lon| Position::new(lat, lon).unwrap();
    /// let frame = LocalFrame::for_extent(35.9, 139.6, 36.1, 139.7);
    /// let index = PositionIndex::new([(at(36.01, 139.65), ())], frame);
    /// let c = index.candidates_within(at(36.0, 139.65), 2000.0).next().unwrap();
    /// assert!(c.min_distance_m <= 1109.0 && 1110.0 <= c.max_distance_m);
    /// ```
    #[must_use]
    pub fn candidates_within(&self, origin: Position, radius_m: f64) -> Candidates<'_, T> {
        let here = self.frame.project(origin);
        let error = self.frame.max_relative_error_from(origin);
        let reach = (radius_m + SLACK_M) / (1.0 - error);
        // A negative squared radius selects nothing, which is what a negative or NaN radius asks.
        let reach_2 = if radius_m >= 0.0 { reach * reach } else { -1.0 };
        Candidates { entries: self.tree.locate_within_distance(here, reach_2), here, error }
    }

    /// Every entry inside the longitude/latitude rectangle `rect` (`x` longitude, `y` latitude,
    /// edges included), in no particular order.
    ///
    /// The frame is affine in longitude and latitude, each axis a subtraction then a
    /// multiplication by a positive constant, and both round monotonically: a position inside
    /// the rectangle projects inside the projected rectangle, so the tree misses none; the few it
    /// proposes from just outside (where rounding ties) are dropped by the exact test in degrees.
    ///
    /// ```
    /// use care_atlas_core::{LocalFrame, Position, PositionIndex};
    /// let at = |lat, lon| Position::new(lat, lon).unwrap();
    /// let frame = LocalFrame::for_extent(35.9, 139.6, 36.1, 139.7);
    /// let index = PositionIndex::new([(at(36.0, 139.65), 'a'), (at(36.05, 139.65), 'b')], frame);
    /// let rect = geo::Rect::new(geo::coord! { x: 139.6, y: 35.95 }, geo::coord! { x: 139.7, y: 36.0 });
    /// let found: Vec<char> = index.in_rect(rect).map(|(_, v)| *v).collect();
    /// assert_eq!(found, ['a']);
    /// ```
    pub fn in_rect(&self, rect: geo::Rect<f64>) -> impl Iterator<Item = (Position, &T)> {
        let (min, max) = (rect.min(), rect.max());
        let corner = |lat: f64, lon: f64| {
            Position::new(lat.clamp(-90.0, 90.0), lon.clamp(-180.0, 180.0)).ok()
        };
        // Every position lies within the valid ranges, so clamping the corners loses none; a NaN
        // corner matches nothing.
        let envelope = corner(min.y, min.x)
            .zip(corner(max.y, max.x))
            .map(|(a, b)| AABB::from_corners(self.frame.project(a), self.frame.project(b)));
        envelope
            .into_iter()
            .flat_map(move |envelope| self.tree.locate_in_envelope(&envelope))
            .map(|entry| (entry.data.0, &entry.data.1))
            .filter(move |(p, _)| {
                (min.x..=max.x).contains(&p.lon()) && (min.y..=max.y).contains(&p.lat())
            })
    }

    /// Every entry in order of a lower bound of its geodesic distance from `origin` in metres,
    /// with that bound (non-decreasing along the stream): in frame order where the frame bounds
    /// the error tightly, else (an origin well outside the data: a farm or a neighbouring town
    /// beyond the snapshot) in the order of [`SphereOrder`]'s bound, which holds anywhere.
    fn frame_order(&self, origin: Position) -> impl Iterator<Item = (f64, &Entry<T>)> {
        let error = self.frame.max_relative_error_from(origin);
        if error > SPHERE_ORDER_ABOVE_ERROR {
            return Ordered::Sphere(SphereOrder::new(self, origin));
        }
        let shrink = 1.0 - error;
        Ordered::Frame(
            self.tree
                .nearest_neighbor_iter_with_distance_2(&self.frame.project(origin))
                .map(move |(entry, d2)| (d2.sqrt() * shrink, entry)),
        )
    }
}

/// The side, in degrees, of the blocks of origins of [`PositionIndex::nearest_distances_m`].
const BLOCK_DEG: f64 = 0.25;

/// How far around its block, in degrees, a block's own index reaches: about 14 km, beyond the
/// nearest facility of nearly every place people live, and with the block a frame half a degree
/// wide, whose error bound (about 0.7% in Japan's latitudes) stays under
/// [`SPHERE_ORDER_ABOVE_ERROR`], so the frame order answers.
const BLOCK_MARGIN_DEG: f64 = 0.125;

/// The frame error bound above which [`SphereOrder`] orders the search instead of the frame: the
/// sphere's bound is within 1% of the geodesic distance anywhere (see [`SPHERE_METRES_PER_RAD`]),
/// so it is the tighter one beyond that; an origin more than half a degree beyond the data has no
/// frame bound at all, and the frame order would compute the geodesic distance of every entry.
const SPHERE_ORDER_ABOVE_ERROR: f64 = 0.01;

/// A lower bound of WGS84 geodesic distance, in metres per radian of the great-circle angle
/// between the two positions with their geodetic latitude and longitude taken as spherical
/// coordinates: the smallest radius of curvature of the ellipsoid, the meridional radius at the
/// equator `a·(1 − e²)`. Along any path the ellipsoid's line element
/// `√(M²·dφ² + N²·cos²φ·dλ²)` is at least `min(M, N)` times the sphere's `√(dφ² + cos²φ·dλ²)`, and
/// `N ≥ a > a·(1 − e²)`, `M ≥ a·(1 − e²)`; so the geodesic is at least this times the angle (and,
/// with the largest radius `a/√(1 − e²)`, at most 1.0101 times it).
const SPHERE_METRES_PER_RAD: f64 = 6_378_137.0 * (1.0 - 0.006_694_379_990_141_317);

/// The frame-order stream of [`PositionIndex::frame_order`], or the sphere-order one.
enum Ordered<F, S> {
    Frame(F),
    Sphere(S),
}

impl<I, F: Iterator<Item = I>, S: Iterator<Item = I>> Iterator for Ordered<F, S> {
    type Item = I;

    fn next(&mut self) -> Option<I> {
        match self {
            Ordered::Frame(stream) => stream.next(),
            Ordered::Sphere(stream) => stream.next(),
        }
    }
}

/// A best-first walk of the R-tree by a lower bound of the geodesic distance that holds for any
/// origin: for a node, [`SPHERE_METRES_PER_RAD`] times a lower bound of the angle from the origin
/// to the node's box in latitude and longitude (the latitude gap, or the angle to the nearer
/// bounding meridian's great circle, which every path into the box crosses); for an entry, times
/// its great-circle angle. A box's bound never exceeds that of a box or entry inside it, so the
/// entries come out in non-decreasing order of their bounds.
struct SphereOrder<'a, T> {
    index: &'a PositionIndex<T>,
    lat: f64,
    lon: f64,
    queue: BinaryHeap<Reverse<Pending<'a, T>>>,
}

/// A node or an entry waiting in a [`SphereOrder`], with its lower bound in metres.
struct Pending<'a, T> {
    lower_m: f64,
    node: &'a rstar::RTreeNode<Entry<T>>,
}

impl<T> Ord for Pending<'_, T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.lower_m.total_cmp(&other.lower_m)
    }
}
impl<T> PartialOrd for Pending<'_, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> PartialEq for Pending<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<T> Eq for Pending<'_, T> {}

impl<'a, T> SphereOrder<'a, T> {
    fn new(index: &'a PositionIndex<T>, origin: Position) -> Self {
        let mut order = SphereOrder {
            index,
            lat: origin.lat().to_radians(),
            lon: origin.lon().to_radians(),
            queue: BinaryHeap::new(),
        };
        order.push_children(index.tree.root());
        order
    }

    fn push_children(&mut self, parent: &'a rstar::ParentNode<Entry<T>>) {
        for node in parent.children() {
            let lower_m = match node {
                rstar::RTreeNode::Leaf(entry) => self.entry_bound_m(entry.data.0),
                rstar::RTreeNode::Parent(parent) => self.box_bound_m(&parent.envelope()),
            };
            self.queue.push(Reverse(Pending { lower_m, node }));
        }
    }

    /// The great-circle angle to `p` (haversine), times [`SPHERE_METRES_PER_RAD`], less a
    /// millimetre for rounding.
    fn entry_bound_m(&self, p: Position) -> f64 {
        let (lat, lon) = (p.lat().to_radians(), p.lon().to_radians());
        let h = ((lat - self.lat) / 2.0).sin().powi(2)
            + self.lat.cos() * lat.cos() * ((lon - self.lon) / 2.0).sin().powi(2);
        (2.0 * h.sqrt().min(1.0).asin() * SPHERE_METRES_PER_RAD - 1e-3).max(0.0)
    }

    /// A lower bound of the angle to any position in the frame box `envelope`, times
    /// [`SPHERE_METRES_PER_RAD`], less a millimetre for rounding; 0 when the box cannot be
    /// unprojected.
    fn box_bound_m(&self, envelope: &AABB<[f64; 2]>) -> f64 {
        let frame = &self.index.frame;
        let (Some(low), Some(high)) =
            (frame.unproject(envelope.lower()), frame.unproject(envelope.upper()))
        else {
            return 0.0;
        };
        let (south, north) = (low.lat().to_radians(), high.lat().to_radians());
        let (west, east) = (low.lon().to_radians(), high.lon().to_radians());
        let lat_gap = (south - self.lat).max(self.lat - north).max(0.0);
        let lon_gap = (west - self.lon).max(self.lon - east).max(0.0);
        // The box lies beyond the meridian plane of its nearer edge, so any path to it crosses
        // that plane: at least the angle to its great circle (while the gap is under 90°).
        let cross = if lon_gap < std::f64::consts::FRAC_PI_2 {
            (self.lat.cos() * lon_gap.sin()).min(1.0).asin()
        } else {
            0.0
        };
        (lat_gap.max(cross) * SPHERE_METRES_PER_RAD - 1e-3).max(0.0)
    }
}

impl<'a, T> Iterator for SphereOrder<'a, T> {
    type Item = (f64, &'a Entry<T>);

    fn next(&mut self) -> Option<Self::Item> {
        while let Some(Reverse(Pending { lower_m, node })) = self.queue.pop() {
            match node {
                rstar::RTreeNode::Leaf(entry) => return Some((lower_m, entry)),
                rstar::RTreeNode::Parent(parent) => self.push_children(parent),
            }
        }
        None
    }
}

impl<T: Ord> PositionIndex<T> {
    /// Every entry in order of geodesic distance from `origin`, ties by value; lazily, so taking
    /// the first few costs little more than finding them.
    ///
    /// ```
    /// use care_atlas_core::{LocalFrame, Position, PositionIndex};
    /// let at = |lat, lon| Position::new(lat, lon).unwrap();
    /// let frame = LocalFrame::for_extent(35.9, 139.6, 36.1, 139.7);
    /// let index = PositionIndex::new([(at(36.02, 139.65), 2), (at(36.01, 139.65), 1)], frame);
    /// let order: Vec<i32> = index.nearest_iter(at(36.0, 139.65)).map(|n| *n.value).collect();
    /// assert_eq!(order, [1, 2]);
    /// ```
    pub fn nearest_iter(&self, origin: Position) -> impl Iterator<Item = Neighbour<'_, T>> {
        NearestIter::new(origin, self.frame_order(origin))
    }

    /// Geodesic distance in metres from `origin` to the nearest entry, if there is any.
    ///
    /// ```
    /// use care_atlas_core::{LocalFrame, Position, PositionIndex};
    /// let at = |lat, lon| Position::new(lat, lon).unwrap();
    /// let frame = LocalFrame::for_extent(35.9, 139.6, 36.1, 139.7);
    /// let index = PositionIndex::new([(at(36.0, 139.65), ()), (at(36.01, 139.65), ())], frame);
    /// let d = index.nearest_distance_m(at(36.009, 139.65)).unwrap();
    /// assert!((d - 110.9).abs() < 0.1);
    /// ```
    #[must_use]
    pub fn nearest_distance_m(&self, origin: Position) -> Option<f64> {
        // The nearest alone needs no ordering of the candidates, so no heap: walk the frame
        // order until the lower bound passes the best distance found (gaps and site suggestions
        // ask this once per mesh cell).
        let mut best = f64::INFINITY;
        for (lower_bound_m, entry) in self.frame_order(origin) {
            if lower_bound_m > best {
                break;
            }
            best = best.min(Geodesic.distance(origin.to_point(), entry.data.0.to_point()));
        }
        best.is_finite().then_some(best)
    }

    /// Whether some entry lies within `radius_m` (geodesic, inclusive) of `origin`: the same as
    /// `nearest_distance_m(origin) <= radius_m`, but most answers come from the frame's bounds
    /// alone, with no geodesic distance computed (a 250 m cell in reach of a station, or far
    /// out of it).
    ///
    /// ```
    /// use care_atlas_core::{LocalFrame, Position, PositionIndex};
    /// let at = |lat, lon| Position::new(lat, lon).unwrap();
    /// let frame = LocalFrame::for_extent(35.9, 139.6, 36.1, 139.7);
    /// let index = PositionIndex::new([(at(36.0, 139.65), ())], frame);
    /// assert!(index.any_within_m(at(36.009, 139.65), 1_000.0));
    /// assert!(!index.any_within_m(at(36.009, 139.65), 100.0));
    /// ```
    #[must_use]
    pub fn any_within_m(&self, origin: Position, radius_m: f64) -> bool {
        if radius_m.is_nan() || radius_m < 0.0 {
            return false;
        }
        let error = self.frame.max_relative_error_from(origin);
        // In frame order the bound is the frame distance shrunk by the error, and the frame
        // distance grown by it bounds the geodesic from above (as in `candidates_within`).
        let frame_order = error <= SPHERE_ORDER_ABOVE_ERROR;
        for (lower_bound_m, entry) in self.frame_order(origin) {
            if lower_bound_m > radius_m {
                return false;
            }
            if frame_order && lower_bound_m / ((1.0 - error) * (1.0 - error)) + SLACK_M <= radius_m
            {
                return true;
            }
            if Geodesic.distance(origin.to_point(), entry.data.0.to_point()) <= radius_m {
                return true;
            }
        }
        false
    }

    /// [`PositionIndex::nearest_distance_m`] of each of `origins`, the same distances. Where the
    /// index's frame is loose (data spanning a country), the origins are answered in blocks (see
    /// `by_blocks`). Gaps ask this of the cells they draw.
    #[must_use]
    pub fn nearest_distances_m(&self, origins: &[Position]) -> Vec<Option<f64>>
    where
        T: Sync,
    {
        self.by_blocks(
            origins,
            |local, origin, outside_at_least_m| match local.nearest_distance_m(origin) {
                Some(found) if found <= outside_at_least_m => Some(Some(found)),
                _ => None,
            },
            PositionIndex::nearest_distance_m,
        )
    }

    /// [`PositionIndex::any_within_m`] of each of `origins`, the same answers, in blocks as
    /// [`PositionIndex::nearest_distances_m`]: the reach of every 250 m cell of a country's study
    /// area, 2.3 million origins, most of them answered by the frame's bounds alone.
    #[must_use]
    pub fn any_within_each_m(&self, origins: &[Position], radius_m: f64) -> Vec<bool>
    where
        T: Sync,
    {
        self.by_blocks(
            origins,
            |local, origin, outside_at_least_m| {
                if local.any_within_m(origin, radius_m) {
                    Some(true)
                } else {
                    // Nothing inside is in reach; nothing outside is either when the block's
                    // edge is farther than the radius.
                    (radius_m < outside_at_least_m).then_some(false)
                }
            },
            |index, origin| index.any_within_m(origin, radius_m),
        )
    }

    /// An answer for each of `origins`: by `whole` from this index where its frame bounds the
    /// error tightly; elsewhere (data spanning a country) the origins are taken in blocks of
    /// [`BLOCK_DEG`], each asked of an index of the entries within [`BLOCK_MARGIN_DEG`] around
    /// the block on a frame of its own, tight enough for the frame order, by `local(block index,
    /// origin, outside_at_least_m)`, where `outside_at_least_m` bounds from below the geodesic
    /// distance to any entry outside that index (the geodesic to anything outside crosses the
    /// block's edge, and the frame bounds the distance to the edge from below); `local` returns
    /// `None` when that index cannot decide, and `whole` answers instead.
    fn by_blocks<R: Clone + Default + Send>(
        &self,
        origins: &[Position],
        local: impl Fn(&PositionIndex<()>, Position, f64) -> Option<R> + Sync,
        whole: impl Fn(&Self, Position) -> R + Sync,
    ) -> Vec<R>
    where
        T: Sync,
    {
        let mut out = vec![R::default(); origins.len()];
        let mut blocks: std::collections::BTreeMap<(i64, i64), Vec<usize>> =
            std::collections::BTreeMap::new();
        for (i, origin) in origins.iter().enumerate() {
            if self.frame.max_relative_error_from(*origin) <= SPHERE_ORDER_ABOVE_ERROR {
                out[i] = whole(self, *origin);
            } else {
                #[allow(clippy::cast_possible_truncation)] // latitudes and longitudes: small
                let block = (
                    (origin.lat() / BLOCK_DEG).floor() as i64,
                    (origin.lon() / BLOCK_DEG).floor() as i64,
                );
                blocks.entry(block).or_default().push(i);
            }
        }
        // Blocks are answered on every core; each answer goes to its origin's slot.
        let blocks: Vec<((i64, i64), Vec<usize>)> = blocks.into_iter().collect();
        let answers: Vec<Vec<(usize, R)>> = blocks
            .par_iter()
            .map(|((row, column), members)| {
                #[allow(clippy::cast_precision_loss)] // small block numbers
                let (south, west) = (*row as f64 * BLOCK_DEG, *column as f64 * BLOCK_DEG);
                let (south, west, north, east) = (
                    (south - BLOCK_MARGIN_DEG).max(-90.0),
                    west - BLOCK_MARGIN_DEG,
                    (south + BLOCK_DEG + BLOCK_MARGIN_DEG).min(90.0),
                    west + BLOCK_DEG + BLOCK_MARGIN_DEG,
                );
                let corner = |lat: f64, lon: f64| Position::new(lat, lon).ok();
                let (Some(south_west), Some(north_east)) =
                    (corner(south, west), corner(north, east))
                else {
                    return members.iter().map(|&i| (i, whole(self, origins[i]))).collect();
                };
                // The global frame is linear in latitude and longitude, so the block's box is a
                // rectangle there too.
                let envelope = AABB::from_corners(
                    self.frame.project(south_west),
                    self.frame.project(north_east),
                );
                let frame = LocalFrame::for_extent(south, west, north, east);
                let block_index = PositionIndex::new(
                    self.tree.locate_in_envelope(&envelope).map(|e| (e.data.0, ())),
                    frame,
                );
                let ([x0, y0], [x1, y1]) = (frame.project(south_west), frame.project(north_east));
                members
                    .iter()
                    .map(|&i| {
                        let origin = origins[i];
                        let [x, y] = frame.project(origin);
                        let to_edge_m = (x - x0).min(x1 - x).min(y - y0).min(y1 - y);
                        let outside_at_least_m =
                            to_edge_m * (1.0 - frame.max_relative_error_from(origin)) - SLACK_M;
                        let answer = local(&block_index, origin, outside_at_least_m)
                            .unwrap_or_else(|| whole(self, origin));
                        (i, answer)
                    })
                    .collect()
            })
            .collect();
        for (i, answer) in answers.into_iter().flatten() {
            out[i] = answer;
        }
        out
    }

    /// The `k` entries nearest to `origin` by geodesic distance (ties by value), no farther than
    /// `max_distance_m` when given, leaving out the entry whose value is `exclude`.
    ///
    /// ```
    /// use care_atlas_core::{LocalFrame, Position, PositionIndex};
    /// let at = |lat, lon| Position::new(lat, lon).unwrap();
    /// let frame = LocalFrame::for_extent(35.9, 139.6, 36.1, 139.7);
    /// let index = PositionIndex::new((0..10).map(|i| (at(36.0 + f64::from(i) * 0.001, 139.65), i)), frame);
    /// let found = index.k_nearest(at(36.0, 139.65), 3, Some(250.0), Some(&0));
    /// assert_eq!(found.iter().map(|n| *n.value).collect::<Vec<_>>(), [1, 2]);
    /// ```
    #[must_use]
    pub fn k_nearest(
        &self,
        origin: Position,
        k: usize,
        max_distance_m: Option<f64>,
        exclude: Option<&T>,
    ) -> Vec<Neighbour<'_, T>> {
        if k == 0 || self.is_empty() {
            return Vec::new();
        }
        if let Some(found) = self.window_candidates(origin, k, max_distance_m, exclude) {
            return rank(origin, found, k, max_distance_m);
        }
        first_k(self.nearest_iter(origin), k, max_distance_m, exclude)
    }

    /// The candidates of a k-nearest query found in one window around the origin, sized from the
    /// tree's mean density to hold about 1.4 k entries, without the nearest-neighbour iterator's
    /// priority queue; `None` when the window cannot prove it holds every entry that could rank
    /// (too few entries in it, as in sparse or clustered data), and the caller iterates instead.
    fn window_candidates(
        &self,
        origin: Position,
        k: usize,
        max_distance_m: Option<f64>,
        exclude: Option<&T>,
    ) -> Option<Vec<&Entry<T>>> {
        let here = self.frame.project(origin);
        let error = self.frame.max_relative_error_from(origin);
        let envelope = self.tree.root().envelope();
        let (lower, upper) = (envelope.lower(), envelope.upper());
        let area_m2 = (upper[0] - lower[0]) * (upper[1] - lower[1]);
        if area_m2 <= 0.0 {
            return None;
        }
        let wanted = (k + usize::from(exclude.is_some())) as f64;
        let density_per_m2 = self.len() as f64 / area_m2;
        let mut radius_m = (1.4 * wanted / (std::f64::consts::PI * density_per_m2)).sqrt();
        // With a distance limit, a window reaching past the limit proves completeness by itself.
        let limit_m = max_distance_m.map(|max| max / (1.0 - error));
        if let Some(limit) = limit_m {
            radius_m = radius_m.min(limit);
        }
        // Squared frame distances: the square root is taken only for the k-th.
        let mut found: Vec<(f64, &Entry<T>)> = self
            .tree
            .locate_within_distance(here, radius_m * radius_m)
            .filter(|entry| exclude != Some(&entry.data.1))
            .map(|entry| {
                let (dx, dy) = (entry.geom()[0] - here[0], entry.geom()[1] - here[1]);
                (dx * dx + dy * dy, entry)
            })
            .collect();
        let reaches_limit = limit_m.is_some_and(|limit| radius_m >= limit);
        if found.len() < k {
            return reaches_limit.then(|| found.into_iter().map(|(_, entry)| entry).collect());
        }
        found.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0));
        let kth_upper_bound_m = found[k - 1].0.sqrt() / (1.0 - error);
        // Anything outside the window is farther than radius × (1 − e) geodesically.
        if kth_upper_bound_m > radius_m * (1.0 - error) && !reaches_limit {
            return None;
        }
        let keep_below_d2 = (kth_upper_bound_m / (1.0 - error)).powi(2);
        Some(found.into_iter().filter(|(d2, _)| *d2 <= keep_below_d2).map(|(_, e)| e).collect())
    }
}

/// The `k` entries nearest to `origin` over several indexes (a k-way merge of their frame-order
/// streams), as [`PositionIndex::k_nearest`] answers for one. Each index may have its own frame.
///
/// ```
/// use care_atlas_core::{LocalFrame, Position, PositionIndex, k_nearest_in};
/// let at = |lat, lon| Position::new(lat, lon).unwrap();
/// let frame = LocalFrame::for_extent(35.9, 139.6, 36.1, 139.7);
/// let odd = PositionIndex::new([(at(36.01, 139.65), 1), (at(36.03, 139.65), 3)], frame);
/// let even = PositionIndex::new([(at(36.02, 139.65), 2), (at(36.04, 139.65), 4)], frame);
/// let found = k_nearest_in(&[&odd, &even], at(36.0, 139.65), 3, None, None);
/// assert_eq!(found.iter().map(|n| *n.value).collect::<Vec<_>>(), [1, 2, 3]);
/// ```
#[must_use]
pub fn k_nearest_in<'a, T: Ord>(
    indexes: &[&'a PositionIndex<T>],
    origin: Position,
    k: usize,
    max_distance_m: Option<f64>,
    exclude: Option<&T>,
) -> Vec<Neighbour<'a, T>> {
    match indexes {
        [] => Vec::new(),
        [one] => one.k_nearest(origin, k, max_distance_m, exclude),
        several => {
            let streams = several.iter().map(|index| index.frame_order(origin)).collect();
            first_k(NearestIter::new(origin, Merge::new(streams)), k, max_distance_m, exclude)
        }
    }
}

/// The first `k` of a stream in geodesic order, leaving out `exclude` and stopping past
/// `max_distance_m`.
fn first_k<'a, T: PartialEq + 'a>(
    ordered: impl Iterator<Item = Neighbour<'a, T>>,
    k: usize,
    max_distance_m: Option<f64>,
    exclude: Option<&T>,
) -> Vec<Neighbour<'a, T>> {
    ordered
        .filter(|n| exclude != Some(n.value))
        .take_while(|n| max_distance_m.is_none_or(|max| n.distance_m <= max))
        .take(k)
        .collect()
}

/// The `k` nearest of `candidates` by geodesic distance then value, within `max_distance_m`.
fn rank<'a, T: Ord>(
    origin: Position,
    candidates: Vec<&'a Entry<T>>,
    k: usize,
    max_distance_m: Option<f64>,
) -> Vec<Neighbour<'a, T>> {
    let mut ranked: Vec<Neighbour<'a, T>> = candidates
        .into_iter()
        .map(|entry| Neighbour {
            position: entry.data.0,
            value: &entry.data.1,
            distance_m: Geodesic.distance(origin.to_point(), entry.data.0.to_point()),
        })
        .filter(|n| max_distance_m.is_none_or(|max| n.distance_m <= max))
        .collect();
    ranked.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m).then_with(|| a.value.cmp(b.value)));
    ranked.truncate(k);
    ranked
}

/// Entries in exact geodesic order from a stream in order of their geodesic lower bounds: an
/// entry is handed out once every entry not yet drawn from the stream is bound to be farther.
struct NearestIter<'a, T, S: Iterator> {
    origin: Position,
    stream: Peekable<S>,
    drawn: BinaryHeap<Reverse<ByDistance<'a, T>>>,
}

impl<'a, T: Ord + 'a, S: Iterator<Item = (f64, &'a Entry<T>)>> NearestIter<'a, T, S> {
    fn new(origin: Position, stream: S) -> Self {
        NearestIter { origin, stream: stream.peekable(), drawn: BinaryHeap::new() }
    }
}

impl<'a, T: Ord + 'a, S: Iterator<Item = (f64, &'a Entry<T>)>> Iterator for NearestIter<'a, T, S> {
    type Item = Neighbour<'a, T>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let next_lower_bound_m = self.stream.peek().map(|(lower_m, _)| *lower_m);
            // Strictly farther: an entry at exactly the same distance may still come with a
            // smaller value.
            if let Some(Reverse(nearest)) = self.drawn.peek()
                && next_lower_bound_m.is_none_or(|lower_m| lower_m > nearest.0.distance_m)
            {
                return self.drawn.pop().map(|Reverse(ByDistance(n))| n);
            }
            let (_, entry) = self.stream.next()?;
            let (position, value) = (entry.data.0, &entry.data.1);
            let distance_m = Geodesic.distance(self.origin.to_point(), position.to_point());
            self.drawn.push(Reverse(ByDistance(Neighbour { position, value, distance_m })));
        }
    }
}

/// A neighbour ordered by distance, then value.
struct ByDistance<'a, T>(Neighbour<'a, T>);

impl<T: Ord> Ord for ByDistance<'_, T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .distance_m
            .total_cmp(&other.0.distance_m)
            .then_with(|| self.0.value.cmp(other.0.value))
    }
}
impl<T: Ord> PartialOrd for ByDistance<'_, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T: Ord> PartialEq for ByDistance<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<T: Ord> Eq for ByDistance<'_, T> {}

/// Several streams in order of their geodesic lower bounds merged into one in that order.
struct Merge<'a, T, S> {
    streams: Vec<S>,
    heads: BinaryHeap<Reverse<Head<'a, T>>>,
}

/// The next entry of stream `stream`, with its lower bound.
struct Head<'a, T> {
    lower_m: f64,
    stream: usize,
    entry: &'a Entry<T>,
}

impl<'a, T, S: Iterator<Item = (f64, &'a Entry<T>)>> Merge<'a, T, S> {
    fn new(mut streams: Vec<S>) -> Self {
        let mut heads = BinaryHeap::with_capacity(streams.len());
        for (stream, iter) in streams.iter_mut().enumerate() {
            if let Some((lower_m, entry)) = iter.next() {
                heads.push(Reverse(Head { lower_m, stream, entry }));
            }
        }
        Merge { streams, heads }
    }
}

impl<'a, T, S: Iterator<Item = (f64, &'a Entry<T>)>> Iterator for Merge<'a, T, S> {
    type Item = (f64, &'a Entry<T>);

    fn next(&mut self) -> Option<Self::Item> {
        let Reverse(Head { lower_m, stream, entry }) = self.heads.pop()?;
        if let Some((next_m, next)) = self.streams[stream].next() {
            self.heads.push(Reverse(Head { lower_m: next_m, stream, entry: next }));
        }
        Some((lower_m, entry))
    }
}

impl<T> Ord for Head<'_, T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.lower_m.total_cmp(&other.lower_m).then(self.stream.cmp(&other.stream))
    }
}
impl<T> PartialOrd for Head<'_, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> PartialEq for Head<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<T> Eq for Head<'_, T> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SplitMix, origin_around_study_area};

    /// Entries in clusters over 12° of latitude (a frame too loose for the frame order), each
    /// valued by its number, and origins near the clusters, between them and far from any.
    fn clustered_country(seed: u64) -> (PositionIndex<u32>, Vec<Position>) {
        let mut random = SplitMix(seed);
        let at = |lat: f64, lon: f64| Position::new(lat, lon).unwrap();
        let centres: Vec<Position> =
            (0..12).map(|i| at(31.5 + f64::from(i), 129.5 + f64::from(i) * 1.3)).collect();
        let mut scatter = |n: usize, spread: f64| {
            let c = centres[n % centres.len()];
            let lat = c.lat() + (random.next_f64() - 0.5) * spread;
            let lon = c.lon() + (random.next_f64() - 0.5) * spread;
            at(lat, lon)
        };
        let entries: Vec<(Position, u32)> = (0..3_000)
            .map(|n| (scatter(n, if n % 7 == 0 { 0.4 } else { 0.05 }), u32::try_from(n).unwrap()))
            .collect();
        let origins: Vec<Position> =
            (0..2_000).map(|n| scatter(n, [0.02, 0.3, 1.5][n % 3])).collect();
        let frame = LocalFrame::for_positions(entries.iter().map(|(p, _)| p));
        (PositionIndex::new(entries, frame), origins)
    }

    #[test]
    fn nearest_distances_of_many_origins_over_a_country_are_those_asked_one_by_one() {
        let (index, origins) = clustered_country(41);
        // The blocks' frames are tight enough for the frame order at Japan's latitudes.
        let block = BLOCK_DEG + 2.0 * BLOCK_MARGIN_DEG;
        let widest = LocalFrame::for_extent(45.5 - block, 140.0, 45.5, 140.0 + block);
        assert!(widest.max_relative_error() < SPHERE_ORDER_ABOVE_ERROR);
        let batch = index.nearest_distances_m(&origins);
        for (origin, got) in origins.iter().zip(&batch) {
            assert_eq!(*got, index.nearest_distance_m(*origin), "{origin:?}");
        }
        let empty: PositionIndex<()> =
            PositionIndex::new(Vec::new(), LocalFrame::for_positions([]));
        assert_eq!(empty.nearest_distances_m(&origins[..3]), [None, None, None]);
    }

    #[test]
    fn reach_of_many_origins_over_a_country_is_the_nearest_distance_within_the_radius() {
        let (index, origins) = clustered_country(43);
        let nearest = index.nearest_distances_m(&origins);
        // Radii around the typical distances, and radii equal to some origins' nearest distance
        // (inclusive) or a hair below it, where only the geodesic itself can decide.
        let mut radii = vec![0.0, 150.0, 800.0, 2_000.0, 15_000.0, 60_000.0];
        radii.extend(nearest.iter().step_by(97).flatten().flat_map(|d| [*d, d.next_down()]));
        for radius_m in radii {
            let batch = index.any_within_each_m(&origins, radius_m);
            for ((origin, got), nearest) in origins.iter().zip(&batch).zip(&nearest) {
                let expected = nearest.is_some_and(|d| d <= radius_m);
                assert_eq!(*got, expected, "{origin:?} within {radius_m} m (nearest {nearest:?})");
                assert_eq!(index.any_within_m(*origin, radius_m), expected, "{origin:?}");
            }
        }
        let empty: PositionIndex<()> =
            PositionIndex::new(Vec::new(), LocalFrame::for_positions([]));
        assert_eq!(empty.any_within_each_m(&origins[..2], 1e9), [false, false]);
        assert!(!index.any_within_m(origins[0], f64::NAN));
    }

    /// Every entry with its geodesic distance from `origin`, nearest first, ties by value.
    fn brute_force(entries: &[(Position, u32)], origin: Position) -> Vec<(u32, f64)> {
        let mut all: Vec<(u32, f64)> = entries
            .iter()
            .map(|(p, v)| (*v, Geodesic.distance(origin.to_point(), p.to_point())))
            .collect();
        all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        all
    }

    fn values(found: &[Neighbour<'_, u32>]) -> Vec<(u32, f64)> {
        found.iter().map(|n| (*n.value, n.distance_m)).collect()
    }

    /// Uniform points over the study area and its ring, or points in a few tight clusters with
    /// exact duplicates (ties), where the window fast path cannot prove itself.
    fn entries(random: &mut SplitMix, n: usize, clustered: bool) -> Vec<(Position, u32)> {
        let centres: Vec<(f64, f64)> =
            (0..4).map(|_| (random.uniform(35.9, 36.1), random.uniform(139.5, 139.8))).collect();
        let mut entries: Vec<(Position, u32)> = Vec::with_capacity(n);
        for value in 0..n {
            let (lat, lon) = if !clustered {
                (random.uniform(35.85, 36.15), random.uniform(139.47, 139.87))
            } else if value % 7 == 3 {
                let (lat, lon) = (entries[value - 1].0.lat(), entries[value - 1].0.lon());
                (lat, lon)
            } else {
                let (lat, lon) = centres[value % centres.len()];
                (lat + random.uniform(-0.002, 0.002), lon + random.uniform(-0.002, 0.002))
            };
            let value = u32::try_from(value).unwrap();
            entries.push((Position::new(lat, lon).unwrap(), value));
        }
        entries
    }

    #[test]
    fn every_query_equals_a_brute_force_geodesic_scan() {
        let mut random = SplitMix(2024);
        for round in 0..12 {
            let clustered = round % 2 == 1;
            let all = entries(&mut random, 400 + 100 * round, clustered);
            let frame = LocalFrame::for_positions(all.iter().map(|(p, _)| p));
            let index = PositionIndex::new(all.iter().copied(), frame);
            // The same entries split over three indexes, for the k-way merge.
            let parts: Vec<PositionIndex<u32>> = (0..3)
                .map(|part| {
                    let mine = all.iter().copied().filter(|(_, v)| v % 3 == part);
                    PositionIndex::new(mine, frame)
                })
                .collect();
            let parts: Vec<&PositionIndex<u32>> = parts.iter().collect();
            assert_eq!(index.len(), all.len());
            for case in 0..40 {
                // Origins inside the data's extent and well outside it.
                let spread = if case % 5 == 0 { 1.5 } else { 0.3 };
                let origin = origin_around_study_area(&mut random, spread);
                let expected = brute_force(&all, origin);
                let context = format!("round {round}, case {case}, origin {origin:?}");

                let lazily: Vec<Neighbour<'_, u32>> = index.nearest_iter(origin).collect();
                assert_eq!(values(&lazily), expected, "nearest_iter, {context}");
                assert_eq!(index.nearest_distance_m(origin), Some(expected[0].1), "{context}");

                let k = 1 + case % 25;
                let max = (case % 3 == 0).then(|| random.uniform(0.0, 4000.0));
                let exclude = (case % 4 == 0).then(|| expected[case % 5].0);
                let want: Vec<(u32, f64)> = expected
                    .iter()
                    .copied()
                    .filter(|(v, _)| exclude != Some(*v))
                    .filter(|(_, d)| max.is_none_or(|m| *d <= m))
                    .take(k)
                    .collect();
                let found = index.k_nearest(origin, k, max, exclude.as_ref());
                assert_eq!(values(&found), want, "k_nearest {k} {max:?} {exclude:?}, {context}");
                let merged = k_nearest_in(&parts, origin, k, max, exclude.as_ref());
                assert_eq!(values(&merged), want, "k_nearest_in, {context}");

                let radius_m = random.uniform(0.0, 3000.0);
                let mut within: Vec<(u32, f64)> =
                    index.within(origin, radius_m).map(|n| (*n.value, n.distance_m)).collect();
                within.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                let inside: Vec<(u32, f64)> =
                    expected.iter().copied().filter(|(_, d)| *d <= radius_m).collect();
                assert_eq!(within, inside, "within {radius_m}, {context}");
                let candidates: Vec<Candidate<'_, u32>> =
                    index.candidates_within(origin, radius_m).collect();
                for &(value, distance_m) in &expected {
                    let proposed = candidates.iter().find(|c| *c.value == value);
                    if distance_m <= radius_m {
                        assert!(proposed.is_some(), "{value} missed, {context}");
                    }
                    if let Some(c) = proposed {
                        assert!(
                            c.min_distance_m <= distance_m && distance_m <= c.max_distance_m,
                            "{value}: {distance_m} outside {c:?}, {context}"
                        );
                    }
                }

                let (lat, lon) = (origin.lat(), origin.lon());
                let (half_height, half_width) =
                    (random.uniform(0.0, 0.1), random.uniform(0.0, 0.1));
                let rect = geo::Rect::new(
                    geo::coord! { x: lon - half_width, y: lat - half_height },
                    geo::coord! { x: lon + half_width, y: lat + half_height },
                );
                let mut in_rect: Vec<u32> = index.in_rect(rect).map(|(_, v)| *v).collect();
                in_rect.sort_unstable();
                let contained: Vec<u32> = all
                    .iter()
                    .filter(|(p, _)| {
                        (rect.min().x..=rect.max().x).contains(&p.lon())
                            && (rect.min().y..=rect.max().y).contains(&p.lat())
                    })
                    .map(|(_, v)| *v)
                    .collect();
                assert_eq!(in_rect, contained, "in_rect {rect:?}, {context}");
            }
        }
    }

    /// Origins far beyond the data (up to 30° away, every direction), where the search is
    /// ordered by the sphere's bound instead of the frame's: the same order as brute force, and
    /// far fewer geodesic distances than entries.
    #[test]
    fn far_origins_rank_by_the_sphere_bound_exactly_as_brute_force() {
        let mut random = SplitMix(99);
        for clustered in [false, true] {
            let all = entries(&mut random, 3000, clustered);
            let frame = LocalFrame::for_positions(all.iter().map(|(p, _)| p));
            let index = PositionIndex::new(all.iter().copied(), frame);
            for case in 0..60 {
                let spread = [1.5, 4.0, 20.0, 60.0][case % 4];
                let origin = origin_around_study_area(&mut random, spread);
                let expected = brute_force(&all, origin);
                let context = format!("clustered {clustered}, case {case}, origin {origin:?}");
                let first: Vec<Neighbour<'_, u32>> = index.nearest_iter(origin).take(40).collect();
                assert_eq!(values(&first), expected[..40], "{context}");
                assert_eq!(index.nearest_distance_m(origin), Some(expected[0].1), "{context}");
                let k = 1 + case % 10;
                assert_eq!(
                    values(&index.k_nearest(origin, k, None, None)),
                    expected[..k],
                    "{context}"
                );
                // The stream's bounds never decrease and never exceed the geodesic distance.
                let mut last = 0.0;
                for (lower_m, entry) in index.frame_order(origin).take(200) {
                    let geodesic = Geodesic.distance(origin.to_point(), entry.data.0.to_point());
                    assert!(
                        lower_m >= last && lower_m <= geodesic,
                        "{context}: {lower_m} {geodesic}"
                    );
                    last = lower_m;
                }
            }
        }
    }

    /// Found by the property test `nearest_equals_a_brute_force_geodesic_sort_from_anywhere`:
    /// from the Atlantic the frame ranked two Japanese entries by an equirectangular distance
    /// spanning 200° of longitude, and put the farther one first.
    #[test]
    fn an_origin_across_the_world_ranks_entries_by_geodesic_distance() {
        let at = |lat, lon| Position::new(lat, lon).unwrap();
        let entries = [(at(35.85, 139.47), 0_u32), (at(35.85, 139.65636268104151), 1)];
        let frame = LocalFrame::for_positions(entries.iter().map(|(p, _)| p));
        let index = PositionIndex::new(entries, frame);
        for origin in [at(26.80999707768665, -61.15688426946772), at(-36.0, -40.0), at(90.0, 0.0)] {
            let expected = brute_force(&entries, origin);
            let lazily: Vec<Neighbour<'_, u32>> = index.nearest_iter(origin).collect();
            assert_eq!(values(&lazily), expected, "{origin:?}");
            assert_eq!(
                values(&index.k_nearest(origin, 1, None, None)),
                expected[..1],
                "{origin:?}"
            );
        }
    }

    #[test]
    fn banded_sums_are_the_sums_of_each_entry_weighted_by_its_geodesic_band() {
        // Clustered and spread entries, origins inside and up to half a degree outside, bands
        // whose edges fall exactly on some entries' geodesic distances and just short of them.
        let mut random = SplitMix(2009);
        let mut all = entries(&mut random, 1500, true);
        all.extend(entries(&mut random, 1500, false));
        let value = |v: &u32| f64::from(*v % 97) + 0.5;
        let frame = LocalFrame::for_positions(all.iter().map(|(p, _)| p));
        let index = PositionIndex::new(all.iter().copied(), frame);
        let sums = index.subtree_sums(value);
        let weights = [1.0, 0.68, 0.22, 0.0];
        for round in 0..40 {
            let origin = Position::new(
                random.uniform(35.4, 36.6),
                if round % 4 == 0 {
                    random.uniform(138.9, 140.4)
                } else {
                    random.uniform(139.5, 139.8)
                },
            )
            .unwrap();
            let distances: Vec<f64> = all
                .iter()
                .map(|(p, _)| Geodesic.distance(origin.to_point(), p.to_point()))
                .collect();
            let on_entry = |i: usize| distances[(i * 7919 + round) % distances.len()];
            let mut edges = [on_entry(1), on_entry(2), on_entry(3)];
            edges.sort_by(f64::total_cmp);
            if round % 2 == 1 {
                edges[1] = edges[1].next_down();
            }
            let band = |d: f64| edges.iter().position(|&edge| d <= edge).unwrap_or(3);
            let expected: f64 =
                all.iter().zip(&distances).map(|((_, v), &d)| weights[band(d)] * value(v)).sum();
            let got = index.banded_sum(origin, &sums, value, &Bands { band, weights: &weights });
            assert!(
                (got - expected).abs() <= 1e-12 * expected.abs(),
                "round {round}: {got} != {expected}"
            );
            // Nothing in reach sums to a plain 0.
            let nowhere = |_: f64| 3;
            let none =
                index.banded_sum(origin, &sums, value, &Bands { band: nowhere, weights: &weights });
            assert_eq!(none.to_bits(), 0f64.to_bits());
        }
    }

    #[test]
    fn entries_on_the_edges_of_a_rectangle_are_inside() {
        let frame = LocalFrame::for_extent(35.85, 139.47, 36.15, 139.87);
        let (west, south, east, north) = (139.6, 35.95, 139.7000000001, 36.05);
        let at = |lat, lon| Position::new(lat, lon).unwrap();
        let on_edges = [at(south, west), at(north, east), at(south, 139.65), at(36.0, east)];
        let just_outside = [at(south, west.next_down()), at(north.next_up(), east)];
        let index = PositionIndex::new(
            on_edges.iter().chain(&just_outside).enumerate().map(|(i, p)| (*p, i)),
            frame,
        );
        let rect =
            geo::Rect::new(geo::coord! { x: west, y: south }, geo::coord! { x: east, y: north });
        let mut found: Vec<usize> = index.in_rect(rect).map(|(_, v)| *v).collect();
        found.sort_unstable();
        assert_eq!(found, [0, 1, 2, 3]);
    }

    #[test]
    fn empty_indexes_and_nothing_asked_find_nothing() {
        let frame = LocalFrame::for_extent(35.85, 139.47, 36.15, 139.87);
        let here = Position::new(36.0, 139.65).unwrap();
        let empty: PositionIndex<u32> = PositionIndex::new([], frame);
        assert!(empty.is_empty() && empty.nearest_distance_m(here).is_none());
        assert!(empty.k_nearest(here, 5, None, None).is_empty());
        assert!(k_nearest_in::<u32>(&[], here, 5, None, None).is_empty());
        let one = PositionIndex::new([(here, 7_u32)], frame);
        assert!(one.k_nearest(here, 0, None, None).is_empty());
        assert_eq!(one.within(here, 0.0).count(), 1, "a radius includes its edge");
        assert_eq!(one.candidates_within(here, -1.0).count(), 0);
        assert_eq!(one.candidates_within(here, f64::NAN).count(), 0);
    }
}
