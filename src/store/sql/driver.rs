//! What the SQL store needs from a database driver: run one statement, or run
//! several in one transaction. Drivers (pkg/drivers/*.mjs, reached through
//! src/wasm) do nothing else; all logic stays in Rust.

use crate::model::{ErrorCode, MembersError, MembersResult};
use crate::query::sql::{Dialect, Sql, SqlValue};

/// One statement of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: Sql,
    /// Rows it must change; any other count rolls the batch back (`Conflict`).
    pub expect: Option<u64>,
}

impl Statement {
    /// A statement whose row count is not checked.
    pub fn new(sql: Sql) -> Statement {
        Statement { sql, expect: None }
    }

    /// A statement that must change exactly `rows` rows.
    pub fn expecting(sql: Sql, rows: u64) -> Statement {
        Statement {
            sql,
            expect: Some(rows),
        }
    }
}

/// Why a driver call failed, in terms the store can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum DriverError {
    /// A unique index refused a row; `index` names the index or its column.
    Unique { index: String },
    /// The database is locked or busy beyond the driver's timeout.
    Busy(String),
    /// The database can not be reached or opened.
    Unavailable(String),
    /// Statement `index` of a batch changed another number of rows than expected;
    /// the batch was rolled back.
    Conflict { index: usize },
    /// Anything else (a bug, or a damaged database).
    Other(String),
}

impl DriverError {
    /// The error as callers see it (unique violations are mapped by the store,
    /// which knows the member being written).
    pub fn into_members_error(self) -> MembersError {
        match self {
            DriverError::Unique { index } => {
                MembersError::internal(format!("unexpected unique violation on {index}"))
            }
            DriverError::Busy(message) => MembersError::new(
                ErrorCode::Unavailable,
                "DATABASE_BUSY",
                format!("the database is busy (locked by another process?): {message}"),
            ),
            DriverError::Unavailable(message) => MembersError::new(
                ErrorCode::Unavailable,
                "DATABASE_UNAVAILABLE",
                format!("the database can not be reached: {message}"),
            ),
            DriverError::Conflict { index } => MembersError::internal(format!(
                "unexpected row count at statement {index} of a batch"
            )),
            DriverError::Other(message) => {
                MembersError::internal(format!("database error: {message}"))
            }
        }
    }
}

/// A database connection (or pool). Futures are not `Send`: see `Store`.
#[allow(async_fn_in_trait)]
pub trait SqlDriver {
    /// Which SQL the database speaks.
    fn dialect(&self) -> Dialect;

    /// Runs one statement and returns its rows, each a list of column values.
    async fn query(&self, sql: &Sql) -> Result<Vec<Vec<SqlValue>>, DriverError>;

    /// Runs statements in order in one transaction and returns how many rows each
    /// changed; any error rolls the whole batch back.
    async fn batch(&self, statements: &[Statement]) -> Result<Vec<u64>, DriverError>;
}

/// Reads a text column.
pub fn text(value: &SqlValue) -> MembersResult<&str> {
    match value {
        SqlValue::Text(text) => Ok(text),
        other => Err(MembersError::internal(format!(
            "expected a text column, got {other:?}"
        ))),
    }
}

/// Reads an integer column (drivers may hand numbers over as reals).
pub fn int(value: &SqlValue) -> MembersResult<i64> {
    match value {
        SqlValue::Int(n) => Ok(*n),
        SqlValue::Real(n) if n.fract() == 0.0 => Ok(*n as i64),
        SqlValue::Text(t) => t
            .parse()
            .map_err(|_| MembersError::internal(format!("expected an integer column, got {t:?}"))),
        other => Err(MembersError::internal(format!(
            "expected an integer column, got {other:?}"
        ))),
    }
}

/// A text parameter.
pub fn text_value(value: &str) -> SqlValue {
    SqlValue::Text(value.to_string())
}

/// An integer parameter.
pub fn int_value(value: i64) -> SqlValue {
    SqlValue::Int(value)
}

/// Column `index` of a row (NULL past its end).
pub fn cell(row: &[SqlValue], index: usize) -> &SqlValue {
    row.get(index).unwrap_or(&SqlValue::Null)
}

/// A text column that may be NULL.
pub fn opt_text(value: &SqlValue) -> Option<String> {
    match value {
        SqlValue::Text(text) => Some(text.clone()),
        _ => None,
    }
}

/// An integer column that may be NULL.
pub fn opt_int(value: &SqlValue) -> MembersResult<Option<i64>> {
    match value {
        SqlValue::Null => Ok(None),
        other => int(other).map(Some),
    }
}
