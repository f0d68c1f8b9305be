//! Assessments: the list and the form that opens one, and for each assessment its
//! overview, answer entry, review, results and history. Every read goes through the
//! store, which applies the access policy; the rules of who may answer, review and
//! publish come from `custodes_core::assessment`, and scores from its `results`.

mod answer;
mod export;
mod list;
mod overview;
mod results;
mod review;

use axum::Router;
use axum::routing::{get, post};
use custodes_core::AssessmentId;
use custodes_core::assessment::{MemberRole, Status, may_answer, may_review, missing_name};
use custodes_core::framework::{AnswerValue, MissingState, Number, ValidFramework};
use custodes_core::permission::Action;
use custodes_store::assessment::Assessment;
use custodes_store::workspace::Workspace;

use crate::actors::workspace;
use crate::auth::Visitor;
use crate::{AppState, WebError, today};

/// The routes of the assessment pages.
pub(crate) fn routes() -> Router<AppState> {
    let base = "/w/{slug}/assessments";
    let one = "/w/{slug}/assessments/{id}";
    Router::new()
        .route(base, get(list::list))
        .route(
            &format!("{base}/new"),
            get(list::new_form).post(list::create),
        )
        .route(one, get(overview::show))
        .route(&format!("{one}/submit"), post(overview::submit))
        .route(&format!("{one}/publish"), post(overview::publish))
        .route(&format!("{one}/correct"), post(overview::correct))
        .route(&format!("{one}/history"), get(overview::history))
        .route(&format!("{one}/answer"), get(answer::page))
        .route(&format!("{one}/answer/{{indicator}}"), post(answer::save))
        .route(
            &format!("{one}/answer/{{indicator}}/sources"),
            post(answer::add_source),
        )
        .route(
            &format!("{one}/sources/{{source}}/remove"),
            post(answer::remove_source),
        )
        .route(&format!("{one}/review"), get(review::page))
        .route(&format!("{one}/review/comment"), post(review::comment))
        .route(&format!("{one}/review/decision"), post(review::decide))
        .route(&format!("{one}/results"), get(results::page))
        .route(&format!("{one}/answers.csv"), get(export::answers_csv))
        .route(&format!("{one}/results.csv"), get(export::results_csv))
        .route(&format!("{one}/results.json"), get(export::results_json))
}

/// An assessment the visitor may read, with its workspace and framework.
pub(crate) struct Loaded {
    pub ws: Workspace,
    pub a: Assessment,
    pub framework: ValidFramework,
}

impl Loaded {
    /// The address of the assessment's overview.
    pub fn href(&self) -> String {
        format!("/w/{}/assessments/{}", self.ws.slug, self.a.id)
    }

    /// True when the visitor is one of its members in `role`.
    pub fn is(&self, visitor: &Visitor, role: MemberRole) -> bool {
        self.a.has_member(visitor.viewer.user, role)
    }

    /// True when the visitor may change answers now.
    pub fn may_answer_now(&self, visitor: &Visitor) -> bool {
        self.a.status.answers_open()
            && may_answer(visitor.role(), self.is(visitor, MemberRole::Assessor))
    }

    /// True when the visitor may comment and decide now.
    pub fn may_review_now(&self, visitor: &Visitor) -> bool {
        self.a.status.review_open()
            && may_review(visitor.role(), self.is(visitor, MemberRole::Reviewer))
    }

    /// The number of indicators of its framework.
    pub fn total(&self) -> usize {
        self.framework.indicators().count()
    }

    /// The characteristics: the children of the framework's root, in order.
    pub fn characteristics(&self) -> Vec<&custodes_core::framework::Node> {
        self.framework
            .roots()
            .first()
            .map(|r| self.framework.children(r.id.as_str()))
            .unwrap_or_default()
    }
}

pub(crate) fn parse_id(id: &str) -> Result<AssessmentId, WebError> {
    id.parse().map_err(|_| WebError::NotFound)
}

/// The assessment `id` of workspace `slug`, when the visitor may read it; 404 otherwise,
/// so that an assessment the visitor may not read looks like one that does not exist.
pub(crate) async fn load(
    state: &AppState,
    visitor: &Visitor,
    slug: &str,
    id: &str,
) -> Result<Loaded, WebError> {
    let ws = workspace(&state.store, slug).await?;
    let a = state
        .store
        .get_assessment(&visitor.viewer, today(), parse_id(id)?)
        .await?
        .filter(|a| a.workspace == ws.id)
        .ok_or(WebError::NotFound)?;
    let framework = state
        .store
        .framework(&a.framework_key, &a.framework_version)
        .await?;
    Ok(Loaded { ws, a, framework })
}

/// A link between the pages of one assessment.
pub(crate) struct Tab {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// The pages of one assessment, `current` marked.
pub(crate) fn tabs(l: &Loaded, current: &str) -> Vec<Tab> {
    let base = l.href();
    [
        ("Overview", ""),
        ("Answers", "/answer"),
        ("Review", "/review"),
        ("Results", "/results"),
        ("History", "/history"),
    ]
    .into_iter()
    .map(|(label, tail)| Tab {
        label,
        href: format!("{base}{tail}"),
        current: tail == current,
    })
    .collect()
}

/// A number as pages show it: exact when it has at most one decimal, else to one decimal.
pub(crate) fn show(n: Number) -> String {
    let exact = n.to_string();
    match exact.split_once('.') {
        None if !exact.contains('/') => exact,
        Some((_, decimals)) if decimals.len() <= 1 => exact,
        _ => {
            // Half away from zero, as people round.
            let v = format!("{:.1}", (n.to_f64() * 10.0).round() / 10.0);
            v.strip_suffix(".0").map(str::to_owned).unwrap_or(v)
        }
    }
}

/// The name of a missing state, as pages show it.
pub(crate) fn missing_label(m: MissingState) -> &'static str {
    match m {
        MissingState::NotApplicable => "Not applicable (NA)",
        MissingState::NotEnoughInformation => "Not enough information (NEI)",
        MissingState::NotScored => "Not scored (NS)",
    }
}

/// An answer's value in words, with the anchor of the level given.
pub(crate) struct ValueView {
    /// "Level 3 (75)", "Not applicable (NA)".
    pub label: String,
    /// What the level means.
    pub anchor: String,
}

/// Describes `value` on `indicator`'s scale.
pub(crate) fn value_view(
    framework: &ValidFramework,
    indicator: &str,
    value: &AnswerValue,
) -> ValueView {
    match value {
        AnswerValue::Missing(m) => ValueView {
            label: missing_label(*m).to_owned(),
            anchor: String::new(),
        },
        AnswerValue::Level(level) => {
            let choice = framework
                .choices(indicator)
                .into_iter()
                .find(|c| &c.level == level);
            match choice {
                Some(c) => ValueView {
                    label: level_label(c.level.as_str(), c.value, c.missing),
                    anchor: c.descriptor,
                },
                None => ValueView {
                    label: format!("Level {level}"),
                    anchor: String::new(),
                },
            }
        }
    }
}

/// A level's name: its id and value on a numeric scale, its grade on an ordinal one.
pub(crate) fn level_label(
    id: &str,
    value: Option<Number>,
    missing: Option<MissingState>,
) -> String {
    match (value, missing) {
        (_, Some(m)) => format!("{id} – {}", missing_label(m)),
        (Some(v), None) if v.to_string() != id => format!("Level {id} ({})", show(v)),
        (Some(v), None) => format!("Level {}", show(v)),
        (None, None) => format!("Grade {id}"),
    }
}

/// The value of a radio button for an answer's value.
pub(crate) fn value_key(value: &AnswerValue) -> String {
    match value {
        AnswerValue::Level(l) => format!("level:{l}"),
        AnswerValue::Missing(m) => format!("missing:{}", missing_name(*m)),
    }
}

/// Reads a radio button's value back.
pub(crate) fn parse_value_key(s: &str) -> Option<AnswerValue> {
    match s.split_once(':')? {
        ("level", l) if !l.is_empty() => Some(AnswerValue::Level(l.into())),
        ("missing", m) => custodes_core::assessment::parse_missing(m).map(AnswerValue::Missing),
        _ => None,
    }
}

/// An indicator's id as an HTML id: letters, digits and hyphens only, so that it is also
/// a plain CSS selector (`c1.1` becomes `indicator-c1-1`).
pub(crate) fn dom_id(indicator: &str) -> String {
    let safe: String = indicator
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("indicator-{safe}")
}

/// One step of the life cycle, as the step indicator shows it.
pub(crate) struct Step {
    pub label: &'static str,
    /// `done`, `current` or `todo`.
    pub state: &'static str,
}

/// The five states of the life cycle, the assessment's marked.
pub(crate) fn steps(status: Status) -> Vec<Step> {
    Status::ALL
        .into_iter()
        .map(|s| Step {
            label: s.label(),
            state: if s == status {
                "current"
            } else if s < status {
                "done"
            } else {
                "todo"
            },
        })
        .collect()
}

/// A percentage for a bar: `part` of `whole`, 0 when `whole` is 0.
pub(crate) fn share(part: usize, whole: usize) -> u32 {
    (part.min(whole) * 100).checked_div(whole).unwrap_or(0) as u32
}

/// True when the visitor manages assessments.
pub(crate) fn manages(visitor: &Visitor) -> bool {
    visitor.may(Action::ManageAssessments)
}

/// A choice in a select or a group of check boxes.
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_show_with_one_decimal_at_most() {
        let n = |s: &str| s.parse::<Number>().unwrap();
        assert_eq!(show(n("62.5")), "62.5");
        assert_eq!(show(n("63")), "63");
        assert_eq!(show(n("1/3")), "0.3");
        assert_eq!(show(n("62.25")), "62.3");
        assert_eq!(show(n("200/3")), "66.7");
        assert_eq!(show(n("-12.5")), "-12.5");
    }

    #[test]
    fn values_round_trip_through_radio_buttons() {
        for v in [
            AnswerValue::Level("3".into()),
            AnswerValue::Missing(MissingState::NotEnoughInformation),
        ] {
            assert_eq!(parse_value_key(&value_key(&v)), Some(v));
        }
        assert_eq!(parse_value_key("level:"), None);
        assert_eq!(parse_value_key("missing:lost"), None);
        assert_eq!(parse_value_key("3"), None);
    }

    #[test]
    fn ids_become_plain_selectors() {
        assert_eq!(dom_id("c1.1"), "indicator-c1-1");
        assert_eq!(share(3, 4), 75);
        assert_eq!(share(1, 0), 0);
    }
}
