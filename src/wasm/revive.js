// Turns the SDK date fields of a parsed reply into JS Dates, in JS itself (a walk
// from wasm would cross the boundary once per key). Custom fields are user data
// and are left alone.
const DATE_KEYS = new Set(['_createdDate', '_updatedDate', 'lastLoginDate', 'eventTime', 'nextAttemptDate', 'lastUsedDate']);

export function reviveDates(value) {
  if (Array.isArray(value)) {
    for (const item of value) reviveDates(item);
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const inner = value[key];
      if (DATE_KEYS.has(key) && typeof inner === 'string') value[key] = new Date(inner);
      else if (key !== 'customFields' && inner !== null && typeof inner === 'object') reviveDates(inner);
    }
  }
  return value;
}
