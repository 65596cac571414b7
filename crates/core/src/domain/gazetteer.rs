//! Address normalisation and town-level geocoding against the 大字・町丁目 gazetteer.
//!
//! Japanese addresses in government data come in many spellings of the same place: full-width or
//! ASCII digits, `５丁目` or `５－` or `五丁目`, with or without 大字/字, a postal code in front, a
//! building name behind. Matching normalises both sides and compares the town part only, so the
//! result is never more precise than the town's representative point.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;

use crate::{Municipality, MunicipalityCode, Position};

/// The 47 prefecture names, to strip them from the front of an address.
const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// Normalises an address for matching (never for display), so that the spellings residents and
/// sources use for one place compare equal: NFKC (full-width digits and letters to ASCII), white
/// space removed wherever it is, a leading postal code (`〒349-0217`, `3490217`) removed, dash
/// look-alikes between numbers turned into `-`, kanji numbers of a 丁目 turned into digits
/// (`四丁目`, and `四-14` where the 丁目 is written as a dash), and the small ヶ/ヵ of place names
/// written as ケ/カ (`実ヶ谷` and `実ケ谷` are one town).
///
/// ```
/// use care_atlas_core::normalise_address;
/// assert_eq!(normalise_address("〒349-0217 埼玉県白岡市小久喜１４４４ー７"), "埼玉県白岡市小久喜1444-7");
/// assert_eq!(normalise_address("埼玉県蓮田市馬込五丁目１９８番地"), "埼玉県蓮田市馬込5丁目198番地");
/// assert_eq!(normalise_address("新白岡 四―１４"), "新白岡4-14");
/// ```
#[must_use]
pub fn normalise_address(address: &str) -> String {
    let compact: Vec<char> = address
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            'ヶ' => 'ケ',
            'ヵ' => 'カ',
            other => other,
        })
        .collect();
    let mut dashed = String::with_capacity(compact.len() * 3);
    for (i, &c) in compact.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|b| compact.get(b)).copied();
        let after = compact.get(i + 1).copied();
        // After an ASCII digit any dash look-alike separates numbers (`1444ー7`). After a kanji
        // numeral only before a digit (`四ー14`), since a long-vowel mark may follow a kanji in a
        // building name.
        let separates_numbers = before.is_some_and(|b| b.is_ascii_digit())
            || (before.is_some_and(is_kanji_numeral) && after.is_some_and(|a| a.is_ascii_digit()));
        if DASHES.contains(&c) && separates_numbers {
            dashed.push('-');
        } else {
            dashed.push(c);
        }
    }
    let without_postal = strip_postal_code(&dashed);
    kanji_chome_to_digits(without_postal)
}

/// The characters written for a hyphen between numbers: ASCII, the Unicode dashes and minus,
/// the katakana long-vowel mark (an IME's usual `-`), and box-drawing lines.
const DASHES: [char; 14] = ['-', '−', '‐', '‑', '‒', '–', '—', '―', '⁃', 'ー', 'ｰ', '－', '─', '━'];

fn strip_postal_code(address: &str) -> &str {
    let rest = address.strip_prefix('〒').unwrap_or(address);
    let bytes = rest.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes.get(range).is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    if digits(0..3) && bytes.get(3) == Some(&b'-') && digits(4..8) {
        &rest[8..]
    } else if digits(0..7) && !bytes.get(7).is_some_and(u8::is_ascii_digit) {
        &rest[7..]
    } else {
        address
    }
}

fn kanji_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九".chars().position(|k| k == c).map(|p| p as u32)
}

fn is_kanji_numeral(c: char) -> bool {
    kanji_digit(c).is_some() || c == '十'
}

/// Value of a kanji numeral up to 99 (`五`, `十`, `十二`, `二十三`).
fn kanji_number(text: &str) -> Option<u32> {
    let chars: Vec<char> = text.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        [d] => kanji_digit(*d),
        ['十', d] => kanji_digit(*d).map(|d| 10 + d),
        [t, '十'] => kanji_digit(*t).map(|t| 10 * t),
        [t, '十', d] => Some(10 * kanji_digit(*t)? + kanji_digit(*d)?),
        _ => None,
    }
}

/// Writes the kanji number of a 丁目 in digits: before `丁目`, and before a `-` where the 丁目 is
/// written as a dash (`四-14`).
fn kanji_chome_to_digits(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut rest = address;
    let next_marker = |text: &str| {
        text.char_indices().find_map(|(i, c)| match c {
            '-' => Some((i, 1)),
            '丁' if text[i..].starts_with("丁目") => Some((i, "丁目".len())),
            _ => None,
        })
    };
    while let Some((at, marker_len)) = next_marker(rest) {
        let head = &rest[..at];
        let numeral_start = head
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_kanji_numeral(*c))
            .last()
            .map_or(head.len(), |(i, _)| i);
        match kanji_number(&head[numeral_start..]) {
            Some(n) => {
                out.push_str(&head[..numeral_start]);
                out.push_str(&n.to_string());
            }
            None => out.push_str(head),
        }
        out.push_str(&rest[at..at + marker_len]);
        rest = &rest[at + marker_len..];
    }
    out.push_str(rest);
    out
}

/// Splits a normalised address into its prefecture (if written) and the rest.
///
/// ```
/// use care_atlas_core::{normalise_address, split_prefecture};
/// assert_eq!(split_prefecture("埼玉県蓮田市東5-8-28"), (Some("埼玉県"), "蓮田市東5-8-28"));
/// assert_eq!(split_prefecture("白岡市小久喜200"), (None, "白岡市小久喜200"));
/// ```
#[must_use]
pub fn split_prefecture(normalised: &str) -> (Option<&'static str>, &str) {
    PREFECTURES
        .iter()
        .find_map(|p| normalised.strip_prefix(p).map(|rest| (Some(*p), rest)))
        .unwrap_or((None, normalised))
}

/// The municipality of `municipalities` named at the start of `rest` (a normalised address after
/// its prefecture, with or without the 郡), and the part of the address after it. Longer names are
/// tried first, so `さいたま市岩槻区` wins over any shorter name it starts with.
///
/// ```
/// # use care_atlas_core::{AreaRole, Municipality, municipality_in_address};
/// # let town = |code: &str, name: &str, county: Option<&str>| Municipality {
/// #     code: code.parse().unwrap(), name: name.into(), prefecture: "埼玉県".into(),
/// #     county: county.map(Into::into), role: AreaRole::StudyArea, boundary: geo::MultiPolygon(vec![]),
/// # };
/// let towns = [town("11442", "宮代町", Some("南埼玉郡")), town("11238", "蓮田市", None)];
/// let (m, rest) = municipality_in_address("南埼玉郡宮代町字山崎478-9", &towns).unwrap();
/// assert_eq!((m.name.as_str(), rest), ("宮代町", "字山崎478-9"));
/// ```
#[must_use]
pub fn municipality_in_address<'a, 'm>(
    rest: &'a str,
    municipalities: impl IntoIterator<Item = &'m Municipality>,
) -> Option<(&'m Municipality, &'a str)> {
    municipalities
        .into_iter()
        .filter_map(|m| {
            let after_county =
                m.county.as_deref().and_then(|c| rest.strip_prefix(c)).unwrap_or(rest);
            after_county.strip_prefix(m.name.as_str()).map(|after| (m, after))
        })
        .max_by_key(|(m, _)| m.name.len())
}

/// The town name that starts the part of a normalised address after its municipality, without
/// 大字/字 in front and without what follows it (丁目 and lot numbers, a 小字 written `字…`): the
/// part two spellings of one address share (`大字蓮田2061` and `蓮田2061`, `新白岡4丁目13番地3`
/// and `新白岡4-13-3`). For matching records of two sources, never for display.
///
/// ```
/// use care_atlas_core::town_name_part;
/// assert_eq!(town_name_part("大字蓮田2061"), "蓮田");
/// assert_eq!(town_name_part("新白岡4丁目13番地3"), "新白岡");
/// assert_eq!(town_name_part("下野田字日川宮市1373-3"), "下野田");
/// assert_eq!(town_name_part("東"), "東");
/// ```
#[must_use]
pub fn town_name_part(rest: &str) -> &str {
    let bare = rest.strip_prefix("大字").or_else(|| rest.strip_prefix("字")).unwrap_or(rest);
    let end = bare.find(|c: char| c.is_ascii_digit() || c == '字').unwrap_or(bare.len());
    &bare[..end]
}

/// A 大字・町丁目 with its representative point.
#[derive(Debug, Clone, PartialEq)]
pub struct TownPoint {
    /// The municipality.
    pub municipality_code: MunicipalityCode,
    /// Town name as published (`大字上平野`, `東五丁目`).
    pub town: String,
    /// Representative point.
    pub position: Position,
    /// Postal code, where known (`349-0217`).
    pub postal_code: Option<String>,
}

/// Where a town-level geocode placed an address.
#[derive(Debug, Clone, PartialEq)]
pub struct TownMatch {
    /// The matched town as the gazetteer names it; for an address that names a town with several
    /// 丁目 but not which one, the town name without 丁目.
    pub town: String,
    /// The point the address is placed at.
    pub position: Position,
    /// Set when the point is not one gazetteer point but the mean of the points of every 丁目 of a
    /// town, because the address did not say which 丁目.
    pub mean_of_chome: Option<usize>,
}

#[derive(Debug, Clone)]
struct TownKey {
    /// Town name without 大字/字 and without 丁目 (`上平野`, `東`).
    base: String,
    chome: Option<u32>,
    point: usize,
}

/// A town-level gazetteer: 大字・町丁目 representative points per municipality.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    points: Vec<TownPoint>,
    /// Per municipality, keys sorted by base length descending, so that the longest town name that
    /// starts an address wins (`上平野` before `上`).
    keys: BTreeMap<MunicipalityCode, Vec<TownKey>>,
}

fn town_key(town: &str) -> (String, Option<u32>) {
    let normalised = normalise_address(town);
    let bare = normalised
        .strip_prefix("大字")
        .or_else(|| normalised.strip_prefix("字"))
        .unwrap_or(&normalised);
    if let Some(head) = bare.strip_suffix("丁目") {
        let digits_start = head
            .rfind(|c: char| !c.is_ascii_digit())
            .map_or(0, |i| i + head[i..].chars().next().map_or(1, char::len_utf8));
        if let Ok(chome) = head[digits_start..].parse() {
            return (head[..digits_start].to_owned(), Some(chome));
        }
    }
    (bare.to_owned(), None)
}

impl Gazetteer {
    /// Builds a gazetteer from town points.
    #[must_use]
    pub fn new(points: Vec<TownPoint>) -> Self {
        let mut keys: BTreeMap<MunicipalityCode, Vec<TownKey>> = BTreeMap::new();
        for (index, point) in points.iter().enumerate() {
            let (base, chome) = town_key(&point.town);
            keys.entry(point.municipality_code).or_default().push(TownKey {
                base,
                chome,
                point: index,
            });
        }
        for list in keys.values_mut() {
            list.sort_by(|a, b| b.base.len().cmp(&a.base.len()).then(a.point.cmp(&b.point)));
        }
        Gazetteer { points, keys }
    }

    /// Every town point.
    #[must_use]
    pub fn points(&self) -> &[TownPoint] {
        &self.points
    }

    /// Whether the gazetteer has any town of this municipality.
    #[must_use]
    pub fn covers(&self, municipality: MunicipalityCode) -> bool {
        self.keys.contains_key(&municipality)
    }

    /// Places the part of a normalised address after the municipality name (`東5-8-28`,
    /// `大字和戸字芝原1373-1`) at its town's point, or `None` when no town of the municipality
    /// starts it.
    ///
    /// ```
    /// use care_atlas_core::{Gazetteer, Position, TownPoint};
    /// let hasuda = "11238".parse().unwrap();
    /// let town = |name: &str, lat, lon| TownPoint {
    ///     municipality_code: hasuda, town: name.into(), position: Position::new(lat, lon).unwrap(), postal_code: None,
    /// };
    /// let gazetteer = Gazetteer::new(vec![town("東五丁目", 35.979, 139.660), town("大字馬込", 35.97, 139.66)]);
    /// assert_eq!(gazetteer.locate(hasuda, "東5-8-28").unwrap().town, "東五丁目");
    /// assert_eq!(gazetteer.locate(hasuda, "馬込2172-1").unwrap().town, "大字馬込");
    /// assert!(gazetteer.locate(hasuda, "閏戸87-5").is_none());
    /// ```
    #[must_use]
    pub fn locate(&self, municipality: MunicipalityCode, rest: &str) -> Option<TownMatch> {
        self.town_and_after(municipality, rest).map(|(found, _)| found)
    }

    /// Places like [`Gazetteer::locate`], but only an address that spells out a whole town
    /// name: one followed by a number (a 丁目 or a lot), `字`, `-` or nothing. For an address
    /// without its municipality, tried in every municipality, where a town must not be found
    /// at the start of another town's name (`東姫宮1-2` names 東姫宮, not a town 東).
    ///
    /// ```
    /// use care_atlas_core::{Gazetteer, Position, TownPoint};
    /// let hasuda = "11238".parse().unwrap();
    /// let town = |name: &str, lat, lon| TownPoint {
    ///     municipality_code: hasuda, town: name.into(), position: Position::new(lat, lon).unwrap(), postal_code: None,
    /// };
    /// let gazetteer = Gazetteer::new(vec![town("東五丁目", 35.979, 139.660)]);
    /// assert_eq!(gazetteer.locate_named(hasuda, "東5-8-28").unwrap().town, "東五丁目");
    /// assert_eq!(gazetteer.locate_named(hasuda, "東").unwrap().town, "東");
    /// assert!(gazetteer.locate_named(hasuda, "東姫宮1-2").is_none());
    /// assert!(gazetteer.locate(hasuda, "東姫宮1-2").is_some());
    /// ```
    #[must_use]
    pub fn locate_named(&self, municipality: MunicipalityCode, rest: &str) -> Option<TownMatch> {
        let (found, after) = self.town_and_after(municipality, rest)?;
        let ends_the_name = after
            .chars()
            .next()
            .is_none_or(|c| c.is_ascii_digit() || c == '-' || c == '字' || is_kanji_numeral(c));
        ends_the_name.then_some(found)
    }

    /// The town that starts `rest` and what follows its name (its 丁目 number, lots, …).
    fn town_and_after<'r>(
        &self,
        municipality: MunicipalityCode,
        rest: &'r str,
    ) -> Option<(TownMatch, &'r str)> {
        let keys = self.keys.get(&municipality)?;
        let rest = rest.strip_prefix("大字").or_else(|| rest.strip_prefix("字")).unwrap_or(rest);
        let base =
            &keys.iter().find(|key| !key.base.is_empty() && rest.starts_with(&key.base))?.base;
        let same_base: Vec<&TownKey> = keys.iter().filter(|key| &key.base == base).collect();
        let after = &rest[base.len()..];
        let digits_end = after.find(|c: char| !c.is_ascii_digit()).unwrap_or(after.len());
        let chome: Option<u32> = after[..digits_end].parse().ok();
        let chome_written = after[digits_end..].starts_with("丁目");
        let exact = |key: &&&TownKey| key.chome.is_some() && key.chome == chome;
        let whole = |key: &&&TownKey| key.chome.is_none();
        let single = |key: &TownKey| {
            let point = &self.points[key.point];
            TownMatch { town: point.town.clone(), position: point.position, mean_of_chome: None }
        };
        if let Some(key) = same_base.iter().find(exact) {
            return Some((single(key), after));
        }
        if let Some(key) = same_base.iter().find(whole) {
            // A number after a town that has no such 丁目 is a lot number (番地) in the 大字.
            return (!chome_written).then(|| (single(key), after));
        }
        if chome.is_some() {
            return None;
        }
        // The address names a town of several 丁目 without saying which: its mean point is the
        // best town-level answer, and the match says so.
        let count = same_base.len();
        let (lat, lon) = same_base.iter().fold((0.0, 0.0), |(lat, lon), key| {
            let p = self.points[key.point].position;
            (lat + p.lat() / count as f64, lon + p.lon() / count as f64)
        });
        let town = self.points[same_base[0].point].town.clone();
        let town = town.strip_suffix("丁目").map_or(town.clone(), |t| {
            t.trim_end_matches(|c| kanji_digit(c).is_some() || c == '十').to_owned()
        });
        let found =
            TownMatch { town, position: Position::new(lat, lon).ok()?, mean_of_chome: Some(count) };
        Some((found, after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_normalised(raw: &str, expected: &str) {
        assert_eq!(normalise_address(raw), expected, "{raw}");
    }

    #[test]
    fn normalises_the_spellings_found_in_the_source_data() {
        check_normalised("埼玉県南埼玉郡宮代町宮代　３－２－３", "埼玉県南埼玉郡宮代町宮代3-2-3");
        check_normalised("埼玉県白岡市西１ー３ー２", "埼玉県白岡市西1-3-2");
        check_normalised("埼玉県白岡市小久喜１１９０−５−１階", "埼玉県白岡市小久喜1190-5-1階");
        check_normalised("349-0217 白岡市小久喜1444ー7", "白岡市小久喜1444-7");
        check_normalised("3490217白岡市", "白岡市");
        check_normalised("埼玉県白岡市西十丁目", "埼玉県白岡市西10丁目");
        check_normalised("埼玉県白岡市新白岡二十三丁目", "埼玉県白岡市新白岡23丁目");
        check_normalised("ルネ・グランテラス", "ルネ・グランテラス");
        check_normalised("", "");
    }

    #[test]
    fn normalises_addresses_as_residents_type_them() {
        // Full-width digits and letters.
        check_normalised("新白岡４－１４", "新白岡4-14");
        check_normalised("新白岡4-14　Ａ棟", "新白岡4-14A棟");
        // White space anywhere: ASCII, ideographic, tabs.
        check_normalised(" 白岡市 新白岡　４ - １４\t", "白岡市新白岡4-14");
        // Every hyphen look-alike between numbers.
        for dash in ['-', '－', '−', '‐', '‑', '‒', '―', 'ー', 'ｰ', '–', '—', '⁃', '─', '━']
        {
            check_normalised(&format!("新白岡4{dash}14"), "新白岡4-14");
        }
        // 丁目, 番地, 番 and 号 spelled out are kept: the town match reads them.
        check_normalised("新白岡4丁目14番地", "新白岡4丁目14番地");
        check_normalised("新白岡４丁目１４番３号", "新白岡4丁目14番3号");
        // Kanji numbers of a 丁目, before 丁目 or a dash.
        check_normalised("新白岡四丁目14番地", "新白岡4丁目14番地");
        check_normalised("新白岡四ー14", "新白岡4-14");
        check_normalised("西十－３", "西10-3");
        // A postal code in front, with or without 〒, in any width.
        check_normalised("〒349-0217 白岡市新白岡4-14", "白岡市新白岡4-14");
        check_normalised("349-0217新白岡4-14", "新白岡4-14");
        check_normalised("〒３４９－０２１７　新白岡４－１４", "新白岡4-14");
        check_normalised("〒3490217 新白岡4-14", "新白岡4-14");
        // A building name behind is kept, its long-vowel marks too.
        check_normalised("新白岡4-14 メゾン・ルーチェ101", "新白岡4-14メゾン・ルーチェ101");
        check_normalised("三ーコーポ", "三ーコーポ");
        // The small ヶ of place names.
        check_normalised("実ヶ谷123", "実ケ谷123");
        check_normalised("実ｹ谷123", "実ケ谷123");
    }

    #[test]
    fn a_town_named_must_be_spelled_out_whole() {
        let (code, gazetteer) = gazetteer();
        let named =
            |rest: &str| gazetteer.locate_named(code, &normalise_address(rest)).map(|m| m.town);
        assert_eq!(named("上平野616").as_deref(), Some("大字上平野"));
        assert_eq!(named("大字和戸字芝原１３７３－１").as_deref(), Some("大字和戸"));
        assert_eq!(named("馬込五丁目").as_deref(), Some("馬込五丁目"));
        assert_eq!(named("上").as_deref(), Some("上"));
        assert_eq!(named("上1-2").as_deref(), Some("上一丁目"));
        assert_eq!(named("上野田12"), None);
        assert_eq!(named("本町稲橋ビル"), None);
        assert_eq!(gazetteer.locate(code, "本町稲橋ビル").map(|m| m.town).as_deref(), Some("本町"));
    }

    #[test]
    fn splits_the_prefecture() {
        assert_eq!(split_prefecture("山形県長井市"), (Some("山形県"), "長井市"));
        assert_eq!(split_prefecture("神奈川県横浜市"), (Some("神奈川県"), "横浜市"));
        assert_eq!(split_prefecture("さいたま市岩槻区"), (None, "さいたま市岩槻区"));
    }

    fn gazetteer() -> (MunicipalityCode, Gazetteer) {
        let code: MunicipalityCode = "11238".parse().unwrap();
        let town = |name: &str, lat: f64, lon: f64| TownPoint {
            municipality_code: code,
            town: name.into(),
            position: Position::new(lat, lon).unwrap(),
            postal_code: None,
        };
        let points = vec![
            town("大字上平野", 36.026, 139.614),
            town("上一丁目", 35.98, 139.65),
            town("上二丁目", 35.99, 139.66),
            town("大字馬込", 35.97, 139.66),
            town("馬込五丁目", 35.975, 139.663),
            town("本町", 35.981, 139.652),
            town("字山崎", 36.01, 139.72),
            town("大字和戸", 36.04, 139.70),
            town("和戸一丁目", 36.041, 139.701),
            town("西十丁目", 36.02, 139.65),
        ];
        (code, Gazetteer::new(points))
    }

    fn check_town(rest: &str, expected: Option<&str>) {
        let (code, gazetteer) = gazetteer();
        assert_eq!(
            gazetteer.locate(code, &normalise_address(rest)).map(|m| m.town).as_deref(),
            expected,
            "{rest}"
        );
    }

    #[test]
    fn locates_towns_in_every_spelling() {
        check_town("大字上平野616番地1", Some("大字上平野"));
        check_town("上平野616", Some("大字上平野"));
        check_town("上2-2-6", Some("上二丁目"));
        check_town("上１－２３", Some("上一丁目"));
        check_town("馬込５丁目１９８番地", Some("馬込五丁目"));
        check_town("馬込五丁目", Some("馬込五丁目"));
        check_town("馬込2172-1", Some("大字馬込"));
        check_town("本町2番23号稲橋ビル3階", Some("本町"));
        check_town("山崎１８４－１", Some("字山崎"));
        check_town("字山崎478-9", Some("字山崎"));
        check_town("大字和戸字芝原１３７３－１", Some("大字和戸"));
        check_town("和戸1-2", Some("和戸一丁目"));
        check_town("西10-1", Some("西十丁目"));
    }

    #[test]
    fn refuses_what_it_cannot_place() {
        check_town("閏戸87-5", None);
        check_town("上3-1", None);
        check_town("馬込7丁目", None);
        check_town("", None);
        let (_, gazetteer) = gazetteer();
        assert!(gazetteer.locate("11246".parse().unwrap(), "本町").is_none());
    }

    #[test]
    fn a_town_without_its_chome_is_placed_at_the_mean_of_its_chome_and_says_so() {
        let (code, gazetteer) = gazetteer();
        let m = gazetteer.locate(code, "上").unwrap();
        assert_eq!(m.town, "上");
        assert_eq!(m.mean_of_chome, Some(2));
        assert!((m.position.lat() - 35.985).abs() < 1e-12);
        assert!((m.position.lon() - 139.655).abs() < 1e-12);
    }
}
