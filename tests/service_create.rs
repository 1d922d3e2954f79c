//! createMember (SPEC §2, §5 "create"): required and unique login email, initial
//! statuses, generated ids, permissions, unknown fields and limits.

mod common;

use common::*;
use serde_json::json;
use universal_members::model::ids::is_uuid;
use universal_members::model::{ErrorCode, PrivacyStatus};
use universal_members::service::{Caller, SitePolicy};

#[test]
fn create_without_a_login_email_is_invalid_argument_naming_it() {
    let site = Site::new();
    expect_invalid(
        block_on(site.engine.create_member(
            &Caller::admin(),
            json!({ "profile": { "nickname": "Ann" } }),
        )),
        "member.loginEmail",
    );
    expect_invalid(
        block_on(
            site.engine
                .create_member(&Caller::admin(), json!({ "loginEmail": "" })),
        ),
        "member.loginEmail",
    );
    assert_eq!(site.total(), 0);
}

#[test]
fn create_with_a_malformed_login_email_is_invalid_argument_naming_it() {
    let site = Site::new();
    for email in [
        "ann",
        "ann@",
        "ann@example",
        "ann smith@example.com",
        "@example.com",
    ] {
        expect_invalid(
            block_on(
                site.engine
                    .create_member(&Caller::admin(), email_only(email)),
            ),
            "member.loginEmail",
        );
    }
    assert_eq!(site.total(), 0);
}

#[test]
fn a_login_email_differing_only_in_case_is_already_taken() {
    let site = Site::new();
    site.create(email_only("ann@example.com"));
    let error = expect_error(
        block_on(
            site.engine
                .create_member(&Caller::admin(), email_only("ANN@Example.COM")),
        ),
        ErrorCode::AlreadyExists,
        "EMAIL_ALREADY_EXISTS",
    );
    assert!(error.message.contains("ANN@Example.COM"), "{error:?}");
    assert_eq!(site.total(), 1);
}

#[test]
fn a_full_width_login_email_is_the_same_as_its_ascii_form() {
    let site = Site::new();
    site.create(email_only("ann@example.com"));
    expect_error(
        block_on(
            site.engine
                .create_member(&Caller::admin(), email_only("ａｎｎ@example.com")),
        ),
        ErrorCode::AlreadyExists,
        "EMAIL_ALREADY_EXISTS",
    );
    assert_eq!(site.total(), 1);
}

#[test]

fn a_login_email_equal_under_full_case_folding_is_already_taken() {
    let site = Site::new();
    site.create(email_only("strasse@example.com"));
    expect_error(
        block_on(
            site.engine
                .create_member(&Caller::admin(), email_only("STRAßE@example.com")),
        ),
        ErrorCode::AlreadyExists,
        "EMAIL_ALREADY_EXISTS",
    );
}

#[test]
fn a_new_member_is_approved_when_the_site_approves_automatically() {
    let site = Site::new();
    let created = site.create(email_only("ann@example.com"));
    assert_eq!(created["status"], "APPROVED");
}

#[test]
fn a_new_member_is_pending_when_the_site_requires_approval() {
    let site = Site::with_manual_approval();
    let created = site.create(email_only("ann@example.com"));
    assert_eq!(created["status"], "PENDING");
}

#[test]
fn a_new_member_is_active() {
    let site = Site::new();
    let created = site.create(email_only("ann@example.com"));
    assert_eq!(created["activityStatus"], "ACTIVE");
}

#[test]
fn a_new_member_keeps_the_privacy_status_it_asked_for() {
    let site = Site::new();
    let private =
        site.create(json!({ "loginEmail": "ann@example.com", "privacyStatus": "PRIVATE" }));
    assert_eq!(private["privacyStatus"], "PRIVATE");
    let site = Site::with_policy(SitePolicy {
        default_privacy: PrivacyStatus::Private,
        ..SitePolicy::default()
    });
    let public = site.create(json!({ "loginEmail": "bob@example.com", "privacyStatus": "PUBLIC" }));
    assert_eq!(public["privacyStatus"], "PUBLIC");
}

#[test]
fn a_new_member_without_a_privacy_status_gets_the_site_default() {
    let site = Site::new();
    assert_eq!(
        site.create(email_only("ann@example.com"))["privacyStatus"],
        "PUBLIC"
    );
    let site = Site::with_policy(SitePolicy {
        default_privacy: PrivacyStatus::Private,
        ..SitePolicy::default()
    });
    assert_eq!(
        site.create(email_only("ann@example.com"))["privacyStatus"],
        "PRIVATE"
    );
    assert_eq!(
        site.create(json!({ "loginEmail": "bob@example.com", "privacyStatus": "UNKNOWN" }))
            ["privacyStatus"],
        "PRIVATE"
    );
}

#[test]
fn a_new_member_gets_generated_ids_and_a_contact_id_unlike_its_id() {
    let site = Site::new();
    let ann = site.create(email_only("ann@example.com"));
    let bob = site.create(email_only("bob@example.com"));
    for member in [&ann, &bob] {
        let id = member["_id"].as_str().unwrap();
        let contact_id = member["contactId"].as_str().unwrap();
        assert!(is_uuid(id) && is_uuid(contact_id), "{member}");
        assert_ne!(id, contact_id);
    }
    assert_ne!(ann["_id"], bob["_id"]);
    assert_ne!(ann["contactId"], bob["contactId"]);
}

#[test]
fn addresses_of_a_new_member_get_generated_ids() {
    let site = Site::new();
    let created = site.create(json!({
        "loginEmail": "ann@example.com",
        "contact": { "addresses": [{ "city": "Oslo", "country": "NO" }, { "addressLine": "1 Main St" }] }
    }));
    let addresses = created["contact"]["addresses"].as_array().unwrap();
    assert_eq!(addresses.len(), 2);
    let first = addresses[0]["_id"].as_str().unwrap();
    let second = addresses[1]["_id"].as_str().unwrap();
    assert!(is_uuid(first) && is_uuid(second));
    assert_ne!(first, second);
    assert_eq!(addresses[0]["city"], "Oslo");
}

#[test]

fn address_ids_sent_on_create_are_replaced_by_generated_ones() {
    let site = Site::new();
    let created = site.create(json!({
        "loginEmail": "ann@example.com",
        "contact": { "addresses": [{ "_id": "my-own-id", "city": "Oslo" }] }
    }));
    let id = created["contact"]["addresses"][0]["_id"].as_str().unwrap();
    assert!(is_uuid(id), "kept the caller's address id {id:?}");
}

#[test]
fn create_returns_the_whole_member_with_empty_lists_filled() {
    let site = Site::new();
    let created = site.create(json!({
        "loginEmail": "ann@example.com",
        "contact": { "firstName": "Ann", "customFields": { "hobby": { "name": "Hobby", "value": "chess" } } },
        "profile": { "nickname": "Ann", "title": "Host" }
    }));
    assert_eq!(created["loginEmail"], "ann@example.com");
    assert_eq!(created["contact"]["firstName"], "Ann");
    assert_eq!(created["contact"]["phones"], json!([]));
    assert_eq!(created["contact"]["emails"], json!([]));
    assert_eq!(created["contact"]["addresses"], json!([]));
    assert_eq!(
        created["contact"]["customFields"]["hobby"],
        json!({ "name": "Hobby", "value": "chess" })
    );
    assert_eq!(created["profile"]["title"], "Host");
    assert_eq!(site.full(&id_of(&created)), created);
}

#[test]
fn created_and_updated_dates_of_a_new_member_are_the_time_of_creation() {
    let site = Site::new();
    let created = site.create(email_only("ann@example.com"));
    assert_eq!(created["_createdDate"], created["_updatedDate"]);
    let date = created["_createdDate"].as_str().unwrap();
    assert!(date.starts_with("2024-05-01T10:00:00."), "{date}");
}

#[test]
fn read_only_fields_in_create_input_are_ignored() {
    let site = Site::new();
    let created = site.create(json!({
        "_id": MISSING_ID,
        "loginEmail": "ann@example.com",
        "loginEmailVerified": true,
        "status": "BLOCKED",
        "contactId": MISSING_ID,
        "activityStatus": "MUTED",
        "_createdDate": "2000-01-01T00:00:00.000Z",
        "lastLoginDate": "2000-01-01T00:00:00.000Z",
        "profile": { "nickname": "Ann", "slug": "chosen-slug" }
    }));
    assert_ne!(created["_id"], MISSING_ID);
    assert_ne!(created["contactId"], MISSING_ID);
    assert_eq!(created["loginEmailVerified"], false);
    assert_eq!(created["status"], "APPROVED");
    assert_eq!(created["activityStatus"], "ACTIVE");
    assert_ne!(created["_createdDate"], "2000-01-01T00:00:00.000Z");
    assert!(created.get("lastLoginDate").is_none(), "{created}");
    assert_eq!(created["profile"]["slug"], "ann");
}

#[test]
fn only_admins_may_create_members() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    for caller in [Caller::Visitor, member(&ann)] {
        expect_not_admin(
            &caller,
            block_on(
                site.engine
                    .create_member(&caller, email_only("bob@example.com")),
            ),
        );
    }
    assert_eq!(site.total(), 1);
}

#[test]
fn an_unknown_field_in_create_input_is_refused_by_name() {
    let site = Site::new();
    let cases = [
        (
            json!({ "loginEmail": "ann@example.com", "nickname": "Ann" }),
            "member.nickname",
        ),
        (
            json!({ "loginEmail": "ann@example.com", "contact": { "firstname": "Ann" } }),
            "member.contact.firstname",
        ),
        (
            json!({ "loginEmail": "ann@example.com", "profile": { "nickame": "Ann" } }),
            "member.profile.nickame",
        ),
        (
            json!({ "loginEmail": "ann@example.com", "contact": { "addresses": [{ "town": "Oslo" }] } }),
            "member.contact.addresses[0].town",
        ),
        (
            json!({ "loginEmail": "ann@example.com", "profile": { "photo": { "url": "https://x.example/a.png", "alt": "me" } } }),
            "member.profile.photo.alt",
        ),
    ];
    for (input, field) in cases {
        let error = expect_invalid(
            block_on(site.engine.create_member(&Caller::admin(), input)),
            field,
        );
        assert_eq!(error.violations[0].violated_rule, "UNKNOWN_FIELD");
    }
    assert_eq!(site.total(), 0);
}

#[test]
fn a_company_over_100_characters_is_refused_naming_the_field() {
    let site = Site::new();
    let input = |company: String| json!({ "loginEmail": "ann@example.com", "contact": { "company": company } });
    let error = expect_invalid(
        block_on(
            site.engine
                .create_member(&Caller::admin(), input("x".repeat(101))),
        ),
        "member.contact.company",
    );
    assert_eq!(error.violations[0].violated_rule, "MAX_LENGTH");
    assert_eq!(site.total(), 0);
    let created = site.create(input("x".repeat(100)));
    assert_eq!(created["contact"]["company"].as_str().unwrap().len(), 100);
}

#[test]
fn create_input_over_a_limit_is_refused_naming_the_field() {
    let site = Site::new();
    let many_fields: serde_json::Map<String, serde_json::Value> = (0..101)
        .map(|i| (format!("k{i}"), json!({ "value": i })))
        .collect();
    let cases = [
        (
            json!({ "contact": { "jobTitle": "x".repeat(101) } }),
            "member.contact.jobTitle",
        ),
        (
            json!({ "contact": { "lastName": "x".repeat(256) } }),
            "member.contact.lastName",
        ),
        (
            json!({ "profile": { "nickname": "x".repeat(256) } }),
            "member.profile.nickname",
        ),
        (
            json!({ "contact": { "phones": vec!["555"; 21] } }),
            "member.contact.phones",
        ),
        (
            json!({ "contact": { "emails": ["ann@example.com", "nope"] } }),
            "member.contact.emails[1]",
        ),
        (
            json!({ "contact": { "addresses": vec![json!({ "city": "Oslo" }); 21] } }),
            "member.contact.addresses",
        ),
        (
            json!({ "contact": { "customFields": many_fields } }),
            "member.contact.customFields",
        ),
        (
            json!({ "contact": { "birthdate": "1990-02-30" } }),
            "member.contact.birthdate",
        ),
        (
            json!({ "contact": { "addresses": [{ "country": "USA" }] } }),
            "member.contact.addresses[0].country",
        ),
        (
            json!({ "profile": { "photo": { "url": "" } } }),
            "member.profile.photo.url",
        ),
    ];
    for (mut input, field) in cases {
        input["loginEmail"] = json!("ann@example.com");
        expect_invalid(
            block_on(site.engine.create_member(&Caller::admin(), input)),
            field,
        );
    }
    assert_eq!(site.total(), 0);
}

#[test]
fn nothing_is_stored_or_announced_when_create_fails() {
    let site = Site::new();
    site.create(json!({ "loginEmail": "ann@example.com", "profile": { "nickname": "Ann" } }));
    site.clear_events();
    let failures = [
        json!({ "loginEmail": "bob@example.com", "contact": { "company": "x".repeat(101) } }),
        json!({ "loginEmail": "bob@example.com", "bogus": true }),
        json!({ "loginEmail": "ANN@example.com", "profile": { "nickname": "Bob" } }),
    ];
    for input in failures {
        error_of(block_on(site.engine.create_member(&Caller::admin(), input)));
    }
    assert_eq!(site.total(), 1);
    assert!(site.events().is_empty(), "{:?}", site.events());
    // Neither the email nor the slug of a failed create was kept.
    let bob =
        site.create(json!({ "loginEmail": "bob@example.com", "profile": { "nickname": "Bob" } }));
    assert_eq!(bob["profile"]["slug"], "bob");
}

#[test]
fn a_member_over_64_kib_of_json_is_refused() {
    let site = Site::new();
    let big: serde_json::Map<String, serde_json::Value> = (0..100)
        .map(|i| (format!("k{i}"), json!({ "value": "x".repeat(1000) })))
        .collect();
    let error = expect_invalid(
        block_on(site.engine.create_member(
            &Caller::admin(),
            json!({ "loginEmail": "ann@example.com", "contact": { "customFields": big } }),
        )),
        "member",
    );
    assert_eq!(error.violations[0].violated_rule, "MAX_SIZE");
    assert_eq!(site.total(), 0);
}
