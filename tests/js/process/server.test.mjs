// The members server as an HTTP server (a real `universal-members serve`
// process): body limits, CORS, the files it serves, the access log, and a
// graceful SIGTERM. The REST routes themselves are in rest.test.mjs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer } from '../helpers.mjs';

const BASE = '/members/v1/members';
const MAX_BODY = 1024 * 1024;
const ALLOWED = 'https://allowed.example';
const OTHER = 'https://other.example';

const server = await startServer({ args: ['--cors-origin', ALLOWED, '--cors-origin', 'http://localhost:5173'] });
const admin = { authorization: server.adminKey };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `predicate()` holds (or fails after `ms`). */
async function eventually(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(10);
  }
}

/**
 * A raw node:http request on a new connection (no fetch path normalisation, full
 * control of the body) → `{ status, headers, text }`. `chunks` are written one by
 * one with `pause` ms between them, chunked unless `headers` has a Content-Length.
 */
function raw(on, method, path, { headers = {}, chunks = [], pause = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(`${on.baseUrl}${path}`, { method, headers, agent: false });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, text }));
      response.on('error', reject);
    });
    request.on('error', reject);
    (async () => {
      for (const chunk of chunks) {
        request.write(chunk);
        if (pause) await sleep(pause);
      }
      request.end();
    })();
  });
}

/** Asserts the Wix error body (SPEC §8) in `text`. */
function assertErrorBody(text) {
  const body = JSON.parse(text);
  assert.equal(typeof body.message, 'string');
  assert.equal(typeof body.details, 'object');
  assert.ok(body.details.applicationError || body.details.validationError, text);
  return body;
}

describe('request body limit (1 MiB)', () => {
  const memberOfSize = (bytes) => {
    const shell = JSON.stringify({ member: { loginEmail: 'size@example.com', profile: { nickname: '' } } });
    return JSON.stringify({ member: { loginEmail: 'size@example.com', profile: { nickname: 'n'.repeat(bytes - shell.length) } } });
  };

  test('over 1 MiB with Content-Length: 413 with a JSON error body', async () => {
    const body = memberOfSize(MAX_BODY + 1);
    assert.equal(Buffer.byteLength(body), MAX_BODY + 1);
    const response = await fetch(`${server.baseUrl}${BASE}`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body });
    assert.equal(response.status, 413);
    assert.match(response.headers.get('content-type'), /^application\/json/);
    assertErrorBody(await response.text());
  });

  test('exactly 1 MiB is read (and refused by the member rules instead: 400)', async () => {
    const body = memberOfSize(MAX_BODY);
    assert.equal(Buffer.byteLength(body), MAX_BODY);
    const response = await fetch(`${server.baseUrl}${BASE}`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body });
    assert.equal(response.status, 400, 'a member over 64 KiB / a nickname over 255 chars, not 413');
    assertErrorBody(await response.text());
  });

  test('over 1 MiB sent chunked (no Content-Length): 413 with a JSON error body',
    async () => {
      const body = memberOfSize(MAX_BODY + 4096);
      const half = Math.floor(body.length / 2);
      const response = await raw(server, 'POST', BASE, {
        headers: { ...admin, 'content-type': 'application/json' },
        chunks: [body.slice(0, half), body.slice(half)],
        pause: 50,
      });
      assert.equal(response.status, 413);
      assertErrorBody(response.text);
    });

  test('the server still answers after refusing big bodies', async () => {
    const response = await fetch(`${server.baseUrl}${BASE}`);
    assert.equal(response.status, 200);
  });
});

describe('CORS', () => {
  test('a listed origin gets access-control-allow-origin (and vary: origin)', async () => {
    for (const origin of [ALLOWED, 'http://localhost:5173']) {
      const response = await fetch(`${server.baseUrl}${BASE}`, { headers: { origin } });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), origin);
      assert.match(response.headers.get('vary') ?? '', /origin/i);
      await response.arrayBuffer();
    }
  });

  test('an error answer to a listed origin carries the header too (so the page can read it)', async () => {
    const response = await fetch(`${server.baseUrl}${BASE}`, {
      method: 'POST', headers: { origin: ALLOWED, 'content-type': 'application/json' }, body: JSON.stringify({ member: { loginEmail: 'x@example.com' } }),
    });
    assert.equal(response.status, 401, 'no credentials: UNAUTHENTICATED');
    assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
    await response.arrayBuffer();
  });

  test('other origins, and no origin, get no CORS headers', async () => {
    for (const headers of [{ origin: OTHER }, { origin: 'null' }, { origin: `${ALLOWED}.evil.example` }, {}]) {
      const response = await fetch(`${server.baseUrl}${BASE}`, { headers });
      assert.equal(response.status, 200);
      const cors = [...response.headers.keys()].filter((k) => k.startsWith('access-control-'));
      assert.deepEqual(cors, [], `${JSON.stringify(headers)}: ${cors.join(', ')}`);
      await response.arrayBuffer();
    }
  });

  test('OPTIONS preflight: a listed origin may send the members headers and methods', async () => {
    const response = await fetch(`${server.baseUrl}${BASE}/${'0'.repeat(8)}-0000-4000-8000-000000000000`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'content-type, authorization' },
    });
    assert.ok(response.status === 204 || response.status === 200, `status ${response.status}`);
    assert.equal(response.headers.get('access-control-allow-origin'), ALLOWED);
    const methods = (response.headers.get('access-control-allow-methods') ?? '').split(',').map((s) => s.trim());
    for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) assert.ok(methods.includes(method), `allows ${method}: ${methods}`);
    const allowHeaders = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const header of ['content-type', 'authorization']) assert.ok(allowHeaders.includes(header), `allows ${header}: ${allowHeaders}`);
    await response.arrayBuffer();
  });

  test('OPTIONS preflight from another origin grants nothing', async () => {
    const response = await fetch(`${server.baseUrl}${BASE}`, {
      method: 'OPTIONS',
      headers: { origin: OTHER, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    assert.equal(response.headers.get('access-control-allow-methods'), null);
    await response.arrayBuffer();
  });

  test('a server without --cors-origin sends no CORS headers at all', async () => {
    const plain = await startServer();
    const response = await fetch(`${plain.baseUrl}${BASE}`, { headers: { origin: ALLOWED } });
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    await response.arrayBuffer();
  });
});

describe('files served beside the API', () => {
  test('/ serves the members-area HTML page; HEAD has no body', async () => {
    const response = await fetch(`${server.baseUrl}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/html/);
    assert.match(await response.text(), /<html/i);
    const head = await raw(server, 'HEAD', '/');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
  });

  test('/pkg/wasm/universal_members_bg.wasm is application/wasm (so instantiateStreaming works)', async () => {
    const response = await fetch(`${server.baseUrl}/pkg/wasm/universal_members_bg.wasm`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/wasm');
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 4)], [0x00, 0x61, 0x73, 0x6d], 'the wasm magic number');
    assert.ok(await WebAssembly.validate(bytes));
  });

  test('/pkg/browser.mjs is JavaScript', async () => {
    const response = await fetch(`${server.baseUrl}/pkg/browser.mjs`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/javascript/);
    await response.arrayBuffer();
  });

  test('/openapi.json is JSON describing the members routes', async (t) => {
    const response = await fetch(`${server.baseUrl}/openapi.json`);
    if (response.status === 404) {
      await response.arrayBuffer();
      t.skip('the package has no openapi.json yet');
      return;
    }
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^application\/json/);
    const doc = await response.json();
    assert.match(String(doc.openapi), /^3\./);
    assert.ok(Object.keys(doc.paths ?? {}).some((p) => p.startsWith(BASE)), 'paths under /members/v1/members');
  });

  test('nothing outside the page and the browser files is served', async () => {
    for (const path of ['/../server.mjs', '/pkg/../cli.mjs', '/pkg/server.mjs', '/..%2fserver.mjs', '/%2e%2e/package.json', '/pkg/node.mjs', '/pkg/drivers/sqlite.mjs']) {
      const response = await raw(server, 'GET', path);
      assert.equal(response.status, 404, `${path}: ${response.status}`);
      assertErrorBody(response.text);
    }
  });

  test('only GET and HEAD outside the API: 405 with Allow', async () => {
    const response = await raw(server, 'POST', '/', { chunks: ['{}'] });
    assert.equal(response.status, 405);
    assert.match(response.headers.allow ?? '', /GET/);
    assertErrorBody(response.text);
  });
});

describe('the access log (child stdout)', () => {
  test('one line per request, never the admin key, a query string or a body', async () => {
    const logged = await startServer();
    const key = logged.adminKey;
    const marker = 'SECRET-MARKER-7d1f';
    const requests = [
      ['GET', `${BASE}?fieldsets=FULL&token=${marker}`, { authorization: key }],
      ['GET', `${BASE}?.r=${Buffer.from(JSON.stringify({ fieldsets: [marker] })).toString('base64url')}`, {}],
      ['POST', BASE, { authorization: key, 'content-type': 'application/json' }, JSON.stringify({ member: { loginEmail: `${marker.toLowerCase()}@example.com` } })],
      ['POST', `${BASE}/query?key=${key}`, { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, JSON.stringify({ query: { filter: { 'profile.nickname': marker } } })],
      ['GET', `/?q=${marker}`, { cookie: `session=${marker}` }],
      ['GET', `/missing?key=${key}`, { authorization: key }],
      ['PUT', `${BASE}?x=${marker}`, { authorization: key }],
      ['POST', BASE, { authorization: key, 'content-type': 'application/json' }, `{"member": "${marker}`],
    ];
    for (const [method, path, headers, body] of requests) {
      const response = await fetch(`${logged.baseUrl}${path}`, { method, headers, body });
      await response.arrayBuffer();
    }
    const served = () => logged.lines.filter((line) => !line.startsWith('universal-members: serving'));
    await eventually(() => served().length >= requests.length, 5000, `${requests.length} log lines, got:\n${served().join('\n')}`);
    await sleep(100);
    const lines = served();
    assert.equal(lines.length, requests.length, `one line per request:\n${lines.join('\n')}`);
    requests.forEach(([method, path], i) => {
      const line = lines[i];
      assert.ok(line.startsWith(`${method} ${path.split('?')[0]} `), `line ${i} names the request: ${line}`);
      assert.match(line, / \d{3} /, `line ${i} has the status: ${line}`);
    });
    const all = logged.lines.join('\n') + logged.stderr();
    assert.ok(!all.includes(key), 'the admin key is never logged');
    assert.ok(!all.includes(marker) && !all.includes(marker.toLowerCase()), 'no query string, header or body is logged');
    assert.ok(!lines.some((line) => line.includes('?')), 'no query strings');
  });
});

describe('SIGTERM', () => {
  /**
   * A request sent in two parts on its own connection: the headers and the first
   * part of the body now, the rest on `release()` — so it is in flight for as long
   * as the test wants. `answer` resolves with `{ status, body }` (or the error).
   */
  function inFlight(on, method, path, headers, body) {
    const half = Math.floor(body.length / 2);
    let release;
    const released = new Promise((resolve) => {
      release = resolve;
    });
    const answer = new Promise((resolve) => {
      const request = http.request(`${on.baseUrl}${path}`, {
        method, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, agent: false,
      });
      request.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode, body: JSON.parse(text) }));
      });
      request.on('error', (error) => resolve({ error: `${method} ${path}: ${error.message}` }));
      request.write(body.slice(0, half));
      released.then(() => request.end(body.slice(half)));
    });
    return { release, answer };
  }

  test('requests in flight complete, new connections are refused, the process exits 0 with its data kept', async () => {
    const dying = await startServer();
    const headers = { authorization: dying.adminKey };
    // Enough members that a FULL list of 100 takes a while.
    const many = Array.from({ length: 300 }, (_, i) => ({
      loginEmail: `drain.${i}@example.com`,
      profile: { nickname: `Drain ${i}` },
      contact: { firstName: `F${i}`, customFields: { blob: { value: 'x'.repeat(2000) } } },
    }));
    for (let i = 0; i < many.length; i += 25) {
      await Promise.all(many.slice(i, i + 25).map(async (member) => {
        const response = await fetch(`${dying.baseUrl}${BASE}`, {
          method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ member }),
        });
        assert.equal(response.status, 200);
        await response.arrayBuffer();
      }));
    }
    // Started while the server is idle, so it has read their headers when the
    // signal comes; their bodies are finished only after it.
    const creates = Array.from({ length: 5 }, (_, i) => inFlight(dying, 'POST', BASE, headers,
      JSON.stringify({ member: { loginEmail: `slow.${i}@example.com`, profile: { nickname: `Slow ${i}` } } })));
    const lists = Array.from({ length: 5 }, () => inFlight(dying, 'GET', `${BASE}?paging.limit=100&fieldsets=FULL`, headers, '{ }'));
    await sleep(200);
    assert.equal((await raw(dying, 'GET', `${BASE}?paging.limit=1`)).status, 200, 'the server is up and has read what came before');
    dying.child.kill('SIGTERM');
    await sleep(300);
    await assert.rejects(raw(dying, 'GET', BASE), (error) => error.code === 'ECONNREFUSED', 'a new connection after SIGTERM is refused');
    for (const { release } of [...creates, ...lists]) release();
    for (const { answer } of creates) {
      const { status, body, error } = await answer;
      assert.equal(error, undefined);
      assert.equal(status, 200, JSON.stringify(body));
      assert.match(body.member.id, /^[0-9a-f-]{36}$/);
    }
    for (const { answer } of lists) {
      const { status, body, error } = await answer;
      assert.equal(error, undefined);
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.members.length, 100);
    }
    const exit = await Promise.race([dying.exited, sleep(15_000).then(() => 'still running 15 s after SIGTERM')]);
    assert.deepEqual(exit, { code: 0, signal: null }, dying.stderr());
    const logged = dying.lines.filter((line) => !line.startsWith('universal-members: serving'));
    assert.equal(logged.length, many.length + 1 + creates.length + lists.length, 'every request was logged, the drained ones too');
    // The database was closed whole: a new server on the same file has everything.
    const again = await startServer({ database: dying.database });
    const response = await fetch(`${again.baseUrl}${BASE}/query`, {
      method: 'POST',
      headers: { authorization: again.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ query: { filter: { 'profile.nickname': { $startsWith: 'Slow ' } } } }),
    });
    const { metadata } = await response.json();
    assert.equal(metadata.total, creates.length, 'the creates answered during the drain were kept');
    const total = await (await fetch(`${again.baseUrl}${BASE}?paging.limit=1`, { headers: { authorization: again.adminKey } })).json();
    assert.equal(total.metadata.total, many.length + creates.length);
  });

  test('SIGTERM on an idle server: exits 0 promptly', async () => {
    const idle = await startServer();
    const response = await fetch(`${idle.baseUrl}${BASE}`);
    await response.arrayBuffer();
    const started = Date.now();
    const exit = await idle.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, idle.stderr());
    assert.ok(Date.now() - started < 5000, `exited after ${Date.now() - started} ms`);
  });
});
