//! The outbox of the memory store: events, endpoints, deliveries and attempts in
//! plain collections. One process holds them, so a write and its events are
//! appended together with no await between them (atomic).

use super::memory::MemoryStore;
use super::outbox::{Claim, Finished, NextStep, OutboxStore};
use crate::model::event::StoredEvent;
use crate::model::webhook::{Attempt, Delivery, DeliveryFilter, DeliveryStatus, WebhookRecord};
use crate::model::{MemberEvent, MembersResult, Timestamp};
use std::collections::HashMap;

/// One delivery of the memory store.
#[derive(Debug, Clone)]
struct MemoryDelivery {
    id: u64,
    endpoint_id: String,
    position: u64,
    status: DeliveryStatus,
    attempts: Vec<Attempt>,
    /// Attempts of the current schedule (a redelivery starts a new one).
    scheduled_attempts: u32,
    last_failed: bool,
    next_attempt: Timestamp,
    lease: Option<(String, Timestamp)>,
    created: Timestamp,
}

/// Events and deliveries kept in this process.
#[derive(Debug, Default)]
pub struct MemoryOutbox {
    events: Vec<StoredEvent>,
    endpoints: Vec<WebhookRecord>,
    deliveries: Vec<MemoryDelivery>,
    next_delivery: u64,
    /// The last position handed out: never reused, even once pruned.
    last_position: u64,
    settings: HashMap<String, String>,
}

impl MemoryOutbox {
    /// Appends events after a write, with one delivery per subscribed endpoint.
    pub fn append(&mut self, events: &[MemberEvent]) {
        for event in events {
            self.last_position += 1;
            let position = self.last_position;
            for endpoint in &self.endpoints {
                if endpoint.enabled && endpoint.events.contains(&event.kind) {
                    self.next_delivery += 1;
                    self.deliveries.push(MemoryDelivery {
                        id: self.next_delivery,
                        endpoint_id: endpoint.id.clone(),
                        position,
                        status: DeliveryStatus::Pending,
                        attempts: Vec::new(),
                        scheduled_attempts: 0,
                        last_failed: false,
                        next_attempt: event.time,
                        lease: None,
                        created: event.time,
                    });
                }
            }
            self.events.push(StoredEvent {
                position,
                event: event.clone(),
            });
        }
    }

    fn event_at(&self, position: u64) -> Option<&MemberEvent> {
        self.events
            .binary_search_by_key(&position, |e| e.position)
            .ok()
            .map(|i| &self.events[i].event)
    }

    fn view(&self, d: &MemoryDelivery) -> Option<Delivery> {
        let event = self.event_at(d.position)?;
        Some(Delivery {
            id: d.id.to_string(),
            webhook_id: d.endpoint_id.clone(),
            event_id: event.id.clone(),
            event_type: event.kind.event_type(),
            entity_id: event.member_id.to_string(),
            status: d.status,
            attempt_count: d.attempts.len() as u32,
            next_attempt_date: (d.status == DeliveryStatus::Pending).then_some(d.next_attempt),
            created_date: d.created,
            attempts: d.attempts.clone(),
            last_failed: d.last_failed,
        })
    }
}

impl OutboxStore for MemoryStore {
    async fn events_after(
        &self,
        position: u64,
        limit: u32,
        _own_only: bool,
    ) -> MembersResult<Vec<StoredEvent>> {
        let outbox = self.outbox.borrow();
        let start = outbox.events.partition_point(|e| e.position <= position);
        Ok(outbox.events[start..]
            .iter()
            .take(limit as usize)
            .cloned()
            .collect())
    }

    async fn latest_position(&self) -> MembersResult<u64> {
        Ok(self.outbox.borrow().last_position)
    }

    async fn insert_webhook(&self, webhook: &WebhookRecord) -> MembersResult<()> {
        self.outbox.borrow_mut().endpoints.push(webhook.clone());
        Ok(())
    }

    async fn webhooks(&self) -> MembersResult<Vec<WebhookRecord>> {
        Ok(self.outbox.borrow().endpoints.clone())
    }

    async fn webhook(&self, id: &str) -> MembersResult<Option<WebhookRecord>> {
        Ok(self
            .outbox
            .borrow()
            .endpoints
            .iter()
            .find(|w| w.id == id)
            .cloned())
    }

    async fn delete_webhook(&self, id: &str) -> MembersResult<bool> {
        let mut outbox = self.outbox.borrow_mut();
        let before = outbox.endpoints.len();
        outbox.endpoints.retain(|w| w.id != id);
        outbox.deliveries.retain(|d| d.endpoint_id != id);
        Ok(outbox.endpoints.len() < before)
    }

    async fn rotate_webhook_secret(
        &self,
        id: &str,
        secret: &str,
        previous_until: Timestamp,
    ) -> MembersResult<bool> {
        let mut outbox = self.outbox.borrow_mut();
        let Some(endpoint) = outbox.endpoints.iter_mut().find(|w| w.id == id) else {
            return Ok(false);
        };
        endpoint.previous_secret = Some(std::mem::replace(&mut endpoint.secret, secret.into()));
        endpoint.previous_until = Some(previous_until);
        Ok(true)
    }

    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        token: &str,
        limit: u32,
    ) -> MembersResult<Vec<Claim>> {
        let mut outbox = self.outbox.borrow_mut();
        let enabled: Vec<String> = outbox
            .endpoints
            .iter()
            .filter(|w| w.enabled)
            .map(|w| w.id.clone())
            .collect();
        // Deliveries are kept in position order, so the first pending one of each
        // (endpoint, member) is the head of its line.
        let mut heads_seen: std::collections::HashSet<(String, String)> = Default::default();
        let mut chosen = Vec::new();
        for (i, d) in outbox.deliveries.iter().enumerate() {
            if d.status != DeliveryStatus::Pending {
                continue;
            }
            let Some(event) = outbox.event_at(d.position) else {
                continue;
            };
            let line = (d.endpoint_id.clone(), event.member_id.to_string());
            if !heads_seen.insert(line) {
                continue;
            }
            let leased = d.lease.as_ref().is_some_and(|(_, until)| *until >= now);
            if enabled.contains(&d.endpoint_id) && d.next_attempt <= now && !leased {
                chosen.push(i);
                if chosen.len() >= limit as usize {
                    break;
                }
            }
        }
        let mut claims = Vec::new();
        for i in chosen {
            outbox.deliveries[i].lease = Some((token.to_string(), lease_until));
            let d = outbox.deliveries[i].clone();
            let endpoint = outbox.endpoints.iter().find(|w| w.id == d.endpoint_id);
            if let (Some(endpoint), Some(event)) = (endpoint, outbox.event_at(d.position)) {
                claims.push(Claim {
                    delivery_id: d.id.to_string(),
                    lease_token: token.to_string(),
                    attempts: d.scheduled_attempts,
                    endpoint: endpoint.clone(),
                    event: event.clone(),
                });
            }
        }
        Ok(claims)
    }

    async fn leased_attempts(&self, delivery_id: &str, token: &str) -> MembersResult<Option<u32>> {
        let outbox = self.outbox.borrow();
        Ok(outbox
            .deliveries
            .iter()
            .find(|d| d.id.to_string() == delivery_id)
            .filter(|d| d.lease.as_ref().is_some_and(|(t, _)| t == token))
            .map(|d| d.scheduled_attempts))
    }

    async fn finish_attempts(&self, finished: &[Finished]) -> MembersResult<Vec<bool>> {
        let mut outbox = self.outbox.borrow_mut();
        let mut recorded = Vec::with_capacity(finished.len());
        for f in finished {
            let Some(d) = outbox.deliveries.iter_mut().find(|d| {
                d.id.to_string() == f.delivery_id
                    && d.lease.as_ref().is_some_and(|(t, _)| *t == f.lease_token)
            }) else {
                recorded.push(false);
                continue;
            };
            d.attempts.push(f.attempt.clone());
            d.scheduled_attempts += 1;
            d.lease = None;
            d.last_failed = f.next != NextStep::Delivered;
            let endpoint_id = d.endpoint_id.clone();
            match &f.next {
                NextStep::Delivered => d.status = DeliveryStatus::Delivered,
                NextStep::Retry(at) => d.next_attempt = *at,
                NextStep::Dead => d.status = DeliveryStatus::Dead,
                NextStep::Disable(reason) => {
                    d.status = DeliveryStatus::Dead;
                    if let Some(w) = outbox.endpoints.iter_mut().find(|w| w.id == endpoint_id) {
                        w.enabled = false;
                        w.disabled_reason = Some(reason.clone());
                    }
                }
            }
            recorded.push(true);
        }
        Ok(recorded)
    }

    async fn release_leases(&self, tokens: &[String]) -> MembersResult<()> {
        for d in self.outbox.borrow_mut().deliveries.iter_mut() {
            if d.lease.as_ref().is_some_and(|(t, _)| tokens.contains(t)) {
                d.lease = None;
            }
        }
        Ok(())
    }

    async fn deliveries(
        &self,
        webhook_id: &str,
        filter: DeliveryFilter,
        limit: u32,
    ) -> MembersResult<Vec<Delivery>> {
        let outbox = self.outbox.borrow();
        Ok(outbox
            .deliveries
            .iter()
            .rev()
            .filter(|d| d.endpoint_id == webhook_id)
            .filter(|d| match filter {
                DeliveryFilter::All => true,
                DeliveryFilter::Only(status) => d.status == status,
                DeliveryFilter::Failed => d.last_failed && d.status != DeliveryStatus::Delivered,
            })
            .take(limit as usize)
            .filter_map(|d| outbox.view(d))
            .collect())
    }

    async fn delivery(&self, delivery_id: &str) -> MembersResult<Option<Delivery>> {
        let outbox = self.outbox.borrow();
        Ok(outbox
            .deliveries
            .iter()
            .find(|d| d.id.to_string() == delivery_id)
            .and_then(|d| outbox.view(d)))
    }

    async fn redeliver(&self, delivery_id: &str, now: Timestamp) -> MembersResult<bool> {
        let mut outbox = self.outbox.borrow_mut();
        let Some(d) = outbox
            .deliveries
            .iter_mut()
            .find(|d| d.id.to_string() == delivery_id)
        else {
            return Ok(false);
        };
        // Never one that is out now or waiting: two workers could send it at once.
        if d.status == DeliveryStatus::Pending {
            return Ok(false);
        }
        d.status = DeliveryStatus::Pending;
        d.last_failed = false;
        d.scheduled_attempts = 0;
        d.next_attempt = now;
        d.lease = None;
        Ok(true)
    }

    async fn prune_outbox(&self, before: Timestamp, batch: u32) -> MembersResult<u64> {
        let mut outbox = self.outbox.borrow_mut();
        let old_deliveries = outbox
            .deliveries
            .iter()
            .take_while(|d| d.created < before)
            .count()
            .min(batch as usize);
        outbox.deliveries.drain(..old_deliveries);
        let old_events = outbox
            .events
            .iter()
            .take_while(|e| e.event.time < before)
            .count()
            .min(batch as usize);
        outbox.events.drain(..old_events);
        Ok((old_deliveries + old_events) as u64)
    }

    async fn setting(&self, name: &str) -> MembersResult<Option<String>> {
        Ok(self.outbox.borrow().settings.get(name).cloned())
    }

    async fn set_setting_once(&self, name: &str, value: &str) -> MembersResult<()> {
        self.outbox
            .borrow_mut()
            .settings
            .entry(name.to_string())
            .or_insert_with(|| value.to_string());
        Ok(())
    }
}
