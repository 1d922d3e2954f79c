//! Host calls for page admins' sign-in (SPEC §10): pkg/server.mjs checks the
//! posted admin key and reads the `members_admin` cookie; the engine counts the
//! tries and keeps the sign-ins. Answers come in `handle()`'s shape so the server
//! writes them the same way.

use super::convert::to_js;
use super::eager::promise_now;
use super::handler::error_response;
use super::members::Members;
use super::transport::Transport;
use crate::model::{ErrorCode, MembersError};
use crate::service::auth::admin_signin::ADMIN_SESSION_TTL_MS;
use crate::service::{Caller, Context};
use js_sys::Promise;
use serde_json::json;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

fn needs_database() -> MembersError {
    MembersError::new(
        ErrorCode::FailedPrecondition,
        "NEEDS_A_DATABASE",
        "admin sign-in runs where the database is (a members server)",
    )
}

#[wasm_bindgen]
impl Members {
    /// Host: an admin sign-in from `clientAddress` whose posted key the server
    /// compared (`keyMatches`); `keyId` fingerprints the server's key →
    /// `Promise<{ status, body, adminSession?: { token, maxAgeSeconds }, retryAfter? }>`.
    #[wasm_bindgen(js_name = adminLogin)]
    pub fn admin_login(
        &self,
        key_matches: bool,
        key_id: String,
        client_address: Option<String>,
    ) -> Promise {
        let transport = self.transport();
        promise_now(async move {
            let Transport::Local(engine) = &*transport else {
                return Ok(error_response(&needs_database(), false));
            };
            let engine = Rc::clone(engine);
            let context = Context {
                client_address,
                ..Context::of(Caller::Visitor)
            };
            match engine.admin_login(&context, key_matches, &key_id).await {
                Ok(signed_in) => Ok(to_js(&json!({
                    "status": 200,
                    "body": "{}",
                    "adminSession": {
                        "token": signed_in.token.reveal(),
                        "maxAgeSeconds": ADMIN_SESSION_TTL_MS / 1000,
                    },
                }))),
                Err(error) => Ok(error_response(&error, false)),
            }
        })
    }

    /// Host: true when `token` (the `members_admin` cookie) is a live admin
    /// sign-in made with the key fingerprinted `keyId`.
    #[wasm_bindgen(js_name = isAdminSignedIn)]
    pub fn is_admin_signed_in(&self, token: String, key_id: String) -> Promise {
        let transport = self.transport();
        promise_now(async move {
            let Transport::Local(engine) = &*transport else {
                return Ok(JsValue::FALSE);
            };
            let engine = Rc::clone(engine);
            match engine.is_admin_signed_in(&token, &key_id).await {
                Ok(live) => Ok(JsValue::from_bool(live)),
                Err(error) => Err(super::error::to_js_error(&error)),
            }
        })
    }

    /// Host: ends the admin sign-in of `token` (admin-logout).
    #[wasm_bindgen(js_name = adminLogout)]
    pub fn admin_logout(&self, token: String) -> Promise {
        let transport = self.transport();
        promise_now(async move {
            let Transport::Local(engine) = &*transport else {
                return Err(super::error::to_js_error(&needs_database()));
            };
            let engine = Rc::clone(engine);
            engine
                .admin_logout(&token)
                .await
                .map(|()| JsValue::UNDEFINED)
                .map_err(|error| super::error::to_js_error(&error))
        })
    }
}
