/**
 * Line templates: the cheap proof that an audit line is canonical (issue 12, verify throughput).
 * The records of a run repeat a few shapes (step:start, step:end, …) and differ only in their
 * values. Once the full scanner (canonical-line.ts) has proved a line canonical, its shape becomes
 * one native sticky RegExp: keys, key order, nesting and punctuation literal, each scalar value a
 * pattern that matches only what JSON.stringify writes (strings with its escapes and whole
 * surrogate pairs, integers of up to 15 digits but -0, true/false). A line the RegExp matches
 * differs from the proved one only in such values, so it is canonical too, and its capture groups
 * are the line without its hash and sig members (the text hashRecord hashes) and the members the
 * chain checks read. A line no template matches goes to the scanner, then the full parse.
 */

/** A string's character that needs no escape: not a quote, backslash, control or surrogate. */
const CH = String.raw`[^"\\\x00-\x1f\ud800-\udfff]`;
/** A surrogate pair, or an escape as JSON.stringify writes it (short forms, else \u00xx lowercase). */
const ESC = String.raw`(?:[\ud800-\udbff][\udc00-\udfff]|\\(?:["\\bfnrt]|u00(?:0[0-7bef]|1[0-9a-f])))`;
/** The inside of a canonical string (unrolled, so a failing match never backtracks far). */
const BODY = `${CH}*(?:${ESC}${CH}*)*`;
/** Integers JSON.stringify writes as typed (15 digits are exact), -0 excluded. */
const INT = '(?:0|-?[1-9][0-9]{0,14})';
const SEQ = '(0|[1-9][0-9]{0,14})';
const HEX64 = '"([0-9a-f]{64})"';

/** Tokens of a line already proved canonical (so no string holds an unescaped quote). */
const TOKEN = /"(?:[^"\\]|\\.)*"|[-0-9][-+.eE0-9]*|true|false|null|[{}[\]:,]/g;

/** Where a template's capture groups are (0 when the member is absent). */
export interface LineTemplate {
  readonly re: RegExp;
  /** The line before `,"hash":`, between hash and sig (or the end), and after sig. */
  readonly pre: number;
  readonly mid: number;
  readonly post: number;
  readonly hash: number;
  readonly sig: number;
  readonly prevHash: number;
  readonly runId: number;
  readonly type: number;
  readonly seq: number;
}

const repeated = new Set(['actor', 'commit', 'planHash', 'runbook', 'runId']);

const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

type Groups = { -readonly [K in Exclude<keyof LineTemplate, 're'>]: number };

/**
 * Lines longer than this get no template: a record listing thousands of steps (run:start) is
 * written once, and its RegExp would be too big for the engine (it overflows the stack).
 */
const MAX_TEMPLATE_LINE = 4096;

/**
 * The template of `line`, which the scanner accepted (a canonical record with a hash member);
 * undefined for a line too long to be worth one.
 */
export function templateOf(line: string): LineTemplate | undefined {
  if (line.length > MAX_TEMPLATE_LINE) return undefined;
  const g: Groups = { pre: 1, mid: 0, post: 0, hash: 0, sig: 0, prevHash: 0, runId: 0, type: 0, seq: 0 };
  let n = 1;
  let out = '(';
  let depth = 0;
  let key = '';
  for (const m of line.matchAll(TOKEN)) {
    const tok = m[0];
    const c = tok.charCodeAt(0);
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    if (c === 0x22 && line.charCodeAt(m.index + tok.length) === 0x3a) {
      key = depth === 1 ? tok.slice(1, -1) : '';
      if (key === 'hash' || key === 'sig') {
        // Close the group before, open the member's own, then the group after it.
        out = `${out.slice(0, -1)}),${escapeRegExp(tok)}`;
        g[key] = ++n;
        g[key === 'hash' ? 'mid' : 'post'] = n + 1;
        n++;
        out += key === 'hash' ? `:${HEX64}(` : `:"(${BODY})"(`;
        continue;
      }
      out += escapeRegExp(tok);
      continue;
    }
    if (key === 'hash' || key === 'sig') {
      // Its colon and value were written with the key.
      if (c !== 0x3a) key = '';
      continue;
    }
    if (c === 0x3a) out += ':';
    else out += c === 0x2c ? ',' : valuePattern(tok, c, key, g, () => ++n);
    if (c !== 0x3a) key = '';
  }
  return { re: new RegExp(`${out})(?=\\n|$)`, 'y'), ...g };
}

/** The pattern of one token; the top-level members verify reads are captured. */
function valuePattern(tok: string, c: number, key: string, g: Groups, group: () => number): string {
  if (c === 0x22) {
    // Members every record of a run repeats are kept as they are (a literal is matched faster
    // than a pattern); a line where one differs takes the scanner and then has its own template.
    const text = repeated.has(key) ? escapeRegExp(tok.slice(1, -1)) : BODY;
    if (key === 'prevHash' || key === 'runId' || key === 'type') {
      g[key] = group();
      return `"(${text})"`;
    }
    return `"${text}"`;
  }
  if (key === 'seq') {
    g.seq = group();
    return SEQ;
  }
  if (c === 0x74 || c === 0x66) return '(?:true|false)';
  if ((c === 0x2d || (c >= 0x30 && c <= 0x39)) && /^(?:0|-?[1-9][0-9]{0,14})$/.test(tok)) return INT;
  return escapeRegExp(tok);
}
