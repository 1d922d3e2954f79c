// What every view of the members area shares: the page's two message regions
// (role=status and role=alert, present before they are filled), the action
// runner that counts finished actions for tests (`#session[data-done]`), errors
// placed next to the field they name, and the initials avatar. No API calls here.
import { isMembersError } from '/pkg/browser.mjs';

export const $ = (id) => document.getElementById(id);

/** The message regions in use: the dialog's own while it is open (the page behind is inert). */
function regions() {
  const dialog = $('auth-dialog');
  return dialog?.open
    ? { notice: $('dialog-notice'), alert: $('dialog-error') }
    : { notice: $('notice'), alert: $('error') };
}

export function say(text) {
  regions().notice.textContent = text;
}

export function showError(error) {
  const { alert } = regions();
  alert.textContent = isMembersError(error) ? error.message : String(error?.message ?? error);
  alert.dataset.code = isMembersError(error) ? (error.applicationCode || error.code) : 'ERROR';
  alert.hidden = false;
}

export function clearMessages() {
  for (const id of ['notice', 'dialog-notice']) $(id).textContent = '';
  for (const id of ['error', 'dialog-error']) {
    $(id).hidden = true;
    $(id).textContent = '';
    delete $(id).dataset.code;
  }
}

/** The field a violation names (`member.contact.phones[0]`), as the inputs' `data-field` spell it. */
const fieldName = (field) => String(field ?? '').replace(/^member\./, '');

/** Removes every inline error of `form`. */
export function clearFieldErrors(form) {
  for (const input of form.querySelectorAll('[aria-invalid="true"]')) input.removeAttribute('aria-invalid');
  for (const box of form.querySelectorAll('.field-error')) {
    box.hidden = true;
    box.textContent = '';
  }
}

/** Shows `text` under `input` and links it (aria-describedby), marking the input invalid. */
export function fieldError(input, text) {
  const box = $(`${input.id}-error`);
  box.textContent = text;
  box.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  const described = new Set((input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean));
  described.add(box.id);
  input.setAttribute('aria-describedby', [...described].join(' '));
}

/**
 * Places each field violation of `error` next to its input in `form` (the input
 * whose `data-field` is the violation's field, or the nearest parent field).
 * Returns true when at least one was placed; the first such input gets focus.
 */
export function placeFieldErrors(form, error) {
  const violations = error?.details?.validationError?.fieldViolations ?? [];
  let first = null;
  for (const { field, description } of violations) {
    let input = null;
    // `contact.addresses[0].city`, then `contact.addresses[0]`, then `contact.addresses`, …
    for (let name = fieldName(field); name && !input;) {
      input = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
      const parent = name.replace(/(\[\d+\]|\.[^.[\]]*)$/, '');
      if (parent === name) break;
      name = parent;
    }
    if (!input) continue;
    fieldError(input, description || error.message);
    first ??= input;
  }
  first?.focus();
  return first !== null;
}

let done = 0;
/**
 * Runs one user action: clears the messages, marks `busy` (aria-busy, and the
 * submit button disabled while it runs), shows any error not placed by
 * `onError`, and counts finished actions in `#session[data-done]` (tests wait on it).
 */
export async function act(run, { busy, onError } = {}) {
  clearMessages();
  busy?.setAttribute('aria-busy', 'true');
  try {
    await run();
  } catch (error) {
    if (!onError?.(error)) showError(error);
  } finally {
    busy?.removeAttribute('aria-busy');
    done += 1;
    $('session').dataset.done = String(done);
  }
}

/** Runs `run(formData, form)` on submit as one action, with inline field errors. */
export function onSubmit(form, run, { onError } = {}) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    act(() => run(new FormData(form), form), {
      busy: form,
      onError: (error) => onError?.(error, form) || placeFieldErrors(form, error),
    });
  });
}

const AVATAR_COLOURS = ['#0b57d0', '#7b1fa2', '#00695c', '#b3261e', '#5d4037', '#37474f', '#ad1457', '#2e7d32'];

/** Up to two initials of a display name ("Ann Lee" → "AL"). */
export function initials(name) {
  const words = String(name ?? '').trim().split(/[\s\-_.]+/u).filter(Boolean);
  const letters = words.slice(0, 2).map((word) => [...word][0].toLocaleUpperCase());
  return letters.join('') || '?';
}

/** The name a member goes by in public. */
export const displayName = (member) => member?.profile?.nickname || member?.profile?.slug || 'Member';

/** A photo, or initials on a colour picked from the name, decorative (the name is beside it). */
export function avatar(member, size = 'small') {
  const box = document.createElement('span');
  box.className = `avatar ${size}`;
  box.setAttribute('aria-hidden', 'true');
  const name = displayName(member);
  const showInitials = () => {
    box.replaceChildren(initials(name));
    let hash = 0;
    for (const char of name) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
    box.style.background = AVATAR_COLOURS[hash % AVATAR_COLOURS.length];
  };
  const url = member?.profile?.photo?.url;
  if (url) {
    const img = document.createElement('img');
    img.alt = '';
    img.src = url;
    img.addEventListener('error', showInitials, { once: true });
    box.append(img);
  } else {
    showInitials();
  }
  return box;
}

/** "March 2025" for a date. */
export const monthYear = (date) => new Date(date).toLocaleDateString('en', { year: 'numeric', month: 'long' });
