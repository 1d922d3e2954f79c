// Every call of SPEC §5, as a user of the package sees it from Node.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { members, elevate, MembersError, isMembersError } from 'universal-members';
import { UUID, MISSING_ID, email, create, asAdmin, rejectsWith, useStore } from './helpers.mjs';

await useStore();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createMember', () => {
  test('returns the new member with generated ids, defaults and Date fields', async () => {
    const loginEmail = email('create');
    const m = await elevate(members.createMember)({
      member: {
        loginEmail,
        contact: { firstName: 'Ann', lastName: 'Lee', phones: ['+1 555 0100'], addresses: [{ city: 'Paris', country: 'FR' }] },
        profile: { nickname: 'Ann Lee', title: 'Chef' },
      },
    });
    assert.match(m._id, UUID);
    assert.match(m.contactId, UUID);
    assert.notEqual(m.contactId, m._id);
    assert.equal(m.loginEmail, loginEmail);
    assert.equal(m.status, 'APPROVED');
    assert.equal(m.activityStatus, 'ACTIVE');
    assert.equal(m.privacyStatus, 'PUBLIC');
    assert.ok(m._createdDate instanceof Date && !Number.isNaN(m._createdDate.getTime()));
    assert.ok(m._updatedDate instanceof Date);
    assert.ok(Math.abs(Date.now() - m._createdDate.getTime()) < 60_000, 'created just now');
    assert.equal(m.contact.firstName, 'Ann');
    assert.equal(m.contact.lastName, 'Lee');
    assert.deepEqual(m.contact.phones, ['+1 555 0100']);
    assert.deepEqual(m.contact.emails, []);
    assert.equal(m.contact.addresses.length, 1);
    assert.match(m.contact.addresses[0]._id, UUID);
    assert.equal(m.contact.addresses[0].city, 'Paris');
    assert.equal(m.profile.nickname, 'Ann Lee');
    assert.equal(m.profile.title, 'Chef');
    assert.equal(m.profile.slug, 'ann-lee');
  });

  test('fills empty phones/emails/addresses when the contact is returned', async () => {
    const m = await create();
    assert.deepEqual(m.contact.phones, []);
    assert.deepEqual(m.contact.emails, []);
    assert.deepEqual(m.contact.addresses, []);
  });

  test('takes privacyStatus from the input', async () => {
    const m = await create({ privacyStatus: 'PRIVATE' });
    assert.equal(m.privacyStatus, 'PRIVATE');
  });

  test('image offsets default to 0', async () => {
    const m = await create({ profile: { photo: { url: 'https://example.com/p.png', width: 10, height: 20 } } });
    assert.equal(m.profile.photo.url, 'https://example.com/p.png');
    assert.equal(m.profile.photo.offsetX, 0);
    assert.equal(m.profile.photo.offsetY, 0);
  });

  test('gives every member its own _id and contactId', async () => {
    const a = await create();
    const b = await create();
    assert.notEqual(a._id, b._id);
    assert.notEqual(a.contactId, b.contactId);
  });

  test('read-only fields in the input are ignored', async () => {
    const m = await create({
      _id: MISSING_ID, status: 'BLOCKED', activityStatus: 'MUTED', contactId: MISSING_ID,
      _createdDate: new Date('2000-01-01T00:00:00Z'), loginEmailVerified: true,
    });
    assert.notEqual(m._id, MISSING_ID);
    assert.notEqual(m.contactId, MISSING_ID);
    assert.equal(m.status, 'APPROVED');
    assert.equal(m.activityStatus, 'ACTIVE');
    assert.notEqual(m._createdDate.getUTCFullYear(), 2000);
    assert.equal(m.loginEmailVerified, false);
  });
});

describe('slug generation (§6)', () => {
  test('from the nickname: lower-cased, runs of non-alphanumerics become "-", trimmed', async () => {
    const m = await create({ profile: { nickname: '  Hello,   World!! ' } });
    assert.equal(m.profile.slug, 'hello-world');
  });

  test('from the local part of loginEmail when there is no nickname', async () => {
    const m = await create({ loginEmail: 'Jane.Doe+news@example.com' });
    assert.equal(m.profile.slug, 'jane-doe-news');
  });

  test('NFKC-normalises and keeps Unicode letters', async () => {
    const m = await create({ profile: { nickname: 'Ｚｏë Ünal' } });
    assert.equal(m.profile.slug, 'zoë-ünal');
  });

  test('is at most 100 characters', async () => {
    const m = await create({ profile: { nickname: 'x'.repeat(150) } });
    assert.equal(m.profile.slug, 'x'.repeat(100));
  });

  test('becomes "member" when nothing is left', async () => {
    const m = await create({ profile: { nickname: '!!! ???' } });
    assert.match(m.profile.slug, /^member(-\d+)?$/);
  });

  test('appends -2, -3, … on collision', async () => {
    const a = await create({ profile: { nickname: 'Twin Peaks' } });
    const b = await create({ profile: { nickname: 'twin peaks' } });
    const c = await create({ profile: { nickname: 'TWIN-PEAKS' } });
    assert.deepEqual([a.profile.slug, b.profile.slug, c.profile.slug], ['twin-peaks', 'twin-peaks-2', 'twin-peaks-3']);
  });

  test('changing the nickname does not change the slug', async () => {
    const m = await create({ profile: { nickname: 'Stable Slug' } });
    const u = await asAdmin('updateMember')(m._id, { profile: { nickname: 'Something Else' } });
    assert.equal(u.profile.nickname, 'Something Else');
    assert.equal(u.profile.slug, 'stable-slug');
  });
});

describe('getMember', () => {
  let m;
  before(async () => {
    m = await create({ contact: { firstName: 'Gina', phones: ['123'] }, profile: { nickname: 'Gina' } });
  });

  test('a visitor gets the PUBLIC fieldset, statuses read UNKNOWN', async () => {
    const got = await members.getMember(m._id);
    assert.equal(got._id, m._id);
    assert.equal(got.contactId, m.contactId);
    assert.equal(got.profile.nickname, 'Gina');
    assert.ok(got._createdDate instanceof Date);
    assert.ok(got._updatedDate instanceof Date);
    assert.equal(got._createdDate.getTime(), m._createdDate.getTime());
    assert.equal(got.loginEmail, undefined);
    assert.equal(got.contact, undefined);
    assert.equal(got.status, 'UNKNOWN');
    assert.equal(got.privacyStatus, 'UNKNOWN');
    assert.equal(got.activityStatus, 'UNKNOWN');
  });

  test('a visitor asking for FULL still gets PUBLIC', async () => {
    const got = await members.getMember(m._id, { fieldsets: ['FULL'] });
    assert.equal(got.loginEmail, undefined);
    assert.equal(got.contact, undefined);
    assert.equal(got.status, 'UNKNOWN');
  });

  test('another member asking for FULL gets PUBLIC', async () => {
    const other = await create();
    const got = await members.asMember(other._id).getMember(m._id, { fieldsets: ['FULL'] });
    assert.equal(got._id, m._id);
    assert.equal(got.loginEmail, undefined);
    assert.equal(got.contact, undefined);
  });

  test('an admin gets EXTENDED: loginEmail and statuses, no contact', async () => {
    const got = await asAdmin('getMember')(m._id, { fieldsets: ['EXTENDED'] });
    assert.equal(got.loginEmail, m.loginEmail);
    assert.equal(got.status, 'APPROVED');
    assert.equal(got.privacyStatus, 'PUBLIC');
    assert.equal(got.activityStatus, 'ACTIVE');
    assert.equal(got.contact, undefined);
  });

  test('an admin gets FULL: everything', async () => {
    const got = await asAdmin('getMember')(m._id, { fieldsets: ['FULL'] });
    assert.equal(got.loginEmail, m.loginEmail);
    assert.equal(got.contact.firstName, 'Gina');
    assert.deepEqual(got.contact.phones, ['123']);
    assert.deepEqual(got.contact.emails, []);
    assert.deepEqual(got.contact.addresses, []);
  });

  test('an admin without fieldsets gets PUBLIC (the default)', async () => {
    const got = await asAdmin('getMember')(m._id);
    assert.equal(got.loginEmail, undefined);
    assert.equal(got.contact, undefined);
    assert.equal(got.status, 'UNKNOWN');
  });

  test('a member reading itself gets what it asks for', async () => {
    const got = await members.asMember(m._id).getMember(m._id, { fieldsets: ['FULL'] });
    assert.equal(got.loginEmail, m.loginEmail);
    assert.equal(got.contact.firstName, 'Gina');
    assert.equal(got.status, 'APPROVED');
  });

  test('a PRIVATE member is NOT_FOUND for visitors and other members, found by itself and admins', async () => {
    const hidden = await create({ privacyStatus: 'PRIVATE' });
    const other = await create();
    await rejectsWith(members.getMember(hidden._id), 'NOT_FOUND');
    await rejectsWith(members.asMember(other._id).getMember(hidden._id), 'NOT_FOUND');
    assert.equal((await members.asMember(hidden._id).getMember(hidden._id))._id, hidden._id);
    assert.equal((await asAdmin('getMember')(hidden._id))._id, hidden._id);
  });

  test('a blocked member is NOT_FOUND for visitors, found by admins', async () => {
    const blocked = await create();
    await asAdmin('blockMember')(blocked._id);
    await rejectsWith(members.getMember(blocked._id), 'NOT_FOUND');
    assert.equal((await asAdmin('getMember')(blocked._id))._id, blocked._id);
  });
});

describe('listMembers', () => {
  // A separate database, so counts are exact.
  let ids;
  let created;
  before(async () => {
    await useStore();
    created = [];
    for (const nickname of ['delta', 'alpha', 'echo', 'charlie', 'bravo']) {
      created.push(await create({ profile: { nickname } }));
    }
    ids = created.map((m) => m._id);
    await create({ profile: { nickname: 'hidden' }, privacyStatus: 'PRIVATE' });
  });

  test('a visitor lists visible members with metadata', async () => {
    const { members: list, metadata } = await members.listMembers();
    assert.equal(list.length, 5);
    assert.deepEqual(new Set(list.map((m) => m._id)), new Set(ids));
    assert.equal(metadata.count, 5);
    assert.equal(metadata.offset, 0);
    assert.equal(metadata.total, 5);
    assert.equal(metadata.tooManyToCount, false);
    assert.ok(list.every((m) => m._createdDate instanceof Date && m._updatedDate instanceof Date));
    assert.ok(list.every((m) => m.loginEmail === undefined && m.status === 'UNKNOWN'));
  });

  test('an admin lists everyone, including PRIVATE members, with the fieldsets asked for', async () => {
    const { members: list, metadata } = await asAdmin('listMembers')({ fieldsets: ['FULL'] });
    assert.equal(list.length, 6);
    assert.equal(metadata.total, 6);
    assert.ok(list.some((m) => m.profile.nickname === 'hidden' && m.privacyStatus === 'PRIVATE'));
    assert.ok(list.every((m) => typeof m.loginEmail === 'string' && Array.isArray(m.contact.phones)));
  });

  test('a visitor asking for FULL gets PUBLIC', async () => {
    const { members: list } = await members.listMembers({ fieldsets: ['FULL'] });
    assert.equal(list.length, 5);
    assert.ok(list.every((m) => m.loginEmail === undefined && m.contact === undefined && m.privacyStatus === 'UNKNOWN'));
  });

  test('a PRIVATE member lists itself but other members do not see it', async () => {
    const { members: all } = await asAdmin('listMembers')();
    const hidden = all.find((m) => m.profile.nickname === 'hidden');
    const self = await members.asMember(hidden._id).listMembers();
    assert.equal(self.metadata.total, 6);
    assert.ok(self.members.some((m) => m._id === hidden._id));
    const other = await members.asMember(ids[0]).listMembers();
    assert.equal(other.metadata.total, 5);
    assert.ok(!other.members.some((m) => m._id === hidden._id));
  });

  test('sorts by fieldName and order', async () => {
    const asc = await members.listMembers({ sorting: [{ fieldName: 'profile.nickname', order: 'ASC' }] });
    assert.deepEqual(asc.members.map((m) => m.profile.nickname), ['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    const desc = await members.listMembers({ sorting: [{ fieldName: 'profile.nickname', order: 'DESC' }] });
    assert.deepEqual(desc.members.map((m) => m.profile.nickname), ['echo', 'delta', 'charlie', 'bravo', 'alpha']);
  });

  test('pages with limit and offset', async () => {
    const sorting = [{ fieldName: 'profile.nickname', order: 'ASC' }];
    const page = await members.listMembers({ paging: { limit: 2, offset: 1 }, sorting });
    assert.deepEqual(page.members.map((m) => m.profile.nickname), ['bravo', 'charlie']);
    assert.equal(page.metadata.count, 2);
    assert.equal(page.metadata.offset, 1);
    assert.equal(page.metadata.total, 5);
    const last = await members.listMembers({ paging: { limit: 2, offset: 4 }, sorting });
    assert.deepEqual(last.members.map((m) => m.profile.nickname), ['echo']);
    assert.equal(last.metadata.count, 1);
  });

  test('an offset past 2^32 or 2^53 is past the end, not a wrapped first page', async () => {
    // 2^32 wrapped to 0 in a wasm32 usize; past 2^53 a JS number reached SQLite
    // as REAL ("datatype mismatch"), found by schemathesis.
    // The largest offset (i64::MAX) is sent as text, as a query string has it.
    for (const offset of [2 ** 32, 2 ** 53, 2 ** 62, '9223372036854775807']) {
      const page = await members.listMembers({ paging: { limit: 2, offset } });
      assert.deepEqual(page.members, [], `offset ${offset}`);
      assert.equal(page.metadata.total, 5, `offset ${offset}`);
      if (typeof offset !== 'number') continue;
      const found = await members.queryMembers().contains('profile.nickname', 'a').skip(offset).find();
      assert.deepEqual(found.items, [], `query offset ${offset}`);
    }
  });

  test('default order is _createdDate descending, then _id', async () => {
    const { members: list } = await members.listMembers();
    const expected = [...created]
      .sort((a, b) => b._createdDate - a._createdDate || (a._id < b._id ? -1 : 1))
      .map((m) => m._id);
    assert.deepEqual(list.map((m) => m._id), expected);
  });

  test('limit above 100 is INVALID_ARGUMENT', async () => {
    await rejectsWith(members.listMembers({ paging: { limit: 101 } }), 'INVALID_ARGUMENT');
  });

  test('default page size is 50', async () => {
    for (let i = 0; i < 50; i += 1) await create();
    const { members: list, metadata } = await members.listMembers();
    assert.equal(list.length, 50);
    assert.equal(metadata.total, 55);
  });
});

describe('queryMembers', () => {
  test('returns a builder whose find() gives the visible members', async () => {
    await useStore();
    const a = await create({ profile: { nickname: 'Query One' } });
    await create({ profile: { nickname: 'Query Two' }, privacyStatus: 'PRIVATE' });
    const result = await members.queryMembers().find();
    assert.deepEqual(result.items.map((m) => m._id), [a._id]);
    assert.equal(result.totalCount, 1);
    assert.equal(result.items[0].loginEmail, undefined);
  });

  test('a visitor asking for FULL gets PUBLIC', async () => {
    const result = await members.queryMembers({ fieldsets: ['FULL'] }).find();
    assert.ok(result.items.length > 0);
    assert.ok(result.items.every((m) => m.loginEmail === undefined && m.contact === undefined && m.status === 'UNKNOWN'));
  });

  test('fieldsets apply for admins', async () => {
    const result = await elevate(members.queryMembers)({ fieldsets: ['FULL'] }).find();
    assert.equal(result.totalCount, 2);
    assert.ok(result.items.every((m) => typeof m.loginEmail === 'string' && Array.isArray(m.contact.addresses)));
  });

  test('search matches a case-insensitive substring of the nickname by default', async () => {
    const result = await members.queryMembers({ search: { expression: 'ery on' } }).find();
    assert.deepEqual(result.items.map((m) => m.profile.nickname), ['Query One']);
    const none = await members.queryMembers({ search: { expression: 'Two' } }).find();
    assert.equal(none.totalCount, 0, 'the PRIVATE member stays hidden from search');
  });

  test('search on loginEmail works for admins', async () => {
    const m = await create({ loginEmail: 'needle.in.haystack@example.com' });
    const result = await elevate(members.queryMembers)({ search: { expression: 'NEEDLE', fields: ['loginEmail'] } }).find();
    assert.deepEqual(result.items.map((x) => x._id), [m._id]);
  });
});

describe('updateMember', () => {
  test('patches: omitted fields keep their value; _updatedDate moves on', async () => {
    const m = await create({ contact: { firstName: 'Old', lastName: 'Keep' }, profile: { nickname: 'Nick', title: 'T' } });
    await sleep(5);
    const u = await asAdmin('updateMember')(m._id, { contact: { firstName: 'New' } });
    assert.equal(u._id, m._id);
    assert.equal(u.contact.firstName, 'New');
    assert.equal(u.contact.lastName, 'Keep');
    assert.equal(u.profile.nickname, 'Nick');
    assert.equal(u.profile.title, 'T');
    assert.ok(u._updatedDate instanceof Date);
    assert.ok(u._updatedDate.getTime() > m._updatedDate.getTime(), '_updatedDate bumped');
    assert.equal(u._createdDate.getTime(), m._createdDate.getTime());
    const again = await asAdmin('getMember')(m._id, { fieldsets: ['FULL'] });
    assert.equal(again.contact.firstName, 'New');
    assert.equal(again.contact.lastName, 'Keep');
  });

  test('"" clears a string', async () => {
    const m = await create({ contact: { firstName: 'Clear', lastName: 'Me' }, profile: { title: 'Title' } });
    const u = await asAdmin('updateMember')(m._id, { contact: { lastName: '' }, profile: { title: '' } });
    assert.ok(!u.contact.lastName, `lastName cleared, got ${JSON.stringify(u.contact.lastName)}`);
    assert.ok(!u.profile.title, `title cleared, got ${JSON.stringify(u.profile.title)}`);
    assert.equal(u.contact.firstName, 'Clear');
  });

  test('an array replaces the whole array', async () => {
    const m = await create({ contact: { phones: ['555-0101', '555-0102'], emails: ['a@example.com'] } });
    const u = await asAdmin('updateMember')(m._id, { contact: { phones: ['555-0103'] } });
    assert.deepEqual(u.contact.phones, ['555-0103']);
    assert.deepEqual(u.contact.emails, ['a@example.com']);
  });

  test('an empty array changes nothing', async () => {
    const m = await create({ contact: { phones: ['555-0101', '555-0102'] } });
    const u = await asAdmin('updateMember')(m._id, { contact: { phones: [] } });
    assert.deepEqual(u.contact.phones, ['555-0101', '555-0102']);
  });

  test('an address sent with its _id keeps it, one without gets a new one', async () => {
    const m = await create({ contact: { addresses: [{ city: 'Oslo', country: 'NO' }] } });
    const kept = m.contact.addresses[0];
    const u = await asAdmin('updateMember')(m._id, {
      contact: { addresses: [{ ...kept, city: 'Bergen' }, { addressLine: '1 Main St', city: 'Boston', country: 'US' }] },
    });
    assert.equal(u.contact.addresses.length, 2);
    assert.equal(u.contact.addresses[0]._id, kept._id);
    assert.equal(u.contact.addresses[0].city, 'Bergen');
    assert.match(u.contact.addresses[1]._id, UUID);
    assert.notEqual(u.contact.addresses[1]._id, kept._id);
    assert.equal(u.contact.addresses[1].addressLine, '1 Main St');
  });

  test('customFields[k].name is ignored', async () => {
    const m = await create({ contact: { customFields: { color: { name: 'Color', value: 'red' } } } });
    const u = await asAdmin('updateMember')(m._id, { contact: { customFields: { color: { name: 'Renamed', value: 'blue' } } } });
    assert.equal(u.contact.customFields.color.value, 'blue');
    assert.notEqual(u.contact.customFields.color.name, 'Renamed');
  });

  test('privacyStatus, loginEmail, status and slug in the body are ignored', async () => {
    const m = await create({ profile: { nickname: 'Ignore Me' } });
    const u = await asAdmin('updateMember')(m._id, {
      privacyStatus: 'PRIVATE', loginEmail: email('other'), status: 'BLOCKED', activityStatus: 'MUTED',
      profile: { slug: 'sneaky', title: 'changed' },
    });
    assert.equal(u.privacyStatus, 'PUBLIC');
    assert.equal(u.loginEmail, m.loginEmail);
    assert.equal(u.status, 'APPROVED');
    assert.equal(u.activityStatus, 'ACTIVE');
    assert.equal(u.profile.slug, 'ignore-me');
    assert.equal(u.profile.title, 'changed');
  });

  test('a fetched member can be edited and sent back', async () => {
    const m = await create({ contact: { firstName: 'Round', addresses: [{ city: 'Rome' }] }, profile: { nickname: 'Trip' } });
    const fetched = await asAdmin('getMember')(m._id, { fieldsets: ['FULL'] });
    fetched.contact.firstName = 'Edited';
    const u = await asAdmin('updateMember')(m._id, fetched);
    assert.equal(u.contact.firstName, 'Edited');
    assert.equal(u.contact.addresses[0]._id, m.contact.addresses[0]._id);
    assert.equal(u.profile.slug, m.profile.slug);
  });

  test('a member updates itself', async () => {
    const m = await create({ profile: { nickname: 'Selfie' } });
    const u = await members.asMember(m._id).updateMember(m._id, { profile: { nickname: 'Selfie 2' } });
    assert.equal(u.profile.nickname, 'Selfie 2');
    assert.equal((await members.getMember(m._id)).profile.nickname, 'Selfie 2');
  });
});

describe('deleteMember', () => {
  test('deletes permanently and resolves to undefined', async () => {
    const m = await create();
    assert.equal(await asAdmin('deleteMember')(m._id), undefined);
    await rejectsWith(asAdmin('getMember')(m._id), 'NOT_FOUND');
    await rejectsWith(asAdmin('deleteMember')(m._id), 'NOT_FOUND');
  });

  test('the login email can be used again after delete', async () => {
    const m = await create();
    await asAdmin('deleteMember')(m._id);
    const again = await create({ loginEmail: m.loginEmail });
    assert.notEqual(again._id, m._id);
  });
});

describe('deleteMemberAddresses / Emails / Phones', () => {
  const contact = () => ({
    phones: ['555-0101', '555-0102'], emails: ['x@example.com', 'y@example.com'], addresses: [{ city: 'A' }, { city: 'B' }],
  });

  test('deleteMemberAddresses empties addresses only', async () => {
    const m = await create({ contact: contact() });
    const res = await asAdmin('deleteMemberAddresses')(m._id);
    assert.equal(res.member._id, m._id);
    assert.deepEqual(res.member.contact.addresses, []);
    assert.deepEqual(res.member.contact.phones, ['555-0101', '555-0102']);
    assert.equal(res.member.contact.emails.length, 2);
    const again = await asAdmin('getMember')(m._id, { fieldsets: ['FULL'] });
    assert.deepEqual(again.contact.addresses, []);
  });

  test('deleteMemberEmails empties emails and leaves loginEmail', async () => {
    const m = await create({ contact: contact() });
    const res = await asAdmin('deleteMemberEmails')(m._id);
    assert.deepEqual(res.member.contact.emails, []);
    assert.equal(res.member.loginEmail, m.loginEmail);
    assert.deepEqual(res.member.contact.phones, ['555-0101', '555-0102']);
    const again = await asAdmin('getMember')(m._id, { fieldsets: ['FULL'] });
    assert.deepEqual(again.contact.emails, []);
    assert.equal(again.loginEmail, m.loginEmail);
  });

  test('deleteMemberPhones empties phones only', async () => {
    const m = await create({ contact: contact() });
    const res = await asAdmin('deleteMemberPhones')(m._id);
    assert.deepEqual(res.member.contact.phones, []);
    assert.equal(res.member.contact.addresses.length, 2);
    const again = await asAdmin('getMember')(m._id, { fieldsets: ['FULL'] });
    assert.deepEqual(again.contact.phones, []);
  });

  test('a member may delete its own', async () => {
    const m = await create({ contact: contact() });
    const self = members.asMember(m._id);
    assert.deepEqual((await self.deleteMemberPhones(m._id)).member.contact?.phones ?? [], []);
    await self.deleteMemberEmails(m._id);
    await self.deleteMemberAddresses(m._id);
    const again = await asAdmin('getMember')(m._id, { fieldsets: ['FULL'] });
    assert.deepEqual(again.contact.phones, []);
    assert.deepEqual(again.contact.emails, []);
    assert.deepEqual(again.contact.addresses, []);
  });
});

describe('getCurrentMember', () => {
  test('a visitor gets {}', async () => {
    assert.deepEqual(await members.getCurrentMember(), {});
  });

  test('an admin gets {}', async () => {
    assert.deepEqual(await asAdmin('getCurrentMember')(), {});
  });

  test('a member gets itself, PUBLIC by default', async () => {
    const m = await create({ profile: { nickname: 'Current' } });
    const { member } = await members.asMember(m._id).getCurrentMember();
    assert.equal(member._id, m._id);
    assert.equal(member.profile.nickname, 'Current');
    assert.ok(member._createdDate instanceof Date);
    assert.equal(member.loginEmail, undefined);
  });

  test('a member gets the fieldsets it asks for', async () => {
    const m = await create({ contact: { firstName: 'Me' } });
    const { member } = await members.asMember(m._id).getCurrentMember({ fieldsets: ['FULL'] });
    assert.equal(member.loginEmail, m.loginEmail);
    assert.equal(member.contact.firstName, 'Me');
    assert.equal(member.status, 'APPROVED');
  });

  test('a PRIVATE member still gets itself', async () => {
    const m = await create({ privacyStatus: 'PRIVATE' });
    const { member } = await members.asMember(m._id).getCurrentMember();
    assert.equal(member._id, m._id);
  });
});

describe('joinCommunity / leaveCommunity', () => {
  test('leave makes the caller PRIVATE and hidden; join makes it PUBLIC again; nothing else changes', async () => {
    const m = await create({ profile: { nickname: 'Joiner' }, contact: { firstName: 'J' } });
    const self = members.asMember(m._id);
    const left = await self.leaveCommunity();
    assert.equal(left.member._id, m._id);
    assert.equal(left.member.privacyStatus, 'PRIVATE');
    assert.equal(left.member.profile.nickname, 'Joiner');
    assert.equal(left.member.profile.slug, m.profile.slug);
    const afterLeave = await asAdmin('getMember')(m._id, { fieldsets: ['FULL'] });
    assert.equal(afterLeave.privacyStatus, 'PRIVATE');
    assert.equal(afterLeave.status, 'APPROVED');
    assert.equal(afterLeave.activityStatus, 'ACTIVE');
    assert.equal(afterLeave.contact.firstName, 'J');
    await rejectsWith(members.getMember(m._id), 'NOT_FOUND');

    const joined = await self.joinCommunity();
    assert.equal(joined.member.privacyStatus, 'PUBLIC');
    assert.equal((await members.getMember(m._id))._id, m._id);
  });

  test('a PRIVATE-created member joins', async () => {
    const m = await create({ privacyStatus: 'PRIVATE' });
    const { member } = await members.asMember(m._id).joinCommunity();
    assert.equal(member.privacyStatus, 'PUBLIC');
    assert.equal((await members.getMember(m._id))._id, m._id);
  });
});

describe('updateCurrentMemberSlug / updateMemberSlug', () => {
  test('a member sets its own slug, stored as given', async () => {
    const m = await create();
    const { member } = await members.asMember(m._id).updateCurrentMemberSlug('My.Own_Slug-1');
    assert.equal(member._id, m._id);
    assert.equal(member.profile.slug, 'My.Own_Slug-1');
    assert.equal((await members.getMember(m._id)).profile.slug, 'My.Own_Slug-1');
  });

  test('an admin sets anyone\'s slug', async () => {
    const m = await create();
    const { member } = await asAdmin('updateMemberSlug')(m._id, 'set-by-admin');
    assert.equal(member.profile.slug, 'set-by-admin');
    assert.equal((await members.getMember(m._id)).profile.slug, 'set-by-admin');
  });

  test('slugs are unique case-insensitively and after NFKC', async () => {
    const a = await create();
    const b = await create();
    await asAdmin('updateMemberSlug')(a._id, 'Mixed-Case');
    const error = await rejectsWith(asAdmin('updateMemberSlug')(b._id, 'mixed-CASE'), 'ALREADY_EXISTS', 'SLUG_ALREADY_EXISTS');
    assert.equal(error.details.applicationError.data.slug, 'mixed-CASE');
    await asAdmin('updateMemberSlug')(a._id, 'ﬁne-ｓｌｕｇ');
    await rejectsWith(members.asMember(b._id).updateCurrentMemberSlug('FINE-slug'), 'ALREADY_EXISTS', 'SLUG_ALREADY_EXISTS');
    assert.notEqual((await members.getMember(b._id)).profile.slug.toLowerCase(), 'fine-slug');
  });

  test('slug uniqueness uses full Unicode case folding (ß ~ ss, final ς ~ σ)', async () => {
    const a = await create();
    const b = await create();
    await asAdmin('updateMemberSlug')(a._id, 'Straße');
    await rejectsWith(asAdmin('updateMemberSlug')(b._id, 'STRASSE'), 'ALREADY_EXISTS', 'SLUG_ALREADY_EXISTS');
    await asAdmin('updateMemberSlug')(a._id, 'Σας');
    await rejectsWith(asAdmin('updateMemberSlug')(b._id, 'σασ'), 'ALREADY_EXISTS', 'SLUG_ALREADY_EXISTS');
  });

  test('a member may set its own current slug again, in another case', async () => {
    const m = await create();
    await members.asMember(m._id).updateCurrentMemberSlug('case-change');
    const { member } = await members.asMember(m._id).updateCurrentMemberSlug('Case-Change');
    assert.equal(member.profile.slug, 'Case-Change');
  });

  test('invalid slugs are INVALID_ARGUMENT and change nothing', async () => {
    const m = await create({ profile: { nickname: 'Valid Slug Keeper' } });
    for (const bad of ['', '-lead', 'trail-', '.dot', 'dot.', 'has space', 'a/b', 'x'.repeat(256)]) {
      await rejectsWith(asAdmin('updateMemberSlug')(m._id, bad), 'INVALID_ARGUMENT');
    }
    assert.equal((await members.getMember(m._id)).profile.slug, 'valid-slug-keeper');
  });

  test('255 characters is allowed', async () => {
    const m = await create();
    const { member } = await asAdmin('updateMemberSlug')(m._id, 'y'.repeat(255));
    assert.equal(member.profile.slug, 'y'.repeat(255));
  });
});

describe('moderation', () => {
  test('mute / unmute set activityStatus MUTED / ACTIVE', async () => {
    const m = await create();
    const muted = await asAdmin('muteMember')(m._id);
    assert.equal(muted.member.activityStatus, 'MUTED');
    assert.equal((await asAdmin('getMember')(m._id, { fieldsets: ['EXTENDED'] })).activityStatus, 'MUTED');
    const unmuted = await asAdmin('unmuteMember')(m._id);
    assert.equal(unmuted.member.activityStatus, 'ACTIVE');
    assert.equal((await asAdmin('getMember')(m._id, { fieldsets: ['EXTENDED'] })).activityStatus, 'ACTIVE');
  });

  test('block sets BLOCKED; approve sets APPROVED (unblocks)', async () => {
    const m = await create();
    const blocked = await asAdmin('blockMember')(m._id);
    assert.equal(blocked.member.status, 'BLOCKED');
    assert.equal((await asAdmin('getMember')(m._id, { fieldsets: ['EXTENDED'] })).status, 'BLOCKED');
    const approved = await asAdmin('approveMember')(m._id);
    assert.equal(approved.member.status, 'APPROVED');
    assert.equal((await members.getMember(m._id))._id, m._id, 'visible again');
  });

  test('disconnect makes the member OFFLINE and keeps its email and slug reserved', async () => {
    const m = await create({ profile: { nickname: 'Gone Away' } });
    const { member } = await asAdmin('disconnectMember')(m._id);
    assert.equal(member.status, 'OFFLINE');
    assert.equal((await asAdmin('getMember')(m._id, { fieldsets: ['EXTENDED'] })).status, 'OFFLINE');
    await rejectsWith(create({ loginEmail: m.loginEmail.toUpperCase() }), 'ALREADY_EXISTS', 'EMAIL_ALREADY_EXISTS');
    const other = await create();
    await rejectsWith(asAdmin('updateMemberSlug')(other._id, 'gone-away'), 'ALREADY_EXISTS', 'SLUG_ALREADY_EXISTS');
    const next = await create({ profile: { nickname: 'Gone Away' } });
    assert.equal(next.profile.slug, 'gone-away-2');
  });

  test('a disconnected member is hidden from visitors and stays OFFLINE: approve and bulk calls do not revive it', async () => {
    const m = await create({ profile: { nickname: 'disconnected-for-good' } });
    await asAdmin('disconnectMember')(m._id);
    await rejectsWith(members.getMember(m._id), 'NOT_FOUND');
    await rejectsWith(asAdmin('approveMember')(m._id), 'FAILED_PRECONDITION');
    await asAdmin('bulkApproveMembers')({ 'profile.nickname': 'disconnected-for-good' });
    assert.equal((await asAdmin('getMember')(m._id, { fieldsets: ['EXTENDED'] })).status, 'OFFLINE');
    await asAdmin('bulkBlockMembers')({ 'profile.nickname': 'disconnected-for-good' });
    assert.equal((await asAdmin('getMember')(m._id, { fieldsets: ['EXTENDED'] })).status, 'OFFLINE');
  });
});

describe('deleteMyMember', () => {
  test('deletes the caller and resolves to undefined', async () => {
    const m = await create();
    assert.equal(await members.asMember(m._id).deleteMyMember(), undefined);
    await rejectsWith(asAdmin('getMember')(m._id), 'NOT_FOUND');
  });

  test('accepts { contentAssigneeId }', async () => {
    const heir = await create();
    const m = await create();
    assert.equal(await members.asMember(m._id).deleteMyMember({ contentAssigneeId: heir._id }), undefined);
    await rejectsWith(asAdmin('getMember')(m._id), 'NOT_FOUND');
    assert.equal((await asAdmin('getMember')(heir._id))._id, heir._id);
  });
});

describe('bulkDeleteMembers', () => {
  test('deletes each id and reports per item', async () => {
    const a = await create();
    const b = await create();
    const res = await asAdmin('bulkDeleteMembers')([a._id, MISSING_ID, b._id]);
    assert.equal(res.results.length, 3);
    assert.deepEqual(res.results.map((r) => r.itemMetadata._id), [a._id, MISSING_ID, b._id]);
    assert.deepEqual(res.results.map((r) => r.itemMetadata.originalIndex), [0, 1, 2]);
    assert.deepEqual(res.results.map((r) => r.itemMetadata.success), [true, false, true]);
    assert.equal(typeof res.results[1].itemMetadata.error.code, 'string');
    assert.equal(res.bulkActionMetadata.totalSuccesses, 2);
    assert.equal(res.bulkActionMetadata.totalFailures, 1);
    assert.equal(res.bulkActionMetadata.undetailedFailures, 0);
    await rejectsWith(asAdmin('getMember')(a._id), 'NOT_FOUND');
    await rejectsWith(asAdmin('getMember')(b._id), 'NOT_FOUND');
  });

  test('takes 1..100 ids', async () => {
    await rejectsWith(asAdmin('bulkDeleteMembers')([]), 'INVALID_ARGUMENT');
    const many = Array.from({ length: 101 }, () => MISSING_ID);
    await rejectsWith(asAdmin('bulkDeleteMembers')(many), 'INVALID_ARGUMENT');
    const hundred = Array.from({ length: 100 }, () => MISSING_ID);
    const res = await asAdmin('bulkDeleteMembers')(hundred);
    assert.equal(res.results.length, 100);
  });
});

describe('bulk by filter', () => {
  test('bulkBlockMembers blocks the matching members and returns a jobId', async () => {
    const a = await create({ profile: { nickname: 'bulk-block-target' } });
    const keep = await create({ profile: { nickname: 'bulk-block-keep' } });
    const res = await asAdmin('bulkBlockMembers')({ 'profile.nickname': 'bulk-block-target' });
    assert.equal(typeof res.jobId, 'string');
    assert.ok(res.jobId.length > 0);
    assert.equal((await asAdmin('getMember')(a._id, { fieldsets: ['EXTENDED'] })).status, 'BLOCKED');
    assert.equal((await asAdmin('getMember')(keep._id, { fieldsets: ['EXTENDED'] })).status, 'APPROVED');
  });

  test('bulkApproveMembers approves the matching members and returns a jobId', async () => {
    const a = await create({ profile: { nickname: 'bulk-approve-target' } });
    const other = await create({ profile: { nickname: 'bulk-approve-other' } });
    await asAdmin('blockMember')(a._id);
    await asAdmin('blockMember')(other._id);
    const res = await asAdmin('bulkApproveMembers')({ 'profile.nickname': { $eq: 'bulk-approve-target' } });
    assert.equal(typeof res.jobId, 'string');
    assert.equal((await asAdmin('getMember')(a._id, { fieldsets: ['EXTENDED'] })).status, 'APPROVED');
    assert.equal((await asAdmin('getMember')(other._id, { fieldsets: ['EXTENDED'] })).status, 'BLOCKED');
  });

  test('bulkDeleteMembersByFilter deletes the matching members', async () => {
    const a = await create({ profile: { nickname: 'bulk-delete-a' } });
    const b = await create({ profile: { nickname: 'bulk-delete-b' } });
    const keep = await create({ profile: { nickname: 'bulk-delete-keep' } });
    const res = await asAdmin('bulkDeleteMembersByFilter')({ _id: { $in: [a._id, b._id] } });
    assert.equal(typeof res.jobId, 'string');
    await rejectsWith(asAdmin('getMember')(a._id), 'NOT_FOUND');
    await rejectsWith(asAdmin('getMember')(b._id), 'NOT_FOUND');
    assert.equal((await asAdmin('getMember')(keep._id))._id, keep._id);
  });

  test('filters written in JS use SDK names (_id, _createdDate) and take Date values', async () => {
    const a = await create({ profile: { nickname: 'sdk-filter' } });
    const b = await create({ profile: { nickname: 'sdk-filter' } });
    await asAdmin('bulkBlockMembers')({ _id: { $in: [a._id] } });
    assert.equal((await asAdmin('getMember')(a._id, { fieldsets: ['EXTENDED'] })).status, 'BLOCKED');
    assert.equal((await asAdmin('getMember')(b._id, { fieldsets: ['EXTENDED'] })).status, 'APPROVED');
    await asAdmin('bulkBlockMembers')({ $and: [{ 'profile.nickname': 'sdk-filter' }, { _createdDate: { $gte: a._createdDate } }] });
    assert.equal((await asAdmin('getMember')(b._id, { fieldsets: ['EXTENDED'] })).status, 'BLOCKED');
    await asAdmin('bulkApproveMembers')({ 'profile.nickname': 'sdk-filter', _createdDate: { $lt: new Date(Date.now() + 60_000) } });
    assert.equal((await asAdmin('getMember')(a._id, { fieldsets: ['EXTENDED'] })).status, 'APPROVED');
    assert.equal((await asAdmin('getMember')(b._id, { fieldsets: ['EXTENDED'] })).status, 'APPROVED');
  });

  test('a bad filter is INVALID_ARGUMENT and changes nothing', async () => {
    const m = await create({ profile: { nickname: 'bad-filter-safe' } });
    await rejectsWith(asAdmin('bulkBlockMembers')({ 'profile.nickname': 'bad-filter-safe', bogus: 1 }), 'INVALID_ARGUMENT');
    await rejectsWith(asAdmin('bulkDeleteMembersByFilter')({ 'profile.nickname': { $regex: '.*' } }), 'INVALID_ARGUMENT');
    assert.equal((await asAdmin('getMember')(m._id, { fieldsets: ['EXTENDED'] })).status, 'APPROVED');
  });

  test('each job has its own jobId', async () => {
    const one = await asAdmin('bulkBlockMembers')({ 'profile.nickname': 'nobody-at-all' });
    const two = await asAdmin('bulkBlockMembers')({ 'profile.nickname': 'nobody-at-all' });
    assert.notEqual(one.jobId, two.jobId);
  });
});

describe('errors are MembersError', () => {
  test('a rejection is a MembersError and an Error', async () => {
    let error;
    try {
      await members.getMember(MISSING_ID);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof MembersError);
    assert.ok(error instanceof Error);
    assert.ok(isMembersError(error));
    assert.equal(error.code, 'NOT_FOUND');
  });
});

// Last: these start over with other site policies.
describe('site policy: manual approval', () => {
  before(() => useStore({ approval: 'manual' }));

  test('new members are PENDING and hidden until approved', async () => {
    const m = await create();
    assert.equal(m.status, 'PENDING');
    await rejectsWith(members.getMember(m._id), 'NOT_FOUND');
    assert.equal((await members.queryMembers().find()).totalCount, 0);
    const { member } = await asAdmin('approveMember')(m._id);
    assert.equal(member.status, 'APPROVED');
    assert.equal((await members.getMember(m._id))._id, m._id);
  });

  test('bulkApproveMembers approves PENDING members', async () => {
    const a = await create({ profile: { nickname: 'pending-one' } });
    const b = await create({ profile: { nickname: 'pending-two' } });
    await asAdmin('bulkApproveMembers')({ status: 'PENDING' });
    for (const m of [a, b]) {
      assert.equal((await asAdmin('getMember')(m._id, { fieldsets: ['EXTENDED'] })).status, 'APPROVED');
    }
  });
});

describe('site policy: defaultPrivacy PRIVATE', () => {
  before(() => useStore({ defaultPrivacy: 'PRIVATE' }));

  test('members without privacyStatus are PRIVATE', async () => {
    const m = await create();
    assert.equal(m.privacyStatus, 'PRIVATE');
    const chosen = await create({ privacyStatus: 'PUBLIC' });
    assert.equal(chosen.privacyStatus, 'PUBLIC');
  });
});
