//! Plans: the list with the form that optimises a new one; the plan page (a Gantt chart
//! of the chosen programmes, spend per year and source against ceilings, residual gap per
//! goal and year, binding rules, the marginal value of money, why each programme was
//! left out, the gap reached and the solve time, and the life-cycle steps); and the side
//! by side comparison of two plans.
//!
//! Every number on these pages comes from the plan's stored problem and choices through
//! `custodes_core::plan::{evaluate, binding}`, or from the solve's report.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use custodes_core::PlanId;
use custodes_core::permission::Action;
use custodes_core::plan::{Binding, Evaluation, Plan, PlanProblem, binding, evaluate};
use custodes_core::planning::{
    PLAN_STEPS, PlanStep, SolveSettings, compare_plans, plan_steps_from,
};
use custodes_report::plan::{GanttBar, SpendBar, gantt_svg, spend_svg};
use custodes_store::StoreError;
use custodes_store::plan::StoredPlan;
use custodes_store::workspace::Workspace;
use serde::Deserialize;

use super::jobs::{End, JobState};
use super::solve::{OptimiseError, OptimiseRequest, optimise_in_background, prepare};
use super::{field_group, money, points};
use crate::actors::{Choice, readable_time, store_problems, workspace};
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::threats::readable_date;
use crate::{AppState, WebError, today};

/// A plan's row in the list.
pub(crate) struct PlanRow {
    id: String,
    name: String,
    scenario: String,
    status: &'static str,
    status_css: &'static str,
    chosen: usize,
    objective: String,
    created: String,
}

fn row(p: &StoredPlan) -> PlanRow {
    PlanRow {
        id: p.id.to_string(),
        name: p.name.clone(),
        scenario: p.scenario.name.clone(),
        status: p.lifecycle.status.label(),
        status_css: p.lifecycle.status.as_str(),
        chosen: p.choices.choices.len(),
        objective: format!("{:.1}", p.report.objective),
        created: readable_time(&p.created_at),
    }
}

/// The optimise form's values; also read from the address, so that a failed
/// optimisation can link back to the form with its values.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub(crate) struct OptimiseForm {
    scenario: String,
    name: String,
    time_limit: String,
    gap: String,
}

impl Default for OptimiseForm {
    fn default() -> Self {
        OptimiseForm {
            scenario: String::new(),
            name: String::new(),
            time_limit: "10".into(),
            gap: "0.001".into(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/plans.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    ws: Workspace,
    tab: &'static str,
    rows: Vec<PlanRow>,
    scenarios: Vec<Choice>,
    may_optimise: bool,
    form: OptimiseForm,
    problems: Problems,
    jobs: Vec<JobRow>,
}

/// An optimisation the visitor started, while it runs or has just ended.
pub(crate) struct JobRow {
    href: String,
    name: String,
    scenario: String,
    state: &'static str,
}

async fn list_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    form: OptimiseForm,
    problems: Problems,
) -> Result<ListPage, WebError> {
    let plans = state
        .store
        .list_plans(&visitor.viewer, today(), ws.id)
        .await?;
    let scenarios = state
        .store
        .list_scenarios(ws.id)
        .await?
        .into_iter()
        .map(|s| Choice {
            selected: s.scenario.key == form.scenario,
            value: s.scenario.key,
            label: s.scenario.name,
        })
        .collect();
    let jobs = match &visitor.user {
        Some(u) => state
            .jobs
            .of(u.id, ws.id)
            .into_iter()
            .filter(|j| !matches!(j.end, Some(End::Plan(_))))
            .map(|j| JobRow {
                href: format!("/w/{}/planning/jobs/{}", ws.slug, j.id),
                name: j.about.name.clone(),
                scenario: j.about.scenario.clone(),
                state: match j.state() {
                    JobState::Running => "Running",
                    JobState::Stopping => "Stopping",
                    JobState::Succeeded => "Saved",
                    JobState::Failed => "No plan was made",
                },
            })
            .collect(),
        None => Vec::new(),
    };
    let path = format!("/w/{}/planning", ws.slug);
    Ok(ListPage {
        chrome: Chrome::new(state, visitor, &path).await,
        tab: "plans",
        rows: plans.iter().map(row).collect(),
        scenarios,
        may_optimise: visitor.may(Action::EditPlanning),
        form,
        problems,
        jobs,
        ws,
    })
}

/// `GET /w/{slug}/planning`, with the optimise form's values from the address when it
/// has them.
pub(crate) async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(form): Query<OptimiseForm>,
) -> Result<ListPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    list_page(&state, &visitor, ws, form, Problems::default()).await
}

/// `POST /w/{slug}/planning`: checks the form and the portfolio, then starts optimising
/// a new draft plan in the background and sends the visitor to its progress page.
pub(crate) async fn optimise(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditPlanning)?;
    let ws = workspace(&state.store, &slug).await?;
    let form = OptimiseForm {
        scenario: data.text("scenario"),
        name: data.text("name"),
        time_limit: data.text("time_limit"),
        gap: data.text("gap"),
    };
    let mut p = Problems::default();
    let time_limit = form.time_limit.parse::<f64>().ok();
    let gap = form.gap.parse::<f64>().ok();
    if time_limit.is_none() {
        p.add("time_limit", "Enter the time limit in seconds, like 10");
    }
    if gap.is_none() {
        p.add("gap", "Enter the gap tolerance as a fraction, like 0.001");
    }
    if form.scenario.is_empty() {
        p.add("scenario", "Choose a scenario");
    }
    if let (Some(time_limit_seconds), Some(relative_gap), true) = (time_limit, gap, p.is_empty()) {
        let request = OptimiseRequest {
            scenario: form.scenario.clone(),
            name: form.name.clone(),
            settings: SolveSettings {
                time_limit_seconds,
                relative_gap,
            },
        };
        match prepare(&state.store, &visitor.viewer, today(), ws.id, request).await {
            Ok(prepared) => {
                let user = visitor.signed_in()?;
                match optimise_in_background(
                    &state.jobs,
                    &state.store,
                    user.id,
                    visitor.actor(),
                    visitor.viewer.clone(),
                    ws.id,
                    prepared,
                ) {
                    Ok(job) => {
                        return Ok(
                            Redirect::to(&format!("/w/{slug}/planning/jobs/{job}")).into_response()
                        );
                    }
                    Err(busy) => {
                        p.add("optimise-button", sentence(&busy.to_string()));
                        let page = list_page(&state, &visitor, ws, form, p).await?;
                        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
                    }
                }
            }
            Err(OptimiseError::Store(e @ StoreError::Fields(_))) => p = store_problems(e)?,
            Err(OptimiseError::Store(e)) if !e.is_bad_input() => return Err(e.into()),
            Err(e) => p.add("scenario", sentence(&e.to_string())),
        }
    }
    let page = list_page(&state, &visitor, ws, form, p).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// One source's spend over the years.
pub(crate) struct SpendRow {
    name: String,
    cells: Vec<(String, String, bool)>,
    total: String,
    svg: String,
}

/// One goal's residual gap over the years.
pub(crate) struct GapRow {
    goal: String,
    cells: Vec<String>,
}

/// A step the visitor may take.
pub(crate) struct StepView {
    step: &'static str,
    label: &'static str,
}

/// The values of the approval form, kept when refused.
#[derive(Clone, Debug, Default)]
pub(crate) struct StepForm {
    approved_on: String,
    approval_reference: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/plan.html")]
pub(crate) struct ShowPage {
    chrome: Chrome,
    ws: Workspace,
    plan: StoredPlan,
    status: &'static str,
    status_css: &'static str,
    facts: Vec<(&'static str, String)>,
    assumptions: Vec<String>,
    gantt: String,
    chosen: Vec<(String, String, String, String)>,
    years: Vec<i32>,
    spend: Vec<SpendRow>,
    gaps: Vec<GapRow>,
    gap_total: Vec<String>,
    gap_baseline: Vec<String>,
    bindings: Vec<String>,
    marginal: Vec<(String, i32, String)>,
    left_out: Vec<(String, String, String)>,
    steps: Vec<StepView>,
    others: Vec<Choice>,
    form: StepForm,
    problems: Problems,
}

/// The names of a plan problem's parts, for the pages.
struct Names {
    programmes: BTreeMap<String, String>,
    sources: BTreeMap<String, String>,
    goals: BTreeMap<String, String>,
    actors: BTreeMap<String, String>,
}

async fn names(
    state: &AppState,
    visitor: &Visitor,
    ws: &Workspace,
    problem: &PlanProblem,
) -> Result<Names, WebError> {
    let goals = state
        .store
        .list_goals(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .map(|g| (g.id.to_string(), g.title))
        .collect();
    let actors = state
        .store
        .all_actors(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .map(|a| (a.id.to_string(), a.fields.name))
        .collect();
    Ok(Names {
        programmes: problem
            .programmes
            .iter()
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect(),
        sources: problem
            .sources
            .iter()
            .map(|s| (s.id.to_string(), s.name.clone()))
            .collect(),
        goals,
        actors,
    })
}

impl Names {
    fn programme(&self, key: &str) -> String {
        self.programmes
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }

    fn goal(&self, id: &str) -> String {
        self.goals
            .get(id)
            .cloned()
            .unwrap_or_else(|| "A goal you may not read".to_owned())
    }

    /// Text from the core or the optimiser with programme keys replaced by their names.
    fn words(&self, text: &str) -> String {
        programme_words(&self.programmes, text)
    }

    fn binding(&self, b: &Binding) -> String {
        match b {
            Binding::Capacity {
                actor,
                year,
                capacity,
            } => format!(
                "{} runs {capacity} {} in {year}, all it can absorb",
                self.actors
                    .get(actor.as_str())
                    .cloned()
                    .unwrap_or_else(|| "A lead actor".to_owned()),
                if *capacity == 1 {
                    "programme"
                } else {
                    "programmes"
                }
            ),
            other => self.words(&other.to_string()),
        }
    }
}

/// Text from the core or the optimiser, as a sentence, with the keys of `programmes` (key
/// → name) replaced by their names (the longest key first, so that a key that begins
/// another is not replaced inside it).
pub(super) fn programme_words(programmes: &BTreeMap<String, String>, text: &str) -> String {
    let mut keys: Vec<(&String, &String)> = programmes.iter().collect();
    keys.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    let mut out = text.to_owned();
    for (i, (k, _)) in keys.iter().enumerate() {
        let mark = format!("\u{1}{i}\u{1}");
        out = out.replace(k.as_str(), &mark);
    }
    for (i, (_, name)) in keys.iter().enumerate() {
        out = out.replace(&format!("\u{1}{i}\u{1}"), name);
    }
    sentence(&out)
}

/// The residual gap per goal and year of a plan's evaluation, with the total per year.
fn goal_gaps(problem: &PlanProblem, e: &Evaluation, names: &Names) -> (Vec<GapRow>, Vec<f64>) {
    let years: Vec<i32> = problem.horizon().collect();
    let mut total = vec![0.0; years.len()];
    let rows = problem
        .goals()
        .into_iter()
        .map(|g| {
            let cells = years
                .iter()
                .enumerate()
                .map(|(i, y)| {
                    let gap: f64 = e
                        .goals
                        .iter()
                        .filter(|x| &x.goal == g && x.year == *y)
                        .map(|x| x.gap)
                        .sum();
                    total[i] += gap;
                    points(gap)
                })
                .collect();
            GapRow {
                goal: names.goal(g.as_str()),
                cells,
            }
        })
        .collect();
    (rows, total)
}

fn parse_plan_id(id: &str) -> Result<PlanId, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

async fn existing(
    state: &AppState,
    visitor: &Visitor,
    ws: &Workspace,
    id: &str,
) -> Result<StoredPlan, WebError> {
    state
        .store
        .get_plan(&visitor.viewer, today(), parse_plan_id(id)?)
        .await?
        .filter(|p| p.workspace == ws.id)
        .ok_or(WebError::NotFound)
}

async fn show_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    plan: StoredPlan,
    form: StepForm,
    problems: Problems,
) -> Result<ShowPage, WebError> {
    let problem = &plan.problem;
    let names = names(state, visitor, &ws, problem).await?;
    let e = evaluate(problem, &plan.choices);
    let years: Vec<i32> = problem.horizon().collect();

    let mut chosen: Vec<(i32, GanttBar)> = plan
        .choices
        .choices
        .iter()
        .filter_map(|(pid, c)| {
            let p = problem.programme(pid)?;
            let o = p.option(&c.option)?;
            Some((
                c.start,
                GanttBar {
                    label: p.name.clone(),
                    option: c.option.to_string(),
                    start: c.start,
                    finish: o.finish(c.start),
                    group: field_group(p.field),
                },
            ))
        })
        .collect();
    chosen.sort_by(|a, b| (a.0, &a.1.label).cmp(&(b.0, &b.1.label)));
    let bars: Vec<GanttBar> = chosen.into_iter().map(|(_, b)| b).collect();
    let gantt = gantt_svg(
        &format!("Programmes of {} by year", plan.name),
        problem.first_year,
        problem.years,
        &bars,
    );
    let mut chosen_rows: Vec<(String, String, String, String)> = bars
        .iter()
        .filter_map(|b| {
            let (pid, c) = plan
                .choices
                .choices
                .iter()
                .find(|(pid, _)| names.programme(pid.as_str()) == b.label)?;
            let o = problem.programme(pid)?.option(&c.option)?;
            Some((
                b.label.clone(),
                c.option.to_string(),
                format!("{}–{}", c.start, o.finish(c.start)),
                money(o.total_cost()),
            ))
        })
        .collect();
    chosen_rows.dedup();

    let spend = problem
        .sources
        .iter()
        .map(|s| {
            let of: Vec<_> = e.spend.iter().filter(|x| x.source == s.id).collect();
            let bars: Vec<SpendBar> = of
                .iter()
                .map(|x| SpendBar {
                    year: x.year,
                    spent: x.spent,
                    available: x.available,
                })
                .collect();
            SpendRow {
                name: s.name.clone(),
                cells: of
                    .iter()
                    .map(|x| {
                        (
                            money(x.spent),
                            money(x.available),
                            x.spent >= x.available - 1.0 && x.available > 0.0,
                        )
                    })
                    .collect(),
                total: money(of.iter().map(|x| x.spent).sum()),
                svg: spend_svg(
                    &format!("{}: spend against what is available", s.name),
                    &bars,
                    bars.iter()
                        .map(|b| b.available.max(b.spent))
                        .fold(0.0, f64::max),
                ),
            }
        })
        .collect();

    let (gaps, total) = goal_gaps(problem, &e, &names);
    let baseline = evaluate(problem, &Plan::new());
    let (_, base_total) = goal_gaps(problem, &baseline, &names);
    let bindings = binding(problem, &plan.choices, &e)
        .iter()
        .map(|b| names.binding(b))
        .collect();
    let marginal = plan
        .report
        .marginal_values
        .iter()
        .filter(|m| m.value.abs() > 1e-12)
        .map(|m| {
            (
                names
                    .sources
                    .get(m.source.as_str())
                    .cloned()
                    .unwrap_or_else(|| m.source.to_string()),
                m.year,
                format!("{:.3}", m.value * 1e6),
            )
        })
        .collect();
    let left_out = plan
        .report
        .left_out
        .iter()
        .map(|l| {
            (
                names.programme(l.programme.as_str()),
                l.programme.to_string(),
                names.words(&l.reason),
            )
        })
        .collect();

    let l = &plan.lifecycle;
    let mut facts = vec![
        ("Scenario", plan.scenario.name.clone()),
        (
            "Programmes chosen",
            format!(
                "{} of {}",
                plan.choices.choices.len(),
                problem.programmes.len()
            ),
        ),
        ("Total cost over the horizon", money(e.total_cost)),
        (
            "Weighted gap (the objective)",
            format!(
                "{:.1}, against {:.1} with no programme",
                e.objective, baseline.objective
            ),
        ),
        (
            "Search",
            format!(
                "{}; optimality gap reached {}%",
                plan.report.search_words(),
                points(plan.report.gap * 100.0)
            ),
        ),
        (
            "Solve time",
            format!(
                "{:.2} s in the solver, {:.2} s in all (limit {} s, gap tolerance {}%)",
                plan.report.solve_seconds,
                plan.report.total_seconds,
                points(plan.settings.time_limit_seconds),
                points(plan.settings.relative_gap * 100.0)
            ),
        ),
        (
            "Optimised",
            format!(
                "by {} on {}",
                plan.created_by,
                readable_time(&plan.created_at)
            ),
        ),
    ];
    if let Some(d) = l.submitted_on {
        facts.push(("Submitted to parliament", readable_date(d)));
    }
    if let (Some(d), Some(r)) = (l.approved_on, &l.approval_reference) {
        facts.push((
            "Approved by parliament",
            format!("{} ({r})", readable_date(d)),
        ));
    }
    if let Some(d) = l.superseded_on {
        facts.push(("Superseded", readable_date(d)));
    }
    let steps = plan_steps_from(l.status)
        .iter()
        .filter_map(|n| PLAN_STEPS.iter().find(|(s, _, _)| s == n))
        .filter(|(_, _, a)| visitor.may(*a))
        .map(|&(step, label, _)| StepView { step, label })
        .collect();
    let others = state
        .store
        .list_plans(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .filter(|o| o.id != plan.id)
        .map(|o| Choice {
            value: o.id.to_string(),
            label: format!("{} ({})", o.name, o.lifecycle.status.label().to_lowercase()),
            selected: false,
        })
        .collect();
    let path = format!("/w/{}/planning/plans/{}", ws.slug, plan.id);
    Ok(ShowPage {
        chrome: Chrome::new(state, visitor, &path).await,
        status: l.status.label(),
        status_css: l.status.as_str(),
        facts,
        assumptions: plan
            .scenario
            .assumptions
            .iter()
            .map(ToString::to_string)
            .collect(),
        gantt,
        chosen: chosen_rows,
        years,
        spend,
        gaps,
        gap_total: total.into_iter().map(points).collect(),
        gap_baseline: base_total.into_iter().map(points).collect(),
        bindings,
        marginal,
        left_out,
        steps,
        others,
        form,
        problems,
        plan,
        ws,
    })
}

/// `GET /w/{slug}/planning/plans/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<ShowPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let plan = existing(&state, &visitor, &ws, &id).await?;
    show_page(
        &state,
        &visitor,
        ws,
        plan,
        StepForm::default(),
        Problems::default(),
    )
    .await
}

/// `POST /w/{slug}/planning/plans/{id}/status`: one step of the life cycle.
pub(crate) async fn change_status(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    let ws = workspace(&state.store, &slug).await?;
    let plan = existing(&state, &visitor, &ws, &id).await?;
    let form = StepForm {
        approved_on: data.text("approved_on"),
        approval_reference: data.text("approval_reference"),
    };
    let mut p = Problems::default();
    let step = match data.get("step").unwrap_or_default() {
        "submit" => Some(PlanStep::Submit),
        "return_to_draft" => Some(PlanStep::ReturnToDraft),
        "approve" => match form.approved_on.parse::<NaiveDate>() {
            Ok(approved_on) => Some(PlanStep::Approve {
                approved_on,
                reference: form.approval_reference.clone(),
            }),
            Err(_) => {
                p.add(
                    "approved_on",
                    "Enter the day of parliament's decision as a real date, like 2026-06-30",
                );
                None
            }
        },
        _ => {
            return Err(WebError::BadRequest(
                "unknown step of the life cycle".into(),
            ));
        }
    };
    if let Some(step) = step {
        visitor.require(step.action())?;
        match state
            .store
            .change_plan_status(&visitor.actor(), &visitor.viewer, today(), plan.id, step)
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/w/{slug}/planning/plans/{}", plan.id)).into_response(),
                );
            }
            Err(StoreError::Invalid(m)) => p.add("status", sentence(&m)),
            Err(e) => p = store_problems(e)?,
        }
    }
    let page = show_page(&state, &visitor, ws, plan, form, p).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The two plans of a comparison, from the address.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CompareQuery {
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
}

/// One goal's residual gap per year in both plans, and the change: goal, first, second,
/// change.
type GapChange = (String, Vec<String>, Vec<String>, Vec<String>);

/// A programme that moved between the plans.
pub(crate) struct MovedView {
    name: String,
    from: String,
    to: String,
    change: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "planning/compare.html")]
pub(crate) struct ComparePage {
    chrome: Chrome,
    ws: Workspace,
    plans_a: Vec<Choice>,
    plans_b: Vec<Choice>,
    pair: Option<(StoredPlan, StoredPlan)>,
    entered: Vec<(String, String)>,
    left: Vec<(String, String)>,
    moved: Vec<MovedView>,
    kept: usize,
    years: Vec<i32>,
    gap_rows: Vec<GapChange>,
    summary: Vec<(&'static str, String, String, String)>,
}

/// `GET /w/{slug}/planning/compare?a=ID&b=ID`.
pub(crate) async fn compare(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(q): Query<CompareQuery>,
) -> Result<ComparePage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let plans = state
        .store
        .list_plans(&visitor.viewer, today(), ws.id)
        .await?;
    let choices = |selected: &str| -> Vec<Choice> {
        plans
            .iter()
            .map(|p| Choice {
                value: p.id.to_string(),
                label: format!("{} ({})", p.name, p.lifecycle.status.label().to_lowercase()),
                selected: p.id.to_string() == selected,
            })
            .collect()
    };
    let find = |id: &str| plans.iter().find(|p| p.id.to_string() == id).cloned();
    let mut page = ComparePage {
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/planning/compare")).await,
        plans_a: choices(&q.a),
        plans_b: choices(&q.b),
        pair: None,
        entered: Vec::new(),
        left: Vec::new(),
        moved: Vec::new(),
        kept: 0,
        years: Vec::new(),
        gap_rows: Vec::new(),
        summary: Vec::new(),
        ws: ws.clone(),
    };
    let (Some(a), Some(b)) = (find(&q.a), find(&q.b)) else {
        return Ok(page);
    };
    let names_a = names(&state, &visitor, &ws, &a.problem).await?;
    let names_b = names(&state, &visitor, &ws, &b.problem).await?;
    let name = |k: &str| {
        names_a
            .programmes
            .get(k)
            .or(names_b.programmes.get(k))
            .cloned()
            .unwrap_or_else(|| k.to_owned())
    };
    let diff = compare_plans(&a.choices, &b.choices);
    page.entered = diff
        .entered
        .iter()
        .map(|(p, c)| {
            (
                name(p.as_str()),
                format!("option {}, from {}", c.option, c.start),
            )
        })
        .collect();
    page.left = diff
        .left
        .iter()
        .map(|(p, c)| {
            (
                name(p.as_str()),
                format!("option {}, from {}", c.option, c.start),
            )
        })
        .collect();
    page.moved = diff
        .moved
        .iter()
        .map(|m| MovedView {
            name: name(m.programme.as_str()),
            from: format!("{} from {}", m.from.option, m.from.start),
            to: format!("{} from {}", m.to.option, m.to.start),
            change: sentence(&m.describe()),
        })
        .collect();
    page.kept = diff.kept.len();
    let ea = evaluate(&a.problem, &a.choices);
    let eb = evaluate(&b.problem, &b.choices);
    let (ga, ta) = goal_gaps(&a.problem, &ea, &names_a);
    let (gb, tb) = goal_gaps(&b.problem, &eb, &names_b);
    page.years = a.problem.horizon().collect();
    for (ra, rb) in ga.into_iter().zip(gb) {
        let change = ra
            .cells
            .iter()
            .zip(&rb.cells)
            .map(|(x, y)| {
                let d = y.parse::<f64>().unwrap_or(0.0) - x.parse::<f64>().unwrap_or(0.0);
                if d.abs() < 0.05 {
                    "0".to_owned()
                } else {
                    format!("{}{}", if d > 0.0 { "+" } else { "−" }, points(d.abs()))
                }
            })
            .collect();
        page.gap_rows.push((ra.goal, ra.cells, rb.cells, change));
    }
    let signed = |d: f64, f: &dyn Fn(f64) -> String| {
        if d.abs() < 1e-9 {
            "no change".to_owned()
        } else if d > 0.0 {
            format!("+{}", f(d))
        } else {
            format!("−{}", f(-d))
        }
    };
    let one = |v: f64| format!("{v:.1}");
    page.summary = vec![
        (
            "Weighted gap (the objective)",
            one(ea.objective),
            one(eb.objective),
            signed(eb.objective - ea.objective, &one),
        ),
        (
            "Gap points summed over the horizon",
            points(ta.iter().sum()),
            points(tb.iter().sum()),
            signed(tb.iter().sum::<f64>() - ta.iter().sum::<f64>(), &points),
        ),
        (
            "Total cost",
            money(ea.total_cost),
            money(eb.total_cost),
            signed(eb.total_cost - ea.total_cost, &money),
        ),
        (
            "Programmes chosen",
            a.choices.choices.len().to_string(),
            b.choices.choices.len().to_string(),
            signed(
                b.choices.choices.len() as f64 - a.choices.choices.len() as f64,
                &|v| format!("{v:.0}"),
            ),
        ),
    ];
    page.pair = Some((a, b));
    Ok(page)
}
