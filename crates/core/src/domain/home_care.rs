//! The home-care filings of a medical institution as the 厚生局's 届出受理医療機関名簿 lists them:
//! the class of a 在宅療養支援診療所・病院・歯科診療所, and the other home-care filings (受理記号)
//! with their Japanese and English labels.
//!
//! The symbols are the register's own (`支援診１`, `在医総管１`, `歯訪診`), full-width digits
//! included, and are kept exactly as published; the labels are for reading only.

use std::fmt;

use crate::FacilityKind;

/// The class a 在宅療養支援診療所・病院 or 在宅療養支援歯科診療所 is registered under.
///
/// For clinics and hospitals the register's symbol ends in 1, 2 or 3: 機能強化型 on its own,
/// 機能強化型 with partners, or 従来型. `機能強化` alone is the 初診料 機能強化加算, not a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HomeCareClass {
    /// 機能強化型（単独）: (1), meeting the enhanced requirements on its own.
    EnhancedSingle,
    /// 機能強化型（連携）: (2), meeting them together with partner institutions.
    EnhancedNetworked,
    /// 従来型: (3), the standard requirements.
    Conventional,
    /// 在宅療養支援歯科診療所１.
    Dental1,
    /// 在宅療養支援歯科診療所２.
    Dental2,
}

impl HomeCareClass {
    /// Every class, in the order they are listed to users.
    pub const ALL: [HomeCareClass; 5] = [
        HomeCareClass::EnhancedSingle,
        HomeCareClass::EnhancedNetworked,
        HomeCareClass::Conventional,
        HomeCareClass::Dental1,
        HomeCareClass::Dental2,
    ];

    /// The stable id used in files, the database and the API.
    ///
    /// ```
    /// use care_atlas_core::HomeCareClass;
    /// assert_eq!(HomeCareClass::EnhancedNetworked.id(), "enhanced_networked");
    /// assert_eq!(HomeCareClass::from_id("dental_2"), Some(HomeCareClass::Dental2));
    /// ```
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            HomeCareClass::EnhancedSingle => "enhanced_single",
            HomeCareClass::EnhancedNetworked => "enhanced_networked",
            HomeCareClass::Conventional => "conventional",
            HomeCareClass::Dental1 => "dental_1",
            HomeCareClass::Dental2 => "dental_2",
        }
    }

    /// The Japanese label, as the 施設基準 names the class.
    #[must_use]
    pub const fn label_ja(self) -> &'static str {
        match self {
            HomeCareClass::EnhancedSingle => "機能強化型（単独）",
            HomeCareClass::EnhancedNetworked => "機能強化型（連携）",
            HomeCareClass::Conventional => "従来型",
            HomeCareClass::Dental1 => "在宅療養支援歯科診療所１",
            HomeCareClass::Dental2 => "在宅療養支援歯科診療所２",
        }
    }

    /// The English label.
    #[must_use]
    pub const fn label_en(self) -> &'static str {
        match self {
            HomeCareClass::EnhancedSingle => "enhanced (on its own)",
            HomeCareClass::EnhancedNetworked => "enhanced (with partner institutions)",
            HomeCareClass::Conventional => "conventional",
            HomeCareClass::Dental1 => "home-care support dental clinic 1",
            HomeCareClass::Dental2 => "home-care support dental clinic 2",
        }
    }

    /// Parses a stable id.
    #[must_use]
    pub fn from_id(id: &str) -> Option<Self> {
        HomeCareClass::ALL.into_iter().find(|c| c.id() == id)
    }

    /// The kind and class a register's 受理記号 declares, if it is one of the 在宅療養支援 filings.
    ///
    /// ```
    /// use care_atlas_core::{FacilityKind, HomeCareClass};
    /// assert_eq!(
    ///     HomeCareClass::of_symbol("支援診３"),
    ///     Some((FacilityKind::HomeCareClinic, HomeCareClass::Conventional))
    /// );
    /// // The 初診料 機能強化加算 is not a class.
    /// assert_eq!(HomeCareClass::of_symbol("機能強化"), None);
    /// ```
    #[must_use]
    pub fn of_symbol(symbol: &str) -> Option<(FacilityKind, HomeCareClass)> {
        let symbol = symbol.trim();
        let (kind, digit) = if let Some(digit) = symbol.strip_prefix("支援診") {
            (FacilityKind::HomeCareClinic, digit)
        } else if let Some(digit) = symbol.strip_prefix("支援病") {
            (FacilityKind::HomeCareHospital, digit)
        } else if let Some(digit) = symbol.strip_prefix("歯援診") {
            (FacilityKind::HomeCareDentalClinic, digit)
        } else {
            return None;
        };
        let dental = kind == FacilityKind::HomeCareDentalClinic;
        let class = match (digit, dental) {
            ("１" | "1", false) => HomeCareClass::EnhancedSingle,
            ("２" | "2", false) => HomeCareClass::EnhancedNetworked,
            ("３" | "3", false) => HomeCareClass::Conventional,
            ("１" | "1", true) => HomeCareClass::Dental1,
            ("２" | "2", true) => HomeCareClass::Dental2,
            _ => return None,
        };
        Some((kind, class))
    }
}

impl fmt::Display for HomeCareClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A home-care filing (受理記号) of the register, with what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HomeCareFiling {
    /// The 受理記号 exactly as the register publishes it.
    pub symbol: &'static str,
    /// The Japanese label (the 施設基準's name, shortened where the register's is a paragraph).
    pub label_ja: &'static str,
    /// The English label.
    pub label_en: &'static str,
}

const fn filing(
    symbol: &'static str,
    label_ja: &'static str,
    label_en: &'static str,
) -> HomeCareFiling {
    HomeCareFiling { symbol, label_ja, label_en }
}

/// Every 受理記号 kept as a home-care filing of a facility; any other filing of the register
/// (初診料 加算, 入院基本料, …) is not carried.
pub const HOME_CARE_FILINGS: [HomeCareFiling; 22] = [
    filing(
        "支援診１",
        "在宅療養支援診療所（機能強化型・単独）",
        "home-care support clinic, enhanced (on its own)",
    ),
    filing(
        "支援診２",
        "在宅療養支援診療所（機能強化型・連携）",
        "home-care support clinic, enhanced (with partners)",
    ),
    filing("支援診３", "在宅療養支援診療所（従来型）", "home-care support clinic, conventional"),
    filing(
        "支援病１",
        "在宅療養支援病院（機能強化型・単独）",
        "home-care support hospital, enhanced (on its own)",
    ),
    filing(
        "支援病２",
        "在宅療養支援病院（機能強化型・連携）",
        "home-care support hospital, enhanced (with partners)",
    ),
    filing("支援病３", "在宅療養支援病院（従来型）", "home-care support hospital, conventional"),
    filing("在医総管", "在宅時医学総合管理料", "comprehensive home medical management"),
    filing(
        "在医総管１",
        "在宅時医学総合管理料及び施設入居時等医学総合管理料",
        "comprehensive home (and residential facility) medical management",
    ),
    filing(
        "在医総管２",
        "在宅時医学総合管理料の注14に規定する基準",
        "comprehensive home medical management, note 14 standard",
    ),
    filing("在総", "在宅がん医療総合診療料", "comprehensive home cancer care"),
    filing(
        "在緩診実",
        "在宅緩和ケア充実診療所・病院加算",
        "enhanced home palliative care clinic or hospital",
    ),
    filing("在診実１", "在宅療養実績加算１", "home-care track-record bonus 1"),
    filing("在診実２", "在宅療養実績加算２", "home-care track-record bonus 2"),
    filing(
        "在看",
        "在宅患者訪問看護・指導料",
        "home-visit nursing and guidance by the institution",
    ),
    filing("在後病", "在宅療養後方支援病院", "home-care back-up hospital"),
    filing("歯援診１", "在宅療養支援歯科診療所１", "home-care support dental clinic 1"),
    filing("歯援診２", "在宅療養支援歯科診療所２", "home-care support dental clinic 2"),
    filing("歯訪診", "歯科訪問診療料の注15に規定する基準", "dental home-visit care"),
    filing(
        "在歯管",
        "在宅患者歯科治療時医療管理料",
        "medical management during dental treatment of home patients",
    ),
    filing("口管強", "口腔管理体制強化加算", "enhanced oral-care management system"),
    filing("在推進", "在宅歯科医療推進加算", "home dental care promotion"),
    filing("歯地連", "地域医療連携体制加算", "regional medical cooperation system (dental)"),
];

/// The home-care filing with this 受理記号, if it is one.
///
/// ```
/// use care_atlas_core::home_care_filing;
/// assert_eq!(home_care_filing("在総").map(|f| f.label_ja), Some("在宅がん医療総合診療料"));
/// assert_eq!(home_care_filing("時間外３"), None);
/// ```
#[must_use]
pub fn home_care_filing(symbol: &str) -> Option<&'static HomeCareFiling> {
    let symbol = symbol.trim();
    HOME_CARE_FILINGS.iter().find(|f| f.symbol == symbol)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(symbol: &str, expected: Option<(FacilityKind, HomeCareClass)>) {
        assert_eq!(HomeCareClass::of_symbol(symbol), expected, "{symbol}");
    }

    #[test]
    fn class_symbols_map_to_kind_and_class() {
        use FacilityKind::{HomeCareClinic, HomeCareDentalClinic, HomeCareHospital};
        use HomeCareClass::{Conventional, Dental1, Dental2, EnhancedNetworked, EnhancedSingle};
        check("支援診１", Some((HomeCareClinic, EnhancedSingle)));
        check("支援診２", Some((HomeCareClinic, EnhancedNetworked)));
        check("支援診３", Some((HomeCareClinic, Conventional)));
        check("支援病１", Some((HomeCareHospital, EnhancedSingle)));
        check("支援病２", Some((HomeCareHospital, EnhancedNetworked)));
        check("支援病３", Some((HomeCareHospital, Conventional)));
        check("歯援診１", Some((HomeCareDentalClinic, Dental1)));
        check("歯援診２", Some((HomeCareDentalClinic, Dental2)));
        check("歯援診３", None);
        check("支援診", None);
        // The 初診料 機能強化加算 and the 有床診療所 在宅復帰機能強化加算 are not classes.
        check("機能強化", None);
        check("診入帰", None);
        check("在医総管１", None);
    }

    #[test]
    fn every_class_symbol_is_a_home_care_filing_and_ids_round_trip() {
        for symbol in [
            "支援診１",
            "支援診２",
            "支援診３",
            "支援病１",
            "支援病２",
            "支援病３",
            "歯援診１",
            "歯援診２",
        ] {
            assert!(home_care_filing(symbol).is_some(), "{symbol}");
        }
        assert_eq!(home_care_filing("機能強化"), None);
        for class in HomeCareClass::ALL {
            assert_eq!(HomeCareClass::from_id(class.id()), Some(class));
        }
    }
}
