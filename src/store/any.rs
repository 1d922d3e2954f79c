//! `AnyStore`: the store chosen at run time by the database URL (SPEC §11).

use super::sql::SqlDriver;
use super::{
    Claim, CredentialStore, Finished, JobBatch, JobStore, MemoryStore, OutboxStore, Page, SqlStore,
    Store,
};
use crate::model::credentials::{
    EmailVerification, Failures, PasswordHash, PasswordTicket, SessionRecord, TokenHash,
};
use crate::model::event::StoredEvent;
use crate::model::job::{ItemFilter, Job, JobItem, JobStatus};
use crate::model::webhook::{Delivery, DeliveryFilter, WebhookRecord};
use crate::model::{Member, MemberEvent, MemberId, MembersResult, Timestamp};
use crate::query::{Filter, Query};

/// The memory store or a SQL store over driver `D`.
// One per process: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum AnyStore<D: SqlDriver> {
    Memory(MemoryStore),
    Sql(SqlStore<D>),
}

macro_rules! both {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AnyStore::Memory($store) => $call,
            AnyStore::Sql($store) => $call,
        }
    };
}

impl<D: SqlDriver> Store for AnyStore<D> {
    async fn insert(&self, member: &Member, event: &MemberEvent) -> MembersResult<()> {
        both!(self, s => s.insert(member, event).await)
    }

    async fn insert_many(&self, members: &[Member], events: &[MemberEvent]) -> MembersResult<()> {
        both!(self, s => s.insert_many(members, events).await)
    }

    async fn get(&self, id: &MemberId) -> MembersResult<Option<Member>> {
        both!(self, s => s.get(id).await)
    }

    async fn get_by_email(&self, email: &str) -> MembersResult<Option<Member>> {
        both!(self, s => s.get_by_email(email).await)
    }

    async fn update_many(
        &self,
        changes: &[(Member, u64)],
        events: &[MemberEvent],
    ) -> MembersResult<()> {
        both!(self, s => s.update_many(changes, events).await)
    }

    async fn delete(&self, members: &[Member], events: &[MemberEvent]) -> MembersResult<()> {
        both!(self, s => s.delete(members, events).await)
    }

    async fn query(&self, query: &Query) -> MembersResult<Page> {
        both!(self, s => s.query(query).await)
    }

    async fn count(&self, filter: &Filter) -> MembersResult<u64> {
        both!(self, s => s.count(filter).await)
    }

    async fn slugs_like(&self, base_key: &str) -> MembersResult<Vec<String>> {
        both!(self, s => s.slugs_like(base_key).await)
    }

    async fn secret(&self) -> MembersResult<Vec<u8>> {
        both!(self, s => s.secret().await)
    }
}

impl<D: SqlDriver> CredentialStore for AnyStore<D> {
    async fn insert_with_password(
        &self,
        member: &Member,
        password: &PasswordHash,
        event: &MemberEvent,
    ) -> MembersResult<()> {
        both!(self, s => s.insert_with_password(member, password, event).await)
    }

    async fn password(&self, id: &MemberId) -> MembersResult<Option<PasswordHash>> {
        both!(self, s => s.password(id).await)
    }

    async fn replace_password(&self, id: &MemberId, password: &PasswordHash) -> MembersResult<()> {
        both!(self, s => s.replace_password(id, password).await)
    }

    async fn insert_session(&self, session: &SessionRecord) -> MembersResult<()> {
        both!(self, s => s.insert_session(session).await)
    }

    async fn session(&self, hash: &TokenHash) -> MembersResult<Option<SessionRecord>> {
        both!(self, s => s.session(hash).await)
    }

    async fn touch_session(
        &self,
        hash: &TokenHash,
        last_used: Timestamp,
        expires: Timestamp,
    ) -> MembersResult<()> {
        both!(self, s => s.touch_session(hash, last_used, expires).await)
    }

    async fn sessions_of(&self, id: &MemberId) -> MembersResult<Vec<SessionRecord>> {
        both!(self, s => s.sessions_of(id).await)
    }

    async fn put_verification(&self, verification: &EmailVerification) -> MembersResult<()> {
        both!(self, s => s.put_verification(verification).await)
    }

    async fn verifications_to(&self, email_key: &str) -> MembersResult<Vec<EmailVerification>> {
        both!(self, s => s.verifications_to(email_key).await)
    }

    async fn verification_by_link(
        &self,
        link_hash: &TokenHash,
    ) -> MembersResult<Option<EmailVerification>> {
        both!(self, s => s.verification_by_link(link_hash).await)
    }

    async fn take_verification(
        &self,
        member: &MemberId,
        link_hash: &TokenHash,
    ) -> MembersResult<bool> {
        both!(self, s => s.take_verification(member, link_hash).await)
    }

    async fn delete_verification_of(&self, member: &MemberId) -> MembersResult<()> {
        both!(self, s => s.delete_verification_of(member).await)
    }

    async fn insert_admin_session(
        &self,
        hash: &TokenHash,
        expires: Timestamp,
        key_id: &str,
    ) -> MembersResult<()> {
        both!(self, s => s.insert_admin_session(hash, expires, key_id).await)
    }

    async fn add_wrong_code(&self, member: &MemberId) -> MembersResult<u32> {
        both!(self, s => s.add_wrong_code(member).await)
    }

    async fn admin_session(&self, hash: &TokenHash) -> MembersResult<Option<(Timestamp, String)>> {
        both!(self, s => s.admin_session(hash).await)
    }

    async fn delete_admin_session(&self, hash: &TokenHash) -> MembersResult<()> {
        both!(self, s => s.delete_admin_session(hash).await)
    }

    async fn delete_session(&self, hash: &TokenHash) -> MembersResult<()> {
        both!(self, s => s.delete_session(hash).await)
    }

    async fn delete_sessions_of(&self, id: &MemberId) -> MembersResult<()> {
        both!(self, s => s.delete_sessions_of(id).await)
    }

    async fn insert_ticket(&self, ticket: &PasswordTicket) -> MembersResult<()> {
        both!(self, s => s.insert_ticket(ticket).await)
    }

    async fn delete_tickets_of(&self, id: &MemberId) -> MembersResult<()> {
        both!(self, s => s.delete_tickets_of(id).await)
    }

    async fn take_ticket(&self, hash: &TokenHash) -> MembersResult<Option<PasswordTicket>> {
        both!(self, s => s.take_ticket(hash).await)
    }

    async fn forgive_failure(&self, key: &str) -> MembersResult<()> {
        both!(self, s => s.forgive_failure(key).await)
    }

    async fn add_failure(
        &self,
        key: &str,
        now: Timestamp,
        window_opened_after: Timestamp,
    ) -> MembersResult<Failures> {
        both!(self, s => s.add_failure(key, now, window_opened_after).await)
    }

    async fn clear_failures(&self, key: &str) -> MembersResult<()> {
        both!(self, s => s.clear_failures(key).await)
    }

    async fn prune(&self, now: Timestamp, window_opened_after: Timestamp) -> MembersResult<()> {
        both!(self, s => s.prune(now, window_opened_after).await)
    }
}

impl<D: SqlDriver> OutboxStore for AnyStore<D> {
    async fn events_after(
        &self,
        position: u64,
        limit: u32,
        own_only: bool,
    ) -> MembersResult<Vec<StoredEvent>> {
        both!(self, s => s.events_after(position, limit, own_only).await)
    }

    async fn latest_position(&self) -> MembersResult<u64> {
        both!(self, s => s.latest_position().await)
    }

    async fn insert_webhook(&self, webhook: &WebhookRecord) -> MembersResult<()> {
        both!(self, s => s.insert_webhook(webhook).await)
    }

    async fn webhooks(&self) -> MembersResult<Vec<WebhookRecord>> {
        both!(self, s => s.webhooks().await)
    }

    async fn webhook(&self, id: &str) -> MembersResult<Option<WebhookRecord>> {
        both!(self, s => s.webhook(id).await)
    }

    async fn delete_webhook(&self, id: &str) -> MembersResult<bool> {
        both!(self, s => s.delete_webhook(id).await)
    }

    async fn rotate_webhook_secret(
        &self,
        id: &str,
        secret: &str,
        previous_until: Timestamp,
    ) -> MembersResult<bool> {
        both!(self, s => s.rotate_webhook_secret(id, secret, previous_until).await)
    }

    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        token: &str,
        limit: u32,
    ) -> MembersResult<Vec<Claim>> {
        both!(self, s => s.claim_deliveries(now, lease_until, token, limit).await)
    }

    async fn leased_attempts(&self, delivery_id: &str, token: &str) -> MembersResult<Option<u32>> {
        both!(self, s => s.leased_attempts(delivery_id, token).await)
    }

    async fn finish_attempts(&self, finished: &[Finished]) -> MembersResult<Vec<bool>> {
        both!(self, s => s.finish_attempts(finished).await)
    }

    async fn release_leases(&self, tokens: &[String]) -> MembersResult<()> {
        both!(self, s => s.release_leases(tokens).await)
    }

    async fn deliveries(
        &self,
        webhook_id: &str,
        filter: DeliveryFilter,
        limit: u32,
    ) -> MembersResult<Vec<Delivery>> {
        both!(self, s => s.deliveries(webhook_id, filter, limit).await)
    }

    async fn delivery(&self, delivery_id: &str) -> MembersResult<Option<Delivery>> {
        both!(self, s => s.delivery(delivery_id).await)
    }

    async fn redeliver(&self, delivery_id: &str, now: Timestamp) -> MembersResult<bool> {
        both!(self, s => s.redeliver(delivery_id, now).await)
    }

    async fn prune_outbox(&self, before: Timestamp, batch: u32) -> MembersResult<u64> {
        both!(self, s => s.prune_outbox(before, batch).await)
    }

    async fn setting(&self, name: &str) -> MembersResult<Option<String>> {
        both!(self, s => s.setting(name).await)
    }

    async fn set_setting_once(&self, name: &str, value: &str) -> MembersResult<()> {
        both!(self, s => s.set_setting_once(name, value).await)
    }
}

impl<D: SqlDriver> JobStore for AnyStore<D> {
    async fn insert_job(&self, job: &Job, members: &[MemberId]) -> MembersResult<()> {
        both!(self, s => s.insert_job(job, members).await)
    }

    async fn job(&self, id: &str) -> MembersResult<Option<Job>> {
        both!(self, s => s.job(id).await)
    }

    async fn job_items(
        &self,
        id: &str,
        filter: ItemFilter,
        after: Option<u64>,
        limit: u32,
    ) -> MembersResult<Vec<JobItem>> {
        both!(self, s => s.job_items(id, filter, after, limit).await)
    }

    async fn claim_job(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        token: &str,
    ) -> MembersResult<Option<Job>> {
        both!(self, s => s.claim_job(now, lease_until, token).await)
    }

    async fn pending_items(&self, id: &str, limit: u32) -> MembersResult<Vec<JobItem>> {
        both!(self, s => s.pending_items(id, limit).await)
    }

    async fn apply_job_batch(&self, batch: &JobBatch) -> MembersResult<()> {
        both!(self, s => s.apply_job_batch(batch).await)
    }

    async fn end_job(
        &self,
        id: &str,
        token: &str,
        status: JobStatus,
        error: Option<&str>,
        now: Timestamp,
    ) -> MembersResult<bool> {
        both!(self, s => s.end_job(id, token, status, error, now).await)
    }

    async fn release_job(&self, id: &str, token: &str) -> MembersResult<()> {
        both!(self, s => s.release_job(id, token).await)
    }

    async fn prune_jobs(&self, before: Timestamp, batch: u32) -> MembersResult<u64> {
        both!(self, s => s.prune_jobs(before, batch).await)
    }
}
