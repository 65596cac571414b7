//! The generated sections of `data/README.md`: counts per kind and town, how positions were
//! derived, the sources, the rejected records and the raw files left out. Counts are taken by
//! variant of the typed notes, so rewording a note cannot change them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use care_atlas_core::{
    AreaRole, FacilityKind, Municipality, PositionNote, PositionPrecision, SourceCompleteness,
    SourceScope,
};

use super::completeness::completeness_of;
use super::raw_files::{CONTACT_FILES, LEFT_OUT};
use super::{BuildReport, sources};
use crate::LoadError;
use crate::error::io_error;

/// Rewrites the generated sections of `out_dir/README.md`.
pub(super) fn update(out_dir: &Path, report: &BuildReport) -> Result<(), LoadError> {
    let readme = out_dir.join("README.md");
    let text = std::fs::read_to_string(&readme).map_err(io_error(&readme))?;
    let text = replace_generated(&text, "counts", &counts_table(report))
        .and_then(|t| replace_generated(&t, "positions", &positions_section(report)))
        .and_then(|t| replace_generated(&t, "sources", &sources_section()))
        .and_then(|t| replace_generated(&t, "rejected", &rejected_section(report)))
        .and_then(|t| replace_generated(&t, "contacts", &contacts_section(report)))
        .and_then(|t| replace_generated(&t, "left-out", &left_out_section()))
        .and_then(|t| replace_generated(&t, "population", &population_section(report)))
        .ok_or_else(|| LoadError::Raw {
            path: readme.clone(),
            detail: "lacks the generated-section markers (counts, positions, sources, rejected, contacts, left-out, population)".into(),
        })?;
    std::fs::write(&readme, text).map_err(io_error(&readme))?;
    Ok(())
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
fn counts_table(report: &BuildReport) -> String {
    let mut towns: Vec<&Municipality> =
        report.municipalities.iter().filter(|m| m.role == AreaRole::StudyArea).collect();
    towns.sort_by_key(|m| m.code);
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
        match completeness_of(kind, scope) {
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
        let study = match completeness_of(kind, SourceScope::StudyArea) {
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

/// Each study-area town's residents per group by the census-mesh model beside the official
/// census figure, with the difference; a group without an official town figure says so.
fn population_section(report: &BuildReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| town | group | census-mesh model | official (2020 census, SSDSE-A) | difference |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|");
    for row in &report.town_populations {
        let model = row.model.map_or_else(|| "unknown".to_owned(), |m| format!("{m:.0}"));
        let (official, difference) = match (row.official, row.model) {
            (Some(o), Some(m)) => {
                let o = f64::from(o);
                (format!("{o:.0}"), format!("{:+.0} ({:+.1}%)", m - o, (m / o - 1.0) * 100.0))
            }
            (Some(o), None) => (o.to_string(), "unknown".to_owned()),
            (None, _) => ("no official town figure".to_owned(), "–".to_owned()),
        };
        let _ = writeln!(
            out,
            "| {} {} | `{}` {} | {model} | {official} | {difference} |",
            row.name,
            row.municipality_code,
            row.group.id(),
            row.group.label_ja()
        );
    }
    out
}

/// How positions were derived, with counts.
fn positions_section(report: &BuildReport) -> String {
    let PositionCounts { source, kept_near, from_position, geocoded, repaired } =
        PositionCounts::of(report);
    format!(
        "| position | facilities |\n|---|---:|\n| `source`: as published | {source} |\n| … of which up to {:.0} m outside their municipality's boundary, kept | {kept_near} |\n| … of which with no municipality in the address, municipality taken from the position | {from_position} |\n| `geocoded_town`: no coordinates in the source, placed at the town point | {geocoded} |\n| `geocoded_town`: source coordinates contradicted the address, repaired to the town point | {repaired} |\n",
        crate::place::BOUNDARY_TOLERANCE_M
    )
}

/// How many positions were derived each way, counted by precision and note variant.
#[derive(Debug, PartialEq, Eq)]
struct PositionCounts {
    /// As published.
    source: usize,
    /// As published, up to the tolerance outside the boundary.
    kept_near: usize,
    /// As published, the municipality taken from the position.
    from_position: usize,
    /// No coordinates in the source: placed at the town point.
    geocoded: usize,
    /// Coordinates contradicted the address (or were unusable): repaired to the town point.
    repaired: usize,
}

impl PositionCounts {
    fn of(report: &BuildReport) -> Self {
        let noted = |wanted: fn(&PositionNote) -> bool| {
            report
                .facilities
                .iter()
                .filter(|f| f.position_note.as_ref().is_some_and(wanted))
                .count()
        };
        let geocoded = report.geocoded_positions().count();
        PositionCounts {
            source: report
                .facilities
                .iter()
                .filter(|f| f.position_precision == PositionPrecision::Source)
                .count(),
            kept_near: noted(|n| matches!(n, PositionNote::KeptNearBoundary { .. })),
            from_position: noted(|n| matches!(n, PositionNote::MunicipalityFromPosition)),
            geocoded,
            repaired: report.positions_changed().count() - geocoded,
        }
    }
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
    for s in sources::sources() {
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
    // Contact rows that match no facility are counted in the contacts section instead: they are
    // many, and no facility is lost with them.
    let is_contact_file =
        |e: &&crate::RowError| CONTACT_FILES.iter().any(|c| e.path == Path::new(c.name));
    for e in report.rejected.iter().filter(|e| !is_contact_file(e)) {
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
    for f in report.repaired_positions() {
        let _ = writeln!(
            out,
            "| `{}` {} | {} |",
            f.id,
            cell(&f.name),
            cell(&f.position_note.as_ref().map(ToString::to_string).unwrap_or_default())
        );
    }
    out
}

/// What each contact file gave: telephone numbers and web sites filled where the official source
/// has none, disagreements with official values (which were kept), and rows matching no facility;
/// then what each register file gave: telephone numbers of hospitals, clinics and dental clinics.
fn contacts_section(report: &BuildReport) -> String {
    let mut out = String::from(
        "| contact file (source) | facilities of the kind | matched | phone filled | web site filled | with phone (any source) | with web site (any source) | disagreed with an official value (kept) | rows matching no facility (in `audit/rejected_records.csv`) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for c in &report.contacts {
        let _ = writeln!(
            out,
            "| `{}` (`{}`) | {} | {} | {} | {} | {} | {} | {} | {} of {} |",
            c.file,
            c.source,
            c.facilities,
            c.matched,
            c.phones_filled,
            c.urls_filled,
            c.with_phone,
            c.with_url,
            c.disagreements.len(),
            c.unmatched,
            c.rows
        );
    }
    out.push_str(
        "\n| register file (source) | institutions in the mapped area | matched a hospital, clinic or dental clinic | phone filled | already had a phone (kept) | disagreed with it | ambiguous (no phone filled) | matching no facility |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for c in &report.register_contacts {
        let _ = writeln!(
            out,
            "| `{}` (`{}`) | {} | {} | {} | {} | {} | {} | {} |",
            c.file,
            c.source,
            c.institutions,
            c.matched,
            c.phones_filled,
            c.had_phone,
            c.disagreements.len(),
            c.ambiguous,
            c.unmatched
        );
    }
    let disagreements = report
        .contacts
        .iter()
        .flat_map(|c| &c.disagreements)
        .chain(report.register_contacts.iter().flat_map(|c| &c.disagreements));
    for d in disagreements {
        let _ = writeln!(
            out,
            "\n- `{}` {}: official `{}` kept, contact source has `{}`",
            d.facility,
            d.field,
            cell(&d.official),
            cell(&d.contact)
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

#[cfg(test)]
mod tests {
    use care_atlas_core::testing::{SplitMix, synthetic_facility};
    use care_atlas_core::{Position, SourcePositionFault, TownPlacement};

    use super::*;

    fn facility(
        precision: PositionPrecision,
        note: Option<PositionNote>,
    ) -> care_atlas_core::Facility {
        let base = synthetic_facility(0, &mut SplitMix(1));
        care_atlas_core::Facility { position_precision: precision, position_note: note, ..base }
    }

    fn geocoded(fault: SourcePositionFault) -> care_atlas_core::Facility {
        let placement = TownPlacement::TownPoint { municipality: "M".into(), town: "T".into() };
        facility(PositionPrecision::GeocodedTown, Some(PositionNote::Geocoded { fault, placement }))
    }

    fn check(facilities: Vec<care_atlas_core::Facility>, expected: [usize; 5]) {
        let counts = PositionCounts::of(&BuildReport { facilities, ..BuildReport::default() });
        let PositionCounts { source, kept_near, from_position, geocoded, repaired } = counts;
        assert_eq!([source, kept_near, from_position, geocoded, repaired], expected);
    }

    #[test]
    fn positions_are_counted_by_note_variant_not_by_wording() {
        use PositionPrecision::Source;
        let kept = PositionNote::KeptNearBoundary { distance_m: 120.0, municipality: "M".into() };
        let outside = SourcePositionFault::OutsideNamedMunicipality {
            position: Position::new(31.6, 131.4).unwrap(),
            distance_m: 800_000.0,
            municipality: "M".into(),
            found_in: None,
        };
        check(vec![facility(Source, None)], [1, 0, 0, 0, 0]);
        check(vec![facility(Source, Some(kept))], [1, 1, 0, 0, 0]);
        check(
            vec![facility(Source, Some(PositionNote::MunicipalityFromPosition))],
            [1, 0, 1, 0, 0],
        );
        check(vec![geocoded(SourcePositionFault::Missing)], [0, 0, 0, 1, 0]);
        check(vec![geocoded(SourcePositionFault::NullIsland)], [0, 0, 0, 0, 1]);
        check(vec![geocoded(outside)], [0, 0, 0, 0, 1]);
        // A note kept as text is never counted by what it says.
        check(
            vec![facility(Source, Some(PositionNote::Recorded("kept as published".into())))],
            [1, 0, 0, 0, 0],
        );
    }
}
