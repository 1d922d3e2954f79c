//! `JsWebhookSigner`: the host's RSA (pkg/host/signer.mjs) seen by the engine as a
//! `WebhookSigner`, for `wix`-format webhooks.

use super::convert::to_json;
use crate::model::{MembersError, MembersResult};
use crate::service::WebhookSigner;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `{ generateKeyPair() → { privateKey, publicKey }, signRs256(pem, text) → string }`.
    pub type JsWebhookSigner;

    #[wasm_bindgen(method, catch, js_name = generateKeyPair)]
    fn generate_key_pair_js(this: &JsWebhookSigner) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(method, catch, js_name = signRs256)]
    fn sign_rs256_js(this: &JsWebhookSigner, pem: &str, text: &str) -> Result<JsValue, JsValue>;
}

fn signer_failed() -> MembersError {
    MembersError::internal("the webhook signer failed")
}

impl WebhookSigner for JsWebhookSigner {
    fn generate_key_pair(&self) -> MembersResult<(String, String)> {
        let pair = to_json(
            &self.generate_key_pair_js().map_err(|_| signer_failed())?,
            "keyPair",
        )?;
        match (pair["privateKey"].as_str(), pair["publicKey"].as_str()) {
            (Some(private), Some(public)) => Ok((private.to_string(), public.to_string())),
            _ => Err(signer_failed()),
        }
    }

    fn sign_rs256(&self, private_key: &str, input: &str) -> MembersResult<String> {
        self.sign_rs256_js(private_key, input)
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(signer_failed)
    }
}
