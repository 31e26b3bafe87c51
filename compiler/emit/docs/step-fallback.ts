import type { IrGraph, IrNode } from '../../../ir/types.js';
import { segments, type Expr } from './expression-parse.js';

/**
 * A step's fallback: the steps that run only when it failed, i.e. whose `if:` is
 * `{{eq steps.<id>.status "failed"}}` (the format's way to say "if this fails, do that": a
 * `manual` step for a person, a notification, a stop). Nothing else is a fallback.
 */
export function fallbacksOf(graph: IrGraph, id: string): IrNode[] {
  let byFailed = fallbacksByGraph.get(graph);
  if (!byFailed) {
    byFailed = fallbackIndex(graph);
    fallbacksByGraph.set(graph, byFailed);
  }
  return byFailed.get(id) ?? [];
}

/**
 * Each step's fallbacks, worked out once per graph: every step of a page asks, and parsing
 * every `if:` for each of them made a page quadratic in its steps.
 */
const fallbacksByGraph = new WeakMap<IrGraph, ReadonlyMap<string, IrNode[]>>();

/** Failed step id → the steps whose `if:` tests it, in graph order (as `fallbacksOf` returns them). */
function fallbackIndex(graph: IrGraph): ReadonlyMap<string, IrNode[]> {
  const out = new Map<string, IrNode[]>();
  for (const n of graph.nodes) {
    const failed = n.if !== undefined ? failedStepOf(n.if) : undefined;
    if (failed === undefined) continue;
    const list = out.get(failed);
    if (list) list.push(n);
    else out.set(failed, [n]);
  }
  return out;
}

/** The step id an `if:` tests for failure, if that is all it tests. */
function failedStepOf(condition: string): string | undefined {
  const parts = segments(condition.trim());
  const only = parts.length === 1 ? parts[0] : undefined;
  return only && 'expr' in only && only.expr ? failedTest(only.expr) : undefined;
}

function failedTest(expr: Expr): string | undefined {
  if (expr.kind !== 'call' || expr.helper !== 'eq' || expr.args.length !== 2) return undefined;
  const [a, b] = expr.args;
  const path = a.kind === 'path' ? a : b.kind === 'path' ? b : undefined;
  const literal = a.kind === 'literal' ? a : b.kind === 'literal' ? b : undefined;
  const m = path?.path.match(/^steps\.([^.]+)\.status$/);
  return m && literal?.value === 'failed' ? m[1] : undefined;
}
