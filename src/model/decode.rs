//! Decoding caller JSON into typed input, with errors that name the exact field.
//!
//! Owns the translation of serde's messages into `INVALID_ARGUMENT` with a dotted
//! path (`member.contact.phones[2]`). Every input of every call goes through here.

use super::error::{MembersError, MembersResult};
use serde::de::{DeserializeOwned, DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde::Deserializer;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

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

/// Parses JSON text sent by a caller (a request body); `root` names it in errors
/// about the text as a whole. Unlike `serde_json::from_str`, a key twice in one
/// object is refused naming it as other fields are (`member.loginEmail`), instead of the last one silently winning: a proxy or
/// a log that reads the first would see another request than the one served.
pub fn parse_json_text(text: &str, root: &str) -> MembersResult<Value> {
    let duplicate = RefCell::new(None);
    let mut parser = serde_json::Deserializer::from_str(text);
    let parsed = Strict {
        path: "",
        duplicate: &duplicate,
    }
    .deserialize(&mut parser)
    .and_then(|value| parser.end().map(|()| value));
    parsed.map_err(|error| match duplicate.into_inner() {
        Some(field) => MembersError::invalid_field(
            if field.is_empty() { root } else { &field },
            "DUPLICATE_KEY",
            "is given twice in one object; send it once",
        ),
        None => MembersError::invalid_field(root, "FORMAT", format!("is not valid JSON: {error}")),
    })
}

/// A JSON value at `path` whose objects may not repeat a key; the first repeated
/// key's path goes to `duplicate`.
struct Strict<'a> {
    path: &'a str,
    duplicate: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Strict {
            path: &format!("{}[{}]", self.path, items.len()),
            duplicate: self.duplicate,
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = join_path(self.path, &key);
            if object.contains_key(&key) {
                *self.duplicate.borrow_mut() = Some(path);
                return Err(A::Error::custom("duplicate key"));
            }
            let value = map.next_value_seed(Strict {
                path: &path,
                duplicate: self.duplicate,
            })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
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
    fn a_key_twice_in_one_object_is_refused_naming_it() {
        let error = parse_json_text(
            r#"{"member":{"loginEmail":"a@x.com","loginEmail":"b@x.com"}}"#,
            "body",
        )
        .unwrap_err();
        assert_eq!(error.violations[0].field, "member.loginEmail");
        assert_eq!(error.violations[0].violated_rule, "DUPLICATE_KEY");
        let error = parse_json_text(r#"[{"a":1},{"b":1,"b":2}]"#, "body").unwrap_err();
        assert_eq!(error.violations[0].field, "[1].b");
    }

    #[test]
    fn json_text_parses_as_serde_does_otherwise() {
        let text = r#"{"a":[1,-2,3.5,"x",null,true,{"b":{}}],"c":18446744073709551615}"#;
        assert_eq!(
            parse_json_text(text, "body").unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
        for bad in ["{", "[1,]", "{\"a\":1} x", "NaN", "\"\\ud800\""] {
            let error = parse_json_text(bad, "body").unwrap_err();
            assert_eq!(error.violations[0].field, "body", "{bad}");
            assert_eq!(error.violations[0].violated_rule, "FORMAT", "{bad}");
        }
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_json_text(&deep, "body")
            .unwrap_err()
            .message
            .contains("recursion"));
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
