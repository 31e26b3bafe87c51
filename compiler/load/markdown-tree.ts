import type { Code, Heading, Nodes, Root, RootContent } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import type { Range, SourceFile } from '../source/source-file.js';

const processor = unified().use(remarkParse).use(remarkGfm);

/** Thrown when a Markdown body is nested too deeply to be parsed; load-file turns it into a finding. */
export class MarkdownTooDeep extends Error {
  constructor() {
    super('the Markdown is nested too deeply to read (thousands of nested quotes or lists)');
  }
}

/**
 * Parses the Markdown body of `file` so that every mdast offset is an offset into the whole file.
 * The front matter is blanked out (each character but line breaks becomes a space) rather than
 * sliced off or left to remark-frontmatter: offsets stay exact, and a BOM or a `...` closing fence,
 * which splitFrontMatter accepts but remark-frontmatter does not, cannot leak into the body.
 */
export function parseBody(file: SourceFile, body: Range): RootContent[] {
  const head = file.text.slice(0, body.start).replace(/[^\r\n]/g, ' ');
  let tree: Root;
  try {
    tree = processor.parse(head + file.text.slice(body.start));
  } catch (e) {
    // mdast utilities recurse once per nesting level; thousands of nested quotes or lists
    // overflow the stack. That is the document's fault, and it is reported as such.
    if (e instanceof RangeError) throw new MarkdownTooDeep();
    throw e;
  }
  return tree.children.filter((node) => nodeRange(node).start >= body.start);
}

export function nodeRange(node: Nodes): Range {
  return { start: node.position?.start.offset ?? 0, end: node.position?.end.offset ?? 0 };
}

/** From the first node's start to the last node's end. */
export function spanRange(nodes: readonly Nodes[]): Range {
  return { start: nodeRange(nodes[0]).start, end: nodeRange(nodes[nodes.length - 1]).end };
}

export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** The source of each node, blank-line separated: exact Markdown, no round trip through mdast. */
export function proseText(file: SourceFile, nodes: readonly Nodes[]): string {
  return nodes.map((n) => normaliseNewlines(slice(file, nodeRange(n))).trim()).join('\n\n');
}

export function slice(file: SourceFile, range: Range): string {
  return file.text.slice(range.start, range.end);
}

/** Shrinks a range past leading and trailing whitespace. */
export function trimRange(file: SourceFile, range: Range): Range {
  let { start, end } = range;
  while (start < end && /\s/.test(file.text[start])) start++;
  while (end > start && /\s/.test(file.text[end - 1])) end--;
  return { start, end };
}

/**
 * Lowercase, accents dropped (`Qué` → `que`), every run of other characters → '-', trimmed:
 * `Stop writes!` → `stop-writes`. Ids are ASCII kebab-case, so a heading without Latin letters or
 * digits yields '' and needs an explicit `{#id}`.
 */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The text of a heading between the `#`s and any closing sequence, as written. */
export function headingContent(heading: Heading): Range {
  if (heading.children.length === 0) {
    const { end } = nodeRange(heading);
    return { start: end, end };
  }
  return spanRange(heading.children);
}

/** A fenced code block split at the source level, so ranges are exact even with CRLF. */
export interface Fence {
  /** Lowercased first word of the info string (`sh` for ```` ```sh {id=x} ````). */
  readonly lang: string;
  /** The rest of the info string, trimmed (may be empty). */
  readonly info: Range;
  /** The opening fence line without its line break. */
  readonly openLine: Range;
  /** From the first character after the opening line's break to the end of the last content line. */
  readonly content: Range;
}

const fenceOpen = /^[ \t]*(`{3,}|~{3,})[ \t]*([^\s{]*)[ \t]*/;

/** Undefined for an indented code block (no fence, no info string). */
export function fenceOf(file: SourceFile, code: Code): Fence | undefined {
  const { start, end } = nodeRange(code);
  const { text } = file;
  let lineEnd = text.indexOf('\n', start);
  if (lineEnd < 0 || lineEnd > end) lineEnd = end;
  const openLine = { start, end: text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd };
  const line = slice(file, openLine);
  const m = fenceOpen.exec(line);
  if (!m) return undefined;
  const info = trimRange(file, { start: start + m[0].length, end: openLine.end });
  const contentStart = Math.min(lineEnd + 1, end);
  return {
    lang: m[2].toLowerCase(),
    info,
    openLine,
    content: { start: contentStart, end: contentEnd(file, m[1], contentStart, end) },
  };
}

function contentEnd(file: SourceFile, fence: string, contentStart: number, end: number): number {
  const { text } = file;
  const lastLine = text.lastIndexOf('\n', end - 1) + 1;
  if (lastLine < contentStart) return contentStart; // no closing fence line, or nothing after the opening
  const closing = new RegExp(`^[ \\t]*${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*\\r?$`);
  if (!closing.test(text.slice(lastLine, end))) return end; // unclosed: content runs to the end
  if (lastLine === contentStart) return contentStart; // empty block
  const breakAt = lastLine - 1;
  return text[breakAt - 1] === '\r' ? breakAt - 1 : breakAt;
}
