//! `importMembers` (**Beyond Wix**): admins load whole members, ids, dates and
//! statuses included, e.g. data exported from Wix. All or nothing.

use super::caller::Caller;
use super::engine::Engine;
use super::slug::base_slug;
use crate::model::decode::decode;
use crate::model::event::{EventKind, MemberEvent};
use crate::model::input::validate_member;
use crate::model::{Member, MembersError, MembersResult};
use crate::store::Store;
use serde_json::{json, Value};

/// Most members one import takes.
pub const MAX_IMPORT: usize = 1000;

impl<S: Store> Engine<S> {
    /// Stores whole members as given (SDK naming); fires one created event each.
    pub async fn import_members(&self, caller: &Caller, members: Value) -> MembersResult<Value> {
        caller.require_admin("importMembers")?;
        let Value::Array(list) = members else {
            return Err(MembersError::invalid_field(
                "members",
                "TYPE",
                "must be an array of members",
            ));
        };
        if list.is_empty() || list.len() > MAX_IMPORT {
            return Err(MembersError::invalid_field(
                "members",
                "SIZE",
                format!("must hold 1 to {MAX_IMPORT} members (got {})", list.len()),
            ));
        }
        let mut parsed = Vec::with_capacity(list.len());
        for (i, value) in list.into_iter().enumerate() {
            let root = format!("members[{i}]");
            let mut value = value;
            as_on_create(&mut value, "")?;
            let mut member: Member = decode(value, &root)?;
            member.revision = member.revision.max(1);
            if member.profile.slug.is_empty() {
                member.profile.slug = base_slug(&member);
            }
            validate_member(&member, &root)?;
            parsed.push(member);
        }
        let now = self.now();
        let events = parsed
            .iter()
            .map(|m| {
                MemberEvent::of_change(EventKind::Created, None, Some(m), caller.identity(), now)
            })
            .collect::<MembersResult<Vec<_>>>()?;
        self.before_write().await;
        self.store.insert_many(&parsed, &events).await?;
        self.after_commit().await;
        Ok(json!({ "importedCount": parsed.len() }))
    }
}

/// An imported member reads its input as create does: `""` is no value, and an
/// address without an id gets a new one (custom field values are kept as sent).
fn as_on_create(value: &mut Value, path: &str) -> MembersResult<()> {
    match value {
        Value::Object(map) => {
            if path.ends_with("addresses[]") && !map.get("_id").is_some_and(|id| id != "") {
                map.insert("_id".into(), Value::String(crate::model::ids::new_uuid()?));
            }
            // Only within contact and profile, where create reads `""` as no value.
            let cleared = path.contains(".contact") || path.contains(".profile");
            if cleared && !path.ends_with(".customFields") {
                map.retain(|_, inner| inner != "");
            }
            for (key, inner) in map.iter_mut() {
                if !(path.ends_with(".customFields")
                    || key == "value" && path.contains(".customFields"))
                {
                    as_on_create(inner, &format!("{path}.{key}"))?;
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                as_on_create(item, &format!("{path}[]"))?;
            }
        }
        _ => {}
    }
    Ok(())
}
