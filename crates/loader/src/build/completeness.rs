//! The kind completeness statements: how completely the sources know each kind of facility in the
//! study area and in the neighbouring municipalities.

use std::collections::BTreeMap;

use care_atlas_core::{FacilityKind, KindCompleteness, SourceCompleteness, SourceScope};

/// What is known of one kind in one scope, and why.
struct Known {
    completeness: SourceCompleteness,
    note: &'static str,
}

const fn complete(note: &'static str) -> Known {
    Known { completeness: SourceCompleteness::Complete, note }
}

const fn partial(note: &'static str) -> Known {
    Known { completeness: SourceCompleteness::Partial, note }
}

const fn no_source(note: &'static str) -> Known {
    Known { completeness: SourceCompleteness::NoSource, note }
}

/// What is known of one kind in the study area and in the neighbours.
struct KindStatement {
    kind: FacilityKind,
    study_area: Known,
    neighbours: Known,
}

// The neighbouring extracts select records by their source coordinates (within 10 km of the study
// area), so a record whose coordinates are missing or wrong is not in them even when its address is
// near: the coverage there is partial, and each note says how many such records SOURCES.md lists.
const NEIGHBOURS_VISITING_NURSING: &str = "facilities within 10 km only; 4 stations with unusable coordinates in the source (さいたま市北区, 見沼区 2, 上尾市) are missing (SOURCES.md §14)";
const NEIGHBOURS_HOSPITAL: &str = "facilities within 10 km only; 1 hospital with coordinates 0/0 in the source (古河市) is missing (SOURCES.md §15)";
const NEIGHBOURS_CARE_MANAGEMENT: &str = "facilities within 10 km only; 3 offices with unusable coordinates in the source (岩槻区, 春日部市, 上尾市) are missing, and 3 whose coordinates contradict their address were rejected (SOURCES.md §16, audit/rejected_records.csv)";
const NEIGHBOURS_HOME_HELP: &str = "facilities within 10 km only; 5 offices with unusable coordinates in the source are missing, and 3 whose coordinates contradict their address were rejected (SOURCES.md §18, audit/rejected_records.csv)";
const NEIGHBOURS_DAY_SERVICE: &str = "facilities within 10 km only; 7 offices with unusable coordinates in the source are missing (SOURCES.md §18)";
const NEIGHBOURS_CARE_FACILITIES: &str = "facilities within 10 km only; 8 records of 特養, 老健, 介護医療院, 夜間対応型訪問介護 and 定期巡回 with unusable coordinates in the source are missing (SOURCES.md §17)";
const NO_NEIGHBOURS: &str = "no neighbouring records were extracted for this kind";
/// The neighbours' note of a register kind, before the build puts its counts in.
const REGISTER_NEIGHBOURS: &str = "the 厚生局's register lists every institution of the neighbouring municipalities, but only those linked to a 医療情報ネット record with coordinates can be placed (the gazetteer covers the study area only)";
const NO_SUPPORT_CENTER_RECORD: &str =
    "no public record with an address was found for 地域包括支援センター";

const STATEMENTS: &[KindStatement] = &[
    KindStatement {
        kind: FacilityKind::VisitingNursingStation,
        study_area: complete("介護サービス情報公表 訪問看護"),
        neighbours: partial(NEIGHBOURS_VISITING_NURSING),
    },
    KindStatement {
        kind: FacilityKind::HomeCareClinic,
        study_area: complete(
            "関東信越厚生局 施設基準の届出受理医療機関名簿（医科）, 支援診１/２/３, as of 2025-09-01",
        ),
        neighbours: partial(REGISTER_NEIGHBOURS),
    },
    KindStatement {
        kind: FacilityKind::HomeCareHospital,
        study_area: complete(
            "関東信越厚生局 施設基準の届出受理医療機関名簿（医科）, 支援病１/２/３, as of 2025-09-01",
        ),
        neighbours: partial(REGISTER_NEIGHBOURS),
    },
    KindStatement {
        kind: FacilityKind::HomeCareDentalClinic,
        study_area: complete(
            "関東信越厚生局 施設基準の届出受理医療機関名簿（歯科）, 歯援診１/２, as of 2026-05-01",
        ),
        neighbours: partial(REGISTER_NEIGHBOURS),
    },
    KindStatement {
        kind: FacilityKind::CommunitySupportCenter,
        study_area: no_source(NO_SUPPORT_CENTER_RECORD),
        neighbours: no_source(NO_SUPPORT_CENTER_RECORD),
    },
    KindStatement {
        kind: FacilityKind::Hospital,
        // The 厚生局 register lists 蓮田一心会病院 (一般 50 beds, so a hospital) in 蓮田市, which the
        // 医療情報ネット copy of 2025-06-01 lacks: the copy is not the whole list.
        study_area: partial(
            "医療情報ネット 病院 (2025-06-01); the 厚生局 register (2025-09-01) also lists 蓮田一心会病院 (一般 50 beds), which this copy lacks and which is mapped only as a 在宅療養支援病院",
        ),
        neighbours: partial(NEIGHBOURS_HOSPITAL),
    },
    KindStatement {
        kind: FacilityKind::Clinic,
        study_area: partial(
            "医療情報ネット 診療所 as derived by a third party; the prefecture-wide list looks incomplete",
        ),
        neighbours: no_source(NO_NEIGHBOURS),
    },
    KindStatement {
        kind: FacilityKind::DentalClinic,
        study_area: complete("医療情報ネット 歯科診療所 (addresses only, geocoded to town)"),
        neighbours: no_source(NO_NEIGHBOURS),
    },
    KindStatement {
        kind: FacilityKind::Pharmacy,
        study_area: complete("医療情報ネット 薬局 (addresses only, geocoded to town)"),
        neighbours: no_source(NO_NEIGHBOURS),
    },
    KindStatement {
        kind: FacilityKind::CareManagementOffice,
        study_area: complete("介護サービス情報公表 居宅介護支援"),
        neighbours: partial(NEIGHBOURS_CARE_MANAGEMENT),
    },
    KindStatement {
        kind: FacilityKind::HomeHelp,
        study_area: complete("介護サービス情報公表 訪問介護 (derived copy)"),
        neighbours: partial(NEIGHBOURS_HOME_HELP),
    },
    KindStatement {
        kind: FacilityKind::DayService,
        study_area: complete("介護サービス情報公表 通所介護・地域密着型通所介護 (derived copy)"),
        neighbours: partial(NEIGHBOURS_DAY_SERVICE),
    },
    KindStatement {
        kind: FacilityKind::NursingHome,
        study_area: complete("介護サービス情報公表 介護老人福祉施設"),
        neighbours: partial(NEIGHBOURS_CARE_FACILITIES),
    },
    KindStatement {
        kind: FacilityKind::GeriatricHealthFacility,
        study_area: complete("介護サービス情報公表 介護老人保健施設"),
        neighbours: partial(NEIGHBOURS_CARE_FACILITIES),
    },
    KindStatement {
        kind: FacilityKind::IntegratedCareHospital,
        study_area: complete("介護サービス情報公表 介護医療院"),
        neighbours: partial(NEIGHBOURS_CARE_FACILITIES),
    },
    KindStatement {
        kind: FacilityKind::PeriodicVisitService,
        study_area: complete("介護サービス情報公表 定期巡回・随時対応型訪問介護看護"),
        neighbours: partial(NEIGHBOURS_CARE_FACILITIES),
    },
    KindStatement {
        kind: FacilityKind::NightHomeHelp,
        study_area: complete("介護サービス情報公表 夜間対応型訪問介護"),
        neighbours: partial(NEIGHBOURS_CARE_FACILITIES),
    },
];

/// How many register institutions of a kind the neighbouring municipalities list, and how many
/// of them were placed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListedPlaced {
    /// Institutions listed in the neighbouring municipalities.
    pub listed: usize,
    /// Of those, placed.
    pub placed: usize,
}

/// Every statement, the study area's before the neighbours' for each kind, in catalogue order;
/// a register kind's neighbour note says how many of its listed institutions were placed.
pub(super) fn kind_completeness(
    register_neighbours: &BTreeMap<FacilityKind, ListedPlaced>,
) -> Vec<KindCompleteness> {
    let statement = |kind, scope, known: &Known| KindCompleteness {
        kind,
        scope,
        completeness: known.completeness,
        note: match register_neighbours.get(&kind) {
            Some(counts) if scope == SourceScope::Neighbours => format!(
                "{} of {} listed institutions placed: {}",
                counts.placed, counts.listed, known.note
            ),
            _ => known.note.into(),
        },
    };
    STATEMENTS
        .iter()
        .flat_map(|s| {
            [
                statement(s.kind, SourceScope::StudyArea, &s.study_area),
                statement(s.kind, SourceScope::Neighbours, &s.neighbours),
            ]
        })
        .collect()
}

/// How completely `kind` is known in `scope`; a kind without a statement has no source.
pub(super) fn completeness_of(kind: FacilityKind, scope: SourceScope) -> SourceCompleteness {
    STATEMENTS.iter().find(|s| s.kind == kind).map_or(SourceCompleteness::NoSource, |s| match scope
    {
        SourceScope::StudyArea => s.study_area.completeness,
        SourceScope::Neighbours => s.neighbours.completeness,
    })
}
