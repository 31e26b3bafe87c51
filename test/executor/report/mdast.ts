import type { Heading, Root, RootContent, Table } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

/** Reading a report back the way the wiki does: remark with GFM, then walking the tree. */
export function parse(markdown: string): Root {
  return unified().use(remarkParse).use(remarkGfm).parse(markdown);
}

/** The plain text of a node (text, inline code and children). */
export function plain(node: unknown): string {
  const n = node as { value?: unknown; children?: unknown[] };
  return typeof n.value === 'string' ? n.value : (n.children ?? []).map(plain).join('');
}

/** Headings as `## Summary`-like strings, in document order. */
export function headings(tree: Root): string[] {
  return tree.children
    .filter((n): n is Heading => n.type === 'heading')
    .map((h) => `${'#'.repeat(h.depth)} ${plain(h)}`);
}

/** The top-level nodes from a depth-2 heading up to the next depth-2 heading. */
export function section(tree: Root, title: string): RootContent[] {
  const start = tree.children.findIndex((n) => n.type === 'heading' && n.depth === 2 && plain(n) === title);
  if (start < 0) throw new Error(`no section ${title}`);
  const rest = tree.children.slice(start + 1);
  const end = rest.findIndex((n) => n.type === 'heading' && n.depth <= 2);
  return end < 0 ? rest : rest.slice(0, end);
}

/** A table's rows as arrays of cell texts, header row first. */
export function rows(table: RootContent | undefined): string[][] {
  if (table?.type !== 'table') throw new Error(`expected a table, got ${table?.type}`);
  return (table as Table).children.map((r) => r.children.map((c) => plain(c)));
}

/** The first table of a section. */
export function tableOf(tree: Root, title: string): string[][] {
  return rows(section(tree, title).find((n) => n.type === 'table'));
}
