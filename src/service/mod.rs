//! The rules of SPEC.md: callers and permissions, visibility, fieldsets, slugs,
//! validation and events, one function per call, over any `Store`.
//!
//! Knows nothing of HTTP or JS.

pub mod auth;
pub mod bulk;
pub mod caller;
pub mod context;
pub mod current;
pub mod delivery;
pub mod engine;
pub mod events;
pub mod import;
pub mod import_rows;
pub mod jobs;
pub mod members;
pub mod moderation;
pub mod slug;
pub mod webhook_body;
pub mod webhooks;

pub use crate::model::event::EventKind;
pub use auth::{LoginLimit, Mail, Mailer, Registration};
pub use caller::Caller;
pub use context::Context;
pub use engine::{Approval, Engine, SitePolicy, VerificationPolicy};
pub use events::{EventBus, Handler};
pub use members::{ContactList, MembersPage};
pub use moderation::Moderation;
pub use webhooks::{WebhookPolicy, WebhookSigner};
