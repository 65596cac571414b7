//! Fuzz target `import_geojson`: see `care_atlas_fuzz::import_geojson`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| care_atlas_fuzz::import_geojson(data));
