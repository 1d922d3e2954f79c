// Node entry: loads the wasm core from disk, runs calls in this process against
// the configured database, and provides `elevate()` for backend code.

import { readFileSync } from 'node:fs';
import { AsyncLocalStorage } from 'node:async_hooks';
import { webcrypto } from 'node:crypto';
import { initSync, Members, parseDatabaseUrl, registerErrorClass } from './wasm/universal_members.js';
import { MembersError, isMembersError } from './errors.mjs';
import { makeMembers } from './facade.mjs';

// Node 18 has no global `crypto`; the core draws ids and tokens from it.
globalThis.crypto ??= webcrypto;
initSync({ module: readFileSync(new URL('./wasm/universal_members_bg.wasm', import.meta.url)) });
registerErrorClass(MembersError);

let base = null;
let driver = null;
const elevation = new AsyncLocalStorage();

/** The Node default: a SQLite file in the working directory. */
const DEFAULT_DATABASE = 'sqlite:./members.db';

function settings(options = {}) {
  const env = process.env;
  return {
    database: options.database ?? env.MEMBERS_DATABASE_URL ?? DEFAULT_DATABASE,
    approval: options.approval ?? env.MEMBERS_APPROVAL ?? 'auto',
    defaultPrivacy: options.defaultPrivacy ?? env.MEMBERS_DEFAULT_PRIVACY ?? 'PUBLIC',
  };
}

// Drivers load their native modules only when used, so `memory:` needs neither.
const drivers = {
  sqlite: await import('./drivers/sqlite.mjs').catch(() => null),
  postgres: await import('./drivers/postgres.mjs').catch(() => null),
};

function driverFor({ kind, target }) {
  if (kind === 'memory') return undefined;
  const module = drivers[kind];
  if (module === null) {
    throw new MembersError('UNAVAILABLE', `the ${kind} driver could not be loaded (is its npm package installed?)`,
      'DATABASE_UNAVAILABLE', 503, { applicationError: { code: 'DATABASE_UNAVAILABLE', description: `no ${kind} driver`, data: {} } });
  }
  return kind === 'sqlite' ? module.openSqlite(target) : module.openPostgres(target);
}

/**
 * Chooses the database (`sqlite:PATH`, `postgres://…`, `memory:`; default
 * `MEMBERS_DATABASE_URL`, else `sqlite:./members.db`) and the site policy. A bad
 * URL throws here; an unreachable server or a locked file rejects the first call.
 * Calling it again closes the previous database.
 */
export function configure(options = {}) {
  const chosen = settings(options);
  const location = parseDatabaseUrl(chosen.database);
  const next = driverFor(location);
  const opened = Members.open(chosen, next);
  closeDriver();
  driver = next ?? null;
  base = opened;
}

function closeDriver() {
  const previous = driver;
  driver = null;
  return previous ? previous.close() : Promise.resolve();
}

/** Closes the database; the next call opens the configured one again. */
export async function close() {
  base = null;
  await closeDriver();
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
