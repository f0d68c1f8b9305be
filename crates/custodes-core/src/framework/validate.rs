//! Validation: a framework is checked once, every problem is reported, and what passes
//! becomes a [`ValidFramework`], a tree that scoring can walk without further checks.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};

use super::Framework;
use super::aggregate::{Aggregation, CompiledLookup};
use super::id::{NodeId, ScaleId};
use super::node::{Node, NodeKind};
use super::number::Number;
use super::problem::Problem;
use super::rounding::MAX_DECIMALS;
use super::scale::{Scale, ScaleKind};

/// The most combinations of child grades a lookup table may have to cover.
const MAX_COMBINATIONS: usize = 1_000_000;

/// What a node gives its parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Output {
    /// A number.
    Number,
    /// A grade on the scale at this index, one of these ranks.
    Grades { scale: usize, ranks: BTreeSet<u32> },
    /// Nothing: the node is a group that is not scored.
    Unscored,
    /// Nothing known: the node has a problem already reported.
    Broken,
}

/// A framework that passed validation: its tree has no cycles or dangling links, every
/// rule fits the children it combines, and every lookup table is complete.
#[derive(Clone, Debug)]
pub struct ValidFramework {
    pub(crate) framework: Framework,
    pub(crate) index: HashMap<NodeId, usize>,
    pub(crate) scales: HashMap<ScaleId, usize>,
    pub(crate) parents: Vec<Option<usize>>,
    pub(crate) children: Vec<Vec<usize>>,
    /// Every node, children before their parents.
    pub(crate) order: Vec<usize>,
    pub(crate) outputs: Vec<Output>,
    pub(crate) lookups: HashMap<usize, CompiledLookup>,
}

impl Framework {
    /// Checks the framework and returns every problem found; empty when it is valid.
    pub fn validate(&self) -> Vec<Problem> {
        ValidFramework::new(self.clone()).err().unwrap_or_default()
    }
}

impl TryFrom<Framework> for ValidFramework {
    type Error = Vec<Problem>;

    fn try_from(framework: Framework) -> Result<Self, Self::Error> {
        ValidFramework::new(framework)
    }
}

impl ValidFramework {
    /// Checks a framework. Checks that need a sound tree (the fit of rules to children,
    /// lookup tables) run only when the tree itself has no problem.
    pub fn new(framework: Framework) -> Result<ValidFramework, Vec<Problem>> {
        let mut problems = Vec::new();
        if framework.id.as_str().trim().is_empty() || framework.version.trim().is_empty() {
            problems.push(Problem::MissingIdentity);
        }
        let scales = check_scales(&framework.scales, &mut problems);
        let index = check_nodes(&framework.nodes, &scales, &framework.scales, &mut problems);
        let Some(parents) = link_parents(&framework.nodes, &index, &mut problems) else {
            return Err(problems);
        };
        let mut children = vec![Vec::new(); framework.nodes.len()];
        for (i, parent) in parents.iter().enumerate() {
            if let Some(p) = parent {
                children[*p].push(i);
            }
        }
        let order = post_order(&parents, &children);
        let mut valid = ValidFramework {
            framework,
            index,
            scales,
            parents,
            children,
            order,
            outputs: Vec::new(),
            lookups: HashMap::new(),
        };
        valid.check_rules(&mut problems);
        if problems.is_empty() {
            Ok(valid)
        } else {
            Err(problems)
        }
    }

    /// The framework.
    pub fn framework(&self) -> &Framework {
        &self.framework
    }

    /// Gives the framework back.
    pub fn into_inner(self) -> Framework {
        self.framework
    }

    /// A node by id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.index.get(id).map(|i| &self.framework.nodes[*i])
    }

    /// The children of a node, in the order the framework declares them.
    pub fn children(&self, id: &str) -> Vec<&Node> {
        self.index
            .get(id)
            .map(|i| {
                self.children[*i]
                    .iter()
                    .map(|c| &self.framework.nodes[*c])
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The nodes without a parent, in the order the framework declares them.
    pub fn roots(&self) -> Vec<&Node> {
        self.parents
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_none())
            .map(|(i, _)| &self.framework.nodes[i])
            .collect()
    }

    /// The scale at an index of the framework's list.
    pub(crate) fn scale(&self, index: usize) -> &Scale {
        &self.framework.scales[index]
    }

    /// The nodes `depth` levels below a node; a branch that ends sooner gives its last node.
    pub(crate) fn pooled(&self, node: usize, depth: u32) -> Vec<usize> {
        let mut level = vec![node];
        for _ in 0..depth {
            level = level
                .into_iter()
                .flat_map(|n| {
                    if self.children[n].is_empty() && n != node {
                        vec![n]
                    } else {
                        self.children[n].clone()
                    }
                })
                .collect();
        }
        level
    }

    fn check_rules(&mut self, problems: &mut Vec<Problem>) {
        self.outputs = vec![Output::Broken; self.framework.nodes.len()];
        for position in 0..self.order.len() {
            let n = self.order[position];
            let output = self.check_node(n, problems);
            self.outputs[n] = output;
        }
    }

    fn check_node(&mut self, n: usize, problems: &mut Vec<Problem>) -> Output {
        let node = &self.framework.nodes[n];
        let group = match &node.kind {
            NodeKind::Indicator(indicator) => {
                return match self.scales.get(&indicator.scale) {
                    Some(s) if self.scale(*s).is_ordinal() => Output::Grades {
                        scale: *s,
                        ranks: self.scale(*s).ranks().into_iter().collect(),
                    },
                    Some(_) => Output::Number,
                    None => Output::Broken,
                };
            }
            NodeKind::Group(group) => group,
        };
        if self.children[n].is_empty() {
            problems.push(Problem::EmptyGroup(node.id.clone()));
        }
        if group.aggregation.is_numeric() {
            let inputs = match group.aggregation {
                Aggregation::PooledMean { depth } if depth > 0 => self.pooled(n, depth),
                _ => self.children[n].clone(),
            };
            for c in inputs {
                let child = || self.framework.nodes[c].id.clone();
                match &self.outputs[c] {
                    Output::Number | Output::Broken => {}
                    Output::Grades { .. } => problems.push(Problem::ExpectsNumbers {
                        group: node.id.clone(),
                        child: child(),
                    }),
                    Output::Unscored => problems.push(Problem::UnscoredChild {
                        group: node.id.clone(),
                        child: child(),
                    }),
                }
            }
            return Output::Number;
        }
        if group.rounding.is_some() || group.bands.is_some() {
            problems.push(Problem::NumericRuleOnGrades(node.id.clone()));
        }
        let Some(scale_id) = group.aggregation.grade_scale() else {
            return Output::Unscored;
        };
        let Some(&s) = self.scales.get(scale_id) else {
            return Output::Broken;
        };
        let scale = self.scale(s);
        if !scale.is_ordinal() {
            return Output::Broken;
        }
        let mut child_ranks = Vec::new();
        let mut fits = true;
        for &c in &self.children[n] {
            let child = self.framework.nodes[c].id.clone();
            match &self.outputs[c] {
                Output::Grades { scale: cs, ranks } => {
                    let same_grades = self.scale(*cs).grade_ids() == scale.grade_ids();
                    if !same_grades || ranks.iter().any(|r| scale.grade_at(*r).is_none()) {
                        problems.push(Problem::ForeignGrades {
                            group: node.id.clone(),
                            child,
                            scale: scale_id.clone(),
                        });
                        fits = false;
                    }
                    child_ranks.push(ranks.clone());
                }
                Output::Number => {
                    problems.push(Problem::ExpectsGrades {
                        group: node.id.clone(),
                        child,
                    });
                    fits = false;
                }
                Output::Unscored => {
                    problems.push(Problem::UnscoredChild {
                        group: node.id.clone(),
                        child,
                    });
                    fits = false;
                }
                Output::Broken => fits = false,
            }
        }
        match &group.aggregation {
            Aggregation::WeakestLink {
                modify_when_others_higher,
                ..
            } => {
                let mut ranks: BTreeSet<u32> = child_ranks.iter().flatten().copied().collect();
                if *modify_when_others_higher {
                    let raised: Vec<u32> = ranks
                        .iter()
                        .filter(|r| r.is_multiple_of(2) && scale.grade_at(*r + 1).is_some())
                        .map(|r| r + 1)
                        .collect();
                    ranks.extend(raised);
                }
                Output::Grades { scale: s, ranks }
            }
            Aggregation::Lookup { rows, .. } => {
                let node_id = node.id.clone();
                let (table, ok) = compile_lookup(&node_id, scale, rows, problems);
                if ok && fits {
                    check_complete(&node_id, scale, &table, &child_ranks, problems);
                }
                let ranks = table.values().copied().collect();
                self.lookups.insert(n, table);
                Output::Grades { scale: s, ranks }
            }
            _ => Output::Broken,
        }
    }
}

fn check_scales(scales: &[Scale], problems: &mut Vec<Problem>) -> HashMap<ScaleId, usize> {
    // The first declaration wins for lookups; duplicates are reported.
    let mut index = HashMap::with_capacity(scales.len());
    for (i, scale) in scales.iter().enumerate() {
        match index.entry(scale.id.clone()) {
            Entry::Occupied(_) => {
                problems.push(Problem::DuplicateScale(scale.id.clone()));
                continue;
            }
            Entry::Vacant(v) => {
                v.insert(i);
            }
        }
        let scored = match &scale.kind {
            ScaleKind::Numeric { levels } => levels.len(),
            ScaleKind::Ordinal { grades, .. } => grades.len(),
        };
        if scored == 0 {
            problems.push(Problem::EmptyScale(scale.id.clone()));
        }
        let level = |k: usize| -> &str {
            if k < scored {
                match &scale.kind {
                    ScaleKind::Numeric { levels } => levels[k].id.as_str(),
                    ScaleKind::Ordinal { grades, .. } => grades[k].id.as_str(),
                }
            } else {
                scale.missing[k - scored].id.as_str()
            }
        };
        let count = scored + scale.missing.len();
        // A level repeats when an earlier one has its id. Most scales are short, and
        // comparing with the earlier levels is quicker than hashing them.
        let mut seen = HashSet::new();
        for k in 0..count {
            let id = level(k);
            let repeated = if count <= 32 {
                (0..k).any(|j| level(j) == id)
            } else {
                !seen.insert(id)
            };
            if repeated {
                problems.push(Problem::DuplicateLevel {
                    scale: scale.id.clone(),
                    level: id.into(),
                });
            }
        }
    }
    index
}

fn check_nodes(
    nodes: &[Node],
    scale_index: &HashMap<ScaleId, usize>,
    scales: &[Scale],
    problems: &mut Vec<Problem>,
) -> HashMap<NodeId, usize> {
    let mut index = HashMap::with_capacity(nodes.len());
    for (i, node) in nodes.iter().enumerate() {
        if node.id.as_str().trim().is_empty() {
            problems.push(Problem::EmptyNodeId);
        }
        match index.entry(node.id.clone()) {
            Entry::Occupied(_) => problems.push(Problem::DuplicateNode(node.id.clone())),
            Entry::Vacant(v) => {
                v.insert(i);
            }
        }
        if node.weight.is_negative() {
            problems.push(Problem::NegativeWeight(node.id.clone()));
        }
        match &node.kind {
            NodeKind::Indicator(indicator) => {
                if !scale_index.contains_key(&indicator.scale) {
                    problems.push(Problem::UnknownScale {
                        node: node.id.clone(),
                        scale: indicator.scale.clone(),
                    });
                }
            }
            NodeKind::Group(group) => {
                if let Some(rounding) = group.rounding
                    && rounding.decimals > MAX_DECIMALS
                {
                    problems.push(Problem::TooManyDecimals {
                        node: node.id.clone(),
                        decimals: rounding.decimals,
                        max: MAX_DECIMALS,
                    });
                }
                if let Some(bands) = &group.bands {
                    let mut labels = HashSet::new();
                    let mut mins: HashSet<Number> = HashSet::new();
                    for band in &bands.bands {
                        if !labels.insert(band.label.as_str()) || !mins.insert(band.min) {
                            problems.push(Problem::DuplicateBand {
                                node: node.id.clone(),
                                label: band.label.clone(),
                            });
                        }
                    }
                }
                match &group.aggregation {
                    Aggregation::PooledMean { depth: 0 } => {
                        problems.push(Problem::ZeroDepth(node.id.clone()));
                    }
                    Aggregation::WeakestLink { scale, .. } | Aggregation::Lookup { scale, .. } => {
                        match scale_index.get(scale).map(|s| &scales[*s]) {
                            None => problems.push(Problem::UnknownScale {
                                node: node.id.clone(),
                                scale: scale.clone(),
                            }),
                            Some(s) if !s.is_ordinal() => problems.push(Problem::NotOrdinal {
                                node: node.id.clone(),
                                scale: scale.clone(),
                            }),
                            Some(s) => {
                                let wants_modifier = matches!(
                                    group.aggregation,
                                    Aggregation::WeakestLink {
                                        modify_when_others_higher: true,
                                        ..
                                    }
                                );
                                if wants_modifier && s.modifier().is_none() {
                                    problems.push(Problem::NoModifier {
                                        node: node.id.clone(),
                                        scale: scale.clone(),
                                    });
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    index
}

/// Resolves parent links; `None` when the tree is unsound (a duplicate id, a dangling or
/// indicator parent, or a cycle), after reporting why.
fn link_parents(
    nodes: &[Node],
    index: &HashMap<NodeId, usize>,
    problems: &mut Vec<Problem>,
) -> Option<Vec<Option<usize>>> {
    let mut sound = index.len() == nodes.len();
    let mut parents = vec![None; nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        let Some(parent) = &node.parent else { continue };
        match index.get(parent) {
            None => {
                problems.push(Problem::DanglingParent {
                    node: node.id.clone(),
                    parent: parent.clone(),
                });
                sound = false;
            }
            Some(&p) if matches!(nodes[p].kind, NodeKind::Indicator(_)) => {
                problems.push(Problem::IndicatorParent {
                    node: node.id.clone(),
                    parent: parent.clone(),
                });
                sound = false;
            }
            Some(&p) => parents[i] = Some(p),
        }
    }
    // Follow each chain of parents; meeting a node of the chain being walked is a cycle.
    const NEW: u8 = 0;
    const WALKING: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; nodes.len()];
    let mut path = Vec::new();
    for start in 0..nodes.len() {
        path.clear();
        let mut current = Some(start);
        while let Some(c) = current {
            if state[c] == DONE {
                break;
            }
            if state[c] == WALKING {
                let from = path.iter().position(|p| *p == c).unwrap_or(0);
                problems.push(Problem::Cycle(
                    path[from..]
                        .iter()
                        .map(|p: &usize| nodes[*p].id.clone())
                        .collect(),
                ));
                sound = false;
                break;
            }
            state[c] = WALKING;
            path.push(c);
            current = parents[c];
        }
        for &p in &path {
            state[p] = DONE;
        }
    }
    sound.then_some(parents)
}

/// Every node, children before parents, roots and children in declaration order.
fn post_order(parents: &[Option<usize>], children: &[Vec<usize>]) -> Vec<usize> {
    let mut order = Vec::with_capacity(parents.len());
    for root in (0..parents.len()).filter(|i| parents[*i].is_none()) {
        // An explicit stack: each entry is a node and how many of its children are done.
        let mut stack = vec![(root, 0usize)];
        while let Some((node, done)) = stack.pop() {
            if let Some(&child) = children[node].get(done) {
                stack.push((node, done + 1));
                stack.push((child, 0));
            } else {
                order.push(node);
            }
        }
    }
    order
}

/// Compiles a lookup table's rows to ranks, reporting bad rows. The flag says whether
/// every row was good.
fn compile_lookup(
    node: &NodeId,
    scale: &Scale,
    rows: &[super::aggregate::LookupRow],
    problems: &mut Vec<Problem>,
) -> (CompiledLookup, bool) {
    let mut table = CompiledLookup::new();
    let mut ok = true;
    for (i, row) in rows.iter().enumerate() {
        let number = i + 1;
        // A row for more children than the group has can never match, but is harmless: a
        // framework may share one official table between indicators of 2, 3 and 4 dimensions.
        if row.children.is_empty() {
            problems.push(Problem::EmptyRow {
                node: node.clone(),
                row: number,
            });
            ok = false;
            continue;
        }
        let mut key = Vec::new();
        let mut good = true;
        for grade in row.children.iter().chain([&row.grade]) {
            match scale.rank_of(grade.as_str()) {
                Some(rank) => key.push(rank),
                None => {
                    problems.push(Problem::UnknownGrade {
                        node: node.clone(),
                        row: number,
                        grade: grade.clone(),
                        scale: scale.id.clone(),
                    });
                    good = false;
                }
            }
        }
        if !good {
            ok = false;
            continue;
        }
        let result = key.pop().unwrap_or(0);
        key.sort_unstable();
        if table.insert(key.clone(), result).is_some() {
            problems.push(Problem::DuplicateRow {
                node: node.clone(),
                grades: grades_text(scale, &key),
            });
            ok = false;
        }
    }
    (table, ok)
}

/// Reports every combination of child grades the table lacks: each child may be missing
/// or give any grade it can give, and at least one child must have a grade.
fn check_complete(
    node: &NodeId,
    scale: &Scale,
    table: &CompiledLookup,
    child_ranks: &[BTreeSet<u32>],
    problems: &mut Vec<Problem>,
) {
    let count = child_ranks
        .iter()
        .try_fold(1usize, |acc, r| acc.checked_mul(r.len() + 1));
    if count.is_none_or(|c| c > MAX_COMBINATIONS) {
        problems.push(Problem::LookupTooLarge(node.clone()));
        return;
    }
    let mut combinations = BTreeSet::new();
    let mut current = Vec::new();
    collect_combinations(child_ranks, &mut current, &mut combinations);
    for key in combinations {
        if !table.contains_key(&key) {
            problems.push(Problem::MissingRow {
                node: node.clone(),
                grades: grades_text(scale, &key),
            });
        }
    }
}

fn collect_combinations(
    rest: &[BTreeSet<u32>],
    current: &mut Vec<u32>,
    out: &mut BTreeSet<Vec<u32>>,
) {
    let Some((first, rest)) = rest.split_first() else {
        if !current.is_empty() {
            let mut key = current.clone();
            key.sort_unstable();
            out.insert(key);
        }
        return;
    };
    collect_combinations(rest, current, out);
    for rank in first {
        current.push(*rank);
        collect_combinations(rest, current, out);
        current.pop();
    }
}

/// Grades as text, from the highest: "A, B, D".
fn grades_text(scale: &Scale, ranks: &[u32]) -> String {
    let mut ranks = ranks.to_vec();
    ranks.sort_unstable_by(|a, b| b.cmp(a));
    ranks
        .iter()
        .map(|r| {
            scale
                .grade_at(*r)
                .map(|g| g.to_string())
                .unwrap_or_else(|| r.to_string())
        })
        .collect::<Vec<_>>()
        .join(", ")
}
