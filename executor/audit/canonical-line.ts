/**
 * Recognises an audit line that is exactly canonicalJson of its own record (what the file sink
 * writes), without building the record: one pass over the text that accepts canonical JSON only
 * (no whitespace, keys in canonicalJson's order, JSON.stringify's escapes and numbers) and notes
 * where the members verify needs are. For such a line, the line with its `hash` and `sig` members
 * cut out IS canonicalJson of the record without them, the text `hashRecord` hashes, so hashing
 * those bytes gives exactly the verdict of parsing and re-serialising. Anything else (an older
 * journal, an edited line, an escape this scanner does not take) is left to the full parse.
 */

/** Code units a string scan must look at: quote, backslash, control characters, surrogates. */
const SPECIAL = new Uint8Array(65536);
SPECIAL.fill(1, 0, 0x20);
SPECIAL.fill(1, 0xd800, 0xe000);
SPECIAL[0x22] = 1;
SPECIAL[0x5c] = 1;

/** Deeper values are left to the full parse (which they reach rarely, and where they are handled). */
const MAX_DEPTH = 64;

/** Positions in the text of a canonical record line (offsets; -1 when absent). */
export interface LineFields {
  /** The `,"hash":"…"` member, comma included, and its 64 hex digits. */
  hashFrom: number;
  hashTo: number;
  hashAt: number;
  /** The `,"sig":"…"` member, comma included, and its value inside the quotes. */
  sigFrom: number;
  sigTo: number;
  /** String values inside their quotes: [at, end). */
  prevAt: number;
  prevEnd: number;
  runIdAt: number;
  runIdEnd: number;
  typeAt: number;
  typeEnd: number;
  seq: number;
  /** Members seen that a record must have (isRecordShape): ts and data. */
  shape: number;
  /** The hash of the record before, when its line took the fast path ('' otherwise). */
  expectPrev: string;
  /** The last text (quotes included) seen of the members every record of a run repeats. */
  readonly same: Record<string, string>;
}

export function lineFields(): LineFields {
  return {
    ...{ hashFrom: -1, hashTo: -1, hashAt: -1, sigFrom: -1, sigTo: -1, prevAt: -1, prevEnd: -1 },
    ...{ runIdAt: -1, runIdEnd: -1, typeAt: -1, typeEnd: -1, seq: -1, shape: 0, expectPrev: '' },
    same: { actor: '', commit: '', planHash: '', runId: '', runbook: '' },
  };
}

/** After the closing quote of the string at `i` (its opening quote), or -1 if not canonical. */
function scanString(t: string, i: number, end: number): number {
  while (++i < end) {
    const c = t.charCodeAt(i);
    if (SPECIAL[c] === 0) continue;
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      const n = escapeLength(t, i);
      if (n === 0) return -1;
      i += n - 1;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const d = t.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return -1;
      i++;
    } else return -1; // a raw control character or a lone surrogate: not what JSON.stringify writes
  }
  return -1;
}

/** Length of the escape at `i` if JSON.stringify writes it (0 otherwise). */
function escapeLength(t: string, i: number): number {
  const e = t.charCodeAt(i + 1);
  // \" \\ \b \f \n \r \t
  if (e === 0x22 || e === 0x5c || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) return 2;
  // \u00XX, lowercase, for the control characters without a short escape; lone surrogates
  // (\udXXX) are left to the full parse.
  if (e !== 0x75 || t.charCodeAt(i + 2) !== 0x30 || t.charCodeAt(i + 3) !== 0x30) return 0;
  const hi = t.charCodeAt(i + 4) - 0x30;
  const lo = hexDigit(t.charCodeAt(i + 5));
  if ((hi !== 0 && hi !== 1) || lo < 0) return 0;
  const v = hi * 16 + lo;
  return v === 8 || v === 9 || v === 10 || v === 12 || v === 13 ? 0 : 6;
}

const hexDigit = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** After the number at `i`, if written as JSON.stringify writes it, else -1. */
function scanNumber(t: string, i: number, end: number): number {
  const start = i;
  let c = t.charCodeAt(i);
  if (c === 0x2d) c = t.charCodeAt(++i);
  if (c === 0x30) c = t.charCodeAt(++i);
  else if (c >= 0x31 && c <= 0x39) while (isDigit((c = t.charCodeAt(++i))));
  else return -1;
  const simple = c !== 0x2e && c !== 0x65 && c !== 0x45;
  // Up to 15 digits an integer is exact and printed as written (but -0, printed 0).
  if (simple) return i - start < 16 && t.slice(start, i) !== '-0' ? i : -1;
  if (c === 0x2e) {
    if (!isDigit(t.charCodeAt(++i))) return -1;
    while (isDigit(t.charCodeAt(++i)));
  }
  if (t.charCodeAt(i) === 0x65 || t.charCodeAt(i) === 0x45) {
    c = t.charCodeAt(++i);
    if (c === 0x2b || c === 0x2d) c = t.charCodeAt(++i);
    if (!isDigit(c)) return -1;
    while (isDigit(t.charCodeAt(++i)));
  }
  if (i > end) return -1;
  const literal = t.slice(start, i);
  return String(Number(literal)) === literal ? i : -1;
}

/** After the value at `i`, or -1. */
export function scanValue(t: string, i: number, end: number, depth: number): number {
  const c = t.charCodeAt(i);
  if (c === 0x22) return scanString(t, i, end);
  if (c === 0x7b) return depth < MAX_DEPTH ? scanObject(t, i, end, depth + 1, undefined) : -1;
  if (c === 0x5b) return depth < MAX_DEPTH ? scanArray(t, i, end, depth + 1) : -1;
  if (c === 0x74) return t.startsWith('true', i) ? i + 4 : -1;
  if (c === 0x66) return t.startsWith('false', i) ? i + 5 : -1;
  if (c === 0x6e) return t.startsWith('null', i) ? i + 4 : -1;
  return scanNumber(t, i, end);
}

function scanArray(t: string, i: number, end: number, depth: number): number {
  if (t.charCodeAt(++i) === 0x5d) return i + 1;
  for (;;) {
    i = scanValue(t, i, end, depth);
    if (i < 0) return -1;
    const c = t.charCodeAt(i++);
    if (c === 0x5d) return i;
    if (c !== 0x2c) return -1;
  }
}

/** After the object at `i` (keys plain and in canonical order), or -1; `top` for the record itself. */
function scanObject(t: string, i: number, end: number, depth: number, top: LineFields | undefined): number {
  if (t.charCodeAt(++i) === 0x7d) return i + 1;
  let prevAt = -1;
  let prevEnd = -1;
  for (;;) {
    if (t.charCodeAt(i) !== 0x22) return -1;
    const keyEnd = plainKeyEnd(t, i + 1, end);
    if (keyEnd < 0 || t.charCodeAt(keyEnd + 1) !== 0x3a) return -1;
    if (prevAt >= 0 && !keyBefore(t, prevAt, prevEnd, i + 1, keyEnd)) return -1;
    // JSON.parse makes "__proto__" an own key, which canonicalJson's copy then drops.
    if (keyEnd - i === 10 && t.startsWith('__proto__', i + 1)) return -1;
    prevAt = i + 1;
    prevEnd = keyEnd;
    const key = top && topKey(t, prevAt, prevEnd);
    const v = (key && knownEnd(t, key, keyEnd + 2, end, top)) || scanValue(t, keyEnd + 2, end, depth);
    if (v < 0 || (key && !topMember(t, key, prevAt, keyEnd + 2, v, top))) return -1;
    const c = t.charCodeAt(v);
    if (c === 0x7d) return v + 1;
    if (c !== 0x2c) return -1;
    i = v + 1;
  }
}

/** End (closing quote) of a key without escapes, surrogates or control characters, or -1. */
function plainKeyEnd(t: string, i: number, end: number): number {
  for (; i < end; i++) {
    const c = t.charCodeAt(i);
    if (SPECIAL[c] === 0) continue;
    return c === 0x22 ? i : -1;
  }
  return -1;
}

/**
 * Whether key a sorts strictly before key b as canonicalJson writes them: its keys come from
 * Object.keys(...).sort() into a new object, whose own property order puts array-index keys
 * first, in numeric order, then the others in insertion (sorted, UTF-16) order.
 */
function keyBefore(t: string, a0: number, a1: number, b0: number, b1: number): boolean {
  const x = t.charCodeAt(a0);
  const y = t.charCodeAt(b0);
  // Keys that start with a letter are never array indexes: the first characters usually decide.
  if (x > 0x39 && y > 0x39 && x !== y) return x < y;
  const ia = arrayIndex(t, a0, a1);
  const ib = arrayIndex(t, b0, b1);
  if (ia >= 0 || ib >= 0) return ia >= 0 && (ib < 0 || ia < ib);
  const n = Math.min(a1 - a0, b1 - b0);
  for (let k = 0; k < n; k++) {
    const x = t.charCodeAt(a0 + k);
    const y = t.charCodeAt(b0 + k);
    if (x !== y) return x < y;
  }
  return a1 - a0 < b1 - b0;
}

/** The key as an array index (a canonical integer up to 2^32 - 2), or -1. */
function arrayIndex(t: string, a: number, b: number): number {
  const n = b - a;
  if (n === 0 || n > 10 || !isDigit(t.charCodeAt(a)) || (n > 1 && t.charCodeAt(a) === 0x30)) return -1;
  let v = 0;
  for (let k = a; k < b; k++) {
    const c = t.charCodeAt(k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v <= 4294967294 ? v : -1;
}

/**
 * Whether text[start, end) is canonicalJson of a record-shaped object whose hash is 64 hex
 * digits and whose sig, if any, is a string; fills `f` with where its members are.
 */
export function scanRecordLine(t: string, start: number, end: number, f: LineFields): boolean {
  if (t.charCodeAt(start) !== 0x7b) return false;
  f.hashFrom = f.sigFrom = f.sigTo = f.prevAt = f.runIdAt = f.typeAt = f.seq = -1;
  f.shape = 0;
  if (scanObject(t, start, end, 1, f) !== end) return false;
  return f.hashFrom >= 0 && f.prevAt >= 0 && f.runIdAt >= 0 && f.typeAt >= 0 && f.seq >= 0 && f.shape === 3;
}

/** The top-level keys the scan treats apart, by length and first letter. */
const topKeys: Record<number, Record<number, string>> = {
  2: { 0x74: 'ts' },
  3: { 0x73: 'seq' },
  4: { 0x64: 'data', 0x68: 'hash', 0x74: 'type' },
  5: { 0x61: 'actor', 0x72: 'runId' },
  6: { 0x63: 'commit' },
  7: { 0x72: 'runbook' },
  8: { 0x70: 'planHash' },
};

/**
 * Which of those keys is at [k0, k1), or undefined: by length and first letter, so the others
 * cost no comparison of text (`sig` and `seq`, `planHash` and `prevHash` share both).
 */
function topKey(t: string, k0: number, k1: number): string | undefined {
  const n = k1 - k0;
  let key = topKeys[n]?.[t.charCodeAt(k0)];
  if (n === 3 && t.charCodeAt(k0 + 1) === 0x69) key = 'sig';
  if (n === 8 && t.charCodeAt(k0 + 1) === 0x72) key = 'prevHash';
  return key !== undefined && t.startsWith(key, k0) ? key : undefined;
}

/**
 * The end of a value not scanned character by character (0 to scan it). The hash's 64
 * characters are compared with the computed hash (hex) before the line is taken; a prevHash
 * equal to the hash before (computed, hex) is plain text; a member every record repeats
 * (run id, plan hash, commit, ...) whose text is the one scanned before is valid again.
 */
function knownEnd(t: string, key: string, v0: number, end: number, f: LineFields): number {
  if (key === 'hash' || key === 'prevHash') {
    if (t.charCodeAt(v0) !== 0x22 || t.charCodeAt(v0 + 65) !== 0x22) return 0;
    if (key === 'hash') return v0 + 66;
    return f.expectPrev !== '' && t.startsWith(f.expectPrev, v0 + 1) ? v0 + 66 : 0;
  }
  const seen = f.same[key];
  if (seen === undefined) return 0;
  if (seen !== '' && t.startsWith(seen, v0)) return v0 + seen.length;
  const v = scanValue(t, v0, end, 1);
  if (v > 0 && t.charCodeAt(v0) === 0x22) f.same[key] = t.slice(v0, v);
  return v;
}

/** Notes one top-level member; false when it has a type the fast path does not take. */
function topMember(t: string, key: string, k0: number, v0: number, v1: number, f: LineFields): boolean {
  if (f.same[key] !== undefined && key !== 'runId') return true;
  if (key === 'data') {
    f.shape |= 2;
    return true;
  }
  if (key === 'seq') return topSeq(t, v0, v1, f);
  if (t.charCodeAt(v0) !== 0x22) return false;
  // Every record has a member before these (data sorts first), so each has a comma before it.
  if (key === 'hash') {
    f.hashFrom = k0 - 2;
    f.hashTo = v1;
    f.hashAt = v0 + 1;
    // Its 64 hex digits are checked against the computed hash, which is hex.
    return v1 - v0 === 66;
  }
  if (key === 'sig') {
    f.sigFrom = k0 - 2;
    f.sigTo = v1;
  } else if (key === 'prevHash') {
    f.prevAt = v0 + 1;
    f.prevEnd = v1 - 1;
  } else if (key === 'runId') {
    f.runIdAt = v0 + 1;
    f.runIdEnd = v1 - 1;
  } else if (key === 'type') {
    f.typeAt = v0 + 1;
    f.typeEnd = v1 - 1;
  } else f.shape |= 1; // ts
  return true;
}

function topSeq(t: string, v0: number, v1: number, f: LineFields): boolean {
  f.seq = Number(t.slice(v0, v1));
  return Number.isSafeInteger(f.seq) && f.seq >= 0;
}
