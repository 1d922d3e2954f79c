// Browser entry: loads the wasm core with fetch. Every call travels to the
// members server the page came from (or `configure({ baseUrl })`), through the
// same REST codec the server uses, and comes back as the same values and errors.

import init, { Members, registerErrorClass } from './wasm/universal_members.js';
import { MembersError, isMembersError } from './errors.mjs';
import { makeAsyncJobs, makeAuthentication, makeMembers, makeWebhooks } from './facade.mjs';

await init();
registerErrorClass(MembersError);

// The session lives in an HttpOnly cookie the server sets; scripts never see the
// token. Whether there is one is told by the server's companion cookie.
let base = Members.browser(globalThis.location?.origin ?? 'http://localhost');
// The companion cookie is readable only when the server is this page's origin;
// for another server this side's own record (login/logout) has to do.
let sameOrigin = true;
let loggedIn = false;
// Over https the server names it with the `__Host-` prefix.
const cookieSaysLoggedIn = () => /(?:^|;\s*)(?:__Host-)?members_logged_in=1(?:;|$)/.test(globalThis.document?.cookie ?? '');

/** Points the browser API at another members server (`{ baseUrl }`). */
export function configure(options = {}) {
  const origin = globalThis.location?.origin;
  base = Members.browser(options.baseUrl ?? origin);
  sameOrigin = !options.baseUrl || new URL(options.baseUrl, origin).origin === origin;
  loggedIn = false;
}

/** The members API of the visitor or logged-in member using this page. */
export const members = makeMembers(() => base);
/** The same API acting as the holder of a session token (sent as Bearer). */
members.withSession = (token) => makeMembers(() => base.withSession(token));

/** The authentication API of this page: login and register keep the session. */
export const authentication = makeAuthentication(() => base, (c) => c, {
  // Read each time: the server clears the cookie when the session ends.
  loggedIn: () => (sameOrigin ? cookieSaysLoggedIn() : loggedIn),
  started: () => { loggedIn = true; },
  ended: () => { loggedIn = false; },
});

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
export const webhooks = makeWebhooks(() => base);

/**
 * Wix's Async Job API (admins: the server answers PERMISSION_DENIED to anyone
 * else), e.g. to follow a bulk job's progress in an admin page.
 */
export const asyncJobs = makeAsyncJobs(() => base);

export { MembersError, isMembersError };
