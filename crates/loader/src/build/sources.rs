//! The source catalogue: every source of the canonical data, with its terms, the exact
//! attribution they ask for, and the date the data describes.

use crate::records::SourceInfo;

const KAIGO_CREDIT: &str = "「介護サービス情報公表システム」（厚生労働省）のデータを基に作成";
const KAIGO_TERMS: &str =
    "CC BY 4.0 (as stated by the copy; MHLW open data, 公共データ利用規約 PDL1.0)";
const IRYO_CREDIT: &str = "厚生労働省「医療情報ネット」オープンデータを加工して作成";
const KOUSEIKYOKU_TERMS: &str =
    "厚生労働省 site terms, based on 政府標準利用規約 2.0 (compatible with CC BY 4.0)";

/// A source of the canonical data, as `sources.csv` and the README describe it.
struct Source {
    id: &'static str,
    title: &'static str,
    publisher: &'static str,
    licence: &'static str,
    /// The attribution exactly as the terms ask for it.
    attribution: &'static str,
    /// The date the data describes, where known.
    as_of: Option<&'static str>,
    /// What `as_of` is (publication date, census day, date of the copy).
    as_of_basis: &'static str,
    /// Where our copy was found.
    origin: &'static str,
}

const SOURCES: &[Source] = &[
    Source {
        id: "mlit-n03-2019",
        title: "国土数値情報 行政区域データ N03 (2019-01-01)",
        publisher: "国土交通省",
        licence: "国土数値情報 利用約款 (attribution required)",
        attribution: "「国土数値情報（行政区域データ）」（国土交通省）を加工して作成",
        as_of: Some("2019-01-01"),
        as_of_basis: "reference date of the data set",
        origin: "GitHub optgeo/n03-2019-geojson, snapshot c31913f0",
    },
    Source {
        id: "mlit-n03-2021-simplified",
        title: "国土数値情報 行政区域データ N03 (2021-01-01), 埼玉県, simplified to 1% (used for municipality names only)",
        publisher: "国土交通省",
        licence: "国土数値情報 利用約款 (attribution required)",
        attribution: "「国土数値情報（行政区域データ）」（国土交通省）を加工して作成",
        as_of: Some("2021-01-01"),
        as_of_basis: "reference date of the data set",
        origin: "GitHub smartnews-smri/japan-topography data/municipality/geojson/s0010/N03-21_11_210101.json, snapshot b403e71e",
    },
    Source {
        id: "estat-census-2020-small-areas",
        title: "令和２年国勢調査 町丁・字等別境界データ (attributes)",
        publisher: "総務省統計局 (e-Stat)",
        licence: "政府統計の総合窓口 利用規約 (compatible with CC BY 4.0)",
        attribution: "「令和２年国勢調査 町丁・字等別境界データ」（総務省統計局、e-Stat）を加工して作成",
        as_of: Some("2020-10-01"),
        as_of_basis: "census day",
        origin: "GitHub nyatla-ai/dbf-utils dev/r2ka11.dbf, snapshot 955e13fb",
    },
    Source {
        id: "estat-mesh-2020",
        title: "令和2年国勢調査 地域メッシュ統計 2分の1地域メッシュ 人口及び世帯 (T001141, 5339/5439, cells of the study area and its 10 km ring)",
        publisher: "総務省統計局 (e-Stat)",
        licence: "政府統計の総合窓口(e-Stat) 利用規約 (compatible with CC BY 4.0)",
        attribution: "政府統計の総合窓口(e-Stat) 令和2年国勢調査 地域メッシュ統計",
        as_of: Some("2020-10-01"),
        as_of_basis: "census day",
        origin: "GitHub hirorinya/trade-area-analysis population/tblT001141H5339.zip and tblT001141H5439.zip, commit 4fc0e473; rows cut to the cells touching lon 139.47–139.87, lat 35.86–36.15",
    },
    Source {
        id: "ssdse-a-2025",
        title: "教育用標準データセット SSDSE-A-2025 (市区町村)",
        publisher: "独立行政法人統計センター",
        licence: "統計センター terms (compatible with 政府標準利用規約 / CC BY 4.0)",
        attribution: "「教育用標準データセット（SSDSE-A-2025）」（独立行政法人統計センター）を加工して作成",
        as_of: Some("2020-10-01"),
        as_of_basis: "census day of the population items used",
        origin: "GitHub somakai-sumasi/map_test SSDSE-A-2025.csv, snapshot 52292e81",
    },
    Source {
        id: "geolonia-addresses",
        title: "Geolonia 住所データ (大字・町丁目 representative points)",
        publisher: "Geolonia, based on 国土交通省 位置参照情報 and 日本郵便 郵便番号データ",
        licence: "CC BY 4.0",
        attribution: "「Geolonia 住所データ」(CC BY 4.0)、国土交通省「位置参照情報」を基に作成",
        as_of: Some("2024-01-15"),
        as_of_basis: "date of the copy",
        origin: "GitHub geolonia/japanese-addresses api/ja, snapshot c3999f70",
    },
    Source {
        id: "mhlw-kaigo-130",
        title: "介護サービス情報公表システム オープンデータ 訪問看護 (jigyosho_130)",
        publisher: "厚生労働省",
        licence: KAIGO_TERMS,
        attribution: KAIGO_CREDIT,
        as_of: Some("2026-07-12"),
        as_of_basis: "date of the copy; the publication date of the underlying file is not stated",
        origin: "GitHub osawa-ux/houmonkango-navi gh-pages data/clinics_geo.json, snapshot ade0c6bf",
    },
    Source {
        id: "mhlw-kaigo-430",
        title: "介護サービス情報公表システム オープンデータ 居宅介護支援 (jigyosho_430)",
        publisher: "厚生労働省",
        licence: KAIGO_TERMS,
        attribution: KAIGO_CREDIT,
        as_of: Some("2026-07-24"),
        as_of_basis: "date of the copy; the publication date of the underlying file is not stated",
        origin: "GitHub osawa-ux/kyotaku-navi gh-pages data/search/{11,12,08}.json, snapshot 7d11f5d8",
    },
    Source {
        id: "mhlw-kaigo-opendata",
        title: "介護サービス情報公表システム オープンデータ 510/520/550/710/760",
        publisher: "厚生労働省",
        licence: KAIGO_TERMS,
        attribution: KAIGO_CREDIT,
        as_of: Some("2025-06-01"),
        as_of_basis: "publication date of the open-data files",
        origin: "GitHub mojitap/helpmesearch data/mhlw/2025-06-01, snapshot 3c58ec1e",
    },
    Source {
        id: "mhlw-kaigo-derived",
        title: "介護サービス情報公表システム オープンデータ 110/150/780 (derived copy)",
        publisher: "厚生労働省",
        licence: KAIGO_TERMS,
        attribution: KAIGO_CREDIT,
        as_of: Some("2025-10-13"),
        as_of_basis: "date of the copy; the raw files were not in the copy, only a derived JSON",
        origin: "GitHub mojitap/helpmesearch public/data/care, snapshot 3c58ec1e",
    },
    Source {
        id: "mhlw-iryo-hospitals",
        title: "医療情報ネット オープンデータ 病院 (01-1_hospital_facility_info)",
        publisher: "厚生労働省",
        licence: "MHLW open data (check MHLW's terms)",
        attribution: IRYO_CREDIT,
        as_of: Some("2025-06-01"),
        as_of_basis: "publication date of the open-data file",
        origin: "GitHub mojitap/helpmesearch data/mhlw/2025-06-01, snapshot 3c58ec1e",
    },
    Source {
        id: "mhlw-iryo-medical",
        title: "医療情報ネット オープンデータ 診療所・歯科診療所・薬局 (derived copy, no coordinates)",
        publisher: "厚生労働省",
        licence: "MHLW open data (check MHLW's terms)",
        attribution: IRYO_CREDIT,
        as_of: Some("2025-10-13"),
        as_of_basis: "date of the copy; the clinic list looks incomplete",
        origin: "GitHub mojitap/helpmesearch public/data/medical, snapshot 3c58ec1e",
    },
    Source {
        id: "kouseikyoku-ika",
        title: "施設基準の届出受理医療機関名簿（医科） 埼玉県・千葉県・茨城県",
        publisher: "関東信越厚生局",
        licence: KOUSEIKYOKU_TERMS,
        attribution: "関東信越厚生局 施設基準の届出受理医療機関名簿（令和7年9月1日現在）を加工して作成",
        as_of: Some("2025-09-01"),
        as_of_basis: "the date the list describes, as its sheet states (「令和７年９月１日 現在」)",
        origin: "GitHub kazrin/sk data/2025/10/関東/ (the 厚生局's xlsx, unmodified), commit f04da12e",
    },
    Source {
        id: "kouseikyoku-shika",
        title: "施設基準の届出受理医療機関名簿（歯科） 埼玉県・千葉県・茨城県",
        publisher: "関東信越厚生局",
        licence: KOUSEIKYOKU_TERMS,
        attribution: "関東信越厚生局 施設基準の届出受理医療機関名簿（令和8年5月1日現在）を加工して作成",
        as_of: Some("2026-05-01"),
        as_of_basis: "the date the list describes, as its sheet states (「令和８年５月１日 現在」)",
        origin: "GitHub savastaro-ship-it/osaka-shika-shisetukijyun-dashboard data/source/ (the 厚生局's xlsx, unmodified), commit a19e599b",
    },
    Source {
        id: "houmonkango-navi",
        title: "訪問看護ステーションの電話番号・ウェブサイト (a portal's station pages)",
        publisher: "a third-party portal (houmonkango-navi), citing 介護サービス情報公表システム open data and the 厚生局 lists",
        licence: "no licence stated; facts (telephone numbers, web sites) only",
        attribution: "訪問看護ステーションの電話番号・ウェブサイト（houmonkango-navi）より。介護サービス情報公表システム・厚生局届出に基づく",
        as_of: Some("2026-07-12"),
        as_of_basis: "date of the copy",
        origin: "GitHub osawa-ux/houmonkango-navi gh-pages station/<事業所番号>.html (JSON-LD), commit ade0c6bf",
    },
];

/// Every source, in catalogue order.
pub(super) fn sources() -> Vec<SourceInfo> {
    SOURCES
        .iter()
        .map(|s| SourceInfo {
            id: s.id.into(),
            title: s.title.into(),
            publisher: s.publisher.into(),
            licence: s.licence.into(),
            attribution: s.attribution.into(),
            as_of: s.as_of.map(Into::into),
            as_of_basis: s.as_of_basis.into(),
            origin: s.origin.into(),
        })
        .collect()
}

/// The date the source `id` describes, for records whose file does not say.
pub(super) fn as_of(id: &str) -> Option<String> {
    SOURCES.iter().find(|s| s.id == id).and_then(|s| s.as_of).map(Into::into)
}

#[cfg(test)]
mod tests {
    use super::super::raw_files::{CONTACT_FILES, RAW_FILES};
    use super::*;

    #[test]
    fn every_raw_file_read_names_a_source_of_the_catalogue_so_it_is_credited() {
        let named = RAW_FILES.iter().map(|f| (f.name, f.source));
        let contacts = CONTACT_FILES.iter().map(|f| (f.name, f.source));
        for (file, source) in named.chain(contacts) {
            assert!(
                SOURCES.iter().any(|s| s.id == source),
                "{file}: source `{source}` is not in the catalogue"
            );
        }
    }
}
