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
        let in_municipality =
            |f: &&Facility| filter.municipality.is_none_or(|m| m == f.municipality_code);
        let matched: Vec<&Facility> = if let Some(bbox) = filter.bbox {
            let mut kinds = filter.kinds.clone();
            kinds.sort_unstable();
            kinds.dedup();
            let mut inside: Vec<usize> = self
                .facility_indexes(&kinds)
                .into_iter()
                .flat_map(|index| index.in_rect(bbox).map(|(_, &i)| i))
                .collect();
            // Index order is id order.
            inside.sort_unstable();
            inside.into_iter().map(|i| &self.facilities()[i]).filter(in_municipality).collect()
        } else {
            self.facilities()
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
