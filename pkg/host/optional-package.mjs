// The npm packages only some hosts need (the database drivers, SMTP): optional
// dependencies, so a browser-only project installs no native code, loaded on
// first use, so a Node script pays only for what it opens. A missing one is a
// MembersError that names the package and the command that installs it.

import { createRequire } from 'node:module';
import { MembersError } from '../errors.mjs';

// Resolved from the package, as its own `import` would be.
const require = createRequire(import.meta.url);

/** The error for `name` missing (or failing to load), needed by `purpose` ("the sqlite driver"). */
function missing(name, purpose, applicationCode, error) {
  const absent = error?.code === 'MODULE_NOT_FOUND' && String(error.message).includes(`'${name}'`);
  // A package that is there but does not load (a native build that failed) says why.
  const why = absent ? '' : ` (it is installed but does not load: ${String(error?.message ?? error).split('\n')[0]})`;
  const message = `${purpose} needs the npm package ${name}: npm i ${name}${why}`;
  return new MembersError('UNAVAILABLE', message, applicationCode, 503, {
    applicationError: { code: applicationCode, description: message, data: { package: name } },
  });
}

/**
 * The CommonJS package `name`, loaded synchronously the first time (Node caches
 * it). `purpose` and `applicationCode` shape the MembersError thrown when it is
 * missing: `UNAVAILABLE`, e.g. "the sqlite driver needs the npm package
 * better-sqlite3: npm i better-sqlite3", with `data.package`.
 */
export function loadOptional(name, purpose, applicationCode) {
  try {
    return require(name);
  } catch (error) {
    throw missing(name, purpose, applicationCode, error);
  }
}

/** Throws as `loadOptional` would when `name` is not installed, without loading it. */
export function checkOptional(name, purpose, applicationCode) {
  try {
    require.resolve(name);
  } catch (error) {
    throw missing(name, purpose, applicationCode, error);
  }
}

/** The file `request` (e.g. a package's compiled addon) resolves to, or undefined when there is none. */
export function findOptional(request) {
  try {
    return require.resolve(request);
  } catch {
    return undefined;
  }
}
