// A member's public profile at `/profile/<slug>/profile`: photo or initials,
// nickname, title and member since. A private, hidden or missing member is the
// same "not found" (the server answers the same for all three).
import { members } from '/pkg/browser.mjs';
import { $, avatar, displayName, monthYear } from '/ui.mjs';
import { onRoute } from '/router.mjs';

let loads = 0;

async function load(slug) {
  const mine = ++loads;
  const card = $('profile');
  card.setAttribute('aria-busy', 'true');
  card.dataset.state = 'loading';
  $('profile-name').textContent = 'Loading profile…';
  $('profile-role').textContent = '';
  $('profile-since').textContent = '';
  let member = null;
  let failure = null;
  try {
    const result = await members.queryMembers().eq('profile.slug', slug).limit(1).find();
    member = result.items[0] ?? null;
  } catch (error) {
    failure = error;
  }
  if (mine !== loads) return;
  card.removeAttribute('aria-busy');
  if (member) {
    card.dataset.state = 'found';
    card.dataset.id = member._id;
    $('profile-avatar').replaceChildren(avatar(member, 'large'));
    $('profile-name').textContent = displayName(member);
    $('profile-role').textContent = member.profile.title ?? '';
    $('profile-since').textContent = `Member since ${monthYear(member._createdDate)}`;
    document.title = `${displayName(member)} · Members`;
    return;
  }
  card.dataset.state = failure ? 'error' : 'not-found';
  delete card.dataset.id;
  $('profile-avatar').replaceChildren();
  $('profile-name').textContent = failure ? 'This profile could not be loaded' : 'Member not found';
  $('profile-role').textContent = failure
    ? `${failure.message ?? failure} Reload the page to try again.`
    : 'There is no public profile at this address. The member may have left the community or changed the address.';
  document.title = 'Member not found · Members';
}

onRoute((route) => {
  if (route.view === 'profile') load(route.slug);
});
