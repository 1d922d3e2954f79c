//! `importMembers` (**Beyond Wix**): admins load whole members, ids, dates and
//! statuses included, e.g. data exported from Wix. All or nothing.

use super::caller::Caller;
use super::engine::Engine;
use super::events::EventKind;
use super::slug::base_slug;
use crate::model::decode::decode;
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
            let mut member: Member = decode(value, &root)?;
            member.revision = member.revision.max(1);
            if member.profile.slug.is_empty() {
                member.profile.slug = base_slug(&member);
            }
            validate_member(&member, &root)?;
            parsed.push(member);
        }
        self.store.insert_many(&parsed).await?;
        let now = self.now();
        for member in &parsed {
            self.events.publish(
                EventKind::Created,
                None,
                Some(member),
                caller.identity(),
                now,
            );
        }
        Ok(json!({ "importedCount": parsed.len() }))
    }
}
