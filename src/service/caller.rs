//! Who makes a call (SPEC §4), and what that caller may see.

use crate::model::{
    ErrorCode, Fieldset, Member, MemberId, MembersError, MembersResult, PrivacyStatus, Status,
};
use crate::query::{Condition, Field, Filter, Scalar};

/// The maker of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No session.
    Visitor,
    /// A logged-in member.
    Member(MemberId),
    /// An admin key or `elevate()`; keeps the member it elevated, if any.
    Admin(Option<MemberId>),
}

impl Caller {
    /// An admin acting for no member.
    pub fn admin() -> Caller {
        Caller::Admin(None)
    }

    /// True for admins.
    pub fn is_admin(&self) -> bool {
        matches!(self, Caller::Admin(_))
    }

    /// The member this caller is, if any.
    pub fn member_id(&self) -> Option<&MemberId> {
        match self {
            Caller::Member(id) | Caller::Admin(Some(id)) => Some(id),
            _ => None,
        }
    }

    /// True when the caller is this member.
    pub fn is_self(&self, id: &MemberId) -> bool {
        self.member_id() == Some(id)
    }

    /// Refuses callers that are not admins: a visitor brought no credentials at
    /// all (`UNAUTHENTICATED`, HTTP 401), a member brought the wrong ones
    /// (`PERMISSION_DENIED`, 403).
    pub fn require_admin(&self, call: &str) -> MembersResult<()> {
        match self {
            Caller::Admin(_) => Ok(()),
            Caller::Visitor => Err(MembersError::new(
                ErrorCode::Unauthenticated,
                "UNAUTHENTICATED",
                format!("{call} is for admins only, and no credentials were given"),
            )),
            Caller::Member(_) => Err(MembersError::permission_denied(format!(
                "{call} is for admins only"
            ))),
        }
    }

    /// The caller's member id, or `UNAUTHENTICATED` for calls about "me".
    pub fn require_member(&self, call: &str) -> MembersResult<&MemberId> {
        self.member_id()
            .ok_or_else(|| MembersError::unauthenticated(call))
    }

    /// True when the caller may see this member at all (SPEC §4 visibility).
    pub fn can_see(&self, member: &Member) -> bool {
        self.is_admin() || self.is_self(&member.id) || is_public(member)
    }

    /// The members this caller may see, as a filter a store can use.
    pub fn visibility_filter(&self) -> Filter {
        if self.is_admin() {
            return Filter::All;
        }
        let text = |s: &str| Condition::Eq(Some(Scalar::text(s)));
        let public = Filter::And(vec![
            Filter::Match(Field::Status, text("APPROVED")),
            Filter::Match(Field::PrivacyStatus, text("PUBLIC")),
        ]);
        match self.member_id() {
            Some(id) => Filter::Or(vec![public, Filter::Match(Field::Id, text(id.as_str()))]),
            None => public,
        }
    }

    /// The fieldset this caller gets for `member` when it asked for `wanted`
    /// (SPEC §3: only itself and admins get more than PUBLIC).
    pub fn fieldset_for(&self, member: &MemberId, wanted: Fieldset) -> Fieldset {
        if self.is_admin() || self.is_self(member) {
            wanted
        } else {
            Fieldset::Public
        }
    }

    /// The event identity of this caller.
    pub fn identity(&self) -> serde_json::Value {
        match self {
            Caller::Visitor => serde_json::json!({ "identityType": "ANONYMOUS_VISITOR" }),
            Caller::Member(id) => serde_json::json!({ "identityType": "MEMBER", "memberId": id }),
            Caller::Admin(_) => serde_json::json!({ "identityType": "ADMIN" }),
        }
    }
}

/// Listed in the community: approved and public.
pub fn is_public(member: &Member) -> bool {
    member.status == Status::Approved && member.privacy_status == PrivacyStatus::Public
}
