//! Invariants of scoring on random frameworks and answers: means lie between their
//! children's extremes, coverage adds up, a missing answer changes no score, answer order
//! does not matter, rounding stays within half a unit, and neither validation nor scoring
//! panics on anything.

use custodes_core::framework::{
    Aggregation, Answer, Framework, LookupRow, MissingState, Node, Number, Rounding, Scale, Scores,
    ValidFramework, score,
};
use proptest::prelude::*;

const LEVELS: [&str; 5] = ["0", "25", "50", "75", "100"];

fn pct() -> Scale {
    Scale::numeric(
        "pct",
        &[("0", 0), ("25", 25), ("50", 50), ("75", 75), ("100", 100)],
    )
}

fn numeric_rule() -> impl Strategy<Value = Aggregation> {
    prop_oneof![
        Just(Aggregation::Mean),
        Just(Aggregation::WeightedMean),
        Just(Aggregation::Minimum),
        Just(Aggregation::SumOfMaximum),
        (1u32..4).prop_map(|depth| Aggregation::PooledMean { depth }),
    ]
}

/// A valid numeric framework: groups linked to earlier groups, indicators under groups,
/// every group with at least one child.
fn numeric_framework() -> impl Strategy<Value = Framework> {
    (
        prop::collection::vec((any::<prop::sample::Index>(), numeric_rule(), 0u8..3), 1..6),
        prop::collection::vec((any::<prop::sample::Index>(), 0i64..5), 1..14),
    )
        .prop_map(|(groups, indicators)| {
            let mut nodes = Vec::new();
            let mut has_child = vec![false; groups.len()];
            for (i, (parent, rule, decimals)) in groups.iter().enumerate() {
                let parent = (i > 0).then(|| parent.index(i));
                if let Some(p) = parent {
                    has_child[p] = true;
                }
                let parent_id = parent.map(|p| format!("g{p}"));
                nodes.push(
                    Node::group(&format!("g{i}"), parent_id.as_deref(), rule.clone())
                        .with_rounding(Rounding::half_up(*decimals)),
                );
            }
            for (i, (parent, weight)) in indicators.iter().enumerate() {
                let p = parent.index(groups.len());
                has_child[p] = true;
                nodes.push(
                    Node::indicator(&format!("i{i}"), Some(&format!("g{p}")), "pct")
                        .with_weight(Number::from_int(*weight)),
                );
            }
            for (p, has) in has_child.iter().enumerate() {
                if !has {
                    nodes.push(Node::indicator(
                        &format!("extra{p}"),
                        Some(&format!("g{p}")),
                        "pct",
                    ));
                }
            }
            Framework {
                id: "random".into(),
                version: "1".into(),
                name: "Random".into(),
                reviewers: 1,
                scales: vec![pct()],
                nodes,
            }
        })
}

/// For each indicator, in order: no answer, a missing state, or a level.
fn answer_choice() -> impl Strategy<Value = Option<Result<usize, MissingState>>> {
    prop_oneof![
        Just(None),
        prop::sample::select(MissingState::ALL.to_vec()).prop_map(|s| Some(Err(s))),
        (0usize..LEVELS.len()).prop_map(|l| Some(Ok(l))),
        (0usize..LEVELS.len()).prop_map(|l| Some(Ok(l))),
    ]
}

fn answers_for(
    framework: &Framework,
    choices: &[Option<Result<usize, MissingState>>],
) -> Vec<Answer> {
    framework
        .nodes
        .iter()
        .filter(|n| n.as_indicator().is_some())
        .zip(choices.iter().cycle())
        .filter_map(|(node, choice)| match choice {
            None => None,
            Some(Ok(level)) => Some(Answer::level(node.id.as_str(), LEVELS[*level])),
            Some(Err(state)) => Some(Answer::missing(node.id.as_str(), *state)),
        })
        .collect()
}

/// Everything a score says except coverage.
fn values(scores: &Scores) -> Vec<String> {
    scores
        .nodes
        .iter()
        .map(|(id, s)| {
            format!(
                "{id} {:?} {:?} {:?} {:?} {:?}",
                s.value, s.displayed, s.grade, s.band, s.rank
            )
        })
        .collect()
}

proptest! {
    #[test]
    fn a_mean_lies_between_its_childrens_extremes(
        framework in numeric_framework(),
        choices in prop::collection::vec(answer_choice(), 1..20),
    ) {
        let answers = answers_for(&framework, &choices);
        let valid = ValidFramework::new(framework.clone()).unwrap();
        let scores = score(&valid, &answers);
        prop_assert!(scores.problems.is_empty());
        for node in &framework.nodes {
            let Some(group) = node.as_group() else { continue };
            if !matches!(group.aggregation, Aggregation::Mean | Aggregation::WeightedMean | Aggregation::Minimum) {
                continue;
            }
            let Some(value) = scores.nodes[&node.id].value else { continue };
            let children: Vec<Number> = valid
                .children(node.id.as_str())
                .iter()
                .filter_map(|c| scores.nodes[&c.id].value)
                .collect();
            prop_assert!(children.iter().min().is_some_and(|m| *m <= value));
            prop_assert!(children.iter().max().is_some_and(|m| *m >= value));
        }
    }

    #[test]
    fn coverage_counts_add_up(
        framework in numeric_framework(),
        choices in prop::collection::vec(answer_choice(), 1..20),
    ) {
        let answers = answers_for(&framework, &choices);
        let valid = ValidFramework::new(framework.clone()).unwrap();
        let scores = score(&valid, &answers);
        for node in &framework.nodes {
            let c = scores.nodes[&node.id].coverage;
            prop_assert_eq!(
                c.answered + c.not_applicable + c.not_enough_information + c.not_scored + c.unanswered,
                c.indicators
            );
            let children = valid.children(node.id.as_str());
            if !children.is_empty() {
                let below: u32 = children.iter().map(|k| scores.nodes[&k.id].coverage.indicators).sum();
                prop_assert_eq!(below, c.indicators);
            }
            // A node has a value only if something below it was answered.
            if scores.nodes[&node.id].value.is_some() {
                prop_assert!(c.answered > 0);
            }
        }
        let roots: u32 = valid.roots().iter().map(|r| scores.nodes[&r.id].coverage.indicators).sum();
        prop_assert_eq!(roots as usize, framework.nodes.iter().filter(|n| n.as_indicator().is_some()).count());
    }

    #[test]
    fn adding_a_missing_answer_changes_no_score(
        framework in numeric_framework(),
        choices in prop::collection::vec(answer_choice(), 1..20),
        state in prop::sample::select(MissingState::ALL.to_vec()),
        pick in any::<prop::sample::Index>(),
    ) {
        let answers = answers_for(&framework, &choices);
        let valid = ValidFramework::new(framework.clone()).unwrap();
        let unanswered: Vec<&Node> = framework
            .nodes
            .iter()
            .filter(|n| n.as_indicator().is_some() && !answers.iter().any(|a| a.node == n.id))
            .collect();
        prop_assume!(!unanswered.is_empty());
        let target = unanswered[pick.index(unanswered.len())];
        let mut more = answers.clone();
        more.push(Answer::missing(target.id.as_str(), state));
        let before = score(&valid, &answers);
        let after = score(&valid, &more);
        prop_assert_eq!(values(&before), values(&after));
        prop_assert_eq!(after.nodes[&target.id].coverage.missing(state), 1);
    }

    #[test]
    fn the_order_of_answers_does_not_matter(
        framework in numeric_framework(),
        choices in prop::collection::vec(answer_choice(), 1..20),
    ) {
        let answers = answers_for(&framework, &choices);
        let valid = ValidFramework::new(framework).unwrap();
        let mut reversed = answers.clone();
        reversed.reverse();
        prop_assert_eq!(score(&valid, &answers), score(&valid, &reversed));
    }

    #[test]
    fn rounding_stays_within_half_a_unit_and_ties_go_up(
        num in -1_000_000i128..1_000_000, den in 1i128..1_000, decimals in 0u8..4,
    ) {
        let value = Number::new(num, den).unwrap();
        let unit = Number::new(1, 10i128.pow(u32::from(decimals))).unwrap();
        let half = unit.checked_div(Number::from_int(2)).unwrap();
        let rounded = Rounding::half_up(decimals).apply(value).unwrap();
        let gap = rounded.checked_sub(value).unwrap();
        let magnitude = if gap.is_negative() { Number::ZERO.checked_sub(gap).unwrap() } else { gap };
        prop_assert!(magnitude <= half);
        if magnitude == half {
            // A tie goes away from zero.
            prop_assert_eq!(rounded.is_negative() || rounded == Number::ZERO, value.is_negative());
        }
        let truncated = Rounding::truncate(decimals).apply(value).unwrap();
        let cut = value.checked_sub(truncated).unwrap();
        let towards_zero = if value.is_negative() { cut <= Number::ZERO } else { cut >= Number::ZERO };
        prop_assert!(towards_zero);
        prop_assert!(cut < unit && Number::ZERO.checked_sub(cut).unwrap() < unit);
    }
}

/// Any framework at all, valid or not. Node `i` mostly hangs under an earlier node, so that
/// many frameworks are trees, but parents may also be missing, later or circular; scales
/// may be unknown, weights negative, rules unfit and lookup rows random.
fn any_framework() -> impl Strategy<Value = Framework> {
    let rule = prop_oneof![
        numeric_rule(),
        Just(Aggregation::Unscored),
        any::<bool>().prop_map(|m| Aggregation::WeakestLink {
            scale: if m { "grades".into() } else { "pct".into() },
            modify_when_others_higher: m,
        }),
        prop::collection::vec((prop::collection::vec(0usize..5, 0..4), 0usize..5), 0..12).prop_map(
            |rows| {
                let g = ["A", "B", "B+", "C", "Z"];
                Aggregation::Lookup {
                    scale: "grades".into(),
                    rows: rows
                        .into_iter()
                        .map(|(key, out)| {
                            let key: Vec<&str> = key.iter().map(|k| g[*k]).collect();
                            LookupRow::new(&key, g[out])
                        })
                        .collect(),
                }
            }
        ),
    ];
    let kind = prop_oneof![
        2 => rule.prop_map(Ok),
        3 => prop::sample::select(vec!["pct", "grades"]).prop_map(Err),
        1 => Just(Err("nope")),
    ];
    // A parent: mostly an earlier node (a tree), sometimes any index (a cycle or a
    // dangling link), sometimes none (a root).
    let parent = prop_oneof![
        4 => any::<prop::sample::Index>().prop_map(|i| Some(Ok(i))),
        1 => (0usize..12).prop_map(|p| Some(Err(p))),
        1 => Just(None),
    ];
    let weight = prop_oneof![6 => 0i64..3, 1 => Just(-1i64)];
    prop::collection::vec((parent, kind, weight), 0..10).prop_map(|nodes| Framework {
        id: "any".into(),
        version: "1".into(),
        name: String::new(),
        reviewers: 1,
        scales: vec![pct(), Scale::ordinal("grades", &["A", "B", "C"], Some("+"))],
        nodes: nodes
            .into_iter()
            .enumerate()
            .map(|(i, (parent, kind, weight))| {
                let id = format!("n{i}");
                let parent = match parent {
                    Some(Ok(earlier)) if i > 0 => Some(format!("n{}", earlier.index(i))),
                    Some(Err(any)) => Some(format!("n{any}")),
                    _ => None,
                };
                let node = match kind {
                    Ok(rule) => Node::group(&id, parent.as_deref(), rule),
                    Err(scale) => Node::indicator(&id, parent.as_deref(), scale),
                };
                node.with_weight(Number::from_int(weight))
            })
            .collect(),
    })
}

proptest! {
    #[test]
    fn validation_and_scoring_never_panic(
        framework in any_framework(),
        answers in prop::collection::vec((0usize..10, prop::sample::select(vec!["0", "100", "A", "B+", "C", "x"])), 0..12),
    ) {
        let problems = framework.validate();
        if let Ok(valid) = ValidFramework::new(framework) {
            prop_assert!(problems.is_empty());
            let answers: Vec<Answer> = answers
                .iter()
                .map(|(node, level)| Answer::level(&format!("n{node}"), level))
                .collect();
            let scores = score(&valid, &answers);
            prop_assert_eq!(scores.nodes.len(), valid.framework().nodes.len());
        } else {
            prop_assert!(!problems.is_empty());
        }
    }
}

/// Every sorted combination of `size` ranks drawn from `ranks`.
fn multisets(ranks: &[u32], size: usize) -> Vec<Vec<u32>> {
    if size == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for (i, r) in ranks.iter().enumerate() {
        for mut rest in multisets(&ranks[i..], size - 1) {
            rest.insert(0, *r);
            out.push(rest);
        }
    }
    out
}

proptest! {
    #[test]
    fn grade_rules_follow_their_definitions(
        children in 1usize..5,
        outputs in prop::collection::vec(0usize..5, 70),
        given in prop::collection::vec(prop_oneof![Just(None), (0usize..3).prop_map(Some)], 4),
    ) {
        // Dimensions graded A, B, C; results on A, B+, B, C+, C. The lookup table gives
        // every combination of one to `children` grades a random result.
        let dims = ["C", "B", "A"];
        let results = ["C", "C+", "B", "B+", "A"];
        let mut rows = Vec::new();
        let mut table = std::collections::HashMap::new();
        let mut next = outputs.iter().cycle();
        for size in 1..=children {
            for key in multisets(&[0, 1, 2], size) {
                let out = results[*next.next().unwrap()];
                let names: Vec<&str> = key.iter().map(|k| dims[*k as usize]).collect();
                rows.push(LookupRow::new(&names, out));
                table.insert(key, out);
            }
        }
        let mut nodes = vec![
            Node::group("m2", None, Aggregation::Lookup { scale: "result".into(), rows }),
            Node::group("m1", None, Aggregation::WeakestLink {
                scale: "result".into(),
                modify_when_others_higher: true,
            }),
        ];
        for d in 0..children {
            nodes.push(Node::indicator(&format!("m2.{d}"), Some("m2"), "dim"));
            nodes.push(Node::indicator(&format!("m1.{d}"), Some("m1"), "dim"));
        }
        let framework = ValidFramework::new(Framework {
            id: "ordinal".into(),
            version: "1".into(),
            name: String::new(),
            reviewers: 1,
            scales: vec![
                Scale::ordinal("dim", &["A", "B", "C"], None),
                Scale::ordinal("result", &["A", "B", "C"], Some("+")),
            ],
            nodes,
        })
        .unwrap();
        let mut answers = Vec::new();
        let mut graded: Vec<u32> = Vec::new();
        for (d, grade) in given.iter().take(children).enumerate() {
            for group in ["m2", "m1"] {
                let id = format!("{group}.{d}");
                answers.push(match grade {
                    Some(g) => Answer::level(&id, dims[*g]),
                    None => Answer::missing(&id, MissingState::NotApplicable),
                });
            }
            if let Some(g) = grade {
                graded.push(*g as u32);
            }
        }
        let scores = score(&framework, &answers);
        prop_assert!(scores.problems.is_empty());
        let m2 = scores.nodes["m2"].grade.as_ref().map(|g| g.to_string());
        let m1 = scores.nodes["m1"].grade.as_ref().map(|g| g.to_string());
        if graded.is_empty() {
            prop_assert_eq!(m2, None);
            prop_assert_eq!(m1, None);
        } else {
            graded.sort_unstable();
            prop_assert_eq!(m2.as_deref(), Some(table[&graded]));
            let lowest = graded[0];
            let raised = graded.iter().any(|g| *g > lowest);
            let expected = format!("{}{}", dims[lowest as usize], if raised { "+" } else { "" });
            prop_assert_eq!(m1, Some(expected));
        }
    }
}
