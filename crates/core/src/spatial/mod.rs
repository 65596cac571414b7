//! Spatial primitives: the local metric frame, the position index built on it, JIS X 0410 mesh
//! codes, and shared geometry.

pub(crate) mod frame;
pub(crate) mod geometry;
pub(crate) mod index;
pub(crate) mod mesh;
