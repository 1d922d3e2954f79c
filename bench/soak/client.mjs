// REST calls of the soak and the tally of their answers. Every answer gets a
// class: "ok" (2xx), "<status> <application code>" (or "<status> <code>"), or
// "network <cause>" when no answer came. A call names the classes it expects
// besides "ok" (a duplicate email's 409, a login flood's 429); the phase running
// names what it tolerates (the SIGKILLed server's refused connections, 503 while
// PostgreSQL is down). Anything else is unexpected, kept with a sample.
import { ADMIN_KEY } from './serve.mjs';

const TIMEOUT_MS = 15_000;

/** The class of one answer, as explained above. */
export function classOf(status, body, error) {
  if (error) return `network ${error.cause?.code ?? error.cause?.name ?? error.name}`;
  if (status >= 200 && status < 300) return 'ok';
  const application = body?.details?.applicationError?.code;
  return `${status} ${application ?? body?.code ?? 'no-code'}`;
}

/** A tally of answers per kind of call and class, with latencies and the unexpected ones. */
export class Tally {
  constructor() {
    this.byKind = new Map();
    this.unexpected = [];
    this.unexpectedCount = 0;
    this.expectedCount = 0;
    /** `(outcome) => name | null`: what the phase running tolerates, and why. */
    this.tolerate = () => null;
    /** `(kind, outcome) => void`: sees every answer (for timelines). */
    this.observe = () => {};
  }

  /**
   * Counts one answer of a call of `kind`; `expected` are its classes that are
   * right answers besides "ok". → 'ok', the reason it is tolerated, or null (unexpected).
   */
  record(kind, outcome, expected = []) {
    this.observe(kind, outcome);
    let entry = this.byKind.get(kind);
    if (!entry) {
      entry = { classes: new Map(), latencies: [] };
      this.byKind.set(kind, entry);
    }
    entry.classes.set(outcome.class, (entry.classes.get(outcome.class) ?? 0) + 1);
    if (outcome.class === 'ok') {
      entry.latencies.push(outcome.ms);
      return 'ok';
    }
    const tolerated = expected.includes(outcome.class) ? 'expected' : this.tolerate(outcome);
    if (tolerated) {
      this.expectedCount += 1;
      return tolerated;
    }
    this.unexpectedCount += 1;
    if (this.unexpected.length < 20) {
      this.unexpected.push({ kind, class: outcome.class, server: outcome.server, body: JSON.stringify(outcome.body ?? outcome.error?.message ?? '').slice(0, 300) });
    }
    return null;
  }

  /** A check that failed without an error answer (a stale read, a wrong count). */
  wrong(kind, what) {
    this.unexpectedCount += 1;
    if (this.unexpected.length < 20) this.unexpected.push({ kind, class: 'wrong answer', body: what.slice(0, 300) });
  }

  /** `{ kind: { requests, ok, classes: { class: n }, p50, p99 } }`. */
  summary() {
    const out = {};
    for (const [kind, { classes, latencies }] of [...this.byKind].sort(([a], [b]) => a.localeCompare(b))) {
      const sorted = [...latencies].sort((a, b) => a - b);
      const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);
      let requests = 0;
      for (const n of classes.values()) requests += n;
      out[kind] = { requests, ok: classes.get('ok') ?? 0, classes: Object.fromEntries(classes), p50: at(0.5), p99: at(0.99) };
    }
    return out;
  }
}

/**
 * One REST call to `server` (`{ url, name }`) → `{ status, body, class, ms, startedAt, endedAt, server, error }`
 * (times on the performance.now() clock).
 * `auth`: 'admin' (the admin key), null (a visitor) or an Authorization value;
 * `from`: the client address the call speaks for (X-Forwarded-For).
 */
export async function call(server, method, route, { body, auth = 'admin', from = '192.0.2.1' } = {}) {
  const headers = { 'x-forwarded-for': from };
  if (auth === 'admin') headers.authorization = ADMIN_KEY;
  else if (auth) headers.authorization = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  let status = 0;
  let parsed;
  let error;
  try {
    const response = await fetch(`${server.url}${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    status = response.status;
    const text = await response.text();
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
  } catch (caught) {
    error = caught.name === 'TimeoutError' ? Object.assign(caught, { cause: { code: 'TIMEOUT' } }) : caught;
  }
  const endedAt = performance.now();
  return { status, body: parsed, class: classOf(status, parsed, error), ms: endedAt - started, startedAt: started, endedAt, server: server.name, error };
}
