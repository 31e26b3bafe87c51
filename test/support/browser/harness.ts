import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { allFindings, type Finding, type Inspection } from './checks.js';
import { launchChromium, type Chromium } from './chromium.js';
import { renderMarkdown, type RenderedMarkdown } from './github-render.js';
import { pageHtml, serveAssets, viewportWidth, type Theme } from './page-html.js';
import { pagePath, type Scheme, type Site } from './site.js';
import { startStaticServer, type StaticServer } from './static-server.js';

const inspectSource = readFileSync(join(import.meta.dirname, 'inspect.browser.js'), 'utf8');

/** One browser and one loopback server for a whole test file. */
export interface Harness {
  readonly chromium: Chromium;
  readonly server: StaticServer;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const server = await startStaticServer();
  serveAssets(server);
  const chromium = await launchChromium().catch(async (e: unknown) => {
    await server.close();
    throw e;
  });
  return {
    chromium,
    server,
    close: async () => {
      await chromium.close();
      await server.close();
    },
  };
}

/** A set of pages (name → Markdown), rendered once, with the anchors each has and the repository's files. */
export interface PageSet extends Site {
  readonly rendered: ReadonlyMap<string, RenderedMarkdown>;
}

export function pageSet(markdown: ReadonlyMap<string, string>, exists: (path: string) => boolean): PageSet {
  const rendered = new Map([...markdown].map(([name, md]) => [name, renderMarkdown(md)]));
  return { rendered, anchors: new Map([...rendered].map(([name, r]) => [name, r.ids])), exists };
}

/** What a page showed: Mermaid's errors, console/page/network errors, and what the checks read. */
export interface PageResult {
  readonly thrown: string[];
  readonly consoleErrors: string[];
  readonly inspection: Inspection;
  readonly findings: Finding[];
}

/** Loads one page of the set in one theme where GitHub shows it, checks it, and saves a full-page screenshot if asked. */
export async function checkPage(
  h: Harness,
  set: PageSet,
  where: { page: string; theme: Theme; scheme: Scheme; screenshot?: string },
): Promise<PageResult> {
  const { page, theme, scheme, screenshot } = where;
  const rendered = set.rendered.get(page);
  if (!rendered) throw new Error(`no page ${page} in the set`);
  const path = pagePath(scheme, page);
  h.server.put(path, { type: 'text/html; charset=utf-8', body: pageHtml(page, rendered.html, theme) });
  const tab = await h.chromium.browser.newPage();
  const consoleErrors: string[] = [];
  tab.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(`console error: ${m.text()}`)));
  tab.on('pageerror', (e) => void consoleErrors.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
  tab.on('requestfailed', (r) => void consoleErrors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  try {
    await tab.setViewport({ width: viewportWidth, height: 900 });
    await tab.goto(h.server.origin + path, { waitUntil: 'load' });
    const thrown = (await tab.evaluate('window.__rendered')) as string[];
    const inspection = (await tab.evaluate(inspectSource)) as Inspection;
    if (screenshot) {
      mkdirSync(dirname(screenshot), { recursive: true });
      await tab.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
    }
    const o = { page, theme, scheme, thrown, consoleErrors, inspection };
    return { ...o, findings: allFindings(o, h.server.origin, set) };
  } finally {
    await tab.close();
  }
}
