//! The in-memory store: pure Rust, laid out so queries do not scan what they can
//! skip (issue 15).
//!
//! Members live in a dense arena (`memory_arena`); what filters read of them is
//! kept as compact rows in columns (`memory_columns`: enums as ordinals, text as
//! stored and folded once). Indexes: email key → id and slug key →
//! id (uniqueness); folded nickname (ordered, for `startsWith`); the default order
//! as a sorted list of slots (`memory_order`); a bitmap per enum value
//! (`memory_bitmaps`). The planner narrows by an index from the filter's required
//! conditions and always re-checks the whole filter, so an index only narrows,
//! never decides; a page in the default order walks the sorted list and stops
//! when full once the total is known from the bitmaps.

use super::credentials::{CredentialStore, MemoryCredentials};
use super::memory_arena::Arena;
use super::memory_bitmaps::EnumBitmaps;
use super::memory_columns::Columns;
use super::memory_jobs::MemoryJobs;
use super::memory_order::NewestFirst;
use super::memory_outbox::MemoryOutbox;
use super::{email_taken, page_in_memory, revision_conflict, slug_taken, unique_keys, Page, Store};
use crate::model::credentials::{
    EmailVerification, Failures, PasswordHash, PasswordTicket, SessionRecord, TokenHash,
};
use crate::model::text::{fold, unique_key};
use crate::model::{Member, MemberEvent, MemberId, MembersResult, Timestamp};
use crate::query::{Condition, Field, Filter, MemberRow, Order, Query, RowFilter, Scalar};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

#[derive(Default)]
struct Indexes {
    arena: Arena,
    columns: Columns,
    by_email: HashMap<String, MemberId>,
    by_slug: BTreeMap<String, MemberId>,
    by_nickname: BTreeSet<(String, MemberId)>,
    order: NewestFirst,
    bitmaps: EnumBitmaps,
}

impl Indexes {
    /// Adds a member whose id is not stored yet.
    fn add(&mut self, member: &Member) {
        self.index_keys(member);
        let row = MemberRow::of(member);
        let slot = self.arena.insert(member.clone());
        self.order.insert(&self.arena, slot);
        self.bitmaps.mark(slot, &row, true);
        self.columns.set(slot, &row);
    }

    fn remove(&mut self, id: &MemberId) -> Option<Member> {
        let slot = self.arena.slot_of(id)?;
        self.order.remove(&self.arena, slot);
        let member = self.arena.remove(slot)?;
        self.bitmaps.mark(slot, &MemberRow::of(&member), false);
        self.columns.clear(slot);
        self.unindex_keys(&member);
        Some(member)
    }

    /// Puts a new version of a stored member in its place (its slot and, when
    /// its creation date is the same, its place in the order); returns the old one.
    fn replace(&mut self, member: &Member) -> Option<Member> {
        let slot = self.arena.slot_of(&member.id)?;
        if self.arena.get(slot)?.created_date != member.created_date {
            let old = self.remove(&member.id)?;
            self.add(member);
            return Some(old);
        }
        let old = self.arena.replace(slot, member.clone())?;
        self.bitmaps.mark(slot, &MemberRow::of(&old), false);
        self.unindex_keys(&old);
        self.index_keys(member);
        let row = MemberRow::of(member);
        self.bitmaps.mark(slot, &row, true);
        self.columns.set(slot, &row);
        Some(old)
    }

    fn index_keys(&mut self, member: &Member) {
        let (email, slug) = unique_keys(member);
        self.by_email.insert(email, member.id.clone());
        self.by_slug.insert(slug, member.id.clone());
        if let Some(nickname) = &member.profile.nickname {
            self.by_nickname.insert((fold(nickname), member.id.clone()));
        }
    }

    fn unindex_keys(&mut self, member: &Member) {
        let (email, slug) = unique_keys(member);
        self.by_email.remove(&email);
        self.by_slug.remove(&slug);
        if let Some(nickname) = &member.profile.nickname {
            self.by_nickname
                .remove(&(fold(nickname), member.id.clone()));
        }
    }

    /// Refuses a member whose email or slug key belongs to another member.
    fn check_unique(&self, member: &Member) -> MembersResult<()> {
        let (email, slug) = unique_keys(member);
        if self.by_email.get(&email).is_some_and(|id| *id != member.id) {
            return Err(email_taken(&member.login_email));
        }
        if self.by_slug.get(&slug).is_some_and(|id| *id != member.id) {
            return Err(slug_taken(&member.profile.slug));
        }
        Ok(())
    }

    /// The slots an index says may match, or `None` when no index applies.
    fn candidates(&self, filter: &Filter) -> Option<Vec<u32>> {
        let text = |s: &Option<Scalar>| match s {
            Some(Scalar::Text(t)) => Some(t.to_string()),
            _ => None,
        };
        for (field, condition) in filter.required() {
            let lookup = |key: Option<&MemberId>| {
                key.and_then(|id| self.arena.slot_of(id))
                    .into_iter()
                    .collect()
            };
            match (field, condition) {
                (Field::Id, Condition::Eq(value)) => {
                    let id = text(value).map(|t| MemberId::parse(&t, "_id"));
                    return Some(match id {
                        Some(Ok(id)) => lookup(Some(&id)),
                        _ => Vec::new(),
                    });
                }
                (Field::Slug, Condition::Eq(value)) => {
                    let key = text(value).map(|t| unique_key(&t));
                    return Some(lookup(key.as_ref().and_then(|k| self.by_slug.get(k))));
                }
                (Field::LoginEmail, Condition::Eq(value)) => {
                    let key = text(value).map(|t| unique_key(&t));
                    return Some(lookup(key.as_ref().and_then(|k| self.by_email.get(k))));
                }
                (Field::Nickname, Condition::StartsWith(prefix)) => {
                    let start = Bound::Included((prefix.clone(), MemberId::min()));
                    return Some(
                        self.by_nickname
                            .range((start, Bound::Unbounded))
                            .take_while(|(nick, _)| nick.starts_with(prefix.as_str()))
                            .filter_map(|(_, id)| self.arena.slot_of(id))
                            .collect(),
                    );
                }
                _ => {}
            }
        }
        None
    }

    /// The slots among `slots` whose members match, in the same order.
    fn matching<'a>(
        &'a self,
        filter: &'a RowFilter,
        slots: impl Iterator<Item = u32> + 'a,
    ) -> impl Iterator<Item = u32> + 'a {
        slots.filter(|&slot| filter.matches(&self.columns.row(&self.arena, slot)))
    }

    /// The members in `slots`.
    fn members(&self, slots: impl Iterator<Item = u32>) -> impl Iterator<Item = &Member> {
        slots.filter_map(|slot| self.arena.get(slot))
    }

    /// How many members match, without a scan where an index or the bitmaps can.
    fn count(&self, filter: &Filter, compiled: &RowFilter) -> usize {
        if let Some(slots) = self.candidates(filter) {
            return self.matching(compiled, slots.into_iter()).count();
        }
        if let Some(selected) = self.bitmaps.select(compiled) {
            return selected.count() as usize;
        }
        self.matching(compiled, self.order.iter()).count()
    }

    /// One page of the query and, when `counting`, the total.
    fn page(&self, query: &Query, offset: usize, limit: usize, counting: bool) -> Page {
        let filter = &query.filter;
        let compiled = RowFilter::compile(filter);
        let newest_first = query.sort.keys.len() == 1
            && query.sort.keys[0].field == Field::CreatedDate
            && query.sort.keys[0].order == Order::Desc;
        let (members, total) = match self.candidates(filter) {
            Some(slots) => {
                let found: Vec<&Member> = self
                    .members(self.matching(&compiled, slots.into_iter()))
                    .collect();
                let total = found.len();
                (page_in_memory(found, query, offset, limit), total)
            }
            // The default order is the sorted list's: walk it, and stop once the
            // page is full when the bitmaps (or no need) give the total.
            None if newest_first => {
                let known = match counting {
                    true => self.bitmaps.select(&compiled).map(|b| b.count() as usize),
                    false => Some(0),
                };
                let mut seen = 0usize;
                let mut walk = self
                    .matching(&compiled, self.order.iter())
                    .inspect(|_| seen += 1);
                let page = walk.by_ref().skip(offset).take(limit);
                let members = self.members(page).cloned().collect();
                let total = match known {
                    Some(total) => total,
                    None => {
                        walk.for_each(drop);
                        seen
                    }
                };
                (members, total)
            }
            None => {
                let found: Vec<&Member> = self
                    .members(self.matching(&compiled, self.order.iter()))
                    .collect();
                let total = found.len();
                (page_in_memory(found, query, offset, limit), total)
            }
        };
        Page {
            members,
            total: total as u64,
        }
    }
}

/// Members kept in this process only: for tests, benchmarks and `memory:`.
#[derive(Default)]
pub struct MemoryStore {
    inner: RefCell<Indexes>,
    secret: RefCell<Vec<u8>>,
    credentials: RefCell<MemoryCredentials>,
    pub(crate) outbox: RefCell<MemoryOutbox>,
    pub(crate) jobs: RefCell<MemoryJobs>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }
}

impl Store for MemoryStore {
    async fn insert(&self, member: &Member, event: &MemberEvent) -> MembersResult<()> {
        let mut inner = self.inner.borrow_mut();
        inner.check_unique(member)?;
        inner.add(member);
        self.outbox.borrow_mut().append(std::slice::from_ref(event));
        Ok(())
    }

    async fn insert_many(&self, members: &[Member], events: &[MemberEvent]) -> MembersResult<()> {
        let mut inner = self.inner.borrow_mut();
        let mut added: Vec<MemberId> = Vec::new();
        for member in members {
            let duplicate_id = inner.arena.slot_of(&member.id).is_some();
            if let Err(error) = inner.check_unique(member).and_then(|()| {
                if duplicate_id {
                    Err(super::member_exists(&member.id))
                } else {
                    Ok(())
                }
            }) {
                // All or nothing: take back what this call added.
                for id in &added {
                    inner.remove(id);
                }
                return Err(error);
            }
            inner.add(member);
            added.push(member.id.clone());
        }
        self.outbox.borrow_mut().append(events);
        Ok(())
    }

    async fn get(&self, id: &MemberId) -> MembersResult<Option<Member>> {
        Ok(self.inner.borrow().arena.member(id).cloned())
    }

    async fn get_by_email(&self, email: &str) -> MembersResult<Option<Member>> {
        let inner = self.inner.borrow();
        let id = inner.by_email.get(&unique_key(email));
        Ok(id.and_then(|id| inner.arena.member(id)).cloned())
    }

    async fn update_many(
        &self,
        changes: &[(Member, u64)],
        events: &[MemberEvent],
    ) -> MembersResult<()> {
        let mut inner = self.inner.borrow_mut();
        for (member, expected) in changes {
            match inner.arena.member(&member.id) {
                Some(stored) if stored.revision == *expected => {}
                _ => return Err(revision_conflict(&member.id)),
            }
        }
        let mut replaced: Vec<Member> = Vec::new();
        for (member, _) in changes {
            if let Err(error) = inner.check_unique(member) {
                // All or nothing: put back what this call replaced.
                for old in replaced.iter().rev() {
                    inner.replace(old);
                }
                return Err(error);
            }
            match inner.replace(member) {
                Some(old) => replaced.push(old),
                None => inner.add(member),
            }
        }
        self.outbox.borrow_mut().append(events);
        Ok(())
    }

    async fn delete(&self, members: &[Member], events: &[MemberEvent]) -> MembersResult<()> {
        let mut inner = self.inner.borrow_mut();
        if let Some(stale) = members.iter().find(|m| {
            inner
                .arena
                .member(&m.id)
                .is_none_or(|s| s.revision != m.revision)
        }) {
            return Err(revision_conflict(&stale.id));
        }
        let mut credentials = self.credentials.borrow_mut();
        for member in members {
            inner.remove(&member.id);
            credentials.forget_member(&member.id);
        }
        self.outbox.borrow_mut().append(events);
        Ok(())
    }

    async fn query(&self, query: &Query) -> MembersResult<Page> {
        let offset = query.paging.offset_index();
        let limit = query.paging.limit as usize;
        Ok(self
            .inner
            .borrow()
            .page(query, offset, limit, query.with_total))
    }

    async fn count(&self, filter: &Filter) -> MembersResult<u64> {
        let compiled = RowFilter::compile(filter);
        Ok(self.inner.borrow().count(filter, &compiled) as u64)
    }

    async fn secret(&self) -> MembersResult<Vec<u8>> {
        let mut secret = self.secret.borrow_mut();
        if secret.is_empty() {
            let mut bytes = vec![0u8; 32];
            crate::model::ids::random_bytes(&mut bytes)?;
            *secret = bytes;
        }
        Ok(secret.clone())
    }

    async fn slugs_like(&self, base_key: &str) -> MembersResult<Vec<String>> {
        let inner = self.inner.borrow();
        let dashed = format!("{base_key}-");
        let mut found: Vec<String> = inner
            .by_slug
            .get_key_value(base_key)
            .map(|(k, _)| k.clone())
            .into_iter()
            .collect();
        found.extend(
            inner
                .by_slug
                .range::<str, _>((Bound::Included(dashed.as_str()), Bound::Unbounded))
                .take_while(|(key, _)| key.starts_with(&dashed))
                .map(|(key, _)| key.clone()),
        );
        Ok(found)
    }
}

impl CredentialStore for MemoryStore {
    async fn insert_with_password(
        &self,
        member: &Member,
        password: &PasswordHash,
        event: &MemberEvent,
    ) -> MembersResult<()> {
        self.insert(member, event).await?;
        self.credentials
            .borrow_mut()
            .set_password(&member.id, password);
        Ok(())
    }

    async fn password(&self, id: &MemberId) -> MembersResult<Option<PasswordHash>> {
        Ok(self.credentials.borrow().password(id))
    }

    async fn replace_password(&self, id: &MemberId, password: &PasswordHash) -> MembersResult<()> {
        self.credentials.borrow_mut().replace_password(id, password);
        Ok(())
    }

    async fn insert_session(&self, session: &SessionRecord) -> MembersResult<()> {
        self.credentials.borrow_mut().insert_session(session);
        Ok(())
    }

    async fn session(&self, hash: &TokenHash) -> MembersResult<Option<SessionRecord>> {
        Ok(self.credentials.borrow().session(hash))
    }

    async fn touch_session(
        &self,
        hash: &TokenHash,
        last_used: Timestamp,
        expires: Timestamp,
    ) -> MembersResult<()> {
        self.credentials
            .borrow_mut()
            .touch_session(hash, last_used, expires);
        Ok(())
    }

    async fn sessions_of(&self, id: &MemberId) -> MembersResult<Vec<SessionRecord>> {
        Ok(self.credentials.borrow().sessions_of(id))
    }

    async fn put_verification(&self, verification: &EmailVerification) -> MembersResult<()> {
        self.credentials.borrow_mut().put_verification(verification);
        Ok(())
    }

    async fn verifications_to(&self, email_key: &str) -> MembersResult<Vec<EmailVerification>> {
        Ok(self.credentials.borrow().verifications_to(email_key))
    }

    async fn verification_by_link(
        &self,
        link_hash: &TokenHash,
    ) -> MembersResult<Option<EmailVerification>> {
        Ok(self.credentials.borrow().verification_by_link(link_hash))
    }

    async fn take_verification(
        &self,
        member: &MemberId,
        link_hash: &TokenHash,
    ) -> MembersResult<bool> {
        Ok(self
            .credentials
            .borrow_mut()
            .take_verification(member, link_hash))
    }

    async fn delete_verification_of(&self, member: &MemberId) -> MembersResult<()> {
        self.credentials.borrow_mut().delete_verification_of(member);
        Ok(())
    }

    async fn insert_admin_session(
        &self,
        hash: &TokenHash,
        expires: Timestamp,
        key_id: &str,
    ) -> MembersResult<()> {
        self.credentials
            .borrow_mut()
            .insert_admin_session(hash, expires, key_id);
        Ok(())
    }

    async fn add_wrong_code(&self, member: &MemberId) -> MembersResult<u32> {
        Ok(self.credentials.borrow_mut().add_wrong_code(member))
    }

    async fn admin_session(&self, hash: &TokenHash) -> MembersResult<Option<(Timestamp, String)>> {
        Ok(self.credentials.borrow().admin_session(hash))
    }

    async fn delete_admin_session(&self, hash: &TokenHash) -> MembersResult<()> {
        self.credentials.borrow_mut().delete_admin_session(hash);
        Ok(())
    }

    async fn delete_session(&self, hash: &TokenHash) -> MembersResult<()> {
        self.credentials.borrow_mut().delete_session(hash);
        Ok(())
    }

    async fn delete_sessions_of(&self, id: &MemberId) -> MembersResult<()> {
        self.credentials.borrow_mut().delete_sessions_of(id);
        Ok(())
    }

    async fn insert_ticket(&self, ticket: &PasswordTicket) -> MembersResult<()> {
        self.credentials.borrow_mut().insert_ticket(ticket);
        Ok(())
    }

    async fn delete_tickets_of(&self, id: &MemberId) -> MembersResult<()> {
        self.credentials.borrow_mut().delete_tickets_of(id);
        Ok(())
    }

    async fn take_ticket(&self, hash: &TokenHash) -> MembersResult<Option<PasswordTicket>> {
        Ok(self.credentials.borrow_mut().take_ticket(hash))
    }

    async fn forgive_failure(&self, key: &str) -> MembersResult<()> {
        self.credentials.borrow_mut().forgive_failure(key);
        Ok(())
    }

    async fn add_failure(
        &self,
        key: &str,
        now: Timestamp,
        window_opened_after: Timestamp,
    ) -> MembersResult<Failures> {
        Ok(self
            .credentials
            .borrow_mut()
            .add_failure(key, now, window_opened_after))
    }

    async fn clear_failures(&self, key: &str) -> MembersResult<()> {
        self.credentials.borrow_mut().clear_failures(key);
        Ok(())
    }

    async fn prune(&self, now: Timestamp, window_opened_after: Timestamp) -> MembersResult<()> {
        self.credentials
            .borrow_mut()
            .prune(now, window_opened_after);
        Ok(())
    }
}
