//! Authentication (SPEC §10, docs/auth-contract.md): register, login, logout,
//! sessions and their expiry, the failed-login limits, the set-password flow,
//! changing the login email, and secrets never leaking into errors or logs.

mod common;

use common::auth::*;
use common::*;
use serde_json::{json, Value};
use universal_members::api::{Operation, Reply};
use universal_members::model::credentials::Secret;
use universal_members::model::ErrorCode;
use universal_members::service::{Caller, Context, LoginLimit, Moderation, SitePolicy};
use universal_members::store::MemoryStore;

// ---------------------------------------------------------------- register

#[test]
fn registering_on_an_auto_approval_site_logs_the_new_member_in() {
    let site = Site::new();
    let reply = call_in(
        &site,
        visitor(),
        Operation::Register {
            email: "ann@example.com".into(),
            password: Secret(PASSWORD.into()),
            options: json!({ "profile": { "nickname": "Ann" } }),
        },
    )
    .unwrap();
    assert_eq!(reply["status"], "ACTIVE");
    assert_eq!(reply["member"]["status"], "APPROVED");
    assert_eq!(reply["member"]["loginEmail"], "ann@example.com");
    assert_eq!(reply["member"]["profile"]["nickname"], "Ann");
    let ann = id_of(&reply["member"]);
    let token = reply["sessionToken"].as_str().expect("a session token");
    assert_session_of(&site, token, &ann);
}

#[test]
fn registering_on_a_manual_approval_site_waits_for_approval_without_a_session() {
    let site = Site::with_manual_approval();
    let registration = register(&site, "ann@example.com", PASSWORD).unwrap();
    assert_eq!(json!(registration.member)["status"], "PENDING");
    assert!(registration.session.is_none());
    let reply = Reply::Session(registration).to_json();
    assert_eq!(reply["status"], "PENDING");
    assert!(reply.get("sessionToken").is_none(), "{reply}");
}

#[test]
fn a_pending_member_can_not_log_in_until_approved() {
    let site = Site::with_manual_approval();
    let (ann, _) = register_ok(&site, "ann@example.com");
    expect_error(
        login(&site, "ann@example.com", PASSWORD),
        ErrorCode::PermissionDenied,
        "MEMBER_PENDING",
    );
    site.admin_moderate(&ann, Moderation::Approve);
    let token = login_ok(&site, "ann@example.com", PASSWORD);
    assert_session_of(&site, &token, &ann);
}

#[test]
fn registering_with_a_taken_email_is_refused_whatever_its_case_or_width() {
    let site = Site::new();
    let (ann, _) = register_ok(&site, "ann@example.com");
    site.clear_events();
    // Upper case, and fullwidth letters that NFKC folds to ASCII.
    for taken in [
        "ann@example.com",
        "ANN@Example.COM",
        "ａｎｎ@ｅｘａｍｐｌｅ.com",
    ] {
        expect_error(
            register(&site, taken, OTHER_PASSWORD),
            ErrorCode::AlreadyExists,
            "EMAIL_ALREADY_EXISTS",
        );
    }
    assert_eq!(site.total(), 1);
    assert!(site.events().is_empty(), "{:?}", site.event_slugs());
    // The member that has the email keeps its own password.
    expect_invalid_credentials(login(&site, "ann@example.com", OTHER_PASSWORD));
    let token = login_ok(&site, "ann@example.com", PASSWORD);
    assert_session_of(&site, &token, &ann);
}

#[test]
fn a_refused_registration_leaves_no_password_behind() {
    let site = Site::new();
    // The email belongs to a member without a password (made by an admin).
    let ann = site.add("ann@example.com", "Ann");
    expect_error(
        register(&site, "Ann@example.com", OTHER_PASSWORD),
        ErrorCode::AlreadyExists,
        "EMAIL_ALREADY_EXISTS",
    );
    expect_invalid_credentials(login(&site, "ann@example.com", OTHER_PASSWORD));
    // Nor does a later member of that email inherit it.
    block_on(site.engine.delete_member(&Caller::admin(), &ann)).unwrap();
    site.add("ann@example.com", "Ann again");
    expect_invalid_credentials(login(&site, "ann@example.com", OTHER_PASSWORD));
}

#[test]
fn a_password_must_be_8_to_256_characters_counted_as_characters() {
    let site = Site::new();
    for bad in [
        "x".repeat(7),
        "x".repeat(257),
        "é".repeat(7),   // 14 bytes, 7 characters
        "🔑".repeat(7),  // 28 bytes
        "é".repeat(257), // 514 bytes
        String::new(),
    ] {
        let error = expect_invalid(register(&site, "ann@example.com", &bad), "password");
        assert_eq!(error.data["field"], "password", "{error:?}");
    }
    assert_eq!(site.total(), 0, "no member is created");
    assert!(site.events().is_empty());
    // Lengths at the bounds, in characters (more bytes than the limit is fine).
    for (i, good) in [
        "x".repeat(8),
        "é".repeat(8),
        "🔑".repeat(8),
        "é".repeat(256),
    ]
    .iter()
    .enumerate()
    {
        let email = format!("ok{i}@example.com");
        register(&site, &email, good).unwrap_or_else(|e| panic!("{} chars: {e:?}", good.len()));
        login_ok(&site, &email, good);
    }
}

#[test]
fn registering_with_a_malformed_email_names_the_email() {
    let site = Site::new();
    expect_invalid(register(&site, "not-an-email", PASSWORD), "email");
    expect_invalid(register(&site, "", PASSWORD), "email");
    assert_eq!(site.total(), 0);
}

#[test]
fn register_options_shape_the_new_member() {
    let site = Site::new();
    let registration = block_on(site.engine.register(
        &visitor(),
        "ann@example.com",
        PASSWORD,
        &json!({
            "contactInfo": { "firstName": "Ann" },
            "profile": { "nickname": "Annie" },
            "privacyStatus": "PRIVATE"
        }),
    ))
    .unwrap();
    let view = json!(registration.member);
    assert_eq!(view["contact"]["firstName"], "Ann");
    assert_eq!(view["profile"]["nickname"], "Annie");
    assert_eq!(view["privacyStatus"], "PRIVATE");
    expect_invalid(
        block_on(site.engine.register(
            &visitor(),
            "bob@example.com",
            PASSWORD,
            &json!({ "status": "APPROVED" }),
        )),
        "options.status",
    );
}

// ---------------------------------------------------------------- login

#[test]
fn logging_in_with_the_right_password_starts_a_session_and_stamps_the_login_date() {
    let site = Site::new();
    let (ann, _) = member_with_session(&site, "ann@example.com");
    assert!(site
        .full(&ann)
        .get("lastLoginDate")
        .is_none_or(Value::is_null));
    let reply = call_in(
        &site,
        visitor(),
        Operation::Login {
            email: "ann@example.com".into(),
            password: Secret(PASSWORD.into()),
        },
    )
    .unwrap();
    assert_eq!(id_of(&reply["member"]), ann);
    let token = reply["sessionToken"].as_str().expect("a session token");
    assert_session_of(&site, token, &ann);
    let stamped = &site.full(&ann)["lastLoginDate"];
    assert!(stamped.is_string(), "lastLoginDate: {stamped}");
    assert_eq!(reply["member"]["lastLoginDate"], *stamped);
}

#[test]
fn logging_in_fires_one_updated_event() {
    let site = Site::new();
    let (ann, _) = member_with_session(&site, "ann@example.com");
    site.clear_events();
    login_ok(&site, "ann@example.com", PASSWORD);
    let events = site.take_events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["metadata"]["slug"], "updated");
    assert_eq!(events[0]["metadata"]["entityId"], ann);
}

#[test]
fn logging_in_ignores_the_case_of_the_email() {
    let site = Site::new();
    let (ann, _) = member_with_session(&site, "ann@example.com");
    let token = login_ok(&site, "ANN@Example.com", PASSWORD);
    assert_session_of(&site, &token, &ann);
}

#[test]
fn a_private_member_can_log_in() {
    let site = Site::new();
    let registration = block_on(site.engine.register(
        &visitor(),
        "ann@example.com",
        PASSWORD,
        &json!({ "privacyStatus": "PRIVATE" }),
    ))
    .unwrap();
    let ann = id_of(&json!(registration.member));
    let token = login_ok(&site, "ann@example.com", PASSWORD);
    assert_session_of(&site, &token, &ann);
}

#[test]
fn a_wrong_password_and_an_unknown_email_read_exactly_the_same() {
    let site = Site::new();
    member_with_session(&site, "ann@example.com");
    let wrong = expect_invalid_credentials(login(&site, "ann@example.com", OTHER_PASSWORD));
    let unknown = expect_invalid_credentials(login(&site, "nobody@example.com", OTHER_PASSWORD));
    let without = {
        site.add("bob@example.com", "Bob");
        expect_invalid_credentials(login(&site, "bob@example.com", OTHER_PASSWORD))
    };
    let too_short = expect_invalid_credentials(login(&site, "ann@example.com", "short"));
    for other in [&unknown, &without, &too_short] {
        assert_eq!(
            &wrong, other,
            "code, application code, message, data all equal"
        );
        assert_eq!(wrong.details(), other.details());
    }
}

#[test]
fn a_member_created_by_an_admin_can_not_log_in() {
    let site = Site::new();
    site.add("ann@example.com", "Ann");
    for password in [PASSWORD, "", "anything-at-all"] {
        expect_invalid_credentials(login(&site, "ann@example.com", password));
    }
}

#[test]
fn a_blocked_member_can_not_log_in() {
    let site = Site::new();
    let (ann, _) = member_with_session(&site, "ann@example.com");
    site.admin_moderate(&ann, Moderation::Block);
    expect_error(
        login(&site, "ann@example.com", PASSWORD),
        ErrorCode::PermissionDenied,
        "MEMBER_BLOCKED",
    );
    // The wrong password still reads as wrong credentials, not as "blocked".
    expect_invalid_credentials(login(&site, "ann@example.com", OTHER_PASSWORD));
}

#[test]
fn a_disconnected_member_can_not_log_in() {
    let site = Site::new();
    let (ann, _) = member_with_session(&site, "ann@example.com");
    site.admin_moderate(&ann, Moderation::Disconnect);
    expect_error(
        login(&site, "ann@example.com", PASSWORD),
        ErrorCode::PermissionDenied,
        "MEMBER_DISCONNECTED",
    );
}

// ---------------------------------------------------------------- sessions end

#[test]
fn blocking_a_member_ends_its_sessions_for_good() {
    let site = Site::new();
    let (ann, first) = member_with_session(&site, "ann@example.com");
    let second = login_ok(&site, "ann@example.com", PASSWORD);
    let (bob, bobs) = member_with_session(&site, "bob@example.com");
    site.admin_moderate(&ann, Moderation::Block);
    expect_session_invalid(&site, &first);
    expect_session_invalid(&site, &second);
    // Approving again does not bring the old sessions back.
    site.admin_moderate(&ann, Moderation::Approve);
    expect_session_invalid(&site, &first);
    expect_session_invalid(&site, &second);
    assert_session_of(&site, &bobs, &bob);
}

#[test]
fn disconnecting_a_member_ends_its_sessions() {
    let site = Site::new();
    let (ann, token) = member_with_session(&site, "ann@example.com");
    site.admin_moderate(&ann, Moderation::Disconnect);
    expect_session_invalid(&site, &token);
}

#[test]
fn deleting_a_member_ends_its_sessions() {
    let site = Site::new();
    let (ann, token) = member_with_session(&site, "ann@example.com");
    block_on(site.engine.delete_member(&Caller::admin(), &ann)).unwrap();
    expect_session_invalid(&site, &token);
}

#[test]
fn deleting_ones_own_member_ends_its_sessions() {
    let site = Site::new();
    let (_, token) = member_with_session(&site, "ann@example.com");
    let context = session(&site, &token).unwrap();
    call_in(
        &site,
        context,
        Operation::DeleteMyMember {
            content_assignee_id: None,
        },
    )
    .unwrap();
    expect_session_invalid(&site, &token);
}

#[test]
fn bulk_blocking_members_ends_their_sessions() {
    let site = Site::new();
    let mut guests = Vec::new();
    for name in ["ann", "bob"] {
        let registration = block_on(site.engine.register(
            &visitor(),
            &format!("{name}@example.com"),
            PASSWORD,
            &json!({ "profile": { "title": "Guest" } }),
        ))
        .unwrap();
        guests.push(registration.session.unwrap().token.reveal().to_string());
    }
    let (host, hosts) = member_with_session(&site, "host@example.com");
    block_on(site.engine.bulk_moderate(
        &Caller::admin(),
        &json!({ "profile.title": "Guest" }),
        Moderation::Block,
    ))
    .unwrap();
    for token in &guests {
        expect_session_invalid(&site, token);
    }
    assert_session_of(&site, &hosts, &host);
}

#[test]
fn a_token_that_was_never_issued_is_session_invalid() {
    let site = Site::new();
    member_with_session(&site, "ann@example.com");
    for junk in ["", "junk", &"A".repeat(43), &"A".repeat(44)] {
        expect_session_invalid(&site, junk);
    }
}

// ---------------------------------------------------------------- expiry, logout

#[test]
fn a_session_in_use_slides_forward_30_days_from_each_use() {
    let site = Site::new();
    let (ann, token) = member_with_session(&site, "ann@example.com");
    wait(&site, 29 * DAY);
    assert_session_of(&site, &token, &ann);
    wait(&site, 29 * DAY); // day 58: 29 days after its last use
    assert_session_of(&site, &token, &ann);
    wait(&site, 30 * DAY + MINUTE); // day 88: more than 30 days unused
    expect_session_invalid(&site, &token);
}

#[test]
fn an_unused_session_expires_after_30_days() {
    let site = Site::new();
    let (ann, unused) = member_with_session(&site, "ann@example.com");
    let used = login_ok(&site, "ann@example.com", PASSWORD);
    wait(&site, 30 * DAY - MINUTE);
    assert_session_of(&site, &used, &ann);
    wait(&site, 2 * MINUTE);
    expect_session_invalid(&site, &unused);
    assert_session_of(&site, &used, &ann);
    // Gone for good: it does not come back.
    expect_session_invalid(&site, &unused);
}

#[test]
fn logging_out_ends_only_that_session() {
    let site = Site::new();
    let (ann, first) = member_with_session(&site, "ann@example.com");
    let second = login_ok(&site, "ann@example.com", PASSWORD);
    let context = session(&site, &first).unwrap();
    assert_eq!(
        call_in(&site, context, Operation::Logout).unwrap(),
        Value::Null
    );
    expect_session_invalid(&site, &first);
    assert_session_of(&site, &second, &ann);
}

#[test]
fn logging_out_without_a_session_is_refused_and_ends_nothing() {
    let site = Site::new();
    let (ann, token) = member_with_session(&site, "ann@example.com");
    expect_unauthenticated(call_in(&site, visitor(), Operation::Logout));
    // A member caller without a session (in process) has nothing to end either.
    expect_unauthenticated(call_in(&site, Context::of(member(&ann)), Operation::Logout));
    assert_session_of(&site, &token, &ann);
}

// ---------------------------------------------------------------- login limits

#[test]
fn too_many_failed_logins_lock_the_email_even_for_the_right_password() {
    let site = limited_site(3, 100, 15 * MINUTE);
    member_with_session(&site, "ann@example.com");
    for _ in 0..3 {
        expect_invalid_credentials(login(&site, "ann@example.com", OTHER_PASSWORD));
    }
    let error = expect_rate_limited(login(&site, "ann@example.com", PASSWORD));
    let retry = error.data["retryAfterSeconds"].as_i64().unwrap();
    assert!(retry <= 15 * 60, "at most the window: {retry}");
    expect_rate_limited(login(&site, "ann@example.com", OTHER_PASSWORD));
    // Another email is not locked.
    member_with_session(&site, "bob@example.com");
    login_ok(&site, "bob@example.com", PASSWORD);
}

#[test]
fn failures_count_for_an_email_whatever_its_case() {
    let site = limited_site(3, 100, 15 * MINUTE);
    member_with_session(&site, "ann@example.com");
    for email in ["ann@example.com", "ANN@example.com", "Ann@Example.Com"] {
        expect_invalid_credentials(login(&site, email, OTHER_PASSWORD));
    }
    expect_rate_limited(login(&site, "ann@example.com", PASSWORD));
}

#[test]
fn a_locked_email_opens_again_once_the_window_has_passed() {
    let site = limited_site(3, 100, 15 * MINUTE);
    let (ann, _) = member_with_session(&site, "ann@example.com");
    for _ in 0..3 {
        expect_invalid_credentials(login(&site, "ann@example.com", OTHER_PASSWORD));
    }
    wait(&site, 10 * MINUTE);
    let error = expect_rate_limited(login(&site, "ann@example.com", PASSWORD));
    let retry = error.data["retryAfterSeconds"].as_i64().unwrap();
    assert!(
        (4 * 60..=5 * 60).contains(&retry),
        "about 5 minutes left: {retry}"
    );
    wait(&site, 5 * MINUTE + 1000);
    let token = login_ok(&site, "ann@example.com", PASSWORD);
    assert_session_of(&site, &token, &ann);
}

#[test]
fn a_successful_login_clears_the_emails_failures() {
    let site = limited_site(3, 100, 15 * MINUTE);
    member_with_session(&site, "ann@example.com");
    for _ in 0..2 {
        expect_invalid_credentials(login(&site, "ann@example.com", OTHER_PASSWORD));
    }
    login_ok(&site, "ann@example.com", PASSWORD);
    for _ in 0..2 {
        expect_invalid_credentials(login(&site, "ann@example.com", OTHER_PASSWORD));
    }
    // 4 failures in the window, but never 3 in a row: still open.
    login_ok(&site, "ann@example.com", PASSWORD);
}

#[test]
fn failures_from_one_address_count_across_emails() {
    let site = limited_site(100, 3, 15 * MINUTE);
    member_with_session(&site, "ann@example.com");
    for email in ["x@example.com", "y@example.com", "z@example.com"] {
        expect_invalid_credentials(login_from(&site, "203.0.113.7", email, OTHER_PASSWORD));
    }
    // Locked from that address, for every email, right password included.
    expect_rate_limited(login_from(
        &site,
        "203.0.113.7",
        "ann@example.com",
        PASSWORD,
    ));
    // From elsewhere the email is fine (its own counter is low).
    login_from(&site, "198.51.100.1", "ann@example.com", PASSWORD).unwrap();
    // A success does not clear the address's counter.
    expect_rate_limited(login_from(
        &site,
        "203.0.113.7",
        "ann@example.com",
        PASSWORD,
    ));
    wait(&site, 15 * MINUTE + 1000);
    login_from(&site, "203.0.113.7", "ann@example.com", PASSWORD).unwrap();
}

#[test]
fn login_limits_apply_through_the_api() {
    let site = limited_site(2, 100, 15 * MINUTE);
    member_with_session(&site, "ann@example.com");
    let login_op = |password: &str| Operation::Login {
        email: "ann@example.com".into(),
        password: Secret(password.into()),
    };
    for _ in 0..2 {
        expect_invalid_credentials(call_in(&site, visitor(), login_op(OTHER_PASSWORD)));
    }
    let error = expect_rate_limited(call_in(&site, visitor(), login_op(PASSWORD)));
    assert_eq!(error.http_status(), 429);
    assert!(
        error.details()["applicationError"]["data"]["retryAfterSeconds"].as_i64() > Some(0),
        "{:?}",
        error.details()
    );
}

// ---------------------------------------------------------------- set password

#[test]
fn send_set_password_email_mails_a_link_to_the_members_login_email() {
    let (site, outbox) = mail_site();
    site.add("ann@example.com", "Ann");
    let before = site.clock.get();
    call_in(
        &site,
        visitor(),
        Operation::SendSetPasswordEmail {
            email: "ANN@example.com".into(),
        },
    )
    .unwrap();
    let mails = outbox.borrow();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.template, "set-password");
    assert_eq!(mail.to, "ann@example.com", "the login email as stored");
    assert_eq!(mail.token.reveal().len(), 43);
    let ttl = mail.expires.millis() - before;
    assert!((3 * HOUR..3 * HOUR + MINUTE).contains(&ttl), "ttl {ttl}");
}

#[test]
fn send_set_password_email_for_an_unknown_email_succeeds_and_sends_nothing() {
    let (site, outbox) = mail_site();
    site.add("ann@example.com", "Ann");
    send_set_password_email(&site, "nobody@example.com").unwrap();
    assert!(outbox.borrow().is_empty());
}

#[test]
fn send_set_password_email_with_a_malformed_email_is_invalid() {
    let (site, outbox) = mail_site();
    for bad in ["not-an-email", "", "ann@", "@example.com"] {
        expect_invalid(send_set_password_email(&site, bad), "email");
    }
    assert!(outbox.borrow().is_empty());
}

#[test]
fn send_set_password_email_without_a_mailer_fails_the_same_for_any_email() {
    let site = Site::new();
    site.add("ann@example.com", "Ann");
    let known = expect_precondition(send_set_password_email(&site, "ann@example.com"));
    let unknown = expect_precondition(send_set_password_email(&site, "nobody@example.com"));
    assert_eq!(known, unknown);
    assert_eq!(known.application_code, "MAIL_NOT_CONFIGURED");
}

#[test]
fn a_member_created_by_an_admin_logs_in_after_setting_a_password() {
    let (site, outbox) = mail_site();
    let ann = site.add("ann@example.com", "Ann");
    let token = set_password_token(&site, &outbox, "ann@example.com");
    call_in(
        &site,
        visitor(),
        Operation::SetPassword {
            token: Secret(token),
            password: Secret(PASSWORD.into()),
        },
    )
    .unwrap();
    let session = login_ok(&site, "ann@example.com", PASSWORD);
    assert_session_of(&site, &session, &ann);
}

#[test]
fn a_set_password_token_works_only_once() {
    let (site, outbox) = mail_site();
    site.add("ann@example.com", "Ann");
    let token = set_password_token(&site, &outbox, "ann@example.com");
    set_password(&site, &token, PASSWORD).unwrap();
    expect_invalid_token(set_password(&site, &token, OTHER_PASSWORD));
    login_ok(&site, "ann@example.com", PASSWORD);
    expect_invalid_credentials(login(&site, "ann@example.com", OTHER_PASSWORD));
}

#[test]
fn a_too_short_password_does_not_use_up_the_token() {
    let (site, outbox) = mail_site();
    site.add("ann@example.com", "Ann");
    let token = set_password_token(&site, &outbox, "ann@example.com");
    expect_invalid(set_password(&site, &token, "short"), "password");
    expect_invalid(set_password(&site, &token, &"x".repeat(257)), "password");
    set_password(&site, &token, PASSWORD).unwrap();
    login_ok(&site, "ann@example.com", PASSWORD);
}

#[test]
fn a_set_password_token_expires_after_3_hours() {
    let (site, outbox) = mail_site();
    site.add("ann@example.com", "Ann");
    let late = set_password_token(&site, &outbox, "ann@example.com");
    wait(&site, 3 * HOUR + MINUTE);
    expect_invalid_token(set_password(&site, &late, PASSWORD));
    expect_invalid_credentials(login(&site, "ann@example.com", PASSWORD));
    // A token used within the 3 hours works.
    let timely = set_password_token(&site, &outbox, "ann@example.com");
    wait(&site, 3 * HOUR - MINUTE);
    set_password(&site, &timely, PASSWORD).unwrap();
    login_ok(&site, "ann@example.com", PASSWORD);
}

#[test]
fn a_token_that_was_never_issued_is_invalid() {
    let (site, _) = mail_site();
    site.add("ann@example.com", "Ann");
    for junk in ["", "junk", &"A".repeat(43)] {
        expect_invalid_token(set_password(&site, junk, PASSWORD));
    }
}

#[test]
fn setting_a_password_ends_the_members_sessions_and_the_new_one_logs_in() {
    let (site, outbox) = mail_site();
    let (ann, first) = member_with_session(&site, "ann@example.com");
    let second = login_ok(&site, "ann@example.com", PASSWORD);
    let (bob, bobs) = member_with_session(&site, "bob@example.com");
    let token = set_password_token(&site, &outbox, "ann@example.com");
    set_password(&site, &token, OTHER_PASSWORD).unwrap();
    expect_session_invalid(&site, &first);
    expect_session_invalid(&site, &second);
    assert_session_of(&site, &bobs, &bob);
    expect_invalid_credentials(login(&site, "ann@example.com", PASSWORD));
    let fresh = login_ok(&site, "ann@example.com", OTHER_PASSWORD);
    assert_session_of(&site, &fresh, &ann);
}

#[test]
fn setting_a_password_voids_the_members_other_set_password_tokens() {
    let (site, outbox) = mail_site();
    site.add("ann@example.com", "Ann");
    let first = set_password_token(&site, &outbox, "ann@example.com");
    let second = set_password_token(&site, &outbox, "ann@example.com");
    assert_ne!(first, second);
    set_password(&site, &second, PASSWORD).unwrap();
    expect_invalid_token(set_password(&site, &first, OTHER_PASSWORD));
    login_ok(&site, "ann@example.com", PASSWORD);
}

#[test]
fn two_set_passwords_racing_with_one_token_only_one_wins() {
    let (site, outbox) = with_outbox(Site::over(YieldingStore::default(), SitePolicy::default()));
    register_ok(&site, "ann@example.com");
    let token = set_password_token(&site, &outbox, "ann@example.com");
    let (a, b) = block_on(join2(
        site.engine.set_password(&token, "first new password"),
        site.engine.set_password(&token, "second new password"),
    ));
    assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} {b:?}");
    let (winner, loser, failed) = if a.is_ok() {
        ("first new password", "second new password", b)
    } else {
        ("second new password", "first new password", a)
    };
    expect_invalid_token(failed);
    login_ok(&site, "ann@example.com", winner);
    expect_invalid_credentials(login(&site, "ann@example.com", loser));
    expect_invalid_credentials(login(&site, "ann@example.com", PASSWORD));
}

#[test]
fn a_login_racing_a_password_reset_leaves_no_session_of_the_old_password() {
    let (site, outbox) = with_outbox(Site::over(YieldingStore::default(), SitePolicy::default()));
    register_ok(&site, "ann@example.com");
    let token = set_password_token(&site, &outbox, "ann@example.com");
    let (logged_in, reset) = block_on(join2(
        site.engine.login(&visitor(), "ann@example.com", PASSWORD),
        site.engine.set_password(&token, OTHER_PASSWORD),
    ));
    reset.unwrap();
    // Either order is fine: a login before the reset is ended by it, one after
    // it fails. In no order does the old password keep a session.
    if let Ok(registration) = logged_in {
        let old = registration.session.unwrap().token.reveal().to_string();
        expect_session_invalid(&site, &old);
    }
}

#[test]
fn concurrent_failed_logins_can_not_exceed_the_limit() {
    let policy = SitePolicy {
        login_limit: LoginLimit {
            per_email: 1,
            per_address: 100,
            window_ms: 15 * MINUTE,
        },
        ..SitePolicy::default()
    };
    let site = Site::over(YieldingStore::default(), policy);
    register_ok(&site, "ann@example.com");
    let (a, b) = block_on(join2(
        site.engine
            .login(&visitor(), "ann@example.com", "guess number one"),
        site.engine
            .login(&visitor(), "ann@example.com", "guess number two"),
    ));
    let limited = [&a, &b]
        .iter()
        .filter(|r| {
            r.as_ref()
                .is_err_and(|e| e.application_code == "RATE_LIMITED")
        })
        .count();
    assert_eq!(
        limited, 1,
        "one guess is allowed, the other refused: {a:?} {b:?}"
    );
}

// ---------------------------------------------------------------- login email

#[test]
fn a_member_can_change_its_own_login_email_once_the_new_one_is_verified() {
    let (site, outbox) = mail_site();
    let (ann, token) = member_with_session(&site, "ann@example.com");
    let context = session(&site, &token).unwrap();
    let reply = call_in(
        &site,
        context,
        Operation::ChangeLoginEmail {
            id: ann.clone(),
            new_email: "ann@new.example.com".into(),
        },
    )
    .unwrap();
    // Nothing changes until the new address proves it is hers.
    assert_eq!(reply["loginEmail"], "ann@example.com");
    login_ok(&site, "ann@example.com", PASSWORD);
    let code = code_mailed_to(&outbox, "ann@new.example.com");
    verify_code(&site, &code, "ann@new.example.com").unwrap();
    assert_eq!(site.full(&ann)["loginEmail"], "ann@new.example.com");
    assert_eq!(site.full(&ann)["loginEmailVerified"], true);
    let fresh = login_ok(&site, "ann@new.example.com", PASSWORD);
    assert_session_of(&site, &fresh, &ann);
    expect_invalid_credentials(login(&site, "ann@example.com", PASSWORD));
}

#[test]
fn a_member_can_not_change_another_members_login_email() {
    let site = Site::new();
    let (ann, _) = member_with_session(&site, "ann@example.com");
    let (bob, _) = member_with_session(&site, "bob@example.com");
    expect_denied(change_login_email(
        &site,
        &member(&bob),
        &ann,
        "mine@example.com",
    ));
    assert_eq!(site.full(&ann)["loginEmail"], "ann@example.com");
}

#[test]
fn a_visitor_can_not_change_a_login_email() {
    let site = Site::new();
    let (ann, _) = member_with_session(&site, "ann@example.com");
    expect_error(
        change_login_email(&site, &Caller::Visitor, &ann, "mine@example.com"),
        ErrorCode::Unauthenticated,
        "UNAUTHENTICATED",
    );
    assert_eq!(site.full(&ann)["loginEmail"], "ann@example.com");
}

#[test]
fn changing_to_a_taken_login_email_is_refused() {
    let site = Site::new();
    let (ann, _) = member_with_session(&site, "ann@example.com");
    site.add("bob@example.com", "Bob");
    for taken in ["bob@example.com", "BOB@Example.com"] {
        expect_error(
            change_login_email(&site, &member(&ann), &ann, taken),
            ErrorCode::AlreadyExists,
            "EMAIL_ALREADY_EXISTS",
        );
    }
    assert_eq!(site.full(&ann)["loginEmail"], "ann@example.com");
    login_ok(&site, "ann@example.com", PASSWORD);
}

#[test]
fn changing_to_a_malformed_login_email_names_the_new_email() {
    let site = Site::new();
    let (ann, _) = member_with_session(&site, "ann@example.com");
    expect_invalid(
        change_login_email(&site, &member(&ann), &ann, "not-an-email"),
        "newEmail",
    );
    expect_invalid(
        change_login_email(&site, &member(&ann), &ann, ""),
        "newEmail",
    );
}

#[test]
fn an_admin_may_change_anyones_login_email() {
    let site = Site::new();
    let (ann, _) = member_with_session(&site, "ann@example.com");
    let (bob, _) = member_with_session(&site, "bob@example.com");
    for (i, caller) in [Caller::admin(), admin_as(&bob)].iter().enumerate() {
        let email = format!("ann+{i}@example.com");
        let view = change_login_email(&site, caller, &ann, &email).unwrap();
        assert_eq!(view["loginEmail"], email.as_str());
        login_ok(&site, &email, PASSWORD);
        change_login_email(&site, caller, &ann, "ann@example.com").unwrap();
    }
}

// ---------------------------------------------------------------- secrets

/// Checks that no form of `text` shows `secret`.
fn assert_hidden(text: &str, secret: &str, what: &str) {
    assert!(!secret.is_empty());
    assert!(
        !text.contains(secret),
        "{what} shows a secret ({secret}): {text}"
    );
}

#[test]
fn operations_never_print_passwords_or_tokens() {
    let token = "Tk9UX0FfUkVBTF9UT0tFTl9CVVRfTE9PS1NfTElLRTE";
    let operations = [
        Operation::Register {
            email: "ann@example.com".into(),
            password: Secret(PASSWORD.into()),
            options: Value::Null,
        },
        Operation::Login {
            email: "ann@example.com".into(),
            password: Secret(PASSWORD.into()),
        },
        Operation::SetPassword {
            token: Secret(token.into()),
            password: Secret(PASSWORD.into()),
        },
    ];
    for operation in &operations {
        let printed = format!("{operation:?}");
        assert_hidden(&printed, PASSWORD, "Debug of an operation");
        assert_hidden(&printed, token, "Debug of an operation");
        let pretty = format!("{operation:#?}");
        assert_hidden(&pretty, PASSWORD, "pretty Debug of an operation");
        assert_hidden(&pretty, token, "pretty Debug of an operation");
    }
}

#[test]
fn replies_and_mails_print_no_tokens() {
    let (site, outbox) = mail_site();
    let registration = register(&site, "ann@example.com", PASSWORD).unwrap();
    let session = registration
        .session
        .as_ref()
        .unwrap()
        .token
        .reveal()
        .to_string();
    assert_hidden(
        &format!("{registration:?}"),
        &session,
        "Debug of a registration",
    );
    let reply = Reply::Session(registration);
    assert_hidden(&format!("{reply:?}"), &session, "Debug of a reply");
    assert_hidden(&reply.to_json().to_string(), PASSWORD, "a register reply");
    let token = set_password_token(&site, &outbox, "ann@example.com");
    let mails = outbox.borrow();
    assert_hidden(&format!("{:?}", mails[0]), &token, "Debug of a mail");
}

#[test]
fn errors_never_contain_the_password_or_token() {
    let (site, outbox) = limited_site_with_outbox();
    let (ann, _) = member_with_session(&site, "ann@example.com");
    let token = set_password_token(&site, &outbox, "ann@example.com");
    let short = "seven77";
    let long = "L".repeat(257);
    let near = format!("{}X", &PASSWORD[..PASSWORD.len() - 1]);
    let mut errors = vec![
        error_of(register(&site, "bob@example.com", short)),
        error_of(register(&site, "bob@example.com", &long)),
        error_of(register(&site, "ann@example.com", &near)),
        error_of(login(&site, "ann@example.com", &near)),
        error_of(login(&site, "nobody@example.com", &near)),
        error_of(set_password(&site, &token, short)),
        error_of(set_password(&site, &token[..42], &near)),
        error_of(set_password(&site, &format!("{token}x"), &near)),
    ];
    set_password(&site, &token, &near).unwrap();
    errors.push(error_of(set_password(&site, &token, &near)));
    site.admin_moderate(&ann, Moderation::Block);
    errors.push(error_of(login(&site, "ann@example.com", &near)));
    for _ in 0..3 {
        let _ = login(&site, "ann@example.com", PASSWORD);
    }
    errors.push(error_of(login(&site, "ann@example.com", &near)));
    for error in &errors {
        for secret in [
            short,
            long.as_str(),
            near.as_str(),
            PASSWORD,
            &token,
            &token[..42],
        ] {
            assert_hidden(&error.message, secret, "an error message");
            assert_hidden(&format!("{error:?}"), secret, "Debug of an error");
            assert_hidden(&error.details().to_string(), secret, "error details");
        }
    }
}

/// A site with an outbox and a login limit of 3 per email.
fn limited_site_with_outbox() -> (Site<MemoryStore>, Outbox) {
    with_outbox(limited_site(3, 100, 15 * MINUTE))
}

// ------------------------------------------------- review: limits and links

#[test]
fn what_can_not_be_an_email_fails_login_without_counting_or_storing_it() {
    let site = limited_site(1, 1, 15 * MINUTE);
    let huge = format!("{}@example.com", "a".repeat(100_000));
    for _ in 0..5 {
        // Never RATE_LIMITED: nothing was counted under a key made of it.
        expect_invalid_credentials(login_from(&site, "203.0.113.1", &huge, PASSWORD));
        expect_invalid_credentials(login_from(&site, "203.0.113.1", "not an email", PASSWORD));
    }
}

#[test]
fn a_network_over_its_limit_does_not_touch_the_counters_of_new_emails() {
    let site = limited_site(1, 2, 15 * MINUTE);
    register_ok(&site, "carol@example.com");
    expect_invalid_credentials(login_from(
        &site,
        "203.0.113.1",
        "a@example.com",
        "wrong guess",
    ));
    expect_invalid_credentials(login_from(
        &site,
        "203.0.113.1",
        "b@example.com",
        "wrong guess",
    ));
    expect_rate_limited(login_from(
        &site,
        "203.0.113.1",
        "carol@example.com",
        "wrong guess",
    ));
    // Carol's own counter was not reached: from elsewhere she logs in.
    login_from(&site, "198.51.100.7", "carol@example.com", PASSWORD).unwrap();
}

#[test]
fn an_ipv6_subscriber_can_not_dodge_the_limit_by_changing_addresses() {
    let site = limited_site(100, 2, 15 * MINUTE);
    register_ok(&site, "ann@example.com");
    expect_invalid_credentials(login_from(
        &site,
        "2001:db8:1:2::1",
        "ann@example.com",
        "wrong guess",
    ));
    expect_invalid_credentials(login_from(
        &site,
        "2001:db8:1:2::2",
        "ann@example.com",
        "wrong guess",
    ));
    expect_rate_limited(login_from(
        &site,
        "2001:db8:1:2:ffff::3",
        "ann@example.com",
        PASSWORD,
    ));
}

#[test]
fn registrations_are_limited_per_client_network() {
    let site = limited_site(100, 2, 15 * MINUTE);
    let from = from_address("203.0.113.1");
    let register_from =
        |email: &str| block_on(site.engine.register(&from, email, PASSWORD, &Value::Null));
    register_from("a@example.com").unwrap();
    register_from("b@example.com").unwrap();
    expect_rate_limited(register_from("c@example.com"));
    wait(&site, 15 * MINUTE);
    register_from("c@example.com").unwrap();
}

#[test]
fn registering_a_taken_email_is_refused_before_any_hashing() {
    let site = Site::new();
    register_ok(&site, "ann@example.com");
    let error = register(&site, "ANN@example.com", PASSWORD).unwrap_err();
    assert_eq!(error.application_code, "EMAIL_ALREADY_EXISTS");
}

#[test]
fn set_password_mails_are_limited_per_email_known_or_not() {
    let (site, outbox) = with_outbox(limited_site(2, 100, 15 * MINUTE));
    register_ok(&site, "ann@example.com");
    for email in ["ann@example.com", "nobody@example.com"] {
        send_set_password_email(&site, email).unwrap();
        send_set_password_email(&site, email).unwrap();
        expect_rate_limited(send_set_password_email(&site, email));
    }
    assert_eq!(outbox.borrow().len(), 2, "only the member got mail");
}

#[test]
fn a_newer_set_password_link_replaces_the_older_one() {
    let (site, outbox) = mail_site();
    register_ok(&site, "ann@example.com");
    let first = set_password_token(&site, &outbox, "ann@example.com");
    let second = set_password_token(&site, &outbox, "ann@example.com");
    expect_invalid_token(set_password(&site, &first, OTHER_PASSWORD));
    set_password(&site, &second, OTHER_PASSWORD).unwrap();
    login_ok(&site, "ann@example.com", OTHER_PASSWORD);
}

#[test]
fn changing_the_login_email_voids_links_mailed_to_the_old_one() {
    let (site, outbox) = mail_site();
    let (id, _) = register_ok(&site, "ann@example.com");
    let token = set_password_token(&site, &outbox, "ann@example.com");
    change_login_email(&site, &member(&id), &id, "ann@example.org").unwrap();
    let code = code_mailed_to(&outbox, "ann@example.org");
    verify_code(&site, &code, "ann@example.org").unwrap();
    expect_invalid_token(set_password(&site, &token, OTHER_PASSWORD));
    login_ok(&site, "ann@example.org", PASSWORD);
}

#[test]
fn a_login_racing_a_block_never_returns_a_session_for_a_blocked_member() {
    let site = Site::over(YieldingStore::default(), SitePolicy::default());
    let (id, _) = register_ok(&site, "ann@example.com");
    let (logged_in, blocked) = block_on(join2(
        site.engine.login(&visitor(), "ann@example.com", PASSWORD),
        site.engine
            .moderate(&Caller::admin(), &id, Moderation::Block),
    ));
    blocked.unwrap();
    match logged_in {
        Ok(registration) => {
            // The login finished first: the block then ended its session.
            assert_eq!(json!(registration.member)["status"], "APPROVED");
            expect_session_invalid(&site, registration.session.unwrap().token.reveal());
        }
        Err(error) => assert_eq!(error.application_code, "MEMBER_BLOCKED"),
    }
}
