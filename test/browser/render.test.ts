import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumUnavailable } from '../support/browser/chromium.js';
import { effectiveTextPx, textContrast, type Check, type Finding } from '../support/browser/checks.js';
import { parseColor } from '../support/browser/contrast.js';
import { githubSlugger } from '../support/browser/github-render.js';
import {
  checkPage,
  pageSet,
  startHarness,
  type Harness,
  type PageResult,
  type PageSet,
} from '../support/browser/harness.js';
import { libraryWiki, type LibraryWiki } from '../support/browser/library-wiki.js';
import { themes, type Theme } from '../support/browser/page-html.js';
import type { Scheme } from '../support/browser/site.js';
import { syntheticPages } from '../support/browser/synthetic-pages.js';
import { repo } from '../support/library-root.js';

/**
 * The wiki as GitHub shows it (issue 14, item 7): generated pages rendered as GFM with GitHub's
 * Markdown CSS and Mermaid 11, light and dark, in Debian's Chromium at GitHub's ~900 px content
 * width. Fails on any Mermaid error, console or page error, diagram text below 11 px, diagram
 * text contrast below 4.5:1, or internal link to a page or anchor that does not exist.
 * Screenshots: test-results/browser/<page>-<theme>.png (the README's testing section names it).
 */
const screenshots = join(repo, 'test-results', 'browser');
const report = (findings: readonly Finding[]) => findings.map((f) => `  ${f.message}`).join('\n') || '  (none)';
const checksOf = (findings: readonly Finding[]) => [...new Set(findings.map((f) => f.check))].sort();

// One browser and server for the whole file, stopped even when tests fail or are filtered out.
// The library's pages (a demo drill and a compile, in child processes) are made meanwhile.
let harness: Harness;
let wikiReady: Promise<LibraryWiki> | undefined;
if (!chromiumUnavailable) {
  beforeAll(async () => {
    wikiReady = libraryWiki();
    wikiReady.catch(() => undefined); // awaited (and reported) by the suite that uses it
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.close();
    (await wikiReady?.catch(() => undefined))?.cleanup();
  });
}

const skipped = chromiumUnavailable ? ` (skipped: ${chromiumUnavailable})` : '';

describe.skipIf(chromiumUnavailable)(`browser render: the checks catch what they are for${skipped}`, () => {
  let set: PageSet;
  const results = new Map<string, PageResult>();
  beforeAll(() => void (set = pageSet(syntheticPages, (path) => existsSync(join(repo, path)))));
  const check = async (page: string, theme: Theme = 'light', scheme: Scheme = 'repository') => {
    const key = `${page}-${theme}-${scheme}`;
    if (!results.has(key)) results.set(key, await checkPage(harness, set, { page, theme, scheme }));
    return results.get(key)!;
  };
  const only = async (page: string, expected: Check) => {
    const r = await check(page);
    expect(checksOf(r.findings), report(r.findings)).toEqual([expected]);
    return r.findings;
  };

  it('passes a page that is fine, in both themes', async () => {
    for (const theme of themes) {
      const r = await check('Fixture-ok', theme);
      expect(r.findings, report(r.findings)).toEqual([]);
      expect(r.inspection.diagrams).toHaveLength(1);
      expect(r.inspection.diagrams[0].texts?.map((t) => t.text)).toHaveLength(4);
    }
  });

  it('flags a diagram scaled below readable text', async () => {
    const [f] = await only('Fixture-wide', 'scale');
    expect(f.message).toMatch(
      /^Fixture-wide \(light, repository\): scale: diagram 1 \(flowchart-v2\) is \d+ px wide, drawn at 900 px/,
    );
    const d = (await check('Fixture-wide')).inspection.diagrams[0];
    expect(effectiveTextPx(d)).toBeLessThan(11);
  });

  it('flags diagram text below readable size in a diagram that is not scaled down (Gantt ticks)', async () => {
    const [f] = await only('Fixture-small-text', 'scale');
    expect(f.message).toMatch(
      /^Fixture-small-text \(light, repository\): scale: diagram 1 \(gantt\) has \d+ text\(s\) below 11 px/,
    );
    expect(f.message).toMatch(/reads as 10\.0 px$/);
  });

  it('flags diagram text below 4.5:1 against the shape behind it', async () => {
    const findings = await only('Fixture-contrast', 'contrast');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(/"Pale gate label": #cccccc on #ffffe0 \(.+\) is 1\.\d\d:1/);
  });

  it('flags links to a missing page, anchor or file, not the good or external ones', async () => {
    const findings = await only('Fixture-links', 'link');
    const docs = '/o/r/blob/main/generated/docs';
    expect(findings.map((f) => f.message)).toEqual([
      `Fixture-links (light, repository): link: link "no such page" (No-Such-Page.md): ${docs}/No-Such-Page.md is no page of the set (no No-Such-Page)`,
      'Fixture-links (light, repository): link: link "no such anchor" (Fixture-target.md#no-such-heading): page Fixture-target has no anchor #no-such-heading',
      'Fixture-links (light, repository): link: link "no such file" (../../runbooks/no-such-runbook.yaml): no repository file /o/r/blob/main/runbooks/no-such-runbook.yaml',
    ]);
  });

  it("flags a relative link on the wiki's front page, served at /o/r/wiki without a slash", async () => {
    const r = await check('Home', 'light', 'wiki');
    expect(r.findings.map((f) => f.message)).toEqual([
      'Home (light, wiki): link: link "relative" (Fixture-target): /o/r/Fixture-target is no page, repository file or workflow',
    ]);
  });

  it('flags a Mermaid syntax error', async () => {
    const findings = (await check('Fixture-syntax')).findings;
    expect(
      findings.some((f) => f.check === 'mermaid'),
      report(findings),
    ).toBe(true);
  });

  it('flags console errors (a resource that fails to load)', async () => {
    const findings = await only('Fixture-console', 'console');
    expect(findings[0].message).toMatch(/missing-image\.png|404/);
  });

  it("makes heading anchors as GitHub does (github-slugger's cases)", () => {
    const slug = githubSlugger();
    const headings = ['Drill history', 'Hello, World!', 'foo_bar', 'Über uns', '⛔ Point of no return', '2.3 Promote'];
    expect([...headings, 'Drill history'].map(slug)).toEqual([
      'drill-history',
      'hello-world',
      'foo_bar',
      'über-uns',
      '-point-of-no-return',
      '23-promote',
      'drill-history-1',
    ]);
  });

  it('computes WCAG contrast as the W3C defines it', () => {
    const black = parseColor('rgb(0, 0, 0)')!;
    const text = { text: 'x', color: 'rgb(255, 255, 255)', opacity: 1, where: 'node', layers: [] };
    expect(textContrast(text, black)).toMatchObject({ ratio: 21 });
    const grey = { ...text, color: 'rgb(118, 118, 118)' };
    expect((textContrast(grey, parseColor('rgb(255, 255, 255)')!) as { ratio: number }).ratio).toBeCloseTo(4.54, 2);
  });
});

describe.skipIf(chromiumUnavailable)(`browser render: the generated wiki pages${skipped}`, () => {
  let wiki: LibraryWiki | undefined;
  const sets = new Map<Scheme, PageSet>();
  beforeAll(async () => {
    wiki = await wikiReady!;
    sets.set('repository', pageSet(wiki.repositoryPages, wiki.exists));
    sets.set('wiki', pageSet(wiki.wikiPages, wiki.exists));
  }, 120_000);

  // Every page in both themes as the repository browser shows generated/docs (screenshots of
  // these), and once more on the wiki, where the front page's URL changes what links resolve to.
  const pages = ['Home', 'Library', 'Runbook-primary-region-failure', 'Checklist-dr-drill', 'drill report'];
  const cases = [
    ...pages.flatMap((page) => themes.map((theme) => ({ page, theme, scheme: 'repository' as Scheme }))),
    ...pages.map((page) => ({ page, theme: 'light' as Theme, scheme: 'wiki' as Scheme })),
  ];
  for (const c of cases)
    it(`${c.page}, ${c.theme}, ${c.scheme}: no errors, readable diagrams, working links`, async (ctx) => {
      const page = c.page === 'drill report' ? wiki!.drillPage : c.page;
      if (!page) return ctx.skip(wiki!.noDrill);
      const shot =
        c.scheme === 'repository' ? `${page.replace(/^Drill-.*/, 'Drill-report')}-${c.theme}.png` : undefined;
      const r = await checkPage(harness, sets.get(c.scheme)!, {
        page,
        theme: c.theme,
        scheme: c.scheme,
        screenshot: shot && join(screenshots, shot),
      });
      const source = c.scheme === 'wiki' ? ` [wiki pages: ${wiki!.wikiSource}]` : '';
      console.log(measurements(`${page} (${c.theme}, ${c.scheme})${source}`, r));
      expect(r.findings, `${page} (${c.theme}, ${c.scheme})${source}:\n${report(r.findings)}`).toEqual([]);
    });
});

/** What the page measured, for the log: each diagram's width, scale and lowest label contrast. */
function measurements(what: string, r: PageResult): string {
  const background = parseColor(r.inspection.background)!;
  const diagrams = r.inspection.diagrams.map((d) => {
    const ratios = (d.texts ?? [])
      .map((t) => textContrast(t, background))
      .map((c) => (typeof c === 'string' ? 0 : c.ratio));
    // Informational: the smallest text actually drawn (Gantt axis ticks, say), scaled like the diagram.
    const scale = (d.renderedWidth ?? 0) / (d.viewBoxWidth || 1);
    const smallest = Math.min(...(d.texts ?? []).map((t) => (t.fontSize ?? 16) * scale));
    return (
      `diagram ${d.index + 1} (${d.kind}): ${Math.round(d.viewBoxWidth ?? 0)} px → ${Math.round(d.renderedWidth ?? 0)} px, ` +
      `text ${effectiveTextPx(d).toFixed(1)} px (smallest ${smallest.toFixed(1)} px), ${ratios.length} labels, ` +
      `lowest contrast ${Math.min(...ratios).toFixed(2)}:1`
    );
  });
  return [`${what}: ${r.inspection.links.length} links`, ...diagrams, `${r.findings.length} finding(s)`].join('\n  ');
}
