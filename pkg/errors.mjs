// MembersError: the one error every call rejects with, in Node and in the browser.
// The wasm core constructs it (registered at start-up), so `instanceof` holds.

/** A failed members call: `code`, `applicationCode`, `httpStatus`, `details`. */
export class MembersError extends Error {
  constructor(code, message, applicationCode, httpStatus, details) {
    super(message);
    this.name = 'MembersError';
    this.code = code;
    this.applicationCode = applicationCode;
    this.httpStatus = httpStatus;
    this.details = details ?? {};
  }
}

/** True when `value` is a MembersError (also across copies of the package). */
export function isMembersError(value) {
  return value instanceof MembersError || (value instanceof Error && value.name === 'MembersError' && typeof value.code === 'string');
}
