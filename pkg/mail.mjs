// Mail for members (SPEC §10): turns what the core hands over
// (`{ template, to, token, code, newEmail, expiresDate }`) into a subject, a
// plain text and an HTML body with the link, and delivers it through the
// user's own mailer, SMTP (nodemailer), or the development mailbox file. It owns the wording and the link; it must never log
// a token or a link, and it knows nothing of members or HTTP.

import { createRequire } from 'node:module';
import { checkOptional, loadOptional } from './host/optional-package.mjs';

// Through require: importing node:fs as ESM loads the whole of node:stream.
const { appendFileSync, readFileSync } = createRequire(import.meta.url)('node:fs');

/** The development mailbox when neither the option nor MEMBERS_MAILBOX names one. */
export const DEFAULT_MAILBOX = './members-mailbox.jsonl';
/** The site links point to until the server (or MEMBERS_SITE_URL) says otherwise. */
export const DEFAULT_SITE_URL = 'http://127.0.0.1:8080';
const DEFAULT_FROM = 'universal-members <no-reply@localhost>';

// "2025-01-31T12:00:00.000Z" → "2025-01-31 12:00 UTC": exact, and read the same everywhere.
const readableDate = (iso) => `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** Text as HTML: the five characters that could open markup, escaped. */
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The HTML body of a mail: its paragraphs, a link made a link. */
function html(paragraphs) {
  const body = paragraphs.map((p) => (typeof p === 'object'
    ? `<p><a href="${escapeHtml(p.link)}">${escapeHtml(p.label ?? p.link)}</a></p>`
    : `<p>${escapeHtml(p)}</p>`)).join('\n');
  return `<!doctype html>\n<html><body>\n${body}\n</body></html>\n`;
}

/** A mail from its paragraphs: the same words as plain text and as HTML. */
function mail(subject, paragraphs) {
  return {
    subject,
    // (Every string has a `.link` method: tell the paragraphs apart by type.)
    text: paragraphs.map((p) => (typeof p === 'object' ? p.link : p)).join('\n\n'),
    html: html(paragraphs),
  };
}

// Each template gets `{ link, code, newEmail, expiresDate }` and returns
// `{ subject, text, html }`.
const TEMPLATES = {
  'set-password': ({ link, expiresDate }) => mail('Set your password', [
    'To set the password of your members account, open this link:',
    { link, label: 'Set your password' },
    `The link works once, until ${readableDate(expiresDate)}.`,
    'If you did not ask for it, ignore this mail: your account is unchanged.',
  ]),
  'verify-email': ({ link, code, expiresDate }) => mail('Verify your email', [
    `Your code: ${code}`,
    'Enter it where you signed up, or open this link:',
    { link, label: 'Verify your email' },
    `The code and the link work once, until ${readableDate(expiresDate)}.`,
    'If you did not ask for it, ignore this mail.',
  ]),
  'email-change-requested': ({ newEmail }) => mail('Your login email is being changed', [
    `Someone signed in to your members account asked to change its login email to ${newEmail}.`,
    'The change is made only once that address is verified; until then you log in with this one.',
    'If it was not you, change your password and sign out your other sessions.',
  ]),
};

/** Where a template's link leads, on the members area. */
const LINKS = {
  'set-password': (site, token) => `${site}/#set-password=${token}`,
  // In the fragment: it gives a session, and a fragment never reaches a proxy's
  // log or a Referer.
  'verify-email': (site, token) => `${site}/account/my-account#verify=${token}`,
};

/** `{ to, subject, text, html }` of a core message; an unknown template throws. */
function compose(message, siteUrl) {
  const template = TEMPLATES[message.template];
  if (!template) throw new Error(`unknown mail template ${JSON.stringify(message.template)}`);
  const site = siteUrl.replace(/\/+$/, '');
  const link = LINKS[message.template]?.(site, message.token);
  return {
    to: message.to,
    ...template({ link, code: message.code, newEmail: message.newEmail, expiresDate: message.expiresDate }),
  };
}

/**
 * The mailer the core sends through: `{ send(message) → Promise<void>, siteUrl }`.
 * options: `{ mailer, smtpUrl, from, mailbox, siteUrl, log }`, each falling back to
 * its environment variable (MEMBERS_SMTP_URL, MEMBERS_MAIL_FROM, MEMBERS_MAILBOX,
 * MEMBERS_SITE_URL). The first that applies delivers:
 * - `mailer`: the user's own `{ send(message) }`, handed each message unchanged;
 * - `smtpUrl`: SMTP through nodemailer (without it installed, a MembersError
 *   naming the package is thrown here);
 * - else one JSON line `{ to, subject, text, date }` appended to the `mailbox` file.
 * Each delivers in the background: `send()` resolves before delivery, so known and
 * unknown addresses take the same time; a failure goes to `log` (default stderr)
 * without the token or link.
 * `siteUrl` may be set later (the CLI server sets it once it listens).
 */
export function openMailer(options = {}) {
  const env = process.env;
  const siteUrl = options.siteUrl ?? env.MEMBERS_SITE_URL ?? DEFAULT_SITE_URL;
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  // Every transport delivers in the background: send() resolves at once, so a
  // slow or failing transport neither delays the answer nor changes it (either
  // would tell a caller which emails belong to members). Failures are logged,
  // with the token cut out (a transport's error may quote what it was sent).
  const inBackground = (message, how, deliver) => {
    Promise.resolve().then(deliver).catch((error) => {
      let reason = String(error?.message ?? error);
      if (message.token) reason = reason.replaceAll(message.token, '<token>');
      if (message.code) reason = reason.replaceAll(message.code, '<code>');
      log(`universal-members: the ${message.template} mail to ${message.to} was not sent${how}: ${reason}`);
    });
  };

  const custom = options.mailer;
  if (custom) {
    return {
      siteUrl,
      async send(message) { inBackground(message, ' by the mailer', () => custom.send(message)); },
    };
  }

  const smtpUrl = options.smtpUrl ?? env.MEMBERS_SMTP_URL;
  if (smtpUrl) {
    // nodemailer (an optional dependency) loads on the first mail, so it is
    // needed only where SMTP is used; missing, it is a clear error now rather
    // than a log line at the first mail.
    checkOptional('nodemailer', 'sending mail over SMTP (smtpUrl, MEMBERS_SMTP_URL)', 'MAIL_UNAVAILABLE');
    const from = options.from ?? env.MEMBERS_MAIL_FROM ?? DEFAULT_FROM;
    let transport = null;
    const deliver = async (mail) => {
      transport ??= loadOptional('nodemailer', 'sending mail over SMTP', 'MAIL_UNAVAILABLE').createTransport(smtpUrl);
      await transport.sendMail({ from, ...mail });
    };
    const smtp = {
      siteUrl,
      async send(message) {
        const mail = compose(message, smtp.siteUrl);
        inBackground(message, ' over SMTP', () => deliver(mail));
      },
    };
    return smtp;
  }

  const mailbox = options.mailbox ?? env.MEMBERS_MAILBOX ?? DEFAULT_MAILBOX;
  const development = {
    siteUrl,
    /** Where the development mailbox is (the CLI warns that it is in use). */
    mailbox,
    async send(message) {
      const mail = compose(message, development.siteUrl);
      // Written before the answer goes out (the first microtask), so a developer
      // or a test finds the mail as soon as the call returns.
      inBackground(message, ` to the mailbox ${mailbox}`, () => appendFileSync(mailbox, `${JSON.stringify({ ...mail, date: new Date().toISOString() })}\n`));
    },
  };
  return development;
}

/**
 * The messages of a development mailbox file, oldest first:
 * `[{ to, subject, text, html, date }]`. A missing file is an empty mailbox.
 */
export function readMailbox(file = process.env.MEMBERS_MAILBOX ?? DEFAULT_MAILBOX) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line));
}
