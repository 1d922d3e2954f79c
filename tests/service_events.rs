//! Events (SPEC §9): every change fires exactly one created/updated/deleted event
//! with the Wix metadata, whatever call made it; failures and no-ops fire none.

mod common;

use common::*;
use serde_json::{json, Value};
use universal_members::model::ids::is_uuid;
use universal_members::service::{Caller, ContactList, Moderation};

fn check_metadata(event: &Value, slug: &str, entity_id: &str) {
    let metadata = &event["metadata"];
    assert_eq!(
        metadata["eventType"],
        format!("wix.members.v1.member_{slug}"),
        "{event}"
    );
    assert_eq!(metadata["entityFqdn"], "wix.members.v1.member", "{event}");
    assert_eq!(metadata["slug"], slug, "{event}");
    assert_eq!(metadata["entityId"], entity_id, "{event}");
    assert!(
        is_uuid(metadata["_id"].as_str().unwrap_or_default()),
        "{event}"
    );
    assert!(metadata["eventTime"].is_string(), "{event}");
    assert!(metadata["identity"]["identityType"].is_string(), "{event}");
    assert!(metadata["entityEventSequence"].is_u64(), "{event}");
}

/// The single event fired since the last check; panics on none or several.
fn only_event(site: &Site) -> Value {
    let events = site.take_events();
    assert_eq!(events.len(), 1, "expected one event, got {events:#?}");
    events.into_iter().next().unwrap()
}

#[test]
fn creating_a_member_fires_one_created_event_with_the_whole_member() {
    let site = Site::new();
    let created =
        site.create(json!({ "loginEmail": "ann@example.com", "contact": { "firstName": "Ann" } }));
    let ann = id_of(&created);
    let event = only_event(&site);
    check_metadata(&event, "created", &ann);
    assert_eq!(event["entity"], created);
    assert_eq!(
        event["metadata"]["identity"],
        json!({ "identityType": "ADMIN" })
    );
    assert_eq!(event["metadata"]["eventTime"], created["_createdDate"]);
    assert_eq!(event["metadata"]["entityEventSequence"], 1);
    assert!(event.get("previousEntity").is_none());
}

#[test]
fn updating_a_member_fires_one_updated_event_with_the_previous_entity() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let before = site.full(&ann);
    site.clear_events();
    let after = site
        .update(
            &member(&ann),
            &ann,
            json!({ "profile": { "nickname": "Annie" } }),
        )
        .unwrap();
    let event = only_event(&site);
    check_metadata(&event, "updated", &ann);
    assert_eq!(event["entity"], after);
    assert_eq!(event["previousEntity"], before);
    assert_eq!(
        event["metadata"]["identity"],
        json!({ "identityType": "MEMBER", "memberId": ann })
    );
    assert_eq!(event["metadata"]["eventTime"], after["_updatedDate"]);
    assert_eq!(event["metadata"]["entityEventSequence"], 2);
}

#[test]
fn deleting_a_member_fires_one_deleted_event_with_its_last_state() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.clear_events();
    block_on(site.engine.delete_member(&Caller::admin(), &ann)).unwrap();
    let event = only_event(&site);
    check_metadata(&event, "deleted", &ann);
    assert_eq!(event["entity"]["_id"], ann, "{event}");
    assert_eq!(event["entity"]["profile"]["nickname"], "Ann", "{event}");
    assert!(event["metadata"]["entityEventSequence"].as_u64().unwrap() > 1);
}

#[test]
fn deleting_oneself_fires_one_deleted_event() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.clear_events();
    block_on(site.engine.delete_my_member(&member(&ann), None)).unwrap();
    let event = only_event(&site);
    check_metadata(&event, "deleted", &ann);
    assert_eq!(event["metadata"]["identity"]["identityType"], "MEMBER");
}

#[test]
fn joining_and_leaving_the_community_fire_updated_events() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.clear_events();
    block_on(site.engine.set_community(&member(&ann), false)).unwrap();
    let event = only_event(&site);
    check_metadata(&event, "updated", &ann);
    assert_eq!(event["previousEntity"]["privacyStatus"], "PUBLIC");
    assert_eq!(event["entity"]["privacyStatus"], "PRIVATE");
    block_on(site.engine.set_community(&member(&ann), true)).unwrap();
    let event = only_event(&site);
    assert_eq!(event["entity"]["privacyStatus"], "PUBLIC");
}

#[test]
fn slug_changes_fire_updated_events() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.clear_events();
    block_on(
        site.engine
            .update_current_member_slug(&member(&ann), "annie"),
    )
    .unwrap();
    let event = only_event(&site);
    check_metadata(&event, "updated", &ann);
    assert_eq!(event["entity"]["profile"]["slug"], "annie");
    assert_eq!(event["previousEntity"]["profile"]["slug"], "ann");
    block_on(
        site.engine
            .update_member_slug(&Caller::admin(), &ann, "ann-2"),
    )
    .unwrap();
    assert_eq!(only_event(&site)["entity"]["profile"]["slug"], "ann-2");
}

#[test]
fn each_moderation_action_fires_one_updated_event() {
    let site = Site::with_manual_approval();
    let ann = site.add("ann@example.com", "Ann");
    site.clear_events();
    let steps = [
        (Moderation::Approve, "status", "APPROVED"),
        (Moderation::Mute, "activityStatus", "MUTED"),
        (Moderation::Unmute, "activityStatus", "ACTIVE"),
        (Moderation::Block, "status", "BLOCKED"),
        (Moderation::Disconnect, "status", "OFFLINE"),
    ];
    for (action, field, value) in steps {
        site.admin_moderate(&ann, action);
        let event = only_event(&site);
        check_metadata(&event, "updated", &ann);
        assert_eq!(event["entity"][field], value, "{action:?}");
    }
}

#[test]
fn emptying_a_contact_list_fires_one_updated_event() {
    let site = Site::new();
    let ann = id_of(
        &site.create(json!({ "loginEmail": "ann@example.com", "contact": { "phones": ["555"] } })),
    );
    site.clear_events();
    site.delete_list(&member(&ann), &ann, ContactList::Phones)
        .unwrap();
    let event = only_event(&site);
    assert_eq!(event["previousEntity"]["contact"]["phones"], json!(["555"]));
    assert_eq!(event["entity"]["contact"]["phones"], json!([]));
}

#[test]
fn bulk_calls_fire_one_event_per_changed_member() {
    let site = Site::with_manual_approval();
    let ids: Vec<String> = (0..4)
        .map(|i| site.add(&format!("m{i}@example.com"), &format!("M{i}")))
        .collect();
    site.clear_events();
    block_on(
        site.engine
            .bulk_moderate(&Caller::admin(), &json!({}), Moderation::Approve),
    )
    .unwrap();
    let mut touched: Vec<String> = site
        .take_events()
        .iter()
        .inspect(|e| assert_eq!(e["metadata"]["slug"], "updated"))
        .map(|e| e["metadata"]["entityId"].as_str().unwrap().to_string())
        .collect();
    touched.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(touched, expected);

    block_on(site.engine.bulk_moderate(
        &Caller::admin(),
        &json!({ "profile.nickname": "M0" }),
        Moderation::Block,
    ))
    .unwrap();
    assert_eq!(only_event(&site)["metadata"]["entityId"], ids[0]);

    block_on(site.engine.bulk_delete_members(&Caller::admin(), &ids[..2])).unwrap();
    assert_eq!(site.event_slugs(), ["deleted", "deleted"]);
    site.clear_events();

    block_on(
        site.engine
            .bulk_delete_by_filter(&Caller::admin(), &json!({})),
    )
    .unwrap();
    let events = site.take_events();
    assert_eq!(events.len(), 2);
    assert!(events
        .iter()
        .all(|e| e["metadata"]["slug"] == "deleted"
            && e["entity"]["_id"] == e["metadata"]["entityId"]));
}

#[test]

fn bulk_delete_of_a_repeated_id_fires_one_deleted_event() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.clear_events();
    block_on(
        site.engine
            .bulk_delete_members(&Caller::admin(), &[ann.clone(), ann]),
    )
    .unwrap();
    assert_eq!(site.event_slugs(), ["deleted"]);
}

#[test]
fn changes_that_change_nothing_fire_no_event() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.clear_events();
    site.admin_update(&ann, json!({ "profile": { "nickname": "Ann" } }));
    block_on(site.engine.set_community(&member(&ann), true)).unwrap();
    site.admin_moderate(&ann, Moderation::Approve);
    site.admin_moderate(&ann, Moderation::Unmute);
    block_on(site.engine.update_current_member_slug(&member(&ann), "ann")).unwrap();
    site.delete_list(&member(&ann), &ann, ContactList::Addresses)
        .unwrap();
    block_on(
        site.engine
            .bulk_moderate(&Caller::admin(), &json!({}), Moderation::Approve),
    )
    .unwrap();
    assert!(site.events().is_empty(), "{:#?}", site.events());
}

#[test]
fn failed_calls_fire_no_event() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    site.clear_events();
    error_of(block_on(
        site.engine
            .create_member(&Caller::admin(), email_only("ANN@example.com")),
    ));
    error_of(site.update(&member(&bob), &ann, json!({ "profile": { "title": "x" } })));
    error_of(site.update(
        &Caller::admin(),
        &ann,
        json!({ "contact": { "company": "x".repeat(101) } }),
    ));
    error_of(block_on(
        site.engine.update_current_member_slug(&member(&bob), "ANN"),
    ));
    error_of(site.moderate(&admin_as(&ann), &ann, Moderation::Block));
    error_of(block_on(site.engine.delete_member(&member(&ann), &bob)));
    assert!(site.events().is_empty(), "{:#?}", site.events());
}

#[test]
fn the_event_sequence_of_a_member_grows_with_every_change() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    for i in 0..5 {
        site.admin_update(&ann, json!({ "profile": { "title": format!("T{i}") } }));
    }
    site.admin_moderate(&ann, Moderation::Mute);
    block_on(site.engine.delete_member(&Caller::admin(), &ann)).unwrap();
    let sequences: Vec<u64> = site
        .events()
        .iter()
        .map(|e| e["metadata"]["entityEventSequence"].as_u64().unwrap())
        .collect();
    assert_eq!(sequences.len(), 8);
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "{sequences:?}");
}

#[test]
fn every_event_has_its_own_id() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.admin_update(&ann, json!({ "profile": { "title": "A" } }));
    site.admin_update(&ann, json!({ "profile": { "title": "B" } }));
    let mut ids: Vec<String> = site
        .events()
        .iter()
        .map(|e| e["metadata"]["_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);
}
