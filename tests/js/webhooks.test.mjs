// The `webhooks` package API (SPEC §9, docs/events-contract.md) on every store:
// admins only, SDK naming, bad input, and a delivery end to end to a receiver on
// 127.0.0.1 — made by this Node process (`deliverWebhooks: true`) or, over
// `http`, by the server it is a client of — checked with the official
// `standardwebhooks` library and the official Wix SDK.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { createClient, AppStrategy } from '@wix/sdk';
import { members as wixMembers } from '@wix/members';
import { webhooks, elevate, configure } from 'universal-members';
import { STORE, UUID, MISSING_ID, useStore, startServer, rejectsWith, violatedFields, create } from './helpers.mjs';
import { startReceiver, eventually, envelopeOf, EVENT_TYPES } from './process/webhooks-support.mjs';

if (STORE === 'http') {
  // The server delivers; it needs loopback receivers allowed, as a developer would set.
  const server = await startServer({ env: { MEMBERS_WEBHOOK_ALLOW_PRIVATE: '1' } });
  configure({ baseUrl: server.baseUrl, adminKey: server.adminKey });
} else {
  await useStore({ deliverWebhooks: true, webhookAllowPrivate: true });
}

const admin = (name) => elevate(webhooks[name]);
const receivers = [];
after(() => Promise.all(receivers.map((r) => r.close())));

async function receiver(options) {
  const r = await startReceiver(options);
  receivers.push(r);
  return r;
}

describe('webhooks: admins only', () => {
  test('a visitor is refused every call: it brought no credentials (UNAUTHENTICATED)', async () => {
    await rejectsWith(webhooks.createWebhook({ url: 'http://127.0.0.1:9/x' }), 'UNAUTHENTICATED');
    await rejectsWith(webhooks.listWebhooks(), 'UNAUTHENTICATED');
    await rejectsWith(webhooks.getWebhook(MISSING_ID), 'UNAUTHENTICATED');
    await rejectsWith(webhooks.redeliver('1'), 'UNAUTHENTICATED');
    assert.deepEqual((await admin('listWebhooks')()).webhooks, [], 'nothing was stored');
  });

  test('an unknown id is NOT_FOUND', async () => {
    await rejectsWith(admin('getWebhook')(MISSING_ID), 'NOT_FOUND');
    await rejectsWith(admin('deleteWebhook')(MISSING_ID), 'NOT_FOUND');
    await rejectsWith(admin('rotateWebhookSecret')(MISSING_ID), 'NOT_FOUND');
    await rejectsWith(admin('listWebhookDeliveries')(MISSING_ID), 'NOT_FOUND');
  });
});

describe('webhooks: bad input is INVALID_ARGUMENT naming the field; nothing is stored', () => {
  const cases = [
    ['url not http(s)', { url: 'ftp://example.com/x' }, 'url'],
    ['url without a host', { url: 'http://' }, 'url'],
    ['url of 10 000 characters', { url: `https://example.com/${'a'.repeat(10_000)}` }, 'url'],
    ['unknown format', { url: 'https://example.com/hook', format: 'soap' }, 'format'],
    ['unknown event', { url: 'https://example.com/hook', events: ['created', 'moved'] }, 'events'],
    ['no events', { url: 'https://example.com/hook', events: [] }, 'events'],
  ];
  for (const [name, input, field] of cases) {
    test(name, async () => {
      const error = await rejectsWith(admin('createWebhook')(input), 'INVALID_ARGUMENT');
      assert.ok(violatedFields(error).some((f) => f === field || f.startsWith(`${field}[`) || f.startsWith(`${field}.`)), `${field} in ${JSON.stringify(violatedFields(error))}`);
    });
  }
  test('listWebhooks shows none of them', async () => {
    assert.deepEqual((await admin('listWebhooks')()).webhooks, []);
  });
});

describe('webhooks: created, delivered, listed, rotated, removed', () => {
  let hook;
  let secret;
  let r;
  const verified = [];
  before(async () => {
    r = await receiver({
      respond(request) {
        new Webhook(secret).verify(request.body, request.headers);
        verified.push(request);
        return 200;
      },
    });
    ({ webhook: hook, secret } = await admin('createWebhook')({ url: r.url }));
  });

  test('the endpoint in SDK naming, with its secret given once', async () => {
    assert.match(hook._id, UUID);
    assert.equal(hook.url, r.url);
    assert.equal(hook.format, 'standard');
    assert.deepEqual([...hook.events].sort(), ['created', 'deleted', 'updated']);
    assert.equal(hook.enabled, true);
    assert.ok(hook._createdDate instanceof Date, '_createdDate is a Date');
    assert.match(secret, /^whsec_/);
    const { webhook } = await admin('getWebhook')(hook._id);
    assert.deepEqual(webhook, hook);
    assert.equal(JSON.stringify((await admin('listWebhooks')()).webhooks).includes(secret.slice(6)), false);
  });

  test('a change reaches the receiver, verified with the official library', async () => {
    const m = await create({ profile: { nickname: 'Package Hook' } });
    await r.waitFor(() => verified.some((x) => envelopeOf(x).entityId === m._id), 15_000, 'the created event');
    const request = verified.find((x) => envelopeOf(x).entityId === m._id);
    const body = JSON.parse(request.body);
    assert.equal(body.type, EVENT_TYPES.created);
    assert.equal(body.data.createdEvent.entity.profile.nickname, 'Package Hook');
    assert.deepEqual(r.requests.filter((x) => !verified.includes(x)), [], 'every request verified');

    const { deliveries } = await eventually(async () => {
      const list = await admin('listWebhookDeliveries')(hook._id, { status: 'DELIVERED' });
      return list.deliveries.some((d) => d.entityId === m._id) && list;
    }, 5000, 'the delivery listed as DELIVERED');
    const delivery = deliveries.find((d) => d.entityId === m._id);
    assert.equal(delivery.webhookId, hook._id);
    assert.equal(delivery.eventId, request.headers['webhook-id']);
    assert.equal(delivery.eventType, EVENT_TYPES.created);
    assert.ok(delivery._createdDate instanceof Date);
    assert.equal(delivery.attempts.length, 1);
    assert.equal(delivery.attempts[0].status, 200);
    assert.ok(delivery.attempts[0]._createdDate instanceof Date);
    assert.equal((await admin('listWebhookDeliveries')(hook._id, { status: 'FAILED' })).deliveries.length, 0);

    const again = await admin('redeliver')(delivery._id);
    assert.equal(again.delivery._id, delivery._id);
    await r.waitFor(() => verified.filter((x) => x.headers['webhook-id'] === delivery.eventId).length >= 2, 15_000, 'the redelivery, same webhook-id');
  });

  test('after rotateWebhookSecret both secrets verify', async () => {
    const old = secret;
    const rotated = await admin('rotateWebhookSecret')(hook._id);
    assert.notEqual(rotated.secret, old);
    secret = rotated.secret;
    const m = await create();
    await r.waitFor(() => verified.some((x) => envelopeOf(x).entityId === m._id), 15_000, 'a delivery after the rotation');
    const request = verified.find((x) => envelopeOf(x).entityId === m._id);
    new Webhook(old).verify(request.body, request.headers);
    assert.equal(request.headers['webhook-signature'].split(' ').length, 2);
  });

  test('deleteWebhook: gone from the list, and nothing more is sent to it', async () => {
    await admin('deleteWebhook')(hook._id);
    assert.deepEqual((await admin('listWebhooks')()).webhooks.map((w) => w._id).filter((id) => id === hook._id), []);
    const before = r.requests.length;
    await create();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(r.requests.length, before);
  });
});

test('wix format: the official Wix SDK dispatches the event with the entity id', async () => {
  const got = [];
  let client;
  const r = await receiver({
    async respond(request) {
      await client.webhooks.process(request.body);
      return 200;
    },
  });
  const { webhook, publicKey } = await admin('createWebhook')({ url: r.url, format: 'wix', events: ['created'] });
  assert.deepEqual(webhook.events, ['created']);
  client = createClient({ auth: AppStrategy({ appId: 'app', publicKey }), modules: { members: wixMembers } });
  client.members.onMemberCreated((event) => { got.push(event); });
  const m = await create();
  await eventually(() => got.some((e) => e.entity._id === m._id), 15_000, 'onMemberCreated through the SDK');
  assert.deepEqual(r.requests.filter((x) => x.status !== 200).map((x) => x.error?.message), [], 'the SDK accepted every body');
  await admin('deleteWebhook')(webhook._id);
});
