// The wasm core for Node, loaded once: what the Node entry, the server and the
// CLI share. Opens databases (choosing the driver from the URL) and remote APIs,
// and starts the background work of a database (webhook delivery, retention).

import { readFileSync } from 'node:fs';
import { initSync, Members, parseDatabaseUrl, registerErrorClass } from './wasm/universal_members.js';
import { MembersError } from './errors.mjs';
import { openMailer } from './mail.mjs';
import { openHasher } from './hasher.mjs';
import { signer } from './host/signer.mjs';
import { startWebhookDelivery } from './host/webhook-delivery.mjs';
import { startJobRunner } from './host/job-runner.mjs';
import { startRetention } from './host/retention.mjs';

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

/** How many days events, deliveries and attempts are kept (MEMBERS_RETENTION_DAYS). */
export const DEFAULT_RETENTION_DAYS = 30;

/** `1`/`true` → true, `0`/`false` → false, unset → undefined; anything else throws. */
function flagOf(env, name) {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (text === '1' || text === 'true') return true;
  if (text === '0' || text === 'false') return false;
  throw new TypeError(`${name} must be 1 or 0, got ${JSON.stringify(text)}`);
}

function wholeNumberOf(env, name) {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a whole number above 0, got ${JSON.stringify(text)}`);
  return value;
}

/** `5,300,1800` → [5, 300, 1800] (seconds); unset → undefined; anything else throws. */
function secondsListOf(env, name) {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const list = text.split(',').map((part) => Number(part.trim()));
  if (list.some((n) => !Number.isFinite(n) || n < 0)) throw new TypeError(`${name} must be seconds separated by commas, got ${JSON.stringify(text)}`);
  return list;
}

/**
 * The event settings: `deliverWebhooks` (MEMBERS_DELIVER_WEBHOOKS=1; the default
 * is `deliverByDefault`: true for servers, false for Node scripts),
 * `retentionDays` (MEMBERS_RETENTION_DAYS, default 30) and `webhookAllowPrivate`
 * (MEMBERS_WEBHOOK_ALLOW_PRIVATE=1, default false) and `webhookRetrySchedule`
 * (MEMBERS_WEBHOOK_RETRY_SCHEDULE, seconds after each failure). Options override the
 * environment, which overrides the defaults; a bad environment value throws.
 */
export function eventSettings(options = {}, { deliverByDefault = false, env = process.env } = {}) {
  return {
    deliverWebhooks: options.deliverWebhooks ?? flagOf(env, 'MEMBERS_DELIVER_WEBHOOKS') ?? deliverByDefault,
    retentionDays: options.retentionDays ?? wholeNumberOf(env, 'MEMBERS_RETENTION_DAYS') ?? DEFAULT_RETENTION_DAYS,
    webhookAllowPrivate: options.webhookAllowPrivate ?? flagOf(env, 'MEMBERS_WEBHOOK_ALLOW_PRIVATE') ?? false,
    // The core's schedule (5 s … 10 h) when unset.
    webhookRetrySchedule: options.webhookRetrySchedule ?? secondsListOf(env, 'MEMBERS_WEBHOOK_RETRY_SCHEDULE'),
  };
}

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
 * Opens the core: `{ database, approval, defaultPrivacy, loginLimit,
 * emailVerification ('off'|'required'), mailer,
 * smtpUrl, mailbox, siteUrl, retentionDays, webhookAllowPrivate }` for a database
 * in this process, or `{ baseUrl, adminKey }` for a remote members server.
 * Returns the visitor's `Members`, whether it is `local`, and a `close()`. A bad
 * URL throws here.
 */
export function openCore(options) {
  if (options.baseUrl) {
    return { core: Members.remote(options.baseUrl, options.adminKey), local: false, close: async () => {} };
  }
  const driver = driverFor(parseDatabaseUrl(options.database ?? DEFAULT_DATABASE));
  const mailer = openMailer({
    mailer: options.mailer, smtpUrl: options.smtpUrl, mailbox: options.mailbox, siteUrl: options.siteUrl,
  });
  const { approval, defaultPrivacy, loginLimit, emailVerification } = options;
  const { retentionDays, webhookAllowPrivate, webhookRetrySchedule } = eventSettings(options);
  hasher ??= openHasher();
  const core = Members.open({
    approval, defaultPrivacy, loginLimit, emailVerification, retentionDays, webhookAllowPrivate, webhookRetrySchedule,
  }, driver, mailer, hasher, signer);
  return { core, local: true, close: async () => { if (driver) await driver.close(); } };
}

/**
 * Starts the background work of a core opened here, acting as admin: webhook
 * delivery (when `deliverWebhooks`), the async job runner and the retention
 * timer. `{ deliverWebhooks, webhookAllowPrivate, log(line) }`. Returns `{ poke(),
 * stop() }`: `poke()` after a local write sends its webhooks and looks for new
 * jobs without waiting for the next tick; `stop()` finishes or gives back what is
 * in flight (call it before closing the database).
 */
export function startBackground(core, { deliverWebhooks = true, webhookAllowPrivate = false, log = () => {} } = {}) {
  const admin = core.elevated();
  const delivery = deliverWebhooks ? startWebhookDelivery({ admin, allowPrivate: webhookAllowPrivate, log }) : null;
  const jobs = startJobRunner({ admin, log });
  // Every commit of this process wakes the workers: its events go out and its
  // jobs start at once.
  core.onCommit(() => { delivery?.poke(); jobs.poke(); });
  const retention = startRetention({ admin, log });
  return {
    poke: () => { delivery?.poke(); jobs.poke(); },
    stop: () => Promise.all([delivery?.stop(), jobs.stop(), retention.stop()]).then(() => {}),
  };
}
