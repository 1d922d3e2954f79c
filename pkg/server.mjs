// The members routes on node:http (`universal-members/server`, SPEC §14): REST
// routes go to the wasm core's handle(); they also serve the members-area page
// (www/), the browser package and the OpenAPI document. One request path for
// every entry: createMembersServer (its own node:http server), membersHandler
// (node:http, Express, Connect) and fetchHandler (Fetch hosts, through
// pkg/host/fetch-bridge.mjs). HTTP concerns live here: body limits, CORS, the
// admin key, session cookies and their CSRF check, the access log, graceful
// shutdown. It runs webhook delivery, jobs and the retention timer (pkg/host/)
// and serves the event stream. No members rules.

import http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventSettings, openCore, startBackground } from './core.mjs';
import { createEventStreams } from './host/event-stream.mjs';
import { boundConnections, connectionLimits, httpServerOptions } from './host/connection-limits.mjs';
import { bridgeRequest } from './host/fetch-bridge.mjs';
import { bufferedLines } from './host/line-buffer.mjs';

const PKG_DIR = path.dirname(fileURLToPath(import.meta.url));
/** Largest JSON body accepted. */
export const MAX_BODY_BYTES = 1024 * 1024;
const API_PREFIXES = [
  '/members/v1/members', '/_api/members/v1/members', '/members/v1/auth', '/_api/members/v1/auth',
  '/members/v1/webhooks', '/_api/members/v1/webhooks',
  '/async-jobs/v1/async-jobs', '/_api/async-jobs/v1/async-jobs',
];
const ACT_AS = 'x-members-act-as';
const ELEVATE = 'x-members-elevate';
const SESSION_MODE = 'x-members-session';
/** The HttpOnly cookie holding a browser's session token. */
export const SESSION_COOKIE = 'members_session';
/** Its companion, readable by scripts, holding no secret: "a session exists". */
export const LOGGED_IN_COOKIE = 'members_logged_in';
/** The HttpOnly cookie of a page admin's sign-in (SPEC §10). */
export const ADMIN_COOKIE = 'members_admin';
/** Routes the server answers itself: the admin key never reaches the core or a page. */
const ADMIN_ROUTES = new Set(['/members/v1/auth/admin-login', '/members/v1/auth/admin-logout', '/members/v1/auth/admin-session']
  .flatMap((route) => [route, `/_api${route}`]));
const MUTATING = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
/** How long a handler's close() waits for requests still being answered. */
const CLOSE_WAIT_MS = 10_000;

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.ts': 'text/plain; charset=utf-8',
};

/**
 * Paths of the members area answered with its page, at Wix's own paths (links
 * from a Wix site and in mail lead here): the directory, a public profile, My
 * account. The REST routes under /members/v1 are answered before these.
 */
const APP_PATHS = /^\/(members(\/.*)?|profile\/[^/]+\/profile\/?|account\/my-account\/?)$/;
/** The admin console's paths, answered with its own page (its files, www/admin/*.mjs, are served as they are). */
const ADMIN_PATHS = /^\/admin(\/[^.]*)?$/;

/** Files of the package a page may load, under /pkg/. */
const BROWSER_FILES = /^\/pkg\/(browser\.mjs|facade\.mjs|errors\.mjs|deferred\.mjs|wasm\/[\w.\-/]+\.(js|wasm))$/;

function errorBody(status, code, message) {
  return JSON.stringify({ message, details: { applicationError: { code, description: message, data: {} } } });
}

/** [status, reason, code, message] of the requests Node refuses before we see them. */
const CLIENT_ERRORS = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'the request headers are over 16 KB'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'the request took too long to arrive'],
  default: [400, 'Bad Request', 'BAD_REQUEST', 'the request is not valid HTTP'],
};

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The answer to a body that could not be read, in the core's error shape. */
function unreadableBody(error, maxBytes) {
  if (error.notUtf8) {
    const description = 'is not valid UTF-8';
    const message = `body: ${description}`;
    return JSON.stringify({
      message,
      details: {
        applicationError: { code: 'INVALID_ARGUMENT', description: message, data: {} },
        validationError: { fieldViolations: [{ field: 'body', description, violatedRule: 'FORMAT' }] },
      },
    });
  }
  const status = error.status ?? 400;
  const message = status === 413 ? `the request body is over ${maxBytes} bytes` : 'the request body could not be read';
  return errorBody(status, status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', message);
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;

/**
 * The text of a body a host read before us: its body parser's result
 * (express.json(), .text() or .raw()), or '' for a request without a body.
 * Throws (status 500, with the answer) when the bytes are gone: the handler
 * must then be mounted before that parser.
 */
function bodyReadBefore(request) {
  const parsed = request.body;
  if (typeof parsed === 'string') return parsed;
  if (Buffer.isBuffer(parsed)) {
    try {
      return STRICT_UTF8.decode(parsed);
    } catch {
      throw Object.assign(new Error('not UTF-8'), { status: 400, notUtf8: true });
    }
  }
  if (parsed !== null && typeof parsed === 'object' && JSON_TYPE.test(request.headers['content-type'] ?? '')) {
    return JSON.stringify(parsed);
  }
  const hadBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  if (parsed === undefined && !hadBody) return '';
  const message = 'the request body was read before the members handler: mount membersHandler before body parsers';
  throw Object.assign(new Error(message), { status: 500, answer: errorBody(500, 'BODY_ALREADY_READ', message) });
}

/** True when a body may follow the headers (a length above 0, or chunks), or a host read one already. */
const hasBody = (request) => request.readableEnded || request.headers['transfer-encoding'] !== undefined
  || (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

const digest = (text) => createHash('sha256').update(text).digest();

/**
 * A cookie's name on this request: over https with the `__Host-` prefix, which
 * the browser keeps only for a Secure cookie of this very host (Path=/, no
 * Domain), so a neighbouring subdomain can not plant a session here.
 */
const cookieName = (request, name) => (overHttps(request) ? `__Host-${name}` : name);

/** The value of one cookie of a request (by its name for this request), if present. */
function cookieOf(request, bareName) {
  const name = cookieName(request, bareName);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** True when the request reached us over https (directly or through a proxy). */
const overHttps = (request) => Boolean(request.socket?.encrypted) || request.headers['x-forwarded-proto'] === 'https';

/** Set-Cookie values starting (token) or ending (null) a browser session. */
function sessionCookies(request, token, maxAgeSeconds) {
  const flags = `Path=/; SameSite=Lax${overHttps(request) ? '; Secure' : ''}`;
  const age = token === null ? 0 : maxAgeSeconds;
  return [
    `${cookieName(request, SESSION_COOKIE)}=${token ?? ''}; ${flags}; HttpOnly; Max-Age=${age}`,
    `${cookieName(request, LOGGED_IN_COOKIE)}=${token === null ? '' : '1'}; ${flags}; Max-Age=${age}`,
  ];
}

/** Set-Cookie starting (token) or ending (null) a page admin's sign-in. */
function adminCookie(request, token, maxAgeSeconds) {
  const secure = overHttps(request) ? '; Secure' : '';
  return `${cookieName(request, ADMIN_COOKIE)}=${token ?? ''}; Path=/; HttpOnly; SameSite=Strict${secure}; Max-Age=${token === null ? 0 : maxAgeSeconds}`;
}

/**
 * Opens the one engine and the one request path every entry shares (the
 * server, membersHandler, fetchHandler): `{ serve(request, response, next),
 * stop(), close() }`. `serve` answers a node:http request of its own routes and
 * resolves to the status, or calls `next()` for the rest and resolves to null;
 * with no `next`, the rest is answered 405 (not GET/HEAD) or 404, as a server
 * does. `stop()` ends the event streams and the background work; `close()`
 * also closes the database.
 */
function openMembersRoutes(options) {
  const events = eventSettings(options, { deliverByDefault: true });
  const { core, close } = openCore({
    database: options.database,
    approval: options.approval,
    defaultPrivacy: options.defaultPrivacy,
    loginLimit: options.loginLimit,
    emailVerification: options.emailVerification ?? (process.env.MEMBERS_EMAIL_VERIFICATION || undefined),
    mailer: options.mailer,
    smtpUrl: options.smtpUrl,
    mailbox: options.mailbox,
    siteUrl: options.siteUrl,
    retentionDays: events.retentionDays,
    webhookAllowPrivate: events.webhookAllowPrivate,
    webhookRetrySchedule: events.webhookRetrySchedule,
  });
  const adminDigest = options.adminKey ? digest(options.adminKey) : null;
  // Sign-ins remember which key they were made with: a new key ends them all.
  const adminKeyId = options.adminKey
    ? createHash('sha256').update(`members-admin-session:${options.adminKey}`).digest('hex').slice(0, 16)
    : '';
  const corsOrigins = new Set(options.corsOrigins ?? []);
  const wwwDir = options.wwwDir ?? path.join(PKG_DIR, 'www');
  const rootPage = options.rootPage ?? false;
  // The access log and notices on stdout, a few lines per write (host/line-buffer.mjs).
  const stdoutLines = options.log ? null : bufferedLines();
  const log = options.log ?? stdoutLines.log;
  const background = startBackground(core, { ...events, log });
  const streams = createEventStreams({ log });

  // Constant-time comparison of the presented key (hashed, so lengths match).
  const keyMatches = (key) => adminDigest !== null && typeof key === 'string' && key.length > 0
    && timingSafeEqual(digest(key), adminDigest);
  const isAdmin = (authorization) => typeof authorization === 'string'
    && !authorization.startsWith('Bearer ') && keyMatches(authorization);

  // A page admin's sign-in counts only without any Authorization header (like
  // the session cookie), and only while the core knows its token.
  const hasAdminCookie = (request) => adminDigest !== null && !request.headers.authorization
    && Boolean(cookieOf(request, ADMIN_COOKIE));
  async function adminFromCookie(request) {
    if (!hasAdminCookie(request)) return false;
    return core.isAdminSignedIn(cookieOf(request, ADMIN_COOKIE), adminKeyId);
  }

  // A key in `Authorization` that is not the admin key counts as a failed
  // admin sign-in, so the header is no way around the limit on guessing it.
  const wrongAdminKey = (authorization) => typeof authorization === 'string' && authorization !== ''
    && !authorization.startsWith('Bearer ') && !keyMatches(authorization);

  // Behind a proxy, the last X-Forwarded-For entry is the one the proxy added
  // (the client writes whatever it likes before it).
  const clientAddress = (request) => (options.trustProxy
    ? String(request.headers['x-forwarded-for'] ?? '').split(',').at(-1).trim() || request.socket?.remoteAddress
    : request.socket?.remoteAddress);

  // A session token comes as `Authorization: Bearer` or in the cookie; an admin
  // key wins over both, and a cookie counts only without any Authorization.
  function sessionOf(request) {
    const authorization = request.headers.authorization;
    if (typeof authorization === 'string' && authorization.startsWith('Bearer ')) {
      return { session: authorization.slice('Bearer '.length).trim(), sessionFromCookie: false };
    }
    if (authorization) return { session: undefined, sessionFromCookie: false };
    const cookie = cookieOf(request, SESSION_COOKIE);
    return cookie ? { session: cookie, sessionFromCookie: true } : { session: undefined, sessionFromCookie: false };
  }

  // CSRF: a browser sends cookies with cross-site requests too, so a change made
  // with the cookie (or asking for one) must come from this site or a CORS origin.
  function crossSite(request, sessionFromCookie, cookieMode) {
    if (!MUTATING.has(request.method) || !(sessionFromCookie || cookieMode)) return false;
    const origin = request.headers.origin;
    const own = `${overHttps(request) ? 'https' : 'http'}://${request.headers.host}`;
    return !(origin && (origin === own || corsOrigins.has(origin)));
  }

  function callerOf(request, adminCookie = false) {
    if (adminCookie) return core.elevated();
    if (!isAdmin(request.headers.authorization)) return core;
    const actAs = request.headers[ACT_AS];
    if (typeof actAs !== 'string' || actAs === '') return core.elevated();
    const member = core.asMember(actAs);
    return request.headers[ELEVATE] === '1' ? member.elevated() : member;
  }

  // The stream is for admins; the core decides (a session gets PERMISSION_DENIED,
  // an ended one UNAUTHENTICATED). No credentials at all: null, answered 401.
  function streamCallerOf(request, adminCookie) {
    if (adminCookie || isAdmin(request.headers.authorization)) return callerOf(request, adminCookie);
    const { session } = sessionOf(request);
    return session ? core.withSession(session) : null;
  }

  // Only on our own answers: a host app's other routes keep their own CORS.
  function cors(request, response) {
    const origin = request.headers.origin;
    if (origin && corsOrigins.has(origin)) {
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'origin');
      response.setHeader('access-control-allow-methods', 'GET, POST, PATCH, DELETE, OPTIONS');
      response.setHeader('access-control-allow-headers', `content-type, authorization, ${ACT_AS}, ${ELEVATE}, ${SESSION_MODE}`);
      response.setHeader('access-control-allow-credentials', 'true');
    }
  }

  /**
   * The body as text. A host's body parser (express.json()) may have read the
   * stream already: its parse of a JSON body is taken, written back as JSON.
   */
  function readBody(request) {
    return new Promise((resolve, reject) => {
      if (request.readableEnded) {
        resolve(bodyReadBefore(request));
        return;
      }
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > MAX_BODY_BYTES) {
        reject(Object.assign(new Error('too large'), { status: 413 }));
        request.resume();
        return;
      }
      const chunks = [];
      let size = 0;
      request.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          // Stop reading; the 413 is written, then the connection is closed.
          request.removeAllListeners('data');
          request.pause();
          reject(Object.assign(new Error('too large'), { status: 413 }));
          return;
        }
        chunks.push(chunk);
      });
      // Bytes that are not UTF-8 are refused, not replaced (a replaced byte would
      // store something the client never sent). ignoreBOM keeps a leading BOM in
      // the text, where JSON refuses it, instead of dropping it unseen.
      request.on('end', () => {
        try {
          resolve(STRICT_UTF8.decode(Buffer.concat(chunks)));
        } catch {
          reject(Object.assign(new Error('not UTF-8'), { status: 400, notUtf8: true }));
        }
      });
      request.on('error', reject);
    });
  }

  /** Writes an answer of the core (`{ status, body, retryAfter }`) with extra headers. */
  function writeAnswer(response, answer, headers = {}) {
    const all = { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers };
    if (answer.retryAfter) all['retry-after'] = String(answer.retryAfter);
    response.writeHead(answer.status, all);
    response.end(answer.body);
    return answer.status;
  }

  /** The answer to a body that could not be read; the rest of an oversized upload is never read. */
  function refuseBody(request, response, error) {
    const status = error.status ?? 400;
    response.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
    if (status === 413) response.on('finish', () => request.socket?.destroy?.());
    response.end(error.answer ?? unreadableBody(error, MAX_BODY_BYTES));
    return status;
  }

  // POST admin-login { adminKey } sets the cookie; POST admin-logout ends it;
  // GET admin-session says whether this browser is signed in as admin. The key
  // is compared here and never logged, stored or sent back.
  async function adminRoute(request, response, pathname) {
    const route = pathname.split('/').at(-1);
    const method = route === 'admin-session' ? 'GET' : 'POST';
    if (request.method !== method) {
      response.writeHead(405, { 'content-type': 'application/json', allow: method });
      response.end(errorBody(405, 'METHOD_NOT_ALLOWED', `this route takes ${method}`));
      return 405;
    }
    if (route === 'admin-session') {
      return writeAnswer(response, { status: 200, body: JSON.stringify({ admin: await adminFromCookie(request) }) });
    }
    let body;
    try {
      body = await readBody(request);
    } catch (error) {
      return refuseBody(request, response, error);
    }
    // Both ask for (or end) a cookie, so both must come from this site.
    if (crossSite(request, true, true)) {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(errorBody(403, 'CSRF_REJECTED', 'admin sign-in must come from this site (Origin)'));
      return 403;
    }
    if (route === 'admin-logout') {
      const token = cookieOf(request, ADMIN_COOKIE);
      if (token) await core.adminLogout(token);
      return writeAnswer(response, { status: 200, body: '{}' }, { 'set-cookie': adminCookie(request, null) });
    }
    let adminKey;
    try {
      adminKey = JSON.parse(body || '{}').adminKey;
    } catch {
      adminKey = undefined;
    }
    if (typeof adminKey !== 'string' || adminKey === '') {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(errorBody(400, 'INVALID_ARGUMENT', 'adminKey is required and must be a string'));
      return 400;
    }
    const answer = await core.adminLogin(keyMatches(adminKey), adminKeyId, clientAddress(request));
    const headers = answer.adminSession
      ? { 'set-cookie': adminCookie(request, answer.adminSession.token, answer.adminSession.maxAgeSeconds) }
      : {};
    return writeAnswer(response, answer, headers);
  }

  // The REST routes: the core answers them, the session and CSRF facts come from here.
  async function apiRoute(request, response, pathname, search) {
    if (request.method === 'OPTIONS') {
      response.writeHead(204);
      response.end();
      return 204;
    }
    let body = '';
    // Most reads have no body: they skip a Promise and its turn.
    if (hasBody(request)) {
      try {
        body = await readBody(request);
      } catch (error) {
        return refuseBody(request, response, error);
      }
    }
    if (wrongAdminKey(request.headers.authorization)) {
      return writeAnswer(response, await core.adminLogin(false, adminKeyId, clientAddress(request)));
    }
    const adminCookie = hasAdminCookie(request) && await adminFromCookie(request);
    // An admin cookie stands for the admin: the member cookie is not consulted.
    const { session, sessionFromCookie } = adminCookie ? { session: undefined, sessionFromCookie: false } : sessionOf(request);
    const cookieMode = request.headers[SESSION_MODE] === 'cookie';
    // The core refuses a cross-site change (CSRF_REJECTED) once it knows the
    // route, so a wrong path or method is still 404 or 405.
    const answer = await callerOf(request, adminCookie).handle(request.method, pathname, search, body, {
      session, sessionFromCookie, cookieMode, clientAddress: clientAddress(request), userAgent: request.headers['user-agent'],
      crossSite: crossSite(request, sessionFromCookie || adminCookie, cookieMode),
    });
    const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    if (answer.allow) headers.allow = answer.allow;
    if (answer.retryAfter) headers['retry-after'] = String(answer.retryAfter);
    if (answer.session) headers['set-cookie'] = sessionCookies(request, answer.session.token, answer.session.maxAgeSeconds);
    else if (answer.clearSession) headers['set-cookie'] = sessionCookies(request, null);
    response.writeHead(answer.status, headers);
    response.end(answer.body);
    // A change wrote events: send them and stream them now, not at the next tick.
    if (MUTATING.has(request.method) && answer.status < 400) {
      background.poke();
      streams.poke();
    }
    return answer.status;
  }

  /** Serves a file, or resolves to null when there is none (then the path is not ours). */
  async function serveFile(request, response, file) {
    let bytes;
    try {
      bytes = await readFile(file);
    } catch {
      return null;
    }
    cors(request, response);
    response.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': bytes.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    response.end(request.method === 'HEAD' ? undefined : bytes);
    return 200;
  }

  // The page, the browser package and the OpenAPI document (GET and HEAD only).
  function fileOf(pathname) {
    if (pathname === '/openapi.json') return path.join(PKG_DIR, 'openapi.json');
    if (BROWSER_FILES.test(pathname)) return path.join(PKG_DIR, pathname.slice('/pkg/'.length));
    if (pathname.startsWith('/pkg/')) return null;
    if (pathname === '/' && !rootPage) return null;
    // The members area's own paths (Wix's) are the page itself.
    const relative = pathname === '/' || APP_PATHS.test(pathname) ? 'index.html'
      : ADMIN_PATHS.test(pathname) ? 'admin.html' : pathname.slice(1);
    const file = path.resolve(wwwDir, relative);
    // Never serve outside www/.
    return file.startsWith(path.resolve(wwwDir) + path.sep) ? file : null;
  }

  /** Answers a request of our own routes (→ its status), or resolves to null for any other. */
  async function answer(request, response) {
    const url = new URL(request.url, 'http://localhost');
    const pathname = url.pathname;
    if (streams.handles(pathname)) {
      cors(request, response);
      const adminCookie = await adminFromCookie(request);
      return streams.serve(request, response, { caller: streamCallerOf(request, adminCookie), search: url.search.slice(1) });
    }
    if (ADMIN_ROUTES.has(pathname)) {
      cors(request, response);
      return adminRoute(request, response, pathname);
    }
    if (API_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`))) {
      cors(request, response);
      return apiRoute(request, response, pathname, url.search.slice(1));
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return null;
    const file = fileOf(pathname);
    return file === null ? null : serveFile(request, response, file);
  }

  // A server answers every request: what is not ours is 405 or 404.
  function fallback(request, response) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'application/json', allow: 'GET, HEAD' });
      response.end(errorBody(405, 'METHOD_NOT_ALLOWED', 'only GET and HEAD are served here'));
      return 405;
    }
    const pathname = new URL(request.url, 'http://localhost').pathname;
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(errorBody(404, 'NOT_FOUND', `nothing is served at ${pathname}`));
    return 404;
  }

  async function serve(request, response, next) {
    // The page and the clients call the routes at Wix's fixed paths, and the
    // cookies are Path=/ (as `__Host-` demands): under a prefix none would work.
    if (request.baseUrl) {
      const error = new TypeError(`membersHandler must be mounted at the root (app.use(handler)), not under ${request.baseUrl}: `
        + 'its routes are at fixed paths (/members/v1/…, /members, /pkg/…) that the members page and its clients call');
      if (next) next(error);
      else throw error;
      return null;
    }
    const started = performance.now();
    let status;
    inFlight += 1;
    try {
      status = await answer(request, response);
    } catch (error) {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(errorBody(500, 'INTERNAL', 'the server failed to answer'));
      }
      log(`error ${error?.message ?? error}`);
      status = 500;
    } finally {
      inFlight -= 1;
      if (inFlight === 0) whenIdle();
    }
    if (status === null) {
      if (next) {
        next();
        return null;
      }
      status = fallback(request, response);
    }
    // One line per request; the path only (no query, no headers, no body).
    const pathOnly = (request.url ?? '').split('?')[0];
    log(`${request.method} ${pathOnly} ${status} ${(performance.now() - started).toFixed(1)}ms`);
    return status;
  }

  // Requests being answered: close() lets them finish before the database goes.
  let inFlight = 0;
  let whenIdle = () => {};
  const idle = () => new Promise((resolve) => {
    if (inFlight === 0) return resolve();
    // A request that never ends (a client that stops sending) holds it no longer than this.
    const timer = setTimeout(resolve, CLOSE_WAIT_MS);
    whenIdle = () => { clearTimeout(timer); resolve(); };
  });
  let stopped = null;
  let closed = null;
  // Ending the streams first: a server's close() would wait on them forever.
  const stop = () => (stopped ??= (streams.close(), background.stop().catch(() => {})));
  return {
    serve,
    stop,
    close: () => (closed ??= stop().then(idle).then(() => close()).catch(() => {}).then(() => stdoutLines?.flush())),
  };
}

/**
 * The routes behind each membersHandler: the server stops them when it stops
 * accepting, and closes the database only once its connections are done.
 */
const routesOf = new WeakMap();

/**
 * A request handler `(request, response, next)` for node:http, Express and
 * Connect, answering the members routes (see server.d.ts) and calling `next()`
 * for any other; without `next`, the rest is 405 or 404. Mount it at the root,
 * before body parsers. `handler.close()` stops the background work and closes
 * the database. Options as createMembersServer's, plus `rootPage`.
 */
export function membersHandler(options = {}) {
  const routes = openMembersRoutes(options);
  const handler = (request, response, next) => {
    routes.serve(request, response, typeof next === 'function' ? next : undefined).catch((error) => {
      if (!response.headersSent) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(errorBody(500, 'INTERNAL', 'the server failed to answer'));
      }
    });
  };
  handler.close = routes.close;
  routesOf.set(handler, routes);
  return handler;
}

/**
 * A handler for Fetch-API hosts (Hono, Next.js route handlers, Deno, Bun):
 * `(request, { clientAddress }?) → Promise<Response | null>`, null for a path that
 * is not one of the members routes. The same routes as membersHandler (the event
 * stream streams). `handler.close()` as there.
 */
export function fetchHandler(options = {}) {
  const routes = openMembersRoutes(options);
  const handler = async (request, { clientAddress } = {}) => {
    const bridge = bridgeRequest(request, { clientAddress });
    // Resolves when the answer starts (a stream goes on after that), or to null.
    return new Promise((resolve, reject) => {
      bridge.response.onStart = resolve;
      routes.serve(bridge.request, bridge.response, () => resolve(null)).then(() => {
        if (!bridge.response.headersSent) resolve(null);
      }, reject);
    });
  };
  handler.close = routes.close;
  return handler;
}

/**
 * Creates (not yet listening) a members server: node:http answering every
 * request with membersHandler (what is not a members route is 405 or 404), the
 * members page also at `/`, and the slow- and greedy-client bounds.
 * options: { database, adminKey, corsOrigins: string[], wwwDir, approval,
 * defaultPrivacy, loginLimit, emailVerification ('off'|'required'), mailer, smtpUrl, mailbox, siteUrl, trustProxy,
 * deliverWebhooks, retentionDays, webhookAllowPrivate, connections, log: (line) => void }.
 * `connections`: the slow- and greedy-client bounds (pkg/host/connection-limits.mjs;
 * each also from the environment, e.g. MEMBERS_HEADERS_TIMEOUT_MS).
 * `trustProxy`: take the client address for the attempt limits from the last
 * `X-Forwarded-For` entry (only behind a proxy that appends it).
 * `deliverWebhooks` (default true, MEMBERS_DELIVER_WEBHOOKS): this process sends
 * webhooks, sharing the work with every other process on the database.
 */
export function createMembersServer(options = {}) {
  // A bad bound throws before the database is opened.
  const limits = connectionLimits(options.connections);
  const handler = membersHandler({ rootPage: true, ...options });
  const routes = routesOf.get(handler);
  const server = http.createServer(httpServerOptions(limits), (request, response) => handler(request, response));

  boundConnections(server, limits, { perAddress: !options.trustProxy });
  // Node's own answers to a request it could not parse, whose headers are too
  // large or that took too long to arrive are bare; give them the error shape.
  server.on('clientError', (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const [status, reason, code, message] = CLIENT_ERRORS[error.code] ?? CLIENT_ERRORS.default;
    const body = errorBody(status, code, message);
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });

  // Closing the server also ends the event streams (else close() would wait on
  // them forever) and stops claiming deliveries; shutdown() waits for both.
  const closeListener = server.close.bind(server);
  server.close = (callback) => {
    routes.stop();
    return closeListener(callback);
  };

  /**
   * Stops accepting, ends the event streams, lets in-flight requests finish and
   * webhook attempts finish (or gives their leases back), then closes the database.
   */
  server.shutdown = async () => {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections?.();
    await Promise.all([closed, routes.stop()]);
    await routes.close();
  };
  return server;
}
