//! Deficit diagnosis and cycle comparison: where a scored sector falls short of the ideal,
//! why (the sources of deficits), and what changed between two assessments.
//!
//! An indicator's shortfall is its weight times its distance from the best level of its
//! scale. Shortfalls are summed by source of deficit, by characteristic, by the kind of
//! actor concerned and by de jure or de facto standing, and each line keeps the
//! indicators behind it. An indicator tagged with two sources counts fully in both lines:
//! lines answer "how much rests on this source", not shares of one total.

use std::collections::BTreeMap;

use serde::Serialize;

use super::id::NodeId;
use super::number::Number;
use super::score::Scores;
use super::tag::{Characteristic, DeficitSource, Standing};
use super::validate::ValidFramework;
use crate::sector::ActorKind;

/// What a diagnosis line groups by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "key")]
pub enum DiagnosisKey {
    /// A source of deficit.
    Deficit(DeficitSource),
    /// A characteristic of the ideal security sector.
    Characteristic(Characteristic),
    /// A kind of actor concerned.
    ActorKind(ActorKind),
    /// De jure or de facto.
    Standing(Standing),
}

/// One indicator's shortfall.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Shortfall {
    /// The indicator.
    pub indicator: NodeId,
    /// Its weight times its distance from the best level.
    pub amount: Number,
}

/// A line of the diagnosis: a total and the indicators behind it, largest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiagnosisLine {
    /// What the line groups.
    pub key: DiagnosisKey,
    /// The sum of its indicators' shortfalls.
    pub total: Number,
    /// The indicators behind it, largest shortfall first.
    pub indicators: Vec<Shortfall>,
}

/// The diagnosis of one assessment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    /// By source of deficit, largest first.
    pub by_deficit: Vec<DiagnosisLine>,
    /// By characteristic, largest first.
    pub by_characteristic: Vec<DiagnosisLine>,
    /// By kind of actor concerned, largest first.
    pub by_actor_kind: Vec<DiagnosisLine>,
    /// De jure against de facto, largest first.
    pub by_standing: Vec<DiagnosisLine>,
    /// Every indicator with a shortfall, largest first.
    pub indicators: Vec<Shortfall>,
}

/// Diagnoses a scored assessment. Indicators without a score (missing answers) have no
/// shortfall: coverage says how much is unknown.
pub fn diagnose(framework: &ValidFramework, scores: &Scores) -> Diagnosis {
    let fw = framework.framework();
    let mut lines: BTreeMap<DiagnosisKey, (Number, Vec<Shortfall>)> = BTreeMap::new();
    let mut all = Vec::new();
    for node in &fw.nodes {
        let Some(ind) = node.as_indicator() else {
            continue;
        };
        let Some(value) = scores.nodes.get(&node.id).and_then(|s| s.value) else {
            continue;
        };
        let Some(best) = fw
            .scales
            .iter()
            .find(|s| s.id == ind.scale)
            .and_then(|s| s.maximum())
        else {
            continue;
        };
        let Some(amount) = best
            .checked_sub(value)
            .and_then(|d| d.checked_mul(node.weight))
        else {
            continue;
        };
        if amount <= Number::ZERO {
            continue;
        }
        let shortfall = Shortfall {
            indicator: node.id.clone(),
            amount,
        };
        let t = &ind.tags;
        let keys = t
            .deficit_sources
            .iter()
            .map(|d| DiagnosisKey::Deficit(*d))
            .chain(
                t.characteristics
                    .iter()
                    .map(|c| DiagnosisKey::Characteristic(*c)),
            )
            .chain(t.actor_kinds.iter().map(|k| DiagnosisKey::ActorKind(*k)))
            .chain(t.standing.map(DiagnosisKey::Standing));
        for key in keys {
            let entry = lines.entry(key).or_insert((Number::ZERO, Vec::new()));
            entry.0 = entry.0.checked_add(amount).unwrap_or(entry.0);
            entry.1.push(shortfall.clone());
        }
        all.push(shortfall);
    }
    let by_amount = |a: &Shortfall, b: &Shortfall| {
        b.amount
            .cmp(&a.amount)
            .then_with(|| a.indicator.cmp(&b.indicator))
    };
    all.sort_by(by_amount);
    let mut d = Diagnosis {
        indicators: all,
        ..Diagnosis::default()
    };
    for (key, (total, mut indicators)) in lines {
        indicators.sort_by(by_amount);
        let line = DiagnosisLine {
            key,
            total,
            indicators,
        };
        match key {
            DiagnosisKey::Deficit(_) => d.by_deficit.push(line),
            DiagnosisKey::Characteristic(_) => d.by_characteristic.push(line),
            DiagnosisKey::ActorKind(_) => d.by_actor_kind.push(line),
            DiagnosisKey::Standing(_) => d.by_standing.push(line),
        }
    }
    for list in [
        &mut d.by_deficit,
        &mut d.by_characteristic,
        &mut d.by_actor_kind,
        &mut d.by_standing,
    ] {
        list.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.cmp(&b.key)));
    }
    d
}

/// How one node changed between two assessments under the same framework.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The node.
    pub node: NodeId,
    /// Its exact value before, if scored.
    pub before: Option<Number>,
    /// Its exact value after, if scored.
    pub after: Option<Number>,
    /// After minus before, when both are scored.
    pub delta: Option<Number>,
}

/// The change of every node scored in either assessment, largest improvement first, then
/// the unchanged, then the declines, then the nodes scored in only one of the two.
pub fn compare(before: &Scores, after: &Scores) -> Vec<Change> {
    let mut ids: Vec<&NodeId> = before.nodes.keys().chain(after.nodes.keys()).collect();
    ids.sort();
    ids.dedup();
    let mut changes: Vec<Change> = ids
        .into_iter()
        .filter_map(|id| {
            let b = before.nodes.get(id).and_then(|s| s.value);
            let a = after.nodes.get(id).and_then(|s| s.value);
            if b.is_none() && a.is_none() {
                return None;
            }
            let delta = match (b, a) {
                (Some(b), Some(a)) => a.checked_sub(b),
                _ => None,
            };
            Some(Change {
                node: id.clone(),
                before: b,
                after: a,
                delta,
            })
        })
        .collect();
    changes.sort_by(|x, y| match (x.delta, y.delta) {
        (Some(dx), Some(dy)) => dy.cmp(&dx).then_with(|| x.node.cmp(&y.node)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => x.node.cmp(&y.node),
    });
    changes
}
