// `serve --workers N` (issue 15, item 3) against real server processes on SQLite
// and PostgreSQL: N worker processes share one port and all of them answer; what
// must hold across processes still holds (the login limit counts across workers,
// a by-filter job runs each member once); a worker that dies is replaced while the
// others keep serving; SIGTERM ends them all; bad values are refused by name.
// Every request here opens its own connection, so node:cluster hands them out
// round-robin instead of one kept-alive connection landing on one worker.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { startServer, CLI } from '../helpers.mjs';
import { STORES, freshDatabase, sleep } from './support.mjs';
import { jobsOf, seedMembers, assertFinished, assertItemsOnce, jobEventsPerMember } from './jobs-support.mjs';
import { restOf, eventually } from './webhooks-support.mjs';

const BASE = '/members/v1/members';

/** One request on a connection of its own → { status, body }. */
function freshCall(server, method, path, { body, auth = server.adminKey } = {}) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const sent = request(`${server.baseUrl}${path}`, {
      method,
      agent: false,
      headers: {
        ...(auth ? { authorization: auth } : {}),
        ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
      },
      timeout: 15_000,
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, body: text ? JSON.parse(text) : undefined }));
    });
    sent.on('timeout', () => sent.destroy(new Error(`${method} ${path}: no answer in 15 s`)));
    sent.on('error', reject);
    sent.end(payload);
  });
}

/** The pids of the processes whose parent is `pid` (the primary's workers). */
function childrenOf(pid) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Fields after the command name "(…)": state, ppid, …
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) out.push(Number(name));
    } catch { /* the process ended while we looked */ }
  }
  return out.sort((a, b) => a - b);
}

/** CPU time a process has used so far, in clock ticks (user + system). */
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

const dbs = [];
after(async () => {
  for (const db of dbs.splice(0)) await db.dispose();
});

for (const store of STORES) {
  describe(`serve --workers 2 on ${store}`, () => {
    test('two workers share the port and both answer; what one writes, the other reads', async () => {
      const db = await freshDatabase(store);
      dbs.push(db);
      const server = await startServer({ database: db.url, args: ['--workers', '2'] });
      const workers = childrenOf(server.child.pid);
      assert.equal(workers.length, 2, `two worker processes under the primary (${workers})`);
      assert.match(server.stderr(), /2 worker processes share the port/);

      const before = workers.map(cpuTicks);
      const ids = [];
      for (let i = 0; i < 40; i++) {
        const created = await freshCall(server, 'POST', BASE, { body: { member: { loginEmail: `w${i}.${randomBytes(3).toString('hex')}@example.com` } } });
        assert.equal(created.status, 200, JSON.stringify(created.body));
        ids.push(created.body.member.id);
      }
      // Every member is read back on fresh connections, so by both workers.
      for (let round = 0; round < 4; round++) {
        for (const id of ids) {
          const read = await freshCall(server, 'GET', `${BASE}/${id}`);
          assert.equal(read.status, 200, JSON.stringify(read.body));
        }
      }
      const listed = await freshCall(server, 'POST', `${BASE}/query`, { body: { query: { paging: { limit: 100 } } } });
      assert.equal(listed.body.members.length, 40);
      const used = workers.map((pid, k) => cpuTicks(pid) - before[k]);
      const total = used[0] + used[1];
      assert.ok(Math.min(...used) >= total * 0.2, `each worker did a share of 200 requests (CPU ticks ${used})`);

      const { code } = await server.stop();
      assert.equal(code, 0, server.stderr());
      await eventually(() => workers.every((pid) => {
        try { process.kill(pid, 0); return false; } catch { return true; }
      }), 5000, () => 'every worker gone after SIGTERM');
    });

    test('the login limit counts across workers: the 4th wrong password of 3 allowed is 429', async () => {
      const db = await freshDatabase(store);
      dbs.push(db);
      const server = await startServer({
        database: db.url,
        args: ['--workers', '2'],
        env: { MEMBERS_LOGIN_LIMIT_PER_EMAIL: '3', MEMBERS_LOGIN_LIMIT_PER_ADDRESS: '100', MEMBERS_LOGIN_WINDOW_SECONDS: '3600' },
      });
      const email = `limit.${randomBytes(4).toString('hex')}@example.com`;
      const registered = await freshCall(server, 'POST', '/members/v1/auth/register', { auth: null, body: { email, password: `Right-${randomBytes(6).toString('hex')}` } });
      assert.equal(registered.status, 200, JSON.stringify(registered.body));
      const answers = [];
      for (let i = 0; i < 4; i++) {
        answers.push((await freshCall(server, 'POST', '/members/v1/auth/login', { auth: null, body: { email, password: `wrong-${i}-password` } })).status);
      }
      // Per-process counters would let each worker take three wrong guesses.
      assert.deepEqual(answers, [401, 401, 401, 429]);
      await server.stop();
    });

    test('a by-filter job over two workers runs each member once', async () => {
      const db = await freshDatabase(store);
      dbs.push(db);
      const server = await startServer({ database: db.url, args: ['--workers', '2'] });
      const api = restOf(server);
      const ids = await seedMembers(api, 600, { tag: 'wjob' });
      const jobs = jobsOf(api);
      const { jobId } = await jobs.start('BLOCK', { 'profile.title': 'wjob' });
      const job = await jobs.waitEnded(jobId, 60_000);
      assertFinished(job, { toProcess: 600 });
      assertItemsOnce(await jobs.allItems(jobId), ids);
      const events = await jobEventsPerMember(db);
      assert.equal(ids.filter((id) => events.get(id)?.updated === 1).length, 600, 'one updated event per member');
      await server.stop();
    });

    test('a worker that dies is replaced, and the other serves meanwhile', async () => {
      const db = await freshDatabase(store);
      dbs.push(db);
      const server = await startServer({ database: db.url, args: ['--workers', '2'] });
      const [victim, survivor] = childrenOf(server.child.pid);
      process.kill(victim, 'SIGKILL');
      // A connection handed to the victim as it died is lost with it; once the
      // primary has seen the exit, the survivor answers every request while the
      // replacement starts.
      await eventually(() => server.stderr().includes(`worker ${victim} exited (SIGKILL); starting another`), 5000, () => 'the primary saw the exit');
      for (let i = 0; i < 10; i++) {
        const listed = await freshCall(server, 'POST', `${BASE}/query`, { body: {} });
        assert.equal(listed.status, 200);
      }
      const now = await eventually(() => {
        const children = childrenOf(server.child.pid);
        return children.length === 2 && !children.includes(victim) && children;
      }, 10_000, () => `a new worker in place of ${victim}`);
      assert.ok(now.includes(survivor));
      await server.stop();
    });
  });
}

describe('--workers values', () => {
  const run = (args, env = {}) => spawnSync(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, MEMBERS_ADMIN_KEY: 'k'.repeat(24), ...env },
  });

  test('0, a word and a fraction are refused naming --workers; a memory database can not be shared', () => {
    for (const value of ['0', 'many', '1.5', '65']) {
      const refused = run(['--db', 'memory:', '--workers', value]);
      assert.equal(refused.status, 2, refused.stderr);
      assert.match(refused.stderr, /--workers \(MEMBERS_WORKERS\) must be auto or a whole number from 1 to 64/);
    }
    const memory = run(['--db', 'memory:', '--workers', '2']);
    assert.equal(memory.status, 2);
    assert.match(memory.stderr, /--workers above 1 needs a database the processes share/);
    const fromEnv = run(['--db', 'memory:'], { MEMBERS_WORKERS: 'x' });
    assert.equal(fromEnv.status, 2);
    assert.match(fromEnv.stderr, /MEMBERS_WORKERS/);
  });

  test('auto (MEMBERS_WORKERS=auto) starts one worker per core', async () => {
    const server = await startServer({ env: { MEMBERS_WORKERS: 'auto' } });
    const cores = availableParallelism();
    if (cores > 1) {
      assert.equal(childrenOf(server.child.pid).length, cores);
      assert.match(server.stderr(), new RegExp(`${cores} worker processes share the port`));
    } else {
      assert.equal(childrenOf(server.child.pid).length, 0, 'one core: no primary and workers, one process');
    }
    await server.stop();
  });

  test('a worker that can not serve ends the whole server with code 1', async () => {
    // A port already taken: every worker would fail the same way.
    const holder = await startServer({});
    const port = new URL(holder.baseUrl).port;
    const taken = spawnSync(process.execPath, [CLI, 'serve', '--port', port, '--db', holder.database, '--workers', '2'], {
      encoding: 'utf8', timeout: 15_000, env: { ...process.env, MEMBERS_ADMIN_KEY: 'k'.repeat(24) },
    });
    assert.equal(taken.status, 1, taken.stderr);
    assert.match(taken.stderr, /before it served; stopping/);
    await holder.stop();
    await sleep(0);
  });
});
