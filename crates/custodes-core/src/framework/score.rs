//! Scoring: the answers of one assessment, combined up a valid framework's tree by the
//! rules the framework declares.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::aggregate::{self, Aggregation, Overflow, Part, Scored};
use super::answer::{Answer, AnswerValue};
use super::band::ValueBasis;
use super::id::NodeId;
use super::node::NodeKind;
use super::number::Number;
use super::problem::Problem;
use super::rank::rank;
use super::scale::{Grade, LevelMeaning, MissingState};
use super::validate::ValidFramework;

/// How complete the answers below a node are. For an indicator, exactly one count is 1.
/// The counts always add up: `answered` plus the three missing states plus `unanswered`
/// equals `indicators`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// The indicators at or below the node.
    pub indicators: u32,
    /// Those answered with a scored level.
    pub answered: u32,
    /// Those answered "not applicable".
    pub not_applicable: u32,
    /// Those answered "not enough information".
    pub not_enough_information: u32,
    /// Those answered "not scored".
    pub not_scored: u32,
    /// Those with no answer at all.
    pub unanswered: u32,
}

impl Coverage {
    /// How many indicators are in a missing state.
    pub fn missing(&self, state: MissingState) -> u32 {
        match state {
            MissingState::NotApplicable => self.not_applicable,
            MissingState::NotEnoughInformation => self.not_enough_information,
            MissingState::NotScored => self.not_scored,
        }
    }

    /// The share of indicators answered with a scored level, from 0 to 1; `None` when
    /// there are no indicators.
    pub fn ratio(&self) -> Option<Number> {
        Number::new(i128::from(self.answered), i128::from(self.indicators))
            .filter(|_| self.indicators > 0)
    }

    fn add(&mut self, other: &Coverage) {
        self.indicators += other.indicators;
        self.answered += other.answered;
        self.not_applicable += other.not_applicable;
        self.not_enough_information += other.not_enough_information;
        self.not_scored += other.not_scored;
        self.unanswered += other.unanswered;
    }

    fn count(&mut self, state: MissingState) {
        match state {
            MissingState::NotApplicable => self.not_applicable += 1,
            MissingState::NotEnoughInformation => self.not_enough_information += 1,
            MissingState::NotScored => self.not_scored += 1,
        }
    }
}

/// The score of one node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeScore {
    /// The exact value of a numeric node; `None` when nothing below it has a score.
    pub value: Option<Number>,
    /// The value as published, after the node's rounding rule (the exact value when it has
    /// none).
    pub displayed: Option<Number>,
    /// The grade of an ordinal node.
    pub grade: Option<Grade>,
    /// The band its value falls into, if the node declares bands.
    pub band: Option<String>,
    /// The node's place among its siblings, if its parent ranks its children.
    pub rank: Option<u32>,
    /// For an indicator answered with a missing state, that state.
    pub missing: Option<MissingState>,
    /// How complete the answers below it are.
    pub coverage: Coverage,
}

/// The scores of every node of a framework for one set of answers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    /// Every node's score, by id.
    pub nodes: BTreeMap<NodeId, NodeScore>,
    /// Answers that were ignored and computations that failed, each naming its node.
    pub problems: Vec<Problem>,
}

impl Scores {
    /// A node's score.
    pub fn get(&self, id: &str) -> Option<&NodeScore> {
        self.nodes.get(id)
    }
}

/// An answer resolved against its indicator's scale.
enum Resolved {
    Value(Number),
    Rank(u32),
    Missing(MissingState),
}

/// What a node hands its parent.
#[derive(Clone, Copy)]
enum Passed {
    Number(Scored),
    Rank(u32),
    Nothing,
}

/// Checks a set of answers against a framework and returns every problem found: answers
/// to unknown nodes or to groups, levels the scale lacks, and repeated answers.
pub fn validate_answers(framework: &ValidFramework, answers: &[Answer]) -> Vec<Problem> {
    resolve(framework, answers).1
}

fn resolve(
    framework: &ValidFramework,
    answers: &[Answer],
) -> (HashMap<usize, Resolved>, Vec<Problem>) {
    let mut resolved = HashMap::new();
    let mut problems = Vec::new();
    for answer in answers {
        let Some(&n) = framework.index.get(&answer.node) else {
            problems.push(Problem::UnknownNode(answer.node.clone()));
            continue;
        };
        let NodeKind::Indicator(indicator) = &framework.framework.nodes[n].kind else {
            problems.push(Problem::AnswerToGroup(answer.node.clone()));
            continue;
        };
        let meaning = match &answer.value {
            AnswerValue::Missing(state) => Resolved::Missing(*state),
            AnswerValue::Level(level) => {
                let scale = framework
                    .scales
                    .get(&indicator.scale)
                    .map(|s| framework.scale(*s));
                match scale.and_then(|s| s.meaning(level.as_str())) {
                    Some(LevelMeaning::Value(v)) => Resolved::Value(v),
                    Some(LevelMeaning::Rank(r)) => Resolved::Rank(r),
                    Some(LevelMeaning::Missing(state)) => Resolved::Missing(state),
                    None => {
                        problems.push(Problem::UnknownLevel {
                            node: answer.node.clone(),
                            level: level.clone(),
                            scale: indicator.scale.clone(),
                        });
                        continue;
                    }
                }
            }
        };
        match resolved.entry(n) {
            Entry::Occupied(_) => problems.push(Problem::DuplicateAnswer(answer.node.clone())),
            Entry::Vacant(slot) => {
                slot.insert(meaning);
            }
        }
    }
    (resolved, problems)
}

/// Scores a set of answers. Missing indicators are left out of every rule and counted in
/// coverage; a node with nothing to combine has no value. Bad answers are ignored and
/// reported in [`Scores::problems`]; scoring itself never fails.
pub fn score(framework: &ValidFramework, answers: &[Answer]) -> Scores {
    let (resolved, mut problems) = resolve(framework, answers);
    let nodes = &framework.framework.nodes;
    let mut results = vec![NodeScore::default(); nodes.len()];
    let mut passed = vec![Passed::Nothing; nodes.len()];

    for &n in &framework.order {
        let node = &nodes[n];
        let mut result = NodeScore::default();
        match &node.kind {
            NodeKind::Indicator(indicator) => {
                result.coverage.indicators = 1;
                let maximum = framework
                    .scales
                    .get(&indicator.scale)
                    .and_then(|s| framework.scale(*s).maximum())
                    .unwrap_or(Number::ZERO);
                match resolved.get(&n) {
                    None => result.coverage.unanswered = 1,
                    Some(Resolved::Missing(state)) => {
                        result.coverage.count(*state);
                        result.missing = Some(*state);
                    }
                    Some(Resolved::Value(value)) => {
                        result.coverage.answered = 1;
                        result.value = Some(*value);
                        result.displayed = Some(*value);
                        passed[n] = Passed::Number(Scored {
                            value: *value,
                            maximum,
                        });
                    }
                    Some(Resolved::Rank(rank)) => {
                        result.coverage.answered = 1;
                        result.grade = framework
                            .scales
                            .get(&indicator.scale)
                            .and_then(|s| framework.scale(*s).grade_at(*rank));
                        passed[n] = Passed::Rank(*rank);
                    }
                }
            }
            NodeKind::Group(group) => {
                for &c in &framework.children[n] {
                    result.coverage.add(&results[c].coverage);
                }
                let ranks: Vec<u32> = framework.children[n]
                    .iter()
                    .filter_map(|c| match passed[*c] {
                        Passed::Rank(r) => Some(r),
                        _ => None,
                    })
                    .collect();
                match &group.aggregation {
                    Aggregation::Unscored => {}
                    Aggregation::WeakestLink {
                        scale,
                        modify_when_others_higher,
                    } => {
                        if let Some(scale) =
                            framework.scales.get(scale).map(|s| framework.scale(*s))
                        {
                            let lowest =
                                aggregate::weakest_link(&ranks, *modify_when_others_higher, |r| {
                                    scale.grade_at(r).is_some()
                                });
                            if let Some(r) = lowest {
                                result.grade = scale.grade_at(r);
                                passed[n] = Passed::Rank(r);
                            }
                        }
                    }
                    Aggregation::Lookup { scale, .. } => {
                        let scale = framework.scales.get(scale).map(|s| framework.scale(*s));
                        let found = framework
                            .lookups
                            .get(&n)
                            .filter(|_| !ranks.is_empty())
                            .and_then(|table| aggregate::look_up(table, &ranks));
                        if let (Some(scale), Some(r)) = (scale, found) {
                            result.grade = scale.grade_at(r);
                            passed[n] = Passed::Rank(r);
                        }
                    }
                    rule => {
                        let inputs = match rule {
                            Aggregation::PooledMean { depth } => framework.pooled(n, *depth),
                            _ => framework.children[n].clone(),
                        };
                        let parts: Vec<Part> = inputs
                            .iter()
                            .filter_map(|c| match passed[*c] {
                                Passed::Number(s) => Some(Part {
                                    value: s.value,
                                    maximum: s.maximum,
                                    weight: nodes[*c].weight,
                                }),
                                _ => None,
                            })
                            .collect();
                        match aggregate::combine(rule, &parts).and_then(|s| finish(group, s)) {
                            Ok(Some((scored, displayed))) => {
                                result.value = Some(scored.value);
                                result.displayed = Some(displayed);
                                result.band = group.bands.as_ref().and_then(|bands| {
                                    let basis = match bands.basis {
                                        ValueBasis::Unrounded => scored.value,
                                        ValueBasis::Displayed => displayed,
                                    };
                                    bands.band_of(basis).map(|b| b.label.clone())
                                });
                                let handed = match group.parent_uses {
                                    ValueBasis::Unrounded => scored.value,
                                    ValueBasis::Displayed => displayed,
                                };
                                passed[n] = Passed::Number(Scored {
                                    value: handed,
                                    maximum: scored.maximum,
                                });
                            }
                            Ok(None) => {}
                            Err(Overflow) => problems.push(Problem::Overflow(node.id.clone())),
                        }
                    }
                }
            }
        }
        results[n] = result;
    }

    // Ranks among siblings, where the parent asks for them.
    for (n, node) in nodes.iter().enumerate() {
        let Some(ranking) = node.as_group().and_then(|g| g.ranking) else {
            continue;
        };
        let keys: Vec<Option<Number>> = framework.children[n]
            .iter()
            .map(|c| match passed[*c] {
                Passed::Rank(r) => Some(Number::from_int(i64::from(r))),
                Passed::Number(_) => match ranking.basis {
                    ValueBasis::Unrounded => results[*c].value,
                    ValueBasis::Displayed => results[*c].displayed,
                },
                Passed::Nothing => None,
            })
            .collect();
        for (c, place) in framework.children[n].iter().zip(rank(&keys, ranking.order)) {
            results[*c].rank = place;
        }
    }

    Scores {
        nodes: nodes
            .iter()
            .zip(results)
            .map(|(node, result)| (node.id.clone(), result))
            .collect(),
        problems,
    }
}

/// Rounds a group's value by its rule: the exact value and the published one.
fn finish(
    group: &super::node::Group,
    scored: Option<Scored>,
) -> Result<Option<(Scored, Number)>, Overflow> {
    let Some(scored) = scored else {
        return Ok(None);
    };
    let displayed = match group.rounding {
        Some(rule) => rule.apply(scored.value).ok_or(Overflow)?,
        None => scored.value,
    };
    Ok(Some((scored, displayed)))
}
