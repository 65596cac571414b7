//! Where people live: the population seam and the models behind it.
//!
//! Every analysis that needs residents (the mesh grid and its ring, coverage gaps, area
//! statistics, and through the grid accessibility and site suggestions) asks a
//! [`PopulationModel`], never a concrete model. The model answers four questions: how many
//! residents of a [`PopulationGroup`] a municipality has, how many live in a region of one
//! municipality, how many live in a mesh cell of the ring around the study area, and how it
//! knows (one sentence each for the study area and the ring, for API metadata). A group the
//! model does not know is `None`, never 0.
//!
//! Two models: [`CensusMeshPopulation`], the model in use when the snapshot has the 2020 census
//! 500 m mesh, which knows every group (`census_mesh`); and [`VoronoiPopulation`], the fallback:
//! the 2020 census small areas spread over Voronoi cells in the study area
//! ([`PopulationSurface`](crate::PopulationSurface)), and municipal totals spread uniformly
//! outside it (`density::MunicipalDensity`), which answers [`PopulationGroup::Total`] only.
//! [`Atlas::new`](crate::Atlas::new) chooses between them.

pub(crate) mod census_mesh;
pub(crate) mod density;
pub(crate) mod surface;
pub(crate) mod voronoi;

use std::fmt;

use geo::MultiPolygon;

use crate::{MeshCode, MunicipalityCode};

pub use census_mesh::{CensusMeshPopulation, GroupFigures};
pub use voronoi::VoronoiPopulation;

/// Who is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PopulationGroup {
    /// Every resident.
    Total,
    /// Residents aged 65 and over.
    Aged65Plus,
    /// Residents aged 75 and over.
    Aged75Plus,
    /// Residents aged 85 and over.
    Aged85Plus,
    /// Residents aged 65 and over who live alone (single-person elderly households).
    ElderlyLivingAlone,
}

impl PopulationGroup {
    /// Every group, broadest first.
    pub const ALL: [PopulationGroup; 5] = [
        PopulationGroup::Total,
        PopulationGroup::Aged65Plus,
        PopulationGroup::Aged75Plus,
        PopulationGroup::Aged85Plus,
        PopulationGroup::ElderlyLivingAlone,
    ];

    /// Stable id for the API and files (`aged_75_plus`).
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            PopulationGroup::Total => "total",
            PopulationGroup::Aged65Plus => "aged_65_plus",
            PopulationGroup::Aged75Plus => "aged_75_plus",
            PopulationGroup::Aged85Plus => "aged_85_plus",
            PopulationGroup::ElderlyLivingAlone => "elderly_living_alone",
        }
    }

    /// The group with this id.
    #[must_use]
    pub fn from_id(id: &str) -> Option<PopulationGroup> {
        PopulationGroup::ALL.into_iter().find(|g| g.id() == id)
    }

    /// Japanese label.
    #[must_use]
    pub const fn label_ja(self) -> &'static str {
        match self {
            PopulationGroup::Total => "総人口",
            PopulationGroup::Aged65Plus => "65歳以上人口",
            PopulationGroup::Aged75Plus => "75歳以上人口",
            PopulationGroup::Aged85Plus => "85歳以上人口",
            PopulationGroup::ElderlyLivingAlone => "高齢単身者(65歳以上の一人暮らし)",
        }
    }

    /// English label.
    #[must_use]
    pub const fn label_en(self) -> &'static str {
        match self {
            PopulationGroup::Total => "all residents",
            PopulationGroup::Aged65Plus => "residents aged 65 and over",
            PopulationGroup::Aged75Plus => "residents aged 75 and over",
            PopulationGroup::Aged85Plus => "residents aged 85 and over",
            PopulationGroup::ElderlyLivingAlone => "residents aged 65 and over living alone",
        }
    }
}

/// A population model: how many residents of a group live where.
///
/// Implementations are built once per snapshot and shared read-only, hence `Send + Sync`.
/// Every figure is an estimate of residents (persons, not households) and `None` where the
/// model does not know it: a group it has no data for, or a place it does not cover.
pub trait PopulationModel: fmt::Debug + Send + Sync {
    /// Short stable name of the model (`census_mesh_500m`), for API metadata.
    fn name(&self) -> &str;

    /// Whether the model has figures for `group` at all (a group it does not know is refused or
    /// `None`, never 0).
    fn knows(&self, group: PopulationGroup) -> bool;

    /// How the model places residents in the study area, in one sentence, for API metadata.
    fn method(&self) -> &str;

    /// How the model estimates the residents of the ring around the study area, in one
    /// sentence, for API metadata.
    fn ring_method(&self) -> &str;

    /// Residents of `group` in `municipality`.
    fn total(&self, group: PopulationGroup, municipality: MunicipalityCode) -> Option<f64>;

    /// Residents of `group` living in the part of `region` (WGS84 lon/lat, either winding) that
    /// lies in `municipality`.
    fn within(
        &self,
        group: PopulationGroup,
        municipality: MunicipalityCode,
        region: &MultiPolygon<f64>,
    ) -> Option<f64>;

    /// [`PopulationModel::within`] for every group, in [`PopulationGroup::ALL`] order: a model
    /// that shares a region out the same way for every group can do the geometry once.
    fn within_groups(
        &self,
        municipality: MunicipalityCode,
        region: &MultiPolygon<f64>,
    ) -> [Option<f64>; PopulationGroup::ALL.len()] {
        PopulationGroup::ALL.map(|group| self.within(group, municipality, region))
    }

    /// [`PopulationModel::within_groups`] of `part`, the part of the mesh cell `cell` in
    /// `municipality`, whose geodesic area is `part_area_m2`: a model built on the mesh can use
    /// that mesh cells nest, and skip the overlay.
    fn within_cell_groups(
        &self,
        municipality: MunicipalityCode,
        cell: MeshCode,
        part: &MultiPolygon<f64>,
        part_area_m2: f64,
    ) -> [Option<f64>; PopulationGroup::ALL.len()] {
        let _ = (cell, part_area_m2);
        self.within_groups(municipality, part)
    }

    /// Residents of `group` in `cell`, a mesh cell of the ring around the study area (one that
    /// does not touch it).
    fn ring_cell(&self, group: PopulationGroup, cell: MeshCode) -> Option<f64>;
}
