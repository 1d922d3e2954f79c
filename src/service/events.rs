//! In-process event handlers (SPEC §9): `onMemberCreated`, `onMemberUpdated`,
//! `onMemberDeleted`, fed from the outbox.
//!
//! Every write stores its event in the outbox with the change (see `Store`); after
//! the commit, the engine reads the events this process wrote that handlers have
//! not seen yet, in commit order, and hands each to the handlers of its kind. A
//! handler never fails the write: what it does with the event is its own business.

use super::engine::Engine;
use crate::model::event::EventKind;
use crate::store::Store;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// A callback for one kind of event; it gets `{ entity, metadata }` as JSON.
pub type Handler = Rc<dyn Fn(&Value)>;

/// How many events one read of the outbox hands on.
const DISPATCH_BATCH: u32 = 200;

/// Registered handlers and how far they have read.
#[derive(Default)]
pub struct EventBus {
    handlers: RefCell<Vec<(EventKind, Handler)>>,
    /// The outbox position up to which events went to handlers (`None` until the
    /// first read after a handler subscribed).
    seen: Cell<Option<u64>>,
    /// A dispatch is running; `again` asks it to read once more when done.
    dispatching: Cell<bool>,
    again: Cell<bool>,
    /// Told after every commit that wrote events (the host wakes its delivery worker).
    commit_listeners: RefCell<Vec<Rc<dyn Fn()>>>,
}

impl EventBus {
    /// Adds a handler for one kind of event; it gets the events of changes
    /// committed from now on.
    pub fn subscribe(&self, kind: EventKind, handler: Handler) {
        self.handlers.borrow_mut().push((kind, handler));
    }

    /// Calls `listener` after every commit that stored events.
    pub fn on_commit(&self, listener: Rc<dyn Fn()>) {
        self.commit_listeners.borrow_mut().push(listener);
    }

    fn has_handlers(&self) -> bool {
        !self.handlers.borrow().is_empty()
    }

    fn handlers_of(&self, kind: EventKind) -> Vec<Handler> {
        self.handlers
            .borrow()
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, h)| h.clone())
            .collect()
    }
}

impl<S: Store> Engine<S> {
    /// Before a write: when handlers wait for their first event, notes where the
    /// outbox ends now, so the write's own event is the first they get.
    pub(crate) async fn before_write(&self) {
        if self.events.has_handlers() && self.events.seen.get().is_none() {
            if let Ok(position) = self.store.latest_position().await {
                if self.events.seen.get().is_none() {
                    self.events.seen.set(Some(position));
                }
            }
        }
    }

    /// After a commit: hands the events this process wrote since the last read to
    /// their handlers, in commit order. One dispatch runs at a time; a commit
    /// during it makes it read again, so nothing is handed on twice or skipped.
    pub(crate) async fn after_commit(&self) {
        let listeners: Vec<Rc<dyn Fn()>> = self.events.commit_listeners.borrow().clone();
        for listener in listeners {
            listener();
        }
        if !self.events.has_handlers() {
            return;
        }
        if self.events.dispatching.replace(true) {
            self.events.again.set(true);
            return;
        }
        loop {
            self.events.again.set(false);
            let seen = match self.events.seen.get() {
                Some(seen) => seen,
                None => {
                    // Subscribed while this write was in flight: start after it.
                    let latest = self.store.latest_position().await.unwrap_or(0);
                    self.events.seen.set(Some(latest));
                    latest
                }
            };
            let batch = match self.store.events_after(seen, DISPATCH_BATCH, true).await {
                Ok(batch) => batch,
                // The change committed; its handlers can not be reached now.
                Err(_) => break,
            };
            let full = batch.len() == DISPATCH_BATCH as usize;
            for stored in &batch {
                self.events.seen.set(Some(stored.position));
                let handlers = self.events.handlers_of(stored.event.kind);
                if handlers.is_empty() {
                    continue;
                }
                let event = stored.event.sdk_json();
                for handler in handlers {
                    handler(&event);
                }
            }
            if !full && !self.events.again.get() {
                break;
            }
        }
        self.events.dispatching.set(false);
    }
}
