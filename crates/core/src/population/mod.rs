//! Where people live: population models that answer how many residents a region holds.

pub(crate) mod surface;
