// The soak's databases: a fresh SQLite file or PostgreSQL database, read
// directly (not through the package) to check what was acknowledged is there;
// and the throw-away PostgreSQL cluster of scripts/with-postgres.sh stopped and
// started again under load.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from '../../pkg/node_modules/pg/lib/index.js';
import Database from '../../pkg/node_modules/better-sqlite3/lib/index.js';

async function onPostgres(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database of `store` ('sqlite' in `dir`, or 'postgres' on
 * MEMBERS_TEST_POSTGRES_URL) → `{ url, nicknames(), statusCount(nickname, status), dispose() }`.
 */
export async function freshDatabase(store, dir, name) {
  if (store === 'sqlite') {
    const file = path.join(dir, `${name}.db`);
    const read = (fn) => {
      const db = new Database(file, { readonly: true, timeout: 10_000 });
      try {
        return fn(db);
      } finally {
        db.close();
      }
    };
    return {
      url: `sqlite:${file}`,
      nicknames: async () => new Map(read((db) => db.prepare('SELECT id, nickname FROM members').raw().all())),
      statusCount: async (nickname, status) => read((db) => db.prepare('SELECT COUNT(*) FROM members WHERE nickname = ? AND status = ?').pluck().get(nickname, status)),
      dispose: async () => {},
    };
  }
  const server = process.env.MEMBERS_TEST_POSTGRES_URL;
  if (!server) throw new Error('PostgreSQL needs MEMBERS_TEST_POSTGRES_URL (scripts/with-postgres.sh sets it)');
  const database = `soak_${name}`;
  await onPostgres(server, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  await onPostgres(server, (c) => c.query(`CREATE DATABASE ${database}`));
  const url = new URL(server);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    nicknames: () => onPostgres(url.toString(), async (c) => new Map((await c.query({ text: 'SELECT id, nickname FROM members', rowMode: 'array' })).rows)),
    statusCount: (nickname, status) => onPostgres(url.toString(), async (c) => Number((await c.query('SELECT COUNT(*) AS n FROM members WHERE nickname = $1 AND status = $2', [nickname, status])).rows[0].n)),
    dispose: () => onPostgres(server, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => {}),
  };
}

/**
 * The throw-away cluster (MEMBERS_TEST_POSTGRES_DATA, its data folder, exported
 * by scripts/with-postgres.sh), or null for a server the user runs: the soak
 * never stops a server it did not start. `stop()` is a fast shutdown (sessions
 * ended, as an operator's restart does); `start()` starts it with the options it
 * was started with (postmaster.opts, as `pg_ctl restart` does).
 */
export function throwAwayCluster() {
  const data = process.env.MEMBERS_TEST_POSTGRES_DATA;
  if (!data) return null;
  // `"/usr/lib/postgresql/15/bin/postgres" "-D" "/tmp/…/data" "-p" "5433" …`
  const args = [...readFileSync(path.join(data, 'postmaster.opts'), 'utf8').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
  const pgCtl = path.join(path.dirname(args[0]), 'pg_ctl');
  const options = [];
  for (let i = 1; i < args.length; i += 1) {
    if (args[i] === '-D') i += 1;
    else options.push(args[i].includes(' ') ? `'${args[i]}'` : args[i]);
  }
  const run = (...rest) => {
    const command = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', pgCtl, ...rest] : [pgCtl, ...rest];
    const result = spawnSync(command[0], command.slice(1), { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0) throw new Error(`pg_ctl ${rest.at(-1)} failed: ${result.stderr || result.stdout}`);
  };
  return {
    stop: () => run('-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'),
    start: () => run('-D', data, '-l', path.join(path.dirname(data), 'log'), '-w', '-t', '30', '-o', options.join(' '), 'start'),
  };
}
