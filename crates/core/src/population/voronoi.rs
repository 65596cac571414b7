//! The population model in use: census small areas spread over Voronoi cells in the study area,
//! municipal totals spread uniformly around it.

use geo::MultiPolygon;

use crate::population::density::MunicipalDensity;
use crate::population::surface::PopulationSurface;
use crate::{
    AreaRole, MeshCode, MunicipalPopulation, Municipality, MunicipalityCode, PopulationGroup,
    PopulationModel, SmallArea,
};

/// The 2020 census as a [`PopulationModel`]: in the study area, each small area's population
/// spread over its Voronoi cells (a [`PopulationSurface`]); in the neighbouring municipalities,
/// which are known only as totals, each total spread uniformly (wards at their city's density).
/// It knows [`PopulationGroup::Total`] only.
#[derive(Debug, Clone)]
pub struct VoronoiPopulation {
    /// Study-area municipalities, sorted: answered by the surface.
    study_area: Vec<MunicipalityCode>,
    surface: PopulationSurface,
    /// The neighbouring municipalities.
    neighbours: MunicipalDensity,
}

impl VoronoiPopulation {
    /// Builds the model: a surface from the small areas of the study-area municipalities, and
    /// a uniform density from the census totals (`populations`) of the neighbouring ones.
    ///
    /// ```
    /// use care_atlas_core::{
    ///     AreaRole, Municipality, PopulationGroup, PopulationModel, Position, SmallArea,
    ///     VoronoiPopulation,
    /// };
    /// use geo::{MultiPolygon, polygon};
    ///
    /// let town = Municipality {
    ///     code: "11238".parse().unwrap(),
    ///     name: "蓮田市".into(),
    ///     prefecture: "埼玉県".into(),
    ///     county: None,
    ///     role: AreaRole::StudyArea,
    ///     boundary: MultiPolygon(vec![polygon![
    ///         (x: 139.60, y: 35.96), (x: 139.70, y: 35.96), (x: 139.70, y: 36.04), (x: 139.60, y: 36.04)
    ///     ]]),
    /// };
    /// let people = SmallArea {
    ///     key_code: "112380010".into(),
    ///     piece: None,
    ///     municipality_code: town.code,
    ///     name: "本町".into(),
    ///     population: 1000,
    ///     households: 400,
    ///     area_m2: 0.0,
    ///     representative_point: Position::new(36.0, 139.65).unwrap(),
    /// };
    /// let model = VoronoiPopulation::build(&[town.clone()], &[], &[people]);
    /// assert_eq!(model.total(PopulationGroup::Total, town.code), Some(1000.0));
    /// // Age groups are not known from the small areas: unknown, not zero.
    /// assert_eq!(model.total(PopulationGroup::Aged75Plus, town.code), None);
    /// ```
    #[must_use]
    pub fn build(
        municipalities: &[Municipality],
        populations: &[MunicipalPopulation],
        small_areas: &[SmallArea],
    ) -> VoronoiPopulation {
        let in_role = |role: AreaRole| municipalities.iter().filter(move |m| m.role == role);
        let mut study_area: Vec<MunicipalityCode> =
            in_role(AreaRole::StudyArea).map(|m| m.code).collect();
        study_area.sort_unstable();
        VoronoiPopulation {
            study_area,
            surface: PopulationSurface::build(in_role(AreaRole::StudyArea), small_areas),
            neighbours: MunicipalDensity::build(in_role(AreaRole::Neighbour), populations),
        }
    }

    /// The surface of the study area.
    #[must_use]
    pub fn surface(&self) -> &PopulationSurface {
        &self.surface
    }

    /// Whether the surface answers for `municipality`: a study-area municipality that has small
    /// areas (one without is unknown rather than empty).
    fn on_surface(&self, municipality: MunicipalityCode) -> Option<bool> {
        if self.study_area.binary_search(&municipality).is_err() {
            return Some(false);
        }
        self.surface.covers(municipality).then_some(true)
    }
}

impl VoronoiPopulation {
    /// Short name of the model, for API metadata.
    pub const NAME: &str = "voronoi_small_areas";
}

impl PopulationModel for VoronoiPopulation {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn knows(&self, group: PopulationGroup) -> bool {
        group == PopulationGroup::Total
    }

    fn method(&self) -> &str {
        PopulationSurface::METHOD
    }

    fn ring_method(&self) -> &str {
        MunicipalDensity::METHOD
    }

    fn total(&self, group: PopulationGroup, municipality: MunicipalityCode) -> Option<f64> {
        if group != PopulationGroup::Total {
            return None;
        }
        if self.on_surface(municipality)? {
            Some(self.surface.total(municipality))
        } else {
            self.neighbours.total(municipality)
        }
    }

    fn within(
        &self,
        group: PopulationGroup,
        municipality: MunicipalityCode,
        region: &MultiPolygon<f64>,
    ) -> Option<f64> {
        if group != PopulationGroup::Total {
            return None;
        }
        if self.on_surface(municipality)? {
            Some(self.surface.population_within_municipality(municipality, region))
        } else {
            self.neighbours.within(municipality, region)
        }
    }

    fn ring_cell(&self, group: PopulationGroup, cell: MeshCode) -> Option<f64> {
        if group != PopulationGroup::Total {
            return None;
        }
        self.neighbours.at_centre(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MeshLevel, Position};
    use geo::polygon;

    fn square(w: f64, s: f64, e: f64, n: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![(x: w, y: s), (x: e, y: s), (x: e, y: n), (x: w, y: n)]])
    }

    /// A study town of two small areas (1000 west, 3000 east of 139.65), a study town without
    /// small areas, and a neighbour of 100 residents per km² to the east.
    fn model() -> VoronoiPopulation {
        let town = crate::testing::town_with_boundary(square(139.60, 35.96, 139.70, 36.04));
        let mut empty_town = town.clone();
        empty_town.code = "11246".parse().unwrap();
        empty_town.boundary = square(139.60, 36.04, 139.70, 36.10);
        let neighbour = Municipality {
            code: "11464".parse().unwrap(),
            role: AreaRole::Neighbour,
            boundary: square(139.70, 35.96, 139.80, 36.04),
            ..town.clone()
        };
        let town_code = town.code;
        let area = |key: &str, lon: f64, population: u32| SmallArea {
            key_code: key.into(),
            piece: None,
            municipality_code: town_code,
            name: key.into(),
            population,
            households: 0,
            area_m2: 0.0,
            representative_point: Position::new(36.0, lon).unwrap(),
        };
        let census = MunicipalPopulation {
            code: neighbour.code,
            name: "杉戸町".into(),
            census_year: 2020,
            total: 4000,
            aged_65_plus: Some(1000),
            aged_75_plus: Some(500),
            households: None,
            area_km2: Some(40.0),
        };
        VoronoiPopulation::build(
            &[town, empty_town, neighbour],
            &[census],
            &[area("w", 139.62, 1000), area("e", 139.68, 3000)],
        )
    }

    fn code(text: &str) -> MunicipalityCode {
        text.parse().unwrap()
    }

    #[test]
    fn study_area_from_the_surface_and_neighbours_from_their_density() {
        let model = model();
        let total = PopulationGroup::Total;
        assert_eq!(model.total(total, code("11238")), Some(4000.0));
        assert_eq!(model.total(total, code("11464")), Some(4000.0));
        let east_half = square(139.65, 35.96, 139.75, 36.04);
        let study = model.within(total, code("11238"), &east_half).unwrap();
        assert!((study - 3000.0).abs() < 0.01, "{study}");
        let neighbour = model.within(total, code("11464"), &east_half).unwrap();
        let km2 =
            crate::spatial::geometry::geodesic_area_m2(&square(139.70, 35.96, 139.75, 36.04)) / 1e6;
        // The overlay snaps vertices to its grid: about 1e-9 relative.
        assert!((neighbour / (100.0 * km2) - 1.0).abs() < 1e-8, "{neighbour}");
    }

    #[test]
    fn what_the_model_does_not_know_is_none() {
        let model = model();
        let everywhere = square(139.0, 35.0, 140.0, 37.0);
        // A study-area town without small areas, and a municipality not in the model.
        for unknown in [code("11246"), code("11442")] {
            assert_eq!(model.total(PopulationGroup::Total, unknown), None);
            assert_eq!(model.within(PopulationGroup::Total, unknown, &everywhere), None);
        }
        // Age groups, even where the census knows them per municipality.
        for group in PopulationGroup::ALL.into_iter().skip(1) {
            assert_eq!(model.total(group, code("11238")), None);
            assert_eq!(model.total(group, code("11464")), None);
            assert_eq!(model.within(group, code("11238"), &everywhere), None);
        }
        let ring = MeshCode::of(Position::new(36.0, 139.75).unwrap(), MeshLevel::Third).unwrap();
        assert!(model.ring_cell(PopulationGroup::Total, ring).is_some_and(|p| p > 0.0));
        assert_eq!(model.ring_cell(PopulationGroup::Aged65Plus, ring), None);
    }
}
