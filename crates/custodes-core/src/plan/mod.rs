//! Capabilities-based planning: the plan problem (capabilities and their gaps, programmes
//! with options, funding sources and the rules between them), plans, and the rules a plan
//! must keep. The optimiser (`custodes-optimise`) builds its model from these types; the
//! checker here judges every plan it returns, independently of the solver.
//!
//! The flow is: build a [`PlanProblem`], [`validate`] it (every problem found, such as an
//! unknown id, a negative cost, an option costed to a source that may not fund it, or a
//! cycle of dependencies named in order), then [`check`] and [`evaluate`] any [`Plan`].
//!
//! # Time
//!
//! The horizon runs from `first_year` for `years` years. An option of duration `d` started
//! in year `s` runs in years `s ..= s + d - 1` and must finish within the horizon; it may
//! start only within its programme's window ([`Programme::start_years`]). Its cost to a
//! source in year `t` is entry `t - s` of that source's yearly list. Its contribution to a
//! capability in year `t ≥ s` is entry `t - s` of its yearly list, and the last entry once
//! the list ends (a capability built stays built).
//!
//! # The objective
//!
//! With `Y` the years of the horizon, `C` the capabilities, `w_c` the weight of capability
//! `c`, `r` the discount rate, `t0` the first year, `req` and `cur` the required and current
//! levels and `add_c,t(plan)` the sum of the chosen options' contributions to `c` in `t`:
//!
//! ```text
//! gap_c,t   = max(0, req_c,t − cur_c,t − add_c,t(plan))
//! objective = Σ_{c ∈ C} Σ_{t ∈ Y}  w_c · gap_c,t / (1 + r)^(t − t0)
//! ```
//!
//! Lower is better. Among plans with the same objective the optimiser prefers the lower
//! total cost (the sum of all sources' spend over the horizon, undiscounted).
//!
//! # The rules
//!
//! - each programme is chosen at most once, in one option and one start year; a mandatory
//!   programme must be chosen;
//! - a dependency `A → B` and an integrity gate `A → B` are the same rule
//!   ([`Precedence`]): if `B` is chosen, `A` must be chosen and finish before `B` starts;
//! - of the programmes of an exclusion at most one is chosen;
//! - a lead actor with a declared capacity runs at most that many programmes in any year;
//! - a source spends at most its ceiling each year; a source with carry-over may also
//!   spend what earlier years left unspent (its cumulative spend stays within its
//!   cumulative ceilings); a source may fund only the fields and programmes it lists (a
//!   source that lists none may fund everything);
//! - the spend on a reform field or a goal (programmes whose option adds to one of the
//!   goal's capabilities) is at least its minimum share of the total spend.

mod amount;
mod binding;
mod check;
mod checker;
mod evaluate;
mod id;
mod portfolio;
mod schedule;
mod validate;

pub use amount::Amount;
pub use binding::{Binding, binding};
pub use check::{Violation, check, exceeds};
pub use checker::Checker;
pub use evaluate::{
    ActorYear, CapabilityYear, Evaluation, GoalYear, ShareSpend, SourceYear, Tally, evaluate,
};
pub use id::{CapabilityId, GoalId, LeadActor, OptionId, ProgrammeId, SourceId};
pub use portfolio::{
    Capability, Capacity, Contribution, Dependency, Exclusion, FundingSource, Gate, MinimumShare,
    PlanProblem, Precedence, PrecedenceKind, Programme, ProgrammeKind, ProgrammeOption, ShareOf,
    SourceCost,
};
pub use schedule::{Choice, Plan};
pub use validate::{Problem, validate};
