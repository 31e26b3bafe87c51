import { childName } from '../../ir/child-runbook.js';
import type { IrGraph, IrNode } from '../../ir/types.js';
import type { StepStatus } from '../core/events.js';
import { loadGraph } from './load-graph.js';

/**
 * Nested runbooks on resume. A child runbook's events are in the parent's journal with step ids
 * prefixed `<runbook>/` (see prefixedSink), one prefix per level: `restore-db/promote`,
 * `failover/restore-db/promote`. Its finished steps are restored from there like top-level
 * ones, so a resumed `uses: runbook` step continues its child where it stopped instead of
 * running the whole procedure again.
 */

export type Restored = ReadonlyMap<string, { status: StepStatus; outputs: Record<string, unknown> }>;

/** The steps of this level itself: ids without a runbook prefix. */
export function ownRestored(restored: Restored | undefined): Restored | undefined {
  if (!restored) return undefined;
  return new Map([...restored].filter(([id]) => !id.includes('/')));
}

/** A child's share: `<runbook>/x` becomes `x`; deeper levels keep their own prefixes. */
export function nestedRestored(restored: Restored | undefined, runbook: string): Restored | undefined {
  if (!restored) return undefined;
  const prefix = `${runbook}/`;
  return new Map([...restored].filter(([id]) => id.startsWith(prefix)).map(([id, r]) => [id.slice(prefix.length), r]));
}

/**
 * Whether exactly one step of `graph` runs `runbook`. Two calls of one child share its prefix in
 * the journal, so which call finished which step cannot be told: such a child is not restored
 * (it runs again as a whole, and its step in doubt needs an operator's decision).
 */
export function calledOnce(graph: IrGraph, runbook: string): boolean {
  return graph.nodes.filter((n) => childName(n) === runbook).length === 1;
}

/**
 * The node a journal step id names, with the graph holding it and whether every level on the
 * way is restorable; undefined when the id names no step of the current graphs.
 */
export function nodeAt(
  root: string,
  graph: IrGraph,
  stepId: string,
): { node: IrNode; graph: IrGraph; nested: boolean; restorable: boolean } | undefined {
  const parts = stepId.split('/');
  let g = graph;
  let restorable = true;
  for (const name of parts.slice(0, -1)) {
    if (!g.nodes.some((n) => childName(n) === name)) return undefined;
    restorable &&= calledOnce(g, name);
    g = loadGraph(root, name);
  }
  const node = g.nodes.find((n) => n.id === parts.at(-1));
  return node ? { node, graph: g, nested: parts.length > 1, restorable } : undefined;
}
