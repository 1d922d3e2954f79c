// Account security in a real browser (Chromium via playwright-core) against a
// real server requiring verified emails (SPEC §10): a member registers on the
// page, gets no session, enters the mailed code and is in; another opens the
// mailed link; an admin signs in once with the key and the page never sees the
// cookie's token. Needs `make build` first (or MEMBERS_E2E_PKG).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ADMIN_KEY, startServer, launchBrowser, watchErrors, call, tempDir } from './support.mjs';
import { showForm } from './area-support.mjs';

const PASSWORD = 'correct horse battery';

let temp;
let server;
let browser;
let mailbox;
const pageErrors = [];

before(async () => {
  temp = tempDir();
  mailbox = path.join(temp.dir, 'mailbox.jsonl');
  server = await startServer({
    database: path.join(temp.dir, 'members.db'),
    env: { MEMBERS_MAILBOX: mailbox, MEMBERS_EMAIL_VERIFICATION: 'required' },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  temp?.remove();
});

/** The newest mail to `to` in the development mailbox. */
function mailTo(to) {
  const all = existsSync(mailbox)
    ? readFileSync(mailbox, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
    : [];
  const mail = all.filter((m) => m.to === to).at(-1);
  assert.ok(mail, `a mail to ${to}`);
  return mail;
}

const done = (page) => page.locator('#session').getAttribute('data-done').then(Number);

async function openPage(context, url) {
  const page = await context.newPage();
  watchErrors(page, pageErrors);
  await page.goto(url);
  await page.waitForFunction(() => Number(document.getElementById('session').dataset.done ?? 0) >= 1);
  return page;
}

/** Runs `action` and waits until the session panel has finished it. */
async function act(page, action) {
  const before = await done(page);
  await action();
  await page.waitForFunction((n) => Number(document.getElementById('session').dataset.done ?? 0) > n, before);
}

test('register on the page → no session → the mailed code → logged in', async () => {
  const context = await browser.newContext();
  const page = await openPage(context, server.url);
  await act(page, async () => {
    await showForm(page, 'register-form');
    await page.fill('#register-email', 'cy@example.com');
    await page.fill('#register-password', PASSWORD);
    await page.click('#register-form button[type=submit]');
  });
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'visitor', 'no session before verifying');
  assert.equal(await page.locator('#verify-form').isVisible(), true, 'the code step is shown');
  assert.equal(await page.inputValue('#verify-email'), 'cy@example.com');

  const mail = mailTo('cy@example.com');
  const code = /Your code: (\d{6})/.exec(mail.text)[1];
  assert.match(mail.html, new RegExp(`Your code: ${code}`), 'the HTML body has the code too');
  await act(page, async () => {
    await page.fill('#verify-code', code);
    await page.click('#verify-form button[type=submit]');
  });
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'member');
  assert.equal(await page.locator('#verify-form').isVisible(), false);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('the mailed link verifies on /account/my-account and leaves no token in the address bar', async () => {
  const registered = await call(server.url, 'POST', '/members/v1/auth/register', { body: { email: 'dee@example.com', password: PASSWORD } });
  assert.equal(registered.status, 200, JSON.stringify(registered.body));
  assert.equal(registered.body.sessionToken, undefined);
  const mail = mailTo('dee@example.com');
  const link = /(http\S+\/account\/my-account#verify=\S+)/.exec(mail.text)[1];
  assert.ok(link.startsWith(server.url), `${link} leads to this site`);

  const context = await browser.newContext();
  const page = await context.newPage();
  watchErrors(page, pageErrors);
  await page.goto(link);
  await page.waitForFunction(() => document.getElementById('session').dataset.state === 'member');
  assert.equal(new URL(page.url()).hash, '', 'the single-use token is gone from the address bar');
  // A second use of the same link fails.
  const again = await call(server.url, 'POST', '/members/v1/auth/verify-email', {
    headers: { origin: server.url },
    body: { codeOrToken: decodeURIComponent(link.split('#verify=')[1]) },
  });
  assert.equal(again.status, 400);
  assert.equal(again.body.details.applicationError.code, 'VERIFICATION_INVALID');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('an admin signs in once with the key; scripts never see the cookie token', async () => {
  const context = await browser.newContext();
  const page = await openPage(context, server.url);
  const seen = await page.evaluate(async (key) => {
    const login = await fetch('/members/v1/auth/admin-login', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ adminKey: key }),
    });
    const session = await (await fetch('/members/v1/auth/admin-session')).json();
    const list = await fetch('/members/v1/members/query', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: {} }),
    });
    return { login: login.status, session, list: list.status, members: (await list.json()).members?.length, cookie: document.cookie };
  }, ADMIN_KEY);
  assert.equal(seen.login, 200);
  assert.deepEqual(seen.session, { admin: true });
  assert.equal(seen.list, 200);
  assert.ok(seen.members >= 2, 'admins see every member');
  assert.ok(!seen.cookie.includes('members_admin'), `document.cookie holds no admin token: ${seen.cookie}`);
  const cookie = (await context.cookies(server.url)).find((c) => c.name === 'members_admin');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.ok(!server.output().includes(ADMIN_KEY), 'the key is not in the server output');
  assert.ok(!server.output().includes(cookie.value), 'the token is not in the server output');
  await context.close();
});
