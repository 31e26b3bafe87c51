import { createRequire } from 'node:module';
import type {} from 'handlebars'; // the global `hbs` namespace of its AST types

type HbsNode = hbs.AST.Node;

/** The helpers every expression may call (RUNBOOK_FORMAT.md, "Expressions"). */
export const expressionHelpers = [
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'and',
  'or',
  'not',
  'default',
  'json',
  'duration',
] as const;
/** Handlebars' own block helpers, allowed in Template bodies. */
export const blockHelpers = ['if', 'unless', 'each', 'with'] as const;

/** One path read by an expression, e.g. `steps.promote-db.outputs.endpoint`. */
export interface PathRef {
  readonly parts: string[];
  readonly original: string;
  /** Offsets into the template string. */
  readonly start: number;
  readonly end: number;
  /** True inside `each`/`with` blocks, where `this` has moved and roots cannot be checked. */
  readonly scoped: boolean;
  /** `this`, `.`, `../x` or `@data`: a path relative to block context rather than a named root. */
  readonly contextual?: boolean;
  /** Inside an `each`/`with` block. */
  readonly inBlock?: boolean;
}

export interface HelperRef {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

export interface ParsedTemplate {
  readonly paths: PathRef[];
  readonly helpers: HelperRef[];
  /** Offsets of each `{{ … }}` statement, for pointing at a whole expression. */
  readonly statements: { start: number; end: number }[];
}

export type ParseResult = { ok: true; template: ParsedTemplate } | { ok: false; message: string; offset: number };

/** True when a string contains something Handlebars would treat as an expression. */
export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

/** Parse results by text while a compile runs (see `withTemplateCache`); undefined otherwise. */
let cache: Map<string, ParseResult> | undefined;

/**
 * Runs `fn` with `parseTemplate` results cached by text, then drops the cache: several rules parse
 * the same strings of one compile (template-references, inputs, secret-exposure…). Results are
 * shared between callers, which only read them. Nested calls share the outer cache.
 */
export function withTemplateCache<T>(fn: () => T): T {
  if (cache) return fn();
  cache = new Map();
  try {
    return fn();
  } finally {
    cache = undefined;
  }
}

/** Parses a template string and lists the paths and helpers it uses, with offsets. */
export function parseTemplate(text: string): ParseResult {
  if (!cache) return parseUncached(text);
  let result = cache.get(text);
  if (!result) cache.set(text, (result = parseUncached(text)));
  return result;
}

let parser: ((text: string) => hbs.AST.Program) | undefined;

/**
 * `Handlebars.parse`, from the module that defines it: the package's entry point also loads its
 * compiler, runtime and source-map (about 45 modules) that checking a template never uses.
 * Loaded on first use, so a tree without templates does not load it at all.
 */
function hbsParse(text: string): hbs.AST.Program {
  parser ??= (
    createRequire(import.meta.url)('handlebars/dist/cjs/handlebars/compiler/base.js') as {
      parse(text: string): hbs.AST.Program;
    }
  ).parse;
  return parser(text);
}

function parseUncached(text: string): ParseResult {
  const tooDeep = nestingProblem(text);
  if (tooDeep) return { ok: false, ...tooDeep };
  let ast: hbs.AST.Program;
  try {
    ast = hbsParse(text);
  } catch (e) {
    const message = String((e as Error).message ?? e);
    const line = /line (\d+)/.exec(message);
    const offset = line ? lineOffset(text, Number(line[1])) : 0;
    return { ok: false, message: describeParseError(message), offset };
  }
  const starts = lineStarts(text);
  const at = (loc: hbs.AST.SourceLocation | undefined, end = false): number => {
    if (!loc) return 0;
    const p = end ? loc.end : loc.start;
    return (starts[p.line - 1] ?? 0) + p.column;
  };
  const out: ParsedTemplate = { paths: [], helpers: [], statements: [] };
  walk(ast, false, out, at);
  return { ok: true, template: out };
}

function walk(
  node: HbsNode | undefined,
  scoped: boolean,
  out: ParsedTemplate,
  at: (l: hbs.AST.SourceLocation | undefined, end?: boolean) => number,
): void {
  if (!node) return;
  switch (node.type) {
    case 'Program':
      for (const s of (node as hbs.AST.Program).body) walk(s, scoped, out, at);
      return;
    case 'MustacheStatement':
    case 'SubExpression':
    case 'BlockStatement': {
      const n = node as unknown as {
        loc: hbs.AST.SourceLocation;
        path: hbs.AST.Expression;
        params: hbs.AST.Expression[];
        hash?: hbs.AST.Hash;
        program?: hbs.AST.Program;
        inverse?: hbs.AST.Program;
      };
      if (node.type !== 'SubExpression') out.statements.push({ start: at(n.loc), end: at(n.loc, true) });
      const isCall = n.params.length > 0 || (n.hash?.pairs.length ?? 0) > 0 || node.type === 'BlockStatement';
      const path = n.path as hbs.AST.PathExpression;
      if (path.type === 'PathExpression') {
        if (isCall) out.helpers.push({ name: path.original, start: at(path.loc), end: at(path.loc, true) });
        else pathRef(path, scoped, out, at);
      }
      for (const p of n.params) walk(p, scoped, out, at);
      for (const pair of n.hash?.pairs ?? []) walk(pair.value, scoped, out, at);
      const inner =
        scoped || (node.type === 'BlockStatement' && (path.original === 'each' || path.original === 'with'));
      walk(n.program, inner, out, at);
      walk(n.inverse, scoped, out, at);
      return;
    }
    case 'PathExpression':
      pathRef(node as hbs.AST.PathExpression, scoped, out, at);
      return;
    default:
      return;
  }
}

function pathRef(
  path: hbs.AST.PathExpression,
  scoped: boolean,
  out: ParsedTemplate,
  at: (l: hbs.AST.SourceLocation | undefined, end?: boolean) => number,
): void {
  // `@index`, `../x` and `this` depend on block context; they are never roots we can check.
  const contextual = path.data || path.depth > 0 || path.original.startsWith('this') || path.parts.length === 0;
  out.paths.push({
    parts: path.parts,
    original: path.original,
    start: at(path.loc),
    end: at(path.loc, true),
    scoped: scoped || contextual,
    contextual,
    inBlock: scoped,
  });
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineOffset(text: string, line: number): number {
  return lineStarts(text)[line - 1] ?? 0;
}

/** Handlebars' parser messages quote a grammar state; say what the author did instead. */
function describeParseError(message: string): string {
  const lines = message.split('\n');
  if (/got 'EOF'/.test(message)) return 'template ends inside an expression or an unclosed {{#block}}';
  const got = /got '([A-Z_]+)'/.exec(message);
  if (got) return `unexpected ${got[1].toLowerCase().replace(/_/g, ' ')} in template: ${lines[1]?.trim() ?? ''}`.trim();
  return lines[0].replace(/^Parse error on line \d+:?\s*/, '') || 'cannot parse template';
}

/** Deeper than this, a template is not something a person wrote. */
export const maxTemplateNesting = 64;

/**
 * Handlebars' parser is super-linear in nesting depth (10,000 nested blocks take minutes), so
 * nesting is measured first by a linear scan: block openers against closers, and parentheses of
 * sub-expressions inside each `{{ }}`.
 */
function nestingProblem(text: string): { message: string; offset: number } | undefined {
  let blocks = 0;
  for (const m of text.matchAll(/\{\{~?\s*([#^/])|\{\{~?\s*else\b/g)) {
    if (m[1] === '/') blocks--;
    else if (m[1] !== undefined) blocks++;
    if (blocks > maxTemplateNesting)
      return { message: `blocks nested more than ${maxTemplateNesting} deep`, offset: m.index ?? 0 };
  }
  for (const m of text.matchAll(/\{\{[^}]*\}?\}?/g)) {
    let depth = 0;
    for (let i = 0; i < m[0].length; i++) {
      const c = m[0].charCodeAt(i);
      if (c === 40) depth++;
      else if (c === 41) depth--;
      if (depth > maxTemplateNesting)
        return { message: `sub-expressions nested more than ${maxTemplateNesting} deep`, offset: (m.index ?? 0) + i };
    }
  }
  return undefined;
}
