//! The two namings of SPEC §1: SDK (`_id`, `_createdDate`) for JS and REST (`id`,
//! `createdDate`) for the wire.
//!
//! The core speaks SDK naming; the REST codec renames at the edge with these two
//! functions. Custom field keys are user data and are never renamed.

use serde_json::Value;

/// SDK name → REST name for the keys that differ.
const RENAMES: [(&str, &str); 3] = [
    ("_id", "id"),
    ("_createdDate", "createdDate"),
    ("_updatedDate", "updatedDate"),
];

fn rename_keys(value: &mut Value, to_rest: bool) {
    match value {
        Value::Object(map) => {
            // Only the few keys that change leave the map and come back under
            // their new name; the rest stay where they are (every reply goes
            // through here, and re-inserting each key was most of its cost).
            let mut renames = Vec::new();
            for (key, inner) in map.iter_mut() {
                if key == "customFields" {
                    continue;
                }
                rename_keys(inner, to_rest);
                let renamed = RENAMES.iter().find_map(|(sdk, rest)| {
                    let (from, to) = if to_rest { (sdk, rest) } else { (rest, sdk) };
                    (key == *from).then_some(*to)
                });
                if let Some(to) = renamed {
                    renames.push((key.clone(), to));
                }
            }
            for (from, to) in renames {
                if let Some(inner) = map.remove(&from) {
                    map.insert(to.to_string(), inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rename_keys(item, to_rest)),
        _ => {}
    }
}

/// Renames SDK keys to REST keys, in place, at every depth.
pub fn to_rest_naming(value: &mut Value) {
    rename_keys(value, true);
}

/// Renames REST keys to SDK keys, in place, at every depth.
pub fn to_sdk_naming(value: &mut Value) {
    rename_keys(value, false);
}

/// A field path in REST naming (`createdDate`) as the SDK names it (`_createdDate`).
pub fn field_to_sdk(path: &str) -> String {
    RENAMES
        .iter()
        .find(|(_, rest)| *rest == path)
        .map_or_else(|| path.to_string(), |(sdk, _)| sdk.to_string())
}

/// A struct field's name as REST names it (`_id` → `id`; the rest unchanged).
pub fn rest_field(sdk: &'static str) -> &'static str {
    RENAMES
        .iter()
        .find(|(from, _)| *from == sdk)
        .map_or(sdk, |(_, rest)| rest)
}

/// A field path in SDK naming as REST names it.
pub fn field_to_rest(path: &str) -> String {
    RENAMES
        .iter()
        .find(|(sdk, _)| *sdk == path)
        .map_or_else(|| path.to_string(), |(_, rest)| rest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_ids_are_renamed_but_custom_field_keys_are_not() {
        let mut member = json!({
            "_id": "1", "_createdDate": "d",
            "profile": { "photo": { "_id": "p" } },
            "contact": { "addresses": [{ "_id": "a" }], "customFields": { "_id": { "value": 1 } } }
        });
        to_rest_naming(&mut member);
        assert_eq!(member["id"], "1");
        assert_eq!(member["createdDate"], "d");
        assert_eq!(member["profile"]["photo"]["id"], "p");
        assert_eq!(member["contact"]["addresses"][0]["id"], "a");
        assert_eq!(member["contact"]["customFields"]["_id"]["value"], 1);
        to_sdk_naming(&mut member);
        assert_eq!(member["_id"], "1");
        assert_eq!(member["profile"]["photo"]["_id"], "p");
    }

    #[test]
    fn field_paths_translate_both_ways() {
        assert_eq!(field_to_sdk("createdDate"), "_createdDate");
        assert_eq!(field_to_rest("_id"), "id");
        assert_eq!(field_to_rest("profile.nickname"), "profile.nickname");
    }
}
