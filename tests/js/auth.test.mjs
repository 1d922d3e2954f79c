// Authentication (SPEC §10, docs/auth-contract.md) as a Node user of the package
// sees it, on every store — in process (memory, sqlite, postgres) and as a client
// of a real server (http): register, login, sessions through withSession(token),
// logout, moderation ending sessions, the set-password mail, changeLoginEmail,
// manual approval and the login rate limit.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { members, authentication, withSession, elevate } from 'universal-members';
import { STORE, UUID, email, create, asAdmin, rejectsWith, violatedFields, useStoreWithMail } from './helpers.mjs';

// Failed logins of the whole file come from one address over http: keep the
// per-address limit out of the way here (the limits have their own suite below).
let { mail } = await useStoreWithMail({ loginLimit: { perAddress: 10_000 } });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** A fresh password (20 chars), unique within the process. */
const newPassword = () => `pw-${randomBytes(12).toString('base64url')}-!`;
const FULL = { fieldsets: ['FULL'] };

/** Registers a fresh member: `{ email, password, token, id, result }`. */
async function registered(options, prefix = 'auth') {
  const address = email(prefix);
  const password = newPassword();
  const result = await authentication.register(address, password, options);
  return { email: address, password, token: result.sessionToken, id: result.member?._id, result };
}

/** The member a session acts as (FULL), or fails. */
async function me(token) {
  const { member } = await members.withSession(token).getCurrentMember(FULL);
  assert.ok(member, 'getCurrentMember returned a member');
  return member;
}

/** Asserts that `token` no longer opens a session. */
async function assertSessionEnded(token) {
  await rejectsWith(members.withSession(token).getCurrentMember(FULL), 'UNAUTHENTICATED', 'SESSION_INVALID');
  await rejectsWith(members.withSession(token).joinCommunity(), 'UNAUTHENTICATED', 'SESSION_INVALID');
}

const adminGet = (id) => asAdmin('getMember')(id, FULL);

describe('register', () => {
  test('with approval auto: ACTIVE, an APPROVED member and a session token that works', async () => {
    const { email: address, token, id, result } = await registered();
    assert.equal(result.status, 'ACTIVE');
    assert.match(id, UUID);
    assert.equal(result.member.status, 'APPROVED');
    assert.equal(result.member.loginEmail, address);
    assert.equal(typeof token, 'string');
    assert.ok(token.length >= 40, `a 256-bit token, got ${token.length} chars`);
    assert.ok(!token.includes(id), 'the token is not derived from the member id');
    const self = await me(token);
    assert.equal(self._id, id);
    assert.equal(self.loginEmail, address);
  });

  test('every registration gets its own token', async () => {
    const a = await registered();
    const b = await registered();
    assert.notEqual(a.token, b.token);
    assert.equal((await me(a.token))._id, a.id);
    assert.equal((await me(b.token))._id, b.id);
  });

  test('takes contactInfo, profile and privacyStatus', async () => {
    const { id, token } = await registered({
      contactInfo: { firstName: 'Reggie', lastName: 'Ister' },
      profile: { nickname: 'Reggie Ister' },
      privacyStatus: 'PRIVATE',
    });
    const stored = await adminGet(id);
    assert.equal(stored.contact.firstName, 'Reggie');
    assert.equal(stored.contact.lastName, 'Ister');
    assert.equal(stored.profile.nickname, 'Reggie Ister');
    assert.match(stored.profile.slug, /^reggie-ister(-\d+)?$/);
    assert.equal(stored.privacyStatus, 'PRIVATE');
    await rejectsWith(members.getMember(id), 'NOT_FOUND');
    assert.equal((await me(token)).privacyStatus, 'PRIVATE', 'a private member still reads itself');
  });

  test('an email already taken (any case, also by createMember) is ALREADY_EXISTS / EMAIL_ALREADY_EXISTS', async () => {
    const first = await registered();
    await rejectsWith(authentication.register(first.email, newPassword()), 'ALREADY_EXISTS', 'EMAIL_ALREADY_EXISTS');
    await rejectsWith(authentication.register(first.email.toUpperCase(), newPassword()), 'ALREADY_EXISTS', 'EMAIL_ALREADY_EXISTS');
    const made = await create();
    await rejectsWith(authentication.register(made.loginEmail, newPassword()), 'ALREADY_EXISTS', 'EMAIL_ALREADY_EXISTS');
    // The first owner is untouched: its password still logs in.
    const { sessionToken } = await authentication.login(first.email, first.password);
    assert.equal((await me(sessionToken))._id, first.id);
  });

  test('an invalid email is INVALID_ARGUMENT and makes no member', async () => {
    const before = await asAdmin('queryMembers')().count();
    await rejectsWith(authentication.register('not-an-email', newPassword()), 'INVALID_ARGUMENT');
    assert.equal(await asAdmin('queryMembers')().count(), before);
  });

  test('the password must be 8..256 characters; the error names `password` and never quotes it', async () => {
    for (const length of [7, 257, 0]) {
      const password = 'Sx9'.repeat(100).slice(0, length);
      const address = email('short');
      const error = await rejectsWith(authentication.register(address, password), 'INVALID_ARGUMENT');
      assert.ok(violatedFields(error).includes('password'), `${length} chars: fields ${JSON.stringify(violatedFields(error))}`);
      if (length > 0) {
        assert.ok(!error.message.includes(password), `${length} chars: the message quotes the password: ${error.message}`);
        assert.ok(!JSON.stringify(error.details ?? {}).includes(password), `${length} chars: the details quote the password`);
      }
      assert.equal(await asAdmin('queryMembers')().eq('loginEmail', address).count(), 0, 'no member was made');
    }
    for (const length of [8, 256]) {
      const password = `${'Zq7'.repeat(100)}`.slice(0, length);
      const address = email('edge');
      const { status } = await authentication.register(address, password);
      assert.equal(status, 'ACTIVE', `${length} chars`);
      const { sessionToken } = await authentication.login(address, password);
      assert.equal((await me(sessionToken)).loginEmail, address, `${length} chars logs in`);
    }
  });
});

describe('a session: getCurrentMember, updates, slug, community, logout', () => {
  let user;
  let other;
  let session;
  before(async () => {
    user = await registered({ profile: { nickname: 'Journey Person' } });
    other = await create({ profile: { nickname: 'Someone Else' } });
    session = members.withSession(user.token);
  });

  test('getCurrentMember is the member itself, with loginEmail under FULL', async () => {
    const { member } = await session.getCurrentMember(FULL);
    assert.equal(member._id, user.id);
    assert.equal(member.loginEmail, user.email);
    assert.equal(member.status, 'APPROVED');
    assert.equal(member.profile.nickname, 'Journey Person');
    assert.ok(member._createdDate instanceof Date);
  });

  test('the global objects hold no session (a backend serves many members)', async () => {
    assert.deepEqual(await members.getCurrentMember(FULL), {});
    assert.equal(authentication.loggedIn(), false);
    assert.equal(authentication.withSession(user.token).loggedIn(), true);
    // The global logout has no session to end: it says so, and the session goes on.
    await rejectsWith(authentication.logout(), 'UNAUTHENTICATED');
    assert.equal((await me(user.token))._id, user.id);
  });

  test('withSession(token) gives both APIs of the session', async () => {
    const both = withSession(user.token);
    assert.equal(both.authentication.loggedIn(), true);
    const { member } = await both.members.getCurrentMember(FULL);
    assert.equal(member._id, user.id);
  });

  test('updateMember on itself changes it; on another member it is PERMISSION_DENIED and changes nothing', async () => {
    const updated = await session.updateMember(user.id, { contact: { firstName: 'Jo' }, profile: { title: 'Traveller' } });
    assert.equal(updated.contact.firstName, 'Jo');
    assert.equal(updated.profile.title, 'Traveller');
    const stored = await adminGet(user.id);
    assert.equal(stored.contact.firstName, 'Jo');
    assert.equal(stored.profile.title, 'Traveller');

    await rejectsWith(session.updateMember(other._id, { profile: { title: 'Hacked' } }), 'PERMISSION_DENIED');
    const untouched = await adminGet(other._id);
    assert.equal(untouched.profile.title, other.profile.title);
    assert.equal(untouched._updatedDate.getTime(), other._updatedDate.getTime());
  });

  test('updateCurrentMemberSlug sets its own slug; a taken one is ALREADY_EXISTS / SLUG_ALREADY_EXISTS', async () => {
    const slug = `journey-${randomBytes(4).toString('hex')}`;
    const { member } = await session.updateCurrentMemberSlug(slug);
    assert.equal(member.profile.slug, slug);
    assert.equal((await adminGet(user.id)).profile.slug, slug);

    const error = await rejectsWith(session.updateCurrentMemberSlug(other.profile.slug.toUpperCase()), 'ALREADY_EXISTS', 'SLUG_ALREADY_EXISTS');
    assert.ok(`${error.message} ${JSON.stringify(error.details)}`.toLowerCase().includes(other.profile.slug),
      `the slug is named: ${error.message} ${JSON.stringify(error.details)}`);
    assert.equal((await adminGet(user.id)).profile.slug, slug, 'own slug unchanged');
    assert.equal((await adminGet(other._id)).profile.slug, other.profile.slug, 'the owner keeps it');
  });

  test('leaveCommunity makes it PRIVATE (hidden from visitors, not from itself); joinCommunity PUBLIC again', async () => {
    const left = await session.leaveCommunity();
    assert.equal(left.member.privacyStatus, 'PRIVATE');
    assert.equal((await adminGet(user.id)).privacyStatus, 'PRIVATE');
    await rejectsWith(members.getMember(user.id), 'NOT_FOUND');
    assert.equal((await session.getMember(user.id, FULL))._id, user.id);

    const joined = await session.joinCommunity();
    assert.equal(joined.member.privacyStatus, 'PUBLIC');
    assert.equal((await members.getMember(user.id))._id, user.id);
  });

  test('logout ends this session only; the old token is SESSION_INVALID everywhere', async () => {
    const second = await authentication.login(user.email, user.password);
    assert.notEqual(second.sessionToken, user.token);
    const auth = authentication.withSession(user.token);
    assert.equal(auth.loggedIn(), true);
    await auth.logout();
    assert.equal(auth.loggedIn(), false);

    await assertSessionEnded(user.token);
    await rejectsWith(members.withSession(user.token).updateMember(user.id, { profile: { title: 'After logout' } }), 'UNAUTHENTICATED', 'SESSION_INVALID');
    await rejectsWith(members.withSession(user.token).updateCurrentMemberSlug('after-logout-slug'), 'UNAUTHENTICATED', 'SESSION_INVALID');
    assert.equal((await adminGet(user.id)).profile.title, 'Traveller', 'nothing changed by the ended session');
    // A fresh object over the ended token is not logged in either.
    await rejectsWith(authentication.withSession(user.token).changeLoginEmail(user.id, email('ended')), 'UNAUTHENTICATED', 'SESSION_INVALID');

    assert.equal((await me(second.sessionToken))._id, user.id, 'the other session goes on');
  });

  test('a made-up token is SESSION_INVALID', async () => {
    for (const token of [randomBytes(32).toString('base64url'), randomBytes(32).toString('hex'), 'x']) {
      await rejectsWith(members.withSession(token).getCurrentMember(), 'UNAUTHENTICATED', 'SESSION_INVALID');
    }
  });
});

describe('login', () => {
  test('the right password gives a new working token and sets lastLoginDate (seen by admins only)', async () => {
    const user = await registered();
    const before = Date.now();
    const first = await authentication.login(user.email, user.password);
    assert.equal(first.member._id, user.id);
    assert.equal(typeof first.sessionToken, 'string');
    assert.notEqual(first.sessionToken, user.token);
    assert.equal((await me(first.sessionToken))._id, user.id);

    const stored = await adminGet(user.id);
    assert.ok(stored.lastLoginDate instanceof Date, `lastLoginDate: ${stored.lastLoginDate}`);
    assert.ok(stored.lastLoginDate.getTime() >= before - 2000 && stored.lastLoginDate.getTime() <= Date.now() + 2000,
      `lastLoginDate ${stored.lastLoginDate.toISOString()} is now`);
    assert.equal((await members.getMember(user.id)).lastLoginDate, undefined, 'not PUBLIC');

    await sleep(20);
    await authentication.login(user.email, user.password);
    const later = await adminGet(user.id);
    assert.ok(later.lastLoginDate > stored.lastLoginDate, 'moves on with each login');
    assert.equal(await asAdmin('queryMembers')().eq('_id', user.id).ge('lastLoginDate', new Date(before - 2000)).count(), 1,
      'admins can query by lastLoginDate');
  });

  test('the login email is matched case-insensitively (it is unique case-insensitively)', async () => {
    const user = await registered();
    const { sessionToken } = await authentication.login(user.email.toUpperCase(), user.password);
    assert.equal((await me(sessionToken))._id, user.id);
  });

  test('a wrong password and an unknown email give the same error, message included', async () => {
    const user = await registered();
    const wrong = await rejectsWith(authentication.login(user.email, `${user.password}x`), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
    const unknown = await rejectsWith(authentication.login(email('nobody'), user.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
    const lower = await rejectsWith(authentication.login(user.email, user.password.toUpperCase()), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
    assert.equal(wrong.message, unknown.message);
    assert.equal(wrong.message, lower.message);
    assert.equal(wrong.httpStatus, 401);
    assert.equal(unknown.httpStatus, 401);
    assert.deepEqual(wrong.details, unknown.details);
    for (const error of [wrong, unknown, lower]) {
      assert.ok(!error.message.includes(user.password), 'no password in the message');
      assert.ok(!JSON.stringify(error.details ?? {}).includes(user.password), 'no password in the details');
    }
  });
});

describe('moderation and deletion end sessions', () => {
  test('block: the live session stops at once, login is MEMBER_BLOCKED; approve lets it log in again', async () => {
    const user = await registered();
    await me(user.token);
    await asAdmin('blockMember')(user.id);
    await assertSessionEnded(user.token);
    const blocked = await rejectsWith(authentication.login(user.email, user.password), 'PERMISSION_DENIED', 'MEMBER_BLOCKED');
    assert.equal(blocked.httpStatus, 403);
    // Only after the right password: a wrong one says nothing about the member.
    await rejectsWith(authentication.login(user.email, `${user.password}x`), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');

    await asAdmin('approveMember')(user.id);
    const { sessionToken } = await authentication.login(user.email, user.password);
    assert.equal((await me(sessionToken))._id, user.id);
    await assertSessionEnded(user.token);
  });

  test('disconnect: the session ends, login is MEMBER_DISCONNECTED', async () => {
    const user = await registered();
    await asAdmin('disconnectMember')(user.id);
    await assertSessionEnded(user.token);
    const error = await rejectsWith(authentication.login(user.email, user.password), 'PERMISSION_DENIED', 'MEMBER_DISCONNECTED');
    assert.equal(error.httpStatus, 403);
  });

  test('deleteMember ends its sessions; the email no longer logs in', async () => {
    const user = await registered();
    const second = await authentication.login(user.email, user.password);
    await asAdmin('deleteMember')(user.id);
    await assertSessionEnded(user.token);
    await assertSessionEnded(second.sessionToken);
    await rejectsWith(authentication.login(user.email, user.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
  });

  test('deleteMyMember through the session ends it', async () => {
    const user = await registered();
    await members.withSession(user.token).deleteMyMember();
    await assertSessionEnded(user.token);
    await rejectsWith(adminGet(user.id), 'NOT_FOUND');
    await rejectsWith(authentication.login(user.email, user.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
  });
});

describe('sendSetPasswordEmail and setPassword', () => {
  test('a member made by createMember can not log in until it sets a password through the mail', async () => {
    const made = await create();
    const password = newPassword();
    const unknown = await rejectsWith(authentication.login(email('nobody'), password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
    const none = await rejectsWith(authentication.login(made.loginEmail, password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
    assert.equal(none.message, unknown.message, 'no password set reads like an unknown email');

    const sentBefore = Date.now();
    assert.deepEqual(await authentication.sendSetPasswordEmail(made.loginEmail), { accepted: true });
    const message = await mail.waitFor(made.loginEmail);
    assert.equal(typeof message.token, 'string');
    assert.ok(message.token.length >= 40, `a 256-bit token, got ${message.token}`);
    if (STORE === 'http') {
      assert.ok(message.text.includes(`/#set-password=${message.token}`), message.text);
    } else {
      assert.equal(message.template, 'set-password');
      const expires = new Date(message.expiresDate).getTime();
      assert.equal(typeof message.expiresDate, 'string');
      const threeHours = 3 * 3600 * 1000;
      assert.ok(Math.abs(expires - (sentBefore + threeHours)) < 5 * 60 * 1000, `expires in 3 h: ${message.expiresDate}`);
    }

    assert.equal(await authentication.setPassword(message.token, password), undefined);
    const { member, sessionToken } = await authentication.login(made.loginEmail, password);
    assert.equal(member._id, made._id);
    assert.equal((await me(sessionToken))._id, made._id);
  });

  test('the token works once: a second use is INVALID_TOKEN and changes nothing', async () => {
    const made = await create();
    await authentication.sendSetPasswordEmail(made.loginEmail);
    const { token } = await mail.waitFor(made.loginEmail);
    const first = newPassword();
    await authentication.setPassword(token, first);
    const again = newPassword();
    const error = await rejectsWith(authentication.setPassword(token, again), 'INVALID_ARGUMENT', 'INVALID_TOKEN');
    assert.ok(violatedFields(error).includes('token'), `names the token: ${JSON.stringify(error.details)}`);
    assert.ok(!error.message.includes(token), 'the token is not quoted back');
    await authentication.login(made.loginEmail, first);
    await rejectsWith(authentication.login(made.loginEmail, again), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
  });

  test('a made-up token is INVALID_TOKEN', async () => {
    for (const token of [randomBytes(32).toString('base64url'), 'not-a-token', 'x'.repeat(300)]) {
      await rejectsWith(authentication.setPassword(token, newPassword()), 'INVALID_ARGUMENT', 'INVALID_TOKEN');
    }
  });

  test('a too-short password is refused and leaves the token usable', async () => {
    const made = await create();
    await authentication.sendSetPasswordEmail(made.loginEmail);
    const { token } = await mail.waitFor(made.loginEmail);
    const error = await rejectsWith(authentication.setPassword(token, 'short7!'), 'INVALID_ARGUMENT');
    assert.ok(violatedFields(error).includes('password'), JSON.stringify(error.details));
    assert.ok(!error.message.includes('short7!'));
    const password = newPassword();
    await authentication.setPassword(token, password);
    await authentication.login(made.loginEmail, password);
  });

  test('an unknown email resolves the same and gets no mail', async () => {
    const nobody = email('nobody');
    assert.deepEqual(await authentication.sendSetPasswordEmail(nobody), { accepted: true }, 'the same answer as for a member');
    // A mail to a known member sent afterwards arrives, so the unknown one had its chance.
    const made = await create();
    await authentication.sendSetPasswordEmail(made.loginEmail);
    await mail.waitFor(made.loginEmail);
    await sleep(100);
    assert.deepEqual(mail.to(nobody), []);
  });

  test('a registered member who resets its password logs in with the new one only', async () => {
    const user = await registered();
    await authentication.sendSetPasswordEmail(user.email);
    const { token } = await mail.waitFor(user.email);
    const password = newPassword();
    await authentication.setPassword(token, password);
    await rejectsWith(authentication.login(user.email, user.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
    const { sessionToken } = await authentication.login(user.email, password);
    assert.equal((await me(sessionToken))._id, user.id);
  });
});

describe('changeLoginEmail', () => {
  test('on itself: nothing changes until the new address is verified (SPEC §10)', async () => {
    const user = await registered();
    const next = email('changed');
    const auth = withSession(user.token).authentication;
    const answer = await auth.changeLoginEmail(user.id, next);
    assert.equal(answer._id, user.id);
    assert.equal(answer.loginEmail, user.email, 'the change waits for the new address');
    assert.equal((await adminGet(user.id)).loginEmail, user.email);
    const { sessionToken } = await authentication.login(user.email, user.password);
    assert.equal((await me(sessionToken)).loginEmail, user.email);
    await rejectsWith(authentication.login(next, user.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
  });

  test('by an admin: at once; the old email is free again', async () => {
    const user = await registered();
    const next = email('moved');
    const changed = await elevate(authentication.changeLoginEmail)(user.id, next);
    assert.equal(changed.loginEmail, next);
    assert.equal(changed.loginEmailVerified, false);
    const { sessionToken } = await authentication.login(next, user.password);
    assert.equal((await me(sessionToken)).loginEmail, next);
    await rejectsWith(authentication.login(user.email, user.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
    const newcomer = await authentication.register(user.email, newPassword());
    assert.notEqual(newcomer.member._id, user.id);
  });

  test('on another member is PERMISSION_DENIED; a visitor is refused', async () => {
    const user = await registered();
    const victim = await registered();
    const target = email('stolen');
    await rejectsWith(authentication.withSession(user.token).changeLoginEmail(victim.id, target), 'PERMISSION_DENIED');
    // A visitor (the global object holds no session): UNAUTHENTICATED or PERMISSION_DENIED (SPEC §4).
    const visitor = await authentication.changeLoginEmail(victim.id, target).then(() => null, (e) => e);
    assert.ok(visitor !== null, 'a visitor changed a login email');
    assert.ok(['UNAUTHENTICATED', 'PERMISSION_DENIED'].includes(visitor.code), `${visitor.code}: ${visitor.message}`);
    assert.equal((await adminGet(victim.id)).loginEmail, victim.email);
    await authentication.login(victim.email, victim.password);
    await rejectsWith(authentication.login(target, victim.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
  });

  test('to a taken email (any case) is ALREADY_EXISTS / EMAIL_ALREADY_EXISTS', async () => {
    const user = await registered();
    const owner = await create();
    const auth = authentication.withSession(user.token);
    await rejectsWith(auth.changeLoginEmail(user.id, owner.loginEmail), 'ALREADY_EXISTS', 'EMAIL_ALREADY_EXISTS');
    await rejectsWith(auth.changeLoginEmail(user.id, owner.loginEmail.toUpperCase()), 'ALREADY_EXISTS', 'EMAIL_ALREADY_EXISTS');
    await rejectsWith(auth.changeLoginEmail(user.id, 'not-an-email'), 'INVALID_ARGUMENT');
    assert.equal((await adminGet(user.id)).loginEmail, user.email);
    await authentication.login(user.email, user.password);
  });

  test('an admin may change anyone’s', async () => {
    const user = await registered();
    const next = email('by-admin');
    const changed = await elevate(authentication.changeLoginEmail)(user.id, next);
    assert.equal(changed.loginEmail, next);
    await authentication.login(next, user.password);
    await rejectsWith(authentication.login(user.email, user.password), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
  });
});

describe('approval manual', () => {
  before(async () => {
    ({ mail } = await useStoreWithMail({ approval: 'manual', loginLimit: { perAddress: 10_000 } }));
  });

  test('register is PENDING without a token; login is MEMBER_PENDING until an admin approves', async () => {
    const user = await registered();
    assert.equal(user.result.status, 'PENDING');
    assert.equal(user.token, undefined, 'no session token');
    assert.equal(user.result.member.status, 'PENDING');
    assert.equal((await adminGet(user.id)).status, 'PENDING');

    const pending = await rejectsWith(authentication.login(user.email, user.password), 'PERMISSION_DENIED', 'MEMBER_PENDING');
    assert.equal(pending.httpStatus, 403);
    await rejectsWith(authentication.login(user.email, `${user.password}x`), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');

    await elevate(members.approveMember)(user.id);
    const { member, sessionToken } = await authentication.login(user.email, user.password);
    assert.equal(member._id, user.id);
    const self = await me(sessionToken);
    assert.equal(self.status, 'APPROVED');
  });
});

describe('login rate limit (3 per email, window 2 s)', () => {
  before(async () => {
    ({ mail } = await useStoreWithMail({ loginLimit: { perEmail: 3, perAddress: 10_000, windowSeconds: 2 } }));
  });

  /** Logs in and returns 'ok' or the error's applicationCode. */
  const attempt = (address, password) => authentication.login(address, password).then(() => 'ok', (e) => e.applicationCode ?? e.code);

  test('3 failures lock the email, even for the right password, until the window ends', async () => {
    const user = await registered();
    for (let i = 0; i < 3; i++) await rejectsWith(authentication.login(user.email, `wrong-${i}-password`), 'UNAUTHENTICATED', 'INVALID_CREDENTIALS');
    const limited = await rejectsWith(authentication.login(user.email, user.password), 'RESOURCE_EXHAUSTED', 'RATE_LIMITED');
    assert.equal(limited.httpStatus, 429);
    const retryAfter = limited.details?.applicationError?.data?.retryAfterSeconds;
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 2, `retryAfterSeconds: ${retryAfter}`);
    assert.ok(!limited.message.includes(user.password));

    // Other emails are not locked by this one.
    const other = await registered();
    assert.equal(await attempt(other.email, other.password), 'ok');

    await sleep(retryAfter * 1000 + 300);
    const { sessionToken } = await authentication.login(user.email, user.password);
    assert.equal((await me(sessionToken))._id, user.id);
  });

  test('an unknown email is locked the same way (the limit tells nothing about who exists)', async () => {
    const user = await registered();
    const nobody = email('nobody');
    const known = [];
    const unknown = [];
    for (let i = 0; i < 4; i++) {
      known.push(await attempt(user.email, `wrong-${i}-password`));
      unknown.push(await attempt(nobody, `wrong-${i}-password`));
    }
    assert.deepEqual(known, ['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'RATE_LIMITED']);
    assert.deepEqual(unknown, known);
  });

  test('a successful login clears the email’s counter', async () => {
    const user = await registered();
    const outcomes = [];
    for (const password of ['wrong-a-password', 'wrong-b-password', user.password, 'wrong-c-password', 'wrong-d-password', user.password]) {
      outcomes.push(await attempt(user.email, password));
    }
    assert.deepEqual(outcomes, ['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'ok', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'ok']);
  });
});
