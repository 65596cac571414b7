//! The official public page of a facility: for a care office, its detail page on the MHLW
//! 介護サービス情報公表システム (kaigokensaku.mhlw.go.jp), built from its office number (事業所番号)
//! and service code (サービスコード).

use crate::{Facility, FacilityKind};

/// The id prefix of the sources copied from the 介護サービス情報公表システム's open data
/// (`mhlw-kaigo-130`, `mhlw-kaigo-430`, `mhlw-kaigo-derived`, `mhlw-kaigo-opendata`; see
/// `data/sources.csv`): only their record ids are office numbers the system knows.
pub const KAIGO_SOURCE_PREFIX: &str = "mhlw-kaigo-";

/// The URL of the facility's detail page on the 介護サービス情報公表システム, or `None`.
///
/// Built from the office number and service code; branch office number -00 assumed (the page of
/// the office itself, which every office has; the sources do not give the branch). The service
/// code is the record id's prefix where it has one (`510-1170100596`, as the open-data and
/// derived sources write it), else the one service code of the facility's kind (`130` 訪問看護,
/// `430` 居宅介護支援). The page lives under the prefecture's folder, the office number's first
/// two digits.
///
/// `None` for every other record, and for:
/// - medical facilities (医療情報ネット `mhlw-iryo-*`, the 厚生局's register `kouseikyoku-*`):
///   医療情報ネット has no stable per-facility URL that can be built from a record's id;
/// - a record whose id is not an office number of ten letters and digits starting with a
///   prefecture code, or whose service code is unknown (a kind with several codes and no prefix).
///
/// A nine-digit number is taken as one whose leading zero was lost in a spreadsheet (the copies
/// write 茨城県's `0874300148` as `874300148`): prefecture codes 01 to 09 start with it.
///
/// ```
/// use care_atlas_core::detail_url;
/// use care_atlas_core::testing::{SplitMix, synthetic_facility};
/// let mut facility = synthetic_facility(0, &mut SplitMix(1));
/// facility.provenance.source = "mhlw-kaigo-opendata".into();
/// facility.provenance.record_id = "510-1175700952".into();
/// assert_eq!(
///     detail_url(&facility).as_deref(),
///     Some("https://www.kaigokensaku.mhlw.go.jp/11/index.php?action_kouhyou_detail_overview_index=true&JigyosyoCd=1175700952-00&ServiceCd=510")
/// );
/// facility.provenance.source = "mhlw-iryo-medical".into();
/// assert_eq!(detail_url(&facility), None);
/// ```
#[must_use]
pub fn detail_url(facility: &Facility) -> Option<String> {
    let provenance = &facility.provenance;
    if !provenance.source.starts_with(KAIGO_SOURCE_PREFIX) {
        return None;
    }
    let (service_code, number) = match provenance.record_id.split_once('-') {
        Some((code, number)) => (code, number),
        None => (service_code_of(facility.kind)?, provenance.record_id.as_str()),
    };
    if service_code.len() != 3 || !service_code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number = office_number(number)?;
    let prefecture = &number[..2];
    Some(format!(
        "https://www.kaigokensaku.mhlw.go.jp/{prefecture}/index.php?action_kouhyou_detail_overview_index=true&JigyosyoCd={number}-00&ServiceCd={service_code}"
    ))
}

/// The service code of a kind that has exactly one; `None` for a kind with several (通所介護 150
/// and 地域密着型通所介護 780; 特養 510 and 地域密着型 540), where only the record id can say,
/// and for kinds the 介護サービス情報公表システム does not list.
fn service_code_of(kind: FacilityKind) -> Option<&'static str> {
    Some(match kind {
        FacilityKind::HomeHelp => "110",
        FacilityKind::VisitingNursingStation => "130",
        FacilityKind::CareManagementOffice => "430",
        FacilityKind::GeriatricHealthFacility => "520",
        FacilityKind::IntegratedCareHospital => "550",
        FacilityKind::NightHomeHelp => "710",
        FacilityKind::PeriodicVisitService => "760",
        _ => return None,
    })
}

/// The ten-character office number (事業所番号) of `text`: ten ASCII letters and digits whose first
/// two digits are a prefecture code (介護医療院 numbers carry a letter, `11B0600018`), or nine
/// digits missing their leading zero.
fn office_number(text: &str) -> Option<String> {
    let number = match text.len() {
        9 if text.bytes().all(|b| b.is_ascii_digit()) => format!("0{text}"),
        10 if text.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()) => text.to_owned(),
        _ => return None,
    };
    let prefecture: u8 = number[..2].parse().ok()?;
    (1..=47).contains(&prefecture).then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{SplitMix, synthetic_facility};

    fn check(source: &str, record_id: &str, kind: FacilityKind, expected: Option<&str>) {
        let mut facility = synthetic_facility(0, &mut SplitMix(1));
        facility.kind = kind;
        facility.provenance.source = source.into();
        facility.provenance.record_id = record_id.into();
        let page = |prefecture: &str, number: &str, code: &str| {
            format!(
                "https://www.kaigokensaku.mhlw.go.jp/{prefecture}/index.php?action_kouhyou_detail_overview_index=true&JigyosyoCd={number}-00&ServiceCd={code}"
            )
        };
        let expected = expected.map(|e| {
            let [prefecture, number, code]: [&str; 3] =
                e.split(' ').collect::<Vec<_>>().try_into().unwrap();
            page(prefecture, number, code)
        });
        assert_eq!(detail_url(&facility), expected, "{source} {record_id}");
    }

    #[test]
    fn care_offices_link_their_page_by_office_number_and_service_code() {
        use FacilityKind as K;
        check("mhlw-kaigo-130", "1165790043", K::VisitingNursingStation, Some("11 1165790043 130"));
        check("mhlw-kaigo-430", "0872800263", K::CareManagementOffice, Some("08 0872800263 430"));
        check("mhlw-kaigo-derived", "110-1160790022", K::HomeHelp, Some("11 1160790022 110"));
        check("mhlw-kaigo-derived", "150-1170100497", K::DayService, Some("11 1170100497 150"));
        check("mhlw-kaigo-derived", "780-1170100497", K::DayService, Some("11 1170100497 780"));
        check("mhlw-kaigo-opendata", "510-1170100596", K::NursingHome, Some("11 1170100596 510"));
        check(
            "mhlw-kaigo-opendata",
            "550-11B0600018",
            K::IntegratedCareHospital,
            Some("11 11B0600018 550"),
        );
        check(
            "mhlw-kaigo-opendata",
            "760-1190500106",
            K::PeriodicVisitService,
            Some("11 1190500106 760"),
        );
    }

    #[test]
    fn a_nine_digit_number_gets_back_its_leading_zero() {
        use FacilityKind as K;
        check("mhlw-kaigo-derived", "110-874300148", K::HomeHelp, Some("08 0874300148 110"));
        check("mhlw-kaigo-opendata", "510-872800289", K::NursingHome, Some("08 0872800289 510"));
    }

    #[test]
    fn without_a_prefix_the_service_code_comes_from_a_kind_with_one_code_only() {
        use FacilityKind as K;
        check(
            "mhlw-kaigo-opendata",
            "1170100596",
            K::GeriatricHealthFacility,
            Some("11 1170100596 520"),
        );
        check("mhlw-kaigo-opendata", "1170100596", K::NursingHome, None);
        check("mhlw-kaigo-derived", "1170100497", K::DayService, None);
    }

    #[test]
    fn medical_facilities_and_malformed_ids_have_no_page() {
        use FacilityKind as K;
        check("mhlw-iryo-hospitals", "1111102003200", K::Hospital, None);
        check("mhlw-iryo-medical", "1151106947300", K::Pharmacy, None);
        check("kouseikyoku-ika", "11-0501395", K::HomeCareClinic, None);
        check("mhlw-kaigo-130", "11657900", K::VisitingNursingStation, None);
        check("mhlw-kaigo-130", "9965790043", K::VisitingNursingStation, None);
        check("mhlw-kaigo-130", "1165790043 ", K::VisitingNursingStation, None);
        check("mhlw-kaigo-opendata", "51-1170100596", K::NursingHome, None);
        check("mhlw-kaigo-opendata", "houkatsu-1170100596", K::CommunitySupportCenter, None);
        check("mhlw-kaigo-opendata", "510-11701005&6", K::NursingHome, None);
    }
}
