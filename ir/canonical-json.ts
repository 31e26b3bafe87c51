import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level: the same value always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  // Written directly (no sorted copy of the value): plan hashes run over every graph of a compile.
  const direct = encode(value);
  return direct === unusual ? JSON.stringify(sortKeys(value)) : (direct as string);
}

/** Returned by `encode` for what it leaves to `JSON.stringify(sortKeys(…))`, the definition. */
const unusual = Symbol('unusual');

/**
 * Exactly `JSON.stringify(sortKeys(value))` (undefined: omitted, or `null` in an array), or
 * `unusual` for the rare inputs whose result depends on JSON.stringify details not repeated here:
 * BigInt, a `toJSON` or `__proto__` key, and array-index keys (which JSON.stringify puts first).
 */
function encode(value: unknown): string | undefined | typeof unusual {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item = encode(value[i]);
          if (item === unusual) return unusual;
          out += (i ? ',' : '') + (item ?? 'null');
        }
        return out + ']';
      }
      const keys = Object.keys(value).sort();
      let out = '{';
      for (const key of keys) {
        if (key === '__proto__' || key === 'toJSON' || arrayIndex.test(key)) return unusual;
        const item = encode((value as Record<string, unknown>)[key]);
        if (item === unusual) return unusual;
        if (item === undefined) continue;
        out += (out.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + item;
      }
      return out + '}';
    }
    case 'bigint':
      return unusual;
    default:
      return undefined; // undefined, functions, symbols
  }
}

const arrayIndex = /^(?:0|[1-9]\d*)$/;

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
