// The wasm core for Node, loaded once: what the Node entry, the server and the
// CLI share. Opens databases (choosing the driver from the URL) and remote APIs.

import { readFileSync } from 'node:fs';
import { initSync, Members, parseDatabaseUrl, registerErrorClass } from './wasm/universal_members.js';
import { MembersError } from './errors.mjs';
import { openMailer } from './mail.mjs';
import { openHasher } from './hasher.mjs';

initSync({ module: readFileSync(new URL('./wasm/universal_members_bg.wasm', import.meta.url)) });
registerErrorClass(MembersError);

// One pool of password workers for every core this process opens.
let hasher = null;

/** The Node default: a SQLite file in the working directory. */
export const DEFAULT_DATABASE = 'sqlite:./members.db';

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
 * Opens the core: `{ database, approval, defaultPrivacy, loginLimit, mailer,
 * smtpUrl, mailbox, siteUrl }` for a database in this process, or `{ baseUrl,
 * adminKey }` for a remote members server. Returns the visitor's `Members` and a
 * `close()`. A bad URL throws here.
 */
export function openCore(options) {
  if (options.baseUrl) {
    return { core: Members.remote(options.baseUrl, options.adminKey), close: async () => {} };
  }
  const driver = driverFor(parseDatabaseUrl(options.database ?? DEFAULT_DATABASE));
  const mailer = openMailer({
    mailer: options.mailer, smtpUrl: options.smtpUrl, mailbox: options.mailbox, siteUrl: options.siteUrl,
  });
  const { approval, defaultPrivacy, loginLimit } = options;
  hasher ??= openHasher();
  const core = Members.open({ approval, defaultPrivacy, loginLimit }, driver, mailer, hasher);
  return { core, close: async () => { if (driver) await driver.close(); } };
}

export { Members };
