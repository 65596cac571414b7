//! Register entries before placement: the 厚生局's register lists a whole prefecture, so an
//! institution outside the mapped municipalities is set aside (counted, not rejected); every other
//! one is linked to the record of the same clinic, hospital or dental clinic in another source
//! (医療情報ネット), whose published position it then takes.
//!
//! Two records are the same institution when their names agree once the legal person's name is
//! taken off (`医療法人　厚德会　篠津医院` and `医療法人厚徳会篠津医院`), they lie in the same mapped
//! municipality, and their addresses name the same town (the gazetteer's normaliser and
//! [`town_name_part`]: `蓮田市大字蓮田２０６１` and `埼玉県蓮田市蓮田２０６１`); a register entry
//! that matches two records is left unlinked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use care_atlas_core::{
    Facility, FacilityId, FacilityKind, MunicipalityCode, PositionPrecision, town_name_part,
};
use unicode_normalization::UnicodeNormalization;

use crate::{FacilityDraft, Placer};

/// Legal-person designations that may start an institution's name, longest first.
const LEGAL_PERSON_PREFIXES: [&str; 14] = [
    "地方独立行政法人",
    "国立研究開発法人",
    "社会医療法人社団",
    "社会医療法人財団",
    "独立行政法人",
    "社会医療法人",
    "医療法人社団",
    "医療法人財団",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "社会福祉法人",
    "医療法人",
];

/// The name an institution is matched by: NFKC, without white space and without the legal
/// person (`医療法人社団　圭陽会　白岡ファミリークリニック` → `白岡ファミリークリニック`). When the
/// name is written without spaces, the legal person's own name is taken to end at its first `会`.
///
/// ```
/// use care_atlas_loader::institution_name_key;
/// assert_eq!(institution_name_key("医療法人　厚德会　篠津医院"), "篠津医院");
/// assert_eq!(institution_name_key("医療法人厚徳会篠津医院"), "篠津医院");
/// assert_eq!(institution_name_key("独立行政法人　国立病院機構　東埼玉病院"), "東埼玉病院");
/// assert_eq!(institution_name_key("はすだセントラルクリニック"), "はすだセントラルクリニック");
/// ```
#[must_use]
pub fn institution_name_key(name: &str) -> String {
    let normalised: String = name.nfkc().collect();
    let trimmed = normalised.trim();
    let Some(after) = LEGAL_PERSON_PREFIXES.iter().find_map(|p| trimmed.strip_prefix(p)) else {
        return trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    };
    let words: Vec<&str> = after.split_whitespace().collect();
    // The legal person's name, then the institution's.
    if let [_, .., last] = words.as_slice() {
        return (*last).to_owned();
    }
    let joined: String = words.concat();
    match joined.split_once('会') {
        Some((_, rest)) if !rest.is_empty() => rest.to_owned(),
        _ => joined,
    }
}

/// Whether a draft is a register entry awaiting placement (not a canonical record read back).
#[must_use]
pub fn is_register_entry(draft: &FacilityDraft) -> bool {
    draft.home_care_class.is_some() && draft.precision.is_none()
}

/// The kinds of record a register kind can be the same institution as: a 在宅療養支援診療所 or
/// 病院 is a clinic or a hospital (sources disagree on which some are), a 歯科診療所 a dental clinic.
fn same_institution_kinds(kind: FacilityKind) -> &'static [FacilityKind] {
    match kind {
        FacilityKind::HomeCareClinic | FacilityKind::HomeCareHospital => {
            &[FacilityKind::Clinic, FacilityKind::Hospital]
        }
        FacilityKind::HomeCareDentalClinic => &[FacilityKind::DentalClinic],
        _ => &[],
    }
}

/// What an institution is matched by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct MatchKey {
    name: String,
    municipality: MunicipalityCode,
    town: String,
}

/// A record a register entry can be linked to.
#[derive(Debug, Clone)]
struct Target {
    kind: FacilityKind,
    id: FacilityId,
    coordinates: Option<(f64, f64)>,
}

/// The records register entries can be linked to, by match key.
#[derive(Debug, Default)]
pub struct LinkTargets {
    by_key: BTreeMap<MatchKey, Vec<Target>>,
}

fn match_key(placer: &Placer, draft: &FacilityDraft) -> Option<MatchKey> {
    let (municipality, rest) = placer.mapped_municipality(draft)?;
    Some(MatchKey {
        name: institution_name_key(&draft.name),
        municipality: municipality.code,
        town: town_name_part(&rest).to_owned(),
    })
}

impl LinkTargets {
    /// Adds a record read in this run, with its published coordinates, if it is of a kind a
    /// register entry can be.
    pub fn add_draft(&mut self, placer: &Placer, draft: &FacilityDraft) {
        let linkable = [FacilityKind::Clinic, FacilityKind::Hospital, FacilityKind::DentalClinic];
        if !linkable.contains(&draft.kind) || is_register_entry(draft) {
            return;
        }
        if let Some(key) = match_key(placer, draft) {
            self.by_key.entry(key).or_default().push(Target {
                kind: draft.kind,
                id: FacilityId::from_source_record(&draft.source, &draft.record_id),
                coordinates: draft.coordinates,
            });
        }
    }

    /// Adds a record already placed (stored by an earlier import): its position counts as
    /// published only when it was (a record placed at its town point passes on no coordinates,
    /// so that the entry is placed by its own address and flagged as such).
    pub fn add_facility(&mut self, placer: &Placer, facility: &Facility) {
        let mut draft = FacilityDraft::new(
            crate::RowLocation::Line(0),
            facility.provenance.source.clone(),
            facility.provenance.record_id.clone(),
            facility.kind,
            facility.name.clone(),
            facility.address.clone(),
        );
        if facility.position_precision == PositionPrecision::Source {
            draft.coordinates = Some((facility.position.lat(), facility.position.lon()));
        }
        self.add_draft(placer, &draft);
    }

    /// The record the entry is the same institution as, if exactly one matches.
    fn find(&self, placer: &Placer, entry: &FacilityDraft) -> Result<&Target, usize> {
        let Some(key) = match_key(placer, entry) else { return Err(0) };
        let kinds = same_institution_kinds(entry.kind);
        let matches: Vec<&Target> = self
            .by_key
            .get(&key)
            .map(|targets| targets.iter().filter(|t| kinds.contains(&t.kind)).collect())
            .unwrap_or_default();
        match matches.as_slice() {
            [one] => Ok(one),
            other => Err(other.len()),
        }
    }
}

impl LinkTargets {
    /// The id of the one record `entry` (a register entry, filed or not) is the same institution
    /// as; otherwise how many records match (0 or several).
    pub(crate) fn find_id(
        &self,
        placer: &Placer,
        entry: &FacilityDraft,
    ) -> Result<&FacilityId, usize> {
        self.find(placer, entry).map(|target| &target.id)
    }
}

/// What preparing the register entries of a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterReport {
    /// Per file, the institutions listed outside the mapped municipalities, set aside.
    pub outside_mapped_area: BTreeMap<PathBuf, usize>,
    /// Entries linked to another source's record.
    pub linked: usize,
    /// Entries that match no record.
    pub unlinked: usize,
    /// Entries that match several records, left unlinked.
    pub ambiguous: usize,
}

/// Sets aside the register entries outside the mapped municipalities and links every other one
/// to the one record of `targets` that is the same institution: it records the link and takes
/// the record's published coordinates (none, when the record has none: then both are placed by
/// the same address). Other drafts are left as they are.
pub fn prepare_register_entries<P: AsRef<Path>>(
    placer: &Placer,
    targets: &LinkTargets,
    drafts: &mut Vec<(P, FacilityDraft)>,
) -> RegisterReport {
    let mut report = RegisterReport::default();
    drafts.retain(|(path, draft)| {
        let keep = !is_register_entry(draft) || placer.mapped_municipality(draft).is_some();
        if !keep {
            *report.outside_mapped_area.entry(path.as_ref().to_owned()).or_default() += 1;
        }
        keep
    });
    for (_, draft) in drafts.iter_mut().filter(|(_, d)| is_register_entry(d)) {
        match targets.find(placer, draft) {
            Ok(target) => {
                draft.linked_record = Some(target.id.clone());
                draft.coordinates = target.coordinates;
                report.linked += 1;
            }
            Err(0) => report.unlinked += 1,
            Err(_) => report.ambiguous += 1,
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, expected: &str) {
        assert_eq!(institution_name_key(name), expected, "{name}");
    }

    #[test]
    fn names_match_without_the_legal_person() {
        check("医療法人社団　圭陽会　白岡ファミリークリニック", "白岡ファミリークリニック");
        check("医療法人健歩会宮山歯科医院", "宮山歯科医院");
        check("医療法人　健歩会　宮山歯科医院", "宮山歯科医院");
        check("医療法人心喜会　蓮田外科医院", "蓮田外科医院");
        check("医療法人　心喜会　蓮田外科医院", "蓮田外科医院");
        check("医療法人バイオ会　勝沼歯科医院", "勝沼歯科医院");
        check("杉本医院", "杉本医院");
        check("ホワイト　歯科クリニック", "ホワイト歯科クリニック");
    }
}
