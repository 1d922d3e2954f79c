// The REST wire of a real server process (SPEC §5, §8), with plain fetch — what
// an existing Wix REST client sends and expects, written from the spec, not from
// the package's own client: REST naming, `{ member }` envelopes, both forms of GET
// parameters, the query language, list metadata, the error bodies and statuses,
// and who is admin.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, UUID, MISSING_ID } from '../helpers.mjs';

const BASE = '/members/v1/members';
const WIX_BASE = '/_api/members/v1/members';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const server = await startServer();

/**
 * One request with plain fetch → `{ status, headers, body }` (body parsed as JSON).
 * `admin: true` sends `Authorization: <admin key>`; `headers` are added.
 */
async function call(method, path, { body, admin = false, headers = {}, on = server } = {}) {
  const sent = { ...headers };
  if (admin) sent.authorization = on.adminKey;
  let payload;
  if (body !== undefined) {
    sent['content-type'] ??= 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(`${on.baseUrl}${path}`, { method, headers: sent, body: payload });
  const text = await response.text();
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/, `${method} ${path} answers JSON: ${text.slice(0, 200)}`);
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    assert.fail(`${method} ${path} answered ${response.status} with text that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

let emails = 0;
const email = (prefix = 'rest') => `${prefix}.${(emails += 1)}@example.com`;

/** Creates a member as admin over the wire; returns the wire member. */
async function create(member = {}) {
  const { status, body } = await call('POST', BASE, { admin: true, body: { member: { loginEmail: email(), ...member } } });
  assert.equal(status, 200, JSON.stringify(body));
  return body.member;
}

/** Asserts the Wix error shape (SPEC §8) with `status` and, when given, the application code. */
function assertError(response, status, applicationCode) {
  assert.equal(response.status, status, JSON.stringify(response.body));
  const { message, details } = response.body;
  assert.equal(typeof message, 'string');
  assert.ok(message.length > 0, 'a message');
  assert.equal(typeof details, 'object');
  if (status === 400 && applicationCode === undefined) {
    const violations = details.validationError?.fieldViolations;
    assert.ok(Array.isArray(violations) && violations.length > 0, `fieldViolations: ${JSON.stringify(details)}`);
    for (const v of violations) {
      assert.equal(typeof v.field, 'string');
      assert.equal(typeof v.description, 'string');
      assert.equal(typeof v.violatedRule, 'string');
    }
    return violations;
  }
  const app = details.applicationError;
  assert.ok(app, `an applicationError: ${JSON.stringify(details)}`);
  assert.equal(typeof app.code, 'string');
  assert.equal(typeof app.description, 'string');
  assert.equal(typeof app.data, 'object');
  if (applicationCode !== undefined) assert.equal(app.code, applicationCode);
  return app;
}

/** Keys of an object that use the SDK naming (must never appear on the wire). */
function sdkKeys(value, path = '') {
  if (Array.isArray(value)) return value.flatMap((v, i) => sdkKeys(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(['_id', '_createdDate', '_updatedDate'].includes(k) ? [`${path}.${k}`] : []),
    ...sdkKeys(v, `${path}.${k}`),
  ]);
}

/** base64url JSON without padding, as Wix clients send `.r`. */
const packed = (request) => Buffer.from(JSON.stringify(request)).toString('base64url');

describe('createMember: POST /members/v1/members', () => {
  test('{ member } in, { member } out, in REST naming with ISO dates and defaults', async () => {
    const { status, body } = await call('POST', BASE, {
      admin: true,
      body: {
        member: {
          loginEmail: email(),
          profile: { nickname: 'Wire Ann', photo: { id: 'photo-1', url: 'https://example.com/a.png', width: 10, height: 20 } },
          contact: { firstName: 'Ann', addresses: [{ addressLine: '1 Main Street', city: 'Springfield', country: 'US' }] },
        },
      },
    });
    assert.equal(status, 200);
    const m = body.member;
    assert.match(m.id, UUID);
    assert.match(m.contactId, UUID);
    assert.notEqual(m.contactId, m.id);
    assert.match(m.createdDate, ISO);
    assert.match(m.updatedDate, ISO);
    assert.deepEqual(sdkKeys(body), [], 'no SDK names on the wire');
    assert.equal(m.status, 'APPROVED');
    assert.equal(m.privacyStatus, 'PUBLIC');
    assert.equal(m.activityStatus, 'ACTIVE');
    assert.equal(m.profile.slug, 'wire-ann');
    assert.equal(m.profile.photo.id, 'photo-1');
    assert.equal(m.profile.photo.offsetX, 0);
    assert.match(m.contact.addresses[0].id, UUID, 'address ids are generated, named id');
    assert.deepEqual(m.contact.phones, []);
    assert.deepEqual(m.contact.emails, []);
  });

  test('a second login email differing only in case is 409 EMAIL_ALREADY_EXISTS', async () => {
    const loginEmail = email('Case');
    await create({ loginEmail });
    const response = await call('POST', BASE, { admin: true, body: { member: { loginEmail: loginEmail.toUpperCase() } } });
    assertError(response, 409, 'EMAIL_ALREADY_EXISTS');
  });

  test('without a { member } envelope: 400 naming the stray field, or member when the body is empty', async () => {
    const response = await call('POST', BASE, { admin: true, body: { loginEmail: email() } });
    const violations = assertError(response, 400);
    assert.ok(violations.some((v) => v.field === 'loginEmail' && v.violatedRule === 'UNKNOWN_FIELD'), JSON.stringify(violations));
    const empty = assertError(await call('POST', BASE, { admin: true, body: {} }), 400);
    assert.ok(empty.some((v) => v.field === 'member'), JSON.stringify(empty));
  });
});

describe('getMember: GET /members/v1/members/{id} with fieldsets', () => {
  let m;
  before(async () => {
    m = await create({ profile: { nickname: 'Fieldsets' }, contact: { firstName: 'Fiona', phones: ['+1 555 0100'] } });
  });

  const get = (query, options = { admin: true }) => call('GET', `${BASE}/${m.id}${query}`, options);

  test('no fieldsets: PUBLIC (statuses read UNKNOWN, no loginEmail, no contact)', async () => {
    const { status, body } = await get('');
    assert.equal(status, 200);
    assert.equal(body.member.id, m.id);
    assert.equal(body.member.loginEmail, undefined);
    assert.equal(body.member.contact, undefined);
    assert.equal(body.member.status, 'UNKNOWN');
    assert.equal(body.member.profile.nickname, 'Fieldsets');
  });

  test('flat: fieldsets=EXTENDED', async () => {
    const { body } = await get('?fieldsets=EXTENDED');
    assert.equal(body.member.loginEmail, m.loginEmail);
    assert.equal(body.member.status, 'APPROVED');
    assert.equal(body.member.contact, undefined);
  });

  test('flat, repeated: fieldsets=FULL&fieldsets=EXTENDED', async () => {
    const { status, body } = await get('?fieldsets=FULL&fieldsets=EXTENDED');
    assert.equal(status, 200);
    assert.equal(body.member.loginEmail, m.loginEmail);
    assert.equal(body.member.contact.firstName, 'Fiona');
    assert.deepEqual(body.member.contact.phones, ['+1 555 0100']);
  });

  test('.r: the whole request as base64url JSON without padding', async () => {
    const request = { fieldsets: ['FULL'] };
    // 22 bytes of JSON: plain base64 would end in "==", so "no padding" matters.
    assert.notEqual(JSON.stringify(request).length % 3, 0);
    const r = packed(request);
    assert.ok(!r.includes('='));
    const { status, body } = await get(`?.r=${r}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.member.contact.firstName, 'Fiona');
    assert.equal(body.member.loginEmail, m.loginEmail);
  });

  test('.r that is not base64url JSON is 400', async () => {
    assertError(await get('?.r=%%%'), 400);
    assertError(await get(`?.r=${Buffer.from('{not json').toString('base64url')}`), 400);
  });

  test('an unknown fieldset is 400 naming fieldsets', async () => {
    const violations = assertError(await get('?fieldsets=EVERYTHING'), 400);
    assert.ok(violations.some((v) => v.field.includes('fieldsets')), JSON.stringify(violations));
  });

  test('a visitor asking for FULL gets PUBLIC', async () => {
    const { status, body } = await get('?fieldsets=FULL', {});
    assert.equal(status, 200);
    assert.equal(body.member.loginEmail, undefined);
    assert.equal(body.member.contact, undefined);
    assert.equal(body.member.status, 'UNKNOWN');
  });

  test('a member that does not exist is 404 MEMBER_NOT_FOUND', async () => {
    assertError(await call('GET', `${BASE}/${MISSING_ID}`, { admin: true }), 404, 'MEMBER_NOT_FOUND');
  });
});

describe('listMembers: GET /members/v1/members', () => {
  let server2;
  let ids;
  const list = (query, options = { admin: true }) => call('GET', `${BASE}${query}`, { on: server2, ...options });
  before(async () => {
    // Its own server, so totals are exact.
    server2 = await startServer();
    ids = {};
    for (const nickname of ['delta', 'alpha', 'echo', 'charlie', 'bravo']) {
      const { body } = await call('POST', BASE, { on: server2, admin: true, body: { member: { loginEmail: email(), profile: { nickname } } } });
      ids[nickname] = body.member.id;
    }
    await call('POST', BASE, { on: server2, admin: true, body: { member: { loginEmail: email(), profile: { nickname: 'hidden' }, privacyStatus: 'PRIVATE' } } });
  });

  test('{ members, metadata: { count, offset, total, tooManyToCount } }', async () => {
    const { status, body } = await list('');
    assert.equal(status, 200);
    assert.equal(body.members.length, 6);
    assert.deepEqual(sdkKeys(body), []);
    const { count, offset, total, tooManyToCount } = body.metadata;
    assert.deepEqual({ count, offset, total, tooManyToCount }, { count: 6, offset: 0, total: 6, tooManyToCount: false });
  });

  test('flat paging.limit / paging.offset and a flat sorting object', async () => {
    const { body } = await list('?paging.limit=2&paging.offset=1&sorting.fieldName=profile.nickname&sorting.order=ASC');
    assert.deepEqual(body.members.map((m) => m.profile.nickname), ['bravo', 'charlie']);
    assert.equal(body.metadata.count, 2);
    assert.equal(body.metadata.offset, 1);
    assert.equal(body.metadata.total, 6);
  });

  test('.r with paging, sorting (REST field names) and fieldsets', async () => {
    const r = packed({ paging: { limit: 3, offset: 0 }, sorting: [{ fieldName: 'profile.nickname', order: 'DESC' }], fieldsets: ['EXTENDED'] });
    const { status, body } = await list(`?.r=${r}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.members.map((m) => m.profile.nickname), ['hidden', 'echo', 'delta']);
    assert.ok(body.members.every((m) => typeof m.loginEmail === 'string'), 'EXTENDED for an admin');
    const byDate = await list(`?.r=${packed({ sorting: [{ fieldName: 'createdDate', order: 'ASC' }] })}`);
    assert.equal(byDate.status, 200, JSON.stringify(byDate.body));
    assert.equal(byDate.body.members[0].id, ids.delta, 'sorted by createdDate ascending');
  });

  test('a visitor lists only visible members, PUBLIC only', async () => {
    const { body } = await list('?fieldsets=FULL', {});
    assert.equal(body.members.length, 5);
    assert.equal(body.metadata.total, 5);
    assert.ok(body.members.every((m) => m.loginEmail === undefined && m.contact === undefined));
    assert.ok(!body.members.some((m) => m.profile.nickname === 'hidden'));
  });

  test('paging.limit over 100 is 400', async () => {
    const violations = assertError(await list('?paging.limit=101'), 400);
    assert.ok(violations.some((v) => v.field.includes('limit')), JSON.stringify(violations));
  });
});

describe('queryMembers: POST /members/v1/members/query', () => {
  let server3;
  const members = {};
  const query = (body, options = { admin: true }) => call('POST', `${BASE}/query`, { on: server3, body, ...options });
  before(async () => {
    server3 = await startServer();
    for (const [nickname, lastName, privacyStatus] of [
      ['q-alpha', 'Smith', 'PUBLIC'], ['q-bravo', 'Jones', 'PUBLIC'], ['q-charlie', 'Smith', 'PUBLIC'],
      ['q-delta', 'Brown', 'PRIVATE'], ['other', 'Smith', 'PUBLIC'],
    ]) {
      const { body } = await call('POST', BASE, {
        on: server3, admin: true, body: { member: { loginEmail: email(), profile: { nickname }, contact: { lastName }, privacyStatus } },
      });
      members[nickname] = body.member;
    }
  });

  test('filter in the Wix query language, sort, paging, metadata', async () => {
    const { status, body } = await query({
      query: {
        filter: { 'profile.nickname': { $startsWith: 'q-' }, $or: [{ 'contact.lastName': 'Smith' }, { 'contact.lastName': { $eq: 'Brown' } }] },
        sort: [{ fieldName: 'profile.nickname', order: 'DESC' }],
        paging: { limit: 2, offset: 0 },
      },
      fieldsets: ['FULL'],
    });
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.members.map((m) => m.profile.nickname), ['q-delta', 'q-charlie']);
    assert.equal(body.members[0].contact.lastName, 'Brown');
    assert.deepEqual(sdkKeys(body), []);
    const { count, offset, total, tooManyToCount } = body.metadata;
    assert.deepEqual({ count, offset, total, tooManyToCount }, { count: 2, offset: 0, total: 3, tooManyToCount: false });
    const next = await query({
      query: { filter: { 'profile.nickname': { $startsWith: 'q-' }, 'contact.lastName': { $in: ['Smith', 'Brown'] } }, sort: [{ fieldName: 'profile.nickname', order: 'DESC' }], paging: { limit: 2, offset: 2 } },
    });
    assert.deepEqual(next.body.members.map((m) => m.profile.nickname), ['q-alpha']);
    assert.equal(next.body.metadata.offset, 2);
  });

  test('sort and sorting are both accepted', async () => {
    for (const key of ['sort', 'sorting']) {
      const { status, body } = await query({ query: { filter: { 'profile.nickname': { $startsWith: 'q-' } }, [key]: [{ fieldName: 'profile.nickname', order: 'ASC' }] } });
      assert.equal(status, 200, `${key}: ${JSON.stringify(body)}`);
      assert.deepEqual(body.members.map((m) => m.profile.nickname), ['q-alpha', 'q-bravo', 'q-charlie', 'q-delta'], key);
    }
  });

  test('filter and sort field names in REST naming: id, createdDate', async () => {
    const wanted = [members['q-alpha'].id, members['q-bravo'].id, members.other.id];
    const { status, body } = await query({
      query: { filter: { id: { $in: wanted }, createdDate: { $gte: members['q-alpha'].createdDate } }, sort: [{ fieldName: 'createdDate', order: 'DESC' }] },
    });
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.members.map((m) => m.id), [members.other.id, members['q-bravo'].id, members['q-alpha'].id]);
  });

  test('search: { expression, fields }', async () => {
    const { body } = await query({ query: {}, search: { expression: 'CHAR', fields: ['profile.nickname'] } });
    assert.deepEqual(body.members.map((m) => m.id), [members['q-charlie'].id]);
  });

  test('a visitor sees visible members only, PUBLIC only, and may not filter on contact fields', async () => {
    const { body } = await query({ query: { filter: { 'profile.nickname': { $startsWith: 'q-' } } }, fieldsets: ['FULL'] }, {});
    assert.equal(body.metadata.total, 3);
    assert.ok(body.members.every((m) => m.contact === undefined && m.loginEmail === undefined));
    const denied = await query({ query: { filter: { 'contact.lastName': 'Smith' } } }, {});
    assertError(denied, 403);
    assert.match(denied.body.message, /contact\.lastName/);
  });

  test('an unknown field or operator is 400 naming it', async () => {
    const violations = assertError(await query({ query: { filter: { shoeSize: 42 } } }), 400);
    assert.ok(violations.some((v) => v.field.includes('shoeSize') || v.description.includes('shoeSize')), JSON.stringify(violations));
    assertError(await query({ query: { filter: { 'profile.nickname': { $regex: '.*' } } } }), 400);
  });
});

describe('updateMember: PATCH /members/v1/members/{id}', () => {
  test('body { member: { id, ...changes } }: a patch; read-only fields are ignored', async () => {
    const m = await create({ profile: { nickname: 'Patchy', title: 'Keeps' }, contact: { firstName: 'Old', lastName: 'Same' } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const { status, body } = await call('PATCH', `${BASE}/${m.id}`, {
      admin: true,
      body: { member: { id: m.id, contact: { firstName: 'New' }, profile: { slug: 'ignored-slug' }, status: 'BLOCKED', loginEmail: 'ignored@example.com' } },
    });
    assert.equal(status, 200, JSON.stringify(body));
    const after = body.member;
    assert.equal(after.id, m.id);
    assert.equal(after.contact.firstName, 'New');
    assert.equal(after.contact.lastName, 'Same', 'omitted fields keep their value');
    assert.equal(after.profile.title, 'Keeps');
    assert.equal(after.profile.slug, 'patchy');
    assert.equal(after.status, 'APPROVED');
    assert.equal(after.loginEmail, m.loginEmail);
    assert.ok(Date.parse(after.updatedDate) > Date.parse(m.updatedDate), 'updatedDate bumped');
    const read = await call('GET', `${BASE}/${m.id}?fieldsets=FULL`, { admin: true });
    assert.equal(read.body.member.contact.firstName, 'New');
  });

  test('an address sent back with its id keeps it', async () => {
    const m = await create({ contact: { addresses: [{ addressLine: 'A street' }] } });
    const address = m.contact.addresses[0];
    const { body } = await call('PATCH', `${BASE}/${m.id}`, {
      admin: true, body: { member: { id: m.id, contact: { addresses: [{ ...address, city: 'Moved' }, { addressLine: 'B street' }] } } },
    });
    assert.equal(body.member.contact.addresses[0].id, address.id);
    assert.equal(body.member.contact.addresses[0].city, 'Moved');
    assert.match(body.member.contact.addresses[1].id, UUID);
    assert.notEqual(body.member.contact.addresses[1].id, address.id);
  });

  test('a validation error is 400 with fieldViolations naming the field; nothing is written', async () => {
    const m = await create({ contact: { company: 'Acme' } });
    const response = await call('PATCH', `${BASE}/${m.id}`, { admin: true, body: { member: { id: m.id, contact: { company: 'c'.repeat(101), firstName: 'Half' } } } });
    const violations = assertError(response, 400);
    assert.ok(violations.some((v) => v.field.includes('company')), JSON.stringify(violations));
    assert.match(response.body.message, /company/);
    const read = await call('GET', `${BASE}/${m.id}?fieldsets=FULL`, { admin: true });
    assert.equal(read.body.member.contact.company, 'Acme');
    assert.equal(read.body.member.contact.firstName, undefined);
  });

  test('an unknown field is 400 naming it', async () => {
    const m = await create();
    const violations = assertError(await call('PATCH', `${BASE}/${m.id}`, { admin: true, body: { member: { id: m.id, profile: { nickName: 'typo' } } } }), 400);
    assert.ok(violations.some((v) => v.field.includes('nickName')), JSON.stringify(violations));
  });

  test('a visitor may not update: 401 or 403', async () => {
    const m = await create();
    const response = await call('PATCH', `${BASE}/${m.id}`, { body: { member: { id: m.id, profile: { nickname: 'x' } } } });
    assert.ok([401, 403].includes(response.status), `status ${response.status}`);
    assertError(response, response.status);
  });
});

describe('deleteMember: DELETE /members/v1/members/{id}', () => {
  test('deletes permanently; then 404 MEMBER_NOT_FOUND', async () => {
    const m = await create();
    const { status, body } = await call('DELETE', `${BASE}/${m.id}`, { admin: true });
    assert.equal(status, 200);
    assert.deepEqual(body, {});
    assertError(await call('GET', `${BASE}/${m.id}`, { admin: true }), 404, 'MEMBER_NOT_FOUND');
    assertError(await call('DELETE', `${BASE}/${m.id}`, { admin: true }), 404, 'MEMBER_NOT_FOUND');
  });

  test('a visitor may not delete: 401 (no credentials), and the member stays', async () => {
    const m = await create();
    assertError(await call('DELETE', `${BASE}/${m.id}`), 401, 'UNAUTHENTICATED');
    assert.equal((await call('GET', `${BASE}/${m.id}`)).status, 200);
  });
});

describe('slugs and other calls', () => {
  test('a taken slug is 409 SLUG_ALREADY_EXISTS with the slug in data (case-insensitive)', async () => {
    await create({ profile: { nickname: 'Taken Slug' } });
    const b = await create({ profile: { nickname: 'Other' } });
    const response = await call('POST', `${BASE}/${b.id}/slug`, { admin: true, body: { slug: 'TAKEN-slug' } });
    const app = assertError(response, 409, 'SLUG_ALREADY_EXISTS');
    assert.equal(app.data.slug, 'TAKEN-slug');
    assert.match(response.body.message, /TAKEN-slug/);
    const ok = await call('POST', `${BASE}/${b.id}/slug`, { admin: true, body: { slug: 'Free.Slug_1' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.member.profile.slug, 'Free.Slug_1', '{ member } envelope, stored as given');
  });

  test('an invalid slug is 400 naming slug', async () => {
    const m = await create();
    const violations = assertError(await call('POST', `${BASE}/${m.id}/slug`, { admin: true, body: { slug: 'no spaces' } }), 400);
    assert.ok(violations.some((v) => v.field.includes('slug')), JSON.stringify(violations));
  });

  test('moderation answers { member }', async () => {
    const m = await create();
    const muted = await call('POST', `${BASE}/${m.id}/mute`, { admin: true, body: {} });
    assert.equal(muted.status, 200);
    assert.equal(muted.body.member.activityStatus, 'MUTED');
    const blocked = await call('POST', `${BASE}/${m.id}/block`, { admin: true });
    assert.equal(blocked.body.member.status, 'BLOCKED');
  });

  test('bulk/delete answers { results, bulkActionMetadata }', async () => {
    const a = await create();
    const { status, body } = await call('POST', `${BASE}/bulk/delete`, { admin: true, body: { memberIds: [a.id, MISSING_ID] } });
    assert.equal(status, 200, JSON.stringify(body));
    assert.ok(Array.isArray(body.results));
    assert.equal(typeof body.bulkActionMetadata, 'object');
  });

  test('GET /my without a member is {}', async () => {
    const { status, body } = await call('GET', `${BASE}/my`);
    assert.equal(status, 200);
    assert.deepEqual(body, {});
  });
});

describe('both prefixes serve the same routes', () => {
  test('/_api/members/v1/members/... creates, reads, queries and errs the same', async () => {
    const { status, body } = await call('POST', WIX_BASE, { admin: true, body: { member: { loginEmail: email(), profile: { nickname: 'Prefixed' } } } });
    assert.equal(status, 200);
    const id = body.member.id;
    const read = await call('GET', `${WIX_BASE}/${id}?fieldsets=FULL`, { admin: true });
    assert.equal(read.status, 200);
    assert.equal(read.body.member.profile.nickname, 'Prefixed');
    assert.equal((await call('GET', `${BASE}/${id}`)).body.member.id, id, 'one database behind both');
    const found = await call('POST', `${WIX_BASE}/query`, { body: { query: { filter: { id } } } });
    assert.deepEqual(found.body.members.map((m) => m.id), [id]);
    assertError(await call('GET', `${WIX_BASE}/${MISSING_ID}`), 404, 'MEMBER_NOT_FOUND');
    const wrong = await call('GET', `${WIX_BASE}/query`);
    assertError(wrong, 405);
  });
});

describe('HTTP errors of the API', () => {
  test('a JSON body over 1 MiB is 413 with the error body', async () => {
    const huge = { member: { loginEmail: email(), profile: { nickname: 'x'.repeat(1024 * 1024) } } };
    const response = await call('POST', BASE, { admin: true, body: huge });
    assertError(response, 413);
  });

  test('a body that is not JSON is 400', async () => {
    for (const body of ['{"member": ', 'not json', '{"member": {"loginEmail": "a@example.com",}}']) {
      const response = await call('POST', BASE, { admin: true, body });
      assert.equal(response.status, 400, body);
      assertError(response, 400);
    }
  });

  test('an unknown route under the API is 404 with the error body', async () => {
    for (const path of [`${BASE}/${MISSING_ID}/nothing/here`, `${BASE}/bulk/nope`, `${WIX_BASE}/a/b/c`]) {
      assertError(await call('GET', path, { admin: true }), 404);
    }
  });

  test('a wrong method is 405 with Allow and the error body', async () => {
    const cases = [
      ['PUT', BASE, ['GET', 'POST']],
      ['GET', `${BASE}/query`, ['POST']],
      ['DELETE', `${BASE}/query`, ['POST']],
      ['POST', `${BASE}/${MISSING_ID}`, ['GET', 'PATCH', 'DELETE']],
      ['PUT', `${BASE}/my`, ['GET', 'DELETE']],
    ];
    for (const [method, path, allowed] of cases) {
      const response = await call(method, path, { admin: true, body: method === 'GET' ? undefined : {} });
      assertError(response, 405);
      const allow = (response.headers.get('allow') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      assert.deepEqual(allow.sort(), [...allowed].sort(), `${method} ${path}: Allow ${response.headers.get('allow')}`);
    }
  });
});

describe('who is admin', () => {
  let hidden;
  before(async () => {
    hidden = await create({ privacyStatus: 'PRIVATE', profile: { nickname: 'Hidden One' } });
  });

  test('a visitor gets PUBLIC only and 401 (no credentials) on every admin call', async () => {
    assertError(await call('GET', `${BASE}/${hidden.id}?fieldsets=FULL`), 404, 'MEMBER_NOT_FOUND');
    const adminCalls = [
      ['POST', BASE, { member: { loginEmail: email() } }],
      ['DELETE', `${BASE}/${hidden.id}`],
      ['POST', `${BASE}/${hidden.id}/slug`, { slug: 'mine' }],
      ['POST', `${BASE}/${hidden.id}/block`, {}],
      ['POST', `${BASE}/${hidden.id}/approve`, {}],
      ['POST', `${BASE}/bulk/delete`, { memberIds: [hidden.id] }],
      ['POST', `${BASE}/bulk/delete-by-filter`, { filter: {} }],
    ];
    for (const [method, path, body] of adminCalls) {
      const response = await call(method, path, { body });
      assert.equal(response.status, 401, `${method} ${path}: ${JSON.stringify(response.body)}`);
      assertError(response, 401, 'UNAUTHENTICATED');
    }
    assert.equal((await call('GET', `${BASE}/${hidden.id}`, { admin: true })).status, 200, 'nothing was changed');
  });

  test('a wrong key, a Bearer-prefixed key or an empty one is a visitor', async () => {
    for (const authorization of [`${server.adminKey}x`, `Bearer ${server.adminKey}`, ' ', server.adminKey.slice(0, -1)]) {
      const response = await call('POST', BASE, { headers: { authorization }, body: { member: { loginEmail: email() } } });
      assert.ok([401, 403].includes(response.status), `${JSON.stringify(authorization)}: ${response.status}`);
      assertError(response, response.status);
    }
  });

  test('acting as a member needs the admin key: the act-as header alone is a visitor', async () => {
    const headers = { 'x-members-act-as': hidden.id, 'x-members-elevate': '1' };
    assertError(await call('GET', `${BASE}/${hidden.id}`, { headers }), 404, 'MEMBER_NOT_FOUND');
    assert.deepEqual((await call('GET', `${BASE}/my`, { headers })).body, {});
    assertError(await call('POST', BASE, { headers, body: { member: { loginEmail: email() } } }), 401, 'UNAUTHENTICATED');
    // With the key, the backend acts as that member: it sees itself, in full.
    const mine = await call('GET', `${BASE}/my?fieldsets=FULL`, { admin: true, headers: { 'x-members-act-as': hidden.id } });
    assert.equal(mine.status, 200);
    assert.equal(mine.body.member.id, hidden.id);
    assert.equal(mine.body.member.loginEmail, hidden.loginEmail);
  });

  test('a server without an admin key has no admin, whatever is sent', async () => {
    const keyless = await startServer({ adminKey: null });
    const tries = ['', 'undefined', 'null', server.adminKey, 'Bearer x'];
    for (const authorization of tries) {
      const headers = authorization === '' ? {} : { authorization };
      const response = await call('POST', BASE, { on: keyless, headers, body: { member: { loginEmail: email() } } });
      assert.ok([401, 403].includes(response.status), `${JSON.stringify(authorization)}: ${response.status}`);
      assertError(response, response.status);
    }
    // Any key sent is a wrong one, and counts as a failed admin sign-in.
    const { status, body } = await call('GET', BASE, { on: keyless, headers: { authorization: 'undefined' } });
    assert.equal(status, 401);
    assert.equal(body.details.applicationError.code, 'INVALID_ADMIN_KEY');
  });
});
