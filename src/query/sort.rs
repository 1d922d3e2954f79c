//! Sorting (SPEC §7): fields in order, each ascending or descending, ties always
//! broken by `_id` so every order is total and paging never repeats a member.

use super::field::{Field, FieldValue};
use super::filter::compare_scalars;
use crate::model::{Member, MembersError, MembersResult};
use serde_json::Value;
use std::cmp::Ordering;

/// Direction of one sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Asc,
    Desc,
}

/// One sort key.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub field: Field,
    pub order: Order,
}

/// A whole order: the keys, then `_id` ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    pub keys: Vec<SortKey>,
}

/// Most sort keys.
pub const MAX_SORT_KEYS: usize = 8;

impl Default for Sort {
    /// `_createdDate` descending (SPEC §7).
    fn default() -> Self {
        Sort {
            keys: vec![SortKey {
                field: Field::CreatedDate,
                order: Order::Desc,
            }],
        }
    }
}

impl Sort {
    /// Parses `[{ fieldName, order }]`; `null` or `[]` is the default order.
    pub fn parse(value: &Value, context: &str) -> MembersResult<Sort> {
        let list = match value {
            Value::Null => return Ok(Sort::default()),
            Value::Array(list) if list.is_empty() => return Ok(Sort::default()),
            Value::Array(list) => list,
            _ => {
                return Err(MembersError::invalid_filter(
                    context,
                    "must be an array of { fieldName, order }",
                ))
            }
        };
        if list.len() > MAX_SORT_KEYS {
            return Err(MembersError::invalid_filter(
                context,
                format!("may have at most {MAX_SORT_KEYS} keys"),
            ));
        }
        let keys = list
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let at = format!("{context}[{i}]");
                super::only_keys(item, &["fieldName", "order"], &at)?;
                let name = item["fieldName"].as_str().ok_or_else(|| {
                    MembersError::invalid_filter(&format!("{at}.fieldName"), "is required")
                })?;
                let order = match item.get("order").map(|o| o.as_str().ok_or(o)) {
                    None | Some(Ok("ASC")) => Order::Asc,
                    Some(Ok("DESC")) => Order::Desc,
                    Some(other) => {
                        let other = match other {
                            Ok(text) => format!("{text:?}"),
                            Err(value) => value.to_string(),
                        };
                        return Err(MembersError::invalid_filter(
                            &format!("{at}.order"),
                            format!("must be ASC or DESC, got {other}"),
                        ));
                    }
                };
                Ok(SortKey {
                    field: Field::parse(name, "sort")?,
                    order,
                })
            })
            .collect::<MembersResult<Vec<_>>>()?;
        Ok(Sort { keys })
    }

    /// Compares two members in this order, `_id` last.
    pub fn compare(&self, a: &Member, b: &Member) -> Ordering {
        for key in &self.keys {
            let ordering = compare_values(&key.field.value_of(a), &key.field.value_of(b));
            let ordering = match key.order {
                Order::Asc => ordering,
                Order::Desc => ordering.reverse(),
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        a.id.cmp(&b.id)
    }
}

/// Missing sorts first; arrays sort by their first element; values of different
/// types order by type so the order stays total.
pub fn compare_values(a: &FieldValue, b: &FieldValue) -> Ordering {
    use super::field::Scalar;
    fn first<'v, 'a>(v: &'v FieldValue<'a>) -> Option<&'v Scalar<'a>> {
        match v {
            FieldValue::Missing => None,
            FieldValue::One(s) => Some(s),
            FieldValue::Many(many) => many.first(),
        }
    }
    fn rank(s: &Scalar) -> u8 {
        match s {
            Scalar::Bool(_) => 0,
            Scalar::Number(_) => 1,
            Scalar::Text(_) => 2,
            Scalar::Date(_) => 3,
        }
    }
    match (first(a), first(b)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => compare_scalars(x, y).unwrap_or_else(|| rank(x).cmp(&rank(y))),
    }
}
