//! The canonical data of `data/` as core types, for the integration tests that run on real data.
//!
//! Core does no I/O; tests may. Each test binary includes this module and uses part of it.
#![allow(dead_code)]

use std::path::PathBuf;

use care_atlas_core::{AreaRole, Municipality, MunicipalityCode, Position, SmallArea};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::Value;

/// The study-area towns with their 2020 census totals.
pub const STUDY_AREA: [(u32, &str, f64); 3] =
    [(11238, "蓮田市", 61_499.0), (11246, "白岡市", 52_214.0), (11442, "宮代町", 34_147.0)];

/// A file of the workspace's `data/` folder.
pub fn data_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data").join(name)
}

pub fn code(value: u32) -> MunicipalityCode {
    format!("{value:05}").parse().expect("a municipality code")
}

/// Every municipality of `data/municipalities.geojson`.
pub fn municipalities() -> Vec<Municipality> {
    let path = data_file("municipalities.geojson");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let collection: Value = serde_json::from_str(&text).expect("GeoJSON");
    let features = collection["features"].as_array().expect("features");
    features
        .iter()
        .map(|feature| {
            let properties = &feature["properties"];
            let text = |key: &str| properties[key].as_str().unwrap_or_default().to_owned();
            let geometry = &feature["geometry"];
            assert_eq!(geometry["type"], "MultiPolygon");
            Municipality {
                code: text("code").parse().expect("a municipality code"),
                name: text("name"),
                prefecture: text("prefecture"),
                county: properties["county"].as_str().map(str::to_owned),
                role: AreaRole::from_id(&text("role")).expect("a role"),
                boundary: multi_polygon(&geometry["coordinates"]),
            }
        })
        .collect()
}

/// A study-area town by code.
pub fn study_town(municipalities: &[Municipality], value: u32) -> &Municipality {
    municipalities.iter().find(|m| m.code == code(value)).expect("a study-area town")
}

fn multi_polygon(coordinates: &Value) -> MultiPolygon<f64> {
    let ring = |ring: &Value| {
        LineString::new(
            ring.as_array()
                .expect("a ring")
                .iter()
                .map(|xy| Coord {
                    x: xy[0].as_f64().expect("a longitude"),
                    y: xy[1].as_f64().expect("a latitude"),
                })
                .collect(),
        )
    };
    let polygons = coordinates.as_array().expect("polygons");
    MultiPolygon(
        polygons
            .iter()
            .map(|rings| {
                let rings = rings.as_array().expect("rings");
                Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
            })
            .collect(),
    )
}

/// Every row of `data/small_areas.csv`.
pub fn small_areas() -> Vec<SmallArea> {
    let path = data_file("small_areas.csv");
    let mut reader = csv::Reader::from_path(&path).expect("small_areas.csv");
    let headers = reader.headers().expect("a header").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (key, piece, municipality, name, population, households, area, lat, lon) = (
        column("key_code"),
        column("piece"),
        column("municipality_code"),
        column("name"),
        column("population"),
        column("households"),
        column("area_m2"),
        column("lat"),
        column("lon"),
    );
    reader
        .records()
        .map(|record| {
            let record = record.expect("a row");
            let number = |i: usize| record[i].parse::<f64>().expect("a number");
            SmallArea {
                key_code: record[key].to_owned(),
                piece: Some(record[piece].to_owned()).filter(|p| !p.is_empty()),
                municipality_code: record[municipality].parse().expect("a municipality code"),
                name: record[name].to_owned(),
                population: record[population].parse().expect("a population"),
                households: record[households].parse().expect("households"),
                area_m2: number(area),
                representative_point: Position::new(number(lat), number(lon)).expect("a position"),
            }
        })
        .collect()
}

/// The positions of the facilities of `data/facilities.csv` of one kind (all kinds for `None`),
/// in file order.
pub fn facility_positions(kind: Option<&str>) -> Vec<Position> {
    let path = data_file("facilities.csv");
    let mut reader = csv::Reader::from_path(&path).expect("facilities.csv");
    let headers = reader.headers().expect("a header").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (kind_column, lat, lon) = (column("kind"), column("lat"), column("lon"));
    reader
        .records()
        .map(|record| record.expect("a row"))
        .filter(|record| kind.is_none_or(|k| &record[kind_column] == k))
        .map(|record| {
            let number = |i: usize| record[i].parse::<f64>().expect("a number");
            Position::new(number(lat), number(lon)).expect("a position")
        })
        .collect()
}
