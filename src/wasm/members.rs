//! The JS `Members` class: every call of SPEC §5 for one caller, each returning a
//! Promise. It turns JS arguments into an `Operation` and the `Reply` back into JS;
//! the rules live in the service.

use super::authentication::Authentication;
use super::convert::{to_js, to_json, to_string_arg};
use super::error::to_js_error;
use super::hasher::JsPasswordHasher;
use super::http::HttpTarget;
use super::mailer::JsMailer;
use super::query_builder::MembersQueryBuilder;
use super::sql_driver::JsSqlDriver;
use super::transport::{Acting, LocalEngine, Transport};
use super::webhooks::JsWebhookSigner;
use crate::api::Operation;
use crate::model::decode::decode;
use crate::model::{Fieldset, MemberId, MembersError, MembersResult, PrivacyStatus, Timestamp};
use crate::service::{
    Approval, Caller, ContactList, EventKind, LoginLimit, Moderation, SitePolicy,
    VerificationPolicy, WebhookPolicy,
};
use crate::store::{AnyStore, MemoryStore, SqlStore};
use js_sys::{Function, Promise};
use serde_json::Value;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// The members API for one caller. Create one with `Members.open()`; derive the
/// same API for another caller with `asMember()` or `elevated()`.
#[wasm_bindgen]
#[derive(Clone)]
pub struct Members {
    transport: Rc<Transport>,
    acting: Acting,
}

/// Reads `options.fieldsets` (absent: PUBLIC).
pub(crate) fn fieldsets_of(options: &Value) -> MembersResult<Vec<Fieldset>> {
    match &options["fieldsets"] {
        Value::Null => Ok(Vec::new()),
        value => decode(value.clone(), "fieldsets"),
    }
}

fn options_of(options: &JsValue) -> MembersResult<Value> {
    let value = to_json(options, "options")?;
    if value.is_null() || value.is_object() {
        Ok(value)
    } else {
        Err(MembersError::invalid_field(
            "options",
            "TYPE",
            "must be an object",
        ))
    }
}

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

impl Members {
    /// Runs an operation built from the arguments; any argument error rejects the
    /// promise the same way a call error does.
    pub(crate) fn run(&self, build: impl FnOnce() -> MembersResult<Operation>) -> Promise {
        let transport = self.transport.clone();
        let acting = self.acting.clone();
        let operation = build();
        future_to_promise(async move {
            let reply = transport
                .execute(acting, operation.map_err(|e| to_js_error(&e))?)
                .await;
            match reply {
                Ok(Value::Null) => Ok(JsValue::UNDEFINED),
                Ok(value) => Ok(to_js(&value)),
                Err(error) => Err(to_js_error(&error)),
            }
        })
    }

    /// The same API acting as another caller.
    fn acting_as(&self, acting: Acting) -> Members {
        Members {
            transport: self.transport.clone(),
            acting,
        }
    }

    pub(crate) fn transport(&self) -> Rc<Transport> {
        self.transport.clone()
    }

    pub(crate) fn acting(&self) -> Acting {
        self.acting.clone()
    }

    fn moderate(&self, id: JsValue, action: Moderation) -> Promise {
        self.run(|| {
            Ok(Operation::Moderate {
                id: to_string_arg(&id, "_id")?,
                action,
            })
        })
    }

    fn delete_list(&self, id: JsValue, list: ContactList) -> Promise {
        self.run(|| {
            Ok(Operation::DeleteMemberList {
                id: to_string_arg(&id, "_id")?,
                list,
            })
        })
    }

    fn bulk(&self, filter: JsValue, options: JsValue, action: Option<Moderation>) -> Promise {
        self.run(|| {
            let filter = to_json(&filter, "filter")?;
            let options = match options_of(&options)? {
                Value::Null => serde_json::json!({}),
                options => options,
            };
            Ok(match action {
                Some(action) => Operation::BulkModerate {
                    filter,
                    action,
                    options,
                },
                None => Operation::BulkDeleteMembersByFilter { filter, options },
            })
        })
    }

    fn subscribe(&self, kind: EventKind, handler: Function) -> Result<(), JsValue> {
        let Transport::Local(engine) = &*self.transport else {
            return Err(to_js_error(&MembersError::new(
                crate::model::ErrorCode::FailedPrecondition,
                "EVENTS_NEED_A_DATABASE",
                "member events are delivered where the database is: subscribe on the Node backend",
            )));
        };
        engine.events().subscribe(
            kind,
            // A failing handler must not undo or fail the change that fired it.
            Rc::new(move |event: &Value| call_handler(&handler, to_js(event))),
        );
        Ok(())
    }
}

#[wasm_bindgen(module = "/src/wasm/handlers.js")]
extern "C" {
    #[wasm_bindgen(js_name = callHandler)]
    fn call_handler(handler: &Function, event: JsValue);
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
            Some(driver) => AnyStore::Sql(SqlStore::new(driver)),
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
        Ok(Members {
            transport: Rc::new(Transport::Local(Rc::new(engine))),
            acting: Acting::Caller(Caller::Visitor),
        })
    }

    /// A members API that sends every call to the members server at `baseUrl`
    /// (absolute), as a visitor; `adminKey` lets `elevated()` and `asMember()` work
    /// from a trusted backend.
    pub fn remote(base_url: JsValue, admin_key: JsValue) -> Result<Members, JsValue> {
        Members::http(
            base_url,
            admin_key.as_string().filter(|k| !k.is_empty()),
            false,
        )
    }

    /// A browser page's members API: every call goes to the server at `baseUrl`,
    /// which keeps the page's session in an HttpOnly cookie.
    pub fn browser(base_url: JsValue) -> Result<Members, JsValue> {
        Members::http(base_url, None, true)
    }
}

impl Members {
    fn http(
        base_url: JsValue,
        admin_key: Option<String>,
        cookie_session: bool,
    ) -> Result<Members, JsValue> {
        let base_url = to_string_arg(&base_url, "baseUrl").map_err(|e| to_js_error(&e))?;
        let trimmed = base_url.trim_end_matches('/').to_string();
        if !(trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
            return Err(to_js_error(&MembersError::invalid_field(
                "baseUrl",
                "FORMAT",
                format!("{base_url:?} must be an absolute http(s) URL"),
            )));
        }
        Ok(Members {
            transport: Rc::new(Transport::Http(HttpTarget {
                base_url: trimmed,
                admin_key,
                cookie_session,
            })),
            acting: Acting::Caller(Caller::Visitor),
        })
    }
}

#[wasm_bindgen]
impl Members {
    /// The same API acting as the member with this id (a trusted backend's view of
    /// a member; sessions come with authentication).
    #[wasm_bindgen(js_name = asMember)]
    pub fn as_member(&self, member_id: JsValue) -> Result<Members, JsValue> {
        let id = to_string_arg(&member_id, "memberId")
            .and_then(|id| MemberId::parse(&id, "memberId"))
            .map_err(|e| to_js_error(&e))?;
        Ok(self.acting_as(Acting::Caller(Caller::Member(id))))
    }

    /// The same API with admin rights, keeping the member it acts for (a
    /// session's member is known only once the session is looked up, so an
    /// elevated session acts for no member).
    pub fn elevated(&self) -> Members {
        let member = match &self.acting {
            Acting::Caller(caller) => caller.member_id().cloned(),
            Acting::Session(_) => None,
        };
        self.acting_as(Acting::Caller(Caller::Admin(member)))
    }

    /// The same API acting as the holder of a session token (from `register` or
    /// `login`): its member while the session lives, `UNAUTHENTICATED` /
    /// `SESSION_INVALID` after it ends.
    #[wasm_bindgen(js_name = withSession)]
    #[allow(clippy::wrong_self_convention)]
    pub fn with_session(&self, token: JsValue) -> Result<Members, JsValue> {
        let token = to_string_arg(&token, "sessionToken").map_err(|e| to_js_error(&e))?;
        Ok(self.acting_as(Acting::Session(token)))
    }

    /// The authentication API of the same caller (or session).
    pub fn authentication(&self) -> Authentication {
        Authentication::of(self.clone())
    }

    /// `createMember({ member })` → member. Admins only.
    #[wasm_bindgen(js_name = createMember)]
    pub fn create_member(&self, options: JsValue) -> Promise {
        self.run(|| {
            let options = options_of(&options)?;
            if !options["member"].is_object() {
                return Err(MembersError::invalid_field(
                    "member",
                    "REQUIRED_FIELD",
                    "is required and must be an object",
                ));
            }
            Ok(Operation::CreateMember {
                member: options["member"].clone(),
            })
        })
    }

    /// `getMember(_id, { fieldsets })` → member.
    #[wasm_bindgen(js_name = getMember)]
    pub fn get_member(&self, id: JsValue, options: JsValue) -> Promise {
        self.run(|| {
            let fieldsets = fieldsets_of(&options_of(&options)?)?;
            Ok(Operation::GetMember {
                id: to_string_arg(&id, "_id")?,
                fieldsets,
            })
        })
    }

    /// `listMembers({ paging, sorting, fieldsets })` → `{ members, metadata }`.
    #[wasm_bindgen(js_name = listMembers)]
    pub fn list_members(&self, options: JsValue) -> Promise {
        self.run(|| {
            let options = options_of(&options)?;
            Ok(Operation::ListMembers {
                paging: options["paging"].clone(),
                sorting: options["sorting"].clone(),
                fieldsets: fieldsets_of(&options)?,
            })
        })
    }

    /// `queryMembers({ fieldsets, search })` → a query builder.
    #[wasm_bindgen(js_name = queryMembers)]
    pub fn query_members(&self, options: JsValue) -> Result<MembersQueryBuilder, JsValue> {
        let options = options_of(&options).map_err(|e| to_js_error(&e))?;
        Ok(MembersQueryBuilder::new(self.clone(), options))
    }

    /// `updateMember(_id, member)` → member. Self or admin.
    #[wasm_bindgen(js_name = updateMember)]
    pub fn update_member(&self, id: JsValue, member: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::UpdateMember {
                id: to_string_arg(&id, "_id")?,
                member: to_json(&member, "member")?,
            })
        })
    }

    /// `deleteMember(_id)` → void. Admins only.
    #[wasm_bindgen(js_name = deleteMember)]
    pub fn delete_member(&self, id: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::DeleteMember {
                id: to_string_arg(&id, "_id")?,
            })
        })
    }

    /// `deleteMemberAddresses(_id)` → `{ member }`.
    #[wasm_bindgen(js_name = deleteMemberAddresses)]
    pub fn delete_member_addresses(&self, id: JsValue) -> Promise {
        self.delete_list(id, ContactList::Addresses)
    }

    /// `deleteMemberEmails(_id)` → `{ member }` (loginEmail stays).
    #[wasm_bindgen(js_name = deleteMemberEmails)]
    pub fn delete_member_emails(&self, id: JsValue) -> Promise {
        self.delete_list(id, ContactList::Emails)
    }

    /// `deleteMemberPhones(_id)` → `{ member }`.
    #[wasm_bindgen(js_name = deleteMemberPhones)]
    pub fn delete_member_phones(&self, id: JsValue) -> Promise {
        self.delete_list(id, ContactList::Phones)
    }

    /// `getCurrentMember({ fieldsets })` → `{ member }` or `{}`.
    #[wasm_bindgen(js_name = getCurrentMember)]
    pub fn get_current_member(&self, options: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::GetCurrentMember {
                fieldsets: fieldsets_of(&options_of(&options)?)?,
            })
        })
    }

    /// `joinCommunity()` → `{ member }`: the caller becomes PUBLIC.
    #[wasm_bindgen(js_name = joinCommunity)]
    pub fn join_community(&self) -> Promise {
        self.run(|| Ok(Operation::JoinCommunity))
    }

    /// `leaveCommunity()` → `{ member }`: the caller becomes PRIVATE.
    #[wasm_bindgen(js_name = leaveCommunity)]
    pub fn leave_community(&self) -> Promise {
        self.run(|| Ok(Operation::LeaveCommunity))
    }

    /// `updateCurrentMemberSlug(slug)` → `{ member }`.
    #[wasm_bindgen(js_name = updateCurrentMemberSlug)]
    pub fn update_current_member_slug(&self, slug: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::UpdateCurrentMemberSlug {
                slug: to_string_arg(&slug, "slug")?,
            })
        })
    }

    /// `updateMemberSlug(_id, slug)` → `{ member }`. Admins only.
    #[wasm_bindgen(js_name = updateMemberSlug)]
    pub fn update_member_slug(&self, id: JsValue, slug: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::UpdateMemberSlug {
                id: to_string_arg(&id, "_id")?,
                slug: to_string_arg(&slug, "slug")?,
            })
        })
    }

    /// `muteMember(_id)` → `{ member }`. Admins only.
    #[wasm_bindgen(js_name = muteMember)]
    pub fn mute_member(&self, id: JsValue) -> Promise {
        self.moderate(id, Moderation::Mute)
    }

    /// `unmuteMember(_id)` → `{ member }`. Admins only.
    #[wasm_bindgen(js_name = unmuteMember)]
    pub fn unmute_member(&self, id: JsValue) -> Promise {
        self.moderate(id, Moderation::Unmute)
    }

    /// `approveMember(_id)` → `{ member }`. Admins only.
    #[wasm_bindgen(js_name = approveMember)]
    pub fn approve_member(&self, id: JsValue) -> Promise {
        self.moderate(id, Moderation::Approve)
    }

    /// `blockMember(_id)` → `{ member }`. Admins only.
    #[wasm_bindgen(js_name = blockMember)]
    pub fn block_member(&self, id: JsValue) -> Promise {
        self.moderate(id, Moderation::Block)
    }

    /// `disconnectMember(_id)` → `{ member }`. Admins only; permanent.
    #[wasm_bindgen(js_name = disconnectMember)]
    pub fn disconnect_member(&self, id: JsValue) -> Promise {
        self.moderate(id, Moderation::Disconnect)
    }

    /// `deleteMyMember({ contentAssigneeId })` → void.
    #[wasm_bindgen(js_name = deleteMyMember)]
    pub fn delete_my_member(&self, options: JsValue) -> Promise {
        self.run(|| {
            let options = options_of(&options)?;
            let assignee = match &options["contentAssigneeId"] {
                Value::Null => None,
                Value::String(id) => Some(id.clone()),
                _ => {
                    return Err(MembersError::invalid_field(
                        "contentAssigneeId",
                        "TYPE",
                        "must be a string",
                    ))
                }
            };
            Ok(Operation::DeleteMyMember {
                content_assignee_id: assignee,
            })
        })
    }

    /// `bulkDeleteMembers(memberIds)` → `{ results, bulkActionMetadata }`.
    #[wasm_bindgen(js_name = bulkDeleteMembers)]
    pub fn bulk_delete_members(&self, member_ids: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::BulkDeleteMembers {
                ids: decode(to_json(&member_ids, "memberIds")?, "memberIds")?,
            })
        })
    }

    /// `bulkDeleteMembersByFilter(filter, { dryRun })` → `{ jobId }` of an async
    /// job over the members the filter matches now (with `dryRun`: `{ dryRun,
    /// count, sampleIds }`, nothing written).
    #[wasm_bindgen(js_name = bulkDeleteMembersByFilter)]
    pub fn bulk_delete_members_by_filter(&self, filter: JsValue, options: JsValue) -> Promise {
        self.bulk(filter, options, None)
    }

    /// `bulkApproveMembers(filter, { dryRun })` → `{ jobId }` (see
    /// `bulkDeleteMembersByFilter`).
    #[wasm_bindgen(js_name = bulkApproveMembers)]
    pub fn bulk_approve_members(&self, filter: JsValue, options: JsValue) -> Promise {
        self.bulk(filter, options, Some(Moderation::Approve))
    }

    /// `bulkBlockMembers(filter, { dryRun })` → `{ jobId }` (see
    /// `bulkDeleteMembersByFilter`); the admin's own member is never blocked.
    #[wasm_bindgen(js_name = bulkBlockMembers)]
    pub fn bulk_block_members(&self, filter: JsValue, options: JsValue) -> Promise {
        self.bulk(filter, options, Some(Moderation::Block))
    }

    /// `getAsyncJob(jobId)` → `{ job }`: status, counters, metadata. Admins only.
    #[wasm_bindgen(js_name = getAsyncJob)]
    pub fn get_async_job(&self, id: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::GetAsyncJob {
                id: to_string_arg(&id, "jobId")?,
            })
        })
    }

    /// `listAsyncJobItems(jobId, { statusFilter, paging: { limit, cursor } })` →
    /// `{ items, pagingMetadata }`. Admins only.
    #[wasm_bindgen(js_name = listAsyncJobItems)]
    pub fn list_async_job_items(&self, id: JsValue, options: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::ListAsyncJobItems {
                id: to_string_arg(&id, "jobId")?,
                options: options_of(&options)?,
            })
        })
    }

    /// `importMembers(members)` → `{ importedCount }`: whole members (ids, dates,
    /// statuses kept), all or nothing. Admins only. **Beyond Wix.**
    #[wasm_bindgen(js_name = importMembers)]
    pub fn import_members(&self, members: JsValue) -> Promise {
        self.run(|| {
            Ok(Operation::ImportMembers {
                members: to_json(&members, "members")?,
            })
        })
    }

    /// Calls `handler({ entity, metadata })` after each member is created.
    #[wasm_bindgen(js_name = onMemberCreated)]
    pub fn on_member_created(&self, handler: Function) -> Result<(), JsValue> {
        self.subscribe(EventKind::Created, handler)
    }

    /// Calls `handler({ entity, previousEntity, metadata })` after each change.
    #[wasm_bindgen(js_name = onMemberUpdated)]
    pub fn on_member_updated(&self, handler: Function) -> Result<(), JsValue> {
        self.subscribe(EventKind::Updated, handler)
    }

    /// Calls `handler({ metadata })` after each deletion.
    #[wasm_bindgen(js_name = onMemberDeleted)]
    pub fn on_member_deleted(&self, handler: Function) -> Result<(), JsValue> {
        self.subscribe(EventKind::Deleted, handler)
    }
}
