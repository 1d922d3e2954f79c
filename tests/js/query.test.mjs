// The query builder of SPEC §7: every method, reuse, paging, Date values.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { members, elevate } from 'universal-members';
import { create, asAdmin, rejectsWith, useStore } from './helpers.mjs';

await useStore();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A builder acting as admin, asking for FULL. */
const adminQuery = () => elevate(members.queryMembers)({ fieldsets: ['FULL'] });

let m; // name -> created member
const slugsOf = (result) => result.items.map((x) => x.profile.slug);
const sortedSlugs = (result) => slugsOf(result).sort();

before(async () => {
  m = {};
  const specs = {
    alice: { profile: { nickname: 'Alice', title: 'Engineer' }, contact: { firstName: 'Alice', lastName: 'Smith', customFields: { age: { value: 30 }, tags: { value: ['x', 'y'] } } } },
    bob: { profile: { nickname: 'bob', title: 'Designer' }, contact: { firstName: 'Bob', lastName: 'Jones', customFields: { age: { value: 25 }, tags: { value: ['y', 'z'] } } } },
    carol: { profile: { nickname: 'Carol' }, privacyStatus: 'PRIVATE', contact: { firstName: 'Carol', lastName: 'smith', customFields: { age: { value: 41 }, tags: { value: ['x'] } } } },
    dave: { profile: { nickname: 'Dave', title: 'engineer' }, contact: { firstName: 'Dave' } },
    erin: { profile: { nickname: 'Erin', title: 'Engineering Lead' }, contact: { firstName: 'Erin', lastName: 'Stone' } },
    frank: { profile: { nickname: 'Frank', title: 'Clerk' }, contact: { firstName: 'Frank', lastName: 'Temporary' } },
  };
  for (const [name, spec] of Object.entries(specs)) {
    m[name] = await create({ loginEmail: `${name}@query.example.com`, ...spec });
    await sleep(3); // distinct _createdDate values
  }
  await asAdmin('muteMember')(m.dave._id);
  await asAdmin('blockMember')(m.erin._id);
  m.frank = await asAdmin('updateMember')(m.frank._id, { contact: { lastName: '' } });
});

describe('filters', () => {
  test('eq is exact, ne is its complement', async () => {
    assert.deepEqual(slugsOf(await adminQuery().eq('profile.nickname', 'Alice').find()), ['alice']);
    assert.equal((await adminQuery().eq('profile.nickname', 'alice').find()).totalCount, 0);
    assert.deepEqual(sortedSlugs(await adminQuery().ne('profile.nickname', 'Alice').find()), ['bob', 'carol', 'dave', 'erin', 'frank']);
    assert.deepEqual(slugsOf(await adminQuery().eq('_id', m.bob._id).find()), ['bob']);
    assert.deepEqual(sortedSlugs(await adminQuery().eq('activityStatus', 'MUTED').find()), ['dave']);
    assert.deepEqual(sortedSlugs(await adminQuery().eq('status', 'BLOCKED').find()), ['erin']);
    assert.deepEqual(sortedSlugs(await adminQuery().eq('privacyStatus', 'PRIVATE').find()), ['carol']);
    assert.deepEqual(sortedSlugs(await adminQuery().eq('loginEmail', 'frank@query.example.com').find()), ['frank']);
    assert.deepEqual(sortedSlugs(await adminQuery().eq('contactId', m.carol.contactId).find()), ['carol']);
  });

  test('gt / ge / lt / le on numbers', async () => {
    const f = 'contact.customFields.age.value';
    assert.deepEqual(sortedSlugs(await adminQuery().gt(f, 30).find()), ['carol']);
    assert.deepEqual(sortedSlugs(await adminQuery().ge(f, 30).find()), ['alice', 'carol']);
    assert.deepEqual(sortedSlugs(await adminQuery().lt(f, 30).find()), ['bob']);
    assert.deepEqual(sortedSlugs(await adminQuery().le(f, 30).find()), ['alice', 'bob']);
  });

  test('gt / ge / lt / le on strings', async () => {
    assert.deepEqual(sortedSlugs(await adminQuery().gt('profile.slug', 'carol').find()), ['dave', 'erin', 'frank']);
    assert.deepEqual(sortedSlugs(await adminQuery().ge('profile.slug', 'carol').find()), ['carol', 'dave', 'erin', 'frank']);
    assert.deepEqual(sortedSlugs(await adminQuery().lt('profile.slug', 'carol').find()), ['alice', 'bob']);
    assert.deepEqual(sortedSlugs(await adminQuery().le('profile.slug', 'carol').find()), ['alice', 'bob', 'carol']);
  });

  test('Date values: gt / ge / lt / le / between on _createdDate', async () => {
    const f = '_createdDate';
    assert.ok(m.dave._createdDate instanceof Date);
    assert.deepEqual(sortedSlugs(await adminQuery().gt(f, m.dave._createdDate).find()), ['erin', 'frank']);
    assert.deepEqual(sortedSlugs(await adminQuery().ge(f, m.dave._createdDate).find()), ['dave', 'erin', 'frank']);
    assert.deepEqual(sortedSlugs(await adminQuery().lt(f, m.bob._createdDate).find()), ['alice']);
    assert.deepEqual(sortedSlugs(await adminQuery().le(f, m.bob._createdDate).find()), ['alice', 'bob']);
    assert.deepEqual(sortedSlugs(await adminQuery().between(f, m.bob._createdDate, m.erin._createdDate).find()), ['bob', 'carol', 'dave']);
    assert.deepEqual(slugsOf(await adminQuery().eq(f, m.carol._createdDate).find()), ['carol']);
    assert.equal((await adminQuery().gt(f, new Date(Date.now() + 3_600_000)).find()).totalCount, 0);
    assert.equal((await adminQuery().gt(f, new Date('2000-01-01T00:00:00Z')).count()), 6);
  });

  test('Date values on _updatedDate', async () => {
    await sleep(3);
    const before = new Date();
    await sleep(3);
    await asAdmin('updateMember')(m.bob._id, { profile: { title: 'Senior Designer' } });
    assert.deepEqual(slugsOf(await adminQuery().ge('_updatedDate', before).find()), ['bob']);
    assert.deepEqual(sortedSlugs(await adminQuery().lt('_updatedDate', before).find()), ['alice', 'carol', 'dave', 'erin', 'frank']);
  });

  test('between on strings is [from, to)', async () => {
    assert.deepEqual(sortedSlugs(await adminQuery().between('profile.slug', 'bob', 'dave').find()), ['bob', 'carol']);
  });

  test('in: value is one of', async () => {
    assert.deepEqual(sortedSlugs(await adminQuery().in('profile.nickname', ['Alice', 'Carol', 'Nobody']).find()), ['alice', 'carol']);
    assert.equal((await adminQuery().in('profile.nickname', ['Nobody']).find()).totalCount, 0);
    const dates = [m.alice._createdDate, m.dave._createdDate];
    assert.deepEqual(sortedSlugs(await adminQuery().in('_createdDate', dates).find()), ['alice', 'dave']);
  });

  test('hasSome: on a scalar it is "one of", on an array any element is one of', async () => {
    assert.deepEqual(sortedSlugs(await adminQuery().hasSome('profile.nickname', ['Alice', 'bob']).find()), ['alice', 'bob']);
    const f = 'contact.customFields.tags.value';
    assert.deepEqual(sortedSlugs(await adminQuery().hasSome(f, ['x']).find()), ['alice', 'carol']);
    assert.deepEqual(sortedSlugs(await adminQuery().hasSome(f, ['z', 'x']).find()), ['alice', 'bob', 'carol']);
    assert.deepEqual(sortedSlugs(await adminQuery().in(f, ['z']).find()), ['bob']);
  });

  test('hasAll: the array holds all of', async () => {
    const f = 'contact.customFields.tags.value';
    assert.deepEqual(sortedSlugs(await adminQuery().hasAll(f, ['x', 'y']).find()), ['alice']);
    assert.deepEqual(sortedSlugs(await adminQuery().hasAll(f, ['y']).find()), ['alice', 'bob']);
    assert.equal((await adminQuery().hasAll(f, ['x', 'z']).find()).totalCount, 0);
  });

  test('startsWith / endsWith / contains are case-insensitive', async () => {
    assert.deepEqual(sortedSlugs(await adminQuery().startsWith('profile.nickname', 'AL').find()), ['alice']);
    assert.deepEqual(sortedSlugs(await adminQuery().startsWith('profile.nickname', 'B').find()), ['bob']);
    assert.deepEqual(sortedSlugs(await adminQuery().endsWith('profile.title', 'NEER').find()), ['alice', 'dave']);
    assert.deepEqual(sortedSlugs(await adminQuery().contains('profile.title', 'GIN').find()), ['alice', 'dave', 'erin']);
    assert.deepEqual(sortedSlugs(await adminQuery().contains('contact.lastName', 'SMI').find()), ['alice', 'carol']);
  });

  test('exists: field is set / not set', async () => {
    assert.deepEqual(sortedSlugs(await adminQuery().exists('profile.title', true).find()), ['alice', 'bob', 'dave', 'erin', 'frank']);
    assert.deepEqual(sortedSlugs(await adminQuery().exists('profile.title', false).find()), ['carol']);
    assert.deepEqual(sortedSlugs(await adminQuery().exists('profile.title').find()), ['alice', 'bob', 'dave', 'erin', 'frank']);
    assert.deepEqual(sortedSlugs(await adminQuery().exists('contact.customFields.age.value', true).find()), ['alice', 'bob', 'carol']);
  });

  test('isEmpty / isNotEmpty: null matches a missing or cleared ("") field', async () => {
    assert.deepEqual(sortedSlugs(await adminQuery().isEmpty('contact.lastName').find()), ['dave', 'frank']);
    assert.deepEqual(sortedSlugs(await adminQuery().isNotEmpty('contact.lastName').find()), ['alice', 'bob', 'carol', 'erin']);
    assert.deepEqual(sortedSlugs(await adminQuery().eq('contact.lastName', null).find()), ['dave', 'frank']);
  });

  test('filters combine with AND', async () => {
    const r = await adminQuery().contains('profile.title', 'engineer').ne('activityStatus', 'MUTED').eq('status', 'APPROVED').find();
    assert.deepEqual(slugsOf(r), ['alice']);
  });

  test('and / or / not combine with another builder', async () => {
    const q = members.queryMembers;
    const or = await adminQuery().eq('profile.nickname', 'Alice').or(q().eq('profile.nickname', 'bob')).find();
    assert.deepEqual(sortedSlugs(or), ['alice', 'bob']);
    const and = await adminQuery().contains('profile.title', 'engineer').and(q().ne('profile.nickname', 'Dave')).find();
    assert.deepEqual(sortedSlugs(and), ['alice', 'erin']);
    const not = await adminQuery().not(q().contains('profile.title', 'engineer')).find();
    assert.deepEqual(sortedSlugs(not), ['bob', 'carol', 'frank']);
    const nested = await adminQuery()
      .startsWith('profile.slug', 'a')
      .or(q().startsWith('profile.slug', 'b').or(q().startsWith('profile.slug', 'c')))
      .find();
    assert.deepEqual(sortedSlugs(nested), ['alice', 'bob', 'carol']);
  });

  test('a visitor sees only PUBLIC, APPROVED members, in items and counts', async () => {
    const r = await members.queryMembers().find();
    assert.deepEqual(sortedSlugs(r), ['alice', 'bob', 'dave', 'frank']);
    assert.equal(r.totalCount, 4);
    assert.equal(await members.queryMembers().count(), 4);
    assert.equal(await members.queryMembers().eq('profile.nickname', 'Carol').count(), 0);
    assert.ok(r.items.every((x) => x.loginEmail === undefined && x.contact === undefined));
  });

  test('a member also sees itself', async () => {
    const r = await members.asMember(m.carol._id).queryMembers().find();
    assert.deepEqual(sortedSlugs(r), ['alice', 'bob', 'carol', 'dave', 'frank']);
  });
});

describe('sorting', () => {
  test('ascending / descending on one field', async () => {
    assert.deepEqual(slugsOf(await adminQuery().ascending('profile.slug').find()), ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
    assert.deepEqual(slugsOf(await adminQuery().descending('profile.slug').find()), ['frank', 'erin', 'dave', 'carol', 'bob', 'alice']);
    assert.deepEqual(slugsOf(await adminQuery().ascending('_createdDate').find()), ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
    assert.deepEqual(slugsOf(await adminQuery().descending('contact.customFields.age.value').exists('contact.customFields.age.value').find()), ['carol', 'alice', 'bob']);
  });

  test('default order is _createdDate descending', async () => {
    assert.deepEqual(slugsOf(await adminQuery().find()), ['frank', 'erin', 'dave', 'carol', 'bob', 'alice']);
  });

  test('several fields, and ties broken by _id', async () => {
    // activityStatus: dave is MUTED, all others ACTIVE; ties in _id order.
    const byId = (names) => names.map((n) => m[n]).sort((a, b) => (a._id < b._id ? -1 : 1)).map((x) => x.profile.slug);
    const asc = slugsOf(await adminQuery().ascending('activityStatus').find());
    assert.deepEqual(asc, [...byId(['alice', 'bob', 'carol', 'erin', 'frank']), 'dave']);
    const desc = slugsOf(await adminQuery().descending('activityStatus').find());
    assert.deepEqual(desc, ['dave', ...byId(['alice', 'bob', 'carol', 'erin', 'frank'])]);
    const two = slugsOf(await adminQuery().ascending('activityStatus', 'profile.slug').find());
    assert.deepEqual(two, ['alice', 'bob', 'carol', 'erin', 'frank', 'dave']);
    const mixed = slugsOf(await adminQuery().ascending('activityStatus').descending('profile.slug').find());
    assert.deepEqual(mixed, ['frank', 'erin', 'carol', 'bob', 'alice', 'dave']);
  });
});

describe('paging and the result', () => {
  test('limit / skip and the result fields', async () => {
    const r = await adminQuery().ascending('profile.slug').limit(2).skip(2).find();
    assert.deepEqual(slugsOf(r), ['carol', 'dave']);
    assert.equal(r.length, 2);
    assert.equal(r.pageSize, 2);
    assert.equal(r.totalCount, 6);
    assert.equal(r.currentPage, 1);
    assert.equal(r.totalPages, 3);
    assert.equal(r.hasNext(), true);
    assert.equal(r.hasPrev(), true);
    assert.ok(Array.isArray(r.items));
    assert.ok(r.items.every((x) => x._createdDate instanceof Date && x._updatedDate instanceof Date));
  });

  test('default page size is 50', async () => {
    const r = await adminQuery().find();
    assert.equal(r.pageSize, 50);
    assert.equal(r.currentPage, 0);
    assert.equal(r.totalPages, 1);
    assert.equal(r.length, 6);
    assert.equal(r.hasNext(), false);
    assert.equal(r.hasPrev(), false);
  });

  test('next / prev walk the pages; hasNext / hasPrev / currentPage follow', async () => {
    const first = await adminQuery().ascending('profile.slug').limit(4).find();
    assert.deepEqual(slugsOf(first), ['alice', 'bob', 'carol', 'dave']);
    assert.equal(first.currentPage, 0);
    assert.equal(first.totalPages, 2);
    assert.equal(first.hasNext(), true);
    assert.equal(first.hasPrev(), false);

    const second = await first.next();
    assert.deepEqual(slugsOf(second), ['erin', 'frank']);
    assert.equal(second.length, 2);
    assert.equal(second.pageSize, 4);
    assert.equal(second.currentPage, 1);
    assert.equal(second.totalPages, 2);
    assert.equal(second.totalCount, 6);
    assert.equal(second.hasNext(), false);
    assert.equal(second.hasPrev(), true);

    const back = await second.prev();
    assert.deepEqual(slugsOf(back), ['alice', 'bob', 'carol', 'dave']);
    assert.equal(back.currentPage, 0);

    // Earlier results are not changed by paging on.
    assert.deepEqual(slugsOf(first), ['alice', 'bob', 'carol', 'dave']);
    assert.equal(first.currentPage, 0);
  });

  test('next() past the last page and prev() before the first reject', async () => {
    const only = await adminQuery().find();
    await rejectsWith(only.next(), 'FAILED_PRECONDITION');
    await rejectsWith(only.prev(), 'FAILED_PRECONDITION');
  });

  test('result.query is the builder of the page: find() on it gives the page again', async () => {
    const r = await adminQuery().ascending('profile.slug').limit(2).skip(2).find();
    const again = await r.query.find();
    assert.deepEqual(slugsOf(again), ['carol', 'dave']);
    const refined = await r.query.ne('profile.slug', 'carol').find();
    assert.deepEqual(slugsOf(refined), ['dave', 'erin']);
  });

  test('count() counts over all pages, like totalCount', async () => {
    assert.equal(await adminQuery().limit(1).count(), 6);
    assert.equal(await adminQuery().startsWith('profile.slug', 'c').count(), 1);
    const r = await adminQuery().contains('profile.title', 'engineer').limit(1).find();
    assert.equal(r.totalCount, 3);
    assert.equal(r.totalPages, 3);
    assert.equal(await adminQuery().contains('profile.title', 'engineer').count(), 3);
  });

  test('limit must be 1..100', async () => {
    await rejectsWith(Promise.resolve().then(() => adminQuery().limit(0).find()), 'INVALID_ARGUMENT');
    await rejectsWith(Promise.resolve().then(() => adminQuery().limit(101).find()), 'INVALID_ARGUMENT');
    assert.equal((await adminQuery().limit(100).find()).pageSize, 100);
  });

  test('cursor paging: result.cursors.next and builder.cursor(c)', async () => {
    const first = await adminQuery().ascending('profile.slug').limit(4).find();
    assert.equal(typeof first.cursors.next, 'string');
    assert.equal(first.cursors.prev, null);
    const second = await adminQuery().ascending('profile.slug').limit(4).cursor(first.cursors.next).find();
    assert.deepEqual(slugsOf(second), ['erin', 'frank']);
    assert.equal(second.totalCount, 6, 'totalCount stays the whole query');
    assert.equal(second.cursors.next, null, 'the last page has no next cursor');
    assert.equal(second.hasNext(), false);
  });

  test('cursor paging: one member a page gives every member once, in the order of one offset page, for every kind of sort', async () => {
    // The cursor's filter bounds the first key by its value so a database seeks
    // its index; a field some members lack (title, lastName) must keep them.
    const sorts = [
      (q) => q,
      (q) => q.ascending('_createdDate'),
      (q) => q.descending('_updatedDate'),
      (q) => q.descending('profile.title'),
      (q) => q.ascending('profile.title'),
      (q) => q.descending('contact.lastName').ascending('profile.nickname'),
    ];
    for (const [index, sorted] of sorts.entries()) {
      const whole = slugsOf(await sorted(adminQuery()).limit(100).find());
      assert.equal(whole.length, 6);
      const walked = [];
      let page = await sorted(adminQuery()).limit(1).find();
      walked.push(...slugsOf(page));
      while (page.cursors.next) {
        page = await sorted(adminQuery()).limit(1).cursor(page.cursors.next).find();
        walked.push(...slugsOf(page));
      }
      assert.deepEqual(walked, whole, `sort ${index}`);
    }
  });

  test('cursor paging: next() follows the cursor and a tampered cursor is refused', async () => {
    const first = await adminQuery().ascending('profile.slug').limit(2).find();
    const page2 = await first.query.cursor(first.cursors.next).find();
    const page3 = await page2.next();
    assert.deepEqual([...slugsOf(page2), ...slugsOf(page3)], ['carol', 'dave', 'erin', 'frank']);
    const tampered = first.cursors.next.slice(0, -2) + (first.cursors.next.endsWith('AA') ? 'BB' : 'AA');
    await rejectsWith(Promise.resolve().then(() => adminQuery().ascending('profile.slug').cursor(tampered).find()), 'INVALID_ARGUMENT');
    await rejectsWith(Promise.resolve().then(() => adminQuery().descending('profile.slug').cursor(first.cursors.next).find()), 'INVALID_ARGUMENT');
  });
});

describe('builder reuse', () => {
  test('every method returns a new builder; the base is unchanged', async () => {
    const base = adminQuery().ascending('profile.slug');
    const engineers = base.contains('profile.title', 'engineer');
    const others = base.not(members.queryMembers().contains('profile.title', 'engineer'));
    const small = base.limit(2);
    assert.notEqual(engineers, base);
    assert.deepEqual(slugsOf(await engineers.find()), ['alice', 'dave', 'erin']);
    assert.deepEqual(slugsOf(await others.find()), ['bob', 'carol', 'frank']);
    assert.deepEqual(slugsOf(await small.find()), ['alice', 'bob']);
    assert.deepEqual(slugsOf(await base.find()), ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
  });

  test('a builder used twice gives the same, independent results', async () => {
    const q = adminQuery().startsWith('profile.slug', 'a');
    const one = await q.find();
    const two = await q.find();
    assert.deepEqual(slugsOf(one), ['alice']);
    assert.deepEqual(slugsOf(two), ['alice']);
    assert.notEqual(one.items, two.items);
    one.items[0].profile.slug = 'mutated';
    assert.equal(two.items[0].profile.slug, 'alice');
    assert.equal(slugsOf(await q.find())[0], 'alice');
  });

  test('branches off one builder do not leak into each other', async () => {
    const base = adminQuery().ascending('profile.slug');
    const a = base.eq('profile.slug', 'alice');
    const b = base.eq('profile.slug', 'bob');
    const ab = a.skip(0);
    assert.deepEqual(slugsOf(await b.find()), ['bob']);
    assert.deepEqual(slugsOf(await a.find()), ['alice']);
    assert.deepEqual(slugsOf(await ab.find()), ['alice']);
    const page = base.limit(1);
    const later = page.skip(5);
    assert.deepEqual(slugsOf(await later.find()), ['frank']);
    assert.deepEqual(slugsOf(await page.find()), ['alice']);
  });

  test('a builder combined into another stays usable on its own', async () => {
    const sub = members.queryMembers().eq('profile.slug', 'bob');
    const combined = adminQuery().eq('profile.slug', 'alice').or(sub);
    assert.deepEqual(sortedSlugs(await combined.find()), ['alice', 'bob']);
    assert.deepEqual(slugsOf(await sub.find()), ['bob']);
  });
});
