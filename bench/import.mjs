// The import benchmark (SPEC §13), side by side in one run on SQLite files:
// 1. `universal-members import` of 100,000 members from CSV (a real CLI process:
//    csv-parse, per-row checks, batches of 1,000 with their created events) vs a
//    raw better-sqlite3 insert of the same rows, parsed with the same csv-parse,
//    in one transaction (the target: at most 3×).
// 2. Peak memory (maxRSS) of importing 200,000 rows: must stay under 200 MB.
// Writes the `import` section of RESULTS.md.
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, writeSection } from './results.mjs';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const requirePkg = createRequire(path.join(ROOT, 'pkg', 'package.json'));
const Database = requirePkg('better-sqlite3');
const { parse } = requirePkg('csv-parse');
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const MEMORY_ROWS = Number(process.env.BENCH_IMPORT_MEMORY_ROWS ?? 200_000);
const MEMORY_LIMIT_MB = 200;

const dir = mkdtempSync(path.join(os.tmpdir(), 'members-import-bench-'));

async function writeCsv(file, rows) {
  const out = createWriteStream(file);
  const put = async (text) => { if (!out.write(text)) await once(out, 'drain'); };
  await put('email,firstName,lastName,nickname,phones,birthdate,customFields.plan\n');
  for (let i = 0; i < rows; i++) {
    await put(`member${i}@example.com,First${i},Last${i},"Member ${i}",+1 555 ${String(i % 10000).padStart(4, '0')},1990-01-${String((i % 28) + 1).padStart(2, '0')},${i % 2 ? 'gold' : 'free'}\n`);
  }
  out.end();
  await once(out, 'finish');
}

/** The CLI as a user runs it → { seconds, maxRssMb, summary }. */
function cliImport(file, db) {
  const preload = path.join(dir, 'rss.mjs');
  writeFileSync(preload, "process.on('exit', () => process.stderr.write(`maxrss ${process.resourceUsage().maxRSS}\\n`));\n");
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', preload, path.join(ROOT, 'pkg', 'cli.mjs'), 'import', file, '--db', `sqlite:${db}`], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`import failed: ${run.stderr}`);
  return { seconds, maxRssMb: Number(/maxrss (\d+)/.exec(run.stderr)[1]) / 1024, summary: run.stdout.trim().split('\n').at(-1) };
}

/** The floor: the same rows parsed with csv-parse and inserted in one transaction. */
async function rawImport(file, db) {
  const started = performance.now();
  const sqlite = new Database(db);
  sqlite.pragma('journal_mode = WAL');
  sqlite.exec('CREATE TABLE members (id TEXT PRIMARY KEY, login_email TEXT NOT NULL UNIQUE, data TEXT NOT NULL)');
  const insert = sqlite.prepare('INSERT INTO members (id, login_email, data) VALUES (?, ?, ?)');
  const rows = [];
  for await (const r of createReadStream(file).pipe(parse({ columns: true }))) rows.push(r);
  sqlite.transaction(() => {
    for (const r of rows) {
      insert.run(crypto.randomUUID(), r.email, JSON.stringify({ contact: { firstName: r.firstName, lastName: r.lastName, phones: [r.phones], birthdate: r.birthdate, customFields: { plan: { value: r['customFields.plan'] } } }, profile: { nickname: r.nickname } }));
    }
  })();
  sqlite.close();
  return (performance.now() - started) / 1000;
}

/**
 * What our schema costs by itself: the rows and events `ours` stored (24
 * indexed columns and the member JSON; the event with its entity), inserted
 * again by better-sqlite3 in the same batches of 1,000 with the same pragmas.
 * The gap between this and `ours` is the engine's own work.
 */
function schemaFloor(storedDb, db) {
  const stored = new Database(storedDb, { readonly: true });
  const schema = stored.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'").pluck().all();
  const tables = ['members', 'events'].map((table) => {
    const select = stored.prepare(`SELECT * FROM ${table} ORDER BY rowid`).raw(true);
    return { table, columns: select.columns().map((c) => c.name), rows: select.all() };
  });
  stored.close();
  const started = performance.now();
  const sqlite = new Database(db);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('wal_autocheckpoint = 10000');
  for (const statement of schema) sqlite.exec(statement);
  const inserts = tables.map(({ table, columns, rows }) => ({
    rows,
    insert: sqlite.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`),
  }));
  const count = inserts[0].rows.length;
  for (let start = 0; start < count; start += 1000) {
    sqlite.transaction(() => {
      for (const { rows, insert } of inserts) {
        for (let i = start; i < Math.min(start + 1000, count); i++) insert.run(rows[i]);
      }
    }).immediate();
  }
  sqlite.close();
  return (performance.now() - started) / 1000;
}

try {
  const file = path.join(dir, 'members.csv');
  await writeCsv(file, ROWS);
  const raw = await rawImport(file, path.join(dir, 'raw.db'));
  const ours = cliImport(file, path.join(dir, 'ours.db'));
  const floor = schemaFloor(path.join(dir, 'ours.db'), path.join(dir, 'floor.db'));
  const bigFile = path.join(dir, 'big.csv');
  await writeCsv(bigFile, MEMORY_ROWS);
  const big = cliImport(bigFile, path.join(dir, 'big.db'));
  const ratio = ours.seconds / raw;
  const lines = [
    `## Import: ${ROWS.toLocaleString('en')} members from CSV into SQLite`,
    '',
    machine(),
    '',
    '| | seconds | members/s |',
    '|---|---|---|',
    `| \`universal-members import\` (checks, slugs, events, batches of 1,000) | ${ours.seconds.toFixed(2)} | ${Math.round(ROWS / ours.seconds).toLocaleString('en')} |`,
    `| raw better-sqlite3, one transaction (csv-parse, 3 columns) | ${raw.toFixed(2)} | ${Math.round(ROWS / raw).toLocaleString('en')} |`,
    `| our schema alone: the stored rows and events re-inserted by better-sqlite3, batches of 1,000 | ${floor.toFixed(2)} | ${Math.round(ROWS / floor).toLocaleString('en')} |`,
    '',
    `Ratio ${ratio.toFixed(1)}× the raw insert (target ≤ 3×: ${ratio <= 3 ? 'met' : 'not met'}); `
      + `the schema alone is ${(floor / raw).toFixed(1)}× it, the engine's own work (parsing, checks, slugs, events, crossing to the driver) `
      + `${(ours.seconds - floor).toFixed(2)} s of the ${ours.seconds.toFixed(2)} s. Summary: \`${ours.summary}\`.`,
    '',
    `Peak memory (maxRSS) of the CLI importing ${MEMORY_ROWS.toLocaleString('en')} rows: ${big.maxRssMb.toFixed(0)} MB `
      + `(${ROWS.toLocaleString('en')} rows: ${ours.maxRssMb.toFixed(0)} MB; limit ${MEMORY_LIMIT_MB} MB: ${big.maxRssMb < MEMORY_LIMIT_MB ? 'met' : 'NOT met'}), `
      + `${big.seconds.toFixed(1)} s.`,
  ];
  writeSection('import', lines.join('\n'));
  process.stdout.write(`${lines.join('\n')}\n`);
  if (big.maxRssMb >= MEMORY_LIMIT_MB) {
    process.stderr.write(`bench/import: peak memory ${big.maxRssMb.toFixed(0)} MB is over ${MEMORY_LIMIT_MB} MB\n`);
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
