//! What a plan does: its spend per source and year against what is available, the
//! capability levels and residual gaps it leaves per capability, goal and year, how many
//! programmes each lead actor runs, the spend that counts towards each minimum share, and
//! the objective.
//!
//! The evaluation counts; it does not judge. [`check`](super::check) reads the same
//! counts and says which rules a plan breaks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::checker::Checker;
use super::id::{CapabilityId, GoalId, LeadActor, SourceId};
use super::portfolio::{PlanProblem, Programme, ProgrammeOption};
use super::schedule::Plan;

/// The effects of a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The objective: the threat-weighted residual gap summed over the horizon, discounted
    /// (see the [module documentation](super) for the formula). Lower is better.
    pub objective: f64,
    /// What the plan costs all sources over the horizon, undiscounted.
    pub total_cost: f64,
    /// Spend per source and year, sources in the problem's order, years in order.
    pub spend: Vec<SourceYear>,
    /// Levels and gaps per capability and year, capabilities in the problem's order.
    pub capabilities: Vec<CapabilityYear>,
    /// Residual gaps per goal and year, goals in the order they first appear.
    pub goals: Vec<GoalYear>,
    /// Programmes running per lead actor and year, for every actor that leads a chosen
    /// programme or has a declared capacity, in id order.
    pub running: Vec<ActorYear>,
    /// The spend that counts towards each minimum share, in the problem's order.
    pub shares: Vec<ShareSpend>,
}

/// One source in one year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceYear {
    /// The source.
    pub source: SourceId,
    /// The year.
    pub year: i32,
    /// What the plan spends from it that year.
    pub spent: f64,
    /// Its ceiling that year.
    pub ceiling: f64,
    /// What it can spend that year: the ceiling, plus what earlier years left unspent when
    /// the source carries money over (less what they overspent).
    pub available: f64,
}

impl SourceYear {
    /// What is left that year (negative when the plan overspends).
    pub fn left(&self) -> f64 {
        self.available - self.spent
    }
}

/// One capability in one year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CapabilityYear {
    /// The capability.
    pub capability: CapabilityId,
    /// Its goal.
    pub goal: GoalId,
    /// The year.
    pub year: i32,
    /// The level required.
    pub required: f64,
    /// The level reached: the current level plus what the plan's programmes add.
    pub reached: f64,
    /// The residual gap: `max(0, required - reached)`.
    pub gap: f64,
}

/// One goal in one year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalYear {
    /// The goal.
    pub goal: GoalId,
    /// The year.
    pub year: i32,
    /// The sum of its capabilities' residual gaps, in level points.
    pub gap: f64,
    /// The same gaps weighted by their capabilities' weights, undiscounted.
    pub weighted: f64,
}

/// One lead actor in one year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActorYear {
    /// The lead actor.
    pub actor: LeadActor,
    /// The year.
    pub year: i32,
    /// How many of its programmes run that year.
    pub running: u32,
    /// Its declared capacity, if any.
    pub capacity: Option<u32>,
}

/// The spend towards one minimum share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShareSpend {
    /// The position of the rule in [`PlanProblem::minimum_shares`].
    pub rule: usize,
    /// The spend that counts towards it.
    pub counted: f64,
    /// The plan's total spend.
    pub total: f64,
    /// The minimum spend: the rule's share of the total.
    pub minimum: f64,
}

/// Evaluates a plan. Choices that name an unknown programme or option are ignored here
/// (`check` reports them), so this never fails. To evaluate many plans against one
/// problem, make a [`Checker`] once and call [`Checker::evaluate`].
pub fn evaluate(problem: &PlanProblem, plan: &Plan) -> Evaluation {
    Checker::new(problem).evaluate(plan)
}

impl Checker<'_> {
    /// Evaluates a plan; see [`evaluate`].
    pub fn evaluate(&self, plan: &Plan) -> Evaluation {
        self.evaluate_with(plan, Detail::Full)
    }

    /// Evaluates a plan for judging it only: the objective, the total cost, the spend, the
    /// programmes running and the shares, all that [`Checker::check_evaluated`] reads, but
    /// no table per capability or goal (`capabilities` and `goals` are empty). For judging
    /// many plans quickly, as when explaining why each programme was left out.
    pub fn evaluate_for_check(&self, plan: &Plan) -> Evaluation {
        self.evaluate_with(plan, Detail::ForCheck)
    }

    /// The sums `plan`'s evaluation is made from; see [`Tally`].
    pub fn tally(&self, plan: &Plan) -> Tally<'_> {
        let problem = self.problem;
        let n = problem.horizon().count();
        let mut tally = Tally {
            spent: vec![0.0; problem.sources.len() * n],
            added: vec![0.0; problem.capabilities.len() * n],
            total_cost: 0.0,
            running: problem
                .capacities
                .iter()
                .map(|c| (&c.actor, vec![0; n]))
                .collect(),
            counted: vec![0.0; problem.minimum_shares.len()],
        };
        for (programme, option, start) in self.resolved(plan) {
            self.add(&mut tally, programme, option, start);
        }
        tally
    }

    /// [`Checker::evaluate_for_check`] of the plan whose sums are `base` with one more
    /// programme chosen, in time independent of the plan's size: `base` is
    /// [`Checker::tally`] of the plan without it, and `programme` must not be in that plan.
    pub fn evaluate_adding(
        &self,
        base: &Tally<'_>,
        programme: &Programme,
        option: &ProgrammeOption,
        start: i32,
    ) -> Evaluation {
        let mut tally = base.clone();
        self.add(&mut tally, programme, option, start);
        self.finish(tally, Detail::ForCheck)
    }

    /// Adds a chosen option's yearly costs, contributions, running years and share spend
    /// into the sums, indexed by (source or capability, year).
    fn add<'t>(
        &self,
        tally: &mut Tally<'t>,
        programme: &'t Programme,
        option: &ProgrammeOption,
        start: i32,
    ) {
        let problem = self.problem;
        let n = problem.horizon().count();
        let first = problem.first_year;
        for cost in &option.costs {
            for (k, amount) in cost.per_year.iter().enumerate() {
                let Some(t) = problem.year_index(start + k as i32) else {
                    continue;
                };
                tally.total_cost += amount;
                if let Some(&f) = self.sources.get(cost.source.as_str()) {
                    tally.spent[f * n + t] += amount;
                }
            }
        }
        for c in &option.contributions {
            let Some(&i) = self.capabilities.get(c.capability.as_str()) else {
                continue;
            };
            for t in 0..n {
                tally.added[i * n + t] += c.in_year(start, first + t as i32);
            }
        }
        let years = tally
            .running
            .entry(&programme.lead_actor)
            .or_insert_with(|| vec![0; n]);
        for (t, count) in years.iter_mut().enumerate() {
            if option.runs_in(start, first + t as i32) {
                *count += 1;
            }
        }
        for (rule, share) in problem.minimum_shares.iter().enumerate() {
            if share.counts(problem, programme, option) {
                tally.counted[rule] += spend_in_horizon(problem, option, start);
            }
        }
    }

    fn evaluate_with(&self, plan: &Plan, detail: Detail) -> Evaluation {
        self.finish(self.tally(plan), detail)
    }

    /// The evaluation made from a plan's sums.
    fn finish(&self, tally: Tally<'_>, detail: Detail) -> Evaluation {
        let problem = self.problem;
        let n = problem.horizon().count();
        let first = problem.first_year;
        let Tally {
            spent,
            added,
            total_cost,
            running,
            counted,
        } = tally;

        let mut spend = Vec::with_capacity(spent.len());
        for (f, source) in problem.sources.iter().enumerate() {
            let mut carried = 0.0;
            for t in 0..n {
                let spent = spent[f * n + t];
                let ceiling = source.ceiling(t);
                let available = ceiling + carried;
                if source.carry_over {
                    carried = available - spent;
                }
                spend.push(SourceYear {
                    source: source.id.clone(),
                    year: first + t as i32,
                    spent,
                    ceiling,
                    available,
                });
            }
        }

        let full = detail == Detail::Full;
        let mut goals: Vec<GoalYear> = self
            .goals
            .iter()
            .filter(|_| full)
            .flat_map(|g| {
                (0..n).map(move |t| GoalYear {
                    goal: (*g).clone(),
                    year: first + t as i32,
                    gap: 0.0,
                    weighted: 0.0,
                })
            })
            .collect();
        let mut capabilities = Vec::with_capacity(if full { added.len() } else { 0 });
        let mut objective = 0.0;
        for (i, cap) in problem.capabilities.iter().enumerate() {
            for t in 0..n {
                let required = cap.required.get(t).copied().unwrap_or(0.0);
                let reached = cap.current.get(t).copied().unwrap_or(0.0) + added[i * n + t];
                let gap = (required - reached).max(0.0);
                objective += cap.weight * problem.discount(t) * gap;
                if !full {
                    continue;
                }
                let goal = &mut goals[self.goal_of[i] * n + t];
                goal.gap += gap;
                goal.weighted += cap.weight * gap;
                capabilities.push(CapabilityYear {
                    capability: cap.id.clone(),
                    goal: cap.goal.clone(),
                    year: first + t as i32,
                    required,
                    reached,
                    gap,
                });
            }
        }

        let running = running
            .into_iter()
            .flat_map(|(actor, years)| {
                let capacity = problem.capacity_of(actor);
                years
                    .into_iter()
                    .enumerate()
                    .map(move |(t, running)| ActorYear {
                        actor: actor.clone(),
                        year: first + t as i32,
                        running,
                        capacity,
                    })
            })
            .collect();

        let shares = problem
            .minimum_shares
            .iter()
            .zip(counted)
            .enumerate()
            .map(|(rule, (share, counted))| ShareSpend {
                rule,
                counted,
                total: total_cost,
                minimum: share.share * total_cost,
            })
            .collect();

        Evaluation {
            objective,
            total_cost,
            spend,
            capabilities,
            goals,
            running,
            shares,
        }
    }
}

/// The sums a plan's [`Evaluation`] is made from: spend per source and year, what the
/// plan adds per capability and year, the total cost, the programmes each lead actor runs
/// per year and the spend counting towards each minimum share. Each chosen programme adds
/// into them, so the sums of a plan with one programme more are those of the plan plus
/// that programme's ([`Checker::evaluate_adding`]).
#[derive(Clone, Debug)]
pub struct Tally<'p> {
    spent: Vec<f64>,
    added: Vec<f64>,
    total_cost: f64,
    running: BTreeMap<&'p LeadActor, Vec<u32>>,
    counted: Vec<f64>,
}

/// How much of an evaluation to build.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    Full,
    ForCheck,
}

/// What an option started in `start` costs all sources within the horizon.
fn spend_in_horizon(problem: &PlanProblem, option: &ProgrammeOption, start: i32) -> f64 {
    option
        .costs
        .iter()
        .flat_map(|c| c.per_year.iter().enumerate())
        .filter(|(k, _)| problem.year_index(start + *k as i32).is_some())
        .map(|(_, amount)| amount)
        .sum()
}
