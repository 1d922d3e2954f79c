// Who is using the page, and the one sign-in dialog: log in, sign up, forgot
// password, the 6-digit verification code (when the site requires a verified
// email) and choosing a new password from a mailed `#set-password=<token>` link.
// The session is the server's HttpOnly cookie: this file never sees a token.
// It tells the other views through two document events: `session:changed`
// (detail: the member or null) and `members:changed` (who is listed may differ).
import { members, authentication } from '/pkg/browser.mjs';
import { $, act, onSubmit, say, clearMessages, clearFieldErrors, fieldError, displayName } from '/ui.mjs';

let me = null;
/** The logged-in member (FULL fieldset), or null for a visitor. */
export const currentMember = () => me;

export const directoryChanged = () => document.dispatchEvent(new CustomEvent('members:changed'));

function setMember(member) {
  me = member ?? null;
  const panel = $('session');
  panel.dataset.state = me ? 'member' : 'visitor';
  $('open-login').hidden = Boolean(me);
  $('open-signup').hidden = Boolean(me);
  $('logout').hidden = !me;
  $('who').hidden = !me;
  $('who').textContent = me ? displayName(me) : '';
  document.dispatchEvent(new CustomEvent('session:changed', { detail: me }));
}

/** Reads who is logged in (a member sees its own FULL data). */
export async function refresh() {
  if (!authentication.loggedIn()) {
    setMember(null);
    return null;
  }
  const { member } = await members.getCurrentMember({ fieldsets: ['FULL'] });
  // An ended or expired session reads as a visitor (the server clears the cookies).
  setMember(member ?? null);
  return me;
}

// ---- the dialog ----
const dialog = $('auth-dialog');
const TITLES = {
  login: 'Log in', register: 'Sign up', forgot: 'Forgot your password?', verify: 'Verify your email', 'set-password': 'Choose a new password',
};
let returnFocus = null;

/** Opens the dialog on one of its forms; `email` prefills it. Focus goes to its first empty field. */
export function openAuth(mode, { email } = {}) {
  if (!dialog.open) {
    returnFocus = document.activeElement;
    clearMessages();
  }
  for (const form of dialog.querySelectorAll('form')) {
    form.hidden = form.dataset.mode !== mode;
    if (form.hidden) clearFieldErrors(form);
  }
  $('auth-title').textContent = TITLES[mode];
  dialog.dataset.mode = mode;
  const form = dialog.querySelector(`form[data-mode="${mode}"]`);
  if (email !== undefined) {
    const field = form.querySelector('input[type=email]');
    if (field) field.value = email;
  }
  if (!dialog.open) dialog.showModal();
  const first = [...form.querySelectorAll('input')].find((input) => !input.value) ?? form.querySelector('input');
  first?.focus();
}

export function closeAuth() {
  if (dialog.open) dialog.close();
}

dialog.addEventListener('close', () => {
  // The page's own regions speak again; focus goes back where it came from.
  const target = returnFocus?.isConnected && !returnFocus.closest('[hidden]') ? returnFocus : $('main');
  returnFocus = null;
  target.focus?.();
});
$('auth-close').addEventListener('click', closeAuth);
// A click on the backdrop (outside the dialog box) closes it too.
dialog.addEventListener('click', (event) => { if (event.target === dialog) closeAuth(); });
for (const button of dialog.querySelectorAll('[data-open]')) {
  button.addEventListener('click', () => { clearMessages(); openAuth(button.dataset.open); });
}
$('open-login').addEventListener('click', () => openAuth('login'));
$('open-signup').addEventListener('click', () => openAuth('register'));

/** After a login of any kind: close the dialog, read the member, tell the page. */
async function signedIn(message) {
  closeAuth();
  await refresh();
  directoryChanged();
  say(message);
}

onSubmit($('register-form'), async (data, form) => {
  const nickname = data.get('nickname').trim();
  if (!data.get('email').trim()) {
    fieldError($('register-email'), 'Enter your email.');
    $('register-email').focus();
    return;
  }
  const result = await authentication.register(data.get('email').trim(), data.get('password'),
    nickname ? { profile: { nickname } } : {});
  form.reset();
  if (result.status === 'PENDING') {
    // Approved yet without a session: the site wants the email verified first.
    if (result.member.status === 'APPROVED' && !result.member.loginEmailVerified) {
      openAuth('verify', { email: result.member.loginEmail });
      say('Thanks for signing up. We mailed you a code: enter it to verify your email.');
      return;
    }
    closeAuth();
    say('Thanks for signing up. Your membership is waiting for approval; you can log in once it is approved.');
    return;
  }
  await signedIn('Welcome! You are registered and logged in.');
});

onSubmit($('login-form'), async (data, form) => {
  try {
    await authentication.login(data.get('email').trim(), data.get('password'));
  } catch (error) {
    // The site requires a verified email: offer the code step.
    if (error.applicationCode === 'EMAIL_NOT_VERIFIED') {
      openAuth('verify', { email: data.get('email').trim() });
    }
    throw error;
  }
  form.reset();
  await signedIn('You are logged in.');
});

onSubmit($('forgot-form'), async (data, form) => {
  await authentication.sendSetPasswordEmail(data.get('email').trim());
  form.reset();
  say('If an account uses that email, a link to set its password is on its way.');
});

// The mailed link: `<site>/#set-password=<token>`.
const tokenInHash = () => {
  const match = /^#set-password=(.+)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
};
const showSetPassword = () => {
  if (tokenInHash() !== null) openAuth('set-password');
  else if (dialog.dataset.mode === 'set-password') closeAuth();
};
window.addEventListener('hashchange', showSetPassword);

onSubmit($('set-password-form'), async (data, form) => {
  await authentication.setPassword(tokenInHash() ?? '', data.get('password'));
  form.reset();
  // The token is single-use: drop it from the address bar and history.
  history.replaceState(history.state, '', location.pathname + location.search);
  openAuth('login');
  say('Your password is set. You can log in now.');
});

// Verified email (SPEC §10): the code form, and the mailed link
// `<site>/account/my-account#verify=<token>`.
async function verified(result) {
  const wasOpen = dialog.open;
  closeAuth();
  await refresh();
  directoryChanged();
  const message = result.status === 'ACTIVE' ? 'Your email is verified. You are logged in.' : 'Your email is verified.';
  if (!me && wasOpen) openAuth('login');
  say(message);
}

onSubmit($('verify-form'), async (data, form) => {
  const result = await authentication.verifyEmail(data.get('code').trim(), { email: data.get('email').trim() });
  form.reset();
  await verified(result);
});

$('verify-resend').addEventListener('click', () => act(async () => {
  const email = $('verify-email').value.trim();
  await authentication.sendVerificationEmail(email);
  say(`If ${email} is waiting for verification, a new code is on its way.`);
}));

const verifyTokenInHash = () => {
  const match = /^#verify=(.+)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
};

async function verifyFromLink() {
  const token = verifyTokenInHash();
  if (token === null) return;
  // Single use: drop it from the address bar and history before spending it.
  history.replaceState(history.state, '', location.pathname + location.search);
  await verified(await authentication.verifyEmail(token));
}

$('logout').addEventListener('click', () => act(async () => {
  try {
    await authentication.logout();
  } finally {
    setMember(null);
    directoryChanged();
  }
  say('You are logged out.');
}));

/** Ends the page's member when the server has ended the session on its own. */
export function sessionEnded() {
  if (me && !authentication.loggedIn()) {
    setMember(null);
    directoryChanged();
    return true;
  }
  return false;
}

/** The first read of who is here, and the links mail brings. */
export function startSession() {
  return act(async () => {
    showSetPassword();
    await refresh();
    await verifyFromLink();
  });
}
