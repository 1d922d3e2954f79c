// 1,000 members in, paged back out with next(), then deleted by filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { members, elevate } from 'universal-members';
import { UUID, jobEnded, useStore } from './helpers.mjs';

await useStore();

const TOTAL = 1000;
const PAGE = 100;

test('create 1,000, page them back 100 at a time, bulk-delete by filter', async () => {
  const createMember = elevate(members.createMember);
  const created = new Map();
  for (let i = 0; i < TOTAL; i += 1) {
    const m = await createMember({
      member: {
        loginEmail: `roundtrip.${i}@example.com`,
        profile: { nickname: `Roundtrip ${i}` },
        contact: { firstName: `First${i}`, customFields: { index: { value: i } } },
      },
    });
    assert.match(m._id, UUID);
    created.set(m._id, m);
  }
  assert.equal(created.size, TOTAL, 'every create gave a new _id');

  const query = elevate(members.queryMembers)({ fieldsets: ['FULL'] }).limit(PAGE);
  let page = await query.find();
  assert.equal(page.totalCount, TOTAL);
  assert.equal(page.totalPages, TOTAL / PAGE);
  assert.equal(page.pageSize, PAGE);

  const seen = new Map();
  let pages = 0;
  for (;;) {
    assert.equal(page.currentPage, pages);
    assert.equal(page.totalCount, TOTAL);
    assert.equal(page.length, PAGE);
    assert.equal(page.items.length, PAGE);
    assert.equal(page.hasPrev(), pages > 0);
    for (const item of page.items) {
      assert.ok(!seen.has(item._id), `${item._id} came back twice`);
      seen.set(item._id, item);
      assert.ok(item._createdDate instanceof Date, '_createdDate is a Date');
      assert.ok(item._updatedDate instanceof Date, '_updatedDate is a Date');
    }
    pages += 1;
    if (!page.hasNext()) break;
    page = await page.next();
  }
  assert.equal(pages, TOTAL / PAGE);
  assert.equal(seen.size, TOTAL);
  for (const [id, original] of created) {
    const back = seen.get(id);
    assert.ok(back, `${id} came back`);
    assert.equal(back.loginEmail, original.loginEmail);
    assert.equal(back.profile.nickname, original.profile.nickname);
    assert.equal(back.contact.customFields.index.value, original.contact.customFields.index.value);
    assert.equal(back._createdDate.getTime(), original._createdDate.getTime());
  }

  // Default order: _createdDate descending, then _id.
  const order = [...seen.values()];
  for (let i = 1; i < order.length; i += 1) {
    const [a, b] = [order[i - 1], order[i]];
    const t = b._createdDate.getTime() - a._createdDate.getTime();
    assert.ok(t < 0 || (t === 0 && a._id < b._id), `order at ${i}`);
  }

  const job = await elevate(members.bulkDeleteMembersByFilter)({ 'profile.nickname': { $startsWith: 'Roundtrip' } });
  assert.equal(typeof job.jobId, 'string');
  const ended = await jobEnded(job.jobId);
  assert.equal(ended.status, 'FINISHED');
  assert.equal(ended.counters.itemsSucceeded, ended.counters.itemsToProcess);
  assert.equal(await elevate(members.queryMembers)().count(), 0);
  assert.equal((await elevate(members.listMembers)()).metadata.total, 0);
});
