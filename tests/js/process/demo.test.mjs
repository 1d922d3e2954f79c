// Alive on first run (issue 12, item 4) against real `universal-members serve`
// processes: `--demo` seeds about 200 made-up members into an empty database and
// nothing into one that has members, the same members every time, with
// non-ASCII names, PRIVATE, PENDING and BLOCKED members and join dates over two
// years; a server given no admin key over a SQLite file makes `<db>.admin-key`
// (mode 0600) on first use, reuses it, and prints where it is, never the key.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, CLI } from '../helpers.mjs';

const DAY = 86_400_000;
const BASE = '/members/v1/members';

const dirs = [];
process.on('exit', () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'members-demo-'));
  dirs.push(dir);
  return dir;
}

/** The environment of a child given no admin key or database but these. */
function cleanEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  if (!('MEMBERS_ADMIN_KEY' in extra)) delete env.MEMBERS_ADMIN_KEY;
  delete env.MEMBERS_DATABASE_URL;
  return env;
}

/** Resolves once `check()` is true (it may wait on a line still in the pipe). */
async function waitFor(check, what, ms = 10_000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) assert.fail(`no ${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts `serve --demo` on `database`, waits for its one demo line, stops it → its stderr. */
async function demoRun(database, { adminKey = randomBytes(18).toString('hex') } = {}) {
  const server = await startServer({ database, adminKey, args: ['--demo'] });
  await waitFor(() => /--demo: /.test(server.stderr()), 'demo line on stderr');
  const { code } = await server.stop();
  assert.equal(code, 0, server.stderr());
  return server.stderr();
}

/** Every member of `database`, FULL, oldest first (`universal-members export`). */
function exportAll(database) {
  const run = spawnSync(process.execPath, [CLI, 'export', '--db', database], { encoding: 'utf8', env: cleanEnv(), timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

const count = (list, fn) => list.filter(fn).length;

describe('serve --demo', () => {
  let database;
  let firstStderr;
  let seeded;
  before(async () => {
    database = `sqlite:${join(tempDir(), 'members.db')}`;
    firstStderr = await demoRun(database);
    seeded = exportAll(database);
  });

  test('seeds about 200 members into an empty database, and nothing on a later start', async () => {
    assert.match(firstStderr, /--demo: added 200 demo members/);
    assert.ok(seeded.length >= 150 && seeded.length <= 250, `about 200 members, got ${seeded.length}`);
    assert.equal(new Set(seeded.map((m) => m._id)).size, seeded.length, 'ids are distinct');
    const second = await demoRun(database);
    assert.doesNotMatch(second, /added \d+ demo members/);
    const notices = second.split('\n').filter((line) => line.includes('--demo'));
    assert.equal(notices.length, 1, `said once: ${second}`);
    assert.match(notices[0], new RegExp(`already has ${seeded.length} members`));
    assert.deepEqual(exportAll(database), seeded, 'the second start added and changed nothing');
  });

  test('a database with one member of its own gets no demo members', async () => {
    const dir = tempDir();
    const own = `sqlite:${join(dir, 'own.db')}`;
    const file = join(dir, 'one.jsonl');
    writeFileSync(file, `${JSON.stringify({ loginEmail: 'only@example.com', profile: { nickname: 'Only' } })}\n`);
    const imported = spawnSync(process.execPath, [CLI, 'import', file, '--db', own], { encoding: 'utf8', env: cleanEnv() });
    assert.equal(imported.status, 0, imported.stderr);
    const stderr = await demoRun(own);
    assert.match(stderr, /already has 1 member,/);
    assert.deepEqual(exportAll(own).map((m) => m.loginEmail), ['only@example.com']);
  });

  test('the same members every time: two fresh databases hold the same data', async () => {
    // Dates count back from midnight UTC of the day the server starts: both runs
    // must fall in one day (else run them again, once).
    for (let attempt = 0; ; attempt++) {
      const day = Math.floor(Date.now() / DAY);
      const a = `sqlite:${join(tempDir(), 'a.db')}`;
      const b = `sqlite:${join(tempDir(), 'b.db')}`;
      await demoRun(a);
      await demoRun(b, { adminKey: null });
      if (Math.floor(Date.now() / DAY) !== day && attempt === 0) continue;
      const [left, right] = [exportAll(a), exportAll(b)];
      assert.equal(left.length, seeded.length);
      assert.deepEqual(left, right, 'ids, contact ids, address ids, names, statuses and dates');
      if (Math.floor(Date.now() / DAY) === day) assert.deepEqual(left, seeded, 'also the same as the first database');
      break;
    }
  });

  test('names in many scripts, nicknames and titles; PRIVATE, PENDING, BLOCKED and MUTED members', () => {
    const nicknames = seeded.map((m) => m.profile.nickname ?? '');
    const nonAscii = nicknames.filter((n) => /[^\x20-\x7e]/.test(n));
    assert.ok(nonAscii.length >= seeded.length / 4, `non-ASCII nicknames: ${nonAscii.length}`);
    for (const script of ['Latin', 'Greek', 'Han', 'Hiragana', 'Hangul', 'Arabic']) {
      const pattern = new RegExp(`\\p{Script=${script}}`, 'u');
      assert.ok(nicknames.some((n) => pattern.test(n) && (script !== 'Latin' || /[^\x20-\x7e]/.test(n))), `a nickname in ${script}`);
    }
    const names = new Set(seeded.map((m) => `${m.contact.firstName} ${m.contact.lastName}`));
    for (const name of ['Zoë Ångström', 'Łukasz Żółć', 'Thị Hà Nguyễn', 'José García', '花子 山田', 'Γιώργος Παπαδόπουλος']) {
      assert.ok(names.has(name), `${name} is a member, letters kept`);
    }
    assert.ok(nicknames.includes('Nguyễn Thị Hà') && nicknames.includes('Søren') && nicknames.includes('山田 花子'));
    assert.ok(new Set(nicknames).size >= seeded.length * 0.85, 'nicknames vary');
    assert.ok(count(seeded, (m) => m.profile.nickname === `${m.contact.firstName} ${m.contact.lastName}`) < seeded.length * 0.8,
      'not every nickname is the full name');
    assert.ok(count(seeded, (m) => m.profile.title) >= seeded.length / 2, 'most have a title');
    assert.ok(count(seeded, (m) => m.profile.slug && m.profile.slug.length > 0) === seeded.length, 'every member has a slug');

    const status = (s) => count(seeded, (m) => m.status === s);
    assert.ok(status('PENDING') >= 10, `PENDING: ${status('PENDING')}`);
    assert.ok(status('BLOCKED') >= 5, `BLOCKED: ${status('BLOCKED')}`);
    assert.ok(status('APPROVED') >= seeded.length * 0.6, `APPROVED: ${status('APPROVED')}`);
    const privacy = count(seeded, (m) => m.privacyStatus === 'PRIVATE');
    assert.ok(privacy >= 10 && privacy <= seeded.length / 2, `PRIVATE: ${privacy}`);
    assert.ok(count(seeded, (m) => m.activityStatus === 'MUTED') >= 1, 'a muted member');
    assert.ok(seeded.every((m) => /^[\x21-\x7e]+@[a-z.]*example\.(com|org|net)$/.test(m.loginEmail)), 'ASCII emails at reserved domains');
  });

  test('join dates spread over the last two years, never in the future', () => {
    const now = Date.now();
    const created = seeded.map((m) => Date.parse(m._createdDate));
    assert.ok(created.every((t) => t <= now && t >= now - 731 * DAY), 'within the last two years');
    const span = (Math.max(...created) - Math.min(...created)) / DAY;
    assert.ok(span >= 600, `spread over ${span.toFixed(0)} days`);
    const olderThanAYear = count(created, (t) => t < now - 365 * DAY);
    assert.ok(olderThanAYear >= 20 && olderThanAYear <= seeded.length - 20, `${olderThanAYear} joined over a year ago`);
    // Not all on one day: at least one join in most months.
    const months = new Set(seeded.map((m) => m._createdDate.slice(0, 7)));
    assert.ok(months.size >= 20, `joins in ${months.size} months`);
    for (const m of seeded) {
      assert.ok(Date.parse(m._updatedDate) >= Date.parse(m._createdDate), `${m._id}: updated after created`);
      if (m.lastLoginDate) assert.ok(Date.parse(m.lastLoginDate) >= Date.parse(m._createdDate) && Date.parse(m.lastLoginDate) <= now);
    }
  });

  test('a visitor sees only the public, approved demo members; the admin sees all', async () => {
    const adminKey = randomBytes(18).toString('hex');
    const server = await startServer({ database, adminKey });
    try {
      const visitor = await (await fetch(`${server.baseUrl}${BASE}?paging.limit=1`)).json();
      const shown = count(seeded, (m) => m.status === 'APPROVED' && m.privacyStatus === 'PUBLIC');
      assert.equal(visitor.metadata.total, shown);
      assert.ok(shown > seeded.length / 2);
      const admin = await (await fetch(`${server.baseUrl}${BASE}?paging.limit=1`, { headers: { authorization: adminKey } })).json();
      assert.equal(admin.metadata.total, seeded.length);
    } finally {
      await server.stop();
    }
  });

  test('--demo with a database in memory is a usage error (exit 2)', () => {
    for (const db of ['memory:', 'sqlite::memory:']) {
      const run = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--db', db, '--demo'], { encoding: 'utf8', env: cleanEnv(), timeout: 15_000 });
      assert.equal(run.status, 2, `${db}: ${run.stderr}`);
      assert.match(run.stderr, /--demo needs a database/);
    }
  });
});

describe('the admin key file', () => {
  test('no key given: <db>.admin-key is made 0600, its path printed with the sign-in URL, never the key; a restart reuses it', async () => {
    const dir = tempDir();
    const path = join(dir, 'members.db');
    const keyFile = `${path}.admin-key`;
    const first = await startServer({ database: `sqlite:${path}`, adminKey: null });
    const signIn = `universal-members: admin key in ${keyFile} — sign in at ${first.baseUrl}/admin`;
    await waitFor(() => first.stderr().includes(signIn), `"${signIn}" on stderr`);
    const stat = statSync(keyFile);
    assert.equal(stat.mode & 0o777, 0o600, `mode ${(stat.mode & 0o777).toString(8)}`);
    const key = readFileSync(keyFile, 'utf8').trim();
    assert.match(key, /^[0-9a-f]{64}$/, 'a 256-bit random key');
    // The key is the server's admin key.
    const asAdmin = await fetch(`${first.baseUrl}${BASE}`, { headers: { authorization: key } });
    assert.equal(asAdmin.status, 200);
    const login = await fetch(`${first.baseUrl}/members/v1/auth/admin-login`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: first.baseUrl }, body: JSON.stringify({ adminKey: key }),
    });
    assert.equal(login.status, 200, await login.text());
    const wrong = await fetch(`${first.baseUrl}${BASE}`, { headers: { authorization: 'f'.repeat(64) } });
    assert.equal(wrong.status, 401);
    await first.stop();
    const log = (server) => `${server.lines.join('\n')}\n${server.stderr()}`;
    assert.ok(!log(first).includes(key), 'the key is not in the log');

    const second = await startServer({ database: `sqlite:${path}`, adminKey: null });
    try {
      await waitFor(() => second.stderr().includes(`admin key in ${keyFile} — sign in at ${second.baseUrl}/admin`), 'the key line again');
      assert.equal(readFileSync(keyFile, 'utf8').trim(), key, 'the same key');
      assert.equal(statSync(keyFile).ino, stat.ino, 'the same file');
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      assert.equal((await fetch(`${second.baseUrl}${BASE}`, { headers: { authorization: key } })).status, 200, 'still the admin key');
    } finally {
      await second.stop();
    }
    assert.ok(!log(second).includes(key), 'the key is not in the log of the restart');
  });

  test('a key given by flag or MEMBERS_ADMIN_KEY, or a database not in a SQLite file: no key file, no key line', async () => {
    const dir = tempDir();
    const path = join(dir, 'members.db');
    const byFlag = await startServer({ database: `sqlite:${path}`, adminKey: randomBytes(18).toString('hex') });
    const key = randomBytes(18).toString('hex');
    const byEnv = await startServer({ database: `sqlite:${join(dir, 'env.db')}`, adminKey: null, env: { MEMBERS_ADMIN_KEY: key } });
    const inMemory = await startServer({ database: 'memory:', adminKey: null });
    try {
      assert.equal((await fetch(`${byEnv.baseUrl}${BASE}`, { headers: { authorization: key } })).status, 200, 'the environment key is the admin key');
      // The key line would follow the serving line at once; give it time to show.
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const server of [byFlag, byEnv, inMemory]) assert.doesNotMatch(server.stderr(), /admin key in/, server.database);
      assert.ok(!existsSync(`${path}.admin-key`), 'none beside the flag database');
      assert.ok(!existsSync(join(dir, 'env.db.admin-key')), 'none beside the environment database');
    } finally {
      await Promise.all([byFlag.stop(), byEnv.stop(), inMemory.stop()]);
    }
  });

  test('a key file other users may read is refused (exit 1), not used', async () => {
    const dir = tempDir();
    const path = join(dir, 'members.db');
    const made = await startServer({ database: `sqlite:${path}`, adminKey: null });
    await made.stop();
    assert.ok(existsSync(`${path}.admin-key`), made.stderr());
    chmodSync(`${path}.admin-key`, 0o644);
    const run = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--db', `sqlite:${path}`], { encoding: 'utf8', env: cleanEnv(), timeout: 15_000 });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /admin-key is open to other users \(mode 644\)/);
    assert.ok(!run.stderr.includes(readFileSync(`${path}.admin-key`, 'utf8').trim()));
  });
});
