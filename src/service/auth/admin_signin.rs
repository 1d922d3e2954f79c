//! Page admins' sign-in (SPEC §10): the server checks a posted admin key and,
//! when it is right, the engine starts an admin sign-in: a random token for the
//! HttpOnly `members_admin` cookie, stored only as its hash, 12 hours. So the
//! key is posted once and never kept by a page. Failed tries are limited per
//! client network like logins.
//!
//! The key itself is the server's: it tells the engine whether the key matched
//! (compared in constant time there), and the engine keeps the counts and the
//! sign-ins, shared by every process on the database.

use super::login_limit::{Attempt, AttemptKeys};
use crate::model::credentials::AdminToken;
use crate::model::{ErrorCode, MembersError, MembersResult, Timestamp};
use crate::service::{Context, Engine};
use crate::store::Store;

/// How long an admin sign-in lasts.
pub const ADMIN_SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// A started admin sign-in: the cookie's token and when it ends.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminSignIn {
    pub token: AdminToken,
    pub expires: Timestamp,
}

/// `UNAUTHENTICATED` / `INVALID_ADMIN_KEY`.
fn invalid_admin_key() -> MembersError {
    MembersError::new(
        ErrorCode::Unauthenticated,
        "INVALID_ADMIN_KEY",
        "the admin key is wrong",
    )
}

impl<S: Store> Engine<S> {
    /// An admin sign-in from `context`'s address, whose posted key the server
    /// found to match (`key_matches`) or not. Every try is counted up front; a
    /// right key takes its count back.
    /// `key_id` fingerprints the server's admin key: a sign-in counts only while
    /// the key it was made with is the server's key.
    pub async fn admin_login(
        &self,
        context: &Context,
        key_matches: bool,
        key_id: &str,
    ) -> MembersResult<AdminSignIn> {
        let keys = AttemptKeys::new(
            Attempt::AdminLogin,
            &self.policy.login_limit,
            None,
            context.client_address.as_deref(),
        );
        self.admit(&keys).await?;
        if !key_matches {
            return Err(invalid_admin_key());
        }
        self.login_succeeded(&keys).await?;
        let token = AdminToken::generate()?;
        let expires = Timestamp(self.now().millis() + ADMIN_SESSION_TTL_MS);
        self.store
            .insert_admin_session(&token.hash(), expires, key_id)
            .await?;
        Ok(AdminSignIn { token, expires })
    }

    /// True when `token` (from the cookie) is a live admin sign-in made with the
    /// key fingerprinted `key_id` (a rotated key ends every older sign-in).
    pub async fn is_admin_signed_in(&self, token: &str, key_id: &str) -> MembersResult<bool> {
        let Some(token) = AdminToken::parse(token) else {
            return Ok(false);
        };
        let hash = token.hash();
        match self.store.admin_session(&hash).await? {
            Some((expires, made_with)) if expires > self.now() => Ok(made_with == key_id),
            Some(_) => {
                self.store.delete_admin_session(&hash).await?;
                Ok(false)
            }
            None => Ok(false),
        }
    }

    /// Ends the admin sign-in of `token` (admin-logout); unknown tokens are ignored.
    pub async fn admin_logout(&self, token: &str) -> MembersResult<()> {
        match AdminToken::parse(token) {
            Some(token) => self.store.delete_admin_session(&token.hash()).await,
            None => Ok(()),
        }
    }
}
