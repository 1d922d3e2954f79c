// A quick Node start (issue 14): importing the Node entry compiles no wasm and
// loads no driver; the first call compiles the engine once (synchronously), or
// `await ready()` compiles it ahead, asynchronously; a `memory:` start loads
// neither native driver, and a SQLite start loads better-sqlite3 but not pg.
// No module of the Node entry or the CLI has a top-level await: esbuild can
// bundle them as CommonJS, which it refuses for a top-level await.
// Each case runs in a fresh process, where WebAssembly's compile calls are counted.
// V8 compiles a wasm function when it first runs, so the first call pays for
// every function it enters: no engine function may be huge (one was 134 KiB, every
// operation's future inlined into one, and the first find() compiled it all).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageFile = (name) => fileURLToPath(new URL(`./${name}`, import.meta.resolve('universal-members')));
// By its file: the processes run in a temp folder (where the SQLite default file goes).
const ENTRY = JSON.stringify(pathToFileURL(packageFile('node.mjs')).href);

// Counts WebAssembly compilations and tells which npm packages are loaded.
const PRELUDE = `
const counts = { Module: 0, compile: 0 };
const { Module, compile } = WebAssembly;
WebAssembly.Module = new Proxy(Module, { construct(target, args) { counts.Module++; return new target(...args); } });
WebAssembly.compile = (...args) => { counts.compile++; return compile(...args); };
const { createRequire } = await import('node:module');
const cache = createRequire(import.meta.url).cache;
const loaded = (name) => Object.keys(cache).some((file) => file.includes(\`/node_modules/\${name}/\`));
const state = () => ({ ...counts, sqlite: loaded('better-sqlite3'), pg: loaded('pg') });
`;

// The defaults, not a database this shell names.
const { MEMBERS_DATABASE_URL: _, ...withoutDatabaseUrl } = process.env;

/** Runs `body` after the prelude in a fresh process (in a temp folder); returns what it prints as JSON. */
function inFreshProcess(body) {
  const dir = mkdtempSync(join(tmpdir(), 'members-cold-'));
  try {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', PRELUDE + body], {
      cwd: dir, encoding: 'utf8', timeout: 30_000, env: withoutDatabaseUrl,
    });
    assert.equal(child.status, 0, child.stderr);
    return JSON.parse(child.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the import compiles nothing; the first call compiles the engine once; memory: loads no driver', () => {
  const steps = inFreshProcess(`
    const { members, configure } = await import(${ENTRY});
    const imported = state();
    configure({ database: 'memory:' });
    await members.queryMembers().find();
    const called = state();
    await members.queryMembers().find();
    console.log(JSON.stringify({ imported, called, again: state() }));`);
  assert.deepEqual(steps.imported, { Module: 0, compile: 0, sqlite: false, pg: false }, 'the import alone');
  assert.deepEqual(steps.called, { Module: 1, compile: 0, sqlite: false, pg: false }, 'after the first call');
  assert.deepEqual(steps.again, steps.called, 'nothing more later');
});

test('await ready() compiles the engine ahead, asynchronously, and calls then compile nothing', () => {
  const steps = inFreshProcess(`
    const { members, configure, ready } = await import(${ENTRY});
    await ready();
    const readied = state();
    await ready();
    configure({ database: 'memory:' });
    await members.queryMembers().find();
    console.log(JSON.stringify({ readied, called: state() }));`);
  assert.deepEqual(steps.readied, { Module: 0, compile: 1, sqlite: false, pg: false });
  assert.deepEqual(steps.called, steps.readied, 'the call and a second ready() compiled nothing more');
});

test('the SQLite default loads better-sqlite3 on its first call, and not pg', () => {
  const steps = inFreshProcess(`
    const { members } = await import(${ENTRY});
    const imported = state();
    const { items } = await members.queryMembers().find();
    console.log(JSON.stringify({ imported, called: state(), items: items.length }));`);
  assert.deepEqual(steps.imported, { Module: 0, compile: 0, sqlite: false, pg: false });
  assert.deepEqual(steps.called, { Module: 1, compile: 0, sqlite: true, pg: false });
  assert.equal(steps.items, 0);
});

const repoRoot = process.env.MEMBERS_REPO_ROOT;
const esbuild = repoRoot ? createRequire(join(repoRoot, 'package.json'))('esbuild') : null;

test('no top-level await in the Node entry or the CLI: both bundle as CommonJS', { skip: esbuild ? false : 'esbuild resolves from the repository: set MEMBERS_REPO_ROOT' }, async () => {
  for (const entry of ['node.mjs', 'cli.mjs']) {
    const result = await esbuild.build({
      entryPoints: [packageFile(entry)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      logLevel: 'silent',
      external: ['better-sqlite3', 'pg', 'nodemailer', 'csv-parse', 'csv-stringify', 'cli-progress'],
    }).catch((error) => error);
    assert.ok(!(result instanceof Error), `${entry}: ${result?.errors?.map((e) => e.text).join('; ')}`);
    assert.ok(result.outputFiles[0].text.length > 0);
  }
});

/** The body sizes in bytes of the functions in a wasm binary's code section. */
function functionSizes(bytes) {
  let at = 8; // past the magic number and the version
  const leb = () => {
    let value = 0;
    let shift = 0;
    let byte;
    do {
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const length = leb();
    const end = at + length;
    if (id === 10) {
      const sizes = [];
      for (let count = leb(); count > 0; count--) {
        const size = leb();
        sizes.push(size);
        at += size;
      }
      return sizes;
    }
    at = end;
  }
  throw new Error('no code section');
}

const HUGE_FUNCTION = 64 * 1024;

test('no engine wasm function is huge: the first call compiles only what it runs', () => {
  const sizes = functionSizes(readFileSync(packageFile('wasm/universal_members_bg.wasm')));
  assert.ok(sizes.length > 100, `found ${sizes.length} functions`);
  const largest = Math.max(...sizes);
  assert.ok(largest < HUGE_FUNCTION, `the largest function is ${(largest / 1024).toFixed(1)} KiB (bound ${HUGE_FUNCTION / 1024} KiB)`);
});
