//! The demo country's capabilities-based planning (DEMO.md, "Reform"): the horizon
//! 2027–2036, capabilities for the strategy's goals (some read from the 2026 assessment),
//! three funding sources, 41 programmes with options across the four reform fields, their
//! dependencies, an exclusion, an integrity gate and the capacities of lead actors, a
//! minimum share for civil-democratic control, three scenarios, the plan parliament
//! approved in 2026 and a "treasury −20%" plan to compare it with. Both plans are solved
//! by the real optimiser, with a short time limit so that the demo stays quick.
//!
//! Amounts are in USD. A programme's cost is given per year of its run, the same each
//! year; its contribution to a capability builds up evenly over its run and then holds.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use custodes_core::audit::Actor;
use custodes_core::framework::ReformField;
use custodes_core::plan::{Contribution, MinimumShare, ProgrammeKind, ShareOf, SourceCost};
use custodes_core::planning::{
    Assumption, CapabilityFields, CurrentLevel, ExclusionFields, Horizon, OptionFields, PlanStep,
    ProgrammeFields, Scenario, SolveSettings, SourceFields,
};
use custodes_core::policy::{Classification, Viewer};
use custodes_core::{ActorId, Level};
use custodes_optimise::Stop;
use custodes_store::capability::CapabilityInput;
use custodes_store::programme::{OptionEdit, ProgrammeInput};
use custodes_store::{Store, StoreError};
use custodes_web::planning::solve::{OptimiseRequest, prepare, save_solved, solve_prepared};

use ReformField::{
    CivilDemocraticControl as C, DemilitarisationPeacebuilding as D, Professionalisation as P,
    RuleOfLaw as R,
};

fn invalid(e: impl ToString) -> StoreError {
    StoreError::Invalid(e.to_string())
}

const FIRST_YEAR: i32 = 2027;
const YEARS: u32 = 10;
const M: f64 = 1_000_000.0;

/// A capability: key, name, goal (by the start of its title), required level in the
/// first and the last year, and the current level (entered) or the 2026 assessment's
/// indicator it is read from.
struct Cap {
    key: &'static str,
    name: &'static str,
    goal: &'static str,
    required: (f64, f64),
    current: Current,
}

enum Current {
    Entered(f64),
    Indicator(&'static str),
}

fn caps() -> Vec<Cap> {
    use Current::{Entered, Indicator};
    let c = |key, name, goal, required, current| Cap {
        key,
        name,
        goal,
        required,
        current,
    };
    vec![
        c(
            "border-surveillance",
            "Surveillance of the land border and the coast",
            "Secure the borders",
            (50.0, 80.0),
            Entered(30.0),
        ),
        c(
            "border-information",
            "Border information shared between agencies in real time",
            "Secure the borders",
            (55.0, 85.0),
            Indicator("c2.5"),
        ),
        c(
            "regional-cooperation",
            "Regional border cooperation",
            "Secure the borders",
            (40.0, 70.0),
            Entered(20.0),
        ),
        c(
            "reintegration",
            "Disarmament and reintegration of former combatants",
            "Complete the disarmament",
            (60.0, 90.0),
            Entered(35.0),
        ),
        c(
            "arms-control",
            "Control of small arms and light weapons",
            "Complete the disarmament",
            (60.0, 85.0),
            Indicator("c6.3"),
        ),
        c(
            "cyber-response",
            "Detection of and response to cyber attacks on state systems",
            "Protect state systems",
            (45.0, 80.0),
            Entered(20.0),
        ),
        c(
            "crisis-response",
            "Joint response to floods and civil emergencies",
            "Respond jointly",
            (60.0, 85.0),
            Indicator("c2.6"),
        ),
        c(
            "procurement-integrity",
            "Integrity of defence procurement",
            "Make defence procurement",
            (50.0, 80.0),
            Entered(25.0),
        ),
        c(
            "budget-oversight",
            "Parliamentary control of security plans and spending",
            "Make defence procurement",
            (55.0, 80.0),
            Indicator("c4.4"),
        ),
        c(
            "youth-prevention",
            "Prevention of extremist recruitment among displaced youth",
            "Prevent violent extremism",
            (40.0, 75.0),
            Entered(15.0),
        ),
        c(
            "intelligence-oversight",
            "Oversight of the intelligence service in practice",
            "Bring the intelligence service",
            (40.0, 75.0),
            Indicator("c3.3"),
        ),
        c(
            "intelligence-law",
            "Legal mandate and limits of the intelligence service",
            "Bring the intelligence service",
            (50.0, 85.0),
            Indicator("c3.1"),
        ),
        c(
            "community-policing",
            "Police-community relations in the north",
            "Rebuild trust",
            (45.0, 80.0),
            Indicator("c5.3"),
        ),
        c(
            "police-professionalism",
            "Police training and professional standards",
            "Rebuild trust",
            (50.0, 80.0),
            Entered(40.0),
        ),
        c(
            "resource-planning",
            "Capabilities-based, multi-year resource planning",
            "Shield the reform",
            (60.0, 85.0),
            Indicator("c4.1"),
        ),
        c(
            "public-information",
            "Answers to the public and the media",
            "Shield the reform",
            (45.0, 75.0),
            Indicator("c7.3"),
        ),
    ]
}

/// One option: key, name, years, cost per year to the treasury, the Union Development
/// Fund and the Nordic Partnership Agency (millions), and points added to capabilities.
struct Opt {
    key: &'static str,
    name: &'static str,
    years: u32,
    cost: (f64, f64, f64),
    adds: &'static [(&'static str, f64)],
}

/// One programme of the portfolio.
struct Prog {
    key: &'static str,
    name: &'static str,
    field: ReformField,
    kind: ProgrammeKind,
    lead: &'static str,
    donors: &'static [&'static str],
    mandatory: bool,
    latest_start: Option<i32>,
    after: &'static [&'static str],
    gated_by: &'static [&'static str],
    /// OFFICIAL, with this justification, when not empty.
    official: &'static str,
    options: Vec<Opt>,
}

const UNION: &str = "Union Development Fund";
const NORDIC: &str = "Nordic Partnership Agency";

/// A full option and, when `phased` is true, a phased one: two more years at two thirds
/// of the yearly cost, reaching nine tenths of the effect.
fn opts(
    years: u32,
    cost: (f64, f64, f64),
    adds: &'static [(&'static str, f64)],
    phased: bool,
) -> Vec<Opt> {
    let mut v = vec![Opt {
        key: "full",
        name: "Full programme",
        years,
        cost,
        adds,
    }];
    if phased {
        let f = 2.0 / 3.0;
        v.push(Opt {
            key: "phased",
            name: "Phased over two more years",
            years: years + 2,
            cost: (cost.0 * f, cost.1 * f, cost.2 * f),
            adds,
        });
    }
    v
}

#[allow(clippy::too_many_lines)]
fn programmes() -> Vec<Prog> {
    use ProgrammeKind::{Institutional as I, Sectoral as S};
    let p = |key, name, field, kind, lead, options| Prog {
        key,
        name,
        field,
        kind,
        lead,
        donors: &[],
        mandatory: false,
        latest_start: None,
        after: &[],
        gated_by: &[],
        official: "",
        options,
    };
    vec![
        Prog {
            donors: &[UNION],
            ..p(
                "p-defcom-capacity",
                "Oversight capacity for the Defence and Security Committee",
                C,
                I,
                "Defence and Security Committee",
                opts(
                    3,
                    (0.9, 2.2, 0.0),
                    &[
                        ("budget-oversight", 20.0),
                        ("intelligence-oversight", 5.0),
                        ("resource-planning", 5.0),
                    ],
                    true,
                ),
            )
        },
        Prog {
            donors: &[UNION],
            ..p(
                "p-intel-law",
                "Intelligence oversight law",
                C,
                S,
                "Ministry of Justice",
                opts(2, (0.6, 1.1, 0.0), &[("intelligence-law", 35.0)], false),
            )
        },
        Prog {
            donors: &[UNION],
            after: &["p-intel-law"],
            ..p(
                "p-intel-committee",
                "Intelligence oversight committee of the National Assembly",
                C,
                I,
                "National Assembly",
                opts(
                    3,
                    (1.8, 1.8, 0.0),
                    &[("intelligence-oversight", 40.0)],
                    true,
                ),
            )
        },
        Prog {
            donors: &[UNION],
            ..p(
                "p-budget-transparency",
                "Security-sector budget transparency",
                C,
                S,
                "Ministry of Finance",
                opts(
                    3,
                    (1.3, 2.7, 0.0),
                    &[("budget-oversight", 25.0), ("resource-planning", 10.0)],
                    true,
                ),
            )
        },
        Prog {
            donors: &[UNION],
            ..p(
                "p-public-information",
                "Public information office and inquiry service",
                C,
                S,
                "National Security Council",
                opts(2, (1.1, 1.4, 0.0), &[("public-information", 30.0)], false),
            )
        },
        Prog {
            donors: &[UNION],
            ..p(
                "p-audit-security",
                "Security audits by the Court of Accounts",
                C,
                I,
                "Court of Accounts",
                opts(
                    3,
                    (0.9, 1.6, 0.0),
                    &[("budget-oversight", 15.0), ("procurement-integrity", 10.0)],
                    false,
                ),
            )
        },
        Prog {
            donors: &[UNION],
            ..p(
                "p-ombudsman-mandate",
                "Ombudsman mandate over the armed forces",
                C,
                I,
                "Ombudsman",
                opts(
                    2,
                    (0.7, 0.9, 0.0),
                    &[
                        ("public-information", 10.0),
                        ("police-professionalism", 5.0),
                    ],
                    false,
                ),
            )
        },
        Prog {
            donors: &[NORDIC],
            ..p(
                "p-civil-society-monitoring",
                "Civil society monitoring of the security sector",
                C,
                S,
                "Arvenian Centre for Security Studies",
                opts(
                    4,
                    (0.0, 0.0, 1.4),
                    &[("public-information", 10.0), ("budget-oversight", 8.0)],
                    false,
                ),
            )
        },
        Prog {
            donors: &[NORDIC],
            ..p(
                "p-media-training",
                "Security reporting training for journalists",
                C,
                S,
                "Arvenia Press Association",
                opts(2, (0.0, 0.0, 0.6), &[("public-information", 8.0)], false),
            )
        },
        Prog {
            donors: &[UNION],
            ..p(
                "p-nsc-planning",
                "Planning capacity of the National Security Council secretariat",
                C,
                I,
                "National Security Council",
                opts(3, (2.0, 1.4, 0.0), &[("resource-planning", 30.0)], true),
            )
        },
        Prog {
            donors: &[UNION],
            ..p(
                "p-security-mtef",
                "Multi-year budget framework for the security sector",
                C,
                S,
                "Ministry of Finance",
                opts(
                    3,
                    (1.5, 1.8, 0.0),
                    &[("resource-planning", 20.0), ("budget-oversight", 10.0)],
                    false,
                ),
            )
        },
        Prog {
            donors: &[NORDIC],
            ..p(
                "p-police-academy",
                "Police training academy reform",
                P,
                I,
                "National Police Service",
                opts(
                    4,
                    (6.5, 0.0, 2.2),
                    &[
                        ("police-professionalism", 35.0),
                        ("community-policing", 10.0),
                    ],
                    true,
                ),
            )
        },
        Prog {
            donors: &[NORDIC],
            after: &["p-police-academy"],
            ..p(
                "p-community-policing",
                "Community policing in the north",
                P,
                S,
                "National Police Service",
                opts(
                    4,
                    (4.4, 0.0, 3.7),
                    &[("community-policing", 40.0), ("youth-prevention", 10.0)],
                    true,
                ),
            )
        },
        Prog {
            donors: &[NORDIC],
            ..p(
                "p-police-complaints",
                "Independent police complaints body",
                P,
                I,
                "Ministry of the Interior",
                opts(
                    2,
                    (1.3, 0.0, 0.9),
                    &[
                        ("community-policing", 15.0),
                        ("police-professionalism", 5.0),
                    ],
                    false,
                ),
            )
        },
        p(
            "p-gendarmerie-order",
            "Public-order training for the gendarmerie",
            P,
            I,
            "National Gendarmerie",
            opts(
                3,
                (3.3, 0.0, 0.0),
                &[("police-professionalism", 10.0), ("crisis-response", 5.0)],
                false,
            ),
        ),
        Prog {
            after: &["p-regional-border"],
            ..p(
                "p-border-surveillance",
                "Border surveillance and joint border posts",
                P,
                S,
                "Border and Coast Guard",
                opts(
                    4,
                    (11.0, 0.0, 0.0),
                    &[("border-surveillance", 40.0), ("regional-cooperation", 5.0)],
                    true,
                ),
            )
        },
        p(
            "p-border-system",
            "Integrated border information system for border guard, customs, police and intelligence",
            P,
            S,
            "Border and Coast Guard",
            opts(3, (8.8, 0.0, 0.0), &[("border-information", 45.0)], false),
        ),
        p(
            "p-border-system-regional",
            "Adopt the regional organisation's border information system",
            P,
            S,
            "Customs Service",
            opts(2, (4.4, 0.0, 0.0), &[("border-information", 28.0)], false),
        ),
        Prog {
            gated_by: &["p-procurement-integrity"],
            ..p(
                "p-coastal-patrol",
                "Procurement of coastal patrol vessels",
                P,
                I,
                "Border and Coast Guard",
                opts(3, (13.0, 0.0, 0.0), &[("border-surveillance", 20.0)], false),
            )
        },
        p(
            "p-customs-risk",
            "Customs risk management at the ports",
            P,
            I,
            "Customs Service",
            opts(
                3,
                (4.0, 0.0, 0.0),
                &[("border-surveillance", 10.0), ("border-information", 10.0)],
                false,
            ),
        ),
        p(
            "p-armed-forces-nco",
            "Professional non-commissioned officers for the armed forces",
            P,
            I,
            "Armed Forces of Arvenia",
            opts(4, (5.5, 0.0, 0.0), &[("crisis-response", 10.0)], false),
        ),
        p(
            "p-cyber-cert",
            "National cyber incident response team",
            P,
            S,
            "Ministry of the Interior",
            opts(3, (7.7, 0.0, 0.0), &[("cyber-response", 45.0)], true),
        ),
        p(
            "p-cyber-ministries",
            "Cyber hygiene in the ministries",
            P,
            S,
            "Ministry of Finance",
            opts(2, (2.6, 0.0, 0.0), &[("cyber-response", 15.0)], false),
        ),
        Prog {
            after: &["p-intel-law"],
            official: "it names a capability gap of the intelligence service",
            ..p(
                "p-intel-analysis",
                "Modernised threat analysis in the intelligence service",
                P,
                I,
                "State Intelligence Service",
                opts(
                    3,
                    (5.5, 0.0, 0.0),
                    &[("cyber-response", 10.0), ("border-information", 5.0)],
                    false,
                ),
            )
        },
        p(
            "p-flood-response",
            "Joint crisis response for floods",
            P,
            S,
            "Ministry of the Interior",
            opts(3, (4.8, 0.0, 0.0), &[("crisis-response", 35.0)], true),
        ),
        p(
            "p-crisis-centre",
            "National crisis coordination centre",
            P,
            S,
            "National Security Council",
            opts(
                2,
                (3.3, 0.0, 0.0),
                &[("crisis-response", 20.0), ("border-information", 5.0)],
                false,
            ),
        ),
        Prog {
            donors: &[NORDIC],
            ..p(
                "p-procurement-integrity",
                "Defence procurement integrity and offsets policy",
                C,
                S,
                "Ministry of Defence",
                opts(
                    2,
                    (1.8, 0.0, 1.0),
                    &[("procurement-integrity", 40.0)],
                    false,
                ),
            )
        },
        Prog {
            donors: &[NORDIC],
            ..p(
                "p-ethics-education",
                "Ethics and counter-corruption education for all services",
                P,
                S,
                "Ministry of Defence",
                opts(
                    4,
                    (1.1, 0.0, 1.5),
                    &[
                        ("procurement-integrity", 15.0),
                        ("police-professionalism", 10.0),
                    ],
                    true,
                ),
            )
        },
        Prog {
            donors: &[NORDIC],
            ..p(
                "p-asset-declarations",
                "Asset declarations of security officials",
                R,
                S,
                "Ministry of Justice",
                opts(
                    2,
                    (0.9, 0.0, 0.6),
                    &[("procurement-integrity", 10.0)],
                    false,
                ),
            )
        },
        Prog {
            donors: &[UNION],
            ..p(
                "p-judicial-authorisation",
                "Judicial authorisation of special investigative measures",
                R,
                S,
                "Supreme Court",
                opts(
                    2,
                    (0.9, 1.4, 0.0),
                    &[("intelligence-law", 20.0), ("intelligence-oversight", 10.0)],
                    false,
                ),
            )
        },
        Prog {
            donors: &[UNION],
            ..p(
                "p-organised-crime-unit",
                "Organised crime prosecution unit",
                R,
                I,
                "Public Prosecution Service",
                opts(
                    4,
                    (2.6, 2.7, 0.0),
                    &[("border-information", 10.0), ("regional-cooperation", 5.0)],
                    false,
                ),
            )
        },
        Prog {
            donors: &[UNION],
            ..p(
                "p-prison-rehabilitation",
                "Prison rehabilitation and disengagement programmes",
                R,
                I,
                "Prisons Service",
                opts(4, (2.2, 2.2, 0.0), &[("youth-prevention", 15.0)], false),
            )
        },
        Prog {
            donors: &[UNION],
            ..p(
                "p-legal-aid-north",
                "Legal aid and mobile courts in the north",
                R,
                S,
                "Ministry of Justice",
                opts(
                    3,
                    (1.3, 2.5, 0.0),
                    &[("community-policing", 10.0), ("youth-prevention", 10.0)],
                    false,
                ),
            )
        },
        Prog {
            donors: &[UNION],
            ..p(
                "p-security-legislation",
                "Review of the security legislation",
                R,
                S,
                "Ministry of Justice",
                opts(
                    2,
                    (0.7, 1.3, 0.0),
                    &[
                        ("intelligence-law", 10.0),
                        ("resource-planning", 5.0),
                        ("arms-control", 5.0),
                    ],
                    false,
                ),
            )
        },
        Prog {
            mandatory: true,
            latest_start: Some(2028),
            donors: &["UN country team"],
            ..p(
                "p-ddr-phase-2",
                "DDR phase 2 for the Northern Liberation Front",
                D,
                S,
                "National Security Council",
                opts(
                    4,
                    (8.8, 0.0, 0.0),
                    &[("reintegration", 45.0), ("arms-control", 10.0)],
                    false,
                ),
            )
        },
        p(
            "p-arms-registration",
            "Small-arms registration",
            D,
            S,
            "National Police Service",
            opts(2, (2.2, 0.0, 0.0), &[("arms-control", 20.0)], false),
        ),
        Prog {
            after: &["p-arms-registration"],
            ..p(
                "p-arms-destruction",
                "Small-arms collection and destruction",
                D,
                S,
                "Armed Forces of Arvenia",
                opts(2, (2.6, 0.0, 0.0), &[("arms-control", 20.0)], false),
            )
        },
        p(
            "p-mine-clearance",
            "Mine clearance in the northern districts",
            D,
            S,
            "Armed Forces of Arvenia",
            opts(
                5,
                (5.5, 0.0, 0.0),
                &[("reintegration", 10.0), ("youth-prevention", 5.0)],
                true,
            ),
        ),
        p(
            "p-regional-border",
            "Regional border security agreement",
            D,
            S,
            "National Security Council",
            opts(2, (0.9, 0.0, 0.0), &[("regional-cooperation", 35.0)], false),
        ),
        Prog {
            donors: &[NORDIC],
            ..p(
                "p-youth-prevention",
                "Prevention of violent extremism among displaced youth",
                D,
                S,
                "Ministry of the Interior",
                opts(4, (2.6, 0.0, 1.2), &[("youth-prevention", 40.0)], true),
            )
        },
        p(
            "p-economic-reintegration",
            "Economic reintegration of former combatants",
            D,
            S,
            "Ministry of Finance",
            opts(
                3,
                (3.3, 0.0, 0.0),
                &[("reintegration", 20.0), ("youth-prevention", 10.0)],
                false,
            ),
        ),
    ]
}

/// Programmes the Nordic Partnership Agency may fund: police reform, integrity and civil
/// society.
const NORDIC_PROGRAMMES: [&str; 9] = [
    "p-police-academy",
    "p-community-policing",
    "p-police-complaints",
    "p-procurement-integrity",
    "p-ethics-education",
    "p-asset-declarations",
    "p-civil-society-monitoring",
    "p-media-training",
    "p-youth-prevention",
];

/// How many programmes a lead actor can run at once.
const CAPACITIES: [(&str, u32); 6] = [
    ("National Police Service", 2),
    ("Border and Coast Guard", 2),
    ("Armed Forces of Arvenia", 2),
    ("Ministry of Justice", 3),
    ("National Security Council", 3),
    ("Ministry of the Interior", 3),
];

fn ramp(from: f64, to: f64) -> Vec<f64> {
    (0..YEARS)
        .map(|i| from + (to - from) * f64::from(i) / f64::from(YEARS - 1))
        .map(|v| (v * 10.0).round() / 10.0)
        .collect()
}

fn day(s: &str) -> Result<NaiveDate, StoreError> {
    s.parse().map_err(invalid)
}

/// Adds the demo's planning unless the workspace has a planning horizon already.
/// Returns true when anything was added.
pub(crate) async fn ensure(store: &Store, workspace_slug: &str) -> Result<bool, StoreError> {
    let actor = Actor::System;
    let today = chrono::Utc::now().date_naive();
    let ws = store
        .list_workspaces()
        .await?
        .into_iter()
        .find(|w| w.slug.as_str() == workspace_slug)
        .ok_or_else(|| invalid("the demo workspace is missing"))?
        .id;
    if store.horizon(ws).await?.is_some() {
        return Ok(false);
    }
    let planner = store.user_by_username("planner").await?;
    let loader = &store
        .viewer(planner.id)
        .await?
        .ok_or_else(|| invalid("the demo planner is disabled"))?;
    let planner_actor = Actor::User {
        id: planner.id,
        username: planner.username.clone(),
    };
    store
        .set_horizon(
            &actor,
            loader,
            ws,
            Horizon {
                first_year: FIRST_YEAR,
                years: YEARS,
                discount_rate: 0.03,
            },
        )
        .await?;

    let goals = store.list_goals(loader, today, ws).await?;
    let follow_up = store
        .list_assessments(loader, today, ws)
        .await?
        .into_iter()
        .find(|a| a.period == "2026")
        .ok_or_else(|| invalid("the demo's 2026 assessment is missing"))?;
    for c in caps() {
        let goal = goals
            .iter()
            .find(|g| g.title.starts_with(c.goal))
            .ok_or_else(|| invalid(format!("demo capability names an unknown goal: {}", c.goal)))?
            .id;
        let current = match c.current {
            Current::Entered(v) => CurrentLevel::Entered {
                levels: vec![v; YEARS as usize],
            },
            Current::Indicator(i) => CurrentLevel::Indicator {
                assessment: follow_up.id,
                indicator: i.into(),
            },
        };
        store
            .create_capability(
                &actor,
                loader,
                today,
                ws,
                CapabilityInput {
                    goal,
                    fields: CapabilityFields {
                        key: c.key.into(),
                        name: c.name.into(),
                        description: String::new(),
                        required: ramp(c.required.0, c.required.1),
                        current,
                    },
                },
            )
            .await?;
    }

    let union_until = 2031;
    let sources = [
        (
            "treasury",
            "National treasury",
            vec![30.0 * M; YEARS as usize],
            vec![],
            false,
        ),
        (
            "union",
            UNION,
            (0..YEARS as i32)
                .map(|i| {
                    if FIRST_YEAR + i <= union_until {
                        15.0 * M
                    } else {
                        0.0
                    }
                })
                .collect(),
            vec![C, R],
            true,
        ),
        (
            "nordic",
            NORDIC,
            vec![8.0 * M; YEARS as usize],
            vec![],
            true,
        ),
    ];
    for (key, name, ceilings, fields, carry_over) in sources.clone() {
        store
            .save_source(
                &actor,
                loader,
                chrono::Utc::now().date_naive(),
                ws,
                SourceFields {
                    key: key.into(),
                    name: name.into(),
                    ceilings,
                    eligible_fields: fields,
                    carry_over,
                },
                vec![],
            )
            .await?;
    }

    let actors: BTreeMap<String, ActorId> = store
        .all_actors(loader, today, ws)
        .await?
        .into_iter()
        .map(|a| (a.fields.name, a.id))
        .collect();
    let actor_id = |name: &str| {
        actors
            .get(name)
            .copied()
            .ok_or_else(|| invalid(format!("demo programme names an unknown actor: {name}")))
    };
    let all = programmes();
    // Programmes first, then their links (a programme may wait for one listed after it).
    for pr in &all {
        let classification = if pr.official.is_empty() {
            Classification::public()
        } else {
            Classification::new(
                Level::Official,
                Default::default(),
                Some(pr.official.into()),
                None,
                Level::Public,
            )
            .map_err(invalid)?
        };
        store
            .create_programme(
                &actor,
                loader,
                today,
                ws,
                ProgrammeInput {
                    fields: ProgrammeFields {
                        key: pr.key.into(),
                        name: pr.name.into(),
                        description: String::new(),
                        kind: pr.kind,
                        field: pr.field,
                        mandatory: pr.mandatory,
                        earliest_start: None,
                        latest_start: pr.latest_start,
                    },
                    lead_actor: Some(actor_id(pr.lead)?),
                    partners: Default::default(),
                    donors: pr
                        .donors
                        .iter()
                        .map(|d| actor_id(d))
                        .collect::<Result<_, _>>()?,
                    after: Default::default(),
                    gated_by: Default::default(),
                    classification,
                },
            )
            .await?;
        for o in &pr.options {
            let mut costs = Vec::new();
            for (source, per_year) in [
                ("treasury", o.cost.0),
                ("union", o.cost.1),
                ("nordic", o.cost.2),
            ] {
                if per_year > 0.0 {
                    costs.push(SourceCost {
                        source: source.into(),
                        per_year: vec![(per_year * M).round(); o.years as usize],
                    });
                }
            }
            let contributions = o
                .adds
                .iter()
                .map(|(cap, points)| Contribution {
                    capability: (*cap).into(),
                    per_year: (1..=o.years)
                        .map(|i| {
                            let share = f64::from(i) / f64::from(o.years);
                            let full = if o.key == "phased" {
                                points * 0.9
                            } else {
                                *points
                            };
                            (full * share * 10.0).round() / 10.0
                        })
                        .collect(),
                })
                .collect();
            store
                .save_option(
                    &actor,
                    loader,
                    today,
                    ws,
                    OptionEdit {
                        programme: pr.key.into(),
                        editing: None,
                        fields: OptionFields {
                            key: o.key.into(),
                            name: o.name.into(),
                            duration: o.years,
                            costs,
                            contributions,
                        },
                    },
                )
                .await?;
        }
    }
    for pr in all
        .iter()
        .filter(|p| !p.after.is_empty() || !p.gated_by.is_empty())
    {
        let current = store
            .get_programme(loader, today, ws, pr.key)
            .await?
            .ok_or_else(|| invalid(format!("demo programme {} is missing", pr.key)))?;
        store
            .update_programme(
                &actor,
                loader,
                today,
                ws,
                pr.key,
                ProgrammeInput {
                    fields: current.fields,
                    lead_actor: current.lead_actor.map(|a| a.id),
                    partners: Default::default(),
                    donors: current.donors.iter().map(|a| a.id).collect(),
                    after: pr.after.iter().map(|s| (*s).to_owned()).collect(),
                    gated_by: pr.gated_by.iter().map(|s| (*s).to_owned()).collect(),
                    classification: current.classification,
                },
            )
            .await?;
    }
    let (key, name, ceilings, fields, carry_over) = sources[2].clone();
    store
        .save_source(
            &actor,
            loader,
            chrono::Utc::now().date_naive(),
            ws,
            SourceFields {
                key: key.into(),
                name: name.into(),
                ceilings,
                eligible_fields: fields,
                carry_over,
            },
            NORDIC_PROGRAMMES.iter().map(|s| (*s).to_owned()).collect(),
        )
        .await?;
    store
        .create_exclusion(
            &actor,
            loader,
            today,
            ws,
            ExclusionFields {
                name: "One border information system".into(),
                programmes: vec![
                    "p-border-system".to_owned(),
                    "p-border-system-regional".to_owned(),
                ],
            },
        )
        .await?;
    for (name, max) in CAPACITIES {
        store
            .set_capacity(&actor, loader, today, ws, actor_id(name)?, max)
            .await?;
    }
    store
        .set_minimum_share(
            &actor,
            loader,
            ws,
            MinimumShare {
                of: ShareOf::Field(C),
                share: 0.12,
            },
        )
        .await?;

    for scenario in scenarios() {
        store.save_scenario(&actor, loader, ws, scenario).await?;
    }
    ensure_plans(store, &planner_actor, loader, ws).await?;
    Ok(true)
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            key: "baseline".into(),
            name: "Baseline".into(),
            description: "The budgets as the Ministry of Finance and the donors announced them in 2026.".into(),
            assumptions: vec![],
        },
        Scenario {
            key: "treasury-minus-20".into(),
            name: "Treasury −20%".into(),
            description: "The treasury's reform envelope falls from 30 to 24 million USD a year, as the Ministry of Finance warned it might if revenues stay low.".into(),
            assumptions: vec![Assumption::Factor {
                source: "treasury".into(),
                from_year: FIRST_YEAR,
                factor: 0.8,
            }],
        },
        Scenario {
            key: "nordic-leaves-2030".into(),
            name: "Nordic Partnership Agency leaves in 2030".into(),
            description: "The Nordic Partnership Agency ends its country programme after 2029.".into(),
            assumptions: vec![Assumption::Leaves {
                source: "nordic".into(),
                from_year: 2030,
            }],
        },
    ]
}

/// The time limit of the demo's solves: enough for a good plan, short enough for a quick
/// demo. The two plans are solved at once, one per core. The gap reached is shown on the
/// plan's page.
const DEMO_SETTINGS: SolveSettings = SolveSettings {
    time_limit_seconds: 10.0,
    relative_gap: 0.005,
};

/// Optimises the baseline plan and the "treasury −20%" plan at once, has parliament
/// approve the baseline in 2026, and keeps the other beside it as a draft.
async fn ensure_plans(
    store: &Store,
    planner: &Actor,
    loader: &Viewer,
    ws: custodes_core::WorkspaceId,
) -> Result<(), StoreError> {
    let solve = |scenario: &str, name: &str| OptimiseRequest {
        scenario: scenario.into(),
        name: name.into(),
        settings: DEMO_SETTINGS,
    };
    let submitted = day("2026-06-02")?;
    let approved = day("2026-07-09")?;
    let baseline = prepare(
        store,
        loader,
        submitted,
        ws,
        solve("baseline", "Security Sector Reform Plan 2027–2036"),
    )
    .await
    .map_err(|e| invalid(format!("the demo's baseline plan: {e}")))?;
    let cut = prepare(
        store,
        loader,
        chrono::Utc::now().date_naive(),
        ws,
        solve(
            "treasury-minus-20",
            "Treasury −20%: plan if the envelope is cut",
        ),
    )
    .await
    .map_err(|e| invalid(format!("the demo's treasury −20% plan: {e}")))?;
    let stop = Stop::new();
    let (baseline, cut) = tokio::join!(
        solve_prepared(baseline, |_| {}, &stop),
        solve_prepared(cut, |_| {}, &stop)
    );
    let baseline = baseline.map_err(|e| invalid(format!("the demo's baseline plan: {e}")))?;
    let cut = cut.map_err(|e| invalid(format!("the demo's treasury −20% plan: {e}")))?;
    let plan = save_solved(store, planner, loader, ws, baseline)
        .await
        .map_err(|e| invalid(format!("the demo's baseline plan: {e}")))?;
    store
        .change_plan_status(planner, loader, submitted, plan.id, PlanStep::Submit)
        .await?;
    let mp = store.user_by_username("mp").await?;
    let mp_viewer = store
        .viewer(mp.id)
        .await?
        .ok_or_else(|| invalid("the demo member of parliament is disabled"))?;
    store
        .change_plan_status(
            &Actor::User {
                id: mp.id,
                username: mp.username.clone(),
            },
            &mp_viewer,
            approved,
            plan.id,
            PlanStep::Approve {
                approved_on: approved,
                reference: "NA/RES/2026/41".into(),
            },
        )
        .await?;
    save_solved(store, planner, loader, ws, cut)
        .await
        .map_err(|e| invalid(format!("the demo's treasury −20% plan: {e}")))?;
    Ok(())
}
