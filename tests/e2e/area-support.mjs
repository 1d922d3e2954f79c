// What the members-area tests share: opening a page of the app and waiting until
// it knows who is there, waiting for one action to finish (`#session[data-done]`),
// the directory's answer, axe-core (WCAG 2.2 AA) on the page as it is, and
// screenshots at 375 and 1280 px into tests/e2e/screenshots/ (git-ignored).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT, watchErrors, assertKeyboardPass } from './support.mjs';

export const PASSWORD = 'correct horse battery';
export const SCREENSHOTS = path.join(ROOT, 'tests', 'e2e', 'screenshots');
export const WIDTHS = [375, 1280];
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const doneOf = (page) => page.evaluate(() => Number(document.getElementById('session').dataset.done ?? 0));

/** Opens `url` in a new page of `context` and waits until the first read of the session is done. */
export async function openApp(context, url, errors = []) {
  const page = await context.newPage();
  watchErrors(page, errors);
  await page.goto(url);
  await settled(page);
  return page;
}

/** Waits until the session is read and no list or profile is loading. */
export async function settled(page) {
  await page.waitForFunction(() => Number(document.getElementById('session').dataset.done ?? 0) >= 1
    && !document.querySelector('#directory-view:not([hidden]) #results[aria-busy="true"], #profile-view:not([hidden]) #profile[aria-busy="true"]'));
}

/** Runs `action` and waits until the page has finished the action it starts. */
export async function act(page, action) {
  const before = await doneOf(page);
  await action();
  await page.waitForFunction((n) => Number(document.getElementById('session').dataset.done ?? 0) > n, before);
  await settled(page);
}

/** Fills fields (selector → value) and submits `form` as one action. */
export function submit(page, form, fields = {}) {
  return act(page, async () => {
    for (const [selector, value] of Object.entries(fields)) await page.fill(selector, value);
    await page.click(`#${form} button[type=submit]`);
  });
}

/** The names the directory lists once it has its answer. */
export async function listed(page) {
  await settled(page);
  return page.locator('#members li strong').allTextContents();
}

/** The newest mail to `to` in a development mailbox file. */
export function mailTo(mailbox, to) {
  const all = existsSync(mailbox)
    ? readFileSync(mailbox, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
    : [];
  const mail = all.filter((m) => m.to === to).at(-1);
  assert.ok(mail, `a mail to ${to}`);
  return mail;
}

/** axe-core's WCAG 2.2 AA rules on the page as it is now: no violations (`label` names the state). */
export async function assertAccessible(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const { violations } = await page.evaluate((tags) => window.axe.run(document, {
    runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'],
  }), AXE_TAGS);
  const summary = violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1]?.trim()}`).join('\n    ')}`);
  assert.deepEqual(summary, [], `axe on ${label} at ${page.viewportSize().width} px`);
}

/**
 * For each width (375 and 1280 px): sets the viewport, checks axe, and takes a
 * full-page screenshot `<name>-<width>.png`; then a keyboard-only pass at the last
 * width (see assertKeyboardPass). Leaves the page at the last width.
 */
export async function checkAtWidths(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width < 600 ? 800 : 900 });
    await assertAccessible(page, name);
    // No sideways scrolling at either width.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} at ${width} px scrolls sideways by ${overflow} px`);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await assertKeyboardPass(page, name);
}

/** Every visible control's size: none smaller than 24 × 24 CSS px (WCAG 2.5.8). */
export async function assertTargets(page, label) {
  const small = await page.evaluate(() => [...document.querySelectorAll('button, a, input, select')]
    .filter((el) => el.offsetParent !== null || el.closest('dialog[open]'))
    .map((el) => ({ el, box: el.getBoundingClientRect() }))
    .filter(({ box }) => box.width > 0 && (box.width < 24 || box.height < 24))
    // A link inside a sentence is exempt (2.5.8 "inline").
    .filter(({ el }) => !(el.tagName === 'A' && el.closest('p')))
    .map(({ el, box }) => `${el.tagName.toLowerCase()}#${el.id} "${el.textContent.trim().slice(0, 20)}" ${Math.round(box.width)}×${Math.round(box.height)}`));
  assert.deepEqual(small, [], `targets under 24 px on ${label}`);
}

/**
 * For the older session tests, which fill the sign-in forms directly: shows
 * `form` if it lives in the sign-in dialog (through the page's own openAuth), or
 * closes the dialog when the form is on the page.
 */
export async function showForm(page, form) {
  await page.evaluate(async (id) => {
    const element = document.getElementById(id);
    const dialog = document.getElementById('auth-dialog');
    const { openAuth, closeAuth } = await import('/session.js');
    if (!element?.closest('dialog')) closeAuth();
    else if (!dialog.open || element.hidden) openAuth(element.dataset.mode);
  }, form);
}

/** The message region in use: the dialog's while it is open, else the page's (`kind`: notice | error). */
export const messageBox = (page, kind) => page.evaluate((k) => (document.getElementById('auth-dialog').open ? `#dialog-${k}` : `#${k}`), kind);
