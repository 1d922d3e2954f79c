// Types of the `universal-members` package: the same API from the Node and the
// browser entries (the browser refuses `elevate` and has no events; admin calls need an admin sign-in there).

/** Canonical error codes (SPEC §8). */
export type ErrorCode =
  | 'INVALID_ARGUMENT' | 'UNAUTHENTICATED' | 'PERMISSION_DENIED' | 'NOT_FOUND' | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION' | 'RESOURCE_EXHAUSTED' | 'UNAVAILABLE' | 'INTERNAL';

/** One broken rule of an input. */
export interface FieldViolation {
  field: string;
  description: string;
  violatedRule: string;
}

/** `details` of a MembersError, as in the Wix wire body. */
export interface MembersErrorDetails {
  applicationError?: { code: string; description: string; data: Record<string, unknown> };
  validationError?: { fieldViolations: FieldViolation[] };
}

/** Every failed call rejects with a MembersError. */
export class MembersError extends Error {
  constructor(code: ErrorCode, message: string, applicationCode: string, httpStatus: number, details?: MembersErrorDetails);
  readonly name: 'MembersError';
  /** The canonical code, e.g. `NOT_FOUND`. */
  readonly code: ErrorCode;
  /** The application code, e.g. `SLUG_ALREADY_EXISTS`. */
  readonly applicationCode: string;
  /** The HTTP status the server answers with. */
  readonly httpStatus: number;
  readonly details: MembersErrorDetails;
}

/** True when `value` is a MembersError. */
export function isMembersError(value: unknown): value is MembersError;

export type Status = 'UNKNOWN' | 'PENDING' | 'APPROVED' | 'BLOCKED' | 'OFFLINE';
export type PrivacyStatus = 'UNKNOWN' | 'PRIVATE' | 'PUBLIC';
export type ActivityStatus = 'UNKNOWN' | 'ACTIVE' | 'MUTED';
export type Fieldset = 'PUBLIC' | 'EXTENDED' | 'FULL';

export interface StreetAddress { number?: string; name?: string }

export interface Address {
  /** Generated; send it back to keep the address. */
  _id?: string;
  addressLine?: string;
  streetAddress?: StreetAddress;
  addressLine2?: string;
  city?: string;
  /** ISO 3166-2, e.g. `US-NY`. */
  subdivision?: string;
  /** ISO 3166-1 alpha-2, e.g. `US`. */
  country?: string;
  postalCode?: string;
}

export interface CustomField { name?: string; value: unknown }

export interface Contact {
  firstName?: string;
  lastName?: string;
  company?: string;
  jobTitle?: string;
  /** `YYYY-MM-DD`. */
  birthdate?: string;
  phones?: string[];
  emails?: string[];
  addresses?: Address[];
  customFields?: Record<string, CustomField>;
}

export interface Image {
  _id?: string;
  url: string;
  height?: number;
  width?: number;
  offsetX?: number;
  offsetY?: number;
}

export interface Profile {
  nickname?: string;
  /** Read-only here: set with `updateCurrentMemberSlug` / `updateMemberSlug`. */
  slug?: string;
  title?: string;
  photo?: Image;
  cover?: Image;
}

/** A member as returned; what is present depends on the fieldset. */
export interface Member {
  _id: string;
  loginEmail?: string;
  loginEmailVerified?: boolean;
  status: Status;
  contactId: string;
  contact?: Required<Pick<Contact, 'phones' | 'emails' | 'addresses' | 'customFields'>> & Contact;
  profile: Profile;
  privacyStatus: PrivacyStatus;
  activityStatus: ActivityStatus;
  _createdDate: Date;
  _updatedDate: Date;
  lastLoginDate?: Date;
}

/**
 * A member as sent to create or update. Read-only fields are accepted and ignored,
 * so a fetched `Member` can be edited and sent back; unknown fields are refused.
 */
export interface MemberInput {
  loginEmail?: string;
  contact?: Contact;
  profile?: Profile;
  /** Used by createMember; join/leaveCommunity change it later. */
  privacyStatus?: PrivacyStatus;
  _id?: string;
  loginEmailVerified?: boolean;
  status?: Status;
  contactId?: string;
  activityStatus?: ActivityStatus;
  _createdDate?: Date | string;
  _updatedDate?: Date | string;
  lastLoginDate?: Date | string;
}

export interface FieldsetOptions { fieldsets?: Fieldset[] }
export interface Paging { limit?: number; offset?: number }
export interface Sorting { fieldName: string; order?: 'ASC' | 'DESC' }
export interface Search { expression: string; fields?: string[] }

export interface ListMembersOptions extends FieldsetOptions {
  paging?: Paging;
  sorting?: Sorting[];
}

export interface PagingMetadata {
  count: number;
  offset: number;
  total: number;
  tooManyToCount: boolean;
  cursors: { next: string | null; prev: null };
}
export interface ListMembersResponse { members: Member[]; metadata: PagingMetadata }
export interface MemberResponse { member: Member }
export interface GetCurrentMemberResponse { member?: Member }

export interface QueryMembersOptions extends FieldsetOptions { search?: Search }

/** A Wix filter document: `{ field: value }`, `{ field: { $op: value } }`, `$and`/`$or`/`$not`. */
export type Filter = Record<string, unknown>;

export type FilterValue = string | number | boolean | Date | null;

/** Builds a query; every method returns a new builder. */
export interface MembersQueryBuilder {
  eq(field: string, value: FilterValue): MembersQueryBuilder;
  ne(field: string, value: FilterValue): MembersQueryBuilder;
  gt(field: string, value: FilterValue): MembersQueryBuilder;
  ge(field: string, value: FilterValue): MembersQueryBuilder;
  lt(field: string, value: FilterValue): MembersQueryBuilder;
  le(field: string, value: FilterValue): MembersQueryBuilder;
  in(field: string, values: FilterValue[]): MembersQueryBuilder;
  hasSome(field: string, values: FilterValue[]): MembersQueryBuilder;
  hasAll(field: string, values: FilterValue[]): MembersQueryBuilder;
  startsWith(field: string, text: string): MembersQueryBuilder;
  endsWith(field: string, text: string): MembersQueryBuilder;
  contains(field: string, text: string): MembersQueryBuilder;
  exists(field: string, exists?: boolean): MembersQueryBuilder;
  isEmpty(field: string): MembersQueryBuilder;
  isNotEmpty(field: string): MembersQueryBuilder;
  between(field: string, from: FilterValue, to: FilterValue): MembersQueryBuilder;
  and(query: MembersQueryBuilder): MembersQueryBuilder;
  or(query: MembersQueryBuilder): MembersQueryBuilder;
  not(query: MembersQueryBuilder): MembersQueryBuilder;
  ascending(...fields: string[]): MembersQueryBuilder;
  descending(...fields: string[]): MembersQueryBuilder;
  /** Page size, 1..100 (default 50). */
  limit(limit: number): MembersQueryBuilder;
  skip(skip: number): MembersQueryBuilder;
  /** Continues after `result.cursors.next` (Beyond Wix): deep pages cost what page 1 costs. */
  cursor(cursor: string): MembersQueryBuilder;
  find(): Promise<MembersQueryResult>;
  /** How many members match, over all pages. */
  count(): Promise<number>;
}

/** One page of a query. */
export interface MembersQueryResult {
  readonly items: Member[];
  readonly length: number;
  readonly pageSize: number;
  readonly totalCount: number;
  /** 0-based. */
  readonly currentPage: number;
  readonly totalPages: number;
  readonly query: MembersQueryBuilder;
  /** `next` continues with `query.cursor(next)`; `null` on the last page. */
  readonly cursors: { next: string | null; prev: null };
  hasNext(): boolean;
  hasPrev(): boolean;
  next(): Promise<MembersQueryResult>;
  prev(): Promise<MembersQueryResult>;
}

export interface BulkItemResult {
  itemMetadata: { _id: string; originalIndex: number; success: boolean; error?: { code: string; description: string } };
}

export interface BulkDeleteMembersResponse {
  results: BulkItemResult[];
  bulkActionMetadata: { totalSuccesses: number; totalFailures: number; undetailedFailures: number };
}

export interface JobResponse { jobId: string }

/** What a by-filter bulk call answers with `{ dryRun: true }`: nothing is written. **Beyond Wix.** */
export interface DryRunResponse { dryRun: true; count: number; sampleIds: string[] }

/** Options of a by-filter bulk call. */
export interface BulkByFilterOptions {
  /** Answer the number of matches and the first 10 ids, and write nothing. */
  dryRun?: boolean;
}

/** Where an async job stands. */
export type AsyncJobStatus = 'INITIALIZED' | 'PROCESSING' | 'FINISHED' | 'FAILED';

/** A bulk job (Wix's Async Job), readable while it runs. */
export interface AsyncJob {
  _id: string;
  status: AsyncJobStatus;
  counters: { itemsToProcess: number; itemsSucceeded: number; itemsFailed: number };
  /** `action`: DELETE, APPROVE or BLOCK; `filter` as given; `error` when FAILED. */
  metadata: { action: 'DELETE' | 'APPROVE' | 'BLOCK'; filter: Filter; error?: string };
  _createdDate: Date;
  _updatedDate: Date;
}

/** One member of a job, once worked. */
export interface AsyncJobItem {
  _id: string;
  /** The member. */
  entityId: string;
  success: boolean;
  /** Why it failed (`code` is the applicationCode, e.g. FAILED_PRECONDITION). */
  error?: { code: string; description: string };
}

/** Wix's Async Job API (admins only; `elevate` on Node). */
export interface AsyncJobsApi {
  /** The job; NOT_FOUND when unknown or ended more than the retention ago. */
  getAsyncJob(jobId: string): Promise<{ job: AsyncJob }>;
  /** Worked items in order, a page at a time (`paging.cursor` from `pagingMetadata.cursors.next`). */
  listAsyncJobItems(jobId: string, options?: {
    statusFilter?: 'ALL' | 'FAILED_ONLY' | 'SUCCESSFUL_ONLY';
    paging?: { limit?: number; cursor?: string };
  }): Promise<{ items: AsyncJobItem[]; pagingMetadata: { count: number; cursors: { next: string | null }; hasNext: boolean } }>;
}

/** Wix's Async Job API: follow the jobs of the by-filter bulk calls. */
export const asyncJobs: AsyncJobsApi;

export type IdentityType = 'ANONYMOUS_VISITOR' | 'MEMBER' | 'ADMIN';

export interface EventMetadata {
  _id: string;
  entityId: string;
  eventType: 'wix.members.v1.member_created' | 'wix.members.v1.member_updated' | 'wix.members.v1.member_deleted';
  entityFqdn: 'wix.members.v1.member';
  slug: 'created' | 'updated' | 'deleted';
  eventTime: Date;
  identity: { identityType: IdentityType; memberId?: string };
  entityEventSequence: number;
}

export interface MemberCreatedEvent { entity: Member; metadata: EventMetadata }
export interface MemberUpdatedEvent { entity: Member; previousEntity: Member; metadata: EventMetadata }
export interface MemberDeletedEvent { metadata: EventMetadata }

/**
 * How a webhook is sent. `standard`: Standard Webhooks v1 (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature` HMAC-SHA256 headers; any Standard
 * Webhooks library verifies it). `wix`: what Wix itself sends, an RS256 JWT body
 * that the official Wix SDK's `webhooks.process(body)` verifies with the public key.
 */
export type WebhookFormat = 'standard' | 'wix';

/** The events an endpoint subscribes to (the slug of the event). */
export type WebhookEvent = 'created' | 'updated' | 'deleted';

/** A webhook endpoint: a row of the database, seen by every server process. Never holds its secret. */
export interface Webhook {
  _id: string;
  /** `http:` or `https:`; never a loopback, private or link-local address (unless allowed for development). */
  url: string;
  format: WebhookFormat;
  events: WebhookEvent[];
  /** False once the receiver answered `410 Gone`; its deliveries wait meanwhile. */
  enabled: boolean;
  /** Why it was disabled, e.g. after a `410 Gone`. */
  disabledReason?: string;
  _createdDate: Date;
}

/** `PENDING` (to be sent, or retried), `DELIVERED` (a 2xx answer), `DEAD` (8 failed attempts). */
export type WebhookDeliveryStatus = 'PENDING' | 'DELIVERED' | 'DEAD';

/** One attempt at sending a delivery. */
export interface WebhookAttempt {
  _createdDate: Date;
  /** The HTTP status of the answer; null when there was none (refused address, timeout, no connection). */
  status: number | null;
  durationMs: number;
  /** What went wrong (at most 1 KB). */
  error?: string;
}

/** One event on its way to one endpoint, with every attempt. */
export interface WebhookDelivery {
  _id: string;
  webhookId: string;
  /** The event's id: `webhook-id` (standard) / `metadata._id`, the same on every retry. */
  eventId: string;
  eventType: EventMetadata['eventType'];
  /** The member the event is about. */
  entityId: string;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  /** When the next attempt is due (pending deliveries). */
  nextAttemptDate?: Date;
  _createdDate: Date;
  attempts: WebhookAttempt[];
}

/** What `createWebhook` takes. */
export interface CreateWebhookOptions {
  url: string;
  /** Default `standard`. */
  format?: WebhookFormat;
  /** Default all three; at least one. */
  events?: WebhookEvent[];
}

/**
 * A new endpoint with what verifies its webhooks, given out only here (and by
 * `rotateWebhookSecret`): `secret` (`whsec_…`) for `standard`, `publicKey` (SPKI
 * PEM) for `wix`.
 */
export interface CreateWebhookResponse {
  webhook: Webhook;
  /** `standard`: the signing secret, `whsec_` + base64 of 32 random bytes. */
  secret?: string;
  /** `wix`: the public key (SPKI PEM) the Wix SDK verifies the JWT with. */
  publicKey?: string;
}

/** Which deliveries `listWebhookDeliveries` lists; `FAILED`: the last attempt failed (retrying or dead). */
export type WebhookDeliveryFilter = 'ALL' | 'PENDING' | 'DELIVERED' | 'DEAD' | 'FAILED';

/**
 * Webhooks (SPEC §9; admins only: `elevate(webhooks.createWebhook)({ url })`, or
 * an admin key over REST). Anyone else gets `PERMISSION_DENIED`. In the browser
 * the calls go to the server, which answers a page signed in through admin
 * sign-in (`/admin`) and refuses every other page. Bad input is
 * `INVALID_ARGUMENT` naming the field (`url`, `format`, `events`).
 */
export interface WebhooksApi {
  /** Adds an endpoint; its events are delivered at least once, in order per member. */
  createWebhook(options: CreateWebhookOptions): Promise<CreateWebhookResponse>;
  listWebhooks(): Promise<{ webhooks: Webhook[] }>;
  getWebhook(_id: string): Promise<{ webhook: Webhook }>;
  /** Removes the endpoint; nothing more is sent to it. */
  deleteWebhook(_id: string): Promise<void>;
  /** A new secret (`standard` only); the previous one also signs for 24 hours. */
  rotateWebhookSecret(_id: string): Promise<{ webhook: Webhook; secret: string }>;
  /** The endpoint's deliveries, newest first. */
  listWebhookDeliveries(_id: string, options?: { status?: WebhookDeliveryFilter; limit?: number }): Promise<{ deliveries: WebhookDelivery[] }>;
  /** Sends a delivered or dead delivery again. */
  redeliver(deliveryId: string): Promise<{ delivery: WebhookDelivery }>;
}

/** The webhooks API (admins: elevated Node code, an admin key, or an admin-signed-in page). */
export const webhooks: WebhooksApi;

/** The members API (Wix Velo `wix-members.v2` `members`). */
export interface MembersApi {
  createMember(options: { member: MemberInput }): Promise<Member>;
  getMember(_id: string, options?: FieldsetOptions): Promise<Member>;
  listMembers(options?: ListMembersOptions): Promise<ListMembersResponse>;
  queryMembers(options?: QueryMembersOptions): MembersQueryBuilder;
  updateMember(_id: string, member: MemberInput): Promise<Member>;
  deleteMember(_id: string): Promise<void>;
  deleteMemberAddresses(_id: string): Promise<MemberResponse>;
  deleteMemberEmails(_id: string): Promise<MemberResponse>;
  deleteMemberPhones(_id: string): Promise<MemberResponse>;
  getCurrentMember(options?: FieldsetOptions): Promise<GetCurrentMemberResponse>;
  joinCommunity(): Promise<MemberResponse>;
  leaveCommunity(): Promise<MemberResponse>;
  updateCurrentMemberSlug(slug: string): Promise<MemberResponse>;
  updateMemberSlug(_id: string, slug: string): Promise<MemberResponse>;
  muteMember(_id: string): Promise<MemberResponse>;
  unmuteMember(_id: string): Promise<MemberResponse>;
  approveMember(_id: string): Promise<MemberResponse>;
  blockMember(_id: string): Promise<MemberResponse>;
  disconnectMember(_id: string): Promise<MemberResponse>;
  deleteMyMember(options?: { contentAssigneeId?: string }): Promise<void>;
  bulkDeleteMembers(memberIds: string[]): Promise<BulkDeleteMembersResponse>;
  /** Starts an async job deleting the current matches (see `asyncJobs`). */
  bulkDeleteMembersByFilter(filter: Filter): Promise<JobResponse>;
  bulkDeleteMembersByFilter(filter: Filter, options: { dryRun: true }): Promise<DryRunResponse>;
  bulkDeleteMembersByFilter(filter: Filter, options?: BulkByFilterOptions): Promise<JobResponse | DryRunResponse>;
  /** Starts an async job approving the current matches (see `asyncJobs`). */
  bulkApproveMembers(filter: Filter): Promise<JobResponse>;
  bulkApproveMembers(filter: Filter, options: { dryRun: true }): Promise<DryRunResponse>;
  bulkApproveMembers(filter: Filter, options?: BulkByFilterOptions): Promise<JobResponse | DryRunResponse>;
  /** Starts an async job blocking the current matches; never the admin's own member. */
  bulkBlockMembers(filter: Filter): Promise<JobResponse>;
  bulkBlockMembers(filter: Filter, options: { dryRun: true }): Promise<DryRunResponse>;
  bulkBlockMembers(filter: Filter, options?: BulkByFilterOptions): Promise<JobResponse | DryRunResponse>;
  /** Admins: stores whole members (ids, dates, statuses kept), all or nothing, 1..1000. Beyond Wix. */
  importMembers(members: Array<Member | Record<string, unknown>>): Promise<{ importedCount: number }>;
  /** Node only. */
  onMemberCreated(handler: (event: MemberCreatedEvent) => void): void;
  /** Node only. */
  onMemberUpdated(handler: (event: MemberUpdatedEvent) => void): void;
  /** Node only. */
  onMemberDeleted(handler: (event: MemberDeletedEvent) => void): void;
}

/** On Node: the members API plus acting as a given member or session. */
export interface NodeMembersApi extends MembersApi {
  /** The same API acting as the member with this id (trusted backend code). */
  asMember(memberId: string): NodeMembersApi;
  /**
   * The same API acting as the holder of a session token (from `login` or
   * `register`). Once the session ends (logout, block, disconnect, delete, a new
   * password, 30 days unused) calls fail with `UNAUTHENTICATED` / `SESSION_INVALID`.
   */
  withSession(sessionToken: string): NodeMembersApi;
}

/** `register` options (Wix `RegisterOptions`). */
export interface RegisterOptions {
  contactInfo?: MemberInput['contact'];
  profile?: MemberInput['profile'];
  privacyStatus?: 'PUBLIC' | 'PRIVATE';
}

/**
 * What `register`, `login` and `verifyEmail` return. `sessionToken` is there on
 * Node (pass it to `withSession`); in the browser the server keeps the session in
 * an HttpOnly cookie instead. `PENDING` (manual approval, or a login email not yet
 * verified under `emailVerification: 'required'`) comes with no session.
 */
export interface SessionResult {
  status: 'ACTIVE' | 'PENDING';
  member: Member;
  sessionToken?: string;
}

/** One of the caller's own sessions, as `listMySessions` lists it. Beyond Wix. */
export interface MemberSession {
  /** A UUID naming the session; it is not the token and opens nothing. */
  _id: string;
  _createdDate: Date;
  /** When the session was last used; moves at most once a minute. */
  lastUsedDate: Date;
  /** The `User-Agent` of the request that started it (trimmed, at most 255 characters); null in process or when none was sent. */
  userAgent: string | null;
  /** True for the session this call came with. */
  current: boolean;
}

/** Authentication (Wix Velo `wix-members.v2` `authentication`; SPEC §10). */
export interface AuthenticationApi {
  /**
   * A new member with a password (8..256 characters); logged in unless approval is
   * manual. Under `emailVerification: 'required'` the member starts unverified, a
   * code and link are mailed, and the answer is `PENDING` with no session.
   */
  register(email: string, password: string, options?: RegisterOptions): Promise<SessionResult>;
  /**
   * A new session. Wrong password and unknown email fail alike with
   * `UNAUTHENTICATED` / `INVALID_CREDENTIALS`; too many failures with
   * `RESOURCE_EXHAUSTED` / `RATE_LIMITED`. Under `emailVerification: 'required'`, a
   * member whose login email is not verified gets `PERMISSION_DENIED` /
   * `EMAIL_NOT_VERIFIED` (after a right password).
   */
  login(email: string, password: string): Promise<SessionResult>;
  /**
   * Ends the session this object holds. Without one it rejects with
   * `UNAUTHENTICATED`: it never resolves for a session it did not end.
   */
  logout(): Promise<void>;
  /** True while this object holds a session (synchronous). */
  loggedIn(): boolean;
  /**
   * A new login email (unique, case-insensitively). By an admin it takes effect at
   * once, unverified. By the member itself, a taken address rejects with
   * `ALREADY_EXISTS` / `EMAIL_ALREADY_EXISTS`; otherwise nothing changes yet: it
   * resolves to the member with its old login email, mails a code and link to the
   * new address and a notice to the old one, and the old address keeps logging in
   * until `verifyEmail(code, { email: newEmail })` (or the link) succeeds.
   */
  changeLoginEmail(_id: string, newEmail: string): Promise<Member>;
  /**
   * Verifies a login email with the 6-digit code of a verification mail (give
   * `{ email }`, the address it was sent to) or the token of its link (no email
   * needed). Sets `loginEmailVerified` (for a pending change, `loginEmail` becomes
   * the new address). Resolves `ACTIVE` with a session for an approved member, else
   * `PENDING`. A code without `email` is `INVALID_ARGUMENT` on `options.email`.
   * A wrong, expired, used or voided code or token, or an unknown email,
   * all reject alike with `INVALID_ARGUMENT` / `VERIFICATION_INVALID` (field
   * `codeOrToken`); the fifth wrong code voids the verification. Attempts are
   * limited per client address like logins (`RESOURCE_EXHAUSTED` / `RATE_LIMITED`).
   */
  verifyEmail(codeOrToken: string, options?: { email?: string }): Promise<SessionResult>;
  /**
   * Mails a new code and link (24 hours) to the member with this login email, or
   * with this pending new email, voiding the ones sent before. Resolves alike for
   * unknown and already verified emails (no mail then). Limited per email and per
   * client address; `FAILED_PRECONDITION` / `MAIL_NOT_CONFIGURED` without a mailer.
   */
  sendVerificationEmail(email: string): Promise<{ accepted: boolean }>;
  /** The caller's own sessions, newest first. A visitor gets `UNAUTHENTICATED`. */
  listMySessions(): Promise<{ sessions: MemberSession[] }>;
  /**
   * Ends one of the caller's own sessions (the current one too). An unknown id and
   * another member's session reject alike with `NOT_FOUND` / `SESSION_NOT_FOUND`.
   */
  revokeSession(sessionId: string): Promise<void>;
  /** Ends every session of the caller but the one this call came with. */
  revokeOtherSessions(): Promise<{ revoked: number }>;
  /**
   * Admins ("log out everywhere"; `elevate` on Node): ends every session of the
   * member. Anyone else gets `PERMISSION_DENIED`; an unknown member `NOT_FOUND`.
   */
  revokeMemberSessions(memberId: string): Promise<{ revoked: number }>;
  /** Mails a single-use set-password link (3 hours); resolves alike for unknown emails. */
  sendSetPasswordEmail(email: string): Promise<{ accepted: boolean }>;
  /** Sets the password with a set-password token; ends every session of the member. */
  setPassword(token: string, password: string): Promise<void>;
}

/** On Node: the authentication API of one session. */
export interface NodeAuthenticationApi extends AuthenticationApi {
  /**
   * Node: the global object holds no session, so `logout(sessionToken)` ends the
   * session of that token (later calls with it fail with `UNAUTHENTICATED` /
   * `SESSION_INVALID`); `logout()` with no token rejects with `UNAUTHENTICATED`.
   * Browser: ends the cookie session (no token needed).
   */
  logout(sessionToken?: string): Promise<void>;
  /** The authentication API of a session: `loggedIn()` until its `logout()`. */
  withSession(sessionToken: string): AuthenticationApi;
}

/** The authentication API; on Node it holds no session itself (see `withSession`). */
export const authentication: NodeAuthenticationApi;

/** Node: the members and authentication APIs of one member's session. */
export function withSession(sessionToken: string): { members: NodeMembersApi; authentication: AuthenticationApi };

/** The mail the core hands to a mailer: one of three templates. */
export type MailMessage = SetPasswordMail | VerifyEmailMail | EmailChangeRequestedMail;

/** A set-password link (single use, 3 hours). */
export interface SetPasswordMail {
  template: 'set-password';
  to: string;
  /** The single-use token the link must carry. */
  token: string;
  code: null;
  newEmail: null;
  /** ISO date when the token stops working. */
  expiresDate: string;
}

/** A verification code and link (24 hours), to the address being verified. */
export interface VerifyEmailMail {
  template: 'verify-email';
  to: string;
  /** The single-use token the link must carry (`<siteUrl>/account/my-account?verify=<token>`). */
  token: string;
  /** The 6-digit code. */
  code: string;
  newEmail: null;
  /** ISO date when the code and the token stop working. */
  expiresDate: string;
}

/** The notice to a member's old login email that a change to `newEmail` was asked for. */
export interface EmailChangeRequestedMail {
  template: 'email-change-requested';
  to: string;
  /** Empty: the notice carries no link. */
  token: string;
  code: null;
  /** The address the change would move to. */
  newEmail: string;
  /** ISO date. */
  expiresDate: string;
}

/** The members API. A Node script calls as a visitor until it uses `elevate`. */
export const members: NodeMembersApi;

export interface ConfigureOptions {
  /** `sqlite:PATH`, `postgres://…` or `memory:`; default `MEMBERS_DATABASE_URL`, else `sqlite:./members.db`. */
  database?: string;
  /** Whether new members need approval. */
  approval?: 'auto' | 'manual';
  /** privacyStatus of new members that choose none. */
  defaultPrivacy?: 'PUBLIC' | 'PRIVATE';
  /**
   * A members server to send every call to (browser default: the page's origin).
   * On Node this makes the same API a client of a remote server.
   */
  baseUrl?: string;
  /** Node client of a server: the admin key `elevate()` and `asMember()` send. */
  adminKey?: string;
  /** Failed logins allowed per email / client address per window (defaults 10, 50, 900 s). */
  loginLimit?: { perEmail?: number; perAddress?: number; windowSeconds?: number };
  /**
   * `required`: a member must verify its login email before it can log in
   * (`register` answers `PENDING` and mails a code and link). Default
   * `MEMBERS_EMAIL_VERIFICATION`, else `off`. Any other value is a `TypeError`.
   */
  emailVerification?: 'off' | 'required';
  /** Your own mail transport; else `smtpUrl`, else the development `mailbox` file. */
  mailer?: { send(message: MailMessage): unknown };
  /** SMTP for the members' mail (default `MEMBERS_SMTP_URL`), through nodemailer. */
  smtpUrl?: string;
  /** The development mailbox file (default `MEMBERS_MAILBOX`, else `./members-mailbox.jsonl`). */
  mailbox?: string;
  /** Where links in mail lead (default `MEMBERS_SITE_URL`, else http://127.0.0.1:8080). */
  siteUrl?: string;
  /**
   * Node: deliver webhooks from this process (and remove old events) until
   * `close()` (default `MEMBERS_DELIVER_WEBHOOKS=1`, else false; servers deliver
   * anyway). Needs the database here, not `baseUrl`.
   */
  deliverWebhooks?: boolean;
  /** Days events, deliveries and their attempts are kept (default `MEMBERS_RETENTION_DAYS`, else 30). */
  retentionDays?: number;
  /**
   * Allow webhooks to loopback, private and link-local addresses (default
   * `MEMBERS_WEBHOOK_ALLOW_PRIVATE=1`, else false). For development and tests only.
   */
  webhookAllowPrivate?: boolean;
  /**
   * Seconds to wait after the 1st, 2nd, … failed attempt of a webhook delivery;
   * after the last the delivery is dead (default `MEMBERS_WEBHOOK_RETRY_SCHEDULE`,
   * comma-separated, else 5, 300, 1800, 7200, 18000, 36000, 36000; ±20 % jitter).
   */
  webhookRetrySchedule?: number[];
}

/** Chooses the database (Node) or the server (browser). */
export function configure(options?: ConfigureOptions): void;

/** Node: stops webhook delivery (finishing or giving back attempts in flight) and closes the database; the next call opens the configured one again. */
export function close(): Promise<void>;

/** Returns `fn` running with admin rights (Node only; refused in the browser). */
export function elevate<F extends (...args: any[]) => any>(fn: F): F;
