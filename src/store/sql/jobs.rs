//! Async jobs in SQL (migration 4): `async_jobs` with its lease, and one
//! `async_job_items` row per member. A batch is one transaction: the job's lease
//! and counters first (so a lost lease rolls everything back), then the member
//! writes, the items' outcomes and the events.

use super::driver::{
    cell, int, int_value as i, opt_text, text, text_value as t, DriverError, Statement,
};
use super::{SqlDriver, SqlStore};
use crate::model::job::{ItemFilter, ItemStatus, Job, JobAction, JobItem, JobStatus};
use crate::model::{ErrorCode, MemberId, MembersError, MembersResult, Timestamp};
use crate::query::sql::{Dialect, SqlValue};
use crate::store::jobs::{JobBatch, JobStore, JOB_LEASE_LOST};
use crate::store::revision_conflict;

const JOB_COLUMNS: &str = "id, action, filter, status, items_to_process, items_succeeded, \
    items_failed, started_by, error, created_date, updated_date";

fn job_from(row: &[SqlValue]) -> MembersResult<Job> {
    let count = |n: usize| int(cell(row, n)).map(|v| v.max(0) as u64);
    Ok(Job {
        id: text(cell(row, 0))?.to_string(),
        action: JobAction::parse(text(cell(row, 1))?)
            .ok_or_else(|| MembersError::internal("a stored job has an unknown action"))?,
        filter: serde_json::from_str(text(cell(row, 2))?)
            .map_err(|_| MembersError::internal("a stored job's filter is damaged"))?,
        status: JobStatus::parse(text(cell(row, 3))?),
        items_to_process: count(4)?,
        items_succeeded: count(5)?,
        items_failed: count(6)?,
        started_by: opt_text(cell(row, 7))
            .map(|id| MemberId::parse(&id, "started_by"))
            .transpose()?,
        error: opt_text(cell(row, 8)),
        created_date: Timestamp(int(cell(row, 9))?),
        updated_date: Timestamp(int(cell(row, 10))?),
    })
}

fn item_from(row: &[SqlValue]) -> MembersResult<JobItem> {
    Ok(JobItem {
        index: int(cell(row, 0))?.max(0) as u64,
        member_id: MemberId::parse(text(cell(row, 1))?, "member_id")?,
        status: ItemStatus::from_column(text(cell(row, 2))?),
        error: match (opt_text(cell(row, 3)), opt_text(cell(row, 4))) {
            (Some(code), Some(message)) => Some((code, message)),
            _ => None,
        },
    })
}

impl<D: SqlDriver> JobStore for SqlStore<D> {
    async fn insert_job(&self, job: &Job, members: &[MemberId]) -> MembersResult<()> {
        let mut insert = self.sql();
        insert
            .push("INSERT INTO async_jobs (")
            .push(JOB_COLUMNS)
            .push(") VALUES (")
            .bind(t(&job.id))
            .push(", ")
            .bind(t(job.action.as_str()))
            .push(", ")
            .bind(t(&job.filter.to_string()))
            .push(", ")
            .bind(t(job.status.as_str()))
            .push(", ")
            .bind(i(job.items_to_process as i64))
            .push(", 0, 0, ")
            .bind(
                job.started_by
                    .as_ref()
                    .map_or(SqlValue::Null, |id| t(id.as_str())),
            )
            .push(", NULL, ")
            .bind(i(job.created_date.millis()))
            .push(", ")
            .bind(i(job.updated_date.millis()))
            .push(")");
        let mut statements = vec![Statement::new(insert)];
        for (chunk_start, chunk) in members.chunks(500).enumerate() {
            let mut items = self.sql();
            items.push(
                "INSERT INTO async_job_items (job_id, item_index, member_id, status) VALUES ",
            );
            for (n, id) in chunk.iter().enumerate() {
                items
                    .push(if n == 0 { "(" } else { ", (" })
                    .bind(t(&job.id))
                    .push(", ")
                    .bind(i((chunk_start * 500 + n) as i64))
                    .push(", ")
                    .bind(t(id.as_str()))
                    .push(", 'pending')");
            }
            statements.push(Statement::new(items));
        }
        self.write(&statements, None).await?;
        Ok(())
    }

    async fn job(&self, id: &str) -> MembersResult<Option<Job>> {
        let mut sql = self.sql();
        sql.push("SELECT ")
            .push(JOB_COLUMNS)
            .push(" FROM async_jobs WHERE id = ")
            .bind(t(id));
        self.rows(&sql)
            .await?
            .first()
            .map(|r| job_from(r))
            .transpose()
    }

    async fn job_items(
        &self,
        id: &str,
        filter: ItemFilter,
        after: Option<u64>,
        limit: u32,
    ) -> MembersResult<Vec<JobItem>> {
        let mut sql = self.sql();
        sql.push(
            "SELECT item_index, member_id, status, error_code, error_message FROM async_job_items \
             WHERE job_id = ",
        )
        .bind(t(id));
        match filter {
            ItemFilter::All => sql.push(" AND status <> 'pending'"),
            ItemFilter::FailedOnly => sql.push(" AND status = 'failed'"),
            ItemFilter::SuccessfulOnly => sql.push(" AND status = 'succeeded'"),
        };
        if let Some(after) = after {
            sql.push(" AND item_index > ").bind(i(after as i64));
        }
        sql.push(" ORDER BY item_index LIMIT ")
            .bind(i(i64::from(limit)));
        self.rows(&sql)
            .await?
            .iter()
            .map(|r| item_from(r))
            .collect()
    }

    async fn claim_job(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        token: &str,
    ) -> MembersResult<Option<Job>> {
        let free = |sql: &mut crate::query::sql::Sql| {
            sql.push(
                "SELECT id FROM async_jobs WHERE status IN ('INITIALIZED', 'PROCESSING') \
                 AND (lease_until IS NULL OR lease_until < ",
            )
            .bind(i(now.millis()))
            .push(") ORDER BY created_date, id LIMIT 1");
        };
        // An idle worker asks often: a read first, so it takes no write lock.
        let mut probe = self.sql();
        free(&mut probe);
        if self.rows(&probe).await?.is_empty() {
            return Ok(None);
        }
        let mut sql = self.sql();
        sql.push("UPDATE async_jobs SET lease_token = ")
            .bind(t(token))
            .push(", lease_until = ")
            .bind(i(lease_until.millis()))
            .push(", status = 'PROCESSING', updated_date = ")
            .bind(i(now.millis()))
            .push(" WHERE id = (");
        free(&mut sql);
        if self.driver.dialect() == Dialect::Postgres {
            sql.push(" FOR UPDATE SKIP LOCKED");
        }
        sql.push(") RETURNING ").push(JOB_COLUMNS);
        self.rows(&sql)
            .await?
            .first()
            .map(|r| job_from(r))
            .transpose()
    }

    async fn pending_items(&self, id: &str, limit: u32) -> MembersResult<Vec<JobItem>> {
        let mut sql = self.sql();
        sql.push(
            "SELECT item_index, member_id, status, error_code, error_message FROM async_job_items \
             WHERE job_id = ",
        )
        .bind(t(id))
        .push(" AND status = 'pending' ORDER BY item_index LIMIT ")
        .bind(i(i64::from(limit)));
        self.rows(&sql)
            .await?
            .iter()
            .map(|r| item_from(r))
            .collect()
    }

    async fn apply_job_batch(&self, batch: &JobBatch) -> MembersResult<()> {
        let succeeded = batch.outcomes.iter().filter(|(_, e)| e.is_none()).count() as i64;
        let failed = batch.outcomes.len() as i64 - succeeded;
        let mut counters = self.sql();
        counters
            .push("UPDATE async_jobs SET items_succeeded = items_succeeded + ")
            .bind(i(succeeded))
            .push(", items_failed = items_failed + ")
            .bind(i(failed))
            .push(", updated_date = ")
            .bind(i(batch.now.millis()))
            .push(" WHERE id = ")
            .bind(t(&batch.job_id))
            .push(" AND lease_token = ")
            .bind(t(&batch.lease_token));
        let mut statements = vec![Statement::expecting(counters, 1)];
        let members_from = statements.len();
        for (member, expected) in &batch.updates {
            statements.push(Statement::expecting(self.update_sql(member, *expected)?, 1));
        }
        for member in &batch.deletes {
            let mut sql = self.sql();
            sql.push("DELETE FROM members WHERE id = ")
                .bind(t(member.id.as_str()))
                .push(" AND revision = ")
                .bind(i(member.revision as i64));
            statements.push(Statement::expecting(sql, 1));
        }
        let members_to = statements.len();
        for member in &batch.deletes {
            statements.extend(self.forget_member_statements(&member.id));
        }
        // Each item only while still pending: an item worked by someone else
        // rolls the batch back.
        let done: Vec<u64> = batch
            .outcomes
            .iter()
            .filter(|(_, e)| e.is_none())
            .map(|(n, _)| *n)
            .collect();
        if !done.is_empty() {
            let mut sql = self.sql();
            sql.push("UPDATE async_job_items SET status = 'succeeded' WHERE job_id = ")
                .bind(t(&batch.job_id))
                .push(" AND status = 'pending' AND item_index IN (");
            for (n, index) in done.iter().enumerate() {
                if n > 0 {
                    sql.push(", ");
                }
                sql.bind(i(*index as i64));
            }
            sql.push(")");
            statements.push(Statement::expecting(sql, done.len() as u64));
        }
        for (index, error) in &batch.outcomes {
            let Some((code, message)) = error else {
                continue;
            };
            let mut sql = self.sql();
            sql.push("UPDATE async_job_items SET status = 'failed', error_code = ")
                .bind(t(code))
                .push(", error_message = ")
                .bind(t(message))
                .push(" WHERE job_id = ")
                .bind(t(&batch.job_id))
                .push(" AND status = 'pending' AND item_index = ")
                .bind(i(*index as i64));
            statements.push(Statement::expecting(sql, 1));
        }
        statements.extend(self.event_statements(&batch.events)?);
        self.ready().await?;
        match self.driver.batch(&statements).await {
            Ok(_) => Ok(()),
            Err(DriverError::Conflict { index: 0 }) => Err(MembersError::new(
                ErrorCode::FailedPrecondition,
                JOB_LEASE_LOST,
                format!("job {} is worked by another worker now", batch.job_id),
            )),
            Err(DriverError::Conflict { index }) => {
                let member = (members_from..members_to)
                    .contains(&index)
                    .then(|| {
                        let n = index - members_from;
                        batch.updates.get(n).map(|(m, _)| m.id.clone()).or_else(|| {
                            batch
                                .deletes
                                .get(n - batch.updates.len())
                                .map(|m| m.id.clone())
                        })
                    })
                    .flatten();
                Err(match member {
                    Some(id) => revision_conflict(&id),
                    None => MembersError::new(
                        ErrorCode::FailedPrecondition,
                        crate::store::REVISION_CONFLICT,
                        format!("items of job {} were worked meanwhile", batch.job_id),
                    ),
                })
            }
            Err(error) => Err(error.into_members_error()),
        }
    }

    async fn end_job(
        &self,
        id: &str,
        token: &str,
        status: JobStatus,
        error: Option<&str>,
        now: Timestamp,
    ) -> MembersResult<bool> {
        let mut sql = self.sql();
        sql.push("UPDATE async_jobs SET status = ")
            .bind(t(status.as_str()))
            .push(", error = ")
            .bind(error.map_or(SqlValue::Null, t))
            .push(", updated_date = ")
            .bind(i(now.millis()))
            .push(", lease_token = NULL, lease_until = NULL WHERE id = ")
            .bind(t(id))
            .push(" AND lease_token = ")
            .bind(t(token));
        let counts = self.write(&[Statement::new(sql)], None).await?;
        Ok(counts.first().copied().unwrap_or(0) > 0)
    }

    async fn release_job(&self, id: &str, token: &str) -> MembersResult<()> {
        let mut sql = self.sql();
        sql.push("UPDATE async_jobs SET lease_token = NULL, lease_until = NULL WHERE id = ")
            .bind(t(id))
            .push(" AND lease_token = ")
            .bind(t(token));
        self.write(&[Statement::new(sql)], None).await?;
        Ok(())
    }

    async fn prune_jobs(&self, before: Timestamp, batch: u32) -> MembersResult<u64> {
        let old = |sql: &mut crate::query::sql::Sql| {
            sql.push(
                "SELECT id FROM async_jobs WHERE status IN ('FINISHED', 'FAILED') AND updated_date < ",
            )
            .bind(i(before.millis()))
            .push(" ORDER BY updated_date LIMIT ")
            .bind(i(i64::from(batch)));
        };
        let mut items = self.sql();
        items.push("DELETE FROM async_job_items WHERE job_id IN (");
        old(&mut items);
        items.push(")");
        let mut jobs = self.sql();
        jobs.push("DELETE FROM async_jobs WHERE id IN (");
        old(&mut jobs);
        jobs.push(")");
        let counts = self
            .write(&[Statement::new(items), Statement::new(jobs)], None)
            .await?;
        Ok(counts.get(1).copied().unwrap_or(0))
    }
}
