//! In-process events (SPEC §9): `memberCreated`, `memberUpdated`, `memberDeleted`.
//!
//! The engine publishes after a change is stored, exactly once per change. Handlers
//! are plain callbacks; the wasm layer wraps JS functions into them.

use crate::model::{ids::new_uuid, project, Fieldset, Member, Timestamp};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;

/// The three kinds of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Created,
    Updated,
    Deleted,
}

impl EventKind {
    /// `created`, `updated` or `deleted`.
    pub fn slug(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated => "updated",
            EventKind::Deleted => "deleted",
        }
    }
}

/// A callback for one kind of event; it gets `{ entity, metadata }` as JSON.
pub type Handler = Rc<dyn Fn(&Value)>;

/// Registered handlers.
#[derive(Default)]
pub struct EventBus {
    handlers: RefCell<Vec<(EventKind, Handler)>>,
}

impl EventBus {
    /// Adds a handler for one kind of event.
    pub fn subscribe(&self, kind: EventKind, handler: Handler) {
        self.handlers.borrow_mut().push((kind, handler));
    }

    /// Builds the event for a change and hands it to every handler of its kind.
    /// `before` is the previous state (updates and deletes), `after` the new one.
    pub fn publish(
        &self,
        kind: EventKind,
        before: Option<&Member>,
        after: Option<&Member>,
        identity: Value,
        now: Timestamp,
    ) {
        // Snapshot the list so a handler may subscribe without a borrow conflict.
        let handlers: Vec<Handler> = self
            .handlers
            .borrow()
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, h)| h.clone())
            .collect();
        if handlers.is_empty() {
            return;
        }
        let Some(subject) = after.or(before) else {
            return;
        };
        // Without a random source the id still names the change uniquely.
        let event_id =
            new_uuid().unwrap_or_else(|_| format!("{}-{}", subject.id, subject.revision));
        let metadata = json!({
            "_id": event_id,
            "entityId": subject.id,
            "eventType": format!("wix.members.v1.member_{}", kind.slug()),
            "entityFqdn": "wix.members.v1.member",
            "slug": kind.slug(),
            "eventTime": now,
            "identity": identity,
            "entityEventSequence": subject.revision + u64::from(kind == EventKind::Deleted),
        });
        let mut event = json!({ "metadata": metadata });
        if let Some(after) = after {
            event["entity"] = json!(project(after, Fieldset::Full));
        }
        if let (EventKind::Updated, Some(before)) = (kind, before) {
            event["previousEntity"] = json!(project(before, Fieldset::Full));
        }
        for handler in handlers {
            handler(&event);
        }
    }
}
