//! Municipalities, small areas (町丁・字) and their population.

use std::fmt;
use std::str::FromStr;

use geo::{Closest, Contains, Distance, Geodesic, HaversineClosestPoint, MultiPolygon};

use crate::Position;

/// A five-digit 全国地方公共団体コード without its check digit (`11238` for 蓮田市).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MunicipalityCode(u32);

/// Why a text is not a municipality code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a municipality code (five digits: the prefecture, 01 to 47, then the municipality, without the check digit)"
)]
pub struct MunicipalityCodeError(pub String);

impl MunicipalityCode {
    /// The code as a number (`11238`).
    #[must_use]
    pub const fn value(self) -> u32 {
        self.0
    }

    /// The prefecture part (`11` for 埼玉県).
    #[must_use]
    pub const fn prefecture(self) -> u32 {
        self.0 / 1000
    }

    /// Parses a six-digit code with its check digit (`112381`), as 介護サービス情報公表 data
    /// writes it, verifying the check digit.
    ///
    /// ```
    /// use care_atlas_core::MunicipalityCode;
    /// assert_eq!(MunicipalityCode::from_six_digits("112381").unwrap().to_string(), "11238");
    /// assert!(MunicipalityCode::from_six_digits("112382").is_err());
    /// ```
    pub fn from_six_digits(text: &str) -> Result<Self, MunicipalityCodeError> {
        let bad = || MunicipalityCodeError(text.to_owned());
        if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let digits: Vec<u32> = text.bytes().map(|b| u32::from(b - b'0')).collect();
        // JIS X 0401/0402 check digit: weights 6,5,4,3,2 and modulus 11.
        let sum: u32 = digits[..5].iter().zip([6, 5, 4, 3, 2]).map(|(d, w)| d * w).sum();
        let check = match 11 - sum % 11 {
            11 => 1,
            10 => 0,
            c => c,
        };
        if digits[5] != check {
            return Err(bad());
        }
        text[..5].parse()
    }
}

impl FromStr for MunicipalityCode {
    type Err = MunicipalityCodeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || MunicipalityCodeError(text.to_owned());
        if text.len() != 5 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let value: u32 = text.parse().map_err(|_| bad())?;
        if !(1..=47).contains(&(value / 1000)) {
            return Err(bad());
        }
        Ok(MunicipalityCode(value))
    }
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:05}", self.0)
    }
}

/// Whether a municipality is one of the study-area towns, whose data is complete, or a neighbour,
/// for which only the facilities within 10 km of the study area are known. The imported data says
/// which: a canonical municipalities file states each role, a boundary file that states none takes
/// them from its import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AreaRole {
    /// A study-area town (蓮田市, 白岡市 or 宮代町 in the shipped data): every statistic is complete
    /// here.
    StudyArea,
    /// Within 10 km of the study area: holds only the facilities within 10 km; never report its
    /// statistics as complete.
    Neighbour,
}

impl AreaRole {
    /// Stable id.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            AreaRole::StudyArea => "study_area",
            AreaRole::Neighbour => "neighbour",
        }
    }

    /// Parses a stable id.
    #[must_use]
    pub fn from_id(id: &str) -> Option<Self> {
        [AreaRole::StudyArea, AreaRole::Neighbour].into_iter().find(|r| r.id() == id)
    }
}

/// Where a position lies relative to a municipality's boundary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placement {
    /// Inside the boundary.
    Inside,
    /// Outside, this many metres from the nearest point of the boundary (geodesic).
    Outside {
        /// Geodesic distance to the boundary in metres.
        distance_m: f64,
    },
}

/// A municipality (市区町村, or a ward of さいたま市) with its boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct Municipality {
    /// 全国地方公共団体コード.
    pub code: MunicipalityCode,
    /// Name as addresses write it after the prefecture and 郡 (`蓮田市`, `宮代町`, `さいたま市岩槻区`).
    pub name: String,
    /// Prefecture name (`埼玉県`).
    pub prefecture: String,
    /// 郡 for towns and villages (`南埼玉郡`), as addresses may include it.
    pub county: Option<String>,
    /// Study area or neighbour.
    pub role: AreaRole,
    /// Boundary, WGS84 lon/lat.
    pub boundary: MultiPolygon<f64>,
}

impl Municipality {
    /// Where `position` lies relative to the boundary.
    ///
    /// The distance to the boundary of a point outside is the geodesic distance to the closest
    /// boundary point found on the sphere, which is within a few metres of the ellipsoidal answer
    /// at the kilometre scales this is used for.
    #[must_use]
    pub fn placement(&self, position: Position) -> Placement {
        let point = position.to_point();
        if self.boundary.contains(&point) {
            return Placement::Inside;
        }
        let closest = match self.boundary.haversine_closest_point(&point) {
            Closest::Intersection(p) | Closest::SinglePoint(p) => p,
            // Only an empty boundary has no closest point; nothing is near it.
            Closest::Indeterminate => return Placement::Outside { distance_m: f64::INFINITY },
        };
        Placement::Outside { distance_m: Geodesic.distance(point, closest) }
    }

    /// Where a map prints the municipality's name: a point inside the largest polygon of its
    /// boundary (see [`crate::label_point`]); `None` only for an empty boundary.
    #[must_use]
    pub fn label_point(&self) -> Option<Position> {
        crate::label_point(&self.boundary)
    }
}

/// Census population of a municipality, with the ages where known.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalPopulation {
    /// The municipality (may be a city with wards, like さいたま市 11100, that has no boundary of
    /// its own here).
    pub code: MunicipalityCode,
    /// Name.
    pub name: String,
    /// Census year.
    pub census_year: u16,
    /// Total population.
    pub total: u32,
    /// Aged 65 and over.
    pub aged_65_plus: Option<u32>,
    /// Aged 75 and over.
    pub aged_75_plus: Option<u32>,
    /// Households.
    pub households: Option<u32>,
    /// Total area (総面積) in km² as the source states it, used for the population density of
    /// municipalities known only as a whole.
    pub area_km2: Option<f64>,
}

/// A census small area (町丁・字), or one piece of one where the area is split into several
/// (飛び地); the census counts its population on the first piece only.
#[derive(Debug, Clone, PartialEq)]
pub struct SmallArea {
    /// e-Stat KEY_CODE (`11238002001`).
    pub key_code: String,
    /// Piece marker (`E1`, `E2`, ...) for split areas.
    pub piece: Option<String>,
    /// The municipality.
    pub municipality_code: MunicipalityCode,
    /// Name (`末広一丁目`).
    pub name: String,
    /// 2020 census population (0 on secondary pieces).
    pub population: u32,
    /// 2020 census households.
    pub households: u32,
    /// Area in m² as e-Stat computed it.
    pub area_m2: f64,
    /// e-Stat's representative point of the area.
    pub representative_point: Position,
}

impl SmallArea {
    /// Stable id, unique also for the pieces of a split area (`112380120-E2`).
    #[must_use]
    pub fn id(&self) -> String {
        match &self.piece {
            Some(piece) => format!("{}-{piece}", self.key_code),
            None => self.key_code.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use geo::polygon;

    use super::*;

    fn check_code(text: &str, expected: Option<&str>) {
        assert_eq!(
            text.parse::<MunicipalityCode>().ok().map(|c| c.to_string()).as_deref(),
            expected
        );
    }

    #[test]
    fn municipality_codes_are_five_digits_with_a_real_prefecture() {
        check_code("11238", Some("11238"));
        check_code("08542", Some("08542"));
        check_code("1123", None);
        check_code("112381", None);
        check_code("48001", None);
        check_code("00001", None);
        check_code("１１２３８", None);
        check_code("11a38", None);
    }

    #[test]
    fn six_digit_codes_are_checked_against_their_check_digit() {
        for (six, five) in [
            ("112381", "11238"),
            ("112461", "11246"),
            ("114421", "11442"),
            ("111104", "11110"),
            ("111040", "11104"),
            ("111091", "11109"),
            ("085421", "08542"),
        ] {
            assert_eq!(
                MunicipalityCode::from_six_digits(six).map(|c| c.to_string()).as_deref(),
                Ok(five),
                "{six}"
            );
        }
        assert!(MunicipalityCode::from_six_digits("112380").is_err());
        assert!(MunicipalityCode::from_six_digits("11238").is_err());
    }

    fn square_town() -> Municipality {
        crate::testing::rectangular_town(139.60, 35.96, 139.70, 36.04)
    }

    #[test]
    fn placement_inside_and_distance_outside() {
        let town = square_town();
        assert_eq!(town.placement(Position::new(36.0, 139.65).unwrap()), Placement::Inside);
        // 0.01 degrees of latitude north of the edge is about 1,109 m.
        let Placement::Outside { distance_m } =
            town.placement(Position::new(36.05, 139.65).unwrap())
        else {
            panic!("expected outside");
        };
        assert!((distance_m - 1109.4).abs() < 5.0, "{distance_m}");
    }

    #[test]
    fn the_label_point_lies_inside_the_largest_part_not_a_long_thin_enclave() {
        let main = square_town().boundary.0[0].clone();
        // Wider than the main part, so the longest bisecting line of all parts crosses it.
        let enclave = polygon![
            (x: 139.50, y: 36.100), (x: 139.80, y: 36.100),
            (x: 139.80, y: 36.102), (x: 139.50, y: 36.102),
        ];
        let town = crate::testing::town_with_boundary(MultiPolygon::new(vec![enclave, main]));
        let label = town.label_point().unwrap();
        assert!(square_town().boundary.contains(&label.to_point()), "{label}");
        assert_eq!(
            crate::testing::town_with_boundary(MultiPolygon::new(vec![])).label_point(),
            None
        );
    }
}
