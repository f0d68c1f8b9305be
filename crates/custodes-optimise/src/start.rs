//! A first plan for the gap solve, found on the model before HiGHS starts, so that the
//! branch-and-bound search begins with a good incumbent instead of finding one, or, when
//! the linear relaxation's bound already proves it good enough, needs no search at all.
//!
//! It works on the model's rows, not on the problem, so every rule is respected by
//! construction: a choice is added only if no row's upper bound is exceeded (ceilings,
//! one option per programme, exclusions, capacities, and precedences, whose rows let `B`
//! in only once `A` is in and finished), and the plan is offered only if every lower bound
//! holds at the end (mandatory programmes, minimum shares).
//!
//! 1. **Greedy.** Mandatory programmes are placed first. Then choices are added by the
//!    weighted gap they close per unit of money, best first; as the gap a choice closes
//!    can only shrink when others are added, ratios are recomputed lazily (a choice is
//!    taken when its fresh ratio still beats the next best's last one).
//! 2. **Improvement** ([`improve`], when the greedy's plan is not good enough yet): each
//!    chosen column in turn is taken out and the greedy refills the room it leaves (with
//!    any other choice, another option or start year of the same programme included); the
//!    change is kept when the plan's objective falls and every row holds, and undone
//!    otherwise. Passes repeat until one changes nothing, at most [`PASSES`] times.
//!
//! The result is deterministic: ties go to the lower column, and the work is bounded by
//! counts, not by the clock.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::model::{Model, Var};

/// How far a row may be exceeded, for rounding.
const TOLERANCE: f64 = 1e-9;

/// The most rounds of the greedy: a round retries choices that a precedence kept out.
const ROUNDS: usize = 4;

/// The least relative fall in the objective that the improvement step keeps.
const IMPROVEMENT: f64 = 1e-9;

/// The most passes of the improvement step.
const PASSES: usize = 8;

/// The column values of a feasible plan, or `None` when the greedy finds none. `relaxed`,
/// the column values of the linear relaxation when known, guides it: the choices the
/// relaxation takes at least half are tried first, the fuller first. The plan is improved
/// (see the module's documentation) unless `good_enough` accepts its objective as it is.
pub(crate) fn first_plan(
    model: &Model,
    relaxed: Option<&[f64]>,
    good_enough: impl Fn(f64) -> bool,
) -> Option<Vec<f64>> {
    let mut state = greedy(model, relaxed)?;
    if !good_enough(state.objective()) {
        state.improve();
    }
    state.finish()
}

/// A plan no dearer than `values` whose objective is at most `bound` (or than the
/// objective of `values`, if that is higher): each chosen column
/// in turn is replaced by the cheapest other column of its programme, or dropped when that
/// is cheapest, as long as the objective stays within `bound` and every row holds. Passes
/// repeat until one changes nothing, at most [`PASSES`] times. `values` must be a plan
/// that keeps every row.
pub(crate) fn cheapen(model: &Model, values: &[f64], bound: f64) -> Vec<f64> {
    let mut state = State::new(model);
    for (j, &v) in values.iter().enumerate() {
        if v > 0.5 && state.is_choice(j) {
            state.add(j);
        }
    }
    let mut of_programme: Vec<Vec<usize>> = Vec::new();
    for (j, column) in model.columns.iter().enumerate() {
        if let Var::Choice { programme, .. } = column.var {
            if of_programme.len() <= programme {
                of_programme.resize(programme + 1, Vec::new());
            }
            of_programme[programme].push(j);
        }
    }
    // A plan from HiGHS keeps its rows within HiGHS's tolerances, so its exact objective
    // may be a hair above the bound it was found under: it is never held to less.
    let bound = bound.max(state.objective());
    let money = |j: usize| model.columns[j].money;
    for _ in 0..PASSES {
        let mut cheaper = false;
        for j in 0..model.columns.len() {
            let Var::Choice { programme, .. } = model.columns[j].var else {
                continue;
            };
            if !state.chosen[j] {
                continue;
            }
            state.remove(j);
            // The cheapest way to do without `j`: nothing, or another column.
            let mut best = (money(j) > 0.0 && state.allows(&[j], bound)).then_some(None);
            for &k in &of_programme[programme] {
                let dearer = match best {
                    Some(None) => true,
                    Some(Some(b)) => money(k) >= money(b),
                    None => money(k) >= money(j),
                };
                if k == j || dearer || !state.fits(k) {
                    continue;
                }
                state.add(k);
                if state.allows(&[j, k], bound) {
                    best = Some(Some(k));
                }
                state.remove(k);
            }
            match best {
                Some(Some(k)) => state.add(k),
                Some(None) => {}
                None => {
                    state.add(j);
                    continue;
                }
            }
            cheaper = true;
        }
        if !cheaper {
            break;
        }
    }
    state.values()
}

/// The greedy's state at its end, if every lower bound holds.
fn greedy<'a>(model: &'a Model, relaxed: Option<&[f64]>) -> Option<State<'a>> {
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
    state.refill(None);
    state.holds().then_some(state)
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

    fn remove(&mut self, j: usize) {
        self.chosen[j] = false;
        for &(r, a) in &self.rows_of[j] {
            self.activity[r] -= a;
        }
    }

    /// The plan's objective: each gap row's weight times what is left of its need.
    fn objective(&self) -> f64 {
        self.gap_weight
            .iter()
            .enumerate()
            .filter_map(|(r, w)| {
                Some(w.as_ref()? * (self.model.rows[r].lower - self.activity[r]).max(0.0))
            })
            .sum()
    }

    /// Whether row `r` is within both its bounds (a gap row: whether its gap column can
    /// take up what is left of the need).
    fn row_holds(&self, r: usize) -> bool {
        let (row, activity) = (&self.model.rows[r], self.activity[r]);
        if self.gap_weight[r].is_some() {
            return activity >= -TOLERANCE;
        }
        activity >= row.lower - TOLERANCE * (1.0 + row.lower.abs())
            && activity <= row.upper + TOLERANCE * (1.0 + row.upper.abs())
    }

    /// Whether the plan's objective is at most `bound` and the rows of `columns` hold.
    fn allows(&self, columns: &[usize], bound: f64) -> bool {
        self.objective() <= bound
            && columns
                .iter()
                .flat_map(|&k| self.rows_of[k].iter().map(|&(r, _)| r))
                .all(|r| self.row_holds(r))
    }

    /// Whether every row other than the gap rows meets its lower bound.
    fn holds(&self) -> bool {
        (0..self.model.rows.len()).all(|r| {
            let row = &self.model.rows[r];
            self.gap_weight[r].is_some()
                || self.activity[r] >= row.lower - TOLERANCE * (1.0 + row.lower.abs())
        })
    }

    /// Rounds of the lazy greedy, never taking `barred`, until one adds nothing (at most
    /// [`ROUNDS`]); the columns added, in order.
    fn refill(&mut self, barred: Option<usize>) -> Vec<usize> {
        let mut added = Vec::new();
        for _ in 0..ROUNDS {
            let before = added.len();
            self.fill(barred, &mut added);
            if added.len() == before {
                break;
            }
        }
        added
    }

    /// The improvement step (see the module's documentation).
    fn improve(&mut self) {
        let mut current = self.objective();
        for _ in 0..PASSES {
            let mut improved = false;
            for j in 0..self.model.columns.len() {
                if !self.chosen[j] {
                    continue;
                }
                self.remove(j);
                let added = self.refill(Some(j));
                let value = self.objective();
                let touched: Vec<usize> = added.iter().copied().chain([j]).collect();
                let better = current - IMPROVEMENT * current.abs().max(1.0);
                if value < better && self.allows(&touched, value) {
                    current = value;
                    improved = true;
                } else {
                    for &k in added.iter().rev() {
                        self.remove(k);
                    }
                    self.add(j);
                }
            }
            if !improved {
                break;
            }
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

    /// One round of the lazy greedy, never taking `barred`; pushes what it adds.
    fn fill(&mut self, barred: Option<usize>, added: &mut Vec<usize>) {
        let mut heap: BinaryHeap<Candidate> = (0..self.model.columns.len())
            .filter(|&j| Some(j) != barred && self.is_choice(j) && self.fits(j))
            .map(|j| Candidate {
                ratio: self.ratio(j),
                column: j,
            })
            .filter(|c| c.ratio > 0.0)
            .collect();
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
            added.push(top.column);
        }
    }

    /// The plan's column values, if every lower bound holds.
    fn finish(self) -> Option<Vec<f64>> {
        self.holds().then(|| self.values())
    }

    /// The plan's column values: its choices, and each gap column at what is left of its
    /// row's need.
    fn values(&self) -> Vec<f64> {
        let model = self.model;
        let mut values = vec![0.0; model.columns.len()];
        for (j, chosen) in self.chosen.iter().enumerate() {
            if *chosen {
                values[j] = 1.0;
            }
        }
        for (r, row) in model.rows.iter().enumerate() {
            if self.gap_weight[r].is_none() {
                continue;
            }
            if let Some(&(g, _)) = row
                .terms
                .iter()
                .find(|&&(j, _)| model.columns[j].var == Var::Gap)
            {
                values[g] = (row.lower - self.activity[r]).clamp(0.0, model.columns[g].upper);
            }
        }
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Row};

    /// A one-capability knapsack: a need of 100 (weight 1) and a ceiling of `budget`, and
    /// per programme its options as `(cost, what it adds)`, each a column starting in
    /// 2027. Returns the model and its columns per programme.
    fn knapsack(budget: f64, programmes: &[&[(f64, f64)]]) -> (Model, Vec<Vec<usize>>) {
        let mut model = Model::default();
        let mut of: Vec<Vec<usize>> = Vec::new();
        for (p, options) in programmes.iter().enumerate() {
            let mut columns = Vec::new();
            for (o, &(cost, _)) in options.iter().enumerate() {
                columns.push(model.columns.len());
                model.columns.push(Column {
                    name: format!("x_{p}_{o}"),
                    gap_cost: 0.0,
                    money: cost,
                    upper: 1.0,
                    var: Var::Choice {
                        programme: p,
                        option: o,
                        start: 2027,
                    },
                });
            }
            model.rows.push(Row {
                name: format!("one_{p}"),
                lower: f64::NEG_INFINITY,
                upper: 1.0,
                terms: columns.iter().map(|&j| (j, 1.0)).collect(),
                ceiling: None,
            });
            of.push(columns);
        }
        let g = model.columns.len();
        model.columns.push(Column {
            name: "g".to_owned(),
            gap_cost: 1.0,
            money: 0.0,
            upper: 100.0,
            var: Var::Gap,
        });
        let adds = programmes
            .iter()
            .flat_map(|options| options.iter().map(|o| o.1));
        let mut terms = vec![(g, 1.0)];
        terms.extend(adds.clone().enumerate());
        model.rows.push(Row {
            name: "gap".to_owned(),
            lower: 100.0,
            upper: f64::INFINITY,
            terms,
            ceiling: None,
        });
        let costs = programmes
            .iter()
            .flat_map(|options| options.iter().map(|o| o.0));
        model.rows.push(Row {
            name: "ceiling".to_owned(),
            lower: f64::NEG_INFINITY,
            upper: budget,
            terms: costs.enumerate().collect(),
            ceiling: Some((0, 0)),
        });
        (model, of)
    }

    fn chosen(values: &[f64], of: &[Vec<usize>]) -> Vec<Option<usize>> {
        of.iter()
            .map(|columns| columns.iter().position(|&j| values[j] > 0.5))
            .collect()
    }

    /// The greedy takes the best ratio first (a: 7 for 6) and then nothing fits; taking a
    /// out lets b and c in, which close 10 for 10.
    #[test]
    fn improvement_trades_one_programme_for_two_better_ones() {
        let (model, of) = knapsack(10.0, &[&[(6.0, 7.0)], &[(5.0, 5.0)], &[(5.0, 5.0)]]);
        let greedy_only = first_plan(&model, None, |_| true).unwrap();
        assert_eq!(chosen(&greedy_only, &of), [Some(0), None, None]);
        let improved = first_plan(&model, None, |_| false).unwrap();
        assert_eq!(chosen(&improved, &of), [None, Some(0), Some(0)]);
        assert_eq!(improved[model.columns.len() - 1], 90.0);
    }

    /// An improvement is kept only if every row holds: a mandatory programme is never
    /// traded away, even for a better plan.
    #[test]
    fn improvement_keeps_mandatory_programmes() {
        let (mut model, of) = knapsack(10.0, &[&[(6.0, 7.0)], &[(5.0, 5.0)], &[(5.0, 5.0)]]);
        model.rows[0].lower = 1.0;
        let improved = first_plan(&model, None, |_| false).unwrap();
        assert_eq!(chosen(&improved, &of)[0], Some(0));
    }

    /// The tie-break's first step: a programme moves to its cheaper option where that
    /// closes as much, one that closes nothing more is left out, and one whose loss would
    /// raise the gap stays as it is.
    #[test]
    fn cheapening_keeps_the_gap_and_lowers_the_cost() {
        // Need 100: a (dear option 9, cheap option 4, both add 60), b adds 40 for 3, and
        // c adds 10 for 2 on top of a need already met.
        let (model, of) = knapsack(
            20.0,
            &[&[(9.0, 60.0), (4.0, 60.0)], &[(3.0, 40.0)], &[(2.0, 10.0)]],
        );
        let mut values = vec![0.0; model.columns.len()];
        for j in [of[0][0], of[1][0], of[2][0]] {
            values[j] = 1.0;
        }
        let cheaper = cheapen(&model, &values, 0.0);
        assert_eq!(chosen(&cheaper, &of), [Some(1), Some(0), None]);
        // With room for a gap of 40 and no more, b and then c may go, but a must stay.
        let mut values = vec![0.0; model.columns.len()];
        for j in [of[0][1], of[1][0], of[2][0]] {
            values[j] = 1.0;
        }
        let cheaper = cheapen(&model, &values, 40.0);
        assert_eq!(chosen(&cheaper, &of), [Some(1), None, None]);
        assert_eq!(cheaper[model.columns.len() - 1], 40.0);
    }
}
