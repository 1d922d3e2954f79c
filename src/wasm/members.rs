//! The JS `Members` class: every call of SPEC §5 for one caller, each returning a
//! Promise. It turns JS arguments into an `Operation` and the `Reply` back into JS;
//! the rules live in the service.

use super::authentication::Authentication;
use super::convert::{to_js, to_json, to_string_arg};
use super::eager::promise_now;
use super::error::to_js_error;
use super::http::HttpTarget;
use super::query_builder::MembersQueryBuilder;
use super::transport::{Acting, Transport};
use crate::api::Operation;
use crate::model::decode::decode;
use crate::model::{Fieldset, MemberId, MembersError, MembersResult};
use crate::service::{Caller, ContactList, EventKind, Moderation};
use js_sys::{Function, Promise};
use serde_json::Value;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

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

pub(crate) fn options_of(options: &JsValue) -> MembersResult<Value> {
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

impl Members {
    /// A members API over this transport, for this caller.
    pub(crate) fn new(transport: Transport, acting: Acting) -> Members {
        Members {
            transport: Rc::new(transport),
            acting,
        }
    }

    /// Runs an operation built from the arguments; any argument error rejects the
    /// promise the same way a call error does.
    pub(crate) fn run(&self, build: impl FnOnce() -> MembersResult<Operation>) -> Promise {
        let transport = self.transport.clone();
        let acting = self.acting.clone();
        let operation = build();
        promise_now(async move {
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

    /// Events are delivered where the database is; a client of a server has none.
    fn subscribe(&self, kind: EventKind, handler: Function) -> Result<(), JsValue> {
        let events_need_a_database = || {
            to_js_error(&MembersError::new(
                crate::model::ErrorCode::FailedPrecondition,
                "EVENTS_NEED_A_DATABASE",
                "member events are delivered where the database is: subscribe on the Node backend",
            ))
        };
        #[cfg(feature = "engine")]
        if let Transport::Local(engine) = &*self.transport {
            engine.events().subscribe(
                kind,
                // A failing handler must not undo or fail the change that fired it.
                Rc::new(move |event: &Value| call_handler(&handler, to_js(event))),
            );
            return Ok(());
        }
        let _ = (kind, handler);
        Err(events_need_a_database())
    }
}

#[cfg(feature = "engine")]
#[wasm_bindgen(module = "/src/wasm/handlers.js")]
extern "C" {
    #[wasm_bindgen(js_name = callHandler)]
    fn call_handler(handler: &Function, event: JsValue);
}

#[wasm_bindgen]
impl Members {
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
        Ok(Members::new(
            Transport::Http(HttpTarget {
                base_url: trimmed,
                admin_key,
                cookie_session,
            }),
            Acting::Caller(Caller::Visitor),
        ))
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
