//! Per-area statistics: population, area, and facilities per kind per resident, per resident aged
//! 75+ (the ratio JMAP uses for care services) and per km², for the study-area municipalities and
//! for JIS mesh cells; and `locate`, which municipality and cells a point falls in.
//!
//! Honesty rules: a kind with no source is unknown (`None`), never 0; a partial source is flagged;
//! neighbouring municipalities, whose facilities are known only within 10 km of the study area,
//! get population and area but no per-kind statistics; so do mesh cells that reach outside the
//! study area, where the population model and several kinds are not known.

use geo::{BooleanOps, GeodesicArea, MultiPolygon};

use crate::{
    AreaRole, Atlas, FacilityKind, MeshCode, MeshLevel, MunicipalityCode, PopulationGroup,
    Position, SourceCompleteness, SourceScope,
};

/// An area statistics can be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AreaRef {
    /// A municipality (or ward).
    Municipality(MunicipalityCode),
    /// A JIS mesh cell.
    Mesh(MeshCode),
}

/// How complete the statistics of an area are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatisticsScope {
    /// Inside the study area: every statistic is as complete as its source.
    StudyArea,
    /// A mesh cell reaching outside the study area: population is that of its study-area part,
    /// and per-kind statistics are withheld.
    PartlyOutsideStudyArea,
    /// A neighbouring municipality: facilities are known only within 10 km of the study area, so
    /// per-kind statistics are withheld.
    Neighbour,
}

impl StatisticsScope {
    /// Stable id.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            StatisticsScope::StudyArea => "study_area",
            StatisticsScope::PartlyOutsideStudyArea => "partly_outside_study_area",
            StatisticsScope::Neighbour => "neighbour",
        }
    }
}

/// One kind's statistics in one area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KindStatistics {
    /// The kind.
    pub kind: FacilityKind,
    /// How completely the kind is known in the study area.
    pub completeness: SourceCompleteness,
    /// Facilities in the area (`None`: no source); for a partial source, a lower bound.
    pub count: Option<usize>,
    /// Per 10,000 residents.
    pub per_10k_residents: Option<f64>,
    /// Per 1,000 residents aged 75 and over (known per municipality only).
    pub per_1k_aged_75_plus: Option<f64>,
    /// Per 1,000 residents of the group asked for, by the population model.
    pub per_1k_group: Option<f64>,
    /// Per km².
    pub per_km2: Option<f64>,
}

/// Statistics of one area.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaStatistics {
    /// The area.
    pub area: AreaRef,
    /// How complete the figures are.
    pub scope: StatisticsScope,
    /// Residents (census 2020): exact for a municipality, estimated by the population model for
    /// a mesh cell (see [`crate::PopulationModel::within`]); `None` where unknown.
    pub population: Option<f64>,
    /// Residents aged 65 and over (municipalities only).
    pub aged_65_plus: Option<u32>,
    /// Residents aged 75 and over (municipalities only).
    pub aged_75_plus: Option<u32>,
    /// The population group asked for.
    pub group: PopulationGroup,
    /// Residents of the group by the population model: its town sum for a municipality, its
    /// estimate for a mesh cell's study-area part; `None` where unknown.
    pub model_population: Option<f64>,
    /// The official census figure of the group for a municipality (SSDSE-A: total, 65+, 75+);
    /// `None` for a mesh cell and for groups without an official town figure (85+, living alone).
    pub official_population: Option<f64>,
    /// Geodesic area in km².
    pub area_km2: f64,
    /// Per-kind statistics in [`FacilityKind::ALL`] order; empty unless `scope` is
    /// [`StatisticsScope::StudyArea`].
    pub kinds: Vec<KindStatistics>,
}

/// Where a point is.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// The municipality containing it, if it is in a mapped one.
    pub municipality: Option<MunicipalityCode>,
    /// Whether that municipality is in the study area.
    pub in_study_area: bool,
    /// Its JIS mesh cells, coarsest first (empty outside the mesh system).
    pub mesh: Vec<MeshCode>,
}

/// The residents per-kind ratios are taken over.
#[derive(Clone, Copy)]
struct Residents {
    /// Every resident.
    all: Option<f64>,
    /// Residents aged 75+ (census, municipalities only).
    aged_75_plus: Option<u32>,
    /// Residents of the group asked for, by the population model.
    group: Option<f64>,
}

fn area_km2(shape: &MultiPolygon<f64>) -> f64 {
    shape.geodesic_area_unsigned() / 1e6
}

impl Atlas {
    /// The municipality and mesh cells of a point.
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, Position};
    /// let here = Atlas::new(AtlasParts::default()).locate(Position::new(35.996631, 139.676669).unwrap());
    /// assert_eq!(here.mesh.iter().map(ToString::to_string).collect::<Vec<_>>(), ["5339", "533975", "53397594", "533975943", "5339759431"]);
    /// ```
    #[must_use]
    pub fn locate(&self, position: Position) -> Location {
        let municipality = self.municipality_at(position);
        Location {
            municipality: municipality.map(|m| m.code),
            in_study_area: municipality.is_some_and(|m| m.role == AreaRole::StudyArea),
            mesh: MeshLevel::ALL
                .iter()
                .filter_map(|&level| MeshCode::of(position, level))
                .collect(),
        }
    }

    /// Statistics of a municipality or mesh cell; `None` for a municipality not in the atlas or a
    /// mesh cell that does not touch the study area.
    ///
    /// ```
    /// use care_atlas_core::{AreaRef, Atlas, AtlasParts};
    /// use care_atlas_core::PopulationGroup;
    /// let atlas = Atlas::new(AtlasParts::default());
    /// let hasuda = AreaRef::Municipality("11238".parse().unwrap());
    /// assert!(atlas.area_statistics(hasuda, PopulationGroup::Total).is_none());
    /// ```
    #[must_use]
    pub fn area_statistics(&self, area: AreaRef, group: PopulationGroup) -> Option<AreaStatistics> {
        match area {
            AreaRef::Municipality(code) => self.municipality_statistics(code, group),
            AreaRef::Mesh(cell) => self.mesh_statistics(cell, group),
        }
    }

    fn municipality_statistics(
        &self,
        code: MunicipalityCode,
        group: PopulationGroup,
    ) -> Option<AreaStatistics> {
        let municipality = self.municipality(code)?;
        let census = self.population(code);
        let area_km2 = area_km2(&municipality.boundary);
        let population = census.map(|p| f64::from(p.total));
        let aged_75_plus = census.and_then(|p| p.aged_75_plus);
        let model_population = self.population_model().total(group, code);
        let official_population = census.and_then(|p| match group {
            PopulationGroup::Total => Some(f64::from(p.total)),
            PopulationGroup::Aged65Plus => p.aged_65_plus.map(f64::from),
            PopulationGroup::Aged75Plus => p.aged_75_plus.map(f64::from),
            PopulationGroup::Aged85Plus | PopulationGroup::ElderlyLivingAlone => None,
        });
        let (scope, kinds) = if municipality.role == AreaRole::StudyArea {
            let counts = self.count_by_kind(|f| f.municipality_code == code);
            let count = |kind: FacilityKind| counts.get(&kind).copied().unwrap_or(0);
            let people = Residents { all: population, aged_75_plus, group: model_population };
            (StatisticsScope::StudyArea, self.kind_statistics(count, people, area_km2))
        } else {
            (StatisticsScope::Neighbour, Vec::new())
        };
        Some(AreaStatistics {
            area: AreaRef::Municipality(code),
            scope,
            population,
            aged_65_plus: census.and_then(|p| p.aged_65_plus),
            aged_75_plus,
            group,
            model_population,
            official_population,
            area_km2,
            kinds,
        })
    }

    fn mesh_statistics(&self, cell: MeshCode, group: PopulationGroup) -> Option<AreaStatistics> {
        let shape = MultiPolygon(vec![cell.polygon()]);
        let area = area_km2(&shape);
        let touched: Vec<(&crate::Municipality, f64)> = self
            .study_area()
            .map(|m| (m, area_km2(&m.boundary.intersection(&shape))))
            .filter(|(_, km2)| *km2 > 0.0)
            .collect();
        let inside_km2: f64 = touched.iter().map(|(_, km2)| km2).sum();
        if inside_km2 <= 0.0 {
            return None;
        }
        // Residents of the study-area part: unknown if any municipality it touches is.
        let within = |group: PopulationGroup| {
            touched
                .iter()
                .map(|(m, _)| self.population_model().within(group, m.code, &shape))
                .sum::<Option<f64>>()
        };
        let population = within(PopulationGroup::Total);
        let model_population = within(group);
        // A cell counts as inside when all but a sliver (1 m² per km², from boundary
        // digitisation) lies in the study area.
        let (scope, kinds) = if inside_km2 >= area * (1.0 - 1e-6) {
            let counts =
                self.count_by_kind(|f| MeshCode::of(f.position, cell.level()) == Some(cell));
            let count = |kind: FacilityKind| counts.get(&kind).copied().unwrap_or(0);
            let people = Residents { all: population, aged_75_plus: None, group: model_population };
            (StatisticsScope::StudyArea, self.kind_statistics(count, people, area))
        } else {
            (StatisticsScope::PartlyOutsideStudyArea, Vec::new())
        };
        Some(AreaStatistics {
            area: AreaRef::Mesh(cell),
            scope,
            population,
            aged_65_plus: None,
            aged_75_plus: None,
            group,
            model_population,
            official_population: None,
            area_km2: area,
            kinds,
        })
    }

    /// Facilities per kind among those `within` accepts, in one pass.
    fn count_by_kind(
        &self,
        within: impl Fn(&crate::Facility) -> bool,
    ) -> std::collections::BTreeMap<FacilityKind, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for f in self.facilities().iter().filter(|f| within(f)) {
            *counts.entry(f.kind).or_insert(0) += 1;
        }
        counts
    }

    fn kind_statistics(
        &self,
        count: impl Fn(FacilityKind) -> usize,
        people: Residents,
        area_km2: f64,
    ) -> Vec<KindStatistics> {
        FacilityKind::ALL
            .iter()
            .map(|&kind| {
                let completeness = self.source_completeness(kind, SourceScope::StudyArea);
                let count = (completeness != SourceCompleteness::NoSource).then(|| count(kind));
                let ratio = |n: usize, per: f64, of: Option<f64>| {
                    of.filter(|d| *d > 0.0).map(|d| n as f64 * per / d)
                };
                KindStatistics {
                    kind,
                    completeness,
                    count,
                    per_10k_residents: count.and_then(|n| ratio(n, 10_000.0, people.all)),
                    per_1k_aged_75_plus: count
                        .and_then(|n| ratio(n, 1_000.0, people.aged_75_plus.map(f64::from))),
                    per_1k_group: count.and_then(|n| ratio(n, 1_000.0, people.group)),
                    per_km2: count.and_then(|n| ratio(n, 1.0, Some(area_km2))),
                }
            })
            .collect()
    }
}
