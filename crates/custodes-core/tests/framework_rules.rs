//! The scoring rules one by one on small frameworks, and validation: every problem found,
//! each named, never a panic.

mod common;

use common::{check, valid};
use custodes_core::framework::{
    Aggregation, Answer, Bands, Framework, LookupRow, MissingState, Node, Number, Problem,
    RankOrder, Ranking, Rounding, Scale, ScaleKind, ValidFramework, ValueBasis, score,
    validate_answers,
};
use rstest::rstest;

fn n(text: &str) -> Number {
    text.parse().unwrap()
}

fn framework(scales: Vec<Scale>, nodes: Vec<Node>) -> Framework {
    Framework {
        id: "test".into(),
        version: "1".into(),
        name: "Test".into(),
        reviewers: 1,
        scales,
        nodes,
    }
}

/// A numeric scale whose levels are named after their decimal values.
fn decimal_scale(id: &str, values: &[&str]) -> Scale {
    let mut scale = Scale::numeric(id, &[]);
    if let ScaleKind::Numeric { levels } = &mut scale.kind {
        for value in values {
            levels.push(custodes_core::framework::NumericLevel {
                id: (*value).into(),
                value: n(value),
                descriptor: String::new(),
            });
        }
    }
    scale
}

fn pct() -> Scale {
    Scale::numeric(
        "pct",
        &[("0", 0), ("25", 25), ("50", 50), ("75", 75), ("100", 100)],
    )
}

// ---- Aggregation rules ----

#[rstest]
#[case::mean(Aggregation::Mean, "root: 50; 2/3 answered, NA 1")]
#[case::weighted_mean(Aggregation::WeightedMean, "root: 75; 2/3 answered, NA 1")]
#[case::minimum(Aggregation::Minimum, "root: 0; 2/3 answered, NA 1")]
#[case::sum_of_maximum(Aggregation::SumOfMaximum, "root: 50; 2/3 answered, NA 1")]
fn numeric_rules_leave_missing_children_out(#[case] rule: Aggregation, #[case] expected: &str) {
    // x = 100 (weight 3), y = 0 (weight 1), z not applicable (weight 5, ignored).
    let f = valid(framework(
        vec![pct()],
        vec![
            Node::group("root", None, rule),
            Node::indicator("x", Some("root"), "pct").with_weight(n("3")),
            Node::indicator("y", Some("root"), "pct"),
            Node::indicator("z", Some("root"), "pct").with_weight(n("5")),
        ],
    ));
    let answers = [
        Answer::level("x", "100"),
        Answer::level("y", "0"),
        Answer::missing("z", MissingState::NotApplicable),
    ];
    check(&f, &answers, expected);
}

#[test]
fn sum_of_maximum_counts_each_scale_and_leaves_missing_out_of_the_maximum() {
    // 3 of 4 and 1 of 2, with a not-applicable 0–10 indicator: 4 of 6 is 200/3 percent.
    let f = valid(framework(
        vec![
            Scale::numeric("four", &[("0", 0), ("1", 1), ("2", 2), ("3", 3), ("4", 4)]),
            Scale::numeric("two", &[("0", 0), ("1", 1), ("2", 2)]),
            Scale::numeric("ten", &[("0", 0), ("10", 10)]),
        ],
        vec![
            Node::group("root", None, Aggregation::SumOfMaximum)
                .with_rounding(Rounding::half_up(1)),
            Node::indicator("a", Some("root"), "four"),
            Node::indicator("b", Some("root"), "two"),
            Node::indicator("c", Some("root"), "ten"),
        ],
    ));
    check(
        &f,
        &[
            Answer::level("a", "3"),
            Answer::level("b", "1"),
            Answer::missing("c", MissingState::NotApplicable),
        ],
        "root: 200/3 → 66.7; 2/3 answered, NA 1",
    );
}

#[test]
fn a_sum_of_maximum_over_groups_uses_their_maxima() {
    // Group g averages two 0–4 indicators (maximum 4); h is one 0–2 indicator. g = 3,
    // h = 1: 4 of 6.
    let f = valid(framework(
        vec![
            Scale::numeric("four", &[("0", 0), ("2", 2), ("4", 4)]),
            Scale::numeric("two", &[("0", 0), ("1", 1), ("2", 2)]),
        ],
        vec![
            Node::group("root", None, Aggregation::SumOfMaximum),
            Node::group("g", Some("root"), Aggregation::Mean),
            Node::indicator("g1", Some("g"), "four"),
            Node::indicator("g2", Some("g"), "four"),
            Node::indicator("h", Some("root"), "two"),
        ],
    ));
    check(
        &f,
        &[
            Answer::level("g1", "4"),
            Answer::level("g2", "2"),
            Answer::level("h", "1"),
        ],
        "root: 200/3; 3/3 answered
         g: 3; 2/2 answered",
    );
}

#[rstest]
#[case::half_up_at_two(Rounding::half_up(2), "2.675 → 2.68")]
#[case::truncate_at_two(Rounding::truncate(2), "2.675 → 2.67")]
#[case::half_up_at_zero(Rounding::half_up(0), "2.675 → 3")]
#[case::truncate_at_zero(Rounding::truncate(0), "2.675 → 2")]
fn rounding_follows_the_declared_rule_on_the_exact_mean(
    #[case] rounding: Rounding,
    #[case] shown: &str,
) {
    // The mean of 2.67 and 2.68 is exactly 2.675: a tie at two decimals, which binary
    // floating point would store as 2.67499… and round down.
    let f = valid(framework(
        vec![decimal_scale("fine", &["2.67", "2.68"])],
        vec![
            Node::group("root", None, Aggregation::Mean).with_rounding(rounding),
            Node::indicator("a", Some("root"), "fine"),
            Node::indicator("b", Some("root"), "fine"),
        ],
    ));
    check(
        &f,
        &[Answer::level("a", "2.67"), Answer::level("b", "2.68")],
        &format!("root: {shown}; 2/2 answered"),
    );
}

/// Three groups scoring 62.5, 62.6 and 63.4: all published as 63; their mean is 377/6.
fn ranked(basis: ValueBasis, parent_uses_displayed: bool) -> (ValidFramework, Vec<Answer>) {
    let child = |id: &str| {
        let node =
            Node::group(id, Some("root"), Aggregation::Mean).with_rounding(Rounding::half_up(0));
        if parent_uses_displayed {
            node.passing_displayed()
        } else {
            node
        }
    };
    let f = valid(framework(
        vec![decimal_scale("fine", &["62.5", "62.6", "63.4"])],
        vec![
            Node::group("root", None, Aggregation::Mean).with_ranking(Ranking {
                basis,
                order: RankOrder::HighestFirst,
            }),
            child("x"),
            Node::indicator("x1", Some("x"), "fine"),
            child("y"),
            Node::indicator("y1", Some("y"), "fine"),
            child("z"),
            Node::indicator("z1", Some("z"), "fine"),
        ],
    ));
    let answers = vec![
        Answer::level("x1", "62.5"),
        Answer::level("y1", "62.6"),
        Answer::level("z1", "63.4"),
    ];
    (f, answers)
}

#[test]
fn ranks_on_exact_values_separate_what_publication_ties() {
    let (f, answers) = ranked(ValueBasis::Unrounded, false);
    check(
        &f,
        &answers,
        "root: 377/6; 3/3 answered
         x: 62.5 → 63; 1/1 answered, rank 3
         y: 62.6 → 63; 1/1 answered, rank 2
         z: 63.4 → 63; 1/1 answered, rank 1",
    );
}

#[test]
fn ranks_on_published_values_tie() {
    let (f, answers) = ranked(ValueBasis::Displayed, false);
    check(
        &f,
        &answers,
        "root: 377/6; 3/3 answered
         x: 62.5 → 63; 1/1 answered, rank 1
         y: 62.6 → 63; 1/1 answered, rank 1
         z: 63.4 → 63; 1/1 answered, rank 1",
    );
}

#[test]
fn a_parent_may_combine_its_childrens_published_values() {
    // Each child hands up 63, so the parent's mean is 63, not 377/6 (62.83).
    let (f, answers) = ranked(ValueBasis::Unrounded, true);
    check(
        &f,
        &answers,
        "root: 63; 3/3 answered
         x: 62.5 → 63; 1/1 answered, rank 3
         y: 62.6 → 63; 1/1 answered, rank 2
         z: 63.4 → 63; 1/1 answered, rank 1",
    );
}

#[test]
fn a_pooled_mean_reaches_indicators_above_its_depth() {
    // The root pools two levels down: g's two indicators and the lone indicator c that
    // sits directly under the root: (100 + 50 + 0) / 3 = 50, where the mean of g (75) and
    // c (0) would be 37.5.
    let f = valid(framework(
        vec![pct()],
        vec![
            Node::group("root", None, Aggregation::PooledMean { depth: 2 }),
            Node::group("g", Some("root"), Aggregation::Mean),
            Node::indicator("a", Some("g"), "pct"),
            Node::indicator("b", Some("g"), "pct"),
            Node::indicator("c", Some("root"), "pct"),
        ],
    ));
    check(
        &f,
        &[
            Answer::level("a", "100"),
            Answer::level("b", "50"),
            Answer::level("c", "0"),
        ],
        "root: 50; 3/3 answered
         g: 75; 2/2 answered",
    );
}

#[test]
fn a_grade_rule_can_feed_another_grade_rule() {
    // Two M1 indicators under a lookup whose table covers the raised grades too.
    let scale = Scale::ordinal("g", &["A", "B"], Some("+"));
    let grades = ["A", "B+", "B"];
    let mut rows: Vec<LookupRow> = grades.iter().map(|g| LookupRow::new(&[g], g)).collect();
    for (i, x) in grades.iter().enumerate() {
        for y in &grades[i..] {
            rows.push(LookupRow::new(&[x, y], if x == y { x } else { "B+" }));
        }
    }
    let weakest = |id: &str| {
        Node::group(
            id,
            Some("root"),
            Aggregation::WeakestLink {
                scale: "g".into(),
                modify_when_others_higher: true,
            },
        )
    };
    let f = valid(framework(
        vec![scale],
        vec![
            Node::group(
                "root",
                None,
                Aggregation::Lookup {
                    scale: "g".into(),
                    rows,
                },
            ),
            weakest("p"),
            Node::indicator("p1", Some("p"), "g"),
            Node::indicator("p2", Some("p"), "g"),
            weakest("q"),
            Node::indicator("q1", Some("q"), "g"),
        ],
    ));
    check(
        &f,
        &[
            Answer::level("p1", "A"),
            Answer::level("p2", "B"),
            Answer::level("q1", "A"),
        ],
        "root: grade B+; 3/3 answered
         p: grade B+; 2/2 answered
         q: grade A; 1/1 answered",
    );
}

// ---- Answers ----

#[test]
fn bad_answers_are_reported_and_ignored() {
    let f = valid(framework(
        vec![pct().with_missing("n/a", MissingState::NotApplicable)],
        vec![
            Node::group("root", None, Aggregation::Mean),
            Node::indicator("a", Some("root"), "pct"),
            Node::indicator("b", Some("root"), "pct"),
        ],
    ));
    let answers = [
        Answer::level("a", "50"),
        Answer::level("a", "100"),
        Answer::level("b", "60"),
        Answer::level("root", "50"),
        Answer::level("ghost", "50"),
    ];
    let expected = [
        Problem::DuplicateAnswer("a".into()),
        Problem::UnknownLevel {
            node: "b".into(),
            level: "60".into(),
            scale: "pct".into(),
        },
        Problem::AnswerToGroup("root".into()),
        Problem::UnknownNode("ghost".into()),
    ];
    assert_eq!(validate_answers(&f, &answers), expected);
    let scores = score(&f, &answers);
    assert_eq!(scores.problems, expected);
    // The first answer to `a` counts; `b` is unanswered.
    assert_eq!(scores.nodes["root"].value, Some(n("50")));
    assert_eq!(scores.nodes["root"].coverage.unanswered, 1);
    assert_eq!(
        expected.map(|p| p.to_string()),
        [
            "indicator a is answered more than once; the first answer counts",
            "indicator b is answered 60, which scale pct lacks",
            "an answer names group root; only indicators are answered",
            "an answer names node ghost, which does not exist",
        ]
    );
    // A missing state can also be a level of the scale.
    let scores = score(&f, &[Answer::level("a", "n/a")]);
    assert_eq!(scores.nodes["a"].missing, Some(MissingState::NotApplicable));
}

#[test]
fn a_score_too_fine_to_compute_exactly_is_reported_not_wrong() {
    // Four levels with huge coprime denominators: their mean needs a denominator beyond
    // the range of exact numbers.
    let mut scale = Scale::numeric("odd", &[]);
    if let ScaleKind::Numeric { levels } = &mut scale.kind {
        for (i, den) in (1_000_000_000_001i128..1_000_000_000_005).enumerate() {
            levels.push(custodes_core::framework::NumericLevel {
                id: format!("l{i}").into(),
                value: Number::new(1, den).unwrap(),
                descriptor: String::new(),
            });
        }
    }
    let mut nodes = vec![Node::group("root", None, Aggregation::Mean)];
    for i in 0..4 {
        nodes.push(Node::indicator(&format!("i{i}"), Some("root"), "odd"));
    }
    let f = valid(framework(vec![scale], nodes));
    let answers: Vec<Answer> = (0..4)
        .map(|i| Answer::level(&format!("i{i}"), &format!("l{i}")))
        .collect();
    let scores = score(&f, &answers);
    assert_eq!(scores.problems, [Problem::Overflow("root".into())]);
    assert_eq!(scores.nodes["root"].value, None);
    assert_eq!(scores.nodes["root"].coverage.answered, 4);
}

// ---- Validation ----

fn problems(framework: Framework) -> Vec<String> {
    framework.validate().iter().map(|p| p.to_string()).collect()
}

#[test]
fn a_broken_tree_reports_every_problem() {
    let f = Framework {
        id: "".into(),
        version: "1".into(),
        name: String::new(),
        reviewers: 1,
        scales: vec![
            pct(),
            pct(),
            Scale::numeric("empty", &[]),
            Scale::numeric("twice", &[("a", 1), ("a", 2)]),
        ],
        nodes: vec![
            Node::group("root", None, Aggregation::Mean),
            Node::indicator("a", Some("root"), "pct"),
            Node::indicator("a", Some("root"), "pct"),
            Node::indicator("b", Some("nowhere"), "pct"),
            Node::indicator("c", Some("a"), "nope").with_weight(n("-1")),
            Node::group("x", Some("y"), Aggregation::Mean),
            Node::group("y", Some("x"), Aggregation::Mean),
        ],
    };
    assert_eq!(
        problems(f),
        [
            "the framework needs an id and a version",
            "scale pct is declared more than once",
            "scale empty has no scored levels",
            "scale twice declares level a more than once",
            "node a is declared more than once",
            "node c has a negative weight",
            "node c uses scale nope, which does not exist",
            "node b names parent nowhere, which does not exist",
            "node c names indicator a as its parent; indicators have no children",
            "nodes x, y are each other's ancestors",
        ]
    );
}

#[test]
fn rules_that_do_not_fit_their_children_are_reported() {
    let dims = Scale::ordinal("dims", &["A", "B", "C"], None);
    let other = Scale::ordinal("other", &["X", "Y"], None);
    let lookup = |rows: Vec<LookupRow>| Aggregation::Lookup {
        scale: "dims".into(),
        rows,
    };
    let f = framework(
        vec![pct(), dims, other],
        vec![
            Node::group("root", None, Aggregation::Mean),
            // A mean over a grade and over a group without a score.
            Node::indicator("graded", Some("root"), "dims"),
            Node::group("pillar", Some("root"), Aggregation::Unscored),
            Node::indicator("p1", Some("pillar"), "pct"),
            // A lookup over a number and foreign grades, with bad rows.
            Node::group(
                "table",
                None,
                lookup(vec![
                    LookupRow::new(&["A"], "A"),
                    LookupRow::new(&["A"], "B"),
                    LookupRow::new(&["Z"], "A"),
                    LookupRow::new(&[], "A"),
                ]),
            ),
            Node::indicator("t1", Some("table"), "pct"),
            Node::indicator("t2", Some("table"), "other"),
            // A weakest link with "+" on a scale without one, with bands.
            Node::group(
                "m1",
                None,
                Aggregation::WeakestLink {
                    scale: "dims".into(),
                    modify_when_others_higher: true,
                },
            )
            .with_bands(Bands::new(ValueBasis::Displayed, &[("A", 0), ("B", 0)])),
            Node::indicator("m1a", Some("m1"), "dims"),
            // Grades on a numeric scale, too many decimals, a depth of zero, no children.
            Node::group(
                "numeric-grades",
                None,
                Aggregation::WeakestLink {
                    scale: "pct".into(),
                    modify_when_others_higher: false,
                },
            ),
            Node::group("fine", None, Aggregation::PooledMean { depth: 0 })
                .with_rounding(Rounding::half_up(11)),
        ],
    );
    assert_eq!(
        problems(f),
        [
            "group m1 declares band B twice or at a threshold already taken",
            "group m1 adds a modifier, but scale dims has none",
            "group numeric-grades gives grades on scale pct, which is not ordinal",
            "group fine rounds to 11 decimals; at most 10 are allowed",
            "group fine pools the nodes 0 levels below; the depth must be at least 1",
            "group root combines numbers, but child graded gives grades",
            "group root combines child pillar, which is not scored",
            "group table combines grades, but child t1 gives numbers",
            "child t2 of group table gives grades that scale dims does not have",
            "group table looks up A more than once",
            "lookup row 3 of group table names grade Z, which scale dims lacks",
            "lookup row 4 of group table names no grade",
            "group m1 has bands or rounding, but gives no number",
            "group numeric-grades has no children",
            "group fine has no children",
        ]
    );
}

#[test]
fn unknown_scales_empty_ids_and_huge_tables_are_reported() {
    let mut nodes = vec![
        Node::group(
            "m2",
            None,
            Aggregation::Lookup {
                scale: "ghost".into(),
                rows: Vec::new(),
            },
        ),
        Node::indicator("", None, "pct"),
        Node::group(
            "huge",
            None,
            Aggregation::Lookup {
                scale: "many".into(),
                rows: Vec::new(),
            },
        ),
        Node::indicator("m2a", Some("m2"), "pct"),
    ];
    // Eight children of twenty grades each: 21^8 combinations, too many to check.
    let grades: Vec<String> = (0..20).map(|i| format!("G{i}")).collect();
    let grades: Vec<&str> = grades.iter().map(String::as_str).collect();
    for i in 0..8 {
        nodes.push(Node::indicator(&format!("h{i}"), Some("huge"), "many"));
    }
    let f = framework(vec![pct(), Scale::ordinal("many", &grades, None)], nodes);
    assert_eq!(
        problems(f),
        [
            "node m2 uses scale ghost, which does not exist",
            "a node has an empty id",
            "group huge has too many combinations of child grades to check its lookup table",
        ]
    );
}

#[test]
fn a_valid_framework_has_no_problems_and_a_navigable_tree() {
    let f = framework(
        vec![pct()],
        vec![
            Node::group("root", None, Aggregation::Mean),
            Node::indicator("a", Some("root"), "pct"),
            Node::group("other", None, Aggregation::Unscored),
            Node::indicator("b", Some("other"), "pct"),
        ],
    );
    assert_eq!(f.validate(), []);
    let v = ValidFramework::try_from(f.clone()).unwrap();
    let ids = |nodes: Vec<&Node>| nodes.iter().map(|n| n.id.to_string()).collect::<Vec<_>>();
    assert_eq!(ids(v.roots()), ["root", "other"]);
    assert_eq!(ids(v.children("root")), ["a"]);
    assert!(v.children("nowhere").is_empty());
    assert_eq!(v.node("b").map(|n| n.title.as_str()), Some("b"));
    assert_eq!(v.into_inner(), f);
}

#[test]
fn a_framework_survives_a_serde_round_trip_with_exact_numbers() {
    let f = framework(
        vec![decimal_scale("fine", &["2.675", "1/3"]), pct()],
        vec![
            Node::group("root", None, Aggregation::WeightedMean)
                .with_rounding(Rounding::truncate(1))
                .with_bands(Bands::new(
                    ValueBasis::Unrounded,
                    &[("low", 0), ("high", 50)],
                )),
            Node::indicator("a", Some("root"), "fine").with_weight(n("0.1")),
        ],
    );
    let json = serde_json::to_string(&f).unwrap();
    assert!(json.contains(r#""value":"2.675""#), "{json}");
    assert!(json.contains(r#""weight":"0.1""#), "{json}");
    let back: Framework = serde_json::from_str(&json).unwrap();
    assert_eq!(back, f);
}
