// Password hashing off the main thread. Argon2id takes tens of milliseconds on
// purpose, and a server answers every request on one JS thread, so a small pool
// of worker threads (pkg/hasher-worker.mjs, each with its own wasm instance) does
// it. No rules here: the core decides what to hash and what a match means.
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';

// Threads are a few milliseconds to load and a script may never hash: the module
// loads with the first worker.
const workerThreads = () => createRequire(import.meta.url)('node:worker_threads');

const WORKER = new URL('./hasher-worker.mjs', import.meta.url);

/** How many hashes run at once: one per core, at most 4 (each takes 19 MiB). */
const defaultSize = () => Math.max(1, Math.min(4, availableParallelism()));
/** Jobs waiting per worker before the pool says it is busy (a flood must not queue forever). */
const QUEUE_PER_WORKER = 32;

/**
 * A pool `{ hash(password) → Promise<phc>, verify(password, phc) → Promise<boolean> }`
 * for the core. Workers start on first use; an idle pool does not keep the
 * process alive. Past `size × queuePerWorker` waiting jobs it refuses new ones
 * (`error.busy`), so a flood of logins can not queue without bound.
 * `engine()`: the compiled wasm engine for the workers (so they need not compile
 * it again); without it each worker compiles its own.
 */
export function openHasher({ size = defaultSize(), queuePerWorker = QUEUE_PER_WORKER, engine } = {}) {
  const workers = [];
  const pending = new Map();
  let nextId = 0;

  function start() {
    // No inherited Node flags: `--input-type`, `--import` hooks and the like are
    // the script's, not the worker's (some stop a worker from starting).
    const { Worker } = workerThreads();
    const slot = { worker: new Worker(WORKER, { execArgv: [], workerData: { engine: engine?.() } }), jobs: new Set() };
    slot.worker.unref();
    slot.worker.on('message', ({ id, ok, value, error }) => {
      const job = pending.get(id);
      if (!job) return;
      pending.delete(id);
      slot.jobs.delete(id);
      if (slot.jobs.size === 0) slot.worker.unref();
      if (ok) job.resolve(value);
      else job.reject(new Error(error));
    });
    // A stopped worker fails its jobs and leaves the pool; the next job starts another.
    const retire = (reason) => {
      const at = workers.indexOf(slot);
      if (at >= 0) workers.splice(at, 1);
      for (const id of slot.jobs) {
        pending.get(id)?.reject(new Error(`a password worker stopped: ${reason}`));
        pending.delete(id);
      }
      slot.jobs.clear();
    };
    slot.worker.on('error', (error) => retire(error?.message ?? 'error'));
    slot.worker.on('exit', (code) => retire(`exit ${code}`));
    workers.push(slot);
    return slot;
  }

  function run(message) {
    if (pending.size >= size * queuePerWorker) {
      // The core answers UNAVAILABLE: try again later, nothing was hashed.
      return Promise.reject(Object.assign(new Error('the password hasher is busy'), { busy: true }));
    }
    let slot = workers.reduce((least, w) => (least === null || w.jobs.size < least.jobs.size ? w : least), null);
    if (slot === null || (slot.jobs.size > 0 && workers.length < size)) slot = start();
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      slot.jobs.add(id);
      // Busy workers keep the process alive until they answer.
      slot.worker.ref();
      slot.worker.postMessage({ id, ...message });
    });
  }

  return {
    hash: (password) => run({ op: 'hash', password }),
    verify: (password, phc) => run({ op: 'verify', password, phc }),
    /** Stops the workers (they also stop with the process). */
    close: () => Promise.all(workers.splice(0).map(({ worker }) => worker.terminate())),
  };
}
