import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Root } from 'mdast';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { createDocsContext } from '../../compiler/emit/docs/docs-context.js';
import { directoryPage } from '../../compiler/emit/docs/directory-page.js';
import { docsEmitter } from '../../compiler/emit/docs/index.js';
import { runbookPage } from '../../compiler/emit/docs/runbook-page.js';
import { serialise, serialiseDirectly, serialiseWithLibrary } from '../../common/markdown/mdast-builders.js';
// @ts-expect-error: plain JS module without types (the bench's corpus generator).
import { generateCorpus } from '../../bench/corpus.js';
import { breather } from '../support/breathe.js';

/**
 * The direct serialiser (common/markdown/direct-serialiser.ts) must print every page byte for byte
 * as mdast-util-to-markdown does, or hand the page back (undefined). Here: every page of the
 * library, the docs fixture and a generated 100-runbook corpus must take the direct path AND equal
 * the library's output, and so must every other page the docs emitter writes (Home, the sidebar,
 * Checklists, Templates, drill reports); random trees of Markdown-special text must equal it or
 * fall back. (The run reports of executor/report/ print with remark-stringify alone.)
 */
const corpus = mkdtempSync(join(tmpdir(), 'direct-serialiser-'));
afterAll(() => rmSync(corpus, { recursive: true, force: true }));
const repo = join(import.meta.dirname, '..', '..');

/** Every tree the docs emitter hands to `serialise`, while `capture.on`. */
const capture = vi.hoisted(() => ({ on: false, trees: [] as Root[] }));
vi.mock('../../common/markdown/mdast-builders.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../common/markdown/mdast-builders.js')>();
  return {
    ...real,
    serialise: (tree: Root) => {
      if (capture.on) capture.trees.push(structuredClone(tree));
      return real.serialise(tree);
    },
  };
});

/** The trees of every page the docs emitter writes for the tree at `root`, with their paths. */
function emittedPages(root: string): { paths: string[]; trees: Root[] } {
  const result = compileTree(root);
  const workers = process.env.RUNBOOK_WORKERS;
  process.env.RUNBOOK_WORKERS = '0'; // graph pages built here, not on worker threads, so all are seen
  capture.on = true;
  try {
    const paths = docsEmitter.emit(result).map((f) => f.path);
    return { paths, trees: capture.trees.splice(0) };
  } finally {
    capture.on = false;
    if (workers === undefined) delete process.env.RUNBOOK_WORKERS;
    else process.env.RUNBOOK_WORKERS = workers;
  }
}

function pages(root: string): [string, Root][] {
  const result = compileTree(root);
  const ctx = createDocsContext(result, 'wiki');
  return [
    ...result.graphs.map((g): [string, Root] => [g.name, runbookPage(ctx, g)]),
    ['directory', directoryPage(ctx)],
  ];
}

describe('direct Markdown serialiser', { timeout: 240_000 }, () => {
  it('prints every page of the library, the docs fixture and a 100-runbook corpus as the library does', async () => {
    const breath = breather();
    generateCorpus(corpus, { runbooks: 100, steps: 20 });
    const roots = [repo, join(repo, 'test', 'fixtures', 'docs'), corpus];
    let compared = 0;
    for (const root of roots) {
      for (const [name, tree] of pages(root)) {
        await breath();
        const direct = serialiseDirectly(tree);
        // The generated pages hold nothing the direct path hands back: it must really be taken.
        expect(direct, `${name}: fell back to the library`).toBeTypeOf('string');
        expect(direct, name).toBe(serialiseWithLibrary(tree));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(110);
  });

  it('prints every page the docs emitter writes as the library does, taking the direct path', async () => {
    const breath = breather();
    const roots = [repo, join(repo, 'test', 'fixtures', 'docs'), join(repo, 'test', 'fixtures', 'drills', 'tree')];
    const kinds = new Set<string>();
    for (const root of roots) {
      const { paths, trees } = emittedPages(root);
      expect(trees.length, root).toBe(paths.length); // one serialised tree per page written
      for (const path of paths) kinds.add(/^generated\/docs\/(_?[A-Za-z]+)/.exec(path)?.[1] ?? path);
      for (const tree of trees) {
        await breath();
        const direct = serialiseDirectly(structuredClone(tree));
        expect(direct, `a page of ${root} fell back to the library`).toBeTypeOf('string');
        expect(direct).toBe(serialiseWithLibrary(structuredClone(tree)));
      }
    }
    const every = [
      'Home',
      '_Sidebar',
      'Directory',
      'Library',
      'Runbook',
      'BackupPlan',
      'Checklist',
      'Template',
      'Drill',
    ];
    expect([...kinds].sort()).toEqual(every.sort());
  });

  it('prints Markdown-special text in every construct as the library does', () => {
    const samples = [
      'a*b_c',
      '*lead',
      '_x_',
      'snake_case_name',
      '[x](y)',
      '<div>',
      'a < b > c',
      '# not a heading',
      'end #',
      'a | b',
      'back\\slash',
      '\\*',
      '`tick`',
      '``',
      '1. one',
      '2) two',
      '- dash',
      '+ plus',
      '-- x',
      '&amp; & &#x61;',
      '<!-- c -->',
      '!',
      '![i](j)',
      ' lead space',
      'trail space ',
      'www.x.y a@b.c http://x',
      '~~strike~~',
      '=',
      '> quote',
      ':-',
      '|-',
      'é😀',
      '**',
      'Action:',
    ];
    let direct = 0;
    for (const s of samples) {
      for (const tree of treesAround(s)) {
        const out = serialiseDirectly(structuredClone(tree));
        if (out !== undefined) direct++;
        const library = serialiseWithLibrary(structuredClone(tree));
        expect(out ?? library, `${JSON.stringify(s)} in ${JSON.stringify(tree)}`).toBe(library);
        expect(serialise(structuredClone(tree))).toBe(library);
      }
    }
    // Most of these are handled directly (escaping through the library's own `safe`).
    expect(direct).toBeGreaterThan(samples.length * 8);
  });

  it('prints random trees of escape-prone phrasing as the library does, or falls back', async () => {
    const breath = breather();
    let seed = 20261205;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
    const pieces = ['a', 'Z', '9', ' ', '*', '_', '`', '#', '-', '+', '.', ')', '[', ']', '!', '<', '>', '&', '|', ':'];
    const words = ['1.', '- ', '# ', '<div>', '&amp;', '\\', 'http://x.y', 'a_b', '**', 'é', ' · ', 'x:'];
    const str = (): string => {
      let s = '';
      for (let n = 1 + Math.floor(rand() * 8); n > 0; n--) s += rand() < 0.25 ? pick(words) : pick(pieces);
      return s;
    };
    type Node = Record<string, unknown>;
    const leaf = (): Node => {
      const r = rand();
      if (r < 0.25) return { type: 'inlineCode', value: str() };
      if (r < 0.32) return { type: 'link', url: pick(['https://x.y', 'Page', 'a b', str()]), children: [leaf()] };
      return { type: 'text', value: str() };
    };
    // Inline HTML as the pages use it (a step heading's anchor) and as a stray tag.
    const html = (): Node => ({ type: 'html', value: pick(['<a id="x"></a>', '<br>', '<!-- c -->', str()]) });
    const attention = (): Node => ({
      type: pick(['strong', 'emphasis']),
      children: [leaf(), ...(rand() < 0.3 ? [leaf()] : [])],
    });
    const kids = (): Node[] =>
      Array.from({ length: 1 + Math.floor(rand() * 4) }, () => {
        const r = rand();
        return r < 0.25 ? attention() : r < 0.32 ? html() : leaf();
      });
    let direct = 0;
    for (let i = 0; i < 2000; i++) {
      await breath();
      const inline = kids();
      const trees = [
        root({ type: 'paragraph', children: inline }),
        root({ type: 'heading', depth: 1 + (i % 6), children: inline }),
        root(tableOf(inline)),
        root(listOf(inline, pick([null, false, true]), rand() < 0.3)),
      ];
      for (const tree of trees) {
        const out = serialiseDirectly(structuredClone(tree));
        const library = serialiseWithLibrary(structuredClone(tree));
        if (out !== undefined) direct++;
        expect(out ?? library, JSON.stringify(tree)).toBe(library);
      }
    }
    expect(direct).toBeGreaterThan(4000);
  });
});

function root(...children: object[]): Root {
  return { type: 'root', children } as Root;
}

function tableOf(inline: object[]): object {
  const row = (cells: object[][]) => ({
    type: 'tableRow',
    children: cells.map((c) => ({ type: 'tableCell', children: c })),
  });
  return {
    type: 'table',
    align: [null, null],
    children: [row([[{ type: 'text', value: 'h' }], []]), row([inline, inline])],
  };
}

function listOf(inline: object[], checked: boolean | null, ordered: boolean): object {
  const item = (children: object[]) => ({ type: 'listItem', spread: false, checked, children });
  const nested = {
    type: 'list',
    ordered: false,
    spread: false,
    children: [item([{ type: 'paragraph', children: inline }])],
  };
  return {
    type: 'list',
    ordered,
    spread: false,
    children: [
      item([{ type: 'paragraph', children: inline }, nested]),
      item([{ type: 'paragraph', children: inline }]),
    ],
  };
}

/** One text in a paragraph, heading, table cell, task list item, strong, emphasis, link label, next to HTML. */
function treesAround(s: string): Root[] {
  const t = (value: string) => ({ type: 'text', value });
  const inlines = [
    [t(s)],
    [t('x '), t(s)],
    [t(s), { type: 'inlineCode', value: 'c' }],
    [t('Owner: '), { type: 'strong', children: [t(s)] }, t(' after')],
    [{ type: 'strong', children: [t('Key:')] }, t(' ' + s)],
    [{ type: 'link', url: 'Page-' + s.replace(/\s/g, '-'), children: [t(s)] }, t(s)],
    [{ type: 'emphasis', children: [t(s)] }],
    [t(s), { type: 'emphasis', children: [t(s)] }, t(s)],
    [{ type: 'html', value: '<a id="x"></a>' }, t(s)],
    [t(s + '\n'), { type: 'html', value: '<div>' }, t(s)],
  ];
  return inlines.flatMap((inline) => [
    root({ type: 'paragraph', children: inline }),
    root({ type: 'heading', depth: 2, children: inline }, { type: 'heading', depth: 3, children: inline }),
    root(tableOf(inline)),
    root(listOf(inline, false, false), listOf(inline, null, true)),
  ]);
}
