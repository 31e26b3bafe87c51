import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTree } from '../../compiler/compile.js';
import { repoFileHref, workflowHref } from '../../compiler/emit/docs/links.js';
import { rewriteLinks, wikiExport, wikiHref } from '../../compiler/emit/docs/wiki-export.js';
import { emitters } from '../../compiler/emit/index.js';
import { brokenLinks, internalLinkCount, type Exists } from '../support/link-check.js';

/**
 * Issue 14, item 4: every internal link of every generated page works where people read the pages.
 * In the repository browser (`/o/r/blob/main/generated/docs/Page.md`) as committed, and on the
 * wiki (`/o/r/wiki/Page`, and the front page `/o/r/wiki` without a trailing slash) as
 * `runbook wiki-export` publishes them. Each link is followed with `new URL(href, pageUrl)`, as a
 * browser does, and must reach a page (and a heading of it), a repository file or a workflow.
 */
const repoRoot = join(import.meta.dirname, '..', '..');
const target = { repository: 'o/r', branch: 'main' };

interface Corpus {
  readonly pages: Map<string, string>;
  readonly exists: Exists;
}

/** The library's committed `generated/docs` and this checkout's files. */
function library(): Corpus {
  const dir = join(repoRoot, 'generated', 'docs');
  const pages = new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .map((f) => [f.slice(0, -3), readFileSync(join(dir, f), 'utf8')] as const),
  );
  return { pages, exists: (p) => existsSync(join(repoRoot, p)) };
}

/** A fixture tree compiled in memory: its docs pages, and its files plus everything the compiler would write. */
function compiled(tree: string): Corpus {
  const result = compileTree(tree);
  const files = emitters.flatMap((e) => e.emit(result));
  const paths = new Set(files.map((f) => f.path));
  const pages = new Map(
    files
      .filter((f) => f.path.startsWith('generated/docs/'))
      .map((f) => [f.path.slice('generated/docs/'.length, -3), f.content] as const),
  );
  return { pages, exists: (p) => paths.has(p) || existsSync(join(tree, p)) };
}

function exported(corpus: Corpus): Map<string, string> {
  const out = wikiExport(
    [...corpus.pages].map(([name, content]) => ({ name, content })),
    target,
  );
  expect(out.problems).toEqual([]);
  return new Map(out.pages.map((p) => [p.name, p.content]));
}

const corpora: [string, () => Corpus][] = [
  ['the library (generated/docs)', library],
  ['the docs fixture', () => compiled(join(repoRoot, 'test', 'fixtures', 'docs'))],
  ['the drills fixture (Drill pages, anchors)', () => compiled(join(repoRoot, 'test', 'fixtures', 'drills', 'tree'))],
];

describe.each(corpora)('links of %s', (_, load) => {
  const corpus = load();

  it('has internal links to check', () => {
    expect(internalLinkCount(corpus.pages)).toBeGreaterThan(10);
  });

  it('all work in the repository browser, as committed', () => {
    expect(brokenLinks(corpus.pages, 'repository', corpus.exists)).toEqual([]);
  });

  it('all work on the wiki, front page and sidebar included, as wiki-export publishes them', () => {
    expect(brokenLinks(exported(corpus), 'wiki', corpus.exists)).toEqual([]);
  });

  it('would not all work on the wiki as committed (why the export exists)', () => {
    expect(brokenLinks(corpus.pages, 'wiki', corpus.exists).length).toBeGreaterThan(0);
  });
});

describe('wikiHref', () => {
  const pages = new Set(['Home', 'Directory', 'Runbook-a']);
  const at = (href: string, page = 'Runbook-a') => wikiHref(href, page, target, pages);

  it('makes page links root-relative, the front page /wiki, anchors kept', () => {
    expect(at('Directory.md')).toBe('/o/r/wiki/Directory');
    expect(at('Runbook-a.md#step-2-3')).toBe('/o/r/wiki/Runbook-a#step-2-3');
    expect(at('Home.md#drill-history')).toBe('/o/r/wiki#drill-history');
    expect(at('./Directory.md', 'Home')).toBe('/o/r/wiki/Directory');
  });

  it('points repository files at the branch and GitHub pages at the repository', () => {
    expect(at(repoFileHref('runbooks/a.yaml'))).toBe('/o/r/blob/main/runbooks/a.yaml');
    expect(at(workflowHref('.github/workflows/runbook-a.yml'))).toBe('/o/r/actions/workflows/runbook-a.yml');
    expect(wikiHref('../../x.md', 'Home', { repository: 'o/r', branch: 'release/1' }, pages)).toBe(
      '/o/r/blob/release/1/x.md',
    );
  });

  it('leaves absolute URLs and same-page anchors alone', () => {
    for (const href of ['tel:+15550100', 'mailto:a@b.c', 'https://example.com/x', '#facts'])
      expect(at(href)).toBe(href);
  });

  it('finds links that lead nowhere', () => {
    expect(at('Nope.md')).toBeUndefined();
    expect(at('../../../../../elsewhere')).toBeUndefined();
    const out = wikiExport([{ name: 'Home', content: '[x](Nope.md)\n' }], target);
    expect(out.problems).toEqual(['Home.md: the link "Nope.md" leads to no page or file']);
  });
});

describe('rewriteLinks', () => {
  it('changes only link destinations: tables, titles, <…> destinations, code and text stay byte for byte', () => {
    const page = [
      '<!-- generated -->',
      '# Title',
      '',
      '| A | B |',
      '| - | - |',
      '| [one](Directory.md) | `[not](Directory.md)` |',
      '',
      'See [**two**](<Runbook-a.md#x> "t") and [tel](tel:+1), ![i](../../img.png).',
      '',
      '[ref]: Home.md',
      '',
    ].join('\n');
    const out = rewriteLinks(page, (h) => (h.startsWith('tel:') ? h : `/w/${h}`));
    expect(out).toBe(
      page
        .replace('[one](Directory.md)', '[one](/w/Directory.md)')
        .replace('(<Runbook-a.md#x> "t")', '(/w/Runbook-a.md#x "t")')
        .replace('![i](../../img.png)', '![i](/w/../../img.png)')
        .replace('[ref]: Home.md', '[ref]: /w/Home.md'),
    );
  });
});
