// The whole engine in a page (universal-members/engine, memory store), bundled by Vite.
import { members, authentication, elevate, withSession } from 'universal-members/engine';

const show = (key, value) => { document.body.dataset[key] = value; };
(async () => {
  await elevate(members.createMember)({ member: { loginEmail: 'ana@example.com', profile: { nickname: 'Ana' } } });
  const { sessionToken } = await authentication.register('eve@example.com', 'correct horse battery');
  const me = await withSession(sessionToken).members.getCurrentMember({ fieldsets: ['FULL'] });
  const found = await members.queryMembers().ascending('profile.nickname').find();
  show('found', JSON.stringify(found.items.map((m) => m.profile.nickname)));
  show('refused', `${me.member.loginEmail} ${await members.createMember({ member: { loginEmail: 'x@example.com' } }).catch((e) => e.code)}`);
})().catch((error) => { show('found', `error: ${error.message}`); show('refused', 'error'); });
