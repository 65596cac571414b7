//! Spatial accessibility: the floating catchment methods themselves (`fca`) and their scores per
//! mesh cell of the study area under a scenario (`mesh`).

pub(crate) mod fca;
pub(crate) mod mesh;
