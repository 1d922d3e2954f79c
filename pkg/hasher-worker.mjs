// One password-hashing worker of pkg/hasher.mjs: its own instance of the wasm
// core (of the module its parent compiled, when given), running Argon2id for the
// main thread. Answers { id, ok, value | error }; an error never carries the password.
import { parentPort, workerData } from 'node:worker_threads';
import { engine } from './core.mjs';

const { hashPassword, verifyPassword } = engine(workerData?.engine ?? undefined);

parentPort.on('message', ({ id, op, password, phc }) => {
  try {
    const value = op === 'hash' ? hashPassword(password) : verifyPassword(password, phc);
    parentPort.postMessage({ id, ok: true, value });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: String(error?.message ?? 'hashing failed') });
  }
});
