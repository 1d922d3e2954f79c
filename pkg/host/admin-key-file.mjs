// The admin key of a `serve` given none (no --admin-key, no MEMBERS_ADMIN_KEY)
// over a SQLite file: made at random on first use and kept beside the database
// in `<db>.admin-key`, readable and writable by its owner only (mode 0600), and
// read again on later starts, so a first run has an admin console to sign in to.
// The key itself is never printed, only where the file is.
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';

/**
 * Where the key file of a database is (`{ kind, target }` as the core's
 * `parseDatabaseUrl` gives it): `<path>.admin-key` for a SQLite file, else
 * `null` (PostgreSQL, memory and `sqlite::memory:` get no key file).
 */
export function adminKeyFileOf(location) {
  if (location.kind !== 'sqlite' || location.target === ':memory:') return null;
  return `${location.target}.admin-key`;
}

/**
 * The key kept in `file` → `{ key, created }`, making the file first when it
 * does not exist (two servers starting at once end up with the same key). Throws
 * when other users may read or write the file, when it is empty or is not a file.
 */
export function readOrCreateAdminKey(file) {
  try {
    return { key: readKey(file), created: false };
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  // 32 random bytes as hex: nothing to quote, and never a leading "-".
  const key = randomBytes(32).toString('hex');
  // Written whole under another name, then linked into place: a server starting
  // beside this one reads either no file or the whole key, never half of one.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, `${key}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, file);
    return { key, created: true };
  } catch (error) {
    if (error.code === 'EEXIST') return { key: readKey(file), created: false };
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function readKey(file) {
  const stat = statSync(file);
  if (!stat.isFile()) throw new Error(`${file} is not a file`);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new Error(`${file} is open to other users (mode ${(stat.mode & 0o777).toString(8)}): chmod 600 it, or delete it to make a new key`);
  }
  const key = readFileSync(file, 'utf8').trim();
  if (key === '') throw new Error(`${file} is empty: delete it to make a new key`);
  return key;
}
