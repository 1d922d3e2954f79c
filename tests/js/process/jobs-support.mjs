// Helpers of the async job process tests (not a test file itself): seeding many
// members over REST (importMembers, 1,000 a call), the by-filter bulk calls and
// the Async Job API over REST, and direct reads of the `members`, `events` and
// `async_jobs` tables (SPEC §12). Only loopback traffic; every wait is bounded.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from './webhooks-support.mjs';

const BULK_PATHS = {
  DELETE: '/members/v1/members/bulk/delete-by-filter',
  APPROVE: '/members/v1/members/bulk/approve-by-filter',
  BLOCK: '/members/v1/members/bulk/block-by-filter',
};
export const JOBS = '/async-jobs/v1/async-jobs';

/** A whole member (REST naming) as importMembers takes it. */
export function wholeMember({ tag, i, title = tag, status = 'APPROVED' }) {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    contactId: randomUUID(),
    loginEmail: `${tag}.${i}@example.com`,
    loginEmailVerified: false,
    status,
    activityStatus: 'ACTIVE',
    privacyStatus: 'PUBLIC',
    profile: { nickname: `${tag} ${i}`, slug: `${tag}-${i}`, title },
    contact: { addresses: [], customFields: {}, emails: [], phones: [] },
    createdDate: now,
    updatedDate: now,
  };
}

/**
 * Imports `count` members tagged `tag` (title `title`, status `status`) through
 * `api` (a restOf result), 1,000 a call; resolves with their ids in order.
 */
export async function seedMembers(api, count, { tag, title = tag, status = 'APPROVED' }) {
  const ids = [];
  for (let from = 0; from < count; from += 1000) {
    const members = Array.from({ length: Math.min(1000, count - from) }, (_, k) => wholeMember({ tag, i: from + k, title, status }));
    await api.ok('POST', '/members/v1/members/import', { body: { members } });
    ids.push(...members.map((m) => m.id));
  }
  return ids;
}

/**
 * The Async Job API and the by-filter bulk calls over REST on `api`:
 * `start(action, filter, { dryRun, headers })` → the answer body,
 * `get(id)` → the job, `items(id, query)` → `{ status, body }`,
 * `allItems(id, statusFilter)` → every item, paging by 100,
 * `waitEnded(id, ms)` → the job once FINISHED or FAILED.
 */
export function jobsOf(api) {
  const start = async (action, filter, { dryRun, headers, auth } = {}) => {
    const body = { filter };
    if (dryRun !== undefined) body.dryRun = dryRun;
    return api.ok('POST', BULK_PATHS[action], { body, headers, auth });
  };
  const get = async (id) => (await api.ok('GET', `${JOBS}/${id}`)).job;
  const items = (id, query = '') => api.call('GET', `${JOBS}/${id}/items${query ? `?${query}` : ''}`);
  async function allItems(id, statusFilter = 'ALL') {
    const all = [];
    let cursor = null;
    for (let page = 0; page < 1000; page += 1) {
      const query = [`statusFilter=${statusFilter}`, 'paging.limit=100', cursor && `paging.cursor=${encodeURIComponent(cursor)}`].filter(Boolean).join('&');
      const { status, body } = await items(id, query);
      assert.equal(status, 200, JSON.stringify(body));
      all.push(...body.items);
      if (!body.pagingMetadata.hasNext) return all;
      cursor = body.pagingMetadata.cursors.next;
      assert.equal(typeof cursor, 'string', `a next cursor while hasNext: ${JSON.stringify(body.pagingMetadata)}`);
    }
    assert.fail('more than 1000 pages of items');
  }
  async function waitEnded(id, ms) {
    let last;
    return eventually(async () => {
      last = await get(id);
      return ['FINISHED', 'FAILED'].includes(last.status) && last;
    }, ms, () => `job ${id} ended (last seen ${JSON.stringify(last)})`);
  }
  return { start, get, items, allItems, waitEnded };
}

const placeholders = (db, n) => Array.from({ length: n }, (_, k) => (db.store === 'postgres' ? `$${k + 1}` : '?')).join(', ');

/**
 * The events a job wrote, read from the `events` table: Map member id →
 * { updated, deleted, origins: Set } (events other than `created`).
 */
export async function jobEventsPerMember(db) {
  const rows = await db.rows("SELECT member_id, slug, origin FROM events WHERE slug <> 'created'");
  const out = new Map();
  for (const { member_id: member, slug, origin } of rows) {
    const entry = out.get(member) ?? { updated: 0, deleted: 0, other: 0, origins: new Set() };
    if (slug === 'updated' || slug === 'deleted') entry[slug] += 1;
    else entry.other += 1;
    entry.origins.add(origin);
    out.set(member, entry);
  }
  return out;
}

/** Every row of `members` (all columns), by id, as JSON text: a dump to compare. */
export async function dumpMembers(db) {
  const rows = await db.rows('SELECT * FROM members ORDER BY id');
  return JSON.stringify(rows, (_, value) => (typeof value === 'bigint' ? String(value) : value));
}

/** `{ id → status }` of the members with these ids, read from the table. */
export async function statusesOf(db, ids) {
  const out = new Map();
  for (let from = 0; from < ids.length; from += 500) {
    const chunk = ids.slice(from, from + 500);
    const rows = await db.rows(`SELECT id, status FROM members WHERE id IN (${placeholders(db, chunk.length)})`, chunk);
    for (const { id, status } of rows) out.set(id, status);
  }
  return out;
}

/** The stored row of job `id` (counters as numbers). */
export async function jobRow(db, id) {
  const [row] = await db.rows(`SELECT status, items_to_process, items_succeeded, items_failed, lease_until FROM async_jobs WHERE id = ${placeholders(db, 1)}`, [id]);
  return row && {
    status: row.status,
    toProcess: Number(row.items_to_process),
    succeeded: Number(row.items_succeeded),
    failed: Number(row.items_failed),
    leaseUntil: row.lease_until === null ? null : Number(row.lease_until),
  };
}

/** Asserts the counters of a FINISHED job: `expected` = { toProcess, succeeded, failed }. */
export function assertFinished(job, { toProcess, succeeded = toProcess, failed = 0 }) {
  assert.equal(job.status, 'FINISHED', JSON.stringify(job));
  const c = job.counters;
  assert.equal(Number(c.itemsToProcess), toProcess, `itemsToProcess: ${JSON.stringify(c)}`);
  assert.equal(Number(c.itemsSucceeded), succeeded, `itemsSucceeded: ${JSON.stringify(c)}`);
  assert.equal(Number(c.itemsFailed), failed, `itemsFailed: ${JSON.stringify(c)}`);
  assert.equal(Number(c.itemsSucceeded) + Number(c.itemsFailed), Number(c.itemsToProcess), 'the counters add up');
}

/**
 * Asserts that the items of a job name each of `ids` exactly once (and nothing
 * else), every one with `success` unless listed in `failedIds`.
 */
export function assertItemsOnce(items, ids, failedIds = new Set()) {
  const seen = new Map();
  for (const item of items) seen.set(item.entityId, (seen.get(item.entityId) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], 'no member is listed twice');
  assert.equal(items.length, ids.length, `one item per member (${items.length} items, ${ids.length} members)`);
  const wanted = new Set(ids);
  const strangers = items.filter((item) => !wanted.has(item.entityId)).map((item) => item.entityId);
  assert.deepEqual(strangers, [], 'no item of a member the filter did not match at the call');
  const wrong = items.filter((item) => item.success === failedIds.has(item.entityId));
  assert.deepEqual(wrong.slice(0, 5), [], 'success exactly where expected');
}
