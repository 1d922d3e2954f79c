//! Passwords off the main thread: `JsPasswordHasher` is the pool pkg/hasher.mjs
//! keeps (worker threads, each with its own instance of this module), seen by the
//! engine as a `PasswordHasher`; `hashPassword` / `verifyPassword` are what each
//! worker runs.

use super::error::to_js_error;
use crate::model::credentials::PasswordHash;
use crate::model::{ErrorCode, MembersError, MembersResult};
use crate::service::auth::password::Password;
use crate::service::auth::{Hashing, PasswordHasher};
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// `{ hash(password) → Promise<string>, verify(password, phc) → Promise<boolean> }`.
    pub type JsPasswordHasher;

    #[wasm_bindgen(method, catch, js_name = hash)]
    fn hash_js(this: &JsPasswordHasher, password: &str) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = verify)]
    fn verify_js(this: &JsPasswordHasher, password: &str, phc: &str) -> Result<Promise, JsValue>;
}

/// The pool failed (a worker died): never the caller's fault, and never quoting
/// what was being hashed.
fn pool_failed() -> MembersError {
    MembersError::internal("the password hasher failed")
}

/// The pool's refusal (`error.busy`: too many waiting) or its failure.
fn pool_error(error: JsValue) -> MembersError {
    let busy = js_sys::Reflect::get(&error, &JsValue::from_str("busy"))
        .map(|v| v.is_truthy())
        .unwrap_or(false);
    if busy {
        MembersError::new(
            ErrorCode::Unavailable,
            "TOO_BUSY",
            "the server is checking too many passwords at once; try again shortly",
        )
    } else {
        pool_failed()
    }
}

async fn settle(promise: Result<Promise, JsValue>) -> MembersResult<JsValue> {
    let promise = promise.map_err(pool_error)?;
    JsFuture::from(promise).await.map_err(pool_error)
}

impl PasswordHasher for JsPasswordHasher {
    fn hash<'a>(&'a self, password: &'a Password) -> Hashing<'a, PasswordHash> {
        let sent = self.hash_js(password.reveal());
        Box::pin(async move {
            let phc = settle(sent).await?.as_string().ok_or_else(pool_failed)?;
            Ok(PasswordHash::from_phc(phc))
        })
    }

    fn verify<'a>(&'a self, password: &'a Password, phc: &'a str) -> Hashing<'a, bool> {
        let sent = self.verify_js(password.reveal(), phc);
        Box::pin(async move { Ok(settle(sent).await?.is_truthy()) })
    }
}

/// Hashes a password (8..256 characters) into an Argon2id PHC string: the work a
/// hasher worker does. Throws a `MembersError` naming `password` when too short
/// or too long.
#[wasm_bindgen(js_name = hashPassword)]
pub fn hash_password(password: &str) -> Result<String, JsValue> {
    let password = Password::parse(password, "password").map_err(|e| to_js_error(&e))?;
    password
        .hash()
        .map(|hash| hash.as_phc().to_string())
        .map_err(|e| to_js_error(&e))
}

/// True when `password` is the one the PHC string was made from.
#[wasm_bindgen(js_name = verifyPassword)]
pub fn verify_password(password: &str, phc: &str) -> bool {
    Password::parse(password, "password").is_ok_and(|p| p.verify(phc))
}
