// `serve --workers N` (issue 15): N server processes on one port through
// node:cluster. Everything that must stay true across processes already lives in
// the database — login and mail limits are counted in the store, webhook
// deliveries and job batches are taken under leases — so a worker is the same
// `serve` a second machine would run. The primary only forks, replaces a worker
// that dies, and passes SIGTERM/SIGINT on; it opens no database and serves nothing.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';

/**
 * The number of workers `value` asks for (`--workers` or MEMBERS_WORKERS):
 * unset is 1, `auto` is one per core, else a whole number from 1 to 64.
 * Throws an Error naming the flag otherwise.
 */
export function workersWanted(value, cores = availableParallelism()) {
  if (value === undefined || value === '') return 1;
  if (value === 'auto') return cores;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 64 || !/^\d+$/.test(value)) {
    throw new Error(`--workers (MEMBERS_WORKERS) must be auto or a whole number from 1 to 64, got ${JSON.stringify(value)}`);
  }
  return count;
}

/**
 * In the primary: forks `count` workers running this same command line, prints
 * `serving URL` once every one listens (`onListening(address)`), forks a new
 * worker in place of one that dies once it has served, and on SIGTERM/SIGINT
 * stops them all and exits 0. A worker that dies before it ever listened (a
 * port in use, a database it can not open) ends the whole server with code 1:
 * forking it again would fail the same way.
 */
export function superviseWorkers({ count, onListening, log = (line) => process.stderr.write(`${line}\n`) }) {
  const listening = new Set();
  let stopping = false;
  let stopCode = 0;
  let announced = false;

  // A worker that exited stays in cluster.workers until its channel closes too,
  // which may come after its 'exit': counting it kept the primary from ever
  // exiting, and it then ended with code 0 once nothing was left to wait on.
  const alive = () => Object.values(cluster.workers).filter((worker) => !worker.isDead());

  const fork = () => {
    const worker = cluster.fork();
    worker.once('listening', (address) => {
      listening.add(worker.id);
      if (!announced && listening.size === count) {
        announced = true;
        onListening(address);
      }
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const hadServed = listening.delete(worker.id);
    if (stopping) {
      if (alive().length === 0) process.exit(stopCode);
      return;
    }
    if (!hadServed) {
      log(`universal-members: a worker exited (${signal ?? `code ${code}`}) before it served; stopping`);
      stopAll(1);
      return;
    }
    log(`universal-members: worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
    fork();
  });

  function stopAll(exitCode) {
    if (stopping) return;
    stopping = true;
    stopCode = exitCode;
    const running = alive();
    if (running.length === 0) process.exit(exitCode);
    // Each worker drains its requests and closes its database (server.shutdown()).
    for (const worker of running) worker.process.kill('SIGTERM');
  }

  for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => stopAll(0));
  for (let i = 0; i < count; i++) fork();
}

/** True in a process node:cluster forked (a worker of `serve --workers N`). */
export const isClusterWorker = () => cluster.isWorker;
