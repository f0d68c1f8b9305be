//! A problem prepared for judging many plans: its programmes, capabilities, sources and
//! goals indexed by id, so that evaluating and checking a plan takes time in proportion to
//! the plan, not to the portfolio. The optimiser's explanations try thousands of plans
//! against one problem through it.

use std::collections::HashMap;

use super::id::{GoalId, ProgrammeId};
use super::portfolio::{PlanProblem, Programme, ProgrammeOption};
use super::schedule::Plan;

/// A problem indexed for evaluating and checking plans.
#[derive(Debug)]
pub struct Checker<'p> {
    pub(super) problem: &'p PlanProblem,
    programmes: HashMap<&'p str, &'p Programme>,
    pub(super) capabilities: HashMap<&'p str, usize>,
    pub(super) sources: HashMap<&'p str, usize>,
    pub(super) goals: Vec<&'p GoalId>,
    /// The position in `goals` of each capability's goal.
    pub(super) goal_of: Vec<usize>,
}

impl<'p> Checker<'p> {
    /// Indexes `problem`. Where ids repeat (which validation reports), the first wins.
    pub fn new(problem: &'p PlanProblem) -> Self {
        let mut programmes = HashMap::new();
        for p in &problem.programmes {
            programmes.entry(p.id.as_str()).or_insert(p);
        }
        let mut capabilities = HashMap::new();
        for (i, c) in problem.capabilities.iter().enumerate() {
            capabilities.entry(c.id.as_str()).or_insert(i);
        }
        let mut sources = HashMap::new();
        for (i, s) in problem.sources.iter().enumerate() {
            sources.entry(s.id.as_str()).or_insert(i);
        }
        let goals = problem.goals();
        let goal_of = problem
            .capabilities
            .iter()
            .map(|c| goals.iter().position(|g| *g == &c.goal).unwrap_or(0))
            .collect();
        Self {
            problem,
            programmes,
            capabilities,
            sources,
            goals,
            goal_of,
        }
    }

    /// The problem.
    pub fn problem(&self) -> &'p PlanProblem {
        self.problem
    }

    /// The programme with this id.
    pub fn programme(&self, id: &ProgrammeId) -> Option<&'p Programme> {
        self.programmes.get(id.as_str()).copied()
    }

    /// The chosen programme `id` with its option and start year, if the plan has it and
    /// the problem knows both.
    pub fn resolve(
        &self,
        plan: &Plan,
        id: &ProgrammeId,
    ) -> Option<(&'p Programme, &'p ProgrammeOption, i32)> {
        let choice = plan.choice(id)?;
        let programme = self.programme(id)?;
        Some((programme, programme.option(&choice.option)?, choice.start))
    }

    /// Every chosen programme the problem knows, with its option and start year.
    pub fn resolved<'a>(
        &'a self,
        plan: &'a Plan,
    ) -> impl Iterator<Item = (&'p Programme, &'p ProgrammeOption, i32)> + 'a {
        plan.choices.iter().filter_map(move |(id, choice)| {
            let programme = self.programme(id)?;
            Some((programme, programme.option(&choice.option)?, choice.start))
        })
    }
}
