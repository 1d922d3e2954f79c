//! Counts of members by filter, reused while the database is unchanged (issue
//! 15): a listing asks for its total with every page, and counting every match
//! is most of a page's SQL once matches are many. A count is reused only while
//! nothing has been written: nothing through this store (`Watched` counts its
//! writes, before and after each, so a count that overlapped a write is never
//! reused) and, on SQLite, nothing by any other connection or process
//! (`PRAGMA data_version` changes when another connection commits). PostgreSQL
//! has no signal as cheap, so there every count runs.

use super::driver::{int, DriverError, SqlDriver, Statement};
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

/// The state of the database a count was taken in.
type Stamp = (u64, i64);

/// Counts by their statement (text and parameters), for one stamp at a time.
#[derive(Default)]
pub struct CountCache {
    stamp: Cell<Option<Stamp>>,
    counts: RefCell<HashMap<String, u64>>,
}

impl CountCache {
    /// The database's state now, or `None` where no count may be reused.
    pub async fn stamp<D: SqlDriver>(driver: &Watched<D>) -> Option<Stamp> {
        if driver.dialect() != Dialect::Sqlite {
            return None;
        }
        // Our writes first: one that ends after this read changes the stamp.
        let writes = driver.writes.get();
        let mut sql = Sql::new(Dialect::Sqlite);
        sql.push("PRAGMA data_version");
        let rows = driver.inner.query(&sql).await.ok()?;
        let version = int(rows.first()?.first()?).ok()?;
        Some((writes, version))
    }

    /// The key of a count statement.
    pub fn key(sql: &Sql) -> String {
        format!("{}\u{0}{:?}", sql.text, sql.params)
    }

    /// The count of `key` taken at `stamp`, if there is one.
    pub fn get(&self, stamp: Stamp, key: &str) -> Option<u64> {
        if self.stamp.get() != Some(stamp) {
            return None;
        }
        self.counts.borrow().get(key).copied()
    }

    /// Keeps `count` of `key`, taken at `stamp` (dropping counts of other stamps).
    pub fn put(&self, stamp: Stamp, key: String, count: u64) {
        let mut counts = self.counts.borrow_mut();
        if self.stamp.get() != Some(stamp) || counts.len() >= MAX_COUNTS {
            counts.clear();
            self.stamp.set(Some(stamp));
        }
        counts.insert(key, count);
    }
}
