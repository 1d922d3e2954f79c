//! The SQL schema, created and migrated by versioned migrations kept here.
//!
//! `schema_version` holds the versions applied. A database newer than this code
//! is refused with a clear error rather than guessed at. Every migration runs in
//! one transaction and is written to be safe when two processes start together.

use super::driver::{int, SqlDriver, Statement};
use crate::model::{ErrorCode, MembersError, MembersResult};
use crate::query::sql::{Dialect, Sql, SqlValue};

/// The newest schema this code knows.
pub const SCHEMA_VERSION: i64 = 2;

/// Text columns compare by code point in both databases (PostgreSQL needs "C").
fn text_type(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "TEXT",
        Dialect::Postgres => "TEXT COLLATE \"C\"",
    }
}

/// The statements of migration `version`.
fn migration(version: i64, dialect: Dialect) -> Vec<String> {
    let t = text_type(dialect);
    match version {
        1 => vec![
            format!(
                "CREATE TABLE IF NOT EXISTS members (
                    id {t} PRIMARY KEY,
                    email_key {t} NOT NULL,
                    slug_key {t} NOT NULL,
                    login_email {t} NOT NULL,
                    login_email_folded {t} NOT NULL,
                    contact_id {t} NOT NULL,
                    first_name {t}, first_name_folded {t},
                    last_name {t}, last_name_folded {t},
                    nickname {t}, nickname_folded {t},
                    slug {t} NOT NULL, slug_folded {t} NOT NULL,
                    title {t}, title_folded {t},
                    privacy_status {t} NOT NULL,
                    status {t} NOT NULL,
                    activity_status {t} NOT NULL,
                    created_date BIGINT NOT NULL,
                    updated_date BIGINT NOT NULL,
                    last_login_date BIGINT,
                    revision BIGINT NOT NULL,
                    data {t} NOT NULL
                )"
            ),
            "CREATE UNIQUE INDEX IF NOT EXISTS members_email_key ON members (email_key)".into(),
            "CREATE UNIQUE INDEX IF NOT EXISTS members_slug_key ON members (slug_key)".into(),
            "CREATE INDEX IF NOT EXISTS members_nickname_folded ON members (nickname_folded)"
                .into(),
            "CREATE INDEX IF NOT EXISTS members_slug ON members (slug)".into(),
            "CREATE INDEX IF NOT EXISTS members_login_email ON members (login_email)".into(),
            "CREATE INDEX IF NOT EXISTS members_created ON members (created_date DESC, id)".into(),
            "CREATE INDEX IF NOT EXISTS members_status ON members (status, privacy_status)".into(),
            // Visitors' queries always carry `status = APPROVED AND privacy_status =
            // PUBLIC`: lead the indexes they need with those two columns.
            "CREATE INDEX IF NOT EXISTS members_visible_nickname ON members (status, privacy_status, nickname_folded)".into(),
            "CREATE INDEX IF NOT EXISTS members_visible_created ON members (status, privacy_status, created_date DESC, id)".into(),
            format!(
                "CREATE TABLE IF NOT EXISTS settings (name {t} PRIMARY KEY, value {t} NOT NULL)"
            ),
        ],
        // Authentication (SPEC §10): credentials live beside members, never in
        // `data`, and tokens only as hashes.
        2 => vec![
            format!(
                "CREATE TABLE IF NOT EXISTS member_passwords (
                    member_id {t} PRIMARY KEY,
                    password_hash {t} NOT NULL
                )"
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS sessions (
                    token_hash {t} PRIMARY KEY,
                    member_id {t} NOT NULL,
                    created_date BIGINT NOT NULL,
                    expires_date BIGINT NOT NULL
                )"
            ),
            "CREATE INDEX IF NOT EXISTS sessions_member ON sessions (member_id)".into(),
            "CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires_date)".into(),
            format!(
                "CREATE TABLE IF NOT EXISTS password_tickets (
                    token_hash {t} PRIMARY KEY,
                    member_id {t} NOT NULL,
                    expires_date BIGINT NOT NULL
                )"
            ),
            "CREATE INDEX IF NOT EXISTS password_tickets_member ON password_tickets (member_id)"
                .into(),
            "CREATE INDEX IF NOT EXISTS password_tickets_expires ON password_tickets (expires_date)"
                .into(),
            format!(
                "CREATE TABLE IF NOT EXISTS login_failures (
                    failure_key {t} PRIMARY KEY,
                    failures BIGINT NOT NULL,
                    window_start BIGINT NOT NULL
                )"
            ),
            "CREATE INDEX IF NOT EXISTS login_failures_window ON login_failures (window_start)"
                .into(),
        ],
        _ => Vec::new(),
    }
}

/// Brings the database to `SCHEMA_VERSION`; returns the version found before.
pub async fn migrate<D: SqlDriver>(driver: &D, secret: &str) -> MembersResult<i64> {
    let dialect = driver.dialect();
    let mut create = vec![];
    if let Some(lock) = migration_lock(dialect) {
        create.push(lock);
    }
    let mut sql = Sql::new(dialect);
    sql.push("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    create.push(Statement::new(sql));
    driver
        .batch(&create)
        .await
        .map_err(|e| e.into_members_error())?;
    let current = current_version(driver).await?;
    if current > SCHEMA_VERSION {
        return Err(MembersError::new(
            ErrorCode::FailedPrecondition,
            "SCHEMA_TOO_NEW",
            format!(
                "the database has schema version {current}, newer than the {SCHEMA_VERSION} this \
                 version of universal-members knows: upgrade universal-members"
            ),
        ));
    }
    for version in current + 1..=SCHEMA_VERSION {
        let mut statements: Vec<Statement> = migration_lock(dialect).into_iter().collect();
        for text in migration(version, dialect) {
            let mut sql = Sql::new(dialect);
            sql.push(&text);
            statements.push(Statement::new(sql));
        }
        if version == 1 {
            let mut sql = Sql::new(dialect);
            sql.push("INSERT INTO settings (name, value) VALUES ('cursor_secret', ")
                .bind(SqlValue::Text(secret.to_string()))
                .push(") ON CONFLICT (name) DO NOTHING");
            statements.push(Statement::new(sql));
        }
        let mut mark = Sql::new(dialect);
        mark.push("INSERT INTO schema_version (version) SELECT ")
            .bind(SqlValue::Int(version))
            .push(" WHERE NOT EXISTS (SELECT 1 FROM schema_version WHERE version = ")
            .bind(SqlValue::Int(version))
            .push(")");
        statements.push(Statement::new(mark));
        driver
            .batch(&statements)
            .await
            .map_err(|e| e.into_members_error())?;
    }
    Ok(current)
}

/// PostgreSQL: serialises concurrent migrators for the length of a transaction
/// (its `CREATE … IF NOT EXISTS` still races on the catalog). SQLite's batches are
/// `BEGIN IMMEDIATE`, serialised already.
fn migration_lock(dialect: Dialect) -> Option<Statement> {
    (dialect == Dialect::Postgres).then(|| {
        let mut sql = Sql::new(dialect);
        sql.push("SELECT pg_advisory_xact_lock(724872)");
        Statement::new(sql)
    })
}

async fn current_version<D: SqlDriver>(driver: &D) -> MembersResult<i64> {
    let mut sql = Sql::new(driver.dialect());
    sql.push("SELECT COALESCE(MAX(version), 0) FROM schema_version");
    let rows = driver
        .query(&sql)
        .await
        .map_err(|e| e.into_members_error())?;
    rows.first().and_then(|row| row.first()).map_or(Ok(0), int)
}

/// The secret that signs cursors, shared by every process on this database.
pub async fn cursor_secret<D: SqlDriver>(driver: &D) -> MembersResult<String> {
    let mut sql = Sql::new(driver.dialect());
    sql.push("SELECT value FROM settings WHERE name = 'cursor_secret'");
    let rows = driver
        .query(&sql)
        .await
        .map_err(|e| e.into_members_error())?;
    match rows.first().and_then(|row| row.first()) {
        Some(super::SqlValue::Text(secret)) => Ok(secret.clone()),
        _ => Err(MembersError::internal(
            "the cursor secret is missing from settings",
        )),
    }
}
