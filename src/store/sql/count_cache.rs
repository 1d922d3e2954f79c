//! Counts of members by filter, reused while the database is unchanged (issue
//! 15): a listing asks for its total with every page, and counting every match
//! is most of a page's SQL once matches are many. A count is reused only while
//! nothing has been written: nothing through this store (`Watched` counts its
//! writes, before and after each, so a count that overlapped a write is never
//! reused) and nothing by any other connection or process. The database tells
//! the second:
//! - SQLite: `PRAGMA data_version` changes when another connection commits.
//! - PostgreSQL: the count's snapshot (`pg_current_snapshot()`, taken in the
//!   count's own statement). Two snapshots with the same text see the same
//!   committed transactions, and any write anywhere in the cluster moves it, so
//!   an equal snapshot means an equal count. The check and the count are one
//!   statement, `CASE WHEN snapshot = $kept THEN NULL ELSE (count) END`, whose
//!   count PostgreSQL runs only when the snapshot moved: a reuse costs no extra
//!   round trip and a miss none either. A server without the function (before
//!   PostgreSQL 13) counts every time.

use super::driver::{cell, int, DriverError, SqlDriver, Statement};
use crate::model::MembersResult;
use crate::query::sql::{Dialect, Sql, SqlValue};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// Counts kept at most (a new filter past this clears them all).
const MAX_COUNTS: usize = 256;

/// A driver that counts the writes sent through it.
pub struct Watched<D> {
    inner: D,
    writes: Cell<u64>,
}

impl<D: SqlDriver> Watched<D> {
    /// Watches `inner`.
    pub fn new(inner: D) -> Self {
        Watched {
            inner,
            writes: Cell::new(0),
        }
    }

    /// The driver watched.
    pub fn inner(&self) -> &D {
        &self.inner
    }

    fn bump(&self) {
        self.writes.set(self.writes.get() + 1);
    }
}

/// Whether a statement only reads (anything else counts as a write).
fn only_reads(sql: &str) -> bool {
    let head = sql.trim_start().get(..6).unwrap_or("");
    head.eq_ignore_ascii_case("select")
}

impl<D: SqlDriver> SqlDriver for Watched<D> {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }

    async fn query(&self, sql: &Sql) -> Result<Vec<Vec<SqlValue>>, DriverError> {
        if only_reads(&sql.text) {
            return self.inner.query(sql).await;
        }
        self.bump();
        let rows = self.inner.query(sql).await;
        self.bump();
        rows
    }

    async fn batch(&self, statements: &[Statement]) -> Result<Vec<u64>, DriverError> {
        self.bump();
        let counts = self.inner.batch(statements).await;
        self.bump();
        counts
    }
}

/// What the database says of its own state, read with (PostgreSQL) or just
/// before (SQLite) a count.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mark {
    DataVersion(i64),
    Snapshot(String),
}

/// The state of the database a count was taken in: how many writes this store
/// had sent, and the database's mark.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    writes: u64,
    mark: Mark,
}

/// Counts by their statement (text and parameters), for one stamp at a time.
#[derive(Default)]
pub struct CountCache {
    stamp: RefCell<Option<Stamp>>,
    counts: RefCell<HashMap<String, u64>>,
    /// Set once the PostgreSQL server turned out to lack `pg_current_snapshot()`.
    no_snapshots: Cell<bool>,
}

impl CountCache {
    /// `SELECT COUNT(*) …` (`count`) as a number, reused while the database is
    /// unchanged since it was last taken.
    pub async fn count<D: SqlDriver>(
        &self,
        driver: &Watched<D>,
        count: &Sql,
    ) -> MembersResult<u64> {
        match driver.dialect() {
            Dialect::Sqlite => self.count_on_sqlite(driver, count).await,
            Dialect::Postgres if self.no_snapshots.get() => counted(&rows(driver, count).await?),
            Dialect::Postgres => self.count_on_postgres(driver, count).await,
        }
    }

    async fn count_on_sqlite<D: SqlDriver>(
        &self,
        driver: &Watched<D>,
        count: &Sql,
    ) -> MembersResult<u64> {
        let key = key(count);
        // Our writes first: one that ends after this read changes the stamp.
        let writes = driver.writes.get();
        let mut version = Sql::new(Dialect::Sqlite);
        version.push("PRAGMA data_version");
        let stamp = driver
            .inner
            .query(&version)
            .await
            .ok()
            .and_then(|rows| int(cell(rows.first()?, 0)).ok())
            .map(|version| Stamp {
                writes,
                mark: Mark::DataVersion(version),
            });
        if let Some(count) = stamp.as_ref().and_then(|stamp| self.get(stamp, &key)) {
            return Ok(count);
        }
        let counted = counted(&rows(driver, count).await?)?;
        if let Some(stamp) = stamp {
            self.put(stamp, key, counted);
        }
        Ok(counted)
    }

    async fn count_on_postgres<D: SqlDriver>(
        &self,
        driver: &Watched<D>,
        count: &Sql,
    ) -> MembersResult<u64> {
        let key = key(count);
        let writes = driver.writes.get();
        let kept = self.kept(writes, &key);
        let mut sql = Sql::new(Dialect::Postgres);
        match &kept {
            Some((snapshot, _)) => {
                sql.push("SELECT CASE WHEN pg_current_snapshot()::text = ")
                    .bind(SqlValue::Text(snapshot.clone()))
                    .push(" THEN NULL ELSE (")
                    .append(count)
                    .push(") END, pg_current_snapshot()::text");
            }
            None => {
                sql.push("SELECT (")
                    .append(count)
                    .push("), pg_current_snapshot()::text");
            }
        }
        let rows = match driver.query(&sql).await {
            Ok(rows) => rows,
            Err(DriverError::Other(message)) if message.contains("pg_current_snapshot") => {
                self.no_snapshots.set(true);
                return counted(&rows(driver, count).await?);
            }
            Err(error) => return Err(error.into_members_error()),
        };
        let row = rows.first().map(Vec::as_slice).unwrap_or(&[]);
        if let (Some((_, count)), SqlValue::Null) = (kept, cell(row, 0)) {
            return Ok(count);
        }
        let counted = counted(&rows)?;
        if let SqlValue::Text(snapshot) = cell(row, 1) {
            let mark = Mark::Snapshot(snapshot.clone());
            self.put(Stamp { writes, mark }, key, counted);
        }
        Ok(counted)
    }

    /// The count of `key` taken at `stamp`, if there is one.
    fn get(&self, stamp: &Stamp, key: &str) -> Option<u64> {
        if self.stamp.borrow().as_ref() != Some(stamp) {
            return None;
        }
        self.counts.borrow().get(key).copied()
    }

    /// The snapshot and count kept for `key`, if taken after `writes` writes.
    fn kept(&self, writes: u64, key: &str) -> Option<(String, u64)> {
        match self.stamp.borrow().as_ref()? {
            Stamp {
                writes: at,
                mark: Mark::Snapshot(snapshot),
            } if *at == writes => Some((snapshot.clone(), *self.counts.borrow().get(key)?)),
            _ => None,
        }
    }

    /// Keeps `count` of `key`, taken at `stamp` (dropping counts of other stamps).
    fn put(&self, stamp: Stamp, key: String, count: u64) {
        let mut counts = self.counts.borrow_mut();
        let mut kept = self.stamp.borrow_mut();
        if kept.as_ref() != Some(&stamp) || counts.len() >= MAX_COUNTS {
            counts.clear();
            *kept = Some(stamp);
        }
        counts.insert(key, count);
    }
}

/// The key of a count statement.
fn key(sql: &Sql) -> String {
    format!("{}\u{0}{:?}", sql.text, sql.params)
}

/// The rows of `sql`, a driver error as callers see it.
async fn rows<D: SqlDriver>(driver: &Watched<D>, sql: &Sql) -> MembersResult<Vec<Vec<SqlValue>>> {
    driver
        .query(sql)
        .await
        .map_err(DriverError::into_members_error)
}

/// The count in the first column of the first row.
fn counted(rows: &[Vec<SqlValue>]) -> MembersResult<u64> {
    let Some(row) = rows.first() else {
        return Ok(0);
    };
    int(cell(row, 0)).map(|count| count.max(0) as u64)
}
