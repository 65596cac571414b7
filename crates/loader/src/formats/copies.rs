//! The layouts of the copies of government data in `shared/data/raw` that are not in an official
//! layout: the source data survived only as a project's derived JSON or a trimmed CSV.

use care_atlas_core::{FacilityKind, TownPoint};

use super::fields::{Context, capacity, coordinates, non_empty, open_days, six_digit_code};
use super::rows::{RowRejection, code, each_row, position, sourced};
use crate::records::{Batch, DeclaredMunicipality, FacilityDraft};
use crate::table::{Row, Table};
use crate::{LoadError, RowLocation};

/// The fields every copy layout fills; the rest default to empty.
struct Draft<'a> {
    row: &'a Row,
    context: &'a Context,
    kind: FacilityKind,
    record_id: String,
    name: &'a str,
    address: &'a str,
}

impl Draft<'_> {
    fn build(
        self,
        coordinates: Option<(f64, f64)>,
        declared: DeclaredMunicipality,
    ) -> Result<FacilityDraft, RowRejection> {
        let name =
            non_empty(self.name).ok_or_else(|| RowRejection::from("name is empty".to_owned()))?;
        let base = FacilityDraft::new(
            RowLocation::Line(self.row.line),
            self.context.source.clone(),
            self.record_id,
            self.kind,
            name,
            self.address.to_owned(),
        );
        Ok(FacilityDraft { as_of: self.context.as_of.clone(), declared, coordinates, ..base })
    }
}

fn facilities_batch(values: Vec<(u64, FacilityDraft)>, row_errors: Vec<crate::RowError>) -> Batch {
    Batch {
        facilities: values.into_iter().map(|(_, v)| v).collect(),
        row_errors,
        ..Batch::default()
    }
}

pub fn visiting_nursing(table: &Table, context: &Context) -> Result<Batch, LoadError> {
    let [number, name, address, lat, lon] =
        table.require_names("kaigo-130-copy", ["jigyosho_no", "name", "address", "lat", "lng"])?;
    let (values, errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(number), row.get(name), reason);
        let record_id =
            non_empty(row.get(number)).ok_or_else(|| reject("jigyosho_no is empty".into()))?;
        let coordinates = coordinates(row.get(lat), row.get(lon)).map_err(reject)?;
        Draft {
            row,
            context,
            kind: FacilityKind::VisitingNursingStation,
            record_id,
            name: row.get(name),
            address: row.get(address),
        }
        .build(coordinates, DeclaredMunicipality::default())
    });
    Ok(facilities_batch(values, errors))
}

pub fn care_management(table: &Table, context: &Context) -> Result<Batch, LoadError> {
    let [slug, name, kana, city, city_code, address, phone, url, lat, lon] = table.require_names(
        "kaigo-430-copy",
        ["slug", "name", "name_kana", "city", "city_code6", "address", "tel", "url", "lat", "lng"],
    )?;
    let (values, errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(slug), row.get(name), reason);
        // Slugs are `mhlw_kaigo_<事業所番号>_430`.
        let record_id = row
            .get(slug)
            .strip_prefix("mhlw_kaigo_")
            .and_then(|s| s.strip_suffix("_430"))
            .filter(|n| !n.is_empty())
            .ok_or_else(|| {
                reject(format!("slug `{}` is not mhlw_kaigo_<事業所番号>_430", row.get(slug)))
            })?
            .to_owned();
        let declared = DeclaredMunicipality {
            code: Some(six_digit_code(row.get(city_code)).map_err(reject)?),
            name: non_empty(row.get(city)),
            prefecture: None,
        };
        let coordinates = coordinates(row.get(lat), row.get(lon)).map_err(reject)?;
        let mut draft = Draft {
            row,
            context,
            kind: FacilityKind::CareManagementOffice,
            record_id,
            name: row.get(name),
            address: row.get(address),
        }
        .build(coordinates, declared)?;
        draft.name_kana = non_empty(row.get(kana));
        draft.phone = non_empty(row.get(phone));
        draft.url = non_empty(row.get(url));
        Ok(draft)
    });
    Ok(facilities_batch(values, errors))
}

pub fn derived_home_help_day_service(table: &Table, context: &Context) -> Result<Batch, LoadError> {
    let [category, number, name, kana, address, lat, lon, phone, url, city, places, days] = table
        .require_names(
        "kaigo-derived-copy",
        [
            "category",
            "jigyosho_no",
            "name",
            "kana",
            "address",
            "lat",
            "lng",
            "tel",
            "url",
            "city",
            "capacity",
            "open_days",
        ],
    )?;
    let (values, errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(number), row.get(name), reason);
        let (kind, service_code) = match row.get(category) {
            "home_help" => (FacilityKind::HomeHelp, "110"),
            "day_service" => (FacilityKind::DayService, "150"),
            "community_day_service" => (FacilityKind::DayService, "780"),
            other => {
                return Err(reject(format!(
                    "category `{other}` is not home_help, day_service or community_day_service"
                )));
            }
        };
        let jigyosho =
            non_empty(row.get(number)).ok_or_else(|| reject("jigyosho_no is empty".into()))?;
        let coordinates = coordinates(row.get(lat), row.get(lon)).map_err(reject)?;
        let declared =
            DeclaredMunicipality { code: None, name: non_empty(row.get(city)), prefecture: None };
        let record_id = format!("{service_code}-{jigyosho}");
        let mut draft =
            Draft { row, context, kind, record_id, name: row.get(name), address: row.get(address) }
                .build(coordinates, declared)?;
        draft.name_kana = non_empty(row.get(kana));
        draft.phone = non_empty(row.get(phone));
        draft.url = non_empty(row.get(url));
        draft.capacity = capacity(row.get(places)).map_err(reject)?;
        draft.open_days = open_days(row.get(days));
        Ok(draft)
    });
    Ok(facilities_batch(values, errors))
}

pub fn hospitals(table: &Table, context: &Context) -> Result<Batch, LoadError> {
    let [id, name, kana, address, lat, lon, url] = table.require_names(
        "iryo-hospitals",
        [
            "ID",
            "正式名称",
            "正式名称（フリガナ）",
            "所在地",
            "所在地座標（緯度）",
            "所在地座標（経度）",
            "案内用ホームページアドレス",
        ],
    )?;
    let (values, errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(id), row.get(name), reason);
        let record_id = non_empty(row.get(id)).ok_or_else(|| reject("ID is empty".into()))?;
        let coordinates = coordinates(row.get(lat), row.get(lon)).map_err(reject)?;
        let mut draft = Draft {
            row,
            context,
            kind: FacilityKind::Hospital,
            record_id,
            name: row.get(name),
            address: row.get(address),
        }
        .build(coordinates, DeclaredMunicipality::default())?;
        draft.name_kana = non_empty(row.get(kana));
        draft.url = non_empty(row.get(url));
        Ok(draft)
    });
    Ok(facilities_batch(values, errors))
}

pub fn clinics_dental_pharmacies(table: &Table, context: &Context) -> Result<Batch, LoadError> {
    let [kind, id, name, address, url] =
        table.require_names("iryo-medical-copy", ["kind", "iryo_id", "name", "address", "url"])?;
    let (values, errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(id), row.get(name), reason);
        let facility_kind = match row.get(kind) {
            "clinic" => FacilityKind::Clinic,
            "dental" => FacilityKind::DentalClinic,
            "pharmacy" => FacilityKind::Pharmacy,
            other => {
                return Err(reject(format!("kind `{other}` is not clinic, dental or pharmacy")));
            }
        };
        let record_id = non_empty(row.get(id)).ok_or_else(|| reject("iryo_id is empty".into()))?;
        let mut draft = Draft {
            row,
            context,
            kind: facility_kind,
            record_id,
            name: row.get(name),
            address: row.get(address),
        }
        .build(None, DeclaredMunicipality::default())?;
        draft.url = non_empty(row.get(url));
        Ok(draft)
    });
    Ok(facilities_batch(values, errors))
}

pub fn home_visit_clinics(table: &Table, context: &Context) -> Result<Batch, LoadError> {
    let [id, name, address] = table.require_names("zaitaku-navi", ["id", "name", "address"])?;
    let (values, errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of(row.get(id), row.get(name), reason);
        let record_id = non_empty(row.get(id)).ok_or_else(|| reject("id is empty".into()))?;
        Draft {
            row,
            context,
            kind: FacilityKind::HomeCareClinic,
            record_id,
            name: row.get(name),
            address: row.get(address),
        }
        .build(None, DeclaredMunicipality::default())
    });
    Ok(facilities_batch(values, errors))
}

pub fn geolonia_towns(table: &Table, context: &Context) -> Result<Batch, LoadError> {
    let [city_code, town, lat, lon] =
        table.require_names("geolonia-towns", ["city_code", "town", "lat", "lng"])?;
    let koaza = table.column(&["koaza"]);
    let zip = table.column(&["zip"]);
    let (values, errors) = each_row(table, |row| {
        let reject = |reason: String| RowRejection::of("", row.get(town), reason);
        let name = format!("{}{}", row.get(town), row.opt(koaza).unwrap_or_default());
        Ok(TownPoint {
            municipality_code: code(row.get(city_code)).map_err(reject)?,
            town: non_empty(&name).ok_or_else(|| reject("town is empty".into()))?,
            position: position(row.get(lat), row.get(lon)).map_err(reject)?,
            // Seven ASCII digits get the usual dash; anything else is kept as published.
            postal_code: row.opt(zip).map(|z| match (z.get(..3), z.get(3..)) {
                (Some(head), Some(tail))
                    if z.len() == 7 && z.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    format!("{head}-{tail}")
                }
                _ => z.to_owned(),
            }),
        })
    });
    let towns = values.into_iter().map(|(line, v)| sourced(&context.source, line, v)).collect();
    Ok(Batch { towns, row_errors: errors, ..Batch::default() })
}
