//! Fuzz target `import_csv`: see `care_atlas_fuzz::import_csv`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| care_atlas_fuzz::import_csv(data));
