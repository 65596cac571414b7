//! Nearest services: the k nearest facilities of some kinds to a point, a facility or an address,
//! ranked by geodesic distance (then id), across municipal borders.
//!
//! The R-trees yield candidates in order of distance in the local frame; each candidate's
//! geodesic distance is computed, and the search stops once the frame distance, shrunk by the
//! frame's error bound, exceeds the k-th best geodesic distance. No facility that could rank is
//! skipped, so the result equals a brute-force geodesic scan.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use geo::{Distance, Geodesic};

use crate::{Atlas, Facility, FacilityId, FacilityKind, Position};

/// The most facilities one query returns.
pub const MAX_NEAREST: usize = 100;

/// A checked nearest-services query.
#[derive(Debug, Clone, PartialEq)]
pub struct NearestQuery {
    kinds: Vec<FacilityKind>,
    k: usize,
    max_distance_m: Option<f64>,
}

/// Why a nearest-services query is not valid.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum NearestQueryError {
    /// k outside 1..=100.
    #[error("k must be between 1 and {MAX_NEAREST}, not {0}")]
    K(usize),
    /// A negative or non-finite distance limit.
    #[error("the distance limit must be a finite number of metres ≥ 0, not {0}")]
    MaxDistance(f64),
}

impl NearestQuery {
    /// The `k` nearest facilities of `kinds` (all kinds when empty), no farther than
    /// `max_distance_m` when given.
    pub fn new(
        kinds: Vec<FacilityKind>,
        k: usize,
        max_distance_m: Option<f64>,
    ) -> Result<Self, NearestQueryError> {
        if !(1..=MAX_NEAREST).contains(&k) {
            return Err(NearestQueryError::K(k));
        }
        if let Some(d) = max_distance_m
            && (!d.is_finite() || d < 0.0)
        {
            return Err(NearestQueryError::MaxDistance(d));
        }
        let mut kinds = kinds;
        kinds.sort_unstable();
        kinds.dedup();
        Ok(NearestQuery { kinds, k, max_distance_m })
    }

    /// The kinds asked for (empty: all).
    #[must_use]
    pub fn kinds(&self) -> &[FacilityKind] {
        &self.kinds
    }
}

/// One facility of a nearest-services answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NearestFacility<'a> {
    /// The facility.
    pub facility: &'a Facility,
    /// Geodesic distance from the origin in metres.
    pub distance_m: f64,
    /// 1 for the nearest.
    pub rank: usize,
}

impl Atlas {
    /// The nearest facilities to `origin`.
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, FacilityKind, NearestQuery, Position};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// let query = NearestQuery::new(vec![FacilityKind::Hospital], 5, None).unwrap();
    /// assert!(atlas.nearest_services(Position::new(36.0, 139.65).unwrap(), &query).is_empty());
    /// ```
    #[must_use]
    pub fn nearest_services(
        &self,
        origin: Position,
        query: &NearestQuery,
    ) -> Vec<NearestFacility<'_>> {
        self.nearest_excluding(origin, query, None)
    }

    /// The nearest facilities to facility `id`, which is itself left out; `None` if there is no
    /// such facility.
    #[must_use]
    pub fn nearest_services_from(
        &self,
        id: &FacilityId,
        query: &NearestQuery,
    ) -> Option<Vec<NearestFacility<'_>>> {
        let index = self.facility_index(id)?;
        Some(self.nearest_excluding(self.facilities()[index].position, query, Some(index)))
    }

    fn nearest_excluding(
        &self,
        origin: Position,
        query: &NearestQuery,
        exclude: Option<usize>,
    ) -> Vec<NearestFacility<'_>> {
        let here = self.frame().project(origin);
        let error = self.frame().max_relative_error_from(origin);
        let trees: Vec<_> = if query.kinds.is_empty() {
            self.all_kinds_tree().into_iter().collect()
        } else {
            query.kinds.iter().filter_map(|&kind| self.tree(kind)).collect()
        };
        // Gather, in frame order, every facility whose geodesic distance could rank: once k are
        // in hand, the k-th geodesic distance is at most the k-th frame distance × (1 + e), and a
        // facility whose frame distance × (1 − e) exceeds that cannot rank.
        let mut candidates: Vec<(usize, Position)> = Vec::with_capacity(query.k + 4);
        let mut kth_upper_bound_m = f64::INFINITY;
        let mut consider = |d2: f64, (index, position): (usize, Position)| -> bool {
            let frame_m = d2.sqrt();
            let lower_bound_m = frame_m * (1.0 - error);
            if lower_bound_m > kth_upper_bound_m
                || query.max_distance_m.is_some_and(|max| lower_bound_m > max)
            {
                return false;
            }
            if exclude != Some(index) {
                candidates.push((index, position));
                if candidates.len() == query.k {
                    kth_upper_bound_m = frame_m * (1.0 + error);
                }
            }
            true
        };
        if let [tree] = trees.as_slice() {
            if let Some(found) = window_candidates(tree, here, query, exclude, error) {
                candidates = found;
            } else {
                for (point, d2) in tree.nearest_neighbor_iter_with_distance_2(&here) {
                    if !consider(d2, point.data) {
                        break;
                    }
                }
            }
        } else {
            // A k-way merge of the kinds' streams by frame distance.
            let mut streams: Vec<_> = trees
                .iter()
                .map(|tree| tree.nearest_neighbor_iter_with_distance_2(&here))
                .collect();
            let mut frontier: BinaryHeap<Reverse<(OrderedF64, usize, usize)>> = BinaryHeap::new();
            for (stream, iter) in streams.iter_mut().enumerate() {
                if let Some((point, d2)) = iter.next() {
                    frontier.push(Reverse((OrderedF64(d2), stream, point.data.0)));
                }
            }
            while let Some(Reverse((OrderedF64(d2), stream, index))) = frontier.pop() {
                if !consider(d2, (index, self.facilities()[index].position)) {
                    break;
                }
                if let Some((point, d2)) = streams[stream].next() {
                    frontier.push(Reverse((OrderedF64(d2), stream, point.data.0)));
                }
            }
        }
        let mut ranked: Vec<(f64, usize)> = candidates
            .into_iter()
            .map(|(index, position)| {
                (Geodesic.distance(origin.to_point(), position.to_point()), index)
            })
            .filter(|(distance_m, _)| query.max_distance_m.is_none_or(|max| *distance_m <= max))
            .collect();
        ranked.sort_by(|a, b| {
            a.0.total_cmp(&b.0)
                .then_with(|| self.facilities()[a.1].id.cmp(&self.facilities()[b.1].id))
        });
        ranked.truncate(query.k);
        ranked
            .into_iter()
            .enumerate()
            .map(|(i, (distance_m, index))| NearestFacility {
                facility: &self.facilities()[index],
                distance_m,
                rank: i + 1,
            })
            .collect()
    }
}

/// The candidates of a single-tree query found in one window around the origin, sized from the
/// tree's mean density to hold about 1.4 k points, without the nearest-neighbour iterator's
/// priority queue; `None` when the window cannot prove it holds every facility that could rank
/// (too few points in it, as in sparse or clustered data), and the caller iterates instead.
fn window_candidates(
    tree: &crate::atlas::Index,
    here: [f64; 2],
    query: &NearestQuery,
    exclude: Option<usize>,
    error: f64,
) -> Option<Vec<(usize, Position)>> {
    let envelope = tree.root().envelope();
    let (lower, upper) = (envelope.lower(), envelope.upper());
    let area_m2 = (upper[0] - lower[0]) * (upper[1] - lower[1]);
    if area_m2 <= 0.0 {
        return None;
    }
    let wanted = (query.k + usize::from(exclude.is_some())) as f64;
    let density_per_m2 = tree.size() as f64 / area_m2;
    let mut radius_m = (1.4 * wanted / (std::f64::consts::PI * density_per_m2)).sqrt();
    // With a distance limit, a window reaching past the limit proves completeness by itself.
    let limit_m = query.max_distance_m.map(|max| max / (1.0 - error));
    if let Some(limit) = limit_m {
        radius_m = radius_m.min(limit);
    }
    // Squared frame distances: the square root is taken only for the k-th.
    let mut found: Vec<(f64, (usize, Position))> = tree
        .locate_within_distance(here, radius_m * radius_m)
        .filter(|p| exclude != Some(p.data.0))
        .map(|p| {
            let (dx, dy) = (p.geom()[0] - here[0], p.geom()[1] - here[1]);
            (dx * dx + dy * dy, p.data)
        })
        .collect();
    let reaches_limit = limit_m.is_some_and(|limit| radius_m >= limit);
    if found.len() < query.k {
        return reaches_limit.then(|| found.into_iter().map(|(_, i)| i).collect());
    }
    found.select_nth_unstable_by(query.k - 1, |a, b| a.0.total_cmp(&b.0));
    let kth_upper_bound_m = found[query.k - 1].0.sqrt() * (1.0 + error);
    // Anything outside the window is farther than radius × (1 − e) geodesically.
    if kth_upper_bound_m > radius_m * (1.0 - error) && !reaches_limit {
        return None;
    }
    let keep_below_d2 = (kth_upper_bound_m / (1.0 - error)).powi(2);
    Some(found.into_iter().filter(|(d2, _)| *d2 <= keep_below_d2).map(|(_, i)| i).collect())
}

/// An f64 ordered by `total_cmp`, for heaps.
#[derive(Debug, Clone, Copy, PartialEq)]
struct OrderedF64(f64);
impl Eq for OrderedF64 {}
impl PartialOrd for OrderedF64 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for OrderedF64 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SplitMix, synthetic_facility};
    use crate::{AtlasParts, PositionPrecision};

    fn brute_force<'a>(
        atlas: &'a Atlas,
        origin: Position,
        kinds: &[FacilityKind],
        k: usize,
        max: Option<f64>,
    ) -> Vec<(&'a str, f64)> {
        let mut all: Vec<(&str, f64)> = atlas
            .facilities()
            .iter()
            .filter(|f| kinds.is_empty() || kinds.contains(&f.kind))
            .map(|f| (f.id.as_str(), Geodesic.distance(origin.to_point(), f.position.to_point())))
            .filter(|(_, d)| max.is_none_or(|m| *d <= m))
            .collect();
        all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
        all.truncate(k);
        all
    }

    #[test]
    fn nearest_equals_a_brute_force_geodesic_scan_on_random_data() {
        let mut random = SplitMix(42);
        let facilities: Vec<Facility> =
            (0..3000).map(|i| synthetic_facility(i, &mut random)).collect();
        let atlas = Atlas::new(AtlasParts { facilities, ..AtlasParts::default() });
        let kind_sets = [
            vec![],
            vec![FacilityKind::VisitingNursingStation],
            vec![FacilityKind::Hospital, FacilityKind::Clinic],
        ];
        for case in 0..300 {
            // Origins inside the data's extent and well outside it.
            let spread = if case % 5 == 0 { 1.5 } else { 0.3 };
            let origin = Position::new(
                36.0 + (random.next_f64() - 0.5) * spread,
                139.67 + (random.next_f64() - 0.5) * spread,
            )
            .unwrap();
            let kinds = &kind_sets[case % kind_sets.len()];
            let k = 1 + case % 20;
            let max = (case % 4 == 0).then(|| random.next_f64() * 5000.0);
            let query = NearestQuery::new(kinds.clone(), k, max).unwrap();
            let got: Vec<(&str, f64)> = atlas
                .nearest_services(origin, &query)
                .iter()
                .map(|n| (n.facility.id.as_str(), n.distance_m))
                .collect();
            assert_eq!(got, brute_force(&atlas, origin, kinds, k, max), "case {case}");
        }
    }

    #[test]
    fn ties_are_broken_by_id_and_ranks_count_from_one() {
        let mut random = SplitMix(1);
        let mut a = synthetic_facility(2, &mut random);
        let mut b = synthetic_facility(1, &mut random);
        b.position = a.position;
        a.kind = FacilityKind::Pharmacy;
        b.kind = FacilityKind::Pharmacy;
        let atlas = Atlas::new(AtlasParts {
            facilities: vec![a.clone(), b.clone()],
            ..AtlasParts::default()
        });
        let query = NearestQuery::new(vec![FacilityKind::Pharmacy], 2, None).unwrap();
        let got: Vec<(String, usize)> = atlas
            .nearest_services(a.position, &query)
            .iter()
            .map(|n| (n.facility.id.to_string(), n.rank))
            .collect();
        assert_eq!(got, vec![(b.id.to_string(), 1), (a.id.to_string(), 2)]);
    }

    #[test]
    fn from_a_facility_leaves_the_facility_out() {
        let mut random = SplitMix(3);
        let facilities: Vec<Facility> =
            (0..50).map(|i| synthetic_facility(i, &mut random)).collect();
        let atlas =
            Atlas::new(AtlasParts { facilities: facilities.clone(), ..AtlasParts::default() });
        let query = NearestQuery::new(vec![], 3, None).unwrap();
        let got = atlas.nearest_services_from(&facilities[7].id, &query).unwrap();
        assert_eq!(got.len(), 3);
        assert!(got.iter().all(|n| n.facility.id != facilities[7].id));
        assert!(
            got[0].distance_m > 0.0
                && got[0].facility.position_precision == PositionPrecision::Source
        );
        assert!(atlas.nearest_services_from(&FacilityId::new("nope".into()), &query).is_none());
    }

    #[test]
    fn queries_are_checked() {
        assert_eq!(NearestQuery::new(vec![], 0, None), Err(NearestQueryError::K(0)));
        assert_eq!(NearestQuery::new(vec![], 101, None), Err(NearestQueryError::K(101)));
        assert!(NearestQuery::new(vec![], 5, Some(-1.0)).is_err());
        assert!(NearestQuery::new(vec![], 5, Some(f64::NAN)).is_err());
        assert!(NearestQuery::new(vec![], 100, Some(0.0)).is_ok());
    }
}
