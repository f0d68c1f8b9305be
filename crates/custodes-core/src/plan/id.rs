//! The stable identifiers of a plan problem's parts: capabilities, goals, programmes and
//! their options, funding sources and lead actors.
//!
//! They are text chosen by the planners (`cap-border-surveillance`, `treasury`) so that a
//! plan, an explanation and an exported model can name them. Each kind has its own type,
//! so that a programme id cannot be passed as a source id.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::framework::text_id;

text_id!(
    /// A capability that a goal needs (for example `border-surveillance`).
    CapabilityId
);
text_id!(
    /// A goal of the strategy, derived from threats (for example `g-organised-crime`).
    GoalId
);
text_id!(
    /// A programme of the portfolio (for example `p-police-academy`).
    ProgrammeId
);
text_id!(
    /// An option (variant) of a programme (for example `full`, `phased`).
    OptionId
);
text_id!(
    /// A funding source: the national treasury or a donor (for example `treasury`).
    SourceId
);
text_id!(
    /// The actor that leads a programme, as the planners name it (for example `police`).
    /// Absorptive capacity is declared per lead actor.
    LeadActor
);
