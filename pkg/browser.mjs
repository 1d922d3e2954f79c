// Browser entry: the client build of the core (the REST codec, the query
// builder, errors and the HTTP transport; no engine), fetched on first use. Every
// call travels to the members server the page came from (or `configure({ baseUrl
// })`), through the same REST codec the server uses, and comes back as the same
// values and errors.

import init, { Members, registerErrorClass } from './wasm/client/universal_members.js';
import { MembersError, isMembersError } from './errors.mjs';
import { makeAsyncJobs, makeAuthentication, makeMembers, makeWebhooks } from './facade.mjs';
import { deferUntilReady, loadOnce } from './deferred.mjs';

// The session lives in an HttpOnly cookie the server sets; scripts never see the
// token. Whether there is one is told by the server's companion cookie.
let baseUrl;
let base = null;
// Where the client wasm is; by default beside this module (bundlers that copy
// `new URL(…, import.meta.url)` assets, like Vite, find it there).
let wasmUrl;
// The companion cookie is readable only when the server is this page's origin;
// for another server this side's own record (login/logout) has to do.
let sameOrigin = true;
let loggedIn = false;
// Over https the server names it with the `__Host-` prefix.
const cookieSaysLoggedIn = () => /(?:^|;\s*)(?:__Host-)?members_logged_in=1(?:;|$)/.test(globalThis.document?.cookie ?? '');

const pageOrigin = () => globalThis.location?.origin ?? 'http://localhost';

// One load of the core for every call of this entry.
const loader = loadOnce(
  () => init(wasmUrl === undefined ? undefined : { module_or_path: wasmUrl }),
  registerErrorClass,
  { what: 'the members client core', code: 'CLIENT_UNAVAILABLE' },
);
/**
 * Loads the client core (once; the first call does it too, so awaiting this is
 * optional). Resolves when calls run at once; rejects `UNAVAILABLE` when the
 * wasm can not be fetched (the next call tries again).
 */
export const { ready } = loader;
const { isReady } = loader;
// The API object of the configured server, made on first use after loading (a
// bad `baseUrl` is that call's error).
const core = () => (base ??= Members.browser(baseUrl ?? pageOrigin()));

/**
 * Points the browser API at another members server (`{ baseUrl }`), and/or
 * names where the client wasm is (`{ wasmUrl }`, for bundlers that do not copy
 * it beside the module, e.g. esbuild). A bad `baseUrl` throws here once the core
 * has loaded, else rejects the first call.
 */
export function configure(options = {}) {
  const origin = pageOrigin();
  if (options.wasmUrl !== undefined) wasmUrl = options.wasmUrl;
  // `configure()` alone goes back to the page's own server; `{ wasmUrl }` alone keeps the server.
  if (options.baseUrl !== undefined || !('wasmUrl' in options)) baseUrl = options.baseUrl;
  base = isReady() ? Members.browser(baseUrl ?? origin) : null;
  sameOrigin = !baseUrl || new URL(baseUrl, origin).origin === origin;
  loggedIn = false;
}

/** The members API of the visitor or logged-in member using this page. */
export const members = deferUntilReady(makeMembers(core), ready, isReady);
/** The same API acting as the holder of a session token (sent as Bearer). */
members.withSession = (token) => deferUntilReady(makeMembers(() => core().withSession(token)), ready, isReady);

/** The authentication API of this page: login and register keep the session. */
export const authentication = deferUntilReady(makeAuthentication(core, (c) => c, {
  // Read each time: the server clears the cookie when the session ends.
  loggedIn: () => (sameOrigin ? cookieSaysLoggedIn() : loggedIn),
  started: () => { loggedIn = true; },
  ended: () => { loggedIn = false; },
}), ready, isReady);

const refused = (message) => new MembersError('PERMISSION_DENIED', message, 'PERMISSION_DENIED', 403,
  { applicationError: { code: 'PERMISSION_DENIED', description: message, data: {} } });

/** Refused in the browser: admin rights never reach a page (SPEC §4). */
export function elevate() {
  throw refused('elevate() is refused in the browser: admin rights stay on the server');
}

/**
 * The webhooks API (SPEC §9). Like every call, it travels to the server, which
 * answers only an admin: a page signed in through admin sign-in (the HttpOnly
 * `members_admin` cookie), never the page's own code, so admin rights do not
 * depend on what runs in the page.
 */
export const webhooks = deferUntilReady(makeWebhooks(core), ready, isReady);

/**
 * Wix's Async Job API (admins: the server answers PERMISSION_DENIED to anyone
 * else), e.g. to follow a bulk job's progress in an admin page.
 */
export const asyncJobs = deferUntilReady(makeAsyncJobs(core), ready, isReady);

export { MembersError, isMembersError };
