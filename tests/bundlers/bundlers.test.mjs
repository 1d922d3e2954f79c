// A user's app built with Vite, webpack and esbuild, each with its default settings,
// from the packed tarball (installed in $MEMBERS_PKGTEST as `npm i` would), then
// run in Chromium against a real members server on another origin. Proves the
// entries have no top-level await (Vite's default target refuses it) and that a
// page ships only the client core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, adminApi, launchBrowser, startServer, tempDir, watchErrors } from '../e2e/support.mjs';

const PKGTEST = path.resolve(process.env.MEMBERS_PKGTEST ?? path.join(ROOT, '.build', 'pkgtest'));
const INSTALLED = path.join(PKGTEST, 'node_modules', 'universal-members');
const CLIENT_WASM = path.join(INSTALLED, 'wasm', 'client', 'universal_members_bg.wasm');
const ENGINE_WASM = path.join(INSTALLED, 'wasm', 'universal_members_bg.wasm');
const run = promisify(execFile);

let temp;
let apps;
let server;
let browser;
let site;

/** Serves a folder of built files; everything else is 404. */
function serveDir(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const files = http.createServer((request, response) => {
    const file = path.join(dir, decodeURIComponent(new URL(request.url, 'http://x').pathname));
    if (!file.startsWith(dir) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  return new Promise((resolve) => files.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${files.address().port}`,
    close: () => new Promise((done) => { files.close(done); files.closeAllConnections(); }),
  })));
}

before(async () => {
  temp = tempDir('members-bundlers-');
  // The app lives inside the install folder so `universal-members` resolves to the tarball.
  apps = path.join(PKGTEST, 'bundler-apps');
  cpSync(path.join(ROOT, 'tests', 'bundlers', 'app'), apps, { recursive: true });
  writeFileSync(path.join(apps, 'package.json'), '{ "name": "bundled-app", "private": true, "type": "module" }\n');
  site = await serveDir(path.join(apps, 'out'));
  server = await startServer({ database: path.join(temp.dir, 'members.db'), env: { MEMBERS_CORS_ORIGINS: site.url } });
  await adminApi(server.url).createMember({ loginEmail: 'bea@example.com', profile: { nickname: 'Bundled Bea' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await site?.close();
  temp?.remove();
});

/** Every file under `dir`, relative. */
const filesIn = (dir) => readdirSync(dir, { recursive: true }).filter((f) => statSync(path.join(dir, f)).isFile());

/** Opens the built page and waits for what app.js writes. */
async function runApp(page, at = site) {
  const tab = await browser.newPage();
  const errors = watchErrors(tab);
  await tab.goto(`${at.url}/${page}?server=${encodeURIComponent(server.url)}`);
  await tab.waitForFunction(() => document.body.dataset.found && document.body.dataset.refused, null, { timeout: 15_000 });
  const seen = await tab.evaluate(() => ({ ...document.body.dataset }));
  await tab.close();
  // Chromium logs the refused call's 400 itself; anything else is the app failing.
  return { seen, errors: errors.filter((e) => !(e.text.includes('status of 400') && e.url.endsWith('/not-an-id'))) };
}

test('vite build with its default settings, then the app runs in Chromium', async () => {
  const built = await run(path.join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--outDir', 'out', '--emptyOutDir'], { cwd: apps });
  assert.doesNotMatch(built.stdout + built.stderr, /top-level await/i);
  const wasm = filesIn(path.join(apps, 'out')).filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one wasm file in the build: ${wasm}`);
  assert.equal(statSync(path.join(apps, 'out', wasm[0])).size, statSync(CLIENT_WASM).size, 'the client core, not the engine');
  const { seen, errors } = await runApp('index.html');
  assert.equal(seen.found, JSON.stringify(['Bundled Bea']));
  assert.equal(seen.refused, 'true INVALID_ARGUMENT', 'a MembersError crosses the bundle as itself');
  assert.deepEqual(errors, []);
});

test('esbuild --bundle with its default settings, the wasm copied beside it', async () => {
  const out = path.join(apps, 'out');
  const built = await run(path.join(ROOT, 'node_modules', '.bin', 'esbuild'),
    ['esbuild-entry.js', '--bundle', `--outfile=${path.join(out, 'bundle.js')}`, `--metafile=${path.join(temp.dir, 'meta.json')}`], { cwd: apps });
  assert.doesNotMatch(built.stderr, /error/i);
  const inputs = Object.keys(JSON.parse(readFileSync(path.join(temp.dir, 'meta.json'), 'utf8')).inputs);
  assert.ok(inputs.some((f) => f.endsWith('wasm/client/universal_members.js')), 'the client glue is bundled');
  assert.ok(!inputs.some((f) => /wasm\/universal_members\.js$/.test(f)), 'the engine glue is not');
  cpSync(path.join(apps, 'esbuild.html'), path.join(out, 'esbuild.html'));
  // Before the wasm is copied: the calls reject as a MembersError naming what did not load.
  const missing = (await runApp('esbuild.html')).seen;
  assert.match(missing.found, /^error: the members client core could not load/);
  assert.equal(missing.refused, 'true UNAVAILABLE');
  cpSync(CLIENT_WASM, path.join(out, 'universal_members_bg.wasm'));
  const { seen, errors } = await runApp('esbuild.html');
  assert.equal(seen.found, JSON.stringify(['Bundled Bea']));
  assert.equal(seen.refused, 'true INVALID_ARGUMENT');
  assert.deepEqual(errors, []);
});

test('webpack with no config at all, then the app runs in Chromium', async () => {
  const app = path.join(PKGTEST, 'bundler-webpack-app');
  cpSync(path.join(ROOT, 'tests', 'bundlers', 'webpack-app'), app, { recursive: true });
  cpSync(path.join(ROOT, 'tests', 'bundlers', 'app', 'app.js'), path.join(app, 'src', 'app.js'));
  writeFileSync(path.join(app, 'package.json'), '{ "name": "webpack-app", "private": true, "type": "module" }\n');
  await run(path.join(ROOT, 'node_modules', '.bin', 'webpack'), [], { cwd: app });
  const wasm = filesIn(path.join(app, 'dist')).filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one wasm file in the build: ${wasm}`);
  assert.equal(statSync(path.join(app, 'dist', wasm[0])).size, statSync(CLIENT_WASM).size, 'the client core');
  // Served from the site the members server allows (webpack finds its assets from the script's URL).
  cpSync(path.join(app, 'index.html'), path.join(apps, 'out', 'webpack', 'index.html'));
  cpSync(path.join(app, 'dist'), path.join(apps, 'out', 'webpack', 'dist'), { recursive: true });
  const { seen, errors } = await runApp('webpack/index.html');
  assert.equal(seen.found, JSON.stringify(['Bundled Bea']));
  assert.equal(seen.refused, 'true INVALID_ARGUMENT');
  assert.deepEqual(errors, []);
});

test('universal-members/engine: the whole engine in a page, bundled by Vite', async () => {
  const app = path.join(PKGTEST, 'bundler-engine-app');
  cpSync(path.join(ROOT, 'tests', 'bundlers', 'engine-app'), app, { recursive: true });
  writeFileSync(path.join(app, 'package.json'), '{ "name": "engine-app", "private": true, "type": "module" }\n');
  await run(path.join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '--outDir', 'out', '--emptyOutDir'], { cwd: app });
  const wasm = filesIn(path.join(app, 'out')).filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1);
  assert.equal(statSync(path.join(app, 'out', wasm[0])).size, statSync(ENGINE_WASM).size, 'the engine core');
  const pages = await serveDir(path.join(app, 'out'));
  try {
    const { seen, errors } = await runApp('index.html', pages);
    assert.equal(seen.found, JSON.stringify([null, 'Ana']), 'an admin create and a registration (no nickname, so it sorts first), in the page');
    assert.equal(seen.refused, 'eve@example.com UNAUTHENTICATED', 'a session is its member; a visitor may not create');
    assert.deepEqual(errors, []);
  } finally {
    await pages.close();
  }
});

test('the client core holds no engine: no Argon2, no SQL, no engine exports, and a size bound', async () => {
  const client = readFileSync(CLIENT_WASM);
  const engine = readFileSync(ENGINE_WASM);
  // Each marker is in the engine, so its absence from the client means something.
  for (const marker of ['argon2', 'CREATE TABLE', 'INSERT INTO']) {
    assert.ok(engine.includes(marker), `the engine has ${marker}`);
    assert.ok(!client.includes(marker), `the client has no ${marker}`);
  }
  const exported = async (bytes) => WebAssembly.Module.exports(await WebAssembly.compile(bytes)).map((e) => e.name);
  const [clientExports, engineExports] = [await exported(client), await exported(engine)];
  for (const name of ['members_open', 'members_handle', 'hashPassword', 'members_claimWebhookDeliveries', 'members_importRows']) {
    assert.ok(engineExports.includes(name), `the engine exports ${name}`);
    assert.ok(!clientExports.includes(name), `the client does not export ${name}`);
  }
  assert.ok(clientExports.includes('members_browser') && clientExports.includes('membersquerybuilder_find'));
  assert.ok(client.length < 256 * 1024, `client wasm ${client.length} bytes`);
});
