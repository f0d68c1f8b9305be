//! Measures the TOML parse alone, to see where the framework benchmark spends its time.
fn main() {
    let file = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/custodes-bench-framework.toml".into());
    let text = std::fs::read_to_string(&file).unwrap();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let v: toml::Table = toml::from_str(&text).unwrap();
        println!(
            "toml::Table parse: {:.1} ms ({} keys)",
            t.elapsed().as_secs_f64() * 1000.0,
            v.len()
        );
        let t = std::time::Instant::now();
        let f = custodes_formats::framework::read(&file, &text).unwrap();
        println!(
            "full read: {:.1} ms ({} nodes)",
            t.elapsed().as_secs_f64() * 1000.0,
            f.framework().nodes.len()
        );
    }
}
