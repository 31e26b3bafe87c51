import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { markdownBlocks } from '../../common/markdown/mdast-builders.js';
import { yamlText } from '../../compiler/emit/docs/yaml-text.js';
import { fallbacksOf } from '../../compiler/emit/docs/step-fallback.js';
import type { IrGraph, IrNode } from '../../ir/types.js';

/**
 * The docs emitter keeps what it already worked out (parsed Markdown by text, YAML by value,
 * fallbacks by graph) because pages repeat them. A kept answer must be the answer: these check
 * the cases where keeping could go wrong. The golden pages and test/emit/direct-serialiser.test.ts
 * check the pages as a whole.
 */
describe('docs memos give the same answer as working it out again', () => {
  it('markdownBlocks hands out a fresh copy each time, so a caller may change its blocks', () => {
    const text = 'Confirm the **order service** answers in `us-west-2`.';
    const first = markdownBlocks(text);
    const expected = structuredClone(first);
    // summary-box.ts builds on the first paragraph it gets; the next caller must not see that.
    (first[0] as { children: unknown[] }).children.unshift({ type: 'text', value: 'changed ' });
    const second = markdownBlocks(text);
    expect(second).toEqual(expected);
    expect(second[0]).not.toBe(first[0]);
  });

  it('yamlText prints every value as yaml stringify does, kept or not', () => {
    const shared = { region: 'us-west-2' };
    const values: unknown[] = [
      { url: '<secret DR_DATABASE_URL>', sql: 'select 1', n: 1, ok: true, none: null },
      { url: '<secret DR_DATABASE_URL>', sql: 'select 1', n: 1, ok: true, none: null }, // kept
      { n: '1' }, // a string, not the number 1
      { n: 1 },
      { n: -0 },
      { n: 0 },
      { n: Number.NaN },
      { n: Number.POSITIVE_INFINITY },
      { a: { region: 'us-west-2' }, b: { region: 'us-west-2' } },
      // Same JSON as the value above, but one object twice: YAML prints an anchor and an alias.
      { a: shared, b: shared },
      { list: [shared, shared] },
      { list: [{ region: 'us-west-2' }, { region: 'us-west-2' }] },
      { when: new Date(0) },
      { multi: 'line one\nline two\n', quoted: 'yes', empty: '' },
    ];
    for (const value of values) {
      const expected = stringify(value, { lineWidth: 0 });
      expect(yamlText(value), JSON.stringify(value)).toBe(expected);
      expect(yamlText(value), JSON.stringify(value)).toBe(expected);
    }
  });

  it('fallbacksOf answers per graph, in graph order, and a changed graph gets its own answer', () => {
    const node = (id: string, condition?: string): IrNode => ({ id, if: condition }) as unknown as IrNode;
    const failed = (id: string) => `{{eq steps.${id}.status "failed"}}`;
    const graph = {
      nodes: [node('a'), node('b', failed('a')), node('c', failed('a')), node('d', '{{not inputs.rehearsal}}')],
    } as unknown as IrGraph;
    expect(fallbacksOf(graph, 'a').map((n) => n.id)).toEqual(['b', 'c']);
    expect(fallbacksOf(graph, 'a').map((n) => n.id)).toEqual(['b', 'c']);
    expect(fallbacksOf(graph, 'b')).toEqual([]);
    expect(fallbacksOf(graph, 'd')).toEqual([]);
    const other = { nodes: [node('a'), node('e', failed('a'))] } as unknown as IrGraph;
    expect(fallbacksOf(other, 'a').map((n) => n.id)).toEqual(['e']);
  });
});
