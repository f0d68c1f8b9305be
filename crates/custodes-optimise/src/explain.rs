//! Why each programme was left out. Every option and start year of the programme is
//! added to the chosen plan in turn and judged by the core's checker
//! (`custodes_core::plan::Checker`), never by the solver: the reason given is what the
//! checker says about the best of those attempts, with its numbers.

use custodes_core::plan::{Amount, Checker, OptionId, Plan, Programme, ProgrammeId, Violation};
use serde::{Deserialize, Serialize};

use crate::words;

/// A programme left out of the plan, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    /// The programme.
    pub programme: ProgrammeId,
    /// Why it is not in the plan.
    pub reason: Reason,
}

/// Why a programme is not in the plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reason {
    /// No option has a start year within its window that finishes within the horizon.
    NoStart,
    /// Other programmes of the plan exclude it.
    Excluded {
        /// The chosen programmes that exclude it.
        by: Vec<ProgrammeId>,
    },
    /// Its best attempt breaks rules of the plan.
    Blocked {
        /// The option of the best attempt (the one that lowers the gap most).
        option: OptionId,
        /// Its start year.
        start: i32,
        /// How much it would lower the objective (the weighted, discounted gap).
        gain: f64,
        /// What the checker says it breaks.
        violations: Vec<Violation>,
    },
    /// It fits but would not lower the gap, so the cheaper plan leaves it out.
    NoGain {
        /// What its cheapest option costs.
        cost: f64,
    },
    /// It fits and would lower the gap a little, but the solver stopped within its gap
    /// tolerance or time limit before taking it.
    WithinTolerance {
        /// The option of the best attempt.
        option: OptionId,
        /// Its start year.
        start: i32,
        /// How much it would lower the objective.
        gain: f64,
    },
}

impl std::fmt::Display for LeftOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.programme, self.reason)
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::NoStart => {
                f.write_str("no option can start within its window and finish within the horizon")
            }
            Reason::Excluded { by } => write!(f, "excluded by {}, which was chosen", words(by)),
            Reason::NoGain { cost } => write!(
                f,
                "it would not lower the weighted gap (what it adds is already met), so the cheaper plan leaves out its {}",
                Amount(*cost)
            ),
            Reason::WithinTolerance {
                option,
                start,
                gain,
            } => write!(
                f,
                "its best start (option {option} in {start}) fits and would lower the weighted gap by {gain:.2}, \
                 but the solver stopped within its gap tolerance or time limit"
            ),
            Reason::Blocked {
                option,
                start,
                gain,
                violations,
            } => {
                write!(
                    f,
                    "its best start (option {option} in {start}) would lower the weighted gap by {gain:.2}"
                )?;
                let ceilings: Vec<String> = violations
                    .iter()
                    .filter_map(|v| match v {
                        Violation::OverCeiling {
                            name,
                            year,
                            spent,
                            available,
                            ..
                        } => Some(format!(
                            "exceed the {year} {name} ceiling by {}",
                            Amount(spent - available)
                        )),
                        _ => None,
                    })
                    .collect();
                if ceilings.len() == violations.len() {
                    write!(
                        f,
                        " but costs more than the money left: it would {}",
                        words(&ceilings)
                    )
                } else {
                    let all: Vec<String> = violations.iter().map(ToString::to_string).collect();
                    write!(f, ", but {}", all.join("; "))
                }
            }
        }
    }
}

/// Explains every programme of the problem that `plan` leaves out, in the problem's order.
/// `base` is the plan's objective.
///
/// Each programme's attempts are independent of the others', so the programmes are shared
/// out among the machine's cores in contiguous runs and the answers joined in order: the
/// result is the same on any number of cores.
pub(crate) fn left_out(checker: &Checker<'_>, plan: &Plan, base: f64) -> Vec<LeftOut> {
    let problem = checker.problem();
    let out: Vec<&Programme> = problem
        .programmes
        .iter()
        .filter(|p| !plan.contains(&p.id))
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(out.len() / MIN_PER_THREAD)
        .max(1);
    if threads == 1 {
        return explain_each(checker, plan, base, &out);
    }
    let run = out.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = out
            .chunks(run)
            .map(|chunk| scope.spawn(move || explain_each(checker, plan, base, chunk)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(found) => found,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// Below this many programmes left out, one thread explains them all.
const MIN_PER_THREAD: usize = 64;

/// Explains the given programmes, each left out of `plan`.
fn explain_each(
    checker: &Checker<'_>,
    plan: &Plan,
    base: f64,
    programmes: &[&Programme],
) -> Vec<LeftOut> {
    let problem = checker.problem();
    // The plan's sums, to which each attempt adds its one programme.
    let tally = checker.tally(plan);
    let mut found = Vec::new();
    for programme in programmes {
        let mut attempts = Vec::new();
        // One copy of the plan per programme: each attempt replaces the last one's choice.
        let mut trial = plan.clone();
        for option in &programme.options {
            for start in programme.start_years(problem, option) {
                trial.choose(programme.id.clone(), option.id.clone(), start);
                let evaluation = checker.evaluate_adding(&tally, programme, option, start);
                let violations = checker.check_evaluated(&trial, &evaluation);
                let gain = base - evaluation.objective;
                attempts.push((option, start, gain, violations));
            }
        }
        let reason = if attempts.is_empty() {
            Reason::NoStart
        } else if let Some((option, start, gain, _)) = attempts
            .iter()
            .filter(|a| a.3.is_empty())
            .max_by(|a, b| a.2.total_cmp(&b.2).then(b.1.cmp(&a.1)))
        {
            if *gain > 1e-9 * base.abs().max(1.0) {
                Reason::WithinTolerance {
                    option: option.id.clone(),
                    start: *start,
                    gain: *gain,
                }
            } else {
                let cost = programme
                    .options
                    .iter()
                    .map(|o| o.total_cost())
                    .fold(f64::INFINITY, f64::min);
                Reason::NoGain { cost }
            }
        } else {
            excluded(&programme.id, &attempts).unwrap_or_else(|| {
                // The attempt that lowers the gap most, then the one that breaks fewest
                // rules, then the earliest.
                let best = attempts
                    .iter()
                    .max_by(|a, b| {
                        a.2.total_cmp(&b.2)
                            .then(b.3.len().cmp(&a.3.len()))
                            .then(b.1.cmp(&a.1))
                    })
                    .map(|(option, start, gain, violations)| Reason::Blocked {
                        option: option.id.clone(),
                        start: *start,
                        gain: *gain,
                        violations: violations.clone(),
                    });
                best.unwrap_or(Reason::NoStart)
            })
        };
        found.push(LeftOut {
            programme: programme.id.clone(),
            reason,
        });
    }
    found
}

/// When every attempt is barred by an exclusion, the chosen programmes that bar it.
fn excluded(
    programme: &ProgrammeId,
    attempts: &[(
        &custodes_core::plan::ProgrammeOption,
        i32,
        f64,
        Vec<Violation>,
    )],
) -> Option<Reason> {
    let mut by: Vec<ProgrammeId> = Vec::new();
    for (_, _, _, violations) in attempts {
        let mut barred = false;
        for v in violations {
            if let Violation::Excluded { chosen } = v {
                barred = true;
                for other in chosen.iter().filter(|c| *c != programme) {
                    if !by.contains(other) {
                        by.push(other.clone());
                    }
                }
            }
        }
        if !barred {
            return None;
        }
    }
    Some(Reason::Excluded { by })
}
