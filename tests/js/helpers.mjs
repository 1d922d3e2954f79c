// Shared helpers of the Node test suite (not a test file itself).
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { members, asyncJobs, elevate, configure, close, MembersError, isMembersError } from 'universal-members';

/**
 * The store this run tests: MEMBERS_TEST_STORE = memory (default) | sqlite |
 * postgres | http (this process is a client of a real server process, which keeps
 * its members in a fresh SQLite file).
 */
export const STORE = process.env.MEMBERS_TEST_STORE ?? 'memory';
const STORES = ['memory', 'sqlite', 'postgres', 'http'];
if (!STORES.includes(STORE)) throw new Error(`MEMBERS_TEST_STORE must be one of ${STORES.join(', ')}, not ${STORE}`);

const tempDirs = [];
const databases = [];
const servers = [];

// Loaded into each server before the CLI: when this process goes away its stdin
// ends, and the server stops itself (SIGTERM) instead of living on as an orphan.
// (A test file that throws at top level exits without 'exit' handlers.)
const ORPHAN_GUARD = `data:text/javascript,${encodeURIComponent(
  "process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM')); process.stdin.on('error', () => {}); process.stdin.resume();",
)}`;

/** The installed package's CLI (next to its Node entry). */
export const CLI = fileURLToPath(new URL('./cli.mjs', import.meta.resolve('universal-members')));

/**
 * Spawns `universal-members serve` on a free port of 127.0.0.1 and resolves, once
 * it prints its "serving" line, with `{ baseUrl, adminKey, database, child, lines,
 * stderr(), exited, stop() }`. `lines` are the complete stdout lines (the access
 * log). `adminKey: null` starts a server without one; `env` is added to the child's
 * environment; `args` are more CLI flags.
 */
export function startServer({ database, adminKey = randomBytes(24).toString('base64url'), env = {}, args = [] } = {}) {
  if (database === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'members-server-'));
    tempDirs.push(dir);
    database = `sqlite:${join(dir, 'members.db')}`;
  }
  const childEnv = { ...process.env };
  // The key, database and origins are only what this call gives (flags win anyway).
  delete childEnv.MEMBERS_ADMIN_KEY;
  delete childEnv.MEMBERS_DATABASE_URL;
  delete childEnv.MEMBERS_CORS_ORIGINS;
  for (const [key, value] of Object.entries(env)) if (value !== undefined) childEnv[key] = value;
  const flags = ['serve', '--port', '0', '--host', '127.0.0.1', '--db', database, ...args];
  // `--flag=value`: a random key may start with "-".
  if (adminKey !== null) flags.push(`--admin-key=${adminKey}`);
  const child = spawn(process.execPath, [`--import=${ORPHAN_GUARD}`, CLI, ...flags], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  let partial = '';
  let errors = '';
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const server = {
    adminKey,
    database,
    child,
    lines,
    exited,
    stderr: () => errors,
    /** SIGTERM, then the exit `{ code, signal }`. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  servers.push(server);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('the server printed no "serving" line within 15 s')), 15_000);
    function fail(error) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\nstderr:\n${errors}\nstdout:\n${lines.join('\n')}${partial}`));
    }
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      errors += chunk;
    });
    // Always drained: a server writing its access log into a full pipe would block.
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      partial += chunk;
      let newline;
      while ((newline = partial.indexOf('\n')) !== -1) {
        const line = partial.slice(0, newline);
        partial = partial.slice(newline + 1);
        lines.push(line);
        const serving = /^universal-members: serving (http:\/\/\S+)$/.exec(line);
        if (serving && server.baseUrl === undefined) {
          clearTimeout(timer);
          server.baseUrl = serving[1];
          resolve(server);
        }
      }
    });
    child.on('error', fail);
    exited.then(({ code, signal }) => {
      if (server.baseUrl === undefined) fail(new Error(`the server exited (code ${code}, signal ${signal}) before serving`));
    });
  });
}

// A test process that ends early must not leave servers behind.
process.on('exit', () => {
  for (const { child } of servers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

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
 * `memory:`, a new SQLite file in a temp folder, a new PostgreSQL database on
 * the server of MEMBERS_TEST_POSTGRES_URL, or a new server process (on a new SQLite
 * file) that this process is a client of. `options` are the other configure()
 * options (site policy: approval, defaultPrivacy, emailVerification, loginLimit;
 * a server gets them from its environment). Every test file
 * calls this instead of configure(). Resolves with `{ database }`, the URL of the
 * database (none for memory:), and for http the `server`.
 */
export async function useStore(options = {}) {
  if (STORE === 'http') {
    // The server's own options arrive through its environment, as the CLI reads them.
    const { approval, defaultPrivacy, emailVerification, loginLimit = {}, mailbox, ...rest } = options;
    const server = await startServer({
      env: {
        MEMBERS_APPROVAL: approval,
        MEMBERS_DEFAULT_PRIVACY: defaultPrivacy,
        MEMBERS_EMAIL_VERIFICATION: emailVerification,
        MEMBERS_LOGIN_LIMIT_PER_EMAIL: loginLimit.perEmail?.toString(),
        MEMBERS_LOGIN_LIMIT_PER_ADDRESS: loginLimit.perAddress?.toString(),
        MEMBERS_LOGIN_WINDOW_SECONDS: loginLimit.windowSeconds?.toString(),
        MEMBERS_MAILBOX: mailbox,
      },
    });
    configure({ baseUrl: server.baseUrl, adminKey: server.adminKey, ...rest });
    return { server, database: server.database };
  } else if (STORE === 'memory') {
    configure({ database: 'memory:', ...options });
  } else if (STORE === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'members-test-'));
    tempDirs.push(dir);
    const database = `sqlite:${join(dir, 'members.db')}`;
    configure({ database, ...options });
    return { database };
  } else {
    const name = `test_${randomBytes(8).toString('hex')}`;
    await withServer((client) => client.query(`CREATE DATABASE ${name}`));
    databases.push(name);
    const database = postgresUrl(name);
    configure({ database, ...options });
    return { database };
  }
  return {};
}

// The package's own reader of the development mailbox (mail.mjs sits beside its entry).
const { readMailbox: readMailboxFile } = await import(new URL('./mail.mjs', import.meta.resolve('universal-members')).href);

/**
 * The messages of a development mailbox file, oldest first, each with the
 * `token` of its `#set-password=<token>` or `#verify=<token>` link and, for a
 * verification mail, its 6-digit `code` ("Your code: 123456"); both undefined
 * when the text has none. A missing file is an empty mailbox.
 */
export function readMailbox(file) {
  return readMailboxFile(file).map((mail) => {
    const text = mail.text ?? '';
    const link = /#set-password=([^\s"'<>]+)/.exec(text) ?? /#verify=([^\s"'<>&]+)/.exec(text);
    const code = /Your code: (\d{6})(?!\d)/.exec(text);
    return { ...mail, token: link ? decodeURIComponent(link[1]) : undefined, code: code ? code[1] : undefined };
  });
}

/**
 * useStore(options) that also catches the mail the store sends: in process a
 * custom `mailer` collects the core's messages (`{ template, to, token,
 * expiresDate }`, and `code` for `verify-email`); over `http` the server writes its development mailbox
 * (MEMBERS_MAILBOX) into a temp file, read back as JSON lines (with `token` and
 * `code` taken from the text, see readMailbox). Resolves with
 * `{ server (http only), mail }`; `mail.to(address)` → the messages sent to it so
 * far (each with `to` and `token`), `mail.all()` → every message,
 * `mail.waitFor(address, count = 1)` → the `count`-th message to it, once it is there.
 */
export async function useStoreWithMail(options = {}) {
  let all;
  let store;
  if (STORE === 'http') {
    const dir = mkdtempSync(join(tmpdir(), 'members-mailbox-'));
    tempDirs.push(dir);
    const file = join(dir, 'mailbox.jsonl');
    store = await useStore({ ...options, mailbox: file });
    all = () => readMailbox(file);
  } else {
    const sent = [];
    store = await useStore({ ...options, mailer: { send: async (message) => { sent.push(structuredClone(message)); } } });
    all = () => sent.slice();
  }
  const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();
  const mail = {
    all,
    to: (address) => all().filter((m) => same(m.to, address)),
    async waitFor(address, count = 1, ms = 5000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const got = mail.to(address);
        if (got.length >= count) return got[count - 1];
        if (Date.now() > deadline) assert.fail(`no mail #${count} to ${address} within ${ms} ms (mail so far: ${JSON.stringify(all().map((m) => m.to))})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
  return { ...store, mail };
}

// After the file's last test: close the database (so no pool keeps the process
// alive), then remove what useStore made.
after(async () => {
  await close();
  // Servers drain and close their databases before their files are removed.
  await Promise.all(servers.splice(0).map((server) => server.stop()));
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
  if (!BY_FILTER.has(name)) return elevate(members[name]);
  // The by-filter calls answer { jobId } at once and work in the background;
  // these tests check the end state, so they wait for the job to end.
  return async (...args) => {
    const answer = await elevate(members[name])(...args);
    if (answer?.jobId) await jobEnded(answer.jobId);
    return answer;
  };
}

const BY_FILTER = new Set(['bulkDeleteMembersByFilter', 'bulkApproveMembers', 'bulkBlockMembers']);

/** Waits (at most `ms`) for the async job to be FINISHED or FAILED; returns it. */
export async function jobEnded(jobId, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const { job } = await elevate(asyncJobs.getAsyncJob)(jobId);
    if (job.status === 'FINISHED' || job.status === 'FAILED') return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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
