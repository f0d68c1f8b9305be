//! The charts of a plan: a Gantt chart of the chosen programmes (option and years), and
//! the spend of each funding source per year against its ceiling. Both come with a text
//! description for assistive technology; the pages show the same numbers in tables.

use std::fmt::Write;

/// One programme on the Gantt chart.
#[derive(Clone, Debug, PartialEq)]
pub struct GanttBar {
    /// The programme's name.
    pub label: String,
    /// The option chosen.
    pub option: String,
    /// The first year it runs.
    pub start: i32,
    /// The last year it runs.
    pub finish: i32,
    /// Which of the four colour groups it belongs to (its reform field), 0 to 3.
    pub group: usize,
}

/// The colours of the four groups (the reform fields), dark enough for white text and
/// apart for colour-blind readers.
pub const GROUP_COLOURS: [&str; 4] = ["#1d3557", "#2a6f4e", "#8a4f00", "#6b2d5c"];

const LABEL_WIDTH: f64 = 300.0;
const YEAR_WIDTH: f64 = 52.0;
const ROW: f64 = 24.0;
const TOP: f64 = 34.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// Draws a Gantt chart of `bars` over the years `first_year ..= first_year + years - 1`,
/// one row per programme in the order given.
pub fn gantt_svg(title: &str, first_year: i32, years: u32, bars: &[GanttBar]) -> String {
    let width = LABEL_WIDTH + YEAR_WIDTH * f64::from(years) + 10.0;
    let height = TOP + ROW * bars.len().max(1) as f64 + 10.0;
    let mut s = String::new();
    let desc = bars
        .iter()
        .map(|b| format!("{} ({}) {}–{}", b.label, b.option, b.start, b.finish))
        .collect::<Vec<_>>()
        .join("; ");
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="gantt-title gantt-desc" class="chart chart--gantt"><title id="gantt-title">{}</title><desc id="gantt-desc">{}</desc>"#,
        esc(title),
        esc(&desc)
    );
    for i in 0..years {
        let x = LABEL_WIDTH + YEAR_WIDTH * f64::from(i);
        let _ = write!(
            s,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#d0d4d9" stroke-width="1"/><text x="{}" y="20" font-size="12" text-anchor="middle" fill="#0b0c0c">{}</text>"##,
            TOP - 6.0,
            height - 6.0,
            x + YEAR_WIDTH / 2.0,
            first_year + i as i32
        );
    }
    for (row, b) in bars.iter().enumerate() {
        let y = TOP + ROW * row as f64;
        let from = (b.start - first_year).max(0) as f64;
        let len = (b.finish - b.start + 1).max(1) as f64;
        let x = LABEL_WIDTH + YEAR_WIDTH * from;
        let w = YEAR_WIDTH * len - 4.0;
        let colour = GROUP_COLOURS[b.group % GROUP_COLOURS.len()];
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-size="12" text-anchor="end" fill="#0b0c0c">{}</text><rect x="{}" y="{}" width="{w}" height="{}" rx="3" fill="{colour}"><title>{} ({}): {}–{}</title></rect>"##,
            LABEL_WIDTH - 8.0,
            y + 15.0,
            esc(&short(&b.label, 44)),
            x + 2.0,
            y + 3.0,
            ROW - 6.0,
            esc(&b.label),
            esc(&b.option),
            b.start,
            b.finish
        );
        if w > 40.0 {
            let _ = write!(
                s,
                r##"<text x="{}" y="{}" font-size="11" fill="#ffffff">{}</text>"##,
                x + 7.0,
                y + 15.5,
                esc(&short(&b.option, (w / 7.0) as usize))
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// One source's spend and ceiling in one year.
#[derive(Clone, Debug, PartialEq)]
pub struct SpendBar {
    /// The year.
    pub year: i32,
    /// What the plan spends.
    pub spent: f64,
    /// What the source makes available that year (its ceiling, plus any carry-over).
    pub available: f64,
}

/// Draws one source's spend per year as bars against what is available (a line above
/// each bar), scaled to the largest value of `scale_to` so that several sources share a
/// scale.
pub fn spend_svg(title: &str, bars: &[SpendBar], scale_to: f64) -> String {
    let width = 60.0 + 56.0 * bars.len() as f64;
    let height = 150.0;
    let plot = 100.0;
    let max = scale_to.max(1.0);
    let desc = bars
        .iter()
        .map(|b| {
            format!(
                "{}: {:.2} M of {:.2} M",
                b.year,
                b.spent / 1e6,
                b.available / 1e6
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" class="chart chart--spend"><title>{}</title><desc>{}</desc>"#,
        esc(title),
        esc(&desc)
    );
    let base = 10.0 + plot;
    let _ = write!(
        s,
        r##"<line x1="40" y1="{base}" x2="{}" y2="{base}" stroke="#0b0c0c" stroke-width="1"/>"##,
        width - 10.0
    );
    for (i, b) in bars.iter().enumerate() {
        let x = 48.0 + 56.0 * i as f64;
        let h = plot * (b.spent / max).clamp(0.0, 1.0);
        let c = base - plot * (b.available / max).clamp(0.0, 1.0);
        let _ = write!(
            s,
            r##"<rect x="{x}" y="{}" width="36" height="{h}" fill="#1d3557"/><line x1="{}" y1="{c}" x2="{}" y2="{c}" stroke="#b35900" stroke-width="3"/><text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#0b0c0c">{}</text>"##,
            base - h,
            x - 4.0,
            x + 40.0,
            x + 18.0,
            base + 16.0,
            b.year
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gantt_chart_names_every_programme_and_escapes_text() {
        let svg = gantt_svg(
            "Plan",
            2027,
            10,
            &[GanttBar {
                label: "Police & community".into(),
                option: "full".into(),
                start: 2028,
                finish: 2030,
                group: 1,
            }],
        );
        assert!(svg.contains("Police &amp; community (full) 2028–2030"));
        assert!(svg.contains(">2036<"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn spend_bars_describe_their_numbers() {
        let svg = spend_svg(
            "Treasury",
            &[SpendBar {
                year: 2027,
                spent: 2.5e6,
                available: 3.0e6,
            }],
            3.0e6,
        );
        assert!(svg.contains("2027: 2.50 M of 3.00 M"));
    }
}
