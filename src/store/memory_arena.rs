//! The memory store's members in a dense arena: a `Vec` of slots, an id → slot
//! map and a free list. Indexes, columns and bitmaps name members by slot (a
//! `u32`), so a scan walks vectors instead of hashing ids.

use crate::model::{Member, MemberId};
use std::collections::HashMap;

/// Members by slot.
#[derive(Default)]
pub struct Arena {
    slots: Vec<Option<Member>>,
    by_id: HashMap<MemberId, u32>,
    free: Vec<u32>,
}

impl Arena {
    /// Stores a new member (its id must not be stored yet); returns its slot.
    pub fn insert(&mut self, member: Member) -> u32 {
        let slot = self.free.pop().unwrap_or_else(|| {
            self.slots.push(None);
            (self.slots.len() - 1) as u32
        });
        self.by_id.insert(member.id.clone(), slot);
        self.slots[slot as usize] = Some(member);
        slot
    }

    /// Replaces the member in `slot` (same id), returning the one it held.
    pub fn replace(&mut self, slot: u32, member: Member) -> Option<Member> {
        let stored = self.slots.get_mut(slot as usize)?.as_mut()?;
        Some(std::mem::replace(stored, member))
    }

    /// Takes the member out of `slot`.
    pub fn remove(&mut self, slot: u32) -> Option<Member> {
        let member = self.slots.get_mut(slot as usize)?.take()?;
        self.by_id.remove(&member.id);
        self.free.push(slot);
        Some(member)
    }

    /// The slot of the member with this id.
    pub fn slot_of(&self, id: &MemberId) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    /// The member in `slot`.
    pub fn get(&self, slot: u32) -> Option<&Member> {
        self.slots.get(slot as usize)?.as_ref()
    }

    /// The member with this id.
    pub fn member(&self, id: &MemberId) -> Option<&Member> {
        self.slot_of(id).and_then(|slot| self.get(slot))
    }
}
