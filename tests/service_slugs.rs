//! Slugs (SPEC §6): generated on create, set explicitly, unique case-insensitively.

mod common;

use common::*;
use serde_json::json;
use universal_members::model::ErrorCode;
use universal_members::service::{Caller, Moderation};

fn slug_of(view: &serde_json::Value) -> &str {
    view["profile"]["slug"].as_str().unwrap_or_default()
}

#[test]
fn the_slug_is_generated_from_the_nickname() {
    let site = Site::new();
    let ann = site.create(
        json!({ "loginEmail": "x1@example.com", "profile": { "nickname": "Ann  Smith!" } }),
    );
    assert_eq!(slug_of(&ann), "ann-smith");
}

#[test]
fn without_a_nickname_the_slug_comes_from_the_email_local_part() {
    let site = Site::new();
    let john = site.create(email_only("John.Doe+news@example.com"));
    assert_eq!(slug_of(&john), "john-doe-news");
    let blank =
        site.create(json!({ "loginEmail": "mary@example.com", "profile": { "nickname": "   " } }));
    assert_eq!(slug_of(&blank), "mary");
}

#[test]
fn generated_slugs_are_nfkc_normalized_lower_cased_and_dashed() {
    let site = Site::new();
    let cases = [
        ("ＡＮＮ　ＳＭＩＴＨ", "ann-smith"),
        ("--Zoë__Ünal--", "zoë-ünal"),
        ("Ｌｅｅ №1", "lee-no1"),
        ("a...b", "a-b"),
    ];
    for (i, (nickname, slug)) in cases.into_iter().enumerate() {
        let created = site.create(json!({ "loginEmail": format!("m{i}@example.com"), "profile": { "nickname": nickname } }));
        assert_eq!(slug_of(&created), slug, "from {nickname:?}");
    }
}

#[test]
fn a_nickname_without_letters_or_digits_gives_the_slug_member() {
    let site = Site::new();
    let created =
        site.create(json!({ "loginEmail": "x@example.com", "profile": { "nickname": "!!! ???" } }));
    assert_eq!(slug_of(&created), "member");
}

#[test]
fn a_generated_slug_is_at_most_100_characters() {
    let site = Site::new();
    let created = site.create(
        json!({ "loginEmail": "x@example.com", "profile": { "nickname": "a".repeat(200) } }),
    );
    assert_eq!(slug_of(&created), "a".repeat(100));
}

#[test]
fn colliding_generated_slugs_get_numbered_suffixes() {
    let site = Site::new();
    let slugs: Vec<String> = ["Ann", "ann", "ANN", "Ａｎｎ"]
        .iter()
        .enumerate()
        .map(|(i, nickname)| {
            let created = site.create(json!({ "loginEmail": format!("a{i}@example.com"), "profile": { "nickname": nickname } }));
            slug_of(&created).to_string()
        })
        .collect();
    assert_eq!(slugs, ["ann", "ann-2", "ann-3", "ann-4"]);
}

#[test]
fn a_generated_slug_skips_suffixes_already_taken() {
    let site = Site::new();
    let first = site.add("a1@example.com", "Ann");
    site.add("a2@example.com", "Ann");
    // "ann-2" is taken, "ann" was freed by a rename: the next Ann gets "ann".
    block_on(
        site.engine
            .update_member_slug(&Caller::admin(), &first, "ann-first"),
    )
    .unwrap();
    let next =
        site.create(json!({ "loginEmail": "a3@example.com", "profile": { "nickname": "Ann" } }));
    assert_eq!(slug_of(&next), "ann");
    let last =
        site.create(json!({ "loginEmail": "a4@example.com", "profile": { "nickname": "Ann" } }));
    assert_eq!(slug_of(&last), "ann-3");
}

#[test]
fn an_explicit_slug_breaking_the_character_rules_is_invalid_argument() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let too_long = "a".repeat(256);
    for slug in [
        "",
        "-ann",
        "ann-",
        ".ann",
        "ann.",
        "ann smith",
        "ann/smith",
        "ann@home",
        too_long.as_str(),
    ] {
        expect_invalid(
            block_on(site.engine.update_current_member_slug(&member(&ann), slug)),
            "slug",
        );
        expect_invalid(
            block_on(site.engine.update_member_slug(&Caller::admin(), &ann, slug)),
            "slug",
        );
    }
    assert_eq!(site.full(&ann)["profile"]["slug"], "ann");
}

#[test]
fn an_explicit_slug_is_stored_as_given() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let max = "b".repeat(255);
    for slug in ["Ann.Smith_2-x", "Zoë", max.as_str()] {
        let view = block_on(site.engine.update_current_member_slug(&member(&ann), slug)).unwrap();
        assert_eq!(json!(view)["profile"]["slug"], slug);
        assert_eq!(site.full(&ann)["profile"]["slug"], slug);
    }
}

#[test]
fn a_slug_taken_in_another_case_is_already_exists_naming_the_slug() {
    let site = Site::new();
    site.add("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    for slug in ["ANN", "ａｎｎ"] {
        let error = expect_error(
            block_on(site.engine.update_current_member_slug(&member(&bob), slug)),
            ErrorCode::AlreadyExists,
            "SLUG_ALREADY_EXISTS",
        );
        assert_eq!(error.data["slug"], slug, "{error:?}");
        let error = expect_error(
            block_on(site.engine.update_member_slug(&Caller::admin(), &bob, slug)),
            ErrorCode::AlreadyExists,
            "SLUG_ALREADY_EXISTS",
        );
        assert_eq!(error.data["slug"], slug, "{error:?}");
    }
    assert_eq!(site.full(&bob)["profile"]["slug"], "bob");
}

#[test]
fn a_member_may_set_its_own_slug_in_another_case() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let view = block_on(site.engine.update_current_member_slug(&member(&ann), "ANN")).unwrap();
    assert_eq!(json!(view)["profile"]["slug"], "ANN");
    assert_eq!(site.full(&ann)["profile"]["slug"], "ANN");
}

#[test]
fn changing_the_nickname_does_not_change_the_slug() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let updated = site.admin_update(&ann, json!({ "profile": { "nickname": "Annabel" } }));
    assert_eq!(updated["profile"]["nickname"], "Annabel");
    assert_eq!(updated["profile"]["slug"], "ann");
}

#[test]
fn the_slug_of_a_disconnected_member_stays_reserved() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.admin_moderate(&ann, Moderation::Disconnect);
    let bob = site.add("bob@example.com", "Bob");
    expect_error(
        block_on(
            site.engine
                .update_member_slug(&Caller::admin(), &bob, "Ann"),
        ),
        ErrorCode::AlreadyExists,
        "SLUG_ALREADY_EXISTS",
    );
    let next =
        site.create(json!({ "loginEmail": "ann2@example.com", "profile": { "nickname": "Ann" } }));
    assert_eq!(slug_of(&next), "ann-2");
}

#[test]
fn setting_the_current_members_slug_needs_a_member() {
    let site = Site::new();
    site.add("ann@example.com", "Ann");
    expect_unauthenticated(block_on(
        site.engine
            .update_current_member_slug(&Caller::Visitor, "someone"),
    ));
    expect_unauthenticated(block_on(
        site.engine
            .update_current_member_slug(&Caller::admin(), "someone"),
    ));
}

#[test]
fn only_admins_may_set_another_members_slug() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    expect_denied(block_on(site.engine.update_member_slug(
        &member(&bob),
        &ann,
        "annie",
    )));
    expect_denied(block_on(site.engine.update_member_slug(
        &member(&ann),
        &ann,
        "annie",
    )));
    expect_unauthenticated(block_on(site.engine.update_member_slug(
        &Caller::Visitor,
        &ann,
        "annie",
    )));
    assert_eq!(site.full(&ann)["profile"]["slug"], "ann");
}

#[test]
fn setting_the_slug_of_a_missing_member_is_not_found() {
    let site = Site::new();
    expect_not_found(block_on(site.engine.update_member_slug(
        &Caller::admin(),
        MISSING_ID,
        "ghost",
    )));
}

#[test]
fn a_freed_slug_may_be_taken_by_another_member() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    block_on(
        site.engine
            .update_current_member_slug(&member(&ann), "annie"),
    )
    .unwrap();
    block_on(site.engine.update_current_member_slug(&member(&bob), "Ann")).unwrap();
    assert_eq!(site.full(&bob)["profile"]["slug"], "Ann");
}
