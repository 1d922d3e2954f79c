//! The filter parser (`Filter::parse`, SPEC §7): Wix filter JSON → the query's
//! filter.
//!
//! Properties: a refused filter names the field at fault; an accepted one,
//! written back as Wix JSON, parses to the same filter (so nothing the parser
//! keeps is lost or changed, dates and folded patterns included); and it
//! compiles to SQL in both dialects and evaluates on a member without a panic.

use super::{assert_names_a_field, json_of};
use serde_json::{json, Map, Value};
use std::sync::OnceLock;
use universal_members::model::Member;
use universal_members::query::sql::{split_filter, Dialect};
use universal_members::query::{Condition, Filter, Scalar};

/// Checks one fuzz input: a JSON document taken as a filter.
pub fn check(data: &[u8]) {
    let Some(value) = json_of(data) else { return };
    let filter = match Filter::parse(&value) {
        Ok(filter) => filter,
        Err(error) => return assert_names_a_field(&error, None),
    };
    let encoded = encode(&filter);
    match Filter::parse(&encoded) {
        Ok(again) => assert_eq!(again, filter, "{value} re-encoded as {encoded}"),
        Err(error) => panic!("{value} re-encoded as {encoded} is refused: {error:?}"),
    }
    for dialect in [Dialect::Sqlite, Dialect::Postgres] {
        let _ = split_filter(&filter, dialect);
    }
    for member in members() {
        let _ = filter.matches(member);
    }
}

/// A filter as Wix JSON: the inverse of `Filter::parse`.
pub fn encode(filter: &Filter) -> Value {
    match filter {
        Filter::All => json!({}),
        Filter::And(parts) => json!({ "$and": parts.iter().map(encode).collect::<Vec<_>>() }),
        Filter::Or(parts) => json!({ "$or": parts.iter().map(encode).collect::<Vec<_>>() }),
        Filter::Not(inner) => json!({ "$not": encode(inner) }),
        Filter::Match(field, condition) => {
            let (op, value) = encode_condition(condition);
            let mut ops = Map::new();
            ops.insert(op.to_string(), value);
            let mut object = Map::new();
            object.insert(field.name(), Value::Object(ops));
            Value::Object(object)
        }
    }
}

fn encode_condition(condition: &Condition) -> (&'static str, Value) {
    let list = |values: &[Scalar]| Value::Array(values.iter().map(scalar).collect());
    let optional = |value: &Option<Scalar>| value.as_ref().map_or(Value::Null, scalar);
    match condition {
        Condition::Eq(value) => ("$eq", optional(value)),
        Condition::Ne(value) => ("$ne", optional(value)),
        Condition::Gt(value) => ("$gt", scalar(value)),
        Condition::Ge(value) => ("$gte", scalar(value)),
        Condition::Lt(value) => ("$lt", scalar(value)),
        Condition::Le(value) => ("$lte", scalar(value)),
        Condition::In(values) => ("$in", list(values)),
        Condition::Nin(values) => ("$nin", list(values)),
        Condition::HasSome(values) => ("$hasSome", list(values)),
        Condition::HasAll(values) => ("$hasAll", list(values)),
        Condition::Exists(exists) => ("$exists", Value::Bool(*exists)),
        Condition::StartsWith(pattern) => ("$startsWith", json!(pattern)),
        Condition::EndsWith(pattern) => ("$endsWith", json!(pattern)),
        Condition::Contains(pattern) => ("$contains", json!(pattern)),
    }
}

fn scalar(value: &Scalar) -> Value {
    match value {
        Scalar::Bool(b) => json!(b),
        Scalar::Number(n) => json!(n),
        Scalar::Text(text) => json!(text),
        Scalar::Date(date) => json!(date.to_string()),
    }
}

/// Members to evaluate filters on: a bare one and one with every field set.
fn members() -> &'static [Member] {
    static MEMBERS: OnceLock<Vec<Member>> = OnceLock::new();
    MEMBERS.get_or_init(|| {
        [
            super::member_input::bare_member(),
            super::member_input::full_member(),
        ]
        .to_vec()
    })
}
