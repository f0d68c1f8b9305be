//! Answer files: the demo's two cycles read cleanly, every bad row is reported with its
//! line, column and field, and what is written reads back the same.

use custodes_core::framework::{AnswerValue, MissingState, ValidFramework};
use custodes_formats::answers::{self, AnswerRow};
use custodes_formats::builtin::FRAMEWORKS;

fn iss() -> ValidFramework {
    let b = FRAMEWORKS[0];
    custodes_formats::framework::read(b.file, b.text).unwrap()
}

const DEMO: [(&str, &str); 2] = [
    (
        "assessment-2024.csv",
        include_str!("../../custodes-cli/demo/assessment-2024.csv"),
    ),
    (
        "assessment-2026.csv",
        include_str!("../../custodes-cli/demo/assessment-2026.csv"),
    ),
];

#[test]
fn the_demo_cycles_answer_every_indicator() {
    let f = iss();
    let total = f.indicators().count();
    for (file, text) in DEMO {
        let rows = answers::read(file, text, &f, |_| true).unwrap_or_else(|d| {
            panic!(
                "{}",
                d.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        assert_eq!(rows.len(), total, "{file}");
        assert!(rows.iter().all(|r| !r.explanation.is_empty()), "{file}");
        assert!(rows.iter().any(|r| !r.sources.is_empty()), "{file}");
    }
}

#[test]
fn every_bad_row_is_reported_with_its_line_and_nothing_is_returned() {
    let text = "indicator,level,missing,actor,explanation\n\
                c1.1,2,,,fine\n\
                c9.9,1,,,no such indicator\n\
                c1.2,7,,,no such level\n\
                c1.3,,maybe,,no such state\n\
                c1.4,1,NEI,,both\n\
                c1.1,3,,,twice\n\
                c1.5,,,Nobody,neither and unknown actor\n\
                c2.1,,nei,,abbreviation is fine\n";
    let d = answers::read("answers.csv", text, &iss(), |name| {
        name == "Ministry of Defence"
    })
    .unwrap_err();
    let got: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        vec![
            "answers.csv:3:1: indicator: c9.9 is not an indicator of Ideal Security Sector",
            "answers.csv:4:2: level: '7' is not a level of c1.2; its levels are 0, 1, 2, 3, 4",
            "answers.csv:5:3: missing: 'maybe' is not a missing state; use not_applicable, not_enough_information, not_scored",
            "answers.csv:6:3: missing: give a level or a missing state, not both",
            "answers.csv:7:1: indicator: c1.1 is answered on an earlier row too",
            "answers.csv:8:2: level: give a level or a missing state",
            "answers.csv:8:4: actor: there is no actor named 'Nobody' in this sector map",
        ]
    );
}

#[test]
fn a_bad_header_is_reported_before_any_row() {
    let d = answers::read("a.csv", "indicator,score\nc1.1,2\n", &iss(), |_| true).unwrap_err();
    let got: Vec<String> = d.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        vec![
            "a.csv:1:2: score: unknown column; the columns are indicator, level, missing, actor, explanation, sources",
            "a.csv:1:1: level: the header row needs a level column, a missing column, or both",
        ]
    );
}

#[test]
fn written_answers_read_back_the_same() {
    let f = iss();
    let rows = answers::read(DEMO[1].0, DEMO[1].1, &f, |_| true).unwrap();
    let text = answers::write_csv(&rows);
    let again = answers::read("again.csv", &text, &f, |_| true).unwrap();
    let strip = |r: &[AnswerRow]| {
        r.iter()
            .map(|x| {
                (
                    x.answer.clone(),
                    x.explanation.clone(),
                    x.actor.clone(),
                    x.sources.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&rows), strip(&again));
    assert!(
        again
            .iter()
            .any(|r| r.answer.value == AnswerValue::Missing(MissingState::NotEnoughInformation))
    );
}

#[test]
fn formulas_are_defused_and_read_back() {
    let f = iss();
    let text = "indicator,level,explanation\nc1.1,1,\"=HYPERLINK(\"\"x\"\")\"\n";
    let rows = answers::read("f.csv", text, &f, |_| true).unwrap();
    let written = answers::write_csv(&rows);
    assert!(written.contains("'=HYPERLINK"), "{written}");
    let again = answers::read("g.csv", &written, &f, |_| true).unwrap();
    assert_eq!(again[0].explanation, "=HYPERLINK(\"x\")");
}
