//! The access policy inside SQL: the predicate that keeps a record out of every list,
//! count and search of a viewer who may not read it.
//!
//! It states the rule of `custodes_core::policy::can_read` over the columns every
//! classified table carries (`level`, `declassify_on`, `declassify_to`) and the
//! `record_compartment` and `compartment_member` tables. A property test checks that the
//! two agree on random records and viewers, on both backends.

use chrono::NaiveDate;
use custodes_core::policy::Viewer;

/// The values the predicate binds, in the order of its parameters.
#[derive(Clone, Debug)]
pub(crate) struct ViewerBinds {
    /// Today, as `YYYY-MM-DD`.
    pub today: String,
    /// The viewer's clearance rank.
    pub clearance: i64,
    /// The viewer's user id ('' for the public, who belongs to no compartment).
    pub user: String,
}

impl ViewerBinds {
    pub(crate) fn new(viewer: &Viewer, today: NaiveDate) -> ViewerBinds {
        ViewerBinds {
            today: today.format("%Y-%m-%d").to_string(),
            clearance: viewer.clearance.rank(),
            user: viewer.user.map(|u| u.to_string()).unwrap_or_default(),
        }
    }
}

/// The predicate for rows of `alias` (a table of record kind `kind`), using parameters
/// `$p`, `$p+1` and `$p+2` for today, the clearance and the user.
pub(crate) fn visible(alias: &str, kind: &str, p: usize) -> String {
    let (today, clearance, user) = (p, p + 1, p + 2);
    let level = format!(
        "(CASE WHEN {alias}.declassify_on IS NOT NULL AND {alias}.declassify_on <= ${today} \
         THEN {alias}.declassify_to ELSE {alias}.level END)"
    );
    format!(
        "({level} <= ${clearance} AND ({level} = 0 OR NOT EXISTS (\
           SELECT 1 FROM record_compartment rc \
           WHERE rc.record_kind = '{kind}' AND rc.record_id = {alias}.id \
           AND NOT EXISTS (SELECT 1 FROM compartment_member cm \
                           WHERE cm.compartment_id = rc.compartment_id AND cm.user_id = ${user}))))"
    )
}
