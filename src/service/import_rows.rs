//! `importRows` (SPEC §13, **Beyond Wix**): one batch of an import file, CSV rows
//! or whole members, each checked on its own with the rules of `createMember`.
//! Good rows are stored in one transaction with one created event each; a login
//! email that exists already (in the store, or earlier in the batch) is skipped,
//! patched like `updateMember`, or reported as a conflict.
//!
//! Owns conflict detection and the per-row outcome. It does not read files, keep
//! state between batches, or print anything (pkg/cli.mjs does).

use super::caller::Caller;
use super::engine::{next_version, Engine};
use super::members::{required_login_email, Kept};
use super::slug::{base_slug, check_slug, free_slug};
use crate::model::csv_columns::{check_header, HeaderCheck};
use crate::model::decode::decode;
use crate::model::event::{EventKind, MemberEvent};
use crate::model::input::{apply_patch, MemberInput};
use crate::model::text::unique_key;
use crate::model::{
    ActivityStatus, ContactId, ErrorCode, Member, MemberId, MembersError, MembersResult,
    PrivacyStatus, Status, Timestamp,
};
use crate::store::{email_taken, member_exists, slug_taken, Store};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

/// Most rows one call takes (one transaction).
pub const MAX_ROWS: usize = 1000;

/// How many times a batch is checked again after a concurrent writer took one of
/// its emails, ids or slugs between the check and the insert.
const ATTEMPTS: usize = 4;

/// What the rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RowFormat {
    /// Arrays of cells under `header`.
    #[default]
    Csv,
    /// Whole members in the SDK naming, as `export --format json` writes them.
    Member,
}

/// What happens to a row whose login email exists already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnConflict {
    /// Leave the stored member alone.
    #[default]
    Skip,
    /// Patch the stored member with the row, like `updateMember`.
    Update,
    /// Report the row as a conflict (the CLI then writes nothing at all).
    Error,
}

/// The options of `importRows`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportOptions {
    #[serde(default)]
    pub format: RowFormat,
    /// The CSV header row (required with `format: 'csv'`).
    #[serde(default)]
    pub header: Option<Vec<String>>,
    #[serde(default)]
    pub on_conflict: OnConflict,
    /// Check and report, store nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Drop unknown CSV columns instead of refusing the batch.
    #[serde(default)]
    pub ignore_unknown: bool,
}

/// What became of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Created,
    Updated,
    Skipped,
    Failed,
}

/// One row's result, in the order of the rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowResult {
    pub outcome: Outcome,
    /// Why the row failed: the message `createMember` would give.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The member created, updated or skipped (also in a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The login email's unique key (NFKC + case fold), so a dry run over several
    /// batches can tell a repeat of an earlier batch's email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The row failed because its login email exists (`onConflict: 'error'`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub conflict: bool,
}

impl RowResult {
    fn failed(error: &MembersError) -> RowResult {
        RowResult {
            outcome: Outcome::Failed,
            error: Some(error.message.clone()),
            id: None,
            key: None,
            conflict: false,
        }
    }

    fn of(outcome: Outcome, id: &MemberId, key: &str) -> RowResult {
        RowResult {
            outcome,
            error: None,
            id: Some(id.to_string()),
            key: Some(key.to_string()),
            conflict: false,
        }
    }
}

/// A row that passed its own checks: the member it would create.
struct Draft {
    row: usize,
    member: Member,
    /// The row as a member patch, for `update`.
    patch: Value,
    key: String,
    id_given: bool,
    slug_given: bool,
}

impl<S: Store> Engine<S> {
    /// `importRows(rows, options)` → `{ results: [{ outcome, error?, id?, key?,
    /// conflict? }] }`, one per row. Admins only.
    pub async fn import_rows(
        &self,
        caller: &Caller,
        rows: Value,
        options: Value,
    ) -> MembersResult<Value> {
        caller.require_admin("importRows")?;
        let options: ImportOptions = match options {
            Value::Null => ImportOptions::default(),
            other => decode(other, "options")?,
        };
        let Value::Array(rows) = rows else {
            return Err(MembersError::invalid_field(
                "rows",
                "TYPE",
                "must be an array",
            ));
        };
        if rows.len() > MAX_ROWS {
            return Err(MembersError::invalid_field(
                "rows",
                "SIZE",
                format!("must hold at most {MAX_ROWS} rows (got {})", rows.len()),
            ));
        }
        let header = match options.format {
            RowFormat::Csv => {
                let Some(header) = &options.header else {
                    return Err(MembersError::invalid_field(
                        "options.header",
                        "REQUIRED_FIELD",
                        "is required for CSV rows",
                    ));
                };
                let check = check_header(header)?;
                if let (false, Some(error)) = (options.ignore_unknown, check.unknown_error()) {
                    return Err(error);
                }
                Some((check, header.len()))
            }
            RowFormat::Member => None,
        };
        let mut results: Vec<Option<RowResult>> = vec![None; rows.len()];
        let mut drafts = Vec::with_capacity(rows.len());
        for (i, row) in rows.into_iter().enumerate() {
            match self.draft_of_row(row, header.as_ref()) {
                Ok(mut draft) => {
                    draft.row = i;
                    drafts.push(draft);
                }
                Err(error) => results[i] = Some(RowResult::failed(&error)),
            }
        }
        if !options.dry_run && self.insert_at_once(caller, &mut drafts).await? {
            for draft in &drafts {
                results[draft.row] = Some(RowResult::of(
                    Outcome::Created,
                    &draft.member.id,
                    &draft.key,
                ));
            }
        } else {
            self.import_checked(caller, &options, drafts, &mut results)
                .await?;
        }
        let results: Vec<RowResult> = results.into_iter().flatten().collect();
        Ok(json!({ "results": results }))
    }

    /// The member `importRows` would make of one CSV row under `header`, without
    /// the store: what the `csv_row` fuzz target (fuzz/) and its corpus replay
    /// (tests/fuzz_corpus.rs) check. Public only for them, since `draft_of_row`
    /// is the one place a row becomes a member.
    #[doc(hidden)]
    pub fn draft_csv_row(&self, header: &[String], row: Value) -> MembersResult<Member> {
        let check = check_header(header)?;
        self.draft_of_row(row, Some(&(check, header.len())))
            .map(|draft| draft.member)
    }

    /// One row as a new member, checked like `createMember`.
    fn draft_of_row(
        &self,
        row: Value,
        header: Option<&(HeaderCheck, usize)>,
    ) -> MembersResult<Draft> {
        let mut value = match header {
            Some((check, width)) => {
                let cells: Vec<String> = decode(row, "row")?;
                if cells.len() != *width {
                    return Err(MembersError::invalid_field(
                        "row",
                        "SIZE",
                        format!("has {} cells, the header {width}", cells.len()),
                    ));
                }
                check.member_of_row(&cells)?
            }
            None => row,
        };
        let Value::Object(object) = &mut value else {
            return Err(MembersError::invalid_field(
                "member",
                "TYPE",
                "must be an object",
            ));
        };
        let kept = take_kept(object)?;
        let slug = match object.get("profile").and_then(|p| p.get("slug")) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(MembersError::invalid_field(
                    "member.profile.slug",
                    "TYPE",
                    "must be a string",
                ))
            }
        };
        let id_given = kept.id.is_some();
        let input = MemberInput::parse(value.clone(), "member")?;
        let login_email = required_login_email(&input)?;
        let mut member = self.draft_member(input, login_email, Some(kept))?;
        if let Some(slug) = &slug {
            check_slug(slug, "member.profile.slug")?;
            member.profile.slug = slug.clone();
        }
        Ok(Draft {
            row: 0,
            key: unique_key(&member.login_email),
            member,
            patch: value,
            id_given,
            slug_given: slug.is_some(),
        })
    }

    /// The quick way, when no row repeats another's email or id: every draft in
    /// one insert, generated slugs free only among themselves. `false` when the
    /// store already holds one of the emails, ids or slugs (nothing written):
    /// then each row is checked against the store.
    async fn insert_at_once(&self, caller: &Caller, drafts: &mut [Draft]) -> MembersResult<bool> {
        if drafts.is_empty() {
            return Ok(true);
        }
        let mut keys = HashSet::with_capacity(drafts.len());
        let mut ids = HashSet::with_capacity(drafts.len());
        let mut given = HashSet::new();
        for draft in drafts.iter() {
            if !keys.insert(draft.key.as_str()) || !ids.insert(draft.member.id.as_str()) {
                return Ok(false);
            }
            if draft.slug_given && !given.insert(unique_key(&draft.member.profile.slug)) {
                return Ok(false);
            }
        }
        let mut slugs = given;
        for draft in drafts.iter_mut().filter(|d| !d.slug_given) {
            let base = base_slug(&draft.member);
            let mut slug = base.clone();
            let mut n = 1u64;
            while slugs.contains(&unique_key(&slug)) {
                n += 1;
                slug = format!("{base}-{n}");
            }
            slugs.insert(unique_key(&slug));
            draft.member.profile.slug = slug;
        }
        let members: Vec<Member> = drafts.iter().map(|d| d.member.clone()).collect();
        match self.insert_created(caller, &members).await {
            Ok(()) => Ok(true),
            Err(error) if error.code == ErrorCode::AlreadyExists => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Stores new members in one transaction with one created event each.
    async fn insert_created(&self, caller: &Caller, members: &[Member]) -> MembersResult<()> {
        if members.is_empty() {
            return Ok(());
        }
        let now = self.now();
        let events = members
            .iter()
            .map(|m| {
                MemberEvent::of_change(EventKind::Created, None, Some(m), caller.identity(), now)
            })
            .collect::<MembersResult<Vec<_>>>()?;
        self.before_write().await;
        self.store.insert_many(members, &events).await?;
        self.after_commit().await;
        Ok(())
    }

    /// Row by row against the store and the rows before it: conflicts, ids and
    /// slugs; then the new members in one transaction (unless a dry run).
    async fn import_checked(
        &self,
        caller: &Caller,
        options: &ImportOptions,
        mut drafts: Vec<Draft>,
        results: &mut [Option<RowResult>],
    ) -> MembersResult<()> {
        let mut todo: Vec<usize> = (0..drafts.len()).collect();
        for _ in 0..ATTEMPTS {
            let mut creating: Vec<usize> = Vec::new();
            let mut by_key: HashMap<String, usize> = HashMap::new();
            let mut ids: HashSet<MemberId> = HashSet::new();
            let mut slugs: HashSet<String> = HashSet::new();
            for &d in &todo {
                let result = self
                    .check_row(caller, options, &mut drafts, d, &by_key, &ids, &mut slugs)
                    .await?;
                match result {
                    Some(result) => results[drafts[d].row] = Some(result),
                    None => {
                        by_key.insert(drafts[d].key.clone(), d);
                        ids.insert(drafts[d].member.id.clone());
                        creating.push(d);
                    }
                }
            }
            let members: Vec<Member> = creating.iter().map(|&d| drafts[d].member.clone()).collect();
            let stored = if options.dry_run {
                Ok(())
            } else {
                self.insert_created(caller, &members).await
            };
            match stored {
                Ok(()) => {
                    for &d in &creating {
                        let draft = &drafts[d];
                        results[draft.row] = Some(RowResult::of(
                            Outcome::Created,
                            &draft.member.id,
                            &draft.key,
                        ));
                    }
                    return Ok(());
                }
                // Someone stored one of these meanwhile: check them again.
                Err(error) if error.code == ErrorCode::AlreadyExists => todo = creating,
                Err(error) => return Err(error),
            }
        }
        Err(MembersError::new(
            ErrorCode::Unavailable,
            "TOO_MUCH_CONTENTION",
            "members are being added too fast to import beside them; try again",
        ))
    }

    /// One row's fate, or `None` when it is to be created (its slug then chosen).
    #[allow(clippy::too_many_arguments)]
    async fn check_row(
        &self,
        caller: &Caller,
        options: &ImportOptions,
        drafts: &mut [Draft],
        d: usize,
        by_key: &HashMap<String, usize>,
        ids: &HashSet<MemberId>,
        slugs: &mut HashSet<String>,
    ) -> MembersResult<Option<RowResult>> {
        let draft = &drafts[d];
        let key = draft.key.clone();
        // The same email earlier in this batch: a conflict like a stored member.
        if let Some(&first) = by_key.get(&key) {
            let first_id = drafts[first].member.id.clone();
            if draft.id_given && draft.member.id != first_id {
                return Ok(Some(RowResult::failed(&other_id(&draft.member, &first_id))));
            }
            let result = match options.on_conflict {
                OnConflict::Skip => RowResult::of(Outcome::Skipped, &first_id, &key),
                OnConflict::Error => conflict(&draft.member, &key),
                OnConflict::Update => {
                    let patch = draft.patch.clone();
                    match next_version(&drafts[first].member, self.now(), &|m: &mut Member| {
                        apply_patch(m, MemberInput::parse(patch.clone(), "member")?)
                    }) {
                        Ok(None) => RowResult::of(Outcome::Skipped, &first_id, &key),
                        Ok(Some(mut after)) => {
                            // Still a new member: one created event, revision 1.
                            after.revision = 1;
                            drafts[first].member = after;
                            RowResult::of(Outcome::Updated, &first_id, &key)
                        }
                        Err(error) => RowResult::failed(&error),
                    }
                }
            };
            return Ok(Some(result));
        }
        if let Some(existing) = self.store.get_by_email(&draft.member.login_email).await? {
            if draft.id_given && draft.member.id != existing.id {
                return Ok(Some(RowResult::failed(&other_id(
                    &draft.member,
                    &existing.id,
                ))));
            }
            let result = match options.on_conflict {
                OnConflict::Skip => RowResult::of(Outcome::Skipped, &existing.id, &key),
                OnConflict::Error => conflict(&draft.member, &key),
                OnConflict::Update => {
                    self.patch_existing(caller, options, existing, draft)
                        .await?
                }
            };
            return Ok(Some(result));
        }
        if draft.id_given
            && (ids.contains(&draft.member.id) || self.store.get(&draft.member.id).await?.is_some())
        {
            return Ok(Some(RowResult::failed(&member_exists(&draft.member.id))));
        }
        let draft = &mut drafts[d];
        if draft.slug_given {
            let slug_key = unique_key(&draft.member.profile.slug);
            if slugs.contains(&slug_key)
                || self.store.slugs_like(&slug_key).await?.contains(&slug_key)
            {
                return Ok(Some(RowResult::failed(&slug_taken(
                    &draft.member.profile.slug,
                ))));
            }
        } else {
            draft.member.profile.slug =
                free_slug(&self.store, &base_slug(&draft.member), slugs).await?;
        }
        slugs.insert(unique_key(&draft.member.profile.slug));
        Ok(None)
    }

    /// `update`: the row as a patch of the stored member (`updateMember` rules,
    /// through the same compare-and-set path, with its updated event). Unchanged
    /// is `skipped`.
    async fn patch_existing(
        &self,
        caller: &Caller,
        options: &ImportOptions,
        existing: Member,
        draft: &Draft,
    ) -> MembersResult<RowResult> {
        let change =
            |m: &mut Member| apply_patch(m, MemberInput::parse(draft.patch.clone(), "member")?);
        let changed = if options.dry_run {
            next_version(&existing, self.now(), &change).map(|after| after.is_some())
        } else {
            self.modify(caller, &existing.id, "importRows", change)
                .await
                .map(|after| after.revision != existing.revision)
        };
        Ok(match changed {
            Ok(true) => RowResult::of(Outcome::Updated, &existing.id, &draft.key),
            Ok(false) => RowResult::of(Outcome::Skipped, &existing.id, &draft.key),
            Err(error) if error.code == ErrorCode::InvalidArgument => RowResult::failed(&error),
            Err(error) => return Err(error),
        })
    }
}

/// A row whose login email exists, in `error` mode.
fn conflict(member: &Member, key: &str) -> RowResult {
    RowResult {
        outcome: Outcome::Failed,
        error: Some(email_taken(&member.login_email).message),
        id: None,
        key: Some(key.to_string()),
        conflict: true,
    }
}

/// A row whose email belongs to a member with another id than the row's.
fn other_id(member: &Member, owner: &MemberId) -> MembersError {
    MembersError::invalid_field(
        "member._id",
        "CONFLICT",
        format!(
            "the login email {:?} belongs to member {owner}, not {}",
            member.login_email, member.id
        ),
    )
}

/// Takes the read-only values an import keeps out of a member's JSON (leaving
/// the rest for `MemberInput`), normalising the enums' case in place.
fn take_kept(object: &mut Map<String, Value>) -> MembersResult<Kept> {
    let text = |object: &Map<String, Value>, name: &str| -> MembersResult<Option<String>> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(MembersError::invalid_field(
                &format!("member.{name}"),
                "TYPE",
                "must be a string",
            )),
        }
    };
    let date = |object: &Map<String, Value>, name: &str| -> MembersResult<Option<Timestamp>> {
        match text(object, name)? {
            None => Ok(None),
            Some(s) => Timestamp::parse_spaced(&s).map(Some).ok_or_else(|| {
                MembersError::invalid_field(
                    &format!("member.{name}"),
                    "FORMAT",
                    format!("{s:?} is not an ISO-8601 date and time"),
                )
            }),
        }
    };
    let choice = |object: &mut Map<String, Value>,
                  name: &str,
                  allowed: &str|
     -> MembersResult<Option<Value>> {
        let Some(given) = text(object, name)? else {
            return Ok(None);
        };
        let upper = given.trim().to_ascii_uppercase();
        if !allowed.split(' ').any(|a| a == upper) {
            return Err(MembersError::invalid_field(
                &format!("member.{name}"),
                "FORMAT",
                format!("{given:?} is not one of {}", allowed.replace(' ', ", ")),
            ));
        }
        object.insert(name.to_string(), Value::String(upper.clone()));
        Ok(Some(Value::String(upper)))
    };
    let status: Option<Status> =
        choice(object, "status", "UNKNOWN PENDING APPROVED BLOCKED OFFLINE")?
            .map(|v| decode(v, "member.status"))
            .transpose()?;
    let activity_status: Option<ActivityStatus> =
        choice(object, "activityStatus", "UNKNOWN ACTIVE MUTED")?
            .map(|v| decode(v, "member.activityStatus"))
            .transpose()?;
    let _: Option<PrivacyStatus> = choice(object, "privacyStatus", "UNKNOWN PRIVATE PUBLIC")?
        .map(|v| decode(v, "member.privacyStatus"))
        .transpose()?;
    let login_email_verified = match object.get("loginEmailVerified") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(MembersError::invalid_field(
                "member.loginEmailVerified",
                "TYPE",
                "must be true or false",
            ))
        }
    };
    Ok(Kept {
        id: text(object, "_id")?
            .map(|s| MemberId::parse(&s, "member._id"))
            .transpose()?,
        contact_id: text(object, "contactId")?
            .map(|s| ContactId::parse(&s, "member.contactId"))
            .transpose()?,
        status,
        activity_status,
        login_email_verified,
        created_date: date(object, "_createdDate")?,
        updated_date: date(object, "_updatedDate")?,
        last_login_date: date(object, "lastLoginDate")?,
    })
}
