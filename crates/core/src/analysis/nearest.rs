//! Nearest services: the k nearest facilities of some kinds to a point, a facility or an address,
//! ranked by geodesic distance (then id), across municipal borders.
//!
//! The search is [`k_nearest_in`] over the atlas's index of every facility, or the indexes of the
//! kinds asked for: exact, so the result equals a brute-force geodesic scan.

use std::ops::RangeInclusive;

use crate::{Atlas, Facility, FacilityId, FacilityKind, Position, k_nearest_in};

/// The most facilities one query returns.
pub const MAX_NEAREST: usize = 100;

/// The distance limits accepted, in metres: from 0 to 100 km, far beyond the study area and its
/// ring.
pub const MAX_DISTANCE_RANGE_M: RangeInclusive<f64> = 0.0..=100_000.0;

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
    /// A distance limit outside [`MAX_DISTANCE_RANGE_M`] (or NaN).
    #[error(
        "the distance limit must be from {min} to {max} metres, not {value}",
        min = MAX_DISTANCE_RANGE_M.start(),
        max = MAX_DISTANCE_RANGE_M.end(),
        value = .0
    )]
    MaxDistance(f64),
}

impl NearestQuery {
    /// The `k` nearest facilities of `kinds` (all kinds when empty), no farther than
    /// `max_distance_m` when given; `k` within 1..=[`MAX_NEAREST`], the limit within
    /// [`MAX_DISTANCE_RANGE_M`].
    ///
    /// # Errors
    /// [`NearestQueryError::K`] or [`NearestQueryError::MaxDistance`], naming the value at fault.
    pub fn new(
        kinds: Vec<FacilityKind>,
        k: usize,
        max_distance_m: Option<f64>,
    ) -> Result<Self, NearestQueryError> {
        if !(1..=MAX_NEAREST).contains(&k) {
            return Err(NearestQueryError::K(k));
        }
        if let Some(d) = max_distance_m
            && !MAX_DISTANCE_RANGE_M.contains(&d)
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
    /// Its place in [`Atlas::facilities`], by which answers made once per snapshot are kept.
    pub index: usize,
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

    pub(crate) fn nearest_excluding(
        &self,
        origin: Position,
        query: &NearestQuery,
        exclude: Option<usize>,
    ) -> Vec<NearestFacility<'_>> {
        let indexes = self.facility_indexes(&query.kinds);
        k_nearest_in(&indexes, origin, query.k, query.max_distance_m, exclude.as_ref())
            .into_iter()
            .enumerate()
            .map(|(i, n)| NearestFacility {
                facility: &self.facilities()[*n.value],
                index: *n.value,
                distance_m: n.distance_m,
                rank: i + 1,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use geo::{Distance, Geodesic};

    use super::*;
    use crate::testing::{SplitMix, origin_around_study_area, synthetic_facility};
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
            let origin = origin_around_study_area(&mut random, spread);
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
        assert!(NearestQuery::new(vec![], 1, Some(100_000.0)).is_ok());
        assert_eq!(
            NearestQuery::new(vec![], 1, Some(100_000.5)),
            Err(NearestQueryError::MaxDistance(100_000.5))
        );
    }
}
