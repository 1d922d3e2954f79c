// PostgreSQL driver on pg: a connection pool that runs SQL and transactions,
// nothing else. Connecting gives up after 5 s, so an unreachable server is an
// error at first use, never a hang. pg (an optional dependency) loads when a
// pool opens.
import { loadOptional } from '../host/optional-package.mjs';

const CONNECT_TIMEOUT_MS = 5000;

// BIGINT (oid 20) as a number: counts, dates in ms and revisions all fit in 2^53.
const typesOf = (pg) => ({
  getTypeParser: (oid, format) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)),
});

/** The driver error shape the core understands. Never includes the URL. */
function driverError(error) {
  if (typeof error?.kind === 'string') return error;
  const code = String(error?.code ?? '');
  const message = String(error?.message ?? error);
  if (code === '23505') return { kind: 'unique', index: String(error.constraint ?? ''), message };
  if (code === '40001' || code === '40P01' || code === '55P03') return { kind: 'busy', message };
  if (code.startsWith('08') || code === '3D000' || code === '28P01' || code === '28000' || code === '57P03'
      || ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN'].includes(code)
      || /timeout|terminat|connect/i.test(message)) {
    return { kind: 'unavailable', message };
  }
  return { kind: 'other', message };
}

/**
 * A pool on the server at `url` (`postgres://user@host:port/db`). Without pg
 * installed it throws a MembersError naming the package.
 */
export function openPostgres(url) {
  const pg = loadOptional('pg', 'the postgres driver', 'DATABASE_UNAVAILABLE');
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    allowExitOnIdle: true,
    types: typesOf(pg),
  });
  // An idle client losing its server must not crash the process; the next
  // query reports it.
  pool.on('error', () => {});
  return {
    dialect: 'postgres',
    /** Runs one statement; returns its rows as arrays. */
    async query(sql, params) {
      try {
        const result = await pool.query({ text: sql, values: params, rowMode: 'array' });
        return result.rows;
      } catch (error) {
        throw driverError(error);
      }
    },
    /** Runs statements in one transaction on one connection; returns the counts. */
    async batch(list) {
      let client;
      try {
        client = await pool.connect();
      } catch (error) {
        throw driverError(error);
      }
      // A checked-out client whose server goes away (a restart, a terminated
      // backend) emits 'error'; the pool listens only while a client is idle, so
      // without this the event would be unhandled and end the process.
      let lost = null;
      const onLost = (error) => { lost = error; };
      client.on('error', onLost);
      let broken = false;
      try {
        await client.query('BEGIN');
        const counts = [];
        for (const [index, { sql, params, expect }] of list.entries()) {
          const result = await client.query({ text: sql, values: params, rowMode: 'array' });
          const changes = result.rowCount ?? 0;
          if (expect !== undefined && changes !== expect) {
            throw { kind: 'conflict', index, message: `statement ${index} changed ${changes} rows, not ${expect}` };
          }
          counts.push(changes);
        }
        await client.query('COMMIT');
        return counts;
      } catch (error) {
        const mapped = driverError(error);
        broken = lost !== null || mapped.kind === 'unavailable';
        if (!broken) await client.query('ROLLBACK').catch(() => {});
        throw mapped;
      } finally {
        client.off('error', onLost);
        // A lost connection is dropped, never handed to the next caller.
        client.release(broken || lost !== null ? (lost ?? new Error('connection lost')) : undefined);
      }
    },
    /** Closes every connection. */
    async close() {
      await pool.end();
    },
  };
}
