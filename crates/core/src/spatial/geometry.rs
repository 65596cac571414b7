//! Geometry shared by the analyses: geodesic areas of shapes whatever their winding, and bounding
//! boxes that exist for empty shapes too.

use geo::{BoundingRect, Coord, GeodesicArea, MultiPolygon, Rect};

/// Geodesic area in m² of a multipolygon, whatever the winding of its rings.
pub(crate) fn geodesic_area_m2(shape: &MultiPolygon<f64>) -> f64 {
    // The signed area of one polygon is (exterior − holes) with the sign of the exterior's
    // winding, so its absolute value is right for either winding; the unsigned variant would
    // read a clockwise ring as the rest of the earth.
    // Folded from +0.0: an empty sum of floats is −0.0, which would print as "-0".
    shape.iter().map(|p| p.geodesic_area_signed().abs()).fold(0.0, |sum, a| sum + a)
}

/// The bounding box of a shape, or an empty box at the origin for an empty shape.
pub(crate) fn bounds_of(shape: &MultiPolygon<f64>) -> Rect<f64> {
    shape.bounding_rect().unwrap_or_else(|| Rect::new(Coord::zero(), Coord::zero()))
}
