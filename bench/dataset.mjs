// Writes the benchmark's 100k member inputs to .build/bench-members.json, the
// same every run (seeded), so the native and the wasm runs load the same members.
import { mkdirSync, writeFileSync } from 'node:fs';

const COUNT = Number(process.env.BENCH_MEMBERS ?? 100_000);
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (list) => list[Math.floor(random() * list.length)];

const first = ['Ann', 'alice', 'Albert', 'Bob', 'Carla', 'dmitri', 'Eve', 'Zoë', 'Omar', 'Li', 'Priya', 'Sven'];
const titles = ['Engineer', 'Designer', 'Writer', 'Chef', 'Teacher', 'Nurse', 'Pilot', 'Student'];

const members = [];
for (let i = 0; i < COUNT; i++) {
  // Member 50,000 has a known slug for the `eq slug` query.
  const name = i === 50_000 ? 'Target Member' : `${pick(first)} ${pick(first)}${i}`;
  members.push({
    loginEmail: `user${i}@example.com`,
    profile: { nickname: name, title: pick(titles) },
    privacyStatus: random() < 0.8 ? 'PUBLIC' : 'PRIVATE',
    // Every 10th member is blocked after it is created.
    block: i % 10 === 0,
  });
}
mkdirSync(new URL('../.build/', import.meta.url), { recursive: true });
writeFileSync(new URL('../.build/bench-members.json', import.meta.url), JSON.stringify(members));
console.log(`bench: wrote ${COUNT} members`);
