//! Mail the core sends (the set-password link), and the `Mailer` it hands it to.
//!
//! The core decides *that* a mail goes out and with which token; composing and
//! delivering it (SMTP, the development mailbox, a user's own transport) is the
//! mailer's job, outside the core.

use crate::model::credentials::SetPasswordToken;
use crate::model::{MembersResult, Timestamp};
use std::future::Future;
use std::pin::Pin;

/// One mail to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    /// Which mail: `"set-password"`.
    pub template: &'static str,
    /// The member's login email.
    pub to: String,
    /// The single-use token the link carries.
    pub token: SetPasswordToken,
    /// When the token stops working.
    pub expires: Timestamp,
}

/// The future a mailer returns (not `Send`: the core is single-threaded).
pub type Sending<'a> = Pin<Box<dyn Future<Output = MembersResult<()>> + 'a>>;

/// Delivers mail.
pub trait Mailer {
    /// Hands over one mail; resolves once the mailer has taken it.
    fn send<'a>(&'a self, mail: &'a Mail) -> Sending<'a>;
}
