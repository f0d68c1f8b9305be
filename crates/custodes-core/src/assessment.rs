//! Assessments: one framework version applied to one workspace for one period, answered
//! by assessors, checked by reviewers and published. The rules of their life cycle live
//! here, once; the store, the web pages, the API and the command line ask them.
//!
//! The life cycle is draft → submitted → in review → validated → published. Assessors
//! answer while the assessment is a draft and submit it when every indicator has an
//! answer (a level or a missing state). Reviewers then comment per indicator and approve
//! it or request changes; a request sends it back to draft, and a new round of review
//! starts at the next submission. Once as many reviewers as the framework asks have
//! approved in the current round, it is validated; a manager publishes it. A published
//! assessment is frozen: a correction is a new version, which starts as a draft with the
//! published answers, and shows what changed.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::access::{Role, UnknownName};
use crate::framework::{
    Answer, AnswerValue, Change, Coverage, Diagnosis, DiagnosisLine, MissingState, NodeId, Number,
    Scores, Shortfall, ValidFramework, compare, diagnose, score,
};
use crate::permission::{Action, permits};

/// Where an assessment is in its life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Assessors are answering.
    Draft,
    /// Handed to the reviewers, who have not started.
    Submitted,
    /// Reviewers are commenting and deciding.
    InReview,
    /// Enough reviewers approved; waiting to be published.
    Validated,
    /// Published and frozen.
    Published,
}

impl Status {
    /// Every status, in life-cycle order.
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::Submitted,
        Status::InReview,
        Status::Validated,
        Status::Published,
    ];

    /// The stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::InReview => "in_review",
            Status::Validated => "validated",
            Status::Published => "published",
        }
    }

    /// The name shown to people.
    pub const fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Submitted => "Submitted",
            Status::InReview => "In review",
            Status::Validated => "Validated",
            Status::Published => "Published",
        }
    }

    /// True when answers may change: only drafts.
    pub const fn answers_open(self) -> bool {
        matches!(self, Status::Draft)
    }

    /// True when reviewers may comment and decide.
    pub const fn review_open(self) -> bool {
        matches!(self, Status::Submitted | Status::InReview)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Status {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| unknown("assessment status", s, Status::ALL.map(Status::as_str)))
    }
}

/// What someone does to an assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// An assessor hands the answers to the reviewers.
    Submit,
    /// A reviewer comments on a submitted assessment, which opens the review.
    StartReview,
    /// A reviewer approves.
    Approve,
    /// A reviewer asks the assessors for changes; the assessment returns to draft.
    RequestChanges,
    /// A manager publishes a validated assessment.
    Publish,
}

impl Event {
    /// The stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Event::Submit => "submit",
            Event::StartReview => "start_review",
            Event::Approve => "approve",
            Event::RequestChanges => "request_changes",
            Event::Publish => "publish",
        }
    }
}

/// What the life-cycle rule needs to know besides the status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Indicators without an answer.
    pub unanswered: usize,
    /// Distinct reviewers who approved in the current round, counting this approval when
    /// the event is one.
    pub approvals: u32,
    /// How many approvals the framework asks for.
    pub required_reviewers: u32,
}

/// Why a step of the life cycle was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The step does not apply in this status.
    #[error("an assessment that is {status} cannot be {verb}", status = .status.label().to_lowercase(), verb = verb(*.event))]
    NotNow {
        /// The status it is in.
        status: Status,
        /// What was attempted.
        event: Event,
    },
    /// Submission needs every indicator answered.
    #[error("{unanswered} indicator{s} still {have} no answer (a level or a missing state); answer them before submitting", s = if *.unanswered == 1 { "" } else { "s" }, have = if *.unanswered == 1 { "has" } else { "have" })]
    Unanswered {
        /// How many.
        unanswered: usize,
    },
}

fn verb(event: Event) -> &'static str {
    match event {
        Event::Submit => "submitted",
        Event::StartReview => "taken into review",
        Event::Approve => "approved",
        Event::RequestChanges => "sent back for changes",
        Event::Publish => "published",
    }
}

/// The status after `event`, or why it may not happen now.
pub fn transition(
    status: Status,
    event: Event,
    progress: Progress,
) -> Result<Status, WorkflowError> {
    let refused = Err(WorkflowError::NotNow { status, event });
    match (status, event) {
        (Status::Draft, Event::Submit) if progress.unanswered > 0 => {
            Err(WorkflowError::Unanswered {
                unanswered: progress.unanswered,
            })
        }
        (Status::Draft, Event::Submit) => Ok(Status::Submitted),
        (Status::Submitted, Event::StartReview) => Ok(Status::InReview),
        (Status::InReview, Event::StartReview) => Ok(Status::InReview),
        (Status::Submitted | Status::InReview, Event::Approve) => {
            if progress.approvals >= progress.required_reviewers.max(1) {
                Ok(Status::Validated)
            } else {
                Ok(Status::InReview)
            }
        }
        (Status::Submitted | Status::InReview, Event::RequestChanges) => Ok(Status::Draft),
        (Status::Validated, Event::Publish) => Ok(Status::Published),
        _ => refused,
    }
}

/// True when someone may answer an assessment: their role answers assessments and they
/// are one of its assessors (administrators may stand in for an absent assessor).
pub fn may_answer(role: Option<Role>, is_assessor: bool) -> bool {
    permits(role, Action::AnswerAssessments) && (is_assessor || role == Some(Role::Administrator))
}

/// True when someone may review an assessment: their role reviews assessments and they
/// are one of its reviewers (administrators may stand in for an absent reviewer).
pub fn may_review(role: Option<Role>, is_reviewer: bool) -> bool {
    permits(role, Action::ReviewAssessments) && (is_reviewer || role == Some(Role::Administrator))
}

/// True when someone may read an assessment that is not yet published (its
/// classification permitting): its members and those who manage assessments. Once
/// published, an assessment is read by whoever its classification allows.
pub fn may_see_unpublished(role: Option<Role>, is_member: bool) -> bool {
    is_member || permits(role, Action::ManageAssessments)
}

/// What a member of an assessment does in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// Answers indicators.
    Assessor,
    /// Reviews the answers.
    Reviewer,
}

impl MemberRole {
    /// The stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            MemberRole::Assessor => "assessor",
            MemberRole::Reviewer => "reviewer",
        }
    }
}

impl std::str::FromStr for MemberRole {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "assessor" => Ok(MemberRole::Assessor),
            "reviewer" => Ok(MemberRole::Reviewer),
            _ => Err(unknown("assessment role", s, ["assessor", "reviewer"])),
        }
    }
}

/// A reviewer's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The answers stand.
    Approve,
    /// The assessors must change something.
    RequestChanges,
}

impl Decision {
    /// The stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::RequestChanges => "request_changes",
        }
    }

    /// The life-cycle event it is.
    pub const fn event(self) -> Event {
        match self {
            Decision::Approve => Event::Approve,
            Decision::RequestChanges => Event::RequestChanges,
        }
    }
}

impl std::str::FromStr for Decision {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "approve" => Ok(Decision::Approve),
            "request_changes" => Ok(Decision::RequestChanges),
            _ => Err(unknown(
                "review decision",
                s,
                ["approve", "request_changes"],
            )),
        }
    }
}

fn unknown<const N: usize>(what: &'static str, given: &str, expected: [&str; N]) -> UnknownName {
    UnknownName {
        what,
        given: given.to_owned(),
        expected: expected.join(", "),
    }
}

/// The stable name of a missing state, as stored and exported.
pub const fn missing_name(state: MissingState) -> &'static str {
    match state {
        MissingState::NotApplicable => "not_applicable",
        MissingState::NotEnoughInformation => "not_enough_information",
        MissingState::NotScored => "not_scored",
    }
}

/// Reads a missing state's stable name.
pub fn parse_missing(s: &str) -> Option<MissingState> {
    MissingState::ALL
        .into_iter()
        .find(|m| missing_name(*m) == s)
}

/// The words for an answer's value: the level's id or the missing state's abbreviation.
pub fn describe_value(value: &AnswerValue) -> String {
    match value {
        AnswerValue::Level(l) => l.to_string(),
        AnswerValue::Missing(m) => m.abbreviation().to_owned(),
    }
}

/// How far a node's result can be trusted, from its coverage, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Confidence {
    /// `high`, `medium`, `low` or `none`.
    pub grade: &'static str,
    /// The note shown beside the score.
    pub note: String,
}

/// The confidence note of a node: high when at least 90% of its indicators are scored,
/// medium from 70%, low below, none when nothing is scored. The missing states are named.
pub fn confidence(coverage: &Coverage) -> Confidence {
    let total = coverage.indicators;
    let scored = coverage.answered;
    if total == 0 {
        return Confidence {
            grade: "none",
            note: "No indicators.".into(),
        };
    }
    let pct = u64::from(scored) * 100 / u64::from(total);
    let grade = if scored == 0 {
        "none"
    } else if pct >= 90 {
        "high"
    } else if pct >= 70 {
        "medium"
    } else {
        "low"
    };
    let mut missing: Vec<String> = MissingState::ALL
        .into_iter()
        .filter_map(|m| {
            let n = coverage.missing(m);
            (n > 0).then(|| format!("{n} {}", m.abbreviation()))
        })
        .collect();
    if coverage.unanswered > 0 {
        missing.push(format!("{} unanswered", coverage.unanswered));
    }
    let mut note = format!(
        "{} confidence: {scored} of {total} indicator{} scored",
        match grade {
            "high" => "High",
            "medium" => "Medium",
            "low" => "Low",
            _ => "No",
        },
        if total == 1 { "" } else { "s" }
    );
    if !missing.is_empty() {
        note.push_str(&format!(" ({})", missing.join(", ")));
    }
    note.push('.');
    Confidence { grade, note }
}

/// A diagnosis line for one actor concerned: the shortfalls of the indicators whose
/// answers name that actor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActorLine<A> {
    /// The actor (whatever the caller identifies actors by).
    pub actor: A,
    /// The sum of its indicators' shortfalls.
    pub total: Number,
    /// The indicators behind it, largest shortfall first.
    pub indicators: Vec<Shortfall>,
}

/// Groups the diagnosis's indicator shortfalls by the actor each answer names, largest
/// total first (ties by actor). Indicators whose answer names no actor are left out.
pub fn by_actor<A: Clone + Ord>(
    shortfalls: &[Shortfall],
    actor_of: &BTreeMap<NodeId, A>,
) -> Vec<ActorLine<A>> {
    let mut lines: BTreeMap<A, Vec<Shortfall>> = BTreeMap::new();
    for s in shortfalls {
        if let Some(a) = actor_of.get(&s.indicator) {
            lines.entry(a.clone()).or_default().push(s.clone());
        }
    }
    let mut out: Vec<ActorLine<A>> = lines
        .into_iter()
        .map(|(actor, mut indicators)| {
            indicators.sort_by(|x, y| {
                y.amount
                    .cmp(&x.amount)
                    .then_with(|| x.indicator.cmp(&y.indicator))
            });
            let total = indicators
                .iter()
                .fold(Number::ZERO, |t, s| t.checked_add(s.amount).unwrap_or(t));
            ActorLine {
                actor,
                total,
                indicators,
            }
        })
        .collect();
    out.sort_by(|x, y| y.total.cmp(&x.total).then_with(|| x.actor.cmp(&y.actor)));
    out
}

/// The share of a line in the largest line, in whole percent (for bars).
pub fn share_of_largest(line: &DiagnosisLine, largest: Number) -> u32 {
    percent(line.total, largest)
}

/// `part` as a whole percentage of `whole` (0 when `whole` is zero), rounded down.
pub fn percent(part: Number, whole: Number) -> u32 {
    if whole <= Number::ZERO {
        return 0;
    }
    let ratio = part.to_f64() / whole.to_f64();
    (ratio * 100.0).clamp(0.0, 100.0) as u32
}

/// One answer as kept between versions, for showing what changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnswerState {
    /// The value given, if any.
    pub value: Option<AnswerValue>,
    /// The explanation.
    pub explanation: String,
}

/// How one indicator's answer differs between two versions of an assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnswerDiff {
    /// The indicator.
    pub indicator: NodeId,
    /// Before.
    pub before: Option<AnswerState>,
    /// After.
    pub after: Option<AnswerState>,
    /// True when the value changed, not only the explanation.
    pub value_changed: bool,
}

/// The indicators whose answers differ between two versions, in indicator order.
pub fn diff_answers(
    before: &BTreeMap<NodeId, AnswerState>,
    after: &BTreeMap<NodeId, AnswerState>,
) -> Vec<AnswerDiff> {
    let mut ids: Vec<&NodeId> = before.keys().chain(after.keys()).collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            let b = before.get(id);
            let a = after.get(id);
            if b == a {
                return None;
            }
            let value_changed =
                b.and_then(|s| s.value.as_ref()) != a.and_then(|s| s.value.as_ref());
            Some(AnswerDiff {
                indicator: id.clone(),
                before: b.cloned(),
                after: a.cloned(),
                value_changed,
            })
        })
        .collect()
}

/// The results of one assessment, as every page, export and command shows them: each
/// node's score with its confidence, the deficit diagnosis (including by the actor each
/// answer names), and, when an earlier assessment under the same framework is given, the
/// change of every node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Results<A> {
    /// Every node's score.
    pub scores: Scores,
    /// Each node's confidence note, by node id.
    pub confidence: BTreeMap<NodeId, Confidence>,
    /// The diagnosis by source of deficit, characteristic, actor kind and standing.
    pub diagnosis: Diagnosis,
    /// The diagnosis by the actor each answer names.
    pub by_actor: Vec<ActorLine<A>>,
    /// The change of every node since the earlier assessment, if one was given.
    pub changes: Option<Vec<Change>>,
}

/// Scores, diagnoses and (with `earlier`, the answers of an earlier assessment under the
/// same framework) compares one assessment's answers. `actor_of` names the actor each
/// answer concerns, where it names one.
pub fn results<A: Clone + Ord>(
    framework: &ValidFramework,
    answers: &[Answer],
    actor_of: &BTreeMap<NodeId, A>,
    earlier: Option<&[Answer]>,
) -> Results<A> {
    let scores = score(framework, answers);
    let diagnosis = diagnose(framework, &scores);
    let by_actor = by_actor(&diagnosis.indicators, actor_of);
    let confidence = scores
        .nodes
        .iter()
        .map(|(id, s)| (id.clone(), confidence(&s.coverage)))
        .collect();
    let changes = earlier.map(|e| compare(&score(framework, e), &scores));
    Results {
        scores,
        confidence,
        diagnosis,
        by_actor,
        changes,
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;
    use crate::framework::LevelId;

    fn p(unanswered: usize, approvals: u32, required: u32) -> Progress {
        Progress {
            unanswered,
            approvals,
            required_reviewers: required,
        }
    }

    #[rstest]
    #[case(Status::Draft, Event::Submit, p(0, 0, 1), Ok(Status::Submitted))]
    #[case(
        Status::Submitted,
        Event::StartReview,
        p(0, 0, 1),
        Ok(Status::InReview)
    )]
    #[case(Status::InReview, Event::Approve, p(0, 1, 2), Ok(Status::InReview))]
    #[case(Status::InReview, Event::Approve, p(0, 2, 2), Ok(Status::Validated))]
    #[case(Status::Submitted, Event::Approve, p(0, 1, 1), Ok(Status::Validated))]
    #[case(Status::InReview, Event::RequestChanges, p(0, 1, 2), Ok(Status::Draft))]
    #[case(Status::Validated, Event::Publish, p(0, 2, 2), Ok(Status::Published))]
    fn legal_steps(
        #[case] from: Status,
        #[case] event: Event,
        #[case] progress: Progress,
        #[case] expected: Result<Status, WorkflowError>,
    ) {
        assert_eq!(transition(from, event, progress), expected);
    }

    #[test]
    fn submission_needs_every_answer() {
        let e = transition(Status::Draft, Event::Submit, p(3, 0, 1)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "3 indicators still have no answer (a level or a missing state); answer them before submitting"
        );
    }

    #[test]
    fn a_published_assessment_is_frozen() {
        for event in [
            Event::Submit,
            Event::StartReview,
            Event::Approve,
            Event::RequestChanges,
            Event::Publish,
        ] {
            let e = transition(Status::Published, event, p(0, 5, 1)).unwrap_err();
            assert!(matches!(e, WorkflowError::NotNow { .. }), "{event:?}");
        }
        assert_eq!(
            transition(Status::Draft, Event::Publish, p(0, 0, 1))
                .unwrap_err()
                .to_string(),
            "an assessment that is draft cannot be published"
        );
    }

    #[test]
    fn only_drafts_take_answers() {
        let open: Vec<Status> = Status::ALL
            .into_iter()
            .filter(|s| s.answers_open())
            .collect();
        assert_eq!(open, vec![Status::Draft]);
    }

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>().unwrap(), s);
        }
        assert!("closed".parse::<Status>().is_err());
        for m in MissingState::ALL {
            assert_eq!(parse_missing(missing_name(m)), Some(m));
        }
    }

    fn coverage(indicators: u32, answered: u32, nei: u32) -> Coverage {
        Coverage {
            indicators,
            answered,
            not_enough_information: nei,
            unanswered: indicators - answered - nei,
            ..Coverage::default()
        }
    }

    #[test]
    fn confidence_reads_coverage() {
        assert_eq!(
            confidence(&coverage(10, 9, 1)).note,
            "High confidence: 9 of 10 indicators scored (1 NEI)."
        );
        assert_eq!(confidence(&coverage(10, 7, 2)).grade, "medium");
        assert_eq!(
            confidence(&coverage(10, 6, 2)).note,
            "Low confidence: 6 of 10 indicators scored (2 NEI, 2 unanswered)."
        );
        assert_eq!(confidence(&coverage(4, 0, 4)).grade, "none");
    }

    fn n(v: i64) -> Number {
        Number::from(v)
    }

    #[test]
    fn shortfalls_group_by_the_actor_answers_name() {
        let s = |id: &str, v: i64| Shortfall {
            indicator: id.into(),
            amount: n(v),
        };
        let shortfalls = vec![s("a", 50), s("b", 25), s("c", 75), s("d", 100)];
        let actors: BTreeMap<NodeId, &str> = [
            (NodeId::from("a"), "police"),
            (NodeId::from("b"), "police"),
            (NodeId::from("c"), "army"),
        ]
        .into_iter()
        .collect();
        let lines = by_actor(&shortfalls, &actors);
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].actor, lines[0].total), ("army", n(75)));
        assert_eq!((lines[1].actor, lines[1].total), ("police", n(75)));
        assert_eq!(lines[1].indicators[0].indicator, NodeId::from("a"));
    }

    #[test]
    fn diffs_name_changed_values_and_explanations() {
        let st = |v: &str, e: &str| AnswerState {
            value: Some(AnswerValue::Level(LevelId::from(v))),
            explanation: e.into(),
        };
        let before: BTreeMap<NodeId, AnswerState> = [
            (NodeId::from("x"), st("1", "old")),
            (NodeId::from("y"), st("2", "same")),
            (NodeId::from("z"), st("3", "text")),
        ]
        .into_iter()
        .collect();
        let mut after = before.clone();
        after.insert("x".into(), st("2", "old"));
        after.insert("z".into(), st("3", "better text"));
        let d = diff_answers(&before, &after);
        assert_eq!(d.len(), 2);
        assert!(d[0].value_changed);
        assert!(!d[1].value_changed);
        assert_eq!(d[1].indicator, NodeId::from("z"));
    }

    #[test]
    fn only_members_act_and_administrators_stand_in() {
        assert!(may_answer(Some(Role::Assessor), true));
        assert!(!may_answer(Some(Role::Assessor), false));
        assert!(!may_answer(Some(Role::Reviewer), true));
        assert!(may_answer(Some(Role::Administrator), false));
        assert!(may_review(Some(Role::Reviewer), true));
        assert!(!may_review(Some(Role::Planner), true));
        assert!(!may_review(None, true));
        assert!(may_see_unpublished(Some(Role::Planner), false));
        assert!(!may_see_unpublished(Some(Role::Donor), false));
        assert!(may_see_unpublished(Some(Role::Donor), true));
    }

    #[test]
    fn percent_is_bounded() {
        assert_eq!(percent(n(1), n(4)), 25);
        assert_eq!(percent(n(5), n(4)), 100);
        assert_eq!(percent(n(1), Number::ZERO), 0);
    }
}
