// Loaded into a soak server with `--import` (bench/soak/serve.mjs), never by the
// product: once a second it writes the server's process.memoryUsage() in KiB to
// SOAK_HEAP_FILE, so the soak can tell V8's heaps (and wasm, in `external`)
// from native memory. Replaced whole (rename), so a reader never sees half.
import { renameSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const file = process.env.SOAK_HEAP_FILE;
if (file) {
  const write = () => {
    const m = process.memoryUsage();
    const kib = (bytes) => Math.round(bytes / 1024);
    // The young generation (V8 grows and shrinks its semi-spaces with the
    // allocation rate) apart from the old one (where a leak would pile up).
    const young = getHeapSpaceStatistics().filter((s) => s.space_name.startsWith('new_')).reduce((n, s) => n + s.space_size, 0);
    writeFileSync(`${file}.tmp`, JSON.stringify({
      heapTotal: kib(m.heapTotal), heapUsed: kib(m.heapUsed), young: kib(young), old: kib(m.heapTotal - young), external: kib(m.external), arrayBuffers: kib(m.arrayBuffers),
    }));
    renameSync(`${file}.tmp`, file);
  };
  setInterval(write, 1000).unref();
}
