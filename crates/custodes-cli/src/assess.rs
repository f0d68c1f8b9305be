//! `custodes framework import` and `custodes assess …`: frameworks and assessments from
//! the command line, through the same store calls (and so the same rules, access policy
//! and audit) as the web pages and the API.

use std::path::Path;

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use custodes_core::assessment::Results;
use custodes_core::audit::Actor;
use custodes_core::framework::{DiagnosisLine, NodeKind, ValidFramework};
use custodes_core::policy::Viewer;
use custodes_core::{AssessmentId, Level, Role};
use custodes_store::Store;
use custodes_store::assessment::Assessment;

use crate::Failure;
use crate::cli::{AsUser, AssessCommand, ExportFormat, ExportWhat, ScoreFormat};

pub(crate) fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The viewer and audit actor a command acts as.
pub(crate) async fn acting(store: &Store, who: &AsUser) -> Result<(Actor, Viewer), Failure> {
    match &who.username {
        Some(name) => {
            let user = store.user_by_username(name).await?;
            let viewer = store
                .viewer(user.id)
                .await?
                .ok_or_else(|| Failure::bad_input(anyhow!("user {name} is disabled")))?;
            Ok((
                Actor::User {
                    id: user.id,
                    username: name.clone(),
                },
                viewer,
            ))
        }
        None => {
            let all = Viewer {
                user: None,
                role: Some(Role::Administrator),
                clearance: Level::Secret,
                compartments: Default::default(),
            };
            let compartments = store
                .list_compartments(&all)
                .await?
                .into_iter()
                .map(|c| c.id)
                .collect();
            Ok((
                crate::commands::cli_actor(),
                Viewer {
                    compartments,
                    ..all
                },
            ))
        }
    }
}

fn read(file: &Path) -> Result<(String, String), Failure> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read {name}"))
        .map_err(Failure::bad_input)?;
    Ok((name, text))
}

fn assessment_id(s: &str) -> Result<AssessmentId, Failure> {
    s.parse().map_err(|_| {
        Failure::bad_input(anyhow!(
            "'{s}' is not an assessment id (see `custodes assess list`)"
        ))
    })
}

/// `custodes framework import FILE`.
pub async fn framework_import(store: &Store, file: &Path) -> Result<(), Failure> {
    let (name, text) = read(file)?;
    let framework = custodes_formats::framework::read(&name, &text).map_err(|problems| {
        for p in &problems {
            eprintln!("{p}");
        }
        Failure::bad_input(anyhow!(
            "{name}: {} problem(s); nothing was imported",
            problems.len()
        ))
    })?;
    let (actor, viewer) = acting(store, &AsUser { username: None }).await?;
    let file_name = file
        .file_name()
        .map_or_else(|| name.clone(), |f| f.to_string_lossy().into_owned());
    let entry = store
        .import_framework(&actor, &viewer, &file_name, &text, &framework)
        .await?;
    println!(
        "imported framework {} {} ({}): {} indicators",
        entry.key,
        entry.version,
        entry.name,
        framework.indicators().count()
    );
    Ok(())
}

/// The id of the workspace named by `slug`, or a bad-input failure naming it.
pub(crate) async fn workspace_id(
    store: &Store,
    slug: &str,
) -> Result<custodes_core::WorkspaceId, Failure> {
    store
        .list_workspaces()
        .await?
        .into_iter()
        .find(|w| w.slug.as_str() == slug)
        .map(|w| w.id)
        .ok_or_else(|| Failure::bad_input(anyhow!("no workspace '{slug}'")))
}

/// `custodes assess …`.
pub async fn run(store: &Store, command: AssessCommand) -> Result<(), Failure> {
    match command {
        AssessCommand::List { workspace, who } => {
            let (_, viewer) = acting(store, &who).await?;
            let ws = store
                .list_workspaces()
                .await?
                .into_iter()
                .find(|w| w.slug.as_str() == workspace)
                .ok_or_else(|| {
                    Failure::bad_input(anyhow!("there is no workspace '{workspace}'"))
                })?;
            let list = store.list_assessments(&viewer, today(), ws.id).await?;
            println!(
                "{:<36}  {:<8} {:<3} {:<10} {:>8}  TITLE",
                "ID", "PERIOD", "V", "STATUS", "ANSWERED"
            );
            for a in list {
                println!(
                    "{:<36}  {:<8} {:<3} {:<10} {:>8}  {} ({} {})",
                    a.id.to_string(),
                    a.period,
                    a.version,
                    a.status.as_str(),
                    a.answered,
                    a.title,
                    a.framework_key,
                    a.framework_version
                );
            }
            Ok(())
        }
        AssessCommand::Import {
            assessment,
            file,
            who,
        } => {
            let id = assessment_id(&assessment)?;
            let (name, text) = read(&file)?;
            let (actor, viewer) = acting(store, &who).await?;
            let changed = store
                .import_answers(&actor, &viewer, today(), id, &name, &text)
                .await?;
            println!("{name}: imported; {changed} answer(s) changed");
            Ok(())
        }
        AssessCommand::Score {
            assessment,
            compare,
            format,
            who,
        } => {
            let id = assessment_id(&assessment)?;
            let compare = compare.as_deref().map(assessment_id).transpose()?;
            let (_, viewer) = acting(store, &who).await?;
            let (a, framework, results) = store
                .assessment_results(&viewer, today(), id, compare)
                .await?;
            match format {
                ScoreFormat::Text => print!("{}", summary(&a, &framework, &results)),
                ScoreFormat::Json => println!("{}", results_json(&a, &results)),
                ScoreFormat::Csv => print!(
                    "{}",
                    custodes_formats::results::to_csv(&framework, &results)
                ),
            }
            Ok(())
        }
        AssessCommand::Export {
            assessment,
            what,
            format,
            output,
            who,
        } => {
            let id = assessment_id(&assessment)?;
            let (_, viewer) = acting(store, &who).await?;
            let text = match what {
                ExportWhat::Answers => store.export_answers(&viewer, today(), id).await?,
                ExportWhat::Results => {
                    let (a, framework, results) =
                        store.assessment_results(&viewer, today(), id, None).await?;
                    match format {
                        ExportFormat::Csv => {
                            custodes_formats::results::to_csv(&framework, &results)
                        }
                        ExportFormat::Json => results_json(&a, &results) + "\n",
                    }
                }
            };
            match output {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))
                    .map_err(Failure::bad_input)?,
                None => print!("{text}"),
            }
            Ok(())
        }
    }
}

fn results_json(a: &Assessment, results: &Results<String>) -> String {
    custodes_formats::results::to_json(
        &custodes_formats::results::About {
            title: &a.title,
            period: &a.period,
            version: a.version,
            status: a.status.as_str(),
            framework: &a.framework_key,
            framework_version: &a.framework_version,
        },
        results,
    )
}

/// A readable summary: the score of the root and of each area, then the largest
/// shortfalls by source of deficit, then the largest changes when compared.
fn summary(a: &Assessment, framework: &ValidFramework, r: &Results<String>) -> String {
    let mut out = format!(
        "{} ({}), version {}, {}: {} {}\n\n",
        a.title,
        a.period,
        a.version,
        a.status.label().to_lowercase(),
        framework.framework().name,
        a.framework_version
    );
    let show = |id: &str| -> String {
        let Some(s) = r.scores.get(id) else {
            return "-".into();
        };
        let value = s
            .displayed
            .map(|v| v.to_string())
            .or_else(|| s.grade.as_ref().map(ToString::to_string))
            .unwrap_or_else(|| "no score".into());
        let band = s
            .band
            .as_deref()
            .map(|b| format!("  {b}"))
            .unwrap_or_default();
        let confidence = r
            .confidence
            .get(id)
            .map(|c| c.note.clone())
            .unwrap_or_default();
        format!("{value:>8}{band:<14}  {confidence}")
    };
    for root in framework.roots() {
        out.push_str(&format!("{:<60} {}\n", root.title, show(root.id.as_str())));
        for child in framework.children(root.id.as_str()) {
            if matches!(child.kind, NodeKind::Group(_)) {
                let title: String = child.title.chars().take(56).collect();
                out.push_str(&format!("  {title:<58} {}\n", show(child.id.as_str())));
            }
        }
    }
    let lines = |title: &str, list: &[DiagnosisLine], label: &dyn Fn(&DiagnosisLine) -> String| {
        let mut s = format!("\n{title}\n");
        for l in list.iter().take(5) {
            let ids: Vec<&str> = l
                .indicators
                .iter()
                .take(4)
                .map(|x| x.indicator.as_str())
                .collect();
            s.push_str(&format!(
                "  {:>8}  {}  ({})\n",
                l.total.to_string(),
                label(l),
                ids.join(", ")
            ));
        }
        s
    };
    out.push_str(&lines(
        "Largest shortfalls by source of deficit (weight x distance from the best level):",
        &r.diagnosis.by_deficit,
        &|l| match l.key {
            custodes_core::framework::DiagnosisKey::Deficit(d) => d.label().to_owned(),
            _ => String::new(),
        },
    ));
    if !r.by_actor.is_empty() {
        out.push_str("\nBy the actor concerned:\n");
        for l in r.by_actor.iter().take(5) {
            out.push_str(&format!("  {:>8}  {}\n", l.total.to_string(), l.actor));
        }
    }
    if let Some(changes) = &r.changes {
        out.push_str("\nChanges since the earlier assessment (areas):\n");
        for c in changes {
            let is_area = framework
                .node(c.node.as_str())
                .is_some_and(|n| matches!(n.kind, NodeKind::Group(_)));
            if let (true, Some(d)) = (is_area, c.delta) {
                let title = framework
                    .node(c.node.as_str())
                    .map(|n| n.title.clone())
                    .unwrap_or_default();
                let title: String = title.chars().take(56).collect();
                out.push_str(&format!("  {:>+8.1}  {title}\n", d.to_f64()));
            }
        }
    }
    out
}
