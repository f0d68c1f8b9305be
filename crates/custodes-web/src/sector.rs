//! The sector map as a whole: its picture, the checks' findings and the relations, and
//! the forms that add and remove relations.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use custodes_core::ActorId;
use custodes_core::permission::Action;
use custodes_core::sector::{MapRelation, OversightKind, RelationKind};
use custodes_store::relation::Relation;
use custodes_store::workspace::Workspace;

use crate::actors::workspace;
use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::FormData;
use crate::{AppState, WebError, today};

/// The findings of one check.
pub(crate) struct CheckGroup {
    title: &'static str,
    explanation: &'static str,
    findings: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "sector/map.html")]
pub(crate) struct MapPage {
    chrome: Chrome,
    ws: Workspace,
    svg: String,
    checks: Vec<CheckGroup>,
    relations: Vec<Relation>,
    actor_count: usize,
}

/// `GET /w/{slug}/map`.
pub(crate) async fn map(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<MapPage, WebError> {
    let ws = workspace(&state.store, &slug).await?;
    let (actors, relations, findings) = state
        .store
        .sector_map(&visitor.viewer, today(), ws.id)
        .await?;
    let map_relations: Vec<MapRelation> = relations
        .iter()
        .map(|r| MapRelation {
            from: r.from,
            to: r.to,
            kind: r.kind,
        })
        .collect();
    let svg = custodes_report::sector::sector_svg(
        &format!("The security sector of {}", ws.name),
        &actors,
        &map_relations,
    );
    let mut checks: Vec<CheckGroup> = Vec::new();
    for f in findings {
        if checks.last().is_none_or(|g| g.title != f.check.title()) {
            checks.push(CheckGroup {
                title: f.check.title(),
                explanation: f.check.explain(),
                findings: Vec::new(),
            });
        }
        if let Some(g) = checks.last_mut() {
            g.findings
                .push((format!("/w/{slug}/actors/{}", f.actor), f.message));
        }
    }
    Ok(MapPage {
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/map")).await,
        actor_count: actors.len(),
        ws,
        svg,
        checks,
        relations,
    })
}

/// The choices of the "add a relation" form.
pub(crate) fn relation_choices() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = OversightKind::ALL
        .iter()
        .map(|k| {
            (
                format!("oversees:{}", k.as_str()),
                format!("oversees ({})", k.as_str()),
            )
        })
        .collect();
    v.push(("reports_to".into(), "reports to".into()));
    v.push(("coordinates_with".into(), "coordinates with".into()));
    v.push(("funds".into(), "funds".into()));
    v
}

fn parse_kind(s: &str) -> Option<RelationKind> {
    match s.split_once(':') {
        Some((kind, oversight)) => RelationKind::parse(kind, Some(oversight)),
        None => RelationKind::parse(s, None),
    }
}

/// `POST /w/{slug}/actors/{id}/relations`: adds a relation from this actor.
pub(crate) async fn add_relation(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, form.get("csrf"))?;
    visitor.require(Action::EditSectorMap)?;
    let from: ActorId = id.parse().map_err(|_| WebError::NotFound)?;
    let to: ActorId = form
        .get("to")
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| WebError::BadRequest("choose the other actor".into()))?;
    let kind = form
        .get("kind")
        .and_then(parse_kind)
        .ok_or_else(|| WebError::BadRequest("choose how they are related".into()))?;
    state
        .store
        .create_relation(
            &visitor.actor(),
            &visitor.viewer,
            today(),
            custodes_store::relation::NewRelation {
                from,
                to,
                kind,
                note: &form.text("note"),
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/w/{slug}/actors/{id}#relations")).into_response())
}

/// `POST /w/{slug}/relations/{rid}/delete`.
pub(crate) async fn delete_relation(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path((slug, rid)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, form.get("csrf"))?;
    visitor.require(Action::EditSectorMap)?;
    let ws = workspace(&state.store, &slug).await?;
    state
        .store
        .delete_relation(&visitor.actor(), &visitor.viewer, today(), ws.id, &rid)
        .await?;
    let back = form
        .get("back")
        .filter(|b| b.starts_with('/'))
        .unwrap_or("/")
        .to_owned();
    Ok(Redirect::to(&back).into_response())
}
