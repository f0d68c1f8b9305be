//! The model as MPS or LP text, for an independent audit: any solver that reads these
//! formats (HiGHS, CBC, Gurobi, CPLEX) can solve the same model and compare the objective.
//!
//! Both files are written from the model the optimiser solves ([`crate::model`]), with the
//! gap objective (the tie-break on cost is a second solve, described in a comment). Names
//! are short and safe for every reader (`x_3_1_2028` is programme 3, option 1, starting in
//! 2028); a comment block at the top maps them back to the problem's ids.

use std::fmt::Write;

use custodes_core::plan::PlanProblem;

use crate::model::{Model, Var};

/// The text format of an exported model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Free-format MPS, with integer markers.
    Mps,
    /// CPLEX LP.
    Lp,
}

/// Writes the optimiser's model of `problem` in `format`. The problem should be valid
/// (see `custodes_core::plan::validate`); parts that name unknown ids are left out.
pub fn export_model(problem: &PlanProblem, format: Format) -> String {
    let model = Model::build(problem, &|_| true);
    let legend = legend(problem, &model);
    match format {
        Format::Mps => mps(&model, &legend),
        Format::Lp => lp(&model, &legend),
    }
}

fn legend(problem: &PlanProblem, model: &Model) -> Vec<String> {
    let mut lines = vec![
        "Custodes capabilities-based planning model".to_owned(),
        "objective: threat-weighted capability gap, discounted (minimise)".to_owned(),
        "ties are broken by a second solve that minimises total cost with this objective bounded"
            .to_owned(),
    ];
    for (p, programme) in problem.programmes.iter().enumerate() {
        let options: Vec<String> = programme
            .options
            .iter()
            .enumerate()
            .map(|(o, opt)| format!("{o}={}", opt.id))
            .collect();
        lines.push(format!(
            "programme {p} = {} (options {})",
            programme.id,
            options.join(", ")
        ));
    }
    for (i, cap) in problem.capabilities.iter().enumerate() {
        lines.push(format!("capability {i} = {} (goal {})", cap.id, cap.goal));
    }
    for (f, source) in problem.sources.iter().enumerate() {
        lines.push(format!("source {f} = {}", source.id));
    }
    lines.push(format!(
        "{} columns, {} rows",
        model.columns.len(),
        model.rows.len()
    ));
    lines
}

fn mps(model: &Model, legend: &[String]) -> String {
    let mut out = String::new();
    for line in legend {
        let _ = writeln!(out, "* {line}");
    }
    out.push_str("NAME custodes-plan\nROWS\n N obj\n");
    for row in &model.rows {
        let kind = match (row.lower.is_finite(), row.upper.is_finite()) {
            (true, true) if row.lower == row.upper => 'E',
            (_, true) => 'L',
            (true, false) => 'G',
            (false, false) => 'N',
        };
        let _ = writeln!(out, " {kind} {}", row.name);
    }
    // Entries per column, in row order.
    let mut entries: Vec<Vec<(usize, f64)>> = vec![Vec::new(); model.columns.len()];
    for (r, row) in model.rows.iter().enumerate() {
        for &(j, v) in &row.terms {
            entries[j].push((r, v));
        }
    }
    out.push_str("COLUMNS\n");
    let mut in_integers = false;
    for (j, column) in model.columns.iter().enumerate() {
        let integer = matches!(column.var, Var::Choice { .. });
        if integer != in_integers {
            let marker = if integer { "INTORG" } else { "INTEND" };
            let _ = writeln!(out, "    MARKER 'MARKER' '{marker}'");
            in_integers = integer;
        }
        let _ = writeln!(out, "    {} obj {}", column.name, column.gap_cost);
        for &(r, v) in &entries[j] {
            let _ = writeln!(out, "    {} {} {v}", column.name, model.rows[r].name);
        }
    }
    if in_integers {
        out.push_str("    MARKER 'MARKER' 'INTEND'\n");
    }
    out.push_str("RHS\n");
    for row in &model.rows {
        let rhs = if row.upper.is_finite() {
            row.upper
        } else {
            row.lower
        };
        if rhs.is_finite() && rhs != 0.0 {
            let _ = writeln!(out, "    rhs {} {rhs}", row.name);
        }
    }
    let ranged: Vec<_> = model
        .rows
        .iter()
        .filter(|r| r.lower.is_finite() && r.upper.is_finite() && r.lower != r.upper)
        .collect();
    if !ranged.is_empty() {
        out.push_str("RANGES\n");
        for row in ranged {
            let _ = writeln!(out, "    rng {} {}", row.name, row.upper - row.lower);
        }
    }
    out.push_str("BOUNDS\n");
    for column in &model.columns {
        match column.var {
            Var::Choice { .. } => {
                let _ = writeln!(out, " BV bnd {}", column.name);
            }
            Var::Gap => {
                let _ = writeln!(out, " UP bnd {} {}", column.name, column.upper);
            }
        }
    }
    out.push_str("ENDATA\n");
    out
}

fn lp(model: &Model, legend: &[String]) -> String {
    let mut out = String::new();
    for line in legend {
        let _ = writeln!(out, "\\ {line}");
    }
    out.push_str("Minimize\n obj:");
    let objective = model.gap_objective();
    if objective.is_empty() && !model.columns.is_empty() {
        write_terms(&mut out, model, &[(0, 0.0)]);
    } else {
        write_terms(&mut out, model, &objective);
    }
    out.push_str("\nSubject To\n");
    for row in &model.rows {
        let terms: &[(usize, f64)] = &row.terms;
        if terms.is_empty() {
            // An empty row holds when 0 lies within its bounds and can be left out; one
            // that cannot hold is kept, on a zero term, so that the file stays infeasible.
            if row.lower <= 0.0 && row.upper >= 0.0 || model.columns.is_empty() {
                continue;
            }
        }
        let zero = [(0, 0.0)];
        let terms = if terms.is_empty() { &zero[..] } else { terms };
        let bounds = match (row.lower.is_finite(), row.upper.is_finite()) {
            (true, true) if row.lower == row.upper => vec![("", "=", row.upper)],
            (true, true) => vec![("_lo", ">=", row.lower), ("_up", "<=", row.upper)],
            (false, true) => vec![("", "<=", row.upper)],
            (true, false) => vec![("", ">=", row.lower)],
            (false, false) => vec![],
        };
        for (suffix, sense, rhs) in bounds {
            let _ = write!(out, " {}{suffix}:", row.name);
            write_terms(&mut out, model, terms);
            let _ = writeln!(out, " {sense} {rhs}");
        }
    }
    out.push_str("Bounds\n");
    for column in model.columns.iter().filter(|c| c.var == Var::Gap) {
        let _ = writeln!(out, " 0 <= {} <= {}", column.name, column.upper);
    }
    out.push_str("Binary\n");
    for column in model.columns.iter().filter(|c| c.var != Var::Gap) {
        let _ = writeln!(out, " {}", column.name);
    }
    out.push_str("End\n");
    out
}

/// Writes ` + 2 x - 3 y …`, eight terms to a line.
fn write_terms(out: &mut String, model: &Model, terms: &[(usize, f64)]) {
    for (k, &(j, v)) in terms.iter().enumerate() {
        if k > 0 && k % 8 == 0 {
            out.push_str("\n   ");
        }
        let sign = if v < 0.0 { '-' } else { '+' };
        let _ = write!(out, " {sign} {} {}", v.abs(), model.columns[j].name);
    }
}
