//! The webhook calls of `Members` (SPEC §9) and the host-only calls the delivery
//! worker, the job runner, the event stream and the retention timer of pkg/host use. Also
//! `JsWebhookSigner`, the host's RSA (pkg/host/signer.mjs) seen as a
//! `WebhookSigner`.

use super::convert::{to_js, to_json, to_string_arg};
use super::error::to_js_error;
use super::members::Members;
use super::transport::{LocalEngine, Transport};
use crate::api::Operation;
use crate::model::{ErrorCode, MembersError, MembersResult};
use crate::service::{Caller, WebhookSigner};
use js_sys::Promise;
use serde_json::Value;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

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

impl Members {
    /// Runs a host-only call on the engine in this process, for this API's caller.
    pub(super) fn host<F, Fut>(&self, call: F) -> Promise
    where
        F: FnOnce(Rc<LocalEngine>, Caller) -> Fut + 'static,
        Fut: Future<Output = MembersResult<Value>> + 'static,
    {
        let transport = self.transport();
        let acting = self.acting();
        future_to_promise(async move {
            let Transport::Local(engine) = &*transport else {
                return Err(to_js_error(&MembersError::new(
                    ErrorCode::FailedPrecondition,
                    "NEEDS_A_DATABASE",
                    "this call runs where the database is (a server or a Node backend)",
                )));
            };
            let engine = engine.clone();
            let context = acting.context(&engine).await.map_err(|e| to_js_error(&e))?;
            match call(engine, context.caller).await {
                Ok(Value::Null) => Ok(JsValue::UNDEFINED),
                Ok(value) => Ok(to_js(&value)),
                Err(error) => Err(to_js_error(&error)),
            }
        })
    }
}

/// A whole number argument (a limit, a position).
fn whole(value: &JsValue, name: &str) -> MembersResult<u64> {
    value
        .as_f64()
        .filter(|n| n.fract() == 0.0 && *n >= 0.0)
        .map(|n| n as u64)
        .ok_or_else(|| MembersError::invalid_field(name, "TYPE", "must be a whole number ≥ 0"))
}

#[wasm_bindgen]
impl Members {
    /// `createWebhook({ url, format: 'standard'|'wix', events })` → `{ webhook,
    /// secret }` or `{ webhook, publicKey }`. Admins only.
    #[wasm_bindgen(js_name = createWebhook)]
    pub fn create_webhook(&self, options: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::CreateWebhook {
                options: to_json(&options, "options")?,
            })
        })
    }

    /// `listWebhooks()` → `{ webhooks }`. Admins only.
    #[wasm_bindgen(js_name = listWebhooks)]
    pub fn list_webhooks(&self) -> Promise {
        self.run(|| Ok(Operation::ListWebhooks))
    }

    /// `getWebhook(id)` → `{ webhook }`. Admins only.
    #[wasm_bindgen(js_name = getWebhook)]
    pub fn get_webhook(&self, id: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::GetWebhook {
                id: to_string_arg(&id, "id")?,
            })
        })
    }

    /// `deleteWebhook(id)`: the endpoint and its deliveries. Admins only.
    #[wasm_bindgen(js_name = deleteWebhook)]
    pub fn delete_webhook(&self, id: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::DeleteWebhook {
                id: to_string_arg(&id, "id")?,
            })
        })
    }

    /// `rotateWebhookSecret(id)` → `{ webhook, secret }`; the old secret keeps
    /// signing beside the new one for 24 hours. Admins only.
    #[wasm_bindgen(js_name = rotateWebhookSecret)]
    pub fn rotate_webhook_secret(&self, id: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::RotateWebhookSecret {
                id: to_string_arg(&id, "id")?,
            })
        })
    }

    /// `listWebhookDeliveries(id, { status, limit })` → `{ deliveries }`, newest
    /// first. Admins only.
    #[wasm_bindgen(js_name = listWebhookDeliveries)]
    pub fn list_webhook_deliveries(&self, id: JsValue, options: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::ListWebhookDeliveries {
                id: to_string_arg(&id, "id")?,
                options: to_json(&options, "options")?,
            })
        })
    }

    /// `redeliver(deliveryId)` → `{ delivery }`: sent again, with a new schedule.
    /// Admins only.
    pub fn redeliver(&self, delivery_id: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::Redeliver {
                delivery_id: to_string_arg(&delivery_id, "deliveryId")?,
            })
        })
    }

    /// Host: leases up to `limit` due deliveries → `[{ deliveryId, leaseToken,
    /// url, body, headers }]`, each signed for an attempt now. Admins only.
    #[wasm_bindgen(js_name = claimWebhookDeliveries)]
    pub fn claim_webhook_deliveries(&self, limit: JsValue) -> Promise {
        let limit = whole(&limit, "limit");
        self.host(move |engine, caller| async move {
            engine
                .claim_webhook_deliveries(&caller, limit? as u32)
                .await
        })
    }

    /// Host: records an attempt (or a list of them) → `{ outcome, nextAttemptDate? }`.
    #[wasm_bindgen(js_name = completeWebhookDelivery)]
    pub fn complete_webhook_delivery(&self, outcome: JsValue) -> Promise {
        let outcome = to_json(&outcome, "outcome");
        self.host(move |engine, caller| async move {
            engine.complete_webhook_delivery(&caller, &outcome?).await
        })
    }

    /// Host: gives leases back unsent (graceful shutdown).
    #[wasm_bindgen(js_name = releaseWebhookDeliveries)]
    pub fn release_webhook_deliveries(&self, tokens: JsValue) -> Promise {
        let tokens = to_json(&tokens, "leaseTokens")
            .and_then(|v| crate::model::decode::decode::<Vec<String>>(v, "leaseTokens"));
        self.host(move |engine, caller| async move {
            engine.release_webhook_deliveries(&caller, &tokens?).await?;
            Ok(Value::Null)
        })
    }

    /// Host: events after `position` → `[{ position, eventType, envelope }]`.
    #[wasm_bindgen(js_name = eventsAfter)]
    pub fn events_after(&self, position: JsValue, limit: JsValue) -> Promise {
        let position = whole(&position, "position");
        let limit = whole(&limit, "limit");
        self.host(move |engine, caller| async move {
            engine.events_after(&caller, position?, limit? as u32).await
        })
    }

    /// Host: the newest event's position.
    #[wasm_bindgen(js_name = latestEventPosition)]
    pub fn latest_event_position(&self) -> Promise {
        self.host(move |engine, caller| async move {
            Ok(Value::from(engine.latest_event_position(&caller).await?))
        })
    }

    /// Host: calls `listener()` after every commit of this process that stored
    /// events, so the delivery worker sends them without waiting for its next poll.
    #[wasm_bindgen(js_name = onCommit)]
    pub fn on_commit(&self, listener: js_sys::Function) -> Result<(), JsValue> {
        if let Transport::Local(engine) = &*self.transport() {
            engine.events().on_commit(Rc::new(move || {
                // A listener's failure is the host's; the change is committed.
                let _ = listener.call0(&JsValue::NULL);
            }));
        }
        Ok(())
    }

    /// Host: works one batch of the oldest unfinished async job → `{ worked, jobId?,
    /// processed?, status? }` (call again at once while `worked`).
    #[wasm_bindgen(js_name = runAsyncJobs)]
    pub fn run_async_jobs(&self) -> Promise {
        self.host(move |engine, caller| async move { engine.run_async_jobs(&caller).await })
    }

    /// Host: one retention sweep → `{ removed }`.
    #[wasm_bindgen(js_name = pruneOutbox)]
    pub fn prune_outbox(&self) -> Promise {
        self.host(move |engine, caller| async move { engine.prune_outbox(&caller).await })
    }
}
