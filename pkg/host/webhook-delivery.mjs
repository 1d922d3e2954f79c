// Webhook delivery (SPEC §9): the loop that takes due deliveries from the core,
// POSTs them and reports each outcome back. The core decides what is due, in
// which order, the body, the headers and signatures, retries and leases; this
// file only does the HTTP request (10 s, no redirects, the address check at
// connect time) and the timing. It must never log a URL, a body, a header or an
// answer: they can hold member data and secrets.

import { setMaxListeners } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, isRefusedAddress, literalAddressOf, RefusedAddressError } from './address-guard.mjs';

/** Deliveries claimed at once; a full batch means more are due, so claim again at once. */
export const BATCH_SIZE = 50;
/** A whole attempt (connect, send, answer) gets this long. */
export const ATTEMPT_TIMEOUT_MS = 10_000;
/** Of an answer only the status matters; at most this much of its body is read. */
export const MAX_ANSWER_BYTES = 64 * 1024;
const IDLE_MS = 250;
const ERROR_PAUSE_MS = 2_000;
const STOP_GRACE_MS = 10_000;
const USER_AGENT = 'universal-members-webhooks';

// Agents of our own: the global ones may send through a proxy from the
// environment (Node 22+), which would make the address check see only the proxy,
// and may hand over sockets other code opened without the check.
const AGENTS = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** The short, data-free name of an error for a log line. */
const errorName = (error) => error?.applicationCode ?? error?.code ?? error?.name ?? 'Error';

/**
 * One POST of `claim` (`{ url, body, headers }`) → `{ status, durationMs, error,
 * retryAfter }`. Never rejects: a refused address, a timeout or a broken
 * connection is an attempt with `status: null` and an `error`.
 */
export function sendOnce(claim, { allowPrivate = false, signal } = {}) {
  const started = performance.now();
  const outcome = (status, error = null, retryAfter = null) => ({
    status, durationMs: Math.round(performance.now() - started), error, retryAfter,
  });
  let url;
  try {
    url = new URL(claim.url);
  } catch {
    return Promise.resolve(outcome(null, 'the URL is not valid'));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.resolve(outcome(null, `the URL scheme ${url.protocol} is not http or https`));
  }
  // Node connects to a literal IP without calling `lookup`: check it here.
  const literal = literalAddressOf(url.href);
  if (!allowPrivate && literal !== null && isRefusedAddress(literal)) {
    return Promise.resolve(outcome(null, new RefusedAddressError(literal).message));
  }
  const body = Buffer.from(claim.body, 'utf8');
  const headers = { 'user-agent': USER_AGENT, ...claim.headers, 'content-length': body.length };

  return new Promise((resolve) => {
    let settled = false;
    let status = null;
    let retryAfter = null;
    // `cut`: stop reading (too long, too late, stopping); a connection read to
    // its end stays open for the agent to reuse.
    const finish = (error, cut = true) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      // Once the status is known the attempt has its answer; a body cut short changes nothing.
      resolve(status === null ? outcome(null, describe(error)) : outcome(status, null, retryAfter));
      if (cut) request?.destroy();
    };
    const onAbort = () => finish(new Error('the server stopped before the answer came'));
    let request;
    let timer;
    try {
      // node:http follows no redirects by itself: a 3xx is an answer like any other.
      request = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        headers,
        agent: AGENTS[url.protocol],
        lookup: allowPrivate ? undefined : guardedLookup,
      });
    } catch (error) {
      // E.g. a header value Node refuses: an attempt that failed, not a crash.
      finish(error);
      return;
    }
    timer = setTimeout(() => finish(Object.assign(new Error(`no answer in ${ATTEMPT_TIMEOUT_MS / 1000} s`), { code: 'TIMEOUT' })), ATTEMPT_TIMEOUT_MS);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', finish);
    request.on('response', (response) => {
      status = response.statusCode;
      const header = response.headers['retry-after'];
      retryAfter = typeof header === 'string' ? header : null;
      let read = 0;
      response.on('data', (chunk) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) finish();
      });
      response.on('end', () => finish(null, false));
      response.on('error', finish);
      response.on('close', () => finish());
    });
    request.end(body);
  });
}

/** The stored error text of a failed attempt: what went wrong, no data of the request. */
function describe(error) {
  if (!error) return 'the connection closed without an answer';
  if (error instanceof RefusedAddressError || error.code === 'TIMEOUT') return error.message;
  const text = error.code && !String(error.message).includes(error.code) ? `${error.code}: ${error.message}` : String(error.message);
  return text.slice(0, 300);
}

/**
 * Starts delivering with `admin` (a wasm Members with admin rights, e.g.
 * `core.elevated()`) until `stop()`. Options: `allowPrivate` (send to loopback and
 * private addresses: development only), `log(line)` for the loop's own failures
 * (busy database …), which are retried after a pause and never thrown.
 * Returns `{ poke(), stop() }`: `poke()` looks for due deliveries now (after a
 * local write); `stop()` claims no more, lets attempts in flight finish (up to
 * `stopGraceMs`, 10 s), then gives back the leases still held.
 */
export function startWebhookDelivery({
  admin, allowPrivate = false, log = () => {}, batchSize = BATCH_SIZE, idleMs = IDLE_MS, stopGraceMs = STOP_GRACE_MS,
}) {
  const held = new Map(); // deliveryId → leaseToken of claims not yet completed
  const abort = new AbortController();
  // Every attempt of a batch listens for the stop.
  setMaxListeners(batchSize + 10, abort.signal);
  let stopping = false;
  let wake = null;

  // A pause that `poke()` and `stop()` cut short; it never keeps the process alive.
  // A pause never starts once stopping: its timer is unref'd, so nothing would end it.
  const pause = (ms) => new Promise((resolve) => {
    if (stopping) { resolve(); return; }
    const done = () => { clearTimeout(timer); wake = null; resolve(); };
    const timer = setTimeout(done, ms);
    timer.unref();
    wake = done;
  });

  async function deliver(claim) {
    held.set(claim.deliveryId, claim.leaseToken);
    const attempt = await sendOnce(claim, { allowPrivate, signal: abort.signal })
      .catch((error) => ({ status: null, durationMs: 0, error: describe(error), retryAfter: null }));
    // Cut short by stop(): the lease is given back instead, so the attempt is made again.
    if (abort.signal.aborted) return;
    try {
      const { outcome } = await admin.completeWebhookDelivery({
        deliveryId: claim.deliveryId, leaseToken: claim.leaseToken, ...attempt,
      });
      if (outcome === 'disabled') log('webhooks: an endpoint answered 410 Gone and is disabled');
      if (outcome === 'dead') log(`webhooks: delivery ${claim.deliveryId} failed its last attempt`);
    } catch (error) {
      // The lease runs out by itself and the delivery is attempted again.
      log(`webhooks: recording an attempt failed (${errorName(error)})`);
    }
    held.delete(claim.deliveryId);
  }

  // Up to `batchSize` attempts at once; a slot freed is filled at once, so one
  // slow endpoint never holds back the others.
  const inFlight = new Set();
  async function loop() {
    while (!stopping) {
      const room = batchSize - inFlight.size;
      if (room <= 0) {
        await Promise.race(inFlight);
        continue;
      }
      let claims;
      try {
        claims = await admin.claimWebhookDeliveries(room);
      } catch (error) {
        log(`webhooks: claiming deliveries failed (${errorName(error)}); trying again in ${ERROR_PAUSE_MS / 1000} s`);
        await pause(ERROR_PAUSE_MS);
        continue;
      }
      if (stopping) {
        // Claimed while stopping: stop() gives these back unsent.
        for (const claim of claims) held.set(claim.deliveryId, claim.leaseToken);
        break;
      }
      for (const claim of claims) {
        // deliver() never rejects: every failure of an attempt is recorded or logged.
        const attempt = deliver(claim).finally(() => inFlight.delete(attempt));
        inFlight.add(attempt);
      }
      if (claims.length < room && !stopping) {
        await Promise.race([pause(idleMs), ...(inFlight.size > 0 ? [Promise.race(inFlight)] : [])]);
      }
    }
    await Promise.all(inFlight);
  }

  const running = loop();
  return {
    /** Looks for due deliveries now instead of at the next tick. */
    poke() {
      wake?.();
    },
    /** Stops claiming, waits for attempts in flight (≤ 10 s), gives back the leases left. */
    async stop() {
      if (!stopping) {
        stopping = true;
        wake?.();
      }
      let timer;
      const grace = new Promise((resolve) => { timer = setTimeout(resolve, stopGraceMs); });
      await Promise.race([running, grace]);
      clearTimeout(timer);
      abort.abort();
      const leases = [...new Set(held.values())];
      held.clear();
      if (leases.length === 0) return;
      try {
        await admin.releaseWebhookDeliveries(leases);
      } catch (error) {
        log(`webhooks: giving back ${leases.length} leases failed (${errorName(error)}); they run out by themselves`);
      }
    },
  };
}
