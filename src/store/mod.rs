//! Storage: the `Store` trait every backend implements, and the in-memory store.
//!
//! A store keeps members and enforces what only it can enforce without races:
//! unique login emails and slugs (by their `unique_key`) and compare-and-set on the
//! revision. It knows nothing of callers or permissions: visibility arrives as part
//! of the query's filter.

pub mod any;
pub mod credentials;
pub mod jobs;
pub mod location;
pub mod memory;
pub mod memory_arena;
pub mod memory_bitmaps;
pub mod memory_columns;
pub mod memory_jobs;
pub mod memory_order;
pub mod memory_outbox;
pub mod outbox;
pub mod sql;

pub use any::AnyStore;
pub use credentials::CredentialStore;
pub use jobs::{JobBatch, JobStore, JOB_LEASE_LOST};
pub use memory::MemoryStore;
pub use outbox::{Claim, Finished, NextStep, OutboxStore};
pub use sql::SqlStore;

use crate::model::text::unique_key;
use crate::model::{ErrorCode, Member, MemberEvent, MemberId, MembersError, MembersResult};
use crate::query::{Filter, Query};
use serde_json::json;

/// One page of a query, and how many members match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub members: Vec<Member>,
    pub total: u64,
}

/// The application code of a lost compare-and-set race; the service retries.
pub const REVISION_CONFLICT: &str = "REVISION_CONFLICT";

/// The login email is already used by another member.
pub fn email_taken(email: &str) -> MembersError {
    MembersError::new(
        ErrorCode::AlreadyExists,
        "EMAIL_ALREADY_EXISTS",
        format!("a member with login email {email:?} already exists"),
    )
    .with_data(json!({ "loginEmail": email }))
}

/// The slug is already used by another member.
pub fn slug_taken(slug: &str) -> MembersError {
    MembersError::new(
        ErrorCode::AlreadyExists,
        "SLUG_ALREADY_EXISTS",
        format!("the slug {slug:?} is already taken"),
    )
    .with_data(json!({ "slug": slug }))
}

/// A member with this id exists already (imports keep ids).
pub fn member_exists(id: &MemberId) -> MembersError {
    MembersError::new(
        ErrorCode::AlreadyExists,
        "MEMBER_ALREADY_EXISTS",
        format!("a member with id {id} already exists"),
    )
}

/// The member changed since it was read.
pub fn revision_conflict(id: &MemberId) -> MembersError {
    MembersError::new(
        ErrorCode::FailedPrecondition,
        REVISION_CONFLICT,
        format!("member {id} was changed by someone else meanwhile"),
    )
}

/// The keys a member holds in the unique indexes: (email key, slug key).
pub fn unique_keys(member: &Member) -> (String, String) {
    (
        unique_key(&member.login_email),
        unique_key(&member.profile.slug),
    )
}

/// The page `offset..offset + limit` of `found` in the query's order, sorting only
/// what the page needs (a selection, then a sort of the first `offset + limit`).
pub fn page_in_memory(
    mut found: Vec<&Member>,
    query: &Query,
    offset: usize,
    limit: usize,
) -> Vec<Member> {
    let end = offset.saturating_add(limit).min(found.len());
    if offset >= end {
        return Vec::new();
    }
    let order = |a: &&Member, b: &&Member| query.sort.compare(a, b);
    if end < found.len() {
        found.select_nth_unstable_by(end - 1, order);
        found.truncate(end);
    }
    found.sort_by(order);
    found[offset..end].iter().map(|m| (*m).clone()).collect()
}

/// A members store, with the credentials of its members and the outbox of their
/// events. Every write stores its events in the same transaction as the change
/// (SPEC §9): both are written, or neither. Futures are not `Send`: the core runs
/// on one thread (wasm, and native tests through a small executor).
#[allow(async_fn_in_trait)]
pub trait Store: CredentialStore + OutboxStore + JobStore {
    /// Adds a new member; `ALREADY_EXISTS` when its email or slug key is taken.
    async fn insert(&self, member: &Member, event: &MemberEvent) -> MembersResult<()>;

    /// Adds several new members all at once, or none of them.
    async fn insert_many(&self, members: &[Member], events: &[MemberEvent]) -> MembersResult<()>;

    /// The member with this id.
    async fn get(&self, id: &MemberId) -> MembersResult<Option<Member>>;

    /// The member whose login email has the same unique key.
    async fn get_by_email(&self, email: &str) -> MembersResult<Option<Member>>;

    /// Replaces a member if its stored revision is still `expected_revision`
    /// (`REVISION_CONFLICT` otherwise, `ALREADY_EXISTS` on a taken email or slug).
    async fn update(
        &self,
        member: &Member,
        expected_revision: u64,
        event: &MemberEvent,
    ) -> MembersResult<()> {
        self.update_many(
            &[(member.clone(), expected_revision)],
            std::slice::from_ref(event),
        )
        .await
    }

    /// Replaces several members at once, each only if its stored revision is still
    /// the one paired with it; otherwise nothing changes (`REVISION_CONFLICT`).
    async fn update_many(
        &self,
        changes: &[(Member, u64)],
        events: &[MemberEvent],
    ) -> MembersResult<()>;

    /// Deletes these members all at once with their credentials, each only if its
    /// stored revision is still the one it has here; otherwise nothing changes
    /// (`REVISION_CONFLICT`, also when one is gone already).
    async fn delete(&self, members: &[Member], events: &[MemberEvent]) -> MembersResult<()>;

    /// One page of the members matching the query, in its order, and the total.
    async fn query(&self, query: &Query) -> MembersResult<Page>;

    /// How many members match.
    async fn count(&self, filter: &Filter) -> MembersResult<u64>;

    /// The slug keys in use that are `base` or `base-N`, for picking a free suffix.
    async fn slugs_like(&self, base_key: &str) -> MembersResult<Vec<String>>;

    /// The secret that signs cursors: the same for every process on this store.
    async fn secret(&self) -> MembersResult<Vec<u8>>;
}
