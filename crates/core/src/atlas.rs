//! The `Atlas`: one immutable snapshot of everything the service answers from, with its spatial
//! indexes built once.
//!
//! Facilities are indexed in per-kind R-trees (bulk-loaded) over a [`LocalFrame`], so that a
//! query for some kinds touches only their trees and distances in the index are metres, not
//! degrees. Everything else (municipalities, small areas, population, the gazetteer) is kept as
//! given, sorted by its key; the population model every analysis asks is chosen here, in
//! [`Atlas::new`].

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use rstar::RTree;
use rstar::primitives::GeomWithData;

use crate::{
    AreaRole, Facility, FacilityId, FacilityKind, Gazetteer, Grid, KindCompleteness, LocalFrame,
    MeshLevel, MunicipalPopulation, Municipality, MunicipalityCode, PopulationModel, Position,
    SmallArea, SourceCompleteness, SourceScope, TownPoint, VoronoiPopulation,
    municipality_in_address, normalise_address, split_prefecture,
};

/// An R-tree entry: a facility's position in the frame, its index in [`Atlas::facilities`], and
/// its position again, so that a query computes geodesic distances without touching the
/// facility records (a cache miss each in a million).
pub(crate) type IndexedPoint = GeomWithData<[f64; 2], (usize, Position)>;

/// The tree type of the indexes.
pub(crate) type Index = RTree<IndexedPoint>;

/// Where an address was placed: always a town's point, never the door.
#[derive(Debug, Clone, PartialEq)]
pub struct AddressOrigin {
    /// The town's representative point.
    pub position: Position,
    /// The municipality the address names.
    pub municipality_code: MunicipalityCode,
    /// The municipality and town matched (`蓮田市東五丁目`).
    pub town: String,
    /// Set when the address named a town of several 丁目 without saying which: the point is the
    /// mean of that many 丁目 points.
    pub mean_of_chome: Option<usize>,
}

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
}

/// An immutable snapshot with its indexes.
#[derive(Debug)]
pub struct Atlas {
    facilities: Vec<Facility>,
    by_id: HashMap<FacilityId, usize>,
    frame: LocalFrame,
    trees: BTreeMap<FacilityKind, Index>,
    all_kinds: Index,
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
            mut facilities,
            mut municipalities,
            populations,
            mut small_areas,
            towns,
            completeness,
        } = parts;
        facilities.sort_by(|a, b| a.id.cmp(&b.id));
        facilities.dedup_by(|a, b| a.id == b.id);
        municipalities.sort_by_key(|m| m.code);
        small_areas.sort_by_key(SmallArea::id);
        let frame = LocalFrame::for_positions(facilities.iter().map(|f| &f.position));
        let by_id = facilities.iter().enumerate().map(|(i, f)| (f.id.clone(), i)).collect();
        let mut points: BTreeMap<FacilityKind, Vec<IndexedPoint>> = BTreeMap::new();
        let mut every: Vec<IndexedPoint> = Vec::with_capacity(facilities.len());
        for (i, f) in facilities.iter().enumerate() {
            let point = GeomWithData::new(frame.project(f.position), (i, f.position));
            points.entry(f.kind).or_default().push(point);
            every.push(point);
        }
        // One tree per kind for queries on a few kinds, and one over every facility for queries on
        // all of them, which would otherwise merge fifteen streams.
        let trees =
            points.into_iter().map(|(kind, points)| (kind, RTree::bulk_load(points))).collect();
        let all_kinds = RTree::bulk_load(every);
        // The population model: the one line to change for another model.
        let population =
            Box::new(VoronoiPopulation::build(&municipalities, &populations, &small_areas));
        Atlas {
            grids: [OnceLock::new(), OnceLock::new(), OnceLock::new()],
            population,
            facilities,
            by_id,
            frame,
            trees,
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

    pub(crate) fn tree(&self, kind: FacilityKind) -> Option<&Index> {
        self.trees.get(&kind)
    }

    pub(crate) fn all_kinds_tree(&self) -> Option<&Index> {
        (self.all_kinds.size() > 0).then_some(&self.all_kinds)
    }

    /// Places an address at its town's point with the gazetteer (town-level precision at best).
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts};
    /// assert!(Atlas::new(AtlasParts::default()).locate_address("埼玉県蓮田市東5-8-28").is_none());
    /// ```
    #[must_use]
    pub fn locate_address(&self, address: &str) -> Option<AddressOrigin> {
        let normalised = normalise_address(address);
        let (prefecture, rest) = split_prefecture(&normalised);
        let candidates =
            self.municipalities.iter().filter(|m| prefecture.is_none_or(|p| p == m.prefecture));
        let (municipality, rest) = municipality_in_address(rest, candidates)?;
        let found = self.gazetteer.locate(municipality.code, rest)?;
        Some(AddressOrigin {
            position: found.position,
            municipality_code: municipality.code,
            town: format!("{}{}", municipality.name, found.town),
            mean_of_chome: found.mean_of_chome,
        })
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
        self.municipalities.iter().find(|m| m.placement(position) == crate::Placement::Inside)
    }
}
