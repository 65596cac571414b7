//! `care-atlas data` rebuilds `data/` from the raw government files byte for byte, so the shipped
//! canonical files are exactly what our code makes of the sources.

#![allow(clippy::unwrap_used, reason = "test helpers fail the test on setup errors")]

use std::path::PathBuf;
use std::process::Command;

#[test]
fn rebuilding_the_canonical_data_reproduces_data_byte_for_byte() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let raw = repo.join("../shared/data/raw");
    assert!(
        raw.join("SOURCES.md").exists(),
        "the raw files are expected at {} (the workplace's shared/ beside the repository)",
        raw.display()
    );
    let out_dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo.join("data/README.md"), out_dir.path().join("README.md")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_care-atlas"))
        .args(["data", "--raw", raw.to_str().unwrap(), "--out", out_dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shipped = walk(&repo.join("data"));
    let rebuilt = walk(out_dir.path());
    assert_eq!(
        rebuilt.keys().collect::<Vec<_>>(),
        shipped.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (name, bytes) in &shipped {
        assert!(
            rebuilt[name] == *bytes,
            "data/{name} differs from what `care-atlas data` makes: run `make data`"
        );
    }
}

fn walk(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                files.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// The portal's partial list of home-visit clinics (left out of the build) is a subset of the
/// 厚生局's register: each of its clinics is a 在宅療養支援診療所 of the shipped data, by name
/// without the legal person and by address.
#[test]
fn every_clinic_of_the_portals_partial_list_is_a_registered_home_care_clinic() {
    use care_atlas_core::{FacilityKind, normalise_address};
    use care_atlas_loader::formats::{ParseOptions, parse_file};
    use care_atlas_loader::institution_name_key;
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let portal = parse_file(
        &repo.join("../shared/data/raw/zaitakuclinic_navi_homevisit_clinics_partial_3munis.csv"),
        &ParseOptions::default(),
    )
    .unwrap();
    let shipped = parse_file(&repo.join("data/facilities.csv"), &ParseOptions::default()).unwrap();
    let registered: Vec<_> = shipped
        .batch
        .facilities
        .iter()
        .filter(|f| f.kind == FacilityKind::HomeCareClinic && f.source == "kouseikyoku-ika")
        .map(|f| (institution_name_key(&f.name), normalise_address(&f.address)))
        .collect();
    assert_eq!(portal.batch.facilities.len(), 6);
    for clinic in &portal.batch.facilities {
        let key = (institution_name_key(&clinic.name), normalise_address(&clinic.address));
        assert!(registered.contains(&key), "{} ({}) is not in the register", clinic.name, key.1);
    }
}

/// Hospitals, clinics and dental clinics take their telephone number from the 厚生局's register
/// (their 医療情報ネット copies publish none), credited in `contact_source`: 54 of the 55 clinics
/// and 50 of the 52 dental clinics (all in the study area) and 78 of the 88 hospitals (7 of 7 in
/// the study area, 71 of 81 around it). `ヶ` and `ケ` are one letter to the matching
/// (針ヶ谷/針ケ谷, 江ケ崎/江ヶ崎), or one hospital and one dental clinic would go without.
#[test]
fn hospitals_clinics_and_dental_clinics_have_the_registers_phone_credited_to_it() {
    use care_atlas_core::FacilityKind;
    use care_atlas_loader::formats::{ParseOptions, parse_file};
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shipped = parse_file(&repo.join("data/facilities.csv"), &ParseOptions::default()).unwrap();
    for (kind, register, total, with_phone) in [
        (FacilityKind::Clinic, "kouseikyoku-ika", 55, 54),
        (FacilityKind::Hospital, "kouseikyoku-ika", 88, 78),
        (FacilityKind::DentalClinic, "kouseikyoku-shika", 52, 50),
    ] {
        let of_kind: Vec<_> = shipped.batch.facilities.iter().filter(|f| f.kind == kind).collect();
        let phoned: Vec<_> = of_kind.iter().filter(|f| f.phone.is_some()).collect();
        assert_eq!((of_kind.len(), phoned.len()), (total, with_phone), "{}", kind.id());
        for f in phoned {
            assert_eq!(f.contact_source.as_deref(), Some(register), "{} {}", f.record_id, f.name);
        }
    }
}
