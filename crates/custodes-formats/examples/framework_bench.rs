//! Benchmark: read and check a generated framework file of about 70,000 nodes.
//!
//! `cargo run --release -p custodes-formats --example framework_bench -- FILE [RUNS]`
//! writes the file when it does not exist, then reads it RUNS times (default 7) and
//! prints one line per run and the median, in milliseconds. `scripts/bench-frameworks`
//! runs it beside the Python peer; the numbers go to BENCHMARKS.md.

use std::fmt::Write as _;
use std::time::Instant;

const GROUPS: usize = 100;
const PER_GROUP: usize = 699;

/// A framework of 1 root, 100 groups and 69,900 indicators (70,001 nodes), each indicator
/// with a question, guidance, five anchors and tags, as the built-in frameworks have.
fn generate() -> String {
    let mut s = String::with_capacity(60 << 20);
    s.push_str(
        "format = \"custodes-framework/1\"\n\n[framework]\nid = \"generated\"\nversion = \"1.0.0\"\nname = \"Generated\"\n\n\
         [[scale]]\nid = \"five\"\nkind = \"numeric\"\nlevels = [{ id = \"0\", value = 0 }, { id = \"1\", value = 25 }, { id = \"2\", value = 50 }, { id = \"3\", value = 75 }, { id = \"4\", value = 100 }]\n\n\
         [[bands]]\nid = \"maturity\"\nthresholds = [{ min = 80, label = \"Established\" }, { min = 40, label = \"Emerging\" }, { min = 0, label = \"Absent\" }]\n\n\
         [[node]]\nid = \"root\"\ntitle = \"Generated\"\naggregation = \"mean\"\nrounding = { method = \"half_up\", decimals = 0 }\nbands = \"maturity\"\n",
    );
    for g in 0..GROUPS {
        let _ = write!(
            s,
            "\n[[node]]\nid = \"g{g}\"\nparent = \"root\"\ntitle = \"Group {g}\"\naggregation = \"mean\"\nrounding = {{ method = \"half_up\", decimals = 1 }}\n"
        );
        for i in 0..PER_GROUP {
            let _ = write!(
                s,
                "\n[[node]]\nid = \"g{g}.{i}\"\nparent = \"g{g}\"\ntitle = \"Indicator {g}.{i}\"\n\
                 question = \"Is requirement {g}.{i} met in law and in practice?\"\n\
                 guidance = \"Look at the law, the budget and the minutes of the last two years.\"\n\
                 scale = \"five\"\n\
                 anchors = [\"Not at all.\", \"In a few places.\", \"In about half.\", \"In most places.\", \"Fully, and reviewed.\"]\n\
                 [node.tags]\ncharacteristic = \"c{}\"\ndeficits = [\"poor-legislation\"]\nbasis = \"de_jure\"\nactor_kinds = [\"parliament\"]\nreform_field = \"rule-of-law\"\n",
                g % 8 + 1
            );
        }
    }
    s
}

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args
        .next()
        .unwrap_or_else(|| "/tmp/custodes-bench-framework.toml".into());
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(7);
    if !std::path::Path::new(&file).exists() {
        std::fs::write(&file, generate()).expect("write the generated framework");
    }
    let mut times = Vec::new();
    for run in 1..=runs {
        let started = Instant::now();
        let text = std::fs::read_to_string(&file).expect("read the framework");
        let f = custodes_formats::framework::read(&file, &text)
            .expect("the generated framework is valid");
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(f.framework().nodes.len(), 1 + GROUPS + GROUPS * PER_GROUP);
        println!("custodes run {run}: {ms:.1} ms");
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "custodes median: {:.1} ms ({} nodes)",
        times[times.len() / 2],
        1 + GROUPS + GROUPS * PER_GROUP
    );
}
