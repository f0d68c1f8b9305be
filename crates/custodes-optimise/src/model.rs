//! The mixed-integer model, in our own representation: columns, rows and the rule each
//! row comes from. It is written to HiGHS ([`crate::solve`]) and to MPS and LP text
//! ([`crate::export`]) from this one representation, so the audited file is the solved
//! model.
//!
//! Columns: a binary `x[p,o,s]` for each programme `p`, option `o` and start year `s` that
//! fits the programme's window and the horizon, and a continuous gap `g[c,t] ≥ 0` for each
//! capability and year with a positive need `req − cur`. Rows, each tagged with its
//! [`Group`] so that an infeasible model can be narrowed down to a conflicting set:
//!
//! - one option:  `Σ_{o,s} x[p,o,s] ≤ 1` (`= 1` for a mandatory programme);
//! - gap:         `g[c,t] + Σ add[c,t](p,o,s) · x[p,o,s] ≥ req − cur`;
//! - precedence (dependency or gate `A → B`), for each start year `s` of `B`, without
//!   big-M constants: `Σ_{o, s' ≤ s} x[B,o,s'] ≤ Σ_{o', s'' : s'' + dur(o') ≤ s} x[A,o',s'']`;
//! - exclusion:   `Σ_{p ∈ E} Σ_{o,s} x[p,o,s] ≤ 1`;
//! - capacity:    `Σ_{p led by a, o, s : o runs in t} x[p,o,s] ≤ cap(a)` for each year;
//! - ceiling:     `Σ spend(f,t) ≤ ceiling(f,t)` each year, or with carry-over the
//!   cumulative `Σ_{t' ≤ t} spend(f,t') ≤ Σ_{t' ≤ t} ceiling(f,t')`;
//! - share:       `Σ cost(o) · (1[counts] − share) · x[p,o,s] ≥ 0`.
//!
//! The objective is `Σ w_c / (1 + r)^t · g[c,t]`, the formula of `custodes_core::plan`.

use std::collections::{BTreeMap, HashMap};

use custodes_core::plan::{LeadActor, PlanProblem, PrecedenceKind, ProgrammeId};

/// A column of the model.
#[derive(Clone, Debug)]
pub(crate) struct Column {
    pub name: String,
    /// Its coefficient in the gap objective.
    pub gap_cost: f64,
    /// Its coefficient in the tie-break objective: what it costs over the horizon.
    pub money: f64,
    pub upper: f64,
    pub var: Var,
}

/// What a column stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Var {
    /// Programme `programme` in option `option`, starting in `start`.
    Choice {
        programme: usize,
        option: usize,
        start: i32,
    },
    /// The residual gap of a capability in the year at `year` of the horizon.
    Gap,
}

/// A row of the model: `lower ≤ Σ terms ≤ upper`.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub name: String,
    pub lower: f64,
    pub upper: f64,
    pub terms: Vec<(usize, f64)>,
    /// For ceiling rows: the source and the year index.
    pub ceiling: Option<(usize, usize)>,
}

/// A rule of the problem that can be switched off as a whole while looking for a small
/// set of rules that conflict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Group {
    /// Programme (by position) must be chosen.
    Mandatory(usize),
    /// The dependency or gate at this position.
    Precedence(PrecedenceKind, usize),
    /// The exclusion at this position.
    Exclusion(usize),
    /// The ceilings of the source at this position, all years.
    Ceilings(usize),
    /// The capacity at this position, all years.
    Capacity(usize),
    /// The minimum share at this position.
    Share(usize),
}

/// The model of a problem.
#[derive(Clone, Debug, Default)]
pub(crate) struct Model {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

impl Model {
    /// Builds the model of a valid problem, with only the groups `keep` accepts.
    pub fn build(problem: &PlanProblem, keep: &dyn Fn(Group) -> bool) -> Model {
        let mut model = Model::default();
        let n = problem.horizon().count();
        let first = problem.first_year;
        let positions: HashMap<&str, usize> = problem
            .programmes
            .iter()
            .enumerate()
            .map(|(p, programme)| (programme.id.as_str(), p))
            .collect();
        let position = |id: &ProgrammeId| positions.get(id.as_str()).copied();
        let capability_index: HashMap<&str, usize> = problem
            .capabilities
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();

        // Choice columns, and the columns of each programme.
        let mut of_programme: Vec<Vec<usize>> = vec![Vec::new(); problem.programmes.len()];
        let mut info: Vec<(usize, usize, i32)> = Vec::new();
        for (p, programme) in problem.programmes.iter().enumerate() {
            for (o, option) in programme.options.iter().enumerate() {
                for start in programme.start_years(problem, option) {
                    of_programme[p].push(model.columns.len());
                    info.push((p, o, start));
                    model.columns.push(Column {
                        name: format!("x_{p}_{o}_{start}"),
                        gap_cost: 0.0,
                        money: option.total_cost(),
                        upper: 1.0,
                        var: Var::Choice {
                            programme: p,
                            option: o,
                            start,
                        },
                    });
                }
            }
        }
        let choice = |j: usize| {
            let (p, o, start) = info[j];
            let programme = &problem.programmes[p];
            (programme, &programme.options[o], start)
        };
        let choices: Vec<usize> = (0..info.len()).collect();

        // One option at most; exactly one for a mandatory programme.
        let mut rows = Vec::new();
        for (p, programme) in problem.programmes.iter().enumerate() {
            let mandatory = programme.mandatory && keep(Group::Mandatory(p));
            rows.push(Row {
                name: format!("one_{p}"),
                lower: if mandatory { 1.0 } else { f64::NEG_INFINITY },
                upper: 1.0,
                terms: of_programme[p].iter().map(|&j| (j, 1.0)).collect(),
                ceiling: None,
            });
        }

        // Gap rows and gap columns.
        let mut adds: HashMap<(usize, usize), Vec<(usize, f64)>> = HashMap::new();
        for &j in &choices {
            let (_, option, start) = choice(j);
            for c in &option.contributions {
                let Some(&i) = capability_index.get(c.capability.as_str()) else {
                    continue;
                };
                for t in 0..n {
                    let v = c.in_year(start, first + t as i32);
                    if v != 0.0 {
                        adds.entry((i, t)).or_default().push((j, v));
                    }
                }
            }
        }
        for (i, cap) in problem.capabilities.iter().enumerate() {
            for t in 0..n {
                let need = cap.required.get(t).copied().unwrap_or(0.0)
                    - cap.current.get(t).copied().unwrap_or(0.0);
                if need <= 0.0 {
                    continue;
                }
                let g = model.columns.len();
                model.columns.push(Column {
                    name: format!("g_{i}_{t}"),
                    gap_cost: cap.weight * problem.discount(t),
                    money: 0.0,
                    upper: need,
                    var: Var::Gap,
                });
                let mut terms = vec![(g, 1.0)];
                terms.extend(merge(adds.remove(&(i, t)).unwrap_or_default()));
                rows.push(Row {
                    name: format!("gap_{i}_{t}"),
                    lower: need,
                    upper: f64::INFINITY,
                    terms,
                    ceiling: None,
                });
            }
        }

        // Precedences, in the aggregated form.
        for rule in problem.precedences() {
            let group = Group::Precedence(rule.kind, rule.index);
            if !keep(group) {
                continue;
            }
            let (Some(a), Some(b)) = (position(rule.first), position(rule.later)) else {
                continue;
            };
            let mut starts: Vec<i32> = of_programme[b].iter().map(|&j| choice(j).2).collect();
            starts.sort_unstable();
            starts.dedup();
            let tag = match rule.kind {
                PrecedenceKind::Dependency => "dep",
                PrecedenceKind::Gate => "gate",
            };
            for s in starts {
                let mut terms: Vec<(usize, f64)> = of_programme[b]
                    .iter()
                    .filter(|&&j| choice(j).2 <= s)
                    .map(|&j| (j, 1.0))
                    .collect();
                terms.extend(
                    of_programme[a]
                        .iter()
                        .filter(|&&j| {
                            let (_, o, start) = choice(j);
                            o.finish(start) < s
                        })
                        .map(|&j| (j, -1.0)),
                );
                rows.push(Row {
                    name: format!("{tag}{}_{s}", rule.index),
                    lower: f64::NEG_INFINITY,
                    upper: 0.0,
                    terms,
                    ceiling: None,
                });
            }
        }

        for (e, exclusion) in problem.exclusions.iter().enumerate() {
            if !keep(Group::Exclusion(e)) {
                continue;
            }
            let terms = exclusion
                .programmes
                .iter()
                .filter_map(position)
                .flat_map(|p| of_programme[p].iter().map(|&j| (j, 1.0)))
                .collect();
            rows.push(Row {
                name: format!("excl_{e}"),
                lower: f64::NEG_INFINITY,
                upper: 1.0,
                terms,
                ceiling: None,
            });
        }

        let mut led: BTreeMap<&LeadActor, Vec<usize>> = BTreeMap::new();
        for (p, programme) in problem.programmes.iter().enumerate() {
            led.entry(&programme.lead_actor).or_default().push(p);
        }
        for (k, capacity) in problem.capacities.iter().enumerate() {
            if !keep(Group::Capacity(k)) {
                continue;
            }
            let programmes = led.get(&capacity.actor).map_or(&[][..], Vec::as_slice);
            for t in 0..n {
                let year = first + t as i32;
                let terms = programmes
                    .iter()
                    .flat_map(|&p| of_programme[p].iter().copied())
                    .filter(|&j| {
                        let (_, o, start) = choice(j);
                        o.runs_in(start, year)
                    })
                    .map(|j| (j, 1.0))
                    .collect();
                rows.push(Row {
                    name: format!("cap_{k}_{year}"),
                    lower: f64::NEG_INFINITY,
                    upper: f64::from(capacity.max_running),
                    terms,
                    ceiling: None,
                });
            }
        }

        for (f, source) in problem.sources.iter().enumerate() {
            if !keep(Group::Ceilings(f)) {
                continue;
            }
            let mut cumulative_terms: Vec<(usize, f64)> = Vec::new();
            let mut cumulative_ceiling = 0.0;
            for t in 0..n {
                let year = first + t as i32;
                let mut terms: Vec<(usize, f64)> = choices
                    .iter()
                    .filter_map(|&j| {
                        let (_, o, start) = choice(j);
                        let v = o.cost_in(&source.id, start, year);
                        (v != 0.0).then_some((j, v))
                    })
                    .collect();
                let mut ceiling = source.ceiling(t);
                if source.carry_over {
                    cumulative_terms.append(&mut terms);
                    cumulative_ceiling += ceiling;
                    terms = merge(cumulative_terms.clone());
                    ceiling = cumulative_ceiling;
                }
                rows.push(Row {
                    name: format!("ceil_{f}_{year}"),
                    lower: f64::NEG_INFINITY,
                    upper: ceiling,
                    terms,
                    ceiling: Some((f, t)),
                });
            }
        }

        for (r, share) in problem.minimum_shares.iter().enumerate() {
            if !keep(Group::Share(r)) {
                continue;
            }
            let terms = choices
                .iter()
                .filter_map(|&j| {
                    let (p, o, _) = choice(j);
                    let counted = if share.counts(problem, p, o) {
                        1.0
                    } else {
                        0.0
                    };
                    let v = o.total_cost() * (counted - share.share);
                    (v != 0.0).then_some((j, v))
                })
                .collect();
            rows.push(Row {
                name: format!("share_{r}"),
                lower: 0.0,
                upper: f64::INFINITY,
                terms,
                ceiling: None,
            });
        }

        model.rows = rows;
        model
    }

    /// The gap objective as terms: `(column, weight × discount)`.
    pub fn gap_objective(&self) -> Vec<(usize, f64)> {
        self.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.gap_cost != 0.0)
            .map(|(j, c)| (j, c.gap_cost))
            .collect()
    }

    /// The programme, option and start year of a choice column.
    pub fn choice_of(&self, j: usize) -> Option<(usize, usize, i32)> {
        match self.columns[j].var {
            Var::Choice {
                programme,
                option,
                start,
            } => Some((programme, option, start)),
            Var::Gap => None,
        }
    }
}

/// Adds up the coefficients of repeated columns and drops zeros.
fn merge(mut terms: Vec<(usize, f64)>) -> Vec<(usize, f64)> {
    terms.sort_by_key(|(j, _)| *j);
    let mut merged: Vec<(usize, f64)> = Vec::with_capacity(terms.len());
    for (j, v) in terms {
        match merged.last_mut() {
            Some((last, sum)) if *last == j => *sum += v,
            _ => merged.push((j, v)),
        }
    }
    merged.retain(|(_, v)| *v != 0.0);
    merged
}
