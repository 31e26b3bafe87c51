import type { InlineCode, Parents, Text } from 'mdast';
import {
  defaultHandlers,
  type ConstructName,
  type Handle,
  type Info,
  type State,
  type Unsafe,
} from 'mdast-util-to-markdown';

/**
 * Exact fast paths for the two handlers that run on almost every phrasing node of a page, `text`
 * and `inlineCode`. They change no output byte: each returns early only when it can prove the
 * result of the handler it wraps, and otherwise calls that handler.
 *
 * Why it matters: `mdast-util-to-markdown`'s `safe()` runs every unsafe pattern (~90 with GFM)
 * over every text node, checking each pattern's construct scope against the stack first, and
 * `inlineCode` builds a RegExp per call and walks the same ~90 patterns. On a runbook page of
 * ~1,400 text and ~450 inline code nodes that was most of the serialisation time.
 *
 * `text`: `safe()` escapes only at positions where some in-scope pattern's regex matches with its
 * `character` inside the text itself (matches in the `before`/`after` context are skipped), then
 * escapes backslashes that precede punctuation. So when no in-scope pattern matches with its
 * character inside the text, and neither the text nor `after` has a backslash, `safe()` returns
 * the text unchanged. The check below runs the serialiser's own compiled patterns with its own
 * scope rules; it only skips work: patterns out of scope (looked up once per construct stack)
 * and patterns whose character the text does not hold. Anything else goes to `safe()`.
 *
 * `inlineCode`: without a grave accent, CR or LF, and with no space at either end, the value is
 * printed as `` `value` `` (one-tick fence, no padding, no line-ending fix-up; `atBreak` patterns
 * need a CR or LF to match). A `|` inside a table cell goes through GFM's handler as before.
 */

/**
 * The in-scope patterns for one construct stack, by character. A pattern changes the output
 * only where it matches with its `character` inside the text, so only the patterns of characters
 * the text holds are run.
 */
interface Scope {
  /** In-scope patterns by the char code of their (ASCII) character. */
  readonly byCode: readonly (readonly Unsafe[] | undefined)[];
  /** In-scope patterns whose character is not ASCII (none in practice). */
  readonly other: readonly Unsafe[];
  /**
   * Answers of `passesUnchanged` under this scope (short texts only): by the text itself, then
   * by its context. Keyed by the text as it is, a lookup hashes a string the page already holds
   * (once per string), where one concatenated key was a new string to build and hash every time.
   */
  readonly answers: Map<string, Map<string, boolean>>;
}

interface ScopeNode {
  scope?: Scope;
  readonly next: Map<ConstructName, ScopeNode>;
}

/** One configuration's patterns (the same pattern objects on every `toMarkdown` call). */
interface PatternSet {
  readonly unsafe: readonly Unsafe[];
  /** False when a pattern needs sibling nodes or is not one character: no fast path then. */
  readonly eligible: boolean;
  readonly scopes: ScopeNode;
}

let cached: PatternSet | undefined;
let cachedFor: readonly Unsafe[] | undefined;

function patternSet(state: State): PatternSet {
  const unsafe = state.unsafe;
  if (cached && (cachedFor === unsafe || sameList(cached.unsafe, unsafe))) {
    cachedFor = unsafe;
    return cached;
  }
  const eligible = unsafe.every(
    (p) =>
      typeof p.character === 'string' &&
      p.character.length === 1 &&
      !(p as { beforeNode?: unknown }).beforeNode &&
      !(p as { afterNode?: unknown }).afterNode,
  );
  cached = { unsafe: [...unsafe], eligible, scopes: { next: new Map() } };
  cachedFor = unsafe;
  return cached;
}

function sameList(a: readonly Unsafe[], b: readonly Unsafe[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function scopeOf(set: PatternSet, state: State): Scope {
  const stack = state.stack;
  let node = set.scopes;
  for (let i = 0; i < stack.length; i++) {
    let next = node.next.get(stack[i]);
    if (!next) node.next.set(stack[i], (next = { next: new Map() }));
    node = next;
  }
  if (!node.scope) {
    const patterns = set.unsafe.filter((p) => patternInScope(stack, p));
    const byCode: Unsafe[][] = [];
    const other: Unsafe[] = [];
    for (const p of patterns) {
      const code = p.character.charCodeAt(0);
      if (code < 128) (byCode[code] ??= []).push(p);
      else other.push(p);
    }
    node.scope = { byCode: Array.from({ length: 128 }, (_, i) => byCode[i]), other, answers: new Map() };
  }
  return node.scope;
}

/** As `mdast-util-to-markdown`'s `patternInScope` (not exported by the package). */
function patternInScope(stack: readonly ConstructName[], pattern: Unsafe): boolean {
  return listInScope(stack, pattern.inConstruct, true) && !listInScope(stack, pattern.notInConstruct, false);
}

function listInScope(stack: readonly ConstructName[], list: Unsafe['inConstruct'], none: boolean): boolean {
  const items = typeof list === 'string' ? [list] : list;
  if (!items || items.length === 0) return none;
  return items.some((name) => stack.includes(name));
}

/** Which characters were already checked for the current text (`generation` marks them). */
const checked = new Uint32Array(128);
let generation = 0;

/**
 * True when `safe(state, input, { before, after })` certainly returns `input` unchanged: no
 * in-scope pattern matches with its character inside `input`, and there is no backslash to escape.
 */
export function passesUnchanged(state: State, input: string, before: string, after: string): boolean {
  if (input.includes('\\') || after.includes('\\')) return false;
  const set = patternSet(state);
  if (!set.eligible) return false;
  const scope = scopeOf(set, state);
  // The answer depends on the in-scope patterns and the three strings alone: pages repeat the
  // same short texts in the same places ("Runs:", " · ", a step's title), so it is kept.
  if (input.length + before.length + after.length > memoMaxLength)
    return checkPatterns(state, scope, input, before, after);
  let byContext = scope.answers.get(input);
  if (!byContext) {
    if (scope.answers.size >= memoCap) scope.answers.clear();
    scope.answers.set(input, (byContext = new Map()));
  }
  // `before` and `after` are a character or two each; the length keeps "a|bc" from "ab|c".
  const context = before.length + ':' + before + after;
  let answer = byContext.get(context);
  if (answer === undefined) {
    answer = checkPatterns(state, scope, input, before, after);
    byContext.set(context, answer);
  }
  return answer;
}

/** Texts longer than this (with their context) are checked each time: they rarely repeat. */
const memoMaxLength = 160;
/** Texts kept per scope before their answers are dropped (bounds memory over a large library). */
const memoCap = 20_000;

/** The check behind `passesUnchanged`: no in-scope pattern matches with its character inside `input`. */
function checkPatterns(state: State, scope: Scope, input: string, before: string, after: string): boolean {
  if (++generation === 0xffffffff) {
    checked.fill(0);
    generation = 1;
  }
  let value: string | undefined;
  const start = before.length;
  const end = start + input.length;
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i);
    if (code >= 128 || checked[code] === generation) continue;
    checked[code] = generation;
    const patterns = scope.byCode[code];
    if (!patterns) continue;
    value ??= before + input + after;
    for (const pattern of patterns) if (matchesInside(state, pattern, value, start, end)) return false;
  }
  for (const pattern of scope.other) {
    if (input.includes(pattern.character) && matchesInside(state, pattern, before + input + after, start, end))
      return false;
  }
  return true;
}

/** Whether `pattern` matches in `value`, as `safe()` runs it, with its character in [start, end). */
function matchesInside(state: State, pattern: Unsafe, value: string, start: number, end: number): boolean {
  const expression = state.compilePattern(pattern);
  const hasBefore = Boolean(pattern.before || pattern.atBreak);
  // The serialiser's own compiled (global) regex: scan from 0 and leave lastIndex at 0, as
  // `safe()` does.
  expression.lastIndex = 0;
  let match: RegExpExecArray | null;
  let hit = false;
  while ((match = expression.exec(value))) {
    const position = match.index + (hasBefore ? match[1].length : 0);
    if (position >= start && position < end) {
      hit = true;
      break;
    }
  }
  expression.lastIndex = 0;
  return hit;
}

const defaultText = defaultHandlers.text as Handle;

function text(node: Text, parent: Parents | undefined, state: State, info: Info): string {
  const value = node.value;
  if (typeof value === 'string' && passesUnchanged(state, value, info.before || '', info.after || '')) return value;
  return defaultText(node, parent, state, info);
}

/**
 * A fast `inlineCode` on top of the handler it replaces (GFM's: the default one, plus escaping
 * `|` in table cells). The fuzz comparison with a plain remark-stringify (see the docs tests)
 * is what keeps this honest across dependency upgrades.
 */
export function fastInlineCode(base: Handle): Handle {
  const handle = (node: InlineCode, parent: Parents | undefined, state: State, info: Info): string => {
    const value = node.value;
    if (
      typeof value === 'string' &&
      value !== '' &&
      !/[`\r\n|]/.test(value) &&
      value.charCodeAt(0) !== 32 &&
      value.charCodeAt(value.length - 1) !== 32 &&
      patternSet(state).eligible
    ) {
      return '`' + value + '`';
    }
    return base(node, parent, state, info);
  };
  return Object.assign(handle, { peek: (base as { peek?: unknown }).peek }) as Handle;
}

export const fastText = text as Handle;
