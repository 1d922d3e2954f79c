// `universal-members export` (SPEC §13): every member matching a Wix filter, as
// CSV (the canonical columns, which `import` reads back unchanged), JSONL or a
// JSON array, streamed page by page by cursor in constant memory.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { extname } from 'node:path';
import { stringify } from 'csv-stringify';

const PAGE = 100;

/** Every page of members matching `filter`, oldest first. */
async function* pages(admin, filter) {
  let cursor = null;
  do {
    const page = await admin.exportPage(filter, cursor, PAGE);
    yield page.members;
    cursor = page.nextCursor ?? null;
  } while (cursor !== null);
}

/** Writes with backpressure. */
async function put(stream, chunk) {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

/**
 * Exports as admin to `out` (a path; stdout without one) → how many members.
 * `format` defaults to the extension of `out`, else `json`.
 */
export async function exportFile(admin, { format, filter = {}, out } = {}) {
  const extension = out ? extname(out).toLowerCase().slice(1) : '';
  const kind = format ?? (['csv', 'jsonl', 'json'].includes(extension) ? extension : 'json');
  if (!['csv', 'jsonl', 'json'].includes(kind)) throw new Error(`--format must be csv, jsonl or json, got ${JSON.stringify(kind)}`);
  const sink = out ? createWriteStream(out) : process.stdout;
  let count = 0;
  if (kind === 'csv') {
    // A column per custom field key: one pass to learn the keys, one to write.
    const keys = new Set();
    for await (const members of pages(admin, filter)) {
      for (const member of members) for (const key of Object.keys(member.contact?.customFields ?? {})) keys.add(key);
    }
    const header = admin.csvExportHeader([...keys]);
    const csv = stringify();
    csv.pipe(sink, { end: false });
    await put(csv, header);
    for await (const members of pages(admin, filter)) {
      for (const row of admin.csvRowsOfMembers(members, header)) await put(csv, row);
      count += members.length;
    }
    csv.end();
    await once(csv, 'end');
  } else {
    if (kind === 'json') await put(sink, '[');
    for await (const members of pages(admin, filter)) {
      for (const member of members) {
        const text = JSON.stringify(member);
        await put(sink, kind === 'json' ? `${count === 0 ? '' : ','}\n${text}` : `${text}\n`);
        count++;
      }
    }
    if (kind === 'json') await put(sink, count === 0 ? ']\n' : '\n]\n');
  }
  if (out) {
    sink.end();
    await once(sink, 'finish');
  }
  return count;
}
