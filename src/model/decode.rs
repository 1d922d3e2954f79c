//! Decoding caller JSON into typed input, with errors that name the exact field.
//!
//! Owns the translation of serde's messages into `INVALID_ARGUMENT` with a dotted
//! path (`member.contact.phones[2]`). Every input of every call goes through here.

use super::error::{MembersError, MembersResult};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes `value` as `T`; `root` is the name of the argument (e.g. `member`).
pub fn decode<T: DeserializeOwned>(value: Value, root: &str) -> MembersResult<T> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let inner = error.inner().to_string();
        let mut field = join_path(root, &error.path().to_string());
        // The path already ends at an unknown key, so the message names the typo.
        if inner.starts_with("unknown field `") {
            return MembersError::invalid_field(
                &field,
                "UNKNOWN_FIELD",
                "is not a known field (check the spelling)",
            );
        }
        if let Some(name) = inner
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            field = join_path(&field, name);
            return MembersError::invalid_field(&field, "REQUIRED_FIELD", "is required");
        }
        MembersError::invalid_field(&field, "TYPE", inner)
    })
}

/// Joins a root name and a serde path, skipping empty parts and serde's `.` for "here".
pub fn join_path(root: &str, path: &str) -> String {
    let path = path.trim_start_matches('.');
    match (root.is_empty(), path.is_empty() || path == "?") {
        (true, _) => path.to_string(),
        (false, true) => root.to_string(),
        (false, false) if path.starts_with('[') => format!("{root}{path}"),
        (false, false) => format!("{root}.{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        phones: Vec<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        contact: Inner,
    }

    #[test]
    fn a_wrong_type_names_the_nested_field() {
        let error =
            decode::<Outer>(json!({ "contact": { "phones": ["1", 2] } }), "member").unwrap_err();
        assert_eq!(error.violations[0].field, "member.contact.phones[1]");
    }

    #[test]
    fn an_unknown_field_is_named_in_the_error() {
        let error = decode::<Outer>(
            json!({ "contact": { "phones": [], "phonse": [] } }),
            "member",
        )
        .unwrap_err();
        assert_eq!(error.violations[0].field, "member.contact.phonse");
        assert_eq!(error.violations[0].violated_rule, "UNKNOWN_FIELD");
    }
}
