//! The `custodes` command: one binary that serves the web application, runs the demo,
//! and administers an instance (migrations, users, the audit chain, backups).
//!
//! Architecture invariant: this crate parses arguments and configuration, wires the
//! crates together and reports results. It holds no business rule.
//!
//! Exit codes: 0 success; 1 a check failed or the work could not be done; 2 bad usage
//! or bad input (flags, configuration, files, values).

mod assess;
mod cli;
mod commands;
mod config;
mod demo;
mod demo_assessments;
mod demo_planning;
mod demo_strategy;
mod logging;
mod plan;
mod strategy;

use std::process::ExitCode;

use clap::Parser;

/// An error with the exit code it should end the program with.
#[derive(Debug)]
pub(crate) struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl Failure {
    /// Bad usage or bad input: exit code 2.
    pub(crate) fn bad_input(error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            code: 2,
            error: error.into(),
        }
    }

    /// A check that failed: exit code 1.
    pub(crate) fn check(error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            code: 1,
            error: error.into(),
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        // Store errors caused by the input are bad input wherever they surface.
        let code = match error.downcast_ref::<custodes_store::StoreError>() {
            Some(e) if e.is_bad_input() => 2,
            _ => 1,
        };
        Failure { code, error }
    }
}

impl From<custodes_store::StoreError> for Failure {
    fn from(e: custodes_store::StoreError) -> Self {
        Failure::from(anyhow::Error::from(e))
    }
}

fn main() -> ExitCode {
    let args = cli::Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // One line: the error and its causes, without a backtrace.
            let text = failure
                .error
                .chain()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(": ");
            eprintln!("error: {text}");
            ExitCode::from(failure.code)
        }
    }
}
