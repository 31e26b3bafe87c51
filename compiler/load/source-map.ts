import type { Range, SourceFile } from '../source/source-file.js';
import { packedEntries, packedSlot, packPointers, type PackedPointers } from './packed-pointers.js';

/** A SourceMap's entries as plain, cloneable data (packed-pointers.ts). Whoever builds a map from parts owns them. */
export type SourceMapParts = PackedPointers;

/**
 * Where every value of a loaded document came from: JSON Pointer (RFC 6901, the same syntax as
 * ajv's `instancePath`) → source range. YAML and Markdown loaders fill it; schema errors and rules
 * look positions up here, so the rest of the compiler never sees YAML or mdast nodes.
 *
 * A compile keeps the maps of every document (a large tree has millions of entries), so the
 * ranges are stored as numbers in one array rather than as objects per entry: far less for the
 * garbage collector to copy and trace. `range`/`keyRange` return fresh Range objects. A map that
 * came from another thread keeps its pointers packed too (packed-pointers.ts) until it is written.
 */
export class SourceMap {
  /** Pointer → slot; slot `s` is `ranges[s..s+3]`: value start, value end, key start, key end. */
  private slots: Map<string, number>;
  /** Offsets are never negative: a key start of -1 means the entry has no key range. */
  private ranges: number[] | Int32Array;
  /** Set while the map is as it came from `toParts` (then `slots` is empty and unused). */
  private packed: PackedPointers | undefined;

  /** Per pointer: where its value's text starts verbatim in the file (-1: not verbatim), for rangeWithin. */
  private readonly verbatim = new Map<string, number>();
  private readonly verbatimText = new Map<string, string>();

  /** An empty map, or one taking over `parts` (from `toParts` of a map on another thread). */
  constructor(
    readonly file: SourceFile,
    parts?: SourceMapParts,
  ) {
    this.slots = new Map();
    this.ranges = parts ? parts.ranges : [];
    this.packed = parts;
  }

  private slotOf(pointer: string): number | undefined {
    return this.packed ? packedSlot(this.packed, pointer) : this.slots.get(pointer);
  }

  /** The map's own writable entries, unpacking a packed map first (loaders write; rules only read). */
  private writable(): { slots: Map<string, number>; ranges: number[] } {
    if (this.packed) {
      this.slots = new Map(packedEntries(this.packed));
      this.ranges = Array.from(this.packed.ranges);
      this.packed = undefined;
    }
    return { slots: this.slots, ranges: this.ranges as number[] };
  }

  private entries(): Iterable<[string, number]> {
    return this.packed ? packedEntries(this.packed) : this.slots.entries();
  }

  set(pointer: string, value: Range, key?: Range): void {
    this.store(this.slotFor(pointer), value.start, value.end, key ? key.start : -1, key ? key.end : -1);
  }

  /** The slot of `pointer`, added (unpacking a packed map first) when it has none yet. */
  private slotFor(pointer: string): number {
    const { slots, ranges } = this.writable();
    let slot = slots.get(pointer);
    if (slot === undefined) {
      slot = ranges.length;
      slots.set(pointer, slot);
      ranges.push(0, 0, 0, 0);
    }
    return slot;
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
    return this.packed ?? packPointers(this.slots, this.ranges);
  }

  has(pointer: string): boolean {
    return this.slotOf(pointer) !== undefined;
  }

  /** Copies another map's entries under `prefix` (e.g. a YAML block embedded in Markdown). */
  mount(prefix: string, other: SourceMap): void {
    const r = other.ranges;
    for (const [pointer, s] of other.entries())
      this.store(this.slotFor(prefix + pointer), r[s], r[s + 1], r[s + 2], r[s + 3]);
  }

  /** Range of the value at `pointer`, or of its nearest ancestor that has one. */
  range(pointer: string): Range {
    let p = pointer;
    for (;;) {
      const slot = this.slotOf(p);
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
    const slot = this.slotOf(pointer);
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
