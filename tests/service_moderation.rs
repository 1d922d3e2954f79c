//! Moderation (SPEC §5 approve/block/mute/unmute/disconnect) and the bulk calls.

mod common;

use common::*;
use serde_json::{json, Value};
use universal_members::api::Operation;
use universal_members::model::{ErrorCode, Fieldset};
use universal_members::service::{Caller, Moderation};

const ACTIONS: [Moderation; 5] = [
    Moderation::Approve,
    Moderation::Block,
    Moderation::Mute,
    Moderation::Unmute,
    Moderation::Disconnect,
];

fn status_of(site: &Site, id: &str) -> (String, String) {
    let view = site.full(id);
    (
        view["status"].as_str().unwrap().to_string(),
        view["activityStatus"].as_str().unwrap().to_string(),
    )
}

#[test]
fn approving_a_pending_member_makes_it_approved_and_visible() {
    let site = Site::with_manual_approval();
    let ann = site.add("ann@example.com", "Ann");
    let approved = site.admin_moderate(&ann, Moderation::Approve);
    assert_eq!(approved["status"], "APPROVED");
    assert!(site.get(&Caller::Visitor, &ann, &[]).is_ok());
}

#[test]
fn approving_a_blocked_member_unblocks_it() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.admin_moderate(&ann, Moderation::Block);
    site.admin_moderate(&ann, Moderation::Approve);
    assert_eq!(status_of(&site, &ann).0, "APPROVED");
}

#[test]
fn blocking_a_member_makes_it_blocked_and_hidden() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let blocked = site.admin_moderate(&ann, Moderation::Block);
    assert_eq!(blocked["status"], "BLOCKED");
    expect_not_found(site.get(&Caller::Visitor, &ann, &[]));
}

#[test]
fn muting_and_unmuting_set_the_activity_status_only() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let muted = site.admin_moderate(&ann, Moderation::Mute);
    assert_eq!(
        (muted["status"].as_str(), muted["activityStatus"].as_str()),
        (Some("APPROVED"), Some("MUTED"))
    );
    assert!(
        site.get(&Caller::Visitor, &ann, &[]).is_ok(),
        "a muted member stays visible"
    );
    let unmuted = site.admin_moderate(&ann, Moderation::Unmute);
    assert_eq!(unmuted["activityStatus"], "ACTIVE");
}

#[test]
fn disconnecting_a_member_makes_it_offline() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let gone = site.admin_moderate(&ann, Moderation::Disconnect);
    assert_eq!(gone["status"], "OFFLINE");
    assert_eq!(status_of(&site, &ann).0, "OFFLINE");
}

#[test]
fn moderation_replies_wrap_the_member() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let reply = site
        .call(
            &Caller::admin(),
            Operation::Moderate {
                id: ann.clone(),
                action: Moderation::Mute,
            },
        )
        .unwrap();
    assert_eq!(reply["member"]["activityStatus"], "MUTED");
}

#[test]
fn only_admins_may_moderate() {
    let site = Site::with_manual_approval();
    let ann = site.add("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    site.admin_moderate(&bob, Moderation::Approve);
    for caller in [Caller::Visitor, member(&bob), member(&ann)] {
        for action in ACTIONS {
            expect_not_admin(&caller, site.moderate(&caller, &ann, action));
        }
    }
    assert_eq!(
        status_of(&site, &ann),
        ("PENDING".to_string(), "ACTIVE".to_string())
    );
}

#[test]
fn blocking_oneself_is_a_failed_precondition() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    expect_precondition(site.moderate(&admin_as(&ann), &ann, Moderation::Block));
    assert_eq!(status_of(&site, &ann).0, "APPROVED");
    assert!(
        site.events().len() == 1,
        "only the creation: {:?}",
        site.event_slugs()
    );
}

#[test]
fn an_admin_acting_as_a_member_may_block_someone_else() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    site.moderate(&admin_as(&ann), &bob, Moderation::Block)
        .unwrap();
    assert_eq!(status_of(&site, &bob).0, "BLOCKED");
}

#[test]
fn a_disconnected_member_can_not_be_approved_or_blocked_again() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.admin_moderate(&ann, Moderation::Disconnect);
    expect_precondition(site.moderate(&Caller::admin(), &ann, Moderation::Approve));
    expect_precondition(site.moderate(&Caller::admin(), &ann, Moderation::Block));
    assert_eq!(status_of(&site, &ann).0, "OFFLINE");
}

#[test]
fn a_disconnected_member_keeps_its_login_email_reserved() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.admin_moderate(&ann, Moderation::Disconnect);
    expect_error(
        block_on(
            site.engine
                .create_member(&Caller::admin(), email_only("Ann@Example.com")),
        ),
        ErrorCode::AlreadyExists,
        "EMAIL_ALREADY_EXISTS",
    );
    assert_eq!(site.full(&ann)["loginEmail"], "ann@example.com");
}

#[test]
fn moderating_a_missing_member_is_not_found() {
    let site = Site::new();
    for action in ACTIONS {
        expect_not_found(site.moderate(&Caller::admin(), MISSING_ID, action));
    }
}

fn bulk_delete(
    site: &Site,
    caller: &Caller,
    ids: &[String],
) -> universal_members::model::MembersResult<Value> {
    block_on(site.engine.bulk_delete_members(caller, ids))
}

#[test]
fn bulk_delete_reports_one_result_per_id_in_order() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    let carl = site.add("carl@example.com", "Carl");
    let ids = [bob.clone(), MISSING_ID.to_string(), ann.clone()];
    let reply = bulk_delete(&site, &Caller::admin(), &ids).unwrap();
    let results = reply["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for (i, (id, success)) in [(&bob, true), (&MISSING_ID.to_string(), false), (&ann, true)]
        .into_iter()
        .enumerate()
    {
        let item = &results[i]["itemMetadata"];
        assert_eq!(item["_id"], *id);
        assert_eq!(item["originalIndex"], i);
        assert_eq!(item["success"], success);
        assert_eq!(item.get("error").is_some(), !success, "{item}");
    }
    assert_eq!(reply["bulkActionMetadata"]["totalSuccesses"], 2);
    assert_eq!(reply["bulkActionMetadata"]["totalFailures"], 1);
    assert_eq!(
        site.all()
            .iter()
            .map(|m| m.id.to_string())
            .collect::<Vec<_>>(),
        [carl]
    );
}

#[test]
fn bulk_delete_takes_1_to_100_ids() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    expect_invalid(bulk_delete(&site, &Caller::admin(), &[]), "memberIds");
    let too_many: Vec<String> = (0..101)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
        .collect();
    expect_invalid(bulk_delete(&site, &Caller::admin(), &too_many), "memberIds");
    assert_eq!(site.total(), 1);
    let mut hundred = too_many[..99].to_vec();
    hundred.push(ann);
    let reply = bulk_delete(&site, &Caller::admin(), &hundred).unwrap();
    assert_eq!(reply["bulkActionMetadata"]["totalSuccesses"], 1);
    assert_eq!(reply["bulkActionMetadata"]["totalFailures"], 99);
    assert_eq!(site.total(), 0);
}

#[test]
fn bulk_delete_with_a_malformed_id_deletes_nothing() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    expect_invalid(
        bulk_delete(&site, &Caller::admin(), &[ann, "nope".into()]),
        "memberIds[1]",
    );
    assert_eq!(site.total(), 1);
}

#[test]

fn bulk_delete_with_a_repeated_id_reports_consistent_totals() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let reply = bulk_delete(&site, &Caller::admin(), &[ann.clone(), ann]).unwrap();
    let successes = reply["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["itemMetadata"]["success"] == true)
        .count();
    let meta = &reply["bulkActionMetadata"];
    assert_eq!(meta["totalSuccesses"], successes, "{reply}");
    assert_eq!(meta["totalFailures"], 2 - successes, "{reply}");
}

#[test]
fn only_admins_may_use_bulk_calls() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    for caller in [Caller::Visitor, member(&ann)] {
        expect_not_admin(
            &caller,
            bulk_delete(&site, &caller, std::slice::from_ref(&ann)),
        );
        expect_not_admin(
            &caller,
            block_on(site.engine.bulk_delete_by_filter(&caller, &json!({}))),
        );
        for action in [Moderation::Approve, Moderation::Block] {
            expect_not_admin(
                &caller,
                block_on(site.engine.bulk_moderate(&caller, &json!({}), action)),
            );
        }
    }
    assert_eq!(status_of(&site, &ann).0, "APPROVED");
}

/// Six members: three titled "Guest", three "Host".
fn site_with_guests_and_hosts(site: Site) -> (Site, Vec<String>, Vec<String>) {
    let mut guests = Vec::new();
    let mut hosts = Vec::new();
    for i in 0..6 {
        let title = if i % 2 == 0 { "Guest" } else { "Host" };
        let created = site.create(json!({
            "loginEmail": format!("m{i}@example.com"),
            "profile": { "nickname": format!("M{i}"), "title": title }
        }));
        if i % 2 == 0 { &mut guests } else { &mut hosts }.push(id_of(&created));
    }
    (site, guests, hosts)
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

fn ids_where(site: &Site, status: &str) -> Vec<String> {
    let filter = json!({ "filter": { "status": status }, "paging": { "limit": 100 } });
    sorted(site.query(&Caller::admin(), filter, Value::Null).unwrap().0)
}

#[test]
fn bulk_delete_by_filter_deletes_exactly_the_matches() {
    let (site, _guests, hosts) = site_with_guests_and_hosts(Site::new());
    let reply = block_on(
        site.engine
            .bulk_delete_by_filter(&Caller::admin(), &json!({ "profile.title": "Guest" })),
    )
    .unwrap();
    assert!(reply["jobId"].is_string(), "{reply}");
    let left: Vec<String> = site.all().iter().map(|m| m.id.to_string()).collect();
    assert_eq!(sorted(left), sorted(hosts));
}

#[test]
fn bulk_delete_by_filter_reaches_past_one_page() {
    let site = Site::new();
    for i in 0..130 {
        site.create(
            json!({ "loginEmail": format!("m{i}@example.com"), "profile": { "title": "Guest" } }),
        );
    }
    let keep = site.add("keep@example.com", "Keep");
    block_on(
        site.engine
            .bulk_delete_by_filter(&Caller::admin(), &json!({ "profile.title": "Guest" })),
    )
    .unwrap();
    assert_eq!(
        site.all()
            .iter()
            .map(|m| m.id.to_string())
            .collect::<Vec<_>>(),
        [keep]
    );
}

#[test]
fn bulk_approve_approves_exactly_the_matches() {
    let (site, guests, hosts) = site_with_guests_and_hosts(Site::with_manual_approval());
    let filter = json!({ "profile.title": "Guest" });
    block_on(
        site.engine
            .bulk_moderate(&Caller::admin(), &filter, Moderation::Approve),
    )
    .unwrap();
    assert_eq!(ids_where(&site, "APPROVED"), sorted(guests));
    assert_eq!(ids_where(&site, "PENDING"), sorted(hosts));
}

#[test]
fn bulk_block_blocks_exactly_the_matches() {
    let (site, guests, hosts) = site_with_guests_and_hosts(Site::new());
    let filter = json!({ "profile.title": { "$eq": "Host" } });
    block_on(
        site.engine
            .bulk_moderate(&Caller::admin(), &filter, Moderation::Block),
    )
    .unwrap();
    assert_eq!(ids_where(&site, "BLOCKED"), sorted(hosts));
    assert_eq!(ids_where(&site, "APPROVED"), sorted(guests));
}

#[test]
fn bulk_block_spares_the_caller_and_disconnected_members() {
    let (site, guests, _) = site_with_guests_and_hosts(Site::new());
    site.admin_moderate(&guests[1], Moderation::Disconnect);
    let filter = json!({ "profile.title": "Guest" });
    block_on(
        site.engine
            .bulk_moderate(&admin_as(&guests[0]), &filter, Moderation::Block),
    )
    .unwrap();
    assert_eq!(status_of(&site, &guests[0]).0, "APPROVED");
    assert_eq!(status_of(&site, &guests[1]).0, "OFFLINE");
    assert_eq!(status_of(&site, &guests[2]).0, "BLOCKED");
}

#[test]
fn a_bulk_call_with_a_bad_filter_is_invalid_argument_and_changes_nothing() {
    let (site, _, _) = site_with_guests_and_hosts(Site::new());
    let bad = json!({ "profile.bogus": "x" });
    expect_invalid(
        block_on(site.engine.bulk_delete_by_filter(&Caller::admin(), &bad)),
        "profile.bogus",
    );
    expect_invalid(
        block_on(
            site.engine
                .bulk_moderate(&Caller::admin(), &bad, Moderation::Block),
        ),
        "profile.bogus",
    );
    assert_eq!(site.total(), 6);
    assert_eq!(ids_where(&site, "APPROVED").len(), 6);
}

#[test]
fn a_bulk_call_matching_nothing_changes_nothing() {
    let (site, _, _) = site_with_guests_and_hosts(Site::new());
    site.clear_events();
    let none = json!({ "profile.title": "Nobody" });
    block_on(site.engine.bulk_delete_by_filter(&Caller::admin(), &none)).unwrap();
    block_on(
        site.engine
            .bulk_moderate(&Caller::admin(), &none, Moderation::Block),
    )
    .unwrap();
    assert_eq!(site.total(), 6);
    assert!(site.events().is_empty());
    let views = site
        .query_views(
            &Caller::admin(),
            Value::Null,
            Value::Null,
            &[Fieldset::Extended],
        )
        .unwrap()
        .0;
    assert!(views.iter().all(|v| v["status"] == "APPROVED"));
}
