//! Transparency International's Government Defence Integrity Index, declared as data and
//! scored by the general engine, against results computed by hand.
//!
//! From the public methodology: each indicator is scored 0, 25, 50, 75 or 100; indicators
//! marked not applicable, not enough information or not scored are left out; a question
//! is the plain mean of its indicators; scores are aggregated without weighting into risk
//! areas and an overall score; scores are published as whole numbers and fall into bands
//! A 83–100, B 67–82, C 50–66, D 33–49, E 17–32 and F 0–16. The overall score is declared
//! here as the mean of all question scores ("the percentage of marks overall"), and
//! `the_overall_can_instead_be_the_mean_of_risk_areas` shows the other reading.

mod common;

use common::{check, render, valid};
use custodes_core::framework::{
    Aggregation, Answer, Bands, Characteristic, DeficitSource, Framework, MissingState, Node,
    NodeKind, RankOrder, Ranking, ReformField, Rounding, Scale, Standing, ValueBasis, score,
};
use custodes_core::sector::ActorKind;
use rstest::rstest;

fn bands() -> Bands {
    Bands::new(
        ValueBasis::Displayed,
        &[
            ("A", 83),
            ("B", 67),
            ("C", 50),
            ("D", 33),
            ("E", 17),
            ("F", 0),
        ],
    )
}

fn group(id: &str, parent: Option<&str>, aggregation: Aggregation) -> Node {
    Node::group(id, parent, aggregation)
        .with_rounding(Rounding::half_up(0))
        .with_bands(bands())
}

/// A small GDI: two risk areas, four questions, eleven indicators.
fn gdi() -> Framework {
    let mut q1a = Node::indicator("Q1a", Some("Q1"), "gdi");
    if let NodeKind::Indicator(i) = &mut q1a.kind {
        i.question =
            "Is there formal provision for effective legislative scrutiny of defence policy?"
                .into();
        i.guidance = "Look for the law that gives the committee its powers.".into();
        i.tags.characteristics = vec![Characteristic::Accountability];
        i.tags.deficit_sources = vec![DeficitSource::IrrelevantControl];
        i.tags.standing = Some(Standing::DeJure);
        i.tags.actor_kinds = vec![ActorKind::ParliamentaryCommittee];
        i.tags.reform_fields = vec![ReformField::CivilDemocraticControl];
    }
    Framework {
        id: "ti-gdi".into(),
        version: "2020".into(),
        name: "Government Defence Integrity Index".into(),
        reviewers: 1,
        scales: vec![Scale::numeric(
            "gdi",
            &[("0", 0), ("25", 25), ("50", 50), ("75", 75), ("100", 100)],
        )],
        nodes: vec![
            group("GDI", None, Aggregation::PooledMean { depth: 2 }).with_ranking(Ranking {
                basis: ValueBasis::Unrounded,
                order: RankOrder::HighestFirst,
            }),
            group("political", Some("GDI"), Aggregation::Mean),
            group("Q1", Some("political"), Aggregation::Mean),
            q1a,
            Node::indicator("Q1b", Some("Q1"), "gdi"),
            Node::indicator("Q1c", Some("Q1"), "gdi"),
            group("Q2", Some("political"), Aggregation::Mean),
            Node::indicator("Q2a", Some("Q2"), "gdi"),
            Node::indicator("Q2b", Some("Q2"), "gdi"),
            group("financial", Some("GDI"), Aggregation::Mean),
            group("Q3", Some("financial"), Aggregation::Mean),
            Node::indicator("Q3a", Some("Q3"), "gdi"),
            Node::indicator("Q3b", Some("Q3"), "gdi"),
            group("Q4", Some("financial"), Aggregation::Mean),
            Node::indicator("Q4a", Some("Q4"), "gdi"),
            Node::indicator("Q4b", Some("Q4"), "gdi"),
            Node::indicator("Q4c", Some("Q4"), "gdi"),
            Node::indicator("Q4d", Some("Q4"), "gdi"),
        ],
    }
}

/// Answers from `(indicator, answer)` pairs; `NA`, `NEI` and `NS` are missing states.
fn answers(pairs: &[(&str, &str)]) -> Vec<Answer> {
    pairs
        .iter()
        .map(|(node, given)| match *given {
            "NA" => Answer::missing(node, MissingState::NotApplicable),
            "NEI" => Answer::missing(node, MissingState::NotEnoughInformation),
            "NS" => Answer::missing(node, MissingState::NotScored),
            level => Answer::level(node, level),
        })
        .collect()
}

#[rstest]
// The brief's example is Q1: 100, 25 and NEI give 62.5, published as 63, band C. Q2 is
// wholly missing and drops out of the risk area. The overall score pools the three
// scored questions: (62.5 + 62.5 + 81.25) / 3 = 68.75.
#[case::partly_missing(
    &[
        ("Q1a", "100"), ("Q1b", "25"), ("Q1c", "NEI"),
        ("Q2a", "NA"), ("Q2b", "NS"),
        ("Q3a", "50"), ("Q3b", "75"),
        ("Q4a", "100"), ("Q4b", "100"), ("Q4c", "75"), ("Q4d", "50"),
    ],
    "GDI: 68.75 → 69 band B; 8/11 answered, NA 1, NEI 1, NS 1
     political: 62.5 → 63 band C; 2/5 answered, NA 1, NEI 1, NS 1, rank 2
     Q1: 62.5 → 63 band C; 2/3 answered, NEI 1
     Q2: no score; 0/2 answered, NA 1, NS 1
     financial: 71.875 → 72 band B; 6/6 answered, rank 1
     Q3: 62.5 → 63 band C; 2/2 answered
     Q4: 81.25 → 81 band B; 4/4 answered"
)]
// Nothing scored: no node has a score, coverage is zero, and nothing is ranked.
#[case::all_missing(
    &[
        ("Q1a", "NEI"), ("Q1b", "NEI"), ("Q1c", "NEI"),
        ("Q2a", "NEI"), ("Q2b", "NEI"),
        ("Q3a", "NEI"), ("Q3b", "NEI"),
    ],
    "GDI: no score; 0/11 answered, NEI 7, unanswered 4
     political: no score; 0/5 answered, NEI 5
     Q1: no score; 0/3 answered, NEI 3
     Q2: no score; 0/2 answered, NEI 2
     financial: no score; 0/6 answered, NEI 2, unanswered 4
     Q3: no score; 0/2 answered, NEI 2
     Q4: no score; 0/4 answered, unanswered 4"
)]
// Rounding: 37.5 goes up to 38 and 12.5 to 13; 200/3 (66.67) is published as 67 and,
// cut on the published value, is band B. Political is (200/3 + 37.5) / 2 = 625/12
// (52.08); financial (12.5 + 93.75) / 2 = 53.125; overall (200/3 + 37.5 + 12.5 +
// 93.75) / 4 = 2525/48 (52.60).
#[case::rounding_and_thirds(
    &[
        ("Q1a", "100"), ("Q1b", "75"), ("Q1c", "25"),
        ("Q2a", "50"), ("Q2b", "25"),
        ("Q3a", "0"), ("Q3b", "25"),
        ("Q4a", "100"), ("Q4b", "100"), ("Q4c", "100"), ("Q4d", "75"),
    ],
    "GDI: 2525/48 → 53 band C; 11/11 answered
     political: 625/12 → 52 band C; 5/5 answered, rank 2
     Q1: 200/3 → 67 band B; 3/3 answered
     Q2: 37.5 → 38 band D; 2/2 answered
     financial: 53.125 → 53 band C; 6/6 answered, rank 1
     Q3: 12.5 → 13 band F; 2/2 answered
     Q4: 93.75 → 94 band A; 4/4 answered"
)]
// Equal risk areas share the first place.
#[case::tied_risk_areas(
    &[
        ("Q1a", "100"), ("Q1b", "25"), ("Q1c", "NEI"),
        ("Q2a", "NA"), ("Q2b", "NA"),
        ("Q3a", "50"), ("Q3b", "50"),
        ("Q4a", "100"), ("Q4b", "50"), ("Q4c", "75"), ("Q4d", "75"),
    ],
    "GDI: 62.5 → 63 band C; 8/11 answered, NA 2, NEI 1
     political: 62.5 → 63 band C; 2/5 answered, NA 2, NEI 1, rank 1
     Q1: 62.5 → 63 band C; 2/3 answered, NEI 1
     Q2: no score; 0/2 answered, NA 2
     financial: 62.5 → 63 band C; 6/6 answered, rank 1
     Q3: 50 band C; 2/2 answered
     Q4: 75 band B; 4/4 answered"
)]
fn gdi_scores(#[case] given: &[(&str, &str)], #[case] expected: &str) {
    check(&valid(gdi()), &answers(given), expected);
}

#[test]
fn the_overall_can_instead_be_the_mean_of_risk_areas() {
    // The same answers as `partly_missing`, with the overall declared as the mean of the
    // risk areas: (62.5 + 71.875) / 2 = 67.1875, published as 67.
    let mut framework = gdi();
    if let NodeKind::Group(g) = &mut framework.nodes[0].kind {
        g.aggregation = Aggregation::Mean;
    }
    let framework = valid(framework);
    let given = answers(&[
        ("Q1a", "100"),
        ("Q1b", "25"),
        ("Q1c", "NEI"),
        ("Q3a", "50"),
        ("Q3b", "75"),
        ("Q4a", "100"),
        ("Q4b", "100"),
        ("Q4c", "75"),
        ("Q4d", "50"),
    ]);
    let scores = score(&framework, &given);
    let gdi = &scores.nodes["GDI"];
    assert_eq!(gdi.value, Some("67.1875".parse().unwrap()));
    assert_eq!(gdi.displayed, Some(67.into()));
    assert_eq!(gdi.band.as_deref(), Some("B"));
}

#[test]
fn bands_cut_on_the_exact_value_when_declared_so() {
    // 100, 75 and 25 give 200/3: published as 67, band B on the published value, but
    // below 67 and so band C when the framework cuts bands on the exact value.
    let mut framework = gdi();
    for node in &mut framework.nodes {
        if let NodeKind::Group(g) = &mut node.kind
            && let Some(bands) = &mut g.bands
        {
            bands.basis = ValueBasis::Unrounded;
        }
    }
    let framework = valid(framework);
    let scores = score(
        &framework,
        &answers(&[("Q1a", "100"), ("Q1b", "75"), ("Q1c", "25")]),
    );
    let q1 = &scores.nodes["Q1"];
    assert_eq!(q1.displayed, Some(67.into()));
    assert_eq!(q1.band.as_deref(), Some("C"));
}

#[test]
fn indicators_report_their_own_answers() {
    let framework = valid(gdi());
    let scores = score(&framework, &answers(&[("Q1a", "75"), ("Q1b", "NEI")]));
    assert_eq!(scores.nodes["Q1a"].value, Some(75.into()));
    assert_eq!(scores.nodes["Q1a"].coverage.answered, 1);
    assert_eq!(
        scores.nodes["Q1b"].missing,
        Some(MissingState::NotEnoughInformation)
    );
    assert_eq!(scores.nodes["Q1b"].value, None);
    assert_eq!(scores.nodes["Q1c"].coverage.unanswered, 1);
    // The rendering used by the case table shows groups only.
    assert!(!render(framework.framework(), &scores).contains("Q1a"));
}
