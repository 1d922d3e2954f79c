// Webhooks and the event stream (SPEC §9, docs/events-contract.md) with real
// `universal-members serve` processes and real HTTP receivers on 127.0.0.1:
// both body formats checked by the official libraries (`standardwebhooks`, the
// Wix SDK), retries and their schedule, 410, a server killed mid-delivery, two
// servers sharing one database, the SSE feed, bad input and the CLI. On SQLite
// and, when the suite's PostgreSQL is there (MEMBERS_TEST_POSTGRES_URL), on it too.
// The official libraries are root devDependencies; they resolve from the
// repository's node_modules (this folder sits under it).
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { lookup } from 'node:dns/promises';
import { Webhook } from 'standardwebhooks';
import { createClient, AppStrategy } from '@wix/sdk';
import { members as wixMembers } from '@wix/members';
import { startServer, CLI, UUID } from '../helpers.mjs';
import { freshDatabase } from './support.mjs';
import {
  EVENT_TYPES, sleep, eventually, startReceiver, restOf, envelopeOf, decodeWixBody,
  assertOrderPerMember, assertInvalidField, openStream,
} from './webhooks-support.mjs';

const ALLOW_PRIVATE = { MEMBERS_WEBHOOK_ALLOW_PRIVATE: '1' };
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const SECRET = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
const AN_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const stores = ['sqlite', 'postgres'];
const unavailable = (store) => store === 'postgres' && !process.env.MEMBERS_TEST_POSTGRES_URL
  && 'PostgreSQL runs when MEMBERS_TEST_POSTGRES_URL is set (make test: scripts/with-postgres.sh)';

const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** A fresh database of `store` and a server on it: `{ db, server, api, start(env) }`. */
async function setup(store, { env = ALLOW_PRIVATE } = {}) {
  const db = await freshDatabase(store);
  const adminKey = randomBytes(24).toString('base64url');
  const servers = [];
  const start = async (more = env) => {
    const server = await startServer({ database: db.url, adminKey, env: more });
    servers.push(server);
    return server;
  };
  const server = await start();
  cleanups.push(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db.dispose();
  });
  return { db, server, api: restOf(server), start, servers };
}

/** Makes a pending delivery due now, its failure count kept (only the clock is skipped). */
async function makeDue(db, deliveryId) {
  const sql = db.store === 'postgres'
    ? 'UPDATE webhook_deliveries SET next_attempt = 0 WHERE id = $1'
    : 'UPDATE webhook_deliveries SET next_attempt = 0 WHERE id = ?';
  await db.rows(sql, [Number(deliveryId)]);
}

/** The one delivery of `eventId` on endpoint `webhookId`. */
async function deliveryOf(api, webhookId, eventId) {
  const found = (await api.deliveries(webhookId)).filter((d) => d.eventId === eventId);
  assert.equal(found.length, 1, `one delivery of event ${eventId}: ${JSON.stringify(found)}`);
  return found[0];
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Asserts `nextAttemptDate` of `delivery` is `delayMs` (±20 % jitter, and a little slack) after its last attempt failed. */
function assertRetryAfter(delivery, delayMs) {
  assert.equal(delivery.status, 'PENDING', JSON.stringify(delivery));
  assert.match(delivery.nextAttemptDate ?? '', ISO, `a nextAttemptDate: ${JSON.stringify(delivery)}`);
  const last = [...delivery.attempts].sort((a, b) => Date.parse(a.createdDate) - Date.parse(b.createdDate)).at(-1);
  // Counted from the failure: the attempt's start plus its duration.
  const wait = Date.parse(delivery.nextAttemptDate) - (Date.parse(last.createdDate) + last.durationMs);
  const slack = 1500;
  assert.ok(wait >= delayMs * 0.8 - slack && wait <= delayMs * 1.2 + slack,
    `next attempt ${seconds(wait)} after the last one, expected ${seconds(delayMs)} ±20 %: ${JSON.stringify(delivery)}`);
}

const byDate = (attempts) => [...attempts].sort((a, b) => Date.parse(a.createdDate) - Date.parse(b.createdDate));

/** Runs `fns` with at most `width` at once. */
async function pool(width, fns) {
  const queue = [...fns];
  await Promise.all(Array.from({ length: width }, async () => {
    while (queue.length > 0) await queue.shift()();
  }));
}

for (const store of stores) {
  describe(`webhooks on ${store}`, { skip: unavailable(store) }, () => {
    test('standard: every request verifies with the official library; after a rotation with the new and the old secret', { timeout: 60_000 }, async () => {
      const { api } = await setup(store);
      const secrets = { current: null, previous: null };
      const verified = [];
      const receiver = await startReceiver({
        respond(request) {
          // What a receiver does: verify, or refuse.
          new Webhook(secrets.current).verify(request.body, request.headers);
          verified.push(request);
          return 204;
        },
      });
      const deletions = await startReceiver();
      cleanups.push(() => receiver.close(), () => deletions.close());

      const { webhook, secret } = await api.createWebhook({ url: receiver.url, format: 'standard' });
      secrets.current = secret;
      assert.match(webhook.id, UUID);
      assert.equal(webhook.url, receiver.url);
      assert.equal(webhook.format, 'standard');
      assert.deepEqual([...webhook.events].sort(), ['created', 'deleted', 'updated'], 'all three by default');
      assert.equal(webhook.enabled, true);
      assert.match(webhook.createdDate, ISO);
      assert.match(secret, SECRET);
      assert.equal(Buffer.from(secret.slice('whsec_'.length), 'base64').length, 32, 'whsec_ + base64 of 32 random bytes');
      const onlyDeleted = await api.createWebhook({ url: deletions.url, events: ['deleted'] });
      assert.equal(onlyDeleted.webhook.format, 'standard', 'standard is the default format');
      assert.notEqual(onlyDeleted.secret, secret, 'one secret per endpoint');

      const listed = await api.listWebhooks();
      assert.deepEqual(listed.map((w) => w.id).sort(), [webhook.id, onlyDeleted.webhook.id].sort());
      assert.deepEqual(await api.getWebhook(webhook.id), webhook);
      for (const text of [JSON.stringify(listed), JSON.stringify(await api.getWebhook(webhook.id))]) {
        assert.ok(!text.includes(secret.slice(6)) && !text.includes(onlyDeleted.secret.slice(6)), 'the secret is never shown again');
      }

      const m = await api.createMember({ profile: { nickname: 'Hooked' } });
      await api.updateMember(m.id, { profile: { nickname: 'Hooked Again' } });
      await api.deleteMember(m.id);
      await receiver.waitFor(() => verified.length >= 3, 15_000, 'three verified deliveries');
      await deletions.waitFor((r) => r.length >= 1, 15_000, 'the deleted event on the second endpoint');

      const [created, updated, deleted] = verified.map((request) => ({ request, payload: JSON.parse(request.body) }));
      for (const [{ request, payload }, slug, sequence] of [[created, 'created', 1], [updated, 'updated', 2], [deleted, 'deleted', 3]]) {
        assert.match(request.headers['content-type'], /^application\/json/);
        assert.equal(request.method, 'POST');
        assert.equal(payload.type, EVENT_TYPES[slug]);
        const envelope = payload.data;
        assert.equal(payload.timestamp, envelope.eventTime);
        assert.equal(request.headers['webhook-id'], envelope.id, 'webhook-id is the event id');
        assert.match(envelope.id, UUID);
        const timestamp = Number(request.headers['webhook-timestamp']);
        assert.ok(Number.isInteger(timestamp) && Math.abs(timestamp - request.startedAt / 1000) < 30, `webhook-timestamp is now in seconds: ${request.headers['webhook-timestamp']}`);
        assert.match(request.headers['webhook-signature'], /^v1,[A-Za-z0-9+/]+={0,2}$/, 'one signature before a rotation');
        assert.equal(envelope.entityFqdn, 'wix.members.v1.member');
        assert.equal(envelope.slug, slug);
        assert.equal(envelope.entityId, m.id);
        assert.equal(envelope.triggeredByAnonymizeRequest, false);
        assert.equal(envelope.entityEventSequence, String(sequence), 'an int64 as a string, one more per event of the member');
        assert.match(envelope.eventTime, ISO);
        assert.throws(() => new Webhook(onlyDeleted.secret).verify(request.body, request.headers), /signature/i, 'another secret does not verify');
        assert.throws(() => new Webhook(secret).verify(request.body.replace('Hooked', 'Hacked'), request.headers), /signature/i, 'a changed body does not verify');
      }
      assert.equal(created.payload.data.createdEvent.entity.id, m.id);
      assert.equal(created.payload.data.createdEvent.entity.profile.nickname, 'Hooked');
      assert.equal(updated.payload.data.updatedEvent.currentEntity.profile.nickname, 'Hooked Again');
      assert.equal(updated.payload.data.updatedEvent.previousEntity.profile.nickname, 'Hooked');
      assert.ok(updated.payload.data.updatedEvent.modifiedFields, 'modifiedFields on an update');
      assert.equal(deleted.payload.data.deletedEvent.deletedEntity.id, m.id);
      const [onlyDeletion, ...moreDeletions] = deletions.requests;
      assert.deepEqual(moreDeletions, [], 'an endpoint gets only the events it subscribes to');
      assert.equal(JSON.parse(onlyDeletion.body).type, EVENT_TYPES.deleted);
      new Webhook(onlyDeleted.secret).verify(onlyDeletion.body, onlyDeletion.headers);

      // Rotation: the new secret signs, and the old one still does (24 h).
      const rotated = await api.rotateWebhookSecret(webhook.id);
      assert.match(rotated.secret, SECRET);
      assert.notEqual(rotated.secret, secret);
      assert.equal(rotated.webhook.id, webhook.id);
      secrets.previous = secret;
      secrets.current = rotated.secret;
      const before = verified.length;
      const n = await api.createMember();
      await receiver.waitFor(() => verified.length > before, 15_000, 'a delivery after the rotation');
      const afterRotation = verified[before];
      assert.equal(envelopeOf(afterRotation).entityId, n.id);
      const signatures = afterRotation.headers['webhook-signature'].split(' ');
      assert.equal(signatures.length, 2, `both sign, space-separated: ${afterRotation.headers['webhook-signature']}`);
      for (const signature of signatures) assert.match(signature, /^v1,[A-Za-z0-9+/]+={0,2}$/);
      new Webhook(rotated.secret).verify(afterRotation.body, afterRotation.headers);
      new Webhook(secret).verify(afterRotation.body, afterRotation.headers);
      assert.throws(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(afterRotation.body, afterRotation.headers), /signature/i);
      assert.deepEqual(receiver.requests.filter((r) => !verified.includes(r)), [], 'no request failed verification');
    });

    test('wix: the official Wix SDK (AppStrategy + webhooks.process) verifies and dispatches created, updated and deleted', { timeout: 60_000 }, async () => {
      const { api } = await setup(store);
      const got = { created: [], updated: [], deleted: [] };
      const failures = [];
      let client = null;
      let impostor = null;
      const receiver = await startReceiver({
        async respond(request) {
          // A client holding another key must refuse the body (the signature is checked).
          const forged = await impostor.webhooks.process(request.body).then(() => true, () => false);
          if (forged) failures.push('a client with another public key accepted the body');
          try {
            await client.webhooks.process(request.body);
            return 200;
          } catch (error) {
            failures.push(String(error?.stack ?? error));
            return 500;
          }
        },
      });
      cleanups.push(() => receiver.close());
      const { webhook, publicKey } = await api.createWebhook({ url: receiver.url, format: 'wix' });
      assert.equal(webhook.format, 'wix');
      assert.match(publicKey, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/, 'an SPKI PEM');
      const again = await api.createWebhook({ url: `${receiver.url}?second`, format: 'wix', events: ['deleted'] });
      assert.equal(again.publicKey.trim(), publicKey.trim(), 'one key pair per database');
      await api.deleteWebhook(again.webhook.id);
      assert.deepEqual((await api.listWebhooks()).map((w) => w.id), [webhook.id]);

      client = createClient({ auth: AppStrategy({ appId: 'any-app-id', publicKey }), modules: { members: wixMembers } });
      client.members.onMemberCreated((event) => { got.created.push(event); });
      client.members.onMemberUpdated((event) => { got.updated.push(event); });
      client.members.onMemberDeleted((event) => { got.deleted.push(event); });
      const { generateKeyPairSync } = await import('node:crypto');
      const other = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
      impostor = createClient({ auth: AppStrategy({ appId: 'any-app-id', publicKey: other.publicKey }), modules: { members: wixMembers } });
      impostor.members.onMemberCreated(() => assert.fail('dispatched with the wrong key'));
      impostor.members.onMemberUpdated(() => assert.fail('dispatched with the wrong key'));
      impostor.members.onMemberDeleted(() => assert.fail('dispatched with the wrong key'));

      const m = await api.createMember({ profile: { nickname: 'Wix Hooked' } });
      await api.updateMember(m.id, { profile: { title: 'Now With Title' } });
      await api.deleteMember(m.id);
      await eventually(() => failures.length > 0 || (got.created.length && got.updated.length && got.deleted.length), 15_000, () => `all three handlers (${JSON.stringify(Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v.length])))})`);
      assert.deepEqual(failures, [], 'the SDK accepted every body');
      assert.equal(receiver.requests.length, 3, 'one request per event');

      for (const request of receiver.requests) {
        assert.equal(request.headers['webhook-signature'], undefined, 'a wix body is signed by itself');
        const { header, claims, data, identity } = decodeWixBody(request.body);
        assert.equal(header.alg, 'RS256');
        assert.equal(typeof claims.iat, 'number');
        if (claims.exp !== undefined) assert.ok(claims.exp > claims.iat);
        assert.match(data.eventType, /^wix\.members\.v1\.member_(created|updated|deleted)$/);
        assert.equal(typeof data.instanceId, 'string');
        assert.ok(data.instanceId.length > 0, 'an instanceId');
        assert.equal(typeof data.data, 'string', 'the envelope is JSON text');
        assert.equal(typeof data.identity, 'string', 'the identity is JSON text');
        assert.equal(identity.identityType, 'ADMIN');
      }
      const instanceIds = new Set(receiver.requests.map((r) => decodeWixBody(r.body).data.instanceId));
      assert.equal(instanceIds.size, 1, 'one instanceId per site');

      const [created] = got.created;
      assert.equal(created.entity._id, m.id, 'entity id in SDK naming');
      assert.equal(created.entity.profile.nickname, 'Wix Hooked');
      assert.ok(created.entity._createdDate instanceof Date, 'the SDK makes the dates Dates');
      assert.equal(created.entity._createdDate.toISOString(), new Date(m.createdDate).toISOString());
      assert.equal(created.metadata.entityId, m.id);
      assert.match(created.metadata._id, UUID, 'the event id');
      assert.ok(created.metadata.eventTime instanceof Date);
      assert.equal(created.metadata.slug, 'created');
      assert.equal(created.metadata.identity.identityType, 'ADMIN');
      assert.equal(created.metadata.instanceId, [...instanceIds][0]);
      const [updated] = got.updated;
      assert.equal(updated.entity._id, m.id);
      assert.equal(updated.entity.profile.title, 'Now With Title');
      assert.deepEqual(updated.modifiedFields, { 'profile.title': null }, 'the changed paths with their previous values');
      assert.equal(updated.metadata.entityId, m.id);
      assert.equal(updated.metadata.slug, 'updated');
      assert.notEqual(updated.metadata._id, created.metadata._id);
      const [deleted] = got.deleted;
      assert.equal(deleted.entity._id, m.id, 'the last state');
      assert.equal(deleted.metadata.entityId, m.id);
      assert.deepEqual([created, updated, deleted].map((e) => Number(e.metadata.entityEventSequence)), [1, 2, 3]);
    });

    test('a receiver failing 3 times per event: every attempt recorded, retried after 5 s, 5 min, 30 min, then delivered; the next event waits', { timeout: 60_000 }, async () => {
      const { db, api } = await setup(store);
      const receiver = await startReceiver({ respond: (request) => (request.attempt <= 3 ? { status: 500, text: 'not yet' } : 200) });
      cleanups.push(() => receiver.close());
      const { webhook } = await api.createWebhook({ url: receiver.url });
      const m = await api.createMember();

      await receiver.waitFor((r) => r.length >= 1, 10_000, 'the first attempt');
      const eventId = receiver.requests[0].key;
      const first = await eventually(async () => {
        const d = await deliveryOf(api, webhook.id, eventId);
        return d.attempts.length === 1 && d;
      }, 5000, 'the first attempt recorded');
      assert.match(first.id, /\S/);
      assert.equal(first.webhookId, webhook.id);
      assert.equal(first.eventType, EVENT_TYPES.created);
      assert.equal(first.entityId, m.id);
      assert.equal(Number(first.attemptCount), 1);
      assert.equal(first.attempts[0].status, 500);
      assert.equal(typeof first.attempts[0].durationMs, 'number');
      assert.match(first.attempts[0].createdDate, ISO);
      assertRetryAfter(first, 5000);
      assert.deepEqual((await api.deliveries(webhook.id, { status: 'FAILED' })).map((d) => d.id), [first.id], 'FAILED lists it');
      assert.deepEqual((await api.deliveries(webhook.id, { status: 'DELIVERED' })), []);
      assert.deepEqual((await api.deliveries(webhook.id, { status: 'PENDING' })).map((d) => d.id), [first.id]);

      // The member's next event waits for this one.
      await api.updateMember(m.id, { profile: { title: 'Second Event' } });

      await receiver.waitFor((r) => r.length >= 2, 10_000, 'the second attempt, about 5 s later');
      const [a1, a2] = receiver.requests;
      assert.equal(a2.key, eventId, 'the retry is of the same event: the same webhook-id');
      assert.ok(a2.startedAt - a1.startedAt >= 3000, `retried ${seconds(a2.startedAt - a1.startedAt)} after the first attempt (5 s ±20 %)`);
      assert.ok(Number(a2.headers['webhook-timestamp']) >= Number(a1.headers['webhook-timestamp']), 'the timestamp is of each attempt');
      const second = await eventually(async () => {
        const d = await deliveryOf(api, webhook.id, eventId);
        return d.attempts.length === 2 && d;
      }, 5000, 'the second attempt recorded');
      assertRetryAfter(second, 5 * 60_000);

      // Nobody waits 5 minutes: the clock of this delivery is skipped, its failures kept.
      await makeDue(db, first.id);
      await receiver.waitFor((r) => r.length >= 3, 10_000, 'the third attempt');
      const third = await eventually(async () => {
        const d = await deliveryOf(api, webhook.id, eventId);
        return d.attempts.length === 3 && d;
      }, 5000, 'the third attempt recorded');
      assertRetryAfter(third, 30 * 60_000);
      assert.ok(receiver.requests.every((r) => r.key === eventId), 'nothing of the member\'s next event yet');

      await makeDue(db, first.id);
      const done = await eventually(async () => {
        const d = await deliveryOf(api, webhook.id, eventId);
        return d.status === 'DELIVERED' && d;
      }, 10_000, 'the fourth attempt delivered');
      assert.equal(Number(done.attemptCount), 4);
      assert.deepEqual(byDate(done.attempts).map((a) => a.status), [500, 500, 500, 200]);
      assert.equal(done.nextAttemptDate, undefined, 'no next attempt once delivered');

      // Only now the member's next event goes out (and fails its own three times).
      const next = await receiver.waitFor((r) => r.find((x) => x.key !== eventId), 10_000, 'the next event after the first was delivered');
      assert.equal(envelopeOf(next).slug, 'updated');
      assert.ok(next.startedAt >= receiver.requests.find((r) => r.key === eventId && r.status === 200).endedAt);
      await receiver.waitFor((r) => r.filter((x) => x.key === next.key).length >= 2, 10_000, 'its automatic retry');
      const nextDelivery = await deliveryOf(api, webhook.id, next.key);
      await eventually(async () => (await deliveryOf(api, webhook.id, next.key)).attempts.length === 2, 5000, 'recorded');
      await makeDue(db, nextDelivery.id);
      await eventually(async () => (await deliveryOf(api, webhook.id, next.key)).attempts.length === 3, 10_000, 'third attempt');
      await makeDue(db, nextDelivery.id);
      await eventually(async () => (await deliveryOf(api, webhook.id, next.key)).status === 'DELIVERED', 10_000, 'delivered');
      assertOrderPerMember(receiver.requests, new Map([[m.id, 2]]));
      assert.deepEqual(await api.deliveries(webhook.id, { status: 'FAILED' }), [], 'nothing failed in the end');

      // A delivered event can be sent again on request.
      const again = await api.redeliver(first.id);
      assert.equal(again.id, first.id);
      await receiver.waitFor((r) => r.filter((x) => x.key === eventId).length >= 5, 10_000, 'the redelivery');
    });

    test('Retry-After longer than the schedule is honoured; after the 8th failure the delivery is dead, and can be redelivered', { timeout: 60_000 }, async () => {
      const { db, api } = await setup(store);
      let healthy = false;
      const receiver = await startReceiver({
        respond: (request) => (healthy ? 200 : request.attempt === 1 ? { status: 503, headers: { 'retry-after': '120' } } : 500),
      });
      cleanups.push(() => receiver.close());
      const { webhook } = await api.createWebhook({ url: receiver.url });
      await api.createMember();
      await receiver.waitFor((r) => r.length >= 1, 10_000, 'the first attempt');
      const eventId = receiver.requests[0].key;
      const first = await eventually(async () => {
        const d = await deliveryOf(api, webhook.id, eventId);
        return d.attempts.length === 1 && d;
      }, 5000, 'recorded');
      assert.equal(first.attempts[0].status, 503);
      const wait = Date.parse(first.nextAttemptDate) - Date.parse(first.attempts[0].createdDate);
      assert.ok(wait >= 119_000 && wait <= 122_000, `Retry-After: 120 → next attempt in 120 s, got ${seconds(wait)}`);

      for (let attempt = 2; attempt <= 8; attempt += 1) {
        await makeDue(db, first.id);
        await eventually(async () => (await deliveryOf(api, webhook.id, eventId)).attempts.length === attempt, 10_000, `attempt ${attempt} recorded`);
      }
      const dead = await deliveryOf(api, webhook.id, eventId);
      assert.equal(dead.status, 'DEAD', `dead after 8 failed attempts: ${JSON.stringify(dead)}`);
      assert.equal(dead.nextAttemptDate, undefined);
      assert.deepEqual((await api.deliveries(webhook.id, { status: 'DEAD' })).map((d) => d.id), [first.id]);
      assert.deepEqual((await api.deliveries(webhook.id, { status: 'FAILED' })).map((d) => d.id), [first.id], 'a dead delivery failed');
      await sleep(1000);
      assert.equal(receiver.requests.length, 8, 'no 9th attempt');

      healthy = true;
      const redelivered = await api.redeliver(first.id);
      assert.equal(redelivered.status, 'PENDING');
      await eventually(async () => (await deliveryOf(api, webhook.id, eventId)).status === 'DELIVERED', 10_000, 'the redelivery');
      assert.equal(receiver.requests.at(-1).key, eventId);
      assert.equal(receiver.requests.at(-1).status, 200);
    });

    test('410 Gone disables the endpoint: nothing more is sent to it', { timeout: 60_000 }, async () => {
      const { api } = await setup(store);
      const gone = await startReceiver({ respond: () => 410 });
      const fine = await startReceiver();
      cleanups.push(() => gone.close(), () => fine.close());
      const { webhook } = await api.createWebhook({ url: gone.url });
      const other = await api.createWebhook({ url: fine.url });
      const m = await api.createMember();
      await gone.waitFor((r) => r.length >= 1, 10_000, 'the first attempt');
      const disabled = await eventually(async () => {
        const w = await api.getWebhook(webhook.id);
        return w.enabled === false && w;
      }, 5000, 'the endpoint disabled');
      assert.equal(typeof disabled.disabledReason, 'string');
      assert.equal((await api.getWebhook(other.webhook.id)).enabled, true, 'other endpoints go on');

      await api.updateMember(m.id, { profile: { title: 'After 410' } });
      const n = await api.createMember();
      await fine.waitFor((r) => r.length >= 3, 10_000, 'the other endpoint gets everything');
      await sleep(1500);
      assert.equal(gone.requests.length, 1, 'nothing after the 410');
      const [attempt] = (await api.deliveries(webhook.id)).find((d) => d.entityId === m.id && d.attempts.length > 0).attempts;
      assert.equal(attempt.status, 410);
      assert.ok(fine.requests.some((r) => envelopeOf(r).entityId === n.id), 'the other endpoint got the new member');
    });

    test('a redirect is a failed attempt and is not followed', { timeout: 30_000 }, async () => {
      const { api } = await setup(store);
      const target = await startReceiver();
      const redirecting = await startReceiver({ respond: () => ({ status: 307, headers: { location: target.url } }) });
      cleanups.push(() => target.close(), () => redirecting.close());
      const { webhook } = await api.createWebhook({ url: redirecting.url });
      await api.createMember();
      await redirecting.waitFor((r) => r.length >= 1, 10_000, 'the attempt');
      const [delivery] = await eventually(async () => {
        const list = await api.deliveries(webhook.id);
        return list[0]?.attempts.length >= 1 && list;
      }, 5000, 'recorded');
      assert.equal(delivery.attempts[0].status, 307);
      assertRetryAfter(delivery, 5000);
      await sleep(500);
      assert.deepEqual(target.requests, [], 'the Location was not followed');
    });

    test('redeliver while an attempt is in flight never sends the event twice at once', { timeout: 30_000 }, async () => {
      const { api } = await setup(store);
      const receiver = await startReceiver({ respond: (request) => ({ status: 200, delayMs: request.attempt === 1 ? 1500 : 0 }) });
      cleanups.push(() => receiver.close());
      const { webhook } = await api.createWebhook({ url: receiver.url });
      const m = await api.createMember();
      await receiver.waitFor(() => receiver.inFlight() > 0, 10_000, 'an attempt in flight');
      const [delivery] = await api.deliveries(webhook.id);
      const answer = await api.call('POST', `/members/v1/webhooks/deliveries/${delivery.id}/redeliver`);
      assert.ok(answer.status === 200 || (answer.status >= 400 && answer.status < 500), `redeliver answered ${answer.status}`);
      await api.updateMember(m.id, { profile: { title: 'Next' } });
      await eventually(async () => {
        const list = await api.deliveries(webhook.id);
        return list.length === 2 && list.every((d) => d.status === 'DELIVERED') && receiver.inFlight() === 0;
      }, 15_000, 'both delivered');
      await sleep(1000);
      assert.deepEqual(receiver.overlaps, [], `no second request while the first was unanswered: ${JSON.stringify(receiver.requests.map((r) => [envelopeOf(r).entityEventSequence, r.startedAt, r.endedAt]))}`);
    });

    test('SSE: events arrive; after a reconnect with Last-Event-ID nothing is lost or repeated; 401 without credentials, 403 for a member', { timeout: 60_000 }, async () => {
      const { server, api } = await setup(store);
      const admin = { authorization: server.adminKey };
      const first = await openStream(server, { headers: admin });
      assert.equal(first.status, 200);
      assert.match(first.headers['content-type'], /^text\/event-stream/);
      const made = [];
      for (let i = 0; i < 3; i += 1) made.push(await api.createMember());
      await first.waitFor(3);
      await sleep(300);
      first.close();
      const seen = first.events.slice();
      assert.deepEqual(seen.map((e) => e.data.entityId), made.map((m) => m.id), 'in commit order');
      for (const event of seen) {
        assert.match(event.id, /^\d+$/, 'id: the position in the outbox');
        assert.equal(event.event, EVENT_TYPES.created);
        assert.equal(event.data.slug, 'created');
        assert.equal(event.data.createdEvent.entity.id, event.data.entityId);
      }
      const positions = seen.map((e) => Number(e.id));
      assert.deepEqual(positions, [...positions].sort((a, b) => a - b), 'positions grow');

      // While nobody listens: more changes.
      const missed = [await api.createMember(), await api.updateMember(made[0].id, { profile: { title: 'Missed' } }), await api.createMember()];
      const resumed = await openStream(server, { headers: { ...admin, 'last-event-id': seen.at(-1).id } });
      assert.equal(resumed.status, 200);
      await resumed.waitFor(3);
      await sleep(500);
      assert.equal(resumed.events.length, 3, `exactly the missed events: ${JSON.stringify(resumed.events.map((e) => e.id))}`);
      assert.deepEqual(resumed.events.map((e) => e.data.entityId), [missed[0].id, made[0].id, missed[2].id]);
      assert.deepEqual(resumed.events.map((e) => e.event), [EVENT_TYPES.created, EVENT_TYPES.updated, EVENT_TYPES.created]);
      assert.ok(resumed.events.every((e) => Number(e.id) > Number(seen.at(-1).id)), 'nothing repeated');
      // It goes on live.
      await api.deleteMember(made[1].id);
      await resumed.waitFor(4);
      assert.equal(resumed.events[3].event, EVENT_TYPES.deleted);
      resumed.close();

      const viaQuery = await openStream(server, { headers: admin, query: `?after=${seen.at(-1).id}` });
      await viaQuery.waitFor(4);
      await sleep(300);
      viaQuery.close();
      assert.deepEqual(viaQuery.events.map((e) => e.id), resumed.events.map((e) => e.id), '?after= resumes the same way');
      const all = [...seen, ...resumed.events].map((e) => e.id);
      assert.equal(new Set(all).size, all.length);

      const visitor = await openStream(server);
      visitor.close();
      assert.equal(visitor.status, 401, 'no credentials');
      const wrongKey = await openStream(server, { headers: { authorization: `${server.adminKey}x` } });
      wrongKey.close();
      assert.equal(wrongKey.status, 401, 'a wrong admin key is no credentials');
      const registered = await api.call('POST', '/members/v1/auth/register', { auth: null, body: { email: `sse.${randomBytes(4).toString('hex')}@example.com`, password: 'a long password 1' } });
      assert.equal(registered.status, 200, JSON.stringify(registered.body));
      const member = await openStream(server, { headers: { authorization: `Bearer ${registered.body.sessionToken}` } });
      member.close();
      assert.equal(member.status, 403, 'a member session is not an admin');
    });
  });
}

// A server killed mid-delivery loses nothing; its leases run out (60 s), so the
// stores run side by side.
describe('a server killed mid-delivery', { concurrency: true }, () => {
  for (const store of stores) {
    test(`on ${store}: every event arrives at least once, in order per member, every attempt recorded`, { skip: unavailable(store), timeout: 150_000 }, async () => {
      const { api, start, servers } = await setup(store);
      const receiver = await startReceiver({ respond: () => ({ status: 200, delayMs: 400 }) });
      cleanups.push(() => receiver.close());
      const { webhook } = await api.createWebhook({ url: receiver.url });
      const people = [];
      await pool(10, Array.from({ length: 10 }, () => async () => {
        const m = await api.createMember();
        for (let i = 0; i < 4; i += 1) await api.updateMember(m.id, { profile: { title: `Title ${i}` } });
        people.push(m.id);
      }));
      await receiver.waitFor((r) => r.length >= 10 && receiver.inFlight() > 0, 15_000, 'deliveries in flight');
      const inFlightAtKill = receiver.requests.filter((r) => r.status === undefined).map((r) => r.key);
      servers[0].child.kill('SIGKILL');
      await servers[0].exited;
      assert.ok(inFlightAtKill.length > 0);

      const restarted = await start();
      const api2 = restOf(restarted);
      for (const id of people) await api2.updateMember(id, { profile: { title: 'After restart' } });
      const expected = new Map(people.map((id) => [id, 6]));
      const delivered = () => {
        const keys = new Set(receiver.delivered().map((r) => `${envelopeOf(r).entityId}:${envelopeOf(r).entityEventSequence}`));
        return people.every((id) => Array.from({ length: 6 }, (_, i) => `${id}:${i + 1}`).every((k) => keys.has(k)));
      };
      // The leases of the killed process run out after 60 s.
      await eventually(delivered, 100_000, () => `all ${people.length * 6} events delivered (${receiver.delivered().length} 2xx answers so far)`);
      assertOrderPerMember(receiver.requests, expected);
      for (const key of inFlightAtKill) {
        assert.ok(receiver.requests.some((r) => r.key === key && r.attempt > 1 && r.status === 200), `event ${key}, in flight at the kill, was sent again`);
      }
      // The receiver's last answers may still be on their way back to be recorded.
      const deliveries = await eventually(async () => {
        const list = await api2.deliveries(webhook.id, { limit: 100 });
        return list.every((d) => d.status === 'DELIVERED') && list;
      }, 10_000, 'every delivery recorded as DELIVERED');
      assert.equal(deliveries.length, 60);
      for (const d of deliveries) {
        assert.equal(d.status, 'DELIVERED', JSON.stringify(d));
        assert.ok(d.attempts.length >= 1 && Number(d.attemptCount) === d.attempts.length, JSON.stringify(d));
        assert.equal(byDate(d.attempts).at(-1).status, 200);
      }
    });
  }
});

for (const store of stores) {
  test(`two serve processes on one ${store} database, 500 changes over 50 members: no delivery sent twice at once, order per member kept`, { skip: unavailable(store), timeout: 120_000 }, async () => {
    const { api, start } = await setup(store);
    const other = restOf(await start());
    const receiver = await startReceiver({ respond: () => ({ status: 200, delayMs: Math.floor(Math.random() * 8) }) });
    cleanups.push(() => receiver.close());
    const { webhook } = await api.createWebhook({ url: receiver.url });
    const apis = [api, other];
    const people = [];
    await pool(10, Array.from({ length: 50 }, (_, n) => async () => {
      const m = await apis[n % 2].createMember();
      for (let i = 0; i < 9; i += 1) await apis[(n + i + 1) % 2].updateMember(m.id, { profile: { title: `Change ${i}` } });
      people.push(m.id);
    }));
    const distinct = () => new Set(receiver.delivered().map((r) => r.key)).size;
    await eventually(() => distinct() >= 500, 90_000, () => `500 events delivered (${distinct()} so far)`);
    await sleep(500);
    assert.deepEqual(receiver.overlaps, [], 'never two requests of one event (or of one member) at once');
    assertOrderPerMember(receiver.requests, new Map(people.map((id) => [id, 10])));
    assert.equal(distinct(), 500);
    assert.equal(receiver.requests.length, 500, 'with both servers up and every answer 2xx, each event is sent once');
    assert.deepEqual(await api.deliveries(webhook.id, { status: 'PENDING' }), []);
    assert.deepEqual(await other.deliveries(webhook.id, { status: 'FAILED' }), []);
  });
}

describe('bad input, private addresses, no answer', () => {
  test('a bad url, format or event is INVALID_ARGUMENT naming the field, and nothing is stored', { timeout: 30_000 }, async () => {
    // No MEMBERS_WEBHOOK_ALLOW_PRIVATE here. Nothing valid is created, so nothing is ever sent.
    const { api } = await setup('sqlite', { env: {} });
    const cases = [
      [{ url: 'ftp://example.com/hook' }, 'url'],
      [{ url: 'javascript:alert(1)' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{ url: 'http://' }, 'url'],
      [{}, 'url'],
      [{ url: 'http://127.0.0.1:8080/hook' }, 'url'],
      [{ url: 'http://localhost:8080/hook' }, 'url'],
      [{ url: 'http://[::1]:8080/hook' }, 'url'],
      [{ url: 'http://10.1.2.3/hook' }, 'url'],
      [{ url: 'http://192.168.1.10/hook' }, 'url'],
      [{ url: 'http://172.16.0.1/hook' }, 'url'],
      [{ url: 'http://169.254.169.254/latest/meta-data' }, 'url'],
      [{ url: 'http://[::ffff:127.0.0.1]/hook' }, 'url'],
      [{ url: `https://example.com/${'a'.repeat(10_000)}` }, 'url'],
      [{ url: 'https://example.com/hook', format: 'xml' }, 'format'],
      [{ url: 'https://example.com/hook', events: ['created', 'renamed'] }, 'events'],
      [{ url: 'https://example.com/hook', events: [] }, 'events'],
    ];
    for (const [input, field] of cases) {
      const response = await api.call('POST', '/members/v1/webhooks', { body: input });
      assertInvalidField(response, field);
      assert.ok(!JSON.stringify(response.body).includes('a'.repeat(500)), 'the error does not echo a huge url');
    }
    assert.deepEqual(await api.listWebhooks(), [], 'nothing stored');

    // Admins only.
    for (const [method, path, body] of [['GET', '/members/v1/webhooks'], ['POST', '/members/v1/webhooks', { url: 'https://example.com/hook' }]]) {
      const visitor = await api.call(method, path, { auth: null, body });
      assert.ok([401, 403].includes(visitor.status), `${method} ${path} as a visitor → ${visitor.status}`);
    }
    assert.deepEqual(await api.listWebhooks(), []);
  });

  test('no answer within 10 s is a failed attempt without a status', { timeout: 40_000 }, async () => {
    const { api } = await setup('sqlite');
    const silent = await startReceiver({ respond: (request) => (request.attempt === 1 ? { status: 200, delayMs: 13_000 } : 200) });
    cleanups.push(() => silent.close());
    const { webhook } = await api.createWebhook({ url: silent.url });
    await api.createMember();
    const [delivery] = await eventually(async () => {
      const list = await api.deliveries(webhook.id);
      return list[0]?.attempts.length >= 1 && list;
    }, 20_000, 'the attempt recorded after the time-out');
    const [attempt] = delivery.attempts;
    assert.equal(attempt.status, null, JSON.stringify(attempt));
    assert.ok(attempt.durationMs >= 9500 && attempt.durationMs <= 12_000, `gave up after ${attempt.durationMs} ms`);
    assert.match(attempt.error ?? '', /\S/);
    assert.ok(Buffer.byteLength(attempt.error) <= 1024);
    assertRetryAfter(delivery, 5000);
  });

  test('a name that resolves to a loopback address is refused where the connection is made', { timeout: 30_000 }, async (t) => {
    const name = hostname();
    const addresses = await lookup(name, { all: true }).catch(() => []);
    if (!addresses.some((a) => a.address.startsWith('127.') || a.address === '::1')) {
      t.skip(`${name} does not resolve to a loopback address here`);
      return;
    }
    const { api } = await setup('sqlite', { env: {} });
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const url = `http://${name}:${receiver.port}/hook`;
    const created = await api.call('POST', '/members/v1/webhooks', { body: { url } });
    if (created.status === 400) {
      assertInvalidField(created, 'url'); // refused up front (resolved at creation): fine too
      return;
    }
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const { webhook } = created.body;
    await api.createMember();
    const [delivery] = await eventually(async () => {
      const found = await api.deliveries(webhook.id);
      return found.length === 1 && found[0].attempts.length >= 1 && found;
    }, 10_000, 'an attempt recorded');
    assert.equal(delivery.attempts[0].status, null, 'no answer: never connected');
    assert.match(delivery.attempts[0].error ?? '', /\S/, 'with an error');
    assert.deepEqual(receiver.requests, [], 'the receiver got nothing');
  });
});

describe('CLI: universal-members webhooks', () => {
  test('add, list, rotate, deliveries, redeliver and remove on a SQLite file', { timeout: 60_000 }, async () => {
    const db = await freshDatabase('sqlite');
    cleanups.push(() => db.dispose());
    const cli = (...args) => spawnSync(process.execPath, [CLI, 'webhooks', ...args, '--db', db.url], {
      encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...ALLOW_PRIVATE },
    });
    const ok = (...args) => {
      const run = cli(...args);
      assert.equal(run.status, 0, `webhooks ${args.join(' ')}: exit ${run.status}\n${run.stderr}\n${run.stdout}`);
      return run.stdout;
    };
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());

    const added = ok('add', receiver.url, '--format', 'standard', '--events', 'created,updated');
    const id = AN_ID.exec(added)?.[0] ?? assert.fail(`an id in: ${added}`);
    const secret = /whsec_[A-Za-z0-9+/]+={0,2}/.exec(added)?.[0] ?? assert.fail(`a secret in: ${added}`);
    const wix = ok('add', `${receiver.url}?wix`, '--format', 'wix');
    assert.match(wix, /-----BEGIN PUBLIC KEY-----/);
    const wixId = AN_ID.exec(wix)?.[0];
    assert.ok(wixId && wixId !== id);

    const listed = ok('list');
    assert.ok(listed.includes(id) && listed.includes(wixId), listed);
    assert.ok(listed.includes(receiver.url), listed);
    assert.ok(!listed.includes(secret.slice(6)), 'list never shows a secret');

    const rotated = ok('rotate', id);
    const newSecret = /whsec_[A-Za-z0-9+/]+={0,2}/.exec(rotated)?.[0] ?? assert.fail(`a secret in: ${rotated}`);
    assert.notEqual(newSecret, secret);

    // A delivery made by a server on the file, then read and resent from the CLI.
    const server = await startServer({ database: db.url, env: ALLOW_PRIVATE });
    const api = restOf(server);
    await api.ok('DELETE', `/members/v1/webhooks/${wixId}`);
    await api.createMember();
    await receiver.waitFor((r) => r.length >= 1, 10_000, 'a delivery');
    const deliveryId = await eventually(async () => {
      const [d] = await api.deliveries(id);
      return d?.status === 'DELIVERED' && d.id;
    }, 10_000, 'delivered');
    await server.stop();
    new Webhook(newSecret).verify(receiver.requests[0].body, receiver.requests[0].headers);

    const deliveries = ok('deliveries', id);
    assert.ok(deliveries.includes(deliveryId), deliveries);
    assert.match(deliveries, /DELIVERED/);
    const failed = ok('deliveries', id, '--failed');
    assert.doesNotMatch(failed, /DELIVERED/, `--failed lists only failed deliveries: ${failed}`);
    ok('redeliver', deliveryId);
    assert.match(ok('deliveries', id), /PENDING/, 'pending again after redeliver');

    ok('remove', id);
    assert.ok(!ok('list').includes(id), 'removed');

    const bad = cli('add', 'ftp://example.com/hook');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /INVALID_ARGUMENT|url/);
    const unknown = cli('remove', '00000000-0000-4000-8000-000000000000');
    assert.notEqual(unknown.status, 0, 'removing an unknown id fails');
  });
});
