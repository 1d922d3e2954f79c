// The members area's routes, at Wix's own paths: `/` and `/members` (the
// directory), `/profile/<slug>/profile` (a public profile) and
// `/account/my-account`. The server answers each of them with index.html; this
// module picks the view, keeps the URL as the single source of truth (history
// API) and moves focus to the new view's heading on in-page navigation.
const VIEWS = ['directory', 'profile', 'account'];

/** The view and its parameters for a location. */
export function routeOf(location) {
  const path = location.pathname;
  const profile = /^\/profile\/([^/]+)\/profile\/?$/.exec(path);
  if (profile) return { view: 'profile', slug: decodeURIComponent(profile[1]) };
  if (/^\/account\/my-account\/?$/.test(path)) return { view: 'account' };
  return { view: 'directory' };
}

export const profileUrl = (slug) => `/profile/${encodeURIComponent(slug)}/profile`;

const listeners = [];
/** `handler(route, { initial })` runs for every route shown, the first one included. */
export function onRoute(handler) {
  listeners.push(handler);
}

let shown = null;
function show(initial) {
  const route = routeOf(location);
  for (const view of VIEWS) document.getElementById(`${view}-view`).hidden = view !== route.view;
  for (const link of document.querySelectorAll('nav.main a')) {
    if (link.dataset.view === route.view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const changedView = shown !== route.view;
  shown = route.view;
  for (const handler of listeners) handler(route, { initial });
  // A new view: its heading takes focus, as a page load would put the reader at the top.
  if (!initial && changedView) document.querySelector(`#${route.view}-view h1`)?.focus({ preventScroll: false });
}

/** Goes to `url` inside the app (one history entry), or replaces the current one. */
export function navigate(url, { replace = false, state = null } = {}) {
  history[replace ? 'replaceState' : 'pushState'](state, '', url);
  show(false);
}

export function start() {
  // Links marked `data-link` stay in the app; modified clicks keep their usual meaning.
  document.addEventListener('click', (event) => {
    const link = event.target.closest?.('a[data-link]');
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(link.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
  });
  window.addEventListener('popstate', () => show(false));
  show(true);
}
