//! `CredentialStore` over SQL: passwords, sessions, set-password tickets and
//! failed-login counters in their own tables (schema migration 2).
//!
//! Single use and counting are atomic in the database itself (`DELETE …
//! RETURNING`, `INSERT … ON CONFLICT DO UPDATE … RETURNING`), so they hold across
//! every process sharing it.

use super::driver::{cell, int, opt_text, text, text_value, Statement};
use super::{SqlDriver, SqlStore};
use crate::model::credentials::{
    EmailVerification, Failures, PasswordHash, PasswordTicket, SessionRecord, TokenHash,
};
use crate::model::text::unique_key;
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
        [
            "member_passwords",
            "sessions",
            "password_tickets",
            "email_verifications",
        ]
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

    fn session_from(row: &[SqlValue]) -> MembersResult<SessionRecord> {
        Ok(SessionRecord {
            token_hash: TokenHash::from_stored(text(cell(row, 0))?.to_string()),
            id: text(cell(row, 1))?.to_string(),
            member_id: member_id(cell(row, 2))?,
            created: Timestamp(int(cell(row, 3))?),
            expires: Timestamp(int(cell(row, 4))?),
            last_used: Timestamp(int(cell(row, 5))?),
            user_agent: opt_text(cell(row, 6)),
        })
    }

    fn verifications_from(rows: &[Vec<SqlValue>]) -> MembersResult<Vec<EmailVerification>> {
        rows.iter()
            .map(|row| {
                Ok(EmailVerification {
                    member_id: member_id(cell(row, 0))?,
                    email: text(cell(row, 1))?.to_string(),
                    code_hash: TokenHash::from_stored(text(cell(row, 2))?.to_string()),
                    link_hash: TokenHash::from_stored(text(cell(row, 3))?.to_string()),
                    expires: Timestamp(int(cell(row, 4))?),
                    wrong_codes: int(cell(row, 5))?.clamp(0, i64::from(u32::MAX)) as u32,
                    from_email: text(cell(row, 6))?.to_string(),
                })
            })
            .collect()
    }

    async fn select_verifications(
        &self,
        column: &str,
        value: &str,
    ) -> MembersResult<Vec<EmailVerification>> {
        let mut sql = self.sql();
        sql.push(VERIFICATION_COLUMNS)
            .push(" WHERE ")
            .push(column)
            .push(" = ")
            .bind(text_value(value));
        Self::verifications_from(&self.rows(&sql).await?)
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

const SESSION_COLUMNS: &str = "SELECT token_hash, id, member_id, created_date, expires_date, \
     COALESCE(last_used_date, created_date), user_agent FROM sessions";
const VERIFICATION_COLUMNS: &str = "SELECT member_id, email, code_hash, link_hash, \
     expires_date, wrong_codes, from_email FROM email_verifications";

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
            // A pending email change must not outlive a reset either.
            self.delete_where("email_verifications", "member_id", id.as_str()),
        ];
        self.write(&statements, None).await?;
        Ok(())
    }

    async fn insert_session(&self, session: &SessionRecord) -> MembersResult<()> {
        let mut sql = self.sql();
        sql.push(
            "INSERT INTO sessions (token_hash, id, member_id, created_date, expires_date, \
             last_used_date, user_agent) VALUES (",
        )
        .bind(text_value(session.token_hash.as_str()))
        .push(", ")
        .bind(text_value(&session.id))
        .push(", ")
        .bind(text_value(session.member_id.as_str()))
        .push(", ")
        .bind(millis(session.created))
        .push(", ")
        .bind(millis(session.expires))
        .push(", ")
        .bind(millis(session.last_used))
        .push(", ")
        .bind(match &session.user_agent {
            Some(agent) => text_value(agent),
            None => SqlValue::Null,
        })
        .push(")");
        self.write(&[Statement::new(sql)], None).await?;
        Ok(())
    }

    async fn session(&self, hash: &TokenHash) -> MembersResult<Option<SessionRecord>> {
        let mut sql = self.sql();
        sql.push(SESSION_COLUMNS)
            .push(" WHERE token_hash = ")
            .bind(text_value(hash.as_str()));
        match self.rows(&sql).await?.first() {
            Some(row) => Ok(Some(Self::session_from(row)?)),
            None => Ok(None),
        }
    }

    async fn touch_session(
        &self,
        hash: &TokenHash,
        last_used: Timestamp,
        expires: Timestamp,
    ) -> MembersResult<()> {
        let mut sql = self.sql();
        sql.push("UPDATE sessions SET last_used_date = ")
            .bind(millis(last_used))
            .push(", expires_date = ")
            .bind(millis(expires))
            .push(" WHERE token_hash = ")
            .bind(text_value(hash.as_str()));
        self.rows(&sql).await?;
        Ok(())
    }

    async fn sessions_of(&self, id: &MemberId) -> MembersResult<Vec<SessionRecord>> {
        let mut sql = self.sql();
        sql.push(SESSION_COLUMNS)
            .push(" WHERE member_id = ")
            .bind(text_value(id.as_str()))
            .push(" ORDER BY created_date DESC, id");
        self.rows(&sql)
            .await?
            .iter()
            .map(|row| Self::session_from(row))
            .collect()
    }

    async fn put_verification(&self, verification: &EmailVerification) -> MembersResult<()> {
        // An upsert: the older row's wrong codes stay (resending buys no guesses).
        let mut sql = self.sql();
        sql.push(
            "INSERT INTO email_verifications (member_id, email, email_key, from_email, code_hash, \
             link_hash, expires_date, wrong_codes) VALUES (",
        )
        .bind(text_value(verification.member_id.as_str()))
        .push(", ")
        .bind(text_value(&verification.email))
        .push(", ")
        .bind(text_value(&unique_key(&verification.email)))
        .push(", ")
        .bind(text_value(&verification.from_email))
        .push(", ")
        .bind(text_value(verification.code_hash.as_str()))
        .push(", ")
        .bind(text_value(verification.link_hash.as_str()))
        .push(", ")
        .bind(millis(verification.expires))
        .push(", ")
        .bind(SqlValue::Int(i64::from(verification.wrong_codes)))
        .push(
            ") ON CONFLICT (member_id) DO UPDATE SET email = excluded.email, \
             email_key = excluded.email_key, from_email = excluded.from_email, \
             code_hash = excluded.code_hash, \
             link_hash = excluded.link_hash, expires_date = excluded.expires_date",
        );
        self.write(&[Statement::new(sql)], None).await?;
        Ok(())
    }

    async fn add_wrong_code(&self, member: &MemberId) -> MembersResult<u32> {
        let mut sql = self.sql();
        sql.push("UPDATE email_verifications SET wrong_codes = wrong_codes + 1 WHERE member_id = ")
            .bind(text_value(member.as_str()))
            .push(" RETURNING wrong_codes");
        match self.rows(&sql).await?.first() {
            Some(row) => Ok(int(cell(row, 0))?.clamp(0, i64::from(u32::MAX)) as u32),
            None => Ok(0),
        }
    }

    async fn verifications_to(&self, email_key: &str) -> MembersResult<Vec<EmailVerification>> {
        self.select_verifications("email_key", email_key).await
    }

    async fn verification_by_link(
        &self,
        link_hash: &TokenHash,
    ) -> MembersResult<Option<EmailVerification>> {
        Ok(self
            .select_verifications("link_hash", link_hash.as_str())
            .await?
            .into_iter()
            .next())
    }

    async fn take_verification(
        &self,
        member: &MemberId,
        link_hash: &TokenHash,
    ) -> MembersResult<bool> {
        let mut sql = self.sql();
        sql.push("DELETE FROM email_verifications WHERE member_id = ")
            .bind(text_value(member.as_str()))
            .push(" AND link_hash = ")
            .bind(text_value(link_hash.as_str()))
            .push(" RETURNING member_id");
        Ok(!self.rows(&sql).await?.is_empty())
    }

    async fn delete_verification_of(&self, member: &MemberId) -> MembersResult<()> {
        let statement = self.delete_where("email_verifications", "member_id", member.as_str());
        self.rows(&statement.sql).await?;
        Ok(())
    }

    async fn insert_admin_session(
        &self,
        hash: &TokenHash,
        expires: Timestamp,
        key_id: &str,
    ) -> MembersResult<()> {
        let mut sql = self.sql();
        sql.push("INSERT INTO admin_sessions (token_hash, expires_date, key_id) VALUES (")
            .bind(text_value(hash.as_str()))
            .push(", ")
            .bind(millis(expires))
            .push(", ")
            .bind(text_value(key_id))
            .push(")");
        self.write(&[Statement::new(sql)], None).await?;
        Ok(())
    }

    async fn admin_session(&self, hash: &TokenHash) -> MembersResult<Option<(Timestamp, String)>> {
        let mut sql = self.sql();
        sql.push("SELECT expires_date, key_id FROM admin_sessions WHERE token_hash = ")
            .bind(text_value(hash.as_str()));
        match self.rows(&sql).await?.first() {
            Some(row) => Ok(Some((
                Timestamp(int(cell(row, 0))?),
                text(cell(row, 1))?.to_string(),
            ))),
            None => Ok(None),
        }
    }

    async fn delete_admin_session(&self, hash: &TokenHash) -> MembersResult<()> {
        let statement = self.delete_where("admin_sessions", "token_hash", hash.as_str());
        self.rows(&statement.sql).await?;
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
            ("email_verifications", "expires_date", now),
            ("admin_sessions", "expires_date", now),
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
