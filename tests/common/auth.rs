//! Helpers of the authentication tests: a site with a mail outbox, callers from
//! an address, and one-line register, login, session and mail steps.

use super::*;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;
use universal_members::api::{dispatch, Operation};
use universal_members::model::MembersResult;
use universal_members::service::auth::Sending;
use universal_members::service::{
    Caller, Context, LoginLimit, Mail, Mailer, Registration, SitePolicy,
};
use universal_members::store::Store;

pub const PASSWORD: &str = "correct horse battery";
pub const OTHER_PASSWORD: &str = "staple tuning fork";
pub const MINUTE: i64 = 60 * 1000;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// The mails a site handed to its mailer, in order.
pub type Outbox = Rc<RefCell<Vec<Mail>>>;

/// A mailer that keeps every mail it is given.
pub struct RecordingMailer(pub Outbox);

impl Mailer for RecordingMailer {
    fn send<'a>(&'a self, mail: &'a Mail) -> Sending<'a> {
        Box::pin(async move {
            self.0.borrow_mut().push(mail.clone());
            Ok(())
        })
    }
}

/// The same site, sending its mail to an outbox the test can read.
pub fn with_outbox<S: Store>(site: Site<S>) -> (Site<S>, Outbox) {
    let outbox = Outbox::default();
    let Site {
        engine,
        clock,
        events,
    } = site;
    let engine = engine.with_mailer(Box::new(RecordingMailer(outbox.clone())));
    (
        Site {
            engine,
            clock,
            events,
        },
        outbox,
    )
}

/// A default site with an outbox.
pub fn mail_site() -> (Site, Outbox) {
    with_outbox(Site::new())
}

/// A site allowing `per_email` failures per email and `per_address` per address
/// in a window of `window_ms`.
pub fn limited_site(per_email: u32, per_address: u32, window_ms: i64) -> Site {
    Site::with_policy(SitePolicy {
        login_limit: LoginLimit {
            per_email,
            per_address,
            window_ms,
        },
        ..SitePolicy::default()
    })
}

/// Moves the site's clock forward.
pub fn wait<S: Store>(site: &Site<S>, ms: i64) {
    site.clock.set(site.clock.get() + ms);
}

/// A call without a session, from no particular address.
pub fn visitor() -> Context {
    Context::of(Caller::Visitor)
}

/// A call without a session from this client address.
pub fn from_address(address: &str) -> Context {
    Context {
        caller: Caller::Visitor,
        session: None,
        client_address: Some(address.to_string()),
        user_agent: None,
    }
}

pub fn register<S: Store>(
    site: &Site<S>,
    email: &str,
    password: &str,
) -> MembersResult<Registration> {
    block_on(
        site.engine
            .register(&visitor(), email, password, &Value::Null),
    )
}

/// Registers a member with `PASSWORD`; its id and session token (if any).
pub fn register_ok<S: Store>(site: &Site<S>, email: &str) -> (String, Option<String>) {
    let registration = register(site, email, PASSWORD)
        .unwrap_or_else(|e| panic!("registering {email} failed: {e:?}"));
    (
        id_of(&json!(registration.member)),
        registration
            .session
            .map(|session| session.token.reveal().to_string()),
    )
}

/// Registers an approved member with `PASSWORD`; its id and session token.
pub fn member_with_session<S: Store>(site: &Site<S>, email: &str) -> (String, String) {
    let (id, token) = register_ok(site, email);
    (id, token.expect("an approved member gets a session"))
}

pub fn login<S: Store>(site: &Site<S>, email: &str, password: &str) -> MembersResult<Registration> {
    block_on(site.engine.login(&visitor(), email, password))
}

pub fn login_from(
    site: &Site,
    address: &str,
    email: &str,
    password: &str,
) -> MembersResult<Registration> {
    block_on(site.engine.login(&from_address(address), email, password))
}

/// Logs in; the new session's token.
pub fn login_ok<S: Store>(site: &Site<S>, email: &str, password: &str) -> String {
    let registration =
        login(site, email, password).unwrap_or_else(|e| panic!("login of {email} failed: {e:?}"));
    registration
        .session
        .expect("a login starts a session")
        .token
        .reveal()
        .to_string()
}

pub fn session<S: Store>(site: &Site<S>, token: &str) -> MembersResult<Context> {
    block_on(site.engine.session_context(token))
}

/// Checks that the token is a live session of member `id`.
pub fn assert_session_of<S: Store>(site: &Site<S>, token: &str, id: &str) {
    let context = session(site, token).unwrap_or_else(|e| panic!("session is not live: {e:?}"));
    assert_eq!(context.caller, member(id));
    assert!(context.session.is_some());
}

pub fn expect_session_invalid<S: Store>(site: &Site<S>, token: &str) {
    expect_error(
        session(site, token),
        ErrorCode::Unauthenticated,
        "SESSION_INVALID",
    );
}

pub fn expect_invalid_credentials<T: std::fmt::Debug>(result: MembersResult<T>) -> MembersError {
    expect_error(result, ErrorCode::Unauthenticated, "INVALID_CREDENTIALS")
}

pub fn expect_rate_limited<T: std::fmt::Debug>(result: MembersResult<T>) -> MembersError {
    let error = expect_error(result, ErrorCode::ResourceExhausted, "RATE_LIMITED");
    let retry = error.data["retryAfterSeconds"].as_i64();
    assert!(
        retry.is_some_and(|s| s > 0),
        "retryAfterSeconds must be a positive number: {error:?}"
    );
    error
}

pub fn expect_invalid_token<T: std::fmt::Debug>(result: MembersResult<T>) -> MembersError {
    let error = expect_invalid(result, "token");
    assert_eq!(error.application_code, "INVALID_TOKEN", "{error:?}");
    error
}

pub fn send_set_password_email<S: Store>(site: &Site<S>, email: &str) -> MembersResult<()> {
    block_on(site.engine.send_set_password_email(&visitor(), email))
}

/// Asks for a set-password mail for `email`; the token it carries.
pub fn set_password_token<S: Store>(site: &Site<S>, outbox: &Outbox, email: &str) -> String {
    let before = outbox.borrow().len();
    send_set_password_email(site, email).expect("sendSetPasswordEmail");
    let mails = outbox.borrow();
    assert_eq!(mails.len(), before + 1, "one more mail");
    mails.last().unwrap().token.reveal().to_string()
}

pub fn set_password<S: Store>(site: &Site<S>, token: &str, password: &str) -> MembersResult<()> {
    block_on(site.engine.set_password(token, password))
}

pub fn change_login_email(
    site: &Site,
    caller: &Caller,
    id: &str,
    email: &str,
) -> MembersResult<Value> {
    block_on(
        site.engine
            .change_login_email(&Context::of(caller.clone()), id, email),
    )
    .map(|v| json!(v))
}

/// Runs one operation in a context, the reply as JSON.
pub fn call_in(site: &Site, context: Context, operation: Operation) -> MembersResult<Value> {
    block_on(dispatch(&site.engine, context, operation)).map(|reply| reply.to_json())
}

/// The 6-digit code of the newest verification mail to `to`.
pub fn code_mailed_to(outbox: &Outbox, to: &str) -> String {
    let mails = outbox.borrow();
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.template == "verify-email" && m.to == to)
        .unwrap_or_else(|| panic!("no verification mail to {to}"));
    mail.code.as_ref().expect("a code").reveal().to_string()
}

/// The link token of the newest verification mail to `to`.
pub fn link_mailed_to(outbox: &Outbox, to: &str) -> String {
    let mails = outbox.borrow();
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.template == "verify-email" && m.to == to)
        .unwrap_or_else(|| panic!("no verification mail to {to}"));
    mail.token.reveal().to_string()
}

/// `verifyEmail(code, { email })` as a visitor.
pub fn verify_code<S: Store>(
    site: &Site<S>,
    code: &str,
    email: &str,
) -> MembersResult<Registration> {
    block_on(
        site.engine
            .verify_email(&visitor(), code, &json!({ "email": email })),
    )
}

/// `verifyEmail(token)` (a link) as a visitor.
pub fn verify_link<S: Store>(site: &Site<S>, token: &str) -> MembersResult<Registration> {
    block_on(site.engine.verify_email(&visitor(), token, &Value::Null))
}
