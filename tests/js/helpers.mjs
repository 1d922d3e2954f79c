// Shared helpers of the Node test suite (not a test file itself).
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { members, elevate, configure, close, MembersError, isMembersError } from 'universal-members';

/** The store this run tests: MEMBERS_TEST_STORE = memory (default) | sqlite | postgres. */
export const STORE = process.env.MEMBERS_TEST_STORE ?? 'memory';
const STORES = ['memory', 'sqlite', 'postgres'];
if (!STORES.includes(STORE)) throw new Error(`MEMBERS_TEST_STORE must be one of ${STORES.join(', ')}, not ${STORE}`);

const tempDirs = [];
const databases = [];

/** The server of MEMBERS_TEST_POSTGRES_URL with `database` as its path. */
function postgresUrl(database) {
  const base = process.env.MEMBERS_TEST_POSTGRES_URL;
  if (!base) throw new Error('MEMBERS_TEST_STORE=postgres needs MEMBERS_TEST_POSTGRES_URL (scripts/with-postgres.sh sets it)');
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `fn(client)` on a connection to the server's maintenance database. */
async function withServer(fn) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: process.env.MEMBERS_TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Points the API at a fresh, empty database of the store under test (see STORE):
 * `memory:`, a new SQLite file in a temp folder, or a new PostgreSQL database on
 * the server of MEMBERS_TEST_POSTGRES_URL. `options` are the other configure()
 * options (site policy). Every test file calls this instead of configure().
 */
export async function useStore(options = {}) {
  if (STORE === 'memory') {
    configure({ database: 'memory:', ...options });
  } else if (STORE === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'members-test-'));
    tempDirs.push(dir);
    configure({ database: `sqlite:${join(dir, 'members.db')}`, ...options });
  } else {
    const name = `test_${randomBytes(8).toString('hex')}`;
    await withServer((client) => client.query(`CREATE DATABASE ${name}`));
    databases.push(name);
    configure({ database: postgresUrl(name), ...options });
  }
}

// After the file's last test: close the database (so no pool keeps the process
// alive), then remove what useStore made.
after(async () => {
  await close();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  if (databases.length > 0) {
    const names = databases.splice(0);
    // Older pools of a file that switched stores may still be closing: FORCE.
    await withServer(async (client) => {
      for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    }).catch(() => {});
  }
});

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
