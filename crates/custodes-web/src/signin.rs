//! Signing in and out.

use std::net::SocketAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use custodes_store::session::SignInRefused;

use crate::auth::{self, Visitor};
use crate::chrome::Chrome;
use crate::form::{FormData, Problems};
use crate::{AppState, WebError};

/// The network address of the client, as the server saw it.
pub(crate) struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string()),
        ))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "sign_in.html")]
pub(crate) struct SignInPage {
    chrome: Chrome,
    username: String,
    problems: Problems,
}

/// `GET /sign-in`.
pub(crate) async fn page(State(state): State<AppState>, visitor: Visitor) -> Response {
    if visitor.user.is_some() {
        return Redirect::to("/").into_response();
    }
    SignInPage {
        chrome: Chrome::new(&state, &visitor, "/sign-in").await,
        username: String::new(),
        problems: Problems::default(),
    }
    .into_response()
}

/// `POST /sign-in`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, None)?;
    let username = form.text("username");
    let password = form
        .0
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let mut problems = Problems::default();
    if username.is_empty() {
        problems.add("username", "Enter your username");
    }
    if password.is_empty() {
        problems.add("password", "Enter your password");
    }
    if problems.is_empty() {
        let code = form.get("code");
        match state
            .store
            .sign_in(&username, &password, code, &address, state.limits)
            .await?
        {
            Ok((_, session)) => {
                let cookie =
                    auth::session_cookie(&headers, &session.token, state.limits.absolute.as_secs());
                return Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response());
            }
            Err(SignInRefused::Credentials) => {
                problems.add("username", "The username or password is not right");
            }
            Err(SignInRefused::CodeNeeded) => {
                problems.add("code", "Enter the 6-digit code from your authenticator app");
            }
            Err(SignInRefused::BadCode) => {
                problems.add(
                    "code",
                    "The code is not right: enter the code your app shows now",
                );
            }
            Err(SignInRefused::Throttled) => {
                problems.add(
                    "username",
                    "Too many failed attempts: wait 15 minutes before trying again",
                );
            }
        }
    }
    let page = SignInPage {
        chrome: Chrome::new(&state, &visitor, "/sign-in").await,
        username,
        problems,
    };
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /sign-out`.
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, WebError> {
    auth::check_form(&visitor, &headers, form.get("csrf"))?;
    if let Some(token) = &visitor.session_token {
        state.store.sign_out(token).await?;
    }
    Ok((
        [(header::SET_COOKIE, auth::clear_session_cookie())],
        Redirect::to("/"),
    )
        .into_response())
}
