//! Helpers shared by the framework tests: one `check` that scores answers and compares a
//! plain-text rendering of every group's score with the expected text.

// Each test file uses a part of these helpers; the rest is dead code in its binary.
#![allow(dead_code)]

use custodes_core::framework::{
    Answer, Framework, MissingState, NodeKind, Scores, ValidFramework, score,
};

/// Checks the framework, scores the answers, and compares the groups' scores, one line
/// per group in the framework's order, with `expected` (surrounding blank space ignored).
/// The answers must raise no problem.
pub fn check(framework: &ValidFramework, answers: &[Answer], expected: &str) {
    let scores = score(framework, answers);
    assert_eq!(scores.problems, [], "the answers raised problems");
    let got = render(framework.framework(), &scores);
    let want: Vec<&str> = expected
        .trim()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(got, want.join("\n"), "\n--- got ---\n{got}\n");
}

/// Validates a framework, failing the test with the problems if it is not valid.
pub fn valid(framework: Framework) -> ValidFramework {
    ValidFramework::new(framework).unwrap_or_else(|problems| {
        panic!("the test framework is invalid: {problems:#?}");
    })
}

/// One line per group: `ID: VALUE → DISPLAYED band BAND; A/N answered, NA x, …`, or
/// `ID: grade G; …`, or `ID: no score; …`, with ` rank R` when the parent ranks it.
pub fn render(framework: &Framework, scores: &Scores) -> String {
    let mut lines = Vec::new();
    for node in &framework.nodes {
        if matches!(node.kind, NodeKind::Indicator(_)) {
            continue;
        }
        let s = &scores.nodes[&node.id];
        let mut line = format!("{}: ", node.id);
        match (&s.value, &s.displayed, &s.grade) {
            (Some(v), Some(d), _) if v == d => line += &v.to_string(),
            (Some(v), Some(d), _) => line += &format!("{v} → {d}"),
            (_, _, Some(g)) => line += &format!("grade {g}"),
            _ => line += "no score",
        }
        if let Some(band) = &s.band {
            line += &format!(" band {band}");
        }
        let c = s.coverage;
        line += &format!("; {}/{} answered", c.answered, c.indicators);
        for state in MissingState::ALL {
            if c.missing(state) > 0 {
                line += &format!(", {state} {}", c.missing(state));
            }
        }
        if c.unanswered > 0 {
            line += &format!(", unanswered {}", c.unanswered);
        }
        if let Some(rank) = s.rank {
            line += &format!(", rank {rank}");
        }
        lines.push(line);
    }
    lines.join("\n")
}
