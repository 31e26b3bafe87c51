import { join } from 'node:path';
import type { Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { createDocsContext } from '../../compiler/emit/docs/docs-context.js';
import { serialise } from '../../common/markdown/mdast-builders.js';
import { runbookPage } from '../../compiler/emit/docs/runbook-page.js';
import { breather } from '../support/breathe.js';

/**
 * `serialise` installs fast paths for the `text` and `inlineCode` handlers
 * (compiler/emit/docs/fast-handlers.ts) that must never change a byte: here its output is
 * compared with a plain remark-stringify of the same configuration, on real pages and on random
 * trees full of the characters Markdown escapes (in paragraphs, headings, table cells, lists,
 * links, emphasis, block quotes).
 */
const plain = unified().use(remarkGfm).use(remarkStringify, { bullet: '-', fences: true, rule: '-' });
const reference = (tree: Root): string => plain.stringify(structuredClone(tree));

// CPU-bound: tens of seconds on a loaded machine, so a generous timeout.
describe('docs serialiser fast paths', { timeout: 120_000 }, () => {
  it('print every graph page of the library and the docs fixture as remark-stringify does', () => {
    for (const root of [join(import.meta.dirname, '..', '..'), join(import.meta.dirname, '..', 'fixtures', 'docs')]) {
      const result = compileTree(root);
      const ctx = createDocsContext(result, 'wiki');
      for (const graph of result.graphs) {
        const tree = runbookPage(ctx, graph);
        expect(serialise(tree), graph.name).toBe(reference(tree));
      }
    }
  });

  it('print random trees of escape-prone text as remark-stringify does', async () => {
    const breath = breather();
    let seed = 20261122;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
    const chars = [
      'a',
      'Z',
      '0',
      '9',
      ' ',
      ' ',
      '\t',
      '\n',
      '\r',
      '*',
      '_',
      '`',
      '~',
      '#',
      '-',
      '+',
      '.',
      ')',
      '(',
      '[',
      ']',
      '!',
      '<',
      '>',
      '&',
      '|',
      ':',
      '=',
      '@',
      '/',
      '\\',
      '"',
      "'",
      'w',
      'p',
      's',
      '{',
      '}',
      'é',
      '😀',
      '\u0000',
      '\u007f',
      '$',
      ';',
      '^',
    ];
    const words = [
      'www.',
      'http://',
      'https://x.y',
      'a@b.c',
      '&amp;',
      '&#x61;',
      '1.',
      '1)',
      '- ',
      '* ',
      '# ',
      '> ',
      '```',
      '~~~',
      '<div>',
      '<!--',
      '[x]',
      '](',
      '\\*',
      '__',
      '**',
      '  ',
      '\n\n',
      '\n#',
      '\n-',
      '|-',
      ':-',
      'Action:',
      ' · ',
      '—',
    ];
    const str = (max = 12): string => {
      let s = '';
      for (let n = Math.floor(rand() * max); n > 0; n--) s += rand() < 0.2 ? pick(words) : pick(chars);
      return s;
    };
    type Node = Record<string, unknown>;
    const phrasing = (depth: number): Node => {
      const r = rand();
      if (depth < 3 && r < 0.12) return { type: 'strong', children: kids(depth + 1) };
      if (depth < 3 && r < 0.2) return { type: 'emphasis', children: kids(depth + 1) };
      if (depth < 3 && r < 0.24) return { type: 'delete', children: kids(depth + 1) };
      if (depth < 3 && r < 0.3)
        return { type: 'link', url: pick(['https://x.y', 'mailto:a@b.c', 'Page', str()]), children: kids(depth + 1) };
      if (r < 0.5) return { type: 'inlineCode', value: str() };
      if (r < 0.52) return { type: 'break' };
      return { type: 'text', value: str(16) };
    };
    const kids = (depth: number): Node[] => Array.from({ length: 1 + Math.floor(rand() * 4) }, () => phrasing(depth));
    const block = (depth: number): Node => {
      const r = rand();
      if (r < 0.3) return { type: 'paragraph', children: kids(0) };
      if (r < 0.4) return { type: 'heading', depth: 1 + Math.floor(rand() * 6), children: kids(0) };
      if (r < 0.55) {
        const cols = 1 + Math.floor(rand() * 3);
        const row = () => ({
          type: 'tableRow',
          children: Array.from({ length: cols }, () => ({ type: 'tableCell', children: kids(0) })),
        });
        return { type: 'table', align: Array(cols).fill(null), children: [row(), row(), row()] };
      }
      if (depth < 2 && r < 0.7) {
        return {
          type: 'list',
          ordered: rand() < 0.3,
          spread: false,
          children: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({
            type: 'listItem',
            spread: false,
            checked: pick([null, null, false, true]),
            children: [block(depth + 1)],
          })),
        };
      }
      if (depth < 2 && r < 0.78) return { type: 'blockquote', children: [block(depth + 1)] };
      if (r < 0.86) return { type: 'code', lang: pick([null, 'sh', 'yaml']), meta: null, value: str(20) };
      return { type: 'paragraph', children: kids(0) };
    };
    for (let i = 0; i < 3000; i++) {
      await breath();
      const tree = {
        type: 'root',
        children: Array.from({ length: 1 + Math.floor(rand() * 4) }, () => block(0)),
      } as unknown as Root;
      expect(serialise(structuredClone(tree)), JSON.stringify(tree)).toBe(reference(tree));
    }
  });
});
