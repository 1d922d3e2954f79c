// The `members`, `authentication` and (Node) `webhooks` objects users import:
// the same method names in every runtime. Each call is forwarded to the wasm `Members` (or its
// `Authentication`) for the current caller, which `resolve` picks (on Node,
// `elevate()` swaps in an admin for the duration).

/** Every call of SPEC §5, plus events and the query builder. */
export const METHODS = [
  'createMember', 'getMember', 'listMembers', 'queryMembers', 'updateMember', 'deleteMember',
  'deleteMemberAddresses', 'deleteMemberEmails', 'deleteMemberPhones', 'getCurrentMember',
  'joinCommunity', 'leaveCommunity', 'updateCurrentMemberSlug', 'updateMemberSlug',
  'muteMember', 'unmuteMember', 'approveMember', 'blockMember', 'disconnectMember',
  'deleteMyMember', 'bulkDeleteMembers', 'bulkDeleteMembersByFilter', 'bulkApproveMembers',
  'bulkBlockMembers', 'importMembers', 'onMemberCreated', 'onMemberUpdated', 'onMemberDeleted',
];

/**
 * Builds a members object over `core()` (the wasm Members of its caller).
 * `resolve(core)` may replace the caller for one call (elevation).
 */
export function makeMembers(core, resolve = (c) => c) {
  const api = {};
  for (const name of METHODS) {
    const method = (...args) => resolve(core())[name](...args);
    Object.defineProperty(method, 'name', { value: name });
    api[name] = method;
  }
  Object.defineProperty(api, 'core', { get: core, enumerable: false });
  return api;
}

/** The webhook calls of SPEC §9 (admins only; the core refuses everyone else). */
export const WEBHOOK_METHODS = [
  'createWebhook', 'listWebhooks', 'getWebhook', 'deleteWebhook', 'rotateWebhookSecret',
  'listWebhookDeliveries', 'redeliver',
];

/**
 * Builds a webhooks object over `core()`; like `makeMembers`, each call goes to
 * the wasm method of the same name of the caller `resolve` picks, so
 * `elevate(webhooks.createWebhook)(...)` runs as admin.
 */
export function makeWebhooks(core, resolve = (c) => c) {
  const api = {};
  for (const name of WEBHOOK_METHODS) {
    const method = (...args) => resolve(core())[name](...args);
    Object.defineProperty(method, 'name', { value: name });
    api[name] = method;
  }
  return api;
}

/** The calls of Wix's Async Job API (SPEC §12; admins only). */
export const ASYNC_JOB_METHODS = ['getAsyncJob', 'listAsyncJobItems'];

/** Builds an asyncJobs object over `core()`, like `makeWebhooks`. */
export function makeAsyncJobs(core, resolve = (c) => c) {
  const api = {};
  for (const name of ASYNC_JOB_METHODS) {
    const method = (...args) => resolve(core())[name](...args);
    Object.defineProperty(method, 'name', { value: name });
    api[name] = method;
  }
  return api;
}

/** Every call of SPEC §10 that goes to the core (`loggedIn` is answered locally). */
export const AUTHENTICATION_METHODS = [
  'register', 'login', 'logout', 'changeLoginEmail', 'sendSetPasswordEmail', 'setPassword',
  'verifyEmail', 'sendVerificationEmail', 'listMySessions', 'revokeSession',
  'revokeOtherSessions', 'revokeMemberSessions',
];

/**
 * Builds an authentication object over `core()`. `session` keeps what this side
 * knows of its session: `loggedIn()` reads it, and a successful login, register
 * or verifyEmail (ACTIVE) or logout updates it through `session.started()` / `session.ended()`.
 */
export function makeAuthentication(core, resolve = (c) => c, session = { loggedIn: () => false }) {
  const api = {};
  for (const name of AUTHENTICATION_METHODS) {
    const method = async (...args) => {
      let result;
      try {
        result = await resolve(core()).authentication()[name](...args);
      } catch (error) {
        // A logout refused for want of a session means there is none here either.
        if (name === 'logout' && error?.code === 'UNAUTHENTICATED') session.ended?.();
        throw error;
      }
      if (['login', 'register', 'verifyEmail'].includes(name) && result?.status === 'ACTIVE') session.started?.(result);
      if (name === 'logout') session.ended?.();
      return result;
    };
    Object.defineProperty(method, 'name', { value: name });
    api[name] = method;
  }
  /** True while this side holds a session (synchronous, as in Wix). */
  api.loggedIn = () => session.loggedIn();
  return api;
}
