//! Fuzz target `scenario_body`: see `care_atlas_fuzz::scenario_body`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| care_atlas_fuzz::scenario_body(data));
