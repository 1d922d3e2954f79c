//! What a store keeps for authentication (SPEC §10): password hashes, sessions,
//! set-password tickets and failed-login counters, in tables of their own, never
//! in the member. Only hashes of tokens are kept.
//!
//! Every store implements `CredentialStore`; this file holds the trait and the
//! in-memory tables. Deleting a member deletes all of these with it.

use crate::model::credentials::{
    EmailVerification, Failures, PasswordHash, PasswordTicket, SessionRecord, TokenHash,
};
use crate::model::text::unique_key;
use crate::model::{Member, MemberEvent, MemberId, MembersResult, Timestamp};
use std::collections::HashMap;

/// Credentials and counters of a store. Futures are not `Send` (like `Store`).
#[allow(async_fn_in_trait)]
pub trait CredentialStore {
    /// Adds a new member with its password and its event, all or nothing.
    async fn insert_with_password(
        &self,
        member: &Member,
        password: &PasswordHash,
        event: &MemberEvent,
    ) -> MembersResult<()>;

    /// The member's password hash; `None` when it never set one.
    async fn password(&self, id: &MemberId) -> MembersResult<Option<PasswordHash>>;

    /// Sets the member's password and, at once, ends every session, unused
    /// set-password ticket and pending email verification it has (whoever held
    /// them no longer gets in).
    async fn replace_password(&self, id: &MemberId, password: &PasswordHash) -> MembersResult<()>;

    /// Stores a new session.
    async fn insert_session(&self, session: &SessionRecord) -> MembersResult<()>;

    /// The session with this token hash.
    async fn session(&self, hash: &TokenHash) -> MembersResult<Option<SessionRecord>>;

    /// Records a use of a session: its last use and its (sliding) expiry.
    async fn touch_session(
        &self,
        hash: &TokenHash,
        last_used: Timestamp,
        expires: Timestamp,
    ) -> MembersResult<()>;

    /// Every session of a member, newest first.
    async fn sessions_of(&self, id: &MemberId) -> MembersResult<Vec<SessionRecord>>;

    /// Ends one session.
    async fn delete_session(&self, hash: &TokenHash) -> MembersResult<()>;

    /// Ends every session of a member.
    async fn delete_sessions_of(&self, id: &MemberId) -> MembersResult<()>;

    /// Stores a set-password ticket in place of the member's older ones (the
    /// newest link is the one that works).
    async fn insert_ticket(&self, ticket: &PasswordTicket) -> MembersResult<()>;

    /// Voids every set-password ticket of a member.
    async fn delete_tickets_of(&self, id: &MemberId) -> MembersResult<()>;

    /// Removes and returns the ticket with this hash: of two callers racing with
    /// one token, only one gets it (single use).
    async fn take_ticket(&self, hash: &TokenHash) -> MembersResult<Option<PasswordTicket>>;

    /// Stores a verification in place of the member's older one (a newer code
    /// voids the older), keeping the older one's count of wrong codes.
    async fn put_verification(&self, verification: &EmailVerification) -> MembersResult<()>;

    /// Counts one more wrong code against the member's verification; the new
    /// count (0 when it has none). Atomic across processes.
    async fn add_wrong_code(&self, member: &MemberId) -> MembersResult<u32>;

    /// The verifications of the address whose `unique_key` is `email_key` (more
    /// than one member may be asking for the same new address).
    async fn verifications_to(&self, email_key: &str) -> MembersResult<Vec<EmailVerification>>;

    /// The verification whose link token hashes to `link_hash`.
    async fn verification_by_link(
        &self,
        link_hash: &TokenHash,
    ) -> MembersResult<Option<EmailVerification>>;

    /// Removes the member's verification if it is still the one with
    /// `link_hash`; true when this call removed it (of two racing, one wins).
    async fn take_verification(
        &self,
        member: &MemberId,
        link_hash: &TokenHash,
    ) -> MembersResult<bool>;

    /// Voids the member's verification (five wrong codes).
    async fn delete_verification_of(&self, member: &MemberId) -> MembersResult<()>;

    /// Stores a page admin's sign-in (the hash of its cookie token), made with
    /// the admin key whose fingerprint is `key_id`.
    async fn insert_admin_session(
        &self,
        hash: &TokenHash,
        expires: Timestamp,
        key_id: &str,
    ) -> MembersResult<()>;

    /// When the admin sign-in with this hash expires, and its key's fingerprint.
    async fn admin_session(&self, hash: &TokenHash) -> MembersResult<Option<(Timestamp, String)>>;

    /// Ends an admin sign-in.
    async fn delete_admin_session(&self, hash: &TokenHash) -> MembersResult<()>;

    /// Counts one more failure under `key` at `now`, in the current window, or in
    /// a new window starting now when the current one opened at or before
    /// `window_opened_after`; returns the new count. Atomic across processes.
    async fn add_failure(
        &self,
        key: &str,
        now: Timestamp,
        window_opened_after: Timestamp,
    ) -> MembersResult<Failures>;

    /// Takes back one failure counted under `key` (an attempt counted up front
    /// that turned out right).
    async fn forgive_failure(&self, key: &str) -> MembersResult<()>;

    /// Forgets the failures counted under `key`.
    async fn clear_failures(&self, key: &str) -> MembersResult<()>;

    /// Deletes sessions, tickets, verifications and admin sign-ins expired at
    /// `now` and failure counters whose
    /// window opened at or before `window_opened_after` (housekeeping).
    async fn prune(&self, now: Timestamp, window_opened_after: Timestamp) -> MembersResult<()>;
}

/// The credential tables of the memory store.
#[derive(Default)]
pub struct MemoryCredentials {
    passwords: HashMap<MemberId, PasswordHash>,
    sessions: HashMap<TokenHash, SessionRecord>,
    tickets: HashMap<TokenHash, PasswordTicket>,
    failures: HashMap<String, Failures>,
    verifications: HashMap<MemberId, EmailVerification>,
    admin_sessions: HashMap<TokenHash, (Timestamp, String)>,
}

impl MemoryCredentials {
    /// Sets a member's password (`replace_password` also ends sessions and tickets).
    pub fn set_password(&mut self, id: &MemberId, password: &PasswordHash) {
        self.passwords.insert(id.clone(), password.clone());
    }

    /// The member's password.
    pub fn password(&self, id: &MemberId) -> Option<PasswordHash> {
        self.passwords.get(id).cloned()
    }

    /// Sets the password and ends sessions, tickets and verifications.
    pub fn replace_password(&mut self, id: &MemberId, password: &PasswordHash) {
        self.set_password(id, password);
        self.forget_sessions_and_tickets(id);
    }

    fn forget_sessions_and_tickets(&mut self, id: &MemberId) {
        self.sessions.retain(|_, s| &s.member_id != id);
        self.tickets.retain(|_, t| &t.member_id != id);
        self.verifications.remove(id);
    }

    /// Everything kept for a deleted member.
    pub fn forget_member(&mut self, id: &MemberId) {
        self.passwords.remove(id);
        self.forget_sessions_and_tickets(id);
    }

    /// Stores a session.
    pub fn insert_session(&mut self, session: &SessionRecord) {
        self.sessions
            .insert(session.token_hash.clone(), session.clone());
    }

    /// A session by hash.
    pub fn session(&self, hash: &TokenHash) -> Option<SessionRecord> {
        self.sessions.get(hash).cloned()
    }

    /// Records a use of a session.
    pub fn touch_session(&mut self, hash: &TokenHash, last_used: Timestamp, expires: Timestamp) {
        if let Some(session) = self.sessions.get_mut(hash) {
            session.last_used = last_used;
            session.expires = expires;
        }
    }

    /// A member's sessions, newest first.
    pub fn sessions_of(&self, id: &MemberId) -> Vec<SessionRecord> {
        let mut found: Vec<SessionRecord> = self
            .sessions
            .values()
            .filter(|s| &s.member_id == id)
            .cloned()
            .collect();
        found.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
        found
    }

    /// Stores a verification in place of the member's older one (its wrong
    /// codes carried over).
    pub fn put_verification(&mut self, verification: &EmailVerification) {
        let wrong_codes = self
            .verifications
            .get(&verification.member_id)
            .map_or(verification.wrong_codes, |older| older.wrong_codes);
        self.verifications.insert(
            verification.member_id.clone(),
            EmailVerification {
                wrong_codes,
                ..verification.clone()
            },
        );
    }

    /// Counts a wrong code.
    pub fn add_wrong_code(&mut self, member: &MemberId) -> u32 {
        match self.verifications.get_mut(member) {
            Some(verification) => {
                verification.wrong_codes += 1;
                verification.wrong_codes
            }
            None => 0,
        }
    }

    /// The verifications of an address.
    pub fn verifications_to(&self, email_key: &str) -> Vec<EmailVerification> {
        self.verifications
            .values()
            .filter(|v| unique_key(&v.email) == email_key)
            .cloned()
            .collect()
    }

    /// The verification of a link token.
    pub fn verification_by_link(&self, link_hash: &TokenHash) -> Option<EmailVerification> {
        self.verifications
            .values()
            .find(|v| &v.link_hash == link_hash)
            .cloned()
    }

    /// Removes the member's verification if it is still this one.
    pub fn take_verification(&mut self, member: &MemberId, link_hash: &TokenHash) -> bool {
        let current = self
            .verifications
            .get(member)
            .is_some_and(|v| &v.link_hash == link_hash);
        if current {
            self.verifications.remove(member);
        }
        current
    }

    /// Voids a member's verification.
    pub fn delete_verification_of(&mut self, member: &MemberId) {
        self.verifications.remove(member);
    }

    /// Stores an admin sign-in.
    pub fn insert_admin_session(&mut self, hash: &TokenHash, expires: Timestamp, key_id: &str) {
        self.admin_sessions
            .insert(hash.clone(), (expires, key_id.to_string()));
    }

    /// An admin sign-in's expiry and key fingerprint.
    pub fn admin_session(&self, hash: &TokenHash) -> Option<(Timestamp, String)> {
        self.admin_sessions.get(hash).cloned()
    }

    /// Ends an admin sign-in.
    pub fn delete_admin_session(&mut self, hash: &TokenHash) {
        self.admin_sessions.remove(hash);
    }

    /// Ends one session.
    pub fn delete_session(&mut self, hash: &TokenHash) {
        self.sessions.remove(hash);
    }

    /// Ends every session of a member.
    pub fn delete_sessions_of(&mut self, id: &MemberId) {
        self.sessions.retain(|_, s| &s.member_id != id);
    }

    /// Stores a ticket in place of the member's older ones.
    pub fn insert_ticket(&mut self, ticket: &PasswordTicket) {
        self.delete_tickets_of(&ticket.member_id);
        self.tickets
            .insert(ticket.token_hash.clone(), ticket.clone());
    }

    /// Voids a member's tickets.
    pub fn delete_tickets_of(&mut self, id: &MemberId) {
        self.tickets.retain(|_, t| &t.member_id != id);
    }

    /// Removes and returns a ticket.
    pub fn take_ticket(&mut self, hash: &TokenHash) -> Option<PasswordTicket> {
        self.tickets.remove(hash)
    }

    /// Counts one more failure.
    pub fn add_failure(
        &mut self,
        key: &str,
        now: Timestamp,
        window_opened_after: Timestamp,
    ) -> Failures {
        let entry = self.failures.entry(key.to_string()).or_insert(Failures {
            count: 0,
            window_start: now,
        });
        if entry.window_start <= window_opened_after {
            *entry = Failures {
                count: 0,
                window_start: now,
            };
        }
        entry.count += 1;
        *entry
    }

    /// Takes back one failure.
    pub fn forgive_failure(&mut self, key: &str) {
        if let Some(f) = self.failures.get_mut(key) {
            f.count = f.count.saturating_sub(1);
        }
    }

    /// Forgets a key's failures.
    pub fn clear_failures(&mut self, key: &str) {
        self.failures.remove(key);
    }

    /// Drops what has expired.
    pub fn prune(&mut self, now: Timestamp, window_opened_after: Timestamp) {
        self.sessions.retain(|_, s| s.expires > now);
        self.tickets.retain(|_, t| t.expires > now);
        self.verifications.retain(|_, v| v.expires > now);
        self.admin_sessions.retain(|_, (expires, _)| *expires > now);
        self.failures
            .retain(|_, f| f.window_start > window_opened_after);
    }
}
