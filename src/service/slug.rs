//! Slugs (SPEC §6): generated on create with a free `-N` suffix, or set explicitly.
//! Uniqueness itself is the store's job; this file picks candidates and checks form.

use super::caller::Caller;
use super::engine::Engine;
use crate::model::ids::random_bytes;
use crate::model::text::{generated_slug, slug_problem, unique_key};
use crate::model::{Member, MemberId, MembersError, MembersResult};
use crate::store::Store;
use std::collections::HashSet;

/// The slug a new member would get from its nickname or email (before suffixes).
pub fn base_slug(member: &Member) -> String {
    generated_slug(member.profile.nickname.as_deref(), &member.login_email)
}

/// The slug keys in the store that `base` or `base-N` could clash with.
async fn stored_slug_keys<S: Store>(store: &S, base: &str) -> MembersResult<HashSet<String>> {
    Ok(store
        .slugs_like(&unique_key(base))
        .await?
        .into_iter()
        .collect())
}

/// The first of `base`, `base-2`, `base-3`... whose key is not in use, neither in
/// the store nor in `also_taken` (slug keys of members about to be stored with it).
pub async fn free_slug<S: Store>(
    store: &S,
    base: &str,
    also_taken: &HashSet<String>,
) -> MembersResult<String> {
    let stored = stored_slug_keys(store, base).await?;
    let taken = |slug: &str| {
        let key = unique_key(slug);
        stored.contains(&key) || also_taken.contains(&key)
    };
    if !taken(base) {
        return Ok(base.to_string());
    }
    let free = (2u64..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken(candidate));
    free.ok_or_else(|| MembersError::internal("no free slug suffix"))
}

/// A free `base-N` for a writer that lost the race for the first free one
/// (attempt 1, 2, …): the first free number at or after a random one up to
/// 100 · 2^attempt past the lowest, so writers racing for one base (many
/// sign-ups called "Ann" at once, over several processes) spread out instead of
/// all taking the same next number again.
pub async fn free_slug_after_race<S: Store>(
    store: &S,
    base: &str,
    attempt: u32,
) -> MembersResult<String> {
    let stored = stored_slug_keys(store, base).await?;
    let free_from =
        |start: u64| (start..).find(|n| !stored.contains(&unique_key(&format!("{base}-{n}"))));
    let lowest = free_from(2).ok_or_else(|| MembersError::internal("no free slug suffix"))?;
    let mut random = [0u8; 4];
    random_bytes(&mut random)?;
    let spread = 100u64 << attempt.min(20);
    let start = lowest + u64::from(u32::from_le_bytes(random)) % spread;
    free_from(start)
        .map(|n| format!("{base}-{n}"))
        .ok_or_else(|| MembersError::internal("no free slug suffix"))
}

/// Checks an explicitly chosen slug; the error names `field`.
pub fn check_slug(slug: &str, field: &str) -> MembersResult<()> {
    match slug_problem(slug) {
        Some(problem) => Err(MembersError::invalid_field(
            field,
            "FORMAT",
            format!("{slug:?} {problem}"),
        )),
        None => Ok(()),
    }
}

impl<S: Store> Engine<S> {
    /// Sets a member's slug as given; a taken one is `ALREADY_EXISTS` from the store.
    pub(crate) async fn set_slug(
        &self,
        caller: &Caller,
        id: &MemberId,
        slug: &str,
        call: &str,
    ) -> MembersResult<Member> {
        check_slug(slug, "slug")?;
        self.modify(caller, id, call, |member| {
            member.profile.slug = slug.to_string();
            Ok(())
        })
        .await
    }
}
