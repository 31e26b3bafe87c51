import type { Nodes, Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { docsDir, homePage } from './links.js';
import { auditPage, withAuditLinks } from './wiki-audit-links.js';

/**
 * The wiki copy of `generated/docs` (issue 14), made at publish time by `runbook wiki-export`.
 *
 * `generated/docs` links the repository-browser way (links.ts): `Page.md#anchor`, `../../path`
 * for a repository file, `../../../../actions/…` for a GitHub page of the repository. On the wiki
 * a page is `/OWNER/REPO/wiki/Page` and the front page `/OWNER/REPO/wiki` (no trailing slash), so
 * no relative link reaches the same page from both (links.ts cites GitHub's behaviour). Each
 * internal link is resolved as the repository browser would resolve it, then written back
 * root-relative: `/OWNER/REPO/wiki/Page#anchor` for a page (the front page: `/OWNER/REPO/wiki`),
 * `/OWNER/REPO/blob/BRANCH/path` for a repository file, `/OWNER/REPO/…` for other GitHub pages.
 * Anchors are kept: GitHub gives wiki headings the same ids as repository files. Root-relative
 * wiki links are what GitHub's docs ask of a Markdown link to a wiki page ("the full URL to your
 * wiki page", "Editing wiki content"), minus the host, and what publishing tools write (the
 * wiki-from-folder action rewrites `[x](File.md)` to `[x](/owner/repo/wiki/file)`).
 *
 * Only the link destinations change: every other byte of a page is copied as it is, so a page
 * reads the same in both places.
 */

/** Where the wiki copy points: `OWNER/REPO` (GITHUB_REPOSITORY) and the branch the docs were built from. */
export interface WikiTarget {
  readonly repository: string;
  readonly branch: string;
}

/** One page: its name (`Runbook-x`, the file name without `.md`) and its Markdown. */
export interface WikiPage {
  readonly name: string;
  readonly content: string;
}

/** The wiki pages and the links that lead nowhere (a page that is not exported, a path above the repository). */
export interface WikiExport {
  readonly pages: WikiPage[];
  readonly problems: string[];
}

/** The only pages the export writes, so the only ones a later export may delete (others are hand-written). */
export const exportedPagePattern =
  /^(?:Home|_Sidebar|Directory|Library|(?:Runbook|BackupPlan|Checklist|Template|Drill)-[^/]+)\.md$/;

const repositoryPattern = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** Checks the target; the message says what is wrong (for the CLI). */
export function wikiTargetProblem(target: WikiTarget): string | undefined {
  if (!repositoryPattern.test(target.repository))
    return `--repository must be OWNER/REPO (as GITHUB_REPOSITORY is), not "${target.repository}"`;
  if (!target.branch || /[\s~^:?*[\\]/.test(target.branch)) return `--branch is not a branch name: "${target.branch}"`;
  return undefined;
}

/**
 * Every page with its links rewritten for the wiki; `problems` lists the broken ones. With
 * `auditPage` (the wiki already holds `Audit.md`), Home and the sidebar link it (wiki-audit-links.ts).
 */
export function wikiExport(
  pages: readonly WikiPage[],
  target: WikiTarget,
  o: { readonly auditPage?: boolean } = {},
): WikiExport {
  const names = new Set(pages.map((p) => p.name));
  if (o.auditPage) names.add(auditPage);
  const problems: string[] = [];
  const out = (o.auditPage ? withAuditLinks(pages) : pages).map((p) => ({
    name: p.name,
    content: rewriteLinks(p.content, (href) => {
      const rewritten = wikiHref(href, p.name, target, names);
      if (rewritten === undefined) problems.push(`${p.name}.md: the link "${href}" leads to no page or file`);
      return rewritten ?? href;
    }),
  }));
  return { pages: out, problems };
}

/** Placeholders: the resolution only needs the shape of the repository-browser URL. */
const repoBase = '/_owner/_repo/';
const blobBase = `${repoBase}blob/_branch/`;
const pagesBase = `${blobBase}${docsDir}/`;

/**
 * One link for the wiki: resolved against the page's repository-browser URL
 * (`/OWNER/REPO/blob/BRANCH/generated/docs/Page.md`) with WHATWG URL rules, then written
 * root-relative. Absolute URLs (`https:`, `tel:`, `mailto:`) and same-page anchors are left alone.
 * `undefined` when the link leads to no exported page or above the repository.
 */
export function wikiHref(
  href: string,
  page: string,
  target: WikiTarget,
  pages: ReadonlySet<string>,
): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//') || href.startsWith('#')) return href;
  const url = new URL(href, `https://github.invalid${pagesBase}${encodeURIComponent(page)}.md`);
  const path = url.pathname;
  const repo = `/${target.repository}/`;
  if (path.startsWith(pagesBase) && /^[^/]+\.md$/.test(path.slice(pagesBase.length))) {
    const name = decodeURIComponent(path.slice(pagesBase.length, -'.md'.length));
    if (!pages.has(name)) return undefined;
    return `${repo}wiki${name === homePage ? '' : `/${encodeURIComponent(name)}`}${url.hash}`;
  }
  if (path.startsWith(blobBase))
    return `${repo}blob/${encodeURI(target.branch)}/${path.slice(blobBase.length)}${url.hash}`;
  if (path.startsWith(repoBase)) return `${repo}${path.slice(repoBase.length)}${url.search}${url.hash}`;
  return undefined;
}

/** Node types whose `url` is a link destination written in the source. */
type WithUrl = Extract<Nodes, { url: string }>;

/**
 * Rewrites the destination of every link, image and definition of `markdown` with `map`, by
 * replacing exactly the destination's characters in the source (positions from remark-parse with
 * GFM, as GitHub parses the page), so nothing else moves.
 */
export function rewriteLinks(markdown: string, map: (href: string) => string): string {
  const tree: Root = unified().use(remarkParse).use(remarkGfm).parse(markdown);
  const edits: { start: number; end: number; text: string }[] = [];
  const visit = (node: Nodes): void => {
    if ('url' in node && node.position) {
      const at = destinationOf(markdown, node);
      const next = map(node.url);
      if (next !== node.url) {
        if (!at)
          throw new Error(`cannot find the destination of the link "${node.url}" at line ${node.position.start.line}`);
        edits.push({ ...at, text: /[\s<>()]/.test(next) ? `<${next}>` : next });
      }
    }
    if ('children' in node) for (const child of node.children) visit(child);
  };
  visit(tree);
  let out = markdown;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/**
 * Where a node's destination is in the source: after the label's `](` (links, images) or `]:`
 * (definitions), optionally in `<…>`. Only plain destinations (the url as written, no escapes)
 * are found; autolinks (`<https://…>`, bare URLs) are absolute and never rewritten.
 */
function destinationOf(markdown: string, node: WithUrl): { start: number; end: number } | undefined {
  const from = node.position!.start.offset!;
  const to = node.position!.end.offset!;
  const source = markdown.slice(from, to);
  const opener = node.type === 'definition' ? ']:' : '](';
  const labelEnd = node.type === 'definition' || node.type === 'image' ? 0 : labelEndOf(node, from);
  const open = source.indexOf(opener, labelEnd);
  if (open < 0) return undefined;
  let start = open + opener.length;
  while (/\s/.test(source[start] ?? '')) start++;
  const bracketed = source[start] === '<';
  if (bracketed) start++;
  const end = source.indexOf(node.url, start) === start ? start + node.url.length : -1;
  if (end < 0) return undefined;
  return { start: from + start - (bracketed ? 1 : 0), end: from + end + (bracketed ? 1 : 0) };
}

/** A link's label may itself hold `](` (in code); the destination starts after its last child. */
function labelEndOf(node: WithUrl, from: number): number {
  const children = 'children' in node ? node.children : [];
  const last = children[children.length - 1];
  return last?.position?.end.offset !== undefined ? last.position.end.offset - from : 0;
}
