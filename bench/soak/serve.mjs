// A `universal-members serve` process for the soak: started on a free port of
// 127.0.0.1 with the settings the soak needs, its resident memory sampled from
// /proc/<pid>/status, and stopped or SIGKILLed by its own pid.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { heapOf, memoryParts } from './memory-parts.mjs';

const ROOT = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
/** The admin key every soak server is started with. */
export const ADMIN_KEY = 'soak-admin-key-0123456789abcdef';

/**
 * Starts `serve` on `database` → `{ url, pid, child, exited, rssKiB(), kill(signal), stop() }`.
 * Webhooks go to receivers on this machine (MEMBERS_WEBHOOK_ALLOW_PRIVATE=1); the
 * client address is taken from X-Forwarded-For (MEMBERS_TRUST_PROXY=1), so the load
 * can speak for many clients while every packet stays on 127.0.0.1.
 */
export async function startServe(database, { cwd, name = 'serve' } = {}) {
  const heapFile = path.join(cwd, `${name.replace(/\W+/g, '-')}.heap.json`);
  const probe = path.join(ROOT, 'bench/soak/heap-probe.mjs');
  const child = spawn(process.execPath, [`--import=${probe}`, path.join(ROOT, 'pkg/cli.mjs'), 'serve', '--port', '0', '--host', '127.0.0.1', '--db', database, `--admin-key=${ADMIN_KEY}`], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      MEMBERS_WEBHOOK_ALLOW_PRIVATE: '1',
      MEMBERS_TRUST_PROXY: '1',
      MEMBERS_DELIVER_WEBHOOKS: '1',
      MEMBERS_MAILBOX: path.join(cwd, `${name}.mailbox`),
      SOAK_HEAP_FILE: heapFile,
    },
  });
  // Until the "serving" line the output is kept; after it only the last lines
  // that are not the access log (errors the server logs), for the report.
  let head = '';
  const notes = [];
  const keep = (chunk) => {
    if (head.length < 20_000) head += chunk;
    for (const line of String(chunk).split('\n')) {
      if (line && !/^(GET|POST|PATCH|PUT|DELETE|HEAD|OPTIONS) \//.test(line)) {
        notes.push(line);
        if (notes.length > 50) notes.shift();
      }
    }
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  for (let i = 0; i < 600; i += 1) {
    const match = /serving (http:\/\/\S+)/.exec(head);
    if (match) {
      const { pid } = child;
      return {
        name,
        url: match[1],
        pid,
        child,
        exited,
        /** Lines the server wrote that are not its access log (the last 50). */
        notes: () => [...notes],
        alive: () => child.exitCode === null && child.signalCode === null,
        rssKiB: () => rssKiB(pid),
        memory: () => memoryOf(pid),
        /** Where its memory is: smaps parts and V8's figures (see memory-parts.mjs), or null. */
        parts: () => {
          const parts = memoryParts(pid);
          return parts && { ...parts, heap: heapOf(heapFile) };
        },
        kill: (signal = 'SIGKILL') => { if (child.exitCode === null && child.signalCode === null) child.kill(signal); },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        },
      };
    }
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not start:\n${head.slice(0, 2000)}`);
}

/** VmRSS of process `pid` in KiB, or null once it is gone. */
export const rssKiB = (pid) => memoryOf(pid)?.VmRSS ?? null;

/** VmRSS and its parts (RssAnon, RssFile, RssShmem) of process `pid` in KiB, or null once it is gone. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const out = {};
    for (const field of ['VmRSS', 'RssAnon', 'RssFile', 'RssShmem']) {
      const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
      out[field] = match ? Number(match[1]) : null;
    }
    return out.VmRSS === null ? null : out;
  } catch {
    return null;
  }
}

/**
 * Samples `memory()` (a memoryOf result) every `everyMs` into `{ t, kib, anon,
 * file, shmem }` rows until `stop()`, which returns them. `t` is ms since the
 * sampler started; `kib` is VmRSS. With `parts()` (a server's), each row also
 * has, in KiB: `wasm` (all wasm memories), `mainHeap`, `arenas`, `otherAnon`,
 * `heapTotal`, `heapUsed`, `young` and `old` (its generations) and `external`
 * (V8's, main thread).
 */
export function sampleMemory(memory, everyMs = 1000, parts = null) {
  const started = performance.now();
  const samples = [];
  const take = () => {
    const m = memory();
    if (m === null) return;
    const row = { t: performance.now() - started, kib: m.VmRSS, anon: m.RssAnon, file: m.RssFile, shmem: m.RssShmem };
    const p = parts?.();
    if (p) {
      Object.assign(row, { wasm: p.wasm.reduce((a, b) => a + b, 0), wasmCount: p.wasm.length, mainHeap: p.mainHeap, arenas: p.arenas, otherAnon: p.otherAnon });
      if (p.heap) Object.assign(row, { heapTotal: p.heap.heapTotal, heapUsed: p.heap.heapUsed, young: p.heap.young, old: p.heap.old, external: p.heap.external });
    }
    samples.push(row);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}
