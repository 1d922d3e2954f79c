//! A filter compiled once per query into tests on a member's compact row
//! (`Row`): enum conditions become a set of ordinals, text equality and the text
//! operators read the row's text as stored or folded (substrings with `memchr`).
//! What it does not compile it evaluates as `Filter::matches` does, so a compiled
//! filter matches exactly the members its filter matches.

use super::field::{Field, Scalar};
use super::filter::{Condition, Filter};
use super::row::{enum_index, ordinal_of, text_index, Row};
use memchr::memmem::Finder;

/// A filter as tests on a row.
#[derive(Debug, Clone)]
pub enum RowFilter {
    All,
    And(Vec<RowFilter>),
    Or(Vec<RowFilter>),
    Not(Box<RowFilter>),
    /// Enum field number `field` of the row holds one of the ordinals in `set`
    /// (bit `n` for ordinal `n`).
    Enum {
        field: usize,
        set: u8,
    },
    /// Text field number `field`, as stored, is `value`.
    TextEq {
        field: usize,
        value: String,
    },
    /// The folded text field number `field` starts with the (folded) pattern.
    StartsWith {
        field: usize,
        prefix: String,
    },
    /// The folded text field number `field` ends with the (folded) pattern.
    EndsWith {
        field: usize,
        suffix: String,
    },
    /// The folded text field number `field` contains the (folded) pattern.
    Contains {
        field: usize,
        pattern: String,
        finder: Box<Finder<'static>>,
    },
    /// Any other condition, on the member itself.
    Member(Field, Condition),
}

impl RowFilter {
    /// Compiles `filter`.
    pub fn compile(filter: &Filter) -> RowFilter {
        // Cheapest test first: `$and` and `$or` stop at the first that decides.
        let all = |parts: &[Filter]| {
            let mut parts: Vec<RowFilter> = parts.iter().map(RowFilter::compile).collect();
            parts.sort_by_key(RowFilter::cost);
            parts
        };
        match filter {
            Filter::All => RowFilter::All,
            Filter::And(parts) => RowFilter::And(all(parts)),
            Filter::Or(parts) => RowFilter::Or(all(parts)),
            Filter::Not(inner) => RowFilter::Not(Box::new(RowFilter::compile(inner))),
            Filter::Match(field, condition) => compile_condition(field, condition)
                .unwrap_or_else(|| RowFilter::Member(field.clone(), condition.clone())),
        }
    }

    /// About how much a test costs, to try cheap ones first (the order of tests
    /// does not change what matches: none has side effects).
    fn cost(&self) -> u32 {
        match self {
            RowFilter::All | RowFilter::Enum { .. } => 0,
            RowFilter::TextEq { .. } => 1,
            RowFilter::StartsWith { .. } | RowFilter::EndsWith { .. } => 2,
            RowFilter::Contains { .. } => 3,
            RowFilter::Member(..) => 4,
            RowFilter::And(parts) | RowFilter::Or(parts) => parts.iter().map(Self::cost).sum(),
            RowFilter::Not(inner) => inner.cost(),
        }
    }

    /// True when the member (`row` is its row) matches.
    pub fn matches(&self, row: &impl Row) -> bool {
        match self {
            RowFilter::All => true,
            RowFilter::And(parts) => parts.iter().all(|f| f.matches(row)),
            RowFilter::Or(parts) => parts.iter().any(|f| f.matches(row)),
            RowFilter::Not(inner) => !inner.matches(row),
            RowFilter::Enum { field, set } => set & (1 << row.enum_at(*field)) != 0,
            RowFilter::StartsWith { field, prefix } => row
                .folded_at(*field)
                .is_some_and(|text| text.starts_with(prefix.as_str())),
            RowFilter::EndsWith { field, suffix } => row
                .folded_at(*field)
                .is_some_and(|text| text.ends_with(suffix.as_str())),
            RowFilter::TextEq { field, value } => row.text_at(*field) == Some(value.as_str()),
            RowFilter::Contains {
                field,
                pattern,
                finder,
            } => row
                .folded_at(*field)
                .is_some_and(|text| contains(text, pattern, finder)),
            RowFilter::Member(field, condition) => row
                .member()
                .is_some_and(|member| condition.holds(&field.value_of(member))),
        }
    }
}

/// The row test for one condition, when the row holds what it reads.
fn compile_condition(field: &Field, condition: &Condition) -> Option<RowFilter> {
    if let Some(index) = enum_index(field) {
        let ordinals = |values: &[Scalar]| {
            values.iter().fold(0u8, |set, value| match value {
                Scalar::Text(name) => ordinal_of(field, name).map_or(set, |n| set | 1 << n),
                _ => set,
            })
        };
        let set = match condition {
            Condition::Eq(Some(value)) => ordinals(std::slice::from_ref(value)),
            Condition::Ne(Some(value)) => !ordinals(std::slice::from_ref(value)),
            Condition::In(values) | Condition::HasSome(values) => ordinals(values),
            Condition::Nin(values) => !ordinals(values),
            _ => return None,
        };
        return Some(RowFilter::Enum { field: index, set });
    }
    let index = text_index(field)?;
    Some(match condition {
        Condition::Eq(Some(Scalar::Text(value))) => RowFilter::TextEq {
            field: index,
            value: value.to_string(),
        },
        Condition::StartsWith(prefix) => RowFilter::StartsWith {
            field: index,
            prefix: prefix.clone(),
        },
        Condition::EndsWith(suffix) => RowFilter::EndsWith {
            field: index,
            suffix: suffix.clone(),
        },
        Condition::Contains(pattern) => RowFilter::Contains {
            field: index,
            pattern: pattern.clone(),
            finder: Box::new(Finder::new(pattern.as_bytes()).into_owned()),
        },
        _ => return None,
    })
}

/// Whether `text` contains `pattern`: short texts (names, titles) by `memchr` of
/// the pattern's first byte and a compare, which is faster there than setting up
/// the `memmem` searcher; longer ones by the searcher.
fn contains(text: &str, pattern: &str, finder: &Finder) -> bool {
    let (text, pattern) = (text.as_bytes(), pattern.as_bytes());
    let Some((&first, rest)) = pattern.split_first() else {
        return true;
    };
    if text.len() > 64 {
        return finder.find(text).is_some();
    }
    memchr::memchr_iter(first, text).any(|at| text[at + 1..].starts_with(rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Member;
    use crate::query::row::OwnedRow;
    use serde_json::json;

    fn member(nickname: &str, status: &str) -> Member {
        serde_json::from_value(json!({
            "_id": "00000000-0000-4000-8000-000000000001",
            "loginEmail": "ann@example.com",
            "status": status,
            "contactId": "00000000-0000-4000-9000-000000000001",
            "contact": {},
            "profile": { "nickname": nickname, "slug": "ann" },
            "privacyStatus": "PUBLIC",
            "activityStatus": "ACTIVE",
            "_createdDate": "2024-01-01T00:00:00Z",
            "_updatedDate": "2024-01-01T00:00:00Z",
            "revision": 1
        }))
        .expect("a member")
    }

    #[test]
    fn a_compiled_filter_matches_what_the_filter_matches() {
        let members = [
            member("ZOË Ünal", "APPROVED"),
            member("ann", "BLOCKED"),
            member("", "PENDING"),
            member(&"Ann ann ".repeat(12), "APPROVED"),
        ];
        for filter in [
            json!({ "status": { "$in": ["BLOCKED", "PENDING"] } }),
            json!({ "status": { "$nin": ["BLOCKED"] } }),
            json!({ "status": { "$ne": "APPROVED" } }),
            json!({ "status": "APPROVED", "privacyStatus": "PUBLIC" }),
            json!({ "profile.nickname": { "$startsWith": "zoë" } }),
            json!({ "profile.nickname": { "$endsWith": "NAL" } }),
            json!({ "profile.nickname": { "$contains": "ë ü" } }),
            json!({ "profile.nickname": { "$contains": "" } }),
            json!({ "profile.title": { "$contains": "a" } }),
            json!({ "profile.nickname": "ann" }),
            json!({ "profile.nickname": "Ann" }),
            json!({ "profile.nickname": "" }),
            json!({ "profile.nickname": { "$contains": "ann ann ann ann ann ann ann ann ann ann ann ann ann ann" } }),
            json!({ "$not": { "$or": [{ "profile.nickname": "ann" }, { "activityStatus": "MUTED" }] } }),
        ] {
            let parsed = Filter::parse(&filter).unwrap();
            let compiled = RowFilter::compile(&parsed);
            for m in &members {
                let row = OwnedRow::of(m);
                assert_eq!(
                    compiled.matches(&row),
                    parsed.matches(m),
                    "{filter} on {m:?}"
                );
            }
        }
    }
}
