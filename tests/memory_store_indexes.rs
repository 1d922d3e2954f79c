//! The memory store's arena, columns, sorted order and bitmaps (issue 15) answer
//! exactly what a plain scan of its members answers: after inserts, updates that
//! move members between statuses and rename them, deletes, and slots reused by
//! new members, every query's page and total and every count equal those of
//! `Filter::matches` + `Sort::compare` over a copy of the members.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use universal_members::model::event::EventKind;
use universal_members::model::{Member, MemberEvent, MemberId};
use universal_members::query::{Filter, Paging, Query, Sort};
use universal_members::store::{MemoryStore, Store};

use pollster::block_on;

const STATUSES: [&str; 4] = ["APPROVED", "PENDING", "BLOCKED", "OFFLINE"];
const NAMES: [&str; 5] = ["Ann Lee", "ZOË Ünal", "bob", "Anna", "Sven Eve"];

/// A small deterministic generator, so a failure repeats.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % sides as u64) as usize
    }
}

fn member(n: usize, dice: &mut Dice) -> Member {
    let nickname = match dice.roll(6) {
        5 => Value::Null,
        i => json!(format!("{} {n}", NAMES[i])),
    };
    let title = ["Pilot", "Chef"][dice.roll(2)];
    let privacy = ["PUBLIC", "PRIVATE"][dice.roll(2)];
    serde_json::from_value(json!({
        "_id": format!("00000000-0000-4000-8000-{n:012x}"),
        "loginEmail": format!("user{n}@example.com"),
        "status": STATUSES[dice.roll(4)],
        "contactId": format!("00000000-0000-4000-9000-{n:012x}"),
        "contact": {},
        "profile": { "nickname": nickname, "slug": format!("m{n}"), "title": title },
        "privacyStatus": privacy,
        "activityStatus": "ACTIVE",
        // Few distinct dates, so ties (broken by _id) are common.
        "_createdDate": format!("2024-01-01T00:00:{:02}Z", dice.roll(20)),
        "_updatedDate": "2024-02-01T00:00:00Z",
        "revision": 1
    }))
    .expect("a member")
}

fn event(kind: EventKind, member: &Member) -> MemberEvent {
    let admin = json!({ "identityType": "ADMIN" });
    MemberEvent::of_change(kind, None, Some(member), admin, member.updated_date).expect("event")
}

fn filters() -> Vec<Filter> {
    [
        json!(null),
        json!({ "status": { "$in": ["BLOCKED", "PENDING"] } }),
        json!({ "status": "APPROVED", "privacyStatus": "PUBLIC" }),
        json!({ "$or": [{ "status": "APPROVED", "privacyStatus": "PUBLIC" }, { "_id": "00000000-0000-4000-8000-000000000003" }] }),
        json!({ "$not": { "status": "OFFLINE" } }),
        json!({ "$or": [{ "profile.title": "Pilot" }, { "privacyStatus": "PRIVATE" }] }),
        json!({ "profile.nickname": { "$contains": "ë ü" } }),
        json!({ "profile.nickname": { "$contains": "ann" } }),
        json!({ "profile.nickname": { "$startsWith": "an" }, "status": { "$ne": "BLOCKED" } }),
        json!({ "profile.nickname": { "$endsWith": "1" } }),
        json!({ "profile.nickname": "bob 7" }),
        json!({ "profile.slug": "m12" }),
    ]
    .iter()
    .map(|f| Filter::parse(f).expect("filter"))
    .collect()
}

fn sorts() -> Vec<Sort> {
    [
        json!(null),
        json!([{ "fieldName": "profile.nickname", "order": "ASC" }]),
        json!([{ "fieldName": "_createdDate", "order": "ASC" }]),
    ]
    .iter()
    .map(|s| Sort::parse(s, "sort").expect("sort"))
    .collect()
}

/// Every query and count of the store against a scan of `model`.
fn assert_same_answers(store: &MemoryStore, model: &BTreeMap<MemberId, Member>, when: &str) {
    for filter in filters() {
        let count = block_on(store.count(&filter)).expect("count");
        let mut found: Vec<&Member> = model.values().filter(|m| filter.matches(m)).collect();
        assert_eq!(count, found.len() as u64, "count of {filter:?} {when}");
        for sort in sorts() {
            found.sort_by(|a, b| sort.compare(a, b));
            for (offset, limit) in [(0, 5), (3, 4), (0, 200)] {
                let query = Query {
                    filter: filter.clone(),
                    sort: sort.clone(),
                    paging: Paging {
                        limit,
                        offset,
                        cursor: None,
                    },
                    with_total: true,
                };
                let page = block_on(store.query(&query)).expect("query");
                let ids = |members: &mut dyn Iterator<Item = &Member>| {
                    members.map(|m| m.id.to_string()).collect::<Vec<_>>()
                };
                let expected = ids(&mut found
                    .iter()
                    .copied()
                    .skip(offset as usize)
                    .take(limit as usize));
                let what = format!("{filter:?} by {sort:?} at {offset}+{limit} {when}");
                assert_eq!(ids(&mut page.members.iter()), expected, "page of {what}");
                assert_eq!(page.total, found.len() as u64, "total of {what}");
            }
        }
    }
}

#[test]
fn indexed_queries_and_counts_answer_what_a_scan_answers_through_updates_and_deletes() {
    let store = MemoryStore::new();
    let mut model = BTreeMap::new();
    let mut dice = Dice(15);
    for n in 0..120 {
        let m = member(n, &mut dice);
        block_on(store.insert(&m, &event(EventKind::Created, &m))).expect("insert");
        model.insert(m.id.clone(), m);
    }
    assert_same_answers(&store, &model, "after inserts");

    // Moves between statuses and privacy, renames (the folded column and the
    // nickname index must follow), in one update_many.
    let mut changes: Vec<(Member, u64)> = Vec::new();
    for m in model.values() {
        if dice.roll(3) == 0 {
            let mut changed = m.clone();
            let n = 500 + dice.roll(100);
            let fresh = member(n, &mut dice);
            changed.status = fresh.status;
            changed.privacy_status = fresh.privacy_status;
            changed.profile.nickname = fresh.profile.nickname;
            changed.revision += 1;
            changes.push((changed, m.revision));
        }
    }
    let events: Vec<MemberEvent> = changes
        .iter()
        .map(|(m, _)| event(EventKind::Updated, m))
        .collect();
    block_on(store.update_many(&changes, &events)).expect("update");
    for (m, _) in changes {
        model.insert(m.id.clone(), m);
    }
    assert_same_answers(&store, &model, "after updates");

    // Deletes free slots; new members reuse them, with other dates and names.
    let mut gone: Vec<Member> = Vec::new();
    for m in model.values() {
        if dice.roll(4) == 0 {
            gone.push(m.clone());
        }
    }
    let events: Vec<MemberEvent> = gone.iter().map(|m| event(EventKind::Deleted, m)).collect();
    block_on(store.delete(&gone, &events)).expect("delete");
    for m in &gone {
        model.remove(&m.id);
    }
    assert_same_answers(&store, &model, "after deletes");
    for n in 1000..1040 {
        let m = member(n, &mut dice);
        block_on(store.insert(&m, &event(EventKind::Created, &m))).expect("insert");
        model.insert(m.id.clone(), m);
    }
    assert_same_answers(&store, &model, "after slots are reused");
}
