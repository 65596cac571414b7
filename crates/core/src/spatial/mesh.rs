//! JIS X 0410 grid squares (地域メッシュ): the 80 km, 10 km, 1 km, 500 m and 250 m cells that
//! Japanese statistics (census, population estimates) are published on.
//!
//! A first mesh spans 40′ of latitude by 1° of longitude; a second mesh divides it 8 × 8, a third
//! mesh divides a second mesh 10 × 10, and the half and quarter meshes halve each side again. The
//! codes are digit strings: `5339` (80 km), `533946` (10 km), `53394611` (1 km), `533946113`
//! (500 m, last digit 1–4 = SW, SE, NW, NE) and `5339461134` (250 m, another 1–4 inside the half).
//!
//! Every cell corner is an integer number of quarter arc-seconds (a quarter mesh is 30 × 45 of
//! them, a first mesh 9600 × 14400), so cells are held and compared as integers, and a position is
//! turned into that unit by an exact floor of its `f64` value. The code digits are integer parts of
//! scaled degrees, so a position exactly on a cell edge belongs to the cell north or east of the
//! edge, and here it does whatever the edge's degrees look like in floating point. The study area straddles 36°N, the edge between first meshes 5339 and
//! 5439, which is why this matters here.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};
use std::str::FromStr;

use crate::Position;

/// Quarter arc-seconds per degree: the unit in which every cell corner is an integer.
const UNITS_PER_DEGREE: u32 = 14_400;
/// The first-mesh longitude code 00 starts at 100°E: 100 × 14400 units.
const LON_ORIGIN_UNITS: u32 = 1_440_000;
/// Latitude codes 00–99: 0° up to (not including) 66°40′N, 100 first meshes of 9600 units.
const LAT_SPAN_UNITS: i64 = 960_000;
/// Longitude codes 00–79: 100°E up to (not including) 180°, 80 first meshes of 14400 units.
/// JIS X 0410's two digits would name longitudes up to 200°, but east of 180° is not a longitude.
const LON_SPAN_UNITS: i64 = 1_152_000;
/// The largest first-mesh longitude code, see [`LON_SPAN_UNITS`].
const MAX_LON_CODE: u32 = 79;

/// The size of a grid square, from the 80 km first mesh down to the 250 m quarter mesh.
///
/// Sizes are nominal: a third mesh is 30″ × 45″, about 0.93 km × 1.13 km at 36°N.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MeshLevel {
    /// First mesh (第1次地域区画), 40′ × 1°, about 80 km; 4-digit codes.
    First,
    /// Second mesh (第2次地域区画), 5′ × 7′30″, about 10 km; 6-digit codes.
    Second,
    /// Third mesh or standard mesh (基準地域メッシュ), 30″ × 45″, about 1 km; 8-digit codes.
    Third,
    /// Half mesh (2分の1地域メッシュ), 15″ × 22.5″, about 500 m; 9-digit codes.
    Half,
    /// Quarter mesh (4分の1地域メッシュ), 7.5″ × 11.25″, about 250 m; 10-digit codes.
    Quarter,
}

impl MeshLevel {
    /// Every level, coarsest first.
    pub const ALL: [MeshLevel; 5] = [
        MeshLevel::First,
        MeshLevel::Second,
        MeshLevel::Third,
        MeshLevel::Half,
        MeshLevel::Quarter,
    ];

    /// The number of digits in a code of this level: 4, 6, 8, 9 or 10.
    #[must_use]
    pub const fn code_len(self) -> usize {
        match self {
            MeshLevel::First => 4,
            MeshLevel::Second => 6,
            MeshLevel::Third => 8,
            MeshLevel::Half => 9,
            MeshLevel::Quarter => 10,
        }
    }

    /// The nominal cell size in metres: 80000, 10000, 1000, 500 or 250.
    #[must_use]
    pub const fn resolution_m(self) -> u32 {
        match self {
            MeshLevel::First => 80_000,
            MeshLevel::Second => 10_000,
            MeshLevel::Third => 1_000,
            MeshLevel::Half => 500,
            MeshLevel::Quarter => 250,
        }
    }

    /// The level whose nominal cell size is `resolution_m` metres, if there is one.
    ///
    /// ```
    /// use care_atlas_core::MeshLevel;
    /// assert_eq!(MeshLevel::from_resolution_m(500), Some(MeshLevel::Half));
    /// assert_eq!(MeshLevel::from_resolution_m(100), None);
    /// ```
    #[must_use]
    pub const fn from_resolution_m(resolution_m: u32) -> Option<MeshLevel> {
        match resolution_m {
            80_000 => Some(MeshLevel::First),
            10_000 => Some(MeshLevel::Second),
            1_000 => Some(MeshLevel::Third),
            500 => Some(MeshLevel::Half),
            250 => Some(MeshLevel::Quarter),
            _ => None,
        }
    }

    /// The nominal cell size as a label: "80km", "10km", "1km", "500m" or "250m".
    #[must_use]
    pub const fn resolution_label(self) -> &'static str {
        match self {
            MeshLevel::First => "80km",
            MeshLevel::Second => "10km",
            MeshLevel::Third => "1km",
            MeshLevel::Half => "500m",
            MeshLevel::Quarter => "250m",
        }
    }

    /// The next coarser level, or `None` for the first mesh.
    #[must_use]
    pub const fn parent(self) -> Option<MeshLevel> {
        match self {
            MeshLevel::First => None,
            MeshLevel::Second => Some(MeshLevel::First),
            MeshLevel::Third => Some(MeshLevel::Second),
            MeshLevel::Half => Some(MeshLevel::Third),
            MeshLevel::Quarter => Some(MeshLevel::Half),
        }
    }

    /// The level of a code with `len` digits.
    const fn from_code_len(len: usize) -> Option<MeshLevel> {
        match len {
            4 => Some(MeshLevel::First),
            6 => Some(MeshLevel::Second),
            8 => Some(MeshLevel::Third),
            9 => Some(MeshLevel::Half),
            10 => Some(MeshLevel::Quarter),
            _ => None,
        }
    }

    /// Cell height in quarter arc-seconds.
    const fn height_units(self) -> u32 {
        match self {
            MeshLevel::First => 9_600,
            MeshLevel::Second => 1_200,
            MeshLevel::Third => 120,
            MeshLevel::Half => 60,
            MeshLevel::Quarter => 30,
        }
    }

    /// Cell width in quarter arc-seconds.
    const fn width_units(self) -> u32 {
        match self {
            MeshLevel::First => 14_400,
            MeshLevel::Second => 1_800,
            MeshLevel::Third => 180,
            MeshLevel::Half => 90,
            MeshLevel::Quarter => 45,
        }
    }
}

/// One grid square: its level and its south-west corner, in exact integer units.
///
/// Codes order as their digit strings: within a level by code number, and a cell just before the
/// cells inside it (`5339` < `533946` < `53394611` < `533947`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MeshCode {
    level: MeshLevel,
    /// Quarter arc-seconds north of the equator.
    south: u32,
    /// Quarter arc-seconds east of 100°E.
    west: u32,
    /// The code's place in the order of digit strings, made once: comparing codes by their
    /// digits was a fifth of a nationwide grid build (maps and sorts keyed by cell).
    order: u64,
}

/// Why a text is not a mesh code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeshCodeError {
    /// A character other than an ASCII digit.
    #[error("mesh code {0:?} has a character other than the digits 0-9")]
    NotDigits(String),
    /// A number of digits that is no level's.
    #[error(
        "mesh code {text:?} has {len} digits; a mesh code has 4 (80km), 6 (10km), 8 (1km), 9 (500m) or 10 (250m)"
    )]
    Length {
        /// The text as given.
        text: String,
        /// Its number of digits.
        len: usize,
    },
    /// A first-mesh longitude code of 80 or more, which would lie east of 180°.
    #[error("mesh code {0:?} lies east of 180°; first-mesh longitude codes (digits 3-4) are 00-79")]
    LongitudeCode(String),
    /// A second-mesh digit (the fifth or sixth) above 7.
    #[error("mesh code {0:?} has a second-mesh digit (digits 5-6) above 7; they are 0-7")]
    SecondMeshDigit(String),
    /// A half- or quarter-mesh digit (the ninth or tenth) outside 1–4.
    #[error("mesh code {0:?} has a half- or quarter-mesh digit (digits 9-10) outside 1-4")]
    QuadrantDigit(String),
}

impl MeshCode {
    /// The cell of `level` containing `position`, or `None` outside the area mesh codes cover
    /// (latitude 0° to 66°40′N, longitude 100°E to 180°).
    ///
    /// A position exactly on an edge belongs to the cell north or east of it.
    ///
    /// ```
    /// use care_atlas_core::{MeshCode, MeshLevel, Position};
    /// let hasuda = Position::new(35.996631, 139.676669).unwrap();
    /// let cell = MeshCode::of(hasuda, MeshLevel::Third).unwrap();
    /// assert_eq!(cell.to_string(), "53397594");
    /// // 36°N is the edge between first meshes 5339 and 5439, and belongs to the northern one.
    /// let on_edge = Position::new(36.0, 139.65).unwrap();
    /// assert_eq!(MeshCode::of(on_edge, MeshLevel::First).unwrap().to_string(), "5439");
    /// assert_eq!(MeshCode::of(Position::new(35.0, 99.9).unwrap(), MeshLevel::First), None);
    /// ```
    #[must_use]
    pub fn of(position: Position, level: MeshLevel) -> Option<MeshCode> {
        let lat = floor_units(position.lat())?;
        let lon = floor_units(position.lon())? - i64::from(LON_ORIGIN_UNITS);
        MeshCode::at_units(lat, lon, level)
    }

    /// Every cell of `level` containing a point of the box `south..=north`, `west..=east`
    /// (degrees), sorted; empty when the box is inverted, not a number, or outside the area mesh
    /// codes cover.
    ///
    /// Cells own their south and west edges as in [`MeshCode::of`], so a box whose north edge lies
    /// on a cell edge includes the cell north of it, and a box that is a single point gives the
    /// cell of that point. The result has one entry per cell: bound the box before asking for
    /// small cells (the study area, 0.3° × 0.4°, is about 19,000 quarter meshes).
    ///
    /// ```
    /// use care_atlas_core::{MeshCode, MeshLevel};
    /// // A 1 km × 0.5 km box across 36°N.
    /// let cells = MeshCode::covering(35.995, 139.655, 36.005, 139.66, MeshLevel::Third);
    /// let codes: Vec<String> = cells.iter().map(ToString::to_string).collect();
    /// assert_eq!(codes, ["53397592", "54390502"]);
    /// assert!(MeshCode::covering(36.1, 139.6, 36.0, 139.7, MeshLevel::Third).is_empty());
    /// ```
    #[must_use]
    pub fn covering(
        south: f64,
        west: f64,
        north: f64,
        east: f64,
        level: MeshLevel,
    ) -> Vec<MeshCode> {
        // Clamping first keeps huge values inside `floor_units`' domain without changing the
        // answer (the mesh area is far inside -1..=1000 degrees); NaN stays NaN and gives None.
        let units = |degrees: f64| floor_units(degrees.clamp(-1.0, 1_000.0));
        let (Some(south), Some(west), Some(north), Some(east)) =
            (units(south), units(west), units(north), units(east))
        else {
            return Vec::new();
        };
        let (south, north) = (south.max(0), north.min(LAT_SPAN_UNITS - 1));
        let west = (west - i64::from(LON_ORIGIN_UNITS)).max(0);
        let east = (east - i64::from(LON_ORIGIN_UNITS)).min(LON_SPAN_UNITS - 1);
        let (Some(south_west), Some(north_east)) =
            (MeshCode::at_units(south, west, level), MeshCode::at_units(north, east, level))
        else {
            return Vec::new();
        };
        let (height, width) = (level.height_units() as usize, level.width_units() as usize);
        let mut cells = Vec::new();
        for south in (south_west.south..=north_east.south).step_by(height) {
            for west in (south_west.west..=north_east.west).step_by(width) {
                cells.push(MeshCode::new(level, south, west));
            }
        }
        cells.sort_unstable();
        cells
    }

    /// The cell's level.
    #[must_use]
    pub const fn level(self) -> MeshLevel {
        self.level
    }

    /// The cell's row and column on the lattice of its level (counted from the equator and from
    /// 100°E): neighbouring cells differ by one, so a cell's neighbours within a distance are a
    /// pattern of row and column offsets.
    ///
    /// ```
    /// use care_atlas_core::MeshCode;
    /// let cell: MeshCode = "533975943".parse().unwrap();
    /// let east: MeshCode = "533975944".parse().unwrap();
    /// let (row, column) = cell.lattice();
    /// assert_eq!(east.lattice(), (row, column + 1));
    /// ```
    #[must_use]
    pub const fn lattice(self) -> (u32, u32) {
        (self.south / self.level.height_units(), self.west / self.level.width_units())
    }

    /// The south-west corner, the cell's origin and the only corner that belongs to it.
    ///
    /// Each coordinate is the `f64` nearest the exact corner. Most corners (36°N + 1/120°, say)
    /// are not `f64` values, and the nearest may lie just outside the cell; find the cell again
    /// from [`MeshCode::center`], not from a corner.
    #[must_use]
    pub fn south_west(self) -> Position {
        corner(2 * self.south, 2 * self.west)
    }

    /// The north-east corner (the `f64` nearest to it), which belongs to the cell diagonally
    /// north-east.
    #[must_use]
    pub fn north_east(self) -> Position {
        corner(
            2 * (self.south + self.level.height_units()),
            2 * (self.west + self.level.width_units()),
        )
    }

    /// The centre of the cell (the `f64` nearest to it), always inside the cell.
    #[must_use]
    pub fn center(self) -> Position {
        corner(2 * self.south + self.level.height_units(), 2 * self.west + self.level.width_units())
    }

    /// The cell as a polygon (x = longitude, y = latitude) with the corners of
    /// [`MeshCode::south_west`] and [`MeshCode::north_east`]: a closed counter-clockwise ring
    /// from the south-west corner, as RFC 7946 (GeoJSON) asks of exterior rings.
    #[must_use]
    pub fn polygon(self) -> geo::Polygon<f64> {
        let (south_west, north_east) = (self.south_west(), self.north_east());
        let (south, west, north, east) =
            (south_west.lat(), south_west.lon(), north_east.lat(), north_east.lon());
        let ring = vec![(west, south), (east, south), (east, north), (west, north), (west, south)];
        geo::Polygon::new(geo::LineString::from(ring), Vec::new())
    }

    /// The cell of the next coarser level containing this one, or `None` for a first mesh.
    #[must_use]
    pub fn parent(self) -> Option<MeshCode> {
        let level = self.level.parent()?;
        Some(MeshCode::new(
            level,
            self.south - self.south % level.height_units(),
            self.west - self.west % level.width_units(),
        ))
    }

    /// The cell of `level` containing the point `lat` units north of the equator and `lon` units
    /// east of 100°E, if that point is in the mesh area.
    fn at_units(lat: i64, lon: i64, level: MeshLevel) -> Option<MeshCode> {
        if !(0..LAT_SPAN_UNITS).contains(&lat) || !(0..LON_SPAN_UNITS).contains(&lon) {
            return None;
        }
        let (lat, lon) = (u32::try_from(lat).ok()?, u32::try_from(lon).ok()?);
        Some(MeshCode::new(
            level,
            lat - lat % level.height_units(),
            lon - lon % level.width_units(),
        ))
    }

    /// The code of `level` whose south-west corner is `south` and `west` units from the mesh
    /// origin (both multiples of the level's cell size).
    fn new(level: MeshLevel, south: u32, west: u32) -> MeshCode {
        let mut code = MeshCode { level, south, west, order: 0 };
        // Digit strings order as the numbers their digits make when padded with zeros to ten
        // digits, a shorter code (the cell containing the longer) first where those are equal.
        let order = code.digit_values()[..level.code_len()]
            .iter()
            .chain(std::iter::repeat(&0))
            .take(10)
            .fold(0_u64, |number, &digit| number * 10 + u64::from(digit));
        code.order = order * 16 + level.code_len() as u64;
        code
    }

    /// The code's digits as numbers 0-9 (the first `level.code_len()` count).
    fn digit_values(self) -> [u32; 10] {
        // Each level's cell size divides the coarser one's, so the code is a mixed-radix number.
        let split = |value: u32, sizes: [u32; 5]| {
            let mut parts = [0; 5];
            let mut rest = value;
            for (part, size) in parts.iter_mut().zip(sizes) {
                *part = rest / size;
                rest %= size;
            }
            parts
        };
        let lat = split(self.south, [9_600, 1_200, 120, 60, 30]);
        let lon = split(self.west, [14_400, 1_800, 180, 90, 45]);
        [
            lat[0] / 10,
            lat[0] % 10,
            lon[0] / 10,
            lon[0] % 10,
            lat[1],
            lon[1],
            lat[2],
            lon[2],
            1 + 2 * lat[3] + lon[3],
            1 + 2 * lat[4] + lon[4],
        ]
    }

    /// The code's digits (ASCII); the first `level.code_len()` count.
    fn digits(self) -> [u8; 10] {
        // Every value is a single decimal digit by construction.
        #[allow(clippy::cast_possible_truncation)]
        self.digit_values().map(|value| b'0' + value as u8)
    }
}

/// The position `lat_halves` and `lon_halves` eighth arc-seconds from (0°, 100°E): one correctly
/// rounded division each, so the nearest `f64` to the exact value.
fn corner(lat_halves: u32, lon_halves: u32) -> Position {
    let per_degree = f64::from(2 * UNITS_PER_DEGREE);
    let lat = f64::from(lat_halves) / per_degree;
    let lon = f64::from(2 * LON_ORIGIN_UNITS + lon_halves) / per_degree;
    Position::new(lat, lon).expect("mesh cells lie within 0..=66.7°N and 100..=180°E")
}

/// `floor(degrees × UNITS_PER_DEGREE)`, exactly, or `None` when `degrees` is not a number or
/// further than 1000° from zero (far outside any mesh).
///
/// A finite `f64` is `mantissa × 2^exponent` with an integer mantissa below 2^53, so the product
/// with 14400 is an integer below 2^67 shifted by the exponent: floor it with an arithmetic shift
/// of an `i128`. No rounding happens anywhere.
fn floor_units(degrees: f64) -> Option<i64> {
    if !degrees.is_finite() || degrees.abs() > 1_000.0 {
        return None;
    }
    let bits = degrees.to_bits();
    let biased_exponent = (bits >> 52) & 0x7ff;
    let fraction = bits & ((1 << 52) - 1);
    // Value = mantissa × 2^-shift. |degrees| < 2^10 keeps the biased exponent at most 1032, so the
    // shift is at least 43 (a right shift); subnormals have exponent -1074.
    let (mantissa, shift) = if biased_exponent == 0 {
        (fraction, 1074)
    } else {
        (fraction | (1 << 52), 1075 - biased_exponent)
    };
    let mut scaled = i128::from(mantissa) * i128::from(UNITS_PER_DEGREE);
    if bits >> 63 == 1 {
        scaled = -scaled;
    }
    // `>>` on a signed integer rounds towards negative infinity: a floor. |scaled| < 2^67, so
    // shifting by 127 already gives 0 or -1, the floor of anything that small.
    i64::try_from(scaled >> shift.min(127)).ok()
}

impl Ord for MeshCode {
    fn cmp(&self, other: &Self) -> Ordering {
        self.order.cmp(&other.order)
    }
}

impl PartialOrd for MeshCode {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for MeshCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &digit in &self.digits()[..self.level.code_len()] {
            f.write_char(char::from(digit))?;
        }
        Ok(())
    }
}

impl FromStr for MeshCode {
    type Err = MeshCodeError;

    /// Reads a 4-, 6-, 8-, 9- or 10-digit code.
    ///
    /// ```
    /// use care_atlas_core::{MeshCode, MeshLevel};
    /// let cell: MeshCode = "5339461134".parse().unwrap();
    /// assert_eq!(cell.level(), MeshLevel::Quarter);
    /// assert_eq!((cell.south_west().lat(), cell.south_west().lon()), (35.68125, 139.765625));
    /// assert_eq!(cell.parent().unwrap().to_string(), "533946113");
    /// assert!("53394".parse::<MeshCode>().is_err());
    /// assert!("533986".parse::<MeshCode>().is_err()); // second-mesh digits are 0-7
    /// ```
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MeshCodeError::NotDigits(text.to_owned()));
        }
        let level = MeshLevel::from_code_len(text.len())
            .ok_or_else(|| MeshCodeError::Length { text: text.to_owned(), len: text.len() })?;
        let mut digits = [0_u32; 10];
        for (digit, byte) in digits.iter_mut().zip(text.bytes()) {
            *digit = u32::from(byte - b'0');
        }
        let [lat_tens, lat_ones, lon_tens, lon_ones, lat2, lon2, lat3, lon3, half, quarter] =
            digits;
        let (lat1, lon1) = (10 * lat_tens + lat_ones, 10 * lon_tens + lon_ones);
        if lon1 > MAX_LON_CODE {
            return Err(MeshCodeError::LongitudeCode(text.to_owned()));
        }
        if lat2 > 7 || lon2 > 7 {
            return Err(MeshCodeError::SecondMeshDigit(text.to_owned()));
        }
        // Missing digits are zero in `digits`; a quadrant digit present must be 1-4 (SW, SE, NW, NE).
        let quadrant = |present: bool, digit: u32| match (present, digit) {
            (false, _) => Some((0, 0)),
            (true, 1..=4) => Some(((digit - 1) / 2, (digit - 1) % 2)),
            (true, _) => None,
        };
        let (Some((half_lat, half_lon)), Some((quarter_lat, quarter_lon))) = (
            quadrant(level >= MeshLevel::Half, half),
            quadrant(level >= MeshLevel::Quarter, quarter),
        ) else {
            return Err(MeshCodeError::QuadrantDigit(text.to_owned()));
        };
        Ok(MeshCode::new(
            level,
            lat1 * 9_600 + lat2 * 1_200 + lat3 * 120 + half_lat * 60 + quarter_lat * 30,
            lon1 * 14_400 + lon2 * 1_800 + lon3 * 180 + half_lon * 90 + quarter_lon * 45,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, Winding};

    /// The code of `(lat, lon)` at `level`, or `None`.
    fn code(lat: f64, lon: f64, level: MeshLevel) -> Option<String> {
        MeshCode::of(Position::new(lat, lon).unwrap(), level).map(|c| c.to_string())
    }

    /// Checks the codes of `(lat, lon)` at every level, coarsest first.
    fn check(lat: f64, lon: f64, expected: [&str; 5]) {
        let actual = MeshLevel::ALL.map(|level| code(lat, lon, level).unwrap_or_default());
        assert_eq!(actual, expected, "{lat}, {lon}");
    }

    /// Checks the parse of `text`: the code read back, or the error message.
    fn check_parse(text: &str, expected: Result<&str, &str>) {
        let actual = text.parse::<MeshCode>().map(|c| c.to_string()).map_err(|e| e.to_string());
        assert_eq!(
            actual.as_ref().map(String::as_str).map_err(String::as_str),
            expected,
            "{text:?}"
        );
    }

    /// Checks the south-west and north-east corners of `text`.
    fn check_corners(text: &str, south_west: (f64, f64), north_east: (f64, f64)) {
        let cell: MeshCode = text.parse().unwrap();
        let (sw, ne) = (cell.south_west(), cell.north_east());
        assert_eq!(
            ((sw.lat(), sw.lon()), (ne.lat(), ne.lon())),
            (south_west, north_east),
            "{text}"
        );
    }

    #[test]
    fn codes_across_36_degrees_north() {
        check(35.99999, 139.65, ["5339", "533975", "53397592", "533975923", "5339759233"]);
        check(36.0, 139.65, ["5439", "543905", "54390502", "543905021", "5439050211"]);
        check(36.00001, 139.65, ["5439", "543905", "54390502", "543905021", "5439050211"]);
        // The f64 neighbours of 36°N itself.
        check(
            36.0_f64.next_down(),
            139.65,
            ["5339", "533975", "53397592", "533975923", "5339759233"],
        );
        check(
            36.0_f64.next_up(),
            139.65,
            ["5439", "543905", "54390502", "543905021", "5439050211"],
        );
    }

    #[test]
    fn codes_of_places_in_and_near_the_study_area() {
        check(35.996631, 139.676669, ["5339", "533975", "53397594", "533975943", "5339759431"]);
        // Tokyo Tower, far from any edge: the textbook example code.
        check(35.658581, 139.745433, ["5339", "533935", "53393599", "533935992", "5339359921"]);
    }

    #[test]
    fn points_on_edges_belong_to_the_cell_north_and_east() {
        // 139.625 = 139° + 5/8°: a second-mesh edge; 35.875 = 35°20′ + 6/12° + 5/120°: a
        // third-mesh edge. Both are f64 values, so these points are exactly on the edges.
        check(35.875, 139.625, ["5339", "533965", "53396550", "533965501", "5339655011"]);
        check(
            35.875_f64.next_down(),
            139.625_f64.next_down(),
            ["5339", "533964", "53396449", "533964494", "5339644944"],
        );
        // 139.46875 = 139° + 150/320°: the edge between half meshes inside third mesh 7; jismesh
        // puts it in the western half (see tests/mesh_jismesh.rs).
        check(35.96, 139.46875, ["5339", "533973", "53397357", "533973572", "5339735721"]);
        // The south-west corner of the whole mesh area, and the first f64 outside it.
        check(0.0, 100.0, ["0000", "000000", "00000000", "000000001", "0000000011"]);
        assert_eq!(code(0.0, 100.0_f64.next_down(), MeshLevel::First), None);
        assert_eq!(code(-0.0, 100.0, MeshLevel::First).as_deref(), Some("0000"));
        assert_eq!(code(-1e-300, 120.0, MeshLevel::First), None);
    }

    #[test]
    fn the_mesh_area_ends_at_66_degrees_40_minutes_and_180_degrees() {
        check(66.666, 179.999, ["9979", "997977", "99797799", "997977994", "9979779944"]);
        assert_eq!(code(200.0 / 3.0, 140.0, MeshLevel::First), None);
        assert_eq!(code(35.0, 180.0, MeshLevel::First), None);
        assert_eq!(code(35.0, 99.999, MeshLevel::Quarter), None);
        assert_eq!(code(-35.0, 140.0, MeshLevel::Quarter), None);
    }

    #[test]
    fn floors_exactly() {
        assert_eq!(floor_units(36.0), Some(36 * 14_400));
        // 36.025 = 36° + 3/120° is not an f64; the nearest one lies just below the edge.
        assert_eq!(floor_units(36.025), Some(36 * 14_400 + 359));
        assert_eq!(floor_units(36.0_f64.next_down()), Some(36 * 14_400 - 1));
        assert_eq!(floor_units(f64::from_bits(1)), Some(0));
        assert_eq!(floor_units(-f64::from_bits(1)), Some(-1));
        assert_eq!(floor_units(-0.0), Some(0));
        assert_eq!(floor_units(-1.0 / 14_400.0), Some(-1));
        // The f64 999.9 is just below 999.9, as 36.025 is below 36.025.
        assert_eq!(floor_units(999.9), Some(14_398_559));
        assert_eq!(floor_units(f64::NAN), None);
        assert_eq!(floor_units(1e6), None);
    }

    #[test]
    fn levels() {
        for level in MeshLevel::ALL {
            assert_eq!(MeshLevel::from_resolution_m(level.resolution_m()), Some(level));
            assert_eq!(MeshLevel::from_code_len(level.code_len()), Some(level));
        }
        let labels = MeshLevel::ALL.map(MeshLevel::resolution_label);
        assert_eq!(labels, ["80km", "10km", "1km", "500m", "250m"]);
        assert_eq!(MeshLevel::ALL.map(MeshLevel::code_len), [4, 6, 8, 9, 10]);
        assert_eq!(MeshLevel::from_resolution_m(0), None);
    }

    #[test]
    fn parses_codes_of_every_level() {
        for text in ["5339", "533946", "53394611", "533946113", "5339461134", "0000", "9979779944"]
        {
            check_parse(text, Ok(text));
        }
    }

    #[test]
    fn rejects_bad_codes_naming_them() {
        check_parse(
            "",
            Err(
                r#"mesh code "" has 0 digits; a mesh code has 4 (80km), 6 (10km), 8 (1km), 9 (500m) or 10 (250m)"#,
            ),
        );
        check_parse(
            "53394",
            Err(
                r#"mesh code "53394" has 5 digits; a mesh code has 4 (80km), 6 (10km), 8 (1km), 9 (500m) or 10 (250m)"#,
            ),
        );
        check_parse(
            "53394611341",
            Err(
                r#"mesh code "53394611341" has 11 digits; a mesh code has 4 (80km), 6 (10km), 8 (1km), 9 (500m) or 10 (250m)"#,
            ),
        );
        check_parse(
            "5339-46",
            Err(r#"mesh code "5339-46" has a character other than the digits 0-9"#),
        );
        check_parse(" 5339", Err(r#"mesh code " 5339" has a character other than the digits 0-9"#));
        check_parse(
            "５３３９",
            Err(r#"mesh code "５３３９" has a character other than the digits 0-9"#),
        );
        check_parse(
            "533986",
            Err(r#"mesh code "533986" has a second-mesh digit (digits 5-6) above 7; they are 0-7"#),
        );
        check_parse(
            "533948",
            Err(r#"mesh code "533948" has a second-mesh digit (digits 5-6) above 7; they are 0-7"#),
        );
        check_parse(
            "533946110",
            Err(
                r#"mesh code "533946110" has a half- or quarter-mesh digit (digits 9-10) outside 1-4"#,
            ),
        );
        check_parse(
            "533946115",
            Err(
                r#"mesh code "533946115" has a half- or quarter-mesh digit (digits 9-10) outside 1-4"#,
            ),
        );
        check_parse(
            "5339461145",
            Err(
                r#"mesh code "5339461145" has a half- or quarter-mesh digit (digits 9-10) outside 1-4"#,
            ),
        );
        check_parse(
            "5380",
            Err(
                r#"mesh code "5380" lies east of 180°; first-mesh longitude codes (digits 3-4) are 00-79"#,
            ),
        );
    }

    #[test]
    fn corners_are_the_nearest_f64() {
        check_corners("5339", (35.0 + 1.0 / 3.0, 139.0), (36.0, 140.0));
        check_corners("533946", (35.0 + 2.0 / 3.0, 139.75), (35.75, 139.875));
        check_corners("53394611", (35.675, 139.7625), (35.68333333333333, 139.775));
        check_corners("5339461134", (35.68125, 139.765625), (35.68333333333333, 139.76875));
        let center = "5339".parse::<MeshCode>().unwrap().center();
        assert_eq!((center.lat(), center.lon()), (35.666666666666664, 139.5));
    }

    #[test]
    fn polygon_is_a_closed_counter_clockwise_ring_from_the_south_west() {
        let cell: MeshCode = "533975943".parse().unwrap();
        let polygon = cell.polygon();
        let ring = polygon.exterior();
        assert!(ring.is_closed() && ring.is_ccw() && polygon.interiors().is_empty());
        let (sw, ne) = (cell.south_west(), cell.north_east());
        let expected = [
            (sw.lon(), sw.lat()),
            (ne.lon(), sw.lat()),
            (ne.lon(), ne.lat()),
            (sw.lon(), ne.lat()),
        ];
        let corners: Vec<(f64, f64)> = ring.coords().map(|c| (c.x, c.y)).collect();
        assert_eq!(corners, [&expected[..], &expected[..1]].concat());
        assert!(polygon.contains(&cell.center().to_point()));
    }

    #[test]
    fn parents() {
        let mut cell: MeshCode = "5339461134".parse().unwrap();
        let mut chain = vec![cell.to_string()];
        while let Some(parent) = cell.parent() {
            chain.push(parent.to_string());
            cell = parent;
        }
        assert_eq!(chain, ["5339461134", "533946113", "53394611", "533946", "5339"]);
    }

    #[test]
    fn orders_as_digit_strings() {
        let mut cells: Vec<MeshCode> =
            ["533947", "53394611", "5339", "533946", "5439", "53394699", "533946114"]
                .map(|t| t.parse().unwrap())
                .to_vec();
        cells.sort();
        let texts: Vec<String> = cells.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            ["5339", "533946", "53394611", "533946114", "53394699", "533947", "5439"]
        );
    }

    #[test]
    fn every_level_orders_as_its_digit_strings_across_levels() {
        // Every cell of every level over a box spanning first-mesh, second-mesh and quadrant
        // boundaries: the order of codes is the order of their texts.
        let mut cells: Vec<MeshCode> = [
            MeshLevel::First,
            MeshLevel::Second,
            MeshLevel::Third,
            MeshLevel::Half,
            MeshLevel::Quarter,
        ]
        .into_iter()
        .flat_map(|level| MeshCode::covering(35.95, 139.9, 36.05, 140.1, level))
        .collect();
        cells.sort();
        let texts: Vec<String> = cells.iter().map(ToString::to_string).collect();
        let mut sorted = texts.clone();
        sorted.sort();
        assert!(texts.len() > 1_000);
        assert_eq!(texts, sorted);
    }

    #[test]
    fn covering_boxes() {
        let texts =
            |cells: Vec<MeshCode>| cells.iter().map(ToString::to_string).collect::<Vec<_>>();
        // A point box is the point's cell; a box ending on an edge takes in the cell beyond it.
        assert_eq!(
            texts(MeshCode::covering(36.0, 139.65, 36.0, 139.65, MeshLevel::Half)),
            ["543905021"]
        );
        assert_eq!(
            texts(MeshCode::covering(35.9, 139.5, 36.0, 139.625, MeshLevel::Second)),
            ["533964", "533965", "533974", "533975", "543904", "543905"]
        );
        // The study area box at 1 km: 36 rows × 33 columns of third meshes. 36.15 = 36° + 18/120°
        // is an edge, but the f64 36.15 lies just south of it, so row 18 is not included.
        let study_area = MeshCode::covering(35.85, 139.47, 36.15, 139.87, MeshLevel::Third);
        assert_eq!(study_area.len(), 36 * 33);
        assert_eq!(
            MeshCode::covering(35.85, 139.47, 36.15, 139.87, MeshLevel::Quarter).len(),
            18_576
        );
        assert!(study_area.is_sorted());
        assert_eq!(
            texts(MeshCode::covering(35.85, 139.47, 36.15, 139.87, MeshLevel::First)),
            ["5339", "5439"]
        );
        // Clipped to the mesh area; nothing for inverted, NaN or outside boxes.
        assert_eq!(texts(MeshCode::covering(-10.0, 90.0, 0.1, 100.5, MeshLevel::First)), ["0000"]);
        assert_eq!(MeshCode::covering(70.0, 140.0, 80.0, 150.0, MeshLevel::First), []);
        assert_eq!(MeshCode::covering(36.0, 140.0, 35.0, 141.0, MeshLevel::First), []);
        assert_eq!(MeshCode::covering(f64::NAN, 140.0, 35.0, 141.0, MeshLevel::First), []);
        assert_eq!(
            MeshCode::covering(f64::NEG_INFINITY, 140.0, f64::INFINITY, 140.5, MeshLevel::First)
                .len(),
            100
        );
    }

    #[test]
    fn cells_contain_their_points_and_round_trip() {
        let mut random = crate::testing::SplitMix(0x6d65_7368);
        for i in 0..20_000 {
            // Half the points over the whole mesh area, half in the study area; every tenth one
            // snapped to a quarter-mesh corner to exercise the edges.
            let (mut lat, mut lon) = if i % 2 == 0 {
                (random.uniform(0.0, 66.6), random.uniform(100.0, 180.0))
            } else {
                (random.uniform(35.85, 36.15), random.uniform(139.47, 139.87))
            };
            if i % 10 == 1 {
                (lat, lon) = ((lat * 480.0).floor() / 480.0, (lon * 320.0).floor() / 320.0);
            }
            let position = Position::new(lat, lon).unwrap();
            for level in MeshLevel::ALL {
                let cell = MeshCode::of(position, level).unwrap();
                assert_eq!(cell.level(), level);
                let text = cell.to_string();
                assert_eq!(text.len(), level.code_len());
                assert_eq!(text.parse::<MeshCode>(), Ok(cell));
                // The corners are rounded, so the north-east one may equal the point.
                let (sw, ne) = (cell.south_west(), cell.north_east());
                assert!(
                    sw.lat() <= lat && lat <= ne.lat() && sw.lon() <= lon && lon <= ne.lon(),
                    "{lat}, {lon} {text}"
                );
                assert_eq!(MeshCode::of(cell.center(), level), Some(cell));
                let ring: Vec<(f64, f64)> =
                    cell.polygon().exterior().coords().map(|c| (c.x, c.y)).collect();
                assert_eq!(
                    (ring[0], ring[2], ring.len()),
                    ((sw.lon(), sw.lat()), (ne.lon(), ne.lat()), 5)
                );
                if let Some(parent) = cell.parent() {
                    assert!(text.starts_with(&parent.to_string()));
                    assert_eq!(MeshCode::of(position, parent.level()), Some(parent));
                    let (psw, pne) = (parent.south_west(), parent.north_east());
                    assert!(
                        psw.lat() <= sw.lat()
                            && psw.lon() <= sw.lon()
                            && ne.lat() <= pne.lat()
                            && ne.lon() <= pne.lon()
                    );
                    assert!(parent < cell);
                }
            }
        }
    }
}
