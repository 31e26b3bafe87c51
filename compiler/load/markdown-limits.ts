import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Range, SourceFile } from '../source/source-file.js';

/**
 * Limits on a Markdown body, checked by a line scan before remark parses it. remark's time grows
 * with the nesting depth on every line (100,000 `>` on one line: minutes), so depth must be
 * bounded before parsing, not after. A runbook needs a few levels and a few hundred headings.
 */
export const markdownLimits = { maxDepth: 32, maxHeadings: 2000 } as const;

/** One container marker: a quote `>`, a bullet, or an ordered-list number, with the blank before it. */
const containerMarker = /[ \t]*(?:>|[-*+](?=[ \t\r\n]|$)|\d{1,9}[.)](?=[ \t\r\n]|$))/y;
const fenceOpen = /^[ \t]*(`{3,}|~{3,})/;
const atxHeading = /^[ \t]{0,3}#{1,6}(?:[ \t]|$)/;

/**
 * The first place where the body in `file.text[body.start, body.end)` is nested deeper than
 * `markdownLimits.maxDepth` or has more headings than `maxHeadings`, as a diagnostic; undefined
 * when within both. Depth is over-estimated, never under: every quote and list marker at the
 * start of a line counts, and so does every two columns of indentation, outside fenced code.
 */
export function checkMarkdownLimits(file: SourceFile, body: Range): Diagnostic | undefined {
  const { text } = file;
  let headings = 0;
  let fence: string | undefined;
  for (let start = body.start; start < body.end; ) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 || nl > body.end ? body.end : nl;
    const line = scanLine(text, start, end);
    if (fence !== undefined) {
      if (line.rest.startsWith(fence)) fence = undefined;
    } else {
      const open = fenceOpen.exec(line.rest);
      if (open) fence = open[1];
      if (line.depth > markdownLimits.maxDepth) {
        return tooComplex(
          file,
          { start: line.deepAt, end: Math.min(line.deepAt + 1, end) },
          `Markdown nested deeper than ${markdownLimits.maxDepth} levels (quotes, lists or indentation)`,
        );
      }
      if (atxHeading.test(line.rest) && ++headings > markdownLimits.maxHeadings) {
        return tooComplex(
          file,
          { start: line.restAt, end: Math.min(line.restAt + 1, end) },
          `more than ${markdownLimits.maxHeadings} headings`,
        );
      }
    }
    start = end + 1;
  }
  return undefined;
}

interface LineScan {
  /** Estimated nesting depth of the line. */
  readonly depth: number;
  /** Offset where the depth first exceeded the limit (or the line start). */
  readonly deepAt: number;
  /** The line after its container markers, trimmed of leading blanks, and where it starts. */
  readonly rest: string;
  readonly restAt: number;
}

function scanLine(text: string, start: number, end: number): LineScan {
  let indent = 0;
  let at = start;
  for (; at < end && (text[at] === ' ' || text[at] === '\t'); at++) indent += text[at] === '\t' ? 4 : 1;
  let depth = indent >> 1;
  let deepAt = start;
  containerMarker.lastIndex = at;
  // Markers are matched one at a time against the whole text (sticky), so a long line costs one pass.
  while (containerMarker.lastIndex < end && containerMarker.exec(text) !== null && containerMarker.lastIndex <= end) {
    if (++depth === markdownLimits.maxDepth + 1) deepAt = containerMarker.lastIndex - 1;
    at = containerMarker.lastIndex;
  }
  if (depth <= markdownLimits.maxDepth) deepAt = start;
  while (at < end && (text[at] === ' ' || text[at] === '\t')) at++;
  // Only the first few characters are needed to recognise a fence or a heading.
  return { depth, deepAt, rest: text.slice(at, Math.min(end, at + 16)).replace(/\r$/, ''), restAt: at };
}

function tooComplex(file: SourceFile, range: Range, message: string): Diagnostic {
  return { code: 'markdown-too-complex', severity: 'error', file: file.path, range, message };
}
