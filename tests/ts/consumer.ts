// A TypeScript user of 'universal-members': every call and builder method, with
// the types a user relies on. Only type-checked (`make test-types`, in plain
// `tsc --init --strict` projects: tests/ts/check.sh), never run.
import {
  members, elevate, configure, ready, close, webhooks, asyncJobs, MembersError, isMembersError,
  type AsyncJob, type AsyncJobItem, type Webhook, type WebhookDelivery, type CreateWebhookResponse,
  type DryRunResponse, type MemberSession, type Contact, type ConfigureOptions,
  type Member, type MemberInput, type MembersQueryBuilder, type MembersQueryResult,
  type ListMembersResponse, type MemberResponse, type GetCurrentMemberResponse,
  type BulkDeleteMembersResponse, type JobResponse, type EventMetadata, type ErrorCode,
  type Fieldset, type Status, type PrivacyStatus, type ActivityStatus, type FieldViolation,
  type MemberCreatedEvent, type MemberUpdatedEvent, type MemberDeletedEvent, type NodeMembersApi,
  authentication, withSession, type SessionResult, type AuthenticationApi, type MailMessage,
} from 'universal-members';

/** Compile-time equality of two types. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function expectType<T>(_value: T): void {}
function assertTrue<T extends true>(): void {}

configure({ database: 'memory:', approval: 'manual', defaultPrivacy: 'PRIVATE' });
configure({ database: 'memory:' });
configure();
const loaded: Promise<void> = ready();
await loaded;

// Optional inputs take `undefined` (read as "the default"), so values that may be
// missing pass as they are under `exactOptionalPropertyTypes` (on in `tsc --init`).
declare const fromEnvironment: string | undefined;
const options: ConfigureOptions = { database: fromEnvironment, siteUrl: fromEnvironment, loginLimit: { perEmail: undefined } };
configure(options);
declare const typedFirstName: string | undefined;
const partial: Contact = { firstName: typedFirstName, phones: undefined };
void partial;

const fieldsets: Fieldset[] = ['PUBLIC', 'EXTENDED', 'FULL'];

// --- §5 calls -----------------------------------------------------------------
const input: MemberInput = {
  loginEmail: 'ann@example.com',
  privacyStatus: 'PUBLIC',
  contact: {
    firstName: 'Ann', lastName: 'Lee', company: 'Acme', jobTitle: 'Chef', birthdate: '1990-01-31',
    phones: ['+1 555 0100'], emails: ['ann@work.example.com'],
    addresses: [{ addressLine: '1 Main St', city: 'Boston', subdivision: 'US-MA', country: 'US', postalCode: '02101' },
      { streetAddress: { number: '2', name: 'High St' }, addressLine2: 'Apt 3' }],
    customFields: { team: { name: 'Team', value: 'red' }, age: { value: 30 } },
  },
  profile: {
    nickname: 'Ann', title: 'Head chef',
    photo: { url: 'https://example.com/p.png', width: 100, height: 100, offsetX: 0, offsetY: 0 },
    cover: { url: 'https://example.com/c.png' },
  },
};

const created: Member = await elevate(members.createMember)({ member: input });
const id: string = created._id;
const createdAt: Date = created._createdDate;
const updatedAt: Date = created._updatedDate;
const lastLogin: Date | undefined = created.lastLoginDate;
const status: Status = created.status;
const privacy: PrivacyStatus = created.privacyStatus;
const activity: ActivityStatus = created.activityStatus;
const contactId: string = created.contactId;
const phones: string[] | undefined = created.contact?.phones;
const addressId: string | undefined = created.contact?.addresses[0]?._id;
const slug: string | undefined = created.profile.slug;
const photoUrl: string | undefined = created.profile.photo?.url;
void [createdAt, updatedAt, lastLogin, status, privacy, activity, contactId, phones, addressId, slug, photoUrl];

const got: Member = await members.getMember(id);
const gotFull: Member = await elevate(members.getMember)(id, { fieldsets: ['FULL'] });
const year: number = gotFull._createdDate.getUTCFullYear();
void [got, year];

const list: ListMembersResponse = await members.listMembers({
  paging: { limit: 10, offset: 20 },
  sorting: [{ fieldName: 'profile.nickname', order: 'ASC' }, { fieldName: '_createdDate' }],
  fieldsets,
});
const listed: Member[] = list.members;
const total: number = list.metadata.total;
const tooMany: boolean = list.metadata.tooManyToCount;
void [listed, total, tooMany, list.metadata.count, list.metadata.offset];
await members.listMembers();

// updateMember with nested types: a patch of the contact, its addresses and custom fields.
const updated: Member = await elevate(members.updateMember)(id, {
  contact: {
    firstName: 'Anne',
    addresses: [{ _id: addressId, city: 'Cambridge', streetAddress: { number: '5', name: 'Elm St' } }],
    customFields: { team: { value: 'blue' } },
  },
  profile: { title: '', photo: { url: 'https://example.com/new.png' } },
});
// SPEC §2: a fetched member can be edited and sent back (read-only fields are ignored).
const sentBack: Member = await elevate(members.updateMember)(id, gotFull);
const editedBack: Member = await elevate(members.updateMember)(id, { ...gotFull, profile: { ...gotFull.profile, nickname: 'Annie' } });
const fullPhones: string[] = gotFull.contact ? gotFull.contact.phones : [];
void [updated, sentBack, editedBack, fullPhones];

const deleted: void = await elevate(members.deleteMember)(id);
void deleted;

const noAddresses: MemberResponse = await members.asMember(id).deleteMemberAddresses(id);
const noEmails: MemberResponse = await elevate(members.deleteMemberEmails)(id);
const noPhones: MemberResponse = await elevate(members.deleteMemberPhones)(id);
void [noAddresses.member._id, noEmails.member, noPhones.member];

const current: GetCurrentMemberResponse = await members.asMember(id).getCurrentMember({ fieldsets: ['FULL'] });
if (current.member) {
  const me: Member = current.member;
  void me;
}
await members.getCurrentMember();

const joined: MemberResponse = await members.asMember(id).joinCommunity();
const left: MemberResponse = await members.asMember(id).leaveCommunity();
const mySlug: MemberResponse = await members.asMember(id).updateCurrentMemberSlug('ann-lee');
const theirSlug: MemberResponse = await elevate(members.updateMemberSlug)(id, 'ann');
void [joined, left, mySlug, theirSlug];

const moderated: MemberResponse[] = [
  await elevate(members.muteMember)(id),
  await elevate(members.unmuteMember)(id),
  await elevate(members.approveMember)(id),
  await elevate(members.blockMember)(id),
  await elevate(members.disconnectMember)(id),
];
void moderated;

await members.asMember(id).deleteMyMember();
const gone: void = await members.asMember(id).deleteMyMember({ contentAssigneeId: id });
void gone;

const bulk: BulkDeleteMembersResponse = await elevate(members.bulkDeleteMembers)([id]);
const firstOk: boolean | undefined = bulk.results[0]?.itemMetadata.success;
const index: number | undefined = bulk.results[0]?.itemMetadata.originalIndex;
const failures: number = bulk.bulkActionMetadata.totalFailures;
void [firstOk, index, failures, bulk.bulkActionMetadata.totalSuccesses, bulk.bulkActionMetadata.undetailedFailures];

const jobs: JobResponse[] = [
  await elevate(members.bulkDeleteMembersByFilter)({ _id: { $in: [id] } }),
  await elevate(members.bulkApproveMembers)({ status: 'PENDING' }),
  await elevate(members.bulkBlockMembers)({ $or: [{ 'profile.nickname': 'x' }, { 'profile.slug': { $startsWith: 'y' } }] }),
];
const jobId: string = jobs[0]!.jobId;
void jobId;

const asAnn: NodeMembersApi = members.asMember(id);
const nested: NodeMembersApi = asAnn.asMember(id);
void nested;

// elevate keeps the signature of the function it wraps.
const elevatedGet = elevate(members.getMember);
assertTrue<Equal<typeof elevatedGet, typeof members.getMember>>();
const elevatedCustom = elevate(async (a: string, b: number) => `${a}${b}`);
const custom: string = await elevatedCustom('x', 1);
void custom;

// --- §7 the query builder -----------------------------------------------------
const since = new Date('2024-01-01T00:00:00Z');
const base: MembersQueryBuilder = members.queryMembers({ fieldsets: ['EXTENDED'], search: { expression: 'ann', fields: ['profile.nickname', 'profile.slug'] } });
const q: MembersQueryBuilder = base
  .eq('profile.nickname', 'Ann')
  .ne('status', 'BLOCKED')
  .gt('_createdDate', since)
  .ge('_updatedDate', since)
  .lt('contact.customFields.age.value', 100)
  .le('lastLoginDate', new Date())
  .in('privacyStatus', ['PUBLIC', 'PRIVATE'])
  .hasSome('contact.customFields.tags.value', ['a', 'b'])
  .hasAll('contact.customFields.tags.value', ['a'])
  .startsWith('profile.slug', 'an')
  .endsWith('loginEmail', '@example.com')
  .contains('contact.lastName', 'ee')
  .exists('profile.title', true)
  .exists('profile.photo')
  .isEmpty('contact.firstName')
  .isNotEmpty('profile.title')
  .between('_createdDate', since, new Date())
  .and(members.queryMembers().eq('activityStatus', 'ACTIVE'))
  .or(members.queryMembers().eq('profile.title', null))
  .not(members.queryMembers().eq('contact.customFields.vip.value', true))
  .ascending('profile.nickname', '_id')
  .descending('_createdDate')
  .limit(100)
  .skip(0);

const result: MembersQueryResult = await q.find();
const items: Member[] = result.items;
const length: number = result.length;
const pageSize: number = result.pageSize;
const totalCount: number = result.totalCount;
const currentPage: number = result.currentPage;
const totalPages: number = result.totalPages;
const again: MembersQueryBuilder = result.query;
const hasNext: boolean = result.hasNext();
const hasPrev: boolean = result.hasPrev();
const nextPage: MembersQueryResult = await result.next();
const prevPage: MembersQueryResult = await nextPage.prev();
const count: number = await q.count();
const firstDate: Date | undefined = items[0]?._createdDate;
void [length, pageSize, totalCount, currentPage, totalPages, again, hasNext, hasPrev, prevPage, count, firstDate];

// --- §9 events ------------------------------------------------------------------
members.onMemberCreated((event: MemberCreatedEvent) => {
  const entity: Member = event.entity;
  const metadata: EventMetadata = event.metadata;
  const when: Date = metadata.eventTime;
  const kind: 'created' | 'updated' | 'deleted' = metadata.slug;
  void [entity, when, kind, metadata.entityId, metadata.entityEventSequence, metadata.identity.identityType];
});
members.onMemberUpdated(({ entity, previousEntity, modifiedFields, metadata }) => {
  const before: Member = previousEntity;
  const after: Member = entity;
  const oldNickname: unknown = modifiedFields['profile.nickname'];
  void oldNickname;
  const type: 'wix.members.v1.member_created' | 'wix.members.v1.member_updated' | 'wix.members.v1.member_deleted' = metadata.eventType;
  void [before, after, type, metadata.entityFqdn, metadata._id, metadata.identity.memberId];
});
members.onMemberDeleted((event: MemberDeletedEvent) => {
  const entityId: string = event.metadata.entityId;
  const lastState: Member = event.entity;
  void [entityId, lastState];
});
const typedUpdate: (event: MemberUpdatedEvent) => void = () => {};
members.onMemberUpdated(typedUpdate);

// --- §8 errors --------------------------------------------------------------------
try {
  await members.getMember('00000000-0000-4000-8000-000000000000');
} catch (error: unknown) {
  if (isMembersError(error)) {
    const code: ErrorCode = error.code;
    const applicationCode: string = error.applicationCode;
    const httpStatus: number = error.httpStatus;
    const message: string = error.message;
    const violations: FieldViolation[] | undefined = error.details.validationError?.fieldViolations;
    const field: string | undefined = violations?.[0]?.field;
    const data: Record<string, unknown> | undefined = error.details.applicationError?.data;
    void [code, applicationCode, httpStatus, message, field, data];
  }
  if (error instanceof MembersError && error.code === 'ALREADY_EXISTS') {
    const asError: Error = error;
    void asError;
  }
}
const made = new MembersError('NOT_FOUND', 'gone', 'MEMBER_NOT_FOUND', 404);
const madeName: 'MembersError' = made.name;
void madeName;

// --- authentication ---------------------------------------------------------------
configure({
  database: 'memory:',
  loginLimit: { perEmail: 5, windowSeconds: 60 },
  mailer: { send: (message: MailMessage) => { void message.token; } },
});
const registered: SessionResult = await authentication.register('ann@example.com', 'correct horse', {
  contactInfo: { firstName: 'Ann' }, profile: { nickname: 'Ann' }, privacyStatus: 'PUBLIC',
});
const registeredStatus: 'ACTIVE' | 'PENDING' = registered.status;
const session: SessionResult = await authentication.login('ann@example.com', 'correct horse');
const token: string | undefined = session.sessionToken;
const mine: NodeMembersApi = members.withSession(token ?? '');
const me: GetCurrentMemberResponse = await mine.getCurrentMember({ fieldsets: ['FULL'] });
const scoped: { members: NodeMembersApi; authentication: AuthenticationApi } = withSession(token ?? '');
const isIn: boolean = scoped.authentication.loggedIn();
await scoped.authentication.logout();
const renamed: Member = await authentication.withSession(token ?? '').changeLoginEmail(registered.member._id, 'ann@example.org');
const accepted: { accepted: boolean } = await authentication.sendSetPasswordEmail('ann@example.org');
const setDone: void = await authentication.setPassword('token', 'new password');
void [registeredStatus, me, isIn, renamed, setDone, accepted];

// --- README: cursor paging, sessions, webhooks, async jobs -------------------------
const firstPage = await members.queryMembers().startsWith('profile.nickname', 'an').descending('_createdDate').limit(20).find();
const slugs: Array<string | undefined> = firstPage.items.map((m) => m.profile.slug);
if (firstPage.cursors.next !== null) {
  const page2: MembersQueryResult = await firstPage.query.cursor(firstPage.cursors.next).find();
  void page2;
}
void slugs;

const { sessions } = await scoped.authentication.listMySessions();
const mySession: MemberSession | undefined = sessions[0];
if (mySession) {
  const lastUsed: Date = mySession.lastUsedDate;
  const agent: string | null = mySession.userAgent;
  await scoped.authentication.revokeSession(mySession._id);
  void [lastUsed, agent];
}
const { revoked }: { revoked: number } = await scoped.authentication.revokeOtherSessions();
await elevate(authentication.revokeMemberSessions)(id);
const verified: SessionResult = await authentication.verifyEmail('123456', { email: 'cy@example.com' });
await authentication.verifyEmail('token-from-the-link');
await authentication.sendVerificationEmail('cy@example.com');
await authentication.logout(token);
void [revoked, verified];

const hook: CreateWebhookResponse = await elevate(webhooks.createWebhook)({
  url: 'https://example.com/hooks', format: 'standard', events: ['created', 'updated', 'deleted'],
});
const secret: string | undefined = hook.secret;
const publicKey: string | undefined = (await elevate(webhooks.createWebhook)({ url: 'https://example.com/wix', format: 'wix' })).publicKey;
const hooks: Webhook[] = (await elevate(webhooks.listWebhooks)()).webhooks;
const enabled: boolean = (await elevate(webhooks.getWebhook)(hook.webhook._id)).webhook.enabled;
const rotated: string = (await elevate(webhooks.rotateWebhookSecret)(hook.webhook._id)).secret;
const deliveries: WebhookDelivery[] = (await elevate(webhooks.listWebhookDeliveries)(hook.webhook._id, { status: 'FAILED', limit: 10 })).deliveries;
const lastStatus: number | null | undefined = deliveries[0]?.attempts[0]?.status;
if (deliveries[0]) await elevate(webhooks.redeliver)(deliveries[0]._id);
await elevate(webhooks.deleteWebhook)(hook.webhook._id);
void [secret, publicKey, hooks, enabled, rotated, lastStatus];

const { jobId: blockJob } = await elevate(members.bulkBlockMembers)({ 'profile.nickname': 'spam' });
const dryRun: DryRunResponse = await elevate(members.bulkBlockMembers)({ 'profile.nickname': 'spam' }, { dryRun: true });
const { job }: { job: AsyncJob } = await elevate(asyncJobs.getAsyncJob)(blockJob);
const done: boolean = job.status === 'FINISHED' && job.counters.itemsFailed === 0;
const jobItems: AsyncJobItem[] = (await elevate(asyncJobs.listAsyncJobItems)(blockJob, { statusFilter: 'FAILED_ONLY', paging: { limit: 100 } })).items;
const whyFailed: string | undefined = jobItems[0]?.error?.description;
void [dryRun.count, dryRun.sampleIds, done, whyFailed];

// A caught error narrows with isMembersError, then by its code.
async function nicknameOf(memberId: string): Promise<string | null> {
  try {
    return (await members.getMember(memberId)).profile.nickname ?? null;
  } catch (error) {
    if (isMembersError(error) && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}
void nicknameOf;
await close();

// --- wrong usage is rejected ----------------------------------------------------
// @ts-expect-error a misspelt field name is refused (loginEmial)
await elevate(members.createMember)({ member: { loginEmial: 'x@example.com' } });
// @ts-expect-error a nested field has its type: phones is a list of strings
await elevate(members.updateMember)(id, { contact: { phones: '+1 555 0100' } });
// @ts-expect-error a misspelt nested field (fristName) is refused
await elevate(members.updateMember)(id, { contact: { fristName: 'Ann' } });
// @ts-expect-error ready() takes nothing and resolves to nothing
const readyValue: string = await ready();
// @ts-expect-error the webhook format is 'standard' or 'wix'
await elevate(webhooks.createWebhook)({ url: 'https://example.com/hooks', format: 'svix' });
// @ts-expect-error an async job's status is one of four
const jobStatus: 'DONE' = job.status;
// @ts-expect-error a dry run answers a count, not a jobId
const notAJob: string = dryRun.jobId;
// @ts-expect-error a possibly missing session token is not a token
withSession(session.sessionToken);
void [readyValue, jobStatus, notAJob];
// @ts-expect-error an _id is a string, not a number
await members.getMember(42);
// @ts-expect-error 'SECRET' is not a fieldset
await members.getMember(id, { fieldsets: ['SECRET'] });
// @ts-expect-error createMember takes { member }, not the member itself
await elevate(members.createMember)({ loginEmail: 'x@example.com' });
// @ts-expect-error a Member's _createdDate is a Date, not a string
const notAString: string = created._createdDate;
// @ts-expect-error 'DELETED' is not a Status
const badStatus: Status = 'DELETED';
// @ts-expect-error the builder has no `where` method
members.queryMembers().where('profile.nickname', 'Ann');
// @ts-expect-error in() takes an array of values
members.queryMembers().in('profile.nickname', 'Ann');
// @ts-expect-error limit is a number
members.queryMembers().limit('10');
// @ts-expect-error a created event carries no previousEntity
members.onMemberCreated((event) => event.previousEntity);
// @ts-expect-error the error code is one of the canonical codes
const badCode: ErrorCode = 'TEAPOT';
// @ts-expect-error sorting order is ASC or DESC
await members.listMembers({ sorting: [{ fieldName: '_id', order: 'UP' }] });
// @ts-expect-error approval is 'auto' or 'manual'
configure({ approval: 'sometimes' });
// @ts-expect-error loggedIn() is synchronous: a boolean, not a Promise
const notAPromise: Promise<boolean> = authentication.loggedIn();
// @ts-expect-error register takes the password as its own argument
await authentication.register({ email: 'a@example.com', password: 'correct horse' });
// @ts-expect-error the privacy status of register is PUBLIC or PRIVATE
await authentication.register('a@example.com', 'correct horse', { privacyStatus: 'SECRET' });
void notAPromise;
// @ts-expect-error deleteMember resolves to void, not a member
const notAMember: Member = await elevate(members.deleteMember)(id);
void [notAString, badStatus, badCode, notAMember];
