//! The filter AST, parsed from the Wix JSON filter language (SPEC §7), and its
//! evaluation against a member in memory.
//!
//! Parsing checks every field, operator and value type, so an evaluator (memory or
//! SQL) only ever sees a well-typed tree.

use super::field::{json_scalar, Field, FieldKind, FieldValue, Scalar};
use crate::model::text::fold;
use crate::model::{Member, MembersError, MembersResult, Timestamp};
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// One comparison of a field with given values.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Equal; `None` matches a missing or empty field.
    Eq(Option<Scalar<'static>>),
    /// Not `Eq`.
    Ne(Option<Scalar<'static>>),
    Gt(Scalar<'static>),
    Ge(Scalar<'static>),
    Lt(Scalar<'static>),
    Le(Scalar<'static>),
    In(Vec<Scalar<'static>>),
    Nin(Vec<Scalar<'static>>),
    HasSome(Vec<Scalar<'static>>),
    HasAll(Vec<Scalar<'static>>),
    Exists(bool),
    /// Case-insensitive; the pattern is stored folded.
    StartsWith(String),
    EndsWith(String),
    Contains(String),
}

/// A filter: conditions combined with and/or/not.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Filter {
    /// Matches everything.
    #[default]
    All,
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Match(Field, Condition),
}

/// Most values one `$in`-like operator may list.
pub const MAX_LIST_VALUES: usize = 1000;

impl Filter {
    /// Parses a Wix JSON filter; `null` or `{}` matches everything.
    pub fn parse(value: &Value) -> MembersResult<Filter> {
        match value {
            Value::Null => Ok(Filter::All),
            Value::Object(map) => parse_object(map),
            _ => Err(MembersError::invalid_filter(
                "filter",
                "must be an object like { \"field\": { \"$eq\": value } }",
            )),
        }
    }

    /// ANDs two filters, flattening where it can.
    pub fn and(self, other: Filter) -> Filter {
        match (self, other) {
            (Filter::All, f) | (f, Filter::All) => f,
            (Filter::And(mut a), Filter::And(b)) => {
                a.extend(b);
                Filter::And(a)
            }
            (Filter::And(mut a), f) => {
                a.push(f);
                Filter::And(a)
            }
            (f, Filter::And(mut b)) => {
                b.insert(0, f);
                Filter::And(b)
            }
            (a, b) => Filter::And(vec![a, b]),
        }
    }

    /// The conditions that every match must meet (top-level ANDs): what an index can
    /// serve.
    pub fn required(&self) -> Vec<(&Field, &Condition)> {
        match self {
            Filter::Match(field, condition) => vec![(field, condition)],
            Filter::And(parts) => parts.iter().flat_map(Filter::required).collect(),
            _ => Vec::new(),
        }
    }

    /// Every field the filter reads.
    pub fn fields(&self) -> Vec<&Field> {
        match self {
            Filter::All => Vec::new(),
            Filter::And(parts) | Filter::Or(parts) => {
                parts.iter().flat_map(Filter::fields).collect()
            }
            Filter::Not(inner) => inner.fields(),
            Filter::Match(field, _) => vec![field],
        }
    }

    /// True when the member matches.
    pub fn matches(&self, member: &Member) -> bool {
        match self {
            Filter::All => true,
            Filter::And(parts) => parts.iter().all(|f| f.matches(member)),
            Filter::Or(parts) => parts.iter().any(|f| f.matches(member)),
            Filter::Not(inner) => !inner.matches(member),
            Filter::Match(field, condition) => condition.holds(&field.value_of(member)),
        }
    }
}

fn parse_object(map: &Map<String, Value>) -> MembersResult<Filter> {
    let mut parts = Vec::new();
    for (key, value) in map {
        parts.push(match key.as_str() {
            "$and" | "$or" => {
                let list = value.as_array().ok_or_else(|| {
                    MembersError::invalid_filter(key, "must be an array of filters")
                })?;
                let filters = list
                    .iter()
                    .map(|item| sub_filter(key, item))
                    .collect::<MembersResult<Vec<_>>>()?;
                if key == "$and" {
                    Filter::And(filters)
                } else {
                    Filter::Or(filters)
                }
            }
            "$not" => Filter::Not(Box::new(sub_filter(key, value)?)),
            op if op.starts_with('$') => {
                return Err(MembersError::invalid_filter(
                    op,
                    format!("{op:?} is not a logical operator ($and, $or, $not)"),
                ))
            }
            name => parse_field_filter(Field::parse(name, "filter")?, value)?,
        });
    }
    Ok(match parts.len() {
        0 => Filter::All,
        1 => parts.remove(0),
        _ => Filter::And(parts),
    })
}

/// A filter inside `$and`, `$or` or `$not`: an object (a `null` there is no filter).
fn sub_filter(operator: &str, value: &Value) -> MembersResult<Filter> {
    match value {
        Value::Object(map) => parse_object(map),
        _ => Err(MembersError::invalid_filter(
            operator,
            "must hold filter objects like { \"field\": value }",
        )),
    }
}

/// `{ field: value }` or `{ field: { $op: value, ... } }`.
fn parse_field_filter(field: Field, value: &Value) -> MembersResult<Filter> {
    let Value::Object(ops) = value else {
        return Ok(Filter::Match(
            field.clone(),
            parse_condition(&field, "$eq", value)?,
        ));
    };
    if ops.is_empty() || !ops.keys().all(|k| k.starts_with('$')) {
        return Err(MembersError::invalid_filter(
            &field.name(),
            "must be compared with a value or with operators like { \"$eq\": value }",
        ));
    }
    let mut parts = ops
        .iter()
        .map(|(op, v)| {
            Ok(Filter::Match(
                field.clone(),
                parse_condition(&field, op, v)?,
            ))
        })
        .collect::<MembersResult<Vec<_>>>()?;
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        Filter::And(parts)
    })
}

fn parse_condition(field: &Field, op: &str, value: &Value) -> MembersResult<Condition> {
    let name = field.name();
    let kind = field.kind();
    let refuse = |why: String| Err(MembersError::invalid_filter(&name, why));
    let ordered = !matches!(kind, FieldKind::Enum(_));
    let textual = matches!(kind, FieldKind::Text | FieldKind::Any);
    match op {
        "$eq" | "$ne" => {
            let scalar = if value.is_null() {
                None
            } else {
                Some(typed_value(field, value)?)
            };
            Ok(if op == "$eq" {
                Condition::Eq(scalar)
            } else {
                Condition::Ne(scalar)
            })
        }
        "$gt" | "$gte" | "$lt" | "$lte" => {
            if !ordered {
                return refuse(format!("{op} can not be used on {name}: it has no order"));
            }
            let scalar = typed_value(field, value)?;
            Ok(match op {
                "$gt" => Condition::Gt(scalar),
                "$gte" => Condition::Ge(scalar),
                "$lt" => Condition::Lt(scalar),
                _ => Condition::Le(scalar),
            })
        }
        "$in" | "$nin" | "$hasSome" | "$hasAll" => {
            let Some(list) = value.as_array() else {
                return refuse(format!("{op} needs an array of values"));
            };
            if list.len() > MAX_LIST_VALUES {
                return refuse(format!("{op} may list at most {MAX_LIST_VALUES} values"));
            }
            let values = list
                .iter()
                .map(|v| typed_value(field, v))
                .collect::<MembersResult<Vec<_>>>()?;
            Ok(match op {
                "$in" => Condition::In(values),
                "$nin" => Condition::Nin(values),
                "$hasSome" => Condition::HasSome(values),
                _ => Condition::HasAll(values),
            })
        }
        "$exists" => match value {
            Value::Bool(b) => Ok(Condition::Exists(*b)),
            _ => refuse("$exists needs true or false".into()),
        },
        "$startsWith" | "$endsWith" | "$contains" => {
            if !textual {
                return refuse(format!(
                    "{op} can only be used on text fields, not on {name}"
                ));
            }
            let Some(text) = value.as_str() else {
                return refuse(format!("{op} needs a string"));
            };
            let pattern = fold(text);
            Ok(match op {
                "$startsWith" => Condition::StartsWith(pattern),
                "$endsWith" => Condition::EndsWith(pattern),
                _ => Condition::Contains(pattern),
            })
        }
        _ => refuse(format!("{op:?} is not a known operator")),
    }
}

/// A filter value checked against the field's kind.
fn typed_value(field: &Field, value: &Value) -> MembersResult<Scalar<'static>> {
    let name = field.name();
    let wrong = |expected: &str| {
        MembersError::invalid_filter(&name, format!("needs {expected}, got {value}"))
    };
    match field.kind() {
        FieldKind::Text => value
            .as_str()
            .map(Scalar::text)
            .ok_or_else(|| wrong("a string")),
        FieldKind::Enum(names) => match value.as_str() {
            Some(s) if names.contains(&s) => Ok(Scalar::text(s)),
            _ => Err(wrong(&format!("one of {}", names.join(", ")))),
        },
        FieldKind::Date => value
            .as_str()
            .and_then(Timestamp::parse)
            .map(Scalar::Date)
            .ok_or_else(|| wrong("an ISO-8601 date")),
        FieldKind::Any => json_scalar(value)
            .map(Scalar::into_owned)
            .ok_or_else(|| wrong("a string, number or boolean")),
    }
}

/// Orders two values of the same type; values of different types do not compare.
pub fn compare_scalars(a: &Scalar, b: &Scalar) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Text(a), Scalar::Text(b)) => Some(a.cmp(b)),
        (Scalar::Number(a), Scalar::Number(b)) => a.partial_cmp(b),
        (Scalar::Date(a), Scalar::Date(b)) => Some(a.cmp(b)),
        (Scalar::Bool(a), Scalar::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn elements<'v, 'a>(value: &'v FieldValue<'a>) -> &'v [Scalar<'a>] {
    match value {
        FieldValue::Missing => &[],
        FieldValue::One(one) => std::slice::from_ref(one),
        FieldValue::Many(many) => many,
    }
}

fn equal(a: &Scalar, b: &Scalar) -> bool {
    compare_scalars(a, b) == Some(Ordering::Equal)
}

impl Condition {
    /// True when a field holding `value` meets the condition.
    pub fn holds(&self, value: &FieldValue) -> bool {
        let items = elements(value);
        let any = |test: &dyn Fn(&Scalar) -> bool| items.iter().any(test);
        let is_null = match value {
            FieldValue::Missing => true,
            FieldValue::One(Scalar::Text(s)) => s.is_empty(),
            FieldValue::Many(many) => many.is_empty(),
            _ => false,
        };
        let ordered = |v: &Scalar, accept: &dyn Fn(Ordering) -> bool| {
            any(&|x| compare_scalars(x, v).is_some_and(accept))
        };
        // The test gets the text as stored; each folds it as it needs.
        let text = |test: &dyn Fn(&str) -> bool| any(&|x| matches!(x, Scalar::Text(s) if test(s)));
        match self {
            Condition::Eq(None) => is_null,
            Condition::Ne(None) => !is_null,
            Condition::Eq(Some(v)) => any(&|x| equal(x, v)),
            Condition::Ne(Some(v)) => !any(&|x| equal(x, v)),
            Condition::Gt(v) => ordered(v, &|o| o == Ordering::Greater),
            Condition::Ge(v) => ordered(v, &|o| o != Ordering::Less),
            Condition::Lt(v) => ordered(v, &|o| o == Ordering::Less),
            Condition::Le(v) => ordered(v, &|o| o != Ordering::Greater),
            Condition::In(list) | Condition::HasSome(list) => {
                any(&|x| list.iter().any(|v| equal(x, v)))
            }
            Condition::Nin(list) => !any(&|x| list.iter().any(|v| equal(x, v))),
            Condition::HasAll(list) => {
                !items.is_empty() && list.iter().all(|v| items.iter().any(|x| equal(x, v)))
            }
            Condition::Exists(expected) => !matches!(value, FieldValue::Missing) == *expected,
            Condition::StartsWith(p) => text(&|s| folded_starts_with(s, p)),
            Condition::EndsWith(p) => text(&|s| folded_ends_with(s, p)),
            Condition::Contains(p) => text(&|s| fold(s).contains(p.as_str())),
        }
    }
}

/// `fold(text).starts_with(folded)` without building the folded text.
fn folded_starts_with(text: &str, folded: &str) -> bool {
    let mut text = text.chars().flat_map(char::to_lowercase);
    folded.chars().all(|p| text.next() == Some(p))
}

/// `fold(text).ends_with(folded)` without building the folded text.
fn folded_ends_with(text: &str, folded: &str) -> bool {
    let mut text = text.chars().rev().flat_map(|c| c.to_lowercase().rev());
    folded.chars().rev().all(|p| text.next() == Some(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operators_on_one_field_and_keys_of_one_object_are_anded() {
        let filter = Filter::parse(&json!({
            "profile.nickname": { "$startsWith": "A", "$ne": "Al" },
            "status": "APPROVED"
        }))
        .unwrap();
        assert_eq!(filter.required().len(), 3);
    }

    #[test]
    fn text_operators_on_a_date_are_refused_naming_the_field() {
        let error =
            Filter::parse(&json!({ "_createdDate": { "$startsWith": "2024" } })).unwrap_err();
        assert_eq!(error.violations[0].field, "_createdDate");
    }

    #[test]
    fn an_unknown_operator_is_refused() {
        let error = Filter::parse(&json!({ "profile.nickname": { "$regex": "a" } })).unwrap_err();
        assert!(error.message.contains("$regex"));
        assert_eq!(error.application_code, "INVALID_FILTER");
    }

    #[test]
    fn wrong_value_types_are_refused() {
        for filter in [
            json!({ "profile.nickname": 5 }),
            json!({ "status": "SLEEPING" }),
            json!({ "_createdDate": { "$gt": "yesterday" } }),
            json!({ "_id": { "$in": "x" } }),
            json!({ "status": { "$gt": "APPROVED" } }),
            json!({ "$or": {} }),
        ] {
            assert!(Filter::parse(&filter).is_err(), "{filter}");
        }
    }

    #[test]
    fn null_equality_matches_missing_or_empty() {
        assert!(Condition::Eq(None).holds(&FieldValue::Missing));
        assert!(Condition::Eq(None).holds(&FieldValue::One(Scalar::text(""))));
        assert!(!Condition::Ne(None).holds(&FieldValue::Missing));
    }

    #[test]
    fn folded_prefix_and_suffix_match_the_folded_text() {
        assert!(folded_starts_with("ÀLBERT", &fold("àl")));
        assert!(folded_ends_with("ZOË", &fold("oë")));
        assert!(!folded_starts_with("Al", "alb"));
        assert!(!folded_ends_with("ë", "zoë"));
    }

    #[test]
    fn has_all_and_has_some_work_on_arrays() {
        let tags = FieldValue::Many(vec![Scalar::text("a"), Scalar::text("b")]);
        let t = Scalar::text;
        assert!(Condition::HasAll(vec![t("a"), t("b")]).holds(&tags));
        assert!(!Condition::HasAll(vec![t("a"), t("c")]).holds(&tags));
        assert!(Condition::HasSome(vec![t("c"), t("b")]).holds(&tags));
    }
}
