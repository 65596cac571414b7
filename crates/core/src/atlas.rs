//! The `Atlas`: one immutable snapshot of everything the service answers from, with its spatial
//! indexes built once.
//!
//! Facilities are indexed per kind, and all together, in [`PositionIndex`]es over one
//! [`LocalFrame`], so that a query for some kinds touches only their indexes and distances in the
//! index are metres, not degrees. Everything else (municipalities, small areas, census figures,
//! the gazetteer) is kept as given, sorted by its key; the population model every analysis asks
//! is chosen here, in [`Atlas::new`].

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use geo::Contains;

use crate::{
    AreaRole, CensusMeshCell, CensusMeshPopulation, Facility, FacilityId, FacilityKind, Gazetteer,
    Grid, KindCompleteness, LocalFrame, MeshLevel, MunicipalPopulation, Municipality,
    MunicipalityCode, PopulationModel, Position, PositionIndex, SmallArea, SourceCompleteness,
    SourceScope, TownPoint, VoronoiPopulation,
};

/// An index of facilities: each entry's value is the facility's index in [`Atlas::facilities`],
/// whose order is the id order, so ties broken by value are broken by id.
pub(crate) type FacilityIndex = PositionIndex<usize>;

/// What an [`Atlas`] is built from.
#[derive(Debug, Clone, Default)]
pub struct AtlasParts {
    /// Facilities.
    pub facilities: Vec<Facility>,
    /// Municipalities with their boundaries.
    pub municipalities: Vec<Municipality>,
    /// Census population per municipality.
    pub populations: Vec<MunicipalPopulation>,
    /// Census small areas.
    pub small_areas: Vec<SmallArea>,
    /// Gazetteer town points.
    pub towns: Vec<TownPoint>,
    /// How completely each kind is known.
    pub completeness: Vec<KindCompleteness>,
    /// The 2020 census by 500 m mesh cell; when empty, the Voronoi model is used.
    pub census_mesh: Vec<CensusMeshCell>,
}

/// The facilities sorted by id (duplicates dropped) and their indexes, as [`Atlas`] keeps them.
struct FacilityIndexes {
    facilities: Vec<Facility>,
    by_id: HashMap<FacilityId, usize>,
    frame: LocalFrame,
    by_kind: BTreeMap<FacilityKind, FacilityIndex>,
    all_kinds: FacilityIndex,
}

impl FacilityIndexes {
    fn build(mut facilities: Vec<Facility>) -> Self {
        facilities.sort_by(|a, b| a.id.cmp(&b.id));
        facilities.dedup_by(|a, b| a.id == b.id);
        let frame = LocalFrame::for_positions(facilities.iter().map(|f| &f.position));
        let by_id = facilities.iter().enumerate().map(|(i, f)| (f.id.clone(), i)).collect();
        let mut entries: BTreeMap<FacilityKind, Vec<(Position, usize)>> = BTreeMap::new();
        for (i, f) in facilities.iter().enumerate() {
            entries.entry(f.kind).or_default().push((f.position, i));
        }
        // One index per kind for queries on a few kinds, and one over every facility for queries
        // on all of them, which would otherwise merge fifteen streams.
        let by_kind = entries
            .into_iter()
            .map(|(kind, entries)| (kind, PositionIndex::new(entries, frame)))
            .collect();
        let all_kinds =
            PositionIndex::new(facilities.iter().enumerate().map(|(i, f)| (f.position, i)), frame);
        FacilityIndexes { facilities, by_id, frame, by_kind, all_kinds }
    }
}

/// An immutable snapshot with its indexes.
#[derive(Debug)]
pub struct Atlas {
    facilities: Vec<Facility>,
    by_id: HashMap<FacilityId, usize>,
    frame: LocalFrame,
    by_kind: BTreeMap<FacilityKind, FacilityIndex>,
    all_kinds: FacilityIndex,
    municipalities: Vec<Municipality>,
    populations: BTreeMap<MunicipalityCode, MunicipalPopulation>,
    small_areas: Vec<SmallArea>,
    gazetteer: Gazetteer,
    completeness: Vec<KindCompleteness>,
    population: Box<dyn PopulationModel>,
    /// Mesh grids of the study area, built on first use: 1 km, 500 m, 250 m.
    grids: [OnceLock<Grid>; 3],
}

impl Atlas {
    /// Builds the snapshot and its indexes. Facilities are sorted by id; a later facility with an
    /// id already seen is dropped (the loader never produces one).
    #[must_use]
    pub fn new(parts: AtlasParts) -> Self {
        let AtlasParts {
            facilities,
            mut municipalities,
            populations,
            mut small_areas,
            towns,
            completeness,
            census_mesh,
        } = parts;
        municipalities.sort_by_key(|m| m.code);
        small_areas.sort_by_key(SmallArea::id);
        // The facilities' indexes and the population model do not depend on each other: built
        // side by side, the indexes fill the gaps the population build leaves on the cores.
        let (facility_indexes, population) = rayon::join(
            || FacilityIndexes::build(facilities),
            || -> Box<dyn PopulationModel> {
                // The population model: the census mesh where the snapshot has it, else the
                // Voronoi surface of the small areas (total population only).
                let voronoi =
                    || VoronoiPopulation::build(&municipalities, &populations, &small_areas);
                if census_mesh.is_empty() {
                    Box::new(voronoi())
                } else {
                    Box::new(CensusMeshPopulation::build_beside(
                        &municipalities,
                        &census_mesh,
                        voronoi,
                    ))
                }
            },
        );
        let FacilityIndexes { facilities, by_id, frame, by_kind, all_kinds } = facility_indexes;
        Atlas {
            grids: [OnceLock::new(), OnceLock::new(), OnceLock::new()],
            population,
            facilities,
            by_id,
            frame,
            by_kind,
            all_kinds,
            municipalities,
            populations: populations.into_iter().map(|p| (p.code, p)).collect(),
            small_areas,
            gazetteer: Gazetteer::new(towns),
            completeness,
        }
    }

    /// Every facility, sorted by id.
    #[must_use]
    pub fn facilities(&self) -> &[Facility] {
        &self.facilities
    }

    /// A facility by id.
    #[must_use]
    pub fn facility(&self, id: &FacilityId) -> Option<&Facility> {
        self.facility_index(id).map(|i| &self.facilities[i])
    }

    /// The index of facility `id` in [`Atlas::facilities`].
    pub(crate) fn facility_index(&self, id: &FacilityId) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Every municipality, sorted by code.
    #[must_use]
    pub fn municipalities(&self) -> &[Municipality] {
        &self.municipalities
    }

    /// A municipality by code.
    #[must_use]
    pub fn municipality(&self, code: MunicipalityCode) -> Option<&Municipality> {
        self.municipalities
            .binary_search_by_key(&code, |m| m.code)
            .ok()
            .map(|i| &self.municipalities[i])
    }

    /// The study-area municipalities.
    pub fn study_area(&self) -> impl Iterator<Item = &Municipality> {
        self.municipalities.iter().filter(|m| m.role == AreaRole::StudyArea)
    }

    /// Census population of a municipality.
    #[must_use]
    pub fn population(&self, code: MunicipalityCode) -> Option<&MunicipalPopulation> {
        self.populations.get(&code)
    }

    /// Census small areas, sorted by id.
    #[must_use]
    pub fn small_areas(&self) -> &[SmallArea] {
        &self.small_areas
    }

    /// Where residents live: the population model every analysis asks.
    #[must_use]
    pub fn population_model(&self) -> &dyn PopulationModel {
        self.population.as_ref()
    }

    /// The gazetteer.
    #[must_use]
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// How completely `kind` is known in `scope`; a kind with no statement has no source.
    #[must_use]
    pub fn source_completeness(
        &self,
        kind: FacilityKind,
        scope: SourceScope,
    ) -> SourceCompleteness {
        self.completeness
            .iter()
            .find(|c| c.kind == kind && c.scope == scope)
            .map_or(SourceCompleteness::NoSource, |c| c.completeness)
    }

    /// Every coverage statement.
    #[must_use]
    pub fn completeness_statements(&self) -> &[KindCompleteness] {
        &self.completeness
    }

    /// The metric frame of the index.
    #[must_use]
    pub fn frame(&self) -> &LocalFrame {
        &self.frame
    }

    /// The facilities of `kinds` (all when empty), one index per kind that has facilities.
    pub(crate) fn facility_indexes(&self, kinds: &[FacilityKind]) -> Vec<&FacilityIndex> {
        if kinds.is_empty() {
            vec![&self.all_kinds]
        } else {
            kinds.iter().filter_map(|kind| self.by_kind.get(kind)).collect()
        }
    }

    pub(crate) fn grid_cache(&self, level: MeshLevel) -> &OnceLock<Grid> {
        // Levels coarser than 1 km share the 1 km grid's slot: gaps and accessibility are only
        // offered at 1 km, 500 m and 250 m, which the API checks.
        match level {
            MeshLevel::Quarter => &self.grids[2],
            MeshLevel::Half => &self.grids[1],
            MeshLevel::First | MeshLevel::Second | MeshLevel::Third => &self.grids[0],
        }
    }

    /// The municipality whose boundary contains `position`.
    #[must_use]
    pub fn municipality_at(&self, position: Position) -> Option<&Municipality> {
        // `contains` alone, not `Municipality::placement`: the distance to the boundary that
        // placement also measures for every town the point is outside of took milliseconds.
        let point = position.to_point();
        self.municipalities.iter().find(|m| m.boundary.contains(&point))
    }
}
