// Loaded into a soak server with `--import` (bench/soak/serve.mjs), never by the
// product: once a second it writes the server's process.memoryUsage() in KiB to
// SOAK_HEAP_FILE, so the soak can tell V8's heaps (and wasm, in `external`)
// from native memory. Replaced whole (rename), so a reader never sees half.
import { renameSync, writeFileSync } from 'node:fs';

const file = process.env.SOAK_HEAP_FILE;
if (file) {
  const write = () => {
    const m = process.memoryUsage();
    const kib = (bytes) => Math.round(bytes / 1024);
    writeFileSync(`${file}.tmp`, JSON.stringify({ heapTotal: kib(m.heapTotal), heapUsed: kib(m.heapUsed), external: kib(m.external), arrayBuffers: kib(m.arrayBuffers) }));
    renameSync(`${file}.tmp`, file);
  };
  setInterval(write, 1000).unref();
}
