//! Webhook endpoints (SPEC §9), admins only: create, list, get, delete, rotate the
//! secret, list deliveries, redeliver. Endpoints are rows in the store, so every
//! process sees the same ones.

use super::caller::Caller;
use super::engine::Engine;
use super::webhook_body::signer_missing;
use crate::model::ids::{new_uuid, random_bytes};
use crate::model::webhook::{
    check_webhook_url, parse_event_kinds, Delivery, DeliveryFilter, WebhookFormat, WebhookRecord,
};
use crate::model::{ErrorCode, MembersError, MembersResult};
use crate::store::Store;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

/// Makes the site's RSA key pair and signs with it (host crypto: `node:crypto`).
pub trait WebhookSigner {
    /// A new RSA 2048 key pair → `(private PKCS#8 PEM, public SPKI PEM)`.
    fn generate_key_pair(&self) -> MembersResult<(String, String)>;

    /// The base64url RS256 signature of `input` with the private key.
    fn sign_rs256(&self, private_key: &str, input: &str) -> MembersResult<String>;
}

/// The settings of webhook delivery and of the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookPolicy {
    /// Endpoints may be on loopback, private and link-local addresses (local
    /// development and tests: `MEMBERS_WEBHOOK_ALLOW_PRIVATE=1`).
    pub allow_private: bool,
    /// Events, deliveries and attempts are kept this many days.
    pub retention_days: u32,
    /// The wait after the 1st, 2nd, … failed attempt (ms); after the last the
    /// delivery is dead.
    pub retry_schedule_ms: Vec<i64>,
}

/// SPEC §9: about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h.
pub const DEFAULT_RETRY_SCHEDULE_MS: [i64; 7] = [
    5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
];

impl Default for WebhookPolicy {
    fn default() -> Self {
        WebhookPolicy {
            allow_private: false,
            retention_days: 30,
            retry_schedule_ms: DEFAULT_RETRY_SCHEDULE_MS.to_vec(),
        }
    }
}

/// How long the secret before a rotation keeps signing.
pub const ROTATION_OVERLAP_MS: i64 = 24 * 3600 * 1000;

/// Most deliveries one list returns.
pub const MAX_DELIVERIES: u32 = 100;

/// The setting holding the site's RSA key pair (`{ privateKey, publicKey }`): one
/// row, so two processes making it at once can not mix halves of two pairs.
const KEY_PAIR_SETTING: &str = "wix_key_pair";

fn webhook_not_found(id: &str) -> MembersError {
    MembersError::new(
        ErrorCode::NotFound,
        "WEBHOOK_NOT_FOUND",
        format!("no webhook endpoint with id {id:?}"),
    )
}

fn delivery_not_found(id: &str) -> MembersError {
    MembersError::new(
        ErrorCode::NotFound,
        "DELIVERY_NOT_FOUND",
        format!("no webhook delivery with id {id:?}"),
    )
}

/// A new `whsec_` secret: base64 of 32 random bytes.
fn new_secret() -> MembersResult<String> {
    let mut bytes = [0u8; 32];
    random_bytes(&mut bytes)?;
    Ok(format!("whsec_{}", STANDARD.encode(bytes)))
}

impl<S: Store> Engine<S> {
    /// `createWebhook({ url, format, events })` → `{ webhook, secret }` (standard)
    /// or `{ webhook, publicKey }` (wix). Nothing is stored on bad input.
    pub async fn create_webhook(&self, caller: &Caller, options: &Value) -> MembersResult<Value> {
        caller.require_admin("createWebhook")?;
        let Value::Object(fields) = options else {
            return Err(MembersError::invalid_field(
                "options",
                "TYPE",
                "must be an object { url, format, events }",
            ));
        };
        if let Some(unknown) = fields
            .keys()
            .find(|k| !["url", "format", "events"].contains(&k.as_str()))
        {
            return Err(MembersError::invalid_field(
                unknown,
                "UNKNOWN_FIELD",
                "is not a webhook field (url, format, events)",
            ));
        }
        let url = match &options["url"] {
            Value::String(url) => url.clone(),
            Value::Null => {
                return Err(MembersError::invalid_field(
                    "url",
                    "REQUIRED_FIELD",
                    "is required",
                ))
            }
            _ => {
                return Err(MembersError::invalid_field(
                    "url",
                    "TYPE",
                    "must be a string",
                ))
            }
        };
        check_webhook_url(&url, self.webhook_policy.allow_private)?;
        let format = match &options["format"] {
            Value::Null => WebhookFormat::Standard,
            Value::String(format) => WebhookFormat::parse(format)?,
            _ => {
                return Err(MembersError::invalid_field(
                    "format",
                    "TYPE",
                    "must be a string",
                ))
            }
        };
        let events = parse_event_kinds(&options["events"])?;
        let public_key = match format {
            WebhookFormat::Wix => Some(self.wix_key_pair().await?.1),
            WebhookFormat::Standard => None,
        };
        let record = WebhookRecord {
            id: new_uuid()?,
            url,
            format,
            events,
            enabled: true,
            disabled_reason: None,
            created_date: self.now(),
            secret: match format {
                WebhookFormat::Standard => new_secret()?,
                WebhookFormat::Wix => String::new(),
            },
            previous_secret: None,
            previous_until: None,
        };
        self.store.insert_webhook(&record).await?;
        Ok(match public_key {
            Some(public_key) => json!({ "webhook": record.view(), "publicKey": public_key }),
            None => json!({ "webhook": record.view(), "secret": record.secret }),
        })
    }

    /// `listWebhooks()` → `{ webhooks }`, oldest first.
    pub async fn list_webhooks(&self, caller: &Caller) -> MembersResult<Value> {
        caller.require_admin("listWebhooks")?;
        let webhooks: Vec<_> = self
            .store
            .webhooks()
            .await?
            .iter()
            .map(|w| w.view())
            .collect();
        Ok(json!({ "webhooks": webhooks }))
    }

    /// `getWebhook(id)` → `{ webhook }`.
    pub async fn get_webhook(&self, caller: &Caller, id: &str) -> MembersResult<Value> {
        caller.require_admin("getWebhook")?;
        let webhook = self
            .store
            .webhook(id)
            .await?
            .ok_or_else(|| webhook_not_found(id))?;
        Ok(json!({ "webhook": webhook.view() }))
    }

    /// `deleteWebhook(id)`: the endpoint, its deliveries and their attempts.
    pub async fn delete_webhook(&self, caller: &Caller, id: &str) -> MembersResult<()> {
        caller.require_admin("deleteWebhook")?;
        if self.store.delete_webhook(id).await? {
            Ok(())
        } else {
            Err(webhook_not_found(id))
        }
    }

    /// `rotateWebhookSecret(id)` → `{ webhook, secret }`: a new secret signs from now
    /// on; the old one signs beside it for 24 hours, so receivers can switch over.
    pub async fn rotate_webhook_secret(&self, caller: &Caller, id: &str) -> MembersResult<Value> {
        caller.require_admin("rotateWebhookSecret")?;
        let webhook = self
            .store
            .webhook(id)
            .await?
            .ok_or_else(|| webhook_not_found(id))?;
        if webhook.format == WebhookFormat::Wix {
            return Err(MembersError::new(
                ErrorCode::FailedPrecondition,
                "NOT_ROTATABLE",
                "wix endpoints are signed with the site's RSA key, not a secret of their own",
            ));
        }
        let secret = new_secret()?;
        let until = crate::model::Timestamp(self.now().millis() + ROTATION_OVERLAP_MS);
        if !self.store.rotate_webhook_secret(id, &secret, until).await? {
            return Err(webhook_not_found(id));
        }
        Ok(json!({ "webhook": webhook.view(), "secret": secret }))
    }

    /// `listWebhookDeliveries(id, { status, limit })` → `{ deliveries }`, newest first.
    pub async fn list_webhook_deliveries(
        &self,
        caller: &Caller,
        id: &str,
        options: &Value,
    ) -> MembersResult<Value> {
        caller.require_admin("listWebhookDeliveries")?;
        let filter = match &options["status"] {
            Value::Null => DeliveryFilter::All,
            Value::String(status) => DeliveryFilter::parse(Some(status))?,
            _ => {
                return Err(MembersError::invalid_field(
                    "status",
                    "TYPE",
                    "must be a string",
                ))
            }
        };
        let limit = match &options["limit"] {
            Value::Null => MAX_DELIVERIES,
            value => value
                .as_u64()
                .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
                .filter(|n| (1..=u64::from(MAX_DELIVERIES)).contains(n))
                .ok_or_else(|| {
                    MembersError::invalid_field(
                        "limit",
                        "RANGE",
                        format!("must be a whole number from 1 to {MAX_DELIVERIES}"),
                    )
                })? as u32,
        };
        self.store
            .webhook(id)
            .await?
            .ok_or_else(|| webhook_not_found(id))?;
        let deliveries: Vec<Delivery> = self.store.deliveries(id, filter, limit).await?;
        Ok(json!({ "deliveries": deliveries }))
    }

    /// `redeliver(deliveryId)` → `{ delivery }`: due again now, with a new schedule.
    pub async fn redeliver(&self, caller: &Caller, delivery_id: &str) -> MembersResult<Value> {
        caller.require_admin("redeliver")?;
        if !self.store.redeliver(delivery_id, self.now()).await? {
            return Err(match self.store.delivery(delivery_id).await? {
                Some(_) => MembersError::new(
                    ErrorCode::FailedPrecondition,
                    "DELIVERY_PENDING",
                    format!(
                        "delivery {delivery_id} is still being delivered; \
                         redeliver it once it is delivered or dead"
                    ),
                ),
                None => delivery_not_found(delivery_id),
            });
        }
        let delivery = self
            .store
            .delivery(delivery_id)
            .await?
            .ok_or_else(|| delivery_not_found(delivery_id))?;
        Ok(json!({ "delivery": delivery }))
    }

    /// The site's RSA key pair `(private, public)`, made on first use.
    pub(crate) async fn wix_key_pair(&self) -> MembersResult<(String, String)> {
        let read = |text: String| -> MembersResult<(String, String)> {
            let pair: Value = serde_json::from_str(&text)
                .map_err(|_| MembersError::internal("the stored webhook key pair is damaged"))?;
            match (pair["privateKey"].as_str(), pair["publicKey"].as_str()) {
                (Some(private), Some(public)) => Ok((private.to_string(), public.to_string())),
                _ => Err(MembersError::internal(
                    "the stored webhook key pair is damaged",
                )),
            }
        };
        if let Some(text) = self.store.setting(KEY_PAIR_SETTING).await? {
            return read(text);
        }
        let signer = self.signer.as_deref().ok_or_else(signer_missing)?;
        let (private, public) = signer.generate_key_pair()?;
        let pair = json!({ "privateKey": private, "publicKey": public }).to_string();
        // Another process may have stored its pair first: the stored one wins.
        self.store.set_setting_once(KEY_PAIR_SETTING, &pair).await?;
        let stored = self.store.setting(KEY_PAIR_SETTING).await?;
        read(stored.ok_or_else(|| MembersError::internal("the webhook key pair was not stored"))?)
    }

    /// Wix's `instanceId` of this site.
    pub(crate) async fn instance_id(&self) -> MembersResult<String> {
        if let Some(id) = self.store.setting("instance_id").await? {
            return Ok(id);
        }
        self.store
            .set_setting_once("instance_id", &new_uuid()?)
            .await?;
        self.store
            .setting("instance_id")
            .await?
            .ok_or_else(|| MembersError::internal("the instance id was not stored"))
    }
}
