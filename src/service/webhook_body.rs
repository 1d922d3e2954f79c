//! The two webhook formats of SPEC §9, byte for byte: what is POSTed and with
//! which headers, signed for one attempt.
//!
//! - `standard`: Standard Webhooks v1. Body `{ type, timestamp, data }`, headers
//!   `webhook-id` (the event id), `webhook-timestamp` (this attempt, Unix
//!   seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 over
//!   `id.timestamp.body`; while a secret rotates, both sign, space-separated).
//! - `wix`: what Wix sends. The body is an RS256 JWT whose `data` claim is the JSON
//!   text of `{ eventType, instanceId, data: <envelope JSON text>, identity:
//!   <identity JSON text> }` (docs/wix-webhook-format.md has what the official SDK
//!   checks). The RSA signature itself is the host's (`WebhookSigner`).

use super::webhooks::WebhookSigner;
use crate::model::webhook::{WebhookFormat, WebhookRecord};
use crate::model::{MemberEvent, MembersError, MembersResult, Timestamp};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;

/// How long a `wix` body stays valid after it was signed (the JWT `exp`).
const JWT_LIFETIME_SECONDS: i64 = 3600;

/// One request, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedRequest {
    pub body: String,
    pub headers: Map<String, Value>,
}

/// What signing a `wix` body needs: the site's id and its private key.
pub struct WixKey<'a> {
    pub instance_id: &'a str,
    pub private_key: &'a str,
    pub signer: &'a dyn WebhookSigner,
}

/// The request delivering `event` to `endpoint`, signed for an attempt at `now`.
pub fn signed_request(
    endpoint: &WebhookRecord,
    event: &MemberEvent,
    now: Timestamp,
    wix: Option<WixKey<'_>>,
) -> MembersResult<SignedRequest> {
    let mut headers = Map::new();
    headers.insert("user-agent".into(), json!("universal-members-webhooks"));
    match endpoint.format {
        WebhookFormat::Standard => {
            let body = json!({
                "type": event.kind.event_type(),
                "timestamp": event.time,
                "data": event.wire_envelope(),
            })
            .to_string();
            let seconds = now.millis().div_euclid(1000);
            let mut signatures = vec![standard_signature(
                &endpoint.secret,
                &event.id,
                seconds,
                &body,
            )?];
            if let (Some(previous), Some(until)) =
                (&endpoint.previous_secret, endpoint.previous_until)
            {
                if now < until {
                    signatures.push(standard_signature(previous, &event.id, seconds, &body)?);
                }
            }
            headers.insert("content-type".into(), json!("application/json"));
            headers.insert("webhook-id".into(), json!(event.id));
            headers.insert("webhook-timestamp".into(), json!(seconds.to_string()));
            headers.insert("webhook-signature".into(), json!(signatures.join(" ")));
            Ok(SignedRequest { body, headers })
        }
        WebhookFormat::Wix => {
            let key = wix.ok_or_else(signer_missing)?;
            let body = wix_jwt(event, now, &key)?;
            headers.insert("content-type".into(), json!("text/plain"));
            Ok(SignedRequest { body, headers })
        }
    }
}

/// `v1,` + base64 of HMAC-SHA256(secret, `id.timestamp.body`); the key is the
/// base64 after `whsec_`.
pub fn standard_signature(
    secret: &str,
    id: &str,
    seconds: i64,
    body: &str,
) -> MembersResult<String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| MembersError::internal("a webhook secret is not valid base64"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|_| MembersError::internal("a webhook secret has an invalid length"))?;
    mac.update(format!("{id}.{seconds}.{body}").as_bytes());
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

fn wix_jwt(event: &MemberEvent, now: Timestamp, key: &WixKey<'_>) -> MembersResult<String> {
    let data = json!({
        "eventType": event.kind.event_type(),
        "instanceId": key.instance_id,
        "data": event.wire_envelope().to_string(),
        "identity": event.identity.to_string(),
    })
    .to_string();
    let iat = now.millis().div_euclid(1000);
    let header = URL_SAFE_NO_PAD.encode(json!({ "alg": "RS256", "typ": "JWT" }).to_string());
    let claims = URL_SAFE_NO_PAD
        .encode(json!({ "data": data, "iat": iat, "exp": iat + JWT_LIFETIME_SECONDS }).to_string());
    let input = format!("{header}.{claims}");
    let signature = key.signer.sign_rs256(key.private_key, &input)?;
    Ok(format!("{input}.{signature}"))
}

/// `wix` endpoints need the host's RSA signer.
pub fn signer_missing() -> MembersError {
    MembersError::new(
        crate::model::ErrorCode::FailedPrecondition,
        "SIGNER_MISSING",
        "the wix webhook format needs an RSA signer (the Node package provides one)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector of the Standard Webhooks reference library.
    #[test]
    fn standard_signature_matches_the_reference_vector() {
        let signature = standard_signature(
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1_649_367_553,
            r#"{"email":"test@example.com","username":"test_user"}"#,
        )
        .unwrap();
        assert_eq!(signature, "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
    }
}
