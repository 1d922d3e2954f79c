//! The `Store` over SQL (SQLite or PostgreSQL), through a thin `SqlDriver`.
//!
//! Uniqueness comes from unique indexes, lost races from `revision` in the WHERE
//! clause of updates and deletes, atomicity from driver batches. The schema is
//! migrated on first use. Queries compile to SQL; what can not (custom fields) is
//! fetched by its compilable part and finished in memory.

mod count_cache;
pub mod credentials;
pub mod driver;
pub mod jobs;
pub mod outbox;
pub mod row;
pub mod schema;

pub use driver::{DriverError, SqlDriver, Statement};

use super::{email_taken, page_in_memory, revision_conflict, slug_taken, Page, Store};
use crate::model::ids::{new_uuid, random_bytes};
use crate::model::text::unique_key;
use crate::model::{ErrorCode, Member, MemberEvent, MemberId, MembersError, MembersResult};
use crate::query::sql::{compile_sort, prefix_successor, split_filter, Sql, SqlValue};
use crate::query::{Filter, Query};
use count_cache::{CountCache, Watched};
use std::cell::{Cell, RefCell};

/// A driver error as callers see it; a unique violation names what `member` took.
fn unique_error(error: DriverError, member: Option<&Member>) -> MembersError {
    match (error, member) {
        (DriverError::Unique { index }, Some(member)) if index.contains("email") => {
            email_taken(&member.login_email)
        }
        (DriverError::Unique { index }, Some(member)) if index.contains("slug") => {
            slug_taken(&member.profile.slug)
        }
        (DriverError::Unique { .. }, Some(member)) => MembersError::new(
            ErrorCode::AlreadyExists,
            "MEMBER_ALREADY_EXISTS",
            format!("a member with id {} already exists", member.id),
        ),
        (other, _) => other.into_members_error(),
    }
}

/// Members in a SQL database.
pub struct SqlStore<D: SqlDriver> {
    driver: Watched<D>,
    counts: CountCache,
    migrated: Cell<bool>,
    secret: RefCell<Option<Vec<u8>>>,
    /// Names the events this store object writes, so in-process handlers get
    /// those of this process only.
    origin: String,
}

impl<D: SqlDriver> SqlStore<D> {
    /// A store over `driver`; the schema is checked and migrated on first use.
    pub fn new(driver: D) -> Self {
        SqlStore {
            driver: Watched::new(driver),
            counts: CountCache::default(),
            migrated: Cell::new(false),
            secret: RefCell::new(None),
            // Without a random source there are no ids either: writes fail anyway.
            origin: new_uuid().unwrap_or_default(),
        }
    }

    /// The driver.
    pub fn driver(&self) -> &D {
        self.driver.inner()
    }

    /// Migrates once per process; a failure is retried by the next call, so a
    /// database that comes up later is picked up.
    async fn ready(&self) -> MembersResult<()> {
        if self.migrated.get() {
            return Ok(());
        }
        let mut secret = [0u8; 32];
        random_bytes(&mut secret)?;
        let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        schema::migrate(&self.driver, &secret, &new_uuid()?).await?;
        self.migrated.set(true);
        Ok(())
    }

    fn sql(&self) -> Sql {
        Sql::new(self.driver.dialect())
    }

    async fn rows(&self, sql: &Sql) -> MembersResult<Vec<Vec<SqlValue>>> {
        self.ready().await?;
        self.driver
            .query(sql)
            .await
            .map_err(DriverError::into_members_error)
    }

    async fn members(&self, sql: &Sql) -> MembersResult<Vec<Member>> {
        self.rows(sql)
            .await?
            .iter()
            .map(|row| row::member_from(row.first().unwrap_or(&SqlValue::Null)))
            .collect()
    }

    /// Runs a batch, turning a unique violation into the error about `member`.
    async fn write(
        &self,
        statements: &[Statement],
        member: Option<&Member>,
    ) -> MembersResult<Vec<u64>> {
        self.ready().await?;
        self.driver
            .batch(statements)
            .await
            .map_err(|error| unique_error(error, member))
    }

    async fn select_one(&self, column: &str, value: &str) -> MembersResult<Option<Member>> {
        let mut sql = self.sql();
        sql.push("SELECT data FROM members WHERE ")
            .push(column)
            .push(" = ")
            .bind(SqlValue::Text(value.to_string()));
        Ok(self.members(&sql).await?.into_iter().next())
    }
}

/// Members per multi-row `INSERT`: 24 columns × 400 = 9,600 bound parameters,
/// under SQLite's 32,766 and PostgreSQL's 65,535.
const INSERT_ROWS: usize = 400;

impl<D: SqlDriver> SqlStore<D> {
    fn insert_statement(&self, member: &Member) -> MembersResult<Statement> {
        self.insert_rows(std::slice::from_ref(member))
    }

    /// One `INSERT` of every member in `members` (at most [`INSERT_ROWS`]): one
    /// statement per row would cross to the driver once per member.
    fn insert_rows(&self, members: &[Member]) -> MembersResult<Statement> {
        let mut sql = self.sql();
        sql.push("INSERT INTO members (")
            .push(&row::COLUMNS.join(", "))
            .push(") VALUES ");
        for (n, member) in members.iter().enumerate() {
            sql.push(if n == 0 { "(" } else { ", (" });
            for (i, value) in row::values(member)?.into_iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(value);
            }
            sql.push(")");
        }
        Ok(Statement::new(sql))
    }
}

impl<D: SqlDriver> Store for SqlStore<D> {
    async fn insert(&self, member: &Member, event: &MemberEvent) -> MembersResult<()> {
        let mut statements = vec![self.insert_statement(member)?];
        statements.extend(self.event_statements(std::slice::from_ref(event))?);
        self.write(&statements, Some(member)).await?;
        Ok(())
    }

    async fn insert_many(&self, members: &[Member], events: &[MemberEvent]) -> MembersResult<()> {
        let mut statements = members
            .chunks(INSERT_ROWS)
            .map(|chunk| self.insert_rows(chunk))
            .collect::<MembersResult<Vec<_>>>()?;
        statements.extend(self.event_statements(events)?);
        // Which member broke a unique index is not reported per row: name none.
        self.write(&statements, None)
            .await
            .map_err(|error| match error.code {
                ErrorCode::Internal if error.message.contains("unique violation") => {
                    MembersError::new(
                        ErrorCode::AlreadyExists,
                        "MEMBER_ALREADY_EXISTS",
                        "an imported member's id, login email or slug is already taken",
                    )
                }
                _ => error,
            })?;
        Ok(())
    }

    async fn get(&self, id: &MemberId) -> MembersResult<Option<Member>> {
        self.select_one("id", id.as_str()).await
    }

    async fn get_by_email(&self, email: &str) -> MembersResult<Option<Member>> {
        self.select_one("email_key", &unique_key(email)).await
    }

    async fn update_many(
        &self,
        changes: &[(Member, u64)],
        events: &[MemberEvent],
    ) -> MembersResult<()> {
        let mut statements = changes
            .iter()
            .map(|(member, expected)| {
                Ok(Statement::expecting(self.update_sql(member, *expected)?, 1))
            })
            .collect::<MembersResult<Vec<_>>>()?;
        statements.extend(self.event_statements(events)?);
        self.ready().await?;
        match self.driver.batch(&statements).await {
            Ok(_) => Ok(()),
            // A stale revision changed no row: the whole batch was rolled back.
            Err(DriverError::Conflict { index }) => {
                let (member, _) = &changes[index.min(changes.len() - 1)];
                Err(revision_conflict(&member.id))
            }
            Err(error) => Err(unique_error(
                error,
                (changes.len() == 1).then(|| &changes[0].0),
            )),
        }
    }
    async fn delete(&self, members: &[Member], events: &[MemberEvent]) -> MembersResult<()> {
        if members.is_empty() {
            return Ok(());
        }
        // Compare-and-set on every member: a lost race rolls all of it back.
        let mut all: Vec<Statement> = members
            .iter()
            .map(|member| {
                let mut sql = self.sql();
                sql.push("DELETE FROM members WHERE id = ")
                    .bind(SqlValue::Text(member.id.to_string()))
                    .push(" AND revision = ")
                    .bind(SqlValue::Int(member.revision as i64));
                Statement::expecting(sql, 1)
            })
            .collect();
        // A deleted member's password, sessions and tickets go in the same
        // transaction.
        for member in members {
            all.extend(self.forget_member_statements(&member.id));
        }
        all.extend(self.event_statements(events)?);
        self.ready().await?;
        match self.driver.batch(&all).await {
            Ok(_) => Ok(()),
            Err(DriverError::Conflict { index }) => {
                Err(revision_conflict(&members[index.min(members.len() - 1)].id))
            }
            Err(error) => Err(error.into_members_error()),
        }
    }

    async fn query(&self, query: &Query) -> MembersResult<Page> {
        let (filter, residual) = split_filter(&query.filter, self.driver.dialect());
        let order = compile_sort(&query.sort);
        match (residual, order) {
            (None, Some(order)) => {
                let mut select = self.sql();
                select
                    .push("SELECT data FROM members WHERE ")
                    .append(&filter)
                    .push(&order);
                select
                    .push(" LIMIT ")
                    .bind(SqlValue::Int(i64::from(query.paging.limit)))
                    .push(" OFFSET ")
                    .bind(SqlValue::Int(query.paging.offset as i64));
                let members = self.members(&select).await?;
                let total = if query.with_total {
                    self.count_where(&filter).await?
                } else {
                    0
                };
                Ok(Page { members, total })
            }
            (residual, _) => {
                let mut select = self.sql();
                select
                    .push("SELECT data FROM members WHERE ")
                    .append(&filter);
                let mut found = self.members(&select).await?;
                if let Some(residual) = residual {
                    found.retain(|m| residual.matches(m));
                }
                let total = found.len() as u64;
                let refs: Vec<&Member> = found.iter().collect();
                let members = page_in_memory(
                    refs,
                    query,
                    query.paging.offset_index(),
                    query.paging.limit as usize,
                );
                Ok(Page { members, total })
            }
        }
    }

    async fn count(&self, filter: &Filter) -> MembersResult<u64> {
        let (sql_filter, residual) = split_filter(filter, self.driver.dialect());
        match residual {
            None => self.count_where(&sql_filter).await,
            Some(residual) => {
                let mut select = self.sql();
                select
                    .push("SELECT data FROM members WHERE ")
                    .append(&sql_filter);
                let found = self.members(&select).await?;
                Ok(found.iter().filter(|m| residual.matches(m)).count() as u64)
            }
        }
    }

    async fn secret(&self) -> MembersResult<Vec<u8>> {
        if let Some(secret) = self.secret.borrow().clone() {
            return Ok(secret);
        }
        self.ready().await?;
        let secret = schema::cursor_secret(&self.driver).await?.into_bytes();
        *self.secret.borrow_mut() = Some(secret.clone());
        Ok(secret)
    }

    async fn slugs_like(&self, base_key: &str) -> MembersResult<Vec<String>> {
        let dashed = format!("{base_key}-");
        let mut sql = self.sql();
        sql.push("SELECT slug_key FROM members WHERE slug_key = ")
            .bind(SqlValue::Text(base_key.to_string()))
            .push(" OR (slug_key >= ")
            .bind(SqlValue::Text(dashed.clone()));
        if let Some(next) = prefix_successor(&dashed) {
            sql.push(" AND slug_key < ").bind(SqlValue::Text(next));
        }
        sql.push(")");
        self.rows(&sql)
            .await?
            .iter()
            .map(|row| driver::text(row.first().unwrap_or(&SqlValue::Null)).map(str::to_string))
            .collect()
    }
}

impl<D: SqlDriver> SqlStore<D> {
    async fn count_where(&self, filter: &Sql) -> MembersResult<u64> {
        let mut sql = self.sql();
        sql.push("SELECT COUNT(*) FROM members WHERE ")
            .append(filter);
        self.ready().await?;
        self.counts.count(&self.driver, &sql).await
    }
}

impl<D: SqlDriver> SqlStore<D> {
    /// `UPDATE … WHERE id = ? AND revision = ?` for one member.
    fn update_sql(&self, member: &Member, expected_revision: u64) -> MembersResult<Sql> {
        let mut sql = self.sql();
        sql.push("UPDATE members SET ");
        for (i, (column, value)) in row::COLUMNS
            .iter()
            .zip(row::values(member)?)
            .enumerate()
            .skip(1)
        {
            if i > 1 {
                sql.push(", ");
            }
            sql.push(column).push(" = ").bind(value);
        }
        sql.push(" WHERE id = ")
            .bind(SqlValue::Text(member.id.to_string()))
            .push(" AND revision = ")
            .bind(SqlValue::Int(expected_revision as i64));
        Ok(sql)
    }
}
