//! `Operation`: one variant per call of SPEC §5, and `Reply`, what a call returns.
//!
//! Both ends build these: the wasm surface from JS arguments, the REST codec from
//! HTTP requests. `dispatch` hands an operation to the engine.

use crate::model::credentials::Secret;
use crate::model::job::JobAction;
use crate::model::{Fieldset, MemberView, MembersResult};
use crate::query::QueryRequest;
use crate::service::{ContactList, Context, Engine, MembersPage, Moderation, Registration};
use crate::store::Store;
use serde::Serialize;
use serde_json::{json, Value};
use std::future::Future;
use std::pin::Pin;

/// One call, with its arguments in the SDK naming.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    CreateMember {
        member: Value,
    },
    GetMember {
        id: String,
        fieldsets: Vec<Fieldset>,
    },
    ListMembers {
        paging: Value,
        sorting: Value,
        fieldsets: Vec<Fieldset>,
    },
    QueryMembers {
        query: Value,
        search: Value,
        fieldsets: Vec<Fieldset>,
    },
    CountMembers {
        query: Value,
        search: Value,
    },
    UpdateMember {
        id: String,
        member: Value,
    },
    DeleteMember {
        id: String,
    },
    DeleteMemberList {
        id: String,
        list: ContactList,
    },
    GetCurrentMember {
        fieldsets: Vec<Fieldset>,
    },
    JoinCommunity,
    LeaveCommunity,
    UpdateCurrentMemberSlug {
        slug: String,
    },
    UpdateMemberSlug {
        id: String,
        slug: String,
    },
    Moderate {
        id: String,
        action: Moderation,
    },
    DeleteMyMember {
        content_assignee_id: Option<String>,
    },
    BulkDeleteMembers {
        ids: Vec<String>,
    },
    BulkDeleteMembersByFilter {
        filter: Value,
        options: Value,
    },
    BulkModerate {
        filter: Value,
        action: Moderation,
        options: Value,
    },
    GetAsyncJob {
        id: String,
    },
    ListAsyncJobItems {
        id: String,
        options: Value,
    },
    ImportMembers {
        members: Value,
    },
    Register {
        email: String,
        password: Secret,
        options: Value,
    },
    Login {
        email: String,
        password: Secret,
    },
    Logout,
    ChangeLoginEmail {
        id: String,
        new_email: String,
    },
    SendSetPasswordEmail {
        email: String,
    },
    SetPassword {
        token: Secret,
        password: Secret,
    },
    VerifyEmail {
        code_or_token: Secret,
        options: Value,
    },
    SendVerificationEmail {
        email: String,
    },
    ListMySessions,
    RevokeSession {
        id: String,
    },
    RevokeOtherSessions,
    RevokeMemberSessions {
        member_id: String,
    },
    CreateWebhook {
        options: Value,
    },
    ListWebhooks,
    GetWebhook {
        id: String,
    },
    DeleteWebhook {
        id: String,
    },
    RotateWebhookSecret {
        id: String,
    },
    ListWebhookDeliveries {
        id: String,
        options: Value,
    },
    Redeliver {
        delivery_id: String,
    },
}

impl Operation {
    /// False for the plain reads, which neither start a session nor count
    /// failed attempts by address: the host need not hand over the client's
    /// address and user agent for them. True for every other call, so a new
    /// one gets them by default.
    pub fn reads_client_facts(&self) -> bool {
        !matches!(
            self,
            Operation::GetMember { .. }
                | Operation::ListMembers { .. }
                | Operation::QueryMembers { .. }
                | Operation::CountMembers { .. }
                | Operation::GetCurrentMember { .. }
        )
    }
}

/// What a call returns.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// → member
    Member(MemberView),
    /// → `{ member }`, or `{}` for getCurrentMember without a member.
    Wrapped(Option<MemberView>),
    /// → `{ members, metadata }`
    Page(MembersPage),
    /// → number
    Count(u64),
    /// → void
    Empty,
    /// → bulk results or `{ jobId }`
    Json(Value),
    /// → `{ status, member, sessionToken? }` (register, login)
    Session(Registration),
}

/// A page as a reply writes it, in either naming: `{ members, metadata }`.
#[derive(Serialize)]
pub struct PageBody<'a> {
    members: &'a [MemberView],
    metadata: PageMetadata<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageMetadata<'a> {
    count: usize,
    offset: u64,
    total: u64,
    too_many_to_count: bool,
    cursors: PageCursors<'a>,
}

#[derive(Serialize)]
struct PageCursors<'a> {
    next: Option<&'a str>,
    prev: Option<&'a str>,
}

impl<'a> PageBody<'a> {
    /// The body of `page`.
    pub fn of(page: &'a MembersPage) -> PageBody<'a> {
        PageBody {
            members: &page.members,
            metadata: PageMetadata {
                count: page.members.len(),
                offset: page.offset,
                total: page.total,
                too_many_to_count: false,
                cursors: PageCursors {
                    next: page.next_cursor.as_deref(),
                    prev: None,
                },
            },
        }
    }
}

impl Reply {
    /// The reply as JSON in the SDK naming (`Empty` is `null`).
    pub fn to_json(&self) -> Value {
        match self {
            Reply::Member(view) => json!(view),
            Reply::Wrapped(Some(view)) => json!({ "member": view }),
            Reply::Wrapped(None) => json!({}),
            Reply::Page(page) => json!(PageBody::of(page)),
            Reply::Count(count) => json!(count),
            Reply::Empty => Value::Null,
            Reply::Json(value) => value.clone(),
            Reply::Session(registration) => {
                let mut reply = json!({
                    "status": if registration.session.is_some() { "ACTIVE" } else { "PENDING" },
                    "member": registration.member,
                });
                if let Some(session) = &registration.session {
                    reply["sessionToken"] = json!(session.token.reveal());
                }
                reply
            }
        }
    }
}

/// One operation's work, boxed: each arm of `dispatch` is its own future, so
/// the engine's futures are not all inlined into one huge wasm function (the
/// first call would compile it all, whichever operation it runs).
type Work<'a> = Pin<Box<dyn Future<Output = MembersResult<Reply>> + 'a>>;

fn boxed<'a>(work: impl Future<Output = MembersResult<Reply>> + 'a) -> Work<'a> {
    Box::pin(work)
}

/// Carries out one operation in a context (a `&Caller` is a context without a
/// session or client address).
pub async fn dispatch<S: Store>(
    engine: &Engine<S>,
    context: impl Into<Context>,
    operation: Operation,
) -> MembersResult<Reply> {
    use Operation::*;
    // Borrowed by every arm's future, which lives only inside this call.
    let context = &context.into();
    let caller = &context.caller;
    let work = match operation {
        CreateMember { member } => {
            boxed(async move { Ok(Reply::Member(engine.create_member(caller, member).await?)) })
        }
        GetMember { id, fieldsets } => boxed(async move {
            Ok(Reply::Member(
                engine.get_member(caller, &id, &fieldsets).await?,
            ))
        }),
        ListMembers {
            paging,
            sorting,
            fieldsets,
        } => boxed(async move {
            let request =
                QueryRequest::parse(&json!({ "paging": paging, "sort": sorting }), &Value::Null)?;
            Ok(Reply::Page(
                engine.query_members(caller, request, &fieldsets).await?,
            ))
        }),
        QueryMembers {
            query,
            search,
            fieldsets,
        } => boxed(async move {
            let request = QueryRequest::parse(&query, &search)?;
            Ok(Reply::Page(
                engine.query_members(caller, request, &fieldsets).await?,
            ))
        }),
        CountMembers { query, search } => boxed(async move {
            let request = QueryRequest::parse(&query, &search)?;
            Ok(Reply::Count(engine.count_members(caller, request).await?))
        }),
        UpdateMember { id, member } => boxed(async move {
            Ok(Reply::Member(
                engine.update_member(caller, &id, member).await?,
            ))
        }),
        DeleteMember { id } => boxed(async move {
            engine.delete_member(caller, &id).await?;
            Ok(Reply::Empty)
        }),
        DeleteMemberList { id, list } => boxed(async move {
            Ok(Reply::Wrapped(Some(
                engine.delete_member_list(caller, &id, list).await?,
            )))
        }),
        GetCurrentMember { fieldsets } => boxed(async move {
            Ok(Reply::Wrapped(
                engine.get_current_member(caller, &fieldsets).await?,
            ))
        }),
        JoinCommunity => boxed(async move {
            Ok(Reply::Wrapped(Some(
                engine.set_community(caller, true).await?,
            )))
        }),
        LeaveCommunity => boxed(async move {
            Ok(Reply::Wrapped(Some(
                engine.set_community(caller, false).await?,
            )))
        }),
        UpdateCurrentMemberSlug { slug } => boxed(async move {
            Ok(Reply::Wrapped(Some(
                engine.update_current_member_slug(caller, &slug).await?,
            )))
        }),
        UpdateMemberSlug { id, slug } => boxed(async move {
            Ok(Reply::Wrapped(Some(
                engine.update_member_slug(caller, &id, &slug).await?,
            )))
        }),
        Moderate { id, action } => boxed(async move {
            Ok(Reply::Wrapped(Some(
                engine.moderate(caller, &id, action).await?,
            )))
        }),
        DeleteMyMember {
            content_assignee_id,
        } => boxed(async move {
            engine
                .delete_my_member(caller, content_assignee_id.as_deref())
                .await?;
            Ok(Reply::Empty)
        }),
        BulkDeleteMembers { ids } => {
            boxed(async move { Ok(Reply::Json(engine.bulk_delete_members(caller, &ids).await?)) })
        }
        BulkDeleteMembersByFilter { filter, options } => boxed(async move {
            Ok(Reply::Json(
                engine
                    .start_job(caller, JobAction::Delete, &filter, &options)
                    .await?,
            ))
        }),
        BulkModerate {
            filter,
            action,
            options,
        } => boxed(async move {
            let action = match action {
                Moderation::Block => JobAction::Block,
                _ => JobAction::Approve,
            };
            Ok(Reply::Json(
                engine.start_job(caller, action, &filter, &options).await?,
            ))
        }),
        GetAsyncJob { id } => {
            boxed(async move { Ok(Reply::Json(engine.get_async_job(caller, &id).await?)) })
        }
        ListAsyncJobItems { id, options } => boxed(async move {
            Ok(Reply::Json(
                engine.list_async_job_items(caller, &id, &options).await?,
            ))
        }),
        ImportMembers { members } => {
            boxed(async move { Ok(Reply::Json(engine.import_members(caller, members).await?)) })
        }
        Register {
            email,
            password,
            options,
        } => boxed(async move {
            Ok(Reply::Session(
                engine
                    .register(context, &email, &password.0, &options)
                    .await?,
            ))
        }),
        Login { email, password } => boxed(async move {
            Ok(Reply::Session(
                engine.login(context, &email, &password.0).await?,
            ))
        }),
        Logout => boxed(async move {
            engine.logout(context).await?;
            Ok(Reply::Empty)
        }),
        ChangeLoginEmail { id, new_email } => boxed(async move {
            Ok(Reply::Member(
                engine.change_login_email(context, &id, &new_email).await?,
            ))
        }),
        SendSetPasswordEmail { email } => boxed(async move {
            engine.send_set_password_email(context, &email).await?;
            // Wix's SendSetPasswordEmailResponse; the same whether or not a mail went out.
            Ok(Reply::Json(json!({ "accepted": true })))
        }),
        SetPassword { token, password } => boxed(async move {
            engine.set_password(&token.0, &password.0).await?;
            Ok(Reply::Empty)
        }),
        VerifyEmail {
            code_or_token,
            options,
        } => boxed(async move {
            Ok(Reply::Session(
                engine
                    .verify_email(context, code_or_token.reveal(), &options)
                    .await?,
            ))
        }),
        SendVerificationEmail { email } => boxed(async move {
            engine.send_verification_email(context, &email).await?;
            Ok(Reply::Json(json!({ "accepted": true })))
        }),
        ListMySessions => {
            boxed(async move { Ok(Reply::Json(engine.list_my_sessions(context).await?)) })
        }
        RevokeSession { id } => boxed(async move {
            engine.revoke_session(context, &id).await?;
            Ok(Reply::Empty)
        }),
        RevokeOtherSessions => {
            boxed(async move { Ok(Reply::Json(engine.revoke_other_sessions(context).await?)) })
        }
        RevokeMemberSessions { member_id } => boxed(async move {
            Ok(Reply::Json(
                engine.revoke_member_sessions(caller, &member_id).await?,
            ))
        }),
        CreateWebhook { options } => {
            boxed(async move { Ok(Reply::Json(engine.create_webhook(caller, &options).await?)) })
        }
        ListWebhooks => boxed(async move { Ok(Reply::Json(engine.list_webhooks(caller).await?)) }),
        GetWebhook { id } => {
            boxed(async move { Ok(Reply::Json(engine.get_webhook(caller, &id).await?)) })
        }
        DeleteWebhook { id } => boxed(async move {
            engine.delete_webhook(caller, &id).await?;
            Ok(Reply::Empty)
        }),
        RotateWebhookSecret { id } => boxed(async move {
            Ok(Reply::Json(
                engine.rotate_webhook_secret(caller, &id).await?,
            ))
        }),
        ListWebhookDeliveries { id, options } => boxed(async move {
            Ok(Reply::Json(
                engine
                    .list_webhook_deliveries(caller, &id, &options)
                    .await?,
            ))
        }),
        Redeliver { delivery_id } => {
            boxed(async move { Ok(Reply::Json(engine.redeliver(caller, &delivery_id).await?)) })
        }
    };
    work.await
}
