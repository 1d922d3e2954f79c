// The wasm boundary benchmark (issue 15, item 2). DESIGN.md names serde-wasm-bindgen
// for values crossing between JS and the core; the core sends them as JSON text
// instead (src/wasm/convert.rs). This measures both on the same values, in one run,
// inside one wasm module built like the engine (bench/boundary/): arguments in
// (a getMember options bag, a createMember input, a query) and results out (one
// FULL member, a page of 50, a member-created event), each way timed over batches
// of calls in alternating rounds. The values come from the real engine (memory
// store). Writes the `boundary` section of RESULTS.md (`--no-write`: print only).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { members, elevate, configure } from '../pkg/node.mjs';
import { machine, writeSection } from './results.mjs';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const TARGET = path.join(ROOT, 'target/boundary-bench');
const OUT = path.join(ROOT, '.build/boundary');
const WRITE = !process.argv.includes('--no-write');

execFileSync('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--manifest-path', 'bench/boundary/Cargo.toml',
  '--target-dir', TARGET], { cwd: ROOT, stdio: 'inherit' });
execFileSync('wasm-bindgen', ['--target', 'web', '--out-dir', OUT, path.join(TARGET, 'wasm32-unknown-unknown/release/boundary_bench.wasm')],
  { cwd: ROOT, stdio: 'inherit' });
const glue = await import(path.join(OUT, 'boundary_bench.js'));
glue.initSync({ module: readFileSync(path.join(OUT, 'boundary_bench_bg.wasm')) });

// Values as the core takes and gives them, from the real engine.
configure({ database: 'memory:' });
let event;
members.onMemberCreated((e) => { event ??= e; });
const rich = (i) => ({
  loginEmail: `ana.${i}@example.com`,
  contact: {
    firstName: 'Ana', lastName: `Souza ${i}`,
    phones: ['+351 912 345 678'],
    emails: [`ana.${i}@work.example.com`],
    addresses: [{ streetAddress: { number: '12', name: 'Rua Augusta' }, city: 'Lisboa', postalCode: '1100-053', country: 'PT' }],
    customFields: { plan: { value: 'pro' }, score: { name: 'Score', value: 42 + i } },
  },
  profile: { nickname: `Ana S ${i}`, title: 'Engineer' },
});
const create = elevate(members.createMember);
for (let i = 0; i < 50; i++) await create({ member: rich(i) });
const page = await elevate(members.queryMembers)({ fieldsets: ['FULL'] }).limit(50).find();
const one = page.items[0];
await new Promise((resolve) => setImmediate(resolve));
const asJson = (value) => JSON.parse(JSON.stringify(value));

const inputs = [
  ['getMember options', { fieldsets: ['FULL'] }],
  ['createMember input', { member: rich(99) }],
  ['a query (filter, sort, paging)', { filter: { $and: [{ 'profile.nickname': { $startsWith: 'al' } }, { status: { $in: ['APPROVED', 'PENDING'] } }] }, sort: [{ fieldName: '_createdDate', order: 'DESC' }], paging: { limit: 50 } }],
];
const outputs = [
  ['one FULL member', asJson(one)],
  ['a page of 50 FULL members', asJson({ items: page.items, totalCount: page.totalCount })],
  ['a member-created event', asJson(event)],
];

const BATCH = 200;
const ROUNDS = 15;
/** µs per call of `fn(times)`, median over alternating rounds of both ways. */
function timeBoth(json, swb) {
  const runs = { json: [], swb: [] };
  for (let round = 0; round < ROUNDS + 3; round++) {
    for (const [name, fn] of round % 2 ? [['swb', swb], ['json', json]] : [['json', json], ['swb', swb]]) {
      const t = performance.now();
      fn(BATCH);
      const us = ((performance.now() - t) * 1000) / BATCH;
      if (round >= 3) runs[name].push(us);
    }
  }
  const stats = (list) => {
    const sorted = [...list].sort((a, b) => a - b);
    return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1) };
  };
  return { json: stats(runs.json), swb: stats(runs.swb) };
}

const rows = [];
for (const [name, value] of inputs) {
  assert.ok(glue.same_in(value), `${name}: both ways read the same value`);
  const size = JSON.stringify(value).length;
  rows.push({ path: 'in', name, size, ...timeBoth((n) => glue.in_json(value, n), (n) => glue.in_swb(value, n)) });
}
for (const [name, value] of outputs) {
  const n = glue.prepare(JSON.stringify(value));
  assert.deepEqual(glue.out_json(n, 1), glue.out_swb(n, 1), `${name}: both ways give the same object`);
  rows.push({ path: 'out', name, size: JSON.stringify(value).length, ...timeBoth((k) => glue.out_json(n, k), (k) => glue.out_swb(n, k)) });
}

const f = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const cell = (s) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
const table = rows.map((r) => `| ${r.path} | ${r.name} | ${r.size.toLocaleString('en')} | ${cell(r.json)} | ${cell(r.swb)} | ${(r.swb.median / r.json.median).toFixed(2)}× |`);
const slower = rows.filter((r) => r.json.median > r.swb.median).map((r) => `${r.path}: ${r.name}`);
const conclusion = slower.length === 0
  ? `JSON text is the faster way on every path measured, so the core keeps it and serde-wasm-bindgen is not a dependency.`
  : `serde-wasm-bindgen is faster on ${slower.length} of ${rows.length} paths (${slower.join('; ')}); JSON text on the rest.`;
const body = `## The wasm boundary: JSON text vs serde-wasm-bindgen

${machine()}. One wasm module built like the engine (\`bench/boundary/\`: opt-level s, LTO, serde_json with
float_roundtrip, serde-wasm-bindgen 0.6 with its JSON-compatible serializer), the values taken from the real engine
(memory store). "JSON text" is what the core does (\`src/wasm/convert.rs\`): in, \`JSON.stringify\` in JS and
serde_json in wasm; out, serde_json text and \`JSON.parse\` in JS. serde-wasm-bindgen walks the JS value from wasm
(in) or builds the objects from wasm key by key (out). Both read and give the same values (checked first). µs per
crossing, median (min–max) of ${ROUNDS} rounds of ${BATCH} calls, the two ways alternating; date revival, which both would
need, is left out of both.

| way | value | JSON bytes | JSON text µs | serde-wasm-bindgen µs | swb / JSON |
|---|---|---:|---:|---:|---:|
${table.join('\n')}

${conclusion}
`;
console.log(body);
if (WRITE) writeSection('boundary', body);
