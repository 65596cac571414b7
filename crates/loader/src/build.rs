//! `care-atlas data`: turns the raw government files in `shared/data/raw` into the canonical files
//! in `data/`, byte for byte reproducibly.
//!
//! Every record of every raw file used ends up either in a canonical file or in
//! `audit/rejected_records.csv` with its file, line and reason; the build checks that accounting
//! and fails if a record went missing.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use care_atlas_core::{
    AreaRole, Facility, FacilityKind, Gazetteer, KindCompleteness, Municipality, PositionPrecision,
    SourceCompleteness, SourceScope,
};
use serde_json::{Value, json};

use crate::formats::{
    FACILITY_COLUMNS, Format, KIND_COVERAGE_COLUMNS, POPULATION_COLUMNS, ParseOptions,
    SMALL_AREA_COLUMNS, SOURCE_COLUMNS, TOWN_COLUMNS, parse_file,
};
use crate::records::{Batch, SourceInfo};
use crate::{KnownMunicipality, LoadError, Placer, RowError};

/// What a raw file holds for the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    StudyBoundaries,
    NeighbourBoundaries,
    /// Used only to recognise addresses in municipalities outside the mapped area.
    MunicipalityNames,
    Towns,
    SmallAreas,
    Population,
    Facilities,
}

struct RawFile {
    name: &'static str,
    format: Format,
    source: &'static str,
    role: Role,
}

const RAW_FILES: &[RawFile] = &[
    RawFile {
        name: "n03_2019_admin_boundaries_3munis.geojson",
        format: Format::N03,
        source: "mlit-n03-2019",
        role: Role::StudyBoundaries,
    },
    RawFile {
        name: "n03_2019_admin_boundaries_neighbours.geojson",
        format: Format::N03,
        source: "mlit-n03-2019",
        role: Role::NeighbourBoundaries,
    },
    RawFile {
        name: "n03_2021_saitama_municipalities_simplified_s0010.geojson",
        format: Format::N03,
        source: "mlit-n03-2021-simplified",
        role: Role::MunicipalityNames,
    },
    RawFile {
        name: "geolonia_japanese_addresses_towns_3munis.csv",
        format: Format::GeoloniaTowns,
        source: "geolonia-addresses",
        role: Role::Towns,
    },
    RawFile {
        name: "estat_2020_census_small_areas_r2ka11_3munis.csv",
        format: Format::EstatSmallAreas,
        source: "estat-census-2020-small-areas",
        role: Role::SmallAreas,
    },
    RawFile {
        name: "ssdse_a_2025_municipal_stats_3munis_neighbours.csv",
        format: Format::SsdseA,
        source: "ssdse-a-2025",
        role: Role::Population,
    },
    RawFile {
        name: "mhlw_kaigo_130_visiting_nursing_3munis.csv",
        format: Format::KaigoVisitingNursingCopy,
        source: "mhlw-kaigo-130",
        role: Role::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_130_visiting_nursing_neighbours_10km.csv",
        format: Format::KaigoVisitingNursingCopy,
        source: "mhlw-kaigo-130",
        role: Role::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_430_kyotaku_care_support_3munis.csv",
        format: Format::KaigoCareManagementCopy,
        source: "mhlw-kaigo-430",
        role: Role::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_430_kyotaku_care_support_neighbours_10km.csv",
        format: Format::KaigoCareManagementCopy,
        source: "mhlw-kaigo-430",
        role: Role::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_opendata_20250601_facilities_3munis.csv",
        format: Format::KaigoOpenData,
        source: "mhlw-kaigo-opendata",
        role: Role::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_opendata_20250601_facilities_neighbours_10km.csv",
        format: Format::KaigoOpenData,
        source: "mhlw-kaigo-opendata",
        role: Role::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_derived_homehelp_dayservice_3munis.csv",
        format: Format::KaigoDerivedCopy,
        source: "mhlw-kaigo-derived",
        role: Role::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_derived_homehelp_dayservice_neighbours_10km.csv",
        format: Format::KaigoDerivedCopy,
        source: "mhlw-kaigo-derived",
        role: Role::Facilities,
    },
    RawFile {
        name: "mhlw_iryo_hospitals_20250601_3munis.csv",
        format: Format::IryoHospitals,
        source: "mhlw-iryo-hospitals",
        role: Role::Facilities,
    },
    RawFile {
        name: "mhlw_iryo_hospitals_20250601_neighbours_10km.csv",
        format: Format::IryoHospitals,
        source: "mhlw-iryo-hospitals",
        role: Role::Facilities,
    },
    RawFile {
        name: "mhlw_iryo_clinics_dental_pharmacy_3munis.csv",
        format: Format::IryoMedicalCopy,
        source: "mhlw-iryo-medical",
        role: Role::Facilities,
    },
    RawFile {
        name: "zaitakuclinic_navi_homevisit_clinics_partial_3munis.csv",
        format: Format::ZaitakuNavi,
        source: "zaitaku-navi",
        role: Role::Facilities,
    },
];

/// Raw files deliberately not carried into `data/`, and why.
pub const LEFT_OUT: &[(&str, &str)] = &[
    (
        "ekidata_stations_20180330_3munis.csv",
        "its licence (駅データ.jp) does not clearly allow redistribution",
    ),
    (
        "n03_2021_saitama_municipalities_simplified_s0010.geojson",
        "a 1% simplified overview; the full-resolution 2019 N03 boundaries are used instead (its names serve only to recognise addresses elsewhere in Saitama)",
    ),
    (
        "n10_2016_saitama_emergency_transport_roads_box.geojson",
        "main roads only, not a routable network; no feature uses road distance yet",
    ),
    (
        "a31_2012_flood_municipal_summary_3munis_neighbours.csv",
        "a third party's derived, unlicensed flood scores, indicative only",
    ),
];

const KAIGO_CREDIT: &str = "「介護サービス情報公表システム」（厚生労働省）のデータを基に作成";
const KAIGO_TERMS: &str =
    "CC BY 4.0 (as stated by the copy; MHLW open data, 公共データ利用規約 PDL1.0)";
const IRYO_CREDIT: &str = "厚生労働省「医療情報ネット」オープンデータを加工して作成";

/// The sources of the canonical data, with their terms and the exact attribution they ask for:
/// id, title, publisher, licence, attribution, as-of date, what that date is, where the copy was
/// found.
const SOURCES: [[&str; 8]; 11] = [
    [
        "mlit-n03-2019",
        "国土数値情報 行政区域データ N03 (2019-01-01)",
        "国土交通省",
        "国土数値情報 利用約款 (attribution required)",
        "「国土数値情報（行政区域データ）」（国土交通省）を加工して作成",
        "2019-01-01",
        "reference date of the data set",
        "GitHub optgeo/n03-2019-geojson, snapshot c31913f0",
    ],
    [
        "estat-census-2020-small-areas",
        "令和２年国勢調査 町丁・字等別境界データ (attributes)",
        "総務省統計局 (e-Stat)",
        "政府統計の総合窓口 利用規約 (compatible with CC BY 4.0)",
        "「令和２年国勢調査 町丁・字等別境界データ」（総務省統計局、e-Stat）を加工して作成",
        "2020-10-01",
        "census day",
        "GitHub nyatla-ai/dbf-utils dev/r2ka11.dbf, snapshot 955e13fb",
    ],
    [
        "ssdse-a-2025",
        "教育用標準データセット SSDSE-A-2025 (市区町村)",
        "独立行政法人統計センター",
        "統計センター terms (compatible with 政府標準利用規約 / CC BY 4.0)",
        "「教育用標準データセット（SSDSE-A-2025）」（独立行政法人統計センター）を加工して作成",
        "2020-10-01",
        "census day of the population items used",
        "GitHub somakai-sumasi/map_test SSDSE-A-2025.csv, snapshot 52292e81",
    ],
    [
        "geolonia-addresses",
        "Geolonia 住所データ (大字・町丁目 representative points)",
        "Geolonia, based on 国土交通省 位置参照情報 and 日本郵便 郵便番号データ",
        "CC BY 4.0",
        "「Geolonia 住所データ」(CC BY 4.0)、国土交通省「位置参照情報」を基に作成",
        "2024-01-15",
        "date of the copy",
        "GitHub geolonia/japanese-addresses api/ja, snapshot c3999f70",
    ],
    [
        "mhlw-kaigo-130",
        "介護サービス情報公表システム オープンデータ 訪問看護 (jigyosho_130)",
        "厚生労働省",
        KAIGO_TERMS,
        KAIGO_CREDIT,
        "2026-07-12",
        "date of the copy; the publication date of the underlying file is not stated",
        "GitHub osawa-ux/houmonkango-navi gh-pages data/clinics_geo.json, snapshot ade0c6bf",
    ],
    [
        "mhlw-kaigo-430",
        "介護サービス情報公表システム オープンデータ 居宅介護支援 (jigyosho_430)",
        "厚生労働省",
        KAIGO_TERMS,
        KAIGO_CREDIT,
        "2026-07-24",
        "date of the copy; the publication date of the underlying file is not stated",
        "GitHub osawa-ux/kyotaku-navi gh-pages data/search/{11,12,08}.json, snapshot 7d11f5d8",
    ],
    [
        "mhlw-kaigo-opendata",
        "介護サービス情報公表システム オープンデータ 510/520/550/710/760",
        "厚生労働省",
        KAIGO_TERMS,
        KAIGO_CREDIT,
        "2025-06-01",
        "publication date of the open-data files",
        "GitHub mojitap/helpmesearch data/mhlw/2025-06-01, snapshot 3c58ec1e",
    ],
    [
        "mhlw-kaigo-derived",
        "介護サービス情報公表システム オープンデータ 110/150/780 (derived copy)",
        "厚生労働省",
        KAIGO_TERMS,
        KAIGO_CREDIT,
        "2025-10-13",
        "date of the copy; the raw files were not in the copy, only a derived JSON",
        "GitHub mojitap/helpmesearch public/data/care, snapshot 3c58ec1e",
    ],
    [
        "mhlw-iryo-hospitals",
        "医療情報ネット オープンデータ 病院 (01-1_hospital_facility_info)",
        "厚生労働省",
        "MHLW open data (check MHLW's terms)",
        IRYO_CREDIT,
        "2025-06-01",
        "publication date of the open-data file",
        "GitHub mojitap/helpmesearch data/mhlw/2025-06-01, snapshot 3c58ec1e",
    ],
    [
        "mhlw-iryo-medical",
        "医療情報ネット オープンデータ 診療所・歯科診療所・薬局 (derived copy, no coordinates)",
        "厚生労働省",
        "MHLW open data (check MHLW's terms)",
        IRYO_CREDIT,
        "2025-10-13",
        "date of the copy; the clinic list looks incomplete",
        "GitHub mojitap/helpmesearch public/data/medical, snapshot 3c58ec1e",
    ],
    [
        "zaitaku-navi",
        "訪問診療を行う診療所 (a portal's partial list)",
        "a commercial portal, built from 医療情報ネット and 厚生局届出",
        "no licence stated; facts (names, addresses) only",
        "訪問診療クリニック一覧（houmonshinsatsu-navi）より。医療情報ネット・厚生局届出に基づく",
        "",
        "not known",
        "GitHub osawa-ux/houmonshinsatsu-navi data/search/11.json, commit 9a1d292c",
    ],
];

fn sources() -> Vec<SourceInfo> {
    SOURCES
        .iter()
        .map(|[id, title, publisher, licence, attribution, as_of, basis, origin]| SourceInfo {
            id: (*id).into(),
            title: (*title).into(),
            publisher: (*publisher).into(),
            licence: (*licence).into(),
            attribution: (*attribution).into(),
            as_of: (!as_of.is_empty()).then(|| (*as_of).into()),
            as_of_basis: (*basis).into(),
            origin: (*origin).into(),
        })
        .collect()
}

/// How completely each kind is known in the study area and in the neighbouring municipalities.
fn kind_coverage() -> Vec<KindCompleteness> {
    use FacilityKind as K;
    use SourceCompleteness::{Complete, NoSource, Partial};
    const WITHIN: &str = "facilities within 10 km of the study area only; a few records without usable coordinates could not be selected";
    const NO_NEIGHBOURS: &str = "no neighbouring records were extracted for this kind";
    let study = |kind, completeness, note: &str| KindCompleteness {
        kind,
        scope: SourceScope::StudyArea,
        completeness,
        note: note.into(),
    };
    let neighbours = |kind, completeness, note: &str| KindCompleteness {
        kind,
        scope: SourceScope::Neighbours,
        completeness,
        note: note.into(),
    };
    vec![
        study(K::VisitingNursingStation, Complete, "介護サービス情報公表 訪問看護"),
        neighbours(K::VisitingNursingStation, Complete, WITHIN),
        study(
            K::HomeCareClinic,
            Partial,
            "a portal's list of clinics doing home visits; no 在宅療養支援診療所 register was found",
        ),
        neighbours(K::HomeCareClinic, NoSource, NO_NEIGHBOURS),
        study(
            K::CommunitySupportCenter,
            NoSource,
            "no public record with an address was found for 地域包括支援センター",
        ),
        neighbours(
            K::CommunitySupportCenter,
            NoSource,
            "no public record with an address was found for 地域包括支援センター",
        ),
        study(K::Hospital, Complete, "医療情報ネット 病院"),
        neighbours(K::Hospital, Complete, WITHIN),
        study(
            K::Clinic,
            Partial,
            "医療情報ネット 診療所 as derived by a third party; the prefecture-wide list looks incomplete",
        ),
        neighbours(K::Clinic, NoSource, NO_NEIGHBOURS),
        study(
            K::DentalClinic,
            Complete,
            "医療情報ネット 歯科診療所 (addresses only, geocoded to town)",
        ),
        neighbours(K::DentalClinic, NoSource, NO_NEIGHBOURS),
        study(K::Pharmacy, Complete, "医療情報ネット 薬局 (addresses only, geocoded to town)"),
        neighbours(K::Pharmacy, NoSource, NO_NEIGHBOURS),
        study(K::CareManagementOffice, Complete, "介護サービス情報公表 居宅介護支援"),
        neighbours(K::CareManagementOffice, Complete, WITHIN),
        study(K::HomeHelp, Complete, "介護サービス情報公表 訪問介護 (derived copy)"),
        neighbours(K::HomeHelp, Complete, WITHIN),
        study(
            K::DayService,
            Complete,
            "介護サービス情報公表 通所介護・地域密着型通所介護 (derived copy)",
        ),
        neighbours(K::DayService, Complete, WITHIN),
        study(K::NursingHome, Complete, "介護サービス情報公表 介護老人福祉施設"),
        neighbours(K::NursingHome, Complete, WITHIN),
        study(K::GeriatricHealthFacility, Complete, "介護サービス情報公表 介護老人保健施設"),
        neighbours(K::GeriatricHealthFacility, Complete, WITHIN),
        study(K::IntegratedCareHospital, Complete, "介護サービス情報公表 介護医療院"),
        neighbours(K::IntegratedCareHospital, Complete, WITHIN),
        study(
            K::PeriodicVisitService,
            Complete,
            "介護サービス情報公表 定期巡回・随時対応型訪問介護看護",
        ),
        neighbours(K::PeriodicVisitService, Complete, WITHIN),
        study(K::NightHomeHelp, Complete, "介護サービス情報公表 夜間対応型訪問介護"),
        neighbours(K::NightHomeHelp, Complete, WITHIN),
    ]
}

/// What the build produced.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Facilities written.
    pub facilities: Vec<Facility>,
    /// Records rejected, with file (name only), line and reason.
    pub rejected: Vec<RowError>,
    /// Municipalities written.
    pub municipalities: Vec<Municipality>,
}

impl BuildReport {
    /// Facilities whose position was geocoded or repaired, with the note saying how.
    pub fn positions_changed(&self) -> impl Iterator<Item = &Facility> {
        self.facilities.iter().filter(|f| f.position_precision == PositionPrecision::GeocodedTown)
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io { path: path.to_owned(), source }
}

fn parse_raw(raw_dir: &Path, file: &RawFile) -> Result<Batch, LoadError> {
    let path = raw_dir.join(file.name);
    let options = ParseOptions {
        format: Some(file.format),
        source: Some(file.source.to_owned()),
        as_of: source_as_of(file.source),
    };
    let mut batch = parse_file(&path, &options)?.batch;
    for error in &mut batch.row_errors {
        error.path = PathBuf::from(file.name);
    }
    Ok(batch)
}

fn source_as_of(id: &str) -> Option<String> {
    sources().into_iter().find(|s| s.id == id).and_then(|s| s.as_of)
}

/// Builds the canonical data set from `raw_dir` into `out_dir`. `out_dir/README.md` must exist: its
/// generated sections (between `<!-- BEGIN generated:NAME -->` and `<!-- END generated:NAME -->`)
/// are rewritten, the rest is left as written.
pub fn build_canonical(raw_dir: &Path, out_dir: &Path) -> Result<BuildReport, LoadError> {
    let mut batches: Vec<(&RawFile, Batch)> = Vec::new();
    for file in RAW_FILES {
        batches.push((file, parse_raw(raw_dir, file)?));
    }
    let take = |role: Role, batches: &mut Vec<(&RawFile, Batch)>| -> Batch {
        let mut out = Batch::default();
        for (file, batch) in batches.iter_mut() {
            if file.role == role {
                out.append(std::mem::take(batch));
            }
        }
        out
    };
    let mut study = take(Role::StudyBoundaries, &mut batches);
    let neighbours = take(Role::NeighbourBoundaries, &mut batches);
    let names = take(Role::MunicipalityNames, &mut batches);
    let towns = take(Role::Towns, &mut batches);
    let small_areas = take(Role::SmallAreas, &mut batches);
    let population = take(Role::Population, &mut batches);
    // Bad rows of the non-facility files (a town without coordinates) are rejected like any other.
    let non_facility_errors: Vec<RowError> =
        [&study, &neighbours, &names, &towns, &small_areas, &population]
            .iter()
            .flat_map(|b| b.row_errors.iter().cloned())
            .collect();
    study.municipalities.extend(neighbours.municipalities);
    let municipalities: Vec<Municipality> =
        study.municipalities.iter().map(|m| m.value.clone()).collect();
    if municipalities.iter().filter(|m| m.role == AreaRole::StudyArea).count() != 3 {
        return Err(LoadError::Raw {
            path: raw_dir.to_owned(),
            detail: "the study-area boundary file must hold 蓮田市, 白岡市 and 宮代町".into(),
        });
    }
    let elsewhere: Vec<KnownMunicipality> = names
        .municipalities
        .iter()
        .filter(|n| !municipalities.iter().any(|m| m.code == n.value.code))
        .map(|n| KnownMunicipality {
            prefecture: n.value.prefecture.clone(),
            county: n.value.county.clone(),
            name: n.value.name.clone(),
        })
        .collect();
    let gazetteer = Gazetteer::new(towns.towns.iter().map(|t| t.value.clone()).collect());
    let placer = Placer::new(municipalities.clone(), elsewhere, gazetteer);

    let mut report = BuildReport {
        municipalities: municipalities.clone(),
        rejected: non_facility_errors,
        ..BuildReport::default()
    };
    let mut first_seen: HashMap<(String, String), (String, crate::RowLocation)> = HashMap::new();
    for (file, batch) in &batches {
        if file.role != Role::Facilities {
            continue;
        }
        let mut accounted = batch.row_errors.len();
        report.rejected.extend(batch.row_errors.iter().cloned());
        for draft in &batch.facilities {
            accounted += 1;
            let reject = |reason: String| RowError {
                path: PathBuf::from(file.name),
                location: draft.location,
                record_id: Some(draft.record_id.clone()),
                name: Some(draft.name.clone()),
                reason,
            };
            let key = (draft.source.clone(), draft.record_id.clone());
            if let Some((first_file, first_location)) = first_seen.get(&key) {
                report.rejected.push(reject(format!(
                    "duplicate of the record at {first_file}:{first_location}"
                )));
                continue;
            }
            first_seen.insert(key, (file.name.to_owned(), draft.location));
            match placer.place(draft) {
                Ok(facility) => report.facilities.push(facility),
                Err(reason) => report.rejected.push(reject(reason)),
            }
        }
        if accounted != batch.rows_read {
            return Err(LoadError::Raw {
                path: raw_dir.join(file.name),
                detail: format!("{} rows read but {accounted} accounted for", batch.rows_read),
            });
        }
    }
    report.facilities.sort_by(|a, b| a.id.cmp(&b.id));
    report.rejected.sort();

    write_canonical(out_dir, &report, &study.municipalities, &population, &small_areas, &towns)?;
    Ok(report)
}

/// Writes every canonical file and the generated sections of the README.
fn write_canonical(
    out_dir: &Path,
    report: &BuildReport,
    municipalities: &[crate::Sourced<Municipality>],
    population: &Batch,
    small_areas: &Batch,
    towns: &Batch,
) -> Result<(), LoadError> {
    std::fs::create_dir_all(out_dir.join("audit")).map_err(io_error(out_dir))?;
    write_csv(
        &out_dir.join("facilities.csv"),
        &FACILITY_COLUMNS,
        report.facilities.iter().map(facility_row),
    )?;
    write_municipalities(&out_dir.join("municipalities.geojson"), municipalities)?;
    write_csv(
        &out_dir.join("municipal_population.csv"),
        &POPULATION_COLUMNS,
        population.populations.iter().map(|p| {
            let v = &p.value;
            let opt = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
            vec![
                v.code.to_string(),
                v.name.clone(),
                v.census_year.to_string(),
                v.total.to_string(),
                opt(v.aged_65_plus),
                opt(v.aged_75_plus),
                opt(v.households),
                v.area_km2.map(|a| a.to_string()).unwrap_or_default(),
                p.source.clone(),
            ]
        }),
    )?;
    write_csv(
        &out_dir.join("small_areas.csv"),
        &SMALL_AREA_COLUMNS,
        small_areas.small_areas.iter().map(|a| {
            let v = &a.value;
            vec![
                v.key_code.clone(),
                v.piece.clone().unwrap_or_default(),
                v.municipality_code.to_string(),
                v.name.clone(),
                v.population.to_string(),
                v.households.to_string(),
                v.area_m2.to_string(),
                v.representative_point.lat().to_string(),
                v.representative_point.lon().to_string(),
                a.source.clone(),
            ]
        }),
    )?;
    write_csv(
        &out_dir.join("towns.csv"),
        &TOWN_COLUMNS,
        towns.towns.iter().map(|t| {
            let v = &t.value;
            vec![
                v.municipality_code.to_string(),
                v.town.clone(),
                v.position.lat().to_string(),
                v.position.lon().to_string(),
                v.postal_code.clone().unwrap_or_default(),
                t.source.clone(),
            ]
        }),
    )?;
    write_csv(
        &out_dir.join("sources.csv"),
        &SOURCE_COLUMNS,
        sources().into_iter().map(|s| {
            vec![
                s.id,
                s.title,
                s.publisher,
                s.licence,
                s.attribution,
                s.as_of.unwrap_or_default(),
                s.as_of_basis,
                s.origin,
            ]
        }),
    )?;
    write_csv(
        &out_dir.join("kind_coverage.csv"),
        &KIND_COVERAGE_COLUMNS,
        kind_coverage().into_iter().map(|c| {
            vec![
                c.kind.id().to_owned(),
                c.scope.id().to_owned(),
                c.completeness.id().to_owned(),
                c.note,
            ]
        }),
    )?;
    write_rejects(&out_dir.join("audit").join("rejected_records.csv"), &report.rejected)?;
    update_readme(out_dir, report)
}

/// Rewrites the generated sections of `out_dir/README.md`.
fn update_readme(out_dir: &Path, report: &BuildReport) -> Result<(), LoadError> {
    let readme = out_dir.join("README.md");
    let text = std::fs::read_to_string(&readme).map_err(io_error(&readme))?;
    let text = replace_generated(&text, "counts", &counts_table(report, &report.municipalities))
        .and_then(|t| replace_generated(&t, "positions", &positions_section(report)))
        .and_then(|t| replace_generated(&t, "sources", &sources_section()))
        .and_then(|t| replace_generated(&t, "rejected", &rejected_section(report)))
        .and_then(|t| replace_generated(&t, "left-out", &left_out_section()))
        .ok_or_else(|| LoadError::Raw {
            path: readme.clone(),
            detail: "lacks the generated-section markers (counts, positions, sources, rejected, left-out)".into(),
        })?;
    std::fs::write(&readme, text).map_err(io_error(&readme))?;
    Ok(())
}

/// Writes the rejected records with file, line and reason.
fn write_rejects(path: &Path, rejected: &[RowError]) -> Result<(), LoadError> {
    write_csv(
        path,
        &["file", "line", "record_id", "name", "reason"],
        rejected.iter().map(|e| {
            vec![
                e.path.display().to_string(),
                e.location.to_string(),
                e.record_id.clone().unwrap_or_default(),
                e.name.clone().unwrap_or_default(),
                e.reason.clone(),
            ]
        }),
    )
}

fn facility_row(f: &Facility) -> Vec<String> {
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    vec![
        f.id.to_string(),
        f.kind.id().to_owned(),
        f.name.clone(),
        opt(&f.name_kana),
        f.address.clone(),
        f.municipality_code.to_string(),
        f.position.lat().to_string(),
        f.position.lon().to_string(),
        f.position_precision.id().to_owned(),
        opt(&f.position_note),
        opt(&f.phone),
        opt(&f.url),
        f.capacity.map(|c| c.to_string()).unwrap_or_default(),
        opt(&f.open_days),
        f.provenance.source.clone(),
        f.provenance.record_id.clone(),
        opt(&f.provenance.as_of),
    ]
}

fn write_csv(
    path: &Path,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), LoadError> {
    let csv_error =
        |e: csv::Error| LoadError::Io { path: path.to_owned(), source: std::io::Error::other(e) };
    let mut writer = csv::Writer::from_path(path).map_err(csv_error)?;
    writer.write_record(header).map_err(csv_error)?;
    for row in rows {
        writer.write_record(&row).map_err(csv_error)?;
    }
    writer.flush().map_err(io_error(path))
}

/// Writes the boundaries as a FeatureCollection, one feature per line so that diffs stay readable.
fn write_municipalities(
    path: &Path,
    municipalities: &[crate::Sourced<Municipality>],
) -> Result<(), LoadError> {
    let mut sorted: Vec<&crate::Sourced<Municipality>> = municipalities.iter().collect();
    sorted.sort_by_key(|m| m.value.code);
    let features: Vec<String> = sorted
        .iter()
        .map(|m| {
            let v = &m.value;
            let geometry: Value =
                serde_json::from_str(&crate::store::boundary_geojson(&v.boundary))
                    .unwrap_or(Value::Null);
            json!({
                "type": "Feature",
                "properties": {
                    "code": v.code.to_string(),
                    "name": v.name,
                    "prefecture": v.prefecture,
                    "county": v.county,
                    "role": v.role.id(),
                    "source": m.source,
                },
                "geometry": geometry,
            })
            .to_string()
        })
        .collect();
    let text =
        format!("{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n", features.join(",\n"));
    std::fs::write(path, text).map_err(io_error(path))
}

/// Replaces the text between the markers of generated section `name`.
fn replace_generated(text: &str, name: &str, content: &str) -> Option<String> {
    let begin = format!("<!-- BEGIN generated:{name} -->\n");
    let end = format!("<!-- END generated:{name} -->");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    Some(format!("{}{content}{}", &text[..start], &text[stop..]))
}

/// The table of facility counts per kind per study-area town, and for the neighbours in total.
/// A kind with no source reads `no source`, never 0; a partial one is marked.
fn counts_table(report: &BuildReport, municipalities: &[Municipality]) -> String {
    let mut towns: Vec<&Municipality> =
        municipalities.iter().filter(|m| m.role == AreaRole::StudyArea).collect();
    towns.sort_by_key(|m| m.code);
    let coverage = kind_coverage();
    let coverage_of = |kind: FacilityKind, scope: SourceScope| {
        coverage
            .iter()
            .find(|c| c.kind == kind && c.scope == scope)
            .map_or(SourceCompleteness::NoSource, |c| c.completeness)
    };
    let mut counts: BTreeMap<(FacilityKind, String), usize> = BTreeMap::new();
    for f in &report.facilities {
        let column = if towns.iter().any(|t| t.code == f.municipality_code) {
            f.municipality_code.to_string()
        } else {
            "neighbours".to_owned()
        };
        *counts.entry((f.kind, column)).or_default() += 1;
    }
    let cell = |kind: FacilityKind, column: &str, scope: SourceScope| {
        let n = counts.get(&(kind, column.to_owned())).copied().unwrap_or(0);
        match coverage_of(kind, scope) {
            SourceCompleteness::NoSource => "no source".to_owned(),
            SourceCompleteness::Partial => format!("{n} (partial)"),
            SourceCompleteness::Complete => n.to_string(),
        }
    };
    let mut out = String::new();
    let header: Vec<String> = towns.iter().map(|t| format!("{} {}", t.name, t.code)).collect();
    let _ =
        writeln!(out, "| kind | {} | study area | neighbours (within 10 km) |", header.join(" | "));
    let _ = writeln!(out, "|---|{}---:|---:|", "---:|".repeat(towns.len()));
    for kind in FacilityKind::ALL {
        let per_town: Vec<String> =
            towns.iter().map(|t| cell(kind, &t.code.to_string(), SourceScope::StudyArea)).collect();
        let study_total: usize = towns
            .iter()
            .map(|t| counts.get(&(kind, t.code.to_string())).copied().unwrap_or(0))
            .sum();
        let study = match coverage_of(kind, SourceScope::StudyArea) {
            SourceCompleteness::NoSource => "no source".to_owned(),
            SourceCompleteness::Partial => format!("{study_total} (partial)"),
            SourceCompleteness::Complete => study_total.to_string(),
        };
        let _ = writeln!(
            out,
            "| `{}` {} | {} | {study} | {} |",
            kind.id(),
            kind.label_ja(),
            per_town.join(" | "),
            cell(kind, "neighbours", SourceScope::Neighbours)
        );
    }
    let in_study = report
        .facilities
        .iter()
        .filter(|f| towns.iter().any(|t| t.code == f.municipality_code))
        .count();
    let _ = writeln!(
        out,
        "\n{} facilities in all: {in_study} in the study area and {} in neighbouring municipalities; {} records rejected (see `audit/rejected_records.csv`).",
        report.facilities.len(),
        report.facilities.len() - in_study,
        report.rejected.len()
    );
    out
}

/// How positions were derived, with counts.
fn positions_section(report: &BuildReport) -> String {
    let source = report
        .facilities
        .iter()
        .filter(|f| f.position_precision == PositionPrecision::Source)
        .count();
    let kept_near = report
        .facilities
        .iter()
        .filter(|f| f.position_note.as_deref().is_some_and(|n| n.contains("kept as published")))
        .count();
    let from_position = report
        .facilities
        .iter()
        .filter(|f| {
            f.position_note
                .as_deref()
                .is_some_and(|n| n.contains("municipality taken from the source position"))
        })
        .count();
    let geocoded = report
        .positions_changed()
        .filter(|f| {
            f.position_note
                .as_deref()
                .is_some_and(|n| n.starts_with("the source gives no coordinates"))
        })
        .count();
    let repaired = report.positions_changed().count() - geocoded;
    format!(
        "| position | facilities |\n|---|---:|\n| `source`: as published | {source} |\n| … of which up to {:.0} m outside their municipality's boundary, kept | {kept_near} |\n| … of which with no municipality in the address, municipality taken from the position | {from_position} |\n| `geocoded_town`: no coordinates in the source, placed at the town point | {geocoded} |\n| `geocoded_town`: source coordinates contradicted the address, repaired to the town point | {repaired} |\n",
        crate::place::BOUNDARY_TOLERANCE_M
    )
}

/// Escapes a value for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The sources table: what, who, terms, the exact attribution, and dates.
fn sources_section() -> String {
    let mut out = String::from(
        "| id | data | publisher | licence / terms | attribution (as the terms ask) | as of | copy found in |\n|---|---|---|---|---|---|---|\n",
    );
    for s in sources() {
        let as_of = s.as_of.map_or_else(
            || format!("unknown ({})", s.as_of_basis),
            |d| format!("{d} ({})", s.as_of_basis),
        );
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            s.id,
            cell(&s.title),
            cell(&s.publisher),
            cell(&s.licence),
            cell(&s.attribution),
            cell(&as_of),
            cell(&s.origin)
        );
    }
    out
}

/// Every rejected record with its file, line and reason, and every repaired position.
fn rejected_section(report: &BuildReport) -> String {
    let mut out = String::from("| file:line | record | reason |\n|---|---|---|\n");
    for e in &report.rejected {
        let record = match (&e.record_id, &e.name) {
            (Some(id), Some(name)) => format!("{id} {name}"),
            (Some(id), None) => id.clone(),
            (None, Some(name)) => name.clone(),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            out,
            "| {}:{} | {} | {} |",
            e.path.display(),
            e.location,
            cell(&record),
            cell(&e.reason)
        );
    }
    out.push_str("\nRepaired positions (source coordinates contradicted the address):\n\n| facility | what was done |\n|---|---|\n");
    for f in report.positions_changed().filter(|f| {
        f.position_note
            .as_deref()
            .is_some_and(|n| !n.starts_with("the source gives no coordinates"))
    }) {
        let _ = writeln!(
            out,
            "| `{}` {} | {} |",
            f.id,
            cell(&f.name),
            cell(f.position_note.as_deref().unwrap_or_default())
        );
    }
    out
}

/// Raw files not carried into `data/`, and why.
fn left_out_section() -> String {
    let mut out = String::from("| raw file | why it is not in `data/` |\n|---|---|\n");
    for (file, why) in LEFT_OUT {
        let _ = writeln!(out, "| `{file}` | {why} |");
    }
    out
}
