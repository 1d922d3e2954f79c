// The Node cold-start benchmark (issue 14): a whole `node` process that imports
// `universal-members` by name and makes its first in-process call, against a bare
// `node -e 0`, run alternately (pairs), so a machine whose speed drifts changes
// both sides of a pair alike. Cases: the import alone; `configure({ database:
// 'memory:' })` and a first `queryMembers().find()`; the same find on the SQLite
// default (`sqlite:./members.db`, the file already there, as on every start but
// the first). Prints a markdown table: the medians with min–max, and the median
// of the pair differences against the 30 ms target. Then where the time goes:
// the same start cut into steps by timing marks inside the process (median of
// the runs), the engine's compilation taken apart from the import and the call.
//
// usage: node bench/cold-start.mjs [--runs 20] [--package DIR] [--write]
//   --runs N       pairs per case (default 20), after one warm-up pair
//   --package DIR  the package folder to import (default: this repo's pkg/)
//   --write        also write it as the `cold-start` section of bench/RESULTS.md
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { machine, writeSection } from './results.mjs';

/** What the issue asks of import + first call, over `node -e 0`. */
const TARGET_MS = 30;

const CASES = [
  {
    name: 'an empty ES module (what any script costs)',
    source: '',
  },
  {
    name: 'import only',
    source: "import { members } from 'universal-members';\n",
  },
  {
    name: "import + configure({ database: 'memory:' }) + first find()",
    source: "import { members, configure } from 'universal-members';\n"
      + "configure({ database: 'memory:' });\n"
      + 'await members.queryMembers().find();\n',
  },
  {
    name: 'import + first find() on the SQLite default (sqlite:./members.db)',
    source: "import { members } from 'universal-members';\n"
      + 'await members.queryMembers().find();\n',
  },
];

const { values: flags } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, package: { type: 'string' }, write: { type: 'boolean' } },
});
const runs = Number(flags.runs);
if (!Number.isInteger(runs) || runs < 1) throw new TypeError(`--runs must be a whole number above 0, got ${flags.runs}`);
const packageDir = realpathSync(path.resolve(flags.package ?? fileURLToPath(new URL('../pkg', import.meta.url))));

// A project of its own that has the package by name, as a user's would: the
// scripts run there, so the SQLite default file is made there.
const project = mkdtempSync(path.join(os.tmpdir(), 'members-cold-start-'));
writeFileSync(path.join(project, 'package.json'), '{ "name": "cold-start", "private": true, "type": "module" }\n');
mkdirSync(path.join(project, 'node_modules'));
symlinkSync(packageDir, path.join(project, 'node_modules', 'universal-members'), 'dir');

// No MEMBERS_* settings from this shell: each case gets the defaults it names.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MEMBERS_') && key !== 'NODE_OPTIONS'));

/** Runs one whole process: `{ ms, stdout }`; throws if it fails. */
function run(args) {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, { cwd: project, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited ${child.status ?? child.signal}: ${child.stderr}`);
  return { ms, stdout: child.stdout };
}
const timed = (args) => run(args).ms;

// The steps of a start, timed inside one process: the engine is compiled and
// instantiated by hand (pkg/core.mjs's engine()) so that its cost shows apart.
const core = JSON.stringify(pathToFileURL(path.join(packageDir, 'core.mjs')).href);
const stepsScript = (database) => `
const marks = [['Node start → first line of the script', performance.now()]];
let last = performance.now();
const mark = (name) => { const now = performance.now(); marks.push([name, now - last]); last = now; };
const { members, configure } = await import('universal-members');
mark('import (every module, no wasm yet)');
const { readFileSync } = await import('node:fs');
const { engine, ENGINE_WASM } = await import(${core});
last = performance.now();
const bytes = readFileSync(ENGINE_WASM);
mark('read the engine wasm');
const module = new WebAssembly.Module(bytes);
mark(\`compile it (\${(bytes.length / 1024).toFixed(0)} KB, validation; functions compile on first call)\`);
engine(module);
mark('instantiate it');
configure(${database === undefined ? '' : JSON.stringify({ database })});
mark('configure() (URL, driver package, mailer, background work)');
await members.queryMembers().find();
mark('first find() (compiles the wasm functions it runs)');
await members.queryMembers().find();
mark('second find() (for contrast)');
console.log(JSON.stringify(marks));
`;

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const spread = (list) => `${median(list).toFixed(1)} (${Math.min(...list).toFixed(1)}–${Math.max(...list).toFixed(1)})`;

const rows = [];
const steps = [];
try {
  for (const { name, source } of CASES) {
    const script = path.join(project, `case-${rows.length}.mjs`);
    writeFileSync(script, source);
    const bare = [];
    const ours = [];
    // One pair first, not counted: disk caches, and the SQLite file is made.
    timed(['-e', '0']);
    timed([script]);
    for (let i = 0; i < runs; i++) {
      bare.push(timed(['-e', '0']));
      ours.push(timed([script]));
    }
    const over = ours.map((t, i) => t - bare[i]);
    rows.push({ name, bare, ours, over });
  }
  for (const [name, database] of [['memory:', 'memory:'], ['SQLite default', undefined]]) {
    const script = path.join(project, `steps-${steps.length}.mjs`);
    writeFileSync(script, stepsScript(database));
    run([script]);
    const all = Array.from({ length: runs }, () => JSON.parse(run([script]).stdout));
    steps.push({ name, steps: all[0].map(([step], i) => [step, median(all.map((marks) => marks[i][1]))]) });
  }
} finally {
  rmSync(project, { recursive: true, force: true });
}

const lines = [
  '## Node cold start: import + first call vs `node -e 0`',
  '',
  `A whole process importing \`universal-members\` and making its first call, against \`node -e 0\`, ${runs} pairs run alternately (${machine()}). Milliseconds, median (min–max); "over" is the median of the pair differences, target ≤ ${TARGET_MS} ms.`,
  '',
  '| case | `node -e 0` ms | with the package ms | over ms | within target |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map(({ name, bare, ours, over }) => `| ${name} | ${spread(bare)} | ${spread(ours)} | ${spread(over)} | ${median(over) <= TARGET_MS ? 'yes' : 'no'} |`),
  '',
  `Where the time goes: timing marks inside the process, median of ${runs} runs, ms (the first row is Node's own start, for scale).`,
  '',
  `| step | ${steps.map(({ name }) => name).join(' | ')} |`,
  `| --- | ${steps.map(() => '---').join(' | ')} |`,
  ...steps[0].steps.map(([step], i) => `| ${step} | ${steps.map((column) => column.steps[i][1].toFixed(1)).join(' | ')} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);
if (flags.write) writeSection('cold-start', lines.join('\n'));
