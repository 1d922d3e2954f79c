// The foundation benchmark, wasm side: loads the same 100k members through the
// packaged `members` API in Node, times the same six queries, and writes the
// medians beside the native ones (argv[2]) to bench/RESULTS.md.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { members, elevate, configure } from '../pkg/node.mjs';
import { machine, medianMs, ms as fmt, writeSection } from './results.mjs';

const native = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const inputs = JSON.parse(readFileSync(new URL('../.build/bench-members.json', import.meta.url), 'utf8'));
const queries = JSON.parse(readFileSync(new URL('./queries.json', import.meta.url), 'utf8'));

configure({ database: 'memory:' });
const create = elevate(members.createMember);
const block = elevate(members.blockMember);
const loadStart = performance.now();
for (const { block: blocked, ...member } of inputs) {
  const created = await create({ member });
  if (blocked) await block(created._id);
}
const loadMs = performance.now() - loadStart;

// The builder call a user would write for each query of bench/queries.json.
const builders = {
  'eq slug': (q) => q.eq('profile.slug', 'target-member'),
  'startsWith nickname, limit 50': (q) => q.startsWith('profile.nickname', 'priya sv').limit(50),
  'status in [...] by _createdDate desc': (q) => q.in('status', ['BLOCKED', 'PENDING']).descending('_createdDate'),
  'or of two fields': (q) => q.eq('profile.title', 'Pilot').or(q.eq('privacyStatus', 'PRIVATE')),
  'search substring': () => members.queryMembers({ search: { expression: 've sv', fields: ['profile.nickname'] } }),
  'deep page (skip 5,000)': (q) => q.limit(50).skip(5000),
};

const query = elevate(members.queryMembers);
const rows = [];
for (const { name } of queries) {
  const builder = builders[name](query());
  const wasm = await medianMs(() => builder.find());
  const nativeMs = native.queries.find((q) => q.name === name).median_ms;
  rows.push({ name, wasm, native: nativeMs, total: (await builder.find()).totalCount });
}

const table = rows
  .map((r) => `| ${r.name} | ${r.total} | ${fmt(r.native)} | ${fmt(r.wasm)} | ${(r.wasm / r.native).toFixed(2)}× |`)
  .join('\n');
const report = `## Foundation: ${inputs.length.toLocaleString('en')} members, wasm in Node vs the same core native

${machine()}. Medians of up to 500 runs (at least 15, about 1 s per query) after 10 warm-up runs, as an admin,
memory store. Timings on this shared 2-core machine vary by roughly ±10–20% between runs.

Loading (createMember + blocking every 10th): native ${(native.load_ms / 1000).toFixed(1)} s, wasm ${(loadMs / 1000).toFixed(1)} s.

| query | matches | native ms | wasm ms | wasm / native |
|---|---:|---:|---:|---:|
${table}

Targets (reported, not asserted): wasm ≤ 1.5× native; indexed queries (eq slug, startsWith nickname) under 1 ms.
`;
writeSection('foundation', report);
console.log(report);
