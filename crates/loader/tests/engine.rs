//! The spatial engine over the real shipped data: `data/` imported into a real SQLite file, loaded
//! back as an `Atlas`, and every query checked for the invariants it promises.

#![allow(clippy::unwrap_used, reason = "test setup fails the test")]

use std::path::PathBuf;
use std::sync::OnceLock;

use care_atlas_core::{
    AccessibilityQuery, AreaRef, Atlas, CatchmentMethod, FacilityKind, GapQuery, GapResolution,
    MeshLevel, MunicipalityCode, NearestQuery, PopulationGroup, Position, Scenario, SiteQuery,
    SourceCompleteness, StatisticsScope, Supply, SupplyWeight,
};
use care_atlas_loader::{ImportOptions, import_files, store::load_atlas};

fn atlas() -> &'static Atlas {
    static ATLAS: OnceLock<Atlas> = OnceLock::new();
    ATLAS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("atlas.db");
        let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
        import_files(&db, &[data], &ImportOptions::default()).unwrap();
        load_atlas(&db).unwrap()
    })
}

/// A scenario's removals: every visiting nursing station of the snapshot.
fn every_visiting_nursing_station() -> Vec<care_atlas_core::FacilityId> {
    atlas()
        .facilities()
        .iter()
        .filter(|f| f.kind == FacilityKind::VisitingNursingStation)
        .map(|f| f.id.clone())
        .collect()
}

const CENSUS: [(&str, f64); 3] = [("11238", 61_499.0), ("11246", 52_214.0), ("11442", 34_147.0)];

/// SSDSE-A (2020 census) per town: total, 65+, 75+.
const SSDSE: [(&str, [f64; 3]); 3] = [
    ("11238", [61_499.0, 19_902.0, 10_290.0]),
    ("11246", [52_214.0, 14_597.0, 7_355.0]),
    ("11442", [34_147.0, 10_974.0, 5_706.0]),
];

#[test]
fn the_census_mesh_model_is_in_use_and_its_town_sums_are_within_a_few_percent_of_ssdse_a() {
    let model = atlas().population_model();
    assert_eq!(model.name(), "census_mesh_500m");
    let groups = [PopulationGroup::Total, PopulationGroup::Aged65Plus, PopulationGroup::Aged75Plus];
    for (code, official) in SSDSE {
        for (group, official) in groups.into_iter().zip(official) {
            let modelled = model.total(group, code.parse().unwrap()).unwrap();
            let difference = modelled / official - 1.0;
            eprintln!(
                "{code} {group:?}: {modelled:.1} vs {official} ({:+.2}%)",
                difference * 100.0
            );
            assert!(difference.abs() < 0.04, "{code} {group:?}: {modelled} vs {official}");
        }
        // 85+ and living alone have no official town figure, but are known and smaller.
        let aged_85 = model.total(PopulationGroup::Aged85Plus, code.parse().unwrap()).unwrap();
        let alone =
            model.total(PopulationGroup::ElderlyLivingAlone, code.parse().unwrap()).unwrap();
        eprintln!("{code}: 85+ {aged_85:.1}, living alone {alone:.1}");
        assert!(aged_85 > 0.0 && aged_85 < official[2] && alone > 0.0 && alone < official[1]);
    }
}

#[test]
fn mesh_populations_add_up_to_the_model_total_of_each_town() {
    let model = atlas().population_model();
    for level in [MeshLevel::Third, MeshLevel::Half, MeshLevel::Quarter] {
        for (code, _) in CENSUS {
            for group in PopulationGroup::ALL {
                let total: f64 = atlas()
                    .grid(level)
                    .study
                    .iter()
                    .flat_map(|c| &c.parts)
                    .filter(|p| p.municipality_code.to_string() == code)
                    .map(|p| p.population(group).unwrap())
                    .sum();
                let whole = model.total(group, code.parse().unwrap()).unwrap();
                assert!(
                    (total - whole).abs() <= 1.0,
                    "{level:?} {code} {group:?}: {total} vs {whole}"
                );
            }
        }
    }
}

#[test]
fn the_nearest_visiting_nursing_station_to_the_national_hospital_is_its_own() {
    let hospital = Position::new(35.996631, 139.676669).unwrap();
    let query = NearestQuery::new(vec![FacilityKind::VisitingNursingStation], 3, None).unwrap();
    let nearest = atlas().nearest_services(hospital, &query);
    assert!(nearest[0].facility.name.contains("雅楽谷の森"), "{}", nearest[0].facility.name);
    assert!(nearest[0].distance_m < 100.0);
    for n in &nearest[1..] {
        assert_eq!(n.facility.municipality_code.to_string(), "11246", "{}", n.facility.name);
        assert!((1900.0..2400.0).contains(&n.distance_m), "{} {}", n.facility.name, n.distance_m);
    }
}

#[test]
fn an_address_is_located_at_its_town_and_says_so() {
    let origin = atlas().locate_address("埼玉県蓮田市大字黒浜４１４７").unwrap();
    assert_eq!((origin.town.as_str(), origin.mean_of_chome), ("蓮田市大字黒浜", None));
    let origin = atlas().locate_address("蓮田市東").unwrap();
    assert_eq!(origin.mean_of_chome, Some(6));
    assert!(atlas().locate_address("東京都千代田区永田町1-7-1").is_err());
}

#[test]
fn town_statistics_count_facilities_and_keep_unknown_kinds_unknown() {
    let hasuda = atlas()
        .area_statistics(
            AreaRef::Municipality("11238".parse().unwrap()),
            PopulationGroup::Aged75Plus,
        )
        .unwrap();
    assert_eq!(hasuda.scope, StatisticsScope::StudyArea);
    assert_eq!(
        (hasuda.population, hasuda.aged_65_plus, hasuda.aged_75_plus),
        (Some(61_499.0), Some(19_902), Some(10_290))
    );
    assert!((hasuda.area_km2 - 27.3).abs() < 0.3, "{}", hasuda.area_km2);
    let kind = |k: FacilityKind| hasuda.kinds.iter().find(|s| s.kind == k).copied().unwrap();
    let nursing = kind(FacilityKind::VisitingNursingStation);
    assert_eq!(nursing.count, Some(6));
    assert!((nursing.per_10k_residents.unwrap() - 6.0 * 10_000.0 / 61_499.0).abs() < 1e-9);
    assert!((nursing.per_1k_aged_75_plus.unwrap() - 6.0 * 1_000.0 / 10_290.0).abs() < 1e-9);
    // The group asked for: the model's town sum beside the official figure.
    assert_eq!(hasuda.official_population, Some(10_290.0));
    let modelled = hasuda.model_population.unwrap();
    assert!((modelled / 10_290.0 - 1.0).abs() < 0.03, "{modelled}");
    assert!((nursing.per_1k_group.unwrap() - 6.0 * 1_000.0 / modelled).abs() < 1e-9);
    let centers = kind(FacilityKind::CommunitySupportCenter);
    assert_eq!(
        (centers.completeness, centers.count, centers.per_km2),
        (SourceCompleteness::NoSource, None, None)
    );
    assert_eq!(kind(FacilityKind::Clinic).completeness, SourceCompleteness::Partial);

    let kasukabe =
        atlas().area_statistics(AreaRef::Municipality("11214".parse().unwrap()), TOTAL).unwrap();
    assert_eq!(kasukabe.scope, StatisticsScope::Neighbour);
    assert!(kasukabe.kinds.is_empty(), "a neighbour gets no per-kind statistics");
}

#[test]
fn mesh_statistics_inside_and_across_the_border() {
    let inside = atlas()
        .grid(MeshLevel::Third)
        .study
        .iter()
        .find(|c| (c.study_area_km2() - c.area_km2).abs() < 1e-9)
        .unwrap();
    let stats = atlas().area_statistics(AreaRef::Mesh(inside.code), TOTAL).unwrap();
    assert_eq!(stats.scope, StatisticsScope::StudyArea);
    let whole = inside.population(TOTAL).unwrap();
    assert!((stats.population.unwrap() - whole).abs() < 1e-3, "{:?} vs {whole}", stats.population);
    let border = atlas()
        .grid(MeshLevel::Third)
        .study
        .iter()
        .find(|c| c.study_area_km2() < c.area_km2 * 0.5)
        .unwrap();
    let stats = atlas().area_statistics(AreaRef::Mesh(border.code), TOTAL).unwrap();
    assert_eq!(stats.scope, StatisticsScope::PartlyOutsideStudyArea);
    assert!(stats.kinds.is_empty());
    assert!(atlas().area_statistics(AreaRef::Mesh("5339".parse().unwrap()), TOTAL).is_some());
    assert!(atlas().area_statistics(AreaRef::Mesh("6441".parse().unwrap()), TOTAL).is_none());
}

const TOTAL: PopulationGroup = PopulationGroup::Total;

fn gaps(resolution: GapResolution, radius_m: f64, scenario: &Scenario) -> care_atlas_core::Gaps {
    let query = GapQuery {
        kinds: vec![FacilityKind::VisitingNursingStation],
        radius_m,
        area: None,
        resolution,
        group: TOTAL,
    };
    atlas().coverage_gaps(&query, scenario)
}

#[test]
fn polygon_and_mesh_gaps_account_for_every_town_and_agree_roughly() {
    let polygons = gaps(GapResolution::Polygon, 2000.0, &Scenario::default());
    let mesh = gaps(GapResolution::Mesh(MeshLevel::Quarter), 2000.0, &Scenario::default());
    assert_eq!(polygons.summary.len(), 3);
    for (p, m) in polygons.summary.iter().zip(&mesh.summary) {
        assert_eq!(p.municipality_code, m.municipality_code);
        assert!(
            (m.area_km2 - p.area_km2).abs() < p.area_km2 * 1e-3,
            "mesh parts add up to the town"
        );
        assert!(p.population_uncovered.unwrap() <= p.population_total.unwrap());
        // Centre-based mesh coverage and exact polygons differ at the edges of the circles only.
        assert!(
            (m.area_uncovered_km2 - p.area_uncovered_km2).abs() < 0.15 * p.area_km2 + 0.5,
            "{p:?} vs {m:?}"
        );
    }
}

#[test]
fn every_resolution_scenario_and_place_list_gives_the_same_people_out_of_reach() {
    let miyashiro = "11442".parse().unwrap();
    for group in [TOTAL, PopulationGroup::Aged75Plus] {
        let query = |resolution| GapQuery {
            kinds: vec![FacilityKind::VisitingNursingStation],
            radius_m: 2000.0,
            area: Some(miyashiro),
            resolution,
            group,
        };
        let answers: Vec<care_atlas_core::Gaps> = [
            GapResolution::Polygon,
            GapResolution::Mesh(MeshLevel::Third),
            GapResolution::Mesh(MeshLevel::Half),
            GapResolution::Mesh(MeshLevel::Quarter),
        ]
        .into_iter()
        .map(|r| atlas().coverage_gaps(&query(r), &Scenario::default()))
        .collect();
        let figure = answers[3].summary[0].population_uncovered.unwrap();
        assert!(figure > 0.0);
        for answer in &answers {
            let same = answer.summary[0].population_uncovered.unwrap();
            assert!((same - figure).abs() < 1e-6, "{same} vs {figure}");
            let drawn: f64 = answer.cells.iter().map(|c| c.population_uncovered.unwrap()).sum();
            if !answer.cells.is_empty() {
                assert!((drawn - figure).abs() < 1e-6, "cells add up: {drawn} vs {figure}");
            }
        }
        let polygon = &answers[0].polygons[0];
        assert_eq!(polygon.population_uncovered, Some(figure));
        // The ranked places of the town add up to the same figure, most people first.
        let places =
            atlas().underserved_places(&query(GapResolution::Polygon), &Scenario::default());
        let listed: f64 = places.iter().map(|p| p.population_uncovered(group).unwrap()).sum();
        assert!((listed - figure).abs() < 1e-6, "{listed} vs {figure}");
        assert!(places.iter().all(|p| p.small_area.municipality_code == miyashiro));
        assert!(
            places
                .windows(2)
                .all(|w| { w[0].population_uncovered(group) >= w[1].population_uncovered(group) })
        );
        // A scenario's baseline is the same figure again.
        let comparison = atlas().compare_scenario(
            &care_atlas_core::ComparisonQuery {
                kind: FacilityKind::VisitingNursingStation,
                radius_m: 2000.0,
                catchment_m: 2000.0,
                group,
                accessibility_level: MeshLevel::Half,
            },
            &Scenario::default(),
        );
        let baseline = comparison.before.gaps.iter().find(|g| g.municipality_code == miyashiro);
        assert_eq!(baseline.unwrap().population_uncovered, Some(figure));
        assert!(comparison.changed_cells.is_empty());
    }
}

#[test]
fn a_scenario_changes_the_answer_and_not_the_snapshot() {
    let before = gaps(GapResolution::Mesh(MeshLevel::Half), 1500.0, &Scenario::default());
    let gap = before
        .cells
        .iter()
        .filter(|c| !c.covered)
        .max_by(|a, b| a.population.unwrap().total_cmp(&b.population.unwrap()))
        .unwrap();
    let add =
        Scenario { add: vec![Supply { position: gap.center, capacity: 1.0 }], remove: vec![] };
    let after = gaps(GapResolution::Mesh(MeshLevel::Half), 1500.0, &add);
    let same = after.cells.iter().find(|c| c.code == gap.code).unwrap();
    assert!(same.covered && same.nearest_distance_m == Some(0.0));
    let uncovered = |g: &care_atlas_core::Gaps| {
        g.summary.iter().map(|s| s.population_uncovered.unwrap()).sum::<f64>()
    };
    assert!(uncovered(&after) < uncovered(&before));

    let every = every_visiting_nursing_station();
    let none_left = gaps(
        GapResolution::Mesh(MeshLevel::Half),
        1500.0,
        &Scenario { add: vec![], remove: every },
    );
    assert!(none_left.cells.iter().all(|c| !c.covered && c.nearest_distance_m.is_none()));
    assert_eq!(
        gaps(GapResolution::Mesh(MeshLevel::Half), 1500.0, &Scenario::default()),
        before,
        "the snapshot is untouched"
    );
}

#[test]
fn accessibility_scores_are_normalised_and_border_demand_counts() {
    let query = AccessibilityQuery {
        kinds: vec![FacilityKind::VisitingNursingStation],
        method: CatchmentMethod::Enhanced,
        catchment_m: 3000.0,
        level: MeshLevel::Half,
        weight: SupplyWeight::Count,
        group: TOTAL,
    };
    let scores = atlas().accessibility(&query, &Scenario::default());
    assert_eq!(scores.len(), atlas().grid(MeshLevel::Half).study.len());
    assert!(scores.iter().all(|s| s.raw >= 0.0 && s.raw.is_finite() && s.normalised >= 0.0));
    assert!(scores.iter().any(|s| s.raw > 0.0));
    let ring: f64 =
        atlas().grid(MeshLevel::Half).ring.iter().map(|c| c.population(TOTAL).unwrap()).sum();
    assert!(ring > 100_000.0, "the 10 km ring holds the neighbours' residents: {ring}");
    // Removing every station leaves nothing to reach.
    let every = every_visiting_nursing_station();
    let gone = atlas().accessibility(&query, &Scenario { add: vec![], remove: every });
    assert!(gone.iter().all(|s| s.raw == 0.0));
}

#[test]
fn site_suggestions_for_one_town_stand_in_it_and_are_named_by_its_small_areas() {
    let miyashiro: MunicipalityCode = "11442".parse().unwrap();
    for group in [TOTAL, PopulationGroup::Aged75Plus] {
        let query = SiteQuery {
            kind: FacilityKind::VisitingNursingStation,
            radius_m: 2000.0,
            n: 3,
            group,
            area: Some(miyashiro),
        };
        let sites = atlas().suggest_sites(&query, &Scenario::default());
        assert!(!sites.is_empty());
        for site in &sites {
            assert_eq!(site.municipality_code, Some(miyashiro), "{site:?}");
            let place = site.small_area.as_ref().expect("宮代町 has small areas");
            assert_eq!(place.municipality_code, miyashiro, "{site:?}");
        }
        // The town's residents only: no pick brings more than the town's residents within reach.
        let town = atlas().area_statistics(AreaRef::Municipality(miyashiro), group).unwrap();
        let newly: f64 = sites.iter().map(|s| s.newly_covered_population).sum();
        assert!(
            newly <= town.model_population.unwrap() + 1e-6,
            "{newly} vs {:?}",
            town.model_population
        );
    }
}

#[test]
fn site_suggestions_cover_what_they_claim() {
    let radius_m = 1500.0;
    let query = SiteQuery {
        kind: FacilityKind::VisitingNursingStation,
        radius_m,
        n: 3,
        group: TOTAL,
        area: None,
    };
    let sites = atlas().suggest_sites(&query, &Scenario::default());
    assert_eq!(sites.len(), 3);
    assert!(
        sites.windows(2).all(|w| w[0].newly_covered_population >= w[1].newly_covered_population)
    );
    let uncovered = |scenario: &Scenario| -> f64 {
        let query = GapQuery {
            kinds: vec![FacilityKind::VisitingNursingStation],
            radius_m,
            area: None,
            resolution: GapResolution::Mesh(MeshLevel::Quarter),
            group: TOTAL,
        };
        let summary = atlas().coverage_gaps(&query, scenario).summary;
        summary.iter().map(|s| s.population_uncovered.unwrap()).sum()
    };
    let first = Scenario {
        add: vec![Supply { position: sites[0].position, capacity: 1.0 }],
        remove: vec![],
    };
    let drop = uncovered(&Scenario::default()) - uncovered(&first);
    assert!(
        (drop - sites[0].newly_covered_population).abs() < 1e-6,
        "{drop} vs {}",
        sites[0].newly_covered_population
    );
}

#[test]
fn every_visiting_nursing_station_has_a_phone_credited_to_the_portal_after_the_round_trip() {
    let stations: Vec<_> = atlas()
        .facilities()
        .iter()
        .filter(|f| f.kind == FacilityKind::VisitingNursingStation)
        .collect();
    let study = ["11238", "11246", "11442"];
    let in_study =
        |f: &&&care_atlas_core::Facility| study.contains(&f.municipality_code.to_string().as_str());
    let count = |keep: &dyn Fn(&&care_atlas_core::Facility) -> bool| {
        (
            stations.iter().filter(|f| keep(f)).count(),
            stations.iter().filter(in_study).filter(|f| keep(f)).count(),
        )
    };
    // (all 224, of which the 13 of the study area)
    assert_eq!(count(&|_| true), (224, 13));
    assert_eq!(count(&|f| f.phone.is_some()), (224, 13));
    // 167 publish a web site; two of them (`http:／／…`, `http:/meiiken.or.jp`) are not links and
    // are left out on import.
    assert_eq!(count(&|f| f.url.is_some()), (165, 10));
    // The official copy has no contacts, so every one is credited to the portal.
    assert_eq!(
        count(&|f| f.provenance.contact_source.as_deref() == Some("houmonkango-navi")),
        (224, 13)
    );
    assert!(
        atlas()
            .facilities()
            .iter()
            .filter(|f| f.kind != FacilityKind::VisitingNursingStation)
            .all(|f| f.provenance.contact_source.as_deref() != Some("houmonkango-navi")),
        "no other kind takes contacts from the portal"
    );
}

#[test]
fn the_registers_phones_of_hospitals_clinics_and_dental_clinics_survive_the_round_trip() {
    let credited = |source: &str| {
        atlas()
            .facilities()
            .iter()
            .filter(|f| f.provenance.contact_source.as_deref() == Some(source))
            .map(|f| (f.kind, f.phone.is_some()))
            .collect::<Vec<_>>()
    };
    let ika = credited("kouseikyoku-ika");
    let shika = credited("kouseikyoku-shika");
    // 54 clinics and 78 hospitals; 50 dental clinics (see tests/data_build.rs), each with a phone.
    assert_eq!(ika.iter().filter(|(k, _)| *k == FacilityKind::Clinic).count(), 54);
    assert_eq!(ika.iter().filter(|(k, _)| *k == FacilityKind::Hospital).count(), 78);
    assert_eq!((ika.len(), shika.len()), (132, 50));
    assert!(shika.iter().all(|(k, _)| *k == FacilityKind::DentalClinic));
    assert!(ika.iter().chain(&shika).all(|(_, phone)| *phone));
}

#[test]
fn every_municipality_is_labelled_at_a_point_inside_its_boundary() {
    use geo::Contains;
    for town in atlas().municipalities() {
        let label = town.label_point().unwrap();
        assert!(town.boundary.contains(&label.to_point()), "{} {}: {label}", town.code, town.name);
    }
}

#[test]
fn every_care_office_of_the_shipped_data_has_its_official_page_and_no_medical_facility_has() {
    for f in atlas().facilities() {
        let url = care_atlas_core::detail_url(f);
        if f.provenance.source.starts_with(care_atlas_core::KAIGO_SOURCE_PREFIX) {
            let url = url.unwrap_or_else(|| panic!("no page for {}", f.id));
            let number = f.provenance.record_id.rsplit('-').next().unwrap();
            assert!(url.contains(&format!("{number}-00&ServiceCd=")), "{url}");
        } else {
            assert_eq!(url, None, "{}", f.id);
        }
    }
}
