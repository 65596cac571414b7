//! The raw-file catalogue: which files of `shared/data/raw` the build reads, in which layout and
//! from which source, what each holds, and which files are deliberately left out.

use care_atlas_core::{AreaRole, FacilityKind};

use super::contacts::ContactFile;
use crate::formats::Format;

/// What a raw file holds for the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Content {
    /// Boundaries of the study-area municipalities.
    StudyBoundaries,
    /// Boundaries of the neighbouring municipalities.
    NeighbourBoundaries,
    /// Used only to recognise addresses in municipalities outside the mapped area.
    MunicipalityNames,
    /// Gazetteer town points.
    Towns,
    /// Census small areas.
    SmallAreas,
    /// Municipal population.
    Population,
    /// Census population by 500 m mesh cell.
    CensusMesh,
    /// Facility records.
    Facilities,
}

impl Content {
    /// The role of every municipality in a boundary file: which raw file a municipality comes from
    /// says whether it is studied, so no municipal code is needed. The names-only file's roles are
    /// never used.
    pub(super) fn boundary_role(self) -> Option<AreaRole> {
        match self {
            Content::StudyBoundaries => Some(AreaRole::StudyArea),
            Content::NeighbourBoundaries | Content::MunicipalityNames => Some(AreaRole::Neighbour),
            Content::Towns
            | Content::SmallAreas
            | Content::Population
            | Content::CensusMesh
            | Content::Facilities => None,
        }
    }
}

/// One raw file the build reads.
pub(super) struct RawFile {
    /// File name in the raw folder.
    pub name: &'static str,
    /// Its layout.
    pub format: Format,
    /// The id of its source in the source catalogue.
    pub source: &'static str,
    /// What it holds.
    pub content: Content,
}

/// Every raw file the build reads, in the order read.
pub(super) const RAW_FILES: &[RawFile] = &[
    RawFile {
        name: "n03_2019_admin_boundaries_3munis.geojson",
        format: Format::N03,
        source: "mlit-n03-2019",
        content: Content::StudyBoundaries,
    },
    RawFile {
        name: "n03_2019_admin_boundaries_neighbours.geojson",
        format: Format::N03,
        source: "mlit-n03-2019",
        content: Content::NeighbourBoundaries,
    },
    RawFile {
        name: "n03_2021_saitama_municipalities_simplified_s0010.geojson",
        format: Format::N03,
        source: "mlit-n03-2021-simplified",
        content: Content::MunicipalityNames,
    },
    RawFile {
        name: "geolonia_japanese_addresses_towns_3munis.csv",
        format: Format::GeoloniaTowns,
        source: "geolonia-addresses",
        content: Content::Towns,
    },
    RawFile {
        name: "estat_2020_census_small_areas_r2ka11_3munis.csv",
        format: Format::EstatSmallAreas,
        source: "estat-census-2020-small-areas",
        content: Content::SmallAreas,
    },
    RawFile {
        name: "ssdse_a_2025_municipal_stats_3munis_neighbours.csv",
        format: Format::SsdseA,
        source: "ssdse-a-2025",
        content: Content::Population,
    },
    RawFile {
        name: "estat_2020_census_mesh500_T001141_5339_5439_box_cp932.txt",
        format: Format::EstatCensusMesh,
        source: "estat-mesh-2020",
        content: Content::CensusMesh,
    },
    RawFile {
        name: "mhlw_kaigo_130_visiting_nursing_3munis.csv",
        format: Format::KaigoVisitingNursingCopy,
        source: "mhlw-kaigo-130",
        content: Content::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_130_visiting_nursing_neighbours_10km.csv",
        format: Format::KaigoVisitingNursingCopy,
        source: "mhlw-kaigo-130",
        content: Content::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_430_kyotaku_care_support_3munis.csv",
        format: Format::KaigoCareManagementCopy,
        source: "mhlw-kaigo-430",
        content: Content::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_430_kyotaku_care_support_neighbours_10km.csv",
        format: Format::KaigoCareManagementCopy,
        source: "mhlw-kaigo-430",
        content: Content::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_opendata_20250601_facilities_3munis.csv",
        format: Format::KaigoOpenData,
        source: "mhlw-kaigo-opendata",
        content: Content::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_opendata_20250601_facilities_neighbours_10km.csv",
        format: Format::KaigoOpenData,
        source: "mhlw-kaigo-opendata",
        content: Content::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_derived_homehelp_dayservice_3munis.csv",
        format: Format::KaigoDerivedCopy,
        source: "mhlw-kaigo-derived",
        content: Content::Facilities,
    },
    RawFile {
        name: "mhlw_kaigo_derived_homehelp_dayservice_neighbours_10km.csv",
        format: Format::KaigoDerivedCopy,
        source: "mhlw-kaigo-derived",
        content: Content::Facilities,
    },
    RawFile {
        name: "mhlw_iryo_hospitals_20250601_3munis.csv",
        format: Format::IryoHospitals,
        source: "mhlw-iryo-hospitals",
        content: Content::Facilities,
    },
    RawFile {
        name: "mhlw_iryo_hospitals_20250601_neighbours_10km.csv",
        format: Format::IryoHospitals,
        source: "mhlw-iryo-hospitals",
        content: Content::Facilities,
    },
    RawFile {
        name: "mhlw_iryo_clinics_dental_pharmacy_3munis.csv",
        format: Format::IryoMedicalCopy,
        source: "mhlw-iryo-medical",
        content: Content::Facilities,
    },
    RawFile {
        name: "kantoshinetsu_todokede_ika_saitama_r070901.xlsx",
        format: Format::KouseikyokuRegister,
        source: "kouseikyoku-ika",
        content: Content::Facilities,
    },
    RawFile {
        name: "kantoshinetsu_todokede_ika_chiba_r070901.xlsx",
        format: Format::KouseikyokuRegister,
        source: "kouseikyoku-ika",
        content: Content::Facilities,
    },
    RawFile {
        name: "kantoshinetsu_todokede_ika_ibaraki_r070901.xlsx",
        format: Format::KouseikyokuRegister,
        source: "kouseikyoku-ika",
        content: Content::Facilities,
    },
    RawFile {
        name: "kantoshinetsu_todokede_shika_saitama_r080501.xlsx",
        format: Format::KouseikyokuRegister,
        source: "kouseikyoku-shika",
        content: Content::Facilities,
    },
    RawFile {
        name: "kantoshinetsu_todokede_shika_chiba_r080501.xlsx",
        format: Format::KouseikyokuRegister,
        source: "kouseikyoku-shika",
        content: Content::Facilities,
    },
    RawFile {
        name: "kantoshinetsu_todokede_shika_ibaraki_r080501.xlsx",
        format: Format::KouseikyokuRegister,
        source: "kouseikyoku-shika",
        content: Content::Facilities,
    },
];

/// Raw files of contacts (telephone, web site) joined by 事業所番号 to the facilities above after
/// placement; see `contacts`.
pub(super) const CONTACT_FILES: &[ContactFile] = &[ContactFile {
    name: "houmonkango_navi_visiting_nursing_contacts_3munis_neighbours.csv",
    source: "houmonkango-navi",
    kind: FacilityKind::VisitingNursingStation,
}];

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
    (
        "zaitakuclinic_navi_homevisit_clinics_partial_3munis.csv",
        "a portal's partial list of 6 clinics, superseded by the 厚生局's register of 在宅療養支援診療所, which lists all 6 (checked by a test)",
    ),
];
