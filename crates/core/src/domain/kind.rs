//! Facility kinds, with stable ids and Japanese and English labels, and how completely each kind is
//! known.
//!
//! The ids are part of the public interface (query parameters, CSV columns), so they never change.

use std::fmt;
use std::str::FromStr;

/// A kind of home-care or medical resource, one per service type in the government data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FacilityKind {
    /// 訪問看護ステーション.
    VisitingNursingStation,
    /// 在宅療養支援診療所.
    HomeCareClinic,
    /// 在宅療養支援病院.
    HomeCareHospital,
    /// 在宅療養支援歯科診療所.
    HomeCareDentalClinic,
    /// 地域包括支援センター.
    CommunitySupportCenter,
    /// 病院.
    Hospital,
    /// 診療所.
    Clinic,
    /// 歯科診療所.
    DentalClinic,
    /// 薬局.
    Pharmacy,
    /// 居宅介護支援事業所.
    CareManagementOffice,
    /// 訪問介護.
    HomeHelp,
    /// 通所介護・地域密着型通所介護.
    DayService,
    /// 介護老人福祉施設 (特別養護老人ホーム).
    NursingHome,
    /// 介護老人保健施設.
    GeriatricHealthFacility,
    /// 介護医療院.
    IntegratedCareHospital,
    /// 定期巡回・随時対応型訪問介護看護.
    PeriodicVisitService,
    /// 夜間対応型訪問介護.
    NightHomeHelp,
}

impl FacilityKind {
    /// Every kind, in the order they are listed to users.
    pub const ALL: [FacilityKind; 17] = [
        FacilityKind::VisitingNursingStation,
        FacilityKind::HomeCareClinic,
        FacilityKind::HomeCareHospital,
        FacilityKind::HomeCareDentalClinic,
        FacilityKind::CommunitySupportCenter,
        FacilityKind::Hospital,
        FacilityKind::Clinic,
        FacilityKind::DentalClinic,
        FacilityKind::Pharmacy,
        FacilityKind::CareManagementOffice,
        FacilityKind::HomeHelp,
        FacilityKind::DayService,
        FacilityKind::NursingHome,
        FacilityKind::GeriatricHealthFacility,
        FacilityKind::IntegratedCareHospital,
        FacilityKind::PeriodicVisitService,
        FacilityKind::NightHomeHelp,
    ];

    /// The stable id used in URLs, files and the database.
    ///
    /// ```
    /// use care_atlas_core::FacilityKind;
    /// assert_eq!(FacilityKind::VisitingNursingStation.id(), "visiting_nursing_station");
    /// assert_eq!("pharmacy".parse::<FacilityKind>(), Ok(FacilityKind::Pharmacy));
    /// ```
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            FacilityKind::VisitingNursingStation => "visiting_nursing_station",
            FacilityKind::HomeCareClinic => "home_care_clinic",
            FacilityKind::HomeCareHospital => "home_care_hospital",
            FacilityKind::HomeCareDentalClinic => "home_care_dental_clinic",
            FacilityKind::CommunitySupportCenter => "community_support_center",
            FacilityKind::Hospital => "hospital",
            FacilityKind::Clinic => "clinic",
            FacilityKind::DentalClinic => "dental_clinic",
            FacilityKind::Pharmacy => "pharmacy",
            FacilityKind::CareManagementOffice => "care_management_office",
            FacilityKind::HomeHelp => "home_help",
            FacilityKind::DayService => "day_service",
            FacilityKind::NursingHome => "nursing_home",
            FacilityKind::GeriatricHealthFacility => "geriatric_health_facility",
            FacilityKind::IntegratedCareHospital => "integrated_care_hospital",
            FacilityKind::PeriodicVisitService => "periodic_visit_service",
            FacilityKind::NightHomeHelp => "night_home_help",
        }
    }

    /// The Japanese label, as the services are named in the government data.
    #[must_use]
    pub const fn label_ja(self) -> &'static str {
        match self {
            FacilityKind::VisitingNursingStation => "訪問看護ステーション",
            FacilityKind::HomeCareClinic => "在宅療養支援診療所",
            FacilityKind::HomeCareHospital => "在宅療養支援病院",
            FacilityKind::HomeCareDentalClinic => "在宅療養支援歯科診療所",
            FacilityKind::CommunitySupportCenter => "地域包括支援センター",
            FacilityKind::Hospital => "病院",
            FacilityKind::Clinic => "診療所",
            FacilityKind::DentalClinic => "歯科診療所",
            FacilityKind::Pharmacy => "薬局",
            FacilityKind::CareManagementOffice => "居宅介護支援事業所",
            FacilityKind::HomeHelp => "訪問介護",
            FacilityKind::DayService => "通所介護・地域密着型通所介護",
            FacilityKind::NursingHome => "介護老人福祉施設",
            FacilityKind::GeriatricHealthFacility => "介護老人保健施設",
            FacilityKind::IntegratedCareHospital => "介護医療院",
            FacilityKind::PeriodicVisitService => "定期巡回・随時対応型訪問介護看護",
            FacilityKind::NightHomeHelp => "夜間対応型訪問介護",
        }
    }

    /// The English label.
    #[must_use]
    pub const fn label_en(self) -> &'static str {
        match self {
            FacilityKind::VisitingNursingStation => "Visiting nursing station",
            FacilityKind::HomeCareClinic => "Home-care support clinic",
            FacilityKind::HomeCareHospital => "Home-care support hospital",
            FacilityKind::HomeCareDentalClinic => "Home-care support dental clinic",
            FacilityKind::CommunitySupportCenter => "Regional comprehensive support center",
            FacilityKind::Hospital => "Hospital",
            FacilityKind::Clinic => "Clinic",
            FacilityKind::DentalClinic => "Dental clinic",
            FacilityKind::Pharmacy => "Pharmacy",
            FacilityKind::CareManagementOffice => "Care-management office",
            FacilityKind::HomeHelp => "Home-help service",
            FacilityKind::DayService => "Day service",
            FacilityKind::NursingHome => "Nursing home for the elderly",
            FacilityKind::GeriatricHealthFacility => "Geriatric health services facility",
            FacilityKind::IntegratedCareHospital => "Integrated long-term care hospital",
            FacilityKind::PeriodicVisitService => {
                "Regular-patrol and on-demand home care and nursing"
            }
            FacilityKind::NightHomeHelp => "Night-time home-help service",
        }
    }
}

impl fmt::Display for FacilityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A kind id that names no [`FacilityKind`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown facility kind `{0}`")]
pub struct UnknownKind(pub String);

impl FromStr for FacilityKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FacilityKind::ALL
            .into_iter()
            .find(|kind| kind.id() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

/// Where a coverage statement applies: our data is complete only for the three study-area towns;
/// neighbouring municipalities hold only the facilities within 10 km of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceScope {
    /// Hasuda, Shiraoka and Miyashiro.
    StudyArea,
    /// Municipalities within 10 km of the study area, for the facilities within 10 km only.
    Neighbours,
}

impl SourceScope {
    /// Stable id.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            SourceScope::StudyArea => "study_area",
            SourceScope::Neighbours => "neighbours_10km",
        }
    }

    /// Parses a stable id.
    #[must_use]
    pub fn from_id(id: &str) -> Option<Self> {
        [SourceScope::StudyArea, SourceScope::Neighbours].into_iter().find(|s| s.id() == id)
    }
}

/// How completely the data covers one kind: a kind with no source is unknown, never zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceCompleteness {
    /// A source lists every facility of this kind in the scope, as far as the source is complete.
    Complete,
    /// A source lists some facilities of this kind; counts are lower bounds.
    Partial,
    /// No source: nothing is known, counts are unknown.
    NoSource,
}

impl SourceCompleteness {
    /// Stable id.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            SourceCompleteness::Complete => "complete",
            SourceCompleteness::Partial => "partial",
            SourceCompleteness::NoSource => "no_source",
        }
    }

    /// Parses a stable id.
    #[must_use]
    pub fn from_id(id: &str) -> Option<Self> {
        [SourceCompleteness::Complete, SourceCompleteness::Partial, SourceCompleteness::NoSource]
            .into_iter()
            .find(|c| c.id() == id)
    }
}

/// How completely one kind is known in one scope, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindCompleteness {
    /// The kind.
    pub kind: FacilityKind,
    /// Where the statement applies.
    pub scope: SourceScope,
    /// How complete the data is.
    pub completeness: SourceCompleteness,
    /// Why, in a sentence (sources used, or what was searched and not found).
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_id_parses_back_to_the_same_kind() {
        for kind in FacilityKind::ALL {
            assert_eq!(kind.id().parse::<FacilityKind>(), Ok(kind));
        }
    }

    #[test]
    fn kind_ids_and_labels_are_unique() {
        let mut ids: Vec<_> = FacilityKind::ALL.iter().map(|k| k.id()).collect();
        let mut ja: Vec<_> = FacilityKind::ALL.iter().map(|k| k.label_ja()).collect();
        let mut en: Vec<_> = FacilityKind::ALL.iter().map(|k| k.label_en()).collect();
        for list in [&mut ids, &mut ja, &mut en] {
            list.sort_unstable();
            list.dedup();
            assert_eq!(list.len(), FacilityKind::ALL.len());
        }
    }

    #[test]
    fn unknown_kind_is_an_error_naming_it() {
        let err = "hospice".parse::<FacilityKind>().unwrap_err();
        assert_eq!(err.to_string(), "unknown facility kind `hospice`");
    }

    #[test]
    fn scope_and_coverage_ids_round_trip() {
        for scope in [SourceScope::StudyArea, SourceScope::Neighbours] {
            assert_eq!(SourceScope::from_id(scope.id()), Some(scope));
        }
        for coverage in [
            SourceCompleteness::Complete,
            SourceCompleteness::Partial,
            SourceCompleteness::NoSource,
        ] {
            assert_eq!(SourceCompleteness::from_id(coverage.id()), Some(coverage));
        }
        assert_eq!(SourceCompleteness::from_id("zero"), None);
    }
}
