//! Every layout the loader reads, from small fixtures made of real records of the source data
//! (see `shared/data/raw/SOURCES.md`), in UTF-8 and CP932, with the malformed rows each must
//! reject.

#![allow(clippy::unwrap_used, reason = "test helpers fail the test on setup errors")]

use std::path::{Path, PathBuf};

use care_atlas_core::{FacilityKind, PositionPrecision};
use care_atlas_loader::formats::{ParseOptions, ParsedFile, RoleAssignment, parse_file};
use care_atlas_loader::{Format, LoadError, TextEncoding};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn parse(name: &str, text: &str) -> ParsedFile {
    let dir = tempfile::tempdir().unwrap();
    parse_file(&write(dir.path(), name, text.as_bytes()), &ParseOptions::default()).unwrap()
}

fn reasons(parsed: &ParsedFile) -> Vec<String> {
    parsed.batch.row_errors.iter().map(|e| format!("{}: {}", e.location, e.reason)).collect()
}

const KAIGO_OPENDATA: &str = "\
source_file,都道府県コード又は市町村コード,No,都道府県名,市区町村名,事業所名,事業所名カナ,サービスの種類,住所,方書（ビル名等）,緯度,経度,電話番号,事業所番号,利用可能曜日,利用可能曜日特記事項,定員,URL
510_tokuyou_20250601.csv,112381,1175700952,埼玉県,蓮田市,特別養護老人ホーム共生の家,トクベツヨウゴロウジンホームキョウセイノイエ,介護老人福祉施設,埼玉県蓮田市大字閏戸87-5,,35.994604900000000,139.646384300000000,048-796-0965,1175700952,,,,kyouseihome.jp
510_tokuyou_20250601.csv,111104,1176510285,埼玉県,さいたま市岩槻区,特別養護老人ホームまごめ遊美園,トクベツヨウゴロウジンホームマゴメユウビエン,介護老人福祉施設,埼玉県さいたま市岩槻区大字馬込1318-1,,35.971279500000000,139.660424500000000,048-797-6100,1176510285,\"平日,土曜日,日曜日,祝日\",,144,https://magome.secure.idchosting.jp/yuukoukai/magome/index.html
510_tokuyou_20250601.csv,112381,1175700119,埼玉県,蓮田市,特別養護老人ホーム　吾亦紅,トクベツヨウゴロウジンホーム　ワレモコウ,訪問入浴介護,埼玉県蓮田市大字閏戸1885番地,,36.004332400000000,139.639627300000000,048-766-4165,1175700119,,,0,http://www.kissyou.or.jp/
510_tokuyou_20250601.csv,112381,1175700119,埼玉県,蓮田市,特別養護老人ホーム　吾亦紅,トクベツヨウゴロウジンホーム　ワレモコウ,介護老人福祉施設,埼玉県蓮田市大字閏戸1885番地,,北緯36,139.639627300000000,048-766-4165,1175700119,,,0,http://www.kissyou.or.jp/
";

#[test]
fn kaigo_opendata_layout_reads_official_columns() {
    let parsed = parse("kaigo.csv", KAIGO_OPENDATA);
    assert_eq!(parsed.format, Format::KaigoOpenData);
    assert_eq!(parsed.encoding, TextEncoding::Utf8);
    assert_eq!(parsed.batch.rows_read, 4);
    let [kyosei, magome] = parsed.batch.facilities.as_slice() else {
        panic!("{:?}", parsed.batch.facilities)
    };
    assert_eq!(kyosei.kind, FacilityKind::NursingHome);
    assert_eq!(kyosei.source, "mhlw-kaigo-opendata");
    assert_eq!(kyosei.record_id, "510-1175700952");
    assert_eq!(kyosei.as_of.as_deref(), Some("2025-06-01"));
    assert_eq!(kyosei.declared.code.map(|c| c.to_string()).as_deref(), Some("11238"));
    assert_eq!(kyosei.coordinates, Some((35.9946049, 139.6463843)));
    assert_eq!(kyosei.capacity, None);
    assert_eq!(magome.capacity, Some(144));
    assert_eq!(magome.open_days.as_deref(), Some("平日|土曜日|日曜日|祝日"));
    assert_eq!(magome.declared.code.map(|c| c.to_string()).as_deref(), Some("11110"));
    assert_eq!(
        reasons(&parsed),
        vec![
            "4: service type `訪問入浴介護` is not one care-atlas maps",
            "5: latitude `北緯36` is not a number"
        ]
    );
}

#[test]
fn cp932_files_read_the_same_as_utf8() {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(KAIGO_OPENDATA);
    assert!(!unmappable);
    let dir = tempfile::tempdir().unwrap();
    let parsed =
        parse_file(&write(dir.path(), "kaigo_sjis.csv", &bytes), &ParseOptions::default()).unwrap();
    assert_eq!(parsed.encoding, TextEncoding::ShiftJis);
    let utf8 = parse("kaigo.csv", KAIGO_OPENDATA);
    assert_eq!(parsed.batch.facilities, utf8.batch.facilities);
    assert_eq!(reasons(&parsed), reasons(&utf8));
}

#[test]
fn a_utf8_byte_order_mark_is_not_part_of_the_first_column() {
    let parsed = parse("bom.csv", &format!("\u{feff}{KAIGO_OPENDATA}"));
    assert_eq!(parsed.format, Format::KaigoOpenData);
    assert_eq!(parsed.batch.facilities.len(), 2);
}

#[test]
fn standard_medical_list_layout() {
    let text = "\
全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,医療機関の種類,所在地_連結表記,緯度,経度,電話番号,URL
112381,1111108985700,埼玉県蓮田市,独立行政法人　国立病院機構　東埼玉病院,ドクリツギョウセイホウジン　コクリツビョウインキコウ　ヒガシサイタマビョウイン,病院,埼玉県蓮田市大字黒浜４１４７,35.996631,139.676669,,https://higashisaitama.hosp.go.jp/
112381,1121109853800,埼玉県蓮田市,坪井内科医院,,助産所,埼玉県南埼玉郡宮代町宮代　３－２－３,,,,
";
    let parsed = parse("medical.csv", text);
    assert_eq!(parsed.format, Format::StandardMedical);
    let [hospital] = parsed.batch.facilities.as_slice() else { panic!() };
    assert_eq!(
        (hospital.kind, hospital.record_id.as_str()),
        (FacilityKind::Hospital, "1111108985700")
    );
    assert_eq!(hospital.address, "埼玉県蓮田市大字黒浜４１４７");
    assert_eq!(hospital.coordinates, Some((35.996631, 139.676669)));
    assert_eq!(reasons(&parsed), vec!["3: type `助産所` is not one care-atlas maps"]);
}

#[test]
fn standard_care_list_layout() {
    let text = "\
全国地方公共団体コード,ID,地方公共団体名,介護サービス事業所名称,介護サービス事業所名称_カナ,介護サービスの種類,所在地_連結表記,緯度,経度,電話番号,定員,利用可能曜日,URL,介護保険事業所番号
112381,1165790043,埼玉県蓮田市,コスモ訪問看護リハビリステーション蓮田,,訪問看護,埼玉県蓮田市東５－８－２８,35.97836,139.6559,,０,平日・土曜日,,1165790043
";
    let parsed = parse("care.csv", text);
    assert_eq!(parsed.format, Format::StandardCare);
    let [station] = parsed.batch.facilities.as_slice() else { panic!("{:?}", reasons(&parsed)) };
    assert_eq!(station.kind, FacilityKind::VisitingNursingStation);
    assert_eq!(station.open_days.as_deref(), Some("平日|土曜日"));
    assert_eq!(station.capacity, None);
}

#[test]
fn estat_small_area_table_keeps_split_areas_apart() {
    let text = "\
KEY_CODE,PREF,CITY,S_AREA,PREF_NAME,CITY_NAME,S_NAME,KIGO_E,HCODE,AREA,PERIMETER,R2KAxx,R2KAxx_ID,KIHON1,DUMMY1,KIHON2,KEYCODE1,KEYCODE2,AREA_MAX_F,KIGO_D,N_KEN,N_CITY,KIGO_I,KBSUM,JINKO,SETAI,X_CODE,Y_CODE,KCODE1
112380010,11,238,001000,埼玉県,蓮田市,本町,,8101,65499.319,1192.720,4821,4820,0010,-,00,238001000,2380010,M,,,,,9,293,122,139.652187,35.981925,0010-00
112380120,11,238,012000,埼玉県,蓮田市,大字黒浜,E1,8101,1.0,1.0,1,1,0120,-,00,238012000,2380120,M,,,,,57,6435,2427,139.669229,35.996206,0120-00
";
    let parsed = parse("r2ka11.csv", text);
    assert_eq!(parsed.format, Format::EstatSmallAreas);
    let areas: Vec<_> = parsed
        .batch
        .small_areas
        .iter()
        .map(|a| (a.value.id(), a.value.population, a.value.municipality_code.to_string()))
        .collect();
    assert_eq!(
        areas,
        vec![
            ("112380010".into(), 293, "11238".into()),
            ("112380120-E1".into(), 6435, "11238".into())
        ]
    );
}

#[test]
fn ssdse_a_reads_population_by_age() {
    let text = "\
地域コード,都道府県,市区町村,A1101_総人口_2020,A1303_65歳以上人口_2020,A1419_75歳以上人口_2020,A7101_世帯数_2020
R11238,埼玉県,蓮田市,61499,19902,10290,25474
R11100,埼玉県,さいたま市,1324025,,,
R1123,埼玉県,誤り,1,1,1,1
";
    let parsed = parse("ssdse.csv", text);
    assert_eq!(parsed.format, Format::SsdseA);
    let p = &parsed.batch.populations[0].value;
    assert_eq!(
        (p.total, p.aged_65_plus, p.aged_75_plus, p.households, p.census_year),
        (61499, Some(19902), Some(10290), Some(25474), 2020)
    );
    assert_eq!(parsed.batch.populations[1].value.aged_65_plus, None);
    assert_eq!(reasons(&parsed).len(), 1);
    assert!(reasons(&parsed)[0].contains("`1123` is not a municipality code"));
}

#[test]
fn n03_geojson_names_wards_after_their_city_and_merges_features() {
    // Rectangles on the bounding boxes SOURCES.md gives, not the real boundaries: enough to check
    // the properties and the merge.
    let text = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"N03_001":"埼玉県","N03_002":null,"N03_003":"さいたま市","N03_004":"岩槻区","N03_007":"11110"},"geometry":{"type":"Polygon","coordinates":[[[139.65,35.90],[139.75,35.90],[139.75,35.97],[139.65,35.97],[139.65,35.90]]]}},
{"type":"Feature","properties":{"N03_001":"埼玉県","N03_002":null,"N03_003":"南埼玉郡","N03_004":"宮代町","N03_007":"11442"},"geometry":{"type":"MultiPolygon","coordinates":[[[[139.70,36.00],[139.75,36.00],[139.75,36.05],[139.70,36.05],[139.70,36.00]]]]}},
{"type":"Feature","properties":{"N03_001":"埼玉県","N03_002":null,"N03_003":"南埼玉郡","N03_004":"宮代町","N03_007":"11442"},"geometry":{"type":"Polygon","coordinates":[[[139.76,36.00],[139.77,36.00],[139.77,36.01],[139.76,36.00]]]}},
{"type":"Feature","properties":{"N03_001":"埼玉県","N03_004":"線","N03_007":"11999"},"geometry":{"type":"LineString","coordinates":[[139.0,36.0],[139.1,36.1]]}}
]}"#;
    // N03 states no roles: the import names the study area.
    let dir = tempfile::tempdir().unwrap();
    let study_area = RoleAssignment::StudyArea(["11442".parse().unwrap()].into());
    let options = ParseOptions { roles: Some(study_area), ..ParseOptions::default() };
    let parsed = parse_file(&write(dir.path(), "n03.geojson", text.as_bytes()), &options).unwrap();
    assert_eq!(parsed.format, Format::N03);
    let municipalities: Vec<_> = parsed
        .batch
        .municipalities
        .iter()
        .map(|m| {
            (m.value.name.clone(), m.value.county.clone(), m.value.boundary.0.len(), m.value.role)
        })
        .collect();
    assert_eq!(
        municipalities,
        vec![
            ("さいたま市岩槻区".into(), None, 1, care_atlas_core::AreaRole::Neighbour),
            ("宮代町".into(), Some("南埼玉郡".into()), 2, care_atlas_core::AreaRole::StudyArea),
        ]
    );
    assert_eq!(reasons(&parsed), vec!["feature 4: geometry is a LineString, not a (Multi)Polygon"]);
}

const N03_MIYASHIRO: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"N03_001":"埼玉県","N03_002":null,"N03_003":"南埼玉郡","N03_004":"宮代町","N03_007":"11442"},"geometry":{"type":"Polygon","coordinates":[[[139.70,36.00],[139.75,36.00],[139.75,36.05],[139.70,36.05],[139.70,36.00]]]}}
]}"#;

fn n03_roles(roles: Option<RoleAssignment>) -> Result<Vec<care_atlas_core::AreaRole>, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "n03.geojson", N03_MIYASHIRO.as_bytes());
    parse_file(&path, &ParseOptions { roles, ..ParseOptions::default() })
        .map(|parsed| parsed.batch.municipalities.iter().map(|m| m.value.role).collect())
        .map_err(|e| e.to_string().replace(&path.display().to_string(), "n03.geojson"))
}

#[test]
fn n03_roles_come_from_the_import_and_a_boundary_file_without_them_is_refused() {
    use care_atlas_core::AreaRole::{Neighbour, StudyArea};
    let code = || "11442".parse().unwrap();
    assert_eq!(n03_roles(Some(RoleAssignment::Every(Neighbour))), Ok(vec![Neighbour]));
    assert_eq!(n03_roles(Some(RoleAssignment::StudyArea([code()].into()))), Ok(vec![StudyArea]));
    assert_eq!(n03_roles(Some(RoleAssignment::StudyArea([].into()))), Ok(vec![Neighbour]));
    assert_eq!(
        n03_roles(Some(RoleAssignment::Known([(code(), StudyArea)].into()))),
        Ok(vec![StudyArea])
    );
    let refused = "n03.geojson: the file states no role (study area or neighbour) for 宮代町 (11442), and none was given: name the study-area municipalities with --study-area CODE,CODE,… or import a municipalities file that states the roles first";
    assert_eq!(n03_roles(Some(RoleAssignment::Known([].into()))), Err(refused.to_owned()));
    assert_eq!(n03_roles(None), Err(refused.to_owned()));
}

#[test]
fn copies_of_the_raw_data_are_read_with_their_quirks() {
    let nursing = parse(
        "v.csv",
        "jigyosho_no,name,address,lat,lng\n1165790043,コスモ訪問看護リハビリステーション蓮田,埼玉県蓮田市東５－８－２８,35.97836,139.6559\n,名無し,埼玉県蓮田市,,\n",
    );
    assert_eq!(nursing.format, Format::KaigoVisitingNursingCopy);
    assert_eq!(nursing.batch.facilities[0].record_id, "1165790043");
    assert_eq!(reasons(&nursing), vec!["3: jigyosho_no is empty"]);

    let care = parse(
        "c.csv",
        "slug,name,name_kana,city,city_code6,address,tel,corporation,url,lat,lng\nmhlw_kaigo_1171101387_430,ふるとねケアサービス,フルトネケアサ-ビス,杉戸町,114642,埼玉県北葛飾郡杉戸町杉戸4-11-26,0480-36-2075,有限会社 ふるとね介護サービス,,36.0293141,139.72385429999997\nmhlw_kaigo_x,誤り,,杉戸町,114642,,,,,,\n",
    );
    assert_eq!(care.format, Format::KaigoCareManagementCopy);
    assert_eq!(care.batch.facilities[0].record_id, "1171101387");
    assert_eq!(
        care.batch.facilities[0].declared.code.map(|c| c.to_string()).as_deref(),
        Some("11464")
    );
    assert!(reasons(&care)[0].contains("is not mhlw_kaigo_<事業所番号>_430"));

    let medical = parse(
        "m.csv",
        "kind,iryo_id,name,address,url,departments\nclinic,1121109853800,坪井内科医院,埼玉県南埼玉郡宮代町宮代　３－２－３,,内科|小児科|皮膚科\n",
    );
    assert_eq!(
        (medical.format, medical.batch.facilities[0].coordinates),
        (Format::IryoMedicalCopy, None)
    );

    let clinics =
        parse("z.csv", "id,name,address\nEXP05267FDEDF,杉本医院,349-0217 白岡市小久喜1444ー7\n");
    assert_eq!(
        (clinics.format, clinics.batch.facilities[0].kind),
        (Format::ZaitakuNavi, FacilityKind::HomeCareClinic)
    );

    let towns = parse(
        "t.csv",
        "city_code,city,town,koaza,lat,lng,zip\n11238,蓮田市,大字上平野,,36.026283,139.614556,3490111\n11442,宮代町,和戸横町一丁目,,,,\n",
    );
    assert_eq!(towns.format, Format::GeoloniaTowns);
    assert_eq!(towns.batch.towns[0].value.postal_code.as_deref(), Some("349-0111"));
    assert_eq!(reasons(&towns), vec!["3: no coordinates"]);
}

#[test]
fn a_truncated_file_rejects_its_cut_row_by_line() {
    let parsed = parse(
        "cut.csv",
        "jigyosho_no,name,address,lat,lng\n1165790043,コスモ訪問看護リハビリステーション蓮田,埼玉県蓮田市東５－８－２８,35.97836,139.6559\n1165790100,えふ訪問看護,埼玉県蓮田市蓮田３丁目",
    );
    assert_eq!(parsed.batch.facilities.len(), 1);
    assert_eq!(
        reasons(&parsed),
        vec!["3: row has 3 field(s) where the header has 5 (truncated or shifted row)"]
    );
    assert_eq!(parsed.batch.rows_read, 2);
}

#[test]
fn an_unknown_header_is_fatal_and_lists_the_formats() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "x.csv", "名前,場所\nA,B\n".as_bytes());
    let err = parse_file(&path, &ParseOptions::default()).unwrap_err();
    assert!(matches!(err, LoadError::UnknownFormat { .. }));
    assert!(
        err.to_string().contains("no known layout has the header `名前,場所`")
            && err.to_string().contains("kaigo-opendata"),
        "{err}"
    );
}

#[test]
fn a_named_format_whose_columns_are_missing_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "x.csv", "jigyosho_no,name\n1,A\n".as_bytes());
    let options =
        ParseOptions { format: Some(Format::KaigoVisitingNursingCopy), ..ParseOptions::default() };
    let err = parse_file(&path, &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:1: header lacks the column(s) address, lat, lng required by the kaigo-130-copy layout",
            path.display()
        )
    );
}

#[test]
fn broken_geojson_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path =
        write(dir.path(), "x.geojson", b"{\"type\":\"FeatureCollection\",\n\"features\":[\n");
    let err = parse_file(&path, &ParseOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}:3: not a GeoJSON FeatureCollection", path.display())),
        "{err}"
    );
}

#[test]
fn canonical_facilities_must_carry_consistent_ids() {
    let header = care_atlas_loader::formats::FACILITY_COLUMNS.join(",");
    let text = format!(
        "{header}\nmhlw-kaigo-130-1165790043,visiting_nursing_station,コスモ訪問看護リハビリステーション蓮田,,埼玉県蓮田市東５－８－２８,11238,35.97836,139.6559,source,,,,,,mhlw-kaigo-130,1165790043,2026-07-12,,,,\nwrong-id,visiting_nursing_station,えふ訪問看護,,埼玉県蓮田市,11238,35.97338,139.65088,source,,,,,,mhlw-kaigo-130,1165790100,,,,,\nmhlw-kaigo-130-1,hospice,x,,x,11238,35.9,139.6,source,,,,,,mhlw-kaigo-130,1,,,,,\n"
    );
    let parsed = parse("facilities.csv", &text);
    assert_eq!(parsed.format, Format::Facilities);
    assert_eq!(parsed.batch.facilities[0].precision, Some(PositionPrecision::Source));
    assert_eq!(
        reasons(&parsed),
        vec![
            "3: id `wrong-id` is not `mhlw-kaigo-130-1165790100` (source-source_record_id)",
            "4: unknown facility kind `hospice`",
        ]
    );
}

#[test]
fn canonical_facilities_carry_their_contact_source_and_a_file_without_the_column_still_reads() {
    let header = care_atlas_loader::formats::FACILITY_COLUMNS.join(",");
    let row = "mhlw-kaigo-130-1160590067,visiting_nursing_station,ケアウエスト訪問看護ステーション,,埼玉県南埼玉郡宮代町西粂原５９９－１,11442,36.0340071,139.6919875,source,,0480-37-0911,,,,mhlw-kaigo-130,1160590067,2026-07-12";
    let parsed = parse("facilities.csv", &format!("{header}\n{row},houmonkango-navi,,,\n"));
    let draft = &parsed.batch.facilities[0];
    assert_eq!(draft.contact_source.as_deref(), Some("houmonkango-navi"));
    assert_eq!(draft.phone.as_deref(), Some("0480-37-0911"));
    let old_header = care_atlas_loader::formats::FACILITY_COLUMNS[..17].join(",");
    let parsed = parse("facilities.csv", &format!("{old_header}\n{row}\n"));
    assert_eq!(parsed.format, Format::Facilities);
    assert_eq!(parsed.batch.facilities[0].contact_source, None);
}

#[test]
fn cp932_with_half_width_katakana_reads_without_panicking() {
    // A 自治体標準 医療機関一覧 as Windows tools write it: CP932, the kana column in half-width
    // katakana (one byte each in CP932, three in UTF-8). Real records of the study area.
    let text = "\
全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,医療機関の種類,所在地_連結表記,緯度,経度,電話番号,URL
112381,1111108985700,埼玉県蓮田市,独立行政法人　国立病院機構　東埼玉病院,ﾄﾞｸﾘﾂｷﾞｮｳｾｲﾎｳｼﾞﾝ ｺｸﾘﾂﾋﾞｮｳｲﾝｷｺｳ ﾋｶﾞｼｻｲﾀﾏﾋﾞｮｳｲﾝ,病院,埼玉県蓮田市大字黒浜４１４７,35.996631,139.676669,,https://higashisaitama.hosp.go.jp/
";
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable);
    let dir = tempfile::tempdir().unwrap();
    let parsed =
        parse_file(&write(dir.path(), "medical_sjis.csv", &bytes), &ParseOptions::default())
            .unwrap();
    assert_eq!(parsed.encoding, TextEncoding::ShiftJis);
    assert_eq!(parsed.format, Format::StandardMedical);
    let [hospital] = parsed.batch.facilities.as_slice() else { panic!() };
    assert_eq!(hospital.name, "独立行政法人　国立病院機構　東埼玉病院");
    assert_eq!(parsed.batch.facilities, parse("medical.csv", text).batch.facilities);
}

#[test]
fn a_malformed_postal_code_in_the_towns_layout_is_kept_as_published() {
    // A real gazetteer row whose zip column holds a typo with a long-vowel mark (seven bytes,
    // not seven digits): kept as it is, never sliced inside a character.
    let text = "\
city_code,city,town,koaza,lat,lng,zip
11238,蓮田市,大字上平野,,36.026283,139.614556,34ー01
11238,蓮田市,大字井沼,,36.023232,139.629267,
";
    let parsed = parse("towns.csv", text);
    assert_eq!(parsed.format, Format::GeoloniaTowns);
    let postal: Vec<Option<&str>> =
        parsed.batch.towns.iter().map(|t| t.value.postal_code.as_deref()).collect();
    assert_eq!(postal, [Some("34ー01"), None]);
}

/// The 厚生局's register as published (an xlsx workbook): see `fixtures/make_register_fixture.py`.
const REGISTER_FIXTURE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/register_ika_saitama_sample.xlsx");

#[test]
fn kouseikyoku_register_gives_one_facility_per_institution_with_its_home_care_filings() {
    use care_atlas_core::HomeCareClass;
    let parsed = parse_file(Path::new(REGISTER_FIXTURE), &ParseOptions::default()).unwrap();
    assert_eq!(parsed.format, Format::KouseikyokuRegister);
    assert_eq!(parsed.encoding, TextEncoding::Workbook);
    let facilities = &parsed.batch.facilities;
    let summary: Vec<_> = facilities
        .iter()
        .map(|f| {
            (
                f.source.as_str(),
                f.record_id.as_str(),
                f.kind,
                f.home_care_class,
                f.name.as_str(),
                f.filings.join("|"),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "kouseikyoku-ika",
                "11-0501395",
                FacilityKind::HomeCareClinic,
                Some(HomeCareClass::EnhancedNetworked),
                "杉本医院",
                "支援診２|在医総管１".to_owned()
            ),
            (
                "kouseikyoku-ika",
                "11-5700679",
                FacilityKind::HomeCareHospital,
                Some(HomeCareClass::EnhancedNetworked),
                "医療法人社団　愛友会　蓮田一心会病院",
                "支援病２|在医総管１|在看".to_owned()
            ),
            (
                "kouseikyoku-ika",
                "11-6600126",
                FacilityKind::HomeCareClinic,
                Some(HomeCareClass::EnhancedNetworked),
                "なごみ診療所",
                "支援診２|在緩診実|在医総管１|在医総管２|在総".to_owned()
            ),
        ]
    );
    let sugimoto = &facilities[0];
    assert_eq!(sugimoto.address, "白岡市小久喜１４４４ー７");
    assert_eq!(sugimoto.phone.as_deref(), Some("0480-92-1817"));
    assert_eq!(sugimoto.as_of.as_deref(), Some("2025-09-01"));
    assert_eq!(sugimoto.declared.prefecture.as_deref(), Some("埼玉県"));
    // 鈴木医院 files 在医総管 but no 在宅療養支援 class: read, counted, not carried.
    assert_eq!(parsed.batch.not_carried, 1);
    assert_eq!(parsed.batch.rows_read, 4 + 2);
    let errors = reasons(&parsed);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].ends_with("医療機関番号 `` is not seven digits"), "{errors:?}");
    assert!(errors[1].ends_with("区分 `薬局` is neither 医科 nor 歯科"), "{errors:?}");
    assert!(errors.iter().all(|e| e.split(':').next().unwrap().parse::<u64>().unwrap() > 60));
}

#[test]
fn a_workbook_that_is_not_a_register_is_refused_naming_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "not_a_register.xlsx", b"PK\x03\x04 not really a zip");
    let error = parse_file(&path, &ParseOptions::default()).unwrap_err();
    assert!(matches!(error, LoadError::Workbook { .. }), "{error}");
}

/// The e-Stat 地域メッシュ統計 table T001141 in its official layout (CP932, CRLF, item codes then
/// item names), real rows of 2020: two cells merged into a third, a cell receiving one outside this
/// excerpt, and (last) that merged cell with a status the census does not use.
const CENSUS_MESH: &str = "\
KEY_CODE,HTKSYORI,HTKSAKI,GASSAN,T001141001,T001141002,T001141003,T001141004,T001141005,T001141006,T001141007,T001141008,T001141009,T001141010,T001141011,T001141012,T001141013,T001141014,T001141015,T001141016,T001141017,T001141018,T001141019,T001141020,T001141021,T001141022,T001141023,T001141024,T001141025,T001141026,T001141027,T001141028,T001141029,T001141030,T001141031,T001141032,T001141033,T001141034,T001141035,T001141036,T001141037,T001141038,T001141039,T001141040,T001141041,T001141042,T001141043,T001141044,T001141045,T001141046,T001141047,T001141048,T001141049,T001141050\r\n\
,,,,　人口（総数）,　人口（総数）　男,　人口（総数）　女,　０～１４歳人口　総数,　０～１４歳人口　男,　０～１４歳人口　女,　１５歳以上人口　総数,　１５歳以上人口　男,　１５歳以上人口　女,　１５～６４歳人口　総数,　１５～６４歳人口　男,　１５～６４歳人口　女,　１８歳以上人口　総数,　１８歳以上人口　男,　１８歳以上人口　女,　２０歳以上人口　総数,　２０歳以上人口　男,　２０歳以上人口　女,　６５歳以上人口　総数,　６５歳以上人口　男,　６５歳以上人口　女,　７５歳以上人口　総数,　７５歳以上人口　男,　７５歳以上人口　女,　８５歳以上人口　総数,　８５歳以上人口　男,　８５歳以上人口　女,　９５歳以上人口　総数,　９５歳以上人口　男,　９５歳以上人口　女,　外国人人口　総数,　外国人人口　男,　外国人人口　女,　世帯総数,　一般世帯数,　１人世帯数　一般世帯数,　２人世帯数　一般世帯数,　３人世帯数　一般世帯数,　４人世帯数　一般世帯数,　５人世帯数　一般世帯数,　６人世帯数　一般世帯数,　７人以上世帯数　一般世帯数,　親族のみの世帯数　一般世帯数,　核家族世帯数　一般世帯数,　核家族以外の世帯数　一般世帯数,　６歳未満世帯員のいる世帯数　一般世帯数,　６５歳以上世帯員のいる世帯数　一般世帯数,　世帯主の年齢が２０～２９歳の１人世帯数　一般世帯数,　高齢単身世帯数　一般世帯数,　高齢夫婦世帯数　一般世帯数\r\n\
533966852,2,533966854,,217,47,170,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,7,3,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*\r\n\
533966853,2,533966854,,5,3,2,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,2,2,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*\r\n\
533966854,1,,533966852;533966853,215,106,109,24,10,14,413,146,267,147,77,70,406,142,264,400,138,262,266,69,197,223,47,176,136,19,117,38,3,35,0,0,0,76,76,9,26,22,16,6,0,2,71,60,11,7,43,0,5,12\r\n\
533965561,1,,533965564,1278,626,652,149,77,72,1124,545,579,727,369,358,1100,527,573,1074,508,566,397,176,221,210,89,121,44,13,31,5,1,4,10,5,5,528,528,137,161,128,81,18,4,1,392,360,32,47,265,7,69,76\r\n\
533965564,3,533965561,,10,7,3,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*,2,2,*,*,*,*,*,*,*,*,*,*,*,*,*,*,*\r\n";

#[test]
fn census_mesh_reads_the_official_layout_with_merged_cells_and_stars_unknown() {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(CENSUS_MESH);
    assert!(!unmappable);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "tblT001141H5339.txt", &bytes);
    let parsed = parse_file(&path, &ParseOptions::default()).unwrap();
    assert_eq!(parsed.format, Format::EstatCensusMesh);
    assert_eq!(parsed.encoding, TextEncoding::ShiftJis);
    let cells: Vec<_> = parsed.batch.census_mesh.iter().map(|c| c.value).collect();
    assert_eq!(cells.len(), 4);
    assert!(parsed.batch.census_mesh.iter().all(|c| c.source == "estat-mesh-2020"));
    let cell = |code: &str| *cells.iter().find(|c| c.code.to_string() == code).unwrap();
    let merged = cell("533966852");
    assert_eq!(
        merged.suppression.merged_into().map(|c| c.to_string()).as_deref(),
        Some("533966854")
    );
    assert_eq!((merged.population_total, merged.households), (Some(217), Some(7)));
    assert_eq!(
        (merged.aged_65_plus, merged.aged_75_plus, merged.elderly_living_alone),
        (None, None, None)
    );
    let receiver = cell("533966854");
    assert_eq!(receiver.suppression, care_atlas_core::MeshSuppression::Receives);
    assert_eq!(
        (
            receiver.population_total,
            receiver.aged_65_plus,
            receiver.aged_75_plus,
            receiver.aged_85_plus
        ),
        (Some(215), Some(266), Some(223), Some(136))
    );
    assert_eq!((receiver.households, receiver.elderly_living_alone), (Some(76), Some(5)));
    // The data row after the two header lines is line 3; the bad status is on line 7.
    assert_eq!(reasons(&parsed), vec!["7: HTKSYORI `3` is not 0, 1 or 2"]);
}

/// Found by the `import_geojson` fuzzer: a position of one number panicked inside geojson's
/// conversion; now it is the feature's row error and the file's other features still load.
#[test]
fn a_boundary_position_of_one_number_is_a_row_error_not_a_panic() {
    let text = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"N03_001":"埼玉県","N03_003":"南埼玉郡","N03_004":"宮代町","N03_007":"11442"},"geometry":{"type":"Polygon","coordinates":[[[139.70],[139.75,36.00],[139.75,36.05],[139.70,36.00]]]}},
{"type":"Feature","properties":{"N03_001":"埼玉県","N03_004":"白岡市","N03_007":"11246"},"geometry":{"type":"MultiPolygon","coordinates":[[[[139.60,36.00],[139.65,36.00],[139.65,36.05],[139.60,36.00]]]]}}
]}"#;
    let dir = tempfile::tempdir().unwrap();
    let roles = RoleAssignment::StudyArea(["11442".parse().unwrap()].into());
    let options = ParseOptions { roles: Some(roles), ..ParseOptions::default() };
    let parsed = parse_file(&write(dir.path(), "n03.geojson", text.as_bytes()), &options).unwrap();
    let reasons: Vec<&str> = parsed.batch.row_errors.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(reasons[0].contains("a position has 1 numbers ([139.7])"), "{reasons:?}");
    assert_eq!(parsed.batch.municipalities.len(), 1);
}

/// Found by the `import_workbook` fuzzer: the register fixture with one byte changed makes
/// calamine overflow on a cell reference; the import refuses the workbook instead of panicking.
#[test]
fn a_workbook_the_xlsx_reader_chokes_on_is_refused_not_a_panic() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fuzz_workbook_cell_reference_overflow.xlsx"
    ));
    let error = parse_file(path, &ParseOptions::default()).unwrap_err().to_string();
    assert!(error.contains("fuzz_workbook_cell_reference_overflow.xlsx"), "{error}");
}
