//! Free-text search (SPEC §7): a case-insensitive substring in any of up to four
//! fields, ANDed with the filter. It becomes an ordinary `$or` of `$contains`.

use super::field::Field;
use super::filter::{Condition, Filter};
use crate::model::text::fold;
use crate::model::{MembersError, MembersResult};
use serde_json::Value;

/// Longest search expression.
pub const MAX_EXPRESSION: usize = 100;
/// Most search fields.
pub const MAX_SEARCH_FIELDS: usize = 4;

/// A parsed search.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub expression: String,
    pub fields: Vec<Field>,
}

impl Search {
    /// Parses `{ expression, fields }`; `null` means no search.
    pub fn parse(value: &Value) -> MembersResult<Option<Search>> {
        if value.is_null() {
            return Ok(None);
        }
        if let Some(unknown) = value.as_object().and_then(|map| {
            map.keys()
                .find(|k| !["expression", "fields"].contains(&k.as_str()))
        }) {
            return Err(MembersError::invalid_filter(
                &format!("search.{unknown}"),
                "is not a field of search (expression, fields)",
            ));
        }
        let Some(expression) = value["expression"].as_str() else {
            return Err(MembersError::invalid_filter(
                "search.expression",
                "is required and must be a string",
            ));
        };
        let length = expression.chars().count();
        if !(1..=MAX_EXPRESSION).contains(&length) {
            return Err(MembersError::invalid_filter(
                "search.expression",
                format!("must be 1 to {MAX_EXPRESSION} characters (got {length})"),
            ));
        }
        let fields = match &value["fields"] {
            Value::Null => vec![Field::Nickname],
            Value::Array(list) if list.is_empty() => vec![Field::Nickname],
            Value::Array(list) => {
                if list.len() > MAX_SEARCH_FIELDS {
                    return Err(MembersError::invalid_filter(
                        "search.fields",
                        format!(
                            "may name at most {MAX_SEARCH_FIELDS} fields (got {})",
                            list.len()
                        ),
                    ));
                }
                list.iter()
                    .map(|name| {
                        let name = name.as_str().unwrap_or_default();
                        let field = Field::parse(name, "search")?;
                        let searchable = matches!(
                            field,
                            Field::LoginEmail
                                | Field::FirstName
                                | Field::LastName
                                | Field::Nickname
                                | Field::Slug
                                | Field::Title
                        );
                        if searchable {
                            Ok(field)
                        } else {
                            Err(MembersError::invalid_filter(
                                name,
                                format!("{name:?} can not be searched"),
                            ))
                        }
                    })
                    .collect::<MembersResult<Vec<_>>>()?
            }
            _ => {
                return Err(MembersError::invalid_filter(
                    "search.fields",
                    "must be an array of field names",
                ))
            }
        };
        Ok(Some(Search {
            expression: expression.to_string(),
            fields,
        }))
    }

    /// The search as a filter.
    pub fn to_filter(&self) -> Filter {
        let pattern = fold(&self.expression);
        Filter::Or(
            self.fields
                .iter()
                .map(|f| Filter::Match(f.clone(), Condition::Contains(pattern.clone())))
                .collect(),
        )
    }
}
