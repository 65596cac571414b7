//! Population known only as municipal totals, spread uniformly over each municipality: how the
//! neighbouring municipalities around the study area are counted, since the census small areas
//! are imported for the study area only.
//!
//! SSDSE-A has no rows for the wards of a designated city (さいたま市の区), so a ward is given the
//! density of its city (the city's code is the ward's with the last two digits of the
//! five-digit code zeroed: 11101 → 11100).

use std::collections::BTreeMap;

use geo::{BooleanOps, BoundingRect, Contains, GeodesicArea, MultiPolygon, Rect};

use crate::spatial::geometry::geodesic_area_m2;
use crate::{MeshCode, MunicipalPopulation, Municipality, MunicipalityCode};

/// One municipality of a [`MunicipalDensity`].
#[derive(Debug, Clone)]
struct DensityArea {
    code: MunicipalityCode,
    boundary: MultiPolygon<f64>,
    bounds: Option<Rect<f64>>,
    /// Census total, when the census has a row for this municipality itself.
    census_total: Option<f64>,
    /// Residents per km², `None` when neither it nor its city has a census total and an area.
    per_km2: Option<f64>,
}

/// Municipal census totals spread uniformly over a set of municipalities.
#[derive(Debug, Clone, Default)]
pub(crate) struct MunicipalDensity {
    areas: Vec<DensityArea>,
}

impl MunicipalDensity {
    /// How the density estimates residents, for API metadata.
    pub(crate) const METHOD: &str = "outside the study area, population is known only per municipality (2020 census via SSDSE-A); it is spread uniformly over each neighbouring municipality (wards of a designated city at the density of the whole city) and given to the mesh cells whose centre lies in it";

    /// The density of each of `municipalities` (in that order, which decides between
    /// overlapping boundaries) from the census totals and areas of `populations`.
    pub(crate) fn build<'a>(
        municipalities: impl IntoIterator<Item = &'a Municipality>,
        populations: &[MunicipalPopulation],
    ) -> MunicipalDensity {
        let census: BTreeMap<MunicipalityCode, &MunicipalPopulation> =
            populations.iter().map(|p| (p.code, p)).collect();
        let areas = municipalities
            .into_iter()
            .map(|m| {
                let own = census.get(&m.code).copied();
                let city = || {
                    format!("{:05}", m.code.value() / 100 * 100)
                        .parse()
                        .ok()
                        .and_then(|c: MunicipalityCode| census.get(&c).copied())
                };
                let per_km2 = own
                    .or_else(city)
                    .and_then(|p| p.area_km2.filter(|a| *a > 0.0).map(|a| f64::from(p.total) / a));
                DensityArea {
                    code: m.code,
                    boundary: m.boundary.clone(),
                    bounds: m.boundary.bounding_rect(),
                    census_total: own.map(|p| f64::from(p.total)),
                    per_km2,
                }
            })
            .collect();
        MunicipalDensity { areas }
    }

    fn area(&self, municipality: MunicipalityCode) -> Option<&DensityArea> {
        self.areas.iter().find(|a| a.code == municipality)
    }

    /// The census total of `municipality`, or for a ward its city's density times its area.
    pub(crate) fn total(&self, municipality: MunicipalityCode) -> Option<f64> {
        let area = self.area(municipality)?;
        area.census_total
            .or_else(|| area.per_km2.map(|d| d * geodesic_area_m2(&area.boundary) / 1e6))
    }

    /// The density of `municipality` times the area of the part of `region` inside it.
    pub(crate) fn within(
        &self,
        municipality: MunicipalityCode,
        region: &MultiPolygon<f64>,
    ) -> Option<f64> {
        let area = self.area(municipality)?;
        let per_km2 = area.per_km2?;
        Some(per_km2 * geodesic_area_m2(&area.boundary.intersection(region)) / 1e6)
    }

    /// The density of the municipality containing the centre of `cell` times the cell's area.
    pub(crate) fn at_centre(&self, cell: MeshCode) -> Option<f64> {
        let point = cell.center().to_point();
        let area = self.areas.iter().find(|a| {
            a.bounds.is_some_and(|r| r.contains(&point)) && a.boundary.contains(&point)
        })?;
        Some(area.per_km2? * cell.polygon().geodesic_area_unsigned() / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AreaRole, MeshLevel, Position};
    use geo::polygon;

    fn square(w: f64, s: f64, e: f64, n: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![(x: w, y: s), (x: e, y: s), (x: e, y: n), (x: w, y: n)]])
    }

    fn municipality(code: &str, boundary: MultiPolygon<f64>) -> Municipality {
        Municipality {
            code: code.parse().unwrap(),
            name: code.into(),
            prefecture: "埼玉県".into(),
            county: None,
            role: AreaRole::Neighbour,
            boundary,
        }
    }

    fn census(code: &str, total: u32, area_km2: Option<f64>) -> MunicipalPopulation {
        MunicipalPopulation {
            code: code.parse().unwrap(),
            name: code.into(),
            census_year: 2020,
            total,
            aged_65_plus: None,
            aged_75_plus: None,
            households: None,
            area_km2,
        }
    }

    /// A town of known density, a ward of a city with a census row, and a town without area.
    fn density() -> (MunicipalDensity, [Municipality; 3]) {
        let towns = [
            municipality("11219", square(139.50, 36.00, 139.60, 36.10)),
            municipality("11101", square(139.60, 36.00, 139.70, 36.10)),
            municipality("11464", square(139.70, 36.00, 139.80, 36.10)),
        ];
        let populations = [
            census("11219", 50_000, Some(100.0)),
            census("11100", 1_000_000, Some(200.0)),
            census("11464", 10_000, None),
        ];
        (MunicipalDensity::build(&towns, &populations), towns)
    }

    fn km2(shape: &MultiPolygon<f64>) -> f64 {
        geodesic_area_m2(shape) / 1e6
    }

    #[test]
    fn totals_are_the_census_or_a_ward_at_its_city_density() {
        let (density, towns) = density();
        assert_eq!(density.total(towns[0].code), Some(50_000.0));
        let ward = density.total(towns[1].code).unwrap();
        assert!((ward - 5_000.0 * km2(&towns[1].boundary)).abs() < 1e-6, "{ward}");
        assert_eq!(density.total(towns[2].code), Some(10_000.0));
        assert_eq!(density.total("11238".parse().unwrap()), None);
    }

    #[test]
    fn within_spreads_the_density_over_the_part_inside() {
        let (density, towns) = density();
        // Half of the first town and a strip outside every town.
        let region = square(139.40, 36.00, 139.55, 36.10);
        let half = km2(&square(139.50, 36.00, 139.55, 36.10));
        let got = density.within(towns[0].code, &region).unwrap();
        assert!((got - 500.0 * half).abs() < 1e-6 * got, "{got}");
        assert_eq!(density.within(towns[2].code, &region), None, "no area: unknown density");
    }

    #[test]
    fn a_ring_cell_takes_the_density_at_its_centre() {
        let (density, _) = density();
        let cell = |lat: f64, lon: f64| {
            MeshCode::of(Position::new(lat, lon).unwrap(), MeshLevel::Third).unwrap()
        };
        let in_town = cell(36.05, 139.55);
        let people = density.at_centre(in_town).unwrap();
        let cell_km2 = km2(&MultiPolygon(vec![in_town.polygon()]));
        assert!((people - 500.0 * cell_km2).abs() < 1e-9, "{people}");
        let in_ward = density.at_centre(cell(36.05, 139.65)).unwrap();
        assert!((in_ward / people - 10.0).abs() < 1e-3, "{in_ward}");
        assert_eq!(density.at_centre(cell(36.05, 139.75)), None);
        assert_eq!(density.at_centre(cell(36.5, 139.55)), None);
    }
}
