// `universal-members import | export` (SPEC §13) as real CLI processes on a
// SQLite file and the suite's PostgreSQL: the summary and report of a CSV with
// good and bad rows, conflicts (skip, update, error), unknown headers, the
// export → import round trip in CSV, JSONL and JSON, and memory that stays flat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { members, elevate, configure, close } from 'universal-members';
import { STORES, freshDatabase } from './support.mjs';

const packageDir = dirname(createRequire(import.meta.url).resolve('universal-members/package.json'));
const cliPath = join(packageDir, 'cli.mjs');
const cli = (args, nodeArgs = []) => spawnSync(process.execPath, [...nodeArgs, cliPath, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const summaryOf = (run) => JSON.parse(run.stdout.trimEnd().split('\n').at(-1));

async function withDatabase(store, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'members-import-'));
  const databases = [];
  const fresh = async () => {
    const db = await freshDatabase(store);
    databases.push(db);
    return db;
  };
  try {
    await fn({ dir, fresh, file: (name) => join(dir, name) });
  } finally {
    for (const db of databases) await db.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

const countOf = async (db, table) => Number((await db.rows(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

/** 130 members with every kind of field; a tenth blocked, a seventh muted, a third private. */
async function seedMembers(db) {
  configure({ database: db.url });
  const admin = (fn) => elevate(fn);
  for (let i = 0; i < 130; i++) {
    const member = await admin(members.createMember)({
      member: {
        loginEmail: `M${i}+tag@Example.com`,
        privacyStatus: i % 3 ? 'PUBLIC' : 'PRIVATE',
        contact: {
          firstName: `First ${i}`, phones: ['+1 555 0100', '555-0101'], emails: [`alt${i}@example.org`],
          addresses: [{ city: 'Oslo', country: 'NO' }],
          customFields: { score: { name: 'Score', value: i }, note: { value: i % 2 ? 'a, "quoted"\nline' : '42' }, flag: { value: i % 2 === 0 } },
        },
        profile: { nickname: `Member ${i}`, title: 'Dr', photo: { url: 'https://example.com/p.png', width: 10, height: 20 } },
      },
    });
    if (i % 10 === 0) await admin(members.blockMember)(member._id);
    if (i % 7 === 0) await admin(members.muteMember)(member._id);
  }
  await close();
}

const MIXED = [
  '\uFEFFEmail,First Name,Nickname,Status,Birthdate,customFields.plan',
  'ann@example.com,Ann,"Ann, ""the great""",PENDING,1990-02-01,gold',
  'Bob+News@Example.COM,Bob,,,,"two\nlines, and a comma"',
  'not-an-email,Nobody,,,,',
  `long@example.com,,${'n'.repeat(300)},,,`,
  'date@example.com,,,,1990-02-30,',
  'status@example.com,,,ACTIVE,,',
  'ANN@example.com,Again,,,,',
  'carl@example.com,Carl,,,,',
].join('\n');

for (const store of STORES) {
  test(`${store}: a CSV with good and bad rows imports the good ones and reports the rest exactly`, async () => {
    await withDatabase(store, async ({ fresh, file }) => {
      const db = await fresh();
      configure({ database: db.url });
      await elevate(members.createMember)({ member: { loginEmail: 'carl@EXAMPLE.com' } });
      await close();
      writeFileSync(file('mixed.csv'), MIXED);
      const run = cli(['import', file('mixed.csv'), '--db', db.url, '--report', file('report.csv')]);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout.trimEnd().split('\n').at(-1), '{"total":8,"created":2,"updated":0,"skipped":2,"failed":4}');
      assert.equal(readFileSync(file('report.csv'), 'utf8'), [
        'Email,First Name,Nickname,Status,Birthdate,customFields.plan,error',
        'not-an-email,Nobody,,,,,"member.loginEmail: ""not-an-email"" is not a valid email address"',
        `long@example.com,,${'n'.repeat(300)},,,,member.profile.nickname: must be at most 255 characters (got 300)`,
        'date@example.com,,,,1990-02-30,,"member.contact.birthdate: ""1990-02-30"" is not a date written YYYY-MM-DD"',
        'status@example.com,,,ACTIVE,,,"member.status: ""ACTIVE"" is not one of UNKNOWN, PENDING, APPROVED, BLOCKED, OFFLINE"',
        '',
      ].join('\n'));
      const rows = await db.rows('SELECT login_email FROM members ORDER BY login_email');
      assert.deepEqual(rows.map((r) => r.login_email), ['Bob+News@Example.COM', 'ann@example.com', 'carl@EXAMPLE.com']);
      assert.equal(await countOf(db, 'events'), 3, 'one created event per member, the two imported included');
      configure({ database: db.url });
      const { items } = await elevate(members.queryMembers)({ fieldsets: ['FULL'] }).eq('loginEmail', 'ann@example.com').find();
      assert.equal(items[0].profile.nickname, 'Ann, "the great"');
      assert.equal(items[0].status, 'PENDING');
      const bob = (await elevate(members.queryMembers)({ fieldsets: ['FULL'] }).eq('contact.firstName', 'Bob').find()).items[0];
      assert.equal(bob.contact.customFields.plan.value, 'two\nlines, and a comma');
      await close();
    });
  });

  test(`${store}: --on-conflict update patches, error writes nothing, unknown headers are refused before writing`, async () => {
    await withDatabase(store, async ({ fresh, file }) => {
      const db = await fresh();
      writeFileSync(file('first.csv'), 'email,firstName\nann@example.com,Ann\nbob@example.com,Bob\n');
      assert.equal(cli(['import', file('first.csv'), '--db', db.url]).status, 0);
      const events = await countOf(db, 'events');

      writeFileSync(file('unknown.csv'), 'email,firstName,Favourite Colour,shoe_size\nnew@example.com,New,blue,42\n');
      const refused = cli(['import', file('unknown.csv'), '--db', db.url]);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /unknown columns "Favourite Colour", "shoe_size"/);
      assert.equal(await countOf(db, 'members'), 2, 'nothing written');
      const ignored = cli(['import', file('unknown.csv'), '--db', db.url, '--ignore-unknown', '--dry-run']);
      assert.equal(summaryOf(ignored).created, 1);
      assert.equal(await countOf(db, 'members'), 2, 'a dry run writes nothing');

      writeFileSync(file('second.csv'), 'email,firstName\ncarl@example.com,Carl\nANN@example.com,Annabel\n');
      const error = cli(['import', file('second.csv'), '--db', db.url, '--on-conflict', 'error']);
      assert.equal(error.status, 1);
      assert.deepEqual(summaryOf(error), { total: 2, created: 0, updated: 0, skipped: 0, failed: 1 });
      assert.equal(await countOf(db, 'members'), 2, 'not even carl');
      assert.equal(await countOf(db, 'events'), events);

      const update = cli(['import', file('second.csv'), '--db', db.url, '--on-conflict', 'update']);
      assert.equal(update.status, 0, update.stderr);
      assert.deepEqual(summaryOf(update), { total: 2, created: 1, updated: 1, skipped: 0, failed: 0 });
      const ann = await db.rows("SELECT data FROM events WHERE slug = 'updated'");
      assert.equal(ann.length, 1, 'one updated event');
      configure({ database: db.url });
      const { items } = await elevate(members.queryMembers)({ fieldsets: ['FULL'] }).eq('loginEmail', 'ann@example.com').find();
      assert.equal(items[0].contact.firstName, 'Annabel');
      await close();
    });
  });

  test(`${store}: export then import into an empty database gives identical members in CSV, JSONL and JSON`, async () => {
    await withDatabase(store, async ({ fresh, file }) => {
      const source = await fresh();
      await seedMembers(source);
      for (const format of ['csv', 'jsonl', 'json']) {
        const target = await fresh();
        const out = file(`out.${format}`);
        const exported = cli(['export', '--db', source.url, '--out', out]);
        assert.equal(exported.status, 0, exported.stderr);
        const imported = cli(['import', out, '--db', target.url]);
        assert.equal(imported.status, 0, imported.stderr);
        assert.deepEqual(summaryOf(imported), { total: 130, created: 130, updated: 0, skipped: 0, failed: 0 });
        const again = cli(['export', '--db', target.url, '--format', format]);
        assert.equal(again.status, 0, again.stderr);
        assert.equal(again.stdout, readFileSync(out, 'utf8'), `${format}: the same members, byte for byte`);
        const whole = (url) => JSON.parse(cli(['export', '--db', url, '--format', 'json']).stdout);
        assert.deepEqual(whole(target.url), whole(source.url), `${format}: ids, dates, statuses and custom fields kept`);
      }
      const filtered = cli(['export', '--db', source.url, '--format', 'jsonl', '--filter', '{"status":"BLOCKED"}']);
      assert.equal(filtered.stdout.trimEnd().split('\n').length, 13);
    });
  });
}

// A pipe whose reader is busy queues the last writes in the exporting process;
// exiting at once dropped them (CI once parsed an export cut after a member).
// The reader here sleeps while the export ends, so the pipe is full at exit;
// the sizes span the pipe's 64 KB, whose last write is the one that queues.
test('sqlite: an export piped to a reader that is slow to read arrives whole', async () => {
  await withDatabase('sqlite', async ({ fresh, file }) => {
    const db = await fresh();
    await seedMembers(db);
    for (const format of ['json', 'jsonl', 'csv']) {
      for (const filter of ['{}', '{"privacyStatus":"PUBLIC"}']) {
        const whole = file(`whole.${format}`);
        assert.equal(cli(['export', '--db', db.url, '--format', format, '--filter', filter, '--out', whole]).status, 0);
        const command = [process.execPath, cliPath, 'export', '--db', db.url, '--format', format, '--filter', filter]
          .map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
        const piped = spawnSync('sh', ['-c', `${command} | (sleep 1; cat)`], { encoding: 'utf8', maxBuffer: 64 << 20 });
        assert.equal(piped.status, 0, piped.stderr);
        assert.equal(piped.stdout, readFileSync(whole, 'utf8'), `${format} ${filter}: every byte through the pipe`);
      }
    }
  });
});

test('sqlite: memory stays flat however many rows the CSV holds', async () => {
  await withDatabase('sqlite', async ({ fresh, file, dir }) => {
    const preload = join(dir, 'rss.mjs');
    writeFileSync(preload, "process.on('exit', () => process.stderr.write(`maxrss ${process.resourceUsage().maxRSS}\\n`));\n");
    const peak = async (rows) => {
      const db = await fresh();
      const lines = ['email,firstName,nickname,customFields.note'];
      for (let i = 0; i < rows; i++) lines.push(`m${i}@example.com,First ${i},Member ${i},"note ${i}, ${'x'.repeat(100)}"`);
      writeFileSync(file(`rows-${rows}.csv`), `${lines.join('\n')}\n`);
      const run = cli(['import', file(`rows-${rows}.csv`), '--db', db.url], ['--import', preload]);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(summaryOf(run).created, rows);
      return Number(/maxrss (\d+)/.exec(run.stderr)[1]) / 1024;
    };
    const small = await peak(10_000);
    const large = await peak(40_000);
    assert.ok(large - small < 40, `peak memory grew by ${(large - small).toFixed(1)} MB from 10,000 to 40,000 rows (${small.toFixed(1)} → ${large.toFixed(1)} MB)`);
  });
});

test('a file of an unknown format, or no file, is a usage error', () => {
  const run = cli(['import', '/nonexistent/members.txt']);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--format/);
  assert.equal(cli(['import']).status, 2);
  assert.ok(!existsSync('/nonexistent'));
});
