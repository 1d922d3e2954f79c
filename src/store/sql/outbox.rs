//! The outbox in SQL: the statements that add events (and their deliveries) to a
//! member write's transaction, and `OutboxStore` over the tables of migration 3.
//!
//! Order: on PostgreSQL every event insert first takes one advisory lock, held to
//! commit, so positions are handed out in commit order and a reader that has seen
//! position N never later finds a smaller one (SSE resumes without gaps). SQLite
//! writers are serialised by `BEGIN IMMEDIATE` already. Leases are one
//! `UPDATE … RETURNING` (with `FOR UPDATE SKIP LOCKED` on PostgreSQL).

use super::driver::{
    cell, int, int_value as i, opt_int, opt_text, text, text_value as t, Statement,
};
use super::{schema, SqlDriver, SqlStore};
use crate::model::event::StoredEvent;
use crate::model::webhook::{
    Attempt, Delivery, DeliveryFilter, DeliveryStatus, WebhookFormat, WebhookRecord,
};
use crate::model::{MemberEvent, MembersError, MembersResult, Timestamp};
use crate::query::sql::{Dialect, Sql, SqlValue};
use crate::store::outbox::{Claim, Finished, NextStep, OutboxStore};

/// The advisory lock that orders event inserts on PostgreSQL.
const OUTBOX_LOCK: i64 = 724_873;

fn event_from(data: &SqlValue) -> MembersResult<MemberEvent> {
    serde_json::from_str(text(data)?)
        .map_err(|e| MembersError::internal(format!("a stored event could not be read: {e}")))
}

const WEBHOOK_COLUMNS: &str =
    "id, url, format, events, enabled, disabled_reason, created_date, secret, previous_secret, previous_until";

fn webhook_from(row: &[SqlValue]) -> MembersResult<WebhookRecord> {
    Ok(WebhookRecord {
        id: text(cell(row, 0))?.to_string(),
        url: text(cell(row, 1))?.to_string(),
        format: WebhookFormat::parse(text(cell(row, 2))?)?,
        events: WebhookRecord::events_from_column(text(cell(row, 3))?),
        enabled: int(cell(row, 4))? != 0,
        disabled_reason: opt_text(cell(row, 5)),
        created_date: Timestamp(int(cell(row, 6))?),
        secret: text(cell(row, 7))?.to_string(),
        previous_secret: opt_text(cell(row, 8)),
        previous_until: opt_int(cell(row, 9))?.map(Timestamp),
    })
}

impl<D: SqlDriver> SqlStore<D> {
    /// The statements that store `events` and one delivery per subscribed enabled
    /// endpoint; they go last in the write's batch.
    pub(super) fn event_statements(&self, events: &[MemberEvent]) -> MembersResult<Vec<Statement>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let dialect = self.driver.dialect();
        let mut statements = Vec::new();
        if dialect == Dialect::Postgres {
            let mut lock = self.sql();
            lock.push("SELECT pg_advisory_xact_lock(")
                .bind(i(OUTBOX_LOCK))
                .push(")");
            statements.push(Statement::new(lock));
        }
        // Bound parameters stay well under SQLite's limit of 32766 per statement.
        for chunk in events.chunks(1000) {
            let mut insert = self.sql();
            insert.push(
                "INSERT INTO events (id, member_id, slug, sequence, event_time, origin, data) VALUES ",
            );
            for (n, event) in chunk.iter().enumerate() {
                let data = serde_json::to_string(event)
                    .map_err(|e| MembersError::internal(format!("event not serialisable: {e}")))?;
                insert.push(if n == 0 { "(" } else { ", (" });
                insert
                    .bind(t(&event.id))
                    .push(", ")
                    .bind(t(event.member_id.as_str()))
                    .push(", ")
                    .bind(t(event.kind.slug()))
                    .push(", ")
                    .bind(i(event.sequence as i64))
                    .push(", ")
                    .bind(i(event.time.millis()))
                    .push(", ")
                    .bind(t(&self.origin))
                    .push(", ")
                    .bind(t(&data))
                    .push(")");
            }
            statements.push(Statement::new(insert));
            let mut fan_out = self.sql();
            fan_out.push(
                "INSERT INTO webhook_deliveries (endpoint_id, event_position, member_id, status, \
                 attempts, last_failed, next_attempt, created_date) \
                 SELECT w.id, e.position, e.member_id, 'pending', 0, 0, e.event_time, e.event_time \
                 FROM events e JOIN webhook_endpoints w ON w.enabled = 1 \
                 AND w.events LIKE ('%,' || e.slug || ',%') WHERE e.id IN (",
            );
            for (n, event) in chunk.iter().enumerate() {
                if n > 0 {
                    fan_out.push(", ");
                }
                fan_out.bind(t(&event.id));
            }
            fan_out.push(") ORDER BY e.position, w.id");
            statements.push(Statement::new(fan_out));
        }
        Ok(statements)
    }

    async fn run(&self, statements: &[Statement]) -> MembersResult<Vec<u64>> {
        self.write(statements, None).await
    }

    /// Deliveries chosen by `filter` (a WHERE condition on `d`, ordering and
    /// limit included), with their attempts, read in one statement so status and
    /// attempts come from the same snapshot.
    async fn delivery_views(&self, filter: Sql) -> MembersResult<Vec<Delivery>> {
        let mut sql = self.sql();
        sql.push(
            "SELECT d.id, d.endpoint_id, d.status, d.last_failed, d.next_attempt, d.created_date, \
             e.data, a.attempt_date, a.status, a.duration_ms, a.error \
             FROM (SELECT * FROM webhook_deliveries d WHERE ",
        )
        .append(&filter)
        .push(
            ") d JOIN events e ON e.position = d.event_position \
             LEFT JOIN webhook_attempts a ON a.delivery_id = d.id \
             ORDER BY d.id DESC, a.attempt_date",
        );
        let mut deliveries: Vec<Delivery> = Vec::new();
        for row in &self.rows(&sql).await? {
            let id = int(cell(row, 0))?.to_string();
            if deliveries.last().is_none_or(|d| d.id != id) {
                let event = event_from(cell(row, 6))?;
                let status = DeliveryStatus::from_column(text(cell(row, 2))?);
                deliveries.push(Delivery {
                    id,
                    webhook_id: text(cell(row, 1))?.to_string(),
                    event_id: event.id.clone(),
                    event_type: event.kind.event_type(),
                    entity_id: event.member_id.to_string(),
                    status,
                    attempt_count: 0,
                    next_attempt_date: (status == DeliveryStatus::Pending)
                        .then(|| int(cell(row, 4)).map(Timestamp))
                        .transpose()?,
                    created_date: Timestamp(int(cell(row, 5))?),
                    attempts: Vec::new(),
                    last_failed: int(cell(row, 3))? != 0,
                });
            }
            if let (Some(delivery), Some(date)) = (deliveries.last_mut(), opt_int(cell(row, 7))?) {
                delivery.attempts.push(Attempt {
                    date: Timestamp(date),
                    status: opt_int(cell(row, 8))?.map(|s| s as u16),
                    duration_ms: int(cell(row, 9))?.max(0) as u64,
                    error: opt_text(cell(row, 10)),
                });
                delivery.attempt_count += 1;
            }
        }
        Ok(deliveries)
    }
}

impl<D: SqlDriver> OutboxStore for SqlStore<D> {
    async fn events_after(
        &self,
        position: u64,
        limit: u32,
        own_only: bool,
    ) -> MembersResult<Vec<StoredEvent>> {
        let mut sql = self.sql();
        sql.push("SELECT position, data FROM events WHERE position > ")
            .bind(i(position as i64));
        if own_only {
            sql.push(" AND origin = ").bind(t(&self.origin));
        }
        sql.push(" ORDER BY position LIMIT ")
            .bind(i(i64::from(limit)));
        self.rows(&sql)
            .await?
            .iter()
            .map(|row| {
                Ok(StoredEvent {
                    position: int(cell(row, 0))?.max(0) as u64,
                    event: event_from(cell(row, 1))?,
                })
            })
            .collect()
    }

    async fn latest_position(&self) -> MembersResult<u64> {
        let mut sql = self.sql();
        sql.push("SELECT COALESCE(MAX(position), 0) FROM events");
        let rows = self.rows(&sql).await?;
        Ok(rows.first().map_or(Ok(0), |row| int(cell(row, 0)))?.max(0) as u64)
    }

    async fn insert_webhook(&self, w: &WebhookRecord) -> MembersResult<()> {
        let mut sql = self.sql();
        sql.push("INSERT INTO webhook_endpoints (")
            .push(WEBHOOK_COLUMNS)
            .push(") VALUES (")
            .bind(t(&w.id))
            .push(", ")
            .bind(t(&w.url))
            .push(", ")
            .bind(t(w.format.as_str()))
            .push(", ")
            .bind(t(&w.events_column()))
            .push(", ")
            .bind(i(i64::from(w.enabled)))
            .push(", ")
            .bind(w.disabled_reason.as_deref().map_or(SqlValue::Null, t))
            .push(", ")
            .bind(i(w.created_date.millis()))
            .push(", ")
            .bind(t(&w.secret))
            .push(", NULL, NULL)");
        self.run(&[Statement::new(sql)]).await?;
        Ok(())
    }

    async fn webhooks(&self) -> MembersResult<Vec<WebhookRecord>> {
        let mut sql = self.sql();
        sql.push("SELECT ")
            .push(WEBHOOK_COLUMNS)
            .push(" FROM webhook_endpoints ORDER BY created_date, id");
        self.rows(&sql)
            .await?
            .iter()
            .map(|r| webhook_from(r))
            .collect()
    }

    async fn webhook(&self, id: &str) -> MembersResult<Option<WebhookRecord>> {
        let mut sql = self.sql();
        sql.push("SELECT ")
            .push(WEBHOOK_COLUMNS)
            .push(" FROM webhook_endpoints WHERE id = ")
            .bind(t(id));
        self.rows(&sql)
            .await?
            .first()
            .map(|r| webhook_from(r))
            .transpose()
    }

    async fn delete_webhook(&self, id: &str) -> MembersResult<bool> {
        let mut attempts = self.sql();
        attempts
            .push("DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = ")
            .bind(t(id))
            .push(")");
        let mut deliveries = self.sql();
        deliveries
            .push("DELETE FROM webhook_deliveries WHERE endpoint_id = ")
            .bind(t(id));
        let mut endpoint = self.sql();
        endpoint
            .push("DELETE FROM webhook_endpoints WHERE id = ")
            .bind(t(id));
        let counts = self
            .run(&[
                Statement::new(attempts),
                Statement::new(deliveries),
                Statement::new(endpoint),
            ])
            .await?;
        Ok(counts.get(2).copied().unwrap_or(0) > 0)
    }

    async fn rotate_webhook_secret(
        &self,
        id: &str,
        secret: &str,
        previous_until: Timestamp,
    ) -> MembersResult<bool> {
        let mut sql = self.sql();
        sql.push("UPDATE webhook_endpoints SET previous_secret = secret, secret = ")
            .bind(t(secret))
            .push(", previous_until = ")
            .bind(i(previous_until.millis()))
            .push(" WHERE id = ")
            .bind(t(id));
        let counts = self.run(&[Statement::new(sql)]).await?;
        Ok(counts.first().copied().unwrap_or(0) > 0)
    }

    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        token: &str,
        limit: u32,
    ) -> MembersResult<Vec<Claim>> {
        // Idle workers ask often: a read first, so an idle poll takes no write lock.
        let mut due = self.sql();
        due.push(
            "SELECT 1 FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id \
             AND w.enabled = 1 WHERE d.status = 'pending' AND d.next_attempt <= ",
        )
        .bind(i(now.millis()))
        .push(" AND (d.lease_until IS NULL OR d.lease_until < ")
        .bind(i(now.millis()))
        .push(
            ") AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p \
             WHERE p.endpoint_id = d.endpoint_id AND p.member_id = d.member_id \
             AND p.status = 'pending' AND p.event_position < d.event_position) LIMIT 1",
        );
        if self.rows(&due).await?.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = self.sql();
        sql.push("UPDATE webhook_deliveries SET lease_token = ")
            .bind(t(token))
            .push(", lease_until = ")
            .bind(i(lease_until.millis()))
            .push(
                " WHERE id IN (SELECT d.id FROM webhook_deliveries d \
                 JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.enabled = 1 \
                 WHERE d.status = 'pending' AND d.next_attempt <= ",
            )
            .bind(i(now.millis()))
            .push(" AND (d.lease_until IS NULL OR d.lease_until < ")
            .bind(i(now.millis()))
            .push(
                ") AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p \
                 WHERE p.endpoint_id = d.endpoint_id AND p.member_id = d.member_id \
                 AND p.status = 'pending' AND p.event_position < d.event_position) \
                 ORDER BY d.event_position LIMIT ",
            )
            .bind(i(i64::from(limit)));
        if self.driver.dialect() == Dialect::Postgres {
            sql.push(" FOR UPDATE OF d SKIP LOCKED");
        }
        sql.push(") RETURNING id");
        let claimed = self.rows(&sql).await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let mut load = self.sql();
        load.push("SELECT d.id, d.attempts, e.data, ")
            .push(
                &WEBHOOK_COLUMNS
                    .split(", ")
                    .map(|c| format!("w.{c}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
            .push(
                " FROM webhook_deliveries d JOIN events e ON e.position = d.event_position \
                 JOIN webhook_endpoints w ON w.id = d.endpoint_id WHERE d.lease_token = ",
            )
            .bind(t(token))
            .push(" ORDER BY d.event_position");
        self.rows(&load)
            .await?
            .iter()
            .map(|row| {
                Ok(Claim {
                    delivery_id: int(cell(row, 0))?.to_string(),
                    lease_token: token.to_string(),
                    attempts: int(cell(row, 1))?.max(0) as u32,
                    event: event_from(cell(row, 2))?,
                    endpoint: webhook_from(&row[3..])?,
                })
            })
            .collect()
    }

    async fn leased_attempts(&self, delivery_id: &str, token: &str) -> MembersResult<Option<u32>> {
        let Ok(id) = delivery_id.parse::<i64>() else {
            return Ok(None);
        };
        let mut sql = self.sql();
        sql.push("SELECT attempts FROM webhook_deliveries WHERE id = ")
            .bind(i(id))
            .push(" AND lease_token = ")
            .bind(t(token));
        self.rows(&sql)
            .await?
            .first()
            .map(|row| int(cell(row, 0)).map(|n| n.max(0) as u32))
            .transpose()
    }

    async fn finish_attempts(&self, finished: &[Finished]) -> MembersResult<Vec<bool>> {
        let mut recorded = Vec::with_capacity(finished.len());
        let mut statements = Vec::new();
        for f in finished {
            let Ok(id) = f.delivery_id.parse::<i64>() else {
                recorded.push(false);
                continue;
            };
            let (status, next) = match &f.next {
                NextStep::Delivered => ("delivered", None),
                NextStep::Retry(at) => ("pending", Some(*at)),
                NextStep::Dead | NextStep::Disable(_) => ("dead", None),
            };
            // Only while the lease is still ours: a worker whose lease ran out and
            // was taken over records nothing.
            let mut attempt = self.sql();
            attempt
                .push("INSERT INTO webhook_attempts (delivery_id, attempt_date, status, duration_ms, error) SELECT ")
                .bind(i(id))
                .push(", ")
                .bind(i(f.attempt.date.millis()))
                .push(", ")
                .bind(f.attempt.status.map_or(SqlValue::Null, |s| i(i64::from(s))))
                .push(", ")
                .bind(i(f.attempt.duration_ms as i64))
                .push(", ")
                .bind(f.attempt.error.as_deref().map_or(SqlValue::Null, t))
                .push(" WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = ")
                .bind(i(id))
                .push(" AND lease_token = ")
                .bind(t(&f.lease_token))
                .push(")");
            statements.push(Statement::new(attempt));
            // Disabling comes first, under the same lease, so a stale 410 changes nothing.
            if let NextStep::Disable(reason) = &f.next {
                let mut disable = self.sql();
                disable
                    .push("UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ")
                    .bind(t(reason))
                    .push(" WHERE id = (SELECT endpoint_id FROM webhook_deliveries WHERE id = ")
                    .bind(i(id))
                    .push(" AND lease_token = ")
                    .bind(t(&f.lease_token))
                    .push(")");
                statements.push(Statement::new(disable));
            }
            let mut update = self.sql();
            update
                .push("UPDATE webhook_deliveries SET status = ")
                .bind(t(status))
                .push(", attempts = attempts + 1, last_failed = ")
                .bind(i(i64::from(f.next != NextStep::Delivered)))
                .push(", lease_token = NULL, lease_until = NULL");
            if let Some(next) = next {
                update.push(", next_attempt = ").bind(i(next.millis()));
            }
            update
                .push(" WHERE id = ")
                .bind(i(id))
                .push(" AND lease_token = ")
                .bind(t(&f.lease_token));
            statements.push(Statement::new(update));
            recorded.push(true);
        }
        let counts = self.run(&statements).await?;
        // Read back, per entry, whether its UPDATE changed a row.
        let mut at = 0;
        for (f, done) in finished.iter().zip(recorded.iter_mut()) {
            if !*done {
                continue;
            }
            // attempt, [disable,] update: the update says whether the lease held.
            let disable = usize::from(matches!(f.next, NextStep::Disable(_)));
            *done = counts.get(at + 1 + disable).copied().unwrap_or(0) > 0;
            at += 2 + disable;
        }
        Ok(recorded)
    }

    async fn release_leases(&self, tokens: &[String]) -> MembersResult<()> {
        if tokens.is_empty() {
            return Ok(());
        }
        let mut sql = self.sql();
        sql.push("UPDATE webhook_deliveries SET lease_token = NULL, lease_until = NULL WHERE lease_token IN (");
        for (n, token) in tokens.iter().enumerate() {
            if n > 0 {
                sql.push(", ");
            }
            sql.bind(t(token));
        }
        sql.push(")");
        self.run(&[Statement::new(sql)]).await?;
        Ok(())
    }

    async fn deliveries(
        &self,
        webhook_id: &str,
        filter: DeliveryFilter,
        limit: u32,
    ) -> MembersResult<Vec<Delivery>> {
        let mut sql = self.sql();
        sql.push("d.endpoint_id = ").bind(t(webhook_id));
        match filter {
            DeliveryFilter::All => {}
            DeliveryFilter::Only(status) => {
                sql.push(" AND d.status = ").bind(t(status.column()));
            }
            DeliveryFilter::Failed => {
                sql.push(" AND d.last_failed = 1 AND d.status <> 'delivered'");
            }
        }
        sql.push(" ORDER BY d.id DESC LIMIT ")
            .bind(i(i64::from(limit)));
        self.delivery_views(sql).await
    }

    async fn delivery(&self, delivery_id: &str) -> MembersResult<Option<Delivery>> {
        let Ok(id) = delivery_id.parse::<i64>() else {
            return Ok(None);
        };
        let mut sql = self.sql();
        sql.push("d.id = ").bind(i(id));
        Ok(self.delivery_views(sql).await?.into_iter().next())
    }

    async fn redeliver(&self, delivery_id: &str, now: Timestamp) -> MembersResult<bool> {
        let Ok(id) = delivery_id.parse::<i64>() else {
            return Ok(false);
        };
        let mut sql = self.sql();
        // Never one that is out now or waiting: two workers could send it at once.
        sql.push(
            "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, last_failed = 0, \
             next_attempt = ",
        )
        .bind(i(now.millis()))
        .push(", lease_token = NULL, lease_until = NULL WHERE id = ")
        .bind(i(id))
        .push(" AND status <> 'pending'");
        let counts = self.run(&[Statement::new(sql)]).await?;
        Ok(counts.first().copied().unwrap_or(0) > 0)
    }

    async fn prune_outbox(&self, before: Timestamp, batch: u32) -> MembersResult<u64> {
        let old_deliveries = |sql: &mut Sql| {
            sql.push("SELECT id FROM webhook_deliveries WHERE created_date < ")
                .bind(i(before.millis()))
                .push(" ORDER BY id LIMIT ")
                .bind(i(i64::from(batch)));
        };
        let mut attempts = self.sql();
        attempts.push("DELETE FROM webhook_attempts WHERE delivery_id IN (");
        old_deliveries(&mut attempts);
        attempts.push(")");
        let mut deliveries = self.sql();
        deliveries.push("DELETE FROM webhook_deliveries WHERE id IN (");
        old_deliveries(&mut deliveries);
        deliveries.push(")");
        let mut events = self.sql();
        events
            .push("DELETE FROM events WHERE position IN (SELECT position FROM events WHERE event_time < ")
            .bind(i(before.millis()))
            .push(" ORDER BY position LIMIT ")
            .bind(i(i64::from(batch)))
            .push(")");
        // Attempts left behind by a delivery removed meanwhile go by their own date.
        let mut orphans = self.sql();
        orphans
            .push("DELETE FROM webhook_attempts WHERE attempt_date < ")
            .bind(i(before.millis()))
            .push(" AND delivery_id NOT IN (SELECT id FROM webhook_deliveries)");
        let counts = self
            .run(&[
                Statement::new(attempts),
                Statement::new(deliveries),
                Statement::new(events),
                Statement::new(orphans),
            ])
            .await?;
        Ok(counts.iter().sum())
    }

    async fn setting(&self, name: &str) -> MembersResult<Option<String>> {
        self.ready().await?;
        schema::setting(&self.driver, name).await
    }

    async fn set_setting_once(&self, name: &str, value: &str) -> MembersResult<()> {
        let statement = schema::setting_once(self.driver.dialect(), name, value);
        self.run(&[statement]).await?;
        Ok(())
    }
}
