//! The plan benchmark's instance generator and Custodes runner (`scripts/bench-plan`).
//!
//! `bench_plan generate N SEED DIR` writes `DIR/instance.json` (the plan problem, which
//! the PuLP peer reads), `DIR/model.mps` and `DIR/model.lp` (the exported model, which
//! HiGHS alone reads). `bench_plan solve DIR GAP SECONDS` optimises the instance end to
//! end (build, both solves, explanations) and prints one JSON line with the times.
//!
//! Instances: N programmes with 2–3 options each, 10 years from 2027, 50 capabilities
//! over 10 goals, 3 funding sources (a treasury and two donors with field eligibility,
//! one carrying money over), a start window of three years per programme, ceilings at about 60% of what all programmes would cost, and
//! a dependency on an earlier programme for 5% of the programmes.

use std::time::Instant;

use custodes_core::framework::ReformField;
use custodes_core::plan::{
    Capability, Checker, Contribution, Dependency, FundingSource, PlanProblem, Programme,
    ProgrammeKind, ProgrammeOption, SourceCost,
};
use custodes_optimise::{Format, Progress, Settings, Stage, export_model, greedy_plan, optimise};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const YEARS: u32 = 10;
const CAPABILITIES: usize = 50;

fn generate(n: usize, seed: u64) -> PlanProblem {
    let mut rng = StdRng::seed_from_u64(seed);
    let capabilities = (0..CAPABILITIES)
        .map(|c| {
            let current: f64 = rng.random_range(10.0..50.0_f64).round();
            let required: Vec<f64> = (0..YEARS)
                .map(|t| (current + 20.0 + 3.0 * t as f64).min(100.0))
                .collect();
            Capability {
                id: format!("cap{c:02}").into(),
                name: format!("Capability {c}"),
                goal: format!("goal{}", c % 10).into(),
                weight: rng.random_range(1..=5) as f64,
                required,
                current: vec![current; YEARS as usize],
            }
        })
        .collect();
    let mut programmes = Vec::with_capacity(n);
    let mut yearly_cost = 0.0;
    for i in 0..n {
        let field = ReformField::ALL[rng.random_range(0..4)];
        let source = match field {
            ReformField::CivilDemocraticControl | ReformField::RuleOfLaw
                if rng.random_bool(0.5) =>
            {
                "donor-a"
            }
            ReformField::DemilitarisationPeacebuilding if rng.random_bool(0.5) => "donor-b",
            _ => "treasury",
        };
        let earliest = 2027 + rng.random_range(0..6);
        let caps: Vec<usize> = (0..rng.random_range(1..=3))
            .map(|_| rng.random_range(0..CAPABILITIES))
            .collect();
        let options = (0..rng.random_range(2..=3))
            .map(|o| {
                let duration = rng.random_range(2..=4);
                let scale = [1.0, 0.7, 1.4][o];
                let per_year: Vec<f64> = (0..duration)
                    .map(|_| (rng.random_range(0.5..3.0) * scale * 1e6_f64).round())
                    .collect();
                yearly_cost += per_year.iter().sum::<f64>() / 2.5;
                let contributions = caps
                    .iter()
                    .map(|&c| {
                        let full =
                            (rng.random_range(2.0..10.0) * scale.sqrt() * 10.0_f64).round() / 10.0;
                        let per_year = (1..=duration)
                            .map(|k| full * f64::from(k) / f64::from(duration))
                            .collect();
                        Contribution {
                            capability: format!("cap{c:02}").into(),
                            per_year,
                        }
                    })
                    .collect();
                ProgrammeOption {
                    id: format!("opt{o}").into(),
                    duration,
                    costs: vec![SourceCost {
                        source: source.into(),
                        per_year,
                    }],
                    contributions,
                }
            })
            .collect();
        programmes.push(Programme {
            id: format!("prog{i:04}").into(),
            name: format!("Programme {i}"),
            kind: if rng.random_bool(0.5) {
                ProgrammeKind::Institutional
            } else {
                ProgrammeKind::Sectoral
            },
            field,
            lead_actor: format!("actor{}", rng.random_range(0..12)).into(),
            mandatory: false,
            earliest_start: Some(earliest),
            latest_start: Some(earliest + 2),
            options,
        });
    }
    let mut dependencies = Vec::new();
    for i in 1..n {
        if rng.random_bool(0.05) {
            let before = rng.random_range(0..i);
            dependencies.push(Dependency {
                before: format!("prog{before:04}").into(),
                after: format!("prog{i:04}").into(),
            });
        }
    }
    // Ceilings: about 60% of what the portfolio would cost per year, split 60/25/15.
    let budget = 0.6 * yearly_cost / f64::from(YEARS) * 2.5 / 2.0;
    let source =
        |id: &str, name: &str, share: f64, fields: Vec<ReformField>, carry_over| FundingSource {
            id: id.into(),
            name: name.into(),
            ceilings: vec![(budget * share).round(); YEARS as usize],
            eligible_fields: fields,
            eligible_programmes: vec![],
            carry_over,
        };
    PlanProblem {
        first_year: 2027,
        years: YEARS,
        discount_rate: 0.03,
        capabilities,
        programmes,
        dependencies,
        exclusions: vec![],
        gates: vec![],
        capacities: vec![],
        sources: vec![
            source("treasury", "Treasury", 0.6, vec![], false),
            source(
                "donor-a",
                "Donor A",
                0.25,
                vec![ReformField::CivilDemocraticControl, ReformField::RuleOfLaw],
                true,
            ),
            source(
                "donor-b",
                "Donor B",
                0.15,
                vec![ReformField::DemilitarisationPeacebuilding],
                false,
            ),
        ],
        minimum_shares: vec![],
    }
}

/// HiGHS alone, the floor: the same HiGHS library Custodes links (built by `highs-sys`),
/// reading the exported MPS file and solving it on one thread, as Custodes does; one JSON
/// line with the wall seconds (read and solve), the objective, the gap and the status.
#[allow(unsafe_code)]
fn highs_alone(
    path: &std::path::Path,
    gap: f64,
    seconds: f64,
) -> Result<String, Box<dyn std::error::Error>> {
    use highs_sys::{
        Highs_create, Highs_destroy, Highs_getDoubleInfoValue, Highs_getModelStatus,
        Highs_getObjectiveValue, Highs_readModel, Highs_run, Highs_setBoolOptionValue,
        Highs_setDoubleOptionValue, Highs_setIntOptionValue, MODEL_STATUS_OPTIMAL,
        MODEL_STATUS_REACHED_TIME_LIMIT, STATUS_ERROR,
    };
    let file = std::ffi::CString::new(path.to_str().ok_or("the path is not UTF-8")?)?;
    let clock = Instant::now();
    // SAFETY: one HiGHS instance, created here, used only on this thread and destroyed at
    // the end; every string passed is a NUL-terminated literal or `file`.
    unsafe {
        let h = Highs_create();
        Highs_setBoolOptionValue(h, c"output_flag".as_ptr(), 0);
        Highs_setIntOptionValue(h, c"threads".as_ptr(), 1);
        Highs_setDoubleOptionValue(h, c"time_limit".as_ptr(), seconds);
        Highs_setDoubleOptionValue(h, c"mip_rel_gap".as_ptr(), gap);
        if Highs_readModel(h, file.as_ptr()) == STATUS_ERROR || Highs_run(h) == STATUS_ERROR {
            Highs_destroy(h);
            return Err(format!("HiGHS failed on {}", path.display()).into());
        }
        let wall = clock.elapsed().as_secs_f64();
        let status = Highs_getModelStatus(h);
        let mut mip_gap = f64::NAN;
        Highs_getDoubleInfoValue(h, c"mip_gap".as_ptr(), &mut mip_gap);
        let objective = Highs_getObjectiveValue(h);
        Highs_destroy(h);
        let status = match status {
            MODEL_STATUS_OPTIMAL => "Optimal".to_owned(),
            MODEL_STATUS_REACHED_TIME_LIMIT => "TimeLimit".to_owned(),
            other => format!("status {other}"),
        };
        Ok(format!(
            "{{\"seconds\": {wall:.3}, \"objective\": {objective}, \"gap\": {mip_gap}, \"status\": \"{status}\"}}"
        ))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["generate", n, seed, dir] => {
            let problem = generate(n.parse()?, seed.parse()?);
            let dir = std::path::Path::new(dir);
            std::fs::create_dir_all(dir)?;
            std::fs::write(dir.join("instance.json"), serde_json::to_string(&problem)?)?;
            std::fs::write(dir.join("model.mps"), export_model(&problem, Format::Mps))?;
            std::fs::write(dir.join("model.lp"), export_model(&problem, Format::Lp))?;
        }
        ["solve", dir, gap, seconds] => {
            let clock = Instant::now();
            let text = std::fs::read_to_string(std::path::Path::new(dir).join("instance.json"))?;
            let problem: PlanProblem = serde_json::from_str(&text)?;
            let settings = Settings {
                time_limit: std::time::Duration::from_secs_f64(seconds.parse()?),
                relative_gap: gap.parse()?,
            };
            let read = clock.elapsed().as_secs_f64();
            // When each stage ended, in seconds from the start of `optimise`.
            let mut stages = serde_json::Map::new();
            let outcome = optimise(&problem, &settings, |p| {
                let (name, seconds) = match p {
                    Progress::Solved {
                        stage: Stage::Gap,
                        seconds,
                        ..
                    } => ("gap_solved", seconds),
                    Progress::Solved {
                        stage: Stage::TieBreak,
                        seconds,
                        ..
                    } => ("tie_break_solved", seconds),
                    Progress::Explaining => ("explaining", clock.elapsed().as_secs_f64() - read),
                    Progress::Finished { seconds } => ("finished", seconds),
                    _ => return,
                };
                stages.insert(name.to_owned(), seconds.into());
            })?;
            println!(
                "{{\"seconds\": {:.3}, \"solve_seconds\": {:.3}, \"read_seconds\": {read:.3}, \"stages\": {}, \"objective\": {}, \"gap\": {}, \"status\": \"{:?}\", \"selected\": {}, \"left_out\": {}}}",
                clock.elapsed().as_secs_f64(),
                outcome.solve_seconds,
                serde_json::Value::Object(stages),
                outcome.evaluation.objective,
                outcome.gap,
                outcome.status,
                outcome.selected.len(),
                outcome.left_out.len()
            );
        }
        ["greedy", dir] => {
            let text = std::fs::read_to_string(std::path::Path::new(dir).join("instance.json"))?;
            let problem: PlanProblem = serde_json::from_str(&text)?;
            let clock = Instant::now();
            let plan = greedy_plan(&problem);
            let seconds = clock.elapsed().as_secs_f64();
            let objective = plan.map(|p| Checker::new(&problem).evaluate(&p).objective);
            println!(
                "{}",
                serde_json::json!({"seconds": (seconds * 1000.0).round() / 1000.0, "objective": objective})
            );
        }
        ["highs", dir, gap, seconds] => {
            let path = std::path::Path::new(dir).join("model.mps");
            println!("{}", highs_alone(&path, gap.parse()?, seconds.parse()?)?);
        }
        _ => {
            return Err(
                "usage: bench_plan generate N SEED DIR | solve DIR GAP SECONDS | greedy DIR | highs DIR GAP SECONDS"
                    .into(),
            );
        }
    }
    Ok(())
}
