//! The server's `handle(request)`: one REST request in, one response out, through
//! the same codec and engine as every other call. pkg/server.mjs does the HTTP
//! itself (sockets, size limits, CORS, CSRF, cookies, static files) and decides
//! the trusted caller; a session token it found is looked up here.

use super::eager::value_now;
use super::members::Members;
use super::transport::{Acting, LocalEngine, Transport};
use crate::api::dispatch;
use crate::api::rest::{
    allowed_methods, api_path, decode_request, encode_error, encode_read_reply, encode_reply,
    route, Method, RouteError, WireRequest,
};
use crate::model::credentials::SessionToken;
use crate::model::decode::parse_json_text;
use crate::model::MembersResult;
use crate::model::{ErrorCode, MembersError};
use crate::service::auth::sessions::SESSION_TTL_MS;
use crate::service::{Caller, Context};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/src/wasm/answer.js")]
extern "C" {
    /// `{ status, body, session, clearSession, allow, retryAfter }`, made in JS
    /// in one call: set key by key from wasm, each key and value crossed on its
    /// own. The body is JSON text the server writes as it is.
    #[wasm_bindgen(js_name = answer)]
    fn answer_js(
        status: u16,
        body: &str,
        session_token: Option<String>,
        session_max_age: f64,
        clear_session: bool,
        allow: Option<String>,
        retry_after: Option<f64>,
    ) -> JsValue;

    /// What pkg/server.mjs knows of a request: `{ session, sessionFromCookie,
    /// cookieMode, clientAddress, userAgent, crossSite }`, each optional.
    /// Read key by key: a JSON round trip of it (stringify, then parse) cost
    /// about as much as routing the request.
    pub type RequestFacts;

    #[wasm_bindgen(method, getter)]
    fn session(this: &RequestFacts) -> Option<String>;
    #[wasm_bindgen(method, getter = sessionFromCookie)]
    fn session_from_cookie(this: &RequestFacts) -> Option<bool>;
    #[wasm_bindgen(method, getter = cookieMode)]
    fn cookie_mode(this: &RequestFacts) -> Option<bool>;
    #[wasm_bindgen(method, getter = clientAddress)]
    fn client_address(this: &RequestFacts) -> Option<String>;
    #[wasm_bindgen(method, getter = userAgent)]
    fn user_agent(this: &RequestFacts) -> Option<String>;
    #[wasm_bindgen(method, getter = crossSite)]
    fn cross_site(this: &RequestFacts) -> Option<bool>;
}

/// An answer with neither a session to set nor one to clear.
fn response(status: u16, body: &Value, allow: Option<String>) -> JsValue {
    answer_js(status, &body.to_string(), None, 0.0, false, allow, None)
}

/// The error response; `retryAfter` (seconds) when it is a rate limit, and
/// `clearSession` when the request's cookie named a session that is no more.
pub(super) fn error_response(error: &MembersError, clear_session: bool) -> JsValue {
    let wire = encode_error(error);
    let retry_after = error.data["retryAfterSeconds"].as_u64();
    answer_js(
        wire.status,
        &wire.body.to_string(),
        None,
        0.0,
        clear_session,
        None,
        retry_after.map(|s| s as f64),
    )
}

/// What the server knows of a request's session and client.
#[derive(Debug, Default)]
struct RequestInfo {
    /// The session token of `Authorization: Bearer` or of the cookie.
    session: Option<String>,
    /// The token came in the cookie (an invalid one then means a visitor).
    session_from_cookie: bool,
    /// The browser wants its session as a cookie (`x-members-session: cookie`).
    cookie_mode: bool,
    /// A change made with a cookie from another site (CSRF): refused once the
    /// route is known, so an unknown route or method still answers 404 or 405.
    cross_site: bool,
}

impl RequestInfo {
    /// The facts of `request`; none for anything but an object.
    fn of(request: &JsValue) -> RequestInfo {
        let Some(facts) = facts_of(request) else {
            return RequestInfo::default();
        };
        RequestInfo {
            session: facts.session(),
            session_from_cookie: facts.session_from_cookie().unwrap_or(false),
            cookie_mode: facts.cookie_mode().unwrap_or(false),
            cross_site: facts.cross_site().unwrap_or(false),
        }
    }
}

fn facts_of(request: &JsValue) -> Option<&RequestFacts> {
    request.is_object().then(|| request.unchecked_ref())
}

/// The client's address (for the failed-attempt limits) and user agent (named
/// on the sessions it starts), read only for a call that uses them: each
/// crosses as a copy, about 6% of what the core spent on a getMember.
fn with_client_facts(mut context: Context, request: &JsValue) -> Context {
    if let Some(facts) = facts_of(request) {
        context.client_address = facts.client_address();
        context.user_agent = facts.user_agent();
    }
    context
}

/// The context of the call, and whether the cookie must be cleared (it named a
/// session that is no more).
async fn context_of(
    engine: &LocalEngine,
    acting: Acting,
    info: &RequestInfo,
) -> MembersResult<(Context, bool)> {
    let (context, clear) = match (&info.session, acting) {
        (Some(token), _) if info.session_from_cookie => match engine.session_context(token).await {
            Ok(context) => (context, false),
            Err(error) if error.application_code == "SESSION_INVALID" => {
                (Context::of(Caller::Visitor), true)
            }
            Err(error) => return Err(error),
        },
        (Some(token), _) => (engine.session_context(token).await?, false),
        (None, acting) => (acting.context(engine).await?, false),
    };
    Ok((context, clear))
}

#[wasm_bindgen]
impl Members {
    /// Handles one REST request as this API's caller → `{ status, body, session,
    /// clearSession, allow, retryAfter }`, or a Promise of it when the database
    /// had to be waited on (await it either way). `body` is the raw request
    /// text ("" for none).
    /// `request`: `{ session, sessionFromCookie, cookieMode, clientAddress,
    /// userAgent, crossSite }`. The
    /// answer may add `session: { token, maxAgeSeconds }` (set the cookie),
    /// `clearSession: true` and `retryAfter` (seconds).
    pub fn handle(
        &self,
        method: String,
        path: String,
        query: String,
        body: String,
        request: JsValue,
    ) -> JsValue {
        let members = self.clone();
        let info = RequestInfo::of(&request);
        let request_facts = request;
        value_now(async move {
            let Some(method) = Method::parse(&method) else {
                let allowed = api_path(&path).map(allowed_methods).unwrap_or_default();
                return Ok(method_not_allowed(allowed));
            };
            // No bytes is no body; whitespace alone is a body, and not JSON.
            let body = if body.is_empty() {
                Value::Null
            } else {
                match parse_json_text(&body, "body") {
                    // A body of `null` is not "no body": it is not an object.
                    Ok(Value::Null) => {
                        let error =
                            MembersError::invalid_field("body", "TYPE", "must be a JSON object");
                        return Ok(error_response(&error, false));
                    }
                    Ok(value) => value,
                    Err(error) => return Ok(error_response(&error, false)),
                }
            };
            let request = WireRequest {
                method,
                path,
                query,
                body,
            };
            // Routed here only for a cross-site request (decoding routes it anyway).
            if info.cross_site
                && matches!(
                    api_path(&request.path).map(|under| route(method, under)),
                    Some(Ok(_))
                )
            {
                let error = MembersError::new(
                    ErrorCode::PermissionDenied,
                    "CSRF_REJECTED",
                    "a change made with the session cookie must come from this site (Origin)",
                );
                return Ok(error_response(&error, false));
            }
            let operation = match decode_request(&request) {
                Err(RouteError::NotFound) => {
                    let error = MembersError::new(
                        ErrorCode::NotFound,
                        "ROUTE_NOT_FOUND",
                        format!("no members API route is {}", request.path),
                    );
                    return Ok(error_response(&error, false));
                }
                Err(RouteError::MethodNotAllowed(allowed)) => {
                    return Ok(method_not_allowed(allowed))
                }
                Ok(Err(error)) => return Ok(error_response(&error, false)),
                Ok(Ok(operation)) => operation,
            };
            let Transport::Local(engine) = &*members.transport() else {
                let error = MembersError::internal("a server needs a database in its own process");
                return Ok(error_response(&error, false));
            };
            let (context, clear_session) = match context_of(engine, members.acting(), &info).await {
                Ok(found) => found,
                Err(error) => return Ok(error_response(&error, false)),
            };
            let context = if operation.reads_client_facts() {
                with_client_facts(context, &request_facts)
            } else {
                context
            };
            let reply = match dispatch(engine, context, operation).await {
                Ok(reply) => reply,
                Err(error) => return Ok(error_response(&error, clear_session)),
            };
            let (status, body, new_session) = match encode_read_reply(&reply) {
                Some(body) => (200, body, None),
                None => {
                    let mut wire = encode_reply(&reply);
                    // A browser gets its session as a cookie only, out of reach of scripts.
                    let new_session = match wire.body.get("sessionToken") {
                        Some(Value::String(token)) if info.cookie_mode => {
                            let token = token.clone();
                            wire.body
                                .as_object_mut()
                                .map(|body| body.remove("sessionToken"));
                            Some(token)
                        }
                        _ => None,
                    };
                    (wire.status, wire.body.to_string(), new_session)
                }
            };
            // The session slides server-side and the cookie slides with it, while
            // the session lives: logout, deleteMyMember or a new password may
            // have ended it during the call.
            let (new_session, clear_session) = match (&info.session, new_session) {
                (_, Some(new)) => (Some(new), false),
                (Some(token), None) if info.session_from_cookie && !clear_session => {
                    match SessionToken::parse(token) {
                        Some(parsed)
                            if engine.live_session(&parsed).await.ok().flatten().is_some() =>
                        {
                            (Some(token.clone()), false)
                        }
                        _ => (None, true),
                    }
                }
                (_, None) => (None, clear_session),
            };
            Ok(answer_js(
                status,
                &body,
                new_session,
                (SESSION_TTL_MS / 1000) as f64,
                clear_session,
                None,
                None,
            ))
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
