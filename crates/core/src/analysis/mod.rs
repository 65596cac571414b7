//! The questions care-atlas answers over a snapshot: nearest services, per-area statistics,
//! coverage gaps, accessibility, what-if scenarios and site suggestions.

pub(crate) mod accessibility;
pub(crate) mod gaps;
pub(crate) mod grid;
pub(crate) mod limits;
pub(crate) mod nearest;
pub(crate) mod scenario;
pub(crate) mod sites;
pub(crate) mod statistics;
