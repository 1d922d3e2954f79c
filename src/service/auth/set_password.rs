//! The set-password flow: `sendSetPasswordEmail(email)` mails a single-use
//! token valid 3 hours; `setPassword(token, password)` spends it.
//!
//! Sending answers the same whether or not the email belongs to a member, so it
//! can not be used to find out who is one.

use super::account::require_plausible_email;
use super::login_limit::{Attempt, AttemptKeys};
use super::mail::Mail;
use super::password::Password;
use crate::model::credentials::{
    invalid_set_password_token, PasswordTicket, Secret, SetPasswordToken,
};
use crate::model::{ErrorCode, MemberId, MembersError, MembersResult, Status, Timestamp};
use crate::service::{Context, Engine};
use crate::store::Store;

/// How long a set-password token works.
pub const SET_PASSWORD_TTL_MS: i64 = 3 * 60 * 60 * 1000;

impl<S: Store> Engine<S> {
    /// `sendSetPasswordEmail(email)`: mails a set-password link to the member
    /// with this login email, if there is one that may log in at all. Limited
    /// per email and per client network like logins.
    pub async fn send_set_password_email(
        &self,
        context: &Context,
        email: &str,
    ) -> MembersResult<()> {
        require_plausible_email(email, "email")?;
        let Some(mailer) = &self.mailer else {
            return Err(MembersError::new(
                ErrorCode::FailedPrecondition,
                "MAIL_NOT_CONFIGURED",
                "no mail transport is configured to send the set-password email",
            ));
        };
        let keys = AttemptKeys::new(
            Attempt::SetPasswordMail,
            &self.policy.login_limit,
            Some(email),
            context.client_address.as_deref(),
        );
        self.admit(&keys).await?;
        let member = self
            .store
            .get_by_email(email)
            .await?
            .filter(|m| m.status != Status::Offline);
        let token = SetPasswordToken::generate()?;
        let expires = Timestamp(self.now().millis() + SET_PASSWORD_TTL_MS);
        // Without a member a ticket for nobody is written all the same (it can
        // never be spent, and expires): known and unknown emails cost the same
        // work, so answer time does not tell who is a member.
        let member_id = match &member {
            Some(member) => member.id.clone(),
            None => MemberId::generate()?,
        };
        self.store
            .insert_ticket(&PasswordTicket {
                token_hash: token.hash(),
                member_id,
                expires,
            })
            .await?;
        let Some(member) = member else {
            return Ok(());
        };
        let mail = Mail {
            template: "set-password",
            to: member.login_email,
            token: Secret(token.reveal().to_string()),
            code: None,
            new_email: None,
            expires,
        };
        mailer.send(&mail).await
    }

    /// `setPassword(token, password)`: sets the password of the token's member,
    /// once. Ends every session and other token of that member.
    pub async fn set_password(&self, token: &str, password: &str) -> MembersResult<()> {
        // Checked first, so a too-short password does not use up the token.
        let password = Password::parse(password, "password")?;
        let token = SetPasswordToken::parse(token).ok_or_else(invalid_set_password_token)?;
        let ticket = self
            .store
            .take_ticket(&token.hash())
            .await?
            .filter(|ticket| ticket.expires > self.now())
            .ok_or_else(invalid_set_password_token)?;
        if self.store.get(&ticket.member_id).await?.is_none() {
            return Err(invalid_set_password_token());
        }
        let hash = self.hash_password(&password).await?;
        self.store.replace_password(&ticket.member_id, &hash).await
    }
}
