//! Telephone numbers from the 厚生局's register: it lists every 医科 and 歯科 institution of a
//! prefecture with its 電話番号, while the 医療情報ネット copies of hospitals, clinics and dental
//! clinics publish none.
//!
//! After placement (and after the contact files), every institution of a register file that lies
//! in the mapped municipalities is matched to the one facility of the same institution, exactly as
//! register entries are linked ([`LinkTargets`]: the name without the legal person, the mapped
//! municipality and the town): a 医科 institution to a hospital or clinic, a 歯科 one to a dental
//! clinic. As with the contact files, an official value always wins: the register fills `phone`
//! only where the facility has none, and the facility then names the register's source in
//! `Provenance::contact_source`; a different number beside an existing one is reported, not
//! used. An institution matching several facilities, or a facility matched by several
//! institutions, fills nothing and is counted. The register lists every institution, most of
//! them not in our data, so an institution matching no facility is counted, not rejected.

use std::collections::BTreeMap;
use std::path::Path;

use care_atlas_core::{Facility, FacilityId};

use super::contacts::{ContactDisagreement, fill, same_phone};
use crate::formats::register::{Institution, Sheet, institutions};
use crate::{LinkTargets, LoadError, Placer};

/// What taking the telephone numbers of one register file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterContactReport {
    /// The register file's name.
    pub file: String,
    /// Its source id.
    pub source: String,
    /// Institutions it lists in the mapped municipalities.
    pub institutions: usize,
    /// Institutions matched to exactly one facility that no other institution matched.
    pub matched: usize,
    /// Facilities whose telephone number came from the register.
    pub phones_filled: usize,
    /// Matched facilities that already had a telephone number, kept.
    pub had_phone: usize,
    /// Register numbers that differ from the number a facility already had, which was kept.
    pub disagreements: Vec<ContactDisagreement>,
    /// Institutions matching several facilities, or sharing their one facility with another
    /// institution: no number filled.
    pub ambiguous: usize,
    /// Institutions matching no facility (most institutions are not in the data).
    pub unmatched: usize,
}

/// Reads every institution of the register file `name` in `raw_dir`.
pub(super) fn read(
    raw_dir: &Path,
    name: &str,
    source: &str,
    as_of: Option<&str>,
) -> Result<Vec<Institution>, LoadError> {
    let path = raw_dir.join(name);
    let sheet = Sheet::read(&path)?;
    Ok(institutions(&path, &sheet, Some(source), as_of)?.institutions)
}

/// Fills the telephone numbers of `facilities` from the `institutions` of the register file
/// `file` (source `source`), as the module says.
pub(super) fn join(
    placer: &Placer,
    facilities: &mut [Facility],
    file: &str,
    source: &str,
    institutions: &[Institution],
) -> RegisterContactReport {
    let mut report = RegisterContactReport {
        file: file.to_owned(),
        source: source.to_owned(),
        ..RegisterContactReport::default()
    };
    let mut targets = LinkTargets::default();
    for facility in facilities.iter() {
        targets.add_facility(placer, facility);
    }
    let index: BTreeMap<&FacilityId, usize> =
        facilities.iter().enumerate().map(|(i, f)| (&f.id, i)).collect();
    // Facility index → the institutions matching it (and only it).
    let mut matches: BTreeMap<usize, Vec<&Institution>> = BTreeMap::new();
    for institution in institutions {
        let entry = institution.entry_draft();
        if placer.mapped_municipality(&entry).is_none() {
            continue;
        }
        report.institutions += 1;
        match targets.find_id(placer, &entry) {
            Ok(id) => {
                if let Some(&i) = index.get(id) {
                    matches.entry(i).or_default().push(institution);
                }
            }
            Err(0) => report.unmatched += 1,
            Err(_) => report.ambiguous += 1,
        }
    }
    for (i, matching) in matches {
        let [institution] = matching.as_slice() else {
            report.ambiguous += matching.len();
            continue;
        };
        report.matched += 1;
        let facility = &mut facilities[i];
        report.had_phone += usize::from(facility.phone.is_some());
        let id = facility.id.to_string();
        let filled =
            fill(&mut facility.phone, institution.phone.as_ref(), same_phone, |kept, value| {
                report.disagreements.push(ContactDisagreement {
                    facility: id.clone(),
                    field: "phone",
                    official: kept.to_owned(),
                    contact: value.to_owned(),
                });
            });
        if filled {
            facility.provenance.contact_source = Some(source.to_owned());
            report.phones_filled += 1;
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use care_atlas_core::testing::{SplitMix, rectangular_town, synthetic_facility};
    use care_atlas_core::{FacilityKind, Gazetteer};

    use super::*;

    /// 蓮田市, a rectangle without gazetteer.
    fn placer() -> Placer {
        Placer::new(
            vec![rectangular_town(139.60, 35.96, 139.70, 36.04)],
            vec![],
            Gazetteer::new(vec![]),
        )
    }

    fn facility(record_id: &str, kind: FacilityKind, name: &str, phone: Option<&str>) -> Facility {
        let mut f = synthetic_facility(0, &mut SplitMix(1));
        f.kind = kind;
        f.id = FacilityId::from_source_record("mhlw-iryo", record_id);
        f.provenance.source = "mhlw-iryo".into();
        f.provenance.record_id = record_id.into();
        f.name = name.into();
        f.address = "埼玉県蓮田市大字蓮田２０６１".into();
        f.phone = phone.map(Into::into);
        f
    }

    fn institution(number: &str, name: &str, dental: bool, phone: &str) -> Institution {
        Institution {
            first_row: 5,
            source: if dental { "kouseikyoku-shika" } else { "kouseikyoku-ika" }.into(),
            record_id: format!("11-{number}"),
            name: name.into(),
            address: "蓮田市蓮田２０６１".into(),
            prefecture: "埼玉県".into(),
            phone: Some(phone.into()),
            dental,
            symbols: vec![],
        }
    }

    #[test]
    fn the_register_fills_a_missing_phone_by_name_and_town_and_is_credited() {
        let mut facilities = vec![
            facility("1", FacilityKind::Clinic, "篠津医院", None),
            facility("2", FacilityKind::DentalClinic, "宮山歯科医院", None),
        ];
        let ika = [
            institution("0000001", "医療法人　厚德会　篠津医院", false, "048-768-0001"),
            institution("0000009", "よその医院", false, "048-768-0009"),
        ];
        let report = join(&placer(), &mut facilities, "ika.xlsx", "kouseikyoku-ika", &ika);
        assert_eq!(facilities[0].phone.as_deref(), Some("048-768-0001"));
        assert_eq!(facilities[0].provenance.contact_source.as_deref(), Some("kouseikyoku-ika"));
        // A 医科 institution is never a dental clinic.
        assert_eq!(facilities[1].phone, None);
        assert_eq!(
            (report.institutions, report.matched, report.phones_filled, report.unmatched),
            (2, 1, 1, 1)
        );
        let shika = [institution("0000002", "医療法人健歩会宮山歯科医院", true, "048-768-0002")];
        let report = join(&placer(), &mut facilities, "shika.xlsx", "kouseikyoku-shika", &shika);
        assert_eq!(facilities[1].phone.as_deref(), Some("048-768-0002"));
        assert_eq!(facilities[1].provenance.contact_source.as_deref(), Some("kouseikyoku-shika"));
        assert_eq!(report.phones_filled, 1);
    }

    #[test]
    fn an_official_phone_wins_and_a_different_register_number_is_reported() {
        let mut facilities = vec![
            facility("1", FacilityKind::Hospital, "蓮田病院", Some("048-768-1111")),
            facility("2", FacilityKind::Hospital, "白岡病院", Some("0480-92-0000")),
        ];
        let ika = [
            institution("0000001", "蓮田病院", false, "048-768-9999"),
            institution("0000002", "白岡病院", false, "0480‐92‐0000"),
        ];
        let report = join(&placer(), &mut facilities, "ika.xlsx", "kouseikyoku-ika", &ika);
        assert_eq!(facilities[0].phone.as_deref(), Some("048-768-1111"));
        assert_eq!(facilities[0].provenance.contact_source, None);
        assert_eq!((report.matched, report.had_phone, report.phones_filled), (2, 2, 0));
        assert_eq!(
            report.disagreements,
            [ContactDisagreement {
                facility: facilities[0].id.to_string(),
                field: "phone",
                official: "048-768-1111".into(),
                contact: "048-768-9999".into(),
            }]
        );
    }

    #[test]
    fn an_ambiguous_match_fills_nothing_and_is_counted() {
        // Two facilities of the same name in the same town, and two institutions for one facility.
        let mut facilities = vec![
            facility("1", FacilityKind::Clinic, "中央クリニック", None),
            facility("2", FacilityKind::Hospital, "中央クリニック", None),
            facility("3", FacilityKind::Clinic, "東医院", None),
        ];
        let ika = [
            institution("0000001", "中央クリニック", false, "048-000-0001"),
            institution("0000003", "東医院", false, "048-000-0003"),
            institution("0000004", "医療法人　東会　東医院", false, "048-000-0004"),
        ];
        let report = join(&placer(), &mut facilities, "ika.xlsx", "kouseikyoku-ika", &ika);
        assert!(facilities.iter().all(|f| f.phone.is_none()));
        assert!(facilities.iter().all(|f| f.provenance.contact_source.is_none()));
        assert_eq!((report.institutions, report.matched, report.ambiguous), (3, 0, 3));
    }

    #[test]
    fn an_institution_outside_the_mapped_municipalities_is_not_counted() {
        let mut facilities = vec![facility("1", FacilityKind::Clinic, "篠津医院", None)];
        let mut elsewhere = institution("0000001", "篠津医院", false, "04-0000-0000");
        elsewhere.address = "所沢市本町１".into();
        let report = join(&placer(), &mut facilities, "ika.xlsx", "kouseikyoku-ika", &[elsewhere]);
        assert_eq!(facilities[0].phone, None);
        assert_eq!(
            report,
            RegisterContactReport {
                file: "ika.xlsx".into(),
                source: "kouseikyoku-ika".into(),
                ..RegisterContactReport::default()
            }
        );
    }
}
