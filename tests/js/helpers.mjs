// Shared helpers of the Node test suite (not a test file itself).
import assert from 'node:assert/strict';
import { members, elevate, MembersError, isMembersError } from 'universal-members';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MISSING_ID = '00000000-0000-4000-8000-000000000000';

let counter = 0;
/** A fresh login email, unique within the process. */
export function email(prefix = 'member') {
  counter += 1;
  return `${prefix}.${counter}@example.com`;
}

/** `createMember` as admin. */
export function create(member = {}) {
  return elevate(members.createMember)({ member: { loginEmail: email(), ...member } });
}

/** The same call of `members`, run as admin. */
export function asAdmin(name) {
  return elevate(members[name]);
}

/** Lets queued callbacks (event handlers) run. */
export function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Awaits `promise`, asserts it rejects with a MembersError of `code` (and
 * `applicationCode` when given), and returns the error for more checks.
 */
export async function rejectsWith(promise, code, applicationCode) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error !== undefined, `expected a ${code} rejection, but the call succeeded`);
  assert.ok(error instanceof MembersError, `expected a MembersError, got ${error?.stack ?? error}`);
  assert.ok(isMembersError(error));
  assert.equal(error.code, code, `code (message: ${error.message})`);
  if (applicationCode !== undefined) assert.equal(error.applicationCode, applicationCode, `applicationCode (message: ${error.message})`);
  return error;
}

/** Field names of all fieldViolations of an INVALID_ARGUMENT error. */
export function violatedFields(error) {
  return (error.details?.validationError?.fieldViolations ?? []).map((v) => v.field);
}
