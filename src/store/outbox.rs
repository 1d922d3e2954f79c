//! What a store keeps for events (SPEC §9): the outbox itself, webhook endpoints,
//! deliveries with their leases, and attempts. The events are written by the
//! member writes of `Store` in the same transaction; this trait reads them and
//! keeps the delivery state.
//!
//! It decides nothing about schedules or formats (the service does); it enforces
//! what only it can enforce without races: one lease per delivery at a time and
//! the head-of-line rule per (endpoint, member).

use crate::model::event::StoredEvent;
use crate::model::webhook::{Attempt, Delivery, DeliveryFilter, WebhookRecord};
use crate::model::{MemberEvent, MembersResult, Timestamp};

/// A delivery leased to one worker, with what it needs to send it.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub delivery_id: String,
    pub lease_token: String,
    /// Attempts made before this one.
    pub attempts: u32,
    pub endpoint: WebhookRecord,
    pub event: MemberEvent,
}

/// What happens to a delivery after an attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum NextStep {
    Delivered,
    /// Try again at this time.
    Retry(Timestamp),
    Dead,
    /// The endpoint said it is gone (410): the delivery is dead and the endpoint
    /// disabled, with this reason.
    Disable(String),
}

/// The record of one finished attempt, under the lease it was made with.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    pub delivery_id: String,
    pub lease_token: String,
    pub attempt: Attempt,
    pub next: NextStep,
}

/// The outbox side of a store. Futures are not `Send` (like `Store`).
#[allow(async_fn_in_trait)]
pub trait OutboxStore {
    /// Events after `position` in commit order, at most `limit`; with `own_only`,
    /// only those this store object wrote (in-process handlers).
    async fn events_after(
        &self,
        position: u64,
        limit: u32,
        own_only: bool,
    ) -> MembersResult<Vec<StoredEvent>>;

    /// The position of the newest event (0 when there is none).
    async fn latest_position(&self) -> MembersResult<u64>;

    /// Adds an endpoint.
    async fn insert_webhook(&self, webhook: &WebhookRecord) -> MembersResult<()>;

    /// Every endpoint, oldest first.
    async fn webhooks(&self) -> MembersResult<Vec<WebhookRecord>>;

    /// One endpoint.
    async fn webhook(&self, id: &str) -> MembersResult<Option<WebhookRecord>>;

    /// Removes an endpoint with its deliveries and attempts; false when unknown.
    async fn delete_webhook(&self, id: &str) -> MembersResult<bool>;

    /// Makes `secret` the endpoint's secret; the one before keeps signing until
    /// `previous_until`. False when unknown.
    async fn rotate_webhook_secret(
        &self,
        id: &str,
        secret: &str,
        previous_until: Timestamp,
    ) -> MembersResult<bool>;

    /// Leases at most `limit` due deliveries of enabled endpoints to `token` until
    /// `lease_until`: oldest first, only where every earlier delivery of the same
    /// (endpoint, member) is delivered or dead, and never one leased to another
    /// worker whose lease has not run out.
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        token: &str,
        limit: u32,
    ) -> MembersResult<Vec<Claim>>;

    /// Attempts made so far of a delivery, while `token` still holds its lease.
    async fn leased_attempts(&self, delivery_id: &str, token: &str) -> MembersResult<Option<u32>>;

    /// Records attempts and their outcome, each only while its lease is still held;
    /// returns, per entry, whether it was recorded (false: the lease was lost).
    async fn finish_attempts(&self, finished: &[Finished]) -> MembersResult<Vec<bool>>;

    /// Gives leases back unsent (graceful shutdown).
    async fn release_leases(&self, tokens: &[String]) -> MembersResult<()>;

    /// Deliveries of an endpoint, newest first, at most `limit`, with their attempts.
    async fn deliveries(
        &self,
        webhook_id: &str,
        filter: DeliveryFilter,
        limit: u32,
    ) -> MembersResult<Vec<Delivery>>;

    /// One delivery with its attempts.
    async fn delivery(&self, delivery_id: &str) -> MembersResult<Option<Delivery>>;

    /// Makes a delivery due again now with a fresh schedule; false when unknown.
    async fn redeliver(&self, delivery_id: &str, now: Timestamp) -> MembersResult<bool>;

    /// Removes up to `batch` of each of attempts, deliveries and events made before
    /// `before`; returns how many rows went.
    async fn prune_outbox(&self, before: Timestamp, batch: u32) -> MembersResult<u64>;

    /// A site setting shared by every process (`instance_id`, the Wix key pair).
    async fn setting(&self, name: &str) -> MembersResult<Option<String>>;

    /// Stores a setting unless it is set already (then the stored one stays).
    async fn set_setting_once(&self, name: &str, value: &str) -> MembersResult<()>;
}
