//! `AnyStore`: the store chosen at run time by the database URL (SPEC §11).

use super::sql::SqlDriver;
use super::{MemoryStore, Page, SqlStore, Store};
use crate::model::{Member, MemberId, MembersResult};
use crate::query::{Filter, Query};

/// The memory store or a SQL store over driver `D`.
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
