//! Validation of a plan problem: every problem with the input, each naming the part at
//! fault, before anything is optimised. Nothing here panics on bad input.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::check::and_list;
use super::id::{CapabilityId, GoalId, LeadActor, OptionId, ProgrammeId, SourceId};
use super::portfolio::{PlanProblem, ShareOf};

/// A problem with a plan problem's input.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum Problem {
    /// The horizon has no year.
    #[error("the horizon must span at least one year")]
    EmptyHorizon,
    /// The discount rate is negative or not a number.
    #[error("the discount rate {rate} must be a number of at least 0")]
    BadDiscountRate {
        /// The rate given.
        rate: f64,
    },
    /// An id is used twice for the same kind of thing.
    #[error("{what} {id} is declared more than once")]
    Duplicate {
        /// What kind of thing (`capability`, `programme`, `funding source`, …).
        what: &'static str,
        /// The repeated id.
        id: String,
    },
    /// A list of yearly values does not have one entry per year of the horizon.
    #[error("{what} has {given} yearly values, but the horizon has {years} years")]
    WrongYearCount {
        /// What the list belongs to.
        what: String,
        /// How many values it has.
        given: usize,
        /// How many years the horizon has.
        years: u32,
    },
    /// A number is negative, not a number, or out of its range.
    #[error("{what} is {value}, but must be {range}")]
    OutOfRange {
        /// What the number is.
        what: String,
        /// Its value.
        value: f64,
        /// The range it must be in, in words.
        range: &'static str,
    },
    /// A programme has no option.
    #[error("programme {programme} has no option")]
    NoOption {
        /// The programme.
        programme: ProgrammeId,
    },
    /// An option lasts no year.
    #[error("option {option} of {programme} must last at least one year")]
    ZeroDuration {
        /// The programme.
        programme: ProgrammeId,
        /// The option.
        option: OptionId,
    },
    /// An option has costs after its last year.
    #[error(
        "option {option} of {programme} lasts {duration} years but is costed for {given} years"
    )]
    CostsPastDuration {
        /// The programme.
        programme: ProgrammeId,
        /// The option.
        option: OptionId,
        /// Its duration.
        duration: u32,
        /// How many yearly costs it has for one source.
        given: usize,
    },
    /// Something names a programme that does not exist.
    #[error("{context} names programme {programme}, which does not exist")]
    UnknownProgramme {
        /// Where the name was found.
        context: String,
        /// The name.
        programme: ProgrammeId,
    },
    /// An option is costed to a source that does not exist.
    #[error("option {option} of {programme} is costed to source {funding}, which does not exist")]
    UnknownSource {
        /// The programme.
        programme: ProgrammeId,
        /// The option.
        option: OptionId,
        /// The source named.
        funding: SourceId,
    },
    /// An option is costed to a source that may not fund its programme.
    #[error(
        "option {option} of {programme} is costed to {funding}, which may not fund it (field {field})"
    )]
    IneligibleSource {
        /// The programme.
        programme: ProgrammeId,
        /// The option.
        option: OptionId,
        /// The source.
        funding: SourceId,
        /// The programme's reform field.
        field: crate::framework::ReformField,
    },
    /// An option contributes to a capability that does not exist.
    #[error(
        "option {option} of {programme} contributes to capability {capability}, which does not exist"
    )]
    UnknownCapability {
        /// The programme.
        programme: ProgrammeId,
        /// The option.
        option: OptionId,
        /// The capability named.
        capability: CapabilityId,
    },
    /// A minimum share names a goal no capability serves.
    #[error("a minimum share names goal {goal}, which no capability serves")]
    UnknownGoal {
        /// The goal.
        goal: GoalId,
    },
    /// A capacity is declared twice for one actor.
    #[error("absorptive capacity of {actor} is declared more than once")]
    DuplicateCapacity {
        /// The actor.
        actor: LeadActor,
    },
    /// A programme must wait for itself.
    #[error("{programme} cannot depend on or be gated by itself")]
    SelfPrecedence {
        /// The programme.
        programme: ProgrammeId,
    },
    /// Dependencies and gates go round in a circle, so none of them could ever start.
    #[error("dependencies and gates form a cycle: {}", cycle_text(.cycle))]
    Cycle {
        /// The programmes of the cycle, in order; the last one waits for the first.
        cycle: Vec<ProgrammeId>,
    },
    /// An exclusion names fewer than two programmes.
    #[error("an exclusion needs at least two programmes, but names {}", and_list(.programmes))]
    ShortExclusion {
        /// The programmes named.
        programmes: Vec<ProgrammeId>,
    },
    /// A programme's window closes before it opens.
    #[error("{programme} may start no earlier than {earliest} but no later than {latest}")]
    EmptyWindow {
        /// The programme.
        programme: ProgrammeId,
        /// Its earliest start.
        earliest: i32,
        /// Its latest start.
        latest: i32,
    },
}

fn cycle_text(cycle: &[ProgrammeId]) -> String {
    let mut names: Vec<String> = cycle.iter().map(ToString::to_string).collect();
    if let Some(first) = cycle.first() {
        names.push(first.to_string());
    }
    names.join(" → ")
}

/// Checks a plan problem and returns every problem found, in a stable order. An empty list
/// means the optimiser can build its model.
pub fn validate(problem: &PlanProblem) -> Vec<Problem> {
    let mut found = Vec::new();
    let years = problem.years;
    let n = usize::try_from(years).unwrap_or(usize::MAX);

    if years == 0 {
        found.push(Problem::EmptyHorizon);
    }
    if !(problem.discount_rate >= 0.0 && problem.discount_rate.is_finite()) {
        found.push(Problem::BadDiscountRate {
            rate: problem.discount_rate,
        });
    }

    duplicates(
        &mut found,
        "capability",
        problem.capabilities.iter().map(|c| c.id.as_str()),
    );
    duplicates(
        &mut found,
        "programme",
        problem.programmes.iter().map(|p| p.id.as_str()),
    );
    duplicates(
        &mut found,
        "funding source",
        problem.sources.iter().map(|s| s.id.as_str()),
    );

    for cap in &problem.capabilities {
        range(
            &mut found,
            format!("the weight of capability {}", cap.id),
            cap.weight,
            NON_NEGATIVE,
        );
        for (what, levels) in [("required", &cap.required), ("current", &cap.current)] {
            let list = format!("the {what} level of capability {}", cap.id);
            if levels.len() != n {
                found.push(Problem::WrongYearCount {
                    what: list.clone(),
                    given: levels.len(),
                    years,
                });
            }
            for (t, v) in levels.iter().enumerate() {
                range(
                    &mut found,
                    format!("{list} in {}", problem.first_year + t as i32),
                    *v,
                    LEVEL,
                );
            }
        }
    }

    for source in &problem.sources {
        let list = format!("the ceiling of {}", source.id);
        if source.ceilings.len() != n {
            found.push(Problem::WrongYearCount {
                what: list.clone(),
                given: source.ceilings.len(),
                years,
            });
        }
        for (t, v) in source.ceilings.iter().enumerate() {
            range(
                &mut found,
                format!("{list} in {}", problem.first_year + t as i32),
                *v,
                NON_NEGATIVE,
            );
        }
        for p in &source.eligible_programmes {
            known(
                &mut found,
                problem,
                &format!("the eligibility of {}", source.id),
                p,
            );
        }
    }

    for programme in &problem.programmes {
        let pid = &programme.id;
        if programme.options.is_empty() {
            found.push(Problem::NoOption {
                programme: pid.clone(),
            });
        }
        if let (Some(earliest), Some(latest)) = (programme.earliest_start, programme.latest_start)
            && earliest > latest
        {
            found.push(Problem::EmptyWindow {
                programme: pid.clone(),
                earliest,
                latest,
            });
        }
        duplicates(
            &mut found,
            "option",
            programme
                .options
                .iter()
                .map(|o| o.id.as_str())
                .map(|o| format!("{pid}/{o}")),
        );
        for option in &programme.options {
            let oid = &option.id;
            if option.duration == 0 {
                found.push(Problem::ZeroDuration {
                    programme: pid.clone(),
                    option: oid.clone(),
                });
            }
            for cost in &option.costs {
                match problem.source(&cost.source) {
                    None => found.push(Problem::UnknownSource {
                        programme: pid.clone(),
                        option: oid.clone(),
                        funding: cost.source.clone(),
                    }),
                    Some(source) if !source.may_fund(programme) => {
                        found.push(Problem::IneligibleSource {
                            programme: pid.clone(),
                            option: oid.clone(),
                            funding: cost.source.clone(),
                            field: programme.field,
                        })
                    }
                    Some(_) => {}
                }
                if cost.per_year.len() > option.duration as usize {
                    found.push(Problem::CostsPastDuration {
                        programme: pid.clone(),
                        option: oid.clone(),
                        duration: option.duration,
                        given: cost.per_year.len(),
                    });
                }
                for (k, v) in cost.per_year.iter().enumerate() {
                    let what = format!(
                        "the cost of {pid}/{oid} to {} in its year {}",
                        cost.source,
                        k + 1
                    );
                    range(&mut found, what, *v, NON_NEGATIVE);
                }
            }
            for c in &option.contributions {
                if problem.capability(&c.capability).is_none() {
                    found.push(Problem::UnknownCapability {
                        programme: pid.clone(),
                        option: oid.clone(),
                        capability: c.capability.clone(),
                    });
                }
                for (k, v) in c.per_year.iter().enumerate() {
                    let what = format!(
                        "the contribution of {pid}/{oid} to {} in its year {}",
                        c.capability,
                        k + 1
                    );
                    range(&mut found, what, *v, NON_NEGATIVE);
                }
            }
        }
    }

    for rule in problem.precedences() {
        let context = match rule.kind {
            super::portfolio::PrecedenceKind::Dependency => "a dependency",
            super::portfolio::PrecedenceKind::Gate => "an integrity gate",
        };
        known(&mut found, problem, context, rule.first);
        known(&mut found, problem, context, rule.later);
        if rule.first == rule.later {
            found.push(Problem::SelfPrecedence {
                programme: rule.first.clone(),
            });
        }
    }
    if let Some(cycle) = find_cycle(problem) {
        found.push(Problem::Cycle { cycle });
    }

    for exclusion in &problem.exclusions {
        if exclusion.programmes.len() < 2 {
            found.push(Problem::ShortExclusion {
                programmes: exclusion.programmes.clone(),
            });
        }
        for p in &exclusion.programmes {
            known(&mut found, problem, "an exclusion", p);
        }
    }

    let mut seen = HashSet::new();
    for capacity in &problem.capacities {
        if !seen.insert(&capacity.actor) {
            found.push(Problem::DuplicateCapacity {
                actor: capacity.actor.clone(),
            });
        }
    }

    let goals = problem.goals();
    for share in &problem.minimum_shares {
        range(
            &mut found,
            format!("the minimum share of {}", share.of),
            share.share,
            FRACTION,
        );
        if let ShareOf::Goal(goal) = &share.of
            && !goals.contains(&goal)
        {
            found.push(Problem::UnknownGoal { goal: goal.clone() });
        }
    }

    found
}

const NON_NEGATIVE: (f64, f64, &str) = (0.0, f64::INFINITY, "a number of at least 0");
const LEVEL: (f64, f64, &str) = (0.0, 100.0, "a level from 0 to 100");
const FRACTION: (f64, f64, &str) = (0.0, 1.0, "a fraction from 0 to 1");

fn range(
    found: &mut Vec<Problem>,
    what: String,
    value: f64,
    (low, high, words): (f64, f64, &'static str),
) {
    if !(value >= low && value <= high && value.is_finite()) {
        found.push(Problem::OutOfRange {
            what,
            value,
            range: words,
        });
    }
}

fn known(found: &mut Vec<Problem>, problem: &PlanProblem, context: &str, programme: &ProgrammeId) {
    if problem.programme(programme).is_none() {
        found.push(Problem::UnknownProgramme {
            context: context.to_owned(),
            programme: programme.clone(),
        });
    }
}

fn duplicates<S: AsRef<str>>(
    found: &mut Vec<Problem>,
    what: &'static str,
    ids: impl Iterator<Item = S>,
) {
    let mut seen = HashSet::new();
    for id in ids {
        let id = id.as_ref().to_owned();
        if !seen.insert(id.clone()) {
            found.push(Problem::Duplicate { what, id });
        }
    }
}

/// A cycle among dependencies and gates, if there is one: the programmes in order, each
/// waiting for the one before it and the first waiting for the last. Self-loops are
/// reported on their own and skipped here.
fn find_cycle(problem: &PlanProblem) -> Option<Vec<ProgrammeId>> {
    // Edges go from the programme that must come first to the one that waits.
    let mut next: HashMap<&ProgrammeId, Vec<&ProgrammeId>> = HashMap::new();
    for rule in problem.precedences().filter(|r| r.first != r.later) {
        next.entry(rule.first).or_default().push(rule.later);
    }
    // Depth-first search in the problem's order, so that the cycle named is stable.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    let mut marks: HashMap<&ProgrammeId, Mark> = HashMap::new();
    let roots: Vec<&ProgrammeId> = problem.precedences().map(|r| r.first).collect();
    for root in roots {
        if marks.contains_key(root) {
            continue;
        }
        let mut path: Vec<&ProgrammeId> = vec![root];
        let mut cursor: Vec<usize> = vec![0];
        marks.insert(root, Mark::Open);
        while let (Some(&node), Some(pos)) = (path.last(), cursor.last_mut()) {
            let children = next.get(node).map_or(&[][..], Vec::as_slice);
            if let Some(&child) = children.get(*pos) {
                *pos += 1;
                match marks.get(child) {
                    Some(Mark::Open) => {
                        let at = path.iter().position(|p| *p == child).unwrap_or(0);
                        return Some(path[at..].iter().map(|p| (*p).clone()).collect());
                    }
                    Some(Mark::Done) => {}
                    None => {
                        marks.insert(child, Mark::Open);
                        path.push(child);
                        cursor.push(0);
                    }
                }
            } else {
                marks.insert(node, Mark::Done);
                path.pop();
                cursor.pop();
            }
        }
    }
    None
}
