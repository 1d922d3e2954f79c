//! One bitmap of arena slots per value of each enum field (status, privacy,
//! activity) and one of every stored slot, so a filter of enum conditions only
//! (`status in [...]`, a visitor's APPROVED and PUBLIC) is counted by popcount
//! instead of a scan. Counts come from the same compiled filter as scans, so they
//! can not count a member a scan would hide.

use crate::query::row::ENUM_FIELDS;
use crate::query::{MemberRow, RowFilter};

/// A set of slots.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bitset {
    words: Vec<u64>,
}

impl Bitset {
    fn set(&mut self, slot: u32, on: bool) {
        let (word, bit) = (slot as usize / 64, slot % 64);
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        if on {
            self.words[word] |= 1 << bit;
        } else {
            self.words[word] &= !(1 << bit);
        }
    }

    /// Whether `slot` is in the set.
    pub fn contains(&self, slot: u32) -> bool {
        let (word, bit) = (slot as usize / 64, slot % 64);
        self.words.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    /// How many slots are in the set.
    pub fn count(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// Combines word by word with `other`, as wide as the wider of the two.
    fn combine(mut self, other: &Bitset, op: impl Fn(u64, u64) -> u64) -> Bitset {
        if self.words.len() < other.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (i, word) in self.words.iter_mut().enumerate() {
            *word = op(*word, other.words.get(i).copied().unwrap_or(0));
        }
        self
    }
}

/// The bitmaps of one store.
#[derive(Default)]
pub struct EnumBitmaps {
    /// `by_value[field][ordinal]`: the slots whose enum field number `field` holds
    /// that ordinal.
    by_value: [Vec<Bitset>; ENUM_FIELDS.len()],
    stored: Bitset,
}

impl EnumBitmaps {
    /// Adds (`on`) or removes the slot holding a member with this row.
    pub fn mark(&mut self, slot: u32, row: &MemberRow, on: bool) {
        for (field, values) in self.by_value.iter_mut().enumerate() {
            let ordinal = row.enums[field] as usize;
            if values.len() <= ordinal {
                values.resize(ordinal + 1, Bitset::default());
            }
            values[ordinal].set(slot, on);
        }
        self.stored.set(slot, on);
    }

    /// The slots matching `filter`, when it tests enum fields only.
    pub fn select(&self, filter: &RowFilter) -> Option<Bitset> {
        Some(match filter {
            RowFilter::All => self.stored.clone(),
            RowFilter::Enum { field, set } => {
                let none = Bitset::default();
                self.by_value[*field]
                    .iter()
                    .enumerate()
                    .filter(|(ordinal, _)| set & (1 << ordinal) != 0)
                    .fold(none, |acc, (_, bits)| acc.combine(bits, |a, b| a | b))
            }
            RowFilter::And(parts) => {
                let mut acc = self.stored.clone();
                for part in parts {
                    acc = acc.combine(&self.select(part)?, |a, b| a & b);
                }
                acc
            }
            RowFilter::Or(parts) => {
                let mut acc = Bitset::default();
                for part in parts {
                    acc = acc.combine(&self.select(part)?, |a, b| a | b);
                }
                acc
            }
            RowFilter::Not(inner) => self
                .stored
                .clone()
                .combine(&self.select(inner)?, |a, b| a & !b),
            _ => return None,
        })
    }
}
