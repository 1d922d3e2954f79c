//! JS values ⇄ JSON for the core.
//!
//! In: `JSON.stringify` semantics, so `Date` arguments become ISO strings and
//! `undefined` disappears. Out: `JSON.parse` of serde_json's text (plain objects,
//! never `Map`), with the date fields of SPEC §1 turned into JS `Date`s.

use js_sys::JSON;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::model::{MembersError, MembersResult};

/// A JS argument as JSON; `undefined` and `null` are `Value::Null`.
pub fn to_json(value: &JsValue, argument: &str) -> MembersResult<Value> {
    if value.is_undefined() || value.is_null() {
        return Ok(Value::Null);
    }
    let text = JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| {
            MembersError::invalid_field(argument, "TYPE", "can not be converted to JSON")
        })?;
    serde_json::from_str(&text).map_err(|e| {
        MembersError::invalid_field(argument, "TYPE", format!("is not valid JSON: {e}"))
    })
}

/// A JS argument that must be a string (an id, a slug).
pub fn to_string_arg(value: &JsValue, argument: &str) -> MembersResult<String> {
    value
        .as_string()
        .ok_or_else(|| MembersError::invalid_field(argument, "REQUIRED_FIELD", "must be a string"))
}

#[wasm_bindgen(module = "/src/wasm/revive.js")]
extern "C" {
    #[wasm_bindgen(js_name = reviveDates)]
    fn revive_dates(value: JsValue) -> JsValue;
}

/// JSON as a plain JS value, with date fields as `Date`. One string crosses the
/// boundary and `JSON.parse` builds the objects: much cheaper than building them
/// key by key from wasm.
pub fn to_js(value: &Value) -> JsValue {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".to_string());
    revive_dates(JSON::parse(&text).unwrap_or(JsValue::NULL))
}
