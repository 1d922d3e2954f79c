//! JS values ⇄ JSON for the core.
//!
//! In: `JSON.stringify` semantics, so `Date` arguments become ISO strings and
//! `undefined` disappears. Out: plain objects (json_compatible, never `Map`), with
//! the date fields of SPEC §1 turned into JS `Date`s.

use js_sys::{Array, Date, Object, Reflect, JSON};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};

use crate::model::{MembersError, MembersResult};

/// Keys whose string values are dates in the SDK naming.
const DATE_KEYS: [&str; 4] = ["_createdDate", "_updatedDate", "lastLoginDate", "eventTime"];

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

/// JSON as a plain JS value, with date fields as `Date`.
pub fn to_js(value: &Value) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let js = value.serialize(&serializer).unwrap_or(JsValue::NULL);
    revive_dates(&js);
    js
}

/// Replaces ISO strings under the date keys with `Date`s, at any depth but inside
/// custom fields (user data).
fn revive_dates(value: &JsValue) {
    if Array::is_array(value) {
        for item in Array::from(value).iter() {
            revive_dates(&item);
        }
        return;
    }
    let Some(object) = value.dyn_ref::<Object>() else {
        return;
    };
    for key in Object::keys(object).iter() {
        let Some(name) = key.as_string() else {
            continue;
        };
        if name == "customFields" {
            continue;
        }
        let Ok(inner) = Reflect::get(object, &key) else {
            continue;
        };
        if DATE_KEYS.contains(&name.as_str()) {
            if let Some(text) = inner.as_string() {
                let _ = Reflect::set(object, &key, &Date::new(&JsValue::from_str(&text)));
            }
        } else if inner.is_object() {
            revive_dates(&inner);
        }
    }
}
