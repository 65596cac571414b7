//! `care-atlas data`: turns the raw government files in `shared/data/raw` into the canonical files
//! in `data/`, byte for byte reproducibly.
//!
//! Every record of every raw file used ends up either in a canonical file or in
//! `audit/rejected_records.csv` with its file, line and reason; the build checks that accounting
//! and fails if a record went missing. The catalogues (raw files, sources, kind completeness) are
//! data in their own modules; this one converts, and `readme` writes the README's generated
//! sections.

mod completeness;
mod contacts;
mod raw_files;
mod readme;
mod register_contacts;
mod sources;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use care_atlas_core::{
    AreaRole, CensusMeshPopulation, Facility, FacilityKind, Gazetteer, Municipality,
    MunicipalityCode, PopulationGroup, PopulationModel, PositionNote, PositionPrecision,
    SourcePositionFault, VoronoiPopulation,
};

pub use self::completeness::ListedPlaced;
pub use self::contacts::{ContactDisagreement, ContactReport};
use self::raw_files::{CONTACT_FILES, Content, RAW_FILES, RawFile};
pub use self::register_contacts::RegisterContactReport;
use crate::formats::{
    CanonicalSet, Format, ParseOptions, RoleAssignment, parse_file, write_canonical,
};
use crate::records::Batch;
use crate::{
    FacilityDraft, KnownMunicipality, LinkTargets, LoadError, Placer, RegisterReport, RowError,
    is_register_entry, prepare_register_entries,
};

/// What the build produced.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Facilities written.
    pub facilities: Vec<Facility>,
    /// Records rejected, with file (name only), line and reason.
    pub rejected: Vec<RowError>,
    /// Municipalities written.
    pub municipalities: Vec<Municipality>,
    /// What joining each contact file did.
    pub contacts: Vec<ContactReport>,
    /// What taking telephone numbers from each register file did.
    pub register_contacts: Vec<RegisterContactReport>,
    /// What preparing the register entries did: those outside the mapped area, per file, and
    /// how many were linked to another source's record.
    pub register: RegisterReport,
    /// Per raw file (name only), the records read that are none of the kinds carried: a
    /// register's institutions without a 在宅療養支援 filing.
    pub not_carried: Vec<(PathBuf, usize)>,
    /// Per register kind, the institutions the neighbouring municipalities list and those placed.
    pub register_neighbours: BTreeMap<FacilityKind, ListedPlaced>,
    /// Each study-area town's residents per group by the census-mesh model, beside the official
    /// census figure where there is one.
    pub town_populations: Vec<TownPopulation>,
}

/// One study-area town's residents of one group: the census-mesh model's sum of its parts and
/// the official figure (SSDSE-A, 2020 census), both `None` where unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct TownPopulation {
    /// The town.
    pub municipality_code: MunicipalityCode,
    /// Its name.
    pub name: String,
    /// The group.
    pub group: PopulationGroup,
    /// The census-mesh model's sum.
    pub model: Option<f64>,
    /// The official figure: total, 65+ and 75+ only.
    pub official: Option<u32>,
}

/// The census-mesh model's town sums beside the official figures, every group of every
/// study-area town.
fn town_populations(
    municipalities: &[Municipality],
    populations: &Batch,
    small_areas: &Batch,
    census_mesh: &Batch,
) -> Vec<TownPopulation> {
    let official: Vec<_> = populations.populations.iter().map(|p| p.value.clone()).collect();
    let areas: Vec<_> = small_areas.small_areas.iter().map(|a| a.value.clone()).collect();
    let cells: Vec<_> = census_mesh.census_mesh.iter().map(|c| c.value).collect();
    let voronoi = VoronoiPopulation::build(municipalities, &official, &areas);
    let model = CensusMeshPopulation::build(municipalities, &cells, voronoi);
    let mut towns: Vec<&Municipality> =
        municipalities.iter().filter(|m| m.role == AreaRole::StudyArea).collect();
    towns.sort_by_key(|m| m.code);
    towns
        .iter()
        .flat_map(|town| {
            let census = official.iter().find(|p| p.code == town.code);
            let model = &model;
            PopulationGroup::ALL.into_iter().map(move |group| TownPopulation {
                municipality_code: town.code,
                name: town.name.clone(),
                group,
                model: model.total(group, town.code),
                official: census.and_then(|p| match group {
                    PopulationGroup::Total => Some(p.total),
                    PopulationGroup::Aged65Plus => p.aged_65_plus,
                    PopulationGroup::Aged75Plus => p.aged_75_plus,
                    PopulationGroup::Aged85Plus | PopulationGroup::ElderlyLivingAlone => None,
                }),
            })
        })
        .collect()
}

impl BuildReport {
    /// Facilities whose position was geocoded or repaired, with the note saying how.
    pub fn positions_changed(&self) -> impl Iterator<Item = &Facility> {
        self.facilities.iter().filter(|f| f.position_precision == PositionPrecision::GeocodedTown)
    }

    /// Facilities the source gave no coordinates for, placed at their town point.
    pub fn geocoded_positions(&self) -> impl Iterator<Item = &Facility> {
        self.positions_changed().filter(|f| {
            f.position_note.as_ref().and_then(PositionNote::fault)
                == Some(&SourcePositionFault::Missing)
        })
    }

    /// Facilities whose published coordinates were unusable or contradicted the address, repaired
    /// to their town point.
    pub fn repaired_positions(&self) -> impl Iterator<Item = &Facility> {
        self.positions_changed().filter(|f| {
            f.position_note
                .as_ref()
                .is_some_and(|n| n.fault() != Some(&SourcePositionFault::Missing))
        })
    }
}

fn parse_raw(raw_dir: &Path, file: &RawFile) -> Result<Batch, LoadError> {
    let path = raw_dir.join(file.name);
    let options = ParseOptions {
        format: Some(file.format),
        source: Some(file.source.to_owned()),
        as_of: sources::as_of(file.source),
        roles: file.content.boundary_role().map(RoleAssignment::Every),
    };
    let mut batch = parse_file(&path, &options)?.batch;
    for error in &mut batch.row_errors {
        error.path = PathBuf::from(file.name);
    }
    Ok(batch)
}

/// What placing the facility drafts of the raw files gave.
struct Placed {
    facilities: Vec<Facility>,
    rejected: Vec<RowError>,
    register: RegisterReport,
    register_neighbours: BTreeMap<FacilityKind, ListedPlaced>,
}

/// Places every facility draft. Register entries outside the mapped area are set aside (counted
/// in the report, not rejected); the others are first linked to the 医療情報ネット record of the
/// same institution, and those of the neighbours are counted, listed and placed.
fn place_facilities(placer: &Placer, facility_files: &[&(&RawFile, Batch)]) -> Placed {
    let mut drafts: Vec<(&Path, FacilityDraft)> = facility_files
        .iter()
        .flat_map(|(file, batch)| {
            batch.facilities.iter().map(|draft| (Path::new(file.name), draft.clone()))
        })
        .collect();
    let mut targets = LinkTargets::default();
    for (_, draft) in &drafts {
        targets.add_draft(placer, draft);
    }
    let register = prepare_register_entries(placer, &targets, &mut drafts);
    let mut result = Placed {
        facilities: Vec::new(),
        rejected: Vec::new(),
        register,
        register_neighbours: BTreeMap::new(),
    };
    for outcome in placer.place_all(drafts.iter().map(|(path, draft)| (*path, draft))) {
        let in_neighbour = placer
            .mapped_municipality(outcome.draft)
            .is_some_and(|(m, _)| m.role == AreaRole::Neighbour);
        if is_register_entry(outcome.draft) && in_neighbour {
            let counts = result.register_neighbours.entry(outcome.draft.kind).or_default();
            counts.listed += 1;
            counts.placed += usize::from(outcome.outcome.is_ok());
        }
        match outcome.outcome {
            Ok(facility) => result.facilities.push(facility),
            Err(error) => result.rejected.push(error),
        }
    }
    result
}

/// Joins every contact file to the placed facilities (so only facilities kept in the data get a
/// contact), its unreadable and unmatched rows going to `rejected`.
fn join_contacts(
    raw_dir: &Path,
    facilities: &mut [Facility],
    rejected: &mut Vec<RowError>,
) -> Result<Vec<ContactReport>, LoadError> {
    let mut reports = Vec::new();
    for file in CONTACT_FILES {
        let (contacts, unreadable) = contacts::read(raw_dir, file)?;
        let (report, unmatched) = contacts::join(facilities, file, &contacts);
        rejected.extend(unreadable);
        rejected.extend(unmatched);
        reports.push(report);
    }
    Ok(reports)
}

/// Takes the telephone numbers of hospitals, clinics and dental clinics from every register file
/// (after the contact files, so that their values count as already there).
fn register_phones(
    raw_dir: &Path,
    placer: &Placer,
    facilities: &mut [Facility],
) -> Result<Vec<RegisterContactReport>, LoadError> {
    let mut reports = Vec::new();
    for file in RAW_FILES.iter().filter(|f| f.format == Format::KouseikyokuRegister) {
        let institutions = register_contacts::read(
            raw_dir,
            file.name,
            file.source,
            sources::as_of(file.source).as_deref(),
        )?;
        reports.push(register_contacts::join(
            placer,
            facilities,
            file.name,
            file.source,
            &institutions,
        ));
    }
    Ok(reports)
}

/// Builds the canonical data set from `raw_dir` into `out_dir`. `out_dir/README.md` must exist: its
/// generated sections (between `<!-- BEGIN generated:NAME -->` and `<!-- END generated:NAME -->`)
/// are rewritten, the rest is left as written.
pub fn build_canonical(raw_dir: &Path, out_dir: &Path) -> Result<BuildReport, LoadError> {
    let mut batches: Vec<(&RawFile, Batch)> = Vec::new();
    for file in RAW_FILES {
        let batch = parse_raw(raw_dir, file)?;
        if file.content == Content::StudyBoundaries && batch.municipalities.is_empty() {
            return Err(LoadError::Raw {
                path: raw_dir.join(file.name),
                detail: "the study-area boundary file must hold at least one municipality".into(),
            });
        }
        batches.push((file, batch));
    }
    let take = |content: Content, batches: &mut Vec<(&RawFile, Batch)>| -> Batch {
        let mut out = Batch::default();
        for (file, batch) in batches.iter_mut() {
            if file.content == content {
                out.append(std::mem::take(batch));
            }
        }
        out
    };
    let mut study = take(Content::StudyBoundaries, &mut batches);
    let neighbours = take(Content::NeighbourBoundaries, &mut batches);
    let names = take(Content::MunicipalityNames, &mut batches);
    let towns = take(Content::Towns, &mut batches);
    let small_areas = take(Content::SmallAreas, &mut batches);
    let population = take(Content::Population, &mut batches);
    let census_mesh = take(Content::CensusMesh, &mut batches);
    // Bad rows of the non-facility files (a town without coordinates) are rejected like any other.
    let mut rejected: Vec<RowError> =
        [&study, &neighbours, &names, &towns, &small_areas, &population, &census_mesh]
            .iter()
            .flat_map(|b| b.row_errors.iter().cloned())
            .collect();
    study.municipalities.extend(neighbours.municipalities);
    let municipalities: Vec<Municipality> =
        study.municipalities.iter().map(|m| m.value.clone()).collect();
    let elsewhere: Vec<KnownMunicipality> = names
        .municipalities
        .iter()
        .filter(|n| !municipalities.iter().any(|m| m.code == n.value.code))
        .map(|n| KnownMunicipality {
            prefecture: n.value.prefecture.clone(),
            county: n.value.county.clone(),
            name: n.value.name.clone(),
        })
        .collect();
    let gazetteer = Gazetteer::new(towns.towns.iter().map(|t| t.value.clone()).collect());
    let placer = Placer::new(municipalities.clone(), elsewhere, gazetteer);

    let facility_files: Vec<&(&RawFile, Batch)> =
        batches.iter().filter(|(file, _)| file.content == Content::Facilities).collect();
    let mut not_carried = Vec::new();
    for (file, batch) in &facility_files {
        let accounted = batch.row_errors.len() + batch.facilities.len() + batch.not_carried;
        if accounted != batch.rows_read {
            return Err(LoadError::Raw {
                path: raw_dir.join(file.name),
                detail: format!("{} rows read but {accounted} accounted for", batch.rows_read),
            });
        }
        rejected.extend(batch.row_errors.iter().cloned());
        if batch.not_carried > 0 {
            not_carried.push((PathBuf::from(file.name), batch.not_carried));
        }
    }
    let outcome = place_facilities(&placer, &facility_files);
    let mut facilities = outcome.facilities;
    rejected.extend(outcome.rejected);
    let (register, register_neighbours) = (outcome.register, outcome.register_neighbours);
    facilities.sort_by(|a, b| a.id.cmp(&b.id));
    let contact_reports = join_contacts(raw_dir, &mut facilities, &mut rejected)?;
    let register_contacts = register_phones(raw_dir, &placer, &mut facilities)?;
    rejected.sort();
    let town_populations =
        town_populations(&municipalities, &population, &small_areas, &census_mesh);
    let report = BuildReport {
        facilities,
        rejected,
        municipalities,
        contacts: contact_reports,
        register_contacts,
        register,
        not_carried,
        register_neighbours,
        town_populations,
    };

    write_canonical(
        out_dir,
        &CanonicalSet {
            facilities: &report.facilities,
            municipalities: &study.municipalities,
            populations: &population.populations,
            small_areas: &small_areas.small_areas,
            census_mesh: &census_mesh.census_mesh,
            towns: &towns.towns,
            sources: &sources::sources(),
            completeness: &completeness::kind_completeness(&report.register_neighbours),
            rejected: &report.rejected,
        },
    )?;
    readme::update(out_dir, &report)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_study_area_boundary_file_without_municipalities_stops_the_build_naming_the_file() {
        let raw = tempfile::tempdir().unwrap();
        let study = RAW_FILES.iter().find(|f| f.content == Content::StudyBoundaries).unwrap();
        let path = raw.path().join(study.name);
        std::fs::write(&path, r#"{"type":"FeatureCollection","features":[]}"#).unwrap();
        let error = build_canonical(raw.path(), raw.path()).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: the study-area boundary file must hold at least one municipality",
                path.display()
            )
        );
    }
}
