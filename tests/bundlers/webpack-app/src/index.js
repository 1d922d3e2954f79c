// webpack 5 with no config at all: ./src/index.js → ./dist/main.js; the client
// wasm is an asset of `new URL(…, import.meta.url)`, which webpack copies.
import { start } from './app.js';

start();
