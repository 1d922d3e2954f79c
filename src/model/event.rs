//! A member event as the outbox keeps it (SPEC §9), and its two shapes: the SDK
//! event handlers get (`{ entity, metadata }`) and Wix's domain-event envelope in
//! REST naming that webhooks and the event stream carry.
//!
//! An event is built from the member before and after a change, so what it says
//! is exactly what was written. Knows nothing of storage or delivery.

use super::fieldset::{project, Fieldset};
use super::ids::{new_uuid, MemberId};
use super::member::Member;
use super::naming::to_rest_naming;
use super::timestamp::Timestamp;
use super::MembersResult;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The three kinds of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Created,
    Updated,
    Deleted,
}

/// The event kinds in the order the API lists them.
pub const EVENT_KINDS: [EventKind; 3] =
    [EventKind::Created, EventKind::Updated, EventKind::Deleted];

/// Wix's fully qualified name of the member entity.
pub const ENTITY_FQDN: &str = "wix.members.v1.member";

impl EventKind {
    /// `created`, `updated` or `deleted`.
    pub fn slug(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated => "updated",
            EventKind::Deleted => "deleted",
        }
    }

    /// The kind named by `slug`.
    pub fn from_slug(slug: &str) -> Option<EventKind> {
        EVENT_KINDS.into_iter().find(|k| k.slug() == slug)
    }

    /// `wix.members.v1.member_created` …
    pub fn event_type(self) -> String {
        format!("{ENTITY_FQDN}_{}", self.slug())
    }
}

/// One change of one member, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberEvent {
    /// UUID: Wix's `metadata._id`, the envelope `id` and Standard Webhooks' `webhook-id`.
    pub id: String,
    pub kind: EventKind,
    pub member_id: MemberId,
    /// `entityEventSequence`: one higher than the member's previous event.
    pub sequence: u64,
    pub time: Timestamp,
    /// `{ identityType, memberId? }` of the caller that made the change.
    pub identity: Value,
    /// The member after the change (the last state for a delete), FULL, SDK naming.
    pub entity: Value,
    /// Updates: the member before the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_entity: Option<Value>,
    /// Updates: each changed SDK path with its value before the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_fields: Option<Value>,
}

/// An event with its place in the outbox (commit order).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub position: u64,
    pub event: MemberEvent,
}

impl MemberEvent {
    /// The event of `kind` for the change from `before` to `after` (a create has no
    /// `before`, a delete no `after`), made by `identity` at `now`.
    pub fn of_change(
        kind: EventKind,
        before: Option<&Member>,
        after: Option<&Member>,
        identity: Value,
        now: Timestamp,
    ) -> MembersResult<MemberEvent> {
        let subject = after.or(before).ok_or_else(|| {
            super::MembersError::internal("an event needs the member before or after")
        })?;
        let full = |m: &Member| json!(project(m, Fieldset::Full));
        let sequence = match (kind, after) {
            (EventKind::Deleted, _) | (_, None) => subject.revision + 1,
            (_, Some(after)) => after.revision,
        };
        let (previous_entity, modified_fields) = match (kind, before, after) {
            (EventKind::Updated, Some(before), Some(after)) => {
                let (old, new) = (full(before), full(after));
                let changed = modified(&old, &new);
                (Some(old), Some(changed))
            }
            _ => (None, None),
        };
        Ok(MemberEvent {
            id: new_uuid()?,
            kind,
            member_id: subject.id.clone(),
            sequence,
            time: now,
            identity,
            entity: full(subject),
            previous_entity,
            modified_fields,
        })
    }

    /// What an in-process handler gets: `{ entity, metadata, modifiedFields?,
    /// previousEntity? }` in SDK naming.
    pub fn sdk_json(&self) -> Value {
        let mut event = json!({
            "entity": self.entity,
            "metadata": {
                "_id": self.id,
                "entityId": self.member_id,
                "eventType": self.kind.event_type(),
                "entityFqdn": ENTITY_FQDN,
                "slug": self.kind.slug(),
                "eventTime": self.time,
                "identity": self.identity,
                "entityEventSequence": self.sequence,
            },
        });
        if let Some(fields) = &self.modified_fields {
            event["modifiedFields"] = fields.clone();
        }
        if let Some(previous) = &self.previous_entity {
            event["previousEntity"] = previous.clone();
        }
        event
    }

    /// Wix's domain-event envelope in REST naming (webhooks, the event stream).
    pub fn wire_envelope(&self) -> Value {
        let rest = |value: &Value| {
            let mut value = value.clone();
            to_rest_naming(&mut value);
            value
        };
        let mut envelope = json!({
            "id": self.id,
            "entityFqdn": ENTITY_FQDN,
            "slug": self.kind.slug(),
            "entityId": self.member_id,
            "eventTime": self.time,
            "triggeredByAnonymizeRequest": false,
            "entityEventSequence": self.sequence.to_string(),
        });
        match self.kind {
            EventKind::Created => {
                envelope["createdEvent"] = json!({ "entity": rest(&self.entity) })
            }
            EventKind::Updated => {
                let mut updated = json!({ "currentEntity": rest(&self.entity) });
                if let Some(fields) = &self.modified_fields {
                    updated["modifiedFields"] = rest(fields);
                }
                if let Some(previous) = &self.previous_entity {
                    updated["previousEntity"] = rest(previous);
                }
                envelope["updatedEvent"] = updated;
            }
            EventKind::Deleted => {
                envelope["deletedEvent"] = json!({ "deletedEntity": rest(&self.entity) })
            }
        }
        envelope
    }
}

/// Every path (dotted, SDK naming) whose value differs between `old` and `new`,
/// with its old value (`null` when it was not set). Objects are compared key by
/// key; arrays and scalars as whole values. `_updatedDate` changes with every
/// update and is left out.
fn modified(old: &Value, new: &Value) -> Value {
    let mut fields = Map::new();
    diff("", old, new, &mut fields);
    fields.remove("_updatedDate");
    Value::Object(fields)
}

fn diff(path: &str, old: &Value, new: &Value, out: &mut Map<String, Value>) {
    match (old, new) {
        // customFields keys are user data: one changed key is one path.
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                let inner = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                diff(&inner, x, y, out);
            }
        }
        (a, b) if a != b => {
            out.insert(path.to_string(), a.clone());
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_fields_name_each_changed_path_with_its_old_value() {
        let old = json!({ "profile": { "nickname": "Ann", "title": "x" }, "_updatedDate": "a",
                           "contact": { "phones": ["1"] } });
        let new = json!({ "profile": { "nickname": "Bea", "title": "x" }, "_updatedDate": "b",
                           "contact": { "phones": ["1", "2"], "company": "Co" } });
        assert_eq!(
            modified(&old, &new),
            json!({ "profile.nickname": "Ann", "contact.phones": ["1"], "contact.company": null })
        );
    }
}
