// Async jobs (SPEC §12) with real `universal-members serve` processes: a job over
// 10,000 members with its server killed (SIGKILL) mid-job and started again, two
// servers on one database working several jobs at once, items that fail, and the
// REST shapes of the Async Job API. Every item is checked to be done exactly
// once by counting its rows in the `events` table (each change writes one event
// in the batch's transaction). On SQLite and, when MEMBERS_TEST_POSTGRES_URL is
// set (scripts/with-postgres.sh), on PostgreSQL. The tests run side by side: the
// killed job waits out its 60 s lease, and the others run meanwhile.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer } from '../helpers.mjs';
import { freshDatabase, sleep } from './support.mjs';
import { eventually, restOf } from './webhooks-support.mjs';
import {
  JOBS, seedMembers, jobsOf, jobEventsPerMember, dumpMembers, statusesOf, jobRow,
  assertFinished, assertItemsOnce,
} from './jobs-support.mjs';

const STORES = ['sqlite', 'postgres'];
const unavailable = (store) => store === 'postgres' && !process.env.MEMBERS_TEST_POSTGRES_URL
  && 'PostgreSQL runs when MEMBERS_TEST_POSTGRES_URL is set (make test: scripts/with-postgres.sh)';
const KILL_MEMBERS = Number(process.env.MEMBERS_TEST_JOB_MEMBERS ?? 10_000);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** A fresh database of `store` and a server on it: `{ db, server, api, start() }`. */
async function setup(store) {
  const db = await freshDatabase(store);
  const adminKey = randomBytes(24).toString('base64url');
  const servers = [];
  const start = async () => {
    const server = await startServer({ database: db.url, adminKey });
    servers.push(server);
    return server;
  };
  const server = await start();
  cleanups.push(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db.dispose();
  });
  return { db, server, api: restOf(server), start, servers };
}

describe('async jobs', { concurrency: true }, () => {
  for (const store of STORES) {
    test(`on ${store}: a delete job over ${KILL_MEMBERS.toLocaleString('en')} members, its server killed mid-job and started again, does every item exactly once; a dry run writes nothing`, { skip: unavailable(store), timeout: 170_000 }, async (t) => {
      const { db, server, api, start } = await setup(store);
      const seeded = await seedMembers(api, KILL_MEMBERS, { tag: `kill${store}` });
      const jobs = jobsOf(api);

      // A dry run: the count and 10 sample ids, and not one row written.
      const dumpBefore = await dumpMembers(db);
      const eventsBefore = (await db.rows('SELECT COUNT(*) AS n FROM events'))[0].n;
      const dry = await jobs.start('DELETE', {}, { dryRun: true });
      assert.equal(dry.dryRun, true, JSON.stringify(dry));
      assert.equal(Number(dry.count), KILL_MEMBERS);
      assert.equal(dry.jobId, undefined, 'no job');
      assert.equal(dry.sampleIds.length, 10);
      assert.ok(dry.sampleIds.every((id) => seeded.includes(id)), 'the samples are matches');
      const dryBlock = await jobs.start('BLOCK', { 'profile.title': `kill${store}` }, { dryRun: true });
      assert.equal(Number(dryBlock.count), KILL_MEMBERS);
      await sleep(700); // longer than the runner's idle look: a job, had one been stored, would start
      assert.equal(await dumpMembers(db), dumpBefore, 'the members table is the same after the dry runs');
      assert.deepEqual(await db.rows('SELECT id FROM async_jobs'), [], 'no job stored');
      assert.equal((await db.rows('SELECT COUNT(*) AS n FROM events'))[0].n, eventsBefore, 'no event written');

      // The job over every member there is now; members made later are not its items.
      const { jobId } = await jobs.start('DELETE', {});
      assert.match(jobId, UUID);
      const newcomers = [];
      let making = true;
      const maker = (async () => {
        let n = 0;
        while (making) {
          try {
            newcomers.push((await api.createMember({ profile: { nickname: `newcomer ${n += 1}` } })).id);
          } catch {
            // The server is gone (killed): stop making members.
            return;
          }
          await sleep(5);
        }
      })();
      // Killed once the job is well under way but far from done, while a batch
      // holds the job's lease (a batch under way, most of the time).
      const atKill = await eventually(async () => {
        const row = await jobRow(db, jobId);
        return row.succeeded >= KILL_MEMBERS * 0.2 && row.leaseUntil !== null && row;
      }, 60_000, 'the job under way');
      server.child.kill('SIGKILL');
      await server.exited;
      const killedAt = Date.now();
      making = false;
      await maker;
      const afterKill = await jobRow(db, jobId);
      assert.ok(afterKill.succeeded < KILL_MEMBERS * 0.8, `killed mid-job, not after it (${JSON.stringify(atKill)} at the kill, ${JSON.stringify(afterKill)} after it)`);
      assert.equal(afterKill.status, 'PROCESSING', JSON.stringify(afterKill));
      assert.ok(newcomers.length > 0, 'members were made while the job ran');

      // Started again: the job goes on (once the killed worker's lease has run out).
      const again = await start();
      const api2 = restOf(again);
      for (let n = 0; n < 5; n += 1) newcomers.push((await api2.createMember({ profile: { nickname: `late newcomer ${n}` } })).id);
      // A create acknowledged or not when the server died may be there too: read them back.
      const newcomerRows = await db.rows("SELECT * FROM members WHERE nickname LIKE '%newcomer%'");
      assert.ok(newcomers.every((id) => newcomerRows.some((r) => r.id === id)), 'every acknowledged newcomer is there');
      newcomers.splice(0, newcomers.length, ...newcomerRows.map((r) => r.id));
      const restarted = Date.now();
      const job = await jobsOf(api2).waitEnded(jobId, 120_000);
      t.diagnostic(`killed at ${afterKill.succeeded} of ${KILL_MEMBERS} items, lease ${afterKill.leaseUntil === null ? 'free' : `held for ${afterKill.leaseUntil - killedAt} ms more`}; finished ${Date.now() - restarted} ms after the restart`);
      assertFinished(job, { toProcess: KILL_MEMBERS });
      assert.equal(job.metadata.action, 'DELETE');

      // Every item listed once, each a success, and exactly one deleted event per member.
      assertItemsOnce(await jobsOf(api2).allItems(jobId), seeded);
      assert.deepEqual(await jobsOf(api2).allItems(jobId, 'FAILED_ONLY'), []);
      const events = await jobEventsPerMember(db);
      const wrong = seeded.filter((id) => events.get(id)?.deleted !== 1 || events.get(id).updated !== 0);
      assert.deepEqual(wrong.slice(0, 5).map((id) => [id, events.get(id)]), [], `${wrong.length} members without exactly one deleted event`);
      const touched = newcomers.filter((id) => events.has(id));
      assert.deepEqual(touched, [], 'no event of a member made during the job');
      // What is left is the newcomers, as they were before the job's last batches.
      const left = await db.rows('SELECT id FROM members');
      assert.deepEqual(left.map((r) => r.id).sort(), [...newcomers].sort(), 'only the members made during the job are left');
      const plainRows = (rows) => JSON.stringify(rows.filter((r) => newcomers.includes(r.id)).sort((a, b) => (a.id < b.id ? -1 : 1)), (_, v) => (typeof v === 'bigint' ? String(v) : v));
      assert.equal(plainRows(await db.rows('SELECT * FROM members')), plainRows(newcomerRows), 'the newcomers are untouched');
    });
  }

  for (const store of STORES) {
    test(`two serve processes on one ${store} database work four jobs at once: no item done twice, all FINISHED`, { skip: unavailable(store), timeout: 120_000 }, async () => {
      const { db, api, start } = await setup(store);
      const other = restOf(await start());
      const size = 1500;
      const groups = {
        blockA: await seedMembers(api, size, { tag: `ta${store}` }),
        approve: await seedMembers(other, size, { tag: `tb${store}`, status: 'PENDING' }),
        delete: await seedMembers(api, size, { tag: `tc${store}` }),
        blockD: await seedMembers(other, size, { tag: `td${store}` }),
      };
      const bystanders = await seedMembers(api, 200, { tag: `te${store}`, status: 'PENDING' });
      const plans = [
        ['blockA', 'BLOCK', `ta${store}`, api, 'updated', 'BLOCKED'],
        ['approve', 'APPROVE', `tb${store}`, other, 'updated', 'APPROVED'],
        ['delete', 'DELETE', `tc${store}`, api, 'deleted', undefined],
        ['blockD', 'BLOCK', `td${store}`, other, 'updated', 'BLOCKED'],
      ];
      const started = await Promise.all(plans.map(([, action, title, via]) => jobsOf(via).start(action, { 'profile.title': title })));
      const finished = await Promise.all(started.map(({ jobId }, n) => jobsOf(n % 2 ? api : other).waitEnded(jobId, 100_000)));
      const events = await jobEventsPerMember(db);
      const origins = new Set();
      for (const [n, [name, action, , , slug, status]] of plans.entries()) {
        const ids = groups[name];
        assertFinished(finished[n], { toProcess: size });
        assert.equal(finished[n].metadata.action, action);
        assertItemsOnce(await jobsOf(api).allItems(started[n].jobId), ids);
        const wrong = ids.filter((id) => {
          const e = events.get(id);
          return !e || e[slug] !== 1 || e.updated + e.deleted !== 1;
        });
        assert.deepEqual(wrong.slice(0, 5).map((id) => [id, events.get(id)]), [], `${name}: ${wrong.length} members without exactly one ${slug} event`);
        for (const id of ids) for (const origin of events.get(id).origins) origins.add(origin);
        const statuses = await statusesOf(db, ids);
        if (status) assert.ok(ids.every((id) => statuses.get(id) === status), `${name}: every member ${status}`);
        else assert.equal(statuses.size, 0, `${name}: every member deleted`);
      }
      assert.equal(origins.size, 2, 'both processes worked batches');
      assert.ok(bystanders.every((id) => !events.has(id)), 'members no filter matched are untouched');
      const left = await statusesOf(db, bystanders);
      assert.ok(bystanders.every((id) => left.get(id) === 'PENDING'));
      const open = await db.rows("SELECT id, status FROM async_jobs WHERE status <> 'FINISHED'");
      assert.deepEqual(open, []);
    });
  }

  for (const store of STORES) {
    test(`on ${store}: items that break a rule fail with their code, are listed with FAILED_ONLY, and the job still finishes`, { skip: unavailable(store), timeout: 60_000 }, async () => {
      const { db, api } = await setup(store);
      const jobs = jobsOf(api);
      const blockees = await seedMembers(api, 120, { tag: `fb${store}` });
      const self = blockees[57];
      // An admin acting as a member (x-members-act-as, elevated) can not block that member.
      const asMember = { 'x-members-act-as': self, 'x-members-elevate': '1' };
      const { jobId: blockJob } = await jobs.start('BLOCK', { 'profile.title': `fb${store}` }, { headers: asMember });
      // A disconnected member stays disconnected: approving it fails.
      const pending = await seedMembers(api, 130, { tag: `fa${store}`, status: 'PENDING' });
      const offline = await seedMembers(api, 3, { tag: `fa${store}-off`, title: `fa${store}`, status: 'OFFLINE' });
      const { jobId: approveJob } = await jobs.start('APPROVE', { 'profile.title': `fa${store}` });

      const blocked = await jobs.waitEnded(blockJob, 40_000);
      assertFinished(blocked, { toProcess: 120, succeeded: 119, failed: 1 });
      const failedBlock = await jobs.allItems(blockJob, 'FAILED_ONLY');
      assert.equal(failedBlock.length, 1, JSON.stringify(failedBlock));
      assert.equal(failedBlock[0].entityId, self);
      assert.equal(failedBlock[0].success, false);
      assert.equal(failedBlock[0].error?.code, 'FAILED_PRECONDITION', JSON.stringify(failedBlock[0]));
      assert.match(failedBlock[0].error?.description ?? '', /block itself/);
      const okBlock = await jobs.allItems(blockJob, 'SUCCESSFUL_ONLY');
      assert.equal(okBlock.length, 119);
      assert.ok(okBlock.every((item) => item.success === true && item.error === undefined), JSON.stringify(okBlock[0]));
      assertItemsOnce(await jobs.allItems(blockJob), blockees, new Set([self]));

      const approved = await jobs.waitEnded(approveJob, 40_000);
      assertFinished(approved, { toProcess: 133, succeeded: 130, failed: 3 });
      const failedApprove = await jobs.allItems(approveJob, 'FAILED_ONLY');
      assert.deepEqual(failedApprove.map((item) => item.entityId).sort(), [...offline].sort());
      for (const item of failedApprove) {
        assert.equal(item.success, false);
        assert.equal(item.error?.code, 'FAILED_PRECONDITION', JSON.stringify(item));
        assert.match(item.error?.description ?? '', /disconnected/);
      }
      assertItemsOnce(await jobs.allItems(approveJob), [...pending, ...offline], new Set(offline));

      // A failed item changed nothing and wrote no event; the others did, once.
      const statuses = await statusesOf(db, [...blockees, ...pending, ...offline]);
      assert.equal(statuses.get(self), 'APPROVED');
      assert.ok(blockees.filter((id) => id !== self).every((id) => statuses.get(id) === 'BLOCKED'));
      assert.ok(pending.every((id) => statuses.get(id) === 'APPROVED'));
      assert.ok(offline.every((id) => statuses.get(id) === 'OFFLINE'));
      const events = await jobEventsPerMember(db);
      assert.ok(!events.has(self) && offline.every((id) => !events.has(id)), 'no event of a failed item');
      assert.ok([...blockees.filter((id) => id !== self), ...pending].every((id) => events.get(id)?.updated === 1), 'one event per item done');
    });
  }

  test('REST: the job and its items in REST naming, paging by limit and cursor, 404 JOB_NOT_FOUND, 403 for non-admins', { timeout: 60_000 }, async () => {
    const { api } = await setup('sqlite');
    const jobs = jobsOf(api);
    const ids = await seedMembers(api, 250, { tag: 'shape' });
    const filter = { 'profile.title': 'shape' };
    const before = Date.now();
    const { jobId } = await jobs.start('BLOCK', filter);
    await jobs.waitEnded(jobId, 30_000);
    const response = await api.call('GET', `${JOBS}/${jobId}`);
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.body), ['job']);
    const { job } = response.body;
    assert.deepEqual(Object.keys(job).sort(), ['counters', 'createdDate', 'id', 'metadata', 'status', 'updatedDate']);
    assert.equal(job.id, jobId);
    assert.equal(job.status, 'FINISHED');
    assert.deepEqual(job.counters, { itemsToProcess: 250, itemsSucceeded: 250, itemsFailed: 0 });
    assert.deepEqual(job.metadata, { action: 'BLOCK', filter });
    assert.match(job.createdDate, ISO);
    assert.match(job.updatedDate, ISO);
    assert.ok(Date.parse(job.createdDate) >= before - 1000 && Date.parse(job.updatedDate) >= Date.parse(job.createdDate));
    assert.equal(JSON.stringify(job).includes('_id'), false, 'REST naming: no _id');

    // Items: pages of `paging.limit`, the next one from `paging.cursor`.
    const pages = [];
    let cursor;
    for (;;) {
      const query = `paging.limit=100${cursor ? `&paging.cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await jobs.items(jobId, query);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      pages.push(page.body);
      if (!page.body.pagingMetadata.hasNext) break;
      cursor = page.body.pagingMetadata.cursors.next;
      assert.ok(pages.length < 10);
    }
    assert.deepEqual(pages.map((p) => p.items.length), [100, 100, 50]);
    assert.deepEqual(pages.map((p) => p.pagingMetadata.count), [100, 100, 50]);
    assert.deepEqual(pages.map((p) => p.pagingMetadata.hasNext), [true, true, false]);
    assert.equal(pages[2].pagingMetadata.cursors.next ?? null, null, 'no next cursor on the last page');
    const items = pages.flatMap((p) => p.items);
    assert.deepEqual(items.map((item) => item.entityId).sort(), [...ids].sort(), 'each member once');
    for (const item of items) {
      assert.deepEqual(Object.keys(item).sort(), ['entityId', 'id', 'success']);
      assert.equal(item.success, true);
      assert.equal(typeof item.id, 'string');
    }
    assert.equal(new Set(items.map((item) => item.id)).size, 250, 'item ids are distinct');
    const small = await jobs.items(jobId, 'paging.limit=7');
    assert.equal(small.body.items.length, 7);
    assert.deepEqual(small.body.items.map((item) => item.entityId), items.slice(0, 7).map((item) => item.entityId), 'the same order every time');
    const fromCursor = await jobs.items(jobId, `paging.limit=3&paging.cursor=${encodeURIComponent(small.body.pagingMetadata.cursors.next)}`);
    assert.deepEqual(fromCursor.body.items.map((item) => item.entityId), items.slice(7, 10).map((item) => item.entityId), 'the cursor goes on after the page');
    const defaultPage = await jobs.items(jobId);
    assert.equal(defaultPage.status, 200);
    assert.ok(defaultPage.body.items.length >= 1 && defaultPage.body.items.length <= 100);
    assert.deepEqual((await jobs.items(jobId, 'statusFilter=FAILED_ONLY')).body.items, []);
    assert.equal((await jobs.items(jobId, 'statusFilter=SUCCESSFUL_ONLY&paging.limit=100')).body.items.length, 100);
    for (const bad of ['paging.limit=0', 'paging.limit=101', 'paging.limit=abc', 'paging.cursor=not-a-cursor', 'statusFilter=SOME']) {
      const answer = await jobs.items(jobId, bad);
      assert.equal(answer.status, 400, `${bad} → ${answer.status} ${JSON.stringify(answer.body)}`);
    }

    // Unknown ids.
    for (const path of [`${JOBS}/00000000-0000-4000-8000-000000000000`, `${JOBS}/00000000-0000-4000-8000-000000000000/items`, `${JOBS}/no-such-job`]) {
      const answer = await api.call('GET', path);
      assert.equal(answer.status, 404, `${path} → ${answer.status}`);
      assert.equal(answer.body?.details?.applicationError?.code, 'JOB_NOT_FOUND', JSON.stringify(answer.body));
    }

    // Admins only: a member's session, or an admin acting as a member without elevation.
    const registered = await api.call('POST', '/members/v1/auth/register', { auth: null, body: { email: `jobs.${randomBytes(4).toString('hex')}@example.com`, password: 'a long password 1' } });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    const session = `Bearer ${registered.body.sessionToken}`;
    const memberId = registered.body.member?.id ?? ids[0];
    for (const [who, options] of [['a member session', { auth: session }], ['an admin acting as a member', { headers: { 'x-members-act-as': memberId } }]]) {
      for (const path of [`${JOBS}/${jobId}`, `${JOBS}/${jobId}/items`]) {
        const answer = await api.call('GET', path, options);
        assert.equal(answer.status, 403, `${who}: GET ${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
        assert.ok(!JSON.stringify(answer.body).includes(ids[0]), 'nothing of the job shown');
      }
      const bulk = await api.call('POST', '/members/v1/members/bulk/block-by-filter', { ...options, body: { filter: {} } });
      assert.equal(bulk.status, 403, `${who}: bulkBlockMembers → ${bulk.status} ${JSON.stringify(bulk.body)}`);
    }
    const visitor = await api.call('GET', `${JOBS}/${jobId}`, { auth: null });
    assert.ok([401, 403].includes(visitor.status), `a visitor → ${visitor.status}`);
    // A bad dryRun is refused and starts nothing.
    const badDry = await api.call('POST', '/members/v1/members/bulk/delete-by-filter', { body: { filter: {}, dryRun: 'yes' } });
    assert.equal(badDry.status, 400, JSON.stringify(badDry.body));
  });
});
