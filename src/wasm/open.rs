//! Opening the engine in this process (the engine build only): `Members.open()`
//! over the memory store or a SQL driver, with the site's policy read from its
//! options, and `parseDatabaseUrl` for the package to choose the driver. The
//! client build (browsers) has none of this: it only talks to a server.

use super::convert::{to_js, to_string_arg};
use super::error::to_js_error;
use super::hasher::JsPasswordHasher;
use super::mailer::JsMailer;
use super::members::{options_of, Members};
use super::signer::JsWebhookSigner;
use super::sql_driver::{HostSqlDriver, JsSqlDriver};
use super::transport::{Acting, LocalEngine, Transport};
use crate::model::{MembersError, MembersResult, PrivacyStatus, Timestamp};
use crate::service::{Approval, Caller, LoginLimit, SitePolicy, VerificationPolicy, WebhookPolicy};
use crate::store::{AnyStore, MemoryStore, SqlStore};
use serde_json::Value;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

fn policy_of(options: &Value) -> MembersResult<SitePolicy> {
    let mut policy = SitePolicy::default();
    match options["approval"].as_str() {
        None | Some("auto") => {}
        Some("manual") => policy.approval = Approval::Manual,
        Some(other) => {
            return Err(MembersError::invalid_field(
                "approval",
                "FORMAT",
                format!("must be \"auto\" or \"manual\", got {other:?}"),
            ))
        }
    }
    match options["defaultPrivacy"].as_str() {
        None | Some("PUBLIC") => {}
        Some("PRIVATE") => policy.default_privacy = PrivacyStatus::Private,
        Some(other) => {
            return Err(MembersError::invalid_field(
                "defaultPrivacy",
                "FORMAT",
                format!("must be PUBLIC or PRIVATE, got {other:?}"),
            ))
        }
    }
    policy.login_limit = login_limit_of(&options["loginLimit"])?;
    match &options["emailVerification"] {
        Value::Null => {}
        Value::String(text) => {
            policy.email_verification = VerificationPolicy::parse(text, "emailVerification")?
        }
        _ => {
            return Err(MembersError::invalid_field(
                "emailVerification",
                "TYPE",
                "must be \"off\" or \"required\"",
            ))
        }
    }
    Ok(policy)
}

/// `loginLimit: { perEmail, perAddress, windowSeconds }`, each a whole number > 0.
fn login_limit_of(value: &Value) -> MembersResult<LoginLimit> {
    let mut limit = LoginLimit::default();
    if value.is_null() {
        return Ok(limit);
    }
    if !value.is_object() {
        return Err(MembersError::invalid_field(
            "loginLimit",
            "TYPE",
            "must be an object",
        ));
    }
    let number = |key: &str| -> MembersResult<Option<u32>> {
        match &value[key] {
            Value::Null => Ok(None),
            v => v
                .as_u64()
                .filter(|n| (1..=u64::from(u32::MAX)).contains(n))
                .map(|n| Some(n as u32))
                .ok_or_else(|| {
                    MembersError::invalid_field(
                        &format!("loginLimit.{key}"),
                        "RANGE",
                        "must be a whole number above 0",
                    )
                }),
        }
    };
    if let Some(n) = number("perEmail")? {
        limit.per_email = n;
    }
    if let Some(n) = number("perAddress")? {
        limit.per_address = n;
    }
    if let Some(n) = number("windowSeconds")? {
        limit.window_ms = i64::from(n) * 1000;
    }
    Ok(limit)
}

/// `webhookAllowPrivate`, `retentionDays`, `webhookRetrySchedule` (seconds after
/// the 1st, 2nd, … failure).
fn webhook_policy_of(options: &Value) -> MembersResult<WebhookPolicy> {
    let mut policy = WebhookPolicy::default();
    match &options["webhookAllowPrivate"] {
        Value::Null => {}
        Value::Bool(allow) => policy.allow_private = *allow,
        _ => {
            return Err(MembersError::invalid_field(
                "webhookAllowPrivate",
                "TYPE",
                "must be true or false",
            ))
        }
    }
    match &options["retentionDays"] {
        Value::Null => {}
        value => {
            policy.retention_days = value
                .as_u64()
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| {
                    MembersError::invalid_field(
                        "retentionDays",
                        "RANGE",
                        "must be a whole number of days from 1 to 3650",
                    )
                })? as u32
        }
    }
    match &options["webhookRetrySchedule"] {
        Value::Null => {}
        Value::Array(waits) if !waits.is_empty() && waits.len() <= 20 => {
            policy.retry_schedule_ms = waits
                .iter()
                .map(|w| {
                    w.as_f64()
                        .filter(|s| *s >= 0.0 && *s <= 7.0 * 86_400.0)
                        .map(|s| (s * 1000.0) as i64)
                })
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    MembersError::invalid_field(
                        "webhookRetrySchedule",
                        "RANGE",
                        "each wait must be a number of seconds from 0 to 604800",
                    )
                })?
        }
        _ => {
            return Err(MembersError::invalid_field(
                "webhookRetrySchedule",
                "TYPE",
                "must be a list of 1 to 20 waits in seconds",
            ))
        }
    }
    Ok(policy)
}

/// Parses a database URL (SPEC §11) → `{ kind: 'memory'|'sqlite'|'postgres', target }`,
/// so the package opens the right driver; anything else is `INVALID_ARGUMENT`.
#[wasm_bindgen(js_name = parseDatabaseUrl)]
pub fn parse_database_url(url: JsValue) -> Result<JsValue, JsValue> {
    let url = to_string_arg(&url, "database").map_err(|e| to_js_error(&e))?;
    let location =
        crate::store::location::DatabaseLocation::parse(&url).map_err(|e| to_js_error(&e))?;
    Ok(to_js(&location.to_json()))
}

#[wasm_bindgen]
impl Members {
    /// Opens a members API over a database in this process, as a visitor.
    /// `options`: `{ approval: 'auto'|'manual', defaultPrivacy, loginLimit,
    /// emailVerification: 'off'|'required' }`;
    /// `driver` is a SQL driver from pkg/drivers, or `undefined` for the memory
    /// store; `mailer` (`{ send(message) }`) sends the set-password mail;
    /// `hasher` (`{ hash, verify }`) hashes passwords off this thread (without
    /// one they are hashed inline); `signer` (`{ generateKeyPair, signRs256 }`)
    /// signs `wix` webhooks. Options also take `webhookAllowPrivate`,
    /// `retentionDays` and `webhookRetrySchedule` (seconds).
    pub fn open(
        options: JsValue,
        driver: Option<JsSqlDriver>,
        mailer: Option<JsMailer>,
        hasher: Option<JsPasswordHasher>,
        signer: Option<JsWebhookSigner>,
    ) -> Result<Members, JsValue> {
        let options = options_of(&options).map_err(|e| to_js_error(&e))?;
        let policy = policy_of(&options).map_err(|e| to_js_error(&e))?;
        let webhook_policy = webhook_policy_of(&options).map_err(|e| to_js_error(&e))?;
        let store = match driver {
            Some(driver) => AnyStore::Sql(SqlStore::new(HostSqlDriver::new(driver))),
            None => AnyStore::Memory(MemoryStore::new()),
        };
        let mut engine: LocalEngine = LocalEngine::new(
            store,
            policy,
            Box::new(|| Timestamp(js_sys::Date::now() as i64)),
        );
        if let Some(mailer) = mailer {
            engine = engine.with_mailer(Box::new(mailer));
        }
        if let Some(hasher) = hasher {
            engine = engine.with_hasher(Box::new(hasher));
        }
        if let Some(signer) = signer {
            engine = engine.with_signer(Box::new(signer));
        }
        engine = engine.with_webhook_policy(webhook_policy);
        Ok(Members::new(
            Transport::Local(Rc::new(engine)),
            Acting::Caller(Caller::Visitor),
        ))
    }
}
