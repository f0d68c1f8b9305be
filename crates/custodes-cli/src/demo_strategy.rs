//! Arvenia's threat-first strategy in the demo: the threat register (one threat
//! CONFIDENTIAL, one SECRET in the Defence and Security Committee's compartment), the goals
//! derived from it, the National Security Strategy approved by the National Assembly in
//! 2024, the Defence White Paper of 2017 now overdue for review, and a border strategy in
//! public consultation with comments.
//!
//! Everything is created through the ordinary use-cases, as the demo's loader. The steps of
//! past life cycles are taken on the days they happened (the store's use-cases take the
//! day as an argument), so the 2024 strategy went through consultation in 2024.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use custodes_core::audit::Actor;
use custodes_core::policy::{Classification, Viewer};
use custodes_core::strategy::{
    Deficit, GoalFields, Origin, Scope, SourceKind, StrategyFields, Target, ThreatFields,
    Transition, Trend, Weight, WeightOverride,
};
use custodes_core::{ActorId, CompartmentId, Level, Role, StrategyId, ThreatId, WorkspaceId};
use custodes_store::goal::GoalInput;
use custodes_store::threat::ThreatInput;
use custodes_store::{Store, StoreError};

use Origin::{External, Internal, Mixed};
use SourceKind as K;
use Target::{Business, Policy, StateInstitutions, WayOfLife};
use Trend::{Falling, Rising, Stable};

/// One demo threat: name, description, origin, scope, targets, kind of source,
/// likelihood, impact, trend, the actors that must respond (by name, from the sector map
/// of `demo.rs`), level, compartment (short name) and justification.
struct DemoThreat {
    name: &'static str,
    description: &'static str,
    origin: Origin,
    scope: Scope,
    targets: &'static [Target],
    source: SourceKind,
    likelihood: i64,
    impact: i64,
    trend: Trend,
    responders: &'static [&'static str],
    level: Level,
    compartment: Option<&'static str>,
    justification: &'static str,
}

const fn threat(
    name: &'static str,
    description: &'static str,
    (origin, scope): (Origin, Scope),
    targets: &'static [Target],
    source: SourceKind,
    (likelihood, impact, trend): (i64, i64, Trend),
    responders: &'static [&'static str],
) -> DemoThreat {
    DemoThreat {
        name,
        description,
        origin,
        scope,
        targets,
        source,
        likelihood,
        impact,
        trend,
        responders,
        level: Level::Public,
        compartment: None,
        justification: "",
    }
}

fn threats() -> Vec<DemoThreat> {
    vec![
        threat(
            "Cross-border arms trafficking and spill-over from the neighbour's civil war",
            "Weapons from the civil war next door cross the long, thinly guarded eastern border; armed groups use Arvenian territory to rest and resupply.",
            (External, Scope::Regional),
            &[StateInstitutions, WayOfLife],
            K::NonStateArmed,
            (4, 4, Rising),
            &[
                "Border and Coast Guard",
                "Customs Service",
                "National Police Service",
                "State Intelligence Service",
            ],
        ),
        threat(
            "Insurgent remnants of the Northern Liberation Front",
            "Fighters who did not disarm under the 2019 peace agreement still hold two northern districts, tax the roads and threaten those who joined the DDR programme.",
            (Internal, Scope::Local),
            &[StateInstitutions, Policy],
            K::NonStateArmed,
            (3, 4, Falling),
            &[
                "Armed Forces of Arvenia",
                "National Gendarmerie",
                "Northern Task Force",
                "State Intelligence Service",
            ],
        ),
        threat(
            "Organised crime at the ports and border crossings",
            "Drug trafficking, fuel smuggling and people trafficking through the ports and the main crossings, with protection bought from officials.",
            (Mixed, Scope::National),
            &[Business, StateInstitutions],
            K::Criminal,
            (4, 3, Rising),
            &[
                "National Police Service",
                "Customs Service",
                "Border and Coast Guard",
                "Public Prosecution Service",
                "Joint Border Intelligence Cell",
            ],
        ),
        threat(
            "Cyber attacks on state systems",
            "Ransomware took the ministry of finance's payment systems down for eleven days in 2025; tax, customs and police systems share the same weaknesses.",
            (External, Scope::Global),
            &[StateInstitutions, Business],
            K::Technological,
            (4, 3, Rising),
            &[
                "National Security Council",
                "State Intelligence Service",
                "National Police Service",
                "Ministry of Finance",
            ],
        ),
        threat(
            "Seasonal floods",
            "Floods displace tens of thousands every rainy season, cut the northern roads and stretch the armed forces, the gendarmerie and local government at once.",
            (Internal, Scope::National),
            &[WayOfLife, Business],
            K::Natural,
            (5, 3, Rising),
            &[
                "Armed Forces of Arvenia",
                "National Gendarmerie",
                "National Police Service",
                "Ministry of the Interior",
            ],
        ),
        threat(
            "Corruption in defence procurement",
            "Purchases such as the two patrol aircraft of 2023 go through \"urgent need\" procedures with a single bidder and offset agreements nobody audits.",
            (Internal, Scope::National),
            &[Policy, StateInstitutions],
            K::Criminal,
            (4, 3, Stable),
            &[
                "Ministry of Defence",
                "General Inspectorate of the Armed Forces",
                "Court of Accounts",
                "Public Prosecution Service",
                "Defence and Security Committee",
            ],
        ),
        threat(
            "Violent extremism recruiting among displaced youth",
            "Extremist networks from across the border recruit young people in the displacement camps and in the northern towns, where jobs and trust in the police are scarce.",
            (Mixed, Scope::Regional),
            &[WayOfLife, Policy],
            K::Terrorist,
            (3, 4, Rising),
            &[
                "National Police Service",
                "National Gendarmerie",
                "State Intelligence Service",
                "Ministry of the Interior",
            ],
        ),
        DemoThreat {
            level: Level::Official,
            justification: "Planning figures shared with the UN country team under a working agreement",
            ..threat(
                "Refugee flows overwhelming the eastern districts",
                "A renewed offensive next door could bring 80,000 refugees within weeks to districts that already host the displaced from the north.",
                (External, Scope::Regional),
                &[WayOfLife, Policy],
                K::Other,
                (3, 3, Rising),
                &[
                    "Border and Coast Guard",
                    "Ministry of the Interior",
                    "National Gendarmerie",
                    "UN country team",
                ],
            )
        },
        threat(
            "Economic shocks cutting the security budget",
            "A fall in commodity prices or a rise in fuel prices would cut revenue and squeeze the reform envelope first.",
            (External, Scope::Global),
            &[Policy, Business],
            K::Economic,
            (3, 3, Stable),
            &[
                "Ministry of Finance",
                "Budget Committee",
                "National Security Council",
                "Ministry of Defence",
            ],
        ),
        threat(
            "Epidemics in the displacement camps",
            "Cholera broke out in two camps after the 2024 floods; crowded camps and cut roads make every outbreak a security task.",
            (Internal, Scope::Local),
            &[WayOfLife],
            K::Health,
            (2, 3, Falling),
            &[
                "Ministry of the Interior",
                "Armed Forces of Arvenia",
                "National Gendarmerie",
                "UN country team",
            ],
        ),
        DemoThreat {
            level: Level::Confidential,
            justification: "Names the port authority units under investigation by the prosecution",
            ..threat(
                "Trafficking networks inside the Port Authority of Velmar",
                "Officials in two units of the port authority warn traffickers of inspections and release seized containers; the prosecution's investigation is under way.",
                (Mixed, Scope::Local),
                &[Business, StateInstitutions],
                K::Criminal,
                (3, 4, Rising),
                &[
                    "Public Prosecution Service",
                    "National Police Service",
                    "Customs Service",
                    "Joint Border Intelligence Cell",
                ],
            )
        },
        DemoThreat {
            level: Level::Secret,
            compartment: Some("defence-committee"),
            justification: "Drawn from intelligence reporting: disclosure would expose its sources",
            ..threat(
                "A neighbouring state's covert support to the insurgent remnants",
                "Reporting indicates that a neighbour's security service supplies the remnants of the Northern Liberation Front with money and radios to keep the north unstable.",
                (External, Scope::Regional),
                &[StateInstitutions, Policy],
                K::State,
                (2, 5, Rising),
                &[
                    "State Intelligence Service",
                    "Special Operations Directorate",
                    "Northern Task Force",
                    "National Security Council",
                ],
            )
        },
    ]
}

/// One demo goal: title, description, the threats it answers (by name), its deficits (by
/// key) and any override with its reason.
struct DemoGoal {
    title: &'static str,
    description: &'static str,
    threats: &'static [&'static str],
    deficits: &'static [&'static str],
    weight_override: Option<(&'static str, &'static str)>,
}

fn goals() -> Vec<DemoGoal> {
    vec![
        DemoGoal {
            title: "Secure the borders against trafficking and spill-over",
            description: "Joint border posts, surveillance of the eastern border and one border information system shared by the border guard, customs, police and intelligence.",
            threats: &[
                "Cross-border arms trafficking and spill-over from the neighbour's civil war",
                "Organised crime at the ports and border crossings",
                "Refugee flows overwhelming the eastern districts",
                "Trafficking networks inside the Port Authority of Velmar",
            ],
            deficits: &["chronic_underfunding", "ideal-security-sector/c2.5"],
            weight_override: None,
        },
        DemoGoal {
            title: "Complete the disarmament and reintegration of the Northern Liberation Front",
            description: "Phase 2 of DDR: the remaining fighters disarmed, weapons registered and destroyed, and the two northern districts back under civilian administration.",
            threats: &[
                "Insurgent remnants of the Northern Liberation Front",
                "A neighbouring state's covert support to the insurgent remnants",
            ],
            deficits: &["counterproductive_traditions", "ideal-security-sector/c5.5"],
            weight_override: None,
        },
        DemoGoal {
            title: "Protect state systems against cyber attack",
            description: "A national cyber incident response team and minimum security standards for the ministries' systems.",
            threats: &["Cyber attacks on state systems"],
            deficits: &["chronic_underfunding"],
            weight_override: None,
        },
        DemoGoal {
            title: "Respond jointly to floods and other civil emergencies",
            description: "One crisis response plan for the armed forces, gendarmerie, police and local government, exercised before every rainy season.",
            threats: &["Seasonal floods", "Epidemics in the displacement camps"],
            deficits: &["ideal-security-sector/c2.6"],
            weight_override: None,
        },
        DemoGoal {
            title: "Make defence procurement clean and open",
            description: "An offsets policy, competitive tendering as the rule, and every purchase above USD 5 million audited by the Court of Accounts and reported to the Defence and Security Committee.",
            threats: &["Corruption in defence procurement"],
            deficits: &[
                "corruption_low_effectiveness",
                "mentality_over_secrecy",
                "ideal-security-sector/c8.3",
            ],
            weight_override: Some((
                "0.8",
                "The National Security Council ranks procurement integrity as a precondition of every capability programme (decision NSC/2025/07): money lost to corruption is lost to every other goal.",
            )),
        },
        DemoGoal {
            title: "Prevent violent extremism among displaced youth",
            description: "Schooling, work and community policing in the camps and northern towns, with a referral service for families.",
            threats: &[
                "Violent extremism recruiting among displaced youth",
                "Refugee flows overwhelming the eastern districts",
            ],
            deficits: &["lack_of_public_confidence"],
            weight_override: None,
        },
        DemoGoal {
            title: "Bring the intelligence service under the law and parliament's oversight",
            description: "An intelligence act that sets the State Intelligence Service's mandate and limits, and a parliamentary committee with access to its budget and operations.",
            threats: &[
                "Violent extremism recruiting among displaced youth",
                "A neighbouring state's covert support to the insurgent remnants",
            ],
            deficits: &[
                "irrelevant_control",
                "poor_legislation",
                "ideal-security-sector/c3.1",
                "ideal-security-sector/c3.3",
            ],
            weight_override: None,
        },
        DemoGoal {
            title: "Rebuild trust between the police and northern communities",
            description: "Community policing in the north, recruitment from northern districts and an independent complaints channel, to raise trust in the police from 31% towards 50%.",
            threats: &[
                "Insurgent remnants of the Northern Liberation Front",
                "Violent extremism recruiting among displaced youth",
            ],
            deficits: &[
                "lack_of_public_confidence",
                "counterproductive_traditions",
                "ideal-security-sector/c5.3",
            ],
            weight_override: None,
        },
        DemoGoal {
            title: "Shield the reform from budget shocks",
            description: "Multi-year reform envelopes agreed with the treasury and parliament, so that a bad year delays programmes instead of cancelling them.",
            threats: &["Economic shocks cutting the security budget"],
            deficits: &["chronic_underfunding", "ideal-security-sector/c4.2"],
            weight_override: None,
        },
    ]
}

fn day(s: &str) -> Result<NaiveDate, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Invalid(format!("demo date '{s}'")))
}

fn invalid(e: impl ToString) -> StoreError {
    StoreError::Invalid(e.to_string())
}

/// Adds Arvenia's threats, goals and strategies, unless the register already has a
/// threat the public can read. Returns true when anything was added. The loader is the
/// planner, as for the sector map.
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
    if !store
        .list_threats(&Viewer::public(), today, ws, &Default::default())
        .await?
        .items
        .is_empty()
    {
        return Ok(false);
    }
    let planner = store.user_by_username("planner").await?;
    let loader = &store
        .viewer(planner.id)
        .await?
        .ok_or_else(|| invalid("the demo planner is disabled"))?;
    let compartments: BTreeMap<String, CompartmentId> = store
        .list_compartments(loader)
        .await?
        .into_iter()
        .map(|c| (c.slug, c.id))
        .collect();
    let actors: BTreeMap<String, ActorId> = store
        .all_actors(loader, today, ws)
        .await?
        .into_iter()
        .map(|a| (a.fields.name, a.id))
        .collect();
    let mut by_name: BTreeMap<&str, ThreatId> = BTreeMap::new();
    for t in threats() {
        let responders = t
            .responders
            .iter()
            .map(|n| {
                actors
                    .get(*n)
                    .copied()
                    .ok_or_else(|| invalid(format!("demo threat names an unknown actor: {n}")))
            })
            .collect::<Result<_, _>>()?;
        let review_on = today
            .checked_add_days(Days::new(if t.level == Level::Public { 180 } else { 90 }))
            .unwrap_or(today);
        let classification = Classification::new(
            t.level,
            t.compartment
                .and_then(|c| compartments.get(c).copied())
                .into_iter()
                .collect(),
            (!t.justification.is_empty()).then(|| t.justification.to_owned()),
            None,
            Level::Public,
        )
        .map_err(invalid)?;
        let created = store
            .create_threat(
                &actor,
                loader,
                today,
                ws,
                ThreatInput {
                    fields: ThreatFields {
                        name: t.name.into(),
                        description: t.description.into(),
                        origin: t.origin,
                        scope: t.scope,
                        targets: t.targets.iter().copied().collect(),
                        source_kind: t.source,
                        likelihood: t.likelihood,
                        impact: t.impact,
                        trend: t.trend,
                        review_on: Some(review_on),
                    },
                    classification,
                    responders,
                },
            )
            .await?;
        by_name.insert(t.name, created.id);
    }
    for g in goals() {
        let threats = g
            .threats
            .iter()
            .map(|n| {
                by_name
                    .get(n)
                    .copied()
                    .ok_or_else(|| invalid(format!("demo goal names an unknown threat: {n}")))
            })
            .collect::<Result<_, _>>()?;
        let deficits = g
            .deficits
            .iter()
            .map(|d| d.parse::<Deficit>().map_err(invalid))
            .collect::<Result<_, _>>()?;
        let weight_override = match g.weight_override {
            Some((w, reason)) => Some(WeightOverride {
                weight: Weight::parse(w).ok_or_else(|| invalid(format!("demo weight {w}")))?,
                reason: reason.into(),
            }),
            None => None,
        };
        store
            .create_goal(
                &actor,
                loader,
                today,
                ws,
                GoalInput {
                    fields: GoalFields {
                        title: g.title.into(),
                        description: g.description.into(),
                        weight_override,
                    },
                    threats,
                    deficits,
                },
            )
            .await?;
    }
    ensure_strategies(store, loader, ws, today).await?;
    Ok(true)
}

const NSS_BODY: &str = "Arvenia faces threats that cross its borders and its institutions at once: arms and armed groups from the civil war next door, the remnants of the northern insurgency, organised crime at the ports and crossings, attacks on the state's computer systems, and floods that displace tens of thousands every year.

This strategy starts from those threats, not from the structures that answer them. Each goal names the threats it answers and the deficits of the security sector it closes, and the plans that fund the goals follow from them.

The security sector serves the people of Arvenia. Its institutions act under the law, under civilian control and under the oversight of the National Assembly, and they account to the public for what they do and what they spend.

The National Security Council keeps the threat register and reports to the National Assembly each year on the goals and the plans. The strategy is reviewed within five years, or sooner if the threats change.";

/// A strategy taken through its life cycle, each step on the day it happened, and the
/// comments made during its consultation: (person, day, text).
struct History<'a> {
    consultation: Option<(&'a str, &'a str)>,
    comments: &'a [(&'a str, &'a str, &'a str)],
    sent_on: Option<&'a str>,
    approved: Option<(&'a str, &'a str)>,
}

async fn ensure_strategies(
    store: &Store,
    loader: &Viewer,
    ws: WorkspaceId,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let iso = |d: NaiveDate| d.to_string();
    let opened = iso(today.checked_sub_days(Days::new(20)).unwrap_or(today));
    let closes = iso(today.checked_add_days(Days::new(40)).unwrap_or(today));
    let documents: [(&str, &str, &str, i64, History<'_>); 3] = [
        (
            "Defence White Paper 2017",
            "The defence policy adopted after the 2016 ceasefire talks: the size and tasks of the armed forces, before the peace agreement and before today's threats.",
            "The armed forces are sized for the northern insurgency as it was in 2016. This white paper does not address organised crime, cyber attacks or the civil war in the neighbouring country, which began after it was adopted.",
            5,
            History {
                consultation: Some(("2016-10-03", "2016-11-30")),
                comments: &[],
                sent_on: Some("2016-12-15"),
                approved: Some(("2017-03-09", "NA/2017/022")),
            },
        ),
        (
            "National Security Strategy 2024–2029",
            "Arvenia's first security strategy debated in public and approved by the National Assembly. It replaces the strategy of 2012, which parliament never debated, and starts from the threats the country faces.",
            NSS_BODY,
            5,
            History {
                consultation: Some(("2024-03-01", "2024-05-31")),
                comments: &[
                    (
                        "assessor",
                        "2024-03-18",
                        "The draft names the threats well but says nothing about how the intelligence service will be overseen. Without that, the goal on extremism rests on a service nobody controls.",
                    ),
                    (
                        "mp",
                        "2024-04-22",
                        "The Defence and Security Committee asks that every goal be costed in the plan the Assembly votes on, and that the committee receive the plan's classified annex.",
                    ),
                    (
                        "donor",
                        "2024-05-14",
                        "The Nordic Partnership Agency welcomes the goal on police-community relations and asks for a baseline of public trust against which progress can be measured.",
                    ),
                ],
                sent_on: Some("2024-06-10"),
                approved: Some(("2024-11-14", "NA/2024/117")),
            },
        ),
        (
            "Border Security and Migration Strategy 2027–2031",
            "A sectoral strategy for the eastern and northern borders: joint border posts, one information system for all border agencies, and a regional border agreement.",
            "The borders are not frontiers: they cannot be sealed, and traffickers, armed groups and refugees cross the same roads. This strategy joins the border guard, customs, police and intelligence in one information system and one command at each crossing, and proposes a regional border security agreement with the neighbours.

It implements the first goal of the National Security Strategy, to secure the borders against trafficking and spill-over.",
            4,
            History {
                consultation: Some((&opened, &closes)),
                comments: &[
                    (
                        "officer",
                        "",
                        "Joint posts will only work if the customs and the border guard use the same radio network. The draft should say who pays for it.",
                    ),
                    (
                        "donor",
                        "",
                        "Please set out how refugees' rights are protected at the joint posts; the Agency can fund training on this.",
                    ),
                ],
                sent_on: None,
                approved: None,
            },
        ),
    ];
    for (title, summary, body, review_years, history) in documents {
        let s = store
            .create_strategy(
                &Actor::System,
                loader,
                ws,
                StrategyFields {
                    title: title.into(),
                    summary: summary.into(),
                    body: body.into(),
                    review_years,
                },
            )
            .await?;
        take_history(store, loader, s.id, &history, today).await?;
    }
    Ok(())
}

async fn take_history(
    store: &Store,
    loader: &Viewer,
    id: StrategyId,
    h: &History<'_>,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let actor = Actor::System;
    let Some((opens, closes)) = h.consultation else {
        return Ok(());
    };
    let (opens_on, closes_on) = (day(opens)?, day(closes)?);
    store
        .change_strategy_status(
            &actor,
            loader,
            opens_on,
            id,
            Transition::OpenConsultation {
                opens_on,
                closes_on,
            },
        )
        .await?;
    for (username, on, text) in h.comments {
        let person = store.user_by_username(username).await?;
        let viewer = store
            .viewer(person.id)
            .await?
            .ok_or_else(|| invalid(format!("the demo user {username} is disabled")))?;
        let on = if on.is_empty() { today } else { day(on)? };
        store
            .comment_on_strategy(
                &Actor::User {
                    id: person.id,
                    username: person.username.clone(),
                },
                &viewer,
                on,
                id,
                &person.display_name,
                text,
            )
            .await?;
    }
    if let Some(sent) = h.sent_on {
        store
            .change_strategy_status(&actor, loader, day(sent)?, id, Transition::SendToParliament)
            .await?;
    }
    if let Some((on, reference)) = h.approved {
        // Parliament's decision is recorded by the committee's member.
        let mp = store.user_by_username("mp").await?;
        let mp_viewer = store
            .viewer(mp.id)
            .await?
            .ok_or_else(|| invalid("the demo member of parliament is disabled"))?;
        debug_assert_eq!(mp_viewer.role, Some(Role::Parliament));
        store
            .change_strategy_status(
                &actor,
                &mp_viewer,
                day(on)?,
                id,
                Transition::Approve {
                    approved_on: day(on)?,
                    vote_reference: reference.into(),
                },
            )
            .await?;
    }
    Ok(())
}
