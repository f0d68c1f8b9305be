//! `custodes threat …`, `custodes goal …` and `custodes strategy …`: threat-first strategy
//! from the command line, through the same store calls (and so the same rules, access
//! policy and audit) as the web pages and the API. Text is aligned for people; JSON has
//! the shapes the API answers with.

use std::fmt::Write;

use anyhow::anyhow;
use custodes_core::permission::permits;
use custodes_core::policy::Viewer;
use custodes_core::strategy::{
    Band, Risk, Status, StepFields, Transition, describe_rule, explain_weight, rating_label, step,
    step_toward, steps_from,
};
use custodes_core::{StrategyId, WorkspaceId};
use custodes_store::Store;
use custodes_store::goal::Goal;
use custodes_store::strategy::{Comment, Strategy};
use custodes_store::threat::{MatrixCell, Threat};
use custodes_web::api_strategy::{GoalDto, MatrixCellDto, StrategyDto, ThreatPage};
use serde::Serialize;

use crate::Failure;
use crate::assess::{acting, today, workspace_id};
use crate::cli::{
    GoalCommand, ListFormat, StrategyCommand, StrategyStatus, StrategyView, ThreatCommand,
};

/// The viewer of a read-only command, and its workspace.
async fn reading(store: &Store, view: &StrategyView) -> Result<(Viewer, WorkspaceId), Failure> {
    let (_, viewer) = acting(store, &view.who).await?;
    let ws = workspace_id(store, &view.workspace).await?;
    Ok((viewer, ws))
}

fn print_json(value: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure::check(anyhow!(e)))?;
    println!("{text}");
    Ok(())
}

/// Runs a `threat` command.
pub async fn threat(store: &Store, command: ThreatCommand) -> Result<(), Failure> {
    match command {
        ThreatCommand::List { view } => {
            let (viewer, ws) = reading(store, &view).await?;
            let threats = store.all_threats(&viewer, today(), ws).await?;
            match view.format {
                ListFormat::Json => {
                    let total = threats.len() as i64;
                    print_json(&ThreatPage::new(threats, total))
                }
                ListFormat::Text => {
                    print!("{}", threat_table(&threats));
                    Ok(())
                }
            }
        }
        ThreatCommand::Matrix { view } => {
            let (viewer, ws) = reading(store, &view).await?;
            let cells = store.threat_matrix(&viewer, today(), ws).await?;
            match view.format {
                ListFormat::Json => print_json(
                    &cells
                        .into_iter()
                        .map(MatrixCellDto::from)
                        .collect::<Vec<_>>(),
                ),
                ListFormat::Text => {
                    print!("{}", matrix_text(&cells));
                    Ok(())
                }
            }
        }
    }
}

/// One row per threat: its id, risk, likelihood × impact, trend, level and name.
fn threat_table(threats: &[Threat]) -> String {
    let mut s = String::new();
    if threats.is_empty() {
        s.push_str("no threat that you may read\n");
        return s;
    }
    let _ = writeln!(
        s,
        "{:<36}  {:<12}  {:<5}  {:<7}  {:<12}  THREAT",
        "ID", "RISK", "L × I", "TREND", "LEVEL"
    );
    for t in threats {
        let risk = t.risk();
        let _ = writeln!(
            s,
            "{:<36}  {:>2} {:<9}  {} × {}  {:<7}  {:<12}  {}",
            t.id,
            risk.rating,
            risk.band.label().to_lowercase(),
            t.fields.likelihood,
            t.fields.impact,
            t.fields.trend.as_str(),
            t.classification.effective_level(today()).as_str(),
            t.fields.name
        );
    }
    let _ = writeln!(
        s,
        "{} {}",
        threats.len(),
        if threats.len() == 1 {
            "threat"
        } else {
            "threats"
        }
    );
    s
}

/// The matrix as a grid of counts (likelihood down, impact across), then the threats of
/// each cell, gravest first.
fn matrix_text(cells: &[MatrixCell]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<24}{}",
        "likelihood \\ impact",
        (1..=5).map(|i| format!("{i:>4}")).collect::<String>()
    );
    for likelihood in (1..=5).rev() {
        let _ = write!(
            s,
            "{:<24}",
            format!("{likelihood} {}", rating_label(likelihood))
        );
        for impact in 1..=5 {
            let n = cells
                .iter()
                .find(|c| c.likelihood == likelihood && c.impact == impact)
                .map_or(0, |c| c.threats.len());
            let shown = if n == 0 {
                ".".to_owned()
            } else {
                n.to_string()
            };
            let _ = write!(s, "{shown:>4}");
        }
        s.push('\n');
    }
    let bands: Vec<String> = Band::ALL
        .iter()
        .map(|b| format!("{} {}", b.label().to_lowercase(), b.range()))
        .collect();
    let _ = writeln!(s, "bands: {}", bands.join(", "));
    let mut full: Vec<&MatrixCell> = cells.iter().filter(|c| !c.threats.is_empty()).collect();
    full.sort_by_key(|c| std::cmp::Reverse(c.likelihood * c.impact));
    for c in full {
        let _ = writeln!(s);
        let _ = writeln!(s, "{}", Risk::new(c.likelihood, c.impact).describe());
        for (_, name) in &c.threats {
            let _ = writeln!(s, "  {name}");
        }
    }
    s
}

/// Runs a `goal` command.
pub async fn goal(store: &Store, command: GoalCommand) -> Result<(), Failure> {
    match command {
        GoalCommand::List { view } => {
            let (viewer, ws) = reading(store, &view).await?;
            let goals = store.list_goals(&viewer, today(), ws).await?;
            match view.format {
                ListFormat::Json => {
                    print_json(&goals.into_iter().map(GoalDto::from).collect::<Vec<_>>())
                }
                ListFormat::Text => {
                    print!("{}", goal_table(&goals));
                    Ok(())
                }
            }
        }
    }
}

/// One row per goal: the weight in force, the computed weight, how many threats it answers
/// (that the reader may read), and its title; an override's reason under its goal.
fn goal_table(goals: &[Goal]) -> String {
    let mut s = String::new();
    if goals.is_empty() {
        s.push_str("no goal\n");
        return s;
    }
    let _ = writeln!(s, "WEIGHT  COMPUTED  THREATS  GOAL");
    for g in goals {
        let _ = writeln!(
            s,
            "{:>6}  {:>8}  {:>7}  {}",
            g.weight.effective().to_string(),
            g.weight.computed.to_string(),
            g.threats.len(),
            g.title
        );
        let risks: Vec<Risk> = g.threats.iter().map(|t| t.risk).collect();
        let _ = writeln!(s, "{:27}{}", "", explain_weight(&risks));
        if let Some(o) = &g.weight.overridden {
            let _ = writeln!(s, "{:27}overridden to {}: {}", "", o.weight, o.reason);
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "{}", describe_rule());
    s
}

/// Finds a strategy by its id, or by words of its title that match exactly one of the
/// workspace's strategies the viewer may read.
async fn find_strategy(
    store: &Store,
    viewer: &Viewer,
    ws: WorkspaceId,
    key: &str,
) -> Result<Strategy, Failure> {
    if let Ok(id) = key.parse::<StrategyId>() {
        return store.get_strategy(viewer, id).await?.ok_or_else(|| {
            Failure::bad_input(anyhow!(
                "no strategy '{key}' (see `custodes strategy list`)"
            ))
        });
    }
    let words = key.trim().to_lowercase();
    let mut found: Vec<Strategy> = store
        .list_strategies(viewer, ws)
        .await?
        .into_iter()
        .filter(|s| !words.is_empty() && s.title.to_lowercase().contains(&words))
        .collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Failure::bad_input(anyhow!(
            "no strategy whose title contains '{key}' (see `custodes strategy list`)"
        ))),
        n => Err(Failure::bad_input(anyhow!(
            "'{key}' matches {n} strategies ({}); give more of the title, or the id",
            found
                .iter()
                .map(|s| s.title.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}

/// Runs a `strategy` command.
pub async fn strategy(store: &Store, command: StrategyCommand) -> Result<(), Failure> {
    match command {
        StrategyCommand::List { view } => {
            let (viewer, ws) = reading(store, &view).await?;
            let all = store.list_strategies(&viewer, ws).await?;
            match view.format {
                ListFormat::Json => print_json(
                    &all.into_iter()
                        .map(|s| StrategyDto::from(s, Vec::new(), today()))
                        .collect::<Vec<_>>(),
                ),
                ListFormat::Text => {
                    print!("{}", strategy_table(&all));
                    Ok(())
                }
            }
        }
        StrategyCommand::Show { strategy, view } => {
            let (viewer, ws) = reading(store, &view).await?;
            let s = find_strategy(store, &viewer, ws, &strategy).await?;
            let comments = store.strategy_comments(&viewer, s.id).await?;
            match view.format {
                ListFormat::Json => print_json(&StrategyDto::from(s, comments, today())),
                ListFormat::Text => {
                    print!("{}", strategy_text(&viewer, &s, &comments));
                    Ok(())
                }
            }
        }
        StrategyCommand::Status {
            strategy,
            to,
            date,
            vote_ref,
            opens,
            closes,
            workspace,
            who,
        } => {
            let (actor, viewer) = acting(store, &who).await?;
            let ws = workspace_id(store, &workspace).await?;
            let s = find_strategy(store, &viewer, ws, &strategy).await?;
            let status = match to {
                StrategyStatus::Draft => Status::Draft,
                StrategyStatus::Consultation => Status::Consultation,
                StrategyStatus::Debate => Status::Debate,
                StrategyStatus::Approved => Status::Approved,
            };
            let fields = StepFields {
                consultation_opens_on: Some(opens.unwrap_or_else(today)),
                consultation_closes_on: closes,
                approved_on: date,
                vote_reference: vote_ref.unwrap_or_default(),
            };
            let step = Transition::named(step_toward(status), fields)
                .map_err(|problems| Failure::bad_input(anyhow!(flags(&problems))))?;
            let changed = store
                .change_strategy_status(&actor, &viewer, today(), s.id, step)
                .await
                .map_err(|e| match e {
                    custodes_store::StoreError::Fields(problems) => {
                        Failure::bad_input(anyhow!(flags(&problems)))
                    }
                    other => Failure::from(other),
                })?;
            println!(
                "{}: {}{}",
                changed.title,
                changed.lifecycle.status.label(),
                match (
                    &changed.lifecycle.approved_on,
                    &changed.lifecycle.vote_reference
                ) {
                    (Some(on), Some(vote)) if changed.lifecycle.status == Status::Approved => {
                        format!(" on {on} (vote {vote})")
                    }
                    _ => match (
                        changed.lifecycle.status,
                        changed.lifecycle.consultation_opens_on,
                        changed.lifecycle.consultation_closes_on,
                    ) {
                        (Status::Consultation, Some(o), Some(c)) => format!(" from {o} to {c}"),
                        _ => String::new(),
                    },
                }
            );
            Ok(())
        }
    }
}

/// The problems of a step in the words of the command line: each field named by its flag.
fn flags(problems: &[custodes_core::sector::FieldError]) -> String {
    problems
        .iter()
        .map(|p| {
            let flag = match p.field {
                "consultation_opens_on" => "--opens",
                "consultation_closes_on" => "--closes",
                "approved_on" => "--date",
                "vote_reference" => "--vote-ref",
                other => other,
            };
            format!("{flag}: {}", p.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One row per strategy: its id, status, review flag and title.
fn strategy_table(all: &[Strategy]) -> String {
    let mut s = String::new();
    if all.is_empty() {
        s.push_str("no strategy that you may read\n");
        return s;
    }
    let _ = writeln!(
        s,
        "{:<36}  {:<20}  {:<10}  STRATEGY",
        "ID", "STATUS", "REVIEW"
    );
    for st in all {
        let _ = writeln!(
            s,
            "{:<36}  {:<20}  {:<10}  {}",
            st.id,
            st.lifecycle.status.label(),
            if st.review_due(today()) { "due" } else { "" },
            st.title
        );
    }
    s
}

/// A strategy in full: its status and dates, whether it is due for review, the steps the
/// viewer may take next, its text and its comments.
fn strategy_text(viewer: &Viewer, st: &Strategy, comments: &[Comment]) -> String {
    let mut s = String::new();
    let l = &st.lifecycle;
    let _ = writeln!(s, "{}", st.title);
    let mut line = |label: &str, value: String| {
        let _ = writeln!(s, "{label:<14}{value}");
    };
    line("id", st.id.to_string());
    line("status", l.status.label().to_owned());
    if let (Some(o), Some(c)) = (l.consultation_opens_on, l.consultation_closes_on) {
        line("consultation", format!("{o} to {c}"));
    }
    if let Some(a) = l.approved_on {
        line(
            "approved",
            match &l.vote_reference {
                Some(v) => format!("{a}, vote {v}"),
                None => a.to_string(),
            },
        );
    }
    let every = format!(
        "every {} {}",
        st.review_years,
        if st.review_years == 1 {
            "year"
        } else {
            "years"
        }
    );
    line(
        "review",
        match st.review_due_on() {
            Some(d) if st.review_due(today()) => format!("DUE since {d} ({every})"),
            Some(d) => format!("due on {d} ({every})"),
            None => format!("{every} after approval"),
        },
    );
    let next: Vec<String> = steps_from(l.status)
        .iter()
        .filter_map(|name| step(name))
        .filter(|(_, _, action)| permits(viewer.role, *action))
        .filter_map(|(name, label, _)| {
            Status::ALL
                .into_iter()
                .find(|to| step_toward(*to) == name)
                .map(|to| format!("--to {} ({})", to.as_str(), label.to_lowercase()))
        })
        .collect();
    if !next.is_empty() {
        line("next", next.join(", "));
    }
    for text in [&st.summary, &st.body] {
        if !text.trim().is_empty() {
            let _ = writeln!(s);
            let _ = writeln!(s, "{}", text.trim());
        }
    }
    let _ = writeln!(s);
    match comments.len() {
        0 => {
            let _ = writeln!(s, "No comments.");
        }
        n => {
            let _ = writeln!(s, "Comments ({n}):");
            for c in comments {
                let _ = writeln!(s);
                let _ = writeln!(s, "  {}, {}:", c.author, c.at.get(..10).unwrap_or(&c.at));
                for line in c.body.lines() {
                    let _ = writeln!(s, "    {line}");
                }
            }
        }
    }
    s
}
