// The members-area page: a directory of the site's public members, using the very
// same `members` object a Node backend uses.
import { members, isMembersError } from '/pkg/browser.mjs';

const list = document.getElementById('members');
const status = document.getElementById('status');
const page = document.getElementById('page');
const prev = document.getElementById('prev');
const next = document.getElementById('next');
const pager = document.getElementById('pager');
let current = null;

function show(result) {
  current = result;
  list.replaceChildren(...result.items.map((member) => {
    const item = document.createElement('li');
    item.dataset.id = member._id;
    const name = document.createElement('strong');
    name.textContent = member.profile.nickname ?? member.profile.slug;
    const since = document.createElement('small');
    since.textContent = ` member since ${member._createdDate.toLocaleDateString()}`;
    item.append(name, since);
    return item;
  }));
  const count = result.totalCount;
  status.textContent = count === 0 ? 'No members found.' : `${count} ${count === 1 ? 'member' : 'members'}`;
  pager.hidden = result.totalPages <= 1;
  page.textContent = result.totalPages > 1 ? `page ${result.currentPage + 1} of ${result.totalPages}` : '';
  prev.disabled = !result.hasPrev();
  next.disabled = !result.hasNext();
}

async function load(run) {
  status.textContent = 'Loading…';
  try {
    show(await run());
  } catch (error) {
    status.textContent = isMembersError(error) ? `${error.code}: ${error.message}` : String(error);
  }
}

document.getElementById('search').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = document.getElementById('q').value.trim();
  const query = text ? members.queryMembers({ search: { expression: text } }) : members.queryMembers();
  load(() => query.ascending('profile.nickname').limit(20).find());
});
prev.addEventListener('click', () => load(() => current.prev()));
next.addEventListener('click', () => load(() => current.next()));

load(() => members.queryMembers().ascending('profile.nickname').limit(20).find());
