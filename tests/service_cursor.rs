//! Cursor paging (SPEC §7, Beyond Wix): every member exactly once, in order,
//! stable under concurrent inserts, and tamper-proof.

mod common;

use common::*;
use serde_json::{json, Value};
use universal_members::api::Operation;
use universal_members::service::Caller;

/// One page through the API: (ids, next cursor, total).
fn page(site: &Site, query: Value) -> (Vec<String>, Option<String>, u64) {
    let reply = site
        .call(
            &Caller::admin(),
            Operation::QueryMembers {
                query,
                search: Value::Null,
                fieldsets: vec![],
            },
        )
        .expect("query runs");
    let ids = reply["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(id_of)
        .collect();
    let next = reply["metadata"]["cursors"]["next"]
        .as_str()
        .map(str::to_string);
    (ids, next, reply["metadata"]["total"].as_u64().unwrap())
}

fn walk(site: &Site, sort: Value, limit: u32) -> Vec<String> {
    let mut seen = Vec::new();
    let (mut ids, mut next, _) = page(site, json!({ "sort": sort, "paging": { "limit": limit } }));
    seen.append(&mut ids);
    while let Some(cursor) = next {
        let (mut ids, after, _) = page(
            site,
            json!({ "sort": sort, "paging": { "limit": limit, "cursor": cursor } }),
        );
        seen.append(&mut ids);
        next = after;
    }
    seen
}

#[test]
fn cursor_pages_return_every_member_once_in_the_offset_order() {
    let site = Site::new();
    for i in 0..23 {
        site.add(
            &format!("m{i}@example.com"),
            if i % 3 == 0 { "Same" } else { "Other" },
        );
    }
    for sort in [
        json!([]),
        json!([{ "fieldName": "profile.nickname", "order": "ASC" }]),
        json!([{ "fieldName": "profile.title", "order": "DESC" }, { "fieldName": "_createdDate" }]),
    ] {
        let by_cursor = walk(&site, sort.clone(), 5);
        let (by_offset, _, _) = page(&site, json!({ "sort": sort, "paging": { "limit": 100 } }));
        assert_eq!(by_cursor, by_offset, "sort {sort}");
    }
}

#[test]
fn the_last_page_has_no_next_cursor_and_the_total_is_the_whole_query() {
    let site = Site::new();
    for i in 0..4 {
        site.add(&format!("m{i}@example.com"), "Ann");
    }
    let (_, next, total) = page(&site, json!({ "paging": { "limit": 3 } }));
    let (ids, last, total_after) = page(
        &site,
        json!({ "paging": { "limit": 3, "cursor": next.unwrap() } }),
    );
    assert_eq!((ids.len(), last, total, total_after), (1, None, 4, 4));
}

#[test]
fn members_added_between_pages_are_not_repeated_and_none_is_skipped() {
    let site = Site::new();
    let originals: Vec<String> = (0..10)
        .map(|i| site.add(&format!("m{i}@example.com"), "Ann"))
        .collect();
    let sort = json!([{ "fieldName": "_createdDate", "order": "ASC" }]);
    let (mut seen, next, _) = page(&site, json!({ "sort": sort, "paging": { "limit": 4 } }));
    // New members sort after every original (later creation date).
    for i in 0..5 {
        site.add(&format!("late{i}@example.com"), "Ann");
    }
    let mut cursor = next;
    while let Some(c) = cursor {
        let (mut ids, after, _) = page(
            &site,
            json!({ "sort": sort, "paging": { "limit": 4, "cursor": c } }),
        );
        seen.append(&mut ids);
        cursor = after;
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "a member was repeated");
    assert!(
        originals.iter().all(|id| seen.contains(id)),
        "a member was skipped"
    );
    assert_eq!(seen.len(), 15);
}

#[test]
fn a_tampered_cursor_or_one_from_another_query_is_refused() {
    let site = Site::new();
    for i in 0..3 {
        site.add(&format!("m{i}@example.com"), "Ann");
    }
    let (_, next, _) = page(&site, json!({ "paging": { "limit": 1 } }));
    let cursor = next.unwrap();
    let mut tampered = cursor.clone();
    let flipped = if tampered.ends_with('A') { 'B' } else { 'A' };
    tampered.pop();
    tampered.push(flipped);
    let query = |paging: Value, filter: Value| Operation::QueryMembers {
        query: json!({ "filter": filter, "paging": paging }),
        search: Value::Null,
        fieldsets: vec![],
    };
    for (paging, filter) in [
        (json!({ "limit": 1, "cursor": tampered }), json!({})),
        (json!({ "limit": 1, "cursor": "not-a-cursor" }), json!({})),
        (
            json!({ "limit": 1, "cursor": cursor }),
            json!({ "profile.nickname": "Ann" }),
        ),
        (
            json!({ "limit": 1, "offset": 2, "cursor": cursor }),
            json!({}),
        ),
    ] {
        expect_invalid(
            site.call(&Caller::admin(), query(paging, filter)),
            "paging.cursor",
        );
    }
}

#[test]
fn cursors_refuse_a_custom_field_sort() {
    let site = Site::new();
    site.add("a@example.com", "Ann");
    site.add("b@example.com", "Bob");
    let (_, next, _) = page(&site, json!({ "paging": { "limit": 1 } }));
    let sort = json!([{ "fieldName": "contact.customFields.score.value" }]);
    let result = site.call(
        &Caller::admin(),
        Operation::QueryMembers {
            query: json!({ "sort": sort, "paging": { "limit": 1, "cursor": next.unwrap_or_default() } }),
            search: Value::Null,
            fieldsets: vec![],
        },
    );
    expect_invalid(result, "contact.customFields.score.value");
}
