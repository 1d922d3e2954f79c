//! Authentication (SPEC §10): register, login and logout, sessions, the login
//! email and its verification, passwords and the set-password flow, page
//! admins' sign-in, and the limits on failed attempts.
//!
//! Secrets stay inside: passwords are only hashed, tokens only handed to their
//! holder once and stored as hashes, and no error carries either.

pub mod account;
pub mod admin_signin;
pub mod hasher;
pub mod login_limit;
pub mod mail;
pub mod password;
pub mod sessions;
pub mod set_password;
pub mod verification;

pub use account::Registration;
pub use hasher::{Hashing, InlineHasher, PasswordHasher};
pub use login_limit::LoginLimit;
pub use mail::{Mail, Mailer, Sending};
pub use sessions::{LiveSession, NewSession};
