// What the browser tests share: a real members server process (the package's
// `cli.mjs serve` on SQLite), headless Chromium, the admin REST API over HTTP, and
// a tiny second web server for pages of another origin, a webhook receiver, and a
// keyboard-only pass any page can be put through. No assertions on the members
// rules here. The package tested is pkg/ as built by `make build`, or the
// folder named by MEMBERS_E2E_PKG (e.g. an installed copy of the package).
import assert from 'node:assert/strict';
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

/** A local webhook receiver: records every POST and answers 200. */
export function startReceiver() {
  const received = [];
  const http_ = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      received.push({ path: request.url, headers: request.headers, body });
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('ok');
    });
  });
  return new Promise((resolve) => http_.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${http_.address().port}/hook`,
    received,
    close: () => new Promise((done) => { http_.close(done); http_.closeAllConnections?.(); }),
  })));
}

/** Waits until `check()` is truthy (polling), or fails with `what`. */
export async function until(check, what, timeout = 10_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A keyboard-only pass: from the first control, Tab must reach every visible,
 * enabled control of the page (or of the open modal dialog, which holds focus),
 * each once and in document order (the page uses no positive tabindex, so DOM
 * order is the reading order). A radio group is one stop. Focus is put back
 * where it was afterwards. Fails naming the controls skipped or out of order.
 */
export async function assertKeyboardPass(page, label) {
  const expected = await page.evaluate(() => {
    const root = document.querySelector('dialog[open]') ?? document.body;
    const seenRadio = new Set();
    const stops = [...root.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')].filter((el) => {
      if (el.disabled || el.type === 'hidden' || el.closest('[inert], dialog:not([open])')) return false;
      // A native control must be reachable whatever its tabindex; other elements only when they ask to be.
      const native = el.matches('a[href], button, input, select, textarea, summary');
      if (!native && el.tabIndex < 0) return false;
      const style = getComputedStyle(el);
      if (el.getClientRects().length === 0 || style.visibility === 'hidden') {
        // The skip link is off-screen until focused, and still a stop.
        return el.classList.contains('skip');
      }
      if (el.type === 'radio') {
        const group = el.name || el.id;
        const checked = root.querySelector(`input[type=radio][name="${CSS.escape(group)}"]:checked`);
        if (seenRadio.has(group) || (checked && checked !== el)) return false;
        seenRadio.add(group);
      }
      return true;
    });
    window.__keyboardWas = document.activeElement;
    stops.forEach((el, i) => { el.dataset.kbStop = String(i); });
    stops[0]?.focus();
    const name = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.getAttribute('aria-label') ?? el.textContent ?? el.value ?? '').trim().slice(0, 30)}"`;
    return stops.map(name);
  });
  const reached = [];
  if (expected.length) reached.push(0);
  for (let presses = 0; presses < expected.length * 3 + 5 && reached.length < expected.length; presses++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => document.activeElement?.dataset.kbStop ?? null);
    if (stop === null) break; // out of the page (browser UI) or on something that is not a stop
    const index = Number(stop);
    if (index === reached.at(-1)) continue; // a date input's parts are one control here
    if (index === 0) break; // wrapped round (a modal dialog)
    reached.push(index);
  }
  await page.evaluate(() => {
    document.querySelectorAll('[data-kb-stop]').forEach((el) => delete el.dataset.kbStop);
    window.__keyboardWas?.focus?.();
    delete window.__keyboardWas;
  });
  const missed = expected.filter((_, i) => !reached.includes(i));
  assert.deepEqual(missed, [], `Tab does not reach these controls on ${label}`);
  const order = reached.map((i) => expected[i]);
  assert.deepEqual(order, expected, `Tab order on ${label} is not the reading order`);
}
