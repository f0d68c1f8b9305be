//! Frameworks and their scoring: a framework is versioned data (a tree of grouping nodes
//! and indicators with stable ids, the scales its indicators are answered on, and the
//! rules that combine the answers), and one scoring engine applies any framework's rules.
//!
//! Nothing here is written for one framework. The Government Defence Integrity Index, the
//! Open Budget Survey and PEFA differ only in the data they declare: their scales, the
//! aggregation of each node ([`Aggregation`]), its rounding ([`Rounding`]), bands
//! ([`Bands`]) and ranking ([`Ranking`]). The tests in `tests/framework_*.rs` declare all
//! three and reproduce hand-computed results.
//!
//! The flow is: build a [`Framework`], check it once with [`ValidFramework::new`] (which
//! returns every problem found), then [`score`] any number of answer sets against it.
//! Numbers are exact fractions ([`Number`]), so rounding a tie such as 62.5 never depends
//! on floating point.

mod aggregate;
mod answer;
mod band;
mod choice;
mod diagnose;
mod id;
mod node;
mod number;
mod problem;
mod rank;
mod rounding;
mod scale;
mod score;
mod tag;
mod validate;

use serde::{Deserialize, Serialize};

pub use aggregate::{Aggregation, LookupRow};
pub use answer::{Answer, AnswerValue};
pub use band::{Band, Bands, ValueBasis};
pub use choice::Choice;
pub use diagnose::{Change, Diagnosis, DiagnosisKey, DiagnosisLine, Shortfall, compare, diagnose};
pub(crate) use id::text_id;
pub use id::{FrameworkId, LevelId, NodeId, ScaleId};
pub use node::{Group, Indicator, Node, NodeKind};
pub use number::{Number, ParseNumberError};
pub use problem::Problem;
pub use rank::{RankOrder, Ranking, rank};
pub use rounding::{MAX_DECIMALS, Rounding, RoundingMode};
pub use scale::{
    Grade, GradeLevel, MissingLevel, MissingState, Modifier, NumericLevel, Scale, ScaleKind,
};
pub use score::{Coverage, NodeScore, Scores, score, validate_answers};
pub(crate) use tag::tag_enum;
pub use tag::{Characteristic, DeficitSource, ReformField, Standing, Tags};
pub use validate::ValidFramework;

/// A framework: one version of an assessment method, as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Framework {
    /// Its stable id, the same across versions.
    pub id: FrameworkId,
    /// Its version (`2016`, `2020.1`); assessments record the version they used.
    pub version: String,
    /// Its name, shown to people.
    pub name: String,
    /// How many reviewers must approve an assessment made with it (at least one).
    #[serde(default = "one")]
    pub reviewers: u32,
    /// The scales its indicators and ordinal rules use.
    pub scales: Vec<Scale>,
    /// Its nodes, linked to their parents by id, in the order they are shown.
    pub nodes: Vec<Node>,
}

fn one() -> u32 {
    1
}
