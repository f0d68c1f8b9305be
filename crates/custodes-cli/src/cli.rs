//! The command line, as clap reads it.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand};
use custodes_core::{Level, Role};

use crate::config::{LogFormat, Overrides};

/// Custodes: the working platform of a security sector reform.
#[derive(Debug, Parser)]
#[command(name = "custodes", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success, 1 a check failed or the work could not be done, 2 bad usage or bad input."
)]
pub struct Args {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes. Each overrides the configuration file and environment.
#[derive(Debug, ClapArgs)]
pub struct Global {
    /// Read the configuration from this TOML file (see `custodes config example`).
    #[arg(long, global = true, env = "CUSTODES_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Keep files here (the SQLite database among them).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Use this database: postgres://… or a SQLite file path.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Write log lines for a terminal (human) or for log collectors (json).
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Which log lines to write (error, warn, info, debug, trace, or a filter).
    #[arg(long, global = true, value_name = "FILTER")]
    pub log_level: Option<String>,
}

impl Global {
    /// The flags that override configuration.
    pub fn overrides(&self, listen: Option<SocketAddr>) -> Overrides {
        Overrides {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            listen,
            log_format: self.log_format,
            log_level: self.log_level.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create (or reuse) the demo country's database and serve it.
    Demo {
        /// Listen on this address instead of the configured one.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Delete the demo database and create it anew.
        #[arg(long)]
        reset: bool,
    },
    /// Serve the web application and API.
    Serve {
        /// Listen on this address instead of the configured one.
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Manage the people who sign in.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit chain.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write a portable backup of the whole database to FILE (safe while the server runs).
    Backup {
        /// The file to write ("-" for standard output).
        file: PathBuf,
    },
    /// Restore a backup into an empty database (of either backend).
    Restore {
        /// The backup file to read ("-" for standard input).
        file: PathBuf,
    },
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Assessment frameworks: check a framework file, list the built-in ones.
    #[command(subcommand)]
    Framework(FrameworkCommand),
}

#[derive(Debug, Subcommand)]
pub enum FrameworkCommand {
    /// Check a framework file (see docs/framework-format.md) and list every problem with
    /// its file, line, column and field (exit 2 when there is any).
    Check {
        /// The framework file (TOML).
        file: PathBuf,
    },
    /// List the frameworks built into this program.
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user.
    Add {
        /// The name to sign in with.
        username: String,
        /// What the user may do.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The highest classification the user may read.
        #[arg(long, default_value = "OFFICIAL", value_parser = parse_level)]
        clearance: Level,
        /// The name shown to others.
        #[arg(long, value_name = "NAME", default_value = "")]
        name: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// List users.
    List,
    /// Set a user's password.
    Passwd {
        /// The user.
        username: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Stop a user from signing in.
    Disable {
        /// The user.
        username: String,
    },
    /// Let a disabled user sign in again.
    Enable {
        /// The user.
        username: String,
    },
}

/// Where a new password comes from. Without a flag, it is asked for at the terminal.
#[derive(Debug, ClapArgs)]
#[group(multiple = false)]
pub struct PasswordSource {
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// Generate a strong password and print it once.
    #[arg(long)]
    pub generate_password: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the audit chain: print the number of entries when intact (exit 0), or the
    /// first entry that was altered, removed or reordered (exit 1).
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented example configuration file.
    Example,
    /// Print the configuration in effect (secrets hidden).
    Show,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|e: custodes_core::access::UnknownName| e.to_string())
}

fn parse_level(s: &str) -> Result<Level, String> {
    s.parse()
        .map_err(|e: custodes_core::access::UnknownName| e.to_string())
}
