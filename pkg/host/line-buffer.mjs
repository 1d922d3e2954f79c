// The access log, buffered (issue 15): one line per request written straight to
// stdout was a write(2) per request (stdout to a file or a pipe is synchronous on
// Linux), 5% of a getMember's time in the server. Lines wait at most `delayMs`
// or until `maxBytes` are held, then go out in one write; whatever is held goes
// out when the process exits, and on flush() (a server's close()).

// One 'exit' listener for every buffer (a process may open many servers).
const atExit = new Set();
function whenExiting(flush) {
  if (atExit.size === 0) process.on('exit', () => { for (const each of atExit) each(); });
  atExit.add(flush);
}

/**
 * A line writer over `write(text)` that joins lines into fewer writes.
 * Returns `{ log(line), flush() }`.
 */
export function bufferedLines(write = (text) => process.stdout.write(text), { maxBytes = 16_384, delayMs = 50 } = {}) {
  let held = '';
  let timer = null;
  const flush = () => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (held === '') return;
    const text = held;
    held = '';
    write(text);
  };
  whenExiting(flush);
  return {
    log(line) {
      held += `${line}\n`;
      if (held.length >= maxBytes) flush();
      else if (timer === null) {
        timer = setTimeout(flush, delayMs);
        // A held line never keeps the process alive; 'exit' writes it.
        timer.unref();
      }
    },
    flush,
  };
}
