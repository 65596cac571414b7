//! Facility selection: the facilities inside a longitude/latitude box, of some kinds, in a
//! municipality, a page at a time in id order with the exact number matched (what a feature
//! server such as OGC API - Features hands out). The box is answered by the facility indexes.

use crate::{Atlas, Facility, FacilityKind, MunicipalityCode};

/// The most facilities one page holds.
pub const MAX_PAGE_SIZE: usize = 10_000;

/// Which facilities to select; every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FacilityFilter {
    /// Longitude (`x`) and latitude (`y`) bounds, edges included.
    pub bbox: Option<geo::Rect<f64>>,
    /// Kinds (all when empty).
    pub kinds: Vec<FacilityKind>,
    /// The municipality the facility is registered in.
    pub municipality: Option<MunicipalityCode>,
}

/// One page of a selection.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityPage<'a> {
    /// The facilities of the page, in id order.
    pub facilities: Vec<&'a Facility>,
    /// How many facilities the filter matches in all.
    pub number_matched: usize,
}

/// One page of a selection as positions in [`Atlas::facilities`], for callers that keep
/// something per facility by its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacilityIndexPage {
    /// The positions of the page's facilities in [`Atlas::facilities`], in id order.
    pub indexes: Vec<usize>,
    /// How many facilities the filter matches in all.
    pub number_matched: usize,
}

impl Atlas {
    /// The facilities `filter` matches, in id order, skipping `offset` and keeping at most
    /// `limit` (the API keeps it within 1..=[`MAX_PAGE_SIZE`]).
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, FacilityFilter};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// let page = atlas.select_facilities(&FacilityFilter::default(), 0, 10);
    /// assert_eq!((page.facilities.len(), page.number_matched), (0, 0));
    /// ```
    #[must_use]
    pub fn select_facilities(
        &self,
        filter: &FacilityFilter,
        offset: usize,
        limit: usize,
    ) -> FacilityPage<'_> {
        let page = self.select_facility_indexes(filter, offset, limit);
        FacilityPage {
            facilities: page.indexes.iter().map(|&i| &self.facilities()[i]).collect(),
            number_matched: page.number_matched,
        }
    }

    /// [`Atlas::select_facilities`] as positions in [`Atlas::facilities`].
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, FacilityFilter};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// let page = atlas.select_facility_indexes(&FacilityFilter::default(), 0, 10);
    /// assert_eq!((page.indexes.len(), page.number_matched), (0, 0));
    /// ```
    #[must_use]
    pub fn select_facility_indexes(
        &self,
        filter: &FacilityFilter,
        offset: usize,
        limit: usize,
    ) -> FacilityIndexPage {
        let in_municipality =
            |f: &Facility| filter.municipality.is_none_or(|m| m == f.municipality_code);
        let facilities = self.facilities();
        if let Some(bbox) = filter.bbox {
            let mut kinds = filter.kinds.clone();
            kinds.sort_unstable();
            kinds.dedup();
            let mut inside: Vec<usize> = self
                .facility_indexes(&kinds)
                .into_iter()
                .flat_map(|index| index.in_rect(bbox).map(|(_, &i)| i))
                .filter(|&i| in_municipality(&facilities[i]))
                .collect();
            let number_matched = inside.len();
            // Index order is id order: only the page's indexes are put in order, not every match
            // (sorting them all was a third of a 10-item page's time).
            let page = page_in_order(&mut inside, offset, limit);
            FacilityIndexPage { indexes: page.to_vec(), number_matched }
        } else {
            // The facilities are in id order already: count every match, keep the page's.
            let mut indexes = Vec::new();
            let mut number_matched = 0;
            for (i, f) in facilities.iter().enumerate() {
                if (filter.kinds.is_empty() || filter.kinds.contains(&f.kind)) && in_municipality(f)
                {
                    if number_matched >= offset && indexes.len() < limit {
                        indexes.push(i);
                    }
                    number_matched += 1;
                }
            }
            FacilityIndexPage { indexes, number_matched }
        }
    }
}

/// The `limit` values after the `offset` smallest of `values`, in ascending order: what sorting
/// `values` and skipping and taking would give, by partitioning around the page's bounds
/// (linear on average) and sorting the page alone.
fn page_in_order<T: Ord>(values: &mut [T], offset: usize, limit: usize) -> &mut [T] {
    if offset >= values.len() || limit == 0 {
        return &mut [];
    }
    if offset > 0 {
        values.select_nth_unstable(offset);
    }
    let rest = &mut values[offset..];
    let taken = limit.min(rest.len());
    if taken < rest.len() {
        rest.select_nth_unstable(taken);
    }
    let page = &mut rest[..taken];
    page.sort_unstable();
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SplitMix, synthetic_facility};
    use crate::{AtlasParts, Position};

    /// Every facility the filter matches, by a scan of every facility.
    fn scan<'a>(atlas: &'a Atlas, filter: &FacilityFilter) -> Vec<&'a Facility> {
        atlas
            .facilities()
            .iter()
            .filter(|f| filter.kinds.is_empty() || filter.kinds.contains(&f.kind))
            .filter(|f| filter.municipality.is_none_or(|m| m == f.municipality_code))
            .filter(|f| {
                filter.bbox.is_none_or(|r| {
                    (r.min().x..=r.max().x).contains(&f.position.lon())
                        && (r.min().y..=r.max().y).contains(&f.position.lat())
                })
            })
            .collect()
    }

    /// The selection as it was made before pages were partitioned out: every match found, every
    /// match sorted into id order, then skipped and taken.
    fn select_by_full_sort<'a>(
        atlas: &'a Atlas,
        filter: &FacilityFilter,
        offset: usize,
        limit: usize,
    ) -> FacilityPage<'a> {
        let in_municipality =
            |f: &&Facility| filter.municipality.is_none_or(|m| m == f.municipality_code);
        let matched: Vec<&Facility> = if let Some(bbox) = filter.bbox {
            let mut kinds = filter.kinds.clone();
            kinds.sort_unstable();
            kinds.dedup();
            let mut inside: Vec<usize> = atlas
                .facility_indexes(&kinds)
                .into_iter()
                .flat_map(|index| index.in_rect(bbox).map(|(_, &i)| i))
                .collect();
            inside.sort_unstable();
            inside.into_iter().map(|i| &atlas.facilities()[i]).filter(in_municipality).collect()
        } else {
            atlas
                .facilities()
                .iter()
                .filter(|f| filter.kinds.is_empty() || filter.kinds.contains(&f.kind))
                .filter(in_municipality)
                .collect()
        };
        let number_matched = matched.len();
        FacilityPage {
            facilities: matched.into_iter().skip(offset).take(limit).collect(),
            number_matched,
        }
    }

    #[test]
    fn a_page_in_order_is_the_sorted_values_skipped_and_taken() {
        let mut random = SplitMix(1414);
        for case in 0..2000 {
            let len = (random.next_u64() % 60) as usize;
            // Few distinct values in some cases, so that ties are tried too.
            let spread = if case % 3 == 0 { 5 } else { 1000 };
            let values: Vec<u64> = (0..len).map(|_| random.next_u64() % spread).collect();
            let offset = (random.next_u64() % (len as u64 + 3)) as usize;
            let limit = (random.next_u64() % (len as u64 + 3)) as usize;
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let want: Vec<u64> = sorted.into_iter().skip(offset).take(limit).collect();
            let mut partitioned = values.clone();
            let page = page_in_order(&mut partitioned, offset, limit);
            assert_eq!(page, want.as_slice(), "{values:?} offset {offset} limit {limit}");
        }
    }

    #[test]
    fn selection_equals_the_full_sort_on_random_boxes_kinds_and_pages() {
        let mut random = SplitMix(2026);
        let mut facilities: Vec<Facility> =
            (0..3000).map(|i| synthetic_facility(i, &mut random)).collect();
        let other_town = MunicipalityCode::from_six_digits("112461").unwrap();
        for f in facilities.iter_mut().step_by(4) {
            f.municipality_code = other_town;
        }
        let atlas = Atlas::new(AtlasParts { facilities, ..AtlasParts::default() });
        let mut cut_pages = 0;
        for case in 0..300 {
            let (west, south) = (random.uniform(139.45, 139.85), random.uniform(35.83, 36.13));
            let (east, north) = (west + random.uniform(0.0, 0.3), south + random.uniform(0.0, 0.2));
            let kinds: Vec<FacilityKind> = FacilityKind::ALL
                .into_iter()
                .filter(|_| case % 2 == 0 && random.next_u64().is_multiple_of(3))
                .collect();
            let filter = FacilityFilter {
                bbox: (case % 5 != 4).then(|| {
                    geo::Rect::new(
                        geo::coord! { x: west, y: south },
                        geo::coord! { x: east, y: north },
                    )
                }),
                kinds,
                municipality: (case % 3 == 0).then_some(other_town),
            };
            let offset = [0, 1, 7, 100, 2999, 5000][case % 6];
            let limit = [1, 10, 1000, MAX_PAGE_SIZE, 3][case % 5];
            let page = atlas.select_facilities(&filter, offset, limit);
            assert_eq!(
                page,
                select_by_full_sort(&atlas, &filter, offset, limit),
                "{filter:?} offset {offset} limit {limit}"
            );
            cut_pages +=
                usize::from(!page.facilities.is_empty() && page.number_matched > offset + limit);
        }
        assert!(cut_pages > 30, "only {cut_pages} cases had matches beyond their page");
    }

    #[test]
    fn selection_equals_a_scan_and_pages_in_id_order() {
        let mut random = SplitMix(518);
        let mut facilities: Vec<Facility> =
            (0..2000).map(|i| synthetic_facility(i, &mut random)).collect();
        let other_town = MunicipalityCode::from_six_digits("112461").unwrap();
        for f in facilities.iter_mut().step_by(3) {
            f.municipality_code = other_town;
        }
        // Facilities exactly on the box's edges and corners count as inside.
        let (west, south, east, north) = (139.6, 35.95, 139.7, 36.05);
        for (i, (lat, lon)) in
            [(south, west), (north, east), (south, 139.65), (36.0, east)].into_iter().enumerate()
        {
            facilities[i].position = Position::new(lat, lon).unwrap();
        }
        let atlas = Atlas::new(AtlasParts { facilities, ..AtlasParts::default() });
        let bbox =
            geo::Rect::new(geo::coord! { x: west, y: south }, geo::coord! { x: east, y: north });
        let filters = [
            FacilityFilter::default(),
            FacilityFilter { bbox: Some(bbox), ..FacilityFilter::default() },
            FacilityFilter {
                bbox: Some(bbox),
                kinds: vec![FacilityKind::Clinic, FacilityKind::Hospital, FacilityKind::Clinic],
                municipality: Some(other_town),
            },
            FacilityFilter {
                kinds: vec![FacilityKind::Pharmacy],
                municipality: Some(other_town),
                ..FacilityFilter::default()
            },
            FacilityFilter {
                bbox: Some(geo::Rect::new(
                    geo::coord! { x: 150.0, y: 0.0 },
                    geo::coord! { x: 151.0, y: 1.0 },
                )),
                ..FacilityFilter::default()
            },
        ];
        for filter in &filters {
            let expected = scan(&atlas, filter);
            for (offset, limit) in
                [(0, 10_000), (0, 7), (5, 3), (expected.len(), 10), (usize::MAX, 1)]
            {
                let page = atlas.select_facilities(filter, offset, limit);
                assert_eq!(page.number_matched, expected.len(), "{filter:?}");
                let want: Vec<&Facility> =
                    expected.iter().copied().skip(offset).take(limit).collect();
                assert_eq!(page.facilities, want, "{filter:?} {offset} {limit}");
            }
        }
        assert!(scan(&atlas, &filters[1]).len() > 100, "the box holds enough to test paging");
    }
}
