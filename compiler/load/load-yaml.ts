import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Range, SourceFile } from '../source/source-file.js';
import { joinPointer, SourceMap } from './source-map.js';

/** Limits that keep hostile input (alias bombs, deep nesting) bounded in time and memory. */
export const yamlLimits = { maxNodes: 100_000, maxDepth: 64 } as const;

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

class TooComplex extends Error {}

/**
 * Parses the YAML in `file.text[start, end)` — a whole file, a front matter block or a code block
 * inside Markdown — into plain data plus a SourceMap whose ranges are offsets into the whole file.
 */
export function loadYaml(file: SourceFile, start = 0, end = file.text.length): YamlResult {
  const text = file.text.slice(start, end);
  const diagnostics: Diagnostic[] = [];
  const documents: YamlValue[] = [];
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, strict: true });
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
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
      const data = new Walker(doc, map, start).value(doc.contents as Node | null, '', 0);
      const [from, , to] = doc.range;
      documents.push({ data, map, range: { start: start + from, end: start + to } });
    } catch (e) {
      if (!(e instanceof TooComplex)) throw e;
      diagnostics.push({
        code: 'yaml-too-complex',
        severity: 'error',
        message: e.message,
        file: file.path,
        range: { start: start + doc.range[0], end: start + doc.range[0] + 1 },
      });
    }
  }
  return { documents, diagnostics };
}

function cleanMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
}

class Walker {
  private nodes = 0;

  constructor(
    private readonly doc: Document,
    private readonly map: SourceMap,
    private readonly offset: number,
  ) {}

  /** The node's range, or (for a node without one) the range `fallback()` gives. */
  private range(node: Node | null | undefined, fallback: () => Range): Range {
    const r = node?.range;
    return r ? { start: this.offset + r[0], end: this.offset + Math.max(r[1], r[0]) } : fallback();
  }

  value(node: Node | null, pointer: string, depth: number): unknown {
    if (++this.nodes > yamlLimits.maxNodes) {
      throw new TooComplex(`document expands to more than ${yamlLimits.maxNodes} nodes (alias bomb?)`);
    }
    if (depth > yamlLimits.maxDepth) throw new TooComplex(`nesting deeper than ${yamlLimits.maxDepth} levels`);
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      return target ? this.value(target as Node, pointer, depth + 1) : null;
    }
    if (isMap(node)) return this.mapping(node.items, pointer, depth);
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        const child = joinPointer(pointer, i);
        this.map.set(child, this.range(item as Node, () => this.map.range(pointer)));
        return this.value(item as Node, child, depth + 1);
      });
    }
    if (isScalar(node)) return node.value;
    return null;
  }

  private mapping(items: { key: unknown; value: unknown }[], pointer: string, depth: number): unknown {
    const out: Record<string, unknown> = {};
    for (const pair of items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const child = joinPointer(pointer, key);
      const keyRange = this.range(keyNode, () => this.map.range(pointer));
      const valueNode = pair.value as Node | null;
      this.map.set(child, this.range(valueNode, () => ({ start: keyRange.end, end: keyRange.end })), keyRange);
      const v = this.value(valueNode, child, depth + 1);
      // Never let a `__proto__` key reach an object's prototype: define it as an own property.
      // Any other key: plain assignment makes the same own, enumerable, writable property.
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
    }
    return out;
  }
}
