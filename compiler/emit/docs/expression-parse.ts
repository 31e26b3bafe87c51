/**
 * A small reader of the expressions runbooks write inside `{{ }}` (RUNBOOK_FORMAT.md,
 * "Expressions"): a path (`steps.x.outputs.y`), a literal, or a helper call with arguments, which
 * may be parenthesised sub-expressions (`{{and (gt a 1) (lt a 5)}}`). The compiler has already
 * checked every template with Handlebars itself; this only has to say them in words on the wiki,
 * so anything it cannot read is left as written (the caller shows the raw text).
 */
export type Expr =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null }
  | { readonly kind: 'call'; readonly helper: string; readonly args: readonly Expr[] };

/** A template cut into literal text and `{{ }}` statements (raw text kept for the fallback). */
export type Segment = { readonly text: string } | { readonly raw: string; readonly expr: Expr | undefined };

export function segments(template: string): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const m of template.matchAll(/\{\{\{?\s*([^}]*?)\s*\}?\}\}/g)) {
    if (m.index > at) out.push({ text: template.slice(at, m.index) });
    out.push({ raw: m[0], expr: parseExpression(m[1]) });
    at = m.index + m[0].length;
  }
  if (at < template.length) out.push({ text: template.slice(at) });
  return out;
}

const token = /\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\(|\)|[^\s()]+)/y;

function tokens(source: string): string[] | undefined {
  const out: string[] = [];
  token.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (token.lastIndex < source.length && (m = token.exec(source))) out.push(m[1]);
  return source.slice(token.lastIndex).trim() === '' ? out : undefined;
}

/** The body of one statement (without the braces), or undefined when it is not a plain expression. */
export function parseExpression(source: string): Expr | undefined {
  const list = tokens(source);
  // Block statements (`#if`, `/if`, `else`), comments and partials are not expressions.
  if (!list?.length || /^[#/^!>]/.test(list[0]) || list[0] === 'else') return undefined;
  const state = { list, at: 0 };
  const expr = sequence(state, list.length);
  return expr && state.at === list.length ? expr : undefined;
}

interface State {
  readonly list: string[];
  at: number;
}

/** `helper arg…` or a single atom, up to `end` (a closing parenthesis or the end). */
function sequence(state: State, end: number): Expr | undefined {
  const items: Expr[] = [];
  while (state.at < end && state.list[state.at] !== ')') {
    const item = atom(state);
    if (!item) return undefined;
    items.push(item);
  }
  if (items.length === 1) return items[0];
  const [head, ...args] = items;
  return head?.kind === 'path' && /^[a-z]+$/i.test(head.path) ? { kind: 'call', helper: head.path, args } : undefined;
}

function atom(state: State): Expr | undefined {
  const t = state.list[state.at++];
  if (t === '(') {
    const inner = sequence(state, state.list.length);
    if (state.list[state.at++] !== ')') return undefined;
    return inner;
  }
  if (/^["']/.test(t)) return { kind: 'literal', value: t.slice(1, -1).replace(/\\(.)/g, '$1') };
  if (/^-?\d+(\.\d+)?$/.test(t)) return { kind: 'literal', value: Number(t) };
  if (t === 'true' || t === 'false') return { kind: 'literal', value: t === 'true' };
  if (t === 'null' || t === 'undefined') return { kind: 'literal', value: null };
  // `key=value` hash arguments are not used by the runbook helpers.
  if (t.includes('=')) return undefined;
  return { kind: 'path', path: t };
}
