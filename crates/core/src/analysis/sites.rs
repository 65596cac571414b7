//! Site suggestions: where new facilities of a kind would bring the most uncovered residents within
//! reach — a greedy maximal-covering answer over candidate quarter-mesh cell centres (Church &
//! ReVelle 1974), the question a planner asks before opening a nursing station, for the whole
//! study area or one of its towns, each pick named by the census small area it lies in.
//!
//! Within reach, here as everywhere in the service: a 250 m cell (JIS quarter mesh) is within
//! reach when its centre is within the radius (geodesic) of a facility.
//!
//! Speed (one call answered in a few milliseconds, not tens): the cells form a regular lattice,
//! and whether one cell centre is within reach of another depends only on their two rows and how
//! many columns apart they are, so the cells a candidate reaches are, per row, one run of columns
//! whose half-width is settled by a handful of geodesics per pair of rows ([`Lattice`]), never an
//! index query per cell. The greedy is lazy (CELF, Leskovec et al. 2007): a candidate's gain can
//! only shrink as picks are made, so a stale gain is an upper bound and most candidates are never
//! evaluated again; it picks exactly what the plain greedy picks, ties included (checked below).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use geo::{Contains, Distance, Geodesic};

use crate::{
    Atlas, FacilityKind, MeshCode, MeshLevel, MunicipalityCode, PopulationGroup, Position,
    PositionIndex, Scenario, SmallArea, StudyCell, SupplyWeight,
};

/// The most sites one query suggests.
pub const MAX_SITES: usize = 20;

/// A site-suggestion question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteQuery {
    /// The kind of the new facilities (existing ones of this kind already cover).
    pub kind: FacilityKind,
    /// The reach of a facility in metres.
    pub radius_m: f64,
    /// How many sites at most (capped at [`MAX_SITES`]).
    pub n: usize,
    /// Whose residents count.
    pub group: PopulationGroup,
    /// One study-area town: candidates are the cells whose centre lies in it and demand is its
    /// residents only. `None`: the whole study area.
    pub area: Option<MunicipalityCode>,
}

/// One suggested site.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteSuggestion {
    /// 1 for the first pick.
    pub rank: usize,
    /// The candidate cell.
    pub cell: MeshCode,
    /// Its centre, where the facility is imagined.
    pub position: Position,
    /// The municipality containing the centre (`None` outside every mapped one).
    pub municipality_code: Option<MunicipalityCode>,
    /// The census small area at the centre ([`Atlas::small_area_at`]); `None` where none is known.
    pub small_area: Option<SmallArea>,
    /// Residents of the group asked for brought within reach by this site, beyond the earlier
    /// picks and existing facilities.
    pub newly_covered_population: f64,
}

impl Atlas {
    /// Up to `query.n` sites for new facilities of `query.kind`, each covering `query.radius_m`,
    /// picked greedily: each pick covers the most residents of `query.group` not yet within reach
    /// of an existing facility or an earlier pick (ties: the lower mesh code). Demand is the
    /// quarter-mesh cells of the study area, or of `query.area`; candidates are those whose
    /// centre lies in the study area, or in `query.area` (see [`SiteQuery::area`]). A cell is
    /// covered when its centre is within reach (the rule of [`Atlas::quarter_reach`]). Picks
    /// that would cover nobody are not made. A cell whose residents
    /// of the group the model does not know counts for no one (callers refuse a group the model
    /// does not know at all).
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, FacilityKind, PopulationGroup, Scenario, SiteQuery};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// let query = SiteQuery {
    ///     kind: FacilityKind::VisitingNursingStation,
    ///     radius_m: 2000.0,
    ///     n: 3,
    ///     group: PopulationGroup::Total,
    ///     area: None,
    /// };
    /// assert!(atlas.suggest_sites(&query, &Scenario::default()).is_empty());
    /// ```
    #[must_use]
    pub fn suggest_sites(&self, query: &SiteQuery, scenario: &Scenario) -> Vec<SiteSuggestion> {
        let cells = &self.grid(MeshLevel::Quarter).study;
        let demand = |c: &StudyCell| match query.area {
            None => c.population(query.group),
            Some(code) => c
                .parts
                .iter()
                .filter(|p| p.municipality_code == code)
                .map(|p| p.population(query.group))
                .sum(),
        };
        let supply = self.supply(&[query.kind], scenario, SupplyWeight::Count);
        let supply = PositionIndex::new(supply.iter().map(|s| (s.position, ())), *self.frame());
        let mut uncovered: Vec<f64> = cells
            .iter()
            .map(|c| match demand(c).unwrap_or_default() {
                // Only cells with someone to cover need the distance to the supply.
                people if people > 0.0 => {
                    // Any facility within reach will do, and the frame's bounds settle most
                    // without a geodesic.
                    let r = query.radius_m;
                    let covered = supply.candidates_within(c.center, r).any(|f| {
                        f.max_distance_m <= r
                            || (f.min_distance_m <= r
                                && Geodesic.distance(c.center.to_point(), f.position.to_point())
                                    <= r)
                    });
                    if covered { 0.0 } else { people }
                }
                _ => 0.0,
            })
            .collect();
        let candidates: Vec<usize> = match query.area.and_then(|code| self.municipality(code)) {
            None if query.area.is_some() => Vec::new(),
            // A site stands in the study area: a cell cut by its edge is a candidate only when
            // its centre is inside (else the pick would be a place in a neighbouring town).
            None => (0..cells.len())
                .filter(|&i| {
                    cells[i].parts.iter().any(|p| {
                        self.municipality(p.municipality_code)
                            .is_some_and(|t| t.boundary.contains(&cells[i].center.to_point()))
                    })
                })
                .collect(),
            // A centre inside the town lies in a part of the cell in the town, so only those
            // cells need the point-in-polygon test.
            Some(town) => (0..cells.len())
                .filter(|&i| {
                    cells[i].parts.iter().any(|p| p.municipality_code == town.code)
                        && town.boundary.contains(&cells[i].center.to_point())
                })
                .collect(),
        };
        let lattice = Lattice::new(cells.iter().map(|c| (c.code, c.center)), query.radius_m);
        let picks = lazy_greedy(&candidates, query.n.min(MAX_SITES), &mut uncovered, |c, each| {
            lattice.reached(c, each);
        });
        picks
            .into_iter()
            .enumerate()
            .map(|(i, (c, newly))| {
                let position = cells[c].center;
                let town = self.municipality_at(position);
                SiteSuggestion {
                    rank: i + 1,
                    cell: cells[c].code,
                    position,
                    municipality_code: town.map(|m| m.code),
                    small_area: town
                        .and_then(|m| self.nearest_small_area(m.code, position))
                        .cloned(),
                    newly_covered_population: newly,
                }
            })
            .collect()
    }
}

/// Cells of one mesh level on their lattice, with which cells each one's centre reaches.
///
/// Cell centres in one row share their latitude and step by one column width in longitude, so
/// the geodesic distance between two centres depends only on their rows and the number of
/// columns between them, and grows with that number. For every pair of rows (a, b) it keeps the
/// largest column offset `w` with the distance at most the radius: a cell in row a reaches the
/// cells of row b at most `w` columns away, and no other (exactly the geodesic rule, up to the
/// rounding of the centres to `f64`: nanometres).
#[derive(Debug, Default)]
pub(crate) struct Lattice {
    rows: usize,
    columns: usize,
    /// Per slot (row-major) the index of its cell, or `None`.
    slots: Vec<Option<usize>>,
    /// Per cell its slot.
    cell_slots: Vec<usize>,
    /// How many rows away a centre can reach at most.
    reach_rows: usize,
    /// Per row and row offset (`-reach_rows..=reach_rows`) the largest column offset within
    /// reach, or `None` when even the same column is out of reach.
    widths: Vec<Option<usize>>,
}

/// Metres in a degree of latitude at the equator, where it is shortest (WGS84: 110,574 m),
/// rounded down.
const LEAST_DEGREE_OF_LATITUDE_M: f64 = 110_570.0;

impl Lattice {
    /// The lattice of `cells` (each with its centre; all of one level) for `radius_m`.
    pub(crate) fn new(
        cells: impl IntoIterator<Item = (MeshCode, Position)>,
        radius_m: f64,
    ) -> Self {
        let cells: Vec<(MeshCode, Position)> = cells.into_iter().collect();
        let Some(&(some_code, _)) = cells.first() else { return Lattice::default() };
        let cells: Vec<((u32, u32), Position)> =
            cells.into_iter().map(|(code, centre)| (code.lattice(), centre)).collect();
        let (Some(row_0), Some(column_0)) = (
            cells.iter().map(|((row, _), _)| *row).min(),
            cells.iter().map(|((_, column), _)| *column).min(),
        ) else {
            return Lattice::default();
        };
        let row_of = |r: u32| (r - row_0) as usize;
        let column_of = |c: u32| (c - column_0) as usize;
        let rows = cells.iter().map(|((r, _), _)| row_of(*r)).max().unwrap_or_default() + 1;
        let columns = cells.iter().map(|((_, c), _)| column_of(*c)).max().unwrap_or_default() + 1;
        let mut slots = vec![None; rows * columns];
        let mut cell_slots = Vec::with_capacity(cells.len());
        // Each row's latitude and one centre's longitude with its column, for the distances.
        let mut row_lat: Vec<Option<f64>> = vec![None; rows];
        for (i, ((r, c), centre)) in cells.iter().enumerate() {
            let slot = row_of(*r) * columns + column_of(*c);
            slots[slot] = Some(i);
            cell_slots.push(slot);
            row_lat[row_of(*r)] = Some(centre.lat());
        }
        let ((_, some_column), some_centre) = cells[0];
        let (south_west, north_east) = (some_code.south_west(), some_code.north_east());
        let column_width_deg = north_east.lon() - south_west.lon();
        // Rows further apart than this are further apart than the radius: a degree of latitude
        // is nowhere shorter than at the equator.
        let least_row_height_m = (north_east.lat() - south_west.lat()) * LEAST_DEGREE_OF_LATITUDE_M;
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "radii are at most tens of km"
        )]
        let reach_rows = if radius_m >= 0.0 {
            ((radius_m / least_row_height_m).ceil() as usize + 1).min(rows)
        } else {
            0
        };
        let span = 2 * reach_rows + 1;
        let mut widths = vec![None; rows * span];
        let lon = some_centre.lon() - f64::from(some_column - column_0) * column_width_deg;
        for a in 0..rows {
            let Some(lat_a) = row_lat[a] else { continue };
            for b in a..rows.min(a + reach_rows + 1) {
                let Some(lat_b) = row_lat[b] else { continue };
                let width = widest(lat_a, lat_b, lon, column_width_deg, columns, radius_m);
                widths[a * span + reach_rows + (b - a)] = width;
                widths[b * span + reach_rows - (b - a)] = width;
            }
        }
        Lattice { rows, columns, slots, cell_slots, reach_rows, widths }
    }

    /// Calls `each` with every cell whose centre `cell`'s centre reaches, row by row from the
    /// south, west to east within a row.
    pub(crate) fn reached(&self, cell: usize, mut each: impl FnMut(usize)) {
        let slot = self.cell_slots[cell];
        let (row, column) = (slot / self.columns, slot % self.columns);
        let span = 2 * self.reach_rows + 1;
        let first_row = row.saturating_sub(self.reach_rows);
        let last_row = (row + self.reach_rows).min(self.rows - 1);
        for other in first_row..=last_row {
            let Some(width) = self.widths[row * span + self.reach_rows + other - row] else {
                continue;
            };
            let west = column.saturating_sub(width);
            let east = (column + width).min(self.columns - 1);
            for slot in &self.slots[other * self.columns + west..=other * self.columns + east] {
                if let Some(i) = *slot {
                    each(i);
                }
            }
        }
    }
}

/// The largest number of columns (at most `columns`) between a centre at `lat_a` and one at
/// `lat_b` with their geodesic distance at most `radius_m`, or `None` when even the same column is
/// further; starts from the flat-earth estimate and settles it with geodesics (the distance grows
/// with the column offset).
fn widest(
    lat_a: f64,
    lat_b: f64,
    lon: f64,
    column_width_deg: f64,
    columns: usize,
    radius_m: f64,
) -> Option<usize> {
    #[allow(clippy::cast_precision_loss, reason = "column offsets are small")]
    let within = |offset: usize| {
        let distance = Geodesic.distance(
            geo::Point::new(lon, lat_a),
            geo::Point::new(lon + offset as f64 * column_width_deg, lat_b),
        );
        distance <= radius_m
    };
    let north_m = (lat_b - lat_a).abs() * 110_950.0;
    let east_m = column_width_deg * 111_320.0 * f64::midpoint(lat_a, lat_b).to_radians().cos();
    let flat = (radius_m * radius_m - north_m * north_m).max(0.0).sqrt() / east_m;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "bounded by columns"
    )]
    let mut width = (flat.floor().max(0.0) as usize).min(columns);
    while !within(width) {
        if width == 0 {
            return None;
        }
        width -= 1;
    }
    while width < columns && within(width + 1) {
        width += 1;
    }
    Some(width)
}

/// A candidate's gain as the heap orders it: larger gain first, then the lower index.
#[derive(Debug)]
struct Entry {
    gain: f64,
    candidate: Reverse<usize>,
    /// How many picks had been made when the gain was computed.
    round: usize,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.gain.total_cmp(&other.gain).then(self.candidate.cmp(&other.candidate))
    }
}

/// The sum of `uncovered` over what `candidate` reaches, in `reach`'s order (both greedies sum
/// in the same order, so they see the same figures to the last bit).
fn gain(candidate: usize, uncovered: &[f64], reach: &impl Fn(usize, &mut dyn FnMut(usize))) -> f64 {
    let mut sum = 0.0;
    reach(candidate, &mut |i| sum += uncovered[i]);
    sum
}

/// Up to `n` picks among `candidates` (indexes of cells), each with the uncovered demand it
/// covers, made greedily and lazily; `uncovered` is zeroed where picks reach. `reach` calls its
/// second argument with every demand index a candidate reaches.
///
/// Exactly the plain greedy's picks (`plain_greedy` in the tests): demand is never negative, so
/// a gain only shrinks as demand is zeroed (floating-point addition rounds monotonically), and a
/// stale gain bounds the fresh one; the heap's top, once fresh, beats every other candidate's
/// bound, ties going to the lower index as in the plain greedy.
fn lazy_greedy(
    candidates: &[usize],
    n: usize,
    uncovered: &mut [f64],
    reach: impl Fn(usize, &mut dyn FnMut(usize)),
) -> Vec<(usize, f64)> {
    let mut heap: BinaryHeap<Entry> = candidates
        .iter()
        .map(|&c| Entry { gain: gain(c, uncovered, &reach), candidate: Reverse(c), round: 0 })
        .collect();
    let mut picks = Vec::new();
    while picks.len() < n {
        let Some(top) = heap.pop() else { break };
        if top.round < picks.len() {
            let c = top.candidate.0;
            heap.push(Entry {
                gain: gain(c, uncovered, &reach),
                candidate: top.candidate,
                round: picks.len(),
            });
            continue;
        }
        if top.gain <= 0.0 {
            break;
        }
        reach(top.candidate.0, &mut |i| uncovered[i] = 0.0);
        picks.push((top.candidate.0, top.gain));
    }
    picks
}

/// The plain greedy [`lazy_greedy`] must agree with: every candidate's gain in every round.
#[cfg(test)]
fn plain_greedy(
    candidates: &[usize],
    n: usize,
    uncovered: &mut [f64],
    reach: impl Fn(usize, &mut dyn FnMut(usize)),
) -> Vec<(usize, f64)> {
    let mut picks = Vec::new();
    for _ in 0..n {
        let Some((best, newly)) = candidates
            .iter()
            .map(|&c| (c, gain(c, uncovered, &reach)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        else {
            break;
        };
        if newly <= 0.0 {
            break;
        }
        reach(best, &mut |i| uncovered[i] = 0.0);
        picks.push((best, newly));
    }
    picks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::SplitMix;

    #[test]
    fn lazy_greedy_picks_what_plain_greedy_picks_on_random_coverage() {
        let mut random = SplitMix(11);
        for case in 0..300 {
            let demand_cells = 1 + (random.next_u64() % 60) as usize;
            let candidate_count = 1 + (random.next_u64() % 40) as usize;
            let reach: Vec<Vec<usize>> = (0..candidate_count)
                .map(|_| {
                    let size = (random.next_u64() % 12) as usize;
                    (0..size).map(|_| (random.next_u64() % demand_cells as u64) as usize).collect()
                })
                .collect();
            // Small integers make exact ties common, which is where the order matters.
            let demand: Vec<f64> = (0..demand_cells)
                .map(|_| {
                    if case % 2 == 0 {
                        (random.next_u64() % 4) as f64
                    } else {
                        random.uniform(0.0, 50.0)
                    }
                })
                .collect();
            let candidates: Vec<usize> =
                (0..candidate_count).filter(|_| !random.next_u64().is_multiple_of(5)).collect();
            let n = (random.next_u64() % 25) as usize;
            let by = |c: usize, each: &mut dyn FnMut(usize)| reach[c].iter().for_each(|&i| each(i));
            let (mut lazy, mut plain) = (demand.clone(), demand.clone());
            assert_eq!(
                lazy_greedy(&candidates, n, &mut lazy, by),
                plain_greedy(&candidates, n, &mut plain, by),
                "case {case}"
            );
            assert_eq!(lazy, plain, "case {case}");
        }
    }

    #[test]
    fn lattice_reaches_exactly_the_centres_within_the_geodesic_radius() {
        let mut random = SplitMix(250);
        let cells: Vec<(MeshCode, Position)> =
            MeshCode::covering(35.95, 139.60, 36.08, 139.78, MeshLevel::Quarter)
                .into_iter()
                // Holes in the lattice, as a town's outline leaves them.
                .filter(|_| !random.next_u64().is_multiple_of(7))
                .map(|code| (code, code.center()))
                .collect();
        let frame = crate::LocalFrame::for_extent(35.9, 139.5, 36.1, 139.8);
        let index = PositionIndex::new(cells.iter().enumerate().map(|(i, c)| (c.1, i)), frame);
        for radius_m in [0.0, 120.0, 250.0, 999.0, 2000.0, random.uniform(100.0, 5000.0)] {
            let lattice = Lattice::new(cells.iter().copied(), radius_m);
            for _ in 0..40 {
                let cell = (random.next_u64() % cells.len() as u64) as usize;
                let mut found = Vec::new();
                lattice.reached(cell, |i| found.push(i));
                let mut expected: Vec<usize> =
                    index.within(cells[cell].1, radius_m).map(|n| *n.value).collect();
                found.sort_unstable();
                expected.sort_unstable();
                assert_eq!(found, expected, "radius {radius_m} from {}", cells[cell].0);
            }
        }
    }
}
