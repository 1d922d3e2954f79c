// What the browser tests share: a real members server process (the package's
// `cli.mjs serve` on SQLite), headless Chromium, the admin REST API over HTTP, and
// a tiny second web server for pages of another origin. No assertions on the
// members rules here. The package tested is pkg/ as built by `make build`, or the
// folder named by MEMBERS_E2E_PKG (e.g. an installed copy of the package).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PKG = process.env.MEMBERS_E2E_PKG ? path.resolve(process.env.MEMBERS_E2E_PKG) : path.join(ROOT, 'pkg');
export const ADMIN_KEY = 'e2e-admin-key';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A fresh temporary folder, and the function that removes it. */
export function tempDir(prefix = 'members-e2e-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts `cli.mjs serve` from the package on a free port with a SQLite file and the
 * admin key; `env` adds environment variables. Resolves with { url, output(), stop() }.
 */
export function startServer({ database, env = {} }) {
  const child = spawn(process.execPath, [
    'cli.mjs', 'serve', '--port', '0', '--host', '127.0.0.1', '--db', `sqlite:${database}`, '--admin-key', ADMIN_KEY,
  ], { cwd: PKG, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the server did not start in 15 s: ${stderr}`));
    }, 15_000);
    child.stdout.on('data', (chunk) => {
      const before = stdout;
      stdout += chunk;
      const serving = /universal-members: serving (http:\/\/\S+)/.exec(stdout);
      if (serving && !/universal-members: serving (http:\/\/\S+)/.test(before)) {
        clearTimeout(timer);
        resolve({ child, url: serving[1], output: () => stdout + stderr, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before serving: ${stderr}`));
    });
  });
}

/** Headless Chromium as DESIGN.md pins it. */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Collects a page's console errors, uncaught exceptions and failed requests. */
export function watchErrors(page, into = []) {
  page.on('console', (message) => {
    if (message.type() === 'error') into.push({ text: `console: ${message.text()}`, url: message.location().url });
  });
  page.on('pageerror', (error) => into.push({ text: `page: ${error.stack ?? error.message}` }));
  page.on('requestfailed', (request) => into.push({ text: `request: ${request.url()} ${request.failure()?.errorText}` }));
  return into;
}

/**
 * One HTTP call to the members server: `headers` as given (an admin key, a cookie,
 * a foreign Origin…), `body` sent as JSON. Resolves with { status, headers, body }.
 */
export async function call(baseUrl, method, route, { headers = {}, body } = {}) {
  const response = await fetch(new URL(route, baseUrl), {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch { /* not JSON: keep the text */ }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** The admin API of one server (`Authorization: <key>`). */
export function adminApi(baseUrl) {
  const admin = (method, route, body) => call(baseUrl, method, route, { headers: { authorization: ADMIN_KEY }, body });
  return {
    call: admin,
    /** Creates a member; returns it (REST naming). */
    async createMember(member) {
      const { status, body } = await admin('POST', '/members/v1/members', { member });
      if (status !== 200) throw new Error(`createMember answered ${status}: ${JSON.stringify(body)}`);
      return body.member;
    },
    /** Reads any member with every field. */
    async getMember(id) {
      const { status, body } = await admin('GET', `/members/v1/members/${id}?fieldsets=FULL`);
      if (status !== 200) throw new Error(`getMember answered ${status}: ${JSON.stringify(body)}`);
      return body.member;
    },
  };
}

/** Serves `html` at / from a second origin (its own port on 127.0.0.1). */
export function serveHtml(html) {
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(html);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${server.address().port}`,
      close: () => new Promise((done) => { server.close(done); server.closeAllConnections?.(); }),
    }));
  });
}
