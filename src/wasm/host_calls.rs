//! The host-only calls of `Members` that pkg/host uses (the delivery worker, the job
//! runner, the event stream, the retention timer): they run on the engine in this
//! process, so the engine build only.

use super::convert::{to_js, to_json};
use super::eager::promise_now;
use super::error::to_js_error;
use super::members::Members;
use super::transport::{LocalEngine, Transport};
use crate::model::{ErrorCode, MembersError, MembersResult};
use crate::service::Caller;
use js_sys::Promise;
use serde_json::Value;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

impl Members {
    /// Runs a host-only call on the engine in this process, for this API's caller.
    pub(super) fn host<F, Fut>(&self, call: F) -> Promise
    where
        F: FnOnce(Rc<LocalEngine>, Caller) -> Fut + 'static,
        Fut: Future<Output = MembersResult<Value>> + 'static,
    {
        let transport = self.transport();
        let acting = self.acting();
        promise_now(async move {
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
