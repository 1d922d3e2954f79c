// Durability: a writer process creates members and prints each one only after
// the call resolved; we SIGKILL it at a random moment, then every member it
// acknowledged must be in the database, whole and equal to what the call
// returned. Cycles run on the same database, so each one also reopens a file
// (or server database) a killed process left behind, and checks again every
// member acknowledged in earlier cycles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { members, elevate, configure, close } from 'universal-members';
import { STORES, freshDatabase, spawnChild, writerInput, plain, sleep } from './support.mjs';

const CYCLES = 10;
const FIRST_ID_MS = 30_000;

const getFull = elevate(members.getMember);

/** Checks a member read back against the input it was created from. */
function assertMatchesInput(member, input, where) {
  assert.equal(member.loginEmail, input.loginEmail, `${where}: loginEmail`);
  assert.equal(member.privacyStatus, input.privacyStatus, `${where}: privacyStatus`);
  assert.equal(member.profile?.nickname, input.profile.nickname, `${where}: nickname`);
  assert.equal(member.profile?.title, input.profile.title, `${where}: title`);
  const { contact } = member;
  for (const field of ['firstName', 'lastName', 'company']) {
    assert.equal(contact?.[field], input.contact[field], `${where}: contact.${field}`);
  }
  assert.deepEqual(contact.phones, input.contact.phones, `${where}: phones`);
  assert.deepEqual(contact.emails, input.contact.emails, `${where}: emails`);
  assert.deepEqual(contact.addresses.map(({ _id, ...rest }) => rest), input.contact.addresses, `${where}: addresses`);
  assert.deepEqual(contact.customFields, input.contact.customFields, `${where}: customFields`);
}

/** Runs one writer on `db` and kills it; returns the acknowledged `{ i, member }`s. */
async function writeAndKill(db, tag) {
  const child = spawnChild('child-writer.mjs', [db.url, tag]);
  try {
    await child.nextLine(() => true, FIRST_ID_MS);
    await sleep(50 + Math.floor(Math.random() * 350));
    // It must still be running: a writer that stopped by itself tests nothing.
    assert.equal(child.process.exitCode, null, `the writer stopped before the kill: ${child.describe()}`);
    child.kill('SIGKILL');
    const { signal } = await child.exited;
    assert.equal(signal, 'SIGKILL', `the writer ended by SIGKILL: ${child.describe()}`);
  } finally {
    child.kill('SIGKILL');
    await child.exited;
  }
  // Only complete lines count: a line cut by the kill was never acknowledged.
  return child.lines.map((line) => {
    try {
      return JSON.parse(line);
    } catch {
      assert.fail(`a complete line from the writer is not JSON: ${line}`);
    }
  });
}

/** Every row is whole: its JSON parses and agrees with the indexed columns. */
async function assertRowsWhole(db, where) {
  const rows = await db.rows('SELECT id, login_email, slug, revision, data FROM members');
  for (const row of rows) {
    let data;
    try {
      data = JSON.parse(row.data);
    } catch (error) {
      assert.fail(`${where}: member ${row.id} holds data that is not JSON (${error.message}): ${String(row.data).slice(0, 200)}`);
    }
    assert.equal(data._id, row.id, `${where}: data._id of row ${row.id}`);
    assert.equal(data.loginEmail, row.login_email, `${where}: data.loginEmail of row ${row.id}`);
    assert.equal(data.profile?.slug, row.slug, `${where}: data.profile.slug of row ${row.id}`);
    assert.equal(Number(row.revision), 1, `${where}: revision of row ${row.id} (nothing updates it)`);
  }
  return rows;
}

async function checkAcknowledged(acknowledged, where) {
  // In parallel, a batch at a time: the store serves several reads at once.
  const BATCH = 50;
  for (let start = 0; start < acknowledged.length; start += BATCH) {
    await Promise.all(acknowledged.slice(start, start + BATCH).map(async ({ tag, i, member }) => {
      const label = `${where}: member ${tag}-${i} (${member._id})`;
      let stored;
      try {
        stored = await getFull(member._id, { fieldsets: ['FULL'] });
      } catch (error) {
        assert.fail(`${label} was acknowledged but can not be read back: ${error?.code} ${error?.applicationCode} ${error?.message}`);
      }
      assert.deepEqual(plain(stored), member, `${label}: read back differs from what createMember returned`);
      assertMatchesInput(stored, writerInput(tag, i), label);
    }));
  }
}

for (const store of STORES) {
  test(`every member a killed writer acknowledged is stored whole (${store}, ${CYCLES} SIGKILL cycles)`, { timeout: 180_000 }, async (t) => {
    const db = await freshDatabase(store);
    t.after(() => db.dispose());
    if (store === 'postgres') {
      const settings = await db.settings();
      assert.equal(settings.fsync, 'on', 'the server runs with fsync on');
      assert.equal(settings.synchronous_commit, 'on', 'the server runs with synchronous_commit on');
    }
    const acknowledged = [];
    const perCycle = [];
    let unacknowledged = 0;
    for (let cycle = 0; cycle < CYCLES; cycle += 1) {
      const tag = `c${cycle}`;
      const where = `${store} cycle ${cycle}`;
      const acks = await writeAndKill(db, tag);
      assert.ok(acks.length > 0, `${where}: the writer acknowledged at least one member`);
      for (const { i, member } of acks) {
        assert.equal(member.loginEmail, writerInput(tag, i).loginEmail, `${where}: the writer's line ${i}`);
        acknowledged.push({ tag, i, member });
      }

      // Straight after the crash, before the package opens the database again.
      if (store === 'sqlite') {
        const { check, journalMode } = await db.integrity();
        assert.deepEqual(check, ['ok'], `${where}: PRAGMA integrity_check`);
        assert.equal(journalMode, 'wal', `${where}: the database is in WAL mode`);
      }
      const rows = await assertRowsWhole(db, where);
      const ids = new Set(rows.map((row) => row.id));
      const missing = acknowledged.filter(({ member }) => !ids.has(member._id));
      assert.deepEqual(missing.map(({ tag: tg, i }) => `${tg}-${i}`), [], `${where}: acknowledged members missing from the members table`);
      // A create still in flight at the kill may have committed, so there may be more rows, never fewer.
      assert.ok(rows.length >= acknowledged.length, `${where}: ${rows.length} rows for ${acknowledged.length} acknowledged`);
      perCycle.push(`${acks.length}+${rows.length - acknowledged.length - unacknowledged}`);
      unacknowledged = rows.length - acknowledged.length;

      configure({ database: db.url });
      try {
        await checkAcknowledged(acknowledged, where);
      } finally {
        await close();
      }
    }
    t.diagnostic(`${store}: acknowledged+unacknowledged-but-committed per cycle ${perCycle.join(', ')} (${acknowledged.length} acknowledged in all)`);
  });
}
