// The directory (`/` and `/members`): the site's public members, searched as you
// type (250 ms after the last key; an older answer never replaces a newer one),
// sorted, and paged by cursor. `q`, `sort`, `page` (and the page's cursor,
// `after`) live in the URL, so back/forward and reload show the same list. Four
// empty states: first use, no results, an error with Retry, and not allowed.
import { members, isMembersError } from '/pkg/browser.mjs';
import { $, avatar, displayName, monthYear } from '/ui.mjs';
import { navigate, onRoute, profileUrl } from '/router.mjs';
import { currentMember, openAuth } from '/session.js';

const PAGE_SIZE = 20;
const SORTS = {
  name: (q) => q.ascending('profile.nickname'),
  'name-desc': (q) => q.descending('profile.nickname'),
  newest: (q) => q.descending('_createdDate'),
  oldest: (q) => q.ascending('_createdDate'),
};
const list = $('members');
const status = $('status');
const results = $('results');
let loads = 0;
let active = false; // the directory is the view shown
let typing = false; // a search is being typed: the URL is replaced, not pushed
let fromInput = false; // the URL changes because of the search box: leave its text alone
let focusFirst = false; // a page turn: the first member of the new page takes focus

/** The directory's state as the URL says it. */
function stateOfUrl() {
  const params = new URLSearchParams(location.search);
  const sort = SORTS[params.get('sort')] ? params.get('sort') : 'name';
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  return { q: (params.get('q') ?? '').trim(), sort, page, after: params.get('after') };
}

function urlOf({ q, sort, page, after }) {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (sort !== 'name') params.set('sort', sort);
  if (page > 1) {
    params.set('page', String(page));
    if (after) params.set('after', after);
  }
  const search = params.toString();
  const path = location.pathname.startsWith('/members') ? location.pathname : '/members';
  return search ? `${path}?${search}` : path;
}

/** The cursors of the pages seen so far in this history entry ([page 1, page 2, …]). */
const cursorsOf = () => (Array.isArray(history.state?.cursors) ? history.state.cursors : [null]);

function card(member) {
  const item = document.createElement('li');
  item.className = 'member';
  item.dataset.id = member._id;
  const link = document.createElement('a');
  link.href = profileUrl(member.profile.slug);
  link.dataset.link = '';
  const name = document.createElement('strong');
  name.textContent = displayName(member);
  link.append(name);
  const text = document.createElement('div');
  text.className = 'text';
  text.append(link);
  if (member.profile.title) {
    const title = document.createElement('span');
    title.className = 'muted';
    title.textContent = member.profile.title;
    text.append(title);
  }
  const since = document.createElement('small');
  since.textContent = `Member since ${monthYear(member._createdDate)}`;
  text.append(since);
  item.append(avatar(member), text);
  return item;
}

function showEmpty(kind, state) {
  const texts = {
    first: ['No members yet', currentMember()
      ? 'You are not listed either: join the community from My account to be the first.'
      : 'Sign up and join the community to be the first one here.', currentMember() ? 'Go to My account' : 'Sign up'],
    none: ['No members found', `Nobody’s name matches “${state.q}”. Check the spelling or try fewer letters.`, 'Clear the search'],
    error: ['The directory could not be loaded', '', 'Try again'],
    denied: ['The directory is for members only', 'Log in to see who else is here.', 'Log in'],
  };
  const [title, text, action] = texts[kind];
  $('empty').hidden = false;
  $('empty').dataset.kind = kind;
  $('empty-title').textContent = title;
  $('empty-text').textContent = text || state.errorText || '';
  $('empty-action').textContent = action;
  list.replaceChildren();
  $('pager').hidden = true;
}

$('empty-action').addEventListener('click', () => {
  const kind = $('empty').dataset.kind;
  if (kind === 'first') {
    if (currentMember()) navigate('/account/my-account');
    else openAuth('register');
  } else if (kind === 'none') {
    $('q').value = '';
    typing = false;
    navigate(urlOf({ ...stateOfUrl(), q: '', page: 1, after: null }));
    $('q').focus();
  } else if (kind === 'error') {
    load();
  } else {
    openAuth('login');
  }
});

function show(result, state) {
  $('empty').hidden = true;
  list.replaceChildren(...result.items.map(card));
  const count = result.totalCount;
  if (count === 0) {
    status.textContent = 'No members found.';
    showEmpty(state.q ? 'none' : 'first', state);
    return;
  }
  const first = (state.page - 1) * PAGE_SIZE + 1;
  const last = first + result.items.length - 1;
  const noun = count === 1 ? 'member' : 'members';
  status.textContent = count > PAGE_SIZE ? `${first}–${last} of ${count} ${noun}` : `${count} ${noun}`;
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  $('pager').hidden = pages <= 1;
  $('page').textContent = pages > 1 ? `Page ${state.page} of ${pages}` : '';
  $('prev').disabled = state.page <= 1;
  $('next').disabled = !result.cursors?.next && !result.hasNext();
  $('next').dataset.cursor = result.cursors?.next ?? '';
  if (focusFirst) list.querySelector('a')?.focus();
  focusFirst = false;
}

/** Lists what the URL asks for; only the latest call may show its answer. */
async function load() {
  const state = stateOfUrl();
  const mine = ++loads;
  if (!fromInput) $('q').value = state.q;
  $('sort').value = state.sort;
  results.setAttribute('aria-busy', 'true');
  status.textContent = 'Loading…';
  try {
    let query = state.q ? members.queryMembers({ search: { expression: state.q } }) : members.queryMembers();
    query = SORTS[state.sort](query).limit(PAGE_SIZE);
    if (state.page > 1) query = state.after ? query.cursor(state.after) : query.skip((state.page - 1) * PAGE_SIZE);
    const result = await query.find();
    if (mine === loads) show(result, state);
  } catch (error) {
    if (mine !== loads) return;
    const denied = isMembersError(error) && ['PERMISSION_DENIED', 'UNAUTHENTICATED'].includes(error.code);
    status.textContent = denied ? 'The directory is for members only.' : 'The directory could not be loaded.';
    showEmpty(denied ? 'denied' : 'error', { ...state, errorText: isMembersError(error) ? error.message : String(error?.message ?? error) });
  } finally {
    if (mine === loads) results.removeAttribute('aria-busy');
  }
}

// Search as you type: one history entry when a search starts, then the same
// entry is replaced while it is typed further.
let timer = null;
function searchNow() {
  clearTimeout(timer);
  const q = $('q').value.trim();
  const state = stateOfUrl();
  if (q === state.q) return;
  const url = urlOf({ ...state, q, page: 1, after: null });
  fromInput = true;
  try {
    navigate(url, { replace: typing });
  } finally {
    fromInput = false;
  }
  typing = true;
}
$('q').addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(searchNow, 250);
});
$('q').addEventListener('blur', () => { typing = false; });
$('search').addEventListener('submit', (event) => {
  event.preventDefault();
  searchNow();
  typing = false;
  // The same text again (a retry): list again.
  if ($('q').value.trim() === stateOfUrl().q) load();
});
$('sort').addEventListener('change', () => {
  typing = false;
  navigate(urlOf({ ...stateOfUrl(), sort: $('sort').value, page: 1, after: null }));
});
$('next').addEventListener('click', () => {
  typing = false;
  const state = stateOfUrl();
  const after = $('next').dataset.cursor || null;
  const cursors = [...cursorsOf().slice(0, state.page), after];
  focusFirst = true;
  navigate(urlOf({ ...state, page: state.page + 1, after }), { state: { cursors } });
});
$('prev').addEventListener('click', () => {
  typing = false;
  const state = stateOfUrl();
  const cursors = cursorsOf();
  const page = state.page - 1;
  focusFirst = true;
  navigate(urlOf({ ...state, page, after: cursors[page - 1] ?? null }), { state: { cursors: cursors.slice(0, page) } });
});

onRoute((route) => {
  active = route.view === 'directory';
  if (!active) {
    // Nothing is loading here while another view is shown.
    loads += 1;
    status.textContent = '';
    results.removeAttribute('aria-busy');
    return;
  }
  document.title = 'Members';
  if (document.activeElement !== $('q')) typing = false;
  load();
});
document.addEventListener('members:changed', () => { if (active) load(); });
// The first-use wording depends on who is here, which may be read after the list.
document.addEventListener('session:changed', () => {
  if (active && !$('empty').hidden && $('empty').dataset.kind === 'first') showEmpty('first', stateOfUrl());
});
