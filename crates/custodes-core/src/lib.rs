//! The domain of Custodes: types and rules as pure functions.
//!
//! Architecture invariant: this crate does no IO. It does not read the clock, the file
//! system, the network or a database, and it knows neither SQL nor HTTP. Callers pass in
//! the data a rule needs (including `now`) and get data back.

pub mod access;
pub mod assessment;
pub mod audit;
pub mod framework;
pub mod id;
pub mod permission;
pub mod plan;
pub mod planning;
pub mod policy;
pub mod sector;
pub mod strategy;
pub mod user;
pub mod workspace;

pub use access::{Level, Role};
pub use id::{
    ActorId, AssessmentId, CapabilityRecordId, CompartmentId, FundingSourceId, GoalId,
    OptionRecordId, PlanId, ProgrammeRecordId, ScenarioId, StrategyId, ThreatId, UserId,
    WorkspaceId,
};
