//! Tags on indicators, in the words of the seeds: which characteristic of an ideal
//! security sector an indicator tests, which sources of deficit it can reveal, whether it
//! asks about the law or the practice, which kinds of actor it concerns, and which field of
//! reform would answer it. Diagnosis reads them; scoring ignores them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::access::UnknownName;
use crate::sector::ActorKind;

macro_rules! tag_enum {
    (
        $(#[$doc:meta])* $name:ident, $what:literal {
            $($variant:ident => $text:literal, $label:literal;)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(
                #[doc = $label]
                $variant,
            )*
        }

        impl $name {
            /// Every value, in the order the seeds list them.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable name used in files, the database and the API.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// The name shown to people.
            pub const fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| UnknownName {
                        what: $what,
                        given: s.to_owned(),
                        expected: $name::ALL
                            .iter()
                            .map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
            }
        }
    };
}

// The strategy module names its kinds of threat the same way.
pub(crate) use tag_enum;

tag_enum! {
    /// The eight characteristics of an ideal security sector.
    Characteristic, "characteristic" {
        SecurityStrategy => "security_strategy", "An up-to-date security strategy, publicly debated and approved by parliament";
        InterAgency => "inter_agency", "Inter-agency arrangements relevant to the security environment";
        Intelligence => "intelligence", "Adequate arrangements and access to intelligence";
        ResourcePlans => "resource_plans", "Credible resource-based plans, controlled by parliament";
        FitOrganisations => "fit_organisations", "Organisations sized, trained and equipped to meet national and international obligations";
        Legislation => "legislation", "Appropriate legislative underpinning";
        PublicInformation => "public_information", "Effective public information";
        Accountability => "accountability", "Accountability to parliament and the public";
    }
}

tag_enum! {
    /// The seven sources of deficits in a security sector.
    DeficitSource, "source of deficit" {
        CounterproductiveTraditions => "counterproductive_traditions", "Counterproductive traditions";
        IrrelevantControl => "irrelevant_control", "Irrelevant or absent political and civilian control";
        ChronicUnderfunding => "chronic_underfunding", "Chronic underfunding";
        MentalityOverSecrecy => "mentality_over_secrecy", "Mentality, security culture and over-secrecy";
        PoorLegislation => "poor_legislation", "Poor legislation";
        CorruptionLowEffectiveness => "corruption_low_effectiveness", "Corruption and low effectiveness";
        LackOfPublicConfidence => "lack_of_public_confidence", "Lack of public confidence that security is for the people";
    }
}

tag_enum! {
    /// Whether an indicator asks what the rules say or what actually happens.
    Standing, "standing" {
        DeJure => "de_jure", "De jure: what the law and the rules provide";
        DeFacto => "de_facto", "De facto: what happens in practice";
    }
}

tag_enum! {
    /// The four fields of reform activity.
    ReformField, "reform field" {
        CivilDemocraticControl => "civil_democratic_control", "Civil-democratic control and oversight";
        Professionalisation => "professionalisation", "Professionalisation of the security institutions";
        RuleOfLaw => "rule_of_law", "Rule of law";
        DemilitarisationPeacebuilding => "demilitarisation_peacebuilding", "Demilitarisation and peacebuilding";
    }
}

/// The tags of one indicator. Every list may be empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tags {
    /// The characteristics of an ideal sector the indicator tests.
    #[serde(default)]
    pub characteristics: Vec<Characteristic>,
    /// The sources of deficit a low score can point to.
    #[serde(default)]
    pub deficit_sources: Vec<DeficitSource>,
    /// Whether it asks about the law or the practice.
    #[serde(default)]
    pub standing: Option<Standing>,
    /// The kinds of actor it concerns.
    #[serde(default)]
    pub actor_kinds: Vec<ActorKind>,
    /// The fields of reform that would answer a low score.
    #[serde(default)]
    pub reform_fields: Vec<ReformField>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_through_their_names() {
        for c in Characteristic::ALL {
            assert_eq!(c.as_str().parse::<Characteristic>(), Ok(*c));
        }
        for d in DeficitSource::ALL {
            assert_eq!(d.as_str().parse::<DeficitSource>(), Ok(*d));
        }
        for f in ReformField::ALL {
            assert_eq!(f.as_str().parse::<ReformField>(), Ok(*f));
        }
        assert_eq!(Characteristic::ALL.len(), 8);
        assert_eq!(DeficitSource::ALL.len(), 7);
        assert_eq!(ReformField::ALL.len(), 4);
        assert_eq!("de facto".parse::<Standing>(), Ok(Standing::DeFacto));
    }

    #[test]
    fn an_unknown_tag_names_the_accepted_values() {
        let err = "secrecy".parse::<DeficitSource>().unwrap_err();
        assert_eq!(err.given, "secrecy");
        assert!(err.expected.contains("mentality_over_secrecy"));
        assert_eq!(
            "irrelevant-control".parse::<DeficitSource>(),
            Ok(DeficitSource::IrrelevantControl)
        );
    }
}
