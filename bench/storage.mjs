// The persistence benchmark: 100k members on SQLite and on PostgreSQL. For
// getMember and the six foundation queries it times the `members` API against the
// very SQL the API ran (captured from the driver), executed directly with
// better-sqlite3 / pg in the same process, plus JSON.parse of the rows; and page 1
// vs page 1,000 by offset and by cursor. Writes the `storage` section of RESULTS.md.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Members, parseDatabaseUrl } from '../pkg/wasm/universal_members.js';
import { engine } from '../pkg/core.mjs';
import { openSqlite } from '../pkg/drivers/sqlite.mjs';
import { openPostgres } from '../pkg/drivers/postgres.mjs';
import Database from '../pkg/node_modules/better-sqlite3/lib/index.js';
import pg from '../pkg/node_modules/pg/lib/index.js';
import { machine, medianMs, ms, writeSection } from './results.mjs';
import { generateMembers } from './members-data.mjs';

// The wasm core loads on first use (pkg/core.mjs): load it now, registering MembersError.
engine();

const COUNT = Number(process.env.BENCH_MEMBERS ?? 100_000);
const PAGE = 50;
// The deep page: 1,000 unless the data set is too small for it.
const DEEP = Math.min(1000, Math.floor(COUNT / PAGE));

/** A driver that records every statement the core sends. */
function recording(driver) {
  const log = [];
  return {
    log,
    driver: {
      dialect: driver.dialect,
      query: (sql, params) => { log.push({ sql, params }); return driver.query(sql, params); },
      batch: (list) => driver.batch(list),
      close: () => driver.close(),
    },
  };
}

const queries = [
  ['eq slug', (q) => q.eq('profile.slug', 'target-member')],
  ['startsWith nickname, limit 50', (q) => q.startsWith('profile.nickname', 'priya sv').limit(50)],
  ['status in [...] by _createdDate desc', (q) => q.in('status', ['BLOCKED', 'PENDING']).descending('_createdDate')],
  ['or of two fields', (q) => q.eq('profile.title', 'Pilot').or(q.eq('privacyStatus', 'PRIVATE'))],
  ['search substring', (q, api) => api.queryMembers({ search: { expression: 've sv', fields: ['profile.nickname'] } })],
  ['deep page (skip 5,000)', (q) => q.limit(50).skip(5000)],
];

async function run(label, url, direct) {
  const location = parseDatabaseUrl(url);
  const base = location.kind === 'sqlite' ? openSqlite(location.target) : openPostgres(location.target);
  const { log, driver } = recording(base);
  const api = Members.open({}, driver).elevated();
  const loadStart = performance.now();
  let batch = [];
  for (const member of generateMembers(COUNT)) {
    batch.push(member);
    if (batch.length === 1000) { await api.importMembers(batch); batch = []; }
  }
  if (batch.length) await api.importMembers(batch);
  const loadS = (performance.now() - loadStart) / 1000;

  // Replays the statements one API call sent, as directly as the client allows.
  const replay = async (statements) => {
    for (const { sql, params } of statements) {
      const rows = await direct(sql, params);
      for (const row of rows) if (typeof row[0] === 'string' && row[0].startsWith('{')) JSON.parse(row[0]);
    }
  };
  const captured = async (call) => { log.length = 0; await call(); return log.splice(0); };

  const rows = [];
  const measure = async (name, call) => {
    // A repeated call, as the timed ones are: counts kept from the first one are
    // reused (src/store/sql/count_cache.rs), so the replay sends what they send.
    await call();
    const statements = await captured(call);
    const viaApi = await medianMs(call);
    const viaSql = await medianMs(() => replay(statements));
    rows.push(`| ${label} | ${name} | ${ms(viaSql)} | ${ms(viaApi)} | ${(viaApi / viaSql).toFixed(2)}× |`);
  };
  const middle = `00000000-0000-4000-8000-${Math.floor(COUNT / 2).toString(16).padStart(12, '0')}`;
  await measure('getMember', () => api.getMember(middle, { fieldsets: ['FULL'] }));
  for (const [name, build] of queries) await measure(name, () => build(api.queryMembers(), api).find());

  // Page 1 vs page 1,000 (50 a page), by offset and by cursor, newest first.
  const pages = [];
  const pageOne = () => api.queryMembers().limit(PAGE).find();
  pages.push(['offset', 'page 1', await medianMs(pageOne)]);
  pages.push(['offset', 'page 1,000', await medianMs(() => api.queryMembers().limit(PAGE).skip((DEEP - 1) * PAGE).find())]);
  let result = await pageOne();
  for (let i = 1; i < DEEP - 1; i++) result = await result.query.cursor(result.cursors.next).find();
  const cursor = result.cursors.next;
  pages.push(['cursor', 'page 1', pages[0][2]]);
  pages.push(['cursor', 'page 1,000', await medianMs(() => api.queryMembers().limit(PAGE).cursor(cursor).find())]);
  await driver.close();
  return { rows, pages, loadS };
}

const results = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'members-bench-'));
try {
  const file = path.join(dir, 'bench.db');
  const sqlite = new Database(file);
  results.push(await run('SQLite', `sqlite:${file}`, async (sql, params) => {
    const statement = sqlite.prepare(sql);
    return statement.reader ? statement.raw(true).all(params) : (statement.run(params), []);
  }));
  sqlite.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (process.env.MEMBERS_TEST_POSTGRES_URL) {
  const admin = new pg.Client(process.env.MEMBERS_TEST_POSTGRES_URL);
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS members_bench');
  await admin.query('CREATE DATABASE members_bench');
  await admin.end();
  const url = process.env.MEMBERS_TEST_POSTGRES_URL.replace(/\/[^/]*$/, '/members_bench');
  const client = new pg.Client(url);
  await client.connect();
  results.push(await run('PostgreSQL', url, async (sql, params) => (await client.query({ text: sql, values: params, rowMode: 'array' })).rows));
  await client.end();
}

const body = `## Persistence: ${COUNT.toLocaleString('en')} members on SQLite and PostgreSQL

${machine()}. Medians (up to 500 runs, about 1 s each, after 10 warm-ups), as an admin. "direct SQL"
replays exactly the statements the API sent for that call made a second time (captured from the driver; a count
kept from the first is reused, as in every timed call) with
better-sqlite3 / pg in the same process, plus \`JSON.parse\` of each member row; "API" is the
\`members\` call, wasm included. PostgreSQL is the local throw-away cluster (fsync on).
Load through \`importMembers\` in batches of 1,000: ${results.map((r, i) => `${i ? 'PostgreSQL' : 'SQLite'} ${r.loadS.toFixed(1)} s`).join(', ')}.

| store | call | direct SQL ms | API ms | API / SQL |
|---|---|---:|---:|---:|
${results.flatMap((r) => r.rows).join('\n')}

Page 1 vs page 1,000 (50 a page, newest first; every page also asks for the total, which is counted once and then kept while nothing is written):

| store | paging | page 1 ms | page 1,000 ms | ratio |
|---|---|---:|---:|---:|
${results.flatMap((r, i) => ['offset', 'cursor'].map((kind) => {
    const [p1, p1000] = r.pages.filter((p) => p[0] === kind).map((p) => p[2]);
    return `| ${i ? 'PostgreSQL' : 'SQLite'} | ${kind} | ${ms(p1)} | ${ms(p1000)} | ${(p1000 / p1).toFixed(2)}× |`;
  })).join('\n')}

Targets (reported, not asserted): API ≤ 1.3× direct SQL on SQLite; cursor page 1,000 within 2× of page 1.
`;
writeSection('storage', body);
console.log(body);
