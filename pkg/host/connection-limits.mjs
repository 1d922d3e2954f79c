// Slow and greedy clients (issue 13): how long a client may take to send its
// request, how long an idle keep-alive connection stays open, and how many
// connections may be open at once, in all and from one address. Node serves
// every connection on one thread, so a slow client holds no worker, only a
// socket: these bounds make sure it can not hold that socket for long, nor
// enough of them to crowd out everyone else.

/** The bounds `serve` uses unless told otherwise. */
export const CONNECTION_DEFAULTS = Object.freeze({
  /** The request line and headers must arrive within this (a byte a second does not). */
  headersTimeoutMs: 10_000,
  /** The whole request, body included. */
  requestTimeoutMs: 30_000,
  /** A keep-alive connection with no request in flight is closed after this. */
  idleTimeoutMs: 5_000,
  /** Open connections in all. */
  maxConnections: 1_000,
  /** Open connections from one client address (not applied behind a trusted proxy). */
  maxConnectionsPerAddress: 100,
});

const ENV = {
  headersTimeoutMs: 'MEMBERS_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'MEMBERS_REQUEST_TIMEOUT_MS',
  idleTimeoutMs: 'MEMBERS_IDLE_TIMEOUT_MS',
  maxConnections: 'MEMBERS_MAX_CONNECTIONS',
  maxConnectionsPerAddress: 'MEMBERS_MAX_CONNECTIONS_PER_ADDRESS',
};

/**
 * The bounds from `options` (a partial CONNECTION_DEFAULTS), then the
 * environment (`MEMBERS_HEADERS_TIMEOUT_MS` …), then the defaults. Throws an
 * Error naming the setting when a value is not a whole number above 0.
 */
export function connectionLimits(options = {}, env = process.env) {
  const limits = {};
  for (const [key, fallback] of Object.entries(CONNECTION_DEFAULTS)) {
    const given = options[key] ?? (env[ENV[key]] === undefined || env[ENV[key]] === '' ? undefined : Number(env[ENV[key]]));
    if (given !== undefined && !(Number.isInteger(given) && given > 0)) {
      throw new Error(`${key} (${ENV[key]}) must be a whole number above 0, got ${JSON.stringify(options[key] ?? env[ENV[key]])}`);
    }
    limits[key] = given ?? fallback;
  }
  return limits;
}

/** Options for `http.createServer` that apply the time bounds. */
export function httpServerOptions(limits) {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.idleTimeoutMs,
    // Node checks the two request timeouts on this interval (30 s by default,
    // which would let a slow client stay three times longer than allowed).
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  };
}

// What a connection over its address's share is told before it is closed, in
// the server's error shape.
const TOO_MANY_MESSAGE = 'too many connections from this address: close some and try again';
const TOO_MANY_BODY = JSON.stringify({
  message: TOO_MANY_MESSAGE,
  details: { applicationError: { code: 'TOO_BUSY', description: TOO_MANY_MESSAGE, data: {} } },
});
const TOO_MANY = 'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n'
  + `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(TOO_MANY_BODY)}\r\n\r\n${TOO_MANY_BODY}`;

/**
 * Applies the connection counts to `server`: past `maxConnections` Node closes
 * new sockets; past `maxConnectionsPerAddress` from one address the new one is
 * answered 503 TOO_BUSY and closed. `perAddress: false` (behind a trusted proxy,
 * where every connection comes from the proxy) leaves out the second bound.
 */
export function boundConnections(server, limits, { perAddress = true } = {}) {
  server.maxConnections = limits.maxConnections;
  if (!perAddress) return;
  const open = new Map();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    open.set(address, count);
    socket.once('close', () => {
      const left = open.get(address) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
    if (count > limits.maxConnectionsPerAddress) socket.end(TOO_MANY);
  });
}
