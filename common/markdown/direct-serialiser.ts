import type { Heading, List, ListItem, Paragraph, Parents, Root, RootContent, Table } from 'mdast';
import type { ConstructName, Info, State } from 'mdast-util-to-markdown';
import { phrasing, withStack } from './direct-phrasing.js';

/**
 * A direct serialiser for the block structure of the generated pages (headings, paragraphs, GFM
 * tables, tight lists and task lists, fenced code, HTML, thematic breaks), printing exactly what
 * `mdast-util-to-markdown` (with remark-gfm, `bullet: '-'`, `fences: true`, `rule: '-'`) prints.
 * Why: the library's generic machinery (trackers, joins, attention solving) was ~80 % of the wiki
 * page time. Escaping stays the library's: `state` is a real serialiser state (mdast-builders.ts
 * captures it) and escapes with the construct stack this file keeps.
 *
 * Any node type or shape not handled here makes `serialiseDirect` return undefined, and the
 * caller then serialises the whole page with the library: output can never differ silently. The
 * golden and fuzz tests (test/emit/direct-serialiser.test.ts) compare both on every page.
 */

const unsupported = new Error('unsupported by the direct serialiser');

interface Context {
  readonly state: State;
  bulletCurrent: string | undefined;
  bulletLastUsed: string | undefined;
}

const flowInfo: Info = { before: '\n', after: '\n', now: { line: 1, column: 1 }, lineShift: 0 };

/** The page as the library prints it, or undefined when it holds something not handled here. */
export function serialiseDirect(state: State, root: Root): string | undefined {
  if (root.children.some((c) => isPhrasing(c))) return undefined;
  const ctx: Context = { state, bulletCurrent: undefined, bulletLastUsed: undefined };
  try {
    const result = flow(ctx, root, []);
    const last = result.charCodeAt(result.length - 1);
    return result && last !== 10 && last !== 13 ? result + '\n' : result;
  } catch (e) {
    if (e === unsupported) return undefined;
    throw e;
  }
}

function isPhrasing(node: RootContent): boolean {
  return ['text', 'strong', 'emphasis', 'inlineCode', 'link', 'break', 'delete', 'image'].includes(node.type);
}

/** `containerFlow`: children joined by the library's own join rules. */
function flow(ctx: Context, parent: Parents, stack: ConstructName[]): string {
  const children = parent.children as RootContent[];
  let out = '';
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    out += block(ctx, child, parent, stack);
    if (child.type !== 'list') ctx.bulletLastUsed = undefined;
    if (i < children.length - 1) out += between(ctx.state, child, children[i + 1], parent);
  }
  return out;
}

function between(state: State, left: RootContent, right: RootContent, parent: Parents): string {
  let index = state.join.length;
  while (index--) {
    const result = state.join[index](left as never, right as never, parent as never, state);
    if (result === true || result === 1) break;
    if (typeof result === 'number') return '\n'.repeat(1 + result);
    if (result === false) return '\n\n<!---->\n\n';
  }
  return '\n\n';
}

function block(ctx: Context, node: RootContent, parent: Parents, stack: ConstructName[]): string {
  switch (node.type) {
    case 'paragraph':
      return paragraph(ctx, node, parent, stack);
    case 'heading':
      return heading(ctx, node, stack);
    case 'list':
      return list(ctx, node, stack);
    case 'listItem':
      return listItem(ctx, node, parent, stack);
    case 'table':
      return table(ctx, node, stack);
    case 'code':
    case 'html':
    case 'thematicBreak':
      // Leaf blocks: the library's handler alone, which reads nothing but the stack.
      return withStack(ctx.state, [...stack], () =>
        ctx.state.handlers[node.type](node as never, parent, ctx.state, flowInfo),
      );
    default:
      throw unsupported;
  }
}

function paragraph(ctx: Context, node: Paragraph, parent: Parents, stack: ConstructName[]): string {
  const value = phrasing(ctx.state, node, [...stack, 'paragraph', 'phrasing'], '\n', '\n');
  // GFM task lists print the check before the item's first paragraph.
  if (parent.type !== 'listItem' || typeof parent.checked !== 'boolean' || parent.children[0] !== node) return value;
  if (node.children.length === 0) throw unsupported;
  return '[' + (parent.checked ? 'x' : ' ') + '] ' + value;
}

function heading(ctx: Context, node: Heading, stack: ConstructName[]): string {
  // Setext only for a depth 1-2 heading with a line break inside: not handled.
  if (node.depth < 3 && JSON.stringify(node.children).match(/\\n|\\r|"break"/)) throw unsupported;
  const sequence = '#'.repeat(Math.max(Math.min(6, node.depth || 1), 1));
  const value = phrasing(ctx.state, node, [...stack, 'headingAtx', 'phrasing'], '# ', '\n');
  // A leading space or tab would become a character reference.
  if (/^[ \t]/.test(value)) throw unsupported;
  return value ? sequence + ' ' + value : sequence;
}

function list(ctx: Context, node: List, stack: ConstructName[]): string {
  let bullet = node.ordered ? '.' : '-';
  const first = node.children[0] as ListItem | undefined;
  // Lists whose first item is empty, or with an item starting with a thematic break: not handled.
  if (!first || first.children.length === 0) throw unsupported;
  if (node.children.some((item) => item.children[0]?.type === 'thematicBreak')) throw unsupported;
  if (ctx.bulletLastUsed && bullet === ctx.bulletLastUsed) bullet = node.ordered ? ')' : '*';
  const saved = ctx.bulletCurrent;
  ctx.bulletCurrent = bullet;
  const value = flow(ctx, node, [...stack, 'list']);
  ctx.bulletLastUsed = bullet;
  ctx.bulletCurrent = saved;
  return value;
}

function listItem(ctx: Context, node: ListItem, parent: Parents, stack: ConstructName[]): string {
  let bullet = ctx.bulletCurrent ?? '-';
  if (parent.type === 'list' && parent.ordered) {
    const start = typeof parent.start === 'number' && parent.start > -1 ? parent.start : 1;
    bullet = String(start + parent.children.indexOf(node)) + bullet;
  }
  const size = bullet.length + 1;
  const value = flow(ctx, node, [...stack, 'listItem']);
  // `indentLines` with the list item's map.
  return value
    .split(/(\r?\n|\r)/)
    .map((part, i) => {
      if (i % 2) return part;
      const line = i / 2;
      if (line) return (part ? ' '.repeat(size) : '') + part;
      return (part ? bullet + ' '.repeat(size - bullet.length) : bullet) + part;
    })
    .join('');
}

/** A GFM table (`markdown-table` with padding and aligned delimiters), every column unaligned. */
function table(ctx: Context, node: Table, stack: ConstructName[]): string {
  const columns = node.align?.length ?? 0;
  if (!columns || node.children.length === 0 || node.align!.some((a) => a !== null && a !== undefined))
    throw unsupported;
  if (node.children.some((row) => row.children.length !== columns)) throw unsupported;
  const cellStack: ConstructName[] = [...stack, 'table', 'tableRow', 'tableCell', 'phrasing'];
  const matrix = node.children.map((row) => row.children.map((cell) => phrasing(ctx.state, cell, cellStack, '|', '|')));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(1, ...matrix.map((row) => row[c].length)));
  const line = (cells: readonly string[]) =>
    '|' + cells.map((cell, c) => ' ' + cell + ' '.repeat(widths[c] - cell.length) + ' |').join('');
  const delimiter = widths.map((w) => '-'.repeat(w));
  return [line(matrix[0]), line(delimiter), ...matrix.slice(1).map(line)].join('\n');
}
