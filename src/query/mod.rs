//! Queries (SPEC §7): filter, sort, paging and search, parsed from the Wix query
//! JSON and evaluated in memory.
//!
//! Knows the member model only; nothing of stores, callers or JS.

pub mod compiled;
pub mod cursor;
pub mod field;
pub mod filter;
pub mod row;
pub mod search;
pub mod sort;
pub mod sql;

pub use compiled::RowFilter;
pub use field::{Field, FieldKind, FieldValue, Scalar};
pub use filter::{Condition, Filter};
pub use row::MemberRow;
pub use search::Search;
pub use sort::{Order, Sort, SortKey};

use crate::model::{MembersError, MembersResult};
use serde_json::Value;

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest page size.
pub const MAX_LIMIT: u32 = 100;

/// Which page to return: by offset, or after a cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    pub limit: u32,
    pub offset: u64,
    /// An opaque cursor from a previous result (`cursors.next`).
    pub cursor: Option<String>,
}

impl Paging {
    /// The offset as an index into a list. On wasm32 a `u64` offset past 2³²
    /// would wrap to the first pages with `as usize`; it saturates instead, so
    /// a huge offset is past the end, as the caller asked.
    pub fn offset_index(&self) -> usize {
        usize::try_from(self.offset).unwrap_or(usize::MAX)
    }
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            limit: DEFAULT_LIMIT,
            offset: 0,
            cursor: None,
        }
    }
}

impl Paging {
    /// Parses `{ limit, offset }`; `context` names it in errors (`paging`).
    pub fn parse(value: &Value, context: &str) -> MembersResult<Paging> {
        let mut paging = Paging::default();
        if value.is_null() {
            return Ok(paging);
        }
        if !value.is_object() {
            return Err(MembersError::invalid_filter(
                context,
                "must be { limit, offset }",
            ));
        }
        only_keys(value, &["limit", "offset", "cursor"], context)?;
        let number = |name: &str| -> MembersResult<Option<i64>> {
            match &value[name] {
                Value::Null => Ok(None),
                v => v
                    .as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                    .map(Some)
                    .ok_or_else(|| {
                        MembersError::invalid_filter(
                            &format!("{context}.{name}"),
                            "must be an integer",
                        )
                    }),
            }
        };
        if let Some(limit) = number("limit")? {
            if !(1..=i64::from(MAX_LIMIT)).contains(&limit) {
                return Err(MembersError::invalid_filter(
                    &format!("{context}.limit"),
                    format!("must be 1 to {MAX_LIMIT} (got {limit})"),
                ));
            }
            paging.limit = limit as u32;
        }
        if let Some(offset) = number("offset")? {
            if offset < 0 {
                return Err(MembersError::invalid_filter(
                    &format!("{context}.offset"),
                    format!("must not be negative (got {offset})"),
                ));
            }
            paging.offset = offset as u64;
        }
        match &value["cursor"] {
            Value::Null => {}
            Value::String(cursor) if paging.offset == 0 => paging.cursor = Some(cursor.clone()),
            Value::String(_) => {
                return Err(MembersError::invalid_filter(
                    &format!("{context}.cursor"),
                    "can not be combined with an offset",
                ))
            }
            _ => {
                return Err(MembersError::invalid_filter(
                    &format!("{context}.cursor"),
                    "must be a string from cursors.next",
                ))
            }
        }
        Ok(paging)
    }
}

/// A whole query, as the service hands it to a store (visibility already ANDed in).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub filter: Filter,
    pub sort: Sort,
    /// Limit and offset (a cursor is already turned into the filter).
    pub paging: Paging,
    /// Whether the store must count every match (`Page::total`); cursor pages
    /// count separately and skip it.
    pub with_total: bool,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            filter: Filter::All,
            sort: Sort::default(),
            paging: Paging::default(),
            with_total: true,
        }
    }
}

/// What a caller asked for, before the service adds visibility.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryRequest {
    pub filter: Filter,
    pub sort: Sort,
    pub paging: Paging,
    pub search: Option<Search>,
}

impl QueryRequest {
    /// Parses `{ filter, sort | sorting, paging }` plus a separate `search`.
    pub fn parse(query: &Value, search: &Value) -> MembersResult<QueryRequest> {
        if !(query.is_null() || query.is_object()) {
            return Err(MembersError::invalid_filter("query", "must be an object"));
        }
        only_keys(query, &["filter", "sort", "sorting", "paging"], "query")?;
        // Wix clients send `sorting`, the SDK `sort`: both are read, and the one
        // that names keys wins (an empty list is no order).
        let sort = Sort::parse(&query["sort"], "sort")?;
        let sorting = Sort::parse(&query["sorting"], "sorting")?;
        let named = |value: &Value| value.as_array().is_some_and(|keys| !keys.is_empty());
        Ok(QueryRequest {
            filter: Filter::parse(&query["filter"])?,
            sort: if named(&query["sort"]) || !named(&query["sorting"]) {
                sort
            } else {
                sorting
            },
            paging: Paging::parse(&query["paging"], "paging")?,
            search: Search::parse(search)?,
        })
    }

    /// The first admin-only field this request reads, if any.
    pub fn admin_only_field(&self) -> Option<String> {
        let filter_fields = self.filter.fields().into_iter();
        let sort_fields = self.sort.keys.iter().map(|k| &k.field);
        let search_fields = self.search.iter().flat_map(|s| s.fields.iter());
        filter_fields
            .chain(sort_fields)
            .chain(search_fields)
            .find(|f| f.is_admin_only())
            .map(Field::name)
    }

    /// The filter with the search folded in.
    pub fn combined_filter(&self) -> Filter {
        match &self.search {
            Some(search) => self.filter.clone().and(search.to_filter()),
            None => self.filter.clone(),
        }
    }
}

/// Refuses a key of a query object that the query language does not have, by
/// name, so a typo (`"limt"`) is not silently ignored (SPEC §2).
pub fn only_keys(value: &Value, known: &[&str], context: &str) -> MembersResult<()> {
    match value
        .as_object()
        .and_then(|map| map.keys().find(|key| !known.contains(&key.as_str())))
    {
        Some(unknown) => Err(MembersError::invalid_filter(
            &format!("{context}.{unknown}"),
            format!("is not a field of {context} ({})", known.join(", ")),
        )),
        None => Ok(()),
    }
}
