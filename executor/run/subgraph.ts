import { childName } from '../../ir/child-runbook.js';
import type { IrGraph } from '../../ir/types.js';
import { RunRefused } from '../core/errors.js';
import type { EventSink, RunEvents, RunEventType } from '../core/events.js';
import { loadGraph } from './load-graph.js';

/** Nested runbooks deeper than this are a loop or a design problem. */
export const maxSubgraphDepth = 5;

/**
 * Every graph a run may reach through `runbook` steps (names written literally, as the compiler
 * requires), so their secrets are known and masked before the first step starts.
 */
export function reachableGraphs(root: string, graph: IrGraph): Map<string, IrGraph> {
  const out = new Map<string, IrGraph>([[graph.name, graph]]);
  const visit = (g: IrGraph, depth: number): void => {
    for (const n of g.nodes) {
      const name = childName(n);
      if (name === undefined || out.has(name)) continue;
      if (depth >= maxSubgraphDepth)
        throw new RunRefused(`runbooks nest deeper than ${maxSubgraphDepth} levels at ${g.name} → ${name}`);
      const child = loadGraph(root, name);
      out.set(name, child);
      visit(child, depth + 1);
    }
  };
  visit(graph, 1);
  return out;
}

/** The child's events in the parent's audit log: step and phase ids prefixed with `<runbook>/`. */
export function prefixedSink(inner: EventSink, prefix: string): EventSink {
  return {
    emit<T extends RunEventType>(type: T, data: RunEvents[T]): Promise<void> {
      return inner.emit(type, prefixIds({ ...data }, prefix));
    },
  };
}

/** Prefixes the copy's stepId and phaseId, whichever event it is (the data keeps its type). */
function prefixIds<V extends object>(copy: V, prefix: string): V {
  for (const key of ['stepId', 'phaseId']) {
    const id: unknown = Reflect.get(copy, key);
    if (typeof id === 'string') Reflect.set(copy, key, prefix + id);
  }
  return copy;
}
