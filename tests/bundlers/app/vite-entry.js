// Vite: the client wasm is an asset of `new URL(…, import.meta.url)`, copied by Vite.
import { start } from './app.js';

start();
