import type { Heading, RootContent } from 'mdast';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Range, SourceFile } from '../source/source-file.js';
import type { ChecklistItem, ChecklistSection, LoadedDoc } from './loaded-doc.js';
import { isTaskList, readTaskItems } from './markdown-tasks.js';
import { headingContent, nodeRange, normaliseNewlines, parseBody, slice, trimRange } from './markdown-tree.js';
import type { YamlValue } from './load-yaml.js';
import { SourceMap } from './source-map.js';

interface SectionDraft {
  title: string;
  titleRange: Range;
  items: ChecklistItem[];
  /** Where each item's text and check id are, parallel to `items`. */
  spans: { text: Range; check?: Range }[];
  range: Range;
}

/**
 * Loads a Checklist: `data` is the front matter (what the schema validates); `sections` are the
 * body's `##` sections with their `- [ ]` items. Items before the first `##` form a section titled
 * by the `#` heading (or "Checklist"). The map also locates `/sections/i/items/k`, so a rule can
 * point at the item whose `<!-- check: id -->` names a missing step.
 */
export function loadChecklist(
  file: SourceFile,
  frontMatter: YamlValue,
  body: Range,
): { doc: LoadedDoc; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const sections = readSections(file, parseBody(file, body), diagnostics);
  const map = new SourceMap(file);
  map.mount('', frontMatter.map);
  map.set('/sections', body);
  sections.forEach((s, i) => {
    map.set(`/sections/${i}`, s.range);
    map.set(`/sections/${i}/title`, s.titleRange);
    map.set(`/sections/${i}/items`, s.range);
    s.items.forEach((item, k) => {
      const at = `/sections/${i}/items/${k}`;
      map.set(at, item.range);
      map.set(`${at}/text`, s.spans[k].text);
      const check = s.spans[k].check;
      if (check) map.set(`${at}/check`, check);
    });
  });
  const data = isRecord(frontMatter.data) ? frontMatter.data : {};
  const doc: LoadedDoc = {
    file,
    format: 'markdown',
    kind: 'Checklist',
    data,
    map,
    body: { text: slice(file, body), range: body },
    sections: sections.map((s): ChecklistSection => ({ title: s.title, items: s.items, range: s.range })),
  };
  return { doc, diagnostics };
}

function readSections(file: SourceFile, nodes: RootContent[], diagnostics: Diagnostic[]): SectionDraft[] {
  const sections: SectionDraft[] = [];
  let title: Heading | undefined;
  let current: SectionDraft | undefined;
  for (const node of nodes) {
    if (node.type === 'heading' && node.depth === 1 && !title) title = node;
    if (node.type === 'heading' && node.depth === 2) {
      current = { ...headingTitle(file, node), items: [], spans: [], range: nodeRange(node) };
      sections.push(current);
      continue;
    }
    if (node.type !== 'list' || !isTaskList(node)) {
      if (current) current.range = cover(current.range, nodeRange(node));
      continue;
    }
    if (!current) {
      // Items before any `##`: one section named after the document.
      const named = title ? headingTitle(file, title) : { title: 'Checklist', titleRange: nodeRange(node) };
      current = { ...named, items: [], spans: [], range: nodeRange(node) };
      sections.push(current);
    }
    for (const item of readTaskItems(file, node, diagnostics)) {
      current.items.push({
        text: item.text,
        checked: item.checked,
        range: item.range,
        ...(item.check ? { check: item.check } : {}),
      });
      current.spans.push({ text: item.textRange, ...(item.checkRange ? { check: item.checkRange } : {}) });
    }
    current.range = cover(current.range, nodeRange(node));
  }
  return sections;
}

function headingTitle(file: SourceFile, heading: Heading): { title: string; titleRange: Range } {
  const titleRange = trimRange(file, headingContent(heading));
  return { title: normaliseNewlines(slice(file, titleRange)).replace(/\s*\n\s*/g, ' '), titleRange };
}

function cover(a: Range, b: Range): Range {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
