// My account on a site that does not require verified emails, in Chromium
// against a real server: a visitor's account page, verifying the login email
// from My account (the code step in the dialog), changing the password through
// the mailed link, emptying phones with Remove, reload keeping the page, and
// axe-core and screenshots at 375 and 1280 px. Needs the package built (or MEMBERS_E2E_PKG).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, tempDir } from './support.mjs';
import { PASSWORD, openApp, act, submit, settled, mailTo, checkAtWidths } from './area-support.mjs';

let temp;
let server;
let browser;
let mailbox;
const pageErrors = [];
const EMAIL = 'ivo.nkemelu@example.com';

before(async () => {
  temp = tempDir();
  mailbox = path.join(temp.dir, 'mailbox.jsonl');
  server = await startServer({ database: path.join(temp.dir, 'members.db'), env: { MEMBERS_MAILBOX: mailbox } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  temp?.remove();
});

test('a visitor on My account is offered to log in or sign up', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, `${server.url}/account/my-account`, pageErrors);
  assert.equal(await page.locator('#visitor').isVisible(), true);
  assert.equal(await page.locator('#me').isVisible(), false);
  assert.equal(await page.title(), 'My account · Members');
  await checkAtWidths(page, 'account-visitor');
  await page.click('#account-signup');
  assert.equal(await page.locator('#auth-dialog').evaluate((d) => d.dataset.mode), 'register');
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'account-signup', 'focus returns');
  await context.close();
});

test('sign up, verify my email from My account, change my password by mail, reload keeps the page', async () => {
  const context = await browser.newContext();
  const page = await openApp(context, `${server.url}/account/my-account`, pageErrors);
  await page.click('#account-signup');
  await submit(page, 'register-form', { '#register-email': EMAIL, '#register-password': PASSWORD, '#register-nickname': 'Ivo' });
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'member', 'no verification needed to be in');
  assert.equal(await page.locator('#me-verified').textContent(), 'not verified');

  // Verify from My account: a code is mailed and the dialog asks for it.
  await act(page, () => page.click('#verify-start'));
  assert.equal(await page.locator('#auth-dialog').evaluate((d) => d.open && d.dataset.mode), 'verify');
  assert.equal(await page.inputValue('#verify-email'), EMAIL);
  const code = /Your code: (\d{6})/.exec(mailTo(mailbox, EMAIL).text)[1];
  await submit(page, 'verify-form', { '#verify-code': code });
  assert.equal(await page.locator('#me-verified').textContent(), 'verified');
  assert.equal(await page.locator('#verify-start').isVisible(), false);
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'member');

  // Phones: add one, save, remove it, save: none left.
  await page.click('#add-phone');
  await page.fill('#phone-rows li input', '(030) 555-0100 ext 12');
  await submit(page, 'profile-form');
  assert.equal(await page.locator('#notice').textContent(), 'Your details are saved.');
  await page.click('#phone-rows li button.remove');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'add-phone', 'focus stays in the phones');
  await submit(page, 'profile-form');
  const phones = await page.evaluate(async () => (await (await import('/pkg/browser.mjs')).members.getCurrentMember({ fieldsets: ['FULL'] })).member.contact.phones);
  assert.deepEqual(phones, []);

  // A photo URL shows the picture instead of the initials; emptying it removes the photo.
  const photo = `data:image/svg+xml,${encodeURIComponent("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 2 2'><rect width='2' height='2' fill='teal'/></svg>")}`;
  await submit(page, 'profile-form', { '#photo-url': photo });
  assert.equal(await page.locator('#me-avatar img').getAttribute('src'), photo);
  await submit(page, 'profile-form', { '#photo-url': '' });
  assert.equal(await page.locator('#notice').textContent(), 'Your details are saved.');
  assert.equal(await page.locator('#me-avatar img').count(), 0, 'the initials are back');
  const stored = await page.evaluate(async () => (await (await import('/pkg/browser.mjs')).members.getCurrentMember({ fieldsets: ['FULL'] })).member.profile.photo);
  assert.equal(stored, undefined, 'the photo is gone from the member');

  // Change the password: the mailed link opens the dialog on a new password.
  await act(page, () => page.click('#password-link'));
  assert.match(await page.locator('#notice').textContent(), /mailed a link/);
  const link = /(\S+#set-password=[^\s"'<>]+)/.exec(mailTo(mailbox, EMAIL).text)[1];
  const linkPage = await openApp(context, link, pageErrors);
  assert.equal(await linkPage.locator('#set-password-form').isVisible(), true);
  await checkAtWidths(linkPage, 'dialog-set-password');
  await submit(linkPage, 'set-password-form', { '#new-password': 'another long secret' });
  assert.match(await linkPage.locator('#dialog-notice').textContent(), /password is set/);
  assert.equal(new URL(linkPage.url()).hash, '', 'the token is gone from the address bar');
  await linkPage.close();

  // Reload keeps My account (the server answers the path with the page).
  await page.reload();
  await settled(page);
  assert.equal(new URL(page.url()).pathname, '/account/my-account');
  // Setting a password ended this device's session too: My account offers to log in.
  assert.equal(await page.locator('#session').getAttribute('data-state'), 'visitor');
  assert.equal(await page.locator('#visitor').isVisible(), true);
  // The old password is gone, the new one works.
  const member = await page.evaluate(async ([email, old, fresh]) => {
    const { authentication } = await import('/pkg/browser.mjs');
    let oldWorks = true;
    try { await authentication.login(email, old); } catch { oldWorks = false; }
    const result = await authentication.login(email, fresh);
    return { oldWorks, status: result.status };
  }, [EMAIL, PASSWORD, 'another long secret']);
  assert.deepEqual(member, { oldWorks: false, status: 'ACTIVE' });
  assert.deepEqual(pageErrors.filter((e) => !/status of 4\d\d/.test(e.text)), []);
  await context.close();
});
