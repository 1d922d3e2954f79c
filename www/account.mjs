// My account (`/account/my-account`): personal details with rows of phones,
// emails and addresses (each error next to its field), the profile address
// (a taken one shown inline), joining or leaving the community, verifying the
// login email, the sessions with "sign out other devices", a change-password
// link, and deleting the account behind typing its email.
import { members, authentication } from '/pkg/browser.mjs';
import { $, act, onSubmit, say, showError, fieldError, clearFieldErrors, avatar } from '/ui.mjs';
import { onRoute, profileUrl } from '/router.mjs';
import { currentMember, refresh, openAuth, directoryChanged, sessionEnded } from '/session.js';

let active = false;

/** One user action on this page; a session the server ended turns the page back to a visitor's. */
function run(work, options = {}) {
  return act(work, {
    ...options,
    onError: (error) => {
      const placed = options.onError?.(error) ?? false;
      if (sessionEnded()) {
        showError(error);
        say('Your session has ended. Please log in again.');
        return true;
      }
      return placed;
    },
  });
}

// ---- rows of phones, emails and addresses ----
let rowIds = 0;

function inputField(labelText, { name, type = 'text', autocomplete, field, value = '', size }) {
  const id = `row-${++rowIds}`;
  const box = document.createElement('div');
  box.className = `field${size ? ` ${size}` : ''}`;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = labelText;
  const input = document.createElement('input');
  Object.assign(input, { id, name, type, value: value ?? '' });
  if (autocomplete) input.autocomplete = autocomplete;
  input.dataset.field = field;
  const error = document.createElement('p');
  error.id = `${id}-error`;
  error.className = 'field-error';
  error.hidden = true;
  box.append(label, input, error);
  return box;
}

const KINDS = {
  phone: { list: 'phone-rows', noun: 'phone', path: 'contact.phones' },
  email: { list: 'email-rows', noun: 'email', path: 'contact.emails' },
  address: { list: 'address-rows', noun: 'address', path: 'contact.addresses' },
};

/** Lays out the rows of one kind again from `values` (labels and error slots follow the numbers). */
function renderRows(kind, values) {
  const { list, noun, path } = KINDS[kind];
  const rows = values.map((value, index) => {
    const item = document.createElement('li');
    item.className = `row ${kind}`;
    const n = index + 1;
    const at = `${path}[${index}]`;
    if (kind === 'phone') {
      item.append(inputField(`Phone ${n}`, { name: 'phone', type: 'tel', autocomplete: 'tel', field: at, value }));
    } else if (kind === 'email') {
      item.append(inputField(`Email ${n}`, { name: 'email', type: 'email', autocomplete: 'email', field: at, value }));
    } else {
      item.dataset.addressId = value._id ?? '';
      const fields = document.createElement('div');
      fields.className = 'address-fields';
      fields.append(
        inputField(`Address ${n}, street`, { name: 'addressLine', autocomplete: `section-a${n} address-line1`, field: `${at}.addressLine`, value: value.addressLine, size: 'wide' }),
        inputField(`Address ${n}, line 2`, { name: 'addressLine2', autocomplete: `section-a${n} address-line2`, field: `${at}.addressLine2`, value: value.addressLine2, size: 'wide' }),
        inputField(`Address ${n}, city`, { name: 'city', autocomplete: `section-a${n} address-level2`, field: `${at}.city`, value: value.city }),
        inputField(`Address ${n}, postal code`, { name: 'postalCode', autocomplete: `section-a${n} postal-code`, field: `${at}.postalCode`, value: value.postalCode }),
        inputField(`Address ${n}, country (DE, FR…)`, { name: 'country', autocomplete: `section-a${n} country`, field: `${at}.country`, value: value.country }),
      );
      item.append(fields);
    }
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'remove';
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', `Remove ${noun} ${n}`);
    remove.addEventListener('click', () => {
      const current = readRows(kind);
      current.splice(index, 1);
      renderRows(kind, current);
      const next = $(list).querySelectorAll('input')[kind === 'address' ? index * 5 : index];
      (next ?? $(`add-${kind}`)).focus();
    });
    item.append(remove);
    return item;
  });
  $(list).replaceChildren(...rows);
}

/** The values of one kind's rows as typed (strings, or address objects). */
function readRows(kind) {
  const items = [...$(KINDS[kind].list).children];
  if (kind !== 'address') return items.map((item) => item.querySelector('input').value);
  return items.map((item) => {
    const address = item.dataset.addressId ? { _id: item.dataset.addressId } : {};
    for (const input of item.querySelectorAll('input')) address[input.name] = input.value;
    return address;
  });
}

for (const kind of Object.keys(KINDS)) {
  $(`add-${kind}`).addEventListener('click', () => {
    const values = readRows(kind);
    values.push(kind === 'address' ? {} : '');
    renderRows(kind, values);
    const inputs = $(KINDS[kind].list).lastElementChild.querySelectorAll('input');
    inputs[0].focus();
  });
}

// ---- showing the member ----
function showMember(member) {
  $('account-loading').hidden = true;
  $('visitor').hidden = Boolean(member);
  $('me').hidden = !member;
  if (!member) {
    delete $('me').dataset.id;
    askToDelete(false);
    return;
  }
  const { profile = {}, contact = {} } = member;
  if ($('me').dataset.id !== member._id) askToDelete(false);
  $('me').dataset.id = member._id;
  $('me-avatar').replaceChildren(avatar(member, 'medium'));
  $('me-nickname').textContent = profile.nickname ?? '';
  $('me-title').textContent = profile.title ?? '';
  $('me-slug').textContent = profile.slug ?? '';
  $('me-email').textContent = member.loginEmail ?? '';
  $('me-verified').textContent = member.loginEmailVerified ? 'verified' : 'not verified';
  $('me-verified').dataset.verified = String(Boolean(member.loginEmailVerified));
  $('me-status').textContent = member.status ?? '';
  const listed = member.privacyStatus === 'PUBLIC';
  $('me-privacy').textContent = listed ? 'Yes (public)' : 'No (private)';
  $('me-privacy').dataset.privacy = member.privacyStatus;
  $('me-profile-link').href = profileUrl(profile.slug ?? '');
  $('me-profile-link').hidden = !listed;
  $('join').hidden = listed;
  $('leave').hidden = !listed;
  $('community-text').textContent = listed
    ? 'You are in the community: others find you in the directory and see your public profile.'
    : 'You are private: nobody else finds you in the directory or sees your profile.';
  $('verify-text').textContent = member.loginEmailVerified
    ? `Your login email ${member.loginEmail} is verified.`
    : `Your login email ${member.loginEmail} is not verified yet.`;
  $('verify-start').hidden = Boolean(member.loginEmailVerified);
  $('first-name').value = contact.firstName ?? '';
  $('last-name').value = contact.lastName ?? '';
  $('profile-nickname').value = profile.nickname ?? '';
  $('profile-title').value = profile.title ?? '';
  $('photo-url').value = profile.photo?.url ?? '';
  renderRows('phone', contact.phones ?? []);
  renderRows('email', contact.emails ?? []);
  renderRows('address', contact.addresses ?? []);
  $('slug').value = profile.slug ?? '';
  $('delete-confirm-hint').textContent = member.loginEmail ?? '';
}

document.addEventListener('session:changed', (event) => {
  showMember(event.detail);
  if (active && event.detail) loadSessions();
});

// ---- personal details ----
const clean = (text) => String(text ?? '').trim();

onSubmit($('profile-form'), async (data) => {
  const me = currentMember();
  // Empty rows are dropped first, so the rows on screen and the list sent have the same numbers.
  const phones = readRows('phone').map(clean).filter(Boolean);
  const emails = readRows('email').map(clean).filter(Boolean);
  const addresses = readRows('address')
    .map((a) => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, k === 'country' ? clean(v).toUpperCase() : clean(v)]).filter(([, v]) => v)))
    .filter((a) => Object.keys(a).some((k) => k !== '_id'));
  if (phones.length !== readRows('phone').length) renderRows('phone', phones);
  if (emails.length !== readRows('email').length) renderRows('email', emails);
  if (addresses.length !== readRows('address').length) renderRows('address', addresses);
  // Phones are checked by the core (SPEC §2); its field errors land next to each row.
  const photo = clean(data.get('photo'));
  const contact = { firstName: clean(data.get('firstName')), lastName: clean(data.get('lastName')) };
  // An empty array changes nothing in an update (SPEC §5): emptied lists go through the delete calls.
  if (phones.length) contact.phones = phones;
  if (emails.length) contact.emails = emails;
  if (addresses.length) contact.addresses = addresses;
  const profile = { nickname: clean(data.get('nickname')), title: clean(data.get('title')) };
  // An emptied photo URL removes the photo (`null`); an unchanged one is not sent again.
  if (photo && photo !== me.profile?.photo?.url) profile.photo = { url: photo };
  if (!photo && me.profile?.photo?.url) profile.photo = null;
  await members.updateMember(me._id, { contact, profile });
  const had = me.contact ?? {};
  if (!phones.length && had.phones?.length) await members.deleteMemberPhones(me._id);
  if (!emails.length && had.emails?.length) await members.deleteMemberEmails(me._id);
  if (!addresses.length && had.addresses?.length) await members.deleteMemberAddresses(me._id);
  await refresh();
  directoryChanged();
  say('Your details are saved.');
});

// ---- profile address (slug) ----
onSubmit($('slug-form'), async (data) => {
  await members.updateCurrentMemberSlug(clean(data.get('slug')));
  await refresh();
  say('Your profile address is changed.');
}, {
  onError: (error) => {
    if (error.applicationCode !== 'SLUG_ALREADY_EXISTS' && error.code !== 'ALREADY_EXISTS') return false;
    fieldError($('slug'), `“${clean($('slug').value)}” is taken by another member. Choose another address.`);
    $('slug').focus();
    return true;
  },
});

// ---- community ----
$('join').addEventListener('click', () => run(async () => {
  await members.joinCommunity();
  await refresh();
  directoryChanged();
  say('You joined the community: others can find you in the directory.');
  $('leave').focus();
}));
$('leave').addEventListener('click', () => run(async () => {
  await members.leaveCommunity();
  await refresh();
  directoryChanged();
  say('You left the community: others no longer find you in the directory.');
  $('join').focus();
}));

// ---- email and password ----
$('verify-start').addEventListener('click', () => run(async () => {
  const email = currentMember().loginEmail;
  await authentication.sendVerificationEmail(email);
  openAuth('verify', { email });
  say(`We mailed a code to ${email}.`);
}));
$('password-link').addEventListener('click', () => run(async () => {
  const email = currentMember().loginEmail;
  await authentication.sendSetPasswordEmail(email);
  say(`We mailed a link to ${email}: open it to choose a new password.`);
}));

// ---- sessions ----
const when = (date) => (date ? new Date(date).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' }) : '—');

/** "Chrome on Linux" from a user agent, or the text itself. */
function deviceOf(userAgent = '') {
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Firefox\//.test(userAgent) ? 'Firefox'
    : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome' : /Safari\//.test(userAgent) ? 'Safari' : '';
  const system = /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS'
    : /Windows/.test(userAgent) ? 'Windows' : /Mac OS/.test(userAgent) ? 'macOS' : /Linux/.test(userAgent) ? 'Linux' : '';
  if (browser && system) return `${browser} on ${system}`;
  return browser || system || userAgent || 'Unknown device';
}

async function loadSessions() {
  const rows = $('session-rows');
  $('sessions').setAttribute('aria-busy', 'true');
  try {
    const { sessions = [] } = await authentication.listMySessions();
    rows.replaceChildren(...sessions.map((session) => {
      const row = document.createElement('tr');
      row.dataset.id = session._id;
      const device = document.createElement('td');
      device.textContent = deviceOf(session.userAgent);
      if (session.current) {
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = 'this device';
        device.append(' ', badge);
      }
      const created = document.createElement('td');
      created.textContent = when(session._createdDate);
      const used = document.createElement('td');
      used.textContent = when(session.lastUsedDate);
      const action = document.createElement('td');
      if (!session.current) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = 'Sign out';
        button.setAttribute('aria-label', `Sign out ${deviceOf(session.userAgent)}, signed in ${when(session._createdDate)}`);
        button.addEventListener('click', () => run(async () => {
          await authentication.revokeSession(session._id);
          await loadSessions();
          say('That device is signed out.');
          $('revoke-others').focus();
        }));
        action.append(button);
      }
      row.append(device, created, used, action);
      return row;
    }));
    $('revoke-others').hidden = !sessions.some((s) => !s.current);
  } catch (error) {
    const row = document.createElement('tr');
    const cell = document.createElement('td');
    cell.colSpan = 4;
    cell.textContent = `Your sessions could not be loaded: ${error.message ?? error}`;
    row.append(cell);
    rows.replaceChildren(row);
  } finally {
    $('sessions').removeAttribute('aria-busy');
  }
}

$('revoke-others').addEventListener('click', () => run(async () => {
  await authentication.revokeOtherSessions();
  await loadSessions();
  say('Your other devices are signed out.');
}));

// ---- delete ----
function askToDelete(open) {
  $('delete-confirm').hidden = !open;
  $('delete-account').setAttribute('aria-expanded', String(open));
  if (!open) {
    $('delete-confirm-email').value = '';
    clearFieldErrors($('delete-confirm'));
  }
}
$('delete-account').addEventListener('click', () => {
  askToDelete(true);
  $('delete-confirm-email').focus();
});
$('delete-cancel').addEventListener('click', () => {
  askToDelete(false);
  $('delete-account').focus();
});
$('delete-confirm').addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    askToDelete(false);
    $('delete-account').focus();
  }
});
onSubmit($('delete-confirm'), async (data) => {
  const me = currentMember();
  if (clean(data.get('email')).toLowerCase() !== String(me.loginEmail).toLowerCase()) {
    fieldError($('delete-confirm-email'), `Type ${me.loginEmail} exactly to confirm.`);
    $('delete-confirm-email').focus();
    return;
  }
  await members.deleteMyMember();
  // The server ends the session with the member and clears the cookies.
  sessionEnded();
  await refresh();
  directoryChanged();
  say('Your account is deleted. You are logged out.');
});

$('account-login').addEventListener('click', () => openAuth('login'));
$('account-signup').addEventListener('click', () => openAuth('register'));

onRoute((route) => {
  active = route.view === 'account';
  if (!active) return;
  document.title = 'My account · Members';
  // Until the session is read, the page keeps saying it is loading (no visitor flash).
  if ($('session').dataset.state === 'loading') return;
  showMember(currentMember());
  if (currentMember()) loadSessions();
});

