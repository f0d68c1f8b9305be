//! The security sector as the OECD two-pillar definition draws it: the institutions that
//! provide security (pillar 1), the civil authorities that control and oversee them
//! (pillar 2), and the actors around and outside the sector.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::access::UnknownName;

/// Where an actor stands relative to the sector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pillar {
    /// Pillar 1: state institutions with a formal mandate to ensure the safety of the
    /// state and its citizens.
    Providers,
    /// Pillar 2: the elected and appointed civil authorities that control and oversee
    /// them.
    ManagementAndOversight,
    /// Justice and rule-of-law bodies.
    Justice,
    /// Civil society and media, around the sector.
    CivilSociety,
    /// Armed groups outside the sector that contest the state's monopoly of violence.
    NonStatutory,
    /// International partners of the reform.
    International,
}

impl Pillar {
    /// Every pillar, in the order pictures and lists show them.
    pub const ALL: [Pillar; 6] = [
        Pillar::Providers,
        Pillar::ManagementAndOversight,
        Pillar::Justice,
        Pillar::CivilSociety,
        Pillar::NonStatutory,
        Pillar::International,
    ];

    /// The name shown to people.
    pub const fn label(self) -> &'static str {
        match self {
            Pillar::Providers => "Security providers",
            Pillar::ManagementAndOversight => "Management and oversight",
            Pillar::Justice => "Justice and rule of law",
            Pillar::CivilSociety => "Civil society and media",
            Pillar::NonStatutory => "Non-statutory armed groups",
            Pillar::International => "International partners",
        }
    }
}

macro_rules! actor_kinds {
    ($($variant:ident => $name:literal, $label:literal, $pillar:ident;)*) => {
        /// What kind of actor a sector-map entry is.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ActorKind {
            $(
                #[doc = $label]
                $variant,
            )*
        }

        impl ActorKind {
            /// Every kind, grouped by pillar.
            pub const ALL: &'static [ActorKind] = &[$(ActorKind::$variant),*];

            /// The stable name used in files, the database and the API.
            pub const fn as_str(self) -> &'static str {
                match self { $(ActorKind::$variant => $name,)* }
            }

            /// The name shown to people.
            pub const fn label(self) -> &'static str {
                match self { $(ActorKind::$variant => $label,)* }
            }

            /// Where this kind of actor stands.
            pub const fn pillar(self) -> Pillar {
                match self { $(ActorKind::$variant => Pillar::$pillar,)* }
            }
        }
    };
}

actor_kinds! {
    ArmedForces => "armed_forces", "Armed forces", Providers;
    Police => "police", "Police", Providers;
    Gendarmerie => "gendarmerie", "Gendarmerie", Providers;
    Intelligence => "intelligence", "Intelligence service", Providers;
    BorderGuard => "border_guard", "Border and coast guard", Providers;
    Customs => "customs", "Customs service", Providers;
    PresidentialGuard => "presidential_guard", "Presidential guard", Providers;
    PenalService => "penal_service", "Penal service", Providers;
    HeadOfState => "head_of_state", "Head of state or government", ManagementAndOversight;
    SecurityCouncil => "security_council", "National security council", ManagementAndOversight;
    Ministry => "ministry", "Ministry", ManagementAndOversight;
    Parliament => "parliament", "Parliament", ManagementAndOversight;
    ParliamentaryCommittee => "parliamentary_committee", "Parliamentary committee", ManagementAndOversight;
    AuditInstitution => "audit_institution", "Supreme audit institution", ManagementAndOversight;
    Ombudsman => "ombudsman", "Ombudsman", ManagementAndOversight;
    Inspectorate => "inspectorate", "Inspectorate", ManagementAndOversight;
    Judiciary => "judiciary", "Judiciary", Justice;
    Prosecution => "prosecution", "Prosecution service", Justice;
    CivilSocietyOrganisation => "civil_society", "Civil society organisation", CivilSociety;
    Media => "media", "Media", CivilSociety;
    NonStatutoryArmedGroup => "non_statutory_armed_group", "Non-statutory armed group", NonStatutory;
    PrivateSecurity => "private_security", "Private security company", NonStatutory;
    InternationalPartner => "international_partner", "International partner", International;
}

impl fmt::Display for ActorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ActorKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        ActorKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| UnknownName {
                what: "actor kind",
                given: s.to_owned(),
                expected: ActorKind::ALL
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// The text fields of an actor, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct ActorFields {
    /// The actor's name.
    pub name: String,
    /// Its kind.
    pub kind: ActorKind,
    /// What it is charged to do.
    pub mandate: String,
    /// The law or decree it rests on (a reference).
    pub legal_basis: String,
    /// Its strength in people.
    pub personnel: Option<i64>,
    /// Its annual budget, in US dollars.
    pub budget: Option<f64>,
}

/// A field that failed a check, named for the form or file that gave it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The field's name.
    pub field: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

impl ActorFields {
    /// Checks an actor's fields and returns every problem found.
    pub fn check(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        let mut bad = |field, message: &str| {
            problems.push(FieldError {
                field,
                message: message.to_owned(),
            });
        };
        if self.name.trim().is_empty() {
            bad("name", "enter the actor's name");
        } else if self.name.chars().count() > 200 {
            bad("name", "the name must be 200 characters or fewer");
        }
        if self.personnel.is_some_and(|p| p < 0) {
            bad("personnel", "personnel cannot be negative");
        }
        if self.budget.is_some_and(|b| !b.is_finite() || b < 0.0) {
            bad("budget", "the budget must be a positive amount");
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_belong_to_pillars() {
        for kind in ActorKind::ALL {
            assert_eq!(kind.as_str().parse::<ActorKind>(), Ok(*kind));
        }
        assert_eq!(ActorKind::Intelligence.pillar(), Pillar::Providers);
        assert_eq!(
            ActorKind::Ombudsman.pillar(),
            Pillar::ManagementAndOversight
        );
        assert_eq!(
            ActorKind::NonStatutoryArmedGroup.pillar(),
            Pillar::NonStatutory
        );
        for pillar in Pillar::ALL {
            assert!(
                ActorKind::ALL.iter().any(|k| k.pillar() == pillar),
                "{pillar:?} has no kind"
            );
        }
    }

    #[test]
    fn fields_are_checked_all_at_once() {
        let f = ActorFields {
            name: " ".into(),
            kind: ActorKind::Police,
            mandate: String::new(),
            legal_basis: String::new(),
            personnel: Some(-5),
            budget: Some(f64::NAN),
        };
        let fields: Vec<&str> = f.check().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "personnel", "budget"]);
    }
}

/// The kind of oversight one body has over another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OversightKind {
    /// Control of the budget and its execution.
    Budgetary,
    /// Laws, hearings and inquiries by a parliament.
    Legislative,
    /// Review by courts and prosecutors.
    Judicial,
    /// Direction and control by the executive (a ministry, the head of state).
    Executive,
    /// Independent bodies: audit institution, ombudsman, inspectorates.
    Independent,
}

impl OversightKind {
    /// Every kind.
    pub const ALL: [OversightKind; 5] = [
        OversightKind::Budgetary,
        OversightKind::Legislative,
        OversightKind::Judicial,
        OversightKind::Executive,
        OversightKind::Independent,
    ];

    /// The stable name.
    pub const fn as_str(self) -> &'static str {
        match self {
            OversightKind::Budgetary => "budgetary",
            OversightKind::Legislative => "legislative",
            OversightKind::Judicial => "judicial",
            OversightKind::Executive => "executive",
            OversightKind::Independent => "independent",
        }
    }

    /// Reads a stable name.
    pub fn parse(s: &str) -> Option<OversightKind> {
        OversightKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }
}

/// How two actors are related.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "oversight")]
pub enum RelationKind {
    /// The first oversees the second.
    Oversees(OversightKind),
    /// The first reports to the second.
    ReportsTo,
    /// The two coordinate (shown once, from the first).
    CoordinatesWith,
    /// The first funds the second.
    Funds,
}

impl RelationKind {
    /// The stable name of the kind, without the kind of oversight.
    pub const fn as_str(self) -> &'static str {
        match self {
            RelationKind::Oversees(_) => "oversees",
            RelationKind::ReportsTo => "reports_to",
            RelationKind::CoordinatesWith => "coordinates_with",
            RelationKind::Funds => "funds",
        }
    }

    /// The relation in words, between the two names.
    pub fn verb(self) -> String {
        match self {
            RelationKind::Oversees(k) => format!("oversees ({})", k.as_str()),
            RelationKind::ReportsTo => "reports to".into(),
            RelationKind::CoordinatesWith => "coordinates with".into(),
            RelationKind::Funds => "funds".into(),
        }
    }

    /// Reads a kind and, for oversight, its kind of oversight.
    pub fn parse(kind: &str, oversight: Option<&str>) -> Option<RelationKind> {
        match kind.trim() {
            "oversees" => oversight
                .and_then(OversightKind::parse)
                .map(RelationKind::Oversees),
            "reports_to" => Some(RelationKind::ReportsTo),
            "coordinates_with" => Some(RelationKind::CoordinatesWith),
            "funds" => Some(RelationKind::Funds),
            _ => None,
        }
    }
}

/// What the sector checks need to know of an actor.
#[derive(Clone, Debug, PartialEq)]
pub struct MapActor {
    /// Its id.
    pub id: crate::id::ActorId,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: ActorKind,
    /// The actor it is part of.
    pub parent: Option<crate::id::ActorId>,
    /// Its legal basis (empty when none).
    pub legal_basis: String,
}

/// A relation between two actors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapRelation {
    /// From this actor…
    pub from: crate::id::ActorId,
    /// …to this one.
    pub to: crate::id::ActorId,
    /// How.
    pub kind: RelationKind,
}

/// The checks made on a sector map, each tied to the seeds' words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// A security provider that no civilian body oversees.
    NoCivilianOversight,
    /// A security provider that neither parliament nor one of its committees oversees.
    NoParliamentaryOversight,
    /// An oversight body that oversees no one.
    OversightWithoutSubject,
    /// A state actor with no legal basis recorded.
    NoLegalBasis,
    /// Armed groups outside the sector contest the state's monopoly of violence.
    NonStatutoryArmedGroups,
}

impl CheckKind {
    /// What the check looks for and why it matters, in words.
    pub const fn explain(self) -> &'static str {
        match self {
            CheckKind::NoCivilianOversight => {
                "A security provider that no civilian body oversees acts with autonomy without supervision and accountability, a source of corruption and of deficits."
            }
            CheckKind::NoParliamentaryOversight => {
                "An ideal security sector is accountable to parliament: plans and the use of resources are controlled by parliament. This provider answers to no parliamentary body."
            }
            CheckKind::OversightWithoutSubject => {
                "An oversight body with no one to oversee on the map has a mandate that is not exercised, or relations that are missing from the map."
            }
            CheckKind::NoLegalBasis => {
                "Appropriate legislative underpinning is a characteristic of an ideal security sector; an actor resting on no law or only on a decree lacks it."
            }
            CheckKind::NonStatutoryArmedGroups => {
                "Non-statutory armed groups contest the state's monopoly of violence; the reform must address them (disarmament, demobilisation and reintegration; regional security)."
            }
        }
    }

    /// A short title.
    pub const fn title(self) -> &'static str {
        match self {
            CheckKind::NoCivilianOversight => "No civilian oversight",
            CheckKind::NoParliamentaryOversight => "No parliamentary oversight",
            CheckKind::OversightWithoutSubject => "Oversight body with no one to oversee",
            CheckKind::NoLegalBasis => "No legal basis",
            CheckKind::NonStatutoryArmedGroups => "Non-statutory armed groups present",
        }
    }
}

/// One thing a check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Which check.
    pub check: CheckKind,
    /// The actor concerned.
    pub actor: crate::id::ActorId,
    /// The finding in words, naming the actor.
    pub message: String,
}

/// Runs every check over a sector map and returns the findings, ordered by check and
/// actor name. Oversight of an actor's parent counts for the actor (a unit of the armed
/// forces is overseen through them).
///
/// The map is what the viewer may read: checks on a partial map say what that viewer
/// can see, and never reveal what they cannot.
pub fn check_sector(actors: &[MapActor], relations: &[MapRelation]) -> Vec<Finding> {
    use std::collections::{BTreeMap, BTreeSet};
    let by_id: BTreeMap<_, _> = actors.iter().map(|a| (a.id, a)).collect();
    let ancestors = |id| {
        let mut chain = vec![id];
        let mut seen = BTreeSet::new();
        let mut cur = by_id.get(&id).and_then(|a| a.parent);
        while let Some(p) = cur {
            if !seen.insert(p) {
                break;
            }
            chain.push(p);
            cur = by_id.get(&p).and_then(|a| a.parent);
        }
        chain
    };
    let overseers = |id| {
        let chain = ancestors(id);
        relations
            .iter()
            .filter(|r| matches!(r.kind, RelationKind::Oversees(_)) && chain.contains(&r.to))
            .filter_map(|r| by_id.get(&r.from).copied())
            .collect::<Vec<_>>()
    };
    let mut findings = Vec::new();
    for a in actors {
        let pillar = a.kind.pillar();
        if pillar == Pillar::Providers {
            let over = overseers(a.id);
            let civilian = over.iter().any(|o| {
                matches!(
                    o.kind.pillar(),
                    Pillar::ManagementAndOversight | Pillar::Justice
                )
            });
            if !civilian {
                findings.push(Finding {
                    check: CheckKind::NoCivilianOversight,
                    actor: a.id,
                    message: format!("{} is overseen by no civilian body on the map.", a.name),
                });
            } else if !over.iter().any(|o| {
                matches!(
                    o.kind,
                    ActorKind::Parliament | ActorKind::ParliamentaryCommittee
                )
            }) {
                findings.push(Finding {
                    check: CheckKind::NoParliamentaryOversight,
                    actor: a.id,
                    message: format!(
                        "{} is overseen by {} but by no parliamentary body.",
                        a.name,
                        over.iter()
                            .map(|o| o.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
        if matches!(
            a.kind,
            ActorKind::ParliamentaryCommittee
                | ActorKind::AuditInstitution
                | ActorKind::Ombudsman
                | ActorKind::Inspectorate
        ) && !relations
            .iter()
            .any(|r| r.from == a.id && matches!(r.kind, RelationKind::Oversees(_)))
        {
            findings.push(Finding {
                check: CheckKind::OversightWithoutSubject,
                actor: a.id,
                message: format!("{} oversees no one on the map.", a.name),
            });
        }
        let statutory = matches!(
            pillar,
            Pillar::Providers | Pillar::ManagementAndOversight | Pillar::Justice
        );
        let basis = a.legal_basis.trim().to_lowercase();
        if statutory && (basis.is_empty() || (basis.contains("decree") && !basis.contains("act"))) {
            findings.push(Finding {
                check: CheckKind::NoLegalBasis,
                actor: a.id,
                message: if basis.is_empty() {
                    format!("{} has no legal basis recorded.", a.name)
                } else {
                    format!(
                        "{} rests only on a decree ({}), not on a law.",
                        a.name,
                        a.legal_basis.trim()
                    )
                },
            });
        }
        if a.kind == ActorKind::NonStatutoryArmedGroup {
            findings.push(Finding {
                check: CheckKind::NonStatutoryArmedGroups,
                actor: a.id,
                message: format!("{} contests the state's monopoly of violence.", a.name),
            });
        }
    }
    findings.sort_by(|x, y| {
        (x.check, by_id.get(&x.actor).map(|a| &a.name))
            .cmp(&(y.check, by_id.get(&y.actor).map(|a| &a.name)))
    });
    findings
}

#[cfg(test)]
mod check_tests {
    use uuid::Uuid;

    use super::*;
    use crate::id::ActorId;

    fn actor(n: u128, name: &str, kind: ActorKind, parent: Option<u128>, basis: &str) -> MapActor {
        MapActor {
            id: ActorId::from_uuid(Uuid::from_u128(n)),
            name: name.into(),
            kind,
            parent: parent.map(|p| ActorId::from_uuid(Uuid::from_u128(p))),
            legal_basis: basis.into(),
        }
    }

    fn rel(from: u128, to: u128, kind: RelationKind) -> MapRelation {
        MapRelation {
            from: ActorId::from_uuid(Uuid::from_u128(from)),
            to: ActorId::from_uuid(Uuid::from_u128(to)),
            kind,
        }
    }

    fn found(f: &[Finding]) -> Vec<(CheckKind, u128)> {
        f.iter()
            .map(|x| (x.check, x.actor.as_uuid().as_u128()))
            .collect()
    }

    #[test]
    fn finds_the_gaps_of_a_small_sector() {
        use ActorKind as K;
        let actors = vec![
            actor(1, "Army", K::ArmedForces, None, "Defence Act"),
            actor(2, "Navy", K::ArmedForces, Some(1), "Defence Act"),
            actor(3, "Intelligence", K::Intelligence, None, "Intelligence Act"),
            actor(4, "Guard", K::PresidentialGuard, None, "Decree 12"),
            actor(
                5,
                "Defence Committee",
                K::ParliamentaryCommittee,
                None,
                "Rules of Procedure",
            ),
            actor(6, "President", K::HeadOfState, None, "Constitution"),
            actor(7, "Ombudsman", K::Ombudsman, None, "Ombudsman Act"),
            actor(8, "Rebels", K::NonStatutoryArmedGroup, None, ""),
            actor(9, "Police", K::Police, None, ""),
        ];
        let relations = vec![
            rel(5, 1, RelationKind::Oversees(OversightKind::Legislative)),
            rel(6, 3, RelationKind::Oversees(OversightKind::Executive)),
            rel(6, 4, RelationKind::Oversees(OversightKind::Executive)),
            rel(3, 6, RelationKind::ReportsTo),
        ];
        let f = check_sector(&actors, &relations);
        assert_eq!(
            found(&f),
            vec![
                (CheckKind::NoCivilianOversight, 9),
                (CheckKind::NoParliamentaryOversight, 4),
                (CheckKind::NoParliamentaryOversight, 3),
                (CheckKind::OversightWithoutSubject, 7),
                (CheckKind::NoLegalBasis, 4),
                (CheckKind::NoLegalBasis, 9),
                (CheckKind::NonStatutoryArmedGroups, 8),
            ]
        );
        // The navy is overseen through the army, so it raises nothing.
        assert!(!f.iter().any(|x| x.actor.as_uuid().as_u128() == 2));
        assert_eq!(
            f[2].message,
            "Intelligence is overseen by President but by no parliamentary body."
        );
        assert_eq!(
            f[4].message,
            "Guard rests only on a decree (Decree 12), not on a law."
        );
    }

    #[test]
    fn a_parent_cycle_does_not_hang() {
        let actors = vec![
            actor(1, "A", ActorKind::Police, Some(2), "Act"),
            actor(2, "B", ActorKind::Police, Some(1), "Act"),
        ];
        let f = check_sector(&actors, &[]);
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn relation_kinds_round_trip() {
        for k in OversightKind::ALL {
            let r = RelationKind::Oversees(k);
            assert_eq!(RelationKind::parse(r.as_str(), Some(k.as_str())), Some(r));
        }
        for r in [
            RelationKind::ReportsTo,
            RelationKind::CoordinatesWith,
            RelationKind::Funds,
        ] {
            assert_eq!(RelationKind::parse(r.as_str(), None), Some(r));
        }
        assert_eq!(RelationKind::parse("oversees", None), None);
    }
}
