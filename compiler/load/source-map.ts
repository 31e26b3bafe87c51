import type { Range, SourceFile } from '../source/source-file.js';

interface Entry {
  /** The value's range. */
  readonly value: Range;
  /** The key's range, for members of a map. */
  readonly key?: Range;
}

/**
 * Where every value of a loaded document came from: JSON Pointer (RFC 6901, the same syntax as
 * ajv's `instancePath`) → source range. YAML and Markdown loaders fill it; schema errors and rules
 * look positions up here, so the rest of the compiler never sees YAML or mdast nodes.
 */
export class SourceMap {
  private readonly entries = new Map<string, Entry>();

  constructor(readonly file: SourceFile) {}

  set(pointer: string, value: Range, key?: Range): void {
    this.entries.set(pointer, key ? { value, key } : { value });
  }

  has(pointer: string): boolean {
    return this.entries.has(pointer);
  }

  /** Copies another map's entries under `prefix` (e.g. a YAML block embedded in Markdown). */
  mount(prefix: string, other: SourceMap): void {
    for (const [pointer, entry] of other.entries) this.entries.set(prefix + pointer, entry);
  }

  /** Range of the value at `pointer`, or of its nearest ancestor that has one. */
  range(pointer: string): Range {
    let p = pointer;
    for (;;) {
      const entry = this.entries.get(p);
      if (entry) return entry.value;
      if (p === '') return { start: 0, end: 0 };
      p = p.slice(0, p.lastIndexOf('/'));
    }
  }

  /** Range of the key at `pointer` (falls back to the value), for "unknown field" style errors. */
  keyRange(pointer: string): Range {
    return this.entries.get(pointer)?.key ?? this.range(pointer);
  }

  /**
   * Range of `needle` inside the value at `pointer` — used to point at one `{{ }}` expression in a
   * longer string. Searching the source text is exact for plain, quoted and block scalars alike,
   * as long as the expression contains no escape sequences; otherwise the whole value is used.
   */
  rangeOf(pointer: string, needle: string, occurrence = 0): Range {
    const whole = this.range(pointer);
    let from = whole.start;
    for (let i = 0; i <= occurrence; i++) {
      const at = this.file.text.indexOf(needle, from);
      if (at < 0 || at + needle.length > whole.end) return whole;
      if (i === occurrence) return { start: at, end: at + needle.length };
      from = at + needle.length;
    }
    return whole;
  }
}

/** Escapes one reference token of a JSON Pointer. */
export function pointerToken(token: string | number): string {
  const text = typeof token === 'string' ? token : String(token);
  // Nearly every key is a plain word: skip the two replaces when there is nothing to escape.
  if (!text.includes('~') && !text.includes('/')) return text;
  return text.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function joinPointer(base: string, ...tokens: (string | number)[]): string {
  let out = base;
  for (const t of tokens) out += '/' + pointerToken(t);
  return out;
}
