//! The demo country's two assessment cycles under the Ideal Security Sector framework: a
//! baseline in 2024 and a follow-up in 2026 (`demo/assessment-*.csv`), each answered by
//! the assessor, reviewed and published, so that the results, diagnosis and comparison
//! pages show the story of DEMO.md: a draft strategy went to public consultation, the
//! defence committee gained budget access, procurement transparency improved slightly,
//! intelligence oversight did not move.

use custodes_core::WorkspaceId;
use custodes_core::assessment::Decision;
use custodes_core::audit::Actor;
use custodes_core::policy::{Classification, Viewer};
use custodes_store::assessment::AssessmentInput;
use custodes_store::{Store, StoreError};

/// The framework both cycles use.
const FRAMEWORK: (&str, &str) = ("ideal-security-sector", "1.0.0");

/// One cycle: title, period, answer file and its text, and the reviewer's comments (an
/// indicator and what was said) before approving.
struct Cycle {
    title: &'static str,
    period: &'static str,
    file: &'static str,
    text: &'static str,
    comments: &'static [(&'static str, &'static str)],
    /// A request for changes in a first round, answered by the assessor (the indicator,
    /// the reviewer's request, and the answer file row that replaces the first).
    changes: Option<(&'static str, &'static str)>,
}

const CYCLES: [Cycle; 2] = [
    Cycle {
        title: "Ideal Security Sector: baseline",
        period: "2024",
        file: "assessment-2024.csv",
        text: include_str!("../demo/assessment-2024.csv"),
        comments: &[
            (
                "c1.1",
                "Agreed: the 2012 strategy was never reviewed, and the draft does not count yet.",
            ),
            (
                "c3.4",
                "Not enough information is right here; note which requests for the oversight reports were refused.",
            ),
        ],
        changes: None,
    },
    Cycle {
        title: "Ideal Security Sector: follow-up",
        period: "2026",
        file: "assessment-2026.csv",
        text: include_str!("../demo/assessment-2026.csv"),
        comments: &[
            (
                "c1.3",
                "The consultation summary should say which comments were taken up; level 3 is generous but defensible.",
            ),
            (
                "c4.4",
                "Confirmed with the committee secretariat: the classified annex was shown in closed session in 2025.",
            ),
        ],
        changes: Some((
            "c7.3",
            "Cite Government Circular No. 7/2025 as a source, since the decline rests on it.",
        )),
    },
];

async fn person(store: &Store, username: &str) -> Result<(Actor, Viewer), StoreError> {
    let user = store.user_by_username(username).await?;
    let viewer = store
        .viewer(user.id)
        .await?
        .ok_or_else(|| StoreError::Invalid(format!("the demo user {username} is disabled")))?;
    Ok((
        Actor::User {
            id: user.id,
            username: username.to_owned(),
        },
        viewer,
    ))
}

/// Adds the two cycles unless the workspace has assessments already. Returns true when
/// anything was added.
pub async fn ensure(store: &Store, workspace: WorkspaceId) -> Result<bool, StoreError> {
    let today = chrono::Utc::now().date_naive();
    let (planner_actor, planner) = person(store, "planner").await?;
    if !store
        .list_assessments(&planner, today, workspace)
        .await?
        .is_empty()
    {
        return Ok(false);
    }
    let (assessor_actor, assessor) = person(store, "assessor").await?;
    let (reviewer_actor, reviewer) = person(store, "reviewer").await?;
    for cycle in CYCLES {
        let a = store
            .create_assessment(
                &planner_actor,
                &planner,
                today,
                workspace,
                AssessmentInput {
                    framework_key: FRAMEWORK.0.into(),
                    framework_version: FRAMEWORK.1.into(),
                    title: cycle.title.into(),
                    period: cycle.period.into(),
                    classification: Classification::public(),
                    assessors: vec![assessor.user.unwrap_or_else(|| unreachable!())],
                    reviewers: vec![reviewer.user.unwrap_or_else(|| unreachable!())],
                    actors: vec![],
                },
            )
            .await?;
        store
            .import_answers(
                &assessor_actor,
                &assessor,
                today,
                a.id,
                cycle.file,
                cycle.text,
            )
            .await?;
        store
            .submit_assessment(&assessor_actor, &assessor, today, a.id)
            .await?;
        if let Some((indicator, request)) = cycle.changes {
            store
                .comment_on_assessment(
                    &reviewer_actor,
                    &reviewer,
                    today,
                    a.id,
                    Some(indicator),
                    request,
                )
                .await?;
            store
                .decide_on_assessment(
                    &reviewer_actor,
                    &reviewer,
                    today,
                    a.id,
                    Decision::RequestChanges,
                    request,
                )
                .await?;
            store
                .add_source(
                    &assessor_actor,
                    &assessor,
                    today,
                    a.id,
                    indicator,
                    custodes_store::assessment::SourceInput {
                        title: "Government Circular No. 7/2025 on requests for information about security matters".into(),
                        url: "https://example.org/arvenia/circular-7-2025".into(),
                        classification: Classification::public(),
                    },
                )
                .await?;
            store
                .submit_assessment(&assessor_actor, &assessor, today, a.id)
                .await?;
        }
        for (indicator, comment) in cycle.comments {
            store
                .comment_on_assessment(
                    &reviewer_actor,
                    &reviewer,
                    today,
                    a.id,
                    Some(indicator),
                    comment,
                )
                .await?;
        }
        store
            .decide_on_assessment(
                &reviewer_actor,
                &reviewer,
                today,
                a.id,
                Decision::Approve,
                "Evidence is adequate and the levels follow the anchors.",
            )
            .await?;
        store
            .publish_assessment(&planner_actor, &planner, today, a.id)
            .await?;
    }
    Ok(true)
}
