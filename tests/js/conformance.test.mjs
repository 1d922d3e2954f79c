// The conformance cases of tests/conformance/*.json (filter, sort, paging, search,
// visibility, errors), run through the public query builder on the store under
// test (MEMBERS_TEST_STORE). Every store must give the same ids in the same order.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { members, elevate, MembersError } from 'universal-members';
import { STORE, useStore, violatedFields } from './helpers.mjs';

const DIR = new URL('./conformance/', import.meta.url);

// Cases a store is known to get wrong: `<file>: <case name>` → { stores, bug }.
// They run as `todo`, so the suite stays green while the bug is open.
const KNOWN_BUGS = {};

/** Builder calls for the Wix field operators (`$nin` is below: NOT of `$in`). */
const OPERATORS = {
  $eq: 'eq', $ne: 'ne', $gt: 'gt', $gte: 'ge', $lt: 'lt', $lte: 'le',
  $in: 'in', $hasSome: 'hasSome', $hasAll: 'hasAll', $exists: 'exists',
  $startsWith: 'startsWith', $endsWith: 'endsWith', $contains: 'contains',
};
const LOGICAL = ['$and', '$or', '$not'];

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isOperatorMap = (v) => isObject(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => k.startsWith('$'));

/**
 * The first part of a Wix filter the builder API has no method for (an unknown
 * operator), or null when the whole filter can be built.
 */
function inexpressible(filter) {
  if (!isObject(filter)) return null;
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      for (const part of Array.isArray(value) ? value : []) {
        const found = inexpressible(part);
        if (found) return found;
      }
    } else if (key === '$not') {
      const found = inexpressible(value);
      if (found) return found;
    } else if (key.startsWith('$')) {
      return key;
    } else if (isOperatorMap(value)) {
      const op = Object.keys(value).find((k) => k !== '$nin' && !(k in OPERATORS));
      if (op) return op;
    }
  }
  return null;
}

/**
 * `builder` AND the Wix JSON `filter`, through builder calls only. `fresh()` gives
 * an empty builder of the same caller for the parts of and/or/not. Keys of one
 * object are ANDed, as are several operators on one field.
 */
function withFilter(builder, filter, fresh) {
  if (!isObject(filter)) throw new Error(`a filter must be an object, got ${JSON.stringify(filter)}`);
  let q = builder;
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and') {
      for (const part of value) q = q.and(withFilter(fresh(), part, fresh));
    } else if (key === '$or') {
      // Start from the first alternative: `or` on an empty builder would match all.
      let alternatives = withFilter(fresh(), value[0], fresh);
      for (const part of value.slice(1)) alternatives = alternatives.or(withFilter(fresh(), part, fresh));
      q = q.and(alternatives);
    } else if (key === '$not') {
      q = q.not(withFilter(fresh(), value, fresh));
    } else if (isOperatorMap(value)) {
      for (const [op, operand] of Object.entries(value)) {
        // $nin is exactly NOT $in: a missing field matches both (filter.rs, sql.rs).
        q = op === '$nin' ? q.not(fresh().in(key, operand)) : q[OPERATORS[op]](key, operand);
      }
    } else {
      q = q.eq(key, value);
    }
  }
  return q;
}

/** The builder of a case's caller and query. */
function builderFor(caller, query) {
  const options = query.search === undefined ? {} : { search: query.search };
  let start;
  if (caller === 'visitor') start = () => members.queryMembers(options);
  else if (caller === 'admin') start = () => elevate(members.queryMembers)(options);
  else if (isObject(caller) && typeof caller.member === 'string') start = () => members.asMember(caller.member).queryMembers(options);
  else throw new Error(`unknown caller ${JSON.stringify(caller)}`);

  let q = start();
  if (query.filter !== undefined) q = withFilter(q, query.filter, start);
  for (const { fieldName, order } of query.sort ?? []) {
    q = order === 'DESC' ? q.descending(fieldName) : q.ascending(fieldName);
  }
  if (query.paging?.limit !== undefined) q = q.limit(query.paging.limit);
  if (query.paging?.offset !== undefined) q = q.skip(query.paging.offset);
  return q;
}

/** True when the error's message or details name `field`. */
function namesField(error, field) {
  return violatedFields(error).includes(field)
    || String(error.message).includes(field)
    || JSON.stringify(error.details ?? {}).includes(JSON.stringify(field));
}

async function runCase({ caller, query = {}, expect }) {
  let result;
  let error;
  try {
    result = await builderFor(caller, query).find();
  } catch (e) {
    error = e;
  }
  if (expect.error !== undefined) {
    assert.ok(error !== undefined,
      `expected ${expect.error} naming ${expect.field}, got ids ${JSON.stringify(result?.items.map((m) => m._id))}`);
    assert.ok(error instanceof MembersError, `expected a MembersError, got ${error?.stack ?? error}`);
    assert.equal(error.code, expect.error, `code (message: ${error.message})`);
    assert.ok(namesField(error, expect.field),
      `the error should name ${expect.field}: ${error.message} ${JSON.stringify(error.details)}`);
    return;
  }
  if (error !== undefined) throw error;
  assert.deepEqual(result.items.map((m) => m._id), expect.ids, 'ids in order');
  assert.equal(result.totalCount, expect.totalCount, 'totalCount');
}

const files = readdirSync(DIR).filter((name) => name.endsWith('.json')).sort();
assert.ok(files.length > 0, `no conformance files in ${DIR.pathname}`);

for (const file of files) {
  const { members: fixture, cases } = JSON.parse(readFileSync(new URL(file, DIR), 'utf8'));

  describe(file, () => {
    before(async () => {
      await useStore();
      await elevate(members.importMembers)(fixture);
    });

    for (const c of cases) {
      const name = `${file}: ${c.name}`;
      const options = {};
      const missing = inexpressible(c.query?.filter);
      const bug = KNOWN_BUGS[name];
      if (missing) options.skip = `the query builder has no method for ${missing}; only the REST filter can send it`;
      else if (bug && bug.stores.includes(STORE)) options.todo = `BUG on ${STORE}: ${bug.bug}`;
      test(name, options, () => runCase(c));
    }
  });
}
