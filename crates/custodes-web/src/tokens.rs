//! Personal access tokens: created, listed and revoked by their owner.

use std::time::Duration;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use custodes_core::permission::{Action, TokenScope};
use custodes_store::session::ApiToken;

use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems};
use crate::{AppState, WebError};

#[derive(Template, WebTemplate)]
#[template(path = "tokens.html")]
pub(crate) struct TokensPage {
    chrome: Chrome,
    tokens: Vec<ApiToken>,
    problems: Problems,
    created: Option<(String, String)>,
    now: String,
    token_caption: &'static str,
    revoke_action: &'static str,
}

async fn page(
    state: &AppState,
    visitor: &Visitor,
    problems: Problems,
    created: Option<(String, String)>,
) -> Result<TokensPage, WebError> {
    let user = visitor.signed_in()?;
    Ok(TokensPage {
        chrome: Chrome::new(state, visitor, "/account/tokens").await,
        tokens: state.store.list_tokens(user).await?,
        problems,
        created,
        now: crate::now_stored(),
        token_caption: "Your tokens",
        revoke_action: "/account/tokens",
    })
}

/// `GET /account/tokens`.
pub(crate) async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<TokensPage, WebError> {
    visitor.require(Action::UseApiTokens)?;
    page(&state, &visitor, Problems::default(), None).await
}

/// `POST /account/tokens`: creates a token (`name`, `scope`, `days`) or revokes one
/// (`revoke` = its id).
pub(crate) async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, form.get("csrf"))?;
    visitor.require(Action::UseApiTokens)?;
    let user = visitor.signed_in()?.clone();
    if let Some(id) = form.get("revoke") {
        state.store.revoke_token(&user, id).await?;
        return Ok(page(&state, &visitor, Problems::default(), None)
            .await?
            .into_response());
    }
    let mut problems = Problems::default();
    let name = form.text("name");
    if name.is_empty() {
        problems.add(
            "name",
            "Give the token a name, such as the script that will use it",
        );
    }
    let scope = match form.get("scope") {
        Some("write") => TokenScope::Write,
        _ => TokenScope::Read,
    };
    let days: u64 = match form.get("days").unwrap_or("90").parse() {
        Ok(d) if (1..=365).contains(&d) => d,
        _ => {
            problems.add("days", "Choose how long the token works: 1 to 365 days");
            90
        }
    };
    if !problems.is_empty() {
        let p = page(&state, &visitor, problems, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    let (token, secret) = state
        .store
        .create_token(&user, &name, scope, Duration::from_secs(days * 86_400))
        .await?;
    Ok(page(
        &state,
        &visitor,
        Problems::default(),
        Some((token.name, secret)),
    )
    .await?
    .into_response())
}
