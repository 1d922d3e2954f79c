// Durability writer: creates members on DATABASE until it is killed and prints
// one JSON line `{ i, member }` for each create, only after the call resolved
// (so every printed member is one the package acknowledged as stored).
//
//   node child-writer.mjs DATABASE TAG [WORKERS]
import { members, elevate, configure } from 'universal-members';
import { guardChild, writerInput } from './support.mjs';

const [database, tag, workersArg = '4'] = process.argv.slice(2);
if (!database || !tag) {
  process.stderr.write('usage: child-writer.mjs DATABASE TAG [WORKERS]\n');
  process.exit(2);
}
guardChild(60_000);
configure({ database });

const create = elevate(members.createMember);
let next = 0;

// A few creates in flight at once, so a kill often lands mid-transaction.
async function worker() {
  for (;;) {
    const i = next;
    next += 1;
    const member = await create({ member: writerInput(tag, i) });
    // stdout to a pipe is synchronous on Linux: once this returns, the line is
    // in the pipe and survives our death.
    process.stdout.write(`${JSON.stringify({ i, member })}\n`);
  }
}

try {
  // The first create alone: this process is about durability, and a fresh
  // database opened by many calls at once is concurrency.test.mjs's subject.
  const i = next;
  next += 1;
  const member = await create({ member: writerInput(tag, i) });
  process.stdout.write(`${JSON.stringify({ i, member })}\n`);
  await Promise.all(Array.from({ length: Number(workersArg) }, worker));
} catch (error) {
  process.stderr.write(`writer failed: ${error?.code ?? ''} ${error?.applicationCode ?? ''} ${error?.stack ?? error}\n`);
  process.exit(1);
}
