//! Database URLs (SPEC §11): `memory:`, `sqlite:PATH`, `postgres://…`.

use crate::model::{MembersError, MembersResult};
use serde_json::{json, Value};

/// Where members are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    /// In this process only.
    Memory,
    /// A SQLite file (or `:memory:`).
    Sqlite(String),
    /// A PostgreSQL server, as a connection URL.
    Postgres(String),
}

impl DatabaseLocation {
    /// Parses a database URL; a bad one is `INVALID_ARGUMENT` naming `database`.
    pub fn parse(url: &str) -> MembersResult<DatabaseLocation> {
        let bad = |why: &str| {
            MembersError::invalid_field(
                "database",
                "FORMAT",
                format!(
                    "{why}; use \"sqlite:PATH\", \"postgres://user@host:port/database\" or \"memory:\""
                ),
            )
        };
        if url == "memory:" {
            return Ok(DatabaseLocation::Memory);
        }
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(bad("\"sqlite:\" needs a file path"));
            }
            return Ok(DatabaseLocation::Sqlite(path.to_string()));
        }
        for scheme in ["postgres://", "postgresql://"] {
            if let Some(rest) = url.strip_prefix(scheme) {
                let host = rest.split(['/', '?']).next().unwrap_or_default();
                let host = host.rsplit('@').next().unwrap_or_default();
                if host.is_empty() {
                    return Err(bad("a PostgreSQL URL needs a host"));
                }
                return Ok(DatabaseLocation::Postgres(url.to_string()));
            }
        }
        // Never echo the URL: it may hold a password.
        Err(bad("the database URL has an unknown scheme"))
    }

    /// `{ kind, target }` for the JS package.
    pub fn to_json(&self) -> Value {
        match self {
            DatabaseLocation::Memory => json!({ "kind": "memory" }),
            DatabaseLocation::Sqlite(path) => json!({ "kind": "sqlite", "target": path }),
            DatabaseLocation::Postgres(url) => json!({ "kind": "postgres", "target": url }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_kinds_of_url_parse() {
        assert_eq!(
            DatabaseLocation::parse("memory:").unwrap(),
            DatabaseLocation::Memory
        );
        assert_eq!(
            DatabaseLocation::parse("sqlite:./members.db").unwrap(),
            DatabaseLocation::Sqlite("./members.db".into())
        );
        assert!(matches!(
            DatabaseLocation::parse("postgres://u:p@127.0.0.1:5432/db").unwrap(),
            DatabaseLocation::Postgres(_)
        ));
    }

    #[test]
    fn bad_urls_are_refused_without_echoing_secrets() {
        for url in [
            "",
            "sqlite:",
            "mysql://u:secret@h/db",
            "postgres:///db",
            "members.db",
        ] {
            let error = DatabaseLocation::parse(url).unwrap_err();
            assert_eq!(error.violations[0].field, "database");
            assert!(!error.message.contains("secret"));
        }
    }
}
