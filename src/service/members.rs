//! The member calls of SPEC §5: create, get, list, query, count, update, delete and
//! the delete-a-list calls.

use super::caller::Caller;
use super::engine::{Approval, Engine};
use super::slug::{base_slug, free_slug, free_slug_after_race};
use crate::model::credentials::PasswordHash;
use crate::model::event::{EventKind, MemberEvent};
use crate::model::input::{
    apply_imported_input, apply_new_member_input, apply_patch, validate_member, MemberInput,
};
use crate::model::{
    project, ActivityStatus, ContactId, Fieldset, Member, MemberId, MemberView, MembersError,
    MembersResult, Status,
};
use crate::query::{cursor, Paging, Query, QueryRequest};
use crate::store::Store;
use serde_json::Value;

/// One page of a list or query, as the caller may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct MembersPage {
    pub members: Vec<MemberView>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
    /// The cursor of the page after this one, when there is one.
    pub next_cursor: Option<String>,
}

/// Which list `delete_member_list` empties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactList {
    Addresses,
    Emails,
    Phones,
}

/// What an import keeps from its source instead of generating or defaulting:
/// the read-only values an export wrote (SPEC §13).
#[derive(Debug, Default, Clone)]
pub(crate) struct Kept {
    pub id: Option<MemberId>,
    pub contact_id: Option<ContactId>,
    pub status: Option<Status>,
    pub activity_status: Option<ActivityStatus>,
    pub login_email_verified: bool,
    pub created_date: Option<crate::model::Timestamp>,
    pub updated_date: Option<crate::model::Timestamp>,
    pub last_login_date: Option<crate::model::Timestamp>,
}

/// The login email create requires: `member.loginEmail`, present and not empty.
pub(crate) fn required_login_email(input: &MemberInput) -> MembersResult<String> {
    match input.login_email.as_deref() {
        Some(email) if !email.is_empty() => Ok(email.to_string()),
        _ => Err(MembersError::invalid_field(
            "member.loginEmail",
            "REQUIRED_FIELD",
            "is required",
        )),
    }
}

/// How many times create retries when a concurrent create takes its generated slug.
const SLUG_ATTEMPTS: u32 = 8;

impl<S: Store> Engine<S> {
    /// `createMember`: admins only; `member.loginEmail` required and unique.
    pub async fn create_member(&self, caller: &Caller, member: Value) -> MembersResult<MemberView> {
        caller.require_admin("createMember")?;
        let input = MemberInput::parse(member, "member")?;
        let login_email = required_login_email(&input)?;
        let member = self.add_member(caller, input, login_email, None).await?;
        Ok(project(&member, Fieldset::Full))
    }

    /// A new member from validated input, not stored yet: status from the site
    /// policy, generated ids, no slug. With `kept` (an import) the values it holds
    /// are taken as given instead, and address ids sent in the input are kept.
    /// Checked against every limit (SPEC §2), the same for create and import.
    pub(crate) fn draft_member(
        &self,
        input: MemberInput,
        login_email: String,
        kept: Option<Kept>,
    ) -> MembersResult<Member> {
        let now = self.now();
        let imported = kept.is_some();
        let kept = kept.unwrap_or_default();
        let id = match kept.id {
            Some(id) => id,
            None => MemberId::generate()?,
        };
        let mut contact_id = match kept.contact_id {
            Some(contact_id) => contact_id,
            None => ContactId::generate()?,
        };
        while contact_id.as_str() == id.as_str() {
            contact_id = ContactId::generate()?;
        }
        let created_date = kept.created_date.unwrap_or(now);
        let mut new_member = Member {
            id,
            login_email,
            login_email_verified: kept.login_email_verified,
            status: kept.status.unwrap_or(match self.policy.approval {
                Approval::Auto => Status::Approved,
                Approval::Manual => Status::Pending,
            }),
            contact_id,
            contact: Default::default(),
            profile: Default::default(),
            privacy_status: input
                .privacy_status
                .filter(|p| *p != crate::model::PrivacyStatus::Unknown)
                .unwrap_or(self.policy.default_privacy),
            activity_status: kept.activity_status.unwrap_or(ActivityStatus::Active),
            created_date,
            updated_date: kept.updated_date.unwrap_or(now.max(created_date)),
            last_login_date: kept.last_login_date,
            revision: 1,
        };
        if imported {
            apply_imported_input(&mut new_member, input)?;
        } else {
            apply_new_member_input(&mut new_member, input)?;
        }
        validate_member(&new_member, "member")?;
        Ok(new_member)
    }

    /// Makes and stores a new member from validated input (create and register):
    /// status from the site policy, generated ids, a free slug, and, for
    /// `register`, its password in the same write. Fires the created event.
    pub(crate) async fn add_member(
        &self,
        caller: &Caller,
        input: MemberInput,
        login_email: String,
        password: Option<&PasswordHash>,
    ) -> MembersResult<Member> {
        let mut new_member = self.draft_member(input, login_email, None)?;
        let now = new_member.created_date;
        let base = base_slug(&new_member);
        for attempt in 0..SLUG_ATTEMPTS {
            // The lowest free number first, and again after one lost race (two
            // racers get `ann` and `ann-2`); after that, spread out.
            new_member.profile.slug = if attempt <= 1 {
                free_slug(&self.store, &base, &Default::default()).await?
            } else {
                free_slug_after_race(&self.store, &base, attempt - 1).await?
            };
            let event = MemberEvent::of_change(
                EventKind::Created,
                None,
                Some(&new_member),
                caller.identity(),
                now,
            )?;
            self.before_write().await;
            let inserted = match password {
                None => self.store.insert(&new_member, &event).await,
                Some(password) => {
                    self.store
                        .insert_with_password(&new_member, password, &event)
                        .await
                }
            };
            match inserted {
                Ok(()) => {
                    self.after_commit().await;
                    return Ok(new_member);
                }
                // Someone took the slug between the look-up and the insert: pick again.
                Err(error) if error.application_code == "SLUG_ALREADY_EXISTS" => continue,
                Err(error) => return Err(error),
            }
        }
        Err(MembersError::internal(format!(
            "could not find a free slug for {base:?}"
        )))
    }

    /// `getMember`: NOT_FOUND for missing and hidden members alike.
    pub async fn get_member(
        &self,
        caller: &Caller,
        id: &str,
        fieldsets: &[Fieldset],
    ) -> MembersResult<MemberView> {
        let wanted = Fieldset::widest(fieldsets, "fieldsets")?;
        let id = MemberId::parse(id, "_id")?;
        let member = self.load_visible(caller, &id).await?;
        Ok(project(&member, caller.fieldset_for(&member.id, wanted)))
    }

    /// `queryMembers(...).find()` and `listMembers`: one page of what the caller may see.
    pub async fn query_members(
        &self,
        caller: &Caller,
        request: QueryRequest,
        fieldsets: &[Fieldset],
    ) -> MembersResult<MembersPage> {
        let wanted = Fieldset::widest(fieldsets, "fieldsets")?;
        let mut query = self.visible_query(caller, &request)?;
        let limit = query.paging.limit;
        // Binds cursors to this query; computed only when a cursor is read or made.
        let fingerprint = || cursor::fingerprint(&request.combined_filter(), &request.sort);
        let mut total = None;
        if let Some(token) = &request.paging.cursor {
            cursor::check_sort(&request.sort)?;
            let secret = self.store.secret().await?;
            let after = cursor::decode(&secret, &fingerprint(), &request.sort, token)?;
            // totalCount stays the whole query's; the page itself starts after the cursor.
            total = Some(self.store.count(&query.filter).await?);
            query.filter = query.filter.and(after);
            query.with_total = false;
        }
        // One row more than the page tells whether a next page exists.
        query.paging.limit = limit + 1;
        let mut page = self.store.query(&query).await?;
        let has_more = page.members.len() > limit as usize;
        page.members.truncate(limit as usize);
        let next_cursor = match page.members.last() {
            Some(last) if has_more && cursor::check_sort(&request.sort).is_ok() => {
                let secret = self.store.secret().await?;
                Some(cursor::encode(
                    &secret,
                    &fingerprint(),
                    &request.sort,
                    last,
                )?)
            }
            _ => None,
        };
        Ok(MembersPage {
            members: page
                .members
                .iter()
                .map(|m| project(m, caller.fieldset_for(&m.id, wanted)))
                .collect(),
            total: total.unwrap_or(page.total),
            limit,
            offset: query.paging.offset,
            next_cursor,
        })
    }

    /// `queryMembers(...).count()`: how many members the caller may see match.
    pub async fn count_members(
        &self,
        caller: &Caller,
        request: QueryRequest,
    ) -> MembersResult<u64> {
        let query = self.visible_query(caller, &request)?;
        self.store.count(&query.filter).await
    }

    /// The request with the caller's visibility ANDed in; admin-only fields are
    /// refused for everyone else so a query can not reveal what a read hides.
    fn visible_query(&self, caller: &Caller, request: &QueryRequest) -> MembersResult<Query> {
        if !caller.is_admin() {
            if let Some(field) = request.admin_only_field() {
                return Err(MembersError::permission_denied(format!(
                    "only admins may filter, sort or search on {field}"
                ))
                .with_data(serde_json::json!({ "field": field })));
            }
        }
        Ok(Query {
            filter: caller.visibility_filter().and(request.combined_filter()),
            sort: request.sort.clone(),
            paging: Paging {
                cursor: None,
                ..request.paging.clone()
            },
            with_total: true,
        })
    }

    /// `updateMember`: a patch of contact and profile; self or admin.
    pub async fn update_member(
        &self,
        caller: &Caller,
        id: &str,
        member: Value,
    ) -> MembersResult<MemberView> {
        let id = MemberId::parse(id, "_id")?;
        // Parse once up front so a bad body fails before anything is read.
        MemberInput::parse(member.clone(), "member")?;
        let updated = self
            .modify(caller, &id, "updateMember", |stored| {
                apply_patch(stored, MemberInput::parse(member.clone(), "member")?)
            })
            .await?;
        Ok(project(&updated, Fieldset::Full))
    }

    /// `deleteMember`: admins only; permanent.
    pub async fn delete_member(&self, caller: &Caller, id: &str) -> MembersResult<()> {
        caller.require_admin("deleteMember")?;
        let id = MemberId::parse(id, "_id")?;
        let member = self.load_visible(caller, &id).await?;
        if self.remove(caller, &[member]).await?.is_empty() {
            return Err(MembersError::member_not_found(id.as_str()));
        }
        Ok(())
    }

    /// `deleteMemberAddresses` / `Emails` / `Phones`: empties one list; self or admin.
    /// `loginEmail` is never touched.
    pub async fn delete_member_list(
        &self,
        caller: &Caller,
        id: &str,
        list: ContactList,
    ) -> MembersResult<MemberView> {
        let id = MemberId::parse(id, "_id")?;
        let call = match list {
            ContactList::Addresses => "deleteMemberAddresses",
            ContactList::Emails => "deleteMemberEmails",
            ContactList::Phones => "deleteMemberPhones",
        };
        let updated = self
            .modify(caller, &id, call, |member| {
                match list {
                    ContactList::Addresses => member.contact.addresses.clear(),
                    ContactList::Emails => member.contact.emails.clear(),
                    ContactList::Phones => member.contact.phones.clear(),
                }
                Ok(())
            })
            .await?;
        Ok(project(&updated, Fieldset::Full))
    }
}
