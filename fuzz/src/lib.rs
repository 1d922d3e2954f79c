//! The checks the fuzz targets run, one module per target. The same files are
//! compiled into tests/fuzz_corpus.rs, which replays the committed corpus and
//! every past crash on stable, so the replay checks exactly what the fuzzer did.
//!
//! Each `check(data)` takes the raw fuzz input, ignores what is not even the
//! input's format (bytes that are not JSON, say), and panics when a property of
//! the core fails: a panic inside the core, an error that names no field, or a
//! value that does not survive its round trip.

pub mod csv_row;
pub mod filter;
pub mod member_input;
pub mod rest_request;

use universal_members::model::{ErrorCode, MembersError};

/// The fuzz input as JSON, or `None` when it is not (serde_json also refuses
/// invalid UTF-8 and nesting deeper than 128).
pub fn json_of(data: &[u8]) -> Option<serde_json::Value> {
    serde_json::from_slice(data).ok()
}

/// Bad input is `INVALID_ARGUMENT` naming the field at fault, under `root` when
/// one is given (`member` names `member.contact.phones[2]`), and the message says
/// which field it is.
pub fn assert_names_a_field(error: &MembersError, root: Option<&str>) {
    assert_eq!(
        error.code,
        ErrorCode::InvalidArgument,
        "bad input must be INVALID_ARGUMENT: {error:?}"
    );
    assert!(
        !error.violations.is_empty(),
        "the error names no field: {error:?}"
    );
    for violation in &error.violations {
        assert!(
            !violation.field.is_empty(),
            "an empty field name: {error:?}"
        );
        assert!(
            !violation.violated_rule.is_empty(),
            "no rule named: {error:?}"
        );
        if let Some(root) = root {
            assert!(
                violation.field == root
                    || violation.field.starts_with(&format!("{root}."))
                    || violation.field.starts_with(&format!("{root}[")),
                "the field {:?} is not under {root:?}: {error:?}",
                violation.field
            );
        }
    }
    assert!(
        error.message.contains(&error.violations[0].field),
        "the message does not name the field: {error:?}"
    );
}
