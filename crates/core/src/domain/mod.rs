//! The domain: facility kinds and how completely each is known, facilities with their provenance
//! and official detail pages, municipalities and census areas, validated positions, the gazetteer
//! that places addresses, and the sources the data comes from.

pub(crate) mod area;
pub(crate) mod census_mesh;
pub(crate) mod detail_page;
pub(crate) mod facility;
pub(crate) mod gazetteer;
pub(crate) mod home_care;
pub(crate) mod kind;
pub(crate) mod position;
pub(crate) mod source;
