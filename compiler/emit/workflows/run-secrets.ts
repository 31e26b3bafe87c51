import type { IrGraph } from '../../../ir/types.js';
import { referencedValue } from '../../../common/actions-catalog/index.js';

/**
 * The secrets a run of `graph` reads: its own and those of every runbook it runs through a
 * `runbook` step (they run in the same process, so their secrets must be in the same job's env).
 * A `with.runbook` that is a template is resolved only at run time and contributes nothing here.
 */
export function runSecrets(graph: IrGraph, graphs: readonly IrGraph[]): string[] {
  const byName = namesOf(graphs);
  const seen = new Set<string>();
  const out = new Set<string>();
  const visit = (g: IrGraph): void => {
    if (seen.has(g.name)) return;
    seen.add(g.name);
    for (const s of g.secrets) out.add(s);
    for (const node of g.nodes) {
      const target = referencedValue(node, 'Runbook');
      const child = typeof target === 'string' ? byName.get(target) : undefined;
      if (child) visit(child);
    }
  };
  visit(graph);
  return [...out].sort();
}

/** Graphs by name, built once per list (and its length): the resume workflow asks for every runbook. */
const byNameOf = new WeakMap<readonly IrGraph[], { length: number; byName: ReadonlyMap<string, IrGraph> }>();

function namesOf(graphs: readonly IrGraph[]): ReadonlyMap<string, IrGraph> {
  const known = byNameOf.get(graphs);
  if (known?.length === graphs.length) return known.byName;
  const byName = new Map(graphs.map((g) => [g.name, g]));
  byNameOf.set(graphs, { length: graphs.length, byName });
  return byName;
}
