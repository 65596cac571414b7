//! Fuzz target `decode_text`: see `care_atlas_fuzz::decode_text`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| care_atlas_fuzz::decode_text(data));
