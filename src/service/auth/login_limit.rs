//! Failed-login limits (SPEC §10): failures are counted per email and per client
//! address in fixed windows, in the store, so every server process sharing the
//! database sees the same counts.

use crate::model::text::unique_key;
use crate::model::{ErrorCode, MembersError, MembersResult, Timestamp};
use crate::service::Engine;
use crate::store::Store;
use serde_json::json;

/// How many failed logins are allowed, and over how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimit {
    /// Failures per email per window.
    pub per_email: u32,
    /// Failures per client address per window (higher: many people can share one).
    pub per_address: u32,
    /// The window, in milliseconds.
    pub window_ms: i64,
}

impl Default for LoginLimit {
    fn default() -> Self {
        LoginLimit {
            per_email: 10,
            per_address: 50,
            window_ms: 15 * 60 * 1000,
        }
    }
}

/// The counters one login attempt touches, with their limits.
pub(crate) struct LoginKeys(Vec<(String, u32)>);

impl LoginKeys {
    /// The counters of a login for `email` from `address`.
    pub(crate) fn new(limit: &LoginLimit, email: &str, address: Option<&str>) -> LoginKeys {
        let mut keys = vec![(format!("email:{}", unique_key(email)), limit.per_email)];
        if let Some(address) = address {
            keys.push((format!("address:{address}"), limit.per_address));
        }
        LoginKeys(keys)
    }

    fn email_key(&self) -> &str {
        &self.0[0].0
    }
}

/// `RESOURCE_EXHAUSTED` / `RATE_LIMITED`, saying when to try again.
fn rate_limited(retry_after_ms: i64) -> MembersError {
    let seconds = (retry_after_ms.max(0) + 999) / 1000;
    let seconds = seconds.max(1);
    MembersError::new(
        ErrorCode::ResourceExhausted,
        "RATE_LIMITED",
        format!("too many failed logins: try again in {seconds} seconds"),
    )
    .with_data(json!({ "retryAfterSeconds": seconds }))
}

impl<S: Store> Engine<S> {
    fn window_opened_after(&self, now: Timestamp) -> Timestamp {
        Timestamp(now.millis() - self.policy.login_limit.window_ms)
    }

    /// Counts this attempt as a failure on every counter *before* the password
    /// is checked (so guesses in flight together can not all slip under the
    /// limit), and refuses it when any counter is now over its limit.
    pub(crate) async fn admit_login(&self, keys: &LoginKeys) -> MembersResult<()> {
        let now = self.now();
        let after = self.window_opened_after(now);
        let mut wait_ms = None;
        for (key, limit) in &keys.0 {
            let failures = self.store.add_failure(key, now, after).await?;
            if failures.count > *limit {
                let ends = failures.window_start.millis() + self.policy.login_limit.window_ms;
                wait_ms = wait_ms.max(Some(ends - now.millis()));
            }
        }
        match wait_ms {
            Some(ms) => Err(rate_limited(ms)),
            None => Ok(()),
        }
    }

    /// The password was right: the email's counter is cleared, and the address
    /// keeps only its real failures (one success must not reset a guesser trying
    /// many emails). Expired sessions, tickets and counters are swept at the same
    /// time, so no table grows forever.
    pub(crate) async fn login_succeeded(&self, keys: &LoginKeys) -> MembersResult<()> {
        self.store.clear_failures(keys.email_key()).await?;
        for (key, _) in keys.0.iter().skip(1) {
            self.store.forgive_failure(key).await?;
        }
        let now = self.now();
        self.store.prune(now, self.window_opened_after(now)).await
    }
}
