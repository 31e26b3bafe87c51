import { describe, expect, it } from 'vitest';
import { findTrailingAttributes, parseAttributes } from '../../compiler/load/markdown-attributes.js';

const r = (start: number, end: number) => ({ start, end });

describe('parseAttributes', () => {
  it('parses #id, key=value, quoted values and flags with their ranges', () => {
    const text = '{#contain budget=15m title="Two words" parallel}';
    const { attributes, errors } = parseAttributes(text);
    expect(errors).toEqual([]);
    expect(attributes).toEqual([
      { key: 'id', value: 'contain', range: r(1, 9), keyRange: r(2, 9), valueRange: r(2, 9) },
      { key: 'budget', value: '15m', range: r(10, 20), keyRange: r(10, 16), valueRange: r(17, 20) },
      { key: 'title', value: 'Two words', range: r(21, 38), keyRange: r(21, 26), valueRange: r(28, 37) },
      { key: 'parallel', value: true, range: r(39, 47), keyRange: r(39, 47), valueRange: r(39, 47) },
    ]);
    expect(text.slice(17, 20)).toBe('15m');
    expect(text.slice(28, 37)).toBe('Two words');
  });

  it('accepts single quotes, escapes, extra spaces and x- keys', () => {
    const { attributes, errors } = parseAttributes(`{  id=a   title='it\\'s' x-team=dba note="say \\"hi\\""  }`);
    expect(errors).toEqual([]);
    expect(attributes.map((a) => [a.key, a.value])).toEqual([
      ['id', 'a'],
      ['title', "it's"],
      ['x-team', 'dba'],
      ['note', 'say "hi"'],
    ]);
  });

  it('accepts an empty block', () => {
    expect(parseAttributes('{}')).toEqual({ attributes: [], errors: [] });
    expect(parseAttributes('{ }')).toEqual({ attributes: [], errors: [] });
  });

  it('reports a missing value, an unterminated quote and stray characters at their ranges', () => {
    expect(parseAttributes('{budget= a}').errors).toEqual([{ message: 'missing value after =', range: r(1, 8) }]);
    expect(parseAttributes('{title="open a}').errors).toEqual([
      { message: 'unterminated quoted value', range: r(1, 14) },
    ]);
    expect(parseAttributes('{a=b"c" d}')).toEqual({
      attributes: [{ key: 'd', value: true, range: r(8, 9), keyRange: r(8, 9), valueRange: r(8, 9) }],
      errors: [{ message: 'unexpected character "\\""', range: r(4, 7) }],
    });
    expect(parseAttributes('{# x}').errors).toEqual([{ message: 'expected an id after #', range: r(1, 2) }]);
    expect(parseAttributes('{=x}').errors).toEqual([{ message: 'unexpected character "="', range: r(1, 3) }]);
  });

  it('reports a key set twice, #id and id= included', () => {
    const { attributes, errors } = parseAttributes('{#a id=b}');
    expect(attributes.map((a) => a.value)).toEqual(['a']);
    expect(errors).toEqual([{ message: 'attribute "id" is set twice', range: r(4, 8) }]);
  });

  it('requires braces', () => {
    expect(parseAttributes('id=a').errors).toHaveLength(1);
    expect(parseAttributes('{id=a').errors).toHaveLength(1);
  });
});

describe('findTrailingAttributes', () => {
  it('finds the block at the end of a heading', () => {
    expect(findTrailingAttributes('Contain {#contain budget=15m}')).toEqual(r(8, 29));
    expect(findTrailingAttributes('Contain {#contain}  ')).toEqual(r(8, 18));
  });

  it('ignores braces that are not at the end, and template expressions', () => {
    expect(findTrailingAttributes('Use {x} here')).toBeUndefined();
    expect(findTrailingAttributes('Fail over to {{inputs.region}}')).toBeUndefined();
    expect(findTrailingAttributes('Fail over to {{inputs.region}} {#fail-over}')).toEqual(r(31, 43));
  });
});
