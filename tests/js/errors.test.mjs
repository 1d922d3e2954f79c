// Every error code the package produces from Node (SPEC §8), and its shape.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { members, elevate, configure, MembersError, isMembersError } from 'universal-members';
import { MISSING_ID, email, create, asAdmin, rejectsWith, violatedFields, useStore } from './helpers.mjs';

await useStore();

const HTTP = {
  INVALID_ARGUMENT: 400, UNAUTHENTICATED: 401, PERMISSION_DENIED: 403, NOT_FOUND: 404, ALREADY_EXISTS: 409,
};

/** Full shape check of a MembersError of `code`. */
function assertShape(error, code) {
  assert.ok(error instanceof MembersError, 'instanceof MembersError');
  assert.ok(error instanceof Error, 'instanceof Error');
  assert.ok(isMembersError(error));
  assert.equal(error.name, 'MembersError');
  assert.equal(error.code, code);
  assert.equal(typeof error.applicationCode, 'string');
  assert.ok(error.applicationCode.length > 0);
  assert.equal(typeof error.message, 'string');
  assert.ok(error.message.length > 0);
  assert.equal(typeof error.stack, 'string');
  assert.ok(Number.isInteger(error.httpStatus));
  if (code in HTTP) assert.equal(error.httpStatus, HTTP[code], `httpStatus of ${code}`);
  else assert.ok(error.httpStatus >= 400 && error.httpStatus < 600, `httpStatus of ${code}: ${error.httpStatus}`);
  assert.equal(typeof error.details, 'object');
  assert.ok(error.details !== null);
  if (code === 'INVALID_ARGUMENT') {
    const violations = error.details.validationError?.fieldViolations;
    assert.ok(Array.isArray(violations) && violations.length > 0, 'INVALID_ARGUMENT carries fieldViolations');
    for (const v of violations) {
      assert.equal(typeof v.field, 'string');
      assert.equal(typeof v.description, 'string');
      assert.equal(typeof v.violatedRule, 'string');
    }
  } else {
    const app = error.details.applicationError;
    assert.ok(app, `${code} carries an applicationError`);
    assert.equal(app.code, error.applicationCode);
    assert.equal(typeof app.description, 'string');
    assert.equal(typeof app.data, 'object');
  }
}

/** Asserts an INVALID_ARGUMENT whose fieldViolations and message name `field`. */
async function invalid(promise, field) {
  const error = await rejectsWith(promise, 'INVALID_ARGUMENT');
  assertShape(error, 'INVALID_ARGUMENT');
  const fields = violatedFields(error);
  assert.ok(fields.some((f) => f.includes(field)), `a fieldViolation names ${field}; got ${JSON.stringify(fields)}`);
  assert.ok(error.message.includes(field), `message names ${field}: ${error.message}`);
  return error;
}

describe('INVALID_ARGUMENT', () => {
  test('createMember without loginEmail', async () => {
    const error = await invalid(asAdmin('createMember')({ member: { profile: { nickname: 'x' } } }), 'loginEmail');
    assert.equal(error.details.validationError.fieldViolations[0].violatedRule.length > 0, true);
  });

  test('createMember without a member', async () => {
    await invalid(asAdmin('createMember')({}), 'member');
  });

  test('an invalid loginEmail', async () => {
    const error = await invalid(asAdmin('createMember')({ member: { loginEmail: 'not-an-email' } }), 'loginEmail');
    assert.ok(error.message.includes('not-an-email'), 'message names the value');
  });

  test('an invalid email in contact.emails', async () => {
    await invalid(create({ contact: { emails: ['ok@example.com', 'broken'] } }), 'contact.emails');
  });

  test('unknown fields are rejected, naming them (top level and nested)', async () => {
    await invalid(create({ nickname: 'typo at top level' }), 'nickname');
    await invalid(create({ profile: { nickame: 'typo' } }), 'profile.nickame');
    await invalid(create({ contact: { firstname: 'typo' } }), 'contact.firstname');
    const m = await create();
    await invalid(asAdmin('updateMember')(m._id, { contact: { phone: ['1'] } }), 'contact.phone');
  });

  test('strings over 255 characters', async () => {
    await invalid(create({ contact: { firstName: 'x'.repeat(256) } }), 'contact.firstName');
    await invalid(create({ profile: { nickname: 'x'.repeat(256) } }), 'profile.nickname');
    const ok = await create({ contact: { firstName: 'x'.repeat(255) } });
    assert.equal(ok.contact.firstName.length, 255);
  });

  test('company and jobTitle over 100 characters', async () => {
    await invalid(create({ contact: { company: 'c'.repeat(101) } }), 'contact.company');
    await invalid(create({ contact: { jobTitle: 'j'.repeat(101) } }), 'contact.jobTitle');
    const ok = await create({ contact: { company: 'c'.repeat(100), jobTitle: 'j'.repeat(100) } });
    assert.equal(ok.contact.company.length, 100);
  });

  test('more than 20 phones, emails or addresses', async () => {
    const n = (k, f) => Array.from({ length: k }, (_, i) => f(i));
    await invalid(create({ contact: { phones: n(21, (i) => `555-01${i}`) } }), 'contact.phones');
    await invalid(create({ contact: { emails: n(21, (i) => `e${i}@example.com`) } }), 'contact.emails');
    await invalid(create({ contact: { addresses: n(21, (i) => ({ city: `c${i}` })) } }), 'contact.addresses');
    const ok = await create({ contact: { phones: n(20, (i) => `555-01${i}`) } });
    assert.equal(ok.contact.phones.length, 20);
  });

  test('more than 100 customFields', async () => {
    const fields = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, { value: i }]));
    await invalid(create({ contact: { customFields: fields } }), 'contact.customFields');
  });

  test('a member over 64 KiB of JSON', async () => {
    const fields = Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`k${i}`, { value: 'v'.repeat(1000) }]));
    const error = await rejectsWith(create({ contact: { customFields: fields } }), 'INVALID_ARGUMENT');
    assertShape(error, 'INVALID_ARGUMENT');
  });

  test('a birthdate not written YYYY-MM-DD', async () => {
    await invalid(create({ contact: { birthdate: '12/01/1990' } }), 'contact.birthdate');
    await invalid(create({ contact: { birthdate: '1990-13-45' } }), 'contact.birthdate');
  });

  test('an _id that is not a UUID', async () => {
    const error = await invalid(members.getMember('nope'), '_id');
    assert.ok(error.message.includes('nope'));
    await invalid(asAdmin('deleteMember')('nope'), '_id');
  });

  test('fieldsets: unknown, or more than 3', async () => {
    const m = await create();
    await invalid(members.getMember(m._id, { fieldsets: ['SECRET'] }), 'fieldsets');
    await invalid(members.getMember(m._id, { fieldsets: ['PUBLIC', 'EXTENDED', 'FULL', 'PUBLIC'] }), 'fieldsets');
  });

  test('an invalid slug', async () => {
    const m = await create();
    await invalid(asAdmin('updateMemberSlug')(m._id, '-bad-'), 'slug');
    await invalid(members.asMember(m._id).updateCurrentMemberSlug('no spaces'), 'slug');
  });

  test('paging.limit over 100', async () => {
    await invalid(members.listMembers({ paging: { limit: 101 } }), 'paging.limit');
    await invalid(members.queryMembers().limit(101).find(), 'limit');
  });

  test('query: an unknown field, a wrong value type, an operator that makes no sense', async () => {
    const unknown = await invalid(members.queryMembers().eq('contact.phones', '1').find(), 'contact.phones');
    assert.equal(unknown.applicationCode, 'INVALID_FILTER');
    await invalid(members.queryMembers().eq('_createdDate', true).find(), '_createdDate');
    await invalid(members.queryMembers().gt('profile.nickname', 5).find(), 'profile.nickname');
    await invalid(members.queryMembers().startsWith('_createdDate', '2020').find(), '_createdDate');
    await invalid(members.queryMembers().ascending('nope').find(), 'nope');
    await invalid(members.listMembers({ sorting: [{ fieldName: 'profile.photo' }] }), 'profile.photo');
  });

  test('query search: expression 1..100 chars, at most 4 known fields', async () => {
    await invalid(members.queryMembers({ search: { expression: '' } }).find(), 'search.expression');
    await invalid(members.queryMembers({ search: { expression: 'x'.repeat(101) } }).find(), 'search.expression');
    const five = ['loginEmail', 'contact.firstName', 'contact.lastName', 'profile.nickname', 'profile.slug'];
    await invalid(elevate(members.queryMembers)({ search: { expression: 'x', fields: five } }).find(), 'search.fields');
    await invalid(members.queryMembers({ search: { expression: 'x', fields: ['status'] } }).find(), 'status');
  });

  test('bulkDeleteMembers with 0 or more than 100 ids', async () => {
    await invalid(asAdmin('bulkDeleteMembers')([]), 'memberIds');
    await invalid(asAdmin('bulkDeleteMembers')(Array.from({ length: 101 }, () => MISSING_ID)), 'memberIds');
  });

  test('nothing is half-written on an error', async () => {
    const before = await elevate(members.queryMembers)().count();
    await rejectsWith(create({ profile: { nickname: 'half' }, contact: { firstName: 'ok', phones: Array(21).fill('1') } }), 'INVALID_ARGUMENT');
    assert.equal(await elevate(members.queryMembers)().count(), before, 'no member was created');

    const m = await create({ contact: { firstName: 'Keep', lastName: 'Both' } });
    await rejectsWith(asAdmin('updateMember')(m._id, { contact: { firstName: 'Changed', company: 'c'.repeat(101) } }), 'INVALID_ARGUMENT');
    const after = await asAdmin('getMember')(m._id, { fieldsets: ['FULL'] });
    assert.equal(after.contact.firstName, 'Keep');
    assert.equal(after._updatedDate.getTime(), m._updatedDate.getTime());
  });

  test('configure() with a bad option throws synchronously and keeps the database', async () => {
    const m = await create();
    const cases = [{ database: 'bogus:' }, { database: 'memory:', approval: 'sometimes' }, { database: 'memory:', defaultPrivacy: 'SECRET' }];
    for (const options of cases) {
      assert.throws(() => configure(options), (e) => e instanceof MembersError && e.code === 'INVALID_ARGUMENT');
    }
    assert.equal((await asAdmin('getMember')(m._id))._id, m._id, 'the configured database survives');
  });
});

describe('UNAUTHENTICATED: self-service calls without a member', () => {
  for (const [name, call] of [
    ['joinCommunity', () => members.joinCommunity()],
    ['leaveCommunity', () => members.leaveCommunity()],
    ['updateCurrentMemberSlug', () => members.updateCurrentMemberSlug('visitor-slug')],
    ['deleteMyMember', () => members.deleteMyMember()],
  ]) {
    test(`a visitor calling ${name}`, async () => {
      const error = await rejectsWith(call(), 'UNAUTHENTICATED');
      assertShape(error, 'UNAUTHENTICATED');
      assert.ok(error.message.includes(name), `message says which call: ${error.message}`);
    });
  }

  test('a visitor calling updateMember / delete* on a member', async () => {
    const m = await create({ profile: { nickname: 'Untouched' } });
    for (const call of [
      () => members.updateMember(m._id, { profile: { nickname: 'x' } }),
      () => members.deleteMemberAddresses(m._id),
      () => members.deleteMemberEmails(m._id),
      () => members.deleteMemberPhones(m._id),
    ]) {
      let error;
      try { await call(); } catch (e) { error = e; }
      assert.ok(error instanceof MembersError);
      assert.ok(['UNAUTHENTICATED', 'PERMISSION_DENIED'].includes(error.code), error.code);
      assertShape(error, error.code);
    }
    assert.equal((await members.getMember(m._id)).profile.nickname, 'Untouched');
  });
});

describe('PERMISSION_DENIED', () => {
  let me;
  let other;
  before(async () => {
    me = await create({ profile: { nickname: 'Me' } });
    other = await create({ profile: { nickname: 'Other' }, contact: { phones: ['555-0101'] } });
  });

  test('visitors and members can not call admin calls', async () => {
    // A visitor brought no credentials (UNAUTHENTICATED, 401); a member the wrong ones.
    const callers = { visitor: [members, 'UNAUTHENTICATED'], member: [members.asMember(me._id), 'PERMISSION_DENIED'] };
    for (const [who, [api, code]] of Object.entries(callers)) {
      for (const [name, call] of [
        ['createMember', () => api.createMember({ member: { loginEmail: email() } })],
        ['deleteMember', () => api.deleteMember(other._id)],
        ['updateMemberSlug', () => api.updateMemberSlug(other._id, 'taken-over')],
        ['muteMember', () => api.muteMember(other._id)],
        ['unmuteMember', () => api.unmuteMember(other._id)],
        ['approveMember', () => api.approveMember(other._id)],
        ['blockMember', () => api.blockMember(other._id)],
        ['disconnectMember', () => api.disconnectMember(other._id)],
        ['bulkDeleteMembers', () => api.bulkDeleteMembers([other._id])],
        ['bulkDeleteMembersByFilter', () => api.bulkDeleteMembersByFilter({})],
        ['bulkApproveMembers', () => api.bulkApproveMembers({})],
        ['bulkBlockMembers', () => api.bulkBlockMembers({})],
      ]) {
        const error = await rejectsWith(call(), code, undefined);
        assertShape(error, code);
        assert.ok(error.message.includes(name), `${who} ${name}: ${error.message}`);
      }
    }
    const after = await asAdmin('getMember')(other._id, { fieldsets: ['FULL'] });
    assert.equal(after.status, 'APPROVED');
    assert.equal(after.activityStatus, 'ACTIVE');
    assert.equal(after.profile.slug, 'other');
  });

  test('a member can not change another member', async () => {
    const api = members.asMember(me._id);
    for (const call of [
      () => api.updateMember(other._id, { profile: { nickname: 'Hacked' } }),
      () => api.deleteMemberPhones(other._id),
      () => api.deleteMemberEmails(other._id),
      () => api.deleteMemberAddresses(other._id),
    ]) {
      assertShape(await rejectsWith(call(), 'PERMISSION_DENIED'), 'PERMISSION_DENIED');
    }
    const after = await asAdmin('getMember')(other._id, { fieldsets: ['FULL'] });
    assert.equal(after.profile.nickname, 'Other');
    assert.deepEqual(after.contact.phones, ['555-0101']);
  });

  test('filters, sorts and searches on non-PUBLIC fields are for admins only, naming the field', async () => {
    const cases = [
      ['loginEmail', (q) => q.eq('loginEmail', other.loginEmail)],
      ['contact.firstName', (q) => q.startsWith('contact.firstName', 'a')],
      ['contact.customFields.age.value', (q) => q.gt('contact.customFields.age.value', 1)],
      ['lastLoginDate', (q) => q.exists('lastLoginDate', true)],
      ['contact.lastName', (q) => q.ascending('contact.lastName')],
    ];
    for (const api of [members, members.asMember(me._id)]) {
      for (const [field, build] of cases) {
        const error = await rejectsWith(build(api.queryMembers()).find(), 'PERMISSION_DENIED');
        assertShape(error, 'PERMISSION_DENIED');
        assert.ok(error.message.includes(field), `names ${field}: ${error.message}`);
        await rejectsWith(build(api.queryMembers()).count(), 'PERMISSION_DENIED');
      }
      await rejectsWith(api.queryMembers({ search: { expression: 'example', fields: ['loginEmail'] } }).find(), 'PERMISSION_DENIED');
      await rejectsWith(api.listMembers({ sorting: [{ fieldName: 'loginEmail', order: 'ASC' }] }), 'PERMISSION_DENIED');
    }
    // ... and work for admins.
    assert.equal(await elevate(members.queryMembers)().eq('loginEmail', other.loginEmail).count(), 1);
  });
});

describe('NOT_FOUND', () => {
  test('a member that does not exist', async () => {
    const error = await rejectsWith(members.getMember(MISSING_ID), 'NOT_FOUND', 'MEMBER_NOT_FOUND');
    assertShape(error, 'NOT_FOUND');
    assert.ok(error.message.includes(MISSING_ID), 'message names the id');
    for (const call of [
      () => asAdmin('getMember')(MISSING_ID),
      () => asAdmin('updateMember')(MISSING_ID, { profile: { nickname: 'x' } }),
      () => asAdmin('deleteMember')(MISSING_ID),
      () => asAdmin('deleteMemberPhones')(MISSING_ID),
      () => asAdmin('updateMemberSlug')(MISSING_ID, 'nobody-here'),
      () => asAdmin('muteMember')(MISSING_ID),
      () => asAdmin('approveMember')(MISSING_ID),
      () => asAdmin('blockMember')(MISSING_ID),
      () => asAdmin('disconnectMember')(MISSING_ID),
    ]) {
      assertShape(await rejectsWith(call(), 'NOT_FOUND', 'MEMBER_NOT_FOUND'), 'NOT_FOUND');
    }
  });

  test('a member the caller may not see reads exactly like one that does not exist', async () => {
    const hidden = await create({ privacyStatus: 'PRIVATE' });
    const a = await rejectsWith(members.getMember(hidden._id), 'NOT_FOUND');
    const b = await rejectsWith(members.getMember(MISSING_ID), 'NOT_FOUND');
    assert.equal(a.applicationCode, b.applicationCode);
    assert.equal(a.httpStatus, b.httpStatus);
    assert.equal(a.message.replace(hidden._id, 'ID'), b.message.replace(MISSING_ID, 'ID'));
    assert.deepEqual(Object.keys(a.details.applicationError.data), Object.keys(b.details.applicationError.data));
  });
});

describe('ALREADY_EXISTS', () => {
  test('EMAIL_ALREADY_EXISTS, case-insensitively', async () => {
    const m = await create({ loginEmail: 'Dup.Email@Example.com' });
    const error = await rejectsWith(create({ loginEmail: 'dup.email@EXAMPLE.COM' }), 'ALREADY_EXISTS', 'EMAIL_ALREADY_EXISTS');
    assertShape(error, 'ALREADY_EXISTS');
    assert.ok(error.message.includes('dup.email@EXAMPLE.COM'), error.message);
    assert.equal((await elevate(members.queryMembers)().startsWith('loginEmail', 'dup.email').count()), 1);
    assert.equal((await asAdmin('getMember')(m._id, { fieldsets: ['EXTENDED'] })).loginEmail, 'Dup.Email@Example.com');
  });

  test('EMAIL_ALREADY_EXISTS after NFKC (fullwidth letters)', async () => {
    await create({ loginEmail: 'wide@example.com' });
    await rejectsWith(create({ loginEmail: 'ｗｉｄｅ@example.com' }), 'ALREADY_EXISTS', 'EMAIL_ALREADY_EXISTS');
  });

  test('EMAIL_ALREADY_EXISTS uses full case folding (ß ~ ss)', async () => {
    await create({ loginEmail: 'strasse@example.com' });
    await rejectsWith(create({ loginEmail: 'STRAßE@example.com' }), 'ALREADY_EXISTS', 'EMAIL_ALREADY_EXISTS');
  });

  test('SLUG_ALREADY_EXISTS with the slug in details.applicationError.data.slug', async () => {
    const a = await create({ profile: { nickname: 'Taken Slug' } });
    const b = await create();
    const error = await rejectsWith(asAdmin('updateMemberSlug')(b._id, 'TAKEN-slug'), 'ALREADY_EXISTS', 'SLUG_ALREADY_EXISTS');
    assertShape(error, 'ALREADY_EXISTS');
    assert.equal(error.details.applicationError.code, 'SLUG_ALREADY_EXISTS');
    assert.equal(error.details.applicationError.data.slug, 'TAKEN-slug');
    const self = await rejectsWith(members.asMember(b._id).updateCurrentMemberSlug('taken-slug'), 'ALREADY_EXISTS', 'SLUG_ALREADY_EXISTS');
    assert.equal(self.details.applicationError.data.slug, 'taken-slug');
    assert.notEqual((await members.getMember(b._id)).profile.slug, 'taken-slug');
    assert.equal((await members.getMember(a._id)).profile.slug, 'taken-slug');
  });
});

describe('FAILED_PRECONDITION', () => {
  test('a member can not block itself, even elevated', async () => {
    const m = await create();
    const error = await rejectsWith(elevate(members.asMember(m._id).blockMember)(m._id), 'FAILED_PRECONDITION');
    assertShape(error, 'FAILED_PRECONDITION');
    assert.equal((await asAdmin('getMember')(m._id, { fieldsets: ['EXTENDED'] })).status, 'APPROVED');
  });

  test('a disconnected member can not be approved', async () => {
    const m = await create();
    await asAdmin('disconnectMember')(m._id);
    const error = await rejectsWith(asAdmin('approveMember')(m._id), 'FAILED_PRECONDITION');
    assertShape(error, 'FAILED_PRECONDITION');
    assert.equal((await asAdmin('getMember')(m._id, { fieldsets: ['EXTENDED'] })).status, 'OFFLINE');
  });

  test('next() past the last page', async () => {
    const result = await members.queryMembers().limit(100).find();
    assertShape(await rejectsWith(result.next(), 'FAILED_PRECONDITION'), 'FAILED_PRECONDITION');
  });
});

describe('the MembersError class', () => {
  test('can be constructed and recognised', () => {
    const details = { applicationError: { code: 'MEMBER_NOT_FOUND', description: 'd', data: {} } };
    const e = new MembersError('NOT_FOUND', 'gone', 'MEMBER_NOT_FOUND', 404, details);
    assert.ok(e instanceof Error);
    assert.ok(isMembersError(e));
    assert.equal(e.name, 'MembersError');
    assert.equal(e.code, 'NOT_FOUND');
    assert.equal(e.message, 'gone');
    assert.equal(e.applicationCode, 'MEMBER_NOT_FOUND');
    assert.equal(e.httpStatus, 404);
    assert.deepEqual(e.details, details);
    assert.equal(isMembersError(new Error('plain')), false);
    assert.equal(isMembersError({ code: 'NOT_FOUND' }), false);
    assert.equal(isMembersError(undefined), false);
  });
});

// Last: points the API at a server that is not there.
describe('UNAVAILABLE', () => {
  test('Node configured with a baseUrl nobody answers on rejects with UNAVAILABLE',
    async () => {
      configure({ baseUrl: 'http://127.0.0.1:9' });
      try {
        const error = await rejectsWith(members.listMembers(), 'UNAVAILABLE');
        assertShape(error, 'UNAVAILABLE');
      } finally {
        await useStore();
      }
    });
});
