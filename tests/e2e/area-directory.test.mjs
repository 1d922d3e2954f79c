// The members directory in Chromium against a real server: search as you type
// (debounced, one history entry per search), sort and cursor pages with their
// state in the URL (back/forward and reload keep it), the four empty states
// (first use, no results, an error with Retry, not allowed), the sign-in dialog
// by keyboard (Escape closes it, focus returns), 24 px targets, axe-core and
// screenshots at 375 and 1280 px. Needs the package built (or MEMBERS_E2E_PKG).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, adminApi, tempDir } from './support.mjs';
import { openApp, listed, settled, checkAtWidths, assertTargets } from './area-support.mjs';

let temp;
let server;
let empty;
let browser;
const pageErrors = [];
const NAMES = ['Anna Berg', 'Annabel Cruz', 'Annika Dahl', 'Bruno Eck', 'Chloé Faure', 'Dmitri Gorin', 'Émile Hart', 'Farah Iqbal'];

before(async () => {
  temp = tempDir();
  [server, empty] = await Promise.all([
    startServer({ database: path.join(temp.dir, 'members.db') }),
    startServer({ database: path.join(temp.dir, 'empty.db') }),
  ]);
  const admin = adminApi(server.url);
  // 45 public members: the named ones and "Member 01" … "Member 37"; one private one.
  const all = [...NAMES, ...Array.from({ length: 37 }, (_, i) => `Member ${String(i + 1).padStart(2, '0')}`)];
  for (const nickname of all) {
    await admin.createMember({ loginEmail: `${nickname.normalize('NFD').replace(/[^\w]/g, '').toLowerCase()}@example.com`, profile: { nickname } });
  }
  await admin.createMember({ loginEmail: 'anna.private@example.com', privacyStatus: 'PRIVATE', profile: { nickname: 'Annalise Private' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([server?.stop(), empty?.stop()]);
  temp?.remove();
});

const params = (page) => Object.fromEntries(new URL(page.url()).searchParams);

test('cursor pages: next and previous, the URL says which, reload and back/forward keep it', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await openApp(context, `${server.url}/members`, pageErrors);
  const first = await listed(page);
  assert.equal(first.length, 20);
  assert.equal(first[0], 'Anna Berg', 'sorted by name');
  assert.equal(await page.locator('#status').textContent(), '1–20 of 45 members');
  assert.equal(await page.locator('#page').textContent(), 'Page 1 of 3');
  await checkAtWidths(page, 'directory-page1');
  await assertTargets(page, 'the directory');

  await page.click('#next');
  await settled(page);
  assert.equal(params(page).page, '2');
  assert.ok(params(page).after, 'the cursor is in the URL');
  const second = await listed(page);
  assert.equal(second.length, 20);
  assert.ok(!second.includes(first[0]));
  assert.equal(await page.locator('#status').textContent(), '21–40 of 45 members');
  assert.equal(await page.evaluate(() => document.activeElement.closest('#members li') !== null), true, 'focus moves to the new page');
  await page.click('#next');
  await settled(page);
  assert.equal((await listed(page)).length, 5);
  assert.equal(await page.locator('#next').isDisabled(), true);

  await page.reload();
  await settled(page);
  assert.equal((await listed(page)).length, 5, 'reload keeps page 3');
  await page.click('#prev');
  await settled(page);
  assert.deepEqual(await listed(page), second, 'previous goes back to page 2');
  await page.goBack();
  await settled(page);
  assert.equal(params(page).page, '3');
  await page.goBack();
  await page.goBack();
  await settled(page);
  assert.deepEqual(await listed(page), first, 'back to page 1');
  await context.close();
});

test('search as you type: debounced, one history entry per search; back and forward restore it', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 } });
  const page = await openApp(context, `${server.url}/members`, pageErrors);
  let queries = 0;
  page.on('request', (request) => { if (request.url().endsWith('/members/v1/members/query')) queries += 1; });
  await page.locator('#q').pressSequentially('ann', { delay: 40 });
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'ann');
  await settled(page);
  assert.deepEqual(await listed(page), ['Anna Berg', 'Annabel Cruz', 'Annika Dahl'], 'the private Annalise is not listed');
  assert.equal(queries, 1, 'three keys, one request');
  assert.equal(await page.locator('#status').textContent(), '3 members');
  await page.locator('#q').pressSequentially('ab', { delay: 40 });
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'annab');
  assert.deepEqual(await listed(page), ['Annabel Cruz']);
  await checkAtWidths(page, 'directory-search');

  // Sort is a step of its own (a new entry); reload keeps query and sort.
  await page.selectOption('#sort', 'newest');
  await settled(page);
  assert.deepEqual(params(page), { q: 'annab', sort: 'newest' });
  await page.reload();
  await settled(page);
  assert.equal(await page.inputValue('#q'), 'annab');
  assert.equal(await page.inputValue('#sort'), 'newest');
  assert.deepEqual(await listed(page), ['Annabel Cruz']);

  await page.goBack();
  await settled(page);
  assert.deepEqual(params(page), { q: 'annab' }, 'typing further replaced the entry: back is before the sort');
  await page.goBack();
  await settled(page);
  assert.deepEqual(params(page), {}, 'back again is the list before the search');
  assert.equal(await page.inputValue('#q'), '');
  assert.equal((await listed(page)).length, 20);
  await page.goForward();
  await settled(page);
  assert.equal(await page.inputValue('#q'), 'annab');
  assert.deepEqual(await listed(page), ['Annabel Cruz']);

  // Sorted newest first: the last created comes first.
  await page.fill('#q', '');
  await page.press('#q', 'Enter');
  await page.selectOption('#sort', 'newest');
  await settled(page);
  assert.equal((await listed(page))[0], 'Member 37');
  await context.close();
});

test('an older answer never replaces a newer one', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, `${server.url}/members`, pageErrors);
  // The first search is slowed down; the second one answers first.
  let slowed = false;
  await page.route('**/members/v1/members/query', async (route) => {
    if (!slowed && (route.request().postData() ?? '').includes('"bruno"')) {
      slowed = true;
      await new Promise((resolve) => setTimeout(resolve, 1200));
    }
    await route.continue();
  });
  await page.fill('#q', 'bruno');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'bruno');
  await page.fill('#q', 'farah');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'farah');
  await page.waitForTimeout(1500);
  await settled(page);
  assert.deepEqual(await listed(page), ['Farah Iqbal']);
  await context.close();
});

test('the four empty states: first use, no results, error with Retry, not allowed', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // First use: nobody is listed yet.
  const fresh = await openApp(context, `${empty.url}/members`, pageErrors);
  assert.equal(await fresh.locator('#empty').getAttribute('data-kind'), 'first');
  assert.equal(await fresh.locator('#empty-title').textContent(), 'No members yet');
  await checkAtWidths(fresh, 'directory-first-use');
  await fresh.click('#empty-action');
  assert.equal(await fresh.locator('#auth-dialog').evaluate((d) => d.open && d.dataset.mode), 'register', 'the action offers to sign up');
  await fresh.keyboard.press('Escape');

  // No results, with the query repeated and a way to clear it.
  const page = await openApp(context, `${server.url}/members?q=zzzz`, pageErrors);
  assert.equal(await page.locator('#empty').getAttribute('data-kind'), 'none');
  assert.match(await page.locator('#empty-text').textContent(), /“zzzz”/);
  await checkAtWidths(page, 'directory-no-results');
  await page.click('#empty-action');
  await settled(page);
  assert.deepEqual(params(page), {});
  assert.equal((await listed(page)).length, 20);

  // An error is not "nothing here": it says so and offers Retry.
  await page.route('**/members/v1/members/query', (route) => route.fulfill({
    status: 503, contentType: 'application/json',
    body: JSON.stringify({ message: 'the server is busy', details: { applicationError: { code: 'UNAVAILABLE', description: 'the server is busy', data: {} } } }),
  }));
  await page.fill('#q', 'anna');
  await page.waitForFunction(() => document.getElementById('empty').dataset.kind === 'error' && !document.getElementById('empty').hidden);
  assert.equal(await page.locator('#empty-title').textContent(), 'The directory could not be loaded');
  assert.equal(await page.locator('#empty-action').textContent(), 'Try again');
  await checkAtWidths(page, 'directory-error');
  await page.unroute('**/members/v1/members/query');
  await page.click('#empty-action');
  await settled(page);
  assert.deepEqual(await listed(page), ['Anna Berg', 'Annabel Cruz']);

  // Not allowed: a directory the site keeps for members.
  await page.route('**/members/v1/members/query', (route) => route.fulfill({
    status: 403, contentType: 'application/json',
    body: JSON.stringify({ message: 'the directory is for members', details: { applicationError: { code: 'PERMISSION_DENIED', description: 'the directory is for members', data: {} } } }),
  }));
  await page.reload();
  await page.waitForFunction(() => document.getElementById('empty').dataset.kind === 'denied' && !document.getElementById('empty').hidden);
  assert.equal(await page.locator('#empty-title').textContent(), 'The directory is for members only');
  await checkAtWidths(page, 'directory-not-allowed');
  await page.click('#empty-action');
  assert.equal(await page.locator('#auth-dialog').evaluate((d) => d.open && d.dataset.mode), 'login');
  await context.close();
});

test('by keyboard: the dialog opens, Escape closes it and focus returns; the tab order is sensible', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await openApp(context, `${server.url}/members`, pageErrors);
  const order = [];
  for (let i = 0; i < 8; i += 1) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => {
      const el = document.activeElement;
      return el.id || el.textContent.trim();
    }));
  }
  assert.deepEqual(order, ['Skip to content', 'Members', 'Directory', 'My account', 'open-login', 'open-signup', 'q', 'sort']);
  // The focus ring is visible.
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');

  await page.focus('#open-login');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'login-email');
  await checkAtWidths(page, 'dialog-login');
  await assertTargets(page, 'the login dialog');
  // Forgot password and back, by keyboard.
  await page.focus('#login-form [data-open="forgot"]');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#forgot-form').isVisible(), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'forgot-email');
  await checkAtWidths(page, 'dialog-forgot');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#auth-dialog').evaluate((d) => d.open), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'open-login', 'focus returns to the button that opened it');
  // The close button does the same.
  await page.click('#open-signup');
  await page.click('#auth-close');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'open-signup');
  assert.deepEqual(pageErrors.filter((e) => !/status of (403|503)/.test(e.text)), []);
  await context.close();
});
