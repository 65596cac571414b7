//! An index of positions for exact geodesic questions: the nearest position to a point, and the
//! positions within a radius of it. The local frame only proposes candidates; its error bound
//! makes sure none is missed, and every answer is decided by the geodesic distance.

use geo::{Distance, Geodesic};
use rstar::RTree;
use rstar::primitives::GeomWithData;

use crate::{LocalFrame, Position};

/// Positions in an R-tree over a local frame.
#[derive(Debug)]
pub struct PositionIndex {
    positions: Vec<Position>,
    frame: LocalFrame,
    tree: RTree<GeomWithData<[f64; 2], usize>>,
}

impl PositionIndex {
    /// Indexes `positions` in `frame`; answers refer to them by their index in this list.
    #[must_use]
    pub fn new(positions: Vec<Position>, frame: LocalFrame) -> Self {
        let tree = RTree::bulk_load(
            positions
                .iter()
                .enumerate()
                .map(|(i, p)| GeomWithData::new(frame.project(*p), i))
                .collect(),
        );
        PositionIndex { positions, frame, tree }
    }

    /// Geodesic distance in metres from `origin` to the nearest position, if there is any.
    ///
    /// ```
    /// use care_atlas_core::{LocalFrame, Position, PositionIndex};
    /// let at = |lat, lon| Position::new(lat, lon).unwrap();
    /// let index = PositionIndex::new(vec![at(36.0, 139.65), at(36.01, 139.65)], LocalFrame::for_extent(35.9, 139.6, 36.1, 139.7));
    /// let d = index.nearest_distance_m(at(36.009, 139.65)).unwrap();
    /// assert!((d - 110.9).abs() < 0.1);
    /// ```
    #[must_use]
    pub fn nearest_distance_m(&self, origin: Position) -> Option<f64> {
        let here = self.frame.project(origin);
        let error = self.frame.max_relative_error_from(origin);
        let mut best = f64::INFINITY;
        for (point, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&here) {
            if d2.sqrt() * (1.0 - error) > best {
                break;
            }
            best = best
                .min(Geodesic.distance(origin.to_point(), self.positions[point.data].to_point()));
        }
        best.is_finite().then_some(best)
    }

    /// Indexes of the positions within `radius_m` (geodesic) of `origin`.
    pub fn within(&self, origin: Position, radius_m: f64) -> impl Iterator<Item = usize> + '_ {
        let here = self.frame.project(origin);
        let reach = radius_m / (1.0 - self.frame.max_relative_error_from(origin));
        self.tree.locate_within_distance(here, reach * reach).map(|point| point.data).filter(
            move |&i| {
                Geodesic.distance(origin.to_point(), self.positions[i].to_point()) <= radius_m
            },
        )
    }
}
