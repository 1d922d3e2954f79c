// Calls made before a page's wasm core has loaded (the entries load it on first
// use, not with top-level await, so any bundler's default target takes them):
// a call that returns a promise waits for the core; `queryMembers()` gives a
// builder that records its steps and replays them on the core's builder when
// `find()` or `count()` runs, so its argument errors reject that promise.

import { MembersError } from './errors.mjs';

const STEPS = Symbol('recorded query steps');

/**
 * Loads a wasm core once, on first need: `load()` instantiates it, then its
 * errors become `MembersError`s (`registerErrorClass`). Returns `ready()` (the
 * one promise; a failed load rejects `UNAVAILABLE` with `code` and the next call
 * tries again) and `isReady()`.
 */
export function loadOnce(load, registerErrorClass, { what, code }) {
  let loading = null;
  let loaded = false;
  const ready = () => (loading ??= load().then(() => {
    registerErrorClass(MembersError);
    loaded = true;
  }, (error) => {
    loading = null;
    throw new MembersError('UNAVAILABLE', `${what} could not load: ${error?.message ?? error}`,
      code, 503, { applicationError: { code, description: `${what} did not load`, data: {} } });
  }));
  return { ready, isReady: () => loaded };
}

/**
 * Wraps every function of `api` (a facade object) so a call before `isReady()`
 * waits for `ready()`; `queryMembers` returns a recording builder then. Once the
 * core is loaded the calls go straight through, synchronous parts included.
 */
export function deferUntilReady(api, ready, isReady) {
  for (const [name, call] of Object.entries(api)) {
    // `loggedIn()` is answered by the page itself, synchronously as in Wix.
    if (typeof call !== 'function' || name === 'loggedIn') continue;
    const wrapped = name === 'queryMembers'
      ? (...args) => (isReady() ? call(...args) : recordingQuery(() => call(...args), ready))
      : (...args) => (isReady() ? call(...args) : ready().then(() => call(...args)));
    Object.defineProperty(wrapped, 'name', { value: name });
    api[name] = wrapped;
  }
  return api;
}

/** A builder that remembers each step; `find()`/`count()` replay them on `start()`. */
function recordingQuery(start, ready, steps = []) {
  const replay = () => steps.reduce((builder, [name, args]) => {
    if (typeof builder[name] !== 'function') {
      throw new TypeError(`queryMembers().${name} is not a query builder method`);
    }
    // A builder passed to and/or/not may be a recording too.
    return builder[name](...args.map((arg) => (arg?.[STEPS] ? arg[STEPS]() : arg)));
  }, start());
  return new Proxy(Object.create(null), {
    get(_, name) {
      if (name === STEPS) return replay;
      // Not a thenable: `await members.queryMembers()` must not call anything.
      if (typeof name !== 'string' || name === 'then') return undefined;
      if (name === 'find' || name === 'count') {
        return (...args) => ready().then(() => replay()[name](...args));
      }
      return (...args) => recordingQuery(start, ready, [...steps, [name, args]]);
    },
  });
}
