//! Deficit diagnosis and cycle comparison on a small framework whose answers are worked
//! out by hand.

mod common;

use common::valid;
use custodes_core::framework::{
    Aggregation, Answer, Characteristic, DeficitSource, DiagnosisKey, Framework, MissingState,
    Node, NodeKind, Number, Scale, Standing, compare, diagnose, score,
};
use custodes_core::sector::ActorKind;

fn tagged(
    mut node: Node,
    deficits: &[DeficitSource],
    c: Characteristic,
    standing: Standing,
    kinds: &[ActorKind],
) -> Node {
    if let NodeKind::Indicator(i) = &mut node.kind {
        i.tags.deficit_sources = deficits.to_vec();
        i.tags.characteristics = vec![c];
        i.tags.standing = Some(standing);
        i.tags.actor_kinds = kinds.to_vec();
    }
    node
}

/// Two characteristics of two indicators each, on a 0–100 scale of five levels; `b.2`
/// weighs 2.
fn framework() -> Framework {
    use Characteristic as C;
    use DeficitSource as D;
    Framework {
        id: "tiny".into(),
        version: "1".into(),
        name: "Tiny".into(),
        reviewers: 1,
        scales: vec![Scale::numeric(
            "five",
            &[("0", 0), ("1", 25), ("2", 50), ("3", 75), ("4", 100)],
        )],
        nodes: vec![
            Node::group("root", None, Aggregation::Mean),
            Node::group("a", Some("root"), Aggregation::Mean),
            tagged(
                Node::indicator("a.1", Some("a"), "five"),
                &[D::PoorLegislation],
                C::SecurityStrategy,
                Standing::DeJure,
                &[ActorKind::Parliament],
            ),
            tagged(
                Node::indicator("a.2", Some("a"), "five"),
                &[D::IrrelevantControl, D::PoorLegislation],
                C::SecurityStrategy,
                Standing::DeFacto,
                &[ActorKind::Parliament, ActorKind::Intelligence],
            ),
            Node::group("b", Some("root"), Aggregation::WeightedMean),
            tagged(
                Node::indicator("b.1", Some("b"), "five"),
                &[D::ChronicUnderfunding],
                C::ResourcePlans,
                Standing::DeFacto,
                &[ActorKind::Ministry],
            ),
            tagged(
                Node::indicator("b.2", Some("b"), "five").with_weight(Number::from_int(2)),
                &[D::IrrelevantControl],
                C::ResourcePlans,
                Standing::DeJure,
                &[],
            ),
        ],
    }
}

fn n(v: i64) -> Number {
    Number::from_int(v)
}

#[test]
fn shortfalls_are_weighted_distances_summed_by_each_tag() {
    let f = valid(framework());
    // a.1 = 75 (shortfall 25), a.2 = 25 (75), b.1 = 100 (none), b.2 = 50 (2 × 50 = 100).
    let answers = [
        Answer::level("a.1", "3"),
        Answer::level("a.2", "1"),
        Answer::level("b.1", "4"),
        Answer::level("b.2", "2"),
    ];
    let d = diagnose(&f, &score(&f, &answers));
    let ind: Vec<(String, Number)> = d
        .indicators
        .iter()
        .map(|s| (s.indicator.to_string(), s.amount))
        .collect();
    assert_eq!(
        ind,
        vec![
            ("b.2".into(), n(100)),
            ("a.2".into(), n(75)),
            ("a.1".into(), n(25))
        ]
    );

    let totals = |lines: &[custodes_core::framework::DiagnosisLine]| -> Vec<(DiagnosisKey, Number, Vec<String>)> {
        lines.iter().map(|l| (l.key, l.total, l.indicators.iter().map(|s| s.indicator.to_string()).collect())).collect()
    };
    assert_eq!(
        totals(&d.by_deficit),
        vec![
            (
                DiagnosisKey::Deficit(DeficitSource::IrrelevantControl),
                n(175),
                vec!["b.2".into(), "a.2".into()]
            ),
            (
                DiagnosisKey::Deficit(DeficitSource::PoorLegislation),
                n(100),
                vec!["a.2".into(), "a.1".into()]
            ),
        ]
    );
    assert_eq!(
        totals(&d.by_characteristic),
        // A tie keeps the seed's order of the characteristics.
        vec![
            (
                DiagnosisKey::Characteristic(Characteristic::SecurityStrategy),
                n(100),
                vec!["a.2".into(), "a.1".into()]
            ),
            (
                DiagnosisKey::Characteristic(Characteristic::ResourcePlans),
                n(100),
                vec!["b.2".into()]
            ),
        ]
    );
    assert_eq!(
        totals(&d.by_standing),
        vec![
            (
                DiagnosisKey::Standing(Standing::DeJure),
                n(125),
                vec!["b.2".into(), "a.1".into()]
            ),
            (
                DiagnosisKey::Standing(Standing::DeFacto),
                n(75),
                vec!["a.2".into()]
            ),
        ]
    );
    assert_eq!(
        d.by_actor_kind[0].key,
        DiagnosisKey::ActorKind(ActorKind::Parliament)
    );
    assert_eq!(d.by_actor_kind[0].total, n(100));
}

#[test]
fn missing_answers_have_no_shortfall_and_a_perfect_score_has_none() {
    let f = valid(framework());
    let answers = [
        Answer::missing("a.1", MissingState::NotEnoughInformation),
        Answer::level("a.2", "4"),
        Answer::level("b.1", "4"),
        Answer::level("b.2", "4"),
    ];
    let d = diagnose(&f, &score(&f, &answers));
    assert!(d.indicators.is_empty());
    assert!(d.by_deficit.is_empty());
}

#[test]
fn comparison_orders_improvements_then_declines() {
    let f = valid(framework());
    let baseline = score(
        &f,
        &[
            Answer::level("a.1", "1"),
            Answer::level("a.2", "1"),
            Answer::level("b.1", "4"),
            Answer::level("b.2", "2"),
        ],
    );
    let follow_up = score(
        &f,
        &[
            Answer::level("a.1", "3"),
            Answer::level("a.2", "1"),
            Answer::level("b.1", "2"),
            Answer::missing("b.2", MissingState::NotScored),
        ],
    );
    let changes = compare(&baseline, &follow_up);
    let got: Vec<(String, Option<Number>)> = changes
        .iter()
        .map(|c| (c.node.to_string(), c.delta))
        .collect();
    // a.1: 25 → 75 (+50); a: 25 → 50 (+25); a.2 unchanged; root: 50 → 50 (0): baseline
    // root = mean(a 25, b (100 + 2×50)/3 = 200/3) = 275/6; follow-up root = mean(a 50, b 50) = 50.
    assert_eq!(got[0], ("a.1".into(), Some(n(50))));
    assert_eq!(got[1], ("a".into(), Some(n(25))));
    let root = changes.iter().find(|c| c.node.as_str() == "root").unwrap();
    assert_eq!(root.delta, Number::new(25, 6));
    let b = changes.iter().find(|c| c.node.as_str() == "b").unwrap();
    assert_eq!(b.delta, Number::new(-50, 3), "b: 200/3 → 50");
    // b.2 was scored only in the baseline: last, with no delta.
    assert_eq!(changes.last().unwrap().node.as_str(), "b.2");
    assert_eq!(changes.last().unwrap().delta, None);
}
