#!/usr/bin/env node
// `universal-members serve | export | import | webhooks | mailbox`: the members
// server, moving whole members in and out of a database (e.g. data leaving Wix),
// managing webhook endpoints, and reading the development mailbox. Flags
// override the environment
// (MEMBERS_DATABASE_URL, MEMBERS_ADMIN_KEY, PORT, MEMBERS_CORS_ORIGINS,
// MEMBERS_APPROVAL, MEMBERS_DEFAULT_PRIVACY, MEMBERS_LOGIN_LIMIT_PER_EMAIL,
// MEMBERS_LOGIN_LIMIT_PER_ADDRESS, MEMBERS_LOGIN_WINDOW_SECONDS, MEMBERS_TRUST_PROXY=1
// behind a proxy that appends X-Forwarded-For; for mail
// MEMBERS_SMTP_URL, MEMBERS_MAIL_FROM, MEMBERS_MAILBOX, MEMBERS_SITE_URL; for events
// MEMBERS_DELIVER_WEBHOOKS=0 to not deliver from this process, MEMBERS_RETENTION_DAYS,
// MEMBERS_WEBHOOK_ALLOW_PRIVATE=1 for receivers on this machine while developing).
// `serve` with no admin key over a SQLite file keeps a random one beside it in
// `<db>.admin-key` (pkg/host/admin-key-file.mjs); `serve --demo` fills an empty
// database with made-up members (pkg/host/demo.mjs).
import { parseArgs } from 'node:util';

const USAGE = `usage: universal-members serve [--port 8080] [--host 127.0.0.1] [--db sqlite:./members.db]
                                [--admin-key KEY] [--cors-origin ORIGIN]... [--www DIR] [--no-deliver] [--demo]
                                [--workers N|auto]
                                (--demo: about 200 made-up members if the database has none; with no key,
                                 a SQLite database keeps a random one in <db>.admin-key, owner only;
                                 --workers: N processes on one port, auto = one per core, default 1)
       universal-members export [--format csv|jsonl|json] [--filter JSON] [--out FILE] [--db URL]
       universal-members import FILE [--format csv|jsonl|json] [--on-conflict skip|update|error]
                                [--dry-run] [--report FILE] [--ignore-unknown] [--db URL]
       universal-members webhooks add URL [--format standard|wix] [--events created,updated,deleted] [--db URL]
       universal-members webhooks list | remove ID | rotate ID [--db URL]
       universal-members webhooks deliveries ID [--failed] [--limit N] | redeliver DELIVERY_ID [--db URL]
       universal-members mailbox [--mailbox FILE] [--to EMAIL] [--json]
                                                            the development mailbox, newest last`;

function fail(message) {
  process.stderr.write(`universal-members: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/**
 * Exits with `code` once stdout and stderr have handed the kernel all they
 * hold. A pipe read slowly queues writes, and process.exit() drops the queue:
 * an export piped to a busy reader lost its last members that way.
 */
function exitWhenWritten(code) {
  let open = 2;
  const written = () => {
    if (--open === 0) process.exit(code);
  };
  // An empty write's callback runs after every write queued before it.
  process.stdout.write('', written);
  process.stderr.write('', written);
  return new Promise(() => {});
}

// No top-level await: each command is a function, and the modules it needs load
// when it runs.
const COMMANDS = {
  serve,
  export: (args) => transfer('export', args),
  import: (args) => transfer('import', args),
  webhooks: manageWebhooks,
  mailbox: printMailbox,
};

const [command, ...rest] = process.argv.slice(2);
if (!Object.hasOwn(COMMANDS, command ?? '')) fail(command ? `unknown command ${JSON.stringify(command)}` : 'a command is required');
COMMANDS[command](rest).then(
  // Every command but `serve` ends when it is done (a pool may still be open).
  () => { if (command !== 'serve') exitWhenWritten(0); },
  (error) => {
    process.stderr.write(`universal-members: ${error?.stack ?? error}\n`);
    exitWhenWritten(1);
  },
);

/**
 * `serve`: the members server on `--port`/`--host` over `--db`, with the
 * members area, until SIGTERM or SIGINT.
 */
async function serve(rest) {
  const { createMembersServer } = await import('./server.mjs');
  const { openMailer } = await import('./mail.mjs');

  let flags;
  try {
    ({ values: flags } = parseArgs({
      args: rest,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        db: { type: 'string' },
        'admin-key': { type: 'string' },
        'cors-origin': { type: 'string', multiple: true },
        www: { type: 'string' },
        'no-deliver': { type: 'boolean' },
        'email-verification': { type: 'string' },
        demo: { type: 'boolean' },
        workers: { type: 'string' },
      },
    }));
  } catch (error) {
    fail(error.message);
  }

  const env = process.env;
  const { workersWanted, isClusterWorker, superviseWorkers } = await import('./host/cluster.mjs');
  let workers;
  try {
    workers = workersWanted(flags.workers ?? env.MEMBERS_WORKERS);
  } catch (error) {
    fail(error.message);
  }
  // A worker of `--workers N`: the primary has printed the notices, seeded the
  // demo and made the key file; the worker reads the file and serves.
  const isWorker = isClusterWorker();
  const port = Number(flags.port ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got ${flags.port}`);
  const host = flags.host ?? env.HOST ?? '127.0.0.1';
  const corsOrigins = flags['cors-origin'] ?? (env.MEMBERS_CORS_ORIGINS ? env.MEMBERS_CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean) : []);
  // Only the limits set here; the core has the defaults for the rest.
  const loginLimit = {};
  for (const [key, name] of [['perEmail', 'MEMBERS_LOGIN_LIMIT_PER_EMAIL'], ['perAddress', 'MEMBERS_LOGIN_LIMIT_PER_ADDRESS'], ['windowSeconds', 'MEMBERS_LOGIN_WINDOW_SECONDS']]) {
    if (env[name] === undefined || env[name] === '') continue;
    const value = Number(env[name]);
    if (!Number.isInteger(value) || value < 1) fail(`${name} must be a whole number above 0, got ${env[name]}`);
    loginLimit[key] = value;
  }
  const emailVerification = flags['email-verification'] ?? (env.MEMBERS_EMAIL_VERIFICATION || undefined);
  if (emailVerification !== undefined && !['off', 'required'].includes(emailVerification)) {
    fail(`--email-verification (MEMBERS_EMAIL_VERIFICATION) must be off or required, got ${JSON.stringify(emailVerification)}`);
  }
  let mailer;
  try {
    mailer = openMailer({ mailbox: env.MEMBERS_MAILBOX, smtpUrl: env.MEMBERS_SMTP_URL, siteUrl: env.MEMBERS_SITE_URL });
  } catch (error) {
    // SMTP without nodemailer installed: the error says what to install.
    process.stderr.write(`universal-members: ${error.message}\n`);
    process.exit(1);
  }
  if (mailer.mailbox && !isWorker) {
    // Fine while developing; in production members would never get their links.
    process.stderr.write(`universal-members: no MEMBERS_SMTP_URL: account mail (set-password links, verification codes, email-change notices) goes to the development mailbox ${mailer.mailbox} (read it with \`universal-members mailbox\`)\n`);
  }

  const database = flags.db ?? env.MEMBERS_DATABASE_URL ?? 'sqlite:./members.db';
  const { parseDatabaseUrl } = await import('./core.mjs');
  let location;
  try {
    location = parseDatabaseUrl(database);
  } catch (error) {
    fail(error.message);
  }
  // No key given (an empty one is none): a SQLite file keeps its own beside it.
  let adminKey = flags['admin-key'] || env.MEMBERS_ADMIN_KEY || undefined;
  let adminKeyFile = null;
  if (adminKey === undefined) {
    const { adminKeyFileOf, readOrCreateAdminKey } = await import('./host/admin-key-file.mjs');
    adminKeyFile = adminKeyFileOf(location);
    if (adminKeyFile !== null) {
      try {
        ({ key: adminKey } = readOrCreateAdminKey(adminKeyFile));
      } catch (error) {
        process.stderr.write(`universal-members: no admin key given, and the key file can not be used: ${error.message}\n`);
        process.exit(1);
      }
    }
  }

  if (workers > 1 && (location.kind === 'memory' || location.target === ':memory:')) {
    fail('--workers above 1 needs a database the processes share (sqlite:FILE or postgres://…), not one in memory');
  }

  if (flags.demo && !isWorker) {
    // Seeded through a core of its own before the server opens the database, so
    // the database must outlive it.
    if (location.kind === 'memory' || location.target === ':memory:') {
      fail('--demo needs a database the server shares (sqlite:FILE or postgres://…), not one in memory');
    }
    const { openCore } = await import('./core.mjs');
    const { seedDemo } = await import('./host/demo.mjs');
    let opened;
    try {
      opened = openCore({ database });
      await seedDemo(opened.core.elevated());
    } catch (error) {
      process.stderr.write(`universal-members: --demo: ${error.code ?? 'ERROR'}: ${error.message}\n`);
      await opened?.close().catch(() => {});
      process.exit(1);
    }
    await opened.close();
  }

  const announce = (address) => {
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    if (workers > 1) process.stderr.write(`universal-members: ${workers} worker processes share the port\n`);
    process.stdout.write(`universal-members: serving ${url}\n`);
    // Where the key is, never the key.
    if (adminKeyFile !== null) process.stderr.write(`universal-members: admin key in ${adminKeyFile} — sign in at ${url}/admin\n`);
  };
  if (workers > 1 && !isWorker) {
    superviseWorkers({ count: workers, onListening: announce });
    return;
  }

  let server;
  try {
    server = createMembersServer({
      database,
      adminKey,
      corsOrigins,
      wwwDir: flags.www,
      approval: env.MEMBERS_APPROVAL,
      defaultPrivacy: env.MEMBERS_DEFAULT_PRIVACY,
      loginLimit,
      emailVerification,
      mailer,
      trustProxy: env.MEMBERS_TRUST_PROXY === '1',
      // Unset: MEMBERS_DELIVER_WEBHOOKS, else deliver (the server reads both).
      deliverWebhooks: flags['no-deliver'] ? false : undefined,
    });
  } catch (error) {
    fail(error.message);
  }

  server.listen(port, host, () => {
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${server.address().port}`;
    // Links in mail lead back here unless the site is elsewhere (e.g. behind a proxy).
    if (!env.MEMBERS_SITE_URL) mailer.siteUrl = url;
    if (!isWorker) announce(server.address());
  });

  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, async () => {
      await server.shutdown();
      process.exit(0);
    });
  }
}

/**
 * `export` writes the members matching `--filter` (FULL, oldest first) as CSV,
 * JSONL or JSON; `import` loads a file of them (SPEC §13). The summary of an
 * import is the last line on stdout; progress goes to stderr.
 */
async function transfer(kind, args) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        db: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string' },
        filter: { type: 'string' },
        'on-conflict': { type: 'string' },
        'dry-run': { type: 'boolean' },
        report: { type: 'string' },
        'ignore-unknown': { type: 'boolean' },
      },
    });
  } catch (error) {
    fail(error.message);
  }
  const { values, positionals } = parsed;
  const [file, ...extra] = positionals;
  if (kind === 'import' && !file) fail('import needs a file');
  if (extra.length > 0 || (kind === 'export' && file)) fail(`${kind}: unexpected ${JSON.stringify(extra[0] ?? file)}`);
  let filter = {};
  if (values.filter !== undefined) {
    try {
      filter = JSON.parse(values.filter);
    } catch (error) {
      fail(`--filter must be a Wix filter as JSON: ${error.message}`);
    }
  }
  const { openCore } = await import('./core.mjs');
  const database = values.db ?? process.env.MEMBERS_DATABASE_URL ?? 'sqlite:./members.db';
  let opened;
  try {
    opened = openCore({ database });
  } catch (error) {
    fail(error.message);
  }
  const admin = opened.core.elevated();
  let status = 0;
  try {
    if (kind === 'export') {
      const { exportFile } = await import('./host/export-file.mjs');
      const count = await exportFile(admin, { format: values.format, filter, out: values.out });
      process.stderr.write(`universal-members: exported ${count} members\n`);
    } else {
      const { importFile } = await import('./host/import-file.mjs');
      const { summary, conflicts } = await importFile(admin, file, {
        format: values.format,
        onConflict: values['on-conflict'],
        dryRun: values['dry-run'],
        report: values.report,
        ignoreUnknown: values['ignore-unknown'],
      });
      if (summary.failed > 0) process.stderr.write(`universal-members: ${summary.failed} row(s) rejected${values.report ? `, listed in ${values.report}` : ' (give --report FILE to list them)'}\n`);
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      if (conflicts > 0 && (values['on-conflict'] === 'error')) status = 1;
    }
  } catch (error) {
    await opened.close();
    if (error.name === 'UsageError' || error.constructor?.name === 'UsageError') fail(error.message);
    process.stderr.write(`universal-members: ${error.code ?? 'ERROR'}: ${error.message}\n`);
    await exitWhenWritten(1);
  }
  await opened.close();
  if (status !== 0) await exitWhenWritten(status);
}

/** A date the core returns (a Date or an ISO text) as ISO text. */
function isoOf(date) {
  return date instanceof Date ? date.toISOString() : String(date ?? '');
}

/** One line of an endpoint: id, format, state, events, URL. */
function webhookLine(webhook) {
  const state = webhook.enabled ? 'enabled' : `disabled${webhook.disabledReason ? ` (${webhook.disabledReason})` : ''}`;
  return `${webhook._id}  ${webhook.format}  ${state}  ${webhook.events.join(',')}  ${webhook.url}`;
}

/** One line of a delivery: id, status, event, attempts, the last attempt, the next one. */
function deliveryLine(delivery) {
  const last = delivery.attempts?.at(-1);
  const outcome = last ? `last ${last.status ?? 'no answer'}${last.error ? ` (${last.error})` : ''} at ${isoOf(last._createdDate)}` : 'not attempted';
  const next = delivery.nextAttemptDate ? `  next ${isoOf(delivery.nextAttemptDate)}` : '';
  return `${delivery._id}  ${delivery.status}  ${delivery.eventType}  member ${delivery.entityId}  attempts ${delivery.attemptCount}  ${outcome}${next}`;
}

/**
 * `webhooks add | list | remove | rotate | deliveries | redeliver`: manages the
 * endpoints of a database as admin. A secret or key is printed once, when made.
 */
async function manageWebhooks(args) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        db: { type: 'string' },
        format: { type: 'string' },
        events: { type: 'string' },
        failed: { type: 'boolean' },
        limit: { type: 'string' },
      },
    });
  } catch (error) {
    fail(error.message);
  }
  const [action, target, ...extra] = parsed.positionals;
  const needsTarget = { add: 'a URL', remove: 'an endpoint id', rotate: 'an endpoint id', deliveries: 'an endpoint id', redeliver: 'a delivery id' };
  if (!action) fail('webhooks needs add, list, remove, rotate, deliveries or redeliver');
  if (action !== 'list' && !(action in needsTarget)) fail(`unknown webhooks command ${JSON.stringify(action)}`);
  if (needsTarget[action] && !target) fail(`webhooks ${action} needs ${needsTarget[action]}`);
  if (extra.length > 0 || (action === 'list' && target)) fail(`webhooks ${action}: unexpected ${JSON.stringify(extra[0] ?? target)}`);
  const limit = parsed.values.limit === undefined ? undefined : Number(parsed.values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) fail(`--limit must be a whole number above 0, got ${parsed.values.limit}`);

  const { openCore } = await import('./core.mjs');
  let opened;
  try {
    opened = openCore({ database: parsed.values.db ?? process.env.MEMBERS_DATABASE_URL ?? 'sqlite:./members.db' });
  } catch (error) {
    fail(error.message);
  }
  const admin = opened.core.elevated();
  const print = (line) => process.stdout.write(`${line}\n`);
  try {
    if (action === 'add') {
      const request = { url: target };
      if (parsed.values.format !== undefined) request.format = parsed.values.format;
      if (parsed.values.events !== undefined) request.events = parsed.values.events.split(',').map((e) => e.trim()).filter(Boolean);
      const { webhook, secret, publicKey } = await admin.createWebhook(request);
      print(webhookLine(webhook));
      if (secret) print(`secret: ${secret}\n(shown once: verify the webhook-signature header with it)`);
      if (publicKey) print(`public key (verify the JWT body with it):\n${publicKey.trimEnd()}`);
    } else if (action === 'list') {
      const { webhooks } = await admin.listWebhooks();
      if (webhooks.length === 0) process.stderr.write('universal-members: no webhooks\n');
      for (const webhook of webhooks) print(webhookLine(webhook));
    } else if (action === 'remove') {
      await admin.deleteWebhook(target);
      print(`removed ${target}`);
    } else if (action === 'rotate') {
      const { secret } = await admin.rotateWebhookSecret(target);
      print(`secret: ${secret}\n(the previous secret also signs for 24 hours)`);
    } else if (action === 'deliveries') {
      const options = { status: parsed.values.failed ? 'FAILED' : 'ALL' };
      if (limit !== undefined) options.limit = limit;
      const { deliveries } = await admin.listWebhookDeliveries(target, options);
      if (deliveries.length === 0) process.stderr.write(`universal-members: no ${parsed.values.failed ? 'failed ' : ''}deliveries\n`);
      for (const delivery of deliveries) print(deliveryLine(delivery));
    } else {
      const { delivery } = await admin.redeliver(target);
      print(deliveryLine(delivery));
    }
  } catch (error) {
    process.stderr.write(`universal-members: ${error.code ?? 'ERROR'}: ${error.message}\n`);
    await opened.close();
    await exitWhenWritten(1);
  }
  await opened.close();
}

/** `mailbox` prints the development mailbox, newest last, as text or (--json) a JSON array. */
async function printMailbox(args) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { mailbox: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } } });
  } catch (error) {
    fail(error.message);
  }
  const { readMailbox, DEFAULT_MAILBOX } = await import('./mail.mjs');
  const file = parsed.values.mailbox ?? process.env.MEMBERS_MAILBOX ?? DEFAULT_MAILBOX;
  const to = parsed.values.to?.toLowerCase();
  const messages = readMailbox(file).filter((message) => to === undefined || message.to.toLowerCase() === to);
  if (parsed.values.json) {
    process.stdout.write(`${JSON.stringify(messages, null, 2)}\n`);
    return;
  }
  if (messages.length === 0) process.stderr.write(`universal-members: no mail in ${file}\n`);
  for (const message of messages) {
    process.stdout.write(`Date: ${message.date}\nTo: ${message.to}\nSubject: ${message.subject}\n\n${message.text}\n\n`);
  }
}
