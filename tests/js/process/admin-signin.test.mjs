// Admin sign-in for pages (SPEC §10, issue 11) against a real `universal-members
// serve` process, with raw fetch: POST /members/v1/auth/admin-login sets an
// HttpOnly, SameSite=Strict, 12 h `members_admin` cookie holding a random token
// (never the key), stored hashed, surviving a restart; requests with it are admin
// under the CSRF rule; wrong keys are limited per address; admin-logout ends it;
// the key and the token never reach an answer, a page-readable cookie or the log.
// Also the server's email-verification policy (flag, environment, bad values) and
// verify-email over REST in cookie mode.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, readMailbox, CLI } from '../helpers.mjs';

const AUTH = '/members/v1/auth';
const BASE = '/members/v1/members';
const FOREIGN = 'https://evil.example';
const CORS_ORIGIN = 'https://app.example';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Every secret the tests see, and every server they start: searched in the logs at the end.
const secrets = new Set();
const servers = [];
const dirs = [];
process.on('exit', () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function keep(value) {
  if (typeof value === 'string' && value.length > 0) secrets.add(value);
  return value;
}

let counter = 0;
const newEmail = (prefix = 'admin') => `${prefix}.${(counter += 1)}.${randomBytes(3).toString('hex')}@example.com`;
const newPassword = () => keep(`Pw-${randomBytes(12).toString('base64url')}-9`);
const newKey = () => keep(`key-${randomBytes(24).toString('base64url')}`);

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'members-adminsignin-'));
  dirs.push(dir);
  return dir;
}

/** startServer on a SQLite file of its own (or `database`), with a mailbox; remembered for the log check. */
async function serve({ env = {}, database, adminKey = newKey(), args = [] } = {}) {
  const dir = tempDir();
  const mailbox = join(dir, 'mailbox.jsonl');
  const server = await startServer({
    database: database ?? `sqlite:${join(dir, 'members.db')}`,
    adminKey,
    env: { MEMBERS_MAILBOX: mailbox, ...env },
    args,
  });
  server.mailbox = mailbox;
  servers.push(server);
  return server;
}

/** Parsed Set-Cookie headers: `{ name: { value, attributes: { lowercased: value | true }, line } }`. */
function cookiesOf(headers) {
  const out = {};
  for (const line of headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const attributes = {};
    for (const attr of attrs) {
      const i = attr.indexOf('=');
      attributes[(i < 0 ? attr : attr.slice(0, i)).toLowerCase()] = i < 0 ? true : attr.slice(i + 1);
    }
    out[pair.slice(0, eq)] = { value: pair.slice(eq + 1), attributes, line };
  }
  return out;
}

/**
 * One request with plain fetch → `{ status, headers, text, body, cookies }`.
 * `adminCookie` / `sessionCookie` send the members_admin / members_session
 * cookies, `bearer` a session token, `admin` the key as Authorization, `origin`
 * an Origin header, `cookieMode` the `x-members-session: cookie` header.
 */
async function call(on, method, path, { body, adminCookie, sessionCookie, bearer, admin = false, origin, cookieMode = false, headers = {} } = {}) {
  const sent = { ...headers };
  if (bearer !== undefined) sent.authorization = `Bearer ${bearer}`;
  if (admin) sent.authorization = on.adminKey;
  const cookies = [];
  if (adminCookie !== undefined) cookies.push(`members_admin=${adminCookie}`);
  if (sessionCookie !== undefined) cookies.push(`members_session=${sessionCookie}`);
  if (cookies.length > 0) sent.cookie = cookies.join('; ');
  if (origin !== undefined) sent.origin = origin;
  if (cookieMode) sent['x-members-session'] = 'cookie';
  let payload;
  if (body !== undefined) {
    sent['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(`${on.baseUrl}${path}`, { method, headers: sent, body: payload });
  const text = await response.text();
  let parsed;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed, cookies: cookiesOf(response.headers) };
}

const appCode = (response) => response.body?.details?.applicationError?.code;
const isCleared = (c) => c !== undefined && (c.attributes['max-age'] === '0' || (c.attributes.expires && new Date(c.attributes.expires) < new Date()));

/** POST admin-login with `adminKey` (default the server's) from the server's own Origin. */
const adminLogin = (on, adminKey = on.adminKey, options = {}) =>
  call(on, 'POST', `${AUTH}/admin-login`, { body: { adminKey }, origin: on.baseUrl, ...options });

/** Signs in as admin → `{ token, cookie, response }`. */
async function signIn(on, options) {
  const response = await adminLogin(on, on.adminKey, options);
  assert.equal(response.status, 200, response.text);
  const cookie = response.cookies.members_admin ?? response.cookies['__Host-members_admin'];
  assert.ok(cookie, `members_admin is set: ${response.headers.getSetCookie()}`);
  keep(cookie.value);
  return { token: cookie.value, cookie, response };
}

/** `{ admin }` of GET admin-session with the cookie `token` (or none). */
async function adminSession(on, token) {
  const response = await call(on, 'GET', `${AUTH}/admin-session`, { adminCookie: token });
  assert.equal(response.status, 200, response.text);
  return response.body;
}

/** Creates a member with the admin key; returns the wire member. */
async function createMember(on, member = {}) {
  const loginEmail = newEmail('made');
  const response = await call(on, 'POST', BASE, { admin: true, body: { member: { loginEmail, ...member } } });
  assert.equal(response.status, 200, response.text);
  return { ...response.body.member, loginEmail };
}

/** How many members have this login email (asked with the admin key). */
async function countByEmail(on, loginEmail) {
  const response = await call(on, 'POST', `${BASE}/query`, { admin: true, body: { query: { filter: { loginEmail } } } });
  assert.equal(response.status, 200, response.text);
  return response.body.members.length;
}

/** Registers over REST (token in the body, or none when pending). */
async function register(on, prefix) {
  const email = newEmail(prefix);
  const password = newPassword();
  const response = await call(on, 'POST', `${AUTH}/register`, { body: { email, password } });
  assert.equal(response.status, 200, response.text);
  keep(response.body.sessionToken);
  return { email, password, response, id: response.body.member.id, token: response.body.sessionToken };
}

describe('admin-login', () => {
  let server;
  let hidden;
  before(async () => {
    server = await serve({ env: { MEMBERS_LOGIN_LIMIT_PER_ADDRESS: '1000' }, args: ['--cors-origin', CORS_ORIGIN] });
    hidden = await createMember(server, { privacyStatus: 'PRIVATE', profile: { nickname: 'Hidden Admin Test' } });
  });

  test('the right key: 200 {} and members_admin (HttpOnly, SameSite=Strict, Max-Age=43200, Path=/) holding a token, not the key', async () => {
    const { response, token, cookie } = await signIn(server);
    assert.deepEqual(response.body, {});
    assert.equal(cookie.attributes.httponly, true, cookie.line);
    assert.equal(String(cookie.attributes.samesite).toLowerCase(), 'strict', cookie.line);
    assert.equal(cookie.attributes['max-age'], '43200', cookie.line);
    assert.equal(cookie.attributes.path, '/', cookie.line);
    assert.equal(cookie.attributes.secure, undefined, `no Secure over plain http: ${cookie.line}`);
    assert.ok(token.length >= 40, `a random token of 256 bits, got ${token.length} chars`);
    assert.notEqual(token, server.adminKey);
    assert.ok(!token.includes(server.adminKey) && !server.adminKey.includes(token), 'the token is not the key');
    assert.ok(!response.text.includes(server.adminKey), 'no key in the body');
    assert.ok(!response.text.includes(token), 'no token in the body');
    for (const line of response.headers.getSetCookie()) {
      assert.ok(!line.includes(server.adminKey), `a Set-Cookie holds the key: ${line}`);
      assert.ok(!line.includes(encodeURIComponent(server.adminKey)), 'url-encoded');
    }
    // Whatever a page can read holds neither.
    for (const [name, c] of Object.entries(response.cookies)) {
      if (c.attributes.httponly === true) continue;
      assert.ok(!c.value.includes(token) && !c.value.includes(server.adminKey), `the page-readable cookie ${name} holds a secret`);
    }
    const again = await signIn(server);
    assert.notEqual(again.token, token, 'every sign-in gets its own token');
  });

  test('over https (x-forwarded-proto) the cookie is Secure and __Host- prefixed', async () => {
    const { cookie } = await signIn(server, {
      origin: server.baseUrl.replace(/^http:/, 'https:'), headers: { 'x-forwarded-proto': 'https' },
    });
    assert.match(cookie.line, /^__Host-members_admin=/, cookie.line);
    assert.equal(cookie.attributes.path, '/', cookie.line);
    assert.equal(cookie.attributes.domain, undefined, cookie.line);
    assert.equal(cookie.attributes.secure, true, cookie.line);
    assert.equal(cookie.attributes.httponly, true, cookie.line);
    assert.equal(String(cookie.attributes.samesite).toLowerCase(), 'strict', cookie.line);
  });

  test('with the cookie: admin-session says so; GETs are admin; writes from the site or a CORS origin are admin', async () => {
    const { token } = await signIn(server);
    assert.deepEqual(await adminSession(server, token), { admin: true });
    assert.deepEqual(await adminSession(server, undefined), { admin: false });
    assert.deepEqual(await adminSession(server, randomBytes(32).toString('base64url')), { admin: false });

    const read = await call(server, 'GET', `${BASE}/${hidden.id}?fieldsets=FULL`, { adminCookie: token });
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.member.loginEmail, hidden.loginEmail);
    const asVisitor = await call(server, 'GET', `${BASE}/${hidden.id}`);
    assert.equal(asVisitor.status, 404, 'control: a visitor does not see the private member');

    const queryBody = { query: { filter: { 'profile.nickname': 'Hidden Admin Test' } }, fieldsets: ['FULL'] };
    for (const origin of [server.baseUrl, CORS_ORIGIN]) {
      const query = await call(server, 'POST', `${BASE}/query`, { adminCookie: token, origin, body: queryBody });
      assert.equal(query.status, 200, `origin ${origin}: ${query.text}`);
      assert.deepEqual(query.body.members.map((m) => m.id), [hidden.id], `origin ${origin}: the admin sees the PRIVATE member`);
    }
    const visitorQuery = await call(server, 'POST', `${BASE}/query`, { origin: server.baseUrl, body: queryBody });
    assert.equal(visitorQuery.status, 200, visitorQuery.text);
    assert.deepEqual(visitorQuery.body.members, [], 'control: a visitor does not');

    const loginEmail = newEmail('by-cookie');
    const created = await call(server, 'POST', BASE, { adminCookie: token, origin: server.baseUrl, body: { member: { loginEmail } } });
    assert.equal(created.status, 200, created.text);
    assert.equal(await countByEmail(server, loginEmail), 1);
  });

  test('a write with the cookie from a foreign Origin, "null" or none: 403 CSRF_REJECTED, nothing changed', async () => {
    const { token } = await signIn(server);
    const loginEmail = newEmail('csrf');
    for (const origin of [FOREIGN, 'null', undefined, `${server.baseUrl}.evil.example`]) {
      const what = `origin ${origin}`;
      const attempts = [
        await call(server, 'POST', BASE, { adminCookie: token, origin, body: { member: { loginEmail } } }),
        await call(server, 'POST', `${BASE}/query`, { adminCookie: token, origin, body: { query: {}, fieldsets: ['FULL'] } }),
        await call(server, 'PATCH', `${BASE}/${hidden.id}`, { adminCookie: token, origin, body: { member: { id: hidden.id, profile: { title: 'csrf' } } } }),
        await call(server, 'DELETE', `${BASE}/${hidden.id}`, { adminCookie: token, origin }),
        await call(server, 'POST', `${AUTH}/admin-logout`, { adminCookie: token, origin, body: {} }),
      ];
      for (const response of attempts) {
        assert.equal(response.status, 403, `${what}: ${response.status} ${response.text}`);
        assert.equal(appCode(response), 'CSRF_REJECTED', `${what}: ${response.text}`);
        assert.ok(!response.text.includes(hidden.loginEmail), `${what}: nothing of the private member`);
      }
    }
    assert.equal(await countByEmail(server, loginEmail), 0, 'no member was created');
    const still = await call(server, 'GET', `${BASE}/${hidden.id}?fieldsets=FULL`, { admin: true });
    assert.equal(still.status, 200, 'not deleted');
    assert.notEqual(still.body.member.profile.title, 'csrf', 'not updated');
    assert.deepEqual(await adminSession(server, token), { admin: true }, 'not logged out');
  });

  test('with an Authorization header the cookie does not count (a Bearer request is that member)', async () => {
    const { token } = await signIn(server);
    const member = await register(server, 'bearer');
    const read = await call(server, 'GET', `${BASE}/${hidden.id}`, { adminCookie: token, bearer: member.token });
    assert.equal(read.status, 404, read.text);
    const mine = await call(server, 'GET', `${BASE}/my?fieldsets=FULL`, { adminCookie: token, bearer: member.token });
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.body.member.id, member.id);
  });

  test('a wrong key is 401 INVALID_ADMIN_KEY, sets no cookie and quotes nothing', async () => {
    for (const wrong of [`${server.adminKey}x`, server.adminKey.slice(0, -1), newKey(), `Bearer ${server.adminKey}`]) {
      const response = await adminLogin(server, wrong);
      assert.equal(response.status, 401, response.text);
      assert.equal(appCode(response), 'INVALID_ADMIN_KEY', response.text);
      assert.ok(!response.cookies.members_admin?.value, `no admin cookie: ${response.headers.getSetCookie()}`);
      assert.ok(!response.text.includes(wrong) && !response.text.includes(server.adminKey), 'no key quoted back');
    }
  });

  test('admin-logout clears the cookie and the token is no longer admin (other sign-ins go on)', async () => {
    const { token } = await signIn(server);
    const other = await signIn(server);
    const out = await call(server, 'POST', `${AUTH}/admin-logout`, { adminCookie: token, origin: server.baseUrl, body: {} });
    assert.equal(out.status, 200, out.text);
    assert.ok(isCleared(out.cookies.members_admin), `members_admin cleared: ${out.headers.getSetCookie()}`);
    assert.ok(!out.text.includes(token));

    assert.deepEqual(await adminSession(server, token), { admin: false });
    const read = await call(server, 'GET', `${BASE}/${hidden.id}`, { adminCookie: token });
    assert.equal(read.status, 404, `the old cookie reads as a visitor: ${read.text}`);
    const loginEmail = newEmail('after-logout');
    const write = await call(server, 'POST', BASE, { adminCookie: token, origin: server.baseUrl, body: { member: { loginEmail } } });
    assert.ok(write.status === 401 || write.status === 403, `the old cookie can not create members: ${write.status} ${write.text}`);
    assert.equal(await countByEmail(server, loginEmail), 0);
    assert.deepEqual(await adminSession(server, other.token), { admin: true }, 'another sign-in is not ended');
  });

  test('a server without an admin key refuses every key the same way', async () => {
    const plain = await serve({ adminKey: null });
    const response = await adminLogin(plain, newKey());
    assert.equal(response.status, 401, response.text);
    assert.equal(appCode(response), 'INVALID_ADMIN_KEY');
    assert.ok(!response.cookies.members_admin?.value);
  });
});

describe('wrong keys are limited per address', () => {
  test('after MEMBERS_LOGIN_LIMIT_PER_ADDRESS wrong keys: 429 with Retry-After and no cookie', async () => {
    const server = await serve({ env: { MEMBERS_LOGIN_LIMIT_PER_ADDRESS: '3', MEMBERS_LOGIN_WINDOW_SECONDS: '3600' } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await adminLogin(server, newKey())).status);
    assert.deepEqual(statuses, [401, 401, 401]);
    const limited = await adminLogin(server, newKey());
    assert.equal(limited.status, 429, limited.text);
    assert.equal(appCode(limited), 'RATE_LIMITED', limited.text);
    const retryAfter = limited.headers.get('retry-after');
    assert.match(retryAfter ?? '', /^\d+$/, `Retry-After: ${retryAfter}`);
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 3600, `Retry-After ${retryAfter}`);
    assert.ok(!limited.cookies.members_admin?.value);
    // Another server (its own database) counts its own.
    const elsewhere = await serve();
    assert.equal((await adminLogin(elsewhere, newKey())).status, 401);
  });
});

describe('the cookie is stored, hashed, in the database', () => {
  test('it survives a restart on the same SQLite file, works in a second process, and the file never holds the token', async () => {
    const dir = tempDir();
    const file = join(dir, 'members.db');
    const database = `sqlite:${file}`;
    const adminKey = newKey();
    const first = await serve({ database, adminKey });
    const hidden = await createMember(first, { privacyStatus: 'PRIVATE' });
    const { token } = await signIn(first);
    assert.deepEqual(await adminSession(first, token), { admin: true });

    const second = await serve({ database, adminKey });
    assert.deepEqual(await adminSession(second, token), { admin: true }, 'another process on the database knows it');
    await first.stop();
    await second.stop();

    const restarted = await serve({ database, adminKey });
    assert.deepEqual(await adminSession(restarted, token), { admin: true }, 'after a restart');
    const read = await call(restarted, 'GET', `${BASE}/${hidden.id}?fieldsets=FULL`, { adminCookie: token });
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.member.loginEmail, hidden.loginEmail);
    await restarted.stop();

    const files = readdirSync(dir).filter((name) => name.startsWith('members.db'));
    assert.ok(files.includes('members.db'));
    for (const name of files) {
      const bytes = readFileSync(join(dir, name));
      assert.equal(bytes.indexOf(Buffer.from(token)), -1, `${name} holds the admin token`);
      assert.equal(bytes.indexOf(Buffer.from(adminKey)), -1, `${name} holds the admin key`);
    }
  });
});

describe('the email-verification policy of the server', () => {
  /** The mail to `to` in the server's mailbox, once there. */
  async function mailTo(on, to, ms = 5000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = readMailbox(on.mailbox).filter((m) => m.to === to);
      if (found.length > 0) return found.at(-1);
      if (Date.now() > deadline) assert.fail(`no mail to ${to} within ${ms} ms`);
      await sleep(20);
    }
  }

  test('serve --email-verification required: register PENDING, login EMAIL_NOT_VERIFIED; verify-email (cookie mode) sets the session cookie', async () => {
    const server = await serve({ args: ['--email-verification', 'required'] });
    const user = await register(server, 'flag');
    assert.equal(user.response.body.status, 'PENDING');
    assert.equal(user.response.body.sessionToken, undefined);
    assert.equal(user.response.cookies.members_session, undefined);
    const login = await call(server, 'POST', `${AUTH}/login`, { body: { email: user.email, password: user.password } });
    assert.equal(login.status, 403, login.text);
    assert.equal(appCode(login), 'EMAIL_NOT_VERIFIED');

    const mail = await mailTo(server, user.email);
    assert.match(mail.code ?? '', /^\d{6}$/, mail.text);
    keep(mail.code);
    keep(mail.token);
    assert.ok(mail.text.includes(`Your code: ${mail.code}`), mail.text);
    assert.ok(mail.text.includes(`${server.baseUrl}/account/my-account#verify=${mail.token}`), mail.text);
    assert.equal(typeof mail.html, 'string');
    assert.ok(mail.html.length > 0, 'an HTML body');

    const body = { codeOrToken: mail.code, email: user.email };
    const foreign = await call(server, 'POST', `${AUTH}/verify-email`, { body, cookieMode: true, origin: FOREIGN });
    assert.equal(foreign.status, 403, foreign.text);
    assert.equal(appCode(foreign), 'CSRF_REJECTED');

    const verified = await call(server, 'POST', `${AUTH}/verify-email`, { body, cookieMode: true, origin: server.baseUrl });
    assert.equal(verified.status, 200, verified.text);
    assert.equal(verified.body.status, 'ACTIVE');
    assert.equal(verified.body.member.id, user.id);
    assert.equal(verified.body.sessionToken, undefined, 'cookie mode: no token in the body');
    const session = verified.cookies.members_session;
    assert.ok(session?.value, `members_session set: ${verified.headers.getSetCookie()}`);
    keep(session.value);
    assert.equal(session.attributes.httponly, true, session.line);
    assert.ok(!verified.text.includes(session.value));
    const mine = await call(server, 'GET', `${BASE}/my?fieldsets=FULL`, { sessionCookie: session.value });
    assert.equal(mine.body?.member?.id, user.id, mine.text);
    assert.equal(mine.body.member.loginEmailVerified, true);

    // A link token, in token mode, needs no email.
    const second = await register(server, 'flag-link');
    const link = await mailTo(server, second.email);
    keep(link.code);
    keep(link.token);
    const byLink = await call(server, 'POST', `${AUTH}/verify-email`, { body: { codeOrToken: link.token } });
    assert.equal(byLink.status, 200, byLink.text);
    assert.equal(typeof keep(byLink.body.sessionToken), 'string');
    const again = await call(server, 'POST', `${AUTH}/verify-email`, { body: { codeOrToken: link.token } });
    assert.equal(again.status, 400, again.text);
    assert.equal(appCode(again), 'VERIFICATION_INVALID');

    const unknown = await call(server, 'POST', `${AUTH}/send-verification-email`, { body: { email: newEmail('nobody') } });
    assert.equal(unknown.status, 200, unknown.text);
    assert.deepEqual(unknown.body, { accepted: true });
  });

  test('MEMBERS_EMAIL_VERIFICATION=required does the same; unset is off', async () => {
    const required = await serve({ env: { MEMBERS_EMAIL_VERIFICATION: 'required' } });
    assert.equal((await register(required, 'env')).response.body.status, 'PENDING');
    const off = await serve();
    const user = await register(off, 'env-off');
    assert.equal(user.response.body.status, 'ACTIVE');
    assert.equal(typeof user.token, 'string');
  });

  test('an unknown value, by flag or environment, is a usage error (exit 2) naming it', () => {
    const dir = tempDir();
    const base = [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--db', `sqlite:${join(dir, 'members.db')}`];
    const env = { ...process.env };
    delete env.MEMBERS_EMAIL_VERIFICATION;
    for (const [args, extra] of [[['--email-verification', 'sometimes'], {}], [[], { MEMBERS_EMAIL_VERIFICATION: 'sometimes' }]]) {
      const run = spawnSync(process.execPath, [...base, ...args], { env: { ...env, ...extra }, encoding: 'utf8', timeout: 15_000 });
      const what = `${args.join(' ') || JSON.stringify(extra)}: exit ${run.status} (${run.signal})\n${run.stderr}`;
      assert.equal(run.status, 2, what);
      assert.match(run.stderr, /sometimes/, what);
      assert.match(run.stderr, /email-verification|EMAIL_VERIFICATION|emailVerification/i, what);
    }
  });
});

describe('REST without a session', () => {
  test('POST /auth/logout and the session routes are 401 UNAUTHENTICATED for a visitor', async () => {
    const server = await serve();
    for (const [method, path] of [['POST', `${AUTH}/logout`], ['GET', `${AUTH}/sessions`], ['POST', `${AUTH}/sessions/revoke-others`]]) {
      const response = await call(server, method, path, { body: method === 'POST' ? {} : undefined, origin: server.baseUrl });
      assert.equal(response.status, 401, `${method} ${path}: ${response.text}`);
    }
  });
});

// Last: every server of this file, with every secret used above.
test('no server log (stdout, stderr) holds an admin key, admin token, session token, code or link token; the access log is METHOD /path STATUS ms', async () => {
  assert.ok(secrets.size >= 10, `secrets collected: ${secrets.size}`);
  await sleep(200);
  const ACCESS = /^(GET|HEAD|POST|PATCH|PUT|DELETE|OPTIONS) \/\S* \d{3} \d+(\.\d+)?ms$/;
  for (const server of servers) {
    const log = `${server.lines.join('\n')}\n${server.stderr()}`;
    assert.ok(server.lines.length > 1, 'the access log was written');
    for (const secret of secrets) {
      assert.ok(!log.includes(secret), `the log of ${server.baseUrl} holds a secret ${secret.slice(0, 6)}…`);
      assert.ok(!log.includes(encodeURIComponent(secret)), 'url-encoded');
    }
    for (const line of server.lines) {
      if (line.startsWith('universal-members:')) continue;
      assert.match(line, ACCESS, `an access log line is more than METHOD /path STATUS ms: ${line}`);
    }
  }
});
