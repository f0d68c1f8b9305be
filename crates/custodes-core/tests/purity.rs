//! The core is pure: it depends on no IO crate and its code touches no clock, file,
//! network or process. This test reads the crate's own manifest and sources.

use std::path::Path;

const FORBIDDEN_CRATES: [&str; 8] = [
    "sqlx",
    "tokio",
    "axum",
    "hyper",
    "reqwest",
    "tower",
    "rand",
    "getrandom",
];

const FORBIDDEN_CODE: [&str; 8] = [
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "SystemTime",
    "Instant::now",
    "Utc::now",
    "Local::now",
];

#[test]
fn the_manifest_names_no_io_crate() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).unwrap();
    let deps = deps.split("\n[").next().unwrap();
    let mut named = 0;
    for line in deps.lines().filter(|l| !l.trim().is_empty()) {
        let name = line.split(['=', '.']).next().unwrap().trim();
        assert!(
            !FORBIDDEN_CRATES.contains(&name),
            "custodes-core depends on {name}"
        );
        named += 1;
    }
    assert!(named >= 3, "the [dependencies] section was not found");
}

/// Every file under `dir`, module folders included.
fn source_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(source_files(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn the_sources_touch_no_clock_file_or_network() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    for path in source_files(&src) {
        let text = std::fs::read_to_string(&path).unwrap();
        for needle in FORBIDDEN_CODE {
            assert!(!text.contains(needle), "{} uses {needle}", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} source files found");
}
