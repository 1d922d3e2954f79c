//! What a store keeps for async jobs (SPEC §12): the job, its items, and the
//! lease that lets one worker at a time work a job. A batch of items is applied in
//! one transaction with its member changes, their events, the items' outcomes and
//! the job's counters, so a restart never does an item twice.

use crate::model::job::{ItemFilter, Job, JobItem, JobStatus};
use crate::model::{Member, MemberEvent, MemberId, MembersResult, Timestamp};

/// The application code of a batch whose job lease was taken over.
pub const JOB_LEASE_LOST: &str = "JOB_LEASE_LOST";

/// One batch of a job: the member changes and every item's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct JobBatch {
    pub job_id: String,
    pub lease_token: String,
    /// Members changed, each with the revision it must still have.
    pub updates: Vec<(Member, u64)>,
    /// Members deleted (compare-and-set on their revision).
    pub deletes: Vec<Member>,
    /// One event per change.
    pub events: Vec<MemberEvent>,
    /// Item index → `None` (succeeded) or `(applicationCode, description)`.
    pub outcomes: Vec<(u64, Option<(String, String)>)>,
    pub now: Timestamp,
}

/// The jobs side of a store. Futures are not `Send` (like `Store`).
#[allow(async_fn_in_trait)]
pub trait JobStore {
    /// Stores a job with one pending item per member, in order, all at once.
    async fn insert_job(&self, job: &Job, members: &[MemberId]) -> MembersResult<()>;

    /// One job.
    async fn job(&self, id: &str) -> MembersResult<Option<Job>>;

    /// Worked items of a job after index `after`, in order, at most `limit`.
    async fn job_items(
        &self,
        id: &str,
        filter: ItemFilter,
        after: Option<u64>,
        limit: u32,
    ) -> MembersResult<Vec<JobItem>>;

    /// Leases the oldest unfinished job whose lease is free to `token` until
    /// `lease_until` (an INITIALIZED job becomes PROCESSING).
    async fn claim_job(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        token: &str,
    ) -> MembersResult<Option<Job>>;

    /// The first `limit` pending items of a job.
    async fn pending_items(&self, id: &str, limit: u32) -> MembersResult<Vec<JobItem>>;

    /// Applies a batch all at once. `JOB_LEASE_LOST` when the lease is no longer
    /// `batch.lease_token`; `REVISION_CONFLICT` when a member changed or an item
    /// was worked meanwhile. Nothing is written then.
    async fn apply_job_batch(&self, batch: &JobBatch) -> MembersResult<()>;

    /// Ends a job (FINISHED or FAILED with `error`) while `token` holds it.
    async fn end_job(
        &self,
        id: &str,
        token: &str,
        status: JobStatus,
        error: Option<&str>,
        now: Timestamp,
    ) -> MembersResult<bool>;

    /// Gives a job's lease back.
    async fn release_job(&self, id: &str, token: &str) -> MembersResult<()>;

    /// Removes up to `batch` jobs (with their items) that ended before `before`.
    async fn prune_jobs(&self, before: Timestamp, batch: u32) -> MembersResult<u64>;
}
