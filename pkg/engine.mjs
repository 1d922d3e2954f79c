// `universal-members/engine`: the whole engine running in a page, on the memory
// store (prototypes, offline demos, tests in a browser). It weighs what Node's
// engine weighs (see the README); a page that talks to a members server wants the
// main entry, which loads only the client. Like the Node entry it keeps no session
// of its own: `login`/`register` return a `sessionToken` for `withSession(token)`.

import init, { Members, registerErrorClass } from './wasm/universal_members.js';
import { MembersError, isMembersError } from './errors.mjs';
import { makeAsyncJobs, makeAuthentication, makeMembers, makeWebhooks } from './facade.mjs';
import { deferUntilReady, loadOnce } from './deferred.mjs';

let options = {};
let base = null;
// Set while an elevated function's synchronous part runs (it picks its caller then).
let elevated = false;

// One load of the core for every call of this entry.
const loader = loadOnce(init, registerErrorClass,
  { what: 'the members engine', code: 'ENGINE_UNAVAILABLE' });
/** Loads the engine (once; the first call does it too). */
export const { ready } = loader;
const { isReady } = loader;

/**
 * Sets the site policy (`approval`, `defaultPrivacy`, `loginLimit`,
 * `emailVerification`) of a new, empty memory store; `database` may only be
 * `memory:` here. The members made so far are dropped.
 */
export function configure(next = {}) {
  if (next.database !== undefined && next.database !== 'memory:') {
    throw new TypeError(`universal-members/engine keeps members in memory only; database ${JSON.stringify(next.database)} needs Node`);
  }
  const { database, ...policy } = next;
  options = policy;
  base = null;
}

/** Drops the memory store; the next call starts an empty one. */
export async function close() {
  base = null;
}

const visitor = () => (base ??= Members.open(options, undefined, undefined, undefined, undefined));
const withElevation = (core) => (elevated ? core.elevated() : core);

function facadeOver(core) {
  const api = deferUntilReady(makeMembers(core, withElevation), ready, isReady);
  /** The same API acting as the member with this id. */
  api.asMember = (memberId) => facadeOver(() => core().asMember(memberId));
  /** The same API acting as the holder of a session token. */
  api.withSession = (token) => facadeOver(() => core().withSession(token));
  return api;
}

/** The members API, as a visitor until elevated or given a session. */
export const members = facadeOver(visitor);
/** The authentication API; `login`/`register` return the `sessionToken`. */
export const authentication = deferUntilReady(makeAuthentication(visitor, withElevation), ready, isReady);
/** The webhooks API (admins: `elevate(webhooks.createWebhook)(...)`); nothing is delivered from a page. */
export const webhooks = deferUntilReady(makeWebhooks(visitor, withElevation), ready, isReady);
/** Wix's Async Job API (admins). */
export const asyncJobs = deferUntilReady(makeAsyncJobs(visitor, withElevation), ready, isReady);

/** The APIs of one member's session: `{ members, authentication }`. */
export function withSession(token) {
  return {
    members: members.withSession(token),
    authentication: deferUntilReady(makeAuthentication(() => visitor().withSession(token), withElevation), ready, isReady),
  };
}

/**
 * Returns `fn` (a call of these objects) running with admin rights:
 * `await elevate(members.createMember)({ member })`. The call takes its caller
 * when it is made, so pass the call itself, not a function that awaits first.
 */
export function elevate(fn) {
  if (typeof fn !== 'function') throw new TypeError('elevate(fn) needs a function');
  return async (...args) => {
    await ready();
    // Only the synchronous part: a call started meanwhile elsewhere stays unelevated.
    elevated = true;
    let pending;
    try {
      pending = fn(...args);
    } finally {
      elevated = false;
    }
    return pending;
  };
}

export { MembersError, isMembersError };
