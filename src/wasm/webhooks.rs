//! The webhook calls of `Members` (SPEC §9): endpoints and their deliveries, for
//! admins, in both builds (a page signed in at `/admin` sends them to its server).

use super::convert::{to_json, to_string_arg};
use super::members::Members;
use crate::api::Operation;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

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
}
