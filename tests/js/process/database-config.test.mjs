// Database configuration (SPEC §11, issue: persistence): the Node default file,
// and the clear errors for a bad URL, an unreachable server, a locked file and a
// schema newer than the code. Runs once, not per store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { members, authentication, elevate, configure, close, withSession, MembersError } from 'universal-members';

const tempDir = () => mkdtempSync(join(tmpdir(), 'members-config-'));

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('the call should have been rejected');
}

test('Node defaults to sqlite:./members.db in the working directory', () => {
  // Inside the test folder, so the child resolves the installed package.
  const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), 'default-db-'));
  try {
    const script = `
      import { members, elevate } from 'universal-members';
      const m = await elevate(members.createMember)({ member: { loginEmail: 'ann@example.com' } });
      console.log(m._id);`;
    const env = { ...process.env };
    delete env.MEMBERS_DATABASE_URL;
    const id = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, env, encoding: 'utf8' }).trim();
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.ok(existsSync(join(dir, 'members.db')), 'members.db was created in the working directory');
    const db = new Database(join(dir, 'members.db'), { readonly: true });
    assert.equal(db.prepare('SELECT id FROM members').get().id, id);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad database URL throws at configure, naming the field and hiding the password', () => {
  for (const url of ['mysql://user:hunter2@db/members', 'sqlite:', 'postgres:///nohost']) {
    let thrown;
    try {
      configure({ database: url });
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown instanceof MembersError, url);
    assert.equal(thrown.code, 'INVALID_ARGUMENT');
    assert.equal(thrown.details.validationError.fieldViolations[0].field, 'database');
    assert.ok(!thrown.message.includes('hunter2'), 'the password is not echoed');
  }
});

test('an unreachable PostgreSQL server is UNAVAILABLE at the first call, quickly', async () => {
  configure({ database: 'postgres://postgres:secret@127.0.0.1:1/members' });
  const started = Date.now();
  const error = await rejection(members.getMember('00000000-0000-4000-8000-000000000001'));
  assert.equal(error.code, 'UNAVAILABLE');
  assert.equal(error.applicationCode, 'DATABASE_UNAVAILABLE');
  assert.ok(!error.message.includes('secret'));
  assert.ok(Date.now() - started < 6000, 'gives up within the connect timeout');
  await close();
});

test('a SQLite file locked by another writer is UNAVAILABLE after the busy timeout, not a hang', async () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'members.db');
    configure({ database: `sqlite:${file}` });
    await elevate(members.createMember)({ member: { loginEmail: 'first@example.com' } });
    const other = new Database(file);
    other.exec('BEGIN EXCLUSIVE');
    const started = Date.now();
    const error = await rejection(elevate(members.createMember)({ member: { loginEmail: 'second@example.com' } }));
    other.exec('ROLLBACK');
    other.close();
    assert.equal(error.code, 'UNAVAILABLE');
    assert.equal(error.applicationCode, 'DATABASE_BUSY');
    assert.ok(Date.now() - started < 15000);
    // Nothing half-written: the refused member is not there.
    const count = await elevate(members.queryMembers)().count();
    assert.equal(count, 1);
    await close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database migrated by a newer version is refused, not guessed at', async () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'members.db');
    const db = new Database(file);
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99);');
    db.close();
    configure({ database: `sqlite:${file}` });
    const error = await rejection(members.getMember('00000000-0000-4000-8000-000000000001'));
    assert.equal(error.code, 'FAILED_PRECONDITION');
    assert.equal(error.applicationCode, 'SCHEMA_TOO_NEW');
    assert.match(error.message, /99/);
    await close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database of schema version 1 (before authentication) is upgraded in place, members kept', async () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'members.db');
    configure({ database: `sqlite:${file}` });
    const ann = await elevate(members.createMember)({ member: { loginEmail: 'ann@example.com' } });
    await close();
    // Back to what version 1 left: no authentication tables, version 1 only.
    const db = new Database(file);
    db.exec(`DROP TABLE member_passwords; DROP TABLE sessions; DROP TABLE password_tickets;
             DROP TABLE login_failures; DROP TABLE events; DROP TABLE webhook_endpoints;
             DROP TABLE webhook_deliveries; DROP TABLE webhook_attempts;
             DROP TABLE async_jobs; DROP TABLE async_job_items;
             DROP TABLE email_verifications; DROP TABLE admin_sessions;
             DELETE FROM schema_version WHERE version >= 2;`);
    db.close();
    const sent = [];
    configure({ database: `sqlite:${file}`, mailer: { send: (message) => { sent.push(message); } } });
    assert.equal((await elevate(members.getMember)(ann._id, { fieldsets: ['FULL'] })).loginEmail, 'ann@example.com');
    await authentication.sendSetPasswordEmail('ann@example.com');
    await authentication.setPassword(sent[0].token, 'correct horse');
    const { sessionToken } = await authentication.login('ann@example.com', 'correct horse');
    const { member } = await members.withSession(sessionToken).getCurrentMember();
    assert.equal(member._id, ann._id);
    await close();
    const check = new Database(file, { readonly: true });
    const versions = check.prepare('SELECT version FROM schema_version ORDER BY version').all().map((row) => row.version);
    check.close();
    assert.deepEqual(versions, [1, 2, 3, 4, 5]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database of schema version 4 (before account security) keeps its sessions, each given an id', async () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'members.db');
    configure({ database: `sqlite:${file}` });
    const { sessionToken } = await authentication.register('ann@example.com', 'correct horse');
    await close();
    // Back to what version 4 left: sessions without id, browser or last use.
    const db = new Database(file);
    db.exec(`DROP TABLE email_verifications; DROP TABLE admin_sessions;
             DROP INDEX sessions_id; ALTER TABLE sessions DROP COLUMN id;
             ALTER TABLE sessions DROP COLUMN user_agent; ALTER TABLE sessions DROP COLUMN last_used_date;
             DELETE FROM schema_version WHERE version >= 5;`);
    db.close();
    configure({ database: `sqlite:${file}` });
    const { sessions } = await withSession(sessionToken).authentication.listMySessions();
    assert.equal(sessions.length, 1, 'the session survived the upgrade');
    assert.match(sessions[0]._id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(sessions[0].current, true);
    assert.ok(sessions[0].lastUsedDate instanceof Date);
    await close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database of schema version 2 (before events) is upgraded in place, and its changes fire events', async () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'members.db');
    configure({ database: `sqlite:${file}` });
    const ann = await elevate(members.createMember)({ member: { loginEmail: 'ann@example.com' } });
    await close();
    // Back to what version 2 left: no outbox tables, versions 1 and 2 only.
    const db = new Database(file);
    db.exec(`DROP TABLE events; DROP TABLE webhook_endpoints; DROP TABLE webhook_deliveries;
             DROP TABLE webhook_attempts; DELETE FROM settings WHERE name = 'instance_id';
             DROP TABLE async_jobs; DROP TABLE async_job_items;
             DROP TABLE email_verifications; DROP TABLE admin_sessions;
             DROP INDEX sessions_id; ALTER TABLE sessions DROP COLUMN id;
             ALTER TABLE sessions DROP COLUMN user_agent; ALTER TABLE sessions DROP COLUMN last_used_date;
             DELETE FROM schema_version WHERE version >= 3;`);
    db.close();
    configure({ database: `sqlite:${file}` });
    const seen = [];
    members.onMemberUpdated((event) => seen.push(event));
    await elevate(members.updateMember)(ann._id, { profile: { nickname: 'Ann After' } });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seen.length, 1, 'one updated event after the upgrade');
    assert.equal(seen[0].metadata.entityId, ann._id);
    assert.equal(seen[0].modifiedFields['profile.nickname'], null, 'it had no nickname before');
    await close();
    const check = new Database(file, { readonly: true });
    const versions = check.prepare('SELECT version FROM schema_version ORDER BY version').all().map((row) => row.version);
    const events = check.prepare('SELECT member_id, slug FROM events').all();
    const instance = check.prepare("SELECT value FROM settings WHERE name = 'instance_id'").all();
    check.close();
    assert.deepEqual(versions, [1, 2, 3, 4, 5]);
    assert.deepEqual(events, [{ member_id: ann._id, slug: 'updated' }], 'the outbox holds the change');
    assert.equal(instance.length, 1, 'the site got an instance id');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a second process sees what the first wrote (one SQLite file, migrated once)', async () => {
  const dir = tempDir();
  try {
    const url = `sqlite:${join(dir, 'members.db')}`;
    const script = (email) => `
      import { members, elevate, configure } from 'universal-members';
      configure({ database: ${JSON.stringify(url)} });
      await elevate(members.createMember)({ member: { loginEmail: '${email}' } });
      console.log(await elevate(members.queryMembers)().count());`;
    const run = (email) => execFileSync(process.execPath, ['--input-type=module', '-e', script(email)], { cwd: process.cwd(), encoding: 'utf8' }).trim();
    assert.equal(run('one@example.com'), '1');
    assert.equal(run('two@example.com'), '2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
