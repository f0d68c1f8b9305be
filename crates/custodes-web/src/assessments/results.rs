//! Results: the overall score, a radar chart of the characteristics, bars per area with
//! coverage and confidence, the deficit diagnosis, and the comparison with another
//! cycle. Everything is computed by `custodes_core::assessment::results`; this page only
//! arranges it.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use custodes_core::assessment::{Results, Status, percent, results};
use custodes_core::framework::{
    Answer, DiagnosisKey, DiagnosisLine, Node, NodeId, NodeScore, Number, Shortfall,
};
use custodes_report::assessment::{Series, radar_svg};
use custodes_store::assessment::{Assessment, NamedActor, StoredAnswer};
use serde::Deserialize;

use super::overview::{Head, head};
use super::{Choice, Loaded, dom_id, load, missing_label, show, value_view};
use crate::auth::Visitor;
use crate::chrome::Chrome;
use crate::{AppState, WebError, today};

/// A node's score as a bar.
pub(crate) struct ScoreBar {
    id: String,
    title: String,
    href: String,
    value: String,
    pct: u32,
    band: String,
    detail: String,
    confidence: String,
    grade: String,
}

/// A characteristic with its indicators.
pub(crate) struct Area {
    dom: String,
    head: ScoreBar,
    indicators: Vec<ScoreBar>,
}

/// One indicator behind a diagnosis line.
pub(crate) struct Behind {
    id: String,
    title: String,
    href: String,
    amount: String,
}

/// A line of the diagnosis.
pub(crate) struct DiagLine {
    rank: usize,
    label: String,
    total: String,
    pct: u32,
    indicators: Vec<Behind>,
}

/// One way of grouping the diagnosis.
pub(crate) struct DiagGroup {
    dom: &'static str,
    title: &'static str,
    explain: &'static str,
    lines: Vec<DiagLine>,
}

/// A node's change between two cycles.
pub(crate) struct ChangeRow {
    title: String,
    kind: &'static str,
    before: String,
    after: String,
    delta: String,
    /// `up`, `down` or "".
    mark: &'static str,
}

/// The comparison with another cycle.
pub(crate) struct Comparison {
    name: String,
    href: String,
    improvements: Vec<ChangeRow>,
    declines: Vec<ChangeRow>,
    rows: Vec<ChangeRow>,
}

/// A row of the table that follows the radar chart.
pub(crate) struct RadarRow {
    title: String,
    value: String,
    earlier: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessments/results.html")]
pub(crate) struct ResultsPage {
    chrome: Chrome,
    head: Head,
    base: String,
    overall: Option<ScoreBar>,
    provisional: bool,
    radar: String,
    radar_rows: Vec<RadarRow>,
    compared: bool,
    areas: Vec<Area>,
    diagnosis: Vec<DiagGroup>,
    others: Vec<Choice>,
    comparison: Option<Comparison>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Params {
    compare: Option<String>,
}

fn core_answers(list: &[StoredAnswer]) -> Vec<Answer> {
    list.iter()
        .map(|a| Answer {
            node: a.indicator.clone(),
            value: a.value.clone(),
        })
        .collect()
}

/// The cycle compared by default: the published assessment of the same framework with
/// the most recent period before this one's.
fn default_comparison<'a>(this: &Assessment, others: &'a [Assessment]) -> Option<&'a Assessment> {
    others
        .iter()
        .filter(|o| o.status == Status::Published && o.period < this.period)
        .max_by(|a, b| a.period.cmp(&b.period).then(a.version.cmp(&b.version)))
}

/// The largest value any scale of the framework reaches (100 for most).
fn scale_max(l: &Loaded) -> Number {
    l.framework
        .framework()
        .scales
        .iter()
        .filter_map(|s| s.maximum())
        .max()
        .filter(|m| *m > Number::ZERO)
        .unwrap_or_else(|| Number::from(100))
}

fn bar(
    l: &Loaded,
    r: &Results<NamedActor>,
    n: &Node,
    max: Number,
    answers: &BTreeMap<NodeId, StoredAnswer>,
) -> ScoreBar {
    let id = n.id.as_str();
    let s = r.scores.nodes.get(&n.id).cloned().unwrap_or_default();
    let is_indicator = n.as_indicator().is_some();
    let own_max = n
        .as_indicator()
        .and_then(|i| {
            l.framework
                .framework()
                .scales
                .iter()
                .find(|sc| sc.id == i.scale)
        })
        .and_then(|sc| sc.maximum())
        .unwrap_or(max);
    let value = s.displayed.or(s.value);
    let detail = if is_indicator {
        match (answers.get(&n.id), s.missing) {
            (_, Some(m)) => missing_label(m).to_owned(),
            (Some(a), None) => value_view(&l.framework, id, &a.value).label,
            (None, None) => "Not answered".to_owned(),
        }
    } else {
        coverage_words(&s)
    };
    ScoreBar {
        id: id.to_owned(),
        title: n.title.clone(),
        href: format!("{}/answer#{}", l.href(), dom_id(id)),
        value: value.map(show).unwrap_or_else(|| "–".into()),
        pct: value.map_or(0, |v| percent(v, own_max)),
        band: s.band.clone().unwrap_or_default(),
        detail,
        confidence: if is_indicator {
            String::new()
        } else {
            r.confidence
                .get(&n.id)
                .map(|c| c.note.clone())
                .unwrap_or_default()
        },
        grade: s
            .grade
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
    }
}

fn coverage_words(s: &NodeScore) -> String {
    let c = &s.coverage;
    format!("{} of {} indicators scored", c.answered, c.indicators)
}

fn key_label(k: &DiagnosisKey) -> String {
    match k {
        DiagnosisKey::Deficit(d) => d.label().to_owned(),
        DiagnosisKey::Characteristic(c) => c.label().to_owned(),
        DiagnosisKey::ActorKind(a) => a.label().to_owned(),
        DiagnosisKey::Standing(s) => s.label().to_owned(),
    }
}

fn behind(l: &Loaded, list: &[Shortfall]) -> Vec<Behind> {
    list.iter()
        .map(|s| {
            let id = s.indicator.as_str();
            Behind {
                id: id.to_owned(),
                title: l
                    .framework
                    .node(id)
                    .map(|n| n.title.clone())
                    .unwrap_or_default(),
                href: format!("{}/answer#{}", l.href(), dom_id(id)),
                amount: show(s.amount),
            }
        })
        .collect()
}

fn lines(l: &Loaded, list: &[DiagnosisLine]) -> Vec<DiagLine> {
    let largest = list.iter().map(|x| x.total).max().unwrap_or(Number::ZERO);
    list.iter()
        .enumerate()
        .map(|(i, x)| DiagLine {
            rank: i + 1,
            label: key_label(&x.key),
            total: show(x.total),
            pct: percent(x.total, largest),
            indicators: behind(l, &x.indicators),
        })
        .collect()
}

fn signed(n: Number) -> String {
    if n > Number::ZERO {
        format!("+{}", show(n))
    } else if n < Number::ZERO {
        format!("−{}", show(Number::ZERO.checked_sub(n).unwrap_or(n)))
    } else {
        "0".into()
    }
}

/// `GET /w/{slug}/assessments/{id}/results?compare={other}`: `compare=none` shows no
/// comparison; without it, the default cycle is compared.
pub(crate) async fn page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
    Query(params): Query<Params>,
) -> Result<ResultsPage, WebError> {
    let l = load(&state, &visitor, &slug, &id).await?;
    let viewer = &visitor.viewer;
    let stored = state.store.answers(viewer, today(), l.a.id).await?;
    let by_id: BTreeMap<NodeId, StoredAnswer> = stored
        .iter()
        .map(|a| (a.indicator.clone(), a.clone()))
        .collect();
    let actor_of: BTreeMap<NodeId, NamedActor> = stored
        .iter()
        .filter_map(|a| a.actor.clone().map(|x| (a.indicator.clone(), x)))
        .collect();
    // Other cycles: the same framework and version in this workspace.
    let others: Vec<Assessment> = state
        .store
        .list_assessments(viewer, today(), l.ws.id)
        .await?
        .into_iter()
        .filter(|o| {
            o.id != l.a.id
                && o.framework_key == l.a.framework_key
                && o.framework_version == l.a.framework_version
        })
        .collect();
    let chosen: Option<&Assessment> = match params.compare.as_deref() {
        Some("none") => None,
        Some(other) if !other.is_empty() => Some(
            others
                .iter()
                .find(|o| o.id.to_string() == other)
                .ok_or(WebError::NotFound)?,
        ),
        _ => default_comparison(&l.a, &others),
    };
    let earlier = match chosen {
        Some(o) => Some(core_answers(
            &state.store.answers(viewer, today(), o.id).await?,
        )),
        None => None,
    };
    let r = results(
        &l.framework,
        &core_answers(&stored),
        &actor_of,
        earlier.as_deref(),
    );
    let max = scale_max(&l);
    let root = l.framework.roots().first().copied();
    let overall = root.map(|n| bar(&l, &r, n, max, &by_id));
    let before: BTreeMap<&NodeId, Option<Number>> = r
        .changes
        .iter()
        .flatten()
        .map(|c| (&c.node, c.before))
        .collect();
    // The radar and the bars.
    let characteristics = l.characteristics();
    let mut axes = Vec::new();
    let mut now_values = Vec::new();
    let mut then_values = Vec::new();
    let mut radar_rows = Vec::new();
    let to_100 = |v: Option<Number>| v.map(|v| v.to_f64() * 100.0 / max.to_f64());
    for (i, c) in characteristics.iter().enumerate() {
        let s = r.scores.nodes.get(&c.id);
        let v = s.and_then(|s| s.displayed.or(s.value));
        let e = before.get(&c.id).copied().flatten();
        axes.push(format!("{}. {}", i + 1, c.title));
        now_values.push(to_100(v));
        then_values.push(to_100(e));
        radar_rows.push(RadarRow {
            title: format!("{}. {}", i + 1, c.title),
            value: v.map(show).unwrap_or_else(|| "–".into()),
            earlier: e.map(show).unwrap_or_else(|| "–".into()),
        });
    }
    let mut series = vec![Series {
        name: format!("{} (this assessment)", l.a.period),
        values: now_values,
    }];
    if let Some(o) = chosen {
        series.push(Series {
            name: format!("{} (compared)", o.period),
            values: then_values,
        });
    }
    let radar = radar_svg(
        &format!("Scores of the characteristics, {}", l.a.period),
        &axes,
        &series,
    );
    let sections = super::answer::sections(&l);
    let areas = sections
        .iter()
        .map(|(c, list)| Area {
            dom: format!("area-{}", dom_id(c.id.as_str())),
            head: bar(&l, &r, c, max, &by_id),
            indicators: list.iter().map(|n| bar(&l, &r, n, max, &by_id)).collect(),
        })
        .collect();
    // The diagnosis.
    let d = &r.diagnosis;
    let actor_largest = r
        .by_actor
        .iter()
        .map(|x| x.total)
        .max()
        .unwrap_or(Number::ZERO);
    let diagnosis = vec![
        DiagGroup {
            dom: "by-deficit",
            title: "By source of deficit",
            explain: "Why the sector falls short: each indicator counts in every source of deficit it is tagged with.",
            lines: lines(&l, &d.by_deficit),
        },
        DiagGroup {
            dom: "by-characteristic",
            title: "By characteristic",
            explain: "Which characteristics of an ideal security sector fall furthest short.",
            lines: lines(&l, &d.by_characteristic),
        },
        DiagGroup {
            dom: "by-actor",
            title: "By actor",
            explain: "The actors the answers name as concerned.",
            lines: r
                .by_actor
                .iter()
                .enumerate()
                .map(|(i, x)| DiagLine {
                    rank: i + 1,
                    label: x.actor.name.clone(),
                    total: show(x.total),
                    pct: percent(x.total, actor_largest),
                    indicators: behind(&l, &x.indicators),
                })
                .collect(),
        },
        DiagGroup {
            dom: "by-actor-kind",
            title: "By kind of actor",
            explain: "The kinds of actor the indicators concern.",
            lines: lines(&l, &d.by_actor_kind),
        },
        DiagGroup {
            dom: "by-standing",
            title: "De jure and de facto",
            explain: "Whether the shortfall is in what the rules provide or in what happens in practice.",
            lines: lines(&l, &d.by_standing),
        },
    ];
    // The comparison.
    let comparison = match (chosen, &r.changes) {
        (Some(o), Some(changes)) => {
            let row = |c: &custodes_core::framework::Change| -> ChangeRow {
                let n = l.framework.node(c.node.as_str());
                let kind = match n {
                    Some(n) if n.as_indicator().is_some() => "Indicator",
                    Some(n) if Some(n.id.as_str()) == root.map(|r| r.id.as_str()) => "Overall",
                    _ => "Area",
                };
                ChangeRow {
                    title: n
                        .map(|n| format!("{} {}", n.id, n.title))
                        .unwrap_or_else(|| c.node.to_string()),
                    kind,
                    before: c.before.map(show).unwrap_or_else(|| "–".into()),
                    after: c.after.map(show).unwrap_or_else(|| "–".into()),
                    delta: c.delta.map(signed).unwrap_or_else(|| "–".into()),
                    mark: match c.delta {
                        Some(d) if d > Number::ZERO => "up",
                        Some(d) if d < Number::ZERO => "down",
                        _ => "",
                    },
                }
            };
            let improvements = changes
                .iter()
                .filter(|c| c.delta.is_some_and(|d| d > Number::ZERO))
                .take(5)
                .map(row)
                .collect();
            let mut declines: Vec<_> = changes
                .iter()
                .filter(|c| c.delta.is_some_and(|d| d < Number::ZERO))
                .collect();
            declines.sort_by(|a, b| a.delta.cmp(&b.delta).then(a.node.cmp(&b.node)));
            Some(Comparison {
                name: format!("{}, version {}", o.period, o.version),
                href: format!("/w/{slug}/assessments/{}/results", o.id),
                improvements,
                declines: declines.into_iter().take(5).map(row).collect(),
                rows: changes.iter().map(row).collect(),
            })
        }
        _ => None,
    };
    let chosen_id = chosen.map(|o| o.id);
    let mut choices = vec![Choice {
        value: "none".into(),
        label: "No comparison".into(),
        selected: chosen_id.is_none(),
    }];
    choices.extend(others.iter().map(|o| Choice {
        value: o.id.to_string(),
        label: format!(
            "{} – {} (version {}, {})",
            o.period,
            o.title,
            o.version,
            o.status.label().to_lowercase()
        ),
        selected: Some(o.id) == chosen_id,
    }));
    Ok(ResultsPage {
        chrome: Chrome::new(&state, &visitor, &format!("/w/{slug}/assessments")).await,
        head: head(&l, "/results"),
        base: l.href(),
        overall,
        provisional: l.a.status != Status::Published,
        radar,
        radar_rows,
        compared: chosen.is_some(),
        areas,
        diagnosis,
        others: choices,
        comparison,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_signed() {
        assert_eq!(signed(Number::from(5)), "+5");
        assert_eq!(signed(Number::from(-12)), "−12");
        assert_eq!(signed(Number::ZERO), "0");
    }
}
