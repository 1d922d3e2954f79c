#!/usr/bin/env node
// `universal-members serve`: the members server from the command line. Flags
// override the environment (MEMBERS_DATABASE_URL, MEMBERS_ADMIN_KEY, PORT,
// MEMBERS_CORS_ORIGINS, MEMBERS_APPROVAL, MEMBERS_DEFAULT_PRIVACY).
import { parseArgs } from 'node:util';
import { createMembersServer } from './server.mjs';

const USAGE = `usage: universal-members serve [--port 8080] [--host 127.0.0.1] [--db sqlite:./members.db]
                                [--admin-key KEY] [--cors-origin ORIGIN]... [--www DIR]`;

function fail(message) {
  process.stderr.write(`universal-members: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
if (command !== 'serve') fail(command ? `unknown command ${JSON.stringify(command)}` : 'a command is required');

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
