//! Fieldsets (SPEC §3): how much of a member a read returns.
//!
//! `MemberView` is the only thing reads hand out. It is built by `project` alone,
//! so a PUBLIC view can not carry `loginEmail` or `contact`: the type holds the rule.

use super::error::{MembersError, MembersResult};
use super::ids::{ContactId, MemberId};
use super::member::{ActivityStatus, Contact, Member, PrivacyStatus, Profile, Status};
use super::timestamp::Timestamp;
use serde::{Deserialize, Serialize};

/// How much of a member to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Fieldset {
    /// Profile and ids.
    Public,
    /// PUBLIC + login email and statuses.
    Extended,
    /// Everything.
    Full,
}

/// Most fieldsets one read may name.
pub const MAX_FIELDSETS: usize = 3;

impl Fieldset {
    /// The widest of the requested fieldsets (PUBLIC when none); more than three is
    /// `INVALID_ARGUMENT` naming `field`.
    pub fn widest(requested: &[Fieldset], field: &str) -> MembersResult<Fieldset> {
        if requested.len() > MAX_FIELDSETS {
            return Err(MembersError::invalid_field(
                field,
                "MAX_SIZE",
                format!(
                    "may name at most {MAX_FIELDSETS} fieldsets (got {})",
                    requested.len()
                ),
            ));
        }
        Ok(requested.iter().copied().max().unwrap_or(Fieldset::Public))
    }
}

/// A member as a caller may see it. Absent parts are omitted from JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    #[serde(rename = "_id")]
    id: MemberId,
    #[serde(skip_serializing_if = "Option::is_none")]
    login_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    login_email_verified: Option<bool>,
    status: Status,
    contact_id: ContactId,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<Contact>,
    profile: Profile,
    privacy_status: PrivacyStatus,
    activity_status: ActivityStatus,
    #[serde(rename = "_createdDate")]
    created_date: Timestamp,
    #[serde(rename = "_updatedDate")]
    updated_date: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_login_date: Option<Timestamp>,
}

impl MemberView {
    /// The member's id.
    pub fn id(&self) -> &MemberId {
        &self.id
    }
}

/// Cuts a member down to a fieldset.
pub fn project(member: &Member, fieldset: Fieldset) -> MemberView {
    let extended = fieldset >= Fieldset::Extended;
    let full = fieldset == Fieldset::Full;
    MemberView {
        id: member.id.clone(),
        login_email: extended.then(|| member.login_email.clone()),
        login_email_verified: full.then_some(member.login_email_verified),
        status: if extended {
            member.status
        } else {
            Status::Unknown
        },
        contact_id: member.contact_id.clone(),
        contact: full.then(|| member.contact.clone()),
        profile: member.profile.clone(),
        privacy_status: if extended {
            member.privacy_status
        } else {
            PrivacyStatus::Unknown
        },
        activity_status: if extended {
            member.activity_status
        } else {
            ActivityStatus::Unknown
        },
        created_date: member.created_date,
        updated_date: member.updated_date,
        last_login_date: if full { member.last_login_date } else { None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::to_value;

    fn member() -> Member {
        let contact = Contact {
            first_name: Some("Ann".into()),
            ..Contact::default()
        };
        Member {
            id: MemberId::generate().unwrap(),
            login_email: "ann@example.com".into(),
            login_email_verified: true,
            status: Status::Approved,
            contact_id: ContactId::generate().unwrap(),
            contact,
            profile: Profile::default(),
            privacy_status: PrivacyStatus::Public,
            activity_status: ActivityStatus::Active,
            created_date: Timestamp(0),
            updated_date: Timestamp(0),
            last_login_date: Some(Timestamp(5)),
            revision: 3,
        }
    }

    #[test]
    fn public_view_hides_email_contact_and_statuses() {
        let json = to_value(project(&member(), Fieldset::Public)).unwrap();
        assert!(json.get("loginEmail").is_none());
        assert!(json.get("contact").is_none());
        assert!(json.get("lastLoginDate").is_none());
        assert_eq!(json["status"], "UNKNOWN");
        assert_eq!(json["privacyStatus"], "UNKNOWN");
        assert_eq!(json["activityStatus"], "UNKNOWN");
        assert!(json.get("revision").is_none());
    }

    #[test]
    fn extended_view_adds_email_and_statuses_but_not_contact() {
        let json = to_value(project(&member(), Fieldset::Extended)).unwrap();
        assert_eq!(json["loginEmail"], "ann@example.com");
        assert_eq!(json["status"], "APPROVED");
        assert!(json.get("contact").is_none());
    }

    #[test]
    fn full_view_has_contact_with_empty_lists_filled() {
        let json = to_value(project(&member(), Fieldset::Full)).unwrap();
        assert_eq!(json["contact"]["firstName"], "Ann");
        assert_eq!(json["contact"]["phones"], serde_json::json!([]));
        assert_eq!(json["contact"]["addresses"], serde_json::json!([]));
        assert_eq!(json["lastLoginDate"], "1970-01-01T00:00:00.005Z");
    }

    #[test]
    fn the_widest_fieldset_wins_and_more_than_three_is_refused() {
        use Fieldset::*;
        assert_eq!(
            Fieldset::widest(&[Public, Full], "fieldsets").unwrap(),
            Full
        );
        assert_eq!(Fieldset::widest(&[], "fieldsets").unwrap(), Public);
        assert!(Fieldset::widest(&[Public, Public, Public, Public], "fieldsets").is_err());
    }
}
