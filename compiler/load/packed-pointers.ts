/**
 * A SourceMap's pointer → slot index as four flat values instead of a Map: every pointer in one
 * string, where each ends, an open-addressing hash table of entry numbers, and the ranges. Why:
 * files loaded on worker threads (compiler/parallel) send their maps to the calling thread, which
 * keeps every map of the compile (~700,000 pointers for 1,000 runbooks). As a Map that is an
 * object per pointer to clone, and then for the calling thread's garbage collector to copy and
 * trace on every collection; packed, it is one string and three typed arrays per document.
 */
export interface PackedPointers {
  /** Every pointer, concatenated in entry order. */
  readonly text: string;
  /** Entry `e` is `text.slice(ends[e - 1] ?? 0, ends[e])`. */
  readonly ends: Int32Array;
  /** Open addressing, linear probing; a slot holds an entry number + 1 (0: empty). Length is a power of 2. */
  readonly table: Int32Array;
  /** Entry `e`'s four range offsets are `ranges[4e .. 4e + 3]` (see SourceMap). */
  readonly ranges: Int32Array;
}

/** FNV-1a over the UTF-16 code units: cheap, and spreads pointers that differ in one digit. */
function hashOf(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Packs `slots` (pointer → offset into `ranges`, a multiple of 4) and their ranges. */
export function packPointers(slots: ReadonlyMap<string, number>, ranges: ArrayLike<number>): PackedPointers {
  const pointers: string[] = [];
  const ends = new Int32Array(slots.size);
  const packedRanges = new Int32Array(slots.size * 4);
  let size = 1;
  while (size < slots.size * 2) size *= 2;
  const table = new Int32Array(size);
  let at = 0;
  for (const [pointer, slot] of slots) {
    const e = pointers.push(pointer) - 1;
    ends[e] = at += pointer.length;
    for (let k = 0; k < 4; k++) packedRanges[e * 4 + k] = ranges[slot + k];
  }
  const text = pointers.join('');
  for (let e = 0; e < pointers.length; e++) {
    let i = hashOf(text, e ? ends[e - 1] : 0, ends[e]) & (size - 1);
    while (table[i] !== 0) i = (i + 1) & (size - 1);
    table[i] = e + 1;
  }
  return { text, ends, table, ranges: packedRanges };
}

/** The offset into `packed.ranges` of `pointer`'s entry (4 × its number), or undefined. */
export function packedSlot(packed: PackedPointers, pointer: string): number | undefined {
  const { text, ends, table } = packed;
  const mask = table.length - 1;
  for (let i = hashOf(pointer, 0, pointer.length) & mask; ; i = (i + 1) & mask) {
    const entry = table[i] - 1;
    if (entry < 0) return undefined;
    const start = entry ? ends[entry - 1] : 0;
    if (ends[entry] - start === pointer.length && text.startsWith(pointer, start)) return entry * 4;
  }
}

/** Every pointer with its offset into `ranges`, in entry order. */
export function* packedEntries(packed: PackedPointers): Generator<[string, number]> {
  for (let e = 0; e < packed.ends.length; e++)
    yield [packed.text.slice(e ? packed.ends[e - 1] : 0, packed.ends[e]), e * 4];
}
