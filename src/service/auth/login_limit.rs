//! Limits on attempts (SPEC §10): failed logins, and also registrations and
//! set-password mails, counted per email and per client network in fixed
//! windows, in the store, so every server process sharing the database sees the
//! same counts. Each attempt is counted before it is carried out, so attempts in
//! flight together can not all slip under a limit.

use crate::model::text::unique_key;
use crate::model::{ErrorCode, MembersError, MembersResult, Timestamp};
use crate::service::Engine;
use crate::store::Store;
use serde_json::json;
use std::net::IpAddr;

/// How many attempts are allowed, and over how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimit {
    /// Attempts per email per window.
    pub per_email: u32,
    /// Attempts per client network per window (higher: many people share one).
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

/// What is being limited; each kind has counters of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// A login (a right password takes its count back).
    Login,
    /// A registration (per network only: a new email is new every time).
    Register,
    /// A set-password mail.
    SetPasswordMail,
    /// A verification mail (SPEC §10).
    VerificationMail,
    /// An attempt at `verifyEmail` (per network; each code also counts its own).
    VerifyEmail,
    /// A page admin's sign-in (per network; a right key takes its count back).
    AdminLogin,
}

impl Attempt {
    fn prefix(self) -> &'static str {
        match self {
            Attempt::Login => "login",
            Attempt::Register => "register",
            Attempt::SetPasswordMail => "mail",
            Attempt::VerificationMail => "verify-mail",
            Attempt::VerifyEmail => "verify",
            Attempt::AdminLogin => "admin",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Attempt::Login => "failed logins",
            Attempt::Register => "registrations",
            Attempt::SetPasswordMail => "set-password mails",
            Attempt::VerificationMail => "verification mails",
            Attempt::VerifyEmail => "verification attempts",
            Attempt::AdminLogin => "failed admin sign-ins",
        }
    }
}

/// The client network an address counts under: an IPv4 address, or an IPv6
/// /64 (one subscriber holds a whole /64, so single addresses would be free).
fn network_of(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => address.chars().take(64).collect(),
    }
}

/// The counters one attempt touches, network first, with their limits.
pub(crate) struct AttemptKeys {
    attempt: Attempt,
    network: Option<(String, u32)>,
    email: Option<(String, u32)>,
}

impl AttemptKeys {
    /// The counters of an attempt of `attempt` for `email` (if it counts) from
    /// `address` (if known). `email` must already be a plausible email: the key
    /// holds it, and the store must not hold whatever a caller sends.
    pub(crate) fn new(
        attempt: Attempt,
        limit: &LoginLimit,
        email: Option<&str>,
        address: Option<&str>,
    ) -> AttemptKeys {
        let prefix = attempt.prefix();
        AttemptKeys {
            attempt,
            network: address.map(|a| {
                (
                    format!("{prefix}:address:{}", network_of(a)),
                    limit.per_address,
                )
            }),
            email: email.map(|e| (format!("{prefix}:email:{}", unique_key(e)), limit.per_email)),
        }
    }
}

/// `RESOURCE_EXHAUSTED` / `RATE_LIMITED`, saying when to try again.
fn rate_limited(attempt: Attempt, retry_after_ms: i64) -> MembersError {
    let seconds = ((retry_after_ms.max(0) + 999) / 1000).max(1);
    MembersError::new(
        ErrorCode::ResourceExhausted,
        "RATE_LIMITED",
        format!(
            "too many {}: try again in {seconds} seconds",
            attempt.what()
        ),
    )
    .with_data(json!({ "retryAfterSeconds": seconds }))
}

impl<S: Store> Engine<S> {
    fn window_opened_after(&self, now: Timestamp) -> Timestamp {
        Timestamp(now.millis() - self.policy.login_limit.window_ms)
    }

    /// Counts the attempt on its network's counter, then its email's, and refuses
    /// it at the first counter past its limit (a refused network does not touch
    /// the email's counter, so it can not fill the store with new keys).
    pub(crate) async fn admit(&self, keys: &AttemptKeys) -> MembersResult<()> {
        let now = self.now();
        let after = self.window_opened_after(now);
        for (key, limit) in keys.network.iter().chain(keys.email.iter()) {
            let counted = self.store.add_failure(key, now, after).await?;
            if counted.count == 1 {
                // A new window: a good moment to sweep what has expired, so no
                // table grows forever however the site is used.
                self.store.prune(now, after).await?;
            }
            if counted.count > *limit {
                let ends = counted.window_start.millis() + self.policy.login_limit.window_ms;
                return Err(rate_limited(keys.attempt, ends - now.millis()));
            }
        }
        Ok(())
    }

    /// The password was right: the email's counter is cleared, and the network
    /// takes this attempt's count back (one success must not reset a guesser
    /// trying many emails).
    pub(crate) async fn login_succeeded(&self, keys: &AttemptKeys) -> MembersResult<()> {
        if let Some((key, _)) = &keys.email {
            self.store.clear_failures(key).await?;
        }
        if let Some((key, _)) = &keys.network {
            self.store.forgive_failure(key).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_subscriber_counts_as_one_network_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            network_of("2001:db8:1:2:aaaa::1"),
            network_of("2001:db8:1:2:bbbb::2")
        );
        assert_ne!(network_of("2001:db8:1:2::1"), network_of("2001:db8:1:3::1"));
        assert_eq!(network_of("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(network_of("203.0.113.9"), "203.0.113.9");
        assert_eq!(network_of(&"x".repeat(500)).len(), 64);
    }
}
