// Finds where a JS argument holds NaN or ±Infinity, which JSON.stringify would
// silently turn into null (so `limit(Infinity)` would read as "no limit given").
// Called only when the JSON text has a null in it, so ordinary calls pay nothing.

/** The path (`paging.limit`, `rows[3].value`; '' for the value itself) of the first non-finite number, or undefined. */
export function nonFinitePath(value) {
  const seen = new Set();
  const walk = (inner, path) => {
    if (typeof inner === 'number') return Number.isFinite(inner) ? undefined : path;
    if (inner === null || typeof inner !== 'object' || seen.has(inner)) return undefined;
    if (typeof inner.toJSON === 'function') return undefined;
    seen.add(inner);
    if (Array.isArray(inner)) {
      for (let i = 0; i < inner.length; i++) {
        const found = walk(inner[i], `${path}[${i}]`);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    for (const key of Object.keys(inner)) {
      const found = walk(inner[key], path === '' ? key : `${path}.${key}`);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  try {
    return walk(value, '');
  } catch {
    // Nested too deeply to walk: JSON.stringify refused it already, or will.
    return undefined;
  }
}
