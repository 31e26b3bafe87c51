import type { Blockquote, Code, Heading, List, RootContent } from 'mdast';
import type { Range, SourceFile } from '../source/source-file.js';
import { isApproval } from './markdown-approval.js';
import { findTrailingAttributes } from './markdown-attributes.js';
import { put, structureError, type Draft, type LoadContext } from './markdown-draft.js';
import { applyAttributes } from './markdown-fields.js';
import { isTaskList } from './markdown-tasks.js';
import {
  fenceOf,
  headingContent,
  nodeRange,
  normaliseNewlines,
  slice,
  trimRange,
  type Fence,
} from './markdown-tree.js';

/** What a top-level block means inside a section. */
export type Block =
  | { readonly kind: 'run'; readonly node: Code; readonly fence: Fence }
  | { readonly kind: 'yaml'; readonly node: Code; readonly fence: Fence }
  | { readonly kind: 'tasks'; readonly node: List }
  | { readonly kind: 'approval'; readonly node: Blockquote }
  | { readonly kind: 'prose'; readonly node: RootContent };

/** Shell languages whose fenced blocks are commands (`shell` is GitHub's alias for the same). */
const shells = new Set(['sh', 'bash', 'shell']);

/**
 * Classifies a block: a ```` ```sh ```` / ```` ```bash ```` block is a command, ```` ```yaml step ````
 * holds step fields, a task list is a checklist, `> [!APPROVAL]` a gate. Everything else —
 * paragraphs, plain lists, tables, `####` headings, other code blocks (```` ```sql ````, plain
 * ```` ```yaml ````) — is prose for the description.
 */
export function classify(file: SourceFile, node: RootContent): Block {
  if (node.type === 'code') {
    const fence = fenceOf(file, node);
    if (fence && shells.has(fence.lang)) return { kind: 'run', node, fence };
    if (fence && (fence.lang === 'yaml' || fence.lang === 'yml') && /^step(\s|$)/.test(slice(file, fence.info)))
      return { kind: 'yaml', node, fence };
  }
  if (node.type === 'list' && isTaskList(node)) return { kind: 'tasks', node };
  if (node.type === 'blockquote' && isApproval(file, node)) return { kind: 'approval', node };
  return { kind: 'prose', node };
}

/** Where to point when a whole block is misplaced: its first line, not twenty lines of script. */
export function blockHead(file: SourceFile, block: Block): Range {
  if (block.kind === 'run' || block.kind === 'yaml') return block.fence.openLine;
  const { start, end } = nodeRange(block.node);
  const nl = file.text.indexOf('\n', start);
  return trimRange(file, { start, end: nl < 0 || nl > end ? end : nl });
}

export function describeBlock(block: Block): string {
  switch (block.kind) {
    case 'run':
      return `a \`\`\`${block.fence.lang} command block`;
    case 'yaml':
      return 'a ```yaml step block';
    case 'tasks':
      return 'a task list';
    case 'approval':
      return 'an [!APPROVAL] block';
    default:
      return 'this block';
  }
}

/** A heading's title (attribute block stripped) and its position. */
export interface HeadingInfo {
  readonly title: string;
  readonly titleRange: Range;
  /** The heading's text, attributes included: where a derived id points. */
  readonly content: Range;
  /** The whole heading line, for errors about a heading without text. */
  readonly range: Range;
}

/**
 * Reads a `##` / `###` heading into `draft`: `title` (as written, Markdown kept) and the fields of a
 * trailing `{#id key=value flag}` block.
 */
export function applyHeading(
  ctx: LoadContext,
  draft: Draft,
  heading: Heading,
  allowed: Parameters<typeof applyAttributes>[3],
): HeadingInfo {
  const content = headingContent(heading);
  const text = slice(ctx.file, content);
  const attrs = findTrailingAttributes(text);
  const titleRange = trimRange(ctx.file, { start: content.start, end: content.start + (attrs?.start ?? text.length) });
  // A setext heading may span lines; a title is one line.
  const title = normaliseNewlines(slice(ctx.file, titleRange)).replace(/\s*\n\s*/g, ' ');
  if (title !== '') put(draft, 'title', title, titleRange);
  if (attrs)
    applyAttributes(ctx, draft, { start: content.start + attrs.start, end: content.start + attrs.end }, allowed);
  else if (/\{[^{}]*$/.test(text) && !text.includes('{{'))
    structureError(
      ctx,
      content,
      'unclosed attribute block in heading',
      'write {#id key=value flag} at the end of the heading',
    );
  return { title, titleRange, content, range: nodeRange(heading) };
}

/**
 * The info string after a command block's language must be an attribute block. Returns its range,
 * or undefined when there is none (reported when the text is something else).
 */
export function infoAttributes(ctx: LoadContext, fence: Fence): Range | undefined {
  const info = slice(ctx.file, fence.info);
  if (info === '') return undefined;
  if (info.startsWith('{') && info.endsWith('}')) return fence.info;
  structureError(
    ctx,
    fence.info,
    `unexpected text after \`\`\`${fence.lang}`,
    'step fields go in an attribute block: ```sh {id=stop-writes timeout=5m}',
  );
  return undefined;
}
