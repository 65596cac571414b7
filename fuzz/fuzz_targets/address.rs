//! Fuzz target `address`: see `care_atlas_fuzz::address`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| care_atlas_fuzz::address(data));
