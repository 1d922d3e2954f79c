//! The `Engine`: one store, the site policy, a clock and the event bus, plus the
//! read-modify-write step every change goes through.
//!
//! Calls themselves live in their own files (`members`, `current`, `moderation`,
//! `bulk`); this file holds what they share.

use super::auth::{InlineHasher, LoginLimit, Mailer, PasswordHasher};
use super::caller::Caller;
use super::events::EventBus;
use super::webhooks::{WebhookPolicy, WebhookSigner};
use crate::model::event::{EventKind, MemberEvent};
use crate::model::input::validate_member;
use crate::model::{
    Member, MemberId, MembersError, MembersResult, PrivacyStatus, Status, Timestamp,
};
use crate::store::{Store, REVISION_CONFLICT};

/// Whether new members need an admin's approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Approval {
    /// New members are `APPROVED`.
    #[default]
    Auto,
    /// New members are `PENDING` until approved.
    Manual,
}

/// Site-wide rules (SPEC §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SitePolicy {
    pub approval: Approval,
    /// `privacyStatus` of a new member that does not choose one.
    pub default_privacy: PrivacyStatus,
    /// How many failed logins are allowed (SPEC §10).
    pub login_limit: LoginLimit,
    /// Whether a member must verify its login email before it may log in.
    pub email_verification: VerificationPolicy,
}

/// The site's `emailVerification` policy (SPEC §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VerificationPolicy {
    /// Members may log in unverified (they can still verify).
    #[default]
    Off,
    /// `register` gives no session and `login` is refused until the email is verified.
    Required,
}

impl VerificationPolicy {
    /// `"off"` or `"required"`; `field` names the setting in the error.
    pub fn parse(text: &str, field: &str) -> MembersResult<Self> {
        match text {
            "off" => Ok(VerificationPolicy::Off),
            "required" => Ok(VerificationPolicy::Required),
            other => Err(MembersError::invalid_field(
                field,
                "ENUM",
                format!("{other:?} is not off or required"),
            )),
        }
    }
}

impl Default for SitePolicy {
    fn default() -> Self {
        SitePolicy {
            approval: Approval::Auto,
            default_privacy: PrivacyStatus::Public,
            login_limit: LoginLimit::default(),
            email_verification: VerificationPolicy::Off,
        }
    }
}

/// How many times a change is retried after losing a compare-and-set race. Every
/// round has a winner, so N concurrent writers of one member all finish within N
/// rounds; the bound only stops a pathological storm.
const MAX_ATTEMPTS: usize = 256;

/// The rules of SPEC.md over one store.
pub struct Engine<S: Store> {
    pub(crate) store: S,
    pub(crate) policy: SitePolicy,
    clock: Box<dyn Fn() -> Timestamp>,
    pub(crate) events: EventBus,
    /// Sends the set-password mail; without one that call is refused.
    pub(crate) mailer: Option<Box<dyn Mailer>>,
    /// Hashes and checks passwords (inline unless a pool is given).
    pub(crate) hasher: Box<dyn PasswordHasher>,
    /// Makes and uses the key pair of `wix` webhooks; without one that format is refused.
    pub(crate) signer: Option<Box<dyn WebhookSigner>>,
    /// Retry schedule, retention and the private-address rule of webhooks.
    pub(crate) webhook_policy: WebhookPolicy,
}

impl<S: Store> Engine<S> {
    /// An engine over `store`; `clock` tells the time (injected so wasm can use
    /// `Date.now()` and tests can fix it).
    pub fn new(store: S, policy: SitePolicy, clock: Box<dyn Fn() -> Timestamp>) -> Self {
        Engine {
            store,
            policy,
            clock,
            events: EventBus::default(),
            mailer: None,
            hasher: Box::new(InlineHasher),
            signer: None,
            webhook_policy: WebhookPolicy::default(),
        }
    }

    /// The same engine signing `wix` webhooks through `signer`.
    pub fn with_signer(mut self, signer: Box<dyn WebhookSigner>) -> Self {
        self.signer = Some(signer);
        self
    }

    /// The same engine with these webhook settings.
    pub fn with_webhook_policy(mut self, policy: WebhookPolicy) -> Self {
        self.webhook_policy = policy;
        self
    }

    /// The same engine hashing passwords through `hasher` (e.g. off the main thread).
    pub fn with_hasher(mut self, hasher: Box<dyn PasswordHasher>) -> Self {
        self.hasher = hasher;
        self
    }

    /// The same engine sending mail through `mailer`.
    pub fn with_mailer(mut self, mailer: Box<dyn Mailer>) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// The event bus, to subscribe handlers.
    pub fn events(&self) -> &EventBus {
        &self.events
    }

    /// The store, for loading data directly (tests, import).
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The site policy.
    pub fn policy(&self) -> SitePolicy {
        self.policy
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// Loads a member the caller may see; anything else is `NOT_FOUND`, so a
    /// hidden member reads exactly like a missing one.
    pub(crate) async fn load_visible(
        &self,
        caller: &Caller,
        id: &MemberId,
    ) -> MembersResult<Member> {
        match self.store.get(id).await? {
            Some(member) if caller.can_see(&member) => Ok(member),
            _ => Err(MembersError::member_not_found(id.as_str())),
        }
    }

    /// Loads a member the caller may change: itself, or anyone for admins. Another
    /// member it can see is `PERMISSION_DENIED`; one it can not see is `NOT_FOUND`.
    pub(crate) async fn load_changeable(
        &self,
        caller: &Caller,
        id: &MemberId,
        call: &str,
    ) -> MembersResult<Member> {
        if matches!(caller, Caller::Visitor) {
            return Err(MembersError::unauthenticated(call));
        }
        let member = self.load_visible(caller, id).await?;
        if caller.is_admin() || caller.is_self(id) {
            Ok(member)
        } else {
            Err(MembersError::permission_denied(format!(
                "{call}: a member may change only itself"
            )))
        }
    }

    /// Applies `change` to the stored member and saves it with compare-and-set,
    /// retrying on a lost race so no concurrent change is lost. An unchanged member
    /// is not written and fires no event. Returns the member as stored.
    pub(crate) async fn modify(
        &self,
        caller: &Caller,
        id: &MemberId,
        call: &str,
        change: impl Fn(&mut Member) -> MembersResult<()>,
    ) -> MembersResult<Member> {
        for _ in 0..MAX_ATTEMPTS {
            let before = self.load_changeable(caller, id, call).await?;
            let Some(after) = next_version(&before, self.now(), &change)? else {
                return Ok(before);
            };
            let event = MemberEvent::of_change(
                EventKind::Updated,
                Some(&before),
                Some(&after),
                caller.identity(),
                after.updated_date,
            )?;
            self.before_write().await;
            match self.store.update(&after, before.revision, &event).await {
                Ok(()) => {
                    self.end_sessions_if_locked_out(&after).await;
                    self.after_commit().await;
                    return Ok(after);
                }
                Err(error) if error.application_code == REVISION_CONFLICT => continue,
                Err(error) => return Err(error),
            }
        }
        Err(MembersError::new(
            crate::model::ErrorCode::Unavailable,
            "TOO_MUCH_CONTENTION",
            format!("member {id} is changing too often to update; try again"),
        ))
    }

    /// Deletes these members all at once, with one event each; returns the ids
    /// deleted. On a lost race the members are read again (one deleted meanwhile
    /// is dropped) and deleted as they now are, so each event follows the last
    /// change's event.
    pub(crate) async fn remove(
        &self,
        caller: &Caller,
        members: &[Member],
    ) -> MembersResult<Vec<MemberId>> {
        let mut pending: Vec<Member> = members.to_vec();
        for _ in 0..MAX_ATTEMPTS {
            if pending.is_empty() {
                return Ok(Vec::new());
            }
            let now = self.now();
            let events = pending
                .iter()
                .map(|m| {
                    MemberEvent::of_change(
                        EventKind::Deleted,
                        Some(m),
                        None,
                        caller.identity(),
                        now,
                    )
                })
                .collect::<MembersResult<Vec<_>>>()?;
            self.before_write().await;
            match self.store.delete(&pending, &events).await {
                Ok(()) => {
                    self.after_commit().await;
                    return Ok(pending.into_iter().map(|m| m.id).collect());
                }
                Err(error) if error.application_code == REVISION_CONFLICT => {
                    let mut fresh = Vec::with_capacity(pending.len());
                    for member in &pending {
                        if let Some(member) = self.store.get(&member.id).await? {
                            fresh.push(member);
                        }
                    }
                    pending = fresh;
                }
                Err(error) => return Err(error),
            }
        }
        Err(MembersError::new(
            crate::model::ErrorCode::Unavailable,
            "TOO_MUCH_CONTENTION",
            "members are changing too often to delete; try again",
        ))
    }
}

impl<S: Store> Engine<S> {
    /// Ends every session of a member that may no longer log in (blocked,
    /// disconnected). Best effort after the change committed: a session whose
    /// member is not approved is refused on sight anyway (`live_session`).
    pub(crate) async fn end_sessions_if_locked_out(&self, member: &Member) {
        if member.status != Status::Approved {
            let _ = self.store.delete_sessions_of(&member.id).await;
        }
    }
}

/// `before` with `change` applied, its revision bumped and its update date set,
/// checked against every limit; `None` when the change changes nothing (then
/// nothing is written and no event fires).
pub(crate) fn next_version(
    before: &Member,
    now: Timestamp,
    change: &impl Fn(&mut Member) -> MembersResult<()>,
) -> MembersResult<Option<Member>> {
    let mut after = before.clone();
    change(&mut after)?;
    if after == *before {
        return Ok(None);
    }
    after.revision = before.revision + 1;
    after.updated_date = now.max(before.updated_date);
    validate_member(&after, "member")?;
    Ok(Some(after))
}
