// Account security (SPEC §10, issue 11) as a Node user of the package sees it, on
// every store — in process (memory, sqlite, postgres) and as a client of a real
// server (http): the email-verification policy (register, login, verifyEmail,
// sendVerificationEmail, five wrong codes, resends, links), a member's own
// changeLoginEmail waiting for the new address, the admin filter on
// loginEmailVerified, the member's own sessions (list, revoke one, revoke the
// others; an admin's revokeMemberSessions) and the Node global logout(token).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { members, authentication, withSession, elevate, configure, isMembersError } from 'universal-members';
import { STORE, UUID, MISSING_ID, email, create, asAdmin, rejectsWith, violatedFields, useStoreWithMail } from './helpers.mjs';

// Every call of this file comes from one address over http, and some emails get
// many wrong codes on purpose: keep the attempt limits out of the way.
const LIMITS = { perEmail: 10_000, perAddress: 10_000 };
/** `{ server (http only), mail }` of the store the running suite configured. */
let store;
async function useMode(options = {}) {
  store = await useStoreWithMail({ loginLimit: LIMITS, ...options });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** A fresh password (20 chars), unique within the process. */
const newPassword = () => `pw-${randomBytes(12).toString('base64url')}-!`;
const FULL = { fieldsets: ['FULL'] };
const DAY = 24 * 3600 * 1000;

const adminGet = (id) => asAdmin('getMember')(id, FULL);

/** The member a session acts as (FULL), or fails. */
async function me(token) {
  const { member } = await members.withSession(token).getCurrentMember(FULL);
  assert.ok(member, 'getCurrentMember returned a member');
  return member;
}

/** Asserts that `token` no longer opens a session. */
async function assertSessionEnded(token) {
  await rejectsWith(members.withSession(token).getCurrentMember(FULL), 'UNAUTHENTICATED', 'SESSION_INVALID');
}

/** Registers a fresh member: `{ email, password, id, token (if any), result }`. */
async function registered(prefix = 'sec', options) {
  const address = email(prefix);
  const password = newPassword();
  const result = await authentication.register(address, password, options);
  return { email: address, password, id: result.member?._id, token: result.sessionToken, result };
}

// --- mail -------------------------------------------------------------------

/** A verification mail (`verify-email`): in process by its template, over http by its code. */
const isVerifyMail = (m) => (STORE === 'http' ? m.code !== undefined : m.template === 'verify-email');
/** The notice to the old address of a member's own changeLoginEmail. */
const isChangeNotice = (m) => (STORE === 'http' ? m.code === undefined && m.token === undefined : m.template === 'email-change-requested');
const verifyMails = (address) => store.mail.to(address).filter(isVerifyMail);

/** Waits for the mail matching `predicate` number `index` (0-based) to `address`. */
async function mailMatching(address, predicate, index = 0, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = store.mail.to(address).filter(predicate);
    if (got.length > index) return got[index];
    if (Date.now() > deadline) {
      assert.fail(`no mail #${index + 1} of that kind to ${address} within ${ms} ms (mail to it: ${JSON.stringify(store.mail.to(address))})`);
    }
    await sleep(20);
  }
}

/** The verification mail number `index` to `address`, checked: a 6-digit code, a link token, 24 h. */
async function verifyMail(address, index = 0) {
  const sent = Date.now();
  const message = await mailMatching(address, isVerifyMail, index);
  assert.match(String(message.code), /^\d{6}$/, `a 6-digit code: ${message.code}`);
  assert.equal(typeof message.token, 'string', 'a link token');
  assert.ok(message.token.length >= 32, `a random link token, got ${message.token}`);
  if (STORE === 'http') {
    assert.ok(message.text.includes(`Your code: ${message.code}`), message.text);
    assert.ok(message.text.includes(`${store.server.baseUrl}/account/my-account#verify=${message.token}`),
      `the link leads to the members area of the site: ${message.text}`);
    assert.equal(typeof message.html, 'string', 'the mail has an HTML body too');
    assert.ok(message.html.length > 0);
  } else {
    assert.equal(message.template, 'verify-email');
    assert.equal(typeof message.expiresDate, 'string');
    const expires = new Date(message.expiresDate).getTime();
    assert.ok(Math.abs(expires - (sent + DAY)) < 10 * 60 * 1000, `expires in 24 h: ${message.expiresDate}`);
  }
  return message;
}

/** Six-digit codes that are not `code`. */
function wrongCodes(code, count) {
  const out = [];
  for (let i = 1; out.length < count; i++) out.push(String((Number(code) + i * 7919) % 1_000_000).padStart(6, '0'));
  return out;
}

/** Asserts the one verification failure: INVALID_ARGUMENT / VERIFICATION_INVALID naming codeOrToken. */
async function verificationInvalid(promise, what) {
  const error = await rejectsWith(promise, 'INVALID_ARGUMENT', 'VERIFICATION_INVALID');
  assert.ok(violatedFields(error).includes('codeOrToken'), `${what}: names codeOrToken: ${JSON.stringify(error.details)}`);
  return error;
}

/** Registers under `required` and verifies with the mailed code: `{ ..., token }` of a verified member. */
async function verifiedMember(prefix = 'verified') {
  const user = await registered(prefix);
  assert.equal(user.result.status, 'PENDING');
  const { code } = await verifyMail(user.email, 0);
  const result = await authentication.verifyEmail(code, { email: user.email });
  assert.equal(result.status, 'ACTIVE');
  return { ...user, token: result.sessionToken };
}

describe('emailVerification required', () => {
  before(() => useMode({ emailVerification: 'required' }));

  test('register → PENDING, no session → login EMAIL_NOT_VERIFIED → the mailed code → ACTIVE with a session, verified', async () => {
    const user = await registered('required');
    assert.equal(user.result.status, 'PENDING');
    assert.equal(user.result.sessionToken, undefined, 'no session token before the address is verified (even with approval auto)');
    assert.match(user.id, UUID);
    assert.equal(user.result.member.loginEmail, user.email);
    assert.equal((await adminGet(user.id)).loginEmailVerified, false);

    const refused = await rejectsWith(authentication.login(user.email, user.password), 'PERMISSION_DENIED', 'EMAIL_NOT_VERIFIED');
    assert.equal(refused.details?.applicationError?.code, 'EMAIL_NOT_VERIFIED');
    assert.equal(refused.httpStatus, 403);
    // Only the right password learns that: a wrong one says nothing about the member.
    await rejectsWith(authentication.login(user.email, `${user.password}x`), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');

    const message = await verifyMail(user.email, 0);
    const verified = await authentication.verifyEmail(message.code, { email: user.email });
    assert.equal(verified.status, 'ACTIVE');
    assert.equal(verified.member._id, user.id);
    assert.equal(typeof verified.sessionToken, 'string', 'verifyEmail of an approved member returns a session');
    assert.ok(verified.sessionToken.length >= 40, 'a 256-bit session token');
    const self = await me(verified.sessionToken);
    assert.equal(self._id, user.id);
    assert.equal(self.loginEmailVerified, true);

    const stored = await adminGet(user.id);
    assert.equal(stored.loginEmailVerified, true);
    assert.equal(stored.status, 'APPROVED');
    const { sessionToken } = await authentication.login(user.email, user.password);
    assert.equal((await me(sessionToken))._id, user.id, 'login works once verified');
  });

  test('a code is checked with the address it was sent to; one error for every failure, quoting nothing', async () => {
    const user = await registered('address');
    const other = await registered('address-other');
    const { code } = await verifyMail(user.email, 0);
    await rejectsWith(authentication.verifyEmail(code), 'INVALID_ARGUMENT');
    const failures = [
      await verificationInvalid(authentication.verifyEmail(code, { email: other.email }), "another member's email"),
      await verificationInvalid(authentication.verifyEmail(code, { email: email('nobody') }), 'an unknown email'),
      await verificationInvalid(authentication.verifyEmail(wrongCodes(code, 1)[0], { email: user.email }), 'a wrong code'),
      await verificationInvalid(authentication.verifyEmail(randomBytes(32).toString('base64url')), 'a made-up link token'),
      await verificationInvalid(authentication.verifyEmail('x'), 'not a code or token'),
    ];
    for (const error of failures) {
      assert.equal(error.message, failures[0].message, 'one message for all cases');
      assert.ok(!error.message.includes(code), 'the code is not quoted back');
      assert.ok(!JSON.stringify(error.details ?? {}).includes(code), 'nor in the details');
    }
    assert.equal((await adminGet(user.id)).loginEmailVerified, false, 'nothing verified by the failures');
    const verified = await authentication.verifyEmail(code, { email: user.email });
    assert.equal(verified.status, 'ACTIVE');
    assert.equal((await adminGet(other.id)).loginEmailVerified, false, 'the other member is untouched');
  });

  test('four wrong codes leave the code usable', async () => {
    const user = await registered('four');
    const { code } = await verifyMail(user.email, 0);
    for (const wrong of wrongCodes(code, 4)) {
      await verificationInvalid(authentication.verifyEmail(wrong, { email: user.email }), `wrong code ${wrong}`);
    }
    const verified = await authentication.verifyEmail(code, { email: user.email });
    assert.equal(verified.status, 'ACTIVE');
    assert.equal((await adminGet(user.id)).loginEmailVerified, true);
  });

  test('after five wrong codes no code works, not even after a new mail; the mailed link still does', async () => {
    const user = await registered('five');
    const first = await verifyMail(user.email, 0);
    for (const wrong of wrongCodes(first.code, 5)) {
      await verificationInvalid(authentication.verifyEmail(wrong, { email: user.email }), `wrong code ${wrong}`);
    }
    await verificationInvalid(authentication.verifyEmail(first.code, { email: user.email }), 'the right code after five wrong ones');
    assert.equal((await adminGet(user.id)).loginEmailVerified, false);
    await rejectsWith(authentication.login(user.email, user.password), 'PERMISSION_DENIED', 'EMAIL_NOT_VERIFIED');

    // Resending buys no more guesses (the count stays with the member) ...
    assert.deepEqual(await authentication.sendVerificationEmail(user.email), { accepted: true });
    const second = await verifyMail(user.email, 1);
    await verificationInvalid(authentication.verifyEmail(second.code, { email: user.email }), 'the new code after five wrong ones');
    // ... but the 256-bit link of the newest mail works.
    const verified = await authentication.verifyEmail(second.token);
    assert.equal(verified.status, 'ACTIVE');
    await authentication.login(user.email, user.password);
  });

  test('sendVerificationEmail voids the older code and link; the new code works', async () => {
    const user = await registered('resend');
    const old = await verifyMail(user.email, 0);
    assert.deepEqual(await authentication.sendVerificationEmail(user.email), { accepted: true });
    const fresh = await verifyMail(user.email, 1);
    assert.notEqual(fresh.token, old.token);
    if (old.code !== fresh.code) {
      await verificationInvalid(authentication.verifyEmail(old.code, { email: user.email }), 'the older code');
    }
    await verificationInvalid(authentication.verifyEmail(old.token), 'the older link');
    assert.equal((await adminGet(user.id)).loginEmailVerified, false);
    const verified = await authentication.verifyEmail(fresh.code, { email: user.email });
    assert.equal(verified.status, 'ACTIVE');
    assert.equal((await me(verified.sessionToken))._id, user.id);
  });

  test('a link token verifies without an email, once; the code of the same mail is spent with it', async () => {
    const user = await registered('link');
    const message = await verifyMail(user.email, 0);
    const verified = await authentication.verifyEmail(message.token);
    assert.equal(verified.status, 'ACTIVE');
    assert.equal(verified.member._id, user.id);
    assert.equal((await me(verified.sessionToken))._id, user.id);
    assert.equal((await adminGet(user.id)).loginEmailVerified, true);

    const again = await verificationInvalid(authentication.verifyEmail(message.token), 'the link a second time');
    assert.ok(!again.message.includes(message.token), 'the token is not quoted back');
    await verificationInvalid(authentication.verifyEmail(message.code, { email: user.email }), 'the code of a used verification');
  });

  test('sendVerificationEmail answers { accepted: true } for anyone; an unknown or verified email gets no mail', async () => {
    const nobody = email('nobody');
    assert.deepEqual(await authentication.sendVerificationEmail(nobody), { accepted: true });
    const done = await verifiedMember('done');
    const doneMails = store.mail.to(done.email).length;
    assert.deepEqual(await authentication.sendVerificationEmail(done.email), { accepted: true });
    // A mail to an unverified member sent afterwards arrives, so the others had their chance.
    const waiting = await registered('waiting');
    await verifyMail(waiting.email, 0);
    assert.deepEqual(await authentication.sendVerificationEmail(waiting.email), { accepted: true });
    await verifyMail(waiting.email, 1);
    await sleep(100);
    assert.deepEqual(store.mail.to(nobody), [], 'no mail to an unknown email');
    assert.equal(store.mail.to(done.email).length, doneMails, 'no mail to an already verified member');
  });

  test('admins filter on loginEmailVerified (elevated queryMembers)', async () => {
    const done = await verifiedMember('filter-yes');
    const waiting = await registered('filter-no');
    const query = () => asAdmin('queryMembers')();
    assert.equal(await query().eq('_id', done.id).eq('loginEmailVerified', true).count(), 1);
    assert.equal(await query().eq('_id', done.id).eq('loginEmailVerified', false).count(), 0);
    assert.equal(await query().eq('_id', waiting.id).eq('loginEmailVerified', true).count(), 0);
    assert.equal(await query().eq('_id', waiting.id).eq('loginEmailVerified', false).count(), 1);
    const { items } = await query().in('_id', [done.id, waiting.id]).eq('loginEmailVerified', true).find();
    assert.deepEqual(items.map((m) => m._id), [done.id]);
  });

  describe("a member's own changeLoginEmail", () => {
    test('waits for the new address: the old one logs in and is told; the new code moves it, verified', async () => {
      const user = await verifiedMember('owner');
      const next = email('next');
      const auth = withSession(user.token).authentication;
      const answer = await auth.changeLoginEmail(user.id, next);
      assert.equal(answer._id, user.id);
      assert.equal(answer.loginEmail, user.email, 'nothing changed yet');
      const stored = await adminGet(user.id);
      assert.equal(stored.loginEmail, user.email);
      assert.equal(stored.loginEmailVerified, true);

      const old = await authentication.login(user.email, user.password);
      assert.equal((await me(old.sessionToken))._id, user.id, 'the old address still logs in');
      await rejectsWith(authentication.login(next, user.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');

      const code = await verifyMail(next, 0);
      const notice = await mailMatching(user.email, isChangeNotice);
      assert.ok(JSON.stringify(notice).includes(next), `the old address is told the new one: ${JSON.stringify(notice)}`);
      assert.ok(!JSON.stringify(notice).includes(code.token), 'the notice does not carry the link of the new address');
      assert.ok(!(notice.text ?? '').includes(`Your code: ${code.code}`), 'nor its code');

      // The code belongs to the new address.
      await verificationInvalid(authentication.verifyEmail(code.code, { email: user.email }), 'the new code with the old email');
      assert.equal((await adminGet(user.id)).loginEmail, user.email);

      const verified = await authentication.verifyEmail(code.code, { email: next });
      assert.equal(verified.member._id, user.id);
      const moved = await adminGet(user.id);
      assert.equal(moved.loginEmail, next);
      assert.equal(moved.loginEmailVerified, true);
      const { sessionToken } = await authentication.login(next, user.password);
      assert.equal((await me(sessionToken)).loginEmail, next);
      await rejectsWith(authentication.login(user.email, user.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
    });

    test('the pending address can get a new mail (the older code is void); its link works', async () => {
      const user = await verifiedMember('owner-resend');
      const next = email('next-resend');
      await withSession(user.token).authentication.changeLoginEmail(user.id, next);
      const first = await verifyMail(next, 0);
      assert.deepEqual(await authentication.sendVerificationEmail(next), { accepted: true });
      const second = await verifyMail(next, 1);
      if (first.code !== second.code) await verificationInvalid(authentication.verifyEmail(first.code, { email: next }), 'the older code');
      await verificationInvalid(authentication.verifyEmail(first.token), 'the older link');
      assert.equal((await adminGet(user.id)).loginEmail, user.email);
      await authentication.verifyEmail(second.token);
      const moved = await adminGet(user.id);
      assert.equal(moved.loginEmail, next);
      assert.equal(moved.loginEmailVerified, true);
    });

    test('a taken address is ALREADY_EXISTS / EMAIL_ALREADY_EXISTS at once, and no mail goes out', async () => {
      const user = await verifiedMember('owner-taken');
      const owner = await create();
      const mailsBefore = store.mail.to(user.email).length;
      const auth = withSession(user.token).authentication;
      await rejectsWith(auth.changeLoginEmail(user.id, owner.loginEmail), 'ALREADY_EXISTS', 'EMAIL_ALREADY_EXISTS');
      await rejectsWith(auth.changeLoginEmail(user.id, owner.loginEmail.toUpperCase()), 'ALREADY_EXISTS', 'EMAIL_ALREADY_EXISTS');
      await sleep(100);
      assert.deepEqual(store.mail.to(owner.loginEmail), [], 'no mail to the owner of the address');
      assert.equal(store.mail.to(user.email).length, mailsBefore, 'no notice to the member');
      assert.equal((await adminGet(user.id)).loginEmail, user.email);
    });

    test('an address taken while the change waits is EMAIL_ALREADY_EXISTS at verify, and nothing moves', async () => {
      const user = await verifiedMember('owner-race');
      const next = email('next-race');
      await withSession(user.token).authentication.changeLoginEmail(user.id, next);
      const { code } = await verifyMail(next, 0);
      const taker = await create({ loginEmail: next });
      await rejectsWith(authentication.verifyEmail(code, { email: next }), 'ALREADY_EXISTS', 'EMAIL_ALREADY_EXISTS');
      assert.equal((await adminGet(user.id)).loginEmail, user.email);
      assert.equal((await adminGet(taker._id)).loginEmail, next);
      await authentication.login(user.email, user.password);
    });

    test("an admin's change is at once and unverified: login is EMAIL_NOT_VERIFIED until the new address is verified", async () => {
      const user = await verifiedMember('by-admin');
      const next = email('by-admin-next');
      const changed = await elevate(authentication.changeLoginEmail)(user.id, next);
      assert.equal(changed.loginEmail, next);
      const stored = await adminGet(user.id);
      assert.equal(stored.loginEmail, next);
      assert.equal(stored.loginEmailVerified, false);
      await rejectsWith(authentication.login(user.email, user.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
      await rejectsWith(authentication.login(next, user.password), 'PERMISSION_DENIED', 'EMAIL_NOT_VERIFIED');

      const already = verifyMails(next).length;
      await authentication.sendVerificationEmail(next);
      const { code } = await verifyMail(next, already);
      await authentication.verifyEmail(code, { email: next });
      assert.equal((await adminGet(user.id)).loginEmailVerified, true);
      await authentication.login(next, user.password);
    });
  });
});

describe('emailVerification required, approval manual', () => {
  before(() => useMode({ emailVerification: 'required', approval: 'manual' }));

  test('verifyEmail of a pending member verifies it and answers PENDING without a session', async () => {
    const user = await registered('manual');
    assert.equal(user.result.status, 'PENDING');
    assert.equal(user.result.sessionToken, undefined);
    const { code } = await verifyMail(user.email, 0);
    const verified = await authentication.verifyEmail(code, { email: user.email });
    assert.equal(verified.status, 'PENDING');
    assert.equal(verified.sessionToken, undefined, 'no session for a member not approved');
    assert.equal(verified.member._id, user.id);
    const stored = await adminGet(user.id);
    assert.equal(stored.loginEmailVerified, true);
    assert.equal(stored.status, 'PENDING');
    await rejectsWith(authentication.login(user.email, user.password), 'PERMISSION_DENIED', 'MEMBER_PENDING');
    await asAdmin('approveMember')(user.id);
    const { sessionToken } = await authentication.login(user.email, user.password);
    assert.equal((await me(sessionToken))._id, user.id);
  });
});

describe('emailVerification off', () => {
  before(() => useMode({ emailVerification: 'off' }));

  test('register gives a session and login works unverified; verifyEmail still sets loginEmailVerified', async () => {
    const user = await registered('off');
    assert.equal(user.result.status, 'ACTIVE');
    assert.equal(typeof user.token, 'string');
    assert.equal((await me(user.token))._id, user.id);
    assert.equal((await adminGet(user.id)).loginEmailVerified, false);
    const { sessionToken } = await authentication.login(user.email, user.password);
    assert.equal((await me(sessionToken))._id, user.id);

    const already = verifyMails(user.email).length;
    assert.deepEqual(await authentication.sendVerificationEmail(user.email), { accepted: true });
    const { code } = await verifyMail(user.email, already);
    const verified = await authentication.verifyEmail(code, { email: user.email });
    assert.equal(verified.status, 'ACTIVE');
    assert.equal((await me(verified.sessionToken))._id, user.id);
    assert.equal((await adminGet(user.id)).loginEmailVerified, true);
    assert.equal(await asAdmin('queryMembers')().eq('_id', user.id).eq('loginEmailVerified', true).count(), 1);
  });

  test("a member's own changeLoginEmail waits for the new address here too", async () => {
    const user = await registered('off-owner');
    const next = email('off-next');
    const answer = await withSession(user.token).authentication.changeLoginEmail(user.id, next);
    assert.equal(answer.loginEmail, user.email);
    await authentication.login(user.email, user.password);
    await rejectsWith(authentication.login(next, user.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
    const notice = await mailMatching(user.email, isChangeNotice);
    assert.ok(JSON.stringify(notice).includes(next), JSON.stringify(notice));
    const { code } = await verifyMail(next, 0);
    await authentication.verifyEmail(code, { email: next });
    const moved = await adminGet(user.id);
    assert.equal(moved.loginEmail, next);
    assert.equal(moved.loginEmailVerified, true);
    await authentication.login(next, user.password);
    await rejectsWith(authentication.login(user.email, user.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
  });

  test("an admin's changeLoginEmail is at once (unverified) and the new address logs in", async () => {
    const user = await registered('off-admin');
    const next = email('off-admin-next');
    const changed = await elevate(authentication.changeLoginEmail)(user.id, next);
    assert.equal(changed.loginEmail, next);
    assert.equal((await adminGet(user.id)).loginEmailVerified, false);
    await authentication.login(next, user.password);
    await rejectsWith(authentication.login(user.email, user.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
  });
});

// The default policy (off): registration gives a session.
describe("the member's own sessions", () => {
  before(() => useMode());

  /** A member with exactly two sessions, `a` older than `b` (the registration's one ended). */
  async function twoSessions(prefix = 'sessions') {
    const user = await registered(prefix);
    assert.equal(user.result.status, 'ACTIVE', 'emailVerification is off by default');
    await withSession(user.token).authentication.logout();
    const a = (await authentication.login(user.email, user.password)).sessionToken;
    await sleep(5);
    const b = (await authentication.login(user.email, user.password)).sessionToken;
    return { ...user, a, b };
  }
  const list = async (token) => (await withSession(token).authentication.listMySessions()).sessions;
  const currentId = async (token) => (await list(token)).find((s) => s.current)._id;
  const time = (date) => new Date(date).getTime();

  test('two logins: both listed, newest first, exactly one current; ids are UUIDs, not tokens', async () => {
    const user = await twoSessions();
    const fromA = await list(user.a);
    assert.ok(Array.isArray(fromA), 'listMySessions() → { sessions: [...] }');
    assert.equal(fromA.length, 2, JSON.stringify(fromA));
    assert.equal(fromA.filter((s) => s.current === true).length, 1, 'exactly one current');
    assert.equal(fromA.filter((s) => s.current === false).length, 1, 'the other is current: false');
    assert.equal(fromA[1].current, true, 'a is the older one: second');
    for (const session of fromA) {
      assert.deepEqual(Object.keys(session).sort(), ['_createdDate', '_id', 'current', 'lastUsedDate', 'userAgent'], JSON.stringify(session));
      assert.match(session._id, UUID);
      for (const token of [user.a, user.b, user.token]) {
        assert.notEqual(session._id, token);
        assert.ok(!token.includes(session._id.replaceAll('-', '')) && !token.includes(session._id), 'the id is not part of a token');
      }
      assert.ok(Number.isFinite(time(session._createdDate)), `_createdDate: ${session._createdDate}`);
      assert.ok(Number.isFinite(time(session.lastUsedDate)), `lastUsedDate: ${session.lastUsedDate}`);
      assert.ok(time(session.lastUsedDate) >= time(session._createdDate) - 1000, 'used after it was made');
      assert.ok(Math.abs(time(session._createdDate) - Date.now()) < 60_000, 'made just now');
      if (STORE !== 'http') assert.equal(session.userAgent, null, 'no User-Agent in process');
    }
    assert.ok(time(fromA[0]._createdDate) >= time(fromA[1]._createdDate), 'newest first');
    const text = JSON.stringify(fromA);
    for (const token of [user.a, user.b]) assert.ok(!text.includes(token), 'no token in the list');

    const fromB = await list(user.b);
    assert.deepEqual(fromB.map((s) => s._id), fromA.map((s) => s._id), 'the same sessions, the same order');
    assert.equal(fromB[0].current, true, 'b is the newest: first');
    assert.equal(fromB.filter((s) => s.current).length, 1);
    assert.notEqual(await currentId(user.a), await currentId(user.b));
  });

  test('lastUsedDate does not move on every call (at most once a minute)', async () => {
    const user = await twoSessions('last-used');
    await list(user.a);
    const first = (await list(user.a)).find((s) => s.current);
    await sleep(50);
    const second = (await list(user.a)).find((s) => s.current);
    assert.equal(time(second.lastUsedDate), time(first.lastUsedDate));
  });

  test('revokeOtherSessions ends the other session only', async () => {
    const user = await twoSessions('others');
    const auth = withSession(user.a).authentication;
    assert.deepEqual(await auth.revokeOtherSessions(), { revoked: 1 });
    await assertSessionEnded(user.b);
    assert.equal((await me(user.a))._id, user.id, 'the current session goes on');
    const left = await list(user.a);
    assert.equal(left.length, 1);
    assert.equal(left[0].current, true);
    assert.deepEqual(await auth.revokeOtherSessions(), { revoked: 0 });
    assert.equal((await me(user.a))._id, user.id);
  });

  test("revokeSession ends one own session; another member's session id or an unknown id is NOT_FOUND", async () => {
    const user = await twoSessions('one');
    const other = await registered('one-other');
    const othersId = await currentId(other.token);
    const auth = withSession(user.a).authentication;
    const foreign = await rejectsWith(auth.revokeSession(othersId), 'NOT_FOUND', 'SESSION_NOT_FOUND');
    const unknown = await rejectsWith(auth.revokeSession(MISSING_ID), 'NOT_FOUND', 'SESSION_NOT_FOUND');
    assert.equal(foreign.message.replaceAll(othersId, '<id>'), unknown.message.replaceAll(MISSING_ID, '<id>'), 'the same answer for both');
    assert.equal((await me(other.token))._id, other.id, "the other member's session goes on");

    const idOfB = (await list(user.a)).find((s) => !s.current)._id;
    assert.equal(await auth.revokeSession(idOfB), undefined);
    await assertSessionEnded(user.b);
    assert.equal((await me(user.a))._id, user.id);
    await rejectsWith(auth.revokeSession(idOfB), 'NOT_FOUND', 'SESSION_NOT_FOUND');
    assert.deepEqual((await list(user.a)).map((s) => s.current), [true]);
  });

  test("an admin's revokeMemberSessions ends every session of the member; anyone else is refused", async () => {
    const user = await registered('everywhere');
    const a = (await authentication.login(user.email, user.password)).sessionToken;
    const b = (await authentication.login(user.email, user.password)).sessionToken;
    const other = await registered('everywhere-other');

    await rejectsWith(withSession(other.token).authentication.revokeMemberSessions(user.id), 'PERMISSION_DENIED');
    await rejectsWith(withSession(a).authentication.revokeMemberSessions(user.id), 'PERMISSION_DENIED');
    const visitor = await authentication.revokeMemberSessions(user.id).then(() => null, (e) => e);
    assert.ok(visitor !== null, 'a visitor logged a member out everywhere');
    assert.ok(['UNAUTHENTICATED', 'PERMISSION_DENIED'].includes(visitor.code), `${visitor.code}: ${visitor.message}`);
    assert.equal((await me(a))._id, user.id, 'refused calls end nothing');

    assert.deepEqual(await elevate(authentication.revokeMemberSessions)(user.id), { revoked: 3 });
    for (const token of [user.token, a, b]) await assertSessionEnded(token);
    assert.equal((await me(other.token))._id, other.id, "another member's session goes on");
    await rejectsWith(elevate(authentication.revokeMemberSessions)(MISSING_ID), 'NOT_FOUND');
    const { sessionToken } = await authentication.login(user.email, user.password);
    assert.equal((await me(sessionToken))._id, user.id, 'the member can log in again');
  });

  test('a visitor (or an ended session) has no sessions: UNAUTHENTICATED', async () => {
    await rejectsWith(authentication.listMySessions(), 'UNAUTHENTICATED');
    await rejectsWith(authentication.revokeOtherSessions(), 'UNAUTHENTICATED');
    await rejectsWith(authentication.revokeSession(MISSING_ID), 'UNAUTHENTICATED');
    const user = await registered('ended');
    await withSession(user.token).authentication.logout();
    await rejectsWith(withSession(user.token).authentication.listMySessions(), 'UNAUTHENTICATED', 'SESSION_INVALID');
    await rejectsWith(withSession(user.token).authentication.revokeOtherSessions(), 'UNAUTHENTICATED', 'SESSION_INVALID');
  });

  test('over http, userAgent is the User-Agent of the request (trimmed to 255)', { skip: STORE !== 'http' && 'http only' }, async () => {
    const user = await registered('agent');
    const base = store.server.baseUrl;
    /** Logs in and lists with the same User-Agent (raw fetch) → the current session as REST gives it. */
    const viaAgent = async (agent) => {
      const login = await fetch(`${base}/members/v1/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': agent }, body: JSON.stringify({ email: user.email, password: user.password }),
      });
      assert.equal(login.status, 200);
      const { sessionToken } = await login.json();
      const listed = await fetch(`${base}/members/v1/auth/sessions`, { headers: { authorization: `Bearer ${sessionToken}`, 'user-agent': agent } });
      const text = await listed.text();
      assert.equal(listed.status, 200, text);
      const { sessions } = JSON.parse(text);
      const current = sessions.filter((s) => s.current === true);
      assert.equal(current.length, 1, text);
      return { sessionToken, current: current[0] };
    };
    const agent = `AccountSecurityTest/1.0 (${randomBytes(4).toString('hex')})`;
    const short = await viaAgent(agent);
    assert.equal(short.current.userAgent, agent);
    const long = `LongAgent/${'x'.repeat(290)}`;
    const trimmed = await viaAgent(long);
    assert.equal(trimmed.current.userAgent, long.slice(0, 255));
    // The package's own client reads the same.
    const mine = await list(short.sessionToken);
    assert.ok(mine.some((s) => s.userAgent === agent), JSON.stringify(mine));
  });
});

describe('logout on Node', () => {
  before(() => useMode());

  test('authentication.logout(token) ends that session, not the member’s others', async () => {
    const user = await registered('logout');
    const other = (await authentication.login(user.email, user.password)).sessionToken;
    await authentication.logout(user.token);
    await rejectsWith(withSession(user.token).members.getCurrentMember(), 'UNAUTHENTICATED', 'SESSION_INVALID');
    await assertSessionEnded(user.token);
    assert.equal((await me(other))._id, user.id, 'the other session goes on');
    assert.equal(authentication.loggedIn(), false);
  });

  test('authentication.logout() without a token rejects UNAUTHENTICATED (never a silent success)', async () => {
    const user = await registered('logout-none');
    await rejectsWith(authentication.logout(), 'UNAUTHENTICATED');
    assert.equal((await me(user.token))._id, user.id, 'no session was ended');
  });
});

describe('configuration', () => {
  test('an unknown emailVerification is INVALID_ARGUMENT naming it', { skip: STORE === 'http' && 'the server reads it from its environment (process/admin-signin.test.mjs)' }, async () => {
    let error;
    try {
      configure({ database: 'memory:', emailVerification: 'sometimes' });
      await members.listMembers();
    } catch (e) {
      error = e;
    }
    // The same MembersError as every other bad setting (e.g. approval).
    assert.ok(isMembersError(error), `a MembersError, got ${error?.stack ?? error}`);
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.match(error.message, /emailVerification/);
    assert.match(error.message, /sometimes/);
  });
});
