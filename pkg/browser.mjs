// Browser entry: loads the wasm core with fetch. Every call travels to the
// members server the page came from (or `configure({ baseUrl })`), through the
// same REST codec the server uses, and comes back as the same values and errors.

import init, { Members, registerErrorClass } from './wasm/universal_members.js';
import { MembersError, isMembersError } from './errors.mjs';
import { makeMembers } from './facade.mjs';

await init();
registerErrorClass(MembersError);

let base = Members.remote(globalThis.location?.origin ?? 'http://localhost', undefined);

/** Points the browser API at another members server (`{ baseUrl }`). */
export function configure(options = {}) {
  base = Members.remote(options.baseUrl ?? globalThis.location.origin, undefined);
}

/** The members API of the visitor or logged-in member using this page. */
export const members = makeMembers(() => base);

/** Refused in the browser: admin rights never reach a page (SPEC §4). */
export function elevate() {
  const message = 'elevate() is refused in the browser: admin rights stay on the server';
  throw new MembersError('PERMISSION_DENIED', message, 'PERMISSION_DENIED', 403,
    { applicationError: { code: 'PERMISSION_DENIED', description: message, data: {} } });
}

export { MembersError, isMembersError };
