/**
 * A copy of an expression context whose strings, at any depth, went through `escape`: the
 * Template or parameter that reads it is rendered as written, and every value it interpolates is
 * escaped for the output format. Keys are identifiers and stay as they are.
 */
export function escapeData<T>(value: T, escape: (text: string) => string): T {
  if (typeof value === 'string') return escape(value) as T;
  if (Array.isArray(value)) return value.map((v) => escapeData(v, escape)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = escapeData(v, escape);
    return out as T;
  }
  return value;
}
