//! Answers that depend on the snapshot alone, made once and kept with it. A town's feature (its
//! statistics, its boundary, its label point) and its GeoJSON bytes are the same for every request
//! of the same snapshot, and remaking them per request was nearly all the time of `/areas/{code}`
//! (the geodesic area of the boundary, the label point, the boundary's serialisation). A
//! facility's feature in a `/nearest` answer, up to its distance, is the same too, and making and
//! serialising it was most of `/nearest`'s time. A facility's OGC item (its GeoJSON feature)
//! likewise: serialising each item was most of a facilities items page's time.
//!
//! The cache is a field of [`crate::AppState`], which a reload replaces whole: an answer never
//! outlives the snapshot it was made from.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use actix_web::web::Bytes;
use care_atlas_core::{Facility, MunicipalityCode, PopulationGroup};

use crate::ApiError;
use crate::dto::AreaFeature;
use crate::params::Lang;

/// The answers of one snapshot made so far. Its keys are the snapshot's municipalities and the
/// population groups, so it stays as small as the snapshot allows.
#[derive(Debug, Default)]
pub struct SnapshotCache {
    towns: RwLock<HashMap<(MunicipalityCode, PopulationGroup), Arc<TownAnswer>>>,
    /// The start of each facility's feature in a `/nearest` answer
    /// ([`crate::dto::nearest_feature_head`]), by its position in the snapshot's facilities, in
    /// Japanese and in English (looking them up by id, hashing it, was a tenth of the request).
    nearest_heads: [OnceLock<ItemSlots>; 2],
    /// Each facility's OGC item (a GeoJSON feature) as JSON, by its position in the snapshot's
    /// facilities, in Japanese and in English: a slot per facility, made the first time a page
    /// holds it (looking items up by id, hashing it, was a fifth of a 1,000-item page).
    facility_items: [OnceLock<ItemSlots>; 2],
}

/// One slot per facility of the snapshot, each holding its item's JSON once made.
type ItemSlots = Box<[OnceLock<Box<str>>]>;

/// One municipality's answer for one population group.
#[derive(Debug)]
pub struct TownAnswer {
    /// The feature, for the files (CSV, workbook) and `/areas`.
    pub feature: AreaFeature,
    /// The feature serialised, the body of `/areas/{code}` as GeoJSON.
    pub geojson: Bytes,
}

impl SnapshotCache {
    /// The start of `facilities[index]`'s feature in a `/nearest` answer with labels in `lang`
    /// ([`crate::dto::nearest_feature_head`]), made the first time. `facilities` is the
    /// snapshot's (`Atlas::facilities`), always the same slice for one cache.
    pub fn nearest_head(
        &self,
        facilities: &[Facility],
        index: usize,
        lang: Lang,
    ) -> Result<&str, serde_json::Error> {
        let made = || crate::dto::nearest_feature_head(&facilities[index], lang);
        slot_or_make(&self.nearest_heads[usize::from(lang == Lang::En)], facilities, index, made)
    }

    /// The OGC item of `facilities[index]` with labels in `lang`, as JSON, made the first time:
    /// the serialisation of [`crate::ogc::facility_item`]. `facilities` is the snapshot's
    /// (`Atlas::facilities`), always the same slice for one cache.
    pub fn facility_item(
        &self,
        facilities: &[Facility],
        index: usize,
        lang: Lang,
    ) -> Result<&str, serde_json::Error> {
        let made = || serde_json::to_string(&crate::ogc::facility_item(&facilities[index], lang));
        slot_or_make(&self.facility_items[usize::from(lang == Lang::En)], facilities, index, made)
    }

    /// The answer of `code` for `group` if it was made already.
    pub fn town(&self, code: MunicipalityCode, group: PopulationGroup) -> Option<Arc<TownAnswer>> {
        self.towns.read().unwrap_or_else(PoisonError::into_inner).get(&(code, group)).cloned()
    }

    /// The answer of `code` for `group`, made by `make` the first time (`None` when there is no
    /// such municipality, which is not kept).
    pub fn town_or_make(
        &self,
        code: MunicipalityCode,
        group: PopulationGroup,
        make: impl FnOnce() -> Option<AreaFeature>,
    ) -> Result<Option<Arc<TownAnswer>>, ApiError> {
        if let Some(made) = self.town(code, group) {
            return Ok(Some(made));
        }
        let Some(feature) = make() else { return Ok(None) };
        let geojson = Bytes::from(serde_json::to_vec(&feature).map_err(|_| ApiError::Internal)?);
        let answer = Arc::new(TownAnswer { feature, geojson });
        // Two requests may make the same answer at once: they are equal, and the first kept wins.
        let mut towns = self.towns.write().unwrap_or_else(PoisonError::into_inner);
        Ok(Some(Arc::clone(towns.entry((code, group)).or_insert(answer))))
    }
}

/// The JSON in `facilities[index]`'s slot of `slots` (one slot per facility, made on first use),
/// made by `make` the first time.
fn slot_or_make<'a>(
    slots: &'a OnceLock<ItemSlots>,
    facilities: &[Facility],
    index: usize,
    make: impl FnOnce() -> Result<String, serde_json::Error>,
) -> Result<&'a str, serde_json::Error> {
    let slot = &slots.get_or_init(|| facilities.iter().map(|_| OnceLock::new()).collect())[index];
    if let Some(kept) = slot.get() {
        return Ok(kept);
    }
    let json = make()?;
    // Two requests may make the same answer at once: they are equal, and the first kept wins.
    Ok(slot.get_or_init(|| json.into_boxed_str()))
}

#[cfg(test)]
mod tests {
    use care_atlas_core::testing::{SplitMix, synthetic_facility};

    use super::*;

    #[test]
    fn a_cached_nearest_head_is_the_facility_s_head_in_each_language() {
        let mut random = SplitMix(4);
        let facilities: Vec<Facility> =
            (0..5).map(|n| synthetic_facility(n, &mut random)).collect();
        let cache = SnapshotCache::default();
        for _made_then_kept in 0..2 {
            for lang in [Lang::Ja, Lang::En] {
                for (i, f) in facilities.iter().enumerate() {
                    let expected = crate::dto::nearest_feature_head(f, lang).unwrap();
                    assert_eq!(cache.nearest_head(&facilities, i, lang).unwrap(), expected);
                }
            }
        }
    }

    #[test]
    fn a_cached_facility_item_is_its_serialised_item_in_each_language() {
        let mut random = SplitMix(3);
        let facilities: Vec<Facility> =
            (0..5).map(|n| synthetic_facility(n, &mut random)).collect();
        let cache = SnapshotCache::default();
        for _made_then_kept in 0..2 {
            for lang in [Lang::Ja, Lang::En] {
                for (i, f) in facilities.iter().enumerate() {
                    let expected =
                        serde_json::to_string(&crate::ogc::facility_item(f, lang)).unwrap();
                    assert_eq!(cache.facility_item(&facilities, i, lang).unwrap(), expected);
                }
            }
        }
        assert_ne!(
            cache.facility_item(&facilities, 0, Lang::Ja).unwrap(),
            cache.facility_item(&facilities, 0, Lang::En).unwrap(),
            "the kind's label differs by language"
        );
    }
}
