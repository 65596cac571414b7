//! Exports of an analysis as a table: CSV (UTF-8 with a BOM and CRLF, so that Excel opens it in
//! Japanese) and an Excel workbook. Handlers build a [`Table`] from their answer; this module only
//! serialises it, and picks the format from `f=` or the `Accept` header.
//!
//! The conditions of the query (kinds, reach, group, model, the data's as-of dates, the
//! completeness note) travel in the file: in a CSV as the first rows, each
//! `条件/condition,<key>,<value>`, then a blank row, then the header and the table; in a workbook
//! on a sheet `conditions` beside the sheet `data`, with the sources' attributions.

use std::collections::HashMap;

use care_atlas_core::{
    AccessibilityQuery, AreaRole, ComparisonQuery, FacilityKind, GapQuery, GapResolution, Gaps,
    MeshCode, Municipality, PopulationGroup, Position, Scenario, SourceInfo, SupplyWeight,
};
use rust_xlsxwriter::Workbook;

use crate::accepts;
use crate::dto::{
    AccessibilityCollection, AreaCollection, AreaFeature, FacilityProperties, GapCollection,
    KindStatisticsDto, OutOfReachDefinition, PopulationBasis, ScenarioResponse, SiteCollection,
    UnderservedPlaces,
};
use crate::supply::Completeness;
use crate::{ApiError, AppState};

/// The CSV media type.
pub const CSV: &str = "text/csv; charset=utf-8";
/// The Excel workbook media type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The label of a condition row in a CSV.
pub const CONDITION: &str = "条件/condition";

/// The OpenAPI schema of an exported file: binary content (a CSV is UTF-8 text, a workbook a zip).
pub struct FileBody;

impl utoipa::PartialSchema for FileBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                utoipa::openapi::schema::KnownFormat::Binary,
            )))
            .into()
    }
}

impl utoipa::ToSchema for FileBody {}

/// The format a response is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (GeoJSON for features): the default.
    Json,
    /// CSV.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl Format {
    /// The format asked for: `f` wins (a bad one is refused, naming `f`); else the `Accept`
    /// header's first media type that is CSV or a workbook; else JSON.
    pub fn negotiate(f: Option<&str>, accept: Option<&str>) -> Result<Self, ApiError> {
        if let Some(index) = accepts::export_format().check("f", f, "a format offered")? {
            return Ok(match index {
                2 => Format::Csv,
                3 => Format::Xlsx,
                _ => Format::Json,
            });
        }
        let wanted = accept.unwrap_or_default().split(',').find_map(|part| {
            let media = part.split(';').next().unwrap_or_default().trim();
            if media.eq_ignore_ascii_case("text/csv") {
                Some(Format::Csv)
            } else if media.eq_ignore_ascii_case(XLSX) {
                Some(Format::Xlsx)
            } else {
                None
            }
        });
        Ok(wanted.unwrap_or(Format::Json))
    }

    /// The file name's extension.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// Unknown or not applicable: an empty CSV field, a blank cell; never 0.
    Empty,
}

impl From<Option<f64>> for Cell {
    fn from(value: Option<f64>) -> Self {
        value.map_or(Cell::Empty, Cell::Number)
    }
}

impl From<f64> for Cell {
    fn from(value: f64) -> Self {
        Cell::Number(value)
    }
}

impl From<String> for Cell {
    fn from(value: String) -> Self {
        Cell::Text(value)
    }
}

impl From<Option<String>> for Cell {
    fn from(value: Option<String>) -> Self {
        value.map_or(Cell::Empty, Cell::Text)
    }
}

/// A table to export, with the conditions of the query that made it.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The file name without extension, ASCII only.
    pub file_stem: String,
    /// The conditions, as key and value.
    pub conditions: Vec<(String, String)>,
    /// The sources' attributions (the workbook's conditions sheet).
    pub attributions: Vec<String>,
    /// Column names, `日本語/english`.
    pub columns: Vec<&'static str>,
    /// The rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table of an answer on `state`'s data: its conditions end with the data's as-of dates
    /// ([`data_as_of`]) and the sources' attributions go with it.
    #[must_use]
    pub fn of(
        state: &AppState,
        file_stem: &str,
        mut conditions: Vec<(String, String)>,
        columns: Vec<&'static str>,
        rows: Vec<Vec<Cell>>,
    ) -> Table {
        conditions.push(data_as_of(&state.sources));
        Table {
            file_stem: ascii(file_stem),
            conditions,
            attributions: SourceInfo::attributions(&state.sources),
            columns,
            rows,
        }
    }
}

/// The conditions every export states about its data: each source's as-of date.
#[must_use]
pub fn data_as_of(sources: &[SourceInfo]) -> (String, String) {
    let dates: Vec<String> = sources
        .iter()
        .map(|s| format!("{}: {}", s.id, s.as_of.as_deref().unwrap_or("unknown")))
        .collect();
    ("data_as_of".to_owned(), dates.join("; "))
}

/// A number as CSV text: whole numbers without `.0`.
fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

fn csv_writer(out: &mut Vec<u8>) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new().flexible(true).terminator(csv::Terminator::CRLF).from_writer(out)
}

/// The table as CSV: a BOM, CRLF line ends, the condition rows, a blank row, the header and rows.
pub fn csv(table: &Table) -> Result<Vec<u8>, ApiError> {
    let failed = |_| ApiError::Internal;
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv_writer(&mut out);
        for (key, value) in &table.conditions {
            writer.write_record([CONDITION, key, value]).map_err(failed)?;
        }
        writer.flush().map_err(|_| ApiError::Internal)?;
    }
    // A truly blank line: the csv crate writes a record of one empty field as `""`.
    out.extend_from_slice(b"\r\n");
    {
        let mut writer = csv_writer(&mut out);
        writer.write_record(&table.columns).map_err(failed)?;
        for row in &table.rows {
            let fields = row.iter().map(|cell| match cell {
                Cell::Text(text) => text.clone(),
                Cell::Number(n) => number_text(*n),
                Cell::Empty => String::new(),
            });
            writer.write_record(fields).map_err(failed)?;
        }
        writer.flush().map_err(|_| ApiError::Internal)?;
    }
    Ok(out)
}

/// The table as a workbook: sheet `data` (header and rows) and sheet `conditions` (the
/// conditions, then the sources' attributions).
pub fn xlsx(table: &Table) -> Result<Vec<u8>, ApiError> {
    let failed = |_| ApiError::Internal;
    let mut workbook = Workbook::new();
    let data = workbook.add_worksheet().set_name("data").map_err(failed)?;
    for (col, name) in (0u16..).zip(&table.columns) {
        data.write_string(0, col, *name).map_err(failed)?;
    }
    for (row, cells) in (1u32..).zip(&table.rows) {
        for (col, cell) in (0u16..).zip(cells) {
            match cell {
                Cell::Text(text) => data.write_string(row, col, text).map(|_| ()),
                Cell::Number(n) => data.write_number(row, col, *n).map(|_| ()),
                Cell::Empty => Ok(()),
            }
            .map_err(failed)?;
        }
    }
    let conditions = workbook.add_worksheet().set_name("conditions").map_err(failed)?;
    conditions.write_string(0, 0, "条件/condition").map_err(failed)?;
    conditions.write_string(0, 1, "値/value").map_err(failed)?;
    let mut row = 1u32;
    for (key, value) in &table.conditions {
        conditions.write_string(row, 0, key).map_err(failed)?;
        conditions.write_string(row, 1, value).map_err(failed)?;
        row += 1;
    }
    for attribution in &table.attributions {
        conditions.write_string(row, 0, "出典/attribution").map_err(failed)?;
        conditions.write_string(row, 1, attribution).map_err(failed)?;
        row += 1;
    }
    workbook.save_to_buffer().map_err(failed)
}

/// The table in `format` (CSV or a workbook) as a content type, a file name and the bytes.
pub fn write(table: &Table, format: Format) -> Result<(&'static str, String, Vec<u8>), ApiError> {
    let name = format!("{}.{}", table.file_stem, format.extension());
    match format {
        Format::Csv => Ok((CSV, name, csv(table)?)),
        Format::Xlsx => Ok((XLSX, name, xlsx(table)?)),
        Format::Json => Err(ApiError::Internal),
    }
}

/// The table in `format` as a response with its `Content-Disposition`.
pub fn response(table: &Table, format: Format) -> Result<actix_web::HttpResponse, ApiError> {
    let (content_type, name, body) = write(table, format)?;
    Ok(actix_web::HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(body))
}

/// A file name part made ASCII: anything else becomes `_`.
#[must_use]
pub fn ascii(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+') { c } else { '_' })
        .collect()
}

/// The columns of a coverage-gap export.
pub const GAP_COLUMNS: [&str; 11] = [
    "行/row",
    "市町村コード/municipality_code",
    "市町村名/municipality_name",
    "メッシュコード/mesh_code",
    "人口(圏外)/population_uncovered",
    "人口/population",
    "面積(圏外)km2/area_uncovered_km2",
    "面積km2/area_km2",
    "最寄り距離m/nearest_distance_m",
    "圏内/covered",
    "完全性/completeness",
];

/// The rows of a coverage-gap answer: one per gap polygon (`gap`) or mesh cell (`cell`; its
/// residents are out of reach when it is not covered), then one per municipality (`summary`).
/// `name` gives a municipality's name from its code, `cell_municipality` the name of the
/// municipality at a cell's centre.
#[must_use]
pub fn gap_rows(
    collection: &GapCollection,
    name: impl Fn(&str) -> Option<String>,
    cell_municipality: impl Fn(&str) -> Option<(String, String)>,
) -> Vec<Vec<Cell>> {
    let completeness = completeness_id(collection.completeness);
    let features = collection.features.iter().map(|f| {
        let p = &f.properties;
        let (code, town) = match (&p.municipality_code, &p.mesh_code) {
            (Some(code), _) => (Some(code.clone()), name(code)),
            (None, Some(mesh)) => {
                cell_municipality(mesh).map_or((None, None), |(c, n)| (Some(c), Some(n)))
            }
            (None, None) => (None, None),
        };
        let (uncovered, population, area_uncovered, area) = if p.mesh_code.is_some() {
            (p.population_uncovered, p.population, p.area_uncovered_km2, Some(p.area_km2))
        } else {
            (p.population, None, p.area_km2, None)
        };
        vec![
            Cell::Text(if p.mesh_code.is_some() { "cell" } else { "gap" }.to_owned()),
            code.into(),
            town.into(),
            p.mesh_code.clone().into(),
            uncovered.into(),
            population.into(),
            area_uncovered.into(),
            area.into(),
            p.nearest_distance_m.into(),
            p.covered.map(|c| c.to_string()).into(),
            Cell::Text(completeness.clone()),
        ]
    });
    let summary = collection.summary.iter().map(|s| {
        vec![
            Cell::Text("summary".to_owned()),
            Cell::Text(s.municipality_code.clone()),
            name(&s.municipality_code).into(),
            Cell::Empty,
            s.population_uncovered.into(),
            s.population_total.into(),
            s.area_uncovered_km2.into(),
            s.area_km2.into(),
            Cell::Empty,
            Cell::Empty,
            Cell::Text(completeness.clone()),
        ]
    });
    features.chain(summary).collect()
}

/// A coverage-gap answer as a table: [`gap_rows`] under [`GAP_COLUMNS`], with the query's
/// conditions; `gaps` is what core answered (for the municipality at each cell's centre).
#[must_use]
pub fn gap_table(
    state: &AppState,
    query: &GapQuery,
    gaps: &Gaps,
    collection: &GapCollection,
) -> Table {
    let atlas = &state.atlas;
    let (kinds, area) = gap_question_names(query);
    let resolution = match query.resolution {
        GapResolution::Polygon => accepts::POLYGON.to_owned(),
        GapResolution::Mesh(level) => accepts::resolution_id(level),
    };
    let name = |code: &str| {
        atlas.municipalities().iter().find(|m| m.code.to_string() == code).map(|m| m.name.clone())
    };
    // Located once per cell: a row looking its cell up by a scan made a 250 m answer quadratic.
    let by_cell: HashMap<String, (String, String)> = gaps
        .cells
        .iter()
        .filter_map(|c| {
            let m = atlas.municipality_at(c.center)?;
            Some((c.code.to_string(), (m.code.to_string(), m.name.clone())))
        })
        .collect();
    let cell_municipality = |mesh: &str| by_cell.get(mesh).cloned();
    let mut conditions = vec![
        ("kind".to_owned(), kinds.clone()),
        ("radius_m".to_owned(), number_text(query.radius_m)),
        ("area".to_owned(), area.clone()),
        ("resolution".to_owned(), resolution),
        out_of_reach_condition(),
    ];
    conditions.extend(basis_conditions(
        &collection.population_basis,
        collection.completeness,
        collection.completeness_note.as_deref(),
    ));
    Table::of(
        state,
        &format!("coverage-gaps-{area}-{kinds}-{}m", number_text(query.radius_m)),
        conditions,
        GAP_COLUMNS.to_vec(),
        gap_rows(collection, name, cell_municipality),
    )
}

/// A gap question's kinds (`a+b`, or `all`) and area (a code, or `all`), for conditions and
/// file names.
fn gap_question_names(query: &GapQuery) -> (String, String) {
    let kinds = if query.kinds.is_empty() {
        "all".to_owned()
    } else {
        query.kinds.iter().map(|k| k.id()).collect::<Vec<_>>().join("+")
    };
    (kinds, query.area.map_or_else(|| "all".to_owned(), |c| c.to_string()))
}

/// The condition row stating the one rule of people out of reach, in both languages.
#[must_use]
pub fn out_of_reach_condition() -> (String, String) {
    let rule = OutOfReachDefinition::rule();
    ("out_of_reach_definition".to_owned(), format!("{} / {}", rule.ja, rule.en))
}

/// The columns of an `/underserved-places` export.
pub const PLACE_COLUMNS: [&str; 14] = [
    "順位/rank",
    "市町村コード/municipality_code",
    "市町村名/municipality_name",
    "町丁・字コード/small_area_key",
    "町丁・字/place",
    "経度/lon",
    "緯度/lat",
    "圏外人口(対象)/population_uncovered",
    "圏外人口(総数)/uncovered_total",
    "圏外人口(65歳以上)/uncovered_aged_65_plus",
    "圏外人口(75歳以上)/uncovered_aged_75_plus",
    "圏外人口(85歳以上)/uncovered_aged_85_plus",
    "圏外人口(高齢単身)/uncovered_elderly_living_alone",
    "圏外面積km2/area_uncovered_km2",
];

/// The ranked places of an `/underserved-places` answer as a table under [`PLACE_COLUMNS`], with
/// the question's conditions.
#[allow(clippy::cast_precision_loss, reason = "ranks are at most MAX_PLACES")]
#[must_use]
pub fn place_table(state: &AppState, query: &GapQuery, answer: &UnderservedPlaces) -> Table {
    let (kinds, area) = gap_question_names(query);
    let rows = answer
        .places
        .iter()
        .map(|p| {
            let g = &p.population_uncovered_by_group;
            vec![
                Cell::Number(p.rank as f64),
                Cell::Text(p.municipality_code.clone()),
                Cell::Text(p.municipality_name.clone()),
                Cell::Text(p.small_area_key.clone()),
                Cell::Text(p.name.clone()),
                Cell::Number(p.center.lon),
                Cell::Number(p.center.lat),
                p.population_uncovered.into(),
                g.total.into(),
                g.aged_65_plus.into(),
                g.aged_75_plus.into(),
                g.aged_85_plus.into(),
                g.elderly_living_alone.into(),
                Cell::Number(p.area_uncovered_km2),
            ]
        })
        .collect();
    let mut conditions = vec![
        ("kind".to_owned(), kinds.clone()),
        ("radius_m".to_owned(), number_text(query.radius_m)),
        ("area".to_owned(), area.clone()),
        out_of_reach_condition(),
        ("place_method".to_owned(), UnderservedPlaces::PLACE_METHOD.to_owned()),
    ];
    conditions.extend(basis_conditions(
        &answer.population_basis,
        answer.completeness,
        answer.completeness_note.as_deref(),
    ));
    Table::of(
        state,
        &format!("underserved-places-{area}-{kinds}-{}m", number_text(query.radius_m)),
        conditions,
        PLACE_COLUMNS.to_vec(),
        rows,
    )
}

/// The columns of a `POST /scenarios` export.
pub const SCENARIO_COLUMNS: [&str; 8] = [
    "範囲/scope",
    "市町村名/municipality_name",
    "指標/measure",
    "対象/population_group",
    "現状/before",
    "変更後/after",
    "差/difference",
    "完全性/completeness",
];

/// A scenario's before, after and difference as a table under [`SCENARIO_COLUMNS`]: people of
/// every group out of reach per town, then for the study area, then the accessibility per 10,000
/// residents of the group; the added and removed facilities are conditions.
#[must_use]
pub fn scenario_table(
    state: &AppState,
    query: &ComparisonQuery,
    scenario: &Scenario,
    response: &ScenarioResponse,
) -> Table {
    let completeness = completeness_id(response.completeness);
    let group = &response.population_basis.population_group;
    let row = |scope: String,
               town: Option<String>,
               measure: &str,
               group: &str,
               figures: [Option<f64>; 3]| {
        let [before, after, difference] = figures;
        vec![
            Cell::Text(scope),
            town.into(),
            Cell::Text(measure.to_owned()),
            Cell::Text(group.to_owned()),
            before.into(),
            after.into(),
            difference.into(),
            Cell::Text(completeness.clone()),
        ]
    };
    let mut rows = Vec::new();
    for ((before, after), difference) in response
        .before
        .out_of_reach_by_town
        .iter()
        .zip(&response.after.out_of_reach_by_town)
        .zip(&response.difference.out_of_reach_by_town)
    {
        let town = state
            .atlas
            .municipalities()
            .iter()
            .find(|m| m.code.to_string() == before.municipality_code)
            .map(|m| m.name.clone());
        for id in PopulationGroup::ALL.map(PopulationGroup::id) {
            let of = |figures: &crate::dto::TownGroupFigures| figures.population_uncovered.get(id);
            rows.push(row(
                before.municipality_code.clone(),
                town.clone(),
                "圏外人口/population_uncovered",
                id,
                [of(before), of(after), of(difference)],
            ));
        }
    }
    for id in PopulationGroup::ALL.map(PopulationGroup::id) {
        let of = |state: &crate::dto::ScenarioState| state.out_of_reach_by_group.get(id);
        rows.push(row(
            "study_area".to_owned(),
            None,
            "圏外人口/population_uncovered",
            id,
            [of(&response.before), of(&response.after), of(&response.difference)],
        ));
    }
    rows.push(row(
        "study_area".to_owned(),
        None,
        "利用可能性(1万人あたり)/accessibility_per_10000",
        group,
        [
            Some(response.before.accessibility_per_10000),
            Some(response.after.accessibility_per_10000),
            Some(response.difference.accessibility_per_10000),
        ],
    ));
    let added: Vec<String> = scenario
        .add
        .iter()
        .map(|a| format!("{} {} ×{}", a.position.lat(), a.position.lon(), number_text(a.capacity)))
        .collect();
    let removed: Vec<String> = scenario.remove.iter().map(ToString::to_string).collect();
    let radius = number_text(query.radius_m);
    let mut conditions = vec![
        ("kind".to_owned(), query.kind.id().to_owned()),
        ("radius_m".to_owned(), radius.clone()),
        ("catchment_m".to_owned(), number_text(query.catchment_m)),
        ("accessibility_resolution".to_owned(), accepts::resolution_id(query.accessibility_level)),
        ("added (lat lon ×capacity)".to_owned(), added.join("; ")),
        ("removed".to_owned(), removed.join("; ")),
        out_of_reach_condition(),
    ];
    conditions.extend(basis_conditions(
        &response.population_basis,
        response.completeness,
        response.completeness_note.as_deref(),
    ));
    Table::of(
        state,
        &format!("scenario-{}-{radius}m", query.kind.id()),
        conditions,
        SCENARIO_COLUMNS.to_vec(),
        rows,
    )
}

/// The columns of one kind's statistics in an area export, in the order of [`kind_cells`].
const KIND_COLUMNS: [&str; 9] = [
    "種別/kind",
    "種別名/kind_label",
    "施設数/count",
    "人口1万人あたり/per_10k_residents",
    "75歳以上千人あたり/per_1k_aged_75_plus",
    "対象人口千人あたり/per_1k_population_group",
    "km2あたり/per_km2",
    "把握状況/coverage",
    "下限値/lower_bound",
];

/// The columns of an `/areas` export: the town, [`KIND_COLUMNS`], then the town's figures.
fn area_columns() -> Vec<&'static str> {
    let town = ["市町村コード/municipality_code", "市町村名/municipality_name"];
    let figures = [
        "人口/population",
        "75歳以上人口/aged_75_plus",
        "対象人口(モデル)/model_total",
        "面積km2/area_km2",
        "圏外人口(総数)/uncovered_total",
        "圏外人口(75歳以上)/uncovered_aged_75_plus",
        "圏外人口(対象)/uncovered_population_group",
        "圏外は上限値/uncovered_upper_bound",
    ];
    [&town[..], &KIND_COLUMNS, &figures].concat()
}

/// The per-town comparison of an `/areas` answer as a table: one row per study-area town × kind
/// (neighbours carry no per-kind statistics); a figure unknown for lack of a source is empty.
#[must_use]
pub fn area_table(state: &AppState, collection: &AreaCollection) -> Table {
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut basis = None;
    let mut radius: Option<Option<f64>> = None;
    for feature in &collection.features {
        let p = &feature.properties;
        basis.get_or_insert(&p.population_basis);
        let Some(statistics) = &p.statistics else { continue };
        for (kind, s) in statistics {
            let mut row = vec![Cell::Text(p.code.clone()), p.name.clone().into()];
            row.extend(kind_cells(kind, Some(s)));
            row.extend([
                p.population.into(),
                count(p.aged_75_plus.map(|n| n as usize)),
                p.model_total.into(),
                p.area_km2.into(),
            ]);
            let out = s.out_of_reach.as_ref();
            let uncovered = out.map(|o| o.population_uncovered);
            let of_group = uncovered.and_then(|u| {
                basis.and_then(|b| crate::dto::GroupFiguresDto::get(&u, &b.population_group))
            });
            row.extend([
                uncovered.and_then(|u| u.total).into(),
                uncovered.and_then(|u| u.aged_75_plus).into(),
                of_group.into(),
                out.map(|o| o.upper_bound.to_string()).into(),
            ]);
            radius.get_or_insert(out.map(|o| o.radius_m));
            rows.push(row);
        }
    }
    let mut conditions = Vec::new();
    if let Some(basis) = basis {
        conditions.extend(group_conditions(basis));
    }
    conditions.push(coverage_condition());
    if let Some(radius_m) = radius.flatten() {
        conditions.push(("radius_m".to_owned(), number_text(radius_m)));
        conditions.push(out_of_reach_condition());
    }
    let group = basis.map_or("total", |b| b.population_group.as_str());
    Table::of(state, &format!("areas-{group}"), conditions, area_columns(), rows)
}

/// A count as a cell (counts are far below 2^52, so the conversion is exact).
#[allow(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
fn count(value: Option<usize>) -> Cell {
    value.map_or(Cell::Empty, |n| Cell::Number(n as f64))
}

/// The cells of one kind's statistics in an area, under [`KIND_COLUMNS`]; without statistics (a
/// neighbour, a cell partly outside the study area) every one is empty.
fn kind_cells(kind: &str, statistics: Option<&KindStatisticsDto>) -> Vec<Cell> {
    let Some(s) = statistics else { return vec![Cell::Empty; KIND_COLUMNS.len()] };
    let label =
        kind.parse::<FacilityKind>().ok().map(|k| format!("{}/{}", k.label_ja(), k.label_en()));
    vec![
        Cell::Text(kind.to_owned()),
        label.into(),
        count(s.count),
        s.per_10k_residents.into(),
        s.per_1k_aged_75_plus.into(),
        s.per_1k_population_group.into(),
        s.per_km2.into(),
        Cell::Text(s.coverage.clone()),
        Cell::Text(s.lower_bound.to_string()),
    ]
}

/// The conditions naming whose residents the figures count and by which model.
fn group_conditions(basis: &PopulationBasis) -> [(String, String); 4] {
    [
        ("population_group".to_owned(), basis.population_group.clone()),
        ("population_group_label".to_owned(), basis.population_group_label.clone()),
        ("population_model".to_owned(), basis.population_model.clone()),
        ("population_method".to_owned(), basis.population_method.clone()),
    ]
}

/// The condition saying what the `coverage` column's values mean.
fn coverage_condition() -> (String, String) {
    (
        "coverage".to_owned(),
        "complete; partial: count and ratios are lower bounds; no_source: unknown, left empty"
            .to_owned(),
    )
}

/// The columns of an `/areas/{code}` or `/mesh/{meshcode}` export: the area, [`KIND_COLUMNS`],
/// then the area's figures (every figure of the JSON answer).
fn area_detail_columns() -> Vec<&'static str> {
    let area = ["コード/code", "名称/name", "区域の種類/area_type"];
    let figures = [
        "人口/population",
        "65歳以上人口/aged_65_plus",
        "75歳以上人口/aged_75_plus",
        "対象人口(モデル)/model_total",
        "対象人口(国勢調査)/census_total_official",
        "モデルと国勢調査の差/model_minus_official",
        "面積km2/area_km2",
    ];
    [&area[..], &KIND_COLUMNS, &figures].concat()
}

/// One area (a municipality or a mesh cell) as a table: one row per kind, as `/areas` has; an
/// area without per-kind statistics (a neighbour, a cell partly outside the study area) has one
/// row whose kind cells are empty. A figure the JSON answer has as `null` is empty.
#[must_use]
pub fn area_detail_table(state: &AppState, feature: &AreaFeature) -> Table {
    let p = &feature.properties;
    let figures = [
        p.population.into(),
        count(p.aged_65_plus.map(|n| n as usize)),
        count(p.aged_75_plus.map(|n| n as usize)),
        p.model_total.into(),
        p.census_total_official.into(),
        p.model_minus_official.into(),
        p.area_km2.into(),
    ];
    let row = |kind: &str, statistics: Option<&KindStatisticsDto>| {
        let mut row = vec![
            Cell::Text(p.code.clone()),
            p.name.clone().into(),
            Cell::Text(p.area_type.clone()),
        ];
        row.extend(kind_cells(kind, statistics));
        row.extend(figures.iter().cloned());
        row
    };
    let rows = match &p.statistics {
        Some(statistics) => statistics.iter().map(|(kind, s)| row(kind, Some(s))).collect(),
        None => vec![row("", None)],
    };
    let mut conditions = vec![
        ("code".to_owned(), p.code.clone()),
        ("area_type".to_owned(), p.area_type.clone()),
        ("area_completeness".to_owned(), p.completeness.clone()),
    ];
    conditions.extend(group_conditions(&p.population_basis));
    conditions.push(coverage_condition());
    if p.statistics.is_none() {
        conditions.push((
            "statistics".to_owned(),
            "per-kind statistics only for areas wholly in the study area: left empty".to_owned(),
        ));
    }
    let stem = format!("{}-{}-{}", p.area_type, p.code, p.population_basis.population_group);
    Table::of(state, &stem, conditions, area_detail_columns(), rows)
}

/// The kinds of a question as a condition and file name part: ids joined by `+`, or `all`.
fn kinds_id(kinds: &[FacilityKind]) -> String {
    if kinds.is_empty() {
        "all".to_owned()
    } else {
        kinds.iter().map(|k| k.id()).collect::<Vec<_>>().join("+")
    }
}

/// The study-area municipality of `towns` (the study area's) a study-area cell belongs to: the
/// one at its centre or, for a cell cut by the study area's edge whose centre lies outside it,
/// the one covering most of the cell (its residents are those of the study-area part, so a
/// neighbour's name would mislead). Only the study-area towns are tried: locating a point among
/// every mapped municipality measures its distance to each one it is outside, which made a
/// 500 m file take seconds.
fn cell_town<'a>(towns: &[&'a Municipality], cell: MeshCode) -> Option<&'a Municipality> {
    use geo::{Area, BooleanOps, Contains};
    let center = cell.center().to_point();
    if let Some(town) = towns.iter().find(|m| m.boundary.contains(&center)) {
        return Some(town);
    }
    let polygon = cell.polygon();
    // Planar areas in degrees: only compared with each other within one small cell.
    towns
        .iter()
        .map(|m| (*m, m.boundary.intersection(&polygon).unsigned_area()))
        .filter(|(_, share)| *share > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(m, _)| m)
}

/// The columns of an `/accessibility` export.
pub const ACCESSIBILITY_COLUMNS: [&str; 9] = [
    "メッシュコード/mesh_code",
    "市町村コード/municipality_code",
    "市町村名/municipality_name",
    "経度(中心)/center_lon",
    "緯度(中心)/center_lat",
    "対象人口/population",
    "スコア/score_raw",
    "正規化スコア/score_normalised",
    "完全性/completeness",
];

/// An accessibility answer as a table under [`ACCESSIBILITY_COLUMNS`]: one row per mesh cell
/// with its centre and its study-area municipality ([`cell_town`]), with the query's conditions
/// and the answer's method notes.
#[must_use]
pub fn accessibility_table(
    state: &AppState,
    query: &AccessibilityQuery,
    collection: &AccessibilityCollection,
) -> Table {
    let completeness = completeness_id(collection.completeness);
    let towns: Vec<&Municipality> =
        state.atlas.municipalities().iter().filter(|m| m.role == AreaRole::StudyArea).collect();
    let rows = collection
        .features
        .iter()
        .map(|f| {
            let p = &f.properties;
            let cell = p.mesh_code.parse::<MeshCode>().ok();
            let center = cell.map(MeshCode::center);
            let town = cell.and_then(|c| cell_town(&towns, c));
            vec![
                Cell::Text(p.mesh_code.clone()),
                town.map(|m| m.code.to_string()).into(),
                town.map(|m| m.name.clone()).into(),
                center.map(Position::lon).into(),
                center.map(Position::lat).into(),
                Cell::Number(p.population),
                Cell::Number(p.score_raw),
                Cell::Number(p.score_normalised),
                Cell::Text(completeness.clone()),
            ]
        })
        .collect();
    let kinds = kinds_id(&query.kinds);
    let catchment = number_text(query.catchment_m);
    let resolution = accepts::resolution_id(query.level);
    let weight = match query.weight {
        SupplyWeight::Count => "count: 1 per facility",
        SupplyWeight::Capacity => "capacity: a facility's capacity where known, else 1",
    };
    let mut conditions = vec![
        ("kind".to_owned(), kinds.clone()),
        ("method".to_owned(), collection.method.clone()),
        ("catchment_m".to_owned(), catchment.clone()),
        ("resolution".to_owned(), resolution.clone()),
        ("weight".to_owned(), weight.to_owned()),
    ];
    conditions.extend(
        collection.method_notes.iter().map(|note| ("method_note".to_owned(), note.clone())),
    );
    conditions.extend(basis_conditions(
        &collection.population_basis,
        collection.completeness,
        collection.completeness_note.as_deref(),
    ));
    let stem = format!("accessibility-{kinds}-{}-{catchment}m-{resolution}", collection.method);
    Table::of(state, &stem, conditions, ACCESSIBILITY_COLUMNS.to_vec(), rows)
}

/// The columns of a facility export: the id, the position, then every property of the GeoJSON
/// feature under its JSON name.
pub const FACILITY_COLUMNS: [&str; 23] = [
    "ID/id",
    "経度/lon",
    "緯度/lat",
    "名称/name",
    "名称カナ/name_kana",
    "種別/kind",
    "種別名/kind_label",
    "住所/address",
    "市町村コード/municipality_code",
    "位置の精度/position_precision",
    "位置の注記/position_note",
    "電話/phone",
    "ウェブサイト/url",
    "介護サービス情報公表システムのページ/detail_url",
    "定員/capacity",
    "営業日/open_days",
    "出典/source",
    "出典のID/source_record_id",
    "時点/as_of",
    "連絡先の出典/contact_source",
    "在宅療養支援の類型/home_care_class",
    "届出(受理記号)/filings",
    "同一施設の記録/linked_record",
];

/// One facility of an export: its id, longitude, latitude and properties.
pub type FacilityRow = (String, f64, f64, FacilityProperties);

/// Facilities as a table under [`FACILITY_COLUMNS`], with the selection's `conditions`; a
/// property a facility lacks is empty; filings are `|`-separated 受理記号.
#[must_use]
pub fn facility_table(
    state: &AppState,
    conditions: Vec<(String, String)>,
    facilities: Vec<FacilityRow>,
) -> Table {
    let rows = facilities
        .into_iter()
        .map(|(id, lon, lat, p)| {
            let filings: Vec<&str> = p.filings.iter().map(|f| f.symbol.as_str()).collect();
            vec![
                Cell::Text(id),
                Cell::Number(lon),
                Cell::Number(lat),
                Cell::Text(p.name),
                p.name_kana.into(),
                Cell::Text(p.kind),
                Cell::Text(p.kind_label),
                Cell::Text(p.address),
                Cell::Text(p.municipality_code),
                Cell::Text(p.position_precision),
                p.position_note.into(),
                p.phone.into(),
                p.url.into(),
                p.detail_url.into(),
                p.capacity.map(f64::from).into(),
                p.open_days.into(),
                Cell::Text(p.source),
                Cell::Text(p.source_record_id),
                p.as_of.into(),
                p.contact_source.into(),
                p.home_care_class.map(|c| c.id).into(),
                if filings.is_empty() { Cell::Empty } else { Cell::Text(filings.join("|")) },
                p.linked_record.into(),
            ]
        })
        .collect();
    Table::of(state, "facilities", conditions, FACILITY_COLUMNS.to_vec(), rows)
}

/// The columns of a site-suggestion export.
pub const SITE_COLUMNS: [&str; 10] = [
    "順位/rank",
    "メッシュコード/mesh_code",
    "町丁・字/place_name",
    "町丁・字コード/small_area_key",
    "経度/lon",
    "緯度/lat",
    "市町村コード/municipality_code",
    "市町村名/municipality_name",
    "新たに圏内となる人口/newly_covered_population",
    "完全性/completeness",
];

/// What a site-suggestion question asked: the kind, the reach and how many sites.
#[derive(Debug, Clone, Copy)]
pub struct SiteQuestion {
    /// The kind of the new facilities.
    pub kind: FacilityKind,
    /// Their reach in metres.
    pub radius_m: f64,
    /// How many sites were asked for.
    pub n: usize,
}

/// Site suggestions as a table under [`SITE_COLUMNS`], best first, with the question's
/// conditions (the town asked for and what "within reach" means among them); each site's place
/// and town as the JSON answer names them.
#[allow(clippy::cast_precision_loss, reason = "ranks are at most MAX_SITES")]
#[must_use]
pub fn site_table(state: &AppState, question: SiteQuestion, collection: &SiteCollection) -> Table {
    let completeness = completeness_id(collection.completeness);
    let rows = collection
        .features
        .iter()
        .map(|f| {
            let [lon, lat] = f.geometry.coordinates;
            let p = &f.properties;
            vec![
                Cell::Number(p.rank as f64),
                Cell::Text(p.mesh_code.clone()),
                p.place_name.clone().into(),
                p.small_area_key.clone().into(),
                Cell::Number(lon),
                Cell::Number(lat),
                p.municipality_code.clone().into(),
                p.municipality_name.clone().into(),
                Cell::Number(p.newly_covered_population),
                Cell::Text(completeness.clone()),
            ]
        })
        .collect();
    let radius = number_text(question.radius_m);
    let mut conditions = vec![
        ("kind".to_owned(), question.kind.id().to_owned()),
        ("radius_m".to_owned(), radius.clone()),
        ("n".to_owned(), question.n.to_string()),
        ("area".to_owned(), collection.area.clone().unwrap_or_default()),
        out_of_reach_condition(),
    ];
    conditions.extend(basis_conditions(
        &collection.population_basis,
        collection.completeness,
        collection.completeness_note.as_deref(),
    ));
    Table::of(
        state,
        &format!("site-suggestions-{}-{radius}m", question.kind.id()),
        conditions,
        SITE_COLUMNS.to_vec(),
        rows,
    )
}

/// `complete` or `partial`, as in JSON.
fn completeness_id(completeness: Completeness) -> String {
    match completeness {
        Completeness::Complete => "complete",
        Completeness::Partial => "partial",
    }
    .to_owned()
}

/// The conditions of an answer's population basis and completeness.
#[must_use]
pub fn basis_conditions(
    basis: &PopulationBasis,
    completeness: Completeness,
    note: Option<&str>,
) -> Vec<(String, String)> {
    vec![
        ("population_group".to_owned(), basis.population_group.clone()),
        ("population_group_label".to_owned(), basis.population_group_label.clone()),
        ("population_model".to_owned(), basis.population_model.clone()),
        ("population_method".to_owned(), basis.population_method.clone()),
        ("completeness".to_owned(), completeness_id(completeness)),
        ("completeness_note".to_owned(), note.unwrap_or_default().to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            file_stem: "t".into(),
            conditions: vec![("kind".into(), "visiting_nursing_station".into())],
            attributions: vec!["出典".into()],
            columns: vec!["人口/population", "名前/name"],
            rows: vec![
                vec![Cell::Number(12.0), Cell::Text("宮代町".into())],
                vec![Cell::Empty, Cell::Text("a,b".into())],
            ],
        }
    }

    #[test]
    fn csv_has_a_bom_crlf_conditions_and_empty_unknowns() {
        let bytes = csv(&table()).unwrap_or_default();
        let text = String::from_utf8(bytes).unwrap_or_default();
        assert_eq!(
            text,
            "\u{feff}条件/condition,kind,visiting_nursing_station\r\n\r\n人口/population,名前/name\r\n12,宮代町\r\n,\"a,b\"\r\n"
        );
    }

    #[test]
    fn negotiation_prefers_f_then_accept() {
        assert_eq!(Format::negotiate(Some("csv"), Some(XLSX)), Ok(Format::Csv));
        assert_eq!(Format::negotiate(None, Some("text/csv;q=0.9, */*")), Ok(Format::Csv));
        assert_eq!(Format::negotiate(None, Some(XLSX)), Ok(Format::Xlsx));
        assert_eq!(Format::negotiate(Some("geojson"), Some("text/csv")), Ok(Format::Json));
        assert_eq!(Format::negotiate(None, None), Ok(Format::Json));
        assert!(Format::negotiate(Some("pdf"), None).is_err());
    }

    #[test]
    fn workbooks_are_zip_files() {
        assert!(xlsx(&table()).unwrap_or_default().starts_with(b"PK"));
    }

    #[test]
    fn file_names_are_ascii() {
        assert_eq!(ascii("宮代 a-b"), "___a-b");
    }
}
