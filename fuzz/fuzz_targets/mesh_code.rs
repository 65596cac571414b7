//! Fuzz target `mesh_code`: see `care_atlas_fuzz::mesh_code`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| care_atlas_fuzz::mesh_code(data));
