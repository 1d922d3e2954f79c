// The session panel of the members-area page: register, log in and out, my
// profile (nickname, title, address, community), deleting my account (after a
// confirm step), and the set-password flow
// (forgot-password form; the mailed link opens `#set-password=<token>`). The
// session is the server's HttpOnly cookie: this file never sees a token.
// Every failure is a MembersError whose message goes to the role=alert element.
import { members, authentication, isMembersError } from '/pkg/browser.mjs';

const $ = (id) => document.getElementById(id);
const panel = $('session');
const notice = $('notice');
const alertBox = $('error');
let me = null;
let done = 0;

const say = (text) => { notice.textContent = text; };

function showError(error) {
  alertBox.textContent = isMembersError(error) ? error.message : String(error?.message ?? error);
  alertBox.dataset.code = isMembersError(error) ? (error.applicationCode || error.code) : 'ERROR';
  alertBox.hidden = false;
}

function clearMessages() {
  say('');
  alertBox.hidden = true;
  alertBox.textContent = '';
  delete alertBox.dataset.code;
}

/** Tells the directory (members.js) to list again: who is listed may have changed. */
const directoryChanged = () => document.dispatchEvent(new CustomEvent('members:changed'));

/** Shows or hides the "Delete my account?" confirm step. */
function askToDelete(open) {
  $('delete-confirm').hidden = !open;
  $('delete-account').setAttribute('aria-expanded', String(open));
}

function showMember(member) {
  if (member?._id !== me?._id) askToDelete(false);
  me = member;
  panel.dataset.state = member ? 'member' : 'visitor';
  $('visitor').hidden = Boolean(member);
  $('me').hidden = !member;
  if (!member) {
    delete $('me').dataset.id;
    return;
  }
  const { profile = {} } = member;
  $('me').dataset.id = member._id;
  $('me-nickname').textContent = profile.nickname ?? '';
  $('me-title').textContent = profile.title ?? '';
  $('me-slug').textContent = profile.slug ?? '';
  $('me-email').textContent = member.loginEmail ?? '';
  $('me-status').textContent = member.status ?? '';
  const listed = member.privacyStatus === 'PUBLIC';
  $('me-privacy').textContent = listed ? 'Yes (public)' : 'No (private)';
  $('me-privacy').dataset.privacy = member.privacyStatus;
  $('join').hidden = listed;
  $('leave').hidden = !listed;
  $('profile-nickname').value = profile.nickname ?? '';
  $('profile-title').value = profile.title ?? '';
  $('slug').value = profile.slug ?? '';
}

/** Reads who is logged in (members see their own FULL data), or shows the visitor forms. */
async function refresh() {
  if (!authentication.loggedIn()) {
    showMember(null);
    return;
  }
  const { member } = await members.getCurrentMember({ fieldsets: ['FULL'] });
  // An ended or expired session reads as a visitor (the server clears the cookies).
  showMember(member ?? null);
}

/**
 * Runs one user action: clears the messages, shows any error, and counts the
 * finished actions in `data-done` (tests wait on it; people see the messages).
 */
async function act(run) {
  clearMessages();
  panel.setAttribute('aria-busy', 'true');
  try {
    await run();
  } catch (error) {
    showError(error);
    // The server ends a session on its own (block, disconnect, delete, expiry) and
    // then clears the companion cookie: the panel must not keep showing a member.
    if (me && !authentication.loggedIn()) {
      showMember(null);
      directoryChanged();
      say('Your session has ended. Please log in again.');
    }
  } finally {
    panel.removeAttribute('aria-busy');
    done += 1;
    panel.dataset.done = String(done);
  }
}

function onSubmit(id, run) {
  const form = $(id);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(() => run(new FormData(form), form));
  });
}

onSubmit('register-form', async (data, form) => {
  const nickname = data.get('nickname').trim();
  const result = await authentication.register(data.get('email'), data.get('password'),
    nickname ? { profile: { nickname } } : {});
  form.reset();
  if (result.status === 'PENDING') {
    // Approved yet without a session: the site wants the email verified first.
    if (result.member.status === 'APPROVED' && !result.member.loginEmailVerified) {
      askForCode(result.member.loginEmail);
      say('Thanks for registering. We mailed you a code: enter it to verify your email.');
      return;
    }
    say('Thanks for registering. Your membership is waiting for approval; you can log in once it is approved.');
    return;
  }
  await refresh();
  directoryChanged();
  say('Welcome! You are registered and logged in.');
});

onSubmit('login-form', async (data, form) => {
  try {
    await authentication.login(data.get('email'), data.get('password'));
  } catch (error) {
    // The site requires a verified email: offer the code step.
    if (error.applicationCode === 'EMAIL_NOT_VERIFIED') askForCode(data.get('email'));
    throw error;
  }
  form.reset();
  await refresh();
  directoryChanged();
  say('You are logged in.');
});

onSubmit('forgot-form', async (data, form) => {
  await authentication.sendSetPasswordEmail(data.get('email'));
  form.reset();
  say('If an account uses that email, a link to set its password is on its way.');
});

onSubmit('profile-form', async (data) => {
  await members.updateMember(me._id, {
    profile: { nickname: data.get('nickname').trim(), title: data.get('title').trim() },
  });
  await refresh();
  directoryChanged();
  say('Your profile is saved.');
});

onSubmit('slug-form', async (data) => {
  await members.updateCurrentMemberSlug(data.get('slug').trim());
  await refresh();
  say('Your address is changed.');
});

function onClick(id, run) {
  $(id).addEventListener('click', () => act(run));
}

onClick('join', async () => {
  await members.joinCommunity();
  await refresh();
  directoryChanged();
  say('You joined the community: others can find you in the directory.');
});

onClick('leave', async () => {
  await members.leaveCommunity();
  await refresh();
  directoryChanged();
  say('You left the community: others no longer find you in the directory.');
});

onClick('logout', async () => {
  await authentication.logout();
  showMember(null);
  directoryChanged();
  say('You are logged out.');
});

$('delete-account').addEventListener('click', () => {
  clearMessages();
  askToDelete(true);
  $('delete-cancel').focus();
});

$('delete-cancel').addEventListener('click', () => {
  askToDelete(false);
  $('delete-account').focus();
});

onClick('delete-confirm-yes', async () => {
  await members.deleteMyMember();
  // The server ends the session with the member and clears the cookies.
  showMember(null);
  directoryChanged();
  say('Your account is deleted. You are logged out.');
});

// The mailed link: `<site>/#set-password=<token>`.
const tokenInHash = () => {
  const match = /^#set-password=(.+)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
};
const showSetPassword = () => { $('set-password-form').hidden = tokenInHash() === null; };
window.addEventListener('hashchange', showSetPassword);

onSubmit('set-password-form', async (data, form) => {
  await authentication.setPassword(tokenInHash() ?? '', data.get('password'));
  form.reset();
  // The token is single-use: drop it from the address bar and history.
  history.replaceState(null, '', location.pathname + location.search);
  showSetPassword();
  say('Your password is set. You can log in now.');
});

// Verified email (SPEC §10): the code form, and the mailed link
// `<site>/account/my-account#verify=<token>`.
function askForCode(email) {
  $('verify-form').hidden = false;
  $('verify-email').value = email ?? '';
}

async function verified(result) {
  $('verify-form').hidden = true;
  await refresh();
  directoryChanged();
  say(result.status === 'ACTIVE'
    ? 'Your email is verified. You are logged in.'
    : 'Your email is verified.');
}

onSubmit('verify-form', async (data, form) => {
  const result = await authentication.verifyEmail(data.get('code').trim(), { email: data.get('email') });
  form.reset();
  await verified(result);
});

onClick('verify-resend', async () => {
  const email = $('verify-email').value;
  await authentication.sendVerificationEmail(email);
  say(`If ${email} is waiting for verification, a new code is on its way.`);
});

const verifyTokenInHash = () => {
  const match = /^#verify=(.+)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
};

async function verifyFromLink() {
  const token = verifyTokenInHash();
  if (token === null) return;
  // Single use: drop it from the address bar and history before spending it.
  history.replaceState(null, '', location.pathname + location.search);
  await verified(await authentication.verifyEmail(token));
}

showSetPassword();
act(async () => {
  await refresh();
  await verifyFromLink();
});
