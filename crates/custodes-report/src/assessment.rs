//! The charts of an assessment's results: a radar chart of the characteristics' scores,
//! with an earlier cycle drawn over it when one is compared.

use std::f64::consts::PI;
use std::fmt::Write;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 560.0;
const CX: f64 = 380.0;
const CY: f64 = 262.0;
const RADIUS: f64 = 180.0;
const LABEL_CHARS: usize = 24;

/// One polygon of the radar: a name for the legend and a score from 0 to 100 per axis
/// (`None` where the axis has no score).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// What the polygon shows ("2026", "Earlier: 2024").
    pub name: String,
    /// One value per axis, in the axes' order.
    pub values: Vec<Option<f64>>,
}

/// How each series is drawn: stroke, fill, fill opacity, dash pattern.
const STYLES: [(&str, &str, &str, &str); 2] = [
    ("#1d3557", "#1d3557", "0.22", ""),
    ("#b35900", "none", "0", "7 5"),
];

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Splits a label into at most three lines of about `width` characters.
fn wrap(label: &str, width: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    for word in label.split_whitespace() {
        let last = out.last_mut().expect("one line at least");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > width {
            if out.len() == 3 {
                let l = out.last_mut().expect("three lines");
                l.push('…');
                break;
            }
            out.push(word.to_owned());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    out
}

/// The point at `value` (0–100) on axis `i` of `n`, the first axis pointing up.
fn point(i: usize, n: usize, value: f64) -> (f64, f64) {
    let angle = -PI / 2.0 + 2.0 * PI * i as f64 / n as f64;
    let r = RADIUS * value.clamp(0.0, 100.0) / 100.0;
    (CX + r * angle.cos(), CY + r * angle.sin())
}

fn shown(v: Option<f64>) -> String {
    match v {
        Some(v) if (v - v.round()).abs() < 0.05 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
        None => "no score".into(),
    }
}

/// Draws a radar chart of scores from 0 to 100: one axis per label, one polygon per
/// series (at most two are styled apart: the assessment and the cycle it is compared
/// with). `title` names the chart for assistive technology; the description lists every
/// value, and the page shows the same values in a table.
pub fn radar_svg(title: &str, axes: &[String], series: &[Series]) -> String {
    let n = axes.len();
    let mut body = String::new();
    if n >= 3 {
        // Rings every 20 points, with their values on the first axis.
        for step in 1..=5 {
            let v = f64::from(step) * 20.0;
            let pts: Vec<String> = (0..n)
                .map(|i| {
                    let (x, y) = point(i, n, v);
                    format!("{x:.1},{y:.1}")
                })
                .collect();
            let _ = write!(
                body,
                r##"<polygon points="{}" fill="none" stroke="#b1b4b6" stroke-width="1"/>"##,
                pts.join(" ")
            );
            let (x, y) = point(0, n, v);
            let _ = write!(
                body,
                r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#484949">{v:.0}</text>"##,
                x + 4.0,
                y + 4.0
            );
        }
        for (i, label) in axes.iter().enumerate() {
            let (x, y) = point(i, n, 100.0);
            let _ = write!(
                body,
                r##"<line x1="{CX}" y1="{CY}" x2="{x:.1}" y2="{y:.1}" stroke="#b1b4b6" stroke-width="1"/>"##
            );
            let angle = -PI / 2.0 + 2.0 * PI * i as f64 / n as f64;
            let (lx, ly) = (
                CX + (RADIUS + 16.0) * angle.cos(),
                CY + (RADIUS + 16.0) * angle.sin(),
            );
            let anchor = if angle.cos() > 0.25 {
                "start"
            } else if angle.cos() < -0.25 {
                "end"
            } else {
                "middle"
            };
            let text = wrap(label, LABEL_CHARS);
            let lines = text.len() as f64;
            // Labels above the centre grow upwards, those below grow downwards.
            let top = if angle.sin() < -0.25 {
                ly - (lines - 1.0) * 14.0
            } else if angle.sin() > 0.25 {
                ly + 10.0
            } else {
                ly - (lines - 1.0) * 7.0 + 4.0
            };
            let _ = write!(
                body,
                r##"<text x="{lx:.1}" y="{top:.1}" font-size="12.5" text-anchor="{anchor}" fill="#0b0c0c">"##
            );
            for (k, line) in text.iter().enumerate() {
                let _ = write!(
                    body,
                    r#"<tspan x="{lx:.1}" dy="{}">{}</tspan>"#,
                    if k == 0 { 0.0 } else { 14.0 },
                    esc(line)
                );
            }
            body.push_str("</text>");
        }
        // The earlier cycle first, so that the assessment's polygon is on top.
        for (s_index, s) in series.iter().enumerate().rev() {
            let (stroke, fill, opacity, dash) = STYLES[s_index.min(STYLES.len() - 1)];
            let pts: Vec<String> = (0..n)
                .map(|i| {
                    let (x, y) = point(i, n, s.values.get(i).copied().flatten().unwrap_or(0.0));
                    format!("{x:.1},{y:.1}")
                })
                .collect();
            let dash = if dash.is_empty() {
                String::new()
            } else {
                format!(r#" stroke-dasharray="{dash}""#)
            };
            let _ = write!(
                body,
                r#"<polygon points="{}" fill="{fill}" fill-opacity="{opacity}" stroke="{stroke}" stroke-width="2.5"{dash}/>"#,
                pts.join(" ")
            );
            for (i, axis) in axes.iter().enumerate() {
                let v = s.values.get(i).copied().flatten();
                let (x, y) = point(i, n, v.unwrap_or(0.0));
                let _ = write!(
                    body,
                    r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{stroke}"><title>{}: {} ({})</title></circle>"#,
                    esc(axis),
                    shown(v),
                    esc(&s.name)
                );
            }
        }
    }
    let mut legend = String::new();
    for (i, s) in series.iter().enumerate() {
        let (stroke, _, _, dash) = STYLES[i.min(STYLES.len() - 1)];
        let x = 40.0 + i as f64 * 300.0;
        let y = HEIGHT - 24.0;
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        let _ = write!(
            legend,
            r##"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="{stroke}" stroke-width="3"{dash}/><text x="{}" y="{}" font-size="14" fill="#0b0c0c">{}</text>"##,
            x + 40.0,
            x + 50.0,
            y + 5.0,
            esc(&s.name)
        );
    }
    let described: Vec<String> = axes
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let values: Vec<String> = series
                .iter()
                .map(|s| format!("{} {}", s.name, shown(s.values.get(i).copied().flatten())))
                .collect();
            format!("{}: {}", a, values.join(", "))
        })
        .collect();
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-labelledby="radar-title radar-desc" font-family="system-ui, sans-serif"><title id="radar-title">{}</title><desc id="radar-desc">Scores from 0 to 100 of {n} parts. {}. The same values are in the table below the chart.</desc>{body}{legend}</svg>"##,
        esc(title),
        esc(&described.join("; "))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axes(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("Characteristic <{i}>")).collect()
    }

    #[test]
    fn draws_rings_axes_and_one_polygon_per_series() {
        let svg = radar_svg(
            "Scores of 2026",
            &axes(4),
            &[
                Series {
                    name: "2026".into(),
                    values: vec![Some(50.0), Some(100.0), None, Some(62.5)],
                },
                Series {
                    name: "2024".into(),
                    values: vec![Some(25.0), Some(75.0), Some(10.0), Some(0.0)],
                },
            ],
        );
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("<title id=\"radar-title\">Scores of 2026</title>"));
        // Five rings and two series.
        assert_eq!(svg.matches("<polygon").count(), 7);
        assert_eq!(svg.matches("<circle").count(), 8);
        assert!(
            svg.contains("stroke-dasharray=\"7 5\""),
            "the earlier cycle is dashed"
        );
        assert!(
            svg.contains("Characteristic &lt;4&gt;: 2026 62.5, 2024 0"),
            "the description lists the values, escaped: {svg}"
        );
        assert!(svg.contains("Characteristic &lt;3&gt;: 2026 no score"));
    }

    #[test]
    fn the_first_axis_points_up_and_values_are_clamped() {
        assert_eq!(point(0, 4, 100.0), (CX, CY - RADIUS));
        assert_eq!(point(0, 4, 250.0), (CX, CY - RADIUS));
        let (x, y) = point(1, 4, 50.0);
        assert!((x - (CX + RADIUS / 2.0)).abs() < 1e-9 && (y - CY).abs() < 1e-9);
    }

    #[test]
    fn too_few_axes_draw_only_the_legend() {
        let svg = radar_svg(
            "x",
            &axes(2),
            &[Series {
                name: "a".into(),
                values: vec![Some(1.0), Some(2.0)],
            }],
        );
        assert_eq!(svg.matches("<polygon").count(), 0);
        assert_eq!(svg.matches("<line").count(), 1);
    }

    #[test]
    fn long_labels_wrap_on_three_lines_at_most() {
        let l = wrap(
            "Credible resource-based plans, controlled by parliament, and many more words that go on",
            24,
        );
        assert_eq!(l.len(), 3);
        assert_eq!(l[0], "Credible resource-based");
        assert!(l[2].ends_with('…'));
    }
}
