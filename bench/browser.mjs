// What a page pays for the members API, side by side in one run: the bytes it
// loads (our browser entry bundled and minified by esbuild, plus the client wasm,
// against the official Wix SDK members client bundled the same way), the time from
// navigation to the first queryMembers().find() result in headless Chromium against
// a real server, and the engine wasm Node loads (its size and compile time).
// Writes the `browser` section of RESULTS.md. Needs `make build` (and `make pack`
// for the installed tarball in .build/pkgtest).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launchBrowser, tempDir } from '../tests/e2e/support.mjs';
import { machine, writeSection } from './results.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PKGTEST = path.resolve(process.env.MEMBERS_PKGTEST ?? path.join(ROOT, '.build', 'pkgtest'));
const INSTALLED = path.join(PKGTEST, 'node_modules', 'universal-members');
const ESBUILD = path.join(ROOT, 'node_modules', '.bin', 'esbuild');
const work = path.join(PKGTEST, 'bench-browser');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const kb = (bytes) => (bytes / 1024).toFixed(1);
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;

/** esbuild --bundle --minify of `source` (ESM, browser); returns the bundle's bytes. */
function bundle(name, source, resolveDir) {
  const entry = path.join(resolveDir, `${name}.entry.js`);
  writeFileSync(entry, source);
  const out = path.join(work, `${name}.js`);
  execFileSync(ESBUILD, [entry, '--bundle', '--minify', '--format=esm', '--platform=browser', `--outfile=${out}`], { stdio: 'pipe' });
  return readFileSync(out);
}

// 1. Payload. Our page: the browser entry and the client wasm it fetches.
const oursJs = bundle('ours', `import { members } from 'universal-members';
members.queryMembers().limit(20).find().then((r) => { window.__firstFind = { ms: performance.now(), items: r.items.length }; });
`, PKGTEST);
const clientWasm = readFileSync(path.join(INSTALLED, 'wasm', 'client', 'universal_members_bg.wasm'));
// The Wix SDK page: the same call through createClient + @wix/members (from the repo's dev tools).
const wixJs = bundle('wix', `import { createClient, ApiKeyStrategy } from '@wix/sdk';
import { members } from '@wix/members';
const client = createClient({ modules: { members }, auth: ApiKeyStrategy({ apiKey: 'bench-admin-key' }), host: { apiBaseUrl: location.host } });
window.__wix = () => client.members.queryMembers().limit(20).find();
`, path.join(ROOT, '.build')); // inside the repo, so the dev tools resolve; git ignores .build/
const engineWasm = readFileSync(path.join(INSTALLED, 'wasm', 'universal_members_bg.wasm'));

const ours = { js: oursJs.length, jsGz: gz(oursJs), wasm: clientWasm.length, wasmGz: gz(clientWasm) };
const wix = { js: wixJs.length, jsGz: gz(wixJs) };
const oursTotalGz = ours.jsGz + ours.wasmGz;
console.log(`payload: ours ${kb(ours.js + ours.wasm)} KB (${kb(oursTotalGz)} KB gzip), Wix SDK ${kb(wix.js)} KB (${kb(wix.jsGz)} KB gzip)`);

// 2. Navigation → first find: both pages from one https server (the Wix SDK
// only speaks https) that mounts the members routes with membersHandler, 50
// members in SQLite. Both ask for 20 members; the Wix client with the admin key
// as its API key, ours as the page's visitor.
const temp = tempDir('members-bench-browser-');
const database = `sqlite:${path.join(temp.dir, 'members.db')}`;
const node = await import(pathToFileURL(path.join(INSTALLED, 'node.mjs')).href);
node.configure({ database });
for (let i = 0; i < 50; i++) await node.elevate(node.members.createMember)({ member: { loginEmail: `m${i}@example.com`, profile: { nickname: `Member ${i}` } } });
await node.close();
const key = path.join(temp.dir, 'key.pem');
const cert = path.join(temp.dir, 'cert.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'pipe' });
const { membersHandler } = await import(pathToFileURL(path.join(INSTALLED, 'server.mjs')).href);
const ADMIN = 'bench-admin-key';
const handler = membersHandler({ database, adminKey: ADMIN, log: () => {} });
const page = (script) => `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">${script}</script>`;
const files = {
  '/ours.js': [oursJs, 'text/javascript'],
  '/universal_members_bg.wasm': [clientWasm, 'application/wasm'],
  '/wix.js': [wixJs, 'text/javascript'],
  '/ours.html': [page('import "/ours.js";'), 'text/html'],
  '/wix.html': [page(`import "/wix.js"; window.__wix().then((r) => { window.__firstFind = { ms: performance.now(), items: r.items.length }; });`), 'text/html'],
};
const site = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (request, response) => handler(request, response, () => {
  const file = files[new URL(request.url, 'https://x').pathname];
  if (!file) return response.writeHead(404).end();
  response.writeHead(200, { 'content-type': file[1], 'cache-control': 'no-store' });
  response.end(file[0]);
}));
await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
const origin = `https://127.0.0.1:${site.address().port}`;
const browser = await launchBrowser();
const RUNS = 15;
const firstFind = { ours: [], wix: [] };
// Paired: each run loads both pages, in alternating order, each in a cold context.
for (let i = 0; i < RUNS + 2; i++) {
  for (const who of i % 2 ? ['wix', 'ours'] : ['ours', 'wix']) {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const tab = await context.newPage();
    await tab.goto(`${origin}/${who}.html`);
    const seen = await tab.waitForFunction(() => window.__firstFind, null, { timeout: 15_000 }).then((h) => h.jsonValue());
    if (seen.items !== 20) throw new Error(`the ${who} page found ${seen.items} members, not 20`);
    if (i >= 2) firstFind[who].push(seen.ms); // performance.now() counts from navigation start
    await context.close();
  }
}
await browser.close();
await handler.close();
site.close();
site.closeAllConnections();
temp.remove();
console.log(`navigation → first find: ours ${median(firstFind.ours).toFixed(1)} ms (${range(firstFind.ours)}), Wix SDK ${median(firstFind.wix).toFixed(1)} ms (${range(firstFind.wix)})`);

// 3. The engine wasm Node loads: size and compile time (median of 9).
const compiles = [];
for (let i = 0; i < 9; i++) {
  const t = performance.now();
  await WebAssembly.compile(engineWasm);
  compiles.push(performance.now() - t);
}
console.log(`engine wasm: ${kb(engineWasm.length)} KB (${kb(gz(engineWasm))} KB gzip), compile ${median(compiles).toFixed(1)} ms`);

writeSection('browser', `## Browser payload and first call; the engine wasm

${machine()}. Bundles by esbuild 0.28 (\`--bundle --minify --format=esm\`), gzip -9.
Chromium headless, a fresh browser context (cold cache) per page load; both pages and
the members routes (\`membersHandler\`, SQLite, 50 members) on one https server on
127.0.0.1 (the Wix SDK only speaks https); ${RUNS} paired runs after 2 warm-ups.

| what a page loads | raw KB | gzip KB |
|---|---:|---:|
| ours: browser entry + glue (JS) | ${kb(ours.js)} | ${kb(ours.jsGz)} |
| ours: client wasm | ${kb(ours.wasm)} | ${kb(ours.wasmGz)} |
| **ours: total** | **${kb(ours.js + ours.wasm)}** | **${kb(oursTotalGz)}** |
| official Wix SDK members client (\`@wix/sdk\` + \`@wix/members\`) | ${kb(wix.js)} | ${kb(wix.jsGz)} |
| ratio ours / Wix (gzip; target ≤ 2×, i.e. ≤ ${kb(2 * wix.jsGz)} KB) | | ${(oursTotalGz / wix.jsGz).toFixed(2)}× |

| | median ms | min–max |
|---|---:|---:|
| navigation → first \`queryMembers().limit(20).find()\` result: ours | ${median(firstFind.ours).toFixed(1)} | ${range(firstFind.ours)} |
| the same with the Wix SDK client (\`@wix/sdk\` + \`@wix/members\`, same server) | ${median(firstFind.wix).toFixed(1)} | ${range(firstFind.wix)} |
| engine wasm compile in Node (\`WebAssembly.compile\`, median of 9) | ${median(compiles).toFixed(1)} | ${range(compiles)} |

Engine wasm (Node, the server, \`universal-members/engine\`): ${kb(engineWasm.length)} KB raw, ${kb(gz(engineWasm))} KB gzip.
`);
