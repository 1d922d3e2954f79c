// Helpers of the webhook process tests (not a test file itself): a real HTTP
// receiver on 127.0.0.1 that records every request (and which ones overlap), the
// REST calls of webhooks and members against a server process, an SSE client,
// and readers of both body formats. Only loopback traffic; every wait is bounded.
import assert from 'node:assert/strict';
import http from 'node:http';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const EVENT_TYPES = {
  created: 'wix.members.v1.member_created',
  updated: 'wix.members.v1.member_updated',
  deleted: 'wix.members.v1.member_deleted',
};

/** Polls `check` (sync or async) until it returns a truthy value; fails after `ms` with `what()`. */
export async function eventually(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${typeof what === 'function' ? what() : what}`);
    await sleep(25);
  }
}

// ---------------------------------------------------------------- body formats

const base64urlJson = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/**
 * The JWT of a `wix` body, decoded WITHOUT checking the signature (the tests check
 * it with the official SDK): `{ header, claims, data, envelope, identity }`.
 */
export function decodeWixBody(body) {
  const parts = body.split('.');
  assert.equal(parts.length, 3, `a compact JWT: ${body.slice(0, 80)}`);
  const header = base64urlJson(parts[0]);
  const claims = base64urlJson(parts[1]);
  assert.equal(typeof claims.data, 'string', 'the data claim is JSON text');
  const data = JSON.parse(claims.data);
  return {
    header,
    claims,
    data,
    envelope: JSON.parse(data.data),
    identity: data.identity === undefined ? undefined : JSON.parse(data.identity),
  };
}

/** The wire envelope (SPEC §9) of a request of either format. */
export function envelopeOf(request) {
  if (request.body.startsWith('{')) return JSON.parse(request.body).data;
  return decodeWixBody(request.body).envelope;
}

// ------------------------------------------------------------------- receiver

/**
 * A webhook receiver on 127.0.0.1: `{ url, requests, overlaps, close(), … }`.
 * `respond(request)` (may be async) decides the answer: a status number, or
 * `{ status, headers, delayMs }`; default 200. `request` is `{ key, headers, body,
 * path, attempt (1 for the first request of this key), startedAt }`; `key` is
 * `keyOf(headers, body)`, by default the `webhook-id` header, else the envelope's
 * event id. Records every request with its answer (`status`, `endedAt`) and, in
 * `overlaps`, every request that began while another of the same key — or of the
 * same member — was still unanswered.
 */
export async function startReceiver({ respond = () => 200, keyOf } = {}) {
  const requests = [];
  const overlaps = [];
  const inFlightByKey = new Map();
  const inFlightByMember = new Map();
  const attemptsByKey = new Map();
  let inFlight = 0;
  const key = keyOf ?? ((headers, body) => headers['webhook-id'] ?? safe(() => envelopeOf({ body }).id));
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const k = key(req.headers, body);
      const member = safe(() => envelopeOf({ body }).entityId);
      const attempt = (attemptsByKey.get(k) ?? 0) + 1;
      attemptsByKey.set(k, attempt);
      const request = { key: k, member, headers: req.headers, body, path: req.url, method: req.method, attempt, startedAt: Date.now(), status: undefined, endedAt: undefined };
      requests.push(request);
      if ((inFlightByKey.get(k) ?? 0) > 0) overlaps.push({ kind: 'webhook-id', key: k });
      if (member && (inFlightByMember.get(member) ?? 0) > 0) overlaps.push({ kind: 'member', key: member });
      inFlightByKey.set(k, (inFlightByKey.get(k) ?? 0) + 1);
      if (member) inFlightByMember.set(member, (inFlightByMember.get(member) ?? 0) + 1);
      inFlight += 1;
      const done = () => {
        inFlight -= 1;
        inFlightByKey.set(k, inFlightByKey.get(k) - 1);
        if (member) inFlightByMember.set(member, inFlightByMember.get(member) - 1);
      };
      let answer;
      try {
        answer = await respond(request);
      } catch (error) {
        answer = { status: 500, text: String(error?.message ?? error) };
        request.error = error;
      }
      if (typeof answer === 'number') answer = { status: answer };
      answer = { status: 200, ...answer };
      if (answer.delayMs) await sleep(answer.delayMs);
      // Answered (or the sender gone) ends the request's time in flight.
      if (res.destroyed) {
        request.status = 'gone';
        request.endedAt = Date.now();
        done();
        return;
      }
      // Recorded as answered just before the answer goes out, so no later request can precede it.
      request.status = answer.status;
      request.endedAt = Date.now();
      done();
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.text ?? 'ok');
    });
    // A sender killed mid-request: the request ends unanswered.
    req.on('close', () => {});
  });
  server.keepAliveTimeout = 1000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    overlaps,
    inFlight: () => inFlight,
    /** Requests answered 2xx. */
    delivered: () => requests.filter((r) => typeof r.status === 'number' && r.status >= 200 && r.status < 300),
    /** Resolves once `predicate(requests)` holds, failing after `ms`. */
    waitFor(predicate, ms, what) {
      return eventually(() => predicate(requests), ms, () => `${what} (${requests.length} requests so far)`);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

function safe(fn) {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/**
 * Asserts the order rule on what a receiver got (SPEC §9: in order per endpoint
 * and member; at least once): for every member, the sequences of its requests
 * never go back except to repeat one not yet acknowledged, each event's first
 * request comes only after the one before was answered 2xx, and the member's
 * events `1..expected` all arrived (when `expected` is given as Map member → n).
 */
export function assertOrderPerMember(requests, expected) {
  const byMember = new Map();
  for (const request of requests) {
    const envelope = envelopeOf(request);
    const list = byMember.get(envelope.entityId) ?? [];
    list.push({ ...request, sequence: Number(envelope.entityEventSequence) });
    byMember.set(envelope.entityId, list);
  }
  for (const [member, list] of byMember) {
    list.sort((a, b) => a.startedAt - b.startedAt);
    let highest = 0;
    for (const request of list) {
      assert.ok(Number.isInteger(request.sequence) && request.sequence >= 1, `member ${member}: a whole entityEventSequence, got ${request.sequence}`);
      if (request.sequence > highest) {
        assert.equal(request.sequence, highest + 1, `member ${member}: event ${request.sequence} came before event ${highest + 1} (arrival order ${list.map((r) => r.sequence).join(',')})`);
        if (highest > 0) {
          const previousAcked = list.find((r) => r.sequence === highest && typeof r.status === 'number' && r.status < 300 && r.endedAt <= request.startedAt);
          assert.ok(previousAcked, `member ${member}: event ${request.sequence} was sent before event ${highest} was acknowledged (arrival order ${list.map((r) => r.sequence).join(',')})`);
        }
        highest = request.sequence;
      } else {
        // A repeat (at least once) is only of the newest event sent: the next one waits for it.
        assert.equal(request.sequence, highest, `member ${member}: event ${request.sequence} repeated after event ${highest} was sent (arrival order ${list.map((r) => r.sequence).join(',')})`);
      }
    }
    if (expected) assert.equal(highest, expected.get(member), `member ${member}: all its events arrived`);
  }
  if (expected) for (const member of expected.keys()) assert.ok(byMember.has(member), `member ${member} got its events`);
  return byMember;
}

// ----------------------------------------------------------------------- REST

/**
 * REST calls against `server` (a startServer result) → `{ status, body, headers }`.
 * `auth`: 'admin' (the admin key), null (a visitor), or a header value.
 */
export function restOf(server) {
  async function call(method, path, { body, auth = 'admin', headers = {} } = {}) {
    const sent = { ...headers };
    if (auth === 'admin') sent.authorization = server.adminKey;
    else if (auth) sent.authorization = auth;
    let payload;
    if (body !== undefined) {
      sent['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const response = await fetch(`${server.baseUrl}${path}`, { method, headers: sent, body: payload, signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    let parsed;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }
  const ok = async (method, path, options) => {
    const response = await call(method, path, options);
    assert.ok(response.status >= 200 && response.status < 300, `${method} ${path} → ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  let emails = 0;
  const tag = Math.random().toString(36).slice(2, 8);
  return {
    call,
    ok,
    // Webhooks (docs/events-contract.md, REST column).
    createWebhook: (input) => ok('POST', '/members/v1/webhooks', { body: input }),
    listWebhooks: async () => (await ok('GET', '/members/v1/webhooks')).webhooks,
    getWebhook: async (id) => (await ok('GET', `/members/v1/webhooks/${id}`)).webhook,
    deleteWebhook: (id) => ok('DELETE', `/members/v1/webhooks/${id}`),
    rotateWebhookSecret: (id) => ok('POST', `/members/v1/webhooks/${id}/rotate-secret`),
    deliveries: async (id, { status = 'ALL', limit = 100 } = {}) => (await ok('GET', `/members/v1/webhooks/${id}/deliveries?status=${status}&limit=${limit}`)).deliveries,
    redeliver: async (deliveryId) => (await ok('POST', `/members/v1/webhooks/deliveries/${deliveryId}/redeliver`)).delivery,
    // Members.
    async createMember(member = {}) {
      emails += 1;
      return (await ok('POST', '/members/v1/members', { body: { member: { loginEmail: `hook.${tag}.${emails}@example.com`, ...member } } })).member;
    },
    async updateMember(id, member) {
      return (await ok('PATCH', `/members/v1/members/${id}`, { body: { member: { id, ...member } } })).member;
    },
    deleteMember: (id) => ok('DELETE', `/members/v1/members/${id}`),
  };
}

/** Asserts a 400 INVALID_ARGUMENT (Wix error body) whose violations name `field`. */
export function assertInvalidField(response, field) {
  assert.equal(response.status, 400, JSON.stringify(response.body));
  const violations = response.body?.details?.validationError?.fieldViolations ?? [];
  assert.ok(
    violations.some((v) => v.field === field || String(v.field).startsWith(`${field}[`) || String(v.field).startsWith(`${field}.`)),
    `a violation of ${field}: ${JSON.stringify(response.body)}`,
  );
}

// ------------------------------------------------------------------------ SSE

/**
 * Opens `GET /members/v1/events/stream` on `server` with `headers` (and `query`).
 * Resolves once the answer's head is there with `{ status, headers, events, text,
 * waitFor(n, ms), close() }`; `events` are `{ id, event, data }` (data parsed as
 * JSON when it is JSON), in arrival order.
 */
export function openStream(server, { headers = {}, query = '' } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(`${server.baseUrl}/members/v1/events/stream${query}`, { headers: { accept: 'text/event-stream', ...headers }, agent: false });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error('the event stream sent no answer within 10 s'));
    }, 10_000);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.on('response', (response) => {
      clearTimeout(timer);
      const events = [];
      let text = '';
      let buffered = '';
      let block = { data: [] };
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        text += chunk;
        buffered += chunk;
        let newline;
        while ((newline = buffered.search(/\r?\n/)) !== -1) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + (buffered[newline] === '\r' ? 2 : 1));
          if (line === '') {
            if (block.data.length > 0) {
              const data = block.data.join('\n');
              events.push({ id: block.id, event: block.event ?? 'message', data: safe(() => JSON.parse(data)) ?? data });
            }
            block = { data: [] };
            continue;
          }
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          let value = colon === -1 ? '' : line.slice(colon + 1);
          if (value.startsWith(' ')) value = value.slice(1);
          if (field === 'data') block.data.push(value);
          else if (field === 'id') block.id = value;
          else if (field === 'event') block.event = value;
        }
      });
      response.on('error', () => {});
      resolve({
        status: response.statusCode,
        headers: response.headers,
        events,
        text: () => text,
        waitFor: (count, ms = 10_000) => eventually(() => events.length >= count, ms, () => `${count} stream events (got ${events.length})`),
        close() {
          request.destroy();
          response.destroy();
        },
      });
    });
    request.end();
  });
}
