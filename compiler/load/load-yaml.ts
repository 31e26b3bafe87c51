import { Composer, Parser, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Range, SourceFile } from '../source/source-file.js';
import { SourceMap } from './source-map.js';
import { YamlRejected, YamlWalker } from './yaml-walker.js';

export interface YamlValue {
  readonly data: unknown;
  readonly map: SourceMap;
  /** Range of the whole YAML document in the file. */
  readonly range: Range;
}

export interface YamlResult {
  readonly documents: YamlValue[];
  readonly diagnostics: Diagnostic[];
}

/** Documents per file: a file holds one runbook, or a few related documents. */
export const maxDocuments = 100;

/**
 * Parses the YAML in `file.text[start, end)` — a whole file, a front matter block or a code block
 * inside Markdown — into plain data plus a SourceMap whose ranges are offsets into the whole file.
 */
export function loadYaml(file: SourceFile, start = 0, end = file.text.length): YamlResult {
  const text = file.text.slice(start, end);
  const diagnostics: Diagnostic[] = [];
  const documents: YamlValue[] = [];
  // Documents are composed one at a time (what parseAllDocuments does, all at once), so a file of
  // a million `---` is refused after the limit instead of being composed first.
  const composer = new Composer({ prettyErrors: false, uniqueKeys: false, strict: true });
  let count = 0;
  for (const doc of composer.compose(new Parser().parse(text))) {
    if (++count > maxDocuments) {
      diagnostics.push({
        code: 'yaml-too-complex',
        severity: 'error',
        file: file.path,
        message: `more than ${maxDocuments} YAML documents in one file`,
        range: { start: start + doc.range[0], end: Math.min(start + doc.range[0] + 1, end) },
      });
      break;
    }
    const issues = [...doc.errors, ...doc.warnings];
    for (const err of issues) {
      const [from, to] = err.pos;
      // The parser reports its own stack overflow as a syntax error; it is really excess nesting.
      const overflow = /Maximum call stack/.test(err.message);
      diagnostics.push({
        code: overflow ? 'yaml-too-complex' : 'yaml-syntax',
        severity: doc.errors.includes(err as never) ? 'error' : 'warning',
        message: overflow ? 'nesting is too deep to read' : cleanMessage(err.message),
        file: file.path,
        // An error "at the end" points one past the text; keep ranges inside the file.
        range: { start: Math.min(start + from, end), end: Math.min(start + Math.max(to, from + 1), end) },
      });
    }
    if (doc.errors.length > 0) continue;
    if (doc.contents === null && issues.length === 0) continue; // an empty document (e.g. trailing `---`)
    const map = new SourceMap(file);
    const contents = doc.contents as Node | null;
    if (contents?.range) map.set('', { start: start + contents.range[0], end: start + contents.range[1] });
    try {
      const data = new YamlWalker(doc, map, start).value(doc.contents as Node | null, '', 0);
      const [from, , to] = doc.range;
      documents.push({ data, map, range: { start: start + from, end: start + to } });
    } catch (e) {
      if (!(e instanceof YamlRejected)) throw e;
      diagnostics.push({ code: e.code, severity: 'error', message: e.message, file: file.path, range: e.range });
    }
  }
  return { documents, diagnostics };
}

function cleanMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
}
