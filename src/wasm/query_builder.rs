//! `MembersQueryBuilder` and `MembersQueryResult` (SPEC §7). Each builder method
//! returns a new builder, so a builder can be reused. The builder only assembles
//! the Wix query JSON; the core parses and checks it when `find()` runs, exactly as
//! it does for a REST query.

use super::convert::{to_js, to_json, to_string_arg};
use super::eager::promise_now;
use super::error::to_js_error;
use super::members::{fieldsets_of, Members};
use crate::api::Operation;
use crate::model::{MembersError, MembersResult};
use js_sys::{Array, Promise};
use serde_json::{json, Map, Value};
use wasm_bindgen::prelude::*;

/// A query under construction. Start one with `members.queryMembers()`.
#[wasm_bindgen]
#[derive(Clone)]
pub struct MembersQueryBuilder {
    members: Members,
    options: Value,
    filters: Vec<Value>,
    sort: Vec<Value>,
    limit: Value,
    skip: Value,
    cursor: Value,
}

impl MembersQueryBuilder {
    pub(crate) fn new(members: Members, options: Value) -> Self {
        MembersQueryBuilder {
            members,
            options,
            filters: Vec::new(),
            sort: Vec::new(),
            limit: Value::Null,
            skip: Value::Null,
            cursor: Value::Null,
        }
    }

    /// The filter so far as Wix filter JSON.
    fn filter(&self) -> Value {
        match self.filters.len() {
            0 => json!({}),
            1 => self.filters[0].clone(),
            _ => json!({ "$and": self.filters }),
        }
    }

    /// The whole query as the wire sends it.
    fn query(&self) -> Value {
        json!({
            "filter": self.filter(),
            "sort": self.sort,
            "paging": { "limit": self.limit, "offset": self.skip, "cursor": self.cursor },
        })
    }

    fn with_filter(&self, filter: MembersResult<Value>) -> Result<MembersQueryBuilder, JsValue> {
        let mut next = self.clone();
        next.filters.push(filter.map_err(|e| to_js_error(&e))?);
        Ok(next)
    }

    fn condition(
        &self,
        field: JsValue,
        op: &str,
        value: &JsValue,
    ) -> Result<MembersQueryBuilder, JsValue> {
        self.with_filter((|| {
            let field = to_string_arg(&field, "field")?;
            let value = to_json(value, "value")?;
            let mut condition = Map::new();
            condition.insert(op.to_string(), value);
            let mut filter = Map::new();
            filter.insert(field, Value::Object(condition));
            Ok(Value::Object(filter))
        })())
    }

    fn sorted(&self, fields: &Array, order: &str) -> Result<MembersQueryBuilder, JsValue> {
        let mut next = self.clone();
        for field in fields.iter() {
            let name = to_string_arg(&field, "field").map_err(|e| to_js_error(&e))?;
            next.sort.push(json!({ "fieldName": name, "order": order }));
        }
        Ok(next)
    }

    fn page(&self, offset: u64) -> MembersQueryBuilder {
        let mut next = self.clone();
        next.skip = json!(offset);
        next
    }

    fn after(&self, cursor: &str) -> MembersQueryBuilder {
        let mut next = self.clone();
        next.cursor = json!(cursor);
        next
    }
}

#[wasm_bindgen]
impl MembersQueryBuilder {
    /// Field equals value (exact).
    pub fn eq(&self, field: JsValue, value: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$eq", &value)
    }

    /// Field does not equal value.
    pub fn ne(&self, field: JsValue, value: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$ne", &value)
    }

    /// Field is greater than value.
    pub fn gt(&self, field: JsValue, value: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$gt", &value)
    }

    /// Field is greater than or equal to value.
    pub fn ge(&self, field: JsValue, value: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$gte", &value)
    }

    /// Field is less than value.
    pub fn lt(&self, field: JsValue, value: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$lt", &value)
    }

    /// Field is less than or equal to value.
    pub fn le(&self, field: JsValue, value: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$lte", &value)
    }

    /// Field is one of the values.
    #[wasm_bindgen(js_name = "in")]
    pub fn in_(&self, field: JsValue, values: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$in", &values)
    }

    /// Field (or any element of an array field) is one of the values.
    #[wasm_bindgen(js_name = hasSome)]
    pub fn has_some(
        &self,
        field: JsValue,
        values: JsValue,
    ) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$hasSome", &values)
    }

    /// Array field holds all the values.
    #[wasm_bindgen(js_name = hasAll)]
    pub fn has_all(&self, field: JsValue, values: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$hasAll", &values)
    }

    /// Field starts with text, ignoring case.
    #[wasm_bindgen(js_name = startsWith)]
    pub fn starts_with(
        &self,
        field: JsValue,
        text: JsValue,
    ) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$startsWith", &text)
    }

    /// Field ends with text, ignoring case.
    #[wasm_bindgen(js_name = endsWith)]
    pub fn ends_with(&self, field: JsValue, text: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$endsWith", &text)
    }

    /// Field contains text, ignoring case.
    pub fn contains(&self, field: JsValue, text: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$contains", &text)
    }

    /// Field is set (`true`, the default) or not set (`false`).
    pub fn exists(&self, field: JsValue, exists: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        let exists = if exists.is_undefined() {
            JsValue::TRUE
        } else {
            exists
        };
        self.condition(field, "$exists", &exists)
    }

    /// Field is missing or empty.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self, field: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$eq", &JsValue::NULL)
    }

    /// Field is set and not empty.
    #[wasm_bindgen(js_name = isNotEmpty)]
    pub fn is_not_empty(&self, field: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field, "$ne", &JsValue::NULL)
    }

    /// `from <= field < to`.
    pub fn between(
        &self,
        field: JsValue,
        from: JsValue,
        to: JsValue,
    ) -> Result<MembersQueryBuilder, JsValue> {
        self.condition(field.clone(), "$gte", &from)?
            .condition(field, "$lt", &to)
    }

    /// This query AND another builder's filter.
    pub fn and(&self, other: &MembersQueryBuilder) -> Result<MembersQueryBuilder, JsValue> {
        self.with_filter(Ok(other.filter()))
    }

    /// This query's filter OR another builder's filter.
    pub fn or(&self, other: &MembersQueryBuilder) -> MembersQueryBuilder {
        let mut next = self.clone();
        next.filters = vec![json!({ "$or": [self.filter(), other.filter()] })];
        next
    }

    /// This query AND NOT another builder's filter.
    pub fn not(&self, other: &MembersQueryBuilder) -> Result<MembersQueryBuilder, JsValue> {
        self.with_filter(Ok(json!({ "$not": other.filter() })))
    }

    /// Sorts ascending by these fields, after any earlier sort.
    #[wasm_bindgen(variadic)]
    pub fn ascending(&self, fields: &Array) -> Result<MembersQueryBuilder, JsValue> {
        self.sorted(fields, "ASC")
    }

    /// Sorts descending by these fields, after any earlier sort.
    #[wasm_bindgen(variadic)]
    pub fn descending(&self, fields: &Array) -> Result<MembersQueryBuilder, JsValue> {
        self.sorted(fields, "DESC")
    }

    /// Page size, 1..100 (default 50).
    pub fn limit(&self, limit: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        let mut next = self.clone();
        next.limit = to_json(&limit, "limit").map_err(|e| to_js_error(&e))?;
        Ok(next)
    }

    /// Number of members to skip.
    pub fn skip(&self, skip: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        let mut next = self.clone();
        next.skip = to_json(&skip, "skip").map_err(|e| to_js_error(&e))?;
        Ok(next)
    }

    /// Continues after a cursor from `result.cursors.next` (**Beyond Wix**): pages
    /// cost the same however deep, and inserts never repeat or skip a member.
    pub fn cursor(&self, cursor: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        let mut next = self.clone();
        next.cursor = to_json(&cursor, "cursor").map_err(|e| to_js_error(&e))?;
        Ok(next)
    }

    /// Runs the query → `MembersQueryResult`.
    pub fn find(&self) -> Promise {
        let builder = self.clone();
        promise_now(async move {
            let operation =
                fieldsets_of(&builder.options).map(|fieldsets| Operation::QueryMembers {
                    query: builder.query(),
                    search: builder.options["search"].clone(),
                    fieldsets,
                });
            let operation = operation.map_err(|e| to_js_error(&e))?;
            let reply = builder
                .members
                .transport()
                .execute(builder.members.acting(), operation)
                .await;
            match reply {
                Ok(page) => Ok(MembersQueryResult::new(builder, &page).into()),
                Err(error) => Err(to_js_error(&error)),
            }
        })
    }

    /// Counts the members the query matches (all pages) → number.
    pub fn count(&self) -> Promise {
        let query = self.query();
        let search = self.options["search"].clone();
        self.members
            .run(move || Ok(Operation::CountMembers { query, search }))
    }
}

/// One page of a query's results.
#[wasm_bindgen]
pub struct MembersQueryResult {
    builder: MembersQueryBuilder,
    items: JsValue,
    length: usize,
    total: u64,
    limit: u32,
    offset: u64,
    next_cursor: Option<String>,
}

impl MembersQueryResult {
    /// A result from the `{ members, metadata }` a query answers, local or remote.
    fn new(builder: MembersQueryBuilder, page: &Value) -> Self {
        let members = &page["members"];
        let metadata = &page["metadata"];
        // The page size asked for: what the builder set, else the default.
        let limit = builder
            .limit
            .as_u64()
            .unwrap_or(u64::from(crate::query::DEFAULT_LIMIT)) as u32;
        MembersQueryResult {
            items: to_js(members),
            length: members.as_array().map_or(0, Vec::len),
            total: metadata["total"].as_u64().unwrap_or(0),
            limit,
            offset: metadata["offset"].as_u64().unwrap_or(0),
            next_cursor: metadata["cursors"]["next"].as_str().map(str::to_string),
            builder,
        }
    }
}

#[wasm_bindgen]
impl MembersQueryResult {
    /// The members of this page.
    #[wasm_bindgen(getter)]
    pub fn items(&self) -> JsValue {
        self.items.clone()
    }

    /// How many members this page holds.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.length
    }

    /// The page size asked for.
    #[wasm_bindgen(getter, js_name = pageSize)]
    pub fn page_size(&self) -> u32 {
        self.limit
    }

    /// How many members match in all.
    #[wasm_bindgen(getter, js_name = totalCount)]
    pub fn total_count(&self) -> f64 {
        self.total as f64
    }

    /// This page's number, from 0.
    #[wasm_bindgen(getter, js_name = currentPage)]
    pub fn current_page(&self) -> f64 {
        (self.offset / u64::from(self.limit.max(1))) as f64
    }

    /// How many pages there are.
    #[wasm_bindgen(getter, js_name = totalPages)]
    pub fn total_pages(&self) -> f64 {
        self.total.div_ceil(u64::from(self.limit.max(1))) as f64
    }

    /// The builder that made this result.
    #[wasm_bindgen(getter)]
    pub fn query(&self) -> MembersQueryBuilder {
        self.builder.clone()
    }

    /// `{ next, prev }`: `next` continues after this page with `builder.cursor()`
    /// (`null` on the last page); `prev` is always `null` (cursors go forward).
    #[wasm_bindgen(getter)]
    pub fn cursors(&self) -> JsValue {
        to_js(&json!({ "next": self.next_cursor, "prev": null }))
    }

    fn by_cursor(&self) -> bool {
        !self.builder.cursor.is_null()
    }

    /// True when a later page exists.
    #[wasm_bindgen(js_name = hasNext)]
    pub fn has_next(&self) -> bool {
        // No cursor is made for custom-field orders: fall back to counting.
        self.next_cursor.is_some()
            || (!self.by_cursor() && self.offset + (self.length as u64) < self.total)
    }

    /// True when an earlier page exists (offset paging only).
    #[wasm_bindgen(js_name = hasPrev)]
    pub fn has_prev(&self) -> bool {
        !self.by_cursor() && self.offset > 0
    }

    /// The next page → `MembersQueryResult`.
    pub fn next(&self) -> Promise {
        if !self.has_next() {
            return Promise::reject(&to_js_error(&MembersError::new(
                crate::model::ErrorCode::FailedPrecondition,
                "NO_NEXT_PAGE",
                "there is no next page (check hasNext() first)",
            )));
        }
        match (&self.next_cursor, self.by_cursor()) {
            (Some(cursor), true) => self.builder.after(cursor).find(),
            _ => self
                .builder
                .page(self.offset + u64::from(self.limit))
                .find(),
        }
    }

    /// The previous page → `MembersQueryResult`.
    pub fn prev(&self) -> Promise {
        if !self.has_prev() {
            return Promise::reject(&to_js_error(&MembersError::new(
                crate::model::ErrorCode::FailedPrecondition,
                "NO_PREVIOUS_PAGE",
                "there is no previous page (check hasPrev() first)",
            )));
        }
        self.builder
            .page(self.offset.saturating_sub(u64::from(self.limit)))
            .find()
    }
}
