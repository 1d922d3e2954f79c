// `make run` for now: creates a few members as admin, queries them as a visitor
// and as admin, and prints what each sees. (The members-area server replaces it.)
import { members, elevate, configure } from '../pkg/node.mjs';

configure({ database: 'memory:' });

const people = [
  { loginEmail: 'ann@example.com', profile: { nickname: 'Ann Smith', title: 'Host' } },
  { loginEmail: 'albert@example.com', profile: { nickname: 'Albert' }, privacyStatus: 'PRIVATE' },
  { loginEmail: 'alice@example.com', profile: { nickname: 'Alice' }, contact: { firstName: 'Alice', phones: ['+1 555 0100'] } },
  { loginEmail: 'bob@example.com', profile: { nickname: 'Bob' } },
];
for (const member of people) {
  const created = await elevate(members.createMember)({ member });
  console.log(`created ${created.profile.slug.padEnd(10)} ${created._id} (${created.privacyStatus})`);
}

const show = (label, result) => {
  console.log(`\n${label}: ${result.totalCount} found`);
  for (const m of result.items) console.log(`  ${m.profile.nickname.padEnd(10)} ${m.loginEmail ?? '(email hidden)'}`);
};

show('visitor, nickname starts with "al"', await members.queryMembers().startsWith('profile.nickname', 'al').find());
show(
  'admin, nickname starts with "al", FULL',
  await elevate(members.queryMembers)({ fieldsets: ['FULL'] }).startsWith('profile.nickname', 'al').ascending('profile.nickname').find(),
);
