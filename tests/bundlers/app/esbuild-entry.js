// esbuild does not copy `new URL(…, import.meta.url)` assets: the page copies the
// client wasm beside the bundle and says where it is.
import { configure } from 'universal-members';
import { start } from './app.js';

configure({ wasmUrl: '/universal_members_bg.wasm' });
start();
