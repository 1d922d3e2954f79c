//! Bulk calls (SPEC §5): delete by ids, and delete/approve/block by filter.

use super::caller::Caller;
use super::engine::Engine;
use super::moderation::Moderation;
use crate::model::ids::new_uuid;
use crate::model::{Member, MemberId, MembersError, MembersResult};
use crate::query::{Filter, Paging, Query, Sort, MAX_LIMIT};
use crate::store::Store;
use serde_json::{json, Value};

/// Most ids one `bulkDeleteMembers` takes.
pub const MAX_BULK_IDS: usize = 100;

impl<S: Store> Engine<S> {
    /// `bulkDeleteMembers`: one result per id, in order.
    pub async fn bulk_delete_members(
        &self,
        caller: &Caller,
        ids: &[String],
    ) -> MembersResult<Value> {
        caller.require_admin("bulkDeleteMembers")?;
        if ids.is_empty() || ids.len() > MAX_BULK_IDS {
            return Err(MembersError::invalid_field(
                "memberIds",
                "SIZE",
                format!("must hold 1 to {MAX_BULK_IDS} ids (got {})", ids.len()),
            ));
        }
        let parsed = ids
            .iter()
            .enumerate()
            .map(|(i, id)| MemberId::parse(id, &format!("memberIds[{i}]")))
            .collect::<MembersResult<Vec<_>>>()?;
        let mut found: Vec<Member> = Vec::new();
        for id in &parsed {
            if found.iter().any(|m| m.id == *id) {
                continue; // a repeated id is deleted (and announced) once
            }
            if let Some(member) = self.store.get(id).await? {
                found.push(member);
            }
        }
        let deleted = self.remove(caller, &found).await?;
        let mut counted = Vec::new();
        let results: Vec<Value> = parsed
            .iter()
            .enumerate()
            .map(|(i, id)| {
                // Only the first mention of an id succeeds; repeats report NOT_FOUND.
                let success = deleted.contains(id) && !counted.contains(id);
                if success {
                    counted.push(id.clone());
                }
                let mut item = json!({ "_id": id, "originalIndex": i, "success": success });
                if !success {
                    let error = MembersError::member_not_found(id.as_str());
                    item["error"] =
                        json!({ "code": error.application_code, "description": error.message });
                }
                json!({ "itemMetadata": item })
            })
            .collect();
        let failures = parsed.len() - counted.len();
        Ok(json!({
            "results": results,
            "bulkActionMetadata": {
                "totalSuccesses": counted.len(),
                "totalFailures": failures,
                "undetailedFailures": 0,
            }
        }))
    }

    /// Every member matching `filter`, read page by page.
    async fn all_matching(&self, filter: &Filter) -> MembersResult<Vec<Member>> {
        let mut members = Vec::new();
        loop {
            let query = Query {
                filter: filter.clone(),
                sort: Sort::default(),
                paging: Paging {
                    limit: MAX_LIMIT,
                    offset: members.len() as u64,
                    cursor: None,
                },
                with_total: false,
            };
            let page = self.store.query(&query).await?;
            let done = page.members.len() < MAX_LIMIT as usize;
            members.extend(page.members);
            if done {
                return Ok(members);
            }
        }
    }

    /// `bulkDeleteMembersByFilter`: deletes every match; returns `{ jobId }`.
    pub async fn bulk_delete_by_filter(
        &self,
        caller: &Caller,
        filter: &Value,
    ) -> MembersResult<Value> {
        caller.require_admin("bulkDeleteMembersByFilter")?;
        let filter = Filter::parse(filter)?;
        let members = self.all_matching(&filter).await?;
        self.remove(caller, &members).await?;
        Ok(json!({ "jobId": new_uuid()? }))
    }

    /// `bulkApproveMembers` / `bulkBlockMembers`: moderates every match (a caller
    /// never blocks itself; disconnected members are left alone).
    pub async fn bulk_moderate(
        &self,
        caller: &Caller,
        filter: &Value,
        action: Moderation,
    ) -> MembersResult<Value> {
        let call = match action {
            Moderation::Block => "bulkBlockMembers",
            _ => "bulkApproveMembers",
        };
        caller.require_admin(call)?;
        let filter = Filter::parse(filter)?;
        // A caller never blocks itself; disconnected members stay as they are.
        let targets: Vec<Member> = self
            .all_matching(&filter)
            .await?
            .into_iter()
            .filter(|m| !caller.is_self(&m.id) && m.status != crate::model::Status::Offline)
            .collect();
        // One transaction for all of them: every match changes, or none does.
        self.modify_many(caller, targets, |m| {
            if m.status == crate::model::Status::Offline {
                return Ok(()); // disconnected meanwhile
            }
            action.apply(caller, m)
        })
        .await?;
        Ok(json!({ "jobId": new_uuid()? }))
    }
}
