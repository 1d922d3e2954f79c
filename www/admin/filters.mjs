// The admin list's filters: read from and written to the URL (the single source of
// truth), and turned into one Wix filter document. The same document drives the
// list (through the query builder) and the bulk calls, so "all matching" is
// exactly what the table shows. No DOM, no network.

/** The filter names kept in the query string, in the order they are written. */
export const KEYS = ['q', 'status', 'privacy', 'from', 'to'];

const STATUSES = new Set(['APPROVED', 'PENDING', 'BLOCKED', 'OFFLINE']);
const PRIVACIES = new Set(['PUBLIC', 'PRIVATE']);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The fields text search looks in (case-insensitive substring, any of them). */
export const SEARCH_FIELDS = ['loginEmail', 'contact.firstName', 'contact.lastName', 'profile.nickname'];

/** Filters from a query string; anything unknown or malformed is dropped. */
export function readFilters(search) {
  const params = new URLSearchParams(search);
  const state = { q: (params.get('q') ?? '').trim().slice(0, 100) };
  const status = params.get('status') ?? '';
  state.status = STATUSES.has(status) ? status : '';
  const privacy = params.get('privacy') ?? '';
  state.privacy = PRIVACIES.has(privacy) ? privacy : '';
  for (const key of ['from', 'to']) {
    const day = params.get(key) ?? '';
    state[key] = DAY.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) ? day : '';
  }
  return state;
}

/** The query string of `state` (empty values left out), with a leading `?` or ''. */
export function writeFilters(state) {
  const params = new URLSearchParams();
  for (const key of KEYS) if (state[key]) params.set(key, state[key]);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The next day of a `YYYY-MM-DD`, as an ISO instant (the end of "joined to", exclusive). */
function dayAfter(day) {
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString();
}

/**
 * The Wix filter document of `state` (dates are whole UTC days). Text search is
 * an `$or` of `$contains` over SEARCH_FIELDS, so a bulk call matches it too.
 */
export function filterOf(state) {
  const filter = {};
  if (state.status) filter.status = { $eq: state.status };
  if (state.privacy) filter.privacyStatus = { $eq: state.privacy };
  if (state.from || state.to) {
    filter._createdDate = {};
    if (state.from) filter._createdDate.$gte = `${state.from}T00:00:00.000Z`;
    if (state.to) filter._createdDate.$lt = dayAfter(state.to);
  }
  if (state.q) filter.$or = SEARCH_FIELDS.map((field) => ({ [field]: { $contains: state.q } }));
  return filter;
}

const OPERATORS = { $eq: 'eq', $ne: 'ne', $gt: 'gt', $gte: 'ge', $lt: 'lt', $lte: 'le', $contains: 'contains', $startsWith: 'startsWith' };

/**
 * A query builder for `filter` (a document made by `filterOf`), starting from
 * `start()` (a fresh `members.queryMembers(...)`).
 */
export function builderOf(filter, start) {
  let query = start();
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$or') {
      const parts = value.map((part) => builderOf(part, start));
      query = query.and(parts.reduce((all, part) => all.or(part)));
    } else if (value !== null && typeof value === 'object') {
      for (const [op, operand] of Object.entries(value)) {
        const method = OPERATORS[op];
        if (!method) throw new Error(`no builder method for ${op}`);
        query = query[method](key, operand);
      }
    } else {
      query = query.eq(key, value);
    }
  }
  return query;
}

/** True when no filter is set. */
export const isEmpty = (state) => KEYS.every((key) => !state[key]);

/** A short human description of the filters, for captions and bulk confirmations. */
export function describe(state) {
  const parts = [];
  if (state.status) parts.push(`status ${state.status.toLowerCase()}`);
  if (state.privacy) parts.push(state.privacy.toLowerCase());
  if (state.from) parts.push(`joined from ${state.from}`);
  if (state.to) parts.push(`joined to ${state.to}`);
  if (state.q) parts.push(`matching “${state.q}”`);
  return parts.length ? parts.join(', ') : 'no filters';
}
