// Node entry: loads the wasm core from disk, runs calls in this process against
// the configured database, and provides `elevate()` for backend code.

import { AsyncLocalStorage } from 'node:async_hooks';
import { openCore, DEFAULT_DATABASE } from './core.mjs';
import { MembersError, isMembersError } from './errors.mjs';
import { makeMembers } from './facade.mjs';

let base = null;
let closeBase = async () => {};
const elevation = new AsyncLocalStorage();

function settings(options = {}) {
  const env = process.env;
  return {
    database: options.database ?? env.MEMBERS_DATABASE_URL ?? DEFAULT_DATABASE,
    approval: options.approval ?? env.MEMBERS_APPROVAL ?? 'auto',
    defaultPrivacy: options.defaultPrivacy ?? env.MEMBERS_DEFAULT_PRIVACY ?? 'PUBLIC',
    baseUrl: options.baseUrl,
    adminKey: options.adminKey ?? env.MEMBERS_ADMIN_KEY,
  };
}

/**
 * Chooses the database (`sqlite:PATH`, `postgres://…`, `memory:`; default
 * `MEMBERS_DATABASE_URL`, else `sqlite:./members.db`) and the site policy, or, with
 * `baseUrl` (and `adminKey` for elevated calls), a remote members server. A bad URL
 * throws here; an unreachable server or a locked file rejects the first call.
 * Calling it again closes the previous database.
 */
export function configure(options = {}) {
  const opened = openCore(settings(options));
  const previous = closeBase;
  base = opened.core;
  closeBase = opened.close;
  previous().catch(() => {});
}

/** Closes the database; the next call opens the configured one again. */
export async function close() {
  base = null;
  const previous = closeBase;
  closeBase = async () => {};
  await previous();
}

function visitor() {
  if (base === null) configure();
  return base;
}

// Inside elevate(fn) every call runs with admin rights, keeping the member acted for.
const withElevation = (core) => (elevation.getStore() ? core.elevated() : core);

function facadeOver(core) {
  const members = makeMembers(core, withElevation);
  /** The same API acting as the member with this id (trusted backend code). */
  members.asMember = (memberId) => facadeOver(() => core().asMember(memberId));
  return members;
}

/** The members API; a backend script calls as a visitor until it elevates. */
export const members = facadeOver(visitor);

/**
 * Returns `fn` running with admin rights, like Wix's `elevate` from `wix-auth`:
 * `await elevate(members.createMember)({ member })`.
 */
export function elevate(fn) {
  if (typeof fn !== 'function') throw new TypeError('elevate(fn) needs a function');
  return (...args) => elevation.run(true, () => fn(...args));
}

export { MembersError, isMembersError, DEFAULT_DATABASE };
