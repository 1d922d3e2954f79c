// Node entry: loads the wasm core from disk, runs calls in this process against
// the configured database, and provides `elevate()` for backend code.

import { readFileSync } from 'node:fs';
import { AsyncLocalStorage } from 'node:async_hooks';
import { webcrypto } from 'node:crypto';
import { initSync, Members, registerErrorClass } from './wasm/universal_members.js';
import { MembersError, isMembersError } from './errors.mjs';
import { makeMembers } from './facade.mjs';

// Node 18 has no global `crypto`; the core draws ids and tokens from it.
globalThis.crypto ??= webcrypto;
initSync({ module: readFileSync(new URL('./wasm/universal_members_bg.wasm', import.meta.url)) });
registerErrorClass(MembersError);

let base = null;
const elevation = new AsyncLocalStorage();

function settings(options = {}) {
  const env = process.env;
  return {
    database: options.database ?? env.MEMBERS_DATABASE_URL ?? 'memory:',
    approval: options.approval ?? env.MEMBERS_APPROVAL ?? 'auto',
    defaultPrivacy: options.defaultPrivacy ?? env.MEMBERS_DEFAULT_PRIVACY ?? 'PUBLIC',
  };
}

/**
 * Chooses the database and site policy. Call before the first call; calling it
 * again starts over with a new database connection.
 */
export function configure(options = {}) {
  base = Members.open(settings(options));
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

export { MembersError, isMembersError };
