// Concurrency: two Node processes on one database (a SQLite file; a PostgreSQL
// database) race for the same login emails and slugs, and update one member at
// the same time. Exactly one claim of each email and slug wins, every other one
// is ALREADY_EXISTS with the right applicationCode, and no update is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { members, elevate, configure, close } from 'universal-members';
import { STORES, freshDatabase, spawnChild } from './support.mjs';

const CLAIMS = 100;
const UPDATES_PER_PROCESS = 50;
const NAMES = ['a', 'b'];
const READY_MS = 60_000;
const DONE_MS = 120_000;

/** Opens (and so migrates) the database from this process, runs `fn`, closes it. */
async function withPackage(db, fn = async () => {}) {
  configure({ database: db.url });
  try {
    await elevate(members.listMembers)({ paging: { limit: 1 } });
    return await fn();
  } finally {
    await close();
  }
}

/**
 * Runs child-claimer.mjs `mode` in two processes on `db`, starts them together
 * and returns `{ own: [per child], outcomes: [per child: Map k → outcome], ms }`.
 */
async function race(db, mode, count, target) {
  const children = NAMES.map((name) => spawnChild('child-claimer.mjs', [db.url, name, mode, String(count)]));
  try {
    const ready = await Promise.all(children.map((child) => child.nextLine((line) => line.ready === true, READY_MS)));
    for (const child of children) child.send(target ? `go ${target}` : 'go');
    const done = await Promise.all(children.map((child) => child.nextLine((line) => line.done === true, DONE_MS)));
    const exits = await Promise.all(children.map((child) => child.exited));
    exits.forEach((exit, n) => assert.equal(exit.code, 0, `claimer ${NAMES[n]} exited cleanly: ${children[n].describe()}`));
    const outcomes = children.map((child, n) => {
      const byK = new Map();
      for (const line of child.lines.map((text) => JSON.parse(text)).filter((value) => 'k' in value)) {
        assert.ok(!byK.has(line.k), `claimer ${NAMES[n]} reported k=${line.k} once`);
        byK.set(line.k, line);
      }
      assert.equal(byK.size, count, `claimer ${NAMES[n]} reported every call`);
      return byK;
    });
    return { own: ready.map((line) => line.own), outcomes, ms: done.map((line) => line.ms) };
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
  }
}

/** Asserts `problems` is empty, with a short message: how many, by kind, and the first few. */
function assertNone(problems, what) {
  if (problems.length === 0) return;
  const kinds = new Map();
  for (const problem of problems) {
    const kind = problem.replace(/^[^:]*: /, '').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'ID').replace(/(?<=\D)\d+/g, 'N');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const summary = [...kinds].map(([kind, n]) => `  ${n} × ${kind}`).join('\n');
  assert.fail(`${what}: ${problems.length} failed\n${summary}\nfirst ones:\n  ${problems.slice(0, 5).join('\n  ')}`);
}

const describeOutcome = (outcome) => (outcome.ok ? 'ok' : `${outcome.code}/${outcome.applicationCode} (${outcome.message})`);

/**
 * For each k, exactly one of the two processes won and the other got
 * ALREADY_EXISTS/`applicationCode`. Returns the problems (empty when all is well)
 * and the winner of each k as `{ n, outcome }`.
 */
function judgeClaims(outcomes, count, applicationCode) {
  const problems = [];
  const winners = new Map();
  for (let k = 0; k < count; k += 1) {
    const pair = outcomes.map((byK) => byK.get(k));
    const won = pair.flatMap((outcome, n) => (outcome.ok ? [n] : []));
    if (won.length !== 1) {
      problems.push(`k=${k}: ${won.length} winners (${pair.map((o, n) => `${NAMES[n]}: ${describeOutcome(o)}`).join('; ')})`);
      continue;
    }
    const [n] = won;
    winners.set(k, { n, outcome: pair[n] });
    const loser = pair[1 - n];
    if (loser.code !== 'ALREADY_EXISTS' || loser.applicationCode !== applicationCode || loser.name !== 'MembersError') {
      problems.push(`k=${k}: the loser ${NAMES[1 - n]} got ${loser.name} ${describeOutcome(loser)}, not ALREADY_EXISTS/${applicationCode}`);
    }
  }
  return { problems, winners };
}

for (const store of STORES) {
  test(`two processes opening a fresh database at once, many first calls each, all succeed (${store})`, { timeout: 180_000 }, async (t) => {
    const db = await freshDatabase(store);
    t.after(() => db.dispose());
    const count = 16;
    const { outcomes } = await race(db, 'open', count);
    const problems = [];
    outcomes.forEach((byK, n) => {
      for (const [k, outcome] of byK) if (!outcome.ok) problems.push(`${NAMES[n]} k=${k}: ${describeOutcome(outcome)}`);
    });
    assertNone(problems, 'every first call on the fresh database succeeds');
    const versions = await db.rows('SELECT version FROM schema_version');
    assert.deepEqual(versions.map((row) => Number(row.version)).sort(), [1, 2, 3, 4, 5], 'each migration was applied once');
    const secrets = await db.rows("SELECT value FROM settings WHERE name = 'cursor_secret'");
    assert.equal(secrets.length, 1, 'one cursor secret');
    const created = await db.rows("SELECT id FROM members WHERE login_email LIKE 'open-%'");
    assert.equal(created.length, count, 'every create of both processes is stored');
  });

  test(`two processes claim the same ${CLAIMS} login emails: one winner each (${store})`, { timeout: 180_000 }, async (t) => {
    const db = await freshDatabase(store);
    t.after(() => db.dispose());
    await withPackage(db);
    const { outcomes, ms } = await race(db, 'email', CLAIMS);
    const { problems, winners } = judgeClaims(outcomes, CLAIMS, 'EMAIL_ALREADY_EXISTS');
    assertNone(problems, 'exactly one winner per email, every loser ALREADY_EXISTS/EMAIL_ALREADY_EXISTS');

    const rows = await db.rows("SELECT id, login_email FROM members WHERE login_email LIKE 'race%'");
    assert.equal(rows.length, CLAIMS, `one stored member per email, found ${rows.length}`);
    const stored = new Map(rows.map((row) => [row.login_email, row.id]));
    for (let k = 0; k < CLAIMS; k += 1) {
      const { n, outcome } = winners.get(k);
      assert.equal(outcome.loginEmail, `race${k}@example.com`);
      assert.equal(stored.get(`race${k}@example.com`), outcome.id, `race${k}@example.com belongs to the winner ${NAMES[n]}`);
    }
    const wins = NAMES.map((_, n) => [...winners.values()].filter((w) => w.n === n).length);
    t.diagnostic(`${store}: wins a=${wins[0]} b=${wins[1]}; race took ${ms.join(' / ')} ms`);
  });

  test(`two processes claim the same ${CLAIMS} slugs: one winner each (${store})`, { timeout: 180_000 }, async (t) => {
    const db = await freshDatabase(store);
    t.after(() => db.dispose());
    await withPackage(db);
    const { own, outcomes, ms } = await race(db, 'slug', CLAIMS);
    const { problems, winners } = judgeClaims(outcomes, CLAIMS, 'SLUG_ALREADY_EXISTS');
    assertNone(problems, 'exactly one winner per slug, every loser ALREADY_EXISTS/SLUG_ALREADY_EXISTS');

    const rows = await db.rows('SELECT id, slug FROM members');
    assert.equal(rows.length, 2 * CLAIMS, 'the members of both processes, no more');
    const slugOf = new Map(rows.map((row) => [row.id, row.slug]));
    const holders = new Map();
    for (const row of rows) {
      const key = row.slug.toLowerCase();
      holders.set(key, [...(holders.get(key) ?? []), row.id]);
    }
    for (let k = 0; k < CLAIMS; k += 1) {
      const slug = `race-slug-${k}`;
      const { n, outcome } = winners.get(k);
      assert.equal(outcome.id, own[n][k].id, `k=${k}: the winner's result is its own member`);
      assert.equal(outcome.slug, slug, `k=${k}: the winner's result holds the slug`);
      assert.deepEqual(holders.get(slug), [own[n][k].id], `${slug} is held by exactly the winner ${NAMES[n]}'s member`);
      const loser = own[1 - n][k];
      assert.equal(slugOf.get(loser.id), loser.slug, `k=${k}: the loser ${NAMES[1 - n]}'s member keeps its slug`);
    }
    for (const [slug, ids] of holders) assert.equal(ids.length, 1, `slug ${slug} is held once`);
    const wins = NAMES.map((_, n) => [...winners.values()].filter((w) => w.n === n).length);
    t.diagnostic(`${store}: wins a=${wins[0]} b=${wins[1]}; race took ${ms.join(' / ')} ms`);
  });

  test(`two processes update one member ${2 * UPDATES_PER_PROCESS} times at once: no update lost (${store})`, { timeout: 180_000 }, async (t) => {
    const db = await freshDatabase(store);
    t.after(() => db.dispose());
    const target = await withPackage(db, async () => {
      const member = await elevate(members.createMember)({ member: { loginEmail: 'target@example.com', profile: { nickname: 'Target' } } });
      return member._id;
    });
    const { outcomes, ms } = await race(db, 'update', UPDATES_PER_PROCESS, target);
    const failed = [];
    const resolved = [];
    outcomes.forEach((byK, n) => {
      for (const [k, outcome] of byK) {
        if (outcome.ok) resolved.push(`${NAMES[n]}-${k}`);
        else failed.push(`${NAMES[n]}-${k}: ${describeOutcome(outcome)}`);
      }
    });

    const expected = {};
    for (const name of NAMES) for (let k = 0; k < UPDATES_PER_PROCESS; k += 1) expected[`${name}-${k}`] = { value: k };
    const final = await withPackage(db, () => elevate(members.getMember)(target, { fieldsets: ['FULL'] }));
    const present = final.contact?.customFields ?? {};
    const lost = Object.keys(expected).filter((key) => present[key]?.value !== expected[key].value);
    const [{ revision }] = await db.rows(store === 'postgres' ? 'SELECT revision FROM members WHERE id = $1' : 'SELECT revision FROM members WHERE id = ?', [target]);
    t.diagnostic(`${store}: ${failed.length} updates rejected, ${lost.length} keys missing, revision ${revision}; race took ${ms.join(' / ')} ms`);

    // First the silent losses: an update that resolved must be in the member.
    const vanished = resolved.filter((key) => present[key]?.value !== expected[key].value);
    assert.deepEqual(vanished, [], 'every update that resolved is in the final member (no lost update)');
    assert.equal(Number(revision), 1 + resolved.length, 'each resolved update bumped the revision once');
    // Then the ones the package gave up on: all of them must land.
    assertNone(failed, 'every concurrent update resolves');
    assert.deepEqual(lost, [], 'the final member holds the key of every update');
    assert.deepEqual(present, expected, 'the final member holds exactly the keys written');
  });
}
