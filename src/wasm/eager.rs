//! Runs a call's future at once, in the caller's turn, and makes a task of it
//! only if it has to wait.
//!
//! With a synchronous store (the memory store, SQLite's driver) most calls
//! never wait on JS, yet `future_to_promise` queued each one as a task and
//! settled its Promise a microtask later: a task, a Promise and its resolve
//! for every getMember the server answered. A call that does wait
//! (PostgreSQL, a password hash, the HTTP transport of the browser build) is
//! polled again by a task as before: a future must accept a new waker on each
//! poll, and JsFuture, the only leaf our futures wait on, keeps the latest.

use js_sys::Promise;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

type Call = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// The call's outcome if it finished without waiting, else the call itself
/// (polled once, to be finished by a task).
fn poll_once(
    future: impl Future<Output = Result<JsValue, JsValue>> + 'static,
) -> Result<Result<JsValue, JsValue>, Call> {
    let mut call: Call = Box::pin(future);
    match call.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(outcome) => Ok(outcome),
        Poll::Pending => Err(call),
    }
}

/// A Promise of the call's outcome: already settled when the call did not
/// wait, else settled by the task that finishes it.
pub fn promise_now(future: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    match poll_once(future) {
        Ok(Ok(value)) => Promise::resolve(&value),
        Ok(Err(error)) => Promise::reject(&error),
        Err(call) => future_to_promise(call),
    }
}

/// The call's value itself when it did not wait, else a Promise of it (for a
/// host that awaits the answer either way, as pkg/server.mjs does).
pub fn value_now(future: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> JsValue {
    match poll_once(future) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => Promise::reject(&error).into(),
        Err(call) => future_to_promise(call).into(),
    }
}
