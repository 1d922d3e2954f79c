// `universal-members import FILE` (SPEC §13): streams a CSV, JSONL or JSON file
// into the core's `importRows` in batches of 1,000 (one transaction each) and
// writes the rejected rows to a report CSV. Never reads the file whole. Which
// row is good, what a conflict is and what is stored are the core's; this file
// reads, batches, counts and reports.
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { jsonArrayElements } from './json-array.mjs';
import { startProgress } from './progress.mjs';

/** Rows per `importRows` call: one transaction. */
export const BATCH = 1000;

const FORMATS = ['csv', 'jsonl', 'json'];

/** The file's format: `given`, else from its extension (`.ndjson` is JSONL). */
export function formatOf(file, given) {
  if (given !== undefined) {
    if (!FORMATS.includes(given)) throw new UsageError(`--format must be csv, jsonl or json, got ${JSON.stringify(given)}`);
    return given;
  }
  const extension = extname(file).toLowerCase().slice(1);
  if (extension === 'ndjson') return 'jsonl';
  if (FORMATS.includes(extension)) return extension;
  throw new UsageError(`can not tell the format of ${file}: give --format csv, jsonl or json`);
}

/** A mistake in the command line (exit 2). */
export class UsageError extends Error {}

/**
 * Imports `file` as admin → `{ summary, conflicts }`; `summary` is the line
 * `{ total, created, updated, skipped, failed }`. With `onConflict: 'error'`
 * the whole file is checked first, and any conflict means nothing is written.
 */
export async function importFile(admin, file, { format, onConflict = 'skip', dryRun = false, report, ignoreUnknown = false, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  if (!['skip', 'update', 'error'].includes(onConflict)) throw new UsageError(`--on-conflict must be skip, update or error, got ${JSON.stringify(onConflict)}`);
  const kind = formatOf(file, format);
  const settings = { admin, file, kind, onConflict, ignoreUnknown, log };
  if (onConflict === 'error' && !dryRun) {
    const checked = await pass({ ...settings, dryRun: true, report, verb: 'checked' });
    if (checked.conflicts > 0) {
      log(`universal-members: ${checked.conflicts} row(s) have a login email that exists already (--on-conflict error): nothing was written`);
      return { summary: { total: checked.total, created: 0, updated: 0, skipped: 0, failed: checked.failed }, conflicts: checked.conflicts };
    }
  }
  const done = await pass({ ...settings, dryRun, report, verb: dryRun ? 'checked' : 'imported' });
  const { total, created, updated, skipped, failed } = done;
  return { summary: { total, created, updated, skipped, failed }, conflicts: done.conflicts };
}

/** One read of the file through `importRows`; the counts. */
async function pass({ admin, file, kind, onConflict, ignoreUnknown, dryRun, report, verb, log }) {
  const input = createReadStream(file);
  const progress = startProgress({ total: statSync(file).size, verb });
  const counts = { total: 0, created: 0, updated: 0, skipped: 0, failed: 0, conflicts: 0 };
  let reportOut = null;
  // A dry run stores nothing, so repeats across batches are told here.
  const seenKeys = new Set();
  const seenIds = new Set();
  try {
    const source = kind === 'csv' ? csvRows(input) : kind === 'jsonl' ? jsonlRows(input) : jsonRows(input);
    let header = null;
    let batch = [];
    const options = () => ({ format: kind === 'csv' ? 'csv' : 'member', header, onConflict, dryRun, ignoreUnknown });
    const reject = (cells, error) => {
      counts.failed++;
      // The row as it was read, but never as a formula a spreadsheet would run.
      reportOut?.write(admin.csvReportRow([...cells, error].map(String)));
    };
    const flush = async () => {
      if (batch.length === 0) return;
      const { results } = await admin.importRows(batch.map((b) => b.row), options());
      results.forEach((result, i) => {
        let { outcome } = result;
        if (dryRun && outcome === 'created') {
          if (result.key !== undefined && seenKeys.has(result.key)) {
            if (onConflict === 'error') {
              counts.conflicts++;
              reject(batch[i].cells, 'the login email is also in an earlier row');
              return;
            }
            outcome = onConflict === 'update' ? 'updated' : 'skipped';
          } else if (result.id !== undefined && seenIds.has(result.id)) {
            reject(batch[i].cells, `a member with id ${result.id} already exists`);
            return;
          } else {
            seenKeys.add(result.key);
            seenIds.add(result.id);
          }
        }
        if (outcome === 'failed') {
          if (result.conflict) counts.conflicts++;
          reject(batch[i].cells, result.error);
        } else {
          counts[outcome]++;
        }
      });
      batch = [];
      progress.update(input.bytesRead, counts.total);
    };
    for await (const item of source) {
      if (item.header) {
        header = item.header;
        const check = admin.checkImportHeader(header);
        for (const notice of check.notices) log(`universal-members: ${notice}`);
        // The core refuses unknown columns by name before anything is written.
        if (check.unknown.length > 0 && !ignoreUnknown) await admin.importRows([], options());
        if (check.unknown.length > 0) log(`universal-members: ignoring the column(s) ${check.unknown.map((h) => JSON.stringify(h)).join(', ')}`);
        if (report) reportOut = openReport(report, admin.csvReportRow([...header, 'error']));
        continue;
      }
      if (!reportOut && report) reportOut = openReport(report, ['member', 'error']);
      counts.total++;
      if (item.error) {
        reject(item.cells, item.error);
        continue;
      }
      batch.push(item);
      if (batch.length === BATCH) await flush();
    }
    if (kind === 'csv' && header === null) throw new Error(`${file} is empty: a CSV needs a header row`);
    await flush();
  } finally {
    progress.stop();
    input.destroy();
    if (reportOut) {
      reportOut.end();
      await once(reportOut.file, 'finish');
    }
  }
  return counts;
}

/** A report CSV: the rejected rows with their `error`. */
function openReport(path, header) {
  const out = stringify();
  const file = createWriteStream(path);
  out.pipe(file);
  out.write(header);
  out.file = file;
  return out;
}

/** `{ header }`, then `{ row, cells }` for each record (a BOM is dropped). */
async function* csvRows(input) {
  const parser = input.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true }));
  let first = true;
  for await (const record of parser) {
    if (first) {
      first = false;
      yield { header: record.map((h) => h.trim()) };
    } else {
      yield { row: record, cells: record };
    }
  }
}

/** `{ row, cells }` per non-empty line; a line that is not JSON is `{ error }`. */
async function* jsonlRows(input) {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let first = true;
  for await (let line of lines) {
    if (first && line.startsWith('\uFEFF')) line = line.slice(1);
    first = false;
    if (line.trim() === '') continue;
    try {
      yield { row: JSON.parse(line), cells: [line] };
    } catch (error) {
      yield { error: `not valid JSON: ${error.message}`, cells: [line] };
    }
  }
}

/** `{ row, cells }` per element of the file's JSON array. */
async function* jsonRows(input) {
  input.setEncoding('utf8');
  for await (const element of jsonArrayElements(input)) {
    if (element.error) yield { error: element.error, cells: [element.text] };
    else yield { row: element.value, cells: [JSON.stringify(element.value)] };
  }
}
