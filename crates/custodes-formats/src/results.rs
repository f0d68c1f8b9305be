//! Assessment results as files: a CSV table of every node's score, and a JSON document
//! with the scores, the diagnosis and the comparison. Exact values are written as
//! decimals (or fractions when they have no finite decimal), so they read back exactly.

use custodes_core::assessment::Results;
use custodes_core::framework::{NodeKind, ValidFramework};
use serde::Serialize;

/// What the results are of.
#[derive(Clone, Debug, Serialize)]
pub struct About<'a> {
    /// The assessment's title.
    pub title: &'a str,
    /// The period assessed.
    pub period: &'a str,
    /// Its version.
    pub version: i64,
    /// Its status.
    pub status: &'a str,
    /// The framework's id.
    pub framework: &'a str,
    /// The framework's version.
    pub framework_version: &'a str,
}

/// The columns of the results table.
pub const COLUMNS: [&str; 15] = [
    "node",
    "parent",
    "kind",
    "title",
    "value",
    "displayed",
    "grade",
    "band",
    "indicators",
    "answered",
    "not_applicable",
    "not_enough_information",
    "not_scored",
    "unanswered",
    "confidence",
];

/// Every node's score as CSV, in the framework's order.
pub fn to_csv<A>(framework: &ValidFramework, results: &Results<A>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(COLUMNS);
    for node in &framework.framework().nodes {
        let Some(s) = results.scores.get(node.id.as_str()) else {
            continue;
        };
        let c = &s.coverage;
        let opt = |n: Option<custodes_core::framework::Number>| {
            n.map(|v| v.to_string()).unwrap_or_default()
        };
        let _ = w.write_record([
            node.id.as_str().to_owned(),
            node.parent
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            match node.kind {
                NodeKind::Group(_) => "group".to_owned(),
                NodeKind::Indicator(_) => "indicator".to_owned(),
            },
            node.title.clone(),
            opt(s.value),
            opt(s.displayed),
            s.grade
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            s.band.clone().unwrap_or_default(),
            c.indicators.to_string(),
            c.answered.to_string(),
            c.not_applicable.to_string(),
            c.not_enough_information.to_string(),
            c.not_scored.to_string(),
            c.unanswered.to_string(),
            results
                .confidence
                .get(&node.id)
                .map(|c| c.grade.to_owned())
                .unwrap_or_default(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[derive(Serialize)]
struct Document<'a, A: Serialize> {
    format: &'static str,
    assessment: &'a About<'a>,
    #[serde(flatten)]
    results: &'a Results<A>,
}

/// The results as a JSON document (`custodes-results/1`): the assessment, every node's
/// score and confidence, the diagnosis and, if compared, the changes.
pub fn to_json<A: Serialize>(about: &About<'_>, results: &Results<A>) -> String {
    serde_json::to_string_pretty(&Document {
        format: "custodes-results/1",
        assessment: about,
        results,
    })
    .unwrap_or_default()
}
