//! The 地方厚生局's 施設基準の届出受理医療機関名簿 (医科 and 歯科), read from the Excel workbook
//! exactly as the 厚生局 publishes it each month.
//!
//! The sheet has one row per filing (受理記号) of an institution; its second row states the date
//! the list describes (「[令和７年９月１日 現在 ]…」) and its fourth row is the header. One
//! facility is made per institution (医療機関番号 within its prefecture and 区分) that files as a
//! 在宅療養支援診療所・病院・歯科診療所, with its class and its home-care filings; institutions
//! without such a filing are counted, not carried. The register gives every institution's 電話番号,
//! so [`institutions`] (the same first pass) also serves the data build, which takes the telephone
//! numbers of the clinics, hospitals and dental clinics of other sources from it.

use std::collections::HashMap;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use care_atlas_core::{FacilityKind, HomeCareClass, home_care_filing};

use super::fields::non_empty;
use crate::records::{Batch, DeclaredMunicipality, FacilityDraft};
use crate::{LoadError, RowError, RowLocation};

/// The columns the layout needs, as the header row names them.
const REQUIRED: [&str; 9] = [
    "都道府県コード",
    "都道府県名",
    "区分",
    "医療機関番号",
    "医療機関名称",
    "医療機関所在地（住所）",
    "電話番号",
    "受理記号",
    "項番",
];

/// The source id of a 区分 when the caller names none.
fn default_source(division: &str) -> Option<&'static str> {
    match division {
        "医科" => Some("kouseikyoku-ika"),
        "歯科" => Some("kouseikyoku-shika"),
        _ => None,
    }
}

/// The first worksheet of a workbook's bytes as rows of text cells, or why it cannot be read.
fn read_first_sheet(bytes: &[u8]) -> Result<Sheet, String> {
    let mut workbook =
        open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| "the workbook has no worksheet".to_owned())?
        .map_err(|e| e.to_string())?;
    let first_row = u64::from(range.start().map_or(0, |(row, _)| row));
    let rows = range
        .rows()
        .zip(first_row + 1..)
        .map(|(cells, number)| (number, cells.iter().map(cell_text).collect()))
        .collect();
    Ok(Sheet { rows })
}

/// A sheet read into text cells, each row with its 1-based row number in the sheet.
pub struct Sheet {
    rows: Vec<(u64, Vec<String>)>,
}

impl Sheet {
    /// Reads the first worksheet of the workbook at `path`.
    pub fn read(path: &Path) -> Result<Sheet, LoadError> {
        let bytes = std::fs::read(path).map_err(crate::error::io_error(path))?;
        Sheet::from_bytes(path, &bytes)
    }

    /// Reads the first worksheet of a workbook's `bytes`, read from `path` (named in errors).
    ///
    /// calamine panics on some malformed sheets (an overflowing cell reference, found by the
    /// `import_workbook` fuzzer), so its reading runs under `catch_unwind`: a workbook it cannot
    /// read is refused like any other unreadable workbook, never a crash of the import.
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Sheet, LoadError> {
        let unreadable = |detail: String| LoadError::Workbook { path: path.to_owned(), detail };
        std::panic::catch_unwind(|| read_first_sheet(bytes))
            .unwrap_or_else(|_| Err("the workbook is malformed (the xlsx reader gave up)".into()))
            .map_err(unreadable)
    }

    /// The header row's index and its cells, if some row has every column of the register.
    fn header(&self) -> Option<(usize, &[String])> {
        self.rows.iter().take(20).enumerate().find_map(|(index, (_, cells))| {
            REQUIRED
                .iter()
                .all(|name| cells.iter().any(|c| c == name))
                .then_some((index, &cells[..]))
        })
    }

    /// Whether the sheet is a 届出受理医療機関名簿.
    pub fn is_register(&self) -> bool {
        self.header().is_some()
    }

    /// The first cells of the first rows, for a message saying what was seen.
    pub fn describe(&self) -> String {
        self.rows
            .iter()
            .take(5)
            .map(|(_, cells)| {
                cells.iter().filter(|c| !c.is_empty()).cloned().collect::<Vec<_>>().join(",")
            })
            .filter(|row| !row.is_empty())
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        other => other.to_string().trim().to_owned(),
    }
}

/// The date a register describes, from the text of its second row
/// (「[令和７年９月１日 現在 ]令和７年１０月２日作成 全医療機関出力」): the 令和 date before 現在, as
/// ISO 8601. Digits may be full- or half-width; 令和元年 is year 1.
pub fn as_of_in_title(title: &str) -> Option<String> {
    let before = &title[..title.find("現在")?];
    let era = before.rfind("令和")?;
    let date: String = before[era + "令和".len()..]
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ']' && *c != '］')
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + u32::from(b'0')).unwrap_or(c),
            other => other,
        })
        .collect();
    let date = date.strip_prefix('元').map_or(date.clone(), |rest| format!("1{rest}"));
    let (year, rest) = date.split_once('年')?;
    let (month, rest) = rest.split_once('月')?;
    let day = rest.strip_suffix('日')?;
    let year: u32 = year.parse().ok()?;
    let month: u32 = month.parse().ok()?;
    let day: u32 = day.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day) && year >= 1)
        .then(|| format!("{:04}-{month:02}-{day:02}", 2018 + year))
}

/// One institution as the register lists it, over its filing rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Institution {
    /// The sheet row of its first filing.
    pub first_row: u64,
    /// Its source id (`kouseikyoku-ika` or `kouseikyoku-shika`, unless the caller named one).
    pub source: String,
    /// 都道府県コード-医療機関番号.
    pub record_id: String,
    /// 医療機関名称, as published.
    pub name: String,
    /// 医療機関所在地, as published (without the prefecture).
    pub address: String,
    /// 都道府県名.
    pub prefecture: String,
    /// 電話番号, as published.
    pub phone: Option<String>,
    /// Whether it is listed under 歯科.
    pub dental: bool,
    /// Its 受理記号, each once, in the order of its rows.
    pub symbols: Vec<String>,
}

impl Institution {
    /// The institution as a facility draft of `kind`, placed like any register entry: its
    /// address read in its prefecture.
    fn draft_of_kind(&self, kind: FacilityKind) -> FacilityDraft {
        let base = FacilityDraft::new(
            RowLocation::Line(self.first_row),
            self.source.clone(),
            self.record_id.clone(),
            kind,
            self.name.clone(),
            self.address.clone(),
        );
        FacilityDraft {
            declared: DeclaredMunicipality {
                code: None,
                name: None,
                prefecture: non_empty(&self.prefecture),
            },
            phone: self.phone.clone(),
            ..base
        }
    }

    /// The institution as an unfiled register entry of its 区分 (a 在宅療養支援診療所 or
    /// 歯科診療所 kind, without class or filings), for matching it to another source's record.
    pub(crate) fn entry_draft(&self) -> FacilityDraft {
        self.draft_of_kind(if self.dental {
            FacilityKind::HomeCareDentalClinic
        } else {
            FacilityKind::HomeCareClinic
        })
    }
}

/// Every institution of a register sheet, with the date the list describes and the rows that
/// name no institution.
#[derive(Debug)]
pub(crate) struct RegisterList {
    /// The date the list describes, ISO 8601.
    pub as_of: String,
    /// One per institution (医療機関番号 within its prefecture and 区分), in sheet order.
    pub institutions: Vec<Institution>,
    /// Rows that name no institution.
    pub row_errors: Vec<RowError>,
}

/// Reads every institution of a register sheet, whatever it files; rows that name no
/// institution are row errors. `source` overrides the source of the 区分; `as_of` is used only
/// when no row before the header states the date.
pub(crate) fn institutions(
    path: &Path,
    sheet: &Sheet,
    source: Option<&str>,
    as_of: Option<&str>,
) -> Result<RegisterList, LoadError> {
    let (header_index, header) = sheet.header().ok_or_else(|| LoadError::Header {
        path: path.to_owned(),
        format: "kouseikyoku-register",
        missing: REQUIRED.join(", "),
    })?;
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or(0);
    let [pref_code, pref_name, division, number, name, address, phone, symbol, _] =
        REQUIRED.map(column);
    let sheet_as_of = sheet.rows[..header_index]
        .iter()
        .flat_map(|(_, cells)| cells.iter())
        .find_map(|cell| as_of_in_title(cell));
    let as_of = match (sheet_as_of, as_of) {
        (Some(date), _) => date,
        (None, Some(given)) => given.to_owned(),
        (None, None) => {
            return Err(LoadError::Workbook {
                path: path.to_owned(),
                detail: "no row before the header states the date the list describes (「[令和…年…月…日 現在 ]」); give it with --as-of".into(),
            });
        }
    };

    let mut row_errors = Vec::new();
    let mut institutions: Vec<Institution> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (row_number, cells) in &sheet.rows[header_index + 1..] {
        let get = |index: usize| cells.get(index).map_or("", String::as_str);
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let reject = |reason: String| RowError {
            path: path.to_owned(),
            location: RowLocation::Line(*row_number),
            record_id: non_empty(get(number)),
            name: non_empty(get(name)),
            reason,
        };
        let code = get(pref_code);
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
            row_errors.push(reject(format!("都道府県コード `{code}` is not two digits")));
            continue;
        }
        let institution_number = get(number);
        if institution_number.len() != 7 || !institution_number.bytes().all(|b| b.is_ascii_digit())
        {
            row_errors
                .push(reject(format!("医療機関番号 `{institution_number}` is not seven digits")));
            continue;
        }
        let Some(division_source) = default_source(get(division)) else {
            row_errors.push(reject(format!("区分 `{}` is neither 医科 nor 歯科", get(division))));
            continue;
        };
        let Some(institution_name) = non_empty(get(name)) else {
            row_errors.push(reject("医療機関名称 is empty".into()));
            continue;
        };
        let record_id = format!("{code}-{institution_number}");
        let source = source.unwrap_or(division_source).to_owned();
        let key = format!("{source}/{record_id}");
        let index = *by_key.entry(key).or_insert_with(|| {
            institutions.push(Institution {
                first_row: *row_number,
                source,
                record_id,
                name: institution_name,
                address: get(address).to_owned(),
                prefecture: get(pref_name).to_owned(),
                phone: non_empty(get(phone)),
                dental: get(division) == "歯科",
                symbols: Vec::new(),
            });
            institutions.len() - 1
        });
        if let Some(filing) = non_empty(get(symbol))
            && !institutions[index].symbols.contains(&filing)
        {
            institutions[index].symbols.push(filing);
        }
    }
    Ok(RegisterList { as_of, institutions, row_errors })
}

/// Reads a register sheet: one facility draft per institution with a 在宅療養支援 filing; rows
/// that name no institution are row errors. `source` overrides the source of the 区分.
pub fn register(
    path: &Path,
    sheet: &Sheet,
    source: Option<&str>,
    as_of: Option<&str>,
) -> Result<Batch, LoadError> {
    let RegisterList { as_of, institutions, row_errors } =
        institutions(path, sheet, source, as_of)?;
    let institution_count = institutions.len();
    let mut facilities = Vec::new();
    for institution in institutions {
        // A class counts only in its own 区分: a 医科歯科 clinic listed under 歯科 with a
        // 支援診 filing is a 在宅療養支援診療所 in the 医科 list, not a dental one here.
        let Some((kind, class)) = institution.symbols.iter().find_map(|s| {
            HomeCareClass::of_symbol(s).filter(|(kind, _)| {
                (*kind == FacilityKind::HomeCareDentalClinic) == institution.dental
            })
        }) else {
            continue;
        };
        facilities.push(draft(institution, kind, class, &as_of));
    }
    Ok(Batch {
        not_carried: institution_count - facilities.len(),
        rows_read: institution_count + row_errors.len(),
        facilities,
        row_errors,
        ..Batch::default()
    })
}

fn draft(
    institution: Institution,
    kind: FacilityKind,
    class: HomeCareClass,
    as_of: &str,
) -> FacilityDraft {
    let base = institution.draft_of_kind(kind);
    FacilityDraft {
        as_of: Some(as_of.to_owned()),
        home_care_class: Some(class),
        filings: institution
            .symbols
            .into_iter()
            .filter(|s| home_care_filing(s).is_some())
            .collect(),
        ..base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(title: &str, expected: Option<&str>) {
        assert_eq!(as_of_in_title(title).as_deref(), expected, "{title}");
    }

    #[test]
    fn as_of_comes_from_the_date_before_genzai() {
        check("[令和７年９月１日 現在 ]令和７年１０月２日作成 全医療機関出力", Some("2025-09-01"));
        check("[令和８年５月１日 現在 ]令和８年５月２３日作成 全医療機関出力", Some("2026-05-01"));
        check("[令和10年12月1日 現在 ]", Some("2028-12-01"));
        check("[令和元年５月１日 現在 ]", Some("2019-05-01"));
        check("令和７年１０月２日作成 全医療機関出力", None);
        check("[令和７年１３月１日 現在 ]", None);
        check("", None);
    }

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            rows: (1..)
                .zip(rows)
                .map(|(n, cells)| (n, cells.iter().map(|c| (*c).to_owned()).collect()))
                .collect(),
        }
    }

    #[test]
    fn one_institution_carries_every_home_care_filing_of_its_rows_and_kinou_kyouka_is_no_class() {
        let header: &[&str] = &[
            "項番",
            "都道府県コード",
            "都道府県名",
            "区分",
            "医療機関番号",
            "医療機関名称",
            "医療機関所在地（住所）",
            "電話番号",
            "受理記号",
        ];
        let row = |symbol: &'static str| -> Vec<&'static str> {
            vec![
                "1",
                "11",
                "埼玉県",
                "医科",
                "0501395",
                "杉本医院",
                "白岡市小久喜１４４４ー７",
                "0480-92-1817",
                symbol,
            ]
        };
        let other = |number: &'static str, symbol: &'static str| -> Vec<&'static str> {
            vec!["2", "11", "埼玉県", "医科", number, "ある医院", "白岡市", "", symbol]
        };
        let rows: Vec<Vec<&str>> = vec![
            vec![""],
            vec!["[令和７年９月１日 現在 ]令和７年１０月２日作成 全医療機関出力"],
            vec![""],
            header.to_vec(),
            row("機能強化"),
            row("支援診２"),
            row("在医総管１"),
            row("時間外１"),
            other("0000001", "機能強化"),
            row("在総"),
        ];
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let batch = register(Path::new("x.xlsx"), &sheet(&rows), None, None).unwrap();
        assert_eq!(batch.facilities.len(), 1);
        let clinic = &batch.facilities[0];
        assert_eq!(clinic.kind, FacilityKind::HomeCareClinic);
        assert_eq!(clinic.home_care_class, Some(HomeCareClass::EnhancedNetworked));
        assert_eq!(clinic.filings, ["支援診２", "在医総管１", "在総"]);
        assert_eq!(clinic.location, RowLocation::Line(5));
        assert_eq!(clinic.as_of.as_deref(), Some("2025-09-01"));
        // The institution filing only 機能強化 (初診料 機能強化加算) is no 在宅療養支援診療所.
        assert_eq!((batch.not_carried, batch.rows_read), (1, 2));
    }
}
