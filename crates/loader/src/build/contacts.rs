//! Contacts from a second source: the telephone number and web site of a facility, joined by
//! 事業所番号 to the facilities the official files already hold.
//!
//! An official value always wins: a contact fills `phone` or `url` only where the facility's own
//! source publishes none, and the facility then names the contact's source in
//! `Provenance::contact_source`, so that the API and the map can credit it. A contact row that
//! matches no facility is rejected with its line, as every raw record is accounted for.

use std::path::{Path, PathBuf};

use care_atlas_core::{Facility, FacilityKind};

use crate::table::{Table, parse_csv};
use crate::text::read_text;
use crate::{LoadError, RowError};

/// A raw file of contacts: which file, from which source, for which kind.
pub(super) struct ContactFile {
    /// File name in the raw folder.
    pub name: &'static str,
    /// The id of its source in the source catalogue.
    pub source: &'static str,
    /// The kind of facility its 事業所番号 belong to.
    pub kind: FacilityKind,
}

/// One row of a contact file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Contact {
    /// Line in its file.
    pub line: u64,
    /// 事業所番号.
    pub jigyosho_no: String,
    /// The facility's name as the contact source spells it (for the audit only).
    pub name: String,
    /// Telephone number, as published.
    pub phone: Option<String>,
    /// Web site, as published.
    pub url: Option<String>,
}

/// A contact that differs from the official value it did not replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDisagreement {
    /// The facility's id.
    pub facility: String,
    /// `phone` or `url`.
    pub field: &'static str,
    /// The official value, kept.
    pub official: String,
    /// The contact source's value, not used.
    pub contact: String,
}

/// What joining one contact file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactReport {
    /// The contact file's name.
    pub file: String,
    /// Its source id.
    pub source: String,
    /// Rows read.
    pub rows: usize,
    /// Facilities of the kind the file is for.
    pub facilities: usize,
    /// Facilities matched by a row.
    pub matched: usize,
    /// Facilities whose telephone number came from the contact source.
    pub phones_filled: usize,
    /// Facilities whose web site came from the contact source.
    pub urls_filled: usize,
    /// Facilities with a telephone number after the join, from any source.
    pub with_phone: usize,
    /// Facilities with a web site after the join, from any source.
    pub with_url: usize,
    /// Contacts that differ from an official value, which was kept.
    pub disagreements: Vec<ContactDisagreement>,
    /// Rows that matched no facility.
    pub unmatched: usize,
}

/// Reads a contact file: columns `jigyosho_no`, `name`, `telephone` and `url`; a row without a
/// 事業所番号 is rejected.
pub(super) fn read(
    raw_dir: &Path,
    file: &ContactFile,
) -> Result<(Vec<Contact>, Vec<RowError>), LoadError> {
    let path = raw_dir.join(file.name);
    let (text, _) = read_text(&path)?;
    let table: Table = parse_csv(&path, &text)?;
    let [number, name, phone, url] =
        table.require_names("contacts", ["jigyosho_no", "name", "telephone", "url"])?;
    let mut rejected = table.malformed.clone();
    let mut contacts = Vec::new();
    for row in &table.rows {
        if row.get(number).is_empty() {
            rejected.push(table.row_error(row, None, row.opt(Some(name)), "jigyosho_no is empty"));
            continue;
        }
        contacts.push(Contact {
            line: row.line,
            jigyosho_no: row.get(number).to_owned(),
            name: row.get(name).to_owned(),
            phone: row.opt(Some(phone)).map(str::to_owned),
            url: row.opt(Some(url)).map(str::to_owned),
        });
    }
    for error in &mut rejected {
        error.path = PathBuf::from(file.name);
    }
    Ok((contacts, rejected))
}

/// The 事業所番号 of a facility record id: the id itself (`1160590067`) or its last part after the
/// service code (`130-1160590067`).
fn jigyosho_no(record_id: &str) -> &str {
    record_id.rsplit('-').next().unwrap_or(record_id)
}

/// Telephone numbers are the same when their ASCII digits are.
pub(super) fn same_phone(a: &str, b: &str) -> bool {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    digits(a) == digits(b)
}

/// Web sites are the same up to a trailing slash.
fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Fills `field` from `contact` when the official value is missing; records a disagreement when
/// both exist and differ. Returns whether it filled.
pub(super) fn fill(
    official: &mut Option<String>,
    contact: Option<&String>,
    same: fn(&str, &str) -> bool,
    mut disagree: impl FnMut(&str, &str),
) -> bool {
    match (official.as_deref(), contact) {
        (None, Some(value)) => {
            *official = Some(value.clone());
            true
        }
        (Some(kept), Some(value)) if !same(kept, value) => {
            disagree(kept, value);
            false
        }
        _ => false,
    }
}

/// Joins `contacts` to the facilities of `file.kind` by 事業所番号; rows that match none are
/// returned as rejected records.
pub(super) fn join(
    facilities: &mut [Facility],
    file: &ContactFile,
    contacts: &[Contact],
) -> (ContactReport, Vec<RowError>) {
    let mut report = ContactReport {
        file: file.name.to_owned(),
        source: file.source.to_owned(),
        rows: contacts.len(),
        ..ContactReport::default()
    };
    let mut rejected = Vec::new();
    let mut matched = vec![false; facilities.len()];
    for contact in contacts {
        let mut found = false;
        for (i, f) in facilities.iter_mut().enumerate() {
            if f.kind != file.kind || jigyosho_no(&f.provenance.record_id) != contact.jigyosho_no {
                continue;
            }
            found = true;
            matched[i] = true;
            let id = f.id.to_string();
            let mut disagreements = Vec::new();
            let phone = fill(&mut f.phone, contact.phone.as_ref(), same_phone, |kept, value| {
                disagreements.push(("phone", kept.to_owned(), value.to_owned()));
            });
            let url = fill(&mut f.url, contact.url.as_ref(), same_url, |kept, value| {
                disagreements.push(("url", kept.to_owned(), value.to_owned()));
            });
            report.disagreements.extend(disagreements.into_iter().map(
                |(field, official, contact)| ContactDisagreement {
                    facility: id.clone(),
                    field,
                    official,
                    contact,
                },
            ));
            report.phones_filled += usize::from(phone);
            report.urls_filled += usize::from(url);
            if phone || url {
                f.provenance.contact_source = Some(file.source.to_owned());
            }
        }
        if !found {
            report.unmatched += 1;
            rejected.push(RowError {
                path: PathBuf::from(file.name),
                location: crate::RowLocation::Line(contact.line),
                record_id: Some(contact.jigyosho_no.clone()),
                name: Some(contact.name.clone()).filter(|n| !n.is_empty()),
                reason: format!(
                    "no {} of the mapped data has this 事業所番号; contact not used",
                    file.kind.id()
                ),
            });
        }
    }
    let of_kind = || facilities.iter().filter(|f| f.kind == file.kind);
    report.facilities = of_kind().count();
    report.matched = matched.iter().filter(|m| **m).count();
    report.with_phone = of_kind().filter(|f| f.phone.is_some()).count();
    report.with_url = of_kind().filter(|f| f.url.is_some()).count();
    (report, rejected)
}

#[cfg(test)]
mod tests {
    use care_atlas_core::testing::{SplitMix, synthetic_facility};

    use super::*;

    const FILE: ContactFile = ContactFile {
        name: "contacts.csv",
        source: "portal",
        kind: FacilityKind::VisitingNursingStation,
    };

    fn station(record_id: &str, phone: Option<&str>, url: Option<&str>) -> Facility {
        let mut f = synthetic_facility(0, &mut SplitMix(1));
        f.kind = FacilityKind::VisitingNursingStation;
        f.id = care_atlas_core::FacilityId::from_source_record("official", record_id);
        f.provenance.source = "official".into();
        f.provenance.record_id = record_id.into();
        f.phone = phone.map(Into::into);
        f.url = url.map(Into::into);
        f
    }

    fn contact(line: u64, number: &str, phone: Option<&str>, url: Option<&str>) -> Contact {
        Contact {
            line,
            jigyosho_no: number.into(),
            name: "ステーション".into(),
            phone: phone.map(Into::into),
            url: url.map(Into::into),
        }
    }

    #[test]
    fn a_contact_fills_only_what_the_official_source_lacks_and_is_credited() {
        let mut facilities = vec![station("1160590067", None, Some("https://official.example/"))];
        let contacts = [contact(2, "1160590067", Some("0480-37-0911"), Some("https://portal/"))];
        let (report, rejected) = join(&mut facilities, &FILE, &contacts);
        assert_eq!(facilities[0].phone.as_deref(), Some("0480-37-0911"));
        assert_eq!(facilities[0].url.as_deref(), Some("https://official.example/"));
        assert_eq!(facilities[0].provenance.contact_source.as_deref(), Some("portal"));
        assert_eq!((report.phones_filled, report.urls_filled), (1, 0));
        assert_eq!(report.disagreements.len(), 1);
        assert_eq!(report.disagreements[0].field, "url");
        assert!(rejected.is_empty());
    }

    #[test]
    fn an_official_value_wins_and_an_equal_contact_is_no_disagreement() {
        let mut facilities = vec![station("130-1110501882", Some("0480-90-5550"), None)];
        let contacts = [contact(2, "1110501882", Some("0480‐90‐5550"), None)];
        let (report, _) = join(&mut facilities, &FILE, &contacts);
        assert_eq!(facilities[0].phone.as_deref(), Some("0480-90-5550"));
        assert_eq!(facilities[0].provenance.contact_source, None);
        assert_eq!((report.matched, report.phones_filled), (1, 0));
        assert!(report.disagreements.is_empty());
    }

    #[test]
    fn a_station_without_a_contact_keeps_none_and_an_unmatched_row_is_rejected_with_its_line() {
        let mut facilities = vec![station("1160590109", None, None)];
        let contacts = [contact(7, "9999999999", Some("048-000-0000"), None)];
        let (report, rejected) = join(&mut facilities, &FILE, &contacts);
        assert_eq!((facilities[0].phone.clone(), facilities[0].url.clone()), (None, None));
        assert_eq!(facilities[0].provenance.contact_source, None);
        assert_eq!((report.matched, report.unmatched, report.with_phone), (0, 1, 0));
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].location, crate::RowLocation::Line(7));
        assert_eq!(rejected[0].record_id.as_deref(), Some("9999999999"));
    }
}
