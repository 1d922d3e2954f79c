// The `signer` host object the core is opened with (`Members.open(..., signer)`):
// RSA key pairs and RS256 signatures for `wix` format webhooks, where node:crypto
// is the simpler tool. It owns no keys (the core stores the pair per database)
// and decides nothing about what is signed; it never logs a key or a text.

import { createRequire } from 'node:module';

// node:crypto is a few milliseconds to load and only `wix` webhooks sign: it
// loads on the first signature or key pair.
const crypto = () => createRequire(import.meta.url)('node:crypto');

// Parsing a PEM costs more than signing with it, and a database has one key
// pair: keep the last parsed key.
let cachedPem = null;
let cachedKey = null;

function privateKeyOf(pem) {
  if (pem !== cachedPem) {
    cachedKey = crypto().createPrivateKey(pem);
    cachedPem = pem;
  }
  return cachedKey;
}

/**
 * The signer for `Members.open`. Both methods are synchronous, as the core calls
 * them inside its own work:
 * - `generateKeyPair()` → `{ privateKey, publicKey }`: RSA 2048, PEM (PKCS#8, SPKI);
 * - `signRs256(privateKeyPem, text)` → the base64url RS256 signature of `text` (UTF-8).
 */
export const signer = Object.freeze({
  generateKeyPair() {
    const { privateKey, publicKey } = crypto().generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    return { privateKey, publicKey };
  },
  signRs256(privateKeyPem, text) {
    return crypto().sign('sha256', Buffer.from(text, 'utf8'), privateKeyOf(privateKeyPem)).toString('base64url');
  },
});
