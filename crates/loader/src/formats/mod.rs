//! The file layouts the loader reads, how each is recognised, and the parser for each.
//!
//! A layout is recognised from its header (CSV) or its feature properties (GeoJSON), or named
//! with `--format`. Parsers validate every field they keep and turn each bad row into a
//! [`crate::RowError`]; only a file that cannot be read as a whole is a fatal error.

mod boundaries;
mod canonical;
mod census_mesh;
mod copies;
mod fields;
mod official;
pub(crate) mod register;
mod rows;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use care_atlas_core::{AreaRole, MunicipalityCode};

use crate::error::io_error;
use crate::records::Batch;
use crate::table::{Table, parse_csv};
use crate::text::decode;
use crate::{LoadError, TextEncoding};

pub use canonical::{
    CanonicalSet, FACILITY_COLUMNS, KIND_COVERAGE_COLUMNS, MESH_POPULATION_COLUMNS,
    MUNICIPALITY_PROPERTIES, POPULATION_COLUMNS, REJECTED_COLUMNS, SMALL_AREA_COLUMNS,
    SOURCE_COLUMNS, TOWN_COLUMNS, write_all as write_canonical,
};

/// A supported file layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// Our canonical `facilities.csv`.
    Facilities,
    /// Our canonical `municipalities.geojson`.
    Municipalities,
    /// Our canonical `municipal_population.csv`.
    Population,
    /// Our canonical `small_areas.csv`.
    SmallAreas,
    /// Our canonical `towns.csv` (the gazetteer).
    Towns,
    /// Our canonical `sources.csv`.
    Sources,
    /// Our canonical `kind_coverage.csv`.
    KindCompleteness,
    /// Our canonical `mesh_population.csv`.
    MeshPopulation,
    /// 介護サービス情報公表システム open-data CSV (official column layout).
    KaigoOpenData,
    /// 自治体標準オープンデータセット 医療機関一覧.
    StandardMedical,
    /// 自治体標準オープンデータセット 介護サービス事業所一覧.
    StandardCare,
    /// 国土数値情報 N03 administrative boundaries as GeoJSON.
    N03,
    /// e-Stat 2020 census small-area (町丁・字等) attribute table.
    EstatSmallAreas,
    /// SSDSE-A municipal statistics.
    SsdseA,
    /// e-Stat 地域メッシュ統計 T001141 (census population and households by mesh cell).
    EstatCensusMesh,
    /// 訪問看護 records in the short layout of the copy in `shared/data/raw`.
    KaigoVisitingNursingCopy,
    /// 居宅介護支援 records in the layout of the copy in `shared/data/raw`.
    KaigoCareManagementCopy,
    /// 訪問介護・通所介護 records flattened from a derived JSON copy.
    KaigoDerivedCopy,
    /// 医療情報ネット hospital list (7-column copy).
    IryoHospitals,
    /// 医療情報ネット clinic, dental clinic and pharmacy list (address-only copy).
    IryoMedicalCopy,
    /// A portal's partial list of home-visit clinics.
    ZaitakuNavi,
    /// Geolonia 住所データ town list.
    GeoloniaTowns,
    /// 地方厚生局 施設基準の届出受理医療機関名簿 (医科 or 歯科), the Excel workbook as published.
    KouseikyokuRegister,
}

impl Format {
    /// Every format, in detection order (more specific layouts first).
    pub const ALL: [Format; 23] = [
        Format::Facilities,
        Format::Population,
        Format::SmallAreas,
        Format::Towns,
        Format::Sources,
        Format::KindCompleteness,
        Format::MeshPopulation,
        Format::Municipalities,
        Format::KaigoOpenData,
        Format::StandardCare,
        Format::StandardMedical,
        Format::N03,
        Format::EstatSmallAreas,
        Format::SsdseA,
        Format::EstatCensusMesh,
        Format::KaigoDerivedCopy,
        Format::KaigoCareManagementCopy,
        Format::KaigoVisitingNursingCopy,
        Format::IryoHospitals,
        Format::IryoMedicalCopy,
        Format::ZaitakuNavi,
        Format::GeoloniaTowns,
        Format::KouseikyokuRegister,
    ];

    /// The id accepted by `--format`.
    #[must_use]
    pub const fn id(self) -> &'static str {
        match self {
            Format::Facilities => "facilities",
            Format::Municipalities => "municipalities",
            Format::Population => "population",
            Format::SmallAreas => "small-areas",
            Format::Towns => "towns",
            Format::Sources => "sources",
            Format::KindCompleteness => "kind-coverage",
            Format::MeshPopulation => "mesh-population",
            Format::EstatCensusMesh => "estat-census-mesh",
            Format::KaigoOpenData => "kaigo-opendata",
            Format::StandardMedical => "standard-medical",
            Format::StandardCare => "standard-care",
            Format::N03 => "n03",
            Format::EstatSmallAreas => "estat-small-areas",
            Format::SsdseA => "ssdse-a",
            Format::KaigoVisitingNursingCopy => "kaigo-130-copy",
            Format::KaigoCareManagementCopy => "kaigo-430-copy",
            Format::KaigoDerivedCopy => "kaigo-derived-copy",
            Format::IryoHospitals => "iryo-hospitals",
            Format::IryoMedicalCopy => "iryo-medical-copy",
            Format::ZaitakuNavi => "zaitaku-navi",
            Format::GeoloniaTowns => "geolonia-towns",
            Format::KouseikyokuRegister => "kouseikyoku-register",
        }
    }

    /// The source id records of this layout get unless one is named.
    #[must_use]
    pub const fn default_source(self) -> &'static str {
        match self {
            Format::KaigoOpenData => "mhlw-kaigo-opendata",
            Format::StandardMedical => "municipal-medical-list",
            Format::StandardCare => "municipal-care-list",
            Format::N03 => "mlit-n03",
            Format::EstatSmallAreas => "estat-census-2020-small-areas",
            Format::SsdseA => "ssdse-a",
            Format::EstatCensusMesh => "estat-mesh-2020",
            Format::KaigoVisitingNursingCopy => "mhlw-kaigo-130",
            Format::KaigoCareManagementCopy => "mhlw-kaigo-430",
            Format::KaigoDerivedCopy => "mhlw-kaigo-derived",
            Format::IryoHospitals => "mhlw-iryo-hospitals",
            Format::IryoMedicalCopy => "mhlw-iryo-medical",
            Format::ZaitakuNavi => "zaitaku-navi",
            Format::GeoloniaTowns => "geolonia-addresses",
            // The register's 区分 names its source: 医科 or 歯科.
            Format::KouseikyokuRegister => "kouseikyoku-ika",
            // Canonical files name their source on every row.
            Format::Facilities
            | Format::Municipalities
            | Format::Population
            | Format::SmallAreas
            | Format::Towns
            | Format::Sources
            | Format::KindCompleteness
            | Format::MeshPopulation => "",
        }
    }

    /// Parses a `--format` id.
    #[must_use]
    pub fn from_id(id: &str) -> Option<Self> {
        Format::ALL.into_iter().find(|f| f.id() == id)
    }

    /// The ids of every format, comma-separated, for messages.
    #[must_use]
    pub fn all_ids() -> String {
        Format::ALL.map(Format::id).join(", ")
    }

    fn is_geojson(self) -> bool {
        matches!(self, Format::Municipalities | Format::N03)
    }

    fn matches_csv(self, table: &Table) -> bool {
        let any = |names: &[&str]| names.iter().any(|n| table.headers.iter().any(|h| h == n));
        match self {
            Format::Facilities => table.has_all(&[
                "id",
                "kind",
                "municipality_code",
                "position_precision",
                "source_record_id",
            ]),
            Format::Population => {
                table.has_all(&["municipality_code", "census_year", "population_total"])
            }
            Format::SmallAreas => table.has_all(&["key_code", "piece", "population", "area_m2"]),
            Format::Towns => table.has_all(&["municipality_code", "town", "lat", "lon"]),
            Format::Sources => {
                table.has_all(&["id", "title", "publisher", "licence", "attribution"])
            }
            Format::KindCompleteness => table.has_all(&["kind", "scope", "coverage", "note"]),
            Format::MeshPopulation => table.has_all(&["mesh_code", "suppression", "merged_into"]),
            Format::EstatCensusMesh => census_mesh::matches(table),
            Format::KaigoOpenData => table.has_all(&[
                "都道府県コード又は市町村コード",
                "事業所名",
                "サービスの種類",
                "事業所番号",
            ]),
            Format::StandardCare => {
                table.has_all(&["全国地方公共団体コード", "ID"])
                    && any(&["介護サービス事業所名称", "介護サービスの種類", "介護保険事業所番号"])
            }
            Format::StandardMedical => {
                table.has_all(&["全国地方公共団体コード", "ID", "名称"])
                    && any(&["医療機関の種類", "医療機関の種別", "医療機関コード", "診療科目"])
            }
            Format::EstatSmallAreas => {
                table.has_all(&["KEY_CODE", "PREF", "CITY", "S_NAME", "JINKO", "X_CODE", "Y_CODE"])
            }
            Format::SsdseA => {
                table.has_all(&["地域コード", "市区町村"])
                    && table.headers.iter().any(|h| h.starts_with("A1101_"))
            }
            Format::KaigoDerivedCopy => {
                table.has_all(&["category", "jigyosho_no", "service_type", "lat", "lng"])
            }
            Format::KaigoCareManagementCopy => table.has_all(&["slug", "city_code6", "lat", "lng"]),
            Format::KaigoVisitingNursingCopy => {
                table.has_all(&["jigyosho_no", "name", "address", "lat", "lng"])
            }
            Format::IryoHospitals => table.has_all(&["ID", "正式名称", "所在地"]),
            Format::IryoMedicalCopy => table.has_all(&["kind", "iryo_id", "name", "address"]),
            Format::ZaitakuNavi => table.headers == ["id", "name", "address"],
            Format::GeoloniaTowns => table.has_all(&["city_code", "city", "town", "lat", "lng"]),
            Format::Municipalities | Format::N03 | Format::KouseikyokuRegister => false,
        }
    }
}

/// Where the roles (study area or neighbour) of the municipalities of a boundary file that states
/// none (N03) come from: the study area is data, never compiled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleAssignment {
    /// Every municipality of the file has this role: the `data` build knows it from which raw
    /// boundary file a municipality comes from.
    Every(AreaRole),
    /// These municipalities are the study area and every other one is a neighbour
    /// (`care-atlas import --study-area`).
    StudyArea(BTreeSet<MunicipalityCode>),
    /// The roles already known (stored in the database); a municipality not among them has none.
    Known(BTreeMap<MunicipalityCode, AreaRole>),
}

impl RoleAssignment {
    /// The role of `code`, if this assignment gives it one.
    #[must_use]
    pub fn role_of(&self, code: MunicipalityCode) -> Option<AreaRole> {
        match self {
            RoleAssignment::Every(role) => Some(*role),
            RoleAssignment::StudyArea(codes) => {
                Some(if codes.contains(&code) { AreaRole::StudyArea } else { AreaRole::Neighbour })
            }
            RoleAssignment::Known(roles) => roles.get(&code).copied(),
        }
    }
}

/// How to read a file.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// The layout, when not detected.
    pub format: Option<Format>,
    /// Source id for the records, instead of the layout's default.
    pub source: Option<String>,
    /// The date the data describes, when the file does not say.
    pub as_of: Option<String>,
    /// The roles of the municipalities of a boundary file that states none; without it such a file
    /// is refused.
    pub roles: Option<RoleAssignment>,
}

/// A parsed file.
#[derive(Debug)]
pub struct ParsedFile {
    /// The layout it was read as.
    pub format: Format,
    /// Its encoding.
    pub encoding: TextEncoding,
    /// What it holds.
    pub batch: Batch,
}

/// Whether the bytes start as a zip archive does (`PK\x03\x04`), as an xlsx workbook does.
fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads a workbook: the register is the one spreadsheet layout.
fn parse_workbook(
    path: &Path,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<ParsedFile, LoadError> {
    let sheet = register::Sheet::from_bytes(path, bytes)?;
    match options.format {
        Some(Format::KouseikyokuRegister) => {}
        Some(other) => {
            return Err(LoadError::UnknownFormat {
                path: path.to_owned(),
                detail: format!("the {} layout is text but the file is a workbook", other.id()),
                formats: Format::all_ids(),
            });
        }
        None if sheet.is_register() => {}
        None => {
            return Err(LoadError::UnknownFormat {
                path: path.to_owned(),
                detail: format!(
                    "a workbook whose first rows are `{}`",
                    truncate(&sheet.describe(), 160)
                ),
                formats: Format::all_ids(),
            });
        }
    }
    let batch =
        register::register(path, &sheet, options.source.as_deref(), options.as_of.as_deref())?;
    Ok(ParsedFile { format: Format::KouseikyokuRegister, encoding: TextEncoding::Workbook, batch })
}

/// Reads and parses one file.
pub fn parse_file(path: &Path, options: &ParseOptions) -> Result<ParsedFile, LoadError> {
    let bytes = std::fs::read(path).map_err(io_error(path))?;
    parse_bytes(path, &bytes, options)
}

/// Parses the `bytes` of one file read from `path` (which names it in errors and may carry the
/// date the data describes): whatever the bytes, a parsed file or an error, never a panic.
pub fn parse_bytes(
    path: &Path,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<ParsedFile, LoadError> {
    if options.format == Some(Format::KouseikyokuRegister) || is_zip(bytes) {
        return parse_workbook(path, bytes, options);
    }
    let (text, encoding) = decode(path, bytes)?;
    let looks_like_json = text.trim_start().starts_with('{');
    let forced = options.format;
    let batch_and_format = if forced.is_some_and(Format::is_geojson)
        || (forced.is_none() && looks_like_json)
    {
        boundaries::parse_geojson(path, &text, forced, options)?
    } else {
        let table = parse_csv(path, &text)?;
        let format = match forced {
            Some(format) => format,
            None => Format::ALL.into_iter().find(|f| f.matches_csv(&table)).ok_or_else(|| {
                LoadError::UnknownFormat {
                    path: path.to_owned(),
                    detail: format!(
                        "no known layout has the header `{}`",
                        truncate(&table.headers.join(","), 160)
                    ),
                    formats: Format::all_ids(),
                }
            })?,
        };
        let source = options.source.clone().unwrap_or_else(|| format.default_source().to_owned());
        let context = fields::Context {
            source,
            as_of: options.as_of.clone().or_else(|| fields::date_in_name(path)),
        };
        let mut batch = parse_table(format, &table, &context)?;
        batch.rows_read = table.rows.len() + table.malformed.len();
        batch.row_errors.extend(table.malformed);
        (batch, format)
    };
    let (batch, format) = batch_and_format;
    Ok(ParsedFile { format, encoding, batch })
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        text.chars().take(max_chars).chain("…".chars()).collect()
    }
}

fn parse_table(
    format: Format,
    table: &Table,
    context: &fields::Context,
) -> Result<Batch, LoadError> {
    match format {
        Format::Facilities => canonical::facilities(table),
        Format::Population => canonical::population(table),
        Format::SmallAreas => canonical::small_areas(table),
        Format::Towns => canonical::towns(table),
        Format::Sources => canonical::sources(table),
        Format::KindCompleteness => canonical::kind_coverage(table),
        Format::MeshPopulation => canonical::mesh_population(table),
        Format::EstatCensusMesh => census_mesh::census_mesh(table, context),
        Format::KaigoOpenData => official::kaigo_opendata(table, context),
        Format::StandardMedical => official::standard_medical(table, context),
        Format::StandardCare => official::standard_care(table, context),
        Format::EstatSmallAreas => official::estat_small_areas(table, context),
        Format::SsdseA => official::ssdse_a(table, context),
        Format::KaigoVisitingNursingCopy => copies::visiting_nursing(table, context),
        Format::KaigoCareManagementCopy => copies::care_management(table, context),
        Format::KaigoDerivedCopy => copies::derived_home_help_day_service(table, context),
        Format::IryoHospitals => copies::hospitals(table, context),
        Format::IryoMedicalCopy => copies::clinics_dental_pharmacies(table, context),
        Format::ZaitakuNavi => copies::home_visit_clinics(table, context),
        Format::GeoloniaTowns => copies::geolonia_towns(table, context),
        Format::KouseikyokuRegister => Err(LoadError::UnknownFormat {
            path: table.path.clone(),
            detail: "the kouseikyoku-register layout is an xlsx workbook but the file is text"
                .into(),
            formats: Format::all_ids(),
        }),
        Format::Municipalities | Format::N03 => Err(LoadError::UnknownFormat {
            path: table.path.clone(),
            detail: format!("the {} layout is GeoJSON but the file is CSV", format.id()),
            formats: Format::all_ids(),
        }),
    }
}
