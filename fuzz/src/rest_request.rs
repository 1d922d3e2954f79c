//! The REST request decoder (`decode_request`, src/api/rest.rs): method, path,
//! query and body → the `Operation` the server runs.
//!
//! Input format (readable seeds): the first line is `METHOD /path?query`, the
//! rest is the JSON body (nothing for none).
//!
//! Properties: a request for no route is 404, or 405 listing other methods that
//! the path takes; a request the codec refuses is `INVALID_ARGUMENT` naming the
//! field; an accepted one, encoded again as the client would send it, decodes
//! to the same operation (client and server can not disagree).

use super::assert_names_a_field;
use serde_json::Value;
use universal_members::api::rest::{
    decode_request, encode_request, Method, RouteError, WireRequest,
};

/// Checks one fuzz input: `METHOD /path?query` then the JSON body.
pub fn check(data: &[u8]) {
    let Some(request) = request_of(data) else {
        return;
    };
    match decode_request(&request) {
        Err(RouteError::NotFound) => {}
        Err(RouteError::MethodNotAllowed(allowed)) => {
            assert!(!allowed.is_empty(), "405 with no Allow: {request:?}");
            assert!(
                !allowed.contains(&request.method.as_str()),
                "405 though {} is allowed: {request:?}",
                request.method.as_str()
            );
        }
        Ok(Err(error)) => assert_names_a_field(&error, None),
        Ok(Ok(operation)) => {
            let encoded = encode_request(&operation);
            match decode_request(&encoded) {
                Ok(Ok(again)) => {
                    assert_eq!(again, operation, "{request:?} encoded again as {encoded:?}")
                }
                other => panic!("{request:?} encoded again as {encoded:?} gives {other:?}"),
            }
        }
    }
}

/// Parses the fuzz input's format; `None` when it is not that format.
pub fn request_of(data: &[u8]) -> Option<WireRequest> {
    let text = std::str::from_utf8(data).ok()?;
    let (line, body) = text.split_once('\n').unwrap_or((text, ""));
    let (method, target) = line.split_once(' ')?;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let body = if body.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).ok()?
    };
    Some(WireRequest {
        method: Method::parse(method)?,
        path: path.to_string(),
        query: query.to_string(),
        body,
    })
}
