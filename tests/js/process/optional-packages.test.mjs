// Install weight (issue 14): the database drivers and the SMTP mailer are
// optional dependencies, so `npm i --omit=optional universal-members` (what a
// browser-only project can do, and what npm falls back to when a native build
// fails) installs no native code. The packed tarball is installed that way into a
// temp folder (from the npm cache the pack step filled) and run as a user would:
// `memory:` works, including password hashing in the workers, and each missing
// package is a MembersError that names it and the command installing it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The folder `make pack` packed into (this file is in its process/).
const packDir = fileURLToPath(new URL('..', import.meta.url));
let dir;

before(() => {
  const tarball = readdirSync(packDir).find((name) => /^universal-members-.*\.tgz$/.test(name));
  assert.ok(tarball, `no packed tarball in ${packDir} (make pack makes it)`);
  dir = mkdtempSync(join(tmpdir(), 'members-no-optional-'));
  writeFileSync(join(dir, 'package.json'), '{ "name": "browser-only", "private": true, "type": "module" }\n');
  const install = spawnSync('npm', ['install', '--omit=optional', '--prefer-offline', '--no-audit', '--no-fund', join(packDir, tarball)], {
    cwd: dir, encoding: 'utf8', timeout: 120_000,
  });
  assert.equal(install.status, 0, install.stderr);
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `source` as an ES module in the temp project; returns its JSON answer. */
function run(source, env = {}) {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', source], {
    cwd: dir, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env },
  });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

/** The error `call` (module source ending in an expression that throws or rejects) gives. */
const errorOf = (call, env) => run(`
  import { configure, members, MembersError } from 'universal-members';
  try {
    ${call};
    console.log(JSON.stringify({ thrown: false }));
  } catch (error) {
    console.log(JSON.stringify({ thrown: true, isMembersError: error instanceof MembersError, code: error.code,
      applicationCode: error.applicationCode, message: error.message, data: error.details?.applicationError?.data }));
  }`, env);

test('no native package is installed: neither driver nor the mailer', () => {
  for (const name of ['better-sqlite3', 'pg', 'nodemailer']) {
    assert.equal(existsSync(join(dir, 'node_modules', name)), false, `${name} is not installed`);
  }
  assert.ok(existsSync(join(dir, 'node_modules', 'universal-members', 'node.mjs')));
});

test('memory: works without them, passwords included (the hasher workers)', () => {
  const answer = run(`
    import { configure, members, authentication, elevate } from 'universal-members';
    configure({ database: 'memory:' });
    await elevate(members.createMember)({ member: { loginEmail: 'a@example.com' } });
    const registered = await authentication.register('b@example.com', 'correct horse battery');
    const login = await authentication.login('b@example.com', 'correct horse battery');
    const { items } = await elevate(members.queryMembers)().find();
    console.log(JSON.stringify({ count: items.length, registered: registered.status, loggedIn: Boolean(login.sessionToken) }));`);
  assert.deepEqual(answer, { count: 2, registered: 'ACTIVE', loggedIn: true });
});

test('a SQLite database (also the default) without better-sqlite3: a MembersError naming it', () => {
  for (const call of ["configure({ database: 'sqlite:./members.db' })", 'await members.queryMembers().find()']) {
    const error = errorOf(call);
    assert.equal(error.thrown, true, call);
    assert.equal(error.isMembersError, true);
    assert.equal(error.code, 'UNAVAILABLE');
    assert.equal(error.applicationCode, 'DATABASE_UNAVAILABLE');
    assert.equal(error.message, 'the sqlite driver needs the npm package better-sqlite3: npm i better-sqlite3');
    assert.deepEqual(error.data, { package: 'better-sqlite3' });
  }
  assert.equal(existsSync(join(dir, 'members.db')), false, 'no file was made');
});

test('PostgreSQL without pg: a MembersError naming pg', () => {
  const error = errorOf("configure({ database: 'postgres://u:secret@127.0.0.1:1/db' })");
  assert.equal(error.isMembersError, true);
  assert.equal(error.message, 'the postgres driver needs the npm package pg: npm i pg');
  assert.ok(!error.message.includes('secret'));
});

test('SMTP without nodemailer: configure throws a MembersError naming it', () => {
  const error = errorOf("configure({ database: 'memory:' })", { MEMBERS_SMTP_URL: 'smtp://127.0.0.1:1' });
  assert.equal(error.isMembersError, true);
  assert.equal(error.applicationCode, 'MAIL_UNAVAILABLE');
  assert.match(error.message, /needs the npm package nodemailer: npm i nodemailer$/);
});

test('the CLI says which package to install', () => {
  const cli = spawnSync(process.execPath, [join(dir, 'node_modules', 'universal-members', 'cli.mjs'), 'export', '--db', 'sqlite:./x.db'], {
    cwd: dir, encoding: 'utf8', timeout: 30_000,
  });
  assert.equal(cli.status, 2);
  assert.match(cli.stderr, /the sqlite driver needs the npm package better-sqlite3: npm i better-sqlite3/);
});
