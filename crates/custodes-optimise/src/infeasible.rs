//! Why no plan exists, in words. Cheap pre-checks come first (invalid input, including a
//! cycle of dependencies; a mandatory programme that no ceiling can hold even alone;
//! mandatory programmes that exclude each other; a mandatory programme whose window does
//! not fit the horizon). Otherwise a deletion filter over the groups of rules finds a
//! small set that cannot hold together: each group is dropped in turn and stays dropped
//! when the rest is still infeasible, so every group left is needed for the conflict.

use custodes_core::plan::{
    Amount, Checker, LeadActor, Plan, PlanProblem, PrecedenceKind, Problem, ProgrammeId, ShareOf,
    SourceId, Violation,
};
use serde::{Deserialize, Serialize};

use crate::words;

use crate::model::{Group, Model};
use crate::solve::{Job, Objective, Run, run};

/// Why the optimiser could not return a plan. Never a bare "infeasible": each case names
/// the rules and the numbers involved.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Infeasibility {
    /// The input is not valid (unknown ids, a cycle of dependencies, negative costs, …).
    #[error("the plan problem is not valid: {}", join(.0))]
    Invalid(Vec<Problem>),
    /// Pre-checks found rules that no plan can keep.
    #[error("no plan can exist: {}", join(.0))]
    Precheck(Vec<Finding>),
    /// These rules cannot all hold together; dropping any one of them would leave a
    /// feasible problem (as far as the solver could tell within the time limit).
    #[error("no plan keeps these rules together: {}", join(.0))]
    Conflict(Vec<Rule>),
    /// The time limit came before the solver found any plan or proved that none exists.
    #[error(
        "no plan was found within the time limit of {seconds:.1} s, and none was proven impossible"
    )]
    NoPlanInTime {
        /// The time limit.
        seconds: f64,
    },
    /// The user stopped the search before the solver found any plan.
    #[error("the search was stopped before any plan was found")]
    Stopped,
    /// The solver failed.
    #[error("the solver failed: {0}")]
    Solver(String),
}

/// A rule that no plan can keep, found before solving.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "finding")]
pub enum Finding {
    /// A mandatory programme breaks a ceiling even when nothing else is chosen.
    #[error("mandatory programme {programme} does not fit even alone: {option_words}, {violation}")]
    MandatoryOverCeiling {
        /// The programme.
        programme: ProgrammeId,
        /// Which attempt is described ("its cheapest option o starting in 2028").
        option_words: String,
        /// The ceiling it breaks.
        violation: Violation,
    },
    /// A mandatory programme has no start year in its window that finishes within the
    /// horizon.
    #[error(
        "mandatory programme {programme} cannot start within its window and finish by {last_year}"
    )]
    MandatoryNoStart {
        /// The programme.
        programme: ProgrammeId,
        /// The last year of the horizon.
        last_year: i32,
    },
    /// Two mandatory programmes exclude each other.
    #[error("mandatory programmes {first} and {second} exclude each other")]
    MandatoryExcluded {
        /// One programme.
        first: ProgrammeId,
        /// The other.
        second: ProgrammeId,
    },
}

/// A group of constraints, as a planner would name it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Rule {
    /// A programme is mandatory.
    Mandatory {
        /// The programme.
        programme: ProgrammeId,
    },
    /// A dependency or an integrity gate.
    Precedence {
        /// Which.
        kind: PrecedenceKind,
        /// The programme that comes first.
        first: ProgrammeId,
        /// The programme that waits.
        later: ProgrammeId,
    },
    /// An exclusion.
    Exclusion {
        /// Its programmes.
        programmes: Vec<ProgrammeId>,
    },
    /// The yearly ceilings of a source.
    Ceilings {
        /// The source.
        funding: SourceId,
        /// Its name.
        name: String,
        /// Its ceilings, year by year.
        ceilings: Vec<f64>,
        /// Whether it carries money over.
        carry_over: bool,
    },
    /// The absorptive capacity of a lead actor.
    Capacity {
        /// The actor.
        actor: LeadActor,
        /// How many programmes it may run at once.
        max_running: u32,
    },
    /// A minimum share.
    Share {
        /// What it is of.
        of: ShareOf,
        /// The share.
        share: f64,
    },
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rule::Mandatory { programme } => write!(f, "{programme} is mandatory"),
            Rule::Precedence {
                kind: PrecedenceKind::Dependency,
                first,
                later,
            } => {
                write!(
                    f,
                    "{later} needs {first} chosen and finished before it starts"
                )
            }
            Rule::Precedence {
                kind: PrecedenceKind::Gate,
                first,
                later,
            } => {
                write!(
                    f,
                    "{later} is gated by integrity programme {first}, which must be chosen and finished first"
                )
            }
            Rule::Exclusion { programmes } => {
                write!(f, "at most one of {} may be chosen", words(programmes))
            }
            Rule::Ceilings {
                name,
                ceilings,
                carry_over,
                ..
            } => {
                let amounts: Vec<String> =
                    ceilings.iter().map(|c| Amount(*c).to_string()).collect();
                let carry = if *carry_over { "with" } else { "without" };
                write!(
                    f,
                    "the {name} ceilings ({} a year, {carry} carry-over)",
                    amounts.join(", ")
                )
            }
            Rule::Capacity { actor, max_running } => {
                write!(
                    f,
                    "{actor} may run at most {max_running} programmes at once"
                )
            }
            Rule::Share { of, share } => write!(
                f,
                "{of} must get at least {:.1}% of the spend",
                share * 100.0
            ),
        }
    }
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The rules no plan can keep, found without the solver.
pub(crate) fn precheck(problem: &PlanProblem) -> Vec<Finding> {
    let checker = Checker::new(problem);
    let mut found = Vec::new();
    for programme in problem.programmes.iter().filter(|p| p.mandatory) {
        let mut attempts = Vec::new();
        for option in &programme.options {
            for start in programme.start_years(problem, option) {
                let alone = Plan::new().with(programme.id.clone(), option.id.clone(), start);
                let over: Vec<Violation> = checker
                    .check_evaluated(&alone, &checker.evaluate(&alone))
                    .into_iter()
                    .filter(|v| matches!(v, Violation::OverCeiling { .. }))
                    .collect();
                attempts.push((option, start, over));
            }
        }
        if attempts.is_empty() {
            found.push(Finding::MandatoryNoStart {
                programme: programme.id.clone(),
                last_year: problem.last_year(),
            });
        } else if attempts.iter().all(|a| !a.2.is_empty()) {
            // Describe the cheapest option at the start where it overshoots least.
            let excess = |vs: &[Violation]| -> f64 {
                vs.iter()
                    .map(|v| match v {
                        Violation::OverCeiling {
                            spent, available, ..
                        } => spent - available,
                        _ => 0.0,
                    })
                    .sum()
            };
            let best = attempts.iter().min_by(|a, b| {
                a.0.total_cost()
                    .total_cmp(&b.0.total_cost())
                    .then(excess(&a.2).total_cmp(&excess(&b.2)))
            });
            if let Some((option, start, over)) = best {
                found.push(Finding::MandatoryOverCeiling {
                    programme: programme.id.clone(),
                    option_words: format!("its cheapest option {} starting in {start}", option.id),
                    violation: over[0].clone(),
                });
            }
        }
    }
    for exclusion in &problem.exclusions {
        let mandatory: Vec<&ProgrammeId> = exclusion
            .programmes
            .iter()
            .filter(|id| checker.programme(id).is_some_and(|p| p.mandatory))
            .collect();
        if let [first, second, ..] = mandatory.as_slice() {
            found.push(Finding::MandatoryExcluded {
                first: (*first).clone(),
                second: (*second).clone(),
            });
        }
    }
    found
}

/// All the groups of rules a problem has, in a stable order.
fn groups(problem: &PlanProblem) -> Vec<Group> {
    let mut all = Vec::new();
    all.extend(
        problem
            .programmes
            .iter()
            .enumerate()
            .filter(|(_, p)| p.mandatory)
            .map(|(i, _)| Group::Mandatory(i)),
    );
    all.extend(
        problem
            .precedences()
            .map(|r| Group::Precedence(r.kind, r.index)),
    );
    all.extend((0..problem.exclusions.len()).map(Group::Exclusion));
    all.extend((0..problem.sources.len()).map(Group::Ceilings));
    all.extend((0..problem.capacities.len()).map(Group::Capacity));
    all.extend((0..problem.minimum_shares.len()).map(Group::Share));
    all
}

/// Whether the problem with only `kept` groups has a plan; `None` when the solver could
/// not tell within the time limit.
fn feasible(
    problem: &PlanProblem,
    kept: &[Group],
    time_limit: f64,
) -> Result<Option<bool>, String> {
    let model = Model::build(problem, &|g| kept.contains(&g));
    let job = Job {
        objective: Objective::Feasibility,
        extra: None,
        time_limit,
        relative_gap: 1.0,
        start: None,
        relaxed_bounds: None,
        node_limit: None,
    };
    match run(&model, &job, None) {
        Run::Solved(_) => Ok(Some(true)),
        Run::Infeasible => Ok(Some(false)),
        Run::NoSolution => Ok(None),
        Run::Error(e) => Err(e),
    }
}

/// A small set of groups that cannot hold together, found by deletion filtering, for a
/// problem the solver found infeasible.
pub(crate) fn conflict(problem: &PlanProblem, time_limit: f64) -> Infeasibility {
    let mut kept = groups(problem);
    let per_solve = (time_limit / (kept.len() as f64 + 1.0)).max(1.0);
    for group in groups(problem) {
        let trial: Vec<Group> = kept.iter().copied().filter(|g| *g != group).collect();
        match feasible(problem, &trial, per_solve) {
            Ok(Some(false)) => kept = trial,
            Ok(_) => {}
            Err(e) => return Infeasibility::Solver(e),
        }
    }
    Infeasibility::Conflict(kept.into_iter().map(|g| rule(problem, g)).collect())
}

fn rule(problem: &PlanProblem, group: Group) -> Rule {
    match group {
        Group::Mandatory(p) => Rule::Mandatory {
            programme: problem.programmes[p].id.clone(),
        },
        Group::Precedence(kind, i) => {
            let (first, later) = match kind {
                PrecedenceKind::Dependency => {
                    let d = &problem.dependencies[i];
                    (d.before.clone(), d.after.clone())
                }
                PrecedenceKind::Gate => {
                    let g = &problem.gates[i];
                    (g.gate.clone(), g.gated.clone())
                }
            };
            Rule::Precedence { kind, first, later }
        }
        Group::Exclusion(e) => Rule::Exclusion {
            programmes: problem.exclusions[e].programmes.clone(),
        },
        Group::Ceilings(f) => {
            let s = &problem.sources[f];
            Rule::Ceilings {
                funding: s.id.clone(),
                name: s.name.clone(),
                ceilings: s.ceilings.clone(),
                carry_over: s.carry_over,
            }
        }
        Group::Capacity(k) => {
            let c = &problem.capacities[k];
            Rule::Capacity {
                actor: c.actor.clone(),
                max_running: c.max_running,
            }
        }
        Group::Share(r) => {
            let s = &problem.minimum_shares[r];
            Rule::Share {
                of: s.of.clone(),
                share: s.share,
            }
        }
    }
}
