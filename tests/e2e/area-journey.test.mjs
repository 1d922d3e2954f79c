// The members area as a new member and a visitor use it, in Chromium against a
// real server that requires verified emails and makes new members private: sign
// up in the dialog → the mailed code → My account (an invalid phone's error next
// to the field, a taken profile address shown inline) → join the community → a
// visitor finds the member in the directory and opens the profile URL → leave →
// the visitor gets "not found" → the admin signs in at /admin, approves a pending
// member from the Pending tab, bulk-blocks a filtered set after its dry-run count
// and watches the job finish → the blocked member's login is refused → the admin
// adds a webhook endpoint and sees the delivery of the next change; then sessions
// ("sign out other devices") and deleting the account behind typing its email;
// axe-core and screenshots of every page and dialog at 375 and 1280 px. Needs the
// package built (or MEMBERS_E2E_PKG).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ADMIN_KEY, startServer, launchBrowser, adminApi, tempDir, startReceiver, until, watchErrors,
} from './support.mjs';
import {
  PASSWORD, openApp, act, submit, listed, settled, mailTo, checkAtWidths, assertTargets,
} from './area-support.mjs';

let temp;
let server;
let browser;
let mailbox;
let admin;
let receiver;
let pending;
const pageErrors = [];
const EMAIL = 'zoe.quartz@example.com';

before(async () => {
  temp = tempDir();
  mailbox = path.join(temp.dir, 'mailbox.jsonl');
  server = await startServer({
    database: path.join(temp.dir, 'members.db'),
    env: {
      MEMBERS_MAILBOX: mailbox, MEMBERS_EMAIL_VERIFICATION: 'required', MEMBERS_DEFAULT_PRIVACY: 'PRIVATE',
      MEMBERS_WEBHOOK_ALLOW_PRIVATE: '1',
    },
  });
  admin = adminApi(server.url);
  receiver = await startReceiver();
  // A member brought over from another site while still waiting for approval.
  const now = new Date().toISOString();
  pending = {
    id: '7d3c6a52-0d5b-4c3e-9a57-5f1b2c7e9a10', contactId: '7d3c6a52-0d5b-4c3e-9a57-5f1b2c7e9a11',
    loginEmail: 'pat@example.com', status: 'PENDING', privacyStatus: 'PUBLIC', activityStatus: 'ACTIVE',
    createdDate: now, updatedDate: now, profile: { nickname: 'Pat Pending', slug: 'pat' },
  };
  const imported = await admin.call('POST', '/members/v1/members/import', { members: [pending] });
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
  await admin.createMember({ loginEmail: 'ann@example.com', privacyStatus: 'PUBLIC', profile: { nickname: 'Ann Lee', title: 'Potter' } });
  const taken = await admin.createMember({ loginEmail: 'taken@example.com', privacyStatus: 'PUBLIC', profile: { nickname: 'Taken' } });
  const slug = await admin.call('POST', `/members/v1/members/${taken.id}/slug`, { slug: 'zoe' });
  assert.equal(slug.status, 200, JSON.stringify(slug.body));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await receiver?.close();
  await server?.stop();
  temp?.remove();
});

// Refusals the journey asks for (400 for a bad email, 409 for a taken address, 401
// for a login after deleting) are logged by Chromium as failed loads; they are expected.
const realErrors = () => pageErrors.filter((e) => !/status of 4\d\d/.test(e.text));

test('sign up → verify → edit with field errors → slug conflict → join → found → leave → not found', async () => {
  const memberContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await openApp(memberContext, server.url, pageErrors);
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'visitor');
  await checkAtWidths(page, 'directory');
  await assertTargets(page, 'the directory');

  // Sign up in the dialog; the site wants the email verified, so the code step follows.
  await page.click('#open-signup');
  assert.equal(await page.locator('#auth-dialog').evaluate((d) => d.open), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'register-email', 'focus moves into the dialog');
  await checkAtWidths(page, 'dialog-signup');
  await submit(page, 'register-form', { '#register-email': EMAIL, '#register-password': PASSWORD, '#register-nickname': 'Zoë Quartz' });
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'visitor', 'no session before verifying');
  assert.equal(await page.locator('#verify-form').isVisible(), true, 'the code step is shown in the dialog');
  assert.equal(await page.inputValue('#verify-email'), EMAIL);
  assert.match(await page.locator('#dialog-notice').textContent(), /mailed you a code/);
  await checkAtWidths(page, 'dialog-verify');
  const code = /Your code: (\d{6})/.exec(mailTo(mailbox, EMAIL).text)[1];
  await submit(page, 'verify-form', { '#verify-code': code });
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'member');
  assert.equal(await page.locator('#auth-dialog').evaluate((d) => d.open), false, 'the dialog closes once in');
  assert.equal(await page.locator('#who').textContent(), 'Zoë Quartz');

  // My account: an invalid phone is refused, and its error sits next to the field.
  await page.click('nav.main a[href="/account/my-account"]');
  await settled(page);
  assert.equal(new URL(page.url()).pathname, '/account/my-account');
  await page.waitForSelector('#me:not([hidden])');
  assert.equal(await page.locator('#me-email').textContent(), EMAIL);
  assert.equal(await page.locator('#me-verified').textContent(), 'verified');
  await page.fill('#first-name', 'Zoë');
  await page.fill('#last-name', 'Quartz');
  await page.fill('#profile-title', 'Glassblower');
  await page.click('#add-phone');
  await page.fill('#phone-rows li:nth-child(1) input', '+49 30 1234567');
  await page.click('#add-phone');
  const badPhone = page.locator('#phone-rows li:nth-child(2) input');
  assert.equal(await page.evaluate(() => document.activeElement.closest('#phone-rows li:nth-child(2)') !== null), true, 'a new row takes focus');
  await badPhone.fill('call me');
  await page.click('#add-address');
  await page.fill('#address-rows li:nth-child(1) input[name=addressLine]', '1 Glass Street');
  await page.fill('#address-rows li:nth-child(1) input[name=city]', 'Berlin');
  await page.fill('#address-rows li:nth-child(1) input[name=country]', 'de');
  await submit(page, 'profile-form');
  assert.equal(await badPhone.getAttribute('aria-invalid'), 'true');
  const phoneErrorId = (await badPhone.getAttribute('aria-describedby')).split(' ').find((id) => id.endsWith('-error'));
  const phoneError = page.locator(`#${phoneErrorId}`);
  assert.equal(await phoneError.isVisible(), true, 'the error is shown');
  assert.match(await phoneError.textContent(), /call me/);
  assert.equal(await page.evaluate((id) => document.getElementById(id).closest('li') === document.activeElement.closest('li'), phoneErrorId), true,
    'the error is in the same row as the phone, which has focus');
  assert.equal(await page.locator('#error').isVisible(), false, 'no page-level error for a field error');
  await checkAtWidths(page, 'account-field-error');
  // Remove the bad row. The server's own field violation (a bad email) lands next to its row too.
  await page.click('#phone-rows li:nth-child(2) button.remove');
  await page.click('#add-email');
  const badEmail = page.locator('#email-rows li:nth-child(1) input');
  await badEmail.fill('zoe-at-home');
  await submit(page, 'profile-form');
  assert.equal(await badEmail.getAttribute('aria-invalid'), 'true', 'the server names member.contact.emails[0]');
  const emailErrorId = (await badEmail.getAttribute('aria-describedby')).split(' ').find((id) => id.endsWith('-error'));
  assert.match(await page.locator(`#${emailErrorId}`).textContent(), /not a valid email/);
  assert.equal(await page.evaluate(() => document.activeElement.closest('#email-rows') !== null), true, 'focus goes to the bad email');
  await badEmail.fill('zoe@home.example');
  await submit(page, 'profile-form');
  assert.equal(await page.locator('#notice').textContent(), 'Your details are saved.');
  const saved = await page.evaluate(async () => (await (await import('/pkg/browser.mjs')).members.getCurrentMember({ fieldsets: ['FULL'] })).member);
  assert.deepEqual(saved.contact.phones, ['+49 30 1234567']);
  assert.deepEqual(saved.contact.emails, ['zoe@home.example']);
  assert.equal(saved.contact.firstName, 'Zoë');
  assert.equal(saved.contact.addresses[0].country, 'DE');
  assert.equal(saved.profile.title, 'Glassblower');

  // A taken profile address is shown next to the field; a free one is taken.
  await submit(page, 'slug-form', { '#slug': 'zoe' });
  assert.equal(await page.locator('#slug-error').isVisible(), true);
  assert.match(await page.locator('#slug-error').textContent(), /taken/);
  assert.equal(await page.locator('#slug').getAttribute('aria-invalid'), 'true');
  await submit(page, 'slug-form', { '#slug': 'zoe-quartz' });
  assert.equal(await page.locator('#slug-error').isVisible(), false);
  assert.equal(await page.locator('#me-slug').textContent(), 'zoe-quartz');

  // Private by default: join the community.
  assert.equal(await page.locator('#me-privacy').getAttribute('data-privacy'), 'PRIVATE');
  await act(page, () => page.click('#join'));
  assert.equal(await page.locator('#me-privacy').getAttribute('data-privacy'), 'PUBLIC');
  await checkAtWidths(page, 'account');
  await assertTargets(page, 'My account');

  // A visitor finds the member in the directory and opens the profile.
  const visitorContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const visitor = await openApp(visitorContext, `${server.url}/members`, pageErrors);
  await visitor.fill('#q', 'quar');
  await visitor.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'quar');
  assert.deepEqual(await listed(visitor), ['Zoë Quartz']);
  await visitor.click('#members a');
  await settled(visitor);
  assert.equal(new URL(visitor.url()).pathname, '/profile/zoe-quartz/profile');
  assert.equal(await visitor.locator('#profile-name').textContent(), 'Zoë Quartz');
  assert.equal(await visitor.locator('#profile-role').textContent(), 'Glassblower');
  assert.match(await visitor.locator('#profile-since').textContent(), /^Member since \w+ \d{4}$/);
  assert.equal(await visitor.locator('#profile .avatar').textContent(), 'ZQ', 'initials stand in for a photo');
  await checkAtWidths(visitor, 'profile');
  // The profile URL opened directly (a reload) shows the same.
  await visitor.reload();
  await settled(visitor);
  assert.equal(await visitor.locator('#profile-name').textContent(), 'Zoë Quartz');

  // The member leaves: the visitor's profile URL is "not found", like a missing one.
  await act(page, () => page.click('#leave'));
  await visitor.reload();
  await settled(visitor);
  assert.equal(await visitor.locator('#profile').getAttribute('data-state'), 'not-found');
  assert.equal(await visitor.locator('#profile-name').textContent(), 'Member not found');
  const missing = await openApp(visitorContext, `${server.url}/profile/nobody-here/profile`, pageErrors);
  assert.equal(await missing.locator('#profile-name').textContent(), 'Member not found');
  assert.equal(await missing.locator('#profile-role').textContent(), await visitor.locator('#profile-role').textContent(),
    'a private member reads exactly like a missing one');
  await checkAtWidths(missing, 'profile-not-found');
  await visitor.goBack();
  await settled(visitor);
  assert.deepEqual(await listed(visitor), [], 'the directory no longer lists the member');
  assert.equal(await visitor.locator('#empty').getAttribute('data-kind'), 'none');

  assert.deepEqual(realErrors(), []);
  await visitorContext.close();
  await memberContext.close();
});

test('→ the admin approves a pending member, bulk-blocks a filtered set after its count → the blocked member can not log in → a webhook delivery', async () => {
  const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const console_ = await adminContext.newPage();
  watchErrors(console_, pageErrors);
  await console_.goto(`${server.url}/admin`);
  await console_.fill('#admin-key', ADMIN_KEY);
  await console_.click('#signin-form button[type=submit]');
  await console_.locator('#console').waitFor();
  const names = async () => {
    await console_.waitForFunction(() => !document.getElementById('members').hasAttribute('aria-busy'));
    return console_.locator('#members tbody th').evaluateAll((cells) => cells.map((th) => th.firstChild.textContent));
  };
  assert.ok((await names()).includes('Zoë Quartz'), 'the admin sees the member who left (private) too');

  // Pending: approve.
  await console_.click('#tab-pending');
  await console_.waitForURL(/status=PENDING/);
  assert.deepEqual(await names(), ['Pat Pending']);
  await console_.getByRole('button', { name: 'Approve Pat Pending' }).click();
  await until(async () => (await admin.getMember(pending.id)).status === 'APPROVED', 'Pat approved');
  await console_.waitForFunction(() => document.querySelector('[data-count=PENDING]').textContent === '0');

  // Bulk block of the filtered set, after the dry run's count; the job is watched to the end.
  await console_.click('#tab-all');
  await console_.waitForURL((url) => !url.search.includes('status='));
  await console_.fill('#f-q', 'quartz');
  await console_.waitForURL(/q=quartz/);
  assert.deepEqual(await names(), ['Zoë Quartz']);
  await console_.click('[data-bulk=block]');
  await console_.locator('#bulk-go').waitFor();
  assert.match(await console_.locator('#bulk-summary').textContent(), /^1 member match/);
  assert.equal(await console_.locator('#bulk-go').textContent(), 'Block 1 member');
  const zoe = (await admin.call('GET', `/members/v1/members?fieldsets=FULL&paging.limit=100`)).body.members
    .find((m) => m.loginEmail === EMAIL);
  assert.equal((await admin.getMember(zoe.id)).status, 'APPROVED', 'the dry run wrote nothing');
  await console_.click('#bulk-go');
  await console_.waitForFunction(() => document.getElementById('bulk-dialog').dataset.job === 'FINISHED');
  assert.match(await console_.locator('#bulk-counters').textContent(), /1 blocked, 0 failed, of 1/);
  await console_.keyboard.press('Escape');
  assert.equal((await admin.getMember(zoe.id)).status, 'BLOCKED');
  assert.equal((await admin.getMember(pending.id)).status, 'APPROVED', 'a member outside the filter is untouched');

  // The blocked member's login is refused, with the reason.
  const memberContext = await browser.newContext();
  const page = await openApp(memberContext, `${server.url}/account/my-account`, pageErrors);
  await page.click('#account-login');
  await submit(page, 'login-form', { '#login-email': EMAIL, '#login-password': PASSWORD });
  assert.equal(await page.locator('#dialog-error').isVisible(), true);
  assert.match(await page.locator('#dialog-error').textContent(), /blocked/i);
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'visitor');

  // A webhook endpoint, then the next change (approving Zoë again, which unblocks) is delivered.
  await console_.fill('#wh-url', receiver.url);
  await console_.click('#webhook-form button[type=submit]');
  await console_.locator('#webhook-secret').waitFor();
  await console_.getByRole('button', { name: 'Manage Zoë Quartz' }).click();
  await console_.getByRole('button', { name: 'Approve Zoë Quartz' }).last().click();
  await until(async () => (await admin.getMember(zoe.id)).status === 'APPROVED', 'Zoë approved again');
  await console_.keyboard.press('Escape');
  const delivered = await until(() => receiver.received.find((r) => JSON.parse(r.body).data?.entityId === zoe.id), 'the delivery at the receiver');
  assert.ok(delivered.headers['webhook-signature'], 'signed as Standard Webhooks');
  await console_.getByRole('button', { name: `Deliveries of ${receiver.url}` }).click();
  await console_.locator('#deliveries-list li[data-status=DELIVERED]', { hasText: zoe.id }).waitFor();
  await console_.keyboard.press('Escape');

  // Approved again, the member logs in.
  await submit(page, 'login-form', { '#login-email': EMAIL, '#login-password': PASSWORD });
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'member');
  assert.deepEqual(realErrors(), []);
  await memberContext.close();
  await adminContext.close();
});

test('my sessions: a second device is listed and "sign out other devices" ends it', async () => {
  const first = await browser.newContext();
  const second = await browser.newContext({ userAgent: 'Mozilla/5.0 (Linux; Android 14) Firefox/130.0' });
  const page = await openApp(first, `${server.url}/account/my-account`, pageErrors);
  await page.click('#account-login');
  await submit(page, 'login-form', { '#login-email': EMAIL, '#login-password': PASSWORD });
  const other = await openApp(second, `${server.url}/account/my-account`, pageErrors);
  await other.click('#account-login');
  await submit(other, 'login-form', { '#login-email': EMAIL, '#login-password': PASSWORD });
  assert.equal(await other.locator('#session').getAttribute('data-state'), 'member');

  await page.reload();
  await settled(page);
  await page.waitForFunction(() => document.querySelectorAll('#session-rows tr[data-id]').length >= 2);
  const devices = await page.locator('#session-rows tr td:first-child').allTextContents();
  assert.ok(devices.some((d) => /this device/.test(d)), devices.join(' / '));
  assert.ok(devices.includes('Firefox on Android'), devices.join(' / '));
  await act(page, () => page.click('#revoke-others'));
  await page.waitForFunction(() => document.querySelectorAll('#session-rows tr[data-id]').length === 1);
  assert.equal(await page.locator('#notice').textContent(), 'Your other devices are signed out.');

  await other.reload();
  await settled(other);
  assert.equal(await other.locator('#session').getAttribute('data-state'), 'visitor', 'the other device is signed out');
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'member', 'this one is not');
  await first.close();
  await second.close();
});

test('deleting my account needs its email typed; Escape and Cancel keep it', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, `${server.url}/account/my-account`, pageErrors);
  await page.click('#account-login');
  await submit(page, 'login-form', { '#login-email': EMAIL, '#login-password': PASSWORD });
  await page.click('#delete-account');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'delete-confirm-email');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#delete-confirm').isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'delete-account', 'focus returns to the button');
  await page.click('#delete-account');
  await checkAtWidths(page, 'account-delete');
  await submit(page, 'delete-confirm', { '#delete-confirm-email': 'someone@example.com' });
  assert.equal(await page.locator('#delete-confirm-email-error').isVisible(), true);
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'member', 'nothing is deleted');
  await submit(page, 'delete-confirm', { '#delete-confirm-email': EMAIL.toUpperCase() });
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'visitor');
  assert.equal(await page.locator('#notice').textContent(), 'Your account is deleted. You are logged out.');
  assert.equal(await page.locator('#visitor').isVisible(), true);
  // The login is gone with the member.
  await page.click('#account-login');
  await submit(page, 'login-form', { '#login-email': EMAIL, '#login-password': PASSWORD });
  assert.equal(await page.locator('#dialog-error').isVisible(), true);
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'visitor');
  assert.deepEqual(realErrors(), []);
  await context.close();
});
