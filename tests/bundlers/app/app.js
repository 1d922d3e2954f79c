// A user's page: finds a member and makes one call fail, and writes both into
// the document for the test to read. Only the package's public entry is used.
import { members, configure, isMembersError } from 'universal-members';

export function start() {
  // The members server is on another origin (it lists this one in --cors-origin).
  configure({ baseUrl: new URLSearchParams(location.search).get('server') });
  const show = (key, value) => { document.body.dataset[key] = value; };
  members.queryMembers().eq('profile.nickname', 'Bundled Bea').find().then(
    (result) => show('found', JSON.stringify(result.items.map((m) => m.profile.nickname))),
    (error) => show('found', `error: ${error.message}`),
  );
  members.getMember('not-an-id').then(
    () => show('refused', 'no error'),
    (error) => show('refused', `${isMembersError(error)} ${error.code}`),
  );
}
