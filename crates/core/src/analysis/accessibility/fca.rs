//! Spatial accessibility: the two-step floating catchment area method (2SFCA, Luo & Wang 2003) and
//! its enhanced, distance-weighted form (E2SFCA, Luo & Qi 2009), as implemented by PySAL `access`.
//!
//! Demand points `i` (population `P_i`, e.g. mesh cells or census areas) and supply points `j`
//! (capacity `S_j`, e.g. visiting nursing stations) are `d_ij` metres apart (WGS84 geodesic,
//! Karney's algorithm through geo's [`Geodesic`] metric space). With a catchment `c` and a
//! weight `W`:
//!
//! 1. every supply shares its capacity among the population in its catchment:
//!    `R_j = S_j / Σ_{i: d_ij ≤ c} W(d_ij)·P_i`;
//! 2. every demand point adds up the ratios of the supplies in its catchment:
//!    `A_i = Σ_{j: d_ij ≤ c} W(d_ij)·R_j`.
//!
//! 2SFCA takes `W = 1`. E2SFCA splits the catchment into three equal bands with the weights of
//! Luo & Qi: `W = 1.00` for `d ≤ c/3`, `0.68` for `c/3 < d ≤ 2c/3`, `0.22` for `2c/3 < d ≤ c`.
//! Every edge is inclusive on the near side, exactly as in PySAL `access` (1.1.10), where the
//! catchment filter is `cost <= max_cost` and `weights.step_fn` returns the weight of the first
//! threshold `k` with `cost <= k`. Our `Enhanced` is PySAL's
//! `enhanced_two_stage_fca(max_cost=c, weight_fn=step_fn({c/3: 1, 2*c/3: 0.68, c: 0.22}))`
//! (PySAL's default weight function has fixed thresholds of 10, 20 and 30 minutes instead); the
//! edges are computed as `c / 3.0` and `2.0 * c / 3.0`, the same floating-point operations as
//! that Python expression. The same weight, that of the pair's geodesic distance, is used in
//! both steps.
//!
//! The normalised score is PySAL's `normalize=True`: each raw score divided by the
//! population-weighted mean raw score, `A_i / (Σ_k P_k·A_k / Σ_k P_k)`, so the population-weighted
//! mean of the normalised scores is 1.
//!
//! Where PySAL produces NaN or infinity this module produces 0 instead: a demand point that
//! reaches no supply scores 0 (PySAL leaves it NaN, and its normalisation skips it in the
//! numerator but counts its population in the denominator, which is the same as scoring it 0); a
//! supply whose catchment holds no population contributes nothing (PySAL divides by zero); when
//! the mean raw score is 0 (nobody reaches anything) or the total population is 0, every
//! normalised score is 0. An infinite catchment puts every pair in the first band (weight 1); a
//! negative or NaN catchment reaches nothing.
//!
//! Where the data fits a [`LocalFrame`] (a degree of latitude and longitude), the supply goes into
//! a [`PositionIndex`], and what follows depends on how many supplies a demand point has in its
//! catchment. When few, each demand point asks the index for its candidates, each with bounds on
//! its geodesic distance from the frame ([`PositionIndex::candidates_within`]); when the weight is
//! the same at both bounds it is the pair's weight, and only pairs near a band edge need the
//! geodesic distance itself. When many, pairs are not listed at all: each step is a
//! distance-weighted sum over an R-tree ([`PositionIndex::banded_sum`]), step 1 over the demand
//! points from each supply, step 2 over the supplies from each demand point, where a whole
//! subtree whose frame box lies in one band adds its band's weight times its precomputed sum and
//! only entries near a band edge are looked at one by one (of which only those within a hundredth
//! of a percent of it get a geodesic distance); its cost grows with the length of the band edges,
//! not with the number of pairs (a 30 km catchment over the three towns' 250 m cells and every
//! facility holds most of them). Either way every pair gets the weight of its geodesic distance; the
//! sums differ from a pair-by-pair scan only in the order of the additions (a relative 10⁻¹⁵ or
//! so). When the data spans more than a degree, where the frame's bound is not meant to hold,
//! pairs are listed unit by unit on frames of their own (or weighted by geodesic distance where
//! none fits).
//!
//! References: W. Luo and F. Wang (2003), "Measures of spatial accessibility to health care in a
//! GIS environment: synthesis and a case study in the Chicago region", Environment and Planning B
//! 30(6), 865–884. W. Luo and Y. Qi (2009), "An enhanced two-step floating catchment area (E2SFCA)
//! method for measuring spatial accessibility to primary care physicians", Health & Place 15(4),
//! 1100–1107. PySAL `access`, `access.fca.two_stage_fca` and `access.weights.step_fn`.

use geo::{Distance, Geodesic};

use rayon::prelude::*;

use crate::{Bands, LocalFrame, Position, PositionIndex};

/// The E2SFCA weights of the three sub-bands of the catchment, nearest first (Luo & Qi 2009), and
/// of beyond the catchment.
const ENHANCED_WEIGHTS: [f64; 4] = [1.0, 0.68, 0.22, 0.0];

/// The widest extent, in degrees of latitude or longitude, over which the local frame is used.
const MAX_FRAME_SPAN_DEG: f64 = 1.0;

/// A place where people live: a mesh cell centre, a census area's representative point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Demand {
    /// Where the population is counted.
    pub position: Position,
    /// How many people (finite, ≥ 0).
    pub population: f64,
}

/// A place that serves people: a facility and how much it offers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Supply {
    /// Where the facility is.
    pub position: Position,
    /// How much it offers (finite, ≥ 0; 1 when each facility counts once).
    pub capacity: f64,
}

/// Which floating catchment method weighs the demand–supply pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CatchmentMethod {
    /// 2SFCA (Luo & Wang 2003): every pair within the catchment weighs 1.
    TwoStep,
    /// E2SFCA (Luo & Qi 2009): pairs weigh 1.00, 0.68 or 0.22 by the third of the catchment they
    /// fall in, each band including its far edge.
    Enhanced,
}

impl CatchmentMethod {
    /// The weight of a pair `distance_m` apart in a catchment of `catchment_m`: 0 beyond the
    /// catchment; every edge belongs to the nearer band, as in PySAL `access`.
    ///
    /// ```
    /// use care_atlas_core::CatchmentMethod::{Enhanced, TwoStep};
    /// assert_eq!(TwoStep.weight(3000.0, 3000.0), 1.0);
    /// assert_eq!(TwoStep.weight(3000.1, 3000.0), 0.0);
    /// assert_eq!(Enhanced.weight(1000.0, 3000.0), 1.0);
    /// assert_eq!(Enhanced.weight(1000.1, 3000.0), 0.68);
    /// assert_eq!(Enhanced.weight(2000.1, 3000.0), 0.22);
    /// assert_eq!(Enhanced.weight(3000.1, 3000.0), 0.0);
    /// ```
    #[must_use]
    pub fn weight(self, distance_m: f64, catchment_m: f64) -> f64 {
        self.weights()[self.band(distance_m, catchment_m)]
    }

    /// The weight of a pair of positions: that of their geodesic distance.
    fn geodesic_weight(self, from: Position, to: Position, catchment_m: f64) -> f64 {
        self.weight(Geodesic.distance(from.to_point(), to.to_point()), catchment_m)
    }

    /// The weight of each band, nearest first, ending with 0 for beyond the catchment.
    fn weights(self) -> &'static [f64] {
        match self {
            CatchmentMethod::TwoStep => &[1.0, 0.0],
            CatchmentMethod::Enhanced => &ENHANCED_WEIGHTS,
        }
    }

    /// The index in [`Self::weights`] of the band `distance_m` falls in; NaN falls beyond.
    fn band(self, distance_m: f64, catchment_m: f64) -> usize {
        let edges = match self {
            CatchmentMethod::TwoStep => [catchment_m, f64::NAN, f64::NAN],
            CatchmentMethod::Enhanced => [catchment_m / 3.0, 2.0 * catchment_m / 3.0, catchment_m],
        };
        // `distance_m <= edge` is false for a NaN edge, so TwoStep has bands 0 and 1 only.
        edges.iter().position(|&edge| distance_m <= edge).unwrap_or(self.weights().len() - 1)
    }
}

/// Accessibility scores, one per demand point in the order given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AccessibilityScores {
    /// `A_i`: capacity per person reachable from each demand point (0 where none is in reach).
    pub raw: Vec<f64>,
    /// `A_i` divided by the population-weighted mean of `A` (PySAL's `normalize=True`): 1 is the
    /// average person's accessibility.
    pub normalised: Vec<f64>,
}

/// The 2SFCA or E2SFCA accessibility of every demand point to the supply, with a catchment of
/// `catchment_m` metres of geodesic distance (see the module documentation for the formulas).
///
/// ```
/// use care_atlas_core::{CatchmentMethod, Demand, Position, Supply, floating_catchment};
/// let at = |lat, lon| Position::new(lat, lon).unwrap();
/// // Two towns share one station; a third is 5 km away from it.
/// let demand = [
///     Demand { position: at(35.9800, 139.6520), population: 300.0 },
///     Demand { position: at(35.9850, 139.6560), population: 100.0 },
///     Demand { position: at(36.0250, 139.6520), population: 200.0 },
/// ];
/// let supply = [Supply { position: at(35.9820, 139.6540), capacity: 2.0 }];
/// let scores = floating_catchment(&demand, &supply, 2000.0, CatchmentMethod::TwoStep);
/// assert_eq!(scores.raw, [2.0 / 400.0, 2.0 / 400.0, 0.0]);
/// // The population-weighted mean is 400 × 0.005 / 600, so the reached towns score 1.5.
/// assert!((scores.normalised[0] - 1.5).abs() < 1e-12);
/// assert_eq!(scores.normalised[2], 0.0);
/// ```
#[must_use]
pub fn floating_catchment(
    demand: &[Demand],
    supply: &[Supply],
    catchment_m: f64,
    method: CatchmentMethod,
) -> AccessibilityScores {
    let raw = match shared_frame(demand, supply) {
        Some(frame) => {
            let stations = supply_index(supply, frame);
            if typical_candidates(&stations, demand, catchment_m) > BANDED_ABOVE_CANDIDATES {
                banded_scores(demand, supply, &stations, catchment_m, method)
            } else {
                Pairs::in_frame(demand, &stations, catchment_m, method).scores(demand, supply)
            }
        }
        None => Pairs::within(demand, supply, catchment_m, method).scores(demand, supply),
    };

    let total_population: f64 = demand.iter().map(|d| d.population).sum();
    let weighted: f64 = demand.iter().zip(&raw).map(|(d, a)| d.population * a).sum();
    let mean = weighted / total_population;
    let normalised = if mean.is_finite() && mean > 0.0 {
        raw.iter().map(|a| a / mean).collect()
    } else {
        vec![0.0; raw.len()]
    };
    AccessibilityScores { raw, normalised }
}

/// Above this many supply candidates per demand point, both steps are sums over subtrees
/// ([`banded_scores`]); at or below it, the pairs are listed once through the supply index
/// ([`Pairs::in_frame`]), which then costs less than indexing every demand point. The three
/// towns' 250 m cells and their ring see about 5 visiting nursing stations within 3 km, and most
/// of the 2,235 facilities of every kind within 30 km.
const BANDED_ABOVE_CANDIDATES: f64 = 48.0;

/// How many supply candidates a demand point has within the catchment, on average over up to 64
/// demand points spread through the list.
fn typical_candidates(stations: &PositionIndex<usize>, demand: &[Demand], catchment_m: f64) -> f64 {
    let step = demand.len().div_ceil(64).max(1);
    let sampled: Vec<&Demand> = demand.iter().step_by(step).collect();
    let found: usize =
        sampled.iter().map(|d| stations.candidates_within(d.position, catchment_m).count()).sum();
    found as f64 / sampled.len().max(1) as f64
}

/// The raw scores, both steps as sums over an index in one frame
/// ([`PositionIndex::banded_sum`]): each supply's weighted population over an index of the
/// demand, then each demand point's weighted ratios over `stations`, the index of the supply.
/// Most of a wide catchment is taken a subtree at a time, so the cost grows with the band edges'
/// length rather than with the number of pairs (most pairs of the three towns' 250 m grid and
/// all their facilities lie within a 30 km catchment). Supplies, then demand points, are summed
/// in parallel, each sum on its own, so the answer does not depend on the threads.
fn banded_scores(
    demand: &[Demand],
    supply: &[Supply],
    stations: &PositionIndex<usize>,
    catchment_m: f64,
    method: CatchmentMethod,
) -> Vec<f64> {
    let bands = Bands { band: |d| method.band(d, catchment_m), weights: method.weights() };
    let residents = PositionIndex::new(
        demand.iter().enumerate().map(|(i, d)| (d.position, i)),
        *stations.frame(),
    );
    let population = |&i: &usize| demand[i].population;
    let population_sums = residents.subtree_sums(population);
    let ratio: Vec<f64> = supply
        .par_iter()
        .map(|s| {
            let reached = residents.banded_sum(s.position, &population_sums, population, &bands);
            if reached > 0.0 { s.capacity / reached } else { 0.0 }
        })
        .collect();
    let ratio_of = |&j: &usize| ratio[j];
    let ratio_sums = stations.subtree_sums(ratio_of);
    demand
        .par_iter()
        .map(|d| stations.banded_sum(d.position, &ratio_sums, ratio_of, &bands))
        .collect()
}

/// Appends to `list` the pairs of demand point `d` with positive weight among the candidates
/// `stations` (an index of supply indexes) proposes within the catchment: each weighted from the
/// frame's bounds on its geodesic distance when both bounds fall in the same band, and by the
/// geodesic distance itself otherwise.
fn push_candidate_pairs(
    list: &mut Vec<(usize, f64)>,
    d: &Demand,
    stations: &PositionIndex<usize>,
    catchment_m: f64,
    method: CatchmentMethod,
) {
    for candidate in stations.candidates_within(d.position, catchment_m) {
        let band = method.band(candidate.min_distance_m, catchment_m);
        let w = if band == method.band(candidate.max_distance_m, catchment_m) {
            method.weights()[band]
        } else {
            method.geodesic_weight(d.position, candidate.position, catchment_m)
        };
        if w > 0.0 {
            list.push((*candidate.value, w));
        }
    }
}

/// The supply's index in `frame`, each entry valued by its place in `supply`.
fn supply_index(supply: &[Supply], frame: LocalFrame) -> PositionIndex<usize> {
    PositionIndex::new(supply.iter().enumerate().map(|(j, s)| (s.position, j)), frame)
}

/// The demand–supply pairs with a positive weight, grouped by demand point, where they are few
/// or the data spans more than one frame (a country): the pairs of demand `i` are
/// `list[starts[i]..starts[i + 1]]`, each a supply index and its weight.
struct Pairs {
    starts: Vec<usize>,
    list: Vec<(usize, f64)>,
}

impl Pairs {
    /// The pairs of every demand point with the candidates `stations` (the supply's index)
    /// proposes within the catchment, each weighted from the frame's bounds where they settle
    /// it and by its geodesic distance elsewhere; demand points in chunks on every core, the
    /// lists joined in demand order.
    fn in_frame(
        demand: &[Demand],
        stations: &PositionIndex<usize>,
        catchment_m: f64,
        method: CatchmentMethod,
    ) -> Self {
        let chunks: Vec<Pairs> = demand
            .par_chunks(256)
            .map(|chunk| {
                let mut pairs = Pairs { starts: vec![0], list: Vec::new() };
                for d in chunk {
                    push_candidate_pairs(&mut pairs.list, d, stations, catchment_m, method);
                    pairs.starts.push(pairs.list.len());
                }
                pairs
            })
            .collect();
        let mut pairs = Pairs { starts: Vec::with_capacity(demand.len() + 1), list: Vec::new() };
        pairs.starts.push(0);
        for chunk in chunks {
            let offset = pairs.list.len();
            pairs.starts.extend(chunk.starts[1..].iter().map(|start| offset + start));
            pairs.list.extend(chunk.list);
        }
        pairs
    }

    fn within(
        demand: &[Demand],
        supply: &[Supply],
        catchment_m: f64,
        method: CatchmentMethod,
    ) -> Self {
        let mut pairs = Pairs { starts: Vec::with_capacity(demand.len() + 1), list: Vec::new() };
        pairs.starts.push(0);
        let reaches_anything = catchment_m >= 0.0 && !supply.is_empty();
        let weight_at =
            |d: &Demand, s: &Supply| method.geodesic_weight(d.position, s.position, catchment_m);
        match (reaches_anything, catchment_m.is_finite()) {
            (false, _) => pairs.starts.resize(demand.len() + 1, 0),
            (true, true) => {
                return Self::by_boxes(demand, supply, catchment_m, method);
            }
            (true, false) => {
                // An infinite catchment puts every distance in [0, ∞] in its first band.
                let band = method.band(0.0, catchment_m);
                let settled = band == method.band(f64::INFINITY, catchment_m);
                for d in demand {
                    for (j, s) in supply.iter().enumerate() {
                        let w = if settled { method.weights()[band] } else { weight_at(d, s) };
                        if w > 0.0 {
                            pairs.list.push((j, w));
                        }
                    }
                    pairs.starts.push(pairs.list.len());
                }
            }
        }
        pairs
    }

    /// [`Pairs::within`] for data spanning more than one frame (a country): the demand points are
    /// taken half a degree of latitude and longitude at a time, each unit with its own frame over its
    /// demand and the supply near enough to be reached, so the frame's bound holds and the index
    /// still proposes the candidates (one frame over 14° of latitude would weigh every pair by
    /// its geodesic distance). Supply is "near enough" within the catchment plus a margin in
    /// degrees that no reachable supply can exceed: a degree of latitude is at least 110.5 km,
    /// and a degree of longitude at least its length on the unit's most poleward parallel, taken
    /// twice over for the geodesic's bend. A unit whose points still need no frame (a catchment
    /// too wide for one) is weighed pair by pair against that supply.
    fn by_boxes(
        demand: &[Demand],
        supply: &[Supply],
        catchment_m: f64,
        method: CatchmentMethod,
    ) -> Self {
        let mut units: std::collections::BTreeMap<(i64, i64), Vec<usize>> =
            std::collections::BTreeMap::new();
        for (i, d) in demand.iter().enumerate() {
            #[allow(clippy::cast_possible_truncation)] // a latitude or longitude in units
            let key =
                ((d.position.lat() * 2.0).floor() as i64, (d.position.lon() * 2.0).floor() as i64);
            units.entry(key).or_default().push(i);
        }
        let mut lists: Vec<Vec<(usize, f64)>> = vec![Vec::new(); demand.len()];
        let weight_at =
            |d: &Demand, s: &Supply| method.geodesic_weight(d.position, s.position, catchment_m);
        for members in units.values() {
            let unit: Vec<Demand> = members.iter().map(|&i| demand[i]).collect();
            let (mut south, mut west, mut north, mut east) =
                (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
            for d in &unit {
                south = south.min(d.position.lat());
                north = north.max(d.position.lat());
                west = west.min(d.position.lon());
                east = east.max(d.position.lon());
            }
            let lat_margin = catchment_m / 110_500.0;
            let poleward = (south.abs().max(north.abs()) + lat_margin).min(89.0);
            let lon_margin = 2.0 * catchment_m / (111_000.0 * poleward.to_radians().cos());
            let near: Vec<usize> = (0..supply.len())
                .filter(|&j| {
                    let p = supply[j].position;
                    (south - lat_margin..=north + lat_margin).contains(&p.lat())
                        && (west - lon_margin..=east + lon_margin).contains(&p.lon())
                })
                .collect();
            let near_supply: Vec<Supply> = near.iter().map(|&j| supply[j]).collect();
            if near_supply.is_empty() {
                continue;
            }
            if let Some(frame) = shared_frame(&unit, &near_supply) {
                let index =
                    PositionIndex::new(near.iter().map(|&j| (supply[j].position, j)), frame);
                for (&i, d) in members.iter().zip(&unit) {
                    push_candidate_pairs(&mut lists[i], d, &index, catchment_m, method);
                }
            } else {
                for (&i, d) in members.iter().zip(&unit) {
                    for &j in &near {
                        let w = weight_at(d, &supply[j]);
                        if w > 0.0 {
                            lists[i].push((j, w));
                        }
                    }
                }
            }
        }
        let mut pairs = Pairs { starts: Vec::with_capacity(demand.len() + 1), list: Vec::new() };
        pairs.starts.push(0);
        for list in lists {
            pairs.list.extend(list);
            pairs.starts.push(pairs.list.len());
        }
        pairs
    }

    fn of(&self, demand: usize) -> &[(usize, f64)] {
        &self.list[self.starts[demand]..self.starts[demand + 1]]
    }

    /// The raw scores from the pairs: each supply's weighted population, then each demand
    /// point's weighted ratios.
    fn scores(&self, demand: &[Demand], supply: &[Supply]) -> Vec<f64> {
        let mut reached_population = vec![0.0; supply.len()];
        for (i, d) in demand.iter().enumerate() {
            for &(j, w) in self.of(i) {
                reached_population[j] += w * d.population;
            }
        }
        let ratio: Vec<f64> = supply
            .iter()
            .zip(&reached_population)
            .map(|(s, &p)| if p > 0.0 { s.capacity / p } else { 0.0 })
            .collect();
        // The fold starts at +0 (`Sum` starts at -0), so a demand point reaching nothing scores
        // a plain 0.
        (0..demand.len())
            .map(|i| self.of(i).iter().fold(0.0, |a, &(j, w)| a + w * ratio[j]))
            .collect()
    }
}

/// A local frame over every position, when the positions are close enough together for its
/// error bound to hold.
fn shared_frame(demand: &[Demand], supply: &[Supply]) -> Option<LocalFrame> {
    let positions = demand.iter().map(|d| &d.position).chain(supply.iter().map(|s| &s.position));
    let (mut south, mut west, mut north, mut east) =
        (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for p in positions.clone() {
        south = south.min(p.lat());
        north = north.max(p.lat());
        west = west.min(p.lon());
        east = east.max(p.lon());
    }
    let compact = north - south <= MAX_FRAME_SPAN_DEG && east - west <= MAX_FRAME_SPAN_DEG;
    let frame = LocalFrame::for_positions(positions);
    (compact && frame.max_relative_error() < 0.05).then_some(frame)
}

#[cfg(test)]
mod tests {
    use geo::{Destination, Distance, Geodesic};

    use super::CatchmentMethod::{Enhanced, TwoStep};
    use super::*;
    use crate::testing::SplitMix;

    /// Hasuda station, the origin of the hand-made cases.
    const ORIGIN: (f64, f64) = (35.994_74, 139.662_35);

    fn at(lat: f64, lon: f64) -> Position {
        Position::new(lat, lon).unwrap()
    }

    /// The position `distance_m` from the origin on `bearing_deg`.
    fn from_origin(bearing_deg: f64, distance_m: f64) -> Position {
        let p = Geodesic.destination(at(ORIGIN.0, ORIGIN.1).to_point(), bearing_deg, distance_m);
        at(p.y(), p.x())
    }

    fn people(position: Position, population: f64) -> Demand {
        Demand { position, population }
    }

    fn station(position: Position, capacity: f64) -> Supply {
        Supply { position, capacity }
    }

    /// Runs the method and checks the raw scores (relative 1e-12) and that the normalised scores
    /// are the raw ones over their population-weighted mean.
    fn check(
        demand: &[Demand],
        supply: &[Supply],
        catchment_m: f64,
        method: CatchmentMethod,
        expected_raw: &[f64],
    ) {
        let scores = floating_catchment(demand, supply, catchment_m, method);
        assert_eq!(scores.raw.len(), expected_raw.len());
        for (i, (got, want)) in scores.raw.iter().zip(expected_raw).enumerate() {
            assert!(
                (got - want).abs() <= 1e-12 * want.abs(),
                "demand {i}: raw {got}, expected {want} (all: {:?})",
                scores.raw
            );
        }
        let population: f64 = demand.iter().map(|d| d.population).sum();
        let mean = demand.iter().zip(expected_raw).map(|(d, a)| d.population * a).sum::<f64>()
            / population;
        for (i, (got, raw)) in scores.normalised.iter().zip(expected_raw).enumerate() {
            let want = if mean > 0.0 { raw / mean } else { 0.0 };
            assert!(
                (got - want).abs() <= 1e-12 * want.abs(),
                "demand {i}: normalised {got}, expected {want}"
            );
        }
    }

    #[test]
    fn one_supply_shared_by_two_demand_points() {
        let demand =
            [people(from_origin(0.0, 900.0), 100.0), people(from_origin(90.0, 1500.0), 300.0)];
        let supply = [station(at(ORIGIN.0, ORIGIN.1), 2.0)];
        check(&demand, &supply, 2000.0, TwoStep, &[2.0 / 400.0, 2.0 / 400.0]);
        // Bands of 1 km: the first point weighs 1, the second 0.68.
        let shared = 2.0 / (100.0 + 0.68 * 300.0);
        check(&demand, &supply, 3000.0, Enhanced, &[shared, 0.68 * shared]);
        // Bands of 533 m: 0.68 and 0.22.
        let shared = 2.0 / (0.68 * 100.0 + 0.22 * 300.0);
        check(&demand, &supply, 1600.0, Enhanced, &[0.68 * shared, 0.22 * shared]);
        // Too small a catchment reaches nobody.
        check(&demand, &supply, 800.0, TwoStep, &[0.0, 0.0]);
    }

    #[test]
    fn two_supplies_overlap() {
        // Demand A reaches both stations, demand B only the second.
        let demand =
            [people(from_origin(0.0, 0.0), 200.0), people(from_origin(90.0, 3000.0), 50.0)];
        let supply =
            [station(from_origin(270.0, 1000.0), 1.0), station(from_origin(90.0, 1800.0), 3.0)];
        let (r0, r1) = (1.0 / 200.0, 3.0 / 250.0);
        check(&demand, &supply, 2000.0, TwoStep, &[r0 + r1, r1]);
    }

    #[test]
    fn supply_with_nobody_in_reach_contributes_nothing() {
        let demand =
            [people(from_origin(0.0, 500.0), 100.0), people(from_origin(180.0, 500.0), 100.0)];
        let far = station(from_origin(45.0, 20_000.0), 5.0);
        let near = station(at(ORIGIN.0, ORIGIN.1), 1.0);
        check(&demand, &[near, far], 2000.0, TwoStep, &[1.0 / 200.0, 1.0 / 200.0]);
        check(&demand, &[far], 2000.0, Enhanced, &[0.0, 0.0]);
        // A station whose catchment holds only empty areas: no division by zero.
        let empty =
            [people(from_origin(0.0, 500.0), 0.0), people(from_origin(0.0, 20_000.0), 10.0)];
        let scores = floating_catchment(&empty, &[near], 2000.0, Enhanced);
        assert_eq!(scores, AccessibilityScores { raw: vec![0.0, 0.0], normalised: vec![0.0, 0.0] });
    }

    #[test]
    fn demand_reaching_no_supply_scores_zero() {
        let demand =
            [people(from_origin(0.0, 100.0), 10.0), people(from_origin(0.0, 9000.0), 30.0)];
        let supply = [station(at(ORIGIN.0, ORIGIN.1), 1.0)];
        check(&demand, &supply, 5000.0, Enhanced, &[0.1, 0.0]);
        // The unreached population still counts in the mean: 10 × 0.1 / 40.
        let scores = floating_catchment(&demand, &supply, 5000.0, Enhanced);
        assert!((scores.normalised[0] - 4.0).abs() < 1e-12);
    }

    #[test]
    fn empty_inputs() {
        let someone = [people(at(ORIGIN.0, ORIGIN.1), 10.0)];
        let something = [station(at(ORIGIN.0, ORIGIN.1), 1.0)];
        assert_eq!(
            floating_catchment(&[], &something, 1000.0, TwoStep),
            AccessibilityScores::default()
        );
        assert_eq!(floating_catchment(&[], &[], 1000.0, Enhanced), AccessibilityScores::default());
        check(&someone, &[], 1000.0, TwoStep, &[0.0]);
        // A plain 0, not -0, where nothing is in reach.
        assert!(floating_catchment(&someone, &[], 1.0, TwoStep).raw[0].is_sign_positive());
        check(&someone, &something, -1.0, TwoStep, &[0.0]);
        check(&someone, &something, f64::NAN, Enhanced, &[0.0]);
        // A co-located pair is 0 m apart: inside even a zero catchment.
        check(&someone, &something, 0.0, Enhanced, &[0.1]);
    }

    #[test]
    fn band_weights_at_band_edges() {
        let c = 3000.0;
        for (d, two_step, enhanced) in [
            (0.0, 1.0, 1.0),
            (1000.0, 1.0, 1.0),
            (1000f64.next_up(), 1.0, 0.68),
            (2000.0, 1.0, 0.68),
            (2000f64.next_up(), 1.0, 0.22),
            (3000.0, 1.0, 0.22),
            (3000f64.next_up(), 0.0, 0.0),
            (f64::NAN, 0.0, 0.0),
        ] {
            assert_eq!(
                (TwoStep.weight(d, c), Enhanced.weight(d, c)),
                (two_step, enhanced),
                "{d} m"
            );
        }
    }

    /// A band edge as a function of the catchment, in the weight's own floating-point operations.
    type Edge = fn(f64) -> f64;

    /// The smallest catchment whose band edge (`c · fraction` as the weight computes it) reaches
    /// `distance_m`, and the largest that does not.
    fn catchments_with_edge_at(distance_m: f64, edge: Edge, guess: f64) -> (f64, f64) {
        let mut c = guess;
        while edge(c) < distance_m {
            c = c.next_up();
        }
        while edge(c.next_down()) >= distance_m {
            c = c.next_down();
        }
        (c, c.next_down())
    }

    #[test]
    fn band_edges_hold_end_to_end_at_the_exact_geodesic_distance() {
        // A co-located demand point (weight 1) and one `g` metres away, whose weight is the ratio
        // of their scores.
        let station_at = at(ORIGIN.0, ORIGIN.1);
        let far = from_origin(33.0, 1234.5);
        let g = Geodesic.distance(station_at.to_point(), far.to_point());
        let demand = [people(station_at, 10.0), people(far, 10.0)];
        let supply = [station(station_at, 1.0)];
        let weight_of_far = |c: f64, method| {
            let s = floating_catchment(&demand, &supply, c, method);
            s.raw[1] / s.raw[0]
        };
        let edges: [(Edge, f64, f64, f64); 3] = [
            (|c| c / 3.0, 3.0, 1.0, 0.68),
            (|c| 2.0 * c / 3.0, 1.5, 0.68, 0.22),
            (|c| c, 1.0, 0.22, 0.0),
        ];
        for (edge, factor, inside, outside) in edges {
            let (reaching, short) = catchments_with_edge_at(g, edge, factor * g);
            assert_eq!(edge(reaching).to_bits(), g.to_bits());
            assert!((weight_of_far(reaching, Enhanced) - inside).abs() < 1e-12, "{reaching}");
            assert!((weight_of_far(short, Enhanced) - outside).abs() < 1e-12, "{short}");
        }
        let (reaching, short) = catchments_with_edge_at(g, |c| c, g);
        assert_eq!((weight_of_far(reaching, TwoStep), weight_of_far(short, TwoStep)), (1.0, 0.0));
    }

    fn random_points(random: &mut SplitMix, n: usize) -> Vec<(Position, f64)> {
        (0..n)
            .map(|_| {
                let p = at(35.85 + 0.3 * random.next_f64(), 139.47 + 0.4 * random.next_f64());
                (p, (1000.0 * random.next_f64()).floor())
            })
            .collect()
    }

    #[test]
    fn infinite_catchment_two_step_hands_out_exactly_the_total_capacity() {
        let mut random = SplitMix(2003);
        for _ in 0..20 {
            let demand: Vec<Demand> = random_points(&mut random, 60)
                .into_iter()
                .map(|(p, n)| people(p, n + 1.0))
                .collect();
            let supply: Vec<Supply> = random_points(&mut random, 25)
                .into_iter()
                .map(|(p, n)| station(p, n / 100.0))
                .collect();
            let scores = floating_catchment(&demand, &supply, f64::INFINITY, TwoStep);
            let handed_out: f64 =
                demand.iter().zip(&scores.raw).map(|(d, a)| d.population * a).sum();
            let capacity: f64 = supply.iter().map(|s| s.capacity).sum();
            assert!(
                (handed_out - capacity).abs() <= 1e-12 * capacity,
                "{handed_out} != {capacity}"
            );
        }
    }

    /// Every pair weighted by its geodesic distance, with no index and no frame.
    fn brute_force(
        demand: &[Demand],
        supply: &[Supply],
        c: f64,
        method: CatchmentMethod,
    ) -> Vec<f64> {
        let w = |d: &Demand, s: &Supply| {
            method.weight(Geodesic.distance(d.position.to_point(), s.position.to_point()), c)
        };
        let ratio: Vec<f64> = supply
            .iter()
            .map(|s| {
                let p: f64 = demand.iter().map(|d| w(d, s) * d.population).sum();
                if p > 0.0 { s.capacity / p } else { 0.0 }
            })
            .collect();
        demand.iter().map(|d| supply.iter().zip(&ratio).map(|(s, r)| w(d, s) * r).sum()).collect()
    }

    /// Every raw score within 1e-12 (relative) of the all-pairs geodesic scan's.
    fn assert_scores_match_the_scan(
        scores: &AccessibilityScores,
        demand: &[Demand],
        supply: &[Supply],
        c: f64,
        method: CatchmentMethod,
    ) {
        let expected = brute_force(demand, supply, c, method);
        for (got, want) in scores.raw.iter().zip(&expected) {
            assert!(
                (got - want).abs() <= 1e-12 * want.abs(),
                "{got} != {want} ({method:?}, {c} m)"
            );
        }
    }

    #[test]
    fn the_index_and_frame_change_nothing_against_a_geodesic_scan() {
        let mut random = SplitMix(2009);
        for round in 0..12 {
            let demand: Vec<Demand> =
                random_points(&mut random, 150).into_iter().map(|(p, n)| people(p, n)).collect();
            let supply: Vec<Supply> =
                random_points(&mut random, 40).into_iter().map(|(p, _)| station(p, 1.0)).collect();
            let c = 1000.0 + 6000.0 * random.next_f64();
            let method = if round % 2 == 0 { TwoStep } else { Enhanced };
            // Few supplies per demand point: the pairs are listed.
            let frame = shared_frame(&demand, &supply).unwrap();
            let stations = supply_index(&supply, frame);
            assert!(typical_candidates(&stations, &demand, c) <= BANDED_ABOVE_CANDIDATES);
            let scores = floating_catchment(&demand, &supply, c, method);
            assert_scores_match_the_scan(&scores, &demand, &supply, c, method);
            let population: f64 = demand.iter().map(|d| d.population).sum();
            let mean: f64 =
                demand.iter().zip(&scores.normalised).map(|(d, a)| d.population * a).sum::<f64>()
                    / population;
            assert!((mean - 1.0).abs() < 1e-12, "population-weighted mean of normalised {mean}");
        }
    }

    #[test]
    fn many_supplies_in_wide_catchments_taken_a_subtree_at_a_time_score_as_a_geodesic_scan() {
        // Catchments up to the 30 km allowed, wider than the data: most of each sum is whole
        // subtrees in one band.
        let mut random = SplitMix(30);
        let demand: Vec<Demand> =
            random_points(&mut random, 400).into_iter().map(|(p, n)| people(p, n)).collect();
        let supply: Vec<Supply> = random_points(&mut random, 200)
            .into_iter()
            .map(|(p, n)| station(p, 1.0 + n / 500.0))
            .collect();
        let frame = shared_frame(&demand, &supply).unwrap();
        let stations = supply_index(&supply, frame);
        for (c, method) in [(12_000.0, Enhanced), (21_000.0, TwoStep), (30_000.0, Enhanced)] {
            assert!(typical_candidates(&stations, &demand, c) > BANDED_ABOVE_CANDIDATES, "{c}");
            let scores = floating_catchment(&demand, &supply, c, method);
            assert_scores_match_the_scan(&scores, &demand, &supply, c, method);
        }
    }

    #[test]
    fn data_too_spread_out_for_one_frame_scores_as_a_geodesic_scan() {
        // Hasuda and Sapporo: too far apart for one local frame, so paired unit by unit.
        let demand = [people(at(ORIGIN.0, ORIGIN.1), 100.0), people(at(43.0686, 141.3508), 50.0)];
        let supply = [station(from_origin(10.0, 2999.0), 1.0), station(at(43.08, 141.35), 1.0)];
        assert!(shared_frame(&demand, &supply).is_none());
        check(&demand, &supply, 3000.0, Enhanced, &[0.01, 0.02]);
        assert_eq!(
            floating_catchment(&demand, &supply, 3000.0, TwoStep).raw,
            brute_force(&demand, &supply, 3000.0, TwoStep)
        );
    }

    #[test]
    fn data_spread_over_a_country_is_paired_unit_by_unit_exactly_as_a_geodesic_scan() {
        // Clusters at Kagoshima, Hasuda and Sapporo latitudes, points straddling half-degree
        // unit edges: each unit gets its own frame, and the answer is the scan's.
        let mut random = SplitMix(14);
        let centres = [(31.5, 130.5), (36.0, 139.5), (43.0, 141.5)];
        let point = |random: &mut SplitMix| {
            let (lat, lon) = centres[(random.next_u64() % 3) as usize];
            at(lat + random.uniform(-0.1, 0.1), lon + random.uniform(-0.1, 0.1))
        };
        let demand: Vec<Demand> =
            (0..300).map(|_| people(point(&mut random), 1.0 + 99.0 * random.next_f64())).collect();
        let supply: Vec<Supply> = (0..80).map(|_| station(point(&mut random), 1.0)).collect();
        assert!(shared_frame(&demand, &supply).is_none());
        for (c, method) in [(3000.0, Enhanced), (7000.0, TwoStep), (15_000.0, Enhanced)] {
            let scores = floating_catchment(&demand, &supply, c, method);
            assert_scores_match_the_scan(&scores, &demand, &supply, c, method);
        }
    }
}
