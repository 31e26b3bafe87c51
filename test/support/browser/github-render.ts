import type { Code, Heading, Html, Nodes, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import rehypeStringify from 'rehype-stringify';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';

/**
 * GitHub's heading anchors (github-slugger's algorithm; neither github-slugger nor rehype-slug is
 * installed here): lower-case, drop every character that is not a letter, mark, decimal or letter
 * number, connector punctuation (`_`), `-` or space (Ruby's `[^\p{Word}\- ]`, which GitHub's
 * renderer uses), spaces become `-`; a repeated slug gets `-1`, `-2`, … in document order.
 */
export function githubSlugger(): (text: string) => string {
  const seen = new Map<string, number>();
  return (text) => {
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    let slug = base;
    while (seen.has(slug)) {
      const n = seen.get(base)! + 1;
      seen.set(base, n);
      slug = `${base}-${n}`;
    }
    seen.set(slug, 0);
    return slug;
  };
}

/** GitHub's HTML sanitiser prefixes every `id` and `name` in user content so it cannot clash with the site's. */
export const userContent = (id: string) => `user-content-${id}`;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function walk(node: Nodes, visit: (n: Nodes) => void): void {
  visit(node);
  if ('children' in node) for (const child of node.children as Nodes[]) walk(child, visit);
}

/**
 * The mdast as GitHub treats it: headings get their prefixed anchor ids, and ```mermaid blocks
 * become `<div class="mermaid">` for Mermaid to render (GitHub renders them as diagrams, not code).
 */
function githubTransforms(tree: Root): string[] {
  const slug = githubSlugger();
  const ids: string[] = [];
  walk(tree, (n) => {
    if (n.type === 'heading') {
      const id = userContent(slug(toString(n as Heading)));
      ids.push(id);
      n.data = { ...n.data, hProperties: { ...n.data?.hProperties, id } };
    } else if (n.type === 'code' && (n as Code).lang === 'mermaid') {
      const html = n as unknown as Html;
      html.type = 'html';
      html.value = `<div class="mermaid">${escapeHtml((n as Code).value)}</div>`;
    } else if (n.type === 'html') {
      // Raw HTML anchors (`<a id="step-2-3">`), prefixed as GitHub's sanitiser does (the page's
      // script prefixes them in the DOM too).
      for (const m of n.value.matchAll(/\s(?:id|name)\s*=\s*"([^"]+)"/g)) ids.push(userContent(m[1]));
    }
  });
  return ids;
}

/** A page's HTML body (GFM) and the anchor ids it has once rendered. */
export interface RenderedMarkdown {
  readonly html: string;
  readonly ids: ReadonlySet<string>;
}

/** GitHub-flavoured Markdown to HTML: remark-parse + remark-gfm → remark-rehype → rehype-stringify. */
export function renderMarkdown(markdown: string): RenderedMarkdown {
  let ids: string[] = [];
  const processor = unified()
    .use(remarkParse)
    .use(remarkGfm)
    .use(() => (tree: Root) => void (ids = githubTransforms(tree)))
    .use(remarkRehype, { allowDangerousHtml: true })
    .use(rehypeStringify, { allowDangerousHtml: true });
  const html = String(processor.processSync(markdown));
  return { html, ids: new Set(ids) };
}
