import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumUnavailable } from '../support/browser/chromium.js';
import { effectiveTextPx, textContrast, type Check, type Finding } from '../support/browser/checks.js';
import { parseColor } from '../support/browser/contrast.js';
import {
  checkPage,
  startHarness,
  wikiSet,
  type Harness,
  type PageResult,
  type WikiSet,
} from '../support/browser/harness.js';
import { libraryWiki, type LibraryWiki } from '../support/browser/library-wiki.js';
import { themes, type Theme } from '../support/browser/page-html.js';
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
let harness: Harness;
if (!chromiumUnavailable) {
  beforeAll(async () => void (harness = await startHarness()));
  afterAll(async () => harness?.close());
}

const skipped = chromiumUnavailable ? ` (skipped: ${chromiumUnavailable})` : '';

describe.skipIf(chromiumUnavailable)(`browser render: the checks catch what they are for${skipped}`, () => {
  let set: WikiSet;
  const results = new Map<string, PageResult>();
  beforeAll(() => void (set = wikiSet(syntheticPages)));
  const check = async (page: string, theme: Theme = 'light') => {
    const key = `${page}-${theme}`;
    if (!results.has(key)) results.set(key, await checkPage(harness, set, page, theme));
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
      /^Fixture-wide \(light\): scale: diagram 1 \(flowchart-v2\) is \d+ px wide, drawn at 900 px/,
    );
    const d = (await check('Fixture-wide')).inspection.diagrams[0];
    expect(effectiveTextPx(d)).toBeLessThan(11);
  });

  it('flags diagram text below 4.5:1 against the shape behind it', async () => {
    const findings = await only('Fixture-contrast', 'contrast');
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(/"Pale gate label": #cccccc on #ffffe0 \(.+\) is 1\.\d\d:1/);
  });

  it('flags links to a missing page and to a missing anchor, not the good or external ones', async () => {
    const findings = await only('Fixture-links', 'link');
    expect(findings.map((f) => f.message)).toEqual([
      'Fixture-links (light): link: link "no such page" (No-Such-Page) resolves to /wiki/No-Such-Page, which is no page of the wiki',
      'Fixture-links (light): link: link "no such anchor" (Fixture-target#no-such-heading): page Fixture-target has no anchor #no-such-heading',
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
  let set: WikiSet;
  beforeAll(async () => {
    wiki = await libraryWiki();
    set = wikiSet(wiki.pages);
  }, 120_000);
  afterAll(() => wiki?.cleanup());

  const pages = ['Home', 'Runbook-primary-region-failure', 'Checklist-dr-drill', 'drill report'];
  for (const page of pages)
    for (const theme of themes)
      it(`${page}, ${theme}: renders without errors, readable diagrams, working links`, async (ctx) => {
        const name = page === 'drill report' ? wiki!.drillPage : page;
        if (!name) return ctx.skip(wiki!.noDrill);
        const r = await checkPage(
          harness,
          set,
          name,
          theme,
          join(screenshots, `${name.replace(/^Drill-.*/, 'Drill-report')}-${theme}.png`),
        );
        console.log(measurements(name, theme, r));
        expect(r.findings, `${name} (${theme}):\n${report(r.findings)}`).toEqual([]);
      });
});

/** What the page measured, for the log: each diagram's width, scale and lowest label contrast. */
function measurements(page: string, theme: Theme, r: PageResult): string {
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
  return [
    `${page} (${theme}): ${r.inspection.links.length} links`,
    ...diagrams,
    `${r.findings.length} finding(s)`,
  ].join('\n  ');
}
