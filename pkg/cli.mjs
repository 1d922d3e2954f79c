#!/usr/bin/env node
// `universal-members serve | export | import`: the members server, and moving
// whole members in and out of a database (e.g. data leaving Wix). Flags override
// the environment (MEMBERS_DATABASE_URL, MEMBERS_ADMIN_KEY, PORT,
// MEMBERS_CORS_ORIGINS, MEMBERS_APPROVAL, MEMBERS_DEFAULT_PRIVACY).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const USAGE = `usage: universal-members serve [--port 8080] [--host 127.0.0.1] [--db sqlite:./members.db]
                                [--admin-key KEY] [--cors-origin ORIGIN]... [--www DIR]
       universal-members export [--db URL] [--out FILE]     whole members as a JSON array
       universal-members import FILE [--db URL]             all or nothing per 1,000 members`;

function fail(message) {
  process.stderr.write(`universal-members: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'export' || command === 'import') {
  await transfer(command, rest);
  process.exit(0);
}
if (command !== 'serve') fail(command ? `unknown command ${JSON.stringify(command)}` : 'a command is required');
const { createMembersServer } = await import('./server.mjs');

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
    },
  }));
} catch (error) {
  fail(error.message);
}

const env = process.env;
const port = Number(flags.port ?? env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got ${flags.port}`);
const host = flags.host ?? env.HOST ?? '127.0.0.1';
const corsOrigins = flags['cors-origin'] ?? (env.MEMBERS_CORS_ORIGINS ? env.MEMBERS_CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean) : []);

let server;
try {
  server = createMembersServer({
    database: flags.db ?? env.MEMBERS_DATABASE_URL ?? 'sqlite:./members.db',
    adminKey: flags['admin-key'] ?? env.MEMBERS_ADMIN_KEY,
    corsOrigins,
    wwwDir: flags.www,
    approval: env.MEMBERS_APPROVAL,
    defaultPrivacy: env.MEMBERS_DEFAULT_PRIVACY,
  });
} catch (error) {
  fail(error.message);
}

server.listen(port, host, () => {
  const address = server.address();
  process.stdout.write(`universal-members: serving http://${host}:${address.port}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    await server.shutdown();
    process.exit(0);
  });
}

/** `export` writes every member (FULL, oldest first); `import` loads a file of them. */
async function transfer(kind, args) {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { db: { type: 'string' }, out: { type: 'string' } } });
  } catch (error) {
    fail(error.message);
  }
  const { openCore } = await import('./core.mjs');
  const database = parsed.values.db ?? process.env.MEMBERS_DATABASE_URL ?? 'sqlite:./members.db';
  let opened;
  try {
    opened = openCore({ database });
  } catch (error) {
    fail(error.message);
  }
  const admin = opened.core.elevated();
  try {
    if (kind === 'export') {
      const all = [];
      let page = await admin.queryMembers({ fieldsets: ['FULL'] }).ascending('_createdDate').limit(100).find();
      all.push(...page.items);
      while (page.cursors.next) {
        page = await page.query.cursor(page.cursors.next).find();
        all.push(...page.items);
      }
      const text = `${JSON.stringify(all, null, 2)}\n`;
      if (parsed.values.out) writeFileSync(parsed.values.out, text);
      else process.stdout.write(text);
      process.stderr.write(`universal-members: exported ${all.length} members\n`);
    } else {
      const [file] = parsed.positionals;
      if (!file) fail('import needs a file');
      const members = JSON.parse(readFileSync(file, 'utf8'));
      if (!Array.isArray(members)) fail(`${file} must hold a JSON array of members`);
      for (let i = 0; i < members.length; i += 1000) {
        await admin.importMembers(members.slice(i, i + 1000));
      }
      process.stderr.write(`universal-members: imported ${members.length} members\n`);
    }
  } catch (error) {
    process.stderr.write(`universal-members: ${error.code ?? 'ERROR'}: ${error.message}\n`);
    await opened.close();
    process.exit(1);
  }
  await opened.close();
}
