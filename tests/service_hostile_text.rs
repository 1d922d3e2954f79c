//! Text that shows as something it is not (SPEC §2, §6, the characters rule in
//! `model::characters`): invisible characters and mixed scripts in emails and
//! slugs, controls and bidi overrides in free text. Each is refused naming the
//! field, and nothing is written.

mod common;

use common::*;
use serde_json::json;
use universal_members::model::ErrorCode;
use universal_members::service::{Caller, Context};

#[test]
fn an_email_with_a_zero_width_space_is_refused_beside_the_plain_one() {
    let site = Site::new();
    site.create(email_only("ab@x.com"));
    site.clear_events();
    for email in [
        "a\u{200b}b@x.com",
        "a\u{200c}b@x.com",
        "a\u{200d}b@x.com",
        "a\u{2060}b@x.com",
        "\u{feff}ab@x.com",
        "ab@x.com\u{202e}",
        "a\u{2066}b@x.com",
    ] {
        let error = expect_invalid(
            block_on(
                site.engine
                    .create_member(&Caller::admin(), email_only(email)),
            ),
            "member.loginEmail",
        );
        assert!(error.message.contains("invisible"), "{error:?}");
    }
    assert_eq!(site.total(), 1);
    assert!(site.events().is_empty(), "{:?}", site.event_slugs());
}

#[test]
fn a_mixed_script_look_alike_email_is_refused_naming_the_scripts() {
    let site = Site::new();
    let error = expect_invalid(
        block_on(
            site.engine
                .create_member(&Caller::admin(), email_only("p\u{430}ypal@example.com")),
        ),
        "member.loginEmail",
    );
    assert!(error.message.contains("Latin and Cyrillic"), "{error:?}");
    expect_invalid(
        block_on(site.engine.create_member(
            &Caller::admin(),
            json!({ "loginEmail": "ann@example.com", "contact": { "emails": ["ann@p\u{430}ypal.com"] } }),
        )),
        "member.contact.emails[0]",
    );
    assert_eq!(site.total(), 0);
    // One script per part is fine, whatever the script.
    site.create(email_only("иван@пример.рф"));
    assert_eq!(site.total(), 1);
}

#[test]
fn registering_with_an_invisible_character_in_the_email_is_refused() {
    let site = Site::new();
    let result = block_on(site.engine.register(
        &Context::of(Caller::Visitor),
        "a\u{200b}b@x.com",
        "correct horse battery",
        &json!({}),
    ));
    let error = expect_invalid(result, "email");
    assert!(error.message.contains("U+200B"), "{error:?}");
    assert_eq!(site.total(), 0);
}

#[test]
fn an_explicit_slug_with_an_invisible_character_or_mixed_scripts_is_refused() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    for slug in ["a\u{200b}nn", "ann\u{202e}", "p\u{430}ypal", "\u{feff}ann"] {
        expect_invalid(
            block_on(site.engine.update_member_slug(&Caller::admin(), &ann, slug)),
            "slug",
        );
    }
    assert_eq!(site.full(&ann)["profile"]["slug"], "ann");
}

#[test]
fn a_look_alike_nickname_does_not_make_a_look_alike_slug() {
    let site = Site::new();
    let view = site.create(json!({
        "loginEmail": "bob@example.com",
        "profile": { "nickname": "P\u{430}ypal" },
    }));
    assert_eq!(view["profile"]["slug"], "bob");
    assert_eq!(view["profile"]["nickname"], "P\u{430}ypal");
}

#[test]
fn a_bidi_override_in_a_nickname_is_refused_and_nothing_changes() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    site.clear_events();
    let error = expect_invalid(
        site.update(
            &Caller::admin(),
            &ann,
            json!({ "profile": { "nickname": "evil\u{202e}gpj.exe" } }),
        ),
        "member.profile.nickname",
    );
    assert_eq!(error.violations[0].violated_rule, "CHARACTERS");
    expect_invalid(
        site.update(
            &Caller::admin(),
            &ann,
            json!({ "contact": { "firstName": "nul\u{0}byte" } }),
        ),
        "member.contact.firstName",
    );
    assert_eq!(site.full(&ann)["profile"]["nickname"], "Ann");
    assert!(site.events().is_empty(), "{:?}", site.event_slugs());
}

#[test]
fn a_full_width_slug_is_the_same_slug_not_an_invalid_one() {
    let site = Site::new();
    site.add("ann@example.com", "Ann");
    let bob = site.add("bob@example.com", "Bob");
    expect_error(
        block_on(
            site.engine
                .update_member_slug(&Caller::admin(), &bob, "ａｎｎ"),
        ),
        ErrorCode::AlreadyExists,
        "SLUG_ALREADY_EXISTS",
    );
}
