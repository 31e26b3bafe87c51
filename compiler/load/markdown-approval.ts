import type { Blockquote } from 'mdast';
import type { Range, SourceFile } from '../source/source-file.js';
import { nodeRange, normaliseNewlines, slice, trimRange } from './markdown-tree.js';

/** An `> [!APPROVAL]` block (GitHub alert syntax), read from the source. */
export interface ApprovalBlock {
  /** The quote's text after the marker, `>` prefixes removed, as Markdown. */
  readonly message: string;
  readonly messageRange: Range;
  /** The `[!APPROVAL]` marker. */
  readonly marker: Range;
  /** An attribute block `{#id …}` right after the marker on its line. */
  readonly attributes?: Range;
}

const marker = /^\[!approval\]/i;

/** Case-insensitive, like GitHub's `[!NOTE]` alerts; tested on the source so `\[!APPROVAL]` stays prose. */
export function isApproval(file: SourceFile, quote: Blockquote): boolean {
  const first = quote.children[0];
  if (first?.type !== 'paragraph') return false;
  const start = nodeRange(first).start;
  return marker.test(file.text.slice(start, start + 11));
}

export function readApproval(file: SourceFile, quote: Blockquote): ApprovalBlock {
  const end = nodeRange(quote).end;
  const markerStart = nodeRange(quote.children[0]).start;
  const after = markerStart + 11;
  let lineEnd = file.text.indexOf('\n', after);
  if (lineEnd < 0 || lineEnd > end) lineEnd = end;
  const rest = trimRange(file, { start: after, end: lineEnd });
  const text = slice(file, rest);
  const attributes = text.startsWith('{') && text.endsWith('}') ? rest : undefined;
  const bodyStart = attributes ? Math.min(lineEnd + 1, end) : after;
  const message = normaliseNewlines(slice(file, { start: bodyStart, end }))
    .split('\n')
    .map((line) => line.replace(/^[ \t]*>[ \t]?/, ''))
    .join('\n')
    .trim();
  return {
    message,
    messageRange: contentRange(file, bodyStart, end),
    marker: { start: markerStart, end: after },
    ...(attributes ? { attributes } : {}),
  };
}

/** From the first character that is not whitespace or a `>` prefix to the last non-blank one. */
function contentRange(file: SourceFile, from: number, end: number): Range {
  let start = from;
  while (start < end && /[\s>]/.test(file.text[start])) start++;
  return trimRange(file, { start, end });
}
