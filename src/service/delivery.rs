//! Webhook delivery decided here, sent by the host (SPEC §9): which deliveries a
//! worker takes (leases, the order per endpoint and member), what it sends (the
//! signed request), and what follows an attempt (delivered, a retry at which time,
//! dead, or the endpoint disabled). Also the event feed of the SSE stream and the
//! retention sweep. The host only does timers and HTTP.

use super::caller::Caller;
use super::engine::Engine;
use super::webhook_body::{signed_request, WixKey};
use crate::model::ids::{new_uuid, random_bytes};
use crate::model::webhook::{Attempt, WebhookFormat};
use crate::model::{MembersError, MembersResult, Timestamp};
use crate::store::{Finished, NextStep, Store};
use serde_json::{json, Value};

/// How long a worker holds a delivery: well past the 10 s send timeout, so a
/// lease only runs out when its worker died.
pub const LEASE_MS: i64 = 60_000;

/// Most deliveries one claim takes.
pub const MAX_CLAIM: u32 = 200;

/// The longest wait a `Retry-After` may ask for.
const MAX_RETRY_AFTER_MS: i64 = 24 * 3600 * 1000;

/// Most bytes of an attempt's error that are kept.
const MAX_ERROR_BYTES: usize = 1024;

/// Most rows one retention sweep removes from each table.
const PRUNE_BATCH: u32 = 500;

/// `text` cut to at most `max` bytes on a character boundary.
fn truncate(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date.
fn retry_after_ms(header: &str, now: Timestamp) -> Option<i64> {
    let header = header.trim();
    if let Ok(seconds) = header.parse::<i64>() {
        return Some(seconds.clamp(0, MAX_RETRY_AFTER_MS / 1000) * 1000);
    }
    http_date(header).map(|at| (at - now.millis()).max(0))
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) → Unix milliseconds.
fn http_date(text: &str) -> Option<i64> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == month)? + 1;
    let iso = format!("{year}-{month:02}-{day:0>2}T{time}Z");
    Timestamp::parse(&iso).map(|t| t.millis())
}

/// A random factor in 0.8..1.2, so retries of many deliveries spread out.
fn jitter() -> f64 {
    let mut byte = [0u8; 2];
    if random_bytes(&mut byte).is_err() {
        return 1.0;
    }
    0.8 + 0.4 * (f64::from(u16::from_le_bytes(byte)) / f64::from(u16::MAX))
}

impl<S: Store> Engine<S> {
    /// Leases up to `limit` due deliveries and returns each ready to send:
    /// `[{ deliveryId, leaseToken, url, body, headers }]`.
    pub async fn claim_webhook_deliveries(
        &self,
        caller: &Caller,
        limit: u32,
    ) -> MembersResult<Value> {
        caller.require_admin("claimWebhookDeliveries")?;
        let now = self.now();
        let token = new_uuid()?;
        let claims = self
            .store
            .claim_deliveries(
                now,
                Timestamp(now.millis() + LEASE_MS),
                &token,
                limit.clamp(1, MAX_CLAIM),
            )
            .await?;
        let wix = if claims
            .iter()
            .any(|c| c.endpoint.format == WebhookFormat::Wix)
        {
            // Without the key, only the wix requests wait (below); the rest go.
            match (self.wix_key_pair().await, self.instance_id().await) {
                (Ok((private_key, _)), Ok(instance_id)) => Some((instance_id, private_key)),
                _ => None,
            }
        } else {
            None
        };
        let mut requests = Vec::with_capacity(claims.len());
        let mut unsigned = Vec::new();
        for claim in &claims {
            let key = match (&wix, self.signer.as_deref()) {
                (Some((instance_id, private_key)), Some(signer)) => Some(WixKey {
                    instance_id,
                    private_key,
                    signer,
                }),
                _ => None,
            };
            // One request that can not be signed must not hold back the others:
            // it counts as a failed attempt and is retried on the schedule.
            let Ok(request) = signed_request(&claim.endpoint, &claim.event, now, key) else {
                unsigned.push(Finished {
                    delivery_id: claim.delivery_id.clone(),
                    lease_token: claim.lease_token.clone(),
                    attempt: Attempt {
                        date: now,
                        status: None,
                        duration_ms: 0,
                        error: Some("the request could not be signed".into()),
                    },
                    next: self.next_after_failure(claim.attempts, None, now),
                });
                continue;
            };
            requests.push(json!({
                "deliveryId": claim.delivery_id,
                "leaseToken": claim.lease_token,
                "url": claim.endpoint.url,
                "body": request.body,
                "headers": request.headers,
            }));
        }
        if !unsigned.is_empty() {
            self.store.finish_attempts(&unsigned).await?;
        }
        Ok(Value::Array(requests))
    }

    /// What follows failed attempt number `attempts + 1`: a retry after the
    /// schedule's wait (or a longer `Retry-After`, at most 24 h), or dead after
    /// the last.
    fn next_after_failure(
        &self,
        attempts: u32,
        retry_after: Option<&str>,
        now: Timestamp,
    ) -> NextStep {
        match self.webhook_policy.retry_schedule_ms.get(attempts as usize) {
            None => NextStep::Dead,
            Some(wait) => {
                let mut wait = (*wait as f64 * jitter()) as i64;
                if let Some(asked) = retry_after.and_then(|h| retry_after_ms(h, now)) {
                    wait = wait.max(asked.min(MAX_RETRY_AFTER_MS));
                }
                NextStep::Retry(Timestamp(now.millis() + wait))
            }
        }
    }

    /// Records attempts: `{ deliveryId, leaseToken, status, durationMs, error,
    /// retryAfter }` or a list of them (one transaction) → `{ outcome,
    /// nextAttemptDate? }` or a list. Outcome: `delivered`, `retry`, `dead`,
    /// `disabled` (410), or `stale` (the lease was lost; nothing recorded).
    pub async fn complete_webhook_delivery(
        &self,
        caller: &Caller,
        outcome: &Value,
    ) -> MembersResult<Value> {
        caller.require_admin("completeWebhookDelivery")?;
        let (list, single) = match outcome {
            Value::Array(list) => (list.clone(), false),
            Value::Object(_) => (vec![outcome.clone()], true),
            _ => {
                return Err(MembersError::invalid_field(
                    "outcome",
                    "TYPE",
                    "must be an object or a list of objects",
                ))
            }
        };
        let now = self.now();
        let mut finished = Vec::with_capacity(list.len());
        let mut known = Vec::with_capacity(list.len());
        for item in &list {
            let text = |key: &str| item[key].as_str().unwrap_or_default().to_string();
            let (delivery_id, lease_token) = (text("deliveryId"), text("leaseToken"));
            let Some(attempts) = self
                .store
                .leased_attempts(&delivery_id, &lease_token)
                .await?
            else {
                known.push(false);
                continue;
            };
            known.push(true);
            let status = item["status"].as_u64().and_then(|s| u16::try_from(s).ok());
            let duration_ms = item["durationMs"].as_f64().unwrap_or(0.0).max(0.0) as u64;
            let error = item["error"].as_str().map(|e| truncate(e, MAX_ERROR_BYTES));
            let next = match status {
                Some(200..=299) => NextStep::Delivered,
                Some(410) => NextStep::Disable("the endpoint answered 410 Gone".into()),
                _ => self.next_after_failure(attempts, item["retryAfter"].as_str(), now),
            };
            finished.push(Finished {
                delivery_id,
                lease_token,
                attempt: Attempt {
                    date: Timestamp(now.millis() - duration_ms as i64),
                    status,
                    duration_ms,
                    error: error.filter(|_| !matches!(status, Some(200..=299))),
                },
                next,
            });
        }
        let recorded = self.store.finish_attempts(&finished).await?;
        let mut results = recorded.iter().zip(&finished).map(|(ok, f)| {
            if !ok {
                return json!({ "outcome": "stale" });
            }
            match &f.next {
                NextStep::Delivered => json!({ "outcome": "delivered" }),
                NextStep::Retry(at) => json!({ "outcome": "retry", "nextAttemptDate": at }),
                NextStep::Dead => json!({ "outcome": "dead" }),
                NextStep::Disable(_) => json!({ "outcome": "disabled" }),
            }
        });
        let answers: Vec<Value> = known
            .iter()
            .map(|k| {
                if *k {
                    results.next().unwrap_or(json!({ "outcome": "stale" }))
                } else {
                    json!({ "outcome": "stale" })
                }
            })
            .collect();
        Ok(if single {
            answers.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(answers)
        })
    }

    /// Gives leases back unsent (a worker shutting down).
    pub async fn release_webhook_deliveries(
        &self,
        caller: &Caller,
        tokens: &[String],
    ) -> MembersResult<()> {
        caller.require_admin("releaseWebhookDeliveries")?;
        self.store.release_leases(tokens).await
    }

    /// Events after `position` for the event stream: `[{ position, eventType,
    /// envelope }]` in commit order.
    pub async fn events_after(
        &self,
        caller: &Caller,
        position: u64,
        limit: u32,
    ) -> MembersResult<Value> {
        caller.require_admin("eventsAfter")?;
        let events = self
            .store
            .events_after(position, limit.clamp(1, 1000), false)
            .await?;
        Ok(Value::Array(
            events
                .iter()
                .map(|stored| {
                    json!({
                        "position": stored.position,
                        "eventType": stored.event.kind.event_type(),
                        "envelope": stored.event.wire_envelope(),
                    })
                })
                .collect(),
        ))
    }

    /// The newest event's position (0 when none).
    pub async fn latest_event_position(&self, caller: &Caller) -> MembersResult<u64> {
        caller.require_admin("latestEventPosition")?;
        self.store.latest_position().await
    }

    /// One retention sweep: removes a batch of events, deliveries and attempts
    /// older than the retention → `{ removed }` (call again while it is above 0).
    pub async fn prune_outbox(&self, caller: &Caller) -> MembersResult<Value> {
        caller.require_admin("pruneOutbox")?;
        let days = i64::from(self.webhook_policy.retention_days);
        let before = Timestamp(self.now().millis() - days * 24 * 3600 * 1000);
        let removed = self.store.prune_outbox(before, PRUNE_BATCH).await?
            + self.prune_jobs(PRUNE_BATCH).await?;
        Ok(json!({ "removed": removed }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        let now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(retry_after_ms("120", now), Some(120_000));
        assert_eq!(
            retry_after_ms("Thu, 01 Jan 2026 00:01:00 GMT", now),
            Some(60_000)
        );
        assert_eq!(retry_after_ms("soon", now), None);
    }

    #[test]
    fn errors_are_cut_on_a_character_boundary() {
        assert_eq!(truncate("ééé", 3), "é");
    }
}
