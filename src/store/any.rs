//! `AnyStore`: the store chosen at run time by the database URL (SPEC §11).

use super::sql::SqlDriver;
use super::{CredentialStore, MemoryStore, Page, SqlStore, Store};
use crate::model::credentials::{Failures, PasswordHash, PasswordTicket, SessionRecord, TokenHash};
use crate::model::{Member, MemberId, MembersResult, Timestamp};
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
    async fn insert(&self, member: &Member) -> MembersResult<()> {
        both!(self, s => s.insert(member).await)
    }

    async fn insert_many(&self, members: &[Member]) -> MembersResult<()> {
        both!(self, s => s.insert_many(members).await)
    }

    async fn get(&self, id: &MemberId) -> MembersResult<Option<Member>> {
        both!(self, s => s.get(id).await)
    }

    async fn get_by_email(&self, email: &str) -> MembersResult<Option<Member>> {
        both!(self, s => s.get_by_email(email).await)
    }

    async fn update(&self, member: &Member, expected_revision: u64) -> MembersResult<()> {
        both!(self, s => s.update(member, expected_revision).await)
    }

    async fn update_many(&self, changes: &[(Member, u64)]) -> MembersResult<()> {
        both!(self, s => s.update_many(changes).await)
    }

    async fn delete(&self, members: &[Member]) -> MembersResult<Vec<MemberId>> {
        both!(self, s => s.delete(members).await)
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
    ) -> MembersResult<()> {
        both!(self, s => s.insert_with_password(member, password).await)
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

    async fn extend_session(&self, hash: &TokenHash, expires: Timestamp) -> MembersResult<()> {
        both!(self, s => s.extend_session(hash, expires).await)
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
