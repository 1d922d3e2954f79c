//! Webhook endpoints and delivery decisions (SPEC §9) on the memory store: input
//! checks, secrets, the order per endpoint and member, leases, the retry schedule,
//! 410, dead deliveries, redelivery, retention. (The SQL stores run the same
//! rules in the Node process tests, against real receivers.)

mod common;

use common::*;
use serde_json::{json, Value};
use universal_members::service::webhook_body::standard_signature;
use universal_members::service::{Caller, Moderation};

fn admin() -> Caller {
    Caller::admin()
}

fn create(site: &Site, options: Value) -> Value {
    block_on(site.engine.create_webhook(&admin(), &options))
        .unwrap_or_else(|e| panic!("createWebhook {options} failed: {e:?}"))
}

/// A site with private addresses allowed and one standard endpoint → (site, id, secret).
fn site_with_endpoint() -> (Site, String, String) {
    let site = Site::new();
    let created = create(&site, json!({ "url": "https://hooks.example.com/in" }));
    let id = created["webhook"]["_id"].as_str().unwrap().to_string();
    let secret = created["secret"].as_str().unwrap().to_string();
    (site, id, secret)
}

fn claim(site: &Site, limit: u32) -> Vec<Value> {
    let claims = block_on(site.engine.claim_webhook_deliveries(&admin(), limit)).unwrap();
    claims.as_array().unwrap().clone()
}

fn complete(site: &Site, claim: &Value, status: Option<u16>) -> Value {
    block_on(site.engine.complete_webhook_delivery(
        &admin(),
        &json!({ "deliveryId": claim["deliveryId"], "leaseToken": claim["leaseToken"],
                 "status": status, "durationMs": 3, "error": status.map_or("timed out".to_string(), |s| format!("HTTP {s}")) }),
    ))
    .unwrap()
}

/// The member id inside a claimed request's body.
fn entity_of(claim: &Value) -> String {
    let body: Value = serde_json::from_str(claim["body"].as_str().unwrap()).unwrap();
    body["data"]["entityId"].as_str().unwrap().to_string()
}

fn sequence_of(claim: &Value) -> String {
    let body: Value = serde_json::from_str(claim["body"].as_str().unwrap()).unwrap();
    body["data"]["entityEventSequence"]
        .as_str()
        .unwrap()
        .to_string()
}

fn advance(site: &Site, ms: i64) {
    site.clock.set(site.clock.get() + ms);
}

#[test]
fn bad_endpoints_are_refused_naming_the_field_and_nothing_is_stored() {
    let site = Site::new();
    let long = format!("https://example.com/{}", "a".repeat(10_000));
    for (options, field) in [
        (json!({ "url": "ftp://example.com/x" }), "url"),
        (json!({ "url": "http://127.0.0.1:8080/x" }), "url"),
        (json!({ "url": "http://192.168.1.5/x" }), "url"),
        (json!({ "url": "http://[::1]/x" }), "url"),
        (json!({ "url": long }), "url"),
        (json!({}), "url"),
        (
            json!({ "url": "https://example.com/x", "format": "svix" }),
            "format",
        ),
        (
            json!({ "url": "https://example.com/x", "events": ["created", "renamed"] }),
            "events[1]",
        ),
        (
            json!({ "url": "https://example.com/x", "events": [] }),
            "events",
        ),
        (
            json!({ "url": "https://example.com/x", "secret": "mine" }),
            "secret",
        ),
    ] {
        expect_invalid(
            block_on(site.engine.create_webhook(&admin(), &options)),
            field,
        );
    }
    let list = block_on(site.engine.list_webhooks(&admin())).unwrap();
    assert_eq!(list["webhooks"], json!([]));
}

#[test]
fn only_admins_manage_webhooks() {
    let site = Site::new();
    let ann = site.add("ann@example.com", "Ann");
    let options = json!({ "url": "https://example.com/x" });
    expect_denied(block_on(
        site.engine.create_webhook(&member(&ann), &options),
    ));
    expect_unauthenticated(block_on(
        site.engine.create_webhook(&Caller::Visitor, &options),
    ));
    expect_denied(block_on(site.engine.list_webhooks(&member(&ann))));
    expect_denied(block_on(
        site.engine.claim_webhook_deliveries(&member(&ann), 10),
    ));
    expect_denied(block_on(site.engine.events_after(&member(&ann), 0, 10)));
}

#[test]
fn a_standard_endpoint_gets_a_whsec_secret_that_no_list_shows() {
    let (site, id, secret) = site_with_endpoint();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let key = secret.trim_start_matches("whsec_");
    assert_eq!(key.len(), 44, "base64 of 32 bytes");
    let list = block_on(site.engine.list_webhooks(&admin())).unwrap();
    assert_eq!(list["webhooks"][0]["_id"], id.as_str());
    assert_eq!(
        list["webhooks"][0]["events"],
        json!(["created", "updated", "deleted"])
    );
    assert!(!list.to_string().contains(key), "no secret in {list}");
    let wix = block_on(site.engine.create_webhook(
        &admin(),
        &json!({ "url": "https://example.com/w", "format": "wix" }),
    ));
    let error = expect_precondition(wix);
    assert_eq!(error.application_code, "SIGNER_MISSING");
}

#[test]
fn a_claimed_delivery_is_signed_for_standard_webhooks() {
    let (site, _, secret) = site_with_endpoint();
    let ann = site.add("ann@example.com", "Ann");
    let claims = claim(&site, 10);
    assert_eq!(claims.len(), 1);
    let c = &claims[0];
    assert_eq!(c["url"], "https://hooks.example.com/in");
    let headers = &c["headers"];
    let body = c["body"].as_str().unwrap();
    let seconds: i64 = headers["webhook-timestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let expected = standard_signature(
        &secret,
        headers["webhook-id"].as_str().unwrap(),
        seconds,
        body,
    )
    .unwrap();
    assert_eq!(headers["webhook-signature"], expected.as_str());
    let parsed: Value = serde_json::from_str(body).unwrap();
    assert_eq!(parsed["type"], "wix.members.v1.member_created");
    assert_eq!(parsed["data"]["id"], headers["webhook-id"]);
    assert_eq!(parsed["data"]["createdEvent"]["entity"]["id"], ann.as_str());
    assert_eq!(complete(&site, c, Some(204))["outcome"], "delivered");
    assert!(
        claim(&site, 10).is_empty(),
        "a delivered event is not sent again"
    );
}

#[test]
fn a_members_next_event_waits_for_the_one_before_but_others_go_on() {
    let (site, _, _) = site_with_endpoint();
    let ann = site.add("ann@example.com", "Ann");
    site.admin_update(&ann, json!({ "profile": { "title": "One" } }));
    let bob = site.add("bob@example.com", "Bob");
    let first = claim(&site, 10);
    let members: Vec<String> = first.iter().map(entity_of).collect();
    assert_eq!(
        members,
        [ann.clone(), bob.clone()],
        "one per member, oldest first"
    );
    assert_eq!(sequence_of(&first[0]), "1");
    // While ann's first event is out (leased) or failing, her second waits.
    assert!(claim(&site, 10).is_empty());
    complete(&site, &first[1], Some(200));
    assert_eq!(complete(&site, &first[0], Some(500))["outcome"], "retry");
    advance(&site, 60_000);
    let retried = claim(&site, 10);
    assert_eq!(retried.len(), 1, "the retry comes before ann's next event");
    assert_eq!(sequence_of(&retried[0]), "1");
    complete(&site, &retried[0], Some(200));
    let next = claim(&site, 10);
    assert_eq!(next.iter().map(entity_of).collect::<Vec<_>>(), vec![ann]);
    assert_eq!(sequence_of(&next[0]), "2");
}

#[test]
fn a_lease_keeps_a_delivery_from_other_workers_until_it_runs_out() {
    let (site, _, _) = site_with_endpoint();
    site.add("ann@example.com", "Ann");
    let mine = claim(&site, 10);
    assert_eq!(mine.len(), 1);
    assert!(claim(&site, 10).is_empty(), "leased to the first worker");
    advance(&site, 61_000);
    let taken_over = claim(&site, 10);
    assert_eq!(taken_over.len(), 1, "a dead worker's lease runs out");
    assert_eq!(complete(&site, &mine[0], Some(200))["outcome"], "stale");
    assert_eq!(
        complete(&site, &taken_over[0], Some(200))["outcome"],
        "delivered"
    );
    // Released leases are claimable at once.
    site.add("bob@example.com", "Bob");
    let held = claim(&site, 10);
    let tokens = vec![held[0]["leaseToken"].as_str().unwrap().to_string()];
    block_on(site.engine.release_webhook_deliveries(&admin(), &tokens)).unwrap();
    assert_eq!(claim(&site, 10).len(), 1);
}

#[test]
fn failures_follow_the_schedule_then_the_delivery_is_dead_and_can_be_redelivered() {
    let (site, id, _) = site_with_endpoint();
    site.add("ann@example.com", "Ann");
    let schedule = [
        5_000i64, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ];
    for wait in schedule {
        let c = claim(&site, 10);
        assert_eq!(c.len(), 1);
        let now = site.clock.get();
        let outcome = complete(&site, &c[0], None);
        assert_eq!(outcome["outcome"], "retry");
        let next = universal_members::model::Timestamp::parse(
            outcome["nextAttemptDate"].as_str().unwrap(),
        )
        .unwrap();
        let delay = next.millis() - now;
        assert!(
            delay >= wait * 8 / 10 - 5 && delay <= wait * 12 / 10 + 5,
            "wait {delay} for {wait}"
        );
        advance(&site, delay - 10);
        assert!(claim(&site, 10).is_empty(), "not before its time");
        advance(&site, 20);
    }
    let last = claim(&site, 10);
    assert_eq!(complete(&site, &last[0], Some(503))["outcome"], "dead");
    advance(&site, 100_000_000);
    assert!(claim(&site, 10).is_empty());
    let deliveries = block_on(site.engine.list_webhook_deliveries(
        &admin(),
        &id,
        &json!({ "status": "DEAD" }),
    ))
    .unwrap();
    let delivery = &deliveries["deliveries"][0];
    assert_eq!(delivery["status"], "DEAD");
    assert_eq!(delivery["attemptCount"], 8);
    assert_eq!(delivery["attempts"][7]["status"], 503);
    assert_eq!(delivery["attempts"][0]["error"], "timed out");
    let failed = block_on(site.engine.list_webhook_deliveries(
        &admin(),
        &id,
        &json!({ "status": "FAILED" }),
    ))
    .unwrap();
    assert_eq!(failed["deliveries"].as_array().unwrap().len(), 1);
    let again = block_on(
        site.engine
            .redeliver(&admin(), delivery["_id"].as_str().unwrap()),
    )
    .unwrap();
    assert_eq!(again["delivery"]["status"], "PENDING");
    let c = claim(&site, 10);
    assert_eq!(complete(&site, &c[0], Some(200))["outcome"], "delivered");
}

#[test]
fn retry_after_is_honoured_when_longer_than_the_schedule() {
    let (site, _, _) = site_with_endpoint();
    site.add("ann@example.com", "Ann");
    let c = claim(&site, 10);
    let now = site.clock.get();
    let outcome = block_on(site.engine.complete_webhook_delivery(
        &admin(),
        &json!({ "deliveryId": c[0]["deliveryId"], "leaseToken": c[0]["leaseToken"], "status": 429, "durationMs": 1, "retryAfter": "120" }),
    ))
    .unwrap();
    let next =
        universal_members::model::Timestamp::parse(outcome["nextAttemptDate"].as_str().unwrap())
            .unwrap();
    assert!(next.millis() - now >= 120_000);
}

#[test]
fn gone_disables_the_endpoint_and_nothing_more_is_sent() {
    let (site, id, _) = site_with_endpoint();
    let ann = site.add("ann@example.com", "Ann");
    let c = claim(&site, 10);
    assert_eq!(complete(&site, &c[0], Some(410))["outcome"], "disabled");
    site.admin_moderate(&ann, Moderation::Mute);
    site.add("bob@example.com", "Bob");
    advance(&site, 1_000_000);
    assert!(claim(&site, 10).is_empty());
    let webhook = block_on(site.engine.get_webhook(&admin(), &id)).unwrap();
    assert_eq!(webhook["webhook"]["enabled"], false);
    assert!(webhook["webhook"]["disabledReason"]
        .as_str()
        .unwrap()
        .contains("410"));
}

#[test]
fn an_endpoint_gets_only_the_kinds_it_asked_for_and_rotation_signs_with_both_secrets() {
    let site = Site::new();
    let created = create(
        &site,
        json!({ "url": "https://example.com/d", "events": ["deleted"] }),
    );
    let id = created["webhook"]["_id"].as_str().unwrap().to_string();
    let old = created["secret"].as_str().unwrap().to_string();
    let ann = site.add("ann@example.com", "Ann");
    site.admin_update(&ann, json!({ "profile": { "title": "x" } }));
    assert!(
        claim(&site, 10).is_empty(),
        "no created or updated deliveries"
    );
    let rotated = block_on(site.engine.rotate_webhook_secret(&admin(), &id)).unwrap();
    let new = rotated["secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    block_on(site.engine.delete_member(&admin(), &ann)).unwrap();
    let c = claim(&site, 10);
    assert_eq!(c.len(), 1);
    let headers = &c[0]["headers"];
    let seconds: i64 = headers["webhook-timestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let wid = headers["webhook-id"].as_str().unwrap();
    let body = c[0]["body"].as_str().unwrap();
    let both = format!(
        "{} {}",
        standard_signature(&new, wid, seconds, body).unwrap(),
        standard_signature(&old, wid, seconds, body).unwrap()
    );
    assert_eq!(headers["webhook-signature"], both.as_str());
    complete(&site, &c[0], Some(200));
    // A day later the old secret no longer signs.
    advance(&site, 25 * 3600 * 1000);
    let bob = site.add("bob@example.com", "Bob");
    block_on(site.engine.delete_member(&admin(), &bob)).unwrap();
    let c = claim(&site, 10);
    assert!(!c[0]["headers"]["webhook-signature"]
        .as_str()
        .unwrap()
        .contains(' '));
}

#[test]
fn the_event_feed_resumes_after_a_position_and_retention_removes_old_rows() {
    let (site, id, _) = site_with_endpoint();
    site.add("ann@example.com", "Ann");
    site.add("bob@example.com", "Bob");
    let all = block_on(site.engine.events_after(&admin(), 0, 100)).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2);
    let first = all[0]["position"].as_u64().unwrap();
    let rest = block_on(site.engine.events_after(&admin(), first, 100)).unwrap();
    assert_eq!(rest.as_array().unwrap().len(), 1);
    assert_eq!(rest[0]["eventType"], "wix.members.v1.member_created");
    assert_eq!(rest[0]["envelope"], all[1]["envelope"]);
    advance(&site, 31 * 24 * 3600 * 1000);
    let removed = block_on(site.engine.prune_outbox(&admin())).unwrap();
    assert_eq!(removed["removed"], 4, "two events and their two deliveries");
    assert_eq!(
        block_on(site.engine.events_after(&admin(), 0, 100)).unwrap(),
        json!([])
    );
    let deliveries = block_on(
        site.engine
            .list_webhook_deliveries(&admin(), &id, &Value::Null),
    )
    .unwrap();
    assert_eq!(deliveries["deliveries"], json!([]));
}
