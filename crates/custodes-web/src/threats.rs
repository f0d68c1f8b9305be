//! The threat register: the list with its filters and live search, the likelihood ×
//! impact matrix, and each threat's page and form. Every read goes through the store's
//! viewer-aware queries, so the lists, the counts and the matrix show only what the
//! visitor may read, and a threat names only the responding actors the visitor may read.

use std::collections::BTreeSet;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use custodes_core::permission::Action;
use custodes_core::strategy::{
    Band, Origin, Risk, Scope, SourceKind, Target, ThreatFields, Trend, rating_label,
};
use custodes_core::{ActorId, ThreatId};
use custodes_store::threat::{Threat, ThreatInput, ThreatQuery};
use custodes_store::workspace::Workspace;
use serde::Deserialize;

use crate::actors::{
    Choice, ClassChoices, ClassForm, ClassView, class_choices, class_view, compartment_names,
    readable_time, store_problems, workspace,
};
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::{AppState, WebError, today};

/// Choices for a select of one of the threat's kinds, with `selected` chosen.
pub(crate) fn choices<T: Copy + PartialEq>(
    all: &[T],
    name: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    selected: Option<T>,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: name(*v).to_owned(),
            label: label(*v).to_owned(),
            selected: Some(*v) == selected,
        })
        .collect()
}

/// A risk as pages show it.
pub(crate) struct RiskView {
    pub rating: i64,
    pub band: &'static str,
    pub css: &'static str,
    pub words: String,
}

impl RiskView {
    pub(crate) fn of(r: Risk) -> RiskView {
        RiskView {
            rating: r.rating,
            band: r.band.label(),
            css: r.band.as_str(),
            words: r.describe(),
        }
    }
}

/// A row of the register.
pub(crate) struct ThreatRow {
    id: String,
    name: String,
    origin: &'static str,
    scope: &'static str,
    source: &'static str,
    trend: &'static str,
    risk: RiskView,
    class: ClassView,
    /// How many of the actors that must respond the visitor may read.
    responders: usize,
}

#[derive(Deserialize, Default)]
pub(crate) struct ListParams {
    q: Option<String>,
    origin: Option<String>,
    scope: Option<String>,
    source: Option<String>,
    trend: Option<String>,
    page: Option<i64>,
}

/// The filters of the register, read from the address; an unknown value is no filter.
fn parse_filter<T: std::str::FromStr>(v: &Option<String>) -> Option<T> {
    v.as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
}

#[derive(Template, WebTemplate)]
#[template(path = "threats/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    ws: Workspace,
    tab: &'static str,
    rows: Vec<ThreatRow>,
    total: i64,
    q: String,
    origins: Vec<Choice>,
    scopes: Vec<Choice>,
    sources: Vec<Choice>,
    trends: Vec<Choice>,
    page: i64,
    pages: i64,
    may_edit: bool,
    query_string: String,
}

const PER_PAGE: i64 = 25;

/// `GET /w/{slug}/threats`.
pub(crate) async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<ListPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let origin = parse_filter::<Origin>(&params.origin);
    let scope = parse_filter::<Scope>(&params.scope);
    let source = parse_filter::<SourceKind>(&params.source);
    let trend = parse_filter::<Trend>(&params.trend);
    let page = params.page.unwrap_or(1).max(1);
    let result = state
        .store
        .list_threats(
            &visitor.viewer,
            today(),
            ws.id,
            &ThreatQuery {
                search: params.q.clone(),
                origin,
                scope,
                source_kind: source,
                trend,
                limit: Some(PER_PAGE),
                offset: (page - 1) * PER_PAGE,
            },
        )
        .await?;
    let names = compartment_names(&state.store, &visitor.viewer).await?;
    let rows = result
        .items
        .iter()
        .map(|t| ThreatRow {
            id: t.id.to_string(),
            name: t.fields.name.clone(),
            origin: t.fields.origin.label(),
            scope: t.fields.scope.label(),
            source: t.fields.source_kind.label(),
            trend: t.fields.trend.label(),
            risk: RiskView::of(t.risk()),
            class: class_view(&t.classification, &names, today()),
            responders: t.responders.len(),
        })
        .collect();
    let q = params.q.unwrap_or_default();
    let query_string = serde_urlencoded::to_string([
        ("q", q.as_str()),
        ("origin", origin.map_or("", |v| v.as_str())),
        ("scope", scope.map_or("", |v| v.as_str())),
        ("source", source.map_or("", |v| v.as_str())),
        ("trend", trend.map_or("", |v| v.as_str())),
    ])
    .unwrap_or_default();
    Ok(ListPage {
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/threats")).await,
        tab: "threats",
        rows,
        total: result.total,
        origins: choices(Origin::ALL, Origin::as_str, Origin::label, origin),
        scopes: choices(Scope::ALL, Scope::as_str, Scope::label, scope),
        sources: choices(
            SourceKind::ALL,
            SourceKind::as_str,
            SourceKind::label,
            source,
        ),
        trends: choices(Trend::ALL, Trend::as_str, Trend::label, trend),
        q,
        page,
        pages: ((result.total + PER_PAGE - 1) / PER_PAGE).max(1),
        may_edit: visitor.may(Action::EditStrategy),
        query_string,
        ws,
    })
}

/// A cell of the matrix as the page shows it.
pub(crate) struct CellView {
    count: usize,
    css: &'static str,
    band: &'static str,
    rating: i64,
    threats: Vec<(String, String)>,
}

/// A row of the matrix: one likelihood.
pub(crate) struct MatrixRow {
    likelihood: i64,
    label: &'static str,
    cells: Vec<CellView>,
}

/// A band in the key.
pub(crate) struct BandKey {
    css: &'static str,
    label: &'static str,
    range: &'static str,
    count: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "threats/matrix.html")]
pub(crate) struct MatrixPage {
    chrome: Chrome,
    ws: Workspace,
    tab: &'static str,
    rows: Vec<MatrixRow>,
    impacts: Vec<(i64, &'static str)>,
    bands: Vec<BandKey>,
    total: usize,
}

/// `GET /w/{slug}/threats/matrix`.
pub(crate) async fn matrix(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<MatrixPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let cells = state
        .store
        .threat_matrix(&visitor.viewer, today(), ws.id)
        .await?;
    let mut rows: Vec<MatrixRow> = Vec::new();
    let mut bands: Vec<BandKey> = Band::ALL
        .iter()
        .rev()
        .map(|b| BandKey {
            css: b.as_str(),
            label: b.label(),
            range: b.range(),
            count: 0,
        })
        .collect();
    let mut total = 0;
    for cell in cells {
        let risk = Risk::new(cell.likelihood, cell.impact);
        total += cell.threats.len();
        if let Some(k) = bands.iter_mut().find(|k| k.css == risk.band.as_str()) {
            k.count += cell.threats.len();
        }
        let view = CellView {
            count: cell.threats.len(),
            css: risk.band.as_str(),
            band: risk.band.label(),
            rating: risk.rating,
            threats: cell
                .threats
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect(),
        };
        match rows.last_mut() {
            Some(row) if row.likelihood == cell.likelihood => row.cells.push(view),
            _ => rows.push(MatrixRow {
                likelihood: cell.likelihood,
                label: rating_label(cell.likelihood),
                cells: vec![view],
            }),
        }
    }
    Ok(MatrixPage {
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/threats/matrix")).await,
        tab: "matrix",
        rows,
        impacts: (1..=5).map(|i| (i, rating_label(i))).collect(),
        bands,
        total,
        ws,
    })
}

fn parse_id(id: &str) -> Result<ThreatId, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

/// A threat the visitor may read in this workspace, or 404.
async fn readable(
    state: &AppState,
    visitor: &Visitor,
    ws: &Workspace,
    id: &str,
) -> Result<Threat, WebError> {
    state
        .store
        .get_threat(&visitor.viewer, today(), parse_id(id)?)
        .await?
        .filter(|t| t.workspace == ws.id)
        .ok_or(WebError::NotFound)
}

#[derive(Template, WebTemplate)]
#[template(path = "threats/show.html")]
pub(crate) struct ShowPage {
    chrome: Chrome,
    ws: Workspace,
    threat: Threat,
    origin: &'static str,
    scope: &'static str,
    source: &'static str,
    trend: &'static str,
    targets: Vec<&'static str>,
    risk: RiskView,
    review: String,
    class: ClassView,
    goals: Vec<(String, String)>,
    updated: String,
    may_edit: bool,
}

/// A date as people read it: "30 June 2027".
pub(crate) fn readable_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// `GET /w/{slug}/threats/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<ShowPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let threat = readable(&state, &visitor, &ws, &id).await?;
    let names = compartment_names(&state.store, &visitor.viewer).await?;
    let goals = state
        .store
        .goals_answering(&visitor.viewer, today(), ws.id, threat.id)
        .await?
        .into_iter()
        .map(|g| (g.id.to_string(), g.title))
        .collect();
    let f = &threat.fields;
    Ok(ShowPage {
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/threats/{id}")).await,
        origin: f.origin.label(),
        scope: f.scope.label(),
        source: f.source_kind.label(),
        trend: f.trend.label(),
        targets: f.targets.iter().map(|t| t.label()).collect(),
        risk: RiskView::of(threat.risk()),
        review: match f.review_on {
            Some(d) if d <= today() => format!("{} (overdue)", readable_date(d)),
            Some(d) => readable_date(d),
            None => "Not set".into(),
        },
        class: class_view(&threat.classification, &names, today()),
        goals,
        updated: readable_time(&threat.updated_at),
        may_edit: visitor.may(Action::EditStrategy),
        threat,
        ws,
    })
}

/// The threat form's values, as typed.
#[derive(Clone, Debug, Default)]
pub(crate) struct ThreatForm {
    name: String,
    description: String,
    origin: String,
    scope: String,
    targets: BTreeSet<String>,
    source_kind: String,
    likelihood: String,
    impact: String,
    trend: String,
    review_on: String,
    responders: BTreeSet<String>,
    class: ClassForm,
}

impl ThreatForm {
    fn from_threat(t: &Threat) -> ThreatForm {
        let f = &t.fields;
        ThreatForm {
            name: f.name.clone(),
            description: f.description.clone(),
            origin: f.origin.as_str().to_owned(),
            scope: f.scope.as_str().to_owned(),
            targets: f.targets.iter().map(|t| t.as_str().to_owned()).collect(),
            source_kind: f.source_kind.as_str().to_owned(),
            likelihood: f.likelihood.to_string(),
            impact: f.impact.to_string(),
            trend: f.trend.as_str().to_owned(),
            review_on: f.review_on.map(|d| d.to_string()).unwrap_or_default(),
            responders: t.responders.iter().map(|(a, _)| a.to_string()).collect(),
            class: ClassForm::from_classification(&t.classification),
        }
    }

    fn from_form(f: &FormData) -> ThreatForm {
        ThreatForm {
            name: f.text("name"),
            description: f.text("description"),
            origin: f.text("origin"),
            scope: f.text("scope"),
            targets: f.all("targets").into_iter().map(str::to_owned).collect(),
            source_kind: f.text("source_kind"),
            likelihood: f.text("likelihood"),
            impact: f.text("impact"),
            trend: f.text("trend"),
            review_on: f.text("review_on"),
            responders: f.all("responders").into_iter().map(str::to_owned).collect(),
            class: ClassForm::from_form(f),
        }
    }

    /// Parses the form into the store's input, or every problem found.
    fn parse(&self) -> Result<ThreatInput, Problems> {
        let mut p = Problems::default();
        fn pick<T: std::str::FromStr>(
            p: &mut Problems,
            value: &str,
            field: &str,
            message: &str,
        ) -> Option<T> {
            let v = value.parse().ok();
            if v.is_none() {
                p.add(field, message);
            }
            v
        }
        let origin = pick::<Origin>(
            &mut p,
            &self.origin,
            "origin",
            "Choose where the threat comes from",
        );
        let scope = pick::<Scope>(
            &mut p,
            &self.scope,
            "scope",
            "Choose how far the threat reaches",
        );
        let mut targets = BTreeSet::new();
        for t in &self.targets {
            match t.parse::<Target>() {
                Ok(t) => {
                    targets.insert(t);
                }
                Err(_) => p.add("targets", "Choose targets from the list"),
            }
        }
        let source_kind = pick::<SourceKind>(
            &mut p,
            &self.source_kind,
            "source_kind",
            "Choose the kind of source behind the threat",
        );
        let likelihood = pick::<i64>(
            &mut p,
            &self.likelihood,
            "likelihood",
            "Choose a likelihood from 1 to 5",
        );
        let impact = pick::<i64>(
            &mut p,
            &self.impact,
            "impact",
            "Choose an impact from 1 to 5",
        );
        let trend = pick::<Trend>(
            &mut p,
            &self.trend,
            "trend",
            "Choose whether the threat is rising, stable or falling",
        );
        let review_on = match self.review_on.as_str() {
            "" => None,
            s => match s.parse::<NaiveDate>() {
                Ok(d) => Some(d),
                Err(_) => {
                    p.add(
                        "review_on",
                        "Enter the review date as a real date, like 2027-06-30",
                    );
                    None
                }
            },
        };
        let mut responders = Vec::new();
        for a in &self.responders {
            match a.parse::<ActorId>() {
                Ok(a) => responders.push(a),
                Err(_) => {
                    p.add("responders", "Choose the responding actors from the list");
                    break;
                }
            }
        }
        let classification = self.class.parse(&mut p);
        let fields = match (origin, scope, source_kind, likelihood, impact, trend) {
            (
                Some(origin),
                Some(scope),
                Some(source_kind),
                Some(likelihood),
                Some(impact),
                Some(trend),
            ) => Some(ThreatFields {
                name: self.name.clone(),
                description: self.description.clone(),
                origin,
                scope,
                targets,
                source_kind,
                likelihood,
                impact,
                trend,
                review_on,
            }),
            _ => None,
        };
        if let Some(f) = &fields {
            for e in f.check() {
                if p.on(e.field).is_empty() {
                    p.add(e.field, sentence(&e.message));
                }
            }
        } else if self.name.is_empty() {
            p.add("name", "Enter the threat's name");
        }
        match (fields, classification) {
            (Some(fields), Some(classification)) if p.is_empty() => Ok(ThreatInput {
                fields,
                classification,
                responders,
            }),
            _ => Err(p),
        }
    }
}

/// An actor to tick as one that must respond.
pub(crate) struct ResponderChoice {
    id: String,
    label: String,
    checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "threats/form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    ws: Workspace,
    title: String,
    action: String,
    cancel: String,
    form: ThreatForm,
    problems: Problems,
    origins: Vec<Choice>,
    scopes: Vec<Choice>,
    targets: Vec<Choice>,
    sources: Vec<Choice>,
    trends: Vec<Choice>,
    ratings: Vec<(i64, &'static str)>,
    responders: Vec<ResponderChoice>,
    classes: ClassChoices,
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    editing: Option<ThreatId>,
    form: ThreatForm,
    problems: Problems,
) -> Result<FormPage, WebError> {
    let classes = class_choices(state, visitor, &form.class).await?;
    let responders = state
        .store
        .all_actors(&visitor.viewer, today(), ws.id)
        .await?
        .into_iter()
        .map(|a| ResponderChoice {
            checked: form.responders.contains(&a.id.to_string()),
            id: a.id.to_string(),
            label: a.fields.name,
        })
        .collect();
    let (title, action, cancel) = match editing {
        Some(id) => (
            format!("Edit {}", form.name),
            format!("/w/{}/threats/{id}/edit", ws.slug),
            format!("/w/{}/threats/{id}", ws.slug),
        ),
        None => (
            "Add a threat".to_owned(),
            format!("/w/{}/threats/new", ws.slug),
            format!("/w/{}/threats", ws.slug),
        ),
    };
    Ok(FormPage {
        chrome: Chrome::new(state, visitor, &action).await,
        origins: choices(
            Origin::ALL,
            Origin::as_str,
            Origin::label,
            form.origin.parse().ok(),
        ),
        scopes: choices(
            Scope::ALL,
            Scope::as_str,
            Scope::label,
            form.scope.parse().ok(),
        ),
        targets: Target::ALL
            .iter()
            .map(|t| Choice {
                value: t.as_str().to_owned(),
                label: t.label().to_owned(),
                selected: form.targets.contains(t.as_str()),
            })
            .collect(),
        sources: choices(
            SourceKind::ALL,
            SourceKind::as_str,
            SourceKind::label,
            form.source_kind.parse().ok(),
        ),
        trends: choices(
            Trend::ALL,
            Trend::as_str,
            Trend::label,
            form.trend.parse().ok(),
        ),
        ratings: (1..=5).map(|i| (i, rating_label(i))).collect(),
        responders,
        classes,
        title,
        action,
        cancel,
        form,
        problems,
        ws,
    })
}

/// `GET /w/{slug}/threats/new`.
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
        ThreatForm::default(),
        Problems::default(),
    )
    .await
}

/// `GET /w/{slug}/threats/{id}/edit`.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<FormPage, WebError> {
    visitor.require(Action::EditStrategy)?;
    let ws = workspace(&state.store, &slug).await?;
    let threat = readable(&state, &visitor, &ws, &id).await?;
    form_page(
        &state,
        &visitor,
        ws,
        Some(threat.id),
        ThreatForm::from_threat(&threat),
        Problems::default(),
    )
    .await
}

async fn save(
    state: AppState,
    visitor: Visitor,
    headers: HeaderMap,
    slug: String,
    editing: Option<ThreatId>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditStrategy)?;
    let ws = workspace(&state.store, &slug).await?;
    let form = ThreatForm::from_form(&data);
    let problems = match form.parse() {
        Ok(input) => {
            let result = match editing {
                Some(id) => {
                    state
                        .store
                        .update_threat(&visitor.actor(), &visitor.viewer, today(), id, input)
                        .await
                }
                None => {
                    state
                        .store
                        .create_threat(&visitor.actor(), &visitor.viewer, today(), ws.id, input)
                        .await
                }
            };
            match result {
                Ok(saved) => {
                    return Ok(
                        Redirect::to(&format!("/w/{slug}/threats/{}", saved.id)).into_response()
                    );
                }
                Err(e) => store_problems(e)?,
            }
        }
        Err(problems) => problems,
    };
    let page = form_page(&state, &visitor, ws, editing, form, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /w/{slug}/threats/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    save(state, visitor, headers, slug, None, data).await
}

/// `POST /w/{slug}/threats/{id}/edit`.
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
