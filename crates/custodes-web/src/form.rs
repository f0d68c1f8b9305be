//! Reading submitted forms, including fields that repeat (check boxes).

use axum::extract::{FromRequest, Request};

use crate::WebError;

/// A submitted form as name–value pairs, in order.
#[derive(Clone, Debug, Default)]
pub(crate) struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of a field, trimmed; `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The first value of a field, or "".
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_owned()
    }

    /// Every value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| WebError::BadRequest("the form could not be read".into()))?;
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .map(FormData)
            .map_err(|_| WebError::BadRequest("the form could not be read".into()))
    }
}

/// One problem with a field, for the error summary and the field itself.
#[derive(Clone, Debug)]
pub(crate) struct FieldProblem {
    /// The field's `id`, which the summary links to.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// The problems found in a form.
#[derive(Clone, Debug, Default)]
pub(crate) struct Problems(pub Vec<FieldProblem>);

impl Problems {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldProblem {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every message for one field, in order (a field may break several rules).
    pub fn all(&self, field: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|p| p.field == field)
            .map(|p| p.message.as_str())
            .collect()
    }

    /// The message for one field, or "" (templates show it when not empty).
    pub fn on(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|p| p.field == field)
            .map_or("", |p| p.message.as_str())
    }
}

/// A message as a sentence for a page: its first letter capitalised (store and core
/// messages are lowercase).
pub(crate) fn sentence(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}
