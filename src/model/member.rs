//! The `Member` and its parts (SPEC §2), as stored and as returned with the FULL
//! fieldset, in the SDK naming (`_id`, `_createdDate`).
//!
//! Owns the shape and the defaults. It does not decide who may see what (see
//! `fieldset`) nor how input becomes a member (see `input`).

use super::ids::{ContactId, MemberId};
use super::timestamp::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Whether a member may log in and be seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    #[default]
    Unknown,
    Pending,
    Approved,
    Blocked,
    Offline,
}

/// Whether a member is listed in the community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PrivacyStatus {
    #[default]
    Unknown,
    Private,
    Public,
}

/// Whether a member is muted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActivityStatus {
    #[default]
    Unknown,
    Active,
    Muted,
}

/// A site member, whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// Generated UUID.
    #[serde(rename = "_id")]
    pub id: MemberId,
    /// The login email as given; unique case-insensitively.
    pub login_email: String,
    /// Read-only.
    #[serde(default)]
    pub login_email_verified: bool,
    /// Read-only: changed by moderation calls.
    pub status: Status,
    /// Generated UUID, never equal to `_id`.
    pub contact_id: ContactId,
    /// Contact details.
    #[serde(default)]
    pub contact: Contact,
    /// The public profile.
    #[serde(default)]
    pub profile: Profile,
    /// Changed by join/leave community.
    pub privacy_status: PrivacyStatus,
    /// Changed by mute/unmute.
    pub activity_status: ActivityStatus,
    /// When the member was created.
    #[serde(rename = "_createdDate")]
    pub created_date: Timestamp,
    /// When the member last changed.
    #[serde(rename = "_updatedDate")]
    pub updated_date: Timestamp,
    /// When the member last logged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_date: Option<Timestamp>,
    /// Bumped by every change; the compare-and-set key of updates. Never shown.
    #[serde(default)]
    pub revision: u64,
}

/// Contact details of a member.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthdate: Option<String>,
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub addresses: Vec<Address>,
    /// Site-defined fields, by key.
    #[serde(default)]
    pub custom_fields: BTreeMap<String, CustomField>,
}

/// One custom field value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomField {
    /// Display name, set by the site (ignored in updates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Any JSON value.
    #[serde(default)]
    pub value: Value,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// Generated when the address is added; kept when sent back.
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<StreetAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// ISO 3166-2, e.g. `US-NY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdivision: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `US`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
}

/// Street number and name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreetAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The public profile.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Unique case-insensitively; see SPEC §6.
    #[serde(default)]
    pub slug: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<Image>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<Image>,
}

/// A profile photo or cover image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Image {
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default)]
    pub offset_x: i32,
    #[serde(default)]
    pub offset_y: i32,
}
