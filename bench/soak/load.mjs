// The soak's mixed load: paced workers that read (getMember, queryMembers, list),
// write (create, update, delete, and a duplicate email now and then), log in and
// use the session, a login flood from an address of its own, and bulk jobs
// followed to the end. Every acknowledged (2xx) change goes into a ledger, so
// what the database holds afterwards and what the webhook receiver got can be
// checked against it. Bounded: everything stops at the deadline given.
import { setTimeout as sleep } from 'node:timers/promises';
import { call } from './client.mjs';

const POOL_LOW = 60;
const POOL_HIGH = 150;
/** Relative weights of the calls a worker makes. */
const WEIGHTS = { getMember: 30, queryMembers: 14, listMembers: 10, createMember: 12, updateMember: 16, deleteMember: 8, duplicateEmail: 2, login: 4 };
const FLOOD_ATTEMPTS = 13;
const JOB_POLL_MS = 250;
const JOB_LIMIT_MS = 180_000;

/** Client addresses the load speaks for, in X-Forwarded-For only (RFC 5737 documentation ranges: never a packet's address). */
const workerAddress = (w) => `198.51.100.${(w % 250) + 1}`;
const floodAddress = (k) => `203.0.113.${(k % 250) + 1}`;

/** A new ledger line: what was acknowledged of one member. */
export const ledgerEntry = (nickname, owner) => ({ created: 1, updated: 0, deleted: 0, nickname, gone: false, uncertain: false, owner });

/**
 * Runs until `deadline` (ms, performance.now() clock) or `stopped()`:
 * `servers()` gives the servers to spread calls over (those alive), `seeds` the
 * members nobody changes ({ id, email, nickname }), `logins` members with a
 * password ({ id, email, password }), `tag` a word of its own in every email and
 * nickname this run writes. Resolves when every worker has stopped.
 */
export async function runLoad({ servers, tally, ledger, seeds, logins, tag, deadline, rate, workers, stopped = () => false, floodEveryMs = 20_000, jobs = null }) {
  let turn = 0;
  const pick = () => {
    const list = servers();
    turn += 1;
    return list[turn % list.length];
  };
  const over = () => performance.now() >= deadline || stopped();
  // Seeds are `seed <their tag> <i>`; `tag` names what this run writes.
  const seedPrefix = seeds[0].nickname.replace(/\d+$/, '');
  const intervalMs = (workers * 1000) / rate;
  const totalWeight = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);
  const choose = () => {
    let r = Math.random() * totalWeight;
    for (const [kind, weight] of Object.entries(WEIGHTS)) {
      r -= weight;
      if (r < 0) return kind;
    }
    return 'getMember';
  };

  async function worker(w) {
    const pool = [];
    let n = 0;
    let next = performance.now() + Math.random() * intervalMs;
    // A member whose last change got no answer is in an unknown state: it leaves
    // the pool and is not checked (what was acknowledged before still is).
    const unsure = (id) => {
      ledger.get(id).uncertain = true;
      pool.splice(pool.indexOf(id), 1);
    };
    const randomOf = (list) => list[Math.floor(Math.random() * list.length)];
    while (!over()) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      // Behind schedule (a slow answer) does not turn into a burst later.
      next = Math.max(next + intervalMs, performance.now() - 1000);
      if (over()) break;
      let kind = choose();
      if ((kind === 'createMember' && pool.length >= POOL_HIGH) || (kind === 'deleteMember' && pool.length < POOL_LOW)) kind = 'updateMember';
      if (['updateMember', 'deleteMember'].includes(kind) && pool.length === 0) kind = 'createMember';
      if (kind === 'getMember' && pool.length === 0) kind = 'listMembers';
      const server = pick();
      n += 1;
      if (kind === 'getMember') {
        const own = Math.random() < 0.6;
        const id = own ? randomOf(pool) : randomOf(seeds).id;
        const answer = await call(server, 'GET', `/members/v1/members/${id}?fieldsets=FULL`);
        if (tally.record(kind, answer) === 'ok') {
          const want = own ? ledger.get(id).nickname : seeds.find((s) => s.id === id).nickname;
          // Only a member still in the pool was certain when the call began.
          if (answer.body?.member?.profile?.nickname !== want && (!own || pool.includes(id))) {
            tally.wrong(kind, `member ${id}: nickname ${answer.body?.member?.profile?.nickname}, acknowledged ${want}`);
          }
        }
      } else if (kind === 'queryMembers') {
        const answer = await call(server, 'POST', '/members/v1/members/query', {
          body: { query: { filter: { 'profile.nickname': { $startsWith: seedPrefix } }, paging: { limit: 20 }, sort: [{ fieldName: 'createdDate', order: 'DESC' }] }, fieldsets: ['FULL'] },
        });
        if (tally.record(kind, answer) === 'ok') {
          const total = answer.body?.metadata?.total;
          if (answer.body?.members?.length !== Math.min(20, seeds.length) || (total !== undefined && total !== seeds.length)) {
            tally.wrong(kind, `the seed query found ${answer.body?.members?.length} (total ${total}), not ${seeds.length}`);
          }
        }
      } else if (kind === 'listMembers') {
        // As a visitor: the public directory.
        const answer = await call(server, 'GET', `/members/v1/members?paging.limit=20&paging.offset=${Math.floor(Math.random() * 100)}`, { auth: null });
        tally.record(kind, answer);
      } else if (kind === 'createMember') {
        const nickname = `w${w} ${tag} c${n}`;
        const answer = await call(server, 'POST', '/members/v1/members', { body: { member: { loginEmail: `w${w}.${n}.${tag}@soak.example`, profile: { nickname } } } });
        if (tally.record(kind, answer) === 'ok') {
          const { id } = answer.body.member;
          ledger.set(id, ledgerEntry(nickname, `w${w}`));
          pool.push(id);
        }
      } else if (kind === 'duplicateEmail') {
        // A seed's email in other case: the same login email (SPEC §5), refused.
        const seed = randomOf(seeds);
        const answer = await call(server, 'POST', '/members/v1/members', { body: { member: { loginEmail: seed.email.toUpperCase() } } });
        if (tally.record(kind, answer, ['409 EMAIL_ALREADY_EXISTS']) === 'ok') tally.wrong(kind, `a second member with ${seed.email} was created`);
      } else if (kind === 'updateMember') {
        const id = randomOf(pool);
        const nickname = `w${w} ${tag} u${n}`;
        const answer = await call(server, 'PATCH', `/members/v1/members/${id}`, { body: { member: { id, profile: { nickname } } } });
        const outcome = tally.record(kind, answer);
        if (outcome === 'ok') {
          const entry = ledger.get(id);
          entry.updated += 1;
          entry.nickname = nickname;
        } else unsure(id);
      } else if (kind === 'deleteMember') {
        const id = randomOf(pool);
        const answer = await call(server, 'DELETE', `/members/v1/members/${id}`);
        if (tally.record(kind, answer) === 'ok') {
          const entry = ledger.get(id);
          entry.deleted = 1;
          entry.gone = true;
          pool.splice(pool.indexOf(id), 1);
        } else unsure(id);
      } else if (kind === 'login') {
        const who = randomOf(logins);
        const from = workerAddress(w);
        const answer = await call(server, 'POST', '/members/v1/auth/login', { body: { email: who.email, password: who.password }, auth: null, from });
        if (tally.record(kind, answer) === 'ok') {
          const bearer = `Bearer ${answer.body.sessionToken}`;
          const me = await call(server, 'GET', '/members/v1/members/my', { auth: bearer, from });
          if (tally.record('getCurrentMember (session)', me) === 'ok' && me.body?.member?.id !== who.id) {
            tally.wrong('getCurrentMember (session)', `the session of ${who.id} answered member ${me.body?.member?.id}`);
          }
          tally.record('logout', await call(server, 'POST', '/members/v1/auth/logout', { auth: bearer, from }));
        }
      }
    }
  }

  // A flood of wrong passwords for one email from one address: past the limit
  // every attempt is RATE_LIMITED (429), and the other logins go on.
  async function flood() {
    let k = 0;
    while (!over()) {
      await sleep(Math.min(floodEveryMs, Math.max(0, deadline - performance.now())));
      if (over()) break;
      k += 1;
      let limited = 0;
      for (let i = 0; i < FLOOD_ATTEMPTS && !over(); i += 1) {
        const answer = await call(pick(), 'POST', '/members/v1/auth/login', {
          body: { email: `nobody.${tag}.${k}@soak.example`, password: 'not the password' }, auth: null, from: floodAddress(k),
        });
        tally.record('login flood', answer, ['401 INVALID_CREDENTIALS', '429 RATE_LIMITED']);
        if (answer.class === '429 RATE_LIMITED') limited += 1;
      }
      if (limited === 0 && !over()) tally.wrong('login flood', `${FLOOD_ATTEMPTS} failed logins for one email, none RATE_LIMITED`);
    }
  }

  const all = [];
  for (let w = 0; w < workers; w += 1) all.push(worker(w));
  all.push(flood());
  if (jobs) all.push(jobLoop({ pick, tally, ledger, tag, over, deadline, ...jobs }));
  await Promise.all(all);
}

/**
 * Follows job `jobId` over REST until it ends → `{ job, ms }`; `job` null when
 * it did not end within the limit.
 */
export async function followJob(pick, tally, jobId, limitMs = JOB_LIMIT_MS) {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    const answer = await call(pick(), 'GET', `/async-jobs/v1/async-jobs/${jobId}`);
    if (tally.record('getAsyncJob', answer) === 'ok' && ['FINISHED', 'FAILED'].includes(answer.body.job.status)) {
      return { job: answer.body.job, ms: performance.now() - started };
    }
    await sleep(JOB_POLL_MS);
  }
  return { job: null, ms: performance.now() - started };
}

/** Starts a job by filter (`action`: block-by-filter | delete-by-filter) → its id, or null. */
export async function startJob(server, tally, action, filter) {
  const answer = await call(server, 'POST', `/members/v1/members/bulk/${action}`, { body: { filter } });
  return tally.record(`bulk ${action}`, answer) === 'ok' ? answer.body.jobId : null;
}

/** Checks a finished job: every item done and succeeded. Returns the problem, or null. */
export function jobProblem(job, items) {
  if (!job) return 'the job did not end in time';
  const { status, counters } = job;
  if (status !== 'FINISHED') return `status ${status}`;
  if (counters.itemsToProcess !== items || counters.itemsSucceeded !== items || counters.itemsFailed !== 0) {
    return `counters ${JSON.stringify(counters)} for ${items} members`;
  }
  return null;
}

// Every `everyMs`: `size` new members, blocked by a filter job, then removed by a
// delete job, each followed to its end. The items' events are in the ledger.
async function jobLoop({ pick, tally, ledger, tag, over, deadline, everyMs, size, results }) {
  let k = 0;
  const pause = (ms) => sleep(Math.max(0, Math.min(ms, deadline - performance.now())));
  while (!over()) {
    await pause(everyMs / 2);
    if (over()) break;
    k += 1;
    const nickname = `bulk ${tag} ${k}`;
    const ids = [];
    for (let i = 0; i < size && !over(); i += 1) {
      const answer = await call(pick(), 'POST', '/members/v1/members', { body: { member: { loginEmail: `bulk.${k}.${i}.${tag}@soak.example`, profile: { nickname } } } });
      if (tally.record('createMember (job set)', answer) === 'ok') {
        ids.push(answer.body.member.id);
        ledger.set(answer.body.member.id, { ...ledgerEntry(nickname, 'jobs'), uncertain: true });
      }
    }
    if (over()) break;
    for (const [action, apply] of [['block-by-filter', (e) => { e.updated += 1; }], ['delete-by-filter', (e) => { e.deleted = 1; e.gone = true; e.uncertain = false; }]]) {
      const jobId = await startJob(pick(), tally, action, { 'profile.nickname': nickname });
      if (!jobId) break;
      const { job, ms } = await followJob(pick, tally, jobId);
      const problem = jobProblem(job, ids.length);
      results.push({ action, items: ids.length, ms, problem });
      if (problem) {
        tally.wrong(`bulk ${action}`, `job ${jobId}: ${problem}`);
        break;
      }
      for (const id of ids) apply(ledger.get(id));
    }
    await pause(everyMs / 2);
  }
}

/**
 * What the database lost of the ledger, given `stored` (id → nickname of the rows
 * there): a member acknowledged and not deleted that is missing or holds another
 * nickname, or one acknowledged deleted that is still there. Members left in an
 * unknown state are skipped.
 */
export function lostWrites(ledger, stored) {
  const lost = [];
  for (const [id, entry] of ledger) {
    if (entry.uncertain) continue;
    if (entry.gone) {
      if (stored.has(id)) lost.push({ id, what: 'deleted (acknowledged) but still there' });
    } else if (!stored.has(id)) lost.push({ id, what: 'acknowledged but missing' });
    else if (stored.get(id) !== entry.nickname) lost.push({ id, what: `nickname ${stored.get(id)}, acknowledged ${entry.nickname}` });
  }
  return lost;
}
