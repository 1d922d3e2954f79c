//! Verified email (SPEC §10): a 6-digit code and a link token, mailed together,
//! single use, 24 hours, stored only as hashes; five wrong codes or a newer mail
//! void them. `verifyEmail` spends either one. Under the `required` policy a
//! member can not log in until it has.
//!
//! A member's own `changeLoginEmail` goes through the same flow: the new address
//! gets the code, the old one a notice, and the change is made only when the
//! new address is verified.

use super::account::{is_plausible_email, require_plausible_email};
use super::login_limit::{Attempt, AttemptKeys};
use super::mail::Mail;
use super::Registration;
use crate::model::credentials::{EmailVerification, Secret, VerificationCode, VerifyEmailToken};
use crate::model::text::unique_key;
use crate::model::{
    project, ErrorCode, Fieldset, Member, MemberId, MemberView, MembersError, MembersResult,
    Status, Timestamp,
};
use crate::service::{Caller, Context, Engine, VerificationPolicy};
use crate::store::{email_taken, Store};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// How long a code and its link work.
pub const VERIFICATION_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// Wrong codes that void a verification.
pub const MAX_WRONG_CODES: u32 = 5;

/// One error for a wrong, used, voided or expired code or link, and an unknown
/// email, so a caller learns nothing about which.
pub fn verification_invalid() -> MembersError {
    let mut error = MembersError::invalid_field(
        "codeOrToken",
        "VERIFICATION_INVALID",
        "is not a valid verification code or link: it may be wrong, used, replaced by a newer one, or expired",
    );
    error.application_code = "VERIFICATION_INVALID".to_string();
    error
}

/// `PERMISSION_DENIED` / `EMAIL_NOT_VERIFIED`: the site requires a verified email.
pub fn email_not_verified() -> MembersError {
    MembersError::new(
        ErrorCode::PermissionDenied,
        "EMAIL_NOT_VERIFIED",
        "this member's email is not verified yet: enter the code mailed to it, or ask for a new one",
    )
}

/// `FAILED_PRECONDITION` / `MAIL_NOT_CONFIGURED` for a flow that must mail.
pub(crate) fn mail_not_configured(what: &str) -> MembersError {
    MembersError::new(
        ErrorCode::FailedPrecondition,
        "MAIL_NOT_CONFIGURED",
        format!("no mail transport is configured to send {what}"),
    )
}

/// The stand-in "member" of an email that is nobody's: the same id for the
/// same address, so asking again replaces its one row, as for a member.
fn nobody_for(email: &str) -> MembersResult<MemberId> {
    let digest = Sha256::digest(format!("nobody:{}", unique_key(email)).as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let uuid = format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    );
    MemberId::parse(&uuid, "nobody")
}

/// The `email` of `verifyEmail`'s options, when given.
fn option_email(options: &Value) -> MembersResult<Option<&str>> {
    match options {
        Value::Null => Ok(None),
        Value::Object(fields) => match fields.get("email") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(email)) => Ok(Some(email)),
            Some(_) => Err(MembersError::invalid_field(
                "options.email",
                "TYPE",
                "must be a string",
            )),
        },
        _ => Err(MembersError::invalid_field(
            "options",
            "TYPE",
            "must be an object",
        )),
    }
}

impl<S: Store> Engine<S> {
    /// True when the site requires a verified email to log in.
    pub(crate) fn requires_verified_email(&self) -> bool {
        self.policy.email_verification == VerificationPolicy::Required
    }

    /// Stores a new verification of `email` for `member`, whose login email is
    /// `from_email` now (voiding its older one), and mails the code and link there.
    pub(crate) async fn mail_verification(
        &self,
        member: &MemberId,
        email: &str,
        from_email: &str,
    ) -> MembersResult<()> {
        let mailer = self
            .mailer
            .as_ref()
            .ok_or_else(|| mail_not_configured("the verification email"))?;
        let code = VerificationCode::generate()?;
        let token = VerifyEmailToken::generate()?;
        let expires = Timestamp(self.now().millis() + VERIFICATION_TTL_MS);
        self.store
            .put_verification(&EmailVerification {
                member_id: member.clone(),
                email: email.to_string(),
                from_email: from_email.to_string(),
                code_hash: code.hash_for(member),
                link_hash: token.hash(),
                expires,
                wrong_codes: 0,
            })
            .await?;
        mailer
            .send(&Mail {
                template: "verify-email",
                to: email.to_string(),
                token: Secret(token.reveal().to_string()),
                code: Some(Secret(code.reveal().to_string())),
                new_email: None,
                expires,
            })
            .await
    }

    /// `sendVerificationEmail(email)`: a new code and link for the member with
    /// this login email (or asking to move to it), if it is not verified yet.
    /// Answers the same for every email, and limited like set-password mails.
    pub async fn send_verification_email(
        &self,
        context: &Context,
        email: &str,
    ) -> MembersResult<()> {
        require_plausible_email(email, "email")?;
        if self.mailer.is_none() {
            return Err(mail_not_configured("the verification email"));
        }
        let keys = AttemptKeys::new(
            Attempt::VerificationMail,
            &self.policy.login_limit,
            Some(email),
            context.client_address.as_deref(),
        );
        self.admit(&keys).await?;
        let key = unique_key(email);
        // One mail per call, to one verification: the member whose login email
        // it is, else the newest request to move to it.
        let mut target: Option<(MemberId, String, String)> = None;
        if let Some(member) = self.store.get_by_email(email).await? {
            if !member.login_email_verified && member.status != Status::Offline {
                target = Some((member.id, member.login_email.clone(), member.login_email));
            }
        }
        if target.is_none() {
            let mut pending = self.store.verifications_to(&key).await?;
            pending.sort_by_key(|v| std::cmp::Reverse(v.expires));
            for request in pending {
                // Still a change the member wants: its login email is the one
                // the change was asked from.
                let member = self.store.get(&request.member_id).await?;
                if member
                    .is_some_and(|m| unique_key(&m.login_email) == unique_key(&request.from_email))
                {
                    target = Some((request.member_id, request.email, request.from_email));
                    break;
                }
            }
        }
        match target {
            Some((member, address, from)) => self.mail_verification(&member, &address, &from).await,
            None => {
                // Nobody to mail: store one that nobody can spend all the same
                // (one row per address), so known and unknown emails cost the
                // same work.
                let nobody = nobody_for(email)?;
                let code = VerificationCode::generate()?;
                self.store
                    .put_verification(&EmailVerification {
                        member_id: nobody.clone(),
                        email: email.to_string(),
                        from_email: email.to_string(),
                        code_hash: code.hash_for(&nobody),
                        link_hash: VerifyEmailToken::generate()?.hash(),
                        expires: Timestamp(self.now().millis() + VERIFICATION_TTL_MS),
                        wrong_codes: 0,
                    })
                    .await
            }
        }
    }

    /// `verifyEmail(codeOrToken, { email })`: spends a code (with the email it
    /// was sent to) or a link token. The member's address is then verified (a
    /// requested change made); an approved member gets a session.
    pub async fn verify_email(
        &self,
        context: &Context,
        code_or_token: &str,
        options: &Value,
    ) -> MembersResult<Registration> {
        let email = option_email(options)?;
        let keys = AttemptKeys::new(
            Attempt::VerifyEmail,
            &self.policy.login_limit,
            None,
            context.client_address.as_deref(),
        );
        self.admit(&keys).await?;
        let now = self.now();
        let verification = if let Some(token) = VerifyEmailToken::parse(code_or_token) {
            self.store.verification_by_link(&token.hash()).await?
        } else if let Some(code) = VerificationCode::parse(code_or_token) {
            let Some(email) = email else {
                return Err(MembersError::invalid_field(
                    "options.email",
                    "REQUIRED_FIELD",
                    "is required with a code: the address the code was mailed to",
                ));
            };
            self.match_code(&code, email, now).await?
        } else {
            None
        };
        let verification = verification
            .filter(|v| v.expires > now)
            .ok_or_else(verification_invalid)?;
        if !self
            .store
            .take_verification(&verification.member_id, &verification.link_hash)
            .await?
        {
            return Err(verification_invalid());
        }
        let (member, changed) = self.verified(&verification).await?;
        // Verifying a change proves the new mailbox, not who asked for it: no
        // session, or whoever clicks would be logged in to the asker's account.
        let session = match member.status {
            Status::Approved if !changed => Some(self.start_session(context, &member.id).await?),
            _ => None,
        };
        Ok(Registration {
            member: project(&member, Fieldset::Full),
            session,
        })
    }

    /// The verification of `email` whose code is `code`. A wrong code counts
    /// against every verification of that address; after five, a verification
    /// takes no code at all (its link still works), and a newer mail keeps the
    /// count.
    async fn match_code(
        &self,
        code: &VerificationCode,
        email: &str,
        now: Timestamp,
    ) -> MembersResult<Option<EmailVerification>> {
        if !is_plausible_email(email) {
            return Ok(None);
        }
        let candidates: Vec<EmailVerification> = self
            .store
            .verifications_to(&unique_key(email))
            .await?
            .into_iter()
            .filter(|v| v.expires > now && v.wrong_codes < MAX_WRONG_CODES)
            .collect();
        if let Some(found) = candidates
            .iter()
            .find(|v| v.code_hash == code.hash_for(&v.member_id))
        {
            return Ok(Some(found.clone()));
        }
        for candidate in candidates {
            self.store.add_wrong_code(&candidate.member_id).await?;
        }
        Ok(None)
    }

    /// Marks the verified address on the member: its login email verified, or a
    /// requested change made (refused if the address was taken meanwhile);
    /// whether it was a change. A verification proves nothing once the login
    /// email is no longer the one it was asked from (an admin changed it).
    async fn verified(&self, verification: &EmailVerification) -> MembersResult<(Member, bool)> {
        let id = &verification.member_id;
        let from = unique_key(&verification.from_email);
        let changing = from != unique_key(&verification.email);
        if changing
            && self
                .store
                .get_by_email(&verification.email)
                .await?
                .is_some()
        {
            return Err(email_taken(&verification.email));
        }
        let address = verification.email.clone();
        let member = self
            .modify(&Caller::Member(id.clone()), id, "verifyEmail", |m| {
                // Decided on the member as it is written, so a change racing
                // this one can not slip in between.
                if unique_key(&m.login_email) != from {
                    return Err(verification_invalid());
                }
                if changing {
                    m.login_email = address.clone();
                }
                m.login_email_verified = true;
                Ok(())
            })
            .await
            .map_err(|error| match error.code {
                ErrorCode::NotFound | ErrorCode::PermissionDenied => verification_invalid(),
                _ => error,
            })?;
        if changing {
            // A set-password link mailed to the old address must not outlive it.
            self.store.delete_tickets_of(id).await?;
        }
        Ok((member, changing))
    }

    /// A member's own `changeLoginEmail`: checks the new address, mails it a
    /// verification and tells the old one; nothing changes until it is verified.
    /// The same address in other letters changes at once and cancels any
    /// pending change. Limited like verification mails.
    pub(crate) async fn request_login_email_change(
        &self,
        context: &Context,
        member: &Member,
        new_email: &str,
    ) -> MembersResult<MemberView> {
        if new_email.is_empty() {
            return Err(MembersError::invalid_field(
                "newEmail",
                "REQUIRED_FIELD",
                "is required",
            ));
        }
        require_plausible_email(new_email, "newEmail")?;
        if unique_key(&member.login_email) == unique_key(new_email) {
            self.store.delete_verification_of(&member.id).await?;
            let id = member.id.clone();
            let changed = self
                .modify(&context.caller, &id, "changeLoginEmail", |m| {
                    m.login_email = new_email.to_string();
                    Ok(())
                })
                .await?;
            return Ok(project(&changed, Fieldset::Full));
        }
        let keys = AttemptKeys::new(
            Attempt::VerificationMail,
            &self.policy.login_limit,
            Some(new_email),
            context.client_address.as_deref(),
        );
        self.admit(&keys).await?;
        if self.store.get_by_email(new_email).await?.is_some() {
            return Err(email_taken(new_email));
        }
        let Some(mailer) = &self.mailer else {
            return Err(mail_not_configured("the verification of the new email"));
        };
        self.mail_verification(&member.id, new_email, &member.login_email)
            .await?;
        mailer
            .send(&Mail {
                template: "email-change-requested",
                to: member.login_email.clone(),
                token: Secret(String::new()),
                code: None,
                new_email: Some(new_email.to_string()),
                expires: self.now(),
            })
            .await?;
        Ok(project(member, Fieldset::Full))
    }
}
