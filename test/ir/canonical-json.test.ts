import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256 } from '../../ir/canonical-json.js';
import { createHash } from 'node:crypto';

/**
 * canonicalJson is written directly for speed (audit verify hashes every record with it), but
 * journals and plan hashes already written must keep verifying: its bytes must be exactly those
 * of the former definition, JSON.stringify of a copy with sorted keys, kept here as the reference.
 */
function reference(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}
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

const repo = join(import.meta.dirname, '..', '..');

describe('canonicalJson', () => {
  const cases: [string, unknown][] = [
    ['primitives', [null, true, false, 0, -0, 1.5, 1e21, 1e-7, -3, 'a"b\\c\n\u2028\u0000é😀', '']],
    ['non-finite numbers', { a: NaN, b: Infinity, c: [-Infinity] }],
    [
      'undefined, functions and symbols',
      { a: undefined, b: () => 1, c: Symbol('s'), d: [undefined, () => 1, Symbol('t')] },
    ],
    // eslint-disable-next-line no-sparse-arrays
    ['sparse arrays', [1, , 3]],
    ['key order and nesting', { b: { z: 1, a: [{ y: 2, x: 1 }] }, a: 0, '10': 'ten', '2': 'two', é: 1, B: 2 }],
    ['a Date and a Map', { when: new Date(0), map: new Map([['k', 1]]) }],
    ['a __proto__ key from JSON', JSON.parse('{"__proto__": {"x": 1}, "a": 1}')],
    ['a __proto__ primitive from JSON', JSON.parse('{"__proto__": 5, "b": [1]}')],
    [
      'integer-like keys',
      { '4294967295': 'not an index', '4294967294': 'last index', '01': 'x', '-1': 'y', '1.5': 'z', 7: 7, '0': 0 },
    ],
    ['empty containers', { a: {}, b: [], c: [[]] }],
  ];
  it.each(cases)('gives the bytes of the former definition: %s', (_name, value) => {
    expect(canonicalJson(value)).toBe(reference(value));
  });

  it('gives the same bytes for every compiled graph of the library', () => {
    const dir = join(repo, 'generated', 'graphs');
    for (const name of readdirSync(dir)) {
      const graph = JSON.parse(readFileSync(join(dir, name), 'utf8'));
      expect(canonicalJson(graph)).toBe(reference(graph));
    }
  });

  it('hashes as createHash does', () => {
    for (const text of ['', 'abc', 'é😀'.repeat(1000)])
      expect(sha256(text)).toBe(createHash('sha256').update(text).digest('hex'));
  });
});
