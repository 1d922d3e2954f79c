//! Both ways across the wasm boundary for the same `serde_json::Value`s the core
//! takes and gives: `*_json` as the core does it (`JSON.stringify` → text →
//! `serde_json`; `serde_json` → text → `JSON.parse`), `*_swb` through
//! serde-wasm-bindgen (a walk of the JS object from wasm; objects built from wasm
//! key by key). Each export does its crossing `times` times, so a call's own cost
//! is a small part of what is timed.

use js_sys::JSON;
use serde::Serialize;
use serde_json::Value;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The values results are made from, set once by `prepare`.
    static PREPARED: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
}

/// Keeps `json` (text) as prepared value number `n` (the returned index).
#[wasm_bindgen]
pub fn prepare(json: &str) -> usize {
    let value: Value = serde_json::from_str(json).expect("prepared JSON");
    PREPARED.with(|all| {
        all.borrow_mut().push(value);
        all.borrow().len() - 1
    })
}

/// Argument in, the core's way: `times` × (stringify in JS, parse in wasm); a size so nothing is optimised away.
#[wasm_bindgen]
pub fn in_json(value: &JsValue, times: u32) -> usize {
    let mut size = 0;
    for _ in 0..times {
        let text: String = JSON::stringify(value).unwrap().into();
        let parsed: Value = serde_json::from_str(&text).unwrap();
        size += weight(&parsed);
    }
    size
}

/// Argument in through serde-wasm-bindgen: `times` × a walk of the JS value from wasm.
#[wasm_bindgen]
pub fn in_swb(value: &JsValue, times: u32) -> usize {
    let mut size = 0;
    for _ in 0..times {
        let parsed: Value = serde_wasm_bindgen::from_value(value.clone()).unwrap();
        size += weight(&parsed);
    }
    size
}

/// Result out, the core's way: `times` × (serde_json text, `JSON.parse` in JS); the last one.
#[wasm_bindgen]
pub fn out_json(n: usize, times: u32) -> JsValue {
    PREPARED.with(|all| {
        let value = &all.borrow()[n];
        let mut out = JsValue::NULL;
        for _ in 0..times {
            let text = serde_json::to_string(value).unwrap();
            out = JSON::parse(&text).unwrap();
        }
        out
    })
}

/// Result out through serde-wasm-bindgen (plain objects, as `JSON.parse` gives): the last one.
#[wasm_bindgen]
pub fn out_swb(n: usize, times: u32) -> JsValue {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    PREPARED.with(|all| {
        let value = &all.borrow()[n];
        let mut out = JsValue::NULL;
        for _ in 0..times {
            out = value.serialize(&serializer).unwrap();
        }
        out
    })
}

/// Whether both ways read `value` as the same `Value` (checked before timing).
#[wasm_bindgen]
pub fn same_in(value: &JsValue) -> bool {
    let text: String = JSON::stringify(value).unwrap().into();
    let by_json: Value = serde_json::from_str(&text).unwrap();
    let by_swb: Value = serde_wasm_bindgen::from_value(value.clone()).unwrap();
    by_json == by_swb
}

/// The number of nodes in a value.
fn weight(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(weight).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(weight).sum::<usize>(),
        _ => 1,
    }
}
