import type { Emphasis, Link, Parents, PhrasingContent, Strong } from 'mdast';
import type { ConstructName, Info, State } from 'mdast-util-to-markdown';
import { passesUnchanged } from './fast-handlers.js';

/**
 * Phrasing for the direct serialiser (direct-serialiser.ts): text, inline code, inline HTML, links,
 * and plain `**strong**` and `*emphasis*`, printed as `mdast-util-to-markdown`'s `containerPhrasing` prints them. Escaping is
 * the library's own (`state.safe` / the installed handlers) with the construct stack and the
 * before/after characters `containerPhrasing` would pass. Whatever this file cannot prove (other
 * attention, nested strong, strong whose markers would need character references, …) goes to the
 * library's `containerPhrasing` for that container, with the same stack: never a different byte.
 */

/** `micromark-util-classify-character`: 1 whitespace, 2 punctuation, undefined anything else. */
function classify(code: number): 1 | 2 | undefined {
  if (Number.isNaN(code)) return undefined;
  const c = String.fromCharCode(code);
  if (code === 32 || code === 9 || code === 10 || code === 13 || /\s/.test(c)) return 1;
  return /\p{P}|\p{S}/u.test(c) ? 2 : undefined;
}

function firstCharacter(value: string): string {
  const code = value.codePointAt(0);
  return code === undefined ? '' : String.fromCodePoint(code);
}

function lastCharacter(value: string): string {
  const code = value.codePointAt(value.length - 2);
  return code !== undefined && code > 0xffff ? value.slice(-2) : value.slice(-1);
}

/** Thrown inside a container when the fast path cannot prove the library's output. */
const unproven = new Error('unproven phrasing');

/** Strong or emphasis: its printed children and the sequence around them (`**` or `*`). */
interface Strongish {
  readonly inner: string;
  readonly sequence: '**' | '*';
}
type Item = string | Strongish;

/** Runs `fn` with `state.stack` set to `stack` (the handlers push and pop on it). */
export function withStack<T>(state: State, stack: ConstructName[], fn: () => T): T {
  const saved = state.stack;
  state.stack = stack;
  try {
    return fn();
  } finally {
    state.stack = saved;
  }
}

const info = (before: string, after: string): Info => ({ before, after, now: { line: 1, column: 1 }, lineShift: 0 });

/** The phrasing children of `parent`, as `containerPhrasing(parent, { before, after })` prints them. */
export function phrasing(state: State, parent: Parents, stack: ConstructName[], before: string, after: string): string {
  try {
    return joinItems(items(state, parent, stack, before, after), before, after);
  } catch (e) {
    if (e !== unproven) throw e;
    return withStack(state, [...stack], () => state.containerPhrasing(parent, info(before, after)));
  }
}

function items(state: State, parent: Parents, stack: ConstructName[], before: string, after: string): Item[] {
  const children = (parent as { children: PhrasingContent[] }).children;
  const out: Item[] = [];
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    const next = i + 1 < children.length ? peek(state, children[i + 1], parent, stack) : after;
    if (child.type === 'strong' || child.type === 'emphasis') {
      out.push(strong(state, child, stack));
      before = '*';
      continue;
    }
    const value = inline(state, child, parent, stack, before, next);
    if (!value) continue;
    out.push(value);
    before = lastCharacter(value);
  }
  return out;
}

/** The first character of a node's output, as `containerPhrasing` peeks it. */
function peek(state: State, node: PhrasingContent, parent: Parents, stack: ConstructName[]): string {
  // The handlers' own peeks: `*` (no `strong`/`emphasis` option is set) and `<`.
  if (node.type === 'strong' || node.type === 'emphasis') return '*';
  if (node.type === 'html') return '<';
  if (node.type === 'inlineCode') return '`';
  // No unsafe pattern has a letter or digit as its character, so `safe` keeps such a first one.
  if (node.type === 'text') {
    return /^[A-Za-z0-9]/.test(node.value) ? node.value[0] : firstCharacter(text(state, node.value, stack, '', ''));
  }
  if (node.type === 'link') return isAutolink(node) ? '<' : '[';
  throw unproven;
}

function inline(
  state: State,
  node: PhrasingContent,
  parent: Parents,
  stack: ConstructName[],
  before: string,
  after: string,
): string {
  if (node.type === 'text') return text(state, node.value, stack, before, after);
  if (node.type === 'inlineCode' || (node.type === 'link' && isAutolink(node)))
    return withStack(state, [...stack], () =>
      state.handlers[node.type](node as never, parent, state, info(before, after)),
    );
  if (node.type === 'link') return link(state, node, stack, before);
  if (node.type === 'html') return html(state, node, parent, before, after);
  throw unproven;
}

function text(state: State, value: string, stack: ConstructName[], before: string, after: string): string {
  return withStack(state, stack, () =>
    passesUnchanged(state, value, before, after) ? value : state.safe(value, { before, after }),
  );
}

/** As `formatLinkAsAutolink` (no `resourceLink` option is set). */
function isAutolink(node: Link): boolean {
  const only = node.children.length === 1 ? node.children[0] : undefined;
  return Boolean(
    node.url &&
    !node.title &&
    only?.type === 'text' &&
    (only.value === node.url || 'mailto:' + only.value === node.url) &&
    /^[a-z][+\-.a-z]+:/i.test(node.url) &&
    !/[\0- <>\u007F]/.test(node.url),
  );
}

/** `[label](destination)`: a raw destination and no title; anything else is unproven. */
function link(state: State, node: Link, stack: ConstructName[], before: string): string {
  const last = before.charAt(before.length - 1);
  if (node.title || !node.url || /[\0- \u007F]/.test(node.url) || last === '\n' || last === '\r') throw unproven;
  const label = phrasing(state, node, [...stack, 'link', 'label'], '[', '](');
  const head = '[' + label + '](';
  return head + text(state, node.url, [...stack, 'link', 'destinationRaw'], head, ')') + ')';
}

/**
 * Inline HTML, printed as is by its handler. After a line ending `containerPhrasing` may turn
 * that line ending into a space (so the HTML cannot start a block): unproven here.
 */
function html(state: State, node: PhrasingContent, parent: Parents, before: string, after: string): string {
  const last = before.charAt(before.length - 1);
  if (last === '\n' || last === '\r') throw unproven;
  return state.handlers.html(node as never, parent, state, info(before, after));
}

/**
 * `**…**` (strong) or `*…*` (emphasis) around text and inline code whose markers need no
 * character reference. Both pair as written: the rule of 3 never refuses two runs of one size.
 */
function strong(state: State, node: Strong | Emphasis, stack: ConstructName[]): Strongish {
  if (node.children.some((c) => c.type !== 'text' && c.type !== 'inlineCode')) throw unproven;
  const sequence = node.type === 'strong' ? '**' : '*';
  const inner = joinItems(items(state, node, [...stack, node.type], sequence, sequence), sequence, sequence);
  if (!inner) throw unproven;
  return { inner, sequence };
}

/** Joins items when every strong/emphasis keeps its `*` sequence and needs no encoding; throws otherwise. */
function joinItems(list: readonly Item[], before: string, after: string): string {
  let out = '';
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (typeof item === 'string') {
      out += item;
      continue;
    }
    const prev = i === 0 ? before : list[i - 1];
    const next = i === list.length - 1 ? after : list[i + 1];
    if (typeof prev !== 'string' || typeof next !== 'string') throw unproven;
    // `guess` keeps `**` unless a neighbour starts with `*` (previous is '' after a string).
    if ((i === 0 && prev.charAt(0) === '*') || (i === list.length - 1 && next.charAt(0) === '*')) throw unproven;
    const outsideBefore = lastCharacter(prev);
    const tail = lastCharacter(item.inner);
    if (!flanks(outsideBefore.charCodeAt(outsideBefore.length - 1), item.inner.charCodeAt(0))) throw unproven;
    if (!flanks(firstCharacter(next).charCodeAt(0), tail.charCodeAt(tail.length - 1))) throw unproven;
    out += item.sequence + item.inner + item.sequence;
  }
  return out;
}

/** True when `encodeInfo(outside, inside, '*')` encodes nothing (and so the run pairs as is). */
function flanks(outside: number, inside: number): boolean {
  const insideKind = classify(inside);
  if (insideKind === 1) return false;
  return !(classify(outside) === undefined && insideKind === 2);
}
