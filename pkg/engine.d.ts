// Types of `universal-members/engine`: the whole engine running in the page, on
// the memory store (no server). The same API as the Node entry, so it re-exports
// the package's types; only `configure` is narrowed to what a page can open.

import type { ConfigureOptions } from './index.js';

export * from './index.js';

/** What `configure` takes in the page engine: the Node options, with the memory store as the only database. */
export interface EngineConfigureOptions extends Omit<ConfigureOptions, 'database'> {
  /** Only `memory:` (the default here): members live as long as the page. */
  database?: 'memory:' | undefined;
}

/** Sets the site policy (`approval`, `defaultPrivacy`, `loginLimit`, `mailer`, …) of the engine in the page, as `configure` does on Node. */
export function configure(options?: EngineConfigureOptions): void;
