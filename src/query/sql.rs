//! The query compiler: filter, sort and paging → parameterised SQL for SQLite and
//! PostgreSQL (SPEC §7).
//!
//! Values are only ever bound as parameters; column names come only from
//! `column()`, a closed table keyed by `Field`. Under a `NOT` every condition
//! compiles to an expression that is never NULL, so `NOT` keeps the two-valued
//! meaning the memory evaluator has; elsewhere comparisons stay bare so indexes
//! are used. What can not be compiled (custom fields) is returned as a residual
//! for the store to finish in memory.

use super::field::{Field, FieldKind, Scalar};
use super::filter::{compare_scalars, Condition, Filter};
use super::sort::{Order, Sort};

/// The two SQL dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A bound parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

/// SQL text with its parameters, built left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Sql {
    pub dialect: Dialect,
    pub text: String,
    pub params: Vec<SqlValue>,
}

impl Sql {
    /// Empty SQL in a dialect.
    pub fn new(dialect: Dialect) -> Sql {
        Sql {
            dialect,
            text: String::new(),
            params: Vec::new(),
        }
    }

    /// Appends SQL text (never user data).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `value`.
    pub fn bind(&mut self, value: SqlValue) -> &mut Self {
        self.params.push(value);
        match self.dialect {
            Dialect::Sqlite => self.text.push('?'),
            Dialect::Postgres => {
                let n = self.params.len();
                self.text.push_str(&format!("${n}"));
            }
        }
        self
    }

    /// Appends another fragment's text and parameters (renumbering placeholders).
    pub fn append(&mut self, other: &Sql) -> &mut Self {
        match self.dialect {
            Dialect::Sqlite => {
                self.text.push_str(&other.text);
                self.params.extend(other.params.iter().cloned());
            }
            Dialect::Postgres => {
                // Re-emit with new numbers: fragments are built with their own numbering.
                let mut rest = other.text.as_str();
                let mut index = 0;
                while let Some(at) = rest.find('$') {
                    self.text.push_str(&rest[..at]);
                    let digits = rest[at + 1..]
                        .bytes()
                        .take_while(u8::is_ascii_digit)
                        .count();
                    self.bind(other.params[index].clone());
                    index += 1;
                    rest = &rest[at + 1 + digits..];
                }
                self.text.push_str(rest);
            }
        }
        self
    }
}

/// The column that holds a field. Custom fields and `loginEmailVerified` have
/// none: they are read from the member's JSON (a residual filter).
pub fn column(field: &Field) -> Option<&'static str> {
    Some(match field {
        Field::Id => "id",
        Field::LoginEmail => "login_email",
        Field::ContactId => "contact_id",
        Field::FirstName => "first_name",
        Field::LastName => "last_name",
        Field::Nickname => "nickname",
        Field::Slug => "slug",
        Field::Title => "title",
        Field::PrivacyStatus => "privacy_status",
        Field::Status => "status",
        Field::ActivityStatus => "activity_status",
        Field::CreatedDate => "created_date",
        Field::UpdatedDate => "updated_date",
        Field::LastLoginDate => "last_login_date",
        Field::CustomField(_) | Field::LoginEmailVerified => return None,
    })
}

/// The column holding the case-folded text of a field, for case-insensitive
/// operators (ids are stored lower-case already).
pub fn folded_column(field: &Field) -> Option<&'static str> {
    Some(match field {
        Field::Id => "id",
        Field::ContactId => "contact_id",
        Field::LoginEmail => "login_email_folded",
        Field::FirstName => "first_name_folded",
        Field::LastName => "last_name_folded",
        Field::Nickname => "nickname_folded",
        Field::Slug => "slug_folded",
        Field::Title => "title_folded",
        _ => return None,
    })
}

fn value_of(scalar: &Scalar) -> SqlValue {
    match scalar {
        Scalar::Bool(b) => SqlValue::Int(i64::from(*b)),
        Scalar::Number(n) => SqlValue::Real(*n),
        Scalar::Text(t) => SqlValue::Text(t.to_string()),
        Scalar::Date(d) => SqlValue::Int(d.millis()),
    }
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The smallest string greater than every string starting with `prefix`, if any.
pub fn prefix_successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = last as u32 + 1;
        if (0xD800..=0xDFFF).contains(&next) {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Compiles a filter, or `None` when part of it has no column (custom fields).
pub fn compile_filter(filter: &Filter, dialect: Dialect) -> Option<Sql> {
    let mut sql = Sql::new(dialect);
    write_filter(filter, &mut sql, false)?;
    Some(sql)
}

/// Splits a filter into what SQL can run and what must run in memory: top-level
/// AND parts are compiled one by one; the rest is the residual.
pub fn split_filter(filter: &Filter, dialect: Dialect) -> (Sql, Option<Filter>) {
    if let Some(sql) = compile_filter(filter, dialect) {
        return (sql, None);
    }
    let parts: Vec<&Filter> = match filter {
        Filter::And(parts) => parts.iter().collect(),
        other => vec![other],
    };
    let mut sql = Sql::new(dialect);
    sql.push("(TRUE");
    let mut residual = Vec::new();
    for part in parts {
        match compile_filter(part, dialect) {
            Some(fragment) => {
                sql.push(" AND ").append(&fragment);
            }
            None => residual.push(part.clone()),
        }
    }
    sql.push(")");
    (sql, Some(Filter::And(residual)))
}

/// `negated`: the filter stands inside a `NOT` (see `write_condition`).
fn write_filter(filter: &Filter, sql: &mut Sql, negated: bool) -> Option<()> {
    match filter {
        Filter::All => {
            sql.push("TRUE");
        }
        Filter::And(parts) | Filter::Or(parts) => {
            let (joiner, empty) = if matches!(filter, Filter::And(_)) {
                (" AND ", "TRUE")
            } else {
                (" OR ", "FALSE")
            };
            if parts.is_empty() {
                sql.push(empty);
                return Some(());
            }
            sql.push("(");
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    sql.push(joiner);
                }
                write_filter(part, sql, negated)?;
            }
            sql.push(")");
        }
        Filter::Not(inner) => {
            sql.push("(NOT ");
            write_filter(inner, sql, true)?;
            sql.push(")");
        }
        Filter::Match(field, condition) => write_condition(field, condition, sql, negated)?,
    }
    Some(())
}

/// Writes one condition. `negated`: it stands inside a `NOT`, where a NULL must
/// become FALSE first; elsewhere NULL already acts as false and a bare comparison
/// lets the database use its indexes.
fn write_condition(
    field: &Field,
    condition: &Condition,
    sql: &mut Sql,
    negated: bool,
) -> Option<()> {
    let column = column(field)?;
    let textual = matches!(field.kind(), FieldKind::Text);
    // `guard`: wrap in COALESCE(…, FALSE) because a NOT will apply to the result.
    let wrap = |sql: &mut Sql, guard: bool, body: &dyn Fn(&mut Sql)| {
        sql.push(if guard { "COALESCE(" } else { "(" });
        body(sql);
        sql.push(if guard { ", FALSE)" } else { ")" });
    };
    let compare = |sql: &mut Sql, guard: bool, op: &str, value: &Scalar| {
        wrap(sql, guard, &|sql| {
            sql.push(column).push(op).bind(value_of(value));
        });
    };
    let in_list = |sql: &mut Sql, guard: bool, values: &[Scalar<'static>]| {
        if values.is_empty() {
            sql.push("FALSE");
            return;
        }
        wrap(sql, guard, &|sql| {
            sql.push(column).push(" IN (");
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(value_of(value));
            }
            sql.push(")");
        });
    };
    let is_null = |sql: &mut Sql| {
        if textual {
            sql.push("(")
                .push(column)
                .push(" IS NULL OR ")
                .push(column)
                .push(" = '')");
        } else {
            sql.push("(").push(column).push(" IS NULL)");
        }
    };
    let like = |sql: &mut Sql, pattern: String| {
        let folded = folded_column(field).unwrap_or(column);
        wrap(sql, negated, &|sql| {
            sql.push(folded)
                .push(" LIKE ")
                .bind(SqlValue::Text(pattern.clone()))
                .push(" ESCAPE '\\'");
        });
    };
    match condition {
        Condition::Eq(None) => is_null(sql),
        Condition::Ne(None) => {
            sql.push("(NOT ");
            is_null(sql);
            sql.push(")");
        }
        Condition::Eq(Some(v)) => compare(sql, negated, " = ", v),
        Condition::Ne(Some(v)) => {
            sql.push("(NOT ");
            compare(sql, true, " = ", v);
            sql.push(")");
        }
        Condition::Gt(v) => compare(sql, negated, " > ", v),
        Condition::Ge(v) => compare(sql, negated, " >= ", v),
        Condition::Lt(v) => compare(sql, negated, " < ", v),
        Condition::Le(v) => compare(sql, negated, " <= ", v),
        Condition::In(values) | Condition::HasSome(values) => in_list(sql, negated, values),
        Condition::Nin(values) => {
            sql.push("(NOT ");
            in_list(sql, true, values);
            sql.push(")");
        }
        Condition::HasAll(values) => {
            // A column holds one value, so it holds all of the list only when the
            // list is one value: one comparison however long the list (SQLite
            // refuses expressions nested over 1000 deep).
            let mut distinct: Vec<&Scalar> = Vec::new();
            for value in values {
                if !distinct
                    .iter()
                    .any(|seen| compare_scalars(seen, value) == Some(std::cmp::Ordering::Equal))
                {
                    distinct.push(value);
                }
            }
            sql.push("(").push(column).push(" IS NOT NULL");
            match distinct.as_slice() {
                [] => {}
                [one] => {
                    sql.push(" AND ");
                    compare(sql, negated, " = ", one);
                }
                _ => {
                    sql.push(" AND 1 = 0");
                }
            }
            sql.push(")");
        }
        Condition::Exists(true) => {
            sql.push("(").push(column).push(" IS NOT NULL)");
        }
        Condition::Exists(false) => {
            sql.push("(").push(column).push(" IS NULL)");
        }
        Condition::StartsWith(prefix) => {
            let folded = folded_column(field)?;
            // A range, not LIKE, so both databases use the index on the folded column.
            wrap(sql, negated, &|sql| {
                sql.push(folded)
                    .push(" >= ")
                    .bind(SqlValue::Text(prefix.clone()));
                if let Some(next) = prefix_successor(prefix) {
                    sql.push(" AND ")
                        .push(folded)
                        .push(" < ")
                        .bind(SqlValue::Text(next));
                }
            });
        }
        Condition::EndsWith(suffix) => like(sql, format!("%{}", like_escape(suffix))),
        Condition::Contains(part) => like(sql, format!("%{}%", like_escape(part))),
    }
    Some(())
}

/// `ORDER BY ...` for a sort, `_id` last; `None` when a key has no column.
pub fn compile_sort(sort: &Sort) -> Option<String> {
    let mut keys = Vec::new();
    for key in &sort.keys {
        let column = column(&key.field)?;
        // Where no member lacks the field, no NULLS clause: PostgreSQL uses an
        // index `(created_date DESC)` only for its own default, NULLS FIRST.
        keys.push(match key.order {
            Order::Asc if key.field.always_set() => format!("{column} ASC"),
            Order::Desc if key.field.always_set() => format!("{column} DESC"),
            Order::Asc => format!("{column} ASC NULLS FIRST"),
            Order::Desc => format!("{column} DESC NULLS LAST"),
        });
    }
    keys.push("id ASC".to_string());
    Some(format!(" ORDER BY {}", keys.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_bound_never_spliced() {
        let filter =
            Filter::parse(&json!({ "profile.nickname": "x'); DROP TABLE members; --" })).unwrap();
        let sql = compile_filter(&filter, Dialect::Sqlite).unwrap();
        assert!(!sql.text.contains("DROP"));
        assert_eq!(sql.params.len(), 1);
    }

    #[test]
    fn postgres_placeholders_are_numbered_in_order() {
        let filter = Filter::parse(
            &json!({ "status": { "$in": ["APPROVED", "PENDING"] }, "profile.title": "x" }),
        )
        .unwrap();
        let sql = compile_filter(&filter, Dialect::Postgres).unwrap();
        assert!(sql.text.contains("$1") && sql.text.contains("$2") && sql.text.contains("$3"));
    }

    #[test]
    fn custom_fields_are_left_as_a_residual() {
        let filter =
            Filter::parse(&json!({ "status": "APPROVED", "contact.customFields.a.value": 1 }))
                .unwrap();
        assert!(compile_filter(&filter, Dialect::Sqlite).is_none());
        let (sql, residual) = split_filter(&filter, Dialect::Sqlite);
        assert_eq!(sql.params.len(), 1);
        assert!(residual.is_some());
    }

    #[test]
    fn prefix_successor_bounds_every_string_with_the_prefix() {
        assert_eq!(prefix_successor("ab").as_deref(), Some("ac"));
        assert_eq!(prefix_successor(""), None);
        assert_eq!(prefix_successor("a\u{10FFFF}").as_deref(), Some("b"));
    }

    #[test]
    fn has_all_of_a_long_list_is_one_comparison() {
        // 1,000 ANDed comparisons were over SQLite's expression depth (a 500).
        let same: Vec<serde_json::Value> = (0..1000).map(|_| json!("APPROVED")).collect();
        let filter = Filter::parse(&json!({ "status": { "$hasAll": same } })).unwrap();
        assert_eq!(
            compile_filter(&filter, Dialect::Sqlite)
                .unwrap()
                .params
                .len(),
            1
        );
        let two =
            Filter::parse(&json!({ "status": { "$hasAll": ["APPROVED", "PENDING"] } })).unwrap();
        let sql = compile_filter(&two, Dialect::Sqlite).unwrap();
        assert!(sql.text.contains("1 = 0") && sql.params.is_empty());
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_escape("50%_off\\"), "50\\%\\_off\\\\");
    }
}
