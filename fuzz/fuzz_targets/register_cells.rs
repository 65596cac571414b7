//! Fuzz target `register_cells`: see `care_atlas_fuzz::register_cells`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| care_atlas_fuzz::register_cells(data));
