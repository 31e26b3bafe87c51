import type { Range, SourceFile } from '../source/source-file.js';

export interface FrontMatterSplit {
  /** The YAML between the fences. */
  readonly yaml: Range;
  /** Everything after the closing fence's line. */
  readonly body: Range;
}

const open = /^\uFEFF?---[ \t]*\r?\n/;
const close = /^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/m;

/** Finds a `---` fenced YAML front matter block at the very start of a Markdown/Handlebars file. */
export function splitFrontMatter(file: SourceFile): FrontMatterSplit | undefined {
  const head = open.exec(file.text);
  if (!head) return undefined;
  const yamlStart = head[0].length;
  const rest = file.text.slice(yamlStart);
  const m = close.exec(rest);
  if (!m) return undefined;
  const yamlEnd = yamlStart + m.index;
  const bodyStart = yamlEnd + m[0].length;
  return { yaml: { start: yamlStart, end: yamlEnd }, body: { start: bodyStart, end: file.text.length } };
}
