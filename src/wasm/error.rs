//! `MembersError` across the JS boundary: a real `Error` subclass (defined in
//! pkg/errors.mjs and registered at start-up) carrying `code`, `applicationCode`,
//! `httpStatus` and `details`.

use super::convert::to_js;
use crate::model::MembersError;
use js_sys::{Array, Function, Reflect};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers the JS `MembersError` class the core throws. Both package entries call
/// it once at start-up, so `instanceof MembersError` holds for every error.
#[wasm_bindgen(js_name = registerErrorClass)]
pub fn register_error_class(class: Function) {
    ERROR_CLASS.with(|slot| *slot.borrow_mut() = Some(class));
}

/// The error as a JS `MembersError` (a plain `Error` with the same fields if the
/// class was never registered).
pub fn to_js_error(error: &MembersError) -> JsValue {
    let details = to_js(&error.details());
    let class = ERROR_CLASS.with(|slot| slot.borrow().clone());
    if let Some(class) = class {
        let args = Array::of5(
            &JsValue::from_str(error.code.as_str()),
            &JsValue::from_str(&error.message),
            &JsValue::from_str(&error.application_code),
            &JsValue::from(error.http_status()),
            &details,
        );
        if let Ok(instance) = Reflect::construct(&class, &args) {
            return instance;
        }
    }
    let plain: JsValue = js_sys::Error::new(&error.message).into();
    let _ = Reflect::set(&plain, &"name".into(), &"MembersError".into());
    let _ = Reflect::set(&plain, &"code".into(), &error.code.as_str().into());
    let _ = Reflect::set(
        &plain,
        &"applicationCode".into(),
        &error.application_code.as_str().into(),
    );
    let _ = Reflect::set(
        &plain,
        &"httpStatus".into(),
        &JsValue::from(error.http_status()),
    );
    let _ = Reflect::set(&plain, &"details".into(), &details);
    plain
}
