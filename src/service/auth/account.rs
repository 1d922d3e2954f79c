//! The account calls: `register`, `login`, `logout` and `changeLoginEmail`.

use super::login_limit::{Attempt, AttemptKeys};
use super::password::Password;
use super::sessions::NewSession;
use super::verification::{email_not_verified, mail_not_configured};
use crate::model::input::MemberInput;
use crate::model::text::{email_problem, is_valid_email};
use crate::model::{
    project, ErrorCode, Fieldset, MemberId, MemberView, MembersError, MembersResult, Status,
};
use crate::service::{Caller, Context, Engine};
use crate::store::{email_taken, Store};
use serde_json::{json, Map, Value};

/// What `register` and `login` give back: the member, and a session when one
/// was started (never for a member waiting for approval).
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    pub member: MemberView,
    pub session: Option<NewSession>,
}

/// One error for an unknown email, a wrong password and a member without a
/// password, so a caller can not tell which.
fn invalid_credentials() -> MembersError {
    MembersError::new(
        ErrorCode::Unauthenticated,
        "INVALID_CREDENTIALS",
        "the email or the password is wrong",
    )
}

/// Longest login email there can be (RFC 5321's path limit).
const MAX_EMAIL_CHARS: usize = 254;

/// True for text that may be a login email: checked before anything is
/// counted or looked up.
pub(crate) fn is_plausible_email(email: &str) -> bool {
    email.chars().count() <= MAX_EMAIL_CHARS && is_valid_email(email)
}

/// A plausible email in `field`, else `INVALID_ARGUMENT` / `FORMAT` naming it.
pub(crate) fn require_plausible_email(email: &str, field: &str) -> MembersResult<()> {
    if is_plausible_email(email) {
        return Ok(());
    }
    let problem = email_problem(email).unwrap_or_else(|| "is too long".into());
    Err(MembersError::invalid_field(
        field,
        "FORMAT",
        format!("{email:?} {problem}"),
    ))
}

/// Why a member with the right password still can not log in.
fn locked_out(status: Status) -> Option<MembersError> {
    let (code, message) = match status {
        Status::Pending => (
            "MEMBER_PENDING",
            "this member is waiting for an admin's approval",
        ),
        Status::Blocked => ("MEMBER_BLOCKED", "this member is blocked"),
        Status::Offline => ("MEMBER_DISCONNECTED", "this member is disconnected"),
        _ => return None,
    };
    Some(MembersError::new(
        ErrorCode::PermissionDenied,
        code,
        message,
    ))
}

/// The register options `{ contactInfo, profile, privacyStatus }` as member input.
fn registration_input(email: &str, options: &Value) -> MembersResult<MemberInput> {
    let mut member = Map::new();
    member.insert("loginEmail".into(), json!(email));
    match options {
        Value::Null => {}
        Value::Object(fields) => {
            for (key, value) in fields {
                let name = match key.as_str() {
                    "contactInfo" => "contact",
                    "profile" | "privacyStatus" => key.as_str(),
                    other => {
                        return Err(MembersError::invalid_field(
                            &format!("options.{other}"),
                            "UNKNOWN_FIELD",
                            "is not a register option (contactInfo, profile, privacyStatus)",
                        ))
                    }
                };
                member.insert(name.into(), value.clone());
            }
        }
        _ => {
            return Err(MembersError::invalid_field(
                "options",
                "TYPE",
                "must be an object",
            ))
        }
    }
    MemberInput::parse(Value::Object(member), "options")
}

impl<S: Store> Engine<S> {
    /// `register(email, password, options)`: a new member with a password. With
    /// approval `auto` it is logged in at once; with `manual` it is `PENDING` and
    /// gets no session until approved.
    pub async fn register(
        &self,
        context: &Context,
        email: &str,
        password: &str,
        options: &Value,
    ) -> MembersResult<Registration> {
        let input = registration_input(email, options)?;
        if email.is_empty() {
            return Err(MembersError::invalid_field(
                "email",
                "REQUIRED_FIELD",
                "is required",
            ));
        }
        require_plausible_email(email, "email")?;
        let password = Password::parse(password, "password")?;
        // The code must be mailable before anything is written.
        if self.requires_verified_email() && self.mailer.is_none() {
            return Err(mail_not_configured("the verification email"));
        }
        let limit = &self.policy.login_limit;
        let address = context.client_address.as_deref();
        self.admit(&AttemptKeys::new(Attempt::Register, limit, None, address))
            .await?;
        // A taken email is refused before the costly hash (the insert still
        // decides a race).
        if self.store.get_by_email(email).await?.is_some() {
            return Err(email_taken(email));
        }
        let hash = self.hash_password(&password).await?;
        let member = self
            .add_member(&context.caller, input, email.to_string(), Some(&hash))
            .await
            .map_err(|error| rename_field(error, "member.loginEmail", "email"))?;
        let session = if self.requires_verified_email() {
            // No session until the address is verified (`verifyEmail` gives one).
            self.mail_verification(&member.id, &member.login_email, &member.login_email)
                .await?;
            None
        } else {
            match member.status {
                Status::Approved => Some(self.start_session(context, &member.id).await?),
                _ => None,
            }
        };
        Ok(Registration {
            member: project(&member, Fieldset::Full),
            session,
        })
    }

    /// `login(email, password)`: a new session for the member. Failures count
    /// towards the limits, and every way of being wrong reads the same.
    pub async fn login(
        &self,
        context: &Context,
        email: &str,
        password: &str,
    ) -> MembersResult<Registration> {
        // What can not be an email is wrong at once: no hash, and no counter
        // keyed by whatever was sent.
        if !is_plausible_email(email) {
            return Err(invalid_credentials());
        }
        let keys = AttemptKeys::new(
            Attempt::Login,
            &self.policy.login_limit,
            Some(email),
            context.client_address.as_deref(),
        );
        self.admit(&keys).await?;
        let member = self.store.get_by_email(email).await?;
        let stored = match &member {
            Some(member) => self.store.password(&member.id).await?,
            None => None,
        };
        // An impossible length is wrong without hashing (it bounds the work).
        let right = match Password::parse(password, "password") {
            Ok(password) => self.password_matches(&password, stored.as_ref()).await?,
            Err(_) => false,
        };
        // A wrong attempt stays counted (it was counted up front).
        let Some(member) = member.filter(|_| right) else {
            return Err(invalid_credentials());
        };
        self.login_succeeded(&keys).await?;
        if let Some(error) = locked_out(member.status) {
            return Err(error);
        }
        if self.requires_verified_email() && !member.login_email_verified {
            return Err(email_not_verified());
        }
        let now = self.now();
        let member = self
            .modify(
                &Caller::Member(member.id.clone()),
                &member.id,
                "login",
                |m| {
                    m.last_login_date = Some(now);
                    Ok(())
                },
            )
            .await?;
        let session = self.start_session(context, &member.id).await?;
        // A reset or a block that committed meanwhile ended every session but
        // this one, which it could not see: look again now that it exists.
        let status = self.store.get(&member.id).await?.map(|m| m.status);
        let refused = if self.store.password(&member.id).await? != stored {
            Some(invalid_credentials())
        } else {
            match status {
                Some(status) => locked_out(status),
                None => Some(invalid_credentials()),
            }
        };
        if let Some(error) = refused {
            self.end_session(&session.token.hash()).await?;
            return Err(error);
        }
        Ok(Registration {
            member: project(&member, Fieldset::Full),
            session: Some(session),
        })
    }

    /// `logout()`: ends the session the call came with; without one it is
    /// `UNAUTHENTICATED` (a security call never silently does nothing).
    pub async fn logout(&self, context: &Context) -> MembersResult<()> {
        match &context.session {
            Some(hash) => self.end_session(hash).await,
            None => Err(MembersError::unauthenticated("logout")),
        }
    }

    /// `changeLoginEmail(_id, newEmail)`: an admin changes anyone's at once; a
    /// member asks to change its own, which happens once the new address is
    /// verified (SPEC §10). The new one must be free (case-insensitively).
    pub async fn change_login_email(
        &self,
        context: &Context,
        id: &str,
        new_email: &str,
    ) -> MembersResult<MemberView> {
        let caller = &context.caller;
        let id = MemberId::parse(id, "_id")?;
        if new_email.is_empty() {
            return Err(MembersError::invalid_field(
                "newEmail",
                "REQUIRED_FIELD",
                "is required",
            ));
        }
        if caller.is_self(&id) && !caller.is_admin() {
            let member = self
                .store
                .get(&id)
                .await?
                .ok_or_else(|| MembersError::member_not_found(id.as_str()))?;
            return self
                .request_login_email_change(context, &member, new_email)
                .await;
        }
        let member = self
            .modify(caller, &id, "changeLoginEmail", |m| {
                if m.login_email != new_email {
                    m.login_email = new_email.to_string();
                    m.login_email_verified = false;
                }
                Ok(())
            })
            .await
            .map_err(|error| rename_field(error, "member.loginEmail", "newEmail"))?;
        // A set-password link or verification mailed to the old address (or a
        // change the member asked for) must not outlive the admin's change.
        self.store.delete_tickets_of(&id).await?;
        self.store.delete_verification_of(&id).await?;
        Ok(project(&member, caller.fieldset_for(&id, Fieldset::Full)))
    }
}

/// The same error naming the argument the caller gave (`email`) rather than the
/// member field it became.
fn rename_field(mut error: MembersError, from: &str, to: &str) -> MembersError {
    if error.code == ErrorCode::InvalidArgument {
        for violation in &mut error.violations {
            if violation.field == from {
                violation.field = to.to_string();
            }
        }
        error.message = error.message.replacen(from, to, 1);
        if error.data["field"] == from {
            error.data["field"] = json!(to);
        }
    }
    error
}
