//! The memory store's rows (`Row`) as columns by arena slot: the enum ordinals in
//! one vector, each text field as stored and folded in one string buffer per
//! field. A scan reads a few contiguous vectors instead of chasing every member's
//! heap strings, which is what made scans slow (issue 15: cache misses, not work).

use super::memory_arena::Arena;
use crate::model::Member;
use crate::query::row::{Row, ENUM_FIELDS, TEXT_FIELDS};
use crate::query::MemberRow;

/// Missing text.
const MISSING: (u32, u32) = (u32::MAX, 0);

/// One text field of every slot: the texts end to end in one buffer, with each
/// slot's (start, length). Replaced texts are left in the buffer until it is
/// twice what is live, then it is packed again.
#[derive(Default)]
struct TextColumn {
    bytes: String,
    spans: Vec<(u32, u32)>,
    live: usize,
}

impl TextColumn {
    fn set(&mut self, slot: usize, text: Option<&str>) {
        if self.spans.len() <= slot {
            self.spans.resize(slot + 1, MISSING);
        }
        let (start, len) = self.spans[slot];
        if start != u32::MAX {
            self.live -= len as usize;
        }
        self.spans[slot] = match text {
            Some(text) => {
                let start = self.bytes.len() as u32;
                self.bytes.push_str(text);
                self.live += text.len();
                (start, text.len() as u32)
            }
            None => MISSING,
        };
        if self.bytes.len() > 2 * self.live + 4096 {
            self.pack();
        }
    }

    fn get(&self, slot: usize) -> Option<&str> {
        match self.spans.get(slot) {
            Some(&(start, len)) if start != u32::MAX => {
                self.bytes.get(start as usize..(start + len) as usize)
            }
            _ => None,
        }
    }

    /// Copies the live texts into a new buffer, in slot order.
    fn pack(&mut self) {
        let mut bytes = String::with_capacity(self.live);
        for span in &mut self.spans {
            if span.0 != u32::MAX {
                let text = &self.bytes[span.0 as usize..(span.0 + span.1) as usize];
                *span = (bytes.len() as u32, span.1);
                bytes.push_str(text);
            }
        }
        self.bytes = bytes;
    }
}

/// Every slot's row.
#[derive(Default)]
pub struct Columns {
    enums: Vec<[u8; ENUM_FIELDS.len()]>,
    texts: [TextColumn; TEXT_FIELDS.len()],
    folded: [TextColumn; TEXT_FIELDS.len()],
}

impl Columns {
    /// Sets the row of `slot`.
    pub fn set(&mut self, slot: u32, row: &MemberRow) {
        let slot = slot as usize;
        if self.enums.len() <= slot {
            self.enums.resize(slot + 1, [0; ENUM_FIELDS.len()]);
        }
        self.enums[slot] = row.enums;
        for (index, column) in self.texts.iter_mut().enumerate() {
            column.set(slot, row.texts[index].as_deref());
        }
        for (index, column) in self.folded.iter_mut().enumerate() {
            column.set(slot, row.folded[index].as_deref());
        }
    }

    /// Empties the row of `slot` (its member is gone).
    pub fn clear(&mut self, slot: u32) {
        for column in self.texts.iter_mut().chain(self.folded.iter_mut()) {
            column.set(slot as usize, None);
        }
    }

    /// The row of `slot`, whose member is in `arena`.
    pub fn row<'a>(&'a self, arena: &'a Arena, slot: u32) -> SlotRow<'a> {
        SlotRow {
            columns: self,
            arena,
            slot,
        }
    }
}

/// One slot's row, read from the columns (its member only when a test needs it).
pub struct SlotRow<'a> {
    columns: &'a Columns,
    arena: &'a Arena,
    slot: u32,
}

impl Row for SlotRow<'_> {
    fn enum_at(&self, index: usize) -> u8 {
        let slot = self.slot as usize;
        self.columns.enums.get(slot).map_or(0, |e| e[index])
    }

    fn text_at(&self, index: usize) -> Option<&str> {
        self.columns.texts[index].get(self.slot as usize)
    }

    fn folded_at(&self, index: usize) -> Option<&str> {
        self.columns.folded[index].get(self.slot as usize)
    }

    fn member(&self) -> Option<&Member> {
        self.arena.get(self.slot)
    }
}
