//! The member input decoder (`MemberInput::parse` and the rules applied after it,
//! src/model/input.rs, decode.rs): the `member` of createMember and updateMember.
//!
//! Properties: refused input is `INVALID_ARGUMENT` naming a field under `member`;
//! accepted input makes a member that passes `validate_member`, and that member
//! sent back as input (as a client edits a fetched member) makes the same
//! contact and profile again.

use super::{assert_names_a_field, json_of};
use serde_json::{json, Value};
use universal_members::model::input::{
    apply_imported_input, apply_new_member_input, apply_patch, validate_member, MemberInput,
};
use universal_members::model::{Member, MembersResult};

/// Checks one fuzz input: a JSON document taken as the `member` argument, both
/// as createMember and as updateMember of a member with every field set.
pub fn check(data: &[u8]) {
    let Some(value) = json_of(data) else { return };
    let created = apply(value.clone(), bare_member(), apply_new_member_input);
    let updated = apply(value, full_member(), apply_patch);
    for outcome in [created, updated] {
        match outcome {
            Ok(member) => assert_round_trips(&member),
            Err(error) => assert_names_a_field(&error, Some("member")),
        }
    }
}

fn apply(
    value: Value,
    mut member: Member,
    how: fn(&mut Member, MemberInput) -> MembersResult<()>,
) -> MembersResult<Member> {
    how(&mut member, MemberInput::parse(value, "member")?)?;
    validate_member(&member, "member")?;
    Ok(member)
}

/// The member as JSON, sent back as input, makes the same contact and profile.
fn assert_round_trips(member: &Member) {
    let json = serde_json::to_value(member).expect("a member serialises");
    let again = apply(json.clone(), bare_member(), apply_imported_input)
        .unwrap_or_else(|error| panic!("{json} sent back is refused: {error:?}"));
    assert_eq!(again.contact, member.contact, "{json}");
    assert_eq!(again.profile.nickname, member.profile.nickname, "{json}");
    assert_eq!(again.profile.title, member.profile.title, "{json}");
    assert_eq!(again.profile.photo, member.profile.photo, "{json}");
    assert_eq!(again.profile.cover, member.profile.cover, "{json}");
}

/// A member with nothing but what every member has.
pub fn bare_member() -> Member {
    member_of(json!({
        "_id": "0b6f1c7e-2a43-4d55-9b1e-5a8e3f2c9d10",
        "loginEmail": "ann@example.com",
        "contactId": "5d1e0c8a-3b7f-4e2a-8c9d-1f6a2b3c4d5e",
        "status": "APPROVED",
        "privacyStatus": "PUBLIC",
        "activityStatus": "ACTIVE",
        "_createdDate": "2024-01-02T03:04:05.678Z",
        "_updatedDate": "2024-01-02T03:04:05.678Z",
        "profile": { "slug": "ann" },
        "contact": {},
    }))
}

/// A member with every field set, for patches to change.
pub fn full_member() -> Member {
    member_of(json!({
        "_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "loginEmail": "Bo.Ström@example.com",
        "loginEmailVerified": true,
        "contactId": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "status": "BLOCKED",
        "privacyStatus": "PRIVATE",
        "activityStatus": "MUTED",
        "_createdDate": "2023-05-06T07:08:09.010Z",
        "_updatedDate": "2024-05-06T07:08:09.010Z",
        "lastLoginDate": "2024-06-01T00:00:00.000Z",
        "revision": 7,
        "contact": {
            "firstName": "Bo",
            "lastName": "Ström",
            "company": "ACME",
            "jobTitle": "Welder",
            "birthdate": "1990-02-28",
            "phones": ["+46 70 123 45 67"],
            "emails": ["bo@example.org"],
            "addresses": [{
                "_id": "a1", "addressLine": "Main St 1", "city": "Malmö",
                "country": "SE", "subdivision": "SE-M", "postalCode": "211 20",
                "streetAddress": { "number": "1", "name": "Main St" }
            }],
            "customFields": {
                "plan": { "name": "Plan", "value": "gold" },
                "score": { "value": 42 },
                "tags": { "value": ["a", 1, true] }
            }
        },
        "profile": {
            "nickname": "Bo",
            "slug": "bo",
            "title": "Admin",
            "photo": { "_id": "p1", "url": "https://example.com/p.png", "height": 10, "width": 10 },
            "cover": { "url": "https://example.com/c.png" }
        }
    }))
}

fn member_of(value: Value) -> Member {
    serde_json::from_value(value).expect("a fixture member")
}
