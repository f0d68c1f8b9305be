//! The independent checker: does a plan keep every rule of its problem?
//!
//! It reads the plan year by year, as a person with a spreadsheet would, and shares no code
//! with the optimiser's model: a plan the solver returns is checked here, not by the
//! solver. Each [`Violation`] says in words what is wrong, with the amounts.

use serde::{Deserialize, Serialize};

use super::amount::Amount;
use super::checker::Checker;
use super::evaluate::Evaluation;
use super::id::{LeadActor, OptionId, ProgrammeId, SourceId};
use super::portfolio::{PlanProblem, PrecedenceKind, ShareOf};
use super::schedule::Plan;

/// A rule that a plan breaks.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Violation {
    /// The plan names a programme the problem does not have.
    #[error("programme {programme} is not in the portfolio")]
    UnknownProgramme {
        /// The programme.
        programme: ProgrammeId,
    },
    /// The plan names an option the programme does not have.
    #[error("programme {programme} has no option {option}")]
    UnknownOption {
        /// The programme.
        programme: ProgrammeId,
        /// The option.
        option: OptionId,
    },
    /// A programme starts outside the years its option may start in.
    #[error("{programme} (option {option}) cannot start in {start}: {}", window(*.earliest, *.latest))]
    OutsideWindow {
        /// The programme.
        programme: ProgrammeId,
        /// The option.
        option: OptionId,
        /// The start year in the plan.
        start: i32,
        /// The earliest start allowed.
        earliest: i32,
        /// The latest start allowed (its window, and finishing within the horizon).
        latest: i32,
    },
    /// A mandatory programme is left out.
    #[error("mandatory programme {programme} is not in the plan")]
    MandatoryMissing {
        /// The programme.
        programme: ProgrammeId,
    },
    /// A source spends more in a year than it has.
    #[error(
        "the {year} {name} ceiling is exceeded by {} (spend {} against {} available)",
        Amount(.spent - .available), Amount(*.spent), Amount(*.available)
    )]
    OverCeiling {
        /// The source.
        funding: SourceId,
        /// Its name.
        name: String,
        /// The year.
        year: i32,
        /// What the plan spends from it that year.
        spent: f64,
        /// What it has that year (its ceiling and, with carry-over, what is left from
        /// earlier years).
        available: f64,
    },
    /// A programme is chosen without the programme it needs first.
    #[error("{later} {} {first}, which is not in the plan", needs(*.kind))]
    PrecedenceMissing {
        /// A dependency or a gate.
        kind: PrecedenceKind,
        /// The programme that must come first.
        first: ProgrammeId,
        /// The programme that waits.
        later: ProgrammeId,
    },
    /// A programme starts before the programme it needs has finished.
    #[error(
        "{later} starts in {later_starts}, but {first}, {}, finishes only in {first_finishes}",
        role(*.kind)
    )]
    PrecedenceTooEarly {
        /// A dependency or a gate.
        kind: PrecedenceKind,
        /// The programme that must come first.
        first: ProgrammeId,
        /// The programme that waits.
        later: ProgrammeId,
        /// The last year `first` runs.
        first_finishes: i32,
        /// The year `later` starts.
        later_starts: i32,
    },
    /// Programmes that exclude each other are chosen together.
    #[error("{} exclude each other, but all are in the plan", and_list(.chosen))]
    Excluded {
        /// The chosen programmes of one exclusion.
        chosen: Vec<ProgrammeId>,
    },
    /// A lead actor runs more programmes at once than it can absorb.
    #[error("{actor} would run {running} programmes in {year}, over its capacity of {capacity}")]
    OverCapacity {
        /// The lead actor.
        actor: LeadActor,
        /// The year.
        year: i32,
        /// How many of its programmes run that year.
        running: u32,
        /// Its capacity.
        capacity: u32,
    },
    /// A reform field or goal gets less than its minimum share of the spend.
    #[error(
        "spend on {of} is {} of {}, short of its minimum share of {:.1}% by {}",
        Amount(*.counted), Amount(*.total), .share * 100.0, Amount(.share * .total - .counted)
    )]
    ShareBelowMinimum {
        /// What the share is of.
        of: ShareOf,
        /// The spend that counts towards it.
        counted: f64,
        /// The plan's total spend.
        total: f64,
        /// The minimum share.
        share: f64,
    },
}

/// The tolerance of comparisons between amounts: one millionth, relative to the larger
/// side and at least absolute, so that rounding in a solver's arithmetic is not a breach.
pub fn exceeds(value: f64, limit: f64) -> bool {
    value > limit + 1e-6 * limit.abs().max(1.0)
}

/// Checks a plan against every rule of its problem and returns what it breaks, in a
/// stable order (the plan's own choices first, then rule by rule). An empty list means the
/// plan is feasible.
pub fn check(problem: &PlanProblem, plan: &Plan) -> Vec<Violation> {
    let checker = Checker::new(problem);
    checker.check_evaluated(plan, &checker.evaluate(plan))
}

impl Checker<'_> {
    /// [`check`] for a plan whose evaluation (by [`Checker::evaluate`]) is at hand.
    pub fn check_evaluated(&self, plan: &Plan, evaluation: &Evaluation) -> Vec<Violation> {
        let problem = self.problem;
        let mut found = Vec::new();

        for (id, choice) in &plan.choices {
            let Some(programme) = self.programme(id) else {
                found.push(Violation::UnknownProgramme {
                    programme: id.clone(),
                });
                continue;
            };
            let Some(option) = programme.option(&choice.option) else {
                found.push(Violation::UnknownOption {
                    programme: id.clone(),
                    option: choice.option.clone(),
                });
                continue;
            };
            let starts = programme.start_years(problem, option);
            if !starts.contains(&choice.start) {
                found.push(Violation::OutsideWindow {
                    programme: id.clone(),
                    option: option.id.clone(),
                    start: choice.start,
                    earliest: *starts.start(),
                    latest: *starts.end(),
                });
            }
        }

        for programme in problem.programmes.iter().filter(|p| p.mandatory) {
            if !plan.contains(&programme.id) {
                found.push(Violation::MandatoryMissing {
                    programme: programme.id.clone(),
                });
            }
        }

        for year in &evaluation.spend {
            if exceeds(year.spent, year.available) {
                let name = problem
                    .source(&year.source)
                    .map_or_else(|| year.source.to_string(), |s| s.name.clone());
                found.push(Violation::OverCeiling {
                    funding: year.source.clone(),
                    name,
                    year: year.year,
                    spent: year.spent,
                    available: year.available,
                });
            }
        }

        for rule in problem.precedences() {
            let Some((_, _, later_start)) = self.resolve(plan, rule.later) else {
                continue;
            };
            match self.resolve(plan, rule.first) {
                None => found.push(Violation::PrecedenceMissing {
                    kind: rule.kind,
                    first: rule.first.clone(),
                    later: rule.later.clone(),
                }),
                Some((_, first_option, first_start)) => {
                    let first_finishes = first_option.finish(first_start);
                    if later_start <= first_finishes {
                        found.push(Violation::PrecedenceTooEarly {
                            kind: rule.kind,
                            first: rule.first.clone(),
                            later: rule.later.clone(),
                            first_finishes,
                            later_starts: later_start,
                        });
                    }
                }
            }
        }

        for exclusion in &problem.exclusions {
            let chosen: Vec<ProgrammeId> = exclusion
                .programmes
                .iter()
                .filter(|p| plan.contains(p))
                .cloned()
                .collect();
            if chosen.len() > 1 {
                found.push(Violation::Excluded { chosen });
            }
        }

        for year in &evaluation.running {
            if let Some(capacity) = year.capacity
                && year.running > capacity
            {
                found.push(Violation::OverCapacity {
                    actor: year.actor.clone(),
                    year: year.year,
                    running: year.running,
                    capacity,
                });
            }
        }

        for spend in &evaluation.shares {
            let rule = &problem.minimum_shares[spend.rule];
            if exceeds(spend.minimum, spend.counted) {
                found.push(Violation::ShareBelowMinimum {
                    of: rule.of.clone(),
                    counted: spend.counted,
                    total: spend.total,
                    share: rule.share,
                });
            }
        }

        found
    }
}

fn window(earliest: i32, latest: i32) -> String {
    if earliest > latest {
        "no start year fits its window and the horizon".to_owned()
    } else {
        format!(
            "it may start from {earliest} to {latest}, to keep its window and finish within the horizon"
        )
    }
}

fn needs(kind: PrecedenceKind) -> &'static str {
    match kind {
        PrecedenceKind::Dependency => "depends on",
        PrecedenceKind::Gate => "is gated by integrity programme",
    }
}

fn role(kind: PrecedenceKind) -> &'static str {
    match kind {
        PrecedenceKind::Dependency => "on which it depends",
        PrecedenceKind::Gate => "its integrity gate",
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn and_list<T: std::fmt::Display>(items: &[T]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!(
            "{} and {last}",
            init.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
