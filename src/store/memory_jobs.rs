//! Async jobs of the memory store. A batch is checked whole (lease, items still
//! pending, member revisions) before anything changes, then applied with no await
//! between its parts, so it is all or nothing like a SQL transaction.

use super::jobs::{JobBatch, JobStore, JOB_LEASE_LOST};
use super::memory::MemoryStore;
use super::{revision_conflict, Store};
use crate::model::job::{ItemFilter, ItemStatus, Job, JobItem, JobStatus};
use crate::model::{ErrorCode, MemberId, MembersError, MembersResult, Timestamp};

/// A job with its items and lease.
#[derive(Debug, Clone)]
struct MemoryJob {
    job: Job,
    items: Vec<JobItem>,
    lease: Option<(String, Timestamp)>,
}

/// The jobs kept in this process.
#[derive(Debug, Default)]
pub struct MemoryJobs {
    jobs: Vec<MemoryJob>,
}

impl MemoryJobs {
    fn find(&mut self, id: &str) -> Option<&mut MemoryJob> {
        self.jobs.iter_mut().find(|j| j.job.id == id)
    }
}

fn lease_lost(id: &str) -> MembersError {
    MembersError::new(
        ErrorCode::FailedPrecondition,
        JOB_LEASE_LOST,
        format!("job {id} is worked by another worker now"),
    )
}

impl JobStore for MemoryStore {
    async fn insert_job(&self, job: &Job, members: &[MemberId]) -> MembersResult<()> {
        let items = members
            .iter()
            .enumerate()
            .map(|(index, id)| JobItem {
                index: index as u64,
                member_id: id.clone(),
                status: ItemStatus::Pending,
                error: None,
            })
            .collect();
        self.jobs.borrow_mut().jobs.push(MemoryJob {
            job: job.clone(),
            items,
            lease: None,
        });
        Ok(())
    }

    async fn job(&self, id: &str) -> MembersResult<Option<Job>> {
        Ok(self.jobs.borrow_mut().find(id).map(|j| j.job.clone()))
    }

    async fn job_items(
        &self,
        id: &str,
        filter: ItemFilter,
        after: Option<u64>,
        limit: u32,
    ) -> MembersResult<Vec<JobItem>> {
        let mut jobs = self.jobs.borrow_mut();
        let Some(job) = jobs.find(id) else {
            return Ok(Vec::new());
        };
        Ok(job
            .items
            .iter()
            .filter(|i| after.is_none_or(|a| i.index > a))
            .filter(|i| match filter {
                ItemFilter::All => i.status != ItemStatus::Pending,
                ItemFilter::FailedOnly => i.status == ItemStatus::Failed,
                ItemFilter::SuccessfulOnly => i.status == ItemStatus::Succeeded,
            })
            .take(limit as usize)
            .cloned()
            .collect())
    }

    async fn claim_job(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        token: &str,
    ) -> MembersResult<Option<Job>> {
        let mut jobs = self.jobs.borrow_mut();
        let free = jobs.jobs.iter_mut().find(|j| {
            !j.job.status.ended() && j.lease.as_ref().is_none_or(|(_, until)| *until < now)
        });
        Ok(free.map(|j| {
            j.lease = Some((token.to_string(), lease_until));
            if j.job.status == JobStatus::Initialized {
                j.job.status = JobStatus::Processing;
                j.job.updated_date = now;
            }
            j.job.clone()
        }))
    }

    async fn pending_items(&self, id: &str, limit: u32) -> MembersResult<Vec<JobItem>> {
        let mut jobs = self.jobs.borrow_mut();
        Ok(jobs.find(id).map_or_else(Vec::new, |j| {
            j.items
                .iter()
                .filter(|i| i.status == ItemStatus::Pending)
                .take(limit as usize)
                .cloned()
                .collect()
        }))
    }

    async fn apply_job_batch(&self, batch: &JobBatch) -> MembersResult<()> {
        {
            let mut jobs = self.jobs.borrow_mut();
            let job = jobs
                .find(&batch.job_id)
                .ok_or_else(|| lease_lost(&batch.job_id))?;
            if job
                .lease
                .as_ref()
                .is_none_or(|(t, _)| *t != batch.lease_token)
            {
                return Err(lease_lost(&batch.job_id));
            }
            for (index, _) in &batch.outcomes {
                if job
                    .items
                    .get(*index as usize)
                    .is_none_or(|i| i.status != ItemStatus::Pending)
                {
                    return Err(MembersError::new(
                        ErrorCode::FailedPrecondition,
                        super::REVISION_CONFLICT,
                        format!("item {index} of job {} was worked meanwhile", batch.job_id),
                    ));
                }
            }
        }
        // Every revision is checked before anything changes.
        for (member, expected) in &batch.updates {
            if self
                .get(&member.id)
                .await?
                .is_none_or(|m| m.revision != *expected)
            {
                return Err(revision_conflict(&member.id));
            }
        }
        for member in &batch.deletes {
            if self
                .get(&member.id)
                .await?
                .is_none_or(|m| m.revision != member.revision)
            {
                return Err(revision_conflict(&member.id));
            }
        }
        if !batch.updates.is_empty() {
            self.update_many(&batch.updates, &batch.events).await?;
        }
        if !batch.deletes.is_empty() {
            self.delete(&batch.deletes, &batch.events).await?;
        }
        let mut jobs = self.jobs.borrow_mut();
        let job = jobs
            .find(&batch.job_id)
            .ok_or_else(|| lease_lost(&batch.job_id))?;
        for (index, error) in &batch.outcomes {
            let item = &mut job.items[*index as usize];
            item.status = if error.is_none() {
                job.job.items_succeeded += 1;
                ItemStatus::Succeeded
            } else {
                job.job.items_failed += 1;
                ItemStatus::Failed
            };
            item.error = error.clone();
        }
        job.job.updated_date = batch.now;
        Ok(())
    }

    async fn end_job(
        &self,
        id: &str,
        token: &str,
        status: JobStatus,
        error: Option<&str>,
        now: Timestamp,
    ) -> MembersResult<bool> {
        let mut jobs = self.jobs.borrow_mut();
        let Some(job) = jobs.find(id) else {
            return Ok(false);
        };
        if job.lease.as_ref().is_none_or(|(t, _)| t != token) {
            return Ok(false);
        }
        job.job.status = status;
        job.job.error = error.map(str::to_string);
        job.job.updated_date = now;
        job.lease = None;
        Ok(true)
    }

    async fn release_job(&self, id: &str, token: &str) -> MembersResult<()> {
        if let Some(job) = self.jobs.borrow_mut().find(id) {
            if job.lease.as_ref().is_some_and(|(t, _)| t == token) {
                job.lease = None;
            }
        }
        Ok(())
    }

    async fn prune_jobs(&self, before: Timestamp, batch: u32) -> MembersResult<u64> {
        let mut jobs = self.jobs.borrow_mut();
        let old: Vec<String> = jobs
            .jobs
            .iter()
            .filter(|j| j.job.status.ended() && j.job.updated_date < before)
            .take(batch as usize)
            .map(|j| j.job.id.clone())
            .collect();
        jobs.jobs.retain(|j| !old.contains(&j.job.id));
        Ok(old.len() as u64)
    }
}
