//! The configuration: one typed struct, layered defaults < TOML file < `CUSTODES_*`
//! environment variables < command-line flags, read once at start.

// figment's error is large, and its test jail's closures must return it; boxing it here
// would buy nothing for a value made once at start.
#![allow(clippy::result_large_err)]

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Readable lines for a terminal.
    Human,
    /// One JSON object per line, for log collectors.
    Json,
}

/// A value that must not appear in logs or in `Debug` output.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The value itself; only for the code that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The configuration of an instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where Custodes keeps its files: the SQLite database and the demo database.
    pub data_dir: PathBuf,
    /// A PostgreSQL URL (`postgres://…`) or a SQLite file; when absent, the SQLite file
    /// `custodes.db` in `data_dir`. It may hold a password, so it is a secret.
    pub database_url: Option<Secret>,
    /// The address and port the web server listens on.
    pub listen: SocketAddr,
    /// The name shown at the top of every page.
    pub instance_name: String,
    /// How log lines are written.
    pub log_format: LogFormat,
    /// Which log lines are written, as a filter (`info`, `custodes=debug,info`, …).
    pub log_level: String,
    /// How many plans the web server optimises at once; each keeps a processor core busy.
    pub solves_at_once: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: default_data_dir(),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            instance_name: "Custodes".into(),
            log_format: LogFormat::Human,
            log_level: "info".into(),
            solves_at_once: custodes_web::planning::jobs::DEFAULT_LIMIT,
        }
    }
}

/// `$XDG_DATA_HOME/custodes`, else `~/.local/share/custodes`, else `./custodes-data`.
fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("custodes");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(home).join(".local/share/custodes");
    }
    PathBuf::from("custodes-data")
}

/// The keys the environment may set, as `CUSTODES_<KEY>`.
const ENV_KEYS: [&str; 7] = [
    "data_dir",
    "database_url",
    "listen",
    "instance_name",
    "log_format",
    "log_level",
    "solves_at_once",
];

/// Values given as flags; only those present override the other layers.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    /// `--data-dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// `--database-url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// `--listen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    /// `--log-format`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<LogFormat>,
    /// `--log-level`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_level: Option<String>,
}

impl Config {
    /// Reads the layers: defaults, then the TOML file (when given), then the environment,
    /// then the flags. An error names the key and where its value came from.
    pub fn load(file: Option<&Path>, flags: &Overrides) -> Result<Config, figment::Error> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(figment::Error::from(format!(
                    "configuration file {} does not exist",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        figment
            .merge(Env::prefixed("CUSTODES_").only(&ENV_KEYS))
            .merge(Serialized::defaults(flags))
            .extract()
    }
}

/// A commented example configuration, printed by `custodes config example`.
pub const EXAMPLE: &str = r#"# Custodes configuration.
#
# Every key is optional. Values are read in layers, each overriding the one before:
# built-in defaults < this file (--config FILE or CUSTODES_CONFIG) < environment variables
# named CUSTODES_<KEY> (for example CUSTODES_LISTEN) < command-line flags.

# Where Custodes keeps its files: the SQLite database (custodes.db) and the demo
# database (demo.db). Default: $XDG_DATA_HOME/custodes or ~/.local/share/custodes.
# data_dir = "/var/lib/custodes"

# The database. Leave it out to use the embedded SQLite file in data_dir. For several
# server processes behind a load balancer, use PostgreSQL. The URL may hold a password:
# prefer the environment variable CUSTODES_DATABASE_URL to keep it out of files.
# database_url = "postgres://custodes:PASSWORD@localhost:5432/custodes"

# The address and port the web server listens on. Put a TLS-terminating proxy in front
# of it when it is reachable from other machines.
listen = "127.0.0.1:8080"

# The name shown at the top of every page.
instance_name = "Custodes"

# "human" for a terminal, "json" for log collectors.
log_format = "human"

# Which log lines are written: a level (error, warn, info, debug, trace) or a filter
# such as "custodes=debug,info".
log_level = "info"

# How many plans the web server optimises at once (in the background, from the planning
# pages and the API); more are refused until one ends. Each solve keeps one processor
# core busy, so keep it below the number of cores.
solves_at_once = 2
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_is_valid_and_matches_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("custodes.toml");
        std::fs::write(&file, EXAMPLE).unwrap();
        let config = Config::load(Some(&file), &Overrides::default()).unwrap();
        let defaults = Config::default();
        assert_eq!(config.listen, defaults.listen);
        assert_eq!(config.instance_name, defaults.instance_name);
        assert_eq!(config.log_format, LogFormat::Human);
        assert_eq!(config.solves_at_once, defaults.solves_at_once);
    }

    #[test]
    fn layers_override_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "c.toml",
                "listen = \"127.0.0.1:9000\"\ninstance_name = \"From file\"\nlog_level = \"warn\"",
            )?;
            jail.set_env("CUSTODES_INSTANCE_NAME", "From env");
            jail.set_env("CUSTODES_LOG_LEVEL", "debug");
            let flags = Overrides {
                log_level: Some("trace".into()),
                ..Overrides::default()
            };
            let config = Config::load(Some(Path::new("c.toml")), &flags).unwrap();
            assert_eq!(config.listen, "127.0.0.1:9000".parse().unwrap());
            assert_eq!(config.instance_name, "From env");
            assert_eq!(config.log_level, "trace");
            Ok(())
        });
    }

    #[test]
    fn a_bad_value_names_its_key_and_source() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("c.toml", "listen = \"not an address\"")?;
            let err = Config::load(Some(Path::new("c.toml")), &Overrides::default()).unwrap_err();
            let text = err.to_string();
            assert!(text.contains("listen"), "{text}");
            assert!(text.contains("c.toml"), "{text}");
            Ok(())
        });
    }

    #[test]
    fn an_unknown_key_is_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("c.toml", "lisen = \"127.0.0.1:1\"")?;
            let err = Config::load(Some(Path::new("c.toml")), &Overrides::default()).unwrap_err();
            assert!(err.to_string().contains("lisen"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        let config = Config {
            database_url: Some(Secret("postgres://u:hunter2@db/c".into())),
            ..Config::default()
        };
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
