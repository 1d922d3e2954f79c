// The server's answer to one request (src/wasm/handler.rs), made here in one
// call: from wasm each key and value would cross on its own. One shape for
// every answer, so the server's reads of it stay monomorphic.
export function answer(status, body, sessionToken, sessionMaxAge, clearSession, allow, retryAfter) {
  return {
    status,
    body,
    session: sessionToken == null ? null : { token: sessionToken, maxAgeSeconds: sessionMaxAge },
    clearSession,
    allow: allow ?? null,
    retryAfter: retryAfter ?? null,
  };
}
