//! Answer files: the answers of an assessment as CSV (UTF-8, RFC 4180, a header row),
//! for assessors who work in a spreadsheet and for moving answers between instances.
//!
//! ```text
//! indicator,level,missing,actor,explanation,sources
//! c1.1,2,,National Security Council,"Adopted in 2012, never reviewed.",Strategy 2012 | https://example.org/s
//! c3.4,,not_enough_information,,Minutes are classified.,
//! ```
//!
//! `indicator` is required, and one of `level` (a level of the indicator's scale) or
//! `missing` (`not_applicable`, `not_enough_information`, `not_scored`, or their
//! abbreviations NA, NEI, NS) on each row; `actor` (an actor's exact name),
//! `explanation` and `sources` (entries separated by `;`, each `title` or
//! `title | link`) are optional. Reading checks every row against the framework and
//! returns every problem with its line, CSV column and field, or all the rows: never a
//! part of them.

use std::collections::BTreeSet;

use custodes_core::assessment::{missing_name, parse_missing};
use custodes_core::framework::{
    Answer, AnswerValue, LevelId, MissingState, NodeId, ValidFramework,
};

use crate::diagnostic::Diagnostic;

/// The columns of an answer file, in the order this crate writes them.
pub const COLUMNS: [&str; 6] = [
    "indicator",
    "level",
    "missing",
    "actor",
    "explanation",
    "sources",
];

/// A source named in an answer file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRef {
    /// What it is.
    pub title: String,
    /// Where it is (empty when offline).
    pub url: String,
}

/// One row of an answer file, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerRow {
    /// The line it starts on.
    pub line: usize,
    /// The answer.
    pub answer: Answer,
    /// The explanation.
    pub explanation: String,
    /// The name of the actor concerned.
    pub actor: Option<String>,
    /// The sources.
    pub sources: Vec<SourceRef>,
}

fn diag(
    file: &str,
    line: usize,
    column: usize,
    field: &str,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        line,
        column,
        field: field.to_owned(),
        message: message.into(),
    }
}

/// Reads a missing state by its stable name or abbreviation, in any case.
fn missing_state(s: &str) -> Option<MissingState> {
    let lower = s.trim().to_ascii_lowercase();
    parse_missing(&lower).or_else(|| {
        MissingState::ALL
            .into_iter()
            .find(|m| m.abbreviation().eq_ignore_ascii_case(&lower))
    })
}

/// Reads and checks an answer file against a framework. `known_actor` says whether an
/// actor's name is one the importer may name. Returns every row, or every problem.
pub fn read(
    file: &str,
    text: &str,
    framework: &ValidFramework,
    known_actor: impl Fn(&str) -> bool,
) -> Result<Vec<AnswerRow>, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![diag(
                file,
                1,
                1,
                "",
                format!("cannot read the header row: {e}"),
            )]);
        }
    };
    let mut problems = Vec::new();
    let mut index = [None; 6];
    for (i, h) in headers.iter().enumerate() {
        let name = h.trim().to_ascii_lowercase();
        match COLUMNS.iter().position(|c| *c == name) {
            Some(c) if index[c].is_some() => {
                problems.push(diag(file, 1, i + 1, &name, "this column appears twice"));
            }
            Some(c) => index[c] = Some(i),
            None => problems.push(diag(
                file,
                1,
                i + 1,
                h,
                format!("unknown column; the columns are {}", COLUMNS.join(", ")),
            )),
        }
    }
    if index[0].is_none() {
        problems.push(diag(
            file,
            1,
            1,
            "indicator",
            "the header row has no indicator column",
        ));
    }
    if index[1].is_none() && index[2].is_none() {
        problems.push(diag(
            file,
            1,
            1,
            "level",
            "the header row needs a level column, a missing column, or both",
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rows = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(diag(file, line, 1, "", format!("not valid CSV: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cell = |c: usize| restore(index[c].and_then(|i| record.get(i)).unwrap_or("").trim());
        let column = |c: usize| index[c].map_or(1, |i| i + 1);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut bad = |c: usize, message: String| {
            problems.push(diag(file, line, column(c), COLUMNS[c], message));
        };
        let indicator = cell(0);
        let choices = framework.choices(indicator);
        if indicator.is_empty() {
            bad(0, "no indicator given".into());
            continue;
        }
        if framework
            .node(indicator)
            .and_then(|n| n.as_indicator())
            .is_none()
        {
            bad(
                0,
                format!(
                    "{indicator} is not an indicator of {}",
                    framework.framework().name
                ),
            );
            continue;
        }
        if !seen.insert(indicator.to_owned()) {
            bad(0, format!("{indicator} is answered on an earlier row too"));
        }
        let (level, missing) = (cell(1), cell(2));
        let value = match (level.is_empty(), missing.is_empty()) {
            (false, false) => {
                bad(2, "give a level or a missing state, not both".into());
                None
            }
            (true, true) => {
                bad(1, "give a level or a missing state".into());
                None
            }
            (false, true) => {
                if choices.iter().any(|c| c.level.as_str() == level) {
                    Some(AnswerValue::Level(LevelId::from(level)))
                } else {
                    let levels: Vec<&str> = choices.iter().map(|c| c.level.as_str()).collect();
                    bad(
                        1,
                        format!(
                            "'{level}' is not a level of {indicator}; its levels are {}",
                            levels.join(", ")
                        ),
                    );
                    None
                }
            }
            (true, false) => match missing_state(missing) {
                Some(m) => Some(AnswerValue::Missing(m)),
                None => {
                    bad(
                        2,
                        format!(
                            "'{missing}' is not a missing state; use {}",
                            MissingState::ALL.map(missing_name).join(", ")
                        ),
                    );
                    None
                }
            },
        };
        let actor = cell(3);
        if !actor.is_empty() && !known_actor(actor) {
            bad(
                3,
                format!("there is no actor named '{actor}' in this sector map"),
            );
        }
        let mut sources = Vec::new();
        for entry in cell(5).split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let (title, url) = match entry.split_once('|') {
                Some((t, u)) => (t.trim(), u.trim()),
                None => (entry, ""),
            };
            if title.is_empty() {
                bad(5, format!("the source '{entry}' has no title"));
            } else if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://"))
            {
                bad(
                    5,
                    format!("the link '{url}' must start with https:// or http://"),
                );
            } else {
                sources.push(SourceRef {
                    title: title.to_owned(),
                    url: url.to_owned(),
                });
            }
        }
        if let Some(value) = value {
            rows.push(AnswerRow {
                line,
                answer: Answer {
                    node: NodeId::from(indicator),
                    value,
                },
                explanation: cell(4).to_owned(),
                actor: (!actor.is_empty()).then(|| actor.to_owned()),
                sources,
            });
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        problems.sort_by_key(|d| (d.line, d.column));
        Err(problems)
    }
}

/// A cell for a spreadsheet: a leading `=`, `+`, `-` or `@` would start a formula, so it
/// gets an apostrophe before it (which [`restore`] takes off again).
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The text of a cell [`defuse`] wrote.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => cell,
    }
}

/// Writes answers as an answer file that [`read`] reads back. Free text is defused
/// ([`defuse`]) so that a spreadsheet never runs it as a formula.
pub fn write_csv(rows: &[AnswerRow]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(COLUMNS);
    for r in rows {
        let (level, missing) = match &r.answer.value {
            AnswerValue::Level(l) => (l.as_str().to_owned(), String::new()),
            AnswerValue::Missing(m) => (String::new(), missing_name(*m).to_owned()),
        };
        let sources: Vec<String> = r
            .sources
            .iter()
            .map(|s| {
                if s.url.is_empty() {
                    s.title.clone()
                } else {
                    format!("{} | {}", s.title, s.url)
                }
            })
            .collect();
        let _ = w.write_record([
            r.answer.node.as_str(),
            &level,
            &missing,
            &defuse(r.actor.as_deref().unwrap_or("")),
            &defuse(&r.explanation),
            &defuse(&sources.join(" ; ")),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
