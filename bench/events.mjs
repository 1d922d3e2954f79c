// The events benchmark (SPEC §9): what the outbox costs a write, and how fast
// webhooks go out. On SQLite files:
// 1. createMember in process with no endpoint, with one endpoint (the event and
//    its delivery row in the same transaction, nobody delivering) and with one
//    endpoint delivered by the same process to a local receiver; the three are
//    run interleaved, round by round, so drift of the machine hits them alike.
// 2. Delivered events per second: a backlog of events, then a `serve` process
//    delivers them to a receiver on 127.0.0.1 that answers 204 at once.
// 3. Latency from commit to receipt while members are created over REST one by
//    one (the receipt time minus the event's eventTime, one clock).
// Writes the `events` section of RESULTS.md.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { openCore, startBackground } from '../pkg/core.mjs';
import { machine, ms, writeSection } from './results.mjs';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const ROUNDS = Number(process.env.BENCH_EVENTS_ROUNDS ?? 15);
const PER_ROUND = 40;
const BACKLOG = Number(process.env.BENCH_EVENTS_BACKLOG ?? 5000);
const LATENCY_EVENTS = 300;
const ADMIN_KEY = 'bench-admin-key-events-0123456789';

const dir = mkdtempSync(path.join(os.tmpdir(), 'members-events-bench-'));
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** A receiver on 127.0.0.1 that answers 204 at once and notes when each request came. */
async function startReceiver() {
  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ at: Date.now(), id: req.headers['webhook-id'], body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    received,
    close: () => { server.closeAllConnections(); return new Promise((resolve) => server.close(resolve)); },
  };
}

function openDatabase(name) {
  const opened = openCore({ database: `sqlite:${path.join(dir, name)}`, webhookAllowPrivate: true });
  return { ...opened, admin: opened.core.elevated() };
}

async function writeCost(receiver) {
  const none = openDatabase('none.db');
  const queued = openDatabase('queued.db');
  const delivered = openDatabase('delivered.db');
  // Nobody delivers queued.db: its deliveries only pile up (a port nothing listens on).
  await queued.admin.createWebhook({ url: 'http://127.0.0.1:9/never', format: 'standard' });
  await delivered.admin.createWebhook({ url: receiver.url, format: 'standard' });
  const background = startBackground(delivered.core, { deliverWebhooks: true, webhookAllowPrivate: true });
  const configs = [
    ['no endpoint', none, () => {}],
    ['one endpoint, not delivered', queued, () => {}],
    ['one endpoint, delivered by this process', delivered, () => background.poke()],
  ];
  const perRound = Object.fromEntries(configs.map(([name]) => [name, []]));
  let n = 0;
  for (let round = -2; round < ROUNDS; round += 1) {
    // The order rotates, so none of them always runs first.
    for (let k = 0; k < configs.length; k += 1) {
      const [name, { admin }, after] = configs[(round + 3 + k) % configs.length];
      const started = performance.now();
      for (let i = 0; i < PER_ROUND; i += 1) {
        await admin.createMember({ member: { loginEmail: `cost-${(n += 1)}@example.com`, profile: { nickname: `Cost ${n}` } } });
        after();
      }
      if (round >= 0) perRound[name].push((performance.now() - started) / PER_ROUND);
    }
  }
  await background.stop();
  for (const { close } of [none, queued, delivered]) await close();
  return Object.fromEntries(Object.entries(perRound).map(([name, list]) => [name, median(list)]));
}

async function startServer(file) {
  const child = spawn(process.execPath, [path.join(ROOT, 'pkg/cli.mjs'), 'serve', '--port', '0', '--db', `sqlite:${file}`, `--admin-key=${ADMIN_KEY}`], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MEMBERS_WEBHOOK_ALLOW_PRIVATE: '1' },
  });
  // Read until the "serving" line, then only drained (the access log).
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => { if (out.length < 10_000) out += chunk; });
  child.stderr.resume();
  for (let i = 0; i < 600; i += 1) {
    const match = /serving (http:\/\/\S+)/.exec(out);
    if (match) return { child, url: match[1] };
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('the server did not start');
}

async function throughputAndLatency(receiver) {
  const file = path.join(dir, 'backlog.db');
  const backlog = openDatabase('backlog.db');
  await backlog.admin.createWebhook({ url: receiver.url, format: 'standard' });
  for (let i = 0; i < BACKLOG; i += 1) {
    await backlog.admin.createMember({ member: { loginEmail: `backlog-${i}@example.com` } });
  }
  await backlog.close();

  const server = await startServer(file);
  try {
    const deadline = Date.now() + 120_000;
    while (receiver.received.length < BACKLOG && Date.now() < deadline) await sleep(20);
    if (receiver.received.length < BACKLOG) throw new Error(`only ${receiver.received.length} of ${BACKLOG} events delivered in 120 s`);
    const first = receiver.received[0].at;
    const last = receiver.received[BACKLOG - 1].at;
    const perSecond = (BACKLOG - 1) / ((last - first) / 1000);

    // Commit to receipt, one write at a time (a quiet server: its writes poke the delivery).
    const before = receiver.received.length;
    for (let i = 0; i < LATENCY_EVENTS; i += 1) {
      const response = await fetch(`${server.url}/members/v1/members`, {
        method: 'POST',
        headers: { authorization: ADMIN_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ member: { loginEmail: `latency-${i}@example.com` } }),
      });
      if (response.status !== 200) throw new Error(`createMember answered ${response.status}`);
      await response.arrayBuffer();
      await sleep(5);
    }
    const until = Date.now() + 30_000;
    while (receiver.received.length < before + LATENCY_EVENTS && Date.now() < until) await sleep(20);
    const latencies = receiver.received.slice(before).map((r) => r.at - Date.parse(JSON.parse(r.body).timestamp)).sort((a, b) => a - b);
    return { perSecond, seconds: (last - first) / 1000, latencies };
  } finally {
    server.child.kill('SIGTERM');
  }
}

try {
  const costReceiver = await startReceiver();
  const cost = await writeCost(costReceiver);
  await costReceiver.close();
  const receiver = await startReceiver();
  const flow = await throughputAndLatency(receiver);
  await receiver.close();

  const base = cost['no endpoint'];
  const rows = Object.entries(cost).map(([name, value]) => `| ${name} | ${ms(value)} | ${(value / base).toFixed(2)}× |`).join('\n');
  const p50 = pct(flow.latencies, 0.5);
  const p99 = pct(flow.latencies, 0.99);
  writeSection('events', `## Events and webhooks (SQLite)

${machine()}. Medians; machine noise on 2 shared cores is ±10–20%.

createMember in process, ${ROUNDS} interleaved rounds of ${PER_ROUND} (median of the rounds' mean per call);
the event itself is written in all three, an endpoint adds its delivery row:

| endpoints | ms per createMember | vs no endpoint |
|---|---:|---:|
${rows}

Target: ≤ 1.2× with one endpoint.

Delivery by one \`serve\` process to a receiver on 127.0.0.1 answering 204 at once
(Standard Webhooks format, HMAC-signed per attempt): a backlog of
${BACKLOG.toLocaleString('en')} events of as many members went out in ${flow.seconds.toFixed(2)} s, **${Math.round(flow.perSecond)} events/s**
(target ≥ 1000/s).

From commit to receipt (receipt time − eventTime), ${flow.latencies.length} members created over REST one at
a time: p50 ${p50} ms, p99 ${p99} ms.`);
  console.log(`events: createMember ${Object.entries(cost).map(([k, v]) => `${k} ${ms(v)} ms`).join(', ')}; ${Math.round(flow.perSecond)} deliveries/s; commit→receipt p50 ${p50} ms, p99 ${p99} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
