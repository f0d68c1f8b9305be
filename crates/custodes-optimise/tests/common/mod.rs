//! Builders for small plan problems, shared by the optimiser's tests.
#![allow(dead_code)]

use custodes_core::framework::ReformField;
use custodes_core::plan::{
    Capability, Contribution, FundingSource, PlanProblem, Programme, ProgrammeKind,
    ProgrammeOption, SourceCost,
};

/// A horizon of `years` from 2027, undiscounted, with one treasury of `ceiling` a year
/// (no carry-over) and no capability or programme yet.
pub fn horizon(years: u32, ceiling: f64) -> PlanProblem {
    PlanProblem {
        first_year: 2027,
        years,
        discount_rate: 0.0,
        capabilities: vec![],
        programmes: vec![],
        dependencies: vec![],
        exclusions: vec![],
        gates: vec![],
        capacities: vec![],
        sources: vec![FundingSource {
            id: "treasury".into(),
            name: "Treasury".into(),
            ceilings: vec![ceiling; years as usize],
            eligible_fields: vec![],
            eligible_programmes: vec![],
            carry_over: false,
        }],
        minimum_shares: vec![],
    }
}

/// A capability of goal `goal` with weight 1, the same required level every year and
/// nothing there now.
pub fn capability(problem: &mut PlanProblem, id: &str, goal: &str, required: f64) {
    let years = problem.years as usize;
    problem.capabilities.push(Capability {
        id: id.into(),
        name: id.to_uppercase(),
        goal: goal.into(),
        weight: 1.0,
        required: vec![required; years],
        current: vec![0.0; years],
    });
}

/// An option paid by the treasury.
pub fn option(id: &str, duration: u32, costs: &[f64], adds: &[(&str, &[f64])]) -> ProgrammeOption {
    ProgrammeOption {
        id: id.into(),
        duration,
        costs: vec![SourceCost {
            source: "treasury".into(),
            per_year: costs.to_vec(),
        }],
        contributions: adds
            .iter()
            .map(|(c, v)| Contribution {
                capability: (*c).into(),
                per_year: v.to_vec(),
            })
            .collect(),
    }
}

/// A programme of professionalisation led by `police`.
pub fn programme(problem: &mut PlanProblem, id: &str, options: Vec<ProgrammeOption>) -> usize {
    problem.programmes.push(Programme {
        id: id.into(),
        name: id.to_uppercase(),
        kind: ProgrammeKind::Institutional,
        field: ReformField::Professionalisation,
        lead_actor: "police".into(),
        mandatory: false,
        earliest_start: None,
        latest_start: None,
        options,
    });
    problem.programmes.len() - 1
}
