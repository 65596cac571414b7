//! Official government layouts: 介護サービス情報公表 open data, the 自治体標準オープンデータセット
//! medical and care lists, N03 boundaries, the e-Stat small-area table and SSDSE-A.

use care_atlas_core::{MunicipalPopulation, Municipality, SmallArea};
use serde_json::Value;

use super::RoleAssignment;
use super::boundaries::{FeatureError, multi_polygon, text_property};
use super::fields::{
    Context, address_with_building, capacity, care_service, coordinates, date_in_text,
    medical_kind, non_empty, open_days, six_digit_code,
};
use super::rows::{
    RowRejection, code, each_row, parse_number, parse_optional_number, position, sourced,
};
use crate::records::{Batch, DeclaredMunicipality, FacilityDraft};
use crate::table::Table;
use crate::{LoadError, RowLocation};

pub fn kaigo_opendata(table: &Table, context: &Context) -> Result<Batch, LoadError> {
    let [muni_code, muni_name, name, service, address, lat, lon, number] = table.require(
        "kaigo-opendata",
        [
            &["都道府県コード又は市町村コード"],
            &["市区町村名"],
            &["事業所名"],
            &["サービスの種類"],
            &["住所"],
            &["緯度"],
            &["経度"],
            &["事業所番号"],
        ],
    )?;
    let kana = table.column(&["事業所名カナ"]);
    let building = table.column(&["方書（ビル名等）", "方書"]);
    let phone = table.column(&["電話番号"]);
    let days = table.column(&["利用可能曜日"]);
    let places = table.column(&["定員"]);
    let url = table.column(&["URL"]);
    let source_file = table.column(&["source_file"]);
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(number), row.get(name), reason);
        let (kind, service_code) = care_service(row.get(service)).ok_or_else(|| {
            reject(format!("service type `{}` is not one care-atlas maps", row.get(service)))
        })?;
        let jigyosho =
            non_empty(row.get(number)).ok_or_else(|| reject("事業所番号 is empty".into()))?;
        // The column holds a 6-digit municipality code, or a 2-digit prefecture code for
        // prefecture-run offices, which names no municipality.
        let code = match row.get(muni_code).len() {
            0..=2 => None,
            _ => Some(six_digit_code(row.get(muni_code)).map_err(reject)?),
        };
        Ok(FacilityDraft {
            location: RowLocation::Line(row.line),
            source: context.source.clone(),
            record_id: format!("{service_code}-{jigyosho}"),
            as_of: row.opt(source_file).and_then(date_in_text).or_else(|| context.as_of.clone()),
            contact_source: None,
            kind,
            name: non_empty(row.get(name)).ok_or_else(|| reject("事業所名 is empty".into()))?,
            name_kana: row.opt(kana).map(str::to_owned),
            address: address_with_building(row.get(address), row.opt(building)),
            declared: DeclaredMunicipality {
                code,
                name: non_empty(row.get(muni_name)),
                prefecture: None,
            },
            coordinates: coordinates(row.get(lat), row.get(lon)).map_err(reject)?,
            precision: None,
            position_note: None,
            phone: row.opt(phone).map(str::to_owned),
            url: row.opt(url).map(str::to_owned),
            capacity: row.opt(places).map_or(Ok(None), capacity).map_err(reject)?,
            open_days: row.opt(days).and_then(open_days),
            home_care_class: None,
            filings: Vec::new(),
            linked_record: None,
        })
    });
    Ok(Batch {
        facilities: values.into_iter().map(|(_, v)| v).collect(),
        row_errors,
        ..Batch::default()
    })
}

/// The columns the two 自治体標準オープンデータセット lists share, under their alternative names.
struct StandardColumns {
    id: usize,
    muni_code: usize,
    name: usize,
    kind: usize,
    kana: Option<usize>,
    address: Option<usize>,
    building: Option<usize>,
    lat: Option<usize>,
    lon: Option<usize>,
    phone: Option<usize>,
    url: Option<usize>,
    days: Option<usize>,
    places: Option<usize>,
}

fn standard_columns(
    table: &Table,
    format: &'static str,
    names: &[&str],
    kinds: &[&str],
) -> Result<StandardColumns, LoadError> {
    let [id, muni_code, name, kind] =
        table.require(format, [&["ID"], &["全国地方公共団体コード"], names, kinds])?;
    Ok(StandardColumns {
        id,
        muni_code,
        name,
        kind,
        kana: table.column(&["介護サービス事業所名称_カナ", "名称_カナ"]),
        address: table.column(&["所在地_連結表記", "住所"]),
        building: table.column(&["所在地_建物名等", "建物名等(方書)", "方書"]),
        lat: table.column(&["緯度"]),
        lon: table.column(&["経度"]),
        phone: table.column(&["電話番号"]),
        url: table.column(&["URL"]),
        days: table.column(&["利用可能曜日", "診療曜日"]),
        places: table.column(&["定員"]),
    })
}

fn standard_list(
    table: &Table,
    context: &Context,
    columns: &StandardColumns,
    kind_of: impl Fn(&str) -> Option<care_atlas_core::FacilityKind>,
) -> Batch {
    let c = columns;
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(c.id), row.get(c.name), reason);
        let kind = kind_of(row.get(c.kind)).ok_or_else(|| {
            reject(format!("type `{}` is not one care-atlas maps", row.get(c.kind)))
        })?;
        let lat = c.lat.map_or("", |i| row.get(i));
        let lon = c.lon.map_or("", |i| row.get(i));
        Ok(FacilityDraft {
            location: RowLocation::Line(row.line),
            source: context.source.clone(),
            record_id: non_empty(row.get(c.id)).ok_or_else(|| reject("ID is empty".into()))?,
            as_of: context.as_of.clone(),
            contact_source: None,
            kind,
            name: non_empty(row.get(c.name)).ok_or_else(|| reject("name is empty".into()))?,
            name_kana: row.opt(c.kana).map(str::to_owned),
            address: address_with_building(
                row.opt(c.address).unwrap_or_default(),
                row.opt(c.building),
            ),
            declared: DeclaredMunicipality {
                code: Some(six_digit_code(row.get(c.muni_code)).map_err(reject)?),
                name: None,
                prefecture: None,
            },
            coordinates: coordinates(lat, lon).map_err(reject)?,
            precision: None,
            position_note: None,
            phone: row.opt(c.phone).map(str::to_owned),
            url: row.opt(c.url).map(str::to_owned),
            capacity: row.opt(c.places).map_or(Ok(None), capacity).map_err(reject)?,
            open_days: row.opt(c.days).and_then(open_days),
            home_care_class: None,
            filings: Vec::new(),
            linked_record: None,
        })
    });
    Batch {
        facilities: values.into_iter().map(|(_, v)| v).collect(),
        row_errors,
        ..Batch::default()
    }
}

pub fn standard_medical(table: &Table, context: &Context) -> Result<Batch, LoadError> {
    let columns = standard_columns(
        table,
        "standard-medical",
        &["名称"],
        &["医療機関の種類", "医療機関の種別"],
    )?;
    Ok(standard_list(table, context, &columns, medical_kind))
}

pub fn standard_care(table: &Table, context: &Context) -> Result<Batch, LoadError> {
    let columns = standard_columns(
        table,
        "standard-care",
        &["介護サービス事業所名称", "名称"],
        &["介護サービスの種類", "サービスの種類", "事業所の種別"],
    )?;
    Ok(standard_list(table, context, &columns, |text| care_service(text).map(|(kind, _)| kind)))
}

pub fn estat_small_areas(table: &Table, context: &Context) -> Result<Batch, LoadError> {
    let [key, pref, city, name, piece, area, population, households, lon, lat] = table
        .require_names(
            "estat-small-areas",
            [
                "KEY_CODE", "PREF", "CITY", "S_NAME", "KIGO_E", "AREA", "JINKO", "SETAI", "X_CODE",
                "Y_CODE",
            ],
        )?;
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(key), row.get(name), reason);
        let municipality = code(&format!("{}{}", row.get(pref), row.get(city))).map_err(reject)?;
        Ok(SmallArea {
            key_code: non_empty(row.get(key)).ok_or_else(|| reject("KEY_CODE is empty".into()))?,
            piece: non_empty(row.get(piece)),
            municipality_code: municipality,
            name: row.get(name).to_owned(),
            population: parse_number(row.get(population), "JINKO").map_err(reject)?,
            households: parse_number(row.get(households), "SETAI").map_err(reject)?,
            area_m2: parse_number(row.get(area), "AREA").map_err(reject)?,
            representative_point: position(row.get(lat), row.get(lon)).map_err(reject)?,
        })
    });
    let small_areas =
        values.into_iter().map(|(line, v)| sourced(&context.source, line, v)).collect();
    Ok(Batch { small_areas, row_errors, ..Batch::default() })
}

pub fn ssdse_a(table: &Table, context: &Context) -> Result<Batch, LoadError> {
    let prefixed = |prefix: &str| table.headers.iter().position(|h| h.starts_with(prefix));
    let [area_code, name] = table.require_names("ssdse-a", ["地域コード", "市区町村"])?;
    let total = prefixed("A1101_");
    let (Some(total), aged_65, aged_75, households) =
        (total, prefixed("A1303_"), prefixed("A1419_"), prefixed("A7101_"))
    else {
        return Err(LoadError::Header {
            path: table.path.clone(),
            format: "ssdse-a",
            missing: "A1101_総人口".into(),
        });
    };
    // Headers end in the survey year (`A1101_総人口_2020`).
    let area_ha = prefixed("B1101_");
    let census_year: u16 =
        table.headers[total].rsplit('_').next().and_then(|y| y.parse().ok()).unwrap_or(2020);
    let (values, row_errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(area_code), row.get(name), reason);
        let bare = row.get(area_code).trim_start_matches('R');
        let optional = |index: Option<usize>, what: &str| -> Result<Option<u32>, RowRejection> {
            index
                .map(|i| parse_optional_number(row.get(i), what))
                .transpose()
                .map(Option::flatten)
                .map_err(reject)
        };
        Ok(MunicipalPopulation {
            code: code(bare).map_err(reject)?,
            name: row.get(name).to_owned(),
            census_year,
            total: parse_number(row.get(total), "A1101 総人口").map_err(reject)?,
            aged_65_plus: optional(aged_65, "A1303 65歳以上人口")?,
            aged_75_plus: optional(aged_75, "A1419 75歳以上人口")?,
            households: optional(households, "A7101 世帯数")?,
            // B1101 総面積 is in hectares.
            area_km2: area_ha
                .map(|i| parse_optional_number::<f64>(row.get(i), "B1101 総面積"))
                .transpose()
                .map_err(reject)?
                .flatten()
                .map(|ha| ha / 100.0),
        })
    });
    let populations =
        values.into_iter().map(|(line, v)| sourced(&context.source, line, v)).collect();
    Ok(Batch { populations, row_errors, ..Batch::default() })
}

/// One N03 feature as a municipality, its role taken from `roles`.
pub(super) fn n03_feature(
    properties: &serde_json::Map<String, Value>,
    geometry: Option<&geojson::Geometry>,
    source: &str,
    roles: Option<&RoleAssignment>,
) -> Result<(String, Municipality), FeatureError> {
    let code = code(
        text_property(properties, "N03_007").ok_or("N03_007 (municipality code) is missing")?,
    )?;
    let prefecture =
        text_property(properties, "N03_001").ok_or("N03_001 (prefecture) is missing")?;
    let city_or_county = text_property(properties, "N03_003");
    let own_name =
        text_property(properties, "N03_004").ok_or("N03_004 (municipality name) is missing")?;
    // A ward of a designated city is written after its city in addresses (さいたま市岩槻区); a town
    // or village may be written after its 郡, which addresses often drop.
    let (name, county) = match city_or_county {
        Some(city) if city.ends_with('市') => (format!("{city}{own_name}"), None),
        Some(county) => (own_name.to_owned(), Some(county.to_owned())),
        None => (own_name.to_owned(), None),
    };
    let boundary = multi_polygon(geometry)?;
    // N03 states no roles: they come from the import (the build's file, `--study-area`, or the
    // database).
    let role = roles
        .and_then(|r| r.role_of(code))
        .ok_or_else(|| FeatureError::RoleUnstated(format!("{name} ({code})")))?;
    Ok((
        source.to_owned(),
        Municipality { code, name, prefecture: prefecture.to_owned(), county, role, boundary },
    ))
}
