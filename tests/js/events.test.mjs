// onMemberCreated / onMemberUpdated / onMemberDeleted (SPEC §9): exactly one
// event per change, whatever call made it, with the Wix metadata.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { members, elevate, isMembersError } from 'universal-members';
import { STORE, UUID, MISSING_ID, create, asAdmin, rejectsWith, settle, useStore } from './helpers.mjs';

await useStore();

// Events fire in the process that holds the database (the server's), not in a
// client of it: over HTTP these tests do not apply (the last one checks the refusal).
const skip = STORE === 'http'
  && 'events are delivered where the database is (in the server process), not to an HTTP client';

const log = [];
if (!skip) {
  members.onMemberCreated((event) => log.push({ kind: 'created', event }));
  members.onMemberUpdated((event) => log.push({ kind: 'updated', event }));
  members.onMemberDeleted((event) => log.push({ kind: 'deleted', event }));
}

/** The events fired while `fn` runs (and its promise settles). */
async function eventsOf(fn) {
  await settle();
  const start = log.length;
  const value = await fn();
  await settle();
  return { value, events: log.slice(start) };
}

/** Asserts exactly one event of `kind` for `memberId`, and returns it. */
function one(events, kind, memberId) {
  assert.equal(events.length, 1, `exactly one event, got ${events.map((e) => e.kind).join(', ') || 'none'}`);
  assert.equal(events[0].kind, kind);
  assert.equal(events[0].event.metadata.entityId, memberId);
  return events[0].event;
}

const TYPES = {
  created: 'wix.members.v1.member_created',
  updated: 'wix.members.v1.member_updated',
  deleted: 'wix.members.v1.member_deleted',
};

function assertMetadata(metadata, kind, memberId) {
  assert.match(metadata._id, UUID);
  assert.equal(metadata.entityId, memberId);
  assert.equal(metadata.eventType, TYPES[kind]);
  assert.equal(metadata.entityFqdn, 'wix.members.v1.member');
  assert.equal(metadata.slug, kind);
  assert.ok(metadata.eventTime instanceof Date, 'eventTime is a Date');
  assert.ok(Math.abs(Date.now() - metadata.eventTime.getTime()) < 60_000, 'eventTime is now');
  assert.equal(typeof metadata.identity, 'object');
  assert.ok(['ANONYMOUS_VISITOR', 'MEMBER', 'ADMIN'].includes(metadata.identity.identityType));
  assert.ok(Number.isInteger(metadata.entityEventSequence));
}

function assertEntityDates(entity) {
  assert.ok(entity._createdDate instanceof Date, '_createdDate is a Date');
  assert.ok(entity._updatedDate instanceof Date, '_updatedDate is a Date');
}

describe('onMemberCreated', { skip }, () => {
  test('fires once on createMember with the member and metadata', async () => {
    const { value: m, events } = await eventsOf(() => create({ profile: { nickname: 'Created Event' } }));
    const event = one(events, 'created', m._id);
    assertMetadata(event.metadata, 'created', m._id);
    assert.equal(event.metadata.identity.identityType, 'ADMIN');
    assert.equal(event.metadata.entityEventSequence, 1);
    assert.equal(event.entity._id, m._id);
    assert.equal(event.entity.profile.nickname, 'Created Event');
    assert.equal(event.entity.profile.slug, 'created-event');
    assert.equal(event.entity.status, 'APPROVED');
    assertEntityDates(event.entity);
    assert.equal(event.entity._createdDate.getTime(), m._createdDate.getTime());
  });

  test('does not fire on a failed create', async () => {
    const first = await create();
    const { events } = await eventsOf(async () => {
      await rejectsWith(create({ loginEmail: first.loginEmail }), 'ALREADY_EXISTS');
      await rejectsWith(create({ bogus: true }), 'INVALID_ARGUMENT');
      await rejectsWith(members.createMember({ member: { loginEmail: 'visitor@example.com' } }), 'UNAUTHENTICATED');
    });
    assert.deepEqual(events, []);
  });

  test('every handler registered is called', async () => {
    let extra = 0;
    members.onMemberCreated(() => { extra += 1; });
    const { events } = await eventsOf(() => create());
    assert.equal(events.length, 1);
    assert.equal(extra, 1);
  });
});

describe('onMemberUpdated', { skip }, () => {
  let m;
  before(async () => {
    m = await create({ profile: { nickname: 'Updated Event' }, contact: { phones: ['555-0101'], emails: ['e@example.com'], addresses: [{ city: 'A' }] } });
  });

  test('updateMember: entity, previousEntity and metadata', async () => {
    const { events } = await eventsOf(() => asAdmin('updateMember')(m._id, { profile: { title: 'New Title' } }));
    const event = one(events, 'updated', m._id);
    assertMetadata(event.metadata, 'updated', m._id);
    assert.equal(event.metadata.identity.identityType, 'ADMIN');
    assert.equal(event.entity.profile.title, 'New Title');
    assert.equal(event.previousEntity._id, m._id);
    assert.equal(event.previousEntity.profile.title, undefined);
    assertEntityDates(event.entity);
    assertEntityDates(event.previousEntity);
    assert.ok(event.entity._updatedDate.getTime() >= event.previousEntity._updatedDate.getTime());
    assert.ok(event.metadata.entityEventSequence > 1);
  });

  test('a member updating itself: identity MEMBER with its id', async () => {
    const { events } = await eventsOf(() => members.asMember(m._id).updateMember(m._id, { profile: { nickname: 'Self Edit' } }));
    const event = one(events, 'updated', m._id);
    assert.deepEqual(event.metadata.identity, { identityType: 'MEMBER', memberId: m._id });
    assert.equal(event.entity.profile.nickname, 'Self Edit');
  });

  test('leaveCommunity and joinCommunity fire once each', async () => {
    const self = members.asMember(m._id);
    const left = await eventsOf(() => self.leaveCommunity());
    const leaveEvent = one(left.events, 'updated', m._id);
    assert.equal(leaveEvent.entity.privacyStatus, 'PRIVATE');
    assert.equal(leaveEvent.previousEntity.privacyStatus, 'PUBLIC');
    assert.equal(leaveEvent.metadata.identity.identityType, 'MEMBER');
    const joined = await eventsOf(() => self.joinCommunity());
    const joinEvent = one(joined.events, 'updated', m._id);
    assert.equal(joinEvent.entity.privacyStatus, 'PUBLIC');
    assert.equal(joinEvent.previousEntity.privacyStatus, 'PRIVATE');
  });

  test('updateCurrentMemberSlug and updateMemberSlug fire once each', async () => {
    const mine = await eventsOf(() => members.asMember(m._id).updateCurrentMemberSlug('event-slug-1'));
    assert.equal(one(mine.events, 'updated', m._id).entity.profile.slug, 'event-slug-1');
    const admins = await eventsOf(() => asAdmin('updateMemberSlug')(m._id, 'event-slug-2'));
    const event = one(admins.events, 'updated', m._id);
    assert.equal(event.entity.profile.slug, 'event-slug-2');
    assert.equal(event.previousEntity.profile.slug, 'event-slug-1');
  });

  for (const [call, field, value] of [
    ['muteMember', 'activityStatus', 'MUTED'],
    ['unmuteMember', 'activityStatus', 'ACTIVE'],
    ['blockMember', 'status', 'BLOCKED'],
    ['approveMember', 'status', 'APPROVED'],
  ]) {
    test(`${call} fires once`, async () => {
      const { events } = await eventsOf(() => asAdmin(call)(m._id));
      const event = one(events, 'updated', m._id);
      assert.equal(event.entity[field], value);
      assert.notEqual(event.previousEntity[field], value);
    });
  }

  for (const [call, array] of [['deleteMemberPhones', 'phones'], ['deleteMemberEmails', 'emails'], ['deleteMemberAddresses', 'addresses']]) {
    test(`${call} fires once`, async () => {
      const { events } = await eventsOf(() => asAdmin(call)(m._id));
      const event = one(events, 'updated', m._id);
      assert.deepEqual(event.entity.contact[array], []);
      assert.equal(event.previousEntity.contact[array].length, 1);
    });
  }

  test('disconnectMember fires once', async () => {
    const d = await create();
    const { events } = await eventsOf(() => asAdmin('disconnectMember')(d._id));
    assert.equal(one(events, 'updated', d._id).entity.status, 'OFFLINE');
  });

  test('entityEventSequence grows by one per change of a member', async () => {
    const s = await create();
    const seqs = [];
    const { events } = await eventsOf(async () => {
      await asAdmin('updateMember')(s._id, { profile: { title: 'one' } });
      await asAdmin('muteMember')(s._id);
      await members.asMember(s._id).leaveCommunity();
    });
    for (const { event } of events) seqs.push(event.metadata.entityEventSequence);
    assert.deepEqual(seqs, [2, 3, 4]);
    const times = events.map(({ event }) => event.metadata.eventTime.getTime());
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'eventTime in order');
    assert.equal(new Set(events.map(({ event }) => event.metadata._id)).size, 3, 'each event has its own _id');
  });

  test('does not fire on a failed update', async () => {
    const other = await create();
    const { events } = await eventsOf(async () => {
      await rejectsWith(asAdmin('updateMember')(m._id, { contact: { company: 'c'.repeat(101) } }), 'INVALID_ARGUMENT');
      await rejectsWith(members.asMember(other._id).updateMember(m._id, { profile: { nickname: 'x' } }), 'PERMISSION_DENIED');
      await rejectsWith(asAdmin('updateMemberSlug')(other._id, 'event-slug-2'), 'ALREADY_EXISTS');
      await rejectsWith(elevate(members.asMember(m._id).blockMember)(m._id), 'FAILED_PRECONDITION');
      await rejectsWith(asAdmin('muteMember')(MISSING_ID), 'NOT_FOUND');
    });
    assert.deepEqual(events, []);
  });
});

describe('onMemberDeleted', { skip }, () => {
  test('deleteMember fires once, with the last state as entity', async () => {
    const m = await create({ profile: { nickname: 'Last State' } });
    const { events } = await eventsOf(() => asAdmin('deleteMember')(m._id));
    const event = one(events, 'deleted', m._id);
    assertMetadata(event.metadata, 'deleted', m._id);
    assert.equal(event.entity._id, m._id);
    assert.equal(event.entity.profile.nickname, 'Last State');
    assertEntityDates(event.entity);
    assert.equal(event.metadata.identity.identityType, 'ADMIN');
  });

  test('deleteMyMember fires once, identity MEMBER', async () => {
    const m = await create();
    const { events } = await eventsOf(() => members.asMember(m._id).deleteMyMember());
    const event = one(events, 'deleted', m._id);
    assert.deepEqual(event.metadata.identity, { identityType: 'MEMBER', memberId: m._id });
  });
});

describe('bulk calls fire one event per member', { skip }, () => {
  test('bulkDeleteMembers: one deleted event per deleted member, none for failures', async () => {
    const a = await create();
    const b = await create();
    const c = await create();
    const { events } = await eventsOf(() => asAdmin('bulkDeleteMembers')([a._id, b._id, MISSING_ID, c._id]));
    assert.ok(events.every((e) => e.kind === 'deleted'));
    assert.deepEqual(events.map((e) => e.event.metadata.entityId).sort(), [a._id, b._id, c._id].sort());
    for (const { event } of events) assertMetadata(event.metadata, 'deleted', event.metadata.entityId);
  });

  test('bulkBlockMembers / bulkApproveMembers: one updated event per matching member', async () => {
    const a = await create({ profile: { nickname: 'bulk-events' } });
    const b = await create({ profile: { nickname: 'bulk-events' } });
    await create({ profile: { nickname: 'bulk-events-other' } });
    const filter = { 'profile.nickname': 'bulk-events' };
    const blocked = await eventsOf(() => asAdmin('bulkBlockMembers')(filter));
    assert.ok(blocked.events.every((e) => e.kind === 'updated' && e.event.entity.status === 'BLOCKED'));
    assert.deepEqual(blocked.events.map((e) => e.event.metadata.entityId).sort(), [a._id, b._id].sort());
    const approved = await eventsOf(() => asAdmin('bulkApproveMembers')(filter));
    assert.ok(approved.events.every((e) => e.kind === 'updated' && e.event.entity.status === 'APPROVED'));
    assert.deepEqual(approved.events.map((e) => e.event.metadata.entityId).sort(), [a._id, b._id].sort());
  });

  test('bulkDeleteMembersByFilter: one deleted event per matching member', async () => {
    const a = await create({ profile: { nickname: 'bulk-delete-events' } });
    const b = await create({ profile: { nickname: 'bulk-delete-events' } });
    const { events } = await eventsOf(() => asAdmin('bulkDeleteMembersByFilter')({ 'profile.nickname': 'bulk-delete-events' }));
    assert.ok(events.every((e) => e.kind === 'deleted'));
    assert.deepEqual(events.map((e) => e.event.metadata.entityId).sort(), [a._id, b._id].sort());
  });
});

describe('a handler that fails', { skip }, () => {
  test('a throwing or rejecting handler is logged without member data and never fails the write', async () => {
    const logged = [];
    const original = console.error;
    console.error = (...args) => logged.push(args.join(' '));
    let calls = 0;
    // Handlers can not be removed: these fail only while this test runs.
    let active = true;
    try {
      members.onMemberCreated(() => { if (!active) return; calls += 1; throw new Error('secret-in-handler@example.com'); });
      members.onMemberCreated(async () => { if (!active) return; calls += 1; throw new TypeError('also broken'); });
      const { value, events } = await eventsOf(() => create({ loginEmail: `thrower-${Date.now()}@example.com` }));
      await settle();
      assert.ok(value._id, 'the member was created');
      assert.equal(calls, 2, 'both failing handlers ran');
      assert.equal(one(events, 'created', value._id).entity._id, value._id, 'other handlers still ran');
      const mine = logged.filter((line) => line.includes(value._id));
      assert.equal(mine.length, 2, `one line per failure: ${logged.join(' | ')}`);
      for (const line of mine) {
        assert.match(line, /wix\.members\.v1\.member_created handler failed/);
        assert.doesNotMatch(line, /@example\.com/, 'no member data or handler message in the log');
      }
      assert.ok(await asAdmin('getMember')(value._id), 'the change stayed');
    } finally {
      active = false;
      console.error = original;
    }
  });
});

describe('a client of a server (HTTP)', { skip: STORE !== 'http' && 'only an HTTP client refuses subscriptions' }, () => {
  test('onMemberCreated/Updated/Deleted throw FAILED_PRECONDITION', () => {
    for (const name of ['onMemberCreated', 'onMemberUpdated', 'onMemberDeleted']) {
      assert.throws(() => members[name](() => {}), (e) => isMembersError(e) && e.code === 'FAILED_PRECONDITION', name);
    }
  });
});
