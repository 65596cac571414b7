//! What the loader accepts at all: limits on every imported value, checked on everything read
//! before the database is opened.
//!
//! A record past one of these limits is *refused*, not rejected: the whole import stops and
//! changes nothing. A row with a missing position is ordinary government data and is rejected
//! alone; a vertex at longitude 1000, a boundary of a million vertices or a 200 MB name is a
//! broken or hostile file, and serving it would hang the server or flood its answers. The limits
//! are generous next to the real data (see `data/README.md`, "Limits on imported data").

use std::ops::RangeInclusive;
use std::path::Path;

use care_atlas_core::{
    CensusMeshCell, KindCompleteness, MunicipalPopulation, Municipality, Position, SmallArea,
    SourceInfo, TownPoint,
};
use geo::{CoordsIter, LineString};

use crate::RowError;
use crate::records::{FacilityDraft, Located, Sourced};

/// Latitudes of Japan, with a margin: 沖ノ鳥島 is at 20.4° N, 弁天島 at 45.5° N.
pub const JAPAN_LATITUDE: RangeInclusive<f64> = 20.0..=46.0;
/// Longitudes of Japan, with a margin: 与那国島 is at 122.9° E, 南鳥島 at 154.0° E.
pub const JAPAN_LONGITUDE: RangeInclusive<f64> = 122.0..=154.0;
/// Vertices of one municipality's boundary. Full-resolution N03 boundaries of a town have a few
/// tens of thousands; the shipped, simplified ones at most 3,323.
pub const MAX_BOUNDARY_VERTICES: usize = 100_000;
/// Rings (outer and holes) of one municipality's boundary; islands make a few hundred.
pub const MAX_BOUNDARY_RINGS: usize = 10_000;
/// Vertices of all boundaries of one import together.
pub const MAX_IMPORT_BOUNDARY_VERTICES: usize = 2_000_000;
/// Degrees of latitude or longitude one ring may span. A ring is one island or one piece of
/// land; the largest municipality of Japan (高山市) spans about 1°, the shipped rings at most 0.2°.
pub const MAX_RING_SPAN_DEG: f64 = 2.0;
/// Characters of a name (facility, municipality, town, small area, prefecture, county), of a kana
/// reading, of days open and of a home-care filing.
pub const MAX_NAME_CHARS: usize = 200;
/// Characters of an address.
pub const MAX_ADDRESS_CHARS: usize = 300;
/// Characters of an id or code (record ids, source ids, dates, postal codes).
pub const MAX_ID_CHARS: usize = 100;
/// Characters of a telephone number.
pub const MAX_PHONE_CHARS: usize = 40;
/// Characters of a web address.
pub const MAX_URL_CHARS: usize = 2_000;
/// Characters of a note (position notes, coverage notes, a source's title, licence,
/// attribution and origin).
pub const MAX_NOTE_CHARS: usize = 2_000;
/// Home-care filings of one facility.
pub const MAX_FILINGS: usize = 100;
/// Area of one census small area, in m²: more than the largest municipality (2,178 km²).
pub const MAX_SMALL_AREA_M2: f64 = 1.0e10;

/// Everything read by one import that the limits apply to, each record with its file.
pub(crate) struct Imported<'a> {
    pub facilities: Vec<(&'a Path, &'a FacilityDraft)>,
    pub municipalities: Vec<(&'a Path, &'a Sourced<Municipality>)>,
    pub populations: Vec<(&'a Path, &'a Sourced<MunicipalPopulation>)>,
    pub small_areas: Vec<(&'a Path, &'a Sourced<SmallArea>)>,
    pub census_mesh: Vec<(&'a Path, &'a Sourced<CensusMeshCell>)>,
    pub towns: Vec<(&'a Path, &'a Sourced<TownPoint>)>,
    pub sources: Vec<(&'a Path, &'a Located<SourceInfo>)>,
    pub completeness: Vec<(&'a Path, &'a Located<KindCompleteness>)>,
}

/// Every value of `imported` past a limit, one refusal per record naming each limit it breaks,
/// in file and line order.
#[allow(clippy::too_many_lines, reason = "one straight list of checks per record kind")]
pub(crate) fn refusals(imported: &Imported<'_>) -> Vec<RowError> {
    let mut refused = Vec::new();
    let mut refuse = |path: &Path, location, id: Option<&str>, name: Option<&str>, r: Reasons| {
        if !r.0.is_empty() {
            refused.push(RowError {
                path: path.to_owned(),
                location,
                record_id: id.map(preview),
                name: name.map(preview),
                reason: r.0.join("; "),
            });
        }
    };
    for (path, d) in &imported.facilities {
        let mut r = Reasons::default();
        r.id("source", &d.source);
        r.id("record id", &d.record_id);
        r.optional_id("as-of date", d.as_of.as_deref());
        r.optional_id("contact source", d.contact_source.as_deref());
        r.text("name", &d.name, MAX_NAME_CHARS);
        r.optional_text("kana reading", d.name_kana.as_deref(), MAX_NAME_CHARS);
        r.text("address", &d.address, MAX_ADDRESS_CHARS);
        r.optional_text("municipality name", d.declared.name.as_deref(), MAX_NAME_CHARS);
        r.optional_text("prefecture", d.declared.prefecture.as_deref(), MAX_NAME_CHARS);
        r.optional_text("telephone", d.phone.as_deref(), MAX_PHONE_CHARS);
        r.optional_text("web address", d.url.as_deref(), MAX_URL_CHARS);
        r.optional_text("days open", d.open_days.as_deref(), MAX_NAME_CHARS);
        if d.filings.len() > MAX_FILINGS {
            r.0.push(format!(
                "{} home-care filings, more than the {MAX_FILINGS} allowed",
                d.filings.len()
            ));
        }
        for filing in &d.filings {
            r.text("home-care filing", filing, MAX_NAME_CHARS);
        }
        let note = d.position_note.as_ref().map(ToString::to_string);
        r.optional_text("position note", note.as_deref(), MAX_NOTE_CHARS);
        // Far-away coordinates (0/0, another prefecture) are the placer's to repair from the
        // address; what is not a coordinate on Earth at all is refused here.
        if let Some((lat, lon)) = d.coordinates
            && !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0)
        {
            r.0.push(format!("coordinates {lat}, {lon} are not a latitude and longitude"));
        }
        refuse(path, d.location, Some(&d.record_id), Some(&d.name), r);
    }
    let mut boundary_vertices = 0;
    for (path, m) in &imported.municipalities {
        let v = &m.value;
        let mut r = Reasons::default();
        r.id("source", &m.source);
        r.text("name", &v.name, MAX_NAME_CHARS);
        r.text("prefecture", &v.prefecture, MAX_NAME_CHARS);
        r.optional_text("county", v.county.as_deref(), MAX_NAME_CHARS);
        boundary_vertices += r.boundary(&v.boundary);
        refuse(path, m.location, Some(&v.code.to_string()), Some(&v.name), r);
    }
    if boundary_vertices > MAX_IMPORT_BOUNDARY_VERTICES
        && let Some((path, m)) = imported.municipalities.last()
    {
        let mut r = Reasons::default();
        r.0.push(format!(
            "the boundaries of this import have {boundary_vertices} vertices together, more than the {MAX_IMPORT_BOUNDARY_VERTICES} allowed"
        ));
        refuse(path, m.location, None, None, r);
    }
    for (path, p) in &imported.populations {
        let mut r = Reasons::default();
        r.id("source", &p.source);
        r.text("name", &p.value.name, MAX_NAME_CHARS);
        refuse(path, p.location, Some(&p.value.code.to_string()), Some(&p.value.name), r);
    }
    for (path, a) in &imported.small_areas {
        let v = &a.value;
        let mut r = Reasons::default();
        r.id("source", &a.source);
        r.id("key code", &v.key_code);
        r.optional_id("piece", v.piece.as_deref());
        r.text("name", &v.name, MAX_NAME_CHARS);
        r.position("representative point", v.representative_point);
        if !(0.0..=MAX_SMALL_AREA_M2).contains(&v.area_m2) {
            r.0.push(format!("area {} m² is not between 0 and {MAX_SMALL_AREA_M2} m²", v.area_m2));
        }
        refuse(path, a.location, Some(&v.key_code), Some(&v.name), r);
    }
    for (path, c) in &imported.census_mesh {
        let mut r = Reasons::default();
        r.id("source", &c.source);
        r.position("mesh cell centre", c.value.code.center());
        refuse(path, c.location, Some(&c.value.code.to_string()), None, r);
    }
    for (path, t) in &imported.towns {
        let v = &t.value;
        let mut r = Reasons::default();
        r.id("source", &t.source);
        r.text("town", &v.town, MAX_NAME_CHARS);
        r.optional_id("postal code", v.postal_code.as_deref());
        r.position("position", v.position);
        refuse(path, t.location, None, Some(&v.town), r);
    }
    for (path, s) in &imported.sources {
        let v = &s.value;
        let mut r = Reasons::default();
        r.id("id", &v.id);
        r.text("title", &v.title, MAX_NOTE_CHARS);
        r.text("publisher", &v.publisher, MAX_NOTE_CHARS);
        r.text("licence", &v.licence, MAX_NOTE_CHARS);
        r.text("attribution", &v.attribution, MAX_NOTE_CHARS);
        r.optional_id("as-of date", v.as_of.as_deref());
        r.text("as-of basis", &v.as_of_basis, MAX_NOTE_CHARS);
        r.text("origin", &v.origin, MAX_NOTE_CHARS);
        refuse(path, s.location, Some(&v.id), Some(&v.title), r);
    }
    for (path, c) in &imported.completeness {
        let mut r = Reasons::default();
        r.text("note", &c.value.note, MAX_NOTE_CHARS);
        refuse(path, c.location, Some(c.value.kind.id()), None, r);
    }
    refused.sort();
    refused
}

/// Why a web address cannot be a link, if it cannot: one with a scheme must be `http` or `https`
/// and name a host, since any other scheme (`javascript:`, `data:`, `file:`) would become a link
/// that runs or reads something. The sources publish many without a scheme (`www.example.jp`,
/// full-width `ｈｔｔｐ：//`, an e-mail address, `なし`): those are kept as the text they are.
/// Typos of the scheme (`hpps://`, `http:/`) are published too, so such an address is left out
/// of its record, not a reason to refuse the file.
pub(crate) fn not_a_web_link(value: &str) -> Option<String> {
    // Browsers skip leading blanks before a scheme.
    let trimmed = value.trim_start();
    let (scheme, rest) = trimmed.split_once(':')?;
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !is_scheme {
        return None;
    }
    let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    let host =
        rest.strip_prefix("//").map_or("", |r| r.split(['/', '?', '#']).next().unwrap_or(""));
    (!web || host.is_empty() || trimmed.chars().any(|c| c.is_ascii_whitespace())).then(|| {
        format!(
            "web address `{}` is not an http:// or https:// address with a host",
            preview(value)
        )
    })
}

/// The reason a placed position is refused: outside Japan.
pub(crate) fn position_outside_japan(position: Position) -> Option<String> {
    let mut r = Reasons::default();
    r.position("position", position);
    (!r.0.is_empty()).then(|| r.0.join("; "))
}

/// The start of a text that may be huge or hold control characters, fit for one line of a
/// report.
pub(crate) fn preview(text: &str) -> String {
    const PREVIEW_CHARS: usize = 60;
    let mut shown = String::new();
    for c in text.chars().take(PREVIEW_CHARS) {
        if c.is_control() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    if text.chars().nth(PREVIEW_CHARS).is_some() {
        shown.push('…');
    }
    shown
}

/// Why one record is refused, one reason per limit broken.
#[derive(Default)]
struct Reasons(Vec<String>);

impl Reasons {
    fn text(&mut self, field: &str, value: &str, max_chars: usize) {
        let chars = value.chars().count();
        if chars > max_chars {
            self.0.push(format!(
                "{field} is {chars} characters long, more than the {max_chars} allowed"
            ));
        }
        if let Some((at, c)) = value.chars().enumerate().find(|(_, c)| c.is_control()) {
            self.0.push(format!(
                "{field} holds the control character U+{:04X} at character {}",
                u32::from(c),
                at + 1
            ));
        }
    }

    fn optional_text(&mut self, field: &str, value: Option<&str>, max_chars: usize) {
        if let Some(value) = value {
            self.text(field, value, max_chars);
        }
    }

    fn id(&mut self, field: &str, value: &str) {
        self.text(field, value, MAX_ID_CHARS);
    }

    fn optional_id(&mut self, field: &str, value: Option<&str>) {
        self.optional_text(field, value, MAX_ID_CHARS);
    }

    fn coordinate(&mut self, what: &str, lat: f64, lon: f64) -> bool {
        if JAPAN_LATITUDE.contains(&lat) && JAPAN_LONGITUDE.contains(&lon) {
            return true;
        }
        self.0.push(format!(
            "{what} {lat}, {lon} is outside Japan (latitude {}–{}, longitude {}–{})",
            JAPAN_LATITUDE.start(),
            JAPAN_LATITUDE.end(),
            JAPAN_LONGITUDE.start(),
            JAPAN_LONGITUDE.end()
        ));
        false
    }

    fn position(&mut self, what: &str, position: Position) {
        self.coordinate(what, position.lat(), position.lon());
    }

    /// Checks a boundary's size and every vertex, naming the first bad vertex only; returns its
    /// vertex count.
    fn boundary(&mut self, boundary: &geo::MultiPolygon<f64>) -> usize {
        let vertices = boundary.coords_count();
        if vertices > MAX_BOUNDARY_VERTICES {
            self.0.push(format!(
                "the boundary has {vertices} vertices, more than the {MAX_BOUNDARY_VERTICES} allowed"
            ));
        }
        let rings: Vec<&LineString<f64>> = boundary
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .collect();
        if rings.len() > MAX_BOUNDARY_RINGS {
            self.0.push(format!(
                "the boundary has {} rings, more than the {MAX_BOUNDARY_RINGS} allowed",
                rings.len()
            ));
        }
        let mut vertex = 0;
        'rings: for ring in &rings {
            for c in ring.coords() {
                vertex += 1;
                if !self.coordinate(&format!("boundary vertex {vertex}"), c.y, c.x) {
                    break 'rings;
                }
            }
        }
        for (n, ring) in rings.iter().enumerate() {
            let Some(rect) = geo::BoundingRect::bounding_rect(*ring) else { continue };
            let span = rect.width().max(rect.height());
            if span > MAX_RING_SPAN_DEG {
                self.0.push(format!(
                    "boundary ring {} spans {span:.2}°, more than the {MAX_RING_SPAN_DEG}° allowed",
                    n + 1
                ));
                break;
            }
        }
        vertices
    }
}

#[cfg(test)]
mod tests {
    use geo::polygon;

    use super::*;

    fn check_text(value: &str, max: usize, expected: &[&str]) {
        let mut r = Reasons::default();
        r.text("name", value, max);
        assert_eq!(r.0, expected);
    }

    #[test]
    fn text_is_refused_when_too_long_or_holding_control_characters() {
        check_text("杉戸町", 3, &[]);
        check_text("杉戸町役場", 3, &["name is 5 characters long, more than the 3 allowed"]);
        check_text("a\tb", 10, &["name holds the control character U+0009 at character 2"]);
        check_text("a\u{85}", 10, &["name holds the control character U+0085 at character 2"]);
    }

    fn check_url(value: &str, accepted: bool) {
        assert_eq!(not_a_web_link(value).is_none(), accepted, "{value}");
    }

    #[test]
    fn a_web_address_with_a_scheme_is_a_link_only_when_http_or_https_with_a_host() {
        check_url("https://www.town.sugito.lg.jp/", true);
        check_url("HTTP://example.jp/a?b#c", true);
        check_url("javascript://evil.example/%0Aalert(1)", false);
        check_url("javascript:alert(1)", false);
        check_url("data:text/html,<script>", false);
        check_url("https:///path", false);
        check_url("https://exa mple.jp/", false);
        check_url(" JavaScript:alert(1)", false);
        check_url("vbscript:msgbox", false);
        check_url("https:example.jp", false);
        check_url("hpps://example.jp", false);
        check_url("http:/example.jp", false);
        // Published without a scheme: text, never a link.
        check_url("www.example.jp", true);
        check_url("ｈｔｔｐ：//ｗｗｗ．example．jp/", true);
        check_url("okegawa@queensvilla.com", true);
        check_url("なし", true);
    }

    #[test]
    fn a_boundary_vertex_outside_japan_is_refused() {
        let square = |x: f64| {
            geo::MultiPolygon::new(vec![polygon![
                (x: 139.7, y: 36.0), (x: x, y: 36.0), (x: 139.7, y: 36.1)
            ]])
        };
        let mut r = Reasons::default();
        assert_eq!(r.boundary(&square(139.8)), 4);
        assert!(r.0.is_empty(), "{:?}", r.0);
        r.boundary(&square(1000.0));
        assert_eq!(
            r.0[0],
            "boundary vertex 2 36, 1000 is outside Japan (latitude 20–46, longitude 122–154)"
        );
        assert!(r.0[1].starts_with("boundary ring 1 spans 860.30°"), "{:?}", r.0);
    }

    #[test]
    fn every_limit_is_stated_in_the_data_readme() {
        let readme = include_str!("../../../data/README.md");
        let section = readme.split("## Limits on imported data").nth(1).unwrap_or_default();
        let grouped = |n: usize| {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        };
        for n in [
            MAX_BOUNDARY_VERTICES,
            MAX_BOUNDARY_RINGS,
            MAX_IMPORT_BOUNDARY_VERTICES,
            MAX_NAME_CHARS,
            MAX_ADDRESS_CHARS,
            MAX_ID_CHARS,
            MAX_PHONE_CHARS,
            MAX_URL_CHARS,
            MAX_NOTE_CHARS,
            MAX_FILINGS,
        ] {
            assert!(section.contains(&format!("| {} ", grouped(n))), "{n} not in data/README.md");
        }
        let latitude = format!("latitude {}–{}", JAPAN_LATITUDE.start(), JAPAN_LATITUDE.end());
        let longitude = format!("longitude {}–{}", JAPAN_LONGITUDE.start(), JAPAN_LONGITUDE.end());
        assert!(section.contains(&latitude) && section.contains(&longitude));
        assert!(section.contains(&format!("| {MAX_RING_SPAN_DEG}° ")));
    }

    #[test]
    fn a_preview_is_short_and_shows_control_characters() {
        assert_eq!(preview("杉戸\n町\u{3000}役場"), "杉戸\\n町\u{3000}役場");
        assert_eq!(preview(&"名".repeat(1000)), format!("{}…", "名".repeat(60)));
    }
}
