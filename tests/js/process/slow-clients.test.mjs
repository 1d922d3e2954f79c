// Slow and greedy clients against a real `serve` process (issue 13 item 5): a
// client dribbling its headers or its body a byte at a time is cut off after the
// headers / request timeout with 408, one address can not hold more than its
// share of connections (503 TOO_BUSY past it), an idle keep-alive connection is
// closed, and while all that goes on other clients' reads stay fast. A flood of
// logins is refused (RATE_LIMITED / TOO_BUSY) while reads stay fast too. The
// bounds are shortened through the environment so the test takes seconds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { startServer } from '../helpers.mjs';

const BASE = '/members/v1/members';
const HEADERS_TIMEOUT_MS = 1_500;
const REQUEST_TIMEOUT_MS = 2_500;
const IDLE_TIMEOUT_MS = 1_000;
const PER_ADDRESS = 30;

let server;
let port;

before(async () => {
  server = await startServer({
    env: {
      MEMBERS_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      MEMBERS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      MEMBERS_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
      MEMBERS_MAX_CONNECTIONS_PER_ADDRESS: String(PER_ADDRESS),
    },
  });
  port = new URL(server.baseUrl).port;
  const created = await fetch(`${server.baseUrl}${BASE}`, {
    method: 'POST',
    headers: { authorization: server.adminKey, 'content-type': 'application/json' },
    body: JSON.stringify({ member: { loginEmail: 'reader@example.com', profile: { nickname: 'Reader' } } }),
  });
  assert.equal(created.status, 200);
});

after(() => server?.stop());

/**
 * A raw connection that writes `head` and then `drip` one byte every `everyMs`,
 * recording what the server answers and when it closes.
 */
function dribbler(head, drip = 'X', everyMs = 200) {
  const socket = net.connect(port, '127.0.0.1');
  const started = performance.now();
  let answer = '';
  let timer;
  const closed = new Promise((resolve) => {
    socket.on('data', (chunk) => { answer += chunk; });
    socket.on('error', () => {});
    socket.on('close', () => { clearInterval(timer); resolve({ answer, afterMs: performance.now() - started }); });
  });
  socket.on('connect', () => {
    socket.write(head);
    let i = 0;
    timer = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write(drip[i++ % drip.length]);
    }, everyMs);
  });
  return { socket, closed };
}

/** Median and worst time of `n` sequential GETs of the member list, in ms. */
async function readTimes(n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const response = await fetch(`${server.baseUrl}${BASE}?paging.limit=5`);
    await response.text();
    assert.equal(response.status, 200);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(n / 2)], worst: times.at(-1) };
}

test('headers sent a byte at a time are cut off with 408 after the headers timeout, while reads stay fast', async () => {
  const slow = Array.from({ length: 10 }, () => dribbler(`GET ${BASE} HTTP/1.1\r\nHost: x\r\nX-Slow: `));
  const reads = await readTimes(20);
  const results = await Promise.all(slow.map((s) => s.closed));
  for (const { answer, afterMs } of results) {
    assert.match(answer, /^HTTP\/1\.1 408/, `answered: ${JSON.stringify(answer.slice(0, 40))}`);
    assert.ok(afterMs >= HEADERS_TIMEOUT_MS - 100, `cut off too early: ${afterMs} ms`);
    assert.ok(afterMs < HEADERS_TIMEOUT_MS + 2_500, `held ${Math.round(afterMs)} ms, the bound is ${HEADERS_TIMEOUT_MS}`);
  }
  assert.ok(reads.median < 250, `reads slowed to a median of ${reads.median.toFixed(1)} ms`);
});

test('a body sent a byte at a time is cut off with 408 after the request timeout', async () => {
  const head = `POST ${BASE}/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
  const { closed } = dribbler(head, '{', 100);
  const { answer, afterMs } = await closed;
  assert.match(answer, /^HTTP\/1\.1 408/, `answered: ${JSON.stringify(answer.slice(0, 40))}`);
  assert.ok(afterMs < REQUEST_TIMEOUT_MS + 2_500, `held ${Math.round(afterMs)} ms, the bound is ${REQUEST_TIMEOUT_MS}`);
});

test('an idle keep-alive connection is closed after the idle timeout', async () => {
  const socket = net.connect(port, '127.0.0.1');
  const started = performance.now();
  let answer = '';
  const closed = new Promise((resolve) => socket.on('close', () => resolve(performance.now() - started)));
  socket.on('data', (chunk) => { answer += chunk; });
  socket.write(`GET ${BASE}?paging.limit=1 HTTP/1.1\r\nHost: x\r\n\r\n`);
  const afterMs = await closed;
  assert.match(answer, /^HTTP\/1\.1 200/);
  assert.ok(afterMs < IDLE_TIMEOUT_MS + 2_000, `an idle connection stayed ${Math.round(afterMs)} ms`);
});

test('one address holds at most its share of connections: the next is answered 503 TOO_BUSY', async () => {
  const held = [];
  for (let i = 0; i < PER_ADDRESS + 5; i++) {
    const socket = net.connect(port, '127.0.0.1');
    const record = { socket, answer: '' };
    socket.on('data', (chunk) => { record.answer += chunk; });
    socket.on('error', () => {});
    record.closed = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.once('connect', resolve));
    held.push(record);
  }
  // Give the refusals a moment to arrive; the first ones are still open.
  await Promise.all(held.slice(PER_ADDRESS).map((r) => r.closed));
  for (const r of held.slice(PER_ADDRESS)) {
    assert.match(r.answer, /^HTTP\/1\.1 503/, r.answer.slice(0, 40));
    const body = JSON.parse(r.answer.slice(r.answer.indexOf('\r\n\r\n') + 4));
    assert.equal(body.details.applicationError.code, 'TOO_BUSY');
  }
  assert.equal(held.slice(0, PER_ADDRESS).every((r) => !r.socket.destroyed), true, 'the connections within the share stay open');
  for (const r of held) r.socket.destroy();
  await Promise.all(held.map((r) => r.closed));
  // Once the server has seen them close, the address is served again.
  let status;
  for (const end = Date.now() + 3_000; Date.now() < end;) {
    status = (await fetch(`${server.baseUrl}${BASE}?paging.limit=1`)).status;
    if (status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(status, 200);
});

test('a flood of logins is refused (RATE_LIMITED or TOO_BUSY) while reads stay fast', async () => {
  const calm = await readTimes(10);
  // 25 at once: within the address's share of connections, so what refuses them is the login limit or the hasher.
  const flood = Array.from({ length: 25 }, () => fetch(`${server.baseUrl}/members/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'nobody@example.com', password: 'not the password at all' }),
  }).then(async (r) => ({ status: r.status, body: await r.json() })));
  const during = await readTimes(10);
  const answers = await Promise.all(flood);
  const codes = new Set(answers.map((a) => a.body?.details?.applicationError?.code ?? a.status));
  const refused = answers.filter((a) => ['RATE_LIMITED', 'TOO_BUSY'].includes(a.body?.details?.applicationError?.code));
  assert.ok(refused.length > 0, `no login was refused: ${[...codes].join(', ')}`);
  for (const a of refused) assert.ok([429, 503].includes(a.status), `refused with ${a.status}`);
  assert.ok(answers.every((a) => a.status !== 200 && a.status < 500 || a.status === 503), [...codes].join(', '));
  // Reads during the flood: a median within a few times the calm one (Argon2 runs in workers).
  assert.ok(during.median < Math.max(50, calm.median * 5), `reads slowed from ${calm.median.toFixed(1)} to ${during.median.toFixed(1)} ms`);
});
