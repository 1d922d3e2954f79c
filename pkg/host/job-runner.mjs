// Async jobs (SPEC §12): the loop that has the core work one batch of a job
// after another. The core decides which job, which items, what each does, the
// lease and the outcome of every item; this file owns only the timing. It never
// holds the process open, and never logs member data.

import { setImmediate as nextTurn } from 'node:timers/promises';

/** Pause between looks for work when there is none. */
export const IDLE_MS = 500;
const ERROR_PAUSE_MS = 2_000;

/**
 * Starts working jobs with `admin` (a wasm Members with admin rights) until
 * `stop()`: batch after batch while there is work, a look every `idleMs`
 * otherwise. `log(line)` gets the loop's own failures, which wait and retry.
 * Returns `{ poke(), stop() }`; `stop()` resolves once the batch under way is done
 * (its lease then runs out or the job's next batch is taken by another process).
 */
export function startJobRunner({ admin, log = () => {}, idleMs = IDLE_MS }) {
  let stopped = false;
  let wake = null;
  // A pause never starts once stopping: its timer is unref'd, so nothing would end it.
  const pause = (ms) => new Promise((resolve) => {
    if (stopped) { resolve(); return; }
    const done = () => { clearTimeout(timer); wake = null; resolve(); };
    const timer = setTimeout(done, ms);
    timer.unref();
    wake = done;
  });

  async function loop() {
    // The first look waits one idle pause (a commit here pokes it sooner): a
    // script's first call is not slowed by it, and one that ends sooner is
    // spared it.
    await pause(idleMs);
    while (!stopped) {
      try {
        const ran = await admin.runAsyncJobs();
        if (ran.worked) {
          // Let requests in between two batches.
          await nextTurn();
          continue;
        }
        await pause(idleMs);
      } catch (error) {
        log(`jobs: working a batch failed (${error?.applicationCode ?? error?.code ?? error?.name}); trying again`);
        await pause(ERROR_PAUSE_MS);
      }
    }
  }

  const running = loop();
  return {
    /** Looks for work now (after a job was started here). */
    poke: () => wake?.(),
    /** Takes no more batches; resolves when the one under way is done. */
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}
