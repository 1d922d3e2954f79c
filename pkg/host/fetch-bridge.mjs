// The Fetch API side of the members routes (fetchHandler): a `Request` made into
// what the node:http request path reads, and what that path writes made into a
// streaming `Response`. The routes stay one: this only converts. The event
// stream flows through as the body's chunks, with backpressure (no more is
// written while the host has not read) and the host cancelling the body as the
// client going away.

import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';

// Statuses whose Response must have no body (the Response constructor throws).
const NULL_BODY = new Set([101, 204, 205, 304]);
// Hop-by-hop: the host decides about its own connection, except that an error
// answer sent before the body was read (413) must close it: the unread rest of
// the upload would otherwise be taken for the next request.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);
const keepsHeader = (name, value, status) => !HOP_BY_HOP.has(name) || (name === 'connection' && value === 'close' && status >= 400);

/**
 * The node:http response the routes write to: headers, then chunks of a
 * ReadableStream. `onStart(response)` gets the `Response` at `writeHead`.
 */
class BridgeResponse extends EventEmitter {
  constructor(method) {
    super();
    this.method = method;
    this.statusCode = 200;
    this.headersSent = false;
    this.writableEnded = false;
    this.destroyed = false;
    this.onStart = () => {};
    this.headers = new Map();
    this.controller = null;
  }

  setHeader(name, value) {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }

  getHeader(name) {
    return this.headers.get(name.toLowerCase());
  }

  writeHead(status, headers = {}) {
    this.statusCode = status;
    for (const [name, value] of Object.entries(headers)) this.setHeader(name, value);
    this.headersSent = true;
    const out = new Headers();
    for (const [name, value] of this.headers) {
      if (value === undefined || !keepsHeader(name, value, status)) continue;
      for (const one of [value].flat()) out.append(name, String(one));
    }
    let body = null;
    if (!NULL_BODY.has(status) && this.method !== 'HEAD') {
      body = new ReadableStream({
        start: (controller) => {
          this.controller = controller;
        },
        // The host read what was queued: a waiting writer may go on.
        pull: () => {
          this.emit('drain');
        },
        // The host (its client) stopped reading: as a closed socket.
        cancel: () => {
          this.controller = null;
          this.finished();
        },
      }, { highWaterMark: 16 * 1024, size: (chunk) => chunk.byteLength });
    }
    this.onStart(new Response(body, { status, headers: out }));
    return this;
  }

  /** True while the host has not read what is queued (an SSE writer waits for 'drain'). */
  get writableNeedDrain() {
    return this.controller !== null && this.controller.desiredSize <= 0;
  }

  write(chunk) {
    if (!this.headersSent) this.writeHead(this.statusCode);
    if (this.controller !== null && chunk !== undefined && chunk !== null) {
      this.controller.enqueue(typeof chunk === 'string' ? Buffer.from(chunk) : new Uint8Array(chunk));
    }
    return !this.writableNeedDrain;
  }

  end(chunk) {
    if (this.writableEnded) return this;
    this.write(chunk);
    this.writableEnded = true;
    this.controller?.close();
    this.controller = null;
    this.emit('finish');
    this.finished();
    return this;
  }

  destroy() {
    if (this.controller !== null) {
      this.controller.error(new Error('the members handler ended the answer'));
      this.controller = null;
    }
    this.finished();
    return this;
  }

  finished() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

/**
 * `{ request, response }` for the routes from a Fetch `Request`: `request` a
 * Readable of its body with `method`, `url` (path and query), lower-cased
 * `headers` (`host` from the URL when absent) and a `socket` telling https (the
 * URL's scheme) and the `clientAddress` the host knows (if any); `response` a
 * BridgeResponse.
 */
export function bridgeRequest(request, { clientAddress } = {}) {
  const url = new URL(request.url);
  const headers = Object.fromEntries(request.headers);
  headers.host ??= url.host;
  const body = request.body && !request.bodyUsed ? Readable.fromWeb(request.body) : Readable.from([]);
  // Read by the host already (e.g. `await c.req.json()`): the routes say so.
  if (request.bodyUsed) Object.defineProperty(body, 'readableEnded', { value: true });
  const socket = {
    encrypted: url.protocol === 'https:',
    remoteAddress: clientAddress,
    // An oversized upload: stop reading it.
    destroy: () => body.destroy(),
  };
  return {
    request: Object.assign(body, { method: request.method, url: `${url.pathname}${url.search}`, headers, socket }),
    response: new BridgeResponse(request.method),
  };
}
