//! The built-in frameworks read without a problem and have the shape the seeds give them.

use custodes_core::framework::{NodeKind, ScaleKind};
use custodes_formats::builtin::{FRAMEWORKS, TAXONOMIES};
use custodes_formats::framework::read;

#[test]
fn every_built_in_framework_reads_cleanly() {
    for b in FRAMEWORKS {
        let f = read(b.file, b.text).unwrap_or_else(|p| panic!("{}: {p:#?}", b.file));
        let fw = f.framework();
        for n in &fw.nodes {
            if let NodeKind::Indicator(i) = &n.kind {
                assert!(
                    !i.question.is_empty(),
                    "{}: {} has no question",
                    b.file,
                    n.id.as_str()
                );
                let scale = fw.scales.iter().find(|s| s.id == i.scale).unwrap();
                let ScaleKind::Numeric { levels } = &scale.kind else {
                    panic!("numeric")
                };
                assert_eq!(
                    levels.len(),
                    5,
                    "{}: {} needs five anchored levels",
                    b.file,
                    n.id.as_str()
                );
                assert!(
                    levels.iter().all(|l| !l.descriptor.is_empty()),
                    "{}: {} has an empty anchor",
                    b.file,
                    n.id.as_str()
                );
                assert!(
                    !i.tags.deficit_sources.is_empty(),
                    "{}: {} names no source of deficit",
                    b.file,
                    n.id.as_str()
                );
                assert!(
                    i.tags.standing.is_some(),
                    "{}: {} is neither de jure nor de facto",
                    b.file,
                    n.id.as_str()
                );
            }
        }
    }
}

#[test]
fn the_ideal_security_sector_has_its_eight_characteristics() {
    let f = read(FRAMEWORKS[0].file, FRAMEWORKS[0].text).unwrap();
    let fw = f.framework();
    let characteristics: Vec<_> = fw
        .nodes
        .iter()
        .filter(|n| n.parent.as_ref().is_some_and(|p| p.as_str() == "root"))
        .collect();
    assert_eq!(characteristics.len(), 8);
    for c in characteristics {
        let n = fw
            .nodes
            .iter()
            .filter(|x| x.parent.as_ref() == Some(&c.id))
            .count();
        assert!((3..=6).contains(&n), "{} has {n} indicators", c.id.as_str());
    }
}

#[test]
fn the_taxonomies_list_seven_sources_and_four_fields() {
    let t: toml::Value = toml::from_str(TAXONOMIES).unwrap();
    assert_eq!(t["deficit"].as_array().unwrap().len(), 7);
    assert_eq!(t["field"].as_array().unwrap().len(), 4);
}
