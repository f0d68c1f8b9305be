//! Benchmark: score and diagnose 200 countries × 3 cycles under a framework of 300
//! indicators (8 characteristics), and compare each country's cycles.
//!
//! `cargo run --release -p custodes-core --example scoring_bench -- [RUNS]`

use std::time::Instant;

use custodes_core::framework::{
    Aggregation, Answer, DeficitSource, Framework, Node, NodeKind, Rounding, Scale, Standing,
    ValidFramework, compare, diagnose, score,
};

const COUNTRIES: usize = 200;
const CYCLES: usize = 3;
const GROUPS: usize = 8;
const PER_GROUP: usize = 38; // 8 × 38 = 304, of which the first 300 are indicators

fn framework() -> ValidFramework {
    let deficits = [
        DeficitSource::CounterproductiveTraditions,
        DeficitSource::IrrelevantControl,
        DeficitSource::ChronicUnderfunding,
        DeficitSource::MentalityOverSecrecy,
        DeficitSource::PoorLegislation,
        DeficitSource::CorruptionLowEffectiveness,
        DeficitSource::LackOfPublicConfidence,
    ];
    let mut nodes =
        vec![Node::group("root", None, Aggregation::Mean).with_rounding(Rounding::half_up(0))];
    let mut count = 0;
    for g in 0..GROUPS {
        nodes.push(
            Node::group(&format!("g{g}"), Some("root"), Aggregation::Mean)
                .with_rounding(Rounding::half_up(1)),
        );
        for i in 0..PER_GROUP {
            if count == 300 {
                break;
            }
            count += 1;
            let mut n = Node::indicator(&format!("g{g}.{i}"), Some(&format!("g{g}")), "five");
            if let NodeKind::Indicator(ind) = &mut n.kind {
                ind.tags.deficit_sources = vec![deficits[i % 7], deficits[(i + g) % 7]];
                ind.tags.standing = Some(if i % 2 == 0 {
                    Standing::DeJure
                } else {
                    Standing::DeFacto
                });
            }
            nodes.push(n);
        }
    }
    ValidFramework::new(Framework {
        id: "bench".into(),
        version: "1".into(),
        name: "Bench".into(),
        reviewers: 1,
        scales: vec![Scale::numeric(
            "five",
            &[("0", 0), ("1", 25), ("2", 50), ("3", 75), ("4", 100)],
        )],
        nodes,
    })
    .expect("a valid framework")
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let f = framework();
    let indicators: Vec<String> = f
        .framework()
        .nodes
        .iter()
        .filter(|n| n.as_indicator().is_some())
        .map(|n| n.id.to_string())
        .collect();
    assert_eq!(indicators.len(), 300);
    // Deterministic answers from a linear congruential generator: no randomness at run time.
    let mut seed: u64 = 42;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let sets: Vec<Vec<Answer>> = (0..COUNTRIES * CYCLES)
        .map(|_| {
            indicators
                .iter()
                .map(|id| Answer::level(id, &(next() % 5).to_string()))
                .collect()
        })
        .collect();
    let mut times = Vec::new();
    for run in 1..=runs {
        let started = Instant::now();
        let mut shortfall_lines = 0;
        let mut changes = 0;
        for country in 0..COUNTRIES {
            let scored: Vec<_> = (0..CYCLES)
                .map(|c| score(&f, &sets[country * CYCLES + c]))
                .collect();
            for s in &scored {
                shortfall_lines += diagnose(&f, s).by_deficit.len();
            }
            changes += compare(&scored[0], &scored[CYCLES - 1]).len();
        }
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        println!(
            "run {run}: {ms:.1} ms ({} assessments, {shortfall_lines} deficit lines, {changes} changes)",
            COUNTRIES * CYCLES
        );
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "median: {median:.1} ms for {} assessments of 300 indicators with diagnosis and comparison ({:.2} ms each)",
        COUNTRIES * CYCLES,
        median / (COUNTRIES * CYCLES) as f64
    );
}
