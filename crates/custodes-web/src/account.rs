//! The signed-in person's own account: the optional second factor.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use custodes_store::StoreError;
use custodes_store::second_factor;

use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems, sentence};
use crate::{AppState, WebError};

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub(crate) struct AccountPage {
    chrome: Chrome,
    enabled: bool,
    secret: String,
    url: String,
    problems: Problems,
    notice: &'static str,
}

async fn page(
    state: &AppState,
    visitor: &Visitor,
    problems: Problems,
    notice: &'static str,
) -> Result<AccountPage, WebError> {
    let user = visitor.signed_in()?;
    let enabled = state.store.has_second_factor(user).await?;
    let secret = if enabled {
        String::new()
    } else {
        second_factor::new_secret()
    };
    let url = if enabled {
        String::new()
    } else {
        second_factor::otpauth_url(&secret, &user.username).unwrap_or_default()
    };
    Ok(AccountPage {
        chrome: Chrome::new(state, visitor, "/account/security").await,
        enabled,
        secret,
        url,
        problems,
        notice,
    })
}

/// `GET /account/security`.
pub(crate) async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<AccountPage, WebError> {
    page(&state, &visitor, Problems::default(), "").await
}

/// `POST /account/security`: turns the second factor on (`secret`, `code`) or off (`code`,
/// `disable`).
pub(crate) async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, form.get("csrf"))?;
    let user = visitor.signed_in()?.clone();
    let code = form.text("code");
    let result = if form.get("disable").is_some() {
        state
            .store
            .disable_second_factor(&user, &code)
            .await
            .map(|()| "The second factor is off.")
    } else {
        state
            .store
            .enable_second_factor(&user, &form.text("secret"), &code)
            .await
            .map(|()| "The second factor is on: from now on, sign in with a code from your app.")
    };
    match result {
        Ok(notice) => Ok(page(&state, &visitor, Problems::default(), notice)
            .await?
            .into_response()),
        Err(StoreError::Invalid(m)) => {
            let mut p = Problems::default();
            p.add("code", sentence(&m));
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(&state, &visitor, p, "").await?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
