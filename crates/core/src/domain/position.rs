//! A validated WGS84 position.

use std::fmt;
use std::ops::RangeInclusive;

/// A WGS84 latitude/longitude in degrees, both finite and in range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    lat: f64,
    lon: f64,
}

/// Why a pair of numbers is not a position.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum PositionError {
    /// Latitude outside -90..=90 or not a number.
    #[error("latitude {0} is outside -90..=90")]
    Latitude(f64),
    /// Longitude outside -180..=180 or not a number.
    #[error("longitude {0} is outside -180..=180")]
    Longitude(f64),
}

impl Position {
    /// The latitudes accepted, in degrees.
    pub const LAT_RANGE: RangeInclusive<f64> = -90.0..=90.0;
    /// The longitudes accepted, in degrees.
    pub const LON_RANGE: RangeInclusive<f64> = -180.0..=180.0;

    /// Checks and builds a position.
    ///
    /// ```
    /// use care_atlas_core::Position;
    /// let p = Position::new(35.996631, 139.676669).unwrap();
    /// assert_eq!((p.lat(), p.lon()), (35.996631, 139.676669));
    /// assert!(Position::new(91.0, 0.0).is_err());
    /// ```
    pub fn new(lat: f64, lon: f64) -> Result<Self, PositionError> {
        if !Self::LAT_RANGE.contains(&lat) {
            return Err(PositionError::Latitude(lat));
        }
        if !Self::LON_RANGE.contains(&lon) {
            return Err(PositionError::Longitude(lon));
        }
        Ok(Position { lat, lon })
    }

    /// Latitude in degrees.
    #[must_use]
    pub const fn lat(self) -> f64 {
        self.lat
    }

    /// Longitude in degrees.
    #[must_use]
    pub const fn lon(self) -> f64 {
        self.lon
    }

    /// The position as a geo point (x = longitude, y = latitude).
    #[must_use]
    pub fn to_point(self) -> geo::Point<f64> {
        geo::Point::new(self.lon, self.lat)
    }

    /// Whether the position is null island (0, 0), which government data uses for "unknown".
    #[must_use]
    pub fn is_null_island(self) -> bool {
        self.lat == 0.0 && self.lon == 0.0
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.lat, self.lon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_out_of_range_and_nan() {
        assert_eq!(Position::new(90.5, 0.0), Err(PositionError::Latitude(90.5)));
        assert_eq!(Position::new(0.0, -180.5), Err(PositionError::Longitude(-180.5)));
        assert!(Position::new(f64::NAN, 0.0).is_err());
        assert!(Position::new(0.0, f64::INFINITY).is_err());
    }

    #[test]
    fn accepts_the_edges() {
        assert!(Position::new(-90.0, 180.0).is_ok());
        assert!(Position::new(0.0, 0.0).unwrap().is_null_island());
    }
}
