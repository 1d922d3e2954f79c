//! The fields a query may filter, sort and search on (SPEC §7), what kind of value
//! each holds, and how to read it from a member.
//!
//! This table is the only source of field names: the SQL compiler will map the
//! same `Field` to a column, so no caller text ever reaches SQL.

use crate::model::{Member, MembersError, MembersResult, Timestamp};
use serde_json::Value;
use std::borrow::Cow;

/// A filterable, sortable field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    Id,
    LoginEmail,
    ContactId,
    FirstName,
    LastName,
    Nickname,
    Slug,
    Title,
    PrivacyStatus,
    Status,
    ActivityStatus,
    CreatedDate,
    UpdatedDate,
    LastLoginDate,
    /// `loginEmailVerified` (SPEC §10): true or false.
    LoginEmailVerified,
    /// `contact.customFields.<key>.value`.
    CustomField(String),
}

/// The kind of value a field holds, which decides the operators and value types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text: every operator.
    Text,
    /// One of a fixed set of names: equality and membership only.
    Enum(&'static [&'static str]),
    /// An instant: equality, order and membership; no text operators.
    Date,
    /// A custom field: any JSON scalar or an array of them.
    Any,
}

const STATUS: &[&str] = &["UNKNOWN", "PENDING", "APPROVED", "BLOCKED", "OFFLINE"];
const PRIVACY: &[&str] = &["UNKNOWN", "PRIVATE", "PUBLIC"];
const ACTIVITY: &[&str] = &["UNKNOWN", "ACTIVE", "MUTED"];

/// One value read from a member (borrowed, so scans do not allocate), or given in
/// a filter (`Scalar<'static>`, owned).
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    Bool(bool),
    Number(f64),
    Text(Cow<'a, str>),
    Date(Timestamp),
}

impl Scalar<'_> {
    /// An owned copy, for keeping in a filter.
    pub fn into_owned(self) -> Scalar<'static> {
        match self {
            Scalar::Bool(b) => Scalar::Bool(b),
            Scalar::Number(n) => Scalar::Number(n),
            Scalar::Text(t) => Scalar::Text(Cow::Owned(t.into_owned())),
            Scalar::Date(d) => Scalar::Date(d),
        }
    }

    /// An owned text value.
    pub fn text(text: &str) -> Scalar<'static> {
        Scalar::Text(Cow::Owned(text.to_string()))
    }
}

/// What a member holds in a field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    /// Not set (or null).
    Missing,
    One(Scalar<'a>),
    /// A custom field holding an array.
    Many(Vec<Scalar<'a>>),
}

const CUSTOM_PREFIX: &str = "contact.customFields.";
const CUSTOM_SUFFIX: &str = ".value";

impl Field {
    /// Looks a field up by its SDK or REST name; anything else is `INVALID_ARGUMENT`
    /// naming it. `context` says where it was used (`filter`, `sort`, ...).
    pub fn parse(name: &str, context: &str) -> MembersResult<Field> {
        let field = match name {
            "_id" | "id" => Field::Id,
            "loginEmail" => Field::LoginEmail,
            "contactId" => Field::ContactId,
            "contact.firstName" => Field::FirstName,
            "contact.lastName" => Field::LastName,
            "profile.nickname" => Field::Nickname,
            "profile.slug" => Field::Slug,
            "profile.title" => Field::Title,
            "privacyStatus" => Field::PrivacyStatus,
            "status" => Field::Status,
            "activityStatus" => Field::ActivityStatus,
            "_createdDate" | "createdDate" => Field::CreatedDate,
            "_updatedDate" | "updatedDate" => Field::UpdatedDate,
            "lastLoginDate" => Field::LastLoginDate,
            "loginEmailVerified" => Field::LoginEmailVerified,
            _ => match name
                .strip_prefix(CUSTOM_PREFIX)
                .and_then(|rest| rest.strip_suffix(CUSTOM_SUFFIX))
            {
                Some(key) if !key.is_empty() => Field::CustomField(key.to_string()),
                _ => {
                    // An empty name would name no field: name the place instead.
                    let field = if name.is_empty() { context } else { name };
                    return Err(MembersError::invalid_filter(
                        field,
                        format!("{name:?} can not be used in a {context}"),
                    ));
                }
            },
        };
        Ok(field)
    }

    /// The SDK name, as users write it.
    pub fn name(&self) -> String {
        match self {
            Field::Id => "_id".into(),
            Field::LoginEmail => "loginEmail".into(),
            Field::ContactId => "contactId".into(),
            Field::FirstName => "contact.firstName".into(),
            Field::LastName => "contact.lastName".into(),
            Field::Nickname => "profile.nickname".into(),
            Field::Slug => "profile.slug".into(),
            Field::Title => "profile.title".into(),
            Field::PrivacyStatus => "privacyStatus".into(),
            Field::Status => "status".into(),
            Field::ActivityStatus => "activityStatus".into(),
            Field::CreatedDate => "_createdDate".into(),
            Field::UpdatedDate => "_updatedDate".into(),
            Field::LastLoginDate => "lastLoginDate".into(),
            Field::LoginEmailVerified => "loginEmailVerified".into(),
            Field::CustomField(key) => format!("{CUSTOM_PREFIX}{key}{CUSTOM_SUFFIX}"),
        }
    }

    /// What the field holds.
    pub fn kind(&self) -> FieldKind {
        match self {
            Field::Status => FieldKind::Enum(STATUS),
            Field::PrivacyStatus => FieldKind::Enum(PRIVACY),
            Field::ActivityStatus => FieldKind::Enum(ACTIVITY),
            Field::CreatedDate | Field::UpdatedDate | Field::LastLoginDate => FieldKind::Date,
            // A JSON boolean: compared like a custom field's scalar.
            Field::CustomField(_) | Field::LoginEmailVerified => FieldKind::Any,
            _ => FieldKind::Text,
        }
    }

    /// Fields every member has a value for (the rest may be missing).
    pub fn always_set(&self) -> bool {
        matches!(self, Field::Id | Field::CreatedDate | Field::UpdatedDate)
    }

    /// Fields a PUBLIC read hides: only admins may filter, sort or search on them,
    /// so a query can not reveal what a read would hide. `activityStatus` reads
    /// UNKNOWN in PUBLIC, so a visitor must not find the muted members by it.
    /// `status` and `privacyStatus` read UNKNOWN too, but every member a
    /// non-admin sees besides itself is APPROVED and PUBLIC: they reveal nothing.
    pub fn is_admin_only(&self) -> bool {
        matches!(
            self,
            Field::LoginEmail
                | Field::FirstName
                | Field::LastName
                | Field::LastLoginDate
                | Field::LoginEmailVerified
                | Field::ActivityStatus
                | Field::CustomField(_)
        )
    }

    /// Reads the field from a member.
    pub fn value_of<'a>(&self, member: &'a Member) -> FieldValue<'a> {
        fn text(s: &str) -> FieldValue<'_> {
            FieldValue::One(Scalar::Text(Cow::Borrowed(s)))
        }
        let opt = |s: &'a Option<String>| s.as_deref().map_or(FieldValue::Missing, text);
        let name = |v: &dyn erased::Named| text(v.name());
        match self {
            Field::Id => text(member.id.as_str()),
            Field::LoginEmail => text(&member.login_email),
            Field::ContactId => text(member.contact_id.as_str()),
            Field::FirstName => opt(&member.contact.first_name),
            Field::LastName => opt(&member.contact.last_name),
            Field::Nickname => opt(&member.profile.nickname),
            Field::Slug => text(&member.profile.slug),
            Field::Title => opt(&member.profile.title),
            Field::PrivacyStatus => name(&member.privacy_status),
            Field::Status => name(&member.status),
            Field::ActivityStatus => name(&member.activity_status),
            Field::CreatedDate => FieldValue::One(Scalar::Date(member.created_date)),
            Field::UpdatedDate => FieldValue::One(Scalar::Date(member.updated_date)),
            Field::LastLoginDate => member
                .last_login_date
                .map_or(FieldValue::Missing, |t| FieldValue::One(Scalar::Date(t))),
            Field::LoginEmailVerified => FieldValue::One(Scalar::Bool(member.login_email_verified)),
            Field::CustomField(key) => member
                .contact
                .custom_fields
                .get(key)
                .map_or(FieldValue::Missing, |field| json_value(&field.value)),
        }
    }
}

/// A custom field's JSON as a field value: objects can not be compared and read
/// as missing.
pub fn json_value(value: &Value) -> FieldValue<'_> {
    match value {
        Value::Array(items) => FieldValue::Many(items.iter().filter_map(json_scalar).collect()),
        other => json_scalar(other).map_or(FieldValue::Missing, FieldValue::One),
    }
}

/// A JSON scalar as a `Scalar`; null, arrays and objects have none.
pub fn json_scalar(value: &Value) -> Option<Scalar<'_>> {
    match value {
        Value::Bool(b) => Some(Scalar::Bool(*b)),
        Value::Number(n) => n.as_f64().map(Scalar::Number),
        Value::String(s) => Some(Scalar::Text(Cow::Borrowed(s))),
        _ => None,
    }
}

/// Enum names without a serde round trip on the hot path.
mod erased {
    use crate::model::{ActivityStatus, PrivacyStatus, Status};

    pub trait Named {
        fn name(&self) -> &'static str;
    }

    impl Named for Status {
        fn name(&self) -> &'static str {
            match self {
                Status::Unknown => "UNKNOWN",
                Status::Pending => "PENDING",
                Status::Approved => "APPROVED",
                Status::Blocked => "BLOCKED",
                Status::Offline => "OFFLINE",
            }
        }
    }

    impl Named for PrivacyStatus {
        fn name(&self) -> &'static str {
            match self {
                PrivacyStatus::Unknown => "UNKNOWN",
                PrivacyStatus::Private => "PRIVATE",
                PrivacyStatus::Public => "PUBLIC",
            }
        }
    }

    impl Named for ActivityStatus {
        fn name(&self) -> &'static str {
            match self {
                ActivityStatus::Unknown => "UNKNOWN",
                ActivityStatus::Active => "ACTIVE",
                ActivityStatus::Muted => "MUTED",
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_and_rest_names_find_the_same_field() {
        assert_eq!(
            Field::parse("_id", "filter").unwrap(),
            Field::parse("id", "filter").unwrap()
        );
        assert_eq!(
            Field::parse("createdDate", "filter").unwrap(),
            Field::CreatedDate
        );
    }

    #[test]
    fn custom_fields_are_addressed_by_key() {
        let field = Field::parse("contact.customFields.hobby.value", "filter").unwrap();
        assert_eq!(field, Field::CustomField("hobby".into()));
        assert_eq!(field.name(), "contact.customFields.hobby.value");
    }

    #[test]
    fn an_unknown_field_is_invalid_argument_naming_it() {
        let error = Field::parse("profile.bogus", "filter").unwrap_err();
        assert_eq!(error.violations[0].field, "profile.bogus");
        assert!(Field::parse("contact.customFields..value", "filter").is_err());
    }
}
