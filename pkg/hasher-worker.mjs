// One password-hashing worker of pkg/hasher.mjs: its own instance of the wasm
// core, running Argon2id for the main thread. Answers { id, ok, value | error };
// an error never carries the password.
import { parentPort } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { initSync, hashPassword, verifyPassword } from './wasm/universal_members.js';

initSync({ module: readFileSync(new URL('./wasm/universal_members_bg.wasm', import.meta.url)) });

parentPort.on('message', ({ id, op, password, phc }) => {
  try {
    const value = op === 'hash' ? hashPassword(password) : verifyPassword(password, phc);
    parentPort.postMessage({ id, ok: true, value });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: String(error?.message ?? 'hashing failed') });
  }
});
