//! Fuzz target `import_workbook`: see `care_atlas_fuzz::import_workbook`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| care_atlas_fuzz::import_workbook(data));
