//! Strategy documents: the list, each strategy with its life-cycle steps and its
//! consultation comments, and the form; the review-due flag wherever a strategy appears
//! (here, on the goals' pages and on the home page); and the routes of the whole
//! threat-first strategy module.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use custodes_core::StrategyId;
use custodes_core::permission::Action;
use custodes_core::strategy::{
    Band, Status, StepFields, StrategyFields, Transition, step, steps_from,
};
use custodes_store::StoreError;
use custodes_store::strategy::{Comment, Strategy};
use custodes_store::threat::ThreatQuery;
use custodes_store::workspace::Workspace;

use crate::actors::{readable_time, store_problems, workspace};
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::threats::readable_date;
use crate::{AppState, WebError, today};

/// The pages and API routes of threat-first strategy.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/threats", get(crate::threats::list))
        .route("/w/{slug}/threats/matrix", get(crate::threats::matrix))
        .route(
            "/w/{slug}/threats/new",
            get(crate::threats::new_form).post(crate::threats::create),
        )
        .route("/w/{slug}/threats/{id}", get(crate::threats::show))
        .route(
            "/w/{slug}/threats/{id}/edit",
            get(crate::threats::edit_form).post(crate::threats::update),
        )
        .route("/w/{slug}/goals", get(crate::goals::list))
        .route(
            "/w/{slug}/goals/new",
            get(crate::goals::new_form).post(crate::goals::create),
        )
        .route("/w/{slug}/goals/{id}", get(crate::goals::show))
        .route(
            "/w/{slug}/goals/{id}/edit",
            get(crate::goals::edit_form).post(crate::goals::update),
        )
        .route("/w/{slug}/strategies", get(list))
        .route("/w/{slug}/strategies/new", get(new_form).post(create))
        .route("/w/{slug}/strategies/{id}", get(show))
        .route(
            "/w/{slug}/strategies/{id}/edit",
            get(edit_form).post(update),
        )
        .route("/w/{slug}/strategies/{id}/status", post(change_status))
        .route("/w/{slug}/strategies/{id}/comments", post(comment))
        .merge(crate::api_strategy::routes())
}

/// The main navigation's link to the strategy pages of workspace `slug`, current on any
/// of them.
pub(crate) fn nav_item(slug: &str, path: &str) -> crate::chrome::NavItem {
    let base = format!("/w/{slug}/");
    let current = ["threats", "goals", "strategies"]
        .iter()
        .any(|p| path.starts_with(&format!("{base}{p}")));
    crate::chrome::NavItem {
        label: "Strategy",
        href: format!("{base}threats"),
        current,
    }
}

/// A strategy as lists show it, with its review flag.
pub(crate) struct StrategyBadge {
    pub id: String,
    pub title: String,
    pub status: &'static str,
    pub status_css: &'static str,
    pub review_due: bool,
    pub due_text: String,
}

impl StrategyBadge {
    pub(crate) fn of(s: &Strategy, today: NaiveDate) -> StrategyBadge {
        StrategyBadge {
            id: s.id.to_string(),
            title: s.title.clone(),
            status: s.lifecycle.status.label(),
            status_css: s.lifecycle.status.as_str(),
            review_due: s.review_due(today),
            due_text: due_text(s),
        }
    }
}

/// When an approved strategy falls (or fell) due for review, in words.
fn due_text(s: &Strategy) -> String {
    match (s.review_due_on(), s.review_due(today())) {
        (Some(d), true) => format!(
            "since {}: it is older than its review period of {} years",
            readable_date(d),
            s.review_years
        ),
        (Some(d), false) => format!("review due on {}", readable_date(d)),
        (None, _) => String::new(),
    }
}

/// The strategies of a workspace the visitor may read, as badges. Those in force or in
/// preparation come first; drafts come after them.
pub(crate) async fn badges(
    state: &AppState,
    visitor: &Visitor,
    ws: &Workspace,
) -> Result<Vec<StrategyBadge>, WebError> {
    let mut all = state.store.list_strategies(&visitor.viewer, ws.id).await?;
    all.sort_by_key(|s| std::cmp::Reverse(s.lifecycle.status));
    Ok(all.iter().map(|s| StrategyBadge::of(s, today())).collect())
}

/// What the home page says about the strategy.
pub(crate) struct HomeSummary {
    pub slug: String,
    pub strategies: Vec<StrategyBadge>,
    /// For those who keep the strategy: threats by band (gravest first) and the goals.
    pub bands: Vec<(&'static str, &'static str, i64)>,
    pub goals: usize,
    pub planner: bool,
}

/// The home page's strategy summary for the visitor in workspace `ws`.
pub(crate) async fn home_summary(
    state: &AppState,
    visitor: &Visitor,
    ws: &Workspace,
) -> Result<HomeSummary, WebError> {
    let planner = visitor.may(Action::EditStrategy);
    let mut bands = Vec::new();
    let mut goals = 0;
    if planner {
        let threats = state
            .store
            .list_threats(
                &visitor.viewer,
                today(),
                ws.id,
                &ThreatQuery {
                    limit: Some(500),
                    ..ThreatQuery::default()
                },
            )
            .await?;
        for b in Band::ALL.iter().rev() {
            let n = threats.items.iter().filter(|t| t.risk().band == *b).count() as i64;
            bands.push((b.label(), b.as_str(), n));
        }
        goals = state
            .store
            .list_goals(&visitor.viewer, today(), ws.id)
            .await?
            .len();
    }
    Ok(HomeSummary {
        slug: ws.slug.to_string(),
        strategies: badges(state, visitor, ws).await?,
        bands,
        goals,
        planner,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "strategies/list.html")]
pub(crate) struct ListPage {
    chrome: Chrome,
    ws: Workspace,
    tab: &'static str,
    rows: Vec<StrategyBadge>,
    may_edit: bool,
}

/// `GET /w/{slug}/strategies`.
pub(crate) async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<ListPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let rows = state
        .store
        .list_strategies(&visitor.viewer, ws.id)
        .await?
        .iter()
        .map(|s| StrategyBadge::of(s, today()))
        .collect();
    Ok(ListPage {
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/strategies")).await,
        tab: "strategies",
        rows,
        may_edit: visitor.may(Action::EditStrategy),
        ws,
    })
}

/// A step of the life cycle the visitor may take now.
pub(crate) struct StepView {
    step: &'static str,
    label: &'static str,
}

/// A comment as the page shows it.
pub(crate) struct CommentView {
    author: String,
    at: String,
    paragraphs: Vec<String>,
}

fn comment_view(c: Comment) -> CommentView {
    CommentView {
        author: c.author,
        at: readable_time(&c.at),
        paragraphs: paragraphs(&c.body),
    }
}

/// Text split into its paragraphs (at blank lines).
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The values typed into the life-cycle and comment forms, kept when they are refused.
#[derive(Clone, Debug, Default)]
pub(crate) struct StepForm {
    opens_on: String,
    closes_on: String,
    approved_on: String,
    vote_reference: String,
    comment: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "strategies/show.html")]
pub(crate) struct ShowPage {
    chrome: Chrome,
    ws: Workspace,
    strategy: Strategy,
    badge: StrategyBadge,
    summary: Vec<String>,
    body: Vec<String>,
    dates: Vec<(&'static str, String)>,
    comments: Vec<CommentView>,
    steps: Vec<StepView>,
    open_for_comments: bool,
    may_comment: bool,
    may_edit: bool,
    form: StepForm,
    problems: Problems,
}

fn parse_id(id: &str) -> Result<StrategyId, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

async fn existing(
    state: &AppState,
    visitor: &Visitor,
    ws: &Workspace,
    id: &str,
) -> Result<Strategy, WebError> {
    state
        .store
        .get_strategy(&visitor.viewer, parse_id(id)?)
        .await?
        .filter(|s| s.workspace == ws.id)
        .ok_or(WebError::NotFound)
}

async fn show_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    strategy: Strategy,
    form: StepForm,
    problems: Problems,
) -> Result<ShowPage, WebError> {
    let today = today();
    let l = &strategy.lifecycle;
    let mut dates = Vec::new();
    if let (Some(o), Some(c)) = (l.consultation_opens_on, l.consultation_closes_on) {
        dates.push((
            "Public consultation",
            format!("{} to {}", readable_date(o), readable_date(c)),
        ));
    }
    if let Some(a) = l.approved_on {
        dates.push(("Approved by parliament", readable_date(a)));
    }
    if let Some(v) = &l.vote_reference {
        dates.push(("Vote reference", v.clone()));
    }
    dates.push((
        "Review period",
        format!(
            "{} {} after approval",
            strategy.review_years,
            if strategy.review_years == 1 {
                "year"
            } else {
                "years"
            }
        ),
    ));
    let steps = steps_from(l.status)
        .iter()
        .filter_map(|name| step(name))
        .filter(|(_, _, action)| visitor.may(*action))
        .map(|(step, label, _)| StepView { step, label })
        .collect();
    let comments = state
        .store
        .strategy_comments(&visitor.viewer, strategy.id)
        .await?
        .into_iter()
        .map(comment_view)
        .collect();
    let path = format!("/w/{}/strategies/{}", ws.slug, strategy.id);
    Ok(ShowPage {
        chrome: Chrome::new(state, visitor, &path).await,
        badge: StrategyBadge::of(&strategy, today),
        summary: paragraphs(&strategy.summary),
        body: paragraphs(&strategy.body),
        dates,
        comments,
        steps,
        open_for_comments: l.accepts_comments(today),
        may_comment: visitor.may(Action::CommentOnStrategy),
        may_edit: visitor.may(Action::EditStrategy) && l.status.is_editable(),
        form,
        problems,
        strategy,
        ws,
    })
}

/// `GET /w/{slug}/strategies/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<ShowPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let strategy = existing(&state, &visitor, &ws, &id).await?;
    show_page(
        &state,
        &visitor,
        ws,
        strategy,
        StepForm::default(),
        Problems::default(),
    )
    .await
}

/// The store's refusal of a step or a comment as problems on the page: fields by name,
/// an illegal step on the form's first field.
fn refusal(e: StoreError, field: &str) -> Result<Problems, WebError> {
    match e {
        StoreError::Invalid(message) => {
            let mut p = Problems::default();
            p.add(field, sentence(&message));
            Ok(p)
        }
        other => store_problems(other),
    }
}

/// Reads a date field of a step: `None` when it is empty, and a problem when it is not a
/// date.
fn date_field(p: &mut Problems, value: &str, field: &str, what: &str) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        return None;
    }
    let d = value.trim().parse::<NaiveDate>().ok();
    if d.is_none() {
        p.add(
            field,
            format!("Enter {what} as a real date, like 2027-03-31"),
        );
    }
    d
}

/// `POST /w/{slug}/strategies/{id}/status`: one step of the life cycle.
pub(crate) async fn change_status(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    let ws = workspace(&state.store, &slug).await?;
    let strategy = existing(&state, &visitor, &ws, &id).await?;
    let form = StepForm {
        opens_on: data.text("consultation_opens_on"),
        closes_on: data.text("consultation_closes_on"),
        approved_on: data.text("approved_on"),
        vote_reference: data.text("vote_reference"),
        comment: String::new(),
    };
    let name = data.get("step").unwrap_or_default();
    if step(name).is_none() {
        return Err(WebError::BadRequest(
            "unknown step of the life cycle".into(),
        ));
    }
    let mut p = Problems::default();
    let fields = StepFields {
        consultation_opens_on: date_field(
            &mut p,
            &form.opens_on,
            "consultation_opens_on",
            "the day consultation opens",
        ),
        consultation_closes_on: date_field(
            &mut p,
            &form.closes_on,
            "consultation_closes_on",
            "the last day of consultation",
        ),
        approved_on: date_field(
            &mut p,
            &form.approved_on,
            "approved_on",
            "the day of the vote",
        ),
        vote_reference: form.vote_reference.clone(),
    };
    // The core says which fields the step needs; a field already refused as not a date
    // is not reported twice.
    let step = match Transition::named(name, fields) {
        Ok(step) if p.is_empty() => Some(step),
        Ok(_) => None,
        Err(missing) => {
            for e in missing {
                if p.on(e.field).is_empty() {
                    p.add(e.field, sentence(&e.message));
                }
            }
            None
        }
    };
    if let Some(step) = step {
        visitor.require(step.action())?;
        let field = match &step {
            Transition::OpenConsultation { .. } => "consultation_opens_on",
            Transition::Approve { .. } => "approved_on",
            _ => "status",
        };
        match state
            .store
            .change_strategy_status(
                &visitor.actor(),
                &visitor.viewer,
                today(),
                strategy.id,
                step,
            )
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/w/{slug}/strategies/{}", strategy.id)).into_response(),
                );
            }
            Err(e) => p = refusal(e, field)?,
        }
    }
    let page = show_page(&state, &visitor, ws, strategy, form, p).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The name a consultation comment is signed with: the person's display name, or their
/// username when they have none. The pages and the API sign comments alike.
pub(crate) fn comment_author(user: &custodes_core::user::User) -> String {
    if user.display_name.trim().is_empty() {
        user.username.clone()
    } else {
        user.display_name.clone()
    }
}

/// `POST /w/{slug}/strategies/{id}/comments`.
pub(crate) async fn comment(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::CommentOnStrategy)?;
    let author = comment_author(visitor.signed_in()?);
    let ws = workspace(&state.store, &slug).await?;
    let strategy = existing(&state, &visitor, &ws, &id).await?;
    let text = data
        .0
        .iter()
        .find(|(k, _)| k == "comment")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let problems = match state
        .store
        .comment_on_strategy(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            strategy.id,
            &author,
            &text,
        )
        .await
    {
        Ok(_) => {
            return Ok(
                Redirect::to(&format!("/w/{slug}/strategies/{}#comments", strategy.id))
                    .into_response(),
            );
        }
        Err(e) => refusal(e, "comment")?,
    };
    let form = StepForm {
        comment: text,
        ..StepForm::default()
    };
    let page = show_page(&state, &visitor, ws, strategy, form, problems).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The strategy form's values, as typed.
#[derive(Clone, Debug)]
pub(crate) struct StrategyForm {
    title: String,
    summary: String,
    body: String,
    review_years: String,
}

impl Default for StrategyForm {
    fn default() -> Self {
        StrategyForm {
            title: String::new(),
            summary: String::new(),
            body: String::new(),
            review_years: "5".into(),
        }
    }
}

impl StrategyForm {
    fn parse(&self) -> Result<StrategyFields, Problems> {
        let mut p = Problems::default();
        let review_years = self.review_years.parse::<i64>().unwrap_or(0);
        let fields = StrategyFields {
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            review_years,
        };
        for e in fields.check() {
            p.add(e.field, sentence(&e.message));
        }
        if p.is_empty() { Ok(fields) } else { Err(p) }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "strategies/form.html")]
pub(crate) struct FormPage {
    chrome: Chrome,
    ws: Workspace,
    title: String,
    action: String,
    cancel: String,
    form: StrategyForm,
    problems: Problems,
}

async fn form_page(
    state: &AppState,
    visitor: &Visitor,
    ws: Workspace,
    editing: Option<StrategyId>,
    form: StrategyForm,
    problems: Problems,
) -> FormPage {
    let (title, action, cancel) = match editing {
        Some(id) => (
            format!("Edit {}", form.title),
            format!("/w/{}/strategies/{id}/edit", ws.slug),
            format!("/w/{}/strategies/{id}", ws.slug),
        ),
        None => (
            "Start a strategy".to_owned(),
            format!("/w/{}/strategies/new", ws.slug),
            format!("/w/{}/strategies", ws.slug),
        ),
    };
    FormPage {
        chrome: Chrome::new(state, visitor, &action).await,
        title,
        action,
        cancel,
        form,
        problems,
        ws,
    }
}

/// `GET /w/{slug}/strategies/new`.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<FormPage, WebError> {
    visitor.require(Action::EditStrategy)?;
    let ws = workspace(&state.store, &slug).await?;
    Ok(form_page(
        &state,
        &visitor,
        ws,
        None,
        StrategyForm::default(),
        Problems::default(),
    )
    .await)
}

/// `GET /w/{slug}/strategies/{id}/edit`.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<FormPage, WebError> {
    visitor.require(Action::EditStrategy)?;
    let ws = workspace(&state.store, &slug).await?;
    let s = existing(&state, &visitor, &ws, &id).await?;
    if s.lifecycle.status == Status::Approved {
        return Err(WebError::BadRequest(
            "an approved strategy is final and cannot be changed".into(),
        ));
    }
    let form = StrategyForm {
        title: s.title,
        summary: s.summary,
        body: s.body,
        review_years: s.review_years.to_string(),
    };
    Ok(form_page(&state, &visitor, ws, Some(s.id), form, Problems::default()).await)
}

async fn save(
    state: AppState,
    visitor: Visitor,
    headers: HeaderMap,
    slug: String,
    editing: Option<StrategyId>,
    data: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, data.get("csrf"))?;
    visitor.require(Action::EditStrategy)?;
    let ws = workspace(&state.store, &slug).await?;
    let form = StrategyForm {
        title: data.text("title"),
        summary: data.text("summary"),
        body: data.text("body"),
        review_years: data.text("review_years"),
    };
    let problems = match form.parse() {
        Ok(fields) => {
            let (actor, viewer) = (visitor.actor(), &visitor.viewer);
            let result = match editing {
                Some(id) => {
                    state
                        .store
                        .update_strategy(&actor, viewer, id, fields)
                        .await
                }
                None => {
                    state
                        .store
                        .create_strategy(&actor, viewer, ws.id, fields)
                        .await
                }
            };
            match result {
                Ok(s) => {
                    return Ok(
                        Redirect::to(&format!("/w/{slug}/strategies/{}", s.id)).into_response()
                    );
                }
                Err(e) => refusal(e, "title")?,
            }
        }
        Err(p) => p,
    };
    let page = form_page(&state, &visitor, ws, editing, form, problems).await;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /w/{slug}/strategies/new`.
pub(crate) async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(slug): Path<String>,
    data: FormData,
) -> Result<Response, WebError> {
    save(state, visitor, headers, slug, None, data).await
}

/// `POST /w/{slug}/strategies/{id}/edit`.
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
