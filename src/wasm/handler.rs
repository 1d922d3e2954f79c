//! The server's `handle(request)`: one REST request in, one response out, through
//! the same codec and engine as every other call. pkg/server.mjs does the HTTP
//! itself (sockets, size limits, CORS, static files) and decides the caller.

use super::convert::to_js;
use super::members::Members;
use crate::api::dispatch;
use crate::api::rest::{
    allowed_methods, api_path, decode_request, encode_error, encode_reply, Method, RouteError,
    WireRequest,
};
use crate::model::{ErrorCode, MembersError};
use js_sys::Promise;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// `{ status, body, allow }` for the server to write; `body` is JSON text.
fn response(status: u16, body: &Value, allow: Option<String>) -> JsValue {
    to_js(&json!({ "status": status, "body": body.to_string(), "allow": allow }))
}

fn error_response(error: &MembersError) -> JsValue {
    let wire = encode_error(error);
    response(wire.status, &wire.body, None)
}

#[wasm_bindgen]
impl Members {
    /// Handles one REST request as this API's caller → `Promise<{ status, body,
    /// allow }>`. `body` is the raw request text ("" for none).
    pub fn handle(&self, method: String, path: String, query: String, body: String) -> Promise {
        let members = self.clone();
        future_to_promise(async move {
            let Some(method) = Method::parse(&method) else {
                let allowed = api_path(&path).map(allowed_methods).unwrap_or_default();
                return Ok(method_not_allowed(allowed));
            };
            let body = if body.trim().is_empty() {
                Value::Null
            } else {
                match serde_json::from_str(&body) {
                    Ok(value) => value,
                    Err(e) => {
                        let error = MembersError::invalid_field(
                            "body",
                            "FORMAT",
                            format!("is not valid JSON: {e}"),
                        );
                        return Ok(error_response(&error));
                    }
                }
            };
            let request = WireRequest {
                method,
                path,
                query,
                body,
            };
            let operation = match decode_request(&request) {
                Err(RouteError::NotFound) => {
                    let error = MembersError::new(
                        ErrorCode::NotFound,
                        "ROUTE_NOT_FOUND",
                        format!("no members API route is {}", request.path),
                    );
                    return Ok(error_response(&error));
                }
                Err(RouteError::MethodNotAllowed(allowed)) => {
                    return Ok(method_not_allowed(allowed))
                }
                Ok(Err(error)) => return Ok(error_response(&error)),
                Ok(Ok(operation)) => operation,
            };
            let super::transport::Transport::Local(engine) = &*members.transport() else {
                let error = MembersError::internal("a server needs a database in its own process");
                return Ok(error_response(&error));
            };
            let reply = dispatch(engine, &members.caller(), operation).await;
            Ok(match reply {
                Ok(reply) => {
                    let wire = encode_reply(&reply);
                    response(wire.status, &wire.body, None)
                }
                Err(error) => error_response(&error),
            })
        })
    }
}

/// 405 with the Wix error shape and the methods the path takes.
fn method_not_allowed(allowed: Vec<&'static str>) -> JsValue {
    let message = format!("this route takes {}", allowed.join(", "));
    let body = json!({
        "message": message,
        "details": { "applicationError": { "code": "METHOD_NOT_ALLOWED", "description": message, "data": {} } },
    });
    response(405, &body, Some(allowed.join(", ")))
}
