// Node entry: loads the wasm core from disk, runs calls in this process against
// the configured database, and provides `elevate()` for backend code. A backend
// serves many members, so the global objects hold no session: a member's calls
// go through `withSession(token)`. With `deliverWebhooks` this process also
// delivers webhooks and prunes old events, until `close()`.

import { AsyncLocalStorage } from 'node:async_hooks';
import { openCore, eventSettings, startBackground, ready, DEFAULT_DATABASE } from './core.mjs';
import { MembersError, isMembersError } from './errors.mjs';
import { makeAsyncJobs, makeAuthentication, makeMembers, makeWebhooks } from './facade.mjs';

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
    loginLimit: options.loginLimit ?? loginLimitFromEnv(env),
    emailVerification: options.emailVerification ?? (env.MEMBERS_EMAIL_VERIFICATION || undefined),
    mailer: options.mailer,
    smtpUrl: options.smtpUrl,
    mailbox: options.mailbox,
    siteUrl: options.siteUrl,
    // deliverWebhooks, retentionDays, webhookAllowPrivate (Node scripts do not deliver by default).
    ...eventSettings(options),
  };
}

/** The failed-login limits set in the environment (the core has the defaults). */
function loginLimitFromEnv(env) {
  const limit = {};
  for (const [key, name] of [['perEmail', 'MEMBERS_LOGIN_LIMIT_PER_EMAIL'], ['perAddress', 'MEMBERS_LOGIN_LIMIT_PER_ADDRESS'], ['windowSeconds', 'MEMBERS_LOGIN_WINDOW_SECONDS']]) {
    if (env[name]) limit[key] = Number(env[name]);
  }
  return limit;
}

/**
 * Chooses the database (`sqlite:PATH`, `postgres://…`, `memory:`; default
 * `MEMBERS_DATABASE_URL`, else `sqlite:./members.db`) and the site policy
 * (`approval`, `defaultPrivacy`, `loginLimit: { perEmail, perAddress,
 * windowSeconds }`, `emailVerification: 'off' | 'required'`, default
 * MEMBERS_EMAIL_VERIFICATION, else off) and mail (`mailer: { send(message) }`, else `smtpUrl`, else
 * the development `mailbox` file; `siteUrl` for links), or, with `baseUrl` (and
 * `adminKey` for elevated calls), a remote members server. A bad URL throws here;
 * an unreachable server or a locked file rejects the first call. Events:
 * `deliverWebhooks` (MEMBERS_DELIVER_WEBHOOKS=1) makes this process deliver
 * webhooks and prune old events; `retentionDays` (MEMBERS_RETENTION_DAYS, 30);
 * `webhookAllowPrivate` (MEMBERS_WEBHOOK_ALLOW_PRIVATE=1, development only).
 * Calling it again closes the previous database.
 */
export function configure(options = {}) {
  const chosen = settings(options);
  if (chosen.baseUrl && options.deliverWebhooks) {
    throw new TypeError('deliverWebhooks needs the database in this process: the server at baseUrl delivers its own');
  }
  const opened = openCore(chosen);
  // A client of a remote server has no outbox or jobs here: that server works
  // them. With the database here, jobs always run; webhooks when asked.
  const background = opened.local
    ? startBackground(opened.core, {
      deliverWebhooks: chosen.deliverWebhooks,
      webhookAllowPrivate: chosen.webhookAllowPrivate,
      log: (line) => process.stderr.write(`universal-members: ${line}\n`),
    })
    : null;
  const previous = closeBase;
  base = opened.core;
  // Leases are finished or given back before the database goes.
  closeBase = async () => {
    await background?.stop();
    await opened.close();
  };
  previous().catch(() => {});
}

/** Stops webhook delivery (if started) and closes the database; the next call opens the configured one again. */
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
  /** The same API acting as the holder of a session token (from login/register). */
  members.withSession = (token) => facadeOver(() => core().withSession(token));
  return members;
}

/** The authentication API of one session: logged in until its logout(). */
function sessionAuthentication(token) {
  let live = true;
  return makeAuthentication(() => visitor().withSession(token), withElevation, {
    loggedIn: () => live,
    ended: () => { live = false; },
  });
}

/** The members API; a backend script calls as a visitor until it elevates. */
export const members = facadeOver(visitor);

/**
 * The webhooks API (SPEC §9), for admins: `elevate(webhooks.createWebhook)({ url })`.
 * Anyone else gets `PERMISSION_DENIED` from the core.
 */
export const webhooks = makeWebhooks(visitor, withElevation);

/**
 * Wix's Async Job API (SPEC §12), for admins: `elevate(asyncJobs.getAsyncJob)(jobId)`
 * and `listAsyncJobItems(jobId, { statusFilter, paging })`.
 */
export const asyncJobs = makeAsyncJobs(visitor, withElevation);

/**
 * The authentication API (SPEC §10). It holds no session itself: `login` and
 * `register` return `sessionToken`, which `withSession(token)` turns into that
 * member's API; `loggedIn()` is false here. `logout(token)` ends that token's
 * session; `logout()` without one rejects `UNAUTHENTICATED`.
 */
export const authentication = makeAuthentication(visitor, withElevation);
const logoutNobody = authentication.logout;
authentication.logout = (token) => (token === undefined
  ? logoutNobody()
  : sessionAuthentication(token).logout());
Object.defineProperty(authentication.logout, 'name', { value: 'logout' });
/** The authentication API of the session `token` (its `logout()` ends it). */
authentication.withSession = sessionAuthentication;

/**
 * The APIs of one member's session (a token from `login` or `register`):
 * `{ members, authentication }`. After logout, block, disconnect or delete its
 * calls fail with `UNAUTHENTICATED` / `SESSION_INVALID`.
 */
export function withSession(token) {
  return { members: members.withSession(token), authentication: sessionAuthentication(token) };
}

/**
 * Returns `fn` running with admin rights, like Wix's `elevate` from `wix-auth`:
 * `await elevate(members.createMember)({ member })`.
 */
export function elevate(fn) {
  if (typeof fn !== 'function') throw new TypeError('elevate(fn) needs a function');
  return (...args) => elevation.run(true, () => fn(...args));
}

export { MembersError, isMembersError, DEFAULT_DATABASE };

/**
 * Resolves once the wasm core is compiled and ready. Optional: the first call
 * initialises it by itself; awaiting `ready()` first (e.g. while a server starts)
 * moves that work out of the first call.
 */
export { ready };
