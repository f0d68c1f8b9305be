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
