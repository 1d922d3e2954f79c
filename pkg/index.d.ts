// Types of the `universal-members` package: the same API from the Node and the
// browser entries (the browser refuses `elevate` and has no events; admin calls
// need an admin sign-in there).
//
// Self-contained on purpose: only ES2015 built-ins (Promise, Date, Error), no DOM
// and no @types/node, so a plain `tsc --init --strict` project checks it with any
// `lib` and without `skipLibCheck` (tests/ts). Optional input fields also take
// `undefined` (the calls treat it as absent), so `exactOptionalPropertyTypes`,
// which `tsc --init` turns on, accepts `{ database: process.env.X }`.

/** Canonical error codes (SPEC §8): what went wrong, as a gRPC-style code. */
export type ErrorCode =
  | 'INVALID_ARGUMENT' | 'UNAUTHENTICATED' | 'PERMISSION_DENIED' | 'NOT_FOUND' | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION' | 'RESOURCE_EXHAUSTED' | 'UNAVAILABLE' | 'INTERNAL';

/** One broken rule of an input. */
export interface FieldViolation {
  /** The field, e.g. `member.contact.phones[0]`. */
  field: string;
  /** What is wrong with it. */
  description: string;
  /** The rule it broke, e.g. `FORMAT`. */
  violatedRule: string;
}

/** `details` of a MembersError, as in the Wix wire body. */
export interface MembersErrorDetails {
  /** Every error but INVALID_ARGUMENT: `code` is the applicationCode, `data` its specifics (e.g. the taken slug). */
  applicationError?: { code: string; description: string; data: Record<string, unknown> };
  /** INVALID_ARGUMENT: the fields that broke a rule. */
  validationError?: { fieldViolations: FieldViolation[] };
}

/** Every failed call rejects with a MembersError, the same in the browser and on Node. */
export class MembersError extends Error {
  /** Made by the package; user code only narrows it (`isMembersError`, `instanceof`). */
  constructor(code: ErrorCode, message: string, applicationCode: string, httpStatus: number, details?: MembersErrorDetails);
  /** Always `MembersError`. */
  readonly name: 'MembersError';
  /** The canonical code, e.g. `NOT_FOUND`. */
  readonly code: ErrorCode;
  /** The application code, e.g. `SLUG_ALREADY_EXISTS`. */
  readonly applicationCode: string;
  /** The HTTP status the server answers with. */
  readonly httpStatus: number;
  /** The field violations or the application error, as on the wire. */
  readonly details: MembersErrorDetails;
}

/** True when `value` is a MembersError (also one made by another copy of the package). */
export function isMembersError(value: unknown): value is MembersError;

/** A member's standing: `APPROVED` members can log in; `OFFLINE` is disconnected for good. */
export type Status = 'UNKNOWN' | 'PENDING' | 'APPROVED' | 'BLOCKED' | 'OFFLINE';
/** `PUBLIC` members are visible to everyone; `UNKNOWN` when the fieldset hides it. */
export type PrivacyStatus = 'UNKNOWN' | 'PRIVATE' | 'PUBLIC';
/** `MUTED` after `muteMember`; `UNKNOWN` when the fieldset hides it. */
export type ActivityStatus = 'UNKNOWN' | 'ACTIVE' | 'MUTED';
/** How much of a member a read returns (SPEC §3); a caller gets at most what it may see. */
export type Fieldset = 'PUBLIC' | 'EXTENDED' | 'FULL';

/** A street as number and name (instead of `addressLine`). */
export interface StreetAddress { number?: string | undefined; name?: string | undefined }

/** A postal address of a member's contact. */
export interface Address {
  /** Generated; send it back to keep the address. */
  _id?: string | undefined;
  addressLine?: string | undefined;
  streetAddress?: StreetAddress | undefined;
  addressLine2?: string | undefined;
  city?: string | undefined;
  /** ISO 3166-2, e.g. `US-NY`. */
  subdivision?: string | undefined;
  /** ISO 3166-1 alpha-2, e.g. `US`. */
  country?: string | undefined;
  postalCode?: string | undefined;
}

/** A site-defined field of a contact; `name` is ignored on update. */
export interface CustomField { name?: string | undefined; value: unknown }

/** A member's contact details (the FULL fieldset). */
export interface Contact {
  firstName?: string | undefined;
  lastName?: string | undefined;
  /** At most 100 characters. */
  company?: string | undefined;
  /** At most 100 characters. */
  jobTitle?: string | undefined;
  /** `YYYY-MM-DD`. */
  birthdate?: string | undefined;
  /** At most 20; an array replaces the whole list on update. */
  phones?: string[] | undefined;
  /** At most 20 valid emails. */
  emails?: string[] | undefined;
  /** At most 20. */
  addresses?: Address[] | undefined;
  /** By key; at most 100 keys. */
  customFields?: Record<string, CustomField> | undefined;
}

/** A returned contact: the lists are always there (`[]` / `{}` when empty). */
export interface MemberContact extends Contact {
  phones: string[];
  emails: string[];
  addresses: Address[];
  customFields: Record<string, CustomField>;
}

/** A photo or cover image. */
export interface Image {
  _id?: string | undefined;
  url: string;
  height?: number | undefined;
  width?: number | undefined;
  offsetX?: number | undefined;
  offsetY?: number | undefined;
}

/** What everyone may see of a member (the PUBLIC fieldset). */
export interface Profile {
  nickname?: string | undefined;
  /** Read-only here: set with `updateCurrentMemberSlug` / `updateMemberSlug`. */
  slug?: string | undefined;
  title?: string | undefined;
  photo?: Image | undefined;
  cover?: Image | undefined;
}

/** A member as returned; what is present depends on the fieldset. */
export interface Member {
  /** UUID, generated. */
  _id: string;
  /** EXTENDED and FULL; changed only by `authentication.changeLoginEmail`. */
  loginEmail?: string;
  /** Whether the member verified its login email. */
  loginEmailVerified?: boolean;
  /** `UNKNOWN` under the PUBLIC fieldset. */
  status: Status;
  /** UUID, generated, never equal to `_id`. */
  contactId: string;
  /** FULL only. */
  contact?: MemberContact;
  profile: Profile;
  /** `UNKNOWN` under the PUBLIC fieldset. */
  privacyStatus: PrivacyStatus;
  /** `UNKNOWN` under the PUBLIC fieldset. */
  activityStatus: ActivityStatus;
  _createdDate: Date;
  /** Moves with every change. */
  _updatedDate: Date;
  /** FULL only; absent before the first login. */
  lastLoginDate?: Date;
}

/**
 * A member as sent to create or update. Read-only fields are accepted and ignored,
 * so a fetched `Member` can be edited and sent back; unknown fields are refused.
 */
export interface MemberInput {
  /** Required by createMember; ignored by updateMember. */
  loginEmail?: string | undefined;
  contact?: Contact | undefined;
  profile?: Profile | undefined;
  /** Used by createMember; join/leaveCommunity change it later. */
  privacyStatus?: PrivacyStatus | undefined;
  /** Read-only: ignored. */
  _id?: string | undefined;
  /** Read-only: ignored. */
  loginEmailVerified?: boolean | undefined;
  /** Read-only: ignored. */
  status?: Status | undefined;
  /** Read-only: ignored. */
  contactId?: string | undefined;
  /** Read-only: ignored. */
  activityStatus?: ActivityStatus | undefined;
  /** Read-only: ignored. */
  _createdDate?: Date | string | undefined;
  /** Read-only: ignored. */
  _updatedDate?: Date | string | undefined;
  /** Read-only: ignored. */
  lastLoginDate?: Date | string | undefined;
}

/** The fieldsets a read asks for. */
export interface FieldsetOptions {
  /** At most 3; default `['PUBLIC']`. */
  fieldsets?: Fieldset[] | undefined;
}
/** Offset paging of `listMembers`. */
export interface Paging {
  /** 1..100, default 50. */
  limit?: number | undefined;
  offset?: number | undefined;
}
/** One sort key of `listMembers`; ties are broken by `_id`. */
export interface Sorting { fieldName: string; order?: 'ASC' | 'DESC' | undefined }
/** A case-insensitive substring search, ANDed with the filter. */
export interface Search {
  /** 1..100 characters. */
  expression: string;
  /** Up to 4; default `['profile.nickname']`; fields outside `profile` for admins only. */
  fields?: string[] | undefined;
}

/** Options of `listMembers`. */
export interface ListMembersOptions extends FieldsetOptions {
  paging?: Paging | undefined;
  /** Default `_createdDate` descending. */
  sorting?: Sorting[] | undefined;
}

/** Where a page of `listMembers` sits among all matches. */
export interface PagingMetadata {
  /** Members on this page. */
  count: number;
  offset: number;
  /** Members matching, over all pages. */
  total: number;
  tooManyToCount: boolean;
  cursors: { next: string | null; prev: null };
}
/** What `listMembers` answers. */
export interface ListMembersResponse { members: Member[]; metadata: PagingMetadata }
/** A member wrapped as `{ member }`. */
export interface MemberResponse { member: Member }
/** `{ member }`, or `{}` for a visitor (and an admin, who is no member). */
export interface GetCurrentMemberResponse { member?: Member }

/** Options of `queryMembers`. */
export interface QueryMembersOptions extends FieldsetOptions { search?: Search | undefined }

/** A Wix filter document: `{ field: value }`, `{ field: { $op: value } }`, `$and`/`$or`/`$not`. */
export type Filter = Record<string, unknown>;

/** A value a query compares a field with. */
export type FilterValue = string | number | boolean | Date | null;

/**
 * Builds a query (SPEC §7); every method returns a new builder, so one can be
 * reused. Filters combine with AND. Fields: `_id`, `loginEmail`, `contactId`,
 * `contact.firstName`, `contact.lastName`, `profile.nickname`, `profile.slug`,
 * `profile.title`, `privacyStatus`, `status`, `activityStatus`, `_createdDate`,
 * `_updatedDate`, `lastLoginDate`, `contact.customFields.<key>.value`; others are
 * `INVALID_ARGUMENT`, fields outside PUBLIC `PERMISSION_DENIED` for non-admins.
 */
export interface MembersQueryBuilder {
  /** Equal (strings compare exactly). */
  eq(field: string, value: FilterValue): MembersQueryBuilder;
  /** Not equal. */
  ne(field: string, value: FilterValue): MembersQueryBuilder;
  /** Greater than (strings, numbers, dates). */
  gt(field: string, value: FilterValue): MembersQueryBuilder;
  /** Greater than or equal. */
  ge(field: string, value: FilterValue): MembersQueryBuilder;
  /** Less than. */
  lt(field: string, value: FilterValue): MembersQueryBuilder;
  /** Less than or equal. */
  le(field: string, value: FilterValue): MembersQueryBuilder;
  /** One of `values` (on an array field: any element is). */
  in(field: string, values: FilterValue[]): MembersQueryBuilder;
  /** One of `values` (on an array field: any element is). */
  hasSome(field: string, values: FilterValue[]): MembersQueryBuilder;
  /** The array field holds all of `values`. **Beyond Wix.** */
  hasAll(field: string, values: FilterValue[]): MembersQueryBuilder;
  /** Case-insensitive prefix. */
  startsWith(field: string, text: string): MembersQueryBuilder;
  /** Case-insensitive suffix. **Beyond Wix.** */
  endsWith(field: string, text: string): MembersQueryBuilder;
  /** Case-insensitive substring. **Beyond Wix.** */
  contains(field: string, text: string): MembersQueryBuilder;
  /** The field is set (`exists` true, the default) or not. */
  exists(field: string, exists?: boolean): MembersQueryBuilder;
  /** `eq(field, null)`: missing or empty. */
  isEmpty(field: string): MembersQueryBuilder;
  /** `ne(field, null)`. */
  isNotEmpty(field: string): MembersQueryBuilder;
  /** `ge(field, from)` and `lt(field, to)`. */
  between(field: string, from: FilterValue, to: FilterValue): MembersQueryBuilder;
  /** Both this and `query`. **Beyond Wix.** */
  and(query: MembersQueryBuilder): MembersQueryBuilder;
  /** This or `query`. **Beyond Wix.** */
  or(query: MembersQueryBuilder): MembersQueryBuilder;
  /** This and not `query`. **Beyond Wix.** */
  not(query: MembersQueryBuilder): MembersQueryBuilder;
  /** Sorts ascending by these fields (ties by `_id`). */
  ascending(...fields: string[]): MembersQueryBuilder;
  /** Sorts descending by these fields (ties by `_id`). */
  descending(...fields: string[]): MembersQueryBuilder;
  /** Page size, 1..100 (default 50). */
  limit(limit: number): MembersQueryBuilder;
  /** Skips this many matches (offset paging). */
  skip(skip: number): MembersQueryBuilder;
  /** Continues after `result.cursors.next` (Beyond Wix): deep pages cost what page 1 costs. */
  cursor(cursor: string): MembersQueryBuilder;
  /** Runs the query: one page. */
  find(): Promise<MembersQueryResult>;
  /** How many members match, over all pages. **Beyond Wix.** */
  count(): Promise<number>;
}

/** One page of a query. */
export interface MembersQueryResult {
  /** The members of this page. */
  readonly items: Member[];
  /** `items.length`. */
  readonly length: number;
  /** The page size asked for. */
  readonly pageSize: number;
  /** Members matching, over all pages. */
  readonly totalCount: number;
  /** 0-based. */
  readonly currentPage: number;
  readonly totalPages: number;
  /** The builder that made this page. */
  readonly query: MembersQueryBuilder;
  /** `next` continues with `query.cursor(next)`; `null` on the last page. */
  readonly cursors: { next: string | null; prev: null };
  /** Whether a page follows. */
  hasNext(): boolean;
  /** Whether a page comes before (offset paging). */
  hasPrev(): boolean;
  /** The next page. */
  next(): Promise<MembersQueryResult>;
  /** The previous page. */
  prev(): Promise<MembersQueryResult>;
}

/** The outcome for one id of `bulkDeleteMembers`. */
export interface BulkItemResult {
  itemMetadata: { _id: string; originalIndex: number; success: boolean; error?: { code: string; description: string } };
}

/** What `bulkDeleteMembers` answers: one result per id, in order. */
export interface BulkDeleteMembersResponse {
  results: BulkItemResult[];
  bulkActionMetadata: { totalSuccesses: number; totalFailures: number; undetailedFailures: number };
}

/** What a by-filter bulk call answers: follow it with `asyncJobs.getAsyncJob(jobId)`. */
export interface JobResponse { jobId: string }

/** What a by-filter bulk call answers with `{ dryRun: true }`: nothing is written. **Beyond Wix.** */
export interface DryRunResponse { dryRun: true; count: number; sampleIds: string[] }

/** Options of a by-filter bulk call. */
export interface BulkByFilterOptions {
  /** Answer the number of matches and the first 10 ids, and write nothing. */
  dryRun?: boolean | undefined;
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
    statusFilter?: 'ALL' | 'FAILED_ONLY' | 'SUCCESSFUL_ONLY' | undefined;
    paging?: { limit?: number | undefined; cursor?: string | undefined } | undefined;
  }): Promise<{ items: AsyncJobItem[]; pagingMetadata: { count: number; cursors: { next: string | null }; hasNext: boolean } }>;
}

/** Wix's Async Job API: follow the jobs of the by-filter bulk calls. */
export const asyncJobs: AsyncJobsApi;

/** Who made a change: a visitor, a member (with `memberId`) or an admin. */
export type IdentityType = 'ANONYMOUS_VISITOR' | 'MEMBER' | 'ADMIN';

/** What every event says about itself (SDK naming, dates as `Date`). */
export interface EventMetadata {
  /** The event's id, the same on every delivery of it. */
  _id: string;
  /** The member's `_id`. */
  entityId: string;
  eventType: 'wix.members.v1.member_created' | 'wix.members.v1.member_updated' | 'wix.members.v1.member_deleted';
  entityFqdn: 'wix.members.v1.member';
  slug: 'created' | 'updated' | 'deleted';
  eventTime: Date;
  /** Who made the change. */
  identity: { identityType: IdentityType; memberId?: string };
  /** Grows by one with every event of the member. */
  entityEventSequence: number;
}

/** A member was made (create, register, import): `entity` is the FULL member. */
export interface MemberCreatedEvent { entity: Member; metadata: EventMetadata }
/** A member changed: `entity` after, `previousEntity` before (Beyond Wix), both FULL. */
export interface MemberUpdatedEvent {
  entity: Member;
  previousEntity: Member;
  /** Each changed SDK path (e.g. `profile.nickname`) with its value before the change (`null` when unset). */
  modifiedFields: Record<string, unknown>;
  metadata: EventMetadata;
}
/** A member was deleted: `entity` is its last state (FULL). */
export interface MemberDeletedEvent { entity: Member; metadata: EventMetadata }

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
  format?: WebhookFormat | undefined;
  /** Default all three; at least one. */
  events?: WebhookEvent[] | undefined;
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
  /** Every endpoint (without secrets). */
  listWebhooks(): Promise<{ webhooks: Webhook[] }>;
  /** One endpoint; NOT_FOUND when unknown. */
  getWebhook(_id: string): Promise<{ webhook: Webhook }>;
  /** Removes the endpoint; nothing more is sent to it. */
  deleteWebhook(_id: string): Promise<void>;
  /** A new secret (`standard` only); the previous one also signs for 24 hours. */
  rotateWebhookSecret(_id: string): Promise<{ webhook: Webhook; secret: string }>;
  /** The endpoint's deliveries, newest first. */
  listWebhookDeliveries(_id: string, options?: { status?: WebhookDeliveryFilter | undefined; limit?: number | undefined }): Promise<{ deliveries: WebhookDelivery[] }>;
  /** Sends a delivered or dead delivery again. */
  redeliver(deliveryId: string): Promise<{ delivery: WebhookDelivery }>;
}

/** The webhooks API (admins: elevated Node code, an admin key, or an admin-signed-in page). */
export const webhooks: WebhooksApi;

/**
 * The members API (Wix Velo `wix-members.v2` `members`; SPEC §5). Who may call
 * what (SPEC §4): reads see only PUBLIC, APPROVED members (a member also sees
 * itself, an admin everyone); a member changes only itself; moderation, create,
 * delete and bulk calls are for admins. A member that may not be seen is
 * `NOT_FOUND`, like one that does not exist.
 */
export interface MembersApi {
  /** Admins: a new member; `member.loginEmail` is required and unique (case-insensitively). */
  createMember(options: { member: MemberInput }): Promise<Member>;
  /** One member by `_id`, with the fieldsets the caller may see (default PUBLIC). */
  getMember(_id: string, options?: FieldsetOptions): Promise<Member>;
  /** A page of members, offset paging (limit ≤ 100, default 50). */
  listMembers(options?: ListMembersOptions): Promise<ListMembersResponse>;
  /** A query builder; run it with `.find()` or `.count()`. */
  queryMembers(options?: QueryMembersOptions): MembersQueryBuilder;
  /**
   * A patch: omitted fields keep their value, `""` clears a string, an array
   * replaces the whole list; read-only fields are ignored. The member itself or an admin.
   */
  updateMember(_id: string, member: MemberInput): Promise<Member>;
  /** Admins: deletes the member for good. */
  deleteMember(_id: string): Promise<void>;
  /** Empties `contact.addresses`. The member itself or an admin. */
  deleteMemberAddresses(_id: string): Promise<MemberResponse>;
  /** Empties `contact.emails` (`loginEmail` stays). The member itself or an admin. */
  deleteMemberEmails(_id: string): Promise<MemberResponse>;
  /** Empties `contact.phones`. The member itself or an admin. */
  deleteMemberPhones(_id: string): Promise<MemberResponse>;
  /** The caller's own member, or `{}` for a visitor. */
  getCurrentMember(options?: FieldsetOptions): Promise<GetCurrentMemberResponse>;
  /** Makes the caller's member `PUBLIC`. */
  joinCommunity(): Promise<MemberResponse>;
  /** Makes the caller's member `PRIVATE`. */
  leaveCommunity(): Promise<MemberResponse>;
  /** Sets the caller's slug; a taken one is `ALREADY_EXISTS` / `SLUG_ALREADY_EXISTS`. */
  updateCurrentMemberSlug(slug: string): Promise<MemberResponse>;
  /** Admins: sets a member's slug. */
  updateMemberSlug(_id: string, slug: string): Promise<MemberResponse>;
  /** Admins: `activityStatus` becomes `MUTED`. */
  muteMember(_id: string): Promise<MemberResponse>;
  /** Admins: `activityStatus` becomes `ACTIVE`. */
  unmuteMember(_id: string): Promise<MemberResponse>;
  /** Admins: `status` becomes `APPROVED` (also unblocks). */
  approveMember(_id: string): Promise<MemberResponse>;
  /** Admins: `status` becomes `BLOCKED` and the member's sessions end. */
  blockMember(_id: string): Promise<MemberResponse>;
  /** Admins: `OFFLINE` for good; it can not log in and keeps its slug and email reserved. */
  disconnectMember(_id: string): Promise<MemberResponse>;
  /** Deletes the caller's own member. */
  deleteMyMember(options?: { contentAssigneeId?: string | undefined }): Promise<void>;
  /** Admins: deletes 1..100 members by id, each on its own. */
  bulkDeleteMembers(memberIds: string[]): Promise<BulkDeleteMembersResponse>;
  /** Starts an async job deleting the current matches (see `asyncJobs`). */
  bulkDeleteMembersByFilter(filter: Filter): Promise<JobResponse>;
  /** With `{ dryRun: true }`: how many would be deleted, and nothing is. */
  bulkDeleteMembersByFilter(filter: Filter, options: { dryRun: true }): Promise<DryRunResponse>;
  /** Starts an async job, or answers a dry run. */
  bulkDeleteMembersByFilter(filter: Filter, options?: BulkByFilterOptions): Promise<JobResponse | DryRunResponse>;
  /** Starts an async job approving the current matches (see `asyncJobs`). */
  bulkApproveMembers(filter: Filter): Promise<JobResponse>;
  /** With `{ dryRun: true }`: how many would be approved, and nothing is. */
  bulkApproveMembers(filter: Filter, options: { dryRun: true }): Promise<DryRunResponse>;
  /** Starts an async job, or answers a dry run. */
  bulkApproveMembers(filter: Filter, options?: BulkByFilterOptions): Promise<JobResponse | DryRunResponse>;
  /** Starts an async job blocking the current matches; never the admin's own member. */
  bulkBlockMembers(filter: Filter): Promise<JobResponse>;
  /** With `{ dryRun: true }`: how many would be blocked, and nothing is. */
  bulkBlockMembers(filter: Filter, options: { dryRun: true }): Promise<DryRunResponse>;
  /** Starts an async job, or answers a dry run. */
  bulkBlockMembers(filter: Filter, options?: BulkByFilterOptions): Promise<JobResponse | DryRunResponse>;
  /** Admins: stores whole members (ids, dates, statuses kept), all or nothing, 1..1000. Beyond Wix. */
  importMembers(members: Array<Member | Record<string, unknown>>): Promise<{ importedCount: number }>;
  /** Node only: calls `handler` after each member made by this process, in commit order. */
  onMemberCreated(handler: (event: MemberCreatedEvent) => void): void;
  /** Node only: calls `handler` after each change made by this process, in commit order. */
  onMemberUpdated(handler: (event: MemberUpdatedEvent) => void): void;
  /** Node only: calls `handler` after each delete made by this process, in commit order. */
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
  privacyStatus?: 'PUBLIC' | 'PRIVATE' | undefined;
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
  /** Node only, and only when `ACTIVE`. */
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
  verifyEmail(codeOrToken: string, options?: { email?: string | undefined }): Promise<SessionResult>;
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

/** What `configure` takes; every field is optional and `undefined` means "the default". */
export interface ConfigureOptions {
  /** `sqlite:PATH`, `postgres://…` or `memory:`; default `MEMBERS_DATABASE_URL`, else `sqlite:./members.db`. */
  database?: string | undefined;
  /** Whether new members need approval. */
  approval?: 'auto' | 'manual' | undefined;
  /** privacyStatus of new members that choose none. */
  defaultPrivacy?: 'PUBLIC' | 'PRIVATE' | undefined;
  /**
   * A members server to send every call to (browser default: the page's origin).
   * On Node this makes the same API a client of a remote server.
   */
  baseUrl?: string | undefined;
  /** Node client of a server: the admin key `elevate()` and `asMember()` send. */
  adminKey?: string | undefined;
  /** Failed logins allowed per email / client address per window (defaults 10, 50, 900 s). */
  loginLimit?: { perEmail?: number | undefined; perAddress?: number | undefined; windowSeconds?: number | undefined } | undefined;
  /**
   * `required`: a member must verify its login email before it can log in
   * (`register` answers `PENDING` and mails a code and link). Default
   * `MEMBERS_EMAIL_VERIFICATION`, else `off`. Any other value is a `TypeError`.
   */
  emailVerification?: 'off' | 'required' | undefined;
  /** Your own mail transport; else `smtpUrl`, else the development `mailbox` file. */
  mailer?: { send(message: MailMessage): unknown } | undefined;
  /** SMTP for the members' mail (default `MEMBERS_SMTP_URL`), through nodemailer. */
  smtpUrl?: string | undefined;
  /** The development mailbox file (default `MEMBERS_MAILBOX`, else `./members-mailbox.jsonl`). */
  mailbox?: string | undefined;
  /** Where links in mail lead (default `MEMBERS_SITE_URL`, else http://127.0.0.1:8080). */
  siteUrl?: string | undefined;
  /**
   * Node: deliver webhooks from this process (and remove old events) until
   * `close()` (default `MEMBERS_DELIVER_WEBHOOKS=1`, else false; servers deliver
   * anyway). Needs the database here, not `baseUrl`.
   */
  deliverWebhooks?: boolean | undefined;
  /** Days events, deliveries and their attempts are kept (default `MEMBERS_RETENTION_DAYS`, else 30). */
  retentionDays?: number | undefined;
  /**
   * Allow webhooks to loopback, private and link-local addresses (default
   * `MEMBERS_WEBHOOK_ALLOW_PRIVATE=1`, else false). For development and tests only.
   */
  webhookAllowPrivate?: boolean | undefined;
  /**
   * Seconds to wait after the 1st, 2nd, … failed attempt of a webhook delivery;
   * after the last the delivery is dead (default `MEMBERS_WEBHOOK_RETRY_SCHEDULE`,
   * comma-separated, else 5, 300, 1800, 7200, 18000, 36000, 36000; ±20 % jitter).
   */
  webhookRetrySchedule?: number[] | undefined;
}

/** Chooses the database (Node) or the server (browser). */
export function configure(options?: ConfigureOptions): void;

/**
 * Resolves once the wasm core has loaded. Optional: every call waits for the
 * core itself; await this to load it ahead of the first call, e.g. while a page
 * renders.
 */
export function ready(): Promise<void>;

/** Node: stops webhook delivery (finishing or giving back attempts in flight) and closes the database; the next call opens the configured one again. */
export function close(): Promise<void>;

/** Returns `fn` running with admin rights (Node only; refused in the browser). */
export function elevate<F extends (...args: any[]) => any>(fn: F): F;
