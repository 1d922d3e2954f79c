// Shared helpers of the multi-process tests (not a test file itself): fresh
// databases of each store, raw access to their rows (under the package), and
// child processes that speak JSON lines.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The stores every multi-process test runs on. */
export const STORES = ['sqlite', 'postgres'];

const serverUrl = () => {
  const url = process.env.MEMBERS_TEST_POSTGRES_URL;
  if (!url) throw new Error('the PostgreSQL multi-process tests need MEMBERS_TEST_POSTGRES_URL (scripts/with-postgres.sh sets it)');
  return url;
};

async function withServer(fn) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database of `store`:
 * `{ url, rows(sql, params), integrity(), settings(), dispose() }`.
 * `rows` reads the tables directly (not through the package) and returns objects.
 */
export async function freshDatabase(store) {
  if (store === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'members-process-'));
    const path = join(dir, 'members.db');
    const { default: Database } = await import('better-sqlite3');
    const open = (fn) => {
      const db = new Database(path, { timeout: 10_000 });
      try {
        return fn(db);
      } finally {
        db.close();
      }
    };
    return {
      store,
      url: `sqlite:${path}`,
      path,
      async rows(sql, params = []) {
        return open((db) => {
          const statement = db.prepare(sql);
          if (statement.reader) return statement.all(...params);
          statement.run(...params);
          return [];
        });
      },
      /** `PRAGMA integrity_check` rows ('ok' when whole) and the journal mode. */
      async integrity() {
        return open((db) => ({
          check: db.pragma('integrity_check').map((row) => row.integrity_check),
          journalMode: db.pragma('journal_mode', { simple: true }),
        }));
      },
      async dispose() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (store === 'postgres') {
    const name = `t_${randomBytes(8).toString('hex')}`;
    await withServer((client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(serverUrl());
    url.pathname = `/${name}`;
    const { default: pg } = await import('pg');
    const onDatabase = async (fn) => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return await fn(client);
      } finally {
        await client.end();
      }
    };
    return {
      store,
      url: url.toString(),
      name,
      async rows(sql, params = []) {
        return onDatabase(async (client) => (await client.query(sql, params)).rows);
      },
      /** The server settings durability depends on. */
      async settings() {
        return onDatabase(async (client) => {
          const out = {};
          for (const setting of ['fsync', 'synchronous_commit', 'full_page_writes']) {
            out[setting] = (await client.query(`SHOW ${setting}`)).rows[0][setting];
          }
          return out;
        });
      },
      async dispose() {
        await withServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => {});
      },
    };
  }
  throw new Error(`unknown store ${store}`);
}

/**
 * Spawns `node <script> ...args` from this folder (so `universal-members`
 * resolves to the installed package). Returns the child with:
 * `lines` (complete stdout lines so far), `stderr()`, `nextLine(predicate, ms)`,
 * `send(line)`, `exited` (a promise of `{ code, signal }`).
 */
export function spawnChild(script, args = [], { env = {} } = {}) {
  const child = spawn(process.execPath, [join(here, script), ...args], {
    cwd: here,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let buffered = '';
  let errors = '';
  const lines = [];
  const waiters = new Set();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      lines.push(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
    wake();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    errors += chunk;
  });
  // A child killed while we write to it must not crash the test.
  child.stdin.on('error', () => {});
  let exitInfo = null;
  const exited = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      exitInfo = { code, signal };
      wake();
      resolve(exitInfo);
    });
  });
  const describe = () => `${script} ${args.join(' ')} (exit ${JSON.stringify(exitInfo)})\nstderr:\n${errors}\nstdout lines:\n${lines.slice(-5).join('\n')}`;
  return {
    process: child,
    lines,
    /** The trailing text after the last newline (an incomplete line). */
    partial: () => buffered,
    stderr: () => errors,
    exited,
    describe,
    send(line) {
      child.stdin.write(`${line}\n`);
    },
    /** Resolves with the first parsed JSON line from index `from` matching `predicate`. */
    nextLine(predicate, ms, from = 0) {
      return new Promise((resolve, reject) => {
        let index = from;
        const check = () => {
          for (; index < lines.length; index += 1) {
            let value;
            try {
              value = JSON.parse(lines[index]);
            } catch {
              finish(new Error(`not a JSON line from ${describe()}: ${lines[index]}`));
              return;
            }
            if (predicate(value)) {
              finish(null, value);
              return;
            }
          }
          if (exitInfo !== null) finish(new Error(`child ended before the expected line: ${describe()}`));
        };
        const timer = setTimeout(() => finish(new Error(`no expected line within ${ms} ms from ${describe()}`)), ms);
        function finish(error, value) {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve(value);
        }
        waiters.add(check);
        check();
      });
    },
    kill(signal = 'SIGKILL') {
      if (exitInfo === null) child.kill(signal);
    },
  };
}

/** Children exit when their parent goes away (stdin ends) or after `ms`. */
export function guardChild(ms) {
  process.stdin.on('end', () => process.exit(3));
  process.stdin.resume();
  setTimeout(() => {
    process.stderr.write(`child gave up after ${ms} ms\n`);
    process.exit(4);
  }, ms).unref();
}

/** The member input the durability writer creates as number `i` of `tag`. */
export function writerInput(tag, i) {
  return {
    loginEmail: `${tag}-${i}@example.com`,
    privacyStatus: i % 2 === 0 ? 'PUBLIC' : 'PRIVATE',
    profile: { nickname: `Writer ${tag} ${i}`, title: `Title ${i}` },
    contact: {
      firstName: `First${i}`,
      lastName: `Last ${tag}`,
      company: 'Acme',
      phones: [`+1 555 ${String(i).padStart(4, '0')}`],
      emails: [`alt.${tag}.${i}@example.org`],
      addresses: [{ addressLine: `${i} Main Street`, city: 'Springfield', country: 'US', postalCode: '12345' }],
      customFields: {
        cycle: { name: 'Cycle', value: tag },
        index: { name: 'Index', value: i },
        // Rows of varying length, so pages of the file fill and split.
        blob: { name: 'Blob', value: `${tag}:${i}:`.padEnd(200 + ((i * 37) % 400), 'x') },
      },
    },
  };
}

/** A JSON round trip: Dates become ISO strings, undefined disappears. */
export const plain = (value) => JSON.parse(JSON.stringify(value));

/** Error fields a child reports for a rejected call. */
export function outcomeOfError(error) {
  return {
    ok: false,
    name: error?.constructor?.name ?? typeof error,
    code: error?.code,
    applicationCode: error?.applicationCode,
    message: String(error?.message ?? error),
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
