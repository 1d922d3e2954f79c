// The HTTP benchmark: the members server (pkg/cli.mjs serve) against a minimal
// node:http + better-sqlite3 server (bench/baseline-server.mjs) that runs the same
// SQL and answers the same JSON, both on one SQLite file of 100k members, loaded
// by autocannon as an anonymous visitor. getMember of random visible ids and a
// query (startsWith nickname, limit 20) at 16 connections, then one connection;
// listing 20 of a 10k-member file. Writes the `http` section of RESULTS.md.
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
import Database from '../pkg/node_modules/better-sqlite3/lib/index.js';
import { machine, medianMs, ms, writeSection } from './results.mjs';
import { generateMembers } from './members-data.mjs';

// The wasm core loads on first use (pkg/core.mjs): load it now, registering MembersError.
engine();

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const COUNT = Number(process.env.BENCH_MEMBERS ?? 100_000);
const SMALL = Math.min(10_000, COUNT);
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 8);
const SECONDS_ONE = Math.max(2, Math.round(SECONDS / 2));
const WARMUP = 2;
// Seconds of load a fresh server gets before its first measured case.
const FIRST_WARMUP = 6;
const ROUNDS = 4;
const CONNECTIONS = 16;
const PAGE = 20;
const PREFIX = 'al';
const ADMIN_KEY = 'bench-admin-key-0123456789';

/** createMember bodies with a new email each (unique per `tag`, so both servers can write one file). */
function createBodies(tag) {
  let n = 0;
  return () => {
    n += 1;
    return JSON.stringify({ member: { loginEmail: `${tag}.${n}@bench.example.com`, profile: { nickname: `Bench ${tag} ${n}` } } });
  };
}

/** The same field names at every depth (what a create answers, whatever its ids and dates). */
function shapeOf(value) {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value === null || typeof value !== 'object') return typeof value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, shapeOf(value[key])]));
}

/** Imports `count` members through the package; returns the ids a visitor may see and one it may not. */
async function build(file, count) {
  const driver = openSqlite(file);
  const api = Members.open({}, driver).elevated();
  const visible = [];
  let hidden = null;
  let batch = [];
  for (const member of generateMembers(count)) {
    if (member.status === 'APPROVED' && member.privacyStatus === 'PUBLIC') visible.push(member._id);
    else hidden ??= member._id;
    batch.push(member);
    if (batch.length === 1000) { await api.importMembers(batch); batch = []; }
  }
  if (batch.length) await api.importMembers(batch);
  await driver.close();
  return { visible, hidden };
}

/**
 * The statements the core sends a visitor's call (captured from its driver, after
 * a first call has read the cursor secret) and their median time run directly.
 */
async function sqlAlone(file, calls) {
  const base = openSqlite(file);
  const log = [];
  const core = Members.open({}, {
    dialect: base.dialect,
    query: (sql, params) => { log.push({ sql, params }); return base.query(sql, params); },
    batch: (list) => base.batch(list),
    close: () => base.close(),
  });
  const db = new Database(file, { readonly: true });
  const out = {};
  for (const [name, [method, where, body = '']] of Object.entries(calls)) {
    const [pathname, search = ''] = where.split('?');
    await core.handle(method, pathname, search, body);
    log.length = 0;
    await core.handle(method, pathname, search, body);
    const statements = log.splice(0).map(({ sql, params }) => ({ sql, params, statement: db.prepare(sql).raw(true) }));
    const time = await medianMs(() => { for (const { statement, params } of statements) statement.all(params); }, { budgetMs: 500, max: 200 });
    out[name] = { time, statements: statements.map(({ sql }) => sql) };
    console.log(`SQL of ${name} (${ms(time)} ms):\n  ${out[name].statements.join('\n  ')}`);
  }
  db.close();
  await base.close();
  return out;
}

/** Starts a server process; resolves with its base URL once it prints "serving http://…". */
async function start(name, args, logFile) {
  const out = openSync(logFile, 'w');
  // stdout to a file: ours writes one access-log line a request, as it would in production.
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', out, 'pipe'] });
  closeSync(out);
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = /serving (http:\/\/\S+)/.exec(readFileSync(logFile, 'utf8'));
    if (match) return { name, child, url: match[1] };
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`${name} did not start: ${stderr}`);
    }
    await sleep(50);
  }
}

function stop({ child }) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
}

const queryBody = (prefix) => JSON.stringify({
  query: { filter: { 'profile.nickname': { $startsWith: prefix } }, paging: { limit: PAGE } },
});
const JSON_HEADERS = { 'content-type': 'application/json' };

/** Both servers' answers to the same requests: byte-identical except the next cursor's MAC and query tag. */
async function compare(servers, requests) {
  const cursorOf = (token) => {
    const payload = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
    return JSON.stringify({ id: payload.id, k: payload.k });
  };
  const problems = [];
  for (const { method = 'GET', path: where, body } of requests) {
    const answers = [];
    for (const server of servers) {
      const response = await fetch(server.url + where, { method, body, headers: body ? JSON_HEADERS : undefined });
      let text = await response.text();
      let cursor = null;
      try {
        const next = JSON.parse(text)?.metadata?.cursors?.next;
        if (typeof next === 'string') {
          cursor = cursorOf(next);
          text = text.split(next).join('<cursor>');
        }
      } catch { /* compared as text */ }
      answers.push({ status: response.status, type: response.headers.get('content-type'), text, cursor });
    }
    const [a, b] = answers;
    if (a.status !== b.status || a.type !== b.type || a.text !== b.text || a.cursor !== b.cursor) {
      let at = 0;
      while (at < a.text.length && a.text[at] === b.text[at]) at++;
      problems.push(`${method} ${where}: ${a.status} vs ${b.status}; first difference at byte ${at}:\n`
        + `  ${servers[0].name}: …${a.text.slice(Math.max(0, at - 40), at + 80)}\n`
        + `  ${servers[1].name}: …${b.text.slice(Math.max(0, at - 40), at + 80)}`
        + (a.cursor !== b.cursor ? `\n  cursors: ${a.cursor} vs ${b.cursor}` : ''));
    }
  }
  if (problems.length) {
    console.warn(`WARNING: the servers answer differently:\n${problems.join('\n')}`);
  } else {
    console.log(`check: both servers answer the same ${requests.length} requests identically (cursor MAC and query tag aside)`);
  }
  return problems.length === 0;
}

/** One autocannon run; latencies taken from each response (autocannon's own histogram is whole ms). */
function load(url, { connections, seconds, method = 'GET', path: where, body, paths, bodies, headers = {} }) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    let next = 0;
    const requests = paths
      ? [{ method, setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) }]
      : bodies
        ? [{ method, setupRequest: (request) => ({ ...request, body: bodies() }) }]
        : undefined;
    const instance = autocannon({
      url: url + (where ?? ''),
      connections,
      duration: seconds,
      method,
      body,
      headers: body || bodies ? { ...JSON_HEADERS, ...headers } : headers,
      requests,
    }, (error, result) => {
      if (error) return reject(error);
      const bad = result.non2xx + result.errors + result.timeouts;
      if (bad) console.warn(`WARNING: ${bad} failed requests (${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts)`);
      resolve({ rps: latencies.length / result.duration, latencies });
    });
    instance.on('response', (_client, status, _bytes, time) => { if (status < 300) latencies.push(time); });
  });
}

/** Waits until the server has answered what a closed run left queued. */
async function drain(server) {
  await (await fetch(`${server.url}/members/v1/members/00000000-0000-4000-8000-ffffffffffff`)).arrayBuffer();
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

const rows = [];
const workerRows = [];
/**
 * One case on both servers: a warm-up each, then ROUNDS short runs alternating
 * between the servers (others share this machine, so load comes and goes);
 * req/s is the median round, p50/p99 over every request of every round. A row
 * per server goes `into` the table, the first server's with its ratio to the second.
 */
async function measure(label, servers, options, into = rows) {
  const seconds = Math.max(1, options.seconds / ROUNDS);
  for (const server of servers) {
    await load(server.url, { ...options, seconds: WARMUP });
    await drain(server);
  }
  const runs = servers.map(() => ({ rps: [], latencies: [] }));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [1, 0] : [0, 1];
    for (const i of order) {
      const { rps, latencies } = await load(servers[i].url, { ...options, seconds });
      await drain(servers[i]);
      runs[i].rps.push(rps);
      for (const t of latencies) runs[i].latencies.push(t);
    }
  }
  const results = runs.map(({ rps, latencies }) => {
    latencies.sort((x, y) => x - y);
    const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    return { rps: median(rps), rounds: rps, p50: at(0.5), p99: at(0.99), count: latencies.length };
  });
  results.forEach((r, i) => console.log(`${label} | ${servers[i].name}: ${r.rps.toFixed(0)} req/s (rounds ${r.rounds.map((x) => x.toFixed(0)).join(', ')}), `
    + `p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms (${r.count} requests)`));
  const [first, second] = results;
  const fmt = (value) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
  into.push(`| ${label} | ${servers[0].name} | ${fmt(first.rps)} | ${ms(first.p50)} | ${ms(first.p99)} | ${(first.rps / second.rps).toFixed(2)}× |`);
  into.push(`| ${label} | ${servers[1].name} | ${fmt(second.rps)} | ${ms(second.p50)} | ${ms(second.p99)} | |`);
  return results;
}

/** `serve` on `file` (SQLite), with `workers` processes. */
function serveOurs(name, dir, file, tag, workers = 1) {
  return start(name, ['pkg/cli.mjs', 'serve', '--port', '0', '--host', '127.0.0.1', '--db', `sqlite:${file}`,
    '--admin-key', ADMIN_KEY, '--workers', String(workers)], path.join(dir, `${tag}.log`));
}

async function servePair(dir, file, tag) {
  const ours = await serveOurs('members server', dir, file, `ours-${tag}`);
  const baseline = await start('baseline', [path.join(ROOT, 'bench/baseline-server.mjs'), '--port', '0', '--host', '127.0.0.1',
    '--db', file, '--admin-key', ADMIN_KEY], path.join(dir, `baseline-${tag}.log`));
  return [ours, baseline];
}

/** Deterministic shuffled request paths for getMember. */
function memberPaths(ids, n = 20_000) {
  let seed = 11;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: n }, () => `/members/v1/members/${ids[Math.floor(random() * ids.length)]}?fieldsets=PUBLIC`);
}

const started = performance.now();
const dir = mkdtempSync(path.join(os.tmpdir(), 'members-http-bench-'));
let servers = [];
let identical = true;
let matches = 0;
let sqlNote = '';
try {
  const big = path.join(dir, 'big.db');
  const small = path.join(dir, 'small.db');
  let t = performance.now();
  const { visible, hidden } = await build(big, COUNT);
  const loadS = (performance.now() - t) / 1000;
  const smallSet = await build(small, SMALL);
  console.log(`built ${COUNT} members in ${loadS.toFixed(1)} s (${visible.length} visible to a visitor), and ${SMALL}`);

  const getMember = { path: '', paths: memberPaths(visible) };
  const query = { method: 'POST', path: '/members/v1/members/query', body: queryBody(PREFIX) };
  const list = { path: `/members/v1/members?paging.limit=${PAGE}` };

  const sql = await sqlAlone(big, {
    getMember: ['GET', `/members/v1/members/${visible[1]}?fieldsets=PUBLIC`],
    query: ['POST', query.path, query.body],
  });
  Object.assign(sql, await sqlAlone(small, { list: ['GET', list.path] }));
  sqlNote = `The SQL alone, run directly with better-sqlite3 (median): getMember ${ms(sql.getMember.time)} ms; `
    + `the query ${ms(sql.query.time)} ms (its page and its \`COUNT(*)\`); listing 20 of ${SMALL.toLocaleString('en')} ${ms(sql.list.time)} ms.`;
  servers = await servePair(dir, big, 'big');
  identical = await compare(servers, [
    { path: `/members/v1/members/${visible[0]}?fieldsets=PUBLIC` },
    { path: `/members/v1/members/${visible[visible.length - 1]}?fieldsets=PUBLIC` },
    { path: `/members/v1/members/${hidden}?fieldsets=PUBLIC` },
    { path: '/members/v1/members/00000000-0000-4000-8000-ffffffffffff?fieldsets=PUBLIC' },
    { method: 'POST', path: query.path, body: query.body },
    { method: 'POST', path: query.path, body: queryBody('PRIYA s') },
    { method: 'POST', path: query.path, body: queryBody('zoë') },
    { path: list.path },
  ]) && identical;
  matches = (await (await fetch(`${servers[0].url}${query.path}`, { method: 'POST', body: query.body, headers: JSON_HEADERS })).json()).metadata.total;
  // A fresh server's first seconds run wasm and JS not yet optimised (V8 tiers
  // them up in the background, on the cores the load shares): in earlier runs
  // the first case's rounds rose from one to the next. Both servers get the
  // same longer start before anything is measured.
  for (const server of servers) {
    await load(server.url, { ...getMember, connections: CONNECTIONS, seconds: FIRST_WARMUP });
    await drain(server);
  }
  await measure(`getMember, ${CONNECTIONS} connections`, servers, { ...getMember, connections: CONNECTIONS, seconds: SECONDS });
  await measure(`query startsWith "${PREFIX}", limit ${PAGE}, ${CONNECTIONS} connections`, servers, { ...query, connections: CONNECTIONS, seconds: SECONDS });
  await measure('getMember, 1 connection', servers, { ...getMember, connections: 1, seconds: SECONDS_ONE });
  await measure(`query startsWith "${PREFIX}", limit ${PAGE}, 1 connection`, servers, { ...query, connections: 1, seconds: SECONDS_ONE });

  await Promise.all(servers.map(stop));

  servers = await servePair(dir, small, 'small');
  identical = await compare(servers, [
    { path: list.path },
    { path: `/members/v1/members?paging.limit=${PAGE}&paging.offset=40` },
    { path: `/members/v1/members/${smallSet.visible[7]}?fieldsets=PUBLIC` },
  ]) && identical;
  await measure(`list ${PAGE} of ${SMALL.toLocaleString('en')}, 1 connection`, servers, { ...list, connections: 1, seconds: SECONDS_ONE });
  await measure(`list ${PAGE} of ${SMALL.toLocaleString('en')}, ${CONNECTIONS} connections`, servers, { ...list, connections: CONNECTIONS, seconds: SECONDS });
  await Promise.all(servers.map(stop));

  // `--workers 2` against one process, both ours, on the same files.
  servers = [await serveOurs('--workers 2', dir, big, 'workers-2-big', 2), await serveOurs('--workers 1', dir, big, 'workers-1-big', 1)];
  await measure(`getMember, ${CONNECTIONS} connections`, servers, { ...getMember, connections: CONNECTIONS, seconds: SECONDS }, workerRows);
  await measure(`query startsWith "${PREFIX}", limit ${PAGE}, ${CONNECTIONS} connections`, servers, { ...query, connections: CONNECTIONS, seconds: SECONDS }, workerRows);
  await Promise.all(servers.map(stop));
  servers = [await serveOurs('--workers 2', dir, small, 'workers-2-small', 2), await serveOurs('--workers 1', dir, small, 'workers-1-small', 1)];
  await measure(`list ${PAGE} of ${SMALL.toLocaleString('en')}, ${CONNECTIONS} connections`, servers, { ...list, connections: CONNECTIONS, seconds: SECONDS }, workerRows);
  await Promise.all(servers.map(stop));

  // Writes last, on the big file again: members created newest-first would
  // change what the reads above walk.
  servers = await servePair(dir, big, 'big-writes');
  // createMember as admin: the same fields back from both (ids and dates differ).
  const created = [];
  for (const [i, server] of servers.entries()) {
    const response = await fetch(`${server.url}/members/v1/members`, {
      method: 'POST', headers: { ...JSON_HEADERS, authorization: ADMIN_KEY }, body: createBodies(`check${i}`)(),
    });
    created.push({ status: response.status, shape: JSON.stringify(shapeOf(await response.json())) });
  }
  if (created[0].status !== 200 || created[0].shape !== created[1].shape || created[1].status !== 200) {
    identical = false;
    console.warn(`WARNING: createMember answers differ: ${JSON.stringify(created)}`);
  }
  const creates = (tag) => ({ method: 'POST', path: '/members/v1/members', headers: { authorization: ADMIN_KEY }, bodies: createBodies(tag) });
  // One counter for both servers: every email is new, whichever server takes it.
  await measure(`createMember, ${CONNECTIONS} connections`, servers, { ...creates('c16'), connections: CONNECTIONS, seconds: SECONDS });
  await measure('createMember, 1 connection', servers, { ...creates('c1'), connections: 1, seconds: SECONDS_ONE });
  await Promise.all(servers.map(stop));
  servers = [];
} finally {
  await Promise.all(servers.map(stop));
  rmSync(dir, { recursive: true, force: true });
}

const body = `## HTTP: the members server vs a minimal node:http server, ${COUNT.toLocaleString('en')} members on SQLite

${machine()}. Load generator and both servers share these ${os.cpus().length} cores, so every figure
includes autocannon's own CPU. Both servers run as child processes on the same SQLite file (built with
\`importMembers\`) and are called as an anonymous visitor: the members server is \`pkg/cli.mjs serve\`
(wasm core, its one-line access log per request written to a file); the baseline
(\`bench/baseline-server.mjs\`) is node:http + better-sqlite3 running the same SQL statements the core
sends (\`SELECT data … WHERE id = ?\`; for pages the \`LIMIT 21\` select plus its \`COUNT(*)\`) and
answering the same JSON (REST naming, PUBLIC fieldset, signed next cursor)${identical ? ', checked byte for byte (cursor MAC and query tag aside) before the run' : ' — **WARNING: the answers differed in the pre-run check**'}.
autocannon 8; each fresh server first takes ${FIRST_WARMUP} s of getMember load, then per case and server a ${WARMUP} s warm-up, then ${ROUNDS} rounds alternating between the servers,
${SECONDS} s in all per server (${SECONDS_ONE} s at 1 connection): req/s is the median round, p50/p99 are over every request,
measured per response in the load generator. getMember asks for random visible members; the query
matches ${matches.toLocaleString('en')} visible members and counts them all (\`total\`) for every page.

| case | server | req/s | p50 ms | p99 ms | ratio vs baseline (req/s) |
|---|---|---:|---:|---:|---:|
${rows.join('\n')}

${sqlNote}

Targets (reported, not asserted): the members server at ≥ 0.7× the baseline's requests/s; p50 under 1 ms.

\`serve --workers 2\` against one process (both ours, the same files and load, measured the same way; the ratio is
workers 2 over 1). autocannon takes a core of the ${os.cpus().length} for itself, so two workers compete with it and
with each other: on this machine the figure shows what a second process costs or gains, not what it gives on a bigger one.

| case | server | req/s | p50 ms | p99 ms | ratio (req/s) |
|---|---|---:|---:|---:|---:|
${workerRows.join('\n')}
`;
writeSection('http', body);
console.log(body);
console.log(`http bench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
