//! The demo country, the Republic of Arvenia: what `custodes demo` puts in a new database.
//!
//! Everything here is fictional. Each module adds its part of the story as it is built;
//! the people are one per role, with clearances that differ so that each sees a
//! different country.

use std::collections::BTreeSet;

use custodes_core::access::CompartmentKind;
use custodes_core::audit::Actor;
use custodes_core::policy::{Classification, Viewer};
use custodes_core::sector::{ActorFields, ActorKind, OversightKind, RelationKind};
use custodes_core::workspace::{Slug, WorkspaceKind};
use custodes_core::{Level, Role};
use custodes_store::actor::{ActorInput, ActorQuery};
use custodes_store::relation::NewRelation;
use custodes_store::user::NewUser;
use custodes_store::{Store, StoreError};

/// One demo person.
#[derive(Clone, Copy, Debug)]
pub struct DemoPerson {
    /// The name to sign in with.
    pub username: &'static str,
    /// Their name.
    pub name: &'static str,
    /// Where they work, in words.
    pub works_at: &'static str,
    /// Their role.
    pub role: Role,
    /// Their clearance.
    pub clearance: Level,
}

/// The demo workspace's short name.
pub const WORKSPACE_SLUG: &str = "arvenia";
/// The demo workspace's name.
pub const WORKSPACE_NAME: &str = "Republic of Arvenia";

/// One person per role.
pub const PEOPLE: [DemoPerson; 8] = [
    DemoPerson {
        username: "admin",
        name: "Mira Kostan",
        works_at: "Administrator of this instance",
        role: Role::Administrator,
        clearance: Level::Secret,
    },
    DemoPerson {
        username: "planner",
        name: "Tomas Ilvar",
        works_at: "National Security Council secretariat",
        role: Role::Planner,
        clearance: Level::Secret,
    },
    DemoPerson {
        username: "assessor",
        name: "Lena Osk",
        works_at: "Arvenian Centre for Security Studies",
        role: Role::Assessor,
        clearance: Level::Official,
    },
    DemoPerson {
        username: "reviewer",
        name: "Pieter Haag",
        works_at: "Peer reviewer, regional security organisation",
        role: Role::Reviewer,
        clearance: Level::Official,
    },
    DemoPerson {
        username: "officer",
        name: "Idris Branek",
        works_at: "Border and Coast Guard",
        role: Role::AgencyOfficer,
        clearance: Level::Confidential,
    },
    DemoPerson {
        username: "mp",
        name: "Sela Dorin",
        works_at: "Defence and Security Committee, National Assembly",
        role: Role::Parliament,
        clearance: Level::Secret,
    },
    DemoPerson {
        username: "donor",
        name: "Karin Lund",
        works_at: "Nordic Partnership Agency",
        role: Role::Donor,
        clearance: Level::Official,
    },
    DemoPerson {
        username: "auditor",
        name: "Joran Petrov",
        works_at: "Court of Accounts",
        role: Role::Auditor,
        clearance: Level::Confidential,
    },
];

/// The demo password of a demo person. Demo passwords are printed and predictable: a
/// demo database is for trying the product, never for real data.
pub fn password(username: &str) -> String {
    format!("{username}-arvenia-demo")
}

/// The demo's compartments: short name, name, kind, purpose, members.
const COMPARTMENTS: [(&str, &str, CompartmentKind, &str, &[&str]); 3] = [
    (
        "border-sharing",
        "Border information sharing group",
        CompartmentKind::SharingGroup,
        "Border guard, customs, police and intelligence share reports on cross-border trafficking",
        &["officer", "planner"],
    ),
    (
        "defence-committee",
        "Defence and Security Committee",
        CompartmentKind::Committee,
        "Members and staff of the National Assembly's committee",
        &["mp", "planner"],
    ),
    (
        "sis",
        "State Intelligence Service",
        CompartmentKind::Agency,
        "Officers of the intelligence service",
        &[],
    ),
];

/// An actor of the demo: name, kind, mandate, legal basis, personnel, budget (USD),
/// parent (by name), level, compartments (short names), justification.
struct DemoActor {
    name: &'static str,
    kind: ActorKind,
    mandate: &'static str,
    legal_basis: &'static str,
    personnel: Option<i64>,
    budget: Option<f64>,
    parent: Option<&'static str>,
    level: Level,
    compartments: &'static [&'static str],
    justification: &'static str,
}

const fn public(
    name: &'static str,
    kind: ActorKind,
    mandate: &'static str,
    legal_basis: &'static str,
    personnel: Option<i64>,
    budget: Option<f64>,
) -> DemoActor {
    DemoActor {
        name,
        kind,
        mandate,
        legal_basis,
        personnel,
        budget,
        parent: None,
        level: Level::Public,
        compartments: &[],
        justification: "",
    }
}

/// The sector map of Arvenia (DEMO.md), with records at every level. The gaps the checks
/// will find are in it: the intelligence service has no parliamentary oversight, the
/// Presidential Guard rests on a decree only, the Ombudsman has no mandate over the armed
/// forces.
fn actors() -> Vec<DemoActor> {
    use ActorKind as K;
    let mut v = vec![
        public(
            "Armed Forces of Arvenia",
            K::ArmedForces,
            "Defend the territory and support civil authorities in emergencies",
            "Constitution art. 94; Defence Act 2008",
            Some(21_500),
            Some(310e6),
        ),
        public(
            "National Police Service",
            K::Police,
            "Maintain public order, prevent and investigate crime",
            "Police Act 2011",
            Some(18_200),
            Some(145e6),
        ),
        public(
            "National Gendarmerie",
            K::Gendarmerie,
            "Policing in rural areas and along main roads; reinforcement of the police",
            "Gendarmerie Act 2011",
            Some(6_400),
            Some(52e6),
        ),
        public(
            "State Intelligence Service",
            K::Intelligence,
            "Collect and assess intelligence on threats to national security",
            "Intelligence Act 2014",
            None,
            None,
        ),
        public(
            "Border and Coast Guard",
            K::BorderGuard,
            "Guard land borders, the coast and crossing points",
            "Border Act 2016",
            Some(4_100),
            Some(38e6),
        ),
        public(
            "Customs Service",
            K::Customs,
            "Control goods crossing the border and collect duties",
            "Customs Code 2009",
            Some(2_300),
            Some(21e6),
        ),
        public(
            "Presidential Guard",
            K::PresidentialGuard,
            "Protect the President and state ceremonies",
            "",
            Some(1_200),
            None,
        ),
        public(
            "Prisons Service",
            K::PenalService,
            "Run the country's prisons and rehabilitation programmes",
            "Penal Execution Act 2005",
            Some(3_000),
            Some(24e6),
        ),
        public(
            "President of the Republic",
            K::HeadOfState,
            "Head of state and commander-in-chief",
            "Constitution art. 80",
            None,
            None,
        ),
        public(
            "National Security Council",
            K::SecurityCouncil,
            "Coordinate security policy; its secretariat runs the reform",
            "National Security Council Decree 2019",
            Some(45),
            Some(2.1e6),
        ),
        public(
            "Ministry of Defence",
            K::Ministry,
            "Policy, budget and administration of the armed forces",
            "Government Organisation Act 2010",
            Some(650),
            None,
        ),
        public(
            "Ministry of the Interior",
            K::Ministry,
            "Policy and administration of the police, gendarmerie and border guard",
            "Government Organisation Act 2010",
            Some(900),
            None,
        ),
        public(
            "Ministry of Justice",
            K::Ministry,
            "Justice policy, prosecution service administration and prisons",
            "Government Organisation Act 2010",
            Some(420),
            None,
        ),
        public(
            "Ministry of Finance",
            K::Ministry,
            "Prepare and execute the state budget, including security spending",
            "Public Finance Act 2012",
            Some(1_100),
            None,
        ),
        public(
            "National Assembly",
            K::Parliament,
            "Legislate, approve the budget and oversee the government",
            "Constitution art. 60",
            Some(180),
            None,
        ),
        public(
            "Budget Committee",
            K::ParliamentaryCommittee,
            "Scrutinise the draft budget and its execution",
            "Rules of Procedure of the National Assembly",
            None,
            None,
        ),
        public(
            "Supreme Court",
            K::Judiciary,
            "Highest court; reviews legality of executive acts",
            "Constitution art. 120",
            None,
            None,
        ),
        public(
            "Public Prosecution Service",
            K::Prosecution,
            "Prosecute crime, including crimes by security personnel",
            "Prosecution Act 2007",
            Some(600),
            None,
        ),
        public(
            "Court of Accounts",
            K::AuditInstitution,
            "Audit public spending, including the security sector",
            "Court of Accounts Act 2013",
            Some(210),
            Some(5.5e6),
        ),
        public(
            "Ombudsman",
            K::Ombudsman,
            "Receive complaints about the administration and the police (not the armed forces)",
            "Ombudsman Act 2015",
            Some(60),
            Some(1.2e6),
        ),
        public(
            "General Inspectorate of the Armed Forces",
            K::Inspectorate,
            "Inspect units for discipline, readiness and use of resources",
            "Defence Act 2008, art. 41",
            Some(85),
            None,
        ),
        public(
            "Arvenian Centre for Security Studies",
            K::CivilSocietyOrganisation,
            "Independent research and public debate on security policy",
            "",
            Some(25),
            None,
        ),
        public(
            "Citizens' Watch",
            K::CivilSocietyOrganisation,
            "Anti-corruption monitoring, including defence procurement",
            "",
            Some(40),
            None,
        ),
        public(
            "Arvenia Press Association",
            K::Media,
            "Association of journalists and media houses",
            "",
            None,
            None,
        ),
        public(
            "Northern Liberation Front (remnants)",
            K::NonStatutoryArmedGroup,
            "Armed group that rejected the 2019 peace agreement; holds two northern districts",
            "",
            Some(900),
            None,
        ),
        public(
            "Licensed private security companies",
            K::PrivateSecurity,
            "Guard premises and escort goods under licence",
            "Private Security Act 2017",
            Some(7_500),
            None,
        ),
        public(
            "Union Development Fund",
            K::InternationalPartner,
            "Donor: civil-democratic control and rule of law",
            "Framework agreement 2021",
            None,
            None,
        ),
        public(
            "Nordic Partnership Agency",
            K::InternationalPartner,
            "Donor: police reform, integrity and civil society",
            "Framework agreement 2022",
            None,
            None,
        ),
        public(
            "UN country team",
            K::InternationalPartner,
            "DDR support and human rights monitoring",
            "",
            None,
            None,
        ),
    ];
    v.push(DemoActor {
        parent: Some("National Assembly"),
        ..public(
            "Defence and Security Committee",
            K::ParliamentaryCommittee,
            "Oversee defence and security policy and spending",
            "Rules of Procedure of the National Assembly, art. 31",
            Some(15),
            None,
        )
    });
    v.push(DemoActor {
        parent: Some("Armed Forces of Arvenia"),
        level: Level::Official,
        justification: "Deployment details of an ongoing operation",
        ..public(
            "Northern Task Force",
            K::ArmedForces,
            "Joint army and gendarmerie task force holding the line of contact in the north",
            "Ministerial order 2023/17",
            Some(2_800),
            None,
        )
    });
    v.push(DemoActor {
        parent: Some("Border and Coast Guard"),
        level: Level::Confidential,
        compartments: &["border-sharing"],
        justification: "Reveals sources and methods against trafficking networks",
        ..public("Joint Border Intelligence Cell", K::BorderGuard, "Fuses reports of border guard, customs, police and intelligence on arms and drug trafficking", "Inter-agency agreement 2024", Some(35), Some(1.8e6))
    });
    v.push(DemoActor {
        parent: Some("State Intelligence Service"),
        level: Level::Secret,
        justification: "Existence and strength of a covert unit",
        ..public(
            "Special Operations Directorate",
            K::Intelligence,
            "Covert operations against insurgent and terrorist networks",
            "Classified decree 2016",
            Some(180),
            Some(12e6),
        )
    });
    v
}

/// Relations of the demo: from, how, to, note. The oversight is uneven on purpose (see
/// DEMO.md): no parliamentary body oversees the intelligence service or the Presidential
/// Guard, and the Ombudsman's mandate stops short of the armed forces.
fn relations() -> Vec<(&'static str, RelationKind, &'static str, &'static str)> {
    use OversightKind as O;
    use RelationKind as R;
    vec![
        (
            "Defence and Security Committee",
            R::Oversees(O::Legislative),
            "Armed Forces of Arvenia",
            "Hearings on defence policy",
        ),
        (
            "Defence and Security Committee",
            R::Oversees(O::Budgetary),
            "Ministry of Defence",
            "Gained access to the defence budget in 2025",
        ),
        (
            "Defence and Security Committee",
            R::Oversees(O::Legislative),
            "National Police Service",
            "",
        ),
        (
            "Defence and Security Committee",
            R::Oversees(O::Legislative),
            "National Gendarmerie",
            "",
        ),
        (
            "Defence and Security Committee",
            R::Oversees(O::Legislative),
            "Border and Coast Guard",
            "",
        ),
        (
            "Budget Committee",
            R::Oversees(O::Budgetary),
            "Ministry of Finance",
            "",
        ),
        (
            "Budget Committee",
            R::Oversees(O::Budgetary),
            "Ministry of the Interior",
            "",
        ),
        (
            "Budget Committee",
            R::Oversees(O::Budgetary),
            "Customs Service",
            "",
        ),
        (
            "Budget Committee",
            R::Oversees(O::Budgetary),
            "Prisons Service",
            "",
        ),
        (
            "Court of Accounts",
            R::Oversees(O::Independent),
            "Ministry of Defence",
            "Audits exclude the classified budget lines",
        ),
        (
            "Court of Accounts",
            R::Oversees(O::Independent),
            "Ministry of the Interior",
            "",
        ),
        (
            "Court of Accounts",
            R::Oversees(O::Independent),
            "Customs Service",
            "",
        ),
        (
            "Ombudsman",
            R::Oversees(O::Independent),
            "National Police Service",
            "Complaints about police conduct",
        ),
        (
            "Ombudsman",
            R::Oversees(O::Independent),
            "National Gendarmerie",
            "",
        ),
        (
            "Ombudsman",
            R::Oversees(O::Independent),
            "Prisons Service",
            "",
        ),
        (
            "General Inspectorate of the Armed Forces",
            R::Oversees(O::Independent),
            "Armed Forces of Arvenia",
            "",
        ),
        (
            "Ministry of Defence",
            R::Oversees(O::Executive),
            "Armed Forces of Arvenia",
            "",
        ),
        (
            "Ministry of the Interior",
            R::Oversees(O::Executive),
            "National Police Service",
            "",
        ),
        (
            "Ministry of the Interior",
            R::Oversees(O::Executive),
            "National Gendarmerie",
            "",
        ),
        (
            "Ministry of the Interior",
            R::Oversees(O::Executive),
            "Border and Coast Guard",
            "",
        ),
        (
            "Ministry of Finance",
            R::Oversees(O::Executive),
            "Customs Service",
            "",
        ),
        (
            "Ministry of Justice",
            R::Oversees(O::Executive),
            "Prisons Service",
            "",
        ),
        (
            "Public Prosecution Service",
            R::Oversees(O::Judicial),
            "National Police Service",
            "Crimes by police officers",
        ),
        (
            "President of the Republic",
            R::Oversees(O::Executive),
            "State Intelligence Service",
            "The only oversight of the service",
        ),
        (
            "President of the Republic",
            R::Oversees(O::Executive),
            "Presidential Guard",
            "",
        ),
        (
            "State Intelligence Service",
            R::ReportsTo,
            "President of the Republic",
            "",
        ),
        (
            "Presidential Guard",
            R::ReportsTo,
            "President of the Republic",
            "",
        ),
        (
            "Armed Forces of Arvenia",
            R::ReportsTo,
            "Ministry of Defence",
            "",
        ),
        (
            "National Security Council",
            R::CoordinatesWith,
            "Ministry of Defence",
            "",
        ),
        (
            "National Security Council",
            R::CoordinatesWith,
            "Ministry of the Interior",
            "",
        ),
        (
            "National Security Council",
            R::CoordinatesWith,
            "State Intelligence Service",
            "",
        ),
        (
            "Border and Coast Guard",
            R::CoordinatesWith,
            "Customs Service",
            "Joint border posts",
        ),
        (
            "Border and Coast Guard",
            R::CoordinatesWith,
            "National Police Service",
            "",
        ),
        (
            "Union Development Fund",
            R::Funds,
            "National Assembly",
            "Committee staff and research",
        ),
        ("Union Development Fund", R::Funds, "Court of Accounts", ""),
        (
            "Nordic Partnership Agency",
            R::Funds,
            "National Police Service",
            "Community policing in the north",
        ),
        (
            "Nordic Partnership Agency",
            R::Funds,
            "Citizens' Watch",
            "Procurement monitoring",
        ),
        (
            "UN country team",
            R::Funds,
            "Ministry of Defence",
            "DDR phase 2",
        ),
        (
            "Joint Border Intelligence Cell",
            R::ReportsTo,
            "Border and Coast Guard",
            "",
        ),
    ]
}

/// The demo's loader: the planner, cleared to SECRET and a member of the compartments the
/// demo's classified records use, so that the store lets it create and relate each record
/// through the same policy as everyone else.
async fn loader(store: &Store) -> Result<Viewer, StoreError> {
    let planner = store.user_by_username("planner").await?;
    store
        .viewer(planner.id)
        .await?
        .ok_or_else(|| StoreError::Invalid("the demo planner is disabled".into()))
}

/// Fills the database with the demo country, adding only what is missing, so that an
/// interrupted run completes on the next. Returns true when anything was added.
pub async fn ensure(store: &Store) -> Result<bool, StoreError> {
    let mut added = false;
    let actor = Actor::System;
    if !store
        .list_workspaces()
        .await?
        .iter()
        .any(|w| w.slug.as_str() == WORKSPACE_SLUG)
    {
        let slug = Slug::parse(WORKSPACE_SLUG).map_err(|e| StoreError::Invalid(e.to_string()))?;
        store
            .create_workspace(&actor, slug, WORKSPACE_NAME, WorkspaceKind::Country)
            .await?;
        added = true;
    }
    let existing = store.list_users().await?;
    for person in PEOPLE {
        if existing.iter().any(|u| u.username == person.username) {
            continue;
        }
        store
            .create_user(
                &actor,
                NewUser {
                    username: person.username.into(),
                    display_name: person.name.into(),
                    role: person.role,
                    clearance: person.clearance,
                    password: password(person.username),
                },
            )
            .await?;
        added = true;
    }
    added |= ensure_sector_map(store).await?;
    let ws = store
        .list_workspaces()
        .await?
        .into_iter()
        .find(|w| w.slug.as_str() == WORKSPACE_SLUG)
        .ok_or_else(|| StoreError::Invalid("the demo workspace is missing".into()))?;
    added |= crate::demo_assessments::ensure(store, ws.id).await?;
    added |= crate::demo_strategy::ensure(store, WORKSPACE_SLUG).await?;
    added |= crate::demo_planning::ensure(store, WORKSPACE_SLUG).await?;
    Ok(added)
}

async fn ensure_sector_map(store: &Store) -> Result<bool, StoreError> {
    let actor = Actor::System;
    let ws = store
        .list_workspaces()
        .await?
        .into_iter()
        .find(|w| w.slug.as_str() == WORKSPACE_SLUG)
        .ok_or_else(|| StoreError::Invalid("the demo workspace is missing".into()))?;
    let all = Viewer {
        user: None,
        role: Some(Role::Administrator),
        clearance: Level::Secret,
        compartments: BTreeSet::new(),
    };
    let mut by_slug = std::collections::BTreeMap::new();
    let existing = store.list_compartments(&all).await?;
    let mut added = false;
    for (slug, name, kind, purpose, members) in COMPARTMENTS {
        let id = match existing.iter().find(|c| c.slug == slug) {
            Some(c) => c.id,
            None => {
                let c = store
                    .create_compartment(&actor, slug, name, kind, purpose)
                    .await?;
                for m in members {
                    store.set_membership(&actor, c.id, m, true).await?;
                }
                added = true;
                c.id
            }
        };
        by_slug.insert(slug, id);
    }
    let boss = loader(store).await?;
    let today = chrono::Utc::now().date_naive();
    // Nobody can list every record (the policy has no exception), so the map counts as
    // loaded once any actor is visible to the public.
    let loaded = store
        .list_actors(
            &Viewer::public(),
            today,
            ws.id,
            &ActorQuery {
                limit: Some(1),
                ..ActorQuery::default()
            },
        )
        .await?
        .total
        > 0;
    if loaded {
        return Ok(added);
    }
    let mut names: std::collections::BTreeMap<String, custodes_core::ActorId> =
        std::collections::BTreeMap::new();
    for a in actors() {
        let compartments = a
            .compartments
            .iter()
            .filter_map(|s| by_slug.get(s).copied())
            .collect();
        let justification = (!a.justification.is_empty()).then(|| a.justification.to_owned());
        let classification =
            Classification::new(a.level, compartments, justification, None, Level::Public)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let input = ActorInput {
            fields: ActorFields {
                name: a.name.into(),
                kind: a.kind,
                mandate: a.mandate.into(),
                legal_basis: a.legal_basis.into(),
                personnel: a.personnel,
                budget: a.budget,
            },
            parent: a.parent.and_then(|p| names.get(p).copied()),
            classification,
        };
        let created = store
            .create_actor(&actor, &boss, today, ws.id, input)
            .await?;
        names.insert(a.name.to_owned(), created.id);
        added = true;
    }
    for (from, kind, to, note) in relations() {
        let (Some(&from), Some(&to)) = (names.get(from), names.get(to)) else {
            return Err(StoreError::Invalid(format!(
                "demo relation names an unknown actor: {from} or {to}"
            )));
        };
        store
            .create_relation(
                &actor,
                &boss,
                today,
                NewRelation {
                    from,
                    to,
                    kind,
                    note,
                },
            )
            .await?;
    }
    Ok(added)
}
