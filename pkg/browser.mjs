// Browser entry: loads the wasm core with fetch. Calls travel to the server the
// page came from; that HTTP transport ships with the server (until then every
// call rejects with UNAVAILABLE, saying so).

import init, { Members, registerErrorClass } from './wasm/universal_members.js';
import { MembersError, isMembersError } from './errors.mjs';
import { makeMembers } from './facade.mjs';

await init();
registerErrorClass(MembersError);

let base = Members.unavailable(
  'the browser transport to a members server is not available in this version; run calls on Node',
);

/** Points the browser API at a server (`{ baseUrl }`). */
export function configure(options = {}) {
  base = Members.unavailable(
    `the browser transport to ${options.baseUrl ?? 'the server'} is not available in this version`,
  );
}

/** The members API of the visitor or logged-in member using this page. */
export const members = makeMembers(() => base);

/** Refused in the browser: admin rights never reach a page (SPEC §4). */
export function elevate() {
  throw new MembersError('PERMISSION_DENIED', 'elevate() is refused in the browser: admin rights stay on the server',
    'PERMISSION_DENIED', 403, { applicationError: { code: 'PERMISSION_DENIED', description: 'elevate() is refused in the browser', data: {} } });
}

export { MembersError, isMembersError };
