//! Capabilities-based planning (module M4) on the web: capabilities with their gaps,
//! the programme portfolio and its editor, the rules between programmes (exclusions,
//! capacities) and of the spend (minimum shares), funding sources and scenarios, plans with
//! their charts, explanations and life cycle, and the comparison of two plans. The
//! optimiser is called in one place, [`solve`], and runs in the background as a job
//! ([`jobs`]) whose progress has its own page.

mod capabilities;
mod funding;
pub mod jobs;
mod plans;
mod programmes;
mod progress;
mod rules;
mod scenarios;
pub mod solve;

use axum::Router;
use axum::routing::{get, post};
use custodes_core::plan::Amount;

use crate::AppState;
use crate::actors::Choice;

/// The pages and API routes of planning.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/planning", get(plans::list).post(plans::optimise))
        .route(
            "/w/{slug}/planning/capabilities",
            get(capabilities::list).post(capabilities::set_horizon),
        )
        .route(
            "/w/{slug}/planning/capabilities/new",
            get(capabilities::new_form).post(capabilities::create),
        )
        .route(
            "/w/{slug}/planning/capabilities/{key}/edit",
            get(capabilities::edit_form).post(capabilities::update),
        )
        .route("/w/{slug}/planning/programmes", get(programmes::list))
        .route(
            "/w/{slug}/planning/programmes/new",
            get(programmes::new_form).post(programmes::create),
        )
        .route("/w/{slug}/planning/programmes/{key}", get(programmes::show))
        .route(
            "/w/{slug}/planning/programmes/{key}/edit",
            get(programmes::edit_form).post(programmes::update),
        )
        .route(
            "/w/{slug}/planning/programmes/{key}/options/new",
            get(programmes::new_option).post(programmes::create_option),
        )
        .route(
            "/w/{slug}/planning/programmes/{key}/options/{option}/edit",
            get(programmes::edit_option).post(programmes::update_option),
        )
        .route(
            "/w/{slug}/planning/programmes/{key}/options/{option}/delete",
            post(programmes::delete_option),
        )
        .route("/w/{slug}/planning/funding", get(funding::list))
        .route(
            "/w/{slug}/planning/funding/new",
            get(funding::new_form).post(funding::create),
        )
        .route(
            "/w/{slug}/planning/funding/{key}/edit",
            get(funding::edit_form).post(funding::update),
        )
        .route(
            "/w/{slug}/planning/exclusions/new",
            get(rules::new_exclusion).post(rules::create_exclusion),
        )
        .route(
            "/w/{slug}/planning/exclusions/{id}/delete",
            post(rules::delete_exclusion),
        )
        .route(
            "/w/{slug}/planning/capacities/edit",
            get(rules::capacity_form).post(rules::set_capacity),
        )
        .route(
            "/w/{slug}/planning/capacities/{actor}/delete",
            post(rules::delete_capacity),
        )
        .route(
            "/w/{slug}/planning/shares/edit",
            get(rules::share_form).post(rules::set_share),
        )
        .route(
            "/w/{slug}/planning/shares/{of}/delete",
            post(rules::delete_share),
        )
        .route(
            "/w/{slug}/planning/scenarios/new",
            get(scenarios::new_form).post(scenarios::create),
        )
        .route(
            "/w/{slug}/planning/scenarios/{key}/edit",
            get(scenarios::edit_form).post(scenarios::update),
        )
        .route(
            "/w/{slug}/planning/scenarios/{key}/delete",
            post(scenarios::delete),
        )
        .route("/w/{slug}/planning/compare", get(plans::compare))
        .route("/w/{slug}/planning/jobs/{id}", get(progress::show))
        .route("/w/{slug}/planning/jobs/{id}/stop", post(progress::stop))
        .route("/w/{slug}/planning/plans/{id}", get(plans::show))
        .route(
            "/w/{slug}/planning/plans/{id}/status",
            post(plans::change_status),
        )
        .merge(crate::api_planning::routes())
        .merge(crate::api_planning_rules::routes())
}

/// The main navigation's link to the planning pages of workspace `slug`.
pub(crate) fn nav_item(slug: &str, path: &str) -> crate::chrome::NavItem {
    let href = format!("/w/{slug}/planning");
    crate::chrome::NavItem {
        label: "Planning",
        current: path.starts_with(&href),
        href,
    }
}

/// An amount of money as the pages write it ("2.50 M").
pub(crate) fn money(v: f64) -> String {
    Amount(v).to_string()
}

/// A number without needless decimals ("40", "12.5").
pub(crate) fn points(v: f64) -> String {
    if (v - v.round()).abs() < 0.005 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Yearly values as a form shows them: separated by commas.
pub(crate) fn list_text(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| {
            if v.abs() >= 1000.0 {
                format!("{v:.0}")
            } else {
                points(*v)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads yearly values typed as numbers separated by commas or spaces ("1.2, 3, 4"), or
/// says which entry is not a number.
pub(crate) fn parse_list(text: &str) -> Result<Vec<f64>, String> {
    text.split([',', ' ', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.replace('_', "")
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("“{s}” is not a number"))
        })
        .collect()
}

/// The reform fields as choices, with `selected` chosen.
pub(crate) fn field_choices(selected: &str) -> Vec<Choice> {
    custodes_core::framework::ReformField::ALL
        .iter()
        .map(|f| Choice {
            value: f.as_str().to_owned(),
            label: f.label().to_owned(),
            selected: f.as_str() == selected,
        })
        .collect()
}

/// The position of a reform field among the four, for colours.
pub(crate) fn field_group(field: custodes_core::framework::ReformField) -> usize {
    custodes_core::framework::ReformField::ALL
        .iter()
        .position(|f| *f == field)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yearly_lists_read_back_what_they_write() {
        assert_eq!(parse_list("1.5, 2 3;4").unwrap(), vec![1.5, 2.0, 3.0, 4.0]);
        assert_eq!(parse_list("").unwrap(), Vec::<f64>::new());
        assert_eq!(parse_list("1, x").unwrap_err(), "“x” is not a number");
        assert_eq!(list_text(&[1500000.0, 12.5, 40.0]), "1500000, 12.5, 40");
        assert_eq!(money(1_200_000.0), "1.20 M");
    }
}
