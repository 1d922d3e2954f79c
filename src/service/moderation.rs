//! Moderation (SPEC §5): approve, block, mute, unmute, disconnect. Admins only.

use super::caller::Caller;
use super::engine::Engine;
use crate::model::{
    project, ActivityStatus, ErrorCode, Fieldset, Member, MemberId, MemberView, MembersError,
    MembersResult, Status,
};
use crate::store::Store;

/// One moderation action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    Approve,
    Block,
    Mute,
    Unmute,
    Disconnect,
}

impl Moderation {
    /// The call's name.
    pub fn call(self) -> &'static str {
        match self {
            Moderation::Approve => "approveMember",
            Moderation::Block => "blockMember",
            Moderation::Mute => "muteMember",
            Moderation::Unmute => "unmuteMember",
            Moderation::Disconnect => "disconnectMember",
        }
    }

    /// Applies the action; a disconnected member stays disconnected for good.
    pub fn apply(self, caller: &Caller, member: &mut Member) -> MembersResult<()> {
        let precondition = |message: String| {
            Err(MembersError::new(
                ErrorCode::FailedPrecondition,
                "FAILED_PRECONDITION",
                message,
            ))
        };
        if member.status == Status::Offline
            && matches!(self, Moderation::Approve | Moderation::Block)
        {
            return precondition(format!("member {} is disconnected for good", member.id));
        }
        match self {
            Moderation::Approve => member.status = Status::Approved,
            Moderation::Block if caller.is_self(&member.id) => {
                return precondition("a member can not block itself".into())
            }
            Moderation::Block => member.status = Status::Blocked,
            Moderation::Mute => member.activity_status = ActivityStatus::Muted,
            Moderation::Unmute => member.activity_status = ActivityStatus::Active,
            Moderation::Disconnect => member.status = Status::Offline,
        }
        Ok(())
    }
}

impl<S: Store> Engine<S> {
    /// Runs one moderation action on one member.
    pub async fn moderate(
        &self,
        caller: &Caller,
        id: &str,
        action: Moderation,
    ) -> MembersResult<MemberView> {
        caller.require_admin(action.call())?;
        let id = MemberId::parse(id, "_id")?;
        let member = self
            .modify(caller, &id, action.call(), |m| action.apply(caller, m))
            .await?;
        Ok(project(&member, Fieldset::Full))
    }
}
