//! What-if scenarios and the supply they describe: the facilities of some kinds in the snapshot,
//! less those a scenario removes, plus hypothetical ones it adds.

use std::ops::RangeInclusive;

use crate::{Atlas, FacilityId, FacilityKind, Supply};

/// The radii and catchments accepted, in metres: below 100 m a facility's own position error
/// dominates; beyond 30 km the local frame's error bound no longer holds.
pub const RADIUS_RANGE_M: RangeInclusive<f64> = 100.0..=30_000.0;

/// The most hypothetical facilities one scenario adds.
pub const MAX_SCENARIO_ADDITIONS: usize = 100;

/// The largest capacity of a hypothetical facility (a capacity must also be above 0).
pub const MAX_ADDED_CAPACITY: f64 = 10_000.0;

/// A what-if scenario: facilities added and removed, applied to a copy of the supply, never to
/// the snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scenario {
    /// Hypothetical facilities, each with its capacity (1 for one more facility).
    pub add: Vec<Supply>,
    /// Existing facilities to leave out.
    pub remove: Vec<FacilityId>,
}

/// How a facility counts as supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SupplyWeight {
    /// Every facility counts 1.
    #[default]
    Count,
    /// A facility counts its capacity (定員) where the source gives one, else 1.
    Capacity,
}

impl Atlas {
    /// The supply of `kinds` (all when empty) under `scenario`: the snapshot's facilities minus
    /// the removed ones (in id order), then the added ones.
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, Position, Scenario, Supply, SupplyWeight};
    /// let added = Supply { position: Position::new(36.0, 139.65).unwrap(), capacity: 2.0 };
    /// let scenario = Scenario { add: vec![added], remove: vec![] };
    /// let atlas = Atlas::new(AtlasParts::default());
    /// assert_eq!(atlas.supply(&[], &scenario, SupplyWeight::Count), [added]);
    /// ```
    #[must_use]
    pub fn supply(
        &self,
        kinds: &[FacilityKind],
        scenario: &Scenario,
        weight: SupplyWeight,
    ) -> Vec<Supply> {
        self.facilities()
            .iter()
            .filter(|f| kinds.is_empty() || kinds.contains(&f.kind))
            .filter(|f| !scenario.remove.contains(&f.id))
            .map(|f| Supply {
                position: f.position,
                capacity: match weight {
                    SupplyWeight::Count => 1.0,
                    SupplyWeight::Capacity => f.capacity.map_or(1.0, f64::from),
                },
            })
            .chain(scenario.add.iter().copied())
            .collect()
    }
}
