//! Changing members (SPEC §5): updateMember as a patch, deleteMember, the
//! delete-a-list calls, and the calls about the current member.

mod common;

use common::*;
use serde_json::{json, Value};
use universal_members::api::Operation;
use universal_members::model::ids::is_uuid;
use universal_members::model::{ErrorCode, Fieldset};
use universal_members::service::{Caller, ContactList};

/// Ann with every kind of contact detail.
fn site_with_ann() -> (Site, String) {
    let site = Site::new();
    let ann = id_of(&site.create(json!({
        "loginEmail": "ann@example.com",
        "contact": {
            "firstName": "Ann", "lastName": "Smith", "company": "Acme",
            "phones": ["555-1", "555-2"], "emails": ["ann@work.example.com"],
            "addresses": [{ "city": "Oslo", "country": "NO" }],
            "customFields": { "hobby": { "name": "Hobby", "value": "chess" } }
        },
        "profile": { "nickname": "Ann", "title": "Host" }
    })));
    site.clear_events();
    (site, ann)
}

/// The member minus what every change moves (`_updatedDate`).
fn settled(mut view: Value) -> Value {
    view.as_object_mut().unwrap().remove("_updatedDate");
    view
}

#[test]
fn an_empty_string_clears_a_field() {
    let (site, ann) = site_with_ann();
    let updated = site.admin_update(
        &ann,
        json!({ "contact": { "company": "" }, "profile": { "title": "" } }),
    );
    assert!(updated["contact"].get("company").is_none(), "{updated}");
    assert!(updated["profile"].get("title").is_none(), "{updated}");
    assert!(site.full(&ann)["contact"].get("company").is_none());
}

#[test]
fn an_omitted_field_keeps_its_value() {
    let (site, ann) = site_with_ann();
    let before = site.full(&ann);
    let updated = site.admin_update(&ann, json!({ "contact": { "firstName": "Anna" } }));
    assert_eq!(updated["contact"]["firstName"], "Anna");
    let mut expected = before.clone();
    expected["contact"]["firstName"] = json!("Anna");
    assert_eq!(settled(updated), settled(expected));
}

#[test]
fn an_array_replaces_the_whole_list() {
    let (site, ann) = site_with_ann();
    let updated = site.admin_update(
        &ann,
        json!({ "contact": { "phones": ["555-9"], "emails": ["a@b.example.com"] } }),
    );
    assert_eq!(updated["contact"]["phones"], json!(["555-9"]));
    assert_eq!(updated["contact"]["emails"], json!(["a@b.example.com"]));
}

#[test]
fn an_empty_array_changes_nothing() {
    let (site, ann) = site_with_ann();
    let before = site.full(&ann);
    let updated = site.admin_update(
        &ann,
        json!({ "contact": { "phones": [], "emails": [], "addresses": [] } }),
    );
    assert_eq!(updated, before);
    assert!(site.events().is_empty());
}

#[test]
fn read_only_fields_in_an_update_are_ignored() {
    let (site, ann) = site_with_ann();
    let before = site.full(&ann);
    let updated = site.admin_update(
        &ann,
        json!({
            "_id": MISSING_ID, "loginEmail": "new@example.com", "loginEmailVerified": true,
            "status": "BLOCKED", "contactId": MISSING_ID, "privacyStatus": "PRIVATE",
            "activityStatus": "MUTED", "_createdDate": "2000-01-01T00:00:00Z",
            "_updatedDate": "2000-01-01T00:00:00Z", "lastLoginDate": "2000-01-01T00:00:00Z",
            "profile": { "slug": "new-slug" }
        }),
    );
    assert_eq!(updated, before);
    assert!(site.events().is_empty());
}

#[test]
fn custom_field_names_are_ignored_in_updates() {
    let (site, ann) = site_with_ann();
    let updated = site.admin_update(
        &ann,
        json!({ "contact": { "customFields": {
            "hobby": { "name": "Renamed", "value": "go" },
            "pet": { "name": "Pet", "value": "cat" }
        } } }),
    );
    assert_eq!(
        updated["contact"]["customFields"]["hobby"],
        json!({ "name": "Hobby", "value": "go" })
    );
    assert_eq!(
        updated["contact"]["customFields"]["pet"],
        json!({ "value": "cat" })
    );
}

#[test]
fn an_address_sent_with_its_id_keeps_it_and_a_new_one_gets_an_id() {
    let (site, ann) = site_with_ann();
    let old_id = site.full(&ann)["contact"]["addresses"][0]["_id"].clone();
    let updated = site.admin_update(
        &ann,
        json!({ "contact": { "addresses": [{ "_id": old_id, "city": "Bergen" }, { "city": "Rome", "country": "IT" }] } }),
    );
    let addresses = updated["contact"]["addresses"].as_array().unwrap();
    assert_eq!(addresses[0]["_id"], old_id);
    assert_eq!(addresses[0]["city"], "Bergen");
    let new_id = addresses[1]["_id"].as_str().unwrap();
    assert!(is_uuid(new_id) && new_id != old_id, "{updated}");
}

#[test]
fn a_fetched_member_sent_back_unchanged_is_accepted_and_changes_nothing() {
    let (site, ann) = site_with_ann();
    let fetched = site.full(&ann);
    assert_eq!(site.admin_update(&ann, fetched.clone()), fetched);
    assert_eq!(
        site.update(&member(&ann), &ann, fetched.clone()).unwrap(),
        fetched
    );
    assert!(site.events().is_empty());
}

#[test]
fn an_unknown_field_in_an_update_is_refused_by_name_and_changes_nothing() {
    let (site, ann) = site_with_ann();
    let before = site.full(&ann);
    let error = expect_invalid(
        site.update(
            &Caller::admin(),
            &ann,
            json!({ "profile": { "nickname": "Annie", "titel": "x" } }),
        ),
        "member.profile.titel",
    );
    assert_eq!(error.violations[0].violated_rule, "UNKNOWN_FIELD");
    assert_eq!(site.full(&ann), before);
}

#[test]
fn an_update_over_a_limit_is_refused_naming_the_field_and_changes_nothing() {
    let (site, ann) = site_with_ann();
    let before = site.full(&ann);
    expect_invalid(
        site.update(
            &Caller::admin(),
            &ann,
            json!({ "contact": { "firstName": "Anna", "company": "x".repeat(101) } }),
        ),
        "member.contact.company",
    );
    expect_invalid(
        site.update(
            &member(&ann),
            &ann,
            json!({ "contact": { "phones": vec!["1"; 21] } }),
        ),
        "member.contact.phones",
    );
    assert_eq!(site.full(&ann), before);
    assert!(site.events().is_empty());
}

#[test]
fn a_member_may_update_itself_even_when_private() {
    let site = Site::new();
    let ann = site.add_private("ann@example.com", "Ann");
    let updated = site
        .update(&member(&ann), &ann, json!({ "profile": { "title": "Me" } }))
        .unwrap();
    assert_eq!(updated["profile"]["title"], "Me");
}

#[test]
fn a_member_updating_another_visible_member_is_permission_denied() {
    let (site, ann) = site_with_ann();
    let bob = site.add("bob@example.com", "Bob");
    let before = site.full(&ann);
    expect_denied(site.update(
        &member(&bob),
        &ann,
        json!({ "profile": { "title": "Hacked" } }),
    ));
    assert_eq!(site.full(&ann), before);
}

#[test]
fn a_member_updating_a_hidden_member_gets_not_found() {
    let site = Site::new();
    let ann = site.add_private("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    expect_not_found(site.update(
        &member(&bob),
        &ann,
        json!({ "profile": { "title": "Hacked" } }),
    ));
    expect_not_found(site.update(
        &member(&bob),
        MISSING_ID,
        json!({ "profile": { "title": "Hacked" } }),
    ));
    assert!(site.full(&ann)["profile"].get("title").is_none());
}

#[test]
fn a_visitor_updating_a_member_is_unauthenticated() {
    let (site, ann) = site_with_ann();
    expect_unauthenticated(site.update(
        &Caller::Visitor,
        &ann,
        json!({ "profile": { "title": "Hacked" } }),
    ));
    assert_eq!(site.full(&ann)["profile"]["title"], "Host");
}

#[test]
fn an_admin_may_update_any_member() {
    let site = Site::with_manual_approval();
    let pending = site.add_private("ann@example.com", "Ann");
    let updated = site.admin_update(&pending, json!({ "profile": { "title": "Checked" } }));
    assert_eq!(updated["profile"]["title"], "Checked");
}

#[test]
fn updating_a_missing_member_is_not_found() {
    let site = Site::new();
    expect_not_found(site.update(
        &Caller::admin(),
        MISSING_ID,
        json!({ "profile": { "title": "x" } }),
    ));
    let error = expect_invalid(site.update(&Caller::admin(), "not-an-id", json!({})), "_id");
    assert_eq!(error.code, ErrorCode::InvalidArgument);
}

#[test]
fn every_change_bumps_the_updated_date_and_the_revision() {
    let (site, ann) = site_with_ann();
    let created = site.stored(&ann).unwrap();
    let updated = site.admin_update(&ann, json!({ "profile": { "title": "Guest" } }));
    let after = site.stored(&ann).unwrap();
    assert_eq!(after.revision, created.revision + 1);
    assert!(after.updated_date > created.updated_date);
    assert_eq!(updated["_updatedDate"], json!(after.updated_date));
    assert_eq!(updated["_createdDate"], json!(created.created_date));
    block_on(site.engine.set_community(&member(&ann), false)).unwrap();
    let left = site.stored(&ann).unwrap();
    assert_eq!(left.revision, after.revision + 1);
    assert!(left.updated_date > after.updated_date);
}

#[test]
fn the_updated_date_is_the_time_of_the_change_and_never_goes_back() {
    let (site, ann) = site_with_ann();
    site.clock.set(START + 60_000);
    let updated = site.admin_update(&ann, json!({ "profile": { "title": "Guest" } }));
    assert_eq!(updated["_updatedDate"], "2024-05-01T10:01:00.000Z");
    // A clock that steps back does not move the date backwards.
    site.clock.set(START);
    let again = site.admin_update(&ann, json!({ "profile": { "title": "Host" } }));
    assert_eq!(again["_updatedDate"], "2024-05-01T10:01:00.000Z");
    assert_eq!(again["_createdDate"], "2024-05-01T10:00:00.000Z");
}

#[test]
fn an_update_that_changes_nothing_fires_no_event_and_keeps_the_date() {
    let (site, ann) = site_with_ann();
    let before = site.stored(&ann).unwrap();
    let updated = site.admin_update(
        &ann,
        json!({ "profile": { "title": "Host", "nickname": "Ann" } }),
    );
    assert_eq!(updated["_updatedDate"], json!(before.updated_date));
    assert_eq!(site.stored(&ann).unwrap(), before);
    assert!(site.events().is_empty());
}

#[test]
fn a_deleted_member_is_gone_for_good() {
    let (site, ann) = site_with_ann();
    block_on(site.engine.delete_member(&Caller::admin(), &ann)).unwrap();
    expect_not_found(site.get(&Caller::admin(), &ann, &[]));
    assert_eq!(site.total(), 0);
    expect_not_found(block_on(site.engine.delete_member(&Caller::admin(), &ann)));
}

#[test]
fn only_admins_may_delete_a_member() {
    let (site, ann) = site_with_ann();
    for caller in [Caller::Visitor, member(&ann)] {
        expect_not_admin(&caller, block_on(site.engine.delete_member(&caller, &ann)));
    }
    assert_eq!(site.total(), 1);
}

#[test]
fn deleting_a_missing_member_is_not_found() {
    let site = Site::new();
    expect_not_found(block_on(
        site.engine.delete_member(&Caller::admin(), MISSING_ID),
    ));
}

#[test]
fn delete_member_addresses_empties_the_addresses_only() {
    let (site, ann) = site_with_ann();
    let before = site.full(&ann);
    let updated = site
        .delete_list(&Caller::admin(), &ann, ContactList::Addresses)
        .unwrap();
    let mut expected = before;
    expected["contact"]["addresses"] = json!([]);
    assert_eq!(settled(updated), settled(expected));
}

#[test]
fn delete_member_emails_leaves_the_login_email_alone() {
    let (site, ann) = site_with_ann();
    let updated = site
        .delete_list(&member(&ann), &ann, ContactList::Emails)
        .unwrap();
    assert_eq!(updated["contact"]["emails"], json!([]));
    assert_eq!(updated["loginEmail"], "ann@example.com");
    assert_eq!(updated["contact"]["phones"], json!(["555-1", "555-2"]));
}

#[test]
fn delete_member_phones_empties_the_phones_only() {
    let (site, ann) = site_with_ann();
    let updated = site
        .delete_list(&member(&ann), &ann, ContactList::Phones)
        .unwrap();
    assert_eq!(updated["contact"]["phones"], json!([]));
    assert_eq!(
        updated["contact"]["emails"],
        json!(["ann@work.example.com"])
    );
}

#[test]
fn a_member_may_empty_only_its_own_lists() {
    let (site, ann) = site_with_ann();
    let bob = site.add("bob@example.com", "Bob");
    let before = site.full(&ann);
    for list in [
        ContactList::Addresses,
        ContactList::Emails,
        ContactList::Phones,
    ] {
        expect_denied(site.delete_list(&member(&bob), &ann, list));
        expect_unauthenticated(site.delete_list(&Caller::Visitor, &ann, list));
    }
    assert_eq!(site.full(&ann), before);
}

#[test]
fn delete_my_member_deletes_the_caller() {
    let (site, ann) = site_with_ann();
    let bob = site.add("bob@example.com", "Bob");
    block_on(site.engine.delete_my_member(&member(&ann), None)).unwrap();
    expect_not_found(site.get(&Caller::admin(), &ann, &[]));
    assert!(site.get(&Caller::admin(), &bob, &[]).is_ok());
    block_on(
        site.engine
            .delete_my_member(&member(&bob), Some(MISSING_ID)),
    )
    .expect_err("the assignee does not exist");
}

#[test]
fn delete_my_member_needs_a_member() {
    let (site, _) = site_with_ann();
    expect_unauthenticated(block_on(
        site.engine.delete_my_member(&Caller::Visitor, None),
    ));
    assert_eq!(site.total(), 1);
}

#[test]
fn delete_my_member_hands_content_only_to_another_existing_member() {
    let (site, ann) = site_with_ann();
    let bob = site.add("bob@example.com", "Bob");
    expect_invalid(
        block_on(
            site.engine
                .delete_my_member(&member(&ann), Some(ann.as_str())),
        ),
        "contentAssigneeId",
    );
    // A missing member is NOT_FOUND, as any member the caller can not see.
    expect_not_found(block_on(
        site.engine
            .delete_my_member(&member(&ann), Some(MISSING_ID)),
    ));
    assert_eq!(site.total(), 2);
    block_on(site.engine.delete_my_member(&member(&ann), Some(&bob))).unwrap();
    assert_eq!(site.total(), 1);
}

#[test]
fn get_current_member_is_empty_for_a_visitor() {
    let (site, _) = site_with_ann();
    let reply = site.call(
        &Caller::Visitor,
        Operation::GetCurrentMember {
            fieldsets: vec![Fieldset::Full],
        },
    );
    assert_eq!(reply.unwrap(), json!({}));
    let reply = site.call(
        &Caller::admin(),
        Operation::GetCurrentMember { fieldsets: vec![] },
    );
    assert_eq!(reply.unwrap(), json!({}));
}

#[test]
fn get_current_member_returns_the_caller_wrapped_with_the_fieldset_it_asks() {
    let site = Site::new();
    let ann = site.add_private("ann@example.com", "Ann");
    let reply = site
        .call(
            &member(&ann),
            Operation::GetCurrentMember {
                fieldsets: vec![Fieldset::Full],
            },
        )
        .unwrap();
    assert_eq!(reply["member"], site.full(&ann));
    let reply = site
        .call(
            &member(&ann),
            Operation::GetCurrentMember { fieldsets: vec![] },
        )
        .unwrap();
    assert_eq!(reply["member"]["_id"], ann);
    assert!(reply["member"].get("loginEmail").is_none());
}

#[test]
fn leaving_the_community_makes_the_member_private_and_changes_nothing_else() {
    let (site, ann) = site_with_ann();
    let before = site.full(&ann);
    let left = json!(block_on(site.engine.set_community(&member(&ann), false)).unwrap());
    let mut expected = before;
    expected["privacyStatus"] = json!("PRIVATE");
    assert_eq!(settled(left.clone()), settled(expected));
    assert_eq!(site.full(&ann), left);
    expect_not_found(site.get(&Caller::Visitor, &ann, &[]));
}

#[test]
fn joining_the_community_makes_the_member_public_and_changes_nothing_else() {
    let site = Site::new();
    let ann = site.add_private("ann@example.com", "Ann");
    let before = site.full(&ann);
    let joined = json!(block_on(site.engine.set_community(&member(&ann), true)).unwrap());
    let mut expected = before;
    expected["privacyStatus"] = json!("PUBLIC");
    assert_eq!(settled(joined), settled(expected));
    assert!(site.get(&Caller::Visitor, &ann, &[]).is_ok());
}

#[test]
fn joining_or_leaving_the_community_needs_a_member() {
    let (site, _) = site_with_ann();
    for join in [true, false] {
        expect_unauthenticated(block_on(site.engine.set_community(&Caller::Visitor, join)));
    }
}

#[test]
fn list_and_community_replies_wrap_the_member() {
    let (site, ann) = site_with_ann();
    let me = member(&ann);
    let reply = site
        .call(
            &me,
            Operation::DeleteMemberList {
                id: ann.clone(),
                list: ContactList::Phones,
            },
        )
        .unwrap();
    assert_eq!(reply["member"]["contact"]["phones"], json!([]));
    let reply = site.call(&me, Operation::LeaveCommunity).unwrap();
    assert_eq!(reply["member"]["privacyStatus"], "PRIVATE");
    let reply = site.call(&me, Operation::JoinCommunity).unwrap();
    assert_eq!(reply["member"]["privacyStatus"], "PUBLIC");
    let reply = site
        .call(
            &me,
            Operation::UpdateCurrentMemberSlug {
                slug: "annie".into(),
            },
        )
        .unwrap();
    assert_eq!(reply["member"]["profile"]["slug"], "annie");
    assert_eq!(
        site.call(
            &me,
            Operation::DeleteMyMember {
                content_assignee_id: None
            }
        )
        .unwrap(),
        Value::Null
    );
    assert_eq!(site.total(), 0);
}
