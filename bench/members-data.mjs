// The benchmarks' whole members: deterministic (seeded), every 10th BLOCKED,
// about 20% PRIVATE, distinct creation dates a minute apart; member 50,000 has
// the known slug `target-member`. Shared by storage.mjs and http.mjs.

const FIRST = ['Ann', 'alice', 'Albert', 'Bob', 'Carla', 'dmitri', 'Eve', 'Zoë', 'Omar', 'Li', 'Priya', 'Sven'];
const TITLES = ['Engineer', 'Designer', 'Writer', 'Chef', 'Teacher', 'Nurse', 'Pilot', 'Student'];

/** Yields `count` members in SDK naming, ready for `importMembers`. */
export function* generateMembers(count) {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < count; i++) {
    const hex = i.toString(16).padStart(12, '0');
    const nickname = i === 50_000 ? 'Target Member' : `${pick(FIRST)} ${pick(FIRST)}${i}`;
    const date = new Date(start + i * 60_000).toISOString();
    yield {
      _id: `00000000-0000-4000-8000-${hex}`,
      loginEmail: `user${i}@example.com`,
      status: i % 10 === 0 ? 'BLOCKED' : 'APPROVED',
      contactId: `00000000-0000-4000-9000-${hex}`,
      privacyStatus: random() < 0.8 ? 'PUBLIC' : 'PRIVATE',
      activityStatus: 'ACTIVE',
      _createdDate: date,
      _updatedDate: date,
      profile: { nickname, title: pick(TITLES), slug: i === 50_000 ? 'target-member' : `m${i}` },
    };
  }
}
