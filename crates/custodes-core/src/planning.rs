//! The records of capabilities-based planning (module M4) around the plan problem of
//! [`crate::plan`]: the planning horizon, the field checks of capabilities, programmes,
//! options and funding sources as people enter them, budget scenarios and how they change
//! a problem, the life cycle of plans, and the comparison of two plans.
//!
//! The rules that bind a plan (ceilings, dependencies, gates, …) live in [`crate::plan`];
//! this module checks what a form or a file gives before it is stored, so that a bad value
//! is named by its field, and runs a plan's life cycle, so that the store and the pages
//! only ask.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::AssessmentId;
use crate::framework::ReformField;
use crate::permission::Action;
use crate::plan::{
    Choice, Contribution, MinimumShare, OptionId, Plan, PlanProblem, ProgrammeId, ProgrammeKind,
    ShareOf, SourceCost, SourceId,
};
use crate::policy::Viewer;
use crate::sector::FieldError;

fn problem(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// The longest horizon a workspace may plan over, in years.
pub const MAX_YEARS: u32 = 30;

/// The planning horizon of a workspace: the years every yearly list covers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Horizon {
    /// The first year (2027).
    pub first_year: i32,
    /// How many years (10).
    pub years: u32,
    /// The yearly discount rate of the gap (0.03 for 3%).
    pub discount_rate: f64,
}

impl Horizon {
    /// The last year.
    pub fn last_year(&self) -> i32 {
        self.first_year + self.years as i32 - 1
    }

    /// The years, in order.
    pub fn year_list(&self) -> Vec<i32> {
        (self.first_year..=self.last_year()).collect()
    }

    /// Checks a horizon and returns every problem found.
    pub fn check(&self) -> Vec<FieldError> {
        let mut p = Vec::new();
        if !(1990..=2200).contains(&self.first_year) {
            p.push(problem(
                "first_year",
                "the first year must be from 1990 to 2200",
            ));
        }
        if !(1..=MAX_YEARS).contains(&self.years) {
            p.push(problem("years", "the horizon must span 1 to 30 years"));
        }
        if !(0.0..=0.5).contains(&self.discount_rate) {
            p.push(problem(
                "discount_rate",
                "the discount rate must be from 0 to 0.5 (50%)",
            ));
        }
        p
    }
}

/// Checks a key (the text id a plan problem, an exported model and an explanation use):
/// 1 to 60 lowercase letters, digits and hyphens, starting with a letter.
pub fn check_key(field: &'static str, key: &str) -> Option<FieldError> {
    let ok = !key.is_empty()
        && key.len() <= 60
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    (!ok).then(|| {
        problem(
            field,
            "the key must be 1 to 60 lowercase letters, digits and hyphens, starting with a letter",
        )
    })
}

fn check_name(p: &mut Vec<FieldError>, name: &str, what: &str) {
    if name.trim().is_empty() {
        p.push(problem("name", format!("enter the {what}'s name")));
    } else if name.chars().count() > 200 {
        p.push(problem("name", "the name must be 200 characters or fewer"));
    }
}

/// Checks a list of yearly values: one per year of the horizon, each within `range`.
fn check_yearly(
    p: &mut Vec<FieldError>,
    field: &'static str,
    values: &[f64],
    years: u32,
    range: std::ops::RangeInclusive<f64>,
    range_words: &str,
) {
    if values.len() != years as usize {
        p.push(problem(
            field,
            format!(
                "give one value for each of the {years} years of the horizon (there are {})",
                values.len()
            ),
        ));
    } else if let Some(v) = values.iter().find(|v| !range.contains(v)) {
        p.push(problem(
            field,
            format!("every value must be {range_words}; {v} is not"),
        ));
    }
}

/// Where a capability's current level comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "from")]
pub enum CurrentLevel {
    /// Entered by the planners, one value a year.
    Entered {
        /// The level each year, 0–100.
        levels: Vec<f64>,
    },
    /// An indicator of an assessment: its value (0–100) holds for every year.
    Indicator {
        /// The assessment.
        assessment: AssessmentId,
        /// The indicator's node id in the assessment's framework.
        indicator: String,
    },
}

/// A capability as entered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CapabilityFields {
    /// Its key (`border-surveillance`).
    pub key: String,
    /// Its name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// The level required each year, 0–100.
    pub required: Vec<f64>,
    /// The level there is without any programme.
    pub current: CurrentLevel,
}

impl CapabilityFields {
    /// Checks a capability against the horizon and returns every problem found.
    pub fn check(&self, horizon: &Horizon) -> Vec<FieldError> {
        let mut p = Vec::new();
        p.extend(check_key("key", &self.key));
        check_name(&mut p, &self.name, "capability");
        check_yearly(
            &mut p,
            "required",
            &self.required,
            horizon.years,
            0.0..=100.0,
            "from 0 to 100",
        );
        match &self.current {
            CurrentLevel::Entered { levels } => check_yearly(
                &mut p,
                "current",
                levels,
                horizon.years,
                0.0..=100.0,
                "from 0 to 100",
            ),
            CurrentLevel::Indicator { indicator, .. } => {
                if indicator.trim().is_empty() {
                    p.push(problem("indicator", "name the assessment's indicator"));
                }
            }
        }
        p
    }
}

/// A programme as entered (its options, links and classification come separately).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeFields {
    /// Its key (`p-police-academy`).
    pub key: String,
    /// Its name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Institutional or sectoral.
    pub kind: ProgrammeKind,
    /// Its field of reform.
    pub field: ReformField,
    /// Whether every plan must contain it.
    pub mandatory: bool,
    /// The earliest year it may start.
    pub earliest_start: Option<i32>,
    /// The latest year it may start.
    pub latest_start: Option<i32>,
}

impl ProgrammeFields {
    /// Checks a programme against the horizon and returns every problem found.
    pub fn check(&self, horizon: &Horizon) -> Vec<FieldError> {
        let mut p = Vec::new();
        p.extend(check_key("key", &self.key));
        check_name(&mut p, &self.name, "programme");
        let years = horizon.first_year..=horizon.last_year();
        for (field, year) in [
            ("earliest_start", self.earliest_start),
            ("latest_start", self.latest_start),
        ] {
            if let Some(y) = year
                && !years.contains(&y)
            {
                p.push(problem(
                    field,
                    format!(
                        "the year must be within the horizon, {} to {}",
                        horizon.first_year,
                        horizon.last_year()
                    ),
                ));
            }
        }
        if let (Some(e), Some(l)) = (self.earliest_start, self.latest_start)
            && l < e
        {
            p.push(problem(
                "latest_start",
                "the latest start cannot come before the earliest start",
            ));
        }
        p
    }
}

/// An option of a programme as entered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptionFields {
    /// Its key, unique within the programme (`full`, `phased`).
    pub key: String,
    /// Its name.
    pub name: String,
    /// How many years it runs.
    pub duration: u32,
    /// What it costs each source per year after its start.
    pub costs: Vec<SourceCost>,
    /// What it adds to each capability per year after its start.
    pub contributions: Vec<Contribution>,
}

impl OptionFields {
    /// Checks an option against the horizon and returns every problem found: the key and
    /// name, a duration within the horizon, costs of at least 0 for no more years than the
    /// option runs, and contributions from 0 to 100.
    pub fn check(&self, horizon: &Horizon) -> Vec<FieldError> {
        let mut p = Vec::new();
        p.extend(check_key("key", &self.key));
        check_name(&mut p, &self.name, "option");
        if !(1..=horizon.years).contains(&self.duration) {
            p.push(problem(
                "duration",
                format!("the duration must be from 1 to {} years", horizon.years),
            ));
        }
        for c in &self.costs {
            if c.per_year.len() > self.duration as usize {
                p.push(problem(
                    "costs",
                    format!(
                        "the costs to {} run for {} years, longer than the option's {}",
                        c.source,
                        c.per_year.len(),
                        self.duration
                    ),
                ));
            }
            if c.per_year.iter().any(|v| !v.is_finite() || *v < 0.0) {
                p.push(problem(
                    "costs",
                    format!("the costs to {} must be amounts of at least 0", c.source),
                ));
            }
        }
        for c in &self.contributions {
            if c.per_year.is_empty()
                || c.per_year
                    .iter()
                    .any(|v| !v.is_finite() || !(0.0..=100.0).contains(v))
            {
                p.push(problem(
                    "contributions",
                    format!(
                        "the contribution to {} must be points from 0 to 100 for at least one year",
                        c.capability
                    ),
                ));
            }
        }
        p
    }
}

/// A funding source as entered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceFields {
    /// Its key (`treasury`).
    pub key: String,
    /// Its name.
    pub name: String,
    /// The most it can spend each year of the horizon.
    pub ceilings: Vec<f64>,
    /// The fields it may fund (none and no programmes: it may fund everything).
    pub eligible_fields: Vec<ReformField>,
    /// Whether unspent money carries over to later years.
    pub carry_over: bool,
}

impl SourceFields {
    /// Checks a funding source against the horizon and returns every problem found.
    pub fn check(&self, horizon: &Horizon) -> Vec<FieldError> {
        let mut p = Vec::new();
        p.extend(check_key("key", &self.key));
        check_name(&mut p, &self.name, "funding source");
        check_yearly(
            &mut p,
            "ceilings",
            &self.ceilings,
            horizon.years,
            0.0..=1e13,
            "an amount of at least 0",
        );
        p
    }
}

/// One budget assumption of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Assumption {
    /// A source's ceilings are multiplied by a factor from a year on (0.8 for a cut of 20%).
    Factor {
        /// The source.
        source: SourceId,
        /// The first year it applies.
        from_year: i32,
        /// The factor, from 0 to 10.
        factor: f64,
    },
    /// A source (a donor) leaves: it has no money from a year on.
    Leaves {
        /// The source.
        source: SourceId,
        /// The first year without it.
        from_year: i32,
    },
}

impl std::fmt::Display for Assumption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Assumption::Factor {
                source,
                from_year,
                factor,
            } => {
                let change = (factor - 1.0) * 100.0;
                if change < 0.0 {
                    write!(
                        f,
                        "{source} ceilings cut by {:.0}% from {from_year}",
                        -change
                    )
                } else {
                    write!(
                        f,
                        "{source} ceilings raised by {change:.0}% from {from_year}"
                    )
                }
            }
            Assumption::Leaves { source, from_year } => {
                write!(f, "{source} leaves: no money from {from_year}")
            }
        }
    }
}

/// A named set of budget assumptions under which a portfolio is optimised. A scenario
/// with no assumption is the baseline.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Its key (`treasury-minus-20`), which the command line names.
    pub key: String,
    /// Its name (`Treasury −20%`).
    pub name: String,
    /// What it assumes and why.
    pub description: String,
    /// Its assumptions, applied in order.
    pub assumptions: Vec<Assumption>,
}

impl Scenario {
    /// Checks a scenario's fields against the sources it may name and returns every
    /// problem found. A problem with an assumption is given under `assumptions`, its
    /// message naming the assumption by its position ("assumption 2: …"); forms that
    /// show each assumption's fields use [`Scenario::check_assumptions`] instead.
    pub fn check(&self, horizon: &Horizon, sources: &[SourceId]) -> Vec<FieldError> {
        let mut p = Vec::new();
        p.extend(check_key("key", &self.key));
        check_name(&mut p, &self.name, "scenario");
        if self.description.chars().count() > 2000 {
            p.push(problem(
                "description",
                "the description must be 2000 characters or fewer",
            ));
        }
        for a in self.check_assumptions(horizon, sources) {
            p.push(problem(
                "assumptions",
                format!("assumption {}: {}", a.index + 1, a.problem.message),
            ));
        }
        p
    }

    /// Checks each assumption and returns every problem found, with the assumption's
    /// position and the field at fault: `source` (not a source of the workspace),
    /// `from_year` (outside the horizon) or `factor` (not from 0 to 10: a multiplier of
    /// the ceilings cannot be negative).
    pub fn check_assumptions(
        &self,
        horizon: &Horizon,
        sources: &[SourceId],
    ) -> Vec<AssumptionProblem> {
        let mut out = Vec::new();
        for (index, a) in self.assumptions.iter().enumerate() {
            let mut push = |field, message: String| {
                out.push(AssumptionProblem {
                    index,
                    problem: problem(field, message),
                });
            };
            let (source, year) = match a {
                Assumption::Factor {
                    source,
                    from_year,
                    factor,
                } => {
                    if !(0.0..=MAX_FACTOR).contains(factor) {
                        push(
                            "factor",
                            "the factor must be a number from 0 to 10, like 0.8 for a cut of 20%"
                                .into(),
                        );
                    }
                    (source, from_year)
                }
                Assumption::Leaves { source, from_year } => (source, from_year),
            };
            if !sources.contains(source) {
                push("source", format!("there is no funding source {source}"));
            }
            if !(horizon.first_year..=horizon.last_year()).contains(year) {
                push(
                    "from_year",
                    format!(
                        "{year} is outside the horizon, {} to {}",
                        horizon.first_year,
                        horizon.last_year()
                    ),
                );
            }
        }
        out
    }

    /// Changes the ceilings of `problem` as the assumptions say. An assumption about a
    /// source the problem does not have changes nothing.
    pub fn apply(&self, problem: &mut PlanProblem) {
        let first = problem.first_year;
        for a in &self.assumptions {
            let (source, from_year, factor) = match a {
                Assumption::Factor {
                    source,
                    from_year,
                    factor,
                } => (source, *from_year, *factor),
                Assumption::Leaves { source, from_year } => (source, *from_year, 0.0),
            };
            if let Some(s) = problem.sources.iter_mut().find(|s| &s.id == source) {
                for (i, c) in s.ceilings.iter_mut().enumerate() {
                    if first + i as i32 >= from_year {
                        *c *= factor;
                    }
                }
            }
        }
    }
}

/// The largest factor a scenario may apply to a source's ceilings.
pub const MAX_FACTOR: f64 = 10.0;

/// A problem with one assumption of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumptionProblem {
    /// The assumption's position in the scenario's list, 0 for the first.
    pub index: usize,
    /// The field at fault (`source`, `from_year` or `factor`) and what is wrong.
    pub problem: FieldError,
}

/// An exclusion as entered: a name and the keys of the programmes of which at most one
/// may be chosen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionFields {
    /// Its name ("one border information system").
    pub name: String,
    /// The keys of its programmes.
    pub programmes: Vec<String>,
}

impl ExclusionFields {
    /// Checks an exclusion and returns every problem found: a name, and two programmes or
    /// more, none named twice. Whether the programmes exist is for the caller, who knows
    /// which ones the person may read.
    pub fn check(&self) -> Vec<FieldError> {
        let mut p = Vec::new();
        check_name(&mut p, &self.name, "exclusion");
        let mut seen = BTreeSet::new();
        for k in &self.programmes {
            if !seen.insert(k.as_str()) {
                p.push(problem(
                    "programmes",
                    format!("programme {k} is named more than once"),
                ));
            }
        }
        if seen.len() < 2 {
            p.push(problem(
                "programmes",
                "choose two programmes or more: an exclusion lets a plan choose at most one of them",
            ));
        }
        p
    }
}

/// Checks a dependency or an integrity gate between two programmes, by key, as given in
/// `field`: a programme cannot wait for itself. Whether both exist, and whether the links
/// make a cycle, is for the caller and for [`crate::plan::validate`].
pub fn check_precedence(field: &'static str, before: &str, after: &str) -> Vec<FieldError> {
    if before == after {
        vec![problem(field, "a programme cannot wait for itself")]
    } else {
        Vec::new()
    }
}

/// Checks the absorptive capacity of a lead actor: how many of the programmes it leads
/// may run in the same year. It must be at least 1; a lead actor without a limit has no
/// capacity recorded at all.
pub fn check_capacity(max_running: u32) -> Vec<FieldError> {
    if max_running == 0 {
        vec![problem(
            "max_running",
            "the capacity must be at least 1 programme at a time; remove the capacity to lift the limit",
        )]
    } else {
        Vec::new()
    }
}

/// Checks a minimum share of the total spend against the other shares of the workspace
/// (`others`; one for the same field or goal is the share being replaced and does not
/// count). The share must be more than 0% and at most 100%, and the shares of the reform
/// fields, which never overlap, may not add up to more than 100%: no plan that spends
/// anything could meet them.
pub fn check_minimum_share(share: &MinimumShare, others: &[MinimumShare]) -> Vec<FieldError> {
    let mut p = Vec::new();
    if !(share.share.is_finite() && share.share > 0.0 && share.share <= 1.0) {
        p.push(problem(
            "share",
            "the share must be more than 0% and at most 100%",
        ));
        return p;
    }
    if matches!(share.of, ShareOf::Field(_)) {
        let total: f64 = share.share
            + others
                .iter()
                .filter(|o| matches!(o.of, ShareOf::Field(_)) && o.of != share.of)
                .map(|o| o.share)
                .sum::<f64>();
        if total > 1.0 + 1e-9 {
            p.push(problem(
                "share",
                format!(
                    "the minimum shares of the reform fields would add up to {:.0}%, more than the whole spend",
                    total * 100.0
                ),
            ));
        }
    }
    p
}

/// Where a plan stands in its life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Being prepared by the planners.
    Draft,
    /// Before parliament.
    Submitted,
    /// Approved by parliament: frozen.
    Approved,
    /// Replaced by a later approved plan: frozen.
    Superseded,
}

impl PlanStatus {
    /// Every status, in the order of the life cycle.
    pub const ALL: [PlanStatus; 4] = [
        PlanStatus::Draft,
        PlanStatus::Submitted,
        PlanStatus::Approved,
        PlanStatus::Superseded,
    ];

    /// The stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Submitted => "submitted",
            PlanStatus::Approved => "approved",
            PlanStatus::Superseded => "superseded",
        }
    }

    /// The status in words.
    pub const fn label(self) -> &'static str {
        match self {
            PlanStatus::Draft => "Draft",
            PlanStatus::Submitted => "Submitted to parliament",
            PlanStatus::Approved => "Approved",
            PlanStatus::Superseded => "Superseded",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<PlanStatus> {
        PlanStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim())
    }

    /// True when nothing of the plan may change any more but its supersession: once
    /// approved, a plan is what parliament voted.
    pub const fn is_frozen(self) -> bool {
        matches!(self, PlanStatus::Approved | PlanStatus::Superseded)
    }

    /// Whether `viewer` may read a plan in this state (its classification is checked
    /// besides): drafts are for those who plan; once submitted, everyone who has signed
    /// in (parliament, donors, agencies) reads it; approved and superseded plans are
    /// public records.
    pub fn readable_by(self, viewer: &Viewer) -> bool {
        match self {
            PlanStatus::Draft => crate::permission::permits(viewer.role, Action::EditPlanning),
            PlanStatus::Submitted => viewer.user.is_some(),
            PlanStatus::Approved | PlanStatus::Superseded => true,
        }
    }
}

/// The life-cycle state of a plan: its status and the dates and reference that come with
/// it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLifecycle {
    /// Where it stands.
    pub status: PlanStatus,
    /// The day it went to parliament.
    pub submitted_on: Option<NaiveDate>,
    /// The day parliament approved it.
    pub approved_on: Option<NaiveDate>,
    /// The reference of parliament's decision.
    pub approval_reference: Option<String>,
    /// The day a later plan replaced it.
    pub superseded_on: Option<NaiveDate>,
}

impl PlanLifecycle {
    /// A new draft.
    pub const fn draft() -> PlanLifecycle {
        PlanLifecycle {
            status: PlanStatus::Draft,
            submitted_on: None,
            approved_on: None,
            approval_reference: None,
            superseded_on: None,
        }
    }
}

/// A step in a plan's life cycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum PlanStep {
    /// Draft → submitted to parliament.
    Submit,
    /// Submitted → approved, with parliament's decision.
    Approve {
        /// The day of the decision.
        approved_on: NaiveDate,
        /// Its reference ("NA/2026/233").
        reference: String,
    },
    /// Submitted → draft: parliament sent it back.
    ReturnToDraft,
    /// Approved → superseded: a later plan was approved. The store takes this step itself
    /// when it records a later approval.
    Supersede,
}

/// The steps of the life cycle by name, with the words on their buttons and the
/// permission each needs.
pub const PLAN_STEPS: [(&str, &str, Action); 4] = [
    ("submit", "Submit to parliament", Action::EditPlanning),
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
    ("supersede", "Mark as superseded", Action::EditPlanning),
];

impl PlanStep {
    /// The step's stable name.
    pub const fn as_str(&self) -> &'static str {
        match self {
            PlanStep::Submit => "submit",
            PlanStep::Approve { .. } => "approve",
            PlanStep::ReturnToDraft => "return_to_draft",
            PlanStep::Supersede => "supersede",
        }
    }

    /// The permission the step needs.
    pub fn action(&self) -> Action {
        PLAN_STEPS
            .iter()
            .find(|(n, _, _)| *n == self.as_str())
            .map_or(Action::EditPlanning, |(_, _, a)| *a)
    }

    const fn from(&self) -> PlanStatus {
        match self {
            PlanStep::Submit => PlanStatus::Draft,
            PlanStep::Approve { .. } | PlanStep::ReturnToDraft => PlanStatus::Submitted,
            PlanStep::Supersede => PlanStatus::Approved,
        }
    }

    const fn to(&self) -> PlanStatus {
        match self {
            PlanStep::Submit => PlanStatus::Submitted,
            PlanStep::Approve { .. } => PlanStatus::Approved,
            PlanStep::ReturnToDraft => PlanStatus::Draft,
            PlanStep::Supersede => PlanStatus::Superseded,
        }
    }
}

/// The steps the pages offer from a status. Supersession is not offered: approving a
/// later plan supersedes the one in force.
pub const fn plan_steps_from(status: PlanStatus) -> &'static [&'static str] {
    match status {
        PlanStatus::Draft => &["submit"],
        PlanStatus::Submitted => &["approve", "return_to_draft"],
        PlanStatus::Approved | PlanStatus::Superseded => &[],
    }
}

/// Why a step of a plan's life cycle was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanStepError {
    /// The step does not leave from the current status.
    #[error("a plan that is {} cannot {}: {}", .from.label().to_lowercase(), .step, .hint)]
    Illegal {
        /// Where the plan stands.
        from: PlanStatus,
        /// What was asked, in words.
        step: &'static str,
        /// What would be allowed instead.
        hint: &'static str,
    },
    /// A field of the step is wrong.
    #[error("{0}")]
    Field(FieldError),
}

/// Applies one step of the life cycle to a plan, or says why it may not be taken. The one
/// function that changes a plan's status.
pub fn plan_transition(
    current: &PlanLifecycle,
    step: &PlanStep,
    today: NaiveDate,
) -> Result<PlanLifecycle, PlanStepError> {
    if current.status != step.from() {
        let words = match step {
            PlanStep::Submit => "be submitted to parliament",
            PlanStep::Approve { .. } => "be approved",
            PlanStep::ReturnToDraft => "be sent back to draft",
            PlanStep::Supersede => "be superseded",
        };
        let hint = match current.status {
            PlanStatus::Draft => "a draft must first be submitted to parliament",
            PlanStatus::Submitted => "parliament either approves it or sends it back to draft",
            PlanStatus::Approved => {
                "an approved plan is frozen; optimise a new plan and have it approved to replace it"
            }
            PlanStatus::Superseded => "a superseded plan is kept as it was",
        };
        return Err(PlanStepError::Illegal {
            from: current.status,
            step: words,
            hint,
        });
    }
    let mut next = current.clone();
    next.status = step.to();
    match step {
        PlanStep::Submit => next.submitted_on = Some(today),
        PlanStep::Approve {
            approved_on,
            reference,
        } => {
            if reference.trim().is_empty() {
                return Err(PlanStepError::Field(problem(
                    "approval_reference",
                    "enter the reference of parliament's decision",
                )));
            }
            if *approved_on > today {
                return Err(PlanStepError::Field(problem(
                    "approved_on",
                    "the approval date cannot be in the future",
                )));
            }
            if current.submitted_on.is_some_and(|d| *approved_on < d) {
                return Err(PlanStepError::Field(problem(
                    "approved_on",
                    "parliament cannot approve a plan before it was submitted",
                )));
            }
            next.approved_on = Some(*approved_on);
            next.approval_reference = Some(reference.trim().to_owned());
        }
        PlanStep::ReturnToDraft => next.submitted_on = None,
        PlanStep::Supersede => next.superseded_on = Some(today),
    }
    Ok(next)
}

/// What the user sets for a solve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SolveSettings {
    /// The longest the solver may search, in seconds.
    pub time_limit_seconds: f64,
    /// The relative optimality gap at which it stops (0.01 for 1%).
    pub relative_gap: f64,
}

impl Default for SolveSettings {
    fn default() -> Self {
        SolveSettings {
            time_limit_seconds: 60.0,
            relative_gap: 0.001,
        }
    }
}

impl SolveSettings {
    /// Checks the settings and returns every problem found.
    pub fn check(&self) -> Vec<FieldError> {
        let mut p = Vec::new();
        if !(0.1..=3600.0).contains(&self.time_limit_seconds) {
            p.push(problem(
                "time_limit",
                "the time limit must be from 0.1 to 3,600 seconds",
            ));
        }
        if !(0.0..=0.5).contains(&self.relative_gap) {
            p.push(problem(
                "gap",
                "the gap tolerance must be from 0 to 0.5 (50%)",
            ));
        }
        p
    }
}

/// What a solve reports besides the plan, in the words and numbers the pages, the API and
/// the command line show. The optimiser's answer is turned into this once, where it is
/// called, so that a stored plan reads the same whatever the optimiser's version.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SolveReport {
    /// Whether the search proved its plan optimal within the gap tolerance
    /// (`optimal`), stopped on the time limit (`time_limit`) or was stopped by the user
    /// (`stopped`).
    pub status: String,
    /// The objective reached: the weighted, discounted capability gap.
    pub objective: f64,
    /// The best bound proven on it.
    pub bound: f64,
    /// The relative optimality gap reached.
    pub gap: f64,
    /// Whether branch and bound ran: `false` when the linear relaxation's bound already
    /// proved the first plan within the gap tolerance. Reports stored before it was
    /// recorded read as searched.
    #[serde(default = "searched_before_recorded")]
    pub searched: bool,
    /// Seconds spent in the solver.
    pub solve_seconds: f64,
    /// Seconds from start to finish, explanations included.
    pub total_seconds: f64,
    /// The marginal value of one more unit of money per source and year (by how much the
    /// objective would fall).
    pub marginal_values: Vec<MarginalValue>,
    /// Every programme left out, with the reason in words.
    pub left_out: Vec<LeftOut>,
}

fn searched_before_recorded() -> bool {
    true
}

impl SolveReport {
    /// How the search ended, in words.
    pub fn search_words(&self) -> &'static str {
        match self.status.as_str() {
            "optimal" if !self.searched => {
                "proven within the gap tolerance by the linear relaxation's bound, with no search needed"
            }
            "optimal" => "proven optimal within the gap tolerance",
            "stopped" => "stopped by the user before the gap tolerance was reached",
            _ => "stopped by the time limit before the gap tolerance was reached",
        }
    }
}

/// The marginal value of money from one source in one year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarginalValue {
    /// The source.
    pub source: SourceId,
    /// The year.
    pub year: i32,
    /// By how much the objective would fall per unit of money.
    pub value: f64,
}

/// A programme left out of a plan and why, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOut {
    /// The programme.
    pub programme: ProgrammeId,
    /// Why ("would exceed the 2028 treasury ceiling by 1.20 M").
    pub reason: String,
}

/// A programme whose choice differs between two plans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Moved {
    /// The programme.
    pub programme: ProgrammeId,
    /// Its option and start in the first plan.
    pub from: Choice,
    /// Its option and start in the second plan.
    pub to: Choice,
}

impl Moved {
    /// What changed, in words ("starts 2029 instead of 2027; option phased instead of full").
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.from.start != self.to.start {
            parts.push(format!(
                "starts {} instead of {}",
                self.to.start, self.from.start
            ));
        }
        if self.from.option != self.to.option {
            parts.push(format!(
                "option {} instead of {}",
                self.to.option, self.from.option
            ));
        }
        parts.join("; ")
    }
}

/// The difference between two plans of the same portfolio.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PlanDiff {
    /// Chosen in the second plan only.
    pub entered: Vec<(ProgrammeId, Choice)>,
    /// Chosen in the first plan only.
    pub left: Vec<(ProgrammeId, Choice)>,
    /// Chosen in both, with another option or start.
    pub moved: Vec<Moved>,
    /// Chosen in both the same way.
    pub kept: Vec<ProgrammeId>,
}

/// Compares plan `a` with plan `b`: what enters, what leaves, what moves (start year or
/// option) and what stays, each in programme order.
pub fn compare_plans(a: &Plan, b: &Plan) -> PlanDiff {
    let mut diff = PlanDiff::default();
    let mut all: BTreeMap<&ProgrammeId, (Option<&Choice>, Option<&Choice>)> = BTreeMap::new();
    for (p, c) in &a.choices {
        all.entry(p).or_default().0 = Some(c);
    }
    for (p, c) in &b.choices {
        all.entry(p).or_default().1 = Some(c);
    }
    for (p, pair) in all {
        match pair {
            (None, Some(c)) => diff.entered.push((p.clone(), c.clone())),
            (Some(c), None) => diff.left.push((p.clone(), c.clone())),
            (Some(x), Some(y)) if x == y => diff.kept.push(p.clone()),
            (Some(x), Some(y)) => diff.moved.push(Moved {
                programme: p.clone(),
                from: x.clone(),
                to: y.clone(),
            }),
            (None, None) => {}
        }
    }
    diff
}

/// The year of a day, for plans approved on a date.
pub fn year_of(day: NaiveDate) -> i32 {
    day.year()
}

/// An option id from a key (for building problems from records).
pub fn option_id(key: &str) -> OptionId {
    OptionId::new(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::FundingSource;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_search_is_told_in_words_and_older_reports_read_as_searched() {
        let report = |status: &str, searched| SolveReport {
            status: status.into(),
            searched,
            ..SolveReport::default()
        };
        assert_eq!(
            report("optimal", true).search_words(),
            "proven optimal within the gap tolerance"
        );
        assert_eq!(
            report("optimal", false).search_words(),
            "proven within the gap tolerance by the linear relaxation's bound, with no search needed"
        );
        assert!(
            report("time_limit", true)
                .search_words()
                .contains("time limit")
        );
        assert!(
            report("stopped", true)
                .search_words()
                .contains("by the user")
        );
        let mut stored = serde_json::to_value(report("optimal", false)).unwrap();
        stored.as_object_mut().unwrap().remove("searched");
        let read: SolveReport = serde_json::from_value(stored).unwrap();
        assert!(read.searched);
    }

    #[test]
    fn a_plan_goes_from_draft_to_approved_and_is_then_frozen() {
        let today = day("2026-11-23");
        let d = PlanLifecycle::draft();
        assert!(plan_transition(&d, &PlanStep::ReturnToDraft, today).is_err());
        let s = plan_transition(&d, &PlanStep::Submit, today).unwrap();
        assert_eq!(s.status, PlanStatus::Submitted);
        let refused = plan_transition(
            &s,
            &PlanStep::Approve {
                approved_on: today,
                reference: " ".into(),
            },
            today,
        );
        assert!(matches!(refused, Err(PlanStepError::Field(f)) if f.field == "approval_reference"));
        let early = plan_transition(
            &s,
            &PlanStep::Approve {
                approved_on: day("2026-01-01"),
                reference: "NA/2026/1".into(),
            },
            today,
        );
        assert!(matches!(early, Err(PlanStepError::Field(f)) if f.field == "approved_on"));
        let a = plan_transition(
            &s,
            &PlanStep::Approve {
                approved_on: today,
                reference: "NA/2026/1".into(),
            },
            today,
        )
        .unwrap();
        assert!(a.status.is_frozen());
        let e = plan_transition(&a, &PlanStep::Submit, today).unwrap_err();
        assert!(e.to_string().contains("frozen"), "{e}");
        let gone = plan_transition(&a, &PlanStep::Supersede, today).unwrap();
        assert_eq!(gone.status, PlanStatus::Superseded);
        assert_eq!(gone.approval_reference.as_deref(), Some("NA/2026/1"));
    }

    #[test]
    fn drafts_are_for_planners_and_approved_plans_for_everyone() {
        assert!(!PlanStatus::Draft.readable_by(&Viewer::public()));
        assert!(!PlanStatus::Submitted.readable_by(&Viewer::public()));
        assert!(PlanStatus::Approved.readable_by(&Viewer::public()));
    }

    #[test]
    fn a_scenario_cuts_ceilings_from_its_year() {
        let mut problem = PlanProblem {
            first_year: 2027,
            years: 3,
            discount_rate: 0.0,
            capabilities: vec![],
            programmes: vec![],
            dependencies: vec![],
            exclusions: vec![],
            gates: vec![],
            capacities: vec![],
            sources: vec![
                FundingSource {
                    id: "treasury".into(),
                    name: "Treasury".into(),
                    ceilings: vec![10.0, 10.0, 10.0],
                    eligible_fields: vec![],
                    eligible_programmes: vec![],
                    carry_over: false,
                },
                FundingSource {
                    id: "donor".into(),
                    name: "Donor".into(),
                    ceilings: vec![5.0, 5.0, 5.0],
                    eligible_fields: vec![],
                    eligible_programmes: vec![],
                    carry_over: false,
                },
            ],
            minimum_shares: vec![],
        };
        let s = Scenario {
            key: "cut".into(),
            name: "Cut".into(),
            description: String::new(),
            assumptions: vec![
                Assumption::Factor {
                    source: "treasury".into(),
                    from_year: 2028,
                    factor: 0.8,
                },
                Assumption::Leaves {
                    source: "donor".into(),
                    from_year: 2029,
                },
            ],
        };
        s.apply(&mut problem);
        assert_eq!(problem.sources[0].ceilings, vec![10.0, 8.0, 8.0]);
        assert_eq!(problem.sources[1].ceilings, vec![5.0, 5.0, 0.0]);
        assert_eq!(
            s.assumptions[0].to_string(),
            "treasury ceilings cut by 20% from 2028"
        );
        let horizon = Horizon {
            first_year: 2027,
            years: 3,
            discount_rate: 0.0,
        };
        assert!(s.check(&horizon, &["treasury".into()]).len() == 1);
    }

    #[test]
    fn plans_compare_by_what_enters_leaves_and_moves() {
        let a = Plan::new().with("a", "full", 2027).with("b", "full", 2027);
        let b = Plan::new()
            .with("b", "phased", 2029)
            .with("c", "full", 2028);
        let d = compare_plans(&a, &b);
        assert_eq!(d.entered.len(), 1);
        assert_eq!(d.left[0].0.as_str(), "a");
        assert_eq!(
            d.moved[0].describe(),
            "starts 2029 instead of 2027; option phased instead of full"
        );
    }

    #[test]
    fn field_checks_name_their_fields() {
        let h = Horizon {
            first_year: 2027,
            years: 10,
            discount_rate: 0.03,
        };
        assert!(h.check().is_empty());
        let c = CapabilityFields {
            key: "Bad Key".into(),
            name: String::new(),
            description: String::new(),
            required: vec![50.0; 9],
            current: CurrentLevel::Entered {
                levels: vec![120.0; 10],
            },
        };
        let fields: Vec<_> = c.check(&h).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["key", "name", "required", "current"]);
        let p = ProgrammeFields {
            key: "p-x".into(),
            name: "X".into(),
            description: String::new(),
            kind: ProgrammeKind::Sectoral,
            field: ReformField::RuleOfLaw,
            mandatory: false,
            earliest_start: Some(2030),
            latest_start: Some(2029),
        };
        assert_eq!(p.check(&h)[0].field, "latest_start");
    }

    fn fields_of(problems: &[FieldError]) -> Vec<&'static str> {
        problems.iter().map(|e| e.field).collect()
    }

    #[rstest::rstest]
    #[case::two_programmes("One system", &["p-a", "p-b"], &[])]
    #[case::no_name(" ", &["p-a", "p-b"], &["name"])]
    #[case::one_programme("One system", &["p-a"], &["programmes"])]
    #[case::none("", &[], &["name", "programmes"])]
    #[case::named_twice("One system", &["p-a", "p-a"], &["programmes", "programmes"])]
    fn an_exclusion_needs_a_name_and_two_distinct_programmes(
        #[case] name: &str,
        #[case] programmes: &[&str],
        #[case] expected: &[&str],
    ) {
        let e = ExclusionFields {
            name: name.into(),
            programmes: programmes.iter().map(|k| (*k).to_owned()).collect(),
        };
        assert_eq!(fields_of(&e.check()), expected);
    }

    #[test]
    fn a_programme_cannot_wait_for_itself() {
        assert_eq!(
            fields_of(&check_precedence("after", "p-a", "p-a")),
            ["after"]
        );
        assert!(check_precedence("after", "p-a", "p-b").is_empty());
    }

    #[test]
    fn a_capacity_is_at_least_one() {
        assert_eq!(fields_of(&check_capacity(0)), ["max_running"]);
        assert!(check_capacity(1).is_empty());
        assert!(check_capacity(12).is_empty());
    }

    #[rstest::rstest]
    #[case::within(0.12, &[], "")]
    #[case::whole(1.0, &[], "")]
    #[case::zero(0.0, &[], "the share must be more than 0% and at most 100%")]
    #[case::negative(-0.1, &[], "the share must be more than 0% and at most 100%")]
    #[case::over(1.2, &[], "the share must be more than 0% and at most 100%")]
    #[case::not_a_number(f64::NAN, &[], "the share must be more than 0% and at most 100%")]
    #[case::fields_add_up(0.5, &[0.3, 0.3], "the minimum shares of the reform fields would add up to 110%, more than the whole spend")]
    #[case::fields_fit(0.4, &[0.3, 0.3], "")]
    fn a_minimum_share_is_a_part_of_the_spend(
        #[case] share: f64,
        #[case] other_fields: &[f64],
        #[case] expected: &str,
    ) {
        // The share is of the rule of law; the others are of the other fields, plus a goal's
        // share and the rule of law's old share, which do not count.
        let mut others: Vec<MinimumShare> = other_fields
            .iter()
            .zip([
                ReformField::CivilDemocraticControl,
                ReformField::Professionalisation,
            ])
            .map(|(s, f)| MinimumShare {
                of: ShareOf::Field(f),
                share: *s,
            })
            .collect();
        others.push(MinimumShare {
            of: ShareOf::Goal("g".into()),
            share: 0.9,
        });
        others.push(MinimumShare {
            of: ShareOf::Field(ReformField::RuleOfLaw),
            share: 0.9,
        });
        let found = check_minimum_share(
            &MinimumShare {
                of: ShareOf::Field(ReformField::RuleOfLaw),
                share,
            },
            &others,
        );
        let messages: Vec<String> = found.iter().map(|e| e.message.clone()).collect();
        if expected.is_empty() {
            assert!(messages.is_empty(), "{messages:?}");
        } else {
            assert_eq!(messages, [expected]);
            assert_eq!(found[0].field, "share");
        }
    }

    #[test]
    fn each_assumption_of_a_scenario_is_checked_where_it_stands() {
        let horizon = Horizon {
            first_year: 2027,
            years: 3,
            discount_rate: 0.0,
        };
        let s = Scenario {
            key: "cut".into(),
            name: "Cut".into(),
            description: String::new(),
            assumptions: vec![
                Assumption::Factor {
                    source: "treasury".into(),
                    from_year: 2028,
                    factor: 0.8,
                },
                Assumption::Factor {
                    source: "treasury".into(),
                    from_year: 2031,
                    factor: -0.5,
                },
                Assumption::Leaves {
                    source: "nobody".into(),
                    from_year: 2029,
                },
            ],
        };
        let found: Vec<(usize, &str)> = s
            .check_assumptions(&horizon, &["treasury".into()])
            .iter()
            .map(|a| (a.index, a.problem.field))
            .collect();
        assert_eq!(found, [(1, "factor"), (1, "from_year"), (2, "source")]);
        let whole = s.check(&horizon, &["treasury".into()]);
        assert_eq!(fields_of(&whole), ["assumptions"; 3]);
        assert_eq!(
            whole[0].message,
            "assumption 2: the factor must be a number from 0 to 10, like 0.8 for a cut of 20%"
        );
        assert_eq!(
            whole[2].message,
            "assumption 3: there is no funding source nobody"
        );
    }
}
