// The members-area page: a directory of the site's public members, using the very
// same `members` object a Node backend uses. The session panel is session.js; it
// fires `members:changed` when who is listed may have changed (login, join…).
import { members, isMembersError } from '/pkg/browser.mjs';

const list = document.getElementById('members');
const status = document.getElementById('status');
const page = document.getElementById('page');
const prev = document.getElementById('prev');
const next = document.getElementById('next');
const pager = document.getElementById('pager');
let current = null;
let search = null; // the first page of the current search
let loads = 0;

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
  const mine = ++loads; // only the latest load may show its answer
  status.textContent = 'Loading…';
  try {
    const result = await run();
    if (mine === loads) show(result);
  } catch (error) {
    if (mine === loads) status.textContent = isMembersError(error) ? `${error.code}: ${error.message}` : String(error);
  }
}

function find(query) {
  const sorted = query.ascending('profile.nickname').limit(20);
  search = () => sorted.find();
  load(search);
}

document.getElementById('search').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = document.getElementById('q').value.trim();
  const query = text ? members.queryMembers({ search: { expression: text } }) : members.queryMembers();
  find(query);
});
prev.addEventListener('click', () => load(() => current.prev()));
next.addEventListener('click', () => load(() => current.next()));

document.addEventListener('members:changed', () => load(search));

find(members.queryMembers());
