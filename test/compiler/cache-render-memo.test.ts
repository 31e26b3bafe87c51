import { Scalar } from 'yaml';
import { describe, expect, it } from 'vitest';
import { inputKey, renderWithMemo, type EmitMemo } from '../../compiler/cache/emit-memo.js';

/** A memo holding whole-tree files only, as the compile cache's `whole.json` does. */
function wholeMemo(): EmitMemo {
  const known = new Map<string, { key: string; content: string }>();
  return {
    reuse: () => undefined,
    reuseFile: () => undefined,
    record: () => undefined,
    reuseWhole: (emitter, path, key) => {
      const k = known.get(`${emitter}\0${path}`);
      return k?.key === key ? k.content : undefined;
    },
    recordWhole: (emitter, path, key, content) => known.set(`${emitter}\0${path}`, { key, content }),
  };
}

const quoted = (value: string, type: Scalar.Type) => Object.assign(new Scalar(value), { type });

describe('renderWithMemo keys a render by its whole input', () => {
  it('renders once for equal inputs and again for a changed one', () => {
    const memo = wholeMemo();
    let renders = 0;
    const render = (input: unknown) => renderWithMemo(memo, 'e', 'p', input, () => `r${++renders}`);
    expect(render({ a: [1, 'x'] })).toBe('r1');
    expect(render({ a: [1, 'x'] })).toBe('r1');
    expect(render({ a: [1, 'y'] })).toBe('r2');
    expect(renderWithMemo(undefined, 'e', 'p', { a: [1, 'y'] }, () => 'no memo')).toBe('no memo');
  });

  it('tells apart what plain JSON would not', () => {
    const pairs: [unknown, unknown][] = [
      [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ], // key order is output order
      [[undefined], [null]],
      [{ a: undefined }, {}],
      [[Number.NaN], [null]],
      [[-0], [0]],
      [quoted('x', Scalar.QUOTE_DOUBLE), quoted('x', Scalar.QUOTE_SINGLE)], // a yaml Scalar's quoting
      [new Scalar('x'), 'x'],
      [{ v: '1' }, { v: 1 }],
    ];
    for (const [a, b] of pairs) expect(inputKey(a), JSON.stringify([a, b])).not.toBe(inputKey(b));
    expect(inputKey({ a: [quoted('x', Scalar.QUOTE_DOUBLE)] })).toBe(
      inputKey({ a: [quoted('x', Scalar.QUOTE_DOUBLE)] }),
    );
  });

  it('refuses inputs it cannot key', () => {
    expect(() => inputKey({ f: () => 1 })).toThrow(/cannot be keyed/);
    expect(() => inputKey(new Map())).toThrow(/cannot be keyed/);
  });
});
