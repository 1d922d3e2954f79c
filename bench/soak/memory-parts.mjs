// Where a soak server's resident memory is, so a growth can be named, not
// guessed: /proc/<pid>/smaps split into the kinds of mapping a Node server
// has, and V8's own figures from inside the server (bench/soak/heap-probe.mjs
// writes them to a file the server is told about).
//  - wasm: each wasm memory is one reservation of ≥ 4 GiB (its pages, then a
//    guard): the engine's on the main thread and one per password worker;
//  - main malloc heap: `[heap]`, glibc's main arena (the main thread's malloc:
//    SQLite's page cache, the addons, Node's own buffers);
//  - thread arenas: glibc's 64 MiB heaps of the other threads;
//  - other anonymous: V8's heaps and code, thread stacks, the rest.
import { readFileSync } from 'node:fs';

const GiB = 1024 * 1024; // in KiB
const ARENA = 64 * 1024;

/** Parses smaps into `[{ start, end, perms, path, size, rss }]` (sizes in KiB). */
function mappings(pid) {
  const out = [];
  let current = null;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      current = { start: BigInt(`0x${head[1]}`), end: BigInt(`0x${head[2]}`), perms: head[3], path: head[4], rss: 0 };
      current.size = Number((current.end - current.start) / 1024n);
      out.push(current);
    } else if (current && line.startsWith('Rss:')) {
      current.rss = Number(/(\d+)/.exec(line)[1]);
    }
  }
  return out;
}

/**
 * The parts of process `pid`'s resident memory in KiB: `{ wasm: [each memory],
 * mainHeap, arenas, otherAnon, file }`, or null once it is gone.
 */
export function memoryParts(pid) {
  let list;
  try {
    list = mappings(pid);
  } catch {
    return null;
  }
  const parts = { wasm: [], mainHeap: 0, arenas: 0, otherAnon: 0, file: 0 };
  list.forEach((m, i) => {
    if (m.path === '[heap]') parts.mainHeap += m.rss;
    else if (m.path.startsWith('/')) parts.file += m.rss;
    else if (m.path) parts.otherAnon += m.rss; // [stack], [vdso] and the like
    else if (m.perms === 'rw-p') {
      // An anonymous reservation: its used pages, then the inaccessible rest.
      const next = list[i + 1];
      const span = m.size + (next && !next.path && next.perms === '---p' && next.start === m.end ? next.size : 0);
      if (span >= 4 * GiB) parts.wasm.push(m.rss);
      else if (span === ARENA && m.start % BigInt(ARENA * 1024) === 0n) parts.arenas += m.rss;
      else parts.otherAnon += m.rss;
    } else parts.otherAnon += m.rss;
  });
  return parts;
}

/** The last `process.memoryUsage()` (in KiB) the server's heap probe wrote to `file`, or null. */
export function heapOf(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null; // not written yet, or caught mid-write
  }
}
