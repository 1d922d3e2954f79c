//! JS values ⇄ JSON for the core.
//!
//! In: `JSON.stringify` semantics, so `Date` arguments become ISO strings and
//! `undefined` disappears; but NaN and ±Infinity, which it would turn into `null`
//! without a word, are refused naming where they are. Out: `JSON.parse` of serde_json's text (plain objects,
//! never `Map`), with the date fields of SPEC §1 turned into JS `Date`s.
//!
//! JSON text rather than serde-wasm-bindgen (which DESIGN.md names): measured on
//! the same values, text is 1.9–6.6× faster on every path (`bench/boundary.mjs`,
//! the `boundary` section of bench/RESULTS.md).

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
    if text.contains("null") {
        if let Some(path) = non_finite_path(value) {
            // Option bags are named by their keys, as the core names their fields.
            let field = match (argument, path.as_str()) {
                (_, "") => argument.to_string(),
                ("options" | "request", _) => path,
                _ => crate::model::decode::join_path(argument, &path),
            };
            return Err(MembersError::invalid_field(
                &field,
                "TYPE",
                "must be a finite number (NaN and Infinity have no JSON form)",
            ));
        }
    }
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

#[wasm_bindgen(module = "/src/wasm/non_finite.js")]
extern "C" {
    #[wasm_bindgen(js_name = nonFinitePath)]
    fn non_finite_path_js(value: &JsValue) -> JsValue;
}

/// Where `value` holds NaN or ±Infinity, if anywhere.
fn non_finite_path(value: &JsValue) -> Option<String> {
    non_finite_path_js(value).as_string()
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
