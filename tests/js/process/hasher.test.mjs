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


test('a login for an unknown email checks the decoy in the pool: the engine on the main thread never grows by Argon2', (t) => {
  // A fresh process, so nothing before it has hashed. The first failed login
  // makes the decoy hash; made by hashing on the main thread, it grew the
  // engine's wasm memory by Argon2's 19 MiB for good (wasm memory never shrinks).
  // `external` is this thread's wasm memory and buffers; the workers' are theirs.
  const script = `
    import { configure, authentication, members, close } from 'universal-members';
    configure({ database: 'memory:' });
    const external = () => process.memoryUsage().external / 2 ** 20;
    await members.queryMembers().find(); // the engine loaded and its memory touched
    await authentication.register('known.member@example.com', 'a long password');
    const before = external();
    for (let i = 0; i < 5; i += 1) {
      await authentication.login('nobody.' + i + '@example.com', 'a wrong password').catch((error) => {
        if (error.applicationCode !== 'INVALID_CREDENTIALS') throw error;
      });
    }
    await authentication.login('known.member@example.com', 'a wrong password').catch(() => {});
    console.log(JSON.stringify({ before, after: external() }));
    await close();`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const { before, after } = JSON.parse(run.stdout.trim().split('\n').at(-1));
  t.diagnostic(`main thread external memory ${before.toFixed(1)} → ${after.toFixed(1)} MiB`);
  assert.ok(after - before < 8, `the main thread's external memory grew ${(after - before).toFixed(1)} MiB (${before.toFixed(1)} → ${after.toFixed(1)})`);
});
