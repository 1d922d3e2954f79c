// The soak's webhook receiver: a real HTTP server on 127.0.0.1 that answers 204
// and keeps, per member, the distinct event ids it got of each kind (not the
// bodies, so ten minutes of deliveries stay small), plus repeats and the delay
// from an event's time to its receipt.
import http from 'node:http';

/** Starts the receiver → `{ url, byMember, stats(), close() }`. */
export async function startReceiver() {
  const byMember = new Map();
  const lagsMs = [];
  let requests = 0;
  let repeats = 0;
  let unreadable = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      requests += 1;
      try {
        // Standard Webhooks body: { type, timestamp, data: <wire envelope> }.
        const { data: envelope } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        let member = byMember.get(envelope.entityId);
        if (!member) {
          member = { created: new Set(), updated: new Set(), deleted: new Set(), sequences: new Set() };
          byMember.set(envelope.entityId, member);
        }
        const seen = member[envelope.slug];
        if (seen.has(envelope.id)) repeats += 1;
        seen.add(envelope.id);
        member.sequences.add(Number(envelope.entityEventSequence));
        // A sample of lags is enough for percentiles.
        if (lagsMs.length < 200_000) lagsMs.push(Date.now() - Date.parse(envelope.eventTime));
      } catch {
        unreadable += 1;
      }
      res.writeHead(204);
      res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    byMember,
    /** Counts so far: requests, distinct events, repeats (at least once), unreadable bodies, lags. */
    stats() {
      let events = 0;
      for (const member of byMember.values()) events += member.created.size + member.updated.size + member.deleted.size;
      return { requests, events, repeats, unreadable, lagsMs };
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The acknowledged changes whose events did not arrive: for every member of
 * `ledger` (id → { created, updated, deleted } acknowledged counts), fewer
 * distinct events of a kind than acknowledged changes of that kind.
 */
export function missingDeliveries(ledger, receiver) {
  const missing = [];
  for (const [id, acked] of ledger) {
    const got = receiver.byMember.get(id);
    for (const kind of ['created', 'updated', 'deleted']) {
      const have = got ? got[kind].size : 0;
      if (have < acked[kind]) missing.push({ id, kind, acknowledged: acked[kind], received: have });
    }
  }
  return missing;
}
