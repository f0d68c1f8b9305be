//! The one error type of the web layer: rendered as a page, never showing internals.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// What went wrong while answering a request.
#[derive(Debug)]
pub enum WebError {
    /// No such page.
    NotFound,
    /// Something failed inside; the details go to the log, not to the visitor.
    Internal(String),
}

impl From<custodes_store::StoreError> for WebError {
    fn from(e: custodes_store::StoreError) -> Self {
        WebError::Internal(e.to_string())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    title: &'static str,
    message: &'static str,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (code, page) = match self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                ErrorPage {
                    title: "Page not found",
                    message: "If you typed the web address, check it is correct. If you followed a link, it may be out of date.",
                },
            ),
            WebError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorPage {
                        title: "Sorry, there is a problem with the service",
                        message: "Try again later. The problem has been logged for the administrators.",
                    },
                )
            }
        };
        (code, page).into_response()
    }
}

/// The fallback for addresses no route matches.
pub(crate) async fn not_found() -> WebError {
    WebError::NotFound
}
