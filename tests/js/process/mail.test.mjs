// Mail (docs/auth-contract.md, "Mail"): the set-password mail with its link reaches
// the development mailbox, the `mailbox` command, a real SMTP server, or the user's
// own mailer; a failed SMTP delivery is logged without the token.
// The SMTP server is `smtp-server` from the repository's dev dependencies, found
// through MEMBERS_REPO_ROOT (the Makefile sets it); without it those tests skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The package exports only its entries: reach its files beside the Node entry.
const packageFile = (name) => new URL(`./${name}`, import.meta.resolve('universal-members'));
const { openMailer, readMailbox } = await import(packageFile('mail.mjs'));
const cliPath = fileURLToPath(packageFile('cli.mjs'));
const cli = (...args) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });

const repoRoot = process.env.MEMBERS_REPO_ROOT;
const SMTPServer = repoRoot ? createRequire(join(repoRoot, 'package.json'))('smtp-server').SMTPServer : null;
const needsSmtpServer = { skip: SMTPServer ? false : 'smtp-server resolves from the repository: set MEMBERS_REPO_ROOT' };

/** A message as the core hands it over, with a token of the core's kind. */
const setPassword = (to) => ({
  template: 'set-password',
  to,
  token: randomBytes(32).toString('base64url'),
  expiresDate: '2030-01-02T03:04:05.000Z',
});

function withDir(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'members-mail-'));
  return Promise.resolve(fn(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Polls `check` until it returns a value, or fails after `ms`. */
async function eventually(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`no ${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A port on 127.0.0.1 nothing listens on. */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A real SMTP server on a free port: `{ url, received, close() }`; `reject(mail)` may refuse a mail. */
async function startSmtpServer({ reject } = {}) {
  const received = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => { raw += chunk; });
      stream.on('end', () => {
        const mail = { envelope: session.envelope, raw };
        const refusal = reject?.(mail);
        if (refusal) {
          callback(Object.assign(new Error(refusal), { responseCode: 550 }));
          return;
        }
        received.push(mail);
        callback();
      });
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${server.server.address().port}`,
    received,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The text of a raw single-part mail, quoted-printable undone. */
function bodyOf(raw) {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split);
  const body = raw.slice(split + 4);
  // A plain-text and HTML mail is multipart: its parts carry their own encoding.
  if (!/content-transfer-encoding:\s*quoted-printable/i.test(/multipart\//i.test(headers) ? body : headers)) return body;
  return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

test('a set-password mail lands in the development mailbox with its link, token and expiry', () => withDir(async (dir) => {
  const file = join(dir, 'mailbox.jsonl');
  assert.deepEqual(readMailbox(file), [], 'a missing mailbox is empty');
  const mailer = openMailer({ mailbox: file, siteUrl: 'https://members.example/' });
  const first = setPassword('ada@example.com');
  await mailer.send(first);
  // The server sets where links lead once it knows its own URL.
  mailer.siteUrl = 'http://127.0.0.1:4321';
  const second = setPassword('bob@example.com');
  await mailer.send(second);

  const [a, b, ...more] = readMailbox(file);
  assert.deepEqual(more, []);
  assert.equal(a.to, 'ada@example.com');
  assert.match(a.subject, /password/i);
  assert.ok(a.text.includes(`https://members.example/#set-password=${first.token}`), a.text);
  assert.match(a.text, /2030-01-02 03:04 UTC/, 'the expiry is in the text');
  assert.ok(!Number.isNaN(Date.parse(a.date)), `date ${a.date}`);
  assert.equal(b.to, 'bob@example.com');
  assert.ok(b.text.includes(`http://127.0.0.1:4321/#set-password=${second.token}`), b.text);
}));

test('an unknown template is refused and nothing is written', () => withDir(async (dir) => {
  const file = join(dir, 'mailbox.jsonl');
  const mailer = openMailer({ mailbox: file });
  await assert.rejects(mailer.send({ ...setPassword('ada@example.com'), template: 'welcome' }), /unknown mail template "welcome"/);
  assert.equal(existsSync(file), false);
}));

test('the mailbox command prints the mail newest last, and --to picks one recipient', () => withDir(async (dir) => {
  const file = join(dir, 'mailbox.jsonl');
  const empty = cli('mailbox', '--mailbox', file);
  assert.equal(empty.status, 0, empty.stderr);
  assert.equal(empty.stdout, '');
  assert.match(empty.stderr, /no mail/);

  const mailer = openMailer({ mailbox: file, siteUrl: 'http://127.0.0.1:8080' });
  const first = setPassword('ada@example.com');
  const second = setPassword('bob@example.com');
  await mailer.send(first);
  await mailer.send(second);

  const all = cli('mailbox', '--mailbox', file);
  assert.equal(all.status, 0, all.stderr);
  const adaAt = all.stdout.indexOf(`#set-password=${first.token}`);
  const bobAt = all.stdout.indexOf(`#set-password=${second.token}`);
  assert.ok(adaAt !== -1 && bobAt !== -1, all.stdout);
  assert.ok(adaAt < bobAt, 'newest last');
  assert.match(all.stdout, /To: ada@example\.com/);
  assert.match(all.stdout, /Subject: .*password/i);

  const bob = cli('mailbox', '--mailbox', file, '--to', 'Bob@Example.com');
  assert.equal(bob.status, 0, bob.stderr);
  assert.ok(bob.stdout.includes(second.token), bob.stdout);
  assert.ok(!bob.stdout.includes(first.token), 'only the mail to bob');

  const json = cli('mailbox', '--mailbox', file, '--json', '--to', 'ada@example.com');
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), readMailbox(file).slice(0, 1));
}));

test('with MEMBERS_SMTP_URL the mail goes to the SMTP server, not the mailbox', needsSmtpServer, () => withDir(async (dir) => {
  const smtp = await startSmtpServer();
  const file = join(dir, 'mailbox.jsonl');
  const saved = process.env.MEMBERS_SMTP_URL;
  process.env.MEMBERS_SMTP_URL = smtp.url;
  try {
    const logged = [];
    const mailer = openMailer({ mailbox: file, siteUrl: 'http://127.0.0.1:8080', log: (line) => logged.push(line) });
    const message = setPassword('ada@example.com');
    await mailer.send(message);
    const mail = await eventually(() => smtp.received[0], 10_000, 'mail at the SMTP server');
    assert.deepEqual(mail.envelope.rcptTo.map((r) => r.address), ['ada@example.com']);
    assert.equal(mail.envelope.mailFrom.address, 'no-reply@localhost');
    assert.match(mail.raw, /^Subject: .*password/im);
    assert.ok(bodyOf(mail.raw).includes(`http://127.0.0.1:8080/#set-password=${message.token}`), mail.raw);
    assert.deepEqual(logged, []);
    assert.equal(existsSync(file), false, 'the development mailbox is not used');
  } finally {
    if (saved === undefined) delete process.env.MEMBERS_SMTP_URL;
    else process.env.MEMBERS_SMTP_URL = saved;
    await smtp.close();
  }
}));

test('an unreachable SMTP server is logged without the token, and send() does not wait for it', async () => {
  const logged = [];
  const mailer = openMailer({ smtpUrl: `smtp://127.0.0.1:${await closedPort()}`, log: (line) => logged.push(line) });
  const message = setPassword('ada@example.com');
  await mailer.send(message);
  assert.deepEqual(logged, [], 'send() resolved before the delivery was tried');
  const [line] = await eventually(() => logged.length > 0 && logged, 10_000, 'log line');
  assert.match(line, /ada@example\.com/);
  assert.match(line, /ECONNREFUSED/);
  assert.ok(!line.includes(message.token), line);
});

test('an SMTP refusal quoting the mail is logged without the token', needsSmtpServer, async () => {
  // Servers may quote what they refuse; this one quotes the link line.
  const smtp = await startSmtpServer({ reject: ({ raw }) => `refused ${bodyOf(raw).split('\n').find((l) => l.includes('set-password='))}` });
  try {
    const logged = [];
    const mailer = openMailer({ smtpUrl: smtp.url, log: (line) => logged.push(line) });
    const message = setPassword('ada@example.com');
    await mailer.send(message);
    const [line] = await eventually(() => logged.length > 0 && logged, 10_000, 'log line');
    assert.match(line, /refused/, 'the server reply is in the log');
    assert.ok(!line.includes(message.token), line);
  } finally {
    await smtp.close();
  }
});

test("the user's own mailer gets each message unchanged, and nothing else is used", () => withDir(async (dir) => {
  const file = join(dir, 'mailbox.jsonl');
  const logged = [];
  const own = {
    sent: [],
    async send(message) { this.sent.push(message); },
  };
  const mailer = openMailer({ mailer: own, smtpUrl: `smtp://127.0.0.1:${await closedPort()}`, mailbox: file, log: (line) => logged.push(line) });
  const message = setPassword('ada@example.com');
  await mailer.send(message);
  assert.equal(own.sent.length, 1);
  assert.equal(own.sent[0], message);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(logged, [], 'no SMTP attempt');
  assert.equal(existsSync(file), false, 'no mailbox');

  // A failing mailer is logged, not thrown: a failure only for members' emails
  // would tell a caller who is one.
  const failures = [];
  const failing = openMailer({
    mailer: { send: async (m) => { throw new Error(`mail service down for ${m.token}`); } },
    log: (line) => failures.push(line),
  });
  await failing.send(message);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(failures.length, 1, 'the failure is logged');
  assert.match(failures[0], /mail service down for <token>/);
  assert.ok(!failures[0].includes(message.token), 'without the token');
}));
