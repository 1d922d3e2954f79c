// The contract: schemathesis (installed into .venv/ by scripts/setup.sh) runs against
// a real `serve` process on a fresh SQLite database with the demo members, reading
// the served /openapi.json, with every check on, a fixed seed, the admin key and a
// member session where the document asks for them. Every disagreement between the
// document and the server fails the test: a status code, header, content type or
// body the document does not describe, a schema-valid request refused or an
// invalid one accepted, a missing credential not answered 401, a wrong method
// not answered 405.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'pkg/cli.mjs');
const ST = join(ROOT, '.venv/bin/st');
const HERE = join(ROOT, 'tests/contract');
const CONFIG = join(HERE, 'schemathesis.toml');
/** Where the run leaves its JUnit report and the server's access log, to read after a failure. */
const OUT = join(ROOT, '.build/contract');
/** Fixed, so a failure found once is found again; CONTRACT_SEED tries another. */
const SEED = process.env.CONTRACT_SEED ?? '20261202';
/** Cases per operation and phase: enough for every check, within 3 minutes on 2 cores. */
const MAX_EXAMPLES = process.env.CONTRACT_MAX_EXAMPLES ?? '6';

/** Starts `serve` on a free port; resolves with `{ baseUrl, child, log }` once it serves. */
function serve(dir, adminKey) {
  const env = { ...process.env };
  for (const name of ['MEMBERS_ADMIN_KEY', 'MEMBERS_DATABASE_URL', 'MEMBERS_CORS_ORIGINS']) delete env[name];
  Object.assign(env, {
    MEMBERS_MAILBOX: join(dir, 'mailbox.jsonl'),
    // schemathesis logs in again after each logout: no lockout of its own address.
    MEMBERS_LOGIN_LIMIT_PER_ADDRESS: '1000000',
    MEMBERS_LOGIN_LIMIT_PER_EMAIL: '1000000',
  });
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1',
    '--db', `sqlite:${join(dir, 'members.db')}`, `--admin-key=${adminKey}`, '--demo'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  let partial = '';
  let errors = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => { errors += chunk; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "serving" line within 30 s:\n${errors}`)), 30_000);
    child.on('close', (code) => reject(new Error(`serve exited (${code}) before serving:\n${errors}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop();
      for (const line of lines) {
        log.push(line);
        const serving = /^universal-members: serving (http:\/\/\S+)$/.exec(line);
        if (serving) {
          clearTimeout(timer);
          resolve({ baseUrl: serving[1], child, log });
        }
      }
    });
  });
}

/** Registers a member over REST; returns its session token. */
async function register(baseUrl, email, password) {
  const response = await fetch(`${baseUrl}/members/v1/auth/register`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  assert.equal(typeof body.sessionToken, 'string', 'register answers a session');
  return body.sessionToken;
}

/** Runs `st` with `args`; resolves with `{ code, output }`, echoing the output. */
function schemathesis(args, env) {
  const child = spawn(ST, args, { cwd: tmpdir(), env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
  }
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

test('schemathesis finds no disagreement between /openapi.json and the server', { timeout: 10 * 60_000 }, async () => {
  assert.ok(existsSync(ST), `${ST} is missing: run make setup`);
  const dir = mkdtempSync(join(tmpdir(), 'members-contract-'));
  mkdirSync(OUT, { recursive: true });
  const adminKey = randomBytes(24).toString('base64url');
  const server = await serve(dir, adminKey);
  try {
    const password = 'contract horse battery';
    const email = 'contract.member@example.com';
    await register(server.baseUrl, email, password);
    const started = Date.now();
    const { code, output } = await schemathesis([
      '--config-file', CONFIG, 'run', `${server.baseUrl}/openapi.json`,
      '--checks', 'all', '--seed', SEED, '--max-examples', MAX_EXAMPLES,
      '--workers', '1', '--no-color', '--report', 'junit', '--report-junit-path', join(OUT, 'junit.xml'),
    ], {
      SCHEMATHESIS_HOOKS: 'hooks',
      PYTHONPATH: HERE,
      CONTRACT_BASE_URL: server.baseUrl,
      CONTRACT_ADMIN_KEY: adminKey,
      CONTRACT_MEMBER_EMAIL: email,
      CONTRACT_MEMBER_PASSWORD: password,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    const cases = /(\d+) generated/.exec(output)?.[1];
    console.log(`contract: schemathesis ran ${cases ?? '?'} cases in ${seconds} s (seed ${SEED}, exit ${code})`);
    assert.match(output, /Tested: \d+/, 'schemathesis tested the operations');
    assert.equal(code, 0, 'schemathesis reported failures (above)');
  } finally {
    writeFileSync(join(OUT, 'server.log'), `${server.log.join('\n')}\n`);
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
