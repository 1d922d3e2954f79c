//! The HTTP transport: each call encoded by the REST codec, sent with gloo-net
//! `fetch` to a members server, and the answer decoded back, errors included, into
//! the same values and `MembersError`s a local call gives.

use super::transport::Acting;
use crate::api::rest::{decode_error, decode_response, encode_request, Method, WireResponse};
use crate::api::Operation;
use crate::model::{ErrorCode, MembersError, MembersResult};
use crate::service::Caller;
use gloo_net::http::{Request, RequestBuilder};
use serde_json::Value;
use web_sys::RequestCredentials;

/// Header naming the member a trusted backend (holding the admin key) acts as.
pub const ACT_AS_HEADER: &str = "x-members-act-as";
/// Header asking for admin rights while acting as a member (with the admin key).
pub const ELEVATE_HEADER: &str = "x-members-elevate";
/// Header of a browser asking for its session as an HttpOnly cookie.
pub const SESSION_MODE_HEADER: &str = "x-members-session";

/// Where the server is and how to prove admin rights.
#[derive(Debug, Clone)]
pub struct HttpTarget {
    /// Absolute origin (and optional path prefix), without a trailing `/`.
    pub base_url: String,
    /// Sent as `Authorization: <key>` for admin and backend calls.
    pub admin_key: Option<String>,
    /// A browser: the server keeps the session in a cookie, sent with every call.
    pub cookie_session: bool,
}

fn unavailable(message: String) -> MembersError {
    MembersError::new(ErrorCode::Unavailable, "SERVER_UNAVAILABLE", message)
}

impl HttpTarget {
    fn with_caller(
        &self,
        mut builder: RequestBuilder,
        acting: &Acting,
    ) -> MembersResult<RequestBuilder> {
        if self.cookie_session {
            builder = builder
                .header(SESSION_MODE_HEADER, "cookie")
                .credentials(RequestCredentials::Include);
        }
        let caller = match acting {
            Acting::Session(token) => {
                return Ok(builder.header("authorization", &format!("Bearer {token}")))
            }
            Acting::Caller(caller) => caller,
        };
        let key = || {
            self.admin_key.clone().ok_or_else(|| {
                MembersError::permission_denied(
                    "admin and backend calls to a server need configure({ baseUrl, adminKey })",
                )
            })
        };
        match caller {
            Caller::Visitor => {}
            Caller::Admin(None) => builder = builder.header("authorization", &key()?),
            Caller::Member(id) => {
                builder = builder
                    .header("authorization", &key()?)
                    .header(ACT_AS_HEADER, id.as_str());
            }
            Caller::Admin(Some(id)) => {
                builder = builder
                    .header("authorization", &key()?)
                    .header(ACT_AS_HEADER, id.as_str())
                    .header(ELEVATE_HEADER, "1");
            }
        }
        Ok(builder)
    }

    /// Sends one operation and decodes the answer into the SDK value of the call.
    pub async fn execute(&self, acting: &Acting, operation: &Operation) -> MembersResult<Value> {
        let request = encode_request(operation);
        let mut url = format!("{}{}", self.base_url, request.path);
        if !request.query.is_empty() {
            url.push('?');
            url.push_str(&request.query);
        }
        let builder = match request.method {
            Method::Get => Request::get(&url),
            Method::Post => Request::post(&url),
            Method::Patch => Request::patch(&url),
            Method::Delete => Request::delete(&url),
        };
        let builder = self.with_caller(builder.header("accept", "application/json"), acting)?;
        let sent = if request.body.is_null() {
            builder.send().await
        } else {
            builder
                .json(&request.body)
                .map_err(|e| MembersError::internal(format!("request does not encode: {e}")))?
                .send()
                .await
        };
        let response = sent.map_err(|e| {
            unavailable(format!(
                "the members server at {} can not be reached: {e}",
                self.base_url
            ))
        })?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| unavailable(format!("the members server's answer was cut off: {e}")))?;
        let body: Value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).map_err(|_| {
                unavailable(format!(
                    "the server at {} answered HTTP {status} without JSON",
                    self.base_url
                ))
            })?
        };
        let response = WireResponse { status, body };
        if (200..300).contains(&status) {
            Ok(decode_response(operation, &response))
        } else {
            Err(decode_error(&response))
        }
    }
}
