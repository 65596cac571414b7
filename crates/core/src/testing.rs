//! Deterministic synthetic data for tests and benchmarks: clearly synthetic facilities (ids
//! `synthetic-…`), never mixed with real data.
//!
//! Two layouts: [`synthetic_facility`] spreads facilities uniformly over the study area's box (the
//! best case for a search window), and [`ClusteredSampler`] places them where people live, cell
//! by cell in proportion to a census mesh's residents, as real facilities cluster in towns.

use crate::{
    Facility, FacilityId, FacilityKind, MunicipalityCode, Position, PositionPrecision, Provenance,
};

/// SplitMix64: a tiny seeded generator, so tests and benchmarks need no random-number crate.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The next number in `0.0..1.0`, from 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// The next number in `low..high`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.next_f64()
    }
}

/// A synthetic facility `synthetic-<n>` at a random position within the study area and its
/// 10 km ring (35.85–36.15°N, 139.47–139.87°E), of a kind chosen by `n`.
#[must_use]
pub fn synthetic_facility(n: usize, random: &mut SplitMix) -> Facility {
    let lat = 35.85 + random.next_f64() * 0.30;
    let lon = 139.47 + random.next_f64() * 0.40;
    let kind = FacilityKind::ALL[n % FacilityKind::ALL.len()];
    Facility {
        id: FacilityId::new(format!("synthetic-{n:07}")),
        kind,
        name: format!("synthetic facility {n}"),
        name_kana: None,
        address: String::new(),
        municipality_code: MunicipalityCode::from_six_digits("112381")
            .unwrap_or_else(|_| unreachable!("a valid code")),
        position: Position::new(lat, lon)
            .unwrap_or_else(|_| unreachable!("within range by construction")),
        position_precision: PositionPrecision::Source,
        position_note: None,
        phone: None,
        url: None,
        capacity: None,
        open_days: None,
        home_care_class: None,
        filings: Vec::new(),
        linked_record: None,
        provenance: Provenance {
            source: "synthetic".into(),
            record_id: n.to_string(),
            as_of: None,
            contact_source: None,
        },
    }
}

/// Positions drawn where people live: a mesh cell chosen with probability proportional to its
/// residents, then a uniform point inside it. Fed the census mesh of the three towns and their
/// ring, it places synthetic facilities (and query origins "inside the clusters") as densely as
/// the real population, empty cells never.
#[derive(Debug, Clone)]
pub struct ClusteredSampler {
    /// Each populated cell with the running total of residents up to and including it.
    cells: Vec<(crate::MeshCode, f64)>,
}

impl ClusteredSampler {
    /// A sampler over `cells` (cell, residents); cells with no residents (or a residents figure
    /// that is not a positive number) are never drawn. `None` when no cell has residents.
    #[must_use]
    pub fn new(cells: impl IntoIterator<Item = (crate::MeshCode, f64)>) -> Option<Self> {
        let mut total = 0.0;
        let cells: Vec<(crate::MeshCode, f64)> = cells
            .into_iter()
            .filter(|(_, residents)| *residents > 0.0 && residents.is_finite())
            .map(|(code, residents)| {
                total += residents;
                (code, total)
            })
            .collect();
        (!cells.is_empty()).then_some(ClusteredSampler { cells })
    }

    /// The populated cells, in the order given.
    pub fn cells(&self) -> impl Iterator<Item = crate::MeshCode> + '_ {
        self.cells.iter().map(|(code, _)| *code)
    }

    /// A random position: a cell drawn in proportion to its residents, a uniform point inside it.
    #[must_use]
    pub fn position(&self, random: &mut SplitMix) -> Position {
        let total = self.cells.last().map_or(0.0, |(_, running)| *running);
        let target = random.next_f64() * total;
        let i = self.cells.partition_point(|(_, running)| *running <= target);
        let (code, _) = self.cells[i.min(self.cells.len() - 1)];
        let (south_west, north_east) = (code.south_west(), code.north_east());
        // Kept a hair inside the cell so the point's own mesh code is the cell's.
        let lat = south_west.lat()
            + (north_east.lat() - south_west.lat()) * random.uniform(1e-6, 1.0 - 1e-6);
        let lon = south_west.lon()
            + (north_east.lon() - south_west.lon()) * random.uniform(1e-6, 1.0 - 1e-6);
        Position::new(lat, lon).unwrap_or_else(|_| unreachable!("inside a mesh cell"))
    }

    /// The synthetic facility `synthetic-<n>` (as [`synthetic_facility`]) at [`Self::position`].
    #[must_use]
    pub fn facility(&self, n: usize, random: &mut SplitMix) -> Facility {
        let position = self.position(random);
        let mut facility = synthetic_facility(n, random);
        facility.position = position;
        facility
    }
}

/// A study-area town coded 11238 (蓮田市) whose boundary is `boundary`: for tests that need a
/// municipality of a simple shape.
#[must_use]
pub fn town_with_boundary(boundary: geo::MultiPolygon<f64>) -> crate::Municipality {
    crate::Municipality {
        code: MunicipalityCode::from_six_digits("112381")
            .unwrap_or_else(|_| unreachable!("a valid code")),
        name: "蓮田市".into(),
        prefecture: "埼玉県".into(),
        county: None,
        role: crate::AreaRole::StudyArea,
        boundary,
    }
}

/// A rectangular study-area town (see [`town_with_boundary`]) from `west`, `south` to `east`,
/// `north` in degrees, wound counter-clockwise.
#[must_use]
pub fn rectangular_town(west: f64, south: f64, east: f64, north: f64) -> crate::Municipality {
    let ring = geo::LineString::from(vec![
        (west, south),
        (east, south),
        (east, north),
        (west, north),
        (west, south),
    ]);
    town_with_boundary(geo::MultiPolygon(vec![geo::Polygon::new(ring, vec![])]))
}

/// A random query origin around the study area's centre (36.0°N, 139.67°E), within `spread`
/// degrees (0.3 stays inside the synthetic facilities' extent, 1.5 reaches well outside it).
#[must_use]
pub fn origin_around_study_area(random: &mut SplitMix, spread: f64) -> Position {
    Position::new(
        36.0 + (random.next_f64() - 0.5) * spread,
        139.67 + (random.next_f64() - 0.5) * spread,
    )
    .unwrap_or_else(|_| unreachable!("within range for any spread below 100 degrees"))
}

/// `columns` × `rows` boxes of `width` × `height` degrees from `west`, `south`, row by row from the
/// south: a lattice of mesh-like cells for tests that cut shapes cell by cell.
#[must_use]
pub fn cell_lattice(
    (west, south): (f64, f64),
    (width, height): (f64, f64),
    (columns, rows): (u32, u32),
) -> Vec<geo::Rect<f64>> {
    (0..rows)
        .flat_map(|row| (0..columns).map(move |column| (row, column)))
        .map(|(row, column)| {
            let (w, s) = (west + f64::from(column) * width, south + f64::from(row) * height);
            geo::Rect::new(geo::coord! { x: w, y: s }, geo::coord! { x: w + width, y: s + height })
        })
        .collect()
}

/// A concave town (a U open to the north, with a hole along its base) of about 10 × 9 km near
/// 139.65°E 35.94°N, for tests of cutting and clipping: cells meet its arms, the gap between
/// them, its hole, and the notch in the base of the gap.
#[must_use]
pub fn concave_town_with_hole() -> geo::Polygon<f64> {
    geo::Polygon::new(
        geo::LineString::from(vec![
            (139.600, 35.900),
            (139.700, 35.900),
            (139.700, 35.980),
            (139.671, 35.980),
            (139.668, 35.921),
            (139.6551, 35.9302),
            (139.632, 35.923),
            (139.629, 35.981),
            (139.600, 35.980),
            (139.600, 35.900),
        ]),
        vec![geo::LineString::from(vec![
            (139.610, 35.905),
            (139.690, 35.905),
            (139.690, 35.912),
            (139.610, 35.912),
            (139.610, 35.905),
        ])],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MeshCode, MeshLevel};

    #[test]
    fn clustered_positions_fall_only_in_populated_cells_in_proportion_to_residents() {
        let busy: MeshCode = "533963372".parse().unwrap_or_else(|_| unreachable!());
        let quiet: MeshCode = "533963374".parse().unwrap_or_else(|_| unreachable!());
        let empty: MeshCode = "533963373".parse().unwrap_or_else(|_| unreachable!());
        let sampler = ClusteredSampler::new([(busy, 900.0), (empty, 0.0), (quiet, 100.0)])
            .unwrap_or_else(|| unreachable!("two cells have residents"));
        let mut random = SplitMix(1);
        let mut in_busy = 0;
        for _ in 0..10_000 {
            let cell = MeshCode::of(sampler.position(&mut random), MeshLevel::Half);
            assert!(cell == Some(busy) || cell == Some(quiet), "{cell:?}");
            in_busy += usize::from(cell == Some(busy));
        }
        assert!((8_800..9_200).contains(&in_busy), "{in_busy} of 10,000 in the 90% cell");
        assert!(ClusteredSampler::new([(empty, 0.0)]).is_none());
    }
}
