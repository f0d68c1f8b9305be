//! The threat-first strategy and planning part of the leak test: each record of the leak
//! test has a threat and a programme with the same classification and canary, and a
//! public goal that answers the threat and the threat before it. Each threat names as
//! responders the record's actor and every actor before it, so that a threat a viewer may
//! read names actors the viewer may not. Each programme depends on the one before it and
//! is excluded with it (an exclusion named with the later one's canary), and each
//! record's actor has an absorptive capacity, so that the rules between programmes name
//! programmes and actors the viewer may not read. Two strategies, which are not
//! classified, are read by the public only once they leave their draft: one is in
//! consultation with a comment, the other was consulted on, commented and sent back to
//! draft. These are the routes to request and the counts, weights and answers to check.

use std::collections::BTreeSet;

use custodes_core::audit::Actor;
use custodes_core::policy::{Classification, Viewer};
use custodes_core::strategy::{
    GoalFields, Origin, Risk, Scope, SourceKind, StrategyFields, Target, ThreatFields, Transition,
    Trend, goal_weight,
};
use custodes_core::{ActorId, ThreatId, WorkspaceId};
use custodes_store::Store;
use custodes_store::goal::GoalInput;
use custodes_store::threat::ThreatInput;

/// Adds the threat of record `n` (with `canary` in every text field), with `responders`
/// (actor ids), and its goal, which also answers the previous threat. Returns the ids of
/// the threat and the goal.
#[allow(clippy::too_many_arguments)]
pub async fn add(
    store: &Store,
    loader: &Viewer,
    ws: WorkspaceId,
    canary: &str,
    n: usize,
    c: &Classification,
    previous: Option<&str>,
    responders: &[String],
) -> (String, String) {
    let threat = store
        .create_threat(
            &Actor::System,
            loader,
            chrono::Utc::now().date_naive(),
            ws,
            ThreatInput {
                fields: ThreatFields {
                    name: format!("Threat {canary} name"),
                    description: format!("{canary} threat description"),
                    origin: Origin::ALL[n % 3],
                    scope: Scope::Regional,
                    targets: [Target::Policy].into(),
                    source_kind: SourceKind::Criminal,
                    likelihood: risk(n).likelihood,
                    impact: risk(n).impact,
                    trend: Trend::Rising,
                    review_on: None,
                },
                classification: c.clone(),
                responders: responders
                    .iter()
                    .map(|a| a.parse::<ActorId>().unwrap())
                    .collect(),
            },
        )
        .await
        .unwrap();
    let mut threats: BTreeSet<ThreatId> = [threat.id].into();
    threats.extend(previous.map(|p| p.parse::<ThreatId>().unwrap()));
    let goal = store
        .create_goal(
            &Actor::System,
            loader,
            chrono::Utc::now().date_naive(),
            ws,
            GoalInput {
                fields: GoalFields {
                    title: format!("Public goal {n}"),
                    description: String::new(),
                    weight_override: None,
                },
                threats,
                deficits: BTreeSet::new(),
            },
        )
        .await
        .unwrap();
    let actor: ActorId = responders.last().unwrap().parse().unwrap();
    add_programme(store, loader, ws, canary, n, c, actor).await;
    (threat.id.to_string(), goal.to_string())
}

/// The risk of record `n`'s threat.
pub fn risk(n: usize) -> Risk {
    Risk::new((n % 5) as i64 + 1, ((n / 5) % 5) as i64 + 1)
}

/// The text that marks the strategy sent back to draft and its comment: the public must
/// never see it.
pub const DRAFT_MARKER: &str = "DRAFTMARK";

/// The two strategies: one in consultation, one sent back to draft.
pub struct Strategies {
    pub open: String,
    pub draft: String,
}

/// Adds the two strategies, each with a comment.
pub async fn add_strategies(store: &Store, loader: &Viewer, ws: WorkspaceId) -> Strategies {
    let today = chrono::Utc::now().date_naive();
    let mut ids = Vec::new();
    for (title, back_to_draft) in [
        ("Open strategy".to_owned(), false),
        (format!("Strategy {DRAFT_MARKER} title"), true),
    ] {
        let s = store
            .create_strategy(
                &Actor::System,
                loader,
                ws,
                StrategyFields {
                    title,
                    summary: String::new(),
                    body: String::new(),
                    review_years: 5,
                },
            )
            .await
            .unwrap();
        let step = Transition::OpenConsultation {
            opens_on: today,
            closes_on: today,
        };
        store
            .change_strategy_status(&Actor::System, loader, today, s.id, step)
            .await
            .unwrap();
        let body = if back_to_draft {
            format!("A comment {DRAFT_MARKER} made before it went back")
        } else {
            "A comment on the open strategy".to_owned()
        };
        store
            .comment_on_strategy(&Actor::System, loader, today, s.id, "Loader", &body)
            .await
            .unwrap();
        if back_to_draft {
            for step in [Transition::SendToParliament, Transition::ReturnToDraft] {
                store
                    .change_strategy_status(&Actor::System, loader, today, s.id, step)
                    .await
                    .unwrap();
            }
        }
        ids.push(s.id.to_string());
    }
    Strategies {
        draft: ids.pop().unwrap(),
        open: ids.pop().unwrap(),
    }
}

/// Checks what a response says about the strategies: the public never sees the draft, and
/// its API routes answer 404 to the public and 200 to anyone signed in; the strategy in
/// consultation is read by everyone.
pub fn check_strategies(viewer: &Viewer, s: &Strategies, path: &str, status: u16, text: &str) {
    if viewer.is_public() {
        assert!(
            !text.contains(DRAFT_MARKER) && !text.contains(&s.draft),
            "{path} shows the draft strategy to the public (status {status})"
        );
    }
    for suffix in ["", "/comments"] {
        if path == format!("/api/v1/strategies/{}{suffix}", s.draft) {
            let expected = if viewer.is_public() { 404 } else { 200 };
            assert_eq!(status, expected, "{path} for {viewer:?}");
        }
        if path == format!("/api/v1/strategies/{}{suffix}", s.open) {
            assert_eq!(status, 200, "{path} for {viewer:?}");
        }
    }
}

/// Adds programme `p-N` of record `n`, with `canary` in its name and description and the
/// record's classification, after setting the planning horizon for the first record.
/// The key of the programme of record `n`: its canary in lowercase, which a response
/// may hold only when the viewer may read the programme.
pub fn programme_key(n: usize) -> String {
    format!("p-cnry{n:04}")
}

/// Adds the programme of record `n`, with `canary` in its name and description and the
/// record's classification, after the programme before it, with an exclusion of the two
/// and a capacity of the record's actor. The first record also sets the planning
/// horizon, a funding source, a scenario and a minimum share.
async fn add_programme(
    store: &Store,
    loader: &Viewer,
    ws: WorkspaceId,
    canary: &str,
    n: usize,
    c: &Classification,
    actor: ActorId,
) {
    use custodes_core::framework::ReformField;
    use custodes_core::plan::{MinimumShare, ProgrammeKind, ShareOf};
    use custodes_core::planning::{
        Assumption, ExclusionFields, Horizon, ProgrammeFields, Scenario, SourceFields,
    };
    use custodes_store::programme::ProgrammeInput;
    let today = chrono::Utc::now().date_naive();
    if n == 0 {
        store
            .set_horizon(
                &Actor::System,
                loader,
                ws,
                Horizon {
                    first_year: 2027,
                    years: 5,
                    discount_rate: 0.03,
                },
            )
            .await
            .unwrap();
        store
            .save_source(
                &Actor::System,
                loader,
                chrono::Utc::now().date_naive(),
                ws,
                SourceFields {
                    key: "treasury".into(),
                    name: "Treasury".into(),
                    ceilings: vec![1.0e6; 5],
                    eligible_fields: vec![],
                    carry_over: false,
                },
                vec![],
            )
            .await
            .unwrap();
        store
            .create_scenario(
                &Actor::System,
                loader,
                ws,
                Scenario {
                    key: "base".into(),
                    name: "Base".into(),
                    description: String::new(),
                    assumptions: vec![Assumption::Factor {
                        source: "treasury".into(),
                        from_year: 2028,
                        factor: 0.9,
                    }],
                },
            )
            .await
            .unwrap();
        store
            .set_minimum_share(
                &Actor::System,
                loader,
                ws,
                MinimumShare {
                    of: ShareOf::Field(ReformField::RuleOfLaw),
                    share: 0.1,
                },
            )
            .await
            .unwrap();
    }
    let key = programme_key(n);
    let previous = n.checked_sub(1).map(programme_key);
    store
        .create_programme(
            &Actor::System,
            loader,
            today,
            ws,
            ProgrammeInput {
                fields: ProgrammeFields {
                    key: key.clone(),
                    name: format!("Programme {canary} name"),
                    description: format!("{canary} programme description"),
                    kind: ProgrammeKind::Sectoral,
                    field: ReformField::ALL[n % 4],
                    mandatory: false,
                    earliest_start: None,
                    latest_start: None,
                },
                lead_actor: None,
                partners: BTreeSet::new(),
                donors: BTreeSet::new(),
                after: previous.iter().cloned().collect(),
                gated_by: BTreeSet::new(),
                classification: c.clone(),
            },
        )
        .await
        .unwrap();
    if let Some(previous) = previous {
        store
            .create_exclusion(
                &Actor::System,
                loader,
                today,
                ws,
                ExclusionFields {
                    name: format!("Exclusion {canary} name"),
                    programmes: vec![previous, key],
                },
            )
            .await
            .unwrap();
    }
    store
        .set_capacity(&Actor::System, loader, today, ws, actor, n as u32 + 1)
        .await
        .unwrap();
}

/// The pages (false) and API routes (true) of the strategy module, for records whose
/// threats and goals are given, and the two strategies.
pub fn routes(threats: &[&str], goals: &[&str], strategies: &Strategies) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = [
        ("/w/land/threats", false),
        ("/w/land/threats?q=CNRY", false),
        ("/w/land/threats?origin=external&trend=rising", false),
        (
            "/w/land/threats?source=criminal&scope=regional&page=2",
            false,
        ),
        ("/w/land/threats/matrix", false),
        ("/w/land/threats/new", false),
        ("/w/land/goals", false),
        ("/w/land/goals/new", false),
        ("/w/land/strategies", false),
        ("/admin/audit?entity_kind=threat", false),
        ("/api/v1/workspaces/land/threats?limit=500", true),
        (
            "/api/v1/workspaces/land/threats?q=CNRY&origin=internal",
            true,
        ),
        ("/api/v1/workspaces/land/threats/matrix", true),
        ("/api/v1/workspaces/land/goals", true),
        ("/api/v1/workspaces/land/strategies", true),
        ("/api/v1/audit?entity_kind=threat&limit=500", true),
    ]
    .into_iter()
    .map(|(p, api)| (p.to_owned(), api))
    .collect();
    for t in threats {
        out.push((format!("/w/land/threats/{t}"), false));
        out.push((format!("/w/land/threats/{t}/edit"), false));
        out.push((format!("/api/v1/threats/{t}"), true));
    }
    for (n, _) in threats.iter().enumerate() {
        let key = programme_key(n);
        out.push((format!("/w/land/planning/programmes/{key}"), false));
        out.push((format!("/w/land/planning/programmes/{key}/edit"), false));
    }
    out.extend(
        [
            ("/w/land/planning/programmes", false),
            ("/w/land/planning/programmes?field=rule_of_law", false),
            ("/w/land/planning", false),
            ("/w/land/planning/funding", false),
            ("/admin/audit?entity_kind=programme", false),
            ("/admin/audit?entity_kind=exclusion", false),
            ("/w/land/planning/exclusions/new", false),
            ("/w/land/planning/capacities/edit", false),
            ("/w/land/planning/shares/edit", false),
            ("/w/land/planning/shares/edit?of=field:rule_of_law", false),
            ("/w/land/planning/scenarios/new", false),
            ("/w/land/planning/scenarios/base/edit", false),
            ("/api/v1/workspaces/land/programmes", true),
            ("/api/v1/workspaces/land/plans", true),
            ("/api/v1/workspaces/land/exclusions", true),
            ("/api/v1/workspaces/land/capacities", true),
            ("/api/v1/workspaces/land/minimum-shares", true),
            ("/api/v1/workspaces/land/scenarios", true),
            ("/api/v1/workspaces/land/scenarios/base", true),
            ("/api/v1/audit?entity_kind=exclusion&limit=500", true),
        ]
        .into_iter()
        .map(|(p, api)| (p.to_owned(), api)),
    );
    for g in goals {
        out.push((format!("/w/land/goals/{g}"), false));
        out.push((format!("/w/land/goals/{g}/edit"), false));
        out.push((format!("/api/v1/goals/{g}"), true));
    }
    for s in [&strategies.open, &strategies.draft] {
        out.push((format!("/w/land/strategies/{s}"), false));
        out.push((format!("/api/v1/strategies/{s}"), true));
        out.push((format!("/api/v1/strategies/{s}/comments"), true));
    }
    out
}

/// Checks each goal's computed weight: the rule applied to the threats the viewer may
/// read among those the goal answers (goal `n` answers threats `n` and `n - 1`), so that
/// a weight never reveals a threat the viewer may not read.
pub fn check_weights(
    viewer: &Viewer,
    threats: &[&str],
    goals: &[&str],
    readable: &BTreeSet<String>,
    goals_api: &str,
) {
    let listed = json(goals_api);
    for (n, goal) in goals.iter().enumerate() {
        let risks: Vec<Risk> = [Some(n), n.checked_sub(1)]
            .into_iter()
            .flatten()
            .filter(|t| readable.contains(threats[*t]))
            .map(risk)
            .collect();
        let expected = goal_weight(&risks).thousandths() as f64 / 1000.0;
        let item = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == *goal)
            .unwrap_or_else(|| panic!("goal {goal} missing for {viewer:?}"));
        assert_eq!(
            item["weight"]["computed"].as_f64(),
            Some(expected),
            "weight of goal {n} for {viewer:?}"
        );
    }
}

/// The JSON of a response whose headers come first.
pub fn json(text: &str) -> serde_json::Value {
    let start = text.find(['{', '[']).unwrap();
    serde_json::from_str(&text[start..]).unwrap()
}

/// Checks the counts the viewer is given: the API's total, the matrix's cells and the
/// goals' threats must be exactly what the viewer may read.
pub fn check_counts(
    viewer: &Viewer,
    readable: &BTreeSet<String>,
    threats_api: &str,
    matrix_api: &str,
    goals_api: &str,
    register_page: &str,
) {
    assert_eq!(
        json(threats_api)["total"],
        readable.len(),
        "threat count for {viewer:?}"
    );
    let cells = json(matrix_api);
    let mut in_matrix = BTreeSet::new();
    let mut counted = 0;
    for cell in cells.as_array().unwrap() {
        counted += cell["count"].as_u64().unwrap() as usize;
        for t in cell["threats"].as_array().unwrap() {
            in_matrix.insert(t.as_str().unwrap().to_owned());
        }
    }
    assert_eq!(counted, readable.len(), "matrix count for {viewer:?}");
    assert_eq!(&in_matrix, readable, "matrix threats for {viewer:?}");
    for goal in json(goals_api).as_array().unwrap() {
        for t in goal["threats"].as_array().unwrap() {
            let id = t["id"].as_str().unwrap();
            assert!(
                readable.contains(id),
                "goal names hidden {id} to {viewer:?}"
            );
        }
    }
    let noun = if readable.len() == 1 {
        "threat"
    } else {
        "threats"
    };
    assert!(
        register_page.contains(&format!("{} {noun}", readable.len())),
        "register count for {viewer:?}"
    );
}

/// Checks the responders the API gives each threat: exactly the actors the viewer may read
/// among those linked. `expected` holds, for each threat the viewer may read, those actors.
pub fn check_responders(
    viewer: &Viewer,
    expected: &[(String, BTreeSet<String>)],
    threats_api: &str,
) {
    let page = json(threats_api);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), expected.len(), "threats listed to {viewer:?}");
    for (threat, actors) in expected {
        let item = items
            .iter()
            .find(|i| i["id"] == threat.as_str())
            .unwrap_or_else(|| panic!("threat {threat} missing for {viewer:?}"));
        let named: BTreeSet<String> = item["responders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(&named, actors, "responders of {threat} for {viewer:?}");
    }
}

/// Checks the rules between programmes the viewer is given: exactly the exclusions whose
/// two programmes the viewer may read (record `n`'s exclusion joins programmes `n - 1` and
/// `n`), and exactly the capacities of the actors the viewer may read. `readable` holds
/// the indexes of the records the viewer may read, and `actors` their actors' ids.
pub fn check_rules(
    viewer: &Viewer,
    readable: &BTreeSet<usize>,
    actors: &BTreeSet<String>,
    exclusions_api: &str,
    capacities_api: &str,
) {
    let expected: BTreeSet<Vec<String>> = readable
        .iter()
        .filter(|n| **n > 0 && readable.contains(&(**n - 1)))
        .map(|n| vec![programme_key(n - 1), programme_key(*n)])
        .collect();
    let listed: BTreeSet<Vec<String>> = json(exclusions_api)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["programmes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k.as_str().unwrap().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(listed, expected, "exclusions for {viewer:?}");
    let capacities: BTreeSet<String> = json(capacities_api)
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["actor"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(&capacities, actors, "capacities for {viewer:?}");
}
