// A PostgreSQL connection lost in the middle of a transaction (the server
// restarted, the backend terminated) is an UNAVAILABLE error of that one call,
// never the end of the process; the next call gets a fresh connection. Found by
// `make soak`: a server died when PostgreSQL was stopped under load, because a
// checked-out client's 'error' event had no listener. The driver of the
// installed package is driven directly, so the loss lands inside its batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { freshDatabase } from './support.mjs';

const needsPostgres = { skip: process.env.MEMBERS_TEST_POSTGRES_URL ? false : 'needs MEMBERS_TEST_POSTGRES_URL (scripts/with-postgres.sh)' };
const packageDir = path.dirname(createRequire(import.meta.url).resolve('universal-members/package.json'));

test('a connection terminated inside a transaction fails that call as unavailable and the next call works', { ...needsPostgres, timeout: 60_000 }, async (t) => {
  const db = await freshDatabase('postgres');
  t.after(() => db.dispose());
  const { openPostgres } = await import(path.join(packageDir, 'drivers/postgres.mjs'));
  const driver = openPostgres(db.url);
  t.after(() => driver.close());
  const unexpected = [];
  const onUncaught = (error) => unexpected.push(error);
  process.on('uncaughtException', onUncaught);
  t.after(() => process.off('uncaughtException', onUncaught));

  for (let round = 0; round < 3; round += 1) {
    // Settled into a value at once: it rejects while we are still terminating.
    const outcome = driver.batch([{ sql: 'SELECT pg_sleep(5)', params: [] }, { sql: 'SELECT 1', params: [] }])
      .then((counts) => ({ counts }), (error) => ({ error }));
    // Once the transaction's statement runs, end its backend from outside.
    let terminated = 0;
    for (let i = 0; i < 100 && terminated === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const rows = await db.rows("SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'SELECT pg_sleep%'");
      terminated = rows.filter((row) => row.ended).length;
    }
    assert.equal(terminated, 1, `round ${round}: the batch's backend was found and terminated`);
    const { error } = await outcome;
    assert.equal(error?.kind, 'unavailable', `round ${round}: the call fails as unavailable (${JSON.stringify(error)})`);
    // Give the socket's end (and the 'error' it emits) time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await driver.query('SELECT 1', []), [[1]], `round ${round}: the next call works`);
    assert.deepEqual(await driver.batch([{ sql: 'SELECT 1', params: [] }]), [1], `round ${round}: the next transaction works`);
  }
  assert.deepEqual(unexpected.map(String), [], 'no error escaped the driver');
});
