// SQLite driver on better-sqlite3: runs SQL and transactions, nothing else.
// WAL with synchronous=FULL, so an acknowledged write survives a crash or power
// loss; a busy timeout, so a locked file is an error after 5 s, never a hang.
// better-sqlite3 (native, an optional dependency) loads when a database opens.
import { findOptional, loadOptional } from '../host/optional-package.mjs';

const BUSY_TIMEOUT_MS = 5000;
// Where npm's build (or prebuilt download) puts the addon. Handed over directly,
// it spares better-sqlite3's own search (a dozen paths tried), milliseconds of a
// start; elsewhere (a debug build) better-sqlite3 searches as usual.
const ADDON = 'better-sqlite3/build/Release/better_sqlite3.node';
/** Something to wait on for a synchronous pause between tries of a busy open. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** The driver error shape the core understands. */
function driverError(error) {
  if (typeof error?.kind === 'string') return error;
  const code = String(error?.code ?? '');
  const message = String(error?.message ?? error);
  if (code.startsWith('SQLITE_CONSTRAINT_UNIQUE') || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return { kind: 'unique', index: message.replace(/^.*failed: /, ''), message };
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { kind: 'busy', message };
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_READONLY')
      || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_PERM') {
    return { kind: 'unavailable', message };
  }
  return { kind: 'other', message };
}

/**
 * Opens (lazily, on first use) the SQLite database at `path`. Without
 * better-sqlite3 installed it throws a MembersError naming the package.
 */
export function openSqlite(path) {
  const Database = loadOptional('better-sqlite3', 'the sqlite driver', 'DATABASE_UNAVAILABLE');
  const nativeBinding = findOptional(ADDON);
  let db = null;
  const statements = new Map();
  const open = () => {
    let opened;
    try {
      opened = new Database(path, { timeout: BUSY_TIMEOUT_MS, nativeBinding });
    } catch (error) {
      // Installed without its compiled addon (a native build that failed).
      if (/bindings file|ERR_DLOPEN_FAILED/.test(`${error?.code} ${error?.message}`)) {
        throw { kind: 'unavailable', message: `the npm package better-sqlite3 is installed but its native addon does not load (npm rebuild better-sqlite3): ${String(error.message).split('\n')[0]}` };
      }
      throw error;
    }
    try {
      opened.pragma('journal_mode = WAL');
      opened.pragma('synchronous = FULL');
      // Fold the WAL into the database every 10,000 pages (40 MB), not every
      // 1,000: each fold rewrites and fsyncs the same hot index pages, and
      // during a bulk write that was a quarter of the time (bench/import.mjs).
      opened.pragma('wal_autocheckpoint = 10000');
      opened.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    } catch (error) {
      opened.close();
      throw error;
    }
    // Gathers index statistics when they are missing or stale, so the planner
    // picks the right index. Best effort: a busy database skips it.
    try {
      opened.pragma('optimize = 0x10002');
    } catch {
      // Another process holds the write lock; statistics can wait.
    }
    return opened;
  };
  const connection = () => {
    if (db === null) {
      // Two processes opening a new file at once: switching it to WAL needs a
      // lock SQLite does not wait for, so a busy open is tried again for up to
      // the busy timeout before it counts as locked.
      const deadline = Date.now() + BUSY_TIMEOUT_MS;
      for (;;) {
        try {
          db = open();
          break;
        } catch (error) {
          db = null;
          const mapped = driverError(error);
          if (mapped.kind === 'busy' && Date.now() < deadline) {
            Atomics.wait(PAUSE, 0, 0, 20);
            continue;
          }
          throw mapped.kind === 'other' ? { kind: 'unavailable', message: mapped.message } : mapped;
        }
      }
    }
    return db;
  };
  const prepare = (sql) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = connection().prepare(sql);
      if (statements.size >= 1000) statements.clear();
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    dialect: 'sqlite',
    // better-sqlite3 is synchronous: answering without a Promise spares the core
    // a microtask round trip per statement (it accepts either).
    /** Runs one statement; returns its rows as arrays. */
    query(sql, params) {
      try {
        const statement = prepare(sql);
        if (!statement.reader) {
          statement.run(params);
          return [];
        }
        return statement.raw(true).all(params);
      } catch (error) {
        throw driverError(error);
      }
    },
    /** Runs statements in one IMMEDIATE transaction; returns the changed-row counts. */
    batch(list) {
      try {
        const run = connection().transaction(() => list.map(({ sql, params, expect }, index) => {
          const statement = prepare(sql);
          if (statement.reader) {
            statement.raw(true).all(params);
            return 0;
          }
          const { changes } = statement.run(params);
          // Throwing inside the transaction rolls all of it back.
          if (expect !== undefined && changes !== expect) {
            throw { kind: 'conflict', index, message: `statement ${index} changed ${changes} rows, not ${expect}` };
          }
          return changes;
        }));
        return run.immediate();
      } catch (error) {
        throw driverError(error);
      }
    },
    /** Closes the database file. */
    async close() {
      if (db !== null) db.close();
      db = null;
      statements.clear();
    },
  };
}
