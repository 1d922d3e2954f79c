// The password worker pool (pkg/hasher.mjs): Argon2id off the main thread. It
// hashes and verifies like the core, keeps the main thread free while it works,
// fails a job whose worker dies (and carries on), and never holds a finished
// process open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const packageFile = (name) => new URL(`./${name}`, import.meta.resolve('universal-members'));
const { openHasher } = await import(packageFile('hasher.mjs'));

test('hashes are Argon2id PHC strings that verify only the right password', async (t) => {
  const hasher = openHasher({ size: 2 });
  t.after(() => hasher.close());
  const phc = await hasher.hash('correct horse');
  assert.match(phc, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.ok(!phc.includes('correct horse'));
  assert.equal(await hasher.verify('correct horse', phc), true);
  assert.equal(await hasher.verify('correct horsf', phc), false);
  assert.equal(await hasher.verify('correct horse', 'not a phc string'), false);
});

test('a bad password is refused by the worker without being quoted', async (t) => {
  const hasher = openHasher({ size: 1 });
  t.after(() => hasher.close());
  await assert.rejects(hasher.hash('short'), (error) => /password/.test(error.message) && !error.message.includes('short'));
});

test('the main thread keeps running while passwords are hashed', async (t) => {
  const hasher = openHasher({ size: 2 });
  t.after(() => hasher.close());
  await hasher.hash('warm up the workers'); // start-up is not what is measured
  // Ticks of a 1 ms timer while four hashes run: inline hashing would leave none.
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 1);
  const started = performance.now();
  await Promise.all([1, 2, 3, 4].map((n) => hasher.hash(`password number ${n}`)));
  const elapsed = performance.now() - started;
  clearInterval(timer);
  t.diagnostic(`${ticks} timer ticks during ${elapsed.toFixed(0)} ms of hashing`);
  assert.ok(ticks >= elapsed / 20, `the main thread ran only ${ticks} ticks in ${elapsed.toFixed(0)} ms`);
});

test('a job whose worker dies fails, and the pool carries on', async (t) => {
  const hasher = openHasher({ size: 1 });
  t.after(() => hasher.close());
  await hasher.hash('start a worker');
  const job = hasher.hash('interrupted password');
  await hasher.close(); // terminates the worker under the job
  await assert.rejects(job, /worker stopped/);
  assert.match(await hasher.hash('after the crash'), /^\$argon2id\$/);
});

test('a flood is refused (busy) beyond the queue, not queued without bound', async (t) => {
  const hasher = openHasher({ size: 1, queuePerWorker: 2 });
  t.after(() => hasher.close());
  const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => hasher.hash(`password number ${n}`)));
  const refused = outcomes.filter((o) => o.status === 'rejected');
  assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 2);
  assert.equal(refused.length, 3);
  for (const { reason } of refused) assert.equal(reason.busy, true);
  assert.match(await hasher.hash('once the queue drained'), /^\$argon2id\$/);
});

test('an idle pool does not keep a finished script alive', () => {
  const script = `
    const { openHasher } = await import(${JSON.stringify(packageFile('hasher.mjs').href)});
    const hasher = openHasher();
    console.log((await hasher.hash('correct horse')).slice(0, 9));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.signal, null, 'the script ended by itself');
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), '$argon2id', 'a hash awaited at top level is answered before exit');
});

