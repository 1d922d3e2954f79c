//! What a filter reads of a member, compact: the enum fields as small ordinals and
//! the searchable text fields as stored and folded (once, when the member is
//! stored), so a scan neither reads enum names nor folds text per query. `Row` is
//! how the evaluator reads it; `MemberRow` is one member's row, owned (the memory
//! store keeps rows as columns instead).
//!
//! A row only mirrors its member; every rule of matching stays in `compiled` and
//! `filter`.

use super::field::{Field, FieldKind, FieldValue, Scalar};
use crate::model::text::fold;
use crate::model::Member;

/// The text fields a row keeps, as stored and folded: what text equality,
/// `startsWith`, `endsWith`, `contains` and search read.
pub const TEXT_FIELDS: [Field; 6] = [
    Field::LoginEmail,
    Field::FirstName,
    Field::LastName,
    Field::Nickname,
    Field::Slug,
    Field::Title,
];

/// The enum fields a row keeps as ordinals (their place in the field's names).
pub const ENUM_FIELDS: [Field; 3] = [Field::Status, Field::PrivacyStatus, Field::ActivityStatus];

/// Read access to one member's row.
pub trait Row {
    /// The ordinal of enum field number `index` of `ENUM_FIELDS`.
    fn enum_at(&self, index: usize) -> u8;
    /// Text field number `index` of `TEXT_FIELDS` as stored; `None` when missing.
    fn text_at(&self, index: usize) -> Option<&str>;
    /// The same, folded.
    fn folded_at(&self, index: usize) -> Option<&str>;
    /// The whole member, for the tests a row does not cover.
    fn member(&self) -> Option<&Member>;
}

/// One member's row, owned, with its member.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedRow<'a> {
    pub row: MemberRow,
    pub member: &'a Member,
}

impl<'a> OwnedRow<'a> {
    /// The row of `member`.
    pub fn of(member: &'a Member) -> OwnedRow<'a> {
        OwnedRow {
            row: MemberRow::of(member),
            member,
        }
    }
}

impl Row for OwnedRow<'_> {
    fn enum_at(&self, index: usize) -> u8 {
        self.row.enums[index]
    }

    fn text_at(&self, index: usize) -> Option<&str> {
        self.row.texts[index].as_deref()
    }

    fn folded_at(&self, index: usize) -> Option<&str> {
        self.row.folded[index].as_deref()
    }

    fn member(&self) -> Option<&Member> {
        Some(self.member)
    }
}

/// One member's row, owned.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    /// Ordinals of `ENUM_FIELDS`, in that order.
    pub enums: [u8; 3],
    /// Each of `TEXT_FIELDS` as stored, in that order; `None` when missing.
    pub texts: [Option<String>; 6],
    /// `fold` of each of `texts`.
    pub folded: [Option<String>; 6],
}

impl MemberRow {
    /// The row of `member`.
    pub fn of(member: &Member) -> MemberRow {
        let texts = TEXT_FIELDS.map(|field| match field.value_of(member) {
            FieldValue::One(Scalar::Text(text)) => Some(text.into_owned()),
            _ => None,
        });
        MemberRow {
            enums: ENUM_FIELDS.map(|field| enum_ordinal(&field, member)),
            folded: texts.clone().map(|text| text.as_deref().map(fold)),
            texts,
        }
    }
}

/// Where `field` is in `ENUM_FIELDS`.
pub fn enum_index(field: &Field) -> Option<usize> {
    ENUM_FIELDS.iter().position(|f| f == field)
}

/// Where `field` is in `TEXT_FIELDS`.
pub fn text_index(field: &Field) -> Option<usize> {
    TEXT_FIELDS.iter().position(|f| f == field)
}

/// The place of `name` among an enum field's names.
pub fn ordinal_of(field: &Field, name: &str) -> Option<u8> {
    match field.kind() {
        FieldKind::Enum(names) => names.iter().position(|n| *n == name).map(|i| i as u8),
        _ => None,
    }
}

/// The ordinal of an enum field's value on `member` (0, `UNKNOWN`, if not one).
fn enum_ordinal(field: &Field, member: &Member) -> u8 {
    match field.value_of(member) {
        FieldValue::One(Scalar::Text(name)) => ordinal_of(field, &name).unwrap_or(0),
        _ => 0,
    }
}
