//! The JS `Authentication` class (SPEC §10): register, login, logout, the login
//! email and the set-password flow, for the caller (or session) of the `Members`
//! it came from. Arguments in, `Operation`s down; the rules live in the service.

use super::convert::{to_json, to_string_arg};
use super::members::Members;
use crate::api::Operation;
use crate::model::credentials::Secret;
use crate::model::MembersError;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

/// Authentication for one caller; get it with `members.authentication()`.
#[wasm_bindgen]
pub struct Authentication {
    members: Members,
}

impl Authentication {
    pub(crate) fn of(members: Members) -> Authentication {
        Authentication { members }
    }
}

#[wasm_bindgen]
impl Authentication {
    /// `register(email, password, { contactInfo, profile, privacyStatus })` →
    /// `{ status: 'ACTIVE'|'PENDING', member, sessionToken? }`.
    pub fn register(&self, email: JsValue, password: JsValue, options: JsValue) -> Promise {
        self.members.run(|| {
            let options = to_json(&options, "options")?;
            if !(options.is_null() || options.is_object()) {
                return Err(MembersError::invalid_field(
                    "options",
                    "TYPE",
                    "must be an object",
                ));
            }
            Ok(Operation::Register {
                email: to_string_arg(&email, "email")?,
                password: Secret(to_string_arg(&password, "password")?),
                options,
            })
        })
    }

    /// `login(email, password)` → `{ status: 'ACTIVE', member, sessionToken? }`.
    pub fn login(&self, email: JsValue, password: JsValue) -> Promise {
        self.members.run(|| {
            Ok(Operation::Login {
                email: to_string_arg(&email, "email")?,
                password: Secret(to_string_arg(&password, "password")?),
            })
        })
    }

    /// `logout()`: ends the session this object holds; `UNAUTHENTICATED` without one.
    pub fn logout(&self) -> Promise {
        self.members.run(|| Ok(Operation::Logout))
    }

    /// `verifyEmail(codeOrToken, { email })` → `{ status, member, sessionToken? }`:
    /// spends a mailed code (with the address it went to) or link token.
    #[wasm_bindgen(js_name = verifyEmail)]
    pub fn verify_email(&self, code_or_token: JsValue, options: JsValue) -> Promise {
        self.members.run(|| {
            Ok(Operation::VerifyEmail {
                code_or_token: Secret(to_string_arg(&code_or_token, "codeOrToken")?),
                options: to_json(&options, "options")?,
            })
        })
    }

    /// `sendVerificationEmail(email)` → `{ accepted: true }`, whoever the email is.
    #[wasm_bindgen(js_name = sendVerificationEmail)]
    pub fn send_verification_email(&self, email: JsValue) -> Promise {
        self.members.run(|| {
            Ok(Operation::SendVerificationEmail {
                email: to_string_arg(&email, "email")?,
            })
        })
    }

    /// `listMySessions()` → `{ sessions: [{ _id, _createdDate, lastUsedDate, userAgent, current }] }`.
    #[wasm_bindgen(js_name = listMySessions)]
    pub fn list_my_sessions(&self) -> Promise {
        self.members.run(|| Ok(Operation::ListMySessions))
    }

    /// `revokeSession(sessionId)`: ends one of the member's own sessions.
    #[wasm_bindgen(js_name = revokeSession)]
    pub fn revoke_session(&self, session_id: JsValue) -> Promise {
        self.members.run(|| {
            Ok(Operation::RevokeSession {
                id: to_string_arg(&session_id, "sessionId")?,
            })
        })
    }

    /// `revokeOtherSessions()` → `{ revoked }`: every session but this one.
    #[wasm_bindgen(js_name = revokeOtherSessions)]
    pub fn revoke_other_sessions(&self) -> Promise {
        self.members.run(|| Ok(Operation::RevokeOtherSessions))
    }

    /// `revokeMemberSessions(memberId)` → `{ revoked }` (admins): log out everywhere.
    #[wasm_bindgen(js_name = revokeMemberSessions)]
    pub fn revoke_member_sessions(&self, member_id: JsValue) -> Promise {
        self.members.run(|| {
            Ok(Operation::RevokeMemberSessions {
                member_id: to_string_arg(&member_id, "memberId")?,
            })
        })
    }

    /// `changeLoginEmail(_id, newEmail)` → member. Self or admin.
    #[wasm_bindgen(js_name = changeLoginEmail)]
    pub fn change_login_email(&self, id: JsValue, new_email: JsValue) -> Promise {
        self.members.run(|| {
            Ok(Operation::ChangeLoginEmail {
                id: to_string_arg(&id, "_id")?,
                new_email: to_string_arg(&new_email, "newEmail")?,
            })
        })
    }

    /// `sendSetPasswordEmail(email)`: mails a set-password link if the email is a
    /// member's; resolves the same either way.
    #[wasm_bindgen(js_name = sendSetPasswordEmail)]
    pub fn send_set_password_email(&self, email: JsValue) -> Promise {
        self.members.run(|| {
            Ok(Operation::SendSetPasswordEmail {
                email: to_string_arg(&email, "email")?,
            })
        })
    }

    /// `setPassword(token, password)`: spends a set-password token.
    #[wasm_bindgen(js_name = setPassword)]
    pub fn set_password(&self, token: JsValue, password: JsValue) -> Promise {
        self.members.run(|| {
            Ok(Operation::SetPassword {
                token: Secret(to_string_arg(&token, "token")?),
                password: Secret(to_string_arg(&password, "password")?),
            })
        })
    }
}
