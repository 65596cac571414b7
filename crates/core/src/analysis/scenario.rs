//! What-if scenarios and the supply they describe: the facilities of some kinds in the snapshot,
//! less those a scenario removes, plus hypothetical ones it adds, with an index that answers
//! exact geodesic nearest-distance and within-radius questions.

use std::ops::RangeInclusive;

use crate::{Atlas, FacilityId, FacilityKind, LocalFrame, Position, PositionIndex};

/// The radii and catchments accepted, in metres: below 100 m a facility's own position error
/// dominates; beyond 30 km the local frame's error bound no longer holds.
pub const RADIUS_RANGE_M: RangeInclusive<f64> = 100.0..=30_000.0;

/// A hypothetical facility.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AddedFacility {
    /// Where.
    pub position: Position,
    /// Its capacity (1 for one more facility).
    pub capacity: f64,
}

/// A what-if scenario: facilities added and removed, applied to a copy of the supply, never to
/// the snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scenario {
    /// Hypothetical facilities.
    pub add: Vec<AddedFacility>,
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

/// One point of supply.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyPoint {
    /// The facility, or `None` for a hypothetical one.
    pub facility: Option<FacilityId>,
    /// Where.
    pub position: Position,
    /// Capacity.
    pub capacity: f64,
}

/// Supply points with an index for exact geodesic queries.
#[derive(Debug)]
pub struct SupplyIndex {
    points: Vec<SupplyPoint>,
    index: PositionIndex,
}

impl SupplyIndex {
    /// Indexes `points` in the atlas's frame.
    #[must_use]
    pub fn new(points: Vec<SupplyPoint>, frame: LocalFrame) -> Self {
        let index = PositionIndex::new(points.iter().map(|p| p.position).collect(), frame);
        SupplyIndex { points, index }
    }

    /// The supply points.
    #[must_use]
    pub fn points(&self) -> &[SupplyPoint] {
        &self.points
    }

    /// Geodesic distance in metres from `origin` to the nearest supply point.
    #[must_use]
    pub fn nearest_distance_m(&self, origin: Position) -> Option<f64> {
        self.index.nearest_distance_m(origin)
    }
}

impl Atlas {
    /// The supply of `kinds` (all when empty) under `scenario`: the snapshot's facilities minus
    /// the removed ones, plus the added ones.
    #[must_use]
    pub fn supply(
        &self,
        kinds: &[FacilityKind],
        scenario: &Scenario,
        weight: SupplyWeight,
    ) -> SupplyIndex {
        let mut points: Vec<SupplyPoint> = self
            .facilities()
            .iter()
            .filter(|f| kinds.is_empty() || kinds.contains(&f.kind))
            .filter(|f| !scenario.remove.contains(&f.id))
            .map(|f| SupplyPoint {
                facility: Some(f.id.clone()),
                position: f.position,
                capacity: match weight {
                    SupplyWeight::Count => 1.0,
                    SupplyWeight::Capacity => f.capacity.map_or(1.0, f64::from),
                },
            })
            .collect();
        points.extend(scenario.add.iter().map(|a| SupplyPoint {
            facility: None,
            position: a.position,
            capacity: a.capacity,
        }));
        SupplyIndex::new(points, *self.frame())
    }
}
