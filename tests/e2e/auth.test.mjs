// The session in a real browser (Chromium via playwright-core) against a real
// server process on SQLite: one member's journey through the page's session panel
// (register, my profile, address, community, logout, login), the session cookie as
// the browser holds it, cross-site requests refused, the set-password mail through
// the development mailbox, manual approval, blocking and the login limit.
// Needs `make build` first (or MEMBERS_E2E_PKG naming a package folder).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT, startServer, launchBrowser, watchErrors, adminApi, call, serveHtml, tempDir,
} from './support.mjs';
import { showForm, messageBox } from './area-support.mjs';

const SCREENSHOT = path.join(ROOT, '.build', 'e2e-auth.png');
const PASSWORD = 'correct horse battery';
const THIRTY_DAYS = 30 * 24 * 3600;

let temp;
let server;
let baseUrl;
let admin;
let browser;
let mailbox;
const pageErrors = [];

before(async () => {
  temp = tempDir();
  mailbox = path.join(temp.dir, 'mailbox.jsonl');
  server = await startServer({ database: path.join(temp.dir, 'members.db'), env: { MEMBERS_MAILBOX: mailbox } });
  baseUrl = server.url;
  admin = adminApi(baseUrl);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  temp?.remove();
});

// ---- helpers: what a person sees and does on the page ----

/** Opens the page and waits until the session panel knows who is there. */
async function openPage(context, url = `${baseUrl}/account/my-account`) {
  const page = await context.newPage();
  watchErrors(page, pageErrors);
  await page.goto(url);
  await page.waitForFunction(() => Number(document.getElementById('session').dataset.done ?? 0) >= 1
    && document.getElementById('status').textContent !== 'Loading…');
  return page;
}

/** Reloads the page and waits as openPage does. */
async function reload(page) {
  await page.reload();
  await page.waitForFunction(() => Number(document.getElementById('session').dataset.done ?? 0) >= 1
    && document.getElementById('status').textContent !== 'Loading…');
}

const stateOf = (page) => page.locator('#session').getAttribute('data-state');

/**
 * Does one thing on the session panel and waits until the page has finished it
 * (and the directory, which lists again after a change, has its answer).
 */
async function act(page, action) {
  const before = Number((await page.locator('#session').getAttribute('data-done')) ?? 0);
  await action();
  await page.waitForFunction((n) => Number(document.getElementById('session').dataset.done ?? 0) > n
    && document.getElementById('status').textContent !== 'Loading…', before);
}

/** Fills a form's fields (by input id) and submits it. */
function submit(page, form, fields) {
  return act(page, async () => {
    await showForm(page, form);
    for (const [id, value] of Object.entries(fields)) await page.fill(`#${id}`, value);
    await page.click(`#${form} button[type=submit]`);
  });
}

/** Submits a form and returns the answer of the API call it makes to `route`. */
async function submitFor(page, route, form, fields) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === route),
    submit(page, form, fields),
  ]);
  return response;
}

const login = (page, email, password) => submit(page, 'login-form', { 'login-email': email, 'login-password': password });

/** The role=alert box: shown or not, the error's code, its message. */
async function alertOf(page) {
  const box = page.locator(await messageBox(page, 'error'));
  return { shown: await box.isVisible(), code: await box.getAttribute('data-code'), text: (await box.textContent()).trim() };
}

const text = async (page, selector) => (await page.locator(selector === '#notice' ? await messageBox(page, 'notice') : selector).textContent()).trim();

/** Calls the page's own `authentication`/`members` objects (browser.mjs). */
function inPage(page, fn, arg) {
  return page.evaluate(async ({ source, arg }) => {
    const api = await import('/pkg/browser.mjs');
    const describe = (error) => ({
      isMembersError: error instanceof api.MembersError, code: error.code,
      applicationCode: error.applicationCode, httpStatus: error.httpStatus, message: error.message,
    });
    // eslint-disable-next-line no-new-func
    return new Function('api', 'describe', 'arg', `return (${source})(api, describe, arg);`)(api, describe, arg);
  }, { source: fn.toString(), arg });
}

const loggedIn = (page) => inPage(page, ({ authentication }) => authentication.loggedIn());

async function cookiesOf(context) {
  const all = await context.cookies(baseUrl);
  return { session: all.find((c) => c.name === 'members_session'), flag: all.find((c) => c.name === 'members_logged_in') };
}

/** The Set-Cookie lines of a browser-seen response. */
async function setCookies(response) {
  return (await response.headersArray()).filter((h) => h.name.toLowerCase() === 'set-cookie')
    .flatMap((h) => h.value.split('\n'));
}

/** Waits until the directory lists `name` (or no longer does). */
async function directoryLists(page, name, listed = true) {
  // The directory is a view of its own (/members): go there in the page, look, and come back.
  const from = new URL(page.url()).pathname;
  if (from.startsWith('/account')) await page.click('nav.main a[data-view="directory"]');
  await page.waitForFunction(({ name, listed }) => {
    const names = [...document.querySelectorAll('#members li strong')].map((e) => e.textContent);
    return document.getElementById('status').textContent !== 'Loading…' && !document.querySelector('#results[aria-busy]')
      && names.includes(name) === listed;
  }, { name, listed });
  if (from.startsWith('/account')) await page.click('nav.main a[data-view="account"]');
}

/** The mails in the development mailbox (one JSON object a line). */
function mails() {
  if (!existsSync(mailbox)) return [];
  return readFileSync(mailbox, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

async function waitForMail(to, count = 1) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = mails().filter((m) => m.to === to);
    if (found.length >= count) return found[count - 1];
    if (Date.now() > deadline) throw new Error(`no mail to ${to} in ${mailbox}: ${JSON.stringify(mails())}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const csrfCode = (body) => body?.details?.applicationError?.code;

// ---- one member's journey ----

describe("one member's journey through the session panel", () => {
  let context;
  let page;
  let me;
  let other;
  let oldToken;

  before(async () => {
    context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    page = await openPage(context);
  });
  after(() => context?.close());

  test('a visitor sees the forms, and a too-short password is refused with its message', async () => {
    assert.equal(await stateOf(page), 'visitor');
    assert.ok(await page.locator('#open-signup').isVisible());
    assert.ok(await page.locator('#open-login').isVisible());
    assert.equal(await page.locator('#me').isVisible(), false);
    assert.equal(await loggedIn(page), false);
    assert.equal((await alertOf(page)).shown, false);

    await submit(page, 'register-form', { 'register-email': 'ana@example.com', 'register-password': 'short', 'register-nickname': 'Ana Lima' });
    // The server names the field: the message is shown next to the password.
    assert.equal(await page.locator('#register-password').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#register-password-error').isVisible(), true, 'the error is shown');
    assert.match(await text(page, '#register-password-error'), /password|8/i);
    assert.equal(await stateOf(page), 'visitor');
    assert.equal((await cookiesOf(context)).session, undefined, 'no session for a refused register');
  });

  test('registering logs me in and the page shows my own data', async () => {
    const response = await submitFor(page, '/members/v1/auth/register', 'register-form', {
      'register-email': 'ana@example.com', 'register-password': PASSWORD, 'register-nickname': 'Ana Lima',
    });
    assert.equal(response.status(), 200);
    assert.equal(response.request().headers()['x-members-session'], 'cookie', 'the browser asks for cookie mode');
    const body = await response.json();
    assert.equal(body.status, 'ACTIVE');
    assert.equal(body.sessionToken, undefined, 'no token in the body in cookie mode');
    me = body.member;

    const lines = await setCookies(response);
    const session = lines.find((l) => l.startsWith('members_session='));
    assert.ok(session, `a session cookie is set: ${lines}`);
    for (const attribute of [/;\s*HttpOnly/i, /;\s*SameSite=Lax/i, /;\s*Path=\//i, /;\s*Max-Age=2592000/i]) {
      assert.match(session, attribute);
    }
    assert.doesNotMatch(session, /;\s*Secure/i, 'no Secure over plain http');
    assert.ok(lines.some((l) => l.startsWith('members_logged_in=1')), 'the companion cookie is set');

    assert.equal(await stateOf(page), 'member');
    assert.equal((await alertOf(page)).shown, false);
    assert.match(await text(page, '#notice'), /registered/i);
    assert.equal(await page.locator('#me').getAttribute('data-id'), me.id);
    assert.equal(await text(page, '#me-nickname'), 'Ana Lima');
    assert.equal(await text(page, '#me-email'), 'ana@example.com');
    assert.equal(await text(page, '#me-status'), 'APPROVED');
    assert.equal(await page.locator('#me-privacy').getAttribute('data-privacy'), 'PUBLIC');
    assert.equal(await page.locator('#open-signup').isVisible(), false);
    await directoryLists(page, 'Ana Lima');

    const current = await inPage(page, async ({ authentication, members }) => {
      const { member } = await members.getCurrentMember({ fieldsets: ['FULL'] });
      return { loggedIn: authentication.loggedIn(), id: member?._id, loginEmail: member?.loginEmail, status: member?.status };
    });
    assert.deepEqual(current, { loggedIn: true, id: me.id, loginEmail: 'ana@example.com', status: 'APPROVED' });
  });

  test('the session cookie is HttpOnly, SameSite=Lax, Path=/, and scripts never see the token', async () => {
    const { session, flag } = await cookiesOf(context);
    assert.ok(session, 'the browser holds members_session');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.path, '/');
    assert.equal(session.secure, false);
    const lifetime = session.expires - Date.now() / 1000;
    assert.ok(Math.abs(lifetime - THIRTY_DAYS) < 3600, `the session cookie lasts 30 days (${lifetime} s)`);
    assert.ok(session.value.length >= 32, 'a long random token');

    assert.ok(flag, 'the browser holds members_logged_in');
    assert.equal(flag.value, '1');
    assert.equal(flag.httpOnly, false);
    assert.equal(flag.sameSite, 'Lax');
    assert.equal(flag.path, '/');

    const seen = await page.evaluate(() => ({
      cookie: document.cookie,
      storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    }));
    assert.match(seen.cookie, /(^|;\s*)members_logged_in=1(;|$)/);
    assert.ok(!seen.cookie.includes('members_session'), 'document.cookie has no session cookie');
    assert.ok(!seen.cookie.includes(session.value), 'document.cookie has no token');
    assert.ok(!seen.storage.includes(session.value), 'no token in web storage');

    // The same session works as a Bearer token (SPEC §10).
    const mine = await call(baseUrl, 'GET', '/members/v1/members/my?fieldsets=FULL', { headers: { authorization: `Bearer ${session.value}` } });
    assert.equal(mine.status, 200);
    assert.equal(mine.body.member.id, me.id);
  });

  test('I change my nickname and title', async () => {
    await submit(page, 'profile-form', { 'profile-nickname': 'Ana Maria', 'profile-title': 'Editor' });
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.equal(await text(page, '#me-nickname'), 'Ana Maria');
    assert.equal(await text(page, '#me-title'), 'Editor');
    assert.match(await text(page, '#notice'), /saved/i);
    await directoryLists(page, 'Ana Maria');

    // What a visitor reads now.
    const seen = await call(baseUrl, 'GET', `/members/v1/members/${me.id}`);
    assert.equal(seen.status, 200);
    assert.equal(seen.body.member.profile.nickname, 'Ana Maria');
    assert.equal(seen.body.member.profile.title, 'Editor');
  });

  test('I change my address; one that belongs to another member is refused with 409', async () => {
    other = await admin.createMember({ loginEmail: 'bruno@example.com', profile: { nickname: 'Bruno Costa' } });
    const otherSlug = other.profile.slug;
    assert.ok(otherSlug);

    await submit(page, 'slug-form', { slug: 'ana-maria' });
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.equal(await text(page, '#me-slug'), 'ana-maria');
    assert.equal((await call(baseUrl, 'GET', `/members/v1/members/${me.id}`)).body.member.profile.slug, 'ana-maria');

    const response = await submitFor(page, '/members/v1/members/my/slug', 'slug-form', { slug: otherSlug });
    assert.equal(response.status(), 409);
    assert.equal((await response.json()).details.applicationError.code, 'SLUG_ALREADY_EXISTS');
    // Shown next to the field.
    assert.equal(await page.locator('#slug-error').isVisible(), true);
    assert.match(await text(page, '#slug-error'), /taken/);
    assert.equal(await page.locator('#slug').getAttribute('aria-invalid'), 'true');
    assert.equal(await text(page, '#me-slug'), 'ana-maria', 'my address is unchanged');
    assert.equal((await admin.getMember(other.id)).profile.slug, otherSlug, "the other member's address is unchanged");
    assert.equal((await admin.getMember(me.id)).profile.slug, 'ana-maria');

    const refused = await inPage(page, async ({ members }, describe, slug) => {
      try {
        await members.updateCurrentMemberSlug(slug);
        return 'resolved';
      } catch (error) {
        return describe(error);
      }
    }, otherSlug);
    assert.equal(refused.isMembersError, true);
    assert.equal(refused.code, 'ALREADY_EXISTS');
    assert.equal(refused.applicationCode, 'SLUG_ALREADY_EXISTS');
    assert.equal(refused.httpStatus, 409);
    assert.ok((await text(page, '#slug-error')).includes(otherSlug), 'the page names the taken address next to the field');
  });

  test('I can not edit another member', async () => {
    const refused = await inPage(page, async ({ members }, describe, id) => {
      try {
        await members.updateMember(id, { profile: { nickname: 'Hacked' } });
        return 'resolved';
      } catch (error) {
        return describe(error);
      }
    }, other.id);
    assert.equal(refused.code, 'PERMISSION_DENIED');
    assert.equal((await admin.getMember(other.id)).profile.nickname, 'Bruno Costa');
  });

  test('I leave the community and join it again', async () => {
    await act(page, () => page.click('#leave'));
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.equal(await page.locator('#me-privacy').getAttribute('data-privacy'), 'PRIVATE');
    assert.ok(await page.locator('#join').isVisible());
    assert.equal(await page.locator('#leave').isVisible(), false);
    assert.equal((await admin.getMember(me.id)).privacyStatus, 'PRIVATE');
    assert.equal((await call(baseUrl, 'GET', `/members/v1/members/${me.id}`)).status, 404, 'visitors no longer find me');

    await act(page, () => page.click('#join'));
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.equal(await page.locator('#me-privacy').getAttribute('data-privacy'), 'PUBLIC');
    assert.ok(await page.locator('#leave').isVisible());
    assert.equal((await admin.getMember(me.id)).privacyStatus, 'PUBLIC');
    assert.equal((await call(baseUrl, 'GET', `/members/v1/members/${me.id}`)).status, 200, 'visitors find me again');
  });

  test('a request with my stolen cookie and a foreign Origin (or none) is refused: 403 CSRF_REJECTED', async () => {
    const { session } = await cookiesOf(context);
    const cookie = `members_session=${session.value}`;
    const attempts = [
      ['POST', '/members/v1/members/leave-community', undefined],
      ['PATCH', `/members/v1/members/${me.id}`, { member: { id: me.id, profile: { nickname: 'Stolen' } } }],
      ['POST', '/members/v1/members/my/slug', { slug: 'stolen' }],
      ['POST', '/_api/members/v1/members/leave-community', undefined],
      ['DELETE', '/members/v1/members/my', undefined],
    ];
    for (const [method, route, body] of attempts) {
      for (const origin of ['http://evil.example', 'null', undefined]) {
        const headers = origin === undefined ? { cookie } : { cookie, origin };
        const answer = await call(baseUrl, method, route, { headers, body });
        assert.equal(answer.status, 403, `${method} ${route} Origin ${origin}: ${JSON.stringify(answer.body)}`);
        assert.equal(csrfCode(answer.body), 'CSRF_REJECTED', `${method} ${route} Origin ${origin}`);
      }
    }
    // Login CSRF: a cookie-mode login from another origin makes no session.
    const forged = await call(baseUrl, 'POST', '/members/v1/auth/login', {
      headers: { origin: 'http://evil.example', 'x-members-session': 'cookie' },
      body: { email: 'ana@example.com', password: PASSWORD },
    });
    assert.equal(forged.status, 403, JSON.stringify(forged.body));
    assert.equal(csrfCode(forged.body), 'CSRF_REJECTED');
    assert.deepEqual(forged.headers.getSetCookie().filter((l) => l.startsWith('members_session=') && !/Max-Age=0/i.test(l)), []);

    const after = await admin.getMember(me.id);
    assert.equal(after.privacyStatus, 'PUBLIC');
    assert.equal(after.profile.nickname, 'Ana Maria');
    assert.equal(after.profile.slug, 'ana-maria');

    // The cookie itself was good: from the site's own origin the same call works,
    // and reads (GET) need no Origin.
    const own = await call(baseUrl, 'POST', '/members/v1/members/join-community', { headers: { cookie, origin: baseUrl } });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.member.id, me.id);
    const read = await call(baseUrl, 'GET', '/members/v1/members/my', { headers: { cookie } });
    assert.equal(read.status, 200);
    assert.equal(read.body.member.id, me.id);
  });

  test('a page on another origin of the same site can not act with my cookie', async () => {
    // 127.0.0.1 on another port is the same site, so Chromium sends the Lax cookie:
    // only the server's Origin check stands between that page and my account.
    const target = `${baseUrl}/members/v1/members`;
    const attacker = await serveHtml(`<!doctype html><title>win a prize</title>
      <form id="csrf" method="post" action="${target}/leave-community" enctype="text/plain"></form>
      <script>
        fetch('${target}/my/slug', { method: 'POST', mode: 'no-cors', credentials: 'include',
          headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ slug: 'pwned' }) })
          .finally(() => { document.title = 'sent'; });
      </script>`);
    const seen = [];
    const evil = await context.newPage();
    evil.on('response', (response) => {
      if (response.url().startsWith(target)) seen.push({ path: new URL(response.url()).pathname, status: response.status() });
    });
    try {
      await evil.goto(attacker.url);
      await evil.waitForFunction(() => document.title === 'sent');
      await Promise.all([evil.waitForNavigation(), evil.evaluate(() => document.getElementById('csrf').submit())]);
      assert.match(await evil.locator('body').textContent(), /CSRF_REJECTED/);
    } finally {
      await evil.close();
      await attacker.close();
    }
    // 403 (not the 401 a visitor gets) and CSRF_REJECTED: the cookie did come along.
    assert.deepEqual(seen.sort((a, b) => a.path.localeCompare(b.path)), [
      { path: '/members/v1/members/leave-community', status: 403 },
      { path: '/members/v1/members/my/slug', status: 403 },
    ]);
    const after = await admin.getMember(me.id);
    assert.equal(after.privacyStatus, 'PUBLIC');
    assert.equal(after.profile.slug, 'ana-maria');
  });

  test('logging out makes the page a visitor, and the old cookie value acts as a visitor', async () => {
    const { session: old } = await cookiesOf(context);
    oldToken = old.value;
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/members/v1/auth/logout'),
      act(page, () => page.click('#logout')),
    ]);
    assert.equal(response.status(), 200);
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.equal(await stateOf(page), 'visitor');
    assert.ok(await page.locator('#open-login').isVisible());
    assert.equal(await page.locator('#me').isVisible(), false);
    assert.match(await text(page, '#notice'), /logged out/i);
    assert.equal(await loggedIn(page), false);
    assert.deepEqual(await cookiesOf(context), { session: undefined, flag: undefined }, 'logout clears both cookies');
    const current = await inPage(page, async ({ members }) => members.getCurrentMember());
    assert.equal(current.member, undefined, 'getCurrentMember has no member');

    await reload(page);
    assert.equal(await stateOf(page), 'visitor');

    // The old token: with the cookie a visitor (and the cookies are cleared), as
    // Bearer SESSION_INVALID, and a change with it is refused.
    const asCookie = await call(baseUrl, 'GET', '/members/v1/members/my', { headers: { cookie: `members_session=${old.value}` } });
    assert.equal(asCookie.status, 200);
    assert.equal(asCookie.body.member, undefined, 'the old cookie reads as a visitor');
    assert.ok(asCookie.headers.getSetCookie().some((l) => l.startsWith('members_session=') && (/Max-Age=0/i.test(l) || /Expires=Thu, 01 Jan 1970/i.test(l))),
      `the answer clears the cookie: ${asCookie.headers.getSetCookie()}`);
    const asBearer = await call(baseUrl, 'GET', '/members/v1/members/my', { headers: { authorization: `Bearer ${old.value}` } });
    assert.equal(asBearer.status, 401);
    assert.equal(asBearer.body.details?.applicationError?.code, 'SESSION_INVALID');
    const change = await call(baseUrl, 'POST', '/members/v1/members/leave-community', { headers: { cookie: `members_session=${old.value}`, origin: baseUrl } });
    assert.ok([401, 403].includes(change.status), `refused: ${change.status} ${JSON.stringify(change.body)}`);
    assert.equal((await admin.getMember(me.id)).privacyStatus, 'PUBLIC');

    // The old cookie put back into the browser: the page is a visitor, the cookies go.
    await context.addCookies([
      { name: 'members_session', value: old.value, url: baseUrl, httpOnly: true, sameSite: 'Lax' },
      { name: 'members_logged_in', value: '1', url: baseUrl, sameSite: 'Lax' },
    ]);
    await reload(page);
    assert.equal(await stateOf(page), 'visitor');
    assert.equal((await alertOf(page)).shown, false);
    assert.deepEqual(await cookiesOf(context), { session: undefined, flag: undefined }, 'the server cleared the stale cookies');
    assert.ok(!(await page.evaluate(() => document.cookie)).includes('members_logged_in'));
  });

  test('a refused change made with the ended cookie clears it too', async () => {
    // Contract: "An invalid/expired cookie is treated as a visitor, and the response clears the cookies."
    const change = await call(baseUrl, 'POST', '/members/v1/members/join-community', { headers: { cookie: `members_session=${oldToken}`, origin: baseUrl } });
    assert.ok([401, 403].includes(change.status), `refused: ${change.status} ${JSON.stringify(change.body)}`);
    const lines = change.headers.getSetCookie();
    assert.ok(lines.some((l) => l.startsWith('members_session=') && /Max-Age=0/i.test(l)), `members_session cleared: ${lines}`);
    assert.ok(lines.some((l) => l.startsWith('members_logged_in=') && /Max-Age=0/i.test(l)), `members_logged_in cleared: ${lines}`);
  });

  test('my email can not be registered twice', async () => {
    await submit(page, 'register-form', { 'register-email': 'ANA@example.com', 'register-password': PASSWORD, 'register-nickname': 'Ana Two' });
    const alert = await alertOf(page);
    assert.equal(alert.shown, true);
    assert.equal(alert.code, 'EMAIL_ALREADY_EXISTS');
    assert.equal(await stateOf(page), 'visitor');
  });

  test('logging in: a wrong password and an unknown email read the same; the right one logs me in', async () => {
    await login(page, 'ana@example.com', 'not my password');
    const wrong = await alertOf(page);
    assert.equal(wrong.shown, true);
    assert.equal(wrong.code, 'INVALID_CREDENTIALS');
    await login(page, 'nobody@example.com', PASSWORD);
    const unknown = await alertOf(page);
    assert.equal(unknown.code, 'INVALID_CREDENTIALS');
    assert.equal(unknown.text, wrong.text, 'the same message');
    assert.equal(await stateOf(page), 'visitor');

    const { session: before } = await cookiesOf(context);
    assert.equal(before, undefined);
    const response = await submitFor(page, '/members/v1/auth/login', 'login-form', { 'login-email': 'ana@example.com', 'login-password': PASSWORD });
    assert.equal(response.status(), 200);
    assert.equal((await response.json()).sessionToken, undefined);
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.equal(await stateOf(page), 'member');
    assert.equal(await text(page, '#me-nickname'), 'Ana Maria');
    assert.equal(await text(page, '#me-slug'), 'ana-maria');
    assert.equal(await loggedIn(page), true);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The page's own API never hands a token to scripts.
    const result = await inPage(page, async ({ authentication }, _, password) => {
      const answer = await authentication.login('ana@example.com', password);
      return { keys: Object.keys(answer), id: answer.member?._id, loggedIn: authentication.loggedIn() };
    }, PASSWORD);
    assert.ok(!result.keys.includes('sessionToken'), `login answers ${result.keys}`);
    assert.equal(result.id, me.id);
    assert.equal(result.loggedIn, true);

    await act(page, () => page.click('#logout'));
    assert.equal(await stateOf(page), 'visitor');
  });
});

// ---- the set-password mail ----

describe('setting a password through the mailed link', () => {
  let context;
  let page;

  before(async () => {
    context = await browser.newContext();
    page = await openPage(context);
  });
  after(() => context?.close());

  test('a member made by an admin sets a password from the mail, then logs in; the link works once', async () => {
    const pat = await admin.createMember({ loginEmail: 'pat@example.com', profile: { nickname: 'Pat' } });
    await login(page, 'pat@example.com', PASSWORD);
    assert.equal((await alertOf(page)).code, 'INVALID_CREDENTIALS', 'no password yet');

    await submit(page, 'forgot-form', { 'forgot-email': 'nobody@example.com' });
    assert.equal((await alertOf(page)).shown, false, 'unknown emails answer the same');
    const unknownNotice = await text(page, '#notice');
    await submit(page, 'forgot-form', { 'forgot-email': 'pat@example.com' });
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.equal(await text(page, '#notice'), unknownNotice);

    const mail = await waitForMail('pat@example.com');
    assert.deepEqual(mails().filter((m) => m.to === 'nobody@example.com'), [], 'no mail to an unknown email');
    assert.ok(mail.subject, 'the mail has a subject');
    assert.ok(!Number.isNaN(Date.parse(mail.date)), 'the mail has a date');
    const link = /(\S+#set-password=[^\s"'<>]+)/.exec(mail.text)?.[1];
    assert.ok(link, `a link in the mail: ${mail.text}`);
    assert.ok(link.startsWith(`${baseUrl}/#set-password=`), `the link points at this site: ${link}`);
    const token = decodeURIComponent(link.slice(link.indexOf('#set-password=') + '#set-password='.length));

    const linkPage = await openPage(context, link);
    assert.ok(await linkPage.locator('#set-password-form').isVisible(), 'the link opens the set-password form');
    assert.ok(await linkPage.locator('#new-password').isVisible());

    await submit(linkPage, 'set-password-form', { 'new-password': 'short' });
    const tooShort = await alertOf(linkPage);
    const fieldShown = await linkPage.locator('#new-password-error').isVisible();
    // Either next to the field (when the server names it) or in the dialog's alert.
    assert.ok(fieldShown || tooShort.code === 'INVALID_ARGUMENT', tooShort.text);
    assert.match(fieldShown ? await text(linkPage, '#new-password-error') : tooShort.text, /password|8/i);
    assert.ok(await linkPage.locator('#set-password-form').isVisible(), 'the form stays for another try');

    const newPassword = 'a brand new secret';
    await submit(linkPage, 'set-password-form', { 'new-password': newPassword });
    assert.equal((await alertOf(linkPage)).shown, false, (await alertOf(linkPage)).text);
    assert.match(await text(linkPage, '#notice'), /password is set/i);
    assert.equal(await linkPage.evaluate(() => location.hash), '', 'the token leaves the address bar');
    assert.equal(linkPage.url(), `${baseUrl}/`);
    assert.equal(await linkPage.locator('#set-password-form').isVisible(), false);

    await login(linkPage, 'pat@example.com', newPassword);
    assert.equal((await alertOf(linkPage)).shown, false, (await alertOf(linkPage)).text);
    assert.equal(await stateOf(linkPage), 'member');
    assert.equal(await text(linkPage, '#me-email'), 'pat@example.com');
    assert.equal(await linkPage.locator('#me').getAttribute('data-id'), pat.id);
    await act(linkPage, () => linkPage.click('#logout'));

    // The link is single-use.
    const again = await openPage(context, link);
    await submit(again, 'set-password-form', { 'new-password': 'yet another secret' });
    const used = await alertOf(again);
    assert.equal(used.shown, true);
    assert.equal(used.code, 'INVALID_TOKEN');
    await login(again, 'pat@example.com', 'yet another secret');
    assert.equal((await alertOf(again)).code, 'INVALID_CREDENTIALS', 'the used link changed nothing');

    // Neither the token nor a password reaches the server's log.
    const log = server.output();
    for (const secret of [token, newPassword, PASSWORD]) assert.ok(!log.includes(secret), 'a secret in the server log');
  });
});

// ---- manual approval, blocking, the login limit (a server of their own) ----

describe('a site with manual approval and a login limit of 3', () => {
  let strict;
  let strictUrl;
  let strictAdmin;
  let context;
  let page;

  before(async () => {
    strict = await startServer({
      database: path.join(temp.dir, 'strict.db'),
      env: {
        MEMBERS_APPROVAL: 'manual', MEMBERS_LOGIN_LIMIT_PER_EMAIL: '3', MEMBERS_LOGIN_WINDOW_SECONDS: '900',
        MEMBERS_MAILBOX: path.join(temp.dir, 'strict-mailbox.jsonl'),
      },
    });
    strictUrl = strict.url;
    strictAdmin = adminApi(strictUrl);
    context = await browser.newContext();
    page = await openPage(context, strictUrl);
  });
  after(async () => {
    await context?.close();
    await strict?.stop();
  });

  test('registering waits for approval; login works once an admin approves', async () => {
    const response = await submitFor(page, '/members/v1/auth/register', 'register-form', {
      'register-email': 'quinn@example.com', 'register-password': PASSWORD, 'register-nickname': 'Quinn',
    });
    const body = await response.json();
    assert.equal(body.status, 'PENDING');
    assert.equal(body.sessionToken, undefined);
    assert.deepEqual((await setCookies(response)).filter((l) => l.startsWith('members_session=')), [], 'no session cookie');
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.match(await text(page, '#notice'), /waiting for approval/i);
    assert.equal(await stateOf(page), 'visitor');
    assert.equal((await context.cookies(strictUrl)).find((c) => c.name === 'members_session'), undefined);

    await login(page, 'quinn@example.com', PASSWORD);
    const pending = await alertOf(page);
    assert.equal(pending.code, 'MEMBER_PENDING');
    assert.ok(pending.text.length > 0);
    assert.equal(await stateOf(page), 'visitor');

    const approved = await strictAdmin.call('POST', `/members/v1/members/${body.member.id}/approve`, {});
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await login(page, 'quinn@example.com', PASSWORD);
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.equal(await stateOf(page), 'member');
    assert.equal(await text(page, '#me-status'), 'APPROVED');
  });

  test("blocking a member ends their session at once, and they can not log in", async () => {
    const id = await page.locator('#me').getAttribute('data-id');
    const blocked = await strictAdmin.call('POST', `/members/v1/members/${id}/block`, {});
    assert.equal(blocked.status, 200, JSON.stringify(blocked.body));
    await reload(page);
    assert.equal(await stateOf(page), 'visitor', 'the page is a visitor again');
    assert.equal((await context.cookies(strictUrl)).find((c) => c.name === 'members_session'), undefined);
    await login(page, 'quinn@example.com', PASSWORD);
    assert.equal((await alertOf(page)).code, 'MEMBER_BLOCKED');
    assert.equal(await stateOf(page), 'visitor');
  });

  test('after 3 failed logins even the right password is refused for a while (429)', async () => {
    const registered = await call(strictUrl, 'POST', '/members/v1/auth/register', { body: { email: 'rita@example.com', password: PASSWORD } });
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    assert.equal((await strictAdmin.call('POST', `/members/v1/members/${registered.body.member.id}/approve`, {})).status, 200);

    for (let i = 0; i < 3; i += 1) {
      await login(page, 'rita@example.com', `wrong password ${i}`);
      assert.equal((await alertOf(page)).code, 'INVALID_CREDENTIALS', `attempt ${i + 1}`);
    }
    const response = await submitFor(page, '/members/v1/auth/login', 'login-form', { 'login-email': 'rita@example.com', 'login-password': PASSWORD });
    assert.equal(response.status(), 429);
    const retryAfter = Number(await response.headerValue('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 900, `Retry-After ${retryAfter}`);
    const limited = await alertOf(page);
    assert.equal(limited.code, 'RATE_LIMITED');
    assert.ok(limited.text.length > 0);
    assert.equal(await stateOf(page), 'visitor');
    const details = await inPage(page, async ({ authentication }, describe, password) => {
      try {
        await authentication.login('rita@example.com', password);
        return 'resolved';
      } catch (error) {
        return { ...describe(error), retryAfterSeconds: error.details?.applicationError?.data?.retryAfterSeconds };
      }
    }, PASSWORD);
    assert.equal(details.code, 'RESOURCE_EXHAUSTED');
    assert.equal(details.httpStatus, 429);
    assert.ok(details.retryAfterSeconds > 0 && details.retryAfterSeconds <= 900, JSON.stringify(details));
  });
});

test('the pages ran without errors besides the refusals they asked for', () => {
  // Refusals are 4xx answers of the members API, which Chromium logs as
  // "Failed to load resource". Nothing else may appear.
  const onPurpose = ({ text, url }) => /Failed to load resource: the server responded with a status of (400|401|403|404|409|429)/.test(text)
    && /^\/(members\/v1\/(members|auth)|_api\/)/.test(new URL(url ?? '', baseUrl).pathname);
  assert.deepEqual(pageErrors.filter((e) => !onPurpose(e)).map((e) => `${e.text} ${e.url ?? ''}`), []);
});
