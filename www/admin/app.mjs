// The admin console at /admin: sign-in, the member list with tabs, filters in the
// URL, per-member actions, bulk jobs, CSV export, webhook endpoints and live
// updates from the event stream. Member calls go through the package's browser
// entry (members, asyncJobs, webhooks), which the server treats as admin because
// the browser sends the HttpOnly admin cookie with them. The only fetch() calls of
// the page are the server's three admin sign-in routes here. The key is read from
// the form once, posted, and dropped.
import { members, authentication, asyncJobs, webhooks as hooks, isMembersError } from '/pkg/browser.mjs';
import { readFilters, writeFilters, filterOf, builderOf, isEmpty, describe } from './filters.mjs';
import { membersCsv } from './csv.mjs';

const PAGE_SIZE = 25;
const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
};

/** Announces `text` in the page's one polite live region. */
function announce(text) {
  $('status').textContent = text;
}

/** What went wrong, in words. */
function reason(error) {
  if (isMembersError(error)) {
    const violations = error.details?.validationError?.fieldViolations ?? [];
    if (violations.length) return violations.map((v) => `${v.field}: ${v.description}`).join('; ');
    return error.message;
  }
  return error?.message ?? String(error);
}

// ---------------------------------------------------------------- sign-in

async function adminSession() {
  const response = await fetch('/members/v1/auth/admin-session', { credentials: 'same-origin' });
  if (!response.ok) return false;
  return (await response.json()).admin === true;
}

function show(state) {
  document.body.dataset.state = state;
  if (state === 'signed-out') {
    // Nothing an admin saw stays in the page once signed out.
    $('members').tBodies[0].replaceChildren();
    $('webhook-list').replaceChildren();
    $('webhook-secret').hidden = true;
    $('webhook-secret-value').textContent = '';
    for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
  }
  $('loading').hidden = state !== 'loading';
  $('signin').hidden = state !== 'signed-out';
  $('console').hidden = state !== 'signed-in';
  $('sign-out').hidden = state !== 'signed-in';
}

$('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const input = $('admin-key');
  const error = $('signin-error');
  error.hidden = true;
  input.removeAttribute('aria-invalid');
  input.setAttribute('aria-describedby', 'admin-key-hint');
  if (!input.value) return fail('Enter the admin key.');
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  let response;
  try {
    response = await fetch('/members/v1/auth/admin-login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ adminKey: input.value }),
    });
    await response.text(); // read to the end (nothing in it is kept)
  } catch {
    response = null;
  } finally {
    // The key leaves the page with the request: nothing keeps it.
    form.reset();
    button.disabled = false;
  }
  if (response?.ok) {
    announce('Signed in.');
    return enterConsole();
  }
  if (response?.status === 429) return fail('Too many wrong keys from here. Wait a while, then try again.');
  if (response?.status === 401) return fail('That is not the admin key. Check it and try again.');
  return fail('The server could not sign you in. Try again.');

  function fail(message) {
    error.textContent = message;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', 'admin-key-hint signin-error');
    input.focus();
  }
});

$('sign-out').addEventListener('click', async () => {
  await fetch('/members/v1/auth/admin-logout', { method: 'POST', credentials: 'same-origin' })
    .then((response) => response.text()).catch(() => {});
  stopStream();
  show('signed-out');
  announce('Signed out.');
  $('admin-key').focus();
});

// ---------------------------------------------------------------- the list

let filters = readFilters(location.search);
let cursors = [null]; // cursors[i] opens page i
let pageIndex = 0;
let listRequest = 0;
let typingSearch = false;
const shown = new Map(); // id → member on this page

const startQuery = () => members.queryMembers({ fieldsets: ['FULL'] });
const currentQuery = () => builderOf(filterOf(filters), startQuery);
const nameOf = (m) => m.profile?.nickname
  || [m.contact?.firstName, m.contact?.lastName].filter(Boolean).join(' ')
  || m.loginEmail || m._id;
const label = (value) => (value ? value.charAt(0) + value.slice(1).toLowerCase() : '');
const day = (date) => (date ? new Date(date).toISOString().slice(0, 10) : '');

function applyFiltersToForm() {
  const form = $('filters');
  for (const [key, name] of [['q', 'q'], ['status', 'status'], ['privacy', 'privacy'], ['from', 'from'], ['to', 'to']]) {
    if (form.elements[name].value !== filters[key]) form.elements[name].value = filters[key];
  }
  for (const tab of document.querySelectorAll('.tabs a')) {
    tab.href = location.pathname + writeFilters({ ...filters, status: tab.dataset.tab });
    if (tab.dataset.tab === filters.status) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
}

/** Writes the filters to the URL: a new history entry unless `replace`. */
function saveFilters(replace = false) {
  const url = location.pathname + writeFilters(filters);
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
}

function filtersChanged({ replace = false } = {}) {
  saveFilters(replace);
  applyFiltersToForm();
  cursors = [null];
  pageIndex = 0;
  loadList();
}

async function loadCounts() {
  const counts = await Promise.allSettled([
    members.queryMembers().count(),
    members.queryMembers().eq('status', 'PENDING').count(),
    members.queryMembers().eq('status', 'BLOCKED').count(),
  ]);
  const spans = document.querySelectorAll('[data-count]');
  ['', 'PENDING', 'BLOCKED'].forEach((status, i) => {
    const span = [...spans].find((s) => s.dataset.count === status);
    span.textContent = counts[i].status === 'fulfilled' ? String(counts[i].value) : '?';
  });
}

function memberRow(member) {
  const name = nameOf(member);
  const actions = el('td', { className: 'row-actions' });
  if (member.status === 'PENDING') {
    const approve = el('button', { type: 'button', className: 'small' }, 'Approve', el('span', { className: 'visually-hidden' }, ` ${name}`));
    approve.addEventListener('click', () => runAction(member._id, 'approve', approve));
    actions.append(approve);
  }
  const manage = el('button', { type: 'button', className: 'small' }, 'Manage', el('span', { className: 'visually-hidden' }, ` ${name}`));
  manage.addEventListener('click', () => openMember(member._id, manage));
  actions.append(manage);
  const tr = el('tr', {},
    el('th', { scope: 'row' }, name, member.privacyStatus === 'PRIVATE' ? el('span', { className: 'badge' }, 'Private') : null),
    el('td', { className: 'email' }, member.loginEmail ?? ''),
    el('td', {}, el('span', { className: `pill ${member.status.toLowerCase()}` }, label(member.status))),
    el('td', {}, label(member.privacyStatus)),
    el('td', {}, label(member.activityStatus)),
    el('td', {}, el('time', { dateTime: new Date(member._createdDate).toISOString() }, day(member._createdDate))),
    actions);
  tr.dataset.id = member._id;
  return tr;
}

async function loadList({ quiet = false } = {}) {
  const request = ++listRequest;
  const table = $('members');
  table.setAttribute('aria-busy', 'true');
  if (!quiet) $('members-caption').textContent = 'Members: loading…';
  const message = $('list-message');
  try {
    let query = currentQuery().descending('_createdDate').limit(PAGE_SIZE);
    if (cursors[pageIndex]) query = query.cursor(cursors[pageIndex]);
    const result = await query.find();
    if (request !== listRequest) return; // a newer request answers instead
    cursors[pageIndex + 1] = result.cursors.next;
    shown.clear();
    const body = table.tBodies[0];
    // A re-render (live updates too) keeps focus on the same button of the same row.
    const active = body.contains(document.activeElement) ? document.activeElement : null;
    const kept = active && { id: active.closest('tr')?.dataset.id, text: active.textContent };
    body.replaceChildren(...result.items.map((m) => {
      shown.set(m._id, m);
      return memberRow(m);
    }));
    if (kept) (sameButton(kept.id, kept.text) ?? table.closest('.table-wrap')).focus();
    if (dialogOpener && !dialogOpener.isConnected && body.contains(dialogOpener) === false) {
      const row = dialogOpener.closest('tr');
      if (row) dialogOpener = sameButton(row.dataset.id, dialogOpener.textContent) ?? dialogOpener;
    }
    const total = result.totalCount;
    const first = pageIndex * PAGE_SIZE + 1;
    const caption = total === 0 ? 'Members: none match'
      : `Members ${first}–${first + result.items.length - 1} of ${total}${isEmpty(filters) ? '' : ` (${describe(filters)})`}`;
    $('members-caption').textContent = caption;
    $('page-info').textContent = total ? `Page ${pageIndex + 1} of ${Math.max(1, Math.ceil(total / PAGE_SIZE))}` : '';
    $('prev-page').disabled = pageIndex === 0;
    $('next-page').disabled = !result.cursors.next;
    message.hidden = total !== 0;
    message.replaceChildren();
    if (total === 0) {
      if (isEmpty(filters)) message.append('No members yet. They appear here as they sign up.');
      else {
        const clear = el('button', { type: 'button' }, 'Clear filters');
        clear.addEventListener('click', clearFilters);
        message.append(`No members match ${describe(filters)}. `, clear);
      }
    }
    for (const button of document.querySelectorAll('[data-bulk], #export-csv')) button.disabled = total === 0;
    if (!quiet) announce(total === 1 ? '1 member matches.' : `${total} members match.`);
  } catch (error) {
    if (request !== listRequest) return;
    if (isMembersError(error) && (error.code === 'PERMISSION_DENIED' || error.code === 'UNAUTHENTICATED')) {
      return signedOutAgain();
    }
    $('members-caption').textContent = 'Members: could not load';
    const retry = el('button', { type: 'button' }, 'Retry');
    retry.addEventListener('click', () => loadList());
    message.replaceChildren(`The list could not be loaded: ${reason(error)} `, retry);
    message.hidden = false;
  } finally {
    if (request === listRequest) table.removeAttribute('aria-busy');
  }
}

/** The button with this text in the row of member `id`, if it is listed. */
function sameButton(id, text) {
  if (!id) return null;
  const row = document.querySelector(`#members tbody tr[data-id="${CSS.escape(id)}"]`);
  return [...(row?.querySelectorAll('button') ?? [])].find((b) => b.textContent === text) ?? null;
}

function refreshAll({ quiet = false } = {}) {
  loadCounts();
  loadList({ quiet });
}

function signedOutAgain() {
  stopStream();
  show('signed-out');
  announce('Your admin sign-in ended. Sign in again.');
}

function clearFilters() {
  filters = readFilters('');
  filtersChanged();
  $('f-q').focus();
}

$('clear-filters').addEventListener('click', clearFilters);

let searchTimer = null;
$('filters').addEventListener('input', (event) => {
  const target = event.target;
  if (target.name === 'q') {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      filters = { ...filters, q: target.value.trim().slice(0, 100) };
      // One history entry when a search starts; the rest of the typing replaces it.
      filtersChanged({ replace: typingSearch });
      typingSearch = true;
    }, 250);
  }
});
$('filters').addEventListener('change', (event) => {
  const target = event.target;
  if (target.name === 'q') return;
  typingSearch = false;
  filters = { ...filters, [target.name]: target.value };
  filtersChanged();
});
$('filters').addEventListener('submit', (event) => event.preventDefault());
$('f-q').addEventListener('blur', () => { typingSearch = false; });

for (const tab of document.querySelectorAll('.tabs a')) {
  tab.addEventListener('click', (event) => {
    event.preventDefault();
    typingSearch = false;
    filters = { ...filters, status: tab.dataset.tab };
    filtersChanged();
  });
}

window.addEventListener('popstate', () => {
  filters = readFilters(location.search);
  typingSearch = false;
  applyFiltersToForm();
  cursors = [null];
  pageIndex = 0;
  loadList();
});

$('next-page').addEventListener('click', () => {
  if (!cursors[pageIndex + 1]) return;
  pageIndex += 1;
  loadList().then(() => $('members-caption').closest('.table-wrap').focus());
});
$('prev-page').addEventListener('click', () => {
  if (pageIndex === 0) return;
  pageIndex -= 1;
  loadList().then(() => $('members-caption').closest('.table-wrap').focus());
});

// ---------------------------------------------------------------- one member

const ACTIONS = {
  approve: { run: (id) => members.approveMember(id), done: 'approved' },
  block: { run: (id) => members.blockMember(id), done: 'blocked' },
  mute: { run: (id) => members.muteMember(id), done: 'muted' },
  unmute: { run: (id) => members.unmuteMember(id), done: 'unmuted' },
  disconnect: { run: (id) => members.disconnectMember(id), done: 'disconnected' },
  revoke: {
    run: (id) => authentication.revokeMemberSessions(id),
    done: 'logged out everywhere',
    says: (answer) => ` (${answer?.revoked ?? 0} session${answer?.revoked === 1 ? '' : 's'} ended)`,
  },
};

let dialogMember = null;
let dialogOpener = null;

/** Runs a per-member action; answers the fresh member (or null on failure). */
async function runAction(id, action, button) {
  const member = shown.get(id) ?? dialogMember;
  const name = member ? nameOf(member) : 'The member';
  if (button) button.disabled = true;
  try {
    const answer = await ACTIONS[action].run(id);
    const message = `${name} ${ACTIONS[action].done}${ACTIONS[action].says?.(answer) ?? ''}.`;
    announce(message);
    $('member-dialog-status').textContent = message;
    const fresh = await members.getMember(id, { fieldsets: ['FULL'] });
    refreshAll({ quiet: true });
    return fresh;
  } catch (error) {
    const message = `Could not do that for ${name}: ${reason(error)}`;
    announce(message);
    $('member-dialog-status').textContent = message;
    return null;
  } finally {
    if (button?.isConnected) button.disabled = false;
  }
}

function fillMemberDialog(member) {
  dialogMember = member;
  $('member-dialog-title').textContent = nameOf(member);
  const facts = [
    ['Login email', member.loginEmail ?? ''],
    ['Email verified', member.loginEmailVerified ? 'Yes' : 'No'],
    ['Status', label(member.status)],
    ['Privacy', label(member.privacyStatus)],
    ['Activity', label(member.activityStatus)],
    ['Slug', member.profile?.slug ?? ''],
    ['Joined', day(member._createdDate)],
    ['Last login', member.lastLoginDate ? new Date(member.lastLoginDate).toISOString().replace('T', ' ').slice(0, 16) : 'Never'],
    ['Id', member._id],
  ];
  $('member-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  const visible = {
    approve: member.status !== 'APPROVED',
    block: member.status !== 'BLOCKED',
    mute: member.activityStatus !== 'MUTED',
    unmute: member.activityStatus === 'MUTED',
    disconnect: member.status !== 'OFFLINE',
    revoke: true,
    delete: true,
  };
  for (const button of $('member-dialog').querySelectorAll('[data-action]')) {
    button.hidden = !visible[button.dataset.action];
    button.setAttribute('aria-label', `${button.textContent} ${nameOf(member)}`);
  }
  const form = $('edit-form');
  form.elements.firstName.value = member.contact?.firstName ?? '';
  form.elements.lastName.value = member.contact?.lastName ?? '';
  form.elements.nickname.value = member.profile?.nickname ?? '';
  form.elements.title.value = member.profile?.title ?? '';
  $('edit-error').hidden = true;
  $('delete-confirm').hidden = true;
}

async function openMember(id, opener) {
  dialogOpener = opener;
  let member = shown.get(id);
  try {
    member = await members.getMember(id, { fieldsets: ['FULL'] });
  } catch (error) {
    if (!member) return announce(`Could not open the member: ${reason(error)}`);
  }
  fillMemberDialog(member);
  $('member-dialog-status').textContent = '';
  $('member-dialog').showModal();
}

$('member-dialog').addEventListener('close', () => {
  dialogMember = null;
  // Focus returns to what opened the dialog, or to the list if that row is gone.
  const row = dialogOpener?.closest('tr');
  const target = dialogOpener?.isConnected ? dialogOpener
    : (row && sameButton(row.dataset.id, dialogOpener.textContent)) || $('members-caption').closest('.table-wrap');
  target.focus();
});

for (const button of $('member-dialog').querySelectorAll('[data-action]')) {
  if (button.dataset.action === 'delete') continue;
  button.addEventListener('click', async () => {
    if (!dialogMember) return;
    const fresh = await runAction(dialogMember._id, button.dataset.action, button);
    if (fresh && $('member-dialog').open) {
      fillMemberDialog(fresh);
      // If the button pressed is gone now, keep focus inside the dialog.
      if (button.hidden) $('member-dialog').querySelector('[data-action]:not([hidden])')?.focus();
    }
  });
}

$('member-dialog').querySelector('[data-action=delete]').addEventListener('click', () => {
  if (!dialogMember) return;
  $('delete-confirm-text').textContent = `Delete ${nameOf(dialogMember)} (${dialogMember.loginEmail})? This can not be undone; the address can sign up again.`;
  $('delete-confirm').hidden = false;
  $('delete-confirm-no').focus();
});
$('delete-confirm-no').addEventListener('click', () => {
  $('delete-confirm').hidden = true;
  $('member-dialog').querySelector('[data-action=delete]').focus();
});
$('delete-confirm-yes').addEventListener('click', async () => {
  const member = dialogMember;
  if (!member) return;
  try {
    await members.deleteMember(member._id);
    announce(`${nameOf(member)} deleted.`);
    // Its row goes away: focus returns to the list instead.
    dialogOpener = $('members-caption').closest('.table-wrap');
    $('member-dialog').close();
    refreshAll({ quiet: true });
  } catch (error) {
    $('member-dialog-status').textContent = `Could not delete: ${reason(error)}`;
  }
});

$('edit-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const member = dialogMember;
  if (!member) return;
  const form = event.currentTarget;
  const value = (name) => form.elements[name].value.trim();
  const error = $('edit-error');
  error.hidden = true;
  for (const input of form.querySelectorAll('input')) input.removeAttribute('aria-invalid');
  try {
    const updated = await members.updateMember(member._id, {
      contact: { firstName: value('firstName'), lastName: value('lastName') },
      profile: { nickname: value('nickname'), title: value('title') },
    });
    const fresh = await members.getMember(updated._id ?? member._id, { fieldsets: ['FULL'] });
    fillMemberDialog(fresh);
    $('member-dialog-status').textContent = 'Saved.';
    announce(`${nameOf(fresh)} saved.`);
    refreshAll({ quiet: true });
  } catch (failure) {
    error.textContent = `Not saved: ${reason(failure)}`;
    error.hidden = false;
    const fields = failure.details?.validationError?.fieldViolations ?? [];
    for (const v of fields) {
      const name = String(v.field).split('.').pop();
      if (form.elements[name]) form.elements[name].setAttribute('aria-invalid', 'true');
    }
  }
});

// ---------------------------------------------------------------- bulk jobs

const BULK = {
  approve: { call: members.bulkApproveMembers, verb: 'Approve', past: 'approved' },
  block: { call: members.bulkBlockMembers, verb: 'Block', past: 'blocked' },
  delete: { call: members.bulkDeleteMembersByFilter, verb: 'Delete', past: 'deleted' },
};
let bulkAction = null;
let bulkFilter = null;
let bulkOpener = null;
let bulkPolling = false;

async function openBulk(action, opener) {
  bulkAction = action;
  bulkOpener = opener;
  bulkFilter = filterOf(filters);
  const { verb } = BULK[action];
  $('bulk-dialog-title').textContent = `${verb} all matching members`;
  $('bulk-summary').textContent = 'Counting the members that match…';
  $('bulk-confirm').hidden = false;
  $('bulk-go').hidden = true;
  $('bulk-progress').hidden = true;
  $('bulk-failed').replaceChildren();
  $('bulk-failed-title').hidden = true;
  delete $('bulk-dialog').dataset.job;
  $('bulk-bar').value = 0;
  $('bulk-dialog').showModal();
  try {
    const { count } = await BULK[action].call(bulkFilter, { dryRun: true });
    if (count === 0) {
      $('bulk-summary').textContent = `No members match (${describe(filters)}); nothing to do.`;
      return;
    }
    $('bulk-summary').textContent = `${count} member${count === 1 ? '' : 's'} match (${describe(filters)}).`
      + (action === 'delete' ? ' Deleting can not be undone: export a CSV first if you may need them.' : '');
    $('bulk-go').textContent = `${verb} ${count} member${count === 1 ? '' : 's'}`;
    $('bulk-go').classList.toggle('danger', action !== 'approve');
    $('bulk-go').hidden = false;
    $('bulk-go').focus();
  } catch (error) {
    $('bulk-summary').textContent = `Could not count the matching members: ${reason(error)}`;
  }
}

for (const button of document.querySelectorAll('[data-bulk]')) {
  button.addEventListener('click', () => openBulk(button.dataset.bulk, button));
}
$('bulk-cancel').addEventListener('click', () => $('bulk-dialog').close());
$('bulk-dialog').addEventListener('close', () => {
  bulkOpener?.focus();
});

$('bulk-go').addEventListener('click', async () => {
  const { call, past } = BULK[bulkAction];
  $('bulk-confirm').hidden = true;
  $('bulk-progress').hidden = false;
  $('bulk-counters').textContent = 'Starting…';
  $('bulk-bar').focus();
  let jobId;
  try {
    ({ jobId } = await call(bulkFilter));
  } catch (error) {
    $('bulk-counters').textContent = `The job could not start: ${reason(error)}`;
    return;
  }
  bulkPolling = true;
  while (bulkPolling) {
    let job;
    try {
      ({ job } = await asyncJobs.getAsyncJob(jobId));
    } catch (error) {
      $('bulk-counters').textContent = `Lost track of the job: ${reason(error)}`;
      break;
    }
    const { itemsToProcess, itemsSucceeded, itemsFailed } = job.counters;
    const done = itemsSucceeded + itemsFailed;
    $('bulk-bar').max = Math.max(1, itemsToProcess);
    $('bulk-bar').value = done;
    const ended = job.status === 'FINISHED' || job.status === 'FAILED';
    $('bulk-counters').textContent = ended
      ? `${job.status === 'FINISHED' ? 'Finished' : 'Failed'}: ${itemsSucceeded} ${past}, ${itemsFailed} failed, of ${itemsToProcess}.${job.metadata?.error ? ` ${job.metadata.error}` : ''}`
      : `${done} of ${itemsToProcess} done (${itemsFailed} failed)…`;
    $('bulk-dialog').dataset.job = job.status;
    if (ended) {
      if (itemsFailed > 0) await showFailedItems(jobId);
      refreshAll({ quiet: true });
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  bulkPolling = false;
});

async function showFailedItems(jobId) {
  const list = $('bulk-failed');
  let cursor;
  const rows = [];
  do {
    const { items, pagingMetadata } = await asyncJobs.listAsyncJobItems(jobId, {
      statusFilter: 'FAILED_ONLY', paging: cursor ? { limit: 100, cursor } : { limit: 100 },
    });
    for (const item of items) {
      rows.push(el('li', {}, el('code', {}, item.entityId), `: ${item.error?.description ?? item.error?.code ?? 'failed'}`));
    }
    cursor = pagingMetadata.hasNext ? pagingMetadata.cursors.next : null;
  } while (cursor && rows.length < 1000);
  list.replaceChildren(...rows);
  $('bulk-failed-title').hidden = rows.length === 0;
}

// ---------------------------------------------------------------- CSV export

$('export-csv').addEventListener('click', async () => {
  const button = $('export-csv');
  button.disabled = true;
  announce('Preparing the CSV…');
  try {
    const all = [];
    let result = await currentQuery().ascending('_createdDate').limit(100).find();
    all.push(...result.items);
    while (result.cursors.next) {
      result = await currentQuery().ascending('_createdDate').limit(100).cursor(result.cursors.next).find();
      all.push(...result.items);
    }
    const blob = new Blob([membersCsv(all)], { type: 'text/csv;charset=utf-8' });
    const link = el('a', { href: URL.createObjectURL(blob), download: `members-${new Date().toISOString().slice(0, 10)}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    announce(`Exported ${all.length} member${all.length === 1 ? '' : 's'} as CSV.`);
  } catch (error) {
    announce(`The export failed: ${reason(error)}`);
  } finally {
    button.disabled = false;
  }
});

// ---------------------------------------------------------------- webhooks

async function loadWebhooks() {
  const list = $('webhook-list');
  try {
    const { webhooks } = await hooks.listWebhooks();
    list.replaceChildren(...webhooks.map(webhookItem));
    $('webhook-empty').hidden = webhooks.length > 0;
  } catch (error) {
    const retry = el('button', { type: 'button' }, 'Retry');
    retry.addEventListener('click', loadWebhooks);
    list.replaceChildren(el('li', { className: 'error' }, `Could not load the endpoints: ${reason(error)} `, retry));
  }
}

function webhookItem(webhook) {
  const deliveries = el('button', { type: 'button', className: 'small' }, 'Deliveries', el('span', { className: 'visually-hidden' }, ` of ${webhook.url}`));
  deliveries.addEventListener('click', () => openDeliveries(webhook, deliveries));
  const remove = el('button', { type: 'button', className: 'small danger' }, 'Remove', el('span', { className: 'visually-hidden' }, ` ${webhook.url}`));
  const li = el('li', {},
    el('div', { className: 'wh-url' }, webhook.url),
    el('div', { className: 'wh-meta' }, `${webhook.format} · ${webhook.events.join(', ')} · ${webhook.enabled ? 'enabled' : `disabled${webhook.disabledReason ? ` (${webhook.disabledReason})` : ''}`}`),
    el('div', { className: 'actions' }, deliveries, remove));
  li.dataset.id = webhook._id;
  remove.addEventListener('click', () => {
    const confirmBox = el('div', { className: 'actions confirm' }, `Remove ${webhook.url}? `);
    const yes = el('button', { type: 'button', className: 'small danger' }, 'Yes, remove');
    const no = el('button', { type: 'button', className: 'small' }, 'Keep');
    confirmBox.append(yes, no);
    li.append(confirmBox);
    no.focus();
    no.addEventListener('click', () => { confirmBox.remove(); remove.focus(); });
    yes.addEventListener('click', async () => {
      try {
        await hooks.deleteWebhook(webhook._id);
        announce(`Removed ${webhook.url}.`);
        // A secret still shown for it is of no use any more.
        if ($('webhook-secret').dataset.id === webhook._id) $('webhook-secret-done').click();
        await loadWebhooks();
        $('wh-url').focus();
      } catch (error) {
        announce(`Could not remove it: ${reason(error)}`);
      }
    });
  });
  return li;
}

$('webhook-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const error = $('webhook-error');
  const url = form.elements.url;
  error.hidden = true;
  url.removeAttribute('aria-invalid');
  url.removeAttribute('aria-describedby');
  const events = [...form.querySelectorAll('input[name=events]:checked')].map((box) => box.value);
  try {
    if (!url.value.trim()) throw new Error('Enter the endpoint URL.');
    if (events.length === 0) throw new Error('Choose at least one event.');
    const { webhook, secret, publicKey } = await hooks.createWebhook({ url: url.value.trim(), format: form.elements.format.value, events });
    form.reset();
    $('webhook-secret-label').textContent = secret ? `Signing secret of ${webhook.url}:` : `Public key of ${webhook.url}:`;
    $('webhook-secret-value').textContent = secret ?? publicKey ?? '';
    $('webhook-secret').hidden = false;
    $('webhook-secret').dataset.id = webhook._id;
    announce(`Added ${webhook.url}.`);
    await loadWebhooks();
    $('webhook-secret').focus();
  } catch (failure) {
    error.textContent = reason(failure);
    error.id = 'webhook-error';
    error.hidden = false;
    url.setAttribute('aria-invalid', 'true');
    url.setAttribute('aria-describedby', 'webhook-error');
    url.focus();
  }
});

$('webhook-secret-done').addEventListener('click', () => {
  $('webhook-secret').hidden = true;
  $('webhook-secret-value').textContent = '';
  $('wh-url').focus();
});

let deliveriesOf = null;
let deliveriesOpener = null;
let deliveriesTimer = null;

async function loadDeliveries() {
  if (!deliveriesOf) return;
  const list = $('deliveries-list');
  try {
    const { deliveries } = await hooks.listWebhookDeliveries(deliveriesOf._id, { limit: 50 });
    list.replaceChildren(...deliveries.map((d) => {
      const last = d.attempts?.[d.attempts.length - 1];
      const item = el('li', {},
        el('div', {}, el('strong', {}, d.eventType.replace('wix.members.v1.', '')), ' · ', el('span', { className: `pill ${d.status.toLowerCase()}` }, label(d.status))),
        el('div', { className: 'wh-meta' }, `${shown.has(d.entityId) ? `${nameOf(shown.get(d.entityId))} (${d.entityId})` : `member ${d.entityId}`} · ${d._createdDate ? `${new Date(d._createdDate).toISOString().replace('T', ' ').slice(0, 19)} UTC · ` : ''}${d.attemptCount} attempt${d.attemptCount === 1 ? '' : 's'}${last ? ` · last answer ${last.status ?? 'none'}${last.error ? ` (${last.error})` : ''}` : ''}`));
      item.dataset.status = d.status;
      if (d.status !== 'PENDING') {
        const again = el('button', { type: 'button', className: 'small' }, 'Redeliver', el('span', { className: 'visually-hidden' }, ` ${d.eventType} of ${d.entityId}`));
        again.addEventListener('click', async () => {
          try {
            await hooks.redeliver(d._id);
            $('deliveries-status').textContent = 'Sent again; it is pending.';
            await loadDeliveries();
            $('deliveries-refresh').focus();
          } catch (error) {
            $('deliveries-status').textContent = `Could not redeliver: ${reason(error)}`;
          }
        });
        item.append(again);
      }
      return item;
    }));
    if (deliveries.length === 0) list.replaceChildren(el('li', {}, 'No deliveries yet.'));
  } catch (error) {
    $('deliveries-status').textContent = `Could not load the deliveries: ${reason(error)}`;
  }
}

function openDeliveries(webhook, opener) {
  deliveriesOf = webhook;
  deliveriesOpener = opener;
  $('deliveries-title').textContent = `Deliveries to ${webhook.url}`;
  $('deliveries-status').textContent = '';
  $('deliveries-list').replaceChildren(el('li', {}, 'Loading…'));
  $('deliveries-dialog').showModal();
  loadDeliveries();
  deliveriesTimer = setInterval(loadDeliveries, 2000);
}
$('deliveries-refresh').addEventListener('click', loadDeliveries);
$('deliveries-dialog').addEventListener('close', () => {
  clearInterval(deliveriesTimer);
  deliveriesOf = null;
  if (deliveriesOpener?.isConnected) deliveriesOpener.focus();
});

// ---------------------------------------------------------------- live updates

let stream = null;
let refreshTimer = null;
const EVENT_TYPES = ['wix.members.v1.member_created', 'wix.members.v1.member_updated', 'wix.members.v1.member_deleted'];

/** Follows `/members/v1/events/stream` (SSE); EventSource sends the admin cookie same-origin. */
function startStream() {
  stopStream();
  stream = new EventSource('/members/v1/events/stream');
  stream.addEventListener('open', () => { $('live-state').hidden = false; });
  stream.addEventListener('error', () => {
    $('live-state').hidden = true;
    // CLOSED: the server refused (the sign-in ended); otherwise EventSource reconnects.
    if (stream?.readyState === EventSource.CLOSED) {
      adminSession().then((admin) => { if (!admin) signedOutAgain(); });
    }
  });
  for (const type of EVENT_TYPES) {
    stream.addEventListener(type, (event) => {
      if (type === 'wix.members.v1.member_created') {
        try {
          const envelope = JSON.parse(event.data);
          const entity = envelope.createdEvent?.entity ?? envelope.entity ?? {};
          const who = entity.loginEmail ?? entity.profile?.nickname ?? 'someone';
          announce(`New member: ${who}.`);
        } catch { /* the refresh below still happens */ }
      }
      clearTimeout(refreshTimer);
      // Quietly: the live region keeps what the event said.
      refreshTimer = setTimeout(() => refreshAll({ quiet: true }), 300);
    });
  }
}

function stopStream() {
  stream?.close();
  stream = null;
  $('live-state').hidden = true;
}

// ---------------------------------------------------------------- start

function enterConsole() {
  show('signed-in');
  filters = readFilters(location.search);
  applyFiltersToForm();
  cursors = [null];
  pageIndex = 0;
  refreshAll();
  loadWebhooks();
  startStream();
  $('main').focus();
}

try {
  if (await adminSession()) enterConsole();
  else show('signed-out');
} catch {
  show('signed-out');
}
