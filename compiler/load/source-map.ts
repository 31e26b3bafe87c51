import type { Range, SourceFile } from '../source/source-file.js';

/** A SourceMap's entries as plain, cloneable data. Whoever builds a map from parts owns them. */
export interface SourceMapParts {
  readonly slots: Map<string, number>;
  readonly ranges: number[];
}

/**
 * Where every value of a loaded document came from: JSON Pointer (RFC 6901, the same syntax as
 * ajv's `instancePath`) → source range. YAML and Markdown loaders fill it; schema errors and rules
 * look positions up here, so the rest of the compiler never sees YAML or mdast nodes.
 *
 * A compile keeps the maps of every document (a large tree has millions of entries), so the
 * ranges are stored as numbers in one array rather than as objects per entry: far less for the
 * garbage collector to copy and trace. `range`/`keyRange` return fresh Range objects.
 */
export class SourceMap {
  /** Pointer → slot; slot `s` is `ranges[s..s+3]`: value start, value end, key start, key end. */
  private readonly slots: Map<string, number>;
  /** Offsets are never negative: a key start of -1 means the entry has no key range. */
  private readonly ranges: number[];

  /** Per pointer: where its value's text starts verbatim in the file (-1: not verbatim), for rangeWithin. */
  private readonly verbatim = new Map<string, number>();
  private readonly verbatimText = new Map<string, string>();

  /** An empty map, or one taking over `parts` (from `toParts` of a map on another thread). */
  constructor(
    readonly file: SourceFile,
    parts?: SourceMapParts,
  ) {
    this.slots = parts?.slots ?? new Map();
    this.ranges = parts?.ranges ?? [];
  }

  set(pointer: string, value: Range, key?: Range): void {
    let slot = this.slots.get(pointer);
    if (slot === undefined) {
      slot = this.ranges.length;
      this.slots.set(pointer, slot);
      this.ranges.push(0, 0, 0, 0);
    }
    this.store(slot, value.start, value.end, key ? key.start : -1, key ? key.end : -1);
  }

  private store(slot: number, start: number, end: number, keyStart: number, keyEnd: number): void {
    const r = this.ranges;
    r[slot] = start;
    r[slot + 1] = end;
    r[slot + 2] = keyStart;
    r[slot + 3] = keyEnd;
  }

  /** The entries as plain data, to rebuild the map on another thread (`new SourceMap(file, parts)`). */
  toParts(): SourceMapParts {
    return { slots: this.slots, ranges: this.ranges };
  }

  has(pointer: string): boolean {
    return this.slots.has(pointer);
  }

  /** Copies another map's entries under `prefix` (e.g. a YAML block embedded in Markdown). */
  mount(prefix: string, other: SourceMap): void {
    const r = other.ranges;
    for (const [pointer, s] of other.slots) {
      let slot = this.slots.get(prefix + pointer);
      if (slot === undefined) {
        slot = this.ranges.length;
        this.slots.set(prefix + pointer, slot);
        this.ranges.push(0, 0, 0, 0);
      }
      this.store(slot, r[s], r[s + 1], r[s + 2], r[s + 3]);
    }
  }

  /** Range of the value at `pointer`, or of its nearest ancestor that has one. */
  range(pointer: string): Range {
    let p = pointer;
    for (;;) {
      const slot = this.slots.get(p);
      if (slot !== undefined) return { start: this.ranges[slot], end: this.ranges[slot + 1] };
      if (p === '') return { start: 0, end: 0 };
      p = p.slice(0, p.lastIndexOf('/'));
    }
  }

  /**
   * Range of `text[start, end)`, where `text` is the value at `pointer`. When the value appears
   * verbatim in the source (plain or quoted without escapes: nearly always), the offset of `text`
   * is found once per pointer and every later lookup is constant time; otherwise this falls back
   * to `rangeOf` with the needle and occurrence that land on it.
   */
  rangeWithin(pointer: string, text: string, start: number, end: number): Range {
    let base = this.verbatim.get(pointer);
    if (base === undefined || this.verbatimText.get(pointer) !== text) {
      const whole = this.range(pointer);
      const at = this.file.text.slice(whole.start, whole.end).indexOf(text);
      base = at < 0 || text.length === 0 ? -1 : whole.start + at;
      this.verbatim.set(pointer, base);
      this.verbatimText.set(pointer, text);
    }
    if (base >= 0) return { start: base + start, end: base + end };
    const needle = text.slice(start, end);
    let occurrence = 0;
    for (let at = text.indexOf(needle); at >= 0 && at < start; at = text.indexOf(needle, at + needle.length))
      occurrence++;
    return this.rangeOf(pointer, needle, occurrence);
  }

  /** Range of the key at `pointer` (falls back to the value), for "unknown field" style errors. */
  keyRange(pointer: string): Range {
    const slot = this.slots.get(pointer);
    if (slot !== undefined && this.ranges[slot + 2] >= 0)
      return { start: this.ranges[slot + 2], end: this.ranges[slot + 3] };
    return this.range(pointer);
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
