//! The outbox (SPEC §9): every write path stores exactly one event per changed
//! member, with the envelope and a per-member sequence one higher than the last;
//! a failed write stores none; in-process handlers get exactly the stored events.

mod common;

use common::*;
use serde_json::{json, Value};
use universal_members::api::Operation;
use universal_members::model::credentials::Secret;
use universal_members::model::event::StoredEvent;
use universal_members::service::{Caller, ContactList, Moderation};
use universal_members::store::OutboxStore;

const PASSWORD: &str = "correct horse battery";

/// The outbox rows written since position `after`.
fn outbox_after(site: &Site, after: u64) -> Vec<StoredEvent> {
    block_on(site.engine.store().events_after(after, 10_000, false)).expect("the outbox answers")
}

fn latest(site: &Site) -> u64 {
    block_on(site.engine.store().latest_position()).expect("the outbox answers")
}

/// The sequence of the member's newest event in the outbox (0 when none).
fn last_sequence(site: &Site, member: &str) -> u64 {
    outbox_after(site, 0)
        .iter()
        .filter(|e| e.event.member_id.as_str() == member)
        .map(|e| e.event.sequence)
        .max()
        .unwrap_or(0)
}

/// Runs `write` and checks it stored exactly one event of `slug` per member in
/// `expected` (in that order), each one above the member's last sequence, and
/// that handlers got the same events.
fn check_write(site: &Site, name: &str, slug: &str, expected: &[String], write: impl FnOnce()) {
    let before = latest(site);
    let sequences: Vec<u64> = expected.iter().map(|m| last_sequence(site, m)).collect();
    site.clear_events();
    write();
    let stored = outbox_after(site, before);
    let members: Vec<&str> = stored.iter().map(|e| e.event.member_id.as_str()).collect();
    let mut want: Vec<&str> = expected.iter().map(String::as_str).collect();
    let mut got = members.clone();
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want, "{name}: one event per changed member");
    for (member, previous) in expected.iter().zip(&sequences) {
        let event = stored
            .iter()
            .find(|e| e.event.member_id.as_str() == member)
            .unwrap();
        assert_eq!(event.event.kind.slug(), slug, "{name}: kind");
        assert_eq!(
            event.event.sequence,
            previous + 1,
            "{name}: sequence of {member}"
        );
        let envelope = event.event.wire_envelope();
        assert_eq!(envelope["id"], event.event.id, "{name}");
        assert_eq!(envelope["entityId"], member.as_str(), "{name}");
        assert_eq!(envelope["entityFqdn"], "wix.members.v1.member", "{name}");
        assert_eq!(envelope["slug"], slug, "{name}");
        assert_eq!(
            envelope["entityEventSequence"],
            (previous + 1).to_string(),
            "{name}"
        );
        assert_eq!(envelope["triggeredByAnonymizeRequest"], false, "{name}");
        let body = match slug {
            "created" => &envelope["createdEvent"]["entity"],
            "updated" => &envelope["updatedEvent"]["currentEntity"],
            _ => &envelope["deletedEvent"]["deletedEntity"],
        };
        assert_eq!(body["id"], member.as_str(), "{name}: entity in REST naming");
        if slug == "updated" {
            assert!(
                envelope["updatedEvent"]["previousEntity"].is_object(),
                "{name}"
            );
            assert!(
                envelope["updatedEvent"]["modifiedFields"].is_object(),
                "{name}"
            );
        }
    }
    // In-process handlers got exactly the stored events, in commit order.
    let handled: Vec<Value> = site.take_events();
    let handled_ids: Vec<&str> = handled
        .iter()
        .map(|e| e["metadata"]["_id"].as_str().unwrap_or_default())
        .collect();
    let stored_ids: Vec<&str> = stored.iter().map(|e| e.event.id.as_str()).collect();
    assert_eq!(
        handled_ids, stored_ids,
        "{name}: handlers got the outbox events"
    );
}

fn admin() -> Caller {
    Caller::admin()
}

#[test]
fn every_write_path_stores_exactly_one_event_per_changed_member() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    let one = |id: &str| vec![id.to_string()];

    let before = latest(&site);
    let cid = id_of(&site.create(json!({ "loginEmail": "cid@example.com" })));
    let stored = outbox_after(&site, before);
    assert_eq!(stored.len(), 1, "createMember stores one event");
    assert_eq!(stored[0].event.sequence, 1, "a new member starts at 1");
    assert_eq!(stored[0].event.kind.slug(), "created");
    check_write(&site, "updateMember", "updated", &one(&ann), || {
        site.admin_update(&ann, json!({ "profile": { "nickname": "Anna" } }));
    });
    check_write(&site, "leaveCommunity", "updated", &one(&ann), || {
        site.call(&member(&ann), Operation::LeaveCommunity).unwrap();
    });
    check_write(&site, "joinCommunity", "updated", &one(&ann), || {
        site.call(&member(&ann), Operation::JoinCommunity).unwrap();
    });
    check_write(
        &site,
        "updateCurrentMemberSlug",
        "updated",
        &one(&ann),
        || {
            site.call(
                &member(&ann),
                Operation::UpdateCurrentMemberSlug {
                    slug: "anna-1".into(),
                },
            )
            .unwrap();
        },
    );
    check_write(&site, "updateMemberSlug", "updated", &one(&ann), || {
        site.call(
            &admin(),
            Operation::UpdateMemberSlug {
                id: ann.clone(),
                slug: "anna-2".into(),
            },
        )
        .unwrap();
    });
    for action in [
        Moderation::Mute,
        Moderation::Unmute,
        Moderation::Block,
        Moderation::Approve,
    ] {
        check_write(&site, &format!("{action:?}"), "updated", &one(&bob), || {
            site.admin_moderate(&bob, action);
        });
    }
    site.admin_update(&ann, json!({ "contact": { "phones": ["+1 555 0100"], "emails": ["a@b.example"], "addresses": [{ "city": "Oslo" }] } }));
    for list in [
        ContactList::Phones,
        ContactList::Emails,
        ContactList::Addresses,
    ] {
        check_write(
            &site,
            &format!("delete {list:?}"),
            "updated",
            &one(&ann),
            || {
                site.delete_list(&admin(), &ann, list).unwrap();
            },
        );
    }
    check_write(&site, "changeLoginEmail", "updated", &one(&ann), || {
        site.call(
            &admin(),
            Operation::ChangeLoginEmail {
                id: ann.clone(),
                new_email: "ann2@example.com".into(),
            },
        )
        .unwrap();
    });
    // register, then login (lastLoginDate), then deleteMyMember.
    let before = latest(&site);
    let registered = site
        .call(
            &Caller::Visitor,
            Operation::Register {
                email: "reg@example.com".into(),
                password: Secret(PASSWORD.into()),
                options: Value::Null,
            },
        )
        .unwrap();
    let reg = id_of(&registered["member"]);
    let stored = outbox_after(&site, before);
    assert_eq!(stored.len(), 1, "register stores one created event");
    assert_eq!(stored[0].event.kind.slug(), "created");
    check_write(&site, "login", "updated", &one(&reg), || {
        site.call(
            &Caller::Visitor,
            Operation::Login {
                email: "reg@example.com".into(),
                password: Secret(PASSWORD.into()),
            },
        )
        .unwrap();
    });
    check_write(&site, "deleteMyMember", "deleted", &one(&reg), || {
        site.call(
            &member(&reg),
            Operation::DeleteMyMember {
                content_assignee_id: None,
            },
        )
        .unwrap();
    });
    check_write(&site, "disconnectMember", "updated", &one(&bob), || {
        site.admin_moderate(&bob, Moderation::Disconnect);
    });
    check_write(&site, "deleteMember", "deleted", &one(&cid), || {
        site.call(&admin(), Operation::DeleteMember { id: cid.clone() })
            .unwrap();
    });

    let d1 = site.add("d1@example.com", "D1");
    let d2 = site.add("d2@example.com", "D2");
    check_write(
        &site,
        "bulkDeleteMembers",
        "deleted",
        &[d1.clone(), d2.clone()],
        || {
            site.call(
                &admin(),
                Operation::BulkDeleteMembers {
                    ids: vec![d1.clone(), d2.clone(), d1.clone()],
                },
            )
            .unwrap();
        },
    );
    let m1 = site.add("m1@example.com", "Mod1");
    let m2 = site.add("m2@example.com", "Mod2");
    check_write(
        &site,
        "bulkBlockMembers",
        "updated",
        &[m1.clone(), m2.clone()],
        || {
            site.call(
                &admin(),
                Operation::BulkModerate {
                    filter: json!({ "profile.nickname": { "$startsWith": "Mod" } }),
                    action: Moderation::Block,
                    options: json!({}),
                },
            )
            .unwrap();
            block_on(run_jobs(&site.engine));
        },
    );
    check_write(
        &site,
        "bulkApproveMembers",
        "updated",
        &[m1.clone(), m2.clone()],
        || {
            site.call(
                &admin(),
                Operation::BulkModerate {
                    filter: json!({ "profile.nickname": { "$startsWith": "Mod" } }),
                    action: Moderation::Approve,
                    options: json!({}),
                },
            )
            .unwrap();
            block_on(run_jobs(&site.engine));
        },
    );
    check_write(
        &site,
        "bulkDeleteMembersByFilter",
        "deleted",
        &[m1.clone(), m2.clone()],
        || {
            site.call(
                &admin(),
                Operation::BulkDeleteMembersByFilter {
                    filter: json!({ "profile.nickname": { "$startsWith": "Mod" } }),
                    options: json!({}),
                },
            )
            .unwrap();
            block_on(run_jobs(&site.engine));
        },
    );
    let imported = "0f8fad5b-d9cb-469f-a165-70867728950e".to_string();
    check_write(&site, "importMembers", "created", &one(&imported), || {
        site.call(
            &admin(),
            Operation::ImportMembers {
                members: json!([{ "_id": imported, "loginEmail": "imp@example.com", "contactId": "1f8fad5b-d9cb-469f-a165-70867728950e",
                    "status": "APPROVED", "privacyStatus": "PUBLIC", "activityStatus": "ACTIVE",
                    "_createdDate": "2024-01-01T00:00:00Z", "_updatedDate": "2024-01-01T00:00:00Z", "profile": { "nickname": "Imp" } }]),
            },
        )
        .unwrap();
    });
}

#[test]
fn a_failed_write_stores_no_event() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let before = latest(&site);
    site.clear_events();
    // Taken email, unknown field, a member blocking itself, a change that changes nothing.
    assert!(block_on(
        site.engine
            .create_member(&admin(), json!({ "loginEmail": "ANN@example.com" }))
    )
    .is_err());
    assert!(site
        .update(&admin(), &ann, json!({ "profile": { "nickName": "x" } }))
        .is_err());
    assert!(site
        .moderate(&admin_as(&ann), &ann, Moderation::Block)
        .is_err());
    site.admin_update(&ann, json!({ "profile": { "nickname": "Ann" } }));
    assert!(
        outbox_after(&site, before).is_empty(),
        "no event without a change"
    );
    assert!(site.take_events().is_empty());
}

#[test]
fn updated_events_name_each_changed_field_with_its_previous_value() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let before = latest(&site);
    site.admin_update(
        &ann,
        json!({ "profile": { "nickname": "Anna", "title": "Chef" } }),
    );
    let stored = outbox_after(&site, before);
    let event = &stored[0].event;
    assert_eq!(
        event.modified_fields,
        Some(json!({ "profile.nickname": "Ann", "profile.title": null }))
    );
    assert_eq!(
        event.previous_entity.as_ref().unwrap()["profile"]["nickname"],
        "Ann"
    );
    assert_eq!(event.entity["profile"]["nickname"], "Anna");
}

#[test]
fn handlers_subscribed_late_get_only_later_events() {
    let site = Site::new();
    site.add("ann@example.com", "Ann");
    let late = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let log = late.clone();
    site.engine.events().subscribe(
        universal_members::service::EventKind::Created,
        std::rc::Rc::new(move |e: &Value| {
            log.borrow_mut()
                .push(e["entity"]["loginEmail"].as_str().unwrap().into())
        }),
    );
    site.add("bob@example.com", "Bob");
    assert_eq!(*late.borrow(), ["bob@example.com"]);
}
