//! Who is asking: the session cookie or an API token, and the checks on state-changing
//! requests (CSRF).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use custodes_core::Role;
use custodes_core::permission::{Action, TokenScope, permits};
use custodes_core::policy::Viewer;
use custodes_core::user::User;

use crate::{AppState, WebError};

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "custodes_session";

/// Whoever made the request: a signed-in user (through a session or a token) or the
/// anonymous public.
#[derive(Clone, Debug)]
pub(crate) struct Visitor {
    /// The signed-in user.
    pub user: Option<User>,
    /// What the visitor may see.
    pub viewer: Viewer,
    /// The session's CSRF token (sessions only).
    pub csrf: Option<String>,
    /// The session token (to sign out).
    pub session_token: Option<String>,
    /// The scope, when the request came with an API token.
    pub token_scope: Option<TokenScope>,
}

impl Visitor {
    fn public() -> Visitor {
        Visitor {
            user: None,
            viewer: Viewer::public(),
            csrf: None,
            session_token: None,
            token_scope: None,
        }
    }

    /// The visitor's role (none for the public).
    pub fn role(&self) -> Option<Role> {
        self.viewer.role
    }

    /// True when the permission table lets the visitor do `action`.
    pub fn may(&self, action: Action) -> bool {
        permits(self.role(), action)
    }

    /// Fails unless the visitor may do `action`: 403 when signed in, and for the public a
    /// request to sign in (a redirect on pages, 401 on the API).
    pub fn require(&self, action: Action) -> Result<(), WebError> {
        if self.may(action) {
            Ok(())
        } else if self.user.is_none() {
            Err(WebError::SignInNeeded)
        } else {
            Err(WebError::Forbidden)
        }
    }

    /// The signed-in user, or a redirect to the sign-in page.
    pub fn signed_in(&self) -> Result<&User, WebError> {
        self.user.as_ref().ok_or(WebError::SignInNeeded)
    }

    /// Who the audit chain records.
    pub fn actor(&self) -> custodes_core::audit::Actor {
        match &self.user {
            Some(u) => custodes_core::audit::Actor::User {
                id: u.id,
                username: u.username.clone(),
            },
            None => custodes_core::audit::Actor::System,
        }
    }
}

/// The value of a cookie in the request.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// True when the request reached us over HTTPS (directly or through a proxy that says so).
fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value of the session cookie: HttpOnly, SameSite=Lax, Secure behind TLS.
pub(crate) fn session_cookie(headers: &HeaderMap, token: &str, max_age_secs: u64) -> HeaderValue {
    let secure = if is_https(headers) { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The `Set-Cookie` value that removes the session cookie.
pub(crate) fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_static("custodes_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

fn internal(e: custodes_store::StoreError) -> axum::response::Response {
    axum::response::IntoResponse::into_response(WebError::from(e))
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = axum::response::Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(token) = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            return match state
                .store
                .token_user(token.trim())
                .await
                .map_err(internal)?
            {
                Some((user, viewer, scope)) => Ok(Visitor {
                    user: Some(user),
                    viewer,
                    csrf: None,
                    session_token: None,
                    token_scope: Some(scope),
                }),
                None if parts.uri.path().starts_with("/api/") => {
                    Err(axum::response::IntoResponse::into_response(
                        crate::error::ApiError(WebError::BadToken),
                    ))
                }
                None => Err(axum::response::IntoResponse::into_response(
                    WebError::BadToken,
                )),
            };
        }
        if let Some(token) = cookie(&parts.headers, SESSION_COOKIE)
            && let Some(session) = state
                .store
                .session(&token, state.limits)
                .await
                .map_err(internal)?
        {
            return Ok(Visitor {
                user: Some(session.user),
                viewer: session.viewer,
                csrf: Some(session.csrf),
                session_token: Some(token),
                token_scope: None,
            });
        }
        Ok(Visitor::public())
    }
}

/// Checks a state-changing request made from a page: it must come from this site
/// (`Origin` or `Sec-Fetch-Site`), and, once signed in, carry the session's CSRF token.
pub(crate) fn check_form(
    visitor: &Visitor,
    headers: &HeaderMap,
    form_csrf: Option<&str>,
) -> Result<(), WebError> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if origin == "null" || origin_host != host {
            return Err(WebError::CrossSite);
        }
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err(WebError::CrossSite);
    }
    match (&visitor.csrf, form_csrf) {
        (Some(expected), Some(given))
            if constant_time_eq(expected.as_bytes(), given.as_bytes()) =>
        {
            Ok(())
        }
        (Some(_), _) => Err(WebError::CrossSite),
        (None, _) => Ok(()),
    }
}

/// Compares two secrets in time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks that an API request may write: only a token with the write scope may. (A
/// browser session reads the API but writes through the pages' forms, which carry CSRF
/// tokens.)
pub(crate) fn check_api_write(visitor: &Visitor) -> Result<(), WebError> {
    match visitor.token_scope {
        Some(TokenScope::Write) => Ok(()),
        Some(TokenScope::Read) => Err(WebError::Forbidden),
        None if visitor.user.is_some() => Err(WebError::Forbidden),
        None => Err(WebError::SignInNeeded),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cookies() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; custodes_session=abc; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn compares_in_constant_time() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
