//! Account security (SPEC §10, docs/auth-contract.md): the verified-email
//! policy, codes and links (single use, 24 h, five wrong codes, a newer mail
//! voids the older), a member's own login-email change, the member's sessions,
//! and page admins' sign-in. The Node suite runs the same flows on SQLite and
//! PostgreSQL and over HTTP (tests/js/account-security.test.mjs).

mod common;

use common::auth::*;
use common::*;
use serde_json::{json, Value};
use universal_members::api::Operation;
use universal_members::model::ErrorCode;
use universal_members::service::{Caller, Context, LoginLimit, SitePolicy, VerificationPolicy};

/// A site that requires verified emails, with an outbox.
fn verifying_site() -> (Site, Outbox) {
    with_outbox(Site::with_policy(SitePolicy {
        email_verification: VerificationPolicy::Required,
        ..SitePolicy::default()
    }))
}

fn expect_verification_invalid<T: std::fmt::Debug>(
    result: universal_members::model::MembersResult<T>,
) {
    let error = expect_invalid(result, "codeOrToken");
    assert_eq!(error.application_code, "VERIFICATION_INVALID", "{error:?}");
}

fn send_verification(site: &Site, email: &str) {
    block_on(site.engine.send_verification_email(&visitor(), email))
        .expect("sendVerificationEmail");
}

fn mails_to(outbox: &Outbox, to: &str) -> usize {
    outbox.borrow().iter().filter(|m| m.to == to).count()
}

/// A context of the session `token`, from a browser.
fn in_session(site: &Site, token: &str, user_agent: Option<&str>) -> Context {
    let mut context = session(site, token).expect("a live session");
    context.user_agent = user_agent.map(str::to_string);
    context
}

// ---------------------------------------------------------------- verified email

#[test]
fn under_required_a_new_member_logs_in_only_after_verifying_its_email() {
    let (site, outbox) = verifying_site();
    let (id, session) = register_ok(&site, "ann@example.com");
    assert_eq!(session, None, "no session before the email is verified");
    assert_eq!(site.full(&id)["loginEmailVerified"], false);
    let error = expect_denied(login(&site, "ann@example.com", PASSWORD));
    assert_eq!(error.application_code, "EMAIL_NOT_VERIFIED");
    let code = code_mailed_to(&outbox, "ann@example.com");
    assert_eq!(code.len(), 6);
    let verified = verify_code(&site, &code, "ANN@example.com").unwrap();
    let token = verified
        .session
        .expect("an approved member gets a session")
        .token;
    assert_session_of(&site, token.reveal(), &id);
    assert_eq!(site.full(&id)["loginEmailVerified"], true);
    login_ok(&site, "ann@example.com", PASSWORD);
}

#[test]
fn under_off_members_log_in_unverified_and_can_still_verify() {
    let (site, outbox) = mail_site();
    let (id, session) = register_ok(&site, "ann@example.com");
    assert!(session.is_some());
    assert_eq!(outbox.borrow().len(), 0, "no mail unless asked");
    login_ok(&site, "ann@example.com", PASSWORD);
    send_verification(&site, "ann@example.com");
    let link = link_mailed_to(&outbox, "ann@example.com");
    verify_link(&site, &link).unwrap();
    assert_eq!(site.full(&id)["loginEmailVerified"], true);
    // A verified member gets no more verification mail.
    send_verification(&site, "ann@example.com");
    assert_eq!(mails_to(&outbox, "ann@example.com"), 1);
}

#[test]
fn the_fifth_wrong_code_voids_the_verification_and_four_do_not() {
    for (wrong, works) in [(4, true), (5, false)] {
        let (site, outbox) = verifying_site();
        register_ok(&site, "ann@example.com");
        let code = code_mailed_to(&outbox, "ann@example.com");
        let other = if code == "000000" { "000001" } else { "000000" };
        for _ in 0..wrong {
            expect_verification_invalid(verify_code(&site, other, "ann@example.com"));
        }
        let result = verify_code(&site, &code, "ann@example.com");
        assert_eq!(
            result.is_ok(),
            works,
            "after {wrong} wrong codes: {result:?}"
        );
    }
}

#[test]
fn a_new_mail_voids_the_older_code_and_link() {
    let (site, outbox) = verifying_site();
    register_ok(&site, "ann@example.com");
    let old_code = code_mailed_to(&outbox, "ann@example.com");
    let old_link = link_mailed_to(&outbox, "ann@example.com");
    send_verification(&site, "ann@example.com");
    let new_code = code_mailed_to(&outbox, "ann@example.com");
    if new_code != old_code {
        expect_verification_invalid(verify_code(&site, &old_code, "ann@example.com"));
    }
    expect_verification_invalid(verify_link(&site, &old_link));
    verify_code(&site, &new_code, "ann@example.com").unwrap();
}

#[test]
fn a_link_works_once_and_a_code_not_after_it() {
    let (site, outbox) = verifying_site();
    register_ok(&site, "ann@example.com");
    let code = code_mailed_to(&outbox, "ann@example.com");
    let link = link_mailed_to(&outbox, "ann@example.com");
    verify_link(&site, &link).unwrap();
    expect_verification_invalid(verify_link(&site, &link));
    expect_verification_invalid(verify_code(&site, &code, "ann@example.com"));
}

#[test]
fn codes_and_links_expire_after_24_hours() {
    let (site, outbox) = verifying_site();
    register_ok(&site, "ann@example.com");
    let code = code_mailed_to(&outbox, "ann@example.com");
    let link = link_mailed_to(&outbox, "ann@example.com");
    wait(&site, DAY);
    expect_verification_invalid(verify_code(&site, &code, "ann@example.com"));
    expect_verification_invalid(verify_link(&site, &link));
    // A fresh one works.
    send_verification(&site, "ann@example.com");
    let code = code_mailed_to(&outbox, "ann@example.com");
    verify_code(&site, &code, "ann@example.com").unwrap();
}

#[test]
fn unknown_emails_get_the_same_answers_and_no_mail() {
    let (site, outbox) = verifying_site();
    send_verification(&site, "nobody@example.com");
    assert_eq!(outbox.borrow().len(), 0);
    expect_verification_invalid(verify_code(&site, "123456", "nobody@example.com"));
    expect_verification_invalid(verify_link(&site, &"x".repeat(43)));
    expect_verification_invalid(verify_link(&site, "not a token"));
    // A code needs the address it went to.
    expect_invalid(
        block_on(site.engine.verify_email(&visitor(), "123456", &Value::Null)),
        "options.email",
    );
}

#[test]
fn sending_verification_mail_is_limited_per_email() {
    let (site, _) = with_outbox(Site::with_policy(SitePolicy {
        login_limit: LoginLimit {
            per_email: 2,
            per_address: 100,
            window_ms: HOUR,
        },
        ..SitePolicy::default()
    }));
    register_ok(&site, "ann@example.com");
    send_verification(&site, "ann@example.com");
    send_verification(&site, "ann@example.com");
    let error = expect_error(
        block_on(
            site.engine
                .send_verification_email(&visitor(), "ann@example.com"),
        ),
        ErrorCode::ResourceExhausted,
        "RATE_LIMITED",
    );
    assert!(
        error.message.contains("verification mails"),
        "{}",
        error.message
    );
}

#[test]
fn required_verification_without_a_mailer_refuses_to_register_and_writes_nothing() {
    let site = Site::with_policy(SitePolicy {
        email_verification: VerificationPolicy::Required,
        ..SitePolicy::default()
    });
    expect_precondition(register(&site, "ann@example.com", PASSWORD));
    assert_eq!(site.total(), 0);
}

#[test]
fn a_pending_member_verifies_but_gets_no_session_until_approved() {
    let (site, outbox) = with_outbox(Site::with_policy(SitePolicy {
        email_verification: VerificationPolicy::Required,
        approval: universal_members::service::Approval::Manual,
        ..SitePolicy::default()
    }));
    let (id, _) = register_ok(&site, "ann@example.com");
    let code = code_mailed_to(&outbox, "ann@example.com");
    let verified = verify_code(&site, &code, "ann@example.com").unwrap();
    assert!(verified.session.is_none());
    assert_eq!(site.full(&id)["loginEmailVerified"], true);
}

#[test]
fn admins_filter_on_login_email_verified() {
    let (site, outbox) = verifying_site();
    let (ann, _) = register_ok(&site, "ann@example.com");
    register_ok(&site, "bob@example.com");
    let code = code_mailed_to(&outbox, "ann@example.com");
    verify_code(&site, &code, "ann@example.com").unwrap();
    let found = site
        .query(
            &Caller::admin(),
            json!({ "filter": { "loginEmailVerified": true } }),
            Value::Null,
        )
        .unwrap();
    assert_eq!(found.0, vec![ann]);
}

// ---------------------------------------------------------------- the login email

#[test]
fn a_members_own_email_change_tells_the_old_address_and_waits() {
    let (site, outbox) = mail_site();
    let (ann, _) = register_ok(&site, "ann@example.com");
    change_login_email(&site, &member(&ann), &ann, "ann@new.example.com").unwrap();
    let notice = outbox
        .borrow()
        .iter()
        .find(|m| m.template == "email-change-requested")
        .cloned()
        .expect("the old address is told");
    assert_eq!(notice.to, "ann@example.com");
    assert_eq!(notice.new_email.as_deref(), Some("ann@new.example.com"));
    assert_eq!(site.full(&ann)["loginEmail"], "ann@example.com");
    login_ok(&site, "ann@example.com", PASSWORD);
    // An admin changes it at once, unverified.
    let changed =
        change_login_email(&site, &Caller::admin(), &ann, "ann@admin.example.com").unwrap();
    assert_eq!(changed["loginEmail"], "ann@admin.example.com");
    assert_eq!(changed["loginEmailVerified"], false);
}

#[test]
fn an_address_taken_before_the_change_is_verified_refuses_it() {
    let (site, outbox) = mail_site();
    let (ann, _) = register_ok(&site, "ann@example.com");
    change_login_email(&site, &member(&ann), &ann, "shared@example.com").unwrap();
    let code = code_mailed_to(&outbox, "shared@example.com");
    site.add("shared@example.com", "Early Bird");
    expect_error(
        verify_code(&site, &code, "shared@example.com"),
        ErrorCode::AlreadyExists,
        "EMAIL_ALREADY_EXISTS",
    );
    assert_eq!(site.full(&ann)["loginEmail"], "ann@example.com");
}

// ---------------------------------------------------------------- sessions

#[test]
fn a_member_lists_its_sessions_with_ids_that_are_not_tokens() {
    let site = Site::new();
    let (ann, first) = member_with_session(&site, "ann@example.com");
    wait(&site, MINUTE);
    let long_agent = format!("Mozilla/5.0 {}", "x".repeat(400));
    let second = block_on(site.engine.login(
        &Context {
            user_agent: Some(long_agent.clone()),
            ..visitor()
        },
        "ann@example.com",
        PASSWORD,
    ))
    .unwrap()
    .session
    .unwrap()
    .token;
    let listed = block_on(
        site.engine
            .list_my_sessions(&in_session(&site, second.reveal(), None)),
    )
    .unwrap();
    let sessions = listed["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(
        sessions[0]["current"], true,
        "newest first, and the current one"
    );
    assert_eq!(sessions[1]["current"], false);
    let agent = sessions[0]["userAgent"].as_str().unwrap();
    assert_eq!(agent.chars().count(), 255);
    assert!(long_agent.starts_with(agent));
    assert_eq!(sessions[1]["userAgent"], Value::Null);
    for session in sessions {
        let id = session["_id"].as_str().unwrap();
        assert!(looks_like_uuid(id), "{id}");
        assert_ne!(id, first);
        assert_ne!(id, second.reveal());
        // An id opens nothing.
        expect_session_invalid(&site, id);
    }
    let _ = ann;
}

fn looks_like_uuid(text: &str) -> bool {
    text.len() == 36 && text.chars().filter(|c| *c == '-').count() == 4
}

#[test]
fn last_use_moves_at_most_once_a_minute() {
    let site = Site::new();
    let (_, token) = member_with_session(&site, "ann@example.com");
    let last_used = |site: &Site| {
        let listed = block_on(
            site.engine
                .list_my_sessions(&in_session(site, &token, None)),
        )
        .unwrap();
        listed["sessions"][0]["lastUsedDate"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let started = last_used(&site);
    wait(&site, 30 * 1000);
    assert_eq!(
        last_used(&site),
        started,
        "used again within the minute: not written"
    );
    wait(&site, 31 * 1000);
    assert_ne!(last_used(&site), started, "a minute later: moved");
}

#[test]
fn revoking_other_sessions_ends_them_and_keeps_this_one() {
    let site = Site::new();
    let (ann, first) = member_with_session(&site, "ann@example.com");
    let second = login_ok(&site, "ann@example.com", PASSWORD);
    let third = login_ok(&site, "ann@example.com", PASSWORD);
    let revoked = block_on(
        site.engine
            .revoke_other_sessions(&in_session(&site, &third, None)),
    )
    .unwrap();
    assert_eq!(revoked["revoked"], 2);
    expect_session_invalid(&site, &first);
    expect_session_invalid(&site, &second);
    assert_session_of(&site, &third, &ann);
}

#[test]
fn a_session_is_revoked_by_its_own_member_only() {
    let site = Site::new();
    let (_, ann_token) = member_with_session(&site, "ann@example.com");
    let (bob, bob_token) = member_with_session(&site, "bob@example.com");
    let bob_sessions = block_on(
        site.engine
            .list_my_sessions(&in_session(&site, &bob_token, None)),
    )
    .unwrap();
    let bob_session = bob_sessions["sessions"][0]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let ann = in_session(&site, &ann_token, None);
    let stolen = expect_error(
        block_on(site.engine.revoke_session(&ann, &bob_session)),
        ErrorCode::NotFound,
        "SESSION_NOT_FOUND",
    );
    let missing = expect_error(
        block_on(
            site.engine
                .revoke_session(&ann, "00000000-0000-4000-8000-000000000000"),
        ),
        ErrorCode::NotFound,
        "SESSION_NOT_FOUND",
    );
    assert_eq!(
        format!("{stolen:?}"),
        format!("{missing:?}"),
        "the same for both"
    );
    assert_session_of(&site, &bob_token, &bob);
    block_on(
        site.engine
            .revoke_session(&in_session(&site, &bob_token, None), &bob_session),
    )
    .unwrap();
    expect_session_invalid(&site, &bob_token);
}

#[test]
fn an_admin_logs_a_member_out_everywhere_and_nobody_else_can() {
    let site = Site::new();
    let (ann, first) = member_with_session(&site, "ann@example.com");
    let second = login_ok(&site, "ann@example.com", PASSWORD);
    let (_, bob_token) = member_with_session(&site, "bob@example.com");
    expect_denied(site.call(
        &member(&ann),
        Operation::RevokeMemberSessions {
            member_id: ann.clone(),
        },
    ));
    let _ = bob_token;
    let revoked = site
        .call(
            &Caller::admin(),
            Operation::RevokeMemberSessions {
                member_id: ann.clone(),
            },
        )
        .unwrap();
    assert_eq!(revoked["revoked"], 2);
    expect_session_invalid(&site, &first);
    expect_session_invalid(&site, &second);
    expect_not_found(site.call(
        &Caller::admin(),
        Operation::RevokeMemberSessions {
            member_id: "00000000-0000-4000-8000-000000000000".into(),
        },
    ));
}

#[test]
fn a_visitor_has_no_sessions_to_list_or_revoke() {
    let site = Site::new();
    expect_unauthenticated(site.call(&Caller::Visitor, Operation::ListMySessions));
    expect_unauthenticated(site.call(&Caller::Visitor, Operation::RevokeOtherSessions));
    expect_unauthenticated(site.call(
        &Caller::Visitor,
        Operation::RevokeSession {
            id: "00000000-0000-4000-8000-000000000000".into(),
        },
    ));
}

// ---------------------------------------------------------------- admin sign-in

/// The fingerprint of the server's admin key.
const KEY: &str = "key-one";

fn from(address: &str) -> Context {
    Context {
        client_address: Some(address.to_string()),
        ..visitor()
    }
}

#[test]
fn an_admin_sign_in_lasts_12_hours_and_ends_on_logout() {
    let site = Site::new();
    let signed_in = block_on(site.engine.admin_login(&from("203.0.113.9"), true, KEY)).unwrap();
    let token = signed_in.token.reveal().to_string();
    assert!(block_on(site.engine.is_admin_signed_in(&token, KEY)).unwrap());
    wait(&site, 12 * HOUR - MINUTE);
    assert!(block_on(site.engine.is_admin_signed_in(&token, KEY)).unwrap());
    wait(&site, MINUTE);
    assert!(
        !block_on(site.engine.is_admin_signed_in(&token, KEY)).unwrap(),
        "expired"
    );
    let again = block_on(site.engine.admin_login(&from("203.0.113.9"), true, KEY)).unwrap();
    let again = again.token.reveal().to_string();
    block_on(site.engine.admin_logout(&again)).unwrap();
    assert!(!block_on(site.engine.is_admin_signed_in(&again, KEY)).unwrap());
    assert!(!block_on(site.engine.is_admin_signed_in("junk", KEY)).unwrap());
}

#[test]
fn wrong_admin_keys_are_limited_per_address_and_a_right_one_is_not_counted() {
    let site = Site::with_policy(SitePolicy {
        login_limit: LoginLimit {
            per_email: 10,
            per_address: 3,
            window_ms: HOUR,
        },
        ..SitePolicy::default()
    });
    let address = from("198.51.100.7");
    // Right keys take their count back: any number of them.
    for _ in 0..5 {
        block_on(site.engine.admin_login(&address, true, KEY)).unwrap();
    }
    for _ in 0..3 {
        expect_error(
            block_on(site.engine.admin_login(&address, false, KEY)),
            ErrorCode::Unauthenticated,
            "INVALID_ADMIN_KEY",
        );
    }
    expect_error(
        block_on(site.engine.admin_login(&address, true, KEY)),
        ErrorCode::ResourceExhausted,
        "RATE_LIMITED",
    );
    // Another network is not held back.
    block_on(site.engine.admin_login(&from("192.0.2.1"), true, KEY)).unwrap();
}

#[test]
fn verification_mails_and_errors_print_no_code() {
    let (site, outbox) = verifying_site();
    register_ok(&site, "ann@example.com");
    let code = code_mailed_to(&outbox, "ann@example.com");
    let link = link_mailed_to(&outbox, "ann@example.com");
    let printed = format!("{:?}", outbox.borrow());
    assert!(
        !printed.contains(&format!("\"{code}\"")),
        "a mail's Debug shows its code"
    );
    assert!(
        !printed.contains(&link),
        "a mail's Debug shows its link token"
    );
    let wrong = verify_link(&site, &"A".repeat(43)).unwrap_err();
    assert!(!format!("{wrong:?}").contains(&link));
}

#[test]
fn a_new_admin_key_ends_every_sign_in_made_with_the_old_one() {
    let site = Site::new();
    let signed_in = block_on(
        site.engine
            .admin_login(&from("203.0.113.9"), true, "old-key"),
    )
    .unwrap();
    let token = signed_in.token.reveal().to_string();
    assert!(block_on(site.engine.is_admin_signed_in(&token, "old-key")).unwrap());
    assert!(!block_on(site.engine.is_admin_signed_in(&token, "new-key")).unwrap());
}

// ---------------------------------------------------------------- takeover guards

#[test]
fn resending_buys_no_more_guesses_but_the_link_still_works() {
    let (site, outbox) = verifying_site();
    let (id, _) = register_ok(&site, "ann@example.com");
    let first = code_mailed_to(&outbox, "ann@example.com");
    let wrong = if first == "000000" {
        "000001"
    } else {
        "000000"
    };
    for _ in 0..3 {
        expect_verification_invalid(verify_code(&site, wrong, "ann@example.com"));
    }
    send_verification(&site, "ann@example.com");
    let second = code_mailed_to(&outbox, "ann@example.com");
    let wrong = if second == "000000" {
        "000001"
    } else {
        "000000"
    };
    for _ in 0..2 {
        expect_verification_invalid(verify_code(&site, wrong, "ann@example.com"));
    }
    // Five wrong in all: no code works any more, the link does.
    expect_verification_invalid(verify_code(&site, &second, "ann@example.com"));
    verify_link(&site, &link_mailed_to(&outbox, "ann@example.com")).unwrap();
    assert_eq!(site.full(&id)["loginEmailVerified"], true);
}

#[test]
fn an_admins_change_voids_a_verification_of_the_old_address() {
    let (site, outbox) = mail_site();
    let (ann, _) = register_ok(&site, "ann@lost.example.com");
    send_verification(&site, "ann@lost.example.com");
    let old_link = link_mailed_to(&outbox, "ann@lost.example.com");
    change_login_email(&site, &Caller::admin(), &ann, "ann@safe.example.com").unwrap();
    expect_verification_invalid(verify_link(&site, &old_link));
    // And asking again for the old address mails nobody.
    let before = outbox.borrow().len();
    send_verification(&site, "ann@lost.example.com");
    assert_eq!(outbox.borrow().len(), before);
    assert_eq!(site.full(&ann)["loginEmail"], "ann@safe.example.com");
}

#[test]
fn locking_a_thief_out_also_voids_the_email_change_it_asked_for() {
    for lock_out in ["revokeOtherSessions", "revokeMemberSessions", "setPassword"] {
        let (site, outbox) = mail_site();
        let (ann, token) = member_with_session(&site, "ann@example.com");
        change_login_email(&site, &member(&ann), &ann, "thief@example.com").unwrap();
        let link = link_mailed_to(&outbox, "thief@example.com");
        match lock_out {
            "revokeOtherSessions" => {
                block_on(
                    site.engine
                        .revoke_other_sessions(&in_session(&site, &token, None)),
                )
                .unwrap();
            }
            "revokeMemberSessions" => {
                block_on(site.engine.revoke_member_sessions(&Caller::admin(), &ann)).unwrap();
            }
            _ => {
                let reset = set_password_token(&site, &outbox, "ann@example.com");
                set_password(&site, &reset, OTHER_PASSWORD).unwrap();
            }
        }
        expect_verification_invalid(verify_link(&site, &link));
        assert_eq!(
            site.full(&ann)["loginEmail"],
            "ann@example.com",
            "{lock_out}"
        );
    }
}

#[test]
fn verifying_an_email_change_gives_no_session() {
    let (site, outbox) = mail_site();
    let (ann, _) = register_ok(&site, "ann@example.com");
    change_login_email(&site, &member(&ann), &ann, "ann@new.example.com").unwrap();
    let verified = verify_link(&site, &link_mailed_to(&outbox, "ann@new.example.com")).unwrap();
    assert!(
        verified.session.is_none(),
        "whoever clicks is not logged in to the asker's account"
    );
    assert_eq!(site.full(&ann)["loginEmail"], "ann@new.example.com");
}

#[test]
fn the_same_address_in_other_letters_changes_at_once_and_cancels_a_pending_change() {
    let (site, outbox) = mail_site();
    let (ann, _) = register_ok(&site, "ann@example.com");
    change_login_email(&site, &member(&ann), &ann, "thief@example.com").unwrap();
    let link = link_mailed_to(&outbox, "thief@example.com");
    let changed = change_login_email(&site, &member(&ann), &ann, "Ann@Example.com").unwrap();
    assert_eq!(changed["loginEmail"], "Ann@Example.com");
    expect_verification_invalid(verify_link(&site, &link));
}

#[test]
fn a_members_own_email_changes_are_limited() {
    let (site, _) = with_outbox(Site::with_policy(SitePolicy {
        login_limit: LoginLimit {
            per_email: 2,
            per_address: 100,
            window_ms: HOUR,
        },
        ..SitePolicy::default()
    }));
    let (ann, _) = register_ok(&site, "ann@example.com");
    for _ in 0..2 {
        change_login_email(&site, &member(&ann), &ann, "target@example.com").unwrap();
    }
    expect_error(
        change_login_email(&site, &member(&ann), &ann, "target@example.com"),
        ErrorCode::ResourceExhausted,
        "RATE_LIMITED",
    );
}

#[test]
fn a_verification_racing_an_admins_change_never_marks_the_admins_address_verified() {
    let (site, outbox) = with_outbox(Site::over(YieldingStore::default(), SitePolicy::default()));
    let (ann, _) = register_ok(&site, "ann@example.com");
    block_on(
        site.engine
            .send_verification_email(&visitor(), "ann@example.com"),
    )
    .unwrap();
    let link = link_mailed_to(&outbox, "ann@example.com");
    let admin = Context::of(Caller::admin());
    let (verified, changed) = block_on(join2(
        site.engine.verify_email(&visitor(), &link, &Value::Null),
        site.engine
            .change_login_email(&admin, &ann, "ann@admin.example.com"),
    ));
    changed.expect("the admin's change lands");
    let stored = site.full(&ann);
    assert_eq!(stored["loginEmail"], "ann@admin.example.com");
    assert_eq!(
        stored["loginEmailVerified"], false,
        "the proof was for the old address (verify: {verified:?})"
    );
}
