// Every call a member makes on itself (SPEC §4–§5, §10), made from a real page
// (Chromium via playwright-core) with the cookie session, against a real server
// process on SQLite, and checked through the admin API over HTTP: clearing my
// addresses, emails and phones (and not another member's), changing my login
// email, `loggedIn()` as the session starts and ends (also when the server ends
// it), deleting my account through the page's confirm step, and what a visitor
// gets from the current-member calls.
// Needs `make build` first (it copies www/ into the package), or MEMBERS_E2E_PKG
// naming a package folder.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  startServer, launchBrowser, watchErrors, adminApi, call, tempDir,
} from './support.mjs';
import { showForm, messageBox } from './area-support.mjs';

const PASSWORD = 'correct horse battery';

let temp;
let server;
let baseUrl;
let admin;
let browser;
const pageErrors = [];

before(async () => {
  temp = tempDir();
  server = await startServer({
    database: path.join(temp.dir, 'members.db'),
    env: { MEMBERS_MAILBOX: path.join(temp.dir, 'mailbox.jsonl') },
  });
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

const settled = () => Number(document.getElementById('session').dataset.done ?? 0) >= 1
  && document.getElementById('status').textContent !== 'Loading…';

/** Opens the page and waits until the session panel knows who is there. */
async function openPage(context) {
  const page = await context.newPage();
  watchErrors(page, pageErrors);
  await page.goto(`${baseUrl}/account/my-account`);
  await page.waitForFunction(settled);
  return page;
}

async function reload(page) {
  await page.reload();
  await page.waitForFunction(settled);
}

const stateOf = (page) => page.locator('#session').getAttribute('data-state');
const text = async (page, selector) => (await page.locator(selector === '#notice' ? await messageBox(page, 'notice') : selector).textContent()).trim();

/** Does one thing on the session panel and waits until the page has finished it. */
async function act(page, action) {
  const before = Number((await page.locator('#session').getAttribute('data-done')) ?? 0);
  await action();
  await page.waitForFunction((n) => Number(document.getElementById('session').dataset.done ?? 0) > n
    && document.getElementById('status').textContent !== 'Loading…', before);
}

/** Logs in through the page's login form. */
const login = (page, email, password = PASSWORD) => act(page, async () => {
  await showForm(page, 'login-form');
  await page.fill('#login-email', email);
  await page.fill('#login-password', password);
  await page.click('#login-form button[type=submit]');
});

/** The role=alert box: shown or not, the error's code, its message. */
async function alertOf(page) {
  const box = page.locator(await messageBox(page, 'error'));
  return { shown: await box.isVisible(), code: await box.getAttribute('data-code'), text: (await box.textContent()).trim() };
}

/**
 * Runs `fn(api, describe, arg)` in the page with the page's own package
 * (`import('/pkg/browser.mjs')`): `api` is its exports, `describe(error)` the
 * plain form of a thrown error.
 */
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

/** Calls `members[name](...args)` in the page; the answer, or the error it threw. */
const membersCall = (page, name, ...args) => inPage(page, async ({ members }, describe, { name, args }) => {
  try {
    return { answer: (await members[name](...args)) ?? null };
  } catch (error) {
    return { error: describe(error) };
  }
}, { name, args });

/** `authentication.changeLoginEmail(id, email)` in the page; the answer or the error. */
const changeLoginEmail = (page, id, email) => inPage(page, async ({ authentication }, describe, { id, email }) => {
  try {
    return { answer: await authentication.changeLoginEmail(id, email) };
  } catch (error) {
    return { error: describe(error) };
  }
}, { id, email });

const loggedIn = (page) => inPage(page, ({ authentication }) => authentication.loggedIn());

async function cookiesOf(context) {
  const all = await context.cookies(baseUrl);
  return { session: all.find((c) => c.name === 'members_session'), flag: all.find((c) => c.name === 'members_logged_in') };
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

/** Registers a member over HTTP (no cookie mode: the token stays here, unused). */
async function register(email, nickname) {
  const { status, body } = await call(baseUrl, 'POST', '/members/v1/auth/register', {
    body: { email, password: PASSWORD, profile: { nickname } },
  });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.status, 'ACTIVE');
  return body.member;
}

/** The admin's raw read of a member: { status, body }. */
const adminRead = (id) => admin.call('GET', `/members/v1/members/${id}?fieldsets=FULL`);

/** Asserts that a page call was refused with `code` (a MembersError, the right HTTP status). */
function assertRefused(result, code, httpStatus, label) {
  assert.ok(result.error, `${label}: refused, not answered ${JSON.stringify(result.answer)}`);
  assert.equal(result.error.isMembersError, true, `${label}: a MembersError`);
  assert.equal(result.error.code, code, `${label}: ${JSON.stringify(result.error)}`);
  assert.equal(result.error.httpStatus, httpStatus, label);
  assert.ok(result.error.message.length > 0, `${label}: a message`);
}

// ---- my addresses, emails and phones ----

describe('clearing my addresses, emails and phones from the page', () => {
  let context;
  let page;
  let me;
  let other;

  const myContact = {
    firstName: 'Lia',
    addresses: [
      { addressLine: '1 Rua Augusta', city: 'Lisboa', country: 'PT', postalCode: '1100-053' },
      { addressLine: '2 Rua das Flores', city: 'Porto', country: 'PT' },
    ],
    emails: ['lia.work@example.com', 'lia.home@example.com'],
    phones: ['+351 21 000 0000', '+351 91 000 0000'],
  };

  before(async () => {
    me = await register('lia@example.com', 'Lia');
    other = await admin.createMember({
      loginEmail: 'omar@example.com',
      profile: { nickname: 'Omar' },
      contact: {
        addresses: [{ addressLine: '9 High Street', city: 'Leeds', country: 'GB' }],
        emails: ['omar.other@example.com'],
        phones: ['+44 113 000 0000'],
      },
    });
    context = await browser.newContext();
    page = await openPage(context);
    await login(page, 'lia@example.com');
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.equal(await stateOf(page), 'member');
  });
  after(() => context?.close());

  test('I give myself addresses, emails and phones with updateMember on myself', async () => {
    const { answer, error } = await membersCall(page, 'updateMember', me.id, { contact: myContact });
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(answer._id, me.id);
    const stored = (await admin.getMember(me.id)).contact;
    assert.equal(stored.firstName, 'Lia');
    assert.deepEqual(stored.addresses.map((a) => a.city), ['Lisboa', 'Porto']);
    assert.ok(stored.addresses.every((a) => typeof a.id === 'string' && a.id.length > 0), 'addresses get ids');
    assert.deepEqual(stored.emails, myContact.emails);
    assert.deepEqual(stored.phones, myContact.phones);
  });

  test('deleteMemberAddresses on myself empties my addresses only', async () => {
    const { answer, error } = await membersCall(page, 'deleteMemberAddresses', me.id);
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(answer.member?._id, me.id, `→ {member}: ${JSON.stringify(answer)}`);
    assert.deepEqual(answer.member.contact?.addresses, []);
    const stored = await admin.getMember(me.id);
    assert.deepEqual(stored.contact.addresses, []);
    assert.deepEqual(stored.contact.emails, myContact.emails, 'emails untouched');
    assert.deepEqual(stored.contact.phones, myContact.phones, 'phones untouched');
  });

  test('deleteMemberEmails on myself empties my emails and keeps my login email', async () => {
    const { answer, error } = await membersCall(page, 'deleteMemberEmails', me.id);
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(answer.member?._id, me.id, `→ {member}: ${JSON.stringify(answer)}`);
    assert.deepEqual(answer.member.contact?.emails, []);
    const stored = await admin.getMember(me.id);
    assert.deepEqual(stored.contact.emails, []);
    assert.equal(stored.loginEmail, 'lia@example.com', 'the login email stays');
    assert.deepEqual(stored.contact.phones, myContact.phones, 'phones untouched');
  });

  test('deleteMemberPhones on myself empties my phones; the rest of me stays', async () => {
    const { answer, error } = await membersCall(page, 'deleteMemberPhones', me.id);
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(answer.member?._id, me.id, `→ {member}: ${JSON.stringify(answer)}`);
    assert.deepEqual(answer.member.contact?.phones, []);
    const stored = await admin.getMember(me.id);
    assert.deepEqual(stored.contact, { ...stored.contact, firstName: 'Lia', addresses: [], emails: [], phones: [] });
    assert.equal(stored.profile.nickname, 'Lia');
    assert.equal(stored.loginEmail, 'lia@example.com');
  });

  test('with my login email kept, I still see it and can log in with it', async () => {
    await reload(page);
    assert.equal(await stateOf(page), 'member');
    assert.equal(await text(page, '#me-email'), 'lia@example.com');
    await act(page, () => page.click('#logout'));
    assert.equal(await stateOf(page), 'visitor');
    await login(page, 'lia@example.com');
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.equal(await stateOf(page), 'member');
    assert.equal(await page.locator('#me').getAttribute('data-id'), me.id);
  });

  test("the same calls on another member's id are PERMISSION_DENIED and change nothing", async () => {
    const before = await admin.getMember(other.id);
    assert.equal(before.contact.addresses.length, 1);
    // Omar is public and approved, so I can see him: the refusal is about the change.
    const seen = await membersCall(page, 'getMember', other.id);
    assert.equal(seen.answer?._id, other.id, JSON.stringify(seen));

    for (const name of ['deleteMemberAddresses', 'deleteMemberEmails', 'deleteMemberPhones']) {
      assertRefused(await membersCall(page, name, other.id), 'PERMISSION_DENIED', 403, name);
    }
    assertRefused(await membersCall(page, 'updateMember', other.id, { profile: { nickname: 'Hacked' } }), 'PERMISSION_DENIED', 403, 'updateMember');

    const afterwards = await admin.getMember(other.id);
    assert.deepEqual(afterwards, before, 'Omar is exactly as he was');
    assert.deepEqual(afterwards.contact.addresses.map((a) => a.city), ['Leeds']);
    assert.deepEqual(afterwards.contact.emails, ['omar.other@example.com']);
    assert.deepEqual(afterwards.contact.phones, ['+44 113 000 0000']);
    // And I am still logged in: a refusal does not end my session.
    assert.equal(await loggedIn(page), true);
    assert.equal((await membersCall(page, 'getCurrentMember')).answer?.member?._id, me.id);
  });
});

// ---- my login email, and loggedIn() ----

describe('changing my login email; loggedIn() as the session starts and ends', () => {
  let context;
  let page;
  let me;
  let taken;

  before(async () => {
    me = await register('max@example.com', 'Max');
    taken = await register('taken@example.com', 'Taken');
    context = await browser.newContext();
    page = await openPage(context);
  });
  after(() => context?.close());

  test('loggedIn() is false for a visitor and true once I log in through the page', async () => {
    assert.equal(await stateOf(page), 'visitor');
    assert.equal(await loggedIn(page), false);
    await login(page, 'max@example.com');
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.equal(await stateOf(page), 'member');
    assert.equal(await loggedIn(page), true);
  });

  test('changeLoginEmail on myself waits for the new address; a taken email and another member are refused', async () => {
    const inUse = await changeLoginEmail(page, me.id, 'TAKEN@example.com');
    assertRefused(inUse, 'ALREADY_EXISTS', 409, 'a taken email');
    assert.equal(inUse.error.applicationCode, 'EMAIL_ALREADY_EXISTS');
    assert.equal((await admin.getMember(me.id)).loginEmail, 'max@example.com');

    assertRefused(await changeLoginEmail(page, taken.id, 'stolen@example.com'), 'PERMISSION_DENIED', 403, "another member's login email");
    assert.equal((await admin.getMember(taken.id)).loginEmail, 'taken@example.com');

    // SPEC §10: the change is made only once the new address is verified.
    const changed = await changeLoginEmail(page, me.id, 'max.new@example.com');
    assert.equal(changed.error, undefined, JSON.stringify(changed.error));
    assert.equal(changed.answer._id, me.id, `→ member: ${JSON.stringify(changed.answer)}`);
    assert.equal(changed.answer.loginEmail, 'max@example.com');
    assert.equal((await admin.getMember(me.id)).loginEmail, 'max@example.com');

    // My session goes on, and the page still shows the current email.
    assert.equal(await loggedIn(page), true);
    await reload(page);
    assert.equal(await stateOf(page), 'member');
    assert.equal(await text(page, '#me-email'), 'max@example.com');
  });

  test('after logging out, the unverified new email does not log me in and the old one still does', async () => {
    await act(page, () => page.click('#logout'));
    assert.equal(await stateOf(page), 'visitor');
    assert.equal(await loggedIn(page), false, 'loggedIn() is false after logout');

    await login(page, 'max.new@example.com');
    const pending = await alertOf(page);
    assert.equal(pending.shown, true);
    assert.equal(pending.code, 'INVALID_CREDENTIALS');
    assert.equal(await stateOf(page), 'visitor');
    assert.equal(await loggedIn(page), false);

    await login(page, 'max@example.com');
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.equal(await stateOf(page), 'member');
    assert.equal(await page.locator('#me').getAttribute('data-id'), me.id);
    assert.equal(await text(page, '#me-email'), 'max@example.com');
    assert.equal(await loggedIn(page), true);
  });

  test('when an admin blocks me, my next call is a visitor and loggedIn() turns false', async () => {
    const blocked = await admin.call('POST', `/members/v1/members/${me.id}/block`, {});
    assert.equal(blocked.status, 200, JSON.stringify(blocked.body));
    // Nothing has told the page yet: the companion cookie is still there.
    assert.equal(await loggedIn(page), true, 'the page can not know before it asks the server');

    const current = await membersCall(page, 'getCurrentMember', { fieldsets: ['FULL'] });
    assert.deepEqual(current, { answer: {} }, 'getCurrentMember answers as to a visitor');
    assert.equal(await loggedIn(page), false, 'the server cleared the companion cookie');
    assert.deepEqual(await cookiesOf(context), { session: undefined, flag: undefined });

    // The panel still shows me until I do something; then it shows a visitor.
    assert.equal(await stateOf(page), 'member');
    await act(page, () => page.click('#leave'));
    const refused = await alertOf(page);
    assert.equal(refused.shown, true);
    assert.equal(refused.code, 'UNAUTHENTICATED');
    assert.equal(await stateOf(page), 'visitor');
    assert.ok(await page.locator('#open-login').isVisible());
    assert.match(await text(page, '#notice'), /session has ended/i);

    const stored = await admin.getMember(me.id);
    assert.equal(stored.status, 'BLOCKED');
    assert.equal(stored.privacyStatus, 'PUBLIC', 'the refused leave changed nothing');

    await login(page, 'max@example.com');
    assert.equal((await alertOf(page)).code, 'MEMBER_BLOCKED');
    assert.equal(await loggedIn(page), false);
  });
});

// ---- deleting my account ----

describe('deleting my account through the page', () => {
  let context;
  let page;
  let me;

  before(async () => {
    me = await register('nia@example.com', 'Nia');
    context = await browser.newContext();
    page = await openPage(context);
    await login(page, 'nia@example.com');
    assert.equal(await stateOf(page), 'member');
    await directoryLists(page, 'Nia');
  });
  after(() => context?.close());

  test('"Delete my account" asks first, and "Keep my account" keeps it', async () => {
    assert.ok(await page.locator('#delete-account').isVisible());
    assert.equal(await page.locator('#delete-confirm').isVisible(), false, 'no confirm step before asking');
    const deletes = [];
    page.on('request', (request) => { if (request.method() === 'DELETE') deletes.push(request.url()); });

    await page.click('#delete-account');
    assert.ok(await page.locator('#delete-confirm').isVisible(), 'the confirm step shows');
    assert.ok(await page.locator('#delete-confirm-yes').isVisible());
    assert.match(await text(page, '#delete-confirm'), /can not be undone/i);
    await page.click('#delete-cancel');
    assert.equal(await page.locator('#delete-confirm').isVisible(), false);

    assert.deepEqual(deletes, [], 'asking deletes nothing');
    assert.equal((await adminRead(me.id)).status, 200);
    assert.equal(await stateOf(page), 'member');
    assert.equal(await loggedIn(page), true);
  });

  test('confirming deletes me: gone for the admin, the page a visitor, my cookie dead', async () => {
    const { session: cookie } = await cookiesOf(context);
    assert.ok(cookie, 'logged in with a session cookie');

    await page.click('#delete-account');
    // The page asks for the account's email before it deletes.
    await page.fill('#delete-confirm-email', (await page.locator('#me-email').textContent()).trim());
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/members/v1/members/my' && r.request().method() === 'DELETE'),
      act(page, () => page.click('#delete-confirm-yes')),
    ]);
    assert.equal(response.status(), 200, await response.text());
    assert.equal((await alertOf(page)).shown, false, (await alertOf(page)).text);
    assert.match(await text(page, '#notice'), /deleted/i);
    assert.equal(await stateOf(page), 'visitor');
    assert.ok(await page.locator('#open-login').isVisible());
    assert.equal(await page.locator('#me').isVisible(), false);
    await directoryLists(page, 'Nia', false);

    const gone = await adminRead(me.id);
    assert.equal(gone.status, 404, JSON.stringify(gone.body));
    assert.equal(gone.body.details?.applicationError?.code, 'MEMBER_NOT_FOUND');

    assert.equal(await loggedIn(page), false, 'loggedIn() is false once I am deleted');
    assert.deepEqual(await cookiesOf(context), { session: undefined, flag: undefined }, 'the answer cleared both cookies');
    assert.deepEqual(await membersCall(page, 'getCurrentMember'), { answer: {} });
    await reload(page);
    assert.equal(await stateOf(page), 'visitor');

    // The old cookie value is a visitor's; as Bearer it is SESSION_INVALID.
    const asCookie = await call(baseUrl, 'GET', '/members/v1/members/my', { headers: { cookie: `members_session=${cookie.value}` } });
    assert.equal(asCookie.status, 200);
    assert.equal(asCookie.body.member, undefined, 'the old cookie reads as a visitor');
    const asBearer = await call(baseUrl, 'GET', '/members/v1/members/my', { headers: { authorization: `Bearer ${cookie.value}` } });
    assert.equal(asBearer.status, 401);
    assert.equal(asBearer.body.details?.applicationError?.code, 'SESSION_INVALID');
    const again = await call(baseUrl, 'DELETE', '/members/v1/members/my', { headers: { cookie: `members_session=${cookie.value}`, origin: baseUrl } });
    assert.equal(again.status, 401, JSON.stringify(again.body));

    await login(page, 'nia@example.com');
    assert.equal((await alertOf(page)).code, 'INVALID_CREDENTIALS', 'my account is gone');
    assert.equal(await stateOf(page), 'visitor');
  });
});

// ---- a visitor ----

describe('a visitor calling the current-member calls', () => {
  let context;
  let page;

  before(async () => {
    context = await browser.newContext();
    page = await openPage(context);
  });
  after(() => context?.close());

  test('getCurrentMember is {}, and the calls on "me" are UNAUTHENTICATED', async () => {
    assert.equal(await stateOf(page), 'visitor');
    assert.equal(await loggedIn(page), false);
    assert.deepEqual(await cookiesOf(context), { session: undefined, flag: undefined });
    const before = (await admin.call('GET', '/members/v1/members?paging.limit=100')).body.members;

    assert.deepEqual(await membersCall(page, 'getCurrentMember'), { answer: {} });
    assert.deepEqual(await membersCall(page, 'getCurrentMember', { fieldsets: ['FULL'] }), { answer: {} });
    assertRefused(await membersCall(page, 'joinCommunity'), 'UNAUTHENTICATED', 401, 'joinCommunity');
    assertRefused(await membersCall(page, 'leaveCommunity'), 'UNAUTHENTICATED', 401, 'leaveCommunity');
    assertRefused(await membersCall(page, 'updateCurrentMemberSlug', 'visitor-slug'), 'UNAUTHENTICATED', 401, 'updateCurrentMemberSlug');
    assertRefused(await membersCall(page, 'deleteMyMember'), 'UNAUTHENTICATED', 401, 'deleteMyMember');

    const afterwards = (await admin.call('GET', '/members/v1/members?paging.limit=100')).body.members;
    assert.deepEqual(afterwards, before, 'no member changed');
    assert.equal(await loggedIn(page), false);
  });
});

test('the pages ran without errors besides the refusals they asked for', () => {
  const onPurpose = ({ text, url }) => /Failed to load resource: the server responded with a status of (401|403|404|409)/.test(text)
    && /^\/members\/v1\/(members|auth)/.test(new URL(url ?? '', baseUrl).pathname);
  assert.deepEqual(pageErrors.filter((e) => !onPurpose(e)).map((e) => `${e.text} ${e.url ?? ''}`), []);
});
