// Permission × visibility matrix over raw HTTP against a real `universal-members
// serve` (issue 13): the callers only a server has — the admin cookie (admin
// sign-in) beside the admin key, members by `Authorization: Bearer` and by the
// session cookie — × the 8 target members × every call aimed at a member, and the
// event stream per caller. Expected outcomes come from ../permission-rules.mjs
// (the same table as the package suite). Every answer is scanned for markers the
// caller may not see, and an error about a hidden member must be byte for byte
// the error about a missing one (status, content type, body).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer } from '../helpers.mjs';
import { openStream } from './webhooks-support.mjs';
import { TARGETS, expected, sameOutcome, sees, forbiddenMarkers } from '../permission-rules.mjs';

const BASE = '/members/v1/members';
const AUTH = '/members/v1/auth';
const MISSING = '00000000-0000-4000-8000-000000000000';
const RUN = randomBytes(3).toString('hex');
const PASSWORD = `Matrix-${RUN}-password`;

let server;
let adminCookie;

/** One request → `{ status, type, text, body }`; `as` is a caller (its headers). */
async function request(as, method, path, body) {
  const headers = { ...as.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, type: response.headers.get('content-type'), text, body: parsed };
}

const adminKeyCaller = () => ({ name: 'admin key', role: 'admin', session: false, headers: { authorization: server.adminKey } });
// Cookies are sent with the server's own Origin, as a page of the site sends them (CSRF).
const adminCookieCaller = () => ({ name: 'admin cookie', role: 'admin', session: false, headers: { cookie: `members_admin=${adminCookie}`, origin: server.baseUrl } });
const visitorCaller = { name: 'visitor', role: 'visitor', session: false, headers: {} };
const VIEWER = { key: 'viewer', privacy: 'PUBLIC', status: 'APPROVED' };

async function ok(as, method, path, body) {
  const response = await request(as, method, path, body);
  assert.ok(response.status >= 200 && response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}

/** Wire member input full of markers (strings no other member has). */
function marked(set, key, privacy) {
  const tag = `${set}-${key.toLowerCase()}-${RUN}`;
  return {
    privacyStatus: privacy,
    profile: { nickname: `${set} ${key} ${RUN}`, title: `title ${tag}` },
    contactInfo: {
      firstName: `First-${tag}`, lastName: `Last-${tag}`, company: `Co-${tag}`,
      emails: [`alt-${tag}@example.org`], addresses: [{ city: `City-${tag}`, country: 'FR' }],
      customFields: { secret: { name: 'Secret', value: `secret-${tag}` } },
    },
  };
}

async function moderateTo(id, status) {
  if (status === 'BLOCKED') await ok(adminKeyCaller(), 'POST', `${BASE}/${id}/block`, {});
  if (status === 'OFFLINE') await ok(adminKeyCaller(), 'POST', `${BASE}/${id}/disconnect`, {});
}

/**
 * The 8 targets as `{ target, member, email, token }`: registered (pending, the
 * site wants approval), logged in while approved, then moved to their status;
 * without `sessions` made by the admin, with no password (and no session).
 */
async function makeSet(set, { sessions = true } = {}) {
  const entries = [];
  for (const target of TARGETS) {
    const email = `${set}-${target.key.toLowerCase()}.${RUN}@example.com`;
    const { contactInfo, ...input } = marked(set, target.key, target.privacy);
    const { member } = sessions
      ? await ok(visitorCaller, 'POST', `${AUTH}/register`, { email, password: PASSWORD, contactInfo, ...input })
      : await ok(adminKeyCaller(), 'POST', BASE, { member: { loginEmail: email, contact: contactInfo, ...input } });
    let token;
    if (target.status !== 'PENDING') {
      await ok(adminKeyCaller(), 'POST', `${BASE}/${member.id}/approve`, {});
      if (sessions) ({ sessionToken: token } = await ok(visitorCaller, 'POST', `${AUTH}/login`, { email, password: PASSWORD }));
      await moderateTo(member.id, target.status);
    }
    const full = (await ok(adminKeyCaller(), 'GET', `${BASE}/${member.id}?fieldsets=FULL`)).member;
    entries.push({ target, email, token, member: { ...full, _id: full.id } });
  }
  return entries;
}

let fixture;
let viewer;
let all;

before(async () => {
  server = await startServer({
    env: { MEMBERS_APPROVAL: 'manual', MEMBERS_LOGIN_LIMIT_PER_ADDRESS: '100000', MEMBERS_LOGIN_LIMIT_PER_EMAIL: '10000', MEMBERS_MAILBOX: `/dev/null` },
  });
  const signIn = await fetch(`${server.baseUrl}${AUTH}/admin-login`, {
    method: 'POST', headers: { 'content-type': 'application/json', origin: server.baseUrl }, body: JSON.stringify({ adminKey: server.adminKey }),
  });
  assert.equal(signIn.status, 200, await signIn.text());
  adminCookie = /members_admin=([^;]+)/.exec(signIn.headers.getSetCookie().join('\n'))[1];
  fixture = await makeSet('fx');
  const email = `viewer.${RUN}@example.com`;
  const { member } = await ok(visitorCaller, 'POST', `${AUTH}/register`, { email, password: PASSWORD, profile: { nickname: `viewer ${RUN}` } });
  await ok(adminKeyCaller(), 'POST', `${BASE}/${member.id}/approve`, {});
  const { sessionToken } = await ok(visitorCaller, 'POST', `${AUTH}/login`, { email, password: PASSWORD });
  viewer = { member: { ...member, _id: member.id }, token: sessionToken };
  all = [...fixture.map((e) => ({ member: e.member, target: e.target })), { member: viewer.member, target: VIEWER }];
});

after(() => server?.stop());

/** The callers of cases about `entry`: visitor, the viewer (Bearer and cookie), both admins, and the target itself by Bearer. */
function callersFor(entry) {
  const list = [
    visitorCaller,
    { name: 'other member (Bearer)', role: 'other', session: true, holder: VIEWER, selfId: viewer.member._id, headers: { authorization: `Bearer ${viewer.token}` } },
    { name: 'other member (cookie)', role: 'other', session: true, holder: VIEWER, selfId: viewer.member._id, headers: { cookie: `members_session=${viewer.token}`, origin: server.baseUrl } },
    adminKeyCaller(),
    adminCookieCaller(),
  ];
  if (entry) {
    // The act-as headers count only with the admin key: anyone else stays who it is.
    const spoof = { 'x-members-act-as': entry.member.id, 'x-members-elevate': '1' };
    list.push({ ...visitorCaller, name: 'visitor claiming to act as the target', headers: spoof });
    list.push({ ...list[1], name: 'other member (Bearer) claiming to act as the target, elevated', headers: { ...list[1].headers, ...spoof } });
  }
  if (entry?.token) list.push({ name: 'self (Bearer)', role: 'self', session: true, holder: entry.target, selfId: entry.member._id, headers: { authorization: `Bearer ${entry.token}` } });
  return list;
}

const roleFor = (caller, entry) => (caller.role === 'self' && caller.selfId !== entry?.member._id ? 'other' : caller.role);

/** Calls aimed at one member: the request, and whether it changes the member (then admins run it on a scratch set). */
const CALLS = {
  getMember: { send: (as, id) => request(as, 'GET', `${BASE}/${id}?fieldsets=FULL`) },
  queryMembers: { send: (as, id) => request(as, 'POST', `${BASE}/query`, { query: { filter: { id } }, fieldsets: ['FULL'] }) },
  countMembers: { send: (as, id) => request(as, 'POST', `${BASE}/count`, { query: { filter: { id } } }) },
  updateMember: { send: (as, id) => request(as, 'PATCH', `${BASE}/${id}`, { member: { id, profile: { title: `edited ${RUN}` } } }) },
  deleteMemberPhones: { send: (as, id) => request(as, 'DELETE', `${BASE}/${id}/phones`) },
  deleteMemberAddresses: { send: (as, id) => request(as, 'DELETE', `${BASE}/${id}/addresses`), destructive: true },
  deleteMemberEmails: { send: (as, id) => request(as, 'DELETE', `${BASE}/${id}/emails`), destructive: true },
  changeLoginEmail: { send: (as, id) => request(as, 'POST', `${BASE}/${id}/login-email`, { loginEmail: `new.${randomBytes(3).toString('hex')}@example.com` }), destructive: true },
  deleteMember: { send: (as, id) => request(as, 'DELETE', `${BASE}/${id}`), destructive: true },
  updateMemberSlug: { send: (as, id) => request(as, 'POST', `${BASE}/${id}/slug`, { slug: `slug-${randomBytes(3).toString('hex')}` }), destructive: true },
  muteMember: { send: (as, id) => request(as, 'POST', `${BASE}/${id}/mute`, {}), destructive: true },
  unmuteMember: { send: (as, id) => request(as, 'POST', `${BASE}/${id}/unmute`, {}), destructive: true },
  approveMember: { send: (as, id) => request(as, 'POST', `${BASE}/${id}/approve`, {}), destructive: true },
  blockMember: { send: (as, id) => request(as, 'POST', `${BASE}/${id}/block`, {}), destructive: true },
  disconnectMember: { send: (as, id) => request(as, 'POST', `${BASE}/${id}/disconnect`, {}), destructive: true },
  bulkDeleteMembers: { send: (as, id) => request(as, 'POST', `${BASE}/bulk/delete`, { memberIds: [id] }), destructive: true },
  revokeMemberSessions: { send: (as, id) => request(as, 'POST', `${BASE}/${id}/revoke-sessions`, {}), destructive: true },
  bulkBlockMembers: { send: (as, id) => request(as, 'POST', `${BASE}/bulk/block-by-filter`, { filter: { id }, dryRun: true }) },
};

/** What an HTTP answer says, as the rules table words it. */
function outcomeOf(response) {
  if (response.status >= 200 && response.status < 300) return { ok: true };
  const code = response.body?.details?.validationError ? 'INVALID_ARGUMENT' : undefined;
  return { ok: false, status: response.status, applicationCode: response.body?.details?.applicationError?.code ?? code };
}

const STATUS_OF = { NOT_FOUND: 404, PERMISSION_DENIED: 403, UNAUTHENTICATED: 401, FAILED_PRECONDITION: 428, INVALID_ARGUMENT: 400 };

class Cases {
  constructor() {
    this.failures = [];
    this.count = 0;
  }

  check(label, want, response, forbidden) {
    this.count += 1;
    const got = outcomeOf(response);
    if (want.ok !== got.ok || (!want.ok && (STATUS_OF[want.code] !== got.status || want.applicationCode !== got.applicationCode))) {
      this.failures.push(`${label}: expected ${want.ok ? 'success' : `${want.code}/${want.applicationCode}`}, got ${response.status} ${response.text.slice(0, 200)}`);
    }
    const leaked = forbidden.filter((marker) => response.text.includes(marker));
    if (leaked.length > 0) this.failures.push(`${label}: leaks ${leaked.join(', ')}`);
  }

  same(label, a, b) {
    this.count += 1;
    if (a !== b) this.failures.push(`${label}: not byte-identical to a missing member's\n  hidden:  ${a}\n  missing: ${b}`);
  }

  done() {
    assert.deepEqual(this.failures, [], `${this.failures.length} of ${this.count} checks failed`);
    process.stdout.write(`# ${this.count} generated checks\n`);
  }
}

/** The answer as bytes, with the id asked about replaced. */
const bytes = (response, id) => `${response.status} ${response.type}\n${response.text.split(id).join('<asked>')}`;

describe('permission matrix over HTTP', () => {
  test('every call aimed at a member × every caller × the 8 targets; a hidden member answers byte for byte like a missing one', async () => {
    const cases = new Cases();
    for (const [name, call] of Object.entries(CALLS)) {
      for (const entry of fixture) {
        for (const caller of callersFor(entry)) {
          const role = roleFor(caller, entry);
          const want = expected(name, role, entry.target, { session: caller.session, holder: caller.holder });
          // Changes an admin or the member itself may make run on scratch members below.
          if (want.ok && (call.destructive || role === 'admin' || role === 'self') && !['getMember', 'queryMembers', 'countMembers', 'bulkBlockMembers'].includes(name)) continue;
          const label = `${name} of ${entry.target.key} by ${caller.name}`;
          const response = await call.send(caller, entry.member.id);
          const forbidden = forbiddenMarkers(all, caller.role === 'self' && caller.holder.status !== 'APPROVED' ? 'visitor' : caller.role, caller.selfId);
          cases.check(label, want, response, forbidden);
          if (want.listed !== undefined && response.status === 200) {
            const ids = (response.body.members ?? []).map((m) => m.id);
            const count = name === 'countMembers' ? response.body.count : response.body.metadata.total;
            cases.count += 1;
            if (name !== 'countMembers' && ids.length !== (want.listed ? 1 : 0)) cases.failures.push(`${label}: listed ${ids.length}`);
            if (count !== (want.listed ? 1 : 0)) cases.failures.push(`${label}: counted ${count} (${response.text})`);
          }
          if (!want.ok && sameOutcome(want, expected(name, role, null, { session: caller.session, holder: caller.holder }))) {
            const missing = await call.send(caller, MISSING);
            cases.same(label, bytes(response, entry.member.id), bytes(missing, MISSING));
          }
        }
      }
    }
    cases.done();
  });

  test('changes by the admin cookie, the admin key and the member itself (Bearer) succeed on every target the table allows', async () => {
    const cases = new Cases();
    for (const [name, call] of Object.entries(CALLS)) {
      if (['getMember', 'queryMembers', 'countMembers', 'bulkBlockMembers'].includes(name)) continue;
      const set = await makeSet(name.toLowerCase(), { sessions: expected(name, 'self', TARGETS[0]).ok });
      const forbiddenByOthers = (caller) => forbiddenMarkers([...all, ...set.map((e) => ({ member: e.member, target: e.target }))], caller.role, caller.selfId);
      for (const entry of set) {
        // The member itself first (a change by an admin might end its session), then one admin.
        const self = entry.token && { name: 'self (Bearer)', role: 'self', session: true, holder: entry.target, selfId: entry.member._id, headers: { authorization: `Bearer ${entry.token}` } };
        const admin = TARGETS.indexOf(entry.target) % 2 === 0 ? adminCookieCaller() : adminKeyCaller();
        for (const caller of [self, admin].filter(Boolean)) {
          const want = expected(name, caller.role, entry.target, { session: caller.session, holder: caller.holder });
          const response = await call.send(caller, entry.member.id);
          cases.check(`${name} of ${entry.target.key} by ${caller.name}`, want, response, forbiddenByOthers(caller));
        }
      }
    }
    cases.done();
  });

  test('the event stream: admins (key or cookie) get every event of every member; members get 403, ended sessions and visitors 401', async () => {
    const cases = new Cases();
    const entry = fixture.find((e) => e.target.status === 'APPROVED' && e.token);
    const dead = fixture.find((e) => e.target.status === 'BLOCKED' && e.token);
    const callers = [
      ...callersFor(entry),
      { name: 'self with an ended session (Bearer)', role: 'self', session: true, holder: dead.target, selfId: dead.member._id, headers: { authorization: `Bearer ${dead.token}` } },
    ];
    const open = [];
    for (const caller of callers) {
      const stream = await openStream(server, { headers: caller.headers });
      const want = expected('eventStream', caller.role, undefined, { session: caller.session, holder: caller.holder });
      const got = stream.status === 200 ? { ok: true } : { ok: false };
      cases.count += 1;
      const status = want.ok ? 200 : STATUS_OF[want.code];
      if (stream.status !== status) cases.failures.push(`event stream by ${caller.name}: expected ${status}, got ${stream.status} ${stream.text()}`);
      if (got.ok) open.push({ caller, stream });
      else stream.close();
    }
    // One change to each of the 8 targets, hidden or not: every admin stream sees all 8, in full.
    for (const e of fixture) await ok(adminKeyCaller(), 'PATCH', `${BASE}/${e.member.id}`, { member: { id: e.member.id, profile: { title: `streamed ${RUN}` } } });
    for (const { caller, stream } of open) {
      const ids = new Set(fixture.map((e) => e.member.id));
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && ![...ids].every((id) => stream.events.some((ev) => ev.data?.entityId === id && ev.data.updatedEvent?.currentEntity?.profile?.title === `streamed ${RUN}`))) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      for (const e of fixture) {
        cases.count += 1;
        const event = stream.events.find((ev) => ev.data?.entityId === e.member.id && ev.data.updatedEvent?.currentEntity?.profile?.title === `streamed ${RUN}`);
        if (!event) cases.failures.push(`event stream by ${caller.name}: no event of ${e.target.key}`);
        else if (event.data.updatedEvent.currentEntity.loginEmail !== e.email) cases.failures.push(`event stream by ${caller.name}: the event of ${e.target.key} is not the whole member`);
      }
      stream.close();
    }
    cases.count += 1;
    if (open.length !== 2) cases.failures.push(`exactly the two admin callers stream (got ${open.map((o) => o.caller.name)})`);
    cases.done();
  });

  test('members see hidden members nowhere in lists: totalCount and count agree with what the table lets each caller see', async () => {
    const cases = new Cases();
    const want = (caller) => fixture.filter((e) => sees(roleFor(caller, e), e.target) && !(caller.holder && caller.holder.status !== 'APPROVED')).length;
    const filter = { 'profile.nickname': { $startsWith: 'fx ' } };
    for (const entry of [null, ...fixture]) {
      for (const caller of callersFor(entry).filter((c) => entry === null || c.role === 'self')) {
        const forbidden = forbiddenMarkers(all, caller.role, caller.selfId);
        const page = await request(caller, 'POST', `${BASE}/query`, { query: { filter, paging: { limit: 1 } }, fieldsets: ['FULL'] });
        const count = await request(caller, 'POST', `${BASE}/count`, { query: { filter } });
        const list = await request(caller, 'GET', `${BASE}?paging.limit=100&fieldsets=FULL`);
        const allowed = expected('queryMembers', caller.role, entry?.target ?? null, { session: caller.session, holder: caller.holder });
        for (const [what, response] of [['query', page], ['count', count], ['list', list]]) cases.check(`${what} by ${caller.name}`, allowed.ok ? { ok: true } : allowed, response, forbidden);
        if (!allowed.ok) continue;
        cases.count += 1;
        if (page.body?.metadata?.total !== want(caller) || count.body?.count !== want(caller)) {
          cases.failures.push(`totals by ${caller.name}: query ${page.body?.metadata?.total}, count ${count.body?.count}, want ${want(caller)}`);
        }
        // Follow the cursor to the end: every page holds only visible members.
        let next = page.body?.metadata?.cursors?.next;
        const seen = (page.body?.members ?? []).map((m) => m.id);
        for (let guard = 0; next && guard < 20; guard += 1) {
          const more = await request(caller, 'POST', `${BASE}/query`, { query: { filter, paging: { limit: 1, cursor: next } } });
          cases.check(`cursor page by ${caller.name}`, { ok: true }, more, forbidden);
          seen.push(...(more.body?.members ?? []).map((m) => m.id));
          next = more.body?.metadata?.cursors?.next;
        }
        cases.count += 1;
        if (seen.length !== want(caller)) cases.failures.push(`cursor pages by ${caller.name}: ${seen.length} members, want ${want(caller)}`);
      }
    }
    cases.done();
  });
});
