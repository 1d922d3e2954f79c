//! Bulk calls (SPEC §5): delete by ids. The by-filter calls are async jobs
//! (`jobs.rs`).

use super::caller::Caller;
use super::engine::Engine;
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
    pub(crate) async fn all_matching(&self, filter: &Filter) -> MembersResult<Vec<Member>> {
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
}
