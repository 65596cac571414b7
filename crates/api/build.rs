//! Finds the Leaflet build that `npm ci` installs into `node_modules/`, so that the map widget's
//! library is embedded into the binary from the locked npm package rather than committed; fails with
//! the command to run when it is missing.

use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../..");
    let dist = root.join("node_modules/leaflet/dist");
    for file in ["leaflet.js", "leaflet.css"] {
        let path = dist.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        assert!(
            path.exists(),
            "\n\ncare-atlas embeds the map library Leaflet from node_modules/, which is missing ({}).\nRun `npm ci` in the repository root (`make run` and `make test` do it for you).\n\n",
            path.display()
        );
    }
    println!("cargo:rerun-if-changed={}", root.join("package-lock.json").display());
    let absolute = dist.canonicalize().unwrap_or(dist);
    println!("cargo:rustc-env=CARE_ATLAS_LEAFLET_DIST={}", absolute.display());
}
