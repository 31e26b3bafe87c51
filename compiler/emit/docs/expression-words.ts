import type { PhrasingContent } from 'mdast';
import { inlineCode, joinInline, phrasing, type Inline } from '../../../common/markdown/mdast-builders.js';
import { segments, type Expr } from './expression-parse.js';
import type { StepIndex } from './step-index.js';

/**
 * Templates said in words for the reader in a hurry: `{{steps.lag.outputs.lag}}` reads "the `lag`
 * output of step 1.4 (lag)", `{{lt outputs.lag 300}}` reads "this step's `lag` output is less than
 * 300". The raw expressions stay in the page's reference part (runbook-reference.ts). Code
 * blocks cannot hold formatting, so commands get short placeholders instead (`<input reason>`).
 */

const comparisons: Readonly<Record<string, string>> = {
  eq: ' equals ',
  ne: ' differs from ',
  lt: ' is less than ',
  le: ' is at most ',
  gt: ' is greater than ',
  ge: ' is at least ',
};

/** A template as inline content: its text as written, each expression in words (in italics). */
export function templateInWords(template: string, steps: StepIndex): Inline[] {
  return segments(template).map((s) =>
    'text' in s ? s.text : s.expr ? emphasis(exprInWords(s.expr, steps)) : inlineCode(s.raw),
  );
}

/** An `if:` or `assert` expression: a whole `{{ }}` statement, in words without italics. */
export function conditionInWords(template: string, steps: StepIndex): Inline {
  const parts = segments(template);
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only && 'expr' in only && only.expr) return exprInWords(only.expr, steps);
  return templateInWords(template, steps);
}

export function exprInWords(expr: Expr, steps: StepIndex): Inline {
  if (expr.kind === 'literal') return literal(expr.value);
  if (expr.kind === 'path') return pathInWords(expr.path, steps);
  const args = expr.args.map((a) => argInWords(a, steps));
  const op = comparisons[expr.helper];
  if (op && args.length === 2) return [args[0], op, args[1]];
  if (expr.helper === 'and' || expr.helper === 'or') return joinInline(args, ` ${expr.helper} `);
  if (expr.helper === 'not' && args.length === 1) return ['not (', args[0], ')'];
  if (expr.helper === 'default' && args.length === 2) return [args[0], ' (', args[1], ' when empty)'];
  if (expr.helper === 'json' && args.length === 1) return [args[0], ' as JSON'];
  if (expr.helper === 'duration' && args.length === 1) return [args[0], ' as a duration'];
  return [inlineCode(expr.helper), '(', joinInline(args), ')'];
}

/** A nested call is parenthesised so "a and b or c" keeps its grouping. */
function argInWords(expr: Expr, steps: StepIndex): Inline {
  return expr.kind === 'call' ? ['(', exprInWords(expr, steps), ')'] : exprInWords(expr, steps);
}

function literal(value: string | number | boolean | null): Inline {
  return typeof value === 'string' ? inlineCode(JSON.stringify(value)) : String(value);
}

/** `the \`y\` output of step 2.3 (x)`, `the \`reason\` input`, `the secret \`X\``… */
export function pathInWords(path: string, steps: StepIndex): Inline {
  const [root, ...rest] = path.split('.');
  const tail = rest.join('.');
  if (!tail) return inlineCode(path);
  if (root === 'inputs') return ['the ', inlineCode(tail), ' input'];
  if (root === 'secrets') return ['the secret ', inlineCode(tail)];
  if (root === 'run') return ["the run's ", inlineCode(tail)];
  if (root === 'result') return ["the result's ", inlineCode(tail)];
  if (root === 'outputs') return ["this step's ", inlineCode(tail), ' output'];
  if (root === 'directory') return ["the Directory's ", inlineCode(tail)];
  if (root === 'steps') return stepPathInWords(rest, steps);
  return inlineCode(path);
}

function stepPathInWords([id, field, ...rest]: string[], steps: StepIndex): Inline {
  const step = stepName(id, steps);
  if (field === 'outputs' && rest.length) return ['the ', inlineCode(rest.join('.')), ' output of ', step];
  if (field === 'status' && !rest.length) return ['the status of ', step];
  return inlineCode(['steps', id, field, ...rest].filter(Boolean).join('.'));
}

/** `step 2.3 (promote-db)`; an id the graph lacks (a child runbook's) keeps its id alone. */
export function stepName(id: string, steps: StepIndex): string {
  const n = steps.number(id);
  return n ? `step ${n} (${id})` : `step ${id}`;
}

function emphasis(inline: Inline): PhrasingContent {
  return { type: 'emphasis', children: phrasing([inline]) };
}

/**
 * A template for a code block: each expression as a short placeholder (`<input reason>`,
 * `<output endpoint of step 2.1>`, `<secret DR_DATABASE_URL>`), since code cannot be formatted.
 */
export function templatePlain(template: string, steps: StepIndex): string {
  return segments(template)
    .map((s) => ('text' in s ? s.text : s.expr ? `<${exprPlain(s.expr, steps)}>` : s.raw))
    .join('');
}

function exprPlain(expr: Expr, steps: StepIndex): string {
  if (expr.kind === 'literal') return JSON.stringify(expr.value);
  if (expr.kind === 'call') return `${expr.helper} ${expr.args.map((a) => exprPlain(a, steps)).join(' ')}`;
  const [root, ...rest] = expr.path.split('.');
  const tail = rest.join('.');
  const single: Readonly<Record<string, string>> = {
    inputs: 'input',
    secrets: 'secret',
    run: 'run',
    result: 'result',
    outputs: 'output',
  };
  if (single[root] && tail) return `${single[root]} ${tail}`;
  if (root === 'steps' && rest.length >= 2) {
    const [id, field, ...more] = rest;
    const n = steps.number(id) ?? id;
    return field === 'outputs' ? `output ${more.join('.')} of step ${n}` : `${field} of step ${n}`;
  }
  return expr.path;
}

/** `value` with `f` applied to every string in it, at any depth (parameters as YAML). */
export function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}
