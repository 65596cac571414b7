//! Fuzz target `query_string`: see `care_atlas_fuzz::query_string`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| care_atlas_fuzz::query_string(data));
