import type { Html, List, ListItem, PhrasingContent } from 'mdast';
import type { Range, SourceFile } from '../source/source-file.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { nodeRange, normaliseNewlines, slice, trimRange } from './markdown-tree.js';

/** One `- [ ] text <!-- check: id -->` item. */
export interface TaskItem {
  readonly text: string;
  readonly checked: boolean;
  readonly check?: string;
  /** The whole list item. */
  readonly range: Range;
  readonly textRange: Range;
  /** The id inside the check comment. */
  readonly checkRange?: Range;
}

const checkComment = /^<!--\s*check\s*:\s*([^\s>]*)\s*-->$/i;

/** A list is a task list as soon as one item has a checkbox (GFM `[ ]` / `[x]`). */
export function isTaskList(list: List): boolean {
  return list.children.some((item) => typeof item.checked === 'boolean');
}

/**
 * The items of a task list in document order, nested task lists flattened after their parent.
 * An item without a checkbox inside a task list is reported: it would silently be nobody's task.
 */
export function readTaskItems(file: SourceFile, list: List, diagnostics: Diagnostic[]): TaskItem[] {
  const out: TaskItem[] = [];
  for (const item of list.children) {
    if (typeof item.checked !== 'boolean') {
      diagnostics.push(structure(file, firstLine(file, item), 'a task list item needs a checkbox: - [ ] text'));
    } else {
      out.push(readItem(file, item, diagnostics));
    }
    for (const child of item.children) {
      if (child.type === 'list' && isTaskList(child)) out.push(...readTaskItems(file, child, diagnostics));
    }
  }
  return out;
}

function readItem(file: SourceFile, item: ListItem, diagnostics: Diagnostic[]): TaskItem {
  const range = nodeRange(item);
  const para = item.children[0]?.type === 'paragraph' ? item.children[0] : undefined;
  if (!para)
    return { text: '', checked: item.checked === true, range, textRange: { start: range.end, end: range.end } };
  const last = lastNonBlank(para.children);
  const check = last?.type === 'html' ? readCheck(file, last, diagnostics) : undefined;
  const textEnd = check ? nodeRange(last!).start : nodeRange(para).end;
  const textRange = trimRange(file, { start: nodeRange(para).start, end: textEnd });
  // Item text is one line of Markdown as written: soft line breaks become spaces.
  const text = normaliseNewlines(slice(file, textRange)).replace(/[ \t]*\n[ \t]*/g, ' ');
  return { text, checked: item.checked === true, range, textRange, ...(check ?? {}) };
}

function readCheck(
  file: SourceFile,
  html: Html,
  diagnostics: Diagnostic[],
): { check: string; checkRange: Range } | undefined {
  const m = checkComment.exec(html.value.trim());
  if (!m) return undefined;
  const start = nodeRange(html).start;
  if (m[1] === '') {
    diagnostics.push(structure(file, nodeRange(html), 'empty check binding: write <!-- check: step-id -->'));
    return undefined;
  }
  const at = start + html.value.indexOf(m[1], html.value.indexOf(':'));
  return { check: m[1], checkRange: { start: at, end: at + m[1].length } };
}

function lastNonBlank(children: PhrasingContent[]): PhrasingContent | undefined {
  for (let i = children.length - 1; i >= 0; i--) {
    const c = children[i];
    if (!(c.type === 'text' && c.value.trim() === '')) return c;
  }
  return undefined;
}

function firstLine(file: SourceFile, item: ListItem): Range {
  const { start, end } = nodeRange(item);
  const nl = file.text.indexOf('\n', start);
  return trimRange(file, { start, end: nl < 0 || nl > end ? end : nl });
}

function structure(file: SourceFile, range: Range, message: string): Diagnostic {
  return { code: 'markdown-structure', severity: 'error', file: file.path, range, message };
}
