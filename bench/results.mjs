// Writes one section of bench/RESULTS.md, leaving the other sections as they are.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

const FILE = new URL('./RESULTS.md', import.meta.url);
const HEADER = '# Benchmark results\n\nWritten by `make bench`; each section is replaced when its benchmark runs again.\n';

/** The machine line every section starts with. */
export function machine() {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, `
    + `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

/** Replaces (or appends) the section named `name` with `body`. */
export function writeSection(name, body) {
  const start = `<!-- section:${name} -->`;
  const end = `<!-- /section:${name} -->`;
  let text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER;
  if (!text.startsWith('# Benchmark results')) text = HEADER;
  const block = `${start}\n${body.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  text = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, text);
}

/** Median wall time in ms of an async call: warm-up, then up to 1 s or 500 runs. */
export async function medianMs(run, options) {
  return (await timeMs(run, options)).median;
}

/**
 * Median, min and max wall time in ms of a call (sync or async): warm-up, then up
 * to 1 s or 500 runs. A sync call is not awaited, so it pays no microtask.
 */
export async function timeMs(run, { warmup = 10, budgetMs = 1000, max = 500, min = 15 } = {}) {
  const once = () => {
    const result = run();
    return result instanceof Promise ? result : undefined;
  };
  for (let i = 0; i < warmup; i++) await once();
  const times = [];
  const start = performance.now();
  while (times.length < max && (times.length < min || performance.now() - start < budgetMs)) {
    const t = performance.now();
    const pending = once();
    if (pending) await pending;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], runs: times.length };
}

/** A duration in ms for a table cell. */
export const ms = (value) => (value < 1 ? value.toFixed(3) : value.toFixed(2));
