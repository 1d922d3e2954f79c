//! Fieldsets (SPEC §3), visibility (SPEC §4) and who may query on what (SPEC §7).

mod common;

use common::*;
use serde_json::{json, Value};
use universal_members::model::{ErrorCode, Fieldset};
use universal_members::service::{Caller, Moderation};

const ALL: [Fieldset; 3] = [Fieldset::Public, Fieldset::Extended, Fieldset::Full];

/// Ann: public and approved, with contact details and a last login date.
fn site_with_ann() -> (Site, String) {
    let site = Site::new();
    let ann = id_of(&site.create(json!({
        "loginEmail": "ann@example.com",
        "contact": { "firstName": "Ann", "phones": ["555-1"] },
        "profile": { "nickname": "Ann", "title": "Host" }
    })));
    (site, ann)
}

fn assert_public(view: &Value) {
    for key in [
        "_id",
        "contactId",
        "_createdDate",
        "_updatedDate",
        "profile",
    ] {
        assert!(view.get(key).is_some(), "PUBLIC lacks {key}: {view}");
    }
    for key in [
        "loginEmail",
        "loginEmailVerified",
        "contact",
        "lastLoginDate",
    ] {
        assert!(view.get(key).is_none(), "PUBLIC shows {key}: {view}");
    }
    for key in ["status", "privacyStatus", "activityStatus"] {
        assert_eq!(view[key], "UNKNOWN", "PUBLIC shows {key}: {view}");
    }
}

#[test]
fn the_public_fieldset_holds_ids_dates_and_profile_only() {
    let (site, ann) = site_with_ann();
    let view = site
        .get(&Caller::admin(), &ann, &[Fieldset::Public])
        .unwrap();
    assert_public(&view);
    assert_eq!(view["profile"]["nickname"], "Ann");
    assert_eq!(view["profile"]["slug"], "ann");
}

#[test]
fn the_default_fieldset_is_public() {
    let (site, ann) = site_with_ann();
    assert_public(&site.get(&Caller::admin(), &ann, &[]).unwrap());
    assert_public(&site.get(&member(&ann), &ann, &[]).unwrap());
}

#[test]
fn the_extended_fieldset_adds_login_email_and_statuses_but_not_contact() {
    let (site, ann) = site_with_ann();
    let view = site
        .get(&Caller::admin(), &ann, &[Fieldset::Extended])
        .unwrap();
    assert_eq!(view["loginEmail"], "ann@example.com");
    assert_eq!(view["status"], "APPROVED");
    assert_eq!(view["privacyStatus"], "PUBLIC");
    assert_eq!(view["activityStatus"], "ACTIVE");
    assert!(view.get("contact").is_none(), "{view}");
}

#[test]
fn the_full_fieldset_holds_everything() {
    let (site, ann) = site_with_ann();
    let view = site.get(&Caller::admin(), &ann, &[Fieldset::Full]).unwrap();
    assert_eq!(view["loginEmail"], "ann@example.com");
    assert_eq!(view["loginEmailVerified"], false);
    assert_eq!(view["status"], "APPROVED");
    assert_eq!(view["contact"]["firstName"], "Ann");
    assert_eq!(view["contact"]["phones"], json!(["555-1"]));
    assert_eq!(view["contact"]["emails"], json!([]));
    assert_eq!(view["contact"]["addresses"], json!([]));
}

#[test]
fn the_widest_requested_fieldset_wins() {
    let (site, ann) = site_with_ann();
    let view = site
        .get(&Caller::admin(), &ann, &[Fieldset::Full, Fieldset::Public])
        .unwrap();
    assert_eq!(view["contact"]["firstName"], "Ann");
}

#[test]
fn a_visitor_asking_for_more_gets_the_public_fieldset() {
    let (site, ann) = site_with_ann();
    for fieldset in ALL {
        assert_public(&site.get(&Caller::Visitor, &ann, &[fieldset]).unwrap());
    }
    let (views, _) = site
        .query_views(
            &Caller::Visitor,
            Value::Null,
            Value::Null,
            &[Fieldset::Full],
        )
        .unwrap();
    assert_public(&views[0]);
}

#[test]
fn a_member_reading_another_member_gets_the_public_fieldset() {
    let (site, ann) = site_with_ann();
    let bob = site.add("bob@example.com", "Bob");
    for fieldset in ALL {
        assert_public(&site.get(&member(&bob), &ann, &[fieldset]).unwrap());
    }
}

#[test]
fn a_member_reading_itself_gets_what_it_asks_for() {
    let (site, ann) = site_with_ann();
    let me = member(&ann);
    assert_eq!(
        site.get(&me, &ann, &[Fieldset::Extended]).unwrap()["loginEmail"],
        "ann@example.com"
    );
    assert!(site
        .get(&me, &ann, &[Fieldset::Extended])
        .unwrap()
        .get("contact")
        .is_none());
    assert_eq!(
        site.get(&me, &ann, &[Fieldset::Full]).unwrap()["contact"]["firstName"],
        "Ann"
    );
}

#[test]
fn a_query_shows_the_caller_itself_in_full_and_others_in_public() {
    let (site, ann) = site_with_ann();
    let bob = site.add("bob@example.com", "Bob");
    let (views, _) = site
        .query_views(&member(&bob), Value::Null, Value::Null, &[Fieldset::Full])
        .unwrap();
    let of = |id: &str| views.iter().find(|v| v["_id"] == id).unwrap().clone();
    assert_eq!(of(&bob)["loginEmail"], "bob@example.com");
    assert_public(&of(&ann));
}

#[test]
fn an_admin_gets_what_it_asks_for_about_anyone() {
    let (site, ann) = site_with_ann();
    let bob = site.add_private("bob@example.com", "Bob");
    let (views, _) = site
        .query_views(
            &Caller::admin(),
            Value::Null,
            Value::Null,
            &[Fieldset::Extended],
        )
        .unwrap();
    assert_eq!(views.len(), 2);
    assert!(
        views.iter().all(|v| v["loginEmail"].is_string()),
        "{views:?}"
    );
    assert_eq!(
        site.get(&admin_as(&bob), &ann, &[Fieldset::Full]).unwrap()["contact"]["firstName"],
        "Ann"
    );
}

#[test]
fn more_than_three_fieldsets_are_invalid_argument() {
    let (site, ann) = site_with_ann();
    let four = [
        Fieldset::Public,
        Fieldset::Public,
        Fieldset::Extended,
        Fieldset::Full,
    ];
    expect_invalid(site.get(&Caller::admin(), &ann, &four), "fieldsets");
    expect_invalid(
        site.query_views(&Caller::admin(), Value::Null, Value::Null, &four),
        "fieldsets",
    );
    expect_invalid(
        block_on(site.engine.get_current_member(&member(&ann), &four)),
        "fieldsets",
    );
    assert!(site.get(&Caller::admin(), &ann, &four[1..]).is_ok());
}

#[test]
fn a_private_member_is_not_found_for_visitors_and_other_members() {
    let site = Site::new();
    let ann = site.add_private("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    expect_not_found(site.get(&Caller::Visitor, &ann, &[]));
    expect_not_found(site.get(&member(&bob), &ann, &[]));
}

#[test]
fn a_pending_member_is_not_found_for_visitors_and_other_members() {
    let site = Site::with_manual_approval();
    let ann = site.add("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    site.admin_moderate(&bob, Moderation::Approve);
    expect_not_found(site.get(&Caller::Visitor, &ann, &[]));
    expect_not_found(site.get(&member(&bob), &ann, &[]));
}

#[test]
fn a_blocked_member_is_not_found_for_visitors_and_other_members() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    site.admin_moderate(&ann, Moderation::Block);
    expect_not_found(site.get(&Caller::Visitor, &ann, &[]));
    expect_not_found(site.get(&member(&bob), &ann, &[]));
}

#[test]
fn a_disconnected_member_is_not_found_for_visitors() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.admin_moderate(&ann, Moderation::Disconnect);
    expect_not_found(site.get(&Caller::Visitor, &ann, &[]));
}

#[test]
fn a_hidden_member_reads_exactly_like_a_missing_one() {
    let site = Site::new();
    let ann = site.add_private("ann@example.com", "Ann");
    let hidden = error_of(site.get(&Caller::Visitor, &ann, &[]));
    let missing = error_of(site.get(&Caller::Visitor, MISSING_ID, &[]));
    assert_eq!(hidden.code, missing.code);
    assert_eq!(hidden.application_code, missing.application_code);
    assert_eq!(
        hidden.message.replace(&ann, "ID"),
        missing.message.replace(MISSING_ID, "ID")
    );
}

#[test]
fn hidden_members_are_absent_from_query_results_and_counts() {
    let site = Site::new();
    let public = site.add("pub@example.com", "Pub");
    site.add_private("priv@example.com", "Priv");
    let blocked = site.add("blocked@example.com", "Blocked");
    site.admin_moderate(&blocked, Moderation::Block);
    let gone = site.add("gone@example.com", "Gone");
    site.admin_moderate(&gone, Moderation::Disconnect);
    let viewer = site.add("viewer@example.com", "Viewer");
    let (ids, total) = site
        .query(&Caller::Visitor, Value::Null, Value::Null)
        .unwrap();
    assert_eq!(ids, [viewer.clone(), public.clone()]);
    assert_eq!(total, 2);
    assert_eq!(
        site.count(&Caller::Visitor, Value::Null, Value::Null)
            .unwrap(),
        2
    );
    // Filtering for a hidden member finds nothing either.
    let by_slug = json!({ "filter": { "profile.slug": "priv" } });
    assert_eq!(
        site.query(&Caller::Visitor, by_slug.clone(), Value::Null)
            .unwrap(),
        (vec![], 0)
    );
    assert_eq!(
        site.count(&member(&viewer), by_slug, Value::Null).unwrap(),
        0
    );
    let by_status = json!({ "filter": { "status": "BLOCKED" } });
    assert_eq!(
        site.count(&member(&viewer), by_status, Value::Null)
            .unwrap(),
        0
    );
}

#[test]
fn pending_members_are_absent_from_other_members_queries() {
    let site = Site::with_manual_approval();
    let pending = site.add("pending@example.com", "Pending");
    let approved = site.add("approved@example.com", "Approved");
    site.admin_moderate(&approved, Moderation::Approve);
    let (ids, total) = site
        .query(&member(&approved), Value::Null, Value::Null)
        .unwrap();
    assert_eq!((ids, total), (vec![approved.clone()], 1));
    let (ids, _) = site
        .query(&member(&pending), Value::Null, Value::Null)
        .unwrap();
    assert_eq!(ids, [approved, pending]);
}

#[test]
fn a_member_sees_itself_even_when_private() {
    let site = Site::new();
    let ann = site.add_private("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    let view = site.get(&member(&ann), &ann, &[Fieldset::Full]).unwrap();
    assert_eq!(view["privacyStatus"], "PRIVATE");
    let (ids, total) = site.query(&member(&ann), Value::Null, Value::Null).unwrap();
    assert_eq!((ids, total), (vec![bob, ann.clone()], 2));
    assert_eq!(
        site.count(&member(&ann), Value::Null, Value::Null).unwrap(),
        2
    );
}

#[test]
fn a_blocked_member_still_sees_itself() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.admin_moderate(&ann, Moderation::Block);
    assert_eq!(
        site.get(&member(&ann), &ann, &[Fieldset::Extended])
            .unwrap()["status"],
        "BLOCKED"
    );
}

#[test]
fn admins_see_every_member() {
    let site = Site::with_manual_approval();
    let pending = site.add("pending@example.com", "Pending");
    let private = site.add_private("private@example.com", "Private");
    site.admin_moderate(&private, Moderation::Approve);
    let (ids, total) = site
        .query(&Caller::admin(), Value::Null, Value::Null)
        .unwrap();
    assert_eq!((ids, total), (vec![private.clone(), pending.clone()], 2));
    assert!(site.get(&Caller::admin(), &pending, &[]).is_ok());
    assert!(site.get(&Caller::admin(), &private, &[]).is_ok());
}

/// Checks that a query by `caller` is refused naming `field`.
fn expect_denied_on(site: &Site, caller: &Caller, query: Value, search: Value, field: &str) {
    let error = expect_denied(site.query(caller, query.clone(), search.clone()));
    assert!(error.message.contains(field), "{error:?}");
    assert_eq!(error.data["field"], field, "{error:?}");
    let error = expect_denied(site.count(caller, query, search));
    assert!(error.message.contains(field), "{error:?}");
}

#[test]
fn filtering_on_private_fields_is_permission_denied_for_non_admins() {
    let (site, ann) = site_with_ann();
    let cases = [
        (json!({ "loginEmail": "ann@example.com" }), "loginEmail"),
        (
            json!({ "contact.firstName": { "$startsWith": "A" } }),
            "contact.firstName",
        ),
        (
            json!({ "contact.lastName": { "$exists": true } }),
            "contact.lastName",
        ),
        (
            json!({ "contact.customFields.hobby.value": "chess" }),
            "contact.customFields.hobby.value",
        ),
        (
            json!({ "lastLoginDate": { "$gt": "2024-01-01T00:00:00Z" } }),
            "lastLoginDate",
        ),
        // Nested under $or / $not is no way around it.
        (
            json!({ "$or": [{ "profile.nickname": "Ann" }, { "loginEmail": "ann@example.com" }] }),
            "loginEmail",
        ),
        (
            json!({ "$not": { "contact.firstName": "Bob" } }),
            "contact.firstName",
        ),
    ];
    for caller in [Caller::Visitor, member(&ann)] {
        for (filter, field) in &cases {
            expect_denied_on(
                &site,
                &caller,
                json!({ "filter": filter }),
                Value::Null,
                field,
            );
        }
    }
}

#[test]
fn sorting_on_private_fields_is_permission_denied_for_non_admins() {
    let (site, ann) = site_with_ann();
    for caller in [Caller::Visitor, member(&ann)] {
        for field in ["lastLoginDate", "loginEmail", "contact.lastName"] {
            let query = json!({ "sort": [{ "fieldName": field, "order": "DESC" }] });
            expect_denied_on(&site, &caller, query, Value::Null, field);
        }
    }
}

#[test]
fn searching_private_fields_is_permission_denied_for_non_admins() {
    let (site, ann) = site_with_ann();
    for caller in [Caller::Visitor, member(&ann)] {
        for field in ["loginEmail", "contact.firstName", "contact.lastName"] {
            let search = json!({ "expression": "ann", "fields": ["profile.nickname", field] });
            expect_denied_on(&site, &caller, Value::Null, search, field);
        }
    }
}

#[test]
fn admins_may_filter_sort_and_search_on_private_fields() {
    let (site, ann) = site_with_ann();
    let bob = site.add("bob@example.com", "Bob");
    let admin = Caller::admin();
    let by_email = json!({ "filter": { "loginEmail": "ann@example.com" } });
    assert_eq!(
        site.query(&admin, by_email, Value::Null).unwrap(),
        (vec![ann.clone()], 1)
    );
    let sorted = json!({ "sort": [{ "fieldName": "loginEmail", "order": "DESC" }] });
    assert_eq!(
        site.query(&admin, sorted, Value::Null).unwrap().0,
        [bob, ann.clone()]
    );
    let search = json!({ "expression": "AN", "fields": ["contact.firstName"] });
    assert_eq!(site.query(&admin, Value::Null, search).unwrap().0, [ann]);
}

#[test]
fn public_fields_may_be_queried_by_anyone() {
    let (site, ann) = site_with_ann();
    site.add("bob@example.com", "Bob");
    let contact_id = site.full(&ann)["contactId"].clone();
    let queries = [
        json!({ "filter": { "profile.nickname": { "$startsWith": "an" } } }),
        json!({ "filter": { "_id": ann } }),
        json!({ "filter": { "contactId": contact_id } }),
        json!({ "filter": { "profile.slug": "ann" }, "sort": [{ "fieldName": "_updatedDate" }] }),
        json!({ "filter": { "profile.title": "Host", "status": "APPROVED", "privacyStatus": "PUBLIC" } }),
    ];
    for query in queries {
        assert_eq!(
            site.query(&Caller::Visitor, query.clone(), Value::Null)
                .unwrap(),
            (vec![ann.clone()], 1),
            "{query}"
        );
    }
    let search = json!({ "expression": "nn", "fields": ["profile.nickname", "profile.slug"] });
    assert_eq!(
        site.query(&Caller::Visitor, Value::Null, search).unwrap().0,
        [ann]
    );
}

#[test]
fn a_query_on_an_unknown_field_is_invalid_argument_naming_it() {
    let (site, _) = site_with_ann();
    let error = expect_invalid(
        site.query(
            &Caller::admin(),
            json!({ "filter": { "profile.bogus": "x" } }),
            Value::Null,
        ),
        "profile.bogus",
    );
    assert_eq!(error.code, ErrorCode::InvalidArgument);
}

#[test]
fn filtering_or_sorting_on_activity_status_is_permission_denied_for_non_admins() {
    // A PUBLIC read shows activityStatus as UNKNOWN: a filter or an order on it
    // would tell a visitor which members are muted.
    let (site, ann) = site_with_ann();
    site.admin_moderate(&ann, Moderation::Mute);
    for caller in [Caller::Visitor, member(&ann)] {
        for value in ["MUTED", "ACTIVE"] {
            let query = json!({ "filter": { "activityStatus": value } });
            expect_denied_on(&site, &caller, query, Value::Null, "activityStatus");
        }
        let sorted = json!({ "sort": [{ "fieldName": "activityStatus", "order": "ASC" }] });
        expect_denied_on(&site, &caller, sorted, Value::Null, "activityStatus");
    }
    let muted = json!({ "filter": { "activityStatus": "MUTED" } });
    assert_eq!(
        site.query(&Caller::admin(), muted, Value::Null).unwrap(),
        (vec![ann], 1)
    );
}

#[test]
fn handing_content_to_a_hidden_member_is_refused_like_a_missing_one() {
    let site = Site::new();
    let hidden = site.add_private("hidden@example.com", "Hidden");
    let visible = site.add("visible@example.com", "Visible");
    let leave = |assignee: &str| {
        let leaver = site.add(&format!("leaver.{assignee}@example.com"), "Leaver");
        let error = site.call(
            &member(&leaver),
            universal_members::api::Operation::DeleteMyMember {
                content_assignee_id: Some(assignee.to_string()),
            },
        );
        (leaver, error)
    };
    let (kept, hidden_error) = leave(&hidden);
    let hidden_error = expect_not_found(hidden_error);
    assert!(site.stored(&kept).is_some(), "refused: the member stays");
    let missing = "00000000-0000-4000-8000-000000000000";
    let (_, missing_error) = leave(missing);
    let missing_error = expect_not_found(missing_error);
    assert_eq!(
        format!("{hidden_error:?}").replace(&hidden, "<id>"),
        format!("{missing_error:?}").replace(missing, "<id>")
    );
    let (gone, ok) = leave(&visible);
    assert!(ok.is_ok(), "{ok:?}");
    assert!(site.stored(&gone).is_none());
}
