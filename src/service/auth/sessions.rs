//! Sessions (SPEC §10): a random 256-bit token handed to the member once, kept
//! only as its SHA-256, valid 30 days from its last use (sliding). A member
//! sees its sessions by id (a UUID that opens nothing), with the browser that
//! started each and when it was last used, and can end any of them.
//!
//! A session is only as good as its member: one whose member is gone or no
//! longer `APPROVED` (blocked, disconnected, pending) is ended on sight, so a
//! block takes effect on the very next call.

use crate::model::credentials::{SessionRecord, SessionToken, TokenHash};
use crate::model::ids::new_uuid;
use crate::model::{ErrorCode, MemberId, MembersError, MembersResult, Status, Timestamp};
use crate::service::{Caller, Context, Engine};
use crate::store::Store;
use serde_json::{json, Value};

/// How long a session lives after its last use.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// A session's last use (and so its expiry) is written at most this often, so
/// a busy member does not write on every call.
const TOUCH_EVERY_MS: i64 = 60 * 1000;
/// Most characters of a `User-Agent` kept.
const USER_AGENT_CHARS: usize = 255;

/// A session just started: the token, for its holder only, and its expiry.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    pub token: SessionToken,
    pub expires: Timestamp,
}

/// A live session: whose, and which (to end it).
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSession {
    pub member_id: MemberId,
    pub token_hash: TokenHash,
}

/// `UNAUTHENTICATED` / `SESSION_INVALID`: the token presented is no live session.
pub fn session_invalid() -> MembersError {
    MembersError::new(
        ErrorCode::Unauthenticated,
        "SESSION_INVALID",
        "the session is not valid: it ended, expired, or its member may no longer log in",
    )
}

/// `NOT_FOUND` / `SESSION_NOT_FOUND`: the same for another member's session as
/// for one that never was.
fn session_not_found() -> MembersError {
    MembersError::new(
        ErrorCode::NotFound,
        "SESSION_NOT_FOUND",
        "no session of yours has this id",
    )
}

/// A `User-Agent` as kept: trimmed, at most 255 characters, none when empty.
fn kept_user_agent(agent: Option<&str>) -> Option<String> {
    let agent = agent?.trim();
    (!agent.is_empty()).then(|| agent.chars().take(USER_AGENT_CHARS).collect())
}

impl<S: Store> Engine<S> {
    /// The context of a call made with the session token `token` (as given by a
    /// caller); `SESSION_INVALID` when it is not a live session.
    pub async fn session_context(&self, token: &str) -> MembersResult<Context> {
        let live = match SessionToken::parse(token) {
            Some(token) => self.live_session(&token).await?,
            None => None,
        };
        let live = live.ok_or_else(session_invalid)?;
        Ok(Context {
            caller: Caller::Member(live.member_id),
            session: Some(live.token_hash),
            client_address: None,
            user_agent: None,
        })
    }

    /// Starts a session for a member, named by the browser of `context`.
    pub(crate) async fn start_session(
        &self,
        context: &Context,
        member_id: &MemberId,
    ) -> MembersResult<NewSession> {
        let token = SessionToken::generate()?;
        let now = self.now();
        let expires = Timestamp(now.millis() + SESSION_TTL_MS);
        self.store
            .insert_session(&SessionRecord {
                token_hash: token.hash(),
                id: new_uuid()?,
                member_id: member_id.clone(),
                created: now,
                expires,
                last_used: now,
                user_agent: kept_user_agent(context.user_agent.as_deref()),
            })
            .await?;
        Ok(NewSession { token, expires })
    }

    /// The live session of a token, or `None` when it is unknown, expired, or its
    /// member is gone or no longer approved (such a session is ended here).
    pub async fn live_session(&self, token: &SessionToken) -> MembersResult<Option<LiveSession>> {
        let hash = token.hash();
        let Some(session) = self.store.session(&hash).await? else {
            return Ok(None);
        };
        let now = self.now();
        if session.expires <= now {
            self.store.delete_session(&hash).await?;
            return Ok(None);
        }
        let member = self.store.get(&session.member_id).await?;
        if !member.is_some_and(|m| m.status == Status::Approved) {
            self.store.delete_session(&hash).await?;
            return Ok(None);
        }
        if now.millis() - session.last_used.millis() >= TOUCH_EVERY_MS {
            let renewed = Timestamp(now.millis() + SESSION_TTL_MS);
            self.store.touch_session(&hash, now, renewed).await?;
        }
        Ok(Some(LiveSession {
            member_id: session.member_id,
            token_hash: hash,
        }))
    }

    /// Ends one session (logout).
    pub(crate) async fn end_session(&self, hash: &TokenHash) -> MembersResult<()> {
        self.store.delete_session(hash).await
    }

    /// `listMySessions()` → `{ sessions: [{ _id, _createdDate, lastUsedDate,
    /// userAgent, current }] }`, newest first.
    pub async fn list_my_sessions(&self, context: &Context) -> MembersResult<Value> {
        let me = context.caller.require_member("listMySessions")?;
        let now = self.now();
        let sessions: Vec<Value> = self
            .store
            .sessions_of(me)
            .await?
            .into_iter()
            .filter(|s| s.expires > now)
            .map(|s| {
                json!({
                    "_id": s.id,
                    "_createdDate": s.created.to_string(),
                    "lastUsedDate": s.last_used.to_string(),
                    "userAgent": s.user_agent,
                    "current": context.session.as_ref() == Some(&s.token_hash),
                })
            })
            .collect();
        Ok(json!({ "sessions": sessions }))
    }

    /// `revokeSession(sessionId)`: ends one of the caller's own sessions.
    pub async fn revoke_session(&self, context: &Context, session_id: &str) -> MembersResult<()> {
        let me = context.caller.require_member("revokeSession")?;
        let session = self
            .store
            .sessions_of(me)
            .await?
            .into_iter()
            .find(|s| s.id == session_id)
            .ok_or_else(session_not_found)?;
        self.store.delete_session(&session.token_hash).await
    }

    /// `revokeOtherSessions()` → `{ revoked }`: ends every session of the caller
    /// but the one the call came with, and any email change it asked for (a
    /// thief's request must not survive the owner locking it out).
    pub async fn revoke_other_sessions(&self, context: &Context) -> MembersResult<Value> {
        let me = context.caller.require_member("revokeOtherSessions")?;
        self.store.delete_verification_of(me).await?;
        let mut revoked = 0;
        for session in self.store.sessions_of(me).await? {
            if context.session.as_ref() != Some(&session.token_hash) {
                self.store.delete_session(&session.token_hash).await?;
                revoked += 1;
            }
        }
        Ok(json!({ "revoked": revoked }))
    }

    /// `revokeMemberSessions(memberId)` → `{ revoked }`: an admin logs a member
    /// out everywhere (and voids its pending email verification).
    pub async fn revoke_member_sessions(
        &self,
        caller: &Caller,
        member_id: &str,
    ) -> MembersResult<Value> {
        caller.require_admin("revokeMemberSessions")?;
        let id = MemberId::parse(member_id, "memberId")?;
        if self.store.get(&id).await?.is_none() {
            return Err(MembersError::member_not_found(id.as_str()));
        }
        let revoked = self.store.sessions_of(&id).await?.len();
        self.store.delete_sessions_of(&id).await?;
        self.store.delete_verification_of(&id).await?;
        Ok(json!({ "revoked": revoked }))
    }
}
