// The admin console (/admin) in Chromium against a real server: admin sign-in
// with the key posted once (an HttpOnly cookie after that, nothing in page
// storage), the Pending tab and approve, filters kept in the URL, a bulk block of
// the filtered set after its dry-run count with the job watched to the end, a
// member registered over REST appearing without a reload, per-member actions in
// a dialog (Escape closes it and focus returns), a webhook endpoint added and
// its delivery seen and redelivered (to a receiver in this test), the CSV export
// compared with `universal-members export`, and axe-core (WCAG 2.2 AA) on every
// screen and dialog at 375 and 1280 px, with screenshots to tests/e2e/screenshots/.
// Runs on pkg/ with www/ copied into it (`make build` does that), or on the
// package folder MEMBERS_E2E_PKG names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  ROOT, PKG, ADMIN_KEY, startServer, launchBrowser, watchErrors, adminApi, call, tempDir, startReceiver, until,
  assertKeyboardPass,
} from './support.mjs';

const SCREENSHOTS = path.join(ROOT, 'tests', 'e2e', 'screenshots');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

let temp;
let database;
let server;
let baseUrl;
let admin;
let browser;
let context;
let page;
let adminPath;
let receiver;
const pageErrors = [];
const people = {};

/** Registers a member over REST (a visitor signing up); PENDING under manual approval. */
async function register(email, nickname) {
  const { status, body } = await call(baseUrl, 'POST', '/members/v1/auth/register', {
    body: { email, password: 'correct horse battery', profile: { nickname } },
  });
  assert.equal(status, 200, JSON.stringify(body));
  return body.member;
}

/** The nicknames in the table, once it is not loading. */
async function listedNames() {
  await page.waitForFunction(() => !document.getElementById('members').hasAttribute('aria-busy'));
  return page.locator('#members tbody th').evaluateAll((cells) => cells.map((th) => th.firstChild.textContent));
}

/** axe-core on the page as it is now; fails on any violation. */
async function axeCheck(label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const { violations, incomplete } = await page.evaluate((tags) => window.axe.run(document, {
    runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'],
  }), AXE_TAGS);
  const described = violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(' ')}: ${n.failureSummary}`).join('\n')}`);
  assert.deepEqual(described, [], `axe violations on ${label}`);
  return incomplete.length;
}

/** Screenshots (the whole page; only the viewport while a dialog is open) and axe at both widths, then a keyboard-only pass. */
// A dialog closes at once, but the page moves focus back in its `close` event, one task later
// (the row that opened it may have been redrawn meanwhile): wait for that task, then assert.
async function focusReturnsTo(text, message) {
  await page.waitForFunction((t) => document.activeElement?.textContent === t, text, { timeout: 5000 }).catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement.textContent), text, message);
}

async function checkBothWidths(name) {
  const fullPage = !(await page.evaluate(() => document.querySelector('dialog[open]')));
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.waitForTimeout(100);
    await page.screenshot({ path: path.join(SCREENSHOTS, `admin-${name}-${width}.png`), fullPage });
    await axeCheck(`${name} at ${width} px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await assertKeyboardPass(page, `admin ${name}`);
}

before(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  temp = tempDir();
  database = path.join(temp.dir, 'members.db');
  server = await startServer({
    database, env: { MEMBERS_APPROVAL: 'manual', MEMBERS_WEBHOOK_ALLOW_PRIVATE: '1' },
  });
  baseUrl = server.url;
  admin = adminApi(baseUrl);
  receiver = await startReceiver();
  people.ana = await admin.createMember({
    loginEmail: 'ana@example.com', contact: { firstName: 'Ana', lastName: 'O\'Neil, "Jr"' }, profile: { nickname: 'Ana Łukasz' },
  });
  people.hidden = await admin.createMember({
    loginEmail: 'hidden@example.com', privacyStatus: 'PRIVATE', profile: { nickname: 'Hidden Hen' },
  });
  // Under manual approval an admin's new member waits too: approve these two.
  for (const who of [people.ana, people.hidden]) {
    const { status } = await admin.call('POST', `/members/v1/members/${who.id}/approve`, {});
    assert.equal(status, 200);
  }
  people.pat = await register('pat@example.com', 'Pat Pending');
  people.spam1 = await register('spam1@example.com', 'spammy one');
  people.spam2 = await register('spam2@example.com', 'spammy two');
  assert.equal(people.pat.status, 'PENDING');

  // The console's address: /admin once the server routes it, else the file itself.
  const probe = await fetch(new URL('/admin', baseUrl));
  adminPath = probe.ok && (probe.headers.get('content-type') ?? '').startsWith('text/html')
    && (await probe.text()).includes('Members admin') ? '/admin' : '/admin.html';

  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(8000);
  watchErrors(page, pageErrors);
});

after(async () => {
  await browser?.close();
  await receiver?.close();
  await server?.stop();
  temp?.remove();
});

test('the console is served at /admin (or /admin.html until the server routes /admin)', (t) => {
  if (adminPath !== '/admin') t.diagnostic('the server does not route /admin yet: testing /admin.html');
  assert.ok(['/admin', '/admin.html'].includes(adminPath));
});

test('sign-in: a wrong key is refused; the right one leaves only an HttpOnly cookie, never the key', async () => {
  await page.goto(baseUrl + adminPath);
  await page.locator('#signin').waitFor();
  await checkBothWidths('signin');
  await page.fill('#admin-key', 'not-the-key');
  await page.click('#signin-form button[type=submit]');
  await page.locator('#signin-error').waitFor();
  assert.match(await page.locator('#signin-error').textContent(), /not the admin key/);
  assert.equal(await page.locator('#admin-key').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#admin-key').inputValue(), '', 'the wrong key is not kept in the form');

  await page.fill('#admin-key', ADMIN_KEY);
  await page.click('#signin-form button[type=submit]');
  await page.locator('#console').waitFor();
  const cookie = (await context.cookies()).find((c) => c.name === 'members_admin');
  assert.ok(cookie, 'the admin cookie is set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  const kept = await page.evaluate((key) => ({
    cookie: document.cookie.includes('members_admin') || document.cookie.includes(key),
    storage: [localStorage, sessionStorage].some((s) => Object.keys(s).some((k) => k.includes(key) || s.getItem(k).includes(key))),
    html: document.documentElement.outerHTML.includes(key),
    input: document.getElementById('admin-key').value,
  }), ADMIN_KEY);
  assert.deepEqual(kept, { cookie: false, storage: false, html: false, input: '' });

  // A reload stays signed in (the server says so), and lists every member, private ones too.
  await page.reload();
  await page.locator('#console').waitFor();
  const names = await listedNames();
  for (const nickname of ['Ana Łukasz', 'Hidden Hen', 'Pat Pending', 'spammy one', 'spammy two']) {
    assert.ok(names.includes(nickname), `${nickname} is listed`);
  }
  await page.waitForFunction(() => document.querySelector('[data-count=""]').textContent === '5');
  assert.equal(await page.locator('[data-count=PENDING]').textContent(), '3');
  await page.locator('#live-state').waitFor();
  await checkBothWidths('list');
});

test('the Pending tab lists the pending members, and Approve approves one', async () => {
  await page.click('#tab-pending');
  await page.waitForURL(/status=PENDING/);
  assert.deepEqual((await listedNames()).sort(), ['Pat Pending', 'spammy one', 'spammy two']);
  assert.equal(await page.locator('#tab-pending').getAttribute('aria-current'), 'page');
  await page.getByRole('button', { name: 'Approve Pat Pending' }).click();
  await until(async () => (await admin.getMember(people.pat.id)).status === 'APPROVED', 'Pat approved');
  await page.waitForFunction(() => document.querySelector('[data-count=PENDING]').textContent === '2');
  assert.deepEqual((await listedNames()).sort(), ['spammy one', 'spammy two']);
  assert.equal(await page.locator('#status').textContent(), 'Pat Pending approved.', 'the live region says what happened');
});

test('filters live in the URL: reload keeps them, back restores the list before', async () => {
  await page.click('#tab-all');
  await page.waitForURL((url) => !url.search.includes('status='));
  await page.fill('#f-q', 'spam');
  await page.waitForURL(/q=spam/);
  assert.deepEqual((await listedNames()).sort(), ['spammy one', 'spammy two']);
  await page.selectOption('#f-privacy', 'PRIVATE');
  await page.waitForURL(/privacy=PRIVATE/);
  assert.deepEqual(await listedNames(), []);
  assert.match(await page.locator('#list-message').textContent(), /No members match/);
  await page.goBack();
  await page.waitForURL((url) => !url.search.includes('privacy='));
  // Joined between: whole UTC days; everyone joined today.
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await page.fill('#f-from', tomorrow);
  await page.waitForURL(new RegExp(`from=${tomorrow}`));
  assert.deepEqual(await listedNames(), []);
  await page.fill('#f-from', today);
  await page.fill('#f-to', today);
  await page.waitForURL(new RegExp(`from=${today}&to=${today}`));
  assert.deepEqual((await listedNames()).sort(), ['spammy one', 'spammy two']);
  await page.goBack();
  await page.goBack();
  await page.goBack();
  await page.waitForURL((url) => url.search === '?q=spam');
  assert.equal(await page.locator('#f-q').inputValue(), 'spam');
  assert.deepEqual((await listedNames()).sort(), ['spammy one', 'spammy two']);
  await page.reload();
  await page.locator('#console').waitFor();
  assert.equal(await page.locator('#f-q').inputValue(), 'spam');
  assert.deepEqual((await listedNames()).sort(), ['spammy one', 'spammy two']);
});

test('bulk block of the filtered set: the dry-run count first, then the job to the end', async () => {
  // The filter from the last test (q=spam) is in the URL.
  await page.click('[data-bulk=block]');
  const go = page.locator('#bulk-go');
  await go.waitFor();
  assert.match(await page.locator('#bulk-summary').textContent(), /^2 members match/);
  assert.equal(await go.textContent(), 'Block 2 members');
  assert.equal((await admin.getMember(people.spam1.id)).status, 'PENDING', 'the dry run wrote nothing');
  await checkBothWidths('bulk-confirm');
  await go.click();
  await page.waitForFunction(() => document.getElementById('bulk-dialog').dataset.job === 'FINISHED');
  assert.match(await page.locator('#bulk-counters').textContent(), /2 blocked, 0 failed, of 2/);
  assert.equal(await page.locator('#bulk-bar').evaluate((bar) => bar.value === bar.max), true);
  for (const who of [people.spam1, people.spam2]) assert.equal((await admin.getMember(who.id)).status, 'BLOCKED');
  assert.equal((await admin.getMember(people.ana.id)).status, 'APPROVED', 'members outside the filter are untouched');
  await checkBothWidths('bulk-finished');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#bulk-dialog').evaluate((d) => d.open), false);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.bulk), 'block', 'focus returns to the button');
  await page.waitForFunction(() => document.querySelector('[data-count=BLOCKED]').textContent === '2');
});

test('a bulk job lists the members it could not change, with the reason', async () => {
  // A disconnected member stays disconnected: approving it fails, item by item.
  const { status } = await admin.call('POST', `/members/v1/members/${people.hidden.id}/disconnect`, {});
  assert.equal(status, 200);
  await page.click('#clear-filters');
  await page.selectOption('#f-privacy', 'PRIVATE');
  await page.waitForURL((url) => url.search === '?privacy=PRIVATE');
  assert.deepEqual(await listedNames(), ['Hidden Hen']);
  await page.click('[data-bulk=approve]');
  await page.locator('#bulk-go').waitFor();
  assert.equal(await page.locator('#bulk-go').textContent(), 'Approve 1 member');
  await page.click('#bulk-go');
  await page.waitForFunction(() => ['FINISHED', 'FAILED'].includes(document.getElementById('bulk-dialog').dataset.job));
  assert.match(await page.locator('#bulk-counters').textContent(), /0 approved, 1 failed, of 1/);
  await page.locator('#bulk-failed li').waitFor();
  const failed = await page.locator('#bulk-failed li').allTextContents();
  assert.equal(failed.length, 1);
  assert.ok(failed[0].startsWith(people.hidden.id), failed[0]);
  assert.ok(failed[0].length > people.hidden.id.length + 3, 'the reason is given');
  await page.keyboard.press('Escape');
  assert.equal((await admin.getMember(people.hidden.id)).status, 'OFFLINE');
});

test('a member who registers appears without a reload (event stream)', async () => {
  await page.click('#clear-filters');
  await page.waitForURL((url) => url.search === '');
  await listedNames();
  const before = await page.evaluate(() => performance.getEntriesByType('navigation').length && performance.timeOrigin);
  people.live = await register('newcomer@example.com', 'Live Newcomer');
  await page.locator('#members tbody th', { hasText: 'Live Newcomer' }).waitFor({ timeout: 10_000 });
  await page.waitForFunction(() => document.getElementById('status').textContent === 'New member: newcomer@example.com.');
  assert.equal(await page.evaluate(() => performance.timeOrigin), before, 'no reload happened');
  await page.waitForFunction(() => document.querySelector('[data-count=PENDING]').textContent === '1');
});

test('per-member actions in a dialog: edit, mute and unmute, log out everywhere; Escape returns focus', async () => {
  const manage = page.getByRole('button', { name: 'Manage Ana Łukasz' });
  await manage.click();
  const dialog = page.locator('#member-dialog');
  await dialog.waitFor();
  assert.equal(await page.locator('#member-dialog-title').textContent(), 'Ana Łukasz');
  await checkBothWidths('member-dialog');

  await page.fill('#e-title', 'Moderator');
  await page.click('#edit-form button[type=submit]');
  await until(async () => (await admin.getMember(people.ana.id)).profile.title === 'Moderator', 'the title saved');
  await page.getByRole('button', { name: 'Mute Ana Łukasz' }).click();
  await until(async () => (await admin.getMember(people.ana.id)).activityStatus === 'MUTED', 'Ana muted');
  await page.getByRole('button', { name: 'Unmute Ana Łukasz' }).waitFor();
  await page.getByRole('button', { name: 'Unmute Ana Łukasz' }).click();
  await until(async () => (await admin.getMember(people.ana.id)).activityStatus === 'ACTIVE', 'Ana unmuted');
  await page.getByRole('button', { name: 'Log out everywhere Ana Łukasz' }).click();
  await page.waitForFunction(() => /logged out everywhere/.test(document.getElementById('member-dialog-status').textContent));

  await page.keyboard.press('Escape');
  assert.equal(await dialog.evaluate((d) => d.open), false);
  await focusReturnsTo('Manage Ana Łukasz', 'focus returns to Manage');

  // Block, approve again, disconnect: each button for what the member is now.
  await page.getByRole('button', { name: 'Manage Pat Pending' }).click();
  await page.getByRole('button', { name: 'Block Pat Pending' }).click();
  await until(async () => (await admin.getMember(people.pat.id)).status === 'BLOCKED', 'Pat blocked');
  await page.getByRole('button', { name: 'Approve Pat Pending' }).last().click();
  await until(async () => (await admin.getMember(people.pat.id)).status === 'APPROVED', 'Pat approved again');
  await page.locator('#member-dialog [data-action=disconnect]:not([hidden])').click();
  await until(async () => (await admin.getMember(people.pat.id)).status === 'OFFLINE', 'Pat disconnected');
  // The page has finished too (it reads the member back and redraws the dialog) before Escape.
  await page.waitForFunction(() => /disconnected/.test(document.getElementById('member-dialog-status').textContent));
  await page.locator('#member-dialog [data-action=disconnect]').waitFor({ state: 'hidden' });
  await page.keyboard.press('Escape');
  await focusReturnsTo('Manage Pat Pending', 'focus returns to Manage after the row was redrawn');

  // Delete behind a confirmation.
  await page.getByRole('button', { name: 'Manage Live Newcomer' }).click();
  await page.getByRole('button', { name: 'Delete Live Newcomer' }).click();
  await page.click('#delete-confirm-yes');
  await until(async () => (await admin.call('GET', `/members/v1/members/${people.live.id}`)).status === 404, 'the member deleted');
  await page.waitForFunction(() => ![...document.querySelectorAll('#members tbody th')].some((th) => th.textContent.includes('Live Newcomer')));
  assert.equal(await page.locator('#member-dialog').evaluate((d) => d.open), false);
  assert.ok(await page.evaluate(() => document.activeElement !== document.body), 'focus is not lost after a delete');
});

test('webhook endpoint: add it, see a delivery reach the receiver, redeliver it', async () => {
  await page.fill('#wh-url', receiver.url);
  await page.click('#webhook-form button[type=submit]');
  await page.locator('#webhook-secret').waitFor();
  assert.match(await page.locator('#webhook-secret-value').textContent(), /^whsec_/);
  await page.locator('#webhook-list li', { hasText: receiver.url }).waitFor();

  // Any change now is delivered: someone signs up.
  people.hooked = await register('hooked@example.com', 'Hooked Hana');
  const first = await until(() => receiver.received[0], 'a delivery at the receiver');
  assert.ok(first.headers['webhook-id'], 'a Standard Webhooks delivery');

  const opener = page.getByRole('button', { name: `Deliveries of ${receiver.url}` });
  await opener.click();
  await page.locator('#deliveries-list li[data-status=DELIVERED]').first().waitFor();
  await checkBothWidths('deliveries-dialog');
  await page.locator('#deliveries-list li[data-status=DELIVERED] button').first().click();
  await until(() => receiver.received.length >= 2, 'the redelivery');
  assert.equal(receiver.received[1].headers['webhook-id'], first.headers['webhook-id'], 'the same event again');
  await page.keyboard.press('Escape');
  await focusReturnsTo(`Deliveries of ${receiver.url}`, 'focus returns to the deliveries button');

  // Remove it, behind a confirmation.
  await page.getByRole('button', { name: `Remove ${receiver.url}` }).click();
  await page.getByRole('button', { name: 'Yes, remove' }).click();
  await page.locator('#webhook-empty').waitFor();
  assert.equal(await page.locator('#webhook-secret').isHidden(), true, 'the secret of a removed endpoint is not left on screen');
  const { body } = await admin.call('GET', '/members/v1/webhooks');
  assert.deepEqual(body.webhooks, []);
});

test('CSV export of the filtered set: the canonical columns, quoted, as `universal-members export` writes them', async () => {
  await page.click('#tab-all');
  await page.waitForURL((url) => url.search === '');
  await listedNames();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csv = readFileSync(await download.path(), 'utf8');
  const { stdout } = await promisify(execFile)(process.execPath, [
    path.join(PKG, 'cli.mjs'), 'export', '--db', `sqlite:${database}`, '--format', 'csv',
  ]);
  assert.equal(csv, stdout, 'the page writes what export writes');
  const [header, ...rows] = csv.trimEnd().split('\n');
  assert.ok(header.startsWith('id,loginEmail,loginEmailVerified,status,privacyStatus,activityStatus,contactId,firstName,lastName,nickname'));
  assert.equal(rows.length, 6);
  assert.ok(csv.includes('"O\'Neil, ""Jr"""'), 'a comma and quotes are quoted');
  assert.ok(csv.includes('Ana Łukasz'));

  // The filtered set only.
  await page.click('#tab-blocked');
  await page.waitForURL(/status=BLOCKED/);
  await listedNames();
  const [blocked] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const blockedRows = readFileSync(await blocked.path(), 'utf8').trimEnd().split('\n').slice(1);
  assert.equal(blockedRows.length, 2);
  assert.ok(blockedRows.every((row) => row.split(',')[3] === 'BLOCKED'));
  assert.ok(blockedRows.every((row) => row.includes('spam')), 'the blocked ones are the two spammers');
});

test('bulk delete of the filtered set, after its count', async () => {
  await page.click('#tab-all');
  await page.waitForURL((url) => url.search === '');
  await page.fill('#f-q', 'hooked');
  await page.waitForURL(/q=hooked/);
  assert.deepEqual(await listedNames(), ['Hooked Hana']);
  await page.click('[data-bulk=delete]');
  await page.locator('#bulk-go').waitFor();
  assert.match(await page.locator('#bulk-summary').textContent(), /^1 member match .*export a CSV first/);
  assert.equal(await page.locator('#bulk-go').textContent(), 'Delete 1 member');
  await page.click('#bulk-go');
  await page.waitForFunction(() => document.getElementById('bulk-dialog').dataset.job === 'FINISHED');
  assert.match(await page.locator('#bulk-counters').textContent(), /1 deleted, 0 failed, of 1/);
  assert.equal((await admin.call('GET', `/members/v1/members/${people.hooked.id}`)).status, 404);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelectorAll('#members tbody tr').length === 0);
  assert.equal((await admin.getMember(people.ana.id)).status, 'APPROVED', 'the others are still there');
});

test('more members than a page holds: Next and Previous page by cursor', async () => {
  for (let i = 0; i < 27; i++) {
    await admin.createMember({ loginEmail: `crowd${i}@example.com`, profile: { nickname: `Crowd ${String(i).padStart(2, '0')}` } });
  }
  await page.fill('#f-q', 'crowd');
  await page.waitForURL(/q=crowd/);
  await until(async () => (await listedNames()).length === 25, 'a full first page');
  const first = await listedNames();
  assert.match(await page.locator('#members-caption').textContent(), /^Members 1–25 of 27/);
  assert.equal(await page.locator('#page-info').textContent(), 'Page 1 of 2');
  await page.click('#next-page');
  await until(async () => (await listedNames()).length === 2, 'the second page');
  const second = await listedNames();
  assert.equal(new Set([...first, ...second]).size, 27, 'the two pages together hold every one, once');
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('table-wrap')), true, 'focus moves to the list');
  assert.equal(await page.locator('#next-page').isDisabled(), true);
  await page.click('#prev-page');
  await until(async () => (await listedNames()).length === 25, 'the first page again');
  assert.deepEqual(await listedNames(), first);
  await checkBothWidths('paged');
});

test('keyboard: Tab reaches the controls in order; sign out ends the admin cookie', async () => {
  await page.click('#tab-all');
  await page.focus('#sign-out');
  const order = [];
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim()));
  }
  assert.deepEqual(order.slice(0, 6), ['tab-all', 'tab-pending', 'tab-blocked', 'f-q', 'f-status', 'f-privacy']);
  const visible = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(visible, 'none', 'the focused control shows a ring');

  await page.click('#sign-out');
  await page.locator('#signin').waitFor();
  assert.equal(await page.locator('#members tbody tr').count(), 0, 'no member data is left in the page');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'admin-key');
  assert.equal((await context.cookies()).some((c) => c.name === 'members_admin' && c.value), false);
  const session = await page.evaluate(() => fetch('/members/v1/auth/admin-session').then((r) => r.json()));
  assert.deepEqual(session, { admin: false });
  // The wrong key's 401 is on purpose. A reload or sign-out aborts whatever is in
  // flight (the event stream, and a list refresh an event started just before):
  // Chromium reports that as ERR_ABORTED, which a failing server never causes.
  const onPurpose = ({ text }) => /status of 401/.test(text) || /net::ERR_ABORTED$/.test(text);
  assert.deepEqual(pageErrors.filter((e) => !onPurpose(e)), [], 'no errors in the page');
});
