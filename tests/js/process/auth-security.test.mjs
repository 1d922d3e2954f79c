// Authentication security against a real `universal-members serve` process, with
// raw fetch (docs/auth-contract.md, SPEC §10): cookie mode and its attributes,
// CSRF on cookie-authenticated writes, the login rate limit (also across two
// processes on one SQLite file), identical answers for wrong password and
// unknown email, and secrets: no password, session token or set-password token in
// the logs, only hashes in the database (a stolen hash opens nothing), Argon2id
// PHC hashes outside the members table and never in an API answer.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { startServer, readMailbox, CLI } from '../helpers.mjs';

const AUTH = '/members/v1/auth';
const BASE = '/members/v1/members';
const FOREIGN = 'https://evil.example';
const PHC = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Every secret the tests use, and every server they start: searched in the logs at the end.
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
const newEmail = (prefix = 'sec') => `${prefix}.${(counter += 1)}.${randomBytes(3).toString('hex')}@example.com`;
const newPassword = () => keep(`Pw-${randomBytes(12).toString('base64url')}-9`);

/** A temp folder removed when the process exits. */
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'members-authsec-'));
  dirs.push(dir);
  return dir;
}

/** startServer on a SQLite file of its own (or `database`), with a mailbox; remembered for the log check. */
async function serve({ env = {}, database, args = [] } = {}) {
  const dir = tempDir();
  const mailbox = join(dir, 'mailbox.jsonl');
  const server = await startServer({
    database: database ?? `sqlite:${join(dir, 'members.db')}`,
    env: { MEMBERS_MAILBOX: mailbox, ...env },
    args,
  });
  server.mailbox = mailbox;
  server.dbPath = server.database.replace(/^sqlite:/, '');
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
 * `bearer` sends `Authorization: Bearer …`, `cookie` the members_session cookie,
 * `origin` an Origin header, `cookieMode` the `x-members-session: cookie` header.
 */
async function call(on, method, path, { body, bearer, cookie, origin, cookieMode = false, admin = false, headers = {} } = {}) {
  const sent = { ...headers };
  if (bearer !== undefined) sent.authorization = `Bearer ${bearer}`;
  if (admin) sent.authorization = on.adminKey;
  if (cookie !== undefined) sent.cookie = `members_session=${cookie}`;
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

/** Registers over REST (token in the body); returns `{ email, password, token, id }`. */
async function register(on, prefix) {
  const email = newEmail(prefix);
  const password = newPassword();
  const response = await call(on, 'POST', `${AUTH}/register`, { body: { email, password } });
  assert.equal(response.status, 200, response.text);
  assert.equal(response.body.status, 'ACTIVE');
  const token = keep(response.body.sessionToken);
  assert.equal(typeof token, 'string', response.text);
  return { email, password, token, id: response.body.member.id };
}

const login = (on, email, password, options = {}) => call(on, 'POST', `${AUTH}/login`, { body: { email, password }, ...options });

/** The member a request's credentials act as (FULL), or undefined for a visitor. */
async function currentMember(on, options) {
  const response = await call(on, 'GET', `${BASE}/my?fieldsets=FULL`, options);
  return { response, member: response.body?.member };
}

describe('cookie mode', () => {
  let server;
  let user;
  before(async () => {
    server = await serve({ args: ['--cors-origin', 'https://app.example'] });
    user = await register(server, 'cookie');
  });

  test('login sets members_session (HttpOnly, SameSite=Lax, Path=/, Max-Age, no Secure over http) and no token in the body', async () => {
    const response = await login(server, user.email, user.password, { cookieMode: true, origin: server.baseUrl });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.member.id, user.id);
    assert.equal(response.body.sessionToken, undefined, 'no sessionToken in cookie mode');
    const session = response.cookies.members_session;
    assert.ok(session, `members_session is set: ${response.headers.getSetCookie()}`);
    keep(session.value);
    assert.ok(session.value.length >= 40, 'a 256-bit token');
    assert.ok(!response.text.includes(session.value), 'the token is not in the body');
    assert.equal(session.attributes.httponly, true, session.line);
    assert.equal(String(session.attributes.samesite).toLowerCase(), 'lax', session.line);
    assert.equal(session.attributes.path, '/', session.line);
    assert.equal(session.attributes['max-age'], '2592000', session.line);
    assert.equal(session.attributes.secure, undefined, `no Secure over plain http: ${session.line}`);

    const flag = response.cookies.members_logged_in;
    assert.ok(flag, 'the companion cookie is set');
    assert.equal(flag.value, '1');
    assert.equal(flag.attributes.httponly, undefined, `members_logged_in is readable by the page: ${flag.line}`);
    assert.equal(String(flag.attributes.samesite).toLowerCase(), 'lax');
    assert.equal(flag.attributes.path, '/');
    assert.ok(Number(flag.attributes['max-age']) > 0, flag.line);

    const { member } = await currentMember(server, { cookie: session.value });
    assert.equal(member?.id, user.id, 'the cookie is the session');
    assert.equal(member.loginEmail, user.email);
  });

  test('over https (x-forwarded-proto) the session cookies are Secure and __Host- prefixed', async () => {
    const httpsOrigin = server.baseUrl.replace(/^http:/, 'https:');
    const overHttps = { 'x-forwarded-proto': 'https' };
    const response = await login(server, user.email, user.password, { cookieMode: true, origin: httpsOrigin, headers: overHttps });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.cookies.members_session, undefined, 'no unprefixed cookie over https');
    const session = response.cookies['__Host-members_session'];
    assert.ok(session, response.headers.getSetCookie().join(' | '));
    keep(session.value);
    assert.equal(session.attributes.secure, true, session.line);
    assert.equal(session.attributes.httponly, true, session.line);
    assert.equal(session.attributes.path, '/', session.line);
    assert.equal(session.attributes.domain, undefined, session.line);
    assert.equal(response.cookies['__Host-members_logged_in']?.value, '1');
    // The prefixed cookie is the session over https; a bare one (which a sibling
    // subdomain could have planted) is not.
    const prefixed = await call(server, 'GET', `${BASE}/my?fieldsets=FULL`, { headers: { ...overHttps, cookie: `__Host-members_session=${session.value}` } });
    assert.equal(prefixed.body?.member?.id, user.id, prefixed.text);
    const bare = await call(server, 'GET', `${BASE}/my?fieldsets=FULL`, { headers: { ...overHttps, cookie: `members_session=${session.value}` } });
    assert.equal(bare.body?.member, undefined, `a bare cookie is no session over https: ${bare.text}`);
  });

  test('register in cookie mode sets the cookies, not sessionToken', async () => {
    const email = newEmail('cookie-reg');
    const password = newPassword();
    const response = await call(server, 'POST', `${AUTH}/register`, { body: { email, password }, cookieMode: true, origin: server.baseUrl });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.status, 'ACTIVE');
    assert.equal(response.body.sessionToken, undefined);
    const session = response.cookies.members_session;
    assert.ok(session, 'members_session set on register');
    keep(session.value);
    assert.equal(session.attributes.httponly, true);
    assert.equal(response.cookies.members_logged_in?.value, '1');
    assert.equal((await currentMember(server, { cookie: session.value })).member?.loginEmail, email);
  });

  test('without the header the token is in the body and no cookie is set', async () => {
    const response = await login(server, user.email, user.password, { origin: server.baseUrl });
    assert.equal(response.status, 200, response.text);
    keep(response.body.sessionToken);
    assert.equal(typeof response.body.sessionToken, 'string');
    assert.deepEqual(response.headers.getSetCookie(), []);
  });

  test('a cookie-mode login from a foreign Origin (or none) is refused: 403 CSRF_REJECTED, no cookie', async () => {
    for (const origin of [FOREIGN, undefined, 'null', `${server.baseUrl}.evil.example`]) {
      const response = await login(server, user.email, user.password, { cookieMode: true, origin });
      assert.equal(response.status, 403, `origin ${origin}: ${response.status} ${response.text}`);
      assert.equal(appCode(response), 'CSRF_REJECTED', `origin ${origin}: ${response.text}`);
      assert.ok(!response.cookies.members_session?.value, `origin ${origin}: no session cookie (${response.headers.getSetCookie()})`);
    }
  });

  describe('CSRF on cookie-authenticated writes', () => {
    let token;
    const slugOf = async () => (await currentMember(server, { bearer: token })).member.profile.slug;
    const privacyOf = async () => (await currentMember(server, { bearer: token })).member.privacyStatus;

    before(async () => {
      const response = await login(server, user.email, user.password, { cookieMode: true, origin: server.baseUrl });
      token = keep(response.cookies.members_session.value);
    });

    test('a foreign Origin, no Origin or "null": 403 CSRF_REJECTED and nothing changed', async () => {
      const slug = await slugOf();
      for (const origin of [FOREIGN, undefined, 'null', server.baseUrl.replace('127.0.0.1', 'localhost')]) {
        const what = `origin ${origin}`;
        const bySlug = await call(server, 'POST', `${BASE}/my/slug`, { cookie: token, origin, body: { slug: `csrf-${randomBytes(3).toString('hex')}` } });
        assert.equal(bySlug.status, 403, `${what}: ${bySlug.text}`);
        assert.equal(appCode(bySlug), 'CSRF_REJECTED', `${what}: ${bySlug.text}`);
        const leave = await call(server, 'POST', `${BASE}/leave-community`, { cookie: token, origin, body: {} });
        assert.equal(leave.status, 403, `${what}: ${leave.text}`);
        assert.equal(appCode(leave), 'CSRF_REJECTED');
        const patch = await call(server, 'PATCH', `${BASE}/${user.id}`, { cookie: token, origin, body: { member: { id: user.id, profile: { title: 'csrf' } } } });
        assert.equal(patch.status, 403, `${what}: ${patch.text}`);
        assert.equal(appCode(patch), 'CSRF_REJECTED');
        const remove = await call(server, 'DELETE', `${BASE}/my`, { cookie: token, origin });
        assert.equal(remove.status, 403, `${what}: ${remove.text}`);
        assert.equal(appCode(remove), 'CSRF_REJECTED');
        const logout = await call(server, 'POST', `${AUTH}/logout`, { cookie: token, origin, cookieMode: true });
        assert.equal(logout.status, 403, `${what}: logout ${logout.text}`);
      }
      assert.equal(await slugOf(), slug, 'slug unchanged');
      assert.equal(await privacyOf(), 'PUBLIC', 'still in the community');
      const { member } = await currentMember(server, { bearer: token });
      assert.notEqual(member.profile.title, 'csrf');
      assert.equal((await currentMember(server, { cookie: token })).member?.id, user.id, 'the session still works (no logout)');
    });

    test('the same origin, or a CORS origin: 200', async () => {
      const slug = `same-${randomBytes(3).toString('hex')}`;
      const bySlug = await call(server, 'POST', `${BASE}/my/slug`, { cookie: token, origin: server.baseUrl, body: { slug } });
      assert.equal(bySlug.status, 200, bySlug.text);
      assert.equal(await slugOf(), slug);
      const leave = await call(server, 'POST', `${BASE}/leave-community`, { cookie: token, origin: 'https://app.example', body: {} });
      assert.equal(leave.status, 200, leave.text);
      assert.equal(await privacyOf(), 'PRIVATE');
      const join = await call(server, 'POST', `${BASE}/join-community`, { cookie: token, origin: server.baseUrl, body: {} });
      assert.equal(join.status, 200, join.text);
      assert.equal(await privacyOf(), 'PUBLIC');
    });

    test('Bearer needs no Origin (and a foreign one does not matter)', async () => {
      for (const origin of [undefined, FOREIGN]) {
        const slug = `bearer-${randomBytes(3).toString('hex')}`;
        const response = await call(server, 'POST', `${BASE}/my/slug`, { bearer: token, origin, body: { slug } });
        assert.equal(response.status, 200, `origin ${origin}: ${response.text}`);
        assert.equal(await slugOf(), slug);
      }
    });
  });

  test('logout in cookie mode clears the cookies; the old cookie is a visitor and gets them cleared; as Bearer it is 401', async () => {
    const loggedIn = await login(server, user.email, user.password, { cookieMode: true, origin: server.baseUrl });
    const token = keep(loggedIn.cookies.members_session.value);
    const out = await call(server, 'POST', `${AUTH}/logout`, { cookie: token, origin: server.baseUrl, cookieMode: true });
    assert.equal(out.status, 200, out.text);
    const isCleared = (c) => c !== undefined && (c.value === '' || c.attributes['max-age'] === '0' || (c.attributes.expires && new Date(c.attributes.expires) < new Date()));
    assert.ok(isCleared(out.cookies.members_session), `members_session cleared: ${out.headers.getSetCookie()}`);
    assert.ok(isCleared(out.cookies.members_logged_in), `members_logged_in cleared: ${out.headers.getSetCookie()}`);

    const stale = await currentMember(server, { cookie: token });
    assert.equal(stale.response.status, 200, stale.response.text);
    assert.equal(stale.member, undefined, 'a visitor');
    assert.ok(isCleared(stale.response.cookies.members_session), `the stale cookie is cleared: ${stale.response.headers.getSetCookie()}`);

    const bearer = await currentMember(server, { bearer: token });
    assert.equal(bearer.response.status, 401);
    assert.equal(appCode(bearer.response), 'SESSION_INVALID');
  });
});

describe('login rate limit (3 per email, 5 per address)', () => {
  const LIMITS = { MEMBERS_LOGIN_LIMIT_PER_EMAIL: '3', MEMBERS_LOGIN_LIMIT_PER_ADDRESS: '5', MEMBERS_LOGIN_WINDOW_SECONDS: '2' };
  // A window no test outlives, where a window edge must not reset the counters mid-test.
  const LONG = { ...LIMITS, MEMBERS_LOGIN_WINDOW_SECONDS: '3600' };

  test('3 wrong passwords, then even the right one is 429 RATE_LIMITED with Retry-After; after the window it works', async () => {
    const server = await serve({ env: LIMITS });
    const user = await register(server, 'limit');
    for (let i = 0; i < 3; i++) {
      const wrong = await login(server, user.email, keep(`wrong-${i}-${randomBytes(4).toString('hex')}`));
      assert.equal(wrong.status, 401, wrong.text);
    }
    const limited = await login(server, user.email, user.password);
    assert.equal(limited.status, 429, limited.text);
    assert.equal(appCode(limited), 'RATE_LIMITED');
    const retryAfter = limited.headers.get('retry-after');
    assert.match(retryAfter ?? '', /^\d+$/, `Retry-After: ${retryAfter}`);
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 2, `Retry-After ${retryAfter} within the 2 s window`);
    assert.equal(limited.body.details.applicationError.data.retryAfterSeconds, Number(retryAfter));
    assert.ok(!limited.text.includes(user.password));

    await sleep(Number(retryAfter) * 1000 + 300);
    const ok = await login(server, user.email, user.password);
    assert.equal(ok.status, 200, ok.text);
    keep(ok.body.sessionToken);
  });

  test('a successful login resets the email counter', async () => {
    const server = await serve({ env: LONG });
    const user = await register(server, 'reset');
    const statuses = [];
    for (const password of ['wrong-one-pass', 'wrong-two-pass', user.password, 'wrong-three-pass', 'wrong-four-pass', user.password]) {
      const response = await login(server, user.email, password);
      keep(response.body?.sessionToken);
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [401, 401, 200, 401, 401, 200]);
  });

  test('the per-address limit trips across different emails (also unknown ones)', async () => {
    const server = await serve({ env: LONG });
    const users = [];
    for (let i = 0; i < 4; i++) users.push(await register(server, `addr${i}`));
    const fresh = await register(server, 'addr-fresh');
    for (const user of users) assert.equal((await login(server, user.email, 'wrong-password-x')).status, 401);
    assert.equal((await login(server, newEmail('nobody'), 'wrong-password-y')).status, 401, '5th failure, an unknown email');
    const limited = await login(server, fresh.email, fresh.password);
    assert.equal(limited.status, 429, `an email with no failures, from the same address: ${limited.text}`);
    assert.equal(appCode(limited), 'RATE_LIMITED');
    assert.match(limited.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  });

  test('the counters are in the database: failures on server A count on server B (one SQLite file)', async () => {
    const a = await serve({ env: LONG });
    const b = await serve({ env: LONG, database: a.database });
    const user = await register(a, 'shared');
    assert.equal((await login(a, user.email, 'wrong-on-a-1')).status, 401);
    assert.equal((await login(a, user.email, 'wrong-on-a-2')).status, 401);
    assert.equal((await login(b, user.email, 'wrong-on-b-3')).status, 401);
    const onB = await login(b, user.email, user.password);
    assert.equal(onB.status, 429, `B sees A's failures: ${onB.text}`);
    const onA = await login(a, user.email, user.password);
    assert.equal(onA.status, 429, `A sees B's failure: ${onA.text}`);
  });
});

test('a wrong password and an unknown email get byte-identical answers', async () => {
  const server = await serve();
  const user = await register(server, 'same');
  const wrong = await login(server, user.email, `${user.password}x`);
  const unknown = await login(server, newEmail('nobody'), user.password);
  const noPassword = await call(server, 'POST', BASE, { admin: true, body: { member: { loginEmail: newEmail('nopass') } } });
  const unset = await login(server, noPassword.body.member.loginEmail, user.password);
  assert.equal(wrong.status, 401);
  assert.equal(appCode(wrong), 'INVALID_CREDENTIALS');
  assert.equal(unknown.status, wrong.status);
  assert.equal(unknown.text, wrong.text, 'byte-identical bodies');
  assert.equal(unset.text, wrong.text, 'a member without a password answers the same');
  assert.equal(unknown.headers.get('content-type'), wrong.headers.get('content-type'));
  assert.equal(unknown.headers.get('content-length'), wrong.headers.get('content-length'));
});

describe('secrets at rest and in answers (SQLite file)', () => {
  let server;
  let user;
  let other;
  const tokens = [];
  let setPasswordToken;

  before(async () => {
    server = await serve();
    user = await register(server, 'rest');
    tokens.push(user.token);
    const again = await login(server, user.email, user.password);
    tokens.push(keep(again.body.sessionToken));
    const ended = await login(server, user.email, user.password);
    tokens.push(keep(ended.body.sessionToken));
    assert.equal((await call(server, 'POST', `${AUTH}/logout`, { bearer: ended.body.sessionToken })).status, 200);
    const cookie = await login(server, user.email, user.password, { cookieMode: true, origin: server.baseUrl });
    tokens.push(keep(cookie.cookies.members_session.value));

    // A member made by an admin sets its password through the mailbox.
    const made = await call(server, 'POST', BASE, { admin: true, body: { member: { loginEmail: newEmail('made') } } });
    other = { email: made.body.member.loginEmail, id: made.body.member.id, password: newPassword() };
    assert.equal((await call(server, 'POST', `${AUTH}/members/send-set-password-email`, { body: { email: other.email } })).status, 200);
    let mail;
    for (let i = 0; i < 100 && !mail; i++) {
      mail = readMailbox(server.mailbox).find((m) => m.to === other.email);
      if (!mail) await sleep(20);
    }
    assert.ok(mail?.token, 'the set-password mail is in the mailbox');
    setPasswordToken = keep(mail.token);
    assert.equal((await call(server, 'POST', `${AUTH}/set-password`, { body: { token: setPasswordToken, password: other.password } })).status, 200);
    const otherLogin = await login(server, other.email, other.password);
    assert.equal(otherLogin.status, 200, otherLogin.text);
    tokens.push(keep(otherLogin.body.sessionToken));
    // Refused passwords are secrets too.
    assert.equal((await call(server, 'POST', `${AUTH}/register`, { body: { email: newEmail('short'), password: keep('Sh0rt!x') } })).status, 400);
    assert.equal((await call(server, 'POST', `${AUTH}/register`, { body: { email: newEmail('long'), password: keep(`L${'o'.repeat(255)}ng`) } })).status, 400);
    assert.equal((await login(server, user.email, keep('Wrong-Password-Here-1'))).status, 401);
  });

  /** Every row of every table: `[{ table, column, value }]` (values as stored). */
  function allCells() {
    const db = new Database(server.dbPath, { readonly: true, fileMustExist: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name);
      const cells = [];
      for (const table of tables) {
        for (const row of db.prepare(`SELECT * FROM "${table.replaceAll('"', '""')}"`).all()) {
          for (const [column, value] of Object.entries(row)) cells.push({ table, column, value });
        }
      }
      return { tables, cells };
    } finally {
      db.close();
    }
  }

  /** The text forms a stored value can be presented in. */
  const textForms = (value) => (Buffer.isBuffer(value)
    ? [value.toString('hex'), value.toString('base64url'), value.toString('base64'), value.toString('latin1')]
    : [String(value)]);

  /** The database file and its WAL, as raw bytes. */
  function fileBytes() {
    return ['', '-wal', '-journal'].map((suffix) => `${server.dbPath}${suffix}`).filter(existsSync).map((file) => readFileSync(file));
  }

  test('the sessions table holds hashes: presenting one (Bearer or cookie) opens nothing', async () => {
    const { tables, cells } = allCells();
    assert.ok(tables.includes('sessions'), `a sessions table: ${tables}`);
    const sessionCells = cells.filter((c) => c.table === 'sessions');
    assert.ok(sessionCells.length > 0, 'sessions are stored');
    // The hash column: stored strings/bytes that are neither ids nor dates nor numbers.
    const candidates = sessionCells.filter(({ value }) => (Buffer.isBuffer(value) && value.length >= 16)
      || (typeof value === 'string' && value.length >= 32 && !/^[0-9a-f-]{36}$/i.test(value) && Number.isNaN(Date.parse(value))));
    assert.ok(candidates.length > 0, `a hash column in sessions: ${[...new Set(sessionCells.map((c) => c.column))]}`);
    const live = user.token;
    assert.equal((await currentMember(server, { bearer: live })).member?.id, user.id, 'control: the real token works');
    for (const { column, value } of candidates) {
      for (const form of textForms(value)) {
        if (!/^[\x21-\x7e]+$/.test(form) || /[;,"\\]/.test(form)) continue;
        const bearer = await currentMember(server, { bearer: form });
        assert.equal(bearer.response.status, 401, `sessions.${column} as Bearer: ${bearer.response.text}`);
        assert.equal(bearer.member, undefined);
        const asCookie = await currentMember(server, { cookie: form });
        assert.equal(asCookie.member, undefined, `sessions.${column} as cookie opened a session`);
        const write = await call(server, 'POST', `${BASE}/my/slug`, { cookie: form, origin: server.baseUrl, body: { slug: 'stolen-hash' } });
        assert.ok(write.status === 401 || write.status === 403, `sessions.${column} as cookie wrote: ${write.status} ${write.text}`);
      }
    }
    assert.notEqual((await currentMember(server, { bearer: live })).member.profile.slug, 'stolen-hash');
  });

  test('no session token or set-password token is anywhere in the database (columns or file bytes)', () => {
    const { cells } = allCells();
    const raw = [...tokens, setPasswordToken];
    for (const token of raw) {
      for (const { table, column, value } of cells) {
        if (value === null || typeof value === 'number' || typeof value === 'bigint') continue;
        for (const form of textForms(value)) assert.ok(!form.includes(token), `${table}.${column} holds a raw token`);
      }
      const decoded = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url') : null;
      const hex = /^[0-9a-f]+$/i.test(token) && token.length % 2 === 0 ? Buffer.from(token, 'hex') : null;
      for (const bytes of fileBytes()) {
        assert.equal(bytes.indexOf(Buffer.from(token)), -1, 'the token text is in the database file');
        if (decoded && decoded.length >= 16) assert.equal(bytes.indexOf(decoded), -1, 'the token bytes (base64url-decoded) are in the file');
        if (hex && hex.length >= 16) assert.equal(bytes.indexOf(hex), -1, 'the token bytes (hex-decoded) are in the file');
      }
    }
  });

  test('passwords are Argon2id PHC strings (m=19456, t=2, p=1) outside the members table; no password in the file', () => {
    const { cells } = allCells();
    const hashes = cells.filter(({ value }) => typeof value === 'string' && value.startsWith('$argon2'));
    assert.ok(hashes.length >= 2, `both members' password hashes are stored: ${hashes.length}`);
    for (const { table, column, value } of hashes) {
      assert.match(value, PHC, `${table}.${column}`);
      assert.notEqual(table, 'members', 'the hash lives outside the members table');
    }
    assert.equal(new Set(hashes.map((h) => h.value)).size, hashes.length, 'salted: no two hashes alike');
    for (const { table, column, value } of cells.filter((c) => c.table === 'members')) {
      for (const form of textForms(value ?? '')) assert.ok(!form.includes('$argon2'), `members.${column} mentions a hash`);
    }
    for (const password of [user.password, other.password]) {
      for (const { table, column, value } of cells) {
        for (const form of textForms(value ?? '')) assert.ok(!form.includes(password), `${table}.${column} holds a password`);
      }
      for (const bytes of fileBytes()) assert.equal(bytes.indexOf(Buffer.from(password)), -1, 'a password is in the database file');
    }
  });

  test('no hash or password in any API answer (getMember FULL, list, query, my, login) or the CLI export', async () => {
    const { cells } = allCells();
    const hashes = cells.filter(({ value }) => typeof value === 'string' && value.startsWith('$argon2')).map((c) => c.value);
    const forbidden = [...hashes, '$argon2', user.password, other.password];
    const answers = [
      await call(server, 'GET', `${BASE}/${user.id}?fieldsets=FULL`, { admin: true }),
      await call(server, 'GET', `${BASE}/${other.id}?fieldsets=FULL`, { admin: true }),
      await call(server, 'GET', `${BASE}?fieldsets=FULL`, { admin: true }),
      await call(server, 'POST', `${BASE}/query`, { admin: true, body: { query: {}, fieldsets: ['FULL'] } }),
      await call(server, 'GET', `${BASE}/my?fieldsets=FULL`, { bearer: user.token }),
      await login(server, user.email, user.password),
    ];
    for (const answer of answers) {
      assert.equal(answer.status, 200, answer.text);
      keep(answer.body?.sessionToken);
      for (const secret of forbidden) assert.ok(!answer.text.includes(secret), `an answer holds ${secret.slice(0, 12)}…: ${answer.text.slice(0, 300)}`);
    }
    assert.ok(answers[0].text.includes(user.email), 'control: FULL has the login email');

    const exported = spawnSync(process.execPath, [CLI, 'export', '--db', server.database], { encoding: 'utf8' });
    assert.equal(exported.status, 0, exported.stderr);
    assert.ok(exported.stdout.includes(user.email), 'control: the export has the members');
    for (const secret of [...forbidden, ...tokens, setPasswordToken]) {
      assert.ok(!exported.stdout.includes(secret), `the export holds ${secret.slice(0, 12)}…`);
      assert.ok(!exported.stderr.includes(secret));
    }
  });
});

describe('review fixes', () => {
  test('a cookie-authenticated answer renews the cookie while the session lives, and clears it once setPassword ended it', async () => {
    const server = await serve();
    const user = await register(server, 'slide');
    const renewed = await call(server, 'GET', `${BASE}/my`, { cookie: user.token });
    assert.equal(renewed.status, 200, renewed.text);
    assert.equal(renewed.cookies.members_session?.value, user.token, 'the same token, set again');
    assert.equal(renewed.cookies.members_session?.attributes['max-age'], '2592000', 'for the full 30 days');
    const sent = await call(server, 'POST', `${AUTH}/members/send-set-password-email`, { body: { email: user.email } });
    assert.deepEqual(sent.body, { accepted: true });
    const mail = readMailbox(server.mailbox).find((m) => m.to === user.email);
    keep(mail.token);
    const reset = await call(server, 'POST', `${AUTH}/set-password`, {
      body: { token: mail.token, password: newPassword() }, cookie: user.token, origin: server.baseUrl,
    });
    assert.equal(reset.status, 200, reset.text);
    assert.equal(reset.cookies.members_session?.attributes['max-age'], '0', 'the ended session is not renewed');
    assert.equal(reset.cookies.members_logged_in?.attributes['max-age'], '0');
  });

  test('behind a trusted proxy the limit counts the address the proxy added, not what the client wrote', async () => {
    const server = await serve({ env: { MEMBERS_TRUST_PROXY: '1', MEMBERS_LOGIN_LIMIT_PER_ADDRESS: '2', MEMBERS_LOGIN_LIMIT_PER_EMAIL: '100' } });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const spoofed = { 'x-forwarded-for': `10.0.0.${i}, 203.0.113.5` };
      statuses.push((await login(server, newEmail('proxy'), 'wrong password', { headers: spoofed })).status);
    }
    assert.deepEqual(statuses, [401, 401, 429, 429]);
    const elsewhere = await login(server, newEmail('proxy'), 'wrong password', { headers: { 'x-forwarded-for': '198.51.100.9' } });
    assert.equal(elsewhere.status, 401, 'another client is not limited');
  });

  test('an absurd email is refused without being counted or stored', async () => {
    const server = await serve({ env: { MEMBERS_LOGIN_LIMIT_PER_ADDRESS: '2' } });
    const huge = `${'a'.repeat(200_000)}@example.com`;
    for (let i = 0; i < 4; i++) {
      const answer = await login(server, huge, 'wrong password');
      assert.equal(answer.status, 401, 'never 429: nothing was counted');
      assert.equal(appCode(answer), 'INVALID_CREDENTIALS');
    }
    // A real login after them, so the database exists and has one counted row.
    assert.equal((await login(server, newEmail('absurd'), 'wrong password')).status, 401);
    const db = new Database(server.dbPath, { readonly: true });
    const rows = db.prepare('SELECT count(*) AS n FROM login_failures').get().n;
    db.close();
    assert.equal(rows, 2, "the real login's address and email counters, nothing for the absurd ones");
  });

  test('the server says where account mail goes when there is no SMTP', async () => {
    const server = await serve();
    assert.equal((await call(server, 'GET', BASE)).status, 200);
    assert.match(server.stderr(), /no MEMBERS_SMTP_URL: account mail \(set-password links, verification codes, email-change notices\) goes to the development mailbox/);
  });
});

// Last: every server of this file, with every secret used above.
test('no server log (stdout, stderr) holds a password, session token or set-password token', async () => {
  assert.ok(secrets.size >= 10, `secrets collected: ${secrets.size}`);
  await sleep(200);
  for (const server of servers) {
    const log = `${server.lines.join('\n')}\n${server.stderr()}`;
    assert.ok(server.lines.length > 1, 'the access log was written');
    for (const secret of secrets) {
      assert.ok(!log.includes(secret), `the log of ${server.baseUrl} holds a secret ${secret.slice(0, 6)}…`);
      assert.ok(!log.includes(encodeURIComponent(secret)), 'url-encoded');
    }
  }
});
