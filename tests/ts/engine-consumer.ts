// A TypeScript user of 'universal-members/engine' (the engine in the page, on the
// memory store): the same API and types as the main entry. Only type-checked.
import {
  members, authentication, configure, ready, elevate, withSession, isMembersError,
  type Member, type SessionResult, type EngineConfigureOptions, type NodeMembersApi,
} from 'universal-members/engine';
import type { Member as MainMember, MembersQueryResult } from 'universal-members';

/** Compile-time equality of two types. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertTrue<T extends true>(): void {}

// The engine's types are the package's types, not look-alikes.
assertTrue<Equal<Member, MainMember>>();

configure({ database: 'memory:', approval: 'manual' });
configure();
await ready();
const policy: EngineConfigureOptions = { defaultPrivacy: 'PRIVATE' };
configure(policy);

const ann: Member = await elevate(members.createMember)({ member: { loginEmail: 'ann@example.com', profile: { nickname: 'Ann' } } });
const page: MembersQueryResult = await members.queryMembers().eq('profile.nickname', 'Ann').find();
const got: Member = await members.getMember(ann._id);
const registered: SessionResult = await authentication.register('bo@example.com', 'correct horse');
const session: SessionResult = await authentication.login('bo@example.com', 'correct horse');
if (session.sessionToken) {
  const bo: { members: NodeMembersApi } = withSession(session.sessionToken);
  await bo.members.joinCommunity();
}
try {
  await members.getMember('nope');
} catch (error) {
  if (isMembersError(error)) void error.details.validationError?.fieldViolations;
}
void [page, got, registered];

// @ts-expect-error the page engine opens only the memory store
configure({ database: 'sqlite:./members.db' });
// @ts-expect-error a misspelt option is refused
configure({ aproval: 'manual' });
