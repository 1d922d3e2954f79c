//! importRows (SPEC §13): CSV rows and whole members checked like createMember,
//! conflicts by login email and id (stored or earlier in the batch), skip /
//! update / error, dry runs, one created event per imported member, and CSV
//! export rows that import back unchanged.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use universal_members::model::csv_columns::{column_of, export_header, row_of_member};
use universal_members::model::Member;
use universal_members::service::Caller;

const ID: &str = "0b6f1c7e-2a43-4d55-9b1e-5a8e3f2c9d10";

fn header() -> Vec<&'static str> {
    vec![
        "Email",
        "First Name",
        "name",
        "status",
        "birthdate",
        "customFields.plan",
        "note",
    ]
}

fn csv(site: &Site, rows: Value, options: Value) -> Vec<Value> {
    let mut options = options;
    options["format"] = json!("csv");
    if options.get("header").is_none() {
        options["header"] = json!(header());
    }
    let reply = block_on(site.engine.import_rows(&Caller::admin(), rows, options))
        .unwrap_or_else(|e| panic!("importRows failed: {e:?}"));
    reply["results"].as_array().expect("results").clone()
}

fn outcomes(results: &[Value]) -> Vec<&str> {
    results
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect()
}

fn row(email: &str, nickname: &str) -> Value {
    json!([email, "", nickname, "", "", "", ""])
}

#[test]
fn good_rows_are_created_with_their_fields_and_one_event_each() {
    let site = Site::new();
    let results = csv(
        &site,
        json!([
            [
                "ann@example.com",
                "Ann",
                "Annie",
                "pending",
                "1990-02-01",
                "42",
                "likes tea"
            ],
            ["bob@example.com", "Bob", "", "", "", "gold", ""],
        ]),
        json!({}),
    );
    assert_eq!(outcomes(&results), ["created", "created"]);
    let ann = site.full(results[0]["id"].as_str().unwrap());
    assert_eq!(ann["contact"]["firstName"], "Ann");
    assert_eq!(ann["profile"]["nickname"], "Annie");
    assert_eq!(ann["profile"]["slug"], "annie");
    assert_eq!(ann["status"], "PENDING");
    assert_eq!(ann["contact"]["birthdate"], "1990-02-01");
    assert_eq!(ann["contact"]["customFields"]["plan"]["value"], 42);
    assert_eq!(ann["contact"]["customFields"]["note"]["value"], "likes tea");
    let bob = site.full(results[1]["id"].as_str().unwrap());
    assert_eq!(
        bob["status"], "APPROVED",
        "the site policy when no status is given"
    );
    assert_eq!(bob["contact"]["customFields"]["plan"]["value"], "gold");
    assert_eq!(site.event_slugs(), ["created", "created"]);
}

#[test]
fn bad_rows_fail_with_the_messages_of_create_member_and_the_rest_are_stored() {
    let site = Site::new();
    let long = "x".repeat(300);
    let results = csv(
        &site,
        json!([
            ["not-an-email", "", "", "", "", "", ""],
            ["a@example.com", "", long, "", "", "", ""],
            ["b@example.com", "", "", "", "1990-02-30", "", ""],
            ["c@example.com", "", "", "ACTIVE", "", "", ""],
            ["", "", "Nobody", "", "", "", ""],
            ["d@example.com", "", "", "", "", "", ""],
        ]),
        json!({}),
    );
    assert_eq!(
        outcomes(&results),
        ["failed", "failed", "failed", "failed", "failed", "created"]
    );
    let create_error = |member: Value| {
        error_of(block_on(
            site.engine.create_member(&Caller::admin(), member),
        ))
        .message
    };
    assert_eq!(
        results[0]["error"],
        create_error(json!({ "loginEmail": "not-an-email" }))
    );
    assert_eq!(
        results[1]["error"],
        create_error(json!({ "loginEmail": "z@example.com", "profile": { "nickname": long } }))
    );
    assert_eq!(
        results[2]["error"],
        create_error(
            json!({ "loginEmail": "z@example.com", "contact": { "birthdate": "1990-02-30" } })
        )
    );
    assert_eq!(
        results[3]["error"],
        "member.status: \"ACTIVE\" is not one of UNKNOWN, PENDING, APPROVED, BLOCKED, OFFLINE"
    );
    assert_eq!(results[4]["error"], "member.loginEmail: is required");
    assert_eq!(site.total(), 1);
}

#[test]
fn an_email_already_stored_or_earlier_in_the_batch_is_skipped_by_default() {
    let site = Site::new();
    let stored = site.add("Ann+Tag@Example.com", "Ann");
    let results = csv(
        &site,
        json!([
            row("ann+tag@example.com", "Other"),
            row("Bob@Example.com", "Bob"),
            row("bob@example.COM", "Bobby"),
        ]),
        json!({}),
    );
    assert_eq!(outcomes(&results), ["skipped", "created", "skipped"]);
    assert_eq!(results[0]["id"], stored.as_str());
    assert_eq!(results[2]["id"], results[1]["id"]);
    assert_eq!(
        site.full(&stored)["profile"]["nickname"],
        "Ann",
        "left alone"
    );
    assert_eq!(site.total(), 2);
}

#[test]
fn update_patches_the_stored_member_and_fires_an_updated_event() {
    let site = Site::new();
    let stored = site.add("ann@example.com", "Ann");
    site.clear_events();
    let results = csv(
        &site,
        json!([
            ["ANN@example.com", "Annabel", "", "BLOCKED", "", "", ""],
            ["ann@example.com", "Annabel", "", "", "", "", ""],
        ]),
        json!({ "onConflict": "update" }),
    );
    assert_eq!(
        outcomes(&results),
        ["updated", "skipped"],
        "the second changes nothing"
    );
    let ann = site.full(&stored);
    assert_eq!(ann["contact"]["firstName"], "Annabel");
    assert_eq!(
        ann["profile"]["nickname"], "Ann",
        "an empty cell keeps the value"
    );
    assert_eq!(
        ann["status"], "APPROVED",
        "status is not patched, like updateMember"
    );
    assert_eq!(site.event_slugs(), ["updated"]);
}

#[test]
fn error_mode_reports_conflicts_as_such() {
    let site = Site::new();
    site.add("ann@example.com", "Ann");
    let results = csv(
        &site,
        json!([
            row("ann@example.com", ""),
            row("bob@example.com", ""),
            row("BOB@example.com", "")
        ]),
        json!({ "onConflict": "error", "dryRun": true }),
    );
    assert_eq!(outcomes(&results), ["failed", "created", "failed"]);
    assert_eq!(results[0]["conflict"], true);
    assert_eq!(results[2]["conflict"], true);
    assert!(results[1].get("conflict").is_none());
    assert_eq!(site.total(), 1);
}

#[test]
fn a_dry_run_reports_the_same_outcomes_and_stores_nothing() {
    let site = Site::new();
    site.add("ann@example.com", "Ann");
    site.clear_events();
    let rows = json!([
        row("ann@example.com", "X"),
        row("bob@example.com", ""),
        row("bad", "")
    ]);
    let dry = csv(
        &site,
        rows.clone(),
        json!({ "dryRun": true, "onConflict": "update" }),
    );
    assert_eq!(outcomes(&dry), ["updated", "created", "failed"]);
    assert_eq!(site.total(), 1);
    assert!(site.events().is_empty());
    let real = csv(&site, rows, json!({ "onConflict": "update" }));
    assert_eq!(outcomes(&real), outcomes(&dry));
    assert_eq!(site.total(), 2);
}

#[test]
fn an_id_is_kept_and_one_that_belongs_to_another_member_fails_the_row() {
    let site = Site::new();
    let header = json!(["id", "email"]);
    let results = csv(
        &site,
        json!([[ID, "ann@example.com"]]),
        json!({ "header": header }),
    );
    assert_eq!(outcomes(&results), ["created"]);
    assert_eq!(results[0]["id"], ID);
    let again = csv(
        &site,
        json!([[ID, "bob@example.com"], ["not-a-uuid", "carl@example.com"]]),
        json!({ "header": header }),
    );
    assert_eq!(outcomes(&again), ["failed", "failed"]);
    assert!(again[0]["error"]
        .as_str()
        .unwrap()
        .contains("already exists"));
    assert!(again[1]["error"]
        .as_str()
        .unwrap()
        .starts_with("member._id:"));
    assert_eq!(site.total(), 1);
}

#[test]
fn generated_slugs_are_free_across_the_batch_and_the_store() {
    let site = Site::new();
    site.add("x@example.com", "Ann");
    let results = csv(
        &site,
        json!([row("a@example.com", "Ann"), row("b@example.com", "Ann")]),
        json!({}),
    );
    let slugs: Vec<Value> = results
        .iter()
        .map(|r| site.full(r["id"].as_str().unwrap())["profile"]["slug"].clone())
        .collect();
    assert_eq!(slugs, [json!("ann-2"), json!("ann-3")]);
}

#[test]
fn unknown_headers_are_refused_by_name_before_anything_is_written() {
    let site = Site::new();
    let error = error_of(block_on(site.engine.import_rows(
        &Caller::admin(),
        json!([["a@example.com", "x"]]),
        json!({ "format": "csv", "header": ["email", "favourite colour"] }),
    )));
    assert!(
        error.message.contains("\"favourite colour\""),
        "{}",
        error.message
    );
    assert_eq!(site.total(), 0);
    let results = csv(
        &site,
        json!([["a@example.com", "x", "true"]]),
        json!({ "header": ["email", "favourite colour", "subscribed_to_emails"], "ignoreUnknown": true }),
    );
    assert_eq!(outcomes(&results), ["created"]);
}

#[test]
fn only_admins_may_import() {
    let site = Site::new();
    let id = site.add("ann@example.com", "Ann");
    expect_denied(block_on(site.engine.import_rows(
        &member(&id),
        json!([]),
        json!({ "format": "member" }),
    )));
}

#[test]
fn exported_csv_rows_import_back_into_an_empty_store_unchanged() {
    let source = Site::new();
    let id = source.add("ann@example.com", "Ann");
    source.admin_update(
        &id,
        json!({ "contact": {
            "firstName": " Ann ", "phones": ["+1 555 0100", "555-0101"], "emails": ["a@b.co"],
            "addresses": [{ "city": "Oslo", "country": "NO" }],
            "customFields": { "n": { "value": 7 }, "s": { "value": "42" }, "t": { "value": "tea, with milk\nhot" },
                              "o": { "value": { "a": [1, null] } } } },
          "profile": { "title": "Dr", "photo": { "url": "https://x.test/p.png", "width": 10 } } }),
    );
    source.create(
        json!({ "loginEmail": "bob@example.com", "privacyStatus": "PRIVATE",
        "contact": { "customFields": { "n": { "name": "Number", "value": true } } } }),
    );
    let members = source.all();
    let keys: BTreeSet<String> = members
        .iter()
        .flat_map(|m| m.contact.custom_fields.keys().cloned())
        .collect();
    let header = export_header(&keys);
    let columns: Vec<_> = header.iter().map(|h| column_of(h).unwrap()).collect();
    let rows: Vec<Vec<String>> = members
        .iter()
        .map(|m| row_of_member(m, &columns).unwrap())
        .collect();
    let target = Site::new();
    let results = csv(&target, json!(rows), json!({ "header": header }));
    assert_eq!(outcomes(&results), ["created", "created"]);
    for before in &members {
        let after = target
            .stored(before.id.as_str())
            .expect("imported with its id");
        // A new member here: its revision (never shown) starts again at 1.
        assert_eq!(after.revision, 1);
        assert_eq!(
            Member {
                revision: before.revision,
                ..after
            },
            *before
        );
    }
    // Whole members (JSONL, JSON) too.
    let whole = Site::new();
    let views: Vec<Value> = members.iter().map(|m| source.full(m.id.as_str())).collect();
    let reply = block_on(whole.engine.import_rows(
        &Caller::admin(),
        json!(views),
        json!({ "format": "member" }),
    ))
    .unwrap();
    assert_eq!(reply["results"][1]["outcome"], "created");
    for before in &members {
        let after = whole.stored(before.id.as_str()).unwrap();
        assert_eq!(
            Member {
                revision: before.revision,
                ..after
            },
            *before
        );
    }
}
