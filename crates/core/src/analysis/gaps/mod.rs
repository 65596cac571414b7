//! Coverage gaps: where in the study area people live farther than a radius from every facility of
//! some kinds, as polygons or as mesh cells, under a what-if scenario. Facilities anywhere in the
//! snapshot cover the study area, including those in neighbouring municipalities.
//!
//! **One definition of "out of reach"** ([`OUT_OF_REACH_DEFINITION_EN`]) gives every figure of
//! people out of reach, whatever the drawing: a 250 m cell (JIS quarter mesh) of the study area is
//! out of reach when its centre is farther than the radius (geodesic) from every facility, and
//! its residents are those the population model puts in its part of each town. Gap polygons and
//! 1 km or 500 m cells are drawings of the same answer: a coarse cell's people out of reach are
//! those of its 250 m cells, and a town's summary is the same at every resolution. Scenarios,
//! ranked places and site suggestions count with the same rule, so one question gives one number
//! on every screen and endpoint. (Counting by the drawn polygons instead puts 宮代町's visiting
//! nursing gap at 2 km 7% lower, by 500 m cells 12% lower: the rule is a choice, stated once.)

pub(crate) mod polygons;

use crate::{
    Atlas, FacilityKind, GapPolygon, MeshCode, MeshLevel, MunicipalityCode, PopulationGroup,
    Position, PositionIndex, Scenario, SupplyWeight,
};

/// How gaps are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapResolution {
    /// Each municipality minus the union of the facilities' circles.
    Polygon,
    /// Mesh cells of a level (1 km, 500 m or 250 m), each covered or not by its centre.
    Mesh(MeshLevel),
}

/// A checked coverage-gap query.
#[derive(Debug, Clone, PartialEq)]
pub struct GapQuery {
    /// Kinds whose facilities cover (all when empty).
    pub kinds: Vec<FacilityKind>,
    /// Reach of a facility in metres, within [`crate::RADIUS_RANGE_M`].
    pub radius_m: f64,
    /// Study-area municipality to report (all three when `None`).
    pub area: Option<MunicipalityCode>,
    /// Polygons or mesh.
    pub resolution: GapResolution,
    /// Whose residents are counted.
    pub group: PopulationGroup,
}

/// The rule behind every figure of people out of reach, in Japanese.
pub const OUT_OF_REACH_DEFINITION_JA: &str = "圏外人口は250 mメッシュ(4分の1地域メッシュ)で数えます: \
    メッシュの中心から最も近い施設までの直線距離(測地線)が到達距離を超えるとき、そのメッシュの住民を圏外とします。\
    住民数は2020年国勢調査500 mメッシュ人口を面積で按分した推計です。道路距離・移動時間ではありません。";

/// The rule behind every figure of people out of reach, in English.
pub const OUT_OF_REACH_DEFINITION_EN: &str = "People out of reach are counted on 250 m cells (JIS \
    quarter mesh): a cell's residents are out of reach when its centre is farther than the reach \
    (straight-line geodesic distance) from every facility; residents per cell are the 2020 census \
    500 m mesh shared out by area. Not road distance or travel time.";

/// The level whose cells decide who is out of reach (see the module documentation).
pub const OUT_OF_REACH_LEVEL: MeshLevel = MeshLevel::Quarter;

/// A mesh cell of a gap answer.
#[derive(Debug, Clone, PartialEq)]
pub struct GapCell {
    /// The cell.
    pub code: MeshCode,
    /// Its centre.
    pub center: Position,
    /// Geodesic distance from the centre to the nearest facility in metres (`None`: none at all).
    pub nearest_distance_m: Option<f64>,
    /// Whether every 250 m cell of it is within reach (for a 250 m cell: its centre is).
    pub covered: bool,
    /// Residents of the group in the cell's study-area part (of the reported municipalities);
    /// `None` where the model does not know them.
    pub population: Option<f64>,
    /// Of them, those out of reach: the residents of its 250 m cells out of reach.
    pub population_uncovered: Option<f64>,
    /// Area of that part out of reach in km² (of its 250 m cells out of reach).
    pub area_uncovered_km2: f64,
    /// Area of that part in km².
    pub area_km2: f64,
}

/// Population and area out of reach in one municipality.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GapSummary {
    /// The municipality.
    pub municipality_code: MunicipalityCode,
    /// Residents of the group (from the population model; `None` where it does not know them).
    pub population_total: Option<f64>,
    /// Residents of the group out of reach (`None` where unknown).
    pub population_uncovered: Option<f64>,
    /// Area in km².
    pub area_km2: f64,
    /// Area out of reach in km².
    pub area_uncovered_km2: f64,
}

/// A coverage-gap answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Gaps {
    /// Gap polygons (polygon resolution).
    pub polygons: Vec<GapPolygon>,
    /// Cells (mesh resolution).
    pub cells: Vec<GapCell>,
    /// Per municipality.
    pub summary: Vec<GapSummary>,
}

/// Which 250 m cells of the study area are within reach: one entry per cell of
/// `grid(OUT_OF_REACH_LEVEL).study`, in its order.
#[derive(Debug, Clone, PartialEq)]
pub struct QuarterReach {
    /// Whether each cell's centre is within the radius.
    pub covered: Vec<bool>,
}

/// Residents and area of some cell parts, and of those out of reach.
#[derive(Debug, Clone, Copy)]
struct Tally {
    population: Option<f64>,
    population_uncovered: Option<f64>,
    area_km2: f64,
    area_uncovered_km2: f64,
}

impl Tally {
    const ZERO: Tally = Tally {
        population: Some(0.0),
        population_uncovered: Some(0.0),
        area_km2: 0.0,
        area_uncovered_km2: 0.0,
    };

    /// Adds a part of `people` residents and `area_km2`; out of reach unless `covered`.
    fn add(&mut self, people: Option<f64>, area_km2: f64, covered: bool) {
        let plus = |sum: Option<f64>, part: Option<f64>| sum.zip(part).map(|(a, b)| a + b);
        self.population = plus(self.population, people);
        self.area_km2 += area_km2;
        if !covered {
            self.population_uncovered = plus(self.population_uncovered, people);
            self.area_uncovered_km2 += area_km2;
        }
    }
}

impl Atlas {
    /// Which 250 m cells of the study area are within `radius_m` of the supply of `kinds` under
    /// `scenario`: the one rule behind every figure of people out of reach.
    #[must_use]
    pub fn quarter_reach(
        &self,
        kinds: &[FacilityKind],
        radius_m: f64,
        scenario: &Scenario,
    ) -> QuarterReach {
        let centres: Vec<Position> =
            self.grid(OUT_OF_REACH_LEVEL).study.iter().map(|cell| cell.center).collect();
        // Whether in reach, not how far: most cells are decided by the frame's bounds without a
        // geodesic distance (a country's 2.3 million cells took 4.8 s by nearest distances).
        let covered = self.supply_index(kinds, scenario).any_within_each_m(&centres, radius_m);
        QuarterReach { covered }
    }

    /// The supply of `kinds` under `scenario`, indexed.
    fn supply_index(&self, kinds: &[FacilityKind], scenario: &Scenario) -> PositionIndex<()> {
        let supply = self.supply(kinds, scenario, SupplyWeight::Count);
        PositionIndex::new(supply.iter().map(|s| (s.position, ())), *self.frame())
    }

    /// People of every group out of reach per study-area town (in code order), by the one rule,
    /// from the reach of the 250 m cells.
    #[must_use]
    pub fn out_of_reach_by_town(
        &self,
        reach: &QuarterReach,
    ) -> Vec<(MunicipalityCode, crate::GroupFigures)> {
        let mut towns: Vec<(MunicipalityCode, crate::GroupFigures)> =
            self.study_area().map(|m| (m.code, [Some(0.0); PopulationGroup::ALL.len()])).collect();
        towns.sort_by_key(|(code, _)| *code);
        for (cell, covered) in self.grid(OUT_OF_REACH_LEVEL).study.iter().zip(&reach.covered) {
            if *covered {
                continue;
            }
            for part in &cell.parts {
                if let Ok(t) =
                    towns.binary_search_by_key(&part.municipality_code, |(code, _)| *code)
                    && let Some((_, sums)) = towns.get_mut(t)
                {
                    for (sum, people) in sums.iter_mut().zip(&part.populations) {
                        *sum = sum.zip(*people).map(|(a, b)| a + b);
                    }
                }
            }
        }
        towns
    }

    /// Coverage gaps of the study area under `scenario`. Every figure of people out of reach
    /// follows the one rule of [`Atlas::quarter_reach`] (see the module documentation); the
    /// resolution chooses only the drawing.
    ///
    /// ```
    /// use care_atlas_core::{Atlas, AtlasParts, GapQuery, GapResolution, Scenario};
    /// let atlas = Atlas::new(AtlasParts::default());
    /// use care_atlas_core::PopulationGroup;
    /// let query = GapQuery { kinds: vec![], radius_m: 2000.0, area: None, resolution: GapResolution::Polygon, group: PopulationGroup::Total };
    /// assert!(atlas.coverage_gaps(&query, &Scenario::default()).summary.is_empty());
    /// ```
    #[must_use]
    pub fn coverage_gaps(&self, query: &GapQuery, scenario: &Scenario) -> Gaps {
        let reach = self.quarter_reach(&query.kinds, query.radius_m, scenario);
        self.coverage_gaps_with(query, scenario, &reach)
    }

    /// [`Atlas::coverage_gaps`] with the reach of the 250 m cells already known.
    #[must_use]
    pub fn coverage_gaps_with(
        &self,
        query: &GapQuery,
        scenario: &Scenario,
        reach: &QuarterReach,
    ) -> Gaps {
        let towns: Vec<&crate::Municipality> =
            self.study_area().filter(|m| query.area.is_none_or(|a| a == m.code)).collect();
        let quarter = &self.grid(OUT_OF_REACH_LEVEL).study;
        // In code order, as the atlas keeps its municipalities: a country has thousands, and a
        // scan per cell part was most of the time.
        let mut tallies: Vec<(MunicipalityCode, Tally)> =
            towns.iter().map(|t| (t.code, Tally::ZERO)).collect();
        tallies.sort_by_key(|(code, _)| *code);
        // Each display cell's tally, by code, when the drawing is a coarser mesh.
        let display_level = match query.resolution {
            GapResolution::Mesh(level) if level != OUT_OF_REACH_LEVEL => Some(level),
            _ => None,
        };
        let mut coarse: std::collections::BTreeMap<MeshCode, Tally> =
            std::collections::BTreeMap::new();
        let mut cells = Vec::new();
        for (i, cell) in quarter.iter().enumerate() {
            let covered = reach.covered.get(i).copied().unwrap_or(false);
            let mut own = Tally::ZERO;
            for part in &cell.parts {
                let Ok(t) =
                    tallies.binary_search_by_key(&part.municipality_code, |(code, _)| *code)
                else {
                    continue;
                };
                let people = part.population(query.group);
                own.add(people, part.area_km2, covered);
                tallies[t].1.add(people, part.area_km2, covered);
            }
            if own.area_km2 <= 0.0 {
                continue;
            }
            if let Some(level) = display_level {
                if let Some(parent) = ancestor(cell.code, level) {
                    let tally = coarse.entry(parent).or_insert(Tally::ZERO);
                    tally.add(own.population_uncovered, own.area_uncovered_km2, false);
                }
            } else if query.resolution == GapResolution::Mesh(OUT_OF_REACH_LEVEL) {
                cells.push(GapCell {
                    code: cell.code,
                    center: cell.center,
                    // Measured below, for the cells drawn only.
                    nearest_distance_m: None,
                    covered,
                    population: own.population,
                    population_uncovered: own.population_uncovered,
                    area_km2: own.area_km2,
                    area_uncovered_km2: own.area_uncovered_km2,
                });
            }
        }
        let summary: Vec<GapSummary> = tallies
            .iter()
            .map(|(code, t)| GapSummary {
                municipality_code: *code,
                population_total: t.population,
                population_uncovered: t.population_uncovered,
                area_km2: t.area_km2,
                area_uncovered_km2: t.area_uncovered_km2,
            })
            .collect();
        match query.resolution {
            GapResolution::Polygon => {
                let supply = self.supply(&query.kinds, scenario, SupplyWeight::Count);
                let positions: Vec<Position> = supply.iter().map(|s| s.position).collect();
                let mut polygons = polygons::gap_shapes(&towns, &positions, query.radius_m);
                // The polygons draw the gap; its people are counted by the one rule.
                for polygon in &mut polygons {
                    if let Ok(t) = summary
                        .binary_search_by_key(&polygon.municipality_code, |s| s.municipality_code)
                        && let Some(town) = summary.get(t)
                    {
                        polygon.population_total = town.population_total;
                        polygon.population_uncovered = town.population_uncovered;
                    }
                }
                Gaps { polygons, cells: Vec::new(), summary }
            }
            GapResolution::Mesh(level) if level == OUT_OF_REACH_LEVEL => {
                let centres: Vec<Position> = cells.iter().map(|c| c.center).collect();
                let distances =
                    self.supply_index(&query.kinds, scenario).nearest_distances_m(&centres);
                for (cell, distance_m) in cells.iter_mut().zip(distances) {
                    cell.nearest_distance_m = distance_m;
                }
                Gaps { polygons: Vec::new(), cells, summary }
            }
            GapResolution::Mesh(level) => Gaps {
                polygons: Vec::new(),
                cells: self.coarse_cells(level, query, scenario, &coarse),
                summary,
            },
        }
    }

    /// The cells of a coarser `level` touching the towns of `query`, each with the people of its
    /// 250 m cells out of reach (`out_of_reach`, by code).
    fn coarse_cells(
        &self,
        level: MeshLevel,
        query: &GapQuery,
        scenario: &Scenario,
        out_of_reach: &std::collections::BTreeMap<MeshCode, Tally>,
    ) -> Vec<GapCell> {
        let supply = self.supply_index(&query.kinds, scenario);
        let kept: Vec<(&crate::StudyCell, Tally)> = self
            .grid(level)
            .study
            .iter()
            .filter_map(|cell| {
                let mut own = Tally::ZERO;
                for part in cell
                    .parts
                    .iter()
                    .filter(|p| query.area.is_none_or(|a| a == p.municipality_code))
                {
                    own.add(part.population(query.group), part.area_km2, true);
                }
                (own.area_km2 > 0.0).then_some((cell, own))
            })
            .collect();
        let centres: Vec<Position> = kept.iter().map(|(cell, _)| cell.center).collect();
        kept.into_iter()
            .zip(supply.nearest_distances_m(&centres))
            .map(|((cell, own), nearest_distance_m)| {
                let out = out_of_reach.get(&cell.code).copied().unwrap_or(Tally::ZERO);
                GapCell {
                    code: cell.code,
                    center: cell.center,
                    nearest_distance_m,
                    covered: out.area_km2 <= 0.0,
                    population: own.population,
                    population_uncovered: out.population,
                    area_km2: own.area_km2,
                    area_uncovered_km2: out.area_km2,
                }
            })
            .collect()
    }
}

/// The cell of `level` that contains `code` (itself at its own level).
fn ancestor(code: MeshCode, level: MeshLevel) -> Option<MeshCode> {
    let mut cell = code;
    while cell.level() != level {
        cell = cell.parent()?;
    }
    Some(cell)
}
