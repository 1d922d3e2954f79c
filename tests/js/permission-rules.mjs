// The permission × visibility rules of SPEC §3, §4, §5 and §7 as ONE table, and
// the function that reads it (not a test file itself). The matrix tests
// (permission-matrix.test.mjs in the package suite, process/permission-matrix.test.mjs
// against a real server) generate their cases from this file: every call × every
// caller × every target member, the expected outcome computed here, never listed
// per case.

/** The 8 target members: privacy × status. */
export const PRIVACIES = ['PUBLIC', 'PRIVATE'];
export const STATUSES = ['APPROVED', 'PENDING', 'BLOCKED', 'OFFLINE'];
export const TARGETS = PRIVACIES.flatMap((privacy) => STATUSES.map((status) => ({ key: `${privacy}-${status}`, privacy, status })));

/**
 * Caller roles the rules tell apart. `session` callers hold a real session
 * token (SPEC §10): only an APPROVED member has a live one.
 * visitor: no credentials; self: the target member itself; other: another
 * (approved, public) member; admin: admin key, admin cookie or elevated Node code.
 */
export const ROLES = ['visitor', 'self', 'other', 'admin'];

/** SPEC §4 visibility: visitors and other members see PUBLIC + APPROVED; a member itself; admins all. */
export function sees(role, target) {
  if (target === null) return false;
  if (role === 'admin' || role === 'self') return true;
  return target.privacy === 'PUBLIC' && target.status === 'APPROVED';
}

/** SPEC §3: what a successful read returns. */
export function fieldsetFor(role, asked) {
  return role === 'admin' || role === 'self' ? asked : 'PUBLIC';
}

/**
 * Fields a non-admin may not filter, sort or search on (SPEC §7: a query can
 * never reveal what a read hides). `activityStatus` is here because a PUBLIC read
 * shows it as UNKNOWN; `status` and `privacyStatus` are not, because every member
 * a non-admin sees besides itself is APPROVED and PUBLIC: they tell it nothing.
 */
export const ADMIN_ONLY_FIELDS = ['loginEmail', 'loginEmailVerified', 'contact.firstName', 'contact.lastName', 'lastLoginDate', 'contact.customFields.secret.value', 'activityStatus'];
/** Fields any caller may filter and sort on. */
export const PUBLIC_FIELDS = ['_id', 'contactId', 'profile.nickname', 'profile.slug', 'profile.title', '_createdDate', '_updatedDate', 'status', 'privacyStatus'];

// Outcome kinds (a rule's `kind`) ---------------------------------------------
//   read         sees ? ok : NOT_FOUND (like a missing member)
//   list         the target is listed and counted iff sees
//   selfOrAdmin  visitor UNAUTHENTICATED; self and admin ok; another member:
//                PERMISSION_DENIED when it sees the target, else NOT_FOUND
//   admin        admins only, before any look-up: a visitor (no credentials at all)
//                UNAUTHENTICATED, a member PERMISSION_DENIED
//   me           about the caller itself: a member ok, anyone else UNAUTHENTICATED
//   current      getCurrentMember: a member gets itself, anyone else `{}`
//   public       anyone; the same answer for every target and for none
//   assignee     the named member must be one the caller sees, else NOT_FOUND (as a missing one)
//                (the same as for a member that does not exist)
//   login        the right password: by the target's status; a wrong one:
//                INVALID_CREDENTIALS, the same as an unknown email
const ok = { ok: true };
const error = (code, applicationCode) => ({ ok: false, code, applicationCode });
const NOT_FOUND = error('NOT_FOUND', 'MEMBER_NOT_FOUND');
const DENIED = error('PERMISSION_DENIED', 'PERMISSION_DENIED');
const NO_MEMBER = error('UNAUTHENTICATED', 'UNAUTHENTICATED');
/** SPEC §5/§10: a blocked, pending or disconnected member's sessions end. */
export const SESSION_ENDED = error('UNAUTHENTICATED', 'SESSION_INVALID');
/** SPEC §5: disconnect is permanent: approve and block refuse a disconnected member. */
const DISCONNECTED_FOR_GOOD = { OFFLINE: error('FAILED_PRECONDITION', 'FAILED_PRECONDITION') };

/**
 * THE TABLE: every call of SPEC §4/§5/§9/§10/§12, the rule it follows, and
 * what an admin (who may do it) still gets refused for by target status.
 * `writes`: a successful call may change the member (one event per change).
 */
export const RULES = {
  // members: reads
  getMember: { kind: 'read' },
  queryMembers: { kind: 'list' },
  listMembers: { kind: 'list' },
  countMembers: { kind: 'list' },
  // members: self or admin
  updateMember: { kind: 'selfOrAdmin', writes: true },
  deleteMemberAddresses: { kind: 'selfOrAdmin', writes: true },
  deleteMemberEmails: { kind: 'selfOrAdmin', writes: true },
  deleteMemberPhones: { kind: 'selfOrAdmin', writes: true },
  // members: admins only
  createMember: { kind: 'admin', writes: true },
  deleteMember: { kind: 'admin', writes: true },
  updateMemberSlug: { kind: 'admin', writes: true },
  muteMember: { kind: 'admin', writes: true },
  unmuteMember: { kind: 'admin', writes: true },
  approveMember: { kind: 'admin', writes: true, adminRefused: DISCONNECTED_FOR_GOOD },
  blockMember: { kind: 'admin', writes: true, adminRefused: DISCONNECTED_FOR_GOOD },
  disconnectMember: { kind: 'admin', writes: true },
  bulkDeleteMembers: { kind: 'admin', writes: true },
  bulkDeleteMembersByFilter: { kind: 'admin' },
  bulkApproveMembers: { kind: 'admin' },
  bulkBlockMembers: { kind: 'admin' },
  importMembers: { kind: 'admin', writes: true },
  // members: the current member
  getCurrentMember: { kind: 'current' },
  joinCommunity: { kind: 'me', writes: true },
  leaveCommunity: { kind: 'me', writes: true },
  updateCurrentMemberSlug: { kind: 'me', writes: true },
  deleteMyMember: { kind: 'me', writes: true },
  // deleteMyMember({ contentAssigneeId }) names another member: one the caller
  // can not see is refused exactly like one that does not exist.
  contentAssignee: { kind: 'assignee', writes: true },
  // authentication
  login: { kind: 'login' },
  register: { kind: 'public' },
  sendSetPasswordEmail: { kind: 'public' },
  sendVerificationEmail: { kind: 'public' },
  changeLoginEmail: { kind: 'selfOrAdmin', writes: true },
  listMySessions: { kind: 'me' },
  revokeOtherSessions: { kind: 'me' },
  revokeMemberSessions: { kind: 'admin' },
  // webhooks (SPEC §9, admins only)
  createWebhook: { kind: 'admin' },
  listWebhooks: { kind: 'admin' },
  getWebhook: { kind: 'admin' },
  deleteWebhook: { kind: 'admin' },
  rotateWebhookSecret: { kind: 'admin' },
  listWebhookDeliveries: { kind: 'admin' },
  redeliver: { kind: 'admin' },
  // asyncJobs (SPEC §12, admins only)
  getAsyncJob: { kind: 'admin' },
  listAsyncJobItems: { kind: 'admin' },
  // the event stream (SPEC §9, admins only; no credentials at all is 401)
  eventStream: { kind: 'stream' },
};

/**
 * The expected outcome of `call` by a caller of `role` aimed at `target` (one of
 * TARGETS, null for a member that does not exist, undefined for a call about no
 * member; for `me` calls the target
 * is the caller itself). `session: true` when the caller presents a session
 * token, `holder` the target entry (privacy, status) of the member it belongs
 * to. `login` takes `{ rightPassword }`. Returns `{ ok: true, fieldset? }`,
 * `{ ok: true, listed }` for list calls, or `{ ok: false, code, applicationCode }`.
 */
export function expected(call, role, target, { session = false, holder = null, rightPassword = false, asked = 'FULL' } = {}) {
  const rule = RULES[call];
  if (!rule) throw new Error(`no rule for ${call}`);
  // A session's member must be approved, or the session is gone (for any call).
  if (holder && holder.status !== 'APPROVED') return SESSION_ENDED;
  switch (rule.kind) {
    case 'read':
      return sees(role, target) ? { ok: true, fieldset: fieldsetFor(role, asked) } : NOT_FOUND;
    case 'list':
      return { ok: true, listed: sees(role, target), fieldset: fieldsetFor(role, asked) };
    case 'selfOrAdmin':
      if (role === 'visitor') return NO_MEMBER;
      if (target === null) return NOT_FOUND;
      if (role === 'admin' || role === 'self') return ok;
      return sees(role, target) ? DENIED : NOT_FOUND;
    case 'admin':
      if (role === 'visitor') return NO_MEMBER;
      if (role !== 'admin') return DENIED;
      return (target && rule.adminRefused?.[target.status]) ?? ok;
    case 'me':
      return role === 'self' ? ok : NO_MEMBER;
    case 'current':
      return { ok: true, member: role === 'self' };
    case 'public':
      return ok;
    case 'assignee':
      return sees(role, target) ? ok : NOT_FOUND;
    case 'login': {
      if (!rightPassword || target === null) return error('UNAUTHENTICATED', 'INVALID_CREDENTIALS');
      const refused = { PENDING: 'MEMBER_PENDING', BLOCKED: 'MEMBER_BLOCKED', OFFLINE: 'MEMBER_DISCONNECTED' }[target.status];
      return refused ? error('PERMISSION_DENIED', refused) : ok;
    }
    case 'stream':
      if (role === 'admin') return ok;
      return session ? DENIED : error('UNAUTHENTICATED', 'UNAUTHENTICATED');
    default:
      throw new Error(`unknown rule kind ${rule.kind}`);
  }
}

/** Whether two expected outcomes are the same answer (then their bytes must be the same too). */
export function sameOutcome(a, b) {
  return a.ok === b.ok && a.code === b.code && a.applicationCode === b.applicationCode;
}

/**
 * In-process event handlers (SPEC §9) are host code: wherever the database is,
 * they get every event of every member in full, whoever made the change; an HTTP
 * client can not subscribe. The event stream follows `RULES.eventStream`.
 */
export const HANDLERS_SEE_EVERY_EVENT = true;

/**
 * The markers a member carries (unique strings in each field), split into what
 * PUBLIC shows and what only FULL shows, so any response can be scanned for
 * strings its caller may not see.
 */
export function markersOf(member) {
  const contact = member.contact ?? {};
  const pub = [member.contactId, member.profile?.nickname, member.profile?.slug, member.profile?.title];
  const priv = [
    member.loginEmail, contact.firstName, contact.lastName, contact.company, contact.jobTitle,
    ...(contact.phones ?? []), ...(contact.emails ?? []),
    ...(contact.addresses ?? []).map((a) => a.city),
    ...Object.values(contact.customFields ?? {}).map((f) => String(f.value)),
  ];
  return { public: pub.filter(Boolean), private: priv.filter(Boolean) };
}

/**
 * Every marker of `members` (each `{ member, target }`) that a caller of `role`
 * (`selfId`: the caller's own id) must not find in an answer.
 */
export function forbiddenMarkers(members, role, selfId) {
  const out = [];
  for (const { member, target } of members) {
    if (role === 'admin' || member._id === selfId) continue;
    const { public: pub, private: priv } = markersOf(member);
    out.push(...priv);
    if (!sees(role, target)) out.push(...pub);
  }
  return out;
}

/** Text of a value with every cursor-like token (`payload.mac`) decoded too, for scanning. */
export function scannable(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, (k, v) => (v instanceof Map ? Object.fromEntries(v) : v)) ?? '';
  const decoded = [];
  for (const [, payload] of text.matchAll(/([A-Za-z0-9_-]{16,})\.[A-Za-z0-9_-]{16,}/g)) {
    try {
      decoded.push(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      // not base64url: nothing hidden in it
    }
  }
  return [text, ...decoded].join('\n');
}
