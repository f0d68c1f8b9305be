//! A first plan for the gap solve, found greedily on the model before HiGHS starts, so that
//! the branch-and-bound search begins with a good incumbent instead of finding one.
//!
//! The greedy works on the model's rows, not on the problem, so every rule is respected by
//! construction: a choice is added only if no row's upper bound is exceeded (ceilings,
//! one option per programme, exclusions, capacities, and precedences, whose rows let `B`
//! in only once `A` is in and finished), and the plan is offered only if every lower bound
//! holds at the end (mandatory programmes, minimum shares). Mandatory programmes are placed
//! first. Then choices are added by the weighted gap they close per unit of money, best
//! first; as the gap a choice closes can only shrink when others are added, ratios are
//! recomputed lazily (a choice is taken when its fresh ratio still beats the next best's
//! last one). The result is deterministic: ties go to the lower column.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::model::{Model, Var};

/// How far a row may be exceeded, for rounding.
const TOLERANCE: f64 = 1e-9;

/// The most rounds of the greedy: a round retries choices that a precedence kept out.
const ROUNDS: usize = 4;

/// The column values of a feasible plan, or `None` when the greedy finds none. `relaxed`,
/// the column values of the linear relaxation when known, guides it: the choices the
/// relaxation takes at least half are tried first, the fuller first.
pub(crate) fn greedy(model: &Model, relaxed: Option<&[f64]>) -> Option<Vec<f64>> {
    let mut state = State::new(model);
    state.place_mandatory()?;
    if let Some(relaxed) = relaxed {
        let mut order: Vec<usize> = (0..model.columns.len())
            .filter(|&j| state.is_choice(j) && relaxed.get(j).is_some_and(|&v| v >= 0.5))
            .collect();
        order.sort_by(|&a, &b| relaxed[b].total_cmp(&relaxed[a]).then(a.cmp(&b)));
        for j in order {
            if state.fits(j) && state.benefit(j) > 0.0 {
                state.add(j);
            }
        }
    }
    for _ in 0..ROUNDS {
        if !state.fill() {
            break;
        }
    }
    state.finish()
}

/// A candidate in the heap: its ratio when last computed, and its column.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Candidate {
    ratio: f64,
    column: usize,
}

impl Eq for Candidate {}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.ratio
            .total_cmp(&other.ratio)
            .then_with(|| other.column.cmp(&self.column))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

struct State<'a> {
    model: &'a Model,
    /// For each column, its rows and coefficients.
    rows_of: Vec<Vec<(usize, f64)>>,
    /// For each row, the weight of its gap column if it is a gap row.
    gap_weight: Vec<Option<f64>>,
    /// For each row, the sum of its chosen columns' terms.
    activity: Vec<f64>,
    /// The columns chosen.
    chosen: Vec<bool>,
}

impl<'a> State<'a> {
    fn new(model: &'a Model) -> Self {
        let mut rows_of = vec![Vec::new(); model.columns.len()];
        let mut gap_weight = vec![None; model.rows.len()];
        for (r, row) in model.rows.iter().enumerate() {
            for &(j, a) in &row.terms {
                if model.columns[j].var == Var::Gap {
                    gap_weight[r] = Some(model.columns[j].gap_cost);
                } else {
                    rows_of[j].push((r, a));
                }
            }
        }
        Self {
            model,
            rows_of,
            gap_weight,
            activity: vec![0.0; model.rows.len()],
            chosen: vec![false; model.columns.len()],
        }
    }

    fn is_choice(&self, j: usize) -> bool {
        matches!(self.model.columns[j].var, Var::Choice { .. })
    }

    /// Whether adding column `j` keeps every row within its upper bound.
    fn fits(&self, j: usize) -> bool {
        !self.chosen[j]
            && self.rows_of[j].iter().all(|&(r, a)| {
                self.activity[r] + a <= self.model.rows[r].upper + TOLERANCE * (1.0 + a.abs())
            })
    }

    /// The weighted gap column `j` would close now.
    fn benefit(&self, j: usize) -> f64 {
        self.rows_of[j]
            .iter()
            .filter_map(|&(r, a)| {
                let w = self.gap_weight[r]?;
                let residual = (self.model.rows[r].lower - self.activity[r]).max(0.0);
                Some(w * if a > 0.0 { a.min(residual) } else { a })
            })
            .sum()
    }

    /// Benefit per unit of money (money-free choices rank by benefit alone, above all).
    fn ratio(&self, j: usize) -> f64 {
        let benefit = self.benefit(j);
        let money = self.model.columns[j].money;
        if money > 0.0 {
            benefit / money
        } else if benefit > 0.0 {
            f64::MAX
        } else {
            benefit
        }
    }

    fn add(&mut self, j: usize) {
        self.chosen[j] = true;
        for &(r, a) in &self.rows_of[j] {
            self.activity[r] += a;
        }
    }

    /// Chooses a column for every row that demands at least one (the mandatory
    /// programmes), the best ratio first, over as many passes as precedences need.
    fn place_mandatory(&mut self) -> Option<()> {
        let mut open: Vec<usize> = (0..self.model.rows.len())
            .filter(|&r| {
                let row = &self.model.rows[r];
                self.gap_weight[r].is_none()
                    && row.lower >= 1.0
                    && row
                        .terms
                        .iter()
                        .all(|&(j, a)| a == 1.0 && self.is_choice(j))
            })
            .collect();
        while !open.is_empty() {
            let before = open.len();
            let mut still = Vec::new();
            for r in open {
                let best = self.model.rows[r]
                    .terms
                    .iter()
                    .map(|&(j, _)| j)
                    .filter(|&j| self.fits(j))
                    .map(|j| Candidate {
                        ratio: self.ratio(j),
                        column: j,
                    })
                    .max();
                match best {
                    Some(c) => self.add(c.column),
                    None => still.push(r),
                }
            }
            if still.len() == before {
                return None;
            }
            open = still;
        }
        Some(())
    }

    /// One round of the lazy greedy; whether it added anything.
    fn fill(&mut self) -> bool {
        let mut heap: BinaryHeap<Candidate> = (0..self.model.columns.len())
            .filter(|&j| self.is_choice(j) && self.fits(j))
            .map(|j| Candidate {
                ratio: self.ratio(j),
                column: j,
            })
            .filter(|c| c.ratio > 0.0)
            .collect();
        let mut added = false;
        while let Some(top) = heap.pop() {
            if !self.fits(top.column) {
                continue;
            }
            let ratio = self.ratio(top.column);
            if ratio <= 0.0 {
                continue;
            }
            if heap.peek().is_some_and(|next| ratio < next.ratio) {
                heap.push(Candidate {
                    ratio,
                    column: top.column,
                });
                continue;
            }
            self.add(top.column);
            added = true;
        }
        added
    }

    /// The plan's column values, if every lower bound holds.
    fn finish(self) -> Option<Vec<f64>> {
        let model = self.model;
        let mut values = vec![0.0; model.columns.len()];
        for (j, chosen) in self.chosen.iter().enumerate() {
            if *chosen {
                values[j] = 1.0;
            }
        }
        for (r, row) in model.rows.iter().enumerate() {
            if self.gap_weight[r].is_some() {
                let g = row
                    .terms
                    .iter()
                    .find(|&&(j, _)| model.columns[j].var == Var::Gap)?
                    .0;
                values[g] = (row.lower - self.activity[r]).clamp(0.0, model.columns[g].upper);
            } else if self.activity[r] < row.lower - TOLERANCE * (1.0 + row.lower.abs()) {
                return None;
            }
        }
        Some(values)
    }
}
