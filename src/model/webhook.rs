//! Webhook endpoints and their deliveries (SPEC §9): what is stored, what callers
//! see, and the checks on what an admin sends in.
//!
//! A `WebhookView` never holds a secret: the type keeps it out of every reply.

use super::event::{EventKind, EVENT_KINDS};
use super::timestamp::Timestamp;
use super::{MembersError, MembersResult};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};

/// How deliveries to an endpoint are shaped and signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    /// Standard Webhooks v1: HMAC-SHA256 headers over a JSON body.
    Standard,
    /// What Wix sends: an RS256 JWT as the body.
    Wix,
}

impl WebhookFormat {
    /// `standard` or `wix`.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookFormat::Standard => "standard",
            WebhookFormat::Wix => "wix",
        }
    }

    /// Parses `standard` / `wix`; anything else is `INVALID_ARGUMENT` on `format`.
    pub fn parse(text: &str) -> MembersResult<WebhookFormat> {
        match text {
            "standard" => Ok(WebhookFormat::Standard),
            "wix" => Ok(WebhookFormat::Wix),
            other => Err(MembersError::invalid_field(
                "format",
                "VALUE",
                format!("must be \"standard\" or \"wix\", got {other:?}"),
            )),
        }
    }
}

/// An endpoint as stored, secrets included. Only the service reads the secrets.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookRecord {
    pub id: String,
    pub url: String,
    pub format: WebhookFormat,
    pub events: Vec<EventKind>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub created_date: Timestamp,
    /// `whsec_…` (standard); empty for wix.
    pub secret: String,
    /// The secret before the last rotation, still signing until `previous_until`.
    pub previous_secret: Option<String>,
    pub previous_until: Option<Timestamp>,
}

/// An endpoint as callers see it: no secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookView {
    #[serde(rename = "_id")]
    pub id: String,
    pub url: String,
    pub format: WebhookFormat,
    pub events: Vec<EventKind>,
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    #[serde(rename = "_createdDate")]
    pub created_date: Timestamp,
}

impl WebhookRecord {
    /// The endpoint without its secrets.
    pub fn view(&self) -> WebhookView {
        WebhookView {
            id: self.id.clone(),
            url: self.url.clone(),
            format: self.format,
            events: self.events.clone(),
            enabled: self.enabled,
            disabled_reason: self.disabled_reason.clone(),
            created_date: self.created_date,
        }
    }

    /// The stored form of `events`: `,created,updated,` (matched with LIKE).
    pub fn events_column(&self) -> String {
        let slugs: Vec<&str> = self.events.iter().map(|k| k.slug()).collect();
        format!(",{},", slugs.join(","))
    }

    /// Reads the stored form of `events`.
    pub fn events_from_column(column: &str) -> Vec<EventKind> {
        column.split(',').filter_map(EventKind::from_slug).collect()
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryStatus {
    /// Not yet delivered: due, leased, or waiting for a retry.
    Pending,
    /// A 2xx answer came back.
    Delivered,
    /// Every attempt of the schedule failed (or the endpoint answered 410).
    Dead,
}

impl DeliveryStatus {
    /// The stored name.
    pub fn column(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }

    /// Reads the stored name.
    pub fn from_column(text: &str) -> DeliveryStatus {
        match text {
            "delivered" => DeliveryStatus::Delivered,
            "dead" => DeliveryStatus::Dead,
            _ => DeliveryStatus::Pending,
        }
    }
}

/// Which deliveries `listWebhookDeliveries` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryFilter {
    All,
    Only(DeliveryStatus),
    /// Those whose last attempt failed (waiting for a retry, or dead).
    Failed,
}

impl DeliveryFilter {
    /// Parses `ALL|PENDING|DELIVERED|DEAD|FAILED` (absent: ALL).
    pub fn parse(text: Option<&str>) -> MembersResult<DeliveryFilter> {
        Ok(match text.map(str::to_ascii_uppercase).as_deref() {
            None | Some("ALL") => DeliveryFilter::All,
            Some("PENDING") => DeliveryFilter::Only(DeliveryStatus::Pending),
            Some("DELIVERED") => DeliveryFilter::Only(DeliveryStatus::Delivered),
            Some("DEAD") => DeliveryFilter::Only(DeliveryStatus::Dead),
            Some("FAILED") => DeliveryFilter::Failed,
            Some(other) => {
                return Err(MembersError::invalid_field(
                    "status",
                    "VALUE",
                    format!("must be ALL, PENDING, DELIVERED, DEAD or FAILED, got {other:?}"),
                ))
            }
        })
    }
}

/// One attempt to deliver.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    #[serde(rename = "_createdDate")]
    pub date: Timestamp,
    /// The HTTP status, or none when no answer came.
    pub status: Option<u16>,
    pub duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One event for one endpoint, with its attempts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    #[serde(rename = "_id")]
    pub id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_type: String,
    pub entity_id: String,
    pub status: DeliveryStatus,
    pub attempt_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_date: Option<Timestamp>,
    #[serde(rename = "_createdDate")]
    pub created_date: Timestamp,
    pub attempts: Vec<Attempt>,
    /// Whether the last attempt failed (for the FAILED filter).
    #[serde(skip)]
    pub last_failed: bool,
}

/// The longest endpoint URL accepted.
pub const MAX_URL_LENGTH: usize = 2048;

/// Checks an endpoint URL: http(s), a host, at most `MAX_URL_LENGTH` characters,
/// and, unless `allow_private`, not a literal loopback, private or link-local
/// address nor `localhost` (names are checked again on the address connected to).
pub fn check_webhook_url(url: &str, allow_private: bool) -> MembersResult<()> {
    let bad = |rule: &str, message: String| Err(MembersError::invalid_field("url", rule, message));
    if url.chars().count() > MAX_URL_LENGTH {
        return bad(
            "MAX_LENGTH",
            format!("must be at most {MAX_URL_LENGTH} characters"),
        );
    }
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        rest
    } else {
        return bad(
            "FORMAT",
            format!("{url:?} must start with http:// or https://"),
        );
    };
    // A backslash is a slash to the WHATWG URL parser (Node's): refuse it rather
    // than read another host than the sender will.
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return bad(
            "FORMAT",
            "must not contain spaces, control characters or backslashes".into(),
        );
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host_port.split(':').next().unwrap_or("")
    };
    if host.is_empty() {
        return bad("FORMAT", format!("{url:?} has no host"));
    }
    if host.contains('%') || !host.is_ascii() {
        return bad(
            "FORMAT",
            format!(
                "the host {host:?} must be plain ASCII (punycode for other names), not escaped"
            ),
        );
    }
    // `127.1`, `2130706433` or `0x7f.1` are IPv4 addresses to URL parsers: only
    // the dotted form is taken, so what is checked here is what is connected to.
    let last_label = host.trim_end_matches('.').rsplit('.').next().unwrap_or("");
    let numeric = !last_label.is_empty()
        && (last_label.bytes().all(|b| b.is_ascii_digit())
            || last_label.to_ascii_lowercase().starts_with("0x"));
    if numeric && host.parse::<Ipv4Addr>().is_err() && host.parse::<IpAddr>().is_err() {
        return bad(
            "FORMAT",
            format!("{host} is not a dotted IPv4 address (a.b.c.d) nor a host name"),
        );
    }
    if !allow_private {
        let lower = host.trim_end_matches('.').to_ascii_lowercase();
        let private = lower == "localhost"
            || lower.ends_with(".localhost")
            || host
                .parse::<IpAddr>()
                .is_ok_and(|ip| is_private_address(&ip));
        if private {
            return bad(
                "PRIVATE_ADDRESS",
                format!(
                    "{host} is a loopback, private or link-local address \
                     (set MEMBERS_WEBHOOK_ALLOW_PRIVATE=1 for local development)"
                ),
            );
        }
    }
    Ok(())
}

/// Loopback, private, shared, link-local or unspecified: not a public server.
pub fn is_private_address(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_v4(&v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

fn is_private_v4(v4: &Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || (a == 100 && (64..128).contains(&b))
        || a == 0
}

/// `events` of a new endpoint: a non-empty list of `created|updated|deleted`
/// (absent: all three).
pub fn parse_event_kinds(value: &serde_json::Value) -> MembersResult<Vec<EventKind>> {
    let list = match value {
        serde_json::Value::Null => return Ok(EVENT_KINDS.to_vec()),
        serde_json::Value::Array(list) if !list.is_empty() => list,
        _ => {
            return Err(MembersError::invalid_field(
                "events",
                "TYPE",
                "must be a non-empty list of \"created\", \"updated\", \"deleted\"",
            ))
        }
    };
    let mut kinds = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let kind = item
            .as_str()
            .and_then(EventKind::from_slug)
            .ok_or_else(|| {
                MembersError::invalid_field(
                    &format!("events[{i}]"),
                    "VALUE",
                    format!("must be \"created\", \"updated\" or \"deleted\", got {item}"),
                )
            })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http_with_a_public_host() {
        assert!(check_webhook_url("https://example.com/hook", false).is_ok());
        assert!(check_webhook_url("ftp://example.com/hook", false).is_err());
        assert!(check_webhook_url("http://127.0.0.1:9/x", false).is_err());
        assert!(check_webhook_url("http://[::1]/x", false).is_err());
        assert!(check_webhook_url("http://10.1.2.3/x", false).is_err());
        assert!(check_webhook_url("http://169.254.169.254/x", false).is_err());
        assert!(check_webhook_url("http://localhost/x", false).is_err());
        for sneaky in [
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://0x7f.1/",
            "http://127.1/",
            "http://127.0.0.1\\@example.com/",
            "http://localhost./",
            "http://%31%32%37.0.0.1/",
        ] {
            assert!(check_webhook_url(sneaky, false).is_err(), "{sneaky}");
        }
        assert!(check_webhook_url("http://127.0.0.1:9/x", true).is_ok());
        let long = format!("https://example.com/{}", "a".repeat(10_000));
        let error = check_webhook_url(&long, false).unwrap_err();
        assert!(error.message.contains("url"), "{}", error.message);
    }
}
