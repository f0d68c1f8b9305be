//! The International Budget Partnership's Open Budget Survey, declared as data and scored
//! by the general engine, against results computed by hand.
//!
//! From the public methodology: answers a, b, c and d score 100, 67, 33 and 0; answer e
//! (not applicable) is left out; a group's score is the plain mean of its answers; the
//! Open Budget Index is the plain mean of all scored answers (not of the groups' means);
//! scores are published rounded half-up to whole numbers; and the categories are cut on
//! the published score: extensive 81–100, substantial 61–80, limited 41–60, minimal 21–40,
//! scant or none 0–20.

mod common;

use common::{check, valid};
use custodes_core::framework::{
    Aggregation, Answer, Bands, Framework, MissingState, Node, Rounding, Scale, ValueBasis,
};
use rstest::rstest;

fn group(id: &str, parent: Option<&str>, aggregation: Aggregation) -> Node {
    Node::group(id, parent, aggregation)
        .with_rounding(Rounding::half_up(0))
        .with_bands(Bands::new(
            ValueBasis::Displayed,
            &[
                ("extensive", 81),
                ("substantial", 61),
                ("limited", 41),
                ("minimal", 21),
                ("scant", 0),
            ],
        ))
}

/// A small survey: three budget documents, ten questions.
fn obs() -> Framework {
    let mut nodes = vec![
        group("OBI", None, Aggregation::PooledMean { depth: 2 }),
        group("pre-budget", Some("OBI"), Aggregation::Mean),
    ];
    let questions = |nodes: &mut Vec<Node>, parent: &str, ids: std::ops::RangeInclusive<u32>| {
        for i in ids {
            nodes.push(Node::indicator(&format!("q{i}"), Some(parent), "abcde"));
        }
    };
    questions(&mut nodes, "pre-budget", 1..=3);
    nodes.push(group("proposal", Some("OBI"), Aggregation::Mean));
    questions(&mut nodes, "proposal", 4..=8);
    nodes.push(group("audit", Some("OBI"), Aggregation::Mean));
    questions(&mut nodes, "audit", 9..=10);
    Framework {
        id: "ibp-obs".into(),
        version: "2023".into(),
        name: "Open Budget Survey".into(),
        reviewers: 1,
        scales: vec![
            Scale::numeric("abcde", &[("a", 100), ("b", 67), ("c", 33), ("d", 0)])
                .with_missing("e", MissingState::NotApplicable),
        ],
        nodes,
    }
}

/// Answers q1, q2, … in order; `-` leaves a question unanswered.
fn answers(letters: &str) -> Vec<Answer> {
    letters
        .split_whitespace()
        .enumerate()
        .filter(|(_, letter)| *letter != "-")
        .map(|(i, letter)| Answer::level(&format!("q{}", i + 1), letter))
        .collect()
}

#[rstest]
// Seven answers, 566 / 7 = 80.86, published as 81 and so extensive; the exact value would
// be substantial. The proposal's 66.5 goes up to 67. The mean of the groups' means would
// be 88.83: the index pools the answers instead.
#[case::cut_on_the_published_score(
    "a a e  a a c c e  a e",
    "OBI: 566/7 → 81 band extensive; 7/10 answered, NA 3
     pre-budget: 100 band extensive; 2/3 answered, NA 1
     proposal: 66.5 → 67 band substantial; 4/5 answered, NA 1
     audit: 100 band extensive; 1/2 answered, NA 1"
)]
// Every answer counts: 400 / 10 = 40, minimal; the proposal's 20 is scant, the edge of
// minimal being 21.
#[case::all_answered(
    "a b c  d d d c b  b c",
    "OBI: 40 band minimal; 10/10 answered
     pre-budget: 200/3 → 67 band substantial; 3/3 answered
     proposal: 20 band scant; 5/5 answered
     audit: 50 band limited; 2/2 answered"
)]
// 366 / 9 = 40.67, published as 41 and so limited.
#[case::just_limited(
    "a a a  c c d d d  d e",
    "OBI: 122/3 → 41 band limited; 9/10 answered, NA 1
     pre-budget: 100 band extensive; 3/3 answered
     proposal: 13.2 → 13 band scant; 5/5 answered
     audit: 0 band scant; 1/2 answered, NA 1"
)]
// Halves go up: 83.5 → 84, 16.5 → 17, 33.5 → 34, and the index 267 / 6 = 44.5 → 45.
#[case::halves_go_up(
    "a b e  c d e e e  b d",
    "OBI: 44.5 → 45 band limited; 6/10 answered, NA 4
     pre-budget: 83.5 → 84 band extensive; 2/3 answered, NA 1
     proposal: 16.5 → 17 band scant; 2/5 answered, NA 3
     audit: 33.5 → 34 band minimal; 2/2 answered"
)]
// Nothing scored: no score anywhere, and coverage tells not applicable from unanswered.
#[case::nothing_scored(
    "e e e  e e - - -  - -",
    "OBI: no score; 0/10 answered, NA 5, unanswered 5
     pre-budget: no score; 0/3 answered, NA 3
     proposal: no score; 0/5 answered, NA 2, unanswered 3
     audit: no score; 0/2 answered, unanswered 2"
)]
fn obs_scores(#[case] letters: &str, #[case] expected: &str) {
    check(&valid(obs()), &answers(letters), expected);
}
