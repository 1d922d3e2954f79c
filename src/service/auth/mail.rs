//! Mail the core sends (the set-password link, the email-verification code and
//! link, the notice of a login-email change), and the `Mailer` it hands it to.
//!
//! The core decides *that* a mail goes out and with which token; composing and
//! delivering it (SMTP, the development mailbox, a user's own transport) is the
//! mailer's job, outside the core.

use crate::model::credentials::Secret;
use crate::model::{MembersResult, Timestamp};
use std::future::Future;
use std::pin::Pin;

/// One mail to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    /// Which mail: `"set-password"`, `"verify-email"` or `"email-change-requested"`.
    pub template: &'static str,
    /// The address it goes to.
    pub to: String,
    /// The single-use token the link carries (empty in a notice).
    pub token: Secret,
    /// The 6-digit code (`verify-email` only).
    pub code: Option<Secret>,
    /// The address a change moves to (`email-change-requested` only).
    pub new_email: Option<String>,
    /// When the token and code stop working.
    pub expires: Timestamp,
}

/// The future a mailer returns (not `Send`: the core is single-threaded).
pub type Sending<'a> = Pin<Box<dyn Future<Output = MembersResult<()>> + 'a>>;

/// Delivers mail.
pub trait Mailer {
    /// Hands over one mail; resolves once the mailer has taken it.
    fn send<'a>(&'a self, mail: &'a Mail) -> Sending<'a>;
}
