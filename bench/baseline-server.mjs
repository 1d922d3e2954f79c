// The HTTP benchmark's baseline: the least a members server could do for getMember
// and a query as an anonymous visitor. node:http + better-sqlite3, the same SQL
// statements the members core sends (captured from its driver), the same JSON
// answer (REST naming, PUBLIC fieldset, keys sorted as the core's serde_json
// writes them, a signed next cursor). No wasm, no validation beyond the two
// routes, no access log.
//
//   node bench/baseline-server.mjs --db PATH [--port 0] [--host 127.0.0.1]
//   prints "baseline: serving http://HOST:PORT"
import http from 'node:http';
import { createHash, createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';
import Database from '../pkg/node_modules/better-sqlite3/lib/index.js';

const { values: flags } = parseArgs({
  options: { db: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
});
if (!flags.db) throw new Error('--db PATH is required');

const db = new Database(flags.db, { timeout: 5000 });
db.pragma('journal_mode = WAL');

// What the core sends (SQLite dialect), for a visitor.
const VISIBLE = '(status = ?) AND (privacy_status = ?)';
const ORDER = ' ORDER BY created_date DESC NULLS LAST, id ASC LIMIT ? OFFSET ?';
const sql = {
  get: db.prepare('SELECT data FROM members WHERE id = ?').pluck(),
  list: db.prepare(`SELECT data FROM members WHERE (${VISIBLE})${ORDER}`).pluck(),
  listCount: db.prepare(`SELECT COUNT(*) FROM members WHERE (${VISIBLE})`).pluck(),
  prefix: db.prepare(`SELECT data FROM members WHERE (${VISIBLE} AND (nickname_folded >= ? AND nickname_folded < ?))${ORDER}`).pluck(),
  prefixCount: db.prepare(`SELECT COUNT(*) FROM members WHERE (${VISIBLE} AND (nickname_folded >= ? AND nickname_folded < ?))`).pluck(),
};
// Read once, as the core caches it.
const secret = db.prepare("SELECT value FROM settings WHERE name = 'cursor_secret'").pluck().get();

const RENAMES = { _id: 'id', _createdDate: 'createdDate', _updatedDate: 'updatedDate' };

/** REST naming at every depth (custom field keys kept), keys sorted. */
function rest(value, keepKeys = false) {
  if (Array.isArray(value)) return value.map((item) => rest(item));
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  const entries = Object.entries(value).map(([k, v]) => [keepKeys ? k : (RENAMES[k] ?? k), rest(v, k === 'customFields')]);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of entries) out[k] = v;
  return out;
}

const isPublic = (m) => m.status === 'APPROVED' && m.privacyStatus === 'PUBLIC';

/** The PUBLIC fieldset, as a visitor gets it, keys in the core's (sorted) order. */
function publicView(m) {
  return {
    activityStatus: 'UNKNOWN',
    contactId: m.contactId,
    createdDate: m._createdDate,
    id: m._id,
    privacyStatus: 'UNKNOWN',
    profile: rest(m.profile ?? {}),
    status: 'UNKNOWN',
    updatedDate: m._updatedDate,
  };
}

/** The core's cursor: base64url(payload).base64url(HMAC-SHA256[..16]), payload bound to the query. */
function cursorAfter(last, fingerprint) {
  const payload = JSON.stringify({ id: last._id, k: [{ d: Date.parse(last._createdDate) }], q: fingerprint });
  const mac = createHmac('sha256', secret).update(payload).digest().subarray(0, 16);
  return `${Buffer.from(payload).toString('base64url')}.${mac.toString('base64url')}`;
}

const fingerprintOf = (filter) => createHash('sha256').update(`${JSON.stringify(filter)}|createdDate desc`).digest('hex').slice(0, 16);

/** The successor of a prefix, as the core computes it (last code point + 1). */
function successor(prefix) {
  const chars = [...prefix];
  while (chars.length) {
    let next = chars.pop().codePointAt(0) + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
    if (next <= 0x10ffff) return chars.join('') + String.fromCodePoint(next);
  }
  return null;
}

function page(filter, limit, offset) {
  let rows;
  let total;
  const prefixValue = filter?.['profile.nickname']?.$startsWith;
  if (typeof prefixValue === 'string') {
    const low = prefixValue.toLowerCase();
    const high = successor(low);
    rows = sql.prefix.all('APPROVED', 'PUBLIC', low, high, limit + 1, offset);
    total = sql.prefixCount.get('APPROVED', 'PUBLIC', low, high);
  } else {
    rows = sql.list.all('APPROVED', 'PUBLIC', limit + 1, offset);
    total = sql.listCount.get('APPROVED', 'PUBLIC');
  }
  const members = rows.slice(0, limit).map((data) => JSON.parse(data));
  const next = rows.length > limit && members.length ? cursorAfter(members[members.length - 1], fingerprintOf(filter ?? {})) : null;
  return JSON.stringify({
    members: members.map(publicView),
    metadata: { count: members.length, cursors: { next, prev: null }, offset, tooManyToCount: false, total },
  });
}

function errorBody(code, message, data) {
  return JSON.stringify({ details: { applicationError: { code, data, description: message } }, message });
}

const PREFIX = '/members/v1/members';
const HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

function answer(request, body) {
  const url = new URL(request.url, 'http://localhost');
  const { pathname } = url;
  if (request.method === 'POST' && pathname === `${PREFIX}/query`) {
    const { query = {} } = JSON.parse(body || '{}');
    return [200, page(query.filter, query.paging?.limit ?? 50, query.paging?.offset ?? 0)];
  }
  if (request.method === 'GET' && pathname === PREFIX) {
    const limit = Number(url.searchParams.get('paging.limit') ?? 50);
    const offset = Number(url.searchParams.get('paging.offset') ?? 0);
    return [200, page(null, limit, offset)];
  }
  if (request.method === 'GET' && pathname.startsWith(`${PREFIX}/`)) {
    const id = decodeURIComponent(pathname.slice(PREFIX.length + 1));
    const data = sql.get.get(id);
    const member = data === undefined ? null : JSON.parse(data);
    if (member === null || !isPublic(member)) {
      return [404, errorBody('MEMBER_NOT_FOUND', `member ${id} was not found`, { memberId: id })];
    }
    return [200, JSON.stringify({ member: publicView(member) })];
  }
  return [404, errorBody('NOT_FOUND', `nothing is served at ${pathname}`, {})];
}

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    let status;
    let body;
    try {
      [status, body] = answer(request, Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      [status, body] = [500, errorBody('INTERNAL', String(error?.message ?? error), {})];
    }
    response.writeHead(status, HEADERS);
    response.end(body);
  });
});

const host = flags.host ?? '127.0.0.1';
server.listen(Number(flags.port ?? 0), host, () => {
  process.stdout.write(`baseline: serving http://${host}:${server.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => { db.close(); process.exit(0); });
    server.closeAllConnections?.();
  });
}
