//! The one error type of the web layer: rendered as a page or as JSON, never showing
//! internals.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use custodes_store::StoreError;
use serde::Serialize;

/// What went wrong while answering a request.
#[derive(Debug)]
pub enum WebError {
    /// No such page, or a record the visitor may not read (the two look the same).
    NotFound,
    /// Signed in, but not allowed.
    Forbidden,
    /// This needs a signed-in user.
    SignInNeeded,
    /// A state-changing request from another site, or without the form's token.
    CrossSite,
    /// An API token that is unknown, expired or revoked.
    BadToken,
    /// A request that cannot be understood.
    BadRequest(String),
    /// A request refused because of what is stored, such as deleting a record that
    /// others refer to.
    Conflict(String),
    /// The server is doing as much of this as it does at once; try again later.
    Busy(String),
    /// Something failed inside; the details go to the log, not to the visitor.
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => WebError::NotFound,
            StoreError::Forbidden(_) => WebError::Forbidden,
            e if e.is_bad_input() => WebError::BadRequest(e.to_string()),
            e => WebError::Internal(e.to_string()),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    title: &'static str,
    message: String,
}

impl WebError {
    /// The HTTP status the error is answered with.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden | WebError::CrossSite => StatusCode::FORBIDDEN,
            WebError::SignInNeeded | WebError::BadToken => StatusCode::UNAUTHORIZED,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Busy(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title_and_message(&self) -> (&'static str, String) {
        match self {
            WebError::NotFound => (
                "Page not found",
                "If you typed the web address, check it is correct. If you followed a link, it may be out of date, or you may not have access to what it shows.".into(),
            ),
            WebError::Forbidden => (
                "You do not have permission to do this",
                "Your role does not allow it. Ask an administrator if you need it for your work.".into(),
            ),
            WebError::SignInNeeded => ("Sign in to continue", "This page is for people who have signed in.".into()),
            WebError::CrossSite => (
                "This form has expired",
                "Go back, reload the page and try again.".into(),
            ),
            WebError::BadToken => ("The API token is not valid", "It is unknown, expired or revoked.".into()),
            WebError::BadRequest(m) => ("The request cannot be used", m.clone()),
            WebError::Conflict(m) => ("This cannot be done now", m.clone()),
            WebError::Busy(m) => ("The server is busy", m.clone()),
            WebError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                (
                    "Sorry, there is a problem with the service",
                    "Try again later. The problem has been logged for the administrators.".into(),
                )
            }
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if matches!(self, WebError::SignInNeeded) {
            return Redirect::to("/sign-in").into_response();
        }
        let status = self.status();
        let (title, message) = self.title_and_message();
        let mut response = (status, ErrorPage { title, message }).into_response();
        retry_later(&mut response);
        response
    }
}

/// Tells a client refused for being busy when to try again.
fn retry_later(response: &mut Response) {
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from_static(RETRY_AFTER_SECONDS),
        );
    }
}

/// How long a refused client should wait before it asks again.
const RETRY_AFTER_SECONDS: &str = "10";

/// The same errors, as the JSON API answers them.
#[derive(Debug)]
pub(crate) struct ApiError(pub WebError);

#[derive(Serialize)]
struct ApiErrorBody {
    error: String,
    message: String,
}

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let (title, message) = self.0.title_and_message();
        let mut response = (
            status,
            Json(ApiErrorBody {
                error: title.to_owned(),
                message,
            }),
        )
            .into_response();
        retry_later(&mut response);
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// The fallback for addresses no route matches.
pub(crate) async fn not_found() -> WebError {
    WebError::NotFound
}

/// A JSON request body whose refusal is an [`ApiError`]: a body that is not JSON, or that
/// does not fit the expected shape, is answered with 400 and a JSON body whose message
/// names the field at fault, like every other refusal of the API.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError(WebError::BadRequest(rejection.body_text()))),
        }
    }
}
