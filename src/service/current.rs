//! Calls about "the current member" (SPEC §4, §5): getCurrentMember, join/leave
//! community, updateCurrentMemberSlug, deleteMyMember.

use super::caller::Caller;
use super::engine::Engine;
use crate::model::{
    project, Fieldset, MemberId, MemberView, MembersError, MembersResult, PrivacyStatus,
};
use crate::store::Store;

impl<S: Store> Engine<S> {
    /// `getCurrentMember`: the caller itself, or `None` for a visitor or an admin
    /// acting for no member.
    pub async fn get_current_member(
        &self,
        caller: &Caller,
        fieldsets: &[Fieldset],
    ) -> MembersResult<Option<MemberView>> {
        let wanted = Fieldset::widest(fieldsets, "fieldsets")?;
        let Some(id) = caller.member_id() else {
            return Ok(None);
        };
        Ok(self.store.get(id).await?.map(|m| project(&m, wanted)))
    }

    /// `joinCommunity` / `leaveCommunity`: sets the caller's `privacyStatus` only.
    pub async fn set_community(&self, caller: &Caller, join: bool) -> MembersResult<MemberView> {
        let call = if join {
            "joinCommunity"
        } else {
            "leaveCommunity"
        };
        let id = caller.require_member(call)?.clone();
        let privacy = if join {
            PrivacyStatus::Public
        } else {
            PrivacyStatus::Private
        };
        let member = self
            .modify(caller, &id, call, |m| {
                m.privacy_status = privacy;
                Ok(())
            })
            .await?;
        Ok(project(&member, Fieldset::Full))
    }

    /// `updateCurrentMemberSlug`.
    pub async fn update_current_member_slug(
        &self,
        caller: &Caller,
        slug: &str,
    ) -> MembersResult<MemberView> {
        let id = caller.require_member("updateCurrentMemberSlug")?.clone();
        let member = self
            .set_slug(caller, &id, slug, "updateCurrentMemberSlug")
            .await?;
        Ok(project(&member, Fieldset::Full))
    }

    /// `updateMemberSlug`: admins only.
    pub async fn update_member_slug(
        &self,
        caller: &Caller,
        id: &str,
        slug: &str,
    ) -> MembersResult<MemberView> {
        caller.require_admin("updateMemberSlug")?;
        let id = MemberId::parse(id, "_id")?;
        let member = self.set_slug(caller, &id, slug, "updateMemberSlug").await?;
        Ok(project(&member, Fieldset::Full))
    }

    /// `deleteMyMember`: the caller deletes itself. `contentAssigneeId`, when
    /// given, must be another member the caller can see (content is handed to
    /// it): one it can not see is `NOT_FOUND`, exactly like one that does not
    /// exist, so the call can not tell a hidden member from a missing one.
    pub async fn delete_my_member(
        &self,
        caller: &Caller,
        content_assignee_id: Option<&str>,
    ) -> MembersResult<()> {
        let id = caller.require_member("deleteMyMember")?.clone();
        if let Some(assignee) = content_assignee_id {
            let assignee = MemberId::parse(assignee, "contentAssigneeId")?;
            if assignee == id {
                return Err(MembersError::invalid_field(
                    "contentAssigneeId",
                    "OTHER_MEMBER",
                    "must be another member than the one deleted",
                ));
            }
            // NOT_FOUND, as the document says of every member one can not see.
            self.load_visible(caller, &assignee).await?;
        }
        let member = self
            .store
            .get(&id)
            .await?
            .ok_or_else(|| MembersError::member_not_found(id.as_str()))?;
        self.remove(caller, &[member]).await?;
        Ok(())
    }
}
