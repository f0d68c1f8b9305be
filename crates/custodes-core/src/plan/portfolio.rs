//! The plan problem: the horizon, the capabilities with their weights and levels, the
//! programmes with their options, and the rules a plan must keep (dependencies,
//! exclusions, integrity gates, absorptive capacity, funding ceilings and minimum shares).
//!
//! The small rules that every user of a problem must read the same way live here as
//! methods: which start years an option may take, what an option costs and contributes in
//! a given year, which source may fund which programme, and which goals an option serves.
//! The checker, the evaluation and the optimiser's model all call them.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use super::id::{CapabilityId, GoalId, LeadActor, OptionId, ProgrammeId, SourceId};
use crate::framework::ReformField;

/// Everything the optimiser needs to choose and schedule a portfolio.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanProblem {
    /// The first year of the horizon (for example 2027).
    pub first_year: i32,
    /// How many years the horizon spans; the last year is `first_year + years - 1`.
    pub years: u32,
    /// The yearly discount rate applied to the gap (0.03 for 3%); year `first_year` is not
    /// discounted.
    pub discount_rate: f64,
    /// The capabilities the goals need.
    pub capabilities: Vec<Capability>,
    /// The programmes that may be chosen.
    pub programmes: Vec<Programme>,
    /// Pairs where one programme cannot start before another has finished.
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
    /// Sets of programmes of which at most one may be chosen.
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
    /// Integrity gates: a gated programme needs its gate programme chosen and finished.
    #[serde(default)]
    pub gates: Vec<Gate>,
    /// How many programmes each lead actor can run at once.
    #[serde(default)]
    pub capacities: Vec<Capacity>,
    /// The funding sources, with their ceilings.
    pub sources: Vec<FundingSource>,
    /// Minimum shares of the total spend per reform field or per goal.
    #[serde(default)]
    pub minimum_shares: Vec<MinimumShare>,
}

/// A capability a goal needs, with its levels per year of the horizon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Capability {
    /// Its stable id.
    pub id: CapabilityId,
    /// Its name, shown to people.
    pub name: String,
    /// The goal it serves; residual gaps are reported per goal.
    pub goal: GoalId,
    /// Its weight in the objective, from the goal's threat-derived priority.
    pub weight: f64,
    /// The level required in each year of the horizon (0–100), one entry a year.
    pub required: Vec<f64>,
    /// The level there is in each year without any programme (0–100), one entry a year.
    pub current: Vec<f64>,
}

/// Whether a programme builds one institution or works across the sector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeKind {
    /// It strengthens one institution.
    Institutional,
    /// It works across the sector.
    Sectoral,
}

/// A programme that may be chosen, in one of its options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Programme {
    /// Its stable id.
    pub id: ProgrammeId,
    /// Its name, shown to people.
    pub name: String,
    /// Institutional or sectoral.
    pub kind: ProgrammeKind,
    /// The field of reform it belongs to.
    pub field: ReformField,
    /// The actor that leads it.
    pub lead_actor: LeadActor,
    /// Whether every plan must contain it.
    #[serde(default)]
    pub mandatory: bool,
    /// The earliest year it may start; the horizon's first year when absent.
    #[serde(default)]
    pub earliest_start: Option<i32>,
    /// The latest year it may start; bounded by the horizon when absent.
    #[serde(default)]
    pub latest_start: Option<i32>,
    /// Its options; a plan chooses at most one.
    pub options: Vec<ProgrammeOption>,
}

/// One way of carrying out a programme.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeOption {
    /// Its id, unique within the programme.
    pub id: OptionId,
    /// How many years it runs, at least 1.
    pub duration: u32,
    /// What it costs each source, per year after its start.
    pub costs: Vec<SourceCost>,
    /// What it adds to capabilities, per year after its start.
    pub contributions: Vec<Contribution>,
}

/// The cost of an option to one funding source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceCost {
    /// The source that pays.
    pub source: SourceId,
    /// The amount in each year after the start: entry 0 is the start year. At most as
    /// many entries as the option's duration.
    pub per_year: Vec<f64>,
}

/// What an option adds to one capability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// The capability it raises.
    pub capability: CapabilityId,
    /// The level points added in each year after the start: entry 0 is the start year.
    /// After the last entry the last value holds to the end of the horizon, because a
    /// capability that has been built stays built.
    pub per_year: Vec<f64>,
}

/// `after` cannot start before `before` has finished, and needs `before` chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    /// The programme that must come first.
    pub before: ProgrammeId,
    /// The programme that depends on it.
    pub after: ProgrammeId,
}

/// At most one of these programmes may be chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    /// The programmes that exclude each other (two or more).
    pub programmes: Vec<ProgrammeId>,
}

/// If `gated` is chosen, `gate` must be chosen and have finished before `gated` starts
/// (for example a large procurement after an integrity programme).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    /// The integrity programme that opens the gate.
    pub gate: ProgrammeId,
    /// The programme behind the gate.
    pub gated: ProgrammeId,
}

/// The absorptive capacity of a lead actor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity {
    /// The lead actor.
    pub actor: LeadActor,
    /// How many of the programmes it leads may run in the same year.
    pub max_running: u32,
}

/// A funding source: the national treasury or a donor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FundingSource {
    /// Its stable id.
    pub id: SourceId,
    /// Its name, shown to people.
    pub name: String,
    /// The most it can spend in each year of the horizon, one entry a year.
    pub ceilings: Vec<f64>,
    /// The reform fields it may fund.
    #[serde(default)]
    pub eligible_fields: Vec<ReformField>,
    /// Programmes it may fund whatever their field.
    #[serde(default)]
    pub eligible_programmes: Vec<ProgrammeId>,
    /// Whether money unspent in a year stays available in later years.
    #[serde(default)]
    pub carry_over: bool,
}

/// A minimum share of the total spend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinimumShare {
    /// What the share is of.
    pub of: ShareOf,
    /// The minimum, as a fraction of the total spend (0.2 for 20%).
    pub share: f64,
}

/// What a minimum share counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareOf {
    /// The spend on programmes of this reform field.
    Field(ReformField),
    /// The spend on programmes whose chosen option serves this goal (it adds to at least
    /// one of the goal's capabilities); a programme may serve several goals.
    Goal(GoalId),
}

/// The ordering rule shared by dependencies and integrity gates: `later` needs `first`
/// chosen and finished before it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Precedence<'a> {
    /// The programme that must come first.
    pub first: &'a ProgrammeId,
    /// The programme that must wait.
    pub later: &'a ProgrammeId,
    /// Whether the rule is a dependency or an integrity gate.
    pub kind: PrecedenceKind,
    /// Its position in [`PlanProblem::dependencies`] or [`PlanProblem::gates`].
    pub index: usize,
}

/// Where a [`Precedence`] comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrecedenceKind {
    /// A dependency.
    Dependency,
    /// An integrity gate.
    Gate,
}

impl PlanProblem {
    /// The last year of the horizon.
    pub fn last_year(&self) -> i32 {
        self.first_year.saturating_add(self.horizon_len() as i32) - 1
    }

    /// The years of the horizon, in order.
    pub fn horizon(&self) -> RangeInclusive<i32> {
        self.first_year..=self.last_year()
    }

    /// The position of a year in the horizon, if it is in it.
    pub fn year_index(&self, year: i32) -> Option<usize> {
        let index = usize::try_from(i64::from(year) - i64::from(self.first_year)).ok()?;
        (index < self.horizon_len()).then_some(index)
    }

    /// The discount factor of the year at `index`: `1 / (1 + rate)^index`.
    pub fn discount(&self, index: usize) -> f64 {
        (1.0 + self.discount_rate).powi(index as i32).recip()
    }

    /// The programme with this id.
    pub fn programme(&self, id: &ProgrammeId) -> Option<&Programme> {
        self.programmes.iter().find(|p| &p.id == id)
    }

    /// The source with this id.
    pub fn source(&self, id: &SourceId) -> Option<&FundingSource> {
        self.sources.iter().find(|s| &s.id == id)
    }

    /// The capability with this id.
    pub fn capability(&self, id: &CapabilityId) -> Option<&Capability> {
        self.capabilities.iter().find(|c| &c.id == id)
    }

    /// The absorptive capacity of a lead actor, if one is declared.
    pub fn capacity_of(&self, actor: &LeadActor) -> Option<u32> {
        self.capacities
            .iter()
            .find(|c| &c.actor == actor)
            .map(|c| c.max_running)
    }

    /// Dependencies and integrity gates as one list of ordering rules: both say that a
    /// programme needs another chosen and finished before it starts.
    pub fn precedences(&self) -> impl Iterator<Item = Precedence<'_>> {
        let dependencies = self
            .dependencies
            .iter()
            .enumerate()
            .map(|(index, d)| Precedence {
                first: &d.before,
                later: &d.after,
                kind: PrecedenceKind::Dependency,
                index,
            });
        let gates = self.gates.iter().enumerate().map(|(index, g)| Precedence {
            first: &g.gate,
            later: &g.gated,
            kind: PrecedenceKind::Gate,
            index,
        });
        dependencies.chain(gates)
    }

    /// The goals of the capabilities, each once, in the order they first appear.
    pub fn goals(&self) -> Vec<&GoalId> {
        let mut goals: Vec<&GoalId> = Vec::new();
        for c in &self.capabilities {
            if !goals.contains(&&c.goal) {
                goals.push(&c.goal);
            }
        }
        goals
    }

    fn horizon_len(&self) -> usize {
        usize::try_from(self.years).unwrap_or(usize::MAX)
    }
}

impl Programme {
    /// The years in which `option` may start: within the programme's window and early
    /// enough to finish by the end of the horizon. Empty when none fits.
    pub fn start_years(
        &self,
        problem: &PlanProblem,
        option: &ProgrammeOption,
    ) -> RangeInclusive<i32> {
        let earliest = self
            .earliest_start
            .map_or(problem.first_year, |e| e.max(problem.first_year));
        let finish_by = problem.last_year() - option.duration.min(i32::MAX as u32) as i32 + 1;
        let latest = self.latest_start.map_or(finish_by, |l| l.min(finish_by));
        earliest..=latest
    }

    /// The option with this id.
    pub fn option(&self, id: &OptionId) -> Option<&ProgrammeOption> {
        self.options.iter().find(|o| &o.id == id)
    }
}

impl ProgrammeOption {
    /// The last year it runs when it starts in `start`.
    pub fn finish(&self, start: i32) -> i32 {
        start + self.duration.min(i32::MAX as u32) as i32 - 1
    }

    /// Whether it runs in `year` when it starts in `start`.
    pub fn runs_in(&self, start: i32, year: i32) -> bool {
        start <= year && year <= self.finish(start)
    }

    /// What it costs `source` in `year` when it starts in `start`.
    pub fn cost_in(&self, source: &SourceId, start: i32, year: i32) -> f64 {
        let Ok(after) = usize::try_from(i64::from(year) - i64::from(start)) else {
            return 0.0;
        };
        self.costs
            .iter()
            .filter(|c| &c.source == source)
            .filter_map(|c| c.per_year.get(after))
            .sum()
    }

    /// What it costs all sources over its whole run.
    pub fn total_cost(&self) -> f64 {
        self.costs.iter().flat_map(|c| &c.per_year).sum()
    }

    /// What it adds to `capability` in `year` when it starts in `start`: nothing before
    /// the start, the entry for that year after, and the last entry once the list ends.
    pub fn contribution_in(&self, capability: &CapabilityId, start: i32, year: i32) -> f64 {
        self.contributions
            .iter()
            .filter(|c| &c.capability == capability)
            .map(|c| c.in_year(start, year))
            .sum()
    }

    /// Whether it serves `goal`: it adds to at least one of the goal's capabilities.
    pub fn serves(&self, problem: &PlanProblem, goal: &GoalId) -> bool {
        self.contributions.iter().any(|c| {
            c.per_year.iter().any(|v| *v > 0.0)
                && problem
                    .capability(&c.capability)
                    .is_some_and(|cap| &cap.goal == goal)
        })
    }
}

impl Contribution {
    /// What it adds in `year` when its option starts in `start`: nothing before the
    /// start, the entry for that year after, and the last entry once the list ends.
    pub fn in_year(&self, start: i32, year: i32) -> f64 {
        let Ok(after) = usize::try_from(i64::from(year) - i64::from(start)) else {
            return 0.0;
        };
        self.per_year
            .get(after)
            .or(self.per_year.last())
            .copied()
            .unwrap_or(0.0)
    }
}

impl FundingSource {
    /// Whether it may fund `programme`: its field or its id is eligible. A source that
    /// lists neither fields nor programmes (a treasury) may fund any programme.
    pub fn may_fund(&self, programme: &Programme) -> bool {
        (self.eligible_fields.is_empty() && self.eligible_programmes.is_empty())
            || self.eligible_fields.contains(&programme.field)
            || self.eligible_programmes.contains(&programme.id)
    }

    /// Its ceiling in the year at `index` of the horizon (0 when the list is short).
    pub fn ceiling(&self, index: usize) -> f64 {
        self.ceilings.get(index).copied().unwrap_or(0.0)
    }
}

impl MinimumShare {
    /// Whether spending on `programme` in `option` counts towards this share.
    pub fn counts(
        &self,
        problem: &PlanProblem,
        programme: &Programme,
        option: &ProgrammeOption,
    ) -> bool {
        match &self.of {
            ShareOf::Field(field) => programme.field == *field,
            ShareOf::Goal(goal) => option.serves(problem, goal),
        }
    }
}

impl std::fmt::Display for ShareOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShareOf::Field(field) => write!(f, "reform field {field}"),
            ShareOf::Goal(goal) => write!(f, "goal {goal}"),
        }
    }
}

impl std::fmt::Display for ProgrammeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ProgrammeKind::Institutional => "institutional",
            ProgrammeKind::Sectoral => "sectoral",
        })
    }
}
