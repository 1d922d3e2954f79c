//! The default order (`_createdDate` descending, ties by `_id` ascending, SPEC §7)
//! kept as a sorted list of arena slots, so a page in that order walks the list
//! and stops once it is full instead of sorting every match.
//!
//! The list is kept oldest first: a new member is almost always the newest, so
//! adding it is a push at the end; walking it backwards is the default order.

use super::memory_arena::Arena;
use std::cmp::Ordering;

/// Slots in reverse default order.
#[derive(Default)]
pub struct NewestFirst {
    oldest_first: Vec<u32>,
}

/// The default order of two slots' members: newest first, then `_id` ascending.
fn newest_first(arena: &Arena, a: u32, b: u32) -> Ordering {
    match (arena.get(a), arena.get(b)) {
        (Some(a), Some(b)) => b
            .created_date
            .cmp(&a.created_date)
            .then_with(|| a.id.cmp(&b.id)),
        _ => a.cmp(&b),
    }
}

impl NewestFirst {
    /// Where `slot` (stored in `arena`) belongs in the list: after every slot
    /// that comes after it in the default order.
    fn position(&self, arena: &Arena, slot: u32) -> usize {
        self.oldest_first
            .partition_point(|&other| newest_first(arena, other, slot) == Ordering::Greater)
    }

    /// Adds `slot`, whose member is already in `arena`.
    pub fn insert(&mut self, arena: &Arena, slot: u32) {
        let at = self.position(arena, slot);
        self.oldest_first.insert(at, slot);
    }

    /// Removes `slot`, whose member is still in `arena`.
    pub fn remove(&mut self, arena: &Arena, slot: u32) {
        let at = self.position(arena, slot);
        if self.oldest_first.get(at) == Some(&slot) {
            self.oldest_first.remove(at);
        }
    }

    /// Every slot, in the default order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.oldest_first.iter().rev().copied()
    }
}
