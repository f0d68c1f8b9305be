//! Framework files: a good one is read and scores; a bad one yields every problem with
//! file, line, column and field, and nothing else.

use custodes_core::framework::{Answer, score};
use custodes_formats::framework::read;
use rstest::rstest;

const GOOD: &str = r#"format = "custodes-framework/1"

[framework]
id = "tiny"
version = "1.0.0"
name = "Tiny"

[[scale]]
id = "five"
kind = "numeric"
levels = [
  { id = "0", value = 0 },
  { id = "1", value = 25 },
  { id = "2", value = 50 },
  { id = "3", value = 75 },
  { id = "4", value = 100 },
]

[[bands]]
id = "maturity"
thresholds = [{ min = 80, label = "Established" }, { min = 40, label = "Emerging" }, { min = 0, label = "Absent" }]

[[node]]
id = "root"
title = "Tiny"
aggregation = "mean"
rounding = { method = "half_up", decimals = 0 }
bands = "maturity"

[[node]]
id = "c1"
parent = "root"
title = "Strategy"
aggregation = "mean"

[[node]]
id = "c1.1"
parent = "c1"
title = "Strategy in force"
question = "Is a strategy in force?"
scale = "five"
anchors = ["none", "old", "draft", "in force", "in force and current"]
[node.tags]
characteristic = "c1"
deficits = ["poor-legislation"]
basis = "de_jure"
actor_kinds = ["parliament"]
reform_field = "civil-democratic-control.institutional-strengthening"

[[node]]
id = "c1.2"
parent = "c1"
title = "Strategy debated"
scale = "five"
anchors = ["a", "b", "c", "d", "e"]
"#;

#[test]
fn a_good_file_is_read_and_scores() {
    let f = read("tiny.toml", GOOD).expect("a good file");
    let scores = score(
        &f,
        &[Answer::level("c1.1", "4"), Answer::level("c1.2", "1")],
    );
    assert!(scores.problems.is_empty(), "{:?}", scores.problems);
    let root = &scores.nodes[&custodes_core::framework::NodeId::new("root")];
    assert_eq!(root.displayed.map(|n| n.to_string()), Some("63".to_owned()));
    assert_eq!(root.band.as_deref(), Some("Emerging"));
}

#[rstest]
#[case::bad_toml("[framework\n", "tiny.toml:1:")]
#[case::wrong_format(
    "format = \"other/2\"\n[framework]\nid=\"x\"\nversion=\"1\"\nname=\"x\"\n",
    "tiny.toml:1:10: format: expected \"custodes-framework/1\", found \"other/2\""
)]
#[case::unknown_key(&GOOD.replace("question = \"Is a strategy in force?\"", "questoin = \"typo\""), "tiny.toml:40:1: unknown field `questoin`, expected one of `id`, `parent`")]
#[case::unknown_scale(&GOOD.replace("scale = \"five\"\nanchors = [\"a\"", "scale = \"seven\"\nanchors = [\"a\""), "tiny.toml:54:9: node[c1.2].scale: unknown scale 'seven'")]
#[case::anchors(&GOOD.replace("[\"a\", \"b\", \"c\", \"d\", \"e\"]", "[\"a\", \"b\"]"), "tiny.toml:55:11: node[c1.2].anchors: scale 'five' has 5 levels but 2 anchors are given")]
#[case::actor_kind(&GOOD.replace("actor_kinds = [\"parliament\"]", "actor_kinds = [\"navy\"]"), "tiny.toml:47:16: node[c1.1].tags.actor_kinds: unknown actor kind 'navy'")]
#[case::parent(&GOOD.replace("parent = \"c1\"\ntitle = \"Strategy debated\"", "parent = \"c9\"\ntitle = \"Strategy debated\""), "tiny.toml:50:1: node c1.2 names parent c9, which does not exist")]
fn bad_files_name_the_place(#[case] text: &str, #[case] expected: &str) {
    let problems = read("tiny.toml", text).expect_err("a bad file");
    let first = problems[0].to_string();
    assert!(first.starts_with(expected), "{first}\nall: {problems:#?}");
}

#[test]
fn a_second_root_is_refused() {
    let text = GOOD.replace(
        "parent = \"root\"\ntitle = \"Strategy\"",
        "title = \"Strategy\"",
    );
    let problems = read("tiny.toml", &text).unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "tiny.toml:30:1: node.parent: a framework has exactly one root node (a node without a parent); this file has 2"
    );
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    let text = GOOD
        .replace(
            "actor_kinds = [\"parliament\"]",
            "actor_kinds = [\"navy\", \"army\"]",
        )
        .replace("basis = \"de_jure\"", "basis = \"sometimes\"");
    let problems = read("tiny.toml", &text).unwrap_err();
    assert_eq!(problems.len(), 3, "{problems:#?}");
}
