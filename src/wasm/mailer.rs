//! `JsMailer`: a JS mailer object (pkg/mail.mjs, or the user's own
//! `{ send(message) }`) seen by the engine as a `Mailer`.

use super::convert::to_js;
use crate::model::{MembersError, MembersResult};
use crate::service::auth::{Mail, Mailer, Sending};
use js_sys::Promise;
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// `{ send({ template, to, token, code, newEmail, expiresDate }) → Promise<void> }`.
    pub type JsMailer;

    #[wasm_bindgen(method, catch)]
    fn send(this: &JsMailer, message: &JsValue) -> Result<JsValue, JsValue>;
}

/// A failed hand-over, without the mailer's own words (they may quote the link).
fn not_sent() -> MembersError {
    MembersError::new(
        crate::model::ErrorCode::Unavailable,
        "MAIL_UNAVAILABLE",
        "the mail could not be handed to the mail transport; try again later",
    )
}

async fn settle(value: JsValue) -> MembersResult<()> {
    match value.dyn_into::<Promise>() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .map(|_| ())
            .map_err(|_| not_sent()),
        Err(_) => Ok(()),
    }
}

impl Mailer for JsMailer {
    fn send<'a>(&'a self, mail: &'a Mail) -> Sending<'a> {
        let message = to_js(&json!({
            "template": mail.template,
            "to": mail.to,
            "token": mail.token.reveal(),
            "code": mail.code.as_ref().map(|code| code.reveal()),
            "newEmail": mail.new_email,
            "expiresDate": mail.expires.to_string(),
        }));
        let sent = JsMailer::send(self, &message);
        Box::pin(async move {
            match sent {
                Ok(value) => settle(value).await,
                Err(_) => Err(not_sent()),
            }
        })
    }
}
