// Reads the elements of one top-level JSON array from a stream, one at a time,
// without holding the whole file: a scan for where each element ends (depth,
// strings, escapes), then `JSON.parse` of that element alone.

/**
 * Yields `{ value }` or `{ error, text }` for each element of the array `stream`
 * holds (text chunks). Throws when the stream is not a JSON array.
 */
export async function* jsonArrayElements(stream) {
  let state = 'before'; // before [ | between elements | inside one | after ]
  let buffer = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (state === 'before') {
        if (c === '\uFEFF' || /\s/.test(c)) continue;
        if (c !== '[') throw new Error('the file is not a JSON array');
        state = 'between';
      } else if (state === 'between') {
        if (/\s/.test(c) || c === ',') continue;
        if (c === ']') { state = 'after'; continue; }
        state = 'inside';
        start = i;
        depth = 0;
        i -= 1; // read this character again, inside
      } else if (state === 'inside') {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === '\\') escaped = true;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          if (depth === 0) {
            // A scalar element ended by the array's own `]`.
            yield parsed(buffer + text.slice(start, i));
            buffer = '';
            state = 'after';
            continue;
          }
          depth--;
          if (depth === 0) {
            yield parsed(buffer + text.slice(start, i + 1));
            buffer = '';
            state = 'between';
          }
        } else if (c === ',' && depth === 0) {
          yield parsed(buffer + text.slice(start, i));
          buffer = '';
          state = 'between';
        }
      } else if (!/\s/.test(c)) {
        throw new Error('unexpected text after the JSON array');
      }
    }
    if (state === 'inside') buffer += text.slice(start);
  }
  if (state !== 'after') throw new Error('the JSON array is not closed');
}

function parsed(text) {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: `not valid JSON: ${error.message}`, text: text.trim() };
  }
}
