//! Identifiers of records, one newtype per kind so that they cannot be mixed up.
//!
//! Ids are UUIDs (version 7 when the store makes them). They are opaque and carry no
//! count, so an id seen in a link says nothing about how many records exist.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Wraps a UUID made elsewhere (the store makes new ones).
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A workspace: one country or region whose security sector is being reformed.
    WorkspaceId
);
id_type!(
    /// A person who signs in.
    UserId
);
id_type!(
    /// A compartment: a named need-to-know group (an agency, a committee, a sharing group).
    CompartmentId
);
id_type!(
    /// An actor of the security sector (an institution, a body, a group).
    ActorId
);
id_type!(
    /// An assessment: one framework version applied to one workspace for one period.
    AssessmentId
);
id_type!(
    /// A threat in a workspace's threat register.
    ThreatId
);
id_type!(
    /// A goal of the strategy, derived from threats.
    GoalId
);
id_type!(
    /// A strategy document (a national security strategy, a sectoral strategy).
    StrategyId
);
id_type!(
    /// A capability record of capabilities-based planning (its key is the text id the plan
    /// problem uses).
    CapabilityRecordId
);
id_type!(
    /// A programme record of the planning portfolio.
    ProgrammeRecordId
);
id_type!(
    /// An option record of a programme.
    OptionRecordId
);
id_type!(
    /// A funding source record: the treasury or a donor.
    FundingSourceId
);
id_type!(
    /// A named budget scenario.
    ScenarioId
);
id_type!(
    /// A plan: a portfolio optimised under a scenario, with its life cycle.
    PlanId
);
