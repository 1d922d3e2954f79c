//! Async jobs (SPEC §12) on the memory store: a by-filter bulk call stores a job
//! over the members matched when it was made, a worker works it in batches with
//! one event per change, items that break the single call's rule fail with their
//! reason, and the job is read in Wix's shapes. (SQLite and PostgreSQL, restarts
//! and several processes are in the Node process tests.)

mod common;

use common::*;
use serde_json::{json, Value};
use universal_members::model::job::JobAction;
use universal_members::model::{ErrorCode, Timestamp};
use universal_members::service::{Caller, Moderation};
use universal_members::store::JobStore;

fn admin() -> Caller {
    Caller::admin()
}

fn start(site: &Site, caller: &Caller, action: JobAction, filter: Value) -> String {
    let answer = block_on(site.engine.start_job(caller, action, &filter, &json!({})))
        .unwrap_or_else(|e| panic!("starting {action:?} failed: {e:?}"));
    answer["jobId"].as_str().expect("a jobId").to_string()
}

fn job(site: &Site, id: &str) -> Value {
    block_on(site.engine.get_async_job(&admin(), id)).unwrap()["job"].clone()
}

fn items(site: &Site, id: &str, options: Value) -> Value {
    block_on(site.engine.list_async_job_items(&admin(), id, &options)).unwrap()
}

fn status_of(site: &Site, id: &str) -> String {
    site.full(id)["status"].as_str().unwrap().to_string()
}

/// `n` members with nickname `nick`; their ids.
fn add_many(site: &Site, n: usize, nick: &str) -> Vec<String> {
    (0..n)
        .map(|k| site.add(&format!("{nick}{k}@example.com"), nick))
        .collect()
}

#[test]
fn a_block_job_answers_at_once_and_blocks_exactly_the_members_matched_then() {
    let site = Site::new();
    let targets = add_many(&site, 3, "spam");
    let id = start(
        &site,
        &admin(),
        JobAction::Block,
        json!({ "profile.nickname": "spam" }),
    );
    let before = job(&site, &id);
    assert_eq!(before["status"], "INITIALIZED");
    assert_eq!(before["counters"]["itemsToProcess"], 3);
    assert_eq!(before["metadata"]["action"], "BLOCK");
    assert_eq!(
        before["metadata"]["filter"],
        json!({ "profile.nickname": "spam" })
    );
    assert!(
        targets.iter().all(|m| status_of(&site, m) == "APPROVED"),
        "nothing done yet"
    );
    let late = site.add("late@example.com", "spam");
    site.clear_events();
    block_on(run_jobs(&site.engine));
    assert!(targets.iter().all(|m| status_of(&site, m) == "BLOCKED"));
    assert_eq!(
        status_of(&site, &late),
        "APPROVED",
        "made after the call: not an item"
    );
    let after = job(&site, &id);
    assert_eq!(after["status"], "FINISHED");
    assert_eq!(
        after["counters"],
        json!({ "itemsToProcess": 3, "itemsSucceeded": 3, "itemsFailed": 0 })
    );
    let events = site.take_events();
    assert_eq!(events.len(), 3, "one event per item");
    let listed = items(&site, &id, json!({}));
    assert_eq!(listed["items"].as_array().unwrap().len(), 3);
    assert!(listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["success"] == true));
}

#[test]
fn an_item_the_single_call_forbids_fails_with_its_reason_and_the_rest_go_on() {
    let site = Site::new();
    let me = site.add("me@example.com", "mods");
    let others = add_many(&site, 2, "mods");
    let gone = site.add("gone@example.com", "mods");
    let id = start(
        &site,
        &admin_as(&me),
        JobAction::Block,
        json!({ "profile.nickname": "mods" }),
    );
    block_on(site.engine.delete_member(&admin(), &gone)).unwrap();
    block_on(run_jobs(&site.engine));
    assert_eq!(
        status_of(&site, &me),
        "APPROVED",
        "an admin's own member is never blocked"
    );
    assert!(others.iter().all(|m| status_of(&site, m) == "BLOCKED"));
    let done = job(&site, &id);
    assert_eq!(done["status"], "FINISHED");
    assert_eq!(done["counters"]["itemsSucceeded"], 2);
    assert_eq!(done["counters"]["itemsFailed"], 2);
    let failed = items(&site, &id, json!({ "statusFilter": "FAILED_ONLY" }));
    let failed = failed["items"].as_array().unwrap();
    let reasons: Vec<(&str, &str)> = failed
        .iter()
        .map(|i| {
            (
                i["entityId"].as_str().unwrap(),
                i["error"]["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        reasons.contains(&(me.as_str(), "FAILED_PRECONDITION")),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&(gone.as_str(), "MEMBER_NOT_FOUND")),
        "{reasons:?}"
    );
    let ok = items(&site, &id, json!({ "statusFilter": "SUCCESSFUL_ONLY" }));
    assert_eq!(ok["items"].as_array().unwrap().len(), 2);
}

#[test]
fn a_big_job_goes_in_batches_of_100_with_one_event_per_member_and_pages_by_cursor() {
    let site = Site::new();
    let targets = add_many(&site, 250, "bulk");
    let id = start(
        &site,
        &admin(),
        JobAction::Delete,
        json!({ "profile.nickname": "bulk" }),
    );
    site.clear_events();
    let first = block_on(site.engine.run_async_jobs(&admin())).unwrap();
    assert_eq!(first["processed"], 100, "one batch is at most 100 items");
    assert_eq!(job(&site, &id)["status"], "PROCESSING");
    assert_eq!(
        job(&site, &id)["counters"]["itemsSucceeded"],
        100,
        "progress readable while it runs"
    );
    block_on(run_jobs(&site.engine));
    assert_eq!(site.total(), 0);
    let events = site.take_events();
    assert_eq!(events.len(), 250);
    let mut deleted: Vec<String> = events
        .iter()
        .map(|e| e["metadata"]["entityId"].as_str().unwrap().to_string())
        .collect();
    deleted.sort();
    let mut want = targets.clone();
    want.sort();
    assert_eq!(deleted, want, "every item exactly once");
    let mut seen = 0;
    let mut cursor = Value::Null;
    loop {
        let page = items(
            &site,
            &id,
            json!({ "paging": { "limit": 100, "cursor": cursor } }),
        );
        seen += page["items"].as_array().unwrap().len();
        if page["pagingMetadata"]["hasNext"] == false {
            break;
        }
        cursor = page["pagingMetadata"]["cursors"]["next"].clone();
    }
    assert_eq!(seen, 250);
}

#[test]
fn a_dry_run_counts_and_samples_and_writes_nothing() {
    let site = Site::new();
    add_many(&site, 12, "dry");
    site.clear_events();
    let answer = block_on(site.engine.start_job(
        &admin(),
        JobAction::Delete,
        &json!({ "profile.nickname": "dry" }),
        &json!({ "dryRun": true }),
    ))
    .unwrap();
    assert_eq!(answer["dryRun"], true);
    assert_eq!(answer["count"], 12);
    assert_eq!(answer["sampleIds"].as_array().unwrap().len(), 10);
    assert!(answer.get("jobId").is_none());
    block_on(run_jobs(&site.engine));
    assert_eq!(site.total(), 12);
    assert!(site.take_events().is_empty());
}

#[test]
fn a_worker_whose_lease_ran_out_writes_nothing_and_the_next_one_goes_on() {
    let site = Site::new();
    let targets = add_many(&site, 5, "lease");
    let id = start(
        &site,
        &admin(),
        JobAction::Approve,
        json!({ "profile.nickname": "lease" }),
    );
    for m in &targets {
        site.admin_moderate(m, Moderation::Block);
    }
    let now = site.clock.get();
    // A worker takes the job and dies before its batch.
    let held = block_on(site.engine.store().claim_job(
        Timestamp(now),
        Timestamp(now + 60_000),
        "dead-worker",
    ))
    .unwrap();
    assert!(held.is_some());
    let idle = block_on(site.engine.run_async_jobs(&admin())).unwrap();
    assert_eq!(idle["worked"], false, "leased to the other worker");
    site.clock.set(now + 61_000);
    block_on(run_jobs(&site.engine));
    assert!(targets.iter().all(|m| status_of(&site, m) == "APPROVED"));
    assert_eq!(job(&site, &id)["counters"]["itemsSucceeded"], 5);
    assert_eq!(job(&site, &id)["status"], "FINISHED");
}

#[test]
fn jobs_are_for_admins_and_unknown_or_expired_ones_are_not_found() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    expect_denied(block_on(site.engine.start_job(
        &member(&ann),
        JobAction::Delete,
        &json!({}),
        &json!({}),
    )));
    let id = start(&site, &admin(), JobAction::Approve, json!({}));
    expect_denied(block_on(site.engine.get_async_job(&member(&ann), &id)));
    expect_denied(block_on(site.engine.run_async_jobs(&member(&ann))));
    expect_error(
        block_on(site.engine.get_async_job(&admin(), "no-such-job")),
        ErrorCode::NotFound,
        "JOB_NOT_FOUND",
    );
    expect_invalid(
        block_on(site.engine.start_job(
            &admin(),
            JobAction::Block,
            &json!({ "bogus": 1 }),
            &json!({}),
        )),
        "bogus",
    );
    block_on(run_jobs(&site.engine));
    assert_eq!(job(&site, &id)["status"], "FINISHED");
    site.clock.set(site.clock.get() + 31 * 24 * 3600 * 1000);
    expect_error(
        block_on(site.engine.get_async_job(&admin(), &id)),
        ErrorCode::NotFound,
        "JOB_NOT_FOUND",
    );
}
