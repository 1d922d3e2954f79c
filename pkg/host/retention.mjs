// Retention (SPEC §9): a background timer that has the core remove events,
// deliveries and attempts older than the retention (`pruneOutbox()`, which
// decides what is old and removes a bounded batch per call). This file owns only
// the timing; it must not hold the process open or the event loop for long.

import { setImmediate as nextTurn } from 'node:timers/promises';

/** Time between two clean-ups. */
export const RETENTION_INTERVAL_MS = 10 * 60 * 1000;
/** The first clean-up comes soon after start, not ten minutes later. */
const FIRST_RUN_MS = 15 * 1000;

/**
 * Starts pruning with `admin` (a wasm Members with admin rights) every ten
 * minutes, the first time shortly after start; `log(line)` gets failures (no
 * data), which wait for the next run. Returns `{ stop() }`, which resolves once a
 * clean-up under way has finished its current batch.
 */
export function startRetention({ admin, log = () => {}, intervalMs = RETENTION_INTERVAL_MS, firstRunMs = FIRST_RUN_MS }) {
  let stopped = false;
  let running = null;
  let timer = null;

  async function prune() {
    try {
      // Batches of the core's size, yielding between them so requests get answered.
      while (!stopped && (await admin.pruneOutbox()).removed > 0) await nextTurn();
    } catch (error) {
      log(`retention: removing old events failed (${error?.applicationCode ?? error?.code ?? error?.name}); trying again later`);
    }
  }

  function schedule(ms) {
    timer = setTimeout(() => {
      running = prune().finally(() => {
        running = null;
        if (!stopped) schedule(intervalMs);
      });
    }, ms);
    timer.unref();
  }

  schedule(firstRunMs);
  return {
    /** No more clean-ups; resolves when the one under way (if any) has stopped. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
