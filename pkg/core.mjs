// The wasm core for Node, loaded once: what the Node entry, the server, the CLI
// and the password workers share. Opens databases (choosing the driver from the
// URL) and remote APIs, and starts the background work of a database (webhook
// delivery, retention). Importing it compiles and loads nothing heavy: the wasm
// is compiled on the first call (or by `ready()`), a driver loads its npm
// package when a database of its kind opens, webhook delivery when it starts.

import { createRequire } from 'node:module';
import * as glue from './wasm/universal_members.js';
import { MembersError } from './errors.mjs';
import { openMailer } from './mail.mjs';
import { openHasher } from './hasher.mjs';
import { signer } from './host/signer.mjs';
import { startJobRunner } from './host/job-runner.mjs';
import { startRetention } from './host/retention.mjs';
import { openSqlite } from './drivers/sqlite.mjs';
import { openPostgres } from './drivers/postgres.mjs';

// node:fs through require: importing it as ESM reads all its exports, which
// loads the whole of node:stream, milliseconds of a cold start.
const fs = createRequire(import.meta.url)('node:fs');

/** The engine build of the core that Node runs: the one place naming its file. */
export const ENGINE_WASM = new URL('./wasm/universal_members_bg.wasm', import.meta.url);

// The compiled engine, once instantiated in this thread.
let compiled = null;
let readying = null;

/**
 * The wasm core's exports, instantiated on first use. Reading and compiling the
 * engine is the largest part of a cold start, so nothing pays for it before a
 * call needs it. `module`: an engine compiled elsewhere (a password worker gets
 * its parent's), else the file is read and compiled here, synchronously.
 */
export function engine(module) {
  if (compiled === null) {
    const chosen = module ?? new WebAssembly.Module(fs.readFileSync(ENGINE_WASM));
    glue.initSync({ module: chosen });
    glue.registerErrorClass(MembersError);
    compiled = chosen;
  }
  return glue;
}

/** The compiled engine module (compiling it if need be), to hand to a worker. */
export function engineModule() {
  engine();
  return compiled;
}

/**
 * Resolves once the wasm core is compiled and instantiated, compiling off the
 * main thread where V8 can; calls made after it pay no start-up. Optional: the
 * first call initialises the core itself.
 */
export function ready() {
  readying ??= (async () => {
    if (compiled !== null) return;
    const module = await WebAssembly.compile(await fs.promises.readFile(ENGINE_WASM));
    engine(module);
  })().catch((error) => {
    readying = null;
    throw error;
  });
  return readying;
}

/** `sqlite:PATH`, `postgres://…` or `memory:` → `{ kind, target }`; a bad URL throws a MembersError. */
export function parseDatabaseUrl(url) {
  return engine().parseDatabaseUrl(url);
}

// One pool of password workers for every core this process opens.
let hasher = null;

/** The Node default: a SQLite file in the working directory. */
export const DEFAULT_DATABASE = 'sqlite:./members.db';

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

/** The driver of a parsed URL; a missing npm package throws a MembersError naming it. */
function driverFor({ kind, target }) {
  if (kind === 'memory') return undefined;
  return kind === 'sqlite' ? openSqlite(target) : openPostgres(target);
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
    return { core: engine().Members.remote(options.baseUrl, options.adminKey), local: false, close: async () => {} };
  }
  const driver = driverFor(parseDatabaseUrl(options.database ?? DEFAULT_DATABASE));
  const mailer = openMailer({
    mailer: options.mailer, smtpUrl: options.smtpUrl, mailbox: options.mailbox, siteUrl: options.siteUrl,
  });
  const { approval, defaultPrivacy, loginLimit, emailVerification } = options;
  const { retentionDays, webhookAllowPrivate, webhookRetrySchedule } = eventSettings(options);
  hasher ??= openHasher({ engine: engineModule });
  const core = engine().Members.open({
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
  // The HTTP client loads only where webhooks are delivered; its loop starts by
  // claiming what is due, so a commit before it is running is not missed.
  let delivery = null;
  let stopping = false;
  const deliveryStarted = deliverWebhooks
    ? import('./host/webhook-delivery.mjs').then(({ startWebhookDelivery }) => {
      if (!stopping) delivery = startWebhookDelivery({ admin, allowPrivate: webhookAllowPrivate, log });
    }).catch((error) => log(`webhooks: delivery could not start (${error?.message ?? error})`))
    : Promise.resolve();
  const jobs = startJobRunner({ admin, log });
  // Every commit of this process wakes the workers: its events go out and its
  // jobs start at once.
  core.onCommit(() => { delivery?.poke(); jobs.poke(); });
  const retention = startRetention({ admin, log });
  return {
    poke: () => { delivery?.poke(); jobs.poke(); },
    stop: async () => {
      stopping = true;
      await deliveryStarted;
      await Promise.all([delivery?.stop(), jobs.stop(), retention.stop()]);
    },
  };
}
