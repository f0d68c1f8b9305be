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
    /// Assessment frameworks: check a framework file, list the built-in ones, import one.
    #[command(subcommand)]
    Framework(FrameworkCommand),
    /// Assessments: list them, import answers, score, export.
    #[command(subcommand)]
    Assess(AssessCommand),
    /// Capabilities-based plans: list them, optimise one under a scenario, export the
    /// optimiser's model for audit.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// The threat register: list the threats, show the likelihood × impact matrix.
    #[command(subcommand)]
    Threat(ThreatCommand),
    /// The strategy's goals, with their weights.
    #[command(subcommand)]
    Goal(GoalCommand),
    /// Strategy documents: list them, show one with its comments, move one through its
    /// life cycle.
    #[command(subcommand)]
    Strategy(StrategyCommand),
}

/// The workspace, the output format and the user a strategy command reads as.
#[derive(Debug, ClapArgs)]
pub struct StrategyView {
    /// The workspace's short name.
    #[arg(long, default_value = "arvenia")]
    pub workspace: String,
    /// Aligned text for people, or JSON in the shapes of the API.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    #[command(flatten)]
    pub who: AsUser,
}

/// How a strategy command prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// Aligned text.
    Text,
    /// JSON, as the API answers.
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ThreatCommand {
    /// List the threats you may read, gravest first.
    List {
        #[command(flatten)]
        view: StrategyView,
    },
    /// Show the likelihood × impact matrix of the threats you may read.
    Matrix {
        #[command(flatten)]
        view: StrategyView,
    },
}

#[derive(Debug, Subcommand)]
pub enum GoalCommand {
    /// List the goals, heaviest first, with their weights (computed from the threats you
    /// may read) and any override with its reason.
    List {
        #[command(flatten)]
        view: StrategyView,
    },
}

/// A status a strategy can be moved to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StrategyStatus {
    /// Back to draft (parliament sent it back).
    Draft,
    /// Public consultation (needs --closes, and --opens unless it opens today).
    Consultation,
    /// Parliamentary debate.
    Debate,
    /// Approved by parliament (needs --date and --vote-ref).
    Approved,
}

#[derive(Debug, Subcommand)]
pub enum StrategyCommand {
    /// List the strategies you may read, with their status and whether they are due for
    /// review.
    List {
        #[command(flatten)]
        view: StrategyView,
    },
    /// Show one strategy: its status, dates, review-due flag, next steps and comments.
    Show {
        /// The strategy's id, or words of its title that match only it.
        strategy: String,
        #[command(flatten)]
        view: StrategyView,
    },
    /// Move a strategy to the next status of its life cycle: draft → consultation →
    /// debate → approved (or back to draft from debate). A strategy falls due for review
    /// by itself, once it is older than its review period.
    Status {
        /// The strategy's id, or words of its title that match only it.
        strategy: String,
        /// Where it goes.
        #[arg(long, value_enum)]
        to: StrategyStatus,
        /// With --to approved: the day of parliament's vote (YYYY-MM-DD).
        #[arg(long, value_name = "D")]
        date: Option<chrono::NaiveDate>,
        /// With --to approved: the reference of parliament's vote.
        #[arg(long, value_name = "R")]
        vote_ref: Option<String>,
        /// With --to consultation: the first day of consultation (today by default).
        #[arg(long, value_name = "D")]
        opens: Option<chrono::NaiveDate>,
        /// With --to consultation: the last day of consultation.
        #[arg(long, value_name = "D")]
        closes: Option<chrono::NaiveDate>,
        /// The workspace's short name (to find the strategy by its title).
        #[arg(long, default_value = "arvenia")]
        workspace: String,
        #[command(flatten)]
        who: AsUser,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// List the plans of a workspace with their ids and status.
    List {
        /// The workspace's short name.
        #[arg(long, default_value = "arvenia")]
        workspace: String,
        #[command(flatten)]
        who: AsUser,
    },
    /// Optimise the workspace's portfolio under a scenario and save the plan as a draft,
    /// then print what it chose and why it left programmes out. Ctrl-C stops the search
    /// and keeps the best plan found so far.
    Optimise {
        /// The scenario's key or name (see the funding page), such as baseline.
        #[arg(long)]
        scenario: String,
        /// The plan's name (the scenario's name and the day by default).
        #[arg(long)]
        name: Option<String>,
        /// The longest the solver may search, in seconds.
        #[arg(long, value_name = "S", default_value_t = 60.0)]
        time_limit: f64,
        /// The relative optimality gap at which the search stops (0.001 for 0.1%).
        #[arg(long, value_name = "G", default_value_t = 0.001)]
        gap: f64,
        /// The workspace's short name.
        #[arg(long, default_value = "arvenia")]
        workspace: String,
        #[command(flatten)]
        who: AsUser,
    },
    /// Write the optimiser's model of the portfolio under a scenario, for independent
    /// audit with any MIP solver.
    ExportModel {
        /// The scenario's key or name.
        #[arg(long)]
        scenario: String,
        /// MPS (free format, with integer markers) or CPLEX LP.
        #[arg(long, value_enum)]
        format: ModelFormat,
        /// Write here instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// The workspace's short name.
        #[arg(long, default_value = "arvenia")]
        workspace: String,
        #[command(flatten)]
        who: AsUser,
    },
}

/// The text format of an exported model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelFormat {
    /// Free-format MPS.
    Mps,
    /// CPLEX LP.
    Lp,
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
    /// Check a framework file and, when it has no problem, import it into the database as
    /// a new framework version (an existing version is refused: versions never change).
    Import {
        /// The framework file (TOML).
        file: PathBuf,
    },
}

/// Who an assessment, plan or strategy command acts as.
#[derive(Debug, ClapArgs)]
pub struct AsUser {
    /// Act as this user (their role, clearance and memberships apply, and the audit log
    /// names them). Without it, the command acts as the operator at the server's console:
    /// an administrator cleared to SECRET who belongs to no compartment, so records in
    /// compartments stay hidden from it.
    #[arg(long = "as", value_name = "USERNAME")]
    pub username: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AssessCommand {
    /// List the assessments of a workspace with their ids.
    List {
        /// The workspace's short name.
        #[arg(long, default_value = "arvenia")]
        workspace: String,
        #[command(flatten)]
        who: AsUser,
    },
    /// Import an answer file (CSV: indicator, level, missing, actor, explanation, sources)
    /// into a draft assessment. Every bad row is reported with its line, and nothing is
    /// imported if any row is bad (exit 2).
    Import {
        /// The assessment's id.
        assessment: String,
        /// The answer file.
        file: PathBuf,
        #[command(flatten)]
        who: AsUser,
    },
    /// Score an assessment and print its results and diagnosis.
    Score {
        /// The assessment's id.
        assessment: String,
        /// Compare with this earlier assessment (same framework version).
        #[arg(long, value_name = "ID")]
        compare: Option<String>,
        /// Output: a readable summary, or the results document as JSON or CSV.
        #[arg(long, value_enum, default_value_t = ScoreFormat::Text)]
        format: ScoreFormat,
        #[command(flatten)]
        who: AsUser,
    },
    /// Write an assessment's answers (CSV, readable by `assess import`) or its results
    /// (CSV or JSON) to standard output or a file.
    Export {
        /// The assessment's id.
        assessment: String,
        /// What to write.
        #[arg(long, value_enum, default_value_t = ExportWhat::Answers)]
        what: ExportWhat,
        /// The format of results (answers are always CSV).
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        who: AsUser,
    },
}

/// How `assess score` prints.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ScoreFormat {
    /// A readable summary.
    Text,
    /// The results document.
    Json,
    /// The table of node scores.
    Csv,
}

/// What `assess export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportWhat {
    /// The answers, as an answer file.
    Answers,
    /// The results.
    Results,
}

/// The format of exported results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// CSV.
    Csv,
    /// JSON.
    Json,
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
