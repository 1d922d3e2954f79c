//! Sessions (SPEC §10): a random 256-bit token handed to the member once, kept
//! only as its SHA-256, valid 30 days from its last use (sliding).
//!
//! A session is only as good as its member: one whose member is gone or no
//! longer `APPROVED` (blocked, disconnected, pending) is ended on sight, so a
//! block takes effect on the very next call.

use crate::model::credentials::{SessionRecord, SessionToken, TokenHash};
use crate::model::{ErrorCode, MemberId, MembersError, MembersResult, Status, Timestamp};
use crate::service::{Caller, Context, Engine};
use crate::store::Store;

/// How long a session lives after its last use.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// A session's expiry is moved at most this often, so a busy member does not
/// write on every call.
const EXTEND_EVERY_MS: i64 = 60 * 60 * 1000;

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
        })
    }

    /// Starts a session for a member.
    pub(crate) async fn start_session(&self, member_id: &MemberId) -> MembersResult<NewSession> {
        let token = SessionToken::generate()?;
        let now = self.now();
        let expires = Timestamp(now.millis() + SESSION_TTL_MS);
        self.store
            .insert_session(&SessionRecord {
                token_hash: token.hash(),
                member_id: member_id.clone(),
                created: now,
                expires,
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
        let renewed = Timestamp(now.millis() + SESSION_TTL_MS);
        if renewed.millis() - session.expires.millis() >= EXTEND_EVERY_MS {
            self.store.extend_session(&hash, renewed).await?;
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
}
