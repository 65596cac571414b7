//! Field-level parsing shared by the layouts: numbers, coordinates, codes, service types.

use std::path::Path;

use care_atlas_core::{FacilityKind, MunicipalityCode};

/// What a parser needs besides the table: the source id and the date the data describes.
#[derive(Debug, Clone)]
pub struct Context {
    pub source: String,
    pub as_of: Option<String>,
}

/// A date written as `YYYYMMDD` in a file name (`..._20250601.csv`), as ISO 8601.
pub fn date_in_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    date_in_text(name)
}

/// The first `20YYMMDD` run of exactly eight digits in `text`, as ISO 8601.
pub fn date_in_text(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(7)).find_map(|start| {
        let run = &bytes[start..start + 8];
        let bounded = (start == 0 || !bytes[start - 1].is_ascii_digit())
            && bytes.get(start + 8).is_none_or(|b| !b.is_ascii_digit());
        if !bounded || !run.iter().all(u8::is_ascii_digit) || &run[..2] != b"20" {
            return None;
        }
        let month = (run[4] - b'0') * 10 + (run[5] - b'0');
        let day = (run[6] - b'0') * 10 + (run[7] - b'0');
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then(|| {
            format!(
                "{}-{}-{}",
                &text[start..start + 4],
                &text[start + 4..start + 6],
                &text[start + 6..start + 8]
            )
        })
    })
}

/// `Some(text)` unless it is empty.
pub fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// A number written with full-width digits (`３５．９９`), as some government tables do, in ASCII.
pub fn ascii_number(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + u32::from(b'0')).unwrap_or(c),
            '．' => '.',
            '－' | '−' => '-',
            '＋' => '+',
            other => other,
        })
        .collect()
}

/// Latitude and longitude as written: both empty is "no coordinates"; one missing or either not a
/// number is an error. Range and plausibility are checked at placement.
pub fn coordinates(lat: &str, lon: &str) -> Result<Option<(f64, f64)>, String> {
    let (lat, lon) = (ascii_number(lat), ascii_number(lon));
    match (lat.as_str(), lon.as_str()) {
        ("", "") => Ok(None),
        ("", _) => Err("longitude given without latitude".into()),
        (_, "") => Err("latitude given without longitude".into()),
        (lat, lon) => {
            let lat_value: f64 =
                lat.parse().map_err(|_| format!("latitude `{lat}` is not a number"))?;
            let lon_value: f64 =
                lon.parse().map_err(|_| format!("longitude `{lon}` is not a number"))?;
            if !lat_value.is_finite() || !lon_value.is_finite() {
                return Err(format!("coordinates `{lat}`, `{lon}` are not finite numbers"));
            }
            Ok(Some((lat_value, lon_value)))
        }
    }
}

/// Places (定員): empty or 0 (how the source writes "not stated") is unknown.
pub fn capacity(text: &str) -> Result<Option<u32>, String> {
    match ascii_number(text).as_str() {
        "" | "0" => Ok(None),
        n => {
            n.parse::<u32>().map(Some).map_err(|_| format!("capacity `{n}` is not a whole number"))
        }
    }
}

/// Days open, however separated in the source, as a `|`-separated list.
pub fn open_days(text: &str) -> Option<String> {
    let days: Vec<&str> =
        text.split([',', '、', '|', '・']).map(str::trim).filter(|d| !d.is_empty()).collect();
    (!days.is_empty()).then(|| days.join("|"))
}

/// A municipality code written with its check digit (six digits), tolerating a lost leading
/// zero (`82287` for `082287`, as spreadsheets write Ibaraki's codes).
pub fn six_digit_code(text: &str) -> Result<MunicipalityCode, String> {
    let text = ascii_number(text);
    let padded = if text.len() == 5 { format!("0{text}") } else { text };
    MunicipalityCode::from_six_digits(&padded).map_err(|e| e.to_string())
}

/// The facility kind and 介護サービス code of a 介護保険 service type name.
pub fn care_service(name: &str) -> Option<(FacilityKind, &'static str)> {
    let name = name.trim();
    Some(match name {
        "訪問介護" => (FacilityKind::HomeHelp, "110"),
        "訪問看護" => (FacilityKind::VisitingNursingStation, "130"),
        "通所介護" => (FacilityKind::DayService, "150"),
        "居宅介護支援" => (FacilityKind::CareManagementOffice, "430"),
        "介護老人福祉施設" => (FacilityKind::NursingHome, "510"),
        "介護老人保健施設" => (FacilityKind::GeriatricHealthFacility, "520"),
        "地域密着型介護老人福祉施設入所者生活介護" => {
            (FacilityKind::NursingHome, "540")
        }
        "介護医療院" => (FacilityKind::IntegratedCareHospital, "550"),
        "夜間対応型訪問介護" => (FacilityKind::NightHomeHelp, "710"),
        "定期巡回・随時対応型訪問介護看護" => {
            (FacilityKind::PeriodicVisitService, "760")
        }
        "地域密着型通所介護" => (FacilityKind::DayService, "780"),
        "地域包括支援センター" => (FacilityKind::CommunitySupportCenter, "houkatsu"),
        _ => return None,
    })
}

/// The facility kind of a medical institution type name (病院, 診療所, 歯科診療所, 薬局).
pub fn medical_kind(name: &str) -> Option<FacilityKind> {
    let name = name.trim();
    if name.contains("歯科") {
        Some(FacilityKind::DentalClinic)
    } else if name.contains("薬局") {
        Some(FacilityKind::Pharmacy)
    } else if name.contains("病院") {
        Some(FacilityKind::Hospital)
    } else if name.contains("診療所") || name.contains("クリニック") {
        Some(FacilityKind::Clinic)
    } else {
        None
    }
}

/// An address with its 方書 (building part) appended, as published.
pub fn address_with_building(address: &str, building: Option<&str>) -> String {
    match building.map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) if !address.contains(b) => format!("{} {b}", address.trim()),
        _ => address.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_file_names() {
        assert_eq!(
            date_in_name(Path::new("510_tokuyou_20250601.csv")).as_deref(),
            Some("2025-06-01")
        );
        assert_eq!(date_in_name(Path::new("x_120250601.csv")), None);
        assert_eq!(date_in_name(Path::new("x_20251301.csv")), None);
        assert_eq!(date_in_name(Path::new("facilities.csv")), None);
    }

    #[test]
    fn coordinates_need_both_numbers() {
        assert_eq!(coordinates("", ""), Ok(None));
        assert_eq!(coordinates("35.9", "139.6"), Ok(Some((35.9, 139.6))));
        assert_eq!(
            coordinates(" 35.994604900000000", "139.646384300000000 "),
            Ok(Some((35.9946049, 139.6463843)))
        );
        assert!(coordinates("35.9", "").unwrap_err().contains("latitude given without longitude"));
        assert!(
            coordinates("北緯35", "139").unwrap_err().contains("latitude `北緯35` is not a number")
        );
        assert!(coordinates("NaN", "139").is_err());
        assert_eq!(
            coordinates("３５．９９６６３１", "１３９．６７６６６９"),
            Ok(Some((35.996631, 139.676669)))
        );
    }

    #[test]
    fn capacity_zero_means_unknown() {
        assert_eq!(capacity("0"), Ok(None));
        assert_eq!(capacity("144"), Ok(Some(144)));
        assert!(capacity("約30").is_err());
        assert_eq!(capacity("１２"), Ok(Some(12)));
    }

    #[test]
    fn open_days_are_listed_with_bars() {
        assert_eq!(
            open_days("平日,土曜日,日曜日,祝日").as_deref(),
            Some("平日|土曜日|日曜日|祝日")
        );
        assert_eq!(open_days("平日|祝日").as_deref(), Some("平日|祝日"));
        assert_eq!(open_days(""), None);
    }

    #[test]
    fn six_digit_codes_tolerate_a_lost_leading_zero() {
        assert_eq!(six_digit_code("82287").map(|c| c.to_string()), Ok("08228".into()));
        assert_eq!(six_digit_code("112381").map(|c| c.to_string()), Ok("11238".into()));
        assert!(six_digit_code("11238").is_err());
    }

    #[test]
    fn service_and_medical_kinds() {
        assert_eq!(care_service("地域密着型通所介護"), Some((FacilityKind::DayService, "780")));
        assert_eq!(care_service("訪問入浴介護"), None);
        assert_eq!(medical_kind("歯科診療所"), Some(FacilityKind::DentalClinic));
        assert_eq!(medical_kind("病院"), Some(FacilityKind::Hospital));
        assert_eq!(medical_kind("助産所"), None);
    }
}
