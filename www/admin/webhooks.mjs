// Webhook endpoints over REST. The browser entry refuses `webhooks.*` in a page
// (it rejects with PERMISSION_DENIED so that admin rights never depend on page
// code), so the admin console calls the REST routes itself: fetch() sends the
// HttpOnly `members_admin` cookie same-origin, and the server treats a request
// that carries it (and no Authorization header) as admin; a change also carries
// the page's Origin, which the server's CSRF check asks for. Wire naming here
// (`id`, `createdDate`), as docs/events-contract.md lists. No DOM.

const BASE = '/members/v1/webhooks';

/** An error from a REST answer, with the server's message and application code. */
export class RestError extends Error {
  constructor(status, body) {
    const message = body?.message ?? `the server answered ${status}`;
    super(message);
    this.name = 'RestError';
    this.httpStatus = status;
    this.applicationCode = body?.details?.applicationError?.code ?? '';
    this.fieldViolations = body?.details?.validationError?.fieldViolations ?? [];
  }
}

async function rest(method, route, body) {
  const response = await fetch(route, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch { /* not JSON */ }
  if (!response.ok) throw new RestError(response.status, parsed);
  return parsed;
}

/** `{ webhooks: [{ id, url, format, events, enabled, disabledReason?, createdDate }] }`. */
export const listWebhooks = () => rest('GET', BASE);
/** `{ webhook, secret }` (standard) or `{ webhook, publicKey }` (wix). */
export const createWebhook = ({ url, format, events }) => rest('POST', BASE, { url, format, events });
export const deleteWebhook = (id) => rest('DELETE', `${BASE}/${encodeURIComponent(id)}`);
/** `{ deliveries: [...] }`, newest first. */
export const listDeliveries = (id, { status = 'ALL', limit = 20 } = {}) =>
  rest('GET', `${BASE}/${encodeURIComponent(id)}/deliveries?status=${status}&limit=${limit}`);
export const redeliver = (deliveryId) => rest('POST', `${BASE}/deliveries/${encodeURIComponent(deliveryId)}/redeliver`);
