//! Async jobs (SPEC §12, Wix's Async Job API): a stored bulk action over the
//! members a filter matched when it was asked for, with one item per member.
//!
//! What callers see is `job_json` / `item_json` (SDK naming; the codec renames
//! for the wire). Knows nothing of storage or of how items are worked.

use super::ids::MemberId;
use super::timestamp::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// What a job does to each of its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobAction {
    Delete,
    Approve,
    Block,
}

impl JobAction {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobAction::Delete => "DELETE",
            JobAction::Approve => "APPROVE",
            JobAction::Block => "BLOCK",
        }
    }

    /// Reads the stored name.
    pub fn parse(text: &str) -> Option<JobAction> {
        [JobAction::Delete, JobAction::Approve, JobAction::Block]
            .into_iter()
            .find(|a| a.as_str() == text)
    }

    /// The bulk call that makes such a job.
    pub fn call(self) -> &'static str {
        match self {
            JobAction::Delete => "bulkDeleteMembersByFilter",
            JobAction::Approve => "bulkApproveMembers",
            JobAction::Block => "bulkBlockMembers",
        }
    }
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobStatus {
    Initialized,
    Processing,
    Finished,
    Failed,
}

impl JobStatus {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Initialized => "INITIALIZED",
            JobStatus::Processing => "PROCESSING",
            JobStatus::Finished => "FINISHED",
            JobStatus::Failed => "FAILED",
        }
    }

    /// Reads the stored name.
    pub fn parse(text: &str) -> JobStatus {
        match text {
            "PROCESSING" => JobStatus::Processing,
            "FINISHED" => JobStatus::Finished,
            "FAILED" => JobStatus::Failed,
            _ => JobStatus::Initialized,
        }
    }

    /// FINISHED or FAILED.
    pub fn ended(self) -> bool {
        matches!(self, JobStatus::Finished | JobStatus::Failed)
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    pub action: JobAction,
    /// The filter as the admin sent it (SDK naming).
    pub filter: Value,
    pub status: JobStatus,
    pub items_to_process: u64,
    pub items_succeeded: u64,
    pub items_failed: u64,
    /// The member the admin acted as, if any (so a job never blocks its own maker).
    pub started_by: Option<MemberId>,
    /// Why the job FAILED.
    pub error: Option<String>,
    pub created_date: Timestamp,
    pub updated_date: Timestamp,
}

impl Job {
    /// The job as `getAsyncJob` answers it.
    pub fn to_json(&self) -> Value {
        let mut job = json!({
            "_id": self.id,
            "status": self.status.as_str(),
            "counters": {
                "itemsToProcess": self.items_to_process,
                "itemsSucceeded": self.items_succeeded,
                "itemsFailed": self.items_failed,
            },
            "metadata": { "action": self.action.as_str(), "filter": self.filter },
            "_createdDate": self.created_date,
            "_updatedDate": self.updated_date,
        });
        if let Some(error) = &self.error {
            job["metadata"]["error"] = json!(error);
        }
        job
    }
}

/// Where one item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    Pending,
    Succeeded,
    Failed,
}

impl ItemStatus {
    /// The stored name.
    pub fn column(self) -> &'static str {
        match self {
            ItemStatus::Pending => "pending",
            ItemStatus::Succeeded => "succeeded",
            ItemStatus::Failed => "failed",
        }
    }

    /// Reads the stored name.
    pub fn from_column(text: &str) -> ItemStatus {
        match text {
            "succeeded" => ItemStatus::Succeeded,
            "failed" => ItemStatus::Failed,
            _ => ItemStatus::Pending,
        }
    }
}

/// One member of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobItem {
    /// Its place in the job (0-based), the paging key.
    pub index: u64,
    pub member_id: MemberId,
    pub status: ItemStatus,
    /// `(applicationCode, description)` of a failed item.
    pub error: Option<(String, String)>,
}

impl JobItem {
    /// The item as `listAsyncJobItems` answers it.
    pub fn to_json(&self, job_id: &str) -> Value {
        let mut item = json!({
            "_id": format!("{job_id}:{}", self.index),
            "entityId": self.member_id,
            "success": self.status == ItemStatus::Succeeded,
        });
        if let Some((code, description)) = &self.error {
            item["error"] = json!({ "code": code, "description": description });
        }
        item
    }
}

/// Which items `listAsyncJobItems` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemFilter {
    /// Every item that was worked (pending ones are not listed).
    All,
    FailedOnly,
    SuccessfulOnly,
}

impl ItemFilter {
    /// Parses `ALL|FAILED_ONLY|SUCCESSFUL_ONLY` (absent: ALL).
    pub fn parse(text: Option<&str>) -> super::MembersResult<ItemFilter> {
        match text {
            None | Some("ALL") => Ok(ItemFilter::All),
            Some("FAILED_ONLY") => Ok(ItemFilter::FailedOnly),
            Some("SUCCESSFUL_ONLY") => Ok(ItemFilter::SuccessfulOnly),
            Some(other) => Err(super::MembersError::invalid_field(
                "statusFilter",
                "VALUE",
                format!("must be ALL, FAILED_ONLY or SUCCESSFUL_ONLY, got {other:?}"),
            )),
        }
    }
}
