//! `custodes plan …`: plans from the command line, through the same calls (and so the
//! same rules, access policy and audit) as the web pages and the API. `plan optimise`
//! shows the optimiser's progress: a spinner with the stage when standard error is a
//! terminal, plain lines otherwise; Ctrl-C stops the search and keeps the best plan.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::anyhow;
use custodes_core::planning::SolveSettings;
use custodes_optimise::{Format, Progress, Stage, Stop};
use custodes_store::Store;
use custodes_store::plan::StoredPlan;
use custodes_web::planning::solve::{OptimiseError, OptimiseRequest, export_model, optimise_plan};
use indicatif::{ProgressBar, ProgressStyle};

use crate::Failure;
use crate::assess::{acting, today, workspace_id};
use crate::cli::{ModelFormat, PlanCommand};

fn failure(e: OptimiseError) -> Failure {
    match e {
        OptimiseError::Store(s) => Failure::from(s),
        // Stopped before any plan: the work was not done, but the input was not at fault.
        OptimiseError::Stopped => Failure::from(anyhow!(e)),
        other => Failure::bad_input(anyhow!(other)),
    }
}

/// Runs a `plan` command.
pub async fn run(store: &Store, command: PlanCommand) -> Result<(), Failure> {
    match command {
        PlanCommand::List { workspace, who } => {
            let (_, viewer) = acting(store, &who).await?;
            let ws = workspace_id(store, &workspace).await?;
            let plans = store.list_plans(&viewer, today(), ws).await?;
            if plans.is_empty() {
                println!("no plan that you may read");
            }
            for p in plans {
                println!(
                    "{}  {:<24}  {:<18}  {:>3} programmes  gap {:.1}  {}",
                    p.id,
                    p.lifecycle.status.label(),
                    p.scenario.key,
                    p.choices.choices.len(),
                    p.report.objective,
                    p.name
                );
            }
            Ok(())
        }
        PlanCommand::Optimise {
            scenario,
            name,
            time_limit,
            gap,
            workspace,
            who,
        } => {
            let (actor, viewer) = acting(store, &who).await?;
            let ws = workspace_id(store, &workspace).await?;
            let reporter = Reporter::new();
            let mut hear = reporter.clone();
            let stop = Stop::new();
            let interrupt = stop_on_interrupt(stop.clone(), reporter.clone());
            let plan = optimise_plan(
                store,
                &actor,
                &viewer,
                today(),
                ws,
                OptimiseRequest {
                    scenario,
                    name: name.unwrap_or_default(),
                    settings: SolveSettings {
                        time_limit_seconds: time_limit,
                        relative_gap: gap,
                    },
                },
                move |p| hear.hear(&p),
                &stop,
            )
            .await;
            interrupt.abort();
            reporter.finish();
            let plan = plan.map_err(failure)?;
            print!("{}", summary(&plan));
            Ok(())
        }
        PlanCommand::ExportModel {
            scenario,
            format,
            output,
            workspace,
            who,
        } => {
            let (_, viewer) = acting(store, &who).await?;
            let ws = workspace_id(store, &workspace).await?;
            let format = match format {
                ModelFormat::Mps => Format::Mps,
                ModelFormat::Lp => Format::Lp,
            };
            let text = export_model(store, &viewer, today(), ws, &scenario, format)
                .await
                .map_err(failure)?;
            write_out(output, &text)
        }
    }
}

fn write_out(output: Option<PathBuf>, text: &str) -> Result<(), Failure> {
    match output {
        Some(path) if path.as_os_str() != "-" => std::fs::write(&path, text)
            .map_err(|e| Failure::bad_input(anyhow!("{}: {e}", path.display()))),
        _ => {
            print!("{text}");
            Ok(())
        }
    }
}

/// Stops the search on the first Ctrl-C, so that the best plan found so far is explained
/// and saved; a second Ctrl-C ends the program at once.
fn stop_on_interrupt(stop: Stop, reporter: Reporter) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        stop.stop();
        reporter.say("stopping: the best plan found so far will be explained and saved (Ctrl-C again to quit without it)");
        if tokio::signal::ctrl_c().await.is_ok() {
            reporter.finish();
            std::process::exit(130);
        }
    })
}

/// Reports the optimiser's progress on standard error.
#[derive(Clone)]
struct Reporter {
    bar: Option<ProgressBar>,
    /// Without a terminal, the search is reported on a new line at most this often.
    next_search_line: f64,
}

/// Seconds between the lines that report the search when standard error is not a terminal.
const SEARCH_LINE_EVERY: f64 = 5.0;

impl Reporter {
    fn new() -> Reporter {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message("building the model");
            bar.enable_steady_tick(Duration::from_millis(120));
            Reporter {
                bar: Some(bar),
                next_search_line: 0.0,
            }
        } else {
            eprintln!("optimising: building the model");
            Reporter {
                bar: None,
                next_search_line: 0.0,
            }
        }
    }

    fn hear(&mut self, p: &Progress) {
        if let (None, Progress::Searching { seconds, .. }) = (&self.bar, p) {
            if *seconds < self.next_search_line {
                return;
            }
            self.next_search_line = seconds + SEARCH_LINE_EVERY;
        }
        let line = match p {
            Progress::Started { columns, rows } => {
                format!("solving: {columns} variables, {rows} constraints")
            }
            Progress::Solved {
                stage,
                incumbent,
                bound,
                gap,
                seconds,
            } => format!(
                "{} solved in {seconds:.1} s: best {incumbent:.3}, bound {bound:.3}, gap {:.2}%",
                match stage {
                    Stage::Gap => "gap",
                    Stage::TieBreak => "cost tie-break",
                },
                gap * 100.0
            ),
            Progress::Searching {
                incumbent,
                bound,
                gap,
                nodes,
                seconds,
            } => match (incumbent, gap) {
                (Some(best), Some(gap)) => format!(
                    "searching, {seconds:.1} s: best {best:.3}, bound {bound:.3}, gap {:.2}%, {nodes} nodes",
                    gap * 100.0
                ),
                _ => format!(
                    "searching, {seconds:.1} s: no plan yet, bound {bound:.3}, {nodes} nodes"
                ),
            },
            Progress::Explaining => "explaining the plan".to_owned(),
            Progress::Finished { seconds } => format!("finished in {seconds:.1} s"),
        };
        self.say(&line);
    }

    fn say(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.set_message(line.to_owned()),
            None => eprintln!("optimising: {line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// What `plan optimise` prints: the plan, its numbers, and what it chose and left out.
fn summary(p: &StoredPlan) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "plan {} saved as a draft: {}", p.id, p.name);
    let _ = writeln!(
        s,
        "scenario {}; {} of {} programmes chosen; weighted gap {:.2} (bound {:.2}, optimality gap {:.2}%, {}); {:.2} s",
        p.scenario.name,
        p.choices.choices.len(),
        p.problem.programmes.len(),
        p.report.objective,
        p.report.bound,
        p.report.gap * 100.0,
        p.report.search_words(),
        p.report.total_seconds
    );
    for (k, c) in &p.choices.choices {
        let name = p
            .problem
            .programme(k)
            .map_or(k.to_string(), |x| x.name.clone());
        let _ = writeln!(s, "  + {:<6} {:<10} {name}", c.start, c.option);
    }
    for l in &p.report.left_out {
        let _ = writeln!(s, "  - {}: {}", l.programme, l.reason);
    }
    s
}
