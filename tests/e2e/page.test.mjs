// The members-area page in a real browser (Chromium via playwright-core): the
// built package's server serves the page, the page lists the public members and
// searches them, and the page's own `members` object answers the same values and
// errors a Node backend gets. Needs `make build` first (it runs on pkg/ as built,
// or on the package folder MEMBERS_E2E_PKG names). The session panel: auth.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, ADMIN_KEY, startServer, launchBrowser, watchErrors, adminApi, tempDir } from './support.mjs';

const SCREENSHOT = path.join(ROOT, '.build', 'e2e-page.png');

let temp;
let server;
let baseUrl;
let browser;
let page;
const pageErrors = [];
const people = {};

/** Creates a member over REST with the admin key; returns it (REST naming). */
const createOverRest = (member) => adminApi(baseUrl).createMember(member);

before(async () => {
  temp = tempDir();
  server = await startServer({ database: path.join(temp.dir, 'members.db') });
  baseUrl = server.url;
  people.alma = await createOverRest({ loginEmail: 'alma@example.com', profile: { nickname: 'Alma' } });
  people.alberto = await createOverRest({ loginEmail: 'alberto@example.com', profile: { nickname: 'Alberto' } });
  people.bea = await createOverRest({ loginEmail: 'bea@example.com', profile: { nickname: 'Bea' } });
  people.hidden = await createOverRest({
    loginEmail: 'hidden@example.com', privacyStatus: 'PRIVATE', profile: { nickname: 'Alhidden' },
  });
  assert.equal(people.hidden.privacyStatus, 'PRIVATE');

  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 900, height: 640 } });
  watchErrors(page, pageErrors);
  await page.goto(baseUrl);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  temp?.remove();
});

/** The nicknames the page lists, once it has finished loading. */
async function listedNames() {
  await page.waitForFunction(() => document.getElementById('status').textContent !== 'Loading…');
  return page.locator('#members li strong').allTextContents();
}

test('the page lists the public members and not the private one', async () => {
  assert.deepEqual(await listedNames(), ['Alberto', 'Alma', 'Bea']);
  assert.equal(await page.locator('#status').textContent(), '3 members');
  assert.equal(await page.locator('#pager').isVisible(), false, 'one page needs no pager');
  const ids = await page.locator('#members li').evaluateAll((items) => items.map((li) => li.dataset.id));
  assert.ok(!ids.includes(people.hidden.id), 'the private member is not listed');
});

test('the search box finds members by nickname and clearing it lists all again', async () => {
  await page.fill('#q', 'alb');
  await page.click('#search button[type=submit]');
  await page.waitForFunction(() => document.querySelectorAll('#members li').length === 1);
  assert.deepEqual(await listedNames(), ['Alberto']);
  assert.equal(await page.locator('#status').textContent(), '1 member');

  await page.fill('#q', 'hidden');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => document.getElementById('status').textContent === 'No members found.');
  assert.deepEqual(await listedNames(), []);

  await page.fill('#q', '');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => document.querySelectorAll('#members li').length === 3);
  assert.deepEqual(await listedNames(), ['Alberto', 'Alma', 'Bea']);
});

test("the page's members object reads members as a visitor", async () => {
  const got = await page.evaluate(async ({ publicId, privateId }) => {
    const { members, MembersError } = await import('/pkg/browser.mjs');
    const alma = await members.getMember(publicId);
    let hidden;
    try {
      await members.getMember(privateId);
      hidden = { rejected: false };
    } catch (error) {
      hidden = {
        rejected: true,
        isMembersError: error instanceof MembersError,
        isError: error instanceof Error,
        name: error.name,
        code: error.code,
        applicationCode: error.applicationCode,
        httpStatus: error.httpStatus,
      };
    }
    const found = await members.queryMembers().startsWith('profile.nickname', 'al').ascending('profile.nickname').find();
    return {
      alma: {
        id: alma._id,
        nickname: alma.profile.nickname,
        createdIsDate: alma._createdDate instanceof Date,
        updatedIsDate: alma._updatedDate instanceof Date,
        created: alma._createdDate.toISOString(),
        loginEmail: alma.loginEmail,
        privacyStatus: alma.privacyStatus,
      },
      hidden,
      found: { names: found.items.map((m) => m.profile.nickname), totalCount: found.totalCount, datesAreDates: found.items.every((m) => m._createdDate instanceof Date) },
    };
  }, { publicId: people.alma.id, privateId: people.hidden.id });

  assert.equal(got.alma.id, people.alma.id);
  assert.equal(got.alma.nickname, 'Alma');
  assert.ok(got.alma.createdIsDate && got.alma.updatedIsDate, 'dates arrive as Date');
  assert.equal(got.alma.created, new Date(people.alma.createdDate).toISOString());
  assert.equal(got.alma.loginEmail, undefined, 'a visitor gets the PUBLIC fieldset');
  assert.equal(got.alma.privacyStatus, 'UNKNOWN');

  assert.deepEqual(got.hidden, {
    rejected: true, isMembersError: true, isError: true, name: 'MembersError',
    code: 'NOT_FOUND', applicationCode: 'MEMBER_NOT_FOUND', httpStatus: 404,
  });

  assert.deepEqual(got.found, { names: ['Alberto', 'Alma'], totalCount: 2, datesAreDates: true });
});

test('a visitor can not create members, and elevate() is refused in the browser', async () => {
  const got = await page.evaluate(async () => {
    const { members, MembersError, elevate } = await import('/pkg/browser.mjs');
    const describe = (error) => ({
      isMembersError: error instanceof MembersError, code: error.code, applicationCode: error.applicationCode,
    });
    let created;
    try {
      await members.createMember({ member: { loginEmail: 'visitor@example.com' } });
      created = 'resolved';
    } catch (error) {
      created = describe(error);
    }
    let elevated;
    try {
      elevate(() => members.createMember({ member: { loginEmail: 'visitor2@example.com' } }));
      elevated = 'returned';
    } catch (error) {
      elevated = describe(error);
    }
    return { created, elevated };
  });
  assert.deepEqual(got.created, { isMembersError: true, code: 'UNAUTHENTICATED', applicationCode: 'UNAUTHENTICATED' });
  assert.equal(got.elevated.isMembersError, true);
  assert.equal(got.elevated.code, 'PERMISSION_DENIED');

  // Nothing was created behind the error.
  const response = await fetch(`${baseUrl}/members/v1/members/count`, {
    method: 'POST', headers: { authorization: ADMIN_KEY, 'content-type': 'application/json' }, body: '{}',
  });
  assert.deepEqual(await response.json(), { count: 4 }, 'nothing was created');
});

test('the server serves its OpenAPI document next to the page', async () => {
  const response = await fetch(`${baseUrl}/openapi.json`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/json');
  const doc = await response.json();
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.paths['/members/v1/members/{id}'].get.operationId, 'getMember');
});

test('more members than a page holds: the pager pages forward and back', async () => {
  await Promise.all(Array.from({ length: 18 }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return createOverRest({ loginEmail: `member${n}@example.com`, profile: { nickname: `Member ${n}` } });
  }));
  await page.reload();
  const first = await listedNames();
  assert.equal(first.length, 20);
  assert.deepEqual(first.slice(0, 4), ['Alberto', 'Alma', 'Bea', 'Member 01']);
  assert.equal(await page.locator('#status').textContent(), '1–20 of 21 members');
  assert.equal(await page.locator('#page').textContent(), 'Page 1 of 2');
  assert.ok(await page.locator('#prev').isDisabled());

  await page.click('#next');
  await page.waitForFunction(() => document.getElementById('page').textContent === 'Page 2 of 2');
  assert.deepEqual(await listedNames(), ['Member 18']);
  assert.ok(await page.locator('#next').isDisabled());

  await page.click('#prev');
  await page.waitForFunction(() => document.getElementById('page').textContent === 'Page 1 of 2');
  assert.deepEqual(await listedNames(), first);
});

test('the page renders without errors (screenshot in .build/e2e-page.png)', async () => {
  await page.reload();
  assert.equal((await listedNames()).length, 20);
  assert.ok(await page.locator('#pager').isVisible());
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  // The calls above that fail on purpose answer 401/403/404 from the members API; the
  // browser logs those responses ("Failed to load resource"). Nothing else may.
  const onPurpose = ({ text, url }) => /Failed to load resource: the server responded with a status of (401|403|404)/.test(text)
    && new URL(url ?? '', baseUrl).pathname.startsWith('/members/v1/members');
  assert.deepEqual(pageErrors.filter((e) => !onPurpose(e)).map((e) => `${e.text} ${e.url ?? ''}`), []);
});
