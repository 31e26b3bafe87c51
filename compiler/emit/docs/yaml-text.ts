import { stringify } from 'yaml';

/**
 * YAML text of a step's parameters, as the page shows them (`lineWidth: 0`: never folded).
 * Steps of a library repeat the same parameters (once expressions are placeholders), and the
 * `yaml` stringifier was a tenth of a page's time, so texts are kept by the value's JSON.
 */
export function yamlText(value: unknown): string {
  const key = jsonKey(value);
  const known = key === undefined ? undefined : texts.get(key);
  if (known !== undefined) return known;
  const text = stringify(value, { lineWidth: 0 });
  if (key !== undefined) {
    if (texts.size >= textsCap) texts.clear();
    texts.set(key, text);
  }
  return text;
}

const texts = new Map<string, string>();
const textsCap = 4096;

/**
 * A key that tells apart every two values YAML prints differently, or undefined (not cached).
 * JSON does for strings, finite numbers, booleans, null, arrays and plain objects (key order
 * kept). Anything else (undefined, NaN, ±Infinity, -0, dates, ...) JSON would merge with another
 * value, and an object met twice YAML prints as an anchor and an alias: such values are not cached.
 */
function jsonKey(value: unknown): string | undefined {
  return plainTree(value, new Set()) ? JSON.stringify(value) : undefined;
}

function plainTree(value: unknown, seen: Set<object>): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  if (Array.isArray(value)) return value.every((v) => plainTree(v, seen));
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value as Record<string, unknown>).every((v) => plainTree(v, seen));
}
