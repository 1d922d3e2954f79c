//! A member as a row: the typed, indexed columns every filter and sort uses, and
//! the whole member as JSON (the source of truth when reading).

use super::driver::text;
use crate::model::text::fold;
use crate::model::{Member, MembersError, MembersResult};
use crate::query::sql::SqlValue;
use crate::store::unique_keys;

/// The columns written for a member, in `values` order.
pub const COLUMNS: [&str; 24] = [
    "id",
    "email_key",
    "slug_key",
    "login_email",
    "login_email_folded",
    "contact_id",
    "first_name",
    "first_name_folded",
    "last_name",
    "last_name_folded",
    "nickname",
    "nickname_folded",
    "slug",
    "slug_folded",
    "title",
    "title_folded",
    "privacy_status",
    "status",
    "activity_status",
    "created_date",
    "updated_date",
    "last_login_date",
    "revision",
    "data",
];

fn text_value(value: &str) -> SqlValue {
    SqlValue::Text(value.to_string())
}

fn optional(value: &Option<String>) -> [SqlValue; 2] {
    match value {
        Some(v) => [text_value(v), SqlValue::Text(fold(v))],
        None => [SqlValue::Null, SqlValue::Null],
    }
}

fn enum_name<T: serde::Serialize>(value: &T) -> SqlValue {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => SqlValue::Text(name),
        _ => SqlValue::Null,
    }
}

/// The column values of a member, in `COLUMNS` order.
pub fn values(member: &Member) -> MembersResult<Vec<SqlValue>> {
    let (email_key, slug_key) = unique_keys(member);
    let data = serde_json::to_string(member)
        .map_err(|e| MembersError::internal(format!("member does not serialise: {e}")))?;
    let [first, first_folded] = optional(&member.contact.first_name);
    let [last, last_folded] = optional(&member.contact.last_name);
    let [nick, nick_folded] = optional(&member.profile.nickname);
    let [title, title_folded] = optional(&member.profile.title);
    Ok(vec![
        text_value(member.id.as_str()),
        SqlValue::Text(email_key),
        SqlValue::Text(slug_key),
        text_value(&member.login_email),
        SqlValue::Text(fold(&member.login_email)),
        text_value(member.contact_id.as_str()),
        first,
        first_folded,
        last,
        last_folded,
        nick,
        nick_folded,
        text_value(&member.profile.slug),
        SqlValue::Text(fold(&member.profile.slug)),
        title,
        title_folded,
        enum_name(&member.privacy_status),
        enum_name(&member.status),
        enum_name(&member.activity_status),
        SqlValue::Int(member.created_date.millis()),
        SqlValue::Int(member.updated_date.millis()),
        member
            .last_login_date
            .map_or(SqlValue::Null, |t| SqlValue::Int(t.millis())),
        SqlValue::Int(member.revision as i64),
        SqlValue::Text(data),
    ])
}

/// A member from its `data` column.
pub fn member_from(value: &SqlValue) -> MembersResult<Member> {
    serde_json::from_str(text(value)?)
        .map_err(|e| MembersError::internal(format!("a stored member does not parse: {e}")))
}
