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
//! The model in use is [`VoronoiPopulation`]: the 2020 census small areas spread over Voronoi
//! cells in the study area ([`PopulationSurface`](crate::PopulationSurface)), and municipal
//! totals spread uniformly outside it (`density::MunicipalDensity`, which another model can
//! reuse for the ring). It answers [`PopulationGroup::Total`] only. Another model (a census mesh
//! with age groups, say) is one new file here implementing [`PopulationModel`], plus the one line
//! in [`Atlas::new`](crate::Atlas::new) that chooses the model.

pub(crate) mod density;
pub(crate) mod surface;
pub(crate) mod voronoi;

use std::fmt;

use geo::MultiPolygon;

use crate::{MeshCode, MunicipalityCode};

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
}

/// A population model: how many residents of a group live where.
///
/// Implementations are built once per snapshot and shared read-only, hence `Send + Sync`.
/// Every figure is an estimate of residents (persons, not households) and `None` where the
/// model does not know it: a group it has no data for, or a place it does not cover.
pub trait PopulationModel: fmt::Debug + Send + Sync {
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

    /// Residents of `group` in `cell`, a mesh cell of the ring around the study area (one that
    /// does not touch it).
    fn ring_cell(&self, group: PopulationGroup, cell: MeshCode) -> Option<f64>;
}
