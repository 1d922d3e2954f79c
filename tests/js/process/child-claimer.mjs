// Concurrency claimer: one of two processes racing on the same database.
//
//   node child-claimer.mjs DATABASE NAME MODE COUNT
//
// MODE email:  create a member with login email race{k}@example.com, k < COUNT
// MODE slug:   first create COUNT members of our own; then member k claims
//              the slug race-slug-{k} (updateMemberSlug as admin for even k,
//              asMember(own k).updateCurrentMemberSlug for odd k)
// MODE update: add customFields["NAME-k"] = { value: k } to the target member,
//              k < COUNT, via updateMember as admin
// MODE open:   the very first calls on a fresh database, COUNT at once: creates
//              of open-NAME-k@example.com, every other one a listMembers
//
// Protocol (JSON lines on stdout): after opening the database and any set-up
// (in modes other than open), prints
// `{ "ready": true, "own": [{ id, slug }] }` and waits for a line `go [TARGET_ID]` on
// stdin; then starts all COUNT calls at once (in a random order), prints `{ "k", "ok", ... }` as
// each settles, then `{ "done": true }` and exits.
import { createInterface } from 'node:readline';
import { members, elevate, configure, close } from 'universal-members';
import { guardChild, outcomeOfError } from './support.mjs';

const [database, name, mode, countArg] = process.argv.slice(2);
const count = Number(countArg);
if (!database || !name || !['email', 'slug', 'update', 'open'].includes(mode) || !(count > 0)) {
  process.stderr.write('usage: child-claimer.mjs DATABASE NAME email|slug|update|open COUNT\n');
  process.exit(2);
}
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

const input = createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();
// Exit when the parent goes away; a generous bound on the whole run.
input.on('close', () => process.exit(3));
guardChild(120_000);

configure({ database });

try {
  // Open the database now, so the race below is only about its subject.
  if (mode !== 'open') await elevate(members.listMembers)({ paging: { limit: 1 } });

  const own = [];
  if (mode === 'slug') {
    for (let k = 0; k < count; k += 1) {
      const member = await elevate(members.createMember)({
        member: { loginEmail: `own-${name}-${k}@example.com`, profile: { nickname: `own ${name} ${k}` } },
      });
      own.push({ id: member._id, slug: member.profile.slug });
    }
  }
  print({ ready: true, own });

  const { value: command } = await lines.next();
  const [word, target] = String(command ?? '').trim().split(/\s+/);
  if (word !== 'go') throw new Error(`expected "go", got ${JSON.stringify(command)}`);

  const attempt = (k) => {
    if (mode === 'open') {
      if (k % 2 === 1) {
        return elevate(members.listMembers)({ paging: { limit: 1 } }).then(({ members: page }) => ({ listed: page.length }));
      }
      return elevate(members.createMember)({ member: { loginEmail: `open-${name}-${k}@example.com` } })
        .then((member) => ({ id: member._id }));
    }
    if (mode === 'email') {
      return elevate(members.createMember)({
        member: { loginEmail: `race${k}@example.com`, profile: { nickname: `racer ${name} ${k}` } },
      }).then((member) => ({ id: member._id, loginEmail: member.loginEmail, slug: member.profile.slug }));
    }
    if (mode === 'slug') {
      const slug = `race-slug-${k}`;
      const claim = k % 2 === 0
        ? elevate(members.updateMemberSlug)(own[k].id, slug)
        : members.asMember(own[k].id).updateCurrentMemberSlug(slug);
      return claim.then(({ member }) => ({ id: member._id, slug: member.profile.slug }));
    }
    return elevate(members.updateMember)(target, {
      contact: { customFields: { [`${name}-${k}`]: { value: k } } },
    }).then((member) => ({ id: member._id, keys: Object.keys(member.contact?.customFields ?? {}).length }));
  };

  // Each process starts its calls in its own random order, so the two meet
  // on every k in a different state (pre-check passed or not, insert first or not).
  const order = Array.from({ length: count }, (_, k) => k);
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const started = Date.now();
  await Promise.all(order.map((k) => attempt(k).then(
    (result) => print({ k, ok: true, ...result }),
    (error) => print({ k, ...outcomeOfError(error) }),
  )));
  print({ done: true, ms: Date.now() - started });
  await close();
  process.exit(0);
} catch (error) {
  process.stderr.write(`claimer ${name} failed: ${error?.code ?? ''} ${error?.applicationCode ?? ''} ${error?.stack ?? error}\n`);
  process.exit(1);
}
