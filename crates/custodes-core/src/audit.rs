//! The audit chain: every write leaves an entry, and each entry carries the hash of the
//! one before it, so that altering, removing or reordering entries breaks the chain.
//!
//! The store appends entries inside the transaction that makes the change; this module
//! says how an entry's hash is computed and how a chain is checked.

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that stands before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an entry that its hash covers, as the store keeps them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryFields<'a> {
    /// When the change was made, as RFC 3339 text in UTC with milliseconds.
    pub at: &'a str,
    /// The user id of whoever made the change, if a user did.
    pub actor_id: Option<&'a str>,
    /// Who made the change, in words ("alice", "cli (root)", "system").
    pub actor_name: &'a str,
    /// What was done, as `kind.verb` ("user.create").
    pub action: &'a str,
    /// The kind of record changed ("user").
    pub entity_kind: &'a str,
    /// The id of the record changed.
    pub entity_id: &'a str,
    /// The workspace the record belongs to, if any.
    pub workspace_id: Option<&'a str>,
    /// The digest of the record's new state (see [`state_digest`]).
    pub state_digest: &'a str,
}

/// The hash of an entry: SHA-256 over the previous entry's hash and this entry's fields.
///
/// Each field is written with its length first, so that no two different entries can
/// produce the same input by moving text from one field to the next.
pub fn entry_hash(prev_hash: &str, fields: &EntryFields<'_>) -> String {
    let mut h = Sha256::new();
    let mut put = |s: Option<&str>| match s {
        None => h.update(b"\x00"),
        Some(s) => {
            h.update(b"\x01");
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        }
    };
    put(Some("custodes-audit-v1"));
    put(Some(prev_hash));
    put(Some(fields.at));
    put(fields.actor_id);
    put(Some(fields.actor_name));
    put(Some(fields.action));
    put(Some(fields.entity_kind));
    put(Some(fields.entity_id));
    put(fields.workspace_id);
    put(Some(fields.state_digest));
    hex::encode(h.finalize())
}

/// The digest of a record's state: SHA-256 of its JSON form.
///
/// The JSON form of a Rust struct lists fields in declaration order, so the same state
/// always gives the same digest. Secrets (password hashes, token hashes) are left out of
/// the state by the caller.
pub fn state_digest<T: Serialize + ?Sized>(state: &T) -> String {
    // Serialising plain data structs to a byte vector cannot fail; a failure here would
    // mean a map with non-string keys, which no state type has.
    let bytes = serde_json::to_vec(state).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

/// One stored entry, as read back for verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    /// The position in the chain, from 1.
    pub seq: i64,
    /// The fields the hash covers.
    pub at: String,
    /// See [`EntryFields::actor_id`].
    pub actor_id: Option<String>,
    /// See [`EntryFields::actor_name`].
    pub actor_name: String,
    /// See [`EntryFields::action`].
    pub action: String,
    /// See [`EntryFields::entity_kind`].
    pub entity_kind: String,
    /// See [`EntryFields::entity_id`].
    pub entity_id: String,
    /// See [`EntryFields::workspace_id`].
    pub workspace_id: Option<String>,
    /// See [`EntryFields::state_digest`].
    pub state_digest: String,
    /// The hash of the entry before, as stored.
    pub prev_hash: String,
    /// This entry's hash, as stored.
    pub hash: String,
}

impl StoredEntry {
    /// The fields the hash covers, borrowed.
    pub fn fields(&self) -> EntryFields<'_> {
        EntryFields {
            at: &self.at,
            actor_id: self.actor_id.as_deref(),
            actor_name: &self.actor_name,
            action: &self.action,
            entity_kind: &self.entity_kind,
            entity_id: &self.entity_id,
            workspace_id: self.workspace_id.as_deref(),
            state_digest: &self.state_digest,
        }
    }
}

/// The head of the chain, kept apart from the entries: the last position and its hash.
/// It is what reveals entries cut from the end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// The position of the last entry (0 when there is none).
    pub seq: i64,
    /// The hash of the last entry ([`GENESIS_HASH`] when there is none).
    pub hash: String,
}

impl Head {
    /// The head of an empty chain.
    pub fn empty() -> Head {
        Head {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        }
    }
}

/// The first place where a chain is broken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Break {
    /// The entry's content no longer matches its hash.
    Altered {
        /// The entry that was altered.
        seq: i64,
    },
    /// Entries are missing before the entry found at `found`.
    Removed {
        /// The first position with no entry.
        seq: i64,
        /// The next position that has an entry.
        found: i64,
    },
    /// The entry is intact but does not follow the one before it: entries were moved,
    /// swapped or replaced.
    Reordered {
        /// The first entry out of place.
        seq: i64,
    },
    /// The chain stops before the head says it should.
    Truncated {
        /// The last entry present.
        last: i64,
        /// The last entry the head records.
        head: i64,
    },
    /// The head row itself is gone.
    HeadMissing,
    /// The head does not match the last entry (the head itself was altered).
    HeadMismatch {
        /// The last entry present.
        last: i64,
    },
}

impl Break {
    /// The first position affected.
    pub fn seq(&self) -> i64 {
        match *self {
            Break::Altered { seq } | Break::Removed { seq, .. } | Break::Reordered { seq } => seq,
            Break::Truncated { last, .. } => last + 1,
            Break::HeadMismatch { last } => last,
            Break::HeadMissing => 0,
        }
    }
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Break::Altered { seq } => write!(
                f,
                "entry {seq} was altered: its content no longer matches its hash"
            ),
            Break::Removed { seq, found } if found == seq + 1 => {
                write!(
                    f,
                    "entry {seq} was removed: the chain goes from {} to {found}",
                    seq - 1
                )
            }
            Break::Removed { seq, found } => write!(
                f,
                "entries {seq} to {} were removed: the chain goes from {} to {found}",
                found - 1,
                seq - 1
            ),
            Break::Reordered { seq } => write!(
                f,
                "entry {seq} is out of place: it does not follow entry {} (entries were reordered or replaced)",
                seq - 1
            ),
            Break::Truncated { last, head } => write!(
                f,
                "entries {} to {head} were removed from the end: the chain stops at {last}",
                last + 1
            ),
            Break::HeadMismatch { last } => write!(
                f,
                "the chain head does not match entry {last}: the head was altered"
            ),
            Break::HeadMissing => {
                f.write_str("the chain head is missing: the audit_head row was deleted")
            }
        }
    }
}

/// Checks a chain entry by entry, in the order of their positions, so that a chain of any
/// length can be streamed from the store.
#[derive(Debug)]
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl Verifier {
    /// A verifier at the start of a chain.
    pub fn new() -> Verifier {
        Verifier::default()
    }

    /// Checks the next entry; entries must come sorted by `seq`.
    pub fn push(&mut self, entry: &StoredEntry) -> Result<(), Break> {
        if entry.seq > self.expected_seq {
            return Err(Break::Removed {
                seq: self.expected_seq,
                found: entry.seq,
            });
        }
        if entry.seq < self.expected_seq {
            return Err(Break::Reordered { seq: entry.seq });
        }
        if entry_hash(&entry.prev_hash, &entry.fields()) != entry.hash {
            return Err(Break::Altered { seq: entry.seq });
        }
        if entry.prev_hash != self.prev_hash {
            return Err(Break::Reordered { seq: entry.seq });
        }
        self.prev_hash.clone_from(&entry.hash);
        self.expected_seq += 1;
        Ok(())
    }

    /// Checks the end of the chain against its separately kept head and returns the
    /// number of entries.
    pub fn finish(self, head: &Head) -> Result<u64, Break> {
        let last = self.expected_seq - 1;
        if head.seq > last {
            return Err(Break::Truncated {
                last,
                head: head.seq,
            });
        }
        if head.seq != last || head.hash != self.prev_hash {
            return Err(Break::HeadMismatch { last });
        }
        Ok(last as u64)
    }
}

/// Walks a whole chain held in memory: the count when intact, or the first break.
/// `entries` must be sorted by `seq`.
pub fn verify<I>(entries: I, head: &Head) -> Result<u64, Break>
where
    I: IntoIterator<Item = StoredEntry>,
{
    let mut v = Verifier::new();
    for entry in entries {
        v.push(&entry)?;
    }
    v.finish(head)
}

/// Who made a change, as the audit chain records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in user (through the web, the API or a token).
    User {
        /// The user's id.
        id: crate::id::UserId,
        /// The user's username.
        username: String,
    },
    /// Someone at the command line of the server, named by the operating system account.
    Cli {
        /// The operating system user.
        os_user: String,
    },
    /// Someone who is not signed in (a failed sign-in), named by their address.
    Anonymous {
        /// The network address the request came from.
        address: String,
    },
    /// The program itself (demo data, scheduled work).
    System,
}

impl Actor {
    /// The user id recorded, when a user acted.
    pub fn user_id(&self) -> Option<String> {
        match self {
            Actor::User { id, .. } => Some(id.to_string()),
            Actor::Cli { .. } | Actor::Anonymous { .. } | Actor::System => None,
        }
    }

    /// The name recorded.
    pub fn name(&self) -> String {
        match self {
            Actor::User { username, .. } => username.clone(),
            Actor::Cli { os_user } => format!("cli ({os_user})"),
            Actor::Anonymous { address } => format!("anonymous ({address})"),
            Actor::System => "system".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn chain(n: usize) -> (Vec<StoredEntry>, Head) {
        let mut prev = GENESIS_HASH.to_owned();
        let mut out = Vec::new();
        for i in 1..=n {
            let mut e = StoredEntry {
                seq: i as i64,
                at: format!("2026-01-01T00:00:{:02}.000Z", i % 60),
                actor_id: (i % 2 == 0).then(|| format!("user-{i}")),
                actor_name: format!("person {i}"),
                action: "user.create".into(),
                entity_kind: "user".into(),
                entity_id: format!("id-{i}"),
                workspace_id: None,
                state_digest: state_digest(&i),
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            e.hash = entry_hash(&prev, &e.fields());
            prev = e.hash.clone();
            out.push(e);
        }
        let head = Head {
            seq: n as i64,
            hash: prev,
        };
        (out, head)
    }

    #[test]
    fn intact_chains_verify_with_their_count() {
        for n in [0, 1, 2, 10] {
            let (entries, head) = chain(n);
            assert_eq!(verify(entries, &head), Ok(n as u64));
        }
    }

    #[test]
    fn an_altered_field_is_found() {
        let (mut entries, head) = chain(5);
        entries[2].actor_name = "someone else".into();
        assert_eq!(verify(entries, &head), Err(Break::Altered { seq: 3 }));
    }

    #[test]
    fn a_removed_entry_is_found() {
        let (mut entries, head) = chain(5);
        entries.remove(1);
        let err = verify(entries, &head).unwrap_err();
        assert_eq!(err, Break::Removed { seq: 2, found: 3 });
        assert_eq!(
            err.to_string(),
            "entry 2 was removed: the chain goes from 1 to 3"
        );
    }

    #[test]
    fn swapped_contents_are_found_at_the_first_of_the_two() {
        let (mut entries, head) = chain(5);
        let (a, b) = (entries[1].clone(), entries[3].clone());
        entries[1] = StoredEntry { seq: 2, ..b };
        entries[3] = StoredEntry { seq: 4, ..a };
        assert_eq!(verify(entries, &head), Err(Break::Reordered { seq: 2 }));
    }

    #[test]
    fn a_cut_tail_is_found_through_the_head() {
        let (mut entries, head) = chain(5);
        entries.truncate(3);
        let err = verify(entries, &head).unwrap_err();
        assert_eq!(err, Break::Truncated { last: 3, head: 5 });
        assert_eq!(
            err.to_string(),
            "entries 4 to 5 were removed from the end: the chain stops at 3"
        );
    }

    #[test]
    fn a_rehashed_forgery_is_found_at_the_next_entry() {
        // Someone alters entry 2 and recomputes its hash: entry 3 no longer follows it.
        let (mut entries, head) = chain(4);
        entries[1].actor_name = "forger".into();
        entries[1].hash = entry_hash(&entries[1].prev_hash.clone(), &entries[1].fields());
        assert_eq!(verify(entries, &head), Err(Break::Reordered { seq: 3 }));
    }

    #[test]
    fn an_altered_head_is_found() {
        let (entries, mut head) = chain(3);
        head.hash = GENESIS_HASH.into();
        assert_eq!(verify(entries, &head), Err(Break::HeadMismatch { last: 3 }));
    }

    #[test]
    fn field_boundaries_matter() {
        let a = EntryFields {
            at: "t",
            actor_id: None,
            actor_name: "ab",
            action: "c",
            entity_kind: "k",
            entity_id: "i",
            workspace_id: None,
            state_digest: "d",
        };
        let b = EntryFields {
            actor_name: "a",
            action: "bc",
            ..a.clone()
        };
        assert_ne!(entry_hash(GENESIS_HASH, &a), entry_hash(GENESIS_HASH, &b));
    }

    proptest! {
        /// Any single change to any stored field of any entry is detected.
        #[test]
        fn any_single_tamper_is_detected(n in 1usize..12, pick in any::<prop::sample::Index>(), field in 0usize..9) {
            let (mut entries, head) = chain(n);
            let i = pick.index(n);
            let e = &mut entries[i];
            match field {
                0 => e.at.push('x'),
                1 => e.actor_id = Some(format!("{:?}x", e.actor_id)),
                2 => e.actor_name.push('x'),
                3 => e.action.push('x'),
                4 => e.entity_kind.push('x'),
                5 => e.entity_id.push('x'),
                6 => e.workspace_id = Some("w".into()),
                7 => e.state_digest.push('0'),
                _ => e.prev_hash.push('0'),
            }
            let err = verify(entries, &head).unwrap_err();
            prop_assert_eq!(err.seq(), i as i64 + 1);
        }
    }
}
