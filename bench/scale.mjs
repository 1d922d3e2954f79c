// The scale benchmark (issue 15, item 4): indexed queries at 10k, 100k and 1M
// members on the memory store and on SQLite, through the core as the package runs
// it (wasm in Node, admin), and what a member costs in each: the wasm memory the
// memory store grew by, the SQLite file's bytes. eq slug (a unique index) and
// startsWith nickname, limit 50 (an ordered index), each the median of up to 500
// calls after a warm-up. Writes the `scale` section of RESULTS.md (`--no-write`:
// print only); BENCH_SCALE=10000,100000 picks the sizes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { Members, initSync } from '../pkg/wasm/universal_members.js';
import { engine } from '../pkg/core.mjs';
import { openSqlite } from '../pkg/drivers/sqlite.mjs';
import { machine, medianMs, ms, writeSection } from './results.mjs';
import { generateMembers } from './members-data.mjs';

engine();
// The wasm instance the core runs in (initSync hands back the one already made).
const wasm = initSync({ module: readFileSync(new URL('../pkg/wasm/universal_members_bg.wasm', import.meta.url)) });
const SIZES = (process.env.BENCH_SCALE ?? '10000,100000,1000000').split(',').map(Number);
const WRITE = !process.argv.includes('--no-write');

/** The nickname of bench member `i` (the data is deterministic). */
function nicknameOf(i) {
  let k = 0;
  for (const member of generateMembers(i + 1)) if (k++ === i) return member.profile.nickname;
  throw new Error(`no member ${i}`);
}

const queries = [
  // Member i's slug is `m<i>`; ask for one near the end so no store finds it early.
  ['eq slug', (q, n) => q.eq('profile.slug', `m${n - 7}`)],
  // The nickname of a member near the end, less its last digit: at most a few
  // dozen members at any size, so what grows is the index, not the answer.
  ['startsWith nickname (few matches), limit 50', (q, n) => q.startsWith('profile.nickname', nicknameOf(n - 7).slice(0, -1)).limit(50)],
  // A prefix whose matches grow with the store: the page and the count of all of them.
  ['startsWith "priya sv" (grows), limit 50', (q) => q.startsWith('profile.nickname', 'priya sv').limit(50)],
];

/** Loads `count` bench members into `api` (admin) by importMembers, 1,000 a call; seconds. */
async function load(api, count) {
  const start = performance.now();
  let batch = [];
  for (const member of generateMembers(count)) {
    batch.push(member);
    if (batch.length === 1000) { await api.importMembers(batch); batch = []; }
  }
  if (batch.length) await api.importMembers(batch);
  return (performance.now() - start) / 1000;
}

async function timeQueries(api, count) {
  const out = {};
  for (const [name, build] of queries) {
    const builder = build(api.queryMembers(), count);
    const found = await builder.find();
    if (found.items.length === 0) throw new Error(`${name} found nothing at ${count}`);
    out[name] = await medianMs(() => builder.find(), { budgetMs: 700 });
  }
  return out;
}

/** One store at one size, in this process: `{ load, times, bytes }` (bytes per member). */
async function measureOne(store, count) {
  if (store === 'memory') {
    // A fresh process: the store is what the wasm memory grew by.
    const before = wasm.memory.buffer.byteLength;
    const api = Members.open({}).elevated();
    const loadS = await load(api, count);
    const grown = wasm.memory.buffer.byteLength - before;
    return { load: loadS, times: await timeQueries(api, count), bytes: grown / count };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'members-scale-'));
  const file = path.join(dir, 'members.db');
  try {
    const driver = openSqlite(file);
    const api = Members.open({}, driver).elevated();
    const loadS = await load(api, count);
    const times = await timeQueries(api, count);
    await driver.close();
    const bytes = ['', '-wal'].reduce((sum, suffix) => { try { return sum + statSync(file + suffix).size; } catch { return sum; } }, 0);
    return { load: loadS, times, bytes: bytes / count };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const one = process.argv.indexOf('--one');
if (one !== -1) {
  const [store, count] = [process.argv[one + 1], Number(process.argv[one + 2])];
  process.stdout.write(`${JSON.stringify(await measureOne(store, count))}\n`);
  process.exit(0);
}

// Each store and size in a process of its own, so one's memory is not the next one's.
const results = { memory: [], SQLite: [] };
for (const count of SIZES) {
  for (const [store, key] of [['memory', 'memory'], ['sqlite', 'SQLite']]) {
    let result;
    try {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--one', store, String(count)], {
        encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 20,
      });
      result = JSON.parse(out.trim().split('\n').at(-1));
    } catch (error) {
      const reason = (error.stderr ?? String(error)).split('\n').find((line) => /Error|memory/i.test(line)) ?? 'failed';
      result = { failed: reason.trim().slice(0, 160) };
    }
    console.log(`${store} ${count}: ${JSON.stringify(result)}`);
    results[key].push({ count, ...result });
  }
}

const row = (store, r, first) => {
  if (r.failed) return `| ${store} | ${r.count.toLocaleString('en')} | ${queries.map(() => '–').join(' | ')} | – | failed: ${r.failed.replaceAll('|', '/')} |`;
  const cells = queries.map(([name]) => {
    const t = r.times[name];
    return `${ms(t)} (${(t / first.times[name]).toFixed(2)}×)`;
  });
  return `| ${store} | ${r.count.toLocaleString('en')} | ${cells.join(' | ')} | ${Math.round(r.bytes).toLocaleString('en')} | ${(r.count / r.load).toFixed(0)} |`;
};
const rows = Object.entries(results).flatMap(([store, list]) => list.map((r) => row(store, r, list.find((x) => !x.failed) ?? r)));
const body = `## Scale: indexed queries at ${SIZES.map((n) => n.toLocaleString('en')).join(' → ')} members

${machine()}. The core as the package runs it (wasm in Node, admin, \`importMembers\` by 1,000), the bench members of
\`bench/members-data.mjs\`. Median ms of up to 500 calls after 10 warm-up calls; in brackets the growth against
${SIZES[0].toLocaleString('en')} members (target for the indexed two: ≤ 2× from the smallest to the largest; the third
shows what counting every match costs as they grow). Bytes per member: for memory
the wasm memory the store grew by (allocator slack and index included), for SQLite the database file and its WAL.

| store | members | ${queries.map(([name]) => `${name} ms`).join(' | ')} | bytes per member | loaded members/s |
|---|---:|${queries.map(() => '---:').join('|')}|---:|---:|
${rows.join('\n')}
`;
console.log(body);
if (WRITE) writeSection('scale', body);
