//! The frameworks shipped in the binary, written from the seeds: the Ideal Security
//! Sector, Good Governance of the Security Sector, and Integrity (the sources of
//! corruption). Their files live in `frameworks/` at the root of the repository.

/// A built-in framework file: its name and its text.
#[derive(Clone, Copy, Debug)]
pub struct BuiltIn {
    /// The file's name, for diagnostics.
    pub file: &'static str,
    /// Its text.
    pub text: &'static str,
}

/// Every built-in framework.
pub const FRAMEWORKS: [BuiltIn; 3] = [
    BuiltIn {
        file: "ideal-security-sector.toml",
        text: include_str!("../../../frameworks/ideal-security-sector.toml"),
    },
    BuiltIn {
        file: "good-governance.toml",
        text: include_str!("../../../frameworks/good-governance.toml"),
    },
    BuiltIn {
        file: "integrity.toml",
        text: include_str!("../../../frameworks/integrity.toml"),
    },
];

/// The taxonomies the frameworks' tags refer to (sources of deficits, reform fields).
pub const TAXONOMIES: &str = include_str!("../../../frameworks/taxonomies.toml");
