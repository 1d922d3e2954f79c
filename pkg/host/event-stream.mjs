// The event stream (SPEC §9, Beyond Wix): `GET /members/v1/events/stream` as
// Server-Sent Events, for admins. It reads the outbox through the core
// (`eventsAfter`, `latestEventPosition`, which also refuse non-admins) and owns
// only the HTTP side: where a stream starts, polling, heartbeats, backpressure,
// and ending every stream when the server shuts down. It never logs an event.

/** The paths of the stream (Wix REST and the `/_api` prefix). */
export const EVENT_STREAM_PATHS = new Set(['/members/v1/events/stream', '/_api/members/v1/events/stream']);

const BATCH = 100;
const POLL_MS = 200;
const HEARTBEAT_MS = 15_000;
const ERROR_PAUSE_MS = 1_000;
// A client that stops reading must not hold the server's shutdown.
const END_GRACE_MS = 1_000;

/** The Wix error body: `{ message, details }`. */
function errorBody(code, applicationCode, message, extra = {}) {
  return JSON.stringify({ message, details: { applicationError: { code: applicationCode, description: message, data: {} }, ...extra } });
}

function answer(response, status, body, headers = {}) {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  response.end(body);
  return status;
}

/** A position to resume after (a whole number ≥ 0), undefined when absent, null when bad. */
function positionOf(text) {
  if (text === undefined || text === null || text === '') return undefined;
  if (!/^\d{1,16}$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

/** One SSE frame of an outbox event. JSON.stringify escapes line breaks, so `data` is one line. */
const frameOf = (event) => `id: ${event.position}\nevent: ${event.eventType}\ndata: ${JSON.stringify(event.envelope)}\n\n`;

/**
 * The open event streams of one server. `serve(request, response, { caller,
 * search })` answers a request for the stream: `caller` is the wasm Members of the
 * request's credentials (null when it has none → 401), `search` the query string.
 * `poke()` makes every stream look for new events now (after a local write);
 * `close()` ends every stream, and refuses new ones. `log(line)` gets failures.
 */
export function createEventStreams({ log = () => {}, pollMs = POLL_MS, heartbeatMs = HEARTBEAT_MS } = {}) {
  const open = new Set();
  let closing = false;

  async function serve(request, response, { caller, search = '' }) {
    if (request.method === 'OPTIONS') {
      // A CORS preflight: the server has set the allow headers for known origins.
      response.writeHead(204);
      response.end();
      return 204;
    }
    if (request.method !== 'GET') {
      return answer(response, 405, errorBody('METHOD_NOT_ALLOWED', 'METHOD_NOT_ALLOWED', 'the event stream is read with GET'), { allow: 'GET' });
    }
    if (closing) {
      return answer(response, 503, errorBody('UNAVAILABLE', 'SHUTTING_DOWN', 'the server is shutting down'), { 'retry-after': '1' });
    }
    if (!caller) {
      return answer(response, 401, errorBody('UNAUTHENTICATED', 'UNAUTHENTICATED', 'the event stream is for admins: send the admin key as Authorization'));
    }
    // Last-Event-ID (an EventSource reconnecting) wins over ?after= (a first resume);
    // a bad one of either is refused, even when the other is given.
    const header = request.headers['last-event-id'];
    const after = positionOf(new URLSearchParams(search).get('after'));
    const start = header !== undefined ? positionOf(header.trim()) : after;
    if (start === null || after === null) {
      const field = start === null && header !== undefined ? 'Last-Event-ID' : 'after';
      const description = 'must be an event position (a whole number)';
      return answer(response, 400, errorBody('INVALID_ARGUMENT', 'INVALID_ARGUMENT', `${field}: ${description}`,
        { validationError: { fieldViolations: [{ field, description, violatedRule: 'FORMAT' }] } }));
    }
    let position;
    try {
      // Asked even when resuming: the core refuses callers that are not admins.
      const latest = await caller.latestEventPosition();
      position = start ?? latest;
    } catch (error) {
      if (typeof error?.httpStatus !== 'number') throw error;
      // The core names the host call it refused; the caller asked for the stream.
      if (error.code === 'PERMISSION_DENIED') {
        return answer(response, 403, errorBody('PERMISSION_DENIED', 'PERMISSION_DENIED', 'the event stream is for admins only'));
      }
      return answer(response, error.httpStatus, JSON.stringify({ message: error.message, details: error.details }));
    }
    await pump(response, caller, position);
    return 200;
  }

  async function pump(response, caller, from) {
    let position = from;
    let ended = false;
    let wake = () => {};
    const stream = {
      poke: () => wake(),
      end: () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        open.delete(stream);
        wake();
        response.end();
        if (closing) setTimeout(() => response.destroy(), END_GRACE_MS).unref();
      },
    };
    // A wait that poke(), the end of the stream or (while draining) 'drain' cuts short.
    const wait = (ms) => new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() { clearTimeout(timer); response.off('drain', done); wake = () => {}; resolve(); }
      wake = done;
      response.once('drain', done);
    });

    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      // The socket is this stream's alone: closed with it, so shutdown never waits on it.
      connection: 'close',
    });
    response.write('retry: 2000\n\n');
    const heartbeat = setInterval(() => {
      if (!response.writableNeedDrain) response.write(': keep-alive\n\n');
    }, heartbeatMs);
    heartbeat.unref();
    open.add(stream);
    response.on('close', stream.end);
    // A write racing a disconnect errors; the 'close' that follows ends the stream.
    response.on('error', () => {});

    while (!ended) {
      let events;
      try {
        events = await caller.eventsAfter(position, BATCH);
      } catch (error) {
        // Rights lost (a session ended): the stream ends; anything else is retried.
        if (error?.code === 'PERMISSION_DENIED' || error?.code === 'UNAUTHENTICATED') break;
        log(`events: reading the outbox failed (${error?.applicationCode ?? error?.code ?? error?.name}); trying again`);
        await wait(ERROR_PAUSE_MS);
        continue;
      }
      for (const event of events) {
        if (ended) break;
        position = event.position;
        response.write(frameOf(event));
        // Backpressure: a slow reader gets no more until its buffer drained.
        while (response.writableNeedDrain && !ended) await wait(heartbeatMs);
      }
      if (events.length < BATCH && !ended) await wait(pollMs);
    }
    stream.end();
  }

  return {
    serve,
    /** True for the stream's paths. */
    handles: (pathname) => EVENT_STREAM_PATHS.has(pathname),
    /** Every stream looks for new events now. */
    poke() {
      for (const stream of open) stream.poke();
    },
    /** Ends every stream cleanly and refuses new ones (server shutdown). */
    close() {
      closing = true;
      for (const stream of [...open]) stream.end();
    },
  };
}
