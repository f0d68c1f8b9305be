//! Which rules a feasible plan meets exactly, with no room left: the constraints that
//! bind. They are what a planner would have to relax to do more.

use serde::{Deserialize, Serialize};

use super::amount::Amount;
use super::check::{and_list, exceeds};
use super::evaluate::Evaluation;
use super::id::{LeadActor, ProgrammeId, SourceId};
use super::portfolio::{PlanProblem, PrecedenceKind, ShareOf};
use super::schedule::Plan;

/// A rule the plan meets with no room left.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Binding {
    /// A source spends all it has in a year.
    Ceiling {
        /// The source.
        source: SourceId,
        /// Its name.
        name: String,
        /// The year.
        year: i32,
        /// What it spends.
        spent: f64,
        /// What it has (ceiling and carried-over money).
        available: f64,
    },
    /// A lead actor runs as many programmes as it can absorb.
    Capacity {
        /// The actor.
        actor: LeadActor,
        /// The year.
        year: i32,
        /// Its capacity, all used.
        capacity: u32,
    },
    /// A minimum share is met exactly.
    Share {
        /// What the share is of.
        of: ShareOf,
        /// The share.
        share: f64,
    },
    /// A programme starts the year after the programme it waits for finishes.
    Precedence {
        /// A dependency or a gate.
        kind: PrecedenceKind,
        /// The programme that comes first.
        first: ProgrammeId,
        /// The programme that waits.
        later: ProgrammeId,
        /// The year `later` starts.
        year: i32,
    },
    /// One programme of an exclusion is chosen, which bars the others.
    Exclusion {
        /// The chosen programme.
        chosen: ProgrammeId,
        /// The programmes it bars.
        barred: Vec<ProgrammeId>,
    },
}

impl std::fmt::Display for Binding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Binding::Ceiling {
                name,
                year,
                spent,
                available,
                ..
            } => write!(
                f,
                "the {year} {name} ceiling: {} spent of {} available",
                Amount(*spent),
                Amount(*available)
            ),
            Binding::Capacity {
                actor,
                year,
                capacity,
            } => {
                write!(
                    f,
                    "the absorptive capacity of {actor} in {year}: {capacity} of {capacity} programmes running"
                )
            }
            Binding::Share { of, share } => write!(
                f,
                "the minimum share of {of}: exactly {:.1}% of the spend",
                share * 100.0
            ),
            Binding::Precedence {
                kind,
                first,
                later,
                year,
            } => match kind {
                PrecedenceKind::Dependency => {
                    write!(
                        f,
                        "{later} starts in {year}, as soon as {first}, on which it depends, has finished"
                    )
                }
                PrecedenceKind::Gate => {
                    write!(
                        f,
                        "{later} starts in {year}, as soon as its integrity gate {first} has finished"
                    )
                }
            },
            Binding::Exclusion { chosen, barred } => {
                write!(f, "{chosen} is chosen, which excludes {}", and_list(barred))
            }
        }
    }
}

/// The rules that a plan meets exactly. The plan is expected to be feasible; for one that
/// is not, rules it breaks are not listed here but by [`check`](super::check).
pub fn binding(problem: &PlanProblem, plan: &Plan, evaluation: &Evaluation) -> Vec<Binding> {
    let checker = super::checker::Checker::new(problem);
    let mut found = Vec::new();
    for year in &evaluation.spend {
        let tight = year.spent > 0.0
            && !exceeds(year.available, year.spent)
            && !exceeds(year.spent, year.available);
        if tight {
            found.push(Binding::Ceiling {
                source: year.source.clone(),
                name: problem
                    .source(&year.source)
                    .map_or_else(|| year.source.to_string(), |s| s.name.clone()),
                year: year.year,
                spent: year.spent,
                available: year.available,
            });
        }
    }
    for year in &evaluation.running {
        if year.capacity == Some(year.running) && year.running > 0 {
            found.push(Binding::Capacity {
                actor: year.actor.clone(),
                year: year.year,
                capacity: year.running,
            });
        }
    }
    for spend in &evaluation.shares {
        let rule = &problem.minimum_shares[spend.rule];
        if rule.share > 0.0 && spend.total > 0.0 && !exceeds(spend.counted, spend.minimum) {
            found.push(Binding::Share {
                of: rule.of.clone(),
                share: rule.share,
            });
        }
    }
    for rule in problem.precedences() {
        if let (Some((_, first, first_start)), Some((_, _, later_start))) = (
            checker.resolve(plan, rule.first),
            checker.resolve(plan, rule.later),
        ) && later_start == first.finish(first_start) + 1
        {
            found.push(Binding::Precedence {
                kind: rule.kind,
                first: rule.first.clone(),
                later: rule.later.clone(),
                year: later_start,
            });
        }
    }
    for exclusion in &problem.exclusions {
        let chosen: Vec<&ProgrammeId> = exclusion
            .programmes
            .iter()
            .filter(|p| plan.contains(p))
            .collect();
        if let [one] = chosen.as_slice() {
            found.push(Binding::Exclusion {
                chosen: (*one).clone(),
                barred: exclusion
                    .programmes
                    .iter()
                    .filter(|p| p != one)
                    .cloned()
                    .collect(),
            });
        }
    }
    found
}
