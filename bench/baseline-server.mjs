// The HTTP benchmark's baseline: the least a members server could do for getMember,
// a query and a listing as an anonymous visitor, and createMember as admin.
// node:http + better-sqlite3, the same SQL statements the members core sends
// (captured from its driver), the same JSON answer (REST naming, PUBLIC fieldset,
// keys in the order the core writes them, a signed next cursor; for a
// create the same fields). No wasm, no validation beyond what these routes need
// (a create checks nothing but the admin key), no access log.
//
//   node bench/baseline-server.mjs --db PATH [--port 0] [--host 127.0.0.1] [--admin-key KEY]
//   prints "baseline: serving http://HOST:PORT"
import http from 'node:http';
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { parseArgs } from 'node:util';
import Database from '../pkg/node_modules/better-sqlite3/lib/index.js';

const { values: flags } = parseArgs({
  options: { db: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'admin-key': { type: 'string' } },
});
if (!flags.db) throw new Error('--db PATH is required');

const db = new Database(flags.db, { timeout: 5000 });
db.pragma('journal_mode = WAL');
// The core's durability: a write is on disk when it is answered (better-sqlite3's
// own default in WAL is NORMAL, which may lose the last commits on power loss).
db.pragma('synchronous = FULL');

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
// createMember: the statements the core sends (its slug search, then the member,
// its `created` event and the event's webhook deliveries in one transaction).
const create = {
  slugs: db.prepare('SELECT slug_key FROM members WHERE slug_key = ? OR (slug_key >= ? AND slug_key < ?)').pluck(),
  member: db.prepare(`INSERT INTO members (id, email_key, slug_key, login_email, login_email_folded, contact_id, first_name,
    first_name_folded, last_name, last_name_folded, nickname, nickname_folded, slug, slug_folded, title, title_folded,
    privacy_status, status, activity_status, created_date, updated_date, last_login_date, revision, data)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  event: db.prepare('INSERT INTO events (id, member_id, slug, sequence, event_time, origin, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  deliveries: db.prepare(`INSERT INTO webhook_deliveries (endpoint_id, event_position, member_id, status, attempts, last_failed,
    next_attempt, created_date) SELECT w.id, e.position, e.member_id, 'pending', 0, 0, e.event_time, e.event_time
    FROM events e JOIN webhook_endpoints w ON w.enabled = 1 AND w.events LIKE ('%,' || e.slug || ',%')
    WHERE e.id IN (?) ORDER BY e.position, w.id`),
};
const adminKey = flags['admin-key'] ? Buffer.from(flags['admin-key']) : null;
const isAdmin = (header) => adminKey !== null && typeof header === 'string' && header.length === adminKey.length
  && timingSafeEqual(Buffer.from(header), adminKey);

/** A member as createMember makes one from `{ loginEmail, profile: { nickname } }`: the stored SDK JSON. */
function createMember(input) {
  const email = String(input.loginEmail).trim();
  const nickname = input.profile?.nickname ?? email.split('@')[0];
  const base = nickname.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'member';
  const taken = new Set(create.slugs.all(base, `${base}-`, `${base}.`));
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  const now = Date.now();
  const iso = new Date(now).toISOString();
  const member = {
    _id: randomUUID(), loginEmail: email, loginEmailVerified: false, status: 'APPROVED', contactId: randomUUID(),
    contact: { phones: [], emails: [], addresses: [], customFields: {} },
    profile: { nickname, slug }, privacyStatus: 'PUBLIC', activityStatus: 'ACTIVE', _createdDate: iso, _updatedDate: iso,
  };
  const eventId = randomUUID();
  db.transaction(() => {
    create.member.run(member._id, email.toLowerCase(), slug, email, email.toLowerCase(), member.contactId, null, null, null, null,
      nickname, nickname.toLowerCase(), slug, slug, null, null, 'PUBLIC', 'APPROVED', 'ACTIVE', now, now, null, 1, JSON.stringify(member));
    create.event.run(eventId, member._id, 'created', 1, now, 'api', JSON.stringify({ entity: member }));
    create.deliveries.run(eventId);
  }).immediate();
  return JSON.stringify({ member: rest(member) });
}

// Read once, as the core caches it.
const secret = db.prepare("SELECT value FROM settings WHERE name = 'cursor_secret'").pluck().get();

const RENAMES = { _id: 'id', _createdDate: 'createdDate', _updatedDate: 'updatedDate' };

/** REST naming at every depth (custom field keys kept), keys in their order. */
function rest(value, keepKeys = false) {
  if (Array.isArray(value)) return value.map((item) => rest(item));
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) out[keepKeys ? k : (RENAMES[k] ?? k)] = rest(v, k === 'customFields');
  return out;
}

const isPublic = (m) => m.status === 'APPROVED' && m.privacyStatus === 'PUBLIC';

/** The PUBLIC fieldset, as a visitor gets it, keys in the core's (its structs') order. */
function publicView(m) {
  return {
    id: m._id,
    status: 'UNKNOWN',
    contactId: m.contactId,
    profile: rest(m.profile ?? {}),
    privacyStatus: 'UNKNOWN',
    activityStatus: 'UNKNOWN',
    createdDate: m._createdDate,
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
    metadata: { count: members.length, offset, total, tooManyToCount: false, cursors: { next, prev: null } },
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
  if (request.method === 'POST' && pathname === PREFIX) {
    if (!isAdmin(request.headers.authorization)) return [401, errorBody('UNAUTHENTICATED', 'createMember needs the admin key', {})];
    return [200, createMember(JSON.parse(body).member)];
  }
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
