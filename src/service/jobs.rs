//! Async jobs (SPEC §12): `bulkDeleteMembersByFilter`, `bulkApproveMembers` and
//! `bulkBlockMembers` store a job over the members their filter matches now and
//! answer `{ jobId }` at once; `run_async_jobs` (called by the host's worker in
//! every server and local Node process) works one batch of up to 100 items in
//! one transaction, each change with its event; `getAsyncJob` and
//! `listAsyncJobItems` read it in Wix's shapes.
//!
//! Each item obeys the single call's rules for the admin who started the job (a
//! member can not block itself; a disconnected member stays disconnected): an
//! item that breaks one fails with its reason and the rest go on.

use super::caller::Caller;
use super::engine::{next_version, Engine};
use super::moderation::Moderation;
use crate::model::event::{EventKind, MemberEvent};
use crate::model::ids::new_uuid;
use crate::model::job::{ItemFilter, Job, JobAction, JobStatus};
use crate::model::{ErrorCode, MembersError, MembersResult, Timestamp};
use crate::query::Filter;
use crate::store::{JobBatch, Store, JOB_LEASE_LOST, REVISION_CONFLICT};
use serde_json::{json, Value};

/// Most items one batch (one transaction) works.
pub const JOB_BATCH: u32 = 100;

/// How long a worker holds a job between batches; a batch takes far less.
const JOB_LEASE_MS: i64 = 60_000;

/// How many sample ids a dry run shows.
const DRY_RUN_SAMPLES: usize = 10;

/// Most items one page of `listAsyncJobItems` returns.
const MAX_ITEMS_PAGE: u32 = 100;

/// How often a batch is re-read and tried again after losing a race.
const BATCH_ATTEMPTS: usize = 16;

fn job_not_found(id: &str) -> MembersError {
    MembersError::new(
        ErrorCode::NotFound,
        "JOB_NOT_FOUND",
        format!("no async job with id {id:?}"),
    )
}

impl<S: Store> Engine<S> {
    /// A by-filter bulk call: `{ jobId }`, or with `{ dryRun: true }` the count and
    /// up to 10 sample ids, writing nothing.
    pub async fn start_job(
        &self,
        caller: &Caller,
        action: JobAction,
        filter: &Value,
        options: &Value,
    ) -> MembersResult<Value> {
        caller.require_admin(action.call())?;
        let dry_run = match &options["dryRun"] {
            Value::Null => false,
            Value::Bool(b) => *b,
            _ => {
                return Err(MembersError::invalid_field(
                    "dryRun",
                    "TYPE",
                    "must be true or false",
                ))
            }
        };
        let parsed = Filter::parse(filter)?;
        let members = self.all_matching(&parsed).await?;
        if dry_run {
            let samples: Vec<_> = members
                .iter()
                .take(DRY_RUN_SAMPLES)
                .map(|m| &m.id)
                .collect();
            return Ok(json!({ "dryRun": true, "count": members.len(), "sampleIds": samples }));
        }
        let now = self.now();
        let ids: Vec<_> = members.into_iter().map(|m| m.id).collect();
        let job = Job {
            id: new_uuid()?,
            action,
            filter: filter.clone(),
            status: if ids.is_empty() {
                JobStatus::Finished
            } else {
                JobStatus::Initialized
            },
            items_to_process: ids.len() as u64,
            items_succeeded: 0,
            items_failed: 0,
            started_by: caller.member_id().cloned(),
            error: None,
            created_date: now,
            updated_date: now,
        };
        self.store.insert_job(&job, &ids).await?;
        // Wakes this process's job runner (no events yet: items fire their own).
        self.after_commit().await;
        Ok(json!({ "jobId": job.id }))
    }

    /// Works one batch of the oldest unfinished job whose lease is free →
    /// `{ worked: false }` when there is none, else `{ worked: true, jobId,
    /// processed, status }`.
    pub async fn run_async_jobs(&self, caller: &Caller) -> MembersResult<Value> {
        caller.require_admin("runAsyncJobs")?;
        let token = new_uuid()?;
        let now = self.now();
        let Some(job) = self
            .store
            .claim_job(now, Timestamp(now.millis() + JOB_LEASE_MS), &token)
            .await?
        else {
            return Ok(json!({ "worked": false }));
        };
        match self.work_batch(&job, &token).await {
            Ok((processed, status)) => {
                // The next batch may be taken by any worker, this one included.
                if status == JobStatus::Processing {
                    self.store.release_job(&job.id, &token).await?;
                }
                Ok(json!({
                    "worked": true, "jobId": job.id, "processed": processed, "status": status.as_str(),
                }))
            }
            Err(error) if error.application_code == JOB_LEASE_LOST => {
                Ok(json!({ "worked": true, "jobId": job.id, "processed": 0 }))
            }
            Err(error) if error.code == ErrorCode::Unavailable => {
                // The database is busy or away: the job waits for another try.
                let _ = self.store.release_job(&job.id, &token).await;
                Err(error)
            }
            Err(error) => {
                let reason = format!("{}: {}", error.application_code, error.message);
                self.store
                    .end_job(
                        &job.id,
                        &token,
                        JobStatus::Failed,
                        Some(&reason),
                        self.now(),
                    )
                    .await?;
                Ok(json!({ "worked": true, "jobId": job.id, "processed": 0, "status": "FAILED" }))
            }
        }
    }

    /// One batch of `job` under lease `token`; the number of items worked and the
    /// job's status after it.
    async fn work_batch(&self, job: &Job, token: &str) -> MembersResult<(usize, JobStatus)> {
        let acting = Caller::Admin(job.started_by.clone());
        for _ in 0..BATCH_ATTEMPTS {
            let items = self.store.pending_items(&job.id, JOB_BATCH).await?;
            if items.is_empty() {
                self.store
                    .end_job(&job.id, token, JobStatus::Finished, None, self.now())
                    .await?;
                return Ok((0, JobStatus::Finished));
            }
            let now = self.now();
            let mut batch = JobBatch {
                job_id: job.id.clone(),
                lease_token: token.to_string(),
                updates: Vec::new(),
                deletes: Vec::new(),
                events: Vec::new(),
                outcomes: Vec::new(),
                now,
            };
            for item in &items {
                let Some(member) = self.store.get(&item.member_id).await? else {
                    let error = MembersError::member_not_found(item.member_id.as_str());
                    batch
                        .outcomes
                        .push((item.index, Some((error.application_code, error.message))));
                    continue;
                };
                let outcome = match job.action {
                    JobAction::Delete => {
                        batch.events.push(MemberEvent::of_change(
                            EventKind::Deleted,
                            Some(&member),
                            None,
                            acting.identity(),
                            now,
                        )?);
                        batch.deletes.push(member);
                        None
                    }
                    JobAction::Approve | JobAction::Block => {
                        let moderation = match job.action {
                            JobAction::Block => Moderation::Block,
                            _ => Moderation::Approve,
                        };
                        match next_version(&member, now, &|m| moderation.apply(&acting, m)) {
                            Err(error) => Some((error.application_code, error.message)),
                            Ok(None) => None,
                            Ok(Some(after)) => {
                                batch.events.push(MemberEvent::of_change(
                                    EventKind::Updated,
                                    Some(&member),
                                    Some(&after),
                                    acting.identity(),
                                    now,
                                )?);
                                batch.updates.push((after, member.revision));
                                None
                            }
                        }
                    }
                };
                batch.outcomes.push((item.index, outcome));
            }
            self.before_write().await;
            match self.store.apply_job_batch(&batch).await {
                Ok(()) => {
                    for (after, _) in &batch.updates {
                        self.end_sessions_if_locked_out(after).await;
                    }
                    self.after_commit().await;
                    return Ok((items.len(), JobStatus::Processing));
                }
                // A member changed meanwhile: read the batch again.
                Err(error) if error.application_code == REVISION_CONFLICT => continue,
                Err(error) => return Err(error),
            }
        }
        Err(MembersError::new(
            ErrorCode::Unavailable,
            "TOO_MUCH_CONTENTION",
            format!(
                "the members of job {} are changing too often; it goes on later",
                job.id
            ),
        ))
    }

    /// `getAsyncJob(jobId)` → `{ job }`; `NOT_FOUND` when unknown or ended more
    /// than the retention ago.
    pub async fn get_async_job(&self, caller: &Caller, id: &str) -> MembersResult<Value> {
        caller.require_admin("getAsyncJob")?;
        let job = self.visible_job(id).await?;
        Ok(json!({ "job": job.to_json() }))
    }

    /// `listAsyncJobItems(jobId, { statusFilter, paging: { limit, cursor } })` →
    /// `{ items, pagingMetadata: { count, cursors: { next }, hasNext } }`.
    pub async fn list_async_job_items(
        &self,
        caller: &Caller,
        id: &str,
        options: &Value,
    ) -> MembersResult<Value> {
        caller.require_admin("listAsyncJobItems")?;
        let filter = match &options["statusFilter"] {
            Value::Null => ItemFilter::All,
            Value::String(text) => ItemFilter::parse(Some(text))?,
            _ => {
                return Err(MembersError::invalid_field(
                    "statusFilter",
                    "TYPE",
                    "must be a string",
                ))
            }
        };
        let paging = &options["paging"];
        let limit = match &paging["limit"] {
            Value::Null => 50,
            value => value
                .as_u64()
                .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
                .filter(|n| (1..=u64::from(MAX_ITEMS_PAGE)).contains(n))
                .ok_or_else(|| {
                    MembersError::invalid_field(
                        "paging.limit",
                        "RANGE",
                        format!("must be a whole number from 1 to {MAX_ITEMS_PAGE}"),
                    )
                })? as u32,
        };
        let after = match &paging["cursor"] {
            Value::Null => None,
            Value::String(cursor) => Some(cursor.parse::<u64>().map_err(|_| {
                MembersError::invalid_field(
                    "paging.cursor",
                    "FORMAT",
                    "is not a cursor of this job",
                )
            })?),
            _ => {
                return Err(MembersError::invalid_field(
                    "paging.cursor",
                    "TYPE",
                    "must be a string",
                ))
            }
        };
        let job = self.visible_job(id).await?;
        let mut items = self
            .store
            .job_items(&job.id, filter, after, limit + 1)
            .await?;
        let has_next = items.len() > limit as usize;
        items.truncate(limit as usize);
        let next = items
            .last()
            .filter(|_| has_next)
            .map(|item| item.index.to_string());
        Ok(json!({
            "items": items.iter().map(|item| item.to_json(&job.id)).collect::<Vec<_>>(),
            "pagingMetadata": { "count": items.len(), "cursors": { "next": next }, "hasNext": has_next },
        }))
    }

    async fn visible_job(&self, id: &str) -> MembersResult<Job> {
        let job = self.store.job(id).await?.ok_or_else(|| job_not_found(id))?;
        let days = i64::from(self.webhook_policy.retention_days);
        let expired = job.status.ended()
            && job.updated_date.millis() < self.now().millis() - days * 24 * 3600 * 1000;
        if expired {
            return Err(job_not_found(id));
        }
        Ok(job)
    }

    /// Removes a batch of jobs that ended more than the retention ago.
    pub(crate) async fn prune_jobs(&self, batch: u32) -> MembersResult<u64> {
        let days = i64::from(self.webhook_policy.retention_days);
        let before = Timestamp(self.now().millis() - days * 24 * 3600 * 1000);
        self.store.prune_jobs(before, batch).await
    }
}
