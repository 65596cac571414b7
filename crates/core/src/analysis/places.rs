//! Places a planner knows: the census small area (町丁・字等, the 大字・町丁目 of the 2020 census)
//! a point lies in, so that answers name 「宮代町 東粂原」 rather than a mesh code.
//!
//! Our sources have the small areas' attributes and representative points but not their
//! boundaries (see `data/README.md`), so a point belongs to the small area of its municipality
//! whose representative point is nearest: the Voronoi cell of those points clipped to the
//! municipality, the same cells the fallback population model spreads residents over. Near the
//! edge between two small areas the name can be the neighbour's; it is never a place in another
//! municipality.

use std::collections::BTreeMap;

use crate::{
    Atlas, GapQuery, GroupFigures, MunicipalityCode, OUT_OF_REACH_LEVEL, PopulationGroup, Position,
    Scenario, SmallArea,
};

/// A census small area with people out of reach.
#[derive(Debug, Clone, PartialEq)]
pub struct UnderservedPlace<'a> {
    /// The small area (the first piece of a split one).
    pub small_area: &'a SmallArea,
    /// Its residents out of reach per group, in [`PopulationGroup::ALL`] order (`None` where
    /// unknown).
    pub population_uncovered: GroupFigures,
    /// Its area out of reach in km².
    pub area_uncovered_km2: f64,
}

impl UnderservedPlace<'_> {
    /// Residents of `group` out of reach; `None` where unknown.
    #[must_use]
    pub fn population_uncovered(&self, group: PopulationGroup) -> Option<f64> {
        PopulationGroup::ALL
            .iter()
            .position(|g| *g == group)
            .and_then(|i| self.population_uncovered[i])
    }
}

impl Atlas {
    /// The census small area at `position` (see the module documentation), or `None` outside
    /// the mapped municipalities or in one without small areas.
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, Position};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// assert!(atlas.small_area_at(Position::new(36.02, 139.72).unwrap()).is_none());
    /// ```
    #[must_use]
    pub fn small_area_at(&self, position: Position) -> Option<&SmallArea> {
        let municipality = self.municipality_at(position)?;
        self.nearest_small_area(municipality.code, position)
    }

    /// The small area of `municipality` whose representative point is nearest `position` (the
    /// first in id order on a tie), or `None` when it has none.
    #[must_use]
    pub fn nearest_small_area(
        &self,
        municipality: MunicipalityCode,
        position: Position,
    ) -> Option<&SmallArea> {
        let [x, y] = self.frame().project(position);
        let squared = |area: &SmallArea| {
            let [ax, ay] = self.frame().project(area.representative_point);
            (ax - x).powi(2) + (ay - y).powi(2)
        };
        self.small_areas()
            .iter()
            .filter(|a| a.municipality_code == municipality)
            .map(|a| (squared(a), a))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, a)| a)
    }
}

impl Atlas {
    /// The census small areas with people out of reach of `query.kinds` within
    /// `query.radius_m` under `scenario`, in the towns of `query.area` (all three when `None`),
    /// most people of `query.group` out of reach first (unknown last, then by key). Counted by
    /// the one rule of [`Atlas::quarter_reach`]: each 250 m cell part out of reach counts for the
    /// small area nearest its centre in its town, so the places of a town add up to its gap
    /// summary. `query.resolution` is not used.
    #[must_use]
    pub fn underserved_places(
        &self,
        query: &GapQuery,
        scenario: &Scenario,
    ) -> Vec<UnderservedPlace<'_>> {
        let reach = self.quarter_reach(&query.kinds, query.radius_m, scenario);
        let mut places: BTreeMap<&str, UnderservedPlace<'_>> = BTreeMap::new();
        for (cell, covered) in self.grid(OUT_OF_REACH_LEVEL).study.iter().zip(&reach.covered) {
            if *covered {
                continue;
            }
            for part in &cell.parts {
                if query.area.is_some_and(|a| a != part.municipality_code) {
                    continue;
                }
                let Some(area) = self.nearest_small_area(part.municipality_code, cell.center)
                else {
                    continue;
                };
                let first =
                    self.small_areas().iter().find(|a| a.key_code == area.key_code).unwrap_or(area);
                let place = places.entry(first.key_code.as_str()).or_insert(UnderservedPlace {
                    small_area: first,
                    population_uncovered: [Some(0.0); PopulationGroup::ALL.len()],
                    area_uncovered_km2: 0.0,
                });
                for (sum, people) in place.population_uncovered.iter_mut().zip(&part.populations) {
                    *sum = sum.zip(*people).map(|(a, b)| a + b);
                }
                place.area_uncovered_km2 += part.area_km2;
            }
        }
        let mut ranked: Vec<UnderservedPlace<'_>> = places.into_values().collect();
        let key = |p: &UnderservedPlace<'_>| p.population_uncovered(query.group);
        ranked.sort_by(|a, b| {
            match (key(a), key(b)) {
                (Some(x), Some(y)) => y.total_cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then_with(|| a.small_area.key_code.cmp(&b.small_area.key_code))
        });
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AtlasParts, testing};

    fn area(key: &str, name: &str, lat: f64, lon: f64) -> SmallArea {
        SmallArea {
            key_code: key.into(),
            piece: None,
            municipality_code: testing::rectangular_town(139.60, 35.96, 139.70, 36.04).code,
            name: name.into(),
            population: 100,
            households: 40,
            area_m2: 0.0,
            representative_point: Position::new(lat, lon).unwrap(),
        }
    }

    #[test]
    fn a_point_takes_the_small_area_whose_representative_point_is_nearest_in_its_town() {
        let atlas = Atlas::new(AtlasParts {
            municipalities: vec![testing::rectangular_town(139.60, 35.96, 139.70, 36.04)],
            small_areas: vec![area("1", "西", 36.0, 139.62), area("2", "東", 36.0, 139.68)],
            ..AtlasParts::default()
        });
        let name = |lat, lon| {
            atlas.small_area_at(Position::new(lat, lon).unwrap()).map(|a| a.name.clone())
        };
        assert_eq!(name(36.01, 139.63).as_deref(), Some("西"));
        assert_eq!(name(35.97, 139.69).as_deref(), Some("東"));
        // Outside every mapped municipality: no place, rather than the nearest one anyway.
        assert_eq!(name(37.0, 141.0), None);
    }
}
