// The async jobs benchmark (SPEC §12): how many items a second one `serve`
// process works in a job over 10,000 members, on a SQLite file and on PostgreSQL
// (MEMBERS_TEST_POSTGRES_URL; `scripts/with-postgres.sh` starts a throw-away
// cluster), side by side. Each run: a fresh database, its members imported over
// REST, then `bulkBlockMembers({})` or `bulkDeleteMembersByFilter({})` timed from
// the call to the job read back FINISHED (polled every 20 ms over REST).
// Medians of BENCH_JOBS_RUNS runs (default 3). Writes the `jobs` section of
// RESULTS.md.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from '../pkg/node_modules/pg/lib/index.js';
import { machine, writeSection } from './results.mjs';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const MEMBERS = Number(process.env.BENCH_JOBS_MEMBERS ?? 10_000);
const RUNS = Number(process.env.BENCH_JOBS_RUNS ?? 3);
const ADMIN_KEY = 'bench-admin-key-jobs-0123456789';
const ACTIONS = { BLOCK: 'block-by-filter', DELETE: 'delete-by-filter' };
const PG_URL = process.env.MEMBERS_TEST_POSTGRES_URL;

const dir = mkdtempSync(path.join(os.tmpdir(), 'members-jobs-bench-'));
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

async function onPostgres(url, sql) {
  const client = new pg.Client(url);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database of `store`: `{ url, dispose() }`. */
async function freshDatabase(store, n) {
  if (store === 'sqlite') return { url: `sqlite:${path.join(dir, `jobs-${n}.db`)}`, dispose: async () => {} };
  const name = `members_jobs_bench_${n}`;
  await onPostgres(PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await onPostgres(PG_URL, `CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), dispose: () => onPostgres(PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function startServer(database) {
  const child = spawn(process.execPath, [path.join(ROOT, 'pkg/cli.mjs'), 'serve', '--port', '0', '--host', '127.0.0.1', '--db', database, `--admin-key=${ADMIN_KEY}`], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MEMBERS_DELIVER_WEBHOOKS: '0' },
  });
  // Read until the "serving" line, then only drained (the access log).
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => { if (out.length < 10_000) out += chunk; });
  child.stderr.resume();
  for (let i = 0; i < 600; i += 1) {
    const match = /serving (http:\/\/\S+)/.exec(out);
    if (match) return { child, url: match[1], exited: new Promise((resolve) => child.on('close', resolve)) };
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('the server did not start');
}

async function call(server, method, route, body) {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: ADMIN_KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method} ${route} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

function member(i) {
  const now = new Date().toISOString();
  return {
    id: randomUUID(), contactId: randomUUID(), loginEmail: `job.${i}@example.com`, loginEmailVerified: false,
    status: 'APPROVED', activityStatus: 'ACTIVE', privacyStatus: 'PUBLIC',
    profile: { nickname: `Job Member ${i}`, slug: `job-member-${i}`, title: 'Bench' },
    contact: { firstName: `First${i}`, lastName: 'Bench', addresses: [], customFields: {}, emails: [], phones: [] },
    createdDate: now, updatedDate: now,
  };
}

/** One run: a fresh database of `store`, MEMBERS members, one job of `action`; its seconds. */
async function run(store, action, n) {
  const db = await freshDatabase(store, n);
  const server = await startServer(db.url);
  try {
    for (let from = 0; from < MEMBERS; from += 1000) {
      await call(server, 'POST', '/members/v1/members/import', { members: Array.from({ length: Math.min(1000, MEMBERS - from) }, (_, k) => member(from + k)) });
    }
    await sleep(300);
    const started = performance.now();
    const { jobId } = await call(server, 'POST', `/members/v1/members/bulk/${ACTIONS[action]}`, { filter: {} });
    const deadline = Date.now() + 300_000;
    for (;;) {
      const { job } = await call(server, 'GET', `/async-jobs/v1/async-jobs/${jobId}`);
      if (job.status === 'FINISHED') {
        if (Number(job.counters.itemsSucceeded) !== MEMBERS) throw new Error(`the job ended with ${JSON.stringify(job.counters)}`);
        return (performance.now() - started) / 1000;
      }
      if (job.status === 'FAILED' || Date.now() > deadline) throw new Error(`the job did not finish: ${JSON.stringify(job)}`);
      await sleep(20);
    }
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    await db.dispose();
  }
}

try {
  const stores = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
  if (!PG_URL) console.error('jobs: MEMBERS_TEST_POSTGRES_URL is not set, PostgreSQL is left out (run under scripts/with-postgres.sh)');
  const seconds = {};
  let n = 0;
  // Interleaved: every round runs each store and action once.
  for (let round = 0; round < RUNS; round += 1) {
    for (const action of Object.keys(ACTIONS)) {
      for (const store of stores) {
        const key = `${store} ${action}`;
        (seconds[key] ??= []).push(await run(store, action, (n += 1)));
        console.error(`jobs: ${key} run ${round + 1}: ${seconds[key].at(-1).toFixed(2)} s`);
      }
    }
  }
  const perSecond = (key) => MEMBERS / median(seconds[key]);
  const cell = (key) => (seconds[key] ? `${median(seconds[key]).toFixed(2)} s, **${Math.round(perSecond(key))}/s**` : 'not run');
  const rows = Object.keys(ACTIONS).map((action) => `| ${action} | ${cell(`sqlite ${action}`)} | ${cell(`postgres ${action}`)} |`).join('\n');
  const all = Object.entries(seconds).map(([key, list]) => `${key}: ${list.map((s) => s.toFixed(2)).join(', ')} s`).join('; ');
  writeSection('jobs', `## Async jobs (${MEMBERS.toLocaleString('en')} members, one \`serve\` process)

${machine()}. Medians of ${RUNS} runs; machine noise on 2 shared cores is ±10–20%.

A job over every member (\`filter: {}\`) started over REST and timed from the call to
the job read back FINISHED (polled every 20 ms); batches of 100 items, one
transaction each (the member changes, their events, the items' outcomes and the
counters). SQLite is a file on local disk; PostgreSQL a local cluster with fsync on.

| job | SQLite (time, items/s) | PostgreSQL (time, items/s) |
|---|---:|---:|
${rows}

Every run: ${all}.`);
  console.log(`jobs: ${Object.keys(seconds).map((key) => `${key} ${Math.round(perSecond(key))} items/s`).join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
