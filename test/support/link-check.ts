import type { Heading, Nodes, Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

/**
 * Checks every internal link of a set of wiki pages the way a browser follows it on GitHub:
 * `new URL(href, pageUrl)` from each URL a page is served at, then "is there something there?".
 *
 * - Repository browser: `https://github.com/o/r/blob/main/generated/docs/Page.md`.
 * - Wiki: `https://github.com/o/r/wiki/Page`; Home is also (first of all) the front page
 *   `https://github.com/o/r/wiki`, without a trailing slash; `_Sidebar` and `_Footer` are shown on
 *   every page, so they are checked from the front page and from a page below `/wiki/`.
 *
 * A target is a page (`generated/docs/X.md` or `/wiki/X`), with its anchor among the page's heading
 * slugs (GitHub's rules, below) or explicit `id`/`name` anchors; a repository file
 * (`blob/main/<path>`, checked on disk); or a generated workflow's Actions page
 * (`/o/r/actions/workflows/<file>`, checked as `.github/workflows/<file>`). Anything else is broken.
 */

export const site = 'https://github.com';
export const repo = '/o/r';

const parser = unified().use(remarkParse).use(remarkGfm);

export interface BrokenLink {
  readonly page: string;
  readonly from: string;
  readonly href: string;
  readonly why: string;
}

function walk(node: Nodes, visit: (n: Nodes) => void): void {
  visit(node);
  if ('children' in node) for (const c of node.children as Nodes[]) walk(c, visit);
}

function textOf(node: Nodes): string {
  if (node.type === 'html') return '';
  if ('value' in node && typeof node.value === 'string') return node.value;
  return 'children' in node ? (node.children as Nodes[]).map(textOf).join('') : '';
}

/** Every link destination of a page: links, images, definitions and `href="…"` in raw HTML. */
export function hrefsOf(markdown: string): string[] {
  const out: string[] = [];
  walk(parser.parse(markdown), (n) => {
    if ('url' in n) out.push(n.url);
    if (n.type === 'html') for (const m of n.value.matchAll(/\bhref="([^"]*)"/g)) out.push(m[1]);
  });
  return out;
}

/**
 * GitHub's heading ids (github-slugger, which GitHub's renderer matches): lower case, every
 * character that is not a letter, mark, number, connector punctuation, space or hyphen removed,
 * spaces turned into hyphens; a repeated slug gets `-1`, `-2`, … in document order.
 */
export function anchorsOf(markdown: string): Set<string> {
  const cached = anchorCache.get(markdown);
  if (cached) return cached;
  const root: Root = parser.parse(markdown);
  const seen = new Map<string, number>();
  const out = new Set<string>();
  walk(root, (n) => {
    if (n.type === 'html') for (const m of n.value.matchAll(/\b(?:id|name)="([^"]+)"/g)) out.add(m[1]);
    if (n.type !== 'heading') return;
    const base = textOf(n as Heading)
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count ? `${base}-${count}` : base);
  });
  anchorCache.set(markdown, out);
  return out;
}

/** Pages are parsed once for their anchors, however many links point at them. */
const anchorCache = new Map<string, Set<string>>();

/** The URLs a page is served at in each scheme. */
export function servedAt(scheme: 'repository' | 'wiki', page: string): string[] {
  if (scheme === 'repository') return [`${site}${repo}/blob/main/generated/docs/${page}.md`];
  if (page === 'Home') return [`${site}${repo}/wiki`, `${site}${repo}/wiki/Home`];
  if (page === '_Sidebar' || page === '_Footer') return [`${site}${repo}/wiki`, `${site}${repo}/wiki/Directory`];
  return [`${site}${repo}/wiki/${page}`];
}

/** Whether a repository path (`runbooks/x.yaml`, `.github/workflows/x.yml`) exists. */
export type Exists = (path: string) => boolean;

/** What a resolved URL points at: a page (and anchor), or a reason it is broken; undefined when it exists. */
function targetProblem(
  url: URL,
  scheme: 'repository' | 'wiki',
  pages: ReadonlyMap<string, string>,
  exists: Exists,
): string | undefined {
  if (url.origin !== site) return undefined; // tel:, mailto:, other sites: not ours to check
  const path = decodeURIComponent(url.pathname);
  const docs = `${repo}/blob/main/generated/docs/`;
  let page: string | undefined;
  if (scheme === 'repository' && path.startsWith(docs) && path.endsWith('.md')) page = path.slice(docs.length, -3);
  else if (scheme === 'wiki' && path === `${repo}/wiki`) page = 'Home';
  else if (scheme === 'wiki' && path.startsWith(`${repo}/wiki/`)) page = path.slice(`${repo}/wiki/`.length);
  if (page !== undefined) {
    const text = pages.get(page);
    if (text === undefined) return `no page ${page}`;
    const anchor = decodeURIComponent(url.hash.slice(1));
    return anchor && !anchorsOf(text).has(anchor) ? `no heading #${anchor} in ${page}` : undefined;
  }
  if (path.startsWith(`${repo}/blob/main/`))
    return exists(path.slice(`${repo}/blob/main/`.length)) ? undefined : 'no such repository file';
  if (path.startsWith(`${repo}/actions/workflows/`))
    return exists(`.github/workflows/${path.slice(`${repo}/actions/workflows/`.length)}`)
      ? undefined
      : 'no such workflow';
  return 'not a page, a repository file or a workflow';
}

/** Every broken link of `pages` (name → Markdown) in one scheme. */
export function brokenLinks(
  pages: ReadonlyMap<string, string>,
  scheme: 'repository' | 'wiki',
  exists: Exists,
): BrokenLink[] {
  const out: BrokenLink[] = [];
  for (const [page, text] of pages) {
    const hrefs = hrefsOf(text);
    for (const from of servedAt(scheme, page)) {
      for (const href of hrefs) {
        const why = targetProblem(new URL(href, from), scheme, pages, exists);
        if (why) out.push({ page, from, href, why });
      }
    }
  }
  return out;
}

/** How many links were checked (so a test can tell "none broken" from "none found"). */
export function internalLinkCount(pages: ReadonlyMap<string, string>): number {
  let n = 0;
  for (const text of pages.values()) n += hrefsOf(text).filter((h) => !/^[a-z][a-z0-9+.-]*:/i.test(h)).length;
  return n;
}
