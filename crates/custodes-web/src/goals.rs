//! Goals of the strategy: the list by weight, each goal with the threats it answers and the
//! deficits it closes, its weight with the rule in words and any override with its
//! reason, and the form. A goal shows only the threats the visitor may read.

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use custodes_core::framework::DeficitSource;
use custodes_core::permission::Action;
use custodes_core::strategy::{
    Deficit, GoalFields, Risk, Weight, WeightOverride, describe_rule, explain_weight,
};
use custodes_core::{GoalId, ThreatId};
use custodes_store::goal::{Goal, GoalInput};
use custodes_store::workspace::Workspace;

use crate::actors::{Choice, readable_time, store_problems, workspace};
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::strategies::{StrategyBadge, badges};
use crate::threats::RiskView;
use crate::{AppState, WebError, today};

/// The title of a framework's indicator named `FRAMEWORK/INDICATOR`, when a built-in
/// framework has it.
pub(crate) fn indicator_title(key: &str) -> Option<String> {
    let (framework, node) = key.split_once('/')?;
    crate::frameworks::built_in()
        .into_iter()
        .find(|f| f.framework().id.as_str() == framework)?
        .node(node)
        .filter(|n| n.as_indicator().is_some())
        .map(|n| n.title.clone())
}

/// A deficit as pages show it: what it is, and a link for an indicator.
pub(crate) struct DeficitView {
    label: String,
    href: Option<String>,
}

fn deficit_view(d: &Deficit) -> DeficitView {
    match d {
        Deficit::Source(s) => DeficitView {
            label: format!("Source of deficit: {}", s.label()),
            href: None,
        },
        Deficit::Indicator(key) => DeficitView {
            label: match indicator_title(key) {
                Some(title) => format!("Indicator {key}: {title}"),
                None => format!("Indicator {key}"),
            },
            href: key.split_once('/').map(|(f, _)| format!("/frameworks/{f}")),
        },
    }
}

/// A row of the goal list.
pub(crate) struct GoalRow {
    id: String,
    title: String,
    weight: String,
    overridden: bool,
    threats: usize,
    deficits: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "goals/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    ws: Workspace,
    tab: &'static str,
    rows: Vec<GoalRow>,
    rule: &'static str,
    strategies: Vec<StrategyBadge>,
    may_edit: bool,
}

/// `GET /w/{slug}/goals`.
pub(crate) async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<ListPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let goals = state
        .store
        .list_goals(&visitor.viewer, today(), ws.id)
        .await?;
    let rows = goals
        .iter()
        .map(|g| GoalRow {
            id: g.id.to_string(),
            title: g.title.clone(),
            weight: g.weight.effective().to_string(),
            overridden: g.weight.overridden.is_some(),
            threats: g.threats.len(),
            deficits: g.deficits.len(),
        })
        .collect();
    Ok(ListPage {
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/goals")).await,
        tab: "goals",
        rows,
        rule: describe_rule(),
        strategies: badges(&state, &visitor, &ws).await?,
        may_edit: visitor.may(Action::EditStrategy),
        ws,
    })
}

/// A threat a goal answers, as its page shows it.
pub(crate) struct GoalThreatView {
    id: String,
    name: String,
    risk: RiskView,
}

#[derive(Template, WebTemplate)]
#[template(path = "goals/show.html")]
pub(crate) struct ShowPage {
    chrome: Chrome,
    ws: Workspace,
    goal: Goal,
    threats: Vec<GoalThreatView>,
    deficits: Vec<DeficitView>,
    computed: String,
    effective: String,
    explanation: String,
    rule: &'static str,
    override_reason: Option<String>,
    strategies: Vec<StrategyBadge>,
    updated: String,
    may_edit: bool,
}

fn parse_id(id: &str) -> Result<GoalId, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

async fn existing(
    state: &AppState,
    visitor: &Visitor,
    ws: &Workspace,
    id: &str,
) -> Result<Goal, WebError> {
    state
        .store
        .get_goal(&visitor.viewer, today(), parse_id(id)?)
        .await?
        .filter(|g| g.workspace == ws.id)
        .ok_or(WebError::NotFound)
}

/// `GET /w/{slug}/goals/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<ShowPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let goal = existing(&state, &visitor, &ws, &id).await?;
    let risks: Vec<Risk> = goal.threats.iter().map(|t| t.risk).collect();
    Ok(ShowPage {
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/goals/{id}")).await,
        threats: goal
            .threats
            .iter()
            .map(|t| GoalThreatView {
                id: t.id.to_string(),
                name: t.name.clone(),
                risk: RiskView::of(t.risk),
            })
            .collect(),
        deficits: goal.deficits.iter().map(deficit_view).collect(),
        computed: goal.weight.computed.to_string(),
        effective: goal.weight.effective().to_string(),
        explanation: explain_weight(&risks),
        rule: describe_rule(),
        override_reason: goal.weight.overridden.as_ref().map(|o| o.reason.clone()),
        strategies: badges(&state, &visitor, &ws).await?,
        updated: readable_time(&goal.updated_at),
        may_edit: visitor.may(Action::EditStrategy),
        goal,
        ws,
    })
}

/// The goal form's values, as typed.
#[derive(Clone, Debug, Default)]
pub(crate) struct GoalForm {
    title: String,
    description: String,
    threats: BTreeSet<String>,
    sources: BTreeSet<String>,
    indicators: String,
    weight_override: String,
    override_reason: String,
}

impl GoalForm {
    fn from_goal(g: &Goal) -> GoalForm {
        let (mut sources, mut indicators) = (BTreeSet::new(), Vec::new());
        for d in &g.deficits {
            match d {
                Deficit::Source(s) => {
                    sources.insert(s.as_str().to_owned());
                }
                Deficit::Indicator(i) => indicators.push(i.clone()),
            }
        }
        GoalForm {
            title: g.title.clone(),
            description: g.description.clone(),
            threats: g.threats.iter().map(|t| t.id.to_string()).collect(),
            sources,
            indicators: indicators.join("\n"),
            weight_override: g
                .weight
                .overridden
                .as_ref()
                .map(|o| o.weight.to_string())
                .unwrap_or_default(),
            override_reason: g
                .weight
                .overridden
                .as_ref()
                .map(|o| o.reason.clone())
                .unwrap_or_default(),
        }
    }

    fn from_form(f: &FormData) -> GoalForm {
        GoalForm {
            title: f.text("title"),
            description: f.text("description"),
            threats: f.all("threats").into_iter().map(str::to_owned).collect(),
            sources: f.all("sources").into_iter().map(str::to_owned).collect(),
            indicators: f.text("indicators"),
            weight_override: f.text("weight_override"),
            override_reason: f.text("override_reason"),
        }
    }

    /// Parses the form into the store's input, or every problem found.
    fn parse(&self) -> Result<GoalInput, Problems> {
        let mut p = Problems::default();
        if self.title.is_empty() {
            p.add("title", "Enter the goal's title");
        }
        let mut threats = BTreeSet::new();
        for t in &self.threats {
            match t.parse::<ThreatId>() {
                Ok(id) => {
                    threats.insert(id);
                }
                Err(_) => p.add("threats", "Choose threats from the list"),
            }
        }
        let mut deficits = BTreeSet::new();
        for s in &self.sources {
            match s.parse::<DeficitSource>() {
                Ok(s) => {
                    deficits.insert(Deficit::Source(s));
                }
                Err(_) => p.add("sources", "Choose sources of deficit from the list"),
            }
        }
        for line in self
            .indicators
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            match line.parse::<Deficit>() {
                Ok(d @ Deficit::Indicator(_)) if indicator_title(&d.key()).is_some() => {
                    deficits.insert(d);
                }
                _ => {
                    p.add(
                        "indicators",
                        format!("“{line}” is not an indicator of a framework: write FRAMEWORK/INDICATOR, like ideal-security-sector/c3.3"),
                    );
                    break;
                }
            }
        }
        let weight_override = match (
            self.weight_override.as_str(),
            Weight::parse(&self.weight_override),
        ) {
            ("", _) => {
                if !self.override_reason.is_empty() {
                    p.add(
                        "weight_override",
                        "Enter the weight that overrides the computed one, or clear the reason",
                    );
                }
                None
            }
            (_, Some(weight)) => Some(WeightOverride {
                weight,
                reason: self.override_reason.clone(),
            }),
            (_, None) => {
                p.add(
                    "weight_override",
                    "The weight must be a number from 0 to 1, like 0.75",
                );
                None
            }
        };
        let fields = GoalFields {
            title: self.title.clone(),
            description: self.description.clone(),
            weight_override,
        };
        for e in fields.check() {
            if p.on(e.field).is_empty() {
                p.add(e.field, sentence(&e.message));
            }
        }
        if p.is_empty() {
            Ok(GoalInput {
                fields,
                threats,
                deficits,
            })
        } else {
            Err(p)
        }
    }
}

/// A threat to tick on the goal form.
pub(crate) struct ThreatChoice {
    id: String,
    label: String,
    checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "goals/form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    ws: Workspace,
    title: String,
    action: String,
    cancel: String,
    form: GoalForm,
    problems: Problems,
    threats: Vec<ThreatChoice>,
    sources: Vec<Choice>,
    rule: &'static str,
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    editing: Option<GoalId>,
    form: GoalForm,
    problems: Problems,
) -> Result<FormPage, WebError> {
    let threats = state
        .store
        .all_threats(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .map(|t| ThreatChoice {
            checked: form.threats.contains(&t.id.to_string()),
            id: t.id.to_string(),
            label: format!("{} ({})", t.fields.name, t.risk().describe()),
        })
        .collect();
    let sources = DeficitSource::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: s.label().to_owned(),
            selected: form.sources.contains(s.as_str()),
        })
        .collect();
    let (title, action, cancel) = match editing {
        Some(id) => (
            format!("Edit {}", form.title),
            format!("/w/{}/goals/{id}/edit", ws.slug),
            format!("/w/{}/goals/{id}", ws.slug),
        ),
        None => (
            "Add a goal".to_owned(),
            format!("/w/{}/goals/new", ws.slug),
            format!("/w/{}/goals", ws.slug),
        ),
    };
    Ok(FormPage {
        chrome: Chrome::new(state, visitor, &action).await,
        threats,
        sources,
        rule: describe_rule(),
        title,
        action,
        cancel,
        form,
        problems,
        ws,
    })
}

/// `GET /w/{slug}/goals/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<FormPage, WebError> {
    visitor.require(Action::EditStrategy)?;
    let ws = workspace(&state.store, &slug).await?;
    form_page(
        &state,
        &visitor,
        ws,
        None,
        GoalForm::default(),
        Problems::default(),
    )
    .await
}

/// `GET /w/{slug}/goals/{id}/edit`.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<FormPage, WebError> {
    visitor.require(Action::EditStrategy)?;
    let ws = workspace(&state.store, &slug).await?;
    let goal = existing(&state, &visitor, &ws, &id).await?;
    form_page(
        &state,
        &visitor,
        ws,
        Some(goal.id),
        GoalForm::from_goal(&goal),
        Problems::default(),
    )
    .await
}

async fn save(
    state: AppState,
    visitor: Visitor,
    headers: HeaderMap,
    slug: String,
    editing: Option<GoalId>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditStrategy)?;
    let ws = workspace(&state.store, &slug).await?;
    let form = GoalForm::from_form(&data);
    let problems = match form.parse() {
        Ok(input) => {
            let (actor, viewer) = (visitor.actor(), &visitor.viewer);
            let result = match editing {
                Some(id) => state
                    .store
                    .update_goal(&actor, viewer, today(), id, input)
                    .await
                    .map(|()| id),
                None => {
                    state
                        .store
                        .create_goal(&actor, viewer, today(), ws.id, input)
                        .await
                }
            };
            match result {
                Ok(id) => {
                    return Ok(Redirect::to(&format!("/w/{slug}/goals/{id}")).into_response());
                }
                Err(e) => store_problems(e)?,
            }
        }
        Err(problems) => problems,
    };
    let page = form_page(&state, &visitor, ws, editing, form, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /w/{slug}/goals/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    save(state, visitor, headers, slug, None, data).await
}

/// `POST /w/{slug}/goals/{id}/edit`.
pub(crate) async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    save(state, visitor, headers, slug, Some(id), data).await
}
