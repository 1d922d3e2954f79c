//! `CredentialStore` over SQL: passwords, sessions, set-password tickets and
//! failed-login counters in their own tables (schema migration 2).
//!
//! Single use and counting are atomic in the database itself (`DELETE …
//! RETURNING`, `INSERT … ON CONFLICT DO UPDATE … RETURNING`), so they hold across
//! every process sharing it.

use super::driver::{cell, int, text, text_value, Statement};
use super::{SqlDriver, SqlStore};
use crate::model::credentials::{Failures, PasswordHash, PasswordTicket, SessionRecord, TokenHash};
use crate::model::{Member, MemberEvent, MemberId, MembersError, MembersResult, Timestamp};
use crate::query::sql::SqlValue;
use crate::store::CredentialStore;

fn millis(at: Timestamp) -> SqlValue {
    SqlValue::Int(at.millis())
}

fn member_id(value: &SqlValue) -> MembersResult<MemberId> {
    MemberId::parse(text(value)?, "member_id")
        .map_err(|_| MembersError::internal("a stored credential has a malformed member id"))
}

impl<D: SqlDriver> SqlStore<D> {
    /// Statements deleting a member's credentials once the member row is gone
    /// (they run after its compare-and-set delete, in the same transaction).
    pub(super) fn forget_member_statements(&self, id: &MemberId) -> Vec<Statement> {
        ["member_passwords", "sessions", "password_tickets"]
            .iter()
            .map(|table| {
                let mut sql = self.sql();
                sql.push("DELETE FROM ")
                    .push(table)
                    .push(" WHERE member_id = ")
                    .bind(text_value(id.as_str()))
                    .push(" AND NOT EXISTS (SELECT 1 FROM members WHERE id = ")
                    .bind(text_value(id.as_str()))
                    .push(")");
                Statement::new(sql)
            })
            .collect()
    }

    fn delete_where(&self, table: &str, column: &str, value: &str) -> Statement {
        let mut sql = self.sql();
        sql.push("DELETE FROM ")
            .push(table)
            .push(" WHERE ")
            .push(column)
            .push(" = ")
            .bind(text_value(value));
        Statement::new(sql)
    }

    fn password_statement(&self, id: &MemberId, password: &PasswordHash) -> Statement {
        let mut sql = self.sql();
        sql.push("INSERT INTO member_passwords (member_id, password_hash) VALUES (")
            .bind(text_value(id.as_str()))
            .push(", ")
            .bind(text_value(password.as_phc()))
            .push(") ON CONFLICT (member_id) DO UPDATE SET password_hash = excluded.password_hash");
        Statement::new(sql)
    }

    fn failures_from(rows: &[Vec<SqlValue>], otherwise: Failures) -> MembersResult<Failures> {
        match rows.first() {
            Some(row) => Ok(Failures {
                count: int(cell(row, 0))?.clamp(0, i64::from(u32::MAX)) as u32,
                window_start: Timestamp(int(cell(row, 1))?),
            }),
            None => Ok(otherwise),
        }
    }
}

impl<D: SqlDriver> CredentialStore for SqlStore<D> {
    async fn insert_with_password(
        &self,
        member: &Member,
        password: &PasswordHash,
        event: &MemberEvent,
    ) -> MembersResult<()> {
        let mut statements = vec![
            self.insert_statement(member)?,
            self.password_statement(&member.id, password),
        ];
        statements.extend(self.event_statements(std::slice::from_ref(event))?);
        self.write(&statements, Some(member)).await?;
        Ok(())
    }

    async fn password(&self, id: &MemberId) -> MembersResult<Option<PasswordHash>> {
        let mut sql = self.sql();
        sql.push("SELECT password_hash FROM member_passwords WHERE member_id = ")
            .bind(text_value(id.as_str()));
        match self.rows(&sql).await?.first() {
            Some(row) => Ok(Some(PasswordHash::from_phc(
                text(cell(row, 0))?.to_string(),
            ))),
            None => Ok(None),
        }
    }

    async fn replace_password(&self, id: &MemberId, password: &PasswordHash) -> MembersResult<()> {
        let statements = [
            self.password_statement(id, password),
            self.delete_where("sessions", "member_id", id.as_str()),
            self.delete_where("password_tickets", "member_id", id.as_str()),
        ];
        self.write(&statements, None).await?;
        Ok(())
    }

    async fn insert_session(&self, session: &SessionRecord) -> MembersResult<()> {
        let mut sql = self.sql();
        sql.push(
            "INSERT INTO sessions (token_hash, member_id, created_date, expires_date) VALUES (",
        )
        .bind(text_value(session.token_hash.as_str()))
        .push(", ")
        .bind(text_value(session.member_id.as_str()))
        .push(", ")
        .bind(millis(session.created))
        .push(", ")
        .bind(millis(session.expires))
        .push(")");
        self.write(&[Statement::new(sql)], None).await?;
        Ok(())
    }

    async fn session(&self, hash: &TokenHash) -> MembersResult<Option<SessionRecord>> {
        let mut sql = self.sql();
        sql.push("SELECT member_id, created_date, expires_date FROM sessions WHERE token_hash = ")
            .bind(text_value(hash.as_str()));
        match self.rows(&sql).await?.first() {
            Some(row) => Ok(Some(SessionRecord {
                token_hash: hash.clone(),
                member_id: member_id(cell(row, 0))?,
                created: Timestamp(int(cell(row, 1))?),
                expires: Timestamp(int(cell(row, 2))?),
            })),
            None => Ok(None),
        }
    }

    async fn extend_session(&self, hash: &TokenHash, expires: Timestamp) -> MembersResult<()> {
        let mut sql = self.sql();
        sql.push("UPDATE sessions SET expires_date = ")
            .bind(millis(expires))
            .push(" WHERE token_hash = ")
            .bind(text_value(hash.as_str()));
        self.rows(&sql).await?;
        Ok(())
    }

    async fn delete_session(&self, hash: &TokenHash) -> MembersResult<()> {
        let statement = self.delete_where("sessions", "token_hash", hash.as_str());
        self.rows(&statement.sql).await?;
        Ok(())
    }

    async fn delete_sessions_of(&self, id: &MemberId) -> MembersResult<()> {
        let statement = self.delete_where("sessions", "member_id", id.as_str());
        self.rows(&statement.sql).await?;
        Ok(())
    }

    async fn insert_ticket(&self, ticket: &PasswordTicket) -> MembersResult<()> {
        let mut sql = self.sql();
        sql.push("INSERT INTO password_tickets (token_hash, member_id, expires_date) VALUES (")
            .bind(text_value(ticket.token_hash.as_str()))
            .push(", ")
            .bind(text_value(ticket.member_id.as_str()))
            .push(", ")
            .bind(millis(ticket.expires))
            .push(")");
        let older = self.delete_where("password_tickets", "member_id", ticket.member_id.as_str());
        self.write(&[older, Statement::new(sql)], None).await?;
        Ok(())
    }

    async fn delete_tickets_of(&self, id: &MemberId) -> MembersResult<()> {
        let statement = self.delete_where("password_tickets", "member_id", id.as_str());
        self.rows(&statement.sql).await?;
        Ok(())
    }

    async fn take_ticket(&self, hash: &TokenHash) -> MembersResult<Option<PasswordTicket>> {
        let mut sql = self.sql();
        sql.push("DELETE FROM password_tickets WHERE token_hash = ")
            .bind(text_value(hash.as_str()))
            .push(" RETURNING member_id, expires_date");
        match self.rows(&sql).await?.first() {
            Some(row) => Ok(Some(PasswordTicket {
                token_hash: hash.clone(),
                member_id: member_id(cell(row, 0))?,
                expires: Timestamp(int(cell(row, 1))?),
            })),
            None => Ok(None),
        }
    }

    async fn forgive_failure(&self, key: &str) -> MembersResult<()> {
        let mut sql = self.sql();
        sql.push("UPDATE login_failures SET failures = failures - 1 WHERE failure_key = ")
            .bind(text_value(key))
            .push(" AND failures > 0");
        self.rows(&sql).await?;
        Ok(())
    }

    async fn add_failure(
        &self,
        key: &str,
        now: Timestamp,
        window_opened_after: Timestamp,
    ) -> MembersResult<Failures> {
        // One statement, so two processes counting at once both count.
        let mut sql = self.sql();
        sql.push("INSERT INTO login_failures (failure_key, failures, window_start) VALUES (")
            .bind(text_value(key))
            .push(", 1, ")
            .bind(millis(now))
            .push(") ON CONFLICT (failure_key) DO UPDATE SET failures = CASE WHEN login_failures.window_start <= ")
            .bind(millis(window_opened_after))
            .push(" THEN 1 ELSE login_failures.failures + 1 END, window_start = CASE WHEN login_failures.window_start <= ")
            .bind(millis(window_opened_after))
            .push(" THEN ")
            .bind(millis(now))
            .push(" ELSE login_failures.window_start END RETURNING failures, window_start");
        let once = Failures {
            count: 1,
            window_start: now,
        };
        Self::failures_from(&self.rows(&sql).await?, once)
    }

    async fn clear_failures(&self, key: &str) -> MembersResult<()> {
        let statement = self.delete_where("login_failures", "failure_key", key);
        self.rows(&statement.sql).await?;
        Ok(())
    }

    async fn prune(&self, now: Timestamp, window_opened_after: Timestamp) -> MembersResult<()> {
        // Each an index range: cheap however large the tables are.
        let statements: Vec<Statement> = [
            ("sessions", "expires_date", now),
            ("password_tickets", "expires_date", now),
            ("login_failures", "window_start", window_opened_after),
        ]
        .iter()
        .map(|(table, column, at)| {
            let mut sql = self.sql();
            sql.push("DELETE FROM ")
                .push(table)
                .push(" WHERE ")
                .push(column)
                .push(" <= ")
                .bind(millis(*at));
            Statement::new(sql)
        })
        .collect();
        self.write(&statements, None).await?;
        Ok(())
    }
}
