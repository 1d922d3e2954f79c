//! Shared helpers of the service rule tests: a site (engine over a store, with a
//! fixed clock and an event log), callers, error checks, and a store that yields at
//! every call so two calls can interleave like two requests of a real server.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

pub mod auth;

use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use universal_members::api::{dispatch, Operation};
use universal_members::model::credentials::{
    EmailVerification, Failures, PasswordHash, PasswordTicket, SessionRecord, TokenHash,
};
use universal_members::model::event::StoredEvent;
use universal_members::model::job::{ItemFilter, Job, JobAction, JobItem, JobStatus};
use universal_members::model::webhook::{Delivery, DeliveryFilter, WebhookRecord};
use universal_members::model::MemberEvent;
use universal_members::model::{
    ErrorCode, Fieldset, Member, MemberId, MembersError, MembersResult, Timestamp,
};
use universal_members::query::{Filter, Query, QueryRequest};
use universal_members::service::{
    Approval, Caller, ContactList, Engine, EventKind, Moderation, SitePolicy,
};
use universal_members::store::{
    Claim, CredentialStore, Finished, JobBatch, JobStore, MemoryStore, OutboxStore, Page, Store,
};

pub use pollster::block_on;

/// 2024-05-01T10:00:00.000Z: the clock of every site starts here.
pub const START: i64 = 1_714_557_600_000;

/// An engine over a store, a clock that moves 1 ms per reading, and every event
/// fired, in order.
pub struct Site<S: Store = MemoryStore> {
    pub engine: Engine<S>,
    pub clock: Rc<Cell<i64>>,
    pub events: Rc<RefCell<Vec<Value>>>,
}

impl Site<MemoryStore> {
    /// A site with the default policy (auto approval, public by default).
    pub fn new() -> Self {
        Site::over(MemoryStore::new(), SitePolicy::default())
    }

    /// A site where new members wait for an admin's approval.
    pub fn with_manual_approval() -> Self {
        let policy = SitePolicy {
            approval: Approval::Manual,
            ..SitePolicy::default()
        };
        Site::over(MemoryStore::new(), policy)
    }

    /// A site with its own policy.
    pub fn with_policy(policy: SitePolicy) -> Self {
        Site::over(MemoryStore::new(), policy)
    }
}

impl<S: Store> Site<S> {
    /// A site over any store.
    pub fn over(store: S, policy: SitePolicy) -> Self {
        let clock = Rc::new(Cell::new(START));
        let ticks = clock.clone();
        let engine = Engine::new(
            store,
            policy,
            Box::new(move || {
                let now = ticks.get();
                ticks.set(now + 1);
                Timestamp(now)
            }),
        );
        let events = Rc::new(RefCell::new(Vec::new()));
        for kind in [EventKind::Created, EventKind::Updated, EventKind::Deleted] {
            let log = events.clone();
            engine.events().subscribe(
                kind,
                Rc::new(move |event: &Value| log.borrow_mut().push(event.clone())),
            );
        }
        Site {
            engine,
            clock,
            events,
        }
    }

    /// Creates a member as an admin; panics when that fails.
    pub fn create(&self, member: Value) -> Value {
        let view = block_on(self.engine.create_member(&Caller::admin(), member.clone()))
            .unwrap_or_else(|e| panic!("creating {member} failed: {e:?}"));
        json!(view)
    }

    /// Creates a member with this email and nickname; returns its id.
    pub fn add(&self, email: &str, nickname: &str) -> String {
        id_of(&self.create(json!({ "loginEmail": email, "profile": { "nickname": nickname } })))
    }

    /// Creates a member that left the community (PRIVATE); returns its id.
    pub fn add_private(&self, email: &str, nickname: &str) -> String {
        id_of(&self.create(json!({
            "loginEmail": email,
            "privacyStatus": "PRIVATE",
            "profile": { "nickname": nickname }
        })))
    }

    /// `getMember` as JSON.
    pub fn get(&self, caller: &Caller, id: &str, fieldsets: &[Fieldset]) -> MembersResult<Value> {
        block_on(self.engine.get_member(caller, id, fieldsets)).map(|v| json!(v))
    }

    /// The whole member as an admin sees it.
    pub fn full(&self, id: &str) -> Value {
        self.get(&Caller::admin(), id, &[Fieldset::Full])
            .unwrap_or_else(|e| panic!("member {id} is gone: {e:?}"))
    }

    /// The member as stored (with its revision), if it exists.
    pub fn stored(&self, id: &str) -> Option<Member> {
        let id = MemberId::parse(id, "_id").expect("a member id");
        block_on(self.engine.store().get(&id)).expect("the store answers")
    }

    /// `updateMember` as JSON.
    pub fn update(&self, caller: &Caller, id: &str, patch: Value) -> MembersResult<Value> {
        block_on(self.engine.update_member(caller, id, patch)).map(|v| json!(v))
    }

    /// `updateMember` as an admin; panics when that fails.
    pub fn admin_update(&self, id: &str, patch: Value) -> Value {
        self.update(&Caller::admin(), id, patch.clone())
            .unwrap_or_else(|e| panic!("updating {id} with {patch} failed: {e:?}"))
    }

    /// A moderation action as JSON.
    pub fn moderate(&self, caller: &Caller, id: &str, action: Moderation) -> MembersResult<Value> {
        block_on(self.engine.moderate(caller, id, action)).map(|v| json!(v))
    }

    /// A moderation action by an admin; panics when that fails.
    pub fn admin_moderate(&self, id: &str, action: Moderation) -> Value {
        self.moderate(&Caller::admin(), id, action)
            .unwrap_or_else(|e| panic!("{action:?} of {id} failed: {e:?}"))
    }

    /// `deleteMemberAddresses` / `Emails` / `Phones` as JSON.
    pub fn delete_list(
        &self,
        caller: &Caller,
        id: &str,
        list: ContactList,
    ) -> MembersResult<Value> {
        block_on(self.engine.delete_member_list(caller, id, list)).map(|v| json!(v))
    }

    /// `queryMembers(...).find()`: the ids on the page, in order, and the total.
    pub fn query(
        &self,
        caller: &Caller,
        query: Value,
        search: Value,
    ) -> MembersResult<(Vec<String>, u64)> {
        let page = self.query_views(caller, query, search, &[])?;
        let ids = page.0.iter().map(id_of).collect();
        Ok((ids, page.1))
    }

    /// `queryMembers(...).find()`: the members on the page as JSON, and the total.
    pub fn query_views(
        &self,
        caller: &Caller,
        query: Value,
        search: Value,
        fieldsets: &[Fieldset],
    ) -> MembersResult<(Vec<Value>, u64)> {
        let request = QueryRequest::parse(&query, &search)?;
        let page = block_on(self.engine.query_members(caller, request, fieldsets))?;
        Ok((page.members.iter().map(|v| json!(v)).collect(), page.total))
    }

    /// `queryMembers(...).count()`.
    pub fn count(&self, caller: &Caller, query: Value, search: Value) -> MembersResult<u64> {
        let request = QueryRequest::parse(&query, &search)?;
        block_on(self.engine.count_members(caller, request))
    }

    /// How many members exist, whoever may see them.
    pub fn total(&self) -> u64 {
        block_on(self.engine.store().count(&Filter::All)).expect("the store answers")
    }

    /// Every member in the store, newest first.
    pub fn all(&self) -> Vec<Member> {
        let query = Query {
            paging: universal_members::query::Paging {
                limit: 100,
                ..Default::default()
            },
            ..Query::default()
        };
        block_on(self.engine.store().query(&query))
            .expect("the store answers")
            .members
    }

    /// Runs one operation through the API dispatch; the reply as JSON.
    pub fn call(&self, caller: &Caller, operation: Operation) -> MembersResult<Value> {
        block_on(dispatch(&self.engine, caller, operation)).map(|reply| reply.to_json())
    }

    /// Every event fired so far.
    pub fn events(&self) -> Vec<Value> {
        self.events.borrow().clone()
    }

    /// The events fired so far, forgetting them.
    pub fn take_events(&self) -> Vec<Value> {
        self.events.borrow_mut().drain(..).collect()
    }

    /// The `metadata.slug` of every event so far (`created`, `updated`, `deleted`).
    pub fn event_slugs(&self) -> Vec<String> {
        self.events()
            .iter()
            .map(|e| {
                e["metadata"]["slug"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    }

    /// Forgets the events so far.
    pub fn clear_events(&self) {
        self.events.borrow_mut().clear();
    }
}

/// The `_id` of a member view.
pub fn id_of(view: &Value) -> String {
    view["_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no _id in {view}"))
        .to_string()
}

/// The logged-in member with this id.
pub fn member(id: &str) -> Caller {
    Caller::Member(MemberId::parse(id, "_id").expect("a member id"))
}

/// An admin acting as (elevated from) this member.
pub fn admin_as(id: &str) -> Caller {
    Caller::Admin(Some(MemberId::parse(id, "_id").expect("a member id")))
}

/// A well-formed member id that no member has.
pub const MISSING_ID: &str = "00000000-0000-4000-8000-0000000000ff";

/// The error of a call that must fail.
pub fn error_of<T: std::fmt::Debug>(result: MembersResult<T>) -> MembersError {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(error) => error,
    }
}

/// Checks the code and application code of a failed call; returns the error.
pub fn expect_error<T: std::fmt::Debug>(
    result: MembersResult<T>,
    code: ErrorCode,
    application: &str,
) -> MembersError {
    let error = error_of(result);
    assert_eq!(error.code, code, "wrong code: {error:?}");
    assert_eq!(
        error.application_code, application,
        "wrong application code: {error:?}"
    );
    error
}

/// Checks that a call failed with `INVALID_ARGUMENT` naming `field`.
pub fn expect_invalid<T: std::fmt::Debug>(result: MembersResult<T>, field: &str) -> MembersError {
    let error = error_of(result);
    assert_eq!(
        error.code,
        ErrorCode::InvalidArgument,
        "wrong code: {error:?}"
    );
    assert_eq!(
        error.violations.first().map(|v| v.field.as_str()),
        Some(field),
        "{error:?}"
    );
    assert!(
        error.message.contains(field),
        "the message does not name {field}: {error:?}"
    );
    error
}

/// Checks `NOT_FOUND` / `MEMBER_NOT_FOUND`.
pub fn expect_not_found<T: std::fmt::Debug>(result: MembersResult<T>) -> MembersError {
    expect_error(result, ErrorCode::NotFound, "MEMBER_NOT_FOUND")
}

/// Checks `PERMISSION_DENIED`.
pub fn expect_denied<T: std::fmt::Debug>(result: MembersResult<T>) -> MembersError {
    let error = error_of(result);
    assert_eq!(
        error.code,
        ErrorCode::PermissionDenied,
        "wrong code: {error:?}"
    );
    error
}

/// What a caller without admin rights gets from an admin call: a visitor brought
/// no credentials (`UNAUTHENTICATED`), a member the wrong ones (`PERMISSION_DENIED`).
pub fn expect_not_admin<T: std::fmt::Debug>(
    caller: &Caller,
    result: MembersResult<T>,
) -> MembersError {
    match caller {
        Caller::Visitor => expect_unauthenticated(result),
        _ => expect_denied(result),
    }
}

/// Checks `UNAUTHENTICATED`.
pub fn expect_unauthenticated<T: std::fmt::Debug>(result: MembersResult<T>) -> MembersError {
    let error = error_of(result);
    assert_eq!(
        error.code,
        ErrorCode::Unauthenticated,
        "wrong code: {error:?}"
    );
    error
}

/// Checks `FAILED_PRECONDITION`.
pub fn expect_precondition<T: std::fmt::Debug>(result: MembersResult<T>) -> MembersError {
    let error = error_of(result);
    assert_eq!(
        error.code,
        ErrorCode::FailedPrecondition,
        "wrong code: {error:?}"
    );
    error
}

/// A future that is pending once, then ready: lets the other side of a `join` run.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Gives way to the other futures of a `join`.
pub async fn yield_now() {
    YieldOnce(false).await;
}

/// Runs two futures interleaved on one thread, as a server interleaves two requests.
pub async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = Box::pin(a);
    let mut b = Box::pin(b);
    let mut done_a = None;
    let mut done_b = None;
    std::future::poll_fn(move |cx| {
        if done_a.is_none() {
            if let Poll::Ready(value) = a.as_mut().poll(cx) {
                done_a = Some(value);
            }
        }
        if done_b.is_none() {
            if let Poll::Ready(value) = b.as_mut().poll(cx) {
                done_b = Some(value);
            }
        }
        match (done_a.take(), done_b.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                done_a = x;
                done_b = y;
                Poll::Pending
            }
        }
    })
    .await
}

/// A memory store that gives way before every call, so concurrent calls interleave
/// between their reads and writes. Counts the writes it was asked for.
#[derive(Default)]
pub struct YieldingStore {
    pub inner: MemoryStore,
    pub updates: Cell<usize>,
    pub inserts: Cell<usize>,
}

impl Store for YieldingStore {
    async fn update_many(
        &self,
        changes: &[(Member, u64)],
        events: &[MemberEvent],
    ) -> MembersResult<()> {
        yield_now().await;
        self.inner.update_many(changes, events).await
    }

    async fn secret(&self) -> MembersResult<Vec<u8>> {
        self.inner.secret().await
    }

    async fn insert_many(&self, members: &[Member], events: &[MemberEvent]) -> MembersResult<()> {
        yield_now().await;
        self.inner.insert_many(members, events).await
    }

    async fn insert(&self, member: &Member, event: &MemberEvent) -> MembersResult<()> {
        yield_now().await;
        self.inserts.set(self.inserts.get() + 1);
        self.inner.insert(member, event).await
    }

    async fn get(&self, id: &MemberId) -> MembersResult<Option<Member>> {
        yield_now().await;
        self.inner.get(id).await
    }

    async fn get_by_email(&self, email: &str) -> MembersResult<Option<Member>> {
        yield_now().await;
        self.inner.get_by_email(email).await
    }

    async fn update(
        &self,
        member: &Member,
        expected_revision: u64,
        event: &MemberEvent,
    ) -> MembersResult<()> {
        yield_now().await;
        self.updates.set(self.updates.get() + 1);
        self.inner.update(member, expected_revision, event).await
    }

    async fn delete(&self, members: &[Member], events: &[MemberEvent]) -> MembersResult<()> {
        yield_now().await;
        self.inner.delete(members, events).await
    }

    async fn query(&self, query: &Query) -> MembersResult<Page> {
        yield_now().await;
        self.inner.query(query).await
    }

    async fn count(&self, filter: &Filter) -> MembersResult<u64> {
        yield_now().await;
        self.inner.count(filter).await
    }

    async fn slugs_like(&self, base_key: &str) -> MembersResult<Vec<String>> {
        yield_now().await;
        self.inner.slugs_like(base_key).await
    }
}

/// Credentials pass straight through (yielding first, like every call).
impl CredentialStore for YieldingStore {
    async fn insert_with_password(
        &self,
        member: &Member,
        password: &PasswordHash,
        event: &MemberEvent,
    ) -> MembersResult<()> {
        yield_now().await;
        self.inner
            .insert_with_password(member, password, event)
            .await
    }

    async fn password(&self, id: &MemberId) -> MembersResult<Option<PasswordHash>> {
        yield_now().await;
        self.inner.password(id).await
    }

    async fn replace_password(&self, id: &MemberId, password: &PasswordHash) -> MembersResult<()> {
        yield_now().await;
        self.inner.replace_password(id, password).await
    }

    async fn insert_session(&self, session: &SessionRecord) -> MembersResult<()> {
        yield_now().await;
        self.inner.insert_session(session).await
    }

    async fn session(&self, hash: &TokenHash) -> MembersResult<Option<SessionRecord>> {
        yield_now().await;
        self.inner.session(hash).await
    }

    async fn touch_session(
        &self,
        hash: &TokenHash,
        last_used: Timestamp,
        expires: Timestamp,
    ) -> MembersResult<()> {
        yield_now().await;
        self.inner.touch_session(hash, last_used, expires).await
    }

    async fn sessions_of(&self, id: &MemberId) -> MembersResult<Vec<SessionRecord>> {
        yield_now().await;
        self.inner.sessions_of(id).await
    }

    async fn put_verification(&self, verification: &EmailVerification) -> MembersResult<()> {
        yield_now().await;
        self.inner.put_verification(verification).await
    }

    async fn verifications_to(&self, email_key: &str) -> MembersResult<Vec<EmailVerification>> {
        yield_now().await;
        self.inner.verifications_to(email_key).await
    }

    async fn verification_by_link(
        &self,
        link_hash: &TokenHash,
    ) -> MembersResult<Option<EmailVerification>> {
        yield_now().await;
        self.inner.verification_by_link(link_hash).await
    }

    async fn take_verification(
        &self,
        member: &MemberId,
        link_hash: &TokenHash,
    ) -> MembersResult<bool> {
        yield_now().await;
        self.inner.take_verification(member, link_hash).await
    }

    async fn delete_verification_of(&self, member: &MemberId) -> MembersResult<()> {
        yield_now().await;
        self.inner.delete_verification_of(member).await
    }

    async fn insert_admin_session(
        &self,
        hash: &TokenHash,
        expires: Timestamp,
        key_id: &str,
    ) -> MembersResult<()> {
        yield_now().await;
        self.inner.insert_admin_session(hash, expires, key_id).await
    }

    async fn add_wrong_code(&self, member: &MemberId) -> MembersResult<u32> {
        yield_now().await;
        self.inner.add_wrong_code(member).await
    }

    async fn admin_session(&self, hash: &TokenHash) -> MembersResult<Option<(Timestamp, String)>> {
        yield_now().await;
        self.inner.admin_session(hash).await
    }

    async fn delete_admin_session(&self, hash: &TokenHash) -> MembersResult<()> {
        yield_now().await;
        self.inner.delete_admin_session(hash).await
    }

    async fn delete_session(&self, hash: &TokenHash) -> MembersResult<()> {
        yield_now().await;
        self.inner.delete_session(hash).await
    }

    async fn delete_sessions_of(&self, id: &MemberId) -> MembersResult<()> {
        yield_now().await;
        self.inner.delete_sessions_of(id).await
    }

    async fn insert_ticket(&self, ticket: &PasswordTicket) -> MembersResult<()> {
        yield_now().await;
        self.inner.insert_ticket(ticket).await
    }

    async fn delete_tickets_of(&self, id: &MemberId) -> MembersResult<()> {
        yield_now().await;
        self.inner.delete_tickets_of(id).await
    }

    async fn take_ticket(&self, hash: &TokenHash) -> MembersResult<Option<PasswordTicket>> {
        yield_now().await;
        self.inner.take_ticket(hash).await
    }

    async fn forgive_failure(&self, key: &str) -> MembersResult<()> {
        yield_now().await;
        self.inner.forgive_failure(key).await
    }

    async fn add_failure(
        &self,
        key: &str,
        now: Timestamp,
        window_opened_after: Timestamp,
    ) -> MembersResult<Failures> {
        yield_now().await;
        self.inner.add_failure(key, now, window_opened_after).await
    }

    async fn clear_failures(&self, key: &str) -> MembersResult<()> {
        yield_now().await;
        self.inner.clear_failures(key).await
    }

    async fn prune(&self, now: Timestamp, window_opened_after: Timestamp) -> MembersResult<()> {
        yield_now().await;
        self.inner.prune(now, window_opened_after).await
    }
}

/// The outbox passes straight through (yielding first, like every call).
impl OutboxStore for YieldingStore {
    async fn events_after(
        &self,
        position: u64,
        limit: u32,
        own_only: bool,
    ) -> MembersResult<Vec<StoredEvent>> {
        yield_now().await;
        self.inner.events_after(position, limit, own_only).await
    }

    async fn latest_position(&self) -> MembersResult<u64> {
        yield_now().await;
        self.inner.latest_position().await
    }

    async fn insert_webhook(&self, webhook: &WebhookRecord) -> MembersResult<()> {
        self.inner.insert_webhook(webhook).await
    }

    async fn webhooks(&self) -> MembersResult<Vec<WebhookRecord>> {
        self.inner.webhooks().await
    }

    async fn webhook(&self, id: &str) -> MembersResult<Option<WebhookRecord>> {
        self.inner.webhook(id).await
    }

    async fn delete_webhook(&self, id: &str) -> MembersResult<bool> {
        self.inner.delete_webhook(id).await
    }

    async fn rotate_webhook_secret(
        &self,
        id: &str,
        secret: &str,
        previous_until: Timestamp,
    ) -> MembersResult<bool> {
        self.inner
            .rotate_webhook_secret(id, secret, previous_until)
            .await
    }

    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        token: &str,
        limit: u32,
    ) -> MembersResult<Vec<Claim>> {
        yield_now().await;
        self.inner
            .claim_deliveries(now, lease_until, token, limit)
            .await
    }

    async fn leased_attempts(&self, delivery_id: &str, token: &str) -> MembersResult<Option<u32>> {
        self.inner.leased_attempts(delivery_id, token).await
    }

    async fn finish_attempts(&self, finished: &[Finished]) -> MembersResult<Vec<bool>> {
        yield_now().await;
        self.inner.finish_attempts(finished).await
    }

    async fn release_leases(&self, tokens: &[String]) -> MembersResult<()> {
        self.inner.release_leases(tokens).await
    }

    async fn deliveries(
        &self,
        webhook_id: &str,
        filter: DeliveryFilter,
        limit: u32,
    ) -> MembersResult<Vec<Delivery>> {
        self.inner.deliveries(webhook_id, filter, limit).await
    }

    async fn delivery(&self, delivery_id: &str) -> MembersResult<Option<Delivery>> {
        self.inner.delivery(delivery_id).await
    }

    async fn redeliver(&self, delivery_id: &str, now: Timestamp) -> MembersResult<bool> {
        self.inner.redeliver(delivery_id, now).await
    }

    async fn prune_outbox(&self, before: Timestamp, batch: u32) -> MembersResult<u64> {
        self.inner.prune_outbox(before, batch).await
    }

    async fn setting(&self, name: &str) -> MembersResult<Option<String>> {
        self.inner.setting(name).await
    }

    async fn set_setting_once(&self, name: &str, value: &str) -> MembersResult<()> {
        self.inner.set_setting_once(name, value).await
    }
}

/// Jobs pass straight through (yielding first, like every call).
impl JobStore for YieldingStore {
    async fn insert_job(&self, job: &Job, members: &[MemberId]) -> MembersResult<()> {
        yield_now().await;
        self.inner.insert_job(job, members).await
    }

    async fn job(&self, id: &str) -> MembersResult<Option<Job>> {
        self.inner.job(id).await
    }

    async fn job_items(
        &self,
        id: &str,
        filter: ItemFilter,
        after: Option<u64>,
        limit: u32,
    ) -> MembersResult<Vec<JobItem>> {
        self.inner.job_items(id, filter, after, limit).await
    }

    async fn claim_job(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        token: &str,
    ) -> MembersResult<Option<Job>> {
        yield_now().await;
        self.inner.claim_job(now, lease_until, token).await
    }

    async fn pending_items(&self, id: &str, limit: u32) -> MembersResult<Vec<JobItem>> {
        self.inner.pending_items(id, limit).await
    }

    async fn apply_job_batch(&self, batch: &JobBatch) -> MembersResult<()> {
        yield_now().await;
        self.inner.apply_job_batch(batch).await
    }

    async fn end_job(
        &self,
        id: &str,
        token: &str,
        status: JobStatus,
        error: Option<&str>,
        now: Timestamp,
    ) -> MembersResult<bool> {
        self.inner.end_job(id, token, status, error, now).await
    }

    async fn release_job(&self, id: &str, token: &str) -> MembersResult<()> {
        self.inner.release_job(id, token).await
    }

    async fn prune_jobs(&self, before: Timestamp, batch: u32) -> MembersResult<u64> {
        self.inner.prune_jobs(before, batch).await
    }
}

/// A member JSON with just an email.
pub fn email_only(email: &str) -> Value {
    json!({ "loginEmail": email })
}

/// The by-filter bulk calls as tests used them before they became async jobs:
/// start the job, then work it to the end in this thread.
#[allow(async_fn_in_trait)]
pub trait BulkToCompletion {
    /// `bulkApproveMembers` / `bulkBlockMembers`, run to the end → `{ jobId }`.
    async fn bulk_moderate(
        &self,
        caller: &Caller,
        filter: &Value,
        action: Moderation,
    ) -> MembersResult<Value>;

    /// `bulkDeleteMembersByFilter`, run to the end → `{ jobId }`.
    async fn bulk_delete_by_filter(&self, caller: &Caller, filter: &Value) -> MembersResult<Value>;
}

/// Works every job to its end.
pub async fn run_jobs<S: Store>(engine: &Engine<S>) {
    for _ in 0..100_000 {
        let ran = engine
            .run_async_jobs(&Caller::admin())
            .await
            .expect("jobs run");
        if ran["worked"] == false {
            return;
        }
    }
    panic!("jobs never finished");
}

impl<S: Store> BulkToCompletion for Engine<S> {
    async fn bulk_moderate(
        &self,
        caller: &Caller,
        filter: &Value,
        action: Moderation,
    ) -> MembersResult<Value> {
        let action = match action {
            Moderation::Block => JobAction::Block,
            _ => JobAction::Approve,
        };
        let started = self.start_job(caller, action, filter, &json!({})).await?;
        run_jobs(self).await;
        Ok(started)
    }

    async fn bulk_delete_by_filter(&self, caller: &Caller, filter: &Value) -> MembersResult<Value> {
        let started = self
            .start_job(caller, JobAction::Delete, filter, &json!({}))
            .await?;
        run_jobs(self).await;
        Ok(started)
    }
}
