/**
 * Line templates: the cheap proof that an audit line is canonical (issue 12, verify throughput).
 * The records of a run repeat a few shapes (step:start, step:end, …) and differ only in their
 * values. Once the full scanner (canonical-line.ts) has proved a line canonical, its shape becomes
 * one native sticky RegExp: keys, key order, nesting and punctuation literal, each scalar value a
 * pattern that matches only what JSON.stringify writes (strings with its escapes and whole
 * surrogate pairs, integers of up to 15 digits but -0, true/false). A line the RegExp matches
 * differs from the proved one only in such values, so it is canonical too: the line without its
 * hash and sig members is the text hashRecord hashes. The members the chain checks read are found
 * by indexOf (LineTemplate). A line no template matches goes to the scanner, then the full parse.
 */

/** A string's character that needs no escape: not a quote, backslash, control or surrogate. */
const CH = String.raw`[^"\\\x00-\x1f\ud800-\udfff]`;
/** A surrogate pair, or an escape as JSON.stringify writes it (short forms, else \u00xx lowercase). */
const ESC = String.raw`(?:[\ud800-\udbff][\udc00-\udfff]|\\(?:["\\bfnrt]|u00(?:0[0-7bef]|1[0-9a-f])))`;
/** The inside of a canonical string (unrolled, so a failing match never backtracks far). */
const BODY = `${CH}*(?:${ESC}${CH}*)*`;
/** Integers JSON.stringify writes as typed (15 digits are exact), -0 excluded. */
const INT = '(?:0|-?[1-9][0-9]{0,14})';
const SEQ = '(?:0|[1-9][0-9]{0,14})';
const HEX64 = '"[0-9a-f]{64}"';

/** Tokens of a line already proved canonical (so no string holds an unescaped quote). */
const TOKEN = /"(?:[^"\\]|\\.)*"|[-0-9][-+.eE0-9]*|true|false|null|[{}[\]:,]/g;

/**
 * A template: its RegExp (no capture groups: a match allocates nothing) and where the members
 * verify reads are in a line it matches. A needle such as `,"hash":"` can occur in such a line
 * only where it occurs in the template's own line: a string value never holds `,"` (its quotes
 * are escaped) and keys are literal. So the member is the needle's occurrence after `…Skip`
 * others, found with indexOf.
 */
export interface LineTemplate {
  /**
   * The line's RegExp cut after `,"hash":"` (matchTemplate): the first part's match ends where
   * the hash's digits start. Cutting changes no verdict: each value's pattern can match only one
   * way before the literal that follows it, so the whole has at most one match.
   */
  readonly head: RegExp;
  readonly tail: RegExp;
  /** The run id and the type, literal in the RegExp (their values, unescaped). */
  readonly runId: string;
  readonly type: string;
  /** Occurrences of `,"prevHash":"`, `,"seq":` and `,"sig":"` before the record's own, from its hash member. */
  readonly prevSkip: number;
  readonly seqSkip: number;
  /**
   * The offset of the `,"prevHash":"` member from the `,"hash":"` one, when the members between
   * are literal (so it is the same in every line the template matches); -1 otherwise. `seqDelta`:
   * the same for `,"seq":` from `,"prevHash":"`, in a line whose prevHash has 64 characters.
   */
  readonly prevDelta: number;
  readonly seqDelta: number;
  /** -1 when the line has no sig. */
  readonly sigSkip: number;
  /** `",` and the key of the member after sig, then `:` (never in a string); '' when sig is last. */
  readonly sigNext: string;
}

const repeated = new Set(['actor', 'commit', 'planHash', 'runbook', 'runId', 'type']);

const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/**
 * Lines longer than this get no template: a record listing thousands of steps (run:start) is
 * written once, and its RegExp would be too big for the engine (it overflows the stack).
 */
const MAX_TEMPLATE_LINE = 4096;

/** Occurrences of `needle` in line[from, to). */
function occurrences(line: string, needle: string, from: number, to: number): number {
  let n = 0;
  for (let i = line.indexOf(needle, from); i >= 0 && i < to; i = line.indexOf(needle, i + 1)) n++;
  return n;
}

/** The top-level members of a canonical line: where each key's opening quote is, and its value. */
interface TopMembers {
  readonly at: Record<string, number>;
  readonly value: Record<string, string>;
  /** Values of variable length before each key, and in all so far. */
  readonly varsAt: Record<string, number>;
  vars: number;
  /** Where the hash's digits start in the RegExp's source. */
  split: number;
  /** The key token (quotes included) of the member after sig. */
  afterSig: string;
}

/**
 * The template of `line`, which the scanner accepted (a canonical record with a hash member);
 * undefined for a line too long to be worth one.
 */
export function templateOf(line: string): LineTemplate | undefined {
  if (line.length > MAX_TEMPLATE_LINE) return undefined;
  const top: TopMembers = { at: {}, value: {}, varsAt: {}, vars: 0, split: 0, afterSig: '' };
  const source = `${patternOf(line, top)}(?=\\n|$)`;
  const hashAt = top.at.hash - 1;
  const sigSkip = top.at.sig === undefined ? -1 : occurrences(line, ',"sig":"', hashAt, top.at.sig - 1);
  return {
    head: new RegExp(source.slice(0, top.split), 'y'),
    tail: new RegExp(source.slice(top.split), 'y'),
    runId: JSON.parse(top.value.runId) as string,
    type: JSON.parse(top.value.type) as string,
    prevSkip: occurrences(line, ',"prevHash":"', hashAt, top.at.prevHash - 1),
    seqSkip: occurrences(line, ',"seq":', hashAt, top.at.seq - 1),
    prevDelta: top.varsAt.prevHash === top.varsAt.hash ? top.at.prevHash - top.at.hash : -1,
    seqDelta:
      top.varsAt.seq === top.varsAt.prevHash + 1 && top.value.prevHash.length === 66
        ? top.at.seq - top.at.prevHash
        : -1,
    sigSkip,
    sigNext: sigSkip < 0 || top.afterSig === '' ? '' : `",${top.afterSig}:`,
  };
}

/** The RegExp source of `line`'s shape; notes its top-level members in `top`. */
function patternOf(line: string, top: TopMembers): string {
  let out = '';
  let depth = 0;
  let key = '';
  for (const m of line.matchAll(TOKEN)) {
    const tok = m[0];
    const c = tok.charCodeAt(0);
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    if (c === 0x22 && line.charCodeAt(m.index + tok.length) === 0x3a) {
      key = depth === 1 ? tok.slice(1, -1) : '';
      if (depth === 1 && top.at.sig !== undefined && top.afterSig === '') top.afterSig = tok;
      if (key !== '') top.at[key] = m.index;
      if (key !== '') top.varsAt[key] = top.vars;
      out += escapeRegExp(tok);
      continue;
    }
    if (c === 0x3a) {
      out += ':';
      continue;
    }
    if (key !== '' && c === 0x22) top.value[key] = tok;
    const pattern = c === 0x2c ? ',' : valuePattern(tok, c, key);
    // A hash is always 64 digits; a literal always its own length.
    if (pattern !== ',' && pattern !== HEX64 && pattern !== escapeRegExp(tok)) top.vars++;
    if (key === 'hash') top.split = out.length + 1; // after the opening quote
    out += pattern;
    key = '';
  }
  return out;
}

/** The pattern of one value token of the top-level member `key` ('' inside nested values). */
function valuePattern(tok: string, c: number, key: string): string {
  if (c === 0x22) {
    // Members every record of a run repeats (and the type) are kept as they are (a literal is
    // matched faster than a pattern); a line where one differs takes the scanner and then has
    // its own template.
    if (repeated.has(key)) return escapeRegExp(tok);
    return key === 'hash' ? HEX64 : `"${BODY}"`;
  }
  if (key === 'seq') return SEQ;
  if (c === 0x74 || c === 0x66) return '(?:true|false)';
  if ((c === 0x2d || (c >= 0x30 && c <= 0x39)) && /^(?:0|-?[1-9][0-9]{0,14})$/.test(tok)) return INT;
  return escapeRegExp(tok);
}

/**
 * Where the hash's digits start if `tp` matches the line of `t` at `start` (which then ends at
 * `tp.tail.lastIndex`), else -1.
 */
export function matchTemplate(tp: LineTemplate, t: string, start: number): number {
  tp.head.lastIndex = start;
  if (!tp.head.test(t)) return -1;
  const hashAt = tp.head.lastIndex;
  tp.tail.lastIndex = hashAt;
  return tp.tail.test(t) ? hashAt : -1;
}
