// Totals stay exact while counts are reused (issue 15: a listing no longer
// recounts every match for each page of the same filter): a count is reused only
// while nothing was written, here or by another process. Checked against writes
// by this process, by a CLI import in another process, and by a delete, on both
// stores; the statements the package's own driver runs show which counts ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { members, elevate, configure, close } from 'universal-members';
import { STORES, freshDatabase } from './support.mjs';

const packageDir = dirname(createRequire(import.meta.url).resolve('universal-members/package.json'));
const cliPath = join(packageDir, 'cli.mjs');
const packageRequire = createRequire(join(packageDir, 'package.json'));

/**
 * Watches the package's own pg pool: for each count statement (the ones that
 * carry the snapshot), whether PostgreSQL counted or answered NULL, "the count
 * you kept still holds".
 */
function watchPostgresCounts() {
  const { Pool } = packageRequire('pg');
  const query = Pool.prototype.query;
  const seen = [];
  Pool.prototype.query = async function watched(config, ...rest) {
    const result = await query.call(this, config, ...rest);
    if (String(config?.text ?? '').includes('pg_current_snapshot()')) seen.push(result.rows[0][0] === null ? 'reused' : 'counted');
    return result;
  };
  return { seen, stop: () => { Pool.prototype.query = query; } };
}

/**
 * Watches the package's own better-sqlite3: a count asked for is either a
 * `PRAGMA data_version` alone (reused) or one followed by the `COUNT(*)`.
 */
function watchSqliteCounts() {
  const Database = packageRequire('better-sqlite3');
  const probe = new Database(':memory:');
  const Statement = Object.getPrototypeOf(probe.prepare('SELECT 1'));
  probe.close();
  const all = Statement.all;
  const seen = [];
  Statement.all = function watched(...args) {
    if (this.source === 'PRAGMA data_version') seen.push('reused');
    else if (this.source.startsWith('SELECT COUNT(*)')) seen[seen.length - 1] = 'counted';
    return all.apply(this, args);
  };
  return { seen, stop: () => { Statement.all = all; } };
}

for (const store of STORES) {
  test(`${store}: totals and counts follow writes from this process and from another one`, async () => {
    const db = await freshDatabase(store);
    const dir = mkdtempSync(join(tmpdir(), 'members-counts-'));
    const counts = store === 'postgres' ? watchPostgresCounts() : watchSqliteCounts();
    const since = (from) => counts.seen.slice(from);
    try {
      configure({ database: db.url });
      const create = elevate(members.createMember);
      const query = () => elevate(members.queryMembers)().startsWith('profile.nickname', 'cache').limit(2);
      const totals = async () => {
        const page = await query().find();
        return [page.totalCount, await query().count()];
      };
      for (let i = 0; i < 3; i++) await create({ member: { loginEmail: `c${i}@example.com`, profile: { nickname: `Cache ${i}` } } });
      let mark = counts.seen.length;
      assert.deepEqual(await totals(), [3, 3]);
      assert.deepEqual(await totals(), [3, 3], 'asked again with nothing written');
      assert.deepEqual(since(mark), ['counted', 'reused', 'reused', 'reused'], 'one count, then the same count kept');

      // Another process writes: only the database can tell this one.
      const csv = join(dir, 'more.csv');
      writeFileSync(csv, 'email,nickname\nx1@example.com,Cache x1\nx2@example.com,Cache x2\n');
      const run = spawnSync(process.execPath, [cliPath, 'import', csv, '--db', db.url], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      mark = counts.seen.length;
      assert.deepEqual(await totals(), [5, 5], 'the import of another process is counted');
      assert.deepEqual(since(mark), ['counted', 'reused'], 'counted again after the import, then kept');

      const added = await create({ member: { loginEmail: 'c9@example.com', profile: { nickname: 'Cache 9' } } });
      assert.deepEqual(await totals(), [6, 6], 'our own create is counted');
      await elevate(members.deleteMember)(added._id);
      assert.deepEqual(await totals(), [5, 5], 'our own delete is counted');
      // A page further on, with the same filter, has the same total.
      const first = await query().find();
      const second = await first.next();
      assert.equal(second.totalCount, 5);
    } finally {
      counts.stop();
      await close();
      await db.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
