//! Threat-first strategy (module M3): the threat register, goals derived from threats,
//! and strategy documents with their life cycle.
//!
//! "Start from the threat, not with the structures": a threat is described by where it
//! comes from, how far it reaches, what it aims at and what kind of source is behind it,
//! and rated by its likelihood and impact. A goal answers threats, and its priority weight
//! is computed from them by one rule ([`goal_weight`], stated in words by
//! [`describe_rule`]). A strategy document goes from draft through public consultation and
//! parliamentary debate to approval, and is due for review once it is older than its
//! review period ([`review_due`]); every change of state passes through [`transition`].

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::access::UnknownName;
use crate::framework::{DeficitSource, tag_enum};
use crate::permission::Action;
use crate::sector::FieldError;

tag_enum! {
    /// Where a threat comes from.
    Origin, "origin" {
        External => "external", "External";
        Internal => "internal", "Internal";
        Mixed => "mixed", "Mixed: external and internal";
    }
}

tag_enum! {
    /// How far a threat reaches.
    Scope, "scope" {
        Global => "global", "Global";
        Regional => "regional", "Regional";
        National => "national", "National";
        Local => "local", "Local";
    }
}

tag_enum! {
    /// What a threat aims at. New threats "do not attack attributes of the state, but
    /// policy, business and the way of life".
    Target, "target" {
        StateInstitutions => "state_institutions", "State institutions";
        Policy => "policy", "Policy";
        Business => "business", "Business";
        WayOfLife => "way_of_life", "The way of life";
    }
}

tag_enum! {
    /// The kind of source behind a threat.
    SourceKind, "kind of source" {
        State => "state", "State";
        NonStateArmed => "non_state_armed", "Non-state armed group";
        Criminal => "criminal", "Criminal";
        Terrorist => "terrorist", "Terrorist";
        Economic => "economic", "Economic";
        Technological => "technological", "Technological";
        Natural => "natural", "Natural";
        Health => "health", "Health";
        Other => "other", "Other";
    }
}

tag_enum! {
    /// Whether a threat is growing.
    Trend, "trend" {
        Rising => "rising", "Rising";
        Stable => "stable", "Stable";
        Falling => "falling", "Falling";
    }
}

/// The lowest and highest rating of likelihood and impact.
pub const RATING: std::ops::RangeInclusive<i64> = 1..=5;

/// How a rating of likelihood or impact reads, from 1 to 5.
pub const fn rating_label(rating: i64) -> &'static str {
    match rating {
        1 => "very low",
        2 => "low",
        3 => "medium",
        4 => "high",
        5 => "very high",
        _ => "not rated",
    }
}

/// The band of a risk rating (likelihood × impact, 1 to 25).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// 1 to 4.
    Low,
    /// 5 to 9.
    Medium,
    /// 10 to 15.
    High,
    /// 16 to 25.
    VeryHigh,
}

impl Band {
    /// Every band, lowest first.
    pub const ALL: [Band; 4] = [Band::Low, Band::Medium, Band::High, Band::VeryHigh];

    /// The band of a rating.
    pub const fn of(rating: i64) -> Band {
        match rating {
            ..=4 => Band::Low,
            5..=9 => Band::Medium,
            10..=15 => Band::High,
            _ => Band::VeryHigh,
        }
    }

    /// The stable name, used in the API and as a CSS class.
    pub const fn as_str(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
            Band::VeryHigh => "very_high",
        }
    }

    /// The band in words.
    pub const fn label(self) -> &'static str {
        match self {
            Band::Low => "Low",
            Band::Medium => "Medium",
            Band::High => "High",
            Band::VeryHigh => "Very high",
        }
    }

    /// The ratings the band covers, in words.
    pub const fn range(self) -> &'static str {
        match self {
            Band::Low => "1 to 4",
            Band::Medium => "5 to 9",
            Band::High => "10 to 15",
            Band::VeryHigh => "16 to 25",
        }
    }
}

/// A threat's risk: likelihood × impact, and its band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Risk {
    /// Likelihood, 1 to 5.
    pub likelihood: i64,
    /// Impact, 1 to 5.
    pub impact: i64,
    /// Their product, 1 to 25.
    pub rating: i64,
    /// The band the product falls in.
    pub band: Band,
}

impl Risk {
    /// The risk of a threat rated so. Ratings outside 1 to 5 are clamped into it (the
    /// checks refuse them before they are stored).
    pub fn new(likelihood: i64, impact: i64) -> Risk {
        let (l, i) = (
            likelihood.clamp(*RATING.start(), *RATING.end()),
            impact.clamp(*RATING.start(), *RATING.end()),
        );
        Risk {
            likelihood: l,
            impact: i,
            rating: l * i,
            band: Band::of(l * i),
        }
    }

    /// The risk in words: "high (12: likelihood 4 × impact 3)".
    pub fn describe(&self) -> String {
        format!(
            "{} ({}: likelihood {} × impact {})",
            self.band.label().to_lowercase(),
            self.rating,
            self.likelihood,
            self.impact
        )
    }
}

/// The fields of a threat, as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreatFields {
    /// A short name ("Cross-border arms trafficking").
    pub name: String,
    /// What the threat is, in words.
    pub description: String,
    /// Where it comes from.
    pub origin: Origin,
    /// How far it reaches.
    pub scope: Scope,
    /// What it aims at (one or more).
    pub targets: BTreeSet<Target>,
    /// The kind of source behind it.
    pub source_kind: SourceKind,
    /// How likely it is to materialise, 1 to 5.
    pub likelihood: i64,
    /// How much harm it would do, 1 to 5.
    pub impact: i64,
    /// Whether it is growing.
    pub trend: Trend,
    /// When the rating is to be looked at again.
    pub review_on: Option<NaiveDate>,
}

fn problem(field: &'static str, message: &str) -> FieldError {
    FieldError {
        field,
        message: message.to_owned(),
    }
}

impl ThreatFields {
    /// Checks a threat's fields and returns every problem found.
    pub fn check(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push(problem("name", "enter the threat's name"));
        } else if self.name.chars().count() > 200 {
            problems.push(problem("name", "the name must be 200 characters or fewer"));
        }
        if self.targets.is_empty() {
            problems.push(problem(
                "targets",
                "choose at least one thing the threat aims at",
            ));
        }
        if !RATING.contains(&self.likelihood) {
            problems.push(problem("likelihood", "likelihood must be from 1 to 5"));
        }
        if !RATING.contains(&self.impact) {
            problems.push(problem("impact", "impact must be from 1 to 5"));
        }
        problems
    }

    /// The threat's risk.
    pub fn risk(&self) -> Risk {
        Risk::new(self.likelihood, self.impact)
    }
}

/// The stored form of a set of targets: their names, comma-separated, in order.
pub fn targets_to_text(targets: &BTreeSet<Target>) -> String {
    targets
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads the stored form of a set of targets.
pub fn targets_from_text(text: &str) -> Result<BTreeSet<Target>, UnknownName> {
    text.split(',')
        .filter(|t| !t.trim().is_empty())
        .map(str::parse)
        .collect()
}

/// A deficit a goal closes: a source of deficit from the seeds, or one indicator of an
/// assessment framework.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "key")]
pub enum Deficit {
    /// A source of deficit, such as poor legislation.
    Source(DeficitSource),
    /// A framework's indicator, as `FRAMEWORK/INDICATOR` (`ideal-security-sector/strategy-1`).
    Indicator(String),
}

/// A deficit key that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a deficit: give a source of deficit (such as poor_legislation) or an indicator as FRAMEWORK/INDICATOR"
)]
pub struct BadDeficit(pub String);

impl Deficit {
    /// The stable text key: the source's name, or `FRAMEWORK/INDICATOR`.
    pub fn key(&self) -> String {
        match self {
            Deficit::Source(s) => s.as_str().to_owned(),
            Deficit::Indicator(i) => i.clone(),
        }
    }

    /// The deficit in words.
    pub fn label(&self) -> String {
        match self {
            Deficit::Source(s) => format!("Source of deficit: {}", s.label()),
            Deficit::Indicator(i) => format!("Indicator {i}"),
        }
    }
}

impl FromStr for Deficit {
    type Err = BadDeficit;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(source) = s.parse::<DeficitSource>() {
            return Ok(Deficit::Source(source));
        }
        let ok_part = |p: &str| {
            !p.is_empty()
                && p.len() <= 100
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        match s.split_once('/') {
            Some((framework, indicator)) if ok_part(framework) && ok_part(indicator) => {
                Ok(Deficit::Indicator(s.to_owned()))
            }
            _ => Err(BadDeficit(s.to_owned())),
        }
    }
}

/// A priority weight from 0 to 1, kept in thousandths so that it is exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Weight(u16);

impl Weight {
    /// The smallest weight, 0.
    pub const ZERO: Weight = Weight(0);
    /// The largest weight, 1.
    pub const MAX: Weight = Weight(1000);

    /// A weight from thousandths (0 to 1000), or `None` outside that range.
    pub fn from_thousandths(t: i64) -> Option<Weight> {
        (0..=1000)
            .contains(&t)
            .then(|| Weight(u16::try_from(t).unwrap_or(0)))
    }

    /// The weight in thousandths.
    pub const fn thousandths(self) -> i64 {
        self.0 as i64
    }

    /// Reads a weight written as a decimal from 0 to 1 ("0.75", "1", ".8"), to at most
    /// three decimals.
    pub fn parse(s: &str) -> Option<Weight> {
        let s = s.trim();
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        if (whole.is_empty() && frac.is_empty())
            || frac.len() > 3
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let frac: i64 = format!("{frac:0<3}").parse().ok()?;
        Weight::from_thousandths(whole.checked_mul(1000)?.checked_add(frac)?)
    }
}

impl fmt::Display for Weight {
    /// Two decimals, as pages show it ("0.64").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hundredths = (self.0 + 5) / 10;
        write!(f, "{}.{:02}", hundredths / 100, hundredths % 100)
    }
}

/// The increment, in thousandths, that each threat beyond the gravest adds to a goal.
pub const FURTHER_THREAT_INCREMENT: i64 = 50;

/// A goal's priority weight, computed from the risks of the threats it answers: the
/// highest rating among them divided by 25 (the highest rating possible), plus 0.05 for
/// each further threat, at most 1. A goal that answers no threat weighs 0.
pub fn goal_weight(risks: &[Risk]) -> Weight {
    let Some(highest) = risks.iter().map(|r| r.rating).max() else {
        return Weight::ZERO;
    };
    let further = risks.len() as i64 - 1;
    let t = highest * 1000 / 25 + FURTHER_THREAT_INCREMENT * further;
    Weight::from_thousandths(t.min(1000)).unwrap_or(Weight::MAX)
}

/// The rule of [`goal_weight`] in words, for the pages.
pub const fn describe_rule() -> &'static str {
    "A goal's weight is the highest risk rating (likelihood × impact) among the threats it answers, divided by 25, plus 0.05 for each further threat it answers, up to a maximum of 1. A goal that answers no threat weighs 0."
}

/// The computation of one goal's weight, in words: "16 ÷ 25 = 0.64, plus 2 further
/// threats × 0.05 = 0.74".
pub fn explain_weight(risks: &[Risk]) -> String {
    let Some(highest) = risks.iter().map(|r| r.rating).max() else {
        return "It answers no threat you can see, so its computed weight is 0.".into();
    };
    let base = Weight::from_thousandths(highest * 40).unwrap_or(Weight::MAX);
    let further = risks.len() - 1;
    let weight = goal_weight(risks);
    let capped = if highest * 40 + FURTHER_THREAT_INCREMENT * further as i64 > 1000 {
        ", capped at 1"
    } else {
        ""
    };
    match further {
        0 => format!("Highest rating {highest} ÷ 25 = {base}."),
        n => format!(
            "Highest rating {highest} ÷ 25 = {base}, plus {n} further {} × 0.05 = {weight}{capped}.",
            if n == 1 { "threat" } else { "threats" }
        ),
    }
}

/// A weight set by hand, with the reason it was recorded for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightOverride {
    /// The weight that replaces the computed one.
    pub weight: Weight,
    /// Why.
    pub reason: String,
}

/// The fields of a goal, as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalFields {
    /// What the goal is ("Control the northern border").
    pub title: String,
    /// What reaching it means, in words.
    pub description: String,
    /// A weight set by hand, which needs a reason.
    pub weight_override: Option<WeightOverride>,
}

impl GoalFields {
    /// Checks a goal's fields and returns every problem found.
    pub fn check(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if self.title.trim().is_empty() {
            problems.push(problem("title", "enter the goal's title"));
        } else if self.title.chars().count() > 200 {
            problems.push(problem(
                "title",
                "the title must be 200 characters or fewer",
            ));
        }
        if let Some(o) = &self.weight_override
            && o.reason.trim().is_empty()
        {
            problems.push(problem(
                "override_reason",
                "give the reason for overriding the computed weight",
            ));
        }
        problems
    }
}

/// A goal's weight as computed and as it stands after any override.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GoalWeight {
    /// The weight the rule gives.
    pub computed: Weight,
    /// The override in force, if any.
    pub overridden: Option<WeightOverride>,
}

impl GoalWeight {
    /// The weight in force: the override if there is one, else the computed weight.
    pub fn effective(&self) -> Weight {
        self.overridden.as_ref().map_or(self.computed, |o| o.weight)
    }
}

/// Where a strategy document stands in its life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being written.
    Draft,
    /// Open to public comment.
    Consultation,
    /// Before parliament.
    Debate,
    /// Approved by parliament.
    Approved,
}

impl Status {
    /// Every status, in the order of the life cycle.
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::Consultation,
        Status::Debate,
        Status::Approved,
    ];

    /// The stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Consultation => "consultation",
            Status::Debate => "debate",
            Status::Approved => "approved",
        }
    }

    /// The status in words.
    pub const fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Consultation => "Public consultation",
            Status::Debate => "Parliamentary debate",
            Status::Approved => "Approved",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s.trim())
    }

    /// True when the anonymous public may read a strategy in this state: once it has
    /// gone to public consultation. Drafts are for the people working on them.
    pub const fn is_public(self) -> bool {
        !matches!(self, Status::Draft)
    }

    /// True when the text may still be changed: an approved strategy is frozen.
    pub const fn is_editable(self) -> bool {
        !matches!(self, Status::Approved)
    }
}

/// The most years a review period may last.
pub const MAX_REVIEW_YEARS: i64 = 10;

/// The text of a strategy document, as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrategyFields {
    /// Its title ("National Security Strategy 2024–2029").
    pub title: String,
    /// A summary of a paragraph or two.
    pub summary: String,
    /// The full text.
    pub body: String,
    /// How many years after approval it is due for review.
    pub review_years: i64,
}

impl StrategyFields {
    /// Checks a strategy's fields and returns every problem found.
    pub fn check(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if self.title.trim().is_empty() {
            problems.push(problem("title", "enter the strategy's title"));
        } else if self.title.chars().count() > 200 {
            problems.push(problem(
                "title",
                "the title must be 200 characters or fewer",
            ));
        }
        if !(1..=MAX_REVIEW_YEARS).contains(&self.review_years) {
            problems.push(problem(
                "review_years",
                "the review period must be from 1 to 10 years",
            ));
        }
        problems
    }
}

/// The life-cycle state of a strategy document: its status and the dates and reference
/// that come with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    /// Where it stands.
    pub status: Status,
    /// The day public consultation opens.
    pub consultation_opens_on: Option<NaiveDate>,
    /// The last day of public consultation.
    pub consultation_closes_on: Option<NaiveDate>,
    /// The day parliament approved it.
    pub approved_on: Option<NaiveDate>,
    /// The reference of parliament's vote.
    pub vote_reference: Option<String>,
}

impl Lifecycle {
    /// A new draft.
    pub const fn draft() -> Lifecycle {
        Lifecycle {
            status: Status::Draft,
            consultation_opens_on: None,
            consultation_closes_on: None,
            approved_on: None,
            vote_reference: None,
        }
    }

    /// True when comments may be made today: in consultation, between its opening and
    /// closing days.
    pub fn accepts_comments(&self, today: NaiveDate) -> bool {
        self.status == Status::Consultation
            && self.consultation_opens_on.is_some_and(|d| d <= today)
            && self.consultation_closes_on.is_some_and(|d| today <= d)
    }
}

/// A step in the life cycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum Transition {
    /// Draft → public consultation, open between two days.
    OpenConsultation {
        /// The first day comments are taken.
        opens_on: NaiveDate,
        /// The last day.
        closes_on: NaiveDate,
    },
    /// Public consultation → parliamentary debate.
    SendToParliament,
    /// Parliamentary debate → approved, with parliament's decision.
    Approve {
        /// The day of the vote.
        approved_on: NaiveDate,
        /// The vote's reference ("NA/2024/117").
        vote_reference: String,
    },
    /// Parliamentary debate → draft: parliament sent it back.
    ReturnToDraft,
}

impl Transition {
    /// The step's stable name.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Transition::OpenConsultation { .. } => "open_consultation",
            Transition::SendToParliament => "send_to_parliament",
            Transition::Approve { .. } => "approve",
            Transition::ReturnToDraft => "return_to_draft",
        }
    }

    /// The step in words, for buttons.
    pub fn label(&self) -> &'static str {
        step(self.as_str()).map_or("", |(_, label, _)| label)
    }

    /// The permission the step needs.
    pub fn action(&self) -> Action {
        step(self.as_str()).map_or(Action::EditStrategy, |(_, _, action)| action)
    }

    /// The status the step leaves from.
    pub const fn from(&self) -> Status {
        match self {
            Transition::OpenConsultation { .. } => Status::Draft,
            Transition::SendToParliament => Status::Consultation,
            Transition::Approve { .. } | Transition::ReturnToDraft => Status::Debate,
        }
    }

    /// The status the step leads to.
    pub const fn to(&self) -> Status {
        match self {
            Transition::OpenConsultation { .. } => Status::Consultation,
            Transition::ReturnToDraft => Status::Draft,
            Transition::SendToParliament => Status::Debate,
            Transition::Approve { .. } => Status::Approved,
        }
    }
}

/// The steps of the life cycle by name, with the words on their buttons and the
/// permission each needs: the planners take a strategy to consultation and to parliament;
/// parliament's decision is recorded by those who may record it.
pub const STEPS: [(&str, &str, Action); 4] = [
    (
        "open_consultation",
        "Open public consultation",
        Action::EditStrategy,
    ),
    (
        "send_to_parliament",
        "Close consultation and send to parliament",
        Action::EditStrategy,
    ),
    (
        "approve",
        "Record parliament's approval",
        Action::RecordParliamentaryDecision,
    ),
    (
        "return_to_draft",
        "Record that parliament sent it back to draft",
        Action::RecordParliamentaryDecision,
    ),
];

/// The step of this name: its name, words and permission.
pub fn step(name: &str) -> Option<(&'static str, &'static str, Action)> {
    STEPS.into_iter().find(|(n, _, _)| *n == name)
}

/// The name of the one step that leads to a status (for those who say where a strategy
/// should go rather than which step to take). Whether the step may be taken from where
/// the strategy stands is for [`transition`] to say.
pub const fn step_toward(status: Status) -> &'static str {
    match status {
        Status::Draft => "return_to_draft",
        Status::Consultation => "open_consultation",
        Status::Debate => "send_to_parliament",
        Status::Approved => "approve",
    }
}

/// What a step may carry, as given by an API call or a command: the consultation's days
/// with `open_consultation`, the day and reference of parliament's vote with `approve`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepFields {
    /// The first day of public consultation.
    pub consultation_opens_on: Option<NaiveDate>,
    /// The last day of public consultation.
    pub consultation_closes_on: Option<NaiveDate>,
    /// The day of parliament's vote.
    pub approved_on: Option<NaiveDate>,
    /// The reference of parliament's vote (checked by [`transition`]).
    pub vote_reference: String,
}

impl Transition {
    /// The step named `name` with the fields it needs, or every problem: an unknown step,
    /// or each missing day, named after its field.
    pub fn named(name: &str, fields: StepFields) -> Result<Transition, Vec<FieldError>> {
        let missing = |field: &'static str, what: &str| problem(field, &format!("give {what}"));
        match name {
            "open_consultation" => {
                match (fields.consultation_opens_on, fields.consultation_closes_on) {
                    (Some(opens_on), Some(closes_on)) => Ok(Transition::OpenConsultation {
                        opens_on,
                        closes_on,
                    }),
                    (opens, closes) => {
                        let mut problems = Vec::new();
                        if opens.is_none() {
                            problems.push(missing(
                                "consultation_opens_on",
                                "the first day of public consultation",
                            ));
                        }
                        if closes.is_none() {
                            problems.push(missing(
                                "consultation_closes_on",
                                "the last day of public consultation",
                            ));
                        }
                        Err(problems)
                    }
                }
            }
            "send_to_parliament" => Ok(Transition::SendToParliament),
            "approve" => match fields.approved_on {
                Some(approved_on) => Ok(Transition::Approve {
                    approved_on,
                    vote_reference: fields.vote_reference,
                }),
                None => Err(vec![missing("approved_on", "the day of parliament's vote")]),
            },
            "return_to_draft" => Ok(Transition::ReturnToDraft),
            other => Err(vec![problem(
                "step",
                &format!(
                    "'{other}' is not a step of the life cycle: use one of {}",
                    STEPS.map(|(n, _, _)| n).join(", ")
                ),
            )]),
        }
    }
}

/// Why a step of the life cycle was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The step does not leave from the current status.
    #[error("a strategy in {} cannot {}: {}", .from.label().to_lowercase(), .step, .hint)]
    Illegal {
        /// Where the strategy stands.
        from: Status,
        /// What was asked, in words.
        step: &'static str,
        /// What would be allowed instead.
        hint: &'static str,
    },
    /// A field of the step is wrong.
    #[error("{0}")]
    Field(FieldError),
}

fn field_error(field: &'static str, message: &str) -> TransitionError {
    TransitionError::Field(problem(field, message))
}

/// What may be done next from a status, in words, for errors.
const fn next_steps(from: Status) -> &'static str {
    match from {
        Status::Draft => "a draft can only go to public consultation",
        Status::Consultation => "after public consultation it goes to parliament",
        Status::Debate => "parliament either approves it or sends it back to draft",
        Status::Approved => "an approved strategy is final; write a new strategy to replace it",
    }
}

/// Applies one step of the life cycle to a strategy's state, or says why it may not be
/// taken. The one function that changes a strategy's status.
pub fn transition(
    current: &Lifecycle,
    step: &Transition,
    today: NaiveDate,
) -> Result<Lifecycle, TransitionError> {
    if current.status != step.from() {
        let step_words = match step {
            Transition::OpenConsultation { .. } => "go to public consultation",
            Transition::SendToParliament => "be sent to parliament",
            Transition::Approve { .. } => "be approved",
            Transition::ReturnToDraft => "be sent back to draft",
        };
        return Err(TransitionError::Illegal {
            from: current.status,
            step: step_words,
            hint: next_steps(current.status),
        });
    }
    let mut next = current.clone();
    next.status = step.to();
    match step {
        Transition::OpenConsultation {
            opens_on,
            closes_on,
        } => {
            if closes_on < opens_on {
                return Err(field_error(
                    "consultation_closes_on",
                    "the consultation must close on or after the day it opens",
                ));
            }
            if *closes_on < today {
                return Err(field_error(
                    "consultation_closes_on",
                    "the consultation cannot close in the past",
                ));
            }
            next.consultation_opens_on = Some(*opens_on);
            next.consultation_closes_on = Some(*closes_on);
        }
        Transition::SendToParliament => {
            // Sending it early closes the consultation that day.
            if next.consultation_closes_on.is_none_or(|d| d > today) {
                next.consultation_closes_on = Some(today);
            }
        }
        Transition::Approve {
            approved_on,
            vote_reference,
        } => {
            if vote_reference.trim().is_empty() {
                return Err(field_error(
                    "vote_reference",
                    "enter the reference of parliament's vote",
                ));
            }
            if *approved_on > today {
                return Err(field_error(
                    "approved_on",
                    "the approval date cannot be in the future",
                ));
            }
            if current
                .consultation_closes_on
                .is_some_and(|d| *approved_on < d)
            {
                return Err(field_error(
                    "approved_on",
                    "parliament cannot approve a strategy before its public consultation closed",
                ));
            }
            next.approved_on = Some(*approved_on);
            next.vote_reference = Some(vote_reference.trim().to_owned());
        }
        Transition::ReturnToDraft => {
            next.consultation_opens_on = None;
            next.consultation_closes_on = None;
        }
    }
    Ok(next)
}

/// The steps that may be taken from a status, for the pages to offer.
pub const fn steps_from(status: Status) -> &'static [&'static str] {
    match status {
        Status::Draft => &["open_consultation"],
        Status::Consultation => &["send_to_parliament"],
        Status::Debate => &["approve", "return_to_draft"],
        Status::Approved => &[],
    }
}

/// The day an approved strategy falls due for review: its approval date plus its review
/// period in years (29 February falls on 28 February in a year that has none).
pub fn review_due_on(approved_on: NaiveDate, review_years: i64) -> NaiveDate {
    let year = approved_on.year() + i32::try_from(review_years).unwrap_or(i32::MAX / 2);
    approved_on
        .with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, approved_on.month(), 28))
        .unwrap_or(NaiveDate::MAX)
}

/// True when a strategy is due for review: it was approved and is today at least its
/// review period old. A strategy that was never approved is not "due" (it is not in
/// force at all).
pub fn review_due(lifecycle: &Lifecycle, review_years: i64, today: NaiveDate) -> bool {
    lifecycle.status == Status::Approved
        && lifecycle
            .approved_on
            .is_some_and(|d| today >= review_due_on(d, review_years))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rstest::rstest;

    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[rstest]
    #[case(1, 1, 1, Band::Low)]
    #[case(2, 2, 4, Band::Low)]
    #[case(1, 5, 5, Band::Medium)]
    #[case(3, 3, 9, Band::Medium)]
    #[case(4, 3, 12, Band::High)]
    #[case(5, 3, 15, Band::High)]
    #[case(4, 4, 16, Band::VeryHigh)]
    #[case(5, 5, 25, Band::VeryHigh)]
    fn risk_is_likelihood_times_impact_in_bands(
        #[case] l: i64,
        #[case] i: i64,
        #[case] rating: i64,
        #[case] band: Band,
    ) {
        let r = Risk::new(l, i);
        assert_eq!((r.rating, r.band), (rating, band));
    }

    #[test]
    fn risk_reads_in_words() {
        assert_eq!(
            Risk::new(4, 3).describe(),
            "high (12: likelihood 4 × impact 3)"
        );
    }

    #[test]
    fn threat_fields_are_checked_all_at_once() {
        let f = ThreatFields {
            name: " ".into(),
            description: String::new(),
            origin: Origin::External,
            scope: Scope::Regional,
            targets: BTreeSet::new(),
            source_kind: SourceKind::Criminal,
            likelihood: 0,
            impact: 6,
            trend: Trend::Rising,
            review_on: None,
        };
        let fields: Vec<&str> = f.check().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "targets", "likelihood", "impact"]);
    }

    #[test]
    fn kinds_and_targets_round_trip() {
        for k in SourceKind::ALL {
            assert_eq!(k.as_str().parse::<SourceKind>(), Ok(*k));
        }
        let set: BTreeSet<Target> = [Target::WayOfLife, Target::Policy].into();
        assert_eq!(targets_to_text(&set), "policy,way_of_life");
        assert_eq!(targets_from_text("policy,way_of_life"), Ok(set));
        assert!(targets_from_text("policy,weather").is_err());
        assert!("non-state armed".parse::<SourceKind>().is_ok());
    }

    #[rstest]
    #[case(
        "poor_legislation",
        Some(Deficit::Source(DeficitSource::PoorLegislation))
    )]
    #[case(
        "ideal-security-sector/strategy.1",
        Some(Deficit::Indicator("ideal-security-sector/strategy.1".into()))
    )]
    #[case("no-slash", None)]
    #[case("a/b c", None)]
    #[case("/x", None)]
    fn deficits_are_read_from_keys(#[case] key: &str, #[case] expected: Option<Deficit>) {
        let got = key.parse::<Deficit>().ok();
        assert_eq!(got, expected);
        if let Some(d) = got {
            assert_eq!(d.key(), key);
        }
    }

    #[rstest]
    #[case(&[], 0)]
    #[case(&[(4, 4)], 640)]
    #[case(&[(4, 4), (3, 4)], 690)]
    #[case(&[(3, 4), (4, 4), (4, 3)], 740)]
    #[case(&[(5, 5)], 1000)]
    #[case(&[(5, 5), (1, 1)], 1000)]
    #[case(&[(1, 1)], 40)]
    #[case(&[(4, 5), (1, 1), (1, 1), (1, 1), (1, 1)], 1000)]
    fn goal_weights_have_known_answers(#[case] ratings: &[(i64, i64)], #[case] expected: i64) {
        let risks: Vec<Risk> = ratings.iter().map(|(l, i)| Risk::new(*l, *i)).collect();
        assert_eq!(goal_weight(&risks).thousandths(), expected);
    }

    #[test]
    fn the_weight_is_explained() {
        let risks = [Risk::new(4, 4), Risk::new(3, 4), Risk::new(4, 3)];
        assert_eq!(
            explain_weight(&risks),
            "Highest rating 16 ÷ 25 = 0.64, plus 2 further threats × 0.05 = 0.74."
        );
        assert_eq!(
            explain_weight(&[Risk::new(5, 5), Risk::new(1, 1)]),
            "Highest rating 25 ÷ 25 = 1.00, plus 1 further threat × 0.05 = 1.00, capped at 1."
        );
        assert!(describe_rule().contains("divided by 25"));
    }

    #[rstest]
    #[case("0.75", Some(750))]
    #[case("1", Some(1000))]
    #[case(".8", Some(800))]
    #[case("0.125", Some(125))]
    #[case("1.5", None)]
    #[case("0.1234", None)]
    #[case("-0.5", None)]
    #[case("", None)]
    #[case("abc", None)]
    fn weights_are_read_from_decimals(#[case] text: &str, #[case] expected: Option<i64>) {
        assert_eq!(Weight::parse(text).map(Weight::thousandths), expected);
    }

    #[test]
    fn an_override_needs_a_reason() {
        let goal = GoalFields {
            title: "Control the northern border".into(),
            description: String::new(),
            weight_override: Some(WeightOverride {
                weight: Weight::MAX,
                reason: "  ".into(),
            }),
        };
        let fields: Vec<&str> = goal.check().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["override_reason"]);
        let w = GoalWeight {
            computed: Weight(640),
            overridden: goal.weight_override,
        };
        assert_eq!(w.effective(), Weight::MAX);
    }

    fn in_debate() -> Lifecycle {
        Lifecycle {
            status: Status::Debate,
            consultation_opens_on: Some(day("2024-03-01")),
            consultation_closes_on: Some(day("2024-05-31")),
            approved_on: None,
            vote_reference: None,
        }
    }

    #[test]
    fn a_strategy_goes_through_its_life_cycle() {
        let today = day("2024-02-15");
        let s = transition(
            &Lifecycle::draft(),
            &Transition::OpenConsultation {
                opens_on: day("2024-03-01"),
                closes_on: day("2024-05-31"),
            },
            today,
        )
        .unwrap();
        assert_eq!(s.status, Status::Consultation);
        assert!(!s.accepts_comments(today));
        assert!(s.accepts_comments(day("2024-03-01")));
        assert!(s.accepts_comments(day("2024-05-31")));
        assert!(!s.accepts_comments(day("2024-06-01")));
        let s = transition(&s, &Transition::SendToParliament, day("2024-06-10")).unwrap();
        assert_eq!(s, in_debate());
        let s = transition(
            &s,
            &Transition::Approve {
                approved_on: day("2024-11-14"),
                vote_reference: " NA/2024/117 ".into(),
            },
            day("2024-11-20"),
        )
        .unwrap();
        assert_eq!(s.status, Status::Approved);
        assert_eq!(s.vote_reference.as_deref(), Some("NA/2024/117"));
    }

    #[test]
    fn sending_a_strategy_early_closes_its_consultation() {
        let s = Lifecycle {
            status: Status::Consultation,
            consultation_opens_on: Some(day("2024-03-01")),
            consultation_closes_on: Some(day("2024-05-31")),
            ..Lifecycle::draft()
        };
        let s = transition(&s, &Transition::SendToParliament, day("2024-04-02")).unwrap();
        assert_eq!(s.consultation_closes_on, Some(day("2024-04-02")));
    }

    #[test]
    fn illegal_steps_are_refused_in_words() {
        let e = transition(
            &Lifecycle::draft(),
            &Transition::Approve {
                approved_on: day("2024-01-01"),
                vote_reference: "X".into(),
            },
            day("2024-02-01"),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "a strategy in draft cannot be approved: a draft can only go to public consultation"
        );
        let approved = Lifecycle {
            status: Status::Approved,
            ..in_debate()
        };
        let e = transition(&approved, &Transition::ReturnToDraft, day("2025-01-01")).unwrap_err();
        assert!(
            e.to_string().contains("an approved strategy is final"),
            "{e}"
        );
    }

    #[rstest]
    #[case("", "2024-11-14", "vote_reference")]
    #[case("NA/1", "2030-01-01", "approved_on")]
    #[case("NA/1", "2024-05-01", "approved_on")]
    fn an_approval_needs_a_reference_and_a_sensible_date(
        #[case] reference: &str,
        #[case] on: &str,
        #[case] field: &str,
    ) {
        let e = transition(
            &in_debate(),
            &Transition::Approve {
                approved_on: day(on),
                vote_reference: reference.into(),
            },
            day("2024-12-01"),
        )
        .unwrap_err();
        let TransitionError::Field(f) = e else {
            panic!("expected a field error, got {e}")
        };
        assert_eq!(f.field, field);
    }

    #[test]
    fn the_step_toward_each_status_leads_there() {
        for status in Status::ALL {
            let name = step_toward(status);
            assert!(step(name).is_some(), "{name}");
            let fields = StepFields {
                consultation_opens_on: Some(day("2024-03-01")),
                consultation_closes_on: Some(day("2024-05-31")),
                approved_on: Some(day("2024-11-14")),
                vote_reference: "NA/1".into(),
            };
            let t = Transition::named(name, fields).unwrap();
            assert_eq!((t.as_str(), t.to()), (name, status));
        }
    }

    #[rstest]
    #[case("open_consultation", StepFields::default(), &["consultation_opens_on", "consultation_closes_on"])]
    #[case(
        "open_consultation",
        StepFields { consultation_opens_on: Some(day("2024-03-01")), ..StepFields::default() },
        &["consultation_closes_on"]
    )]
    #[case("approve", StepFields { vote_reference: "NA/1".into(), ..StepFields::default() }, &["approved_on"])]
    #[case("publish", StepFields::default(), &["step"])]
    fn a_step_names_each_missing_field(
        #[case] name: &str,
        #[case] fields: StepFields,
        #[case] expected: &[&str],
    ) {
        let problems = Transition::named(name, fields).unwrap_err();
        let named: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(named, expected);
    }

    #[test]
    fn an_unknown_step_lists_the_steps() {
        let problems = Transition::named("publish", StepFields::default()).unwrap_err();
        assert_eq!(
            problems[0].to_string(),
            "step: 'publish' is not a step of the life cycle: use one of open_consultation, send_to_parliament, approve, return_to_draft"
        );
    }

    #[test]
    fn a_consultation_cannot_close_before_it_opens() {
        let e = transition(
            &Lifecycle::draft(),
            &Transition::OpenConsultation {
                opens_on: day("2024-03-01"),
                closes_on: day("2024-02-01"),
            },
            day("2024-01-01"),
        )
        .unwrap_err();
        assert!(matches!(e, TransitionError::Field(f) if f.field == "consultation_closes_on"));
    }

    #[rstest]
    #[case("2024-11-14", 5, "2029-11-13", false)]
    #[case("2024-11-14", 5, "2029-11-14", true)]
    #[case("2016-06-30", 5, "2026-11-23", true)]
    #[case("2024-02-29", 1, "2025-02-28", true)]
    #[case("2024-02-29", 1, "2025-02-27", false)]
    fn review_falls_due_after_the_review_period(
        #[case] approved: &str,
        #[case] years: i64,
        #[case] today: &str,
        #[case] due: bool,
    ) {
        let s = Lifecycle {
            status: Status::Approved,
            approved_on: Some(day(approved)),
            ..in_debate()
        };
        assert_eq!(review_due(&s, years, day(today)), due);
        assert!(!review_due(&in_debate(), years, day(today)));
    }

    #[test]
    fn every_step_offered_is_one_that_leaves_from_that_status() {
        for status in Status::ALL {
            for step in steps_from(status) {
                let leaves = [
                    Transition::OpenConsultation {
                        opens_on: NaiveDate::MIN,
                        closes_on: NaiveDate::MIN,
                    },
                    Transition::SendToParliament,
                    Transition::Approve {
                        approved_on: NaiveDate::MIN,
                        vote_reference: String::new(),
                    },
                    Transition::ReturnToDraft,
                ]
                .into_iter()
                .find(|t| t.as_str() == *step)
                .unwrap();
                assert_eq!(leaves.from(), status);
            }
        }
    }

    fn arb_risks() -> impl Strategy<Value = Vec<Risk>> {
        prop::collection::vec((1i64..=5, 1i64..=5), 0..8)
            .prop_map(|v| v.into_iter().map(|(l, i)| Risk::new(l, i)).collect())
    }

    proptest! {
        #[test]
        fn weights_stay_between_0_and_1(risks in arb_risks()) {
            let w = goal_weight(&risks).thousandths();
            prop_assert!((0..=1000).contains(&w));
            prop_assert_eq!(w == 0, risks.is_empty());
        }

        #[test]
        fn another_threat_never_lowers_a_weight(risks in arb_risks(), l in 1i64..=5, i in 1i64..=5) {
            let mut more = risks.clone();
            more.push(Risk::new(l, i));
            prop_assert!(goal_weight(&more) >= goal_weight(&risks));
        }

        #[test]
        fn a_graver_threat_never_lowers_a_weight(risks in arb_risks(), at in 0usize..8, dl in 0i64..=4, di in 0i64..=4) {
            prop_assume!(!risks.is_empty());
            let at = at % risks.len();
            let mut graver = risks.clone();
            graver[at] = Risk::new(risks[at].likelihood + dl, risks[at].impact + di);
            prop_assert!(goal_weight(&graver) >= goal_weight(&risks));
        }

        #[test]
        fn the_order_of_threats_does_not_matter(mut risks in arb_risks()) {
            let w = goal_weight(&risks);
            risks.reverse();
            prop_assert_eq!(goal_weight(&risks), w);
        }
    }
}
