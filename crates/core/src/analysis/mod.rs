//! The questions care-atlas answers over a snapshot: nearest services (from a point, a facility
//! or an address), facility selection, per-area statistics, coverage gaps, accessibility, what-if
//! scenarios and their comparison, and site suggestions.

pub(crate) mod accessibility;
pub(crate) mod comparison;
pub(crate) mod completeness;
pub(crate) mod gaps;
pub(crate) mod grid;
pub(crate) mod limits;
pub(crate) mod nearest;
pub(crate) mod origin;
pub(crate) mod places;
pub(crate) mod scenario;
pub(crate) mod selection;
pub(crate) mod sites;
pub(crate) mod statistics;
