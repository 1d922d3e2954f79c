// Progress of a long CLI run on stderr (SPEC §13): a bar with the count,
// members/s and ETA on a terminal (cli-progress), otherwise a plain line every
// 5 seconds, so logs stay readable. stdout is left alone.
import { createRequire } from 'node:module';

// The bar's package loads only where a bar is drawn (a terminal).
const cliProgress = () => createRequire(import.meta.url)('cli-progress');

/**
 * Starts reporting; `total` is the work in bytes (the file size) so the ETA
 * holds without counting rows first. Returns `{ update(done, count), stop() }`.
 */
export function startProgress({ total, verb, stream = process.stderr, everyMs = 5000 }) {
  const started = Date.now();
  let count = 0;
  const rate = () => Math.round(count / Math.max((Date.now() - started) / 1000, 0.001));
  if (stream.isTTY) {
    const { SingleBar, Presets } = cliProgress();
    const bar = new SingleBar({
      stream,
      format: `${verb} {bar} {percentage}% | {count} members | {rate} members/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
    }, Presets.shades_classic);
    bar.start(Math.max(total, 1), 0, { count: 0, rate: 0 });
    return {
      update(done, n) { count = n; bar.update(Math.min(done, total), { count, rate: rate() }); },
      stop() { bar.update(total, { count, rate: rate() }); bar.stop(); },
    };
  }
  let done = 0;
  const timer = setInterval(() => {
    const left = rate() > 0 && done > 0 ? Math.round(((total - done) / done) * ((Date.now() - started) / 1000)) : null;
    stream.write(`universal-members: ${verb} ${count} members (${rate()} members/s${left === null ? '' : `, about ${left} s left`})\n`);
  }, everyMs);
  timer.unref();
  return {
    update(bytes, n) { done = bytes; count = n; },
    stop() { clearInterval(timer); },
  };
}
