//! The member model: the `Member` and its parts, ids, dates, input rules, fieldset
//! projection, the two namings, the secrets of authentication and the one error type.
//!
//! Knows nothing of queries, storage, callers or JS.

pub mod characters;
pub mod credentials;
pub mod csv_columns;
pub mod decode;
pub mod error;
pub mod event;
pub mod fieldset;
pub mod ids;
pub mod input;
pub mod job;
pub mod member;
pub mod naming;
pub mod phone;
pub mod text;
pub mod timestamp;
pub mod webhook;

pub use error::{ErrorCode, FieldViolation, MembersError, MembersResult};
pub use event::{EventKind, MemberEvent, StoredEvent};
pub use fieldset::{project, Fieldset, MemberView};
pub use ids::{ContactId, MemberId};
pub use member::{
    ActivityStatus, Address, Contact, CustomField, Image, Member, PrivacyStatus, Profile, Status,
};
pub use timestamp::Timestamp;
