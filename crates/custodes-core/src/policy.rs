//! The access policy: whether a viewer may read a record.
//!
//! A record carries a classification level and may name compartments. A viewer reads
//! it when their clearance is at least its level and they belong to every compartment it
//! names. A record above PUBLIC must say why (a justification) and may carry a date on
//! which it is lowered to another level by itself.
//!
//! This function is the rule. The store applies the same rule inside its SQL so that
//! lists, counts and searches never see a record the viewer may not read; a property test
//! in the store checks that both agree.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{Level, Role};
use crate::id::{CompartmentId, UserId};

/// Who is looking: a signed-in user, or the anonymous public.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    /// The user, or `None` for the anonymous public.
    pub user: Option<UserId>,
    /// The user's role, or `None` for the public.
    pub role: Option<Role>,
    /// The highest level the viewer may read.
    pub clearance: Level,
    /// The compartments the viewer belongs to.
    pub compartments: BTreeSet<CompartmentId>,
}

impl Viewer {
    /// The anonymous public: PUBLIC records only.
    pub fn public() -> Viewer {
        Viewer {
            user: None,
            role: None,
            clearance: Level::Public,
            compartments: BTreeSet::new(),
        }
    }

    /// True for the anonymous public: nobody signed in and no role. The operator at the
    /// server's console acts with a role but as no user, and is not the public.
    pub fn is_public(&self) -> bool {
        self.user.is_none() && self.role.is_none()
    }
}

/// How a record is classified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// The level.
    pub level: Level,
    /// The compartments a reader must belong to (all of them).
    pub compartments: BTreeSet<CompartmentId>,
    /// Why the record is above PUBLIC ("secrecy must be argued").
    pub justification: Option<String>,
    /// The day from which the record is lowered to `declassify_to`.
    pub declassify_on: Option<NaiveDate>,
    /// The level it is lowered to on that day.
    pub declassify_to: Level,
}

/// Why a classification was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidClassification {
    /// A record above PUBLIC without a reason.
    #[error("a record classified {0} needs a justification: say why it cannot be public")]
    NoJustification(Level),
    /// Compartments on a PUBLIC record would hide nothing.
    #[error("a PUBLIC record cannot be limited to compartments; classify it above PUBLIC first")]
    PublicWithCompartments,
    /// A declassification date that does not lower anything.
    #[error("the declassification date must lower the level: {to} is not below {level}")]
    DeclassifyNotLower {
        /// The record's level.
        level: Level,
        /// The level it would be lowered to.
        to: Level,
    },
}

impl Classification {
    /// A PUBLIC record.
    pub fn public() -> Classification {
        Classification {
            level: Level::Public,
            compartments: BTreeSet::new(),
            justification: None,
            declassify_on: None,
            declassify_to: Level::Public,
        }
    }

    /// Checks a classification: a justification above PUBLIC, no compartments on a
    /// PUBLIC record, and a declassification that lowers the level.
    pub fn new(
        level: Level,
        compartments: BTreeSet<CompartmentId>,
        justification: Option<String>,
        declassify_on: Option<NaiveDate>,
        declassify_to: Level,
    ) -> Result<Classification, InvalidClassification> {
        let justification = justification
            .map(|j| j.trim().to_owned())
            .filter(|j| !j.is_empty());
        if level > Level::Public && justification.is_none() {
            return Err(InvalidClassification::NoJustification(level));
        }
        if level == Level::Public && !compartments.is_empty() {
            return Err(InvalidClassification::PublicWithCompartments);
        }
        if declassify_on.is_some() && declassify_to >= level {
            return Err(InvalidClassification::DeclassifyNotLower {
                level,
                to: declassify_to,
            });
        }
        Ok(Classification {
            level,
            compartments,
            justification,
            declassify_on,
            declassify_to,
        })
    }

    /// The level in force on `today`: lowered once the declassification date is reached.
    pub fn effective_level(&self, today: NaiveDate) -> Level {
        match self.declassify_on {
            Some(day) if day <= today => self.declassify_to,
            _ => self.level,
        }
    }
}

/// True when `viewer` may read a record classified as `c` on `today`.
///
/// Compartments bind only above PUBLIC: a record declassified to PUBLIC is public.
pub fn can_read(viewer: &Viewer, c: &Classification, today: NaiveDate) -> bool {
    let level = c.effective_level(today);
    if level > viewer.clearance {
        return false;
    }
    level == Level::Public || c.compartments.is_subset(&viewer.compartments)
}

/// The least reader of a record classified as `c` on `today`: cleared exactly to its level
/// in force and a member of exactly the compartments that bind, with no role. Everyone who may read the record may
/// read whatever this viewer may read, so a record derived from others may draw on only
/// what its least reader may read without revealing anything to its own readers.
pub fn least_reader(c: &Classification, today: NaiveDate) -> Viewer {
    let clearance = c.effective_level(today);
    Viewer {
        user: None,
        role: None,
        clearance,
        compartments: if clearance == Level::Public {
            BTreeSet::new()
        } else {
            c.compartments.clone()
        },
    }
}

/// True when `viewer` may give a record the classification `c`: they must be able to read
/// it at that classification (their clearance reaches its level and they belong to its
/// compartments), so that nobody classifies a record out of their own sight.
pub fn may_assign(viewer: &Viewer, c: &Classification) -> bool {
    c.level <= viewer.clearance
        && (c.level == Level::Public || c.compartments.is_subset(&viewer.compartments))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rstest::rstest;
    use uuid::Uuid;

    use super::*;

    fn comp(n: u128) -> CompartmentId {
        CompartmentId::from_uuid(Uuid::from_u128(n))
    }

    fn viewer(clearance: Level, comps: &[u128]) -> Viewer {
        Viewer {
            user: Some(UserId::from_uuid(Uuid::from_u128(99))),
            role: Some(Role::Planner),
            clearance,
            compartments: comps.iter().copied().map(comp).collect(),
        }
    }

    fn record(level: Level, comps: &[u128]) -> Classification {
        Classification {
            level,
            compartments: comps.iter().copied().map(comp).collect(),
            justification: Some("test".into()),
            declassify_on: None,
            declassify_to: Level::Public,
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[rstest]
    // Clearance against level.
    #[case(Level::Public, &[], Level::Public, &[], true)]
    #[case(Level::Public, &[], Level::Official, &[], false)]
    #[case(Level::Official, &[], Level::Official, &[], true)]
    #[case(Level::Confidential, &[], Level::Secret, &[], false)]
    #[case(Level::Secret, &[], Level::Confidential, &[], true)]
    // Compartments: every one named is needed.
    #[case(Level::Secret, &[1], Level::Secret, &[1], true)]
    #[case(Level::Secret, &[], Level::Official, &[1], false)]
    #[case(Level::Secret, &[1], Level::Official, &[1, 2], false)]
    #[case(Level::Secret, &[1, 2, 3], Level::Official, &[1, 2], true)]
    // Membership does not make up for clearance.
    #[case(Level::Official, &[1], Level::Confidential, &[1], false)]
    fn reads(
        #[case] clearance: Level,
        #[case] member_of: &[u128],
        #[case] level: Level,
        #[case] needs: &[u128],
        #[case] expected: bool,
    ) {
        let today = day("2026-11-23");
        assert_eq!(
            can_read(&viewer(clearance, member_of), &record(level, needs), today),
            expected
        );
    }

    #[test]
    fn the_public_reads_only_public_records() {
        let today = day("2026-11-23");
        let public = Viewer::public();
        assert!(can_read(&public, &Classification::public(), today));
        for level in [Level::Official, Level::Confidential, Level::Secret] {
            assert!(!can_read(&public, &record(level, &[]), today));
        }
    }

    #[test]
    fn only_the_anonymous_public_is_the_public() {
        assert!(Viewer::public().is_public());
        assert!(!viewer(Level::Official, &[]).is_public());
        // The operator at the console: a role, but no user.
        let operator = Viewer {
            user: None,
            role: Some(Role::Administrator),
            clearance: Level::Secret,
            compartments: BTreeSet::new(),
        };
        assert!(!operator.is_public());
    }

    #[test]
    fn declassification_lowers_the_level_on_its_day() {
        let mut c = record(Level::Secret, &[7]);
        c.declassify_on = Some(day("2027-01-01"));
        c.declassify_to = Level::Public;
        let public = Viewer::public();
        assert!(!can_read(&public, &c, day("2026-12-31")));
        assert!(can_read(&public, &c, day("2027-01-01")));
        assert_eq!(c.effective_level(day("2027-06-01")), Level::Public);

        // Lowered to OFFICIAL, the compartments still bind.
        c.declassify_to = Level::Official;
        let outsider = viewer(Level::Secret, &[]);
        assert!(!can_read(&outsider, &c, day("2027-01-02")));
        assert!(can_read(
            &viewer(Level::Official, &[7]),
            &c,
            day("2027-01-02")
        ));
    }

    #[rstest]
    #[case(Level::Official, &[], None, None, Level::Public, Err(InvalidClassification::NoJustification(Level::Official)))]
    #[case(Level::Secret, &[], Some("  "), None, Level::Public, Err(InvalidClassification::NoJustification(Level::Secret)))]
    #[case(Level::Public, &[1], None, None, Level::Public, Err(InvalidClassification::PublicWithCompartments))]
    #[case(Level::Official, &[], Some("names of informants"), Some("2030-01-01"), Level::Official, Err(InvalidClassification::DeclassifyNotLower { level: Level::Official, to: Level::Official }))]
    #[case(Level::Public, &[], None, None, Level::Public, Ok(()))]
    #[case(Level::Confidential, &[1], Some("ongoing procurement"), Some("2030-01-01"), Level::Public, Ok(()))]
    fn checks_classifications(
        #[case] level: Level,
        #[case] comps: &[u128],
        #[case] why: Option<&str>,
        #[case] on: Option<&str>,
        #[case] to: Level,
        #[case] expected: Result<(), InvalidClassification>,
    ) {
        let got = Classification::new(
            level,
            comps.iter().copied().map(comp).collect(),
            why.map(str::to_owned),
            on.map(day),
            to,
        );
        assert_eq!(got.map(|_| ()), expected);
    }

    #[test]
    fn nobody_classifies_out_of_their_own_sight() {
        let v = viewer(Level::Confidential, &[1]);
        assert!(may_assign(&v, &record(Level::Confidential, &[1])));
        assert!(!may_assign(&v, &record(Level::Secret, &[])));
        assert!(!may_assign(&v, &record(Level::Official, &[2])));
        assert!(may_assign(&Viewer::public(), &Classification::public()));
    }

    fn arb_level() -> impl Strategy<Value = Level> {
        prop::sample::select(Level::ALL.to_vec())
    }

    proptest! {
        /// Raising a viewer's clearance or adding memberships never hides a record, and
        /// raising a record's level or adding compartments never reveals one.
        #[test]
        fn the_policy_is_monotone(
            clearance in arb_level(), member in prop::collection::btree_set(0u128..4, 0..4),
            level in arb_level(), needs in prop::collection::btree_set(0u128..4, 0..3),
            extra in 0u128..4,
        ) {
            let today = day("2026-11-23");
            let v = Viewer { compartments: member.iter().copied().map(comp).collect(), ..viewer(clearance, &[]) };
            let r = Classification { compartments: needs.iter().copied().map(comp).collect(), ..record(level, &[]) };
            let allowed = can_read(&v, &r, today);

            let mut wider = v.clone();
            wider.compartments.insert(comp(extra));
            wider.clearance = wider.clearance.max(Level::Official);
            if allowed { prop_assert!(can_read(&wider, &r, today)); }

            let mut tighter = r.clone();
            tighter.compartments.insert(comp(extra));
            tighter.level = Level::Secret;
            if can_read(&v, &tighter, today) { prop_assert!(allowed); }
        }

        /// Whoever may read a record may read everything its least reader may read, and
        /// the least reader reads the record itself.
        #[test]
        fn the_least_reader_reads_no_more_than_any_reader(
            clearance in arb_level(), member in prop::collection::btree_set(0u128..4, 0..4),
            level in arb_level(), needs in prop::collection::btree_set(0u128..4, 0..3),
            declassified in any::<bool>(),
            input_level in arb_level(), input_needs in prop::collection::btree_set(0u128..4, 0..3),
        ) {
            let today = day("2026-11-23");
            let v = Viewer { compartments: member.iter().copied().map(comp).collect(), ..viewer(clearance, &[]) };
            let mut derived = Classification { compartments: needs.iter().copied().map(comp).collect(), ..record(level, &[]) };
            if declassified && level > Level::Public {
                derived.declassify_on = Some(day("2026-01-01"));
            }
            let input = Classification { compartments: input_needs.iter().copied().map(comp).collect(), ..record(input_level, &[]) };
            let least = least_reader(&derived, today);
            prop_assert!(can_read(&least, &derived, today));
            if can_read(&v, &derived, today) && can_read(&least, &input, today) {
                prop_assert!(can_read(&v, &input, today));
            }
        }
    }
}
