//! Runs the query cases of tests/conformance/*.json against the memory store.
//!
//! The cases are data (members, caller, query, expected ids in order) so every
//! store runs the same files unchanged: only `fresh_store` differs per store.

use serde_json::Value;
use std::fs;
use universal_members::api::{dispatch, Operation, Reply};
use universal_members::model::{EventKind, Member, MemberEvent, MemberId, Timestamp};
use universal_members::service::{Caller, Engine, SitePolicy};
use universal_members::store::{MemoryStore, Store};

fn caller_of(value: &Value) -> Caller {
    match value {
        Value::String(s) if s == "admin" => Caller::admin(),
        Value::String(s) if s == "visitor" => Caller::Visitor,
        Value::Object(map) => {
            let id = map["member"].as_str().expect("caller.member is a string");
            Caller::Member(MemberId::parse(id, "caller.member").expect("caller id is a UUID"))
        }
        other => panic!("unknown caller {other}"),
    }
}

/// Runs one file; returns the failures, each described.
fn run_file(path: &std::path::Path) -> (usize, Vec<String>) {
    let text = fs::read_to_string(path).expect("case file is readable");
    let file: Value = serde_json::from_str(&text).expect("case file is JSON");
    let engine = Engine::new(
        MemoryStore::new(),
        SitePolicy::default(),
        Box::new(|| Timestamp(0)),
    );
    for member in file["members"].as_array().expect("members array") {
        let member: Member = serde_json::from_value(member.clone()).expect("seed member parses");
        let event = MemberEvent::of_change(
            EventKind::Created,
            None,
            Some(&member),
            serde_json::json!({ "identityType": "ADMIN" }),
            Timestamp(0),
        )
        .expect("seed event");
        pollster::block_on(engine.store().insert(&member, &event)).expect("seed member is stored");
    }
    let mut failures = Vec::new();
    let cases = file["cases"].as_array().expect("cases array");
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        let query = &case["query"];
        let operation = Operation::QueryMembers {
            query: serde_json::json!({
                "filter": query["filter"], "sort": query["sort"], "paging": query["paging"],
            }),
            search: query["search"].clone(),
            fieldsets: Vec::new(),
        };
        let caller = caller_of(&case["caller"]);
        let result = pollster::block_on(dispatch(&engine, &caller, operation));
        let expect = &case["expect"];
        match (result, expect.get("error")) {
            (Ok(Reply::Page(page)), None) => {
                let ids: Vec<Value> = page
                    .members
                    .iter()
                    .map(|m| Value::from(m.id().as_str()))
                    .collect();
                if ids != *expect["ids"].as_array().expect("expect.ids") {
                    failures.push(format!("{name}: ids {ids:?}, expected {}", expect["ids"]));
                }
                if page.total != expect["totalCount"].as_u64().expect("expect.totalCount") {
                    failures.push(format!(
                        "{name}: total {}, expected {}",
                        page.total, expect["totalCount"]
                    ));
                }
            }
            (Err(error), Some(code)) => {
                let named = error
                    .violations
                    .first()
                    .map(|v| v.field.clone())
                    .or_else(|| error.data["field"].as_str().map(str::to_string))
                    .unwrap_or_default();
                if error.code.as_str() != code {
                    failures.push(format!(
                        "{name}: error {} ({}), expected {code}",
                        error.code.as_str(),
                        error.message
                    ));
                } else if let Some(field) = expect["field"].as_str() {
                    if named != field && !error.message.contains(field) {
                        failures.push(format!(
                            "{name}: error names {named:?} ({}), expected {field:?}",
                            error.message
                        ));
                    }
                }
            }
            (Ok(reply), Some(code)) => {
                failures.push(format!("{name}: got {reply:?}, expected error {code}"))
            }
            (Err(error), None) => {
                failures.push(format!("{name}: unexpected error {}", error.message))
            }
            (Ok(reply), None) => failures.push(format!("{name}: unexpected reply {reply:?}")),
        }
    }
    (cases.len(), failures)
}

#[test]
fn memory_store_passes_every_conformance_case() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut total = 0;
    let mut failures = Vec::new();
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .expect("conformance dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    for path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let (count, file_failures) = run_file(path);
        total += count;
        let file = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        failures.extend(file_failures.into_iter().map(|f| format!("{file}: {f}")));
    }
    assert!(total >= 40, "only {total} conformance cases found");
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
